/*
 * test_merge.c: the central's merge against a temporary database:
 * chains (accept, duplicate, gap, fork), signatures and senders,
 * authorisation (admin tables, assignments through the unit tree and in
 * time), append-only rows, last-writer-wins in both orders, enrollment,
 * revocation, and a rebuild that reproduces the digest.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>
#include <sqlite3.h>

#include <coso/client.h>
#include <coso/proto.h>

#include "../../daemon/central/store.h"
#include "../../daemon/central/digest.h"
#include "../../daemon/central/emit.h"
#include "../../daemon/central/merge.h"
#include "../../daemon/central/rebuild.h"
#include "../../daemon/central/writer.h"

/* 27/11/2025 00:00 UTC: every clock in these tests, so two databases
 * built alike are alike byte for byte. */
#define T0 UINT64_C(1764201600000)

struct dev {
	struct coso_key *key;
	uint8_t pk[32], id[32];
	uint64_t seq, hlc;
	uint8_t prev[32];
};

struct fx {
	char dir[64], db[96];
	struct central_store *s;
	struct dev central, admin, admin2, a, b;
	struct clog log;
	uint64_t now; /* merge_from's received time; 0: T0 */
};

static void
dev_init(struct dev *d, uint8_t seed_byte)
{
	uint8_t seed[32];

	memset(d, 0, sizeof(*d));
	memset(seed, seed_byte, 32);
	assert_int_equal(coso_key_from_seed(&d->key, seed), COSO_OK);
	coso_key_public(d->key, d->pk);
	coso_keyid_of(d->id, d->pk);
	d->hlc = T0 << 16;
}

/* A fresh central: settings, the central key, admin keys and two field
 * keys registered for cadres cb-a and cb-b. */
static void
fx_open(struct fx *f, const char *path)
{
	char err[CSTORE_ERRMSG_MAX], *pub = NULL;
	struct merge_ctx m;
	struct merge_out out;

	assert_int_equal(cstore_create(&f->s, path, err), COSO_OK);
	m = (struct merge_ctx) {f->s, f->central.key};
	assert_int_equal(coso_pubkey_format(&pub, f->central.pk), COSO_OK);
	assert_int_equal(cstore_begin(f->s), COSO_OK);
	assert_int_equal(cstore_meta_set(f->s, "central_pk", pub), COSO_OK);
	assert_int_equal(cstore_meta_set(f->s, "origin", "test"), COSO_OK);
	assert_int_equal(cstore_meta_set(f->s, "created_ms", "0"), COSO_OK);
	assert_int_equal(emit_bootstrap(f->s, f->central.pk), COSO_OK);
	assert_int_equal(emit_device_key(&m, f->admin.pk, "admin",
	                     CSTORE_ROLE_ADMIN, NULL, T0, &out),
	    COSO_OK);
	assert_int_equal(out.verdict, COSO_VERDICT_ACCEPTED);
	assert_int_equal(emit_device_key(&m, f->admin2.pk, "admin2",
	                     CSTORE_ROLE_ADMIN, NULL, T0, &out),
	    COSO_OK);
	assert_int_equal(emit_device_key(&m, f->a.pk, "cb-a",
	                     CSTORE_ROLE_FIELD, NULL, T0, &out),
	    COSO_OK);
	assert_int_equal(emit_device_key(&m, f->b.pk, "cb-b",
	                     CSTORE_ROLE_FIELD, NULL, T0, &out),
	    COSO_OK);
	assert_int_equal(out.verdict, COSO_VERDICT_ACCEPTED);
	assert_int_equal(cstore_commit(f->s), COSO_OK);
	free(pub);
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/coso-merge-XXXXXX");
	if (f == NULL || mkdtemp(f->dir) == NULL) {
		return -1;
	}
	snprintf(f->db, sizeof(f->db), "%s/central.db", f->dir);
	f->log.level = CLOG_ERROR;
	dev_init(&f->central, 1);
	dev_init(&f->admin, 2);
	dev_init(&f->admin2, 3);
	dev_init(&f->a, 4);
	dev_init(&f->b, 5);
	fx_open(f, f->db);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	cstore_close(f->s);
	coso_key_free(f->central.key);
	coso_key_free(f->admin.key);
	coso_key_free(f->admin2.key);
	coso_key_free(f->a.key);
	coso_key_free(f->b.key);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	if (system(cmd) != 0) {
		return -1;
	}
	free(f);
	return 0;
}

/* ---- building and merging change-sets ------------------------------------
 */

/* Signs body as d's next change-set (d's chain advances). */
static uint8_t *
sign_next(struct dev *d, struct coso_body *b, size_t *len)
{
	uint8_t *body = NULL, *cs = NULL;
	size_t blen;

	assert_int_equal(coso_body_encode(b, &body, &blen), COSO_OK);
	d->seq++;
	d->hlc += 1;
	assert_int_equal(coso_changeset_sign(&cs, len, d->key, d->seq, d->prev,
	                     d->hlc, body, blen),
	    COSO_OK);
	coso_changeset_id(d->prev, cs, *len);
	free(body);
	coso_body_reset(b);
	return cs;
}

/* Merges one change-set in its own transaction, from sender. */
static struct merge_out
merge_from(
    struct fx *f, const uint8_t sender[32], const uint8_t *cs, size_t len)
{
	struct merge_ctx m = {f->s, f->central.key};
	struct merge_in in
	    = {.cs = cs, .len = len, .received_ms = f->now ? f->now : T0};
	struct merge_out out;

	memcpy(in.sender, sender, 32);
	assert_int_equal(cstore_begin(f->s), COSO_OK);
	assert_int_equal(merge_changeset(&m, &in, &out), COSO_OK);
	assert_int_equal(cstore_commit(f->s), COSO_OK);
	return out;
}

/* Signs and merges the body as d's next change-set. */
static struct merge_out
push(struct fx *f, struct dev *d, struct coso_body *b)
{
	size_t len;
	uint8_t *cs          = sign_next(d, b, &len);
	struct merge_out out = merge_from(f, d->id, cs, len);

	free(cs);
	return out;
}

static struct coso_body *
body(void)
{
	struct coso_body *b = NULL;

	assert_int_equal(coso_body_new(&b), COSO_OK);
	return b;
}

static void
text(struct coso_body *b, uint32_t field, const char *s)
{
	assert_int_equal(coso_body_text(b, field, s, strlen(s)), COSO_OK);
}

static void
unit_op(struct coso_body *b, const char *code, const char *name, int level,
    const char *parent)
{
	uint8_t row[16];

	coso_uuid_named(row, "unit", code);
	assert_int_equal(coso_body_op(b, COSO_T_UNIT, row, COSO_UPSERT), 0);
	text(b, COSO_F_UNIT_CODE, code);
	text(b, COSO_F_UNIT_NAME, name);
	assert_int_equal(coso_body_int(b, COSO_F_UNIT_LEVEL, level), COSO_OK);
	if (parent != NULL) {
		text(b, COSO_F_UNIT_PARENT, parent);
	}
	assert_int_equal(
	    coso_body_int(b, COSO_F_UNIT_VALID_FROM, 20200101), COSO_OK);
}

/* A cadre row, named by its id as the admin device names it. */
static void
cadre_op(struct coso_body *b, const char *id)
{
	uint8_t row[16];

	coso_uuid_named(row, "cadre", id);
	assert_int_equal(coso_body_op(b, COSO_T_CADRE, row, COSO_UPSERT), 0);
	text(b, COSO_F_CADRE_CADRE_ID, id);
	text(b, COSO_F_CADRE_NAME, "Cán bộ");
}

static void
assign_op(struct coso_body *b, const char *cadre, const char *unit,
    int32_t from, int32_t to)
{
	uint8_t row[16];

	coso_uuid7(row, T0);
	assert_int_equal(
	    coso_body_op(b, COSO_T_ASSIGNMENT, row, COSO_UPSERT), COSO_OK);
	text(b, COSO_F_ASSIGNMENT_CADRE_ID, cadre);
	text(b, COSO_F_ASSIGNMENT_UNIT, unit);
	assert_int_equal(coso_body_int(b, COSO_F_ASSIGNMENT_ROLE, 1), COSO_OK);
	assert_int_equal(
	    coso_body_int(b, COSO_F_ASSIGNMENT_VALID_FROM, from), COSO_OK);
	if (to != 0) {
		assert_int_equal(
		    coso_body_int(b, COSO_F_ASSIGNMENT_VALID_TO, to), COSO_OK);
	}
}

static void
visit_op(struct coso_body *b, uint8_t row[16], const char *unit, int32_t date)
{
	coso_uuid7(row, T0);
	assert_int_equal(
	    coso_body_op(b, COSO_T_VISIT, row, COSO_UPSERT), COSO_OK);
	text(b, COSO_F_VISIT_UNIT, unit);
	assert_int_equal(coso_body_int(b, COSO_F_VISIT_DATE, date), COSO_OK);
	text(b, COSO_F_VISIT_PURPOSE, "Thăm hộ nghèo");
}

/* The province tree and cb-a's assignment on district 180 in 2025;
 * cb-b's on district 181 from 2025. */
static void
province(struct fx *f)
{
	struct coso_body *b = body();
	struct merge_out o;

	unit_op(b, "20", "Tỉnh Lạng Sơn", 1, NULL);
	unit_op(b, "180", "Huyện Tràng Định", 2, "20");
	unit_op(b, "06043", "Xã Đào Viên", 3, "180");
	unit_op(b, "06043-T1", "Thôn 1", 4, "06043");
	unit_op(b, "181", "Huyện Bình Gia", 2, "20");
	unit_op(b, "06100", "Xã Hoa Thám", 3, "181");
	cadre_op(b, "cb-a");
	cadre_op(b, "cb-b");
	assign_op(b, "cb-a", "180", 20250101, 20251231);
	assign_op(b, "cb-b", "181", 20250101, 0);
	o = push(f, &f->admin, b);
	assert_int_equal(o.verdict, COSO_VERDICT_ACCEPTED);
	assert_int_equal(o.reason, 0);
	coso_body_free(b);
}

/* One visit by d to unit on date. */
static struct merge_out
visit(struct fx *f, struct dev *d, const char *unit, int32_t date)
{
	struct coso_body *b = body();
	uint8_t row[16];
	struct merge_out o;

	visit_op(b, row, unit, date);
	o = push(f, d, b);
	coso_body_free(b);
	return o;
}

static uint64_t
count(struct fx *f, uint32_t table)
{
	uint64_t n = 0;

	assert_int_equal(cstore_table_count(f->s, table, &n), COSO_OK);
	return n;
}

static uint64_t
log_size(struct fx *f)
{
	uint64_t n = 0;

	assert_int_equal(cstore_log_next(f->s, &n), COSO_OK);
	return n;
}

/* ---- tests ----------------------------------------------------------------
 */

static void
test_accept_chain(void **state)
{
	struct fx *f = *state;
	struct merge_out o;
	struct cstore_author a;
	struct coso_receipt r;

	province(f);
	o = visit(f, &f->a, "06043", 20251101); /* under district 180 */
	assert_int_equal(o.verdict, COSO_VERDICT_ACCEPTED);
	assert_int_equal(o.expected_seq, 2);
	assert_true(o.has_receipt);
	assert_int_equal(coso_receipt_verify(
	                     &r, o.receipt, COSO_RECEIPT_BYTES, f->central.pk),
	    COSO_OK);
	assert_int_equal(r.leaf_index, o.position);
	assert_int_equal(r.verdict, COSO_VERDICT_ACCEPTED);
	assert_memory_equal(r.cs_id, o.id, 32);
	o = visit(f, &f->a, "06043-T1", 20251102); /* a village, deeper */
	assert_int_equal(o.verdict, COSO_VERDICT_ACCEPTED);
	assert_int_equal(count(f, COSO_T_VISIT), 2);
	assert_int_equal(count(f, COSO_T_UNIT), 6);
	assert_int_equal(cstore_author_get(f->s, f->a.id, &a), COSO_OK);
	assert_int_equal(a.next_seq, 3);
	assert_memory_equal(a.head, f->a.prev, 32);
}

static void
test_duplicate(void **state)
{
	struct fx *f        = *state;
	struct coso_body *b = body();
	struct merge_out o1, o2;
	uint8_t *cs, row[16];
	size_t len;
	uint64_t n;

	province(f);
	visit_op(b, row, "06043", 20251101);
	cs = sign_next(&f->a, b, &len);
	o1 = merge_from(f, f->a.id, cs, len);
	n  = log_size(f);
	o2 = merge_from(f, f->a.id, cs, len);
	assert_int_equal(o1.verdict, COSO_VERDICT_ACCEPTED);
	assert_int_equal(o2.verdict, COSO_VERDICT_DUPLICATE);
	assert_true(o2.has_receipt);
	assert_memory_equal(o1.receipt, o2.receipt, COSO_RECEIPT_BYTES);
	assert_int_equal(o2.expected_seq, 2);
	assert_int_equal(log_size(f), n);
	assert_int_equal(count(f, COSO_T_VISIT), 1);
	free(cs);
	coso_body_free(b);
}

static void
test_gap(void **state)
{
	struct fx *f        = *state;
	struct coso_body *b = body();
	uint8_t *cs, row[16];
	size_t len;
	uint64_t n;
	struct merge_out o;

	province(f);
	visit_op(b, row, "06043", 20251101);
	free(sign_next(&f->a, b, &len)); /* seq 1, never sent */
	visit_op(b, row, "06043", 20251102);
	cs = sign_next(&f->a, b, &len); /* seq 2 */
	n  = log_size(f);
	o  = merge_from(f, f->a.id, cs, len);
	assert_int_equal(o.verdict, COSO_VERDICT_GAP);
	assert_int_equal(o.expected_seq, 1);
	assert_false(o.stored);
	assert_int_equal(log_size(f), n);
	free(cs);
	coso_body_free(b);
}

static void
test_fork(void **state)
{
	struct fx *f        = *state;
	struct coso_body *b = body();
	struct dev clone;
	struct merge_out o;
	struct cstore_author a;
	uint8_t row[16];
	uint64_t n;

	province(f);
	clone = f->a; /* a restored backup: same key, same chain state */
	assert_int_equal(
	    visit(f, &f->a, "06043", 20251101).verdict, COSO_VERDICT_ACCEPTED);
	visit_op(b, row, "06043", 20251103);
	n = log_size(f);
	o = push(f, &clone, b);
	assert_int_equal(o.verdict, COSO_VERDICT_QUARANTINED);
	assert_int_equal(o.reason, COSO_QFORK);
	assert_true(o.stored);
	assert_int_equal(log_size(f), n + 1);
	assert_int_equal(cstore_author_get(f->s, f->a.id, &a), COSO_OK);
	assert_int_equal(a.next_seq, 2); /* unchanged by the fork */
	assert_int_equal(count(f, COSO_T_VISIT), 1);
	coso_body_free(b);
}

static void
test_bad_signature(void **state)
{
	struct fx *f        = *state;
	struct coso_body *b = body();
	struct merge_out o;
	struct cstore_author a;
	uint8_t *cs, *bad, row[16];
	size_t len;

	province(f);
	visit_op(b, row, "06043", 20251101);
	cs  = sign_next(&f->a, b, &len);
	bad = malloc(len);
	memcpy(bad, cs, len);
	bad[len - 1] ^= 1;
	o = merge_from(f, f->a.id, bad, len);
	assert_int_equal(o.verdict, COSO_VERDICT_QUARANTINED);
	assert_int_equal(o.reason, COSO_EBADSIG);
	assert_true(o.stored);
	assert_int_equal(count(f, COSO_T_VISIT), 0);
	/* Stored, but not the author's: the chain waits for the genuine
	 * change-set, which is accepted. */
	assert_int_equal(cstore_author_get(f->s, f->a.id, &a), COSO_OK);
	assert_int_equal(a.next_seq, 1);
	o = merge_from(f, f->a.id, cs, len);
	assert_int_equal(o.verdict, COSO_VERDICT_ACCEPTED);
	assert_int_equal(count(f, COSO_T_VISIT), 1);
	free(bad);
	free(cs);
	coso_body_free(b);
}

static void
test_author_not_sender(void **state)
{
	struct fx *f        = *state;
	struct coso_body *b = body();
	struct merge_out o;
	struct cstore_author a;
	uint8_t *cs, row[16];
	size_t len;

	province(f);
	visit_op(b, row, "06043", 20251101);
	cs = sign_next(&f->a, b, &len);
	o  = merge_from(f, f->b.id, cs, len); /* b relays a's change-set */
	assert_int_equal(o.verdict, COSO_VERDICT_QUARANTINED);
	assert_int_equal(o.reason, COSO_QAUTHOR);
	assert_int_equal(cstore_author_get(f->s, f->a.id, &a), COSO_OK);
	assert_int_equal(a.next_seq, 1);
	/* a itself can still deliver it. */
	o = merge_from(f, f->a.id, cs, len);
	assert_int_equal(o.verdict, COSO_VERDICT_ACCEPTED);
	free(cs);
	coso_body_free(b);
}

/* What cstore_log_range gave: positions, senders, and whether each
 * stored leaf hash is the hash of the leaf made from its row. */
struct range {
	uint64_t pos[8];
	uint8_t sender[8][32];
	size_t n, len[8];
	int leaf_ok[8];
};

static int
range_take(
    const struct cstore_logrow *r, const uint8_t leaf[static 32], void *arg)
{
	struct range *g    = arg;
	struct coso_leaf l = {.seq = r->seq,
	    .received_ms           = r->received_ms,
	    .verdict               = (uint8_t) r->verdict};
	uint8_t data[COSO_LEAF_BYTES], h[32], id[32];

	memcpy(l.cs_id, r->id, 32);
	memcpy(l.author, r->author, 32);
	coso_leaf_encode(data, &l);
	coso_leaf_hash(h, data, sizeof(data));
	coso_changeset_id(id, r->bytes, r->len);
	g->pos[g->n] = r->position;
	g->len[g->n] = r->len;
	g->leaf_ok[g->n]
	    = memcmp(h, leaf, 32) == 0 && memcmp(id, r->id, 32) == 0;
	memcpy(g->sender[g->n], r->sender, 32);
	return ++g->n == 8;
}

/* Registry order: enrolled positions ascending, the central (-1) first. */
static int
author_take(const struct cstore_author *a, void *arg)
{
	int64_t *seen = arg; /* [0]: the last enrolled, [1]: keys seen */

	assert_true(a->enrolled > seen[0]);
	assert_true(seen[1] > 0 || a->role == CSTORE_ROLE_CENTRAL);
	seen[0] = a->enrolled;
	seen[1]++;
	return 0;
}

/* The HTTP API's reads: a range with its stored leaf hashes, the lowest
 * position of an id that a relayed copy shares, the registry in order. */
static void
test_api_reads(void **state)
{
	struct fx *f        = *state;
	struct coso_body *b = body();
	struct range g      = {0};
	uint8_t *cs, row[16], id[32], none[32] = {0};
	int64_t seen[2] = {-2, 0};
	uint64_t p0, pos;
	size_t len;

	province(f);
	p0 = log_size(f);
	visit_op(b, row, "06043", 20251101);
	cs = sign_next(&f->a, b, &len);
	assert_int_equal(merge_from(f, f->b.id, cs, len).reason, COSO_QAUTHOR);
	assert_int_equal(
	    merge_from(f, f->a.id, cs, len).verdict, COSO_VERDICT_ACCEPTED);
	assert_int_equal(cstore_read_begin(f->s), COSO_OK);
	assert_int_equal(
	    cstore_log_range(f->s, p0, 10, range_take, &g), COSO_OK);
	cstore_read_end(f->s);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.pos[0], p0);
	assert_int_equal(g.pos[1], p0 + 1);
	assert_int_equal(g.len[1], len);
	assert_true(g.leaf_ok[0] && g.leaf_ok[1]);
	assert_memory_equal(g.sender[0], f->b.id, 32);
	assert_memory_equal(g.sender[1], f->a.id, 32);
	/* count bounds the range; past the end there is nothing. */
	g.n = 0;
	assert_int_equal(cstore_log_range(f->s, 0, 3, range_take, &g), 0);
	assert_int_equal(g.n, 3);
	assert_int_equal(g.pos[2], 2);
	g.n = 0;
	assert_int_equal(
	    cstore_log_range(f->s, p0 + 2, 10, range_take, &g), COSO_OK);
	assert_int_equal(g.n, 0);
	coso_changeset_id(id, cs, len);
	assert_int_equal(cstore_log_position(f->s, id, &pos), COSO_OK);
	assert_int_equal(pos, p0); /* the relayed copy's, the lowest */
	assert_int_equal(cstore_log_position(f->s, none, &pos), COSO_ENOENT);
	assert_int_equal(cstore_authors_each(f->s, author_take, seen), 0);
	assert_int_equal(seen[1], 5); /* central, admin, admin2, a, b */
	free(cs);
	coso_body_free(b);
}

static void
test_unknown_author(void **state)
{
	struct fx *f = *state;
	struct dev stranger;
	struct merge_out o;
	uint64_t n = log_size(f);

	province(f);
	n = log_size(f);
	dev_init(&stranger, 9);
	o = visit(f, &stranger, "06043", 20251101);
	assert_int_equal(o.verdict, COSO_VERDICT_REFUSED);
	assert_int_equal(o.reason, COSO_QUNKNOWN);
	assert_int_equal(log_size(f), n);
	coso_key_free(stranger.key);
}

static void
test_admin_table_from_field_key(void **state)
{
	struct fx *f        = *state;
	struct coso_body *b = body();
	struct merge_out o;

	unit_op(b, "99", "Tỉnh giả", 1, NULL);
	o = push(f, &f->a, b);
	assert_int_equal(o.verdict, COSO_VERDICT_QUARANTINED);
	assert_int_equal(o.reason, COSO_QADMIN);
	assert_int_equal(count(f, COSO_T_UNIT), 0);
	coso_body_free(b);
}

static void
test_unassigned_unit(void **state)
{
	struct fx *f = *state;
	struct merge_out o;

	province(f);
	o = visit(f, &f->a, "06100", 20251101); /* district 181: cb-b's */
	assert_int_equal(o.verdict, COSO_VERDICT_QUARANTINED);
	assert_int_equal(o.reason, COSO_QUNAUTH);
	o = visit(f, &f->a, "20", 20251101); /* above the assignment */
	assert_int_equal(o.reason, COSO_QUNAUTH);
	o = visit(f, &f->a, "nowhere", 20251101);
	assert_int_equal(o.reason, COSO_QREF);
	o = visit(f, &f->b, "06100", 20251101);
	assert_int_equal(o.verdict, COSO_VERDICT_ACCEPTED);
	assert_int_equal(count(f, COSO_T_VISIT), 1);
}

static void
test_assignment_dates(void **state)
{
	struct fx *f = *state;

	province(f); /* cb-a: 2025-01-01 .. 2025-12-31 */
	f->now = T0 + UINT64_C(40) * 86400000; /* 06/01/2026 */
	assert_int_equal(
	    visit(f, &f->a, "06043", 20241231).reason, COSO_QUNAUTH);
	assert_int_equal(
	    visit(f, &f->a, "06043", 20250101).verdict, COSO_VERDICT_ACCEPTED);
	assert_int_equal(
	    visit(f, &f->a, "06043", 20251231).verdict, COSO_VERDICT_ACCEPTED);
	assert_int_equal(
	    visit(f, &f->a, "06043", 20260101).reason, COSO_QUNAUTH);
	assert_int_equal(count(f, COSO_T_VISIT), 2);
}

/* A handover note by d on unit dated date. */
static struct merge_out
handover(struct fx *f, struct dev *d, const char *unit, int32_t date)
{
	struct coso_body *b = body();
	struct merge_out o;
	uint8_t row[16];

	coso_uuid7(row, T0);
	assert_int_equal(
	    coso_body_op(b, COSO_T_HANDOVER, row, COSO_UPSERT), COSO_OK);
	text(b, COSO_F_HANDOVER_UNIT, unit);
	text(b, COSO_F_HANDOVER_TEXT, "Bàn giao: đường Thôn 1 còn 200 m");
	assert_int_equal(
	    coso_body_int(b, COSO_F_HANDOVER_DATE, date), COSO_OK);
	o = push(f, d, b);
	coso_body_free(b);
	return o;
}

/* A report by d on unit for period submitted on date, with one tracked
 * proposal from its proposals section, as a device signs it. */
static struct merge_out
report(struct fx *f, struct dev *d, const char *unit, const char *period,
    int32_t date)
{
	struct coso_body *b = body();
	struct merge_out o;
	uint8_t row[16], prop[16];
	uint32_t i;

	coso_uuid7(row, T0);
	coso_uuid7(prop, T0);
	assert_int_equal(
	    coso_body_op(b, COSO_T_REPORT, row, COSO_UPSERT), COSO_OK);
	text(b, COSO_F_REPORT_UNIT, unit);
	text(b, COSO_F_REPORT_PERIOD, period);
	for (i = 3; i <= 6; i++) {
		text(b, i, "Nội dung");
	}
	assert_int_equal(
	    coso_body_int(b, COSO_F_REPORT_SUBMITTED, date), COSO_OK);
	assert_int_equal(
	    coso_body_op(b, COSO_T_PROPOSAL, prop, COSO_UPSERT), COSO_OK);
	assert_int_equal(
	    coso_body_bytes(b, COSO_F_PROPOSAL_SOURCE, row, 16), COSO_OK);
	text(b, COSO_F_PROPOSAL_UNIT, unit);
	text(b, COSO_F_PROPOSAL_TEXT, "Kéo điện về Thôn 1");
	assert_int_equal(
	    coso_body_int(b, COSO_F_PROPOSAL_DATE, date), COSO_OK);
	o = push(f, d, b);
	coso_body_free(b);
	return o;
}

/* After an assignment ends (cb-a's on 180, 31/12/2025) its cadre may
 * write a handover note dated up to COSO_GRACE_DAYS later, and a report
 * (with its proposals) of a period it overlapped up to COSO_GRACE_DAYS
 * after the later of its end and the period's end; visits have no grace
 * (docs/decisions.md, "The grace after an assignment ends"). */
static void
test_grace(void **state)
{
	struct fx *f = *state;
	struct coso_body *b;

	_Static_assert(COSO_GRACE_DAYS == 30, "the dates below");
	province(f);
	f->now = T0 + UINT64_C(90) * 86400000; /* 25/02/2026 */
	assert_int_equal(handover(f, &f->a, "06043", 20260130).verdict,
	    COSO_VERDICT_ACCEPTED);
	assert_int_equal(
	    handover(f, &f->a, "06043", 20260131).reason, COSO_QUNAUTH);
	assert_int_equal(
	    handover(f, &f->a, "06100", 20260105).reason, COSO_QUNAUTH);
	assert_int_equal(count(f, COSO_T_HANDOVER), 1);
	assert_int_equal(
	    visit(f, &f->a, "06043", 20260102).reason, COSO_QUNAUTH);
	assert_int_equal(
	    report(f, &f->a, "06043", "2025-Q4", 20260130).verdict,
	    COSO_VERDICT_ACCEPTED);
	assert_int_equal(report(f, &f->a, "06043", "2025-Q4", 20260131).reason,
	    COSO_QUNAUTH);
	assert_int_equal(report(f, &f->a, "06043", "2026-Q1", 20260105).reason,
	    COSO_QUNAUTH); /* a period it never covered */
	assert_int_equal(report(f, &f->a, "06100", "2025-Q4", 20260105).reason,
	    COSO_QUNAUTH); /* a unit it never covered */
	assert_int_equal(count(f, COSO_T_REPORT), 1);
	assert_int_equal(count(f, COSO_T_PROPOSAL), 1);
	/* An assignment ended mid-period (cb-b on 06043 to 15/11/2025):
	 * the grace runs from the period's end, so the report of the part
	 * of the quarter it covered may come when the quarter is over. */
	b = body();
	assign_op(b, "cb-b", "06043", 20250101, 20251115);
	assert_int_equal(push(f, &f->admin, b).verdict, COSO_VERDICT_ACCEPTED);
	coso_body_free(b);
	assert_int_equal(
	    report(f, &f->b, "06043", "2025-Q4", 20260125).verdict,
	    COSO_VERDICT_ACCEPTED);
	assert_int_equal(report(f, &f->b, "06043", "2025-Q4", 20260201).reason,
	    COSO_QUNAUTH);
	assert_int_equal(handover(f, &f->b, "06043", 20251215).verdict,
	    COSO_VERDICT_ACCEPTED);
	assert_int_equal(
	    handover(f, &f->b, "06043", 20251216).reason, COSO_QUNAUTH);
}

/* One admin change-set of the ops built by fn: its verdict and reason. */
static struct merge_out
admin_push(struct fx *f, void (*fn)(struct coso_body *b))
{
	struct coso_body *b = body();
	struct merge_out o;

	fn(b);
	o = push(f, &f->admin, b);
	coso_body_free(b);
	return o;
}

/* Đào Viên (06043) and Tràng Định (180) ended on 30/06/2025 (the 2025
 * merger); Quốc Việt (06058) goes on. */
static void
ended_units(struct coso_body *b)
{
	unit_op(b, "06043", "Xã Đào Viên", 3, "180");
	assert_int_equal(
	    coso_body_int(b, COSO_F_UNIT_VALID_TO, 20250630), COSO_OK);
	text(b, COSO_F_UNIT_MERGED_INTO, "06058");
	unit_op(b, "180", "Huyện Tràng Định", 2, "20");
	assert_int_equal(
	    coso_body_int(b, COSO_F_UNIT_VALID_TO, 20250630), COSO_OK);
	unit_op(b, "06058", "Xã Quốc Việt", 3, "20");
	cadre_op(b, "cb-q");
}

static void
assign_nobody(struct coso_body *b)
{
	assign_op(b, "nobody", "06058", 20250701, 0);
}

static void
token_ghost(struct coso_body *b)
{
	uint8_t row[16], hash[32] = {1};

	coso_uuid7(row, T0);
	assert_int_equal(coso_body_op(b, COSO_T_TOKEN, row, COSO_UPSERT), 0);
	text(b, COSO_F_TOKEN_CADRE_ID, "ghost");
	assert_int_equal(
	    coso_body_bytes(b, COSO_F_TOKEN_TOKEN_HASH, hash, 32), COSO_OK);
	assert_int_equal(
	    coso_body_int(b, COSO_F_TOKEN_EXPIRES, (int64_t) T0 + 1000),
	    COSO_OK);
}

static void
assign_after_end(struct coso_body *b)
{
	assign_op(b, "cb-q", "180", 20250701, 0);
}

static void
assign_open_on_ended(struct coso_body *b)
{
	assign_op(b, "cb-q", "06043", 20250101, 0);
}

static void
assign_unknown_unit(struct coso_body *b)
{
	assign_op(b, "cb-q", "99999", 20250101, 0);
}

static void
assign_within(struct coso_body *b)
{
	assign_op(b, "cb-q", "06043", 20250101, 20250630);
	assign_op(b, "cb-q", "06058", 20250701, 0);
}

/* What an admin row names must exist on the days it says: an assignment
 * to a cadre with no cadre row, a token for one, an assignment to a unit
 * outside its days are quarantined with their reason and store nothing;
 * a visit to a unit on a day it did not exist is quarantined too. */
static void
test_admin_refs(void **state)
{
	struct fx *f = *state;
	struct merge_out o;
	uint64_t assigns;

	province(f);
	assert_int_equal(
	    admin_push(f, ended_units).verdict, COSO_VERDICT_ACCEPTED);
	assigns = count(f, COSO_T_ASSIGNMENT);
	o       = admin_push(f, assign_nobody);
	assert_int_equal(o.verdict, COSO_VERDICT_QUARANTINED);
	assert_int_equal(o.reason, COSO_QREF);
	assert_int_equal(admin_push(f, token_ghost).reason, COSO_QREF);
	assert_int_equal(count(f, COSO_T_TOKEN), 0);
	assert_int_equal(
	    admin_push(f, assign_after_end).reason, COSO_QUNITDATE);
	assert_int_equal(
	    admin_push(f, assign_open_on_ended).reason, COSO_QUNITDATE);
	assert_int_equal(admin_push(f, assign_unknown_unit).reason, COSO_QREF);
	assert_int_equal(count(f, COSO_T_ASSIGNMENT), assigns);
	o = admin_push(f, assign_within);
	assert_int_equal(o.verdict, COSO_VERDICT_ACCEPTED);
	assert_int_equal(count(f, COSO_T_ASSIGNMENT), assigns + 2);
	/* cb-a covers 180 in 2025: Đào Viên until 30/06/2025 only. */
	assert_int_equal(
	    visit(f, &f->a, "06043", 20250630).verdict, COSO_VERDICT_ACCEPTED);
	o = visit(f, &f->a, "06043", 20250701);
	assert_int_equal(o.verdict, COSO_VERDICT_QUARANTINED);
	assert_int_equal(o.reason, COSO_QUNITDATE);
	assert_int_equal(count(f, COSO_T_VISIT), 1);
}

static void
cadre_id_65(struct coso_body *b)
{
	cadre_op(b,
	    "c0000000000000000000000000000000000000000000000000000000"
	    "000000000");
}

static void
cadre_id_64(struct coso_body *b)
{
	cadre_op(b,
	    "c0000000000000000000000000000000000000000000000000000000"
	    "00000000");
}

static void
unit_code_65(struct coso_body *b)
{
	unit_op(b,
	    "u"
	    "0000000000000000000000000000000000000000000000000000000000000000",
	    "Xã Dài", 3, NULL);
}

static void
sector_code_65(struct coso_body *b)
{
	uint8_t row[16];
	const char *code = "s"
	                   "00000000000000000000000000000000000000000000000000"
	                   "00000000000000";

	coso_uuid_named(row, "sector", code);
	assert_int_equal(coso_body_op(b, COSO_T_SECTOR, row, COSO_UPSERT), 0);
	text(b, COSO_F_SECTOR_CODE, code);
	text(b, COSO_F_SECTOR_NAME, "Kinh tế");
}

/* A cadre id, a unit or sector code is at most COSO_ID_MAX (64) bytes:
 * longer is quarantined whole (every table and message holds 64), never
 * stored cut short. */
static void
test_id_limit(void **state)
{
	struct fx *f    = *state;
	uint64_t cadres = count(f, COSO_T_CADRE),
	         units  = count(f, COSO_T_UNIT);
	struct merge_out o;

	assert_int_equal(
	    strlen("c0000000000000000000000000000000000000000000000000000000"
	           "000000000"),
	    COSO_ID_MAX + 1);
	o = admin_push(f, cadre_id_65);
	assert_int_equal(o.verdict, COSO_VERDICT_QUARANTINED);
	assert_int_equal(o.reason, COSO_ESCHEMA);
	assert_int_equal(admin_push(f, unit_code_65).reason, COSO_ESCHEMA);
	assert_int_equal(admin_push(f, sector_code_65).reason, COSO_ESCHEMA);
	assert_int_equal(count(f, COSO_T_CADRE), cadres);
	assert_int_equal(count(f, COSO_T_UNIT), units);
	assert_int_equal(count(f, COSO_T_SECTOR), 0);
	o = admin_push(f, cadre_id_64);
	assert_int_equal(o.verdict, COSO_VERDICT_ACCEPTED);
	assert_int_equal(count(f, COSO_T_CADRE), cadres + 1);
}

/* A record's date must be a real day, from 2000-01-01 to two days after
 * the day the central received it; else it is quarantined, kept in the
 * log with its reason. */
static void
test_dates(void **state)
{
	static const int32_t bad[] = {99991231, 21000230, 21000229, 20250230,
	    20251300, 20251100, 19991231, 20251130, 20261127};
	struct fx *f               = *state;
	struct merge_out o;
	uint64_t n;
	size_t i;

	province(f); /* cb-b: 06100 from 2025-01-01, open-ended */
	n = log_size(f);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o = visit(f, &f->b, "06100", bad[i]);
		assert_int_equal(o.verdict, COSO_VERDICT_QUARANTINED);
		assert_int_equal(o.reason, COSO_ESCHEMA);
		assert_true(o.stored);
	}
	assert_int_equal(log_size(f), n + i);
	assert_int_equal(count(f, COSO_T_VISIT), 0);
	/* Received 27/11/2025: up to 29/11/2025. */
	assert_int_equal(
	    visit(f, &f->b, "06100", 20251129).verdict, COSO_VERDICT_ACCEPTED);
	f->now = T0 + UINT64_C(100) * 86400000 * 3; /* 23/08/2026 */
	assert_int_equal(
	    visit(f, &f->b, "06100", 20251130).verdict, COSO_VERDICT_ACCEPTED);
	/* Real days before the assignment: judged on it; before the unit
	 * existed (valid_from 2020-01-01), on that first. */
	assert_int_equal(
	    visit(f, &f->b, "06100", 20000101).reason, COSO_QUNITDATE);
	assert_int_equal(
	    visit(f, &f->b, "06100", 20240229).reason, COSO_QUNAUTH);
	assert_int_equal(count(f, COSO_T_VISIT), 2);
}

static void
test_append_only(void **state)
{
	struct fx *f        = *state;
	struct coso_body *b = body();
	struct merge_out o;
	uint8_t row[16];

	province(f);
	visit_op(b, row, "06043", 20251101);
	assert_int_equal(push(f, &f->a, b).verdict, COSO_VERDICT_ACCEPTED);
	/* The same row id again, with another date: refused as a change. */
	assert_int_equal(coso_body_op(b, COSO_T_VISIT, row, COSO_UPSERT), 0);
	text(b, COSO_F_VISIT_UNIT, "06043");
	assert_int_equal(
	    coso_body_int(b, COSO_F_VISIT_DATE, 20251102), COSO_OK);
	o = push(f, &f->a, b);
	assert_int_equal(o.verdict, COSO_VERDICT_QUARANTINED);
	assert_int_equal(o.reason, COSO_QIMMUT);
	assert_int_equal(count(f, COSO_T_VISIT), 1);
	coso_body_free(b);
}

static void
test_outcome_refs(void **state)
{
	struct fx *f        = *state;
	struct coso_body *b = body();
	uint8_t vrow[16], orow[16];
	struct merge_out o;

	province(f);
	visit_op(b, vrow, "06043", 20251101);
	coso_uuid7(orow, T0);
	assert_int_equal(
	    coso_body_op(b, COSO_T_OUTCOME, orow, COSO_UPSERT), COSO_OK);
	assert_int_equal(
	    coso_body_bytes(b, COSO_F_OUTCOME_VISIT, vrow, 16), COSO_OK);
	text(b, COSO_F_OUTCOME_TEXT, "600 m đường bê tông");
	assert_int_equal(push(f, &f->a, b).verdict, COSO_VERDICT_ACCEPTED);
	/* b may not attach an outcome to a's visit. */
	coso_uuid7(orow, T0);
	assert_int_equal(
	    coso_body_op(b, COSO_T_OUTCOME, orow, COSO_UPSERT), COSO_OK);
	assert_int_equal(
	    coso_body_bytes(b, COSO_F_OUTCOME_VISIT, vrow, 16), COSO_OK);
	text(b, COSO_F_OUTCOME_TEXT, "Khác");
	o = push(f, &f->b, b);
	assert_int_equal(o.reason, COSO_QREF);
	assert_int_equal(count(f, COSO_T_OUTCOME), 1);
	coso_body_free(b);
}

/* ---- corrections ---------------------------------------------------------
 */

/* An integer from the central's database, read as an auditor would. */
static int64_t
sql_int(struct fx *f, const char *sql)
{
	sqlite3 *db      = NULL;
	sqlite3_stmt *st = NULL;
	int64_t n        = -1;

	assert_int_equal(
	    sqlite3_open_v2(f->db, &db, SQLITE_OPEN_READONLY, NULL),
	    SQLITE_OK);
	assert_int_equal(
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW) {
		n = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

/* A visit by d on unit and date; amends, if not NULL, is the visit it
 * corrects.  row receives its id. */
static struct merge_out
visit_amending(struct fx *f, struct dev *d, const char *unit, int32_t date,
    const uint8_t *amends, uint8_t row[16])
{
	struct coso_body *b = body();
	struct merge_out o;

	visit_op(b, row, unit, date);
	if (amends != NULL) {
		assert_int_equal(
		    coso_body_bytes(b, COSO_F_VISIT_AMENDS, amends, 16),
		    COSO_OK);
	}
	o = push(f, d, b);
	coso_body_free(b);
	return o;
}

/* A report of 2025-Q4 by d on unit, correcting amends if not NULL. */
static struct merge_out
report_amending(struct fx *f, struct dev *d, const char *unit,
    const uint8_t *amends, uint8_t row[16])
{
	struct coso_body *b = body();
	struct merge_out o;
	uint32_t k;

	coso_uuid7(row, T0);
	assert_int_equal(coso_body_op(b, COSO_T_REPORT, row, COSO_UPSERT), 0);
	text(b, COSO_F_REPORT_UNIT, unit);
	text(b, COSO_F_REPORT_PERIOD, "2025-Q4");
	for (k = 3; k <= 6; k++) {
		text(b, k, "Kết quả, tình hình, khó khăn, kiến nghị");
	}
	if (amends != NULL) {
		assert_int_equal(
		    coso_body_bytes(b, COSO_F_REPORT_AMENDS, amends, 16),
		    COSO_OK);
	}
	assert_int_equal(
	    coso_body_int(b, COSO_F_REPORT_SUBMITTED, (int64_t) T0), COSO_OK);
	o = push(f, d, b);
	coso_body_free(b);
	return o;
}

/* S2: cb-a, assigned to district 180 only, sends visits in its own
 * commune "correcting" cb-b's three visits in district 181, and a report
 * "correcting" cb-b's report.  Each is quarantined with its reason,
 * kept in the log, and cb-b's records stand uncorrected. */
static void
test_amends_other_cadre(void **state)
{
	struct fx *f = *state;
	struct cstore_stats st;
	uint8_t bv[3][16], brep[16], row[16];
	struct merge_out o;
	uint64_t n;
	int i;

	province(f);
	for (i = 0; i < 3; i++) {
		o = visit_amending(
		    f, &f->b, "06100", 20251101 + i, NULL, bv[i]);
		assert_int_equal(o.verdict, COSO_VERDICT_ACCEPTED);
	}
	o = report_amending(f, &f->b, "06100", NULL, brep);
	assert_int_equal(o.verdict, COSO_VERDICT_ACCEPTED);
	n = log_size(f);
	for (i = 0; i < 3; i++) {
		o = visit_amending(f, &f->a, "06043", 20251110, bv[i], row);
		assert_int_equal(o.verdict, COSO_VERDICT_QUARANTINED);
		assert_int_equal(o.reason, COSO_QAMEND);
		assert_true(o.stored);
	}
	o = report_amending(f, &f->a, "06043", brep, row);
	assert_int_equal(o.verdict, COSO_VERDICT_QUARANTINED);
	assert_int_equal(o.reason, COSO_QAMEND);
	assert_int_equal(log_size(f), n + 4);
	/* cb-b's three visits and report are there, and nothing amends
	 * them. */
	assert_int_equal(count(f, COSO_T_VISIT), 3);
	assert_int_equal(count(f, COSO_T_REPORT), 1);
	assert_int_equal(
	    sql_int(f,
	        "SELECT count(*) FROM visits WHERE unit = '06100' "
	        "AND by_cadre = 'cb-b'"),
	    3);
	assert_int_equal(
	    sql_int(f,
	        "SELECT (SELECT count(*) FROM visits WHERE amends "
	        "IS NOT NULL) + (SELECT count(*) FROM reports "
	        "WHERE amends IS NOT NULL)"),
	    0);
	assert_int_equal(
	    sql_int(f, "SELECT count(*) FROM changesets WHERE reason = 70"),
	    4);
	assert_int_equal(cstore_stats_get(f->s, &st), COSO_OK);
	assert_int_equal(st.quarantined, 4);
	assert_int_equal(st.nreasons, 1);
	assert_int_equal(st.reasons[0].reason, COSO_QAMEND);
	assert_int_equal(st.reasons[0].n, 4);
	assert_string_equal(
	    merge_reason_name(COSO_QAMEND), "foreign_amendment");
}

/* A second device key of cadre cb-a. */
static void
second_key(struct fx *f, struct dev *d)
{
	struct merge_ctx m = {f->s, f->central.key};
	struct merge_out out;

	dev_init(d, 6);
	assert_int_equal(cstore_begin(f->s), COSO_OK);
	assert_int_equal(emit_device_key(&m, d->pk, "cb-a", CSTORE_ROLE_FIELD,
	                     NULL, T0, &out),
	    COSO_OK);
	assert_int_equal(cstore_commit(f->s), COSO_OK);
	assert_int_equal(out.verdict, COSO_VERDICT_ACCEPTED);
}

/* What a correction may name: a record of its own table, that exists,
 * of the same cadre (from any of its keys), on a unit the cadre covers
 * on that record's date. */
static void
test_amends_rules(void **state)
{
	struct fx *f        = *state;
	struct coso_body *b = body();
	uint8_t v1[16], v2[16], rep[16], row[16], unit[16], asg[16];
	struct dev a2;

	province(f);
	second_key(f, &a2);
	assert_int_equal(
	    visit_amending(f, &f->a, "06043", 20251101, NULL, v1).verdict,
	    COSO_VERDICT_ACCEPTED);
	/* Absent, or of another table: missing reference. */
	coso_uuid7(row, T0);
	assert_int_equal(
	    visit_amending(f, &f->a, "06043", 20251102, row, v2).reason,
	    COSO_QREF);
	coso_uuid_named(unit, "unit", "06043");
	assert_int_equal(
	    visit_amending(f, &f->a, "06043", 20251102, unit, v2).reason,
	    COSO_QREF);
	assert_int_equal(
	    report_amending(f, &f->a, "06043", v1, rep).reason, COSO_QREF);
	/* The same cadre from its new device, on a village of the commune. */
	assert_int_equal(
	    visit_amending(f, &a2, "06043-T1", 20251102, v1, v2).verdict,
	    COSO_VERDICT_ACCEPTED);
	assert_int_equal(
	    visit_amending(f, &f->a, "06043", 20251103, v2, row).verdict,
	    COSO_VERDICT_ACCEPTED);
	assert_int_equal(report_amending(f, &f->a, "06043", NULL, rep).verdict,
	    COSO_VERDICT_ACCEPTED);
	assert_int_equal(report_amending(f, &a2, "06043", rep, row).verdict,
	    COSO_VERDICT_ACCEPTED);
	/* cb-a also on 181, a visit there; then that assignment is deleted:
	 * a correction from 180 may not move what 181 holds. */
	coso_uuid7(asg, T0);
	assert_int_equal(
	    coso_body_op(b, COSO_T_ASSIGNMENT, asg, COSO_UPSERT), COSO_OK);
	text(b, COSO_F_ASSIGNMENT_CADRE_ID, "cb-a");
	text(b, COSO_F_ASSIGNMENT_UNIT, "181");
	assert_int_equal(coso_body_int(b, COSO_F_ASSIGNMENT_ROLE, 3), COSO_OK);
	assert_int_equal(
	    coso_body_int(b, COSO_F_ASSIGNMENT_VALID_FROM, 20250101), COSO_OK);
	assert_int_equal(push(f, &f->admin, b).verdict, COSO_VERDICT_ACCEPTED);
	assert_int_equal(
	    visit_amending(f, &f->a, "06100", 20251104, NULL, v1).verdict,
	    COSO_VERDICT_ACCEPTED);
	assert_int_equal(
	    coso_body_op(b, COSO_T_ASSIGNMENT, asg, COSO_DELETE), COSO_OK);
	assert_int_equal(push(f, &f->admin, b).verdict, COSO_VERDICT_ACCEPTED);
	assert_int_equal(
	    visit_amending(f, &f->a, "06043", 20251105, v1, row).reason,
	    COSO_QAMEND);
	assert_int_equal(count(f, COSO_T_VISIT), 4);
	assert_int_equal(count(f, COSO_T_REPORT), 2);
	coso_key_free(a2.key);
	coso_body_free(b);
}

static int conflicts(const char *path);

/* Two admins rename a unit; b's stamp is later. */
static void
rename_pair(struct fx *f, uint8_t **ca, size_t *la, uint8_t **cb, size_t *lb)
{
	struct coso_body *b = body();

	unit_op(b, "06043", "Xã Đào Viên (A)", 3, "180");
	*ca           = sign_next(&f->admin, b, la);
	f->admin2.hlc = f->admin.hlc + 5;
	unit_op(b, "06043", "Xã Đào Viên (B)", 3, "180");
	*cb = sign_next(&f->admin2, b, lb);
	coso_body_free(b);
}

static void
test_lww_both_orders(void **state)
{
	struct fx *f = *state, g;
	uint8_t *ca, *cb, d1[32], d2[32];
	size_t la, lb;
	struct cstore_val name = {0};
	uint8_t row[16];
	char path[128];

	/* A second central with the same keys and history. */
	g = *f;
	snprintf(path, sizeof(path), "%s/other.db", f->dir);
	fx_open(&g, path);
	rename_pair(f, &ca, &la, &cb, &lb);
	assert_int_equal(
	    merge_from(f, f->admin.id, ca, la).verdict, COSO_VERDICT_ACCEPTED);
	assert_int_equal(merge_from(f, f->admin2.id, cb, lb).verdict,
	    COSO_VERDICT_ACCEPTED);
	assert_int_equal(merge_from(&g, f->admin2.id, cb, lb).verdict,
	    COSO_VERDICT_ACCEPTED);
	assert_int_equal(merge_from(&g, f->admin.id, ca, la).verdict,
	    COSO_VERDICT_ACCEPTED);
	assert_int_equal(digest_compute(f->s, d1), COSO_OK);
	assert_int_equal(digest_compute(g.s, d2), COSO_OK);
	assert_memory_equal(d1, d2, 32);
	coso_uuid_named(row, "unit", "06043");
	assert_int_equal(
	    cstore_field_get(f->s, COSO_T_UNIT, row, 2, &name), COSO_OK);
	assert_string_equal((char *) name.p, "Xã Đào Viên (B)");
	cstore_val_clear(&name);
	/* The rename was a conflict, recorded whichever came first. */
	assert_int_equal(conflicts(f->db), 1);
	assert_int_equal(conflicts(path), 1);
	cstore_close(g.s);
	free(ca);
	free(cb);
}

static void
test_lww_delete(void **state)
{
	struct fx *f        = *state;
	struct coso_body *b = body();
	uint8_t row[16];

	province(f);
	coso_uuid_named(row, "unit", "06100");
	assert_int_equal(coso_body_op(b, COSO_T_UNIT, row, COSO_DELETE), 0);
	assert_int_equal(push(f, &f->admin, b).verdict, COSO_VERDICT_ACCEPTED);
	assert_int_equal(count(f, COSO_T_UNIT), 5);
	assert_int_equal(visit(f, &f->b, "06100", 20251101).reason, COSO_QREF);
	/* An older upsert (earlier stamp) does not bring it back. */
	f->admin2.hlc = (T0 << 16) - 100;
	unit_op(b, "06100", "Xã Hoa Thám", 3, "181");
	assert_int_equal(
	    push(f, &f->admin2, b).verdict, COSO_VERDICT_ACCEPTED);
	assert_int_equal(count(f, COSO_T_UNIT), 5);
	/* A newer one does. */
	unit_op(b, "06100", "Xã Hoa Thám", 3, "181");
	assert_int_equal(push(f, &f->admin, b).verdict, COSO_VERDICT_ACCEPTED);
	assert_int_equal(count(f, COSO_T_UNIT), 6);
	coso_body_free(b);
}

static void
test_revocation(void **state)
{
	struct fx *f        = *state;
	struct coso_body *b = body();
	struct merge_out o;
	struct cstore_stats st;
	uint8_t row[16];

	province(f);
	assert_int_equal(
	    visit(f, &f->a, "06043", 20251101).verdict, COSO_VERDICT_ACCEPTED);
	coso_uuid7(row, T0);
	assert_int_equal(
	    coso_body_op(b, COSO_T_REVOCATION, row, COSO_UPSERT), COSO_OK);
	assert_int_equal(
	    coso_body_bytes(b, COSO_F_REVOCATION_KEY_ID, f->a.id, 32),
	    COSO_OK);
	assert_int_equal(push(f, &f->admin, b).verdict, COSO_VERDICT_ACCEPTED);
	o = visit(f, &f->a, "06043", 20251102);
	assert_int_equal(o.verdict, COSO_VERDICT_QUARANTINED);
	assert_int_equal(o.reason, COSO_QREVOKED);
	assert_int_equal(count(f, COSO_T_VISIT), 1);
	assert_int_equal(cstore_stats_get(f->s, &st), COSO_OK);
	assert_int_equal(st.quarantined, 1);
	assert_int_equal(st.reasons[0].reason, COSO_QREVOKED);
	assert_string_equal(merge_reason_name(COSO_QREVOKED), "revoked");
	coso_body_free(b);
}

static void
nop_done(struct wjob *j, void *arg)
{
	(void) j;
	(void) arg;
}

/* An ENROLL through the writer's group commit. */
static struct wjob
enroll(struct fx *f, const struct dev *d, const uint8_t token[32],
    const char *cadre)
{
	struct wjob j = {.kind = WJOB_ENROLL,
	    .received_ms       = T0,
	    .cadre             = cadre,
	    .done              = nop_done};

	memcpy(j.token, token, 32);
	memcpy(j.sender_pk, d->pk, 32);
	writer_apply_group(f->s, f->central.key, &f->log, &j);
	return j;
}

static void
test_enroll(void **state)
{
	struct fx *f        = *state;
	struct coso_body *b = body();
	uint8_t token[32], hash[32], row[16];
	struct dev c, e;
	struct cstore_author a;
	struct wjob j;

	dev_init(&c, 7);
	dev_init(&e, 8);
	memset(token, 0x5a, 32);
	coso_sha256(hash, token, 32);
	coso_uuid7(row, T0);
	cadre_op(b, "cb-c");
	assert_int_equal(coso_body_op(b, COSO_T_TOKEN, row, COSO_UPSERT), 0);
	text(b, COSO_F_TOKEN_CADRE_ID, "cb-c");
	assert_int_equal(
	    coso_body_bytes(b, COSO_F_TOKEN_TOKEN_HASH, hash, 32), COSO_OK);
	assert_int_equal(
	    coso_body_int(b, COSO_F_TOKEN_EXPIRES, (int64_t) T0 + 1000),
	    COSO_OK);
	assert_int_equal(push(f, &f->admin, b).verdict, COSO_VERDICT_ACCEPTED);
	j = enroll(f, &c, token, "cb-x"); /* wrong cadre */
	assert_int_equal(j.error, 0);
	assert_int_equal(j.enroll_code, COSO_QTOKEN);
	j = enroll(f, &c, token, "cb-c");
	assert_int_equal(j.enroll_code, 0);
	assert_int_equal(j.already, 0);
	assert_int_equal(cstore_author_get(f->s, c.id, &a), COSO_OK);
	assert_string_equal(a.cadre_id, "cb-c");
	assert_int_equal(a.role, CSTORE_ROLE_FIELD);
	j = enroll(f, &c, token, "cb-c"); /* the reply was lost */
	assert_int_equal(j.enroll_code, 0);
	assert_int_equal(j.already, 1);
	j = enroll(f, &e, token, "cb-c"); /* another key, a used token */
	assert_int_equal(j.enroll_code, COSO_QTOKEN);
	assert_int_equal(cstore_author_get(f->s, e.id, &a), COSO_ENOENT);
	coso_key_free(c.key);
	coso_key_free(e.key);
	coso_body_free(b);
}

static void revoke_key(struct fx *f, const uint8_t id[32]);

/* An admin issues token (all bytes fill) for cadre. */
static void
token_issue(struct fx *f, uint8_t token[32], uint8_t fill, const char *cadre)
{
	struct coso_body *b = body();
	uint8_t hash[32], row[16];

	memset(token, fill, 32);
	coso_sha256(hash, token, 32);
	coso_uuid7(row, T0);
	cadre_op(b, cadre);
	assert_int_equal(coso_body_op(b, COSO_T_TOKEN, row, COSO_UPSERT), 0);
	text(b, COSO_F_TOKEN_CADRE_ID, cadre);
	assert_int_equal(
	    coso_body_bytes(b, COSO_F_TOKEN_TOKEN_HASH, hash, 32), COSO_OK);
	assert_int_equal(
	    coso_body_int(b, COSO_F_TOKEN_EXPIRES, (int64_t) T0 + 1000),
	    COSO_OK);
	assert_int_equal(push(f, &f->admin, b).verdict, COSO_VERDICT_ACCEPTED);
	coso_body_free(b);
}

/* A token is used once, by its own record, whatever happens to the key
 * that used it; an enrolled key keeps its cadre and role whatever it
 * sends. */
static void
test_token_once(void **state)
{
	struct fx *f = *state;
	uint8_t t1[32], t2[32], t3[32];
	char err[CSTORE_ERRMSG_MAX];
	struct dev c, e;
	struct cstore_author a;
	sqlite3 *db = NULL;
	uint64_t n;

	dev_init(&c, 7);
	dev_init(&e, 8);
	token_issue(f, t1, 0x51, "cb-c");
	token_issue(f, t2, 0x52, "cb-d");
	token_issue(f, t3, 0x53, "cb-c");
	assert_int_equal(enroll(f, &c, t1, "cb-c").enroll_code, 0);
	n = log_size(f);
	/* c, enrolled, with another cadre's token: refused, nothing
	 * written, and t2 is not spent. */
	assert_int_equal(enroll(f, &c, t2, "cb-d").enroll_code, COSO_QTOKEN);
	assert_int_equal(cstore_author_get(f->s, c.id, &a), COSO_OK);
	assert_string_equal(a.cadre_id, "cb-c");
	assert_int_equal(log_size(f), n);
	/* t1 stays used by c. */
	assert_int_equal(enroll(f, &e, t1, "cb-c").enroll_code, COSO_QTOKEN);
	assert_int_equal(cstore_author_get(f->s, e.id, &a), COSO_ENOENT);
	assert_int_equal(enroll(f, &e, t2, "cb-d").enroll_code, 0);
	assert_int_equal(cstore_author_get(f->s, e.id, &a), COSO_OK);
	assert_string_equal(a.cadre_id, "cb-d");
	/* The admin's key enrolling with a field token keeps its role. */
	n = log_size(f);
	assert_int_equal(
	    enroll(f, &f->admin, t3, "cb-c").enroll_code, COSO_QTOKEN);
	assert_int_equal(cstore_author_get(f->s, f->admin.id, &a), COSO_OK);
	assert_int_equal(a.role, CSTORE_ROLE_ADMIN);
	assert_string_equal(a.cadre_id, "admin");
	assert_int_equal(log_size(f), n);
	/* A revoked key cannot come back with a fresh token. */
	revoke_key(f, e.id);
	assert_int_not_equal(enroll(f, &e, t3, "cb-c").enroll_code, 0);
	assert_int_equal(cstore_author_get(f->s, e.id, &a), COSO_OK);
	assert_true(a.revoked >= 0);
	assert_string_equal(a.cadre_id, "cb-d");
	/* A database made before the record: the hashes its device_keys
	 * rows hold are taken as used at the next read-write open. */
	cstore_close(f->s);
	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(db, "DROP TABLE token_uses", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(cstore_open(&f->s, f->db, 0, err), COSO_OK);
	coso_key_free(e.key);
	dev_init(&e, 10);
	assert_int_equal(enroll(f, &e, t1, "cb-c").enroll_code, COSO_QTOKEN);
	assert_int_equal(enroll(f, &e, t3, "cb-c").enroll_code, 0);
	coso_key_free(c.key);
	coso_key_free(e.key);
}

/* A proposal's materialised status (not a schema field: SQL). */
static int
proposal_status(struct fx *f, const uint8_t row[16])
{
	sqlite3 *db      = NULL;
	sqlite3_stmt *st = NULL;
	int status       = -1;

	assert_int_equal(
	    sqlite3_open_v2(f->db, &db, SQLITE_OPEN_READONLY, NULL),
	    SQLITE_OK);
	assert_int_equal(
	    sqlite3_prepare_v2(db, "SELECT status FROM proposals WHERE id = ?",
	        -1, &st, NULL),
	    SQLITE_OK);
	sqlite3_bind_blob(st, 1, row, 16, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		status = sqlite3_column_int(st, 0);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return status;
}

/* Rows of the conflicts record of a database. */
static int
conflicts(const char *path)
{
	sqlite3 *db      = NULL;
	sqlite3_stmt *st = NULL;
	int n            = -1;

	assert_int_equal(
	    sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
	                     "SELECT count(*) FROM conflicts WHERE tbl = 1 "
	                     "AND field = 2",
	                     -1, &st, NULL),
	    SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW) {
		n = sqlite3_column_int(st, 0);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static void
test_response(void **state)
{
	struct fx *f        = *state;
	struct coso_body *b = body();
	uint8_t vrow[16], prow[16], rrow[16];

	province(f);
	visit_op(b, vrow, "06043", 20251101);
	coso_uuid7(prow, T0);
	assert_int_equal(
	    coso_body_op(b, COSO_T_PROPOSAL, prow, COSO_UPSERT), 0);
	assert_int_equal(
	    coso_body_bytes(b, COSO_F_PROPOSAL_SOURCE, vrow, 16), COSO_OK);
	text(b, COSO_F_PROPOSAL_UNIT, "06043");
	text(b, COSO_F_PROPOSAL_TEXT, "Hỗ trợ 20 tấn xi măng");
	assert_int_equal(
	    coso_body_int(b, COSO_F_PROPOSAL_DATE, 20251101), COSO_OK);
	assert_int_equal(push(f, &f->a, b).verdict, COSO_VERDICT_ACCEPTED);
	coso_uuid7(rrow, T0);
	assert_int_equal(
	    coso_body_op(b, COSO_T_RESPONSE, rrow, COSO_UPSERT), 0);
	assert_int_equal(
	    coso_body_bytes(b, COSO_F_RESPONSE_PROPOSAL, prow, 16), COSO_OK);
	assert_int_equal(coso_body_int(b, COSO_F_RESPONSE_STATUS, 2), COSO_OK);
	text(b, COSO_F_RESPONSE_TEXT, "Đã cấp");
	assert_int_equal(
	    coso_body_int(b, COSO_F_RESPONSE_DATE, 20251110), COSO_OK);
	assert_int_equal(push(f, &f->admin, b).verdict, COSO_VERDICT_ACCEPTED);
	assert_int_equal(proposal_status(f, prow), 2);
	assert_int_equal(count(f, COSO_T_RESPONSE), 1);
	/* A response to a proposal the central does not have. */
	coso_uuid7(rrow, T0);
	coso_uuid7(vrow, T0);
	assert_int_equal(
	    coso_body_op(b, COSO_T_RESPONSE, rrow, COSO_UPSERT), 0);
	assert_int_equal(
	    coso_body_bytes(b, COSO_F_RESPONSE_PROPOSAL, vrow, 16), COSO_OK);
	assert_int_equal(coso_body_int(b, COSO_F_RESPONSE_STATUS, 1), COSO_OK);
	text(b, COSO_F_RESPONSE_TEXT, "?");
	assert_int_equal(
	    coso_body_int(b, COSO_F_RESPONSE_DATE, 20251110), COSO_OK);
	assert_int_equal(push(f, &f->admin, b).reason, COSO_QREF);
	coso_body_free(b);
}

/* Everything above in one history, then a rebuild. */
static void
test_rebuild(void **state)
{
	uint64_t t1, t2;
	struct fx *f = *state;
	char err[CSTORE_ERRMSG_MAX], path[128];
	struct central_store *dst = NULL;
	struct dev clone;
	uint8_t d1[32], d2[32], *cs, *cs2;
	uint64_t n, bad;
	size_t len, len2;
	struct coso_body *b = body();
	uint8_t row[16];

	province(f);
	clone = f->a;
	assert_int_equal(
	    visit(f, &f->a, "06043", 20251101).verdict, COSO_VERDICT_ACCEPTED);
	assert_int_equal(
	    visit(f, &clone, "06043", 20251101).reason, COSO_QFORK);
	assert_int_equal(
	    visit(f, &f->a, "06100", 20251101).reason, COSO_QUNAUTH);
	visit_op(b, row, "06043", 20251102);
	cs = sign_next(&f->a, b, &len);
	cs[len - 1] ^= 1;
	assert_int_equal(merge_from(f, f->a.id, cs, len).reason, COSO_EBADSIG);
	/* The same bytes again, from anyone: the stored verdict. */
	assert_int_equal(
	    merge_from(f, f->b.id, cs, len).verdict, COSO_VERDICT_DUPLICATE);
	cs[len - 1] ^= 1;
	assert_int_equal(
	    merge_from(f, f->a.id, cs, len).verdict, COSO_VERDICT_ACCEPTED);
	free(cs);
	visit_op(b, row, "06043", 20251103);
	cs = sign_next(&f->a, b, &len);
	assert_int_equal(merge_from(f, f->b.id, cs, len).reason, COSO_QAUTHOR);
	assert_int_equal(
	    merge_from(f, f->a.id, cs, len).verdict, COSO_VERDICT_ACCEPTED);
	free(cs);
	rename_pair(f, &cs, &len, &cs2, &len2);
	assert_int_equal(merge_from(f, f->admin2.id, cs2, len2).verdict,
	    COSO_VERDICT_ACCEPTED);
	assert_int_equal(merge_from(f, f->admin.id, cs, len).verdict,
	    COSO_VERDICT_ACCEPTED);
	free(cs);
	free(cs2);
	assert_int_equal(
	    visit(f, &f->b, "06100", 20251101).verdict, COSO_VERDICT_ACCEPTED);

	snprintf(path, sizeof(path), "%s/rebuilt.db", f->dir);
	assert_int_equal(cstore_create(&dst, path, err), COSO_OK);
	assert_int_equal(rebuild_prepare(f->s, dst), COSO_OK);
	assert_int_equal(
	    rebuild_replay(f->s, dst, &f->log, &n, &bad), COSO_OK);
	assert_int_equal(bad, 0);
	assert_int_equal(n, log_size(f));
	assert_int_equal(digest_compute(f->s, d1), COSO_OK);
	assert_int_equal(digest_compute(dst, d2), COSO_OK);
	assert_memory_equal(d1, d2, 32);
	/* The same leaves, the same tree. */
	assert_int_equal(cstore_tree_head(f->s, &t1, d1), COSO_OK);
	assert_int_equal(cstore_tree_head(dst, &t2, d2), COSO_OK);
	assert_int_equal(t1, log_size(f));
	assert_int_equal(t1, t2);
	assert_memory_equal(d1, d2, 32);
	cstore_close(dst);
	coso_body_free(b);
}

/* ---- clocks ---------------------------------------------------------------
 */

static void push_group(struct fx *f, struct dev *d, uint8_t **cs, size_t *len,
    size_t n, struct merge_out *out);

#define DAY_MS    UINT64_C(86400000)
#define HLC_AT(m) ((uint64_t) (m) << 16)

/* d renames commune 06043 with its clock at hlc, received at ms. */
static struct merge_out
rename_at(
    struct fx *f, struct dev *d, const char *name, uint64_t hlc, uint64_t ms)
{
	struct coso_body *b = body();
	struct merge_out o;

	unit_op(b, "06043", name, 3, "180");
	d->hlc = hlc - 1; /* sign_next steps it */
	f->now = ms;
	o      = push(f, d, b);
	coso_body_free(b);
	return o;
}

/* The commune's name at the central and its stamp (the weight). */
static void
assert_name(struct fx *f, const char *want, uint64_t weight)
{
	struct cstore_val v = {0};
	struct cstore_stamp st;
	uint8_t row[16];

	coso_uuid_named(row, "unit", "06043");
	assert_int_equal(
	    cstore_field_get(f->s, COSO_T_UNIT, row, 2, &v), COSO_OK);
	assert_string_equal((char *) v.p, want);
	cstore_val_clear(&v);
	if (weight != 0) {
		assert_int_equal(
		    cstore_stamp_get(f->s, COSO_T_UNIT, row, 2, &st), COSO_OK);
		assert_int_equal(st.hlc, weight);
	}
}

/* A rebuild of f's log reaches f's state. */
static void
assert_rebuilds(struct fx *f)
{
	char err[CSTORE_ERRMSG_MAX], path[128];
	struct central_store *dst = NULL;
	uint8_t d1[32], d2[32];
	uint64_t n, bad;

	snprintf(path, sizeof(path), "%s/rebuilt-clock.db", f->dir);
	assert_int_equal(cstore_create(&dst, path, err), COSO_OK);
	assert_int_equal(rebuild_prepare(f->s, dst), COSO_OK);
	assert_int_equal(
	    rebuild_replay(f->s, dst, &f->log, &n, &bad), COSO_OK);
	assert_int_equal(bad, 0);
	assert_int_equal(digest_compute(f->s, d1), COSO_OK);
	assert_int_equal(digest_compute(dst, d2), COSO_OK);
	assert_memory_equal(d1, d2, 32);
	cstore_close(dst);
}

/* 400 days ahead: accepted and logged as signed, but weighed at its
 * received time, so a later edit on a right clock wins; within the
 * tolerance, a stamp weighs as signed. */
static void
test_clock_ahead(void **state)
{
	struct fx *f        = *state;
	struct coso_body *b = body();
	struct cstore_logrow r;
	struct merge_out o;
	uint8_t *cs;
	size_t len;

	province(f);
	unit_op(b, "06043", "Xã Đào Viên (tương lai)", 3, "180");
	f->admin2.hlc = HLC_AT(T0 + 400 * DAY_MS) - 1;
	cs            = sign_next(&f->admin2, b, &len);
	f->now        = T0 + 1000;
	o             = merge_from(f, f->admin2.id, cs, len);
	assert_int_equal(o.verdict, COSO_VERDICT_ACCEPTED);
	assert_int_equal(o.reason, 0);
	assert_int_equal(o.clamped, 1);
	assert_name(f, "Xã Đào Viên (tương lai)", HLC_AT(T0 + 1000));
	/* The log keeps the stamp as signed: it is evidence. */
	assert_int_equal(cstore_log_get(f->s, o.position, &r), COSO_OK);
	assert_int_equal(r.hlc, HLC_AT(T0 + 400 * DAY_MS));
	assert_int_equal(r.received_ms, T0 + 1000);
	free(r.bytes);
	/* A later edit on a right clock wins. */
	o = rename_at(f, &f->admin, "Xã Đào Viên (A sửa sau)",
	    HLC_AT(T0 + 2000), T0 + 3000);
	assert_int_equal(o.clamped, 0);
	assert_name(f, "Xã Đào Viên (A sửa sau)", HLC_AT(T0 + 2000));
	/* The same bytes again: the same verdict, clamped still. */
	f->now = T0 + 9000;
	o      = merge_from(f, f->admin2.id, cs, len);
	assert_int_equal(o.verdict, COSO_VERDICT_DUPLICATE);
	assert_int_equal(o.clamped, 1);
	free(cs);
	/* Ahead by the tolerance exactly: weighed as signed. */
	o = rename_at(f, &f->admin2, "Xã Đào Viên (B)",
	    HLC_AT(T0 + 4000 + COSO_CLOCK_TOLERANCE_MS) | 0xffff, T0 + 4000);
	assert_int_equal(o.clamped, 0);
	assert_name(f, "Xã Đào Viên (B)",
	    HLC_AT(T0 + 4000 + COSO_CLOCK_TOLERANCE_MS) | 0xffff);
	assert_false(
	    merge_clamped(HLC_AT(T0 + COSO_CLOCK_TOLERANCE_MS) | 0xffff, T0));
	assert_true(
	    merge_clamped(HLC_AT(T0 + COSO_CLOCK_TOLERANCE_MS + 1), T0));
	assert_rebuilds(f);
	coso_body_free(b);
}

/* An author's later change-set outweighs its earlier ones: two clamped
 * in one PUSH (one received time), then one signed after the device set
 * its clock back to the central's, below the weight of those. */
static void
test_clock_author_order(void **state)
{
	struct fx *f        = *state;
	struct coso_body *b = body();
	struct merge_out out[2];
	uint8_t *cs[2];
	size_t len[2];

	province(f);
	f->admin2.hlc = HLC_AT(T0 + 400 * DAY_MS);
	unit_op(b, "06043", "Xã Đào Viên (1)", 3, "180");
	cs[0] = sign_next(&f->admin2, b, &len[0]);
	unit_op(b, "06043", "Xã Đào Viên (2)", 3, "180");
	cs[1] = sign_next(&f->admin2, b, &len[1]);
	push_group(f, &f->admin2, cs, len, 2, out);
	assert_int_equal(out[0].clamped, 1);
	assert_int_equal(out[1].clamped, 1);
	assert_name(f, "Xã Đào Viên (2)", HLC_AT(T0 + 7) + 1);
	assert_int_equal(rename_at(f, &f->admin2, "Xã Đào Viên (3)",
	                     HLC_AT(T0 + 5), T0 + 10)
	                     .clamped,
	    0);
	assert_name(f, "Xã Đào Viên (3)", HLC_AT(T0 + 7) + 2);
	/* Another author's edit stamped after that wins as before. */
	rename_at(f, &f->admin, "Xã Đào Viên (A)", HLC_AT(T0 + 8), T0 + 11);
	assert_name(f, "Xã Đào Viên (A)", HLC_AT(T0 + 8));
	assert_rebuilds(f);
	free(cs[0]);
	free(cs[1]);
	coso_body_free(b);
}

/* ---- the audit log's tree -------------------------------------------------
 */

/* One PUSH of n change-sets from d through the writer's group commit. */
static void
push_group(struct fx *f, struct dev *d, uint8_t **cs, size_t *len, size_t n,
    struct merge_out *out)
{
	struct coso_msg_item items[4];
	uint8_t sig[4] = {0};
	struct wjob j  = {.kind = WJOB_PUSH,
	     .received_ms       = T0 + 7,
	     .n                 = n,
	     .items             = items,
	     .sig               = sig,
	     .out               = out,
	     .done              = nop_done};
	size_t i;

	memset(items, 0, sizeof(items));
	for (i = 0; i < n; i++) {
		items[i].cs     = cs[i];
		items[i].cs_len = len[i];
	}
	memcpy(j.sender_pk, d->pk, 32);
	writer_apply_group(f->s, f->central.key, &f->log, &j);
	assert_int_equal(j.error, 0);
}

/* MTH(D[lo:hi]) of RFC 9162 from the leaf hashes, by recursion. */
static void
mth(uint8_t (*leaf)[32], uint64_t lo, uint64_t hi, uint8_t out[32])
{
	uint8_t l[32], r[32];
	uint64_t k = 1;

	if (hi - lo == 0) {
		coso_sha256(out, (const uint8_t *) "", 0);
		return;
	}
	if (hi - lo == 1) {
		memcpy(out, leaf[lo], 32);
		return;
	}
	while (k * 2 < hi - lo) {
		k *= 2;
	}
	mth(leaf, lo, lo + k, l);
	mth(leaf, lo + k, hi, r);
	coso_node_hash(out, l, r);
}

/* The leaf hashes of every log entry, from its row. */
static uint8_t (*leaves_of(struct fx *f, uint64_t n))[32]
{
	uint8_t(*leaf)[32] = calloc(n + 1, 32);
	uint8_t data[COSO_LEAF_BYTES];
	struct cstore_logrow r;
	struct coso_leaf l;
	uint64_t i;

	assert_non_null(leaf);
	for (i = 0; i < n; i++) {
		assert_int_equal(cstore_log_get(f->s, i, &r), COSO_OK);
		free(r.bytes);
		memcpy(l.cs_id, r.id, 32);
		memcpy(l.author, r.author, 32);
		l.seq         = r.seq;
		l.received_ms = r.received_ms;
		l.verdict     = (uint8_t) r.verdict;
		coso_leaf_encode(data, &l);
		coso_leaf_hash(leaf[i], data, sizeof(data));
	}
	return leaf;
}

static void
test_tree(void **state)
{
	struct fx *f        = *state;
	struct coso_body *b = body();
	uint8_t *cs[3], row[16], root[32], want[32], (*leaf)[32];
	uint8_t proof[COSO_PROOF_MAX][32];
	size_t len[3], count, i;
	struct merge_out out[3];
	struct coso_checkpoint c;
	struct coso_tree_src src;
	struct cstore_stats st;
	uint64_t n, n0, size;
	char *note = NULL;

	n0 = log_size(f);
	province(f); /* not through the writer: no checkpoint for it */
	/* Group 1: accepted, quarantined (unassigned unit), accepted. */
	visit_op(b, row, "06043", 20251101);
	cs[0] = sign_next(&f->a, b, &len[0]);
	visit_op(b, row, "06100", 20251101);
	cs[1] = sign_next(&f->a, b, &len[1]);
	visit_op(b, row, "06043", 20251102);
	cs[2] = sign_next(&f->a, b, &len[2]);
	push_group(f, &f->a, cs, len, 3, out);
	assert_int_equal(out[0].verdict, COSO_VERDICT_ACCEPTED);
	assert_int_equal(out[1].verdict, COSO_VERDICT_QUARANTINED);
	assert_int_equal(out[2].verdict, COSO_VERDICT_ACCEPTED);
	assert_int_equal(log_size(f), n0 + 4);
	/* Group 2: duplicates only: no leaf, the same checkpoint. */
	push_group(f, &f->a, cs, len, 2, out);
	assert_int_equal(out[0].verdict, COSO_VERDICT_DUPLICATE);
	assert_int_equal(out[1].verdict, COSO_VERDICT_DUPLICATE);
	/* Group 3: a duplicate of group 1's last and a new one. */
	free(cs[0]);
	free(cs[1]);
	cs[0] = cs[2];
	visit_op(b, row, "06043", 20251103);
	cs[1]  = sign_next(&f->a, b, &len[1]);
	len[0] = len[2];
	push_group(f, &f->a, cs, len, 2, out);
	assert_int_equal(out[0].verdict, COSO_VERDICT_DUPLICATE);
	assert_int_equal(out[1].verdict, COSO_VERDICT_ACCEPTED);
	assert_int_equal(log_size(f), n0 + 5);
	free(cs[0]);
	free(cs[1]);
	coso_body_free(b);

	n = log_size(f);
	assert_int_equal(cstore_tree_head(f->s, &size, root), COSO_OK);
	assert_int_equal(size, n);
	leaf = leaves_of(f, n);
	mth(leaf, 0, n, want);
	assert_memory_equal(root, want, 32);
	assert_int_equal(cstore_stats_get(f->s, &st), COSO_OK);
	assert_int_equal(st.tree_size, n);
	assert_memory_equal(st.root, want, 32);

	/* The checkpoint of the last group names this tree. */
	assert_int_equal(
	    cstore_checkpoint_latest(f->s, &size, &note), COSO_OK);
	assert_int_equal(size, n);
	assert_int_equal(coso_checkpoint_verify(
	                     &c, note, strlen(note), "test", f->central.pk),
	    COSO_OK);
	assert_string_equal(c.origin, "test");
	assert_int_equal(c.size, n);
	assert_memory_equal(c.root, want, 32);

	/* Every leaf's inclusion proof from the stored subtrees. */
	cstore_tree_src(f->s, &src);
	for (i = 0; i < n; i++) {
		assert_int_equal(
		    coso_proof_inclusion(&src, i, n, proof, &count), COSO_OK);
		assert_int_equal(coso_verify_inclusion(
		                     leaf[i], i, n, proof[0], count, c.root),
		    COSO_OK);
	}
	/* Reopened: the frontier is loaded from the stored hashes. */
	cstore_close(f->s);
	{
		char err[CSTORE_ERRMSG_MAX];

		assert_int_equal(cstore_open(&f->s, f->db, 0, err), COSO_OK);
	}
	assert_int_equal(cstore_tree_head(f->s, &size, root), COSO_OK);
	assert_int_equal(size, n);
	assert_memory_equal(root, want, 32);
	free(leaf);
	free(note);
}

/* ---- what a sender may add to the log (the writer's admission) ----------
 */

#define DAY_MS UINT64_C(86400000)

/* One PUSH from sender through the writer, received at ms, with each
 * item's signature as the server found it (enum merge_sig). */
static void
push_job(struct fx *f, const struct dev *sender, uint8_t *const *cs,
    const size_t *len, const uint8_t *sig, size_t n, uint64_t ms,
    struct merge_out *out)
{
	struct coso_msg_item *items = calloc(n, sizeof(*items));
	struct wjob j               = {.kind = WJOB_PUSH,
	                  .received_ms       = ms,
	                  .n                 = n,
	                  .items             = items,
	                  .sig               = sig,
	                  .out               = out,
	                  .done              = nop_done};
	size_t i;

	assert_non_null(items);
	for (i = 0; i < n; i++) {
		items[i].cs     = cs[i];
		items[i].cs_len = len[i];
	}
	memcpy(j.sender_pk, sender->pk, 32);
	writer_apply_group(f->s, f->central.key, &f->log, &j);
	assert_int_equal(j.error, 0);
	free(items);
}

/* One change-set from sender, as push_job. */
static struct merge_out
push_one(struct fx *f, const struct dev *sender, uint8_t *cs, size_t len,
    enum merge_sig sig, uint64_t ms)
{
	struct merge_out o;
	uint8_t s = (uint8_t) sig;

	push_job(f, sender, &cs, &len, &s, 1, ms, &o);
	return o;
}

/* A signed visit of d's, d's chain advanced (not merged). */
static uint8_t *
visit_cs(struct dev *d, int32_t date, size_t *len)
{
	struct coso_body *b = body();
	uint8_t row[16], *cs;

	visit_op(b, row, "06043", date);
	cs = sign_next(d, b, len);
	coso_body_free(b);
	return cs;
}

/* A PUSH whose bodies the server's worker decoded: the writer applies
 * the ops it is given and takes the worker's decoding error as the
 * verdict's reason, without decoding again; a body left undecoded it
 * decodes itself. */
static void
test_predecoded(void **state)
{
	struct fx *f = *state;
	struct coso_msg_item items[3];
	struct coso_changeset cs;
	struct coso_ops *ops[3] = {NULL};
	struct merge_out out[3];
	struct cstore_author a;
	uint8_t *c[3], sig[3] = {MERGE_SIG_OK, MERGE_SIG_OK, MERGE_SIG_OK};
	uint8_t decoded[3] = {1, 1, 0};
	int err[3]         = {0, COSO_ENFC, 0};
	struct wjob j      = {.kind = WJOB_PUSH,
	         .received_ms       = T0 + 7,
	         .n                 = 3,
	         .items             = items,
	         .sig               = sig,
	         .decoded           = decoded,
	         .ops               = ops,
	         .ops_err           = err,
	         .out               = out,
	         .done              = nop_done};
	size_t i, len[3];
	uint64_t n;

	province(f);
	n = log_size(f);
	memset(items, 0, sizeof(items));
	for (i = 0; i < 3; i++) {
		c[i]        = visit_cs(&f->a, 20251101 + (int32_t) i, &len[i]);
		items[i].cs = c[i];
		items[i].cs_len = len[i];
	}
	assert_int_equal(coso_changeset_peek(&cs, c[0], len[0]), COSO_OK);
	assert_int_equal(
	    coso_ops_decode(&ops[0], cs.body, cs.body_len), COSO_OK);
	memcpy(j.sender_pk, f->a.pk, 32);
	writer_apply_group(f->s, f->central.key, &f->log, &j);
	assert_int_equal(j.error, 0);
	assert_int_equal(out[0].verdict, COSO_VERDICT_ACCEPTED);
	assert_int_equal(out[0].reason, 0);
	/* The worker's verdict on the body stands, and advances the chain. */
	assert_int_equal(out[1].verdict, COSO_VERDICT_QUARANTINED);
	assert_int_equal(out[1].reason, COSO_ENFC);
	assert_int_equal(out[2].verdict, COSO_VERDICT_ACCEPTED);
	assert_int_equal(log_size(f), n + 3);
	assert_int_equal(cstore_author_get(f->s, f->a.id, &a), COSO_OK);
	assert_int_equal(a.next_seq, 4);
	for (i = 0; i < 3; i++) {
		assert_true(out[i].has_receipt);
		assert_int_equal(out[i].position, n + i);
		free(c[i]);
	}
	coso_ops_free(ops[0]);
}

/* One change-set of d's in a job of its own, for a group of jobs. */
static void
job_of(struct wjob *j, struct coso_msg_item *it, uint8_t *sig,
    const struct dev *d, uint8_t *cs, size_t len, struct merge_out *out)
{
	memset(j, 0, sizeof(*j));
	memset(it, 0, sizeof(*it));
	it->cs         = cs;
	it->cs_len     = len;
	*sig           = MERGE_SIG_OK;
	j->kind        = WJOB_PUSH;
	j->received_ms = T0 + 7;
	j->n           = 1;
	j->items       = it;
	j->sig         = sig;
	j->out         = out;
	j->done        = nop_done;
	memcpy(j->sender_pk, d->pk, 32);
}

/* cb-a's assignment on 181 (role 3, from 2025), row asg. */
static void
assign_181(struct coso_body *b, const uint8_t asg[16])
{
	assert_int_equal(
	    coso_body_op(b, COSO_T_ASSIGNMENT, asg, COSO_UPSERT), COSO_OK);
	text(b, COSO_F_ASSIGNMENT_CADRE_ID, "cb-a");
	text(b, COSO_F_ASSIGNMENT_UNIT, "181");
	assert_int_equal(coso_body_int(b, COSO_F_ASSIGNMENT_ROLE, 3), COSO_OK);
	assert_int_equal(
	    coso_body_int(b, COSO_F_ASSIGNMENT_VALID_FROM, 20250101), COSO_OK);
}

#define GROUP 6

/* Whom an assignment covers is remembered within a group's transaction
 * (store_cover.c).  In one group: an assignment written, deleted, or
 * written and rolled back with its change-set changes the answer for
 * the change-sets after it, as the query would. */
static void
test_cover_in_group(void **state)
{
	struct fx *f        = *state;
	struct coso_body *b = body();
	struct coso_msg_item it[GROUP];
	struct merge_out out[GROUP];
	struct wjob j[GROUP];
	struct dev *from[GROUP];
	uint8_t *cs[GROUP], sig[GROUP], row[16], asg[16], asg2[16];
	size_t i, len[GROUP];

	province(f);
	coso_uuid7(asg, T0);
	coso_uuid7(asg2, T0);
	/* 0: cb-a on 181; 1: cb-a visits 06100 (under 181: remembered);
	 * 2: that assignment deleted; 3: cb-a visits 06100 again. */
	assign_181(b, asg);
	cs[0] = sign_next(&f->admin, b, &len[0]), from[0] = &f->admin;
	visit_op(b, row, "06100", 20251101);
	cs[1] = sign_next(&f->a, b, &len[1]), from[1] = &f->a;
	assert_int_equal(
	    coso_body_op(b, COSO_T_ASSIGNMENT, asg, COSO_DELETE), COSO_OK);
	cs[2] = sign_next(&f->admin, b, &len[2]), from[2] = &f->admin;
	visit_op(b, row, "06100", 20251102);
	cs[3] = sign_next(&f->a, b, &len[3]), from[3] = &f->a;
	/* 4: cb-a on 181 again, then a reference to a unit that does not
	 * exist: the change-set is quarantined whole (rolled back);
	 * 5: cb-a visits 06100: not covered. */
	assign_181(b, asg2);
	assign_op(b, "cb-a", "99999", 20250101, 0);
	cs[4] = sign_next(&f->admin, b, &len[4]), from[4] = &f->admin;
	visit_op(b, row, "06100", 20251103);
	cs[5] = sign_next(&f->a, b, &len[5]), from[5] = &f->a;
	for (i = 0; i < GROUP; i++) {
		job_of(
		    &j[i], &it[i], &sig[i], from[i], cs[i], len[i], &out[i]);
		j[i].next = i + 1 < GROUP ? &j[i + 1] : NULL;
	}
	writer_apply_group(f->s, f->central.key, &f->log, &j[0]);
	for (i = 0; i < GROUP; i++) {
		assert_int_equal(j[i].error, 0);
	}
	assert_int_equal(out[0].verdict, COSO_VERDICT_ACCEPTED);
	assert_int_equal(out[1].verdict, COSO_VERDICT_ACCEPTED);
	assert_int_equal(out[2].verdict, COSO_VERDICT_ACCEPTED);
	assert_int_equal(out[3].verdict, COSO_VERDICT_QUARANTINED);
	assert_int_equal(out[3].reason, COSO_QUNAUTH);
	assert_int_equal(out[4].verdict, COSO_VERDICT_QUARANTINED);
	assert_int_equal(out[4].reason, COSO_QREF);
	assert_int_equal(out[5].verdict, COSO_VERDICT_QUARANTINED);
	assert_int_equal(out[5].reason, COSO_QUNAUTH);
	/* A rebuild, one change-set per transaction, reaches the same. */
	assert_rebuilds(f);
	for (i = 0; i < GROUP; i++) {
		free(cs[i]);
	}
	coso_body_free(b);
}

static void
revoke_key(struct fx *f, const uint8_t id[32])
{
	struct coso_body *b = body();
	uint8_t row[16];

	coso_uuid7(row, T0);
	assert_int_equal(
	    coso_body_op(b, COSO_T_REVOCATION, row, COSO_UPSERT), COSO_OK);
	assert_int_equal(
	    coso_body_bytes(b, COSO_F_REVOCATION_KEY_ID, id, 32), COSO_OK);
	assert_int_equal(push(f, &f->admin, b).verdict, COSO_VERDICT_ACCEPTED);
	coso_body_free(b);
}

/* Only a registered key that is not revoked may push: anything else is
 * refused whole, with no log entry, whatever it carries. */
static void
test_sender_enrolled(void **state)
{
	struct fx *f = *state;
	struct dev stranger;
	struct cstore_author a;
	struct merge_out o;
	uint8_t *mine, *hers;
	size_t lm, lh;
	uint64_t n;

	province(f);
	dev_init(&stranger, 9);
	assert_int_equal(
	    visit(f, &f->a, "06043", 20251101).verdict, COSO_VERDICT_ACCEPTED);
	revoke_key(f, f->a.id);
	n    = log_size(f);
	mine = visit_cs(&f->a, 20251102, &lm);
	hers = visit_cs(&f->b, 20251102, &lh);
	o    = push_one(f, &f->a, mine, lm, MERGE_SIG_OK, T0);
	assert_int_equal(o.verdict, COSO_VERDICT_REFUSED);
	assert_int_equal(o.reason, COSO_QREVOKED);
	assert_false(o.stored);
	/* A relay from the revoked key: refused too. */
	o = push_one(f, &f->a, hers, lh, MERGE_SIG_OK, T0);
	assert_int_equal(o.verdict, COSO_VERDICT_REFUSED);
	assert_int_equal(o.reason, COSO_QREVOKED);
	/* A relay from a key nobody registered. */
	o = push_one(f, &stranger, hers, lh, MERGE_SIG_OK, T0);
	assert_int_equal(o.verdict, COSO_VERDICT_REFUSED);
	assert_int_equal(o.reason, COSO_QUNKNOWN);
	assert_int_equal(log_size(f), n);
	assert_int_equal(cstore_author_get(f->s, f->a.id, &a), COSO_OK);
	assert_int_equal(a.next_seq, 2);
	/* b itself still delivers its own. */
	o = push_one(f, &f->b, hers, lh, MERGE_SIG_OK, T0);
	assert_int_equal(o.reason, COSO_QUNAUTH); /* 06043 is not b's */
	assert_int_equal(log_size(f), n + 1);
	free(mine);
	free(hers);
	coso_key_free(stranger.key);
}

/* A relay (author != sender) enters the log only if its author is
 * registered and its signature verifies with the author's key. */
static void
test_relay_signed(void **state)
{
	struct fx *f = *state;
	struct merge_out o;
	struct cstore_author a;
	uint8_t *cs, *junk;
	size_t len;
	uint64_t n;

	province(f);
	n    = log_size(f);
	cs   = visit_cs(&f->a, 20251101, &len);
	junk = malloc(len);
	memcpy(junk, cs, len);
	memset(junk + 1, 0xee, 32); /* author: a key nobody registered */
	o = push_one(f, &f->b, junk, len, MERGE_SIG_UNCHECKED, T0);
	assert_int_equal(o.verdict, COSO_VERDICT_REFUSED);
	assert_int_equal(o.reason, COSO_QAUTHOR);
	memcpy(junk, cs, len);
	junk[len - 1] ^= 1; /* a's key, a bad signature */
	o = push_one(f, &f->b, junk, len, MERGE_SIG_UNCHECKED, T0);
	assert_int_equal(o.verdict, COSO_VERDICT_REFUSED);
	assert_int_equal(o.reason, COSO_QAUTHOR);
	/* What the server found is taken as found. */
	o = push_one(f, &f->b, cs, len, MERGE_SIG_BAD, T0);
	assert_int_equal(o.verdict, COSO_VERDICT_REFUSED);
	assert_int_equal(log_size(f), n);
	/* a's genuine change-set: kept as evidence, the chain untouched. */
	o = push_one(f, &f->b, cs, len, MERGE_SIG_UNCHECKED, T0);
	assert_int_equal(o.verdict, COSO_VERDICT_QUARANTINED);
	assert_int_equal(o.reason, COSO_QAUTHOR);
	assert_int_equal(log_size(f), n + 1);
	o = push_one(f, &f->b, cs, len, MERGE_SIG_OK, T0);
	assert_int_equal(o.verdict, COSO_VERDICT_DUPLICATE);
	assert_int_equal(cstore_author_get(f->s, f->a.id, &a), COSO_OK);
	assert_int_equal(a.next_seq, 1);
	o = push_one(f, &f->a, cs, len, MERGE_SIG_OK, T0);
	assert_int_equal(o.verdict, COSO_VERDICT_ACCEPTED);
	free(junk);
	free(cs);
}

#define RELAYS 70

/* Relays and change-sets with a bad signature share one budget per
 * sender and day; beyond it they are refused without an entry. */
static void
test_unsigned_budget(void **state)
{
	struct fx *f = *state;
	uint8_t *cs[RELAYS], sig[RELAYS], *own, *fork;
	size_t len[RELAYS], lo, lf, i, stored = 0;
	struct merge_out out[RELAYS], o;
	struct dev clone;
	uint64_t n;

	province(f);
	n = log_size(f);
	for (i = 0; i < RELAYS; i++) {
		cs[i]  = visit_cs(&f->a, 20251101, &len[i]);
		sig[i] = MERGE_SIG_OK;
	}
	push_job(f, &f->b, cs, len, sig, RELAYS, T0, out);
	for (i = 0; i < RELAYS; i++) {
		stored += out[i].stored;
		assert_int_equal(out[i].reason, COSO_QAUTHOR);
		assert_int_equal(out[i].verdict,
		    i < 64 ? COSO_VERDICT_QUARANTINED : COSO_VERDICT_REFUSED);
	}
	assert_int_equal(stored, 64);
	assert_int_equal(log_size(f), n + 64);
	/* A resend of a stored one is a duplicate, not a refusal. */
	assert_int_equal(
	    push_one(f, &f->b, cs[0], len[0], MERGE_SIG_OK, T0).verdict,
	    COSO_VERDICT_DUPLICATE);
	/* b's own change-set with a bad signature counts on the same budget;
	 * a's has a budget of its own. */
	own = visit_cs(&f->b, 20251101, &lo);
	own[lo - 1] ^= 1;
	o = push_one(f, &f->b, own, lo, MERGE_SIG_BAD, T0 + 1);
	assert_int_equal(o.verdict, COSO_VERDICT_REFUSED);
	assert_int_equal(o.reason, COSO_EBADSIG);
	free(own);
	clone     = f->a;
	clone.seq = 0;
	memset(clone.prev, 0, 32);
	own = visit_cs(&clone, 20251101, &lo);
	own[lo - 1] ^= 1;
	o = push_one(f, &f->a, own, lo, MERGE_SIG_BAD, T0 + 1);
	assert_int_equal(o.verdict, COSO_VERDICT_QUARANTINED);
	assert_int_equal(o.reason, COSO_EBADSIG);
	assert_int_equal(log_size(f), n + 65);
	/* The genuine seq 1, then an unsigned change-set off the chain: no
	 * entry (it proves no fork); a signed fork still gets one. */
	assert_int_equal(
	    push_one(f, &f->a, cs[0], len[0], MERGE_SIG_OK, T0).verdict,
	    COSO_VERDICT_ACCEPTED);
	o = push_one(f, &f->a, own, lo, MERGE_SIG_BAD, T0 + 2);
	assert_int_equal(o.verdict, COSO_VERDICT_DUPLICATE); /* stored */
	fork = visit_cs(&clone, 20251102, &lf); /* seq 2, wrong prev */
	fork[lf - 1] ^= 1;
	o = push_one(f, &f->a, fork, lf, MERGE_SIG_BAD, T0 + 2);
	assert_int_equal(o.verdict, COSO_VERDICT_REFUSED);
	assert_int_equal(o.reason, COSO_EBADSIG);
	fork[lf - 1] ^= 1;
	o = push_one(f, &f->a, fork, lf, MERGE_SIG_OK, T0 + 2);
	assert_int_equal(o.reason, COSO_QFORK);
	assert_int_equal(log_size(f), n + 67);
	/* A day later, b's budget is back. */
	o = push_one(f, &f->b, cs[RELAYS - 1], len[RELAYS - 1], MERGE_SIG_OK,
	    T0 + DAY_MS);
	assert_int_equal(o.verdict, COSO_VERDICT_QUARANTINED);
	assert_int_equal(o.reason, COSO_QAUTHOR);
	for (i = 0; i < RELAYS; i++) {
		free(cs[i]);
	}
	free(own);
	free(fork);
}

/* A console grant: row named after the cadre, fields as the admin device
 * writes them (unit, sector NULL for none). */
static void
console_op(struct coso_body *b, const char *row_cadre, const char *cadre,
    int role, const char *unit, const char *sector, int32_t to)
{
	uint8_t row[16];

	coso_uuid_named(row, "console_access", row_cadre);
	assert_int_equal(
	    coso_body_op(b, COSO_T_CONSOLE_ACCESS, row, COSO_UPSERT), 0);
	text(b, COSO_F_CONSOLE_ACCESS_CADRE_ID, cadre);
	assert_int_equal(
	    coso_body_int(b, COSO_F_CONSOLE_ACCESS_ROLE, role), COSO_OK);
	if (unit != NULL) {
		text(b, COSO_F_CONSOLE_ACCESS_UNIT, unit);
	}
	if (sector != NULL) {
		text(b, COSO_F_CONSOLE_ACCESS_SECTOR, sector);
	}
	assert_int_equal(
	    coso_body_int(b, COSO_F_CONSOLE_ACCESS_VALID_TO, to), COSO_OK);
}

static struct merge_out
console_push(struct fx *f, struct dev *d, const char *row_cadre,
    const char *cadre, int role, const char *unit, const char *sector,
    int32_t to)
{
	struct coso_body *b = body();
	struct merge_out o;

	console_op(b, row_cadre, cadre, role, unit, sector, to);
	o = push(f, d, b);
	coso_body_free(b);
	return o;
}

/* Console grants: only an admin key writes them; one row per cadre,
 * named after it; an office grant names no unit, a leader's exactly one
 * unit or sector, which must exist; valid_to a real day or 0. */
static void
test_console_access(void **state)
{
	struct fx *f = *state;
	struct merge_out o;

	province(f);
	o = console_push(f, &f->a, "cb-a", "cb-a", 2, NULL, NULL, 0);
	assert_int_equal(o.verdict, COSO_VERDICT_QUARANTINED);
	assert_int_equal(o.reason, COSO_QADMIN);
	assert_int_equal(
	    console_push(f, &f->admin, "cb-b", "cb-a", 2, NULL, NULL, 0)
	        .reason,
	    COSO_ESCHEMA); /* row named after another cadre */
	assert_int_equal(
	    console_push(f, &f->admin, "cb-a", "cb-a", 3, NULL, NULL, 0)
	        .reason,
	    COSO_ESCHEMA);
	assert_int_equal(
	    console_push(f, &f->admin, "cb-a", "cb-a", 2, "180", NULL, 0)
	        .reason,
	    COSO_ESCHEMA); /* office with a unit */
	assert_int_equal(
	    console_push(f, &f->admin, "cb-a", "cb-a", 1, NULL, NULL, 0)
	        .reason,
	    COSO_ESCHEMA); /* leader with neither */
	assert_int_equal(
	    console_push(f, &f->admin, "cb-a", "cb-a", 1, "180", "kt", 0)
	        .reason,
	    COSO_ESCHEMA); /* leader with both */
	assert_int_equal(console_push(f, &f->admin, "cb-a", "cb-a", 1, "180",
	                     NULL, 20250231)
	                     .reason,
	    COSO_ESCHEMA);
	assert_int_equal(
	    console_push(f, &f->admin, "cb-a", "cb-a", 1, "999", NULL, 0)
	        .reason,
	    COSO_QREF);
	assert_int_equal(
	    console_push(f, &f->admin, "nobody", "nobody", 2, NULL, NULL, 0)
	        .reason,
	    COSO_QREF);
	assert_int_equal(
	    console_push(f, &f->admin, "cb-a", "cb-a", 1, NULL, "kt", 0)
	        .reason,
	    COSO_QREF); /* no such sector */
	assert_int_equal(count(f, COSO_T_CONSOLE_ACCESS), 0);
	o = console_push(
	    f, &f->admin, "cb-a", "cb-a", 1, "180", NULL, 20261231);
	assert_int_equal(o.verdict, COSO_VERDICT_ACCEPTED);
	o = console_push(f, &f->admin, "cb-a", "cb-a", 2, NULL, NULL, 0);
	assert_int_equal(o.verdict, COSO_VERDICT_ACCEPTED);
	assert_int_equal(count(f, COSO_T_CONSOLE_ACCESS), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
	        test_accept_chain, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_duplicate, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_gap, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fork, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_bad_signature, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_author_not_sender, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_unknown_author, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_admin_table_from_field_key, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_unassigned_unit, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_assignment_dates, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_grace, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_admin_refs, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dates, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_id_limit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_append_only, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_outcome_refs, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_amends_other_cadre, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_amends_rules, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_lww_both_orders, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lww_delete, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_clock_ahead, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_clock_author_order, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_revocation, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_enroll, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_token_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_response, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rebuild, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tree, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_api_reads, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_sender_enrolled, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_predecoded, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_cover_in_group, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_relay_signed, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_unsigned_budget, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_console_access, setup, teardown),
	};

	if (sodium_init() < 0) {
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
