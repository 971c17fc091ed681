/*
 * cmd_console.c: `coso console sign --origin ORIGIN CHALLENGE`: the
 * device key's answer to the office's console's sign-in challenge
 * (docs/central.md, "Console access"), printed to paste into the page.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "i18n.h"
#include "session.h"
#include "util.h"

int
cmd_console(const struct cli_opts *g, int argc, char **argv)
{
	const char *origin = NULL, *challenge = NULL;
	char out[COSO_CONSOLE_SIGNED_LEN];
	struct coso_store *s = NULL;
	int i, e, rv;

	for (i = 2; argc >= 2 && strcmp(argv[1], "sign") == 0 && i < argc;
	     i++) {
		if (strcmp(argv[i], "--origin") == 0 && i + 1 < argc) {
			origin = argv[++i];
		} else if (strncmp(argv[i], "--origin=", 9) == 0) {
			origin = argv[i] + 9;
		} else if (argv[i][0] != '-' && challenge == NULL) {
			challenge = argv[i];
		} else {
			break;
		}
	}
	if (argc < 2 || strcmp(argv[1], "sign") != 0 || i < argc
	    || origin == NULL || challenge == NULL) {
		return cli_usage(
		    "coso console sign --origin http://HOST:PORT CHALLENGE\n");
	}
	if ((rv = cli_open(g, &s)) != 0) {
		return rv;
	}
	if ((e = coso_console_sign(s, origin, challenge, out)) == COSO_OK) {
		printf("%s\n", out);
		rv = fflush(stdout) == 0 ? 0 : EXIT_FAIL;
	} else {
		rv = cli_store_fail(s, _("cannot sign the challenge"), e);
	}
	coso_store_close(s);
	return rv;
}
