/*
 * cmd_key.c: `coso key generate` and `coso key public`.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include <coso/proto.h>

#include "commands.h"
#include "i18n.h"
#include "session.h"
#include "util.h"

struct key_opts {
	const char *out;
	const char *passfile; /* --passphrase-file, else the global one */
};

static int
parse_opts(int argc, char **argv, struct key_opts *o)
{
	static const struct option longopts[] = {
	    {"out", required_argument, NULL, 'o'},
	    {"passphrase-file", required_argument, NULL, 'p'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o->out = optarg;
			break;
		case 'p':
			o->passfile = optarg;
			break;
		default:
			return -1;
		}
	}
	return 0;
}

/* Loads the passphrase named by --passphrase-file, if any. */
static int
load_pass(const struct key_opts *o, char **pass, size_t *plen)
{
	int e;

	*pass = NULL;
	*plen = 0;
	if (o->passfile == NULL) {
		return 0;
	}
	if ((e = util_read_passphrase(o->passfile, pass, plen)) != 0) {
		cli_passfile_err(o->passfile, e);
		return -1;
	}
	return 0;
}

/* Writes the secret file (0600) then the public one; never overwrites. */
static int
write_pair(const char *out, const char *sec, const char *pub)
{
	size_t n  = strlen(out) + 5;
	char *pth = malloc(n);
	int e, rv = EXIT_FAIL;

	if (pth == NULL) {
		util_err("%s", _("out of memory"));
		return EXIT_FAIL;
	}
	snprintf(pth, n, "%s.pub", out);
	if (access(out, F_OK) == 0 || access(pth, F_OK) == 0) {
		util_err(_("cannot write key `%s': file exists"), out);
		goto out;
	}
	if ((e = coso_file_write(out, sec, strlen(sec), 0600)) != 0) {
		util_err(_("cannot write key `%s': %s"), out, strerror(errno));
		goto out;
	}
	if ((e = coso_file_write(pth, pub, strlen(pub), 0644)) != 0) {
		util_err(_("cannot write key `%s': %s"), pth, strerror(errno));
		goto out;
	}
	rv = 0;
out:
	free(pth);
	return rv;
}

static int
key_generate(const struct key_opts *o)
{
	struct coso_key *key = NULL;
	char *pass = NULL, *sec = NULL, *pub = NULL;
	uint8_t pk[32];
	size_t plen;
	int e, rv = EXIT_FAIL;

	if (load_pass(o, &pass, &plen) != 0) {
		return EXIT_FAIL;
	}
	if (pass != NULL && plen == 0) {
		util_err(_("passphrase file `%s' is empty: a key sealed with "
		           "an empty passphrase opens for anyone"),
		    o->passfile);
		goto out;
	}
	if ((e = coso_key_generate(&key)) != COSO_OK
	    || (e = coso_seckey_format(&sec, key, pass, plen)) != COSO_OK) {
		util_err(_("cannot generate key: %s"), cli_strerror(e));
		goto out;
	}
	coso_key_public(key, pk);
	if ((e = coso_pubkey_format(&pub, pk)) != COSO_OK) {
		util_err(_("cannot generate key: %s"), cli_strerror(e));
		goto out;
	}
	if ((rv = write_pair(o->out, sec, pub)) == 0) {
		fputs(pub, stdout);
	}
out:
	if (sec != NULL) {
		sodium_memzero(sec, strlen(sec));
	}
	free(sec);
	free(pub);
	sodium_free(pass);
	coso_key_free(key);
	return rv;
}

/* Unlocks a secret key file and prints its public key file's text. */
static int
key_public(const char *path, const struct key_opts *o)
{
	struct coso_key *key = NULL;
	uint8_t *text        = NULL, pk[32];
	char *pass = NULL, *pub = NULL;
	size_t len = 0, plen;
	int e, rv = EXIT_FAIL;

	if ((e = coso_file_read(path, COSO_SECFILE_MAX, &text, &len)) != 0) {
		util_err(_("cannot read key `%s': %s"), path,
		    e == COSO_ETOOBIG ? _("not a key file (too large)")
		                      : strerror(errno));
		return EXIT_FAIL;
	}
	if (load_pass(o, &pass, &plen) != 0) {
		goto out;
	}
	e = coso_seckey_parse(&key, (const char *) text, len, pass, plen);
	if (e != COSO_OK) {
		util_err(_("cannot read key `%s': %s"), path, cli_strerror(e));
		goto out;
	}
	coso_key_public(key, pk);
	if ((e = coso_pubkey_format(&pub, pk)) != COSO_OK) {
		util_err(_("cannot format key: %s"), cli_strerror(e));
		goto out;
	}
	fputs(pub, stdout);
	rv = 0;
out:
	sodium_memzero(text, len);
	free(text);
	free(pub);
	sodium_free(pass);
	coso_key_free(key);
	return rv;
}

int
cmd_key(const struct cli_opts *g, int argc, char **argv)
{
	struct key_opts o = {0};
	const char *sub   = argc > 1 ? argv[1] : "";

	if (parse_opts(argc - 1, argv + 1, &o) != 0) {
		goto usage;
	}
	if (o.passfile == NULL) {
		o.passfile = g->passfile;
	}
	if (strcmp(sub, "generate") == 0 && o.out != NULL
	    && optind == argc - 1) {
		return key_generate(&o);
	}
	if (strcmp(sub, "public") == 0 && optind == argc - 2) {
		return key_public(argv[argc - 1], &o);
	}
usage:
	return cli_usage(
	    "coso key generate --out FILE [--passphrase-file F]\n"
	    "       coso key public [--passphrase-file F] FILE\n");
}
