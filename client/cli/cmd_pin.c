/*
 * cmd_pin.c: `coso pin`: pins the central node's URL and public key.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "i18n.h"
#include "session.h"
#include "util.h"

/* Key text given as an argument: "$(cat key.pub)" loses the final
 * newline that the key file format ends with; put it back. */
static uint8_t *
text_arg(const char *arg)
{
	size_t n = strlen(arg);
	char *t  = malloc(n + 2);

	if (t != NULL) {
		memcpy(t, arg, n + 1);
		if (n == 0 || arg[n - 1] != '\n') {
			memcpy(t + n, "\n", 2);
		}
	}
	return (uint8_t *) t;
}

int
cli_central_key(const char *arg, char **text)
{
	uint8_t pk[32], *buf = NULL;
	struct stat st;
	size_t len;
	int e;

	if (stat(arg, &st) == 0 && S_ISREG(st.st_mode)) {
		e = coso_file_read(arg, COSO_PUBFILE_MAX, &buf, &len);
		if (e != 0) {
			util_err(_("cannot read central key `%s': %s"), arg,
			    e == COSO_ETOOBIG ? _("not a public key file")
			                      : strerror(errno));
			return EXIT_FAIL;
		}
	} else if ((buf = text_arg(arg)) == NULL) {
		return cli_fail(_("cannot read central key"), COSO_ENOMEM, "");
	}
	len = strlen((char *) buf);
	if ((e = coso_pubkey_parse(pk, (char *) buf, len)) != COSO_OK) {
		util_err(_("central key refused: %s"), cli_strerror(e));
		free(buf);
		return EXIT_FAIL;
	}
	*text = (char *) buf;
	return 0;
}

int
cmd_pin(const struct cli_opts *g, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"central", required_argument, NULL, 'u'},
	    {"central-key", required_argument, NULL, 'k'},
	    {"force", no_argument, NULL, 'f'},
	    {NULL, 0, NULL, 0},
	};
	const char *url = NULL, *keyarg = NULL;
	struct coso_store *s = NULL;
	char *key            = NULL;
	int c, e, force = 0, rv;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 'u') {
			url = optarg;
		} else if (c == 'k') {
			keyarg = optarg;
		} else if (c == 'f') {
			force = 1;
		} else {
			return cli_usage("coso pin [--central URL] "
			                 "--central-key KEY [--force]\n");
		}
	}
	if (optind != argc || keyarg == NULL) {
		return cli_usage(
		    "coso pin [--central URL] --central-key KEY [--force]\n");
	}
	if ((rv = cli_central_key(keyarg, &key)) != 0
	    || (rv = cli_open(g, &s)) != 0) {
		free(key);
		return rv;
	}
	if ((e = coso_central_pin(s, url, key, force)) != COSO_OK) {
		rv = e == COSO_EEXIST
		    ? (util_err("%s",
		           _("another central key is pinned: "
		             "replacing it needs --force")),
		        EXIT_FAIL)
		    : cli_store_fail(s, _("cannot pin the central"), e);
	} else {
		printf("%s\n", _("central key pinned"));
	}
	coso_store_close(s);
	free(key);
	return rv;
}
