/*
 * httphead.c: an HTTP/1.x request head (httphead.h).
 *
 * The head is taken line by line; each complete line is checked at once.
 * Only the end of the head (an empty line) makes it a request, and only
 * then is a missing Host refused, so that a prefix of a good head is
 * always HTTPHEAD_MORE.
 */
#include <string.h>
#include <strings.h>

#include "httphead.h"

/* A line: its bytes without the line end. */
struct line {
	const char *p;
	size_t len;
};

/* RFC 9110 5.6.2: tchar. */
static int
tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')
	    || (c >= 'A' && c <= 'Z')
	    || (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int
token(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (!tchar((unsigned char) p[i])) {
			return 0;
		}
	}
	return len > 0;
}

/* The next line at buf[*off..len): 1 with it, *off past its end; 0 if
 * it has not ended yet; -1 if it holds a CR that does not end it. */
static int
next_line(const char *buf, size_t len, size_t *off, struct line *l)
{
	const char *nl = memchr(buf + *off, '\n', len - *off);
	const char *cr;

	if (nl == NULL) {
		return 0;
	}
	l->p   = buf + *off;
	l->len = (size_t) (nl - l->p);
	if (l->len > 0 && l->p[l->len - 1] == '\r') {
		l->len--;
	}
	*off = (size_t) (nl - buf) + 1;
	cr   = memchr(l->p, '\r', l->len);
	return cr == NULL ? 1 : -1;
}

/* METHOD SP TARGET SP HTTP/D.D */
static int
request_line(struct httphead *h, const struct line *l)
{
	const char *sp1 = memchr(l->p, ' ', l->len), *sp2, *v;
	size_t i;

	if (sp1 == NULL || !token(l->p, (size_t) (sp1 - l->p))) {
		return HTTPHEAD_BAD;
	}
	h->method     = l->p;
	h->method_len = (size_t) (sp1 - l->p);
	h->target     = sp1 + 1;
	sp2           = memchr(h->target, ' ', l->len - h->method_len - 1);
	if (sp2 == NULL || sp2 == h->target) {
		return HTTPHEAD_BAD;
	}
	h->target_len = (size_t) (sp2 - h->target);
	for (i = 0; i < h->target_len; i++) {
		if (h->target[i] <= 0x20 || h->target[i] >= 0x7f) {
			return HTTPHEAD_BAD;
		}
	}
	v = sp2 + 1;
	if ((size_t) (l->p + l->len - v) != 8 || memcmp(v, "HTTP/", 5) != 0
	    || v[5] < '0' || v[5] > '9' || v[6] != '.' || v[7] < '0'
	    || v[7] > '9') {
		return HTTPHEAD_BAD;
	}
	if (v[5] != '1') {
		return HTTPHEAD_VERSION;
	}
	h->minor = (unsigned) (v[7] - '0');
	h->close = h->minor == 0;
	return HTTPHEAD_OK;
}

/* Whether the comma-separated list v holds the token "close". */
static int
has_close(const char *v, size_t len)
{
	size_t i = 0, s, e;

	while (i < len) {
		for (s = i; s < len && (v[s] == ' ' || v[s] == '\t'); s++) { }
		for (e = s; e < len && v[e] != ','; e++) { }
		i = e + 1;
		while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t')) {
			e--;
		}
		if (e - s == 5 && strncasecmp(v + s, "close", 5) == 0) {
			return 1;
		}
	}
	return 0;
}

static int
is_name(const struct line *l, size_t nlen, const char *name)
{
	return nlen == strlen(name) && strncasecmp(l->p, name, nlen) == 0;
}

/* Content-Length: digits only; saturates at UINT64_MAX. */
static int
content_length(struct httphead *h, const char *v, size_t vlen)
{
	size_t i;

	if (vlen == 0 || h->has_length++) {
		return HTTPHEAD_BAD; /* empty, or a second one */
	}
	for (i = 0; i < vlen; i++) {
		if (v[i] < '0' || v[i] > '9') {
			return HTTPHEAD_BAD;
		}
		h->has_body |= v[i] != '0';
		h->length = h->length > (UINT64_MAX - 9) / 10
		    ? UINT64_MAX
		    : h->length * 10 + (uint64_t) (v[i] - '0');
	}
	return HTTPHEAD_OK;
}

/* Keeps a field's value in *p, refusing a second one. */
static int
keep(const char **p, size_t *plen, const char *v, size_t vlen)
{
	if (*p != NULL) {
		return HTTPHEAD_BAD;
	}
	*p    = v;
	*plen = vlen;
	return HTTPHEAD_OK;
}

/* What the API needs of one field (name: value). */
static int
field_take(struct httphead *h, const struct line *l, size_t nlen,
    const char *v, size_t vlen)
{
	if (is_name(l, nlen, "host")) {
		h->has_host++;
		return keep(&h->host, &h->host_len, v, vlen);
	} else if (is_name(l, nlen, "authorization")) {
		return keep(&h->auth, &h->auth_len, v, vlen);
	} else if (is_name(l, nlen, "origin")) {
		return keep(&h->origin, &h->origin_len, v, vlen);
	} else if (is_name(l, nlen, "cookie")) {
		return keep(&h->cookie, &h->cookie_len, v, vlen);
	} else if (is_name(l, nlen, "content-type")) {
		return keep(&h->ctype, &h->ctype_len, v, vlen);
	} else if (is_name(l, nlen, "content-length")) {
		return content_length(h, v, vlen);
	} else if (is_name(l, nlen, "transfer-encoding")) {
		h->has_body = 1;
		h->chunked  = 1;
	} else if (is_name(l, nlen, "connection")) {
		h->close |= has_close(v, vlen);
	}
	return HTTPHEAD_OK;
}

/* NAME ":" OWS VALUE OWS */
static int
field_line(struct httphead *h, const struct line *l)
{
	const char *colon = memchr(l->p, ':', l->len);
	const char *v, *end = l->p + l->len;
	size_t i, nlen;

	if (colon == NULL || !token(l->p, (size_t) (colon - l->p))) {
		return HTTPHEAD_BAD; /* folded lines start with a blank */
	}
	nlen = (size_t) (colon - l->p);
	for (v = colon + 1; v < end && (*v == ' ' || *v == '\t'); v++) { }
	while (end > v && (end[-1] == ' ' || end[-1] == '\t')) {
		end--;
	}
	for (i = 0; i < (size_t) (end - v); i++) {
		unsigned char c = (unsigned char) v[i];

		if (c < 0x20 && c != '\t') {
			return HTTPHEAD_BAD;
		}
		if (c == 0x7f) {
			return HTTPHEAD_BAD;
		}
	}
	return field_take(h, l, nlen, v, (size_t) (end - v));
}

int
httphead_parse(struct httphead *out, const char *buf, size_t len, size_t *used)
{
	struct httphead h;
	struct line l;
	size_t off = 0, fields = 0;
	int rv, got, first = 1;

	memset(&h, 0, sizeof(h));
	if (len > HTTPHEAD_MAX) {
		len = HTTPHEAD_MAX;
	}
	while ((got = next_line(buf, len, &off, &l)) == 1) {
		if (first && l.len == 0 && off <= 4) {
			continue; /* RFC 9112 2.2: an empty line or two first
			           */
		}
		if (first) {
			rv    = request_line(&h, &l);
			first = 0;
		} else if (l.len == 0) {
			if (h.minor > 0 && !h.has_host) {
				return HTTPHEAD_BAD;
			}
			*out  = h;
			*used = off;
			return HTTPHEAD_OK;
		} else if (++fields > HTTPHEAD_FIELDS_MAX) {
			rv = HTTPHEAD_TOOBIG;
		} else {
			rv = field_line(&h, &l);
		}
		if (rv != HTTPHEAD_OK) {
			return rv;
		}
	}
	if (got < 0 || memchr(buf + off, '\0', len - off) != NULL) {
		return HTTPHEAD_BAD;
	}
	return len == HTTPHEAD_MAX ? HTTPHEAD_TOOBIG : HTTPHEAD_MORE;
}

int
httphead_method_is(const struct httphead *h, const char *m)
{
	return h->method_len == strlen(m)
	    && memcmp(h->method, m, h->method_len) == 0;
}
