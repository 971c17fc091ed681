/*
 * apply.h: applying the ops of one verified change-set to the
 * materialised tables: append-only inserts, per-field last-writer-wins
 * for mutable tables (with a record of every conflict resolved), the
 * effects on the key registry (device keys, revocations) and on
 * proposals (responses), and the PULL index.  Writer thread.
 */
#ifndef COSOD_APPLY_H
#define COSOD_APPLY_H

#include <stdint.h>

#include "store.h"

struct apply_ctx {
	struct central_store *s;
	const struct cstore_author *author;
	const uint8_t *cs_id; /* 32 bytes */
	uint64_t hlc;         /* the change-set's, as signed */
	uint64_t weight;      /* its LWW stamp (merge.c: the HLC, or the
	                         received time for a clock far ahead) */
	uint64_t position;    /* where the change-set goes in the log */
	uint64_t received_ms; /* the entry's, for the window of dates */
	const struct coso_ops *ops;
};

/*
 * Applies every op in order, authorising each.  Returns COSO_OK or a
 * store failure; *reason is 0 if every op applied, else the quarantine
 * reason of the first that did not (the caller then rolls back).
 */
COSO_NODISCARD int apply_ops(const struct apply_ctx *c, int *reason);

#endif /* COSOD_APPLY_H */
