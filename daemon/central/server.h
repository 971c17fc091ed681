/*
 * server.h: the central's nng REP server (the nng "async demo" pattern).
 *
 * N contexts each loop receive -> handle -> send.  nng's callbacks only
 * hand a received request to a queue; worker threads, each with its own
 * read-only database handle, open the frame with the sender's crypto_box
 * key (cached per public key), decode and dispatch it: STATUS and PULL
 * are answered by the worker; a PUSH's signatures are verified there,
 * then PUSH and ENROLL go to the writer thread, which commits; a
 * committed PUSH comes back to a worker for its proofs and reply.  A
 * frame that does not open cannot be answered securely and is dropped.
 * Threads in detail: server.c.
 */
#ifndef COSOD_SERVER_H
#define COSOD_SERVER_H

#include <stddef.h>

#include "log.h"
#include "metrics.h"

#define SERVER_ERRMSG_MAX  512
#define SERVER_WORKERS_MIN 4u
#define SERVER_WORKERS_MAX 8u

struct server_cfg {
	const char *db;          /* the central database */
	const char *url;         /* tcp://host:port or tls+tcp://... */
	const char *tls_cert;    /* PEM certificate chain (tls+tcp) */
	const char *tls_key;     /* PEM private key (tls+tcp) */
	size_t max_message;      /* bytes of one frame, both ways */
	unsigned contexts;       /* requests served at once */
	unsigned workers;        /* worker threads, each with a read-only
	                            database handle; 0: one per core, within
	                            SERVER_WORKERS_MIN .. SERVER_WORKERS_MAX */
	size_t queue_bytes;      /* bound of the writer's queue */
	size_t box_cache;        /* idle peer keys kept */
	unsigned conns_max;      /* connections at once (conns.h) */
	unsigned anon_max;       /* of which without a registered key */
	struct metrics *metrics; /* counted into; NULL: not counted */
};

struct server;

/* Opens the database and key, starts the writer and listens.  On failure
 * errmsg says why and nothing is left running. */
int server_start(struct server **out, const struct server_cfg *cfg,
    const struct clog *log, char errmsg[static SERVER_ERRMSG_MAX]);

/* Stops accepting, lets the writer finish its group (commit, replies),
 * answers nothing more, closes everything and frees srv. */
void server_stop(struct server *srv);

#endif /* COSOD_SERVER_H */
