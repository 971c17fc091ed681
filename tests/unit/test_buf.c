/*
 * test_buf.c: the growable byte buffer (proto/buf.c): it holds exactly up
 * to its limit and refuses the byte past it, leaving what it held; its
 * bytes are always a C string; handing them over empties it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <coso/proto.h>

/* Byte-at-a-time and in runs, up to max: every byte kept in order. */
static void
test_buf_fills_to_limit(void **state)
{
	static const size_t maxes[] = {0, 1, 63, 64, 65, 1000, 4096};
	struct coso_buf b;
	uint8_t want[4097];
	size_t i, k;

	(void) state;
	for (i = 0; i < sizeof(want); i++) {
		want[i] = (uint8_t) ('a' + i % 26);
	}
	for (k = 0; k < sizeof(maxes) / sizeof(maxes[0]); k++) {
		coso_buf_init(&b, maxes[k]);
		for (i = 0; i < maxes[k]; i += 1 + i % 7) {
			size_t n = 1 + i % 7 > maxes[k] - i ? maxes[k] - i
			                                    : 1 + i % 7;
			assert_int_equal(
			    coso_buf_add(&b, want + i, n), COSO_OK);
		}
		assert_int_equal(b.len, maxes[k]);
		assert_int_equal(coso_buf_add(&b, "x", 1), COSO_ETOOBIG);
		assert_int_equal(b.len, maxes[k]);
		if (maxes[k] > 0) {
			assert_memory_equal(b.p, want, maxes[k]);
			assert_int_equal(b.p[maxes[k]], 0);
			assert_true(b.cap <= maxes[k] + 1 || b.cap == 64);
		}
		coso_buf_free(&b);
		assert_null(b.p);
		assert_int_equal(b.len, 0);
	}
}

/* A run that would cross the limit is refused whole. */
static void
test_buf_refuses_whole_run(void **state)
{
	struct coso_buf b;

	(void) state;
	coso_buf_init(&b, 10);
	assert_int_equal(coso_buf_add(&b, "hello", 5), COSO_OK);
	assert_int_equal(coso_buf_add(&b, "world!", 6), COSO_ETOOBIG);
	assert_int_equal(b.len, 5);
	assert_string_equal((char *) b.p, "hello");
	assert_int_equal(coso_buf_add(&b, "world", 5), COSO_OK);
	assert_string_equal((char *) b.p, "helloworld");
	assert_int_equal(coso_buf_add(&b, NULL, 0), COSO_OK);
	assert_int_equal(coso_buf_add(&b, "", SIZE_MAX), COSO_ETOOBIG);
	coso_buf_free(&b);
}

/* take hands over a C string (even when empty) and leaves b empty with
 * its limit; reset keeps the memory. */
static void
test_buf_take_and_reset(void **state)
{
	struct coso_buf b;
	uint8_t *out = NULL;
	size_t len   = 99;

	(void) state;
	coso_buf_init(&b, 8);
	assert_int_equal(coso_buf_take(&b, &out, &len), COSO_OK);
	assert_non_null(out);
	assert_int_equal(len, 0);
	assert_int_equal(out[0], 0);
	free(out);
	assert_int_equal(coso_buf_add(&b, "abc", 3), COSO_OK);
	coso_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_non_null(b.p);
	assert_int_equal(b.p[0], 0);
	assert_int_equal(coso_buf_add(&b, "12345678", 8), COSO_OK);
	assert_int_equal(coso_buf_take(&b, &out, &len), COSO_OK);
	assert_int_equal(len, 8);
	assert_string_equal((char *) out, "12345678");
	assert_null(b.p);
	assert_int_equal(b.max, 8);
	assert_int_equal(coso_buf_add(&b, "123456789", 9), COSO_ETOOBIG);
	free(out);
	coso_buf_free(&b);
	coso_buf_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_buf_fills_to_limit),
	    cmocka_unit_test(test_buf_refuses_whole_run),
	    cmocka_unit_test(test_buf_take_and_reset),
	};

	return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
