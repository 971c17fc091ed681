/*
 * test_httphead.c: the HTTP request head decoder: what curl sends, the
 * fields the API uses, line ends, pipelined bytes, every prefix of a
 * good head asking for more, and each refusal (400, 431, 505).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "httphead.h"

static int
parse(const char *text, struct httphead *h, size_t *used)
{
	memset(h, 0x5a, sizeof(*h));
	*used = 12345;
	return httphead_parse(h, text, strlen(text), used);
}

static int
rv_of(const char *text)
{
	struct httphead h;
	size_t used;

	return parse(text, &h, &used);
}

static void
assert_text(const char *p, size_t len, const char *want)
{
	assert_int_equal(len, strlen(want));
	assert_memory_equal(p, want, len);
}

static void
test_curl(void **state)
{
	static const char req[] = "GET /api/v1/entries?start=0&count=5 "
	                          "HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"
	                          "User-Agent: curl/7.88.1\r\nAccept: */*\r\n"
	                          "Authorization: Bearer  tok-1 \r\n\r\n";
	struct httphead h;
	size_t used;

	(void) state;
	assert_int_equal(parse(req, &h, &used), HTTPHEAD_OK);
	assert_int_equal(used, strlen(req));
	assert_text(h.method, h.method_len, "GET");
	assert_text(h.target, h.target_len, "/api/v1/entries?start=0&count=5");
	assert_text(h.auth, h.auth_len, "Bearer  tok-1");
	assert_int_equal(h.minor, 1);
	assert_true(h.has_host);
	assert_false(h.has_body);
	assert_false(h.close);
	assert_true(httphead_method_is(&h, "GET"));
	assert_false(httphead_method_is(&h, "GE"));
	assert_false(httphead_method_is(&h, "get"));
}

static void
test_fields(void **state)
{
	struct httphead h;
	size_t used;

	(void) state;
	/* HTTP/1.0: no Host needed, closed after */
	assert_int_equal(parse("HEAD / HTTP/1.0\r\n\r\n", &h, &used), 0);
	assert_true(h.close);
	assert_null(h.auth);
	assert_int_equal(h.minor, 0);
	assert_int_equal(parse("GET / HTTP/1.1\r\nhost:x\r\nCONNECTION: "
	                       "keep-alive , Close\r\n\r\n",
	                     &h, &used),
	    0);
	assert_true(h.close);
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: x\r\nConnection: "
	                       "closed\r\n\r\n",
	                     &h, &used),
	    0);
	assert_false(h.close);
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: "
	                       "000\r\n\r\n",
	                     &h, &used),
	    0);
	assert_false(h.has_body);
	assert_int_equal(parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length:"
	                       " 10\r\n\r\n0123456789",
	                     &h, &used),
	    0);
	assert_true(h.has_body);
	assert_int_equal(used,
	    strlen("POST / HTTP/1.1\r\nHost: x\r\n"
	           "Content-Length: 10\r\n\r\n"));
	assert_int_equal(parse("POST / HTTP/1.1\r\nHost: x\r\nTransfer-"
	                       "Encoding: chunked\r\n\r\n",
	                     &h, &used),
	    0);
	assert_true(h.has_body);
	/* obs-text and tabs in values are allowed */
	assert_int_equal(rv_of("GET / HTTP/1.1\r\nHost: x\r\nX-A: \t\xc3\xa1 "
	                       "b\t\r\n\r\n"),
	    HTTPHEAD_OK);
}

static void
test_lines_and_pipelining(void **state)
{
	static const char two[] = "GET /a HTTP/1.1\nHost: x\n\n"
	                          "GET /b HTTP/1.1\r\nHost: x\r\n\r\n";
	struct httphead h;
	size_t used, next;

	(void) state;
	assert_int_equal(parse(two, &h, &used), HTTPHEAD_OK);
	assert_int_equal(used, strlen("GET /a HTTP/1.1\nHost: x\n\n"));
	assert_text(h.target, h.target_len, "/a");
	assert_int_equal(parse(two + used, &h, &next), HTTPHEAD_OK);
	assert_int_equal(used + next, strlen(two));
	assert_text(h.target, h.target_len, "/b");
	/* one or two empty lines before the request line */
	assert_int_equal(rv_of("\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"), 0);
	assert_int_equal(
	    rv_of("\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"), 0);
	assert_int_equal(rv_of("\n\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"), 0);
	assert_int_equal(
	    rv_of("\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"),
	    HTTPHEAD_BAD);
}

/* Every prefix of a good head wants more; the head itself does not
 * change what was filled in before it ended. */
static void
test_prefixes(void **state)
{
	static const char req[] = "GET /checkpoint HTTP/1.1\r\nHost: a\r\n"
	                          "Authorization: Bearer t\r\n\r\n";
	struct httphead h;
	size_t i, used = 7;

	(void) state;
	for (i = 0; i < strlen(req); i++) {
		assert_int_equal(
		    httphead_parse(&h, req, i, &used), HTTPHEAD_MORE);
		assert_int_equal(used, 7);
	}
	assert_int_equal(httphead_parse(&h, req, i, &used), HTTPHEAD_OK);
}

static void
test_refusals(void **state)
{
	static const char *const bad[] = {
	    "GET / HTTP/1.1\r\n\r\n",                       /* no Host */
	    "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", /* two */
	    "GET / HTTP/1.1\r\nHost: a\r\nAuthorization: a\r\n"
	    "Authorization: b\r\n\r\n",
	    "GET / HTTP/1.1\r\nHost : a\r\n\r\n", /* blank, colon */
	    "GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n",
	    "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n",  /* bare CR */
	    "GET / HTTP/1.1\r\nHost: a\x01\r\n\r\n", /* control */
	    "GET / HTTP/1.1\r\nHost: a\x7f\r\n\r\n",
	    "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1x\r\n\r\n",
	    "GET / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n",
	    "GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n",
	    "GET /  HTTP/1.1\r\nHost: a\r\n\r\n", /* two spaces */
	    "GET / a HTTP/1.1\r\nHost: a\r\n\r\n",
	    "GET /\x80 HTTP/1.1\r\nHost: a\r\n\r\n", /* target */
	    "G(T / HTTP/1.1\r\nHost: a\r\n\r\n",     /* method */
	    " GET / HTTP/1.1\r\nHost: a\r\n\r\n",
	    "GET / HTTP/1.10\r\nHost: a\r\n\r\n",
	    "GET / http/1.1\r\nHost: a\r\n\r\n",
	    "GET / HTTP/1.x\r\nHost: a\r\n\r\n",
	    "GET /\r\n\r\n",                                  /* HTTP/0.9 */
	    "\x16\x03\x01\x02\x01\x01\x02\x01\xfc\x03\x03\n", /* TLS */
	};
	size_t i;

	(void) state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (rv_of(bad[i]) != HTTPHEAD_BAD) {
			fail_msg("accepted case %zu", i);
		}
	}
	/* a NUL is refused before the line ends */
	assert_int_equal(
	    httphead_parse(NULL, "GET /\0", 6, NULL), HTTPHEAD_BAD);
	assert_int_equal(
	    rv_of("GET / HTTP/2.0\r\nHost: a\r\n\r\n"), HTTPHEAD_VERSION);
	assert_int_equal(
	    rv_of("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), HTTPHEAD_VERSION);
	assert_int_equal(rv_of("GET / HTTP/0.9\r\n\r\n"), HTTPHEAD_VERSION);
}

static void
test_sizes(void **state)
{
	char buf[HTTPHEAD_MAX + 64];
	size_t n, i;
	struct httphead h;
	size_t used;

	(void) state;
	/* a head of exactly HTTPHEAD_MAX bytes is taken */
	n = (size_t) snprintf(
	    buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: a\r\nX: ");
	memset(buf + n, 'v', HTTPHEAD_MAX - n - 4);
	memcpy(buf + HTTPHEAD_MAX - 4, "\r\n\r\n", 4);
	assert_int_equal(
	    httphead_parse(&h, buf, HTTPHEAD_MAX, &used), HTTPHEAD_OK);
	assert_int_equal(used, HTTPHEAD_MAX);
	/* one more byte and it is too big, however much has come */
	memset(buf + n, 'v', HTTPHEAD_MAX - n - 3);
	memcpy(buf + HTTPHEAD_MAX - 3, "\r\n\r\n", 4);
	assert_int_equal(
	    httphead_parse(&h, buf, HTTPHEAD_MAX - 1, &used), HTTPHEAD_MORE);
	assert_int_equal(
	    httphead_parse(&h, buf, HTTPHEAD_MAX, &used), HTTPHEAD_TOOBIG);
	assert_int_equal(
	    httphead_parse(&h, buf, HTTPHEAD_MAX + 1, &used), HTTPHEAD_TOOBIG);
	/* fields: HTTPHEAD_FIELDS_MAX are taken, one more is too many */
	n = (size_t) snprintf(
	    buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: a\r\n");
	for (i = 1; i < HTTPHEAD_FIELDS_MAX; i++) {
		n += (size_t) snprintf(buf + n, sizeof(buf) - n, "X: 1\r\n");
	}
	memcpy(buf + n, "\r\n", 3);
	assert_int_equal(rv_of(buf), HTTPHEAD_OK);
	memcpy(buf + n, "X: 1\r\n\r\n", 9);
	assert_int_equal(rv_of(buf), HTTPHEAD_TOOBIG);
}

/* The fields a local app checks (Host, Origin, Cookie, Content-Type) and
 * the body's length, for reading it; each of them only once. */
static void
test_app_fields(void **state)
{
	struct httphead h;
	size_t used;

	(void) state;
	assert_int_equal(parse("POST /api/x HTTP/1.1\r\nHost: 127.0.0.1:7470\r"
	                       "\nOrigin: http://127.0.0.1:7470\r\nCookie: "
	                       "coso_k=ab\r\nContent-Type: application/json\r"
	                       "\nContent-Length: 4096\r\n\r\n",
	                     &h, &used),
	    0);
	assert_text(h.host, h.host_len, "127.0.0.1:7470");
	assert_text(h.origin, h.origin_len, "http://127.0.0.1:7470");
	assert_text(h.cookie, h.cookie_len, "coso_k=ab");
	assert_text(h.ctype, h.ctype_len, "application/json");
	assert_true(h.has_length);
	assert_int_equal(h.length, 4096);
	assert_false(h.chunked);
	assert_int_equal(
	    parse("GET / HTTP/1.1\r\nHost: a\r\n\r\n", &h, &used), 0);
	assert_null(h.origin);
	assert_null(h.cookie);
	assert_false(h.has_length);
	assert_int_equal(h.length, 0);
	assert_int_equal(parse("POST / HTTP/1.1\r\nHost: a\r\nContent-"
	                       "Length: 99999999999999999999999\r\n\r\n",
	                     &h, &used),
	    0);
	assert_true(h.length == UINT64_MAX);
	assert_int_equal(parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-"
	                       "Encoding: chunked\r\n\r\n",
	                     &h, &used),
	    0);
	assert_true(h.chunked);
	assert_false(h.has_length);
	/* a second one of each is refused: which would count? */
	assert_int_equal(rv_of("GET / HTTP/1.1\r\nHost: a\r\nOrigin: x\r\n"
	                       "Origin: y\r\n\r\n"),
	    HTTPHEAD_BAD);
	assert_int_equal(rv_of("GET / HTTP/1.1\r\nHost: a\r\nCookie: x\r\n"
	                       "Cookie: y\r\n\r\n"),
	    HTTPHEAD_BAD);
	assert_int_equal(rv_of("GET / HTTP/1.1\r\nHost: a\r\nContent-Type: "
	                       "x\r\nContent-Type: y\r\n\r\n"),
	    HTTPHEAD_BAD);
	assert_int_equal(rv_of("POST / HTTP/1.1\r\nHost: a\r\nContent-"
	                       "Length: 0\r\nContent-Length: 0\r\n\r\n"),
	    HTTPHEAD_BAD);
	assert_int_equal(rv_of("POST / HTTP/1.1\r\nHost: a\r\nContent-"
	                       "Length: 5\r\nContent-Length: 6\r\n\r\n"),
	    HTTPHEAD_BAD);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_app_fields),
	    cmocka_unit_test(test_curl),
	    cmocka_unit_test(test_fields),
	    cmocka_unit_test(test_lines_and_pipelining),
	    cmocka_unit_test(test_prefixes),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
