/*
 * coso proto: keys, signed change-sets, the canonical body encoding, the
 * hybrid logical clock and the error codes shared by every part of coso.
 *
 * The byte formats are specified in proto/FORMAT.md; this header is their
 * C interface.  The library does no I/O policy, prints nothing and has no
 * mutable globals.  Every function is safe to call from any thread as long
 * as a given handle is not used by two threads at once.
 */
#ifndef COSO_PROTO_H
#define COSO_PROTO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define COSO_NODISCARD __attribute__((warn_unused_result))
#else
#define COSO_NODISCARD
#endif

/*
 * Errors.  The numbers are fixed and never reused: they travel on the wire.
 */
enum coso_err {
	COSO_OK        = 0,
	COSO_ENOMEM    = 1,  /* out of memory */
	COSO_EINVAL    = 2,  /* invalid argument */
	COSO_ETOOBIG   = 3,  /* a size is over its hard limit */
	COSO_ETRUNC    = 4,  /* input ends before its declared end */
	COSO_ETRAILING = 5,  /* bytes after the declared end */
	COSO_EVERSION  = 6,  /* unknown format version */
	COSO_EBADSIG   = 7,  /* bad signature */
	COSO_EWRONGKEY = 8,  /* signed by another key than the one given */
	COSO_ENONCANON = 9,  /* encoding is not canonical */
	COSO_ESCHEMA   = 10, /* well-formed but not what the schema allows */
	COSO_EUTF8     = 11, /* text is not valid UTF-8 */
	COSO_ENFC      = 12, /* text is not in Unicode NFC */
	COSO_EKEYFILE  = 13, /* key file damaged or malformed */
	COSO_EKEYTYPE  = 14, /* key file of the wrong type */
	COSO_EPASSWORD = 15, /* wrong passphrase */
	COSO_ENEEDPASS = 16, /* key file is encrypted: passphrase needed */
	COSO_ECLOCK    = 17, /* clock value out of range */
	COSO_ECRYPTO   = 18, /* cryptographic library failure */
	COSO_ECHAIN    = 19, /* seq / prev chain is broken */
	COSO_EIO       = 20, /* input/output error */
	COSO_ENOENT    = 21, /* not found */
	COSO_EEXIST    = 22, /* already exists */
	COSO_EPERM     = 23, /* a secret file others may read */

	/* The field device's store and its sync (client library); never
	 * on the wire. */
	COSO_ESTORE   = 40, /* the store database failed */
	COSO_ENEWER   = 41, /* store written by a newer coso */
	COSO_EUNIT    = 42, /* unknown unit */
	COSO_EDATE    = 43, /* malformed or out-of-range date */
	COSO_EPERIOD  = 44, /* malformed period */
	COSO_EFIELD   = 45, /* a field is missing, empty or malformed */
	COSO_ESTATE   = 46, /* not allowed in the object's state */
	COSO_ECSV     = 47, /* malformed CSV input */
	COSO_ENOSTORE = 48, /* no store at that place */
	COSO_ENET     = 49, /* the central cannot be reached */
	COSO_EREFUSED = 50, /* the central refused the request */
	COSO_ENOPIN   = 51, /* no central key pinned */
	COSO_EPROTO   = 52, /* the central's reply is malformed or forged */
	COSO_ESTOPPED = 53, /* stopped at the caller's request */

	/* Why the central quarantined or refused a change-set or request
	 * (wire: PUSH_REP reason, ENROLL_REP and ERROR code). */
	COSO_QFORK     = 60, /* same author and seq, another change-set */
	COSO_QUNAUTH   = 61, /* author not assigned to the unit on that date */
	COSO_QADMIN    = 62, /* admin table written without an admin key */
	COSO_QREVOKED  = 63, /* the author's key is revoked */
	COSO_QAUTHOR   = 64, /* change-set author is not the sender */
	COSO_QUNKNOWN  = 65, /* key not enrolled */
	COSO_QTOKEN    = 66, /* enrollment token unknown, used or expired */
	COSO_QREF      = 67, /* refers to a record that does not exist */
	COSO_QIMMUT    = 68, /* changes an append-only record */
	COSO_EBUSY     = 69, /* central overloaded or shutting down: retry */
	COSO_QAMEND    = 70, /* amends another cadre's record */
	COSO_QUNITDATE = 71, /* the unit did not exist on that date */
};

/* A short English sentence for any code of enum coso_err, from one table
 * (error.c); "unknown error" for a number that is none.  Never NULL. */
const char *coso_strerror(int err);

/* The short name of a quarantine reason ("unassigned", "fork"), as the
 * central's stats and the devices show it; NULL for a code without one
 * (FORMAT.md, "Errors"). */
const char *coso_reason_name(int reason);

/*
 * A growable byte buffer with a hard limit, as curl's dynbuf: every
 * buffer coso grows byte by byte (encoders, readers, joined text) is one,
 * so the growth, the overflow checks and the limit are written once
 * (proto/buf.c).  It holds at most max bytes, always followed by a NUL
 * that len does not count once anything was added; p is NULL until
 * then.  Set up by coso_buf_init (or zeroed with .max set); its owner
 * reads the fields and only these functions write them.  One thread at a
 * time.
 */
struct coso_buf {
	uint8_t *p; /* malloc'd, owned by the buffer */
	size_t len, cap, max;
};

/* An empty buffer that will refuse to hold more than max bytes. */
void coso_buf_init(struct coso_buf *b, size_t max);

/* Appends the n bytes at p (p may be NULL when n is 0).  COSO_ETOOBIG
 * when they would take it past max, COSO_ENOMEM: then b is unchanged. */
COSO_NODISCARD int coso_buf_add(struct coso_buf *b, const void *p, size_t n);

/* Hands the bytes over: *out (malloc'd, the caller frees it; NUL-
 * terminated, a 1-byte allocation when empty) and *len; b is left empty
 * with its limit.  COSO_ENOMEM leaves b as it was. */
COSO_NODISCARD int coso_buf_take(
    struct coso_buf *b, uint8_t **out, size_t *len);

/* Empties b and keeps its memory for the next bytes (a reused buffer). */
void coso_buf_reset(struct coso_buf *b);

/* Frees the bytes and leaves b empty with its limit; NULL is a no-op. */
void coso_buf_free(struct coso_buf *b);

/* Hard limits (FORMAT.md, "Limits"). */
#define COSO_BODY_MAX     (256u * 1024u) /* body bytes */
#define COSO_OPS_MAX      1024u          /* ops per body */
#define COSO_FIELDS_MAX   64u            /* fields per op */
#define COSO_TEXT_MAX     (16u * 1024u)  /* bytes of one text or byte string */
#define COSO_FIELD_ID_MAX 255u           /* largest field id */
#define COSO_TABLE_ID_MAX 255u           /* largest table id */

/* An identifier: a cadre id, a unit or sector code.  1 to COSO_ID_MAX
 * bytes; the CLI refuses a longer one and the central quarantines a
 * cadre, unit or sector row that carries one (never cut short). */
#define COSO_ID_MAX 64u

/* The central's HTTP API serves at most this many entries, or signed
 * checkpoints, in one page (docs/central.md, "Parameters"); the auditor
 * asks for no more. */
#define COSO_API_PAGE_MAX 1000u

/*
 * Keys.  An Ed25519 identity.  The key id is SHA-256 of the 32-byte public
 * key; key files show its first 8 bytes (FORMAT.md, "Key files").
 */
#define COSO_PK_BYTES      32u
#define COSO_SIG_BYTES     64u
#define COSO_KEYID_BYTES   32u
#define COSO_SHORTID_BYTES 8u
#define COSO_HASH_BYTES    32u

struct coso_key; /* a secret key, held in sodium_malloc memory */

/* Generates a fresh key pair.  Writes *out only on success. */
COSO_NODISCARD int coso_key_generate(struct coso_key **out);

/* Builds a key from a 32-byte Ed25519 seed (test vectors, derivation). */
COSO_NODISCARD int coso_key_from_seed(
    struct coso_key **out, const uint8_t seed[static 32]);

/* Wipes and frees a key.  Accepts NULL. */
void coso_key_free(struct coso_key *key);

/* The public key and the full key id of a secret key. */
void coso_key_public(const struct coso_key *key, uint8_t pk[static 32]);
void coso_key_id(const struct coso_key *key, uint8_t id[static 32]);

/*
 * The office's console (FORMAT.md, "Console sign-in"): a cadre proves
 * holding a live device key by signing, with Ed25519 and no other
 * context, exactly
 *   "coso-console-login/v1\n" ORIGIN "\n" CHALLENGE "\n"
 * ORIGIN the console's web origin ("http://127.0.0.1:8080": 1 to
 * COSO_CONSOLE_ORIGIN_MAX bytes of visible ASCII), CHALLENGE the 64
 * lowercase hex digits the central gave.  coso_console_message writes
 * those bytes into out and *len; COSO_EINVAL for any other input.
 */
#define COSO_CONSOLE_ORIGIN_MAX    256u
#define COSO_CONSOLE_CHALLENGE_HEX 64u
#define COSO_CONSOLE_MSG_MAX \
	(22u + COSO_CONSOLE_ORIGIN_MAX + 1u + COSO_CONSOLE_CHALLENGE_HEX + 1u)
COSO_NODISCARD int coso_console_message(
    uint8_t out[static COSO_CONSOLE_MSG_MAX], size_t *len, const char *origin,
    size_t origin_len, const char *challenge, size_t challenge_len);

/* SHA-256 of a public key: the author key id carried in change-sets. */
void coso_keyid_of(uint8_t id[static 32], const uint8_t pk[static 32]);

/* Signs msg (already domain-separated by the caller) into sig. */
void coso_key_sign(const struct coso_key *key, uint8_t sig[static 64],
    const uint8_t *msg, size_t len);

/*
 * Key files.  Text, two lines: a tag line naming the type and the short key
 * id, then base64 of a fixed-size binary blob.  Formatting functions return
 * a malloc'd NUL-terminated string in *out (caller frees); parsing functions
 * accept exactly what formatting produces and nothing else.
 */
#define COSO_PUBFILE_MAX 128u /* longest valid public key file */
#define COSO_SECFILE_MAX 256u /* longest valid secret key file */

COSO_NODISCARD int coso_pubkey_format(char **out, const uint8_t pk[static 32]);
COSO_NODISCARD int coso_pubkey_parse(
    uint8_t pk[static 32], const char *text, size_t len);

/*
 * Secret key file.  With a non-NULL passphrase the seed is sealed with
 * crypto_secretbox under an Argon2id key (crypto_pwhash, "interactive"
 * limits); with NULL it is stored in clear, protected only by the file's
 * 0600 mode.  An empty passphrase is refused (COSO_EINVAL): the file would
 * say "encrypted" and anyone could open it.
 */
COSO_NODISCARD int coso_seckey_format(char **out, const struct coso_key *key,
    const char *passphrase, size_t passlen);

/*
 * Whether a secret key file needs a passphrase: 1 if encrypted, 0 if in
 * clear, or a negated error code (-COSO_EKEYFILE, -COSO_EKEYTYPE) if text
 * is not a well-formed secret key file.  Checks everything that needs no
 * passphrase (structure, checksum, Argon2id limits); never runs Argon2.
 */
COSO_NODISCARD int coso_seckey_is_encrypted(const char *text, size_t len);

/*
 * Parses and unlocks a secret key file.  passphrase may be NULL for a
 * clear file; an encrypted file then gives COSO_ENEEDPASS.  A damaged file
 * gives COSO_EKEYFILE, a public key file COSO_EKEYTYPE, a wrong passphrase
 * COSO_EPASSWORD.
 */
COSO_NODISCARD int coso_seckey_parse(struct coso_key **out, const char *text,
    size_t len, const char *passphrase, size_t passlen);

/*
 * Hybrid logical clock: 48 bits of Unix milliseconds, 16 bits of counter,
 * packed as (ms << 16) | counter.  The state is one such value; persist it
 * with every use and the clock never goes backwards, even when the wall
 * clock does.
 */
#define COSO_HLC_MS_MAX ((UINT64_C(1) << 48) - 1)

struct coso_hlc {
	uint64_t last; /* last value issued or seen */
};

static inline uint64_t
coso_hlc_ms(uint64_t v)
{
	return v >> 16;
}

static inline uint16_t
coso_hlc_counter(uint64_t v)
{
	return (uint16_t) (v & 0xffffu);
}

/*
 * How far a change-set's HLC may be ahead of the central's clock when it
 * arrives: beyond it, the central still accepts and logs the change-set
 * but weighs it for last-writer-wins at its received time, and tells the
 * device (FORMAT.md "Hybrid logical clock", docs/decisions.md).  A
 * device also takes in no pulled stamp beyond the central's time plus
 * this much.
 */
#define COSO_CLOCK_TOLERANCE_MS (5u * 60u * 1000u)

/* Next timestamp for a local event at wall-clock time wall_ms. */
COSO_NODISCARD int coso_hlc_now(
    struct coso_hlc *hlc, uint64_t wall_ms, uint64_t *out);

/* Merges a timestamp received from elsewhere; *out is the new local time. */
COSO_NODISCARD int coso_hlc_recv(
    struct coso_hlc *hlc, uint64_t wall_ms, uint64_t remote, uint64_t *out);

/* The current wall clock in Unix milliseconds. */
uint64_t coso_wall_ms(void);

/*
 * Change-set envelope (FORMAT.md, "Envelope").
 *
 *   version u8 | author[32] | seq u64 | prev[32] | hlc u64 | len u32 |
 *   body[len] | sig[64]
 *
 * Integers big-endian.  sig = Ed25519 over COSO_CS_CONTEXT (with its NUL)
 * followed by every byte before sig.  id = SHA-256 of every byte.
 */
#define COSO_CS_VERSION      1u
#define COSO_CS_HEADER_BYTES 85u
#define COSO_CS_OVERHEAD     (COSO_CS_HEADER_BYTES + COSO_SIG_BYTES)
#define COSO_CS_MAX          (COSO_CS_OVERHEAD + COSO_BODY_MAX)
#define COSO_CS_CONTEXT      "coso/changeset/v1"

/* A decoded envelope: a view into the caller's buffer, nothing owned. */
struct coso_changeset {
	uint8_t version;
	uint8_t author[32];
	uint64_t seq;
	uint8_t prev[32];
	uint64_t hlc;
	const uint8_t *body;
	size_t body_len;
	const uint8_t *sig;
};

/*
 * Signs a change-set.  *out is malloc'd (caller frees) and *out_len its
 * size.  seq >= 1; prev is all zeros exactly when seq == 1; body_len is at
 * most COSO_BODY_MAX.  The body is not inspected.
 */
COSO_NODISCARD int coso_changeset_sign(uint8_t **out, size_t *out_len,
    const struct coso_key *key, uint64_t seq, const uint8_t prev[static 32],
    uint64_t hlc, const uint8_t *body, size_t body_len);

/*
 * Checks the envelope's structure (version, sizes, seq/prev rule) without
 * checking the signature, and fills cs.  For finding the author's key; the
 * result must not be trusted until coso_changeset_verify succeeds.
 */
COSO_NODISCARD int coso_changeset_peek(
    struct coso_changeset *cs, const uint8_t *buf, size_t len);

/*
 * Checks structure, that pk is the author's key, and the signature over
 * the exact bytes; fills cs only on success.  The body is not parsed.
 */
COSO_NODISCARD int coso_changeset_verify(struct coso_changeset *cs,
    const uint8_t *buf, size_t len, const uint8_t pk[static 32]);

/*
 * The author key id in a change-set's header, read without checking
 * anything but the version and that the header is there: a pointer to
 * 32 bytes inside buf (nothing copied, valid as long as buf), or NULL
 * if buf is shorter than COSO_CS_HEADER_BYTES or of another version.
 * Names the claimed author only: trust it after coso_changeset_verify.
 */
const uint8_t *coso_changeset_author(const uint8_t *buf, size_t len);

/* The change-set id: SHA-256 of the complete bytes. */
void coso_changeset_id(uint8_t id[static 32], const uint8_t *buf, size_t len);

/* SHA-256 of a byte string. */
void coso_sha256(uint8_t out[static 32], const uint8_t *buf, size_t len);

/*
 * Body: deterministic CBOR (RFC 8949 §4.2.1), an array of ops, each a map
 *   { 1: table (uint), 2: row (bstr 16, UUIDv7), 3: kind (uint),
 *     4: fields { field id (uint) => int | tstr | bstr | null } }
 * with key 4 present exactly for upserts.  Table and field ids, and which
 * value types each field takes, are fixed in FORMAT.md and in schema.c.
 */
enum coso_kind {
	COSO_UPSERT = 1,
	COSO_DELETE = 2,
};

enum coso_vtype {
	COSO_VNULL  = 0,
	COSO_VINT   = 1,
	COSO_VTEXT  = 2,
	COSO_VBYTES = 3,
};

/* A field value.  Text and bytes point into storage owned elsewhere. */
struct coso_value {
	enum coso_vtype type;
	int64_t i;
	const uint8_t *p;
	size_t len;
};

struct coso_field {
	uint32_t id;
	struct coso_value v;
};

struct coso_op {
	uint32_t table;
	uint8_t row[16];
	enum coso_kind kind;
	size_t nfields;
	const struct coso_field *fields; /* sorted by id, no duplicates */
};

/* Tables (FORMAT.md, "Schema").  Numbers are never reused. */
enum coso_table {
	COSO_T_UNIT           = 1,
	COSO_T_CADRE          = 2,
	COSO_T_DEVICE_KEY     = 3,
	COSO_T_TOKEN          = 4,
	COSO_T_REVOCATION     = 5,
	COSO_T_ASSIGNMENT     = 6,
	COSO_T_VISIT          = 7,
	COSO_T_OUTCOME        = 8,
	COSO_T_PROPOSAL       = 9,
	COSO_T_RESPONSE       = 10,
	COSO_T_REPORT         = 11,
	COSO_T_HANDOVER       = 12,
	COSO_T_SECTOR         = 13,
	COSO_T_TEAM           = 14,
	COSO_T_SCHEDULE       = 15,
	COSO_T_UNIT_MOVE      = 16,
	COSO_T_CONSOLE_ACCESS = 17,
};

/* Fields, one enum per table, COSO_F_<table>_<field> (FORMAT.md,
 * "Schema"; schema.c gives each its value types).  Numbers are fixed and
 * never reused; tests/unit/test_schema.c checks every name against
 * schema.c's table. */
enum coso_f_unit {
	COSO_F_UNIT_CODE        = 1,
	COSO_F_UNIT_NAME        = 2,
	COSO_F_UNIT_LEVEL       = 3,
	COSO_F_UNIT_PARENT      = 4,
	COSO_F_UNIT_VALID_FROM  = 5,
	COSO_F_UNIT_VALID_TO    = 6,
	COSO_F_UNIT_MERGED_INTO = 7,
};

enum coso_f_cadre {
	COSO_F_CADRE_CADRE_ID = 1,
	COSO_F_CADRE_NAME     = 2,
	COSO_F_CADRE_TITLE    = 3,
	COSO_F_CADRE_UNIT     = 4,
};

enum coso_f_device_key {
	COSO_F_DEVICE_KEY_CADRE_ID   = 1,
	COSO_F_DEVICE_KEY_PUBLIC_KEY = 2,
	COSO_F_DEVICE_KEY_ROLE       = 3,
	COSO_F_DEVICE_KEY_ADDED      = 4,
	COSO_F_DEVICE_KEY_TOKEN_HASH = 5,
};

enum coso_f_token {
	COSO_F_TOKEN_CADRE_ID   = 1,
	COSO_F_TOKEN_TOKEN_HASH = 2,
	COSO_F_TOKEN_EXPIRES    = 3,
};

enum coso_f_revocation {
	COSO_F_REVOCATION_KEY_ID = 1,
	COSO_F_REVOCATION_REASON = 2,
};

enum coso_f_assignment {
	COSO_F_ASSIGNMENT_CADRE_ID      = 1,
	COSO_F_ASSIGNMENT_UNIT          = 2,
	COSO_F_ASSIGNMENT_SECTOR        = 3,
	COSO_F_ASSIGNMENT_ROLE          = 4,
	COSO_F_ASSIGNMENT_VALID_FROM    = 5,
	COSO_F_ASSIGNMENT_VALID_TO      = 6,
	COSO_F_ASSIGNMENT_DECISION      = 7,
	COSO_F_ASSIGNMENT_REPLACES      = 8,
	COSO_F_ASSIGNMENT_HANDOVER_NOTE = 9,
};

enum coso_f_visit {
	COSO_F_VISIT_UNIT         = 1,
	COSO_F_VISIT_DATE         = 2,
	COSO_F_VISIT_PURPOSE      = 3,
	COSO_F_VISIT_SITUATION    = 4,
	COSO_F_VISIT_DIFFICULTIES = 5,
	COSO_F_VISIT_DIRECTIONS   = 6,
	COSO_F_VISIT_PARTICIPANTS = 7,
	COSO_F_VISIT_LAT          = 8,
	COSO_F_VISIT_LON          = 9,
	COSO_F_VISIT_AMENDS       = 10,
};

enum coso_f_outcome {
	COSO_F_OUTCOME_VISIT         = 1,
	COSO_F_OUTCOME_TEXT          = 2,
	COSO_F_OUTCOME_QUANTITY      = 3,
	COSO_F_OUTCOME_QUANTITY_UNIT = 4,
	COSO_F_OUTCOME_AMOUNT_VND    = 5,
};

enum coso_f_proposal {
	COSO_F_PROPOSAL_SOURCE = 1,
	COSO_F_PROPOSAL_UNIT   = 2,
	COSO_F_PROPOSAL_TEXT   = 3,
	COSO_F_PROPOSAL_DATE   = 4,
};

enum coso_f_response {
	COSO_F_RESPONSE_PROPOSAL = 1,
	COSO_F_RESPONSE_STATUS   = 2,
	COSO_F_RESPONSE_TEXT     = 3,
	COSO_F_RESPONSE_DATE     = 4,
};

enum coso_f_report {
	COSO_F_REPORT_UNIT         = 1,
	COSO_F_REPORT_PERIOD       = 2,
	COSO_F_REPORT_RESULTS      = 3,
	COSO_F_REPORT_SITUATION    = 4,
	COSO_F_REPORT_DIFFICULTIES = 5,
	COSO_F_REPORT_PROPOSALS    = 6,
	COSO_F_REPORT_AMENDS       = 7,
	COSO_F_REPORT_SUBMITTED    = 8,
};

enum coso_f_handover {
	COSO_F_HANDOVER_UNIT     = 1,
	COSO_F_HANDOVER_TEXT     = 2,
	COSO_F_HANDOVER_DATE     = 3,
	COSO_F_HANDOVER_TO_CADRE = 4,
};

enum coso_f_sector {
	COSO_F_SECTOR_CODE = 1,
	COSO_F_SECTOR_NAME = 2,
};

enum coso_f_team {
	COSO_F_TEAM_SECTOR = 1,
	COSO_F_TEAM_NAME   = 2,
	COSO_F_TEAM_LEADER = 3,
};

enum coso_f_schedule {
	COSO_F_SCHEDULE_KIND       = 1,
	COSO_F_SCHEDULE_DUE_DAYS   = 2,
	COSO_F_SCHEDULE_GRACE_DAYS = 3,
};

enum coso_f_unit_move {
	COSO_F_UNIT_MOVE_CODE       = 1,
	COSO_F_UNIT_MOVE_DATE       = 2,
	COSO_F_UNIT_MOVE_OLD_PARENT = 3,
	COSO_F_UNIT_MOVE_NEW_PARENT = 4,
};

enum coso_f_console_access {
	COSO_F_CONSOLE_ACCESS_CADRE_ID = 1,
	COSO_F_CONSOLE_ACCESS_ROLE     = 2,
	COSO_F_CONSOLE_ACCESS_UNIT     = 3,
	COSO_F_CONSOLE_ACCESS_SECTOR   = 4,
	COSO_F_CONSOLE_ACCESS_VALID_TO = 5,
};

/* console_access roles (FORMAT.md, table 17). */
enum coso_console_role {
	COSO_CONSOLE_LEADER = 1, /* a unit's subtree or a sector */
	COSO_CONSOLE_OFFICE = 2, /* the whole province */
};

/* Bit set of the value types a field accepts. */
#define COSO_TY_NULL  (1u << COSO_VNULL)
#define COSO_TY_INT   (1u << COSO_VINT)
#define COSO_TY_TEXT  (1u << COSO_VTEXT)
#define COSO_TY_BYTES (1u << COSO_VBYTES)

struct coso_schema_field {
	uint32_t id;
	const char *name;
	unsigned types; /* COSO_TY_* bits */
	int required;   /* must be present in an upsert */
};

struct coso_schema_table {
	uint32_t id;
	const char *name;
	int admin;       /* written only by admin keys */
	int append_only; /* insert once, never updated or deleted */
	size_t nfields;
	const struct coso_schema_field *fields;
};

/* The table with this id, or NULL. */
const struct coso_schema_table *coso_schema_table(uint32_t id);

/* The field with this id in a table, or NULL. */
const struct coso_schema_field *coso_schema_field(
    const struct coso_schema_table *t, uint32_t id);

/* The row id of a key's device_key row: coso_uuid_named("device_key",
 * 64 lowercase hex digits of the key id), so one key is one row
 * (FORMAT.md, "3 device_key").  The central checks it at merge. */
void coso_device_key_row(
    uint8_t row[static 16], const uint8_t key_id[static 32]);

/* Body builder.  Ops are added in order; fields in any order. */
struct coso_body;

COSO_NODISCARD int coso_body_new(struct coso_body **out);
void coso_body_free(struct coso_body *b); /* accepts NULL */

/* Starts an op.  row must be a UUIDv7. */
COSO_NODISCARD int coso_body_op(struct coso_body *b, uint32_t table,
    const uint8_t row[static 16], enum coso_kind kind);

/* Adds a field to the current upsert op.  Text must be UTF-8 NFC; it is
 * copied. */
COSO_NODISCARD int coso_body_int(
    struct coso_body *b, uint32_t field, int64_t v);
COSO_NODISCARD int coso_body_text(
    struct coso_body *b, uint32_t field, const char *s, size_t len);
COSO_NODISCARD int coso_body_bytes(
    struct coso_body *b, uint32_t field, const uint8_t *p, size_t len);
COSO_NODISCARD int coso_body_null(struct coso_body *b, uint32_t field);

/*
 * Checks the whole body against the schema and encodes it canonically.
 * *out is malloc'd (caller frees).  The builder may be reused after
 * coso_body_reset.
 */
COSO_NODISCARD int coso_body_encode(
    struct coso_body *b, uint8_t **out, size_t *out_len);
void coso_body_reset(struct coso_body *b);

/*
 * A decoded body.  Its text and byte values point into the buffer given to
 * coso_ops_decode, which must outlive it.
 */
struct coso_ops {
	size_t nops;
	const struct coso_op *ops;
};

/*
 * Decodes and validates a body: canonical CBOR only (shortest integers,
 * definite lengths, sorted unique map keys), the op schema, the limits,
 * UTF-8 NFC text.  Writes *out only on success; free with coso_ops_free.
 */
COSO_NODISCARD int coso_ops_decode(
    struct coso_ops **out, const uint8_t *buf, size_t len);
void coso_ops_free(struct coso_ops *ops); /* accepts NULL */

/*
 * Text.  Checks UTF-8 and returns its NFC form (malloc'd, NUL-terminated;
 * *out_len excludes the NUL).  Input over max_len bytes, before or after
 * normalisation, gives COSO_ETOOBIG.
 */
COSO_NODISCARD int coso_text_nfc(
    char **out, size_t *out_len, const char *in, size_t len, size_t max_len);

/* COSO_OK if s is valid UTF-8 in NFC, else COSO_EUTF8 or COSO_ENFC. */
COSO_NODISCARD int coso_text_check(const uint8_t *s, size_t len);

/* A fresh UUIDv7 for time ms (RFC 9562 §5.7), random bits from libsodium. */
void coso_uuid7(uint8_t out[static 16], uint64_t ms);

/* 1 if b is a UUIDv7 (version 7, variant 10), else 0. */
int coso_uuid7_valid(const uint8_t b[static 16]);

/*
 * The row id of an entity with a natural key (a unit code, a cadre id):
 * the first 16 bytes of SHA-256(ns || 0x00 || key) with the UUIDv7
 * version and variant bits set, so every device names it alike and
 * last-writer-wins applies to one row.  ns is the table's name.
 */
void coso_uuid_named(uint8_t out[static 16], const char *ns, const char *key);

/*
 * Wire protocol (FORMAT.md, "Wire").  Every nng message is one frame:
 *
 *   version u8 | kind u8 | sender Ed25519 pk [32] | nonce [24] |
 *   crypto_box_easy_afternm(plaintext) [16 + n]
 *
 * sealed between the X25519 forms of the sender's and the receiver's
 * Ed25519 keys, under a key bound to both full Ed25519 keys (the X25519
 * form alone drops the sign bit: P and -P would share it).  Version 3;
 * frames of versions 1 and 2 are refused (COSO_EVERSION).  The plaintext
 * starts with version, kind, type u8 and a request id u64, then the message
 * body (big-endian integers; strings as u16 length + UTF-8; byte strings as
 * u32 length + bytes).
 */
#define COSO_WIRE_VERSION     3u
#define COSO_WIRE_HEADER      58u /* bytes before the box */
#define COSO_WIRE_OVERHEAD    (COSO_WIRE_HEADER + 16u)
#define COSO_WIRE_MAX_DEFAULT (1024u * 1024u) /* default max message */
#define COSO_WIRE_MAX_LIMIT   (16u * 1024u * 1024u)
#define COSO_WIRE_ITEMS_MAX   4096u /* items in one message */
#define COSO_WIRE_STR_MAX     256u  /* bytes of one string */
#define COSO_RECEIPT_MAX      4096u /* bytes of one receipt */

enum coso_wire_kind {
	COSO_WIRE_REQUEST = 1,
	COSO_WIRE_REPLY   = 2,
};

/* A shared box key between this side's key and a peer's public key,
 * bound to both Ed25519 keys: a box made for another key, -peer_pk
 * included, neither opens nor seals frames this one does. */
struct coso_box;

COSO_NODISCARD int coso_box_new(struct coso_box **out,
    const struct coso_key *self, const uint8_t peer_pk[static 32]);
void coso_box_free(struct coso_box *box); /* accepts NULL */

/*
 * Seals plaintext into a frame from self (whose public key is written
 * into the header) with a fresh random nonce.  *out is malloc'd.
 */
COSO_NODISCARD int coso_wire_seal(uint8_t **out, size_t *out_len,
    const struct coso_box *box, const uint8_t self_pk[static 32],
    enum coso_wire_kind kind, const uint8_t *plain, size_t plain_len);

/* Reads a frame's header without opening it: version, kind, sender. */
COSO_NODISCARD int coso_wire_peek(const uint8_t *frame, size_t len,
    enum coso_wire_kind *kind, uint8_t sender_pk[static 32]);

/*
 * Opens a frame with box (built for the sender in its header).  *plain is
 * malloc'd.  A frame that does not open gives COSO_EBADSIG; one over max
 * bytes COSO_ETOOBIG before anything is allocated.
 */
COSO_NODISCARD int coso_wire_open(uint8_t **plain, size_t *plain_len,
    const struct coso_box *box, const uint8_t *frame, size_t len, size_t max);

/* Message types (plaintext byte 2). */
enum coso_msg_type {
	COSO_MSG_STATUS     = 1, /* request: device_ms, hlc */
	COSO_MSG_STATUS_REP = 2, /* central_ms, enrolled, next_seq,
	                            max_message, cadre_id */
	COSO_MSG_ENROLL     = 3, /* token[32], cadre_id */
	COSO_MSG_ENROLL_REP = 4, /* code, text */
	COSO_MSG_PUSH       = 5, /* items: cs */
	COSO_MSG_PUSH_REP   = 6, /* checkpoint, items: status, reason,
	                            expected_seq, id, receipt, proof */
	COSO_MSG_PULL     = 7,   /* cursor, max_bytes */
	COSO_MSG_PULL_REP = 8,   /* cursor (new), more, keys, items:
	                            position, status, reason, cadre_id,
	                            cs */
	COSO_MSG_ERROR = 9,      /* code, text: the whole request failed */
	/* 10 is not a type (a reply's number with no request before it). */
	COSO_MSG_PROOF     = 11, /* request: from_size, to_size */
	COSO_MSG_PROOF_REP = 12, /* from_size, to_size, consistency proof */
};

/* What the central did with one pushed change-set. */
enum coso_verdict {
	COSO_VERDICT_ACCEPTED    = 1, /* stored and merged */
	COSO_VERDICT_DUPLICATE   = 2, /* stored before; same receipt again */
	COSO_VERDICT_QUARANTINED = 3, /* stored, not merged; reason says why */
	COSO_VERDICT_GAP         = 4, /* not stored: send expected_seq first */
	COSO_VERDICT_REFUSED = 5, /* not stored (not enrolled, …): retry */
};

struct coso_msg_item {
	const uint8_t *cs; /* a change-set (PUSH, PULL_REP) */
	size_t cs_len;
	/* PUSH_REP: enum coso_verdict; PULL_REP: the entry's, accepted or
	 * (only for the device's own chain) quarantined. */
	uint8_t status;
	/* A coso_err code, 0 if none.  PUSH_REP: an accepted change-set
	 * may carry COSO_ECLOCK: its HLC was ahead of the central's clock by
	 * more than COSO_CLOCK_TOLERANCE_MS (FORMAT.md). */
	uint16_t reason;
	uint64_t expected_seq;  /* PUSH_REP: the author's next seq */
	uint8_t id[32];         /* PUSH_REP: the change-set id */
	const uint8_t *receipt; /* PUSH_REP: signed receipt, or NULL */
	size_t receipt_len;
	/* PUSH_REP, only with a receipt: the inclusion proof of its leaf in
	 * the reply's checkpoint, nproof hashes of 32 bytes back to back (as
	 * coso_verify_inclusion takes them), or NULL when nproof is 0. */
	const uint8_t *proof;
	size_t nproof;
	uint64_t position;                    /* PULL_REP: log position */
	char cadre_id[COSO_WIRE_STR_MAX + 1]; /* PULL_REP: the author */
};

/* A decoded message; fields not used by its type are zero. */
struct coso_msg {
	uint8_t type;
	uint64_t request_id;
	uint64_t central_ms, next_seq, cursor;
	/* STATUS: the device's wall clock when it sent the request, and the
	 * last HLC it issued, so the central measures the skew. */
	uint64_t device_ms, hlc;
	uint32_t max_message, max_bytes, code;
	uint8_t enrolled, more;
	uint8_t token[32];
	char cadre_id[COSO_WIRE_STR_MAX + 1];
	char text[COSO_WIRE_STR_MAX + 1];
	/* PUSH_REP: the signed checkpoint note (FORMAT.md "Checkpoints") of
	 * the log that holds every receipt of the reply, checkpoint_len bytes,
	 * not NUL-terminated; NULL exactly when no item has a receipt. */
	const char *checkpoint;
	size_t checkpoint_len;
	/* PULL_REP: the Ed25519 public keys of the items' authors, nkeys keys
	 * of 32 bytes back to back, each once; NULL exactly when nkeys is 0.
	 * A device verifies each change-set with the key whose SHA-256 is
	 * its author key id. */
	const uint8_t *keys;
	size_t nkeys;
	/* PROOF, PROOF_REP: the tree sizes a consistency proof leads between
	 * (0 < from_size <= to_size); PROOF_REP: its nproof hashes of 32
	 * bytes back to back, pointing into the decoded buffer (NULL when
	 * nproof is 0), as coso_verify_consistency takes them. */
	uint64_t from_size, to_size;
	const uint8_t *proof;
	size_t nproof;
	size_t nitems;
	struct coso_msg_item *items; /* malloc'd by decode; caller's to set
	                                for encode */
};

/*
 * Encodes m's fields for its type into *out (malloc'd).  A message that
 * would exceed max bytes gives COSO_ETOOBIG.
 */
COSO_NODISCARD int coso_msg_encode(
    const struct coso_msg *m, uint8_t **out, size_t *out_len, size_t max);

/*
 * The request id of a plaintext (after version, kind and type), read
 * from the header alone and whatever follows it, so that a request whose
 * body does not decode still gets an ERROR its sender can match.  buf is
 * only read; *rid is written on success.  COSO_ETRUNC if len is shorter
 * than the header.
 */
COSO_NODISCARD int coso_msg_request_id(
    const uint8_t *buf, size_t len, uint64_t *rid);

/*
 * Bytes one PUSH_REP item takes in the plaintext (before compression),
 * with a receipt of receipt_len bytes (0: none) and a proof of nproof
 * hashes: for bounding a batch by the size of its reply.  Pure; SIZE_MAX
 * if the sum does not fit.
 */
size_t coso_msg_push_rep_item_size(size_t receipt_len, size_t nproof);

/*
 * Bytes one PULL_REP item takes in the plaintext (before compression),
 * for an author cadre id of cadre_len bytes and a change-set of cs_len
 * bytes; each author key of the reply adds COSO_PK_BYTES once.  For
 * filling a reply up to a budget.  Pure; SIZE_MAX if the sum does not
 * fit.
 */
size_t coso_msg_pull_rep_item_size(size_t cadre_len, size_t cs_len);

/*
 * Decodes a plaintext; items and the checkpoint point into buf, which must
 * outlive *out.  Strict: known type, every length within its limit and the
 * input, no trailing bytes; in a PUSH_REP a checkpoint exactly when some
 * item has a receipt and a proof only beside a receipt (COSO_ESCHEMA).
 * Free with coso_msg_free.
 */
COSO_NODISCARD int coso_msg_decode(
    struct coso_msg **out, const uint8_t *buf, size_t len);
void coso_msg_free(struct coso_msg *m); /* accepts NULL */

/*
 * Receipts: the central's signed statement that it received a change-set.
 *
 *   version u8 (1) | cs id [32] | leaf index u64 | received_ms u64 |
 *   verdict u8 | sig [64]
 *
 * sig = Ed25519 by the central key over "coso/receipt/v1" || 0x00 ||
 * the preceding 50 bytes.
 */
#define COSO_RECEIPT_BYTES   114u
#define COSO_RECEIPT_CONTEXT "coso/receipt/v1"

struct coso_receipt {
	uint8_t cs_id[32];
	uint64_t leaf_index;
	uint64_t received_ms;
	uint8_t verdict;
};

COSO_NODISCARD int coso_receipt_sign(uint8_t out[static COSO_RECEIPT_BYTES],
    const struct coso_key *central, const struct coso_receipt *r);
COSO_NODISCARD int coso_receipt_verify(struct coso_receipt *r,
    const uint8_t *buf, size_t len, const uint8_t central_pk[static 32]);

/*
 * ---- Gossip file (FORMAT.md, "Gossip file"; proto/gossip.c) ------------
 * What a device saw of the central, handed to an auditor: every
 * checkpoint note it holds, its receipts with their inclusion proofs, and
 * the pairs of notes it kept as evidence of a split view.
 *
 *   "coso-gossip/v1\n" | central pk [32] | device pk [32] |
 *   exported_ms u64 |
 *   nnotes u32 | nnotes x ( len u16 | note [len] ) |
 *   nreceipts u32 | nreceipts x ( seq u64 | tree_size u64 |
 *     receipt [114] | nproof u8 | proof [32 nproof] ) |
 *   nevidence u32 | nevidence x ( kind u8 | len u16 | held note |
 *     len u16 | new note )
 *
 * Notes are not parsed here: the reader verifies them with its own key.
 */
#define COSO_GOSSIP_MAGIC        "coso-gossip/v1\n"
#define COSO_GOSSIP_MAGIC_LEN    15u
#define COSO_GOSSIP_NOTES_MAX    65536u       /* notes in one file */
#define COSO_GOSSIP_RECEIPTS_MAX 1048576u     /* receipts in one file */
#define COSO_GOSSIP_EVIDENCE_MAX 4096u        /* pairs in one file */
#define COSO_GOSSIP_MAX          (256u << 20) /* bytes of one file */

/* Kinds of evidence: what the second note does to the first. */
enum coso_gossip_kind {
	COSO_GOSSIP_BACKWARDS    = 1, /* a smaller tree than the one held */
	COSO_GOSSIP_FORK         = 2, /* the same size, another root */
	COSO_GOSSIP_INCONSISTENT = 3, /* larger, no consistency proof */
};

struct coso_gossip_note {
	const char *note; /* not NUL-terminated; points into the input */
	size_t len;       /* 1 .. COSO_NOTE_MAX */
};

struct coso_gossip_receipt {
	uint64_t seq;           /* the device's seq of the change-set */
	uint64_t tree_size;     /* the checkpoint its proof leads to, >= 1 */
	const uint8_t *receipt; /* COSO_RECEIPT_BYTES, points into the input */
	const uint8_t *proof;   /* nproof x 32 bytes, NULL when nproof is 0 */
	size_t nproof;          /* at most COSO_PROOF_MAX */
};

struct coso_gossip_evidence {
	uint8_t kind; /* enum coso_gossip_kind */
	struct coso_gossip_note held, fresh;
};

struct coso_gossip {
	uint8_t central_pk[32]; /* the key the device pinned */
	uint8_t device_pk[32];  /* the exporting device's key */
	uint64_t exported_ms;
	size_t nnotes, nreceipts, nevidence;
	struct coso_gossip_note *notes;
	struct coso_gossip_receipt *receipts;
	struct coso_gossip_evidence *evidence;
};

/*
 * Encodes g into *out (malloc'd, caller frees).  The same limits as the
 * decoder: a count, a note, a proof or the file over its limit
 * COSO_ETOOBIG; an empty note, a tree size 0 or a kind outside 1 .. 3
 * COSO_ESCHEMA; a count given without its array COSO_EINVAL.
 */
COSO_NODISCARD int coso_gossip_encode(
    const struct coso_gossip *g, uint8_t **out, size_t *len);

/*
 * Decodes a gossip file of len bytes; the notes, receipts and proofs
 * point into buf, which must outlive *out (free with coso_gossip_free).
 * Strict: another magic COSO_EVERSION; a count over its limit or a file
 * over COSO_GOSSIP_MAX COSO_ETOOBIG, each checked against the bytes left
 * before anything is allocated (COSO_ETRUNC); a note over COSO_NOTE_MAX
 * or a proof over COSO_PROOF_MAX hashes COSO_ETOOBIG; an empty note, a
 * tree size 0 or an unknown kind COSO_ESCHEMA; bytes after the end
 * COSO_ETRAILING.
 */
COSO_NODISCARD int coso_gossip_decode(
    struct coso_gossip **out, const uint8_t *buf, size_t len);
void coso_gossip_free(struct coso_gossip *g); /* accepts NULL */

/*
 * ---- Audit log: Merkle tree, proofs and checkpoints -----------------------
 * (FORMAT.md, "Log leaves and tree" and "Checkpoints"; proto/merkle.c and
 * proto/checkpoint.c.)
 *
 * Every change-set the central receives is a leaf of an RFC 6962 / RFC 9162
 * Merkle tree with SHA-256.  Leaf data:
 *
 *   "coso/leaf/v1" 0x00 | cs id [32] | author key id [32] | seq u64 |
 *   received_ms u64 | verdict u8
 *
 * (integers big-endian).  leaf hash = SHA-256(0x00 || leaf data); interior
 * node = SHA-256(0x01 || left || right); the empty tree's hash is SHA-256
 * of nothing.  Tree heads are published as C2SP tlog-checkpoint signed
 * notes with one Ed25519 signature line.
 */
#define COSO_LEAF_CONTEXT  "coso/leaf/v1"
#define COSO_LEAF_BYTES    94u                 /* 13 + 32 + 32 + 8 + 8 + 1 */
#define COSO_TREE_SIZE_MAX (UINT64_C(1) << 63) /* largest tree size */
#define COSO_PROOF_MAX     64u                 /* most hashes in any proof */

struct coso_leaf {
	uint8_t cs_id[32];    /* the change-set id */
	uint8_t author[32];   /* the author's full key id */
	uint64_t seq;         /* the change-set's seq */
	uint64_t received_ms; /* the central's receive time, Unix ms */
	uint8_t verdict;      /* enum coso_verdict */
};

/* Encodes a leaf's data.  Nothing is checked: every byte is the caller's. */
void coso_leaf_encode(
    uint8_t out[static COSO_LEAF_BYTES], const struct coso_leaf *l);

/*
 * Decodes leaf data (an auditor re-reading the log): exactly
 * COSO_LEAF_BYTES with the context string, else COSO_ETRUNC,
 * COSO_ETRAILING or COSO_EVERSION.
 */
COSO_NODISCARD int coso_leaf_decode(
    struct coso_leaf *l, const uint8_t *buf, size_t len);

/* SHA-256(0x00 || data): the hash of a leaf. */
void coso_leaf_hash(uint8_t out[static 32], const uint8_t *data, size_t len);

/* SHA-256(0x01 || l || r): the hash of an interior node. */
void coso_node_hash(uint8_t out[static 32], const uint8_t l[static 32],
    const uint8_t r[static 32]);

/*
 * A source of stored subtree hashes (the central backs it with its
 * database).  The library calls subtree(arg, start, size, out) only for
 * aligned perfect subtrees: size a power of two, start a multiple of size,
 * start + size no more than the tree size being worked on.  It writes the
 * subtree's hash (for size 1, the leaf hash) and returns COSO_OK, or a
 * coso error (COSO_ENOENT, COSO_EIO, ...) that is passed back unchanged.
 */
struct coso_tree_src {
	int (*subtree)(
	    void *arg, uint64_t start, uint64_t size, uint8_t out[32]);
	void *arg;
};

/* The root hash MTH(D[0:n]) of the first n leaves; n = 0 is allowed. */
COSO_NODISCARD int coso_tree_root(
    const struct coso_tree_src *src, uint64_t n, uint8_t out[static 32]);

/*
 * PATH(index, D[0:size]) of RFC 9162 §2.1.3.1, leaf level first, into
 * out[0 .. *count - 1].  index < size <= COSO_TREE_SIZE_MAX, else
 * COSO_EINVAL.  At most 2 log2(size) calls to src.
 */
COSO_NODISCARD int coso_proof_inclusion(const struct coso_tree_src *src,
    uint64_t index, uint64_t size, uint8_t out[COSO_PROOF_MAX][32],
    size_t *count);

/*
 * PROOF(m, D[0:n]) of RFC 9162 §2.1.4.1 into out[0 .. *count - 1].
 * 0 < m <= n <= COSO_TREE_SIZE_MAX, else COSO_EINVAL; m == n gives an
 * empty proof.
 */
COSO_NODISCARD int coso_proof_consistency(const struct coso_tree_src *src,
    uint64_t m, uint64_t n, uint8_t out[COSO_PROOF_MAX][32], size_t *count);

/*
 * Proofs are verified from count hashes of 32 bytes back to back at proof
 * (the out of coso_proof_* passes as out[0]).
 *
 * RFC 9162 §2.1.3.2: COSO_OK if proof shows leaf_hash at index in the tree
 * of size leaves whose root is root; COSO_EBADSIG if it does not;
 * COSO_EINVAL if index >= size or size > COSO_TREE_SIZE_MAX.  Pure.
 */
COSO_NODISCARD int coso_verify_inclusion(const uint8_t leaf_hash[static 32],
    uint64_t index, uint64_t size, const uint8_t *proof, size_t count,
    const uint8_t root[static 32]);

/*
 * RFC 9162 §2.1.4.2: COSO_OK if proof shows the tree of m leaves with root
 * root_m is a prefix of the tree of n leaves with root root_n; COSO_EBADSIG
 * if it does not.  m == n needs an empty proof and equal roots.  m == 0,
 * m > n or n > COSO_TREE_SIZE_MAX give COSO_EINVAL: an empty tree commits
 * to nothing, there is nothing to check against it.  Pure.
 */
COSO_NODISCARD int coso_verify_consistency(uint64_t m, uint64_t n,
    const uint8_t *proof, size_t count, const uint8_t root_m[static 32],
    const uint8_t root_n[static 32]);

/*
 * The frontier ("compact range") of the log: for every bit l set in size,
 * node[l] is the hash of the perfect subtree of 2^l leaves it contributes,
 * the larger subtrees to the left.  The central keeps one in memory,
 * appends each new leaf to it and stores every subtree the append
 * completes, so proofs never rehash the log.
 */
struct coso_frontier {
	uint64_t size;
	uint8_t node[64][32];
};

/* The empty tree. */
void coso_frontier_init(struct coso_frontier *f);

/* Rebuilds the frontier of the first size leaves from src (at start-up). */
COSO_NODISCARD int coso_frontier_load(
    struct coso_frontier *f, const struct coso_tree_src *src, uint64_t size);

/*
 * Called by coso_frontier_append for each aligned perfect subtree the new
 * leaf completes: (index, 1) with the leaf hash first, then each larger
 * one, smallest first.  Returns COSO_OK or an error to stop the append.
 */
typedef int (*coso_subtree_put)(
    void *arg, uint64_t start, uint64_t size, const uint8_t h[32]);

/*
 * Appends leaf f->size.  put may be NULL.  If put fails its error is
 * returned and f is unchanged; a full tree gives COSO_ETOOBIG.
 */
COSO_NODISCARD int coso_frontier_append(struct coso_frontier *f,
    const uint8_t leaf_hash[static 32], coso_subtree_put put, void *arg);

/* The root hash of the f->size leaves appended so far. */
void coso_frontier_root(const struct coso_frontier *f, uint8_t out[static 32]);

/*
 * Checkpoints: C2SP tlog-checkpoint note text
 *
 *   <origin>\n<tree size, decimal>\n<base64 root hash>\n[extension lines]
 *
 * signed as a C2SP signed-note: the text, a blank line, then signature
 * lines: U+2014 (em dash), space, key name, space, base64(key id [4] ||
 * Ed25519 signature [64]), newline; the signature is over the note text.
 * The key id is the first 4 bytes of SHA-256(key name || 0x0A || 0x01 ||
 * public key).
 */
#define COSO_NOTE_MAX    8192u /* bytes of a whole signed note */
#define COSO_ORIGIN_MAX  256u  /* bytes of the origin line */
#define COSO_KEYNAME_MAX 256u  /* bytes of a key name */

struct coso_checkpoint {
	char origin[COSO_ORIGIN_MAX + 1]; /* NUL-terminated */
	uint64_t size;
	uint8_t root[32];
};

/* The signed-note key id of an Ed25519 key under a name. */
void coso_note_key_id(
    uint8_t out[static 4], const char *name, const uint8_t pk[static 32]);

/*
 * The note verifier key "<name>+<8 hex key id>+<base64(0x01 || pk)>",
 * malloc'd into *out (caller frees).  An invalid name (empty, over
 * COSO_KEYNAME_MAX, not UTF-8, with a space, a control or '+') gives
 * COSO_EINVAL.
 */
COSO_NODISCARD int coso_note_vkey_format(
    char **out, const char *name, const uint8_t pk[static 32]);

/*
 * Parses a note verifier key (as coso_note_vkey_format writes it) of len
 * bytes, without a newline: the key name into name (NUL-terminated) and
 * the Ed25519 public key into pk, both written only on success.  Strict:
 * a valid name, the key id in 8 lowercase hex digits, canonical padded
 * base64 of 33 bytes; the key id must be that of (name, pk).  Anything
 * else is COSO_EKEYFILE; another algorithm than Ed25519 COSO_EKEYTYPE.
 */
COSO_NODISCARD int coso_note_vkey_parse(char name[static COSO_KEYNAME_MAX + 1],
    uint8_t pk[static 32], const char *vkey, size_t len);

/*
 * Signs a checkpoint as a note with one signature line by key under
 * key_name; *out is malloc'd and NUL-terminated (caller frees).  origin
 * must be a valid key name too (non-empty, at most COSO_ORIGIN_MAX bytes);
 * size at most COSO_TREE_SIZE_MAX.  Otherwise COSO_EINVAL.
 */
COSO_NODISCARD int coso_checkpoint_sign(char **out, const struct coso_key *key,
    const char *key_name, const char *origin, uint64_t size,
    const uint8_t root[static 32]);

/*
 * Verifies a signed checkpoint note of len bytes against the key (key_name,
 * pk) and fills *out only on success.  Strict: at most COSO_NOTE_MAX bytes
 * (COSO_ETOOBIG), UTF-8 (COSO_EUTF8) without control characters but
 * newline, ending in a newline (COSO_ETRUNC); size in decimal without
 * leading zeros (COSO_ENONCANON), at most COSO_TREE_SIZE_MAX (COSO_ETOOBIG);
 * root in canonical padded base64 of 32 bytes; origin at most
 * COSO_ORIGIN_MAX bytes (COSO_ETOOBIG); anything else malformed, including
 * any malformed signature line, COSO_EINVAL.  Lines of other keys are skipped;
 * every line of this key must verify (COSO_EBADSIG); none gives
 * COSO_EWRONGKEY. Extension lines are accepted and not returned.
 */
COSO_NODISCARD int coso_checkpoint_verify(struct coso_checkpoint *out,
    const char *note, size_t len, const char *key_name,
    const uint8_t pk[static 32]);

/*
 * ---- Witness cosignatures (FORMAT.md, "Witnesses"; proto/cosig.c) -------
 * C2SP tlog-cosignature, cosignature/v1 (Ed25519): a witness's signature
 * line on a checkpoint, "— <witness name> base64(key id [4] || timestamp
 * u64 [8] || Ed25519 signature [64])", the signature over
 *
 *   "cosignature/v1\n" "time <timestamp, decimal>\n" <note text>
 *
 * and the key id the first 4 bytes of SHA-256(name || 0x0A || 0x04 ||
 * public key).  Verifier key: "<name>+<8 hex key id>+<base64(0x04 ||
 * pk)>".
 */
#define COSO_COSIG_ALG      0x04u
#define COSO_COSIG_BYTES    72u /* timestamp [8] || signature [64] */
#define COSO_COSIG_TIME_MAX INT64_MAX

/* The cosignature key id of an Ed25519 witness key under a name. */
void coso_cosig_key_id(
    uint8_t out[static 4], const char *name, const uint8_t pk[static 32]);

/* As coso_note_vkey_format / coso_note_vkey_parse, for the cosignature
 * type 0x04 (another type: COSO_EKEYTYPE). */
COSO_NODISCARD int coso_cosig_vkey_format(
    char **out, const char *name, const uint8_t pk[static 32]);
COSO_NODISCARD int coso_cosig_vkey_parse(
    char name[static COSO_KEYNAME_MAX + 1], uint8_t pk[static 32],
    const char *vkey, size_t len);

/*
 * Cosigns the checkpoint note of len bytes (its text: everything before
 * its last blank line, which must be a valid checkpoint text; its
 * signatures are not checked here) at time t (1 .. COSO_COSIG_TIME_MAX):
 * *line, malloc'd and NUL-terminated (caller frees), is the signature
 * line with its newline.  Errors as coso_checkpoint_verify's for the
 * note; COSO_EINVAL for a bad name or t.
 */
COSO_NODISCARD int coso_cosig_sign(char **line, const struct coso_key *key,
    const char *name, const char *note, size_t len, uint64_t t);

/*
 * Verifies that the note (a checkpoint with signature lines) carries a
 * cosignature of the witness (name, pk): every line of that name and key
 * id must be 76 bytes, a timestamp of at most COSO_COSIG_TIME_MAX and a
 * valid signature (else COSO_EBADSIG); none gives COSO_EWRONGKEY.  The
 * note is read as coso_checkpoint_verify reads it (same errors); *t gets
 * the first line's timestamp, *cp the checkpoint, both only on success.
 */
COSO_NODISCARD int coso_cosig_verify(uint64_t *t, struct coso_checkpoint *cp,
    const char *note, size_t len, const char *name,
    const uint8_t pk[static 32]);

/*
 * ---- Witness requests (C2SP tlog-witness; proto/witness.c) -------------
 * POST add-checkpoint body: "old <size>\n", at most 63 lines of a base64
 * consistency proof hash, a blank line, then the checkpoint note.
 */
#define COSO_WITNESS_PROOF_MAX 63u
#define COSO_WITNESS_REQ_MAX   (4u + 19u + 1u + 63u * 45u + 1u + COSO_NOTE_MAX)

struct coso_witness_req {
	uint64_t old; /* the size the sender believes the witness has */
	size_t nproof;
	uint8_t proof[COSO_WITNESS_PROOF_MAX][32];
	const char *note; /* points into the request */
	size_t note_len;
};

/*
 * Parses an add-checkpoint body strictly: at most COSO_WITNESS_REQ_MAX
 * bytes (COSO_ETOOBIG); "old", one space, a decimal size without leading
 * zero of at most COSO_TREE_SIZE_MAX; each proof line exactly 44
 * characters of canonical padded base64 of 32 bytes, at most 63 of them;
 * the blank line; a non-empty note of at most COSO_NOTE_MAX bytes (not
 * verified here).  Anything else COSO_EINVAL (COSO_ENONCANON for a
 * non-canonical number or base64).  *out written only on success.
 */
COSO_NODISCARD int coso_witness_req_parse(
    struct coso_witness_req *out, const char *body, size_t len);

/* Writes an add-checkpoint body into *out (malloc'd, caller frees),
 * *len bytes.  nproof at most COSO_WITNESS_PROOF_MAX, note_len at most
 * COSO_NOTE_MAX, old at most COSO_TREE_SIZE_MAX, else COSO_EINVAL. */
COSO_NODISCARD int coso_witness_req_format(char **out, size_t *len,
    uint64_t old, const uint8_t *proof, size_t nproof, const char *note,
    size_t note_len);

/* A 409 answer's body, "<size>\n" (text/x.tlog.size): the size the
 * witness holds.  COSO_EINVAL (or COSO_ENONCANON, COSO_ETOOBIG) if not
 * exactly that. */
COSO_NODISCARD int coso_witness_size_parse(
    uint64_t *size, const char *body, size_t len);

/*
 * ---- Entries file (FORMAT.md, "Entries file"; proto/entries.c) ----------
 * The log entries an auditor downloaded, as `cosod central rebuild
 * --entries` replays them:
 *
 *   "coso-entries/v1\n" | central pk [32] | origin length u16 | origin
 *   then per entry: index u64 | received_ms u64 | sender key id [32] |
 *   verdict u8 | reason u16 | length u32 | change-set [length]
 */
#define COSO_ENTRIES_MAGIC      "coso-entries/v1\n"
#define COSO_ENTRIES_HEADER_MAX (16u + 34u + COSO_ORIGIN_MAX)
#define COSO_ENTRY_HEAD         55u /* bytes of an entry before its change-set */

struct coso_entry {
	uint64_t index;       /* log position */
	uint64_t received_ms; /* the central's receive time */
	uint8_t sender[32];   /* key id of the frame's sender */
	uint8_t verdict;      /* ACCEPTED or QUARANTINED */
	uint16_t reason;      /* 0 or the quarantine reason */
	const uint8_t *cs;    /* the change-set (not owned) */
	size_t cs_len;
};

/* Writes the file header (at most COSO_ENTRIES_HEADER_MAX bytes) into out;
 * origin must be a valid key name (COSO_EINVAL otherwise). */
COSO_NODISCARD int coso_entries_header_encode(uint8_t *out, size_t *len,
    const uint8_t central_pk[static 32], const char *origin);

/* Reads the header from the start of buf: COSO_EVERSION for another magic,
 * COSO_ETRUNC, COSO_ETOOBIG or COSO_EINVAL for a bad origin.  *used is the
 * header's size. */
COSO_NODISCARD int coso_entries_header_decode(const uint8_t *buf, size_t len,
    uint8_t central_pk[static 32], char origin[static COSO_ORIGIN_MAX + 1],
    size_t *used);

/* The COSO_ENTRY_HEAD bytes before an entry's change-set (e->cs_len must be
 * at most COSO_CS_MAX). */
void coso_entry_head_encode(
    uint8_t out[static COSO_ENTRY_HEAD], const struct coso_entry *e);

/* Decodes an entry head; e->cs is NULL and e->cs_len the number of bytes
 * that follow.  A verdict other than ACCEPTED or QUARANTINED gives
 * COSO_ESCHEMA, a length over COSO_CS_MAX COSO_ETOOBIG, one under the
 * envelope's overhead COSO_ETRUNC. */
COSO_NODISCARD int coso_entry_head_decode(
    struct coso_entry *e, const uint8_t head[static COSO_ENTRY_HEAD]);

#ifdef __cplusplus
}
#endif

#endif /* COSO_PROTO_H */
