/*
 * kill_writes.c: SIGKILL `coso visit add` at random moments, hundreds of
 * times, then prove the store lost and half-wrote nothing.
 *
 *   kill_writes COSO_BINARY ATTEMPTS SEED
 *
 * Every write has a unique purpose text.  A write whose process exited 0
 * must be in the store exactly once; a killed one at most once.  Each
 * stored visit must have exactly one outbox change-set and one proposal,
 * the outbox must be seq 1..n with the chain head at n, `coso log` must
 * verify the whole chain, and PRAGMA integrity_check must say ok.
 */
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

extern char **environ;

static const char *coso;
static char dir[64];
static int failures;

#define CHECK(cond, ...)                                                    \
	do {                                                                \
		if (!(cond)) {                                              \
			failures++;                                         \
			fprintf(stderr, "kill_writes: FAIL: " __VA_ARGS__); \
			fputc('\n', stderr);                                \
		}                                                           \
	} while (0)

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static pid_t
spawn(char *const argv[])
{
	posix_spawn_file_actions_t fa;
	pid_t pid;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) != 0) {
		perror("posix_spawn");
		exit(2);
	}
	posix_spawn_file_actions_destroy(&fa);
	return pid;
}

/* Runs argv to the end; its exit status, or -1 if it did not exit. */
static int
run(char *const argv[])
{
	int status;

	if (waitpid(spawn(argv), &status, 0) < 0 || !WIFEXITED(status)) {
		return -1;
	}
	return WEXITSTATUS(status);
}

/* Starts write i; kills it after delay seconds unless delay < 0.
 * Returns 1 if it exited 0, 0 otherwise. */
static int
attempt(int i, double delay)
{
	char purpose[64], proposal[64];
	char *argv[] = {(char *) coso, "--store", dir, "visit", "add",
	    "--unit", "06043", "--date", "2025-11-20", "--purpose", purpose,
	    "--proposal", proposal, NULL};
	struct timespec ts;
	int status;
	pid_t pid;

	snprintf(purpose, sizeof(purpose), "kill-test %d", i);
	snprintf(proposal, sizeof(proposal), "đề xuất %d", i);
	pid = spawn(argv);
	if (delay >= 0) {
		ts.tv_sec  = (time_t) delay;
		ts.tv_nsec = (long) ((delay - (double) ts.tv_sec) * 1e9);
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
	}
	if (waitpid(pid, &status, 0) != pid) {
		return 0;
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static long
scalar(sqlite3 *db, const char *sql, int bind)
{
	sqlite3_stmt *st = NULL;
	long v           = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (bind >= 0) {
			char p[64];
			snprintf(p, sizeof(p), "kill-test %d", bind);
			sqlite3_bind_text(st, 1, p, -1, SQLITE_TRANSIENT);
		}
		if (sqlite3_step(st) == SQLITE_ROW) {
			v = sqlite3_column_int64(st, 0);
		}
	}
	sqlite3_finalize(st);
	return v;
}

/* Everything the store must satisfy after the kills. */
static void
check_store(const char *completed, int n)
{
	char path[128], *integrity = NULL;
	sqlite3_stmt *st = NULL;
	sqlite3 *db      = NULL;
	long visits;
	int i;

	snprintf(path, sizeof(path), "%s/store.db", dir);
	CHECK(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == 0,
	    "cannot open the store");
	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL)
	        == SQLITE_OK
	    && sqlite3_step(st) == SQLITE_ROW) {
		integrity = strdup((const char *) sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	CHECK(integrity != NULL && strcmp(integrity, "ok") == 0,
	    "integrity_check: %s", integrity ? integrity : "(none)");
	free(integrity);
	for (i = 0; i < n; i++) {
		long c = scalar(
		    db, "SELECT count(*) FROM visits WHERE purpose = ?", i);
		CHECK(completed[i] ? c == 1 : c <= 1,
		    "write %d (%s) stored %ld times", i,
		    completed[i] ? "completed" : "killed", c);
	}
	visits = scalar(db, "SELECT count(*) FROM visits", -1);
	CHECK(scalar(db, "SELECT count(*) FROM outbox", -1) == visits,
	    "outbox and visits differ");
	CHECK(scalar(db,
	          "SELECT count(*) FROM visits v WHERE NOT EXISTS "
	          "(SELECT 1 FROM outbox o WHERE o.seq = v.seq)",
	          -1)
	        == 0,
	    "a visit has no change-set");
	CHECK(scalar(db,
	          "SELECT count(*) FROM proposals p JOIN visits v ON "
	          "v.id = p.source",
	          -1)
	        == visits,
	    "proposals and visits differ");
	CHECK(scalar(db, "SELECT count(*) FROM proposals", -1) == visits,
	    "orphan proposals");
	CHECK(scalar(db,
	          "SELECT coalesce(max(seq), 0) = count(*) AND "
	          "coalesce(min(seq), 1) = 1 FROM outbox",
	          -1)
	        == 1,
	    "outbox seqs are not 1..n");
	CHECK(scalar(db, "SELECT seq FROM chain", -1) == visits,
	    "chain head is not the last change-set");
	sqlite3_close(db);
	printf("kill_writes: %ld visits stored\n", visits);
}

int
main(int argc, char **argv)
{
	char units[128], cmd[300], *completed;
	int n, i, kills = 0, done = 0;
	double mean = 0, t0;
	FILE *f;

	if (argc != 4 || (n = atoi(argv[2])) <= 0) {
		fprintf(stderr, "usage: kill_writes COSO ATTEMPTS SEED\n");
		return 1;
	}
	coso = argv[1];
	srand((unsigned) atoi(argv[3]));
	snprintf(dir, sizeof(dir), "/tmp/coso-kill-XXXXXX");
	snprintf(units, sizeof(units), "%s.csv", mkdtemp(dir));
	if ((f = fopen(units, "w")) == NULL) {
		return 2;
	}
	fputs("code,name,level,parent_code,valid_from\n"
	      "06043,Xã Đào Viên,commune,,2020-01-01\n",
	    f);
	fclose(f);
	{
		char *init[] = {(char *) coso, "--store", dir, "init",
		    "--cadre", "cb-kill", "--name", "Kiểm thử", NULL};
		char *imp[]  = {(char *) coso, "--store", dir, "units",
		     "import", units, NULL};
		if (run(init) != 0 || run(imp) != 0) {
			fprintf(
			    stderr, "kill_writes: cannot set up the store\n");
			return 2;
		}
	}
	completed = calloc((size_t) n + 1, 1);
	/* The mean duration of one write, to spread the kills over it. */
	for (i = 0; i < 10; i++) {
		t0           = now_s();
		completed[i] = (char) attempt(i, -1);
		mean += (now_s() - t0) / 10;
	}
	for (i = 10; i < n; i++) {
		int kill_it  = i % 4 != 0;
		double d     = kill_it ? mean * 1.5 * rand() / RAND_MAX : -1;
		completed[i] = (char) attempt(i, d);
		kills += kill_it;
	}
	for (i = 0; i < n; i++) {
		done += completed[i];
	}
	check_store(completed, n);
	{
		char *log[] = {(char *) coso, "--store", dir, "log", NULL};
		CHECK(run(log) == 0, "coso log does not verify the chain");
		CHECK(attempt(n, -1) == 1, "the store takes no new write");
	}
	printf("kill_writes: seed %s\n", argv[3]);
	printf("kill_writes: %d attempts, %d SIGKILLs (mean write %.2f ms), "
	       "%d completed\n",
	    n, kills, mean * 1000, done);
	printf("kill: %d passed, %d failed\n", failures == 0, failures != 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s %s.csv", dir, dir);
	if (system(cmd) != 0) {
		failures++;
	}
	free(completed);
	return failures == 0 ? 0 : 1;
}
