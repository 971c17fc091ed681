/*
 * test_keys.c: keys and key files (proto/keys.c, FORMAT.md "Key files").
 *
 * Golden vectors come from RFC 8032 §7.1 test 1 and from an independent
 * encoding of the file format (Python hashlib/base64), not from keys.c.
 * Encrypted files are few: the mutation loops run on files whose checksum
 * fails before Argon2 could run, and crafted encrypted files use the
 * minimum Argon2id limits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include <coso/proto.h>

#define PASS "mật khẩu Lạng Sơn"

static const char rfc_seed_hex[]
    = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
static const char rfc_pk_hex[]
    = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
static const char rfc_id_hex[]
    = "21fe31dfa154a261626bf854046fd2271b7bed4b6abe45aa58877ef47f9721b9";
static const char rfc_sig_hex[]
    = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
      "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

static const char golden_pub[]
    = "coso public key 21fe31dfa154a261\n"
      "Q1BLMSH+Md+hVKJh11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n";

static const char golden_sec[]
    = "coso secret key 21fe31dfa154a261\n"
      "Q1NLMSH+Md+hVKJhAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
      "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAnWGxne/9WmC6hEr0kuwsxERJxWl7MmkZ"
      "cDusAxyuf2AAAAAAAAAAAAAAAAAAAAAANYesF9HKnSo=\n";

/* Secret blob offsets, restated from FORMAT.md to test the format. */
enum {
	SEC_BLOB   = 128,
	SEC_KDF    = 12,
	SEC_RES    = 13,
	SEC_OPS    = 16,
	SEC_MEM    = 24,
	SEC_SALT   = 32,
	SEC_NONCE  = 48,
	SEC_SEALED = 72,
	SEC_CHECK  = 120,
	PUB_BLOB   = 44,
	TAG_LINE   = 33,
};

static void
unhex(uint8_t *out, size_t n, const char *hex)
{
	size_t got = 0;

	assert_int_equal(
	    sodium_hex2bin(out, n, hex, strlen(hex), NULL, &got, NULL), 0);
	assert_int_equal(got, n);
}

static struct coso_key *
rfc_key(void)
{
	uint8_t seed[32];
	struct coso_key *k = NULL;

	unhex(seed, sizeof(seed), rfc_seed_hex);
	assert_int_equal(coso_key_from_seed(&k, seed), COSO_OK);
	assert_non_null(k);
	return k;
}

/* The base64 line of a key file, decoded into blob (n bytes). */
static void
file_blob(uint8_t *blob, size_t n, const char *text)
{
	size_t got      = 0;
	const char *b64 = text + TAG_LINE;

	assert_int_equal(sodium_base642bin(blob, n, b64, strlen(b64) - 1, NULL,
	                     &got, NULL, sodium_base64_VARIANT_ORIGINAL),
	    0);
	assert_int_equal(got, n);
}

/* Recomputes a secret blob's checksum after a deliberate change. */
static void
rechecksum(uint8_t blob[SEC_BLOB])
{
	uint8_t h[32];

	crypto_hash_sha256(h, blob, SEC_CHECK);
	memcpy(blob + SEC_CHECK, h, 8);
}

/* A key file text for blob under tag ("public"/"secret"), malloc'd. */
static char *
blob_file(const char *tag, const uint8_t *blob, size_t n)
{
	char *s = malloc(256);
	char hex[17], b64[200];

	assert_non_null(s);
	sodium_bin2hex(hex, sizeof(hex), blob + 4, 8);
	sodium_bin2base64(
	    b64, sizeof(b64), blob, n, sodium_base64_VARIANT_ORIGINAL);
	snprintf(s, 256, "coso %s key %s\n%s\n", tag, hex, b64);
	return s;
}

static void
put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8) {
		p[i] = (uint8_t) v;
	}
}

/* Parses a secret file, returning the error code; frees any key. */
static int
sec_rc(const char *text, size_t len, const char *pass)
{
	struct coso_key *k = NULL;
	int rc
	    = coso_seckey_parse(&k, text, len, pass, pass ? strlen(pass) : 0);

	if (rc != COSO_OK) {
		assert_null(k);
	}
	coso_key_free(k);
	return rc;
}

/* Asserts two keys have the same pk, id and signature over a message. */
static void
assert_same_key(const struct coso_key *a, const struct coso_key *b)
{
	static const uint8_t msg[] = "coso/test\0visit 42";
	uint8_t pa[32], pb[32], ia[32], ib[32], sa[64], sb[64];

	coso_key_public(a, pa);
	coso_key_public(b, pb);
	assert_memory_equal(pa, pb, 32);
	coso_key_id(a, ia);
	coso_key_id(b, ib);
	assert_memory_equal(ia, ib, 32);
	coso_key_sign(a, sa, msg, sizeof(msg));
	coso_key_sign(b, sb, msg, sizeof(msg));
	assert_memory_equal(sa, sb, 64);
	assert_int_equal(
	    crypto_sign_verify_detached(sa, msg, sizeof(msg), pa), 0);
}

static void
test_rfc8032_seed(void **state)
{
	struct coso_key *k = rfc_key();
	uint8_t pk[32], id[32], sig[64], want[64];

	(void) state;
	coso_key_public(k, pk);
	unhex(want, 32, rfc_pk_hex);
	assert_memory_equal(pk, want, 32);
	coso_key_id(k, id);
	unhex(want, 32, rfc_id_hex);
	assert_memory_equal(id, want, 32);
	coso_keyid_of(id, pk);
	assert_memory_equal(id, want, 32);
	coso_key_sign(k, sig, NULL, 0);
	unhex(want, 64, rfc_sig_hex);
	assert_memory_equal(sig, want, 64);
	coso_key_free(k);
}

static void
test_golden_public(void **state)
{
	uint8_t pk[32], want[32];
	char *text = NULL;

	(void) state;
	unhex(want, 32, rfc_pk_hex);
	assert_int_equal(coso_pubkey_format(&text, want), COSO_OK);
	assert_string_equal(text, golden_pub);
	assert_int_equal(strlen(text), 94);
	assert_true(strlen(text) <= COSO_PUBFILE_MAX);
	assert_int_equal(
	    coso_pubkey_parse(pk, golden_pub, strlen(golden_pub)), COSO_OK);
	assert_memory_equal(pk, want, 32);
	free(text);
}

static void
test_golden_secret_clear(void **state)
{
	struct coso_key *k = rfc_key(), *p = NULL;
	char *text = NULL;

	(void) state;
	assert_int_equal(coso_seckey_format(&text, k, NULL, 0), COSO_OK);
	assert_string_equal(text, golden_sec);
	assert_int_equal(strlen(text), 206);
	assert_true(strlen(text) <= COSO_SECFILE_MAX);
	assert_int_equal(
	    coso_seckey_is_encrypted(golden_sec, strlen(golden_sec)), 0);
	assert_int_equal(
	    coso_seckey_parse(&p, golden_sec, strlen(golden_sec), NULL, 0),
	    COSO_OK);
	assert_same_key(k, p);
	coso_key_free(p);
	/* A passphrase given for a clear file is not needed, not refused. */
	assert_int_equal(
	    sec_rc(golden_sec, strlen(golden_sec), PASS), COSO_OK);
	coso_key_free(k);
	free(text);
}

static void
test_roundtrip_public(void **state)
{
	struct coso_key *k = NULL;
	uint8_t pk[32], got[32];
	char *text = NULL;

	(void) state;
	assert_int_equal(coso_key_generate(&k), COSO_OK);
	coso_key_public(k, pk);
	assert_int_equal(coso_pubkey_format(&text, pk), COSO_OK);
	assert_int_equal(strlen(text), 94);
	assert_memory_equal(text, "coso public key ", 16);
	assert_int_equal(coso_pubkey_parse(got, text, strlen(text)), COSO_OK);
	assert_memory_equal(got, pk, 32);
	coso_key_free(k);
	free(text);
}

static void
test_roundtrip_clear(void **state)
{
	struct coso_key *k = NULL, *p = NULL, *other = NULL;
	uint8_t a[32], b[32];
	char *text = NULL;

	(void) state;
	assert_int_equal(coso_key_generate(&k), COSO_OK);
	assert_int_equal(coso_key_generate(&other), COSO_OK);
	coso_key_public(k, a);
	coso_key_public(other, b);
	assert_memory_not_equal(a, b, 32);
	assert_int_equal(coso_seckey_format(&text, k, NULL, 0), COSO_OK);
	assert_int_equal(strlen(text), 206);
	assert_int_equal(coso_seckey_is_encrypted(text, strlen(text)), 0);
	assert_int_equal(
	    coso_seckey_parse(&p, text, strlen(text), NULL, 0), COSO_OK);
	assert_same_key(k, p);
	coso_key_free(k);
	coso_key_free(p);
	coso_key_free(other);
	free(text);
}

static void
test_roundtrip_encrypted(void **state)
{
	struct coso_key *k = NULL, *p = NULL;
	uint8_t blob[SEC_BLOB];
	char *text = NULL;
	size_t len;

	(void) state;
	assert_int_equal(coso_key_generate(&k), COSO_OK);
	assert_int_equal(
	    coso_seckey_format(&text, k, PASS, strlen(PASS)), COSO_OK);
	len = strlen(text);
	assert_int_equal(len, 206);
	file_blob(blob, SEC_BLOB, text);
	assert_int_equal(blob[SEC_KDF], 1);
	assert_true(sodium_is_zero(blob + SEC_RES, 3));
	assert_memory_equal(blob + SEC_OPS, "\0\0\0\0\0\0\0\2", 8);
	assert_memory_equal(blob + SEC_MEM, "\0\0\0\0\4\0\0\0", 8);
	assert_int_equal(coso_seckey_is_encrypted(text, len), 1);
	assert_int_equal(
	    coso_seckey_parse(&p, text, len, PASS, strlen(PASS)), COSO_OK);
	assert_same_key(k, p);
	assert_int_equal(
	    sec_rc(text, len, "mat khau Lang Son"), COSO_EPASSWORD);
	assert_int_equal(sec_rc(text, len, NULL), COSO_ENEEDPASS);
	free(text);
	/* An empty passphrase would give a file that says "encrypted" and
	 * opens for anyone: refused, nothing written. */
	text = NULL;
	assert_int_equal(coso_seckey_format(&text, k, "", 0), COSO_EINVAL);
	assert_null(text);
	coso_key_free(k);
	coso_key_free(p);
}

static void
test_key_type(void **state)
{
	uint8_t pk[32];
	char *enc          = NULL;
	struct coso_key *k = rfc_key();

	(void) state;
	assert_int_equal(
	    sec_rc(golden_pub, strlen(golden_pub), NULL), COSO_EKEYTYPE);
	assert_int_equal(
	    sec_rc(golden_pub, strlen(golden_pub), PASS), COSO_EKEYTYPE);
	assert_int_equal(coso_pubkey_parse(pk, golden_sec, strlen(golden_sec)),
	    COSO_EKEYTYPE);
	assert_int_equal(
	    coso_seckey_is_encrypted(golden_pub, strlen(golden_pub)),
	    -COSO_EKEYTYPE);
	assert_int_equal(
	    coso_seckey_is_encrypted("hello\n", 6), -COSO_EKEYFILE);
	assert_int_equal(coso_seckey_is_encrypted("", 0), -COSO_EKEYFILE);
	assert_int_equal(coso_pubkey_parse(pk, "", 0), COSO_EKEYFILE);
	assert_int_equal(sec_rc("", 0, NULL), COSO_EKEYFILE);
	assert_int_equal(
	    coso_seckey_format(&enc, k, "x", 1), COSO_OK); /* one Argon2 */
	assert_int_equal(
	    coso_pubkey_parse(pk, enc, strlen(enc)), COSO_EKEYTYPE);
	coso_key_free(k);
	free(enc);
}

/*
 * Replaces each byte of text with each other byte value; every result
 * must be refused with COSO_EKEYFILE.  Returns the number of variants.
 */
static size_t
mutate_all(const char *text, int secret, const char *pass)
{
	size_t len = strlen(text), n = 0;
	char *buf = malloc(len);
	uint8_t pk[32], sentinel[32];

	assert_non_null(buf);
	memset(sentinel, 0xa5, sizeof(sentinel));
	for (size_t i = 0; i < len; i++) {
		for (int c = 0; c < 256; c++) {
			if (c == (unsigned char) text[i]) {
				continue;
			}
			memcpy(buf, text, len);
			buf[i] = (char) c;
			n++;
			if (secret) {
				assert_int_equal(
				    sec_rc(buf, len, pass), COSO_EKEYFILE);
				assert_int_equal(
				    coso_seckey_is_encrypted(buf, len),
				    -COSO_EKEYFILE);
				continue;
			}
			memcpy(pk, sentinel, 32);
			assert_int_equal(
			    coso_pubkey_parse(pk, buf, len), COSO_EKEYFILE);
			assert_memory_equal(pk, sentinel, 32);
		}
	}
	free(buf);
	return n;
}

static void
test_mutations(void **state)
{
	struct coso_key *k = rfc_key();
	char *enc          = NULL;

	(void) state;
	assert_int_equal(mutate_all(golden_pub, 0, NULL), 94u * 255u);
	assert_int_equal(mutate_all(golden_sec, 1, NULL), 206u * 255u);
	/* With the right passphrase: the checksum stops all before Argon2. */
	assert_int_equal(
	    coso_seckey_format(&enc, k, PASS, strlen(PASS)), COSO_OK);
	assert_int_equal(mutate_all(enc, 1, PASS), 206u * 255u);
	coso_key_free(k);
	free(enc);
}

/* Every proper prefix, in an exact-size buffer so ASan sees overreads. */
static void
truncate_all(const char *text, int secret)
{
	size_t len = strlen(text);
	uint8_t pk[32];

	for (size_t n = 0; n < len; n++) {
		char *buf = malloc(n ? n : 1);

		assert_non_null(buf);
		memcpy(buf, text, n);
		if (secret) {
			assert_int_equal(sec_rc(buf, n, NULL), COSO_EKEYFILE);
			assert_int_equal(
			    coso_seckey_is_encrypted(buf, n), -COSO_EKEYFILE);
		} else {
			assert_int_equal(
			    coso_pubkey_parse(pk, buf, n), COSO_EKEYFILE);
		}
		free(buf);
	}
}

static void
test_truncations(void **state)
{
	(void) state;
	truncate_all(golden_pub, 0);
	truncate_all(golden_sec, 1);
}

/* Parses text with a suffix appended or its newlines turned into CRLF. */
static int
parse_variant(const char *text, int secret, const char *suffix, int crlf)
{
	char buf[600];
	size_t n = 0;
	uint8_t pk[32];

	for (const char *p = text; *p != '\0'; p++) {
		if (crlf && *p == '\n') {
			buf[n++] = '\r';
		}
		buf[n++] = *p;
	}
	memcpy(buf + n, suffix, strlen(suffix) + 1);
	n += strlen(suffix);
	if (secret) {
		return sec_rc(buf, n, NULL);
	}
	return coso_pubkey_parse(pk, buf, n);
}

static void
test_trailing_and_crlf(void **state)
{
	static const char *const suffixes[] = {"\n", " ", "x", "=", "\r"};
	uint8_t pk[32];

	(void) state;
	for (int s = 0; s < 2; s++) {
		const char *text = s ? golden_sec : golden_pub;

		for (size_t i = 0; i < 5; i++) {
			assert_int_equal(
			    parse_variant(text, s, suffixes[i], 0),
			    COSO_EKEYFILE);
		}
		assert_int_equal(parse_variant(text, s, "", 1), COSO_EKEYFILE);
		assert_int_equal(parse_variant(text, s, "", 0), COSO_OK);
	}
	/* A NUL after the text is a trailing byte too. */
	assert_int_equal(coso_pubkey_parse(pk, golden_pub, sizeof(golden_pub)),
	    COSO_EKEYFILE);
	assert_int_equal(
	    sec_rc(golden_sec, sizeof(golden_sec), NULL), COSO_EKEYFILE);
	/* Too long for its kind, whatever it holds. */
	{
		char big[COSO_SECFILE_MAX + 2];

		memset(big, 'A', sizeof(big));
		memcpy(big, golden_sec, strlen(golden_sec));
		assert_int_equal(
		    sec_rc(big, sizeof(big), NULL), COSO_EKEYFILE);
		memcpy(big, golden_pub, strlen(golden_pub));
		assert_int_equal(
		    coso_pubkey_parse(pk, big, sizeof(big)), COSO_EKEYFILE);
	}
}

/*
 * An encrypted blob written by the test itself, with chosen limits and
 * seed sealed under pass, labelled with the short id of id_pk.
 */
static void
make_encrypted(uint8_t blob[SEC_BLOB], const uint8_t seed[32],
    const uint8_t id_pk[32], uint64_t ops, uint64_t mem, const char *pass)
{
	uint8_t id[32], bk[32];

	memset(blob, 0, SEC_BLOB);
	memcpy(blob, "CSK1", 4);
	crypto_hash_sha256(id, id_pk, 32);
	memcpy(blob + 4, id, 8);
	blob[SEC_KDF] = 1;
	put_u64(blob + SEC_OPS, ops);
	put_u64(blob + SEC_MEM, mem);
	randombytes_buf(blob + SEC_SALT, 16);
	randombytes_buf(blob + SEC_NONCE, 24);
	assert_int_equal(
	    crypto_pwhash(bk, 32, pass, strlen(pass), blob + SEC_SALT, ops,
	        (size_t) mem, crypto_pwhash_ALG_ARGON2ID13),
	    0);
	assert_int_equal(crypto_secretbox_easy(blob + SEC_SEALED, seed, 32,
	                     blob + SEC_NONCE, bk),
	    0);
	rechecksum(blob);
}

static int
blob_rc(const uint8_t blob[SEC_BLOB], const char *pass)
{
	char *text = blob_file("secret", blob, SEC_BLOB);
	int rc     = sec_rc(text, strlen(text), pass);

	free(text);
	return rc;
}

static void
test_hostile_limits(void **state)
{
	static const uint64_t bad_ops[]
	    = {0, crypto_pwhash_OPSLIMIT_SENSITIVE + 1, UINT64_C(1) << 32,
	        UINT64_MAX};
	static const uint64_t bad_mem[] = {0, crypto_pwhash_MEMLIMIT_MIN - 1,
	    crypto_pwhash_MEMLIMIT_SENSITIVE + 1, UINT64_C(1) << 42,
	    UINT64_MAX};
	uint8_t seed[32], pk[32], blob[SEC_BLOB], base[SEC_BLOB];
	char *text;

	(void) state;
	unhex(seed, 32, rfc_seed_hex);
	unhex(pk, 32, rfc_pk_hex);
	/* The smallest accepted limits: cheap, and an independent writer. */
	make_encrypted(base, seed, pk, crypto_pwhash_OPSLIMIT_MIN,
	    crypto_pwhash_MEMLIMIT_MIN, "pw");
	assert_int_equal(blob_rc(base, "pw"), COSO_OK);
	assert_int_equal(blob_rc(base, "pW"), COSO_EPASSWORD);
	for (size_t i = 0; i < sizeof(bad_ops) / sizeof(bad_ops[0]); i++) {
		memcpy(blob, base, SEC_BLOB);
		put_u64(blob + SEC_OPS, bad_ops[i]);
		rechecksum(blob);
		assert_int_equal(blob_rc(blob, "pw"), COSO_EKEYFILE);
		assert_int_equal(blob_rc(blob, NULL), COSO_EKEYFILE);
		text = blob_file("secret", blob, SEC_BLOB);
		assert_int_equal(coso_seckey_is_encrypted(text, strlen(text)),
		    -COSO_EKEYFILE);
		free(text);
	}
	for (size_t i = 0; i < sizeof(bad_mem) / sizeof(bad_mem[0]); i++) {
		memcpy(blob, base, SEC_BLOB);
		put_u64(blob + SEC_MEM, bad_mem[i]);
		rechecksum(blob);
		assert_int_equal(blob_rc(blob, "pw"), COSO_EKEYFILE);
	}
}

static void
test_crafted_secret(void **state)
{
	uint8_t blob[SEC_BLOB], base[SEC_BLOB], seed2[32];
	static const int zero_fields[] = {SEC_RES, SEC_OPS + 7, SEC_MEM,
	    SEC_SALT + 15, SEC_NONCE, SEC_SEALED + 32, SEC_CHECK - 1};

	(void) state;
	file_blob(base, SEC_BLOB, golden_sec);
	assert_int_equal(blob_rc(base, NULL), COSO_OK);
	/* kdf 1 with the zero limits of a clear file, and unknown kdfs. */
	for (int kdf = 1; kdf < 256; kdf += 37) {
		memcpy(blob, base, SEC_BLOB);
		blob[SEC_KDF] = (uint8_t) kdf;
		rechecksum(blob);
		assert_int_equal(blob_rc(blob, NULL), COSO_EKEYFILE);
	}
	/* Clear files: every non-seed field must be zero. */
	for (size_t i = 0; i < sizeof(zero_fields) / sizeof(int); i++) {
		memcpy(blob, base, SEC_BLOB);
		blob[zero_fields[i]] = 1;
		rechecksum(blob);
		assert_int_equal(blob_rc(blob, NULL), COSO_EKEYFILE);
	}
	memcpy(blob, base, SEC_BLOB);
	memcpy(blob, "CSK2", 4);
	rechecksum(blob);
	assert_int_equal(blob_rc(blob, NULL), COSO_EKEYFILE);
	/* Another key's seed under this key's short id. */
	memset(seed2, 7, 32);
	memcpy(blob, base, SEC_BLOB);
	memcpy(blob + SEC_SEALED, seed2, 32);
	rechecksum(blob);
	assert_int_equal(blob_rc(blob, NULL), COSO_EKEYFILE);
}

static void
test_crafted_encrypted(void **state)
{
	uint8_t seed[32], pk[32], blob[SEC_BLOB], seed2[32];

	(void) state;
	unhex(seed, 32, rfc_seed_hex);
	unhex(pk, 32, rfc_pk_hex);
	memset(seed2, 7, 32);
	/* Another key's seed, sealed under this key's short id. */
	make_encrypted(blob, seed2, pk, 1, 8192, "pw");
	assert_int_equal(blob_rc(blob, "pw"), COSO_EKEYFILE);
	/* Sealed box altered, checksum made to match: the MAC catches it. */
	make_encrypted(blob, seed, pk, 1, 8192, "pw");
	blob[SEC_SEALED + 40] ^= 1;
	rechecksum(blob);
	assert_int_equal(blob_rc(blob, "pw"), COSO_EPASSWORD);
	/* Without the new checksum it is damage, found without Argon2. */
	blob[SEC_SEALED + 41] ^= 1;
	assert_int_equal(blob_rc(blob, "pw"), COSO_EKEYFILE);
}

static void
test_crafted_public(void **state)
{
	uint8_t pk[32], blob[PUB_BLOB], id[32], got[32];
	char *text, *out = NULL;

	(void) state;
	unhex(pk, 32, rfc_pk_hex);
	file_blob(blob, PUB_BLOB, golden_pub);
	/* A key whose short id does not match. */
	blob[12] ^= 0x40;
	text = blob_file("public", blob, PUB_BLOB);
	assert_int_equal(
	    coso_pubkey_parse(got, text, strlen(text)), COSO_EKEYFILE);
	free(text);
	/* A small-order point with a matching short id. */
	memset(blob + 12, 0, 32);
	blob[12] = 1;
	crypto_hash_sha256(id, blob + 12, 32);
	memcpy(blob + 4, id, 8);
	text = blob_file("public", blob, PUB_BLOB);
	assert_int_equal(
	    coso_pubkey_parse(got, text, strlen(text)), COSO_EKEYFILE);
	assert_int_equal(coso_pubkey_format(&out, blob + 12), COSO_EINVAL);
	assert_null(out);
	free(text);
	/* Non-canonical base64: only the unused low bits of the last
	 * character differ ('o' is 40, 'p' is 41). */
	{
		char buf[sizeof(golden_pub)];

		memcpy(buf, golden_pub, sizeof(buf));
		assert_int_equal(buf[91], 'o');
		buf[91] = 'p';
		assert_int_equal(
		    coso_pubkey_parse(got, buf, strlen(buf)), COSO_EKEYFILE);
	}
}

static void
test_free_null(void **state)
{
	(void) state;
	coso_key_free(NULL);
	assert_string_equal(
	    coso_strerror(COSO_EKEYTYPE), "wrong type of key file");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rfc8032_seed),
	    cmocka_unit_test(test_golden_public),
	    cmocka_unit_test(test_golden_secret_clear),
	    cmocka_unit_test(test_roundtrip_public),
	    cmocka_unit_test(test_roundtrip_clear),
	    cmocka_unit_test(test_roundtrip_encrypted),
	    cmocka_unit_test(test_key_type),
	    cmocka_unit_test(test_mutations),
	    cmocka_unit_test(test_truncations),
	    cmocka_unit_test(test_trailing_and_crlf),
	    cmocka_unit_test(test_hostile_limits),
	    cmocka_unit_test(test_crafted_secret),
	    cmocka_unit_test(test_crafted_encrypted),
	    cmocka_unit_test(test_crafted_public),
	    cmocka_unit_test(test_free_null),
	};

	if (sodium_init() < 0) {
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
