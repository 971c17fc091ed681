/*
 * test_sockfd.c: shutting down this process's TCP sockets by address
 * pair: exactly the sockets asked for (their peers see the end, the
 * others do not), in either direction of a connection only as asked,
 * nothing for a pair that is not there; and when the process has no
 * descriptor left, which is when the central needs it most.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../daemon/central/sockfd.h"

/* The pair of a connected socket as the central would name it. */
static void
pair_of(int fd, struct sockfd_pair *p)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	assert_int_equal(getsockname(fd, (struct sockaddr *) &a, &len), 0);
	sockfd_end(p->local, 0, &a.sin_addr, a.sin_port);
	len = sizeof(a);
	assert_int_equal(getpeername(fd, (struct sockaddr *) &a, &len), 0);
	sockfd_end(p->remote, 0, &a.sin_addr, a.sin_port);
}

/* Whether the peer of s has shut down: EOF within 200 ms. */
static int
ended(int s)
{
	struct pollfd p = {s, POLLIN, 0};
	char c;

	return poll(&p, 1, 200) == 1 && recv(s, &c, 1, MSG_DONTWAIT) == 0;
}

/* n connections on loopback to l: clients in c, accepted ends in a. */
static void
connections(int l, int *c, int *a, int n)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t sl          = sizeof(sa);
	int i;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(l, (struct sockaddr *) &sa, sizeof(sa)), 0);
	assert_int_equal(listen(l, 8), 0);
	assert_int_equal(getsockname(l, (struct sockaddr *) &sa, &sl), 0);
	for (i = 0; i < n; i++) {
		c[i] = socket(AF_INET, SOCK_STREAM, 0);
		assert_int_equal(
		    connect(c[i], (struct sockaddr *) &sa, sizeof(sa)), 0);
		a[i] = accept(l, NULL, NULL);
		assert_true(a[i] >= 0);
	}
}

static void
close_all(int l, int *c, int *a, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		close(c[i]);
		close(a[i]);
	}
	close(l);
}

static void
test_shutdown_by_pair(void **state)
{
	int l        = socket(AF_INET, SOCK_STREAM, 0), c[3], a[3];
	int found[3] = {7, 7, 7};
	struct sockfd_pair want[3];
	struct sockfd *s = NULL;

	(void) state;
	assert_int_equal(sockfd_new(&s), 0);
	connections(l, c, a, 3);
	pair_of(a[1], &want[0]); /* the central's end of connection 1 */
	pair_of(a[1], &want[1]);
	want[1].remote[1] ^= 1; /* no such peer port */
	memset(&want[2], 0, sizeof(want[2]));
	assert_int_equal(sockfd_shutdown(s, want, 3, found), 1);
	assert_int_equal(found[0], 1);
	assert_int_equal(found[1], 0);
	assert_int_equal(found[2], 0);
	assert_true(ended(c[1]));
	assert_false(ended(c[0]));
	assert_false(ended(c[2]));
	/* the client's end of connection 2: the other side sees the end */
	pair_of(c[2], &want[0]);
	assert_int_equal(sockfd_shutdown(s, want, 1, found), 1);
	assert_true(ended(a[2]));
	assert_false(ended(a[0]));
	assert_int_equal(sockfd_shutdown(s, want, 0, found), 0);
	close_all(l, c, a, 3);
	sockfd_free(s);
	sockfd_free(NULL);
}

static void
test_no_descriptor_left(void **state)
{
	int l = socket(AF_INET, SOCK_STREAM, 0), c[2], a[2], found[1];
	int fill[256], nfill = 0;
	struct sockfd_pair want[1];
	struct sockfd *s = NULL;
	struct rlimit was, low;

	(void) state;
	assert_int_equal(sockfd_new(&s), 0);
	connections(l, c, a, 2);
	pair_of(a[0], &want[0]);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &was), 0);
	low          = was;
	low.rlim_cur = (rlim_t) a[1] + 8;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	while (
	    nfill < 256 && (fill[nfill] = open("/dev/null", O_RDONLY)) >= 0) {
		nfill++;
	}
	assert_true(nfill < 256); /* every descriptor is taken */
	assert_int_equal(sockfd_shutdown(s, want, 1, found), 1);
	assert_true(ended(c[0]));
	assert_false(ended(c[1]));
	while (nfill > 0) {
		close(fill[--nfill]);
	}
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &was), 0);
	close_all(l, c, a, 2);
	sockfd_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_shutdown_by_pair),
	    cmocka_unit_test(test_no_descriptor_left),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
