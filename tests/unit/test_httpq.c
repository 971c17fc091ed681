/*
 * test_httpq.c: the HTTP API's query decoder: values, defaults left
 * absent, and every refusal (numbers, hex, names, duplicates, syntax,
 * bounds).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "httpq.h"

/* The inclusion route's parameters, fresh for each case. */
static void
params(struct httpq_param p[3])
{
	memset(p, 0, 3 * sizeof(*p));
	p[0].name = "index";
	p[0].type = HTTPQ_U64;
	p[1].name = "id";
	p[1].type = HTTPQ_HEX32;
	p[2].name = "size";
	p[2].type = HTTPQ_U64;
}

static int
parse(const char *q, struct httpq_param p[3], size_t *bad)
{
	params(p);
	return httpq_parse(q, strlen(q), p, 3, bad);
}

static void
test_values(void **state)
{
	struct httpq_param p[3];
	size_t bad;
	char q[200];
	int i;

	(void) state;
	assert_int_equal(
	    parse("index=0&size=18446744073709551615", p, &bad), HTTPQ_OK);
	assert_int_equal(bad, 3);
	assert_true(p[0].present);
	assert_int_equal(p[0].u64, 0);
	assert_false(p[1].present);
	assert_true(p[2].present);
	assert_true(p[2].u64 == UINT64_MAX);
	snprintf(q, sizeof(q), "size=7&id=");
	for (i = 0; i < 32; i++) {
		snprintf(q + strlen(q), 3, "%02X", 0xa0 + i);
	}
	assert_int_equal(parse(q, p, &bad), HTTPQ_OK);
	assert_true(p[1].present);
	assert_int_equal(p[1].hex[0], 0xa0);
	assert_int_equal(p[1].hex[31], 0xa0 + 31);
	assert_int_equal(p[2].u64, 7);
	assert_false(p[0].present);
	assert_int_equal(parse("index=1234567890", p, &bad), HTTPQ_OK);
	assert_int_equal(p[0].u64, 1234567890u);
}

/* The empty query is allowed and clears what a previous parse set. */
static void
test_empty(void **state)
{
	struct httpq_param p[3];
	size_t bad;

	(void) state;
	params(p);
	p[0].present = 1;
	assert_int_equal(httpq_parse("", 0, p, 3, &bad), HTTPQ_OK);
	assert_false(p[0].present || p[1].present || p[2].present);
	assert_int_equal(httpq_parse("x=1", 0, p, 3, &bad), HTTPQ_OK);
}

static void
test_numbers(void **state)
{
	static const char *const bad_numbers[] = {"index=", "index=01",
	    "index=00", "index=-1", "index=+1", "index=1a", "index= 1",
	    "index=1 ", "index=0x10", "index=18446744073709551616",
	    "index=99999999999999999999", "index=000000000000000000001",
	    "index=1.0", "index=%31", "index=1e3"};
	struct httpq_param p[3];
	size_t i, bad;

	(void) state;
	for (i = 0; i < sizeof(bad_numbers) / sizeof(bad_numbers[0]); i++) {
		assert_int_equal(
		    parse(bad_numbers[i], p, &bad), HTTPQ_ENUMBER);
		assert_int_equal(bad, 0);
		assert_false(p[0].present);
	}
	assert_int_equal(parse("size=18446744073709551614", p, &bad), 0);
	assert_true(p[2].u64 == UINT64_MAX - 1);
}

static void
test_hex(void **state)
{
	char q[200];
	struct httpq_param p[3];
	size_t bad;

	(void) state;
	memset(q, 0, sizeof(q));
	strcpy(q, "id=");
	memset(q + 3, 'a', 63);
	assert_int_equal(parse(q, p, &bad), HTTPQ_EHEX);
	assert_int_equal(bad, 1);
	q[3 + 63] = 'a';
	assert_int_equal(parse(q, p, &bad), HTTPQ_OK);
	assert_int_equal(p[1].hex[5], 0xaa);
	q[3 + 64] = 'a';
	assert_int_equal(parse(q, p, &bad), HTTPQ_EHEX);
	q[3 + 64] = 0;
	q[10]     = 'g';
	assert_int_equal(parse(q, p, &bad), HTTPQ_EHEX);
	q[10] = '%';
	assert_int_equal(parse(q, p, &bad), HTTPQ_EHEX);
	assert_int_equal(parse("id=", p, &bad), HTTPQ_EHEX);
}

static void
test_names(void **state)
{
	struct httpq_param p[3];
	size_t bad;

	(void) state;
	assert_int_equal(parse("start=1", p, &bad), HTTPQ_EUNKNOWN);
	assert_int_equal(bad, 3);
	assert_int_equal(parse("Index=1", p, &bad), HTTPQ_ESYNTAX);
	assert_int_equal(parse("inde%78=1", p, &bad), HTTPQ_ESYNTAX);
	assert_int_equal(parse("indexx=1", p, &bad), HTTPQ_EUNKNOWN);
	assert_int_equal(parse("inde=1", p, &bad), HTTPQ_EUNKNOWN);
	assert_int_equal(parse("index=1&index=1", p, &bad), HTTPQ_EDUP);
	assert_int_equal(bad, 0);
	assert_int_equal(parse("size=1&index=2&size=3", p, &bad), HTTPQ_EDUP);
	assert_int_equal(bad, 2);
}

static void
test_syntax(void **state)
{
	static const char *const bad_syntax[] = {"&", "&index=1", "index=1&",
	    "index=1&&size=2", "index", "=1", "index=1&size", "index=1;size=2",
	    "index=1?size=2", "a b=1", "index=1#x"};
	struct httpq_param p[3];
	size_t i, bad;
	int rv;

	(void) state;
	for (i = 0; i < sizeof(bad_syntax) / sizeof(bad_syntax[0]); i++) {
		rv = parse(bad_syntax[i], p, &bad);
		/* A stray byte inside a value is that value's error. */
		assert_true(rv == HTTPQ_ESYNTAX || rv == HTTPQ_ENUMBER);
		assert_int_not_equal(rv, HTTPQ_OK);
	}
	assert_int_equal(parse("index=1&", p, &bad), HTTPQ_ESYNTAX);
	assert_int_equal(parse("index=1;size=2", p, &bad), HTTPQ_ENUMBER);
}

/* NUL bytes and non-ASCII are not in the grammar. */
static void
test_bytes(void **state)
{
	struct httpq_param p[3];
	size_t bad;

	(void) state;
	params(p);
	assert_int_equal(
	    httpq_parse("index=1\0", 8, p, 3, &bad), HTTPQ_ENUMBER);
	assert_int_equal(
	    httpq_parse("ind\0x=1", 7, p, 3, &bad), HTTPQ_ESYNTAX);
	assert_int_equal(
	    httpq_parse("\xc3\xa9=1", 4, p, 3, &bad), HTTPQ_ESYNTAX);
}

/* Length: exactly the limit passes the length check. */
static void
test_bounds(void **state)
{
	char q[HTTPQ_LEN_MAX + 2];
	struct httpq_param p[3];
	size_t bad;

	(void) state;
	params(p);
	memset(q, '0', sizeof(q));
	memcpy(q, "index=", 6);
	assert_int_equal(
	    httpq_parse(q, HTTPQ_LEN_MAX + 1, p, 3, &bad), HTTPQ_ETOOLONG);
	assert_int_equal(
	    httpq_parse(q, HTTPQ_LEN_MAX, p, 3, &bad), HTTPQ_ENUMBER);
	memcpy(q, "index=1", 7);
	memset(q + 7, '0', HTTPQ_LEN_MAX - 7);
	assert_int_equal(
	    httpq_parse(q, HTTPQ_LEN_MAX, p, 3, &bad), HTTPQ_ENUMBER);
	assert_int_equal(httpq_parse(q, 26, p, 3, &bad), HTTPQ_OK);
	assert_true(p[0].u64 == UINT64_C(10000000000000000000));
}

static void
test_too_many(void **state)
{
	char q[256] = "";
	struct httpq_param p[20];
	char names[20][4];
	size_t bad;
	int i;

	(void) state;
	memset(p, 0, sizeof(p));
	for (i = 0; i < 20; i++) {
		snprintf(names[i], sizeof(names[i]), "p%d", i);
		p[i].name = names[i];
		p[i].type = HTTPQ_U64;
	}
	for (i = 0; i < 16; i++) {
		snprintf(q + strlen(q), sizeof(q) - strlen(q), "%sp%d=%d",
		    i == 0 ? "" : "&", i, i);
	}
	assert_int_equal(httpq_parse(q, strlen(q), p, 20, &bad), HTTPQ_OK);
	assert_int_equal(p[15].u64, 15);
	strcat(q, "&p16=16");
	assert_int_equal(
	    httpq_parse(q, strlen(q), p, 20, &bad), HTTPQ_ETOOMANY);
	assert_int_equal(bad, 20);
}

/* Text values: the compliance route's period and unit. */
static void
test_text(void **state)
{
	struct httpq_param p[2];
	size_t bad;
	char q[200];
	const char *s;

	(void) state;
	memset(p, 0, sizeof(p));
	p[0].name = "period";
	p[0].type = HTTPQ_TEXT;
	p[1].name = "unit";
	p[1].type = HTTPQ_TEXT;
	s         = "period=2025-Q4&unit=05977";
	assert_int_equal(httpq_parse(s, strlen(s), p, 2, &bad), HTTPQ_OK);
	assert_true(p[0].present && p[1].present);
	assert_int_equal(p[0].text_len, 7);
	assert_memory_equal(p[0].text, "2025-Q4", 7);
	assert_int_equal(p[1].text_len, 5);
	assert_memory_equal(p[1].text, "05977", 5);
	s = "unit=a.b_C-9";
	assert_int_equal(httpq_parse(s, strlen(s), p, 2, &bad), HTTPQ_OK);
	assert_false(p[0].present);
	assert_int_equal(p[1].text_len, 7);
	/* Empty, percent-encoded, spaces, quotes, over 64 bytes. */
	s = "period=";
	assert_int_equal(httpq_parse(s, strlen(s), p, 2, &bad), HTTPQ_ETEXT);
	assert_int_equal(bad, 0);
	s = "period=2025%2DQ4";
	assert_int_equal(httpq_parse(s, strlen(s), p, 2, &bad), HTTPQ_ETEXT);
	s = "unit=a+b";
	assert_int_equal(httpq_parse(s, strlen(s), p, 2, &bad), HTTPQ_ETEXT);
	assert_int_equal(bad, 1);
	s = "unit='x'";
	assert_int_equal(httpq_parse(s, strlen(s), p, 2, &bad), HTTPQ_ETEXT);
	snprintf(q, sizeof(q), "unit=%065d", 1);
	assert_int_equal(httpq_parse(q, strlen(q), p, 2, &bad), HTTPQ_ETEXT);
	snprintf(q, sizeof(q), "unit=%064d", 1);
	assert_int_equal(httpq_parse(q, strlen(q), p, 2, &bad), HTTPQ_OK);
	s = "period=2025&period=2025";
	assert_int_equal(httpq_parse(s, strlen(s), p, 2, &bad), HTTPQ_EDUP);
}

static void
test_messages(void **state)
{
	int e;

	(void) state;
	for (e = HTTPQ_OK; e <= HTTPQ_ETEXT; e++) {
		assert_non_null(httpq_strerror(e));
		assert_true(strlen(httpq_strerror(e)) > 5);
	}
	assert_non_null(httpq_strerror(-1));
	assert_non_null(httpq_strerror(99));
	assert_string_equal(
	    httpq_strerror(HTTPQ_EDUP), "A query parameter is given twice");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_values),
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_numbers),
	    cmocka_unit_test(test_hex),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_syntax),
	    cmocka_unit_test(test_bytes),
	    cmocka_unit_test(test_bounds),
	    cmocka_unit_test(test_too_many),
	    cmocka_unit_test(test_text),
	    cmocka_unit_test(test_messages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
