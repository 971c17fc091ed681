/*
 * bench_report.c: the compliance report at province scale.
 *
 *   bench_report BUILD FRAGMENT [VISITS]
 *
 * Builds (once; kept in BUILD/bench-report-VISITS) a central database
 * through the central's own merge code: a province of 11 districts, 200
 * communes and 2,000 villages; 5,000 cadres, each in charge of one
 * village for 2025; VISITS visits in 2025 (default 1,000,000; 100 per
 * change-set, one in 50 with a proposal) and one report per cadre and
 * quarter (20,000, one change-set each, on time, late, sent late because
 * offline or missing in turn).  Then measures:
 *
 *   report_compliance_seconds  `report compliance --period 2025` (every
 *                              unit and cadre), median of 3; target 2 s;
 *                              baseline: SELECT count(*) FROM visits in
 *                              the same run.
 *   visits_count_scan_seconds  that baseline itself.
 *
 * And each console view (views.h) for the province-year 2025, median of
 * 3: view_V_json_seconds (its JSON text, as GET /api/v1/views/V
 * makes it) against the count baseline; view_V_json_vs_cli (the same
 * time against `cosod central report V --format json', the whole
 * program, in the same run); view_overview_json_bytes (the overview
 * page's JSON against the compliance report's JSON).
 */
#include <inttypes.h>
#include <sys/stat.h>

#include <sodium.h>

#include <coso/proto.h>

#include "../daemon/central/report/report.h"
#include "../daemon/central/report/report_out.h"
#include "../daemon/central/report/views.h"
#include "bench_central.h"

#define CADRES    5000
#define VILLAGES  2000
#define COMMUNES  200
#define DISTRICTS 11
#define PER_CS    100                     /* visits per change-set */
#define GROUP     200                     /* change-sets per transaction */
#define T0        UINT64_C(1735689600000) /* 01/01/2025 00:00 UTC */
#define DAY_MS    UINT64_C(86400000)
#define RUNS      3

static struct coso_key *
key_of(uint32_t n)
{
	return bench_key(n, 0x7e);
}

static void
unit_op(struct coso_body *b, const char *code, const char *name, int level,
    const char *parent)
{
	uint8_t row[16];

	coso_uuid_named(row, "unit", code);
	bench_must(coso_body_op(b, COSO_T_UNIT, row, COSO_UPSERT), "op");
	bench_text(b, COSO_F_UNIT_CODE, code);
	bench_text(b, COSO_F_UNIT_NAME, name);
	bench_must(coso_body_int(b, COSO_F_UNIT_LEVEL, level), "int");
	if (parent != NULL) {
		bench_text(b, COSO_F_UNIT_PARENT, parent);
	}
	bench_must(coso_body_int(b, COSO_F_UNIT_VALID_FROM, 20200101), "int");
}

/* Units, then cadres and their assignments, 250 ops per change-set. */
static void
province(const struct merge_ctx *m, struct bench_dev *admin)
{
	struct coso_body *b = NULL;
	char code[32], parent[32], name[64];
	uint8_t row[16];
	int i, n = 0;

	bench_must(coso_body_new(&b), "body");
	unit_op(b, "20", "Tỉnh Lạng Sơn", 1, NULL);
	for (i = 0; i < DISTRICTS + COMMUNES + VILLAGES; i++) {
		if (i < DISTRICTS) {
			snprintf(code, sizeof(code), "D%02d", i);
			snprintf(name, sizeof(name), "Huyện %d", i);
			unit_op(b, code, name, 2, "20");
		} else if (i < DISTRICTS + COMMUNES) {
			snprintf(code, sizeof(code), "X%03d", i - DISTRICTS);
			snprintf(parent, sizeof(parent), "D%02d",
			    (i - DISTRICTS) % DISTRICTS);
			snprintf(name, sizeof(name), "Xã %d", i - DISTRICTS);
			unit_op(b, code, name, 3, parent);
		} else {
			int v = i - DISTRICTS - COMMUNES;

			snprintf(code, sizeof(code), "T%04d", v);
			snprintf(
			    parent, sizeof(parent), "X%03d", v % COMMUNES);
			snprintf(name, sizeof(name), "Thôn %d", v);
			unit_op(b, code, name, 4, parent);
		}
		if (++n % 250 == 0) {
			bench_push(m, admin, b, T0, T0);
		}
	}
	bench_push(m, admin, b, T0, T0);
	for (i = 0; i < CADRES; i++) {
		snprintf(code, sizeof(code), "cb-%04d", i);
		snprintf(name, sizeof(name), "Cán bộ %d", i);
		coso_uuid_named(row, "cadre", code);
		bench_must(
		    coso_body_op(b, COSO_T_CADRE, row, COSO_UPSERT), "op");
		bench_text(b, COSO_F_CADRE_CADRE_ID, code);
		bench_text(b, COSO_F_CADRE_NAME, name);
		coso_uuid7(row, T0 + (uint64_t) i);
		bench_must(
		    coso_body_op(b, COSO_T_ASSIGNMENT, row, COSO_UPSERT),
		    "op");
		bench_text(b, COSO_F_ASSIGNMENT_CADRE_ID, code);
		snprintf(code, sizeof(code), "T%04d", i % VILLAGES);
		bench_text(b, COSO_F_ASSIGNMENT_UNIT, code);
		bench_must(coso_body_int(b, COSO_F_ASSIGNMENT_ROLE, 1), "int");
		bench_must(
		    coso_body_int(b, COSO_F_ASSIGNMENT_VALID_FROM, 20250101),
		    "int");
		if (i % 125 == 124) {
			bench_push(m, admin, b, T0, T0);
		}
	}
	coso_body_free(b);
}

static void
setup(struct central_store *s, struct coso_key *central,
    struct bench_dev *admin, struct bench_dev *devs)
{
	struct merge_ctx m = {s, central};

	bench_must(cstore_begin(s), "begin");
	bench_central_init(&m, admin, "bench.coso/report", T0);
	province(&m, admin);
	bench_enroll(&m, devs, CADRES, T0);
	bench_must(cstore_commit(s), "commit");
}

static int32_t
date_of(uint64_t ms)
{
	return coso_date_of_ms(ms);
}

/* n visits, spread over 2025, PER_CS per change-set of one cadre. */
static void
visits(struct central_store *s, struct coso_key *central,
    struct bench_dev *devs, uint64_t n)
{
	struct merge_ctx m  = {s, central};
	struct coso_body *b = NULL;
	uint8_t row[16], prow[16];
	char unit[16];
	uint64_t i, cs = 0;
	int c = 0;

	bench_must(coso_body_new(&b), "body");
	for (i = 0; i < n; i++) {
		uint64_t ms = T0 + (i * 364 / n) * DAY_MS + 3600000;

		if (i % PER_CS == 0) {
			c = (int) (cs % CADRES);
			if (cs % GROUP == 0) {
				bench_must(cstore_begin(s), "begin");
			}
		}
		snprintf(unit, sizeof(unit), "T%04d", c % VILLAGES);
		coso_uuid7(row, ms);
		bench_must(
		    coso_body_op(b, COSO_T_VISIT, row, COSO_UPSERT), "op");
		bench_text(b, COSO_F_VISIT_UNIT, unit);
		bench_must(
		    coso_body_int(b, COSO_F_VISIT_DATE, date_of(ms)), "int");
		bench_text(b, COSO_F_VISIT_PURPOSE,
		    "Thăm hộ gia đình, nắm tình hình sản xuất");
		if (i % 50 == 0) {
			coso_uuid7(prow, ms);
			bench_must(coso_body_op(
			               b, COSO_T_PROPOSAL, prow, COSO_UPSERT),
			    "op");
			bench_must(coso_body_bytes(
			               b, COSO_F_PROPOSAL_SOURCE, row, 16),
			    "bytes");
			bench_text(b, COSO_F_PROPOSAL_UNIT, unit);
			bench_text(b, COSO_F_PROPOSAL_TEXT,
			    "Đề nghị hỗ trợ giống cây trồng");
			bench_must(coso_body_int(
			               b, COSO_F_PROPOSAL_DATE, date_of(ms)),
			    "int");
		}
		if (i % PER_CS == PER_CS - 1 || i == n - 1) {
			bench_push(&m, &devs[c], b, ms, ms + 60000);
			if (++cs % GROUP == 0 || i == n - 1) {
				bench_must(cstore_commit(s), "commit");
				fprintf(stderr,
				    "\rbench_report: %" PRIu64 " / %" PRIu64
				    " visits",
				    i + 1, n);
			}
		}
	}
	fputc('\n', stderr);
	coso_body_free(b);
}

/* 09:00 Vietnam time on date. */
static uint64_t
ms_of(int32_t date)
{
	return T0 + (uint64_t) coso_date_diff(20250101, date) * DAY_MS
	    + 2 * 3600000;
}

/* One report per cadre and quarter: on time, late, offline late or
 * none, in turn. */
static void
reports(
    struct central_store *s, struct coso_key *central, struct bench_dev *devs)
{
	static const int32_t due[] = {20250410, 20250710, 20251010, 20260110};
	struct merge_ctx m         = {s, central};
	struct coso_body *b        = NULL;
	uint8_t row[16];
	char unit[16], period[16];
	int i, q, kind, n = 0;

	bench_must(coso_body_new(&b), "body");
	bench_must(cstore_begin(s), "begin");
	for (i = 0; i < CADRES; i++) {
		for (q = 0; q < 4; q++) {
			/* kind 0: signed and received 2 days before the due
			 * date; 1: signed a day after, received 3 days after;
			 * 2: signed the day before, received 6 days after. */
			int32_t sign, recv;

			if ((kind = (i + q) % 4) == 3) {
				continue;
			}
			sign = coso_date_add(due[q],
			    kind == 0       ? -2
			        : kind == 1 ? 1
			                    : -1);
			recv = coso_date_add(due[q],
			    kind == 0       ? -2
			        : kind == 1 ? 3
			                    : 6);
			snprintf(unit, sizeof(unit), "T%04d", i % VILLAGES);
			snprintf(period, sizeof(period), "2025-Q%d", q + 1);
			coso_uuid7(row, ms_of(sign));
			bench_must(
			    coso_body_op(b, COSO_T_REPORT, row, COSO_UPSERT),
			    "op");
			bench_text(b, COSO_F_REPORT_UNIT, unit);
			bench_text(b, COSO_F_REPORT_PERIOD, period);
			bench_text(b, COSO_F_REPORT_RESULTS,
			    "Hoàn thành nhiệm vụ được giao");
			bench_text(
			    b, COSO_F_REPORT_SITUATION, "Tình hình ổn định");
			bench_text(b, COSO_F_REPORT_DIFFICULTIES,
			    i % 5 ? "Thiếu vốn sản xuất" : "");
			bench_text(
			    b, COSO_F_REPORT_PROPOSALS, "Đề nghị hỗ trợ");
			bench_must(
			    coso_body_int(b, COSO_F_REPORT_SUBMITTED, sign),
			    "int");
			bench_push(&m, &devs[i], b, ms_of(sign), ms_of(recv));
			if (++n % 2000 == 0) {
				bench_must(cstore_commit(s), "commit");
				bench_must(cstore_begin(s), "begin");
			}
		}
	}
	bench_must(cstore_commit(s), "commit");
	coso_body_free(b);
}

static void
build_db(const char *dir, uint64_t n)
{
	char db[600], done[512], err[CSTORE_ERRMSG_MAX];
	struct coso_key *central = key_of(0xC0000000u);
	struct bench_dev admin   = {0}, *devs;
	struct central_store *s  = NULL;
	FILE *f;
	int i;

	snprintf(done, sizeof(done), "%s/built", dir);
	if (access(done, F_OK) == 0) {
		coso_key_free(central);
		return;
	}
	snprintf(db, sizeof(db), "rm -rf %s && mkdir -p %s", dir, dir);
	if (system(db) != 0) {
		bench_die("cannot make %s", dir);
	}
	snprintf(db, sizeof(db), "%s/central.db", dir);
	admin.key = key_of(0xAD000000u);
	coso_key_id(admin.key, admin.id);
	if ((devs = calloc(CADRES, sizeof(*devs))) == NULL) {
		bench_die("out of memory");
	}
	for (i = 0; i < CADRES; i++) {
		devs[i].key = key_of((uint32_t) i);
		coso_key_id(devs[i].key, devs[i].id);
	}
	if (cstore_create(&s, db, err) != COSO_OK) {
		bench_die("%s", err);
	}
	setup(s, central, &admin, devs);
	visits(s, central, devs, n);
	reports(s, central, devs);
	cstore_close(s);
	for (i = 0; i < CADRES; i++) {
		coso_key_free(devs[i].key);
	}
	free(devs);
	coso_key_free(central);
	coso_key_free(admin.key);
	if ((f = fopen(done, "w")) == NULL || fclose(f) != 0) {
		bench_die("cannot write %s", done);
	}
}

static double
count_scan(const char *db, uint64_t *n)
{
	sqlite3 *h       = NULL;
	sqlite3_stmt *st = NULL;
	double t0;

	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK
	    || sqlite3_prepare_v2(
	           h, "SELECT count(*) FROM visits", -1, &st, NULL)
	        != SQLITE_OK) {
		bench_die("cannot read %s", db);
	}
	t0 = bench_now();
	if (sqlite3_step(st) != SQLITE_ROW) {
		bench_die("count");
	}
	*n = (uint64_t) sqlite3_column_int64(st, 0);
	t0 = bench_now() - t0;
	sqlite3_finalize(st);
	sqlite3_close(h);
	return t0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *) a, y = *(const double *) b;

	return x < y ? -1 : x > y;
}

/* The view's JSON text, as the HTTP API makes it; its length. */
static double
view_time(struct cstore_report_db *rdb, enum view_kind k, size_t *bytes)
{
	struct view_args a
	    = {.period = "2025", .today = 20251127, .status = -1};
	char err[REPORT_ERRMSG_MAX], *text;
	json_t *doc = NULL;
	double t0   = bench_now();

	if (view_json(rdb, k, &a, &doc, err) != COSO_OK
	    || (text = report_json_text(doc)) == NULL) {
		bench_die("view %s: %s", view_name(k), err);
	}
	t0     = bench_now() - t0;
	*bytes = strlen(text);
	free(text);
	json_decref(doc);
	return t0;
}

/* `cosod central report V --format json' to /dev/null. */
static double
cli_time(const char *build, const char *db, enum view_kind k)
{
	char cosod[512];
	char *argv[] = {cosod, "central", "report", (char *) view_name(k),
	    "--db", (char *) db, "--period", "2025", "--today", "27/11/2025",
	    "--format", "json", NULL};
	double t0;

	snprintf(cosod, sizeof(cosod), "%s/cosod", build);
	t0 = bench_now();
	bench_run(argv, NULL);
	return bench_now() - t0;
}

static double
median(double *t)
{
	qsort(t, RUNS, sizeof(t[0]), cmp_double);
	return t[RUNS / 2];
}

static void
views(FILE *out, struct cstore_report_db *rdb, const char *build,
    const char *db, double scan, size_t comp_bytes)
{
	double tj[RUNS], tc[RUNS], j, c;
	char name[64];
	size_t bytes = 0;
	int k, i;

	for (k = 0; k < VIEW_COUNT; k++) {
		for (i = 0; i < RUNS; i++) {
			tj[i] = view_time(rdb, (enum view_kind) k, &bytes);
			tc[i] = cli_time(build, db, (enum view_kind) k);
		}
		j = median(tj);
		c = median(tc);
		snprintf(name, sizeof(name), "view_%s_json_seconds",
		    view_name((enum view_kind) k));
		bench_metric(out, name, j, "s", scan);
		snprintf(name, sizeof(name), "view_%s_json_vs_cli",
		    view_name((enum view_kind) k));
		bench_metric(out, name, j, "s", c);
		if (k == VIEW_OVERVIEW) {
			bench_metric(out, "view_overview_json_bytes",
			    (double) bytes, "bytes", (double) comp_bytes);
		}
	}
}

int
main(int argc, char **argv)
{
	uint64_t n = argc > 3 ? strtoull(argv[3], NULL, 10) : 1000000, nv;
	char dir[128], db[512], err[REPORT_ERRMSG_MAX];
	struct cstore_report_db *rdb = NULL;
	struct report_compliance *r  = NULL;
	size_t comp_bytes            = 0;
	double t[RUNS], scan;
	char *text;
	FILE *out;
	int i;

	if (argc < 3 || n < PER_CS || sodium_init() < 0) {
		bench_die("usage: bench_report BUILD FRAGMENT [VISITS]");
	}
	snprintf(dir, sizeof(dir), "%s/bench-report-%" PRIu64, argv[1], n);
	build_db(dir, n);
	snprintf(db, sizeof(db), "%s/central.db", dir);
	if (cstore_report_indexes(db, err) != COSO_OK
	    || cstore_report_open(&rdb, db, err) != COSO_OK) {
		bench_die("%s", err);
	}
	scan = count_scan(db, &nv);
	for (i = 0; i < RUNS; i++) {
		double t0 = bench_now();

		if (report_compliance(rdb, "2025", NULL, 20251127, &r, err)
		    != COSO_OK) {
			bench_die("%s", err);
		}
		t[i] = bench_now() - t0;
		if (i == 0) {
			printf("bench_report: %" PRIu64 " visits, %" PRIu64
			       " reports expected, %" PRIu64 " received, %zu "
			       "units, %zu cadres\n",
			    nv, r->total.expected, r->total.received,
			    r->nunits, r->ncadres);
			json_t *doc = report_compliance_json(r);

			if (doc == NULL
			    || (text = report_json_text(doc)) == NULL) {
				bench_die("compliance JSON");
			}
			comp_bytes = strlen(text);
			free(text);
			json_decref(doc);
		}
		report_compliance_free(r);
	}
	qsort(t, RUNS, sizeof(t[0]), cmp_double);
	if ((out = fopen(argv[2], "w")) == NULL) {
		bench_die("cannot write %s", argv[2]);
	}
	bench_metric(out, "report_compliance_seconds", t[RUNS / 2], "s", scan);
	bench_metric(out, "visits_count_scan_seconds", scan, "s", scan);
	views(out, rdb, argv[1], db, scan, comp_bytes);
	cstore_report_close(rdb);
	fclose(out);
	if (t[RUNS / 2] > 2.0) {
		fprintf(stderr, "bench_report: over the 2 s target\n");
	}
	return 0;
}
