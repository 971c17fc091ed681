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

/* ---- from an entries file -------------------------------------------------
 */

/* Reads exactly n bytes: COSO_OK, COSO_ETRUNC at end of file, COSO_EIO. */
static int
read_full(FILE *f, void *buf, size_t n)
{
	if (fread(buf, 1, n, f) == n) {
		return COSO_OK;
	}
	return ferror(f) ? COSO_EIO : COSO_ETRUNC;
}

/* The header: the central's key and origin. */
static int
file_header(FILE *f, uint8_t pk[static 32],
    char origin[static COSO_ORIGIN_MAX + 1], char *errmsg)
{
	uint8_t buf[COSO_ENTRIES_HEADER_MAX];
	size_t n, used;
	int rv;

	if ((rv = read_full(f, buf, 50)) == COSO_OK) {
		n  = ((size_t) buf[48] << 8) | buf[49];
		rv = n > COSO_ORIGIN_MAX ? COSO_ETOOBIG
		                         : read_full(f, buf + 50, n);
	}
	if (rv == COSO_OK) {
		rv = coso_entries_header_decode(
		    buf, 50 + n, pk, origin, &used);
	}
	if (rv != COSO_OK) {
		snprintf(errmsg, CSTORE_ERRMSG_MAX, "header: %s",
		    coso_strerror(rv));
	}
	return rv;
}

/* The header's key and origin, set in dst as init does. */
static int
file_prepare(FILE *f, struct central_store *dst, char *errmsg)
{
	uint8_t pk[32];
	char origin[COSO_ORIGIN_MAX + 1], *pktext = NULL;
	int rv;

	if ((rv = file_header(f, pk, origin, errmsg)) != COSO_OK) {
		return rv;
	}
	if ((rv = coso_pubkey_format(&pktext, pk)) != COSO_OK
	    || (rv = cstore_begin(dst)) != COSO_OK) {
		free(pktext);
		return rv;
	}
	if ((rv = cstore_meta_set(dst, "central_pk", pktext)) != COSO_OK
	    || (rv = cstore_meta_set(dst, "origin", origin)) != COSO_OK
	    || (rv = emit_bootstrap(dst, pk)) != COSO_OK) {
		cstore_rollback(dst);
	} else {
		rv = cstore_commit(dst);
	}
	free(pktext);
	return rv;
}

/* The next entry into row (bytes in buf); COSO_ENOENT at a clean end. */
static int
file_next(FILE *f, uint64_t want, struct cstore_logrow *row, uint8_t *buf,
    char *errmsg)
{
	uint8_t head[COSO_ENTRY_HEAD];
	struct coso_entry e;
	size_t got = fread(head, 1, sizeof(head), f);
	int rv;

	if (got == 0 && feof(f)) {
		return COSO_ENOENT;
	}
	rv = got == sizeof(head) ? coso_entry_head_decode(&e, head)
	                         : (ferror(f) ? COSO_EIO : COSO_ETRUNC);
	if (rv == COSO_OK && e.index != want) {
		rv = COSO_ESCHEMA;
	}
	if (rv == COSO_OK) {
		rv = read_full(f, buf, e.cs_len);
	}
	if (rv != COSO_OK) {
		snprintf(errmsg, CSTORE_ERRMSG_MAX, "entry %llu: %s",
		    (unsigned long long) want,
		    rv == COSO_ESCHEMA ? "index out of order"
		                       : coso_strerror(rv));
		return rv;
	}
	memset(row, 0, sizeof(*row));
	row->position    = e.index;
	row->received_ms = e.received_ms;
	memcpy(row->sender, e.sender, 32);
	row->verdict = e.verdict;
	row->reason  = e.reason;
	row->bytes   = buf;
	row->len     = e.cs_len;
	return COSO_OK;
}

/* An entry of the file at a position dst holds already must be the very
 * entry dst holds there: same change-set, sender, received time and
 * verdict.  COSO_EINVAL (errmsg says which) if not. */
static int
same_entry(
    struct central_store *dst, const struct cstore_logrow *row, char *errmsg)
{
	struct cstore_logrow have;
	uint8_t id[32];
	int rv = cstore_log_get(dst, row->position, &have);

	if (rv != COSO_OK) {
		return rv;
	}
	coso_sha256(id, row->bytes, row->len);
	if (memcmp(id, have.id, 32) != 0
	    || memcmp(row->sender, have.sender, 32) != 0
	    || row->received_ms != have.received_ms
	    || row->verdict != have.verdict || row->reason != have.reason) {
		snprintf(errmsg, CSTORE_ERRMSG_MAX,
		    "entry %llu is not the one the database holds at that "
		    "position: the entries are not of this log",
		    (unsigned long long) row->position);
		rv = COSO_EINVAL;
	}
	free(have.bytes);
	return rv;
}

/* Up to BATCH entries in one transaction; *end set at the file's end.
 * Entries before known are compared with dst's (same_entry), the others
 * merged. */
static int
file_batch(FILE *f, const struct merge_ctx *m, uint64_t known, uint64_t *pos,
    uint8_t *buf, const struct clog *log, uint64_t *mismatch, int *end,
    char *errmsg)
{
	struct cstore_logrow row;
	uint64_t stop = *pos + BATCH;
	int rv        = cstore_begin(m->s);

	while (rv == COSO_OK && *pos < stop) {
		rv = file_next(f, *pos, &row, buf, errmsg);
		if (rv == COSO_ENOENT) {
			*end = 1;
			rv   = COSO_OK;
			break;
		}
		if (rv == COSO_OK && *pos < known) {
			rv = same_entry(m->s, &row, errmsg);
		} else if (rv == COSO_OK) {
			rv = replay_one(m, &row, log, mismatch);
		}
		if (rv == COSO_OK) {
			(*pos)++;
		}
	}
	if (rv == COSO_OK) {
		return cstore_commit(m->s);
	}
	cstore_rollback(m->s);
	return rv;
}

int
rebuild_from_file(FILE *f, struct central_store *dst, const struct clog *log,
    uint64_t *entries, uint64_t *mismatch,
    char errmsg[static CSTORE_ERRMSG_MAX])
{
	struct merge_ctx m = {dst, NULL};
	uint8_t *buf       = malloc(COSO_CS_MAX);
	int rv, end = 0;

	*entries = *mismatch = 0;
	errmsg[0]            = '\0';
	if (buf == NULL) {
		return COSO_ENOMEM;
	}
	rv = file_prepare(f, dst, errmsg);
	while (rv == COSO_OK && !end) {
		rv = file_batch(
		    f, &m, 0, entries, buf, log, mismatch, &end, errmsg);
	}
	free(buf);
	return rv;
}

/* The file's header must name dst's central key and origin. */
static int
file_matches(FILE *f, struct central_store *dst, char *errmsg)
{
	uint8_t pk[32], have[32];
	char origin[COSO_ORIGIN_MAX + 1], *pktext = NULL, *o = NULL;
	int rv;

	if ((rv = file_header(f, pk, origin, errmsg)) != COSO_OK) {
		return rv;
	}
	if ((rv = cstore_meta_get(dst, "central_pk", &pktext)) != COSO_OK
	    || (rv = cstore_meta_get(dst, "origin", &o)) != COSO_OK) {
		goto out;
	}
	if (coso_pubkey_parse(have, pktext, strlen(pktext)) != COSO_OK
	    || memcmp(have, pk, 32) != 0 || strcmp(o, origin) != 0) {
		snprintf(errmsg, CSTORE_ERRMSG_MAX,
		    "the entries are of another central (key or origin `%s')",
		    origin);
		rv = COSO_EINVAL;
	}
out:
	free(pktext);
	free(o);
	return rv;
}

int
rebuild_forward_file(FILE *f, struct central_store *dst,
    const struct clog *log, uint64_t *entries, uint64_t *added,
    uint64_t *mismatch, char errmsg[static CSTORE_ERRMSG_MAX])
{
	struct merge_ctx m = {dst, NULL};
	uint8_t *buf       = malloc(COSO_CS_MAX);
	uint64_t known     = 0;
	int rv, end = 0;

	*entries = *added = *mismatch = 0;
	errmsg[0]                     = '\0';
	if (buf == NULL) {
		return COSO_ENOMEM;
	}
	if ((rv = file_matches(f, dst, errmsg)) == COSO_OK) {
		rv = cstore_log_next(dst, &known);
	}
	while (rv == COSO_OK && !end) {
		rv = file_batch(
		    f, &m, known, entries, buf, log, mismatch, &end, errmsg);
	}
	*added = *entries > known ? *entries - known : 0;
	free(buf);
	return rv;
}
