/*
 * test_wipe.c: a passphrase sent to the app leaves no copy in memory
 * given back to malloc.  Linked with -Wl,--wrap=free (Makefile): every
 * free() of our libraries and of this file goes through __wrap_free,
 * which looks for the passphrase in the block before it is freed.
 *
 * - the request body httpd reads (and the head buffer that took its
 *   first bytes) is wiped before it is freed;
 * - jansson's blocks (the parsed strings, the lexer's buffers) are
 *   wiped by the app's allocator (wipe.h); with a plain allocator the
 *   same request leaves the passphrase in them, which this test sees:
 *   the check can fail;
 * - /api/setup and /api/unlock, through the routes the app serves,
 *   leave no copy behind, on success and on a wrong passphrase.
 */
#include <malloc.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>

#include <coso/client.h>

#include "httpd.h"
#include "../../daemon/app/api.h"
#include "../../daemon/app/wipe.h"

/* The passphrases of these tests; what is looked for is their middle,
 * a run of bytes nothing else holds. */
#define PASS_GOOD "mật-khẩu 7Qz1KpWm83vX đèo"
#define PASS_BAD  "sai-rồi 4Hn6TgYe02bL núi"
static const char *const marks[] = {"7Qz1KpWm83vX", "4Hn6TgYe02bL"};

static int watching;
static unsigned hits, seen;

void __real_free(void *p);
void __wrap_free(void *p);

static int
holds(const unsigned char *p, size_t n, const char *m)
{
	size_t i, ml = strlen(m);

	for (i = 0; i + ml <= n; i++) {
		if (memcmp(p + i, m, ml) == 0) {
			return 1;
		}
	}
	return 0;
}

void
__wrap_free(void *p)
{
	size_t i;

	if (p != NULL && watching) {
		seen++;
		for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
			hits += holds(p, malloc_usable_size(p), marks[i]);
		}
	}
	__real_free(p);
}

static void
watch(void)
{
	hits     = 0;
	seen     = 0;
	watching = 1;
}

static void
pause_ms(long ms)
{
	struct timespec ts = {ms / 1000, ms % 1000 * 1000000L};

	nanosleep(&ts, NULL);
}

/* The watcher itself: a block holding the mark is seen. */
static void
test_detector(void **state)
{
	/* Called through a volatile pointer: the compiler may not drop a
	 * block written and freed unread. */
	void (*volatile release)(void *) = free;
	char *p                          = malloc(64);

	(void) state;
	assert_non_null(p);
	snprintf(p, 64, "x %s y", PASS_GOOD);
	watch();
	release(p);
	watching = 0;
	assert_int_equal(hits, 1);
}

/* ---- httpd ----------------------------------------------------------------
 */

static void
on_req(struct httpd_conn *c, const struct httphead *h, int err, void *arg)
{
	struct httpd_reply r = {200, "text/plain", "ok", 2, NULL, 0};
	size_t n             = 0;

	(void) arg;
	if (h == NULL) {
		r.status = (uint16_t) (400 + err);
	} else if (httpd_body(c, &n) == NULL || n == 0) {
		r.body = "none";
		r.len  = 4;
	}
	assert_int_equal(httpd_answer(c, &r), HTTPD_TAKEN);
}

static int
dial_free(struct httpd **d)
{
	struct httpd_limits lim
	    = {4, 2000, 2000, 5000, 1u << 20, 1024, 4096, 2000};
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t sl          = sizeof(sa);
	char err[HTTPD_ERRMSG_MAX], addr[32];
	int s = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s, (struct sockaddr *) &sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *) &sa, &sl), 0);
	close(s);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", ntohs(sa.sin_port));
	assert_int_equal(httpd_start(d, addr, &lim, on_req, NULL, err), 0);
	s = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(s, (struct sockaddr *) &sa, sizeof(sa)), 0);
	return s;
}

static void
say(int s, const char *text)
{
	assert_int_equal(
	    send(s, text, strlen(text), MSG_NOSIGNAL), (ssize_t) strlen(text));
}

/* Reads until "ok" or "none" has come n times, within 5 s. */
static void
answers(int s, unsigned n)
{
	char buf[4096];
	size_t have = 0;
	unsigned got;
	int tries;

	for (tries = 0; tries < 500; tries++) {
		struct pollfd p = {s, POLLIN, 0};
		const char *q   = buf;
		ssize_t r;

		if (poll(&p, 1, 10) == 1
		    && (r = recv(s, buf + have, sizeof(buf) - 1 - have, 0))
		        > 0) {
			have += (size_t) r;
		}
		buf[have] = 0;
		for (got = 0; (q = strstr(q, "HTTP/1.1 200")) != NULL; q++) {
			got++;
		}
		if (got >= n) {
			return;
		}
	}
	fail_msg("%u answers not received: %s", n, buf);
}

/*
 * The body's first bytes come with the head (they land in the head
 * buffer), the rest a moment later (read into the body's block); a
 * request pipelined behind it moves into the head buffer's start.
 */
static void
test_httpd_body(void **state)
{
	struct httpd *d = NULL;
	char head[256], body[128];
	int s;

	(void) state;
	snprintf(body, sizeof(body), "{\"passphrase\":\"%s\"}", PASS_GOOD);
	s = dial_free(&d);
	watch();
	snprintf(head, sizeof(head),
	    "POST /api/unlock HTTP/1.1\r\nHost: t\r\nContent-Length: "
	    "%zu\r\n\r\n%.*s",
	    strlen(body), 24, body);
	say(s, head);
	pause_ms(50);
	say(s, body + 24);
	answers(s, 1);
	snprintf(head, sizeof(head),
	    "POST /api/unlock HTTP/1.1\r\nHost: t\r\nContent-Length: "
	    "%zu\r\n\r\n%sGET / HTTP/1.1\r\nHost: t\r\n\r\n",
	    strlen(body), body);
	say(s, head);
	answers(s, 2);
	close(s);
	httpd_close(d);
	httpd_free(d);
	watching = 0;
	assert_true(seen > 0);
	assert_int_equal(hits, 0);
}

/* ---- jansson --------------------------------------------------------------
 */

static void *
plain_malloc(size_t n)
{
	return malloc(n);
}

static void
plain_free(void *p)
{
	free(p);
}

static unsigned
parse_and_free(void)
{
	char text[128];
	json_t *o;

	snprintf(text, sizeof(text), "{\"passphrase\": \"%s\", \"n\": 1}",
	    PASS_GOOD);
	watch();
	o = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	assert_non_null(o);
	assert_string_equal(
	    json_string_value(json_object_get(o, "passphrase")), PASS_GOOD);
	json_decref(o);
	watching = 0;
	sodium_memzero(text, sizeof(text));
	assert_true(seen > 0);
	return hits;
}

/* The control: jansson's blocks, not wiped, are seen holding it. */
static void
test_json_plain_leaves_it(void **state)
{
	(void) state;
	json_set_alloc_funcs(plain_malloc, plain_free);
	assert_true(parse_and_free() > 0);
}

static void
test_json_wiped(void **state)
{
	json_malloc_t m;
	json_free_t f;

	(void) state;
	app_json_wipe_install();
	json_get_alloc_funcs(&m, &f);
	assert_ptr_equal(m, app_wipe_malloc);
	assert_ptr_equal(f, app_wipe_free);
	assert_int_equal(parse_and_free(), 0);
}

/* ---- the app's routes -----------------------------------------------------
 */

static char dir[64];

static uint16_t
call(struct appw *w, const char *path, const char *pass)
{
	struct req rq;
	char body[256];
	uint16_t status;

	memset(&rq, 0, sizeof(rq));
	snprintf(body, sizeof(body),
	    "{\"name\":\"Lò Thị Mai\",\"cadre_id\":\"cb-mai\","
	    "\"passphrase\":\"%s\"}",
	    pass);
	rq.w        = w;
	rq.method   = "POST";
	rq.ctype    = "application/json";
	rq.body     = (const uint8_t *) body;
	rq.body_len = strlen(body);
	snprintf(rq.path, sizeof(rq.path), "%s", path);
	api_dispatch(&rq);
	status = rq.status;
	json_decref(rq.in);
	json_decref(rq.out);
	sodium_memzero(body, sizeof(body));
	return status;
}

static void
test_setup_unlock(void **state)
{
	struct applink link;
	struct appw w = {dir, NULL, APP_NEW, &link};
	char err[COSO_ERRMSG_MAX], cmd[96];

	(void) state;
	app_json_wipe_install();
	snprintf(dir, sizeof(dir), "/tmp/coso-wipe-XXXXXX");
	assert_non_null(mkdtemp(dir));
	strcat(dir, "/store");
	assert_int_equal(applink_init(&link), 0);
	watch();
	assert_int_equal(call(&w, "/api/setup", PASS_GOOD), 201);
	assert_int_equal(w.state, APP_READY);
	coso_store_close(w.s);
	/* A second launch: the key sealed, a wrong passphrase, the right. */
	assert_int_equal(coso_store_open(&w.s, dir, NULL, 0, err), COSO_OK);
	w.state = APP_LOCKED;
	assert_int_equal(call(&w, "/api/unlock", PASS_BAD), 401);
	assert_int_equal(w.state, APP_LOCKED);
	assert_int_equal(call(&w, "/api/unlock", PASS_GOOD), 200);
	assert_int_equal(w.state, APP_READY);
	coso_store_close(w.s);
	applink_fini(&link);
	watching           = 0;
	*strrchr(dir, '/') = 0;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	assert_true(seen > 0);
	assert_int_equal(hits, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_detector),
	    cmocka_unit_test(test_httpd_body),
	    cmocka_unit_test(test_json_plain_leaves_it),
	    cmocka_unit_test(test_json_wiped),
	    cmocka_unit_test(test_setup_unlock),
	};

	if (sodium_init() < 0) {
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
