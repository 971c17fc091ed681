/*
 * read.c: listings, single objects, status and the outbox.
 *
 * Every row reaches the caller as a struct coso_row of named values, built
 * from the result columns: BLOB ids become hex text, columns whose name
 * ends in "date" (and valid_from, submitted) are flagged as dates.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define ROW_COLS_MAX 32

static int
is_date_col(const char *name)
{
	size_t n = strlen(name);

	return (n >= 4 && strcmp(name + n - 4, "date") == 0)
	    || strcmp(name, "valid_from") == 0 || strcmp(name, "valid_to") == 0
	    || strcmp(name, "submitted") == 0;
}

/* Fills kv from the current result row; hex holds BLOB renderings. */
static void
row_values(sqlite3_stmt *st, struct coso_kv *kv, char (*hex)[129], int n)
{
	int i;

	for (i = 0; i < n; i++) {
		const char *name = sqlite3_column_name(st, i);
		int type         = sqlite3_column_type(st, i);

		memset(&kv[i], 0, sizeof(kv[i]));
		kv[i].key = name;
		if (type == SQLITE_INTEGER) {
			kv[i].type    = COSO_VINT;
			kv[i].i       = sqlite3_column_int64(st, i);
			kv[i].is_date = is_date_col(name);
		} else if (type == SQLITE_BLOB) {
			int len = sqlite3_column_bytes(st, i);
			coso_hex(hex[i], sqlite3_column_blob(st, i),
			    (size_t) (len > 64 ? 64 : len));
			kv[i].type = COSO_VTEXT;
			kv[i].s    = hex[i];
		} else if (type == SQLITE_TEXT || type == SQLITE_FLOAT) {
			kv[i].type = COSO_VTEXT;
			kv[i].s    = (const char *) sqlite3_column_text(st, i);
		} else {
			kv[i].type = COSO_VNULL;
		}
	}
}

int
cosoi_rows(struct coso_store *s, sqlite3_stmt *st, const char *kind,
    coso_row_cb cb, void *arg)
{
	struct coso_kv kv[ROW_COLS_MAX];
	char hex[ROW_COLS_MAX][129];
	struct coso_row row = {kind, 0, kv};
	int n = sqlite3_column_count(st), rc, stop = 0;

	if (n > ROW_COLS_MAX) {
		return cosoi_fail(s, COSO_EINVAL, "too many columns");
	}
	row.n = (size_t) n;
	while (stop == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		row_values(st, kv, hex, n);
		stop = cb(&row, arg);
	}
	if (stop != 0) {
		return stop;
	}
	return rc == SQLITE_DONE ? COSO_OK : cosoi_db_fail(s, "cannot read");
}

/* Prepares sql, binds the filter as ?1 unit, ?2 since, and lists. */
static int
list(struct coso_store *s, const char *sql, const char *kind,
    const struct coso_filter *f, coso_row_cb cb, void *arg)
{
	sqlite3_stmt *st = NULL;
	int rv;

	if ((rv = cosoi_quarantine_load(s)) != COSO_OK) {
		return rv;
	}
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot read the store");
	}
	if (f != NULL && f->unit != NULL) {
		sqlite3_bind_text(st, 1, f->unit, -1, SQLITE_STATIC);
	}
	sqlite3_bind_int(st, 2, f != NULL ? f->since : 0);
	sqlite3_bind_int(st, 3, f != NULL ? f->open_only : 0);
	/* ?4 limit, ?5 offset, where the query pages (-1: no limit) */
	sqlite3_bind_int64(
	    st, 4, f != NULL && f->limit > 0 ? (sqlite3_int64) f->limit : -1);
	sqlite3_bind_int64(st, 5, f != NULL ? (sqlite3_int64) f->offset : 0);
	rv = cosoi_rows(s, st, kind, cb, arg);
	sqlite3_finalize(st);
	return rv;
}

#define VISITS_FROM                                           \
	"FROM visits v LEFT JOIN units u ON u.code = v.unit " \
	"LEFT JOIN temp.qmark q ON q.row = v.id "             \
	"WHERE (?1 IS NULL OR v.unit = ?1) AND v.date >= ?2 "
#define VISITS_SELECT                                                     \
	"SELECT " COSOI_VISIT_COLS ", (SELECT count(*) FROM proposals p " \
	"WHERE p.source = v.id) AS proposals, q.name AS "                 \
	"quarantine " VISITS_FROM

int
coso_visit_list(struct coso_store *s, const struct coso_filter *f,
    coso_row_cb cb, void *arg)
{
	return list(s,
	    f != NULL && f->newest_first
	        ? VISITS_SELECT "ORDER BY v.date DESC, v.seq DESC "
	                        "LIMIT ?4 OFFSET ?5"
	        : VISITS_SELECT "ORDER BY v.date, v.seq LIMIT ?4 OFFSET ?5",
	    "visit", f, cb, arg);
}

/* The count's one row. */
static int
count_take(const struct coso_row *row, void *arg)
{
	*(uint64_t *) arg = row->n > 0 ? (uint64_t) row->kv[0].i : 0;
	return 0;
}

int
coso_visit_count(
    struct coso_store *s, const struct coso_filter *f, uint64_t *n)
{
	*n = 0;
	return list(
	    s, "SELECT count(*) AS n " VISITS_FROM, "count", f, count_take, n);
}

int
coso_report_list(struct coso_store *s, const struct coso_filter *f,
    coso_row_cb cb, void *arg)
{
	return list(s,
	    "SELECT r.id, r.period, r.unit, u.name AS unit_name, r.status, "
	    "r.submitted, r.amends, r.seq, q.name AS quarantine "
	    "FROM reports r LEFT JOIN units u ON u.code = r.unit "
	    "LEFT JOIN temp.qmark q ON q.row = r.id "
	    "WHERE (?1 IS NULL OR r.unit = ?1) ORDER BY r.created_ms",
	    "report", f, cb, arg);
}

int
coso_proposal_list(struct coso_store *s, const struct coso_filter *f,
    coso_row_cb cb, void *arg)
{
	return list(s,
	    "SELECT p.id, p.date, p.unit, u.name AS unit_name, p.text, "
	    "p.status, p.source_kind, p.source, p.response, "
	    "q.name AS quarantine FROM proposals p "
	    "LEFT JOIN units u ON u.code = p.unit "
	    "LEFT JOIN temp.qmark q ON q.row = p.id "
	    "WHERE (?1 IS NULL OR p.unit = ?1) AND p.date >= ?2 AND "
	    "(?3 = 0 OR p.status IN ('open', 'answered')) ORDER BY p.date",
	    "proposal", f, cb, arg);
}

int
coso_handover_list(struct coso_store *s, const struct coso_filter *f,
    coso_row_cb cb, void *arg)
{
	return list(s,
	    "SELECT h.id, h.date, h.unit, u.name AS unit_name, h.text, "
	    "h.to_cadre, h.author, h.seq, q.name AS quarantine "
	    "FROM handovers h LEFT JOIN units u ON u.code = h.unit "
	    "LEFT JOIN temp.qmark q ON q.row = h.id "
	    "WHERE (?1 IS NULL OR h.unit = ?1) AND h.date >= ?2 "
	    "ORDER BY h.date, h.seq",
	    "handover", f, cb, arg);
}

int
coso_outcome_list(struct coso_store *s, const struct coso_filter *f,
    coso_row_cb cb, void *arg)
{
	return list(s,
	    "SELECT o.id, o.visit, v.unit, v.date, o.text, o.quantity AS "
	    "quantity_milli, "
	    "o.quantity_unit, o.amount_vnd, q.name AS quarantine "
	    "FROM outcomes o JOIN visits v ON v.id = o.visit "
	    "LEFT JOIN temp.qmark q ON q.row = o.id WHERE (?1 IS NULL OR "
	    "v.unit = ?1) AND v.date >= "
	    "?2 "
	    "ORDER BY v.date, v.seq, o.rowid",
	    "outcome", f, cb, arg);
}
