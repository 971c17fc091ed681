/*
 * test_metrics.c: the central's counters and their Prometheus text
 * exposition (daemon/central/metrics.c): every line is a comment or
 * `name{labels} value', each family's TYPE comes once and before its
 * samples, a histogram's buckets are cumulative and end with +Inf equal
 * to its count, label values are escaped, and the counts are the ones
 * counted, from many threads at once.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../daemon/central/metrics.h"

/* The value of the sample line that starts with key (name and labels)
 * followed by a space; -1 if none. */
static long long
sample(const char *text, const char *key)
{
	size_t n = strlen(key);
	const char *p;

	for (p = text; p != NULL && *p != '\0';) {
		if (strncmp(p, key, n) == 0 && p[n] == ' ') {
			return atoll(p + n + 1);
		}
		p = strchr(p, '\n');
		p = p != NULL ? p + 1 : NULL;
	}
	return -1;
}

static int
name_char(char c, int first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'
	    || c == ':' || (!first && c >= '0' && c <= '9');
}

/* A sample line: name, optional {k="v",...} with escapes, a space, a
 * number.  Returns the length of the name. */
static size_t
check_sample(const char *l, size_t len)
{
	size_t i = 0, name;
	char *end;

	while (i < len && name_char(l[i], i == 0)) {
		i++;
	}
	name = i;
	assert_true(name > 0);
	if (i < len && l[i] == '{') {
		for (i++; i < len && l[i] != '}';) {
			while (i < len && name_char(l[i], 0)) {
				i++;
			}
			assert_true(
			    i + 1 < len && l[i] == '=' && l[i + 1] == '"');
			for (i += 2; i < len && l[i] != '"'; i++) {
				if (l[i] == '\\') {
					i++;
					assert_true(l[i] == '\\' || l[i] == '"'
					    || l[i] == 'n');
				}
				assert_true(l[i] != '\n');
			}
			assert_true(i < len);
			i++;
			if (l[i] == ',') {
				i++;
			}
		}
		assert_true(i < len && l[i] == '}');
		i++;
	}
	assert_true(i < len && l[i] == ' ');
	strtod(l + i + 1, &end);
	assert_ptr_equal(end, l + len);
	return name;
}

/* Every line well formed; one TYPE per family, before its samples. */
static void
check_format(const char *text)
{
	char typed[64][64];
	size_t ntyped = 0, k, n;
	const char *l = text, *nl;
	int found;

	assert_true(strlen(text) > 0 && text[strlen(text) - 1] == '\n');
	for (; *l != '\0'; l = nl + 1) {
		nl = strchr(l, '\n');
		assert_non_null(nl);
		if (strncmp(l, "# TYPE ", 7) == 0) {
			n = strcspn(l + 7, " ");
			for (k = 0; k < ntyped; k++) {
				assert_false(strlen(typed[k]) == n
				    && strncmp(typed[k], l + 7, n) == 0);
			}
			assert_true(ntyped < 64 && n < 64);
			memcpy(typed[ntyped], l + 7, n);
			typed[ntyped++][n] = '\0';
			continue;
		}
		if (strncmp(l, "# HELP ", 7) == 0) {
			continue;
		}
		assert_true(l[0] != '#');
		n = check_sample(l, (size_t) (nl - l));
		for (k = 0, found = 0; k < ntyped && !found; k++) {
			size_t t = strlen(typed[k]);

			found = strncmp(l, typed[k], t) == 0
			    && (t == n
			        || (n > t && l[t] == '_'
			            && (strncmp(l + t, "_bucket", 7) == 0
			                || strncmp(l + t, "_sum", 4) == 0
			                || strncmp(l + t, "_count", 6) == 0)));
		}
		assert_true(found);
	}
}

static void
test_format_and_counts(void **state)
{
	static const char *const routes[] = {"/checkpoint", "/a\"b\\c\nd"};
	struct metrics m;
	struct metrics_db d = {.tree_size = 42,
	    .checkpoint_size              = 41,
	    .devices_enrolled             = 7,
	    .devices_revoked              = 1,
	    .devices_seen                 = 6,
	    .devices_seen_24h             = 5};
	char *text          = NULL;
	size_t len          = 0;

	(void) state;
	metrics_init(&m, 1000000);
	metrics_routes(&m, routes, 2);
	metrics_verdict(&m, COSO_VERDICT_ACCEPTED, 0);
	metrics_verdict(&m, COSO_VERDICT_ACCEPTED, 0);
	metrics_verdict(&m, COSO_VERDICT_QUARANTINED, COSO_QFORK);
	metrics_verdict(&m, COSO_VERDICT_REFUSED, COSO_QREVOKED);
	metrics_verdict(&m, COSO_VERDICT_REFUSED, COSO_QREVOKED);
	metrics_verdict(&m, COSO_VERDICT_QUARANTINED, 500); /* no name */
	metrics_verdict(&m, 99, 0);                         /* ignored */
	metrics_commit(&m, 400, 0);                         /* <= 0.0005 */
	metrics_commit(&m, 3000, 0);                        /* <= 0.005 */
	metrics_commit(&m, 3000, 0);                        /* <= 0.005 */
	metrics_commit(&m, 9000000, 0);                     /* +Inf only */
	metrics_commit(&m, 10, 1); /* failed: not in the histogram */
	metrics_conn(&m, 1, 0);
	metrics_conn(&m, 1, 0);
	metrics_conn(&m, 0, 0);
	metrics_conn(&m, 0, 1);
	metrics_request(&m, METRICS_MSG_PUSH);
	metrics_http(&m, 0, 200);
	metrics_http(&m, 1, 404);
	metrics_http(&m, -1, 401);
	metrics_http(&m, 0, 299); /* a status not listed */
	metrics_enrolled(&m);
	metrics_verdict(NULL, COSO_VERDICT_ACCEPTED, 0); /* no metrics */
	assert_int_equal(metrics_render(&m, &d, 1061000, &text, &len), 0);
	assert_int_equal(strlen(text), len);
	check_format(text);
	assert_int_equal(
	    sample(text, "coso_changesets_total{verdict=\"accepted\"}"), 2);
	assert_int_equal(
	    sample(text, "coso_changesets_total{verdict=\"quarantined\"}"), 2);
	assert_int_equal(
	    sample(text, "coso_changesets_total{verdict=\"refused\"}"), 2);
	assert_int_equal(
	    sample(text, "coso_changesets_total{verdict=\"gap\"}"), 0);
	assert_int_equal(
	    sample(text, "coso_quarantined_total{reason=\"fork\"}"), 1);
	assert_int_equal(
	    sample(text, "coso_quarantined_total{reason=\"other\"}"), 1);
	assert_int_equal(
	    sample(text, "coso_refused_total{reason=\"revoked\"}"), 2);
	assert_int_equal(
	    sample(text, "coso_quarantined_total{reason=\"revoked\"}"), -1);
	assert_int_equal(
	    sample(text, "coso_group_commit_seconds_bucket{le=\"0.0005\"}"),
	    1);
	assert_int_equal(
	    sample(text, "coso_group_commit_seconds_bucket{le=\"0.0025\"}"),
	    1);
	assert_int_equal(
	    sample(text, "coso_group_commit_seconds_bucket{le=\"0.005\"}"), 3);
	assert_int_equal(
	    sample(text, "coso_group_commit_seconds_bucket{le=\"2.5\"}"), 3);
	assert_int_equal(
	    sample(text, "coso_group_commit_seconds_bucket{le=\"+Inf\"}"), 4);
	assert_int_equal(sample(text, "coso_group_commit_seconds_count"), 4);
	assert_non_null(
	    strstr(text, "coso_group_commit_seconds_sum 9.006400\n"));
	assert_int_equal(sample(text, "coso_group_commits_failed_total"), 1);
	assert_int_equal(sample(text, "coso_sync_connections"), 1);
	assert_int_equal(sample(text, "coso_sync_connections_total"), 2);
	assert_int_equal(
	    sample(text, "coso_sync_connections_refused_total"), 1);
	assert_int_equal(
	    sample(text, "coso_sync_requests_total{type=\"push\"}"), 1);
	assert_int_equal(sample(text,
	                     "coso_http_requests_total{route=\"/checkpoint\","
	                     "status=\"200\"}"),
	    1);
	assert_int_equal(sample(text,
	                     "coso_http_requests_total{route=\"/checkpoint\","
	                     "status=\"other\"}"),
	    1);
	/* The quote, backslash and newline of a name are escaped. */
	assert_int_equal(
	    sample(text,
	        "coso_http_requests_total{route=\"/a\\\"b\\\\c\\nd\","
	        "status=\"404\"}"),
	    1);
	assert_int_equal(sample(text,
	                     "coso_http_requests_total{route=\"none\","
	                     "status=\"401\"}"),
	    1);
	assert_int_equal(sample(text, "coso_enrollments_total"), 1);
	assert_int_equal(sample(text, "coso_log_entries"), 42);
	assert_int_equal(sample(text, "coso_checkpoint_size"), 41);
	assert_int_equal(sample(text, "coso_devices{state=\"enrolled\"}"), 7);
	assert_int_equal(sample(text, "coso_devices{state=\"revoked\"}"), 1);
	assert_int_equal(sample(text, "coso_devices_seen{window=\"all\"}"), 6);
	assert_int_equal(sample(text, "coso_devices_seen{window=\"24h\"}"), 5);
	assert_int_equal(
	    sample(text, "coso_process_start_time_seconds"), 1000);
	assert_int_equal(sample(text, "coso_uptime_seconds"), 61);
	free(text);
}

#define THREADS 4
#define EACH    100000

static void *
count_many(void *arg)
{
	struct metrics *m = arg;
	int i;

	for (i = 0; i < EACH; i++) {
		metrics_verdict(m, COSO_VERDICT_ACCEPTED, 0);
		metrics_commit(m, 700, 0);
		metrics_http(m, 0, 200);
	}
	return NULL;
}

/* Counting from many threads loses nothing. */
static void
test_threads(void **state)
{
	static const char *const routes[] = {"/metrics"};
	struct metrics m;
	struct metrics_db d = {0};
	pthread_t t[THREADS];
	char *text = NULL;
	size_t len, i;

	(void) state;
	metrics_init(&m, 0);
	metrics_routes(&m, routes, 1);
	for (i = 0; i < THREADS; i++) {
		assert_int_equal(
		    pthread_create(&t[i], NULL, count_many, &m), 0);
	}
	for (i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
	}
	assert_int_equal(metrics_render(&m, &d, 0, &text, &len), 0);
	check_format(text);
	assert_int_equal(
	    sample(text, "coso_changesets_total{verdict=\"accepted\"}"),
	    THREADS * EACH);
	assert_int_equal(
	    sample(text, "coso_group_commit_seconds_bucket{le=\"0.001\"}"),
	    THREADS * EACH);
	assert_int_equal(
	    sample(text, "coso_group_commit_seconds_bucket{le=\"0.0005\"}"),
	    0);
	assert_int_equal(sample(text,
	                     "coso_http_requests_total{route=\"/metrics\","
	                     "status=\"200\"}"),
	    THREADS * EACH);
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_format_and_counts),
	    cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
