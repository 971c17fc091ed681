/*
 * files.c: reading and creating small files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "files.h"

/* Reads all of f (at most max bytes) into malloc'd *out and closes f. */
static int
read_stream(FILE *f, size_t max, char **out, size_t *len)
{
	char *buf;
	size_t n;
	int err;

	if ((buf = malloc(max + 2)) == NULL) {
		fclose(f);
		return ENOMEM;
	}
	n   = fread(buf, 1, max + 1, f);
	err = ferror(f) ? EIO : n > max ? EFBIG : 0;
	fclose(f);
	if (err != 0) {
		free(buf);
		return err;
	}
	buf[n] = 0;
	*out   = buf;
	*len   = n;
	return 0;
}

int
files_read(const char *path, size_t max, char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");

	return f != NULL ? read_stream(f, max, out, len) : errno;
}

int
files_read_secret(
    const char *path, size_t max, char **out, size_t *len, unsigned *mode)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err;
	struct stat st;
	FILE *f;

	if (fd < 0) {
		return errno;
	}
	/* The mode of the file opened, not of the name: no race. */
	if (fstat(fd, &st) != 0) {
		err = errno;
		close(fd);
		return err;
	}
	*mode = (unsigned) st.st_mode & 07777;
	if ((st.st_mode & 077) != 0) {
		close(fd);
		return EPERM;
	}
	if ((f = fdopen(fd, "rb")) == NULL) {
		err = errno;
		close(fd);
		return err;
	}
	return read_stream(f, max, out, len);
}

/* fsync of the directory holding path, so a new name is durable. */
static int
sync_dir(const char *path)
{
	char *dir = strdup(path), *slash;
	int fd, err = 0;

	if (dir == NULL) {
		return ENOMEM;
	}
	slash = strrchr(dir, '/');
	if (slash == NULL) {
		strcpy(dir, ".");
	} else {
		slash[slash == dir] = 0;
	}
	if ((fd = open(dir, O_RDONLY)) < 0 || fsync(fd) != 0) {
		err = errno;
	}
	if (fd >= 0) {
		close(fd);
	}
	free(dir);
	return err;
}

/* Writes buf to a fresh temp file beside path; its name into tmp. */
static int
write_temp(char *tmp, const void *buf, size_t len, unsigned mode)
{
	int fd = mkstemp(tmp), err = 0;

	if (fd < 0) {
		return errno;
	}
	if (fchmod(fd, (mode_t) mode) != 0
	    || write(fd, buf, len) != (ssize_t) len || fsync(fd) != 0) {
		err = errno != 0 ? errno : EIO;
	}
	if (close(fd) != 0 && err == 0) {
		err = errno;
	}
	if (err != 0) {
		unlink(tmp);
	}
	return err;
}

int
files_create(const char *path, const void *buf, size_t len, unsigned mode)
{
	size_t n  = strlen(path) + 8;
	char *tmp = malloc(n);
	int err;

	if (tmp == NULL) {
		return ENOMEM;
	}
	snprintf(tmp, n, "%s.XXXXXX", path);
	if ((err = write_temp(tmp, buf, len, mode)) == 0) {
		/* link, not rename: an existing file is never replaced. */
		err = link(tmp, path) == 0 ? 0 : errno;
		unlink(tmp);
	}
	free(tmp);
	return err != 0 ? err : sync_dir(path);
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
	char *path = files_key_path(db), *text = NULL;
	size_t len    = 0;
	unsigned mode = 0;
	int err, rv = COSO_ENOMEM;

	if (path == NULL) {
		snprintf(errmsg, FILES_ERRMSG_MAX, "out of memory");
		return rv;
	}
	err = files_read_secret(path, COSO_SECFILE_MAX, &text, &len, &mode);
	if (err == EPERM) {
		/* As ssh does: a key others could read is not used. */
		snprintf(errmsg, FILES_ERRMSG_MAX,
		    "the central key `%s' is open to other users (mode "
		    "%04o): it must be readable by its owner only (chmod 600)",
		    path, mode);
		rv = COSO_EIO;
	} else if (err != 0) {
		snprintf(errmsg, FILES_ERRMSG_MAX,
		    "cannot read the central key `%s': %s", path,
		    err == EFBIG ? "not a key file" : strerror(err));
		rv = COSO_EIO;
	} else if ((rv = coso_seckey_parse(out, text, len, NULL, 0)) != 0) {
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
