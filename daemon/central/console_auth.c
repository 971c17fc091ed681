/*
 * console_auth.c: the console's sign-in, sessions and gate
 * (console_auth.h).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include <coso/common.h>

#include "console_auth.h"
#include "console_login.h"
#include "httpd.h"

#define HOSTS_MAX  4
#define HOST_MAX   300
#define WRONG_PASS "wrong passphrase" /* the one failure counted */

struct session {
	uint8_t id[32];
	char cadre[COSO_ID_MAX + 1];
	uint64_t created, last; /* 0: a free slot */
};

struct challenge {
	uint8_t c[32];
	uint64_t given, expires; /* expires 0: a free slot */
};

struct rate {
	char cadre[COSO_ID_MAX + 1];
	uint64_t t[CONSOLE_FAILS_MAX]; /* failures, a ring */
	unsigned n, next;
	uint64_t last; /* 0: a free slot */
};

struct console_auth {
	pthread_mutex_t mu;
	struct session *sessions;
	struct challenge *challenges;
	struct rate *rates;
	char hosts[HOSTS_MAX][HOST_MAX]; /* Host values allowed; none: any */
	size_t nhosts;
};

/* ---- the tables ----------------------------------------------------------
 */

/* The Host values of a loopback listen address: itself, 127.0.0.1,
 * localhost and [::1] with its port. */
static void
hosts_of(struct console_auth *a, const char *listen)
{
	static const char *const lo[] = {"127.0.0.1", "localhost", "[::1]"};
	const char *port              = strrchr(listen, ':');
	int loopback                  = 0;
	size_t i;

	if (port == NULL || httpd_addr_check(listen, &loopback) != 0
	    || !loopback) {
		return;
	}
	snprintf(a->hosts[a->nhosts++], HOST_MAX, "%s", listen);
	for (i = 0; i < 3; i++) {
		snprintf(a->hosts[a->nhosts++], HOST_MAX, "%s%s", lo[i], port);
	}
}

int
console_auth_new(struct console_auth **out, const char *listen)
{
	struct console_auth *a = calloc(1, sizeof(*a));

	if (a == NULL
	    || (a->sessions
	           = calloc(CONSOLE_SESSIONS_MAX, sizeof(*a->sessions)))
	        == NULL
	    || (a->challenges
	           = calloc(CONSOLE_CHALLENGES_MAX, sizeof(*a->challenges)))
	        == NULL
	    || (a->rates = calloc(CONSOLE_RATE_SLOTS, sizeof(*a->rates)))
	        == NULL) {
		if (a != NULL) {
			free(a->sessions);
			free(a->challenges);
		}
		free(a);
		return COSO_ENOMEM;
	}
	pthread_mutex_init(&a->mu, NULL);
	if (listen != NULL) {
		hosts_of(a, listen);
	}
	*out = a;
	return COSO_OK;
}

void
console_auth_free(struct console_auth *a)
{
	if (a == NULL) {
		return;
	}
	sodium_memzero(
	    a->sessions, CONSOLE_SESSIONS_MAX * sizeof(*a->sessions));
	free(a->sessions);
	free(a->challenges);
	free(a->rates);
	pthread_mutex_destroy(&a->mu);
	free(a);
}

static int
session_live(const struct session *s, uint64_t now)
{
	return s->last != 0 && now < s->created + CONSOLE_SESSION_MS
	    && now < s->last + CONSOLE_IDLE_MS && now >= s->created;
}

static uint64_t
session_end(const struct session *s)
{
	uint64_t abs  = s->created + CONSOLE_SESSION_MS;
	uint64_t idle = s->last + CONSOLE_IDLE_MS;

	return abs < idle ? abs : idle;
}

void
console_session_open(struct console_auth *a, const char *cadre, uint64_t now,
    uint8_t id[static 32])
{
	struct session *s, *pick = NULL;
	size_t i;

	randombytes_buf(id, 32);
	pthread_mutex_lock(&a->mu);
	for (i = 0; i < CONSOLE_SESSIONS_MAX; i++) {
		s = &a->sessions[i];
		if (!session_live(s, now)) {
			pick = s; /* free or expired */
			break;
		}
		if (pick == NULL || s->last < pick->last) {
			pick = s; /* else the least recently used */
		}
	}
	memcpy(pick->id, id, 32);
	snprintf(pick->cadre, sizeof(pick->cadre), "%s", cadre);
	pick->created = now;
	pick->last    = now;
	pthread_mutex_unlock(&a->mu);
}

int
console_session_find(struct console_auth *a, const uint8_t id[static 32],
    uint64_t now, char cadre[static COSO_ID_MAX + 1], uint64_t *expires)
{
	struct session *s;
	size_t i;
	int found = 0;

	pthread_mutex_lock(&a->mu);
	for (i = 0; i < CONSOLE_SESSIONS_MAX && !found; i++) {
		s = &a->sessions[i];
		if (s->last == 0 || sodium_memcmp(s->id, id, 32) != 0) {
			continue;
		}
		if (session_live(s, now)) {
			s->last = now;
			memcpy(cadre, s->cadre, sizeof(s->cadre));
			*expires = session_end(s);
			found    = 1;
		} else {
			sodium_memzero(s, sizeof(*s));
			break;
		}
	}
	pthread_mutex_unlock(&a->mu);
	return found;
}

void
console_session_close(struct console_auth *a, const uint8_t id[static 32])
{
	size_t i;

	pthread_mutex_lock(&a->mu);
	for (i = 0; i < CONSOLE_SESSIONS_MAX; i++) {
		if (a->sessions[i].last != 0
		    && sodium_memcmp(a->sessions[i].id, id, 32) == 0) {
			sodium_memzero(
			    &a->sessions[i], sizeof(a->sessions[i]));
		}
	}
	pthread_mutex_unlock(&a->mu);
}

size_t
console_session_count(struct console_auth *a)
{
	size_t i, n = 0;

	pthread_mutex_lock(&a->mu);
	for (i = 0; i < CONSOLE_SESSIONS_MAX; i++) {
		n += a->sessions[i].last != 0;
	}
	pthread_mutex_unlock(&a->mu);
	return n;
}

void
console_challenge_new(struct console_auth *a, uint64_t now,
    uint8_t c[static 32], uint64_t *expires)
{
	struct challenge *k, *pick = NULL;
	size_t i;

	randombytes_buf(c, 32);
	pthread_mutex_lock(&a->mu);
	for (i = 0; i < CONSOLE_CHALLENGES_MAX; i++) {
		k = &a->challenges[i];
		if (k->expires <= now) {
			pick = k; /* free or expired */
			break;
		}
		if (pick == NULL || k->given < pick->given) {
			pick = k; /* else the oldest */
		}
	}
	memcpy(pick->c, c, 32);
	pick->given   = now;
	pick->expires = now + CONSOLE_CHALLENGE_MS;
	*expires      = pick->expires;
	pthread_mutex_unlock(&a->mu);
}

int
console_challenge_take(
    struct console_auth *a, const uint8_t c[static 32], uint64_t now)
{
	struct challenge *k;
	size_t i;
	int ok = 0;

	pthread_mutex_lock(&a->mu);
	for (i = 0; i < CONSOLE_CHALLENGES_MAX; i++) {
		k = &a->challenges[i];
		if (k->expires != 0 && sodium_memcmp(k->c, c, 32) == 0) {
			ok = now < k->expires && now >= k->given;
			memset(k, 0, sizeof(*k));
			break;
		}
	}
	pthread_mutex_unlock(&a->mu);
	return ok;
}

/* The cadre's slot, or NULL; with make, a free or the stalest one. */
static struct rate *
rate_of(struct console_auth *a, const char *cadre, int make)
{
	struct rate *r, *pick = NULL;
	size_t i;

	for (i = 0; i < CONSOLE_RATE_SLOTS; i++) {
		r = &a->rates[i];
		if (r->last != 0 && strcmp(r->cadre, cadre) == 0) {
			return r;
		}
		if (pick == NULL || r->last < pick->last) {
			pick = r;
		}
	}
	if (!make) {
		return NULL;
	}
	memset(pick, 0, sizeof(*pick));
	snprintf(pick->cadre, sizeof(pick->cadre), "%s", cadre);
	return pick;
}

int
console_rate_blocked(
    struct console_auth *a, const char *cadre, uint64_t now, unsigned *retry_s)
{
	struct rate *r;
	uint64_t oldest;
	int blocked = 0;

	pthread_mutex_lock(&a->mu);
	r = rate_of(a, cadre, 0);
	if (r != NULL && r->n >= CONSOLE_FAILS_MAX) {
		/* The ring is full: next is the oldest of the last five. */
		oldest   = r->t[r->next];
		blocked  = now < oldest + CONSOLE_FAIL_WINDOW_MS;
		*retry_s = blocked
		    ? (unsigned) ((oldest + CONSOLE_FAIL_WINDOW_MS - now + 999)
		        / 1000)
		    : 0;
	}
	pthread_mutex_unlock(&a->mu);
	return blocked;
}

void
console_rate_fail(struct console_auth *a, const char *cadre, uint64_t now)
{
	struct rate *r;

	pthread_mutex_lock(&a->mu);
	r             = rate_of(a, cadre, 1);
	r->t[r->next] = now;
	r->next       = (r->next + 1) % CONSOLE_FAILS_MAX;
	r->n          = r->n < CONSOLE_FAILS_MAX ? r->n + 1 : r->n;
	r->last       = now != 0 ? now : 1;
	pthread_mutex_unlock(&a->mu);
}

void
console_rate_clear(struct console_auth *a, const char *cadre)
{
	struct rate *r;

	pthread_mutex_lock(&a->mu);
	if ((r = rate_of(a, cadre, 0)) != NULL) {
		memset(r, 0, sizeof(*r));
	}
	pthread_mutex_unlock(&a->mu);
}

int
console_cookie_id(const char *cookie, size_t len, uint8_t id[static 32])
{
	static const char name[] = CONSOLE_COOKIE "=";
	const size_t nl          = sizeof(name) - 1;
	size_t i                 = 0, end, got;

	while (cookie != NULL && i < len) {
		while (i < len && (cookie[i] == ' ' || cookie[i] == ';')) {
			i++;
		}
		for (end = i; end < len && cookie[end] != ';'; end++) { }
		if (end - i == nl + 64 && memcmp(cookie + i, name, nl) == 0) {
			return sodium_hex2bin(id, 32, cookie + i + nl, 64,
			           NULL, &got, NULL)
			    == 0
			    && got == 32;
		}
		i = end;
	}
	return 0;
}

/* ---- requests ------------------------------------------------------------
 */

static void
answer(struct console_answer *out, uint16_t status, const char *msg)
{
	out->status = status;
	out->json   = json_pack("{s:s}", "error", msg);
}

/* Whether Host is one the console answers to (any, unless it listens on
 * loopback). */
static int
host_ok(const struct console_auth *a, const struct httphead *h)
{
	size_t i;

	if (h->host == NULL) {
		return 0;
	}
	for (i = 0; i < a->nhosts; i++) {
		if (strlen(a->hosts[i]) == h->host_len
		    && strncasecmp(a->hosts[i], h->host, h->host_len) == 0) {
			return 1;
		}
	}
	return a->nhosts == 0;
}

/* A POST comes from the console's own pages: Origin is http:// or
 * https:// and the Host the request was sent to. */
static int
origin_ok(const struct httphead *h)
{
	size_t skip;

	if (h->origin == NULL || h->host == NULL) {
		return 0;
	}
	skip = h->origin_len > 7 && strncmp(h->origin, "http://", 7) == 0 ? 7
	    : h->origin_len > 8 && strncmp(h->origin, "https://", 8) == 0 ? 8
	                                                                  : 0;
	return skip != 0 && h->origin_len - skip == h->host_len
	    && strncasecmp(h->origin + skip, h->host, h->host_len) == 0;
}

/* The Host and, for a POST, Origin checks; 0 or the answer given. */
static int
guard(const struct console_auth *a, const struct httphead *h, int post,
    struct console_answer *out)
{
	if (!host_ok(a, h)) {
		answer(out, 421, "The Host header does not name this server.");
		return -1;
	}
	if (post && !origin_ok(h)) {
		answer(out, 403,
		    "The request does not come from the console's own "
		    "pages (Origin).");
		return -1;
	}
	return 0;
}

static const char *
role_name(int role)
{
	return role == COSO_CONSOLE_OFFICE ? "office" : "leader";
}

/* Whether a grant lets its cadre in on day today. */
static int
grant_live(const struct cstore_console *c, int32_t today)
{
	return !c->ended
	    && (c->role == COSO_CONSOLE_OFFICE
	        || c->role == COSO_CONSOLE_LEADER)
	    && (c->valid_to == 0 || c->valid_to >= today);
}

/* The grant of cadre: 0 live (*c filled, caller clears), 403 none or
 * ended, 500 unreadable. */
static int
grant_of(struct central_store *s, const struct clog *log, const char *cadre,
    uint64_t now, struct cstore_console *c)
{
	int rv = cstore_console_get(s, cadre, c);

	if (rv == COSO_ENOENT) {
		return 403;
	}
	if (rv != COSO_OK) {
		clog_error(log, "console: cannot read the grants: %s",
		    rv == COSO_EIO ? cstore_errmsg(s) : coso_strerror(rv));
		return 500;
	}
	if (!grant_live(c, coso_date_of_ms(now))) {
		cstore_console_clear(c);
		return 403;
	}
	return 0;
}

static void
who_of(
    const struct cstore_console *c, uint64_t expires, struct console_who *who)
{
	memset(who, 0, sizeof(*who));
	memcpy(who->cadre, c->cadre_id, sizeof(who->cadre));
	who->role = c->role;
	if (c->role == COSO_CONSOLE_LEADER) {
		memcpy(who->unit, c->unit, sizeof(who->unit));
		memcpy(who->sector, c->sector, sizeof(who->sector));
	}
	who->expires = expires;
}

static json_t *
session_json(const struct console_who *w, const char *name)
{
	return json_pack("{s:s,s:s?,s:s,s:s?,s:s?,s:I}", "cadre", w->cadre,
	    "name", name, "role", role_name(w->role), "unit",
	    w->unit[0] ? w->unit : NULL, "sector",
	    w->sector[0] ? w->sector : NULL, "expires",
	    (json_int_t) w->expires);
}

int
console_scope_of(struct console_auth *a, struct central_store *s,
    const struct clog *log, const struct httphead *h, uint64_t now,
    struct console_who *who)
{
	struct cstore_console c;
	char cadre[COSO_ID_MAX + 1];
	uint8_t id[32];
	uint64_t expires;
	int st;

	if (!console_cookie_id(h->cookie, h->cookie_len, id)
	    || !console_session_find(a, id, now, cadre, &expires)) {
		return 401;
	}
	if ((st = grant_of(s, log, cadre, now, &c)) == 403) {
		console_session_close(a, id);
	}
	if (st == 0) {
		who_of(&c, expires, who);
		cstore_console_clear(&c);
	}
	return st;
}

void
console_api_challenge(struct console_auth *a, const struct httphead *h,
    uint64_t now, struct console_answer *out)
{
	char hex[65];
	uint8_t c[32];
	uint64_t expires;

	if (guard(a, h, 0, out) != 0) {
		return;
	}
	console_challenge_new(a, now, c, &expires);
	sodium_bin2hex(hex, sizeof(hex), c, 32);
	out->status = 200;
	out->json   = json_pack(
	      "{s:s,s:I}", "challenge", hex, "expires", (json_int_t) expires);
}

/* Checks a signed challenge: taken once; the key a live device key of
 * the cadre; the signature over coso_console_message with the request's
 * own Origin.  0 or the reason words for the log and *msg. */
static const char *
signed_ok(struct console_auth *a, struct central_store *s,
    const struct httphead *h, const struct console_login *in, uint64_t now,
    const char **msg)
{
	uint8_t c[32], m[COSO_CONSOLE_MSG_MAX], kid[32];
	struct cstore_author au;
	size_t got = 0, mlen = 0;

	if (sodium_hex2bin(c, 32, in->challenge, 64, NULL, &got, NULL) != 0
	    || !console_challenge_take(a, c, now)) {
		*msg = "The challenge is unknown, used or expired; ask for a "
		       "new one.";
		return "challenge unknown, used or expired";
	}
	coso_keyid_of(kid, in->pk);
	if (cstore_author_get(s, kid, &au) != COSO_OK
	    || strcmp(au.cadre_id, in->cadre) != 0 || au.revoked >= 0) {
		return "key not a live key of the cadre";
	}
	if (coso_console_message(m, &mlen, h->origin, h->origin_len,
	        in->challenge, strlen(in->challenge))
	        != COSO_OK
	    || crypto_sign_verify_detached(in->sig, m, mlen, in->pk) != 0) {
		return "bad signature";
	}
	return NULL;
}

/* Checks the credential; NULL if good, else the reason for the log. */
static const char *
credential_ok(struct console_auth *a, struct central_store *s,
    const struct httphead *h, const struct console_login *in, uint64_t now,
    const char **msg, int *io)
{
	char hash[CSTORE_CONSOLE_HASH_MAX];
	int rv;

	*io = 0;
	if (in->pass == NULL) {
		return signed_ok(a, s, h, in, now, msg);
	}
	if ((rv = cstore_console_secret(s, in->cadre, hash)) == COSO_ENOENT) {
		return "no passphrase set";
	}
	if (rv != COSO_OK) {
		*io = 1;
		return "cannot read the passphrases";
	}
	return crypto_pwhash_str_verify(hash, in->pass, in->pass_len) == 0
	    ? NULL
	    : WRONG_PASS;
}

/* A good credential: the grant checked, a session opened. */
static void
signed_in(struct console_auth *a, struct central_store *s,
    const struct clog *log, const char *cadre, uint64_t now,
    struct console_answer *out)
{
	struct cstore_console c;
	struct console_who who;
	char hex[65];
	uint8_t id[32];
	int st = grant_of(s, log, cadre, now, &c);

	if (st != 0) {
		clog_info(log,
		    "console: cadre %s signed in but has no live "
		    "grant",
		    cadre);
		answer(out, (uint16_t) st,
		    st == 403 ? "This cadre's access to the console has ended "
		                "or was never granted."
		              : "The database could not be read.");
		return;
	}
	console_rate_clear(a, cadre);
	console_session_open(a, cadre, now, id);
	who_of(&c, now + CONSOLE_IDLE_MS, &who);
	sodium_bin2hex(hex, sizeof(hex), id, 32);
	snprintf(out->cookie, sizeof(out->cookie),
	    "%s=%s; HttpOnly; SameSite=Strict; Path=/", CONSOLE_COOKIE, hex);
	sodium_memzero(hex, sizeof(hex));
	sodium_memzero(id, sizeof(id));
	out->status = 200;
	out->json   = session_json(&who, c.name);
	clog_info(log, "console: cadre %s signed in", cadre);
	cstore_console_clear(&c);
}

void
console_api_login(struct console_auth *a, struct central_store *s,
    const struct clog *log, const struct httphead *h, uint8_t *body,
    size_t len, uint64_t now, struct console_answer *out)
{
	struct console_login in;
	const char *why,
	    *msg = "Sign-in failed: the cadre, the passphrase "
	           "or the signature is wrong.";
	int io   = 0;

	if (guard(a, h, 1, out) != 0) {
		return;
	}
	if (console_login_parse(body, len, &in, &why) != COSO_OK) {
		if (body != NULL) {
			sodium_memzero(body, len);
		}
		answer(out, 400, why);
		return;
	}
	sodium_memzero(body, len);
	if (console_rate_blocked(a, in.cadre, now, &out->retry_after)) {
		clog_info(log,
		    "console: sign-in of cadre %s refused: too many "
		    "failures",
		    in.cadre);
		answer(out, 429,
		    "Too many failed sign-ins for this cadre; wait a minute.");
	} else if ((why = credential_ok(a, s, h, &in, now, &msg, &io)) != 0) {
		if (io) {
			clog_error(
			    log, "console: %s: %s", why, cstore_errmsg(s));
			answer(out, 500, "The database could not be read.");
		} else {
			/* Only a passphrase can be guessed: a made-up cadre, a
			 * cadre without one, or a signature cannot, and must
			 * not take the slots of those that can. */
			if (in.pass != NULL && strcmp(why, WRONG_PASS) == 0) {
				console_rate_fail(a, in.cadre, now);
			}
			clog_info(log,
			    "console: sign-in of cadre %s refused: %s",
			    in.cadre, why);
			answer(out, 401, msg);
		}
	} else {
		signed_in(a, s, log, in.cadre, now, out);
	}
	console_login_clear(&in);
}

void
console_api_logout(struct console_auth *a, const struct httphead *h,
    struct console_answer *out)
{
	uint8_t id[32];

	if (guard(a, h, 1, out) != 0) {
		return;
	}
	if (console_cookie_id(h->cookie, h->cookie_len, id)) {
		console_session_close(a, id);
	}
	snprintf(out->cookie, sizeof(out->cookie),
	    "%s=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0",
	    CONSOLE_COOKIE);
	out->status = 200;
	out->json   = json_pack("{s:b}", "signed_out", 1);
}

void
console_api_session(struct console_auth *a, struct central_store *s,
    const struct clog *log, const struct httphead *h, uint64_t now,
    struct console_answer *out)
{
	struct console_who who;
	struct cstore_console c;
	int st;

	if (guard(a, h, 0, out) != 0) {
		return;
	}
	st = console_scope_of(a, s, log, h, now, &who);
	if (st == 401) {
		answer(out, 401, "Not signed in.");
	} else if (st == 403) {
		answer(
		    out, 403, "This cadre's access to the console has ended.");
	} else if (st != 0
	    || cstore_console_get(s, who.cadre, &c) != COSO_OK) {
		answer(out, 500, "The database could not be read.");
	} else {
		out->status = 200;
		out->json   = session_json(&who, c.name);
		cstore_console_clear(&c);
	}
}
