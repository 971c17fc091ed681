/*
 * qrread.c: the text of a QR code in an image (client.h, "QR images"),
 * by zbarimg of Debian's zbar-tools, run as a child: linking libzbar
 * would pull ImageMagick's decoders into every program.  `coso enroll
 * --token-qr' and the app's enrollment read a token's QR code here.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "internal.h"

/* In the child: zbarimg's output into fd out, its messages (which name
 * D-Bus and ImageMagick, not the problem) to /dev/null.  Never returns. */
static void
zbar_exec(const char *path, int out)
{
	const char *args[] = {"zbarimg", "--nodbus", "--raw", "-q",
	    "-Sdisable", "-Sqrcode.enable", "--", path, NULL};
	int null           = open("/dev/null", O_WRONLY);

	if (dup2(out, STDOUT_FILENO) < 0
	    || (null >= 0 && dup2(null, STDERR_FILENO) < 0)) {
		_exit(126);
	}
	execvp(args[0], (char *const *) args);
	_exit(127);
}

/* At most max bytes of fd into buf; *len, or max + 1 if there were
 * more (the rest drained, so that the writer does not block). */
static int
read_all(int fd, char *buf, size_t max, size_t *len)
{
	char sink[512];
	size_t n = 0;
	ssize_t r;

	while ((r = read(fd, n < max ? buf + n : sink,
	            n < max ? max - n : sizeof(sink)))
	    != 0) {
		if (r < 0 && errno != EINTR) {
			return errno;
		}
		if (r > 0) {
			n = n < max ? n + (size_t) r : max + 1;
		}
	}
	sodium_memzero(sink, sizeof(sink));
	*len = n;
	return 0;
}

int
coso_qr_scan(const char *path, char *buf, size_t max, size_t *len, int *status)
{
	int fds[2], w, e;
	pid_t pid;

	if (pipe(fds) != 0) {
		return errno;
	}
	if ((pid = fork()) < 0) {
		e = errno;
		close(fds[0]);
		close(fds[1]);
		return e;
	}
	if (pid == 0) {
		close(fds[0]);
		zbar_exec(path, fds[1]);
	}
	close(fds[1]);
	e = read_all(fds[0], buf, max, len);
	close(fds[0]);
	while (waitpid(pid, &w, 0) < 0) {
		if (errno != EINTR) {
			return errno;
		}
	}
	*status = WIFEXITED(w) ? WEXITSTATUS(w) : -1;
	return e;
}

int
coso_qr_read(
    const uint8_t *img, size_t ilen, char *buf, size_t max, size_t *len)
{
	const char *tmp = getenv("TMPDIR");
	char path[4096];
	int fd, e = 0, status = -1;

	snprintf(path, sizeof(path), "%s/coso-qr.XXXXXX",
	    tmp != NULL && tmp[0] == '/' ? tmp : "/tmp");
	if ((fd = mkstemp(path)) < 0) {
		return COSO_EIO;
	}
	if (ilen > 0 && write(fd, img, ilen) != (ssize_t) ilen) {
		e = EIO;
	}
	close(fd);
	if (e == 0) {
		e = coso_qr_scan(path, buf, max, len, &status);
	}
	unlink(path);
	if (e != 0 || status == 127 || status < 0) {
		return COSO_EIO;
	}
	if (status != 0 || *len > max) {
		return COSO_ENOENT; /* no code, or not an image it reads */
	}
	return COSO_OK;
}
