/*
 * emit.h: change-sets the central signs itself.  Key registrations (the
 * first admin at init, every enrollment) are change-sets by the central
 * key in the same log as everything else, so the key registry can be
 * rebuilt and audited like any other table.  Writer thread (or init).
 */
#ifndef COSOD_EMIT_H
#define COSOD_EMIT_H

#include <stdint.h>

#include "merge.h"

/* Registers the central key as an author (role central, chain at 1) in a
 * fresh database.  The key is trusted by construction, not by a log
 * entry: it signs the first one. */
COSO_NODISCARD int emit_bootstrap(
    struct central_store *s, const uint8_t central_pk[static 32]);

/*
 * Registers a device key: a central-signed upsert of the device_key row
 * named coso_uuid_named("device_key", hex of its key id), merged at once.
 * token_hash is NULL for the admin key given to init.  out receives the
 * merge result (ACCEPTED unless something is wrong).
 */
COSO_NODISCARD int emit_device_key(const struct merge_ctx *m,
    const uint8_t pk[static 32], const char *cadre, int role,
    const uint8_t *token_hash, uint64_t now_ms, struct merge_out *out);

/*
 * Signs a checkpoint of the log's tree as it stands in the transaction
 * (size = log entries, its root) with the central key under the key name
 * and origin meta `origin`, and stores it, unless one is stored for that
 * size already (then it must name the same root: COSO_EINVAL otherwise,
 * never a second root for one size).  Nothing without a key (replay) or
 * for an empty log.  Called before the transaction's COMMIT, so a
 * checkpoint commits with its leaves and a note whose commit fails is
 * never shown.
 */
COSO_NODISCARD int emit_checkpoint(const struct merge_ctx *m);

#endif /* COSOD_EMIT_H */
