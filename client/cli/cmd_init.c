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

/*
 * --central-key is a public key file or the key text itself: a path that
 * names a regular file is read.  *text is malloc'd; it is checked here so
 * a typing mistake is caught before the store exists.
 */
static int
central_key(const char *arg, char **text)
{
	uint8_t pk[32], *buf = NULL;
	struct stat st;
	size_t len;
	int e;

	if (stat(arg, &st) == 0 && S_ISREG(st.st_mode)) {
		e = util_read_file(arg, COSO_PUBFILE_MAX, &buf, &len);
		if (e != 0) {
			util_err(_("cannot read central key `%s': %s"), arg,
			    e == EFBIG ? _("not a public key file")
			               : strerror(e));
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
	        && (rv = central_key(o.p.central_key, &key)) != 0)) {
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
