/*
 * test_files.c: small files.  The common writer (common/files.c) writes
 * every byte whatever the kernel takes per write() and leaves the old
 * file whole when it cannot; the central's secret key
 * (daemon/central/files.c) is used only when no one but its owner can get
 * at it.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include <coso/common.h>
#include <coso/proto.h>

#include "../../daemon/central/files.h"

#define PIPED (1u << 20)

static volatile sig_atomic_t alarms;

static void
on_alarm(int sig)
{
	(void) sig;
	alarms++;
}

struct drain {
	int fd;
	uint8_t *got;
	size_t len;
};

/* Reads the pipe slowly, in small pieces, so the writer blocks on a full
 * pipe and the timer interrupts it part-way. */
static void *
drain_pipe(void *arg)
{
	struct drain *d          = arg;
	const struct timespec ts = {0, 20000};
	ssize_t n;

	while (
	    d->len < PIPED && (n = read(d->fd, d->got + d->len, 4096)) != 0) {
		if (n > 0) {
			d->len += (size_t) n;
			nanosleep(&ts, NULL);
		}
	}
	return NULL;
}

/* A write interrupted by a signal after some bytes returns that count (a
 * short write), before any byte fails with EINTR: both are carried on
 * until every byte is through, in order. */
static void
test_write_all_short(void **state)
{
	struct sigaction sa = {.sa_handler = on_alarm}; /* no SA_RESTART */
	struct itimerval it = {{0, 200}, {0, 200}}, off = {{0, 0}, {0, 0}};
	struct drain d = {0};
	uint8_t *buf   = malloc(PIPED);
	sigset_t alrm;
	pthread_t t;
	int fds[2];
	size_t i;

	(void) state;
	assert_non_null(buf);
	assert_non_null(d.got = malloc(PIPED));
	for (i = 0; i < PIPED; i++) {
		buf[i] = (uint8_t) (i * 7 + i / 251);
	}
	assert_int_equal(pipe(fds), 0);
	d.fd = fds[0];
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	/* The reader inherits a mask without SIGALRM: only writes see it. */
	assert_int_equal(pthread_sigmask(SIG_BLOCK, &alrm, NULL), 0);
	assert_int_equal(pthread_create(&t, NULL, drain_pipe, &d), 0);
	assert_int_equal(pthread_sigmask(SIG_UNBLOCK, &alrm, NULL), 0);
	assert_int_equal(sigaction(SIGALRM, &sa, NULL), 0);
	assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
	assert_int_equal(coso_fd_write_all(fds[1], buf, PIPED), 0);
	assert_int_equal(setitimer(ITIMER_REAL, &off, NULL), 0);
	close(fds[1]);
	assert_int_equal(pthread_join(t, NULL), 0);
	close(fds[0]);
	assert_true(alarms > 0);
	assert_int_equal(d.len, PIPED);
	assert_memory_equal(d.got, buf, PIPED);
	free(d.got);
	free(buf);
}

/* The bytes of path, which must exist, compared with want. */
static void
assert_file(const char *path, const char *want)
{
	uint8_t *got = NULL;
	size_t len   = 0;

	assert_int_equal(coso_file_read(path, 1 << 20, &got, &len), 0);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(got, want, len);
	free(got);
}

/* A file size limit makes the kernel take only part of a write, then
 * refuse the rest (EFBIG): the write fails, the file it was to replace
 * keeps its bytes, and no temp file is left beside it. */
static void
test_write_over_limit(void **state)
{
	char dir[]              = "/tmp/coso-files-XXXXXX", path[64], cmd[64];
	static const char old[] = "the old contents\n";
	struct rlimit was, small = {100, 0};
	char big[4096];
	int n = 0;

	(void) state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/f", dir);
	assert_int_equal(coso_file_write(path, old, strlen(old), 0600), 0);
	assert_file(path, old);
	memset(big, 'x', sizeof(big));
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &was), 0);
	small.rlim_max = was.rlim_max;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	assert_int_equal(
	    coso_file_write(path, big, sizeof(big), 0600), COSO_ETOOBIG);
	assert_int_equal(errno, EFBIG);
	assert_int_equal(
	    coso_file_create(path, big, sizeof(big), 0600), COSO_ETOOBIG);
	assert_int_equal(errno, EFBIG);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &was), 0);
	assert_file(path, old);
	/* An existing file is never replaced by create. */
	assert_int_equal(coso_file_create(path, big, 10, 0600), COSO_EEXIST);
	assert_file(path, old);
	snprintf(cmd, sizeof(cmd), "test $(ls %s | wc -l) = 1", dir);
	n = system(cmd);
	assert_int_equal(n, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* A file over the reader's limit is refused, not cut. */
static void
test_read_limit(void **state)
{
	char dir[]   = "/tmp/coso-files-XXXXXX", path[64], cmd[64];
	uint8_t *got = NULL;
	size_t len   = 0;

	(void) state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/f", dir);
	assert_int_equal(coso_file_write(path, "12345", 5, 0644), 0);
	assert_int_equal(coso_file_read(path, 4, &got, &len), COSO_ETOOBIG);
	assert_null(got);
	assert_int_equal(coso_file_read(path, 5, &got, &len), 0);
	assert_int_equal(len, 5);
	assert_int_equal(got[5], 0);
	free(got);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* A central key beside dir/central.db with mode; its public key in pk. */
static void
write_key(const char *dir, unsigned mode, uint8_t pk[32])
{
	struct coso_key *k = NULL;
	char path[128], *text = NULL;
	FILE *f;

	assert_int_equal(coso_key_generate(&k), COSO_OK);
	assert_int_equal(coso_seckey_format(&text, k, NULL, 0), COSO_OK);
	coso_key_public(k, pk);
	snprintf(path, sizeof(path), "%s/central.db.key", dir);
	unlink(path);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, (mode_t) mode), 0);
	free(text);
	coso_key_free(k);
}

/* 0600 and 0400 are used; any bit for group or others refuses the key,
 * with a message naming the file, its mode and the remedy. */
static void
test_central_key_mode(void **state)
{
	static const unsigned open_modes[] = {0644, 0640, 0604, 0660, 0602};
	char dir[] = "/tmp/coso-files-XXXXXX", db[64], cmd[64];
	char err[FILES_ERRMSG_MAX], want[8];
	struct coso_key *k = NULL;
	uint8_t pk[32], got[32];
	size_t i;

	(void) state;
	assert_non_null(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/central.db", dir);
	write_key(dir, 0600, pk);
	assert_int_equal(files_central_key(db, &k, err), COSO_OK);
	coso_key_public(k, got);
	assert_memory_equal(got, pk, 32);
	coso_key_free(k);
	write_key(dir, 0400, pk);
	assert_int_equal(files_central_key(db, &k, err), COSO_OK);
	coso_key_free(k);
	for (i = 0; i < sizeof(open_modes) / sizeof(open_modes[0]); i++) {
		k = NULL;
		write_key(dir, open_modes[i], pk);
		assert_int_equal(files_central_key(db, &k, err), COSO_EIO);
		assert_null(k);
		snprintf(want, sizeof(want), "%04o", open_modes[i]);
		assert_non_null(strstr(err, want));
		assert_non_null(strstr(err, "central.db.key"));
		assert_non_null(strstr(err, "chmod 600"));
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* A finished file is put in place under its name, never over another
 * file: the one there and the finished one are both kept. */
static void
test_place(void **state)
{
	char dir[]   = "/tmp/coso-files-XXXXXX", tmp[64], path[64], cmd[64];
	uint8_t *got = NULL;
	size_t len   = 0;

	(void) state;
	assert_non_null(mkdtemp(dir));
	snprintf(tmp, sizeof(tmp), "%s/b.db.tmp", dir);
	snprintf(path, sizeof(path), "%s/b.db", dir);
	assert_int_equal(coso_file_write(tmp, "new", 3, 0600), COSO_OK);
	assert_int_equal(coso_file_place(tmp, path), COSO_OK);
	assert_int_equal(access(tmp, F_OK), -1);
	assert_int_equal(coso_file_read(path, 16, &got, &len), COSO_OK);
	assert_int_equal(len, 3);
	assert_memory_equal(got, "new", 3);
	free(got);
	assert_int_equal(coso_file_write(tmp, "newer", 5, 0600), COSO_OK);
	assert_int_equal(coso_file_place(tmp, path), COSO_EEXIST);
	assert_int_equal(coso_file_read(path, 16, &got, &len), COSO_OK);
	assert_int_equal(len, 3);
	free(got);
	assert_int_equal(coso_file_read(tmp, 16, &got, &len), COSO_OK);
	assert_int_equal(len, 5);
	free(got);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_write_all_short),
	    cmocka_unit_test(test_write_over_limit),
	    cmocka_unit_test(test_read_limit),
	    cmocka_unit_test(test_central_key_mode),
	    cmocka_unit_test(test_place),
	};

	if (sodium_init() < 0) {
		return 1;
	}
	return cmocka_run_group_tests_name("files", tests, NULL, NULL);
}
