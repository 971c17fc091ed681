/*
 * coso.c: the field and admin command line; a table of subcommands.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "commands.h"
#include "i18n.h"
#include "util.h"

static const struct {
	const char *name;
	int (*fn)(const struct cli_opts *g, int argc, char **argv);
	const char *help;
} commands[] = {
    {"init", cmd_init, N_("create the store and the device key")},
    {"units", cmd_units, N_("import and list the administrative units")},
    {"visit", cmd_visit, N_("record, list and show field visits")},
    {"report", cmd_report, N_("write, submit and show periodic reports")},
    {"proposal", cmd_proposal, N_("list proposals and their state")},
    {"handover", cmd_handover, N_("record and list handover notes")},
    {"status", cmd_status, N_("show what waits to be sent")},
    {"log", cmd_log, N_("verify this device's chain of change-sets")},
    {"pin", cmd_pin, N_("pin the central node's address and key")},
    {"enroll", cmd_enroll, N_("queue the enrollment token from an admin")},
    {"sync", cmd_sync, N_("send and receive with the central node now")},
    {"receipts", cmd_receipts, N_("list and verify the central's receipts")},
    {"admin", cmd_admin, N_("assign, rotate, enroll: the office's writes")},
    {"export", cmd_export, N_("export everything as CSV or JSON")},
    {"key", cmd_key, N_("generate a key pair or show a public key")},
    {"inspect", cmd_inspect, N_("show and verify a signed change-set file")},
    {"console", cmd_console,
        N_("sign the office console's sign-in challenge")},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "%s coso [--store DIR] [--passphrase-file F] %s\n\n%s\n",
	    _("usage:"), _("COMMAND [ARGS]"), _("commands:"));
	for (i = 0; i < NCOMMANDS; i++) {
		fprintf(
		    f, "  %-10s %s\n", commands[i].name, _(commands[i].help));
	}
	fprintf(
	    f, "\n%s\n", _("`coso COMMAND --help' shows a command's usage."));
}

static int
is_help(const char *a)
{
	return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0;
}

/* Whether argv[from..] asks for help (--help or -h before a `--'). */
static int
wants_help(int argc, char **argv, int from)
{
	for (; from < argc && strcmp(argv[from], "--") != 0; from++) {
		if (is_help(argv[from])) {
			return 1;
		}
	}
	return 0;
}

/*
 * `coso CMD [SUB] ... --help': what the command does and its usage, on
 * stdout, exit 0.  Every command answers an option it does not know with
 * its usage lines (cli_usage: stderr, EXIT_USAGE) before touching the
 * store; it is called with that one option, stderr sent to stdout.
 */
static int
help(const struct cli_opts *g, size_t i)
{
	char *argv[] = {(char *) commands[i].name, (char *) "--help", NULL};
	int rv;

	printf("coso %s: %s\n\n", commands[i].name, _(commands[i].help));
	fflush(stdout);
	if (dup2(STDOUT_FILENO, STDERR_FILENO) < 0) {
		return EXIT_FAIL;
	}
	opterr = 0;
	rv     = commands[i].fn(g, 2, argv);
	fflush(stdout);
	return rv == EXIT_USAGE ? 0 : rv;
}

/* The index of the command named name, or NCOMMANDS. */
static size_t
find(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS && strcmp(name, commands[i].name) != 0;
	     i++) { }
	return i;
}

/*
 * Takes the global options before the subcommand (`--store DIR`,
 * `--store=DIR`, the same for --passphrase-file).  Returns the index of
 * the subcommand, or -1 for a usage error.
 */
static int
global_opts(int argc, char **argv, struct cli_opts *g)
{
	static const char *const names[] = {"--store", "--passphrase-file"};
	int i                            = 1, k;

	while (
	    i < argc && strncmp(argv[i], "--", 2) == 0 && !is_help(argv[i])) {
		const char **dst[] = {&g->store, &g->passfile};
		size_t n;

		for (k = 0; k < 2; k++) {
			n = strlen(names[k]);
			if (strncmp(argv[i], names[k], n) != 0) {
				continue;
			}
			if (argv[i][n] == '=') {
				*dst[k] = argv[i] + n + 1;
				break;
			}
			if (argv[i][n] == 0 && i + 1 < argc) {
				*dst[k] = argv[++i];
				break;
			}
		}
		if (k == 2) {
			util_err(_("unknown option `%s'"), argv[i]);
			return -1;
		}
		i++;
	}
	return i;
}

int
main(int argc, char **argv)
{
	struct cli_opts g = {0};
	size_t i;
	int k;

	i18n_init();
	if (sodium_init() < 0) {
		util_err("%s", _("cannot initialise libsodium"));
		return EXIT_FAIL;
	}
	if ((k = global_opts(argc, argv, &g)) < 0 || k >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (is_help(argv[k]) || strcmp(argv[k], "help") == 0) {
		if (k + 1 < argc && (i = find(argv[k + 1])) < NCOMMANDS) {
			return help(&g, i);
		}
		usage(stdout);
		return 0;
	}
	if ((i = find(argv[k])) < NCOMMANDS) {
		return wants_help(argc, argv, k + 1)
		    ? help(&g, i)
		    : commands[i].fn(&g, argc - k, argv + k);
	}
	util_err(_("unknown command `%s'"), argv[k]);
	usage(stderr);
	return EXIT_USAGE;
}
