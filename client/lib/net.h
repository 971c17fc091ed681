/*
 * net.h: the request/reply transport behind a round of sync.  The nng
 * implementation is in net.c; tests put a function of their own in call.
 * Not installed.
 */
#ifndef COSO_CLIENT_NET_H
#define COSO_CLIENT_NET_H

#include <stddef.h>
#include <stdint.h>

#define COSOI_NET_ERR_MAX 512 /* room for a path and a URL */

struct cosoi_net {
	/*
	 * Sends one request frame and waits for its reply.  *rep is malloc'd
	 * (caller frees).  COSO_OK; COSO_ENET for a failure worth retrying
	 * with the same request (timeout, closed connection); other codes
	 * are final.  err receives a sentence on failure.  Thread: the
	 * round's.
	 */
	int (*call)(void *conn, const uint8_t *req, size_t len, uint8_t **rep,
	    size_t *rep_len, char err[static COSOI_NET_ERR_MAX]);
	void (*close)(void *conn); /* accepts NULL */
	/* Changes how long call waits for a reply; NULL: cannot. */
	int (*set_timeout)(void *conn, uint32_t timeout_ms);
	void *conn;
};

/* tls+tcp://: the CA certificates file (PEM) the central's certificate
 * must chain to, and the name it must carry (NULL: the URL's host). */
struct cosoi_net_tls {
	const char *ca_file;
	const char *server_name;
};

/*
 * Dials url with an nng REQ socket: a message at most max bytes is
 * received, a reply waited for timeout_ms, nng's own resend disabled
 * (the round resends).  The dial is blocking: a central that is down
 * fails at once with COSO_ENET, as does a TLS handshake the central's
 * certificate fails.  A tls+tcp:// url needs tls->ca_file, and TLS
 * settings with another scheme are refused (COSO_EINVAL): neither is
 * silently left out.
 */
int cosoi_net_dial(struct cosoi_net *net, const char *url,
    const struct cosoi_net_tls *tls, size_t max, uint32_t timeout_ms,
    char err[static COSOI_NET_ERR_MAX]);

#endif /* COSO_CLIENT_NET_H */
