/*
 * test_text.c: UTF-8 checks, NFC normalisation and UUIDv7 row ids
 * (proto/text.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <coso/proto.h>

/* NFD input and its NFC form. */
static const struct {
	const char *nfd;
	const char *nfc;
} pairs[] = {
    /* e + dot below -> U+1EB9 */
    {"Vie\xcc\xa3t", "Vi\xe1\xba\xb9t"},
    /* e + dot below + circumflex -> U+1EC7: "Việt" */
    {"Vie\xcc\xa3\xcc\x82t", "Vi\xe1\xbb\x87t"},
    /* circumflex typed before dot below: same result */
    {"Vie\xcc\x82\xcc\xa3t", "Vi\xe1\xbb\x87t"},
    /* "Xã Đào Viên" */
    {"Xa\xcc\x83 \xc4\x90"
     "a\xcc\x80o Vie\xcc\x82n",
        "X\xc3\xa3 \xc4\x90\xc3\xa0o Vi\xc3\xaan"},
    /* "Thôn Bình Lập" */
    {"Tho\xcc\x82n Bi\xcc\x80nh La\xcc\xa3\xcc\x82p",
        "Th\xc3\xb4n B\xc3\xacnh L\xe1\xba\xadp"},
    /* already NFC, and ASCII */
    {"Th\xc3\xb4n", "Th\xc3\xb4n"},
    {"plain", "plain"},
};

static void
test_nfc_converts(void **state)
{
	char *out;
	size_t i, len;

	(void) state;
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		out = NULL;
		assert_int_equal(coso_text_nfc(&out, &len, pairs[i].nfd,
		                     strlen(pairs[i].nfd), COSO_TEXT_MAX),
		    COSO_OK);
		assert_int_equal(len, strlen(pairs[i].nfc));
		assert_memory_equal(out, pairs[i].nfc, len);
		assert_int_equal(out[len], '\0');
		free(out);
	}
}

static void
test_check(void **state)
{
	size_t i;

	(void) state;
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		assert_int_equal(
		    coso_text_check(
		        (const uint8_t *) pairs[i].nfc, strlen(pairs[i].nfc)),
		    COSO_OK);
	}
	for (i = 0; i < 5; i++) {
		assert_int_equal(
		    coso_text_check(
		        (const uint8_t *) pairs[i].nfd, strlen(pairs[i].nfd)),
		    COSO_ENFC);
	}
	assert_int_equal(coso_text_check(NULL, 0), COSO_OK);
	/* U+0000 is valid UTF-8 and NFC. */
	assert_int_equal(coso_text_check((const uint8_t *) "a\0b", 3), 0);
}

static void
test_invalid_utf8(void **state)
{
	static const char *const bad[] = {
	    "\xc3\x28",         /* bad continuation */
	    "\xc0\xaf",         /* overlong '/' */
	    "\xe0\x80\xaf",     /* overlong, 3 bytes */
	    "\xed\xa0\x80",     /* surrogate U+D800 */
	    "\xf4\x90\x80\x80", /* over U+10FFFF */
	    "\xff",             /* never valid */
	    "Vi\xe1\xbb",       /* cut short */
	    "\x80",             /* lone continuation */
	};
	char *out = NULL;
	size_t i, len = 0;

	(void) state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(
		    coso_text_check((const uint8_t *) bad[i], strlen(bad[i])),
		    COSO_EUTF8);
		assert_int_equal(coso_text_nfc(&out, &len, bad[i],
		                     strlen(bad[i]), COSO_TEXT_MAX),
		    COSO_EUTF8);
		assert_null(out);
	}
}

static void
test_nfc_limits(void **state)
{
	char *out  = NULL;
	size_t len = 99;

	(void) state;
	/* Over the limit before normalisation. */
	assert_int_equal(
	    coso_text_nfc(&out, &len, "abcd", 4, 3), COSO_ETOOBIG);
	/* U+0958 has no NFC composite: 3 bytes become 6. */
	assert_int_equal(
	    coso_text_nfc(&out, &len, "\xe0\xa5\x98", 3, 5), COSO_ETOOBIG);
	assert_null(out);
	assert_int_equal(
	    coso_text_nfc(&out, &len, "\xe0\xa5\x98", 3, 6), COSO_OK);
	assert_int_equal(len, 6);
	assert_memory_equal(out, "\xe0\xa4\x95\xe0\xa4\xbc", 6);
	free(out);
	/* NFD to NFC shrinks: 3 bytes in, 2 out. */
	assert_int_equal(
	    coso_text_nfc(&out, &len, "a\xcc\x80", 3, 3), COSO_OK);
	assert_int_equal(len, 2);
	assert_memory_equal(out, "\xc3\xa0", 3);
	free(out);
	assert_int_equal(coso_text_nfc(&out, &len, "", 0, 0), COSO_OK);
	assert_int_equal(len, 0);
	assert_string_equal(out, "");
	free(out);
}

static void
test_uuid7(void **state)
{
	uint8_t a[16], b[16];

	(void) state;
	coso_uuid7(a, UINT64_C(0x01936a3c7b2d));
	coso_uuid7(b, UINT64_C(0x01936a3c7b2d));
	assert_memory_equal(a, "\x01\x93\x6a\x3c\x7b\x2d", 6);
	assert_int_equal(a[6] >> 4, 7);
	assert_int_equal(a[8] >> 6, 2);
	assert_true(coso_uuid7_valid(a));
	assert_true(coso_uuid7_valid(b));
	/* 74 random bits: two ids in the same millisecond differ. */
	assert_memory_not_equal(a + 6, b + 6, 10);
	/* Only 48 bits of time are kept. */
	coso_uuid7(a, UINT64_C(0xffff000000000001));
	assert_memory_equal(a, "\x00\x00\x00\x00\x00\x01", 6);
}

static void
test_uuid7_valid(void **state)
{
	uint8_t u[16];

	(void) state;
	coso_uuid7(u, 1764201600000u);
	assert_int_equal(coso_uuid7_valid(u), 1);
	u[6] = (uint8_t) ((u[6] & 0x0f) | 0x40); /* version 4 */
	assert_int_equal(coso_uuid7_valid(u), 0);
	u[6] = (uint8_t) ((u[6] & 0x0f) | 0x70);
	u[8] = (uint8_t) ((u[8] & 0x3f) | 0xc0); /* variant 11 */
	assert_int_equal(coso_uuid7_valid(u), 0);
	u[8] = (uint8_t) (u[8] & 0x3f); /* variant 00 */
	assert_int_equal(coso_uuid7_valid(u), 0);
	u[8] = (uint8_t) ((u[8] & 0x3f) | 0x80);
	assert_int_equal(coso_uuid7_valid(u), 1);
	memset(u, 0, sizeof(u));
	assert_int_equal(coso_uuid7_valid(u), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_nfc_converts),
	    cmocka_unit_test(test_check),
	    cmocka_unit_test(test_invalid_utf8),
	    cmocka_unit_test(test_nfc_limits),
	    cmocka_unit_test(test_uuid7),
	    cmocka_unit_test(test_uuid7_valid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
