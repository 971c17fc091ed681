/*
 * httpd.h: HTTP/1.1 connections for the central's API, on nng's TCP
 * streams, with the limits nng 1.5.2's HTTP server does not have
 * (docs/central.md, "Connections and deadlines"):
 *
 * - at most `conns` connections: beyond them nothing is accepted, and
 *   new ones wait in the kernel's listen backlog, holding no file here;
 * - a request head (httphead.h) must arrive within `head_ms` of when it
 *   is awaited (the connection's start, or the end of the previous
 *   answer), else the connection is closed;
 * - an answer must be sent within `answer_ms`, and the peer must take
 *   some of it every `stall_ms`, else the connection is closed;
 * - the answers being sent hold at most `out_max` bytes in all (answers
 *   up to `out_small` bytes are not counted): one over it is refused to
 *   its maker (HTTPD_BUSY), who answers something small instead.
 *
 * Request bodies: with body_max 0 they are never read, and after a
 * request that has one the connection is closed (the central's API).
 * Else a body of Content-Length bytes, at most body_max, is read whole
 * (within body_ms) before the callback gets the request (httpd_body);
 * a longer one, or one without a Content-Length (chunked), is refused
 * (HTTPD_EBODY, HTTPD_ELENGTH) without being read.
 *
 * Callbacks run on nng's threads and must not block; an answer may be
 * given from any thread.
 */
#ifndef COSOD_HTTPD_H
#define COSOD_HTTPD_H

#include <stddef.h>
#include <stdint.h>

#include "httphead.h"

#define HTTPD_ERRMSG_MAX 512

struct httpd_limits {
	unsigned conns;
	uint32_t head_ms, stall_ms, answer_ms;
	size_t out_max, out_small;
	size_t body_max;  /* 0: bodies are not read */
	uint32_t body_ms; /* a body must arrive in this after its head */
};

struct httpd_reply {
	uint16_t status;
	const char *type; /* Content-Type */
	const char *body; /* copied */
	size_t len;
	const char
	    *extra; /* more header lines, each ending in CRLF; or NULL */
	int close;  /* close the connection after it */
};

enum {
	HTTPD_TAKEN = 0,
	HTTPD_BUSY  = 1, /* over out_max: the connection is still yours */
};

/* Refusals given to the callback as err, beside httphead_rv's. */
enum {
	HTTPD_ELENGTH = 16, /* a body without Content-Length: 411 */
	HTTPD_EBODY   = 17, /* a body over body_max: 413 */
};

struct httpd;
struct httpd_conn;

/*
 * A request on c, on an nng thread: h its head, valid until c is
 * answered or dropped, and err 0; or h NULL and err the httphead_rv that
 * refused the bytes (c is to be answered, and is then closed).  Whoever
 * holds c must end it once, with httpd_answer or httpd_drop.
 */
typedef void (*httpd_fn)(
    struct httpd_conn *c, const struct httphead *h, int err, void *arg);

/* Listens on addr (HOST:PORT, IPv6 in brackets) and serves.  On failure
 * errmsg says why and nothing is left running. */
int httpd_start(struct httpd **out, const char *addr,
    const struct httpd_limits *lim, httpd_fn fn, void *arg,
    char errmsg[static HTTPD_ERRMSG_MAX]);

/* The request's body (NULL and 0 if none): valid until c is answered
 * or dropped. */
const uint8_t *httpd_body(const struct httpd_conn *c, size_t *len);

/* Sends r on c: HTTPD_TAKEN (c is no longer the caller's), or HTTPD_BUSY
 * (nothing done).  A HEAD request gets the header lines only.  While
 * stopping, c is dropped instead (HTTPD_TAKEN). */
int httpd_answer(struct httpd_conn *c, const struct httpd_reply *r);

/* Closes c without an answer. */
void httpd_drop(struct httpd_conn *c);

/* Stops accepting and closes every connection; connections held by the
 * callback's side must still be ended. */
void httpd_close(struct httpd *d);

/* After httpd_close, once every connection has been ended: waits for
 * nng to let go of them and frees d.  Accepts NULL. */
void httpd_free(struct httpd *d);

/*
 * Whether addr is HOST:PORT: HOST a name, a dotted IPv4 address or an
 * IPv6 address in brackets; PORT 1 to 65535.  0 if so, with *loopback
 * set when HOST is a loopback address (127.0.0.0/8, ::1, "localhost"),
 * whose clients are on this machine; -1 if not.  Pure.
 */
int httpd_addr_check(const char *addr, int *loopback);

#endif /* COSOD_HTTPD_H */
