/*
 * merge.h: what the central does with one change-set.  The same code
 * serves live pushes (writer thread) and `rebuild` (replay of a log), so
 * a rebuilt database reaches the same verdicts and the same state.
 *
 * In order, each step deciding or passing on:
 *   1. envelope structure (coso_changeset_peek)  else REFUSED, not stored
 *   2. id already stored                         DUPLICATE, stored receipt
 *   3. frame sender is not the author            QUARANTINED QAUTHOR
 *   4. author not registered                     REFUSED QUNKNOWN
 *   5. chain: seq > next                         GAP (expected_seq)
 *             seq < next, or prev != head        QUARANTINED QFORK
 *   6. signature with the registered key         QUARANTINED EBADSIG
 *   7. key revoked at or before this position    QUARANTINED QREVOKED
 *   8. body decodes                              QUARANTINED <decode error>
 *   9. every op authorised and applied           ACCEPTED, else QUARANTINED
 *      (all ops or none: a savepoint)            with the first op's reason
 * Steps 7-9 advance the author's chain (next_seq, head) whatever the
 * verdict, so the device's outbox moves on.  Step 9 weighs mutable
 * fields by the change-set's HLC, or by its received time when the HLC
 * is ahead of that by more than COSO_CLOCK_TOLERANCE_MS ("clamped"; the
 * change-set is accepted all the same), never below the author's
 * previous weight (merge.c, docs/decisions.md "Clocks").  A fork does not, nor
 * does a bad signature: an unsigned change-set is not the author's, and the
 * genuine one for that seq can still come.
 *
 * Runs inside the caller's transaction; the caller commits.
 */
#ifndef COSOD_MERGE_H
#define COSOD_MERGE_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

struct merge_ctx {
	struct central_store *s;
	/* Signs receipts; NULL when replaying a log, whose receipts are
	 * given with each change-set. */
	const struct coso_key *central;
};

/* What is known of the signature before merge (the server verifies on
 * its workers), with the author's registered key: the sender's
 * own for its change-sets, the author's for a relay (admit.h). */
enum merge_sig {
	MERGE_SIG_UNCHECKED = 0, /* merge verifies */
	MERGE_SIG_OK        = 1, /* verified with the author's key */
	MERGE_SIG_BAD       = 2, /* failed, or no such key */
};

struct merge_in {
	const uint8_t *cs;
	size_t len;
	uint8_t sender[32]; /* key id of the frame's sender */
	uint64_t received_ms;
	enum merge_sig sig;
	const uint8_t *receipt; /* replay: the stored receipt, else NULL */
	/* The body already decoded (coso_ops_decode, on a server worker):
	 * if decoded, ops (NULL on failure) and ops_err (its result, never
	 * COSO_ENOMEM) stand for step 8, else merge decodes the body
	 * itself.  The caller owns ops; they point into cs. */
	int decoded;
	const struct coso_ops *ops;
	int ops_err;
};

struct merge_out {
	int verdict; /* enum coso_verdict */
	int reason;  /* coso_err code or 0 */
	uint64_t expected_seq;
	uint8_t id[32];
	int stored; /* a new log entry was written at position */
	uint64_t position;
	int has_receipt;
	uint8_t receipt[COSO_RECEIPT_BYTES];
	/* Accepted (or a duplicate of an accepted one) with its HLC ahead
	 * of its received time beyond the tolerance: weighed at the
	 * received time.  The reply tells the device (COSO_ECLOCK). */
	int clamped;
};

/* Merges one change-set.  Returns COSO_OK with the verdict in *out, or a
 * store failure (the caller rolls back the transaction). */
COSO_NODISCARD int merge_changeset(const struct merge_ctx *m,
    const struct merge_in *in, struct merge_out *out);

/* Whether a change-set of that HLC, received at received_ms, is weighed
 * at its received time: its HLC is ahead by more than
 * COSO_CLOCK_TOLERANCE_MS. */
int merge_clamped(uint64_t hlc, uint64_t received_ms);

/* A short name for a quarantine reason ("fork", "revoked"), for stats;
 * NULL for a code without one. */
const char *merge_reason_name(int reason);

#endif /* COSOD_MERGE_H */
