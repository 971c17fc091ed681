/*
 * test_appguard.c: the cadre's app's guards (daemon/app/guard.h): the
 * Host a request names (DNS rebinding: any other name is refused, even
 * one that resolves to 127.0.0.1), the Origin of a write, the launch's
 * secret in the cookie and in the printed URL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "../../daemon/app/guard.h"

static struct guard g;

static int
host(const char *h)
{
	return guard_host(&g, h, strlen(h));
}

static int
origin(const char *o)
{
	return guard_origin(&g, o, strlen(o));
}

static int
cookie(const char *c)
{
	return guard_cookie(&g, c, strlen(c));
}

static void
test_hosts(void **state)
{
	(void) state;
	assert_int_equal(guard_init(&g, 7470, NULL), 0);
	assert_true(host("127.0.0.1:7470"));
	assert_true(host("localhost:7470"));
	assert_true(host("LOCALHOST:7470"));
	assert_true(host("[::1]:7470"));
	assert_false(host("127.0.0.1:7471"));
	assert_false(host("127.0.0.1"));
	assert_false(host("evil.example:7470"));
	assert_false(host("127.0.0.1.evil.example:7470"));
	assert_false(host("localhost.:7470"));
	assert_false(host("127.0.0.1:7470 "));
	assert_false(host(""));
	assert_false(guard_host(&g, NULL, 0));
	/* --ui-any 192.168.1.5:7470: that one too, no other */
	assert_int_equal(guard_init(&g, 7470, "192.168.1.5:7470"), 0);
	assert_true(host("192.168.1.5:7470"));
	assert_false(host("192.168.1.6:7470"));
}

static void
test_origins(void **state)
{
	(void) state;
	assert_int_equal(guard_init(&g, 7470, NULL), 0);
	assert_true(origin("http://127.0.0.1:7470"));
	assert_true(origin("http://localhost:7470"));
	assert_false(origin("https://127.0.0.1:7470"));
	assert_false(origin("http://127.0.0.1:7470/"));
	assert_false(origin("http://evil.example"));
	assert_false(origin("null"));
	assert_false(origin("http://"));
	assert_false(guard_origin(&g, NULL, 0));
}

static void
test_secret(void **state)
{
	char c[200], q[80], other[GUARD_SECRET_HEX + 1];

	(void) state;
	assert_int_equal(guard_init(&g, 7470, NULL), 0);
	assert_int_equal(strlen(g.secret), GUARD_SECRET_HEX);
	assert_int_equal(strspn(g.secret, "0123456789abcdef"), 64);
	memcpy(other, g.secret, sizeof(other));
	assert_int_equal(guard_init(&g, 7470, NULL), 0);
	assert_string_not_equal(other, g.secret); /* one per launch */

	snprintf(c, sizeof(c), "coso_k=%s", g.secret);
	assert_true(cookie(c));
	snprintf(c, sizeof(c), "a=b; coso_k=%s; lang=vi", g.secret);
	assert_true(cookie(c));
	snprintf(c, sizeof(c), "coso_k=%s", other);
	assert_false(cookie(c));
	snprintf(c, sizeof(c), "coso_k=%.63s", g.secret);
	assert_false(cookie(c));
	snprintf(c, sizeof(c), "coso_k=%s0", g.secret);
	assert_false(cookie(c));
	snprintf(c, sizeof(c), "xcoso_k=%s", g.secret);
	assert_false(cookie(c));
	assert_false(cookie("coso_k="));
	assert_false(guard_cookie(&g, NULL, 0));

	snprintf(q, sizeof(q), "k=%s", g.secret);
	assert_true(guard_query(&g, q, strlen(q)));
	snprintf(q, sizeof(q), "k=%s&x=1", g.secret);
	assert_false(guard_query(&g, q, strlen(q)));
	snprintf(q, sizeof(q), "k=%s", other);
	assert_false(guard_query(&g, q, strlen(q)));
	guard_wipe(&g);
	snprintf(q, sizeof(q), "k=%s", other);
	assert_false(guard_query(&g, q, strlen(q))); /* wiped: nothing fits */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hosts),
	    cmocka_unit_test(test_origins),
	    cmocka_unit_test(test_secret),
	};

	if (sodium_init() < 0) {
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
