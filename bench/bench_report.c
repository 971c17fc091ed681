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
 */
#include <inttypes.h>
#include <sys/stat.h>

#include <sodium.h>

#include <coso/proto.h>

#include "../daemon/central/central_store.h"
#include "../daemon/central/emit.h"
#include "../daemon/central/merge.h"
#include "../daemon/central/report.h"
#include "bench_common.h"

#define CADRES    5000
#define VILLAGES  2000
#define COMMUNES  200
#define DISTRICTS 11
#define PER_CS    100                     /* visits per change-set */
#define GROUP     200                     /* change-sets per transaction */
#define T0        UINT64_C(1735689600000) /* 01/01/2025 00:00 UTC */
#define DAY_MS    UINT64_C(86400000)
#define RUNS      3

struct dev {
	struct coso_key *key;
	uint8_t id[32], prev[32];
	uint64_t seq;
};

static void
must(int rv, const char *what)
{
	if (rv != COSO_OK) {
		bench_die("%s: %s", what, coso_strerror(rv));
	}
}

static struct coso_key *
key_of(uint32_t n)
{
	struct coso_key *k = NULL;
	uint8_t seed[32];

	memset(seed, 0, sizeof(seed));
	memcpy(seed, &n, sizeof(n));
	seed[31] = 0x7e;
	must(coso_key_from_seed(&k, seed), "key");
	return k;
}

/* Signs b as d's next change-set at ms and merges it, received at recv. */
static void
push(const struct merge_ctx *m, struct dev *d, struct coso_body *b,
    uint64_t ms, uint64_t recv)
{
	struct merge_in in = {.received_ms = recv};
	struct merge_out out;
	uint8_t *body = NULL, *cs = NULL;
	size_t blen, len;

	must(coso_body_encode(b, &body, &blen), "encode");
	d->seq++;
	must(coso_changeset_sign(&cs, &len, d->key, d->seq, d->prev,
	         (ms << 16) + (d->seq & 0xffff), body, blen),
	    "sign");
	coso_changeset_id(d->prev, cs, len);
	in.cs  = cs;
	in.len = len;
	memcpy(in.sender, d->id, 32);
	must(merge_changeset(m, &in, &out), "merge");
	if (out.verdict != COSO_VERDICT_ACCEPTED) {
		bench_die("change-set not accepted: %s",
		    merge_reason_name(out.reason));
	}
	free(body);
	free(cs);
	coso_body_reset(b);
}

static void
text(struct coso_body *b, uint32_t f, const char *s)
{
	must(coso_body_text(b, f, s, strlen(s)), "text");
}

static void
unit_op(struct coso_body *b, const char *code, const char *name, int level,
    const char *parent)
{
	uint8_t row[16];

	coso_uuid_named(row, "unit", code);
	must(coso_body_op(b, COSO_T_UNIT, row, COSO_UPSERT), "op");
	text(b, 1, code);
	text(b, 2, name);
	must(coso_body_int(b, 3, level), "int");
	if (parent != NULL) {
		text(b, 4, parent);
	}
	must(coso_body_int(b, 5, 20200101), "int");
}

/* Units, then cadres and their assignments, 250 ops per change-set. */
static void
province(const struct merge_ctx *m, struct dev *admin)
{
	struct coso_body *b = NULL;
	char code[32], parent[32], name[64];
	uint8_t row[16];
	int i, n = 0;

	must(coso_body_new(&b), "body");
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
			push(m, admin, b, T0, T0);
		}
	}
	push(m, admin, b, T0, T0);
	for (i = 0; i < CADRES; i++) {
		snprintf(code, sizeof(code), "cb-%04d", i);
		snprintf(name, sizeof(name), "Cán bộ %d", i);
		coso_uuid_named(row, "cadre", code);
		must(coso_body_op(b, COSO_T_CADRE, row, COSO_UPSERT), "op");
		text(b, 1, code);
		text(b, 2, name);
		coso_uuid7(row, T0 + (uint64_t) i);
		must(coso_body_op(b, COSO_T_ASSIGNMENT, row, COSO_UPSERT),
		    "op");
		text(b, 1, code);
		snprintf(code, sizeof(code), "T%04d", i % VILLAGES);
		text(b, 2, code);
		must(coso_body_int(b, 4, 1), "int");
		must(coso_body_int(b, 5, 20250101), "int");
		if (i % 125 == 124) {
			push(m, admin, b, T0, T0);
		}
	}
	coso_body_free(b);
}

static void
setup(struct central_store *s, struct coso_key *central, struct dev *admin,
    struct dev *devs)
{
	struct merge_ctx m = {s, central};
	struct merge_out out;
	uint8_t pk[32];
	char *pub = NULL, cadre[32];
	int i;

	coso_key_public(central, pk);
	must(coso_pubkey_format(&pub, pk), "pub");
	must(cstore_begin(s), "begin");
	must(cstore_meta_set(s, "central_pk", pub), "meta");
	must(cstore_meta_set(s, "origin", "bench.coso/report"), "meta");
	must(cstore_meta_set(s, "created_ms", "0"), "meta");
	must(emit_bootstrap(s, pk), "bootstrap");
	coso_key_public(admin->key, pk);
	must(emit_device_key(
	         &m, pk, "admin", CSTORE_ROLE_ADMIN, NULL, T0, &out),
	    "admin");
	province(&m, admin);
	for (i = 0; i < CADRES; i++) {
		snprintf(cadre, sizeof(cadre), "cb-%04d", i);
		coso_key_public(devs[i].key, pk);
		must(emit_device_key(
		         &m, pk, cadre, CSTORE_ROLE_FIELD, NULL, T0, &out),
		    "enroll");
	}
	must(cstore_commit(s), "commit");
	free(pub);
}

static int32_t
date_of(uint64_t ms)
{
	return report_date_of_ms(ms);
}

/* n visits, spread over 2025, PER_CS per change-set of one cadre. */
static void
visits(struct central_store *s, struct coso_key *central, struct dev *devs,
    uint64_t n)
{
	struct merge_ctx m  = {s, central};
	struct coso_body *b = NULL;
	uint8_t row[16], prow[16];
	char unit[16];
	uint64_t i, cs = 0;
	int c = 0;

	must(coso_body_new(&b), "body");
	for (i = 0; i < n; i++) {
		uint64_t ms = T0 + (i * 364 / n) * DAY_MS + 3600000;

		if (i % PER_CS == 0) {
			c = (int) (cs % CADRES);
			if (cs % GROUP == 0) {
				must(cstore_begin(s), "begin");
			}
		}
		snprintf(unit, sizeof(unit), "T%04d", c % VILLAGES);
		coso_uuid7(row, ms);
		must(coso_body_op(b, COSO_T_VISIT, row, COSO_UPSERT), "op");
		text(b, 1, unit);
		must(coso_body_int(b, 2, date_of(ms)), "int");
		text(b, 3, "Thăm hộ gia đình, nắm tình hình sản xuất");
		if (i % 50 == 0) {
			coso_uuid7(prow, ms);
			must(coso_body_op(
			         b, COSO_T_PROPOSAL, prow, COSO_UPSERT),
			    "op");
			must(coso_body_bytes(b, 1, row, 16), "bytes");
			text(b, 2, unit);
			text(b, 3, "Đề nghị hỗ trợ giống cây trồng");
			must(coso_body_int(b, 4, date_of(ms)), "int");
		}
		if (i % PER_CS == PER_CS - 1 || i == n - 1) {
			push(&m, &devs[c], b, ms, ms + 60000);
			if (++cs % GROUP == 0 || i == n - 1) {
				must(cstore_commit(s), "commit");
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
	return T0 + (uint64_t) report_days_between(20250101, date) * DAY_MS
	    + 2 * 3600000;
}

/* One report per cadre and quarter: on time, late, offline late or
 * none, in turn. */
static void
reports(struct central_store *s, struct coso_key *central, struct dev *devs)
{
	static const int32_t due[] = {20250410, 20250710, 20251010, 20260110};
	struct merge_ctx m         = {s, central};
	struct coso_body *b        = NULL;
	uint8_t row[16];
	char unit[16], period[16];
	int i, q, kind, n = 0;

	must(coso_body_new(&b), "body");
	must(cstore_begin(s), "begin");
	for (i = 0; i < CADRES; i++) {
		for (q = 0; q < 4; q++) {
			/* kind 0: signed and received 2 days before the due
			 * date; 1: signed a day after, received 3 days after;
			 * 2: signed the day before, received 6 days after. */
			int32_t sign, recv;

			if ((kind = (i + q) % 4) == 3) {
				continue;
			}
			sign = report_date_add(due[q],
			    kind == 0       ? -2
			        : kind == 1 ? 1
			                    : -1);
			recv = report_date_add(due[q],
			    kind == 0       ? -2
			        : kind == 1 ? 3
			                    : 6);
			snprintf(unit, sizeof(unit), "T%04d", i % VILLAGES);
			snprintf(period, sizeof(period), "2025-Q%d", q + 1);
			coso_uuid7(row, ms_of(sign));
			must(coso_body_op(b, COSO_T_REPORT, row, COSO_UPSERT),
			    "op");
			text(b, 1, unit);
			text(b, 2, period);
			text(b, 3, "Hoàn thành nhiệm vụ được giao");
			text(b, 4, "Tình hình ổn định");
			text(b, 5, i % 5 ? "Thiếu vốn sản xuất" : "");
			text(b, 6, "Đề nghị hỗ trợ");
			must(coso_body_int(b, 8, sign), "int");
			push(&m, &devs[i], b, ms_of(sign), ms_of(recv));
			if (++n % 2000 == 0) {
				must(cstore_commit(s), "commit");
				must(cstore_begin(s), "begin");
			}
		}
	}
	must(cstore_commit(s), "commit");
	coso_body_free(b);
}

static void
build_db(const char *dir, uint64_t n)
{
	char db[600], done[512], err[CSTORE_ERRMSG_MAX];
	struct coso_key *central = key_of(0xC0000000u);
	struct dev admin         = {0}, *devs;
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

int
main(int argc, char **argv)
{
	uint64_t n = argc > 3 ? strtoull(argv[3], NULL, 10) : 1000000, nv;
	char dir[128], db[512], err[REPORT_ERRMSG_MAX];
	struct cstore_report_db *rdb = NULL;
	struct report_compliance *r  = NULL;
	double t[RUNS], scan;
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
		}
		report_compliance_free(r);
	}
	cstore_report_close(rdb);
	qsort(t, RUNS, sizeof(t[0]), cmp_double);
	if ((out = fopen(argv[2], "w")) == NULL) {
		bench_die("cannot write %s", argv[2]);
	}
	bench_metric(out, "report_compliance_seconds", t[RUNS / 2], "s", scan);
	bench_metric(out, "visits_count_scan_seconds", scan, "s", scan);
	fclose(out);
	if (t[RUNS / 2] > 2.0) {
		fprintf(stderr, "bench_report: over the 2 s target\n");
	}
	return 0;
}
