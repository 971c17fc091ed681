/*
 * cmd_central.c: `cosod central init | run | stats | digest | checkpoint |
 * vkey | rebuild | backup | restore | report`: the table of subcommands, one
 * file each group (cmd_*.c), and what they share: options, errors, a read-only
 * store.
 */
#include <assert.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "util.h"
#include "cmd_central.h"
#include "report/report_cmd.h"

#define OPTS_MAX 16u /* options of one subcommand */

void
central_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	util_vmsg("cosod", fmt, ap);
	va_end(ap);
}

int
central_parse_opts(int argc, char **argv, const struct opt *opts, size_t n)
{
	struct option lo[OPTS_MAX + 1];
	size_t k;
	int c, at = 1;

	assert(n <= OPTS_MAX);
	memset(lo, 0, sizeof(lo));
	for (k = 0; k < n; k++) {
		lo[k].name = opts[k].name + 2; /* after "--" */
		lo[k].has_arg
		    = opts[k].flag ? optional_argument : required_argument;
		lo[k].val = (int) k;
	}
	/* "+": stop at the first operand, which is refused below; ":": a
	 * missing value is told from an unknown option. */
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:", lo, NULL)) != -1) {
		if (c == ':') {
			central_fail(
			    "option `%s' needs a value", opts[optopt].name);
			return -1;
		}
		if (c == '?') {
			central_fail("unknown option `%s'", argv[at]);
			return -1;
		}
		*opts[c].val = opts[c].flag ? "1" : optarg;
		at           = optind;
	}
	if (optind < argc) {
		central_fail("unknown option `%s'", argv[optind]);
		return -1;
	}
	return 0;
}

int
central_parse_num(
    const char *name, const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v     = strtoull(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end != 0 || errno != 0 || v < lo
	    || v > hi) {
		central_fail("%s: `%s' is not a number from %" PRIu64
		             " to %" PRIu64,
		    name, s, lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

int
central_need(const char *name, const char *val)
{
	if (val == NULL) {
		central_fail("option `%s' is required", name);
		return -1;
	}
	return 0;
}

int
central_open_ro(const char *db, struct central_store **s)
{
	char err[CSTORE_ERRMSG_MAX];

	if (cstore_open(s, db, 1, err) != COSO_OK) {
		central_fail("%s", err);
		return -1;
	}
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
} subs[] = {
    {"init", central_init,
        "--db PATH --admin-key KEY --origin HOST/PATH [--admin-cadre ID]"},
    {"run", central_run,
        "--db PATH --listen URL [--max-message BYTES] [--tls-cert FILE "
        "--tls-key FILE] [--contexts N] [--log-level LEVEL] [--http "
        "HOST:PORT [--http-token FILE]]"},
    {"stats", central_stats, "--db PATH [--json]"},
    {"digest", central_digest, "--db PATH [--tables]"},
    {"checkpoint", central_checkpoint, "--db PATH"},
    {"vkey", central_vkey, "--db PATH"},
    {"rebuild", central_rebuild,
        "(--db PATH | --entries FILE) --out NEWPATH [--tables]"},
    {"backup", central_backup, "--db PATH --out FILE"},
    {"restore", central_restore,
        "--db NEWPATH (--backup FILE [--entries FILE] | --entries FILE)"},
    {"report", central_report,
        "(compliance | coverage | proposals | pack | overview | quarantine "
        "| devices | trend | audit) --db PATH ..."},
    {"console", central_console,
        "passwd --db PATH CADRE (the passphrase on the terminal or stdin) "
        "| list --db PATH [--json]"},
};

#define NSUBS (sizeof(subs) / sizeof(subs[0]))

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage:\n");
	for (i = 0; i < NSUBS; i++) {
		fprintf(
		    f, "  cosod central %s %s\n", subs[i].name, subs[i].usage);
	}
}

int
cmd_central(int argc, char **argv)
{
	size_t i;
	int code;

	if (argc < 2 || strcmp(argv[1], "--help") == 0
	    || strcmp(argv[1], "help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? COSOD_EXIT_USAGE : 0;
	}
	for (i = 0; i < NSUBS; i++) {
		if (strcmp(argv[1], subs[i].name) == 0) {
			code = subs[i].fn(argc - 1, argv + 1);
			if (code == COSOD_EXIT_USAGE) {
				fprintf(stderr, "usage: cosod central %s %s\n",
				    subs[i].name, subs[i].usage);
			}
			return code;
		}
	}
	central_fail("unknown command `central %s'", argv[1]);
	usage(stderr);
	return COSOD_EXIT_USAGE;
}
