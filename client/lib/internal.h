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
};

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

/* Checks that a unit code is known; the failure names field. */
int cosoi_unit_known(
    struct coso_store *s, const char *field, const char *code);

/* Checks a date is valid and not more than a day ahead of today. */
int cosoi_date_ok(struct coso_store *s, const char *field, int32_t date);

/* Days since 1970-01-01 of a YYYYMMDD date and back. */
int64_t cosoi_days(int32_t date);
int32_t cosoi_date_of_days(int64_t days);

/* Lowercase hex; out has 2*len+1 bytes. */
void cosoi_hex(char *out, const uint8_t *b, size_t len);

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

/* Runs a query and hands each result row to cb as a struct coso_row. */
int cosoi_rows(struct coso_store *s, sqlite3_stmt *st, const char *kind,
    coso_row_cb cb, void *arg);

/* The meta value for key (malloc'd), or NULL. */
char *cosoi_meta_get(struct coso_store *s, const char *key);
int cosoi_meta_set(struct coso_store *s, const char *key, const char *val);

#endif /* COSO_CLIENT_INTERNAL_H */
