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
	char sql[160], prefix[33];
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
	    "lower(hex(id)) LIKE '%%' || ?1 LIMIT 2",
	    kinds[i].table);
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot look up the id");
	}
	sqlite3_bind_text(st, 1, prefix, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW && ++n == 1) {
		memcpy(id, sqlite3_column_blob(st, 0), 16);
	}
	sqlite3_finalize(st);
	if (n == 0) {
		return cosoi_fail(
		    s, COSO_ENOENT, "no %s with id `%s'", kind, hex);
	}
	if (n > 1) {
		return cosoi_fail(s, COSO_EFIELD,
		    "id: `%s' matches more than one %s; give more digits", hex,
		    kind);
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

static const char proposals_of[]
    = "SELECT id, date, unit, text, status, response FROM proposals "
      "WHERE source = ?1 ORDER BY rowid";

int
coso_visit_show(
    struct coso_store *s, const char *hex, coso_row_cb cb, void *arg)
{
	uint8_t id[16];
	int rv;

	if ((rv = coso_id_resolve(s, "visit", hex, id))
	    || (rv = by_id(s,
	            "SELECT " COSOI_VISIT_COLS ", v.amends, o.id AS changeset "
	            "FROM "
	            "visits v LEFT JOIN units u ON u.code = v.unit LEFT JOIN "
	            "outbox o ON o.seq = v.seq WHERE v.id = ?1",
	            "visit", id, cb, arg))
	    || (rv = by_id(s,
	            "SELECT id, text, quantity AS quantity_milli, "
	            "quantity_unit, amount_vnd FROM outcomes WHERE visit = ?1 "
	            "ORDER BY rowid",
	            "outcome", id, cb, arg))) {
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
	    || (rv = by_id(s,
	            "SELECT r.id, r.period, r.unit, u.name AS unit_name, "
	            "r.status, r.submitted, r.results, r.situation, "
	            "r.difficulties, r.proposals, r.amends, r.seq, r.author, "
	            "o.id AS changeset FROM reports r LEFT JOIN units u ON "
	            "u.code = r.unit LEFT JOIN outbox o ON o.seq = r.seq "
	            "WHERE r.id = ?1",
	            "report", id, cb, arg))) {
		return rv;
	}
	return by_id(s, proposals_of, "proposal", id, cb, arg);
}
