/*
 * cmd_handover.c: `coso handover add|list`: notes left on a unit for the
 * cadre who takes it over.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "i18n.h"
#include "output.h"
#include "quarantine.h"
#include "session.h"
#include "util.h"

static int
handover_add(const struct cli_opts *g, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"unit", required_argument, NULL, 'u'},
	    {"text", required_argument, NULL, 't'},
	    {"to", required_argument, NULL, 'c'},
	    {"date", required_argument, NULL, 'd'},
	    {NULL, 0, NULL, 0},
	};
	const char *unit = NULL, *text = NULL, *to = NULL;
	struct coso_store *s = NULL;
	int32_t date         = 0;
	uint8_t id[16];
	int c, e, rv;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == '?') {
			return EXIT_USAGE;
		}
		if (c == 'd') {
			if ((rv = cli_date("--date", optarg, &date)) != 0) {
				return rv;
			}
			continue;
		}
		*(c == 'u' ? &unit : c == 't' ? &text : &to) = optarg;
	}
	if (optind != argc || unit == NULL || text == NULL) {
		return EXIT_USAGE;
	}
	if ((rv = cli_open(g, &s)) != 0) {
		return rv;
	}
	if ((e = coso_handover_add_on(s, unit, text, to, date, id))
	    == COSO_QUNAUTH) {
		util_err(_("cannot record handover: you had no assignment on "
		           "unit %s on the note's date or in the %d days "
		           "before it (by the assignments this device holds); "
		           "give the date with --date, or run `coso sync' if "
		           "you were assigned since the last sync"),
		    unit, COSO_GRACE_DAYS);
		rv = EXIT_FAIL;
	} else if (e != COSO_OK) {
		rv = cli_store_fail(s, _("cannot record handover"), e);
	} else {
		cli_print_id(id);
	}
	coso_store_close(s);
	return rv;
}

static const struct out_col handover_cols[] = {
    {"id", N_("ID"), 8, OUT_CUT_TAIL},
    {"date", N_("Date"), 10, 0},
    {"created_ms", N_("Created"), 16, 0},
    {"unit", N_("Unit"), 6, 0},
    {"to_cadre", N_("Handed to"), 12, 0},
    {"text", N_("Text"), 48, 0},
    {"quarantine_reason", N_("Quarantined"), 16, 0},
};

int
cmd_handover(const struct cli_opts *g, int argc, char **argv)
{
	const char *sub     = argc > 1 ? argv[1] : "";
	struct list_opts lo = {0};
	int rv              = EXIT_USAGE;

	if (strcmp(sub, "add") == 0) {
		rv = handover_add(g, argc - 1, argv + 1);
	} else if (strcmp(sub, "list") == 0
	    && (rv = cli_list_opts(argc - 1, argv + 1, LIST_UNIT, &lo)) == 0) {
		rv = cli_list(g, cliq_handover_list, &lo, handover_cols,
		    sizeof(handover_cols) / sizeof(handover_cols[0]),
		    _("cannot list handovers"));
	}
	if (rv != EXIT_USAGE) {
		return rv;
	}
	return cli_usage("coso handover add --unit CODE --text T [--to CADRE] "
	                 "[--date DATE]\n"
	                 "       coso handover list [--json]\n");
}
