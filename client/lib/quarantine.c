/*
 * quarantine.c: what the central did not accept of this device's work.
 *
 * The PUSH reply gives a verdict and a reason per change-set; they are
 * kept in the outbox row (verdict 3, quarantined, and the coso_err code).
 * A quarantined change-set is stored in the central's log but merged
 * nowhere: its records count for nothing, and the cadre must know which
 * records they are and why.  The outbox holds the signed bytes, so the
 * records are the ops of those bytes: they are decoded into temporary
 * tables of this connection that listings join (a store has no column
 * naming the change-set of a pulled record, and a record's seq is its
 * author's, which another key of the same cadre shares).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* temp.qrows: every row a quarantined change-set of this device wrote;
 * temp.qmark: each such row once, with the reason's name, for listings
 * to join; temp.csmain: the first row of each change-set of the
 * outbox. */
static const char tables_sql[]
    = "CREATE TEMP TABLE IF NOT EXISTS qrows (row BLOB NOT NULL,"
      " seq INTEGER NOT NULL, k INTEGER NOT NULL, tbl INTEGER NOT NULL,"
      " kind TEXT, reason INTEGER, name TEXT, PRIMARY KEY (seq, k));"
      "CREATE INDEX IF NOT EXISTS temp.qrows_row ON qrows (row);"
      "CREATE TEMP TABLE IF NOT EXISTS qmark (row BLOB PRIMARY KEY,"
      " name TEXT);"
      "CREATE TEMP TABLE IF NOT EXISTS csmain (seq INTEGER PRIMARY KEY,"
      " tbl INTEGER NOT NULL, kind TEXT, row BLOB NOT NULL,"
      " nops INTEGER NOT NULL);"
      "CREATE INDEX IF NOT EXISTS temp.csmain_row ON csmain (row);";

/* The ops of one stored change-set; *ops NULL if it does not decode
 * (the device signed it, so that is a damaged store: it is left out). */
static void
decode(const uint8_t *cs, size_t len, struct coso_ops **ops)
{
	struct coso_changeset d;

	*ops = NULL;
	if (coso_changeset_peek(&d, cs, len) != COSO_OK
	    || coso_ops_decode(ops, d.body, d.body_len) != COSO_OK) {
		*ops = NULL;
	}
}

static const char *
kind_of(uint32_t table)
{
	const struct coso_schema_table *t = coso_schema_table(table);

	return t != NULL ? t->name : NULL;
}

static void
bind_kind(sqlite3_stmt *st, int col, uint32_t table)
{
	const char *k = kind_of(table);

	if (k != NULL) {
		sqlite3_bind_text(st, col, k, -1, SQLITE_STATIC);
	} else {
		sqlite3_bind_null(st, col);
	}
}

/* Inserts the rows of one quarantined change-set. */
static int
put_qrows(struct coso_store *s, sqlite3_stmt *ins, int64_t seq, int reason,
    const struct coso_ops *ops)
{
	const char *name = coso_reason_name(reason);

	if (name == NULL) {
		name = "quarantined"; /* a reason newer than this coso */
	}
	size_t k;

	for (k = 0; k < ops->nops; k++) {
		sqlite3_reset(ins);
		sqlite3_bind_blob(ins, 1, ops->ops[k].row, 16, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 2, seq);
		sqlite3_bind_int64(ins, 3, (sqlite3_int64) k);
		sqlite3_bind_int64(ins, 4, ops->ops[k].table);
		bind_kind(ins, 5, ops->ops[k].table);
		sqlite3_bind_int(ins, 6, reason);
		sqlite3_bind_text(ins, 7, name, -1, SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE) {
			return cosoi_db_fail(s, "cannot list the quarantine");
		}
	}
	return COSO_OK;
}

/* Inserts the first row of one change-set. */
static int
put_main(struct coso_store *s, sqlite3_stmt *ins, int64_t seq, int reason,
    const struct coso_ops *ops)
{
	(void) reason;
	if (ops->nops == 0) {
		return COSO_OK;
	}
	sqlite3_reset(ins);
	sqlite3_bind_int64(ins, 1, seq);
	sqlite3_bind_int64(ins, 2, ops->ops[0].table);
	bind_kind(ins, 3, ops->ops[0].table);
	sqlite3_bind_blob(ins, 4, ops->ops[0].row, 16, SQLITE_STATIC);
	sqlite3_bind_int64(ins, 5, (sqlite3_int64) ops->nops);
	return sqlite3_step(ins) == SQLITE_DONE
	    ? COSO_OK
	    : cosoi_db_fail(s, "cannot read the outbox");
}

typedef int (*put_fn)(struct coso_store *s, sqlite3_stmt *ins, int64_t seq,
    int reason, const struct coso_ops *ops);

/* Decodes each outbox entry sel gives (seq, reason, bytes) into ins. */
static int
fill(struct coso_store *s, const char *sel, const char *ins_sql, put_fn put)
{
	sqlite3_stmt *st = NULL, *ins = NULL;
	struct coso_ops *ops;
	int rc, rv = COSO_OK;

	if (sqlite3_prepare_v2(s->db, sel, -1, &st, NULL) != SQLITE_OK
	    || sqlite3_prepare_v2(s->db, ins_sql, -1, &ins, NULL)
	        != SQLITE_OK) {
		rv = cosoi_db_fail(s, "cannot read the outbox");
		goto out;
	}
	while (rv == COSO_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		decode(sqlite3_column_blob(st, 2),
		    (size_t) sqlite3_column_bytes(st, 2), &ops);
		if (ops != NULL) {
			rv = put(s, ins, sqlite3_column_int64(st, 0),
			    sqlite3_column_int(st, 1), ops);
		}
		coso_ops_free(ops);
	}
	if (rv == COSO_OK && rc != SQLITE_DONE) {
		rv = cosoi_db_fail(s, "cannot read the outbox");
	}
out:
	sqlite3_finalize(st);
	sqlite3_finalize(ins);
	return rv;
}

static int quarantine_build(struct coso_store *s);

/* Whether temp.qrows still holds what the store says: nothing was
 * committed since it was built, by this connection or another.  A
 * listing calls the load for every query, and the query for verdicts
 * reads the whole outbox: at 10,000 change-sets a screen of the app
 * made of several listings paid for it each time. */
static int
quarantine_fresh(struct coso_store *s, uint64_t *version)
{
	if (coso_store_data_version(s, version) != COSO_OK) {
		return 0;
	}
	return s->q_built && s->q_version == *version
	    && s->q_changes == (int64_t) sqlite3_total_changes(s->db);
}

int
cosoi_quarantine_load(struct coso_store *s)
{
	uint64_t version = 0;
	int rv;

	if (quarantine_fresh(s, &version)) {
		return COSO_OK;
	}
	s->q_built = 0;
	rv         = quarantine_build(s);
	if (rv == COSO_OK) {
		s->q_built   = 1;
		s->q_version = version;
		s->q_changes = (int64_t) sqlite3_total_changes(s->db);
	}
	return rv;
}

/* Rebuilds temp.qrows and temp.qmark from the outbox's verdicts. */
static int
quarantine_build(struct coso_store *s)
{
	int rv;

	if ((rv = cosoi_exec(s, tables_sql)) != COSO_OK
	    || (rv = cosoi_exec(
	            s, "DELETE FROM temp.qrows; DELETE FROM temp.qmark"))
	        != COSO_OK
	    || (rv = fill(s,
	            "SELECT seq, reason, bytes FROM outbox WHERE verdict = 3 "
	            "ORDER BY seq",
	            "INSERT OR REPLACE INTO temp.qrows (row, seq, k, tbl, "
	            "kind, reason, name) VALUES (?, ?, ?, ?, ?, ?, ?)",
	            put_qrows))
	        != COSO_OK) {
		return rv;
	}
	return cosoi_exec(s,
	    "INSERT OR IGNORE INTO temp.qmark SELECT row, name FROM "
	    "temp.qrows ORDER BY seq, k");
}

int
cosoi_records_load(struct coso_store *s)
{
	int rv;

	/* Signed bytes never change: only entries not decoded yet. */
	if ((rv = cosoi_exec(s, tables_sql)) != COSO_OK) {
		return rv;
	}
	return fill(s,
	    "SELECT seq, 0, bytes FROM outbox WHERE seq > (SELECT "
	    "coalesce(max(seq), 0) FROM temp.csmain) ORDER BY seq",
	    "INSERT OR REPLACE INTO temp.csmain (seq, tbl, kind, row, nops) "
	    "VALUES (?, ?, ?, ?, ?)",
	    put_main);
}

int
coso_quarantine_list(
    struct coso_store *s, uint64_t after_seq, coso_row_cb cb, void *arg)
{
	sqlite3_stmt *st = NULL;
	int rv;

	if ((rv = cosoi_quarantine_load(s)) != COSO_OK) {
		return rv;
	}
	if (sqlite3_prepare_v2(s->db,
	        "SELECT q.seq, o.id AS changeset, q.name AS reason, "
	        "q.reason AS code, q.kind AS record, q.row AS record_id, "
	        "coalesce(v.unit, r.unit, h.unit, p.unit) AS unit, "
	        "u.name AS unit_name, coalesce(v.date, h.date, p.date, "
	        "r.submitted) AS date, r.period, o.acked_ms AS answered_ms, "
	        "(SELECT count(*) FROM temp.qrows c WHERE c.seq = q.seq) "
	        "AS ops FROM temp.qrows q JOIN outbox o ON o.seq = q.seq "
	        "LEFT JOIN visits v ON v.id = q.row AND q.tbl = 7 "
	        "LEFT JOIN reports r ON r.id = q.row AND q.tbl = 11 "
	        "LEFT JOIN handovers h ON h.id = q.row AND q.tbl = 12 "
	        "LEFT JOIN proposals p ON p.id = q.row AND q.tbl = 9 "
	        "LEFT JOIN units u ON u.code = coalesce(v.unit, r.unit, "
	        "h.unit, p.unit) WHERE q.k = 0 AND q.seq > ? ORDER BY q.seq",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot list the quarantine");
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64) after_seq);
	rv = cosoi_rows(s, st, "quarantine", cb, arg);
	sqlite3_finalize(st);
	return rv;
}
