/*
 * rebuild.c: log replay.
 */
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "rebuild.h"

#define BATCH 512u /* entries per transaction */

static const char *const copied_meta[]
    = {"central_pk", "origin", "created_ms"};

int
rebuild_prepare(struct central_store *src, struct central_store *dst)
{
	char *v = NULL;
	uint8_t pk[32];
	size_t i;
	int rv = cstore_begin(dst);

	for (i = 0; rv == COSO_OK && i < 3; i++) {
		if ((rv = cstore_meta_get(src, copied_meta[i], &v))
		    == COSO_OK) {
			rv = cstore_meta_set(dst, copied_meta[i], v);
		}
		if (rv == COSO_OK && i == 0
		    && coso_pubkey_parse(pk, v, strlen(v)) != COSO_OK) {
			rv = COSO_EKEYFILE;
		}
		free(v);
		v = NULL;
	}
	if (rv == COSO_OK && (rv = emit_bootstrap(dst, pk)) == COSO_OK) {
		return cstore_commit(dst);
	}
	cstore_rollback(dst);
	return rv;
}

static int
replay_one(const struct merge_ctx *m, const struct cstore_logrow *row,
    const struct clog *log, uint64_t *mismatch)
{
	struct merge_in in = {.cs = row->bytes,
	    .len                  = row->len,
	    .received_ms          = row->received_ms,
	    .sig                  = MERGE_SIG_UNCHECKED,
	    .receipt              = row->receipt};
	struct merge_out out;
	int rv;

	memcpy(in.sender, row->sender, 32);
	if ((rv = merge_changeset(m, &in, &out)) != COSO_OK) {
		return rv;
	}
	if (!out.stored || out.position != row->position
	    || out.verdict != row->verdict || out.reason != row->reason) {
		clog_error(log,
		    "log position %llu: stored verdict %d reason %d, "
		    "merge gives verdict %d reason %d at position %llu",
		    (unsigned long long) row->position, row->verdict,
		    row->reason, out.verdict, out.reason,
		    (unsigned long long) out.position);
		(*mismatch)++;
	}
	return COSO_OK;
}

static int
replay_batch(struct central_store *src, const struct merge_ctx *m,
    uint64_t from, uint64_t to, const struct clog *log, uint64_t *mismatch)
{
	struct cstore_logrow row;
	uint64_t pos;
	int rv = cstore_begin(m->s);

	for (pos = from; rv == COSO_OK && pos < to; pos++) {
		if ((rv = cstore_log_get(src, pos, &row)) == COSO_ENOENT) {
			clog_error(log, "log position %llu is missing",
			    (unsigned long long) pos);
			(*mismatch)++;
			rv = COSO_OK;
			continue;
		}
		if (rv == COSO_OK) {
			rv = replay_one(m, &row, log, mismatch);
			free(row.bytes);
		}
	}
	if (rv == COSO_OK) {
		return cstore_commit(m->s);
	}
	cstore_rollback(m->s);
	return rv;
}

int
rebuild_replay(struct central_store *src, struct central_store *dst,
    const struct clog *log, uint64_t *entries, uint64_t *mismatch)
{
	struct merge_ctx m = {dst, NULL};
	uint64_t n, pos;
	int rv;

	*mismatch = 0;
	if ((rv = cstore_log_next(src, &n)) != COSO_OK) {
		return rv;
	}
	*entries = n;
	for (pos = 0; pos < n; pos += BATCH) {
		rv = replay_batch(src, &m, pos,
		    n - pos < BATCH ? n : pos + BATCH, log, mismatch);
		if (rv != COSO_OK) {
			return rv;
		}
	}
	return COSO_OK;
}
