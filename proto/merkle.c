/*
 * merkle.c: the audit log's Merkle tree (FORMAT.md, "Log leaves and tree"):
 * leaf data and hashes, proofs from stored subtree hashes, proof
 * verification and the in-memory frontier used to append.
 *
 * Proof generation follows the recursive PATH and SUBPROOF definitions of
 * RFC 9162 §2.1.3.1 and §2.1.4.1, walked top-down without recursion.  Every
 * range the walk needs, [lo, lo + size), has lo a multiple of a power of
 * two no smaller than size, so its hash is the right fold of the aligned
 * perfect subtrees named by the bits of size: one stored hash per bit and
 * nothing rehashed from leaves.  Verification is RFC 9162 §2.1.3.2 and
 * §2.1.4.2 step by step.
 */
#include <assert.h>
#include <string.h>

#include <sodium.h>

#include "proto_int.h"

#define CTX_LEN sizeof(COSO_LEAF_CONTEXT) /* with its NUL */

static const uint8_t nothing[1]; /* libsodium gets no NULL pointers */

/* Offsets in the leaf data. */
#define L_ID      CTX_LEN
#define L_AUTHOR  (L_ID + 32u)
#define L_SEQ     (L_AUTHOR + 32u)
#define L_MS      (L_SEQ + 8u)
#define L_VERDICT (L_MS + 8u)

_Static_assert(L_VERDICT + 1u == COSO_LEAF_BYTES, "leaf size");

void
coso_leaf_encode(
    uint8_t out[static COSO_LEAF_BYTES], const struct coso_leaf *l)
{
	assert(out != NULL && l != NULL);
	memcpy(out, COSO_LEAF_CONTEXT, CTX_LEN);
	memcpy(out + L_ID, l->cs_id, 32);
	memcpy(out + L_AUTHOR, l->author, 32);
	cosoi_put_u64(out + L_SEQ, l->seq);
	cosoi_put_u64(out + L_MS, l->received_ms);
	out[L_VERDICT] = l->verdict;
}

int
coso_leaf_decode(struct coso_leaf *l, const uint8_t *buf, size_t len)
{
	assert(l != NULL && (buf != NULL || len == 0));
	if (len < COSO_LEAF_BYTES) {
		return COSO_ETRUNC;
	}
	if (len > COSO_LEAF_BYTES) {
		return COSO_ETRAILING;
	}
	if (memcmp(buf, COSO_LEAF_CONTEXT, CTX_LEN) != 0) {
		return COSO_EVERSION;
	}
	memcpy(l->cs_id, buf + L_ID, 32);
	memcpy(l->author, buf + L_AUTHOR, 32);
	l->seq         = cosoi_get_u64(buf + L_SEQ);
	l->received_ms = cosoi_get_u64(buf + L_MS);
	l->verdict     = buf[L_VERDICT];
	return COSO_OK;
}

void
coso_leaf_hash(uint8_t out[static 32], const uint8_t *data, size_t len)
{
	crypto_hash_sha256_state st;
	static const uint8_t prefix = 0x00;

	assert(data != NULL || len == 0);
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, &prefix, 1);
	crypto_hash_sha256_update(&st, len != 0 ? data : nothing, len);
	crypto_hash_sha256_final(&st, out);
}

void
coso_node_hash(uint8_t out[static 32], const uint8_t l[static 32],
    const uint8_t r[static 32])
{
	uint8_t buf[65];

	buf[0] = 0x01;
	memcpy(buf + 1, l, 32);
	memcpy(buf + 33, r, 32);
	crypto_hash_sha256(out, buf, sizeof(buf));
}

/* The largest power of two strictly below n, for n >= 2. */
static uint64_t
split_point(uint64_t n)
{
	uint64_t k = 1;

	assert(n >= 2);
	while (k < n - k) {
		k <<= 1;
	}
	return k;
}

static int
is_pow2(uint64_t n)
{
	return n != 0 && (n & (n - 1)) == 0;
}

/*
 * MTH(D[lo:lo + size]) for a range whose lo is a multiple of a power of two
 * >= size: the perfect subtrees of the bits of size, smallest (rightmost)
 * first, folded right to left.
 */
static int
range_hash(const struct coso_tree_src *src, uint64_t lo, uint64_t size,
    uint8_t out[static 32])
{
	uint8_t h[32];
	uint64_t end = lo + size;
	int first    = 1;

	assert(size >= 1);
	for (unsigned b = 0; b < 64; b++) {
		uint64_t piece = UINT64_C(1) << b;
		int rc;

		if ((size & piece) == 0) {
			continue;
		}
		end -= piece;
		rc = src->subtree(src->arg, end, piece, first ? out : h);
		if (rc != COSO_OK) {
			return rc;
		}
		if (!first) {
			coso_node_hash(out, h, out);
		}
		first = 0;
	}
	return COSO_OK;
}

int
coso_tree_root(
    const struct coso_tree_src *src, uint64_t n, uint8_t out[static 32])
{
	assert(src != NULL && src->subtree != NULL);
	if (n > COSO_TREE_SIZE_MAX) {
		return COSO_EINVAL;
	}
	if (n == 0) {
		crypto_hash_sha256(out, nothing, 0);
		return COSO_OK;
	}
	return range_hash(src, 0, n, out);
}

/* Reverses out[0 .. count - 1]: the walks collect root-side hashes first. */
static void
reverse(uint8_t (*out)[32], size_t count)
{
	uint8_t t[32];

	for (size_t i = 0, j = count; i + 1 < j; i++, j--) {
		memcpy(t, out[i], 32);
		memcpy(out[i], out[j - 1], 32);
		memcpy(out[j - 1], t, 32);
	}
}

int
coso_proof_inclusion(const struct coso_tree_src *src, uint64_t index,
    uint64_t size, uint8_t out[COSO_PROOF_MAX][32], size_t *count)
{
	uint64_t lo = 0;
	size_t n    = 0;
	int rc;

	assert(src != NULL && src->subtree != NULL && out != NULL);
	assert(count != NULL);
	if (index >= size || size > COSO_TREE_SIZE_MAX) {
		return COSO_EINVAL;
	}
	/* PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n]) if m < k, else
	 * PATH(m - k, D[k:n]) : MTH(D[0:k]). */
	while (size > 1) {
		uint64_t k = split_point(size);

		assert(n < COSO_PROOF_MAX);
		if (index - lo < k) {
			rc   = range_hash(src, lo + k, size - k, out[n]);
			size = k;
		} else {
			rc = src->subtree(src->arg, lo, k, out[n]);
			lo += k;
			size -= k;
		}
		if (rc != COSO_OK) {
			return rc;
		}
		n++;
	}
	reverse(out, n);
	*count = n;
	return COSO_OK;
}

int
coso_proof_consistency(const struct coso_tree_src *src, uint64_t m, uint64_t n,
    uint8_t out[COSO_PROOF_MAX][32], size_t *count)
{
	uint64_t lo = 0, size = n;
	size_t c  = 0;
	int whole = 1; /* SUBPROOF's b: m is still the whole left tree */
	int rc    = COSO_OK;

	assert(src != NULL && src->subtree != NULL && out != NULL);
	assert(count != NULL);
	if (m == 0 || m > n || n > COSO_TREE_SIZE_MAX) {
		return COSO_EINVAL;
	}
	/* SUBPROOF(m, D[m], true) = {}; SUBPROOF(m, D[m], false) = {MTH};
	 * m <= k: SUBPROOF(m, D[0:k], b) : MTH(D[k:n]);
	 * m > k: SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k]). */
	while (m != size && rc == COSO_OK) {
		uint64_t k = split_point(size);

		assert(c < COSO_PROOF_MAX);
		if (m <= k) {
			rc   = range_hash(src, lo + k, size - k, out[c++]);
			size = k;
		} else {
			rc = src->subtree(src->arg, lo, k, out[c++]);
			lo += k;
			size -= k;
			m -= k;
			whole = 0;
		}
	}
	if (rc == COSO_OK && !whole) {
		assert(c < COSO_PROOF_MAX);
		rc = range_hash(src, lo, size, out[c++]);
	}
	if (rc != COSO_OK) {
		return rc;
	}
	reverse(out, c);
	*count = c;
	return COSO_OK;
}

int
coso_verify_inclusion(const uint8_t leaf_hash[static 32], uint64_t index,
    uint64_t size, const uint8_t *proof, size_t count,
    const uint8_t root[static 32])
{
	uint64_t fn = index, sn;
	uint8_t r[32];

	assert(proof != NULL || count == 0);
	if (index >= size || size > COSO_TREE_SIZE_MAX) {
		return COSO_EINVAL;
	}
	sn = size - 1;
	memcpy(r, leaf_hash, 32);
	for (size_t i = 0; i < count; i++) {
		if (sn == 0) {
			return COSO_EBADSIG;
		}
		if ((fn & 1) != 0 || fn == sn) {
			coso_node_hash(r, proof + 32u * i, r);
			while ((fn & 1) == 0 && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			coso_node_hash(r, r, proof + 32u * i);
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0 || memcmp(r, root, 32) != 0) {
		return COSO_EBADSIG;
	}
	return COSO_OK;
}

/* Step 6 of RFC 9162 §2.1.4.2 over path[1 .. len - 1]; fr, sr hold
 * path[0] on entry. */
static int
consistency_fold(uint64_t fn, uint64_t sn, const uint8_t (*path)[32],
    size_t len, uint8_t fr[static 32], uint8_t sr[static 32])
{
	for (size_t i = 1; i < len; i++) {
		if (sn == 0) {
			return COSO_EBADSIG;
		}
		if ((fn & 1) != 0 || fn == sn) {
			coso_node_hash(fr, path[i], fr);
			coso_node_hash(sr, path[i], sr);
			while ((fn & 1) == 0 && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			coso_node_hash(sr, sr, path[i]);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 ? COSO_OK : COSO_EBADSIG;
}

int
coso_verify_consistency(uint64_t m, uint64_t n, const uint8_t *proof,
    size_t count, const uint8_t root_m[static 32],
    const uint8_t root_n[static 32])
{
	uint8_t path[COSO_PROOF_MAX + 1][32];
	uint8_t fr[32], sr[32];
	uint64_t fn, sn;
	size_t len = 0;

	assert(proof != NULL || count == 0);
	if (m == 0 || m > n || n > COSO_TREE_SIZE_MAX) {
		return COSO_EINVAL;
	}
	if (m == n) {
		return count == 0 && memcmp(root_m, root_n, 32) == 0
		    ? COSO_OK
		    : COSO_EBADSIG;
	}
	/* Step 1; a proof longer than any real one cannot verify either. */
	if (count == 0 || count > COSO_PROOF_MAX) {
		return COSO_EBADSIG;
	}
	if (is_pow2(m)) { /* step 2 */
		memcpy(path[len++], root_m, 32);
	}
	memcpy(path[len], proof, count * 32u);
	len += count;
	fn = m - 1; /* steps 3 and 4 */
	sn = n - 1;
	while ((fn & 1) != 0) {
		fn >>= 1;
		sn >>= 1;
	}
	memcpy(fr, path[0], 32); /* step 5 */
	memcpy(sr, path[0], 32);
	if (consistency_fold(fn, sn, (const uint8_t(*)[32]) path, len, fr, sr)
	        != COSO_OK
	    || memcmp(fr, root_m, 32) != 0 || memcmp(sr, root_n, 32) != 0) {
		return COSO_EBADSIG;
	}
	return COSO_OK;
}

void
coso_frontier_init(struct coso_frontier *f)
{
	assert(f != NULL);
	memset(f, 0, sizeof(*f));
}

int
coso_frontier_load(
    struct coso_frontier *f, const struct coso_tree_src *src, uint64_t size)
{
	struct coso_frontier t;
	uint64_t start = 0;

	assert(f != NULL && src != NULL && src->subtree != NULL);
	if (size > COSO_TREE_SIZE_MAX) {
		return COSO_EINVAL;
	}
	coso_frontier_init(&t);
	for (unsigned b = 64; b-- > 0;) {
		uint64_t piece = UINT64_C(1) << b;
		int rc;

		if ((size & piece) == 0) {
			continue;
		}
		rc = src->subtree(src->arg, start, piece, t.node[b]);
		if (rc != COSO_OK) {
			return rc;
		}
		start += piece;
	}
	t.size = size;
	*f     = t;
	return COSO_OK;
}

/*
 * Leaf i completes the subtree of size 1, then one of size 2^(b + 1) for
 * each trailing one bit b of i: the node of the frontier's subtree 2^b and
 * the one just completed.  Those frontier entries are consumed, and the
 * largest completed subtree takes the first zero bit's place.
 */
int
coso_frontier_append(struct coso_frontier *f,
    const uint8_t leaf_hash[static 32], coso_subtree_put put, void *arg)
{
	uint8_t h[32];
	uint64_t i;
	unsigned b = 0;
	int rc;

	assert(f != NULL);
	if (f->size >= COSO_TREE_SIZE_MAX) {
		return COSO_ETOOBIG;
	}
	i = f->size;
	memcpy(h, leaf_hash, 32);
	if (put != NULL && (rc = put(arg, i, 1, h)) != COSO_OK) {
		return rc;
	}
	while ((i >> b) & 1) {
		uint64_t piece = UINT64_C(1) << (b + 1);

		coso_node_hash(h, f->node[b], h);
		b++;
		if (put != NULL
		    && (rc = put(arg, i + 1 - piece, piece, h)) != COSO_OK) {
			return rc;
		}
	}
	/* Only now change f: a failed put leaves it as it was. */
	memcpy(f->node[b], h, 32);
	f->size = i + 1;
	return COSO_OK;
}

void
coso_frontier_root(const struct coso_frontier *f, uint8_t out[static 32])
{
	int first = 1;

	assert(f != NULL);
	if (f->size == 0) {
		crypto_hash_sha256(out, nothing, 0);
		return;
	}
	for (unsigned b = 0; b < 64; b++) {
		if (((f->size >> b) & 1) == 0) {
			continue;
		}
		if (first) {
			memcpy(out, f->node[b], 32);
		} else {
			coso_node_hash(out, f->node[b], out);
		}
		first = 0;
	}
}
