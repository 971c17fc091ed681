/*
 * session.c: opening the store and reporting library errors.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "detail.h"
#include "i18n.h"
#include "output.h"
#include "session.h"
#include "util.h"

/* Error sentences come from proto's one table (coso_strerror); the
 * catalogue holds their translations (po/po.mk extracts proto/error.c).
 * Codes are below this bound. */
#define CODES_END 128

const char *
cli_strerror(int code)
{
	return _(coso_strerror(code));
}

const char *
cli_sentence(const char *s)
{
	int code;

	for (code = 0; s != NULL && code < CODES_END; code++) {
		if (strcmp(coso_strerror(code), s) == 0) {
			return _(s);
		}
	}
	return s;
}

/* What to do next, said after the failure for the codes where the
 * sentence alone leaves a cadre stuck. */
static const struct {
	int code;
	const char *hint;
} hints[] = {
    {COSO_ENEEDPASS,
        N_("the device key is sealed with a passphrase: give it with "
           "--passphrase-file FILE (or COSO_PASSPHRASE_FILE=FILE); on a "
           "terminal coso asks for it")},
    {COSO_EPASSWORD,
        N_("check the passphrase file given with --passphrase-file (its "
           "first line is the passphrase)")},
    {COSO_ENET,
        N_("nothing is lost: what is recorded stays on this device and is "
           "sent at the next `coso sync' (or by `cosod field run')")},
    {COSO_EBUSY,
        N_("nothing is lost: what is recorded stays on this device and is "
           "sent at the next `coso sync' (or by `cosod field run')")},
    {COSO_ENOSTORE,
        N_("create one with `coso init --cadre ID --name NAME', or name the "
           "store with --store DIR or COSO_HOME=DIR")},
};

static void
hint(int code)
{
	size_t i;

	for (i = 0; i < sizeof(hints) / sizeof(hints[0]); i++) {
		if (hints[i].code == code) {
			util_err("%s", _(hints[i].hint));
		}
	}
}

/*
 * "WHAT: DETAIL" in the cadre's language: the detail translated through
 * its format when the catalogue has it; else the code's sentence, and
 * the library's English detail after it when they differ.
 */
static int
fail_fmt(const char *what, int code, const char *fmt, const char *detail)
{
	char buf[2 * COSO_ERRMSG_MAX];
	const char *eng = coso_strerror(code), *tr = cli_strerror(code), *d;

	if (detail == NULL || detail[0] == 0) {
		util_err("%s: %s", what, tr);
	} else if ((d = cli_detail(fmt, detail, buf, sizeof(buf))) != NULL) {
		util_err("%s: %s", what, d);
	} else if (strcmp(tr, eng) != 0 && strcmp(tr, what) != 0) {
		util_err("%s: %s: %s", what, tr, detail);
	} else {
		util_err("%s: %s", what, detail);
	}
	hint(code);
	return EXIT_FAIL;
}

int
cli_fail(const char *what, int code, const char *detail)
{
	return fail_fmt(what, code, "%s", detail);
}

int
cli_store_fail(const struct coso_store *s, const char *what, int code)
{
	return fail_fmt(
	    what, code, coso_store_errfmt(s), coso_store_errmsg(s));
}

char *
cli_store_dir(const struct cli_opts *g)
{
	char *d;

	d = g->store != NULL ? strdup(g->store) : coso_store_default_dir();
	if (d == NULL) {
		util_err("%s",
		    _("cannot find the store: set COSO_HOME or "
		      "use --store DIR"));
	}
	return d;
}

int
cli_passphrase(
    const struct cli_opts *g, const char *file, char **pass, size_t *len)
{
	const char *f = file;
	int e;

	*pass = NULL;
	*len  = 0;
	if (f == NULL) {
		f = g->passfile;
	}
	if (f == NULL && (f = getenv("COSO_PASSPHRASE_FILE")) != NULL
	    && f[0] == 0) {
		f = NULL;
	}
	if (f == NULL) {
		return 0;
	}
	if ((e = util_read_passphrase(f, pass, len)) != 0) {
		cli_passfile_err(f, e);
		return -1;
	}
	return 0;
}

void
cli_passfile_err(const char *path, int e)
{
	if (e == COSO_ETOOBIG) {
		util_err(_("cannot read passphrase file `%s': its first line "
		           "is longer than %u bytes"),
		    path, COSO_PASSPHRASE_MAX);
	} else {
		util_err(_("cannot read passphrase file `%s': %s"), path,
		    e == COSO_ENOMEM ? cli_strerror(e) : strerror(errno));
	}
}

/*
 * The passphrase of a sealed device key, asked on the terminal with the
 * echo off when none was given (coso_passphrase_cb).  Read a byte at a
 * time: no copy is left in a stdio buffer.
 */
static int
ask_passphrase(char *buf, size_t max, void *arg)
{
	struct termios old, quiet;
	char *line = NULL, *nfc = NULL;
	size_t n = 0, nlen = 0;
	int rv = -1;
	char c;

	(void) arg;
	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &old) != 0
	    || (line = sodium_malloc(max + 1)) == NULL) {
		return -1;
	}
	/* The echo goes off before the prompt shows: what is typed once it
	 * shows is kept (TCSAFLUSH drops only what came before). */
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t) ECHO;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	fprintf(stderr, "%s", _("passphrase of the device key: "));
	fflush(stderr);
	while (read(STDIN_FILENO, &c, 1) == 1 && c != '\n' && c != '\r') {
		if (n < max) {
			line[n++] = c;
		}
	}
	tcsetattr(STDIN_FILENO, TCSANOW, &old);
	fputc('\n', stderr);
	/* As a passphrase file is read: NFC, so Telex and VNI both open. */
	if (n > 0 && coso_text_nfc(&nfc, &nlen, line, n, max) == COSO_OK) {
		memcpy(buf, nfc, nlen);
		rv = (int) nlen;
		sodium_memzero(nfc, nlen);
	}
	free(nfc);
	sodium_free(line);
	return rv;
}

int
cli_open(const struct cli_opts *g, struct coso_store **out)
{
	char errmsg[COSO_ERRMSG_MAX] = "";
	char *dir = NULL, *pass = NULL;
	size_t plen = 0;
	int e, rv = EXIT_FAIL;

	if ((dir = cli_store_dir(g)) == NULL
	    || cli_passphrase(g, NULL, &pass, &plen) != 0) {
		goto out;
	}
	if ((e = coso_store_open(out, dir, pass, plen, errmsg)) != COSO_OK) {
		char what[600];

		if (e == COSO_ENOSTORE) {
			util_err(_("no coso store at `%s'"), dir);
			hint(e);
			goto out;
		}
		snprintf(what, sizeof(what), _("cannot open store `%s'"), dir);
		cli_fail(what, e, errmsg);
		goto out;
	}
	if (pass == NULL) {
		coso_store_passphrase_cb(*out, ask_passphrase, NULL);
	}
	rv = 0;
out:
	sodium_free(pass);
	free(dir);
	return rv;
}

int
cli_date(const char *opt, const char *s, int32_t *out)
{
	if (coso_date_parse(s, out) != COSO_OK) {
		util_err(_("invalid date `%s' for %s: use YYYY-MM-DD or "
		           "dd/mm/yyyy"),
		    s, opt);
		return EXIT_FAIL;
	}
	return 0;
}

int
cli_usage(const char *lines)
{
	fprintf(stderr, "%s %s", _("usage:"), lines);
	return EXIT_USAGE;
}

void
cli_print_id(const uint8_t id[static 16])
{
	char hex[33];

	coso_hex(hex, id, 16);
	printf("%s\n", hex);
}

int
cli_progress(void)
{
	return isatty(STDERR_FILENO);
}

int
cli_list_opts(int argc, char **argv, unsigned allow, struct list_opts *o)
{
	static const struct option longopts[] = {
	    {"unit", required_argument, NULL, 'u'},
	    {"since", required_argument, NULL, 's'},
	    {"open", no_argument, NULL, 'o'},
	    {"json", no_argument, NULL, 'j'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 'u' && (allow & LIST_UNIT)) {
			o->f.unit = optarg;
		} else if (c == 's' && (allow & LIST_SINCE)) {
			if (cli_date("--since", optarg, &o->f.since) != 0) {
				return EXIT_FAIL;
			}
		} else if (c == 'o' && (allow & LIST_OPEN)) {
			o->f.open_only = 1;
		} else if (c == 'j') {
			o->json = 1;
		} else {
			return EXIT_USAGE;
		}
	}
	return optind == argc ? 0 : EXIT_USAGE;
}

int
cli_list(const struct cli_opts *g, cli_list_fn fn, const struct list_opts *o,
    const struct out_col *cols, size_t ncols, const char *what)
{
	struct coso_store *s = NULL;
	struct out_list out  = {0};
	int e, rv;

	if ((rv = cli_open(g, &s)) != 0) {
		return rv;
	}
	out.f     = stdout;
	out.mode  = o->json ? OUT_JSON : OUT_TABLE;
	out.cols  = cols;
	out.ncols = ncols;
	out_list_begin(&out);
	if ((e = fn(s, &o->f, out_list_row, &out)) != COSO_OK) {
		fflush(stdout);
		rv = cli_store_fail(s, what, e);
	} else {
		out_list_end(&out);
	}
	coso_store_close(s);
	return rv;
}

/* ID [--json], in any order.  0, or -1 for a usage error. */
static int
show_args(int argc, char **argv, const char **id, int *json)
{
	int i;

	*id = NULL;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			*json = 1;
		} else if (argv[i][0] == '-' || *id != NULL) {
			return -1;
		} else {
			*id = argv[i];
		}
	}
	return *id != NULL ? 0 : -1;
}

int
cli_show(const struct cli_opts *g, cli_show_fn fn, int argc, char **argv,
    const char *what)
{
	struct coso_store *s = NULL;
	struct out_show out  = {0};
	const char *id;
	char framing[600];
	int e, rv;

	if (show_args(argc, argv, &id, &out.json) != 0) {
		return -1;
	}
	if ((rv = cli_open(g, &s)) != 0) {
		return rv;
	}
	out.f = stdout;
	snprintf(framing, sizeof(framing), what, id);
	if ((e = fn(s, id, out_show_row, &out)) != COSO_OK) {
		rv = cli_store_fail(s, framing, e);
	} else {
		out_show_end(&out);
	}
	coso_store_close(s);
	return rv;
}
