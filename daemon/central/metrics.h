/*
 * metrics.h: the central's counters, served as `GET /metrics' in the
 * Prometheus text exposition format 0.0.4 (docs/operations.md,
 * "Monitoring").
 *
 * One struct metrics lives in `run' (cmd_run.c) and is handed to the sync
 * server, its writer and the HTTP API, which count into it with relaxed
 * atomic additions from any thread: nothing waits on a lock to count.
 * Counters count since the process started; what the database knows
 * (the log's size, the devices) is read when a scrape asks, into a
 * struct metrics_db, by the HTTP worker that answers it.
 */
#ifndef COSOD_METRICS_H
#define COSOD_METRICS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <coso/proto.h>

/* Upper bounds of the group commit histogram, in microseconds. */
#define METRICS_COMMIT_BUCKETS 12
/* Reasons (coso_err codes) counted one by one; larger ones as "other". */
#define METRICS_REASONS 128
/* Routes of the HTTP API (the last slot: no route). */
#define METRICS_ROUTES 48
/* HTTP statuses counted one by one (metrics.c: statuses[]), then other. */
#define METRICS_STATUSES 12
/* Sync requests by message type: status, enroll, push, pull, other. */
#define METRICS_MSGS 5

enum metrics_msg {
	METRICS_MSG_STATUS = 0,
	METRICS_MSG_ENROLL = 1,
	METRICS_MSG_PUSH   = 2,
	METRICS_MSG_PULL   = 3,
	METRICS_MSG_OTHER  = 4,
};

struct metrics {
	/* Change-sets answered, by verdict (COSO_VERDICT_*; 0 unused). */
	atomic_uint_least64_t verdicts[COSO_VERDICT_REFUSED + 1];
	/* Stored as quarantined, and refused whole, by reason. */
	atomic_uint_least64_t quarantined[METRICS_REASONS + 1];
	atomic_uint_least64_t refused[METRICS_REASONS + 1];
	atomic_uint_least64_t enrollments;
	/* Group commits: per bucket (not cumulative; the text is), +Inf,
	 * their count, the sum of their durations, and failed groups. */
	atomic_uint_least64_t commit_bucket[METRICS_COMMIT_BUCKETS + 1];
	atomic_uint_least64_t commits, commit_us, commit_failed;
	/* The sync server's connections: open now, accepted, turned away. */
	atomic_int_least64_t conns_open;
	atomic_uint_least64_t conns_total, conns_refused;
	atomic_uint_least64_t requests[METRICS_MSGS];
	/* The HTTP API: requests by route (names set once, before any
	 * thread) and status. */
	const char *routes[METRICS_ROUTES];
	size_t nroutes;
	atomic_uint_least64_t http[METRICS_ROUTES + 1][METRICS_STATUSES + 1];
	uint64_t start_ms; /* the process's start, Unix ms */
};

/* What the database says at a scrape. */
struct metrics_db {
	uint64_t tree_size; /* log entries, the tree's leaves */
	uint64_t checkpoint_size;
	uint64_t devices_enrolled; /* field and admin keys, not revoked */
	uint64_t devices_revoked;
	uint64_t devices_seen;     /* keys whose STATUS the central recorded */
	uint64_t devices_seen_24h; /* ... in the last 24 hours */
};

/* Zeroes m and sets its start time.  Before any thread uses it. */
void metrics_init(struct metrics *m, uint64_t now_ms);

/* The route names of the HTTP API, in the order route indexes count
 * (at most METRICS_ROUTES); the names must outlive m.  Before the HTTP
 * API's threads start: only they read the names. */
void metrics_routes(struct metrics *m, const char *const *names, size_t n);

/* Counting; any thread, m may be NULL (nothing is counted). */
void metrics_verdict(struct metrics *m, int verdict, int reason);
void metrics_enrolled(struct metrics *m);
void metrics_commit(struct metrics *m, uint64_t us, int failed);
void metrics_conn(struct metrics *m, int opened, int refused);
void metrics_request(struct metrics *m, enum metrics_msg type);
/* route: an index given to metrics_routes, or -1 for no route. */
void metrics_http(struct metrics *m, int route, unsigned status);

/* The text exposition of m and d into malloc'd *out (*len bytes, NUL
 * after them); COSO_ENOMEM or COSO_ETOOBIG (over 1 MiB). */
COSO_NODISCARD int metrics_render(const struct metrics *m,
    const struct metrics_db *d, uint64_t now_ms, char **out, size_t *len);

#endif /* COSOD_METRICS_H */
