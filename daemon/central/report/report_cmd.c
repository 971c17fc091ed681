/*
 * report_cmd.c: `cosod central report compliance | coverage | proposals |
 * pack` (docs/central.md, "Reports").
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <coso/common.h>

#include "../cmd_central.h"
#include "report_cmd.h"
#include "report_out.h"

struct ropts {
	const char *db, *period, *unit, *format, *output, *status, *sector;
	const char *today;
};

/* `--name VALUE` or `--name=VALUE` for the names in allowed ("db period
 * ..." words), by cmd_central.c's getopt_long parser; -1 (reported) on a
 * usage error. */
static int
parse(int argc, char **argv, const char *allowed, struct ropts *o)
{
	static const char *const names[] = {"--db", "--period", "--unit",
	    "--format", "--output", "--status", "--sector", "--today"};
	const char **vals[] = {&o->db, &o->period, &o->unit, &o->format,
	    &o->output, &o->status, &o->sector, &o->today};
	struct opt opts[8];
	size_t k, n = 0;

	for (k = 0; k < 8; k++) {
		if (strstr(allowed, names[k] + 2) != NULL) {
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

static int
rep_coverage(int argc, char **argv)
{
	struct ropts o              = {0};
	struct cstore_report_db *db = NULL;
	struct report_coverage *r   = NULL;
	char err[REPORT_ERRMSG_MAX];
	int32_t today;
	int fmt, rv;

	if (parse(argc, argv, "db period format output today", &o) != 0
	    || (format_of_output(&o), common(&o, 1, &fmt, &today)) != 0) {
		return COSOD_EXIT_USAGE;
	}
	if (open_db(o.db, &db) != 0) {
		return COSOD_EXIT_FAIL;
	}
	if ((rv = report_coverage(db, o.period, today, &r, err)) == COSO_OK) {
		rv = report_write_coverage(r, fmt, o.output, err);
	}
	report_coverage_free(r);
	cstore_report_close(db);
	return done(rv, err);
}

static int
rep_proposals(int argc, char **argv)
{
	struct ropts o              = {0};
	struct cstore_report_db *db = NULL;
	struct report_proposals *r  = NULL;
	char err[REPORT_ERRMSG_MAX];
	int32_t today;
	int fmt, rv, status = -1;

	if (parse(argc, argv, "db unit status format output today", &o) != 0
	    || (format_of_output(&o), common(&o, 0, &fmt, &today)) != 0) {
		return COSOD_EXIT_USAGE;
	}
	if (o.status != NULL
	    && (status = report_prop_status_parse(o.status)) < 0) {
		central_fail(
		    "--status: `%s' is not open, answered, resolved or "
		    "declined",
		    o.status);
		return COSOD_EXIT_USAGE;
	}
	if (open_db(o.db, &db) != 0) {
		return COSOD_EXIT_FAIL;
	}
	if ((rv = report_proposals(db, o.unit, status, today, &r, err))
	    == COSO_OK) {
		rv = report_write_proposals(r, fmt, o.output, err);
	}
	report_proposals_free(r);
	cstore_report_close(db);
	return done(rv, err);
}

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

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
} subs[] = {
    {"compliance", rep_compliance,
        "--db PATH --period P [--unit CODE] [--format F] [--output FILE]"},
    {"coverage", rep_coverage,
        "--db PATH --period P [--format F] [--output FILE]"},
    {"proposals", rep_proposals,
        "--db PATH [--unit CODE] [--status open|answered|resolved|declined] "
        "[--format F] [--output FILE]"},
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
