/*
 * cmd_init.c: `coso init`: creates the store and the device key.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "commands.h"
#include "i18n.h"
#include "session.h"
#include "util.h"

struct init_opts {
	struct coso_init p;
	const char *passfile;
};

static int
parse_opts(int argc, char **argv, struct init_opts *o)
{
	static const struct option longopts[] = {
	    {"cadre", required_argument, NULL, 'c'},
	    {"name", required_argument, NULL, 'n'},
	    {"central", required_argument, NULL, 'u'},
	    {"central-key", required_argument, NULL, 'k'},
	    {"passphrase-file", required_argument, NULL, 'p'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->p.cadre_id = optarg;
			break;
		case 'n':
			o->p.name = optarg;
			break;
		case 'u':
			o->p.central_url = optarg;
			break;
		case 'k':
			o->p.central_key = optarg;
			break;
		case 'p':
			o->passfile = optarg;
			break;
		default:
			return -1;
		}
	}
	if (optind != argc || o->p.cadre_id == NULL || o->p.name == NULL
	    || (o->p.central_key != NULL && o->p.central_url == NULL)) {
		return -1;
	}
	return 0;
}

int
cmd_init(const struct cli_opts *g, int argc, char **argv)
{
	struct init_opts o           = {0};
	char errmsg[COSO_ERRMSG_MAX] = "";
	char *dir = NULL, *pass = NULL, *key = NULL, *pub = NULL;
	int e, rv = EXIT_FAIL;

	if (parse_opts(argc, argv, &o) != 0) {
		return cli_usage("coso init --cadre ID --name NAME [--central "
		                 "URL --central-key KEY]\n"
		                 "       [--passphrase-file F]\n");
	}
	if ((dir = cli_store_dir(g)) == NULL
	    || cli_passphrase(g, o.passfile, &pass, &o.p.passlen) != 0
	    || (o.p.central_key != NULL
	        && (rv = cli_central_key(o.p.central_key, &key)) != 0)) {
		rv = EXIT_FAIL;
		goto out;
	}
	o.p.central_key = key;
	o.p.passphrase  = pass;
	if ((e = coso_store_init(dir, &o.p, &pub, errmsg)) != COSO_OK) {
		char what[600];

		snprintf(
		    what, sizeof(what), _("cannot create store `%s'"), dir);
		rv = cli_fail(what, e, errmsg);
		goto out;
	}
	fputs(pub, stdout);
	rv = 0;
out:
	sodium_free(pass);
	free(key);
	free(pub);
	free(dir);
	return rv;
}
