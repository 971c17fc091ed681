/*
 * store_console.c: who may open the office's console (the signed
 * console_access rows) and the central's own passphrase hashes
 * (console_secrets: not in the log, not state, never synced).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_impl.h"

#define ACCESS_SELECT                                                  \
	"SELECT a.cadre_id, a.role, coalesce(a.unit, ''),"             \
	" coalesce(a.sector, ''), coalesce(a.valid_to, 0), a.deleted," \
	" (SELECT c.name FROM cadres c WHERE c.cadre_id = a.cadre_id"  \
	" AND c.deleted = 0 LIMIT 1),"                                 \
	" EXISTS (SELECT 1 FROM console_secrets k"                     \
	" WHERE k.cadre_id = a.cadre_id) FROM console_access a"        \
	" WHERE a.cadre_id IS NOT NULL"

/* Copies a text column into a buffer of n bytes; longer is refused. */
static int
col_text(sqlite3_stmt *st, int i, char *out, size_t n)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	size_t len             = t != NULL ? strlen((const char *) t) : 0;

	if (len >= n) {
		return COSO_ETOOBIG;
	}
	memcpy(out, t != NULL ? (const char *) t : "", len + 1);
	return COSO_OK;
}

static int
access_row(sqlite3_stmt *st, struct cstore_console *c)
{
	const unsigned char *name = sqlite3_column_text(st, 6);

	memset(c, 0, sizeof(*c));
	if (col_text(st, 0, c->cadre_id, sizeof(c->cadre_id)) != COSO_OK
	    || col_text(st, 2, c->unit, sizeof(c->unit)) != COSO_OK
	    || col_text(st, 3, c->sector, sizeof(c->sector)) != COSO_OK) {
		return COSO_ETOOBIG; /* merge keeps ids to COSO_ID_MAX */
	}
	c->role       = sqlite3_column_int(st, 1);
	c->valid_to   = (int32_t) sqlite3_column_int64(st, 4);
	c->ended      = sqlite3_column_int(st, 5) != 0;
	c->has_secret = sqlite3_column_int(st, 7) != 0;
	if (name != NULL && (c->name = strdup((const char *) name)) == NULL) {
		return COSO_ENOMEM;
	}
	return COSO_OK;
}

void
cstore_console_clear(struct cstore_console *c)
{
	free(c->name);
	c->name = NULL;
}

int
cstore_console_get(
    struct central_store *s, const char *cadre, struct cstore_console *c)
{
	sqlite3_stmt *st
	    = cstorei_prep(s, ACCESS_SELECT " AND a.cadre_id = ?");
	int rc, rv = COSO_OK;

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_text(st, 1, cadre, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		rv = access_row(st, c);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW) {
		if (rv != COSO_OK) {
			cstore_console_clear(c);
		}
		return rv;
	}
	return rc == SQLITE_DONE
	    ? COSO_ENOENT
	    : cstorei_fail(s, "cannot read the console's grants");
}

int
cstore_console_list(struct central_store *s,
    int (*cb)(const struct cstore_console *c, void *arg), void *arg)
{
	sqlite3_stmt *st
	    = cstorei_prep(s, ACCESS_SELECT " ORDER BY a.cadre_id");
	struct cstore_console c;
	int rc, rv = COSO_OK;

	if (st == NULL) {
		return COSO_EIO;
	}
	while (rv == COSO_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rv = access_row(st, &c)) == COSO_OK) {
			rv = cb(&c, arg);
		}
		cstore_console_clear(&c);
	}
	sqlite3_reset(st);
	if (rv != COSO_OK) {
		return rv;
	}
	return rc == SQLITE_DONE
	    ? COSO_OK
	    : cstorei_fail(s, "cannot read the console's grants");
}

int
cstore_console_secret(struct central_store *s, const char *cadre,
    char hash[static CSTORE_CONSOLE_HASH_MAX])
{
	sqlite3_stmt *st = cstorei_prep(
	    s, "SELECT hash FROM console_secrets WHERE cadre_id = ?");
	int rc, rv = COSO_OK;

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_text(st, 1, cadre, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		rv = col_text(st, 0, hash, CSTORE_CONSOLE_HASH_MAX);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW) {
		return rv;
	}
	return rc == SQLITE_DONE
	    ? COSO_ENOENT
	    : cstorei_fail(s, "cannot read the console's passphrases");
}

int
cstore_console_secret_set(struct central_store *s, const char *cadre,
    const char *hash, uint64_t now_ms)
{
	sqlite3_stmt *st = cstorei_prep(s,
	    "INSERT INTO console_secrets (cadre_id, hash, set_ms)"
	    " VALUES (?, ?, ?) ON CONFLICT (cadre_id) DO UPDATE SET"
	    " hash = excluded.hash, set_ms = excluded.set_ms");

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_text(st, 1, cadre, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64) now_ms);
	return cstorei_run(s, st, "cannot store the console's passphrase");
}
