/*
 * units.c: importing the administrative tree from CSV.
 *
 * The format is the one of shared reference data and `coso units import`:
 * header `code,name,level,parent_code,valid_from`, UTF-8 (a BOM is
 * allowed), LF or CRLF, RFC 4180 quoting.  Every row is checked and the
 * whole file is stored in one transaction, or nothing is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "internal.h"

#define CSV_FIELDS    5
#define CSV_FIELD_MAX 1024u
#define CSV_BYTES_MAX (64u * 1024u * 1024u)

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
coso_units_import(
    struct coso_store *s, const char *csv, size_t len, size_t *count)
{
	struct cosoi_csv c = {csv, csv + len, 0, NULL};
	sqlite3_stmt *st   = NULL;
	size_t n           = 0;
	int rv;

	if (len > CSV_BYTES_MAX) {
		return cosoi_fail(s, COSO_ETOOBIG,
		    "unit list larger than %u bytes", CSV_BYTES_MAX);
	}
	if ((rv = cosoi_begin(s)) != COSO_OK) {
		return rv;
	}
	if (sqlite3_prepare_v2(s->db,
	        "INSERT OR REPLACE INTO units (code, name, level, parent, "
	        "valid_from) VALUES (?, ?, ?, ?, ?)",
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
