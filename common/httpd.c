/*
 * httpd.c: HTTP/1.1 connections on nng's TCP streams (httpd.h).
 *
 * Each connection has one aio and one operation at a time: READ (a
 * request head, into buf), WAIT (the callback's side holds it), SEND (the
 * answer, in chunks).  Every read and send carries its own timeout, which
 * is how the deadlines are kept; a connection that misses one, fails, or
 * is done is ended by whoever holds it: its aio callback, or the answer's
 * maker.  The accepting aio is re-armed only below the connection limit,
 * and after a failure (out of files, say) only after a pause.
 *
 * Lifetime: a connection is freed when ended (its aio reaped, its stream
 * freed by nng in the background); httpd_free waits until none is left.
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <nng/nng.h>
#include <nng/supplemental/util/platform.h>
#include <sodium.h>

#include "httpd.h"

#define CHUNK      (64u * 1024u) /* bytes per send */
#define RETRY_MS   100u          /* pause after a failed accept */
#define HEADER_MAX 512u          /* status line and our header lines */

enum { C_READ, C_BODY, C_WAIT, C_SEND };

struct httpd_conn {
	struct httpd *d;
	struct httpd_conn *prev, *next;
	nng_stream *s;
	nng_aio *aio;
	int state;
	int close;
	int head; /* the request was HEAD */
	nng_time deadline;
	size_t have, used; /* bytes in buf; of them, the current head */
	struct httphead h;
	char *out;
	size_t out_len, sent, counted;
	uint8_t *body;
	size_t body_len, body_have;
	char buf[HTTPHEAD_MAX];
};

struct httpd {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct httpd_limits lim;
	httpd_fn fn;
	void *arg;
	nng_stream_listener *l;
	nng_aio *acc, *timer;
	struct httpd_conn *conns;
	unsigned n;
	size_t out; /* counted bytes being sent */
	int paused, stopping;
};

static void conn_read(struct httpd_conn *c);
static void conn_parse(struct httpd_conn *c);
static void accept_next(struct httpd *d);
static void conn_end(struct httpd_conn *c);

/*
 * Starts c's next read or send (op), or ends c if stopping.  Under mu,
 * so that httpd_close, which closes the streams under mu, either sees the
 * operation (nng aborts it) or is seen: nng 1.5.2 accepts an operation
 * on a stream closed already and lets it wait for its timeout.
 */
static void
conn_op(struct httpd_conn *c, void (*op)(nng_stream *, nng_aio *))
{
	struct httpd *d = c->d;
	int stopping;

	pthread_mutex_lock(&d->mu);
	if (!(stopping = d->stopping)) {
		op(c->s, c->aio);
	}
	pthread_mutex_unlock(&d->mu);
	if (stopping) {
		conn_end(c);
	}
}

/* ---- ending ---------------------------------------------------------------
 */

/* A request's body may hold a passphrase or a token (the device's app):
 * wiped before it is freed. */
static void
body_free(struct httpd_conn *c)
{
	if (c->body != NULL) {
		sodium_memzero(c->body, c->body_len);
		free(c->body);
	}
	c->body     = NULL;
	c->body_len = c->body_have = 0;
}

static void
conn_end(struct httpd_conn *c)
{
	struct httpd *d = c->d;
	int resume;

	pthread_mutex_lock(&d->mu);
	if (c->prev != NULL) {
		c->prev->next = c->next;
	} else {
		d->conns = c->next;
	}
	if (c->next != NULL) {
		c->next->prev = c->prev;
	}
	d->n--;
	d->out -= c->counted;
	resume    = d->paused && !d->stopping;
	d->paused = 0;
	pthread_cond_broadcast(&d->cv);
	pthread_mutex_unlock(&d->mu);
	nng_stream_close(c->s);
	nng_stream_free(c->s);
	nng_aio_reap(c->aio);
	free(c->out);
	body_free(c);
	sodium_memzero(c->buf, sizeof(c->buf));
	free(c);
	if (resume) {
		accept_next(d);
	}
}

void
httpd_drop(struct httpd_conn *c)
{
	conn_end(c);
}

/* ---- answers --------------------------------------------------------------
 */

static const char *
reason(uint16_t status)
{
	switch (status) {
	case 200:
		return "OK";
	case 201:
		return "Created";
	case 202:
		return "Accepted";
	case 303:
		return "See Other";
	case 304:
		return "Not Modified";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 409:
		return "Conflict";
	case 411:
		return "Length Required";
	case 413:
		return "Content Too Large";
	case 421:
		return "Misdirected Request";
	case 422:
		return "Unprocessable Content";
	case 423:
		return "Locked";
	case 431:
		return "Request Header Fields Too Large";
	case 500:
		return "Internal Server Error";
	case 503:
		return "Service Unavailable";
	case 505:
		return "HTTP Version Not Supported";
	default:
		return "Unknown";
	}
}

/* An IMF-fixdate (RFC 9110 5.6.7), in English whatever the locale. */
static void
http_date(char out[static 80])
{
	static const char days[]   = "SunMonTueWedThuFriSat";
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	time_t now                 = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	snprintf(out, 80, "%.3s, %02d %.3s %04d %02d:%02d:%02d GMT",
	    days + 3 * tm.tm_wday, tm.tm_mday, months + 3 * tm.tm_mon,
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* The answer's bytes into c->out (at most size, which leaves
 * HEADER_MAX for the status line and our header lines); -1 if out of
 * memory. */
static int
render(struct httpd_conn *c, const struct httpd_reply *r, size_t size)
{
	char date[80];
	size_t body  = c->head ? 0 : r->len;
	size_t extra = r->extra != NULL ? strlen(r->extra) : 0;
	int n;

	if ((c->out = malloc(size)) == NULL) {
		return -1;
	}
	http_date(date);
	n = snprintf(c->out, HEADER_MAX,
	    "HTTP/1.1 %u %s\r\nDate: %s\r\nContent-Type: %s\r\n"
	    "Content-Length: %zu\r\n%s",
	    r->status, reason(r->status), date, r->type, r->len,
	    c->close ? "Connection: close\r\n" : "");
	if (n < 0 || (size_t) n + 2 > HEADER_MAX) { /* + the blank line */
		return -1;
	}
	memcpy(c->out + n, r->extra != NULL ? r->extra : "", extra);
	memcpy(c->out + n + extra, "\r\n", 2);
	if (body > 0) {
		memcpy(c->out + n + extra + 2, r->body, body);
	}
	c->out_len = (size_t) n + extra + 2 + body;
	return 0;
}

static void
conn_send(struct httpd_conn *c)
{
	nng_time now = nng_clock();
	nng_iov iov;
	nng_duration left;

	if (now >= c->deadline) {
		conn_end(c);
		return;
	}
	left        = (nng_duration) (c->deadline - now);
	iov.iov_buf = c->out + c->sent;
	iov.iov_len
	    = c->out_len - c->sent < CHUNK ? c->out_len - c->sent : CHUNK;
	nng_aio_set_iov(c->aio, 1, &iov);
	nng_aio_set_timeout(c->aio,
	    left < (nng_duration) c->d->lim.stall_ms
	        ? left
	        : (nng_duration) c->d->lim.stall_ms);
	conn_op(c, nng_stream_send);
}

/* Whether bytes more may be sent now; counts them if so. */
static int
budget_take(struct httpd_conn *c, size_t bytes)
{
	struct httpd *d = c->d;
	int ok;

	pthread_mutex_lock(&d->mu);
	if (bytes <= d->lim.out_small) {
		ok = 1;
	} else if ((ok = d->out == 0 || d->out + bytes <= d->lim.out_max)) {
		d->out += bytes;
		c->counted = bytes;
	}
	if (d->stopping) {
		ok = -1;
	}
	pthread_mutex_unlock(&d->mu);
	return ok;
}

int
httpd_answer(struct httpd_conn *c, const struct httpd_reply *r)
{
	size_t size = HEADER_MAX + (r->extra != NULL ? strlen(r->extra) : 0)
	    + (c->head ? 0 : r->len);
	int ok = budget_take(c, size);

	if (ok == 0) {
		return HTTPD_BUSY;
	}
	c->close |= r->close;
	if (ok < 0 || render(c, r, size) != 0) {
		conn_end(c); /* stopping, or out of memory */
		return HTTPD_TAKEN;
	}
	c->state    = C_SEND;
	c->sent     = 0;
	c->deadline = nng_clock() + c->d->lim.answer_ms;
	conn_send(c);
	return HTTPD_TAKEN;
}

/* The answer is out: the next request, or the end. */
static void
answer_sent(struct httpd_conn *c)
{
	struct httpd *d = c->d;

	pthread_mutex_lock(&d->mu);
	d->out -= c->counted;
	pthread_mutex_unlock(&d->mu);
	c->counted = 0;
	free(c->out);
	c->out = NULL;
	body_free(c);
	if (c->close) {
		conn_end(c);
		return;
	}
	/* A request sent behind this one (pipelined) is in buf already; the
	 * bytes behind it, which held the head and maybe the start of the
	 * body answered, are wiped. */
	memmove(c->buf, c->buf + c->used, c->have - c->used);
	sodium_memzero(c->buf + c->have - c->used, c->used);
	c->have -= c->used;
	c->used     = 0;
	c->state    = C_READ;
	c->deadline = nng_clock() + d->lim.head_ms;
	conn_parse(c);
}

/* ---- requests -------------------------------------------------------------
 */

static void
conn_read(struct httpd_conn *c)
{
	nng_time now = nng_clock();
	nng_iov iov;

	if (now >= c->deadline) {
		conn_end(c);
		return;
	}
	iov.iov_buf = c->buf + c->have;
	iov.iov_len = sizeof(c->buf) - c->have;
	nng_aio_set_iov(c->aio, 1, &iov);
	nng_aio_set_timeout(c->aio, (nng_duration) (c->deadline - now));
	conn_op(c, nng_stream_recv);
}

/* The rest of the body, into c->body. */
static void
body_read(struct httpd_conn *c)
{
	nng_time now = nng_clock();
	nng_iov iov;

	if (now >= c->deadline) {
		conn_end(c);
		return;
	}
	iov.iov_buf = c->body + c->body_have;
	iov.iov_len = c->body_len - c->body_have;
	nng_aio_set_iov(c->aio, 1, &iov);
	nng_aio_set_timeout(c->aio, (nng_duration) (c->deadline - now));
	conn_op(c, nng_stream_recv);
}

/* The whole request is here: to the callback's side. */
static void
deliver(struct httpd_conn *c)
{
	c->state = C_WAIT;
	c->d->fn(c, &c->h, 0, c->d->arg);
}

/* A refusal (an httphead_rv or HTTPD_E...): answered, then closed. */
static void
refuse(struct httpd_conn *c, int err)
{
	c->state = C_WAIT;
	c->close = 1;
	c->d->fn(c, NULL, err, c->d->arg);
}

/* Reads the body of the request whose head is c->h, if bodies are read
 * (body_max): what came with the head first; pipelined bytes after it
 * stay in buf for the next request. */
static void
body_start(struct httpd_conn *c)
{
	const struct httpd_limits *lim = &c->d->lim;
	size_t take                    = c->have - c->used;

	if (c->h.chunked) {
		refuse(c, HTTPD_ELENGTH);
		return;
	}
	if (c->h.length > lim->body_max) {
		refuse(c, HTTPD_EBODY);
		return;
	}
	if (c->h.length == 0) {
		deliver(c);
		return;
	}
	c->body_len = (size_t) c->h.length;
	if ((c->body = malloc(c->body_len)) == NULL) {
		conn_end(c);
		return;
	}
	take = take < c->body_len ? take : c->body_len;
	memcpy(c->body, c->buf + c->used, take);
	c->used += take;
	c->body_have = take;
	if (take == c->body_len) {
		deliver(c);
		return;
	}
	c->state = C_BODY;
	c->deadline
	    = nng_clock() + (lim->body_ms != 0 ? lim->body_ms : lim->head_ms);
	body_read(c);
}

/* What has arrived: more to read, or a request (or refusal) to hand on. */
static void
conn_parse(struct httpd_conn *c)
{
	int rv = httphead_parse(&c->h, c->buf, c->have, &c->used);

	if (rv == HTTPHEAD_MORE) {
		conn_read(c);
		return;
	}
	c->head = 0;
	if (rv != HTTPHEAD_OK) {
		refuse(c, rv);
		return;
	}
	c->head = httphead_method_is(&c->h, "HEAD");
	c->close |= c->h.close;
	if (c->d->lim.body_max > 0) {
		body_start(c);
		return;
	}
	c->close |= c->h.has_body;
	deliver(c);
}

const uint8_t *
httpd_body(const struct httpd_conn *c, size_t *len)
{
	*len = c->body_len;
	return c->body;
}

static void
on_io(void *arg)
{
	struct httpd_conn *c = arg;

	if (nng_aio_result(c->aio) != 0) {
		conn_end(c);
	} else if (c->state == C_READ) {
		c->have += nng_aio_count(c->aio);
		conn_parse(c);
	} else if (c->state == C_BODY) {
		if ((c->body_have += nng_aio_count(c->aio)) < c->body_len) {
			body_read(c);
		} else {
			deliver(c);
		}
	} else if ((c->sent += nng_aio_count(c->aio)) < c->out_len) {
		conn_send(c);
	} else {
		answer_sent(c);
	}
}

/* ---- accepting ------------------------------------------------------------
 */

static struct httpd_conn *
conn_new(struct httpd *d, nng_stream *s)
{
	struct httpd_conn *c = calloc(1, sizeof(*c));

	if (c == NULL || nng_aio_alloc(&c->aio, on_io, c) != 0) {
		free(c);
		nng_stream_free(s);
		return NULL;
	}
	c->d        = d;
	c->s        = s;
	c->state    = C_READ;
	c->deadline = nng_clock() + d->lim.head_ms;
	pthread_mutex_lock(&d->mu);
	c->next = d->conns;
	if (d->conns != NULL) {
		d->conns->prev = c;
	}
	d->conns = c;
	d->n++;
	pthread_mutex_unlock(&d->mu);
	return c;
}

static void
on_accept(void *arg)
{
	struct httpd *d = arg;
	struct httpd_conn *c;
	int rv = nng_aio_result(d->acc), stopping;

	pthread_mutex_lock(&d->mu);
	stopping = d->stopping;
	pthread_mutex_unlock(&d->mu);
	if (rv != 0) {
		if (!stopping && rv != NNG_ECLOSED) {
			nng_sleep_aio(RETRY_MS, d->timer); /* out of files? */
		}
		return;
	}
	if (stopping) {
		nng_stream_free(nng_aio_get_output(d->acc, 0));
		return;
	}
	if ((c = conn_new(d, nng_aio_get_output(d->acc, 0))) != NULL) {
		conn_read(c);
	}
	accept_next(d);
}

static void
on_timer(void *arg)
{
	struct httpd *d = arg;

	if (nng_aio_result(d->timer) == 0) {
		accept_next(d);
	}
}

/* Accepts one more connection, or pauses at the limit (conn_end
 * resumes). */
static void
accept_next(struct httpd *d)
{
	int go;

	pthread_mutex_lock(&d->mu);
	go        = !d->stopping && d->n < d->lim.conns;
	d->paused = !d->stopping && !go;
	pthread_mutex_unlock(&d->mu);
	if (go) {
		nng_stream_listener_accept(d->l, d->acc);
	}
}

/* ---- start and stop -------------------------------------------------------
 */

int
httpd_start(struct httpd **out, const char *addr,
    const struct httpd_limits *lim, httpd_fn fn, void *arg,
    char errmsg[static HTTPD_ERRMSG_MAX])
{
	struct httpd *d = calloc(1, sizeof(*d));
	char url[300];
	int rv = NNG_ENOMEM;

	if (d == NULL) {
		snprintf(errmsg, HTTPD_ERRMSG_MAX, "out of memory");
		return -1;
	}
	pthread_mutex_init(&d->mu, NULL);
	pthread_cond_init(&d->cv, NULL);
	d->lim = *lim;
	d->fn  = fn;
	d->arg = arg;
	snprintf(url, sizeof(url), "tcp://%s", addr);
	if (nng_aio_alloc(&d->acc, on_accept, d) != 0
	    || nng_aio_alloc(&d->timer, on_timer, d) != 0
	    || (rv = nng_stream_listener_alloc(&d->l, url)) != 0
	    || (rv = nng_stream_listener_listen(d->l)) != 0) {
		snprintf(errmsg, HTTPD_ERRMSG_MAX,
		    "cannot serve HTTP on `%s': %s", addr, nng_strerror(rv));
		httpd_close(d);
		httpd_free(d);
		return -1;
	}
	accept_next(d);
	*out = d;
	return 0;
}

void
httpd_close(struct httpd *d)
{
	struct httpd_conn *c;

	pthread_mutex_lock(&d->mu);
	d->stopping = 1;
	pthread_mutex_unlock(&d->mu);
	if (d->l != NULL) {
		nng_stream_listener_close(d->l);
	}
	if (d->acc != NULL) {
		nng_aio_stop(d->acc);
	}
	if (d->timer != NULL) {
		nng_aio_stop(d->timer);
	}
	/* Reads and sends in progress end with NNG_ECLOSED (their callbacks
	 * wait for mu, then end them); a waiting one is ended by its
	 * holder, whose answer finds the stream closed. */
	pthread_mutex_lock(&d->mu);
	for (c = d->conns; c != NULL; c = c->next) {
		nng_stream_close(c->s);
	}
	pthread_mutex_unlock(&d->mu);
}

void
httpd_free(struct httpd *d)
{
	if (d == NULL) {
		return;
	}
	pthread_mutex_lock(&d->mu);
	while (d->n > 0) {
		pthread_cond_wait(&d->cv, &d->mu);
	}
	pthread_mutex_unlock(&d->mu);
	if (d->acc != NULL) {
		nng_aio_free(d->acc);
	}
	if (d->timer != NULL) {
		nng_aio_free(d->timer);
	}
	if (d->l != NULL) {
		nng_stream_listener_free(d->l);
	}
	pthread_cond_destroy(&d->cv);
	pthread_mutex_destroy(&d->mu);
	free(d);
}

/* ---- addresses ------------------------------------------------------------
 */

static int
port_ok(const char *s)
{
	unsigned long v = 0;
	size_t i;

	for (i = 0; s[i] >= '0' && s[i] <= '9' && i < 5; i++) {
		v = v * 10 + (unsigned long) (s[i] - '0');
	}
	return i > 0 && s[i] == 0 && s[0] != '0' && v <= 65535;
}

/* Whether host (brackets removed) is a loopback address or name. */
static int
loopback(const char *host, int v6)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (v6) {
		return inet_pton(AF_INET6, host, &a6) == 1
		    && IN6_IS_ADDR_LOOPBACK(&a6);
	}
	if (inet_pton(AF_INET, host, &a4) == 1) {
		return (ntohl(a4.s_addr) >> 24) == 127;
	}
	return strcasecmp(host, "localhost") == 0;
}

int
httpd_addr_check(const char *addr, int *lo)
{
	static const char name_chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"
	                                 "KLMNOPQRSTUVWXYZ0123456789.-";
	const char *colon              = strrchr(addr, ':');
	size_t len = colon != NULL ? (size_t) (colon - addr) : 0;
	int v6     = len > 2 && addr[0] == '[' && addr[len - 1] == ']';
	struct in6_addr a6;
	char host[256];

	if (colon == NULL || len == 0 || len >= sizeof(host)
	    || !port_ok(colon + 1)) {
		return -1;
	}
	len -= 2 * (size_t) v6;
	memcpy(host, addr + v6, len);
	host[len] = 0;
	if (v6 ? inet_pton(AF_INET6, host, &a6) != 1
	       : strspn(host, name_chars) != len) {
		return -1;
	}
	*lo = loopback(host, v6);
	return 0;
}
