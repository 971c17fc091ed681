/*
 * coso client library: the field device's offline store.
 *
 * A store is a directory (0700) holding store.db (SQLite, WAL,
 * synchronous=FULL; 0600), its store.db-wal and store.db-shm (kept
 * between processes), and the device key (device.key, mode 0600;
 * device.pub).  Every domain
 * write is one SQLite transaction that holds the domain rows, the signed
 * change-set in the outbox and the device's chain state (seq, prev, HLC):
 * either all of it is durable or none of it is, and it is durable (the
 * WAL fdatasynced) when the call returns.  Copy the whole directory to
 * back a store up: committed writes may be in store.db-wal only.
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
#include <stdio.h>

#include <coso/common.h>
#include <coso/proto.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Errors: enum coso_err in proto.h (the store's and sync's are 40 to
 * 53), each with its sentence from coso_strerror. */

#define COSO_SCHEMA_VERSION 7 /* user_version of a current store */
#define COSO_ERRMSG_MAX     512

struct coso_store;

/* Limits of what coso_store_init and coso_central_pin store, in bytes;
 * longer input is refused, never cut (a cadre id: COSO_ID_MAX; a
 * passphrase: COSO_PASSPHRASE_MAX, common.h). */
#define COSO_NAME_MAX 255u /* the cadre's name on the device */
#define COSO_URL_MAX  255u /* the central's URL */

/* The largest CSV file (a unit list, a merger mapping) read whole. */
#define COSO_CSV_MAX (64u * 1024u * 1024u)

struct coso_init {
	const char *cadre_id;    /* required, at most COSO_ID_MAX bytes */
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

/*
 * The printf format that sentence was made from (a string constant of
 * the library, English): an application that translates messages looks
 * the format up in its catalogue and puts the sentence's arguments into
 * the translation.  "%s" when there is none.
 */
const char *coso_store_errfmt(const struct coso_store *s);

/*
 * Asked for the passphrase of a sealed device key when a signed write
 * needs the key and coso_store_open was given none: writes at most max
 * bytes (UTF-8, NFC, no NUL needed) into buf and returns their number, or
 * -1 for none (the write then fails with COSO_ENEEDPASS).  Called on the
 * thread of the write; buf is wiped and freed by the library.
 */
typedef int (*coso_passphrase_cb)(char *buf, size_t max, void *arg);
void coso_store_passphrase_cb(
    struct coso_store *s, coso_passphrase_cb cb, void *arg);

/*
 * Loads the device key now, with the passphrase given to coso_store_open
 * (or the callback's): COSO_OK, COSO_EPASSWORD (wrong passphrase),
 * COSO_ENEEDPASS (sealed, and none given).  An app asks for the
 * passphrase once and checks it here, before any write needs the key.
 * The key stays in the handle's locked memory until it is closed.
 */
COSO_NODISCARD int coso_store_unlock(struct coso_store *s);

/*
 * QR images (qrread.c), read by zbarimg (Debian's zbar-tools) in a child
 * process.  coso_qr_scan: the text of the QR code in the image at path,
 * at most max bytes into buf (*len; max + 1 if there was more), and
 * zbarimg's exit status in *status: 0 read, COSO_QR_NONE no code found,
 * 127 zbarimg missing, other: not an image it reads; returns 0 or an
 * errno value.  coso_qr_read: the same for an image's bytes (written to
 * a temporary file of mode 0600, removed after): COSO_OK, COSO_ENOENT
 * (no code, or not an image), COSO_EIO (zbarimg missing, or failed).
 */
#define COSO_QR_NONE 4
int coso_qr_scan(
    const char *path, char *buf, size_t max, size_t *len, int *status);
COSO_NODISCARD int coso_qr_read(
    const uint8_t *img, size_t ilen, char *buf, size_t max, size_t *len);

/* The default store directory: $COSO_HOME, else $XDG_DATA_HOME/coso, else
 * $HOME/.local/share/coso.  Malloc'd; NULL if none can be formed. */
char *coso_store_default_dir(void);

/*
 * A decimal number as typed (numbers.c), into *out scaled by 10^scale
 * (scale 3: "2,5" gives 2500).  Vietnamese "1.500.000" and "1.234,5",
 * ISO/English "1500000", "2.5" and "1,234.5"; a leading `-' when min < 0;
 * spaces around it.  A single mark followed by three digits is read both
 * ways, as a thousands group and as a decimal mark, and taken when only
 * one reading fits scale and [min, max] ("1.500" is 1500 as an amount in
 * đồng, scale 0; "21.853" is 21.853 as a latitude).  Returns COSO_OK,
 * COSO_EINVAL when both readings fit (ambiguous: "1.500" as a quantity),
 * COSO_ETOOBIG out of [min, max], COSO_EFIELD otherwise (wrong grouping
 * "1.50.000", more fraction digits than scale, letters).
 */
COSO_NODISCARD int coso_number_parse(
    const char *s, unsigned scale, int64_t min, int64_t max, int64_t *out);

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

/* The bounds of an outcome's numbers as people type them (in the
 * units coso_number_parse gives: thousandths, đồng), for every front
 * end alike. */
#define COSO_QUANTITY_MAX INT64_C(1000000000000000)
#define COSO_AMOUNT_MAX   INT64_C(1000000000000000)

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
	const char *purpose, *situation, *difficulties; /* optional; a
	                                   purpose given blank is refused */
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
	const uint8_t *amends;  /* NULL, or the row id of a visit of this
	                           store's cadre that this one corrects */
};

/*
 * Records a visit: one signed change-set with the visit, its outcomes and
 * its proposals (each a tracked proposal).  Text is normalised to NFC.
 * id receives the visit's row id.  When the store holds assignments of
 * its cadre and none covers the unit (or a unit above it) on the date,
 * the visit is refused (COSO_QUNAUTH) before it is signed: the central
 * would quarantine it.  A correction (amends set) is a new visit naming
 * the one it replaces: that one must be in the store (COSO_ENOENT) and
 * this cadre's own (COSO_ESTATE; the central quarantines another
 * cadre's, docs/decisions.md "Corrections").
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
 * submitted report of this store's cadre that this one corrects (another
 * cadre's is COSO_ESTATE); its sections are copied.  Else,
 * when unit is a district (level 2) the store's cadre is assigned to (or
 * above) in the period, the results section starts with a summary, in
 * Vietnamese, of the visits, submitted reports and proposals of the
 * period of every unit below it that the store holds (prefill.c).
 */
COSO_NODISCARD int coso_report_new(struct coso_store *s, const char *period,
    const char *unit, const uint8_t *amends, uint8_t id[static 16]);

/* The proposals section of a report with no proposal: what `coso report
 * edit ID --section proposals --none' writes (Vietnamese, as the
 * report's text is). */
#define COSO_PROPOSALS_NONE "Không có kiến nghị."

/* Sets one section of a draft.  A submitted report is refused. */
COSO_NODISCARD int coso_report_edit(struct coso_store *s,
    const uint8_t id[static 16], enum coso_section sec, const char *text);

/*
 * Submits a draft: every section must be non-empty; signs it as one
 * change-set with one tracked proposal per line of the proposals section,
 * none when the section says there are none (coso_proposals_none).  A
 * report of a period whose assignment has ended may be submitted within
 * its grace (COSO_GRACE_DAYS); by the assignments the store holds, one
 * the central would refuse is COSO_QUNAUTH and nothing is signed.  A
 * submitted report never changes.
 */
COSO_NODISCARD int coso_report_submit(
    struct coso_store *s, const uint8_t id[static 16]);

/* The figures of a period for a unit and every unit below it. */
struct coso_figures {
	uint64_t visits;             /* visits, a corrected one counted once */
	uint64_t units_visited;      /* distinct units of those visits */
	uint64_t outcomes;           /* their concrete outcomes */
	int64_t amount_vnd;          /* the outcomes' amounts, in dong */
	uint64_t proposals;          /* proposals those records raised */
	uint64_t proposals_answered; /* of those, answered, resolved or
	                                declined */
	uint64_t proposals_unresolved; /* of those, open or answered */
	int own; /* 1: this store's cadre's own records (a commune, below) */
};

/* Counts, from what this store holds, the records of period (a period
 * as coso_period_parse takes it) that a new report on unit starts from
 * (prefill.c, the same query as its pre-filled text): on a commune or
 * below, this store's cadre's own visits there; on a district or the
 * province, every cadre's visits and submitted reports in the units
 * below it in the tree of the period.  A visit corrected by its cadre
 * counts once; proposals are those the records raised (a corrected
 * visit's too), never the report's own.  An unknown unit: all zero. */
COSO_NODISCARD int coso_report_figures(struct coso_store *s,
    const char *period, const char *unit, struct coso_figures *f);

/* Records a handover note on a unit, dated today. */
COSO_NODISCARD int coso_handover_add(struct coso_store *s, const char *unit,
    const char *text, const char *to_cadre, uint8_t id[static 16]);

/*
 * The same, dated date (YYYYMMDD, at most a day ahead; 0: today).  A
 * cadre whose assignment on the unit (or above it) ended may still write
 * one dated up to COSO_GRACE_DAYS after its last day; by the assignments
 * the store holds, a note the central would refuse is COSO_QUNAUTH and
 * nothing is signed.
 */
COSO_NODISCARD int coso_handover_add_on(struct coso_store *s, const char *unit,
    const char *text, const char *to_cadre, int32_t date,
    uint8_t id[static 16]);

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
	/* coso_visit_list only: newest first, and a page of them (limit 0:
	 * all), so that a screen of the latest visits reads only those. */
	int newest_first;
	uint64_t limit, offset;
};

COSO_NODISCARD int coso_visit_list(struct coso_store *s,
    const struct coso_filter *f, coso_row_cb cb, void *arg);
/* The number of visits coso_visit_list would give without a page. */
COSO_NODISCARD int coso_visit_count(
    struct coso_store *s, const struct coso_filter *f, uint64_t *n);
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

/*
 * Forms as typed, not yet signed (forms.c): a cadre's half-filled form
 * kept in the store directory (forms/NAME.json, mode 0600, written by
 * temp file + fsync + rename: after a power cut the old one or the new
 * one is there), so that it survives closing the page or the device
 * losing power.  NAME is 1 to COSO_FORM_NAME_MAX of [a-z0-9-]
 * (COSO_EINVAL); the text at most COSO_FORM_MAX bytes (COSO_ETOOBIG).
 * coso_form_load: malloc'd *text (NUL-terminated), its length and the
 * time it was saved (ms); COSO_ENOENT if none.  coso_form_delete: none
 * is not an error.  coso_form_list: rows of kind "form": name, saved_ms.
 */
#define COSO_FORM_MAX      (256u * 1024u)
#define COSO_FORM_NAME_MAX 64u
COSO_NODISCARD int coso_form_save(
    struct coso_store *s, const char *name, const char *text, size_t len);
COSO_NODISCARD int coso_form_load(struct coso_store *s, const char *name,
    char **text, size_t *len, uint64_t *saved_ms);
COSO_NODISCARD int coso_form_delete(struct coso_store *s, const char *name);
COSO_NODISCARD int coso_form_list(
    struct coso_store *s, coso_row_cb cb, void *arg);

struct coso_status {
	char cadre_id[COSO_ID_MAX + 1];
	char name[COSO_NAME_MAX + 1];
	char central_url[COSO_URL_MAX + 1];
	uint64_t head_seq;          /* last change-set signed */
	uint64_t pending;           /* change-sets not yet acknowledged */
	uint64_t oldest_pending_ms; /* 0 if none pending */
	uint64_t last_sync_ms;      /* 0 if never */
	uint64_t receipts;
	uint64_t visits, reports, drafts, proposals_open, units;
	char shortid[17];     /* the device key's short id */
	uint64_t quarantined; /* change-sets the central quarantined */
	/* The clock, as the last STATUS measured it against the central's:
	 * skew_ms = central - device (negative: this device is ahead), at
	 * central time skew_at_ms (0: never measured).  clock_wrong: off by
	 * more than COSO_CLOCK_TOLERANCE_MS either way.  clamped: change-sets
	 * the central accepted but weighs at their received time, their
	 * HLC being that far ahead (COSO_ECLOCK). */
	int64_t skew_ms;
	uint64_t skew_at_ms;
	int clock_wrong;
	uint64_t clamped;
	int enroll_queued; /* an enrollment token waits to be sent (it is
	                      forgotten once the central has enrolled) */
	/* The central said at a sync that this device's key is revoked
	 * (central time revoked_ms): it refuses every push and pull from
	 * it, and the pending change-sets stay here. */
	int revoked;
	uint64_t revoked_ms;
	/* Devices as gossip: checkpoints held, the largest tree size among
	 * them (0: none), how many joined without a proof, and the pairs
	 * kept as evidence of a split view (coso_evidence_list). */
	uint64_t checkpoints, checkpoint_size, unproved, evidence;
};

COSO_NODISCARD int coso_status_get(
    struct coso_store *s, struct coso_status *st);

/*
 * What the central did not accept: this device's change-sets whose PUSH
 * verdict was quarantined (kept in the outbox with the reason), from
 * after_seq on.  A quarantined change-set is kept in the central's log
 * but merged nowhere, so its records count for nothing.  cb gets rows of
 * kind "quarantine": seq, changeset (its id), reason (the reason's name,
 * as coso_reason_name gives it: "unassigned", ...), code (the coso_err
 * number), record (the kind of its first record: "visit", "report",
 * "handover", ...), record_id, unit, unit_name, date (a visit's or
 * handover's date, a report's submitted date), period (a report's),
 * answered_ms (when the verdict came) and ops (its records, the first
 * one's outcomes and proposals included).
 *
 * The listings (coso_visit_list ... coso_handover_list, coso_visit_show,
 * coso_report_show) give every record the key "quarantine": that
 * reason's name, or NULL for a record not quarantined.
 */
COSO_NODISCARD int coso_quarantine_list(
    struct coso_store *s, uint64_t after_seq, coso_row_cb cb, void *arg);

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

/*
 * The central node: pinning its key, enrollment.
 */

/*
 * Pins the central node: url (NULL keeps the stored one) and key_text, a
 * public key file's text.  Replacing a different pinned key needs force;
 * without it the answer is COSO_EEXIST and nothing changes.
 */
COSO_NODISCARD int coso_central_pin(
    struct coso_store *s, const char *url, const char *key_text, int force);

/*
 * Queues an enrollment: token_hex is the 64 hex digits `coso admin token`
 * printed.  It is sent at the next sync, before anything else, and
 * forgotten once the central has enrolled the device.
 */
COSO_NODISCARD int coso_enroll_queue(
    struct coso_store *s, const char *token_hex);

/*
 * Sync (sync.c): one round against the central node.
 *
 * STATUS (clock skew, the central's next seq for this key), ENROLL when
 * one is queued, PUSH of the outbox from the central's next seq in
 * batches under the maximum message size, then PULL until the central has
 * nothing more.  Every request is sealed with crypto_box to the pinned
 * central key; a store with no pinned key is refused (COSO_ENOPIN).
 * Requests are idempotent and resent by this library (not by nng) after
 * recv_timeout_ms, at most attempts times.
 */
enum coso_sync_phase {
	COSO_SYNC_STATUS = 1,
	COSO_SYNC_ENROLL = 2,
	COSO_SYNC_PUSH   = 3,
	COSO_SYNC_PULL   = 4,
};

#define COSO_SYNC_QMAX 16 /* quarantined change-sets listed in a report */

struct coso_sync_report {
	uint64_t pushed;   /* change-sets sent (counting resends) */
	uint64_t accepted; /* verdicts received, by kind */
	uint64_t duplicate;
	uint64_t quarantined;
	uint64_t bad_receipts; /* verdicts not taken: a receipt, checkpoint or
	                          inclusion proof did not verify */
	uint64_t pending;      /* outbox entries still unacknowledged */
	uint64_t pulled;       /* change-sets received by PULL */
	uint64_t applied;      /* of those, applied to the store */
	uint64_t skipped; /* of those, unreadable (newer schema): kept out */
	uint64_t bytes_sent, bytes_received; /* whole frames */
	uint64_t shrunk;      /* pushes cut to half-size frames after a network
	                         failure (a link too slow for the timeout) */
	uint64_t central_ms;  /* central time at STATUS, or 0 */
	int64_t skew_ms;      /* central time - this device's wall clock */
	uint64_t clamped;     /* accepted, but signed with a clock so far
	                         ahead that the central weighs them at their
	                         received time (COSO_ECLOCK) */
	uint64_t restored;    /* this device's own change-sets pulled back
	                         (a store restored from an old copy) */
	uint64_t split_views; /* checkpoints refused: they cannot both be
	                         true with the latest held (evidence kept) */
	int enrolled;         /* the central knows this key (STATUS) */
	int enroll_code;      /* a refused enrollment's reason, else 0 */
	int refused; /* a coso_err reason the central refused with, or 0 */
	uint64_t elapsed_ms;
	size_t nquarantine; /* entries in quarantine[] (at most QMAX) */
	struct {
		uint64_t seq;
		uint16_t reason; /* a coso_err code (COSO_QFORK …) */
	} quarantine[COSO_SYNC_QMAX];
};

/*
 * Progress: called after each step with the report so far; done and total
 * count change-sets of the phase (total 0 when unknown).  A non-zero
 * return stops the round after the transaction in hand has committed
 * (COSO_ESTOPPED).  Thread: the caller's.
 */
typedef int (*coso_sync_progress_cb)(enum coso_sync_phase phase, uint64_t done,
    uint64_t total, const struct coso_sync_report *r, void *arg);

struct coso_sync_opts {
	const char *url;                /* NULL: the pinned central_url */
	uint32_t max_message;           /* 0: COSO_WIRE_MAX_DEFAULT */
	uint32_t recv_timeout_ms;       /* 0: 120 s, time a 2G link needs for
	                                   a full message */
	unsigned attempts;              /* sends of one request; 0: 3 */
	coso_sync_progress_cb progress; /* may be NULL */
	void *arg;
	/* A tls+tcp:// central: the CA certificates (PEM file) its
	 * certificate must chain to, required; the name the certificate must
	 * carry, NULL for the URL's host (an IP address never matches:
	 * docs/operations.md, "TLS").  Both NULL for tcp://. */
	const char *tls_ca;
	const char *tls_server_name;
};

/*
 * Runs one round.  r is filled even on failure.  COSO_OK: every step
 * ran (r->pending says what is still unacknowledged: quarantined entries
 * are acknowledged).  COSO_ENET: the central could not be reached or did
 * not answer; COSO_EBUSY: it asked to retry later; COSO_EREFUSED: it
 * refused (r->refused, r->enroll_code say why); COSO_EPROTO: a reply was
 * malformed or not sealed by the pinned key; COSO_ENOPIN; COSO_ESTOPPED.
 * The handle's message names the cause.  Outbox entries are marked only
 * by a reply naming their id with a receipt, a checkpoint and an inclusion
 * proof that verify; the pull cursor advances in the
 * transaction holding the rows it pulled.
 */
COSO_NODISCARD int coso_sync_round(struct coso_store *s,
    const struct coso_sync_opts *o, struct coso_sync_report *r);

/*
 * A number that changes whenever another connection (another process)
 * commits to the store; this handle's own writes leave it as it is.  The
 * field agent polls it to wake when the cadre records something.
 */
COSO_NODISCARD int coso_store_data_version(struct coso_store *s, uint64_t *v);

/*
 * Receipts: the central's signed statements of receipt, one per
 * acknowledged change-set, each kept with the central's signed checkpoint
 * and the inclusion proof of the change-set's leaf in that checkpoint's
 * tree.  coso_receipt_list gives rows of kind "receipt": seq, cs_id,
 * leaf_index, received_ms, verdict, reason (a quarantine's reason name,
 * else NULL), record and record_id (the kind and row id of the
 * change-set's first record), tree_size (NULL: no proof kept).
 */
COSO_NODISCARD int coso_receipt_list(
    struct coso_store *s, coso_row_cb cb, void *arg);

/* What coso_receipts_verify found. */
struct coso_receipt_counts {
	uint64_t total;    /* receipts examined */
	uint64_t ok;       /* every check holds */
	uint64_t no_proof; /* kept before proofs were (schema 3): only the
	                      receipt's signature and record are checked */
	uint64_t bad;      /* a check failed */
};

/*
 * Re-checks every stored receipt offline with nothing but the pinned
 * central key, in order: the receipt's signature and that its row states
 * what it signs ("receipt signature", "receipt record"); the outbox
 * record it answers, whose bytes hash to the receipt's change-set id
 * ("outbox record"); the proof and its checkpoint being there ("inclusion
 * proof missing", "checkpoint missing"); the checkpoint's signature under
 * its origin and its size ("checkpoint signature", "checkpoint size");
 * the leaf index within it ("leaf index beyond checkpoint"); the proof
 * from the leaf rebuilt from the outbox record (its id, this device's key
 * id, its seq, the receipt's received_ms and verdict) to the checkpoint's
 * root ("inclusion proof").  A receipt kept before proofs were, without
 * one, is counted as no_proof, not as verified.
 *
 * cb gets one row of kind "receipt" per receipt: seq, cs_id, leaf_index,
 * received_ms, tree_size, status ("ok", "no proof", "failed"), ok (1 if
 * every check holds), check (the first check that failed, one of the
 * quoted names above; "no proof" for a receipt counted as no_proof; NULL
 * when all hold) and error (the cause's sentence for a signature, or
 * NULL).  *n receives the counts.
 */
COSO_NODISCARD int coso_receipts_verify(struct coso_store *s, coso_row_cb cb,
    void *arg, struct coso_receipt_counts *n);

/*
 * Devices as gossip (gossip.c; docs/audit.md, "Devices as gossip").
 *
 * The checkpoints this device holds, by size: rows of kind "checkpoint"
 * with size, consistency (how it joined the latest held before it:
 * "first", "proved" by a consistency proof, "unproved" from a central too
 * old to give one, NULL if kept before this was checked), received_ms
 * (NULL if kept before) and note (the signed note as received).
 */
COSO_NODISCARD int coso_checkpoint_list(
    struct coso_store *s, coso_row_cb cb, void *arg);

/*
 * The evidence of a split view: pairs of checkpoints signed by the pinned
 * central key that cannot both be true, each kept once with how often it
 * was seen.  Rows of kind "evidence": id, kind ("backwards": a smaller
 * tree than the one held; "fork": the same size, another root;
 * "inconsistent": a larger tree whose consistency proof does not lead
 * from the one held), first_ms, last_ms, seen, held_size, new_size,
 * held_note and new_note (both signed notes as received).
 */
COSO_NODISCARD int coso_evidence_list(
    struct coso_store *s, coso_row_cb cb, void *arg);

/* What coso_gossip_export wrote. */
struct coso_gossip_counts {
	uint64_t checkpoints, receipts, evidence;
};

/*
 * The gossip file (FORMAT.md, "Gossip file") of this store into *out
 * (malloc'd, caller frees) and *len: the pinned central key, this
 * device's key, every checkpoint held, every receipt kept with its
 * proof and checkpoint size, every pair of evidence; one moment of the
 * store.  More rows than the file's limits: COSO_ETOOBIG.  *n, if not
 * NULL, receives the counts.
 */
COSO_NODISCARD int coso_gossip_export(struct coso_store *s, uint8_t **out,
    size_t *len, struct coso_gossip_counts *n);

/*
 * Admin (admin.c): each call is one signed change-set (units: one per
 * 1000 units) in the outbox of a store whose device key is an admin key;
 * the central checks that it is.  Local tables are updated in the same
 * transaction.
 */
enum coso_role {
	COSO_ROLE_IN_CHARGE = 1,
	COSO_ROLE_MONITOR   = 2,
	COSO_ROLE_SUPPORT   = 3,
};

enum coso_response_status {
	COSO_RESP_ANSWERED = 1,
	COSO_RESP_RESOLVED = 2,
	COSO_RESP_DECLINED = 3,
};

#define COSO_ADMIN_UNITS_PER_CS 1000u
#define COSO_TOKEN_DAYS_DEFAULT 14u

/*
 * Imports units as coso_units_import does, then signs them as upserts
 * (row id coso_uuid_named("unit", code)).  *count receives the units,
 * *changesets the change-sets signed.
 */
COSO_NODISCARD int coso_admin_units_import(struct coso_store *s,
    const char *csv, size_t len, size_t *count, size_t *changesets);

struct coso_cadre_in {
	const char *cadre_id; /* required */
	const char *name;     /* required */
	const char *title;    /* optional */
	const char *unit;     /* optional unit code */
};

COSO_NODISCARD int coso_admin_cadre_add(
    struct coso_store *s, const struct coso_cadre_in *c);

/*
 * Issues an enrollment token for cadre_id valid for days days: 32 random
 * bytes, of which only SHA-256 is signed.  token_hex receives the token
 * (64 hex digits and a NUL) to hand to the cadre.
 */
COSO_NODISCARD int coso_admin_token(struct coso_store *s, const char *cadre_id,
    unsigned days, char token_hex[static 65]);

struct coso_assign_in {
	const char *cadre_id; /* required */
	const char *unit;     /* a known unit code, or */
	const char *sector;   /* a known sector code: exactly one of the two */
	enum coso_role role;
	int32_t from;         /* YYYYMMDD */
	int32_t to;           /* YYYYMMDD or 0 for open-ended */
	const char *decision; /* optional */
};

COSO_NODISCARD int coso_admin_assign(struct coso_store *s,
    const struct coso_assign_in *a, uint8_t id[static 16]);

struct coso_rotate_in {
	const char *cadre_id; /* whose active assignment on unit ends */
	const char *unit;
	const char *to_cadre; /* who takes it over */
	int32_t date;         /* first day of the new assignment */
	const char *note;     /* optional handover note */
	const char *decision; /* optional: the decision for the new one */
};

/*
 * Rotation, one change-set: the active assignment of cadre_id on unit
 * (known to this store) ends the day before date (same row, LWW update)
 * and a new one for to_cadre begins on date with the same role,
 * replaces = the old row.  id receives the new row's id.
 */
COSO_NODISCARD int coso_admin_rotate(struct coso_store *s,
    const struct coso_rotate_in *r, uint8_t id[static 16]);

/*
 * Sectors, teams, the reporting schedule: each one signed change-set of
 * one named row (coso_uuid_named: "sector" and the code, "team" and
 * "SECTOR/name", "schedule" and the kind's name), so that a second call
 * updates the same row.  A team's sector must be known to this store.
 */
COSO_NODISCARD int coso_admin_sector_add(
    struct coso_store *s, const char *code, const char *name);
COSO_NODISCARD int coso_admin_team_add(struct coso_store *s,
    const char *sector, const char *name, const char *leader,
    uint8_t id[static 16]);

enum coso_schedule_kind {
	COSO_SCHED_QUARTERLY   = 1,
	COSO_SCHED_SIX_MONTHLY = 2,
	COSO_SCHED_YEARLY      = 3,
};

#define COSO_SCHEDULE_DAYS_MAX 366u

/* A report of kind is due due_days after its period ends, and taken as
 * on time grace_days after that (0 to COSO_SCHEDULE_DAYS_MAX each). */
COSO_NODISCARD int coso_admin_schedule_set(struct coso_store *s,
    enum coso_schedule_kind kind, unsigned due_days, unsigned grace_days);

/*
 * The unit tree's history (tree.c).  A unit that ceases is not deleted:
 * valid_to is its last day, merged_into the unit it went into.
 */
struct coso_merge_result {
	size_t ended;      /* old units the mapping ends */
	size_t continued;  /* old codes that go on as a new unit's code */
	size_t districts;  /* districts ended: nothing left below them */
	size_t changesets; /* signed (0 when every row already held it) */
};

/*
 * Mergers from a CSV mapping `old_code,new_code' (both known units: the
 * new ones imported before) taking effect on date: each old unit whose
 * code is not also a new code gets valid_to = the day before and
 * merged_into = the first new code the file names for it; then each
 * district (level 2) with units ended by the mapping below it and none
 * left that outlives the day before gets valid_to too.  All or nothing;
 * rows already so are not signed again.
 */
COSO_NODISCARD int coso_admin_units_merge(struct coso_store *s,
    const char *csv, size_t len, int32_t date, struct coso_merge_result *r);

/*
 * Re-parenting: unit code is under parent (a known unit of a higher
 * level, not below code) from date.  The unit's signed row holds only
 * its current parent; this store keeps the move in its table unit_moves
 * (shown by coso_unit_show).  *changesets: 1, or 0 if already so.
 */
COSO_NODISCARD int coso_admin_units_move(struct coso_store *s,
    const char *code, const char *parent, int32_t date, size_t *changesets);

/*
 * Units of the store, with valid_from, valid_to, merged_into: f->unit
 * limits to the children of that unit, f->since to units existing on or
 * after that date.  coso_unit_show gives the unit (kind "unit"), its
 * moves ("move") and the units merged into it ("merged_from").
 */
COSO_NODISCARD int coso_unit_list(struct coso_store *s,
    const struct coso_filter *f, coso_row_cb cb, void *arg);
COSO_NODISCARD int coso_unit_show(
    struct coso_store *s, const char *code, coso_row_cb cb, void *arg);

/*
 * Revokes a device key: key_hex is a full key id (64 hex digits) or a
 * short id (16), which must name exactly one key this store has seen.
 */
COSO_NODISCARD int coso_admin_revoke(
    struct coso_store *s, const char *key_hex, const char *reason);

/*
 * Cadres and assignments from a spreadsheet saved as CSV, or the first
 * sheet of an .xlsx workbook (told by its "PK\3\4"; bad rows then
 * numbered by their sheet row) (bulk.c):
 * header `cadre_id,name,title,unit', or `cadre_id,unit,sector,role,
 * valid_from,valid_to,decision' (role in-charge, monitor or support; a
 * unit or a sector).  Each row is checked as one `admin cadre add' or
 * `admin assign'; bad(line, why, arg) is called for every bad row, and
 * then nothing is stored or signed (COSO_ECSV).  r counts the rows, the
 * change-sets signed and the bad rows.
 */
struct coso_bulk_result {
	size_t rows, changesets, bad;
};
typedef void (*coso_bad_row_cb)(size_t line, const char *why, void *arg);
COSO_NODISCARD int coso_admin_cadres_import(struct coso_store *s,
    const char *csv, size_t len, coso_bad_row_cb bad, void *arg,
    struct coso_bulk_result *r);
COSO_NODISCARD int coso_admin_assignments_import(struct coso_store *s,
    const char *csv, size_t len, coso_bad_row_cb bad, void *arg,
    struct coso_bulk_result *r);

/*
 * The office's lists (office.c), each row a struct coso_row of its kind;
 * f->unit (NULL: all) names a unit or a cadre, as each says.
 * - "cadre": cadre_id, name, title, unit, unit_name, assignments (running
 *   today), devices (live keys); f->unit: the cadre's unit.
 * - "assignment": id, cadre_id, cadre_name, unit, unit_name, sector,
 *   role ("in-charge", "monitor", "support"), valid_from, valid_to,
 *   decision, replaces; f->unit: a unit or a cadre id; f->since: those
 *   still running on that day.
 * - "token": id, cadre_id, cadre_name, expiry_date, state ("open",
 *   "used", "expired"); f->unit: a cadre id.  Only the token's hash is
 *   kept: a token is shown once, when it is issued.
 * - "device": key (the short id), cadre_id, cadre_name, role ("field",
 *   "admin"), added_date, state ("active", "revoked"), key_id; f->unit:
 *   a cadre id.
 */
COSO_NODISCARD int coso_cadre_list(struct coso_store *s,
    const struct coso_filter *f, coso_row_cb cb, void *arg);
COSO_NODISCARD int coso_assignment_list(struct coso_store *s,
    const struct coso_filter *f, coso_row_cb cb, void *arg);
COSO_NODISCARD int coso_token_list(struct coso_store *s,
    const struct coso_filter *f, coso_row_cb cb, void *arg);
COSO_NODISCARD int coso_device_list(struct coso_store *s,
    const struct coso_filter *f, coso_row_cb cb, void *arg);

/*
 * Whether this device may sign admin commands, by the rule every admin
 * call applies before signing: not when its key is known as a field key
 * (the central's device_key row) or an enrollment token waits to be sent;
 * else the central decides.  Front ends show the office's screens by it.
 */
COSO_NODISCARD int coso_store_may_admin(struct coso_store *s, int *may);

/*
 * The office's console (docs/central.md, "Console access"): a grant is
 * one signed row per cadre (coso_uuid_named("console_access", cadre));
 * a later grant replaces it, and end signs its delete.  An office grant
 * names no unit or sector; a leader's exactly one, known to the store.
 * valid_to: the last day (YYYYMMDD), 0 open-ended.
 */
struct coso_console_in {
	const char *cadre_id; /* a known cadre */
	enum coso_console_role role;
	const char *unit;   /* a leader's subtree root, or NULL */
	const char *sector; /* a leader's sector, or NULL */
	int32_t valid_to;
};

COSO_NODISCARD int coso_admin_console_grant(
    struct coso_store *s, const struct coso_console_in *in);
COSO_NODISCARD int coso_admin_console_end(
    struct coso_store *s, const char *cadre_id);

/*
 * Signs the console's sign-in challenge (64 lowercase hex digits) for
 * origin (the console's http://HOST:PORT) with this device's key,
 * which is unlocked as for any signed write.  out receives "KEYHEX.SIG"
 * (the public key in hex, the Ed25519 signature of coso_console_message
 * in standard base64) and a NUL.
 */
#define COSO_CONSOLE_SIGNED_LEN (64u + 1u + 89u)
COSO_NODISCARD int coso_console_sign(struct coso_store *s, const char *origin,
    const char *challenge, char out[static COSO_CONSOLE_SIGNED_LEN]);

/* Answers a proposal: its id is 8 to 32 hex digits, a unique prefix (or
 * suffix) among the proposals the store holds, or all 32 digits. */
COSO_NODISCARD int coso_admin_respond(struct coso_store *s,
    const char *proposal_hex, enum coso_response_status status,
    const char *text);

#ifdef __cplusplus
}
#endif

#endif /* COSO_CLIENT_H */
