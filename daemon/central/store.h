/*
 * store.h: the central node's storage, behind one narrow interface.
 * store.c and the store_*.c files beside it implement it on SQLite (WAL,
 * synchronous=FULL), one concept a file, sharing store_impl.h; a
 * PostgreSQL backend would implement the same functions in its own files
 * and be chosen at link time.  docs/central.md describes the tables.
 *
 * The store knows tables, rows and the log; it decides nothing.  Merge
 * rules (verdicts, last-writer-wins, authorisation) live in merge.c,
 * apply.c and auth.c, which reach the data only through these calls.
 *
 * Threads: a handle is used by one thread at a time.  The writer thread
 * owns the one read-write handle; readers (PULL, STATUS, stats) open their
 * own read-only handles.  Functions return COSO_OK, COSO_ENOENT where a
 * lookup finds nothing, or COSO_EIO with a sentence in cstore_errmsg.
 */
#ifndef COSOD_STORE_H
#define COSOD_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <coso/proto.h>

#define CSTORE_ERRMSG_MAX 512
#define CSTORE_CADRE_MAX  COSO_WIRE_STR_MAX

/* Roles of an author key.  CENTRAL is the central's own key. */
enum cstore_role {
	CSTORE_ROLE_FIELD   = 1,
	CSTORE_ROLE_ADMIN   = 2,
	CSTORE_ROLE_CENTRAL = 3,
};

/* What PULL scope a change-set falls in (table pull_scope). */
enum cstore_scope {
	CSTORE_SCOPE_REFERENCE  = 0, /* sectors, teams, schedules: for all */
	CSTORE_SCOPE_ASSIGNMENT = 1, /* key: the assigned cadre */
	CSTORE_SCOPE_RESPONSE   = 2, /* key: the proposal author's cadre */
	CSTORE_SCOPE_UNIT       = 3, /* key: the unit code of a record */
	CSTORE_SCOPE_KEY        = 4, /* key: the cadre of a device key */
	CSTORE_SCOPE_OFFICE     = 5, /* for admin keys: proposals, responses,
	                              * tokens, device keys, revocations */
	CSTORE_SCOPE_TREE  = 6, /* key: a unit's code: its row and moves */
	CSTORE_SCOPE_CADRE = 7, /* key: a cadre's id: its row */
};

struct central_store;

/* A registered key: the authors table. */
struct cstore_author {
	uint8_t key_id[32];
	uint8_t pk[32];
	char cadre_id[CSTORE_CADRE_MAX + 1];
	int role;          /* enum cstore_role */
	uint64_t next_seq; /* the seq expected next */
	uint8_t head[32];  /* id of the last change-set that moved the chain */
	int64_t enrolled;  /* log position of its registration; -1: central */
	int64_t revoked;   /* log position of its revocation; -1: none */
};

/* A log entry: the changesets table.  bytes is owned by the caller when
 * given to cstore_log_append, malloc'd by cstore_log_get. */
struct cstore_logrow {
	uint64_t position;
	uint8_t id[32];
	uint8_t author[32];
	uint8_t sender[32]; /* key id of the frame's sender */
	uint64_t seq, hlc, received_ms;
	int verdict; /* COSO_VERDICT_ACCEPTED or _QUARANTINED */
	int reason;  /* 0 or a coso_err code */
	uint8_t *bytes;
	size_t len;
	uint8_t receipt[COSO_RECEIPT_BYTES];
};

/* A value read back from a row; p is malloc'd (cstore_val_clear). */
struct cstore_val {
	enum coso_vtype type;
	int64_t i;
	uint8_t *p;
	size_t len;
};

/* Last-writer-wins stamp of one field: (hlc, author key id). */
struct cstore_stamp {
	uint64_t hlc;
	uint8_t author[32];
};

/* 1 if stamp a wins over b: the higher weight (hlc), then the higher
 * author key id (docs/central.md, "Weights").  The one order of every
 * last-writer-wins decision (fields, proposal responses). */
static inline int
cstore_stamp_after(const struct cstore_stamp *a, const struct cstore_stamp *b)
{
	if (a->hlc != b->hlc) {
		return a->hlc > b->hlc;
	}
	return memcmp(a->author, b->author, 32) > 0;
}

/* Who wrote an append-only row and in which change-set. */
struct cstore_rowmeta {
	uint8_t author[32];
	const char *cadre_id;
	uint8_t cs[32];
	uint64_t hlc;
};

struct cstore_conflict {
	uint64_t position; /* the change-set whose merge met the conflict */
	uint32_t table;
	uint8_t row[16];
	uint32_t field;
	const struct coso_value *lose_value;
	struct cstore_stamp lose, win;
};

struct cstore_token {
	char cadre_id[CSTORE_CADRE_MAX + 1];
	int64_t expires; /* Unix ms */
};

struct cstore_reason_count {
	int reason;
	uint64_t n;
};

#define CSTORE_REASONS_MAX 64

struct cstore_stats {
	uint64_t accepted, quarantined, authors, changesets, bytes;
	uint64_t tree_size; /* leaves of the audit log's tree */
	uint8_t root[32];   /* its root hash */
	size_t nreasons;
	struct cstore_reason_count reasons[CSTORE_REASONS_MAX];
};

/* Lifecycle.  create refuses an existing path; errmsg receives why. */
COSO_NODISCARD int cstore_create(struct central_store **out, const char *path,
    char errmsg[static CSTORE_ERRMSG_MAX]);
COSO_NODISCARD int cstore_open(struct central_store **out, const char *path,
    int readonly, char errmsg[static CSTORE_ERRMSG_MAX]);
void cstore_close(struct central_store *s); /* accepts NULL */
const char *cstore_errmsg(const struct central_store *s);

/*
 * A copy of the database at src_path into a new file dst_path (0600;
 * refused, COSO_EEXIST, if anything is there) with SQLite's online backup
 * API, step pages at a time, all from one read snapshot of the source:
 * safe while `run' writes, which it never blocks.  The copy is one file
 * in rollback-journal mode (a read-write open puts it back in WAL),
 * fsync'd; dst_path is removed on failure.  *pages: the pages copied.
 */
COSO_NODISCARD int cstore_copy(const char *src_path, const char *dst_path,
    int step, uint64_t *pages, char errmsg[static CSTORE_ERRMSG_MAX]);

/* Transactions (BEGIN IMMEDIATE on the writer) and savepoints.  name is
 * a constant identifier of the caller's (savepoints nest: the writer's
 * per-request "job" holds merge's per-change-set "ops"). */
COSO_NODISCARD int cstore_begin(struct central_store *s);
COSO_NODISCARD int cstore_commit(struct central_store *s);
void cstore_rollback(struct central_store *s);
COSO_NODISCARD int cstore_savepoint(struct central_store *s, const char *name);
COSO_NODISCARD int cstore_release(struct central_store *s, const char *name);
void cstore_rollback_to(struct central_store *s, const char *name);

/* Settings (central public key, origin, the central's HLC). */
COSO_NODISCARD int cstore_meta_get(
    struct central_store *s, const char *key, char **out);
COSO_NODISCARD int cstore_meta_set(
    struct central_store *s, const char *key, const char *value);

/* The log.  next is the position the next appended entry gets; count the
 * entries stored (equal to next unless a row was removed). */
COSO_NODISCARD int cstore_log_next(struct central_store *s, uint64_t *next);
COSO_NODISCARD int cstore_log_count(struct central_store *s, uint64_t *n);
COSO_NODISCARD int cstore_log_append(
    struct central_store *s, const struct cstore_logrow *r);
/* The entry with this id (bytes not read).  An entry quarantined because
 * its sender was not its author matches only for the same sender. */
COSO_NODISCARD int cstore_log_find(struct central_store *s,
    const uint8_t id[static 32], const uint8_t sender[static 32],
    struct cstore_logrow *out);
/* How many entries from sender, received after since_ms, are relays
 * (COSO_QAUTHOR) or bad signatures (COSO_EBADSIG): what admit.h
 * bounds. */
COSO_NODISCARD int cstore_log_unsigned(struct central_store *s,
    const uint8_t sender[static 32], uint64_t since_ms, uint64_t *n);
/* The entry at position, bytes malloc'd into out->bytes. */
COSO_NODISCARD int cstore_log_get(
    struct central_store *s, uint64_t position, struct cstore_logrow *out);

/*
 * The audit log's Merkle tree (table tree_hashes): every appended entry
 * is a leaf (index = position, data as in its receipt, FORMAT.md "Log
 * leaves and tree"), added by cstore_log_append in the same transaction,
 * with every aligned subtree it completes.  The writer's handle keeps the
 * frontier in memory (rebuilt after a rollback).  head: the tree of the
 * whole log (size = number of entries) and its root.  src: the stored
 * subtree hashes, for proofs.
 */
COSO_NODISCARD int cstore_tree_head(
    struct central_store *s, uint64_t *size, uint8_t root[static 32]);
void cstore_tree_src(struct central_store *s, struct coso_tree_src *src);

/*
 * Read-only handles of one process on one database share an in-memory
 * copy of the subtree hashes (docs/central.md, "Audit log: tree and
 * checkpoints"), filled from tree_hashes at their first need and extended
 * as the log grows; a level of the tree with more than the limit's nodes
 * is not held (its hashes are read from the database).  limit: the
 * number of nodes, for tests; set before any handle is opened.
 */
#define CSTORE_TREE_CACHE_LEVEL_MAX (UINT64_C(1) << 19)
void cstore_tree_cache_limit(uint64_t nodes);
/* What s's cache holds: the subtrees within the first *size leaves, of
 * 2^*low leaves and more (*size 0: nothing; *low 64: no level yet). */
void cstore_tree_cache_held(
    struct central_store *s, uint64_t *size, unsigned *low);

/* Signed checkpoints (table checkpoints, one per tree size): put fails if
 * one is stored for size; latest is the largest, COSO_ENOENT if none,
 * note malloc'd. */
COSO_NODISCARD int cstore_checkpoint_put(
    struct central_store *s, uint64_t size, const char *note);
COSO_NODISCARD int cstore_checkpoint_latest(
    struct central_store *s, uint64_t *size, char **note);

/* One stored checkpoint; note is valid during the call only.  Return
 * non-zero to stop. */
typedef int (*cstore_checkpoint_cb)(
    uint64_t size, const char *note, void *arg);

/* The stored checkpoints of size from or more, ascending by size, at most
 * count, each given to cb until it returns non-zero. */
COSO_NODISCARD int cstore_checkpoints_each(struct central_store *s,
    uint64_t from, size_t count, cstore_checkpoint_cb cb, void *arg);

/* Authors. */
COSO_NODISCARD int cstore_author_get(struct central_store *s,
    const uint8_t key_id[static 32], struct cstore_author *a);
COSO_NODISCARD int cstore_author_put(
    struct central_store *s, const struct cstore_author *a);

/* Materialised rows.  table is a schema table id; field 0 of a mutable
 * table is its existence ("deleted": 0 or 1). */
COSO_NODISCARD int cstore_row_exists(struct central_store *s, uint32_t table,
    const uint8_t row[static 16], int *exists);
COSO_NODISCARD int cstore_row_insert(struct central_store *s,
    const struct coso_op *op, const struct cstore_rowmeta *meta);
COSO_NODISCARD int cstore_row_touch(
    struct central_store *s, uint32_t table, const uint8_t row[static 16]);
COSO_NODISCARD int cstore_row_author(struct central_store *s, uint32_t table,
    const uint8_t row[static 16], uint8_t author[static 32]);
/* The cadre an append-only row was merged for (its by_cadre). */
COSO_NODISCARD int cstore_row_cadre(struct central_store *s, uint32_t table,
    const uint8_t row[static 16], char cadre[static CSTORE_CADRE_MAX + 1]);
COSO_NODISCARD int cstore_field_get(struct central_store *s, uint32_t table,
    const uint8_t row[static 16], uint32_t field, struct cstore_val *v);
COSO_NODISCARD int cstore_field_set(struct central_store *s, uint32_t table,
    const uint8_t row[static 16], uint32_t field, const struct coso_value *v);
COSO_NODISCARD int cstore_stamp_get(struct central_store *s, uint32_t table,
    const uint8_t row[static 16], uint32_t field, struct cstore_stamp *st);
COSO_NODISCARD int cstore_stamp_set(struct central_store *s, uint32_t table,
    const uint8_t row[static 16], uint32_t field,
    const struct cstore_stamp *st);
COSO_NODISCARD int cstore_conflict_add(
    struct central_store *s, const struct cstore_conflict *c);
void cstore_val_clear(struct cstore_val *v);

/* A proposal's status from a response, if (hlc, author) is newer than
 * the response it holds.  COSO_ENOENT if no such proposal. */
COSO_NODISCARD int cstore_proposal_respond(struct central_store *s,
    const uint8_t proposal[static 16], int64_t status,
    const uint8_t response[static 16], const struct cstore_stamp *st);

/* Authorisation queries.  covers: cadre holds an assignment on unit or
 * one of its ancestors valid on date (YYYYMMDD). */
COSO_NODISCARD int cstore_unit_exists(
    struct central_store *s, const char *code, size_t len, int *yes);
COSO_NODISCARD int cstore_covers(struct central_store *s, const char *cadre,
    const char *unit, size_t unit_len, int32_t date, int *yes);
/* The last day (99991231 when open-ended) of the latest assignment of
 * cadre on unit or an ancestor that overlaps first..last; 0 if none. */
COSO_NODISCARD int cstore_cover_end(struct central_store *s, const char *cadre,
    const char *unit, size_t unit_len, int32_t first, int32_t last,
    int32_t *end);

/* The days a live unit existed: *from its valid_from, *to its valid_to
 * (0: open); COSO_ENOENT if there is no such unit. */
COSO_NODISCARD int cstore_unit_span(struct central_store *s, const char *code,
    size_t len, int32_t *from, int32_t *to);
/*
 * The office's console (store_console.c): a cadre's grant, from the
 * signed console_access row, with the cadre's name (malloc'd, NULL if
 * the cadre has no live row: cstore_console_clear frees it) and
 * whether the central holds a passphrase hash for it (console_secrets:
 * the central's own, not in the log).  ended: the row was deleted
 * (`coso admin console end').  COSO_ENOENT: no grant.
 */
#define CSTORE_CONSOLE_HASH_MAX 128 /* crypto_pwhash_STRBYTES */
struct cstore_console {
	char cadre_id[COSO_ID_MAX + 1];
	char *name;
	int role; /* enum coso_console_role */
	char unit[COSO_ID_MAX + 1], sector[COSO_ID_MAX + 1]; /* "" none */
	int32_t valid_to; /* last day, 0 open-ended */
	int ended;
	int has_secret;
};

void cstore_console_clear(struct cstore_console *c);
COSO_NODISCARD int cstore_console_get(
    struct central_store *s, const char *cadre, struct cstore_console *c);
/* Every grant by cadre id; cb's non-zero return stops and is returned. */
COSO_NODISCARD int cstore_console_list(struct central_store *s,
    int (*cb)(const struct cstore_console *c, void *arg), void *arg);
/* A cadre's argon2id hash string (crypto_pwhash_str), or COSO_ENOENT. */
COSO_NODISCARD int cstore_console_secret(struct central_store *s,
    const char *cadre, char hash[static CSTORE_CONSOLE_HASH_MAX]);
/* Sets it (a writable handle). */
COSO_NODISCARD int cstore_console_secret_set(struct central_store *s,
    const char *cadre, const char *hash, uint64_t now_ms);

/* Whether a live sector row has this code. */
COSO_NODISCARD int cstore_sector_exists(
    struct central_store *s, const char *code, size_t len, int *yes);
/* Whether a live cadre row has this cadre id. */
COSO_NODISCARD int cstore_cadre_exists(
    struct central_store *s, const char *id, size_t len, int *yes);

/* Enrollment tokens: the token row with this hash.  A token is used by
 * its own record (table token_uses, one per hash): token_use records
 * that key_id used it at position unless it is used already (the record
 * never changes); token_user gives *used and the key id. */
COSO_NODISCARD int cstore_token_get(struct central_store *s,
    const uint8_t hash[static 32], struct cstore_token *t);
COSO_NODISCARD int cstore_token_use(struct central_store *s,
    const uint8_t hash[static 32], const uint8_t key_id[static 32],
    uint64_t position);
COSO_NODISCARD int cstore_token_user(struct central_store *s,
    const uint8_t hash[static 32], int *used, uint8_t key_id[static 32]);

/* PULL scope index of accepted change-sets. */
COSO_NODISCARD int cstore_scope_add(struct central_store *s, uint64_t position,
    enum cstore_scope kind, const char *key, size_t key_len);

/* One PULL item, pointing into the store's row (valid during the call). */
struct cstore_pull_item {
	uint64_t position;
	int verdict;              /* accepted, or quarantined (own chain) */
	int reason;               /* a quarantined one's */
	const char *cadre_id;     /* the author's cadre, "" if unknown */
	const uint8_t *author_pk; /* its Ed25519 public key, NULL if unknown */
	const uint8_t *cs;
	size_t len;
};

/* Return non-zero to stop (the item is then not taken). */
typedef int (*cstore_pull_cb)(const struct cstore_pull_item *it, void *arg);

/* A read transaction, so the queries of one PULL see one snapshot. */
COSO_NODISCARD int cstore_read_begin(struct central_store *s);
void cstore_read_end(struct central_store *s);

/*
 * Accepted change-sets in cadre's scope at positions in (after, upto],
 * ascending, at most max_items, each given to cb until it returns
 * non-zero.  Unless history_only, also every entry of self's own chain
 * (author self, accepted or quarantined, but not a fork, a bad signature
 * or another sender's: those never moved its chain), so a device restored
 * from an old copy gets back what it signed; self may be NULL.
 * history_only limits the scope to records of units (kind
 * CSTORE_SCOPE_UNIT).  today (YYYYMMDD) decides which assignments are
 * current.  *last receives the last position examined and *more whether
 * any item in scope is left after it (within upto).
 */
COSO_NODISCARD int cstore_pull(struct central_store *s, const char *cadre,
    const uint8_t *self, int32_t today, uint64_t after, uint64_t upto,
    int history_only, size_t max_items, cstore_pull_cb cb, void *arg,
    uint64_t *last, int *more);

/* Whether an assignment change-set for cadre is at a position in
 * (after, upto]. */
COSO_NODISCARD int cstore_assigned_between(struct central_store *s,
    const char *cadre, uint64_t after, uint64_t upto, int *yes);

/* Scanning a table in a given order, for the digest.  header gets the
 * column names once (also for an empty table), row each row's values. */
struct cstore_scan {
	int (*header)(void *arg, size_t ncols, const char *const *names);
	int (*row)(void *arg, size_t ncols, const struct coso_value *vals);
	void *arg;
};

COSO_NODISCARD int cstore_scan(struct central_store *s, const char *table,
    const char *order_by, const struct cstore_scan *cb);

/*
 * Reads for the HTTP API (http.c), each on a read-only handle, inside the
 * caller's cstore_read_begin so that one response sees one snapshot.
 */

/* One log entry of a range.  r->bytes points into the store and is valid
 * only during the call; leaf is the leaf hash stored for the entry (table
 * tree_hashes), as stored.  Return non-zero to stop (the entry counts as
 * not taken). */
typedef int (*cstore_entry_cb)(
    const struct cstore_logrow *r, const uint8_t leaf[static 32], void *arg);

/* The entries at positions start, start + 1, ... (at most count),
 * ascending, each given to cb until it returns non-zero.  An entry
 * without a stored leaf hash is COSO_EIO. */
COSO_NODISCARD int cstore_log_range(struct central_store *s, uint64_t start,
    size_t count, cstore_entry_cb cb, void *arg);

/* The lowest position of an entry with this id, whatever its sender
 * (entries quarantined as not sent by their author may share an id).
 * COSO_ENOENT if none. */
COSO_NODISCARD int cstore_log_position(
    struct central_store *s, const uint8_t id[static 32], uint64_t *pos);

/* One registered key; return non-zero to stop. */
typedef int (*cstore_author_cb)(const struct cstore_author *a, void *arg);

/* Every key of the registry, by enrolled position (the central's own key,
 * enrolled -1, first), then key id. */
COSO_NODISCARD int cstore_authors_each(
    struct central_store *s, cstore_author_cb cb, void *arg);

/* Counts for `cosod central stats`. */
COSO_NODISCARD int cstore_stats_get(
    struct central_store *s, struct cstore_stats *st);

/* Device and admin keys (not the central's): enrolled and not revoked,
 * revoked; of all keys, those whose STATUS was recorded (clock_checks)
 * ever, and at or after since_ms.  Cheap: one pass over the keys, an
 * index lookup each. */
struct cstore_devices {
	uint64_t enrolled, revoked, seen, seen_since;
};
COSO_NODISCARD int cstore_devices_count(
    struct central_store *s, uint64_t since_ms, struct cstore_devices *d);
/* Live rows of a materialised table (deleted rows of mutable tables not
 * counted). */
COSO_NODISCARD int cstore_table_count(
    struct central_store *s, uint32_t table, uint64_t *n);

/*
 * Clocks.  An author's last-writer-wins weight (merge.c), COSO_ENOENT
 * before its first accepted change-set.  Writer.
 */
COSO_NODISCARD int cstore_weight_get(
    struct central_store *s, const uint8_t key_id[static 32], uint64_t *w);
COSO_NODISCARD int cstore_weight_put(
    struct central_store *s, const uint8_t key_id[static 32], uint64_t w);

/* What one STATUS measured: the central's clock when it answered, the
 * device's when it asked, and the device's last HLC. */
struct cstore_clock {
	uint8_t key_id[32];
	uint64_t central_ms, device_ms, hlc;
};

/* Records a check (table clock_checks, one per key and millisecond).
 * Writer. */
COSO_NODISCARD int cstore_clock_add(
    struct central_store *s, const struct cstore_clock *c);

/* A key's clock as the office sees it. */
struct cstore_clock_stat {
	uint8_t key_id[32];
	char cadre_id[CSTORE_CADRE_MAX + 1];
	int checked;              /* last is set: a STATUS was recorded */
	struct cstore_clock last; /* the last check */
	uint64_t checks;          /* checks recorded */
	uint64_t clamped; /* accepted change-sets weighed at their received
	                     time (merge_clamped) */
	int logged;       /* ahead_ms is set: the key has log entries */
	int64_t ahead_ms; /* the most a signed HLC was ahead of its
	                     received time (negative: behind) */
};

typedef int (*cstore_clock_cb)(const struct cstore_clock_stat *c, void *arg);

/* Every key but the central's, by cadre id then key id; cb until it
 * returns non-zero.  No key at all before the first check is recorded
 * in a store that predates the checks. */
COSO_NODISCARD int cstore_clocks_each(
    struct central_store *s, cstore_clock_cb cb, void *arg);

/* The materialised table's name for a schema table id ("units"). */
const char *cstore_table_name(uint32_t table);

#endif /* COSOD_STORE_H */
