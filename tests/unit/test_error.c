/*
 * test_error.c: every error code has its own sentence; others do not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <coso/client.h>
#include <coso/proto.h>

/* Every code of enum coso_err, proto's and the client's, has its own
 * sentence from coso_strerror (one table); numbers that are no code say
 * "unknown error". */
static void
test_every_code_has_a_sentence(void **state)
{
	const char *seen[128] = {0};
	int code, n = 0;

	(void) state;
	for (code = 0; code < 128; code++) {
		int known = code <= COSO_EPERM
		    || (code >= COSO_ESTORE && code <= COSO_ESTOPPED)
		    || (code >= COSO_QFORK && code <= COSO_QUNITDATE);
		const char *m = coso_strerror(code);
		if (!known) {
			assert_string_equal(m, "unknown error");
			continue;
		}
		assert_string_not_equal(m, "unknown error");
		for (int i = 0; i < n; i++) {
			assert_string_not_equal(m, seen[i]); /* distinct */
		}
		seen[n++] = m;
	}
	assert_int_equal(n, 24 + 14 + 12);
	assert_string_equal(coso_strerror(-1), "unknown error");
	assert_string_equal(coso_strerror(COSO_QUNAUTH),
	    "author not assigned to that unit on that date");
	assert_string_equal(coso_strerror(COSO_EUNIT), "unknown unit");
	assert_string_equal(
	    coso_strerror(COSO_ESTORE), "store database failure");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_code_has_a_sentence),
	};
	return cmocka_run_group_tests_name("error", tests, NULL, NULL);
}
