/*
 * cosod.c: the coso daemon; a table of command groups.
 *
 *   cosod central …   the provincial node (daemon/central/)
 *   cosod field …     a device's sync agent (daemon/field.c)
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "i18n.h"
#include "central/cmd_central.h"
#include "field.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
    {"central", cmd_central,
        N_("the provincial node: init, run, stats, digest, checkpoint, "
           "rebuild, report")},
    {"field", cmd_field, N_("a device's sync agent: run")},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "%s cosod %s\n\n%s\n", _("usage:"), _("COMMAND [ARGS]"),
	    _("commands:"));
	for (i = 0; i < NCOMMANDS; i++) {
		fprintf(
		    f, "  %-8s %s\n", commands[i].name, _(commands[i].help));
	}
	fprintf(
	    f, "\n%s\n", _("`cosod COMMAND --help' shows a command's usage."));
}

static int
is_help(const char *a)
{
	return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0;
}

/*
 * `cosod GROUP ... --help': the group's usage on stdout, exit 0.  Each
 * group answers an argument it does not know with its usage on stderr
 * and exit 1 before it opens anything; it is called with `--help' alone,
 * stderr sent to stdout.
 */
static int
help(size_t i)
{
	char *argv[] = {(char *) commands[i].name, (char *) "--help", NULL};
	int rv;

	fflush(stdout);
	if (dup2(STDOUT_FILENO, STDERR_FILENO) < 0) {
		return COSOD_EXIT_FAIL;
	}
	rv = commands[i].fn(2, argv);
	fflush(stdout);
	return rv == COSOD_EXIT_USAGE ? 0 : rv;
}

int
main(int argc, char **argv)
{
	size_t i;
	int k;

	/* The field agent speaks to a cadre: in the cadre's language.  The
	 * central's output is Vietnamese already, and its numbers stay in
	 * the C locale (i18n_init keeps LC_NUMERIC so). */
	i18n_init();
	if (sodium_init() < 0) {
		fprintf(
		    stderr, "cosod: %s\n", _("cannot initialise libsodium"));
		return COSOD_EXIT_FAIL;
	}
	if (argc < 2) {
		usage(stderr);
		return COSOD_EXIT_USAGE;
	}
	if (is_help(argv[1]) || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < NCOMMANDS; i++) {
		if (strcmp(argv[1], commands[i].name) != 0) {
			continue;
		}
		for (k = 2; k < argc && strcmp(argv[k], "--") != 0; k++) {
			if (is_help(argv[k])) {
				return help(i);
			}
		}
		return commands[i].fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "cosod: ");
	fprintf(stderr, _("unknown command `%s'"), argv[1]);
	fputc('\n', stderr);
	usage(stderr);
	return COSOD_EXIT_USAGE;
}
