/*
 * cmd_visit.c: `coso visit add|list|show`.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "i18n.h"
#include "output.h"
#include "quarantine.h"
#include "session.h"
#include "util.h"

/* The visit being built from the options; the arrays have argc slots, as
 * every repeated option takes at least one argument. */
struct visit_form {
	struct coso_visit_in v;
	const char **proposals, **directions, **participants;
	struct coso_outcome_in *outcomes;
	int has_lat, has_lon;
};

/*
 * Parses a decimal with at most scale fraction digits ("2.5", "600",
 * "-21.85") into an integer scaled by 10^scale.  A comma is taken as the
 * decimal mark too (Vietnamese writing).  0, or -1 if malformed.
 */
static int
parse_scaled(const char *s, int scale, int neg_ok, int64_t *out)
{
	int64_t v = 0;
	int neg = 0, frac = -1;

	if (*s == '-' && neg_ok) {
		neg = 1;
		s++;
	}
	if (*s < '0' || *s > '9') {
		return -1;
	}
	for (; *s != 0; s++) {
		if ((*s == '.' || *s == ',') && frac < 0) {
			frac = 0;
		} else if (*s >= '0' && *s <= '9' && frac < scale
		    && v <= INT64_C(1000000000000)) {
			v = v * 10 + (*s - '0');
			frac += frac >= 0;
		} else {
			return -1;
		}
	}
	for (frac = frac < 0 ? 0 : frac; frac < scale; frac++) {
		v *= 10;
	}
	*out = neg ? -v : v;
	return 0;
}

static int
bad_value(const char *opt, const char *val)
{
	util_err(
	    _("cannot record visit: invalid value `%s' for %s"), val, opt);
	return EXIT_FAIL;
}

/* --quantity, --quantity-unit, --amount: of the last --outcome. */
static int
outcome_opt(struct visit_form *fm, int c, const char *arg)
{
	struct coso_outcome_in *o;

	if (fm->v.noutcomes == 0) {
		util_err("%s",
		    _("--quantity, --quantity-unit and --amount "
		      "follow an --outcome"));
		return EXIT_USAGE;
	}
	o = &fm->outcomes[fm->v.noutcomes - 1];
	if (c == 'q') {
		if (parse_scaled(arg, 3, 0, &o->quantity_milli) != 0) {
			return bad_value("--quantity", arg);
		}
		o->has_quantity = 1;
	} else if (c == 'Q') {
		o->quantity_unit = arg;
	} else {
		if (parse_scaled(arg, 0, 0, &o->amount_vnd) != 0) {
			return bad_value("--amount", arg);
		}
		o->has_amount = 1;
	}
	return 0;
}

/* --lat / --lon in decimal degrees, to microdegrees within range. */
static int
position_opt(struct visit_form *fm, int c, const char *arg)
{
	int64_t v, limit = c == 'y' ? 90000000 : 180000000;

	if (parse_scaled(arg, 6, 1, &v) != 0 || v < -limit || v > limit) {
		return bad_value(c == 'y' ? "--lat" : "--lon", arg);
	}
	if (c == 'y') {
		fm->v.lat_e6 = v;
		fm->has_lat  = 1;
	} else {
		fm->v.lon_e6 = v;
		fm->has_lon  = 1;
	}
	return 0;
}

/* One option of `visit add`; 0 or an exit code. */
static int
add_opt(struct visit_form *fm, int c, const char *arg)
{
	switch (c) {
	case 'u':
		fm->v.unit = arg;
		return 0;
	case 'd':
		return cli_date("--date", arg, &fm->v.date);
	case 'P':
		fm->v.purpose = arg;
		return 0;
	case 'S':
		fm->v.situation = arg;
		return 0;
	case 'D':
		fm->v.difficulties = arg;
		return 0;
	case 'p':
		fm->proposals[fm->v.nproposals++] = arg;
		return 0;
	case 'r':
		fm->directions[fm->v.ndirections++] = arg;
		return 0;
	case 't':
		fm->participants[fm->v.nparticipants++] = arg;
		return 0;
	case 'o':
		fm->outcomes[fm->v.noutcomes++].text = arg;
		return 0;
	case 'q':
	case 'Q':
	case 'a':
		return outcome_opt(fm, c, arg);
	case 'x':
	case 'y':
		return position_opt(fm, c, arg);
	default:
		return EXIT_USAGE;
	}
}

static int
parse_add(int argc, char **argv, struct visit_form *fm)
{
	static const struct option longopts[] = {
	    {"unit", required_argument, NULL, 'u'},
	    {"date", required_argument, NULL, 'd'},
	    {"purpose", required_argument, NULL, 'P'},
	    {"situation", required_argument, NULL, 'S'},
	    {"difficulties", required_argument, NULL, 'D'},
	    {"proposal", required_argument, NULL, 'p'},
	    {"direction", required_argument, NULL, 'r'},
	    {"participant", required_argument, NULL, 't'},
	    {"outcome", required_argument, NULL, 'o'},
	    {"quantity", required_argument, NULL, 'q'},
	    {"quantity-unit", required_argument, NULL, 'Q'},
	    {"amount", required_argument, NULL, 'a'},
	    {"lat", required_argument, NULL, 'y'},
	    {"lon", required_argument, NULL, 'x'},
	    {NULL, 0, NULL, 0},
	};
	int c, rv;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if ((rv = add_opt(fm, c, optarg)) != 0) {
			return rv;
		}
	}
	if (optind != argc || fm->v.unit == NULL || fm->v.date == 0
	    || fm->has_lat != fm->has_lon) {
		return EXIT_USAGE;
	}
	fm->v.has_position = fm->has_lat;
	return 0;
}

static int
form_alloc(struct visit_form *fm, int argc)
{
	size_t n = (size_t) argc + 1;

	fm->proposals      = calloc(n, sizeof(*fm->proposals));
	fm->directions     = calloc(n, sizeof(*fm->directions));
	fm->participants   = calloc(n, sizeof(*fm->participants));
	fm->outcomes       = calloc(n, sizeof(*fm->outcomes));
	fm->v.proposals    = fm->proposals;
	fm->v.directions   = fm->directions;
	fm->v.participants = fm->participants;
	fm->v.outcomes     = fm->outcomes;
	return fm->proposals && fm->directions && fm->participants
	        && fm->outcomes
	    ? 0
	    : -1;
}

static void
form_free(struct visit_form *fm)
{
	free(fm->proposals);
	free(fm->directions);
	free(fm->participants);
	free(fm->outcomes);
}

static int
visit_add(const struct cli_opts *g, int argc, char **argv)
{
	struct visit_form fm = {0};
	struct coso_store *s = NULL;
	uint8_t id[16];
	int e, rv;

	if (form_alloc(&fm, argc) != 0) {
		rv = cli_fail(_("cannot record visit"), COSO_ENOMEM, "");
		goto out;
	}
	if ((rv = parse_add(argc, argv, &fm)) != 0
	    || (rv = cli_open(g, &s)) != 0) {
		goto out;
	}
	if ((e = coso_visit_add(s, &fm.v, id)) == COSO_QUNAUTH) {
		char d[11];

		coso_date_format(d, fm.v.date);
		util_err(_("cannot record visit: you are not assigned to unit "
		           "%s on %s (by the assignments this device holds); "
		           "if you were assigned since the last sync, run "
		           "`coso sync' first"),
		    fm.v.unit, d);
		rv = EXIT_FAIL;
		goto out;
	}
	if (e != COSO_OK) {
		rv = cli_store_fail(s, _("cannot record visit"), e);
		goto out;
	}
	cli_print_id(id);
out:
	coso_store_close(s);
	form_free(&fm);
	return rv;
}

static const struct out_col visit_cols[] = {
    {"id", N_("ID"), 8, OUT_CUT_TAIL},
    {"date", N_("Date"), 10, 0},
    {"unit", N_("Unit"), 6, 0},
    {"unit_name", N_("Unit name"), 22, 0},
    {"purpose", N_("Purpose"), 40, 0},
    {"quarantine_reason", N_("Quarantined"), 16, 0},
};

static int
usage(void)
{
	return cli_usage(
	    "coso visit add --unit CODE --date DATE [--purpose T] "
	    "[--situation T]\n"
	    "         [--difficulties T] [--proposal T]... [--direction "
	    "T]...\n"
	    "         [--outcome T [--quantity N --quantity-unit U] "
	    "[--amount VND]]...\n"
	    "         [--participant T]... [--lat X --lon Y]\n"
	    "       coso visit list [--unit CODE] [--since DATE] [--json]\n"
	    "       coso visit show ID [--json]\n");
}

int
cmd_visit(const struct cli_opts *g, int argc, char **argv)
{
	const char *sub     = argc > 1 ? argv[1] : "";
	struct list_opts lo = {0};
	int rv;

	if (strcmp(sub, "add") == 0) {
		rv = visit_add(g, argc - 1, argv + 1);
	} else if (strcmp(sub, "list") == 0) {
		rv = cli_list_opts(
		    argc - 1, argv + 1, LIST_UNIT | LIST_SINCE, &lo);
		if (rv == 0) {
			rv = cli_list(g, cliq_visit_list, &lo, visit_cols,
			    sizeof(visit_cols) / sizeof(visit_cols[0]),
			    _("cannot list visits"));
		}
	} else if (strcmp(sub, "show") == 0) {
		rv = cli_show(g, cliq_visit_show, argc - 1, argv + 1,
		    _("cannot show visit `%s'"));
	} else {
		rv = EXIT_USAGE;
	}
	return rv == EXIT_USAGE || rv < 0 ? usage() : rv;
}
