/*
 * http.c: the read-only HTTP API (http.h; docs/central.md, "HTTP API").
 *
 * Connections are httpd.c's (nng's TCP streams, with coso's limits and
 * deadlines: nng 1.5.2's HTTP server has none).  Every request comes
 * here, so that every answer, errors included, is ours (JSON).  The
 * token is checked on nng's thread; the request then waits in a bounded
 * queue for a worker, which owns a read-only handle and answers from one
 * read transaction, so a slow query (the digest) never holds nng's
 * threads.
 *
 * Stopping: the queue refuses new requests, httpd closes the
 * connections, the workers end what is queued unanswered, and only then
 * is httpd freed (it waits for every connection to be ended).
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "store.h"
#include "console_auth.h"
#include "console_login.h"
#include "digest.h"
#include "http.h"
#include "httpd.h"
#include "httpq.h"
#include "logcheck.h"
#include "pages.h"
#include "report/report_out.h"
#include "report/views.h"

#define QUEUE_MAX         64u  /* requests waiting for a worker */
#define ENTRIES_DEFAULT   100u /* entries when count is not given */
#define ENTRIES_MAX       COSO_API_PAGE_MAX
#define ENTRIES_BYTES_MAX (1024u * 1024u) /* change-set bytes of a page */
#define NOTES_DEFAULT     100u /* checkpoints when count is not given */
#define NOTES_MAX         COSO_API_PAGE_MAX /* of 8 KiB: 8 MiB */
#define PARAMS_MAX        3u
#define B64_32            sodium_base64_ENCODED_LEN(32, B64)
#define B64               sodium_base64_VARIANT_ORIGINAL
#define OOM_BODY          "{\"error\":\"The server is out of memory.\"}"
#define BUSY_BODY         "{\"error\":\"The server is busy; retry later.\"}"

/* Connections (docs/central.md, "Connections and deadlines"). */
#define HEAD_MS   10000u /* a request head must arrive in this */
#define STALL_MS  10000u /* an answer must progress every ... */
#define ANSWER_MS 60000u /* and be sent in this */
#define OUT_MAX   (32u * 1024u * 1024u) /* answers in flight, bytes */
#define OUT_SMALL (64u * 1024u)         /* answers not counted */

_Static_assert(HTTP_ERRMSG_MAX >= CSTORE_ERRMSG_MAX, "errmsg sizes");
_Static_assert(HTTP_ERRMSG_MAX >= HTTPD_ERRMSG_MAX, "errmsg sizes");

struct job {
	struct job *next;
	struct httpd_conn *c;
	const struct httphead *h; /* valid until c is ended */
	int closed;               /* dequeued while stopping: drop it */
};

struct worker {
	struct http *h;
	struct central_store *s;
	struct cstore_report_db *rdb; /* the reports' own handle */
	pthread_t thread;
	int running;
};

struct http {
	const struct clog *log;
	struct metrics *metrics;
	int has_token;
	uint8_t token_hash[32];
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct job *head, *tail;
	unsigned queued;
	int stopping;
	struct worker *workers;
	unsigned nworkers;
	struct httpd *d;
	struct console_auth *console; /* the console's sessions */
	char *(*cosigned)(void *arg); /* http_cfg's */
	void *cosigned_arg;
};

/* An answer being made: body is malloc'd, or NULL for OOM_BODY. */
struct reply {
	uint16_t status;
	const char *type;
	char *body;
	size_t len;
	char disposition[64]; /* a download's file name, or empty */
	char extra[224]; /* header lines of the console's answers, or "" */
};

/* A request on a worker: its handle, its parsed query, its answer. */
struct req {
	struct central_store *s;
	struct cstore_report_db *rdb;
	const struct clog *log;
	struct metrics *metrics;
	const struct httpq_param *q;
	struct reply r;
	const struct httphead *h; /* the request's head */
	uint8_t *body;            /* and body (NULL if none) */
	size_t body_len;
	struct console_auth *console; /* the console's sessions */
	const struct http *http;
};

struct route {
	const char *path;
	void (*fn)(struct req *rq);
	struct httpq_param params[PARAMS_MAX];
	size_t nparams;
};

/* ---- replies --------------------------------------------------------------
 */

/* The answer is o (a reference taken), compact; OOM_BODY if o is NULL
 * or cannot be written. */
static void
set_json(struct req *rq, uint16_t status, json_t *o)
{
	free(rq->r.body);
	rq->r.body   = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
	rq->r.status = rq->r.body != NULL ? status : 500;
	rq->r.type   = "application/json";
	rq->r.len    = rq->r.body != NULL ? strlen(rq->r.body) : 0;
	json_decref(o);
}

static void
fail_with(struct req *rq, uint16_t status, const char *msg)
{
	set_json(rq, status, json_pack("{s:s}", "error", msg));
}

/* A store failure: the detail goes to the log, the client gets a
 * sentence. */
static void
fail_store(struct req *rq, int rv)
{
	clog_error(rq->log, "http: cannot read the database: %s",
	    rv == COSO_EIO ? cstore_errmsg(rq->s) : coso_strerror(rv));
	fail_with(rq, 500, "The database could not be read.");
}

/* Ends the request with r (OOM_BODY if r has no body), or with a 503
 * if the answers in flight leave no room for it; r->body stays the
 * caller's. */
static void
reply_send(struct httpd_conn *c, const struct reply *r)
{
	struct httpd_reply a = {.status = r->status,
	    .type                       = r->type,
	    .body                       = r->body,
	    .len                        = r->len};
	char extra[192];

	if (r->body == NULL) {
		a.status = 500;
		a.type   = "application/json";
		a.body   = OOM_BODY;
		a.len    = strlen(OOM_BODY);
	}
	snprintf(extra, sizeof(extra), "%s%s%s%s%s",
	    a.status == 401 ? "WWW-Authenticate: Bearer\r\n" : "",
	    a.status == 405 ? "Allow: GET, HEAD\r\n" : "",
	    r->disposition[0] ? "Content-Disposition: attachment; filename=\""
	                      : "",
	    r->disposition, r->disposition[0] ? "\"\r\n" : "");
	a.extra = r->extra[0] != 0 ? r->extra : extra;
	if (httpd_answer(c, &a) == HTTPD_BUSY) {
		a.status = 503;
		a.type   = "application/json";
		a.body   = BUSY_BODY;
		a.len    = strlen(BUSY_BODY);
		a.extra  = "Retry-After: 1\r\n";
		(void) httpd_answer(c, &a); /* small: always taken */
	}
}

/* ---- encodings ------------------------------------------------------------
 */

static void
hex32(char out[static 65], const uint8_t in[static 32])
{
	sodium_bin2hex(out, 65, in, 32);
}

static void
b64_32(char out[static B64_32], const uint8_t in[static 32])
{
	sodium_bin2base64(out, B64_32, in, 32, B64);
}

/* Base64 of len bytes at p, malloc'd; NULL if out of memory. */
static char *
b64(const uint8_t *p, size_t len)
{
	static const uint8_t none[1];
	size_t n = sodium_base64_encoded_len(len, B64);
	char *s  = malloc(n);

	if (s != NULL) {
		sodium_bin2base64(s, n, p != NULL ? p : none, len, B64);
	}
	return s;
}

/* A JSON array of the base64 of count hashes. */
static json_t *
hashes_json(const uint8_t (*h)[32], size_t count)
{
	json_t *a = json_array();
	char s[B64_32];
	size_t i;

	for (i = 0; a != NULL && i < count; i++) {
		b64_32(s, h[i]);
		if (json_array_append_new(a, json_string(s)) != 0) {
			json_decref(a);
			a = NULL;
		}
	}
	return a;
}

/* ---- GET /checkpoint ------------------------------------------------------
 */

static void
get_checkpoint(struct req *rq)
{
	uint64_t size;
	char *note = NULL;
	int rv     = COSO_OK;

	/* With witnesses, the latest checkpoint they cosigned. */
	if (rq->http->cosigned != NULL) {
		note = rq->http->cosigned(rq->http->cosigned_arg);
	}
	if (note == NULL) {
		rv = cstore_checkpoint_latest(rq->s, &size, &note);
	}
	if (rv == COSO_ENOENT) {
		fail_with(rq, 404, "The log has no checkpoint yet.");
	} else if (rv != COSO_OK) {
		fail_store(rq, rv);
	} else {
		free(rq->r.body);
		rq->r.status = 200;
		rq->r.type   = "text/plain; charset=utf-8";
		rq->r.body   = note;
		rq->r.len    = strlen(note);
	}
}

/* ---- GET /api/v1/checkpoints and /api/v1/vkey -----------------------------
 */

struct notes {
	json_t *list;
	int err;
};

static int
note_take(uint64_t size, const char *note, void *arg)
{
	struct notes *a = arg;
	json_t *o
	    = json_pack("{s:I,s:s}", "size", (json_int_t) size, "note", note);

	if (o == NULL || json_array_append_new(a->list, o) != 0) {
		a->err = COSO_ENOMEM;
		return 1;
	}
	return 0;
}

/* Every stored checkpoint, by size from `from` on, so that an auditor can
 * check the old ones too: one changed in the database is then seen. */
static void
get_checkpoints(struct req *rq)
{
	uint64_t from = rq->q[0].present ? rq->q[0].u64 : 0, n = 0;
	uint64_t count = NOTES_DEFAULT;
	struct notes a = {json_array(), COSO_OK};
	int rv = a.list != NULL ? cstore_read_begin(rq->s) : COSO_ENOMEM;

	if (rq->q[1].present) {
		count = rq->q[1].u64 < NOTES_MAX ? rq->q[1].u64 : NOTES_MAX;
	}
	if (rv == COSO_OK) {
		if ((rv = cstore_log_next(rq->s, &n)) == COSO_OK) {
			rv = cstore_checkpoints_each(
			    rq->s, from, (size_t) count, note_take, &a);
		}
		cstore_read_end(rq->s);
	}
	if (rv == COSO_OK && a.err != COSO_OK) {
		clog_error(rq->log, "http: cannot encode the checkpoints");
		fail_with(rq, 500, "The checkpoints could not be encoded.");
	} else if (rv == COSO_OK) {
		set_json(rq, 200,
		    json_pack("{s:I,s:O}", "tree_size", (json_int_t) n,
		        "checkpoints", a.list));
	} else {
		fail_store(rq, rv);
	}
	json_decref(a.list);
}

static void
get_vkey(struct req *rq)
{
	char err[CSTORE_ERRMSG_MAX], *vkey = NULL;
	size_t len;

	if (logcheck_vkey(rq->s, &vkey, err) != COSO_OK) {
		clog_error(rq->log, "http: no verifier key: %s", err);
		fail_with(rq, 500, "The database could not be read.");
		return;
	}
	len = strlen(vkey);
	free(rq->r.body);
	rq->r.status = 200;
	rq->r.type   = "text/plain; charset=utf-8";
	rq->r.body   = realloc(vkey, len + 2);
	if (rq->r.body == NULL) {
		free(vkey);
		fail_with(rq, 500, "The server is out of memory.");
		return;
	}
	memcpy(rq->r.body + len, "\n", 2);
	rq->r.len = len + 1;
}

/* ---- GET /api/v1/entries --------------------------------------------------
 */

struct entries {
	json_t *list;
	size_t bytes; /* change-set bytes taken */
	int err;
};

/* An entry as stored; its leaf data is made from the stored row, never
 * corrected, so that an auditor sees what the tree commits to. */
static json_t *
entry_json(const struct cstore_logrow *r, const uint8_t leaf_hash[32])
{
	struct coso_leaf l = {.seq = r->seq,
	    .received_ms           = r->received_ms,
	    .verdict               = (uint8_t) r->verdict};
	uint8_t data[COSO_LEAF_BYTES];
	char id[65], sender[65], lh[B64_32];
	char leaf[sodium_base64_ENCODED_LEN(COSO_LEAF_BYTES, B64)];
	char *cs = b64(r->bytes, r->len);
	json_t *e;

	if (cs == NULL) {
		return NULL;
	}
	memcpy(l.cs_id, r->id, 32);
	memcpy(l.author, r->author, 32);
	coso_leaf_encode(data, &l);
	sodium_bin2base64(leaf, sizeof(leaf), data, sizeof(data), B64);
	hex32(id, r->id);
	hex32(sender, r->sender);
	b64_32(lh, leaf_hash);
	e = json_pack("{s:I,s:s,s:s,s:s,s:I,s:i,s:i,s:s,s:s}", "index",
	    (json_int_t) r->position, "id", id, "changeset", cs, "sender",
	    sender, "received_ms", (json_int_t) r->received_ms, "verdict",
	    r->verdict, "reason", r->reason, "leaf", leaf, "leaf_hash", lh);
	free(cs);
	return e;
}

/* Takes entries up to ENTRIES_BYTES_MAX of change-sets (at least one),
 * so that the count bound is also a size bound. */
static int
entry_take(
    const struct cstore_logrow *r, const uint8_t leaf[static 32], void *arg)
{
	struct entries *a = arg;
	json_t *e;

	if (json_array_size(a->list) > 0
	    && a->bytes + r->len > ENTRIES_BYTES_MAX) {
		return 1;
	}
	if ((e = entry_json(r, leaf)) == NULL
	    || json_array_append_new(a->list, e) != 0) {
		a->err = COSO_ENOMEM;
		return 1;
	}
	a->bytes += r->len;
	return 0;
}

/* The tree size and the entries from start, in one snapshot. */
static int
entries_read(struct req *rq, uint64_t start, uint64_t count, uint64_t *size,
    struct entries *a)
{
	int rv = cstore_read_begin(rq->s);

	if (rv != COSO_OK) {
		return rv;
	}
	if ((rv = cstore_log_next(rq->s, size)) == COSO_OK && start < *size) {
		rv = cstore_log_range(
		    rq->s, start, (size_t) count, entry_take, a);
	}
	cstore_read_end(rq->s);
	return rv != COSO_OK ? rv : a->err;
}

static void
get_entries(struct req *rq)
{
	uint64_t start = rq->q[0].u64, count = ENTRIES_DEFAULT, size = 0;
	struct entries a = {json_array(), 0, COSO_OK};
	int rv;

	if (rq->q[1].present) {
		count
		    = rq->q[1].u64 < ENTRIES_MAX ? rq->q[1].u64 : ENTRIES_MAX;
	}
	if (!rq->q[0].present) {
		fail_with(rq, 400, "The start parameter is required.");
	} else if (a.list == NULL) {
		fail_with(rq, 500, "The server is out of memory.");
	} else if ((rv = entries_read(rq, start, count, &size, &a))
	    != COSO_OK) {
		fail_store(rq, rv);
	} else if (start > size) {
		fail_with(rq, 400,
		    "The start parameter is beyond the end of the log.");
	} else {
		set_json(rq, 200,
		    json_pack("{s:I,s:I,s:O}", "start", (json_int_t) start,
		        "tree_size", (json_int_t) size, "entries", a.list));
	}
	json_decref(a.list);
}

/* ---- GET /api/v1/proof/inclusion and /consistency -------------------------
 */

struct proof {
	uint64_t a, b; /* index and size, or from and to */
	uint8_t leaf[32];
	uint8_t h[COSO_PROOF_MAX][32];
	size_t count;
};

/* The entry's position (its index or its id's lowest) and the tree size;
 * 0, or -1 with the answer made. */
static int
inclusion_args(struct req *rq, uint64_t n, struct proof *p)
{
	const struct httpq_param *index = &rq->q[0], *id = &rq->q[1];
	int rv;

	p->b = rq->q[2].present ? rq->q[2].u64 : n;
	p->a = index->u64;
	if (index->present == id->present) {
		fail_with(
		    rq, 400, "Give either the index or the id parameter.");
	} else if (p->b > n) {
		fail_with(
		    rq, 400, "The size parameter is larger than the tree.");
	} else if (id->present
	    && (rv = cstore_log_position(rq->s, id->hex, &p->a)) != COSO_OK) {
		if (rv == COSO_ENOENT) {
			fail_with(rq, 404, "No log entry has this id.");
		} else {
			fail_store(rq, rv);
		}
	} else if (p->a >= p->b) {
		fail_with(rq, 400, "The entry is not in a tree of that size.");
	} else {
		return 0;
	}
	return -1;
}

/* 0 with the proof, or -1 with the answer made. */
static int
inclusion_read(struct req *rq, struct proof *p)
{
	struct coso_tree_src src;
	uint64_t n;
	int rv = cstore_read_begin(rq->s), done = -1;

	if (rv == COSO_OK) {
		cstore_tree_src(rq->s, &src);
		if ((rv = cstore_log_next(rq->s, &n)) == COSO_OK
		    && inclusion_args(rq, n, p) == 0
		    && (rv = src.subtree(src.arg, p->a, 1, p->leaf)) == COSO_OK
		    && (rv = coso_proof_inclusion(
		            &src, p->a, p->b, p->h, &p->count))
		        == COSO_OK) {
			done = 0;
		}
		cstore_read_end(rq->s);
	}
	if (rv != COSO_OK) {
		fail_store(rq, rv);
	}
	return done;
}

static void
get_inclusion(struct req *rq)
{
	struct proof p = {0};
	char leaf[B64_32];

	if (inclusion_read(rq, &p) != 0) {
		return;
	}
	b64_32(leaf, p.leaf);
	set_json(rq, 200,
	    json_pack("{s:I,s:I,s:s,s:o}", "index", (json_int_t) p.a, "size",
	        (json_int_t) p.b, "leaf_hash", leaf, "proof",
	        hashes_json((const uint8_t(*)[32]) p.h, p.count)));
}

/* 0 with the proof, or -1 with the answer made. */
static int
consistency_read(struct req *rq, struct proof *p)
{
	struct coso_tree_src src;
	uint64_t n;
	int rv = cstore_read_begin(rq->s), done = -1;

	if (rv == COSO_OK) {
		cstore_tree_src(rq->s, &src);
		if ((rv = cstore_log_next(rq->s, &n)) == COSO_OK) {
			p->a = rq->q[0].u64;
			p->b = rq->q[1].present ? rq->q[1].u64 : n;
			if (!rq->q[0].present || p->a == 0 || p->a > p->b
			    || p->b > n) {
				fail_with(rq, 400,
				    "The parameters must satisfy 0 < from <= "
				    "to "
				    "<= the tree size.");
			} else if ((rv = coso_proof_consistency(
			                &src, p->a, p->b, p->h, &p->count))
			    == COSO_OK) {
				done = 0;
			}
		}
		cstore_read_end(rq->s);
	}
	if (rv != COSO_OK) {
		fail_store(rq, rv);
	}
	return done;
}

static void
get_consistency(struct req *rq)
{
	struct proof p = {0};

	if (consistency_read(rq, &p) != 0) {
		return;
	}
	set_json(rq, 200,
	    json_pack("{s:I,s:I,s:o}", "from", (json_int_t) p.a, "to",
	        (json_int_t) p.b, "proof",
	        hashes_json((const uint8_t(*)[32]) p.h, p.count)));
}

/* ---- GET /api/v1/keys -----------------------------------------------------
 */

/* A log position, or null for -1 (none). */
static json_t *
position_json(int64_t pos)
{
	return pos < 0 ? json_null() : json_integer((json_int_t) pos);
}

/* The role's name; a role this code does not know is served as its
 * number, as stored. */
static json_t *
role_json(int role)
{
	static const char *const names[] = {NULL, "field", "admin", "central"};

	if (role >= CSTORE_ROLE_FIELD && role <= CSTORE_ROLE_CENTRAL) {
		return json_string(names[role]);
	}
	return json_integer(role);
}

struct keys {
	json_t *list;
	int err;
};

/* A key as the registry holds it.  A cadre id that is not UTF-8 cannot
 * be a JSON string: the answer fails rather than leave the key out. */
static int
key_take(const struct cstore_author *a, void *arg)
{
	struct keys *ks = arg;
	char id[65], head[65], pk[B64_32];
	json_t *k;

	hex32(id, a->key_id);
	hex32(head, a->head);
	b64_32(pk, a->pk);
	k = json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:I,s:s}", "key_id", id,
	    "public_key", pk, "cadre_id", a->cadre_id, "role",
	    role_json(a->role), "enrolled", position_json(a->enrolled),
	    "revoked", position_json(a->revoked), "next_seq",
	    (json_int_t) a->next_seq, "head", head);
	if (k == NULL || json_array_append_new(ks->list, k) != 0) {
		ks->err = COSO_ENOMEM;
		return 1;
	}
	return 0;
}

static void
get_keys(struct req *rq)
{
	struct keys ks = {json_array(), COSO_OK};
	uint64_t n     = 0;
	int rv = ks.list != NULL ? cstore_read_begin(rq->s) : COSO_ENOMEM;

	if (rv == COSO_OK) {
		if ((rv = cstore_log_next(rq->s, &n)) == COSO_OK) {
			rv = cstore_authors_each(rq->s, key_take, &ks);
		}
		cstore_read_end(rq->s);
	}
	if (rv == COSO_OK && ks.err != COSO_OK) {
		clog_error(rq->log, "http: cannot encode the key registry");
		fail_with(rq, 500, "The key registry could not be encoded.");
	} else if (rv == COSO_OK) {
		set_json(rq, 200,
		    json_pack("{s:I,s:O}", "tree_size", (json_int_t) n, "keys",
		        ks.list));
	} else {
		fail_store(rq, rv);
	}
	json_decref(ks.list);
}

/* ---- GET /api/v1/digest ---------------------------------------------------
 */

/* The number of log entries and the digest of one snapshot, so that an
 * auditor who rebuilds exactly those entries can compare. */
static json_t *
digest_json(uint64_t n, const uint8_t d[static 32], uint8_t (*per)[32])
{
	char hex[DIGEST_HEX];
	json_t *tables = json_object();
	size_t i;

	for (i = 0; tables != NULL && i < DIGEST_TABLES; i++) {
		digest_hex(hex, per[i]);
		json_object_set_new(
		    tables, digest_table_name(i), json_string(hex));
	}
	digest_hex(hex, d);
	return json_pack("{s:I,s:s,s:o*}", "tree_size", (json_int_t) n,
	    "digest", hex, "tables", tables);
}

static void
get_digest(struct req *rq)
{
	uint8_t d[32], per[DIGEST_TABLES][32];
	uint64_t n;
	int rv = cstore_read_begin(rq->s);

	if (rv == COSO_OK) {
		if ((rv = cstore_log_next(rq->s, &n)) == COSO_OK) {
			rv = digest_compute_tables(rq->s, d, per);
		}
		cstore_read_end(rq->s);
	}
	if (rv != COSO_OK) {
		fail_store(rq, rv);
		return;
	}
	set_json(rq, 200, digest_json(n, d, per));
}

/* ---- GET /api/v1/reports/compliance ----------------------------------------
 */

/* A text parameter into buf (HTTPQ_TEXT_MAX + 1 bytes); NULL if absent. */
static const char *
text_param(const struct httpq_param *p, char buf[static HTTPQ_TEXT_MAX + 1])
{
	if (!p->present) {
		return NULL;
	}
	memcpy(buf, p->text, p->text_len);
	buf[p->text_len] = 0;
	return buf;
}

static void
get_compliance(struct req *rq)
{
	char period[HTTPQ_TEXT_MAX + 1], unit[HTTPQ_TEXT_MAX + 1];
	char err[REPORT_ERRMSG_MAX], msg[REPORT_ERRMSG_MAX + 8];
	struct report_compliance *r = NULL;
	const char *p               = text_param(&rq->q[0], period);
	int32_t today = coso_date_of_ms((uint64_t) time(NULL) * 1000u);
	int rv;

	if (p == NULL) {
		fail_with(rq, 400, "The query needs a period.");
		return;
	}
	rv = report_compliance(
	    rq->rdb, p, text_param(&rq->q[1], unit), today, &r, err);
	if (rv == COSO_EINVAL) {
		snprintf(msg, sizeof(msg), "%s.", err);
		fail_with(rq, 400, msg);
	} else if (rv != COSO_OK) {
		clog_error(rq->log, "http: cannot compute a report: %s", err);
		fail_with(rq, 500, "The database could not be read.");
	} else {
		set_json(rq, 200, report_compliance_json(r));
	}
	report_compliance_free(r);
}

/* ---- GET /api/v1/views/VIEW ------------------------------------------------
 */

static uint64_t now_ms(void);

/*
 * The scope of the request's session: 0 with *out set (pointing into
 * *who), or an HTTP status (401 no session, 403 access ended, 500 the
 * database).  The one place where the console's sign-in decides what a
 * view shows (console_scope_of: office the whole province, a leader
 * its unit's subtree or its sector).
 */
static int
console_scope(
    const struct req *rq, struct console_who *who, struct view_scope *out)
{
	int st = console_scope_of(
	    rq->console, rq->s, rq->log, rq->h, now_ms(), who);

	if (st == 0) {
		out->unit   = who->unit[0] != 0 ? who->unit : NULL;
		out->sector = who->sector[0] != 0 ? who->sector : NULL;
	}
	return st;
}

/* A download's bytes: fmt written by view_write to a private temporary
 * file, read back, removed.  COSO_OK with rq->r filled. */
static int
view_file(
    struct req *rq, const json_t *doc, enum view_kind k, int fmt, char *err)
{
	char path[] = "/tmp/coso-view-XXXXXX";
	int fd      = mkstemp(path), rv;
	FILE *f     = NULL;
	long n;

	if (fd < 0) {
		snprintf(
		    err, REPORT_ERRMSG_MAX, "cannot make a temporary file");
		return COSO_EIO;
	}
	close(fd);
	if ((rv = view_write(doc, k, fmt, path, err)) == COSO_OK) {
		rv = COSO_EIO;
		if ((f = fopen(path, "rb")) != NULL
		    && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0
		    && (size_t) n <= OUT_MAX && fseek(f, 0, SEEK_SET) == 0) {
			free(rq->r.body);
			rq->r.len  = (size_t) n;
			rq->r.body = malloc((size_t) n + 1);
			if (rq->r.body != NULL
			    && fread(rq->r.body, 1, (size_t) n, f)
			        == (size_t) n) {
				rv = COSO_OK;
			}
		}
		snprintf(err, REPORT_ERRMSG_MAX, "cannot read the download");
	}
	if (f != NULL) {
		fclose(f);
	}
	unlink(path);
	return rv;
}

/* ---- GET /metrics ---------------------------------------------------------
 */

#define DAY_MS (24u * 3600u * 1000u)

/* What the database says, from one read snapshot. */
static int
metrics_read(struct central_store *s, uint64_t now_ms, struct metrics_db *d)
{
	struct cstore_devices dev;
	char *note = NULL;
	int rv     = cstore_read_begin(s);

	if (rv != COSO_OK) {
		return rv;
	}
	if ((rv = cstore_log_next(s, &d->tree_size)) == COSO_OK) {
		rv = cstore_checkpoint_latest(s, &d->checkpoint_size, &note);
		rv = rv == COSO_ENOENT ? COSO_OK : rv;
	}
	if (rv == COSO_OK
	    && (rv = cstore_devices_count(
	            s, now_ms > DAY_MS ? now_ms - DAY_MS : 0, &dev))
	        == COSO_OK) {
		d->devices_enrolled = dev.enrolled;
		d->devices_revoked  = dev.revoked;
		d->devices_seen     = dev.seen;
		d->devices_seen_24h = dev.seen_since;
	}
	cstore_read_end(s);
	free(note);
	return rv;
}

static void
get_view(struct req *rq, enum view_kind k)
{
	char period[HTTPQ_TEXT_MAX + 1], format[HTTPQ_TEXT_MAX + 1];
	char err[REPORT_ERRMSG_MAX], msg[REPORT_ERRMSG_MAX + 8];
	const char *fname  = text_param(&rq->q[1], format);
	struct view_args a = {.status = -1};
	struct console_who who;
	int fmt     = fname != NULL ? report_format_parse(fname) : REPORT_JSON;
	json_t *doc = NULL;
	int rv;

	a.period = text_param(&rq->q[0], period);
	a.today  = coso_date_of_ms((uint64_t) time(NULL) * 1000u);
	if (fmt != REPORT_JSON && fmt != REPORT_CSV && fmt != REPORT_XLSX) {
		fail_with(rq, 400, "The format must be json, csv or xlsx.");
		return;
	}
	if (!view_public(k) && (rv = console_scope(rq, &who, &a.scope)) != 0) {
		fail_with(rq, (uint16_t) rv,
		    rv == 401       ? "Sign in to see this view."
		        : rv == 403 ? "Your access to the console has ended."
		                    : "The database could not be read.");
		return;
	}
	rv = view_json(rq->rdb, k, &a, &doc, err);
	if (rv == COSO_OK && fmt == REPORT_JSON) {
		free(rq->r.body);
		rq->r.body   = report_json_text(doc);
		rq->r.status = rq->r.body != NULL ? 200 : 500;
		rq->r.type   = "application/json";
		rq->r.len    = rq->r.body != NULL ? strlen(rq->r.body) : 0;
	} else if (rv == COSO_OK
	    && (rv = view_file(rq, doc, k, fmt, err)) == COSO_OK) {
		rq->r.status = 200;
		rq->r.type   = fmt == REPORT_CSV
		      ? "text/csv; charset=utf-8"
		      : "application/vnd.openxmlformats-officedocument."
		        "spreadsheetml.sheet";
		snprintf(rq->r.disposition, sizeof(rq->r.disposition),
		    "%s-%s.%s", view_name(k),
		    a.period != NULL
		            && strspn(a.period, "0123456789-QH")
		                == strlen(a.period)
		        ? a.period
		        : "now",
		    fmt == REPORT_CSV ? "csv" : "xlsx");
	}
	if (rv == COSO_EINVAL) {
		snprintf(msg, sizeof(msg), "%s.", err);
		fail_with(rq, 400, msg);
	} else if (rv != COSO_OK) {
		clog_error(rq->log, "http: cannot compute a view: %s", err);
		fail_with(rq, 500, "The database could not be read.");
	}
	json_decref(doc);
}

#define VIEW_ROUTE_FN(name, kind)                   \
	static void get_view_##name(struct req *rq) \
	{                                           \
		get_view(rq, kind);                 \
	}
VIEW_ROUTE_FN(overview, VIEW_OVERVIEW)
VIEW_ROUTE_FN(coverage, VIEW_COVERAGE)
VIEW_ROUTE_FN(proposals, VIEW_PROPOSALS)
VIEW_ROUTE_FN(quarantine, VIEW_QUARANTINE)
VIEW_ROUTE_FN(devices, VIEW_DEVICES)
VIEW_ROUTE_FN(trend, VIEW_TREND)
VIEW_ROUTE_FN(audit, VIEW_AUDIT)

/* ---- the console's sign-in (console_auth.c) -------------------------------
 */

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t) ts.tv_sec * 1000u + (uint64_t) ts.tv_nsec / 1000000u;
}

/* The console's answer into rq: never cached, its cookie set. */
static void
console_reply(struct req *rq, struct console_answer *a)
{
	char retry[32] = "";

	set_json(rq, a->status, a->json);
	if (a->retry_after != 0) {
		snprintf(retry, sizeof(retry), "Retry-After: %u\r\n",
		    a->retry_after);
	}
	snprintf(rq->r.extra, sizeof(rq->r.extra),
	    "Cache-Control: no-store\r\n%s%s%s%s", retry,
	    a->cookie[0] != 0 ? "Set-Cookie: " : "", a->cookie,
	    a->cookie[0] != 0 ? "\r\n" : "");
	sodium_memzero(a->cookie, sizeof(a->cookie));
}

static void
console_challenge(struct req *rq)
{
	struct console_answer a = {0};

	console_api_challenge(rq->console, rq->h, now_ms(), &a);
	console_reply(rq, &a);
}

static void
console_login(struct req *rq)
{
	struct console_answer a = {0};

	console_api_login(rq->console, rq->s, rq->log, rq->h, rq->body,
	    rq->body_len, now_ms(), &a);
	console_reply(rq, &a);
}

static void
console_logout(struct req *rq)
{
	struct console_answer a = {0};

	console_api_logout(rq->console, rq->h, &a);
	console_reply(rq, &a);
}

static void
console_session(struct req *rq)
{
	struct console_answer a = {0};

	console_api_session(rq->console, rq->s, rq->log, rq->h, now_ms(), &a);
	console_reply(rq, &a);
}

static void
get_metrics(struct req *rq)
{
	struct metrics_db d = {0};
	uint64_t now        = coso_wall_ms();
	int rv              = metrics_read(rq->s, now, &d);

	if (rv != COSO_OK) {
		fail_store(rq, rv);
		return;
	}
	free(rq->r.body);
	rq->r.body = NULL;
	if (metrics_render(rq->metrics, &d, now, &rq->r.body, &rq->r.len)
	    != COSO_OK) {
		rq->r.body = NULL; /* answered OOM_BODY */
		return;
	}
	rq->r.status = 200;
	rq->r.type   = "text/plain; version=0.0.4; charset=utf-8";
}

/* ---- routing --------------------------------------------------------------
 */

static const struct route routes[] = {
    {"/checkpoint", get_checkpoint, {{0}}, 0},
    {"/api/v1/entries", get_entries,
        {{.name = "start", .type = HTTPQ_U64},
            {.name = "count", .type = HTTPQ_U64}},
        2},
    {"/api/v1/proof/inclusion", get_inclusion,
        {{.name = "index", .type = HTTPQ_U64},
            {.name = "id", .type = HTTPQ_HEX32},
            {.name = "size", .type = HTTPQ_U64}},
        3},
    {"/api/v1/proof/consistency", get_consistency,
        {{.name = "from", .type = HTTPQ_U64},
            {.name = "to", .type = HTTPQ_U64}},
        2},
    {"/api/v1/checkpoints", get_checkpoints,
        {{.name = "from", .type = HTTPQ_U64},
            {.name = "count", .type = HTTPQ_U64}},
        2},
    {"/api/v1/vkey", get_vkey, {{0}}, 0},
    {"/api/v1/keys", get_keys, {{0}}, 0},
    {"/api/v1/digest", get_digest, {{0}}, 0},
    {"/api/v1/reports/compliance", get_compliance,
        {{.name = "period", .type = HTTPQ_TEXT},
            {.name = "unit", .type = HTTPQ_TEXT}},
        2},
#define VIEW_ROUTE(v)                                            \
	{                                                        \
		"/api/v1/views/" #v, get_view_##v,               \
		    {{.name = "period", .type = HTTPQ_TEXT},     \
		        {.name = "format", .type = HTTPQ_TEXT}}, \
		    2                                            \
	}
    VIEW_ROUTE(overview),
    VIEW_ROUTE(coverage),
    VIEW_ROUTE(proposals),
    VIEW_ROUTE(quarantine),
    VIEW_ROUTE(devices),
    VIEW_ROUTE(trend),
    VIEW_ROUTE(audit),
#undef VIEW_ROUTE
    {"/console/api/challenge", console_challenge, {{0}}, 0},
    {"/console/api/login", console_login, {{0}}, 0},
    {"/console/api/logout", console_logout, {{0}}, 0},
    {"/console/api/session", console_session, {{0}}, 0},
    {"/metrics", get_metrics, {{0}}, 0},
};

#define NROUTES (sizeof(routes) / sizeof(routes[0]))

/* Every route has its own counters in /metrics. */
_Static_assert(NROUTES <= METRICS_ROUTES, "METRICS_ROUTES is too small");

/* The route of the path before '?' (compared as sent: no decoding, no
 * trailing '/'); NULL if none.  *query and *qlen: what follows '?'. */
static const struct route *
route_of(const char *uri, size_t ulen, const char **query, size_t *qlen)
{
	const char *qm = memchr(uri, '?', ulen);
	size_t len     = qm != NULL ? (size_t) (qm - uri) : ulen;
	size_t i;

	*query = qm != NULL ? qm + 1 : "";
	*qlen  = qm != NULL ? ulen - len - 1 : 0;
	for (i = 0; i < NROUTES; i++) {
		if (strlen(routes[i].path) == len
		    && memcmp(routes[i].path, uri, len) == 0) {
			return &routes[i];
		}
	}
	return NULL;
}

/* The length of the request target before '?'. */
static size_t
path_len(const struct httphead *h)
{
	const char *qm = memchr(h->target, '?', h->target_len);

	return qm != NULL ? (size_t) (qm - h->target) : h->target_len;
}

/* A file of the console (pages.h), copied: the answer's body is
 * malloc'd. */
static void
get_page(struct req *rq, const char *path, size_t len)
{
	const struct app_asset *as = pages_find(path, len);

	if (as == NULL) {
		fail_with(rq, 404, "There is no such resource.");
		return;
	}
	free(rq->r.body);
	rq->r.status = 200;
	rq->r.type   = as->type;
	rq->r.len    = as->len;
	if ((rq->r.body = malloc(as->len + 1)) != NULL) {
		memcpy(rq->r.body, as->data, as->len);
	}
}

/* The routes that take POST only, the console's sign-in and sign-out;
 * every other takes GET and HEAD. */
static int
post_only(const struct route *rt)
{
	return rt->fn == console_login || rt->fn == console_logout;
}

/* Answers the request into rq->r; returns the route's path for the log
 * ("-" if none: a path sent by a client is not logged) and its index in
 * *route (-1 if none). */
static const char *
dispatch(const struct httphead *h, struct req *rq, int *route)
{
	const char *query;
	size_t qlen, bad;
	const struct route *rt
	    = route_of(h->target, h->target_len, &query, &qlen);
	struct httpq_param q[PARAMS_MAX];
	char msg[160];
	int rv;

	*route = rt != NULL ? (int) (rt - routes) : -1;
	if (rt == NULL && pages_path(h->target, path_len(h))) {
		if (!httphead_method_is(h, "GET")
		    && !httphead_method_is(h, "HEAD")) {
			fail_with(rq, 405, "Only GET is allowed.");
		} else {
			get_page(rq, h->target, path_len(h));
		}
		return PAGES_PREFIX;
	}
	if (rt == NULL) {
		fail_with(rq, 404, "There is no such resource.");
		return "-";
	}
	if (post_only(rt) && !httphead_method_is(h, "POST")) {
		fail_with(rq, 405, "Only POST is allowed.");
		snprintf(rq->r.extra, sizeof(rq->r.extra), "Allow: POST\r\n");
		return rt->path;
	}
	if (!post_only(rt) && !httphead_method_is(h, "GET")
	    && !httphead_method_is(h, "HEAD")) {
		fail_with(rq, 405, "Only GET is allowed.");
		return rt->path;
	}
	memcpy(q, rt->params, sizeof(q));
	rv = httpq_parse(query, qlen, q, rt->nparams, &bad);
	if (rv != HTTPQ_OK) {
		snprintf(msg, sizeof(msg), "%s%s%s%s.", httpq_strerror(rv),
		    bad < rt->nparams ? " (" : "",
		    bad < rt->nparams ? q[bad].name : "",
		    bad < rt->nparams ? ")" : "");
		fail_with(rq, 400, msg);
		return rt->path;
	}
	rq->q = q;
	rt->fn(rq);
	return rt->path;
}

/* ---- requests and workers -------------------------------------------------
 */

/* Whether the request carries the configured bearer token.  Both sides
 * are hashed, so the comparison takes the same time whatever the guess. */
static int
authorized(const struct http *h, const struct httphead *req)
{
	const char *v = req->auth, *end;
	uint8_t got[32];
	size_t n;

	if (!h->has_token) {
		return 1;
	}
	if (v == NULL || req->auth_len < 7
	    || strncasecmp(v, "Bearer ", 7) != 0) {
		return 0;
	}
	for (end = v + req->auth_len, v += 7; v < end && *v == ' '; v++) { }
	n = (size_t) (end - v); /* trailing blanks: httphead took them off */
	if (n == 0 || n > HTTP_TOKEN_MAX) {
		return 0;
	}
	crypto_hash_sha256(got, (const uint8_t *) v, n);
	return sodium_memcmp(got, h->token_hash, 32) == 0;
}

/* Whether the request is for the console's own API. */
static int
console_path(const struct httphead *req)
{
	static const char pre[] = "/console/";

	return req->target_len >= sizeof(pre) - 1
	    && memcmp(req->target, pre, sizeof(pre) - 1) == 0;
}

/* Whether the request is for a view of the console's and carries a
 * console session cookie: the views then need no bearer token (a
 * browser cannot send one), the session gate (console_scope) decides;
 * a made-up cookie gets a 401 there. */
static int
console_view(const struct httphead *req)
{
	static const char pre[] = "/api/v1/views/";
	uint8_t id[32];
	int rv;

	if (req->target_len < sizeof(pre) - 1
	    || memcmp(req->target, pre, sizeof(pre) - 1) != 0) {
		return 0;
	}
	rv = console_cookie_id(req->cookie, req->cookie_len, id);
	sodium_memzero(id, sizeof(id));
	return rv;
}

/* 0 queued; 1 stopping or out of memory; 2 the queue is full. */
static int
enqueue(struct http *h, struct httpd_conn *c, const struct httphead *req)
{
	struct job *j = calloc(1, sizeof(*j));
	int rv        = j == NULL ? 1 : 0;

	pthread_mutex_lock(&h->mu);
	if (rv == 0 && (h->stopping || h->queued >= QUEUE_MAX)) {
		rv = h->stopping ? 1 : 2;
	}
	if (rv == 0) {
		j->c = c;
		j->h = req;
		if (h->tail != NULL) {
			h->tail->next = j;
		} else {
			h->head = j;
		}
		h->tail = j;
		h->queued++;
		pthread_cond_signal(&h->cv);
	}
	pthread_mutex_unlock(&h->mu);
	if (rv != 0) {
		free(j);
	}
	return rv;
}

/* A request answered on nng's thread, before any route is known. */
static void
answer_now(
    struct http *h, struct httpd_conn *c, uint16_t status, const char *msg)
{
	struct req rq = {0};

	metrics_http(h->metrics, -1, status);
	fail_with(&rq, status, msg);
	reply_send(c, &rq.r);
	free(rq.r.body);
}

/* A request that httphead refused (err), answered at once. */
static void
answer_bad(struct http *h, struct httpd_conn *c, int err)
{
	switch (err) {
	case HTTPHEAD_TOOBIG:
		answer_now(h, c, 431, "The request head is too large.");
		break;
	case HTTPHEAD_VERSION:
		answer_now(
		    h, c, 505, "Only HTTP/1.0 and HTTP/1.1 are served.");
		break;
	case HTTPD_EBODY:
		answer_now(h, c, 413, "The request body is too large.");
		break;
	case HTTPD_ELENGTH:
		answer_now(
		    h, c, 411, "A request body needs a Content-Length.");
		break;
	default:
		answer_now(h, c, 400, "The request is not valid HTTP/1.1.");
	}
}

/* httpd's callback, on nng's thread, for every request. */
static void
on_request(
    struct httpd_conn *c, const struct httphead *req, int err, void *arg)
{
	struct http *h = arg;

	if (req == NULL) {
		answer_bad(h, c, err);
		return;
	}
	/* The console signs its users in itself (console_auth.h). */
	if (!console_path(req) && !console_view(req) && !authorized(h, req)) {
		answer_now(h, c, 401, "A valid bearer token is required.");
		return;
	}
	switch (enqueue(h, c, req)) {
	case 0:
		break;
	case 2:
		answer_now(h, c, 503, "The server is busy; retry later.");
		break;
	default:
		httpd_drop(c); /* stopping, or out of memory */
	}
}

/* The next job; NULL once stopping with nothing queued. */
static struct job *
dequeue(struct http *h)
{
	struct job *j;

	pthread_mutex_lock(&h->mu);
	while (!h->stopping && h->head == NULL) {
		pthread_cond_wait(&h->cv, &h->mu);
	}
	if ((j = h->head) != NULL) {
		h->head = j->next;
		h->tail = h->head != NULL ? h->tail : NULL;
		h->queued--;
		j->closed = h->stopping;
	}
	pthread_mutex_unlock(&h->mu);
	return j;
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct job *j;

	while ((j = dequeue(w->h)) != NULL) {
		struct req rq = {.s = w->s,
		    .rdb            = w->rdb,
		    .log            = w->h->log,
		    .h              = j->h,
		    .console        = w->h->console,
		    .http           = w->h,
		    .metrics        = w->h->metrics};
		const char *path;
		int route;

		if (j->closed) {
			httpd_drop(j->c);
		} else {
			/* The body is the connection's until it is answered:
			 * the sign-in wipes the passphrase in it. */
			rq.body = (uint8_t *) httpd_body(j->c, &rq.body_len);
			path    = dispatch(j->h, &rq, &route);
			clog_debug(rq.log, "http: %s: %u", path, rq.r.status);
			metrics_http(rq.metrics, route,
			    rq.r.body != NULL ? rq.r.status : 500);
			reply_send(j->c, &rq.r);
		}
		free(rq.r.body);
		free(j);
	}
	return NULL;
}

/* ---- start and stop -------------------------------------------------------
 */

static int
workers_start(struct http *h, const char *db, unsigned n, char *errmsg)
{
	struct worker *w;
	unsigned i;

	if ((h->workers = calloc(n, sizeof(*h->workers))) == NULL) {
		snprintf(errmsg, HTTP_ERRMSG_MAX, "out of memory");
		return COSO_ENOMEM;
	}
	h->nworkers = n;
	/* The reports' indexes (schema only): without them the reports are
	 * right but slower, so a failure is only logged. */
	if (cstore_report_indexes(db, errmsg) != COSO_OK) {
		clog_error(h->log, "http: %s", errmsg);
	}
	for (i = 0; i < n; i++) {
		w    = &h->workers[i];
		w->h = h;
		if (cstore_open(&w->s, db, 1, errmsg) != COSO_OK
		    || cstore_report_open(&w->rdb, db, errmsg) != COSO_OK) {
			return COSO_EIO;
		}
		if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
			snprintf(
			    errmsg, HTTP_ERRMSG_MAX, "cannot start a thread");
			return COSO_ENOMEM;
		}
		w->running = 1;
	}
	return COSO_OK;
}

int
http_start(struct http **out, const struct http_cfg *cfg,
    const struct clog *log, char errmsg[static HTTP_ERRMSG_MAX])
{
	struct http *h                = calloc(1, sizeof(*h));
	const struct httpd_limits lim = {.conns = cfg->conns_max,
	    .head_ms                            = HEAD_MS,
	    .stall_ms                           = STALL_MS,
	    .answer_ms                          = ANSWER_MS,
	    .out_max                            = OUT_MAX,
	    .out_small                          = OUT_SMALL,
	    .body_max                           = CONSOLE_BODY_MAX,
	    .body_ms                            = HEAD_MS};

	if (h == NULL) {
		snprintf(errmsg, HTTP_ERRMSG_MAX, "out of memory");
		return COSO_ENOMEM;
	}
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	h->log          = log;
	h->metrics      = cfg->metrics;
	h->has_token    = cfg->has_token;
	h->cosigned     = cfg->cosigned;
	h->cosigned_arg = cfg->cosigned_arg;
	if (h->metrics != NULL) {
		const char *names[NROUTES];
		size_t i;

		for (i = 0; i < NROUTES; i++) {
			names[i] = routes[i].path;
		}
		metrics_routes(h->metrics, names, NROUTES);
	}
	memcpy(h->token_hash, cfg->token_hash, 32);
	if (console_auth_new(&h->console, cfg->addr) != COSO_OK) {
		snprintf(errmsg, HTTP_ERRMSG_MAX, "out of memory");
		http_stop(h);
		return COSO_ENOMEM;
	}
	if (workers_start(h, cfg->db, cfg->workers, errmsg) != COSO_OK
	    || httpd_start(&h->d, cfg->addr, &lim, on_request, h, errmsg)
	        != 0) {
		http_stop(h);
		return COSO_EIO;
	}
	*out = h;
	return COSO_OK;
}

void
http_stop(struct http *h)
{
	unsigned i;

	if (h == NULL) {
		return;
	}
	pthread_mutex_lock(&h->mu);
	h->stopping = 1;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
	if (h->d != NULL) {
		httpd_close(h->d);
	}
	for (i = 0; i < h->nworkers; i++) {
		if (h->workers[i].running) {
			pthread_join(h->workers[i].thread, NULL);
		}
		cstore_close(h->workers[i].s);
		cstore_report_close(h->workers[i].rdb);
	}
	httpd_free(h->d);
	console_auth_free(h->console);
	free(h->workers);
	sodium_memzero(h->token_hash, sizeof(h->token_hash));
	pthread_cond_destroy(&h->cv);
	pthread_mutex_destroy(&h->mu);
	free(h);
}
