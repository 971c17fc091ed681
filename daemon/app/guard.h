/*
 * guard.h: the local web server's checks (docs/app.md, "Safety of a
 * local web server"), pure: the Host a request names, the Origin of a
 * write, the per-launch secret in the cookie or the printed URL.  No
 * allocation, no I/O; any thread.
 */
#ifndef COSOD_APP_GUARD_H
#define COSOD_APP_GUARD_H

#include <stddef.h>
#include <stdint.h>

#define GUARD_HOSTS_MAX  4
#define GUARD_HOST_MAX   300
#define GUARD_COOKIE     "coso_k"
#define GUARD_SECRET_HEX 64 /* 32 bytes */

struct guard {
	char hosts[GUARD_HOSTS_MAX][GUARD_HOST_MAX]; /* "127.0.0.1:7470" */
	size_t nhosts;
	char secret[GUARD_SECRET_HEX + 1];
};

/*
 * Sets g for a server on port: 127.0.0.1:PORT, localhost:PORT,
 * [::1]:PORT, and extra (the --ui address as given, or NULL); the secret
 * is 32 random bytes in hex.  0, or -1 if extra is too long.
 */
int guard_init(struct guard *g, unsigned port, const char *extra);

/* Whether a Host header value (len bytes) is one of g's hosts. */
int guard_host(const struct guard *g, const char *host, size_t len);

/* Whether an Origin header value is "http://" and one of g's hosts. */
int guard_origin(const struct guard *g, const char *origin, size_t len);

/* Whether a Cookie header value holds coso_k=SECRET, compared in
 * constant time. */
int guard_cookie(const struct guard *g, const char *cookie, size_t len);

/* Whether a query (after '?') is exactly k=SECRET. */
int guard_query(const struct guard *g, const char *q, size_t len);

/* Wipes the secret. */
void guard_wipe(struct guard *g);

#endif /* COSOD_APP_GUARD_H */
