/*
 * test_merkle.c: the audit log's Merkle tree (proto/merkle.c, FORMAT.md
 * "Log leaves and tree").
 *
 * Every proof generated from subtree hashes is compared with a brute-force
 * rendering of RFC 9162's recursive MTH, PATH and SUBPROOF over the leaf
 * hashes, for every tree size, index and pair of sizes up to 70.  Known
 * answers are the Certificate Transparency test vectors (eight leaves,
 * roots of sizes 1..8, proofs from certificate-transparency-go's
 * merkletree tests), none of them produced by merkle.c.
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

#define NMAX  80u /* leaves of the in-memory trees */
#define NPROV 70u /* largest size whose proofs are all checked */

/* A tree held as leaf hashes; subtree() hashes a range from them. */
struct mem {
	uint8_t leaf[NMAX][32];
	uint64_t n;     /* tree size being worked on: subtree() stays below */
	unsigned calls; /* subtree() calls since last reset */
};

static void
unhex(uint8_t *out, size_t n, const char *hex)
{
	size_t got = 0;

	assert_int_equal(
	    sodium_hex2bin(out, n, hex, strlen(hex), NULL, &got, NULL), 0);
	assert_int_equal(got, n);
}

static void
sha256_empty(uint8_t out[32])
{
	static const uint8_t none[1];

	crypto_hash_sha256(out, none, 0);
}

/* RFC 9162 §2.1.1 MTH, recursively, straight from the definition. */
static void
mth(uint8_t out[32], uint8_t (*d)[32], uint64_t n)
{
	uint8_t l[32], r[32];
	uint64_t k = 1;

	if (n == 0) {
		sha256_empty(out);
		return;
	}
	if (n == 1) {
		memcpy(out, d[0], 32);
		return;
	}
	while (k * 2 < n) {
		k *= 2;
	}
	mth(l, d, k);
	mth(r, d + k, n - k);
	coso_node_hash(out, l, r);
}

static uint64_t
largest_pow2_below(uint64_t n)
{
	uint64_t k = 1;

	while (k * 2 < n) {
		k *= 2;
	}
	return k;
}

/* RFC 9162 §2.1.3.1 PATH(m, D[n]). */
static void
path(uint64_t m, uint8_t (*d)[32], uint64_t n, uint8_t (*out)[32], size_t *cnt)
{
	uint64_t k;

	if (n == 1) {
		return;
	}
	k = largest_pow2_below(n);
	if (m < k) {
		path(m, d, k, out, cnt);
		mth(out[(*cnt)++], d + k, n - k);
	} else {
		path(m - k, d + k, n - k, out, cnt);
		mth(out[(*cnt)++], d, k);
	}
}

/* RFC 9162 §2.1.4.1 SUBPROOF(m, D[n], b). */
static void
subproof(uint64_t m, uint8_t (*d)[32], uint64_t n, int b, uint8_t (*out)[32],
    size_t *cnt)
{
	uint64_t k;

	if (m == n) {
		if (!b) {
			mth(out[(*cnt)++], d, n);
		}
		return;
	}
	k = largest_pow2_below(n);
	if (m <= k) {
		subproof(m, d, k, b, out, cnt);
		mth(out[(*cnt)++], d + k, n - k);
	} else {
		subproof(m - k, d + k, n - k, 0, out, cnt);
		mth(out[(*cnt)++], d, k);
	}
}

/* The source: asserts every request is an aligned perfect subtree. */
static int
mem_subtree(void *arg, uint64_t start, uint64_t size, uint8_t out[32])
{
	struct mem *t = arg;

	assert_true(size != 0 && (size & (size - 1)) == 0);
	assert_int_equal(start % size, 0);
	assert_true(start + size <= t->n);
	t->calls++;
	mth(out, t->leaf + start, size);
	return COSO_OK;
}

/* Leaves: hashes of coso leaf data with distinct fields. */
static void
mem_init(struct mem *t)
{
	uint8_t data[COSO_LEAF_BYTES];
	struct coso_leaf l;

	memset(t, 0, sizeof(*t));
	for (unsigned i = 0; i < NMAX; i++) {
		memset(&l, 0, sizeof(l));
		l.cs_id[0]    = (uint8_t) i;
		l.author[31]  = (uint8_t) (i * 7);
		l.seq         = i + 1;
		l.received_ms = UINT64_C(1750000000000) + i;
		l.verdict     = (uint8_t) (i % 3 == 0 ? 3 : 1);
		coso_leaf_encode(data, &l);
		coso_leaf_hash(t->leaf[i], data, sizeof(data));
	}
}

static unsigned
log2_ceil(uint64_t n)
{
	unsigned b = 0;

	while ((UINT64_C(1) << b) < n) {
		b++;
	}
	return b;
}

static void
test_leaf_format(void **state)
{
	struct coso_leaf l, back;
	uint8_t data[COSO_LEAF_BYTES + 1], h[32], want[32];
	static const char ctx[] = "coso/leaf/v1";

	(void) state;
	memset(&l, 0, sizeof(l));
	memset(l.cs_id, 0xAA, 32);
	memset(l.author, 0xBB, 32);
	l.seq         = UINT64_C(0x0102030405060708);
	l.received_ms = UINT64_C(0x1112131415161718);
	l.verdict     = 3;
	coso_leaf_encode(data, &l);
	assert_int_equal(COSO_LEAF_BYTES, 94);
	assert_memory_equal(data, ctx, sizeof(ctx)); /* with its NUL */
	assert_int_equal(data[12], 0);
	assert_int_equal(data[13], 0xAA);
	assert_int_equal(data[44], 0xAA);
	assert_int_equal(data[45], 0xBB);
	assert_int_equal(data[76], 0xBB);
	assert_int_equal(data[77], 0x01);
	assert_int_equal(data[84], 0x08);
	assert_int_equal(data[85], 0x11);
	assert_int_equal(data[92], 0x18);
	assert_int_equal(data[93], 3);

	assert_int_equal(coso_leaf_decode(&back, data, 94), COSO_OK);
	assert_memory_equal(back.cs_id, l.cs_id, 32);
	assert_memory_equal(back.author, l.author, 32);
	assert_true(back.seq == l.seq && back.received_ms == l.received_ms);
	assert_int_equal(back.verdict, 3);
	assert_int_equal(coso_leaf_decode(&back, data, 93), COSO_ETRUNC);
	assert_int_equal(coso_leaf_decode(&back, data, 95), COSO_ETRAILING);
	data[11] = '2';
	assert_int_equal(coso_leaf_decode(&back, data, 94), COSO_EVERSION);

	/* SHA-256(0x00 || data): the golden hash of FORMAT.md (Python). */
	data[11] = '1';
	coso_leaf_hash(h, data, COSO_LEAF_BYTES);
	unhex(want, 32,
	    "8d935d8d0daba0c6695a7f28fb869e8635d33b2ca09d19be071cf84028f83f4"
	    "7");
	assert_memory_equal(h, want, 32);
}

/* The Certificate Transparency test leaves and roots. */
static const char *const ct_leaves[8] = {"", "00", "10", "2021", "3031",
    "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"};

static const char *const ct_roots[8] = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

struct ct_proof {
	uint64_t a, b; /* index and size, or m and n */
	size_t count;
	const char *hash[3];
};

/* Inclusion (leaf index 0-based) and consistency vectors. */
static const struct ct_proof ct_incl[] = {
    {0, 8, 3,
        {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e"
            "4"}},
    {5, 8, 3,
        {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b"
            "7"}},
    {2, 3, 1,
        {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            NULL, NULL}},
    {1, 5, 3,
        {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6"
            "b"}},
};

static const struct ct_proof ct_cons[] = {
    {1, 1, 0, {NULL, NULL, NULL}},
    {1, 8, 3,
        {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e"
            "4"}},
    {6, 8, 3,
        {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b"
            "7"}},
    {2, 5, 2,
        {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6"
            "b",
            NULL}},
};

static void
ct_tree(struct mem *t)
{
	uint8_t buf[16];

	memset(t, 0, sizeof(*t));
	for (unsigned i = 0; i < 8; i++) {
		size_t n = strlen(ct_leaves[i]) / 2;

		unhex(buf, n, ct_leaves[i]);
		coso_leaf_hash(t->leaf[i], buf, n);
	}
}

static void
check_ct_proof(const struct ct_proof *v, uint8_t (*got)[32], size_t count)
{
	uint8_t want[32];

	assert_int_equal(count, v->count);
	for (size_t j = 0; j < count; j++) {
		unhex(want, 32, v->hash[j]);
		assert_memory_equal(got[j], want, 32);
	}
}

static void
test_ct_vectors(void **state)
{
	struct mem t;
	struct coso_tree_src src = {mem_subtree, &t};
	uint8_t root[32], want[32], other[32], proof[COSO_PROOF_MAX][32];
	size_t count, i;

	(void) state;
	ct_tree(&t);
	for (i = 0; i < 8; i++) {
		t.n = i + 1;
		assert_int_equal(coso_tree_root(&src, i + 1, root), COSO_OK);
		unhex(want, 32, ct_roots[i]);
		assert_memory_equal(root, want, 32);
	}
	for (i = 0; i < sizeof(ct_incl) / sizeof(ct_incl[0]); i++) {
		const struct ct_proof *v = &ct_incl[i];

		t.n = v->b;
		assert_int_equal(
		    coso_proof_inclusion(&src, v->a, v->b, proof, &count),
		    COSO_OK);
		check_ct_proof(v, proof, count);
		unhex(root, 32, ct_roots[v->b - 1]);
		assert_int_equal(coso_verify_inclusion(t.leaf[v->a], v->a,
		                     v->b, proof[0], count, root),
		    COSO_OK);
	}
	for (i = 0; i < sizeof(ct_cons) / sizeof(ct_cons[0]); i++) {
		const struct ct_proof *v = &ct_cons[i];

		t.n = v->b;
		assert_int_equal(
		    coso_proof_consistency(&src, v->a, v->b, proof, &count),
		    COSO_OK);
		check_ct_proof(v, proof, count);
		unhex(root, 32, ct_roots[v->a - 1]);
		unhex(other, 32, ct_roots[v->b - 1]);
		assert_int_equal(coso_verify_consistency(
		                     v->a, v->b, proof[0], count, root, other),
		    COSO_OK);
	}
}

static void
test_roots(void **state)
{
	struct mem t;
	struct coso_tree_src src = {mem_subtree, &t};
	uint8_t got[32], want[32];

	(void) state;
	mem_init(&t);
	t.n = 0;
	assert_int_equal(coso_tree_root(&src, 0, got), COSO_OK);
	sha256_empty(want);
	assert_memory_equal(got, want, 32);
	assert_int_equal(t.calls, 0);
	for (uint64_t n = 1; n <= NMAX; n++) {
		t.n     = n;
		t.calls = 0;
		assert_int_equal(coso_tree_root(&src, n, got), COSO_OK);
		mth(want, t.leaf, n);
		assert_memory_equal(got, want, 32);
		/* One stored hash per bit of n. */
		assert_int_equal(t.calls, __builtin_popcountll(n));
	}
	assert_int_equal(
	    coso_tree_root(&src, COSO_TREE_SIZE_MAX + 1, got), COSO_EINVAL);
}

/* Every single-byte change of the proof, and the leaf, must fail. */
static void
inclusion_tampered(const uint8_t leaf[32], uint64_t i, uint64_t n,
    uint8_t (*proof)[32], size_t count, const uint8_t root[32])
{
	uint8_t bad[32];

	for (size_t b = 0; b < count * 32; b++) {
		proof[b / 32][b % 32] ^= 0x01;
		assert_int_equal(
		    coso_verify_inclusion(leaf, i, n, proof[0], count, root),
		    COSO_EBADSIG);
		proof[b / 32][b % 32] ^= 0x01;
	}
	memcpy(bad, leaf, 32);
	bad[31] ^= 0x80;
	assert_int_equal(
	    coso_verify_inclusion(bad, i, n, proof[0], count, root),
	    COSO_EBADSIG);
	memcpy(bad, root, 32);
	bad[0] ^= 0x01;
	assert_int_equal(
	    coso_verify_inclusion(leaf, i, n, proof[0], count, bad),
	    COSO_EBADSIG);
	if (count > 0) {
		assert_int_equal(coso_verify_inclusion(
		                     leaf, i, n, proof[0], count - 1, root),
		    COSO_EBADSIG);
	}
	memcpy(proof[count], root, 32);
	assert_int_equal(
	    coso_verify_inclusion(leaf, i, n, proof[0], count + 1, root),
	    COSO_EBADSIG);
}

/* The proof for (i, n) must not pass for another index or size. */
static void
inclusion_misplaced(struct mem *t, uint64_t i, uint64_t n,
    uint8_t (*proof)[32], size_t count, uint8_t (*roots)[32])
{
	for (uint64_t j = 0; j < n; j++) {
		if (j != i) {
			assert_int_equal(coso_verify_inclusion(t->leaf[i], j,
			                     n, proof[0], count, roots[n]),
			    COSO_EBADSIG);
		}
	}
	if (i + 1 < n) {
		assert_int_equal(coso_verify_inclusion(t->leaf[i], i, n - 1,
		                     proof[0], count, roots[n - 1]),
		    COSO_EBADSIG);
	}
	assert_int_equal(coso_verify_inclusion(t->leaf[i], i, n + 1, proof[0],
	                     count, roots[n + 1]),
	    COSO_EBADSIG);
	assert_int_equal(
	    coso_verify_inclusion(t->leaf[i], n, n, proof[0], count, roots[n]),
	    COSO_EINVAL);
}

static void
test_inclusion_all(void **state)
{
	static uint8_t roots[NPROV + 2][32];
	struct mem t;
	struct coso_tree_src src = {mem_subtree, &t};
	uint8_t got[COSO_PROOF_MAX + 1][32], want[COSO_PROOF_MAX][32];
	size_t count, wcount;
	unsigned proofs = 0;

	(void) state;
	mem_init(&t);
	for (uint64_t n = 0; n <= NPROV + 1; n++) {
		mth(roots[n], t.leaf, n);
	}
	for (uint64_t n = 1; n <= NPROV; n++) {
		t.n = n;
		for (uint64_t i = 0; i < n; i++) {
			t.calls = 0;
			assert_int_equal(
			    coso_proof_inclusion(&src, i, n, got, &count),
			    COSO_OK);
			assert_true(t.calls <= 2 * log2_ceil(n));
			wcount = 0;
			path(i, t.leaf, n, want, &wcount);
			assert_int_equal(count, wcount);
			if (count > 0) {
				assert_memory_equal(got, want, count * 32);
			}
			assert_int_equal(coso_verify_inclusion(t.leaf[i], i, n,
			                     got[0], count, roots[n]),
			    COSO_OK);
			inclusion_tampered(
			    t.leaf[i], i, n, got, count, roots[n]);
			inclusion_misplaced(&t, i, n, got, count, roots);
			proofs++;
		}
	}
	assert_int_equal(proofs, NPROV * (NPROV + 1) / 2);
	assert_int_equal(
	    coso_proof_inclusion(&src, 5, 5, got, &count), COSO_EINVAL);
	assert_int_equal(
	    coso_proof_inclusion(&src, 0, 0, got, &count), COSO_EINVAL);
}

static void
consistency_tampered(uint64_t m, uint64_t n, uint8_t (*proof)[32],
    size_t count, const uint8_t rm[32], const uint8_t rn[32])
{
	uint8_t bad[32];

	for (size_t b = 0; b < count * 32; b++) {
		proof[b / 32][b % 32] ^= 0x01;
		assert_int_equal(
		    coso_verify_consistency(m, n, proof[0], count, rm, rn),
		    COSO_EBADSIG);
		proof[b / 32][b % 32] ^= 0x01;
	}
	memcpy(bad, rm, 32);
	bad[5] ^= 0x04;
	assert_int_equal(
	    coso_verify_consistency(m, n, proof[0], count, bad, rn),
	    COSO_EBADSIG);
	memcpy(bad, rn, 32);
	bad[30] ^= 0x20;
	assert_int_equal(
	    coso_verify_consistency(m, n, proof[0], count, rm, bad),
	    COSO_EBADSIG);
	if (count > 0) {
		assert_int_equal(
		    coso_verify_consistency(m, n, proof[0], count - 1, rm, rn),
		    COSO_EBADSIG);
	}
	memcpy(proof[count], rn, 32);
	assert_int_equal(
	    coso_verify_consistency(m, n, proof[0], count + 1, rm, rn),
	    COSO_EBADSIG);
}

static void
test_consistency_all(void **state)
{
	static uint8_t roots[NPROV + 1][32];
	struct mem t;
	struct coso_tree_src src = {mem_subtree, &t};
	uint8_t got[COSO_PROOF_MAX + 1][32], want[COSO_PROOF_MAX][32];
	size_t count, wcount;
	unsigned pairs = 0;

	(void) state;
	mem_init(&t);
	for (uint64_t n = 0; n <= NPROV; n++) {
		mth(roots[n], t.leaf, n);
	}
	for (uint64_t n = 1; n <= NPROV; n++) {
		t.n = n;
		for (uint64_t m = 1; m <= n; m++) {
			t.calls = 0;
			assert_int_equal(
			    coso_proof_consistency(&src, m, n, got, &count),
			    COSO_OK);
			assert_true(t.calls <= 2 * log2_ceil(n) + 1);
			wcount = 0;
			subproof(m, t.leaf, n, 1, want, &wcount);
			assert_int_equal(count, wcount);
			if (count > 0) {
				assert_memory_equal(got, want, count * 32);
			}
			assert_int_equal(coso_verify_consistency(m, n, got[0],
			                     count, roots[m], roots[n]),
			    COSO_OK);
			consistency_tampered(
			    m, n, got, count, roots[m], roots[n]);
			if (m < n) { /* not a proof for the neighbours */
				assert_int_not_equal(
				    coso_verify_consistency(m, n - 1, got[0],
				        count, roots[m], roots[n - 1]),
				    COSO_OK);
			}
			pairs++;
		}
	}
	assert_int_equal(pairs, NPROV * (NPROV + 1) / 2);
}

static void
test_consistency_edges(void **state)
{
	struct mem t;
	struct coso_tree_src src = {mem_subtree, &t};
	uint8_t r3[32], r5[32], p[COSO_PROOF_MAX][32];
	size_t count = 99;

	(void) state;
	mem_init(&t);
	t.n = 5;
	mth(r3, t.leaf, 3);
	mth(r5, t.leaf, 5);
	assert_int_equal(
	    coso_proof_consistency(&src, 0, 5, p, &count), COSO_EINVAL);
	assert_int_equal(
	    coso_proof_consistency(&src, 6, 5, p, &count), COSO_EINVAL);
	assert_int_equal(count, 99);
	assert_int_equal(
	    coso_proof_consistency(&src, 5, 5, p, &count), COSO_OK);
	assert_int_equal(count, 0);
	/* m == n: empty proof and equal roots only. */
	assert_int_equal(
	    coso_verify_consistency(5, 5, NULL, 0, r5, r5), COSO_OK);
	assert_int_equal(
	    coso_verify_consistency(5, 5, NULL, 0, r3, r5), COSO_EBADSIG);
	memcpy(p[0], r5, 32);
	assert_int_equal(
	    coso_verify_consistency(5, 5, p[0], 1, r5, r5), COSO_EBADSIG);
	/* m == 0 and m > n are refused; m < n needs a proof. */
	assert_int_equal(
	    coso_verify_consistency(0, 5, NULL, 0, r3, r5), COSO_EINVAL);
	assert_int_equal(
	    coso_verify_consistency(5, 3, NULL, 0, r5, r3), COSO_EINVAL);
	assert_int_equal(
	    coso_verify_consistency(3, 5, NULL, 0, r3, r5), COSO_EBADSIG);
	assert_int_equal(coso_verify_consistency(
	                     1, COSO_TREE_SIZE_MAX + 1, p[0], 1, r3, r5),
	    COSO_EINVAL);
	assert_int_equal(
	    coso_verify_inclusion(r3, 0, COSO_TREE_SIZE_MAX + 1, p[0], 1, r5),
	    COSO_EINVAL);
	assert_int_equal(
	    coso_verify_inclusion(r3, 0, 0, NULL, 0, r5), COSO_EINVAL);
}

/* A store filled by the frontier's put: store[level][start >> level]. */
struct store {
	uint8_t h[8][NMAX][32];
	uint8_t have[8][NMAX];
	uint64_t n;
	int fail_at; /* put call number that fails, or -1 */
	int puts;
};

static int
store_put(void *arg, uint64_t start, uint64_t size, const uint8_t h[32])
{
	struct store *s = arg;
	unsigned lvl    = log2_ceil(size);

	assert_int_equal(UINT64_C(1) << lvl, size);
	assert_int_equal(start % size, 0);
	if (s->puts++ == s->fail_at) {
		return COSO_EIO;
	}
	assert_false(s->have[lvl][start >> lvl]); /* each stored once */
	memcpy(s->h[lvl][start >> lvl], h, 32);
	s->have[lvl][start >> lvl] = 1;
	return COSO_OK;
}

static int
store_subtree(void *arg, uint64_t start, uint64_t size, uint8_t out[32])
{
	struct store *s = arg;
	unsigned lvl    = log2_ceil(size);

	assert_true(start + size <= s->n);
	if (!s->have[lvl][start >> lvl]) {
		return COSO_ENOENT;
	}
	memcpy(out, s->h[lvl][start >> lvl], 32);
	return COSO_OK;
}

static void
test_frontier(void **state)
{
	static struct store s, s2;
	struct mem t;
	struct coso_frontier f, g, h;
	struct coso_tree_src src = {store_subtree, &s};
	uint8_t got[32], want[32], p[COSO_PROOF_MAX][32];
	size_t count;

	(void) state;
	mem_init(&t);
	memset(&s, 0, sizeof(s));
	s.fail_at = -1;
	coso_frontier_init(&f);
	coso_frontier_root(&f, got);
	sha256_empty(want);
	assert_memory_equal(got, want, 32);
	for (uint64_t n = 1; n <= NMAX; n++) {
		s.puts = 0;
		assert_int_equal(
		    coso_frontier_append(&f, t.leaf[n - 1], store_put, &s),
		    COSO_OK);
		/* Leaf n - 1 completes 1 + (trailing ones of n - 1) subtrees.
		 */
		assert_int_equal(s.puts, 1 + __builtin_ctzll(n));
		s.n = n;
		assert_int_equal(f.size, n);
		mth(want, t.leaf, n);
		coso_frontier_root(&f, got);
		assert_memory_equal(got, want, 32);
		assert_int_equal(coso_tree_root(&src, n, got), COSO_OK);
		assert_memory_equal(got, want, 32);
		assert_int_equal(coso_frontier_load(&g, &src, n), COSO_OK);
		coso_frontier_root(&g, got);
		assert_memory_equal(got, want, 32);
		assert_int_equal(
		    coso_proof_inclusion(&src, n / 2, n, p, &count), COSO_OK);
		assert_int_equal(coso_verify_inclusion(t.leaf[n / 2], n / 2, n,
		                     p[0], count, want),
		    COSO_OK);
	}
	/* Every aligned perfect subtree of 80 leaves is stored. */
	for (unsigned lvl = 0; lvl < 7; lvl++) {
		for (uint64_t j = 0; j < NMAX >> lvl; j++) {
			mth(want, t.leaf + (j << lvl), UINT64_C(1) << lvl);
			assert_true(s.have[lvl][j]);
			assert_memory_equal(s.h[lvl][j], want, 32);
		}
	}
	/* A failed put leaves the frontier as it was (leaf 3 would complete
	 * subtrees of 1, 2 and 4 leaves; the third put fails). */
	memset(&s2, 0, sizeof(s2));
	s2.fail_at = 2;
	coso_frontier_init(&g);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(
		    coso_frontier_append(&g, t.leaf[i], NULL, NULL), COSO_OK);
	}
	h = g;
	assert_int_equal(
	    coso_frontier_append(&g, t.leaf[3], store_put, &s2), COSO_EIO);
	assert_int_equal(s2.puts, 3);
	assert_memory_equal(&g, &h, sizeof(g));
	f.size = COSO_TREE_SIZE_MAX;
	assert_int_equal(
	    coso_frontier_append(&f, t.leaf[0], NULL, NULL), COSO_ETOOBIG);
	/* A source that fails passes its error back. */
	s.n = NMAX;
	memset(s.have, 0, sizeof(s.have));
	assert_int_equal(coso_tree_root(&src, 5, got), COSO_ENOENT);
	assert_int_equal(
	    coso_proof_inclusion(&src, 1, 5, p, &count), COSO_ENOENT);
	assert_int_equal(
	    coso_proof_consistency(&src, 1, 5, p, &count), COSO_ENOENT);
	assert_int_equal(coso_frontier_load(&g, &src, 5), COSO_ENOENT);
}

/*
 * A tree of up to 2^63 equal leaves: a perfect subtree's hash depends on
 * its height only, so proofs at the size limit can be made and checked.
 */
static int
flat_subtree(void *arg, uint64_t start, uint64_t size, uint8_t out[32])
{
	uint8_t(*level)[32] = arg;

	assert_true(size != 0 && (size & (size - 1)) == 0);
	assert_int_equal(start % size, 0);
	memcpy(out, level[__builtin_ctzll(size)], 32);
	return COSO_OK;
}

static void
test_limits(void **state)
{
	static uint8_t level[64][32];
	struct coso_tree_src src = {flat_subtree, level};
	uint8_t root[32], rm[32], p[COSO_PROOF_MAX][32];
	const uint64_t max         = COSO_TREE_SIZE_MAX;
	static const uint64_t ms[] = {1, 2, 3, (UINT64_C(1) << 62) + 1,
	    (UINT64_C(1) << 62) + 3, COSO_TREE_SIZE_MAX - 1};
	size_t count;

	(void) state;
	coso_leaf_hash(level[0], (const uint8_t *) "x", 1);
	for (unsigned b = 1; b < 64; b++) {
		coso_node_hash(level[b], level[b - 1], level[b - 1]);
	}
	assert_int_equal(coso_tree_root(&src, max, root), COSO_OK);
	assert_memory_equal(root, level[63], 32);
	assert_int_equal(
	    coso_proof_inclusion(&src, max - 1, max, p, &count), COSO_OK);
	assert_int_equal(count, 63);
	assert_int_equal(
	    coso_verify_inclusion(level[0], max - 1, max, p[0], count, root),
	    COSO_OK);
	for (size_t i = 0; i < sizeof(ms) / sizeof(ms[0]); i++) {
		assert_int_equal(coso_tree_root(&src, ms[i], rm), COSO_OK);
		assert_int_equal(
		    coso_proof_consistency(&src, ms[i], max, p, &count),
		    COSO_OK);
		assert_true(count <= COSO_PROOF_MAX);
		assert_int_equal(
		    coso_verify_consistency(ms[i], max, p[0], count, rm, root),
		    COSO_OK);
	}
	assert_int_equal(
	    coso_proof_inclusion(&src, 0, max + 1, p, &count), COSO_EINVAL);
	assert_int_equal(
	    coso_proof_consistency(&src, 1, max + 1, p, &count), COSO_EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_leaf_format),
	    cmocka_unit_test(test_ct_vectors),
	    cmocka_unit_test(test_roots),
	    cmocka_unit_test(test_inclusion_all),
	    cmocka_unit_test(test_consistency_all),
	    cmocka_unit_test(test_consistency_edges),
	    cmocka_unit_test(test_frontier),
	    cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
