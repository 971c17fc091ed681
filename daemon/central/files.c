/*
 * files.c: the files beside the central's database (files.h), read and
 * written through the common layer's file functions (coso/common.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include <coso/common.h>

#include "files.h"

int
files_read(const char *path, size_t max, char **out, size_t *len)
{
	uint8_t *p = NULL;
	int err    = coso_file_read(path, max, &p, len);

	if (err == 0) {
		*out = (char *) p;
	}
	return err;
}

char *
files_key_path(const char *db)
{
	size_t n = strlen(db) + 5;
	char *p  = malloc(n);

	if (p != NULL) {
		snprintf(p, n, "%s.key", db);
	}
	return p;
}

int
files_central_key(const char *db, struct coso_key **out,
    char errmsg[static FILES_ERRMSG_MAX])
{
	char *path    = files_key_path(db);
	uint8_t *text = NULL;
	size_t len    = 0;
	unsigned mode = 0;
	int err, rv = COSO_ENOMEM;

	if (path == NULL) {
		snprintf(errmsg, FILES_ERRMSG_MAX, "out of memory");
		return rv;
	}
	err = coso_file_read_secret(
	    path, COSO_SECFILE_MAX, &text, &len, &mode);
	if (err == COSO_EPERM) {
		/* As ssh does: a key others could read is not used. */
		snprintf(errmsg, FILES_ERRMSG_MAX,
		    "the central key `%s' is open to other users (mode "
		    "%04o): it must be readable by its owner only (chmod 600)",
		    path, mode);
		rv = COSO_EIO;
	} else if (err != 0) {
		snprintf(errmsg, FILES_ERRMSG_MAX,
		    "cannot read the central key `%s': %s", path,
		    err == COSO_ETOOBIG ? "not a key file" : strerror(errno));
		rv = COSO_EIO;
	} else if ((rv = coso_seckey_parse(
	                out, (const char *) text, len, NULL, 0))
	    != 0) {
		snprintf(errmsg, FILES_ERRMSG_MAX,
		    "cannot read the central key `%s': %s", path,
		    coso_strerror(rv));
	}
	if (text != NULL) {
		sodium_memzero(text, len);
	}
	free(text);
	free(path);
	return rv;
}
