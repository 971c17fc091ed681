/*
 * coso.c: the field and admin command line; a table of subcommands.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "commands.h"
#include "util.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
    {"key", cmd_key, "generate a key pair or show a public key"},
    {"inspect", cmd_inspect, "show and verify a signed change-set file"},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: coso COMMAND [ARGS]\n\ncommands:\n");
	for (i = 0; i < NCOMMANDS; i++) {
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
	}
}

int
main(int argc, char **argv)
{
	size_t i;

	if (sodium_init() < 0) {
		util_err("cannot initialise libsodium");
		return EXIT_FAIL;
	}
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
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
	util_err("unknown command `%s'", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
