/*
 * notify.c: sd_notify's datagram, written with a socket of our own.
 *
 * The protocol is a single unix datagram (systemd's sd_notify(3),
 * "NOTIFY_SOCKET"); linking libsystemd for it would add a library to a
 * program that runs without systemd too, for twenty lines.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "notify.h"

int
notify_send(
    const char *path, const char *state, char err[static NOTIFY_ERRMSG_MAX])
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t plen           = path != NULL ? strlen(path) : 0;
	socklen_t salen;
	ssize_t n;
	int fd;

	if (plen == 0) {
		return 0;
	}
	if ((path[0] != '/' && path[0] != '@')
	    || plen >= sizeof(sa.sun_path)) {
		snprintf(err, NOTIFY_ERRMSG_MAX,
		    "NOTIFY_SOCKET `%s' is not a unix socket path", path);
		return -1;
	}
	memcpy(sa.sun_path, path, plen);
	if (path[0] == '@') {
		sa.sun_path[0] = '\0'; /* abstract: no terminating NUL */
	}
	salen = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + plen
	    + (path[0] == '/'));
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0) {
		snprintf(err, NOTIFY_ERRMSG_MAX, "cannot open a socket: %s",
		    strerror(errno));
		return -1;
	}
	do {
		n = sendto(fd, state, strlen(state), MSG_NOSIGNAL,
		    (const struct sockaddr *) &sa, salen);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		snprintf(err, NOTIFY_ERRMSG_MAX, "cannot notify `%s': %s",
		    path, strerror(errno));
	}
	close(fd);
	return n < 0 ? -1 : 0;
}
