/*
 * httpq.c: strict decoding of API query strings (grammar in httpq.h).
 */
#include <string.h>

#include "httpq.h"

#define U64_DIGITS_MAX 20u

static const char *const messages[] = {
    "No error",
    "The query string is too long",
    "The query string has too many parameters",
    "The query string is malformed",
    "The query string has a parameter this resource does not take",
    "A query parameter is given twice",
    "A query parameter is not a decimal number without sign or leading "
    "zeros",
    "A query parameter is not 64 hexadecimal digits",
    "A query parameter is not 1 to 64 letters, digits, '.', '-' or '_'",
};

const char *
httpq_strerror(int err)
{
	if (err < 0
	    || (size_t) err >= sizeof(messages) / sizeof(messages[0])) {
		return "The query string is malformed";
	}
	return messages[err];
}

static int
name_ok(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z')
		        || (s[i] >= '0' && s[i] <= '9') || s[i] == '_')) {
			return 0;
		}
	}
	return len > 0;
}

static int
u64_parse(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0, d;
	size_t i;

	if (len == 0 || len > U64_DIGITS_MAX || (len > 1 && s[0] == '0')) {
		return HTTPQ_ENUMBER;
	}
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return HTTPQ_ENUMBER;
		}
		d = (uint64_t) (s[i] - '0');
		if (v > (UINT64_MAX - d) / 10) {
			return HTTPQ_ENUMBER; /* overflow */
		}
		v = v * 10 + d;
	}
	*out = v;
	return HTTPQ_OK;
}

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	return -1;
}

static int
hex32_parse(const char *s, size_t len, uint8_t out[static 32])
{
	int hi, lo;
	size_t i;

	if (len != 64) {
		return HTTPQ_EHEX;
	}
	for (i = 0; i < 32; i++) {
		hi = hex_digit(s[2 * i]);
		lo = hex_digit(s[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			return HTTPQ_EHEX;
		}
		out[i] = (uint8_t) (hi << 4 | lo);
	}
	return HTTPQ_OK;
}

static int
text_parse(const char *s, size_t len, struct httpq_param *p)
{
	size_t i;

	if (len == 0 || len > HTTPQ_TEXT_MAX) {
		return HTTPQ_ETEXT;
	}
	for (i = 0; i < len; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z')
		        || (s[i] >= 'A' && s[i] <= 'Z')
		        || (s[i] >= '0' && s[i] <= '9') || s[i] == '.'
		        || s[i] == '-' || s[i] == '_')) {
			return HTTPQ_ETEXT;
		}
	}
	p->text     = s;
	p->text_len = len;
	return HTTPQ_OK;
}

/* One `name=value` of len bytes at s. */
static int
param(const char *s, size_t len, struct httpq_param *p, size_t n, size_t *bad)
{
	const char *eq = memchr(s, '=', len);
	size_t nlen, k;
	int rv;

	if (eq == NULL || !name_ok(s, (size_t) (eq - s))) {
		return HTTPQ_ESYNTAX;
	}
	nlen = (size_t) (eq - s);
	for (k = 0; k < n; k++) {
		if (strlen(p[k].name) == nlen
		    && memcmp(p[k].name, s, nlen) == 0) {
			break;
		}
	}
	if (k == n) {
		return HTTPQ_EUNKNOWN;
	}
	if (p[k].present) {
		rv = HTTPQ_EDUP;
	} else if (p[k].type == HTTPQ_HEX32) {
		rv = hex32_parse(eq + 1, len - nlen - 1, p[k].hex);
	} else if (p[k].type == HTTPQ_TEXT) {
		rv = text_parse(eq + 1, len - nlen - 1, &p[k]);
	} else {
		rv = u64_parse(eq + 1, len - nlen - 1, &p[k].u64);
	}
	p[k].present = p[k].present || rv == HTTPQ_OK;
	*bad         = rv != HTTPQ_OK ? k : n;
	return rv;
}

int
httpq_parse(
    const char *q, size_t len, struct httpq_param *p, size_t n, size_t *bad)
{
	const char *end = q + len, *amp;
	size_t k, count = 0;
	int rv;

	*bad = n;
	for (k = 0; k < n; k++) {
		p[k].present = 0;
	}
	if (len > HTTPQ_LEN_MAX) {
		return HTTPQ_ETOOLONG;
	}
	/* Each '&' separates two parameters: an empty one (a leading,
	 * trailing or doubled '&') is malformed. */
	for (; len > 0; q = amp + 1) {
		if (++count > HTTPQ_PARAMS_MAX) {
			return HTTPQ_ETOOMANY;
		}
		if ((amp = memchr(q, '&', (size_t) (end - q))) == NULL) {
			amp = end;
		}
		if ((rv = param(q, (size_t) (amp - q), p, n, bad))
		    != HTTPQ_OK) {
			return rv;
		}
		if (amp == end) {
			break;
		}
	}
	return HTTPQ_OK;
}
