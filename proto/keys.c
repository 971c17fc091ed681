/*
 * keys.c: Ed25519 identities and their text key files (FORMAT.md,
 * "Key files").
 *
 * A secret key lives in sodium_malloc memory, read-only once built.  Every
 * temporary that holds a seed, a derived box key or a decoded secret blob
 * is wiped with sodium_memzero on every path out of the function that
 * owns it.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "proto_int.h"

struct coso_key {
	uint8_t sk[crypto_sign_SECRETKEYBYTES]; /* seed || pk */
	uint8_t pk[COSO_PK_BYTES];
	uint8_t id[COSO_KEYID_BYTES]; /* SHA-256(pk) */
};

#define SEED_BYTES 32u
#define TAG_LEN    16u /* "coso public key " / "coso secret key " */
#define HEX_LEN    (2u * COSO_SHORTID_BYTES)
#define MAGIC_LEN  4u
#define B64_LEN(n) \
	(sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL) - 1u)
#define FILE_LEN(n) (TAG_LEN + HEX_LEN + 1u + B64_LEN(n) + 1u)

/* Public blob: "CPK1" | shortid[8] | pk[32]. */
#define PUB_BLOB 44u
#define PUB_PK   12u

/*
 * Secret blob: "CSK1" | shortid[8] | kdf | reserved[3] | opslimit u64 |
 * memlimit u64 | salt[16] | nonce[24] | sealed[48] | checksum[8].
 */
#define SEC_BLOB       128u
#define SEC_SHORTID    4u
#define SEC_KDF        12u
#define SEC_RESERVED   13u
#define SEC_OPS        16u
#define SEC_MEM        24u
#define SEC_SALT       32u
#define SEC_NONCE      48u
#define SEC_SEALED     72u
#define SEC_SEALED_LEN (SEED_BYTES + crypto_secretbox_MACBYTES)
#define SEC_CHECK      120u
#define CHECK_LEN      8u

#define KDF_CLEAR      0u
#define KDF_ARGON2ID13 1u

/* Limits written, and the range accepted, for an encrypted file. */
#define OPS_WRITE crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE
#define MEM_WRITE crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE
#define OPS_MIN   crypto_pwhash_argon2id_OPSLIMIT_MIN
#define OPS_MAX   crypto_pwhash_argon2id_OPSLIMIT_SENSITIVE
#define MEM_MIN   crypto_pwhash_argon2id_MEMLIMIT_MIN
#define MEM_MAX   crypto_pwhash_argon2id_MEMLIMIT_SENSITIVE

_Static_assert(
    SEC_SALT + crypto_pwhash_argon2id_SALTBYTES == SEC_NONCE, "salt size");
_Static_assert(
    SEC_NONCE + crypto_secretbox_NONCEBYTES == SEC_SEALED, "nonce size");
_Static_assert(SEC_SEALED + SEC_SEALED_LEN == SEC_CHECK, "sealed size");
_Static_assert(SEC_CHECK + CHECK_LEN == SEC_BLOB, "secret blob size");
_Static_assert(PUB_PK + COSO_PK_BYTES == PUB_BLOB, "public blob size");
_Static_assert(FILE_LEN(PUB_BLOB) <= COSO_PUBFILE_MAX, "public file size");
_Static_assert(FILE_LEN(SEC_BLOB) <= COSO_SECFILE_MAX, "secret file size");
_Static_assert(MEM_MAX <= SIZE_MAX, "memlimit fits size_t");

/* The two kinds of key file. */
struct kind {
	const char *tag;       /* first TAG_LEN bytes of the file */
	const char *other_tag; /* the other kind's: COSO_EKEYTYPE */
	const char *magic;     /* first MAGIC_LEN bytes of the blob */
	size_t blob_len;
	size_t file_len;
};

static const struct kind pub_kind = {
    .tag       = "coso public key ",
    .other_tag = "coso secret key ",
    .magic     = "CPK1",
    .blob_len  = PUB_BLOB,
    .file_len  = FILE_LEN(PUB_BLOB),
};

static const struct kind sec_kind = {
    .tag       = "coso secret key ",
    .other_tag = "coso public key ",
    .magic     = "CSK1",
    .blob_len  = SEC_BLOB,
    .file_len  = FILE_LEN(SEC_BLOB),
};

/* COSO_OK once libsodium is initialised; sodium_init is idempotent. */
static int
crypto_ready(void)
{
	return sodium_init() < 0 ? COSO_ECRYPTO : COSO_OK;
}

int
coso_key_from_seed(struct coso_key **out, const uint8_t seed[static 32])
{
	struct coso_key *k;
	int rc;

	assert(out != NULL && seed != NULL);
	if ((rc = crypto_ready()) != COSO_OK) {
		return rc;
	}
	if ((k = sodium_malloc(sizeof(*k))) == NULL) {
		return COSO_ENOMEM;
	}
	if (crypto_sign_seed_keypair(k->pk, k->sk, seed) != 0) {
		sodium_free(k);
		return COSO_ECRYPTO;
	}
	coso_keyid_of(k->id, k->pk);
	(void) sodium_mprotect_readonly(k);
	*out = k;
	return COSO_OK;
}

int
coso_key_generate(struct coso_key **out)
{
	uint8_t seed[SEED_BYTES];
	int rc;

	assert(out != NULL);
	if ((rc = crypto_ready()) != COSO_OK) {
		return rc;
	}
	randombytes_buf(seed, sizeof(seed));
	rc = coso_key_from_seed(out, seed);
	sodium_memzero(seed, sizeof(seed));
	return rc;
}

void
coso_key_free(struct coso_key *key)
{
	/* sodium_free makes the pages writable and wipes them. */
	sodium_free(key);
}

void
coso_key_public(const struct coso_key *key, uint8_t pk[static 32])
{
	assert(key != NULL && pk != NULL);
	memcpy(pk, key->pk, COSO_PK_BYTES);
}

void
coso_key_id(const struct coso_key *key, uint8_t id[static 32])
{
	assert(key != NULL && id != NULL);
	memcpy(id, key->id, COSO_KEYID_BYTES);
}

void
coso_key_sign(const struct coso_key *key, uint8_t sig[static 64],
    const uint8_t *msg, size_t len)
{
	assert(key != NULL && sig != NULL && (msg != NULL || len == 0));
	/* Cannot fail for a valid secret key; the result is always set. */
	(void) crypto_sign_detached(sig, NULL, msg, len, key->sk);
}

/*
 * Writes the two-line text of a blob whose short id is at offset 4 into a
 * malloc'd string *out.  The blob stays the caller's to wipe.
 */
static int
encode_file(char **out, const struct kind *k, const uint8_t *blob)
{
	const size_t b64_len = k->file_len - TAG_LEN - HEX_LEN - 2u;
	char *s, *p;

	if ((s = malloc(k->file_len + 1u)) == NULL) {
		return COSO_ENOMEM;
	}
	memcpy(s, k->tag, TAG_LEN);
	p = s + TAG_LEN;
	sodium_bin2hex(p, HEX_LEN + 1u, blob + MAGIC_LEN, COSO_SHORTID_BYTES);
	p += HEX_LEN;
	*p++ = '\n';
	sodium_bin2base64(p, b64_len + 1u, blob, k->blob_len,
	    sodium_base64_VARIANT_ORIGINAL);
	p += b64_len;
	*p++ = '\n';
	*p   = '\0';
	*out = s;
	return COSO_OK;
}

/* Decodes 16 lowercase hex digits; -1 on anything else. */
static int
hex_decode(uint8_t out[static COSO_SHORTID_BYTES], const char *hex)
{
	for (size_t i = 0; i < HEX_LEN; i++) {
		unsigned c = (unsigned char) hex[i], v;

		if (c >= '0' && c <= '9') {
			v = c - '0';
		} else if (c >= 'a' && c <= 'f') {
			v = c - 'a' + 10u;
		} else {
			return -1;
		}
		out[i / 2] = (uint8_t) ((i % 2) ? (out[i / 2] | v) : (v << 4));
	}
	return 0;
}

/*
 * Decodes canonical base64 of exactly n bytes: every character consumed,
 * padding present, unused bits zero (checked by re-encoding).
 */
static int
b64_decode(uint8_t *blob, size_t n, const char *b64, size_t b64_len)
{
	char again[B64_LEN(SEC_BLOB) + 1u];
	const char *end = NULL;
	size_t got      = 0;
	int rc          = COSO_EKEYFILE;

	assert(n <= SEC_BLOB);
	if (sodium_base642bin(blob, n, b64, b64_len, NULL, &got, &end,
	        sodium_base64_VARIANT_ORIGINAL)
	        != 0
	    || got != n || end != b64 + b64_len || b64_len != B64_LEN(n)) {
		return COSO_EKEYFILE;
	}
	sodium_bin2base64(
	    again, sizeof(again), blob, n, sodium_base64_VARIANT_ORIGINAL);
	if (memcmp(again, b64, b64_len) == 0) {
		rc = COSO_OK;
	}
	sodium_memzero(again, sizeof(again));
	return rc;
}

/*
 * Splits and checks a key file of kind k: exact length and line structure,
 * tag, canonical base64, blob magic, tag short id equal to the blob's.
 * Fills blob (k->blob_len bytes), which the caller wipes on every path.
 */
static int
decode_file(const struct kind *k, uint8_t *blob, const char *text, size_t len)
{
	const size_t b64_off = TAG_LEN + HEX_LEN + 1u;
	uint8_t tag_id[COSO_SHORTID_BYTES];
	int rc;

	assert(text != NULL || len == 0);
	if (len >= TAG_LEN && memcmp(text, k->other_tag, TAG_LEN) == 0) {
		return COSO_EKEYTYPE;
	}
	if (len != k->file_len || memcmp(text, k->tag, TAG_LEN) != 0
	    || hex_decode(tag_id, text + TAG_LEN) != 0
	    || text[b64_off - 1] != '\n' || text[len - 1] != '\n') {
		return COSO_EKEYFILE;
	}
	rc = b64_decode(blob, k->blob_len, text + b64_off, len - b64_off - 1u);
	if (rc != COSO_OK) {
		return rc;
	}
	if (memcmp(blob, k->magic, MAGIC_LEN) != 0
	    || memcmp(blob + MAGIC_LEN, tag_id, COSO_SHORTID_BYTES) != 0) {
		return COSO_EKEYFILE;
	}
	return COSO_OK;
}

int
coso_pubkey_format(char **out, const uint8_t pk[static 32])
{
	uint8_t blob[PUB_BLOB], id[COSO_KEYID_BYTES];

	assert(out != NULL && pk != NULL);
	if (crypto_core_ed25519_is_valid_point(pk) != 1) {
		return COSO_EINVAL;
	}
	coso_keyid_of(id, pk);
	memcpy(blob, pub_kind.magic, MAGIC_LEN);
	memcpy(blob + MAGIC_LEN, id, COSO_SHORTID_BYTES);
	memcpy(blob + PUB_PK, pk, COSO_PK_BYTES);
	return encode_file(out, &pub_kind, blob);
}

int
coso_pubkey_parse(uint8_t pk[static 32], const char *text, size_t len)
{
	uint8_t blob[PUB_BLOB], id[COSO_KEYID_BYTES];
	const uint8_t *key = blob + PUB_PK;
	int rc;

	assert(pk != NULL);
	if ((rc = decode_file(&pub_kind, blob, text, len)) != COSO_OK) {
		return rc;
	}
	coso_keyid_of(id, key);
	if (memcmp(id, blob + MAGIC_LEN, COSO_SHORTID_BYTES) != 0
	    || crypto_core_ed25519_is_valid_point(key) != 1) {
		return COSO_EKEYFILE;
	}
	memcpy(pk, key, COSO_PK_BYTES);
	return COSO_OK;
}

/* The first 8 bytes of SHA-256 over the blob before its checksum. */
static void
blob_checksum(uint8_t sum[static CHECK_LEN], const uint8_t *blob)
{
	uint8_t h[COSO_HASH_BYTES];

	coso_sha256(h, blob, SEC_CHECK);
	memcpy(sum, h, CHECK_LEN);
	sodium_memzero(h, sizeof(h));
}

/* Derives the secretbox key for an encrypted blob (Argon2id v1.3). */
static int
derive_box_key(uint8_t bk[static crypto_secretbox_KEYBYTES],
    const uint8_t *blob, const char *pass, size_t passlen)
{
	uint64_t ops = cosoi_get_u64(blob + SEC_OPS);
	uint64_t mem = cosoi_get_u64(blob + SEC_MEM);

	if (passlen > crypto_pwhash_argon2id_PASSWD_MAX) {
		return COSO_EINVAL;
	}
	if (crypto_pwhash(bk, crypto_secretbox_KEYBYTES, pass, passlen,
	        blob + SEC_SALT, ops, (size_t) mem,
	        crypto_pwhash_ALG_ARGON2ID13)
	    != 0) {
		/* The only runtime cause with checked limits. */
		return COSO_ENOMEM;
	}
	return COSO_OK;
}

/* Fills the kdf fields of blob and seals the key's seed under pass. */
static int
seal_seed(uint8_t *blob, const struct coso_key *key, const char *pass,
    size_t passlen)
{
	uint8_t bk[crypto_secretbox_KEYBYTES];
	int rc;

	blob[SEC_KDF] = KDF_ARGON2ID13;
	cosoi_put_u64(blob + SEC_OPS, OPS_WRITE);
	cosoi_put_u64(blob + SEC_MEM, MEM_WRITE);
	randombytes_buf(blob + SEC_SALT, crypto_pwhash_argon2id_SALTBYTES);
	randombytes_buf(blob + SEC_NONCE, crypto_secretbox_NONCEBYTES);
	if ((rc = derive_box_key(bk, blob, pass, passlen)) == COSO_OK
	    && crypto_secretbox_easy(blob + SEC_SEALED, key->sk, SEED_BYTES,
	           blob + SEC_NONCE, bk)
	        != 0) {
		rc = COSO_ECRYPTO;
	}
	sodium_memzero(bk, sizeof(bk));
	return rc;
}

int
coso_seckey_format(char **out, const struct coso_key *key,
    const char *passphrase, size_t passlen)
{
	uint8_t blob[SEC_BLOB] = {0};
	int rc;

	assert(out != NULL && key != NULL);
	if (passphrase != NULL && passlen == 0) {
		return COSO_EINVAL; /* it would look sealed and seal nothing */
	}
	if ((rc = crypto_ready()) != COSO_OK) {
		return rc;
	}
	memcpy(blob, sec_kind.magic, MAGIC_LEN);
	memcpy(blob + SEC_SHORTID, key->id, COSO_SHORTID_BYTES);
	if (passphrase != NULL) {
		rc = seal_seed(blob, key, passphrase, passlen);
		if (rc != COSO_OK) {
			goto out;
		}
	} else {
		memcpy(blob + SEC_SEALED, key->sk, SEED_BYTES);
	}
	blob_checksum(blob + SEC_CHECK, blob);
	rc = encode_file(out, &sec_kind, blob);
out:
	sodium_memzero(blob, sizeof(blob));
	return rc;
}

/* Checks the kdf-specific fields; no work depends on untrusted limits. */
static int
check_kdf(const uint8_t *blob)
{
	uint64_t ops = cosoi_get_u64(blob + SEC_OPS);
	uint64_t mem = cosoi_get_u64(blob + SEC_MEM);

	switch (blob[SEC_KDF]) {
	case KDF_CLEAR:
		/* Everything but the seed is zero. */
		if (!sodium_is_zero(blob + SEC_OPS, SEC_SEALED - SEC_OPS)
		    || !sodium_is_zero(blob + SEC_SEALED + SEED_BYTES,
		        SEC_SEALED_LEN - SEED_BYTES)) {
			return COSO_EKEYFILE;
		}
		return COSO_OK;
	case KDF_ARGON2ID13:
		if (ops < OPS_MIN || ops > OPS_MAX || mem < MEM_MIN
		    || mem > MEM_MAX) {
			return COSO_EKEYFILE;
		}
		return COSO_OK;
	default:
		return COSO_EKEYFILE;
	}
}

/*
 * Decodes a secret key file and checks everything that can be checked
 * without the passphrase.  blob is the caller's to wipe.
 */
static int
decode_secret(uint8_t blob[static SEC_BLOB], const char *text, size_t len)
{
	uint8_t sum[CHECK_LEN];
	int rc;

	if ((rc = decode_file(&sec_kind, blob, text, len)) != COSO_OK) {
		return rc;
	}
	blob_checksum(sum, blob);
	if (memcmp(sum, blob + SEC_CHECK, CHECK_LEN) != 0
	    || !sodium_is_zero(blob + SEC_RESERVED, SEC_OPS - SEC_RESERVED)) {
		return COSO_EKEYFILE;
	}
	return check_kdf(blob);
}

/* Recovers the seed from a checked blob. */
static int
unlock_seed(uint8_t seed[static SEED_BYTES], const uint8_t *blob,
    const char *pass, size_t passlen)
{
	uint8_t bk[crypto_secretbox_KEYBYTES];
	int rc;

	if (blob[SEC_KDF] == KDF_CLEAR) {
		memcpy(seed, blob + SEC_SEALED, SEED_BYTES);
		return COSO_OK;
	}
	if (pass == NULL) {
		return COSO_ENEEDPASS;
	}
	if ((rc = derive_box_key(bk, blob, pass, passlen)) == COSO_OK
	    && crypto_secretbox_open_easy(seed, blob + SEC_SEALED,
	           SEC_SEALED_LEN, blob + SEC_NONCE, bk)
	        != 0) {
		rc = COSO_EPASSWORD;
	}
	sodium_memzero(bk, sizeof(bk));
	return rc;
}

int
coso_seckey_is_encrypted(const char *text, size_t len)
{
	uint8_t blob[SEC_BLOB];
	int rc;

	if ((rc = decode_secret(blob, text, len)) == COSO_OK) {
		rc = blob[SEC_KDF] == KDF_ARGON2ID13;
	} else {
		rc = -rc;
	}
	sodium_memzero(blob, sizeof(blob));
	return rc;
}

int
coso_seckey_parse(struct coso_key **out, const char *text, size_t len,
    const char *passphrase, size_t passlen)
{
	uint8_t blob[SEC_BLOB], seed[SEED_BYTES];
	struct coso_key *k = NULL;
	int rc;

	assert(out != NULL);
	if ((rc = crypto_ready()) != COSO_OK
	    || (rc = decode_secret(blob, text, len)) != COSO_OK
	    || (rc = unlock_seed(seed, blob, passphrase, passlen)) != COSO_OK
	    || (rc = coso_key_from_seed(&k, seed)) != COSO_OK) {
		goto out;
	}
	/* The tag's short id already equals the blob's. */
	if (memcmp(k->id, blob + SEC_SHORTID, COSO_SHORTID_BYTES) != 0) {
		rc = COSO_EKEYFILE;
		goto out;
	}
	*out = k;
	k    = NULL;
out:
	coso_key_free(k);
	sodium_memzero(seed, sizeof(seed));
	sodium_memzero(blob, sizeof(blob));
	return rc;
}

int
cosoi_key_x25519(const struct coso_key *k, uint8_t x_sk[static 32])
{
	assert(k != NULL && x_sk != NULL);
	if (crypto_sign_ed25519_sk_to_curve25519(x_sk, k->sk) != 0) {
		return COSO_ECRYPTO;
	}
	return COSO_OK;
}
