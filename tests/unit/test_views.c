/*
 * test_views.c: the console's views (daemon/central/report/views.c) on a
 * central built through the real merge code.
 *
 * A province of two districts: a rotation in mid-quarter with its
 * handover note, a merger at mid-year (C2 into CN), reports on time,
 * late within the grace, signed before the deadline but received after
 * it (offline), missing; a change-set quarantined (a cadre with no unit
 * writes a visit), a revoked key.  Every view's numbers are checked
 * against values worked out by hand below, for the whole province, for
 * one district and for one sector: a scoped view holds only its own
 * units and its totals are theirs.  Then the views' CSV and XLSX.
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
#include "../../daemon/central/logcheck.h"
#include "../../daemon/central/merge.h"
#include "../../daemon/central/report/report.h"
#include "../../daemon/central/report/report_out.h"
#include "../../daemon/central/report/views.h"

#include "central_fixture.h"

/* ---- the province ----------------------------------------------------------
 *
 *   20 (province) - 180 (district) - C1 - V1
 *                                  - C2 (to 30/06/2025, merged into CN) - V2
 *                                  - CN (from 01/07/2025)
 *                 - 181 (district) - C3 - V3
 *                                  - C4 (nobody, ever)
 *
 * Schedule: quarterly, due 15 days after the quarter, 5 days' grace
 * (Q3: due 15/10, grace to 20/10).  Judged on 27/11/2025.
 *
 *   cb-a  V1 in charge 01/01 - 15/08 (rotation), sector KT
 *   cb-b  V1 in charge from 16/08, the handover note on it
 *   cb-c  V2 in charge (V2 stays under C2, so under CN after 07/2025)
 *   cb-d  C2 in charge 01/01 - 30/06, then CN from 01/07
 *   cb-e  V3 in charge, sector KT
 *   cb-f  C3 in charge; its key revoked on 01/11
 *   cb-g  no unit, sector VH: its visit to V3 is quarantined
 *
 * 2025-Q3: a on time, b late within the grace, c offline (signed 14/10,
 * received 25/10), d missing, e on time, f on time.
 */

#define A 0
#define B 1
#define C 2
#define D 3
#define E 4
#define F 5
#define G 6

struct prov {
	uint8_t prop_a[16], prop_d[16], prop_e[16];
};

static void
prov_reference(struct fx *f)
{
	struct coso_body *b = body();
	int i;

	unit_op(b, "20", 1, NULL, 20200101, 0, NULL);
	unit_op(b, "180", 2, "20", 20200101, 0, NULL);
	unit_op(b, "181", 2, "20", 20200101, 0, NULL);
	unit_op(b, "C1", 3, "180", 20200101, 0, NULL);
	unit_op(b, "C2", 3, "180", 20200101, 20250630, "CN");
	unit_op(b, "CN", 3, "180", 20250701, 0, NULL);
	unit_op(b, "C3", 3, "181", 20200101, 0, NULL);
	unit_op(b, "C4", 3, "181", 20200101, 0, NULL);
	unit_op(b, "V1", 4, "C1", 20200101, 0, NULL);
	unit_op(b, "V2", 4, "C2", 20200101, 0, NULL);
	unit_op(b, "V3", 4, "C3", 20200101, 0, NULL);
	for (i = 0; i < NDEV; i++) {
		cadre_op(b, f->d[i].cadre);
	}
	assign_op(b, "cb-a", "V1", NULL, 1, 20250101, 20250815);
	assign_op(b, "cb-a", NULL, "KT", 1, 20250101, 0);
	assign_op(b, "cb-b", "V1", NULL, 1, 20250816, 0);
	text(b, COSO_F_ASSIGNMENT_HANDOVER_NOTE, "Bàn giao thôn V1");
	assign_op(b, "cb-c", "V2", NULL, 1, 20250101, 0);
	assign_op(b, "cb-d", "C2", NULL, 1, 20250101, 20250630);
	assign_op(b, "cb-d", "CN", NULL, 1, 20250701, 0);
	assign_op(b, "cb-e", "V3", NULL, 1, 20250101, 0);
	assign_op(b, "cb-e", NULL, "KT", 1, 20250101, 0);
	assign_op(b, "cb-f", "C3", NULL, 1, 20250101, 0);
	assign_op(b, "cb-g", NULL, "VH", 1, 20250101, 0);
	schedule_op(b, 1, 15, 5);
	push(f, &f->admin, b, T0, T0);
	coso_body_free(b);
}

static void
prov_report(struct fx *f, int who, const char *unit, int complete,
    int32_t signed_on, int32_t received_on)
{
	struct coso_body *b = body();

	report_op(b, unit, "2025-Q3", complete, signed_on);
	push(f, &f->d[who], b, ms_at(signed_on, 9), ms_at(received_on, 10));
	coso_body_free(b);
}

static void
prov_visit(
    struct fx *f, int who, const char *unit, int32_t date, uint8_t prop[16])
{
	struct coso_body *b = body();
	uint8_t v[16];

	visit_op(b, v, unit, date);
	if (prop != NULL) {
		proposal_op(b, prop, v, unit, date);
	}
	push(f, &f->d[who], b, ms_at(date, 15), ms_at(date, 16));
	coso_body_free(b);
}

static void
province(struct fx *f, struct prov *p)
{
	struct coso_body *b;
	uint8_t v[16], row[16];

	prov_reference(f);
	prov_report(f, A, "V1", 1, 20250814, 20250814);
	prov_report(f, B, "V1", 1, 20251018, 20251018);
	prov_report(f, C, "V2", 1, 20251014, 20251025);
	prov_report(f, E, "V3", 0, 20251010, 20251010);
	prov_report(f, F, "C3", 1, 20250920, 20250920);
	prov_visit(f, D, "C2", 20250610, p->prop_d);
	prov_visit(f, A, "V1", 20250720, p->prop_a);
	prov_visit(f, E, "V3", 20250901, p->prop_e);
	/* cb-g has no unit: its visit is stored, not merged */
	b = body();
	visit_op(b, v, "V3", 20251105);
	assert_int_equal(push_verdict(f->s, f->central.key, &f->d[G], b,
	                     ms_at(20251105, 9), ms_at(20251105, 10)),
	    COSO_VERDICT_QUARANTINED);
	coso_body_free(b);
	/* answers, then cb-f's key revoked */
	b = body();
	response_op(b, p->prop_d, 1);
	response_op(b, p->prop_e, 2);
	coso_uuid7(row, T0);
	assert_int_equal(
	    coso_body_op(b, COSO_T_REVOCATION, row, COSO_UPSERT), COSO_OK);
	assert_int_equal(
	    coso_body_bytes(b, COSO_F_REVOCATION_KEY_ID, f->d[F].id, 32),
	    COSO_OK);
	text(b, COSO_F_REVOCATION_REASON, "Mất máy");
	push(f, &f->admin, b, ms_at(20251101, 9), ms_at(20251101, 9));
	coso_body_free(b);
}

/* ---- reading the views -----------------------------------------------------
 */

static json_t *
view(struct fx *f, enum view_kind k, const char *period, const char *unit,
    const char *sector)
{
	struct view_args a = {.period = period,
	    .today                    = TODAY,
	    .scope                    = {unit, sector},
	    .status                   = -1};
	char err[REPORT_ERRMSG_MAX];
	json_t *doc = NULL;
	int rv      = view_json(rdb(f), k, &a, &doc, err);

	if (rv != COSO_OK) {
		fail_msg("view %s: %s", view_name(k), err);
	}
	return doc;
}

/* The integer at a jq-like path of dotted keys and [i] indexes. */
static json_int_t
ival(const json_t *o, const char *path)
{
	char buf[256], *p, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = strtok_r(buf, ".", &save); p != NULL && o != NULL;
	     p = strtok_r(NULL, ".", &save)) {
		o = p[0] == '[' ? json_array_get(o, (size_t) atoi(p + 1))
		                : json_object_get(o, p);
	}
	if (!json_is_integer(o)) {
		fail_msg("%s: not an integer", path);
	}
	return json_integer_value(o);
}

static const char *
sval(const json_t *o, const char *path)
{
	char buf[256], *p, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = strtok_r(buf, ".", &save); p != NULL && o != NULL;
	     p = strtok_r(NULL, ".", &save)) {
		o = p[0] == '[' ? json_array_get(o, (size_t) atoi(p + 1))
		                : json_object_get(o, p);
	}
	return json_is_string(o) ? json_string_value(o) : NULL;
}

/* The element of array key whose field is value. */
static const json_t *
find(const json_t *doc, const char *key, const char *field, const char *value)
{
	const json_t *a = json_object_get(doc, key), *o;
	size_t i;

	json_array_foreach(a, i, o)
	{
		const char *v = json_string_value(json_object_get(o, field));

		if (v != NULL && strcmp(v, value) == 0) {
			return o;
		}
	}
	fail_msg("%s: no %s %s", key, field, value);
	return NULL;
}

/* The field of every element of array key, joined by spaces. */
static const char *
list(const json_t *doc, const char *key, const char *field)
{
	static char out[512];
	const json_t *o;
	size_t i, n = 0;

	out[0] = 0;
	json_array_foreach(json_object_get(doc, key), i, o)
	{
		const json_t *v = json_object_get(o, field);

		n += (size_t) snprintf(out + n, sizeof(out) - n, "%s%s",
		    n ? " " : "",
		    json_is_string(v) ? json_string_value(v) : "-");
	}
	return out;
}

/* expected, received, on_time, late, offline_late, missing */
static void
counts_are(const json_t *c, json_int_t exp, json_int_t rec, json_int_t ontime,
    json_int_t late, json_int_t offline, json_int_t missing)
{
	assert_int_equal(ival(c, "expected"), exp);
	assert_int_equal(ival(c, "received"), rec);
	assert_int_equal(ival(c, "on_time"), ontime);
	assert_int_equal(ival(c, "late"), late);
	assert_int_equal(ival(c, "offline_late"), offline);
	assert_int_equal(ival(c, "missing"), missing);
	assert_int_equal(ival(c, "rate_permille"), exp ? rec * 1000 / exp : 0);
}

/* ---- the checks ------------------------------------------------------------
 */

static void
check_overview(struct fx *f)
{
	json_t *o = view(f, VIEW_OVERVIEW, "2025-Q3", NULL, NULL);
	const json_t *r;

	counts_are(json_object_get(o, "total"), 6, 5, 3, 1, 1, 1);
	assert_string_equal(list(o, "districts", "unit"), "180 181");
	counts_are(
	    json_object_get(find(o, "districts", "unit", "180"), "counts"), 4,
	    3, 1, 1, 1, 1);
	counts_are(
	    json_object_get(find(o, "districts", "unit", "181"), "counts"), 2,
	    2, 2, 0, 0, 0);
	/* the merger: V2 under CN in Q3, C2 gone */
	assert_string_equal(list(o, "communes", "unit"), "C1 C3 CN");
	counts_are(
	    json_object_get(find(o, "communes", "unit", "CN"), "counts"), 2, 1,
	    0, 0, 1, 1);
	assert_string_equal(list(o, "villages", "unit"), "V1 V2 V3");
	assert_string_equal(list(o, "sectors", "sector"), "KT -");
	counts_are(
	    json_object_get(find(o, "sectors", "sector", "KT"), "counts"), 2,
	    2, 2, 0, 0, 0);
	assert_string_equal(
	    list(o, "cadres", "cadre"), "cb-a cb-b cb-c cb-d cb-e cb-f");
	/* each report: its id, status, signature verified again */
	assert_string_equal(list(o, "reports", "status"),
	    "on_time late offline_late missing on_time on_time");
	assert_string_equal(list(o, "reports", "signature"),
	    "verified verified verified none verified verified");
	r = find(o, "reports", "cadre", "cb-f");
	assert_true(json_is_true(json_object_get(r, "key_revoked")));
	assert_int_equal(strlen(sval(r, "id")), 32);
	assert_string_equal(sval(r, "district"), "181");
	r = find(o, "reports", "cadre", "cb-c");
	assert_string_equal(sval(r, "commune"), "CN");
	assert_int_equal(ival(r, "submitted"), 20251014);
	assert_int_equal(ival(r, "received"), 20251025);
	json_decref(o);

	/* one district: its units only, its totals */
	o = view(f, VIEW_OVERVIEW, "2025-Q3", "181", NULL);
	counts_are(json_object_get(o, "total"), 2, 2, 2, 0, 0, 0);
	assert_string_equal(list(o, "districts", "unit"), "181");
	assert_string_equal(list(o, "communes", "unit"), "C3");
	assert_string_equal(list(o, "cadres", "cadre"), "cb-e cb-f");
	assert_string_equal(list(o, "reports", "unit"), "V3 C3");
	assert_string_equal(sval(o, "scope.unit"), "181");
	json_decref(o);
	o = view(f, VIEW_OVERVIEW, "2025-Q3", "180", NULL);
	counts_are(json_object_get(o, "total"), 4, 3, 1, 1, 1, 1);
	assert_string_equal(list(o, "districts", "unit"), "180");
	assert_string_equal(list(o, "communes", "unit"), "C1 CN");
	json_decref(o);
	/* one sector: its cadres' reports, wherever their units are */
	o = view(f, VIEW_OVERVIEW, "2025-Q3", NULL, "KT");
	counts_are(json_object_get(o, "total"), 2, 2, 2, 0, 0, 0);
	assert_string_equal(list(o, "reports", "cadre"), "cb-a cb-e");
	assert_string_equal(list(o, "districts", "unit"), "180 181");
	json_decref(o);
}

static void
check_coverage(struct fx *f)
{
	json_t *o = view(f, VIEW_COVERAGE, "2025-Q3", NULL, NULL);
	const json_t *h;

	assert_string_equal(list(o, "unassigned", "unit"), "C4");
	assert_string_equal(sval(o, "unassigned.[0].since"), "never");
	assert_string_equal(list(o, "unvisited", "unit"), "CN V2");
	assert_string_equal(
	    list(o, "cadres_without_visit", "cadre"), "cb-b cb-c cb-d cb-f");
	assert_string_equal(list(o, "handovers", "unit"), "V1");
	h = json_array_get(json_object_get(o, "handovers"), 0);
	assert_string_equal(sval(h, "from_cadre"), "cb-a");
	assert_string_equal(sval(h, "to_cadre"), "cb-b");
	assert_int_equal(ival(h, "ended"), 20250815);
	assert_int_equal(ival(h, "started"), 20250816);
	assert_string_equal(sval(h, "handover.note"), "Bàn giao thôn V1");
	json_decref(o);

	o = view(f, VIEW_COVERAGE, "2025-Q3", "181", NULL);
	assert_string_equal(list(o, "unassigned", "unit"), "C4");
	assert_string_equal(list(o, "unvisited", "unit"), "");
	assert_string_equal(list(o, "cadres_without_visit", "cadre"), "cb-f");
	assert_string_equal(list(o, "handovers", "unit"), "");
	json_decref(o);
	o = view(f, VIEW_COVERAGE, "2025-Q3", "180", NULL);
	assert_string_equal(list(o, "unassigned", "unit"), "");
	assert_string_equal(list(o, "unvisited", "unit"), "CN V2");
	assert_string_equal(
	    list(o, "cadres_without_visit", "cadre"), "cb-b cb-c cb-d");
	assert_string_equal(list(o, "handovers", "unit"), "V1");
	json_decref(o);
}

static void
check_proposals(struct fx *f)
{
	json_t *o = view(f, VIEW_PROPOSALS, NULL, NULL, NULL);
	const json_t *p;

	assert_string_equal(list(o, "proposals", "cadre"), "cb-d cb-a cb-e");
	assert_string_equal(
	    list(o, "proposals", "status"), "answered open resolved");
	p = find(o, "proposals", "cadre", "cb-a");
	assert_true(json_is_true(json_object_get(p, "overdue")));
	assert_int_equal(ival(p, "age_days"), 130);
	assert_string_equal(sval(p, "sector"), "KT");
	assert_int_equal(json_array_size(json_object_get(p, "answers")), 0);
	p = find(o, "proposals", "cadre", "cb-d");
	assert_int_equal(json_array_size(json_object_get(p, "answers")), 1);
	assert_string_equal(sval(p, "answers.[0].status"), "answered");
	assert_string_equal(sval(p, "answers.[0].text"), "Đã xem xét");
	assert_string_equal(sval(p, "answers.[0].by"), "admin");
	assert_string_equal(list(o, "by_sector", "sector"), "- KT");
	p = find(o, "by_sector", "sector", "KT");
	assert_int_equal(ival(p, "total"), 2);
	assert_int_equal(ival(p, "open"), 1);
	assert_int_equal(ival(p, "overdue"), 1);
	assert_int_equal(ival(p, "resolved"), 1);
	assert_string_equal(list(o, "by_unit", "unit"), "C2 V1 V3");
	json_decref(o);

	o = view(f, VIEW_PROPOSALS, NULL, "181", NULL);
	assert_string_equal(list(o, "proposals", "cadre"), "cb-e");
	assert_string_equal(list(o, "by_unit", "unit"), "V3");
	json_decref(o);
	o = view(f, VIEW_PROPOSALS, "2025-Q3", NULL, NULL);
	assert_string_equal(list(o, "proposals", "cadre"), "cb-a cb-e");
	json_decref(o);
}

static void
check_quarantine(struct fx *f)
{
	json_t *o = view(f, VIEW_QUARANTINE, "2025-Q4", NULL, NULL);
	const json_t *e;

	assert_int_equal(ival(o, "total"), 1);
	e = json_array_get(json_object_get(o, "entries"), 0);
	assert_string_equal(sval(e, "cadre"), "cb-g");
	assert_int_equal(ival(e, "reason"), COSO_QUNAUTH);
	assert_string_equal(sval(e, "name"), "unassigned");
	assert_int_equal(ival(e, "received"), 20251105);
	assert_string_equal(sval(o, "by_reason.[0].name"), "unassigned");
	assert_int_equal(ival(o, "by_reason.[0].count"), 1);
	json_decref(o);
	/* the quarter it was received in only; the sector of its cadre */
	o = view(f, VIEW_QUARANTINE, "2025-Q3", NULL, NULL);
	assert_int_equal(ival(o, "total"), 0);
	json_decref(o);
	o = view(f, VIEW_QUARANTINE, "2025-Q4", "181", NULL);
	assert_int_equal(ival(o, "total"), 0);
	json_decref(o);
	o = view(f, VIEW_QUARANTINE, "2025-Q4", NULL, "VH");
	assert_int_equal(ival(o, "total"), 1);
	json_decref(o);
}

static void
check_devices(struct fx *f)
{
	json_t *o = view(f, VIEW_DEVICES, "2025-Q4", NULL, NULL);
	const json_t *d;

	/* the admin and the eight field keys; the central's is not a
	 * device */
	assert_int_equal(ival(o, "total"), 9);
	assert_int_equal(ival(o, "revoked"), 1);
	d = find(o, "devices", "cadre", "cb-f");
	assert_true(json_is_true(json_object_get(d, "revoked")));
	assert_string_equal(sval(d, "revocation_reason"), "Mất máy");
	assert_int_equal(ival(d, "last_received_ms"), ms_at(20250920, 10));
	assert_int_equal(ival(d, "days_since_received"), 68);
	d = find(o, "devices", "cadre", "cb-c");
	assert_false(json_is_true(json_object_get(d, "revoked")));
	assert_int_equal(ival(d, "days_since_received"), 33);
	assert_true(json_is_null(json_object_get(d, "skew_ms")));
	json_decref(o);
	o = view(f, VIEW_DEVICES, "2025-Q4", "181", NULL);
	assert_string_equal(list(o, "devices", "cadre"), "cb-e cb-f");
	json_decref(o);
}

static void
check_trend(struct fx *f)
{
	json_t *o = view(f, VIEW_TREND, "2025-Q3", NULL, NULL);
	json_t *q = json_object_get(o, "quarters");

	assert_int_equal(json_array_size(q), VIEW_TREND_QUARTERS);
	assert_string_equal(sval(q, "[0].period"), "2023-Q4");
	assert_int_equal(ival(q, "[0].counts.expected"), 0);
	/* Q1, Q2: a, c, d (on C2), e, f assigned; nothing filed */
	counts_are(
	    json_object_get(json_array_get(q, 6), "counts"), 5, 0, 0, 0, 0, 5);
	assert_string_equal(sval(q, "[7].period"), "2025-Q3");
	counts_are(
	    json_object_get(json_array_get(q, 7), "counts"), 6, 5, 3, 1, 1, 1);
	assert_string_equal(list(o, "proposals_by_sector", "sector"), "- KT");
	json_decref(o);
	o = view(f, VIEW_TREND, "2025-Q3", "181", NULL);
	q = json_object_get(o, "quarters");
	counts_are(
	    json_object_get(json_array_get(q, 7), "counts"), 2, 2, 2, 0, 0, 0);
	json_decref(o);
}

static void
check_audit(struct fx *f)
{
	json_t *o = view(f, VIEW_AUDIT, NULL, NULL, NULL);
	char err[CSTORE_ERRMSG_MAX], *vkey = NULL;
	uint64_t n;

	assert_int_equal(cstore_log_next(f->s, &n), COSO_OK);
	assert_int_equal(ival(o, "tree_size"), (json_int_t) n);
	assert_int_equal(logcheck_vkey(f->s, &vkey, err), COSO_OK);
	assert_string_equal(sval(o, "vkey"), vkey);
	assert_string_equal(sval(o, "origin"), "test");
	assert_true(json_is_null(json_object_get(o, "checkpoint")));
	assert_int_equal(
	    json_array_size(json_object_get(o, "how_to_audit")), 4);
	free(vkey);
	json_decref(o);
}

/* Bad scope and period: refused with a sentence. */
static void
check_refusals(struct fx *f)
{
	struct view_args a = {.period = "2025-Q3", .today = TODAY};
	char err[REPORT_ERRMSG_MAX];
	json_t *doc = NULL;

	a.scope.unit = "999";
	assert_int_equal(
	    view_json(rdb(f), VIEW_OVERVIEW, &a, &doc, err), COSO_EINVAL);
	assert_non_null(strstr(err, "999"));
	a.scope.unit   = NULL;
	a.scope.sector = "XX";
	assert_int_equal(
	    view_json(rdb(f), VIEW_COVERAGE, &a, &doc, err), COSO_EINVAL);
	a.scope.sector = NULL;
	a.period       = "2025-Q5";
	assert_int_equal(
	    view_json(rdb(f), VIEW_QUARANTINE, &a, &doc, err), COSO_EINVAL);
	assert_null(doc);
}

/* The CLI's CSV (Vietnamese headers, the counts) and XLSX (a workbook
 * whose sheets are the view's). */
static void
check_files(struct fx *f)
{
	char cmd[1024], out[512];
	FILE *p;
	size_t n;

	if (access("./build/cosod", X_OK) != 0) {
		skip();
	}
	snprintf(cmd, sizeof(cmd),
	    "./build/cosod central report overview --db %s --period 2025-Q3 "
	    "--today 27/11/2025 --scope-unit 181 --format csv | sed -n 1,3p",
	    f->db);
	assert_non_null(p = popen(cmd, "r"));
	n      = fread(out, 1, sizeof(out) - 1, p);
	out[n] = 0;
	assert_int_equal(pclose(p), 0);
	assert_string_equal(out,
	    "\xEF\xBB\xBFMã đơn vị,Đơn vị,Thuộc,Phải nộp,Đã nhận,Đúng hạn,"
	    "Trễ hạn,Gửi muộn do ngoại tuyến,Chưa nộp,Chưa đến hạn,"
	    "Tỷ lệ nộp (‰)\r\n181,Đơn vị 181,20,2,2,2,0,0,0,0,1000\r\n\r\n");
	snprintf(cmd, sizeof(cmd),
	    "./build/cosod central report proposals --db %s --today "
	    "27/11/2025 --output %s/p.xlsx && unzip -tq %s/p.xlsx >/dev/null "
	    "&& unzip -l %s/p.xlsx | grep -c 'xl/worksheets/sheet[0-9]*.xml'",
	    f->db, f->dir, f->dir, f->dir);
	assert_non_null(p = popen(cmd, "r"));
	n      = fread(out, 1, sizeof(out) - 1, p);
	out[n] = 0;
	assert_int_equal(pclose(p), 0);
	assert_string_equal(out, "4\n");
}

static void
test_views(void **state)
{
	struct fx *f  = *state;
	struct prov p = {0};

	province(f, &p);
	check_overview(f);
	check_coverage(f);
	check_proposals(f);
	check_quarantine(f);
	check_devices(f);
	check_trend(f);
	check_audit(f);
	check_refusals(f);
	check_files(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_views, setup, teardown),
	};

	if (sodium_init() < 0) {
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
