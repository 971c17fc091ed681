/*
 * test_sync.c: the device side of sync without a central: batches under
 * the message limit, a whole round against an in-process fake central
 * (sealed frames, signed receipts, a Merkle log with a signed checkpoint
 * and an inclusion proof per receipt, a central that lost data), applying
 * a hand-built PULL_REP, the cursor advancing only with the rows it
 * brought; receipts, checkpoints and proofs that do not verify refused
 * with nothing stored, and every stored one re-checked offline; pulled
 * change-sets that do not verify under their author's key refused with
 * nothing of them stored.
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

static const char units_csv[] = "code,name,level,parent_code,valid_from\n"
                                "20,Tỉnh Lạng Sơn,province,,2020-01-01\n"
                                "180,Huyện Tràng Định,district,20,2020-01-01\n"
                                "06043,Xã Đào Viên,commune,180,2020-01-01\n";

/* RFC 8032 test 2's seed: the admin of FORMAT.md's vectors. */
static const uint8_t admin_seed[32]
    = {0x4c, 0xcd, 0x08, 0x9b, 0x28, 0xff, 0x96, 0xda, 0x9d, 0xb6, 0xc3, 0x46,
        0xec, 0x11, 0x4e, 0x0f, 0x5b, 0x8a, 0x31, 0x9f, 0x35, 0xab, 0xa6, 0x24,
        0xda, 0x8c, 0xf6, 0xed, 0x4f, 0xb8, 0xa6, 0xfb};

#define ORIGIN "fake.example/central"

/* What the fake central does wrong in its next PUSH replies. */
enum tamper {
	T_NONE = 0,
	T_PROOF,     /* a byte of the first proof flipped */
	T_NOTE_SIG,  /* a byte of the checkpoint's signature flipped */
	T_NOTE_KEY,  /* the checkpoint signed by another key */
	T_NOTE_SIZE, /* the checkpoint of one leaf fewer */
	/* … and in its PULL replies: */
	T_PULL_BODY,  /* a byte of the admin's change-set changed */
	T_PULL_KEY,   /* another key given for the admin */
	T_PULL_NOKEY, /* no key given for the admin */
};

/* One entry of the fake central's log. */
struct fleaf {
	uint8_t id[32];
	uint64_t seq, ms;
	uint8_t verdict;
	uint8_t hash[32];
};

/* The fake central: what it holds of the device's chain and its log. */
struct fake {
	struct coso_key *key;
	uint8_t pk[32];
	uint64_t next_seq;    /* the device's next seq it expects */
	uint64_t status_next; /* what STATUS claims instead, if not 0 */
	uint64_t leaf;
	uint64_t pushes;  /* PUSH requests seen */
	size_t max_items; /* largest batch seen */
	size_t max_frame; /* largest request frame seen */
	uint8_t *pull_cs; /* one change-set to hand out at cursor 0 */
	size_t pull_len;
	uint8_t pull_pk[32];   /* its author's key, the admin's */
	uint8_t *pull_altered; /* pull_cs with "Gia" changed to "Kia" */
	const uint8_t *own_cs; /* the device's own, handed back too */
	size_t own_len;
	int consistency;   /* PROOF requests answered */
	int old;           /* answers PROOF as a central older than it */
	int old_after;     /* ... after this many proofs (0: never) */
	struct fleaf *log; /* every change-set stored, in order */
	size_t nlog;
	uint64_t ms;            /* received_ms of the next entry */
	enum tamper tamper;     /* in every PUSH reply while set */
	struct coso_key *other; /* not the pinned key */
	uint8_t other_pk[32];
	char *note;                 /* the last checkpoint sent */
	uint8_t *proofs;            /* the last reply's proofs */
	uint64_t clamp_seq;         /* accepted, but told COSO_ECLOCK */
	uint64_t seen_ms, seen_hlc; /* the last STATUS's device clock */
	int unenrolled;             /* STATUS says the key is not enrolled */
	uint64_t enrolls;           /* ENROLL requests seen */
};

struct fx {
	char dir[64];
	struct coso_store *s;
	struct fake c;
	struct cosoi_net net;
	uint8_t proposal[16]; /* of the one visit recorded */
};

/* MTH of log entries [start, start + size), straight from RFC 9162. */
static void
fake_mth(const struct fake *c, uint64_t start, uint64_t size, uint8_t out[32])
{
	uint8_t l[32], r[32];
	uint64_t k = 1;

	if (size == 1) {
		memcpy(out, c->log[start].hash, 32);
		return;
	}
	while (k < size - k) {
		k <<= 1;
	}
	fake_mth(c, start, k, l);
	fake_mth(c, start + k, size - k, r);
	coso_node_hash(out, l, r);
}

static int
fake_subtree(void *arg, uint64_t start, uint64_t size, uint8_t out[32])
{
	fake_mth(arg, start, size, out);
	return COSO_OK;
}

/* The log entry for a change-set: the one stored, or a new one. */
static uint64_t
fake_entry(struct fake *c, const struct coso_changeset *cs,
    const uint8_t id[32], uint8_t verdict, int fresh)
{
	struct coso_leaf l = {.seq = cs->seq, .verdict = verdict};
	uint8_t data[COSO_LEAF_BYTES];
	struct fleaf *e;
	size_t i;

	for (i = 0; !fresh && i < c->nlog; i++) {
		if (memcmp(c->log[i].id, id, 32) == 0) {
			return i;
		}
	}
	c->log = realloc(c->log, (c->nlog + 1) * sizeof(*c->log));
	assert_non_null(c->log);
	e = &c->log[c->nlog];
	memcpy(e->id, id, 32);
	e->seq     = cs->seq;
	e->ms      = c->ms++;
	e->verdict = verdict;
	memcpy(l.cs_id, id, 32);
	memcpy(l.author, cs->author, 32);
	l.received_ms = e->ms;
	coso_leaf_encode(data, &l);
	coso_leaf_hash(e->hash, data, sizeof(data));
	return c->nlog++;
}

/* A verdict and its signed receipt for one pushed change-set. */
static void
fake_verdict(struct fake *c, struct coso_msg_item *it, uint8_t *receipt,
    uint64_t quarantine_seq)
{
	struct coso_changeset cs;
	struct coso_receipt r = {{0}, 0, 0, 0};
	uint64_t at;

	assert_int_equal(coso_changeset_peek(&cs, it->cs, it->cs_len), 0);
	coso_changeset_id(it->id, it->cs, it->cs_len);
	if (cs.seq > c->next_seq) {
		it->status       = COSO_VERDICT_GAP;
		it->expected_seq = c->next_seq;
		return;
	}
	it->status = cs.seq < c->next_seq ? COSO_VERDICT_DUPLICATE
	                                  : COSO_VERDICT_ACCEPTED;
	if (cs.seq == quarantine_seq && cs.seq == c->next_seq) {
		it->status = COSO_VERDICT_QUARANTINED;
		it->reason = COSO_QUNAUTH;
	} else if (cs.seq == c->clamp_seq) {
		it->reason = COSO_ECLOCK;
	}
	at = fake_entry(c, &cs, it->id,
	    it->status == COSO_VERDICT_DUPLICATE ? COSO_VERDICT_ACCEPTED
	                                         : it->status,
	    cs.seq == c->next_seq);
	c->next_seq += cs.seq == c->next_seq;
	memcpy(r.cs_id, it->id, 32);
	r.leaf_index  = at;
	r.received_ms = c->log[at].ms;
	r.verdict     = c->log[at].verdict;
	assert_int_equal(coso_receipt_sign(receipt, c->key, &r), 0);
	it->receipt     = receipt;
	it->receipt_len = COSO_RECEIPT_BYTES;
	it->cs          = NULL;
	it->cs_len      = 0;
}

/* k entries of other devices in the fake central's log. */
static void
fake_foreign(struct fake *c, size_t k)
{
	c->log = realloc(c->log, (c->nlog + k) * sizeof(*c->log));
	assert_non_null(c->log);
	for (; k > 0; k--, c->nlog++) {
		randombytes_buf(&c->log[c->nlog], sizeof(c->log[c->nlog]));
	}
}

/* The reply's checkpoint of the whole log, as c->tamper has it. */
static void
fake_note(struct fake *c, struct coso_msg *rep)
{
	struct coso_tree_src src = {fake_subtree, c};
	uint64_t n               = c->nlog - (c->tamper == T_NOTE_SIZE);
	uint8_t root[32];
	size_t len;

	free(c->note);
	c->note = NULL;
	assert_int_equal(coso_tree_root(&src, n, root), 0);
	assert_int_equal(coso_checkpoint_sign(&c->note,
	                     c->tamper == T_NOTE_KEY ? c->other : c->key,
	                     ORIGIN, ORIGIN, n, root),
	    0);
	len = strlen(c->note);
	if (c->tamper == T_NOTE_SIG) {
		c->note[len - 10] = c->note[len - 10] == 'A' ? 'B' : 'A';
	}
	rep->checkpoint     = c->note;
	rep->checkpoint_len = len;
}

/* Each receipt's inclusion proof in the log as it is now. */
static void
fake_proofs(struct fake *c, struct coso_msg *rep)
{
	struct coso_tree_src src = {fake_subtree, c};
	uint8_t proof[COSO_PROOF_MAX][32];
	size_t i, count, with = 0;

	free(c->proofs);
	c->proofs = calloc(rep->nitems + 1, sizeof(proof));
	assert_non_null(c->proofs);
	for (i = 0; i < rep->nitems; i++) {
		struct coso_msg_item *it = &rep->items[i];
		uint8_t *p               = c->proofs + i * sizeof(proof);
		struct coso_receipt r;

		if (it->receipt == NULL) {
			continue;
		}
		assert_int_equal(coso_receipt_verify(
		                     &r, it->receipt, it->receipt_len, c->pk),
		    0);
		assert_int_equal(coso_proof_inclusion(&src, r.leaf_index,
		                     c->nlog, proof, &count),
		    0);
		memcpy(p, proof, count * 32);
		it->proof  = count > 0 ? p : NULL;
		it->nproof = count;
		with++;
	}
	if (c->tamper == T_PROOF && rep->nitems > 0
	    && rep->items[0].nproof > 0) {
		c->proofs[5] ^= 1;
	}
	if (with > 0) { /* a checkpoint only beside receipts */
		fake_note(c, rep);
	}
}

/* The reply to one decoded request, into rep (items malloc'd). */
static void
fake_answer(struct fake *c, const struct coso_msg *q, struct coso_msg *rep,
    uint8_t (*receipts)[COSO_RECEIPT_BYTES])
{
	size_t i;

	rep->request_id = q->request_id;
	rep->type       = (uint8_t) (q->type + 1);
	if (q->type == COSO_MSG_STATUS) {
		c->seen_ms      = q->device_ms;
		c->seen_hlc     = q->hlc;
		rep->central_ms = coso_wall_ms() + 5000;
		rep->enrolled   = !c->unenrolled;
		rep->next_seq = c->status_next ? c->status_next : c->next_seq;
		rep->max_message = 64 * 1024;
	} else if (q->type == COSO_MSG_PUSH) {
		c->pushes++;
		c->max_items
		    = q->nitems > c->max_items ? q->nitems : c->max_items;
		rep->nitems = q->nitems;
		rep->items  = calloc(q->nitems, sizeof(*rep->items));
		for (i = 0; i < q->nitems; i++) {
			rep->items[i] = q->items[i];
			fake_verdict(c, &rep->items[i], receipts[i], 2);
		}
		fake_proofs(c, rep);
	} else if (q->type == COSO_MSG_PROOF
	    && (c->old || (c->old_after && c->consistency >= c->old_after))) {
		/* What a central older than PROOF answers: the type does not
		 * decode. */
		rep->type = COSO_MSG_ERROR;
		rep->code = COSO_ESCHEMA;
		snprintf(rep->text, sizeof(rep->text), "%s",
		    coso_strerror(COSO_ESCHEMA));
	} else if (q->type == COSO_MSG_PROOF) {
		struct coso_tree_src src = {fake_subtree, c};
		static uint8_t hashes[COSO_PROOF_MAX][32];

		c->consistency++;
		rep->from_size = q->from_size;
		rep->to_size   = q->to_size;
		assert_int_equal(coso_proof_consistency(&src, q->from_size,
		                     q->to_size, hashes, &rep->nproof),
		    0);
		rep->proof = hashes[0];
	} else if (q->type == COSO_MSG_PULL && q->cursor == 0) {
		rep->cursor = 7;
		rep->keys = c->tamper == T_PULL_KEY ? c->other_pk : c->pull_pk;
		rep->nkeys  = c->tamper != T_PULL_NOKEY;
		rep->nitems = 2;
		rep->items  = calloc(2, sizeof(*rep->items));
		rep->items[0].cs
		    = c->tamper == T_PULL_BODY ? c->pull_altered : c->pull_cs;
		rep->items[0].cs_len   = c->pull_len;
		rep->items[0].position = 6;
		rep->items[0].status   = COSO_VERDICT_ACCEPTED;
		snprintf(rep->items[0].cadre_id, 8, "admin");
		rep->items[1].cs       = c->own_cs;
		rep->items[1].cs_len   = c->own_len;
		rep->items[1].position = 7;
		rep->items[1].status   = COSO_VERDICT_ACCEPTED;
		snprintf(rep->items[1].cadre_id, 8, "cb-001");
	} else if (q->type == COSO_MSG_PULL) {
		rep->cursor = q->cursor;
	} else if (q->type == COSO_MSG_ENROLL) {
		c->enrolls++;
		rep->code = COSO_QTOKEN;
	}
}

/* struct cosoi_net's call: opens the frame as the central would. */
static int
fake_call(void *conn, const uint8_t *req, size_t len, uint8_t **out,
    size_t *out_len, char err[static COSOI_NET_ERR_MAX])
{
	static uint8_t receipts[COSO_WIRE_ITEMS_MAX][COSO_RECEIPT_BYTES];
	struct fake *c       = conn;
	struct coso_box *box = NULL;
	struct coso_msg *q = NULL, rep = {0};
	enum coso_wire_kind kind;
	uint8_t sender[32], *plain = NULL, *rplain = NULL;
	size_t plen = 0, rlen = 0;

	(void) err;
	c->max_frame = len > c->max_frame ? len : c->max_frame;
	assert_int_equal(coso_wire_peek(req, len, &kind, sender), 0);
	assert_int_equal(kind, COSO_WIRE_REQUEST);
	assert_int_equal(coso_box_new(&box, c->key, sender), 0);
	assert_int_equal(
	    coso_wire_open(&plain, &plen, box, req, len, COSO_WIRE_MAX_LIMIT),
	    0);
	assert_int_equal(coso_msg_decode(&q, plain, plen), 0);
	fake_answer(c, q, &rep, receipts);
	assert_int_equal(
	    coso_msg_encode(&rep, &rplain, &rlen, COSO_WIRE_MAX_LIMIT), 0);
	assert_int_equal(coso_wire_seal(out, out_len, box, c->pk,
	                     COSO_WIRE_REPLY, rplain, rlen),
	    0);
	free(rep.items);
	free(rplain);
	coso_msg_free(q);
	free(plain);
	coso_box_free(box);
	return COSO_OK;
}

/* A change-set by the admin: a new unit, an assignment, a response to
 * the device's proposal, and another cadre's visit on the device's area. */
static void
admin_changeset(struct fx *f)
{
	struct coso_body *b = NULL;
	struct coso_key *k  = NULL;
	uint8_t row[16], prev[32] = {0}, *body = NULL;
	size_t blen = 0, i;

	assert_int_equal(coso_key_from_seed(&k, admin_seed), 0);
	assert_int_equal(coso_body_new(&b), 0);
	coso_uuid_named(row, "unit", "06160");
	assert_int_equal(coso_body_op(b, COSO_T_UNIT, row, COSO_UPSERT), 0);
	assert_int_equal(coso_body_text(b, COSO_F_UNIT_CODE, "06160", 5), 0);
	assert_int_equal(coso_body_text(b, COSO_F_UNIT_NAME, "Xã Gia Miễn",
	                     strlen("Xã Gia Miễn")),
	    0);
	assert_int_equal(coso_body_int(b, COSO_F_UNIT_LEVEL, 3), 0);
	assert_int_equal(
	    coso_body_int(b, COSO_F_UNIT_VALID_FROM, 20200101), 0);
	coso_uuid7(row, coso_wall_ms());
	assert_int_equal(
	    coso_body_op(b, COSO_T_ASSIGNMENT, row, COSO_UPSERT), 0);
	assert_int_equal(
	    coso_body_text(b, COSO_F_ASSIGNMENT_CADRE_ID, "cb-001", 6), 0);
	assert_int_equal(
	    coso_body_text(b, COSO_F_ASSIGNMENT_UNIT, "06160", 5), 0);
	assert_int_equal(coso_body_int(b, COSO_F_ASSIGNMENT_ROLE, 1), 0);
	assert_int_equal(
	    coso_body_int(b, COSO_F_ASSIGNMENT_VALID_FROM, 20250701), 0);
	coso_uuid7(row, coso_wall_ms());
	assert_int_equal(
	    coso_body_op(b, COSO_T_RESPONSE, row, COSO_UPSERT), 0);
	assert_int_equal(
	    coso_body_bytes(b, COSO_F_RESPONSE_PROPOSAL, f->proposal, 16), 0);
	assert_int_equal(coso_body_int(b, COSO_F_RESPONSE_STATUS, 1), 0);
	assert_int_equal(coso_body_text(b, COSO_F_RESPONSE_TEXT,
	                     "Đã bố trí vốn", strlen("Đã bố trí vốn")),
	    0);
	assert_int_equal(coso_body_int(b, COSO_F_RESPONSE_DATE, 20251201), 0);
	coso_uuid7(row, coso_wall_ms());
	assert_int_equal(coso_body_op(b, COSO_T_VISIT, row, COSO_UPSERT), 0);
	assert_int_equal(coso_body_text(b, COSO_F_VISIT_UNIT, "06043", 5), 0);
	assert_int_equal(coso_body_int(b, COSO_F_VISIT_DATE, 20240305), 0);
	assert_int_equal(coso_body_encode(b, &body, &blen), 0);
	assert_int_equal(coso_changeset_sign(&f->c.pull_cs, &f->c.pull_len, k,
	                     1, prev, coso_wall_ms() << 16, body, blen),
	    0);
	coso_key_public(k, f->c.pull_pk);
	f->c.pull_altered = malloc(f->c.pull_len);
	assert_non_null(f->c.pull_altered);
	memcpy(f->c.pull_altered, f->c.pull_cs, f->c.pull_len);
	/* Still a well-formed body: only the signature can tell. */
	for (i = 0; i + 3 <= f->c.pull_len
	     && memcmp(f->c.pull_altered + i, "Gia", 3) != 0;
	     i++) { }
	assert_true(i + 3 <= f->c.pull_len);
	f->c.pull_altered[i] = 'K';
	free(body);
	coso_body_free(b);
	coso_key_free(k);
}

/* n visits with about 3 KB of text each; the first has a proposal. */
static void
visits(struct fx *f, int n)
{
	const char *props[] = {"Làm cầu treo"};
	char text[3001];
	uint8_t rnd[1500], id[16];
	struct coso_visit_in v = {.unit = "06043", .date = 20251120};
	int i;

	for (i = 0; i < n; i++) {
		randombytes_buf(rnd, sizeof(rnd));
		sodium_bin2hex(text, sizeof(text), rnd, sizeof(rnd));
		v.purpose    = text;
		v.proposals  = i == 0 ? props : NULL;
		v.nproposals = i == 0;
		assert_int_equal(coso_visit_add(f->s, &v, id), 0);
	}
}

static int
setup(void **state)
{
	struct coso_init p = {.cadre_id = "cb-001", .name = "Nguyễn Văn An"};
	char err[COSO_ERRMSG_MAX], *pub = NULL;
	struct fx *f     = calloc(1, sizeof(*f));
	sqlite3_stmt *st = NULL;
	size_t n;

	assert_non_null(f);
	assert_int_equal(coso_key_generate(&f->c.key), 0);
	assert_int_equal(coso_key_generate(&f->c.other), 0);
	f->c.ms = 1700000000000ull;
	coso_key_public(f->c.key, f->c.pk);
	coso_key_public(f->c.other, f->c.other_pk);
	assert_int_equal(coso_pubkey_format(&pub, f->c.pk), 0);
	p.central_url = "tcp://127.0.0.1:1";
	p.central_key = pub;
	f->c.next_seq = 1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/coso-sync-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	assert_int_equal(coso_store_init(f->dir, &p, NULL, err), 0);
	free(pub);
	assert_int_equal(coso_store_open(&f->s, f->dir, NULL, 0, err), 0);
	assert_int_equal(
	    coso_units_import(f->s, units_csv, sizeof(units_csv) - 1, &n), 0);
	visits(f, 1);
	assert_int_equal(sqlite3_prepare_v2(f->s->db,
	                     "SELECT p.id, o.bytes FROM proposals p, outbox o "
	                     "WHERE o.seq = 1",
	                     -1, &st, NULL),
	    0);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	memcpy(f->proposal, sqlite3_column_blob(st, 0), 16);
	f->c.own_len = (size_t) sqlite3_column_bytes(st, 1);
	f->c.own_cs  = malloc(f->c.own_len);
	memcpy((void *) f->c.own_cs, sqlite3_column_blob(st, 1), f->c.own_len);
	sqlite3_finalize(st);
	admin_changeset(f);
	f->net = (struct cosoi_net) {fake_call, NULL, NULL, &f->c};
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[256];

	coso_store_close(f->s);
	coso_key_free(f->c.key);
	coso_key_free(f->c.other);
	free(f->c.log);
	free(f->c.note);
	free(f->c.proofs);
	free(f->c.pull_cs);
	free(f->c.pull_altered);
	free((void *) f->c.own_cs);
	/* and the copy test_pull_own_chain makes */
	snprintf(cmd, sizeof(cmd), "rm -rf %s %s-copy", f->dir, f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* An integer from the store. */
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

/* The largest reply a batch of n can get fits a frame of max bytes: the
 * longest checkpoint note, and per item a receipt and the longest proof. */
static void
reply_fits(struct coso_msg_item *it, size_t n, size_t max)
{
	static uint8_t receipt[COSO_RECEIPT_BYTES];
	static uint8_t proof[COSO_PROOF_MAX * 32];
	static char note[COSO_NOTE_MAX];
	struct coso_msg m = {.type = COSO_MSG_PUSH_REP,
	    .items                 = it,
	    .nitems                = n,
	    .checkpoint            = note,
	    .checkpoint_len        = sizeof(note)};
	uint8_t *plain    = NULL;
	size_t i, plen;

	for (i = 0; i < n; i++) {
		it[i].status      = COSO_VERDICT_ACCEPTED;
		it[i].receipt     = receipt;
		it[i].receipt_len = sizeof(receipt);
		it[i].proof       = proof;
		it[i].nproof      = COSO_PROOF_MAX;
	}
	assert_int_equal(coso_msg_encode(&m, &plain, &plen, max), 0);
	assert_true(plen + COSO_WIRE_OVERHEAD <= max);
	free(plain);
	memset(it, 0, n * sizeof(*it));
}

/* Batches cover the outbox once, in order, each under the limit, and so
 * does the largest reply each can get. */
static void
test_batches_fit(void **state)
{
	struct fx *f                = *state;
	struct cosoi_push_batch b   = {0};
	struct coso_msg m           = {.type = COSO_MSG_PUSH};
	struct coso_msg_item it[64] = {{0}};
	uint64_t from = 1, want = 1;
	size_t max = 16 * 1024, i, nb = 0, plen;
	uint8_t *plain;

	visits(f, 39);
	for (;;) {
		assert_int_equal(cosoi_push_batch(f->s, from, 1, max, &b), 0);
		if (b.n == 0) {
			break;
		}
		assert_true(b.n >= 1 && b.n <= 64);
		for (i = 0; i < b.n; i++) {
			assert_int_equal(b.e[i].seq, want++);
			it[i].cs     = b.e[i].cs;
			it[i].cs_len = b.e[i].len;
		}
		m.items  = it;
		m.nitems = b.n;
		assert_int_equal(coso_msg_encode(&m, &plain, &plen, max), 0);
		assert_true(plen + COSO_WIRE_OVERHEAD <= max);
		free(plain);
		reply_fits(it, b.n, max);
		from = b.e[b.n - 1].seq + 1;
		cosoi_push_batch_free(&b);
		nb++;
	}
	assert_int_equal(want, 41);
	assert_true(nb >= 40 * 3000 / (16 * 1024));
	/* A change-set too large for the limit is refused, not cut. */
	assert_int_equal(cosoi_push_batch(f->s, 1, 1, 2048, &b), COSO_ETOOBIG);
	cosoi_push_batch_free(&b);
}

static void
check_first_round(struct fx *f, const struct coso_sync_report *r)
{
	assert_int_equal(r->pushed, 40);
	assert_int_equal(r->accepted, 39);
	assert_int_equal(r->quarantined, 1);
	assert_int_equal(r->nquarantine, 1);
	assert_int_equal(r->quarantine[0].seq, 2);
	assert_int_equal(r->quarantine[0].reason, COSO_QUNAUTH);
	assert_int_equal(r->pending, 0);
	assert_int_equal(r->pulled, 2);
	assert_int_equal(r->applied, 1);
	assert_true(r->skew_ms > 3000 && r->skew_ms < 7000);
	assert_true(f->c.pushes > 1);
	assert_true(f->c.max_frame <= 64 * 1024);
	/* Each reply's checkpoint after the first joined to the one held
	 * before by a consistency proof the device asked for. */
	assert_int_equal(f->c.consistency, f->c.pushes - 1);
	assert_int_equal(q(f,
	                     "SELECT count(*) FROM checkpoints WHERE "
	                     "consistency = 'proved'"),
	    f->c.pushes - 1);
	assert_int_equal(q(f,
	                     "SELECT count(*) FROM checkpoints WHERE "
	                     "consistency = 'first'"),
	    1);
	assert_int_equal(q(f, "SELECT count(*) FROM evidence"), 0);
	assert_int_equal(q(f, "SELECT count(*) FROM receipts"), 40);
	assert_int_equal(q(f,
	                     "SELECT verdict * 100 + reason FROM outbox "
	                     "WHERE seq = 2"),
	    3 * 100 + COSO_QUNAUTH);
	assert_int_equal(q(f,
	                     "SELECT value FROM meta WHERE key = "
	                     "'pull_cursor'"),
	    7);
	assert_int_equal(q(f,
	                     "SELECT count(*) FROM proposals WHERE status = "
	                     "'answered' AND response = 'Đã bố trí vốn'"),
	    1);
	assert_int_equal(
	    q(f, "SELECT level FROM units WHERE code = '06160'"), 3);
	assert_int_equal(q(f,
	                     "SELECT valid_from FROM assignments WHERE "
	                     "cadre_id = 'cb-001' AND unit = '06160'"),
	    20250701);
	assert_int_equal(q(f,
	                     "SELECT count(*) FROM visits WHERE author = "
	                     "'admin'"),
	    1);
	assert_int_equal(q(f, "SELECT count(*) FROM visits"), 41);
}

/* A store whose cadre id is longer than any central keeps (one made
 * before coso init checked it) is refused before its ENROLL is sent,
 * not sent cut short to the wire's 256 bytes. */
static void
test_enroll_long_cadre(void **state)
{
	struct fx *f              = *state;
	struct coso_sync_opts o   = {0};
	struct coso_sync_report r = {0};
	char id[301];

	memset(id, 'c', 300);
	id[300]         = 0;
	f->c.unenrolled = 1;
	assert_int_equal(coso_enroll_queue(f->s,
	                     "0123456789abcdef0123456789abcdef"
	                     "0123456789abcdef0123456789abcdef"),
	    COSO_OK);
	free(f->s->cadre);
	assert_non_null(f->s->cadre = strdup(id));
	assert_int_equal(
	    cosoi_sync_round_net(f->s, &o, &r, &f->net), COSO_EFIELD);
	assert_non_null(strstr(coso_store_errmsg(f->s), "longer than 64"));
	assert_int_equal(f->c.enrolls, 0);
	id[COSO_ID_MAX] = 0; /* 64: sent whole, refused by the central */
	free(f->s->cadre);
	assert_non_null(f->s->cadre = strdup(id));
	assert_int_equal(
	    cosoi_sync_round_net(f->s, &o, &r, &f->net), COSO_EREFUSED);
	assert_int_equal(f->c.enrolls, 1);
}

/* A whole round against the fake central, again, and after it lost
 * everything. */
static void
test_round(void **state)
{
	struct fx *f              = *state;
	struct coso_sync_opts o   = {0};
	struct coso_sync_report r = {0};
	struct coso_status st;

	visits(f, 39);
	assert_int_equal(cosoi_sync_round_net(f->s, &o, &r, &f->net), 0);
	check_first_round(f, &r);
	assert_int_equal(coso_status_get(f->s, &st), 0);
	assert_int_equal(st.pending, 0);
	assert_int_equal(st.receipts, 40);
	assert_true(st.last_sync_ms > 0);

	assert_int_equal(cosoi_sync_round_net(f->s, &o, &r, &f->net), 0);
	assert_int_equal(r.pushed, 0);
	assert_int_equal(r.pulled, 0);

	f->c.next_seq = 1; /* the central restored an empty backup */
	assert_int_equal(cosoi_sync_round_net(f->s, &o, &r, &f->net), 0);
	assert_int_equal(r.pushed, 40);
	assert_int_equal(r.accepted + r.quarantined, 40);
	assert_int_equal(f->c.next_seq, 41);
	assert_int_equal(r.pending, 0);
}

/* A central that expects an earlier seq gets it. */
static void
test_gap(void **state)
{
	struct fx *f              = *state;
	struct coso_sync_opts o   = {0};
	struct coso_sync_report r = {0};

	visits(f, 4);
	assert_int_equal(cosoi_sync_round_net(f->s, &o, &r, &f->net), 0);
	/* It lost seq 3 on: its STATUS still says 6, its PUSH says gap. */
	f->c.next_seq    = 3;
	f->c.status_next = 6;
	assert_int_equal(cosoi_exec(f->s,
	                     "UPDATE outbox SET acked = 0 "
	                     "WHERE seq >= 4"),
	    0);
	f->c.pushes = 0;
	assert_int_equal(cosoi_sync_round_net(f->s, &o, &r, &f->net), 0);
	assert_int_equal(r.pending, 0);
	assert_int_equal(f->c.next_seq, 6);
	assert_int_equal(r.pushed, 2 + 3); /* 4, 5 refused; 3, 4, 5 */
	assert_int_equal(r.accepted, 3);
}

/* A central older than PROOF (it answers ERROR ESCHEMA, as for any
 * type it does not know): its checkpoints are taken unproved and the
 * round goes on. */
static void
test_old_central(void **state)
{
	struct fx *f              = *state;
	struct coso_sync_opts o   = {0};
	struct coso_sync_report r = {0};
	struct coso_status st;

	f->c.old = 1;
	visits(f, 39);
	assert_int_equal(cosoi_sync_round_net(f->s, &o, &r, &f->net), 0);
	assert_true(f->c.pushes > 1);
	assert_int_equal(r.refused, 0);
	assert_int_equal(r.pending, 0);
	assert_int_equal(coso_status_get(f->s, &st), 0);
	assert_int_equal(st.unproved, (uint64_t) f->c.pushes - 1);
	assert_int_equal(st.evidence, 0);
}

/* A central that gave one proof and then answers as one older than
 * PROOF is not believed: the round stops, nothing is taken. */
static void
test_proofs_withdrawn(void **state)
{
	struct fx *f              = *state;
	struct coso_sync_opts o   = {0};
	struct coso_sync_report r = {0};

	f->c.old_after = 1;
	visits(f, 79); /* three pushes: a proof, then none */
	assert_int_equal(
	    cosoi_sync_round_net(f->s, &o, &r, &f->net), COSO_EPROTO);
	assert_int_equal(f->c.pushes, 3);
	assert_non_null(
	    strstr(coso_store_errmsg(f->s), "gave consistency proofs before"));
	assert_int_equal(q(f,
	                     "SELECT count(*) FROM checkpoints WHERE "
	                     "consistency = 'proved'"),
	    1);
	assert_true(r.pending > 0);
	assert_int_equal(q(f, "SELECT count(*) FROM evidence"), 0);
}

/* The PULL_REP the fake central gives at cursor 0. */
static void
pull_rep(struct fx *f, struct coso_msg *m, struct coso_msg_item *it)
{
	memset(m, 0, sizeof(*m));
	memset(it, 0, sizeof(*it));
	m->type    = COSO_MSG_PULL_REP;
	m->cursor  = 7;
	m->keys    = f->c.pull_pk;
	m->nkeys   = 1;
	m->nitems  = 1;
	m->items   = it;
	it->cs     = f->c.pull_cs;
	it->cs_len = f->c.pull_len;
	snprintf(it->cadre_id, sizeof(it->cadre_id), "admin");
}

/* The cursor moves with the rows it brought, or neither does. */
static void
test_pull_atomic(void **state)
{
	struct fx *f              = *state;
	struct coso_sync_report r = {0};
	struct coso_msg m;
	struct coso_msg_item it;
	uint8_t self[32];

	memset(self, 0, sizeof(self));
	pull_rep(f, &m, &it);
	/* The assignment, after the unit in the change-set, cannot be
	 * stored: nothing of it is, and the cursor stays. */
	assert_int_equal(cosoi_exec(f->s,
	                     "CREATE TRIGGER no BEFORE INSERT ON assignments "
	                     "BEGIN SELECT RAISE(ABORT, 'no'); END"),
	    0);
	assert_int_equal(cosoi_sync_apply_pull(f->s, self, UINT64_MAX, &m, &r),
	    COSO_ESTORE);
	assert_int_equal(q(f,
	                     "SELECT count(*) FROM meta WHERE key = "
	                     "'pull_cursor'"),
	    0);
	assert_int_equal(q(f,
	                     "SELECT count(*) FROM units WHERE code = "
	                     "'06160'"),
	    0);
	assert_int_equal(r.pulled, 0);
	assert_int_equal(cosoi_exec(f->s, "DROP TRIGGER no"), 0);
	assert_int_equal(
	    cosoi_sync_apply_pull(f->s, self, UINT64_MAX, &m, &r), 0);
	assert_int_equal(q(f,
	                     "SELECT value FROM meta WHERE key = "
	                     "'pull_cursor'"),
	    7);
	assert_int_equal(q(f,
	                     "SELECT count(*) FROM units WHERE code = "
	                     "'06160'"),
	    1);
	assert_int_equal(q(f, "SELECT status = 'answered' FROM proposals"), 1);
	assert_int_equal(r.pulled, 1);
	assert_int_equal(r.applied, 1);
	/* Again: inserted once, upserted in place. */
	assert_int_equal(
	    cosoi_sync_apply_pull(f->s, self, UINT64_MAX, &m, &r), 0);
	assert_int_equal(q(f, "SELECT count(*) FROM visits"), 2);
	assert_int_equal(q(f, "SELECT count(*) FROM assignments"), 1);
}

/*
 * A pulled change-set that does not verify under its author's key — a
 * byte changed, another key given for the author, no key at all — is
 * refused: nothing of the reply is stored and the cursor stays.  The
 * honest reply then goes in, with the author's key noted.
 */
static void
test_pull_refused(void **state)
{
	static const struct {
		enum tamper t;
		const char *says;
	} cases[] = {
	    {T_PULL_BODY, "position 6 does not verify: bad signature"},
	    {T_PULL_KEY, "position 6 comes without its author's key"},
	    {T_PULL_NOKEY, "position 6 comes without its author's key"},
	};
	struct fx *f              = *state;
	struct coso_sync_opts o   = {0};
	struct coso_sync_report r = {0};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		f->c.tamper = cases[i].t;
		assert_int_equal(
		    cosoi_sync_round_net(f->s, &o, &r, &f->net), COSO_EPROTO);
		assert_non_null(
		    strstr(coso_store_errmsg(f->s), cases[i].says));
		assert_int_equal(q(f,
		                     "SELECT count(*) FROM units WHERE code "
		                     "IN ('06160')"),
		    0);
		assert_int_equal(q(f, "SELECT count(*) FROM assignments"), 0);
		assert_int_equal(q(f, "SELECT count(*) FROM visits"), 1);
		assert_int_equal(
		    q(f,
		        "SELECT count(*) FROM proposals WHERE response "
		        "IS NOT NULL"),
		    0);
		assert_int_equal(q(f,
		                     "SELECT count(*) FROM meta WHERE key = "
		                     "'pull_cursor'"),
		    0);
		assert_int_equal(q(f, "SELECT count(*) FROM keys"), 0);
		assert_int_equal(r.applied, 0);
	}
	f->c.tamper = T_NONE;
	assert_int_equal(cosoi_sync_round_net(f->s, &o, &r, &f->net), 0);
	assert_int_equal(r.applied, 1);
	assert_int_equal(q(f,
	                     "SELECT count(*) FROM units WHERE code = '06160' "
	                     "AND name = 'Xã Gia Miễn'"),
	    1);
	assert_int_equal(q(f,
	                     "SELECT value FROM meta WHERE key = "
	                     "'pull_cursor'"),
	    7);
	assert_int_equal(q(f,
	                     "SELECT count(*) FROM keys WHERE cadre_id = "
	                     "'admin' AND length(public_key) = 32"),
	    1);
}

/* This device's key id: the author of its leaves. */
static void
self_id(struct fx *f, uint8_t id[32])
{
	assert_int_equal(cosoi_pk_load(f->s), 0);
	coso_keyid_of(id, f->s->pk);
}

/* ---- clocks ----------------------------------------------------------------
 */

#define DAY_MS    UINT64_C(86400000)
#define HLC_AT(m) ((uint64_t) (m) << 16)

/* A change-set of the admin renaming commune 06043, its clock at hlc. */
static uint8_t *
admin_rename(struct fx *f, uint64_t hlc, const char *name, size_t *len)
{
	struct coso_body *b = NULL;
	struct coso_key *k  = NULL;
	uint8_t row[16], prev[32] = {0}, *body = NULL, *cs = NULL;
	size_t blen = 0;

	assert_int_equal(coso_key_from_seed(&k, admin_seed), 0);
	assert_int_equal(coso_body_new(&b), 0);
	coso_uuid_named(row, "unit", "06043");
	assert_int_equal(coso_body_op(b, COSO_T_UNIT, row, COSO_UPSERT), 0);
	assert_int_equal(coso_body_text(b, COSO_F_UNIT_CODE, "06043", 5), 0);
	assert_int_equal(
	    coso_body_text(b, COSO_F_UNIT_NAME, name, strlen(name)), 0);
	assert_int_equal(coso_body_int(b, COSO_F_UNIT_LEVEL, 3), 0);
	assert_int_equal(
	    coso_body_int(b, COSO_F_UNIT_VALID_FROM, 20200101), 0);
	assert_int_equal(coso_body_encode(b, &body, &blen), 0);
	assert_int_equal(
	    coso_changeset_sign(&cs, len, k, 1, prev, hlc, body, blen), 0);
	coso_key_public(k, f->c.pull_pk);
	free(body);
	coso_body_free(b);
	coso_key_free(k);
	return cs;
}

/* Applies a PULL_REP of one admin change-set, the central's time being
 * central_ms. */
static void
pull_one(struct fx *f, const uint8_t *cs, size_t len, uint64_t central_ms)
{
	struct coso_sync_report r = {0};
	struct coso_msg m;
	struct coso_msg_item it;
	uint8_t self[32];

	self_id(f, self);
	pull_rep(f, &m, &it);
	it.cs     = cs;
	it.cs_len = len;
	it.status = COSO_VERDICT_ACCEPTED;
	assert_int_equal(
	    cosoi_sync_apply_pull(f->s, self, central_ms, &m, &r), 0);
	assert_int_equal(r.applied, 1);
}

/*
 * The receive rule: what a pull brings is an event this device has seen,
 * so the next edit made here is stamped after it, even by a clock behind.
 * A stamp far ahead of the central's time weighs the central's time
 * there (it is clamped), and only that much is taken in.
 */
static void
test_pull_takes_clock(void **state)
{
	struct fx *f = *state;
	uint64_t now = coso_wall_ms(), ahead = HLC_AT(now + 60000);
	uint8_t *cs;
	size_t len;

	cs = admin_rename(f, ahead, "Xã Đào Viên (A)", &len);
	pull_one(f, cs, len, now);
	free(cs);
	assert_true((uint64_t) q(f, "SELECT hlc FROM chain") > ahead);
	visits(f, 1);
	assert_int_equal(q(f, "SELECT seq FROM chain"), 2);
	assert_true((uint64_t) q(f, "SELECT hlc FROM chain") > ahead);
	/* 400 days ahead: the central's time is taken in, not the stamp. */
	cs = admin_rename(f, HLC_AT(now + 400 * DAY_MS), "Xã (B)", &len);
	pull_one(f, cs, len, now + 120000);
	free(cs);
	assert_true(
	    (uint64_t) q(f, "SELECT hlc FROM chain") >= HLC_AT(now + 120000));
	assert_true(
	    (uint64_t) q(f, "SELECT hlc FROM chain") < HLC_AT(now + DAY_MS));
	assert_int_equal(
	    q(f, "SELECT count(*) FROM units WHERE name = 'Xã (B)'"), 1);
}

/*
 * STATUS: the device sends its clock and HLC; it takes in the central's
 * time, and a clock left far ahead (a device whose date was wrong) is set
 * back to the central's.  A verdict saying a stamp was clamped is kept,
 * and `coso status' shows the clock and the clamped count.
 */
static void
test_status_clock(void **state)
{
	struct fx *f              = *state;
	struct coso_sync_opts o   = {0};
	struct coso_sync_report r = {0};
	struct coso_status st;
	uint64_t now = coso_wall_ms(), far = HLC_AT(now + 400 * DAY_MS);
	char sql[96];

	snprintf(sql, sizeof(sql), "UPDATE chain SET hlc = %llu",
	    (unsigned long long) far);
	assert_int_equal(cosoi_exec(f->s, sql), 0);
	f->c.clamp_seq = 1;
	assert_int_equal(cosoi_sync_round_net(f->s, &o, &r, &f->net), 0);
	assert_int_equal(f->c.seen_hlc, far);
	assert_true(f->c.seen_ms >= now && f->c.seen_ms < now + 60000);
	assert_true(
	    (uint64_t) q(f, "SELECT hlc FROM chain") >= HLC_AT(now + 5000));
	assert_true(
	    (uint64_t) q(f, "SELECT hlc FROM chain") < HLC_AT(now + DAY_MS));
	assert_int_equal(r.accepted, 1);
	assert_int_equal(r.clamped, 1);
	assert_int_equal(
	    q(f, "SELECT reason FROM outbox WHERE seq = 1"), COSO_ECLOCK);
	assert_int_equal(coso_status_get(f->s, &st), 0);
	assert_true(st.skew_ms > 3000 && st.skew_ms < 7000);
	assert_true(st.skew_at_ms >= now + 5000);
	assert_int_equal(st.clock_wrong, 0);
	assert_int_equal(st.clamped, 1);
	/* A central time no central can have (before 2000) moves nothing. */
	{
		int64_t before = q(f, "SELECT hlc FROM chain");

		assert_int_equal(cosoi_begin(f->s), 0);
		assert_int_equal(cosoi_hlc_central(f->s, 0), 0);
		assert_int_equal(cosoi_commit(f->s), 0);
		assert_int_equal(q(f, "SELECT hlc FROM chain"), before);
	}
	/* Off by more than the tolerance: wrong. */
	assert_int_equal(cosoi_exec(f->s,
	                     "UPDATE meta SET value = '-34560000000' "
	                     "WHERE key = 'skew_ms'"),
	    0);
	assert_int_equal(coso_status_get(f->s, &st), 0);
	assert_int_equal(st.clock_wrong, 1);
}

/* The bytes of outbox entry seq. */
static uint8_t *
outbox_bytes(struct fx *f, uint64_t seq, size_t *len)
{
	sqlite3_stmt *st = NULL;
	uint8_t *cs;

	assert_int_equal(
	    sqlite3_prepare_v2(f->s->db,
	        "SELECT bytes FROM outbox WHERE seq = ?", -1, &st, NULL),
	    0);
	sqlite3_bind_int64(st, 1, (sqlite3_int64) seq);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	*len = (size_t) sqlite3_column_bytes(st, 0);
	cs   = malloc(*len);
	assert_non_null(cs);
	memcpy(cs, sqlite3_column_blob(st, 0), *len);
	sqlite3_finalize(st);
	return cs;
}

/*
 * A store restored from an old copy: the central sends this device's own
 * chain, and what continues the store's chain goes back in (rows,
 * outbox with the central's verdicts, the chain's head); what the store
 * holds, or a change-set of another branch, is left out.  The next
 * write continues the chain.
 */
static void
test_pull_own_chain(void **state)
{
	struct fx *f              = *state;
	struct coso_sync_report r = {0};
	struct coso_msg m         = {.type = COSO_MSG_PULL_REP, .cursor = 9};
	struct coso_msg_item it[4];
	char err[COSO_ERRMSG_MAX], cmd[256], copy[80];
	uint8_t self[32], *cs[4];
	size_t len[4], i;

	snprintf(copy, sizeof(copy), "%s-copy", f->dir);
	coso_store_close(f->s);
	snprintf(cmd, sizeof(cmd), "cp -a %s %s", f->dir, copy);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(coso_store_open(&f->s, f->dir, NULL, 0, err), 0);
	visits(f, 2); /* seq 2 and 3, after the copy */
	self_id(f, self);
	memset(it, 0, sizeof(it));
	for (i = 0; i < 3; i++) {
		cs[i]          = outbox_bytes(f, i + 1, &len[i]);
		it[i].cs       = cs[i];
		it[i].cs_len   = len[i];
		it[i].status   = COSO_VERDICT_ACCEPTED;
		it[i].position = 10 + i;
		snprintf(it[i].cadre_id, sizeof(it[i].cadre_id), "cb-001");
	}
	it[2].status = COSO_VERDICT_QUARANTINED; /* seq 3 */
	it[2].reason = COSO_QUNAUTH;
	/* A seq 4 of another branch: its prev is not this chain's seq 3. */
	{
		struct coso_changeset c;
		uint8_t other[32];

		memset(other, 0x5a, sizeof(other));
		assert_int_equal(cosoi_key_load(f->s), 0);
		assert_int_equal(coso_changeset_peek(&c, cs[1], len[1]), 0);
		assert_int_equal(
		    coso_changeset_sign(&cs[3], &len[3], f->s->key, 4, other,
		        c.hlc + 9, c.body, c.body_len),
		    0);
	}
	it[3]        = it[1];
	it[3].cs     = cs[3];
	it[3].cs_len = len[3];
	m.items      = it;
	m.nitems     = 4;
	coso_store_close(f->s);
	assert_int_equal(coso_store_open(&f->s, copy, NULL, 0, err), 0);
	assert_int_equal(q(f, "SELECT seq FROM chain"), 1);
	assert_int_equal(
	    cosoi_sync_apply_pull(f->s, self, coso_wall_ms(), &m, &r), 0);
	assert_int_equal(r.restored, 2);
	assert_int_equal(q(f, "SELECT seq FROM chain"), 3);
	assert_int_equal(q(f, "SELECT count(*) FROM visits"), 3);
	assert_int_equal(q(f,
	                     "SELECT count(*) FROM outbox WHERE acked = 1 "
	                     "AND seq IN (2, 3)"),
	    2);
	assert_int_equal(q(f,
	                     "SELECT verdict * 100 + reason FROM outbox "
	                     "WHERE seq = 3"),
	    3 * 100 + COSO_QUNAUTH);
	/* The chain still verifies, and goes on from seq 3. */
	visits(f, 1);
	assert_int_equal(q(f, "SELECT seq FROM chain"), 4);
	{
		uint64_t bad = 1;

		assert_int_equal(coso_log_verify(f->s, NULL, NULL, &bad), 0);
		assert_int_equal(bad, 0);
	}
	for (i = 0; i < 4; i++) {
		free(cs[i]);
	}
}

/* A receipt from another key, or for another change-set, marks nothing. */
static void
test_receipt_refused(void **state)
{
	struct fx *f            = *state;
	struct coso_msg m       = {.type = COSO_MSG_PUSH_REP, .nitems = 1};
	struct coso_msg_item it = {0};
	struct coso_receipt rc;
	struct cosoi_take t;
	uint8_t buf[COSO_RECEIPT_BYTES], id[32], self[32];

	self_id(f, self);
	it.cs     = f->c.own_cs;
	it.cs_len = f->c.own_len;
	fake_verdict(&f->c, &it, buf, 0);
	m.items = &it;
	fake_proofs(&f->c, &m);
	memcpy(id, it.id, 32);
	assert_int_equal(
	    coso_receipt_verify(&rc, buf, sizeof(buf), f->c.pk), 0);
	cosoi_take_init(&t, f->c.pk, self, &m);
	assert_int_equal(t.note_err, 0);
	assert_int_equal(coso_receipt_sign(buf, f->c.other, &rc), 0);
	assert_int_equal(cosoi_sync_take(f->s, &t, 1, id, &it), COSO_EPROTO);
	rc.cs_id[0] ^= 1; /* the right key, another change-set */
	assert_int_equal(coso_receipt_sign(buf, f->c.key, &rc), 0);
	assert_int_equal(cosoi_sync_take(f->s, &t, 1, id, &it), COSO_EPROTO);
	it.receipt = NULL; /* no receipt at all */
	assert_int_equal(cosoi_sync_take(f->s, &t, 1, id, &it), COSO_EPROTO);
	assert_int_equal(q(f, "SELECT acked FROM outbox WHERE seq = 1"), 0);
	assert_int_equal(q(f, "SELECT count(*) FROM receipts"), 0);
	assert_int_equal(q(f, "SELECT count(*) FROM checkpoints"), 0);
	rc.cs_id[0] ^= 1;
	it.receipt = buf;
	assert_int_equal(coso_receipt_sign(buf, f->c.key, &rc), 0);
	/* Another device's key id: its leaf is not this one. */
	self[0] ^= 1;
	cosoi_take_init(&t, f->c.pk, self, &m);
	assert_int_equal(cosoi_sync_take(f->s, &t, 1, id, &it), COSO_EPROTO);
	assert_non_null(strstr(coso_store_errmsg(f->s), "inclusion proof"));
	self[0] ^= 1;
	cosoi_take_init(&t, f->c.pk, self, &m);
	assert_int_equal(cosoi_sync_take(f->s, &t, 1, id, &it), 0);
	assert_int_equal(q(f, "SELECT acked FROM outbox WHERE seq = 1"), 1);
	assert_int_equal(q(f, "SELECT leaf_index FROM receipts"), 0);
	assert_int_equal(q(f, "SELECT tree_size FROM receipts"), 1);
	assert_int_equal(q(f, "SELECT size FROM checkpoints"), 1);
}

/* A reply whose proof, checkpoint signature, checkpoint key or checkpoint
 * size is wrong is refused: nothing stored, the change-set still pending,
 * the handle's message naming the check; the honest reply then goes in. */
static void
test_proof_refused(void **state)
{
	static const struct {
		enum tamper t;
		const char *says;
	} cases[] = {
	    {T_PROOF, "seq 1: the inclusion proof does not lead"},
	    {T_NOTE_SIG, "seq 1: the reply's checkpoint does not verify"},
	    {T_NOTE_KEY, "seq 1: the reply's checkpoint does not verify"},
	    {T_NOTE_SIZE, "seq 1: leaf index 5 is beyond the checkpoint"},
	};
	struct fx *f              = *state;
	struct coso_sync_opts o   = {0};
	struct coso_sync_report r = {0};
	size_t i;

	fake_foreign(&f->c, 5); /* so that the proof has hashes */
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		f->c.tamper = cases[i].t;
		assert_int_equal(
		    cosoi_sync_round_net(f->s, &o, &r, &f->net), COSO_EPROTO);
		assert_non_null(
		    strstr(coso_store_errmsg(f->s), cases[i].says));
		assert_int_equal(r.bad_receipts, 1);
		assert_int_equal(r.pending, 1);
		assert_int_equal(q(f, "SELECT acked FROM outbox"), 0);
		assert_int_equal(q(f, "SELECT count(*) FROM receipts"), 0);
		assert_int_equal(q(f, "SELECT count(*) FROM checkpoints"), 0);
	}
	f->c.tamper = T_NONE;
	assert_int_equal(cosoi_sync_round_net(f->s, &o, &r, &f->net), 0);
	assert_int_equal(r.pending, 0);
	assert_int_equal(r.duplicate, 1);
	assert_int_equal(q(f, "SELECT count(*) FROM receipts"), 1);
	assert_int_equal(q(f, "SELECT count(*) FROM checkpoints"), 1);
	assert_int_equal(q(f, "SELECT leaf_index FROM receipts"), 5);
	assert_int_equal(q(f, "SELECT length(proof) FROM receipts"), 2 * 32);
}

/* A second tree for a size the device holds a checkpoint of is refused,
 * and the checkpoint it holds stays. */
static void
test_two_trees_refused(void **state)
{
	struct fx *f              = *state;
	struct coso_sync_opts o   = {0};
	struct coso_sync_report r = {0};
	uint8_t root[32];
	char *note = NULL, sql[1024];

	randombytes_buf(root, sizeof(root));
	assert_int_equal(
	    coso_checkpoint_sign(&note, f->c.key, ORIGIN, ORIGIN, 1, root), 0);
	snprintf(sql, sizeof(sql),
	    "INSERT INTO checkpoints (size, note) "
	    "VALUES (1, '%s')",
	    note);
	assert_int_equal(cosoi_exec(f->s, sql), 0);
	assert_int_equal(
	    cosoi_sync_round_net(f->s, &o, &r, &f->net), COSO_EPROTO);
	assert_non_null(strstr(coso_store_errmsg(f->s), "split view"));
	assert_int_equal(r.split_views, 1);
	assert_int_equal(q(f, "SELECT count(*) FROM receipts"), 0);
	assert_int_equal(r.pending, 1);
	/* Both notes kept as evidence: the one held, the one refused. */
	snprintf(sql, sizeof(sql),
	    "SELECT count(*) FROM evidence WHERE kind = 'fork' AND "
	    "held_size = 1 AND new_size = 1 AND held_note = '%s' AND "
	    "new_note <> held_note",
	    note);
	assert_int_equal(q(f, sql), 1);
	snprintf(sql, sizeof(sql),
	    "SELECT count(*) FROM checkpoints WHERE note = '%s'", note);
	assert_int_equal(q(f, sql), 1);
	free(note);
}

/* What coso_receipts_verify said of each seq (up to 8). */
struct vrows {
	char check[9][40];
	char status[9][12];
};

static int
vrow(const struct coso_row *row, void *arg)
{
	struct vrows *v = arg;
	int64_t seq     = row->kv[0].i;

	assert_string_equal(row->kv[0].key, "seq");
	assert_true(seq >= 1 && seq <= 8);
	for (size_t i = 0; i < row->n; i++) {
		if (strcmp(row->kv[i].key, "check") == 0) {
			snprintf(v->check[seq], sizeof(v->check[seq]), "%s",
			    row->kv[i].type == COSO_VTEXT ? row->kv[i].s : "");
		} else if (strcmp(row->kv[i].key, "status") == 0) {
			snprintf(v->status[seq], sizeof(v->status[seq]), "%s",
			    row->kv[i].s);
		}
	}
	return 0;
}

static struct coso_receipt_counts
verify(struct fx *f, struct vrows *v)
{
	struct coso_receipt_counts n;

	memset(v, 0, sizeof(*v));
	assert_int_equal(coso_receipts_verify(f->s, vrow, v, &n), 0);
	assert_int_equal(n.total, n.ok + n.no_proof + n.bad);
	return n;
}

/* Flips bit 0 of byte at of a blob or text column of rows where. */
static void
flip(struct fx *f, const char *table, const char *col, const char *where,
    int at)
{
	sqlite3_stmt *st = NULL;
	char sql[256];
	uint8_t *b;
	int n;

	snprintf(
	    sql, sizeof(sql), "SELECT %s FROM %s WHERE %s", col, table, where);
	assert_int_equal(sqlite3_prepare_v2(f->s->db, sql, -1, &st, NULL), 0);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_bytes(st, 0);
	b = malloc((size_t) n);
	memcpy(b, sqlite3_column_blob(st, 0), (size_t) n);
	sqlite3_finalize(st);
	b[at < 0 ? n + at : at] ^= 1;
	snprintf(sql, sizeof(sql), "UPDATE %s SET %s = ? WHERE %s", table, col,
	    where);
	assert_int_equal(sqlite3_prepare_v2(f->s->db, sql, -1, &st, NULL), 0);
	if (strcmp(table, "checkpoints") == 0) {
		sqlite3_bind_text(st, 1, (char *) b, n, SQLITE_STATIC);
	} else {
		sqlite3_bind_blob(st, 1, b, n, SQLITE_STATIC);
	}
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	free(b);
}

/* Stored receipts re-verify offline; each kind of tampering is named. */
static void
test_receipts_verify(void **state)
{
	struct fx *f              = *state;
	struct coso_sync_opts o   = {0};
	struct coso_sync_report r = {0};
	struct coso_receipt_counts n;
	struct vrows v;

	visits(f, 2);
	assert_int_equal(cosoi_sync_round_net(f->s, &o, &r, &f->net), 0);
	n = verify(f, &v);
	assert_int_equal(n.total, 3);
	assert_int_equal(n.ok, 3);
	assert_string_equal(v.status[2], "ok");
	assert_int_equal(q(f, "SELECT count(*) FROM checkpoints"), 1);

	flip(f, "receipts", "proof", "seq = 2", 7);
	n = verify(f, &v);
	assert_int_equal(n.bad, 1);
	assert_string_equal(v.check[2], "inclusion proof");
	assert_string_equal(v.status[2], "failed");
	assert_string_equal(v.status[1], "ok");
	flip(f, "receipts", "proof", "seq = 2", 7);

	flip(f, "checkpoints", "note", "size = 3", -10); /* the signature */
	n = verify(f, &v);
	assert_int_equal(n.bad, 3);
	assert_string_equal(v.check[1], "checkpoint signature");
	assert_string_equal(v.check[3], "checkpoint signature");
	flip(f, "checkpoints", "note", "size = 3", -10);
	assert_int_equal(verify(f, &v).ok, 3);

	flip(f, "receipts", "receipt", "seq = 1", 60);
	flip(f, "outbox", "bytes", "seq = 2", 100);
	assert_int_equal(cosoi_exec(f->s,
	                     "UPDATE receipts SET tree_size = 9 "
	                     "WHERE seq = 3"),
	    0);
	n = verify(f, &v);
	assert_int_equal(n.bad, 3);
	assert_string_equal(v.check[1], "receipt signature");
	assert_string_equal(v.check[2], "outbox record");
	assert_string_equal(v.check[3], "checkpoint missing");
	flip(f, "receipts", "receipt", "seq = 1", 60);
	flip(f, "outbox", "bytes", "seq = 2", 100);

	/* A checkpoint of one leaf: leaf 2 is beyond it. */
	{
		struct coso_tree_src src = {fake_subtree, &f->c};
		uint8_t root[32];
		char *note = NULL, sql[1024];

		assert_int_equal(coso_tree_root(&src, 1, root), 0);
		assert_int_equal(coso_checkpoint_sign(
		                     &note, f->c.key, ORIGIN, ORIGIN, 1, root),
		    0);
		snprintf(sql, sizeof(sql),
		    "INSERT INTO checkpoints (size, note) VALUES (1, '%s');"
		    "UPDATE receipts SET tree_size = 1 WHERE seq = 3",
		    note);
		assert_int_equal(cosoi_exec(f->s, sql), 0);
		free(note);
	}
	n = verify(f, &v);
	assert_int_equal(n.bad, 1);
	assert_string_equal(v.check[3], "leaf index beyond checkpoint");

	/* No proof: a failure, unless kept before proofs were. */
	assert_int_equal(cosoi_exec(f->s,
	                     "UPDATE receipts SET proof = NULL, "
	                     "tree_size = NULL WHERE seq = 3"),
	    0);
	n = verify(f, &v);
	assert_int_equal(n.bad, 1);
	assert_string_equal(v.check[3], "inclusion proof missing");
	assert_int_equal(cosoi_exec(f->s,
	                     "UPDATE meta SET value = 3 "
	                     "WHERE key = 'receipts_before_proofs'"),
	    0);
	n = verify(f, &v);
	assert_int_equal(n.bad, 0);
	assert_int_equal(n.no_proof, 1);
	assert_int_equal(n.ok, 2);
	assert_string_equal(v.status[3], "no proof");

	assert_int_equal(cosoi_exec(f->s,
	                     "UPDATE receipts SET leaf_index = 99 "
	                     "WHERE seq = 2"),
	    0);
	n = verify(f, &v);
	assert_int_equal(n.bad, 1);
	assert_string_equal(v.check[2], "receipt record");
}

/* No pinned key: no round. */
static void
test_no_pin(void **state)
{
	struct fx *f              = *state;
	struct coso_sync_report r = {0};

	assert_int_equal(cosoi_exec(f->s,
	                     "DELETE FROM meta WHERE key = "
	                     "'central_key'"),
	    0);
	assert_int_equal(coso_sync_round(f->s, NULL, &r), COSO_ENOPIN);
	assert_int_equal(r.pending, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_batches_fit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_round, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_enroll_long_cadre, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_gap, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_old_central, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_proofs_withdrawn, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pull_atomic, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_pull_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_receipt_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_proof_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_two_trees_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_receipts_verify, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_pin, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_pull_takes_clock, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_status_clock, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_pull_own_chain, setup, teardown),
	};

	if (sodium_init() < 0) {
		return 1;
	}
	return cmocka_run_group_tests_name("sync", tests, NULL, NULL);
}
