/*
 * fuzz_httphead.c: the HTTP request head decoder on arbitrary bytes.  It
 * never reads past len; a head it takes lies within its bytes and the
 * limits, its method is a token and its target visible ASCII; the same
 * head alone decodes the same, and every shorter prefix of it asks for
 * more (what the connection layer relies on to wait).
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "httphead.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
within(const char *p, size_t len, const char *buf, size_t used)
{
	assert(p >= buf && len <= used && p + len <= buf + used);
}

static void
check_taken(const struct httphead *h, const char *buf, size_t used)
{
	size_t i;

	assert(used >= 4 && used <= HTTPHEAD_MAX);
	assert(buf[used - 1] == '\n');
	within(h->method, h->method_len, buf, used);
	within(h->target, h->target_len, buf, used);
	assert(h->method_len > 0 && h->target_len > 0 && h->minor <= 9);
	for (i = 0; i < h->target_len; i++) {
		assert(h->target[i] > 0x20 && h->target[i] < 0x7f);
	}
	for (i = 0; i < h->method_len; i++) {
		assert(h->method[i] > 0x20 && h->method[i] < 0x7f
		    && h->method[i] != ':' && h->method[i] != '/');
	}
	if (h->auth != NULL) {
		within(h->auth, h->auth_len, buf, used);
	}
	assert(h->minor == 0 || h->has_host);
	assert(h->minor != 0 || h->close);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *) data;
	struct httphead h, again;
	size_t used = 0, used2 = 0;
	int rv = httphead_parse(&h, buf, size, &used);

	assert(rv >= HTTPHEAD_OK && rv <= HTTPHEAD_VERSION);
	if (rv == HTTPHEAD_MORE) {
		assert(size < HTTPHEAD_MAX);
	}
	if (rv != HTTPHEAD_OK) {
		return 0;
	}
	assert(used <= size);
	check_taken(&h, buf, used);
	assert(httphead_parse(&again, buf, used, &used2) == HTTPHEAD_OK);
	assert(used2 == used && again.target == h.target
	    && again.target_len == h.target_len && again.auth == h.auth
	    && again.has_body == h.has_body && again.close == h.close);
	assert(httphead_parse(&again, buf, used - 1, &used2) == HTTPHEAD_MORE);
	assert(httphead_parse(&again, buf, used / 2, &used2) == HTTPHEAD_MORE);
	return 0;
}
