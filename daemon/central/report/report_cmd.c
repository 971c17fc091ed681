/*
 * report_cmd.c: `cosod central report compliance | coverage | proposals |
 * pack | overview | quarantine | devices | trend | audit' (docs/central.md,
 * "Reports" and "Views").
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <coso/common.h>

#include "../cmd_central.h"
#include "report_cmd.h"
#include "report_out.h"
#include "views.h"

struct ropts {
	const char *db, *period, *unit, *format, *output, *status, *sector;
	const char *today, *scope_unit, *scope_sector;
};

#define NOPTS 10

/* Whether word is one of the space-separated words of list. */
static int
has_word(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p;

	for (p = list; (p = strstr(p, word)) != NULL; p += n) {
		if ((p == list || p[-1] == ' ')
		    && (p[n] == ' ' || p[n] == 0)) {
			return 1;
		}
	}
	return 0;
}

/* `--name VALUE` or `--name=VALUE` for the names in allowed ("db period
 * ..." words), by cmd_central.c's getopt_long parser; -1 (reported) on a
 * usage error. */
static int
parse(int argc, char **argv, const char *allowed, struct ropts *o)
{
	static const char *const names[NOPTS] = {"--db", "--period", "--unit",
	    "--format", "--output", "--status", "--sector", "--today",
	    "--scope-unit", "--scope-sector"};
	const char **vals[NOPTS] = {&o->db, &o->period, &o->unit, &o->format,
	    &o->output, &o->status, &o->sector, &o->today, &o->scope_unit,
	    &o->scope_sector};
	struct opt opts[NOPTS];
	size_t k, n = 0;

	for (k = 0; k < NOPTS; k++) {
		if (has_word(allowed, names[k] + 2)) {
			opts[n++] = (struct opt) {names[k], vals[k], 0};
		}
	}
	return central_parse_opts(argc, argv, opts, n);
}

/* Checks the common options; *fmt and *today from them. */
static int
common(const struct ropts *o, int need_period, int *fmt, int32_t *today)
{
	if (o->db == NULL || (need_period && o->period == NULL)) {
		central_fail("option `%s' is required",
		    o->db == NULL ? "--db" : "--period");
		return -1;
	}
	if ((*fmt = report_format_parse(o->format ? o->format : "table"))
	    < 0) {
		central_fail("--format: `%s' is not table, csv, json or xlsx",
		    o->format);
		return -1;
	}
	if (*fmt == REPORT_XLSX && o->output == NULL) {
		central_fail("--format xlsx needs --output FILE");
		return -1;
	}
	*today = coso_date_of_ms(coso_wall_ms());
	if (o->today != NULL && coso_date_parse(o->today, today) != COSO_OK) {
		central_fail("--today: `%s' is not a date", o->today);
		return -1;
	}
	return 0;
}

/* A format from the output file's name when --format is not given. */
static void
format_of_output(struct ropts *o)
{
	size_t n = o->output != NULL ? strlen(o->output) : 0;

	if (o->format == NULL && n > 5
	    && strcmp(o->output + n - 5, ".xlsx") == 0) {
		o->format = "xlsx";
	} else if (o->format == NULL && n > 4
	    && strcmp(o->output + n - 4, ".csv") == 0) {
		o->format = "csv";
	}
}

/* The reports' indexes (on a database this user cannot write, the
 * reports still run, only slower), then a read-only handle. */
static int
open_db(const char *path, struct cstore_report_db **db)
{
	char err[CSTORE_REPORT_ERRMSG_MAX];

	if (cstore_report_open(db, path, err) != COSO_OK) {
		central_fail("%s", err);
		return -1;
	}
	if (cstore_report_indexes(path, err) != COSO_OK) {
		central_fail("warning: %s (the report may be slow)", err);
	}
	return 0;
}

static int
done(int rv, const char *err)
{
	if (rv != COSO_OK) {
		central_fail("%s", err);
		return rv == COSO_EINVAL ? COSOD_EXIT_USAGE : COSOD_EXIT_FAIL;
	}
	return 0;
}

static int
rep_compliance(int argc, char **argv)
{
	struct ropts o              = {0};
	struct cstore_report_db *db = NULL;
	struct report_compliance *r = NULL;
	char err[REPORT_ERRMSG_MAX];
	int32_t today;
	int fmt, rv;

	if (parse(argc, argv, "db period unit format output today", &o) != 0
	    || (format_of_output(&o), common(&o, 1, &fmt, &today)) != 0) {
		return COSOD_EXIT_USAGE;
	}
	if (open_db(o.db, &db) != 0) {
		return COSOD_EXIT_FAIL;
	}
	if ((rv = report_compliance(db, o.period, o.unit, today, &r, err))
	    == COSO_OK) {
		rv = report_write_compliance(r, fmt, o.output, err);
	}
	report_compliance_free(r);
	cstore_report_close(db);
	return done(rv, err);
}

/* A view (views.h): coverage, proposals and the console's views. */
static int
rep_view(enum view_kind k, int argc, char **argv)
{
	struct ropts o              = {0};
	struct cstore_report_db *db = NULL;
	struct view_args a          = {0};
	json_t *doc                 = NULL;
	char err[REPORT_ERRMSG_MAX];
	int fmt, rv;

	if (parse(argc, argv,
	        k == VIEW_PROPOSALS
	            ? "db period unit status format output today scope-unit "
	              "scope-sector"
	            : "db period format output today scope-unit scope-sector",
	        &o)
	        != 0
	    || (format_of_output(&o), common(&o, 0, &fmt, &a.today)) != 0) {
		return COSOD_EXIT_USAGE;
	}
	a.status = -1;
	if (o.status != NULL
	    && (a.status = report_prop_status_parse(o.status)) < 0) {
		central_fail(
		    "--status: `%s' is not open, answered, resolved or "
		    "declined",
		    o.status);
		return COSOD_EXIT_USAGE;
	}
	a.period       = o.period;
	a.unit         = o.unit;
	a.scope.unit   = o.scope_unit;
	a.scope.sector = o.scope_sector;
	if (open_db(o.db, &db) != 0) {
		return COSOD_EXIT_FAIL;
	}
	if ((rv = view_json(db, k, &a, &doc, err)) == COSO_OK) {
		rv = view_write(doc, k, fmt, o.output, err);
	}
	json_decref(doc);
	cstore_report_close(db);
	return done(rv, err);
}

#define VIEW_FN(name, kind)                          \
	static int rep_##name(int argc, char **argv) \
	{                                            \
		return rep_view(kind, argc, argv);   \
	}
VIEW_FN(coverage, VIEW_COVERAGE)
VIEW_FN(proposals, VIEW_PROPOSALS)
VIEW_FN(overview, VIEW_OVERVIEW)
VIEW_FN(quarantine, VIEW_QUARANTINE)
VIEW_FN(devices, VIEW_DEVICES)
VIEW_FN(trend, VIEW_TREND)
VIEW_FN(audit, VIEW_AUDIT)

static int
rep_pack(int argc, char **argv)
{
	struct ropts o              = {0};
	struct cstore_report_db *db = NULL;
	struct report_pack *r       = NULL;
	char err[REPORT_ERRMSG_MAX];
	int32_t today;
	int fmt, rv;

	if (parse(argc, argv, "db period sector format output today", &o) != 0
	    || (format_of_output(&o), common(&o, 1, &fmt, &today)) != 0) {
		return COSOD_EXIT_USAGE;
	}
	if (o.sector == NULL || o.output == NULL) {
		central_fail("option `%s' is required",
		    o.sector == NULL ? "--sector" : "--output");
		return COSOD_EXIT_USAGE;
	}
	if (open_db(o.db, &db) != 0) {
		return COSOD_EXIT_FAIL;
	}
	if ((rv = report_pack(db, o.period, o.sector, today, &r, err))
	    == COSO_OK) {
		rv = report_write_pack(r, fmt, o.output, err);
	}
	report_pack_free(r);
	cstore_report_close(db);
	return done(rv, err);
}

#define SCOPE_USAGE                                               \
	"[--scope-unit CODE] [--scope-sector CODE] [--format F] " \
	"[--output FILE]"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
} subs[] = {
    {"compliance", rep_compliance,
        "--db PATH --period P [--unit CODE] [--format F] [--output FILE]"},
    {"coverage", rep_coverage, "--db PATH [--period P] " SCOPE_USAGE},
    {"proposals", rep_proposals,
        "--db PATH [--period P] [--unit CODE] "
        "[--status open|answered|resolved|declined] " SCOPE_USAGE},
    {"overview", rep_overview, "--db PATH [--period P] " SCOPE_USAGE},
    {"quarantine", rep_quarantine, "--db PATH [--period P] " SCOPE_USAGE},
    {"devices", rep_devices, "--db PATH [--period P] " SCOPE_USAGE},
    {"trend", rep_trend, "--db PATH [--period P] " SCOPE_USAGE},
    {"audit", rep_audit, "--db PATH [--format F] [--output FILE]"},
    {"pack", rep_pack,
        "--db PATH --period P --sector CODE --output FILE.xlsx|FILE.csv"},
};

int
central_report(int argc, char **argv)
{
	size_t i, n = sizeof(subs) / sizeof(subs[0]);

	for (i = 0; argc >= 2 && i < n; i++) {
		if (strcmp(argv[1], subs[i].name) == 0) {
			int code = subs[i].fn(argc - 1, argv + 1);

			if (code == COSOD_EXIT_USAGE) {
				fprintf(stderr,
				    "usage: cosod central report %s %s\n",
				    subs[i].name, subs[i].usage);
			}
			return code;
		}
	}
	if (argc >= 2) {
		central_fail("unknown report `%s'", argv[1]);
	}
	for (i = 0; i < n; i++) {
		fprintf(stderr, "  cosod central report %s %s\n", subs[i].name,
		    subs[i].usage);
	}
	fprintf(stderr,
	    "  F: table, csv, json or xlsx; --today DD/MM/YYYY judges "
	    "as of that day\n");
	return COSOD_EXIT_USAGE;
}
