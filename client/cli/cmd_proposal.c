/*
 * cmd_proposal.c: `coso proposal list`: proposals from visits and
 * reports, tracked until the level that handles them responds.
 */
#include <string.h>

#include "commands.h"
#include "i18n.h"
#include "output.h"
#include "quarantine.h"
#include "session.h"
#include "util.h"

static const struct out_col proposal_cols[] = {
    {"id", N_("ID"), 8, OUT_CUT_TAIL},
    {"date", N_("Date"), 10, 0},
    {"unit", N_("Unit"), 6, 0},
    {"status", N_("Status"), 10, 0},
    {"state", N_("State"), 10, 0},
    {"text", N_("Text"), 48, 0},
    {"quarantine_reason", N_("Quarantined"), 16, 0},
};

int
cmd_proposal(const struct cli_opts *g, int argc, char **argv)
{
	struct list_opts lo = {0};

	if (argc > 1 && strcmp(argv[1], "list") == 0
	    && cli_list_opts(argc - 1, argv + 1, LIST_OPEN | LIST_UNIT, &lo)
	        == 0) {
		return cli_list(g, cliq_proposal_list, &lo, proposal_cols,
		    sizeof(proposal_cols) / sizeof(proposal_cols[0]),
		    _("cannot list proposals"));
	}
	return cli_usage("coso proposal list [--open] [--json]\n");
}
