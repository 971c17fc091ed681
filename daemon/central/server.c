/*
 * server.c: contexts, request handling, the workers, start and stop.
 *
 * Threads.  nng's callbacks never wait: a context's callback, when a
 * request arrives, only counts it against its connection (conns.h) and
 * puts the context on the work queue; when a send ends, it frees the
 * request and receives the next.  Worker threads, each owning one
 * read-only database handle, take contexts from the queue and do
 * everything else: open the frame, decode, look the sender up, verify a
 * PUSH's signatures, answer STATUS and PULL, build a committed PUSH's
 * proofs, and send the reply (nng_ctx_send with the context's aio,
 * from the worker).  PUSH and ENROLL go on to the writer thread
 * (writer.h), which only orders, applies and commits; after the commit
 * it puts a PUSH's context back on the queue (ahead of new requests) for
 * its proofs and reply, and answers an ENROLL itself.
 *
 * Bounds: a context holds at most one request and is on the queue at
 * most once, so the queue never holds more than the contexts and never
 * refuses; a request waits there for a worker instead of holding an
 * nng thread.  Workers: one per core, at least SERVER_WORKERS_MIN (so
 * that reads go on while signatures are checked), at most
 * SERVER_WORKERS_MAX (each holds database files).
 *
 * A context's state is changed only by whoever holds its request: the
 * callback until it queues it, a worker while it is queued or handled,
 * the writer while a job is queued (its done function), then the
 * callback again when the send ends.
 */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nng/nng.h>
#include <nng/protocol/reqrep0/rep.h>
#include <nng/supplemental/tls/tls.h>
#include <nng/supplemental/util/platform.h>
#include <sodium.h>

#include <coso/common.h>

#include "admit.h"
#include "boxcache.h"
#include "store.h"
#include "conns.h"
#include "files.h"
#include "proofs.h"
#include "pull.h"
#include "server.h"
#include "sockfd.h"
#include "writer.h"

#define REPLY_SLACK 64u /* reply header and fields around the items */
#define PEM_MAX     (64u * 1024u)
#define ANON_MS     10000u  /* idle deadline without a registered key */
#define IDLE_MS     300000u /* idle deadline of a device's connection */
#define SWEEP_MS    1000u   /* how often deadlines are checked */
#define RETRY_MS    2000u   /* ending a connection again, after */
#define SWEEP_MAX   256u    /* connections closed per check, at most */

_Static_assert(sizeof(struct sockfd_pair) == CONNS_KEY, "key size");

enum ctx_state {
	S_IDLE   = 0,
	S_RECV   = 1,
	S_WORK   = 2, /* queued for the writer */
	S_SEND   = 3,
	S_PROOF  = 4, /* committed: proofs and reply, on a worker */
	S_QUEUED = 5, /* received: on a worker */
};

struct sctx {
	struct server *srv;
	struct sctx *next; /* the work queue's link */
	nng_ctx ctx;
	nng_aio *aio;
	atomic_int state;
	uint32_t pipe; /* the request's connection (conns.h), or 0 */
	nng_msg *msg;  /* the request's frame, until a worker opens it */
	struct boxent *box;
	uint8_t peer[32];
	uint64_t rid;
	uint8_t *plain;
	size_t plain_len;
	struct coso_msg *req;
	struct wjob job;
	uint8_t *sig;
	uint8_t *decoded;      /* PUSH: the bodies decoded here */
	struct coso_ops **ops; /* their ops, or NULL */
	int *ops_err;          /* their decoding's result */
	size_t nbodies;        /* entries in decoded, ops, ops_err */
	struct merge_out *out;
	char *note;         /* PUSH: the group's checkpoint */
	uint64_t note_size; /* its tree size */
	uint8_t *proofs;    /* the reply's proofs, items point into it */
};

/* A worker thread and the read-only database handle it owns. */
struct worker {
	struct server *srv;
	struct central_store *h;
	pthread_t thread;
	int running;
};

/* Contexts waiting for a worker (at most all of them, each once). */
struct workq {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct sctx *head, *tail;
	int stopping; /* no more is queued; the workers end when it is empty */
	int ready;
};

/* Requests refused for want of a key or token: counted, and summed into
 * one log line a minute at most, since anyone can send them. */
#define REFUSED_LOG_MS 60000u

enum refusal {
	REFUSED_ENROLL = 0,
	REFUSED_PUSH   = 1,
	REFUSED_PULL   = 2,
};

struct refusals {
	atomic_ullong n[3];
	atomic_ullong last_ms; /* when the last line was written, or 0 */
	unsigned long long start_ms;
};

struct server {
	struct server_cfg cfg;
	const struct clog *log;
	struct coso_key *key;
	uint8_t pk[32];
	struct central_store *wstore;
	struct writer *writer;
	struct boxcache *boxes;
	struct workq q;
	struct worker *workers;
	unsigned nworkers;
	nng_socket sock;
	nng_listener listener;
	int sock_open, listening;
	struct sctx *ctxs;
	unsigned nctx;
	struct refusals refused;
	atomic_int stopping;
	struct conns *conns;
	struct sockfd *sockfd;
	nng_aio *sweep; /* deadlines, every SWEEP_MS */
};

/* ---- work queue ------------------------------------------------------------
 */

static void
workq_init(struct workq *q)
{
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	q->ready = 1;
}

/*
 * Queues c for a worker: at the tail, or at the head (first) for a
 * committed PUSH, whose device is waiting and whose context is freed by
 * the reply.  -1 once stopping: no worker will take it.  Any thread;
 * waits for nothing but the queue's lock.
 */
static int
workq_put(struct workq *q, struct sctx *c, int first)
{
	int rv = 0;

	pthread_mutex_lock(&q->mu);
	if (q->stopping) {
		rv = -1;
	} else if (first || q->head == NULL) {
		c->next = q->head;
		q->head = c;
		q->tail = q->tail != NULL ? q->tail : c;
	} else {
		c->next       = NULL;
		q->tail->next = c;
		q->tail       = c;
	}
	if (rv == 0) {
		pthread_cond_signal(&q->cv);
	}
	pthread_mutex_unlock(&q->mu);
	return rv;
}

/* The next context for a worker; NULL once stopping and empty. */
static struct sctx *
workq_take(struct workq *q)
{
	struct sctx *c;

	pthread_mutex_lock(&q->mu);
	while (q->head == NULL && !q->stopping) {
		pthread_cond_wait(&q->cv, &q->mu);
	}
	if ((c = q->head) != NULL) {
		q->head = c->next;
		q->tail = q->head != NULL ? q->tail : NULL;
		c->next = NULL;
	}
	pthread_mutex_unlock(&q->mu);
	return c;
}

/* The registry entry of a sender's key, from a worker's handle h;
 * *known = 0 if none. */
static int
lookup(struct central_store *h, const uint8_t pk[static 32],
    struct cstore_author *a, int *known)
{
	uint8_t id[32];
	int rv;

	coso_keyid_of(id, pk);
	rv     = cstore_author_get(h, id, a);
	*known = rv == COSO_OK;
	return rv == COSO_ENOENT ? COSO_OK : rv;
}

/* Counts a refusal; the thread that finds the minute over writes the
 * line.  Any thread. */
static void
refusal(struct server *srv, enum refusal kind)
{
	struct refusals *r      = &srv->refused;
	unsigned long long now  = coso_wall_ms(),
	                   last = atomic_load(&r->last_ms);

	atomic_fetch_add(&r->n[kind], 1);
	if (now - last < REFUSED_LOG_MS
	    || !atomic_compare_exchange_strong(&r->last_ms, &last, now)) {
		return;
	}
	clog_info(srv->log,
	    "refused in the last %llu s (unknown or revoked key, or bad "
	    "token): %llu enrollments, %llu pushes, %llu pulls",
	    (now - (last > 0 ? last : r->start_ms)) / 1000,
	    atomic_exchange(&r->n[REFUSED_ENROLL], 0),
	    atomic_exchange(&r->n[REFUSED_PUSH], 0),
	    atomic_exchange(&r->n[REFUSED_PULL], 0));
}

/* ---- replies --------------------------------------------------------------
 */

/* A PUSH's decoded bodies (bodies_decode). */
static void
bodies_free(struct sctx *c)
{
	size_t i;

	for (i = 0; c->ops != NULL && i < c->nbodies; i++) {
		coso_ops_free(c->ops[i]);
	}
	free(c->ops);
	free(c->ops_err);
	free(c->decoded);
	c->ops     = NULL;
	c->ops_err = NULL;
	c->decoded = NULL;
	c->nbodies = 0;
}

static void
request_end(struct sctx *c)
{
	if (c->msg != NULL) {
		nng_msg_free(c->msg);
	}
	coso_msg_free(c->req);
	if (c->plain != NULL) {
		sodium_memzero(c->plain, c->plain_len);
	}
	free(c->plain);
	free(c->sig);
	bodies_free(c);
	free(c->out);
	free(c->note);
	free(c->proofs);
	boxcache_put(c->srv->boxes, c->box);
	if (c->pipe != 0) {
		conns_done(c->srv->conns, c->pipe, nng_clock());
	}
	c->pipe   = 0;
	c->msg    = NULL;
	c->req    = NULL;
	c->plain  = NULL;
	c->sig    = NULL;
	c->out    = NULL;
	c->note   = NULL;
	c->proofs = NULL;
	c->box    = NULL;
}

static void
recv_next(struct sctx *c)
{
	if (atomic_load(&c->srv->stopping)) {
		atomic_store(&c->state, S_IDLE);
		return;
	}
	atomic_store(&c->state, S_RECV);
	nng_ctx_recv(c->ctx, c->aio);
}

/* Ends a request without an answer and waits for the next. */
static void
drop(struct sctx *c)
{
	request_end(c);
	recv_next(c);
}

/* Seals m into a frame and sends it. */
static int
send_msg(struct sctx *c, const struct coso_msg *m)
{
	uint8_t *plain = NULL, *frame = NULL;
	size_t plen, flen;
	nng_msg *msg = NULL;
	int rv;

	rv = coso_msg_encode(
	    m, &plain, &plen, c->srv->cfg.max_message - COSO_WIRE_OVERHEAD);
	if (rv == COSO_OK) {
		rv = coso_wire_seal(&frame, &flen, boxent_box(c->box),
		    c->srv->pk, COSO_WIRE_REPLY, plain, plen);
	}
	if (rv == COSO_OK && nng_msg_alloc(&msg, flen) != 0) {
		rv = COSO_ENOMEM;
	}
	if (rv == COSO_OK) {
		memcpy(nng_msg_body(msg), frame, flen);
		atomic_store(&c->state, S_SEND);
		nng_aio_set_msg(c->aio, msg);
		nng_ctx_send(c->ctx, c->aio);
	}
	free(plain);
	free(frame);
	return rv;
}

static void
reply(struct sctx *c, struct coso_msg *m)
{
	int rv;

	m->request_id = c->rid;
	if ((rv = send_msg(c, m)) != COSO_OK) {
		clog_error(
		    c->srv->log, "cannot send a reply: %s", coso_strerror(rv));
		drop(c);
	}
}

static void
reply_error(struct sctx *c, int code)
{
	struct coso_msg m = {.type = COSO_MSG_ERROR, .code = (uint32_t) code};

	snprintf(m.text, sizeof(m.text), "%s", coso_strerror(code));
	reply(c, &m);
}

/* ---- STATUS ---------------------------------------------------------------
 */

static void
clock_done(struct wjob *j, void *arg)
{
	(void) arg;
	free(j);
}

/*
 * Records what this STATUS measured: the central's time in the reply
 * beside the device's time and HLC in the request, for the office
 * (stats) and the reports.  Queued for the writer and not waited for:
 * the reply does not depend on it, and a check lost to a full queue or
 * a crash is a measurement, not evidence.
 */
static void
clock_record(struct sctx *c, uint64_t central_ms)
{
	struct wjob *j = calloc(1, sizeof(*j));

	if (j == NULL) {
		return;
	}
	j->kind        = WJOB_CLOCK;
	j->received_ms = central_ms;
	j->device_ms   = c->req->device_ms;
	j->hlc         = c->req->hlc;
	j->bytes       = sizeof(*j);
	j->done        = clock_done;
	memcpy(j->sender_pk, c->peer, 32);
	if (writer_submit(c->srv->writer, j) != COSO_OK) {
		free(j);
	}
}

static void
on_status(struct sctx *c, struct central_store *h)
{
	struct coso_msg m = {.type = COSO_MSG_STATUS_REP,
	    .central_ms            = coso_wall_ms(),
	    .max_message           = (uint32_t) c->srv->cfg.max_message,
	    .next_seq              = 1};
	struct cstore_author a;
	int known;

	if (lookup(h, c->peer, &a, &known) != COSO_OK) {
		reply_error(c, COSO_EBUSY);
		return;
	}
	if (known) {
		m.enrolled = a.revoked < 0;
		m.next_seq = a.next_seq;
		snprintf(m.cadre_id, sizeof(m.cadre_id), "%s", a.cadre_id);
	}
	if (known && a.revoked < 0) {
		clock_record(c, m.central_ms);
	}
	reply(c, &m);
}

/* ---- ENROLL and PUSH: the writer's ----------------------------------------
 */

static void
enroll_done(struct wjob *j, void *arg)
{
	struct sctx *c    = arg;
	struct coso_msg m = {.type = COSO_MSG_ENROLL_REP};

	if (j->error != 0) {
		reply_error(c, j->error);
		return;
	}
	if (j->enroll_code != 0) {
		refusal(c->srv, REFUSED_ENROLL);
	}
	m.code = (uint32_t) j->enroll_code;
	snprintf(m.text, sizeof(m.text), "%s",
	    j->enroll_code != 0 ? coso_strerror(j->enroll_code)
	        : j->already    ? "already enrolled"
	                        : "enrolled");
	if (j->enroll_code == 0 && !j->already) {
		clog_info(
		    c->srv->log, "enrolled a key for cadre `%s'", j->cadre);
	}
	reply(c, &m);
}

/* Queues the request's job to the writer; extra: what it holds beside
 * its frame, counted against the queue's bound. */
static void
submit(struct sctx *c, size_t extra)
{
	c->job.received_ms = coso_wall_ms();
	c->job.bytes       = c->plain_len + extra;
	c->job.arg         = c;
	memcpy(c->job.sender_pk, c->peer, 32);
	atomic_store(&c->state, S_WORK);
	if (writer_submit(c->srv->writer, &c->job) != COSO_OK) {
		reply_error(c, COSO_EBUSY);
	}
}

static void
on_enroll(struct sctx *c)
{
	memset(&c->job, 0, sizeof(c->job));
	c->job.kind = WJOB_ENROLL;
	memcpy(c->job.token, c->req->token, 32);
	c->job.cadre = c->req->cadre_id;
	c->job.done  = enroll_done;
	submit(c, 0);
}

/* The verdicts into the request's items, reused for the reply (cs
 * fields are not encoded in a PUSH_REP); returns how many carry a
 * receipt. */
static size_t
push_verdicts(struct sctx *c)
{
	size_t i, with = 0;

	for (i = 0; i < c->job.n; i++) {
		struct coso_msg_item *it  = &c->req->items[i];
		const struct merge_out *o = &c->out[i];

		it->status = (uint8_t) o->verdict;
		it->reason = (uint16_t) (o->clamped ? COSO_ECLOCK : o->reason);
		it->expected_seq = o->expected_seq;
		memcpy(it->id, o->id, 32);
		it->receipt     = o->has_receipt ? o->receipt : NULL;
		it->receipt_len = o->has_receipt ? COSO_RECEIPT_BYTES : 0;
		with += o->has_receipt != 0;
	}
	return with;
}

/* Each receipt's inclusion proof in the group's checkpoint, from the
 * worker's read-only handle h (the commit is visible to it). */
static int
push_proofs(struct sctx *c, struct central_store *h)
{
	struct coso_tree_src src;
	uint64_t lookups = 0;
	int rv;

	cstore_tree_src(h, &src);
	/* One read transaction: SQLite drops a handle's page cache when
	 * another commits, once per transaction instead of per lookup. */
	if ((rv = cstore_read_begin(h)) == COSO_OK) {
		rv = proofs_fill(&src, c->note_size, c->req->items, c->job.n,
		    &c->proofs, &lookups);
		cstore_read_end(h);
	}
	if (rv != COSO_OK) {
		clog_error(c->srv->log, "cannot make inclusion proofs: %s",
		    rv == COSO_EIO ? cstore_errmsg(h) : coso_strerror(rv));
	}
	clog_debug(c->srv->log, "proofs: %zu items, %llu subtree lookups",
	    c->job.n, (unsigned long long) lookups);
	return rv;
}

/* The verdicts of a PUSH about to be answered, into the metrics. */
static void
count_verdicts(const struct sctx *c)
{
	size_t i;

	for (i = 0; i < c->req->nitems; i++) {
		metrics_verdict(c->srv->cfg.metrics, c->req->items[i].status,
		    c->req->items[i].reason);
	}
}

/*
 * The PUSH_REP of a committed job, on a worker (S_PROOF): the verdicts,
 * the group's checkpoint and each receipt's proof.  A proof that cannot
 * be made (a store failure) gets EBUSY: the device pushes again and gets
 * the same receipts as duplicates.
 */
static void
push_reply(struct sctx *c, struct central_store *h)
{
	struct coso_msg m = {.type = COSO_MSG_PUSH_REP};
	size_t with       = push_verdicts(c);

	if (push_proofs(c, h) != COSO_OK) {
		reply_error(c, COSO_EBUSY);
		return;
	}
	count_verdicts(c);
	/* The checkpoint travels beside receipts only (FORMAT.md, "Wire"). */
	m.checkpoint     = with > 0 ? c->note : NULL;
	m.checkpoint_len = m.checkpoint != NULL ? strlen(c->note) : 0;
	m.nitems         = c->job.n;
	m.items          = c->req->items;
	reply(c, &m);
}

/*
 * Writer thread, after the commit: keeps the group's checkpoint and hands
 * the rest of the request back to the workers, so proofs and sealing do
 * not hold up the next group.
 */
static void
push_done(struct wjob *j, void *arg)
{
	struct sctx *c = arg;

	if (j->error != 0) {
		reply_error(c, j->error);
		return;
	}
	if (j->checkpoint != NULL
	    && (c->note = strdup(j->checkpoint)) == NULL) {
		reply_error(c, COSO_ENOMEM);
		return;
	}
	c->note_size = j->checkpoint_size;
	atomic_store(&c->state, S_PROOF);
	/* The workers stop after the writer (server_stop): this is taken. */
	if (workq_put(&c->srv->q, c, 1) != 0) {
		reply_error(c, COSO_EBUSY);
	}
}

/* A PUSH from a key that is not registered (reason COSO_QUNKNOWN) or is
 * revoked (COSO_QREVOKED): every item refused, nothing stored. */
static void
push_refused(struct sctx *c, int reason)
{
	struct coso_msg m = {.type = COSO_MSG_PUSH_REP};
	size_t i;

	for (i = 0; i < c->req->nitems; i++) {
		struct coso_msg_item *it = &c->req->items[i];

		coso_changeset_id(it->id, it->cs, it->cs_len);
		it->status       = COSO_VERDICT_REFUSED;
		it->reason       = (uint16_t) reason;
		it->expected_seq = 0;
		it->receipt      = NULL;
	}
	m.nitems = c->req->nitems;
	m.items  = c->req->items;
	count_verdicts(c);
	reply(c, &m);
}

/* A relayed change-set's signature with its author's registered key,
 * read from the worker's handle h. */
static enum merge_sig
relay_sig(struct central_store *h, const struct coso_msg_item *it,
    const struct coso_changeset *cs)
{
	struct coso_changeset v;
	struct cstore_author a;

	if (cstore_author_get(h, cs->author, &a) != COSO_OK) {
		return MERGE_SIG_BAD; /* unknown, or unreadable: refused */
	}
	return coso_changeset_verify(&v, it->cs, it->cs_len, a.pk) == COSO_OK
	    ? MERGE_SIG_OK
	    : MERGE_SIG_BAD;
}

/* Verifies each change-set's signature with its author's key, here on
 * a worker (requests are verified on every core at once), so the writer
 * does only database work; c->sig gets the results.  No more relays are
 * verified than a sender may store in a day (admit.h); the rest are
 * marked bad, and refused. */
static void
verify_signatures(struct sctx *c, struct central_store *h)
{
	struct coso_changeset cs;
	uint8_t id[32];
	unsigned relays = 0;
	size_t i;

	coso_keyid_of(id, c->peer);
	for (i = 0; i < c->req->nitems; i++) {
		const struct coso_msg_item *it = &c->req->items[i];

		c->sig[i] = MERGE_SIG_UNCHECKED;
		if (coso_changeset_peek(&cs, it->cs, it->cs_len) != COSO_OK) {
			continue;
		}
		if (memcmp(cs.author, id, 32) == 0) {
			c->sig[i] = coso_changeset_verify(
			                &cs, it->cs, it->cs_len, c->peer)
			        == COSO_OK
			    ? MERGE_SIG_OK
			    : MERGE_SIG_BAD;
		} else {
			c->sig[i] = relays++ < ADMIT_BUDGET
			    ? relay_sig(h, it, &cs)
			    : MERGE_SIG_BAD;
		}
	}
}

/*
 * Decodes the body of each change-set whose signature verified (the
 * only ones merge would decode): canonical CBOR, schema, limits, NFC.
 * Done here, on a worker, like the signatures, so the writer only
 * applies.  A decoding that runs out of memory is left to the writer;
 * what the decoded ops take counts against the writer's queue.
 */
static int
bodies_decode(struct sctx *c, size_t *bytes)
{
	struct coso_changeset cs;
	size_t i, k, n = c->req->nitems;
	const struct coso_msg_item *it;
	int rv;

	c->decoded = calloc(n, 1);
	c->ops     = calloc(n, sizeof(*c->ops));
	c->ops_err = calloc(n, sizeof(*c->ops_err));
	if (c->decoded == NULL || c->ops == NULL || c->ops_err == NULL) {
		return COSO_ENOMEM;
	}
	c->nbodies = n;
	for (i = 0; i < n; i++) {
		it = &c->req->items[i];
		if (c->sig[i] != MERGE_SIG_OK
		    || coso_changeset_peek(&cs, it->cs, it->cs_len)
		        != COSO_OK) {
			continue;
		}
		rv = coso_ops_decode(&c->ops[i], cs.body, cs.body_len);
		if (rv == COSO_ENOMEM) {
			continue;
		}
		c->decoded[i] = 1;
		c->ops_err[i] = rv;
		for (k = 0; rv == COSO_OK && k < c->ops[i]->nops; k++) {
			*bytes += sizeof(struct coso_op)
			    + c->ops[i]->ops[k].nfields
			        * sizeof(struct coso_field);
		}
	}
	*bytes += n * (sizeof(*c->ops) + sizeof(*c->ops_err) + 1);
	return COSO_OK;
}

static void
on_push(struct sctx *c, struct central_store *h)
{
	struct cstore_author a;
	size_t n = c->req->nitems, extra = 0;
	int known;

	if (lookup(h, c->peer, &a, &known) != COSO_OK) {
		reply_error(c, COSO_EBUSY);
		return;
	}
	/* Only a key enrolled now may add to the log (admit.h). */
	if (!known || a.revoked >= 0) {
		refusal(c->srv, REFUSED_PUSH);
		push_refused(c, known ? COSO_QREVOKED : COSO_QUNKNOWN);
		return;
	}
	if (n == 0) {
		push_refused(c, 0); /* nothing to refuse: an empty reply */
		return;
	}
	c->sig = calloc(n, 1);
	c->out = calloc(n, sizeof(*c->out));
	if (c->sig == NULL || c->out == NULL) {
		reply_error(c, COSO_ENOMEM);
		return;
	}
	verify_signatures(c, h);
	if (bodies_decode(c, &extra) != COSO_OK) {
		reply_error(c, COSO_ENOMEM);
		return;
	}
	memset(&c->job, 0, sizeof(c->job));
	c->job.kind    = WJOB_PUSH;
	c->job.n       = n;
	c->job.items   = c->req->items;
	c->job.sig     = c->sig;
	c->job.decoded = c->decoded;
	c->job.ops     = c->ops;
	c->job.ops_err = c->ops_err;
	c->job.out     = c->out;
	c->job.done    = push_done;
	submit(c, extra);
}

/* ---- PULL -----------------------------------------------------------------
 */

struct pullacc {
	struct coso_msg_item *items;
	size_t n, cap, bytes, budget, hard;
	uint8_t (*keys)[32]; /* the items' authors, each once */
	size_t nkeys, kcap;
};

/* Whether pk is among the reply's keys already. */
static int
pullacc_has_key(const struct pullacc *p, const uint8_t pk[32])
{
	size_t i;

	for (i = 0; i < p->nkeys; i++) {
		if (memcmp(p->keys[i], pk, 32) == 0) {
			return 1;
		}
	}
	return 0;
}

/* Room for one more item and one more key; 0 on success. */
static int
pullacc_grow(struct pullacc *p)
{
	size_t cap;
	void *n;

	if (p->n == p->cap) {
		cap = p->cap == 0 ? 64 : p->cap * 2;
		if ((n = realloc(p->items, cap * sizeof(*p->items))) == NULL) {
			return -1;
		}
		p->items = n;
		p->cap   = cap;
	}
	if (p->nkeys == p->kcap) {
		cap = p->kcap == 0 ? 16 : p->kcap * 2;
		if ((n = realloc(p->keys, cap * sizeof(*p->keys))) == NULL) {
			return -1;
		}
		p->keys = n;
		p->kcap = cap;
	}
	return 0;
}

static int
pull_take(const struct cstore_pull_item *in, void *arg)
{
	struct pullacc *p = arg;
	size_t clen       = strnlen(in->cadre_id, COSO_WIRE_STR_MAX);
	int new_key
	    = in->author_pk != NULL && !pullacc_has_key(p, in->author_pk);
	/* The item, and its author's key the first time it is named. */
	size_t size = coso_msg_pull_rep_item_size(clen, in->len)
	    + (new_key ? COSO_PK_BYTES : 0);
	struct coso_msg_item *it;
	uint8_t *copy;

	/* Under the device's budget; the first item may use the whole
	 * message so that one large change-set cannot stall a device. */
	if (p->bytes + size > (p->n == 0 ? p->hard : p->budget)) {
		return 1;
	}
	if (pullacc_grow(p) != 0
	    || (copy = malloc(in->len > 0 ? in->len : 1)) == NULL) {
		return 1;
	}
	memcpy(copy, in->cs, in->len);
	it = &p->items[p->n++];
	memset(it, 0, sizeof(*it));
	it->position = in->position;
	it->status   = (uint8_t) in->verdict;
	it->reason   = (uint16_t) in->reason;
	it->cs       = copy;
	it->cs_len   = in->len;
	memcpy(it->cadre_id, in->cadre_id, clen);
	if (new_key) {
		memcpy(p->keys[p->nkeys++], in->author_pk, 32);
	}
	p->bytes += size;
	return 0;
}

static void
pullacc_free(struct pullacc *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free((void *) p->items[i].cs);
	}
	free(p->items);
	free(p->keys);
}

static void
pull_reply(
    struct sctx *c, const struct cstore_author *a, struct central_store *h)
{
	struct coso_msg m  = {.type = COSO_MSG_PULL_REP};
	struct pullacc acc = {0};
	uint64_t last;
	int more, rv;

	acc.hard = c->srv->cfg.max_message - COSO_WIRE_OVERHEAD - REPLY_SLACK;
	acc.budget = c->req->max_bytes > 0 && c->req->max_bytes < acc.hard
	    ? c->req->max_bytes
	    : acc.hard;
	rv         = pull_serve(h, a->cadre_id, a->key_id,
	            coso_date_of_ms(coso_wall_ms()), c->req->cursor, pull_take, &acc,
	            &last, &more);
	if (rv != COSO_OK) {
		clog_error(c->srv->log, "pull failed");
		reply_error(c, COSO_EBUSY);
	} else {
		m.cursor = last;
		m.more   = (uint8_t) more;
		m.nitems = acc.n;
		m.items  = acc.items;
		m.nkeys  = acc.nkeys;
		m.keys   = acc.nkeys > 0 ? acc.keys[0] : NULL;
		reply(c, &m);
	}
	pullacc_free(&acc);
}

static void
on_pull(struct sctx *c, struct central_store *h)
{
	struct cstore_author a;
	int known;

	if (lookup(h, c->peer, &a, &known) != COSO_OK) {
		reply_error(c, COSO_EBUSY);
	} else if (!known || a.revoked >= 0) {
		refusal(c->srv, REFUSED_PULL);
		reply_error(c, known ? COSO_QREVOKED : COSO_QUNKNOWN);
	} else {
		pull_reply(c, &a, h);
	}
}

/* ---- PROOF ----------------------------------------------------------------
 */

/*
 * The consistency proof between two sizes of the log (FORMAT.md, "Wire"),
 * from the worker's read-only handle: a device that holds a checkpoint of
 * from_size asks it before it takes one of to_size.  The proof is what
 * GET /api/v1/proof/consistency serves, to anyone: no key is required
 * beyond one whose frame opens.  A size beyond the log is COSO_EINVAL.
 */
static void
on_proof(struct sctx *c, struct central_store *h)
{
	uint8_t hashes[COSO_PROOF_MAX][32];
	struct coso_msg m = {.type = COSO_MSG_PROOF_REP,
	    .from_size             = c->req->from_size,
	    .to_size               = c->req->to_size};
	struct coso_tree_src src;
	uint64_t size = 0;
	size_t count  = 0;
	int rv;

	cstore_tree_src(h, &src);
	if ((rv = cstore_read_begin(h)) == COSO_OK) {
		if ((rv = cstore_log_next(h, &size)) == COSO_OK) {
			rv = m.to_size > size
			    ? COSO_EINVAL
			    : coso_proof_consistency(
			        &src, m.from_size, m.to_size, hashes, &count);
		}
		cstore_read_end(h);
	}
	if (rv != COSO_OK) {
		if (rv != COSO_EINVAL) {
			clog_error(c->srv->log,
			    "cannot make a consistency proof: %s",
			    rv == COSO_EIO ? cstore_errmsg(h)
			                   : coso_strerror(rv));
		}
		reply_error(c, rv == COSO_EINVAL ? COSO_EINVAL : COSO_EBUSY);
		return;
	}
	m.proof  = count > 0 ? hashes[0] : NULL;
	m.nproof = count;
	reply(c, &m);
}

/* ---- receiving ------------------------------------------------------------
 */

static void
dispatch(struct sctx *c, struct central_store *h)
{
	struct metrics *mt = c->srv->cfg.metrics;

	switch (c->req->type) {
	case COSO_MSG_STATUS:
		metrics_request(mt, METRICS_MSG_STATUS);
		on_status(c, h);
		break;
	case COSO_MSG_ENROLL:
		metrics_request(mt, METRICS_MSG_ENROLL);
		on_enroll(c);
		break;
	case COSO_MSG_PUSH:
		metrics_request(mt, METRICS_MSG_PUSH);
		on_push(c, h);
		break;
	case COSO_MSG_PULL:
		metrics_request(mt, METRICS_MSG_PULL);
		on_pull(c, h);
		break;
	case COSO_MSG_PROOF:
		metrics_request(mt, METRICS_MSG_OTHER);
		on_proof(c, h);
		break;
	default:
		metrics_request(mt, METRICS_MSG_OTHER);
		reply_error(c, COSO_EINVAL);
	}
}

/* Opens the request's frame (c->msg, then freed); 0 if it cannot be
 * (then it is dropped). */
static int
open_frame(struct sctx *c)
{
	const uint8_t *frame = nng_msg_body(c->msg);
	size_t len           = nng_msg_len(c->msg);
	enum coso_wire_kind kind;
	int opened;

	opened = coso_wire_peek(frame, len, &kind, c->peer) == COSO_OK
	    && kind == COSO_WIRE_REQUEST
	    && boxcache_get(c->srv->boxes, c->peer, &c->box) == COSO_OK
	    && coso_wire_open(&c->plain, &c->plain_len, boxent_box(c->box),
	           frame, len, c->srv->cfg.max_message)
	        == COSO_OK;
	nng_msg_free(c->msg);
	c->msg = NULL;
	return opened;
}

/* The connection has carried a request of a registered key that is not
 * revoked: it is a device's, no longer anonymous (conns.h). */
static void
vouch(struct sctx *c, struct central_store *h)
{
	struct cstore_author a;
	int known;

	if (!conns_vouched(c->srv->conns, c->pipe)
	    && lookup(h, c->peer, &a, &known) == COSO_OK && known
	    && a.revoked < 0) {
		conns_vouch(c->srv->conns, c->pipe);
	}
}

/* A received request, on a worker with its handle h. */
static void
on_request(struct sctx *c, struct central_store *h)
{
	int rv;

	if (!open_frame(c)) {
		clog_debug(c->srv->log, "dropped a frame that does not open");
		drop(c);
		return;
	}
	vouch(c, h);
	/* Even a body that does not decode gets an error the device can
	 * match to its request. */
	if (coso_msg_request_id(c->plain, c->plain_len, &c->rid) != COSO_OK) {
		c->rid = 0;
	}
	if ((rv = coso_msg_decode(&c->req, c->plain, c->plain_len)) != 0) {
		reply_error(c, rv);
	} else if (atomic_load(&c->srv->stopping)) {
		reply_error(c, COSO_EBUSY);
	} else {
		dispatch(c, h);
	}
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct sctx *c;

	while ((c = workq_take(&w->srv->q)) != NULL) {
		if (atomic_load(&c->state) == S_PROOF) {
			push_reply(c, w->h);
		} else {
			on_request(c, w->h);
		}
	}
	return NULL;
}

/*
 * A request arrived, on nng's thread: it counts against its connection
 * (conns.h) and waits on the queue for a worker; nothing here waits.
 * Once the workers are stopping it is dropped unanswered, as when the
 * socket closes.
 */
static void
received(struct sctx *c, nng_msg *msg)
{
	c->pipe = (uint32_t) nng_pipe_id(nng_msg_get_pipe(msg));
	conns_begin(c->srv->conns, c->pipe, nng_clock());
	c->msg = msg;
	atomic_store(&c->state, S_QUEUED);
	if (workq_put(&c->srv->q, c, 0) != 0) {
		request_end(c);
		atomic_store(&c->state, S_IDLE);
	}
}

/* nng's callback of a context's aio: a receive or a send ended. */
static void
on_aio(void *arg)
{
	struct sctx *c = arg;
	int rv         = nng_aio_result(c->aio);

	if (atomic_load(&c->state) == S_SEND) {
		if (rv != 0) {
			nng_msg_free(nng_aio_get_msg(c->aio));
		}
		request_end(c);
	} else if (rv == 0) {
		received(c, nng_aio_get_msg(c->aio));
		return;
	}
	if (rv == NNG_ECLOSED || rv == NNG_ECANCELED) {
		atomic_store(&c->state, S_IDLE);
		return;
	}
	recv_next(c);
}

/* ---- start and stop -------------------------------------------------------
 */

static int
nng_fail(char *errmsg, const char *what, const char *url, int rv)
{
	snprintf(errmsg, SERVER_ERRMSG_MAX, "%s `%s': %s", what, url,
	    nng_strerror(rv));
	return COSO_EIO;
}

static int
tls_setup(struct server *srv, char *errmsg)
{
	char *cert = NULL, *key = NULL;
	size_t clen = 0, klen = 0;
	nng_tls_config *cfg = NULL;
	int rv, err;

	if ((err = files_read(srv->cfg.tls_cert, PEM_MAX, &cert, &clen)) != 0
	    || (err = files_read(srv->cfg.tls_key, PEM_MAX, &key, &klen))
	        != 0) {
		snprintf(errmsg, SERVER_ERRMSG_MAX, "cannot read `%s': %s",
		    cert == NULL ? srv->cfg.tls_cert : srv->cfg.tls_key,
		    strerror(errno));
		rv = COSO_EIO;
		goto out;
	}
	if ((err = nng_tls_config_alloc(&cfg, NNG_TLS_MODE_SERVER)) != 0
	    || (err = nng_tls_config_own_cert(cfg, cert, key, NULL)) != 0
	    || (err = nng_listener_set_ptr(
	            srv->listener, NNG_OPT_TLS_CONFIG, cfg))
	        != 0) {
		rv = nng_fail(
		    errmsg, "cannot configure TLS for", srv->cfg.url, err);
		goto out;
	}
	rv = COSO_OK;
out:
	if (key != NULL) {
		sodium_memzero(key, klen);
	}
	free(cert);
	free(key);
	if (cfg != NULL) {
		nng_tls_config_free(cfg);
	}
	return rv;
}

static int
ctxs_open(struct server *srv, char *errmsg)
{
	int rv;

	if ((srv->ctxs = calloc(srv->cfg.contexts, sizeof(*srv->ctxs)))
	    == NULL) {
		snprintf(errmsg, SERVER_ERRMSG_MAX, "out of memory");
		return COSO_ENOMEM;
	}
	for (; srv->nctx < srv->cfg.contexts; srv->nctx++) {
		struct sctx *c = &srv->ctxs[srv->nctx];

		c->srv = srv;
		if ((rv = nng_aio_alloc(&c->aio, on_aio, c)) != 0) {
			return nng_fail(
			    errmsg, "cannot serve", srv->cfg.url, rv);
		}
		if ((rv = nng_ctx_open(&c->ctx, srv->sock)) != 0) {
			nng_aio_free(c->aio);
			return nng_fail(
			    errmsg, "cannot serve", srv->cfg.url, rv);
		}
	}
	return COSO_OK;
}

/* One end of a connection as sockfd.h spells it; -1 if not IP. */
static int
end_of(uint8_t out[static 19], const nng_sockaddr *sa)
{
	if (sa->s_family == NNG_AF_INET) {
		sockfd_end(out, 0, &sa->s_in.sa_addr, sa->s_in.sa_port);
	} else if (sa->s_family == NNG_AF_INET6) {
		sockfd_end(out, 1, sa->s_in6.sa_addr, sa->s_in6.sa_port);
	} else {
		return -1;
	}
	return 0;
}

/* The connection's address pair (zeros if nng cannot tell). */
static void
pair_of(nng_pipe p, struct sockfd_pair *pair)
{
	nng_sockaddr l, r;

	memset(pair, 0, sizeof(*pair));
	if (nng_pipe_get_addr(p, NNG_OPT_LOCADDR, &l) != 0
	    || nng_pipe_get_addr(p, NNG_OPT_REMADDR, &r) != 0
	    || end_of(pair->local, &l) != 0 || end_of(pair->remote, &r) != 0) {
		memset(pair, 0, sizeof(*pair));
	}
}

/*
 * Ends connections the central is done with by shutting their sockets
 * down, never with nng_pipe_close (sockfd.h: it can hang nng 1.5.2 when
 * bytes are arriving); nng then closes each as if its peer had gone, and
 * reports it (REM_POST).  One whose socket is not found now (nng is
 * closing it already, or no file was left to look with) is named again
 * by the next sweeps until nng reports it gone (conns.h).
 */
static void
conns_end(struct server *srv, const struct conns_gone *g, size_t n)
{
	struct sockfd_pair pairs[SWEEP_MAX];
	int found[SWEEP_MAX];
	size_t i;

	assert(n <= SWEEP_MAX);
	memset(pairs, 0, sizeof(pairs));
	for (i = 0; i < n; i++) {
		memcpy(&pairs[i], g[i].key, CONNS_KEY);
	}
	sockfd_shutdown(srv->sockfd, pairs, n, found);
}

/*
 * nng's pipe events, on its threads.  A connection is counted once its
 * SP handshake is done (before that nng holds it at most 10 s); over
 * the limits it is closed before it carries anything (nng_pipe_close is
 * safe then: nothing is being received), or the least recently active
 * anonymous one is ended to make room (conns.h).
 */
static void
on_pipe(nng_pipe p, nng_pipe_ev ev, void *arg)
{
	struct server *srv = arg;
	uint32_t id        = (uint32_t) nng_pipe_id(p);
	struct conns_gone evict;
	struct sockfd_pair pair;

	if (ev == NNG_PIPE_EV_REM_POST) {
		if (conns_remove(srv->conns, id)) {
			metrics_conn(srv->cfg.metrics, 0, 0);
		}
		return;
	}
	pair_of(p, &pair);
	if (conns_add(
	        srv->conns, id, (const uint8_t *) &pair, nng_clock(), &evict)
	    != CONNS_IN) {
		metrics_conn(srv->cfg.metrics, 0, 1);
		nng_pipe_close(p);
		return;
	}
	metrics_conn(srv->cfg.metrics, 1, 0);
	if (evict.id != 0) {
		conns_end(srv, &evict, 1);
	}
}

/* Ends the connections past their deadline, every SWEEP_MS. */
static void
on_sweep(void *arg)
{
	struct server *srv = arg;
	struct conns_gone gone[SWEEP_MAX];
	size_t n;

	if (nng_aio_result(srv->sweep) != 0 || atomic_load(&srv->stopping)) {
		return;
	}
	n = conns_expired(srv->conns, nng_clock(), gone, SWEEP_MAX);
	conns_end(srv, gone, n);
	nng_sleep_aio(SWEEP_MS, srv->sweep);
}

static int
conns_start(struct server *srv, char *errmsg)
{
	struct conns_cfg cc = {.max = srv->cfg.conns_max,
	    .anon_max               = srv->cfg.anon_max,
	    .anon_ms                = ANON_MS,
	    .idle_ms                = IDLE_MS,
	    .retry_ms               = RETRY_MS};
	int rv;

	if ((rv = sockfd_new(&srv->sockfd)) != 0) {
		snprintf(errmsg, SERVER_ERRMSG_MAX, "cannot open `%s': %s",
		    "/proc/self/fd", strerror(rv));
		return COSO_EIO;
	}
	if (conns_new(&srv->conns, &cc) != COSO_OK
	    || nng_aio_alloc(&srv->sweep, on_sweep, srv) != 0) {
		snprintf(errmsg, SERVER_ERRMSG_MAX, "out of memory");
		return COSO_ENOMEM;
	}
	if ((rv = nng_pipe_notify(
	         srv->sock, NNG_PIPE_EV_ADD_PRE, on_pipe, srv))
	        != 0
	    || (rv = nng_pipe_notify(
	            srv->sock, NNG_PIPE_EV_REM_POST, on_pipe, srv))
	        != 0) {
		return nng_fail(errmsg, "cannot listen on", srv->cfg.url, rv);
	}
	nng_sleep_aio(SWEEP_MS, srv->sweep);
	return COSO_OK;
}

static int
net_start(struct server *srv, char *errmsg)
{
	const char *url = srv->cfg.url;
	unsigned i;
	int rv;

	if ((rv = nng_rep0_open(&srv->sock)) != 0) {
		return nng_fail(errmsg, "cannot listen on", url, rv);
	}
	srv->sock_open = 1;
	if ((rv = nng_socket_set_size(
	         srv->sock, NNG_OPT_RECVMAXSZ, srv->cfg.max_message))
	        != 0
	    || (rv = nng_listener_create(&srv->listener, srv->sock, url))
	        != 0) {
		return nng_fail(errmsg, "cannot listen on", url, rv);
	}
	if (strncmp(url, "tls+tcp://", 10) == 0
	    && tls_setup(srv, errmsg) != COSO_OK) {
		return COSO_EIO;
	}
	if (ctxs_open(srv, errmsg) != COSO_OK
	    || conns_start(srv, errmsg) != COSO_OK) {
		return COSO_EIO;
	}
	if ((rv = nng_listener_start(srv->listener, 0)) != 0) {
		return nng_fail(errmsg, "cannot listen on", url, rv);
	}
	srv->listening = 1;
	for (i = 0; i < srv->nctx; i++) {
		recv_next(&srv->ctxs[i]);
	}
	return COSO_OK;
}

/* The key file beside the database must be the key the database names. */
static int
key_load(struct server *srv, char *errmsg)
{
	char *text = NULL;
	uint8_t pk[32];
	int rv;

	if ((rv = files_central_key(srv->cfg.db, &srv->key, errmsg)) != 0) {
		return rv;
	}
	coso_key_public(srv->key, srv->pk);
	rv = cstore_meta_get(srv->wstore, "central_pk", &text);
	if (rv != COSO_OK
	    || coso_pubkey_parse(pk, text, strlen(text)) != COSO_OK
	    || memcmp(pk, srv->pk, 32) != 0) {
		snprintf(errmsg, SERVER_ERRMSG_MAX,
		    "the key beside `%s' is not the central key the database "
		    "names",
		    srv->cfg.db);
		rv = COSO_EKEYFILE;
	}
	free(text);
	return rv;
}

/* The workers to start: cfg's, or one per core; within the bounds
 * (server.h) and never more than the contexts that feed them. */
static unsigned
workers_wanted(const struct server_cfg *cfg)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned n = cfg->workers;

	if (n == 0) {
		n = cores > 0 && cores < SERVER_WORKERS_MAX
		    ? (unsigned) cores
		    : SERVER_WORKERS_MAX;
		n = n > SERVER_WORKERS_MIN ? n : SERVER_WORKERS_MIN;
	}
	return n < cfg->contexts ? n : cfg->contexts;
}

/* Opens each worker's read-only handle and starts its thread. */
static int
workers_start(struct server *srv, char *errmsg)
{
	unsigned i, n = workers_wanted(&srv->cfg);
	struct worker *w;

	workq_init(&srv->q);
	if ((srv->workers = calloc(n, sizeof(*srv->workers))) == NULL) {
		snprintf(errmsg, SERVER_ERRMSG_MAX, "out of memory");
		return COSO_ENOMEM;
	}
	srv->nworkers = n;
	for (i = 0; i < n; i++) {
		w      = &srv->workers[i];
		w->srv = srv;
		if (cstore_open(&w->h, srv->cfg.db, 1, errmsg) != COSO_OK) {
			return COSO_EIO;
		}
		if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
			snprintf(errmsg, SERVER_ERRMSG_MAX,
			    "cannot start a thread");
			return COSO_ENOMEM;
		}
		w->running = 1;
	}
	return COSO_OK;
}

/* The queue takes nothing more; the workers answer what it holds, end,
 * and are joined. */
static void
workers_stop(struct server *srv)
{
	unsigned i;

	if (!srv->q.ready) {
		return;
	}
	pthread_mutex_lock(&srv->q.mu);
	srv->q.stopping = 1;
	pthread_cond_broadcast(&srv->q.cv);
	pthread_mutex_unlock(&srv->q.mu);
	for (i = 0; i < srv->nworkers; i++) {
		if (srv->workers[i].running) {
			pthread_join(srv->workers[i].thread, NULL);
			srv->workers[i].running = 0;
		}
	}
}

/* Once stopped: the handles, the queue. */
static void
workers_free(struct server *srv)
{
	unsigned i;

	for (i = 0; i < srv->nworkers; i++) {
		cstore_close(srv->workers[i].h);
	}
	free(srv->workers);
	if (srv->q.ready) {
		pthread_cond_destroy(&srv->q.cv);
		pthread_mutex_destroy(&srv->q.mu);
	}
}

static int
state_open(struct server *srv, char *errmsg)
{
	int rv;

	if ((rv = cstore_open(&srv->wstore, srv->cfg.db, 0, errmsg)) != 0
	    || (rv = key_load(srv, errmsg)) != COSO_OK) {
		return rv;
	}
	if ((rv = boxcache_new(&srv->boxes, srv->key, srv->cfg.box_cache)) != 0
	    || (rv = writer_start(&srv->writer, srv->wstore, srv->key,
	            srv->log, srv->cfg.metrics, srv->cfg.queue_bytes))
	        != COSO_OK) {
		snprintf(errmsg, SERVER_ERRMSG_MAX, "cannot start: %s",
		    coso_strerror(rv));
		return rv;
	}
	return workers_start(srv, errmsg);
}

int
server_start(struct server **out, const struct server_cfg *cfg,
    const struct clog *log, char errmsg[static SERVER_ERRMSG_MAX])
{
	struct server *srv = calloc(1, sizeof(*srv));

	if (srv == NULL) {
		snprintf(errmsg, SERVER_ERRMSG_MAX, "out of memory");
		return COSO_ENOMEM;
	}
	srv->cfg = *cfg;
	srv->log = log;

	srv->refused.start_ms = coso_wall_ms();
	if (state_open(srv, errmsg) != COSO_OK
	    || net_start(srv, errmsg) != COSO_OK) {
		server_stop(srv);
		return COSO_EIO;
	}
	clog_info(log,
	    "listening on %s (%u contexts, %u workers, max message %zu "
	    "bytes, at most %u connections, %u of them without a registered "
	    "key)",
	    cfg->url, cfg->contexts, srv->nworkers, cfg->max_message,
	    cfg->conns_max, cfg->anon_max);
	*out = srv;
	return COSO_OK;
}

/* Until no context is waiting for a worker or the writer, or sending
 * (replies out), at most timeout_ms. */
static void
wait_quiet(struct server *srv, unsigned timeout_ms)
{
	unsigned i, waited;
	int st;

	for (waited = 0; waited < timeout_ms; waited += 10) {
		for (i = 0; i < srv->nctx; i++) {
			st = atomic_load(&srv->ctxs[i].state);
			if (st == S_QUEUED || st == S_WORK || st == S_PROOF
			    || st == S_SEND) {
				break;
			}
		}
		if (i == srv->nctx) {
			return;
		}
		nng_msleep(10);
	}
}

void
server_stop(struct server *srv)
{
	unsigned i;

	if (srv == NULL) {
		return;
	}
	atomic_store(&srv->stopping, 1);
	if (srv->listening) {
		nng_listener_close(srv->listener);
	}
	writer_stop(srv->writer);
	if (srv->sweep != NULL) {
		nng_aio_stop(srv->sweep);
	}
	wait_quiet(srv, 2000);
	/* Before the contexts stop: a worker may still be sending. */
	workers_stop(srv);
	for (i = 0; i < srv->nctx; i++) {
		nng_aio_stop(srv->ctxs[i].aio);
	}
	if (srv->sock_open) {
		nng_close(srv->sock);
	}
	for (i = 0; i < srv->nctx; i++) {
		nng_aio_free(srv->ctxs[i].aio);
		request_end(&srv->ctxs[i]);
	}
	nng_aio_free(srv->sweep);
	conns_free(srv->conns);
	sockfd_free(srv->sockfd);
	writer_free(srv->writer);
	free(srv->ctxs);
	boxcache_free(srv->boxes);
	workers_free(srv);
	cstore_close(srv->wstore);
	coso_key_free(srv->key);
	free(srv);
}
