/*
 * test_envelope.c: signing, verifying and refusing change-sets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <coso/proto.h>

#define HLC0 ((UINT64_C(1764201600000) << 16) | 3)

static const uint8_t zero32[32];
static const uint8_t body1[] = "\x81\xa0"; /* opaque to the envelope */

struct fixture {
	struct coso_key *key;
	struct coso_key *other;
	uint8_t pk[32];
	uint8_t other_pk[32];
	uint8_t *cs;
	size_t len;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL || coso_key_generate(&f->key) != COSO_OK
	    || coso_key_generate(&f->other) != COSO_OK) {
		return -1;
	}
	coso_key_public(f->key, f->pk);
	coso_key_public(f->other, f->other_pk);
	if (coso_changeset_sign(&f->cs, &f->len, f->key, 1, zero32, HLC0,
	        body1, sizeof(body1) - 1)
	    != COSO_OK) {
		return -1;
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	coso_key_free(f->key);
	coso_key_free(f->other);
	free(f->cs);
	free(f);
	return 0;
}

static void
test_round_trip(void **state)
{
	struct fixture *f = *state;
	struct coso_changeset cs;
	uint8_t id[32];

	assert_int_equal(f->len, COSO_CS_OVERHEAD + 2);
	assert_int_equal(
	    coso_changeset_verify(&cs, f->cs, f->len, f->pk), COSO_OK);
	assert_int_equal(cs.version, 1);
	coso_key_id(f->key, id);
	assert_memory_equal(cs.author, id, 32);
	assert_int_equal(cs.seq, 1);
	assert_memory_equal(cs.prev, zero32, 32);
	assert_int_equal(cs.hlc, HLC0);
	assert_int_equal(cs.body_len, 2);
	assert_memory_equal(cs.body, body1, 2);
	assert_ptr_equal(cs.body, f->cs + COSO_CS_HEADER_BYTES);
	assert_ptr_equal(cs.sig, f->cs + f->len - 64);
}

/* The second change-set's prev is the first one's id. */
static void
test_chain(void **state)
{
	struct fixture *f = *state;
	struct coso_changeset cs;
	uint8_t id1[32], *cs2 = NULL;
	size_t len2;

	coso_changeset_id(id1, f->cs, f->len);
	assert_int_equal(coso_changeset_sign(
	                     &cs2, &len2, f->key, 2, id1, HLC0 + 1, body1, 2),
	    COSO_OK);
	assert_int_equal(
	    coso_changeset_verify(&cs, cs2, len2, f->pk), COSO_OK);
	assert_int_equal(cs.seq, 2);
	assert_memory_equal(cs.prev, id1, 32);
	free(cs2);
}

static void
test_chain_rules(void **state)
{
	struct fixture *f = *state;
	uint8_t one[32] = {1}, *out = NULL;
	size_t len = 0;

	assert_int_equal(
	    coso_changeset_sign(&out, &len, f->key, 0, zero32, HLC0, body1, 2),
	    COSO_ECHAIN);
	assert_int_equal(
	    coso_changeset_sign(&out, &len, f->key, 1, one, HLC0, body1, 2),
	    COSO_ECHAIN);
	assert_int_equal(
	    coso_changeset_sign(&out, &len, f->key, 2, zero32, HLC0, body1, 2),
	    COSO_ECHAIN);
	assert_null(out);
	assert_int_equal(len, 0);
}

/* Every single-bit flip anywhere is refused, whatever the field. */
static void
test_every_bit_flip(void **state)
{
	struct fixture *f = *state;
	struct coso_changeset cs;
	uint8_t *copy = malloc(f->len);
	size_t i;
	int bit, rv;

	assert_non_null(copy);
	for (i = 0; i < f->len; i++) {
		for (bit = 0; bit < 8; bit++) {
			memcpy(copy, f->cs, f->len);
			copy[i] ^= (uint8_t) (1u << bit);
			rv = coso_changeset_verify(&cs, copy, f->len, f->pk);
			assert_int_not_equal(rv, COSO_OK);
		}
	}
	free(copy);
}

static void
test_every_truncation(void **state)
{
	struct fixture *f = *state;
	struct coso_changeset cs;
	size_t n;

	for (n = 0; n < f->len; n++) {
		int rv = coso_changeset_verify(&cs, f->cs, n, f->pk);
		assert_int_equal(rv, COSO_ETRUNC);
		assert_int_equal(
		    coso_changeset_peek(&cs, f->cs, n), COSO_ETRUNC);
	}
}

static void
test_trailing_bytes(void **state)
{
	struct fixture *f = *state;
	struct coso_changeset cs;
	uint8_t *longer = calloc(1, f->len + 1);

	assert_non_null(longer);
	memcpy(longer, f->cs, f->len);
	assert_int_equal(coso_changeset_verify(&cs, longer, f->len + 1, f->pk),
	    COSO_ETRAILING);
	free(longer);
}

static void
test_wrong_key(void **state)
{
	struct fixture *f = *state;
	struct coso_changeset cs;
	uint8_t *forged = malloc(f->len), other_id[32];

	assert_int_equal(
	    coso_changeset_verify(&cs, f->cs, f->len, f->other_pk),
	    COSO_EWRONGKEY);
	/* Claiming the other author without its signature: bad signature. */
	assert_non_null(forged);
	memcpy(forged, f->cs, f->len);
	coso_keyid_of(other_id, f->other_pk);
	memcpy(forged + 1, other_id, 32);
	assert_int_equal(
	    coso_changeset_verify(&cs, forged, f->len, f->other_pk),
	    COSO_EBADSIG);
	free(forged);
}

static void
test_unknown_version(void **state)
{
	struct fixture *f = *state;
	struct coso_changeset cs;
	uint8_t *copy = malloc(f->len);

	assert_non_null(copy);
	memcpy(copy, f->cs, f->len);
	copy[0] = 2;
	assert_int_equal(
	    coso_changeset_verify(&cs, copy, f->len, f->pk), COSO_EVERSION);
	copy[0] = 0;
	assert_int_equal(
	    coso_changeset_peek(&cs, copy, f->len), COSO_EVERSION);
	free(copy);
}

/* A header that claims a body over the limit is refused before anything
 * else is read or allocated. */
static void
test_body_over_limit(void **state)
{
	struct fixture *f = *state;
	struct coso_changeset cs;
	uint8_t hdr[COSO_CS_HEADER_BYTES], *out = NULL, *big;
	size_t len = 0;

	memcpy(hdr, f->cs, sizeof(hdr));
	hdr[81] = 0x00;
	hdr[82] = 0x04;
	hdr[83] = 0x00;
	hdr[84] = 0x01; /* 256 KiB + 1 */
	assert_int_equal(
	    coso_changeset_peek(&cs, hdr, sizeof(hdr)), COSO_ETOOBIG);
	hdr[81] = hdr[82] = hdr[83] = hdr[84] = 0xff;
	assert_int_equal(
	    coso_changeset_verify(&cs, hdr, sizeof(hdr), f->pk), COSO_ETOOBIG);

	big = calloc(1, COSO_BODY_MAX + 1);
	assert_non_null(big);
	assert_int_equal(coso_changeset_sign(&out, &len, f->key, 1, zero32,
	                     HLC0, big, COSO_BODY_MAX + 1),
	    COSO_ETOOBIG);
	assert_null(out);
	/* Exactly at the limit is fine. */
	assert_int_equal(coso_changeset_sign(&out, &len, f->key, 1, zero32,
	                     HLC0, big, COSO_BODY_MAX),
	    COSO_OK);
	assert_int_equal(len, COSO_CS_MAX);
	assert_int_equal(coso_changeset_verify(&cs, out, len, f->pk), COSO_OK);
	free(out);
	free(big);
}

/* The id is SHA-256 of every byte, signature included. */
static void
test_id_covers_signature(void **state)
{
	struct fixture *f = *state;
	uint8_t a[32], b[32], *copy = malloc(f->len);

	assert_non_null(copy);
	memcpy(copy, f->cs, f->len);
	coso_changeset_id(a, f->cs, f->len);
	coso_sha256(b, f->cs, f->len);
	assert_memory_equal(a, b, 32);
	copy[f->len - 1] ^= 1;
	coso_changeset_id(b, copy, f->len);
	assert_memory_not_equal(a, b, 32);
	free(copy);
}

/* The author is read from the header alone: a view into the buffer,
 * there from the header's last byte on, none for a short buffer or
 * another version. */
static void
test_author(void **state)
{
	struct fixture *f = *state;
	uint8_t id[32], *copy = malloc(f->len);

	assert_non_null(copy);
	memcpy(copy, f->cs, f->len);
	coso_key_id(f->key, id);
	assert_ptr_equal(coso_changeset_author(copy, f->len), copy + 1);
	assert_memory_equal(coso_changeset_author(copy, f->len), id, 32);
	assert_ptr_equal(
	    coso_changeset_author(copy, COSO_CS_HEADER_BYTES), copy + 1);
	for (size_t n = 0; n < COSO_CS_HEADER_BYTES; n++) {
		assert_null(coso_changeset_author(copy, n));
	}
	assert_null(coso_changeset_author(NULL, 0));
	copy[0] = COSO_CS_VERSION + 1;
	assert_null(coso_changeset_author(copy, f->len));
	free(copy);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_chain),
	    cmocka_unit_test(test_chain_rules),
	    cmocka_unit_test(test_every_bit_flip),
	    cmocka_unit_test(test_every_truncation),
	    cmocka_unit_test(test_trailing_bytes),
	    cmocka_unit_test(test_wrong_key),
	    cmocka_unit_test(test_unknown_version),
	    cmocka_unit_test(test_body_over_limit),
	    cmocka_unit_test(test_id_covers_signature),
	    cmocka_unit_test(test_author),
	};
	return cmocka_run_group_tests_name("envelope", tests, setup, teardown);
}
