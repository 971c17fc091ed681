/*
 * cmd_export.c: `coso export`: every visit, report, proposal and handover
 * as JSON or CSV, to stdout or to a file (temp + fsync + rename).
 *
 * CSV (RFC 4180, CRLF, UTF-8) is for people and their spreadsheets: one
 * section per kind, each with its own header row, sections separated by
 * a blank line; headers, kinds and states in Vietnamese (English with
 * --lang en, or when the language variables ask for English); dates
 * dd/mm/yyyy, real numbers (600 m, 2.5 t, 21.853210 degrees, 1500000
 * dong, not the thousandths and millionths the store keeps); text that a
 * spreadsheet would run as a formula written as text (coso_csv_cell).
 * --bom puts a UTF-8 BOM first, which Excel on Vietnamese Windows needs
 * to read the accents; it is off by default because scripts and Unix
 * tools do not expect it.  JSON keeps the stored keys and values, ISO
 * dates: it is for programs.
 */
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "i18n.h"
#include "output.h"
#include "session.h"
#include "util.h"

/* A hard limit on the export held in memory before it is written. */
#define EXPORT_MAX (512u * 1024u * 1024u)

struct export_opts {
	int json, bom;
	const char *output, *lang;
};

static const struct {
	const char *name; /* the JSON key */
	const char *progress;
	cli_list_fn fn;
} kinds[] = {
    {"visits", N_("visits"), coso_visit_list},
    {"outcomes", N_("outcomes"), coso_outcome_list},
    {"reports", N_("reports"), coso_report_list},
    {"proposals", N_("proposals"), coso_proposal_list},
    {"handovers", N_("handovers"), coso_handover_list},
};

#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

static int
parse_opts(int argc, char **argv, struct export_opts *o)
{
	static const struct option longopts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"output", required_argument, NULL, 'o'},
	    {"bom", no_argument, NULL, 'b'},
	    {"lang", required_argument, NULL, 'l'},
	    {NULL, 0, NULL, 0},
	};
	int c, format = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 'f'
		    && (strcmp(optarg, "csv") == 0
		        || strcmp(optarg, "json") == 0)) {
			o->json = optarg[0] == 'j';
			format  = 1;
		} else if (c == 'o') {
			o->output = optarg;
		} else if (c == 'b') {
			o->bom = 1;
		} else if (c == 'l'
		    && (strcmp(optarg, "vi") == 0
		        || strcmp(optarg, "en") == 0)) {
			o->lang = optarg;
		} else {
			return -1;
		}
	}
	return optind == argc && format && !(o->bom && o->json) ? 0 : -1;
}

/*
 * Whether the CSV is in English: --lang en, or no --lang and the first
 * language variable set (in gettext's order) names English.  Otherwise
 * it is in Vietnamese, whatever the locale: the file is for the office.
 */
static int
english(const char *lang)
{
	static const char *const vars[]
	    = {"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"};
	const char *v = NULL;
	size_t i;

	if (lang != NULL) {
		return strcmp(lang, "en") == 0;
	}
	for (i = 0; i < 4 && (v == NULL || v[0] == 0); i++) {
		v = getenv(vars[i]);
	}
	return v != NULL && strncmp(v, "en", 2) == 0;
}

/* Vietnamese from the catalogue, even under an English or C locale
 * (gettext reads LANGUAGE, except in the C locale). */
static void
use_vietnamese(void)
{
	const char *m = setlocale(LC_MESSAGES, NULL);

	if (m == NULL || strcmp(m, "C") == 0 || strcmp(m, "POSIX") == 0) {
		setlocale(LC_MESSAGES, "C.UTF-8");
	}
	setenv("LANGUAGE", "vi", 1);
}

/* Writes every kind into f; 0 or an exit code. */
static int
export_all(struct coso_store *s, const struct export_opts *o, FILE *f)
{
	struct coso_filter all = {0};
	struct out_list out    = {0};
	size_t i;
	int e;

	out.f       = f;
	out.mode    = o->json ? OUT_JSON : OUT_CSV;
	out.english = english(o->lang);
	if (!o->json && !out.english) {
		use_vietnamese();
	}
	fputs(o->bom ? "\xef\xbb\xbf" : o->json ? "{" : "", f);
	for (i = 0; i < NKINDS; i++) {
		if (cli_progress()) {
			fprintf(stderr, _("coso: exporting %s...\n"),
			    _(kinds[i].progress));
		}
		if (o->json) {
			fprintf(f, "%s\"%s\":", i ? "," : "", kinds[i].name);
			out.nrows = 0;
			out_list_begin(&out);
		}
		if ((e = kinds[i].fn(s, &all, out_list_row, &out)) != 0) {
			return cli_store_fail(s, _("cannot export"), e);
		}
		if (o->json) {
			out_list_end(&out);
		}
	}
	fputs(o->json ? "}\n" : "", f);
	return 0;
}

/* Sends the finished export to its place. */
static int
deliver(const struct export_opts *o, const char *buf, size_t len)
{
	int e;

	if (len > EXPORT_MAX) {
		return cli_fail(_("cannot export"), COSO_ETOOBIG, "");
	}
	if (o->output == NULL) {
		if (fwrite(buf, 1, len, stdout) != len
		    || fflush(stdout) != 0) {
			return cli_fail(_("cannot export"), COSO_EIO, "");
		}
		return 0;
	}
	if ((e = coso_file_write(o->output, buf, len, 0644)) != 0) {
		util_err(
		    _("cannot write `%s': %s"), o->output, strerror(errno));
		return EXIT_FAIL;
	}
	return 0;
}

int
cmd_export(const struct cli_opts *g, int argc, char **argv)
{
	struct export_opts o = {0};
	struct coso_store *s = NULL;
	char *buf            = NULL;
	size_t len           = 0;
	FILE *f              = NULL;
	int rv;

	if (parse_opts(argc, argv, &o) != 0) {
		return cli_usage(
		    "coso export --format csv|json [--output FILE] [--bom] "
		    "[--lang vi|en]\n");
	}
	if ((rv = cli_open(g, &s)) != 0) {
		return rv;
	}
	if ((f = open_memstream(&buf, &len)) == NULL) {
		rv = cli_fail(_("cannot export"), COSO_ENOMEM, "");
		goto out;
	}
	rv = export_all(s, &o, f);
	if (fclose(f) != 0 && rv == 0) {
		rv = cli_fail(_("cannot export"), COSO_ENOMEM, "");
	}
	if (rv == 0) {
		rv = deliver(&o, buf, len);
	}
out:
	coso_store_close(s);
	free(buf);
	return rv;
}
