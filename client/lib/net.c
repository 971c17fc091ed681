/*
 * net.c: the nng REQ transport of a sync round.
 *
 * nng's REQ resends a request whose reply is late (NNG_OPT_REQ_RESENDTIME,
 * one minute by default).  A 1 MiB push over a 2G link (50 kbit/s) takes
 * minutes, so a resend would only start the upload again.  It is switched
 * off and the round resends after its own receive timeout; requests are
 * idempotent, so a late duplicate does no harm.
 *
 * tls+tcp:// (docs/operations.md, "TLS"): the central's certificate must
 * chain to the CA file given and carry the server name, by default the
 * URL's host.  nng 1.5.2 with Debian's mbedtls 2.28 matches that name
 * against the certificate's DNS names (or its CN) only, never an IP
 * address entry: a central reached by address needs a name given here.
 * TLS hides who syncs what and when from the network; the central is
 * still known by its pinned Ed25519 key, whatever certificate it shows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>
#include <nng/protocol/reqrep0/req.h>
#include <nng/supplemental/tls/tls.h>

#include <coso/client.h>

#include "net.h"

struct nng_conn {
	nng_socket sock;
};

static int
nng_call(void *conn, const uint8_t *req, size_t len, uint8_t **rep,
    size_t *rep_len, char err[static COSOI_NET_ERR_MAX])
{
	struct nng_conn *c = conn;
	void *buf          = NULL;
	size_t n           = 0;
	int rv;

	if ((rv = nng_send(c->sock, (void *) req, len, 0)) != 0) {
		snprintf(err, COSOI_NET_ERR_MAX, "cannot send: %s",
		    nng_strerror(rv));
		return COSO_ENET;
	}
	if ((rv = nng_recv(c->sock, &buf, &n, NNG_FLAG_ALLOC)) != 0) {
		snprintf(
		    err, COSOI_NET_ERR_MAX, "no reply: %s", nng_strerror(rv));
		return rv == NNG_EMSGSIZE ? COSO_ETOOBIG : COSO_ENET;
	}
	/* nng's buffer is freed with nng_free; give the caller malloc'd
	 * memory so one free fits every transport. */
	if ((*rep = malloc(n > 0 ? n : 1)) == NULL) {
		nng_free(buf, n);
		snprintf(err, COSOI_NET_ERR_MAX, "out of memory");
		return COSO_ENOMEM;
	}
	memcpy(*rep, buf, n);
	*rep_len = n;
	nng_free(buf, n);
	return COSO_OK;
}

static void
nng_conn_close(void *conn)
{
	struct nng_conn *c = conn;

	if (c != NULL) {
		nng_close(c->sock);
		free(c);
	}
}

/* The socket options a round needs; 0 or an nng error. */
static int
configure(nng_socket sock, size_t max, uint32_t timeout_ms)
{
	int rv;

	if ((rv = nng_socket_set_size(sock, NNG_OPT_RECVMAXSZ, max)) != 0
	    || (rv = nng_socket_set_ms(
	            sock, NNG_OPT_REQ_RESENDTIME, NNG_DURATION_INFINITE))
	        != 0
	    || (rv = nng_socket_set_ms(
	            sock, NNG_OPT_RECVTIMEO, (nng_duration) timeout_ms))
	        != 0
	    || (rv = nng_socket_set_ms(
	            sock, NNG_OPT_SENDTIMEO, (nng_duration) timeout_ms))
	        != 0) {
		return rv;
	}
	return 0;
}

static int
nng_set_timeout(void *conn, uint32_t timeout_ms)
{
	struct nng_conn *c = conn;

	return nng_socket_set_ms(
	           c->sock, NNG_OPT_RECVTIMEO, (nng_duration) timeout_ms)
	        == 0
	    ? COSO_OK
	    : COSO_ENET;
}

/* The TLS settings of a tls+tcp:// dialer: 0 or an nng error, with err
 * naming what failed. */
static int
tls_setup(nng_dialer d, const char *url, const struct cosoi_net_tls *tls,
    char err[static COSOI_NET_ERR_MAX])
{
	nng_tls_config *cfg = NULL;
	nng_url *u          = NULL;
	const char *name    = tls->server_name;
	int rv;

	if ((rv = nng_tls_config_alloc(&cfg, NNG_TLS_MODE_CLIENT)) != 0) {
		snprintf(err, COSOI_NET_ERR_MAX, "cannot set up TLS: %s",
		    nng_strerror(rv));
		return rv;
	}
	if (name == NULL && (rv = nng_url_parse(&u, url)) == 0) {
		name = u->u_hostname;
	}
	if (rv != 0
	    || (rv = nng_tls_config_auth_mode(cfg, NNG_TLS_AUTH_MODE_REQUIRED))
	        != 0
	    || (rv = nng_tls_config_server_name(cfg, name)) != 0) {
		snprintf(err, COSOI_NET_ERR_MAX, "cannot set up TLS: %s",
		    nng_strerror(rv));
	} else if ((rv = nng_tls_config_ca_file(cfg, tls->ca_file)) != 0) {
		snprintf(err, COSOI_NET_ERR_MAX,
		    "cannot load the TLS CA certificate `%s': %s",
		    tls->ca_file, nng_strerror(rv));
	} else if ((rv = nng_dialer_set_ptr(d, NNG_OPT_TLS_CONFIG, cfg))
	    != 0) {
		snprintf(err, COSOI_NET_ERR_MAX, "cannot set up TLS: %s",
		    nng_strerror(rv));
	}
	nng_url_free(u);
	nng_tls_config_free(cfg); /* the dialer holds its own reference */
	return rv;
}

/* Dials url on sock, blocking until connected (a TLS handshake
 * included): 0 or an nng error, with err holding a sentence. */
static int
dial(nng_socket sock, const char *url, const struct cosoi_net_tls *tls,
    char err[static COSOI_NET_ERR_MAX])
{
	int is_tls = strncmp(url, "tls+tcp://", 10) == 0;
	nng_dialer d;
	int rv;

	if ((rv = nng_dialer_create(&d, sock, url)) != 0) {
		snprintf(err, COSOI_NET_ERR_MAX, "%s", nng_strerror(rv));
		return rv;
	}
	if (is_tls && (rv = tls_setup(d, url, tls, err)) != 0) {
		return rv;
	}
	if ((rv = nng_dialer_start(d, 0)) == 0) {
		return 0;
	}
	if (is_tls && (rv == NNG_EPEERAUTH || rv == NNG_ECRYPTO)
	    && tls->server_name != NULL) {
		snprintf(err, COSOI_NET_ERR_MAX,
		    "the central's TLS certificate was not accepted: not "
		    "signed by `%s', or not for the name `%s' (%s)",
		    tls->ca_file, tls->server_name, nng_strerror(rv));
	} else if (is_tls && (rv == NNG_EPEERAUTH || rv == NNG_ECRYPTO)) {
		snprintf(err, COSOI_NET_ERR_MAX,
		    "the central's TLS certificate was not accepted: not "
		    "signed by `%s', or not for the URL's host name (an IP "
		    "address is never matched: give the certificate's DNS "
		    "name with --tls-server-name NAME) (%s)",
		    tls->ca_file, nng_strerror(rv));
	} else {
		snprintf(err, COSOI_NET_ERR_MAX, "%s", nng_strerror(rv));
	}
	return rv;
}

int
cosoi_net_dial(struct cosoi_net *net, const char *url,
    const struct cosoi_net_tls *tls, size_t max, uint32_t timeout_ms,
    char err[static COSOI_NET_ERR_MAX])
{
	struct nng_conn *c = NULL;
	int is_tls         = strncmp(url, "tls+tcp://", 10) == 0;
	int rv;

	if (is_tls && (tls == NULL || tls->ca_file == NULL)) {
		snprintf(err, COSOI_NET_ERR_MAX,
		    "a tls+tcp:// central needs the CA certificate that "
		    "signed its certificate (--tls-ca FILE)");
		return COSO_EINVAL;
	}
	if (!is_tls && tls != NULL
	    && (tls->ca_file != NULL || tls->server_name != NULL)) {
		snprintf(err, COSOI_NET_ERR_MAX,
		    "TLS settings given for a central that is not "
		    "tls+tcp://");
		return COSO_EINVAL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(err, COSOI_NET_ERR_MAX, "out of memory");
		return COSO_ENOMEM;
	}
	if ((rv = nng_req0_open(&c->sock)) != 0) {
		snprintf(err, COSOI_NET_ERR_MAX, "cannot open a socket: %s",
		    nng_strerror(rv));
		free(c);
		return COSO_ENET;
	}
	if ((rv = configure(c->sock, max, timeout_ms)) != 0) {
		snprintf(err, COSOI_NET_ERR_MAX, "%s", nng_strerror(rv));
	} else {
		rv = dial(c->sock, url, tls, err);
	}
	if (rv != 0) {
		nng_conn_close(c);
		return rv == NNG_EADDRINVAL || rv == NNG_ENOTSUP
		        || rv == NNG_ENOENT || rv == NNG_EINVAL
		    ? COSO_EINVAL
		    : COSO_ENET;
	}
	net->call        = nng_call;
	net->close       = nng_conn_close;
	net->set_timeout = nng_set_timeout;
	net->conn        = c;
	return COSO_OK;
}
