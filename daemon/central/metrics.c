/*
 * metrics.c: the central's counters and their Prometheus text exposition
 * (format 0.0.4: "# HELP", "# TYPE", then one "name{labels} value" line
 * each; a histogram's buckets cumulative, with le="+Inf", _sum and
 * _count).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

#define RENDER_MAX (1u << 20)
#define LINE_MAX_  512

static const uint64_t bucket_us[METRICS_COMMIT_BUCKETS] = {500, 1000, 2500,
    5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000};

static const unsigned statuses[METRICS_STATUSES]
    = {200, 304, 400, 401, 404, 405, 408, 413, 431, 500, 503, 505};

static const char *const verdict_names[COSO_VERDICT_REFUSED + 1]
    = {NULL, "accepted", "duplicate", "quarantined", "gap", "refused"};

static const char *const msg_names[METRICS_MSGS]
    = {"status", "enroll", "push", "pull", "other"};

#define ADD(a, n) atomic_fetch_add_explicit(&(a), (n), memory_order_relaxed)
#define GET(a)    atomic_load_explicit(&(a), memory_order_relaxed)

void
metrics_init(struct metrics *m, uint64_t now_ms)
{
	size_t i, j;

	memset(m, 0, sizeof(*m));
	for (i = 0; i <= COSO_VERDICT_REFUSED; i++) {
		atomic_init(&m->verdicts[i], 0);
	}
	for (i = 0; i <= METRICS_REASONS; i++) {
		atomic_init(&m->quarantined[i], 0);
		atomic_init(&m->refused[i], 0);
	}
	for (i = 0; i <= METRICS_COMMIT_BUCKETS; i++) {
		atomic_init(&m->commit_bucket[i], 0);
	}
	for (i = 0; i < METRICS_MSGS; i++) {
		atomic_init(&m->requests[i], 0);
	}
	for (i = 0; i <= METRICS_ROUTES; i++) {
		for (j = 0; j <= METRICS_STATUSES; j++) {
			atomic_init(&m->http[i][j], 0);
		}
	}
	atomic_init(&m->enrollments, 0);
	atomic_init(&m->commits, 0);
	atomic_init(&m->commit_us, 0);
	atomic_init(&m->commit_failed, 0);
	atomic_init(&m->conns_open, 0);
	atomic_init(&m->conns_total, 0);
	atomic_init(&m->conns_refused, 0);
	m->start_ms = now_ms;
}

void
metrics_routes(struct metrics *m, const char *const *names, size_t n)
{
	size_t i;

	m->nroutes = n < METRICS_ROUTES ? n : METRICS_ROUTES;
	for (i = 0; i < m->nroutes; i++) {
		m->routes[i] = names[i];
	}
}

static size_t
reason_slot(int reason)
{
	return reason > 0 && reason < METRICS_REASONS ? (size_t) reason
	                                              : METRICS_REASONS;
}

void
metrics_verdict(struct metrics *m, int verdict, int reason)
{
	if (m == NULL || verdict < COSO_VERDICT_ACCEPTED
	    || verdict > COSO_VERDICT_REFUSED) {
		return;
	}
	ADD(m->verdicts[verdict], 1);
	if (verdict == COSO_VERDICT_QUARANTINED) {
		ADD(m->quarantined[reason_slot(reason)], 1);
	} else if (verdict == COSO_VERDICT_REFUSED) {
		ADD(m->refused[reason_slot(reason)], 1);
	}
}

void
metrics_enrolled(struct metrics *m)
{
	if (m != NULL) {
		ADD(m->enrollments, 1);
	}
}

void
metrics_commit(struct metrics *m, uint64_t us, int failed)
{
	size_t i;

	if (m == NULL) {
		return;
	}
	if (failed) {
		ADD(m->commit_failed, 1);
		return;
	}
	for (i = 0; i < METRICS_COMMIT_BUCKETS && us > bucket_us[i]; i++) { }
	ADD(m->commit_bucket[i], 1);
	ADD(m->commits, 1);
	ADD(m->commit_us, us);
}

void
metrics_conn(struct metrics *m, int opened, int refused)
{
	if (m == NULL) {
		return;
	}
	if (refused) {
		ADD(m->conns_refused, 1);
	} else if (opened) {
		ADD(m->conns_total, 1);
		ADD(m->conns_open, 1);
	} else {
		atomic_fetch_sub_explicit(
		    &m->conns_open, 1, memory_order_relaxed);
	}
}

void
metrics_request(struct metrics *m, enum metrics_msg type)
{
	if (m != NULL && (unsigned) type < METRICS_MSGS) {
		ADD(m->requests[type], 1);
	}
}

void
metrics_http(struct metrics *m, int route, unsigned status)
{
	size_t r, s;

	if (m == NULL) {
		return;
	}
	r = route >= 0 && (size_t) route < m->nroutes ? (size_t) route
	                                              : METRICS_ROUTES;
	for (s = 0; s < METRICS_STATUSES && statuses[s] != status; s++) { }
	ADD(m->http[r][s], 1);
}

/* ---- the text -------------------------------------------------------------
 */

struct out {
	struct coso_buf b;
	int rv;
};

static void __attribute__((format(printf, 2, 3)))
put(struct out *o, const char *fmt, ...)
{
	char line[LINE_MAX_];
	va_list ap;
	int n;

	if (o->rv != COSO_OK) {
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t) n >= sizeof(line)) {
		o->rv = COSO_ETOOBIG;
		return;
	}
	o->rv = coso_buf_add(&o->b, line, (size_t) n);
}

/* A label value, escaped as the format wants (\\, \", \n), into a
 * buffer of n bytes; cut short at n - 1 bytes, never mid-escape. */
static const char *
label(char *buf, size_t n, const char *v)
{
	size_t k = 0;

	for (; *v != '\0' && k + 3 < n; v++) {
		if (*v == '\\' || *v == '"' || *v == '\n') {
			buf[k++] = '\\';
			buf[k++] = *v == '\n' ? 'n' : *v;
		} else {
			buf[k++] = *v;
		}
	}
	buf[k] = '\0';
	return buf;
}

static void
head(struct out *o, const char *name, const char *type, const char *help)
{
	put(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One line per reason counted: its short name (coso_reason_name),
 * "code_N" for a code without one, "other" past METRICS_REASONS. */
static void
by_reason(struct out *o, const char *metric,
    const atomic_uint_least64_t counts[METRICS_REASONS + 1])
{
	char name[32], lab[64];
	const char *r;
	uint64_t n;
	size_t i;

	for (i = 1; i <= METRICS_REASONS; i++) {
		if ((n = GET(counts[i])) == 0) {
			continue;
		}
		r = i < METRICS_REASONS ? coso_reason_name((int) i) : "other";
		if (r == NULL) {
			snprintf(name, sizeof(name), "code_%zu", i);
		} else {
			snprintf(name, sizeof(name), "%s", r);
		}
		put(o, "%s{reason=\"%s\"} %llu\n", metric,
		    label(lab, sizeof(lab), name), (unsigned long long) n);
	}
}

static void
render_verdicts(struct out *o, const struct metrics *m)
{
	size_t i;

	head(o, "coso_changesets_total", "counter",
	    "Change-sets the sync server answered, by verdict.");
	for (i = COSO_VERDICT_ACCEPTED; i <= COSO_VERDICT_REFUSED; i++) {
		put(o, "coso_changesets_total{verdict=\"%s\"} %llu\n",
		    verdict_names[i],
		    (unsigned long long) GET(m->verdicts[i]));
	}
	head(o, "coso_quarantined_total", "counter",
	    "Change-sets stored as quarantined, by reason.");
	by_reason(o, "coso_quarantined_total", m->quarantined);
	head(o, "coso_refused_total", "counter",
	    "Change-sets refused unstored (revoked or unknown key, ...), by "
	    "reason.");
	by_reason(o, "coso_refused_total", m->refused);
	head(o, "coso_enrollments_total", "counter",
	    "Devices enrolled with a token.");
	put(o, "coso_enrollments_total %llu\n",
	    (unsigned long long) GET(m->enrollments));
}

static void
render_commits(struct out *o, const struct metrics *m)
{
	uint64_t cum = 0, us = GET(m->commit_us);
	size_t i;

	head(o, "coso_group_commit_seconds", "histogram",
	    "Time of the writer's group commits, from BEGIN to the durable "
	    "COMMIT.");
	for (i = 0; i < METRICS_COMMIT_BUCKETS; i++) {
		cum += GET(m->commit_bucket[i]);
		put(o, "coso_group_commit_seconds_bucket{le=\"%g\"} %llu\n",
		    (double) bucket_us[i] / 1e6, (unsigned long long) cum);
	}
	cum += GET(m->commit_bucket[METRICS_COMMIT_BUCKETS]);
	put(o,
	    "coso_group_commit_seconds_bucket{le=\"+Inf\"} %llu\n"
	    "coso_group_commit_seconds_sum %llu.%06llu\n"
	    "coso_group_commit_seconds_count %llu\n",
	    (unsigned long long) cum, (unsigned long long) (us / 1000000),
	    (unsigned long long) (us % 1000000),
	    (unsigned long long) GET(m->commits));
	head(o, "coso_group_commits_failed_total", "counter",
	    "Group commits that failed (their devices retry).");
	put(o, "coso_group_commits_failed_total %llu\n",
	    (unsigned long long) GET(m->commit_failed));
}

static void
render_sync(struct out *o, const struct metrics *m)
{
	int64_t open = GET(m->conns_open);
	size_t i;

	head(o, "coso_sync_connections", "gauge",
	    "Devices' connections open now.");
	put(o, "coso_sync_connections %lld\n",
	    (long long) (open > 0 ? open : 0));
	head(o, "coso_sync_connections_total", "counter",
	    "Devices' connections accepted.");
	put(o, "coso_sync_connections_total %llu\n",
	    (unsigned long long) GET(m->conns_total));
	head(o, "coso_sync_connections_refused_total", "counter",
	    "Connections closed at once: over the limits.");
	put(o, "coso_sync_connections_refused_total %llu\n",
	    (unsigned long long) GET(m->conns_refused));
	head(o, "coso_sync_requests_total", "counter",
	    "Sync requests opened, by message type.");
	for (i = 0; i < METRICS_MSGS; i++) {
		put(o, "coso_sync_requests_total{type=\"%s\"} %llu\n",
		    msg_names[i], (unsigned long long) GET(m->requests[i]));
	}
}

static void
render_http(struct out *o, const struct metrics *m)
{
	char lab[96], code[16];
	size_t r, s;
	uint64_t n;

	head(o, "coso_http_requests_total", "counter",
	    "Requests the HTTP API answered, by route and status.");
	for (r = 0; r <= METRICS_ROUTES; r++) {
		if (r >= m->nroutes && r < METRICS_ROUTES) {
			continue;
		}
		for (s = 0; s <= METRICS_STATUSES; s++) {
			if ((n = GET(m->http[r][s])) == 0) {
				continue;
			}
			if (s < METRICS_STATUSES) {
				snprintf(
				    code, sizeof(code), "%u", statuses[s]);
			} else {
				snprintf(code, sizeof(code), "other");
			}
			put(o,
			    "coso_http_requests_total{route=\"%s\",status="
			    "\"%s\"} %llu\n",
			    r < METRICS_ROUTES
			        ? label(lab, sizeof(lab), m->routes[r])
			        : "none",
			    code, (unsigned long long) n);
		}
	}
}

static void
render_db(struct out *o, const struct metrics_db *d)
{
	head(o, "coso_log_entries", "gauge",
	    "Entries in the log: the Merkle tree's size.");
	put(o, "coso_log_entries %llu\n", (unsigned long long) d->tree_size);
	head(o, "coso_checkpoint_size", "gauge",
	    "Tree size of the newest signed checkpoint.");
	put(o, "coso_checkpoint_size %llu\n",
	    (unsigned long long) d->checkpoint_size);
	head(o, "coso_devices", "gauge",
	    "Device and admin keys, enrolled (not revoked) or revoked.");
	put(o,
	    "coso_devices{state=\"enrolled\"} %llu\n"
	    "coso_devices{state=\"revoked\"} %llu\n",
	    (unsigned long long) d->devices_enrolled,
	    (unsigned long long) d->devices_revoked);
	head(o, "coso_devices_seen", "gauge",
	    "Keys whose device asked the central's STATUS, ever (window "
	    "\"all\") or in the last 24 hours.");
	put(o,
	    "coso_devices_seen{window=\"all\"} %llu\n"
	    "coso_devices_seen{window=\"24h\"} %llu\n",
	    (unsigned long long) d->devices_seen,
	    (unsigned long long) d->devices_seen_24h);
}

int
metrics_render(const struct metrics *m, const struct metrics_db *d,
    uint64_t now_ms, char **out, size_t *len)
{
	struct out o = {.rv = COSO_OK};
	uint8_t *p;

	coso_buf_init(&o.b, RENDER_MAX);
	render_verdicts(&o, m);
	render_commits(&o, m);
	render_sync(&o, m);
	render_http(&o, m);
	render_db(&o, d);
	head(&o, "coso_process_start_time_seconds", "gauge",
	    "Start of the central's process, Unix seconds.");
	put(&o, "coso_process_start_time_seconds %llu\n",
	    (unsigned long long) (m->start_ms / 1000));
	head(&o, "coso_uptime_seconds", "gauge",
	    "Seconds since the central's process started.");
	put(&o, "coso_uptime_seconds %llu\n",
	    (unsigned long long) ((now_ms - m->start_ms) / 1000));
	if (o.rv != COSO_OK || (o.rv = coso_buf_take(&o.b, &p, len)) != 0) {
		coso_buf_free(&o.b);
		return o.rv;
	}
	*out = (char *) p; /* coso_buf's NUL follows */
	return COSO_OK;
}
