/*
 * bench_common.h: timing, processes and result lines shared by the
 * benchmark programs (bench only; everything static).
 */
#ifndef COSO_BENCH_COMMON_H
#define COSO_BENCH_COMMON_H

#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

extern char **environ;

static inline double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static inline void
bench_die(const char *fmt, ...)
{
	va_list ap;

	fputs("bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static inline void
bench_sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* Starts argv with stdout to out (NULL: /dev/null), stderr to /dev/null. */
static inline pid_t
bench_spawn(char *const argv[], const char *out)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, out ? out : "/dev/null",
	    O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) != 0) {
		bench_die("cannot run %s", argv[0]);
	}
	posix_spawn_file_actions_destroy(&fa);
	return pid;
}

/* Runs argv to completion; dies unless it exits 0. */
static inline void
bench_run(char *const argv[], const char *out)
{
	int status;

	if (waitpid(bench_spawn(argv, out), &status, 0) < 0
	    || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		bench_die("`%s %s %s %s' failed", argv[0], argv[1],
		    argv[2] ? argv[2] : "", argv[2] && argv[3] ? argv[3] : "");
	}
}

/* Appends one metric to the results fragment f and prints it. */
static inline void
bench_metric(
    FILE *f, const char *name, double value, const char *unit, double baseline)
{
	double ratio = baseline > 0 ? value / baseline : 0.0;

	fprintf(f,
	    "\"%s\": {\"value\": %.3f, \"unit\": \"%s\", \"baseline\": %.3f, "
	    "\"ratio\": %.3f}\n",
	    name, value, unit, baseline, ratio);
	printf("%-30s %12.3f %-14s baseline %12.3f  ratio %.3f\n", name, value,
	    unit, baseline, ratio);
	fflush(stdout);
}

/* Raw durable insert+commit of a 600-byte row, one transaction each. */
static inline double
bench_raw_durable_rate(const char *dir, int n)
{
	char path[256];
	sqlite3 *db;
	sqlite3_stmt *st;
	uint8_t row[600];
	double t0;
	int i;

	snprintf(path, sizeof(path), "%s/raw.db", dir);
	randombytes_buf(row, sizeof(row));
	if (sqlite3_open(path, &db) != SQLITE_OK
	    || sqlite3_exec(db,
	           "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	           "CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB)",
	           NULL, NULL, NULL)
	        != SQLITE_OK
	    || sqlite3_prepare_v2(
	           db, "INSERT INTO t (b) VALUES (?)", -1, &st, NULL)
	        != SQLITE_OK) {
		bench_die("cannot set up the raw SQLite baseline");
	}
	t0 = bench_now();
	for (i = 0; i < n; i++) {
		sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		sqlite3_bind_blob(st, 1, row, sizeof(row), SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			bench_die("raw insert failed");
		}
		sqlite3_reset(st);
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	}
	t0 = bench_now() - t0;
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n / t0;
}

#endif /* COSO_BENCH_COMMON_H */
