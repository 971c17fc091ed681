/*
 * cmd_stats.c: `cosod central stats`: the log's counts, the tables and the
 * devices' clocks, as text or JSON.
 */
#include <inttypes.h>
#include <stdio.h>

#include <sodium.h>

#include "store.h"
#include "cmd_central.h"
#include "emit.h"

static void
print_reason(int json, const struct cstore_reason_count *r, int first)
{
	const char *name = merge_reason_name(r->reason);
	char other[24];

	if (name == NULL) {
		snprintf(other, sizeof(other), "error_%d", r->reason);
		name = other;
	}
	if (json) {
		printf("%s\"%s\": %" PRIu64, first ? "" : ", ", name, r->n);
	} else {
		printf("  %-20s %" PRIu64 "  (%s)\n", name, r->n,
		    coso_strerror(r->reason));
	}
}

static int
print_tables(struct central_store *s, int json)
{
	uint64_t n;
	uint32_t t;
	int rv;

	for (t = 1; t <= COSO_T_CONSOLE_ACCESS; t++) {
		if ((rv = cstore_table_count(s, t, &n)) != COSO_OK) {
			return rv;
		}
		if (json) {
			printf("    \"%s\": %" PRIu64 "%s\n",
			    cstore_table_name(t), n,
			    t < COSO_T_CONSOLE_ACCESS ? "," : "");
		} else {
			printf(
			    "  %-20s %" PRIu64 "\n", cstore_table_name(t), n);
		}
	}
	return COSO_OK;
}

struct clocks_out {
	int json;
	size_t n;
};

/* A JSON string: quotes, backslashes and control characters escaped. */
static void
json_string(const char *v)
{
	putchar('"');
	for (; *v != 0; v++) {
		unsigned char c = (unsigned char) *v;

		if (c == '"' || c == '\\') {
			printf("\\%c", c);
		} else if (c < 0x20) {
			printf("\\u%04x", c);
		} else {
			putchar(c);
		}
	}
	putchar('"');
}

/* Off by more than the tolerance at its last check, either way. */
static int
clock_wrong(const struct cstore_clock_stat *c)
{
	int64_t skew
	    = (int64_t) c->last.central_ms - (int64_t) c->last.device_ms;

	return skew > (int64_t) COSO_CLOCK_TOLERANCE_MS
	    || skew < -(int64_t) COSO_CLOCK_TOLERANCE_MS;
}

/* One device a line: its last measured skew (central - device), what
 * its HLC was then ahead of the central's time, and how many of its
 * change-sets were weighed at their received time. */
static int
print_clock(const struct cstore_clock_stat *c, void *arg)
{
	struct clocks_out *o = arg;
	int64_t skew
	    = (int64_t) c->last.central_ms - (int64_t) c->last.device_ms;
	int64_t ahead = (int64_t) coso_hlc_ms(c->last.hlc)
	    - (int64_t) c->last.central_ms;
	char key[17];

	sodium_bin2hex(key, sizeof(key), c->key_id, 8);
	if (o->json) {
		printf("%s\n    {\"key\": \"%s\", \"cadre_id\": ",
		    o->n ? "," : "", key);
		json_string(c->cadre_id);
		if (c->checked) {
			printf(", \"checks\": %" PRIu64
			       ", \"checked_ms\": %" PRIu64
			       ", \"skew_ms\": %" PRId64
			       ", \"hlc_ahead_ms\": %" PRId64
			       ", \"clock_ok\": %s",
			    c->checks, c->last.central_ms, skew, ahead,
			    clock_wrong(c) ? "false" : "true");
		} else {
			printf(", \"checks\": 0, \"checked_ms\": null, "
			       "\"skew_ms\": null, \"hlc_ahead_ms\": null, "
			       "\"clock_ok\": null");
		}
		printf(", \"clamped\": %" PRIu64 "}", c->clamped);
	} else if (c->checked) {
		printf("  %-16s %s  skew %" PRId64 " s  clamped %" PRIu64
		       "%s\n",
		    c->cadre_id, key, skew / 1000, c->clamped,
		    clock_wrong(c) ? "  CLOCK WRONG" : "");
	} else {
		printf("  %-16s %s  not checked  clamped %" PRIu64 "\n",
		    c->cadre_id, key, c->clamped);
	}
	o->n++;
	return 0;
}

static int
print_clocks(struct central_store *s, int json)
{
	struct clocks_out o = {json, 0};
	int rv;

	printf(json ? ",\n  \"clock_tolerance_ms\": %u,\n  \"clocks\": ["
	            : "clocks       skew = central - device at the last sync; "
	              "tolerance %u s\n",
	    json ? COSO_CLOCK_TOLERANCE_MS : COSO_CLOCK_TOLERANCE_MS / 1000);
	rv = cstore_clocks_each(s, print_clock, &o);
	if (json) {
		printf("%s]", o.n ? "\n  " : "");
	}
	return rv;
}

/* One key per line, so line-oriented tools find each value. */
static int
print_stats(struct central_store *s, const struct cstore_stats *st, int json)
{
	char root[65];
	size_t i;
	int rv;

	printf(json ? "{\n  \"accepted\": %" PRIu64
	              ",\n  \"quarantined\": %" PRIu64
	              ",\n  \"quarantined_by_reason\": {"
	            : "accepted     %" PRIu64 "\nquarantined  %" PRIu64 "\n",
	    st->accepted, st->quarantined);
	for (i = 0; i < st->nreasons; i++) {
		print_reason(json, &st->reasons[i], i == 0);
	}
	printf(json ? "},\n  \"authors\": %" PRIu64 ",\n  \"records\": {\n"
	            : "authors      %" PRIu64 "\nrecords\n",
	    st->authors);
	if ((rv = print_tables(s, json)) != COSO_OK) {
		return rv;
	}
	sodium_bin2hex(root, sizeof(root), st->root, 32);
	printf(json ? "  },\n  \"log\": {\"changesets\": %" PRIu64
	              ", \"bytes\": %" PRIu64 "},\n  \"tree_size\": %" PRIu64
	              ",\n  \"root\": \"%s\""
	            : "log          %" PRIu64 " change-sets, %" PRIu64
	              " bytes\ntree size    %" PRIu64 "\nroot         %s\n",
	    st->changesets, st->bytes, st->tree_size, root);
	if ((rv = print_clocks(s, json)) != COSO_OK) {
		return rv;
	}
	if (json) {
		printf("\n}\n");
	}
	return COSO_OK;
}

int
central_stats(int argc, char **argv)
{
	const char *db = NULL, *json = NULL;
	const struct opt opts[] = {{"--db", &db, 0}, {"--json", &json, 1}};
	struct central_store *s;
	struct cstore_stats st;
	int rv;

	if (central_parse_opts(argc, argv, opts, 2) != 0
	    || central_need("--db", db) != 0) {
		return COSOD_EXIT_USAGE;
	}
	if (central_open_ro(db, &s) != 0) {
		return COSOD_EXIT_FAIL;
	}
	if ((rv = cstore_stats_get(s, &st)) == COSO_OK) {
		rv = print_stats(s, &st, json != NULL);
	}
	if (rv != COSO_OK) {
		central_fail("cannot read `%s': %s", db, cstore_errmsg(s));
	}
	cstore_close(s);
	return rv == COSO_OK ? 0 : COSOD_EXIT_FAIL;
}
