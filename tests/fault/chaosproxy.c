/*
 * chaosproxy.c: a TCP proxy that breaks the link between devices and the
 * central on purpose, for the fault-injection scenarios (tests/fault/).
 *
 *   chaosproxy --listen HOST:PORT --to HOST:PORT [--seed N]
 *       [--drop P] [--reset P] [--truncate P] [--dup P]
 *       [--delay-ms D] [--jitter-ms J] [--delay-p P]
 *       [--latency-ms L] [--rate BYTES_PER_S] [--profile 2g]
 *       [--hang-ms H] [--max-conns N]
 *
 * Every chunk read from one side (one read, at most 16 KiB) is a unit of
 * fault, drawn in this order, each with its own probability:
 *   reset     both sockets closed with SO_LINGER 0: an RST each way;
 *   drop      the direction becomes a black hole: what the side sends is
 *             read and thrown away, the connection hangs until a peer
 *             gives up and closes (or --hang-ms, default 60 s, passes);
 *             TCP cannot lose one chunk and keep the stream, so this is
 *             what a lost route looks like to the programs;
 *   truncate  a random prefix of the chunk is forwarded, then both
 *             sockets are closed;
 *   dup       the chunk is forwarded twice (the receiver's framing breaks
 *             and it must survive that);
 * then a chunk is held D + uniform(0..J) ms (with probability --delay-p,
 * default 1, when D or J is set) plus the fixed --latency-ms, never
 * overtaking the one before it, and sent at most --rate bytes per second
 * per direction.  --profile 2g is --rate 6250 --latency-ms 500: about
 * 50 kbit/s each way with half a second of latency.
 *
 * SIGUSR1 cuts the link: every connection is reset and the listener
 * closed, so new connections are refused; SIGUSR2 restores it.  SIGHUP
 * prints the counters; SIGTERM and SIGINT print them and exit 0.  The
 * counters are one line on stderr:
 *   chaosproxy: conns=N bytes=N drop=N reset=N truncate=N dup=N
 *   delayed=N cut=N refused=N
 * Memory is bounded: at most --max-conns connections (default 1024; more
 * are accepted and reset, counted as refused), each direction reading
 * only while it holds less than 64 KiB.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK_MAX         16384u
#define QUEUE_MAX         65536u
#define CONNS_MAX_DEFAULT 1024u
#define HANG_MS_DEFAULT   60000u
#define POLL_MAX_MS       1000

struct chunk {
	struct chunk *next;
	uint64_t due; /* monotonic ms before which it is not sent */
	size_t len, off;
	uint8_t data[];
};

/* One direction of a connection: what src sent, waiting for dst. */
struct dir {
	int src, dst;
	struct chunk *head, *tail;
	size_t queued;
	uint64_t last_due; /* chunks never overtake each other */
	double tokens;     /* bytes it may send now (--rate) */
	uint64_t refill;   /* when tokens were last refilled */
	int eof;           /* src closed its side */
	int hole;          /* drop: nothing more goes to dst */
	int trunc;         /* truncate: close all once the queue is sent */
	int shut;          /* shutdown(dst, SHUT_WR) done */
};

struct conn {
	struct conn *next;
	int cfd, sfd;
	int connecting;      /* the connection to the target is not up yet */
	uint64_t hole_ms;    /* when a direction became a black hole */
	struct dir up, down; /* up: client to target */
	size_t pc, ps;       /* their slots in the poll array */
};

struct profile {
	double drop, reset, truncate, dup, delay_p, rate;
	unsigned delay_ms, jitter_ms, latency_ms, hang_ms, max_conns;
};

struct counters {
	unsigned long long conns, bytes, drop, reset, truncate, dup, delayed,
	    cut, refused;
};

struct proxy {
	struct profile p;
	struct counters n;
	struct sockaddr_storage la, ta; /* listen and target addresses */
	socklen_t lalen, talen;
	int lfd; /* -1 while the link is cut */
	int cut;
	int sigfd[2];
	uint64_t rng;
	struct conn *conns;
	size_t nconns;
	struct pollfd *pfd;
};

static int sig_write_fd = -1;

static void
on_signal(int sig)
{
	unsigned char b = (unsigned char) sig;
	int saved       = errno;

	if (write(sig_write_fd, &b, 1) < 0) {
		/* the pipe is full: signals are already pending */
	}
	errno = saved;
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000u + (uint64_t) ts.tv_nsec / 1000000u;
}

/* splitmix64: small, seedable, good enough to pick faults. */
static uint64_t
rnd64(struct proxy *px)
{
	uint64_t z = (px->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double
rnd01(struct proxy *px)
{
	return (double) (rnd64(px) >> 11) / 9007199254740992.0;
}

static int
chance(struct proxy *px, double p)
{
	return p > 0 && rnd01(px) < p;
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: chaosproxy --listen HOST:PORT --to HOST:PORT [--seed N]\n"
	    "    [--drop P] [--reset P] [--truncate P] [--dup P]\n"
	    "    [--delay-ms D] [--jitter-ms J] [--delay-p P]\n"
	    "    [--latency-ms L] [--rate BYTES_PER_S] [--profile 2g]\n"
	    "    [--hang-ms H] [--max-conns N]\n");
	exit(1);
}

/* "HOST:PORT" or "tcp://HOST:PORT" into an address; -1 if it is not. */
static int
parse_addr(const char *text, struct sockaddr_storage *sa, socklen_t *len)
{
	struct addrinfo hints, *ai = NULL;
	char host[256];
	const char *colon;
	size_t hl;

	if (strncmp(text, "tcp://", 6) == 0) {
		text += 6;
	}
	if ((colon = strrchr(text, ':')) == NULL
	    || (hl = (size_t) (colon - text)) >= sizeof(host)) {
		return -1;
	}
	memcpy(host, text, hl);
	host[hl] = 0;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family   = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags    = AI_NUMERICSERV;
	if (getaddrinfo(host, colon + 1, &hints, &ai) != 0) {
		return -1;
	}
	memcpy(sa, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

static double
num(const char *s, double lo, double hi)
{
	char *end = NULL;
	double v  = strtod(s, &end);

	if (end == s || *end != 0 || v < lo || v > hi) {
		fprintf(stderr, "chaosproxy: bad number `%s'\n", s);
		exit(1);
	}
	return v;
}

/* One option with its value; 0 if the name is not an option. */
static int
option(struct proxy *px, const char *name, const char *v, int *have)
{
	struct profile *p = &px->p;

	if (strcmp(name, "--listen") == 0) {
		*have |= 1;
		return parse_addr(v, &px->la, &px->lalen) == 0 ? 1 : -1;
	} else if (strcmp(name, "--to") == 0) {
		*have |= 2;
		return parse_addr(v, &px->ta, &px->talen) == 0 ? 1 : -1;
	} else if (strcmp(name, "--seed") == 0) {
		px->rng = strtoull(v, NULL, 10);
	} else if (strcmp(name, "--drop") == 0) {
		p->drop = num(v, 0, 1);
	} else if (strcmp(name, "--reset") == 0) {
		p->reset = num(v, 0, 1);
	} else if (strcmp(name, "--truncate") == 0) {
		p->truncate = num(v, 0, 1);
	} else if (strcmp(name, "--dup") == 0) {
		p->dup = num(v, 0, 1);
	} else if (strcmp(name, "--delay-p") == 0) {
		p->delay_p = num(v, 0, 1);
	} else if (strcmp(name, "--delay-ms") == 0) {
		p->delay_ms = (unsigned) num(v, 0, 600000);
	} else if (strcmp(name, "--jitter-ms") == 0) {
		p->jitter_ms = (unsigned) num(v, 0, 600000);
	} else if (strcmp(name, "--latency-ms") == 0) {
		p->latency_ms = (unsigned) num(v, 0, 600000);
	} else if (strcmp(name, "--rate") == 0) {
		p->rate = num(v, 0, 1e10);
	} else if (strcmp(name, "--hang-ms") == 0) {
		p->hang_ms = (unsigned) num(v, 1, 86400000);
	} else if (strcmp(name, "--max-conns") == 0) {
		p->max_conns = (unsigned) num(v, 1, 16384);
	} else if (strcmp(name, "--profile") == 0 && strcmp(v, "2g") == 0) {
		p->rate       = 6250;
		p->latency_ms = 500;
	} else {
		return 0;
	}
	return 1;
}

static void
parse_args(struct proxy *px, int argc, char **argv)
{
	int i, have = 0;

	px->rng         = (uint64_t) time(NULL) ^ ((uint64_t) getpid() << 32);
	px->p.delay_p   = 1;
	px->p.hang_ms   = HANG_MS_DEFAULT;
	px->p.max_conns = CONNS_MAX_DEFAULT;
	for (i = 1; i + 1 < argc; i += 2) {
		int r = option(px, argv[i], argv[i + 1], &have);
		if (r < 0) {
			fprintf(stderr, "chaosproxy: bad address `%s'\n",
			    argv[i + 1]);
			exit(1);
		}
		if (r == 0) {
			usage();
		}
	}
	if (i != argc || have != 3) {
		usage();
	}
}

static void
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/* Closes fd; with an RST instead of a FIN if rst. */
static void
close_fd(int fd, int rst)
{
	struct linger lg = {1, 0};

	if (fd < 0) {
		return;
	}
	if (rst) {
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	close(fd);
}

static int
listen_open(struct proxy *px)
{
	int one = 1, fd = socket(px->la.ss_family, SOCK_STREAM, 0);

	if (fd < 0) {
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *) &px->la, px->lalen) != 0
	    || listen(fd, 512) != 0) {
		close(fd);
		return -1;
	}
	set_nonblock(fd);
	return fd;
}

static void
queue_free(struct dir *d)
{
	struct chunk *c, *next;

	for (c = d->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	d->head = d->tail = NULL;
	d->queued         = 0;
}

/* Unlinks and closes a connection; RSTs both sides if rst. */
static void
conn_close(struct proxy *px, struct conn *c, int rst)
{
	struct conn **pp;

	for (pp = &px->conns; *pp != NULL && *pp != c; pp = &(*pp)->next) { }
	if (*pp == c) {
		*pp = c->next;
	}
	close_fd(c->cfd, rst);
	close_fd(c->sfd, rst);
	queue_free(&c->up);
	queue_free(&c->down);
	free(c);
	px->nconns--;
}

static void
dir_init(struct dir *d, int src, int dst, uint64_t now)
{
	memset(d, 0, sizeof(*d));
	d->src    = src;
	d->dst    = dst;
	d->refill = now;
}

/* A new client: connect to the target without waiting. */
static void
conn_new(struct proxy *px, int cfd)
{
	struct conn *c = calloc(1, sizeof(*c));
	int one = 1, sfd = socket(px->ta.ss_family, SOCK_STREAM, 0);
	uint64_t now = now_ms();

	if (c == NULL || sfd < 0) {
		free(c);
		close_fd(sfd, 0);
		close_fd(cfd, 1);
		return;
	}
	set_nonblock(cfd);
	set_nonblock(sfd);
	setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(sfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->cfd        = cfd;
	c->sfd        = sfd;
	c->connecting = 1;
	dir_init(&c->up, cfd, sfd, now);
	dir_init(&c->down, sfd, cfd, now);
	c->next   = px->conns;
	px->conns = c;
	px->nconns++;
	px->n.conns++;
	if (connect(sfd, (struct sockaddr *) &px->ta, px->talen) == 0) {
		c->connecting = 0;
	} else if (errno != EINPROGRESS) {
		conn_close(px, c, 1);
	}
}

static void
accept_all(struct proxy *px)
{
	int fd;

	while (px->lfd >= 0 && (fd = accept(px->lfd, NULL, NULL)) >= 0) {
		if (px->nconns >= px->p.max_conns) {
			px->n.refused++;
			close_fd(fd, 1);
		} else {
			conn_new(px, fd);
		}
	}
}

static void
enqueue(struct dir *d, const uint8_t *buf, size_t len, uint64_t due)
{
	struct chunk *c;

	if (len == 0 || (c = malloc(sizeof(*c) + len)) == NULL) {
		return;
	}
	memcpy(c->data, buf, len);
	c->len  = len;
	c->off  = 0;
	c->due  = due;
	c->next = NULL;
	if (d->tail != NULL) {
		d->tail->next = c;
	} else {
		d->head = c;
	}
	d->tail = c;
	d->queued += len;
}

/* When a chunk read now may go: latency, delay, jitter, in order. */
static uint64_t
due_time(struct proxy *px, struct dir *d, uint64_t now)
{
	const struct profile *p = &px->p;
	uint64_t due            = now + p->latency_ms;

	if ((p->delay_ms > 0 || p->jitter_ms > 0) && chance(px, p->delay_p)) {
		due += p->delay_ms
		    + (p->jitter_ms ? rnd64(px) % (p->jitter_ms + 1u) : 0);
		px->n.delayed++;
	}
	if (due < d->last_due) {
		due = d->last_due;
	}
	d->last_due = due;
	return due;
}

/* Decides the fate of one chunk; 1 if the connection was reset. */
static int
inject(struct proxy *px, struct conn *c, struct dir *d, const uint8_t *buf,
    size_t len)
{
	uint64_t now = now_ms();

	if (chance(px, px->p.reset)) {
		px->n.reset++;
		conn_close(px, c, 1);
		return 1;
	}
	if (chance(px, px->p.drop)) {
		px->n.drop++;
		d->hole    = 1;
		c->hole_ms = now;
		queue_free(d);
		return 0;
	}
	if (chance(px, px->p.truncate)) {
		px->n.truncate++;
		d->trunc = 1;
		enqueue(d, buf, len > 1 ? 1 + rnd64(px) % (len - 1) : 0,
		    due_time(px, d, now));
		return 0;
	}
	enqueue(d, buf, len, due_time(px, d, now));
	if (chance(px, px->p.dup)) {
		px->n.dup++;
		enqueue(d, buf, len, d->last_due);
	}
	return 0;
}

static int
wants_read(const struct dir *d)
{
	return !d->eof && !d->trunc && d->queued < QUEUE_MAX;
}

/* Reads what src has; 1 if the connection is gone. */
static int
dir_read(struct proxy *px, struct conn *c, struct dir *d)
{
	uint8_t buf[CHUNK_MAX];
	size_t room = QUEUE_MAX - d->queued;
	ssize_t n;

	if (!wants_read(d)) {
		return 0;
	}
	n = read(d->src, buf, room < sizeof(buf) ? room : sizeof(buf));
	if (n < 0
	    && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
		return 0;
	}
	if (n < 0) {
		conn_close(px, c, 1); /* src was reset: so is dst */
		return 1;
	}
	if (n == 0) {
		d->eof = 1;
		return 0;
	}
	if (d->hole) {
		return 0; /* black hole: read and forgotten */
	}
	return inject(px, c, d, buf, (size_t) n);
}

static void
refill(struct proxy *px, struct dir *d, uint64_t now)
{
	double burst = px->p.rate / 20 > 512 ? px->p.rate / 20 : 512;

	if (px->p.rate <= 0) {
		return;
	}
	d->tokens += px->p.rate * (double) (now - d->refill) / 1000.0;
	if (d->tokens > burst) {
		d->tokens = burst;
	}
	d->refill = now;
}

/* Bytes of the head chunk that may be written now.  Under --rate, none
 * until a quantum (512 bytes, or what is left) has accrued, so a slow
 * link is written in a few pieces a second, not a byte per wakeup. */
static size_t
sendable(struct proxy *px, struct dir *d, uint64_t now)
{
	size_t n;

	if (d->head == NULL || d->hole || d->head->due > now) {
		return 0;
	}
	n = d->head->len - d->head->off;
	if (px->p.rate > 0) {
		refill(px, d, now);
		if (d->tokens < (double) (n < 512 ? n : 512)) {
			return 0;
		}
		if ((double) n > d->tokens) {
			n = (size_t) d->tokens;
		}
	}
	return n;
}

/* Writes what is due to dst; 1 if the connection is gone. */
static int
dir_write(struct proxy *px, struct conn *c, struct dir *d)
{
	uint64_t now = now_ms();
	size_t n;
	ssize_t w;

	while (!c->connecting && (n = sendable(px, d, now)) > 0) {
		w = write(d->dst, d->head->data + d->head->off, n);
		if (w < 0
		    && (errno == EAGAIN || errno == EWOULDBLOCK
		        || errno == EINTR)) {
			return 0;
		}
		if (w <= 0) {
			conn_close(px, c, 1);
			return 1;
		}
		px->n.bytes += (unsigned long long) w;
		d->tokens -= px->p.rate > 0 ? (double) w : 0;
		d->head->off += (size_t) w;
		d->queued -= (size_t) w;
		if (d->head->off == d->head->len) {
			struct chunk *done = d->head;
			d->head            = done->next;
			d->tail            = d->head ? d->tail : NULL;
			free(done);
		}
	}
	return 0;
}

/* Half-closes, closes or times out; 1 if the connection is gone. */
static int
conn_settle(struct proxy *px, struct conn *c)
{
	struct dir *d[2] = {&c->up, &c->down};
	int i;

	for (i = 0; i < 2; i++) {
		if (d[i]->hole && d[i]->eof) {
			conn_close(px, c, 0); /* the peer gave up */
			return 1;
		}
		if (d[i]->head != NULL || d[i]->hole || c->connecting) {
			continue;
		}
		if (d[i]->trunc) {
			conn_close(px, c, 0);
			return 1;
		}
		if (d[i]->eof && !d[i]->shut) {
			shutdown(d[i]->dst, SHUT_WR);
			d[i]->shut = 1;
		}
	}
	if ((c->up.shut && c->down.shut)
	    || ((c->up.hole || c->down.hole)
	        && now_ms() - c->hole_ms > px->p.hang_ms)) {
		conn_close(px, c, 0);
		return 1;
	}
	return 0;
}

/* The target answered the connect: up, or refused (reset the client). */
static int
conn_connected(struct proxy *px, struct conn *c)
{
	int err       = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(c->sfd, SOL_SOCKET, SO_ERROR, &err, &len) != 0
	    || err != 0) {
		conn_close(px, c, 1);
		return 1;
	}
	c->connecting = 0;
	return 0;
}

static short
events_for(
    struct proxy *px, const struct dir *in, struct dir *out, uint64_t now)
{
	short ev = wants_read(in) ? POLLIN : 0;

	if (sendable(px, out, now) > 0) {
		ev |= POLLOUT;
	}
	return ev;
}

/* How long poll may sleep before a chunk, a quantum of --rate or a
 * hang's end falls due. */
static int
timeout_for(struct proxy *px, const struct conn *c, uint64_t now, int t)
{
	const struct dir *d[2] = {&c->up, &c->down};
	uint64_t w;
	double need;
	int i;

	for (i = 0; i < 2; i++) {
		if (d[i]->hole) {
			w = c->hole_ms + px->p.hang_ms;
			w = w > now ? w - now : 0;
		} else if (d[i]->head == NULL) {
			continue;
		} else if (d[i]->head->due > now) {
			w = d[i]->head->due - now;
		} else if (px->p.rate > 0) {
			need = 512 - d[i]->tokens;
			w    = need > 0
			       ? 1 + (uint64_t) (need * 1000 / px->p.rate)
			       : 0;
		} else {
			continue; /* POLLOUT wakes us */
		}
		if (w < (uint64_t) t) {
			t = (int) w;
		}
	}
	return t;
}

/* Fills the poll array; returns the number of entries. */
static size_t
poll_fill(struct proxy *px, int *timeout)
{
	uint64_t now = now_ms();
	size_t n     = 0;
	struct conn *c;

	px->pfd[n++] = (struct pollfd) {px->sigfd[0], POLLIN, 0};
	*timeout     = px->lfd < 0 && !px->cut ? 100 : POLL_MAX_MS;
	if (px->lfd >= 0) {
		px->pfd[n++] = (struct pollfd) {px->lfd, POLLIN, 0};
	}
	for (c = px->conns; c != NULL; c = c->next) {
		c->pc        = n;
		px->pfd[n++] = (struct pollfd) {
		    c->cfd, events_for(px, &c->up, &c->down, now), 0};
		c->ps        = n;
		px->pfd[n++] = (struct pollfd) {c->sfd,
		    c->connecting ? POLLOUT
		                  : events_for(px, &c->down, &c->up, now),
		    0};
		*timeout     = timeout_for(px, c, now, *timeout);
	}
	return n;
}

/* Serves one connection after poll; 1 if it is gone. */
static int
conn_serve(struct proxy *px, struct conn *c)
{
	short rc = px->pfd[c->pc].revents, rs = px->pfd[c->ps].revents;
	short rd = POLLIN | POLLHUP | POLLERR;

	if (c->connecting && (rs & (POLLOUT | POLLERR | POLLHUP))
	    && conn_connected(px, c)) {
		return 1;
	}
	if (((rc & rd) && dir_read(px, c, &c->up))
	    || (!c->connecting && (rs & rd) && dir_read(px, c, &c->down))
	    || dir_write(px, c, &c->up) || dir_write(px, c, &c->down)) {
		return 1;
	}
	return conn_settle(px, c);
}

static void
print_counters(const struct proxy *px)
{
	const struct counters *n = &px->n;

	fprintf(stderr,
	    "chaosproxy: conns=%llu bytes=%llu drop=%llu reset=%llu "
	    "truncate=%llu dup=%llu delayed=%llu cut=%llu refused=%llu\n",
	    n->conns, n->bytes, n->drop, n->reset, n->truncate, n->dup,
	    n->delayed, n->cut, n->refused);
	fflush(stderr);
}

/* SIGUSR1: reset everything and refuse; SIGUSR2: listen again. */
static void
link_cut(struct proxy *px, int cut)
{
	if (cut && !px->cut) {
		px->n.cut++;
		while (px->conns != NULL) {
			conn_close(px, px->conns, 1);
		}
		close_fd(px->lfd, 0);
		px->lfd = -1;
		fprintf(stderr, "chaosproxy: link cut\n");
	} else if (!cut && px->cut) {
		fprintf(stderr, "chaosproxy: link restored\n");
	}
	px->cut = cut;
}

/* Takes the signals queued on the pipe; 1 to stop. */
static int
take_signals(struct proxy *px)
{
	unsigned char b[64];
	ssize_t n, i;
	int stop = 0;

	while ((n = read(px->sigfd[0], b, sizeof(b))) > 0) {
		for (i = 0; i < n; i++) {
			if (b[i] == SIGUSR1 || b[i] == SIGUSR2) {
				link_cut(px, b[i] == SIGUSR1);
			} else if (b[i] == SIGHUP) {
				print_counters(px);
			} else {
				stop = 1;
			}
		}
	}
	return stop;
}

static void
signals(struct proxy *px)
{
	static const int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2};
	struct sigaction sa;
	size_t i;

	if (pipe(px->sigfd) != 0) {
		perror("chaosproxy: pipe");
		exit(2);
	}
	set_nonblock(px->sigfd[0]);
	set_nonblock(px->sigfd[1]);
	sig_write_fd = px->sigfd[1];
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		sigaction(sigs[i], &sa, NULL);
	}
	signal(SIGPIPE, SIG_IGN);
}

static void
serve(struct proxy *px)
{
	struct conn *c, *next;
	int timeout;
	size_t n;

	for (;;) {
		n = poll_fill(px, &timeout);
		if (poll(px->pfd, (nfds_t) n, timeout) < 0 && errno != EINTR) {
			perror("chaosproxy: poll");
			return;
		}
		if ((px->pfd[0].revents & POLLIN) && take_signals(px)) {
			return;
		}
		for (c = px->conns; c != NULL; c = next) {
			next = c->next;
			if (c->pc < n) {
				conn_serve(px, c);
			}
		}
		if (!px->cut && px->lfd < 0) {
			px->lfd = listen_open(px); /* restored: retry */
		}
		accept_all(px);
	}
}

int
main(int argc, char **argv)
{
	struct proxy px;
	struct rlimit rl;
	struct conn *c;
	uint64_t seed;

	memset(&px, 0, sizeof(px));
	parse_args(&px, argc, argv);
	seed = px.rng;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	px.pfd = calloc(2 + 2 * (size_t) px.p.max_conns, sizeof(*px.pfd));
	if (px.pfd == NULL || (px.lfd = listen_open(&px)) < 0) {
		perror("chaosproxy: cannot listen");
		return 2;
	}
	signals(&px);
	fprintf(stderr, "chaosproxy: listening, seed %llu\n",
	    (unsigned long long) seed);
	serve(&px);
	while ((c = px.conns) != NULL) {
		conn_close(&px, c, 0);
	}
	close_fd(px.lfd, 0);
	print_counters(&px);
	free(px.pfd);
	return 0;
}
