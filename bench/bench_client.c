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
 *                       baseline: spawning `coso --help`.
 */
#include <sodium.h>
#include <sqlite3.h>

#include <coso/client.h>

#include "bench_common.h"

#define N_DURABLE 1500
#define N_SIGN    20000
#define N_PROCESS 1000

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

/* Median and p99 in ms of n runs of argv. */
static void
process_times(char *const argv[], double *p50, double *p99)
{
	double *t = malloc(N_PROCESS * sizeof(double));
	int i;

	if (t == NULL) {
		bench_die("out of memory");
	}
	for (i = 0; i < N_PROCESS; i++) {
		t[i] = run_once(argv) * 1000.0;
	}
	qsort(t, N_PROCESS, sizeof(double), cmp_double);
	*p50 = t[N_PROCESS / 2];
	*p99 = t[N_PROCESS * 99 / 100];
	free(t);
}

int
main(int argc, char **argv)
{
	char dir[] = "/tmp/coso-bench-XXXXXX", sdir[300], cmd[400];
	double raw, sign, inproc, p50, p99, b50, b99;
	FILE *f;

	if (argc != 3 || sodium_init() < 0 || mkdtemp(dir) == NULL) {
		bench_die("usage: bench_client COSO_BINARY FRAGMENT");
	}
	raw  = bench_raw_durable_rate(dir, N_DURABLE);
	sign = sign_rate();
	snprintf(sdir, sizeof(sdir), "%s/inproc", dir);
	inproc = inproc_rate(sdir);
	snprintf(sdir, sizeof(sdir), "%s/process", dir);
	coso_store_close(bench_store(sdir));
	{
		char *visit[] = {argv[1], "--store", sdir, "visit", "add",
		    "--unit", "06043", "--date", "2025-11-20", "--purpose",
		    "Kiểm tra tiến độ làm đường bê tông Thôn 1", "--situation",
		    "Thôn 1 đã đổ xong 600 m mặt đường, còn 200 m chưa làm.",
		    "--difficulties", "Thiếu xi măng, mùa mưa đến sớm.",
		    "--proposal", "Đề nghị hỗ trợ 20 tấn xi măng.", NULL};
		char *help[]  = {argv[1], "--help", NULL};
		process_times(help, &b50, &b99);
		process_times(visit, &p50, &p99);
	}
	if ((f = fopen(argv[2], "w")) == NULL) {
		bench_die("cannot write the results");
	}
	bench_metric(f, "visit_inproc_rate", inproc, "visits/s", raw);
	bench_metric(f, "raw_durable_commit_rate", raw, "commits/s", raw);
	bench_metric(f, "sign_rate", sign, "signatures/s", sign);
	bench_metric(f, "visit_process_p50", p50, "ms", b50);
	bench_metric(f, "visit_process_p99", p99, "ms", b99);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : 2;
}
