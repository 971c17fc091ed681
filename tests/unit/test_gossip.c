/*
 * test_gossip.c: devices as gossip.  The gossip file's bytes and limits
 * (proto/gossip.c), and the device's check of each new checkpoint
 * against the latest it holds (client/lib/gossip.c): a log that moves
 * backwards, forks at one size, or grows into a tree that does not
 * extend the held one is refused with both signed notes kept; an honest
 * log is taken, proved.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include <coso/client.h>

#include "../../client/lib/internal.h"
#include "../../client/lib/sync.h"

#define ORIGIN "gossip.example/central"

/* Two histories of one central key: the same first two leaves, then
 * each its own. */
struct logs {
	uint8_t a[8][32], b[8][32];
};

struct fx {
	char dir[64];
	struct coso_store *s;
	struct coso_key *central;
	uint8_t pk[32];
	struct logs l;
	const uint8_t (*serve)[32]; /* the history PROOF answers from */
	int fetches, no_proofs;
};

static void
mth(const uint8_t (*leaf)[32], uint64_t start, uint64_t size, uint8_t out[32])
{
	uint8_t l[32], r[32];
	uint64_t k = 1;

	if (size == 1) {
		memcpy(out, leaf[start], 32);
		return;
	}
	while (k < size - k) {
		k <<= 1;
	}
	mth(leaf, start, k, l);
	mth(leaf, start + k, size - k, r);
	coso_node_hash(out, l, r);
}

static int
subtree(void *arg, uint64_t start, uint64_t size, uint8_t out[32])
{
	mth(arg, start, size, out);
	return COSO_OK;
}

/* struct cosoi_proof_src's fetch over the history f->serve. */
static int
fetch(void *arg, uint64_t from, uint64_t to, uint8_t out[COSO_PROOF_MAX][32],
    size_t *n)
{
	struct fx *f             = arg;
	struct coso_tree_src src = {subtree, (void *) f->serve};

	f->fetches++;
	if (f->no_proofs) {
		return COSO_ENOENT;
	}
	return coso_proof_consistency(&src, from, to, out, n);
}

/* The signed note of the first size leaves of a history. */
static char *
note_of(struct fx *f, const uint8_t (*leaf)[32], uint64_t size,
    struct coso_checkpoint *cp)
{
	char *note = NULL;
	uint8_t root[32];

	mth(leaf, 0, size, root);
	assert_int_equal(coso_checkpoint_sign(
	                     &note, f->central, ORIGIN, ORIGIN, size, root),
	    0);
	assert_int_equal(cosoi_note_verify(cp, note, strlen(note), f->pk), 0);
	return note;
}

static int64_t
q(struct fx *f, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t v        = -1;

	assert_int_equal(sqlite3_prepare_v2(f->s->db, sql, -1, &st, NULL), 0);
	if (sqlite3_step(st) == SQLITE_ROW) {
		v = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return v;
}

/* Keeps a note as the sync's take does. */
static void
hold(struct fx *f, const char *note, uint64_t size)
{
	sqlite3_stmt *st = NULL;

	assert_int_equal(sqlite3_prepare_v2(f->s->db,
	                     "INSERT INTO checkpoints (size, note) VALUES "
	                     "(?, ?)",
	                     -1, &st, NULL),
	    0);
	sqlite3_bind_int64(st, 1, (sqlite3_int64) size);
	sqlite3_bind_text(st, 2, note, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
}

static int
setup(void **state)
{
	struct coso_init p = {.cadre_id = "cb-001", .name = "Nguyễn Văn An"};
	char err[COSO_ERRMSG_MAX], *pub = NULL;
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(coso_key_generate(&f->central), 0);
	coso_key_public(f->central, f->pk);
	assert_int_equal(coso_pubkey_format(&pub, f->pk), 0);
	p.central_url = "tcp://127.0.0.1:1";
	p.central_key = pub;
	snprintf(f->dir, sizeof(f->dir), "/tmp/coso-gossip-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	assert_int_equal(coso_store_init(f->dir, &p, NULL, err), 0);
	free(pub);
	assert_int_equal(coso_store_open(&f->s, f->dir, NULL, 0, err), 0);
	for (int i = 0; i < 8; i++) {
		uint8_t d[2] = {'a', (uint8_t) i}, e[2] = {'b', (uint8_t) i};

		coso_leaf_hash(f->l.a[i], d, 2);
		coso_leaf_hash(f->l.b[i], i < 2 ? d : e, 2);
	}
	f->serve = (const uint8_t(*)[32]) f->l.a;
	*state   = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	coso_store_close(f->s);
	coso_key_free(f->central);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* Checks the note of size leaves of history h: the check's code. */
static int
check(struct fx *f, const uint8_t (*h)[32], uint64_t size, int *how)
{
	struct cosoi_proof_src src = {fetch, f};
	struct coso_checkpoint cp;
	char *note = note_of(f, h, size, &cp);
	int rv;

	*how = 0;
	rv   = cosoi_cp_check(f->s, f->pk, &cp, note, strlen(note), &src, how);
	free(note);
	return rv;
}

#define A ((const uint8_t(*)[32]) f->l.a)
#define B ((const uint8_t(*)[32]) f->l.b)

/* Nothing held: the first is taken without asking for a proof; then
 * the same tree again, and a larger one of the same history, proved. */
static void
test_honest(void **state)
{
	struct fx *f = *state;
	struct coso_checkpoint cp;
	char *note;
	int how;

	assert_int_equal(check(f, A, 4, &how), COSO_OK);
	assert_int_equal(how, COSOI_CP_FIRST);
	assert_int_equal(f->fetches, 0);
	note = note_of(f, A, 4, &cp);
	hold(f, note, 4);
	free(note);
	assert_int_equal(check(f, A, 4, &how), COSO_OK);
	assert_int_equal(how, COSOI_CP_SAME);
	assert_int_equal(f->fetches, 0);
	for (uint64_t n = 5; n <= 8; n++) {
		assert_int_equal(check(f, A, n, &how), COSO_OK);
		assert_int_equal(how, COSOI_CP_PROVED);
	}
	assert_int_equal(f->fetches, 4);
	assert_int_equal(q(f, "SELECT count(*) FROM evidence"), 0);
}

/* The held tree is history A's of 4; what history B shows cannot be
 * true with it, whatever its size: smaller, equal or larger. */
static void
test_split(void **state)
{
	struct fx *f = *state;
	struct coso_checkpoint cp;
	char *held = note_of(f, A, 4, &cp), *fresh;
	int how;

	hold(f, held, 4);
	f->serve = B; /* B proves from its own tree */

	assert_int_equal(check(f, A, 3, &how), COSO_EPROTO); /* backwards */
	assert_int_equal(check(f, B, 4, &how), COSO_EPROTO); /* fork */
	assert_int_equal(check(f, B, 6, &how), COSO_EPROTO); /* inconsistent */
	assert_int_equal(f->fetches, 1);
	assert_non_null(strstr(coso_store_errmsg(f->s), "split view"));
	assert_int_equal(q(f, "SELECT count(*) FROM evidence"), 3);
	assert_int_equal(q(f,
	                     "SELECT count(*) FROM evidence WHERE held_size "
	                     "= 4 AND seen = 1"),
	    3);
	assert_int_equal(q(f,
	                     "SELECT new_size FROM evidence WHERE kind = "
	                     "'backwards'"),
	    3);
	assert_int_equal(
	    q(f, "SELECT new_size FROM evidence WHERE kind = 'fork'"), 4);
	assert_int_equal(q(f,
	                     "SELECT new_size FROM evidence WHERE kind = "
	                     "'inconsistent'"),
	    6);
	/* Both notes kept as received, byte for byte. */
	fresh = note_of(f, B, 6, &cp);
	{
		sqlite3_stmt *st = NULL;

		assert_int_equal(sqlite3_prepare_v2(f->s->db,
		                     "SELECT held_note, new_note FROM "
		                     "evidence WHERE kind = 'inconsistent'",
		                     -1, &st, NULL),
		    0);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_string_equal(sqlite3_column_text(st, 0), held);
		assert_string_equal(sqlite3_column_text(st, 1), fresh);
		sqlite3_finalize(st);
	}
	/* The same pair seen again is counted, not kept twice; the held
	 * checkpoint is still the latest. */
	assert_int_equal(check(f, B, 6, &how), COSO_EPROTO);
	assert_int_equal(q(f, "SELECT count(*) FROM evidence"), 3);
	assert_int_equal(q(f,
	                     "SELECT seen FROM evidence WHERE kind = "
	                     "'inconsistent'"),
	    2);
	assert_int_equal(q(f, "SELECT max(size) FROM checkpoints"), 4);
	/* History A, proved from its own tree, is still taken. */
	f->serve = A;
	assert_int_equal(check(f, A, 7, &how), COSO_OK);
	assert_int_equal(how, COSOI_CP_PROVED);
	free(held);
	free(fresh);
}

/* A central too old for PROOF: a larger tree is taken unproved, until
 * the central has once given a proof. */
static void
test_no_proofs(void **state)
{
	struct fx *f = *state;
	struct coso_checkpoint cp;
	char *note = note_of(f, A, 2, &cp);
	int how;

	hold(f, note, 2);
	free(note);
	f->no_proofs = 1;
	assert_int_equal(check(f, A, 5, &how), COSO_OK);
	assert_int_equal(how, COSOI_CP_UNPROVED);
	/* Backwards needs no proof to see. */
	assert_int_equal(check(f, A, 1, &how), COSO_EPROTO);
	assert_int_equal(cosoi_meta_set_i64(f->s, "central_proofs", 1), 0);
	assert_int_equal(check(f, A, 5, &how), COSO_EPROTO);
	assert_null(strstr(coso_store_errmsg(f->s), "split view"));
	assert_int_equal(q(f, "SELECT count(*) FROM evidence"), 1);
}

/* A device that retries against a forked central that keeps growing
 * sees a new pair each time: past the file's limit of pairs none is
 * added, and the refusal stands. */
static void
test_evidence_cap(void **state)
{
	struct fx *f = *state;
	struct coso_checkpoint cp;
	char *held = note_of(f, A, 3, &cp), sql[256];
	int how;

	hold(f, held, 3);
	free(held);
	snprintf(sql, sizeof(sql),
	    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
	    "WHERE i < %u) INSERT INTO evidence (kind, first_ms, last_ms, "
	    "seen, held_size, held_note, new_size, new_note) SELECT 'fork', "
	    "1, 1, 1, 3, 'h', 3, 'n' || i FROM n",
	    COSO_GOSSIP_EVIDENCE_MAX);
	assert_int_equal(cosoi_exec(f->s, sql), 0);
	assert_int_equal(check(f, B, 3, &how), COSO_EPROTO);
	assert_int_equal(
	    q(f, "SELECT count(*) FROM evidence"), COSO_GOSSIP_EVIDENCE_MAX);
	assert_int_equal(q(f, "SELECT max(size) FROM checkpoints"), 3);
}

/* A file of two notes, two receipts (one with a proof) and a pair of
 * evidence: encoded, decoded to the same, every cut refused. */
static void
test_file(void **state)
{
	static const char n1[] = "o\n1\nAAAA\n", n2[] = "o\n2\nBBBB\n";
	uint8_t rc1[COSO_RECEIPT_BYTES], rc2[COSO_RECEIPT_BYTES], pr[64];
	struct coso_gossip_note notes[2]
	    = {{n1, sizeof(n1) - 1}, {n2, sizeof(n2) - 1}};
	struct coso_gossip_receipt rs[2]
	    = {{1, 1, rc1, NULL, 0}, {2, 3, rc2, pr, 2}};
	struct coso_gossip_evidence ev
	    = {COSO_GOSSIP_FORK, notes[0], notes[1]};
	struct coso_gossip g  = {.exported_ms = 1764201600123u,
	                        .nnotes       = 2,
	                        .notes        = notes,
	                        .nreceipts    = 2,
	                        .receipts     = rs,
	                        .nevidence    = 1,
	                        .evidence     = &ev},
	                   *d = NULL;
	uint8_t *out = NULL, *again = NULL;
	size_t len, len2;

	(void) state;
	memset(rc1, 1, sizeof(rc1));
	memset(rc2, 2, sizeof(rc2));
	memset(pr, 3, sizeof(pr));
	memset(g.central_pk, 4, 32);
	memset(g.device_pk, 5, 32);
	assert_int_equal(coso_gossip_encode(&g, &out, &len), 0);
	assert_int_equal(len,
	    15 + 72 + 4 + 2 * (2 + 9) + 4 + 2 * (8 + 8 + 114 + 1) + 64 + 4 + 1
	        + 2 * (2 + 9));
	assert_memory_equal(out, "coso-gossip/v1\n", 15);
	assert_int_equal(coso_gossip_decode(&d, out, len), 0);
	assert_int_equal(d->nnotes, 2);
	assert_int_equal(d->nreceipts, 2);
	assert_int_equal(d->nevidence, 1);
	assert_memory_equal(d->notes[1].note, n2, sizeof(n2) - 1);
	assert_int_equal(d->receipts[1].tree_size, 3);
	assert_int_equal(d->receipts[1].nproof, 2);
	assert_null(d->receipts[0].proof);
	assert_int_equal(d->evidence[0].kind, COSO_GOSSIP_FORK);
	assert_int_equal(d->exported_ms, 1764201600123u);
	assert_int_equal(coso_gossip_encode(d, &again, &len2), 0);
	assert_int_equal(len2, len);
	assert_memory_equal(again, out, len);
	free(again);
	coso_gossip_free(d);

	for (size_t i = 0; i < len; i++) {
		d = NULL;
		assert_int_equal(coso_gossip_decode(&d, out, i), COSO_ETRUNC);
		assert_null(d);
	}
	out      = realloc(out, len + 1);
	out[len] = 0;
	assert_int_equal(coso_gossip_decode(&d, out, len + 1), COSO_ETRAILING);
	out[0] = 'C';
	assert_int_equal(coso_gossip_decode(&d, out, len), COSO_EVERSION);
	out[0]  = 'c';
	out[87] = 0xff; /* nnotes: over the limit */
	assert_int_equal(coso_gossip_decode(&d, out, len), COSO_ETOOBIG);
	out[87] = 0;
	out[89] = 0x10; /* 4098 notes of 3 bytes at least: not there */
	assert_int_equal(coso_gossip_decode(&d, out, len), COSO_ETRUNC);
	out[89] = 0;
	out[91] = 0; /* the first note's length 0 */
	out[92] = 0;
	assert_int_equal(coso_gossip_decode(&d, out, len), COSO_ESCHEMA);
	out[92] = 9;
	assert_int_equal(coso_gossip_decode(&d, out, len), COSO_OK);
	coso_gossip_free(d);
	d                            = NULL;
	out[len - 1 - 9 - 2 - 9 - 2] = 4; /* the evidence's kind */
	assert_int_equal(coso_gossip_decode(&d, out, len), COSO_ESCHEMA);
	free(out);
	out = NULL;

	rs[0].tree_size = 0;
	assert_int_equal(coso_gossip_encode(&g, &out, &len), COSO_ESCHEMA);
	rs[0].tree_size = 1;
	rs[1].nproof    = COSO_PROOF_MAX + 1;
	assert_int_equal(coso_gossip_encode(&g, &out, &len), COSO_ETOOBIG);
	rs[1].nproof = 2;
	ev.kind      = 0;
	assert_int_equal(coso_gossip_encode(&g, &out, &len), COSO_ESCHEMA);
	ev.kind  = COSO_GOSSIP_BACKWARDS;
	g.nnotes = COSO_GOSSIP_NOTES_MAX + 1;
	assert_int_equal(coso_gossip_encode(&g, &out, &len), COSO_ETOOBIG);
	assert_null(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_honest, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_split, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_proofs, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_evidence_cap, setup, teardown),
	    cmocka_unit_test(test_file),
	};

	if (sodium_init() < 0) {
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
