/*
 * test_console_auth.c: the office's console's sign-in (console_auth.h,
 * console_login.h): the signed message's bytes; sessions ending 8 hours
 * after sign-in and 30 minutes after their last request, and at
 * sign-out; challenges good once for 5 minutes; 5 failures a minute per
 * cadre; the cookie and the login body decoded strictly; and, against a
 * central database holding signed grants, sign-in by passphrase and by
 * signed challenge and the gate's 401 and 403.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include <coso/proto.h>

#include "../../daemon/central/console_auth.h"
#include "../../daemon/central/console_login.h"
#include "../../daemon/central/emit.h"
#include "../../daemon/central/merge.h"
#include "../../daemon/central/store.h"

/* 27/11/2025 00:00 UTC */
#define T0     UINT64_C(1764201600000)
#define MIN    UINT64_C(60000)
#define HOUR   (60 * MIN)
#define TEND   (T0 + 17 * HOUR) /* 28/11/2025 00:00 in Vietnam */
#define ORIGIN "http://127.0.0.1:8080"
#define CH     "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

/* ---- the signed message --------------------------------------------------
 */

static void
test_message_bytes(void **state)
{
	static const char want[]
	    = "coso-console-login/v1\nhttp://127.0.0.1:8080\n" CH "\n";
	uint8_t m[COSO_CONSOLE_MSG_MAX];
	char origin[COSO_CONSOLE_ORIGIN_MAX + 2];
	size_t len = 0;

	(void) state;
	assert_int_equal(coso_console_message(
	                     m, &len, ORIGIN, strlen(ORIGIN), CH, strlen(CH)),
	    COSO_OK);
	assert_int_equal(len, sizeof(want) - 1);
	assert_memory_equal(m, want, len);
	assert_int_equal(len, 22 + 21 + 1 + 64 + 1);
	/* Uppercase hex, 63 digits, a newline in the origin, no origin. */
	assert_int_equal(
	    coso_console_message(m, &len, ORIGIN, strlen(ORIGIN),
	        "00112233445566778899AABBCCDDEEFF00112233445566778"
	        "899aabbccddeeff",
	        64),
	    COSO_EINVAL);
	assert_int_equal(
	    coso_console_message(m, &len, ORIGIN, strlen(ORIGIN), CH, 63),
	    COSO_EINVAL);
	assert_int_equal(
	    coso_console_message(m, &len, "http://a\nb", 10, CH, 64),
	    COSO_EINVAL);
	assert_int_equal(
	    coso_console_message(m, &len, "", 0, CH, 64), COSO_EINVAL);
	memset(origin, 'a', sizeof(origin));
	assert_int_equal(coso_console_message(
	                     m, &len, origin, COSO_CONSOLE_ORIGIN_MAX, CH, 64),
	    COSO_OK);
	assert_int_equal(coso_console_message(m, &len, origin,
	                     COSO_CONSOLE_ORIGIN_MAX + 1, CH, 64),
	    COSO_EINVAL);
}

/* ---- sessions, challenges, failures ------------------------------------- */

static struct console_auth *
auth(void)
{
	struct console_auth *a = NULL;

	assert_int_equal(console_auth_new(&a, "127.0.0.1:8080"), COSO_OK);
	return a;
}

/* A session used every 29 minutes ends 8 hours after sign-in. */
static void
test_session_absolute(void **state)
{
	struct console_auth *a = auth();
	char cadre[COSO_ID_MAX + 1];
	uint8_t id[32];
	uint64_t t, exp = 0;

	(void) state;
	console_session_open(a, "cb-vp", T0, id);
	for (t = T0 + 29 * MIN; t < T0 + 8 * HOUR; t += 29 * MIN) {
		assert_int_equal(
		    console_session_find(a, id, t, cadre, &exp), 1);
		assert_string_equal(cadre, "cb-vp");
		assert_true(exp <= T0 + 8 * HOUR);
	}
	assert_int_equal(exp, T0 + 8 * HOUR); /* the absolute end nears */
	assert_int_equal(
	    console_session_find(a, id, T0 + 8 * HOUR - 1, cadre, &exp), 1);
	assert_int_equal(
	    console_session_find(a, id, T0 + 8 * HOUR, cadre, &exp), 0);
	assert_int_equal(console_session_count(a), 0);
	console_auth_free(a);
}

/* A session not used for 30 minutes ends; each use moves the end. */
static void
test_session_idle(void **state)
{
	struct console_auth *a = auth();
	char cadre[COSO_ID_MAX + 1];
	uint8_t id[32];
	uint64_t exp = 0;

	(void) state;
	console_session_open(a, "cb-le", T0, id);
	assert_int_equal(
	    console_session_find(a, id, T0 + 30 * MIN - 1, cadre, &exp), 1);
	assert_int_equal(exp, T0 + 60 * MIN - 1);
	assert_int_equal(
	    console_session_find(a, id, T0 + 60 * MIN - 2, cadre, &exp), 1);
	assert_int_equal(
	    console_session_find(a, id, T0 + 90 * MIN - 2, cadre, &exp), 0);
	assert_int_equal(console_session_count(a), 0);
	/* and not back once removed */
	assert_int_equal(
	    console_session_find(a, id, T0 + 61 * MIN, cadre, &exp), 0);
	console_auth_free(a);
}

/* Sign-out ends that session only; an unknown id finds nothing. */
static void
test_session_close(void **state)
{
	struct console_auth *a = auth();
	char cadre[COSO_ID_MAX + 1];
	uint8_t one[32], two[32], none[32] = {0};
	uint64_t exp;

	(void) state;
	console_session_open(a, "cb-a", T0, one);
	console_session_open(a, "cb-b", T0, two);
	assert_memory_not_equal(one, two, 32);
	assert_int_equal(console_session_count(a), 2);
	console_session_close(a, one);
	assert_int_equal(console_session_find(a, one, T0 + 1, cadre, &exp), 0);
	assert_int_equal(console_session_find(a, two, T0 + 1, cadre, &exp), 1);
	assert_string_equal(cadre, "cb-b");
	assert_int_equal(
	    console_session_find(a, none, T0 + 1, cadre, &exp), 0);
	assert_int_equal(console_session_count(a), 1);
	console_auth_free(a);
}

/* A full table gives the least recently used slot to a new session. */
static void
test_session_full(void **state)
{
	struct console_auth *a = auth();
	char cadre[COSO_ID_MAX + 1];
	uint8_t first[32], id[32];
	uint64_t exp;
	size_t i;

	(void) state;
	console_session_open(a, "cb-0", T0, first);
	for (i = 1; i < CONSOLE_SESSIONS_MAX; i++) {
		console_session_open(a, "cb-n", T0 + i, id);
	}
	assert_int_equal(console_session_count(a), CONSOLE_SESSIONS_MAX);
	/* first used again: the second one is now the least recent */
	assert_int_equal(console_session_find(
	                     a, first, T0 + CONSOLE_SESSIONS_MAX, cadre, &exp),
	    1);
	console_session_open(a, "cb-new", T0 + CONSOLE_SESSIONS_MAX + 1, id);
	assert_int_equal(console_session_count(a), CONSOLE_SESSIONS_MAX);
	assert_int_equal(console_session_find(a, first,
	                     T0 + CONSOLE_SESSIONS_MAX + 2, cadre, &exp),
	    1);
	assert_int_equal(console_session_find(a, id,
	                     T0 + CONSOLE_SESSIONS_MAX + 2, cadre, &exp),
	    1);
	assert_string_equal(cadre, "cb-new");
	console_auth_free(a);
}

static void
test_challenge_once(void **state)
{
	struct console_auth *a = auth();
	uint8_t c[32], d[32], other[32];
	uint64_t exp;

	(void) state;
	console_challenge_new(a, T0, c, &exp);
	assert_int_equal(exp, T0 + 5 * MIN);
	assert_int_equal(console_challenge_take(a, c, T0 + 1), 1);
	assert_int_equal(console_challenge_take(a, c, T0 + 2), 0); /* replay */
	memset(other, 7, 32);
	assert_int_equal(console_challenge_take(a, other, T0), 0);
	console_challenge_new(a, T0, d, &exp);
	assert_int_equal(console_challenge_take(a, d, T0 + 5 * MIN), 0);
	assert_int_equal(console_challenge_take(a, d, T0 + 1), 0); /* gone */
	console_challenge_new(a, T0, d, &exp);
	assert_int_equal(console_challenge_take(a, d, T0 + 5 * MIN - 1), 1);
	console_auth_free(a);
}

static void
test_rate_limit(void **state)
{
	struct console_auth *a = auth();
	unsigned retry         = 0, i;

	(void) state;
	for (i = 0; i < CONSOLE_FAILS_MAX - 1; i++) {
		console_rate_fail(a, "cb-x", T0 + i * 1000);
		assert_int_equal(
		    console_rate_blocked(a, "cb-x", T0 + i * 1000, &retry), 0);
	}
	console_rate_fail(a, "cb-x", T0 + 10000);
	assert_int_equal(
	    console_rate_blocked(a, "cb-x", T0 + 10000, &retry), 1);
	assert_int_equal(retry, 50); /* the first failure leaves at T0+60s */
	assert_int_equal(
	    console_rate_blocked(a, "cb-y", T0 + 10000, &retry), 0);
	assert_int_equal(
	    console_rate_blocked(a, "cb-x", T0 + MIN - 1, &retry), 1);
	assert_int_equal(console_rate_blocked(a, "cb-x", T0 + MIN, &retry), 0);
	/* a sixth failure: the five latest are within the minute again */
	console_rate_fail(a, "cb-x", T0 + MIN);
	assert_int_equal(console_rate_blocked(a, "cb-x", T0 + MIN, &retry), 1);
	console_rate_clear(a, "cb-x");
	assert_int_equal(console_rate_blocked(a, "cb-x", T0 + MIN, &retry), 0);
	console_auth_free(a);
}

static void
test_cookie(void **state)
{
	static const char hex[] = "0102030405060708091011121314151617181920212"
	                          "223242526272829303132";
	char c[256];
	uint8_t id[32];

	(void) state;
	snprintf(c, sizeof(c), "a=b; coso_console=%s; z=1", hex);
	assert_int_equal(console_cookie_id(c, strlen(c), id), 1);
	assert_int_equal(id[0], 0x01);
	assert_int_equal(id[31], 0x32);
	snprintf(c, sizeof(c), "coso_console=%s", hex);
	assert_int_equal(console_cookie_id(c, strlen(c), id), 1);
	snprintf(c, sizeof(c), "xcoso_console=%s", hex);
	assert_int_equal(console_cookie_id(c, strlen(c), id), 0);
	snprintf(c, sizeof(c), "coso_console=%.63s", hex);
	assert_int_equal(console_cookie_id(c, strlen(c), id), 0);
	snprintf(c, sizeof(c), "coso_console=%.63sz", hex);
	assert_int_equal(console_cookie_id(c, strlen(c), id), 0);
	assert_int_equal(console_cookie_id(NULL, 0, id), 0);
}

/* ---- the login body ------------------------------------------------------
 */

static int
parse(const char *body, struct console_login *l)
{
	const char *why = NULL;
	int rv          = console_login_parse(
	             (const uint8_t *) body, strlen(body), l, &why);

	assert_non_null(why);
	return rv;
}

static void
test_login_parse(void **state)
{
	struct console_login l;
	char body[600], sig64[89];
	uint8_t sig[64];

	(void) state;
	/* NFD "ệ" (e, dot below, circumflex) arrives as NFC. */
	assert_int_equal(
	    parse("{\"cadre\":\"cb-vp\",\"passphrase\":\"mê\\u0323t\"}", &l),
	    COSO_OK);
	assert_string_equal(l.cadre, "cb-vp");
	assert_int_equal(l.pass_len, strlen("m\xe1\xbb\x87t"));
	assert_string_equal(l.pass, "m\xe1\xbb\x87t");
	console_login_clear(&l);
	assert_null(l.pass);

	memset(sig, 0x5a, sizeof(sig));
	sodium_bin2base64(
	    sig64, sizeof(sig64), sig, 64, sodium_base64_VARIANT_ORIGINAL);
	snprintf(body, sizeof(body),
	    "{\"cadre\":\"cb-le\",\"challenge\":\"%s\",\"key\":\"%s\","
	    "\"sig\":\"%s\"}",
	    CH, CH, sig64);
	assert_int_equal(parse(body, &l), COSO_OK);
	assert_null(l.pass);
	assert_string_equal(l.challenge, CH);
	assert_int_equal(l.pk[1], 0x11);
	assert_memory_equal(l.sig, sig, 64);
	console_login_clear(&l);

	/* both ways; a signed one missing its sig */
	snprintf(body, sizeof(body),
	    "{\"cadre\":\"cb-le\",\"passphrase\":\"x\",\"challenge\":\"%s\","
	    "\"key\":\"%s\",\"sig\":\"%s\"}",
	    CH, CH, sig64);
	assert_int_equal(parse(body, &l), COSO_EINVAL);
	snprintf(body, sizeof(body),
	    "{\"cadre\":\"cb-le\",\"challenge\":\"%s\",\"key\":\"%s\"}", CH,
	    CH);
	assert_int_equal(parse(body, &l), COSO_EINVAL);
	/* a signature of 63 bytes */
	sodium_bin2base64(
	    sig64, sizeof(sig64), sig, 63, sodium_base64_VARIANT_ORIGINAL);
	snprintf(body, sizeof(body),
	    "{\"cadre\":\"cb-le\",\"challenge\":\"%s\",\"key\":\"%s\","
	    "\"sig\":\"%s\"}",
	    CH, CH, sig64);
	assert_int_equal(parse(body, &l), COSO_EINVAL);
	assert_int_equal(parse("{\"cadre\":\"cb-vp\"}", &l), COSO_EINVAL);
	assert_int_equal(
	    parse("{\"cadre\":\"cb-vp\",\"passphrase\":\"\"}", &l),
	    COSO_EINVAL);
	assert_int_equal(
	    parse("{\"cadre\":\"cb vp\",\"passphrase\":\"x\"}", &l),
	    COSO_EINVAL);
	assert_int_equal(
	    parse("{\"cadre\":\"cb-vp\",\"passphrase\":\"x\",\"cadre\":\"b\"}",
	        &l),
	    COSO_EINVAL);
	assert_int_equal(parse("{\"cadre\":\"cb-vp\",\"passphrase\":\"x\","
	                       "\"remember\":true}",
	                     &l),
	    COSO_EINVAL);
	assert_int_equal(
	    parse("{\"cadre\":1,\"passphrase\":\"x\"}", &l), COSO_EINVAL);
	assert_int_equal(parse("[\"cb-vp\"]", &l), COSO_EINVAL);
	assert_int_equal(
	    parse("{\"cadre\":\"cb-vp\",\"passphrase\":\"x\"} x", &l),
	    COSO_EINVAL);
	assert_int_equal(
	    parse("{\"cadre\":\"cb-vp\",\"passphrase\":\"\\xff\"}", &l),
	    COSO_EINVAL);
	memset(body, 'a', sizeof(body));
	memcpy(body, "{\"cadre\":\"", 10);
	memcpy(body + 10 + 65, "\",\"passphrase\":\"x\"}", 20);
	assert_int_equal(parse(body, &l), COSO_EINVAL); /* cadre of 65 */
	assert_int_equal(console_login_parse((const uint8_t *) "{}",
	                     CONSOLE_BODY_MAX + 1, &l, &(const char *) {NULL}),
	    COSO_EINVAL);
}

/* ---- against a central database ------------------------------------------
 */

struct dev {
	struct coso_key *key;
	uint8_t pk[32], id[32], prev[32];
	uint64_t seq, hlc;
};

struct fx {
	char dir[64], db[96];
	struct central_store *s;
	struct dev central, admin, a;
	struct clog log;
	struct console_auth *auth;
};

static void
dev_init(struct dev *d, uint8_t seed_byte)
{
	uint8_t seed[32];

	memset(d, 0, sizeof(*d));
	memset(seed, seed_byte, 32);
	assert_int_equal(coso_key_from_seed(&d->key, seed), COSO_OK);
	coso_key_public(d->key, d->pk);
	coso_keyid_of(d->id, d->pk);
	d->hlc = T0 << 16;
}

/* Signs b as d's next change-set and merges it; its reason. */
static int
push(struct fx *f, struct dev *d, struct coso_body *b)
{
	struct merge_ctx m = {f->s, f->central.key};
	struct merge_in in = {.received_ms = T0};
	struct merge_out out;
	uint8_t *body = NULL, *cs = NULL;
	size_t blen, len;

	assert_int_equal(coso_body_encode(b, &body, &blen), COSO_OK);
	d->seq++;
	d->hlc++;
	assert_int_equal(coso_changeset_sign(&cs, &len, d->key, d->seq,
	                     d->prev, d->hlc, body, blen),
	    COSO_OK);
	coso_changeset_id(d->prev, cs, len);
	in.cs  = cs;
	in.len = len;
	memcpy(in.sender, d->id, 32);
	assert_int_equal(cstore_begin(f->s), COSO_OK);
	assert_int_equal(merge_changeset(&m, &in, &out), COSO_OK);
	assert_int_equal(cstore_commit(f->s), COSO_OK);
	free(body);
	free(cs);
	coso_body_reset(b);
	return out.reason;
}

static void
text(struct coso_body *b, uint32_t field, const char *s)
{
	assert_int_equal(coso_body_text(b, field, s, strlen(s)), COSO_OK);
}

/* cb-a's grant (office, or leader of unit), or its end. */
static void
grant(struct fx *f, int role, const char *unit, int32_t to, int end)
{
	struct coso_body *b = NULL;
	uint8_t row[16];

	assert_int_equal(coso_body_new(&b), COSO_OK);
	coso_uuid_named(row, "console_access", "cb-a");
	assert_int_equal(coso_body_op(b, COSO_T_CONSOLE_ACCESS, row,
	                     end ? COSO_DELETE : COSO_UPSERT),
	    COSO_OK);
	if (!end) {
		text(b, COSO_F_CONSOLE_ACCESS_CADRE_ID, "cb-a");
		assert_int_equal(
		    coso_body_int(b, COSO_F_CONSOLE_ACCESS_ROLE, role),
		    COSO_OK);
		if (unit != NULL) {
			text(b, COSO_F_CONSOLE_ACCESS_UNIT, unit);
		}
		assert_int_equal(
		    coso_body_int(b, COSO_F_CONSOLE_ACCESS_VALID_TO, to),
		    COSO_OK);
	}
	assert_int_equal(push(f, &f->admin, b), 0);
	coso_body_free(b);
}

static void
province(struct fx *f)
{
	struct coso_body *b = NULL;
	uint8_t row[16];

	assert_int_equal(coso_body_new(&b), COSO_OK);
	coso_uuid_named(row, "unit", "180");
	assert_int_equal(coso_body_op(b, COSO_T_UNIT, row, COSO_UPSERT), 0);
	text(b, COSO_F_UNIT_CODE, "180");
	text(b, COSO_F_UNIT_NAME, "Huyện Tràng Định");
	assert_int_equal(coso_body_int(b, COSO_F_UNIT_LEVEL, 2), COSO_OK);
	assert_int_equal(
	    coso_body_int(b, COSO_F_UNIT_VALID_FROM, 20200101), COSO_OK);
	coso_uuid_named(row, "cadre", "cb-a");
	assert_int_equal(coso_body_op(b, COSO_T_CADRE, row, COSO_UPSERT), 0);
	text(b, COSO_F_CADRE_CADRE_ID, "cb-a");
	text(b, COSO_F_CADRE_NAME, "Hoàng Thị Mai");
	assert_int_equal(push(f, &f->admin, b), 0);
	coso_body_free(b);
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[CSTORE_ERRMSG_MAX], *pub = NULL;
	struct merge_ctx m;
	struct merge_out out;

	if (f == NULL) {
		return -1;
	}
	snprintf(f->dir, sizeof(f->dir), "/tmp/coso-console-XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		return -1;
	}
	snprintf(f->db, sizeof(f->db), "%s/central.db", f->dir);
	f->log.level = CLOG_ERROR;
	dev_init(&f->central, 1);
	dev_init(&f->admin, 2);
	dev_init(&f->a, 4);
	assert_int_equal(cstore_create(&f->s, f->db, err), COSO_OK);
	m = (struct merge_ctx) {f->s, f->central.key};
	assert_int_equal(coso_pubkey_format(&pub, f->central.pk), COSO_OK);
	assert_int_equal(cstore_begin(f->s), COSO_OK);
	assert_int_equal(cstore_meta_set(f->s, "central_pk", pub), COSO_OK);
	assert_int_equal(cstore_meta_set(f->s, "origin", "test"), COSO_OK);
	assert_int_equal(cstore_meta_set(f->s, "created_ms", "0"), COSO_OK);
	assert_int_equal(emit_bootstrap(f->s, f->central.pk), COSO_OK);
	assert_int_equal(emit_device_key(&m, f->admin.pk, "admin",
	                     CSTORE_ROLE_ADMIN, NULL, T0, &out),
	    COSO_OK);
	assert_int_equal(emit_device_key(&m, f->a.pk, "cb-a",
	                     CSTORE_ROLE_FIELD, NULL, T0, &out),
	    COSO_OK);
	assert_int_equal(cstore_commit(f->s), COSO_OK);
	free(pub);
	province(f);
	assert_int_equal(console_auth_new(&f->auth, "127.0.0.1:8080"), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	console_auth_free(f->auth);
	cstore_close(f->s);
	coso_key_free(f->central.key);
	coso_key_free(f->admin.key);
	coso_key_free(f->a.key);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	if (system(cmd) != 0) {
		return -1;
	}
	free(f);
	return 0;
}

static struct httphead
head(const char *cookie)
{
	struct httphead h = {0};

	h.host       = "127.0.0.1:8080";
	h.host_len   = strlen(h.host);
	h.origin     = ORIGIN;
	h.origin_len = strlen(ORIGIN);
	h.cookie     = cookie;
	h.cookie_len = cookie != NULL ? strlen(cookie) : 0;
	return h;
}

/* Signs in with body (copied: the sign-in wipes it); the answer's status
 * and, on 200, the cookie header "coso_console=HEX" into cookie. */
static int
login(struct fx *f, const char *body, char cookie[80], uint64_t now)
{
	struct httphead h       = head(NULL);
	struct console_answer a = {0};
	size_t n                = strlen(body);
	uint8_t *copy           = malloc(n);
	size_t i;

	assert_non_null(copy);
	memcpy(copy, body, n);
	console_api_login(f->auth, f->s, &f->log, &h, copy, n, now, &a);
	for (i = 0; i < n; i++) {
		assert_int_equal(copy[i], 0); /* wiped */
	}
	free(copy);
	if (a.status == 200) {
		assert_non_null(strstr(a.cookie,
		    "; HttpOnly; SameSite=Strict; "
		    "Path=/"));
		snprintf(cookie, 80, "%.77s", a.cookie);
	}
	json_decref(a.json);
	return a.status;
}

static int
scope(struct fx *f, const char *cookie, uint64_t now, struct console_who *w)
{
	struct httphead h = head(cookie);

	return console_scope_of(f->auth, f->s, &f->log, &h, now, w);
}

static void
set_passphrase(struct fx *f, const char *p)
{
	char hash[crypto_pwhash_STRBYTES];

	assert_int_equal(
	    crypto_pwhash_str(hash, p, strlen(p), crypto_pwhash_OPSLIMIT_MIN,
	        crypto_pwhash_MEMLIMIT_MIN),
	    0);
	assert_int_equal(
	    cstore_console_secret_set(f->s, "cb-a", hash, T0), COSO_OK);
}

static void
test_passphrase(void **state)
{
	struct fx *f = *state;
	struct console_who w;
	char cookie[80] = "";
	int i;

	grant(f, COSO_CONSOLE_OFFICE, NULL, 0, 0);
	/* A cadre without a passphrase, a made-up one: refused, never
	 * counted (nothing to guess). */
	for (i = 0; i < 7; i++) {
		assert_int_equal(
		    login(f,
		        "{\"cadre\":\"cb-a\",\"passphrase\":\"mật khẩu\"}",
		        cookie, T0),
		    401);
		assert_int_equal(
		    login(f, "{\"cadre\":\"ghost\",\"passphrase\":\"x\"}",
		        cookie, T0),
		    401);
	}
	set_passphrase(f, "mật khẩu");
	assert_int_equal(login(f,
	                     "{\"cadre\":\"cb-a\",\"passphrase\":"
	                     "\"mật khẩu sai\"}",
	                     cookie, T0),
	    401);
	assert_int_equal(login(f,
	                     "{\"cadre\":\"cb-b\",\"passphrase\":"
	                     "\"mật khẩu\"}",
	                     cookie, T0),
	    401); /* another cadre */
	assert_int_equal(login(f,
	                     "{\"cadre\":\"cb-a\",\"passphrase\":"
	                     "\"mật khẩu\"}",
	                     cookie, T0),
	    200);
	assert_int_equal(strncmp(cookie, "coso_console=", 13), 0);
	assert_int_equal(scope(f, cookie, T0 + 1, &w), 0);
	assert_string_equal(w.cadre, "cb-a");
	assert_int_equal(w.role, COSO_CONSOLE_OFFICE);
	assert_string_equal(w.unit, "");
	assert_string_equal(w.sector, "");
	assert_int_equal(scope(f, NULL, T0 + 1, &w), 401);
	/* Five wrong passphrases, then 429 even for the right one. */
	for (i = 0; i < 5; i++) {
		assert_int_equal(
		    login(f, "{\"cadre\":\"cb-a\",\"passphrase\":\"sai\"}",
		        cookie, T0 + 10),
		    401);
	}
	assert_int_equal(
	    login(f, "{\"cadre\":\"cb-a\",\"passphrase\":\"mật khẩu\"}",
	        cookie, T0 + 11),
	    429);
	assert_int_equal(
	    login(f, "{\"cadre\":\"cb-a\",\"passphrase\":\"mật khẩu\"}",
	        cookie, T0 + 10 + MIN),
	    200);
	/* The same passphrase from another origin's page: refused. */
	{
		struct httphead h       = head(NULL);
		struct console_answer a = {0};
		uint8_t body[] = "{\"cadre\":\"cb-a\",\"passphrase\":\"x\"}";

		h.origin     = "http://evil.example";
		h.origin_len = strlen(h.origin);
		console_api_login(f->auth, f->s, &f->log, &h, body,
		    sizeof(body) - 1, T0, &a);
		assert_int_equal(a.status, 403);
		json_decref(a.json);
	}
}

/* A body signing challenge ch with key for origin. */
static void
signed_body(char out[400], const struct dev *d, const char *cadre,
    const char *ch, const char *origin)
{
	uint8_t m[COSO_CONSOLE_MSG_MAX], sig[64];
	char pk[65], s64[89];
	size_t len = 0;

	assert_int_equal(coso_console_message(
	                     m, &len, origin, strlen(origin), ch, strlen(ch)),
	    COSO_OK);
	coso_key_sign(d->key, sig, m, len);
	sodium_bin2hex(pk, sizeof(pk), d->pk, 32);
	sodium_bin2base64(
	    s64, sizeof(s64), sig, 64, sodium_base64_VARIANT_ORIGINAL);
	snprintf(out, 400,
	    "{\"cadre\":\"%s\",\"challenge\":\"%s\",\"key\":\"%s\","
	    "\"sig\":\"%s\"}",
	    cadre, ch, pk, s64);
}

static void
challenge(struct fx *f, char hex[65], uint64_t now)
{
	uint8_t c[32];
	uint64_t exp;

	console_challenge_new(f->auth, now, c, &exp);
	sodium_bin2hex(hex, 65, c, 32);
}

static void
test_signed_and_gate(void **state)
{
	struct fx *f = *state;
	struct console_who w;
	char cookie[80] = "", ch[65], body[400];

	/* The grant's last day is 27/11/2025, the day of T0 in Vietnam
	 * (UTC+7), which ends at TEND. */
	grant(f, COSO_CONSOLE_LEADER, "180", 20251127, 0);
	challenge(f, ch, T0);
	signed_body(body, &f->a, "cb-a", ch, "http://evil.example");
	assert_int_equal(login(f, body, cookie, T0), 401); /* other origin */
	challenge(f, ch, T0);
	signed_body(body, &f->admin, "cb-a", ch, ORIGIN);
	assert_int_equal(login(f, body, cookie, T0), 401); /* admin's key */
	challenge(f, ch, TEND - 10 * MIN);
	signed_body(body, &f->a, "cb-a", ch, ORIGIN);
	assert_int_equal(login(f, body, cookie, TEND - 9 * MIN), 200);
	assert_int_equal(login(f, body, cookie, TEND - 8 * MIN), 401);
	assert_int_equal(scope(f, cookie, TEND - 7 * MIN, &w), 0);
	assert_int_equal(w.role, COSO_CONSOLE_LEADER);
	assert_string_equal(w.unit, "180");
	assert_string_equal(w.sector, "");
	assert_int_equal(w.expires, TEND - 7 * MIN + 30 * MIN);
	assert_int_equal(scope(f, cookie, TEND - 1, &w), 0);
	/* The next day the session is refused, and closed. */
	assert_int_equal(scope(f, cookie, TEND, &w), 403);
	assert_int_equal(scope(f, cookie, TEND + 1, &w), 401);
	/* Granted again, open-ended; then ended by a signed delete. */
	grant(f, COSO_CONSOLE_OFFICE, NULL, 0, 0);
	challenge(f, ch, T0);
	signed_body(body, &f->a, "cb-a", ch, ORIGIN);
	assert_int_equal(login(f, body, cookie, T0), 200);
	assert_int_equal(scope(f, cookie, T0 + 1, &w), 0);
	assert_int_equal(w.role, COSO_CONSOLE_OFFICE);
	assert_string_equal(w.unit, "");
	grant(f, 0, NULL, 0, 1);
	assert_int_equal(scope(f, cookie, T0 + 2, &w), 403);
	challenge(f, ch, T0);
	signed_body(body, &f->a, "cb-a", ch, ORIGIN);
	assert_int_equal(login(f, body, cookie, T0 + 3), 403);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_message_bytes),
	    cmocka_unit_test(test_session_absolute),
	    cmocka_unit_test(test_session_idle),
	    cmocka_unit_test(test_session_close),
	    cmocka_unit_test(test_session_full),
	    cmocka_unit_test(test_challenge_once),
	    cmocka_unit_test(test_rate_limit),
	    cmocka_unit_test(test_cookie),
	    cmocka_unit_test(test_login_parse),
	    cmocka_unit_test_setup_teardown(test_passphrase, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_signed_and_gate, setup, teardown),
	};

	if (sodium_init() < 0) {
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
