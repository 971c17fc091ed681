/*
 * store_authors.c: the key registry (table authors) and each author's
 * last-writer-wins weight.
 */
#include <stdio.h>
#include <string.h>

#include "store_impl.h"

#define AUTHOR_COLS                                            \
	"key_id, public_key, cadre_id, role, next_seq, head, " \
	"coalesce(enrolled, -1), coalesce(revoked, -1)"

static void
author_read(sqlite3_stmt *st, struct cstore_author *a)
{
	memset(a, 0, sizeof(*a));
	cstorei_column_fixed(st, 0, a->key_id, 32);
	cstorei_column_fixed(st, 1, a->pk, 32);
	snprintf(a->cadre_id, sizeof(a->cadre_id), "%s",
	    (const char *) sqlite3_column_text(st, 2));
	a->role     = sqlite3_column_int(st, 3);
	a->next_seq = (uint64_t) sqlite3_column_int64(st, 4);
	cstorei_column_fixed(st, 5, a->head, 32);
	a->enrolled = sqlite3_column_int64(st, 6);
	a->revoked  = sqlite3_column_int64(st, 7);
}

int
cstore_author_get(struct central_store *s, const uint8_t key_id[static 32],
    struct cstore_author *a)
{
	sqlite3_stmt *st = cstorei_prep(
	    s, "SELECT " AUTHOR_COLS " FROM authors WHERE key_id = ?");
	int rc;

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_blob(st, 1, key_id, 32, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		author_read(st, a);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW) {
		return COSO_OK;
	}
	return rc == SQLITE_DONE
	    ? COSO_ENOENT
	    : cstorei_fail(s, "cannot read the key registry");
}

int
cstore_author_put(struct central_store *s, const struct cstore_author *a)
{
	sqlite3_stmt *st = cstorei_prep(s,
	    "INSERT OR REPLACE INTO authors (key_id, public_key, cadre_id, "
	    "role, next_seq, head, enrolled, revoked) "
	    "VALUES (?,?,?,?,?,?,?,?)");

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_blob(st, 1, a->key_id, 32, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, a->pk, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, a->cadre_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, a->role);
	sqlite3_bind_int64(st, 5, (int64_t) a->next_seq);
	sqlite3_bind_blob(st, 6, a->head, 32, SQLITE_STATIC);
	if (a->enrolled >= 0) {
		sqlite3_bind_int64(st, 7, a->enrolled);
	}
	if (a->revoked >= 0) {
		sqlite3_bind_int64(st, 8, a->revoked);
	}
	return cstorei_run(s, st, "cannot write the key registry");
}

int
cstore_authors_each(struct central_store *s, cstore_author_cb cb, void *arg)
{
	sqlite3_stmt *st = cstorei_prep(s,
	    "SELECT " AUTHOR_COLS " FROM authors "
	    "ORDER BY coalesce(enrolled, -1), key_id");
	struct cstore_author a;
	int rc;

	if (st == NULL) {
		return COSO_EIO;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		author_read(st, &a);
		if (cb(&a, arg) != 0) {
			break;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		return cstorei_fail(s, "cannot read the key registry");
	}
	return COSO_OK;
}

int
cstore_weight_get(
    struct central_store *s, const uint8_t key_id[static 32], uint64_t *w)
{
	sqlite3_stmt *st = cstorei_prep(
	    s, "SELECT weight FROM author_weights WHERE key_id = ?");
	int rc;

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_blob(st, 1, key_id, 32, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*w = (uint64_t) sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW) {
		return COSO_OK;
	}
	return rc == SQLITE_DONE
	    ? COSO_ENOENT
	    : cstorei_fail(s, "cannot read an author's weight");
}

int
cstore_weight_put(
    struct central_store *s, const uint8_t key_id[static 32], uint64_t w)
{
	sqlite3_stmt *st = cstorei_prep(s,
	    "INSERT OR REPLACE INTO author_weights (key_id, weight) "
	    "VALUES (?, ?)");

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_blob(st, 1, key_id, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t) w);
	return cstorei_run(s, st, "cannot write an author's weight");
}
