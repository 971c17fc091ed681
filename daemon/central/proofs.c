/*
 * proofs.c: the inclusion proofs of a PUSH reply, through a memo of the
 * subtree hashes asked for while making them.
 *
 * A proof asks for about 2 log2(n) aligned subtrees; the proofs of
 * consecutive leaves share every node above the level where their paths
 * meet, and the right edge of the tree (the range hashes of the
 * checkpoint's size) is the same for all of them.  With the memo a reply
 * of k consecutive leaves costs about 2k + 2 log2(n) lookups instead of
 * 2k log2(n).
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "proofs.h"

/* Receipt bytes (FORMAT.md, "Receipts"): version, cs id, leaf index. */
#define R_VERSION 0u
#define R_LEAF    33u

#define MEMO_MIN 64u
#define MEMO_MAX 16384u

struct ment {
	uint64_t start, size; /* size 0: a free slot */
	uint8_t h[32];
};

/* An open-addressing table in front of a tree source. */
struct memo {
	const struct coso_tree_src *src;
	struct ment *e;
	size_t mask, used;
	uint64_t lookups; /* asked of src */
};

static size_t
slot_of(const struct memo *m, uint64_t start, uint64_t size)
{
	uint64_t k = (start + size * UINT64_C(0x9e3779b97f4a7c15))
	    * UINT64_C(0xbf58476d1ce4e5b9);

	return (size_t) (k >> 40) & m->mask;
}

/* struct coso_tree_src's subtree: from the memo, else from src. */
static int
memo_subtree(void *arg, uint64_t start, uint64_t size, uint8_t out[32])
{
	struct memo *m = arg;
	size_t i       = slot_of(m, start, size);
	int rv;

	for (; m->e[i].size != 0; i = (i + 1) & m->mask) {
		if (m->e[i].start == start && m->e[i].size == size) {
			memcpy(out, m->e[i].h, 32);
			return COSO_OK;
		}
	}
	m->lookups++;
	if ((rv = m->src->subtree(m->src->arg, start, size, out)) != COSO_OK) {
		return rv;
	}
	/* Kept while under 3/4 full: probes stay short and always end. */
	if (4 * (m->used + 1) <= 3 * (m->mask + 1)) {
		m->e[i].start = start;
		m->e[i].size  = size;
		memcpy(m->e[i].h, out, 32);
		m->used++;
	}
	return COSO_OK;
}

/* Room for the distinct subtrees of k proofs in a tree of depth d. */
static int
memo_init(struct memo *m, const struct coso_tree_src *src, size_t k, size_t d)
{
	size_t cap = MEMO_MIN;

	while (cap < MEMO_MAX && cap < 4 * (k + d)) {
		cap *= 2;
	}
	m->src  = src;
	m->mask = cap - 1;
	m->e    = calloc(cap, sizeof(*m->e));
	return m->e != NULL ? COSO_OK : COSO_ENOMEM;
}

/* The most hashes a proof in a tree of size leaves has: ceil(log2). */
static size_t
depth_of(uint64_t size)
{
	size_t d = 0;

	while (d < COSO_PROOF_MAX && (UINT64_C(1) << d) < size) {
		d++;
	}
	return d;
}

static int
has_receipt(const struct coso_msg_item *it)
{
	return it->receipt != NULL && it->receipt_len > 0;
}

/* The leaf index a receipt of ours names. */
static int
leaf_of(const struct coso_msg_item *it, uint64_t *index)
{
	const uint8_t *p = it->receipt + R_LEAF;
	size_t i;

	if (it->receipt_len != COSO_RECEIPT_BYTES
	    || it->receipt[R_VERSION] != 1) {
		return COSO_EINVAL;
	}
	for (*index = 0, i = 0; i < 8; i++) {
		*index = *index << 8 | p[i];
	}
	return COSO_OK;
}

/* One item's proof, appended to buf at *used hashes. */
static int
one(const struct coso_tree_src *src, uint64_t size, struct coso_msg_item *it,
    uint8_t (*buf)[32], size_t *used)
{
	uint8_t proof[COSO_PROOF_MAX][32];
	uint64_t index;
	size_t count = 0;
	int rv;

	if ((rv = leaf_of(it, &index)) != COSO_OK
	    || (rv = coso_proof_inclusion(src, index, size, proof, &count))
	        != COSO_OK) {
		return rv;
	}
	memcpy(buf + *used, proof, count * 32);
	it->proof  = count > 0 ? buf[*used] : NULL;
	it->nproof = count;
	*used += count;
	return COSO_OK;
}

int
proofs_fill(const struct coso_tree_src *src, uint64_t size,
    struct coso_msg_item *items, size_t n, uint8_t **buf, uint64_t *lookups)
{
	struct memo m             = {0};
	struct coso_tree_src msrc = {memo_subtree, &m};
	size_t d = depth_of(size), k = 0, used = 0, i;
	uint8_t(*p)[32] = NULL;
	int rv          = COSO_OK;

	for (i = 0; i < n; i++) {
		items[i].proof  = NULL;
		items[i].nproof = 0;
		k += has_receipt(&items[i]);
	}
	if (k > 0
	    && ((p = malloc(k * (d > 0 ? d : 1) * 32)) == NULL
	        || (rv = memo_init(&m, src, k, d)) != COSO_OK)) {
		rv = COSO_ENOMEM;
	}
	for (i = 0; i < n && rv == COSO_OK; i++) {
		if (has_receipt(&items[i])) {
			rv = one(&msrc, size, &items[i], p, &used);
			assert(used <= k * d);
		}
	}
	free(m.e);
	if (lookups != NULL) {
		*lookups = m.lookups;
	}
	if (rv != COSO_OK) {
		for (i = 0; i < n; i++) {
			items[i].proof  = NULL;
			items[i].nproof = 0;
		}
		free(p);
		return rv;
	}
	*buf = (uint8_t *) p;
	return COSO_OK;
}
