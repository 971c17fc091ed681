/*
 * show.c: one object by id, the store's status, the outbox, and the
 * re-verification of the device's own chain.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const struct {
	const char *kind, *table;
} kinds[] = {
    {"visit", "visits"},
    {"report", "reports"},
    {"proposal", "proposals"},
    {"handover", "handovers"},
};

/* Lowercases and checks a hex id, or its first or last 8..31 digits. */
static int
clean_hex(char out[33], const char *hex)
{
	size_t i, n = hex != NULL ? strlen(hex) : 0;

	if (n < 8 || n > 32) {
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (!isxdigit((unsigned char) hex[i])) {
			return 0;
		}
		out[i] = (char) tolower((unsigned char) hex[i]);
	}
	out[n] = 0;
	return 1;
}

int
coso_id_resolve(struct coso_store *s, const char *kind, const char *hex,
    uint8_t id[static 16])
{
	char sql[160], prefix[33], some[4 * 34 + 1] = "";
	sqlite3_stmt *st = NULL;
	size_t i;
	int n = 0;

	for (i = 0; i < 4 && strcmp(kinds[i].kind, kind) != 0; i++) { }
	if (i == 4 || !clean_hex(prefix, hex)) {
		return cosoi_fail(s, COSO_EFIELD,
		    "id: `%s' is not an id (8 to 32 hex digits)",
		    hex ? hex : "");
	}
	snprintf(sql, sizeof(sql),
	    "SELECT id FROM %s WHERE lower(hex(id)) LIKE ?1 || '%%' OR "
	    "lower(hex(id)) LIKE '%%' || ?1 ORDER BY id LIMIT 5",
	    kinds[i].table);
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot look up the id");
	}
	sqlite3_bind_text(st, 1, prefix, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW
	    && sqlite3_column_bytes(st, 0) == 16) {
		const uint8_t *h = sqlite3_column_blob(st, 0);
		char full[33];

		if (++n == 1) {
			memcpy(id, h, 16);
		}
		/* The candidates are named, so the cadre sees which digits
		 * tell them apart; four at most. */
		if (n <= 4) {
			coso_hex(full, h, 16);
			snprintf(some + strlen(some),
			    sizeof(some) - strlen(some), "%s%s",
			    n > 1 ? ", " : "", full);
		}
	}
	sqlite3_finalize(st);
	if (n == 0) {
		return cosoi_fail(
		    s, COSO_ENOENT, "no %s with id `%s'", kind, hex);
	}
	if (n > 1) {
		return cosoi_fail(s, COSO_EFIELD,
		    "id: `%s' matches more than one %s (%s%s); give more "
		    "digits",
		    hex, kind, some, n > 4 ? ", …" : "");
	}
	return COSO_OK;
}

/* Runs sql with ?1 bound to id and hands rows of kind to cb. */
static int
by_id(struct coso_store *s, const char *sql, const char *kind,
    const uint8_t id[16], coso_row_cb cb, void *arg)
{
	sqlite3_stmt *st = NULL;
	int rv;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot read the store");
	}
	sqlite3_bind_blob(st, 1, id, 16, SQLITE_STATIC);
	rv = cosoi_rows(s, st, kind, cb, arg);
	sqlite3_finalize(st);
	return rv;
}

/* The queries of `show'.  A record's change-set is this device's that
 * wrote it (temp.csmain: NULL for a record pulled from another key),
 * found by the row and not by seq, which is the author's and which
 * another key of the same cadre shares. */
static const char proposals_of[]
    = "SELECT p.id, p.date, p.unit, p.text, p.status, p.response, "
      "q.name AS quarantine FROM proposals p "
      "LEFT JOIN temp.qmark q ON q.row = p.id "
      "WHERE p.source = ?1 ORDER BY p.rowid";

static const char visit_sql[]
    = "SELECT " COSOI_VISIT_COLS ", v.amends, o.id AS changeset, "
      "q.name AS quarantine FROM visits v "
      "LEFT JOIN units u ON u.code = v.unit "
      "LEFT JOIN temp.csmain m ON m.row = v.id "
      "LEFT JOIN outbox o ON o.seq = m.seq "
      "LEFT JOIN temp.qmark q ON q.row = v.id WHERE v.id = ?1";

static const char outcomes_sql[]
    = "SELECT c.id, c.text, c.quantity AS quantity_milli, "
      "c.quantity_unit, c.amount_vnd, q.name AS quarantine "
      "FROM outcomes c LEFT JOIN temp.qmark q ON q.row = c.id "
      "WHERE c.visit = ?1 ORDER BY c.rowid";

static const char report_sql[]
    = "SELECT r.id, r.period, r.unit, u.name AS unit_name, r.status, "
      "r.submitted, r.results, r.situation, r.difficulties, r.proposals, "
      "r.amends, r.seq, r.author, o.id AS changeset, "
      "q.name AS quarantine FROM reports r "
      "LEFT JOIN units u ON u.code = r.unit "
      "LEFT JOIN temp.csmain m ON m.row = r.id "
      "LEFT JOIN outbox o ON o.seq = m.seq "
      "LEFT JOIN temp.qmark q ON q.row = r.id WHERE r.id = ?1";

int
coso_visit_show(
    struct coso_store *s, const char *hex, coso_row_cb cb, void *arg)
{
	uint8_t id[16];
	int rv;

	if ((rv = coso_id_resolve(s, "visit", hex, id))
	    || (rv = cosoi_quarantine_load(s)) || (rv = cosoi_records_load(s))
	    || (rv = by_id(s, visit_sql, "visit", id, cb, arg))
	    || (rv = by_id(s, outcomes_sql, "outcome", id, cb, arg))) {
		return rv;
	}
	return by_id(s, proposals_of, "proposal", id, cb, arg);
}

int
coso_report_show(
    struct coso_store *s, const char *hex, coso_row_cb cb, void *arg)
{
	uint8_t id[16];
	int rv;

	if ((rv = coso_id_resolve(s, "report", hex, id))
	    || (rv = cosoi_quarantine_load(s)) || (rv = cosoi_records_load(s))
	    || (rv = by_id(s, report_sql, "report", id, cb, arg))) {
		return rv;
	}
	return by_id(s, proposals_of, "proposal", id, cb, arg);
}
