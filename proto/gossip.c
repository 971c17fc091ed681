/*
 * gossip.c: the gossip file, what a device saw of the central handed to
 * an auditor (FORMAT.md, "Gossip file").
 *
 * Every count is checked against its limit and against the bytes left,
 * at the smallest size of its element, before the array is allocated;
 * everything decoded points into the input.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "proto_int.h"

/* The smallest element of each list: a note of one byte, a receipt
 * without a proof, a pair of one-byte notes. */
#define NOTE_MIN     3u
#define RECEIPT_MIN  (8u + 8u + COSO_RECEIPT_BYTES + 1u)
#define EVIDENCE_MIN 7u
#define HEAD_BYTES   (COSO_GOSSIP_MAGIC_LEN + 32u + 32u + 8u)

struct rd {
	const uint8_t *p;
	size_t left;
};

static int
take(struct rd *r, size_t n, const uint8_t **out)
{
	if (n > r->left) {
		return COSO_ETRUNC;
	}
	*out = r->p;
	r->p += n;
	r->left -= n;
	return COSO_OK;
}

static int
get_u64(struct rd *r, uint64_t *v)
{
	const uint8_t *p;
	int rc = take(r, 8, &p);

	if (rc == COSO_OK) {
		*v = cosoi_get_u64(p);
	}
	return rc;
}

/* A count u32 within max whose elements of at least min bytes fit. */
static int
get_count(struct rd *r, size_t max, size_t min, size_t *n)
{
	const uint8_t *p;
	uint32_t v;
	int rc = take(r, 4, &p);

	if (rc != COSO_OK) {
		return rc;
	}
	v = cosoi_get_u32(p);
	if (v > max) {
		return COSO_ETOOBIG;
	}
	if ((size_t) v * min > r->left) {
		return COSO_ETRUNC;
	}
	*n = v;
	return COSO_OK;
}

static int
get_note(struct rd *r, struct coso_gossip_note *n)
{
	const uint8_t *p;
	size_t len;
	int rc = take(r, 2, &p);

	if (rc != COSO_OK) {
		return rc;
	}
	len = (size_t) p[0] << 8 | p[1];
	if (len == 0) {
		return COSO_ESCHEMA;
	}
	if (len > COSO_NOTE_MAX) {
		return COSO_ETOOBIG;
	}
	if ((rc = take(r, len, &p)) == COSO_OK) {
		n->note = (const char *) p;
		n->len  = len;
	}
	return rc;
}

static int
get_receipt(struct rd *r, struct coso_gossip_receipt *g)
{
	const uint8_t *p;
	int rc;

	if ((rc = get_u64(r, &g->seq)) != COSO_OK
	    || (rc = get_u64(r, &g->tree_size)) != COSO_OK
	    || (rc = take(r, COSO_RECEIPT_BYTES, &g->receipt)) != COSO_OK
	    || (rc = take(r, 1, &p)) != COSO_OK) {
		return rc;
	}
	if (g->tree_size == 0) {
		return COSO_ESCHEMA;
	}
	if (p[0] > COSO_PROOF_MAX) {
		return COSO_ETOOBIG;
	}
	g->nproof = p[0];
	if ((rc = take(r, g->nproof * 32u, &g->proof)) != COSO_OK) {
		return rc;
	}
	if (g->nproof == 0) {
		g->proof = NULL;
	}
	return COSO_OK;
}

static int
get_evidence(struct rd *r, struct coso_gossip_evidence *e)
{
	const uint8_t *p;
	int rc;

	if ((rc = take(r, 1, &p)) != COSO_OK) {
		return rc;
	}
	e->kind = p[0];
	if (e->kind < COSO_GOSSIP_BACKWARDS
	    || e->kind > COSO_GOSSIP_INCONSISTENT) {
		return COSO_ESCHEMA;
	}
	if ((rc = get_note(r, &e->held)) != COSO_OK) {
		return rc;
	}
	return get_note(r, &e->fresh);
}

static int
dec_lists(struct rd *r, struct coso_gossip *g)
{
	size_t i;
	int rc;

	if ((rc = get_count(r, COSO_GOSSIP_NOTES_MAX, NOTE_MIN, &g->nnotes))
	    != COSO_OK) {
		return rc;
	}
	if (g->nnotes > 0
	    && (g->notes = calloc(g->nnotes, sizeof(*g->notes))) == NULL) {
		return COSO_ENOMEM;
	}
	for (i = 0; i < g->nnotes; i++) {
		if ((rc = get_note(r, &g->notes[i])) != COSO_OK) {
			return rc;
		}
	}
	if ((rc = get_count(
	         r, COSO_GOSSIP_RECEIPTS_MAX, RECEIPT_MIN, &g->nreceipts))
	    != COSO_OK) {
		return rc;
	}
	if (g->nreceipts > 0
	    && (g->receipts = calloc(g->nreceipts, sizeof(*g->receipts)))
	        == NULL) {
		return COSO_ENOMEM;
	}
	for (i = 0; i < g->nreceipts; i++) {
		if ((rc = get_receipt(r, &g->receipts[i])) != COSO_OK) {
			return rc;
		}
	}
	if ((rc = get_count(
	         r, COSO_GOSSIP_EVIDENCE_MAX, EVIDENCE_MIN, &g->nevidence))
	    != COSO_OK) {
		return rc;
	}
	if (g->nevidence > 0
	    && (g->evidence = calloc(g->nevidence, sizeof(*g->evidence)))
	        == NULL) {
		return COSO_ENOMEM;
	}
	for (i = 0; i < g->nevidence; i++) {
		if ((rc = get_evidence(r, &g->evidence[i])) != COSO_OK) {
			return rc;
		}
	}
	return COSO_OK;
}

int
coso_gossip_decode(struct coso_gossip **out, const uint8_t *buf, size_t len)
{
	struct coso_gossip *g = NULL;
	struct rd r           = {buf, len};
	const uint8_t *p;
	int rc;

	assert(out != NULL && (buf != NULL || len == 0));
	if (len > COSO_GOSSIP_MAX) {
		return COSO_ETOOBIG;
	}
	if (len < COSO_GOSSIP_MAGIC_LEN) {
		return len > 0 && memcmp(buf, COSO_GOSSIP_MAGIC, len) != 0
		    ? COSO_EVERSION
		    : COSO_ETRUNC;
	}
	if (memcmp(buf, COSO_GOSSIP_MAGIC, COSO_GOSSIP_MAGIC_LEN) != 0) {
		return COSO_EVERSION;
	}
	if (len < HEAD_BYTES) {
		return COSO_ETRUNC;
	}
	if ((g = calloc(1, sizeof(*g))) == NULL) {
		return COSO_ENOMEM;
	}
	(void) take(&r, COSO_GOSSIP_MAGIC_LEN, &p);
	(void) take(&r, 32, &p);
	memcpy(g->central_pk, p, 32);
	(void) take(&r, 32, &p);
	memcpy(g->device_pk, p, 32);
	(void) get_u64(&r, &g->exported_ms);
	if ((rc = dec_lists(&r, g)) == COSO_OK && r.left > 0) {
		rc = COSO_ETRAILING;
	}
	if (rc != COSO_OK) {
		coso_gossip_free(g);
		return rc;
	}
	*out = g;
	return COSO_OK;
}

void
coso_gossip_free(struct coso_gossip *g)
{
	if (g == NULL) {
		return;
	}
	free(g->notes);
	free(g->receipts);
	free(g->evidence);
	free(g);
}

/* ---- encoding ------------------------------------------------------------
 */

static int
add_u16(struct coso_buf *b, size_t v)
{
	uint8_t p[2] = {(uint8_t) (v >> 8), (uint8_t) v};

	return coso_buf_add(b, p, 2);
}

static int
add_u32(struct coso_buf *b, size_t v)
{
	uint8_t p[4];

	cosoi_put_u32(p, (uint32_t) v);
	return coso_buf_add(b, p, 4);
}

static int
add_u64(struct coso_buf *b, uint64_t v)
{
	uint8_t p[8];

	cosoi_put_u64(p, v);
	return coso_buf_add(b, p, 8);
}

static int
add_note(struct coso_buf *b, const struct coso_gossip_note *n)
{
	int rc;

	if (n->note == NULL || n->len == 0) {
		return COSO_ESCHEMA;
	}
	if (n->len > COSO_NOTE_MAX) {
		return COSO_ETOOBIG;
	}
	if ((rc = add_u16(b, n->len)) != COSO_OK) {
		return rc;
	}
	return coso_buf_add(b, n->note, n->len);
}

static int
add_receipt(struct coso_buf *b, const struct coso_gossip_receipt *g)
{
	uint8_t n = (uint8_t) g->nproof;
	int rc;

	if (g->tree_size == 0) {
		return COSO_ESCHEMA;
	}
	if (g->nproof > COSO_PROOF_MAX) {
		return COSO_ETOOBIG;
	}
	if (g->receipt == NULL || (g->nproof > 0 && g->proof == NULL)) {
		return COSO_EINVAL;
	}
	if ((rc = add_u64(b, g->seq)) != COSO_OK
	    || (rc = add_u64(b, g->tree_size)) != COSO_OK
	    || (rc = coso_buf_add(b, g->receipt, COSO_RECEIPT_BYTES))
	        != COSO_OK
	    || (rc = coso_buf_add(b, &n, 1)) != COSO_OK) {
		return rc;
	}
	return coso_buf_add(b, g->proof, g->nproof * 32u);
}

static int
add_evidence(struct coso_buf *b, const struct coso_gossip_evidence *e)
{
	int rc;

	if (e->kind < COSO_GOSSIP_BACKWARDS
	    || e->kind > COSO_GOSSIP_INCONSISTENT) {
		return COSO_ESCHEMA;
	}
	if ((rc = coso_buf_add(b, &e->kind, 1)) != COSO_OK
	    || (rc = add_note(b, &e->held)) != COSO_OK) {
		return rc;
	}
	return add_note(b, &e->fresh);
}

static int
enc_counts(const struct coso_gossip *g)
{
	if (g->nnotes > COSO_GOSSIP_NOTES_MAX
	    || g->nreceipts > COSO_GOSSIP_RECEIPTS_MAX
	    || g->nevidence > COSO_GOSSIP_EVIDENCE_MAX) {
		return COSO_ETOOBIG;
	}
	if ((g->nnotes > 0 && g->notes == NULL)
	    || (g->nreceipts > 0 && g->receipts == NULL)
	    || (g->nevidence > 0 && g->evidence == NULL)) {
		return COSO_EINVAL;
	}
	return COSO_OK;
}

static int
enc_all(struct coso_buf *b, const struct coso_gossip *g)
{
	size_t i;
	int rc;

	if ((rc = coso_buf_add(b, COSO_GOSSIP_MAGIC, COSO_GOSSIP_MAGIC_LEN))
	        != COSO_OK
	    || (rc = coso_buf_add(b, g->central_pk, 32)) != COSO_OK
	    || (rc = coso_buf_add(b, g->device_pk, 32)) != COSO_OK
	    || (rc = add_u64(b, g->exported_ms)) != COSO_OK
	    || (rc = add_u32(b, g->nnotes)) != COSO_OK) {
		return rc;
	}
	for (i = 0; i < g->nnotes && rc == COSO_OK; i++) {
		rc = add_note(b, &g->notes[i]);
	}
	if (rc != COSO_OK || (rc = add_u32(b, g->nreceipts)) != COSO_OK) {
		return rc;
	}
	for (i = 0; i < g->nreceipts && rc == COSO_OK; i++) {
		rc = add_receipt(b, &g->receipts[i]);
	}
	if (rc != COSO_OK || (rc = add_u32(b, g->nevidence)) != COSO_OK) {
		return rc;
	}
	for (i = 0; i < g->nevidence && rc == COSO_OK; i++) {
		rc = add_evidence(b, &g->evidence[i]);
	}
	return rc;
}

int
coso_gossip_encode(const struct coso_gossip *g, uint8_t **out, size_t *len)
{
	struct coso_buf b;
	int rc;

	assert(g != NULL && out != NULL && len != NULL);
	if ((rc = enc_counts(g)) != COSO_OK) {
		return rc;
	}
	coso_buf_init(&b, COSO_GOSSIP_MAX);
	if ((rc = enc_all(&b, g)) == COSO_OK) {
		rc = coso_buf_take(&b, out, len);
	}
	coso_buf_free(&b);
	return rc;
}
