/*
 * sync.h: the parts of a sync round that tests drive without a central
 * (sync.c, pull.c, receipts.c).  Not installed.
 */
#ifndef COSO_CLIENT_SYNC_H
#define COSO_CLIENT_SYNC_H

#include "internal.h"
#include "net.h"

/* Bytes of a PUSH frame besides its change-sets, and per change-set: a
 * bound above the wire encoding (FORMAT.md, "Wire"); the encoder has the
 * last word. */
#define COSOI_PUSH_FIXED    128u
#define COSOI_PUSH_PER_ITEM 8u
/* The PUSH reply, bounded above so that a batch is also cut for its reply
 * to fit the same maximum: the frame and a checkpoint note of the most
 * bytes a note may have, then per item the verdict with a receipt and an
 * inclusion proof of the most hashes any proof has (proto's size). */
#define COSOI_PUSH_REP_FIXED (COSOI_PUSH_FIXED + COSO_NOTE_MAX)
#define COSOI_PUSH_REP_ITEM \
	(coso_msg_push_rep_item_size(COSO_RECEIPT_BYTES, COSO_PROOF_MAX))

struct cosoi_push_entry {
	uint64_t seq;
	uint8_t id[32];
	uint8_t *cs; /* malloc'd */
	size_t len;
	int done; /* a final verdict was taken */
};

struct cosoi_push_batch {
	struct cosoi_push_entry *e;
	size_t n;
	size_t frame; /* estimated frame bytes */
};

/*
 * Loads the next batch to push, in seq order from seq from: entries not
 * acknowledged, and every entry from central_next on (a central that lost
 * data gets it again), as many as fit a frame of max bytes, at most
 * COSO_WIRE_ITEMS_MAX and as many as a reply of max bytes can answer.
 * b->n == 0 when none is left.  An entry that alone cannot fit gives
 * COSO_ETOOBIG.
 */
int cosoi_push_batch(struct coso_store *s, uint64_t from,
    uint64_t central_next, size_t max, struct cosoi_push_batch *b);
void cosoi_push_batch_free(struct cosoi_push_batch *b);

/*
 * What the verdicts of one PUSH reply are checked against: the pinned
 * central key, this device's key id (the author of its leaves) and the
 * reply's checkpoint, verified once by cosoi_take_init.
 */
struct cosoi_take {
	uint8_t central_pk[32];
	uint8_t self_id[32];
	const char *note; /* the reply's checkpoint note, or NULL */
	size_t note_len;
	int note_err; /* COSO_OK once verified, else why not */
	struct coso_checkpoint cp;
	int note_kept; /* stored in the verdicts' transaction */
	/* How the checkpoint relates to the latest held (cosoi_cp_check):
	 * enum cosoi_cp_how, 0 if it was not checked. */
	int how;
};

/* Fills t for reply m and verifies its checkpoint with the pinned key,
 * under the name the note gives as its origin (the device pins the key,
 * not its name). */
void cosoi_take_init(struct cosoi_take *t, const uint8_t central_pk[32],
    const uint8_t self_id[32], const struct coso_msg *m);

/*
 * Takes one final verdict (accepted, duplicate, quarantined) for outbox
 * entry (seq, id), inside the caller's transaction.  A receipt must
 * verify with the pinned key and name id, the reply's checkpoint must
 * verify, and the item's inclusion proof must lead from the leaf this
 * device rebuilds (id, its own key id, seq, the receipt's received_ms and
 * verdict) to the checkpoint's root (a quarantined change-set may come
 * without a receipt).  Then the entry is marked and the receipt stored
 * with its proof, and the checkpoint with it (table checkpoints, one note
 * per tree size; a second root for a size the device holds is refused).
 * Anything that does not verify gives COSO_EPROTO, with the handle's
 * message naming seq and the check, and changes nothing.
 */
int cosoi_sync_take(struct coso_store *s, struct cosoi_take *t, uint64_t seq,
    const uint8_t id[32], const struct coso_msg_item *it);

/*
 * Applies a PULL_REP in one transaction with the cursor it carries:
 * every change-set must verify under the reply's key for its author
 * (FORMAT.md, "Checking a PULL reply"), else COSO_EPROTO with nothing
 * stored and the cursor unmoved; units, cadres and assignments are
 * upserted, responses update the device's proposals, other cadres' field
 * records are inserted if absent.  Change-sets by self_id that continue
 * this device's chain (a store restored from an old copy) are applied
 * likewise, put back in the outbox as acknowledged with the verdict the
 * reply gives, and the chain moves to them; the others of self_id are
 * held already, or another branch, and left out.  The HLC takes in what
 * each change-set weighs when the central's time is central_ms
 * (cosoi_hlc_weighed).  Counts go to r.
 */
int cosoi_sync_apply_pull(struct coso_store *s, const uint8_t self_id[32],
    uint64_t central_ms, const struct coso_msg *m, struct coso_sync_report *r);

/*
 * Verifies a checkpoint note with the pinned key pk under the name its
 * origin line gives (receipts.c): coso_checkpoint_verify's codes,
 * COSO_ENOENT for no note.
 */
int cosoi_note_verify(struct coso_checkpoint *cp, const char *note, size_t len,
    const uint8_t pk[32]);

/* ---- Devices as gossip (gossip.c) ---------------------------------------
 */

/* How a new checkpoint relates to the latest one the device holds. */
enum cosoi_cp_how {
	COSOI_CP_FIRST    = 1, /* none held */
	COSOI_CP_SAME     = 2, /* the same tree as the latest held */
	COSOI_CP_PROVED   = 3, /* larger, a consistency proof verified */
	COSOI_CP_UNPROVED = 4, /* larger, the central gives no proofs */
};

/*
 * Asks the central for the consistency proof between two tree sizes:
 * COSO_OK with *n hashes in out; COSO_ENOENT if the central does not
 * know the request (older than PROOF: no evidence either way); another
 * code (the handle's message set) if the request failed.
 */
struct cosoi_proof_src {
	int (*fetch)(void *arg, uint64_t from, uint64_t to,
	    uint8_t out[COSO_PROOF_MAX][32], size_t *n);
	void *arg;
};

/*
 * Checks the new checkpoint cp (its note note, len bytes, verified with
 * the pinned key pk) against the latest the device holds, outside any
 * transaction.  Refused, as COSO_EPROTO with the handle's message saying
 * why, and both signed notes kept as evidence (table evidence, committed
 * at once): a smaller tree (the log moved backwards), the same size with
 * another root (a fork), a larger tree the proof from src does not join
 * to the held one (inconsistent).  A central that once gave proofs and
 * then says it knows no PROOF is refused (COSO_EPROTO) with no evidence.
 * COSO_OK with *how otherwise.
 */
int cosoi_cp_check(struct coso_store *s, const uint8_t pk[32],
    const struct coso_checkpoint *cp, const char *note, size_t len,
    const struct cosoi_proof_src *src, int *how);

/* The word stored for a how in checkpoints.consistency, or NULL. */
const char *cosoi_cp_how_name(int how);

/* A round over a transport the caller opened (tests). */
int cosoi_sync_round_net(struct coso_store *s, const struct coso_sync_opts *o,
    struct coso_sync_report *r, struct cosoi_net *net);

/* The pinned central key (meta central_key); COSO_ENOPIN if none. */
int cosoi_central_pk(struct coso_store *s, uint8_t pk[32]);

/* A meta value as an unsigned or signed integer, def if absent. */
uint64_t cosoi_meta_u64(struct coso_store *s, const char *key, uint64_t def);
int cosoi_meta_set_i64(struct coso_store *s, const char *key, int64_t v);

#endif /* COSO_CLIENT_SYNC_H */
