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

int
cstore_covers(struct central_store *s, const char *cadre, const char *unit,
    size_t unit_len, int32_t date, int *yes)
{
	/* The unit and its ancestors (bounded: the tree may hold a cycle an
	 * admin made), then a live assignment on any of them. */
	sqlite3_stmt *st = cstorei_prep(s,
	    "WITH RECURSIVE anc(code, depth) AS (SELECT ?1, 0 UNION "
	    "SELECT u.parent, anc.depth + 1 FROM units u JOIN anc "
	    "ON u.code = anc.code WHERE u.deleted = 0 AND u.parent IS NOT "
	    "NULL "
	    "AND anc.depth < 32) "
	    "SELECT 1 FROM assignments a WHERE a.cadre_id = ?2 "
	    "AND a.deleted = 0 AND a.unit IN (SELECT code FROM anc) "
	    "AND a.valid_from <= ?3 AND (a.valid_to IS NULL OR a.valid_to >= "
	    "?3) "
	    "LIMIT 1");

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_text(st, 1, unit, (int) unit_len, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, cadre, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, date);
	return cstorei_any_row(s, st, yes);
}

int
cstore_cover_end(struct central_store *s, const char *cadre, const char *unit,
    size_t unit_len, int32_t first, int32_t last, int32_t *end)
{
	/* As cstore_covers, over a span: the latest last day of the
	 * assignments that overlap it (an open one counts as 99991231). */
	sqlite3_stmt *st = cstorei_prep(s,
	    "WITH RECURSIVE anc(code, depth) AS (SELECT ?1, 0 UNION "
	    "SELECT u.parent, anc.depth + 1 FROM units u JOIN anc "
	    "ON u.code = anc.code WHERE u.deleted = 0 AND u.parent IS NOT "
	    "NULL AND anc.depth < 32) "
	    "SELECT max(coalesce(a.valid_to, 99991231)) FROM assignments a "
	    "WHERE a.cadre_id = ?2 AND a.deleted = 0 "
	    "AND a.unit IN (SELECT code FROM anc) AND a.valid_from <= ?4 "
	    "AND (a.valid_to IS NULL OR a.valid_to >= ?3)");
	int rc;

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_text(st, 1, unit, (int) unit_len, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, cadre, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, first);
	sqlite3_bind_int(st, 4, last);
	rc   = sqlite3_step(st);
	*end = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? COSO_OK
	                        : cstorei_fail(s, "cannot query the database");
}
