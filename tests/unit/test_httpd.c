/*
 * test_httpd.c: the central's HTTP connections on real loopback sockets,
 * with small limits: a request head that does not end in time closes its
 * connection, and so does an idle keep-alive one; beyond the connection
 * limit nothing is accepted until one ends; answers nobody reads are
 * refused beyond the bytes in flight, and an answer that stalls is
 * dropped, which frees its bytes; pipelined requests are answered in
 * order; HEAD gets the header only; what is not a request gets its error
 * and the connection is closed.  With bodies read (the device's app):
 * the body is given whole, however it arrives, bytes exactly, and the
 * request behind it is answered; one over the limit, or chunked, is
 * refused unread; one that stops arriving closes its connection.
 */
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
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "httpd.h"

#define BIG (6u * 1024u * 1024u) /* more than the kernels take in */

static char *big_body;

static void
pause_ms(long ms)
{
	struct timespec ts = {ms / 1000, ms % 1000 * 1000000L};

	nanosleep(&ts, NULL);
}
static char addr[32];
static int port;

/* Answers "/big" with BIG bytes, anything else with "ok"; a 503 when
 * the answers in flight leave no room, 400 for what is not a request. */
static void
on_req(struct httpd_conn *c, const struct httphead *h, int err, void *arg)
{
	struct httpd_reply r = {200, "text/plain", "ok", 2, NULL, 0};

	(void) arg;
	if (h == NULL) {
		r.status = err == HTTPHEAD_TOOBIG ? 431
		    : err == HTTPD_EBODY          ? 413
		    : err == HTTPD_ELENGTH        ? 411
		                                  : 400;
	} else if (h->target_len == 5 && memcmp(h->target, "/echo", 5) == 0) {
		r.body = (const char *) httpd_body(c, &r.len);
		r.body = r.body != NULL ? r.body : "";
	} else if (h->target_len == 4 && memcmp(h->target, "/big", 4) == 0) {
		r.body = big_body;
		r.len  = BIG;
	}
	if (httpd_answer(c, &r) == HTTPD_BUSY) {
		struct httpd_reply busy
		    = {503, "text/plain", "busy", 4, "Retry-After: 1\r\n", 0};

		assert_int_equal(httpd_answer(c, &busy), HTTPD_TAKEN);
	}
}

static size_t body_max; /* of the next start() */

static struct httpd *
start(unsigned conns, uint32_t head_ms, uint32_t stall_ms)
{
	struct httpd_limits lim = {conns, head_ms, stall_ms, 60000,
	    BIG + BIG / 2, 1024, body_max, 300};
	struct sockaddr_in sa   = {.sin_family = AF_INET};
	socklen_t sl            = sizeof(sa);
	char err[HTTPD_ERRMSG_MAX];
	struct httpd *d = NULL;
	int s           = socket(AF_INET, SOCK_STREAM, 0);

	/* a free port: bound by the kernel, then let go */
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s, (struct sockaddr *) &sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *) &sa, &sl), 0);
	port = ntohs(sa.sin_port);
	close(s);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	assert_int_equal(httpd_start(&d, addr, &lim, on_req, NULL, err), 0);
	return d;
}

static void
stop(struct httpd *d)
{
	httpd_close(d);
	httpd_free(d);
}

static int
dial(int small)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	int s = socket(AF_INET, SOCK_STREAM, 0), rcv = 4096;

	if (small) {
		setsockopt(s, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	}
	sa.sin_port        = htons((uint16_t) port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(s, (struct sockaddr *) &sa, sizeof(sa)), 0);
	return s;
}

static void
say(int s, const char *text)
{
	assert_int_equal(
	    send(s, text, strlen(text), MSG_NOSIGNAL), (ssize_t) strlen(text));
}

static void
get(int s, const char *path)
{
	char req[128];

	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: t\r\n\r\n", path);
	say(s, req);
}

/* Reads up to len bytes within ms; how many. */
static size_t
take(int s, char *buf, size_t len, int ms)
{
	struct pollfd p = {s, POLLIN, 0};
	size_t got      = 0;
	ssize_t n;

	while (got < len && poll(&p, 1, ms) == 1) {
		if ((n = recv(s, buf + got, len - got, 0)) <= 0) {
			break;
		}
		got += (size_t) n;
	}
	return got;
}

/* The status of the answer now arriving on s (0: none within ms). */
static int
status(int s, int ms)
{
	char b[13] = {0};

	return take(s, b, 12, ms) == 12 ? atoi(b + 9) : 0;
}

/* Whether the server closed s within ms (unread bytes are skipped). */
static int
closed(int s, int ms)
{
	struct pollfd p = {s, POLLIN, 0};
	char buf[65536];
	ssize_t n = 1;

	while (n > 0 && poll(&p, 1, ms) == 1) {
		n = recv(s, buf, sizeof(buf), 0);
	}
	return n <= 0;
}

/* One whole answer (head and Content-Length bytes) into buf. */
static size_t
answer(int s, char *buf, size_t cap)
{
	size_t got = 0, len;
	char *end, *cl;

	while ((end = strstr(buf, "\r\n\r\n")) == NULL) {
		assert_true(take(s, buf + got, 1, 2000) == 1);
		buf[++got] = 0;
		assert_true(got < cap);
	}
	cl = strstr(buf, "Content-Length: ");
	assert_non_null(cl);
	len = strtoul(cl + 16, NULL, 10) + (size_t) (end + 4 - buf);
	if (strncmp(buf, "HTTP/1.1 200 OK\r\nDate", 21) != 0
	    || strstr(buf, "Content-Type: text/plain\r\n") == NULL) {
		fail_msg("not an answer: %s", buf);
	}
	return len;
}

static void
test_head_deadline(void **state)
{
	struct httpd *d = start(8, 300, 10000);
	int a = dial(0), b = dial(0);

	(void) state;
	say(a, "GET /x HTTP/1.1\r\nHost: t\r\n"); /* never ends */
	get(b, "/x");
	assert_int_equal(status(b, 2000), 200);
	assert_true(closed(a, 2000));
	/* b, kept alive, idle: closed too */
	assert_true(closed(b, 2000));
	close(a);
	close(b);
	stop(d);
}

static void
test_connection_limit(void **state)
{
	struct httpd *d = start(2, 5000, 10000);
	int a = dial(0), b = dial(0), c = dial(0);

	(void) state;
	get(a, "/x");
	get(b, "/x");
	get(c, "/x");
	assert_int_equal(status(a, 2000), 200);
	assert_int_equal(status(b, 2000), 200);
	/* c waits in the backlog: not accepted while a and b are open */
	assert_int_equal(status(c, 500), 0);
	close(a);
	assert_int_equal(status(c, 2000), 200);
	close(b);
	close(c);
	stop(d);
}

static void
test_answers_in_flight(void **state)
{
	struct httpd *d = start(8, 10000, 10000);
	int a = dial(1), b = dial(1), c = -1, i, st;

	(void) state;
	get(a, "/big");
	assert_int_equal(status(a, 2000), 200); /* the rest is not read */
	get(b, "/big");
	assert_int_equal(status(b, 2000), 503); /* small: not counted */
	close(a); /* a's bytes are free again once the server sees it */
	for (i = 0, st = 0; i < 50 && st != 200; i++) {
		c = dial(1);
		get(c, "/big");
		if ((st = status(c, 2000)) != 200) {
			assert_int_equal(st, 503);
			close(c);
			pause_ms(100);
		}
	}
	assert_int_equal(st, 200);
	close(b);
	close(c);
	stop(d);
}

static void
test_stalled_answer(void **state)
{
	struct httpd *d = start(8, 10000, 300);
	int a           = dial(1), b;

	(void) state;
	get(a, "/big");
	assert_int_equal(status(a, 2000), 200);
	/* a reads nothing: dropped after 300 ms without progress */
	pause_ms(1000);
	b = dial(1);
	get(b, "/big");
	assert_int_equal(status(b, 2000), 200);
	close(a);
	close(b);
	stop(d);
}

static void
test_pipelined_and_head(void **state)
{
	struct httpd *d = start(8, 2000, 10000);
	int a           = dial(0);
	char buf[1024]  = {0};
	size_t n;

	(void) state;
	say(a,
	    "HEAD /x HTTP/1.1\r\nHost: t\r\n\r\nGET /y HTTP/1.1\r\n"
	    "Host: t\r\n\r\n");
	n = answer(a, buf, sizeof(buf));
	/* HEAD: Content-Length of the GET, no body: the GET's answer
	 * follows at once */
	assert_int_equal(n, strlen(buf) + 2);
	memset(buf, 0, sizeof(buf));
	answer(a, buf, sizeof(buf));
	assert_int_equal(take(a, buf, 2, 2000), 2);
	assert_memory_equal(buf, "ok", 2);
	close(a);
	stop(d);
}

static void
test_not_a_request(void **state)
{
	struct httpd *d = start(8, 2000, 10000);
	int a = dial(0), b = dial(0), c = dial(0);
	char junk[9000];

	(void) state;
	say(a, "\x16\x03\x01 hello\r\n");
	assert_int_equal(status(a, 2000), 400);
	assert_true(closed(a, 2000));
	memset(junk, 'a', sizeof(junk));
	memcpy(junk, "GET / HTTP/1.1\r\nX: ", 19);
	assert_int_equal(
	    send(b, junk, sizeof(junk), MSG_NOSIGNAL), (ssize_t) sizeof(junk));
	assert_int_equal(status(b, 2000), 431);
	assert_true(closed(b, 2000));
	/* a body is never read: answered, then closed */
	say(c, "GET /x HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc");
	assert_int_equal(status(c, 2000), 200);
	assert_true(closed(c, 2000));
	close(a);
	close(b);
	close(c);
	stop(d);
}

static void
test_stop_with_connections(void **state)
{
	struct httpd *d = start(8, 10000, 10000);
	int a = dial(1), b = dial(0);

	(void) state;
	get(a, "/big");
	assert_int_equal(status(a, 2000), 200);
	say(b, "GET /x HTTP/1.1\r\n");
	pause_ms(100);
	stop(d); /* one sending, one reading: both ended */
	assert_true(closed(a, 2000));
	assert_true(closed(b, 2000));
	close(a);
	close(b);
}

/* A POST of len bytes of body to /echo, head first, the body in pieces
 * of piece bytes with a pause between them. */
static void
post(int s, const uint8_t *body, size_t len, size_t piece)
{
	char head[128];
	size_t i, n;

	snprintf(head, sizeof(head),
	    "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: %zu\r\n\r\n",
	    len);
	say(s, head);
	for (i = 0; i < len; i += n) {
		n = len - i < piece ? len - i : piece;
		assert_int_equal(
		    send(s, body + i, n, MSG_NOSIGNAL), (ssize_t) n);
		pause_ms(20);
	}
}

/* The echoed body of the answer now arriving: its bytes, exactly. */
static void
echoed(int s, const uint8_t *want, size_t len)
{
	char buf[70000] = {0};
	size_t hl;

	assert_true(len < sizeof(buf) - 1024);
	hl = answer(s, buf, 1024) - len;
	assert_int_equal(take(s, buf + hl, len, 2000), len);
	assert_memory_equal(buf + hl, want, len);
}

static void
test_bodies(void **state)
{
	struct httpd *d;
	uint8_t body[65536];
	char buf[1024] = {0};
	size_t i;
	int a, b, c, e;

	(void) state;
	for (i = 0; i < sizeof(body); i++) {
		body[i] = (uint8_t) (i * 7 + i / 256); /* NULs and all bytes */
	}
	body_max = sizeof(body);
	d        = start(8, 2000, 10000);
	a        = dial(0);
	/* in pieces, then the whole limit at once, on one connection */
	post(a, body, 1000, 333);
	echoed(a, body, 1000);
	post(a, body, sizeof(body), sizeof(body));
	echoed(a, body, sizeof(body));
	/* a body and a request behind it in one send */
	say(a,
	    "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\n"
	    "abcGET /x HTTP/1.1\r\nHost: t\r\n\r\n");
	echoed(a, (const uint8_t *) "abc", 3);
	answer(a, buf, sizeof(buf));
	assert_int_equal(take(a, buf, 2, 2000), 2);
	assert_memory_equal(buf, "ok", 2);
	/* one byte over: refused before it is read, and closed */
	b = dial(0);
	say(b,
	    "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 65537\r\n"
	    "\r\n");
	assert_int_equal(status(b, 2000), 413);
	assert_true(closed(b, 2000));
	c = dial(0);
	say(c,
	    "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: "
	    "chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
	assert_int_equal(status(c, 2000), 411);
	assert_true(closed(c, 2000));
	/* a body that stops coming: closed after body_ms, unanswered */
	e = dial(0);
	say(e,
	    "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n"
	    "\r\nabc");
	assert_int_equal(status(e, 1500), 0);
	assert_true(closed(e, 2000));
	close(a);
	close(b);
	close(c);
	close(e);
	stop(d);
	body_max = 0;
}

static int
setup(void **state)
{
	(void) state;
	big_body = malloc(BIG);
	memset(big_body, 'b', BIG);
	return 0;
}

static int
teardown(void **state)
{
	(void) state;
	free(big_body);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_head_deadline),
	    cmocka_unit_test(test_connection_limit),
	    cmocka_unit_test(test_answers_in_flight),
	    cmocka_unit_test(test_stalled_answer),
	    cmocka_unit_test(test_pipelined_and_head),
	    cmocka_unit_test(test_not_a_request),
	    cmocka_unit_test(test_stop_with_connections),
	    cmocka_unit_test(test_bodies),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
