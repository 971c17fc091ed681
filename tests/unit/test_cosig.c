/*
 * test_cosig.c: witness cosignatures and add-checkpoint bodies
 * (proto/cosig.c, proto/witness.c; FORMAT.md "Witnesses";
 * c2sp.org/tlog-cosignature, c2sp.org/tlog-witness).
 *
 * The golden key id, verifier key, cosignature line and request body
 * were computed independently with Python (hashlib, base64 and the
 * cryptography package's Ed25519; the proof by a direct rendering of RFC
 * 9162's PROOF) from the RFC 8032 §7.1 test 2 seed, cosigning the golden
 * checkpoint of test_checkpoint.c at time 1764892800.
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

#define LOG     "coso.example/central"
#define WITNESS "witness.example/w1"
#define TIME    UINT64_C(1764892800)

static const char w_seed_hex[]
    = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb";
static const char log_pk_hex[]
    = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
static const char golden_vkey[]
    = WITNESS "+04d2d833+BD1AF8PoQ4lakrcKp00bfrycmCzPLsSWjMDNVfEq9GYM";
static const char golden_note[]
    = LOG "\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n"
          "\n"
          "\xE2\x80\x94 " LOG " zp9B4x6nHxNlFgyXIH8JCNKFQHNWArKoTBKU/3IZ+H8/"
          "sx8BqgmGpPbEO4H5xapINCLwGad2iTmRpsqU6WmuFOllnwU=\n";
static const char golden_line[]
    = "\xE2\x80\x94 " WITNESS " BNLYMwAAAABpMiCATFXqKPtROiuC0Ljkz3qy5LD4y/"
      "TeGSoWr0FZIFhzxRVZ3agTp8a7ASoEnO+khiFpxUY6wt9aCOkNl666TWOWCQ==\n";
static const char golden_root3[]
    = "rra8/idLcKFPsGel5VeCZNsPqbUa9eC6FZFY8yngbnc=";
static const char golden_req_head[]
    = "old 3\n"
      "ApjRIpBtz8EIkstTpzmS/FufST6kybrbJ7eRtBJ6f+c=\n"
      "B1Bqhf2d0vEg62lPhgEeW7RmLlxBWmKRcDPUqWJEh+c=\n"
      "+sVCA+fMaWzw38tCySodnbr3CtnmIfS9jZhmLwDjwSU=\n"
      "a0eq8p7jwq+a+Im8H7klTavTEXfxYjLdaqsDXKOb9uQ=\n"
      "\n";

struct fix {
	struct coso_key *w;
	uint8_t wpk[32], lpk[32];
};

static void
unhex(uint8_t *out, size_t n, const char *hex)
{
	size_t got = 0;

	assert_int_equal(
	    sodium_hex2bin(out, n, hex, strlen(hex), NULL, &got, NULL), 0);
	assert_int_equal(got, n);
}

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	uint8_t seed[32];

	assert_non_null(f);
	unhex(seed, 32, w_seed_hex);
	assert_int_equal(coso_key_from_seed(&f->w, seed), COSO_OK);
	coso_key_public(f->w, f->wpk);
	unhex(f->lpk, 32, log_pk_hex);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;

	coso_key_free(f->w);
	free(f);
	return 0;
}

/* The note with the cosignature line appended: malloc'd. */
static char *
cosigned(const char *line)
{
	size_t a = strlen(golden_note), b = strlen(line);
	char *s = malloc(a + b + 1);

	assert_non_null(s);
	memcpy(s, golden_note, a);
	memcpy(s + a, line, b + 1);
	return s;
}

static void
golden_key(void **state)
{
	struct fix *f = *state;
	char name[COSO_KEYNAME_MAX + 1], *v = NULL;
	uint8_t id[4], pk[32], want[32];
	uint8_t h[32], msg[sizeof(WITNESS) + 33];

	coso_cosig_key_id(id, WITNESS, f->wpk);
	/* The spec's formula, spelled out. */
	memcpy(msg, WITNESS "\n", sizeof(WITNESS));
	msg[sizeof(WITNESS)] = 0x04;
	memcpy(msg + sizeof(WITNESS) + 1, f->wpk, 32);
	crypto_hash_sha256(h, msg, sizeof(msg));
	assert_memory_equal(id, h, 4);
	assert_memory_equal(id, "\x04\xd2\xd8\x33", 4);
	assert_int_equal(coso_cosig_vkey_format(&v, WITNESS, f->wpk), COSO_OK);
	assert_string_equal(v, golden_vkey);
	free(v);
	assert_int_equal(
	    coso_cosig_vkey_parse(name, pk, golden_vkey, strlen(golden_vkey)),
	    COSO_OK);
	assert_string_equal(name, WITNESS);
	memcpy(want, f->wpk, 32);
	assert_memory_equal(pk, want, 32);
	/* A log's verifier key (type 0x01) is not a witness's. */
	assert_int_equal(
	    coso_cosig_vkey_parse(name, pk,
	        LOG "+ce9f41e3+AddamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8C"
	            "Gmj3B1Ea",
	        strlen(LOG) + 54),
	    COSO_EKEYTYPE);
	/* Nor is a witness's key a log's. */
	assert_int_equal(
	    coso_note_vkey_parse(name, pk, golden_vkey, strlen(golden_vkey)),
	    COSO_EKEYTYPE);
}

static void
golden_sign(void **state)
{
	struct fix *f = *state;
	char *line    = NULL;

	assert_int_equal(coso_cosig_sign(&line, f->w, WITNESS, golden_note,
	                     strlen(golden_note), TIME),
	    COSO_OK);
	assert_string_equal(line, golden_line);
	free(line);
	assert_int_equal(coso_cosig_sign(&line, f->w, WITNESS, golden_note,
	                     strlen(golden_note), 0),
	    COSO_EINVAL);
	assert_int_equal(coso_cosig_sign(&line, f->w, WITNESS, golden_note,
	                     strlen(golden_note), UINT64_C(1) << 63),
	    COSO_EINVAL);
}

static void
golden_verify(void **state)
{
	struct fix *f = *state;
	struct coso_checkpoint cp;
	char *note = cosigned(golden_line);
	uint64_t t = 0;

	assert_int_equal(
	    coso_cosig_verify(&t, &cp, note, strlen(note), WITNESS, f->wpk),
	    COSO_OK);
	assert_true(t == TIME);
	assert_true(cp.size == 8);
	assert_string_equal(cp.origin, LOG);
	/* The log's signature still holds beside the cosignature. */
	assert_int_equal(
	    coso_checkpoint_verify(&cp, note, strlen(note), LOG, f->lpk),
	    COSO_OK);
	/* Without the line, the witness has not cosigned. */
	assert_int_equal(coso_cosig_verify(&t, &cp, golden_note,
	                     strlen(golden_note), WITNESS, f->wpk),
	    COSO_EWRONGKEY);
	free(note);
}

/* Every single-bit flip of the cosignature's blob, timestamp included,
 * is refused: the time is signed. */
static void
flips(void **state)
{
	struct fix *f = *state;
	struct coso_checkpoint cp;
	char *note = cosigned(golden_line);
	uint8_t blob[76];
	size_t got      = 0;
	const char *b64 = golden_line + strlen("\xE2\x80\x94 " WITNESS " ");
	char line[256];
	uint64_t t;

	assert_int_equal(
	    sodium_base642bin(blob, sizeof(blob), b64, strlen(b64) - 1, NULL,
	        &got, NULL, sodium_base64_VARIANT_ORIGINAL),
	    0);
	assert_int_equal(got, 76);
	for (size_t bit = 4 * 8; bit < 76 * 8; bit++) {
		uint8_t m[76];
		char enc[128];
		int rc;

		memcpy(m, blob, 76);
		m[bit / 8] ^= (uint8_t) (1u << (bit % 8));
		sodium_bin2base64(
		    enc, sizeof(enc), m, 76, sodium_base64_VARIANT_ORIGINAL);
		snprintf(
		    line, sizeof(line), "\xE2\x80\x94 " WITNESS " %s\n", enc);
		free(note);
		note = cosigned(line);
		rc   = coso_cosig_verify(
		      &t, &cp, note, strlen(note), WITNESS, f->wpk);
		assert_int_equal(rc, COSO_EBADSIG);
	}
	free(note);
}

static void
req_golden(void **state)
{
	struct coso_witness_req r;
	char body[4096], *again = NULL;
	uint8_t root3[32];
	size_t n, blen, got = 0;

	(void) state;
	n = (size_t) snprintf(
	    body, sizeof(body), "%s%s", golden_req_head, golden_note);
	assert_int_equal(coso_witness_req_parse(&r, body, n), COSO_OK);
	assert_true(r.old == 3);
	assert_int_equal(r.nproof, 4);
	assert_int_equal(r.note_len, strlen(golden_note));
	assert_memory_equal(r.note, golden_note, r.note_len);
	/* The proof proves 3 -> 8 of the CT test tree. */
	assert_int_equal(sodium_base642bin(root3, 32, golden_root3, 44, NULL,
	                     &got, NULL, sodium_base64_VARIANT_ORIGINAL),
	    0);
	{
		uint8_t root8[32];

		assert_int_equal(
		    sodium_base642bin(root8, 32,
		        "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/"
		        "RgQyg=",
		        44, NULL, &got, NULL, sodium_base64_VARIANT_ORIGINAL),
		    0);
		assert_int_equal(coso_verify_consistency(
		                     3, 8, r.proof[0], r.nproof, root3, root8),
		    COSO_OK);
	}
	assert_int_equal(coso_witness_req_format(&again, &blen, 3, r.proof[0],
	                     r.nproof, r.note, r.note_len),
	    COSO_OK);
	assert_int_equal(blen, n);
	assert_memory_equal(again, body, n);
	free(again);
}

static void
req_refused(void **state)
{
	static const struct {
		const char *body;
		int rc;
	} cases[] = {
	    {"old 3\n\n", COSO_EINVAL},        /* no note */
	    {"old 03\n\nx\n", COSO_ENONCANON}, /* leading zero */
	    {"old -1\n\nx\n", COSO_EINVAL},    /* sign */
	    {"old 3 \n\nx\n", COSO_EINVAL},    /* trailing space */
	    {"old  3\n\nx\n", COSO_EINVAL},    /* two spaces */
	    {"Old 3\n\nx\n", COSO_EINVAL},     /* case */
	    {"old 3\nx\n", COSO_EINVAL},       /* bad hash line */
	    {"old 3", COSO_EINVAL},            /* no newline */
	    {"old 9223372036854775809\n\nx\n", COSO_ETOOBIG},
	    {"old 3\nApjRIpBtz8EIkstTpzmS/FufST6kybrbJ7eRtBJ6f+c\n\nx\n",
	        COSO_EINVAL}, /* 43 characters */
	    {"old 3\nApjRIpBtz8EIkstTpzmS/FufST6kybrbJ7eRtBJ6f+d=\n\nx\n",
	        COSO_EINVAL}, /* non-zero padding bits */
	    {"old 3\nApjRIpBtz8EIkstTpzmS/FufST6kybrbJ7eRtBJ6f+c=\r\n\nx\n",
	        COSO_EINVAL}, /* CR */
	};
	struct coso_witness_req r;
	char big[COSO_WITNESS_REQ_MAX + 8];
	size_t i, n;

	(void) state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(coso_witness_req_parse(
		                     &r, cases[i].body, strlen(cases[i].body)),
		    cases[i].rc);
	}
	/* 64 proof lines: one too many. */
	n = (size_t) snprintf(big, sizeof(big), "old 1\n");
	for (i = 0; i < 64; i++) {
		memcpy(big + n,
		    "ApjRIpBtz8EIkstTpzmS/FufST6kybrbJ7eRtBJ6f+c=\n", 45);
		n += 45;
	}
	memcpy(big + n, "\nx\n", 3);
	assert_int_equal(coso_witness_req_parse(&r, big, n + 3), COSO_EINVAL);
	/* 63 are allowed. */
	memmove(big + 6, big + 6 + 45, n + 3 - 6 - 45);
	assert_int_equal(coso_witness_req_parse(&r, big, n + 3 - 45), COSO_OK);
	assert_int_equal(r.nproof, 63);
	/* Over the hard limit, whatever it holds. */
	memset(big, 'a', sizeof(big));
	assert_int_equal(
	    coso_witness_req_parse(&r, big, sizeof(big)), COSO_ETOOBIG);
}

static void
size_body(void **state)
{
	uint64_t s = 0;

	(void) state;
	assert_int_equal(coso_witness_size_parse(&s, "42\n", 3), COSO_OK);
	assert_true(s == 42);
	assert_int_equal(coso_witness_size_parse(&s, "0\n", 2), COSO_OK);
	assert_true(s == 0);
	assert_int_equal(coso_witness_size_parse(&s, "42", 2), COSO_EINVAL);
	assert_int_equal(
	    coso_witness_size_parse(&s, "042\n", 4), COSO_ENONCANON);
	assert_int_equal(coso_witness_size_parse(&s, "4 2\n", 4), COSO_EINVAL);
	assert_int_equal(coso_witness_size_parse(&s, "\n", 1), COSO_EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(golden_key, setup, teardown),
	    cmocka_unit_test_setup_teardown(golden_sign, setup, teardown),
	    cmocka_unit_test_setup_teardown(golden_verify, setup, teardown),
	    cmocka_unit_test_setup_teardown(flips, setup, teardown),
	    cmocka_unit_test(req_golden),
	    cmocka_unit_test(req_refused),
	    cmocka_unit_test(size_body),
	};

	if (sodium_init() < 0) {
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
