/*
 * receipts.c: taking the central's verdicts on pushed change-sets, and
 * the receipts kept as proof of what reached the central and when.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync.h"

static int
mark_acked(struct coso_store *s, uint64_t seq, const uint8_t id[32],
    const struct coso_msg_item *it)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db,
	        "UPDATE outbox SET acked = 1, acked_ms = ?, verdict = ?, "
	        "reason = ? WHERE seq = ? AND id = ?",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot mark the outbox");
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64) coso_wall_ms());
	sqlite3_bind_int(st, 2, it->status);
	sqlite3_bind_int(st, 3, it->reason);
	sqlite3_bind_int64(st, 4, (sqlite3_int64) seq);
	sqlite3_bind_blob(st, 5, id, 32, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		return cosoi_db_fail(s, "cannot mark the outbox");
	}
	return sqlite3_changes(s->db) == 1
	    ? COSO_OK
	    : cosoi_fail(s, COSO_ENOENT, "outbox entry %llu not found",
	        (unsigned long long) seq);
}

static int
receipt_put(struct coso_store *s, uint64_t seq, const struct coso_receipt *r,
    const uint8_t *bytes, size_t len)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db,
	        "INSERT OR REPLACE INTO receipts (cs_id, seq, received_ms, "
	        "leaf_index, receipt, verdict) VALUES (?, ?, ?, ?, ?, ?)",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot store the receipt");
	}
	sqlite3_bind_blob(st, 1, r->cs_id, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64) seq);
	sqlite3_bind_int64(st, 3, (sqlite3_int64) r->received_ms);
	sqlite3_bind_int64(st, 4, (sqlite3_int64) r->leaf_index);
	sqlite3_bind_blob(st, 5, bytes, (int) len, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, r->verdict);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE
	    ? COSO_OK
	    : cosoi_db_fail(s, "cannot store the receipt");
}

int
cosoi_sync_take(struct coso_store *s, const uint8_t central_pk[32],
    uint64_t seq, const uint8_t id[32], const struct coso_msg_item *it)
{
	struct coso_receipt r;
	int rv;

	if (memcmp(it->id, id, 32) != 0) {
		return cosoi_fail(s, COSO_EPROTO,
		    "a verdict names another change-set than seq %llu",
		    (unsigned long long) seq);
	}
	if (it->receipt == NULL || it->receipt_len == 0) {
		if (it->status != COSO_VERDICT_QUARANTINED) {
			return cosoi_fail(s, COSO_EPROTO,
			    "seq %llu: acknowledged without a receipt",
			    (unsigned long long) seq);
		}
		return mark_acked(s, seq, id, it);
	}
	if (coso_receipt_verify(&r, it->receipt, it->receipt_len, central_pk)
	        != COSO_OK
	    || memcmp(r.cs_id, id, 32) != 0) {
		return cosoi_fail(s, COSO_EPROTO,
		    "seq %llu: the receipt does not verify with the pinned "
		    "central key for this change-set",
		    (unsigned long long) seq);
	}
	if ((rv = mark_acked(s, seq, id, it)) != COSO_OK) {
		return rv;
	}
	return receipt_put(s, seq, &r, it->receipt, it->receipt_len);
}

int
coso_receipt_list(struct coso_store *s, coso_row_cb cb, void *arg)
{
	sqlite3_stmt *st = NULL;
	int rv;

	if (sqlite3_prepare_v2(s->db,
	        "SELECT seq, cs_id, leaf_index, received_ms, CASE verdict "
	        "WHEN 1 THEN 'accepted' WHEN 2 THEN 'duplicate' "
	        "WHEN 3 THEN 'quarantined' ELSE verdict END AS verdict "
	        "FROM receipts ORDER BY seq",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot read the receipts");
	}
	rv = cosoi_rows(s, st, "receipt", cb, arg);
	sqlite3_finalize(st);
	return rv;
}

/* Checks one stored receipt; the error, or COSO_OK. */
static int
check_receipt(sqlite3_stmt *st, const uint8_t pk[32])
{
	struct coso_receipt r;
	const void *cs_id = sqlite3_column_blob(st, 1);
	int rv;

	rv = coso_receipt_verify(&r, sqlite3_column_blob(st, 4),
	    (size_t) sqlite3_column_bytes(st, 4), pk);
	if (rv != COSO_OK) {
		return rv;
	}
	if (sqlite3_column_bytes(st, 1) != 32
	    || memcmp(cs_id, r.cs_id, 32) != 0
	    || (uint64_t) sqlite3_column_int64(st, 2) != r.leaf_index
	    || (uint64_t) sqlite3_column_int64(st, 3) != r.received_ms) {
		return COSO_EPROTO;
	}
	return COSO_OK;
}

static int
report_receipt(sqlite3_stmt *st, int err, coso_row_cb cb, void *arg)
{
	char hex[65];
	int n                = sqlite3_column_bytes(st, 1);
	struct coso_kv kv[6] = {
	    {"seq", COSO_VINT, sqlite3_column_int64(st, 0), NULL, 0},
	    {"cs_id", COSO_VTEXT, 0, hex, 0},
	    {"leaf_index", COSO_VINT, sqlite3_column_int64(st, 2), NULL, 0},
	    {"received_ms", COSO_VINT, sqlite3_column_int64(st, 3), NULL, 0},
	    {"ok", COSO_VINT, err == 0, NULL, 0},
	    {"error", err ? COSO_VTEXT : COSO_VNULL, 0,
	        err ? coso_client_strerror(err) : NULL, 0},
	};
	struct coso_row row = {"receipt", 6, kv};

	cosoi_hex(hex, sqlite3_column_blob(st, 1), n == 32 ? 32 : 0);
	return cb != NULL ? cb(&row, arg) : 0;
}

int
coso_receipts_verify(
    struct coso_store *s, coso_row_cb cb, void *arg, uint64_t *bad)
{
	sqlite3_stmt *st = NULL;
	uint8_t pk[32];
	int rc, rv, stop = 0;

	*bad = 0;
	if ((rv = cosoi_central_pk(s, pk)) != COSO_OK) {
		return rv;
	}
	if (sqlite3_prepare_v2(s->db,
	        "SELECT seq, cs_id, leaf_index, received_ms, receipt "
	        "FROM receipts ORDER BY seq",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot read the receipts");
	}
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		int err = check_receipt(st, pk);

		*bad += err != 0;
		stop = report_receipt(st, err, cb, arg);
	}
	sqlite3_finalize(st);
	if (stop) {
		return stop;
	}
	return rc == SQLITE_DONE
	    ? COSO_OK
	    : cosoi_db_fail(s, "cannot read the receipts");
}
