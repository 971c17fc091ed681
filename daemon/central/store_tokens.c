/*
 * store_tokens.c: enrollment tokens and which key used each.
 */
#include <stdio.h>

#include "store_impl.h"

int
cstore_token_get(struct central_store *s, const uint8_t hash[static 32],
    struct cstore_token *t)
{
	sqlite3_stmt *st = cstorei_prep(s,
	    "SELECT cadre_id, expires FROM tokens WHERE token_hash = ? "
	    "ORDER BY id LIMIT 1");
	int rc;

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		snprintf(t->cadre_id, sizeof(t->cadre_id), "%s",
		    (const char *) sqlite3_column_text(st, 0));
		t->expires = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW) {
		return COSO_OK;
	}
	return rc == SQLITE_DONE ? COSO_ENOENT
	                         : cstorei_fail(s, "cannot read the tokens");
}

int
cstore_token_use(struct central_store *s, const uint8_t hash[static 32],
    const uint8_t key_id[static 32], uint64_t position)
{
	sqlite3_stmt *st = cstorei_prep(s,
	    "INSERT OR IGNORE INTO token_uses (token_hash, key_id, position) "
	    "VALUES (?, ?, ?)");
	int rc;

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, key_id, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (int64_t) position);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE
	    ? COSO_OK
	    : cstorei_fail(s, "cannot record a token's use");
}

int
cstore_token_user(struct central_store *s, const uint8_t hash[static 32],
    int *used, uint8_t key_id[static 32])
{
	sqlite3_stmt *st = cstorei_prep(
	    s, "SELECT key_id FROM token_uses WHERE token_hash = ?");
	int rc;

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
	rc    = sqlite3_step(st);
	*used = rc == SQLITE_ROW;
	if (*used) {
		cstorei_column_fixed(st, 0, key_id, 32);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		return cstorei_fail(s, "cannot read the token uses");
	}
	return COSO_OK;
}
