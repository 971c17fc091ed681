/*
 * merge.c: verdicts, the log entry and the author's chain for one
 * change-set; apply.c does the ops.  The order of the checks is in
 * merge.h.
 */
#include <assert.h>
#include <string.h>

#include "apply.h"
#include "merge.h"

/* The state of one merge. */
struct mstate {
	const struct merge_ctx *m;
	const struct merge_in *in;
	struct merge_out *out;
	struct coso_changeset cs;
	struct cstore_author a;
	uint64_t position; /* where an entry would go */
};

static void
receipt_of(const struct mstate *st, int verdict, uint8_t *out)
{
	struct coso_receipt r = {.leaf_index = st->position,
	    .received_ms                     = st->in->received_ms,
	    .verdict                         = (uint8_t) verdict};

	memcpy(r.cs_id, st->out->id, 32);
	if (st->m->central == NULL) {
		if (st->in->receipt != NULL) {
			memcpy(out, st->in->receipt, COSO_RECEIPT_BYTES);
		} else {
			memset(out, 0, COSO_RECEIPT_BYTES);
		}
		return;
	}
	/* Signing cannot fail for a well-formed receipt and a key. */
	if (coso_receipt_sign(out, st->m->central, &r) != COSO_OK) {
		memset(out, 0, COSO_RECEIPT_BYTES);
	}
}

/* Appends the change-set to the log with its verdict. */
static int
store_entry(struct mstate *st, int verdict, int reason)
{
	struct cstore_logrow r = {.position = st->position,
	    .seq                            = st->cs.seq,
	    .hlc                            = st->cs.hlc,
	    .received_ms                    = st->in->received_ms,
	    .verdict                        = verdict,
	    .reason                         = reason,
	    .bytes                          = (uint8_t *) st->in->cs,
	    .len                            = st->in->len};

	memcpy(r.id, st->out->id, 32);
	memcpy(r.author, st->cs.author, 32);
	memcpy(r.sender, st->in->sender, 32);
	receipt_of(st, verdict, r.receipt);
	st->out->verdict     = verdict;
	st->out->reason      = reason;
	st->out->stored      = 1;
	st->out->position    = st->position;
	st->out->has_receipt = 1;
	memcpy(st->out->receipt, r.receipt, COSO_RECEIPT_BYTES);
	return cstore_log_append(st->m->s, &r);
}

/* The author's chain moves past this change-set.  Re-read: the ops may
 * have changed the author's own row (role, revocation). */
static int
advance(struct mstate *st)
{
	struct cstore_author a;
	int rv = cstore_author_get(st->m->s, st->cs.author, &a);

	if (rv != COSO_OK) {
		return rv;
	}
	a.next_seq = st->cs.seq + 1;
	memcpy(a.head, st->out->id, 32);
	st->out->expected_seq = a.next_seq;
	return cstore_author_put(st->m->s, &a);
}

int
merge_clamped(uint64_t hlc, uint64_t received_ms)
{
	return coso_hlc_ms(hlc) > received_ms + COSO_CLOCK_TOLERANCE_MS;
}

/*
 * The change-set's last-writer-wins weight: its HLC, or its received
 * time when the HLC is ahead of that beyond the tolerance; and never
 * below the author's last weight + 1, so that an author's later
 * change-set outweighs its earlier ones, clamped or not, even when a
 * whole batch shares one received time.  Only the log entry's own
 * fields and earlier entries of the author count: a rebuild weighs
 * alike.
 */
static int
weigh(const struct mstate *st, uint64_t *w)
{
	uint64_t last = 0, base = st->cs.hlc;
	int rv;

	if (merge_clamped(st->cs.hlc, st->in->received_ms)) {
		base = st->in->received_ms << 16;
	}
	rv = cstore_weight_get(st->m->s, st->cs.author, &last);
	if (rv != COSO_OK && rv != COSO_ENOENT) {
		return rv;
	}
	if (rv == COSO_OK && base <= last) {
		base = last < UINT64_MAX ? last + 1 : last;
	}
	*w = base;
	return COSO_OK;
}

static int
duplicate(struct mstate *st, const struct cstore_logrow *row)
{
	struct cstore_author a;
	int rv = cstore_author_get(st->m->s, row->author, &a);

	if (rv != COSO_OK && rv != COSO_ENOENT) {
		return rv;
	}
	st->out->verdict      = COSO_VERDICT_DUPLICATE;
	st->out->reason       = row->reason;
	st->out->expected_seq = rv == COSO_OK ? a.next_seq : 0;
	st->out->position     = row->position;
	st->out->has_receipt  = 1;
	st->out->clamped      = row->verdict == COSO_VERDICT_ACCEPTED
	    && merge_clamped(row->hlc, row->received_ms);
	memcpy(st->out->receipt, row->receipt, COSO_RECEIPT_BYTES);
	return COSO_OK;
}

/* Decodes and applies the ops, all or none; the author's weight moves
 * with them. */
static int
apply(struct mstate *st, int *reason)
{
	struct coso_ops *ops = NULL;
	struct apply_ctx c   = {.s = st->m->s,
	      .author              = &st->a,
	      .cs_id               = st->out->id,
	      .hlc                 = st->cs.hlc,
	      .position            = st->position,
	      .received_ms         = st->in->received_ms};
	int rv;

	/* A live PUSH comes decoded: its workers decode (and check NFC) on
	 * every core, so the writer only applies. */
	if (st->in->decoded) {
		assert((st->in->ops != NULL) == (st->in->ops_err == 0));
		*reason = st->in->ops_err;
		c.ops   = st->in->ops;
	} else {
		*reason = coso_ops_decode(&ops, st->cs.body, st->cs.body_len);
		c.ops   = ops;
	}
	if (*reason != COSO_OK) {
		return COSO_OK;
	}
	if ((rv = weigh(st, &c.weight)) != COSO_OK) {
		goto out;
	}
	if ((rv = cstore_savepoint(st->m->s, "ops")) == COSO_OK) {
		rv = apply_ops(&c, reason);
		if (rv == COSO_OK && *reason == 0) {
			rv = cstore_weight_put(
			    st->m->s, st->cs.author, c.weight);
		}
		if (rv != COSO_OK || *reason != 0) {
			cstore_rollback_to(st->m->s, "ops");
		} else {
			rv = cstore_release(st->m->s, "ops");
		}
	}
out:
	coso_ops_free(ops);
	return rv;
}

/* The signature with the registered key: 0 or the failure's code. */
static int
signature(const struct mstate *st)
{
	struct coso_changeset v;

	switch (st->in->sig) {
	case MERGE_SIG_OK:
		return 0;
	case MERGE_SIG_BAD:
		return COSO_EBADSIG;
	default:
		return coso_changeset_verify(
		    &v, st->in->cs, st->in->len, st->a.pk);
	}
}

/* Steps 7 to 9, for a signed change-set that continues its chain. */
static int
judge(struct mstate *st, int *reason)
{
	if (st->a.revoked >= 0 && (uint64_t) st->a.revoked <= st->position) {
		*reason = COSO_QREVOKED;
		return COSO_OK;
	}
	return apply(st, reason);
}

/* From the author's registration on: chain, signature, then judge. */
static int
continue_chain(struct mstate *st)
{
	int rv, reason;

	st->out->expected_seq = st->a.next_seq;
	if (st->cs.seq > st->a.next_seq) {
		st->out->verdict = COSO_VERDICT_GAP;
		return COSO_OK;
	}
	if (st->cs.seq < st->a.next_seq
	    || memcmp(st->cs.prev, st->a.head, 32) != 0) {
		return store_entry(st, COSO_VERDICT_QUARANTINED, COSO_QFORK);
	}
	if ((reason = signature(st)) != 0) {
		/* Not the author's: its seq and prev prove nothing, so the
		 * chain waits for the genuine change-set. */
		return store_entry(st, COSO_VERDICT_QUARANTINED, reason);
	}
	if ((rv = judge(st, &reason)) != COSO_OK
	    || (rv = store_entry(st,
	            reason == 0 ? COSO_VERDICT_ACCEPTED
	                        : COSO_VERDICT_QUARANTINED,
	            reason))
	        != COSO_OK) {
		return rv;
	}
	st->out->clamped
	    = reason == 0 && merge_clamped(st->cs.hlc, st->in->received_ms);
	return advance(st);
}

int
merge_changeset(const struct merge_ctx *m, const struct merge_in *in,
    struct merge_out *out)
{
	struct mstate st = {.m = m, .in = in, .out = out};
	struct cstore_logrow row;
	int rv;

	memset(out, 0, sizeof(*out));
	coso_changeset_id(out->id, in->cs, in->len);
	if ((rv = coso_changeset_peek(&st.cs, in->cs, in->len)) != COSO_OK) {
		out->verdict = COSO_VERDICT_REFUSED;
		out->reason  = rv;
		return COSO_OK;
	}
	rv = cstore_log_find(m->s, out->id, in->sender, &row);
	if (rv != COSO_ENOENT) {
		return rv == COSO_OK ? duplicate(&st, &row) : rv;
	}
	if ((rv = cstore_log_next(m->s, &st.position)) != COSO_OK) {
		return rv;
	}
	if (memcmp(st.cs.author, in->sender, 32) != 0) {
		return store_entry(
		    &st, COSO_VERDICT_QUARANTINED, COSO_QAUTHOR);
	}
	rv = cstore_author_get(m->s, st.cs.author, &st.a);
	if (rv == COSO_ENOENT) {
		out->verdict = COSO_VERDICT_REFUSED;
		out->reason  = COSO_QUNKNOWN;
		return COSO_OK;
	}
	return rv == COSO_OK ? continue_chain(&st) : rv;
}

const char *
merge_reason_name(int reason)
{
	return coso_reason_name(reason);
}
