/*
 * bench_client.c: the field client's recording speed, with its baselines
 * measured in the same run.
 *
 *   bench_client COSO_BINARY FRAGMENT
 *
 * Appends one line per metric to FRAGMENT (bench/assemble.sh joins the
 * fragments of every benchmark into bench/results.json).
 *
 * Metrics (each {"value", "unit", "baseline", "ratio"}):
 *   visit_inproc_rate   visits/s through coso_visit_add, one durable
 *                       transaction each; baseline: raw SQLite durable
 *                       insert+commit of a row of the same size.
 *   sign_rate           Ed25519 signatures/s over a visit-sized message
 *                       (the baseline is the same number: signing is a
 *                       part of each write, shown for scale).
 *   visit_process_p50/p99  ms from spawning `coso visit add` to its exit
 *                       after the durable commit, over 1,000 runs;
 *                       baseline: spawning `coso --help`, each run of it
 *                       next to one of the visit's (both see the same
 *                       load).
 *   visit_syncs_mean/max   fsync + fdatasync calls per `coso visit add`
 *                       process over N_SYNCS runs (build/synccount.so,
 *                       LD_PRELOAD, beside COSO_BINARY); baseline: a
 *                       process that opens an SQLite database in WAL
 *                       mode with synchronous = FULL and SQLite's
 *                       default VFS and close, inserts one row, closes.
 *
 *   bench_client --raw-commit DB   is that baseline process.
 */
#include <sodium.h>
#include <sqlite3.h>

#include <coso/client.h>

#include "bench_common.h"

#define N_DURABLE 1500
#define N_SIGN    20000
#define N_PROCESS 1000
#define N_SYNCS   200

static const char units_csv[] = "code,name,level,parent_code,valid_from\n"
                                "20,Tỉnh Lạng Sơn,province,,2020-01-01\n"
                                "06043,Xã Đào Viên,commune,20,2020-01-01\n";

static double
sign_rate(void)
{
	struct coso_key *key = NULL;
	uint8_t msg[600], sig[64];
	double t0;
	int i;

	if (coso_key_generate(&key) != COSO_OK) {
		bench_die("cannot make a key");
	}
	randombytes_buf(msg, sizeof(msg));
	t0 = bench_now();
	for (i = 0; i < N_SIGN; i++) {
		msg[0] = (uint8_t) i;
		coso_key_sign(key, sig, msg, sizeof(msg));
	}
	t0 = bench_now() - t0;
	coso_key_free(key);
	return N_SIGN / t0;
}

/* A standard visit: about 450 bytes of Vietnamese text. */
static void
standard_visit(struct coso_visit_in *v, int i, char *purpose, size_t n)
{
	static const char *props[]
	    = {"Đề nghị huyện hỗ trợ 20 tấn xi măng cho đường liên thôn."};

	snprintf(purpose, n, "Kiểm tra tiến độ làm đường bê tông lần %d", i);
	memset(v, 0, sizeof(*v));
	v->unit    = "06043";
	v->date    = 20251120;
	v->purpose = purpose;
	v->situation = "Thôn 1 đã đổ xong 600 m mặt đường, còn 200 m chưa "
	               "làm do thiếu vật liệu; bà con góp 120 ngày công.";
	v->difficulties = "Thiếu xi măng, mùa mưa đến sớm, đường trơn.";
	v->proposals  = props;
	v->nproposals = 1;
}

static struct coso_store *
bench_store(const char *dir)
{
	struct coso_init p = {.cadre_id = "bench", .name = "Cán bộ đo"};
	char err[COSO_ERRMSG_MAX];
	struct coso_store *s = NULL;
	size_t n;

	if (coso_store_init(dir, &p, NULL, err) != COSO_OK
	    || coso_store_open(&s, dir, NULL, 0, err) != COSO_OK
	    || coso_units_import(s, units_csv, sizeof(units_csv) - 1, &n)
	        != 0) {
		bench_die("%s", err);
	}
	return s;
}

static double
inproc_rate(const char *dir)
{
	struct coso_store *s = bench_store(dir);
	struct coso_visit_in v;
	char purpose[128];
	uint8_t id[16];
	double t0;
	int i;

	t0 = bench_now();
	for (i = 0; i < N_DURABLE; i++) {
		standard_visit(&v, i, purpose, sizeof(purpose));
		if (coso_visit_add(s, &v, id) != COSO_OK) {
			bench_die("%s", coso_store_errmsg(s));
		}
	}
	t0 = bench_now() - t0;
	coso_store_close(s);
	return N_DURABLE / t0;
}

/* Runs argv once; returns seconds. */
static double
run_once(char *const argv[])
{
	double t0 = bench_now();
	int status;

	if (waitpid(bench_spawn(argv, NULL), &status, 0) < 0
	    || !WIFEXITED(status)
	    || (WEXITSTATUS(status) != 0 && strcmp(argv[1], "--help") != 0)) {
		bench_die("coso failed during the benchmark");
	}
	return bench_now() - t0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *) a, y = *(const double *) b;

	return (x > y) - (x < y);
}

/* Median and p99 in ms of N_PROCESS runs of argv and of base, one of
 * each in turn. */
static void
process_times(char *const argv[], char *const base[], double p[2], double b[2])
{
	double *t = malloc(2 * N_PROCESS * sizeof(double)), *u;
	int i;

	if ((u = t) == NULL) {
		bench_die("out of memory");
	}
	u += N_PROCESS;
	for (i = 0; i < N_PROCESS; i++) {
		u[i] = run_once(base) * 1000.0;
		t[i] = run_once(argv) * 1000.0;
	}
	qsort(t, N_PROCESS, sizeof(double), cmp_double);
	qsort(u, N_PROCESS, sizeof(double), cmp_double);
	p[0] = t[N_PROCESS / 2];
	p[1] = t[N_PROCESS * 99 / 100];
	b[0] = u[N_PROCESS / 2];
	b[1] = u[N_PROCESS * 99 / 100];
	free(t);
}

/* The baseline process of visit_syncs: one row, WAL, FULL, SQLite's
 * defaults otherwise. */
static int
raw_commit(const char *path)
{
	sqlite3 *db = NULL;
	int rc;

	rc = sqlite3_open(path, &db) != SQLITE_OK
	    || sqlite3_exec(db,
	           "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	           "CREATE TABLE IF NOT EXISTS t (b BLOB);"
	           "INSERT INTO t VALUES (randomblob(600))",
	           NULL, NULL, NULL)
	        != SQLITE_OK;
	return sqlite3_close(db) != SQLITE_OK || rc ? 2 : 0;
}

/* Mean and most syncs of N_SYNCS runs of argv, each counted by
 * synccount.so into the file count. */
static void
sync_counts(char *const argv[], const char *so, const char *count,
    double *mean, double *max)
{
	unsigned long a, b, c, d, n = 0, sum = 0, most = 0;
	FILE *f;
	int i;

	if (access(so, R_OK) != 0 || setenv("LD_PRELOAD", so, 1) != 0
	    || setenv("COSO_SYNCCOUNT", count, 1) != 0) {
		bench_die("cannot use `%s' (make builds it)", so);
	}
	for (i = 0; i < N_SYNCS; i++) {
		(void) run_once(argv);
	}
	unsetenv("LD_PRELOAD");
	unsetenv("COSO_SYNCCOUNT");
	if ((f = fopen(count, "r")) == NULL) {
		bench_die("no sync counts in `%s'", count);
	}
	while (fscanf(f, "%lu %lu %lu %lu", &a, &b, &c, &d) == 4) {
		n++;
		sum += a + b + c + d;
		most = a + b + c + d > most ? a + b + c + d : most;
	}
	fclose(f);
	if (n != N_SYNCS) {
		bench_die("%lu sync counts for %d runs", n, N_SYNCS);
	}
	*mean = (double) sum / (double) n;
	*max  = (double) most;
}

int
main(int argc, char **argv)
{
	char dir[] = "/tmp/coso-bench-XXXXXX", sdir[300], cmd[400], so[4096],
	     count[2][320], raw_db[300];
	double raw, sign, inproc, p[2], b[2], sync[2], raw_sync[2];
	const char *slash;
	FILE *f;

	if (argc == 3 && strcmp(argv[1], "--raw-commit") == 0) {
		return raw_commit(argv[2]);
	}
	if (argc != 3 || sodium_init() < 0 || mkdtemp(dir) == NULL
	    || strlen(argv[1]) >= sizeof(so) - 16) {
		bench_die("usage: bench_client COSO_BINARY FRAGMENT");
	}
	/* synccount.so is built beside coso. */
	slash = strrchr(argv[1], '/');
	snprintf(so, sizeof(so), "%.*ssynccount.so",
	    slash ? (int) (slash - argv[1] + 1) : 0, argv[1]);
	raw  = bench_raw_durable_rate(dir, N_DURABLE);
	sign = sign_rate();
	snprintf(sdir, sizeof(sdir), "%s/inproc", dir);
	inproc = inproc_rate(sdir);
	snprintf(sdir, sizeof(sdir), "%s/process", dir);
	coso_store_close(bench_store(sdir));
	snprintf(count[0], sizeof(count[0]), "%s/syncs-visit", dir);
	snprintf(count[1], sizeof(count[1]), "%s/syncs-raw", dir);
	snprintf(raw_db, sizeof(raw_db), "%s/raw-process.db", dir);
	{
		char *visit[] = {argv[1], "--store", sdir, "visit", "add",
		    "--unit", "06043", "--date", "2025-11-20", "--purpose",
		    "Kiểm tra tiến độ làm đường bê tông Thôn 1", "--situation",
		    "Thôn 1 đã đổ xong 600 m mặt đường, còn 200 m chưa làm.",
		    "--difficulties", "Thiếu xi măng, mùa mưa đến sớm.",
		    "--proposal", "Đề nghị hỗ trợ 20 tấn xi măng.", NULL};
		char *help[]  = {argv[1], "--help", NULL};
		char *rawp[]
		    = {"/proc/self/exe", "--raw-commit", raw_db, NULL};
		process_times(visit, help, p, b);
		sync_counts(visit, so, count[0], &sync[0], &sync[1]);
		sync_counts(rawp, so, count[1], &raw_sync[0], &raw_sync[1]);
	}
	if ((f = fopen(argv[2], "w")) == NULL) {
		bench_die("cannot write the results");
	}
	bench_metric(f, "visit_inproc_rate", inproc, "visits/s", raw);
	bench_metric(f, "raw_durable_commit_rate", raw, "commits/s", raw);
	bench_metric(f, "sign_rate", sign, "signatures/s", sign);
	bench_metric(f, "visit_process_p50", p[0], "ms", b[0]);
	bench_metric(f, "visit_process_p99", p[1], "ms", b[1]);
	bench_metric(f, "visit_syncs_mean", sync[0], "syncs", raw_sync[0]);
	bench_metric(f, "visit_syncs_max", sync[1], "syncs", raw_sync[1]);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : 2;
}
