/*
 * admit.c: what a PUSH may add to the log; the rules are in admit.h.
 */
#include <string.h>

#include "admit.h"

int
admit_sender(
    struct central_store *s, const uint8_t sender[static 32], int *reason)
{
	struct cstore_author a;
	int rv = cstore_author_get(s, sender, &a);

	*reason = 0;
	if (rv == COSO_ENOENT) {
		*reason = COSO_QUNKNOWN;
		return COSO_OK;
	}
	if (rv == COSO_OK && a.revoked >= 0) {
		*reason = COSO_QREVOKED;
	}
	return rv;
}

void
admit_refused(const struct merge_in *in, int reason, struct merge_out *out)
{
	memset(out, 0, sizeof(*out));
	coso_changeset_id(out->id, in->cs, in->len);
	out->verdict = COSO_VERDICT_REFUSED;
	out->reason  = reason;
}

/* A resend of an entry already stored goes on to its DUPLICATE. */
static int
stored_before(struct central_store *s, const struct merge_in *in, int *yes)
{
	struct cstore_logrow row;
	uint8_t id[32];
	int rv;

	coso_changeset_id(id, in->cs, in->len);
	rv   = cstore_log_find(s, id, in->sender, &row);
	*yes = rv == COSO_OK;
	return rv == COSO_ENOENT ? COSO_OK : rv;
}

/* Whether the signature verifies with the author's registered key: as
 * the server found, or checked here if it did not check. */
static int
author_signed(struct central_store *s, const struct merge_in *in,
    const struct coso_changeset *cs, int *good)
{
	struct coso_changeset v;
	struct cstore_author a;
	int rv;

	*good = in->sig == MERGE_SIG_OK;
	if (in->sig != MERGE_SIG_UNCHECKED) {
		return COSO_OK;
	}
	rv = cstore_author_get(s, cs->author, &a);
	if (rv == COSO_OK) {
		*good = coso_changeset_verify(&v, in->cs, in->len, a.pk)
		    == COSO_OK;
	}
	return rv == COSO_ENOENT ? COSO_OK : rv;
}

/* A badly signed change-set of the sender's own off its chain would be
 * filed as a fork, which it does not prove: refused. */
static int
on_chain(struct central_store *s, const struct coso_changeset *cs, int *reason)
{
	struct cstore_author a;
	int rv = cstore_author_get(s, cs->author, &a);

	if (rv == COSO_OK
	    && (cs->seq < a.next_seq
	        || (cs->seq == a.next_seq
	            && memcmp(cs->prev, a.head, 32) != 0))) {
		*reason = COSO_EBADSIG;
	}
	return rv;
}

/* Rule 4: the sender's relays and bad signatures in the last window. */
static int
within_budget(
    struct central_store *s, const struct merge_in *in, int code, int *reason)
{
	uint64_t n,
	    since = in->received_ms > ADMIT_WINDOW_MS
	    ? in->received_ms - ADMIT_WINDOW_MS
	    : 0;
	int rv    = cstore_log_unsigned(s, in->sender, since, &n);

	if (rv == COSO_OK && n >= ADMIT_BUDGET) {
		*reason = code;
	}
	return rv;
}

int
admit_changeset(
    struct central_store *s, const struct merge_in *in, int *reason)
{
	struct coso_changeset cs;
	int own, rv, yes;

	*reason = 0;
	if (coso_changeset_peek(&cs, in->cs, in->len) != COSO_OK) {
		return COSO_OK; /* merge refuses it, storing nothing */
	}
	own = memcmp(cs.author, in->sender, 32) == 0;
	if (own && in->sig == MERGE_SIG_OK) {
		return COSO_OK; /* a device's own signed work */
	}
	if ((rv = stored_before(s, in, &yes)) != COSO_OK || yes
	    || (rv = author_signed(s, in, &cs, &yes)) != COSO_OK
	    || (own && yes)) {
		return rv;
	}
	if (!own && !yes) {
		*reason = COSO_QAUTHOR;
		return COSO_OK;
	}
	if (own && ((rv = on_chain(s, &cs, reason)) != COSO_OK || *reason)) {
		return rv;
	}
	return within_budget(s, in, own ? COSO_EBADSIG : COSO_QAUTHOR, reason);
}
