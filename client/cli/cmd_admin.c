/*
 * cmd_admin.c: `coso admin …`: the provincial office's writes, each one
 * signed change-set from a store whose device key is an admin key.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "commands.h"
#include "i18n.h"
#include "output.h"
#include "qr.h"
#include "session.h"
#include "util.h"

#define OPTS_MAX   8
#define QR_SCALE   8 /* pixels a module of a token's PNG */
#define MS_PER_DAY 86400000ull

/*
 * Options `--name VALUE` or `--name=VALUE` among names (without the
 * dashes) into vals; at most one positional argument into *pos (NULL:
 * none allowed).  0, or -1 for a usage error.
 */
static int
opts(int argc, char **argv, const char *const *names, const char **vals,
    const char **pos)
{
	int i, k;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *eq;
		size_t n;

		if (strncmp(a, "--", 2) != 0) {
			if (pos == NULL || *pos != NULL) {
				return -1;
			}
			*pos = a;
			continue;
		}
		eq = strchr(a, '=');
		n  = eq != NULL ? (size_t) (eq - a - 2) : strlen(a + 2);
		for (k = 0; names[k] != NULL; k++) {
			if (strlen(names[k]) == n
			    && strncmp(a + 2, names[k], n) == 0) {
				break;
			}
		}
		if (names[k] == NULL || (eq == NULL && i + 1 >= argc)) {
			return -1;
		}
		vals[k] = eq != NULL ? eq + 1 : argv[++i];
	}
	return 0;
}

/* Opens the store, runs the call's result through the usual message. */
static int
done(struct coso_store *s, int e, const char *what)
{
	int rv = e == COSO_OK ? 0 : cli_store_fail(s, what, e);

	coso_store_close(s);
	return rv;
}

/* Reads a CSV file whole; 0 or EXIT_FAIL after a message. */
static int
read_csv(const char *path, uint8_t **csv, size_t *len)
{
	int e;

	if ((e = coso_file_read(path, COSO_CSV_MAX, csv, len)) != 0) {
		util_err(_("cannot read units `%s': %s"), path,
		    e == COSO_ETOOBIG ? cli_strerror(COSO_ETOOBIG)
		                      : strerror(errno));
		return EXIT_FAIL;
	}
	return 0;
}

static int
units_import(const struct cli_opts *g, int argc, char **argv)
{
	const char *const names[] = {NULL};
	const char *path          = NULL, *vals[1];
	struct coso_store *s      = NULL;
	uint8_t *csv              = NULL;
	size_t len = 0, count = 0, ncs = 0;
	int e, rv;

	if (opts(argc, argv, names, vals, &path) != 0 || path == NULL) {
		return EXIT_USAGE;
	}
	if ((rv = read_csv(path, &csv, &len)) != 0) {
		return rv;
	}
	if ((rv = cli_open(g, &s)) == 0) {
		e = coso_admin_units_import(
		    s, (char *) csv, len, &count, &ncs);
		if (e == COSO_OK) {
			printf(ngettext("%zu unit imported",
			           "%zu units imported", count),
			    count);
			printf(ngettext(" and signed in %zu change-set\n",
			           " and signed in %zu change-sets\n", ncs),
			    ncs);
		}
		rv = done(s, e, _("cannot import units"));
	}
	free(csv);
	return rv;
}

static int
units_merge(const struct cli_opts *g, int argc, char **argv)
{
	const char *const names[] = {"date", NULL};
	const char *path = NULL, *v[1] = {NULL};
	struct coso_merge_result r = {0};
	struct coso_store *s       = NULL;
	uint8_t *csv               = NULL;
	size_t len                 = 0;
	int32_t date;
	int e, rv;

	if (opts(argc, argv, names, v, &path) != 0 || path == NULL
	    || v[0] == NULL) {
		return EXIT_USAGE;
	}
	if ((rv = cli_date("--date", v[0], &date)) != 0
	    || (rv = read_csv(path, &csv, &len)) != 0) {
		return rv;
	}
	if ((rv = cli_open(g, &s)) == 0) {
		e = coso_admin_units_merge(s, (char *) csv, len, date, &r);
		if (e == COSO_OK) {
			printf(_("%zu units merged away, %zu kept their code, "
			         "%zu districts ended; "),
			    r.ended, r.continued, r.districts);
			printf(ngettext("%zu change-set signed\n",
			           "%zu change-sets signed\n", r.changesets),
			    r.changesets);
		}
		rv = done(s, e, _("cannot merge units"));
	}
	free(csv);
	return rv;
}

static int
units_move(const struct cli_opts *g, int argc, char **argv)
{
	const char *const names[] = {"parent", "date", NULL};
	const char *code = NULL, *v[2] = {NULL};
	struct coso_store *s = NULL;
	size_t ncs           = 0;
	int32_t date;
	int e, rv;

	if (opts(argc, argv, names, v, &code) != 0 || code == NULL
	    || v[0] == NULL || v[1] == NULL) {
		return EXIT_USAGE;
	}
	if ((rv = cli_date("--date", v[1], &date)) != 0
	    || (rv = cli_open(g, &s)) != 0) {
		return rv;
	}
	e = coso_admin_units_move(s, code, v[0], date, &ncs);
	if (e == COSO_OK) {
		printf(ngettext("%zu change-set signed\n",
		           "%zu change-sets signed\n", ncs),
		    ncs);
	}
	return done(s, e, _("cannot move the unit"));
}

static int
admin_units(const struct cli_opts *g, int argc, char **argv)
{
	if (argc < 2) {
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "import") == 0) {
		return units_import(g, argc - 1, argv + 1);
	}
	if (strcmp(argv[1], "merge") == 0) {
		return units_merge(g, argc - 1, argv + 1);
	}
	if (strcmp(argv[1], "move") == 0) {
		return units_move(g, argc - 1, argv + 1);
	}
	return EXIT_USAGE;
}

/* The file of a bulk import, and whether it is a workbook. */
struct bulk_file {
	const char *path;
	int xlsx;
};

/* A bad row of a bulk import, on stderr with its line (CSV) or its
 * sheet row (a workbook, whose rows the office sees numbered). */
static void
bad_row(size_t line, const char *why, void *arg)
{
	const struct bulk_file *f = arg;

	if (f->xlsx) {
		util_err(_("%s: row %zu: %s"), f->path, line, why);
	} else {
		util_err(_("%s: line %zu: %s"), f->path, line, why);
	}
}

/* `admin cadre import FILE', `admin assignment import FILE'. */
static int
bulk(const struct cli_opts *g, int argc, char **argv, int assignments)
{
	struct coso_bulk_result r = {0};
	struct coso_store *s      = NULL;
	struct bulk_file f        = {NULL, 0};
	uint8_t *csv              = NULL;
	size_t len                = 0;
	int e, rv;

	if (argc != 2 || strncmp(argv[1], "--", 2) == 0) {
		return EXIT_USAGE;
	}
	if ((rv = read_csv(argv[1], &csv, &len)) != 0) {
		return rv;
	}
	/* The library tells a workbook the same way: by its ZIP magic. */
	f.path = argv[1];
	f.xlsx = len >= 4 && memcmp(csv, "PK\3\4", 4) == 0;
	if ((rv = cli_open(g, &s)) == 0) {
		e = assignments ? coso_admin_assignments_import(
		        s, (char *) csv, len, bad_row, &f, &r)
		                : coso_admin_cadres_import(
		                    s, (char *) csv, len, bad_row, &f, &r);
		if (e == COSO_OK) {
			printf(assignments
			        ? _("%zu assignments imported and signed in "
			            "%zu "
			            "change-sets\n")
			        : _("%zu cadres imported and signed in %zu "
			            "change-sets\n"),
			    r.rows, r.changesets);
		}
		rv = done(s, e,
		    assignments ? _("cannot import assignments")
		                : _("cannot import cadres"));
	}
	free(csv);
	return rv;
}

static const struct out_col cadre_cols[] = {
    {"cadre_id", N_("Cadre"), 8, 0},
    {"name", N_("Name"), 24, 0},
    {"title", N_("Title"), 16, 0},
    {"unit", N_("Unit"), 6, 0},
    {"assignments", N_("Assignments"), 3, 0},
    {"devices", N_("Devices"), 3, 0},
};

static const struct out_col assignment_cols[] = {
    {"id", N_("ID"), 8, OUT_CUT_TAIL},
    {"cadre_id", N_("Cadre"), 8, 0},
    {"unit", N_("Unit"), 6, 0},
    {"sector", N_("Sector"), 6, 0},
    {"role", N_("Role"), 9, 0},
    {"valid_from", N_("Valid from"), 10, 0},
    {"valid_to", N_("Valid to"), 10, 0},
    {"decision", N_("Decision"), 16, 0},
};

static const struct out_col token_cols[] = {
    {"id", N_("ID"), 8, OUT_CUT_TAIL},
    {"cadre_id", N_("Cadre"), 8, 0},
    {"cadre_name", N_("Name"), 24, 0},
    {"expiry_date", N_("Expires"), 10, 0},
    {"state", N_("State"), 8, 0},
};

static const struct out_col device_cols[] = {
    {"key", N_("Key"), 16, 0},
    {"cadre_id", N_("Cadre"), 8, 0},
    {"cadre_name", N_("Name"), 24, 0},
    {"role", N_("Role"), 6, 0},
    {"added_date", N_("Added"), 10, 0},
    {"state", N_("State"), 8, 0},
};

#define NCOLS(c) (sizeof(c) / sizeof((c)[0]))

/* `X list [--unit CODE] [--since DATE] [--json]' as allow permits. */
static int
office_list(const struct cli_opts *g, int argc, char **argv, unsigned allow,
    cli_list_fn fn, const struct out_col *cols, size_t ncols)
{
	struct list_opts lo = {0};
	int rv;

	if ((rv = cli_list_opts(argc, argv, allow, &lo)) != 0) {
		return rv;
	}
	return cli_list(
	    g, fn, &lo, cols, ncols, _("cannot list the office's records"));
}

static int
admin_assignment(const struct cli_opts *g, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "list") == 0) {
		return office_list(g, argc - 1, argv + 1,
		    LIST_UNIT | LIST_SINCE, coso_assignment_list,
		    assignment_cols, NCOLS(assignment_cols));
	}
	if (argc >= 2 && strcmp(argv[1], "import") == 0) {
		return bulk(g, argc - 1, argv + 1, 1);
	}
	return EXIT_USAGE;
}

static int
admin_device(const struct cli_opts *g, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "list") == 0) {
		return office_list(g, argc - 1, argv + 1, 0, coso_device_list,
		    device_cols, NCOLS(device_cols));
	}
	return EXIT_USAGE;
}

static int
admin_cadre(const struct cli_opts *g, int argc, char **argv)
{
	const char *const names[] = {"id", "name", "title", "unit", NULL};
	const char *v[4]          = {NULL};
	struct coso_cadre_in c;
	struct coso_store *s = NULL;
	int rv;

	if (argc >= 2 && strcmp(argv[1], "list") == 0) {
		return office_list(g, argc - 1, argv + 1, LIST_UNIT,
		    coso_cadre_list, cadre_cols, NCOLS(cadre_cols));
	}
	if (argc >= 2 && strcmp(argv[1], "import") == 0) {
		return bulk(g, argc - 1, argv + 1, 0);
	}
	if (argc < 2 || strcmp(argv[1], "add") != 0
	    || opts(argc - 1, argv + 1, names, v, NULL) != 0 || v[0] == NULL
	    || v[1] == NULL) {
		return EXIT_USAGE;
	}
	c = (struct coso_cadre_in) {v[0], v[1], v[2], v[3]};
	if ((rv = cli_open(g, &s)) != 0) {
		return rv;
	}
	return done(s, coso_admin_cadre_add(s, &c), _("cannot add the cadre"));
}

/*
 * A new token: its 64 hex digits alone on stdout's first line (scripts
 * read it so), then with --qr its QR code; the day it expires on stderr,
 * and with --png FILE its QR code as an image to print or show.
 */
static int
token_show(
    const char *hex, const char *cadre, long days, int qr, const char *png)
{
	char day[11];
	int e;

	coso_date_format(day,
	    coso_date_of_ms(coso_wall_ms() + (uint64_t) days * MS_PER_DAY));
	printf("%s\n", hex);
	if (qr && qr_print(stdout, hex) != 0) {
		util_err("%s", _("cannot draw the token's QR code"));
		return EXIT_FAIL;
	}
	if (png != NULL && (e = qr_png(png, hex, QR_SCALE)) != 0) {
		util_err(
		    _("cannot write the QR image `%s': %s"), png, strerror(e));
		return EXIT_FAIL;
	}
	fprintf(stderr,
	    _("coso: enrollment token for %s, valid until %s; it is shown "
	      "only now\n"),
	    cadre, day);
	return 0;
}

static int
admin_token(const struct cli_opts *g, int argc, char **argv)
{
	const char *const names[] = {"cadre", "days", "png", "qr", NULL};
	const char *v[4]          = {NULL};
	struct coso_store *s      = NULL;
	char hex[65], *end = NULL;
	long days = COSO_TOKEN_DAYS_DEFAULT;
	int e, rv, qr = 0, i;

	if (argc >= 2 && strcmp(argv[1], "list") == 0) {
		return office_list(g, argc - 1, argv + 1, 0, coso_token_list,
		    token_cols, NCOLS(token_cols));
	}
	/* --qr takes no value: taken out before the VALUE options. */
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--qr") == 0) {
			qr = 1;
			memmove(argv + i, argv + i + 1,
			    (size_t) (argc - i) * sizeof(*argv));
			argc--, i--;
		}
	}
	if (opts(argc, argv, names, v, NULL) != 0 || v[0] == NULL
	    || v[3] != NULL) {
		return EXIT_USAGE;
	}
	if (v[1] != NULL
	    && ((days = strtol(v[1], &end, 10)) <= 0 || *end != 0
	        || days > 366)) {
		util_err(_("invalid number of days `%s': 1 to 366"), v[1]);
		return EXIT_FAIL;
	}
	if ((rv = cli_open(g, &s)) != 0) {
		return rv;
	}
	e = coso_admin_token(s, v[0], (unsigned) days, hex);
	if (e == COSO_OK) {
		/* Signed already: the token stands whatever is drawn. */
		rv = token_show(hex, v[0], days, qr, v[2]);
		sodium_memzero(hex, sizeof(hex));
		coso_store_close(s);
		return rv;
	}
	return done(s, e, _("cannot issue the token"));
}

/*
 * The 1-based position of word s among the three names, or a message
 * (msg, translated, with one %s for s) and EXIT_FAIL.
 */
static int
word_parse(
    const char *s, const char *const names[3], int *out, const char *msg)
{
	int i;

	for (i = 0; s != NULL && i < 3; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = i + 1;
			return 0;
		}
	}
	util_err(msg, s != NULL ? s : "");
	return EXIT_FAIL;
}

static int
role_parse(const char *s, enum coso_role *out)
{
	static const char *const names[] = {"in-charge", "monitor", "support"};
	int i                            = 0, rv;

	rv   = word_parse(s, names, &i,
	      _("invalid role `%s': in-charge, monitor or support"));
	*out = (enum coso_role) i;
	return rv;
}

static int
admin_assign(const struct cli_opts *g, int argc, char **argv)
{
	const char *const names[] = {
	    "cadre", "unit", "role", "from", "to", "decision", "sector", NULL};
	const char *v[7]        = {NULL};
	struct coso_assign_in a = {0};
	struct coso_store *s    = NULL;
	uint8_t id[16];
	int e, rv;

	if (opts(argc, argv, names, v, NULL) != 0 || v[0] == NULL
	    || (v[1] == NULL) == (v[6] == NULL) || v[2] == NULL
	    || v[3] == NULL) {
		return EXIT_USAGE;
	}
	a.cadre_id = v[0];
	a.unit     = v[1];
	a.sector   = v[6];
	a.decision = v[5];
	if ((rv = role_parse(v[2], &a.role)) != 0
	    || (rv = cli_date("--from", v[3], &a.from)) != 0
	    || (v[4] != NULL && (rv = cli_date("--to", v[4], &a.to)) != 0)
	    || (rv = cli_open(g, &s)) != 0) {
		return rv;
	}
	if ((e = coso_admin_assign(s, &a, id)) == COSO_OK) {
		cli_print_id(id);
	}
	return done(s, e, _("cannot record the assignment"));
}

static int
admin_rotate(const struct cli_opts *g, int argc, char **argv)
{
	const char *const names[]
	    = {"cadre", "unit", "to-cadre", "date", "note", "decision", NULL};
	const char *v[6]        = {NULL};
	struct coso_rotate_in r = {0};
	struct coso_store *s    = NULL;
	uint8_t id[16];
	int e, rv;

	if (opts(argc, argv, names, v, NULL) != 0 || v[0] == NULL
	    || v[1] == NULL || v[2] == NULL || v[3] == NULL) {
		return EXIT_USAGE;
	}
	r = (struct coso_rotate_in) {v[0], v[1], v[2], 0, v[4], v[5]};
	if ((rv = cli_date("--date", v[3], &r.date)) != 0
	    || (rv = cli_open(g, &s)) != 0) {
		return rv;
	}
	if ((e = coso_admin_rotate(s, &r, id)) == COSO_OK) {
		cli_print_id(id);
	}
	return done(s, e, _("cannot record the rotation"));
}

static int
admin_sector(const struct cli_opts *g, int argc, char **argv)
{
	const char *const names[] = {"code", "name", NULL};
	const char *v[2]          = {NULL};
	struct coso_store *s      = NULL;
	int rv;

	if (argc < 2 || strcmp(argv[1], "add") != 0
	    || opts(argc - 1, argv + 1, names, v, NULL) != 0 || v[0] == NULL
	    || v[1] == NULL) {
		return EXIT_USAGE;
	}
	if ((rv = cli_open(g, &s)) != 0) {
		return rv;
	}
	return done(s, coso_admin_sector_add(s, v[0], v[1]),
	    _("cannot add the sector"));
}

static int
admin_team(const struct cli_opts *g, int argc, char **argv)
{
	const char *const names[] = {"sector", "name", "leader", NULL};
	const char *v[3]          = {NULL};
	struct coso_store *s      = NULL;
	uint8_t id[16];
	int e, rv;

	if (argc < 2 || strcmp(argv[1], "add") != 0
	    || opts(argc - 1, argv + 1, names, v, NULL) != 0 || v[0] == NULL
	    || v[1] == NULL) {
		return EXIT_USAGE;
	}
	if ((rv = cli_open(g, &s)) != 0) {
		return rv;
	}
	if ((e = coso_admin_team_add(s, v[0], v[1], v[2], id)) == COSO_OK) {
		cli_print_id(id);
	}
	return done(s, e, _("cannot add the team"));
}

/* A number of days from 0 to COSO_SCHEDULE_DAYS_MAX; 0 or EXIT_FAIL. */
static int
days_parse(const char *opt, const char *v, unsigned *out)
{
	char *end = NULL;
	long n    = strtol(v, &end, 10);

	if (*v == 0 || *end != 0 || n < 0 || n > COSO_SCHEDULE_DAYS_MAX) {
		util_err(_("invalid %s `%s': 0 to %u days"), opt, v,
		    COSO_SCHEDULE_DAYS_MAX);
		return EXIT_FAIL;
	}
	*out = (unsigned) n;
	return 0;
}

static int
admin_schedule(const struct cli_opts *g, int argc, char **argv)
{
	static const char *const kinds[]
	    = {"quarterly", "six-monthly", "yearly"};
	const char *const names[] = {"kind", "due-days", "grace-days", NULL};
	const char *v[3]          = {NULL};
	struct coso_store *s      = NULL;
	unsigned due, grace;
	int kind = 0, rv;

	if (argc < 2 || strcmp(argv[1], "set") != 0
	    || opts(argc - 1, argv + 1, names, v, NULL) != 0 || v[0] == NULL
	    || v[1] == NULL || v[2] == NULL) {
		return EXIT_USAGE;
	}
	if ((rv = word_parse(v[0], kinds, &kind,
	         _("invalid kind `%s': quarterly, six-monthly or yearly")))
	        != 0
	    || (rv = days_parse("--due-days", v[1], &due)) != 0
	    || (rv = days_parse("--grace-days", v[2], &grace)) != 0
	    || (rv = cli_open(g, &s)) != 0) {
		return rv;
	}
	return done(s,
	    coso_admin_schedule_set(
	        s, (enum coso_schedule_kind) kind, due, grace),
	    _("cannot set the schedule"));
}

static int
admin_revoke(const struct cli_opts *g, int argc, char **argv)
{
	const char *const names[] = {"key", "reason", NULL};
	const char *v[2]          = {NULL};
	struct coso_store *s      = NULL;
	int rv;

	if (opts(argc, argv, names, v, NULL) != 0 || v[0] == NULL) {
		return EXIT_USAGE;
	}
	if ((rv = cli_open(g, &s)) != 0) {
		return rv;
	}
	return done(
	    s, coso_admin_revoke(s, v[0], v[1]), _("cannot revoke the key"));
}

static int
status_parse(const char *s, enum coso_response_status *out)
{
	static const char *const names[]
	    = {"answered", "resolved", "declined"};
	int i = 0, rv;

	rv   = word_parse(s, names, &i,
	      _("invalid status `%s': answered, resolved or declined"));
	*out = (enum coso_response_status) i;
	return rv;
}

static int
admin_respond(const struct cli_opts *g, int argc, char **argv)
{
	const char *const names[] = {"status", "text", NULL};
	const char *v[2] = {NULL}, *id = NULL;
	enum coso_response_status st;
	struct coso_store *s = NULL;
	int rv;

	if (opts(argc, argv, names, v, &id) != 0 || id == NULL || v[0] == NULL
	    || v[1] == NULL) {
		return EXIT_USAGE;
	}
	if ((rv = status_parse(v[0], &st)) != 0
	    || (rv = cli_open(g, &s)) != 0) {
		return rv;
	}
	return done(s, coso_admin_respond(s, id, st, v[1]),
	    _("cannot record the response"));
}

static int
console_role_parse(const char *s, enum coso_console_role *out)
{
	static const char *const names[] = {"leader", "office", ""};
	int i                            = 0, rv;

	rv   = word_parse(s != NULL && *s != 0 ? s : "-", names, &i,
	    _("invalid role `%s': leader or office"));
	*out = (enum coso_console_role) i;
	return rv;
}

/* `admin console grant CADRE --role R [--unit U|--sector S] [--until D]'
 * and `admin console end CADRE'. */
static int
admin_console(const struct cli_opts *g, int argc, char **argv)
{
	const char *const names[] = {"role", "unit", "sector", "until", NULL};
	const char *v[4] = {NULL}, *cadre = NULL;
	struct coso_console_in in = {0};
	struct coso_store *s      = NULL;
	int end, rv;

	if (argc < 2
	    || ((end = strcmp(argv[1], "end") == 0) == 0
	        && strcmp(argv[1], "grant") != 0)
	    || opts(argc - 1, argv + 1, end ? names + 4 : names, v, &cadre)
	        != 0
	    || cadre == NULL || (!end && v[0] == NULL)) {
		return EXIT_USAGE;
	}
	if (!end
	    && ((rv = console_role_parse(v[0], &in.role)) != 0
	        || (v[3] != NULL
	            && (rv = cli_date("--until", v[3], &in.valid_to)) != 0))) {
		return rv;
	}
	if ((rv = cli_open(g, &s)) != 0) {
		return rv;
	}
	if (end) {
		return done(s, coso_admin_console_end(s, cadre),
		    _("cannot end the console access"));
	}
	in.cadre_id = cadre;
	in.unit     = v[1];
	in.sector   = v[2];
	return done(s, coso_admin_console_grant(s, &in),
	    _("cannot grant the console access"));
}

static const struct {
	const char *name;
	int (*fn)(const struct cli_opts *g, int argc, char **argv);
} subs[] = {
    {"units", admin_units},
    {"cadre", admin_cadre},
    {"assignment", admin_assignment},
    {"device", admin_device},
    {"token", admin_token},
    {"assign", admin_assign},
    {"rotate", admin_rotate},
    {"sector", admin_sector},
    {"team", admin_team},
    {"schedule", admin_schedule},
    {"revoke", admin_revoke},
    {"respond", admin_respond},
    {"console", admin_console},
};

int
cmd_admin(const struct cli_opts *g, int argc, char **argv)
{
	size_t i;
	int rv = EXIT_USAGE;

	for (i = 0; argc > 1 && i < sizeof(subs) / sizeof(subs[0]); i++) {
		if (strcmp(argv[1], subs[i].name) == 0) {
			rv = subs[i].fn(g, argc - 1, argv + 1);
			break;
		}
	}
	if (rv != EXIT_USAGE) {
		return rv;
	}
	return cli_usage(
	    "coso admin units import FILE\n"
	    "       coso admin units merge FILE --date DATE\n"
	    "       coso admin units move CODE --parent CODE --date DATE\n"
	    "       coso admin cadre add --id ID --name NAME [--title T] "
	    "[--unit CODE]\n"
	    "       coso admin cadre list [--unit CODE] [--json]\n"
	    "       coso admin cadre import FILE.csv|FILE.xlsx\n"
	    "       coso admin token --cadre ID [--days N] [--qr] "
	    "[--png FILE]\n"
	    "       coso admin token list [--json]\n"
	    "       coso admin assign --cadre ID --unit CODE|--sector CODE "
	    "--role in-charge|monitor|support\n"
	    "                         --from DATE [--to DATE] "
	    "[--decision REF]\n"
	    "       coso admin assignment list [--unit CODE|CADRE] "
	    "[--since DATE] [--json]\n"
	    "       coso admin assignment import FILE.csv|FILE.xlsx\n"
	    "       coso admin device list [--json]\n"
	    "       coso admin rotate --cadre ID --unit CODE --to-cadre ID2 "
	    "--date DATE\n"
	    "                         [--note T] [--decision REF]\n"
	    "       coso admin sector add --code CODE --name NAME\n"
	    "       coso admin team add --sector CODE --name NAME "
	    "[--leader CADRE]\n"
	    "       coso admin schedule set --kind "
	    "quarterly|six-monthly|yearly\n"
	    "                         --due-days N --grace-days N\n"
	    "       coso admin revoke --key KEYID [--reason T]\n"
	    "       coso admin respond PROPOSAL-ID --status "
	    "answered|resolved|declined --text T\n"
	    "       coso admin console grant CADRE --role leader|office "
	    "[--unit CODE|--sector CODE]\n"
	    "                         [--until DATE]\n"
	    "       coso admin console end CADRE\n");
}
