/*
 * internal.h: what the client library's modules share.  Not installed.
 */
#ifndef COSO_CLIENT_INTERNAL_H
#define COSO_CLIENT_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include <coso/client.h>
#include <coso/proto.h>

/* Prepared statements kept for the life of a handle. */
enum stmt_id {
	ST_CHAIN_GET,
	ST_CHAIN_SET,
	ST_OUTBOX_PUT,
	ST_UNIT_EXISTS,
	ST_VISIT_PUT,
	ST_OUTCOME_PUT,
	ST_PROPOSAL_PUT,
	ST_HANDOVER_PUT,
	ST_COUNT,
};

struct coso_store {
	sqlite3 *db;
	char *dir;
	char *pass; /* sodium_malloc'd copy, or NULL */
	size_t passlen;
	struct coso_key *key; /* loaded on the first signed write */
	uint8_t pk[32];
	char *cadre; /* this device's cadre id, loaded with the key */
	sqlite3_stmt *stmt[ST_COUNT];
	char errmsg[COSO_ERRMSG_MAX];
	const char *errfmt; /* the format errmsg was made with (static) */
	coso_passphrase_cb pass_cb; /* asked when the key needs one */
	void *pass_arg;
	/* The store as it was when temp.qrows was last built (quarantine.c):
	 * another connection's commits (data_version) and this one's
	 * changes (total_changes); q_built 0 until it is. */
	int q_built;
	uint64_t q_version;
	int64_t q_changes;
	int checkpointed; /* a checkpoint ran: the close cuts the WAL */
};

/* The SQLite VFS every store connection opens with (vfs.c): the default
 * one without the WAL syncs that synchronous = FULL makes redundant. */
#define COSOI_VFS "coso"

/* Registers COSOI_VFS once per process (any thread); SQLITE_OK or the
 * registration's error. */
int cosoi_vfs_init(void);

/* Sets the handle's message; returns err so callers can `return
 * cosoi_fail(s, COSO_EUNIT, "unit `%s' ...", code)`. */
int cosoi_fail(struct coso_store *s, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records an SQLite failure in the message; returns COSO_ESTORE. */
int cosoi_db_fail(struct coso_store *s, const char *what);

/* The cached statement, reset and with bindings cleared. */
sqlite3_stmt *cosoi_stmt(struct coso_store *s, enum stmt_id id);

/* Runs SQL with no result rows; COSO_OK or COSO_ESTORE. */
int cosoi_exec(struct coso_store *s, const char *sql);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. */
int cosoi_begin(struct coso_store *s);
int cosoi_commit(struct coso_store *s);
void cosoi_rollback(struct coso_store *s);

/* Loads the device's public key (device.pub) into s->pk. */
int cosoi_pk_load(struct coso_store *s);

/* Loads the device key and cadre id if not yet loaded. */
int cosoi_key_load(struct coso_store *s);

/*
 * Keeps the store directory to its user: records, a queued enrollment
 * token and the key are inside.  A directory of this user that its group
 * or others may enter is made 0700.  Creating (a new store), one of
 * another user is refused and every failure is an error; opening, it is
 * best effort and always COSO_OK (a store on a read-only disk still
 * opens).
 */
int cosoi_dir_private(struct coso_store *s, int creating);

/*
 * Signs body as the device's next change-set, inside a transaction the
 * caller has begun: reads and advances the chain state, stores the
 * change-set in the outbox.  *seq and *hlc_ms receive what was used.
 */
int cosoi_sign_append(struct coso_store *s, struct coso_body *b, uint64_t *seq,
    uint64_t *hlc_ms);

/* COSO_ETOOBIG for text over COSO_TEXT_MAX bytes, said in characters
 * of that text (how many there are, how many fit). */
int cosoi_too_long(struct coso_store *s, const char *field, const char *text);

/*
 * The hybrid logical clock (chain.c), inside the caller's transaction.
 * cosoi_hlc_last reads the last value issued or taken in.
 * cosoi_hlc_take takes in a remote stamp (Kulkarni et al.'s receive
 * rule).  cosoi_hlc_weighed is what a stamp weighs at the central when
 * its time is central_ms: itself, or central_ms for one ahead of that by
 * more than COSO_CLOCK_TOLERANCE_MS (which the central weighs at its
 * received time, no later than central_ms): taking that in instead, a
 * stamp from a clock far ahead does not drag this one along.
 * cosoi_hlc_central takes in the central's time at STATUS; if the clock
 * is ahead of that by more than the tolerance, it is first set back to
 * the central's time (the central weighs such stamps at their received
 * time anyway, and never lets an author's later change-set weigh less
 * than its earlier ones).
 */
int cosoi_hlc_last(struct coso_store *s, uint64_t *hlc);
int cosoi_hlc_take(struct coso_store *s, uint64_t remote);
uint64_t cosoi_hlc_weighed(uint64_t remote, uint64_t central_ms);
int cosoi_hlc_central(struct coso_store *s, uint64_t central_ms);

/*
 * A change-set of this device's own, pulled back: if it continues the
 * chain (seq = head + 1, prev = head's id), the chain moves to it and
 * *taken is 1; else (held already, or another branch) nothing changes.
 */
int cosoi_chain_restore(struct coso_store *s, const struct coso_changeset *cs,
    const uint8_t id[32], int *taken);

/*
 * Normalises text to NFC within COSO_TEXT_MAX; the failure names field.
 * NULL or empty input gives *out = NULL and COSO_OK.
 */
int cosoi_text(
    struct coso_store *s, const char *field, const char *in, char **out);

/* A tracked proposal: its op in a body, and its row (visit.c). */
int cosoi_proposal_op(struct coso_body *b, const char *unit, const char *text,
    int32_t date, const uint8_t source[16], uint8_t row[16]);
int cosoi_proposal_row(struct coso_store *s, const uint8_t row[16],
    const uint8_t source[16], const char *kind, const char *unit,
    const char *text, int32_t date);

/*
 * The summary a leader's report on a district starts with (prefill.c):
 * *out (malloc'd) is NULL when unit is not a district or this store's
 * cadre has no assignment on it (or above it) in the period.
 */
int cosoi_report_summary(
    struct coso_store *s, const char *unit, const char *period, char **out);

/* Adds an upsert of each move of unit code to b (tree.c); *n counts them
 * (at most 16). */
int cosoi_move_ops(
    struct coso_store *s, struct coso_body *b, const char *code, size_t *n);

/* The unit list's import with no check of enrollment: the office's
 * `admin units import' (units.c). */
int cosoi_units_import(
    struct coso_store *s, const char *csv, size_t len, size_t *count);

/* Checks that a unit code is known; the failure names field. */
int cosoi_unit_known(
    struct coso_store *s, const char *field, const char *code);

/* The rules by which a record's date is judged against the cadre's
 * assignments (cover.c, and the central's auth.c). */
enum cosoi_rule {
	COSOI_RULE_ON_DATE  = 0, /* valid on the date */
	COSOI_RULE_HANDOVER = 1, /* with COSO_GRACE_DAYS after an end */
	COSOI_RULE_REPORT   = 2, /* on the date, or the period's grace */
};

/*
 * Checks that this store's cadre may write a record on unit dated date
 * (a report: submitted on date for the period first..last) by the
 * assignments the store holds: COSO_OK, or COSO_QUNAUTH with a message.
 * A store holding no assignment of its cadre passes.
 */
int cosoi_cover_check(struct coso_store *s, enum cosoi_rule rule,
    const char *unit, int32_t date, int32_t first, int32_t last);

/* The days a unit existed, with its name and what it went into. */
struct cosoi_span {
	char name[256];
	int32_t from, to; /* to 0: it goes on */
	char into[65], into_name[256];
};

/* The unit's span (units.c); the failure names field. */
int cosoi_unit_span(struct coso_store *s, const char *field, const char *code,
    struct cosoi_span *u);

/* Fails naming field: unit u did not exist on date (before it began or
 * after it ended, and what it went into). */
int cosoi_span_refuse(struct coso_store *s, const char *field,
    const char *code, const struct cosoi_span *u, int32_t date);

/* Checks that a unit exists on date (COSO_EDATE naming field if not). */
int cosoi_unit_on(
    struct coso_store *s, const char *field, const char *code, int32_t date);

/* Checks that a cadre id is among the cadres this store holds (those
 * the office added here or a pull brought); COSO_ENOENT naming field. */
int cosoi_cadre_known(struct coso_store *s, const char *field, const char *id);

/* Requires an identifier (cadre id, unit or sector code): 1 to
 * COSO_ID_MAX bytes of printable ASCII without spaces; the message
 * names field.  admin.c. */
int cosoi_ident_ok(struct coso_store *s, const char *field, const char *v);

/* The same on a device that holds cadres; one that never pulled them
 * (an offline device) cannot tell, and passes. */
int cosoi_cadre_named(struct coso_store *s, const char *field, const char *id);

/* Checks a cadre or an assignment as `admin cadre add' and `admin
 * assign' do, adds its op to b and its row to the store, in the caller's
 * transaction; nothing is signed (bulk.c signs). */
int cosoi_cadre_stage(
    struct coso_store *s, const struct coso_cadre_in *in, struct coso_body *b);
int cosoi_assign_stage(struct coso_store *s, const struct coso_assign_in *in,
    struct coso_body *b);

/* Checks that this device may sign admin commands (admin.c) and loads
 * its key: COSO_ESTATE for a field key. */
int cosoi_admin_ready(struct coso_store *s);

/* Checks a date is valid and not more than a day ahead of today. */
int cosoi_date_ok(struct coso_store *s, const char *field, int32_t date);

/* A handle with no database yet (store.c). */
struct coso_store *cosoi_handle_new(
    const char *dir, const char *pass, size_t passlen);

/* Creates dir/store.db at a schema version (tests use older ones). */
int cosoi_store_create_db(struct coso_store *s, int version);

/* Schema creation and migration (schema.c). */
int cosoi_schema_create(struct coso_store *s, int version);
int cosoi_schema_migrate(struct coso_store *s);
int cosoi_user_version(struct coso_store *s, int *v);

/* The columns a visit is listed and shown with (from visits v LEFT JOIN
 * units u). */
#define COSOI_VISIT_COLS                                                      \
	"v.id, v.unit, u.name AS unit_name, v.date, v.purpose, v.situation, " \
	"v.difficulties, v.directions, v.participants, v.lat AS lat_e6, "     \
	"v.lon AS lon_e6, v.seq, v.author"

/*
 * What the central quarantined of this device's work (quarantine.c).
 * cosoi_quarantine_load (re)builds temp.qrows: every row written by a
 * change-set of the outbox whose verdict is quarantined (row, seq, k,
 * tbl, kind, reason, name), and temp.qmark: each such row once (row,
 * name), which a listing joins as "LEFT JOIN temp.qmark q ON q.row =
 * v.id" to give "q.name AS quarantine".  cosoi_records_load adds to
 * temp.csmain the first row of each outbox change-set not there yet
 * (seq, tbl, kind, row, nops).  All are temporary tables of the handle's
 * connection.
 */
int cosoi_quarantine_load(struct coso_store *s);
int cosoi_records_load(struct coso_store *s);

/* Runs a query and hands each result row to cb as a struct coso_row. */
int cosoi_rows(struct coso_store *s, sqlite3_stmt *st, const char *kind,
    coso_row_cb cb, void *arg);

/* The meta value for key (malloc'd), or NULL. */
char *cosoi_meta_get(struct coso_store *s, const char *key);
int cosoi_meta_set(struct coso_store *s, const char *key, const char *val);

#endif /* COSO_CLIENT_INTERNAL_H */
