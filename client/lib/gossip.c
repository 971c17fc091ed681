/*
 * gossip.c: the device as a witness of what the central showed it.
 *
 * Every checkpoint the central hands this device is kept (receipts.c
 * stores it with the receipts it proves).  Before one is taken it is
 * checked against the latest held: a smaller tree, the same size with
 * another root, or a larger tree that a consistency proof does not join
 * to the held one cannot both be true with it.  Such a pair is refused
 * and both signed notes are kept as evidence (table evidence), never
 * deleted; `coso receipts export' hands them, with every checkpoint and
 * receipt, to an auditor (FORMAT.md, "Gossip file").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync.h"

/* Meta key: set once the central has given a consistency proof. */
#define PROOFS_KEY "central_proofs"

static const char *const how_name[] = {
    [COSOI_CP_FIRST]    = "first",
    [COSOI_CP_SAME]     = "same",
    [COSOI_CP_PROVED]   = "proved",
    [COSOI_CP_UNPROVED] = "unproved",
};

const char *
cosoi_cp_how_name(int how)
{
	return how >= COSOI_CP_FIRST && how <= COSOI_CP_UNPROVED
	    ? how_name[how]
	    : NULL;
}

/* A held note and what it states. */
struct held {
	char *note; /* malloc'd, NUL-terminated */
	size_t len;
	struct coso_checkpoint cp;
};

/*
 * The latest checkpoint held that verifies with pk: h->note is NULL if
 * none.  A kept note that no longer verifies (a store altered on disk)
 * is passed over here; `coso receipts verify' names it.
 */
static int
held_latest(struct coso_store *s, const uint8_t pk[32], struct held *h)
{
	sqlite3_stmt *st = NULL;
	int rc;

	memset(h, 0, sizeof(*h));
	if (sqlite3_prepare_v2(s->db,
	        "SELECT note FROM checkpoints ORDER BY size DESC", -1, &st,
	        NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot read the checkpoints");
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *n = (const char *) sqlite3_column_text(st, 0);
		size_t len    = (size_t) sqlite3_column_bytes(st, 0);

		if (n != NULL
		    && cosoi_note_verify(&h->cp, n, len, pk) == COSO_OK) {
			if ((h->note = strndup(n, len)) == NULL) {
				sqlite3_finalize(st);
				return cosoi_fail(
				    s, COSO_ENOMEM, "out of memory");
			}
			h->len = len;
			break;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		return cosoi_db_fail(s, "cannot read the checkpoints");
	}
	return COSO_OK;
}

/* Keeps the pair (held, new) as evidence of kind, in its own
 * transaction: the same pair seen again counts once more. */
static int
evidence_put(struct coso_store *s, const char *kind, const struct held *h,
    const struct coso_checkpoint *cp, const char *note, size_t len)
{
	sqlite3_stmt *st = NULL;
	uint64_t now     = coso_wall_ms();
	int rc, rv;

	if ((rv = cosoi_begin(s)) != COSO_OK) {
		return rv;
	}
	if (sqlite3_prepare_v2(s->db,
	        "INSERT INTO evidence (kind, first_ms, last_ms, seen, "
	        "held_size, held_note, new_size, new_note) VALUES (?1, ?2, "
	        "?2, 1, ?3, ?4, ?5, ?6) ON CONFLICT (held_note, new_note) DO "
	        "UPDATE SET last_ms = ?2, seen = seen + 1",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		cosoi_rollback(s);
		return cosoi_db_fail(s, "cannot keep the evidence");
	}
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64) now);
	sqlite3_bind_int64(st, 3, (sqlite3_int64) h->cp.size);
	sqlite3_bind_text(st, 4, h->note, (int) h->len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, (sqlite3_int64) cp->size);
	sqlite3_bind_text(st, 6, note, (int) len, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		cosoi_rollback(s);
		return cosoi_db_fail(s, "cannot keep the evidence");
	}
	return cosoi_commit(s);
}

/* Refuses cp: the evidence kept, then COSO_EPROTO with why. */
static int
refuse(struct coso_store *s, const char *kind, const struct held *h,
    const struct coso_checkpoint *cp, const char *note, size_t len,
    const char *why)
{
	int rv = evidence_put(s, kind, h, cp, note, len);

	if (rv != COSO_OK) {
		return rv;
	}
	return cosoi_fail(s, COSO_EPROTO,
	    "split view: the central's checkpoint of size %llu %s the one "
	    "of size %llu this device holds; both signed notes are kept as "
	    "evidence (coso receipts verify)",
	    (unsigned long long) cp->size, why,
	    (unsigned long long) h->cp.size);
}

/* A larger tree: the proof from the held size to the new one. */
static int
check_larger(struct coso_store *s, const struct held *h,
    const struct coso_checkpoint *cp, const char *note, size_t len,
    const struct cosoi_proof_src *src, int *how)
{
	uint8_t hashes[COSO_PROOF_MAX][32];
	size_t n = 0;
	int rv   = src->fetch(src->arg, h->cp.size, cp->size, hashes, &n);

	if (rv == COSO_ENOENT) {
		if (cosoi_meta_u64(s, PROOFS_KEY, 0) != 0) {
			return cosoi_fail(s, COSO_EPROTO,
			    "the central gave consistency proofs before and "
			    "now says it knows none: its checkpoint of size "
			    "%llu is not taken",
			    (unsigned long long) cp->size);
		}
		*how = COSOI_CP_UNPROVED;
		return COSO_OK;
	}
	if (rv != COSO_OK) {
		return rv;
	}
	if (coso_verify_consistency(h->cp.size, cp->size,
	        n > 0 ? hashes[0] : NULL, n, h->cp.root, cp->root)
	    != COSO_OK) {
		return refuse(s, "inconsistent", h, cp, note, len,
		    "does not extend (its consistency proof fails from)");
	}
	*how = COSOI_CP_PROVED;
	return COSO_OK;
}

int
cosoi_cp_check(struct coso_store *s, const uint8_t pk[32],
    const struct coso_checkpoint *cp, const char *note, size_t len,
    const struct cosoi_proof_src *src, int *how)
{
	struct held h;
	int rv;

	if ((rv = held_latest(s, pk, &h)) != COSO_OK) {
		return rv;
	}
	if (h.note == NULL) {
		*how = COSOI_CP_FIRST;
	} else if (cp->size < h.cp.size) {
		rv = refuse(
		    s, "backwards", &h, cp, note, len, "moves backwards from");
	} else if (cp->size == h.cp.size) {
		rv = memcmp(cp->root, h.cp.root, 32) == 0
		    ? (*how = COSOI_CP_SAME, COSO_OK)
		    : refuse(s, "fork", &h, cp, note, len,
		        "names another root than");
	} else {
		rv = check_larger(s, &h, cp, note, len, src, how);
	}
	free(h.note);
	return rv;
}

/* ---- listings ------------------------------------------------------------
 */

int
coso_checkpoint_list(struct coso_store *s, coso_row_cb cb, void *arg)
{
	sqlite3_stmt *st = NULL;
	int rv;

	if (sqlite3_prepare_v2(s->db,
	        "SELECT size, consistency, received_ms, note FROM checkpoints "
	        "ORDER BY size",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot read the checkpoints");
	}
	rv = cosoi_rows(s, st, "checkpoint", cb, arg);
	sqlite3_finalize(st);
	return rv;
}

int
coso_evidence_list(struct coso_store *s, coso_row_cb cb, void *arg)
{
	sqlite3_stmt *st = NULL;
	int rv;

	if (sqlite3_prepare_v2(s->db,
	        "SELECT id, kind, first_ms, last_ms, seen, held_size, "
	        "new_size, held_note, new_note FROM evidence ORDER BY id",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot read the evidence");
	}
	rv = cosoi_rows(s, st, "evidence", cb, arg);
	sqlite3_finalize(st);
	return rv;
}
