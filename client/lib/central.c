/*
 * central.c: the pinned central node and a queued enrollment.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "sync.h"

int
cosoi_central_pk(struct coso_store *s, uint8_t pk[32])
{
	char *text = cosoi_meta_get(s, "central_key");
	int rv;

	if (text == NULL) {
		return cosoi_fail(s, COSO_ENOPIN,
		    "no central key pinned (coso pin --central URL "
		    "--central-key KEY)");
	}
	rv = coso_pubkey_parse(pk, text, strlen(text));
	free(text);
	if (rv != COSO_OK) {
		return cosoi_fail(
		    s, rv, "pinned central key: %s", coso_strerror(rv));
	}
	return COSO_OK;
}

uint64_t
cosoi_meta_u64(struct coso_store *s, const char *key, uint64_t def)
{
	char *v = cosoi_meta_get(s, key), *end = NULL;
	uint64_t n;

	if (v == NULL) {
		return def;
	}
	n = strtoull(v, &end, 10);
	if (end == v || *end != 0) {
		n = def;
	}
	free(v);
	return n;
}

int
cosoi_meta_set_i64(struct coso_store *s, const char *key, int64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	return cosoi_meta_set(s, key, buf);
}

/* Whether the pinned key (if any) differs from pk. */
static int
pin_differs(struct coso_store *s, const uint8_t pk[32])
{
	uint8_t old[32];
	char *text = cosoi_meta_get(s, "central_key");
	int differs;

	if (text == NULL) {
		return 0;
	}
	differs = coso_pubkey_parse(old, text, strlen(text)) != COSO_OK
	    || sodium_memcmp(old, pk, 32) != 0;
	free(text);
	return differs;
}

int
coso_central_pin(
    struct coso_store *s, const char *url, const char *key_text, int force)
{
	uint8_t pk[32];
	int rv;

	if (key_text == NULL
	    || (rv = coso_pubkey_parse(pk, key_text, strlen(key_text)))
	        != COSO_OK) {
		return cosoi_fail(s, key_text == NULL ? COSO_EINVAL : rv,
		    "central key: %s",
		    coso_strerror(key_text == NULL ? COSO_EINVAL : rv));
	}
	if (url != NULL && strlen(url) > COSO_URL_MAX) {
		return cosoi_fail(s, COSO_EFIELD,
		    "central: the URL is longer than %u bytes", COSO_URL_MAX);
	}
	if ((rv = cosoi_begin(s)) != COSO_OK) {
		return rv;
	}
	if (!force && pin_differs(s, pk)) {
		cosoi_rollback(s);
		return cosoi_fail(s, COSO_EEXIST,
		    "another central key is pinned (replacing it needs "
		    "--force)");
	}
	if ((rv = cosoi_meta_set(s, "central_key", key_text)) != COSO_OK
	    || (url != NULL
	        && (rv = cosoi_meta_set(s, "central_url", url)) != COSO_OK)) {
		cosoi_rollback(s);
		return rv;
	}
	return cosoi_commit(s);
}

int
coso_enroll_queue(struct coso_store *s, const char *token_hex)
{
	uint8_t token[32];
	size_t n = 0;
	int rv;

	if (token_hex == NULL || strlen(token_hex) != 64
	    || sodium_hex2bin(token, 32, token_hex, 64, NULL, &n, NULL) != 0
	    || n != 32) {
		return cosoi_fail(s, COSO_EFIELD,
		    "token: expected the 64 hex digits `coso admin token' "
		    "printed");
	}
	sodium_memzero(token, sizeof(token));
	if ((rv = cosoi_begin(s)) != COSO_OK) {
		return rv;
	}
	if ((rv = cosoi_meta_set(s, "enroll_token", token_hex)) != COSO_OK) {
		cosoi_rollback(s);
		return rv;
	}
	return cosoi_commit(s);
}

int
coso_store_data_version(struct coso_store *s, uint64_t *v)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db, "PRAGMA data_version", -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot read the store's version");
	}
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*v = (uint64_t) sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW
	    ? COSO_OK
	    : cosoi_db_fail(s, "cannot read the store's version");
}
