/*
 * util.c: file and message helpers for the command-line programs.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include <coso/common.h>
#include <coso/proto.h>

#include "util.h"

/* Copies len bytes of p into sodium_malloc memory as a C string. */
static int
secure_copy(const char *p, size_t len, char **out)
{
	char *c;

	if ((c = sodium_malloc(len + 1)) == NULL) {
		return COSO_ENOMEM;
	}
	memcpy(c, p, len);
	c[len] = 0;
	*out   = c;
	return 0;
}

int
util_read_passphrase(const char *path, char **out, size_t *len)
{
	uint8_t *buf = NULL;
	char *nfc    = NULL;
	size_t n = 0, i, nlen = 0;
	int rv;

	/* The first line and its line end. */
	if ((rv = coso_file_read(path, COSO_PASSPHRASE_MAX + 2, &buf, &n))
	    != 0) {
		return rv;
	}
	for (i = 0; i < n && buf[i] != '\n' && buf[i] != '\r'; i++) { }
	if (i > COSO_PASSPHRASE_MAX) {
		rv = COSO_ETOOBIG;
		goto out;
	}
	/* Telex and VNI keyboards may give the same words in NFC or NFD;
	 * normalise so both unlock.  Bytes that are not UTF-8 (an old
	 * TCVN3 file) are used as they are. */
	if (coso_text_nfc(
	        &nfc, &nlen, (const char *) buf, i, COSO_PASSPHRASE_MAX)
	    == COSO_OK) {
		rv   = secure_copy(nfc, nlen, out);
		*len = nlen;
		sodium_memzero(nfc, nlen);
		free(nfc);
	} else {
		rv   = secure_copy((const char *) buf, i, out);
		*len = i;
	}
out:
	sodium_memzero(buf, n);
	free(buf);
	return rv;
}

void
util_vmsg(const char *prog, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
util_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	util_vmsg("coso", fmt, ap);
	va_end(ap);
}

int
util_stderr_is_journal(void)
{
	const char *v = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat sb;
	char tail;

	return v != NULL && sscanf(v, "%llu:%llu%c", &dev, &ino, &tail) == 2
	    && fstat(STDERR_FILENO, &sb) == 0
	    && (unsigned long long) sb.st_dev == dev
	    && (unsigned long long) sb.st_ino == ino;
}
