/*
 * httphead.h: the head of an HTTP/1.x request (RFC 9112, sections 2 to
 * 5), decoded strictly for the central's API (docs/central.md, "HTTP
 * API").  Pure: no allocation, no I/O; tests/unit/test_httphead.c and
 * tests/fuzz/fuzz_httphead.c.
 *
 * Lines end in CRLF or a bare LF; empty lines before the request line
 * are skipped.  The request line is METHOD SP TARGET SP HTTP/1.D, with a
 * token for a method and visible ASCII for a target; a field line is a
 * token, ':', optional blanks, visible ASCII, obs-text, spaces and tabs.
 * Folded lines, blanks before a colon, bare CRs, control bytes, a second
 * Host or Authorization and a Content-Length that is not a number are
 * refused.  HTTP/1.1 needs Host.
 */
#ifndef COSOD_HTTPHEAD_H
#define COSOD_HTTPHEAD_H

#include <stddef.h>
#include <stdint.h>

#define HTTPHEAD_MAX        8192u /* bytes of a head, its blank line too */
#define HTTPHEAD_FIELDS_MAX 64u

enum httphead_rv {
	HTTPHEAD_OK     = 0,  /* a head: *used bytes */
	HTTPHEAD_MORE   = 1,  /* no end yet, and nothing wrong so far */
	HTTPHEAD_BAD    = 2,  /* not a request head: 400 */
	HTTPHEAD_TOOBIG = 3,  /* no end in HTTPHEAD_MAX bytes, or too many
	                         fields: 431 */
	HTTPHEAD_VERSION = 4, /* HTTP/2 and others: 505 */
};

/* What the API needs of a head; text points into the parsed buffer and
 * is not NUL-terminated.  A field given twice of Host, Authorization,
 * Origin, Cookie, Content-Type and Content-Length is refused. */
struct httphead {
	const char *method, *target, *auth; /* auth NULL if none */
	size_t method_len, target_len, auth_len;
	const char *host, *origin, *cookie, *ctype; /* NULL if none */
	size_t host_len, origin_len, cookie_len, ctype_len;
	unsigned minor; /* HTTP/1.minor */
	int has_host;
	int has_body;    /* a Content-Length but 0, or a Transfer-Encoding */
	int chunked;     /* a Transfer-Encoding: the body's length unknown */
	int has_length;  /* a Content-Length */
	uint64_t length; /* its value; UINT64_MAX if beyond it */
	int close;       /* Connection: close, or HTTP/1.0 */
};

/*
 * Decodes the head at the start of buf, of which len bytes have arrived
 * (len may go beyond the head: the next request).  HTTPHEAD_OK fills *h
 * and *used (the head's bytes, its blank line included); *h and *used
 * are not touched otherwise.  Complete lines are checked as they come,
 * so that bytes that cannot be a request are refused before the end.
 */
int httphead_parse(
    struct httphead *h, const char *buf, size_t len, size_t *used);

/* Whether the head's method is m (case-sensitive, as methods are). */
int httphead_method_is(const struct httphead *h, const char *m);

#endif /* COSOD_HTTPHEAD_H */
