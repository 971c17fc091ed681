/*
 * units.c: importing the administrative tree from CSV.
 *
 * The format is the one of shared reference data and `coso units import`:
 * header `code,name,level,parent_code,valid_from`, UTF-8 (a BOM is
 * allowed), LF or CRLF, RFC 4180 quoting.  Every row is checked and the
 * whole file is stored in one transaction, or nothing is.
 *
 * A row whose code is already stored updates that unit and keeps its
 * history: the unit's end (valid_to, merged_into) stays, its first day
 * only moves earlier, and a new parent from a later valid_from is a move
 * on that day (unit_moves), so the tree of any past day can be read back
 * (prefill.c).  Re-importing the 2025 list after the 2024 one moves the
 * 65 communes that kept their code from their district to the province
 * on 01/07/2025.
 *
 * On an enrolled device the units come from the central only: its pulls
 * are the office's signed tree, and a local import would overwrite it
 * with no way back (the pull cursor has passed those rows).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "internal.h"

static const char *const level_names[]
    = {"province", "district", "commune", "village", "household"};

static int
level_parse(const char *s)
{
	int i;

	for (i = 0; i < 5; i++) {
		if (strcmp(s, level_names[i]) == 0) {
			return i + 1;
		}
	}
	return 0;
}

static const char *const header[CSV_FIELDS]
    = {"code", "name", "level", "parent_code", "valid_from"};

static int
check_header(
    struct coso_store *s, struct cosoi_csv *c, char f[][CSV_FIELD_MAX + 1])
{
	int i;

	if (c->end - c->p >= 3 && memcmp(c->p, "\xef\xbb\xbf", 3) == 0) {
		c->p += 3;
	}
	if (cosoi_csv_record(c, f) != 1) {
		return cosoi_fail(s, COSO_ECSV,
		    "line 1: the header must be "
		    "code,name,level,parent_code,valid_from");
	}
	for (i = 0; i < CSV_FIELDS; i++) {
		if (strcmp(f[i], header[i]) != 0) {
			return cosoi_fail(s, COSO_ECSV,
			    "line 1: column %d is `%s', expected `%s'", i + 1,
			    f[i], header[i]);
		}
	}
	return COSO_OK;
}

/* A new parent from a later first day is a move on that day. */
static int
note_move(
    struct coso_store *s, const char *code, const char *parent, int32_t from)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db,
	        "INSERT OR REPLACE INTO unit_moves (code, date, old_parent, "
	        "new_parent) SELECT code, ?3, parent, ?2 FROM units WHERE "
	        "code = ?1 AND parent IS NOT ?2 AND valid_from < ?3",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot store the unit's move");
	}
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	if (parent[0] != 0) {
		sqlite3_bind_text(st, 2, parent, -1, SQLITE_STATIC);
	}
	sqlite3_bind_int(st, 3, from);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE
	    ? COSO_OK
	    : cosoi_db_fail(s, "cannot store the unit's move");
}

/* Checks one row and stores it with st (bound and stepped here). */
static int
import_row(struct coso_store *s, sqlite3_stmt *st, size_t line,
    char f[][CSV_FIELD_MAX + 1])
{
	char *name = NULL;
	int32_t from;
	int level, rv;

	if (f[0][0] == 0
	    || strspn(f[0],
	           "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	           "abcdefghijklmnopqrstuvwxyz-_.")
	        != strlen(f[0])) {
		return cosoi_fail(s, COSO_ECSV,
		    "line %zu: code: empty or not letters, digits, - _ .",
		    line);
	}
	if (strlen(f[0]) > COSO_ID_MAX) {
		return cosoi_fail(s, COSO_ECSV,
		    "line %zu: code: longer than %u characters", line,
		    COSO_ID_MAX);
	}
	if ((level = level_parse(f[2])) == 0) {
		return cosoi_fail(s, COSO_ECSV,
		    "line %zu: level: `%s' is not province, district, "
		    "commune, "
		    "village or household",
		    line, f[2]);
	}
	if (coso_date_parse(f[4], &from) != COSO_OK) {
		return cosoi_fail(s, COSO_ECSV,
		    "line %zu: valid_from: `%s' is not a date", line, f[4]);
	}
	if ((rv = cosoi_text(s, "name", f[1], &name)) != COSO_OK
	    || name == NULL) {
		free(name);
		return cosoi_fail(s, COSO_ECSV, "line %zu: name: %s", line,
		    rv ? coso_strerror(rv) : "empty");
	}
	if ((rv = note_move(s, f[0], f[3], from)) != COSO_OK) {
		free(name);
		return rv;
	}
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, f[0], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, level);
	if (f[3][0] != 0) {
		sqlite3_bind_text(st, 4, f[3], -1, SQLITE_STATIC);
	} else {
		sqlite3_bind_null(st, 4);
	}
	sqlite3_bind_int(st, 5, from);
	rv = sqlite3_step(st) == SQLITE_DONE
	    ? COSO_OK
	    : cosoi_db_fail(s, "cannot store the unit");
	free(name);
	return rv;
}

/* Every parent named must be a unit of the store once all are in. */
static int
check_parents(struct coso_store *s)
{
	sqlite3_stmt *st = NULL;
	int rc, rv = COSO_OK;

	if (sqlite3_prepare_v2(s->db,
	        "SELECT u.code, u.parent FROM units u WHERE u.parent IS NOT "
	        "NULL AND NOT EXISTS (SELECT 1 FROM units p WHERE p.code = "
	        "u.parent) LIMIT 1",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot check the unit tree");
	}
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		rv = cosoi_fail(s, COSO_ECSV,
		    "unit %s: parent_code `%s' is not a known unit",
		    sqlite3_column_text(st, 0), sqlite3_column_text(st, 1));
	} else if (rc != SQLITE_DONE) {
		rv = cosoi_db_fail(s, "cannot check the unit tree");
	}
	sqlite3_finalize(st);
	return rv;
}

static int
import_all(
    struct coso_store *s, struct cosoi_csv *c, sqlite3_stmt *st, size_t *count)
{
	char(*f)[CSV_FIELD_MAX + 1] = malloc(CSV_FIELDS * (CSV_FIELD_MAX + 1));
	int r, rv;

	if (f == NULL) {
		return cosoi_fail(s, COSO_ENOMEM, "out of memory");
	}
	if ((rv = check_header(s, c, f)) != COSO_OK) {
		goto out;
	}
	while ((r = cosoi_csv_record(c, f)) == 1) {
		if ((rv = import_row(s, st, c->line, f)) != COSO_OK) {
			goto out;
		}
		(*count)++;
	}
	rv = r < 0 ? cosoi_fail(s, COSO_ECSV,
	         "line %zu: malformed CSV: %s (5 fields, RFC 4180 "
	         "quoting; a field at most %u bytes)",
	         c->line, c->why, CSV_FIELD_MAX)
	           : check_parents(s);
out:
	free(f);
	return rv;
}

int
cosoi_units_import(
    struct coso_store *s, const char *csv, size_t len, size_t *count)
{
	struct cosoi_csv c = {csv, csv + len, 0, NULL};
	sqlite3_stmt *st   = NULL;
	size_t n           = 0;
	int rv;

	if (len > COSO_CSV_MAX) {
		return cosoi_fail(s, COSO_ETOOBIG,
		    "unit list larger than %u bytes", COSO_CSV_MAX);
	}
	if ((rv = cosoi_begin(s)) != COSO_OK) {
		return rv;
	}
	if (sqlite3_prepare_v2(s->db,
	        "INSERT INTO units (code, name, level, parent, valid_from) "
	        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET "
	        "name = excluded.name, level = excluded.level, parent = "
	        "excluded.parent, valid_from = min(valid_from, "
	        "excluded.valid_from)",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		rv = cosoi_db_fail(s, "cannot store units");
	} else {
		rv = import_all(s, &c, st, &n);
	}
	sqlite3_finalize(st);
	if (rv != COSO_OK) {
		cosoi_rollback(s);
		return rv;
	}
	if ((rv = cosoi_commit(s)) == COSO_OK) {
		*count = n;
	}
	return rv;
}

/* Whether the central knows this device: it enrolled, or it has pulled. */
static int
enrolled(struct coso_store *s)
{
	char *e = cosoi_meta_get(s, "enrolled");
	char *c = cosoi_meta_get(s, "pull_cursor");
	int yes = (e != NULL && strcmp(e, "1") == 0) || c != NULL;

	free(e);
	free(c);
	return yes;
}

int
coso_units_import(
    struct coso_store *s, const char *csv, size_t len, size_t *count)
{
	if (enrolled(s)) {
		return cosoi_fail(s, COSO_ESTATE,
		    "this device is enrolled: its units come from the central "
		    "with each `coso sync', as the office signed them (`coso "
		    "admin units import' on the office's device); a local "
		    "import would overwrite them, so nothing was imported");
	}
	return cosoi_units_import(s, csv, len, count);
}

/*
 * What a record names, checked before it is signed: the central checks
 * the same at merge (daemon/central/refs.c) and would quarantine it.
 */

int
cosoi_unit_span(struct coso_store *s, const char *field, const char *code,
    struct cosoi_span *u)
{
	sqlite3_stmt *st = NULL;
	int rc, rv;

	if ((rv = cosoi_unit_known(s, field, code)) != COSO_OK) {
		return rv;
	}
	if (sqlite3_prepare_v2(s->db,
	        "SELECT u.name, u.valid_from, coalesce(u.valid_to, 0), "
	        "coalesce(u.merged_into, ''), coalesce(m.name, '') FROM units "
	        "u LEFT JOIN units m ON m.code = u.merged_into WHERE u.code = "
	        "?",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot read the units");
	}
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		snprintf(u->name, sizeof(u->name), "%s",
		    (const char *) sqlite3_column_text(st, 0));
		u->from = sqlite3_column_int(st, 1);
		u->to   = sqlite3_column_int(st, 2);
		snprintf(u->into, sizeof(u->into), "%s",
		    (const char *) sqlite3_column_text(st, 3));
		snprintf(u->into_name, sizeof(u->into_name), "%s",
		    (const char *) sqlite3_column_text(st, 4));
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? COSO_OK
	                        : cosoi_db_fail(s, "cannot read the units");
}

int
cosoi_span_refuse(struct coso_store *s, const char *field, const char *code,
    const struct cosoi_span *u, int32_t date)
{
	char d[11], end[11];

	coso_date_format(d, date);
	if (date < u->from) {
		coso_date_format(end, u->from);
		return cosoi_fail(s, COSO_EDATE,
		    "%s: %s (%s) did not exist yet on %s: it exists from %s",
		    field, u->name, code, d, end);
	}
	coso_date_format(end, u->to);
	if (u->into[0] != 0) {
		return cosoi_fail(s, COSO_EDATE,
		    "%s: %s (%s) no longer existed on %s: it ended on %s and "
		    "went into %s (%s)",
		    field, u->name, code, d, end, u->into_name, u->into);
	}
	return cosoi_fail(s, COSO_EDATE,
	    "%s: %s (%s) no longer existed on %s: it ended on %s", field,
	    u->name, code, d, end);
}

int
cosoi_unit_on(
    struct coso_store *s, const char *field, const char *code, int32_t date)
{
	struct cosoi_span u;
	int rv;

	if ((rv = cosoi_unit_span(s, field, code, &u)) != COSO_OK) {
		return rv;
	}
	if (date >= u.from && (u.to == 0 || date <= u.to)) {
		return COSO_OK;
	}
	return cosoi_span_refuse(s, field, code, &u, date);
}

int
cosoi_cadre_known(struct coso_store *s, const char *field, const char *id)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db,
	        "SELECT 1 FROM cadres WHERE cadre_id = ?", -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot read the cadres");
	}
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW) {
		return COSO_OK;
	}
	return rc != SQLITE_DONE
	    ? cosoi_db_fail(s, "cannot read the cadres")
	    : cosoi_fail(s, COSO_ENOENT,
	        "%s: no cadre `%s' is known to this device (`coso admin "
	        "cadre list' lists them; add one with `coso admin cadre "
	        "add', or sync to bring the office's)",
	        field, id);
}

int
cosoi_cadre_named(struct coso_store *s, const char *field, const char *id)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(
	        s->db, "SELECT 1 FROM cadres LIMIT 1", -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot read the cadres");
	}
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE) {
		return COSO_OK;
	}
	return rc == SQLITE_ROW ? cosoi_cadre_known(s, field, id)
	                        : cosoi_db_fail(s, "cannot read the cadres");
}
