/*
 * cmd_enroll.c: `coso enroll`: queues the enrollment an admin issued for
 * this cadre; the next sync sends it before anything else.
 *
 * The token is a secret until it is used: it is read from a file
 * (--token-file), from standard input (`-', or when stdin is not a
 * terminal), or from a QR code image (--token-qr, decoded by zbarimg of
 * Debian's zbar-tools).  A token given as an argument still works, with
 * a warning: other users see it in `ps' and the shell keeps it in its
 * history.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "commands.h"
#include "i18n.h"
#include "session.h"
#include "util.h"

/* What a token source may hold: 64 hex digits and some white space.
 * More is not a token file, and is refused unread. */
#define TOKEN_TEXT_MAX 4096u

struct enroll_opts {
	const char *file; /* --token-file, or "-" for stdin */
	const char *qr;   /* --token-qr */
	const char *arg;  /* the token itself (discouraged) */
};

static int
parse_opts(int argc, char **argv, struct enroll_opts *o)
{
	static const struct option longopts[] = {
	    {"token-file", required_argument, NULL, 'f'},
	    {"token-qr", required_argument, NULL, 'q'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 'f') {
			o->file = optarg;
		} else if (c == 'q') {
			o->qr = optarg;
		} else {
			return -1;
		}
	}
	if (optind + 1 == argc && strcmp(argv[optind], "-") == 0) {
		if (o->file != NULL) {
			return -1;
		}
		o->file = "-";
	} else if (optind + 1 == argc) {
		o->arg = argv[optind];
	} else if (optind != argc) {
		return -1;
	}
	if (o->file == NULL && o->qr == NULL && o->arg == NULL
	    && !isatty(STDIN_FILENO)) {
		o->file = "-";
	}
	/* Exactly one source. */
	return (o->file != NULL) + (o->qr != NULL) + (o->arg != NULL) == 1
	    ? 0
	    : -1;
}

/* Reads at most max bytes of f into buf; *len bytes read, or max + 1
 * if there were more (the rest is drained, so a writer does not block). */
static int
read_stream(FILE *f, char *buf, size_t max, size_t *len)
{
	char sink[512];
	size_t n = fread(buf, 1, max, f);

	while (!ferror(f) && !feof(f)) {
		if (fread(sink, 1, sizeof(sink), f) > 0) {
			n = max + 1;
		}
	}
	sodium_memzero(sink, sizeof(sink));
	*len = n;
	return ferror(f) ? EIO : 0;
}

/* The token text of a file, or of stdin for "-". */
static int
read_file(const char *path, char *buf, size_t max, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	int e;

	if (f == NULL) {
		e = errno;
		util_err(
		    _("cannot read token file `%s': %s"), path, strerror(e));
		return EXIT_FAIL;
	}
	e = read_stream(f, buf, max, len);
	if (f != stdin) {
		fclose(f);
	}
	if (e != 0) {
		util_err(
		    _("cannot read token file `%s': %s"), path, strerror(e));
		return EXIT_FAIL;
	}
	return 0;
}

/* The text of the QR code in the image at path. */
static int
read_qr(const char *path, char *buf, size_t max, size_t *len)
{
	int status = -1, e;

	/* zbarimg's own messages are hidden: say what is wrong here. */
	if (access(path, R_OK) != 0) {
		e = errno;
		util_err(
		    _("cannot read QR image `%s': %s"), path, strerror(e));
		return EXIT_FAIL;
	}
	if ((e = coso_qr_scan(path, buf, max, len, &status)) != 0) {
		util_err(
		    _("cannot read QR image `%s': %s"), path, strerror(e));
		return EXIT_FAIL;
	}
	if (status == 127) {
		util_err("%s",
		    _("cannot read QR images: zbarimg is not "
		      "installed (Debian package zbar-tools)"));
		return EXIT_FAIL;
	}
	if (status != 0) {
		util_err(status == COSO_QR_NONE
		        ? _("cannot read QR image `%s': no QR code found")
		        : _("cannot read QR image `%s': not an image zbarimg "
		            "can read"),
		    path);
		return EXIT_FAIL;
	}
	return 0;
}

/* The token from its source into tok (NUL-terminated, white space
 * around it dropped); 0 or an exit code after a message. */
static int
token_get(const struct enroll_opts *o, char tok[static TOKEN_TEXT_MAX + 2])
{
	const char *src = o->qr != NULL ? o->qr : o->file;
	size_t len = 0, a = 0;
	int rv;

	if (o->arg != NULL) {
		util_err("%s",
		    _("warning: a token given as an argument shows "
		      "in `ps' and stays in the shell's history; "
		      "use --token-file FILE or standard input"));
		snprintf(tok, TOKEN_TEXT_MAX + 2, "%s", o->arg);
		return 0;
	}
	rv = o->qr != NULL ? read_qr(o->qr, tok, TOKEN_TEXT_MAX, &len)
	                   : read_file(o->file, tok, TOKEN_TEXT_MAX, &len);
	if (rv != 0) {
		return rv;
	}
	if (len > TOKEN_TEXT_MAX || memchr(tok, 0, len) != NULL) {
		util_err(_("cannot read token from `%s': not a token (more "
		           "than %u bytes, or a NUL byte)"),
		    src, TOKEN_TEXT_MAX);
		return EXIT_FAIL;
	}
	while (len > 0 && strchr(" \t\r\n", tok[len - 1]) != NULL) {
		len--;
	}
	tok[len] = 0;
	a        = strspn(tok, " \t\r\n");
	memmove(tok, tok + a, len - a + 1);
	return 0;
}

int
cmd_enroll(const struct cli_opts *g, int argc, char **argv)
{
	struct enroll_opts o = {0};
	struct coso_store *s = NULL;
	char tok[TOKEN_TEXT_MAX + 2];
	int e, rv;

	if (parse_opts(argc, argv, &o) != 0) {
		return cli_usage("coso enroll --token-file FILE | --token-qr "
		                 "FILE.png | - (standard input)\n");
	}
	if ((rv = token_get(&o, tok)) != 0) {
		goto out;
	}
	if ((rv = cli_open(g, &s)) != 0) {
		goto out;
	}
	if ((e = coso_enroll_queue(s, tok)) != COSO_OK) {
		rv = cli_store_fail(s, _("cannot queue the enrollment"), e);
	} else {
		printf("%s\n",
		    _("enrollment queued: it is sent at the next "
		      "sync"));
	}
out:
	sodium_memzero(tok, sizeof(tok));
	coso_store_close(s);
	return rv;
}
