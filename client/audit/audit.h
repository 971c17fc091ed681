/*
 * audit.h: coso-audit, the independent auditor of a central's log.  It
 * trusts nothing but the pinned central key: it reads the central's HTTP
 * API (fetch.c, api.c), re-derives everything it is told from the signed
 * change-sets themselves (check.c), keeps what it has verified in a state
 * directory (state.c) and can replay the log through `cosod central
 * rebuild` to compare the state digest (replay.c).  docs/audit.md.
 */
#ifndef COSO_AUDIT_H
#define COSO_AUDIT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <sqlite3.h>

#include <coso/proto.h>

/* Exit codes: a script tells a failed audit from an unreachable central. */
enum audit_exit {
	AUDIT_EXIT_OK      = 0, /* everything verified holds */
	AUDIT_EXIT_ANOMALY = 1, /* something does not hold; each named */
	AUDIT_EXIT_USAGE   = 2, /* bad option, key file or state directory */
	AUDIT_EXIT_NETWORK = 3, /* the central could not be read (retried) */
};

/* What a fetch or an API call gives: usable, the network failed, or the
 * central answered something that is not what the API promises. */
enum audit_rv {
	AUDIT_OK   = 0,
	AUDIT_NET  = 1, /* transport failure or HTTP status after retries */
	AUDIT_BAD  = 2, /* malformed answer: itself an anomaly */
	AUDIT_HTTP = 3, /* a definite 4xx answer (status in fetch.status) */
	AUDIT_MEM  = 4, /* out of memory or a local failure */
};

#define AUDIT_ERR_MAX 512

/* ---- fetch.c: HTTP GET with retries ------------------------------------ */

struct fetch {
	/* The transport: fetch_init sets libcurl's; a test or fuzz target
	 * sets its own.  Same contract as fetch_get. */
	int (*get)(struct fetch *f, const char *path, size_t max, char **body,
	    size_t *len);
	void *curl;          /* CURL * */
	void *headers;       /* struct curl_slist * (Authorization) */
	char base[1024];     /* the central's URL, no trailing '/' */
	unsigned tries;      /* attempts per request */
	unsigned backoff_ms; /* first pause; doubles up to 8 s */
	long status;         /* HTTP status of the last answer */
	char err[AUDIT_ERR_MAX];
};

/* token may be NULL; it is sent as a bearer token and never printed. */
int fetch_init(struct fetch *f, const char *base, const char *token);
void fetch_fini(struct fetch *f);

/*
 * GET base + path, at most max bytes, into a malloc'd NUL-terminated
 * *body.  Connection failures, timeouts and 5xx answers are retried with
 * backoff; AUDIT_NET after the last try, AUDIT_HTTP for a 4xx (not
 * retried), AUDIT_BAD for a body over max.  Messages in f->err.
 */
static inline int
fetch_get(
    struct fetch *f, const char *path, size_t max, char **body, size_t *len)
{
	return f->get(f, path, max, body, len);
}

/* ---- api.c: the central's answers -------------------------------------- */

struct api_entry {
	uint64_t index;
	uint8_t id[32];
	uint8_t sender[32];
	uint64_t received_ms;
	int verdict, reason;
	uint8_t *cs; /* malloc'd */
	size_t cs_len;
	uint8_t leaf[COSO_LEAF_BYTES]; /* as served */
	size_t leaf_len;
	uint8_t leaf_hash[32]; /* as stored by the central */
};

struct api_page {
	uint64_t start, tree_size;
	size_t n;
	struct api_entry *e;
};

struct api_key {
	uint8_t key_id[32];
	uint8_t pk[32];
	char cadre[COSO_WIRE_STR_MAX + 1];
	int role;         /* 1 field, 2 admin, 3 central */
	int64_t enrolled; /* -1: none (the central key) */
	int64_t revoked;  /* -1: not revoked */
};

struct api_keys {
	size_t n;
	struct api_key *k;
};

/* A stored checkpoint as served: its size and note (malloc'd). */
struct api_note {
	uint64_t size;
	char *note;
	size_t len;
};

struct api_notes {
	uint64_t tree_size;
	size_t n;
	struct api_note *c;
};

#define API_PAGE_MAX  COSO_API_PAGE_MAX /* entries per request */
#define API_NOTES_MAX COSO_API_PAGE_MAX /* checkpoints per request */

int api_checkpoint(struct fetch *f, char **note, size_t *len);
/* The stored checkpoints of size from or more (at most count), checked to
 * come in ascending size, from on, each note at most COSO_NOTE_MAX bytes
 * (not yet verified). */
int api_checkpoints(struct fetch *f, uint64_t from, size_t count,
    struct api_notes *out, char err[static AUDIT_ERR_MAX]);
void api_notes_free(struct api_notes *p);
int api_entries(struct fetch *f, uint64_t start, size_t count,
    struct api_page *out, char err[static AUDIT_ERR_MAX]);
void api_page_free(struct api_page *p);
int api_consistency(struct fetch *f, uint64_t from, uint64_t to,
    uint8_t proof[COSO_PROOF_MAX][32], size_t *count,
    char err[static AUDIT_ERR_MAX]);
int api_keys(
    struct fetch *f, struct api_keys *out, char err[static AUDIT_ERR_MAX]);
void api_keys_free(struct api_keys *k);
/* The per-table digests that come with the state digest. */
#define API_TABLES_MAX 32
struct api_tables {
	size_t n;
	char name[API_TABLES_MAX][64];
	char hex[API_TABLES_MAX][65];
};

int api_digest(struct fetch *f, uint64_t *size, char hex[static 65],
    struct api_tables *tables, char err[static AUDIT_ERR_MAX]);

/* ---- report: anomalies and evidence ------------------------------------ */

#define AUDIT_PATH_MAX 4096
#define EVIDENCE_MAX   4 /* pairs of notes kept and shown per run */

/*
 * Two signed notes of the central that cannot both be true (a fork, a
 * rollback, a checkpoint that the log does not extend): kept in the
 * state directory, shown to the user.  label: "verified" (by this
 * auditor before), "served" (now), "old" or "latest".
 */
struct evidence {
	const char *what; /* the anomaly's name */
	int kept;         /* written; else dir holds why not */
	char dir[AUDIT_PATH_MAX];
	const char *label[2];
	char *note[2]; /* malloc'd */
};

struct report {
	FILE *out;      /* human lines (NULL with --json) */
	uint64_t count; /* anomalies found */
	size_t shown;   /* printed so far (bounded) */
	uint64_t lost;  /* not added to the JSON list (out of memory) */
	void *json;     /* json_t * array of anomalies, with --json */
	size_t nev;
	struct evidence ev[EVIDENCE_MAX];
};

/* Records an anomaly: what (a stable name: "bad_signature", ...), the
 * entry index or -1, and a sentence. */
void report_anomaly(struct report *r, const char *what, int64_t index,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Frees the evidence notes. */
void report_fini(struct report *r);

/* ---- state.c: what was verified before --------------------------------- */

struct audit_state; /* the state database, DIR/audit.db */

int state_open(
    struct audit_state **out, const char *dir, char err[static AUDIT_ERR_MAX]);
void state_close(struct audit_state *s);
sqlite3 *state_db(struct audit_state *s);

/* The last verified checkpoint (note malloc'd) or *note = NULL; its tree
 * size (0 if none). */
int state_checkpoint(struct audit_state *s, char **note);
int state_size(struct audit_state *s, uint64_t *size);

/*
 * Keeps two signed notes as evidence in DIR/evidence/WHAT-SIZE1-SIZE2-ID/
 * (ID: the first 4 bytes of SHA-256 of both notes, in hex, so that a rerun
 * that sees the same pair keeps it once), one file LABEL.note per note,
 * written by temp file + fsync + rename.  dir receives the directory.
 * Outside the state's transaction: evidence stays when the run fails.
 */
int state_evidence(struct audit_state *s, const char *what,
    const char *const label[2], const char *const note[2],
    char dir[static AUDIT_PATH_MAX], char err[static AUDIT_ERR_MAX]);

/* A clean run's state is left in an open transaction when the caller
 * defers the commit (rebuild: until the replay holds too). */
int state_commit(struct audit_state *s);
void state_rollback(struct audit_state *s); /* nothing open: no-op */

/* What a run loads and saves (check.c); 0 or -1 (sqlite3_errmsg of
 * state_db).  state_begin opens the run's transaction, which
 * state_commit or state_rollback ends. */
struct registry;
int state_begin(struct audit_state *s);
/* The frontier stored with the last checkpoint, if it has size leaves. */
int state_load_frontier(
    struct audit_state *s, struct coso_frontier *fr, uint64_t size);
/* The stored key registry and chains, added to reg. */
int state_load_keys(struct audit_state *s, struct registry *reg);
/* Writes a clean run's checkpoint note, the central key, the frontier
 * and the registry, in the open transaction. */
int state_save(struct audit_state *s, const uint8_t central_pk[static 32],
    const char *note, size_t note_len, const struct coso_frontier *fr,
    const struct registry *reg);
/* The state's central key must be central_pk: one state directory, one
 * log; -1 with err set if not. */
int state_key_ok(
    struct audit_state *s, const uint8_t central_pk[static 32], char *err);

/* ---- check.c: the verification pass ------------------------------------ */

#define AUDIT_WITNESSES_MAX 16u

/* A witness whose cosignature counts toward the quorum (--witness). */
struct audit_witness {
	char name[COSO_KEYNAME_MAX + 1];
	uint8_t pk[32];
};

struct audit_cfg {
	uint8_t central_pk[32];
	/* The log's name when the pin is a verifier key (it pins the name
	 * with the key), else "": the note's own origin is then used. */
	char central_name[COSO_KEYNAME_MAX + 1];
	int full;           /* start from entry 0 */
	int progress;       /* show progress on stderr */
	int defer_commit;   /* leave a clean run's state uncommitted */
	FILE *entries_file; /* replay: write entries [0, entries_upto) */
	uint64_t entries_upto;
	size_t nwitnesses; /* --witness VKEY ... */
	struct audit_witness witness[AUDIT_WITNESSES_MAX];
	size_t quorum; /* cosignatures required (--quorum, default all) */
};

struct audit_result {
	int verified;         /* the checkpoint's signature holds */
	int extended;         /* ... and it extends the one verified before */
	int registry;         /* the registry was derived and compared */
	uint64_t tree_size;   /* of the checkpoint verified */
	uint64_t from;        /* first entry to check */
	uint64_t checked;     /* entries checked in this run */
	uint64_t unchecked;   /* of from .. tree_size - 1: missing, unread */
	uint64_t old_notes;   /* stored checkpoints checked */
	uint64_t accepted;    /* of them */
	uint64_t quarantined; /* of them */
	uint64_t keys;        /* registered keys in the log */
	uint8_t root[32];
	char origin[COSO_ORIGIN_MAX + 1];
	size_t cosigned; /* configured witnesses whose cosignature holds */
};

/* ---- quorum.c: witnesses' cosignatures ---------------------------------- */

/*
 * Counts the configured witnesses whose cosignature on the note verifies
 * (into res->cosigned) and, if fewer than cfg->quorum, reports the
 * anomaly "witness_quorum" naming each missing witness and why; -1 then,
 * else 0.  No witness configured: 0.
 */
struct report;
int quorum_check(const struct audit_cfg *cfg, const char *note, size_t len,
    struct report *rep, struct audit_result *res);

/* Runs the whole verification; returns AUDIT_OK (anomalies, if any, are
 * in rep), AUDIT_NET, or AUDIT_MEM with err set.  The state is advanced
 * only when no anomaly was found. */
int check_run(const struct audit_cfg *cfg, struct fetch *f,
    struct audit_state *st, struct report *rep, struct audit_result *res,
    char err[static AUDIT_ERR_MAX]);

#endif /* COSO_AUDIT_H */
