/*
 * net.c: the nng REQ transport of a sync round.
 *
 * nng's REQ resends a request whose reply is late (NNG_OPT_REQ_RESENDTIME,
 * one minute by default).  A 1 MiB push over a 2G link (50 kbit/s) takes
 * minutes, so a resend would only start the upload again.  It is switched
 * off and the round resends after its own receive timeout; requests are
 * idempotent, so a late duplicate does no harm.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>
#include <nng/protocol/reqrep0/req.h>

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

int
cosoi_net_dial(struct cosoi_net *net, const char *url, size_t max,
    uint32_t timeout_ms, char err[static COSOI_NET_ERR_MAX])
{
	struct nng_conn *c = calloc(1, sizeof(*c));
	int rv;

	if (c == NULL) {
		snprintf(err, COSOI_NET_ERR_MAX, "out of memory");
		return COSO_ENOMEM;
	}
	if ((rv = nng_req0_open(&c->sock)) != 0) {
		snprintf(err, COSOI_NET_ERR_MAX, "cannot open a socket: %s",
		    nng_strerror(rv));
		free(c);
		return COSO_ENET;
	}
	if ((rv = configure(c->sock, max, timeout_ms)) != 0
	    || (rv = nng_dial(c->sock, url, NULL, 0)) != 0) {
		snprintf(err, COSOI_NET_ERR_MAX, "%s", nng_strerror(rv));
		nng_conn_close(c);
		return rv == NNG_EADDRINVAL || rv == NNG_ENOTSUP ? COSO_EINVAL
		                                                 : COSO_ENET;
	}
	net->call        = nng_call;
	net->close       = nng_conn_close;
	net->set_timeout = nng_set_timeout;
	net->conn        = c;
	return COSO_OK;
}
