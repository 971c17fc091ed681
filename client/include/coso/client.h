/*
 * coso client library: the field device's offline store.
 *
 * A store is a directory holding store.db (SQLite, WAL, synchronous=FULL)
 * and the device key (device.key, mode 0600; device.pub).  Every domain
 * write is one SQLite transaction that holds the domain rows, the signed
 * change-set in the outbox and the device's chain state (seq, prev, HLC):
 * either all of it is durable or none of it is.
 *
 * The library never prints and never exits.  Errors are coso_err codes;
 * a sentence naming what failed is kept in the handle
 * (coso_store_errmsg).  A handle is used by one thread at a time; several
 * processes may open one store (SQLite's locking, a busy timeout).
 */
#ifndef COSO_CLIENT_H
#define COSO_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <coso/proto.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Errors beyond proto's (numbers fixed, never reused). */
enum coso_client_err {
	COSO_ESTORE   = 40, /* the store database failed */
	COSO_ENEWER   = 41, /* store written by a newer coso */
	COSO_EUNIT    = 42, /* unknown unit */
	COSO_EDATE    = 43, /* malformed or out-of-range date */
	COSO_EPERIOD  = 44, /* malformed period */
	COSO_EFIELD   = 45, /* a field is missing, empty or malformed */
	COSO_ESTATE   = 46, /* not allowed in the object's state */
	COSO_ECSV     = 47, /* malformed CSV input */
	COSO_ENOSTORE = 48, /* no store at that place */
};

/* coso_strerror for both proto and client codes. */
const char *coso_client_strerror(int err);

#define COSO_SCHEMA_VERSION 2 /* user_version of a current store */
#define COSO_ERRMSG_MAX     512

struct coso_store;

struct coso_init {
	const char *cadre_id;    /* required */
	const char *name;        /* required: the cadre's name */
	const char *central_url; /* optional */
	const char *central_key; /* optional: public key file text */
	const char *passphrase;  /* optional: seals device.key */
	size_t passlen;
};

/*
 * Creates a store in dir (created if missing; refused if a store is there)
 * with a fresh device key.  On failure errmsg (COSO_ERRMSG_MAX bytes) says
 * why.  *pubkey_out, if not NULL, receives the public key file text
 * (malloc'd).
 */
COSO_NODISCARD int coso_store_init(const char *dir, const struct coso_init *p,
    char **pubkey_out, char errmsg[static COSO_ERRMSG_MAX]);

/*
 * Opens an existing store, migrating an older schema forward in one
 * transaction.  A store of a newer schema is refused (COSO_ENEWER) and not
 * touched.  The device key is loaded lazily, on the first signed write,
 * with the passphrase given here (NULL for a clear key; it is copied).
 */
COSO_NODISCARD int coso_store_open(struct coso_store **out, const char *dir,
    const char *passphrase, size_t passlen,
    char errmsg[static COSO_ERRMSG_MAX]);

/* Closes the store and wipes the key.  Accepts NULL. */
void coso_store_close(struct coso_store *s);

/* The sentence describing the last error on this handle. */
const char *coso_store_errmsg(const struct coso_store *s);

/* The default store directory: $COSO_HOME, else $XDG_DATA_HOME/coso, else
 * $HOME/.local/share/coso.  Malloc'd; NULL if none can be formed. */
char *coso_store_default_dir(void);

/* Dates are int32 YYYYMMDD.  Parses "YYYY-MM-DD" or "dd/mm/yyyy". */
COSO_NODISCARD int coso_date_parse(const char *s, int32_t *out);
/* Formats as "dd/mm/yyyy" into out (11 bytes). */
void coso_date_format(char out[static 11], int32_t date);
/* Today's date (UTC+7, Vietnam's time) from Unix ms. */
int32_t coso_date_of_ms(uint64_t ms);

/* Periods: "YYYY-Qn", "YYYY-H1|H2", "YYYY".  Gives first and last day. */
COSO_NODISCARD int coso_period_parse(
    const char *s, int32_t *first, int32_t *last);

/* Unit levels, as in the import CSV. */
enum coso_level {
	COSO_LEVEL_PROVINCE  = 1,
	COSO_LEVEL_DISTRICT  = 2,
	COSO_LEVEL_COMMUNE   = 3,
	COSO_LEVEL_VILLAGE   = 4,
	COSO_LEVEL_HOUSEHOLD = 5,
};

/*
 * Loads units from CSV text (header code,name,level,parent_code,valid_from;
 * UTF-8; levels by name).  All rows or none: a bad row is reported by line
 * number in the errmsg and nothing is stored.  Reference data, not signed.
 * *count receives the number of units stored.
 */
COSO_NODISCARD int coso_units_import(
    struct coso_store *s, const char *csv, size_t len, size_t *count);

/* Text of one outcome of a visit. */
struct coso_outcome_in {
	const char *text; /* required */
	int has_quantity;
	int64_t quantity_milli; /* quantity in thousandths */
	const char *quantity_unit;
	int has_amount;
	int64_t amount_vnd;
};

struct coso_visit_in {
	const char *unit; /* unit code, must be known to the store */
	int32_t date;     /* YYYYMMDD, at most one day in the future */
	const char *purpose, *situation, *difficulties; /* optional */
	const char *const *proposals;
	size_t nproposals;
	const char *const *directions;
	size_t ndirections;
	const char *const *participants;
	size_t nparticipants;
	const struct coso_outcome_in *outcomes;
	size_t noutcomes;
	int has_position;
	int64_t lat_e6, lon_e6; /* microdegrees */
};

/*
 * Records a visit: one signed change-set with the visit, its outcomes and
 * its proposals (each a tracked proposal).  Text is normalised to NFC.
 * id receives the visit's row id.
 */
COSO_NODISCARD int coso_visit_add(struct coso_store *s,
    const struct coso_visit_in *v, uint8_t id[static 16]);

/* Report sections. */
enum coso_section {
	COSO_SEC_RESULTS      = 0,
	COSO_SEC_SITUATION    = 1,
	COSO_SEC_DIFFICULTIES = 2,
	COSO_SEC_PROPOSALS    = 3,
	COSO_SEC_COUNT        = 4,
};

/* The section named "results", "situation", "difficulties", "proposals". */
COSO_NODISCARD int coso_section_parse(
    const char *name, enum coso_section *out);

/*
 * Starts a draft report (local, unsigned).  unit may be NULL when the
 * cadre has exactly one active assignment.  amends, if not NULL, is a
 * submitted report this one corrects; its sections are copied.
 */
COSO_NODISCARD int coso_report_new(struct coso_store *s, const char *period,
    const char *unit, const uint8_t *amends, uint8_t id[static 16]);

/* Sets one section of a draft.  A submitted report is refused. */
COSO_NODISCARD int coso_report_edit(struct coso_store *s,
    const uint8_t id[static 16], enum coso_section sec, const char *text);

/*
 * Submits a draft: every section must be non-empty; signs it as one
 * change-set with one tracked proposal per line of the proposals section.
 * A submitted report never changes.
 */
COSO_NODISCARD int coso_report_submit(
    struct coso_store *s, const uint8_t id[static 16]);

/* Records a handover note on a unit. */
COSO_NODISCARD int coso_handover_add(struct coso_store *s, const char *unit,
    const char *text, const char *to_cadre, uint8_t id[static 16]);

/*
 * Reading.  Rows are given to a callback as a list of named values (the
 * same shape for every object, so listings, `show` and exports share one
 * path).  Values are valid during the callback only.  A non-zero return
 * from the callback stops the listing and is returned.
 */
struct coso_kv {
	const char *key;
	enum coso_vtype type; /* COSO_VNULL, COSO_VINT or COSO_VTEXT */
	int64_t i;
	const char *s;
	int is_date; /* an int YYYYMMDD to show as dd/mm/yyyy */
};

struct coso_row {
	const char *kind; /* "visit", "report", "proposal", ... */
	size_t n;
	const struct coso_kv *kv;
};

typedef int (*coso_row_cb)(const struct coso_row *row, void *arg);

struct coso_filter {
	const char *unit; /* NULL: all */
	int32_t since;    /* 0: all */
	int open_only;    /* proposals: only those not resolved or declined */
};

COSO_NODISCARD int coso_visit_list(struct coso_store *s,
    const struct coso_filter *f, coso_row_cb cb, void *arg);
COSO_NODISCARD int coso_report_list(struct coso_store *s,
    const struct coso_filter *f, coso_row_cb cb, void *arg);
COSO_NODISCARD int coso_proposal_list(struct coso_store *s,
    const struct coso_filter *f, coso_row_cb cb, void *arg);
/* Outcomes of visits (quantity in thousandths, amount in VND). */
COSO_NODISCARD int coso_outcome_list(struct coso_store *s,
    const struct coso_filter *f, coso_row_cb cb, void *arg);
COSO_NODISCARD int coso_handover_list(struct coso_store *s,
    const struct coso_filter *f, coso_row_cb cb, void *arg);

/*
 * One object by id (hex, or a unique prefix or suffix of at least 8 hex
 * digits; lists show the last 8, since UUIDv7s made together share
 * their first digits):
 * the row, then its children (outcomes, proposals) as further rows.
 * COSO_ENOENT if none matches.
 */
COSO_NODISCARD int coso_visit_show(
    struct coso_store *s, const char *id, coso_row_cb cb, void *arg);
COSO_NODISCARD int coso_report_show(
    struct coso_store *s, const char *id, coso_row_cb cb, void *arg);

/* Resolves a hex id or prefix of a kind ("visit", "report") to 16 bytes. */
COSO_NODISCARD int coso_id_resolve(struct coso_store *s, const char *kind,
    const char *hex, uint8_t id[static 16]);

struct coso_status {
	char cadre_id[64];
	char name[128];
	char central_url[256];
	uint64_t head_seq;          /* last change-set signed */
	uint64_t pending;           /* change-sets not yet acknowledged */
	uint64_t oldest_pending_ms; /* 0 if none pending */
	uint64_t last_sync_ms;      /* 0 if never */
	uint64_t receipts;
	uint64_t visits, reports, drafts, proposals_open, units;
	char shortid[17]; /* the device key's short id */
};

COSO_NODISCARD int coso_status_get(
    struct coso_store *s, struct coso_status *st);

/*
 * The device's own chain, each change-set re-verified from its stored
 * bytes: signature, seq contiguity, prev link, and that the body decodes.
 * cb receives rows of kind "changeset" with keys seq, id, hlc_ms, bytes,
 * ops, ok and, when not ok, error.  *bad counts the change-sets that fail.
 */
COSO_NODISCARD int coso_log_verify(
    struct coso_store *s, coso_row_cb cb, void *arg, uint64_t *bad);

/*
 * The outbox: change-sets not yet acknowledged, in seq order, from
 * after_seq.  cb gets each one's seq and bytes.
 */
typedef int (*coso_outbox_cb)(
    uint64_t seq, const uint8_t *cs, size_t len, void *arg);
COSO_NODISCARD int coso_outbox_pending(struct coso_store *s,
    uint64_t after_seq, size_t max, coso_outbox_cb cb, void *arg);

#ifdef __cplusplus
}
#endif

#endif /* COSO_CLIENT_H */
