/*
 * test_notify.c: the systemd notification datagram: the exact bytes
 * reach a socket named by a path and by an abstract name ('@'); no
 * socket named means nothing sent and success; a relative, too long or
 * unreachable name fails with a sentence naming it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../daemon/central/notify.h"

/* A datagram socket bound to name (a path, or '@' and an abstract
 * name); the descriptor. */
static int
bound(const char *name)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t n              = strlen(name);
	int fd                = socket(AF_UNIX, SOCK_DGRAM, 0);

	assert_true(fd >= 0);
	assert_true(n < sizeof(sa.sun_path));
	memcpy(sa.sun_path, name, n);
	if (name[0] == '@') {
		sa.sun_path[0] = '\0';
	}
	assert_int_equal(
	    bind(fd, (struct sockaddr *) &sa,
	        (socklen_t) (offsetof(struct sockaddr_un, sun_path) + n
	            + (name[0] == '/'))),
	    0);
	return fd;
}

/* The next datagram on fd, NUL-terminated in buf. */
static void
next(int fd, char *buf, size_t size)
{
	ssize_t n = recv(fd, buf, size - 1, MSG_DONTWAIT);

	assert_true(n >= 0);
	buf[n] = '\0';
}

static void
test_path_socket(void **state)
{
	char dir[] = "/tmp/coso-notify.XXXXXX", path[64],
	     err[NOTIFY_ERRMSG_MAX];
	char buf[256];
	int fd;

	(void) state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/notify", dir);
	fd = bound(path);
	assert_int_equal(
	    notify_send(path, "READY=1\nSTATUS=serving\n", err), 0);
	assert_int_equal(notify_send(path, "STOPPING=1\n", err), 0);
	next(fd, buf, sizeof(buf));
	assert_string_equal(buf, "READY=1\nSTATUS=serving\n");
	next(fd, buf, sizeof(buf));
	assert_string_equal(buf, "STOPPING=1\n");
	close(fd);
	/* Nobody bound there any more. */
	unlink(path);
	assert_int_equal(notify_send(path, "READY=1\n", err), -1);
	assert_non_null(strstr(err, "cannot notify"));
	assert_non_null(strstr(err, path));
	rmdir(dir);
}

static void
test_abstract_socket(void **state)
{
	char name[64], err[NOTIFY_ERRMSG_MAX], buf[64];
	int fd;

	(void) state;
	snprintf(name, sizeof(name), "@coso-notify-test-%ld", (long) getpid());
	fd = bound(name);
	assert_int_equal(notify_send(name, "READY=1\n", err), 0);
	next(fd, buf, sizeof(buf));
	assert_string_equal(buf, "READY=1\n");
	close(fd);
}

static void
test_not_systemd_and_bad_names(void **state)
{
	char err[NOTIFY_ERRMSG_MAX], longname[200];

	(void) state;
	assert_int_equal(notify_send(NULL, "READY=1\n", err), 0);
	assert_int_equal(notify_send("", "READY=1\n", err), 0);
	assert_int_equal(notify_send("run/notify", "READY=1\n", err), -1);
	assert_non_null(strstr(err, "`run/notify' is not a unix socket path"));
	memset(longname, 'a', sizeof(longname) - 1);
	longname[0]                    = '/';
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(notify_send(longname, "READY=1\n", err), -1);
	assert_non_null(strstr(err, "is not a unix socket path"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_path_socket),
	    cmocka_unit_test(test_abstract_socket),
	    cmocka_unit_test(test_not_systemd_and_bad_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
