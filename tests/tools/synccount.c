/*
 * synccount.c: an LD_PRELOAD library that counts a process's calls to
 * fsync, fdatasync, syncfs and sync_file_range.
 *
 *   COSO_SYNCCOUNT=FILE LD_PRELOAD=build/synccount.so coso ...
 *
 * At exit the process appends one line to FILE: "fsync fdatasync syncfs
 * sync_file_range", each a count of calls that reached the kernel
 * (successful or not).  A process killed before its exit writes
 * nothing.  Calls made from inside libc itself are not seen; SQLite
 * calls fsync and fdatasync through its own link to libc, so each of
 * its syncs is.  Used by tests/cli/test_syncs.sh and bench_client.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static unsigned long n_fsync, n_fdatasync, n_syncfs, n_range;

/* The next definition of name (libc's). */
static void *
next(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);

	if (f == NULL) {
		abort();
	}
	return f;
}

int
fsync(int fd)
{
	static int (*real)(int);

	if (real == NULL) {
		*(void **) &real = next("fsync");
	}
	__atomic_add_fetch(&n_fsync, 1, __ATOMIC_RELAXED);
	return real(fd);
}

int
fdatasync(int fd)
{
	static int (*real)(int);

	if (real == NULL) {
		*(void **) &real = next("fdatasync");
	}
	__atomic_add_fetch(&n_fdatasync, 1, __ATOMIC_RELAXED);
	return real(fd);
}

int
syncfs(int fd)
{
	static int (*real)(int);

	if (real == NULL) {
		*(void **) &real = next("syncfs");
	}
	__atomic_add_fetch(&n_syncfs, 1, __ATOMIC_RELAXED);
	return real(fd);
}

int
sync_file_range(int fd, off64_t off, off64_t n, unsigned int flags)
{
	static int (*real)(int, off64_t, off64_t, unsigned int);

	if (real == NULL) {
		*(void **) &real = next("sync_file_range");
	}
	__atomic_add_fetch(&n_range, 1, __ATOMIC_RELAXED);
	return real(fd, off, n, flags);
}

/* One write of one line, O_APPEND: lines of processes running at once
 * do not mix. */
__attribute__((destructor)) static void
report(void)
{
	const char *path = getenv("COSO_SYNCCOUNT");
	char line[128];
	int fd, n;

	if (path == NULL || path[0] == 0) {
		return;
	}
	n  = snprintf(line, sizeof(line), "%lu %lu %lu %lu\n", n_fsync,
	     n_fdatasync, n_syncfs, n_range);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0) {
		if (write(fd, line, (size_t) n) != n) {
			/* Nothing to tell: the test sees the line missing. */
		}
		close(fd);
	}
}
