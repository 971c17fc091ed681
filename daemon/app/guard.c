/*
 * guard.c: the local web server's checks (guard.h).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "guard.h"

int
guard_init(struct guard *g, unsigned port, const char *extra)
{
	static const char *const lo[] = {"127.0.0.1", "localhost", "[::1]"};
	uint8_t key[32];
	size_t i;

	memset(g, 0, sizeof(*g));
	for (i = 0; i < 3; i++) {
		snprintf(g->hosts[i], GUARD_HOST_MAX, "%s:%u", lo[i], port);
	}
	g->nhosts = 3;
	if (extra != NULL) {
		if (strlen(extra) >= GUARD_HOST_MAX) {
			return -1;
		}
		snprintf(g->hosts[g->nhosts++], GUARD_HOST_MAX, "%s", extra);
	}
	randombytes_buf(key, sizeof(key));
	sodium_bin2hex(g->secret, sizeof(g->secret), key, sizeof(key));
	sodium_memzero(key, sizeof(key));
	return 0;
}

int
guard_host(const struct guard *g, const char *host, size_t len)
{
	size_t i;

	for (i = 0; host != NULL && i < g->nhosts; i++) {
		if (strlen(g->hosts[i]) == len
		    && strncasecmp(g->hosts[i], host, len) == 0) {
			return 1;
		}
	}
	return 0;
}

int
guard_origin(const struct guard *g, const char *origin, size_t len)
{
	return origin != NULL && len > 7 && memcmp(origin, "http://", 7) == 0
	    && guard_host(g, origin + 7, len - 7);
}

/* Whether the len bytes at v are the secret (constant time). */
static int
is_secret(const struct guard *g, const char *v, size_t len)
{
	return len == GUARD_SECRET_HEX
	    && sodium_memcmp(v, g->secret, GUARD_SECRET_HEX) == 0;
}

int
guard_cookie(const struct guard *g, const char *cookie, size_t len)
{
	const size_t nl = sizeof(GUARD_COOKIE) - 1;
	size_t i        = 0, e;

	while (cookie != NULL && i < len) {
		while (i < len && (cookie[i] == ' ' || cookie[i] == ';')) {
			i++;
		}
		for (e = i; e < len && cookie[e] != ';'; e++) { }
		if (e - i > nl && memcmp(cookie + i, GUARD_COOKIE, nl) == 0
		    && cookie[i + nl] == '='
		    && is_secret(g, cookie + i + nl + 1, e - i - nl - 1)) {
			return 1;
		}
		i = e;
	}
	return 0;
}

int
guard_query(const struct guard *g, const char *q, size_t len)
{
	return len > 2 && q[0] == 'k' && q[1] == '='
	    && is_secret(g, q + 2, len - 2);
}

void
guard_wipe(struct guard *g)
{
	sodium_memzero(g->secret, sizeof(g->secret));
}
