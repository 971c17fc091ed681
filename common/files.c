/*
 * files.c: small whole files, read with a limit and written durably
 * (common.h); lowercase hex.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <coso/common.h>

int
coso_fd_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, p, len)) < 0) {
			if (errno == EINTR) {
				continue;
			}
			return errno;
		}
		if (n == 0) {
			return EIO; /* no progress and no reason: not spun on
			             */
		}
		p += n;
		len -= (size_t) n;
	}
	return 0;
}

/* Reads all of f (at most max bytes) into malloc'd *out and closes f. */
static int
read_stream(FILE *f, size_t max, uint8_t **out, size_t *len)
{
	uint8_t *buf;
	size_t n;
	int err;

	if (max > SIZE_MAX - 2 || (buf = malloc(max + 2)) == NULL) {
		fclose(f);
		return ENOMEM;
	}
	errno = 0;
	n     = fread(buf, 1, max + 1, f);
	err   = ferror(f) ? (errno != 0 ? errno : EIO) : n > max ? EFBIG : 0;
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

static int
file_read(const char *path, size_t max, uint8_t **out, size_t *len)
{
	FILE *f = fopen(path, "rb");

	return f != NULL ? read_stream(f, max, out, len) : errno;
}

static int
file_read_secret(
    const char *path, size_t max, uint8_t **out, size_t *len, unsigned *mode)
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
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0
	    || fsync(fd) != 0) {
		err = errno;
	}
	if (fd >= 0) {
		close(fd);
	}
	free(dir);
	return err;
}

/* Writes buf to a fresh temp file named after tmp's XXXXXX template,
 * synced and closed; removed again on failure. */
static int
write_temp(char *tmp, const void *buf, size_t len, unsigned mode)
{
	int fd = mkstemp(tmp), err;

	if (fd < 0) {
		return errno;
	}
	if (fchmod(fd, (mode_t) mode) != 0) {
		err = errno;
	} else if ((err = coso_fd_write_all(fd, buf, len)) == 0
	    && fsync(fd) != 0) {
		err = errno;
	}
	if (close(fd) != 0 && err == 0) {
		err = errno;
	}
	if (err != 0) {
		unlink(tmp);
	}
	return err;
}

/* Writes buf to a temp file beside path and puts it in place: renamed
 * over path (replace), or linked to it, which never replaces a file. */
static int
write_placed(
    const char *path, const void *buf, size_t len, unsigned mode, int replace)
{
	size_t n  = strlen(path) + 8;
	char *tmp = malloc(n);
	int err;

	if (tmp == NULL) {
		return ENOMEM;
	}
	snprintf(tmp, n, "%s.XXXXXX", path);
	if ((err = write_temp(tmp, buf, len, mode)) == 0) {
		if ((replace ? rename(tmp, path) : link(tmp, path)) != 0) {
			err = errno;
		}
		if (err != 0 || !replace) {
			unlink(tmp);
		}
	}
	free(tmp);
	return err != 0 ? err : sync_dir(path);
}

static int
file_write(const char *path, const void *buf, size_t len, unsigned mode)
{
	return write_placed(path, buf, len, mode, 1);
}

static int
file_create(const char *path, const void *buf, size_t len, unsigned mode)
{
	return write_placed(path, buf, len, mode, 0);
}

/* The coso code for errno value e (0: COSO_OK); errno is left at e, so
 * that a program can still name the system's cause. */
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
	case EPERM:
		return COSO_EPERM;
	case EFBIG:
		return COSO_ETOOBIG;
	default:
		return COSO_EIO;
	}
}

int
coso_file_read(const char *path, size_t max, uint8_t **out, size_t *len)
{
	return code_of(file_read(path, max, out, len));
}

int
coso_file_read_secret(
    const char *path, size_t max, uint8_t **out, size_t *len, unsigned *mode)
{
	return code_of(file_read_secret(path, max, out, len, mode));
}

int
coso_file_write(const char *path, const void *buf, size_t len, unsigned mode)
{
	return code_of(file_write(path, buf, len, mode));
}

int
coso_file_create(const char *path, const void *buf, size_t len, unsigned mode)
{
	return code_of(file_create(path, buf, len, mode));
}

int
coso_file_place(const char *tmp, const char *path)
{
	/* link, then unlink: rename(2) would replace an existing path. */
	if (link(tmp, path) != 0) {
		return code_of(errno);
	}
	if (unlink(tmp) != 0) {
		return code_of(errno);
	}
	return code_of(sync_dir(path));
}

void
coso_hex(char *out, const uint8_t *b, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i]     = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * len] = 0;
}
