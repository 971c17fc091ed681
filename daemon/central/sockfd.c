/*
 * sockfd.c: shutting down this process's TCP sockets by address pair
 * (sockfd.h).
 *
 * The descriptors are listed from /proc/self/fd (kept open, read again
 * from its start each time).  Each is duplicated onto a spare descriptor
 * with dup2, which needs no free descriptor, and the spare's two ends
 * read, so that a descriptor that nng closes (and the kernel hands out
 * again) in the meantime is at worst skipped, never the wrong socket
 * shut down: the spare holds the socket it was checked on.  The spare
 * is pointed back at /dev/null after each use, so that it never keeps a
 * socket alive.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sockfd.h"

struct sockfd {
	pthread_mutex_t mu;
	DIR *dir;
	int null, spare;
};

void
sockfd_end(uint8_t out[static 19], int v6, const void *addr, uint16_t port_be)
{
	memset(out, 0, 19);
	out[0] = v6 ? 6 : 4;
	memcpy(out + 1, &port_be, 2);
	memcpy(out + 3, addr, v6 ? 16 : 4);
}

/* One end of a socket from its sockaddr; 0, or -1 if not IP. */
static int
end_of(uint8_t out[static 19], const struct sockaddr_storage *ss)
{
	const struct sockaddr_in *s4  = (const struct sockaddr_in *) ss;
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *) ss;

	if (ss->ss_family == AF_INET) {
		sockfd_end(out, 0, &s4->sin_addr, s4->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		sockfd_end(out, 1, &s6->sin6_addr, s6->sin6_port);
	} else {
		return -1;
	}
	return 0;
}

/* The two ends of a connected IP socket; -1 if fd is not one. */
static int
pair_of(int fd, struct sockfd_pair *p)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *) &ss, &len) != 0
	    || end_of(p->local, &ss) != 0) {
		return -1;
	}
	len = sizeof(ss);
	if (getpeername(fd, (struct sockaddr *) &ss, &len) != 0
	    || end_of(p->remote, &ss) != 0) {
		return -1;
	}
	return 0;
}

/* The index in want of p, or n. */
static size_t
wanted(const struct sockfd_pair *want, size_t n, const struct sockfd_pair *p)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (memcmp(&want[i], p, sizeof(*p)) == 0) {
			break;
		}
	}
	return i;
}

int
sockfd_new(struct sockfd **out)
{
	struct sockfd *s = calloc(1, sizeof(*s));
	int err;

	if (s == NULL) {
		return ENOMEM;
	}
	s->null = s->spare = -1;
	pthread_mutex_init(&s->mu, NULL);
	if ((s->dir = opendir("/proc/self/fd")) == NULL
	    || (s->null = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0
	    || (s->spare = fcntl(s->null, F_DUPFD_CLOEXEC, 0)) < 0) {
		err = errno;
		sockfd_free(s);
		return err;
	}
	*out = s;
	return 0;
}

void
sockfd_free(struct sockfd *s)
{
	if (s == NULL) {
		return;
	}
	if (s->dir != NULL) {
		closedir(s->dir);
	}
	if (s->spare >= 0) {
		close(s->spare);
	}
	if (s->null >= 0) {
		close(s->null);
	}
	pthread_mutex_destroy(&s->mu);
	free(s);
}

/* Shuts fd's socket down if it is one of want's; 1 if so. */
static int
try_fd(struct sockfd *s, int fd, const struct sockfd_pair *want, size_t n,
    int *found)
{
	struct sockfd_pair p;
	size_t i;
	int done = 0;

	memset(&p, 0, sizeof(p));
	if (pair_of(fd, &p) != 0 || (i = wanted(want, n, &p)) == n
	    || found[i]) {
		return 0; /* the common case: not a socket we want */
	}
	if (dup2(fd, s->spare) < 0) {
		return 0; /* closed meanwhile */
	}
	memset(&p, 0, sizeof(p));
	if (pair_of(s->spare, &p) == 0 && (i = wanted(want, n, &p)) < n
	    && !found[i] && shutdown(s->spare, SHUT_RDWR) == 0) {
		found[i] = 1;
		done     = 1;
	}
	dup2(s->null, s->spare); /* lets go of the socket */
	return done;
}

/* The descriptor a /proc/self/fd entry names; -1 if none. */
static int
fd_of(const struct dirent *e)
{
	char *end;
	long fd;

	errno = 0;
	fd    = strtol(e->d_name, &end, 10);
	return *end == '\0' && end != e->d_name && errno == 0 && fd >= 0
	        && fd <= 0x7fffffffL
	    ? (int) fd
	    : -1;
}

size_t
sockfd_shutdown(
    struct sockfd *s, const struct sockfd_pair *want, size_t n, int *found)
{
	struct dirent *e;
	size_t done = 0;
	int fd;

	memset(found, 0, n * sizeof(*found));
	if (n == 0) {
		return 0;
	}
	pthread_mutex_lock(&s->mu);
	rewinddir(s->dir);
	while (done < n && (e = readdir(s->dir)) != NULL) {
		if ((fd = fd_of(e)) >= 0 && fd != dirfd(s->dir)
		    && fd != s->spare && fd != s->null) {
			done += (size_t) try_fd(s, fd, want, n, found);
		}
	}
	pthread_mutex_unlock(&s->mu);
	return done;
}
