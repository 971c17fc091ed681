/*
 * files.h: small files beside the database: the central's secret key
 * (PATH.key), PEM files for TLS, public key files given to init.
 */
#ifndef COSOD_FILES_H
#define COSOD_FILES_H

#include <stddef.h>

#include <coso/proto.h>

#define FILES_ERRMSG_MAX 512

/* Reads a whole file of at most max bytes into malloc'd *out, with a NUL
 * added (not counted in *len).  0 or an errno value (EFBIG over max). */
int files_read(const char *path, size_t max, char **out, size_t *len);

/* files_read for a secret: refuses (EPERM) a file whose group or others
 * have any access, as ssh refuses such a private key; *mode receives the
 * file's permission bits either way. */
int files_read_secret(
    const char *path, size_t max, char **out, size_t *len, unsigned *mode);

/* Creates path with buf and mode: temp file, fsync, link into place
 * (refusing an existing path: EEXIST), fsync of the directory.  0 or an
 * errno value. */
int files_create(const char *path, const void *buf, size_t len, unsigned mode);

/* "<db>.key", malloc'd; NULL if out of memory. */
char *files_key_path(const char *db);

/* Reads the central's secret key beside db (a clear key file, 0600):
 * refused, with errmsg saying so, if its group or others have any access
 * to it. */
COSO_NODISCARD int files_central_key(const char *db, struct coso_key **out,
    char errmsg[static FILES_ERRMSG_MAX]);

#endif /* COSOD_FILES_H */
