/*
 * cmd_units.c: `coso units import FILE|list|show`: the administrative
 * units, with the dates they existed and what they were merged into.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "i18n.h"
#include "output.h"
#include "session.h"
#include "util.h"

/* A unit list is a few thousand rows; this is far above any province. */

static int
units_import(const struct cli_opts *g, const char *path)
{
	struct coso_store *s = NULL;
	uint8_t *csv         = NULL;
	size_t len = 0, count = 0;
	int e, rv             = EXIT_FAIL;

	if ((e = coso_file_read(path, COSO_CSV_MAX, &csv, &len)) != 0) {
		util_err(_("cannot read units `%s': %s"), path,
		    e == COSO_ETOOBIG ? cli_strerror(COSO_ETOOBIG)
		                      : strerror(errno));
		return EXIT_FAIL;
	}
	if ((rv = cli_open(g, &s)) != 0) {
		goto out;
	}
	if (cli_progress()) {
		fprintf(
		    stderr, _("coso: importing units from `%s'...\n"), path);
	}
	if ((e = coso_units_import(s, (char *) csv, len, &count)) != COSO_OK) {
		char what[600];

		snprintf(
		    what, sizeof(what), _("cannot import units `%s'"), path);
		rv = cli_store_fail(s, what, e);
		goto out;
	}
	printf(ngettext("%zu unit imported\n", "%zu units imported\n", count),
	    count);
	rv = 0;
out:
	coso_store_close(s);
	free(csv);
	return rv;
}

static const struct out_col unit_cols[] = {
    {"code", N_("Code"), 8, 0},
    {"name", N_("Name"), 28, 0},
    {"level", N_("Level"), 3, 0},
    {"parent", N_("Parent"), 8, 0},
    {"valid_from", N_("Valid from"), 10, 0},
    {"valid_to", N_("Valid to"), 10, 0},
    {"merged_into", N_("Merged into"), 8, 0},
};

int
cmd_units(const struct cli_opts *g, int argc, char **argv)
{
	struct list_opts lo = {0};
	int rv;

	if (argc == 3 && strcmp(argv[1], "import") == 0
	    && strncmp(argv[2], "--", 2) != 0) {
		return units_import(g, argv[2]);
	}
	if (argc > 1 && strcmp(argv[1], "list") == 0
	    && (rv = cli_list_opts(
	            argc - 1, argv + 1, LIST_UNIT | LIST_SINCE, &lo))
	        != EXIT_USAGE) {
		return rv != 0 ? rv
		               : cli_list(g, coso_unit_list, &lo, unit_cols,
		                   sizeof(unit_cols) / sizeof(unit_cols[0]),
		                   _("cannot list units"));
	}
	if (argc > 1 && strcmp(argv[1], "show") == 0
	    && (rv = cli_show(g, coso_unit_show, argc - 1, argv + 1,
	            _("cannot show unit `%s'")))
	        >= 0) {
		return rv;
	}
	return cli_usage("coso units import FILE\n"
	                 "       coso units list [--unit PARENT] "
	                 "[--since DATE] [--json]\n"
	                 "       coso units show CODE [--json]\n");
}
