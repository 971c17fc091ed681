/*
 * report_store.c: the SQL behind the reports (report_store.h), on
 * SQLite.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include <coso/common.h>

#include "report_store.h"

#define BUSY_MS 5000

#define RS_QUERIES 9 /* enum rs_query */

struct cstore_report_db {
	sqlite3 *db;
	char errmsg[CSTORE_REPORT_ERRMSG_MAX];
	sqlite3_stmt *views[RS_QUERIES]; /* prepared once (the overview
	                                    asks once per report) */
};

/* Indexes of the reports' queries: reports by period (compliance),
 * visits by date and unit (coverage) and by cadre and date (the pack). */
static const char index_sql[]
    = "CREATE INDEX IF NOT EXISTS reports_period ON reports (period);"
      "CREATE INDEX IF NOT EXISTS visits_date_unit ON visits (date, unit);"
      "CREATE INDEX IF NOT EXISTS visits_cadre_date ON visits "
      "(by_cadre, date);"
      "CREATE INDEX IF NOT EXISTS outcomes_visit ON outcomes (visit);"
      "CREATE INDEX IF NOT EXISTS changesets_quarantined ON changesets "
      "(received_ms) WHERE verdict = 3;";

static int
fail(struct cstore_report_db *db, const char *what)
{
	snprintf(db->errmsg, sizeof(db->errmsg), "%s: %s", what,
	    sqlite3_errmsg(db->db));
	return COSO_EIO;
}

const char *
cstore_report_errmsg(const struct cstore_report_db *db)
{
	return db->errmsg;
}

static int
db_open(sqlite3 **db, const char *path, int flags, char *errmsg)
{
	if (sqlite3_open_v2(path, db, flags | SQLITE_OPEN_NOMUTEX, NULL)
	    != SQLITE_OK) {
		snprintf(errmsg, CSTORE_REPORT_ERRMSG_MAX,
		    "cannot open database `%s': %s", path,
		    *db != NULL ? sqlite3_errmsg(*db) : "out of memory");
		sqlite3_close(*db);
		*db = NULL;
		return COSO_EIO;
	}
	sqlite3_busy_timeout(*db, BUSY_MS);
	return COSO_OK;
}

int
cstore_report_indexes(
    const char *path, char errmsg[static CSTORE_REPORT_ERRMSG_MAX])
{
	sqlite3 *db = NULL;
	int rv;

	if ((rv = db_open(&db, path, SQLITE_OPEN_READWRITE, errmsg))
	    != COSO_OK) {
		return rv;
	}
	/* Every read-write open of the central database sets WAL and
	 * synchronous=FULL, as the store's own (store.c) does. */
	if (sqlite3_exec(db,
	        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;", NULL,
	        NULL, NULL)
	        != SQLITE_OK
	    || sqlite3_exec(db, index_sql, NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(errmsg, CSTORE_REPORT_ERRMSG_MAX,
		    "cannot index `%s': %s", path, sqlite3_errmsg(db));
		rv = COSO_EIO;
	}
	sqlite3_close(db);
	return rv;
}

int
cstore_report_open(struct cstore_report_db **out, const char *path,
    char errmsg[static CSTORE_REPORT_ERRMSG_MAX])
{
	struct cstore_report_db *db = calloc(1, sizeof(*db));
	int rv;

	if (db == NULL) {
		snprintf(errmsg, CSTORE_REPORT_ERRMSG_MAX, "out of memory");
		return COSO_ENOMEM;
	}
	if ((rv = db_open(&db->db, path, SQLITE_OPEN_READONLY, errmsg))
	    != COSO_OK) {
		free(db);
		return rv;
	}
	*out = db;
	return COSO_OK;
}

void
cstore_report_close(struct cstore_report_db *db)
{
	size_t i;

	if (db != NULL) {
		for (i = 0; i < RS_QUERIES; i++) {
			sqlite3_finalize(db->views[i]);
		}
		sqlite3_close(db->db);
		free(db);
	}
}

int
cstore_report_read_begin(struct cstore_report_db *db)
{
	return sqlite3_exec(db->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK
	    ? COSO_OK
	    : fail(db, "cannot begin a read");
}

void
cstore_report_read_end(struct cstore_report_db *db)
{
	(void) sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
}

/* ---- rows into arrays ---------------------------------------------------
 */

/* Room for one more element of size sz in *p (n used, *cap allocated). */
static int
grow(void **p, size_t *cap, size_t n, size_t sz)
{
	size_t ncap;
	void *q;

	if (n < *cap) {
		return COSO_OK;
	}
	if (n >= CSTORE_REPORT_ROWS_MAX) {
		return COSO_ETOOBIG;
	}
	ncap = *cap ? *cap * 2 : 64;
	if ((q = realloc(*p, ncap * sz)) == NULL) {
		return COSO_ENOMEM;
	}
	*p   = q;
	*cap = ncap;
	return COSO_OK;
}

/* Column i as a strdup'd string; NULL for SQL NULL.  *oom is set if the
 * copy failed. */
static char *
col_str(sqlite3_stmt *st, int i, int *oom)
{
	const char *t = (const char *) sqlite3_column_text(st, i);
	char *c;

	if (t == NULL || sqlite3_column_type(st, i) == SQLITE_NULL) {
		return NULL;
	}
	if ((c = strdup(t)) == NULL) {
		*oom = 1;
	}
	return c;
}

static int32_t
col_date(sqlite3_stmt *st, int i)
{
	return (int32_t) sqlite3_column_int64(st, i);
}

/* Runs st, calling take for each row with room for element n of the
 * array (*arr, *n, sz).  take returns non-zero on OOM. */
static int
collect(struct cstore_report_db *db, sqlite3_stmt *st, void **arr, size_t *n,
    size_t sz, int (*take)(sqlite3_stmt *, void *))
{
	size_t cap = *n;
	int rc, rv = COSO_OK;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rv = grow(arr, &cap, *n, sz)) != COSO_OK) {
			break;
		}
		memset((char *) *arr + *n * sz, 0, sz);
		if (take(st, (char *) *arr + *n * sz) != 0) {
			(*n)++; /* freed with the rest */
			rv = COSO_ENOMEM;
			break;
		}
		(*n)++;
	}
	if (rv == COSO_OK && rc != SQLITE_DONE) {
		rv = fail(db, "cannot read the database");
	}
	if (rv == COSO_ETOOBIG) {
		snprintf(db->errmsg, sizeof(db->errmsg), "too many rows");
	}
	sqlite3_finalize(st);
	return rv;
}

static sqlite3_stmt *
prep(struct cstore_report_db *db, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db->db, sql, -1, &st, NULL) != SQLITE_OK) {
		fail(db, "cannot query the database");
		return NULL;
	}
	return st;
}

static int
take_unit(sqlite3_stmt *st, void *p)
{
	struct rs_unit *u = p;
	int oom           = 0;

	u->code   = col_str(st, 0, &oom);
	u->name   = col_str(st, 1, &oom);
	u->level  = sqlite3_column_int(st, 2);
	u->parent = col_str(st, 3, &oom);
	u->from   = col_date(st, 4);
	u->to     = col_date(st, 5);
	u->merged = col_str(st, 6, &oom);
	return oom || u->code == NULL || u->name == NULL;
}

static int
take_cadre(sqlite3_stmt *st, void *p)
{
	struct rs_cadre *c = p;
	int oom            = 0;

	c->id   = col_str(st, 0, &oom);
	c->name = col_str(st, 1, &oom);
	return oom || c->id == NULL || c->name == NULL;
}

static int
take_assign(sqlite3_stmt *st, void *p)
{
	struct rs_assign *a = p;
	int oom             = 0;

	a->cadre  = col_str(st, 0, &oom);
	a->unit   = col_str(st, 1, &oom);
	a->sector = col_str(st, 2, &oom);
	a->role   = sqlite3_column_int(st, 3);
	a->from   = col_date(st, 4);
	a->to     = col_date(st, 5);
	a->note   = col_str(st, 6, &oom);
	return oom || a->cadre == NULL;
}

static int
take_sched(sqlite3_stmt *st, void *p)
{
	struct rs_sched *s = p;

	s->kind  = sqlite3_column_int(st, 0);
	s->due   = sqlite3_column_int(st, 1);
	s->grace = sqlite3_column_int(st, 2);
	return 0;
}

int
cstore_report_reference(struct cstore_report_db *db, struct rs_data *d)
{
	sqlite3_stmt *st;
	int rv;

	if ((st = prep(db,
	         "SELECT code, name, level, parent, valid_from, "
	         "ifnull(valid_to, 0), merged_into FROM units "
	         "WHERE deleted = 0 ORDER BY code"))
	        == NULL
	    || (rv = collect(db, st, (void **) &d->units, &d->nunits,
	            sizeof(*d->units), take_unit))
	        != COSO_OK) {
		return st == NULL ? COSO_EIO : rv;
	}
	if ((st = prep(db,
	         "SELECT cadre_id, name FROM cadres WHERE deleted = 0 "
	         "ORDER BY cadre_id"))
	        == NULL
	    || (rv = collect(db, st, (void **) &d->cadres, &d->ncadres,
	            sizeof(*d->cadres), take_cadre))
	        != COSO_OK) {
		return st == NULL ? COSO_EIO : rv;
	}
	if ((st = prep(db,
	         "SELECT cadre_id, unit, sector, role, valid_from, "
	         "ifnull(valid_to, 0), nullif(trim(handover_note), '') "
	         "FROM assignments WHERE deleted = 0 "
	         "ORDER BY cadre_id, valid_from, unit, sector"))
	        == NULL
	    || (rv = collect(db, st, (void **) &d->assigns, &d->nassigns,
	            sizeof(*d->assigns), take_assign))
	        != COSO_OK) {
		return st == NULL ? COSO_EIO : rv;
	}
	if ((st = prep(db,
	         "SELECT kind, due_days, grace_days FROM schedules "
	         "WHERE deleted = 0 ORDER BY kind, id"))
	    == NULL) {
		return COSO_EIO;
	}
	return collect(db, st, (void **) &d->scheds, &d->nscheds,
	    sizeof(*d->scheds), take_sched);
}

/* Whether a report's proposals section (column col: NULL when blank)
 * holds proposals: "Không có kiến nghị." says there are none. */
static int
with_proposals(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return t != NULL && !coso_proposals_none((const char *) t);
}

static int
take_report(sqlite3_stmt *st, void *p)
{
	struct rs_report *r = p;
	const void *k       = sqlite3_column_blob(st, 8);
	int oom             = 0;

	r->cadre         = col_str(st, 0, &oom);
	r->unit          = col_str(st, 1, &oom);
	r->period        = col_str(st, 2, &oom);
	r->complete      = sqlite3_column_int(st, 3);
	r->has_proposals = with_proposals(st, 4);
	r->submitted     = sqlite3_column_int64(st, 5);
	r->received      = (uint64_t) sqlite3_column_int64(st, 6);
	r->hlc           = (uint64_t) sqlite3_column_int64(st, 7);
	if (k != NULL && sqlite3_column_bytes(st, 8) == 32) {
		memcpy(r->author, k, 32);
	}
	r->id       = col_str(st, 9, &oom);
	r->position = sqlite3_column_int64(st, 10);
	return oom || r->cadre == NULL || r->unit == NULL || r->period == NULL
	    || r->id == NULL;
}

int
cstore_report_reports(struct cstore_report_db *db, const char *const *periods,
    size_t n, struct rs_data *d)
{
	sqlite3_stmt *st;
	size_t i;
	int rv = COSO_OK;

	/* The log entry of a report's change-set: the accepted copy, which
	 * the partial unique index on changesets (reason <> 64) finds. */
	for (i = 0; i < n && rv == COSO_OK; i++) {
		if ((st = prep(db,
		         "SELECT r.by_cadre, r.unit, r.period, "
		         "trim(r.results) <> '' AND trim(r.situation) <> '' "
		         "AND trim(r.difficulties) <> '' "
		         "AND trim(r.proposals) <> '', "
		         "CASE WHEN trim(r.proposals) <> '' THEN r.proposals "
		         "END, r.submitted, "
		         "c.received_ms, c.hlc, r.by_key, lower(hex(r.id)), "
		         "c.position FROM reports r "
		         "JOIN changesets c ON c.id = r.cs_id "
		         "AND c.reason <> 64 WHERE r.period = ?1"))
		    == NULL) {
			return COSO_EIO;
		}
		sqlite3_bind_text(st, 1, periods[i], -1, SQLITE_STATIC);
		rv = collect(db, st, (void **) &d->reports, &d->nreports,
		    sizeof(*d->reports), take_report);
	}
	return rv;
}

static int
take_visit(sqlite3_stmt *st, void *p)
{
	struct rs_visit *v = p;
	int oom            = 0;

	v->cadre    = col_str(st, 0, &oom);
	v->unit     = col_str(st, 1, &oom);
	v->date     = col_date(st, 2);
	v->outcomes = (uint64_t) sqlite3_column_int64(st, 3);
	v->amount   = sqlite3_column_int64(st, 4);
	return oom || v->unit == NULL;
}

int
cstore_report_proposal_visits(struct cstore_report_db *db, int32_t first,
    int32_t last, struct rs_data *d)
{
	sqlite3_stmt *st = prep(db,
	    "SELECT v.by_cadre, v.unit, v.date, 0, 0 FROM visits v "
	    "WHERE v.id IN (SELECT p.source FROM proposals p) "
	    "AND v.date BETWEEN ?1 AND ?2");

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_int(st, 1, first);
	sqlite3_bind_int(st, 2, last);
	return collect(db, st, (void **) &d->visits, &d->nvisits,
	    sizeof(*d->visits), take_visit);
}

int
cstore_report_visits(struct cstore_report_db *db, int32_t first, int32_t last,
    const char *cadre, struct rs_data *d)
{
	sqlite3_stmt *st;

	if (cadre == NULL) {
		st = prep(db,
		    "SELECT NULL, unit, max(date), 0, 0 FROM visits "
		    "WHERE date BETWEEN ?1 AND ?2 GROUP BY unit");
	} else {
		st = prep(db,
		    "SELECT v.by_cadre, v.unit, v.date, count(o.id), "
		    "ifnull(sum(o.amount_vnd), 0) FROM visits v "
		    "LEFT JOIN outcomes o ON o.visit = v.id "
		    "WHERE v.by_cadre = ?3 AND v.date BETWEEN ?1 AND ?2 "
		    "GROUP BY v.id ORDER BY v.date");
	}
	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_int(st, 1, first);
	sqlite3_bind_int(st, 2, last);
	if (cadre != NULL) {
		sqlite3_bind_text(st, 3, cadre, -1, SQLITE_STATIC);
	}
	return collect(db, st, (void **) &d->visits, &d->nvisits,
	    sizeof(*d->visits), take_visit);
}

int
cstore_report_skew(struct cstore_report_db *db,
    const uint8_t author[static 32], uint64_t received_ms, int64_t *skew)
{
	sqlite3_stmt *st = NULL;
	int rc;

	/* No table (a store not opened for writing since the checks came):
	 * nothing measured, which is no failure. */
	if (sqlite3_prepare_v2(db->db,
	        "SELECT central_ms - device_ms FROM clock_checks "
	        "WHERE key_id = ?1 AND central_ms <= ?2 AND central_ms >= ?3 "
	        "ORDER BY central_ms DESC LIMIT 1",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		return COSO_ENOENT;
	}
	sqlite3_bind_blob(st, 1, author, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t) received_ms);
	sqlite3_bind_int64(
	    st, 3, (int64_t) received_ms - (int64_t) CSTORE_SKEW_WINDOW_MS);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*skew = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW) {
		return COSO_OK;
	}
	return rc == SQLITE_DONE ? COSO_ENOENT
	                         : fail(db, "cannot read the clock checks");
}

int
cstore_report_batch_hlc(struct cstore_report_db *db,
    const uint8_t author[static 32], uint64_t received_ms, uint64_t *hlc)
{
	sqlite3_stmt *st = prep(db,
	    "SELECT max(hlc) FROM changesets WHERE author = ?1 "
	    "AND received_ms = ?2");
	int rv           = COSO_ENOENT;

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_blob(st, 1, author, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t) received_ms);
	if (sqlite3_step(st) == SQLITE_ROW
	    && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		*hlc = (uint64_t) sqlite3_column_int64(st, 0);
		rv   = COSO_OK;
	} else if (sqlite3_errcode(db->db) != SQLITE_ROW
	    && sqlite3_errcode(db->db) != SQLITE_DONE
	    && sqlite3_errcode(db->db) != SQLITE_OK) {
		rv = fail(db, "cannot read the log");
	}
	sqlite3_finalize(st);
	return rv;
}

static int
take_proposal(sqlite3_stmt *st, void *p)
{
	struct rs_proposal *q = p;
	int oom               = 0;

	q->cadre  = col_str(st, 0, &oom);
	q->unit   = col_str(st, 1, &oom);
	q->text   = col_str(st, 2, &oom);
	q->date   = col_date(st, 3);
	q->status = sqlite3_column_int(st, 4);
	q->id     = col_str(st, 5, &oom);
	return oom || q->cadre == NULL || q->unit == NULL || q->text == NULL
	    || q->id == NULL;
}

int
cstore_report_proposals(struct cstore_report_db *db, struct rs_data *d)
{
	sqlite3_stmt *st = prep(db,
	    "SELECT by_cadre, unit, text, date, ifnull(status, 0), "
	    "lower(hex(id)) FROM proposals ORDER BY date, unit, id");

	if (st == NULL) {
		return COSO_EIO;
	}
	return collect(db, st, (void **) &d->proposals, &d->nproposals,
	    sizeof(*d->proposals), take_proposal);
}

void
cstore_report_data_free(struct rs_data *d)
{
	size_t i;

	for (i = 0; i < d->nunits; i++) {
		free(d->units[i].code), free(d->units[i].name);
		free(d->units[i].parent), free(d->units[i].merged);
	}
	for (i = 0; i < d->ncadres; i++) {
		free(d->cadres[i].id), free(d->cadres[i].name);
	}
	for (i = 0; i < d->nassigns; i++) {
		free(d->assigns[i].cadre), free(d->assigns[i].unit);
		free(d->assigns[i].sector), free(d->assigns[i].note);
	}
	for (i = 0; i < d->nreports; i++) {
		free(d->reports[i].cadre), free(d->reports[i].unit);
		free(d->reports[i].period), free(d->reports[i].id);
	}
	for (i = 0; i < d->nvisits; i++) {
		free(d->visits[i].cadre), free(d->visits[i].unit);
	}
	for (i = 0; i < d->nproposals; i++) {
		free(d->proposals[i].cadre), free(d->proposals[i].unit);
		free(d->proposals[i].text), free(d->proposals[i].id);
	}
	free(d->units), free(d->cadres), free(d->assigns), free(d->scheds);
	free(d->reports), free(d->visits), free(d->proposals);
	memset(d, 0, sizeof(*d));
}

/* ---- the views' reads
 * ----------------------------------------------------------
 */

static const struct {
	const char *sql;
	size_t nargs;
	const char *table; /* NULL, or a table that may be missing */
} queries[] = {
    [RS_Q_QUARANTINE]   = {"SELECT c.position, lower(hex(c.id)), "
                             "lower(hex(c.author)), lower(hex(c.sender)), "
                             "c.received_ms, c.reason, a.cadre_id, c.seq "
                             "FROM changesets c LEFT JOIN authors a "
                             "ON a.key_id = c.author WHERE c.verdict = 3 "
                             "AND c.received_ms BETWEEN ?1 AND ?2 "
                             "ORDER BY c.position",
          2, NULL},
    [RS_Q_DEVICES]      = {"SELECT lower(hex(a.key_id)), a.cadre_id, a.role, "
                                "a.enrolled, a.revoked, a.next_seq, "
                                "(SELECT c.received_ms FROM changesets c "
                                "WHERE c.author = a.key_id ORDER BY c.seq DESC "
                                "LIMIT 1), "
                                "(SELECT received_ms FROM changesets "
                                "WHERE position = a.enrolled), "
                                "(SELECT received_ms FROM changesets "
                                "WHERE position = a.revoked), "
                                "(SELECT r.reason FROM revocations r "
                                "WHERE r.key_id = a.key_id LIMIT 1) "
                                "FROM authors a WHERE a.role <> 3 "
                                "ORDER BY a.cadre_id, a.key_id",
             0, NULL},
    [RS_Q_CLOCKS]       = {"SELECT lower(hex(k.key_id)), k.central_ms, "
                                 "k.device_ms FROM clock_checks k "
                                 "WHERE k.central_ms = (SELECT max(central_ms) "
                                 "FROM clock_checks WHERE key_id = k.key_id)",
              0, "clock_checks"},
    [RS_Q_CHECKPOINTS]  = {"SELECT size, note FROM checkpoints "
                            "ORDER BY size DESC LIMIT ?1",
         1, "checkpoints"},
    [RS_Q_LOG]          = {"SELECT (SELECT coalesce(max(position) + 1, 0) "
                                    "FROM changesets), (SELECT value FROM meta "
                                    "WHERE key = 'central_pk'), (SELECT value FROM meta "
                                    "WHERE key = 'origin')",
                 0, NULL},
    [RS_Q_ANSWERS]      = {"SELECT lower(hex(proposal)), status, text, date, "
                                "by_cadre FROM responses ORDER BY date, cs_hlc",
             0, NULL},
    [RS_Q_HANDOVERS]    = {"SELECT by_cadre, unit, date, to_cadre, text "
                              "FROM handovers ORDER BY date, unit, by_cadre",
           0, NULL},
    [RS_Q_CADRE_VISITS] = {"SELECT by_cadre, count(*), max(date) "
                           "FROM visits WHERE date BETWEEN ?1 AND ?2 "
                           "GROUP BY by_cadre",
        2, NULL},
    [RS_Q_SIGNED]       = {"SELECT c.bytes, a.public_key, a.cadre_id, "
                                 "a.revoked FROM changesets c LEFT JOIN authors a "
                                 "ON a.key_id = c.author WHERE c.position = ?1",
              1, NULL},
};

_Static_assert(sizeof(queries) / sizeof(queries[0]) == RS_QUERIES,
    "one prepared statement per query");

/* Whether table t exists (a store from before it has none). */
static int
table_exists(struct cstore_report_db *db, const char *t, int *yes)
{
	sqlite3_stmt *st = prep(db,
	    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1");
	int rc;

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_text(st, 1, t, -1, SQLITE_STATIC);
	rc   = sqlite3_step(st);
	*yes = rc == SQLITE_ROW;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE
	    ? COSO_OK
	    : fail(db, "cannot read the database");
}

static void
row_fill(sqlite3_stmt *st, struct rs_row *r)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	r->n = (size_t) sqlite3_column_count(st);
	r->n = r->n < RS_COLS_MAX ? r->n : RS_COLS_MAX;
	for (i = 0; i < r->n; i++) {
		int t = sqlite3_column_type(st, (int) i);

		if (t == SQLITE_BLOB) {
			r->blob[i] = sqlite3_column_blob(st, (int) i);
			r->len[i] = (size_t) sqlite3_column_bytes(st, (int) i);
		} else if (t != SQLITE_NULL) {
			r->num[i] = sqlite3_column_int64(st, (int) i);
			r->text[i]
			    = (const char *) sqlite3_column_text(st, (int) i);
		}
	}
}

int
cstore_report_rows(struct cstore_report_db *db, enum rs_query q,
    const int64_t *args, size_t nargs, rs_row_cb cb, void *arg)
{
	sqlite3_stmt *st;
	struct rs_row row;
	size_t i;
	int rc, yes = 1, rv;

	if ((unsigned) q >= sizeof(queries) / sizeof(queries[0])
	    || nargs != queries[q].nargs) {
		snprintf(db->errmsg, sizeof(db->errmsg), "bad query");
		return COSO_EINVAL;
	}
	if (queries[q].table != NULL
	    && ((rv = table_exists(db, queries[q].table, &yes)) != COSO_OK
	        || !yes)) {
		return rv;
	}
	if ((st = db->views[q]) == NULL
	    && (st = db->views[q] = prep(db, queries[q].sql)) == NULL) {
		return COSO_EIO;
	}
	for (i = 0; i < nargs; i++) {
		sqlite3_bind_int64(st, (int) i + 1, args[i]);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row_fill(st, &row);
		if (cb(&row, arg) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? COSO_OK
	                         : fail(db, "cannot read the database");
}
