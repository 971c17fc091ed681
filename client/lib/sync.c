/*
 * sync.c: one round of sync with the central node: STATUS, ENROLL, PUSH,
 * PULL over a sealed request/reply transport (net.h).
 *
 * Every request is idempotent: a timeout resends the same frame, and the
 * central answers a change-set it already holds with the same verdict and
 * receipt.  The store changes only in short transactions between
 * requests, so an interrupted round leaves it consistent and the next
 * round carries on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "sync.h"

#define TIMEOUT_DEFAULT_MS 120000u
#define STATUS_TIMEOUT_MS  15000u
#define ATTEMPTS_DEFAULT   3u
#define GAPS_MAX           8      /* GAP replies in a round before giving up */
#define PULLS_MAX          100000 /* PULL requests in a round */
/* Room in a PULL reply for its header and the frame's 74 bytes (FORMAT.md:
 * 24 bytes; the central counts items and author keys in max_bytes). */
#define PULL_SLACK  4096u
#define MESSAGE_MIN 16384u /* smallest message limit taken */

struct sync {
	struct coso_store *s;
	const struct coso_sync_opts *o;
	struct coso_sync_report *r;
	struct cosoi_net *net;
	struct coso_box *box;
	uint8_t central_pk[32];
	uint8_t self_id[32];
	uint64_t req_id;
	size_t max;          /* the largest frame this side sends or accepts */
	uint64_t next_seq;   /* the central's next seq for this key */
	unsigned attempts;   /* sends of one request; 0: the options' */
	uint64_t central_ms; /* the central's clock at STATUS */
	uint64_t mono_ms;    /* the monotonic clock when it came */
	int known;           /* STATUS named our cadre: the key is known */
	uint64_t revoked_ms; /* when a STATUS first said it was revoked */
};

/* A clock that no one sets, for time elapsed within a round. */
static uint64_t
mono_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
		return 0;
	}
	return (uint64_t) ts.tv_sec * 1000u + (uint64_t) ts.tv_nsec / 1000000u;
}

/* The central's time now, from its time at STATUS. */
static uint64_t
central_now(const struct sync *y)
{
	return y->central_ms + (mono_ms() - y->mono_ms);
}

/* A decoded reply and the plaintext its items point into. */
struct reply {
	uint8_t *plain;
	struct coso_msg *m;
};

static void
reply_free(struct reply *rep)
{
	coso_msg_free(rep->m);
	free(rep->plain);
	rep->m     = NULL;
	rep->plain = NULL;
}

/* Calls the progress callback; COSO_ESTOPPED if it asks to stop. */
static int
progress(
    struct sync *y, enum coso_sync_phase ph, uint64_t done, uint64_t total)
{
	if (y->o->progress != NULL
	    && y->o->progress(ph, done, total, y->r, y->o->arg) != 0) {
		return cosoi_fail(y->s, COSO_ESTOPPED, "sync stopped");
	}
	return COSO_OK;
}

/* Whether the central's text says more than its code's sentence (it
 * sends that sentence itself, which would repeat it). */
static int
news(int code, const char *text)
{
	return text[0] != 0 && strcmp(text, coso_strerror(code)) != 0
	    && strcmp(text, coso_strerror(code)) != 0;
}

/* An ERROR reply: the central refused the whole request. */
static int
refused(struct sync *y, const struct coso_msg *m)
{
	int code = (int) m->code;

	y->r->refused = code;
	return cosoi_fail(y->s,
	    code == COSO_EBUSY ? COSO_EBUSY : COSO_EREFUSED,
	    "the central refused the request: %s%s%s", coso_strerror(code),
	    news(code, m->text) ? ": " : "",
	    news(code, m->text) ? m->text : "");
}

/* Opens, decodes and checks a reply frame. */
static int
reply_open(struct sync *y, const uint8_t *raw, size_t len, uint8_t want,
    uint64_t rid, struct reply *rep)
{
	enum coso_wire_kind kind;
	uint8_t sender[32];
	size_t plen = 0;
	int rv;

	if (coso_wire_peek(raw, len, &kind, sender) != COSO_OK
	    || kind != COSO_WIRE_REPLY
	    || sodium_memcmp(sender, y->central_pk, 32) != 0
	    || coso_wire_open(&rep->plain, &plen, y->box, raw, len, y->max)
	        != COSO_OK) {
		return cosoi_fail(y->s, COSO_EPROTO,
		    "a reply is not sealed by the pinned central key");
	}
	if ((rv = coso_msg_decode(&rep->m, rep->plain, plen)) != COSO_OK) {
		return cosoi_fail(y->s, COSO_EPROTO,
		    "malformed reply from the central: %s", coso_strerror(rv));
	}
	if (rep->m->request_id != rid) {
		return cosoi_fail(
		    y->s, COSO_EPROTO, "the central answered another request");
	}
	if (rep->m->type == COSO_MSG_ERROR) {
		return refused(y, rep->m);
	}
	if (rep->m->type != want) {
		return cosoi_fail(y->s, COSO_EPROTO,
		    "the central answered with message type %u", rep->m->type);
	}
	return COSO_OK;
}

/* Sends a frame, resending it after a timeout, and opens the reply. */
static int
exchange(struct sync *y, const uint8_t *frame, size_t flen, uint8_t want,
    uint64_t rid, struct reply *rep)
{
	char err[COSOI_NET_ERR_MAX] = "";
	unsigned i,
	    n        = y->attempts  ? y->attempts
	           : y->o->attempts ? y->o->attempts
	                            : ATTEMPTS_DEFAULT;
	uint8_t *raw = NULL;
	size_t rlen  = 0;
	int rv       = COSO_ENET;

	for (i = 0; i < n && rv == COSO_ENET; i++) {
		y->r->bytes_sent += flen;
		rv = y->net->call(y->net->conn, frame, flen, &raw, &rlen, err);
	}
	if (rv != COSO_OK) {
		return cosoi_fail(y->s, rv, "%s", err);
	}
	y->r->bytes_received += rlen;
	rv = reply_open(y, raw, rlen, want, rid, rep);
	free(raw);
	if (rv != COSO_OK) {
		reply_free(rep);
	}
	return rv;
}

static int rpc_plain(struct sync *y, const uint8_t *plain, size_t plen,
    uint8_t want, uint64_t rid, struct reply *rep);

/* One request and its reply of type want. */
static int
rpc(struct sync *y, struct coso_msg *req, uint8_t want, struct reply *rep)
{
	uint8_t *plain = NULL;
	size_t plen    = 0;
	int rv;

	req->request_id = ++y->req_id;
	if ((rv = coso_msg_encode(
	         req, &plain, &plen, y->max - COSO_WIRE_OVERHEAD))
	    != COSO_OK) {
		return cosoi_fail(y->s, rv, "cannot encode a request: %s",
		    coso_strerror(rv));
	}
	rv = rpc_plain(y, plain, plen, want, req->request_id, rep);
	free(plain);
	return rv;
}

/*
 * A key the central knows (it names our cadre) but does not count as
 * enrolled is revoked, and revocation is final: the first STATUS that
 * says so is kept (meta `revoked_ms', the central's time), so that
 * `coso status' can say why every push is refused.  A central that calls
 * the key enrolled again (restored from a backup made before the
 * revocation) clears it.
 */
static int
revoked_store(struct sync *y)
{
	if (y->r->enrolled) {
		return cosoi_exec(
		    y->s, "DELETE FROM meta WHERE key = 'revoked_ms'");
	}
	if (!y->known) {
		return COSO_OK;
	}
	return cosoi_meta_set_i64(y->s, "revoked_ms",
	    y->revoked_ms != 0 ? (int64_t) y->revoked_ms
	                       : (int64_t) y->central_ms);
}

/* The skew, when it was measured, whether the central knows us; and the
 * central's time into the clock (cosoi_hlc_central). */
static int
status_store(struct sync *y)
{
	char *was;
	int rv;

	if ((rv = cosoi_begin(y->s)) != COSO_OK) {
		return rv;
	}
	was           = cosoi_meta_get(y->s, "revoked_ms");
	y->revoked_ms = was != NULL ? strtoull(was, NULL, 10) : 0;
	free(was);
	if ((rv = revoked_store(y)) != COSO_OK) {
		cosoi_rollback(y->s);
		return rv;
	}
	if ((rv = cosoi_meta_set_i64(y->s, "skew_ms", y->r->skew_ms))
	        != COSO_OK
	    || (rv = cosoi_meta_set_i64(
	            y->s, "skew_at_ms", (int64_t) y->central_ms))
	        != COSO_OK
	    || (rv = cosoi_meta_set_i64(y->s, "enrolled", y->r->enrolled))
	        != COSO_OK
	    || (rv = cosoi_hlc_central(y->s, y->central_ms)) != COSO_OK) {
		cosoi_rollback(y->s);
		return rv;
	}
	return cosoi_commit(y->s);
}

/* Records the central's clock against ours and what it expects. */
static int
status_take(struct sync *y, const struct coso_msg *m, uint64_t t0)
{
	uint64_t t1 = coso_wall_ms(), mid = t0 + (t1 - t0) / 2;

	y->central_ms    = m->central_ms;
	y->mono_ms       = mono_ms();
	y->r->central_ms = m->central_ms;
	y->r->skew_ms    = (int64_t) m->central_ms - (int64_t) mid;
	y->r->enrolled   = m->enrolled != 0;
	y->known         = m->cadre_id[0] != 0;
	y->next_seq      = m->next_seq > 0 ? m->next_seq : 1;
	if (m->max_message >= MESSAGE_MIN && m->max_message < y->max) {
		y->max = m->max_message;
	}
	return status_store(y);
}

/*
 * STATUS is tiny: a central that does not answer it within
 * STATUS_TIMEOUT_MS is down, or cannot open our frames because the key
 * pinned here is not its key.  Asking once, briefly, tells the cadre so
 * at once instead of after every long timeout meant for big pushes.
 */
static int
do_status(struct sync *y)
{
	struct coso_msg req = {.type = COSO_MSG_STATUS};
	struct reply rep    = {0};
	uint64_t t0         = coso_wall_ms();
	uint32_t full       = y->o->recv_timeout_ms ? y->o->recv_timeout_ms
	                                            : TIMEOUT_DEFAULT_MS;
	int rv,
	    brief = y->net->set_timeout != NULL && full > STATUS_TIMEOUT_MS;

	/* What the central measures this device's clock by. */
	req.device_ms = t0;
	if ((rv = cosoi_hlc_last(y->s, &req.hlc)) != COSO_OK) {
		return rv;
	}
	if (brief) {
		y->net->set_timeout(y->net->conn, STATUS_TIMEOUT_MS);
		y->attempts = 1;
	}
	rv = rpc(y, &req, COSO_MSG_STATUS_REP, &rep);
	if (brief) {
		y->net->set_timeout(y->net->conn, full);
		y->attempts = 0;
	}
	if (rv == COSO_ENET) {
		return cosoi_fail(y->s, rv,
		    "no answer from the central within %u s: it is down or "
		    "overloaded, or the key pinned with `coso pin' is not its "
		    "key",
		    STATUS_TIMEOUT_MS / 1000);
	}
	if (rv != COSO_OK) {
		return rv;
	}
	rv = status_take(y, rep.m, t0);
	reply_free(&rep);
	return rv != COSO_OK ? rv : progress(y, COSO_SYNC_STATUS, 1, 1);
}

/* The enrollment is done (or was already): forget the token. */
static int
enroll_done(struct sync *y)
{
	int rv;

	y->r->enrolled = 1;
	if ((rv = cosoi_begin(y->s)) != COSO_OK) {
		return rv;
	}
	if ((rv = cosoi_exec(y->s,
	         "DELETE FROM meta WHERE key = 'enroll_token';"
	         "INSERT OR REPLACE INTO meta VALUES ('enrolled', '1')"))
	    != COSO_OK) {
		cosoi_rollback(y->s);
		return rv;
	}
	return cosoi_commit(y->s);
}

/* Sends the queued enrollment token, if any, unless already enrolled. */
static int
do_enroll(struct sync *y)
{
	struct coso_msg req = {.type = COSO_MSG_ENROLL};
	struct reply rep    = {0};
	char *hex           = cosoi_meta_get(y->s, "enroll_token");
	size_t n            = 0;
	int rv;

	if (hex == NULL) {
		return COSO_OK;
	}
	if (y->r->enrolled) {
		rv = enroll_done(y);
		goto out;
	}
	if (sodium_hex2bin(req.token, 32, hex, strlen(hex), NULL, &n, NULL)
	        != 0
	    || n != 32) {
		rv = cosoi_fail(
		    y->s, COSO_EFIELD, "the queued token is damaged");
		goto out;
	}
	/* A store made before coso init checked it may hold a longer id:
	 * refused here rather than sent cut short. */
	if (strlen(y->s->cadre) > COSO_ID_MAX) {
		rv = cosoi_fail(y->s, COSO_EFIELD,
		    "cadre: the store's id is longer than %u characters",
		    COSO_ID_MAX);
		goto out;
	}
	memcpy(req.cadre_id, y->s->cadre, strlen(y->s->cadre) + 1);
	if ((rv = rpc(y, &req, COSO_MSG_ENROLL_REP, &rep)) != COSO_OK) {
		goto out;
	}
	if (rep.m->code != 0) {
		y->r->enroll_code = (int) rep.m->code;
		rv                = cosoi_fail(y->s, COSO_EREFUSED,
		                   "enrollment refused: %s%s%s",
		                   coso_strerror((int) rep.m->code),
                    news((int) rep.m->code, rep.m->text) ? ": " : "",
                    news((int) rep.m->code, rep.m->text) ? rep.m->text : "");
		goto out;
	}
	rv = enroll_done(y);
out:
	reply_free(&rep);
	sodium_memzero(req.token, sizeof(req.token));
	if (hex != NULL) {
		sodium_memzero(hex, strlen(hex));
		free(hex);
	}
	return rv != COSO_OK ? rv : progress(y, COSO_SYNC_ENROLL, 1, 1);
}

/* Adds the row in st to b if it fits a frame of max bytes: 1 if added,
 * 0 if it does not fit, -1 out of memory. */
static int
batch_add(sqlite3_stmt *st, struct cosoi_push_batch *b, size_t max)
{
	struct cosoi_push_entry *e = &b->e[b->n];
	size_t len                 = (size_t) sqlite3_column_bytes(st, 2);

	if (b->frame + COSOI_PUSH_PER_ITEM + len > max) {
		return 0;
	}
	if (sqlite3_column_bytes(st, 1) != 32
	    || (e->cs = malloc(len > 0 ? len : 1)) == NULL) {
		return -1;
	}
	e->seq = (uint64_t) sqlite3_column_int64(st, 0);
	memcpy(e->id, sqlite3_column_blob(st, 1), 32);
	memcpy(e->cs, sqlite3_column_blob(st, 2), len);
	e->len = len;
	b->frame += COSOI_PUSH_PER_ITEM + len;
	b->n++;
	return 1;
}

/* Change-sets in one batch: the wire's limit, and as many verdicts with
 * receipts and proofs as a reply of max bytes holds. */
static size_t
batch_items(size_t max)
{
	size_t n = (max - COSOI_PUSH_REP_FIXED) / COSOI_PUSH_REP_ITEM;

	return n < COSO_WIRE_ITEMS_MAX ? n : COSO_WIRE_ITEMS_MAX;
}

int
cosoi_push_batch(struct coso_store *s, uint64_t from, uint64_t central_next,
    size_t max, struct cosoi_push_batch *b)
{
	sqlite3_stmt *st = NULL;
	size_t items;
	int rc = SQLITE_DONE, added = 1;

	memset(b, 0, sizeof(*b));
	b->frame = COSOI_PUSH_FIXED;
	if (max <= COSOI_PUSH_REP_FIXED + COSOI_PUSH_REP_ITEM) {
		return cosoi_fail(s, COSO_ETOOBIG, "message limit too small");
	}
	items = batch_items(max);
	if ((b->e = calloc(items, sizeof(*b->e))) == NULL
	    || sqlite3_prepare_v2(s->db,
	           "SELECT seq, id, bytes FROM outbox WHERE seq >= ?1 "
	           "AND (acked = 0 OR seq >= ?2) ORDER BY seq",
	           -1, &st, NULL)
	        != SQLITE_OK) {
		cosoi_push_batch_free(b);
		return cosoi_db_fail(s, "cannot read the outbox");
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64) from);
	sqlite3_bind_int64(st, 2, (sqlite3_int64) central_next);
	while (added == 1 && b->n < items
	    && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		added = batch_add(st, b, max);
	}
	sqlite3_finalize(st);
	if (added < 0 || (rc != SQLITE_ROW && rc != SQLITE_DONE)) {
		cosoi_push_batch_free(b);
		return cosoi_fail(s, added < 0 ? COSO_ENOMEM : COSO_ESTORE,
		    "cannot load the outbox");
	}
	if (b->n == 0 && rc == SQLITE_ROW) {
		cosoi_push_batch_free(b);
		return cosoi_fail(s, COSO_ETOOBIG,
		    "a change-set does not fit the message limit of %zu "
		    "bytes",
		    max);
	}
	if (b->n == 0) {
		cosoi_push_batch_free(b); /* nothing for the caller to free */
	}
	return COSO_OK;
}

void
cosoi_push_batch_free(struct cosoi_push_batch *b)
{
	size_t i;

	for (i = 0; b->e != NULL && i < b->n; i++) {
		free(b->e[i].cs);
	}
	free(b->e);
	memset(b, 0, sizeof(*b));
}

/* The first column of sql's one row, with ?1 = a and ?2 = b, into *out.
 * A store that cannot answer is an error, never a zero: a zero start
 * would push the whole outbox again. */
static int
query_u64(struct coso_store *s, const char *sql, uint64_t a, uint64_t b,
    uint64_t *out)
{
	sqlite3_stmt *st = NULL;
	int rv           = COSO_OK;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		rv = cosoi_db_fail(s, "cannot read the outbox");
		goto out;
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64) a);
	sqlite3_bind_int64(st, 2, (sqlite3_int64) b);
	if (sqlite3_step(st) != SQLITE_ROW) {
		rv = cosoi_db_fail(s, "cannot read the outbox");
		goto out;
	}
	*out = (uint64_t) sqlite3_column_int64(st, 0);
out:
	sqlite3_finalize(st);
	return rv;
}

/* The change-sets not yet acknowledged, into *n. */
static int
pending_count(struct coso_store *s, uint64_t *n)
{
	return query_u64(
	    s, "SELECT count(*) FROM outbox WHERE acked = 0", 0, 0, n);
}

/* Where pushing starts: the first unacknowledged entry or the central's
 * next seq, whichever is lower. */
static int
push_start(struct sync *y, uint64_t *from)
{
	uint64_t first;
	int rv = query_u64(y->s,
	    "SELECT coalesce(min(seq), ?1) FROM outbox WHERE acked = 0",
	    y->next_seq, 0, &first);

	*from = first < y->next_seq ? first : y->next_seq;
	return rv;
}

/* Encodes the PUSH, leaving out entries from the end until it fits. */
static int
push_encode(
    struct sync *y, struct coso_msg *req, uint8_t **plain, size_t *plen)
{
	int rv;

	while ((rv = coso_msg_encode(
	            req, plain, plen, y->max - COSO_WIRE_OVERHEAD))
	        == COSO_ETOOBIG
	    && req->nitems > 1) {
		req->nitems--;
	}
	if (rv != COSO_OK) {
		return cosoi_fail(
		    y->s, rv, "cannot encode a push: %s", coso_strerror(rv));
	}
	return COSO_OK;
}

/* Seals an encoded request and exchanges it. */
static int
rpc_plain(struct sync *y, const uint8_t *plain, size_t plen, uint8_t want,
    uint64_t rid, struct reply *rep)
{
	uint8_t *frame = NULL;
	size_t flen    = 0;
	int rv;

	if ((rv = coso_wire_seal(&frame, &flen, y->box, y->s->pk,
	         COSO_WIRE_REQUEST, plain, plen))
	    != COSO_OK) {
		return cosoi_fail(
		    y->s, rv, "cannot seal a request: %s", coso_strerror(rv));
	}
	rv = exchange(y, frame, flen, want, rid, rep);
	free(frame);
	return rv;
}

/* What a PUSH reply said beyond the verdicts taken. */
struct push_outcome {
	uint64_t gap;    /* the lowest expected_seq of a GAP, or 0 */
	uint16_t refuse; /* the reason of a REFUSED, or 0 */
	int bad;         /* a verdict was not taken: COSO_EPROTO */
};

static struct cosoi_push_entry *
entry_for(struct cosoi_push_batch *b, size_t sent, const uint8_t id[32])
{
	size_t i;

	for (i = 0; i < sent; i++) {
		if (!b->e[i].done && memcmp(b->e[i].id, id, 32) == 0) {
			return &b->e[i];
		}
	}
	return NULL;
}

static void
count_verdict(
    struct coso_sync_report *r, const struct coso_msg_item *it, uint64_t seq)
{
	if (it->status == COSO_VERDICT_ACCEPTED) {
		r->accepted++;
	} else if (it->status == COSO_VERDICT_DUPLICATE) {
		r->duplicate++;
	} else {
		r->quarantined++;
		if (r->nquarantine < COSO_SYNC_QMAX) {
			r->quarantine[r->nquarantine].seq    = seq;
			r->quarantine[r->nquarantine].reason = it->reason;
			r->nquarantine++;
		}
	}
}

/* One reply item, inside the verdicts' transaction. */
static int
take_item(struct sync *y, struct cosoi_take *t, struct cosoi_push_batch *b,
    size_t sent, const struct coso_msg_item *it, struct push_outcome *po)
{
	struct cosoi_push_entry *e;
	int rv;

	switch (it->status) {
	case COSO_VERDICT_GAP:
		if (it->expected_seq >= 1
		    && (po->gap == 0 || it->expected_seq < po->gap)) {
			po->gap = it->expected_seq;
		}
		return COSO_OK;
	case COSO_VERDICT_REFUSED:
		po->refuse = it->reason ? it->reason : COSO_EREFUSED;
		return COSO_OK;
	case COSO_VERDICT_ACCEPTED:
	case COSO_VERDICT_DUPLICATE:
	case COSO_VERDICT_QUARANTINED:
		break;
	default:
		po->bad = 1;
		return COSO_OK;
	}
	if ((e = entry_for(b, sent, it->id)) == NULL) {
		po->bad = 1; /* names nothing this push sent */
		return COSO_OK;
	}
	rv = cosoi_sync_take(y->s, t, e->seq, e->id, it);
	if (rv == COSO_EPROTO) {
		y->r->bad_receipts++;
		po->bad = 1;
		return COSO_OK;
	}
	if (rv == COSO_OK) {
		e->done = 1;
		count_verdict(y->r, it, e->seq);
		y->r->clamped += it->status != COSO_VERDICT_QUARANTINED
		    && it->reason == COSO_ECLOCK;
	}
	return rv;
}

/*
 * PROOF: the consistency proof between two sizes of the central's log.
 * A central older than PROOF refuses the request as malformed
 * (COSO_ESCHEMA): COSO_ENOENT, so that the device takes its checkpoint
 * unproved (gossip.c).
 */
static int
proof_fetch(void *arg, uint64_t from, uint64_t to,
    uint8_t out[COSO_PROOF_MAX][32], size_t *n)
{
	struct sync *y = arg;
	struct coso_msg req
	    = {.type = COSO_MSG_PROOF, .from_size = from, .to_size = to};
	struct reply rep = {0};
	int rv           = rpc(y, &req, COSO_MSG_PROOF_REP, &rep);

	if (rv == COSO_EREFUSED && y->r->refused == COSO_ESCHEMA) {
		y->r->refused = 0;
		return COSO_ENOENT;
	}
	if (rv == COSO_OK
	    && (rep.m->from_size != from || rep.m->to_size != to)) {
		rv = cosoi_fail(y->s, COSO_EPROTO,
		    "the central answered another consistency proof");
	}
	if (rv == COSO_OK) {
		*n = rep.m->nproof;
		if (*n > 0) {
			memcpy(out[0], rep.m->proof, *n * 32);
		}
	}
	reply_free(&rep);
	return rv;
}

/* The reply's checkpoint against the latest held, before anything of
 * the reply is taken; one that does not verify is left to the take. */
static int
checkpoint_check(struct sync *y, const struct cosoi_take *t, int *how)
{
	struct cosoi_proof_src src = {proof_fetch, y};
	int rv;

	*how = 0;
	if (t->note == NULL || t->note_err != COSO_OK) {
		return COSO_OK;
	}
	rv = cosoi_cp_check(
	    y->s, y->central_pk, &t->cp, t->note, t->note_len, &src, how);
	if (rv == COSO_EPROTO) {
		y->r->split_views++;
	}
	return rv;
}

static int
take_verdicts(struct sync *y, struct cosoi_push_batch *b, size_t sent,
    const struct coso_msg *m, struct push_outcome *po)
{
	struct cosoi_take t;
	size_t i;
	int rv;

	cosoi_take_init(&t, y->central_pk, y->self_id, m);
	if ((rv = checkpoint_check(y, &t, &t.how)) != COSO_OK) {
		return rv;
	}
	if ((rv = cosoi_begin(y->s)) != COSO_OK) {
		return rv;
	}
	for (i = 0; i < m->nitems && rv == COSO_OK; i++) {
		rv = take_item(y, &t, b, sent, &m->items[i], po);
	}
	if (rv != COSO_OK) {
		cosoi_rollback(y->s);
		return rv;
	}
	return cosoi_commit(y->s);
}

/* Where the next batch starts after a reply, or why the push stops. */
static int
push_next(struct sync *y, const struct cosoi_push_batch *b, size_t sent,
    const struct push_outcome *po, uint64_t *from, int *gaps)
{
	size_t i;

	if (po->bad) {
		return y->r->bad_receipts > 0
		    ? COSO_EPROTO /* the message names the receipt */
		    : cosoi_fail(y->s, COSO_EPROTO,
		        "a verdict names a change-set not sent");
	}
	if (po->refuse) {
		y->r->refused = po->refuse;
		return cosoi_fail(y->s, COSO_EREFUSED,
		    "the central refused the change-sets: %s",
		    coso_strerror(po->refuse));
	}
	if (po->gap) {
		if (++*gaps > GAPS_MAX) {
			return cosoi_fail(y->s, COSO_EPROTO,
			    "the central keeps asking for seq %llu",
			    (unsigned long long) po->gap);
		}
		*from = po->gap;
		if (po->gap < y->next_seq) {
			y->next_seq = po->gap; /* resend what it lost */
		}
		return COSO_OK;
	}
	for (i = 0; i < sent; i++) {
		if (!b->e[i].done) {
			return cosoi_fail(y->s, COSO_EPROTO,
			    "the central did not answer seq %llu",
			    (unsigned long long) b->e[i].seq);
		}
	}
	*from = b->e[sent - 1].seq + 1;
	return COSO_OK;
}

/* Pushes one batch and takes its verdicts; *sent counts what went. */
static int
push_one(struct sync *y, struct cosoi_push_batch *b, uint64_t *from, int *gaps,
    size_t *sent)
{
	struct coso_msg req      = {.type = COSO_MSG_PUSH};
	struct push_outcome po   = {0};
	struct reply rep         = {0};
	struct coso_msg_item *it = calloc(b->n, sizeof(*it));
	uint8_t *plain           = NULL;
	size_t plen              = 0, i;
	int rv;

	if (it == NULL) {
		return cosoi_fail(y->s, COSO_ENOMEM, "out of memory");
	}
	for (i = 0; i < b->n; i++) {
		it[i].cs     = b->e[i].cs;
		it[i].cs_len = b->e[i].len;
	}
	req.items      = it;
	req.nitems     = b->n;
	req.request_id = ++y->req_id;
	if ((rv = push_encode(y, &req, &plain, &plen)) != COSO_OK
	    || (rv = rpc_plain(
	            y, plain, plen, COSO_MSG_PUSH_REP, req.request_id, &rep))
	        != COSO_OK) {
		goto out;
	}
	*sent = req.nitems;
	y->r->pushed += req.nitems;
	if ((rv = take_verdicts(y, b, req.nitems, rep.m, &po)) == COSO_OK) {
		rv = push_next(y, b, req.nitems, &po, from, gaps);
	}
out:
	reply_free(&rep);
	free(plain);
	free(it);
	return rv;
}

/* The smallest push frame a round shrinks to after timeouts: about 5 s
 * at 2G's 50 kbit/s. */
#define PUSH_FLOOR (32u * 1024u)

/* A batch of at most limit bytes; one change-set bigger than that goes
 * alone, within the wire's limit. */
static int
push_batch(
    struct sync *y, uint64_t from, size_t limit, struct cosoi_push_batch *b)
{
	int rv = COSO_ETOOBIG;

	if (limit < y->max) {
		rv = cosoi_push_batch(y->s, from, y->next_seq, limit, b);
	}
	if (rv == COSO_ETOOBIG) {
		rv = cosoi_push_batch(y->s, from, y->next_seq, y->max, b);
	}
	return rv;
}

/*
 * A frame that cannot cross a slow link within the receive timeout is
 * never delivered by sending it again (tests/fault/link_2g.sh): a push
 * bigger than PUSH_FLOOR is tried once, and after a network failure the
 * round goes on with frames half as big.  Requests are idempotent, so a
 * frame the central took after all comes back as DUPLICATE verdicts.
 */
static int
push_sized(struct sync *y, struct cosoi_push_batch *b, uint64_t *from,
    int *gaps, size_t *sent, size_t *limit)
{
	unsigned attempts = y->attempts;
	size_t frame      = b->frame;
	int rv;

	if (frame > PUSH_FLOOR) {
		y->attempts = 1;
	}
	rv          = push_one(y, b, from, gaps, sent);
	y->attempts = attempts;
	if (rv == COSO_ENET && frame > PUSH_FLOOR) {
		*limit = frame / 2 > PUSH_FLOOR ? frame / 2 : PUSH_FLOOR;
		y->r->shrunk++;
		return COSO_OK;
	}
	return rv;
}

static int
do_push(struct sync *y)
{
	struct cosoi_push_batch b = {0};
	uint64_t from = 0, done = 0, total = 0;
	size_t sent, limit = y->max;
	int gaps = 0, rv;

	if ((rv = push_start(y, &from)) != COSO_OK
	    || (rv = query_u64(y->s,
	            "SELECT count(*) FROM outbox WHERE seq >= ?1 AND "
	            "(acked = 0 OR seq >= ?2)",
	            from, y->next_seq, &total))
	        != COSO_OK) {
		return rv;
	}
	for (;;) {
		rv = push_batch(y, from, limit, &b);
		if (rv != COSO_OK || b.n == 0) {
			break;
		}
		sent = 0;
		rv   = push_sized(y, &b, &from, &gaps, &sent, &limit);
		cosoi_push_batch_free(&b);
		done += sent;
		if (rv != COSO_OK
		    || (rv = progress(y, COSO_SYNC_PUSH, done, total))
		        != COSO_OK) {
			break;
		}
	}
	cosoi_push_batch_free(&b);
	return rv;
}

static int
do_pull(struct sync *y)
{
	struct reply rep = {0};
	uint64_t cursor;
	int i, more, moved, rv;

	for (i = 0; i < PULLS_MAX; i++) {
		struct coso_msg req = {.type = COSO_MSG_PULL};

		req.cursor = cursor = cosoi_meta_u64(y->s, "pull_cursor", 0);
		req.max_bytes       = (uint32_t) (y->max - PULL_SLACK);
		if ((rv = rpc(y, &req, COSO_MSG_PULL_REP, &rep)) != COSO_OK) {
			return rv;
		}
		rv = cosoi_sync_apply_pull(
		    y->s, y->self_id, central_now(y), rep.m, y->r);
		more  = rep.m->more;
		moved = rep.m->cursor != cursor || rep.m->nitems > 0;
		reply_free(&rep);
		if (rv != COSO_OK
		    || (rv = progress(y, COSO_SYNC_PULL, y->r->pulled, 0))
		        != COSO_OK
		    || !more) {
			return rv;
		}
		if (!moved) {
			return cosoi_fail(y->s, COSO_EPROTO,
			    "the central has more to pull but gives nothing");
		}
	}
	return COSO_OK;
}

/* The device key, the pinned central key and the box between them. */
static int
setup(struct sync *y)
{
	int rv;

	if ((rv = cosoi_key_load(y->s)) != COSO_OK
	    || (rv = cosoi_central_pk(y->s, y->central_pk)) != COSO_OK) {
		return rv;
	}
	if ((rv = coso_box_new(&y->box, y->s->key, y->central_pk))
	    != COSO_OK) {
		return cosoi_fail(y->s, rv,
		    "cannot derive the session key: %s", coso_strerror(rv));
	}
	coso_key_id(y->s->key, y->self_id);
	randombytes_buf(&y->req_id, sizeof(y->req_id));
	y->req_id >>= 1; /* never wraps within a round */
	return COSO_OK;
}

static int
last_sync(struct coso_store *s)
{
	int rv;

	if ((rv = cosoi_begin(s)) != COSO_OK) {
		return rv;
	}
	if ((rv = cosoi_meta_set_i64(
	         s, "last_sync_ms", (int64_t) coso_wall_ms()))
	    != COSO_OK) {
		cosoi_rollback(s);
		return rv;
	}
	return cosoi_commit(s);
}

int
cosoi_sync_round_net(struct coso_store *s, const struct coso_sync_opts *o,
    struct coso_sync_report *r, struct cosoi_net *net)
{
	struct sync y = {.s = s, .o = o, .r = r, .net = net};
	uint64_t t0   = coso_wall_ms();
	int rv, prv;

	memset(r, 0, sizeof(*r));
	y.max = o->max_message ? o->max_message : COSO_WIRE_MAX_DEFAULT;
	if (y.max > COSO_WIRE_MAX_LIMIT) {
		y.max = COSO_WIRE_MAX_LIMIT;
	}
	if (y.max < MESSAGE_MIN) {
		y.max = MESSAGE_MIN;
	}
	if ((rv = setup(&y)) == COSO_OK && (rv = do_status(&y)) == COSO_OK
	    && (rv = do_enroll(&y)) == COSO_OK && (rv = do_push(&y)) == COSO_OK
	    && (rv = do_pull(&y)) == COSO_OK) {
		rv = last_sync(s);
	}
	/* The first error is the one to report. */
	prv           = pending_count(s, &r->pending);
	rv            = rv != COSO_OK ? rv : prv;
	r->elapsed_ms = coso_wall_ms() - t0;
	coso_box_free(y.box);
	return rv;
}

int
coso_sync_round(struct coso_store *s, const struct coso_sync_opts *o,
    struct coso_sync_report *r)
{
	static const struct coso_sync_opts none = {0};
	struct cosoi_net net                    = {0};
	struct cosoi_net_tls tls                = {0};
	char err[COSOI_NET_ERR_MAX]             = "";
	char *url                               = NULL;
	uint8_t pk[32];
	int rv;

	o = o != NULL ? o : &none;
	memset(r, 0, sizeof(*r));
	if ((rv = pending_count(s, &r->pending)) != COSO_OK
	    || (rv = cosoi_central_pk(s, pk)) != COSO_OK) {
		return rv;
	}
	url = o->url != NULL ? strdup(o->url)
	                     : cosoi_meta_get(s, "central_url");
	if (url == NULL) {
		return cosoi_fail(s, COSO_ENOPIN, "no central URL pinned");
	}
	tls.ca_file     = o->tls_ca;
	tls.server_name = o->tls_server_name;
	rv              = cosoi_net_dial(&net, url, &tls,
            o->max_message ? o->max_message : COSO_WIRE_MAX_DEFAULT,
            o->recv_timeout_ms ? o->recv_timeout_ms : TIMEOUT_DEFAULT_MS, err);
	if (rv != COSO_OK) {
		rv = cosoi_fail(s, rv, "%s: %s", url, err);
	} else {
		rv = cosoi_sync_round_net(s, o, r, &net);
		net.close(net.conn);
	}
	free(url);
	return rv;
}
