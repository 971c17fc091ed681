/*
 * cosod.c: the coso daemon; a table of command groups.
 *
 *   cosod central …   the provincial node (daemon/central/)
 *   cosod field …     a device's sync agent (daemon/field.c)
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "central/cmd_central.h"
#include "field.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
    {"central", cmd_central,
        "the provincial node: init, run, stats, "
        "digest, rebuild"},
    {"field", cmd_field, "a device's sync agent: run"},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: cosod COMMAND [ARGS]\n\ncommands:\n");
	for (i = 0; i < NCOMMANDS; i++) {
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
	}
}

int
main(int argc, char **argv)
{
	size_t i;

	if (sodium_init() < 0) {
		fprintf(stderr, "cosod: cannot initialise libsodium\n");
		return COSOD_EXIT_FAIL;
	}
	if (argc < 2) {
		usage(stderr);
		return COSOD_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < NCOMMANDS; i++) {
		if (strcmp(argv[1], commands[i].name) == 0) {
			return commands[i].fn(argc - 1, argv + 1);
		}
	}
	fprintf(stderr, "cosod: unknown command `%s'\n", argv[1]);
	usage(stderr);
	return COSOD_EXIT_USAGE;
}
