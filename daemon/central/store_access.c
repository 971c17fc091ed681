/*
 * store_access.c: the reads behind authorisation: units, cadres and
 * whom their assignments cover.
 */
#include "store_impl.h"

int
cstorei_any_row(struct central_store *s, sqlite3_stmt *st, int *yes)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		return cstorei_fail(s, "cannot query the database");
	}
	*yes = rc == SQLITE_ROW;
	return COSO_OK;
}

int
cstore_unit_exists(
    struct central_store *s, const char *code, size_t len, int *yes)
{
	sqlite3_stmt *st = cstorei_prep(
	    s, "SELECT 1 FROM units WHERE code = ? AND deleted = 0 LIMIT 1");

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_text(st, 1, code, (int) len, SQLITE_STATIC);
	return cstorei_any_row(s, st, yes);
}

int
cstore_unit_span(struct central_store *s, const char *code, size_t len,
    int32_t *from, int32_t *to)
{
	sqlite3_stmt *st = cstorei_prep(s,
	    "SELECT coalesce(valid_from, 0), coalesce(valid_to, 0) FROM units "
	    "WHERE code = ? AND deleted = 0 ORDER BY valid_from LIMIT 1");
	int rc;

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_text(st, 1, code, (int) len, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*from = sqlite3_column_int(st, 0);
		*to   = sqlite3_column_int(st, 1);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		return cstorei_fail(s, "cannot read the units");
	}
	return rc == SQLITE_ROW ? COSO_OK : COSO_ENOENT;
}

int
cstore_cadre_exists(
    struct central_store *s, const char *id, size_t len, int *yes)
{
	sqlite3_stmt *st = cstorei_prep(s,
	    "SELECT 1 FROM cadres WHERE cadre_id = ? AND deleted = 0 LIMIT 1");

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_text(st, 1, id, (int) len, SQLITE_STATIC);
	return cstorei_any_row(s, st, yes);
}

int
cstore_sector_exists(
    struct central_store *s, const char *code, size_t len, int *yes)
{
	sqlite3_stmt *st = cstorei_prep(
	    s, "SELECT 1 FROM sectors WHERE code = ? AND deleted = 0 LIMIT 1");

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_text(st, 1, code, (int) len, SQLITE_STATIC);
	return cstorei_any_row(s, st, yes);
}
