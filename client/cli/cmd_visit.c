/*
 * cmd_visit.c: `coso visit add|list|show|amend`.
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

/* Limits of quantities and amounts: beyond any real outcome, far
 * inside int64 (a quadrillion đồng, a trillion of a unit). */
#define AMOUNT_MAX   COSO_AMOUNT_MAX
#define QUANTITY_MAX COSO_QUANTITY_MAX

/*
 * A number of the option opt as typed ("1.500.000", "2,5", "600"; see
 * coso_number_parse), scaled by 10^scale within [min, max].  0, or
 * EXIT_FAIL after a message that says what is wrong with it.
 */
static int
number_opt(const char *opt, const char *val, unsigned scale, int64_t min,
    int64_t max, int64_t *out)
{
	int e = coso_number_parse(val, scale, min, max, out);

	if (e == COSO_EINVAL) {
		util_err(_("cannot record visit: %s `%s' can be read two "
		           "ways: write 1500 or 1.500.000 for thousands, "
		           "1,5 for a decimal"),
		    opt, val);
	} else if (e == COSO_ETOOBIG) {
		util_err(_("cannot record visit: %s `%s' is out of range"),
		    opt, val);
	} else if (e != COSO_OK) {
		util_err(_("cannot record visit: invalid value `%s' for %s: "
		           "write a number such as 1500000, 1.500.000 or "
		           "2,5"),
		    val, opt);
	}
	return e == COSO_OK ? 0 : EXIT_FAIL;
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
		if (number_opt("--quantity", arg, 3, 0, QUANTITY_MAX,
		        &o->quantity_milli)
		    != 0) {
			return EXIT_FAIL;
		}
		o->has_quantity = 1;
	} else if (c == 'Q') {
		o->quantity_unit = arg;
	} else {
		if (number_opt(
		        "--amount", arg, 0, 0, AMOUNT_MAX, &o->amount_vnd)
		    != 0) {
			return EXIT_FAIL;
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

	if (number_opt(c == 'y' ? "--lat" : "--lon", arg, 6, -limit, limit, &v)
	    != 0) {
		return EXIT_FAIL;
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

/* The options of `visit add', and of `visit amend' (which changes
 * those it is given). */
static const struct option visit_longopts[] = {
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

static int
parse_add(int argc, char **argv, struct visit_form *fm)
{
	int c, rv;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", visit_longopts, NULL)) != -1) {
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

/* The visit a correction starts from, as coso_visit_show gives it
 * (copies: the rows are valid during the callback only). */
struct original {
	char *unit, *purpose, *situation, *difficulties, *directions;
	char *participants;
	int32_t date;
	int has_position;
	int64_t lat_e6, lon_e6;
	struct coso_outcome_in *outcomes; /* text, quantity_unit malloc'd */
	size_t noutcomes;
	int oom;
};

static int64_t
int_of(const struct coso_row *row, const char *key, int *has)
{
	const struct coso_kv *kv = out_find(row, key);

	*has = kv != NULL && kv->type == COSO_VINT;
	return *has ? kv->i : 0;
}

/* coso_row_cb: the visit row and its outcomes; its proposals stay where
 * they are (tracked, perhaps answered) and are not repeated. */
static int
original_row(const struct coso_row *row, void *arg)
{
	struct original *o = arg;
	struct coso_outcome_in *n, *oc;
	int has, lon;

	if (strcmp(row->kind, "visit") == 0) {
		o->unit         = out_strdup(row, "unit", &o->oom);
		o->purpose      = out_strdup(row, "purpose", &o->oom);
		o->situation    = out_strdup(row, "situation", &o->oom);
		o->difficulties = out_strdup(row, "difficulties", &o->oom);
		o->directions   = out_strdup(row, "directions", &o->oom);
		o->participants = out_strdup(row, "participants", &o->oom);
		o->date         = (int32_t) int_of(row, "date", &has);
		o->lat_e6       = int_of(row, "lat_e6", &has);
		o->lon_e6       = int_of(row, "lon_e6", &lon);
		o->has_position = has && lon;
	} else if (strcmp(row->kind, "outcome") == 0) {
		n = realloc(o->outcomes, (o->noutcomes + 1) * sizeof(*n));
		if (n == NULL) {
			o->oom = 1;
			return 0;
		}
		o->outcomes = n;
		oc          = &n[o->noutcomes++];
		memset(oc, 0, sizeof(*oc));
		oc->text          = out_strdup(row, "text", &o->oom);
		oc->quantity_unit = out_strdup(row, "quantity_unit", &o->oom);
		oc->quantity_milli
		    = int_of(row, "quantity_milli", &oc->has_quantity);
		oc->amount_vnd = int_of(row, "amount_vnd", &oc->has_amount);
	}
	return 0;
}

static void
original_free(struct original *o)
{
	size_t i;

	free(o->unit);
	free(o->purpose);
	free(o->situation);
	free(o->difficulties);
	free(o->directions);
	free(o->participants);
	for (i = 0; i < o->noutcomes; i++) {
		free((char *) o->outcomes[i].text);
		free((char *) o->outcomes[i].quantity_unit);
	}
	free(o->outcomes);
}

/* The form filled with the original (directions and participants as the
 * one text they were joined into). */
static void
prefill(struct visit_form *fm, const struct original *o)
{
	fm->v.unit         = o->unit;
	fm->v.date         = o->date;
	fm->v.purpose      = o->purpose;
	fm->v.situation    = o->situation;
	fm->v.difficulties = o->difficulties;
	if (o->directions != NULL) {
		fm->directions[fm->v.ndirections++] = o->directions;
	}
	if (o->participants != NULL) {
		fm->participants[fm->v.nparticipants++] = o->participants;
	}
	memcpy(fm->outcomes, o->outcomes, o->noutcomes * sizeof(*o->outcomes));
	fm->v.noutcomes = o->noutcomes;
	fm->v.lat_e6    = o->lat_e6;
	fm->v.lon_e6    = o->lon_e6;
	fm->has_lat = fm->has_lon = o->has_position;
}

/* One option of `visit amend': as for `add', except that the first
 * --direction, --participant or --outcome replaces the original's list,
 * and --quantity, --quantity-unit, --amount follow a new --outcome. */
static int
amend_opt(struct visit_form *fm, int c, const char *arg, unsigned *seen)
{
	unsigned bit = c == 'r' ? 1u : c == 't' ? 2u : c == 'o' ? 4u : 0u;

	if ((c == 'q' || c == 'Q' || c == 'a') && !(*seen & 4u)) {
		util_err("%s",
		    _("--quantity, --quantity-unit and --amount "
		      "follow an --outcome"));
		return EXIT_USAGE;
	}
	if (bit != 0 && !(*seen & bit)) {
		*seen |= bit;
		if (c == 'r') {
			fm->v.ndirections = 0;
		} else if (c == 't') {
			fm->v.nparticipants = 0;
		} else {
			/* a new outcome starts empty, not with the
			 * original's quantity or amount */
			memset(fm->outcomes, 0,
			    fm->v.noutcomes * sizeof(*fm->outcomes));
			fm->v.noutcomes = 0;
		}
	}
	return add_opt(fm, c, arg);
}

/* The id and the options of `visit amend ID [OPTIONS]' are valid (a
 * first pass, before the store is opened); *hex is the id. */
static int
amend_args(int argc, char **argv, const char **hex)
{
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", visit_longopts, NULL)) != -1) {
		if (c == '?') {
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		return EXIT_USAGE;
	}
	*hex = argv[optind];
	return 0;
}

/* Reads the visit to correct and fills the form from it, then from the
 * options. */
static int
amend_form(struct coso_store *s, int argc, char **argv, const char *hex,
    struct original *o, struct visit_form *fm)
{
	const char *what = _("cannot correct visit");
	unsigned seen    = 0;
	int e, c, rv;

	if ((e = coso_visit_show(s, hex, original_row, o)) != COSO_OK) {
		return cli_store_fail(s, what, e);
	}
	if (o->oom || o->unit == NULL
	    || form_alloc(fm, argc + (int) o->noutcomes) != 0) {
		return cli_fail(what, COSO_ENOMEM, "");
	}
	prefill(fm, o);
	optind = 0;
	while ((c = getopt_long(argc, argv, "", visit_longopts, NULL)) != -1) {
		if ((rv = amend_opt(fm, c, optarg, &seen)) != 0) {
			return rv;
		}
	}
	if (fm->has_lat != fm->has_lon) {
		return EXIT_USAGE;
	}
	fm->v.has_position = fm->has_lat;
	return 0;
}

/*
 * `visit amend ID [--field ...]': a correction, as reports have
 * --amends: a new visit that names the one it corrects, with the
 * original's fields and outcomes except those given.  A visit is
 * append-only and signed: the original stays in the log, and the views
 * that show the latest version (the leader's pre-fill, the central)
 * take the correction instead.  Only the cadre's own visit.
 */
static int
visit_amend(const struct cli_opts *g, int argc, char **argv)
{
	struct original o    = {0};
	struct visit_form fm = {0};
	struct coso_store *s = NULL;
	uint8_t orig[16], id[16];
	const char *hex;
	int e, rv;

	if ((rv = amend_args(argc, argv, &hex)) != 0
	    || (rv = cli_open(g, &s)) != 0) {
		goto out;
	}
	if ((e = coso_id_resolve(s, "visit", hex, orig)) != COSO_OK) {
		rv = cli_store_fail(s, _("cannot correct visit"), e);
		goto out;
	}
	if ((rv = amend_form(s, argc, argv, hex, &o, &fm)) != 0) {
		goto out;
	}
	fm.v.amends = orig;
	if ((e = coso_visit_add(s, &fm.v, id)) != COSO_OK) {
		rv = cli_store_fail(s, _("cannot correct visit"), e);
		goto out;
	}
	cli_print_id(id);
out:
	coso_store_close(s);
	form_free(&fm);
	original_free(&o);
	return rv;
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
	    "       coso visit show ID [--json]\n"
	    "       coso visit amend ID [--unit CODE] [--date DATE] "
	    "[--purpose T] ...\n"
	    "         (a correction: the options of add that change, the "
	    "rest kept)\n"
	    "DATE: 4/12/2026, 04/12/2026 or 2026-12-04; N, VND: 1.500.000, "
	    "2,5 or 1500000\n");
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
	} else if (strcmp(sub, "amend") == 0) {
		rv = visit_amend(g, argc - 1, argv + 1);
	} else {
		rv = EXIT_USAGE;
	}
	return rv == EXIT_USAGE || rv < 0 ? usage() : rv;
}
