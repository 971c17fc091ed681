/*
 * cmd_report.c: `coso report new|edit|submit|list|show|print`.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "i18n.h"
#include "output.h"
#include "quarantine.h"
#include "session.h"
#include "util.h"

struct report_opts {
	const char *period, *unit, *amends, *section, *text;
	int none; /* --none: the proposals section says there are none */
};

/* Options after `report SUB`; positional arguments are left at the end
 * (from optind).  0 or EXIT_USAGE. */
static int
parse_opts(int argc, char **argv, struct report_opts *o)
{
	static const struct option longopts[] = {
	    {"period", required_argument, NULL, 'p'},
	    {"unit", required_argument, NULL, 'u'},
	    {"amends", required_argument, NULL, 'a'},
	    {"section", required_argument, NULL, 's'},
	    {"text", required_argument, NULL, 't'},
	    {"none", no_argument, NULL, 'n'},
	    {NULL, 0, NULL, 0},
	};
	const char **dst;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 'n') {
			o->none = 1;
			continue;
		}
		dst = c == 'p' ? &o->period
		    : c == 'u' ? &o->unit
		    : c == 'a' ? &o->amends
		    : c == 's' ? &o->section
		    : c == 't' ? &o->text
		               : NULL;
		if (dst == NULL) {
			return EXIT_USAGE;
		}
		*dst = optarg;
	}
	return 0;
}

/* Resolves a report id given in hex (or a prefix); 0 or an exit code. */
static int
resolve(struct coso_store *s, const char *hex, uint8_t id[static 16],
    const char *what)
{
	int e;

	if ((e = coso_id_resolve(s, "report", hex, id)) != COSO_OK) {
		return cli_store_fail(s, what, e);
	}
	return 0;
}

static int
report_new(struct coso_store *s, const struct report_opts *o)
{
	const char *what = _("cannot start report");
	uint8_t id[16], amends[16];
	int e, rv;

	if (o->amends != NULL && (rv = resolve(s, o->amends, amends, what))) {
		return rv;
	}
	e = coso_report_new(
	    s, o->period, o->unit, o->amends != NULL ? amends : NULL, id);
	if (e != COSO_OK) {
		return cli_store_fail(s, what, e);
	}
	cli_print_id(id);
	return 0;
}

static int
report_edit(struct coso_store *s, const char *hex, enum coso_section sec,
    const char *text)
{
	const char *what = _("cannot edit report");
	uint8_t id[16];
	int e, rv;

	if ((rv = resolve(s, hex, id, what)) != 0) {
		return rv;
	}
	if ((e = coso_report_edit(s, id, sec, text)) != COSO_OK) {
		return cli_store_fail(s, what, e);
	}
	return 0;
}

static int
report_submit(struct coso_store *s, const char *hex)
{
	const char *what = _("cannot submit report");
	uint8_t id[16];
	int e, rv;

	if ((rv = resolve(s, hex, id, what)) != 0) {
		return rv;
	}
	if ((e = coso_report_submit(s, id)) == COSO_QUNAUTH) {
		util_err(
		    _("cannot submit report: you had no assignment on its "
		      "unit in its period, or the %d days of grace after "
		      "your assignment ended are over (by the assignments "
		      "this device holds); run `coso sync' if you were "
		      "assigned since the last sync"),
		    COSO_GRACE_DAYS);
		return EXIT_FAIL;
	}
	if (e != COSO_OK) {
		return cli_store_fail(s, what, e);
	}
	return 0;
}

/* new, edit and submit: check the arguments, then open and act. */
static int
report_write(const struct cli_opts *g, const char *sub, int argc, char **argv)
{
	struct report_opts o  = {0};
	struct coso_store *s  = NULL;
	enum coso_section sec = COSO_SEC_RESULTS;
	int npos, rv;

	if (parse_opts(argc, argv, &o) != 0) {
		return EXIT_USAGE;
	}
	npos = argc - optind;
	if (strcmp(sub, "new") == 0 ? npos != 0 || o.period == NULL
	        : strcmp(sub, "edit") == 0
	        ? npos != 1 || (o.text == NULL) == !o.none || o.section == NULL
	            || coso_section_parse(o.section, &sec) != COSO_OK
	            || (o.none && sec != COSO_SEC_PROPOSALS)
	        : npos != 1) {
		return EXIT_USAGE;
	}
	if ((rv = cli_open(g, &s)) != 0) {
		return rv;
	}
	if (strcmp(sub, "new") == 0) {
		rv = report_new(s, &o);
	} else if (strcmp(sub, "edit") == 0) {
		rv = report_edit(s, argv[optind], sec,
		    o.none ? COSO_PROPOSALS_NONE : o.text);
	} else {
		rv = report_submit(s, argv[optind]);
	}
	coso_store_close(s);
	return rv;
}

static const struct out_col report_cols[] = {
    {"id", N_("ID"), 8, OUT_CUT_TAIL},
    {"period", N_("Period"), 8, 0},
    {"unit", N_("Unit"), 6, 0},
    {"unit_name", N_("Unit name"), 22, 0},
    {"state", N_("State"), 10, 0},
    {"status", N_("Status"), 10, 0},
    {"submitted_ms", N_("Submitted"), 16, 0},
    {"quarantine_reason", N_("Quarantined"), 16, 0},
};

static int
usage(void)
{
	return cli_usage(
	    "coso report new --period P [--unit CODE] [--amends ID]\n"
	    "       coso report edit ID --section "
	    "results|situation|difficulties|proposals --text T\n"
	    "       coso report edit ID --section proposals --none\n"
	    "       coso report submit ID\n"
	    "       coso report list [--json]\n"
	    "       coso report show ID [--json]\n"
	    "       coso report print ID --output FILE.odt   (the form to "
	    "print and sign)\n");
}

int
cmd_report(const struct cli_opts *g, int argc, char **argv)
{
	const char *sub     = argc > 1 ? argv[1] : "";
	struct list_opts lo = {0};
	int rv;

	if (strcmp(sub, "new") == 0 || strcmp(sub, "edit") == 0
	    || strcmp(sub, "submit") == 0) {
		rv = report_write(g, sub, argc - 1, argv + 1);
	} else if (strcmp(sub, "list") == 0) {
		rv = cli_list_opts(argc - 1, argv + 1, 0, &lo);
		if (rv == 0) {
			rv = cli_list(g, cliq_report_list, &lo, report_cols,
			    sizeof(report_cols) / sizeof(report_cols[0]),
			    _("cannot list reports"));
		}
	} else if (strcmp(sub, "show") == 0) {
		rv = cli_show(g, cliq_report_show, argc - 1, argv + 1,
		    _("cannot show report `%s'"));
	} else if (strcmp(sub, "print") == 0) {
		rv = cmd_report_print(g, argc - 1, argv + 1);
	} else {
		rv = EXIT_USAGE;
	}
	return rv == EXIT_USAGE || rv < 0 ? usage() : rv;
}
