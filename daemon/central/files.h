/*
 * files.h: small files beside the database: the central's secret key
 * (PATH.key), PEM files for TLS, public key files given to init.
 */
#ifndef COSOD_FILES_H
#define COSOD_FILES_H

#include <stddef.h>

#include <coso/common.h>
#include <coso/proto.h>

#define FILES_ERRMSG_MAX 512

/* coso_file_read (coso/common.h) into a char buffer: a whole file of at
 * most max bytes into malloc'd *out, with a NUL added (not counted in
 * *len).  COSO_OK or a code of coso_file_read (COSO_ETOOBIG over max). */
int files_read(const char *path, size_t max, char **out, size_t *len);

/* "<db>.key", malloc'd; NULL if out of memory. */
char *files_key_path(const char *db);

/* Reads the central's secret key beside db (a clear key file, 0600):
 * refused, with errmsg saying so, if its group or others have any access
 * to it. */
COSO_NODISCARD int files_central_key(const char *db, struct coso_key **out,
    char errmsg[static FILES_ERRMSG_MAX]);

#endif /* COSOD_FILES_H */
