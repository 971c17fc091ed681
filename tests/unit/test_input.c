/*
 * test_input.c: dates and numbers as cadres type them (common/dates.c,
 * client/lib/numbers.c): the Vietnamese forms and ISO accepted, anything
 * that could be read two ways or names no real day refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <coso/client.h>

static const struct {
	const char *in;
	int32_t want;
} good_dates[] = {
    {"2026-12-04", 20261204},
    {"04/12/2026", 20261204},
    {"4/12/2026", 20261204},
    {"4/2/2026", 20260204},
    {"04/2/2026", 20260204},
    {"4-12-2026", 20261204},
    {"04.12.2026", 20261204},
    {" 4/12/2026 ", 20261204},
    {"29/02/2024", 20240229},
    {"31/12/1999", 19991231},
    {"1/1/1900", 19000101},
};

static const char *const bad_dates[] = {
    "31/02/2026", /* no such day */
    "29/02/2025",
    "31/04/2026",
    "32/1/2026",
    "0/1/2026",
    "1/13/2026",
    "12/31/2026", /* month first: a 31st month */
    "4/12/26",    /* two-digit year */
    "4/12/026",
    "4/12/20266",
    "4/12-2026", /* mixed separators */
    "4 12 2026",
    "2026/12/04", /* year first is ISO, with dashes only */
    "2026-1-4",
    "2026-12-4",
    "2026-12-04x",
    "x4/12/2026",
    "04/12/2026 1",
    "-4/12/2026",
    "+4/12/2026",
    "4//12/2026",
    "",
    "   ",
    "2026",
    "4/12",
    "1/1/1899",
    "001/12/2026",
};

static void
test_dates(void **state)
{
	int32_t d;
	size_t i;

	(void) state;
	for (i = 0; i < sizeof(good_dates) / sizeof(good_dates[0]); i++) {
		d = 0;
		if (coso_date_parse(good_dates[i].in, &d) != COSO_OK) {
			fail_msg("refused date `%s'", good_dates[i].in);
		}
		assert_int_equal(d, good_dates[i].want);
	}
	for (i = 0; i < sizeof(bad_dates) / sizeof(bad_dates[0]); i++) {
		d = 7;
		if (coso_date_parse(bad_dates[i], &d) != COSO_EDATE) {
			fail_msg(
			    "accepted date `%s' as %d", bad_dates[i], (int) d);
		}
		assert_int_equal(d, 7);
	}
	assert_int_equal(coso_date_parse(NULL, &d), COSO_EDATE);
}

#define BIG INT64_C(1000000000000000)

/* An input, its scale and range, and the result. */
struct num_case {
	const char *in;
	unsigned scale;
	int64_t min, max;
	int rv;
	int64_t want;
};

static const struct num_case nums[] = {
    /* amounts in đồng: whole units, thousands with dots */
    {"1500000", 0, 0, BIG, COSO_OK, 1500000},
    {"1.500.000", 0, 0, BIG, COSO_OK, 1500000},
    {"1.500", 0, 0, BIG, COSO_OK, 1500},
    {"1.000", 0, 0, BIG, COSO_OK, 1000},
    {"600.000", 0, 0, BIG, COSO_OK, 600000},
    {"1,500,000", 0, 0, BIG, COSO_OK, 1500000},
    {"12.345.678.901", 0, 0, BIG, COSO_OK, 12345678901},
    {" 2.000.000 ", 0, 0, BIG, COSO_OK, 2000000},
    {"0", 0, 0, BIG, COSO_OK, 0},
    {"1.50.000", 0, 0, BIG, COSO_EFIELD, 0},
    {"1.5000.000", 0, 0, BIG, COSO_EFIELD, 0},
    {"15.00.000", 0, 0, BIG, COSO_EFIELD, 0},
    {"1500.000.000.", 0, 0, BIG, COSO_EFIELD, 0},
    {".500", 0, 0, BIG, COSO_EFIELD, 0},
    {"0.500", 0, 0, BIG, COSO_EFIELD, 0},
    {"1,5", 0, 0, BIG, COSO_EFIELD, 0},
    {"1.5", 0, 0, BIG, COSO_EFIELD, 0},
    {"1..500", 0, 0, BIG, COSO_EFIELD, 0},
    {"1.500,000.000", 0, 0, BIG, COSO_EFIELD, 0},
    {"-5", 0, 0, BIG, COSO_EFIELD, 0},
    {"5đ", 0, 0, BIG, COSO_EFIELD, 0},
    {"1 500 000", 0, 0, BIG, COSO_EFIELD, 0},
    {"", 0, 0, BIG, COSO_EFIELD, 0},
    {"1.000.000.000.000.001", 0, 0, BIG, COSO_ETOOBIG, 0},
    {"99999999999999999999999", 0, 0, BIG, COSO_ETOOBIG, 0},
    /* quantities in thousandths: a decimal comma or point */
    {"600", 3, 0, BIG, COSO_OK, 600000},
    {"2,5", 3, 0, BIG, COSO_OK, 2500},
    {"2.5", 3, 0, BIG, COSO_OK, 2500},
    {"0,75", 3, 0, BIG, COSO_OK, 750},
    {"1.234,5", 3, 0, BIG, COSO_OK, 1234500},
    {"1,234.5", 3, 0, BIG, COSO_OK, 1234500},
    {"1.234.567,125", 3, 0, BIG, COSO_OK, 1234567125},
    {"2,50", 3, 0, BIG, COSO_OK, 2500},
    {"2,5000", 3, 0, BIG, COSO_OK, 2500},
    {"1.500.000", 3, 0, BIG, COSO_OK, 1500000000},
    {"0.500", 3, 0, BIG, COSO_OK, 500},
    {"1.500", 3, 0, BIG, COSO_EINVAL, 0}, /* 1500 or 1,5? */
    {"600,000", 3, 0, BIG, COSO_EINVAL, 0},
    {"2.000", 3, 0, BIG, COSO_EINVAL, 0},
    {"2,5001", 3, 0, BIG, COSO_EFIELD, 0},
    {"1.234,5,6", 3, 0, BIG, COSO_EFIELD, 0},
    {"1,234,5", 3, 0, BIG, COSO_EFIELD, 0},
    {"1.23,5", 3, 0, BIG, COSO_EFIELD, 0},
    {"2,", 3, 0, BIG, COSO_EFIELD, 0},
    {",5", 3, 0, BIG, COSO_EFIELD, 0},
    /* degrees in millionths, signed, within range */
    {"21.853210", 6, -90000000, 90000000, COSO_OK, 21853210},
    {"21,853210", 6, -90000000, 90000000, COSO_OK, 21853210},
    {"21.853", 6, -90000000, 90000000, COSO_OK, 21853000},
    {"106.123", 6, -180000000, 180000000, COSO_OK, 106123000},
    {"-21.5", 6, -90000000, 90000000, COSO_OK, -21500000},
    {"90", 6, -90000000, 90000000, COSO_OK, 90000000},
    {"90.000001", 6, -90000000, 90000000, COSO_ETOOBIG, 0},
    {"-91", 6, -90000000, 90000000, COSO_ETOOBIG, 0},
    {"21.8532101", 6, -90000000, 90000000, COSO_EFIELD, 0},
    {"21.85321000", 6, -90000000, 90000000, COSO_OK, 21853210},
    {"--1", 6, -90000000, 90000000, COSO_EFIELD, 0},
};

static void
test_numbers(void **state)
{
	int64_t v;
	size_t i;
	int rv;

	(void) state;
	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		const struct num_case *c = &nums[i];

		v  = -7;
		rv = coso_number_parse(c->in, c->scale, c->min, c->max, &v);
		if (rv != c->rv) {
			fail_msg("`%s' scale %u: %d, wanted %d", c->in,
			    c->scale, rv, c->rv);
		}
		if (rv == COSO_OK && v != c->want) {
			fail_msg("`%s' scale %u: %lld, wanted %lld", c->in,
			    c->scale, (long long) v, (long long) c->want);
		}
		if (rv != COSO_OK && v != -7) {
			fail_msg("`%s': *out written on failure", c->in);
		}
	}
	assert_int_equal(coso_number_parse(NULL, 0, 0, 1, &v), COSO_EFIELD);
}

/* Terminal columns and lines: a Vietnamese letter is one column with its
 * marks, NFC or NFD; lines break at spaces, a long word between
 * characters, never inside one. */
static void
test_width(void **state)
{
	/* "Đào Viên" in NFC and in NFD (a + grave, e + circumflex) */
	static const char nfc[] = "\xc4\x90\xc3\xa0o Vi\xc3\xaan";
	static const char nfd[] = "\xc4\x90"
	                          "a\xcc\x80o Vie\xcc\x82n";
	const char *s, *l;
	size_t n;

	(void) state;
	assert_int_equal(coso_text_cols(nfc, strlen(nfc)), 8);
	assert_int_equal(coso_text_cols(nfd, strlen(nfd)), 8);
	assert_int_equal(coso_text_cols("\xe6\xbc\xa2\xe5\xad\x97", 6), 4);
	assert_int_equal(coso_text_cols("06043", 5), 5);

	s = "chưa giải quyết kiến nghị";
	l = coso_text_line(&s, 10, &n);
	assert_int_equal(n, strlen("chưa giải"));
	assert_memory_equal(l, "chưa giải", n);
	l = coso_text_line(&s, 10, &n);
	assert_int_equal(n, strlen("quyết kiến"));
	assert_memory_equal(l, "quyết kiến", n);
	l = coso_text_line(&s, 10, &n);
	assert_int_equal(n, strlen("nghị"));
	assert_memory_equal(l, "nghị", n);
	assert_int_equal(*s, 0);
	/* exactly the width, then a space: the last word stays */
	s = "abc def ghi";
	l = coso_text_line(&s, 7, &n);
	assert_int_equal(n, 7);
	assert_string_equal(s, "ghi");
	/* a word longer than the line: cut between characters */
	s = "Đường";
	l = coso_text_line(&s, 3, &n);
	assert_memory_equal(l, "Đườ", n);
	assert_int_equal(n, strlen("Đườ"));
	assert_string_equal(s, "ng");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dates),
	    cmocka_unit_test(test_numbers),
	    cmocka_unit_test(test_width),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
