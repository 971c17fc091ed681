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
 * transaction: the same pair seen again counts once more.  Past
 * COSO_GOSSIP_EVIDENCE_MAX pairs (what one gossip file carries) a new
 * pair is not added: the refusal stands, the store does not grow. */
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
	        "held_size, held_note, new_size, new_note) SELECT ?1, ?2, "
	        "?2, 1, ?3, ?4, ?5, ?6 WHERE (SELECT count(*) FROM evidence) "
	        "< ?7 OR EXISTS (SELECT 1 FROM evidence WHERE held_note = ?4 "
	        "AND new_note = ?6) ON CONFLICT (held_note, new_note) DO "
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
	sqlite3_bind_int64(st, 7, COSO_GOSSIP_EVIDENCE_MAX);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		cosoi_rollback(s);
		return cosoi_db_fail(s, "cannot keep the evidence");
	}
	return cosoi_commit(s);
}

/* Refuses cp: the evidence kept, then COSO_EPROTO saying which kind
 * (one whole sentence each, so that each is translated). */
static int
refuse(struct coso_store *s, const char *kind, const struct held *h,
    const struct coso_checkpoint *cp, const char *note, size_t len)
{
	unsigned long long n = cp->size, m = h->cp.size;
	int rv = evidence_put(s, kind, h, cp, note, len);

	if (rv != COSO_OK) {
		return rv;
	}
	if (strcmp(kind, "backwards") == 0) {
		return cosoi_fail(s, COSO_EPROTO,
		    "split view: the central's checkpoint of size %llu is "
		    "smaller than the one of size %llu this device holds; "
		    "both signed notes are kept as evidence",
		    n, m);
	}
	if (strcmp(kind, "fork") == 0) {
		return cosoi_fail(s, COSO_EPROTO,
		    "split view: the central's checkpoint of size %llu names "
		    "another root than the one this device holds; both "
		    "signed notes are kept as evidence",
		    n);
	}
	return cosoi_fail(s, COSO_EPROTO,
	    "split view: the central's checkpoint of size %llu does not "
	    "extend the one of size %llu this device holds (the "
	    "consistency proof fails); both signed notes are kept as "
	    "evidence",
	    n, m);
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
		return refuse(s, "inconsistent", h, cp, note, len);
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
		rv = refuse(s, "backwards", &h, cp, note, len);
	} else if (cp->size == h.cp.size) {
		rv = memcmp(cp->root, h.cp.root, 32) == 0
		    ? (*how = COSOI_CP_SAME, COSO_OK)
		    : refuse(s, "fork", &h, cp, note, len);
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

/* ---- the gossip file -----------------------------------------------------
 */

/* What an export holds while it is built: the rows' bytes, copied out
 * of the statements (the file points into them). */
struct gfile {
	struct coso_gossip g;
	uint8_t **keep; /* every copied blob, freed at the end */
	size_t nkeep, capkeep;
};

static void
gfile_free(struct gfile *f)
{
	size_t i;

	for (i = 0; i < f->nkeep; i++) {
		free(f->keep[i]);
	}
	free(f->keep);
	free(f->g.notes);
	free(f->g.receipts);
	free(f->g.evidence);
}

/* A copy of n bytes at p kept until gfile_free; NULL when out of
 * memory. */
static const void *
gfile_copy(struct gfile *f, const void *p, size_t n)
{
	uint8_t *c;

	if (f->nkeep == f->capkeep) {
		size_t cap     = f->capkeep ? f->capkeep * 2 : 64;
		uint8_t **more = realloc(f->keep, cap * sizeof(*more));

		if (more == NULL) {
			return NULL;
		}
		f->keep    = more;
		f->capkeep = cap;
	}
	if ((c = malloc(n > 0 ? n : 1)) == NULL) {
		return NULL;
	}
	if (n > 0) {
		memcpy(c, p, n);
	}
	f->keep[f->nkeep++] = c;
	return c;
}

/* The number of rows of a count query, bounded by max (COSO_ETOOBIG). */
static int
rows_count(struct coso_store *s, const char *sql, size_t max, size_t *n)
{
	sqlite3_stmt *st = NULL;
	int64_t v        = -1;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK
	    && sqlite3_step(st) == SQLITE_ROW) {
		v = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	if (v < 0) {
		return cosoi_db_fail(s, "cannot read the checkpoints");
	}
	if ((uint64_t) v > max) {
		return cosoi_fail(s, COSO_ETOOBIG,
		    "%lld rows are more than a gossip file holds (%zu)",
		    (long long) v, max);
	}
	*n = (size_t) v;
	return COSO_OK;
}

static int
note_col(struct coso_store *s, struct gfile *f, sqlite3_stmt *st, int col,
    struct coso_gossip_note *n)
{
	size_t len = (size_t) sqlite3_column_bytes(st, col);

	if (len == 0 || len > COSO_NOTE_MAX) {
		return cosoi_fail(s, COSO_ESTORE, "a kept note is malformed");
	}
	n->len = len;
	if ((n->note = gfile_copy(f, sqlite3_column_text(st, col), len))
	    == NULL) {
		return cosoi_fail(s, COSO_ENOMEM, "out of memory");
	}
	return COSO_OK;
}

static int
load_notes(struct coso_store *s, struct gfile *f)
{
	sqlite3_stmt *st = NULL;
	size_t i         = 0;
	int rv;

	if ((rv = rows_count(s, "SELECT count(*) FROM checkpoints",
	         COSO_GOSSIP_NOTES_MAX, &f->g.nnotes))
	        != COSO_OK
	    || f->g.nnotes == 0) {
		return rv;
	}
	if ((f->g.notes = calloc(f->g.nnotes, sizeof(*f->g.notes))) == NULL) {
		return cosoi_fail(s, COSO_ENOMEM, "out of memory");
	}
	if (sqlite3_prepare_v2(s->db,
	        "SELECT note FROM checkpoints ORDER BY size", -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot read the checkpoints");
	}
	while (rv == COSO_OK && i < f->g.nnotes
	    && sqlite3_step(st) == SQLITE_ROW) {
		rv = note_col(s, f, st, 0, &f->g.notes[i++]);
	}
	sqlite3_finalize(st);
	f->g.nnotes = i;
	return rv;
}

static int
receipt_row(struct coso_store *s, struct gfile *f, sqlite3_stmt *st,
    struct coso_gossip_receipt *r)
{
	size_t plen = (size_t) sqlite3_column_bytes(st, 3);

	if (sqlite3_column_bytes(st, 2) != COSO_RECEIPT_BYTES || plen % 32 != 0
	    || plen / 32 > COSO_PROOF_MAX) {
		return cosoi_fail(s, COSO_ESTORE,
		    "the receipt of seq %lld is malformed",
		    (long long) sqlite3_column_int64(st, 0));
	}
	r->seq       = (uint64_t) sqlite3_column_int64(st, 0);
	r->tree_size = (uint64_t) sqlite3_column_int64(st, 1);
	r->nproof    = plen / 32;
	r->receipt
	    = gfile_copy(f, sqlite3_column_blob(st, 2), COSO_RECEIPT_BYTES);
	r->proof = plen > 0 ? gfile_copy(f, sqlite3_column_blob(st, 3), plen)
	                    : NULL;
	if (r->receipt == NULL || (plen > 0 && r->proof == NULL)) {
		return cosoi_fail(s, COSO_ENOMEM, "out of memory");
	}
	return COSO_OK;
}

/* The receipts with a proof and a checkpoint (those kept before proofs
 * were have nothing an auditor can check against a tree). */
#define RECEIPTS_WHERE                                                      \
	" FROM receipts WHERE tree_size IS NOT NULL AND proof IS NOT NULL " \
	"AND length(receipt) = 114"

static int
load_receipts(struct coso_store *s, struct gfile *f)
{
	sqlite3_stmt *st = NULL;
	size_t i         = 0;
	int rv;

	if ((rv = rows_count(s, "SELECT count(*)" RECEIPTS_WHERE,
	         COSO_GOSSIP_RECEIPTS_MAX, &f->g.nreceipts))
	        != COSO_OK
	    || f->g.nreceipts == 0) {
		return rv;
	}
	f->g.receipts = calloc(f->g.nreceipts, sizeof(*f->g.receipts));
	if (f->g.receipts == NULL) {
		return cosoi_fail(s, COSO_ENOMEM, "out of memory");
	}
	if (sqlite3_prepare_v2(s->db,
	        "SELECT seq, tree_size, receipt, proof" RECEIPTS_WHERE
	        " ORDER BY seq",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot read the receipts");
	}
	while (rv == COSO_OK && i < f->g.nreceipts
	    && sqlite3_step(st) == SQLITE_ROW) {
		rv = receipt_row(s, f, st, &f->g.receipts[i++]);
	}
	sqlite3_finalize(st);
	f->g.nreceipts = i;
	return rv;
}

static uint8_t
kind_code(const char *kind)
{
	return strcmp(kind, "backwards") == 0 ? COSO_GOSSIP_BACKWARDS
	    : strcmp(kind, "fork") == 0       ? COSO_GOSSIP_FORK
	                                      : COSO_GOSSIP_INCONSISTENT;
}

static int
load_evidence(struct coso_store *s, struct gfile *f)
{
	sqlite3_stmt *st = NULL;
	size_t i         = 0;
	int rv;

	if ((rv = rows_count(s, "SELECT count(*) FROM evidence",
	         COSO_GOSSIP_EVIDENCE_MAX, &f->g.nevidence))
	        != COSO_OK
	    || f->g.nevidence == 0) {
		return rv;
	}
	f->g.evidence = calloc(f->g.nevidence, sizeof(*f->g.evidence));
	if (f->g.evidence == NULL) {
		return cosoi_fail(s, COSO_ENOMEM, "out of memory");
	}
	if (sqlite3_prepare_v2(s->db,
	        "SELECT kind, held_note, new_note FROM evidence ORDER BY id",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot read the evidence");
	}
	while (rv == COSO_OK && i < f->g.nevidence
	    && sqlite3_step(st) == SQLITE_ROW) {
		struct coso_gossip_evidence *e = &f->g.evidence[i++];

		e->kind = kind_code((const char *) sqlite3_column_text(st, 0));
		if ((rv = note_col(s, f, st, 1, &e->held)) == COSO_OK) {
			rv = note_col(s, f, st, 2, &e->fresh);
		}
	}
	sqlite3_finalize(st);
	f->g.nevidence = i;
	return rv;
}

int
coso_gossip_export(struct coso_store *s, uint8_t **out, size_t *len,
    struct coso_gossip_counts *n)
{
	struct gfile f = {0};
	int rv;

	if ((rv = cosoi_central_pk(s, f.g.central_pk)) != COSO_OK
	    || (rv = cosoi_pk_load(s)) != COSO_OK) {
		return rv;
	}
	memcpy(f.g.device_pk, s->pk, 32);
	f.g.exported_ms = coso_wall_ms();
	/* One read transaction: the three lists of one moment. */
	if ((rv = cosoi_begin(s)) != COSO_OK) {
		return rv;
	}
	if ((rv = load_notes(s, &f)) == COSO_OK
	    && (rv = load_receipts(s, &f)) == COSO_OK
	    && (rv = load_evidence(s, &f)) == COSO_OK) {
		rv = coso_gossip_encode(&f.g, out, len);
		if (rv != COSO_OK) {
			rv = cosoi_fail(s, rv,
			    "cannot encode the gossip file: %s",
			    coso_strerror(rv));
		}
	}
	cosoi_rollback(s);
	if (rv == COSO_OK && n != NULL) {
		n->checkpoints = f.g.nnotes;
		n->receipts    = f.g.nreceipts;
		n->evidence    = f.g.nevidence;
	}
	gfile_free(&f);
	return rv;
}
