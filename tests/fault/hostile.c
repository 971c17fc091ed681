/*
 * hostile.c: a hostile client of the central's TCP listener, for the
 * fault-injection scenarios (tests/fault/hostile.sh).  It speaks just
 * enough of nng's SP-over-TCP framing (an 8-byte handshake, then each
 * message as a 64-bit big-endian length and its bytes) to get past the
 * transport and hurt what lies behind it.
 *
 *   hostile HOST:PORT garbage N          N connections of random bytes
 *   hostile HOST:PORT frames N [PK_HEX]  N connections, each a bad frame
 *   hostile HOST:PORT idle N SECONDS     N connections held open, idle
 *   hostile HOST:PORT partial N SECONDS [BYTES]
 *       N connections each sending a frame of BYTES (default 1 MiB less
 *       1 KiB, under the central's default limit) but its last byte,
 *       held SECONDS: the receiver holds every incomplete frame
 *   hostile HOST:PORT slowloris N SECONDS
 *       N HTTP connections each sending a request head one header line
 *       every 2 s, never ending it, for SECONDS
 *   hostile HOST:PORT http-hold N SECONDS PATH
 *       N HTTP connections each asking GET PATH, reading the status
 *       line of the answer and nothing more, held SECONDS
 *
 * frames cycles through: a random message; a coso frame header (sender
 * PK_HEX, or random bytes) with a random box; the same with the
 * compressed bit; a frame declaring 100 000 bytes and sending 1 000; one
 * declaring 2^40 bytes; an empty message; a handshake for another
 * protocol; a broken handshake; a hundred small messages in a row.
 * idle opens N connections (every other one after a valid handshake),
 * holds them SECONDS, then says how many the central still holds.
 * idle, partial, slowloris and http-hold open their connections all at
 * once (a central that stops accepting leaves them in its backlog) and
 * print a line ending in "holding" once everything is sent, so that a
 * script can measure the central while they are held.  Each mode then
 * prints one line; the exit status is 0 unless it could not run (a
 * central that refuses or drops connections is not a failure here: the
 * scenario checks what matters, that the honest device is served).
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <coso/proto.h>

#define REQ0 0x30 /* nng's protocol number of REQ v0 */
#define PUB0 0x20

struct target {
	struct sockaddr_storage sa;
	socklen_t len;
	uint8_t pk[32];
	int have_pk;
	int urandom;
	int rcvbuf; /* SO_RCVBUF of new connections, 0: the system's */
	unsigned long long sent, answered, refused;
};

static void
die(const char *what)
{
	fprintf(stderr, "hostile: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void
rnd(struct target *t, void *buf, size_t len)
{
	if (read(t->urandom, buf, len) != (ssize_t) len) {
		die("/dev/urandom");
	}
}

static unsigned
rnd_below(struct target *t, unsigned n)
{
	uint32_t v;

	rnd(t, &v, sizeof(v));
	return v % n;
}

static int
parse_addr(struct target *t, const char *text)
{
	struct addrinfo hints, *ai = NULL;
	char host[256];
	const char *colon = strrchr(text, ':');
	size_t hl;

	if (strncmp(text, "tcp://", 6) == 0) {
		text += 6;
	}
	if (colon == NULL || (hl = (size_t) (colon - text)) >= sizeof(host)) {
		return -1;
	}
	memcpy(host, text, hl);
	host[hl] = 0;
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags    = AI_NUMERICSERV;
	if (getaddrinfo(host, colon + 1, &hints, &ai) != 0) {
		return -1;
	}
	memcpy(&t->sa, ai->ai_addr, ai->ai_addrlen);
	t->len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

/* A connection with 2 s send and receive timeouts; -1 if refused. */
static int
dial(struct target *t)
{
	struct timeval tv = {2, 0};
	int fd            = socket(t->sa.ss_family, SOCK_STREAM, 0);

	if (fd < 0) {
		die("socket");
	}
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *) &t->sa, t->len) != 0) {
		close(fd);
		t->refused++;
		return -1;
	}
	return fd;
}

/* Sends what it can; a central that closes on us is fine. */
static void
put(struct target *t, int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	ssize_t n;

	while (len > 0 && (n = send(fd, p, len, MSG_NOSIGNAL)) > 0) {
		t->sent += (unsigned long long) n;
		p += n;
		len -= (size_t) n;
	}
}

static void
handshake(struct target *t, int fd, uint8_t proto)
{
	const uint8_t h[8] = {0, 'S', 'P', 0, 0, proto, 0, 0};

	put(t, fd, h, sizeof(h));
}

static void
put_len(struct target *t, int fd, uint64_t len)
{
	uint8_t b[8];
	int i;

	for (i = 0; i < 8; i++) {
		b[i] = (uint8_t) (len >> (56 - 8 * i));
	}
	put(t, fd, b, sizeof(b));
}

/* A REQ message: request id, then a coso frame header with a random
 * nonce and box: it must not open. */
static void
put_coso(struct target *t, int fd, uint8_t kind)
{
	uint8_t m[4 + 58 + 400];
	size_t len = 4 + 58 + 16 + rnd_below(t, 384);

	rnd(t, m, sizeof(m));
	m[0] |= 0x80;             /* the request id's end-of-backtrace bit */
	m[4] = COSO_WIRE_VERSION; /* so that only the box can refuse it */
	m[5] = kind;
	if (t->have_pk) {
		memcpy(m + 6, t->pk, 32);
	}
	put_len(t, fd, len);
	put(t, fd, m, len);
}

/* Waits a little for anything the central might send back beyond its
 * handshake: it must never answer a frame it cannot open. */
static void
listen_back(struct target *t, int fd)
{
	uint8_t buf[4096];
	size_t got = 0;
	ssize_t n;
	struct timeval tv = {0, 20000};

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) {
		got += (size_t) n;
	}
	if (got > 8) {
		t->answered++;
	}
}

static void
bad_frame(struct target *t, int fd, unsigned variant)
{
	uint8_t buf[4096];
	int i;

	rnd(t, buf, sizeof(buf));
	if (variant != 7) {
		handshake(t, fd, variant == 6 ? PUB0 : REQ0);
	}
	switch (variant) {
	case 0: /* a random message */
		put_len(t, fd, 1 + rnd_below(t, sizeof(buf)));
		put(t, fd, buf, 1 + rnd_below(t, sizeof(buf)));
		break;
	case 1:
	case 2: /* a frame that looks like ours, compressed or not */
		put_coso(t, fd, variant == 1 ? 0x01 : 0x81);
		break;
	case 3: /* truncated */
		put_len(t, fd, 100000);
		put(t, fd, buf, 1000);
		return;
	case 4: /* over any limit */
		put_len(t, fd, (uint64_t) 1 << 40);
		put(t, fd, buf, sizeof(buf));
		break;
	case 5: /* empty */
		put_len(t, fd, 0);
		break;
	case 6: /* another protocol: a frame anyway */
		put_coso(t, fd, 0x01);
		break;
	case 7: /* no handshake: random bytes where it should be */
		put(t, fd, buf, 64);
		break;
	default: /* a flood of small frames */
		for (i = 0; i < 100; i++) {
			put_coso(t, fd, 0x01);
		}
		break;
	}
	listen_back(t, fd);
}

static void
run_frames(struct target *t, unsigned n)
{
	unsigned i;
	int fd;

	for (i = 0; i < n; i++) {
		if ((fd = dial(t)) >= 0) {
			bad_frame(t, fd, i % 9);
			close(fd);
		}
	}
	printf("hostile: frames: %u connections, %llu bytes sent, "
	       "%llu answered, %llu refused\n",
	    n, t->sent, t->answered, t->refused);
}

static void
run_garbage(struct target *t, unsigned n)
{
	uint8_t buf[65536];
	unsigned i;
	int fd;

	for (i = 0; i < n; i++) {
		if ((fd = dial(t)) >= 0) {
			rnd(t, buf, sizeof(buf));
			put(t, fd, buf, 1 + rnd_below(t, sizeof(buf)));
			listen_back(t, fd);
			close(fd);
		}
	}
	printf("hostile: garbage: %u connections, %llu bytes sent, "
	       "%llu answered, %llu refused\n",
	    n, t->sent, t->answered, t->refused);
}

/* Whether the peer has closed fd (EOF or reset), without waiting. */
static int
closed_by_peer(int fd)
{
	struct pollfd p = {fd, POLLIN, 0};
	char buf[65536];

	if (poll(&p, 1, 0) <= 0) {
		return 0;
	}
	if (p.revents & (POLLERR | POLLHUP)) {
		return 1;
	}
	/* readable: the central's handshake or answer, or its EOF */
	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0) { }
	return recv(fd, buf, 1, MSG_DONTWAIT | MSG_PEEK) == 0;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Connects fds[0..n) at once, waiting at most ms in all: a central that
 * stops accepting must not make this take n times a timeout.  fds[i] is
 * -1 for a connection that was not made (counted as refused); the others
 * are blocking again, with 2 s send and receive timeouts. */
static unsigned
dial_many(struct target *t, int *fds, unsigned n, int ms)
{
	struct pollfd *p  = calloc(n, sizeof(*p));
	struct timeval tv = {2, 0};
	long long end     = now_ms() + ms;
	unsigned i, waiting = 0, made = 0;
	int err;
	socklen_t el = sizeof(err);

	if (p == NULL) {
		die("calloc");
	}
	for (i = 0; i < n; i++) {
		fds[i]
		    = socket(t->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (fds[i] < 0) {
			die("socket");
		}
		if (t->rcvbuf > 0) {
			setsockopt(fds[i], SOL_SOCKET, SO_RCVBUF, &t->rcvbuf,
			    sizeof(t->rcvbuf));
		}
		if (connect(fds[i], (struct sockaddr *) &t->sa, t->len) != 0
		    && errno != EINPROGRESS) {
			close(fds[i]);
			fds[i] = -1;
		}
		p[i].fd     = fds[i];
		p[i].events = POLLOUT;
		waiting += fds[i] >= 0;
	}
	while (waiting > 0 && now_ms() < end) {
		if (poll(p, n, (int) (end - now_ms())) <= 0) {
			break;
		}
		for (i = 0; i < n; i++) {
			if (p[i].fd >= 0 && p[i].revents != 0) {
				p[i].fd = -1; /* settled: poll skips it */
				waiting--;
			}
		}
	}
	for (i = 0; i < n; i++) {
		if (fds[i] < 0) {
			continue;
		}
		el = sizeof(err);
		if (p[i].fd >= 0
		    || getsockopt(fds[i], SOL_SOCKET, SO_ERROR, &err, &el) != 0
		    || err != 0) {
			close(fds[i]);
			fds[i] = -1;
			continue;
		}
		fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) & ~O_NONBLOCK);
		setsockopt(fds[i], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		setsockopt(fds[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		made++;
	}
	t->refused += n - made;
	free(p);
	return made;
}

/* How many of fds (every step-th from first) the peer has not closed. */
static unsigned
count_open(const int *fds, unsigned n, unsigned first, unsigned step)
{
	unsigned i, open = 0;

	for (i = first; i < n; i += step) {
		open += fds[i] >= 0 && !closed_by_peer(fds[i]);
	}
	return open;
}

static void
close_all(int *fds, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		if (fds[i] >= 0) {
			close(fds[i]);
		}
	}
	free(fds);
}

static int *
fds_new(unsigned n)
{
	int *fds = calloc(n, sizeof(*fds));

	if (fds == NULL) {
		die("calloc");
	}
	return fds;
}

static void
holding(const char *mode)
{
	printf("hostile: %s: holding\n", mode);
	fflush(stdout);
}

/* Every other connection sends the SP handshake (a pipe, to nng), the
 * others nothing (nng's own negotiation timeout applies to them). */
static void
run_idle(struct target *t, unsigned n, unsigned secs)
{
	int *fds = fds_new(n);
	unsigned i, opened = dial_many(t, fds, n, 5000);

	for (i = 0; i < n; i += 2) {
		if (fds[i] >= 0) {
			handshake(t, fds[i], REQ0);
		}
	}
	holding("idle");
	sleep(secs);
	printf("hostile: idle: %u opened, %u still open after %u s "
	       "(%u of %u with a handshake), %llu refused\n",
	    opened, count_open(fds, n, 0, 1), secs, count_open(fds, n, 0, 2),
	    (n + 1) / 2, t->refused);
	close_all(fds, n);
}

/* Every connection sends a frame but its last byte and waits. */
static void
run_partial(struct target *t, unsigned n, unsigned secs, size_t size)
{
	uint8_t *buf = size >= 2 && size <= (64u << 20) ? malloc(size) : NULL;
	int *fds     = fds_new(n);
	unsigned i, opened;

	if (buf == NULL) {
		die("malloc");
	}
	rnd(t, buf, size);
	buf[0] |= 0x80;
	opened = dial_many(t, fds, n, 5000);
	for (i = 0; i < n; i++) {
		if (fds[i] >= 0) {
			handshake(t, fds[i], REQ0);
			put_len(t, fds[i], size);
			put(t, fds[i], buf, size - 1);
		}
	}
	holding("partial");
	sleep(secs);
	printf("hostile: partial: %u opened, %llu bytes sent, %u still open "
	       "after %u s, %llu refused\n",
	    opened, t->sent, count_open(fds, n, 0, 1), secs, t->refused);
	close_all(fds, n);
	free(buf);
}

/* A request head that never ends: one more header line every 2 s. */
static void
run_slowloris(struct target *t, unsigned n, unsigned secs)
{
	static const char head[]
	    = "GET /checkpoint HTTP/1.1\r\nHost: coso\r\n";
	static const char line[] = "X-Slow: 1\r\n";
	int *fds                 = fds_new(n);
	unsigned i, s, opened = dial_many(t, fds, n, 5000);

	for (i = 0; i < n; i++) {
		if (fds[i] >= 0) {
			put(t, fds[i], head, sizeof(head) - 1);
		}
	}
	holding("slowloris");
	for (s = 0; s + 2 <= secs; s += 2) {
		sleep(2);
		for (i = 0; i < n; i++) {
			if (fds[i] >= 0
			    && send(fds[i], line, sizeof(line) - 1,
			           MSG_NOSIGNAL | MSG_DONTWAIT)
			        > 0) {
				t->sent += sizeof(line) - 1;
			}
		}
	}
	sleep(secs - s);
	printf("hostile: slowloris: %u opened, %u still open after %u s, "
	       "%llu refused\n",
	    opened, count_open(fds, n, 0, 1), secs, t->refused);
	close_all(fds, n);
}

/* The status code of each answer (first 12 bytes, "HTTP/1.1 200"),
 * waiting at most ms in all; the rest of every answer is left unread. */
static void
read_statuses(int *fds, unsigned n, int ms, unsigned counts[4])
{
	long long end = now_ms() + ms;
	char buf[16];
	unsigned i;
	size_t got;
	ssize_t r;
	struct timeval tv;

	for (i = 0; i < n; i++) {
		if (fds[i] < 0) {
			continue;
		}
		for (got = 0; got < 12 && now_ms() < end; got += (size_t) r) {
			tv.tv_sec  = (end - now_ms()) / 1000;
			tv.tv_usec = (end - now_ms()) % 1000 * 1000;
			setsockopt(
			    fds[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
			if ((r = recv(fds[i], buf + got, 12 - got, 0)) <= 0) {
				break;
			}
		}
		if (got < 12) {
			counts[3]++;
		} else if (memcmp(buf + 9, "200", 3) == 0) {
			counts[0]++;
		} else if (memcmp(buf + 9, "503", 3) == 0) {
			counts[1]++;
		} else {
			counts[2]++;
		}
	}
}

/* Requests whose answers are never read.  A small receive buffer keeps
 * the kernels from taking in more than a slow remote client would. */
static void
run_http_hold(struct target *t, unsigned n, unsigned secs, const char *path)
{
	int *fds = fds_new(n);
	unsigned i, opened;
	unsigned c[4] = {0, 0, 0, 0};
	char req[512];
	int len = snprintf(
	    req, sizeof(req), "GET %s HTTP/1.1\r\nHost: coso\r\n\r\n", path);

	if (len < 0 || (size_t) len >= sizeof(req)) {
		fprintf(stderr, "hostile: the path is too long\n");
		exit(1);
	}
	t->rcvbuf = 4096;
	opened    = dial_many(t, fds, n, 5000);
	for (i = 0; i < n; i++) {
		if (fds[i] >= 0) {
			put(t, fds[i], req, (size_t) len);
		}
	}
	read_statuses(fds, n, 20000, c);
	holding("http-hold");
	sleep(secs);
	printf("hostile: http-hold: %u opened, answered 200: %u, 503: %u, "
	       "other: %u, none: %u; %u still open after %u s, %llu "
	       "refused\n",
	    opened, c[0], c[1], c[2], c[3], count_open(fds, n, 0, 1), secs,
	    t->refused);
	close_all(fds, n);
}

static int
hex_pk(struct target *t, const char *hex)
{
	unsigned v;
	int i;

	if (strlen(hex) != 64) {
		return -1;
	}
	for (i = 0; i < 32; i++) {
		if (sscanf(hex + 2 * i, "%2x", &v) != 1) {
			return -1;
		}
		t->pk[i] = (uint8_t) v;
	}
	t->have_pk = 1;
	return 0;
}

int
main(int argc, char **argv)
{
	struct target t;
	struct rlimit rl;
	long n;

	memset(&t, 0, sizeof(t));
	if (argc < 4 || parse_addr(&t, argv[1]) != 0
	    || (n = strtol(argv[3], NULL, 10)) <= 0 || n > 100000) {
		fprintf(stderr,
		    "usage: hostile HOST:PORT garbage|frames|idle|partial|"
		    "slowloris|http-hold N [PK_HEX|SECONDS [BYTES|PATH]]\n");
		return 1;
	}
	if ((t.urandom = open("/dev/urandom", O_RDONLY)) < 0) {
		die("/dev/urandom");
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (strcmp(argv[2], "garbage") == 0 && argc == 4) {
		run_garbage(&t, (unsigned) n);
	} else if (strcmp(argv[2], "frames") == 0
	    && (argc == 4 || (argc == 5 && hex_pk(&t, argv[4]) == 0))) {
		run_frames(&t, (unsigned) n);
	} else if (strcmp(argv[2], "idle") == 0 && argc == 5) {
		run_idle(&t, (unsigned) n, (unsigned) atoi(argv[4]));
	} else if (strcmp(argv[2], "partial") == 0
	    && (argc == 5 || argc == 6)) {
		run_partial(&t, (unsigned) n, (unsigned) atoi(argv[4]),
		    argc == 6 ? (size_t) strtoul(argv[5], NULL, 10)
		              : (1u << 20) - 1024);
	} else if (strcmp(argv[2], "slowloris") == 0 && argc == 5) {
		run_slowloris(&t, (unsigned) n, (unsigned) atoi(argv[4]));
	} else if (strcmp(argv[2], "http-hold") == 0 && argc == 6) {
		run_http_hold(
		    &t, (unsigned) n, (unsigned) atoi(argv[4]), argv[5]);
	} else {
		fprintf(stderr, "hostile: bad arguments\n");
		return 1;
	}
	close(t.urandom);
	return 0;
}
