/*
 * receipts.c: taking the central's verdicts on pushed change-sets, and
 * the receipts kept as proof of what reached the central and when.
 *
 * A receipt is taken only with the central's signed checkpoint and the
 * inclusion proof of the change-set's leaf in that checkpoint's tree, the
 * leaf rebuilt from what this device knows itself: the change-set's id,
 * its own key id and seq, and the received time and verdict the receipt
 * signs.  All of it is checked with the pinned central key alone, when
 * taken and again offline by coso_receipts_verify.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync.h"

/* Meta key: the highest seq among receipts kept before proofs were. */
#define LEGACY_KEY "receipts_before_proofs"

/* Verifies a checkpoint note with the pinned key under its own origin,
 * the first line, as key name (the device pins the central's key, not its
 * name; FORMAT.md "Checkpoints"). */
int
cosoi_note_verify(struct coso_checkpoint *cp, const char *note, size_t len,
    const uint8_t pk[32])
{
	char name[COSO_KEYNAME_MAX + 1];
	const char *nl;

	if (note == NULL || len == 0) {
		return COSO_ENOENT;
	}
	nl = memchr(note, '\n', len < sizeof(name) ? len : sizeof(name));
	if (nl == NULL || nl == note) {
		return COSO_EINVAL;
	}
	memcpy(name, note, (size_t) (nl - note));
	name[nl - note] = '\0';
	return coso_checkpoint_verify(cp, note, len, name, pk);
}

/*
 * Whether proof leads from this device's leaf (cs_id, self_id, seq and
 * what receipt r states) to the root of cp: COSO_OK, COSO_EINVAL for a
 * leaf index beyond the tree, COSO_EBADSIG if it does not.
 */
static int
leaf_proof(const uint8_t cs_id[32], const uint8_t self_id[32], uint64_t seq,
    const struct coso_receipt *r, const struct coso_checkpoint *cp,
    const uint8_t *proof, size_t nproof)
{
	struct coso_leaf l = {
	    .seq = seq, .received_ms = r->received_ms, .verdict = r->verdict};
	uint8_t data[COSO_LEAF_BYTES], h[32];

	if (r->leaf_index >= cp->size) {
		return COSO_EINVAL;
	}
	memcpy(l.cs_id, cs_id, 32);
	memcpy(l.author, self_id, 32);
	coso_leaf_encode(data, &l);
	coso_leaf_hash(h, data, sizeof(data));
	return coso_verify_inclusion(
	    h, r->leaf_index, cp->size, proof, nproof, cp->root);
}

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
    const struct coso_msg_item *it, uint64_t tree_size)
{
	static const uint8_t empty[1];
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db,
	        "INSERT OR REPLACE INTO receipts (cs_id, seq, received_ms, "
	        "leaf_index, receipt, verdict, proof, tree_size) "
	        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot store the receipt");
	}
	sqlite3_bind_blob(st, 1, r->cs_id, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64) seq);
	sqlite3_bind_int64(st, 3, (sqlite3_int64) r->received_ms);
	sqlite3_bind_int64(st, 4, (sqlite3_int64) r->leaf_index);
	sqlite3_bind_blob(
	    st, 5, it->receipt, (int) it->receipt_len, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, r->verdict);
	/* An empty proof (a tree of one leaf) is a blob, not NULL. */
	sqlite3_bind_blob(st, 7, it->nproof > 0 ? it->proof : empty,
	    (int) (it->nproof * 32), SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, (sqlite3_int64) tree_size);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE
	    ? COSO_OK
	    : cosoi_db_fail(s, "cannot store the receipt");
}

/* The stored note for size (malloc'd, NUL-terminated) or NULL. */
static char *
note_get(struct coso_store *s, uint64_t size, size_t *len)
{
	sqlite3_stmt *st = NULL;
	char *note       = NULL;

	if (sqlite3_prepare_v2(s->db,
	        "SELECT note FROM checkpoints WHERE size = ?", -1, &st, NULL)
	    == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, (sqlite3_int64) size);
		if (sqlite3_step(st) == SQLITE_ROW) {
			*len = (size_t) sqlite3_column_bytes(st, 0);
			note = strndup(
			    (const char *) sqlite3_column_text(st, 0), *len);
		}
	}
	sqlite3_finalize(st);
	return note;
}

/*
 * Whether t's note is to be kept: *fresh = 1 if no note is kept for its
 * size (or the kept one no longer verifies), 0 if one of the same tree
 * is.  COSO_EPROTO if the kept one names another root: the central signed
 * two trees of one size, and the evidence stays as it is.
 */
static int
note_fresh(struct coso_store *s, const struct cosoi_take *t, int *fresh)
{
	struct coso_checkpoint old;
	size_t len = 0;
	char *note = note_get(s, t->cp.size, &len);
	int rv;

	*fresh = 1;
	if (note == NULL) {
		return COSO_OK;
	}
	rv = cosoi_note_verify(&old, note, len, t->central_pk);
	free(note);
	if (rv != COSO_OK) {
		return COSO_OK;
	}
	if (memcmp(old.root, t->cp.root, 32) != 0) {
		return cosoi_fail(s, COSO_EPROTO,
		    "the central signed two different trees of size %llu (its "
		    "log was rewritten or restored from a backup): receipts "
		    "not taken",
		    (unsigned long long) t->cp.size);
	}
	*fresh = 0;
	return COSO_OK;
}

/* Keeps the reply's checkpoint, once per reply. */
static int
note_put(struct coso_store *s, struct cosoi_take *t)
{
	sqlite3_stmt *st = NULL;
	int fresh, rc;

	if (t->note_kept) {
		return COSO_OK;
	}
	if ((rc = note_fresh(s, t, &fresh)) != COSO_OK) {
		return rc;
	}
	if (fresh) {
		if (sqlite3_prepare_v2(s->db,
		        "INSERT OR REPLACE INTO checkpoints (size, note, "
		        "consistency, received_ms) VALUES (?, ?, ?, ?)",
		        -1, &st, NULL)
		    != SQLITE_OK) {
			return cosoi_db_fail(s, "cannot store the checkpoint");
		}
		sqlite3_bind_int64(st, 1, (sqlite3_int64) t->cp.size);
		sqlite3_bind_text(
		    st, 2, t->note, (int) t->note_len, SQLITE_STATIC);
		sqlite3_bind_text(
		    st, 3, cosoi_cp_how_name(t->how), -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, (sqlite3_int64) coso_wall_ms());
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE) {
			return cosoi_db_fail(s, "cannot store the checkpoint");
		}
	}
	t->note_kept = 1;
	/* A central that gave a proof is held to giving them (gossip.c). */
	return t->how == COSOI_CP_PROVED
	    ? cosoi_meta_set_i64(s, "central_proofs", 1)
	    : COSO_OK;
}

void
cosoi_take_init(struct cosoi_take *t, const uint8_t central_pk[32],
    const uint8_t self_id[32], const struct coso_msg *m)
{
	memset(t, 0, sizeof(*t));
	memcpy(t->central_pk, central_pk, 32);
	memcpy(t->self_id, self_id, 32);
	t->note     = m->checkpoint;
	t->note_len = m->checkpoint_len;
	t->note_err
	    = cosoi_note_verify(&t->cp, t->note, t->note_len, central_pk);
}

/* The checkpoint and the proof of one receipt; nothing is written. */
static int
take_proof(struct coso_store *s, const struct cosoi_take *t, uint64_t seq,
    const uint8_t id[32], const struct coso_receipt *r,
    const struct coso_msg_item *it)
{
	unsigned long long n = seq;
	int rv;

	if (t->note_err != COSO_OK) {
		return cosoi_fail(s, COSO_EPROTO,
		    "seq %llu: the reply's checkpoint does not verify with "
		    "the pinned central key: %s",
		    n, coso_strerror(t->note_err));
	}
	rv = leaf_proof(id, t->self_id, seq, r, &t->cp, it->proof, it->nproof);
	if (rv == COSO_EINVAL) {
		return cosoi_fail(s, COSO_EPROTO,
		    "seq %llu: leaf index %llu is beyond the checkpoint's "
		    "tree of %llu",
		    n, (unsigned long long) r->leaf_index,
		    (unsigned long long) t->cp.size);
	}
	if (rv != COSO_OK) {
		return cosoi_fail(s, COSO_EPROTO,
		    "seq %llu: the inclusion proof does not lead from its "
		    "leaf to the root of the central's checkpoint of size "
		    "%llu",
		    n, (unsigned long long) t->cp.size);
	}
	return COSO_OK;
}

int
cosoi_sync_take(struct coso_store *s, struct cosoi_take *t, uint64_t seq,
    const uint8_t id[32], const struct coso_msg_item *it)
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
	if (coso_receipt_verify(
	        &r, it->receipt, it->receipt_len, t->central_pk)
	        != COSO_OK
	    || memcmp(r.cs_id, id, 32) != 0) {
		return cosoi_fail(s, COSO_EPROTO,
		    "seq %llu: the receipt does not verify with the pinned "
		    "central key for this change-set",
		    (unsigned long long) seq);
	}
	if ((rv = take_proof(s, t, seq, id, &r, it)) != COSO_OK
	    || (rv = note_put(s, t)) != COSO_OK
	    || (rv = mark_acked(s, seq, id, it)) != COSO_OK) {
		return rv;
	}
	return receipt_put(s, seq, &r, it, t->cp.size);
}

int
coso_receipt_list(struct coso_store *s, coso_row_cb cb, void *arg)
{
	sqlite3_stmt *st = NULL;
	int rv;

	/* The record a receipt is for, and a quarantine's reason, from the
	 * change-set's own bytes in the outbox (quarantine.c). */
	if ((rv = cosoi_quarantine_load(s)) != COSO_OK
	    || (rv = cosoi_records_load(s)) != COSO_OK) {
		return rv;
	}
	if (sqlite3_prepare_v2(s->db,
	        "SELECT r.seq, r.cs_id, r.leaf_index, r.received_ms, CASE "
	        "r.verdict WHEN 1 THEN 'accepted' WHEN 2 THEN 'duplicate' "
	        "WHEN 3 THEN 'quarantined' ELSE r.verdict END AS verdict, "
	        "(SELECT q.name FROM temp.qrows q WHERE q.seq = r.seq AND "
	        "q.k = 0) AS reason, m.kind AS record, m.row AS record_id, "
	        "r.tree_size FROM receipts r LEFT JOIN temp.csmain m ON "
	        "m.seq = r.seq ORDER BY r.seq",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot read the receipts");
	}
	rv = cosoi_rows(s, st, "receipt", cb, arg);
	sqlite3_finalize(st);
	return rv;
}

/* ---- offline verification -------------------------------------------- */

/* The checks of a stored receipt, in order; the first failing one is
 * named (client.h, coso_receipts_verify). */
enum rcheck {
	RC_OK = 0,
	RC_SIG,
	RC_RECORD,
	RC_OUTBOX,
	RC_NO_PROOF, /* kept before proofs were: not a failure */
	RC_PROOF_MISSING,
	RC_NOTE_MISSING,
	RC_NOTE_SIG,
	RC_NOTE_SIZE,
	RC_BEYOND,
	RC_PROOF,
};

static const char *const rcheck_name[] = {
    [RC_OK]            = NULL,
    [RC_SIG]           = "receipt signature",
    [RC_RECORD]        = "receipt record",
    [RC_OUTBOX]        = "outbox record",
    [RC_NO_PROOF]      = "no proof",
    [RC_PROOF_MISSING] = "inclusion proof missing",
    [RC_NOTE_MISSING]  = "checkpoint missing",
    [RC_NOTE_SIG]      = "checkpoint signature",
    [RC_NOTE_SIZE]     = "checkpoint size",
    [RC_BEYOND]        = "leaf index beyond checkpoint",
    [RC_PROOF]         = "inclusion proof",
};

/* Columns of the verify query. */
enum {
	C_SEQ,
	C_CS_ID,
	C_LEAF,
	C_MS,
	C_RECEIPT,
	C_PROOF,
	C_TREE,
	C_NOTE,
	C_OUT_BYTES,
};

#define VERIFY_SQL                                                        \
	"SELECT r.seq, r.cs_id, r.leaf_index, r.received_ms, r.receipt, " \
	"r.proof, r.tree_size, c.note, o.bytes FROM receipts r "          \
	"LEFT JOIN checkpoints c ON c.size = r.tree_size "                \
	"LEFT JOIN outbox o ON o.seq = r.seq ORDER BY r.seq"

/* What the whole run shares: the key, the device's key id, the legacy
 * bound and the last checkpoint verified (receipts in seq order mostly
 * share one). */
struct vstate {
	uint8_t pk[32];
	uint8_t self_id[32];
	uint64_t legacy;
	char *note; /* the last note that verified, or NULL */
	size_t note_len;
	struct coso_checkpoint cp;
};

/* The check that failed, and the coso error behind it. */
struct vresult {
	enum rcheck check;
	int err;
};

static int
fail_with(struct vresult *v, enum rcheck c, int err)
{
	v->check = c;
	v->err   = err;
	return c;
}

/* The signed receipt, and the row stating what it signs. */
static int
check_receipt(sqlite3_stmt *st, const struct vstate *vs,
    struct coso_receipt *r, struct vresult *v)
{
	int rv = coso_receipt_verify(r, sqlite3_column_blob(st, C_RECEIPT),
	    (size_t) sqlite3_column_bytes(st, C_RECEIPT), vs->pk);

	if (rv != COSO_OK) {
		return fail_with(v, RC_SIG, rv);
	}
	if (sqlite3_column_bytes(st, C_CS_ID) != 32
	    || memcmp(sqlite3_column_blob(st, C_CS_ID), r->cs_id, 32) != 0
	    || (uint64_t) sqlite3_column_int64(st, C_LEAF) != r->leaf_index
	    || (uint64_t) sqlite3_column_int64(st, C_MS) != r->received_ms) {
		return fail_with(v, RC_RECORD, 0);
	}
	return RC_OK;
}

/* The outbox record at the receipt's seq is the change-set it names. */
static int
check_outbox(sqlite3_stmt *st, const struct coso_receipt *r, struct vresult *v)
{
	uint8_t id[32];

	if (sqlite3_column_type(st, C_OUT_BYTES) != SQLITE_BLOB
	    || sqlite3_column_bytes(st, C_OUT_BYTES) == 0) {
		return fail_with(v, RC_OUTBOX, COSO_ENOENT);
	}
	coso_changeset_id(id, sqlite3_column_blob(st, C_OUT_BYTES),
	    (size_t) sqlite3_column_bytes(st, C_OUT_BYTES));
	if (memcmp(id, r->cs_id, 32) != 0) {
		return fail_with(v, RC_OUTBOX, 0);
	}
	return RC_OK;
}

/* The receipt's checkpoint, verified (or the last one, if the same). */
static int
check_note(sqlite3_stmt *st, struct vstate *vs, struct vresult *v)
{
	const char *note = (const char *) sqlite3_column_text(st, C_NOTE);
	size_t len       = (size_t) sqlite3_column_bytes(st, C_NOTE);
	int rv;

	if (sqlite3_column_type(st, C_TREE) == SQLITE_NULL || note == NULL) {
		return fail_with(v, RC_NOTE_MISSING, COSO_ENOENT);
	}
	if (vs->note == NULL || vs->note_len != len
	    || memcmp(vs->note, note, len) != 0) {
		free(vs->note);
		vs->note = NULL;
		if ((rv = cosoi_note_verify(&vs->cp, note, len, vs->pk))
		    != COSO_OK) {
			return fail_with(v, RC_NOTE_SIG, rv);
		}
		if ((vs->note = strndup(note, len)) != NULL) {
			vs->note_len = len;
		}
	}
	if ((uint64_t) sqlite3_column_int64(st, C_TREE) != vs->cp.size) {
		return fail_with(v, RC_NOTE_SIZE, 0);
	}
	return RC_OK;
}

/* The proof from the leaf rebuilt from the outbox record to the root. */
static int
check_proof(sqlite3_stmt *st, struct vstate *vs, const struct coso_receipt *r,
    struct vresult *v)
{
	size_t len   = (size_t) sqlite3_column_bytes(st, C_PROOF);
	uint64_t seq = (uint64_t) sqlite3_column_int64(st, C_SEQ);
	int rv;

	if (sqlite3_column_type(st, C_PROOF) == SQLITE_NULL) {
		return fail_with(
		    v, seq <= vs->legacy ? RC_NO_PROOF : RC_PROOF_MISSING, 0);
	}
	if ((rv = check_note(st, vs, v)) != RC_OK) {
		return rv;
	}
	if (r->leaf_index >= vs->cp.size) {
		return fail_with(v, RC_BEYOND, COSO_EINVAL);
	}
	if (len % 32 != 0 || len / 32 > COSO_PROOF_MAX) {
		return fail_with(v, RC_PROOF, COSO_EINVAL);
	}
	rv = leaf_proof(r->cs_id, vs->self_id, seq, r, &vs->cp,
	    len > 0 ? sqlite3_column_blob(st, C_PROOF) : NULL, len / 32);
	return rv == COSO_OK ? RC_OK : fail_with(v, RC_PROOF, rv);
}

static void
check_one(sqlite3_stmt *st, struct vstate *vs, struct vresult *v)
{
	struct coso_receipt r;

	v->check = RC_OK;
	v->err   = 0;
	if (check_receipt(st, vs, &r, v) == RC_OK
	    && check_outbox(st, &r, v) == RC_OK) {
		(void) check_proof(st, vs, &r, v);
	}
}

static int
report_receipt(
    sqlite3_stmt *st, const struct vresult *v, coso_row_cb cb, void *arg)
{
	char hex[65];
	int n                = sqlite3_column_bytes(st, C_CS_ID);
	int has_tree         = sqlite3_column_type(st, C_TREE) != SQLITE_NULL;
	int sig              = v->check == RC_SIG || v->check == RC_NOTE_SIG;
	const char *status   = v->check == RC_OK ? "ok"
	      : v->check == RC_NO_PROOF          ? "no proof"
	                                         : "failed";
	struct coso_kv kv[9] = {
	    {"seq", COSO_VINT, sqlite3_column_int64(st, C_SEQ), NULL, 0},
	    {"cs_id", COSO_VTEXT, 0, hex, 0},
	    {"leaf_index", COSO_VINT, sqlite3_column_int64(st, C_LEAF), NULL,
	        0},
	    {"received_ms", COSO_VINT, sqlite3_column_int64(st, C_MS), NULL,
	        0},
	    {"tree_size", has_tree ? COSO_VINT : COSO_VNULL,
	        sqlite3_column_int64(st, C_TREE), NULL, 0},
	    {"status", COSO_VTEXT, 0, status, 0},
	    {"ok", COSO_VINT, v->check == RC_OK, NULL, 0},
	    {"check", v->check != RC_OK ? COSO_VTEXT : COSO_VNULL, 0,
	        rcheck_name[v->check], 0},
	    {"error", sig ? COSO_VTEXT : COSO_VNULL, 0,
	        sig ? coso_strerror(v->err) : NULL, 0},
	};
	struct coso_row row = {"receipt", 9, kv};

	coso_hex(hex, sqlite3_column_blob(st, C_CS_ID), n == 32 ? 32 : 0);
	return cb != NULL ? cb(&row, arg) : 0;
}

static void
count(struct coso_receipt_counts *n, const struct vresult *v)
{
	n->total++;
	if (v->check == RC_OK) {
		n->ok++;
	} else if (v->check == RC_NO_PROOF) {
		n->no_proof++;
	} else {
		n->bad++;
	}
}

static int
vstate_init(struct coso_store *s, struct vstate *vs)
{
	int rv;

	memset(vs, 0, sizeof(*vs));
	if ((rv = cosoi_central_pk(s, vs->pk)) != COSO_OK
	    || (rv = cosoi_pk_load(s)) != COSO_OK) {
		return rv;
	}
	coso_keyid_of(vs->self_id, s->pk);
	vs->legacy = cosoi_meta_u64(s, LEGACY_KEY, 0);
	return COSO_OK;
}

int
coso_receipts_verify(struct coso_store *s, coso_row_cb cb, void *arg,
    struct coso_receipt_counts *n)
{
	sqlite3_stmt *st = NULL;
	struct vstate vs;
	struct vresult v;
	int rc, rv, stop = 0;

	memset(n, 0, sizeof(*n));
	if ((rv = vstate_init(s, &vs)) != COSO_OK) {
		return rv;
	}
	if (sqlite3_prepare_v2(s->db, VERIFY_SQL, -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot read the receipts");
	}
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		check_one(st, &vs, &v);
		count(n, &v);
		stop = report_receipt(st, &v, cb, arg);
	}
	sqlite3_finalize(st);
	free(vs.note);
	if (stop) {
		return stop;
	}
	return rc == SQLITE_DONE
	    ? COSO_OK
	    : cosoi_db_fail(s, "cannot read the receipts");
}
