/*
 * console_auth.h: who sees what in the office's console (docs/central.md,
 * "Console access"): sign-in by a passphrase or by a signed challenge,
 * sessions held in memory, failed sign-ins limited per cadre, and the
 * gate the console's views call.
 *
 * Grants are the signed console_access rows; passphrases are the
 * central's own argon2id hashes (console_secrets).  A session is a random
 * 32-byte id in the cookie coso_console (HttpOnly, SameSite=Strict,
 * Path=/), valid CONSOLE_SESSION_MS from sign-in and CONSOLE_IDLE_MS
 * from its last request; a restart ends every session.  A challenge is
 * good once, for CONSOLE_CHALLENGE_MS.
 *
 * Every function may be called from any thread: the tables have one
 * mutex.  Times are Unix milliseconds given by the caller (tests give
 * their own).
 */
#ifndef COSOD_CONSOLE_AUTH_H
#define COSOD_CONSOLE_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "httphead.h"
#include "log.h"
#include "store.h"

#define CONSOLE_COOKIE         "coso_console"
#define CONSOLE_SESSION_MS     (8u * 3600u * 1000u)
#define CONSOLE_IDLE_MS        (30u * 60u * 1000u)
#define CONSOLE_CHALLENGE_MS   (5u * 60u * 1000u)
#define CONSOLE_SESSIONS_MAX   1024u  /* then the least recently used goes */
#define CONSOLE_CHALLENGES_MAX 1024u  /* then the oldest goes */
#define CONSOLE_FAILS_MAX      5u     /* failed sign-ins of a cadre ... */
#define CONSOLE_FAIL_WINDOW_MS 60000u /* ... in this; then 429 */
#define CONSOLE_RATE_SLOTS     256u   /* cadres tracked at once */

struct console_auth;

/* listen: the HTTP server's HOST:PORT.  When it is a loopback address,
 * the console's requests must name it (or localhost, [::1]) in Host, so
 * that a DNS-rebound name cannot reach it. */
int console_auth_new(struct console_auth **out, const char *listen);
void console_auth_free(struct console_auth *a);

/* ---- the tables (exposed for their tests) ------------------------------- */

/* A new session of cadre at now: its id into id. */
void console_session_open(struct console_auth *a, const char *cadre,
    uint64_t now, uint8_t id[static 32]);
/* 1 and the session's cadre and end (the earlier of the absolute and the
 * idle limit, after this request) if id names a live session, which is
 * touched; 0 if none (an expired one is removed). */
int console_session_find(struct console_auth *a, const uint8_t id[static 32],
    uint64_t now, char cadre[static COSO_ID_MAX + 1], uint64_t *expires);
void console_session_close(
    struct console_auth *a, const uint8_t id[static 32]);
/* Sessions held (live or not yet found expired). */
size_t console_session_count(struct console_auth *a);

/* A new challenge (32 random bytes) at now; *expires its end. */
void console_challenge_new(struct console_auth *a, uint64_t now,
    uint8_t c[static 32], uint64_t *expires);
/* 1 if c is a challenge given and unexpired at now, which is removed: a
 * challenge is taken once, whatever the signature; 0 if not. */
int console_challenge_take(
    struct console_auth *a, const uint8_t c[static 32], uint64_t now);

/* Whether cadre has CONSOLE_FAILS_MAX failures in the window ending now
 * (*retry_s: seconds until the oldest leaves it); a failure counted;
 * the count cleared after a sign-in. */
int console_rate_blocked(struct console_auth *a, const char *cadre,
    uint64_t now, unsigned *retry_s);
void console_rate_fail(
    struct console_auth *a, const char *cadre, uint64_t now);
void console_rate_clear(struct console_auth *a, const char *cadre);

/* The session id of the Cookie header's coso_console, 1 if there is a
 * well-formed one.  Pure. */
int console_cookie_id(const char *cookie, size_t len, uint8_t id[static 32]);

/* ---- requests ----------------------------------------------------------- */

/* Who a request's session is and what it may see. */
struct console_who {
	char cadre[COSO_ID_MAX + 1];
	int role;                   /* enum coso_console_role */
	char unit[COSO_ID_MAX + 1]; /* "" none: whole province or sector */
	char sector[COSO_ID_MAX + 1];
	uint64_t expires;
};

/*
 * The gate of the console's views, on a worker (s its read handle): 0
 * and *who when the request carries a live session whose cadre's grant
 * is neither ended nor past its last day (office: unit and sector
 * empty, the whole province; leader: its unit's subtree or its sector);
 * 401 without a live session; 403 when the grant has ended (the session
 * is then closed); 500 if the database cannot be read (logged).
 */
int console_scope_of(struct console_auth *a, struct central_store *s,
    const struct clog *log, const struct httphead *h, uint64_t now,
    struct console_who *who);

/* An answer of the console's API: status, JSON body (owned), a
 * Set-Cookie value ("" none), Retry-After seconds (0 none). */
struct console_answer {
	uint16_t status;
	json_t *json;
	char cookie[160];
	unsigned retry_after;
};

/* GET /console/api/challenge, POST /console/api/login and
 * /console/api/logout, GET /console/api/session.  body: the request's
 * (login: wiped here once read). */
void console_api_challenge(struct console_auth *a, const struct httphead *h,
    uint64_t now, struct console_answer *out);
void console_api_login(struct console_auth *a, struct central_store *s,
    const struct clog *log, const struct httphead *h, uint8_t *body,
    size_t len, uint64_t now, struct console_answer *out);
void console_api_logout(struct console_auth *a, const struct httphead *h,
    struct console_answer *out);
void console_api_session(struct console_auth *a, struct central_store *s,
    const struct clog *log, const struct httphead *h, uint64_t now,
    struct console_answer *out);

#endif /* COSOD_CONSOLE_AUTH_H */
