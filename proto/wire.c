/*
 * wire.c: the sync protocol's frames and messages (FORMAT.md, "Wire").
 *
 * A frame is crypto_box (X25519, XSalsa20-Poly1305) between the X25519
 * forms of two Ed25519 identities, under a key bound to both full Ed25519
 * keys: the X25519 form drops the sign bit, so P and -P would otherwise
 * share every box.  The shared key is computed once per peer and lives in
 * sodium_malloc memory, read-only, wiped when freed.  The header is not
 * authenticated by the MAC, so open binds each of its fields: the sender
 * must be the box's peer (whose full key made the box key), and the
 * plaintext repeats version and kind.
 *
 * Messages are decoded strictly and without copies of change-sets,
 * receipts, proofs or checkpoints: the decoded message points into the
 * caller's buffer.  Every count and length is checked against its limit
 * and against the bytes present before anything is allocated for it.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <zstd.h>
#include <unistr.h>

#include "proto_int.h"

/* Frame offsets. */
#define F_VERSION 0u
#define F_KIND    1u
#define F_SENDER  2u
#define F_NONCE   34u

/* Plaintext header: version | kind | type | request_id u64. */
#define M_TYPE 2u
#define M_RID  3u
#define M_HEAD 11u

/* Smallest encoding of one item, per message type. */
#define PUSH_ITEM_MIN     4u /* cs len */
#define PUSH_REP_ITEM_MIN (1u + 2u + 8u + 32u + 4u + 1u)
/* position, status, reason, cadre_id, cs len */
#define PULL_REP_ITEM_MIN (8u + 1u + 2u + 2u + 4u)

_Static_assert(
    F_NONCE + crypto_box_NONCEBYTES == COSO_WIRE_HEADER, "frame header size");
_Static_assert(crypto_box_MACBYTES == COSO_WIRE_OVERHEAD - COSO_WIRE_HEADER,
    "frame MAC size");
_Static_assert(COSO_WIRE_ITEMS_MAX <= UINT16_MAX, "item count fits u16");
_Static_assert(COSO_WIRE_STR_MAX <= UINT16_MAX, "string length fits u16");
_Static_assert(COSO_PROOF_MAX <= UINT8_MAX, "proof length fits u8");

/* Domain of the box key derivation (FORMAT.md, "Wire": "Box key"). */
#define BOX_CONTEXT "coso/box/v2"

struct coso_box {
	uint8_t shared[crypto_box_BEFORENMBYTES];
	uint8_t peer_pk[COSO_PK_BYTES]; /* the only sender open accepts */
};

_Static_assert(crypto_generichash_KEYBYTES_MAX >= crypto_box_BEFORENMBYTES,
    "the X25519 key keys BLAKE2b");

/*
 * out = BLAKE2b-256(key: x, BOX_CONTEXT || 0x00 || lo || hi), lo and hi
 * the two Ed25519 public keys in bytewise order, so both sides derive
 * the same key and a box made for -P is not the box made for P.
 */
static int
bind_keys(uint8_t out[static crypto_box_BEFORENMBYTES],
    const uint8_t x[static crypto_box_BEFORENMBYTES],
    const uint8_t a[static COSO_PK_BYTES],
    const uint8_t b[static COSO_PK_BYTES])
{
	crypto_generichash_state st;
	const uint8_t *lo = memcmp(a, b, COSO_PK_BYTES) <= 0 ? a : b;
	const uint8_t *hi = lo == a ? b : a;
	int rc;

	rc = crypto_generichash_init(
	         &st, x, crypto_box_BEFORENMBYTES, crypto_box_BEFORENMBYTES)
	        != 0
	    || crypto_generichash_update(
	           &st, (const uint8_t *) BOX_CONTEXT, sizeof(BOX_CONTEXT))
	        != 0
	    || crypto_generichash_update(&st, lo, COSO_PK_BYTES) != 0
	    || crypto_generichash_update(&st, hi, COSO_PK_BYTES) != 0
	    || crypto_generichash_final(&st, out, crypto_box_BEFORENMBYTES)
	        != 0;
	sodium_memzero(&st, sizeof(st));
	return rc ? COSO_ECRYPTO : COSO_OK;
}

int
coso_box_new(struct coso_box **out, const struct coso_key *self,
    const uint8_t peer_pk[static 32])
{
	uint8_t x_pk[crypto_box_PUBLICKEYBYTES];
	uint8_t x_sk[crypto_box_SECRETKEYBYTES];
	uint8_t x[crypto_box_BEFORENMBYTES], self_pk[COSO_PK_BYTES];
	struct coso_box *b = NULL;
	int rc;

	assert(out != NULL && self != NULL && peer_pk != NULL);
	if (sodium_init() < 0) {
		return COSO_ECRYPTO;
	}
	/* Refuses small-order and non-canonical points, and non-points. */
	if (crypto_sign_ed25519_pk_to_curve25519(x_pk, peer_pk) != 0) {
		return COSO_EINVAL;
	}
	if ((rc = cosoi_key_x25519(self, x_sk)) != COSO_OK) {
		goto out;
	}
	if ((b = sodium_malloc(sizeof(*b))) == NULL) {
		rc = COSO_ENOMEM;
		goto out;
	}
	if (crypto_box_beforenm(x, x_pk, x_sk) != 0) {
		rc = COSO_EINVAL; /* an all-zero shared point */
		goto out;
	}
	coso_key_public(self, self_pk);
	if ((rc = bind_keys(b->shared, x, self_pk, peer_pk)) != COSO_OK) {
		goto out;
	}
	memcpy(b->peer_pk, peer_pk, COSO_PK_BYTES);
	(void) sodium_mprotect_readonly(b);
	*out = b;
	b    = NULL;
out:
	sodium_free(b);
	sodium_memzero(x_sk, sizeof(x_sk));
	sodium_memzero(x, sizeof(x));
	return rc;
}

void
coso_box_free(struct coso_box *box)
{
	/* sodium_free makes the pages writable and wipes them. */
	sodium_free(box);
}

/*
 * Bit 7 of the header's kind byte: the boxed content is the plaintext
 * compressed with zstd (a frame that declares its content size).  Small
 * plaintexts, and those that do not shrink, travel as they are.
 */
#define KIND_ZSTD      0x80u
#define ZSTD_MIN_INPUT 256u
#define ZSTD_MIN_GAIN  32u
#define ZSTD_LEVEL     6

static int
valid_kind(unsigned kind)
{
	return kind == COSO_WIRE_REQUEST || kind == COSO_WIRE_REPLY;
}

/*
 * Compresses plain with zstd when that saves at least ZSTD_MIN_GAIN
 * bytes; *z (malloc'd) and *zlen are the result, or *z is NULL.
 */
static int
compress(const uint8_t *plain, size_t len, uint8_t **z, size_t *zlen)
{
	size_t bound, r;

	*z = NULL;
	if (len < ZSTD_MIN_INPUT) {
		return COSO_OK;
	}
	bound = ZSTD_compressBound(len);
	if ((*z = malloc(bound)) == NULL) {
		return COSO_ENOMEM;
	}
	r = ZSTD_compress(*z, bound, plain, len, ZSTD_LEVEL);
	if (ZSTD_isError(r) || r + ZSTD_MIN_GAIN > len) {
		free(*z);
		*z = NULL;
		return COSO_OK;
	}
	*zlen = r;
	return COSO_OK;
}

int
coso_wire_seal(uint8_t **out, size_t *out_len, const struct coso_box *box,
    const uint8_t self_pk[static 32], enum coso_wire_kind kind,
    const uint8_t *plain, size_t plain_len)
{
	uint8_t *f, *z  = NULL;
	size_t total, n = plain_len;
	int rc;

	assert(out != NULL && out_len != NULL && box != NULL);
	assert(self_pk != NULL && (plain != NULL || plain_len == 0));
	/* A plaintext that does not repeat the header would never open. */
	if (!valid_kind(kind) || plain_len < 2 || plain[0] != COSO_WIRE_VERSION
	    || plain[1] != kind) {
		return COSO_EINVAL;
	}
	if (plain_len > COSO_WIRE_MAX_LIMIT - COSO_WIRE_OVERHEAD) {
		return COSO_ETOOBIG;
	}
	if ((rc = compress(plain, plain_len, &z, &n)) != COSO_OK) {
		return rc;
	}
	total = COSO_WIRE_OVERHEAD + n;
	if ((f = malloc(total)) == NULL) {
		free(z);
		return COSO_ENOMEM;
	}
	f[F_VERSION] = COSO_WIRE_VERSION;
	f[F_KIND]    = (uint8_t) (kind | (z != NULL ? KIND_ZSTD : 0));
	memcpy(f + F_SENDER, self_pk, COSO_PK_BYTES);
	randombytes_buf(f + F_NONCE, crypto_box_NONCEBYTES);
	rc = crypto_box_easy_afternm(
	    f + COSO_WIRE_HEADER, z ? z : plain, n, f + F_NONCE, box->shared);
	free(z);
	if (rc != 0) {
		free(f);
		return COSO_ECRYPTO;
	}
	*out     = f;
	*out_len = total;
	return COSO_OK;
}

int
coso_wire_peek(const uint8_t *frame, size_t len, enum coso_wire_kind *kind,
    uint8_t sender_pk[static 32])
{
	assert(kind != NULL && sender_pk != NULL);
	assert(frame != NULL || len == 0);
	if (len < 1) {
		return COSO_ETRUNC;
	}
	if (frame[F_VERSION] != COSO_WIRE_VERSION) {
		return COSO_EVERSION;
	}
	if (len < 2) {
		return COSO_ETRUNC;
	}
	if (!valid_kind(frame[F_KIND] & ~KIND_ZSTD)) {
		return COSO_EINVAL;
	}
	if (len < COSO_WIRE_OVERHEAD) {
		return COSO_ETRUNC;
	}
	*kind = (enum coso_wire_kind)(frame[F_KIND] & ~KIND_ZSTD);
	memcpy(sender_pk, frame + F_SENDER, COSO_PK_BYTES);
	return COSO_OK;
}

/*
 * Replaces *p (n bytes of zstd) by its decompressed content, which must
 * declare its size and be at most max bytes.
 */
static int
decompress(uint8_t **p, size_t *n, size_t max)
{
	unsigned long long size = ZSTD_getFrameContentSize(*p, *n);
	uint8_t *d;

	if (size == ZSTD_CONTENTSIZE_ERROR
	    || size == ZSTD_CONTENTSIZE_UNKNOWN) {
		return COSO_EBADSIG;
	}
	if (size > max || size < 2) {
		return size > max ? COSO_ETOOBIG : COSO_EBADSIG;
	}
	if ((d = malloc((size_t) size)) == NULL) {
		return COSO_ENOMEM;
	}
	if (ZSTD_decompress(d, (size_t) size, *p, *n) != size) {
		free(d);
		return COSO_EBADSIG;
	}
	free(*p);
	*p = d;
	*n = (size_t) size;
	return COSO_OK;
}

int
coso_wire_open(uint8_t **plain, size_t *plain_len, const struct coso_box *box,
    const uint8_t *frame, size_t len, size_t max)
{
	enum coso_wire_kind kind;
	uint8_t sender[COSO_PK_BYTES], *p;
	size_t n;
	int rc;

	assert(plain != NULL && plain_len != NULL && box != NULL);
	if (len > max || len > COSO_WIRE_MAX_LIMIT) {
		return COSO_ETOOBIG;
	}
	if ((rc = coso_wire_peek(frame, len, &kind, sender)) != COSO_OK) {
		return rc;
	}
	if (sodium_memcmp(sender, box->peer_pk, COSO_PK_BYTES) != 0) {
		return COSO_EBADSIG;
	}
	n = len - COSO_WIRE_OVERHEAD;
	if ((p = malloc(n > 0 ? n : 1)) == NULL) {
		return COSO_ENOMEM;
	}
	rc = crypto_box_open_easy_afternm(p, frame + COSO_WIRE_HEADER,
	         len - COSO_WIRE_HEADER, frame + F_NONCE, box->shared)
	        != 0
	    ? COSO_EBADSIG
	    : COSO_OK;
	if (rc == COSO_OK && (frame[F_KIND] & KIND_ZSTD) != 0) {
		rc = decompress(&p, &n, max);
	}
	if (rc == COSO_OK
	    && (n < 2 || p[F_VERSION] != frame[F_VERSION]
	        || p[F_KIND] != kind)) {
		rc = COSO_EBADSIG;
	}
	if (rc != COSO_OK) {
		free(p);
		return rc;
	}
	*plain     = p;
	*plain_len = n;
	return COSO_OK;
}

/* Requests have odd types, replies even ones (ERROR, 9, is a reply). */
static unsigned
kind_of(unsigned type)
{
	if (type == COSO_MSG_ERROR) {
		return COSO_WIRE_REPLY;
	}
	return (type % 2) ? COSO_WIRE_REQUEST : COSO_WIRE_REPLY;
}

static int
valid_type(unsigned type)
{
	return (type >= COSO_MSG_STATUS && type <= COSO_MSG_ERROR)
	    || type == COSO_MSG_PROOF || type == COSO_MSG_PROOF_REP;
}

/* Wire text: at most COSO_WIRE_STR_MAX bytes of UTF-8 without NUL. */
static int
check_text(const uint8_t *s, size_t len)
{
	if (len > COSO_WIRE_STR_MAX) {
		return COSO_ETOOBIG;
	}
	if (len > 0 && u8_check(s, len) != NULL) {
		return COSO_EUTF8;
	}
	/* Decoded strings are C strings: a NUL would not re-encode. */
	if (len > 0 && memchr(s, 0, len) != NULL) {
		return COSO_ESCHEMA;
	}
	return COSO_OK;
}

/* Decoding: a cursor over the bytes not yet read. */
struct rd {
	const uint8_t *p;
	size_t left;
};

static int
take(struct rd *r, size_t n, const uint8_t **out)
{
	if (n > r->left) {
		return COSO_ETRUNC;
	}
	*out = r->p;
	r->p += n;
	r->left -= n;
	return COSO_OK;
}

static int
get_u8(struct rd *r, uint8_t *v)
{
	const uint8_t *p;
	int rc;

	if ((rc = take(r, 1, &p)) == COSO_OK) {
		*v = p[0];
	}
	return rc;
}

static int
get_u16(struct rd *r, uint16_t *v)
{
	const uint8_t *p;
	int rc;

	if ((rc = take(r, 2, &p)) == COSO_OK) {
		*v = (uint16_t) ((p[0] << 8) | p[1]);
	}
	return rc;
}

static int
get_u32(struct rd *r, uint32_t *v)
{
	const uint8_t *p;
	int rc;

	if ((rc = take(r, 4, &p)) == COSO_OK) {
		*v = cosoi_get_u32(p);
	}
	return rc;
}

static int
get_u64(struct rd *r, uint64_t *v)
{
	const uint8_t *p;
	int rc;

	if ((rc = take(r, 8, &p)) == COSO_OK) {
		*v = cosoi_get_u64(p);
	}
	return rc;
}

/* A u8 that is 0 or 1. */
static int
get_flag(struct rd *r, uint8_t *v)
{
	int rc;

	if ((rc = get_u8(r, v)) == COSO_OK && *v > 1) {
		rc = COSO_ESCHEMA;
	}
	return rc;
}

static int
get_str(struct rd *r, char out[static COSO_WIRE_STR_MAX + 1])
{
	const uint8_t *p;
	uint16_t n;
	int rc;

	if ((rc = get_u16(r, &n)) != COSO_OK) {
		return rc;
	}
	if (n > COSO_WIRE_STR_MAX) {
		return COSO_ETOOBIG;
	}
	if ((rc = take(r, n, &p)) != COSO_OK
	    || (rc = check_text(p, n)) != COSO_OK) {
		return rc;
	}
	memcpy(out, p, n);
	out[n] = '\0';
	return COSO_OK;
}

/* u32 length + bytes, pointing into the input. */
static int
get_bytes(struct rd *r, size_t max, const uint8_t **p, size_t *len)
{
	uint32_t n;
	int rc;

	if ((rc = get_u32(r, &n)) != COSO_OK) {
		return rc;
	}
	if (n > max) {
		return COSO_ETOOBIG;
	}
	if ((rc = take(r, n, p)) == COSO_OK) {
		*len = n;
	}
	return rc;
}

/* A proof: u8 count of hashes (at most COSO_PROOF_MAX), then the hashes,
 * pointing into the input.  Only an item with a receipt has one. */
static int
get_proof(struct rd *r, struct coso_msg_item *it)
{
	uint8_t n;
	int rc;

	if ((rc = get_u8(r, &n)) != COSO_OK) {
		return rc;
	}
	if (n > COSO_PROOF_MAX) {
		return COSO_ETOOBIG;
	}
	if (n > 0 && it->receipt == NULL) {
		return COSO_ESCHEMA;
	}
	if ((rc = take(r, (size_t) n * 32u, &it->proof)) != COSO_OK) {
		return rc;
	}
	it->nproof = n;
	if (n == 0) {
		it->proof = NULL;
	}
	return COSO_OK;
}

static int
dec_push_rep_item(struct rd *r, struct coso_msg_item *it)
{
	const uint8_t *id;
	int rc;

	if ((rc = get_u8(r, &it->status)) != COSO_OK) {
		return rc;
	}
	if (it->status < COSO_VERDICT_ACCEPTED
	    || it->status > COSO_VERDICT_REFUSED) {
		return COSO_ESCHEMA;
	}
	if ((rc = get_u16(r, &it->reason)) != COSO_OK
	    || (rc = get_u64(r, &it->expected_seq)) != COSO_OK
	    || (rc = take(r, 32, &id)) != COSO_OK
	    || (rc = get_bytes(
	            r, COSO_RECEIPT_MAX, &it->receipt, &it->receipt_len))
	        != COSO_OK) {
		return rc;
	}
	memcpy(it->id, id, 32);
	if (it->receipt_len == 0) {
		it->receipt = NULL;
	}
	return get_proof(r, it);
}

/* A pulled change-set is in the log: accepted, or quarantined (the
 * device's own chain, FORMAT.md "Checking a PULL reply"). */
static int
pulled_status_ok(uint8_t status)
{
	return status == COSO_VERDICT_ACCEPTED
	    || status == COSO_VERDICT_QUARANTINED;
}

static int
dec_pull_rep_item(struct rd *r, struct coso_msg_item *it)
{
	int rc;

	if ((rc = get_u64(r, &it->position)) != COSO_OK
	    || (rc = get_u8(r, &it->status)) != COSO_OK) {
		return rc;
	}
	if (!pulled_status_ok(it->status)) {
		return COSO_ESCHEMA;
	}
	if ((rc = get_u16(r, &it->reason)) != COSO_OK
	    || (rc = get_str(r, it->cadre_id)) != COSO_OK) {
		return rc;
	}
	return get_bytes(r, COSO_CS_MAX, &it->cs, &it->cs_len);
}

static int
dec_item(struct rd *r, unsigned type, struct coso_msg_item *it)
{
	switch (type) {
	case COSO_MSG_PUSH:
		return get_bytes(r, COSO_CS_MAX, &it->cs, &it->cs_len);
	case COSO_MSG_PUSH_REP:
		return dec_push_rep_item(r, it);
	default:
		assert(type == COSO_MSG_PULL_REP);
		return dec_pull_rep_item(r, it);
	}
}

static size_t
item_min(unsigned type)
{
	switch (type) {
	case COSO_MSG_PUSH:
		return PUSH_ITEM_MIN;
	case COSO_MSG_PUSH_REP:
		return PUSH_REP_ITEM_MIN;
	default:
		assert(type == COSO_MSG_PULL_REP);
		return PULL_REP_ITEM_MIN;
	}
}

/* count u16 | items.  m->items is freed by coso_msg_free on failure. */
static int
dec_items(struct rd *r, struct coso_msg *m)
{
	uint16_t n;
	size_t i;
	int rc;

	if ((rc = get_u16(r, &n)) != COSO_OK) {
		return rc;
	}
	if (n > COSO_WIRE_ITEMS_MAX) {
		return COSO_ETOOBIG;
	}
	/* The claim must fit the bytes present before anything is allocated.
	 */
	if ((size_t) n * item_min(m->type) > r->left) {
		return COSO_ETRUNC;
	}
	if (n == 0) {
		return COSO_OK;
	}
	if ((m->items = calloc(n, sizeof(*m->items))) == NULL) {
		return COSO_ENOMEM;
	}
	m->nitems = n;
	for (i = 0; i < n; i++) {
		if ((rc = dec_item(r, m->type, &m->items[i])) != COSO_OK) {
			return rc;
		}
	}
	return COSO_OK;
}

/* Whether an item carries a receipt (a NULL or empty one is none). */
static int
has_receipt(const struct coso_msg_item *it)
{
	return it->receipt != NULL && it->receipt_len > 0;
}

/* How many of m's items carry a receipt. */
static size_t
receipts_in(const struct coso_msg *m)
{
	size_t i, n = 0;

	for (i = 0; i < m->nitems; i++) {
		n += has_receipt(&m->items[i]);
	}
	return n;
}

/* checkpoint bytes | count u16 | items: the checkpoint is there exactly
 * when some receipt is, so every decodable reply encodes back. */
static int
dec_push_rep(struct rd *r, struct coso_msg *m)
{
	const uint8_t *note = NULL;
	size_t len          = 0;
	int rc;

	if ((rc = get_bytes(r, COSO_NOTE_MAX, &note, &len)) != COSO_OK
	    || (rc = dec_items(r, m)) != COSO_OK) {
		return rc;
	}
	if ((len > 0) != (receipts_in(m) > 0)) {
		return COSO_ESCHEMA;
	}
	if (len > 0) {
		m->checkpoint     = (const char *) note;
		m->checkpoint_len = len;
	}
	return COSO_OK;
}

/* count u16 | count × [32]: a PULL_REP's author keys, pointing into the
 * input; at most COSO_WIRE_ITEMS_MAX, every one present. */
static int
get_keys(struct rd *r, struct coso_msg *m)
{
	uint16_t n;
	int rc;

	if ((rc = get_u16(r, &n)) != COSO_OK) {
		return rc;
	}
	if (n > COSO_WIRE_ITEMS_MAX) {
		return COSO_ETOOBIG;
	}
	if ((rc = take(r, (size_t) n * COSO_PK_BYTES, &m->keys)) != COSO_OK) {
		return rc;
	}
	m->nkeys = n;
	if (n == 0) {
		m->keys = NULL;
	}
	return COSO_OK;
}

static int
dec_status_rep(struct rd *r, struct coso_msg *m)
{
	int rc;

	if ((rc = get_u64(r, &m->central_ms)) != COSO_OK
	    || (rc = get_flag(r, &m->enrolled)) != COSO_OK
	    || (rc = get_u64(r, &m->next_seq)) != COSO_OK
	    || (rc = get_u32(r, &m->max_message)) != COSO_OK) {
		return rc;
	}
	return get_str(r, m->cadre_id);
}

/* from_size u64 | to_size u64, 0 < from <= to; a PROOF_REP then its
 * consistency proof: u8 count (at most COSO_PROOF_MAX) and the hashes,
 * pointing into the input. */
static int
dec_proof(struct rd *r, struct coso_msg *m)
{
	uint8_t n;
	int rc;

	if ((rc = get_u64(r, &m->from_size)) != COSO_OK
	    || (rc = get_u64(r, &m->to_size)) != COSO_OK) {
		return rc;
	}
	if (m->from_size == 0 || m->from_size > m->to_size) {
		return COSO_ESCHEMA;
	}
	if (m->type == COSO_MSG_PROOF) {
		return COSO_OK;
	}
	if ((rc = get_u8(r, &n)) != COSO_OK) {
		return rc;
	}
	if (n > COSO_PROOF_MAX) {
		return COSO_ETOOBIG;
	}
	if ((rc = take(r, (size_t) n * 32u, &m->proof)) != COSO_OK) {
		return rc;
	}
	m->nproof = n;
	if (n == 0) {
		m->proof = NULL;
	}
	return COSO_OK;
}

static int
dec_body(struct rd *r, struct coso_msg *m)
{
	const uint8_t *token;
	int rc;

	switch (m->type) {
	case COSO_MSG_STATUS:
		if ((rc = get_u64(r, &m->device_ms)) != COSO_OK) {
			return rc;
		}
		return get_u64(r, &m->hlc);
	case COSO_MSG_STATUS_REP:
		return dec_status_rep(r, m);
	case COSO_MSG_ENROLL:
		if ((rc = take(r, 32, &token)) != COSO_OK) {
			return rc;
		}
		memcpy(m->token, token, 32);
		return get_str(r, m->cadre_id);
	case COSO_MSG_PULL:
		if ((rc = get_u64(r, &m->cursor)) != COSO_OK) {
			return rc;
		}
		return get_u32(r, &m->max_bytes);
	case COSO_MSG_PULL_REP:
		if ((rc = get_u64(r, &m->cursor)) != COSO_OK
		    || (rc = get_flag(r, &m->more)) != COSO_OK
		    || (rc = get_keys(r, m)) != COSO_OK) {
			return rc;
		}
		return dec_items(r, m);
	case COSO_MSG_PUSH:
		return dec_items(r, m);
	case COSO_MSG_PUSH_REP:
		return dec_push_rep(r, m);
	case COSO_MSG_PROOF:
	case COSO_MSG_PROOF_REP:
		return dec_proof(r, m);
	default: /* ENROLL_REP, ERROR */
		if ((rc = get_u32(r, &m->code)) != COSO_OK) {
			return rc;
		}
		return get_str(r, m->text);
	}
}

/* version, then type, then kind against the type's parity. */
static int
check_head(const uint8_t *buf, size_t len)
{
	if (len < 1) {
		return COSO_ETRUNC;
	}
	if (buf[F_VERSION] != COSO_WIRE_VERSION) {
		return COSO_EVERSION;
	}
	if (len < M_HEAD) {
		return COSO_ETRUNC;
	}
	if (!valid_type(buf[M_TYPE]) || buf[F_KIND] != kind_of(buf[M_TYPE])) {
		return COSO_ESCHEMA;
	}
	return COSO_OK;
}

int
coso_msg_decode(struct coso_msg **out, const uint8_t *buf, size_t len)
{
	struct coso_msg *m;
	struct rd r;
	int rc;

	assert(out != NULL && (buf != NULL || len == 0));
	if ((rc = check_head(buf, len)) != COSO_OK) {
		return rc;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		return COSO_ENOMEM;
	}
	m->type       = buf[M_TYPE];
	m->request_id = cosoi_get_u64(buf + M_RID);
	r.p           = buf + M_HEAD;
	r.left        = len - M_HEAD;
	if ((rc = dec_body(&r, m)) == COSO_OK && r.left > 0) {
		rc = COSO_ETRAILING;
	}
	if (rc != COSO_OK) {
		coso_msg_free(m);
		return rc;
	}
	*out = m;
	return COSO_OK;
}

int
coso_msg_request_id(const uint8_t *buf, size_t len, uint64_t *rid)
{
	if (buf == NULL || len < M_HEAD) {
		return COSO_ETRUNC;
	}
	*rid = cosoi_get_u64(buf + M_RID);
	return COSO_OK;
}

/* a + b, or SIZE_MAX if it does not fit. */
static size_t
add_sat(size_t a, size_t b)
{
	return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

size_t
coso_msg_push_rep_item_size(size_t receipt_len, size_t nproof)
{
	size_t proof = nproof > SIZE_MAX / 32u ? SIZE_MAX : nproof * 32u;

	return add_sat(add_sat(PUSH_REP_ITEM_MIN, receipt_len), proof);
}

size_t
coso_msg_pull_rep_item_size(size_t cadre_len, size_t cs_len)
{
	return add_sat(add_sat(PULL_REP_ITEM_MIN, cadre_len), cs_len);
}

void
coso_msg_free(struct coso_msg *m)
{
	if (m != NULL) {
		free(m->items);
		free(m);
	}
}

/*
 * Encoding runs twice over the same code: first with buf NULL to check
 * the message and measure it, then into one buffer of that size.  A size
 * over max sets over instead of growing, so nothing can overflow.
 */
struct wr {
	uint8_t *buf;
	size_t pos;
	size_t max;
	int over;
};

static void
put(struct wr *w, const void *src, size_t n)
{
	if (w->over || n > w->max - w->pos) {
		w->over = 1;
		return;
	}
	if (w->buf != NULL && n > 0) {
		memcpy(w->buf + w->pos, src, n);
	}
	w->pos += n;
}

static void
put_u8(struct wr *w, uint8_t v)
{
	put(w, &v, 1);
}

static void
put_u16(struct wr *w, uint16_t v)
{
	uint8_t b[2] = {(uint8_t) (v >> 8), (uint8_t) v};

	put(w, b, 2);
}

static void
put_u32(struct wr *w, uint32_t v)
{
	uint8_t b[4];

	cosoi_put_u32(b, v);
	put(w, b, 4);
}

static void
put_u64(struct wr *w, uint64_t v)
{
	uint8_t b[8];

	cosoi_put_u64(b, v);
	put(w, b, 8);
}

static int
put_str(struct wr *w, const char s[static COSO_WIRE_STR_MAX + 1])
{
	const char *end = memchr(s, '\0', COSO_WIRE_STR_MAX + 1);
	size_t n;
	int rc;

	if (end == NULL) {
		return COSO_ETOOBIG;
	}
	n = (size_t) (end - s);
	if ((rc = check_text((const uint8_t *) s, n)) != COSO_OK) {
		return rc;
	}
	put_u16(w, (uint16_t) n);
	put(w, s, n);
	return COSO_OK;
}

static int
put_bytes(struct wr *w, const uint8_t *p, size_t n, size_t max)
{
	if (n > max) {
		return COSO_ETOOBIG;
	}
	if (n > 0 && p == NULL) {
		return COSO_EINVAL;
	}
	put_u32(w, (uint32_t) n);
	put(w, p, n);
	return COSO_OK;
}

/* The verdict, the receipt if any and its proof. */
static int
enc_push_rep_item(struct wr *w, const struct coso_msg_item *it)
{
	int with = has_receipt(it), rc;

	if (it->status < COSO_VERDICT_ACCEPTED
	    || it->status > COSO_VERDICT_REFUSED) {
		return COSO_ESCHEMA;
	}
	if (it->nproof > COSO_PROOF_MAX) {
		return COSO_ETOOBIG;
	}
	if (it->nproof > 0 && !with) {
		return COSO_ESCHEMA;
	}
	if (it->nproof > 0 && it->proof == NULL) {
		return COSO_EINVAL;
	}
	put_u8(w, it->status);
	put_u16(w, it->reason);
	put_u64(w, it->expected_seq);
	put(w, it->id, 32);
	/* A NULL receipt is none, whatever receipt_len says. */
	rc = put_bytes(
	    w, it->receipt, with ? it->receipt_len : 0, COSO_RECEIPT_MAX);
	put_u8(w, (uint8_t) it->nproof);
	put(w, it->proof, it->nproof * 32u);
	return rc;
}

static int
enc_item(struct wr *w, unsigned type, const struct coso_msg_item *it)
{
	int rc;

	switch (type) {
	case COSO_MSG_PUSH:
		return put_bytes(w, it->cs, it->cs_len, COSO_CS_MAX);
	case COSO_MSG_PUSH_REP:
		return enc_push_rep_item(w, it);
	default:
		assert(type == COSO_MSG_PULL_REP);
		if (!pulled_status_ok(it->status)) {
			return COSO_ESCHEMA;
		}
		put_u64(w, it->position);
		put_u8(w, it->status);
		put_u16(w, it->reason);
		if ((rc = put_str(w, it->cadre_id)) != COSO_OK) {
			return rc;
		}
		return put_bytes(w, it->cs, it->cs_len, COSO_CS_MAX);
	}
}

static int
enc_items(struct wr *w, const struct coso_msg *m)
{
	size_t i;
	int rc;

	if (m->nitems > COSO_WIRE_ITEMS_MAX) {
		return COSO_ETOOBIG;
	}
	if (m->nitems > 0 && m->items == NULL) {
		return COSO_EINVAL;
	}
	put_u16(w, (uint16_t) m->nitems);
	for (i = 0; i < m->nitems; i++) {
		if ((rc = enc_item(w, m->type, &m->items[i])) != COSO_OK) {
			return rc;
		}
	}
	return COSO_OK;
}

/* The checkpoint (a NULL one is none), then the items. */
static int
enc_push_rep(struct wr *w, const struct coso_msg *m)
{
	size_t len = m->checkpoint != NULL ? m->checkpoint_len : 0;

	if (len > COSO_NOTE_MAX) {
		return COSO_ETOOBIG;
	}
	if (m->nitems > 0 && m->items == NULL) {
		return COSO_EINVAL;
	}
	/* (An item count over the limit is refused by enc_items.) */
	if (m->nitems <= COSO_WIRE_ITEMS_MAX
	    && (len > 0) != (receipts_in(m) > 0)) {
		return COSO_ESCHEMA;
	}
	put_u32(w, (uint32_t) len);
	put(w, m->checkpoint, len);
	return enc_items(w, m);
}

/* The cursor, the more flag, the author keys, then the items. */
static int
enc_pull_rep(struct wr *w, const struct coso_msg *m)
{
	if (m->more > 1) {
		return COSO_ESCHEMA;
	}
	if (m->nkeys > COSO_WIRE_ITEMS_MAX) {
		return COSO_ETOOBIG;
	}
	if (m->nkeys > 0 && m->keys == NULL) {
		return COSO_EINVAL;
	}
	put_u64(w, m->cursor);
	put_u8(w, m->more);
	put_u16(w, (uint16_t) m->nkeys);
	put(w, m->keys, m->nkeys * COSO_PK_BYTES);
	return enc_items(w, m);
}

/* The sizes, and a PROOF_REP's proof, checked as dec_proof does. */
static int
enc_proof(struct wr *w, const struct coso_msg *m)
{
	if (m->from_size == 0 || m->from_size > m->to_size) {
		return COSO_ESCHEMA;
	}
	put_u64(w, m->from_size);
	put_u64(w, m->to_size);
	if (m->type == COSO_MSG_PROOF) {
		return COSO_OK;
	}
	if (m->nproof > COSO_PROOF_MAX) {
		return COSO_ETOOBIG;
	}
	if (m->nproof > 0 && m->proof == NULL) {
		return COSO_EINVAL;
	}
	put_u8(w, (uint8_t) m->nproof);
	put(w, m->proof, m->nproof * 32u);
	return COSO_OK;
}

static int
enc_body(struct wr *w, const struct coso_msg *m)
{
	switch (m->type) {
	case COSO_MSG_STATUS:
		put_u64(w, m->device_ms);
		put_u64(w, m->hlc);
		return COSO_OK;
	case COSO_MSG_STATUS_REP:
		if (m->enrolled > 1) {
			return COSO_ESCHEMA;
		}
		put_u64(w, m->central_ms);
		put_u8(w, m->enrolled);
		put_u64(w, m->next_seq);
		put_u32(w, m->max_message);
		return put_str(w, m->cadre_id);
	case COSO_MSG_ENROLL:
		put(w, m->token, 32);
		return put_str(w, m->cadre_id);
	case COSO_MSG_PULL:
		put_u64(w, m->cursor);
		put_u32(w, m->max_bytes);
		return COSO_OK;
	case COSO_MSG_PULL_REP:
		return enc_pull_rep(w, m);
	case COSO_MSG_PUSH:
		return enc_items(w, m);
	case COSO_MSG_PUSH_REP:
		return enc_push_rep(w, m);
	case COSO_MSG_PROOF:
	case COSO_MSG_PROOF_REP:
		return enc_proof(w, m);
	default: /* ENROLL_REP, ERROR */
		put_u32(w, m->code);
		return put_str(w, m->text);
	}
}

static int
enc_msg(struct wr *w, const struct coso_msg *m)
{
	if (!valid_type(m->type)) {
		return COSO_EINVAL;
	}
	put_u8(w, COSO_WIRE_VERSION);
	put_u8(w, (uint8_t) kind_of(m->type));
	put_u8(w, m->type);
	put_u64(w, m->request_id);
	return enc_body(w, m);
}

int
coso_msg_encode(
    const struct coso_msg *m, uint8_t **out, size_t *out_len, size_t max)
{
	struct wr w = {NULL, 0, max, 0};
	size_t size;
	int rc;

	assert(m != NULL && out != NULL && out_len != NULL);
	if ((rc = enc_msg(&w, m)) != COSO_OK) {
		return rc;
	}
	if (w.over) {
		return COSO_ETOOBIG;
	}
	size = w.pos;
	if ((w.buf = malloc(size)) == NULL) {
		return COSO_ENOMEM;
	}
	w.pos = 0;
	rc    = enc_msg(&w, m);
	assert(rc == COSO_OK && !w.over && w.pos == size);
	(void) rc;
	*out     = w.buf;
	*out_len = size;
	return COSO_OK;
}
