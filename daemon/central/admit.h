/*
 * admit.h: what a PUSH may add to the log at all, decided by the writer
 * before merge (merge.h) decides a verdict.  Every log entry costs every
 * auditor a download, forever, so only a key the central trusts now may
 * add entries, and what it sends that is not its own signed work is
 * bounded.  A change-set that is not admitted is REFUSED with a reason:
 * no entry, no leaf, no receipt.  In order:
 *
 *   1. the frame's sender is registered and     else every item REFUSED
 *      not revoked (the whole PUSH)             QUNKNOWN / QREVOKED
 *   2. a relay (author != sender): its author   else REFUSED QAUTHOR
 *      is registered and its signature
 *      verifies with the author's key
 *   3. the sender's own change-set with a bad   else REFUSED EBADSIG
 *      signature: only where it continues the
 *      chain (it proves no fork) or leaves a gap
 *   4. relays and bad signatures together: at   else REFUSED QAUTHOR /
 *      most ADMIT_BUDGET entries per sender in  EBADSIG
 *      any ADMIT_WINDOW_MS of received time
 *
 * A change-set already stored (same id; for a relay, same sender) is
 * always admitted, so that a resend gets its DUPLICATE.  The device's own
 * signed change-sets pass 2 to 4 untouched.
 *
 * Live pushes only: `rebuild` replays what was admitted, so these rules
 * never change a stored verdict.  Writer thread, inside the group's
 * transaction.
 */
#ifndef COSOD_ADMIT_H
#define COSOD_ADMIT_H

#include <stdint.h>

#include "merge.h"

#define ADMIT_BUDGET    64u
#define ADMIT_WINDOW_MS UINT64_C(86400000)

/* *reason: 0 if the key whose id is sender may push, else COSO_QUNKNOWN
 * or COSO_QREVOKED.  Returns COSO_OK or a store failure. */
COSO_NODISCARD int admit_sender(
    struct central_store *s, const uint8_t sender[static 32], int *reason);

/*
 * *reason: 0 if in (from an admitted sender; in->sig as the server found
 * it, MERGE_SIG_UNCHECKED to have it verified here) goes on to merge,
 * else the reason it is refused with.  Returns COSO_OK or a store
 * failure.
 */
COSO_NODISCARD int admit_changeset(
    struct central_store *s, const struct merge_in *in, int *reason);

/* The result of a change-set refused with reason, before merge. */
void admit_refused(
    const struct merge_in *in, int reason, struct merge_out *out);

#endif /* COSOD_ADMIT_H */
