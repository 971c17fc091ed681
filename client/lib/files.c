/*
 * files.c: small-file reading and durable writing, hex.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* fsync of the directory holding path, so a rename is durable. */
static int
sync_dir(const char *path)
{
	char *copy = strdup(path);
	int fd, rv = 0;

	if (copy == NULL) {
		return ENOMEM;
	}
	if ((fd = open(dirname(copy), O_RDONLY | O_DIRECTORY)) < 0) {
		rv = errno;
	} else {
		if (fsync(fd) != 0) {
			rv = errno;
		}
		close(fd);
	}
	free(copy);
	return rv;
}

/* Writes all of buf to fd and syncs it; 0 or errno. */
static int
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			return errno;
		}
		p += n;
		len -= (size_t) n;
	}
	return fsync(fd) != 0 ? errno : 0;
}

/* The coso code for errno value e (0: COSO_OK); errno is left at e, so
 * that a front end can still name the system's cause. */
static int
code_of(int e)
{
	errno = e;
	switch (e) {
	case 0:
		return COSO_OK;
	case ENOMEM:
		return COSO_ENOMEM;
	case ENOENT:
		return COSO_ENOENT;
	case EEXIST:
		return COSO_EEXIST;
	case EFBIG:
		return COSO_ETOOBIG;
	default:
		return COSO_EIO;
	}
}

static int
file_write(const char *path, const void *buf, size_t len, unsigned mode)
{
	size_t n  = strlen(path) + 8;
	char *tmp = malloc(n);
	int fd    = -1, rv;

	if (tmp == NULL) {
		return ENOMEM;
	}
	snprintf(tmp, n, "%s.XXXXXX", path);
	if ((fd = mkstemp(tmp)) < 0) {
		rv = errno;
		goto out;
	}
	if (fchmod(fd, (mode_t) mode) != 0) {
		rv = errno;
	} else {
		rv = write_all(fd, buf, len);
	}
	if (close(fd) != 0 && rv == 0) {
		rv = errno;
	}
	if (rv == 0 && rename(tmp, path) != 0) {
		rv = errno;
	}
	if (rv == 0) {
		rv = sync_dir(path);
	} else {
		unlink(tmp);
	}
out:
	free(tmp);
	return rv;
}

static int
file_read(const char *path, size_t max, uint8_t **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	size_t n;

	if (f == NULL) {
		return errno;
	}
	if ((buf = malloc(max + 2)) == NULL) {
		fclose(f);
		return ENOMEM;
	}
	errno = 0;
	n     = fread(buf, 1, max + 1, f);
	if (ferror(f) || n > max) {
		int e = !ferror(f) ? EFBIG : errno != 0 ? errno : EIO;
		fclose(f);
		free(buf);
		return e;
	}
	fclose(f);
	buf[n] = 0;
	*out   = buf;
	*len   = n;
	return 0;
}

int
coso_file_write(const char *path, const void *buf, size_t len, unsigned mode)
{
	return code_of(file_write(path, buf, len, mode));
}

int
coso_file_read(const char *path, size_t max, uint8_t **out, size_t *len)
{
	return code_of(file_read(path, max, out, len));
}

void
cosoi_hex(char *out, const uint8_t *b, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i]     = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * len] = 0;
}
