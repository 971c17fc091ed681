/*
 * fuzz_httpq.c: the HTTP API's query decoder on arbitrary bytes.  It
 * never reads past len; what it accepts is within the grammar's bounds,
 * and the canonical query made from an accepted one decodes to the same
 * values.
 */
#include <assert.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "httpq.h"

#define NPARAMS 5

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
params(struct httpq_param p[NPARAMS])
{
	static const char *const names[NPARAMS]
	    = {"start", "count", "id", "x", "period"};
	int i;

	memset(p, 0, NPARAMS * sizeof(*p));
	for (i = 0; i < NPARAMS; i++) {
		p[i].name = names[i];
		p[i].type = i == 2 ? HTTPQ_HEX32
		    : i == 4       ? HTTPQ_TEXT
		                   : HTTPQ_U64;
	}
}

/* The canonical query of what p holds. */
static size_t
canonical(char *out, size_t cap, const struct httpq_param p[NPARAMS])
{
	size_t n = 0, k;
	int i;

	for (i = 0; i < NPARAMS; i++) {
		if (!p[i].present) {
			continue;
		}
		n += (size_t) snprintf(
		    out + n, cap - n, "%s%s=", n > 0 ? "&" : "", p[i].name);
		if (p[i].type == HTTPQ_U64) {
			n += (size_t) snprintf(
			    out + n, cap - n, "%" PRIu64, p[i].u64);
			continue;
		}
		if (p[i].type == HTTPQ_TEXT) {
			n += (size_t) snprintf(out + n, cap - n, "%.*s",
			    (int) p[i].text_len, p[i].text);
			continue;
		}
		for (k = 0; k < 32; k++) {
			n += (size_t) snprintf(
			    out + n, cap - n, "%02x", p[i].hex[k]);
		}
	}
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct httpq_param p[NPARAMS], again[NPARAMS];
	char canon[512];
	size_t bad, n, i, present = 0;
	int rv;

	params(p);
	rv = httpq_parse((const char *) data, size, p, NPARAMS, &bad);
	assert(rv >= HTTPQ_OK && rv <= HTTPQ_ETEXT);
	assert(bad <= NPARAMS);
	assert(httpq_strerror(rv) != NULL);
	if (rv != HTTPQ_OK) {
		assert(size > 0);
		return 0;
	}
	assert(bad == NPARAMS && size <= HTTPQ_LEN_MAX);
	for (i = 0; i < NPARAMS; i++) {
		present += (size_t) p[i].present;
	}
	/* Every byte is ASCII from the grammar (text values allow every
	 * letter, '.' and '-'). */
	for (i = 0; i < size; i++) {
		assert(data[i] == '&' || data[i] == '=' || data[i] == '_'
		    || data[i] == '.' || data[i] == '-'
		    || (data[i] >= '0' && data[i] <= '9')
		    || (data[i] >= 'a' && data[i] <= 'z')
		    || (data[i] >= 'A' && data[i] <= 'Z'));
	}
	assert(!p[4].present
	    || (p[4].text_len >= 1 && p[4].text_len <= HTTPQ_TEXT_MAX
	        && p[4].text >= (const char *) data
	        && p[4].text + p[4].text_len <= (const char *) data + size));
	n = canonical(canon, sizeof(canon), p);
	assert(n < sizeof(canon));
	params(again);
	assert(httpq_parse(canon, n, again, NPARAMS, &bad) == HTTPQ_OK);
	for (i = 0; i < NPARAMS; i++) {
		assert(again[i].present == p[i].present);
		assert(!p[i].present || again[i].u64 == p[i].u64);
		assert(
		    !p[i].present || memcmp(again[i].hex, p[i].hex, 32) == 0);
		assert(!p[i].present || p[i].type != HTTPQ_TEXT
		    || (again[i].text_len == p[i].text_len
		        && memcmp(again[i].text, p[i].text, p[i].text_len)
		            == 0));
	}
	assert(present <= NPARAMS);
	return 0;
}
