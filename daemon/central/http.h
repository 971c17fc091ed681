/*
 * http.h: the central's read-only HTTP API for auditors
 * (docs/central.md, "HTTP API"): the latest signed checkpoint, log
 * entries with their stored leaf hashes, inclusion and consistency
 * proofs, the key registry, the state digest, and the metrics
 * (`/metrics', Prometheus text format, metrics.h).
 *
 * nng's HTTP server accepts connections and parses requests on its own
 * threads; a request is checked for its bearer token there, then queued
 * to a few worker threads, each with its own read-only database handle,
 * which answer it from one read transaction.  Nothing is ever written
 * but, once at start, the reports' indexes (report_store.h).  The
 * office's console signs its users in under /console/api/ (sessions in
 * memory: console_auth.h).
 */
#ifndef COSOD_HTTP_H
#define COSOD_HTTP_H

#include <stdint.h>

#include "log.h"
#include "metrics.h"

#define HTTP_ERRMSG_MAX 512
#define HTTP_TOKEN_MAX  512u /* bytes of a bearer token */
#define HTTP_CONNS_MAX  64u  /* connections at most, whatever the files */

struct http_cfg {
	const char *db;          /* the central database */
	const char *addr;        /* HOST:PORT (httpd_addr_check) */
	int has_token;           /* requests need the bearer token */
	uint8_t token_hash[32];  /* SHA-256 of the token */
	unsigned workers;        /* threads and read-only handles */
	unsigned conns_max;      /* connections at once; more wait */
	struct metrics *metrics; /* served at /metrics, requests counted */
	/* With witnesses (witness.h): the latest cosigned note, malloc'd
	 * into *note, or NULL (none yet); GET /checkpoint serves it before
	 * the plain latest checkpoint.  Any thread.  NULL: no witnesses. */
	char *(*cosigned)(void *arg);
	void *cosigned_arg;
};

struct http;

/* Opens the handles, starts the workers and serves on cfg->addr.  On
 * failure errmsg says why and nothing is left running.  log must outlive
 * http_stop. */
int http_start(struct http **out, const struct http_cfg *cfg,
    const struct clog *log, char errmsg[static HTTP_ERRMSG_MAX]);

/* Stops accepting, closes the connections, fails what is still queued,
 * joins the workers and closes the handles.  Accepts NULL. */
void http_stop(struct http *h);

#endif /* COSOD_HTTP_H */
