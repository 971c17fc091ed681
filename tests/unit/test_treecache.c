/*
 * test_treecache.c: proofs of the central's audit log served from the
 * in-memory subtree hashes of read-only handles (store_treecache.c).
 *
 * A log of synthetic entries is appended through cstore_log_append (so
 * tree_hashes is written as the writer writes it).  Every proof a
 * read-only handle gives is compared, byte for byte, with RFC 9162's
 * recursive PATH and SUBPROOF computed here from the entries' leaf
 * hashes, and with the proof the writer's handle gives from SQLite
 * alone: for every index of sizes around the powers of two (1, 2^k - 1,
 * 2^k, 2^k + 1, the whole log) and every pair of those sizes, after the
 * cache is first filled, after the log grows past it in steps that end
 * inside subtrees, with levels dropped by a small limit, next to a
 * writer's transaction that is rolled back, and on a database whose tree
 * was added by an upgrade.  Three reader threads, each with its handle,
 * prove and verify while the writer commits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>

#include <coso/proto.h>

#include "../../daemon/central/store.h"

#define NMAX 800u

struct fx {
	char dir[64], db[96];
	struct central_store *w; /* the writer's handle */
	uint8_t leaf[NMAX][32];  /* committed leaves */
	uint64_t n;              /* committed entries */
};

/* The entry at position i, with salt making another entry there. */
static void
entry(struct cstore_logrow *r, uint64_t i, uint8_t salt)
{
	static uint8_t bytes[8];

	memset(r, 0, sizeof(*r));
	r->position = i;
	memset(r->id, salt, 32);
	memcpy(r->id, &i, sizeof(i));
	memset(r->author, 0xA0 + (int) (i % 7), 32);
	memset(r->sender, 0xB0, 32);
	r->seq         = i + 1;
	r->hlc         = (i + 1) << 16;
	r->received_ms = UINT64_C(1764201600000) + i;
	r->verdict
	    = i % 5 == 3 ? COSO_VERDICT_QUARANTINED : COSO_VERDICT_ACCEPTED;
	r->reason = r->verdict == COSO_VERDICT_ACCEPTED ? 0 : COSO_QREF;
	r->bytes  = bytes;
	r->len    = sizeof(bytes);
}

static void
leaf_of(const struct cstore_logrow *r, uint8_t out[32])
{
	uint8_t data[COSO_LEAF_BYTES];
	struct coso_leaf l;

	memcpy(l.cs_id, r->id, 32);
	memcpy(l.author, r->author, 32);
	l.seq         = r->seq;
	l.received_ms = r->received_ms;
	l.verdict     = (uint8_t) r->verdict;
	coso_leaf_encode(data, &l);
	coso_leaf_hash(out, data, sizeof(data));
}

/* Appends count entries in one transaction and commits them. */
static void
append(struct fx *f, uint64_t count)
{
	struct cstore_logrow r;
	uint64_t i;

	assert_true(f->n + count <= NMAX);
	assert_int_equal(cstore_begin(f->w), COSO_OK);
	for (i = f->n; i < f->n + count; i++) {
		entry(&r, i, 0x11);
		assert_int_equal(cstore_log_append(f->w, &r), COSO_OK);
		leaf_of(&r, f->leaf[i]);
	}
	assert_int_equal(cstore_commit(f->w), COSO_OK);
	f->n += count;
}

/* RFC 9162 §2.1.1 MTH(D[lo:lo + n]), by recursion. */
static void
mth(const struct fx *f, uint64_t lo, uint64_t n, uint8_t out[32])
{
	uint8_t l[32], r[32];
	uint64_t k = 1;

	if (n == 1) {
		memcpy(out, f->leaf[lo], 32);
		return;
	}
	while (k * 2 < n) {
		k *= 2;
	}
	mth(f, lo, k, l);
	mth(f, lo + k, n - k, r);
	coso_node_hash(out, l, r);
}

/* RFC 9162 §2.1.3.1 PATH(m, D[lo:lo + n]). */
static void
path(const struct fx *f, uint64_t m, uint64_t lo, uint64_t n,
    uint8_t (*out)[32], size_t *cnt)
{
	uint64_t k = 1;

	if (n == 1) {
		return;
	}
	while (k * 2 < n) {
		k *= 2;
	}
	if (m < k) {
		path(f, m, lo, k, out, cnt);
		mth(f, lo + k, n - k, out[(*cnt)++]);
	} else {
		path(f, m - k, lo + k, n - k, out, cnt);
		mth(f, lo, k, out[(*cnt)++]);
	}
}

/* RFC 9162 §2.1.4.1 SUBPROOF(m, D[lo:lo + n], b). */
static void
subproof(const struct fx *f, uint64_t m, uint64_t lo, uint64_t n, int b,
    uint8_t (*out)[32], size_t *cnt)
{
	uint64_t k = 1;

	if (m == n) {
		if (!b) {
			mth(f, lo, n, out[(*cnt)++]);
		}
		return;
	}
	while (k * 2 < n) {
		k *= 2;
	}
	if (m <= k) {
		subproof(f, m, lo, k, b, out, cnt);
		mth(f, lo + k, n - k, out[(*cnt)++]);
	} else {
		subproof(f, m - k, lo + k, n - k, 0, out, cnt);
		mth(f, lo, k, out[(*cnt)++]);
	}
}

/* The sizes checked up to n: around every power of two, and n. */
static size_t
sizes(uint64_t n, uint64_t *out)
{
	size_t c = 0;

	for (uint64_t p = 1; p <= n; p *= 2) {
		if (p > 2 && p - 1 <= n) {
			out[c++] = p - 1;
		}
		out[c++] = p;
		if (p + 1 <= n && p > 1) {
			out[c++] = p + 1;
		}
	}
	if (out[c - 1] != n) {
		out[c++] = n;
	}
	return c;
}

/* Every inclusion and consistency proof over the sizes checked, from
 * the read-only handle r (the cache), from the writer's handle (SQLite)
 * and by the definition: the same bytes.  Returns the proofs compared. */
static unsigned
check_all(struct fx *f, struct central_store *r)
{
	static uint8_t want[COSO_PROOF_MAX][32], got[COSO_PROOF_MAX][32],
	    plain[COSO_PROOF_MAX][32];
	struct coso_tree_src cached, stored;
	uint64_t sz[80], head;
	size_t ns = sizes(f->n, sz), cw, cg, cp;
	uint8_t root[32], want_root[32];
	unsigned checked = 0;

	cstore_tree_src(r, &cached);
	cstore_tree_src(f->w, &stored);
	assert_int_equal(cstore_tree_head(r, &head, root), COSO_OK);
	assert_int_equal(head, f->n);
	mth(f, 0, f->n, want_root);
	assert_memory_equal(root, want_root, 32);
	for (size_t a = 0; a < ns; a++) {
		for (uint64_t i = 0; i < sz[a]; i++) {
			cw = 0;
			path(f, i, 0, sz[a], want, &cw);
			assert_int_equal(
			    coso_proof_inclusion(&cached, i, sz[a], got, &cg),
			    COSO_OK);
			assert_int_equal(coso_proof_inclusion(
			                     &stored, i, sz[a], plain, &cp),
			    COSO_OK);
			assert_int_equal(cg, cw);
			assert_int_equal(cp, cw);
			assert_memory_equal(got, want, 32 * cw);
			assert_memory_equal(plain, want, 32 * cw);
			checked++;
		}
		for (size_t b = a; b < ns; b++) {
			cw = 0;
			subproof(f, sz[a], 0, sz[b], 1, want, &cw);
			assert_int_equal(coso_proof_consistency(
			                     &cached, sz[a], sz[b], got, &cg),
			    COSO_OK);
			assert_int_equal(coso_proof_consistency(&stored, sz[a],
			                     sz[b], plain, &cp),
			    COSO_OK);
			assert_int_equal(cg, cw);
			assert_int_equal(cp, cw);
			assert_memory_equal(got, want, 32 * cw);
			assert_memory_equal(plain, want, 32 * cw);
			checked++;
		}
	}
	return checked;
}

static void
held(struct central_store *r, uint64_t size, unsigned low)
{
	uint64_t s;
	unsigned l;

	cstore_tree_cache_held(r, &s, &l);
	assert_int_equal(s, size);
	assert_int_equal(l, low);
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[CSTORE_ERRMSG_MAX];

	if (f == NULL) {
		return -1;
	}
	snprintf(f->dir, sizeof(f->dir), "/tmp/coso-treecache-XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		return -1;
	}
	snprintf(f->db, sizeof(f->db), "%s/central.db", f->dir);
	if (cstore_create(&f->w, f->db, err) != COSO_OK) {
		return -1;
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	cstore_close(f->w);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	if (system(cmd) != 0) {
		return -1;
	}
	free(f);
	cstore_tree_cache_limit(CSTORE_TREE_CACHE_LEVEL_MAX);
	return 0;
}

static struct central_store *
reader(struct fx *f)
{
	struct central_store *r = NULL;
	char err[CSTORE_ERRMSG_MAX];

	assert_int_equal(cstore_open(&r, f->db, 1, err), COSO_OK);
	return r;
}

/* One entry, then the log grows past what the cache holds in steps that
 * end inside subtrees of every level; a second reader shares it. */
static void
test_grow(void **state)
{
	static const uint64_t steps[] = {1, 1, 1, 5, 8, 47, 193, 256, 1};
	struct fx *f                  = *state;
	struct central_store *r, *r2;
	unsigned total = 0;

	append(f, steps[0]);
	r = reader(f);
	held(r, 0, 64);
	total += check_all(f, r);
	held(r, 1, 0);
	for (size_t k = 1; k < sizeof(steps) / sizeof(steps[0]); k++) {
		append(f, steps[k]);
		held(r, f->n - steps[k], 0);
		total += check_all(f, r);
		held(r, f->n, 0);
	}
	r2 = reader(f);
	held(r2, f->n, 0); /* shared */
	total += check_all(f, r2);
	cstore_close(r);
	append(f, 3);
	total += check_all(f, r2);
	held(r2, f->n, 0);
	cstore_close(r2);
	assert_int_equal(f->n, 516);
	assert_true(total > 5000);
}

/* With at most 8 nodes a level, the lower levels are read from SQLite,
 * and more are dropped as the log grows. */
static void
test_limit(void **state)
{
	struct fx *f = *state;
	struct central_store *r;

	cstore_tree_cache_limit(8);
	append(f, 100);
	r = reader(f);
	check_all(f, r);
	held(r, 100, 4); /* 100 >> 4 = 6 nodes */
	append(f, 157);
	check_all(f, r);
	held(r, 257, 5);
	append(f, 300);
	check_all(f, r);
	held(r, 557, 6); /* 557 >> 6 = 8 */
	cstore_close(r);
}

/* A writer's transaction rolled back after a reader read inside it: its
 * leaves never reach the reader, the ones committed at those positions
 * do. */
static void
test_rollback(void **state)
{
	struct fx *f = *state;
	struct central_store *r;
	struct cstore_logrow e;
	uint64_t size;
	uint8_t root[32];

	append(f, 37);
	r = reader(f);
	check_all(f, r);
	assert_int_equal(cstore_begin(f->w), COSO_OK);
	for (uint64_t i = f->n; i < f->n + 30; i++) {
		entry(&e, i, 0x66);
		assert_int_equal(cstore_log_append(f->w, &e), COSO_OK);
	}
	assert_int_equal(cstore_tree_head(r, &size, root), COSO_OK);
	assert_int_equal(size, f->n);
	cstore_rollback(f->w);
	append(f, 30);
	check_all(f, r);
	cstore_close(r);
}

/* A database whose tree was added at a read-write open (made before it):
 * a reader opened before the upgrade gets no cache and fails as before;
 * one opened after it gets the computed tree. */
static void
test_upgrade(void **state)
{
	struct fx *f = *state;
	struct central_store *r, *r2;
	struct coso_tree_src src;
	uint8_t proof[COSO_PROOF_MAX][32];
	char err[CSTORE_ERRMSG_MAX];
	sqlite3 *db;
	size_t count;

	append(f, 77);
	cstore_close(f->w);
	f->w = NULL;
	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(db, "DROP TABLE tree_hashes; DROP TABLE checkpoints",
	        NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	r = reader(f);
	cstore_tree_src(r, &src);
	assert_int_not_equal(
	    coso_proof_inclusion(&src, 5, 77, proof, &count), COSO_OK);
	held(r, 0, 0); /* the levels it would hold, none filled */
	assert_int_equal(cstore_open(&f->w, f->db, 0, err), COSO_OK);
	r2 = reader(f);
	check_all(f, r2);
	held(r, 77, 0);
	check_all(f, r);
	append(f, 20);
	check_all(f, r);
	cstore_close(r);
	cstore_close(r2);
}

/* Readers on threads of their own, each with its handle, make and check
 * proofs while the writer commits: every proof verifies against the root
 * of the size its reader saw, and that root is the log's. */
struct racer {
	const char *db;
	uint8_t (*leaf)[32], (*root)[32]; /* root[k]: of the first k */
	uint64_t until;                   /* stop at this size */
	unsigned proofs, bad;
};

static void *
race(void *arg)
{
	struct racer *a         = arg;
	struct central_store *r = NULL;
	struct coso_tree_src src;
	uint8_t proof[COSO_PROOF_MAX][32], root[32];
	char err[CSTORE_ERRMSG_MAX];
	uint64_t size = 0;
	size_t count;

	if (cstore_open(&r, a->db, 1, err) != COSO_OK) {
		a->bad++;
		return NULL;
	}
	cstore_tree_src(r, &src);
	while (size < a->until) {
		if (cstore_tree_head(r, &size, root) != COSO_OK
		    || memcmp(root, a->root[size], 32) != 0) {
			a->bad++;
			break;
		}
		for (uint64_t i = 0; i < size; i += 1 + size / 16) {
			if (coso_proof_inclusion(&src, i, size, proof, &count)
			        != COSO_OK
			    || coso_verify_inclusion(
			           a->leaf[i], i, size, proof[0], count, root)
			        != COSO_OK) {
				a->bad++;
			}
			a->proofs++;
		}
	}
	cstore_close(r);
	return NULL;
}

static void
test_threads(void **state)
{
	struct fx *f = *state;
	static uint8_t roots[NMAX + 1][32], lv[NMAX][32]; /* the racers' */
	struct coso_frontier fr;
	struct cstore_logrow e;
	struct racer a[3];
	pthread_t t[3];

	coso_frontier_init(&fr);
	coso_frontier_root(&fr, roots[0]);
	for (uint64_t i = 0; i < NMAX; i++) { /* the writer goes past 600 */
		entry(&e, i, 0x11);
		leaf_of(&e, lv[i]);
		assert_int_equal(
		    coso_frontier_append(&fr, lv[i], NULL, NULL), COSO_OK);
		coso_frontier_root(&fr, roots[i + 1]);
	}
	append(f, 1);
	for (int k = 0; k < 3; k++) {
		a[k] = (struct racer) {f->db, lv, roots, 600, 0, 0};
		assert_int_equal(pthread_create(&t[k], NULL, race, &a[k]), 0);
	}
	while (f->n < 600) {
		append(f, f->n % 3 == 0 ? 7 : 13);
	}
	for (int k = 0; k < 3; k++) {
		assert_int_equal(pthread_join(t[k], NULL), 0);
		assert_int_equal(a[k].bad, 0);
		assert_true(a[k].proofs > 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_grow, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_limit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rollback, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_upgrade, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
	};

	if (sodium_init() < 0) {
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
