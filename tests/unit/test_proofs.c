/*
 * test_proofs.c: the inclusion proofs of a PUSH reply on the central
 * (daemon/central/proofs.c, compiled in: it needs nothing of the daemon
 * but proto).
 *
 * Over an in-memory tree: every proof the memo gives is the one
 * coso_proof_inclusion gives straight from the source and verifies
 * against the root; the memo asks the source for far fewer subtrees
 * than one walk per proof; items without a receipt get none; a leaf
 * beyond the tree and a failing source are refused with nothing kept.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include <coso/proto.h>

#include "../../daemon/central/proofs.h"

#define NLEAVES 1000u

/* A tree held as leaf hashes; subtree() hashes a range from them. */
struct mem {
	uint8_t leaf[NLEAVES][32];
	uint64_t calls;
	uint64_t fail_at; /* the call that fails with COSO_EIO, or 0 */
};

static void
range(const struct mem *t, uint64_t start, uint64_t size, uint8_t out[32])
{
	uint8_t l[32], r[32];

	if (size == 1) {
		memcpy(out, t->leaf[start], 32);
		return;
	}
	range(t, start, size / 2, l);
	range(t, start + size / 2, size / 2, r);
	coso_node_hash(out, l, r);
}

static int
subtree(void *arg, uint64_t start, uint64_t size, uint8_t out[32])
{
	struct mem *t = arg;

	/* Only aligned perfect subtrees are ever asked for. */
	assert_true(size > 0 && (size & (size - 1)) == 0);
	assert_int_equal(start % size, 0);
	if (++t->calls == t->fail_at) {
		return COSO_EIO;
	}
	range(t, start, size, out);
	return COSO_OK;
}

static struct mem *
tree(void)
{
	struct mem *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	randombytes_buf(t->leaf, sizeof(t->leaf));
	return t;
}

/* n items; those with a receipt name leaves first, first + 1, ... */
static struct coso_msg_item *
items_for(uint64_t first, size_t n, int every_other, uint8_t (*r)[114])
{
	struct coso_msg_item *it = calloc(n, sizeof(*it));
	size_t i;

	assert_non_null(it);
	for (i = 0; i < n; i++) {
		uint64_t leaf = first + i;

		if (every_other && i % 2 == 1) {
			continue;
		}
		memset(r[i], 0, 114);
		r[i][0] = 1;
		for (int b = 0; b < 8; b++) {
			r[i][33 + b] = (uint8_t) (leaf >> (56 - 8 * b));
		}
		it[i].receipt     = r[i];
		it[i].receipt_len = COSO_RECEIPT_BYTES;
	}
	return it;
}

/* Each proof is the direct one and leads to the root. */
static void
check(struct mem *t, uint64_t size, const struct coso_msg_item *it, size_t n,
    uint64_t first)
{
	struct coso_tree_src src = {subtree, t};
	uint8_t want[COSO_PROOF_MAX][32], root[32];
	size_t i, count;

	assert_int_equal(coso_tree_root(&src, size, root), COSO_OK);
	for (i = 0; i < n; i++) {
		if (it[i].receipt == NULL) {
			assert_null(it[i].proof);
			assert_int_equal(it[i].nproof, 0);
			continue;
		}
		assert_int_equal(
		    coso_proof_inclusion(&src, first + i, size, want, &count),
		    COSO_OK);
		assert_int_equal(it[i].nproof, count);
		assert_memory_equal(it[i].proof, want, count * 32);
		assert_int_equal(
		    coso_verify_inclusion(t->leaf[first + i], first + i, size,
		        it[i].proof, it[i].nproof, root),
		    COSO_OK);
	}
}

/* Consecutive leaves: right proofs, and the memo saves most lookups. */
static void
test_consecutive(void **state)
{
	static uint8_t r[200][114];
	struct mem *t            = tree();
	struct coso_tree_src src = {subtree, t};
	struct coso_msg_item *it = items_for(700, 200, 0, r);
	uint8_t *buf             = NULL;
	uint64_t lookups         = 0, direct;

	(void) state;
	assert_int_equal(
	    proofs_fill(&src, 999, it, 200, &buf, &lookups), COSO_OK);
	assert_non_null(buf);
	direct   = t->calls;
	t->calls = 0;
	check(t, 999, it, 200, 700);
	/* check() walked each proof directly, plus one root. */
	assert_int_equal(lookups, direct);
	assert_true(lookups * 4 < t->calls);
	free(buf);
	free(it);
	free(t);
}

/* Every other item without a receipt; sizes from 1 up. */
static void
test_sizes(void **state)
{
	static uint8_t r[9][114];
	struct mem *t            = tree();
	struct coso_tree_src src = {subtree, t};

	(void) state;
	for (uint64_t size = 9; size <= 70; size++) {
		struct coso_msg_item *it = items_for(size - 9, 9, 1, r);
		uint8_t *buf             = NULL;

		assert_int_equal(
		    proofs_fill(&src, size, it, 9, &buf, NULL), COSO_OK);
		check(t, size, it, 9, size - 9);
		free(buf);
		free(it);
	}
	{
		/* A tree of one leaf: an empty proof. */
		struct coso_msg_item *it = items_for(0, 1, 0, r);
		uint8_t *buf             = NULL;

		assert_int_equal(
		    proofs_fill(&src, 1, it, 1, &buf, NULL), COSO_OK);
		assert_int_equal(it[0].nproof, 0);
		assert_null(it[0].proof);
		free(buf);
		free(it);
	}
	free(t);
}

/* A leaf beyond the tree, a receipt that is not one, a failing source:
 * refused, no proof left behind, buf untouched. */
static void
test_refused(void **state)
{
	static uint8_t r[4][114];
	struct mem *t            = tree();
	struct coso_tree_src src = {subtree, t};
	struct coso_msg_item *it = items_for(10, 4, 0, r);
	uint8_t *buf             = (uint8_t *) "untouched";

	(void) state;
	assert_int_equal(
	    proofs_fill(&src, 13, it, 4, &buf, NULL), COSO_EINVAL);
	assert_string_equal((char *) buf, "untouched");
	for (size_t i = 0; i < 4; i++) {
		assert_null(it[i].proof);
		assert_int_equal(it[i].nproof, 0);
	}
	r[1][0] = 2; /* another version */
	assert_int_equal(
	    proofs_fill(&src, 100, it, 4, &buf, NULL), COSO_EINVAL);
	r[1][0]           = 1;
	it[1].receipt_len = 113;
	assert_int_equal(
	    proofs_fill(&src, 100, it, 4, &buf, NULL), COSO_EINVAL);
	it[1].receipt_len = COSO_RECEIPT_BYTES;
	t->calls          = 0;
	t->fail_at        = 5;
	assert_int_equal(proofs_fill(&src, 100, it, 4, &buf, NULL), COSO_EIO);
	assert_string_equal((char *) buf, "untouched");
	assert_null(it[0].proof);
	/* No receipt at all: nothing asked, nothing allocated. */
	t->calls = 0;
	for (size_t i = 0; i < 4; i++) {
		it[i].receipt = NULL;
	}
	assert_int_equal(proofs_fill(&src, 100, it, 4, &buf, NULL), COSO_OK);
	assert_null(buf);
	assert_int_equal(t->calls, 0);
	free(it);
	free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_consecutive),
	    cmocka_unit_test(test_sizes),
	    cmocka_unit_test(test_refused),
	};

	if (sodium_init() < 0) {
		return 1;
	}
	return cmocka_run_group_tests_name("proofs", tests, NULL, NULL);
}
