/*
 * status.c: counts for `coso status`, the outbox, and `coso log`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The first column of the first row of sql into *out (0 if no row or
 * NULL).  Sticky: nothing is read once *rv holds an error, and a failure
 * sets it, so a broken store is reported, never shown as zeros. */
static void
count(struct coso_store *s, int *rv, uint64_t *out, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*out = 0;
	if (*rv != COSO_OK) {
		return;
	}
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK
	    || ((rc = sqlite3_step(st)) != SQLITE_ROW && rc != SQLITE_DONE)) {
		*rv = cosoi_db_fail(s, "cannot read the store's counts");
	} else if (rc == SQLITE_ROW) {
		*out = (uint64_t) sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
}

static void
meta_copy(struct coso_store *s, const char *key, char *out, size_t n)
{
	char *v = cosoi_meta_get(s, key);

	snprintf(out, n, "%s", v != NULL ? v : "");
	free(v);
}

/* The clock as the last STATUS measured it, and what the central said
 * of the stamps this device signed. */
static void
clock_get(struct coso_store *s, int *rv, struct coso_status *st)
{
	uint64_t skew;

	count(s, rv, &st->skew_at_ms,
	    "SELECT CAST(value AS INTEGER) FROM meta WHERE key = "
	    "'skew_at_ms'");
	count(s, rv, &skew,
	    "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'skew_ms'");
	st->skew_ms     = (int64_t) skew;
	st->clock_wrong = st->skew_at_ms != 0
	    && (st->skew_ms > (int64_t) COSO_CLOCK_TOLERANCE_MS
	        || st->skew_ms < -(int64_t) COSO_CLOCK_TOLERANCE_MS);
	count(s, rv, &st->clamped,
	    "SELECT count(*) FROM outbox WHERE verdict IN (1, 2) "
	    "AND reason = 17");
}

_Static_assert(COSO_ECLOCK == 17, "clock_get names COSO_ECLOCK");

static void
records_get(struct coso_store *s, int *rv, struct coso_status *st)
{
	uint64_t queued;

	count(s, rv, &st->receipts, "SELECT count(*) FROM receipts");
	count(s, rv, &st->checkpoints, "SELECT count(*) FROM checkpoints");
	count(
	    s, rv, &st->checkpoint_size, "SELECT max(size) FROM checkpoints");
	count(s, rv, &st->unproved,
	    "SELECT count(*) FROM checkpoints WHERE consistency = "
	    "'unproved'");
	count(s, rv, &st->evidence, "SELECT count(*) FROM evidence");
	count(s, rv, &st->visits, "SELECT count(*) FROM visits");
	count(s, rv, &st->reports,
	    "SELECT count(*) FROM reports WHERE status = 'submitted'");
	count(s, rv, &st->drafts,
	    "SELECT count(*) FROM reports WHERE status = 'draft'");
	count(s, rv, &st->quarantined,
	    "SELECT count(*) FROM outbox WHERE verdict = 3");
	/* A quarantined proposal is not tracked by the central: it is
	 * counted with the quarantine, not as open. */
	if (*rv == COSO_OK) {
		*rv = cosoi_quarantine_load(s);
	}
	count(s, rv, &st->proposals_open,
	    "SELECT count(*) FROM proposals WHERE status IN ('open', "
	    "'answered') AND id NOT IN (SELECT row FROM temp.qrows)");
	count(s, rv, &st->units, "SELECT count(*) FROM units");
	count(s, rv, &queued,
	    "SELECT count(*) FROM meta WHERE key = 'enroll_token'");
	st->enroll_queued = queued > 0;
	count(s, rv, &st->revoked_ms,
	    "SELECT CAST(value AS INTEGER) FROM meta WHERE key = "
	    "'revoked_ms'");
	st->revoked = st->revoked_ms != 0;
}

int
coso_status_get(struct coso_store *s, struct coso_status *st)
{
	int rv;

	memset(st, 0, sizeof(*st));
	/* One read transaction: the counts agree with each other. */
	if ((rv = cosoi_exec(s, "BEGIN")) != COSO_OK) {
		return rv;
	}
	meta_copy(s, "cadre_id", st->cadre_id, sizeof(st->cadre_id));
	meta_copy(s, "name", st->name, sizeof(st->name));
	meta_copy(s, "central_url", st->central_url, sizeof(st->central_url));
	meta_copy(s, "device_key", st->shortid, sizeof(st->shortid));
	count(s, &rv, &st->head_seq, "SELECT seq FROM chain");
	count(s, &rv, &st->pending,
	    "SELECT count(*) FROM outbox WHERE acked = 0");
	count(s, &rv, &st->oldest_pending_ms,
	    "SELECT min(created_ms) FROM outbox WHERE acked = 0");
	count(s, &rv, &st->last_sync_ms,
	    "SELECT CAST(value AS INTEGER) FROM meta WHERE key = "
	    "'last_sync_ms'");
	records_get(s, &rv, st);
	clock_get(s, &rv, st);
	(void) cosoi_exec(s, rv == COSO_OK ? "COMMIT" : "ROLLBACK");
	return rv;
}

int
coso_outbox_pending(struct coso_store *s, uint64_t after_seq, size_t max,
    coso_outbox_cb cb, void *arg)
{
	sqlite3_stmt *st = NULL;
	int rc, stop = 0;

	if (sqlite3_prepare_v2(s->db,
	        "SELECT seq, bytes FROM outbox WHERE acked = 0 AND seq > ? "
	        "ORDER BY seq LIMIT ?",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot read the outbox");
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64) after_seq);
	sqlite3_bind_int64(st, 2, (sqlite3_int64) max);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		stop = cb((uint64_t) sqlite3_column_int64(st, 0),
		    sqlite3_column_blob(st, 1),
		    (size_t) sqlite3_column_bytes(st, 1), arg);
	}
	sqlite3_finalize(st);
	if (stop) {
		return stop;
	}
	return rc == SQLITE_DONE ? COSO_OK
	                         : cosoi_db_fail(s, "cannot read the outbox");
}

/* What the chain check knows between change-sets. */
struct chain_check {
	uint64_t expect_seq;
	uint8_t prev[32];
	uint64_t bad;
};

/* Checks one stored change-set; returns the error or COSO_OK. */
static int
check_one(struct coso_store *s, struct chain_check *c, uint64_t seq,
    const uint8_t *cs, size_t len, struct coso_changeset *out, size_t *nops)
{
	struct coso_ops *ops = NULL;
	int rv;

	*nops = 0;
	if ((rv = coso_changeset_verify(out, cs, len, s->pk)) != COSO_OK) {
		return rv;
	}
	if (out->seq != seq || seq != c->expect_seq
	    || memcmp(out->prev, c->prev, 32) != 0) {
		return COSO_ECHAIN;
	}
	if ((rv = coso_ops_decode(&ops, out->body, out->body_len)) == 0) {
		*nops = ops->nops;
	}
	coso_ops_free(ops);
	return rv;
}

static int
report_one(struct chain_check *c, uint64_t seq, const uint8_t *cs, size_t len,
    const struct coso_changeset *d, size_t nops, int err, coso_row_cb cb,
    void *arg)
{
	uint8_t id[32];
	char hex[65];
	struct coso_kv kv[7] = {
	    {"seq", COSO_VINT, (int64_t) seq, NULL, 0},
	    {"id", COSO_VTEXT, 0, hex, 0},
	    {"hlc_ms", COSO_VINT, err ? 0 : (int64_t) coso_hlc_ms(d->hlc),
	        NULL, 0},
	    {"bytes", COSO_VINT, (int64_t) len, NULL, 0},
	    {"ops", COSO_VINT, (int64_t) nops, NULL, 0},
	    {"ok", COSO_VINT, err == 0, NULL, 0},
	    {"error", err ? COSO_VTEXT : COSO_VNULL, 0,
	        err ? coso_strerror(err) : NULL, 0},
	};
	struct coso_row row = {"changeset", 7, kv};

	coso_changeset_id(id, cs, len);
	coso_hex(hex, id, 32);
	c->bad += err != 0;
	memcpy(c->prev, id, 32);
	c->expect_seq = seq + 1;
	return cb != NULL ? cb(&row, arg) : 0;
}

int
coso_log_verify(struct coso_store *s, coso_row_cb cb, void *arg, uint64_t *bad)
{
	struct chain_check c = {1, {0}, 0};
	struct coso_changeset d;
	sqlite3_stmt *st = NULL;
	uint64_t head;
	size_t nops;
	int rc, rv, stop = 0, head_rv = COSO_OK;

	if ((rv = cosoi_pk_load(s)) != COSO_OK) {
		return rv;
	}
	if (sqlite3_prepare_v2(s->db,
	        "SELECT seq, bytes FROM outbox ORDER BY "
	        "seq",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot read the chain");
	}
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		uint64_t seq      = (uint64_t) sqlite3_column_int64(st, 0);
		const uint8_t *cs = sqlite3_column_blob(st, 1);
		size_t len        = (size_t) sqlite3_column_bytes(st, 1);
		int err           = check_one(s, &c, seq, cs, len, &d, &nops);
		stop = report_one(&c, seq, cs, len, &d, nops, err, cb, arg);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && !stop) {
		return cosoi_db_fail(s, "cannot read the chain");
	}
	count(s, &head_rv, &head, "SELECT seq FROM chain");
	if (head_rv != COSO_OK) {
		return head_rv;
	}
	if (c.expect_seq - 1 != head) {
		c.bad++; /* chain head and outbox disagree */
	}
	*bad = c.bad;
	return stop;
}
