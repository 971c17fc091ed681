/*
 * text.c: UTF-8 validation and NFC normalisation (libunistring), and
 * UUIDv7 row ids (RFC 9562 §5.7, random bits from libsodium).
 *
 * Vietnamese typed with Telex or VNI arrives in NFC or NFD; coso stores
 * and signs NFC only, so equal text is equal bytes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <uninorm.h>
#include <unistr.h>

#include <coso/proto.h>

/* ASCII is its own NFC: the common case needs no normaliser call. */
static int
is_ascii(const uint8_t *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] >= 0x80) {
			return 0;
		}
	}
	return 1;
}

/*
 * NFC of valid UTF-8 s into a malloc'd buffer (not NUL-terminated).  An
 * empty input gives an empty, non-NULL buffer.
 */
static int
normalize(uint8_t **out, size_t *out_len, const uint8_t *s, size_t len)
{
	uint8_t *r;
	size_t rlen = 0;

	if (len == 0) {
		if ((*out = malloc(1)) == NULL) {
			return COSO_ENOMEM;
		}
		*out_len = 0;
		return COSO_OK;
	}
	r = u8_normalize(UNINORM_NFC, s, len, NULL, &rlen);
	if (r == NULL) {
		return errno == ENOMEM ? COSO_ENOMEM : COSO_EUTF8;
	}
	*out     = r;
	*out_len = rlen;
	return COSO_OK;
}

int
coso_text_nfc(
    char **out, size_t *out_len, const char *in, size_t len, size_t max_len)
{
	const uint8_t *s = (const uint8_t *) in;
	uint8_t *r       = NULL, *t;
	size_t rlen      = 0;
	int err;

	if (len > max_len) {
		return COSO_ETOOBIG;
	}
	if (len > 0 && u8_check(s, len) != NULL) {
		return COSO_EUTF8;
	}
	if ((err = normalize(&r, &rlen, s, len)) != COSO_OK) {
		goto out;
	}
	if (rlen > max_len) {
		err = COSO_ETOOBIG;
		goto out;
	}
	if ((t = realloc(r, rlen + 1)) == NULL) {
		err = COSO_ENOMEM;
		goto out;
	}
	r        = t;
	r[rlen]  = '\0';
	*out     = (char *) r;
	*out_len = rlen;
	r        = NULL;
out:
	free(r);
	return err;
}

int
coso_text_check(const uint8_t *s, size_t len)
{
	uint8_t *r = NULL;
	size_t rlen;
	int err;

	if (is_ascii(s, len)) {
		return COSO_OK;
	}
	if (u8_check(s, len) != NULL) {
		return COSO_EUTF8;
	}
	if ((err = normalize(&r, &rlen, s, len)) != COSO_OK) {
		return err;
	}
	if (rlen != len || memcmp(r, s, len) != 0) {
		err = COSO_ENFC;
	}
	free(r);
	return err;
}

void
coso_uuid7(uint8_t out[static 16], uint64_t ms)
{
	int i;

	/* Without a working random source no row id is safe: stop. */
	if (sodium_init() < 0) {
		abort();
	}
	randombytes_buf(out + 6, 10);
	ms &= COSO_HLC_MS_MAX;
	for (i = 0; i < 6; i++) {
		out[i] = (uint8_t) (ms >> (8 * (5 - i)));
	}
	out[6] = (uint8_t) (0x70u | (out[6] & 0x0fu)); /* version 7 */
	out[8] = (uint8_t) (0x80u | (out[8] & 0x3fu)); /* variant 10 */
}

int
coso_uuid7_valid(const uint8_t b[static 16])
{
	return (b[6] >> 4) == 7 && (b[8] & 0xc0u) == 0x80u;
}

void
coso_uuid_named(uint8_t out[static 16], const char *ns, const char *key)
{
	crypto_hash_sha256_state st;
	uint8_t h[32];

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const uint8_t *) ns, strlen(ns) + 1);
	crypto_hash_sha256_update(&st, (const uint8_t *) key, strlen(key));
	crypto_hash_sha256_final(&st, h);
	memcpy(out, h, 16);
	out[6] = (uint8_t) (0x70u | (out[6] & 0x0fu));
	out[8] = (uint8_t) (0x80u | (out[8] & 0x3fu));
}
