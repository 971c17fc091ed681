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

#define T0    UINT64_C(1764201600000) /* 27/11/2025 00:00 UTC */
#define TODAY 20251127
#define NDEV  8

struct dev {
	struct coso_key *key;
	uint8_t pk[32], id[32], prev[32];
	uint64_t seq;
	char cadre[16];
};

struct fx {
	char dir[64], db[96];
	struct central_store *s;
	struct dev central, admin, d[NDEV]; /* d[i]: cb-a, cb-b, ... */
	struct cstore_report_db *rdb;
};

/* ---- independent dates ----------------------------------------------------
 */

/* Days since 01/01/1970, counted the slow way (not report.c's). */
static int64_t
tdays(int32_t date)
{
	static const int mdays[]
	    = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y = date / 10000, m = date / 100 % 100, d = date % 100, i;
	int64_t n = 0;

	for (i = 1970; i < y; i++) {
		n += 365 + ((i % 4 == 0 && i % 100 != 0) || i % 400 == 0);
	}
	for (i = 1; i < m; i++) {
		n += mdays[i - 1]
		    + (i == 2
		        && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
	}
	return n + d - 1;
}

/* Unix ms of hour:00 Vietnam time (UTC+7) on date. */
static uint64_t
ms_at(int32_t date, int hour)
{
	return (uint64_t) (tdays(date) * 86400000 + (hour - 7) * 3600000LL);
}

/* ---- the fixture ----------------------------------------------------------
 */

static void
dev_init(struct dev *d, uint32_t n, const char *cadre)
{
	uint8_t seed[32];

	memset(d, 0, sizeof(*d));
	memset(seed, 0x33, 32);
	memcpy(seed, &n, sizeof(n));
	assert_int_equal(coso_key_from_seed(&d->key, seed), COSO_OK);
	coso_key_public(d->key, d->pk);
	coso_keyid_of(d->id, d->pk);
	snprintf(d->cadre, sizeof(d->cadre), "%s", cadre);
}

static uint8_t *
sign_at(struct dev *d, struct coso_body *b, uint64_t ms, size_t *len)
{
	uint8_t *body = NULL, *cs = NULL;
	size_t blen;

	assert_int_equal(coso_body_encode(b, &body, &blen), COSO_OK);
	d->seq++;
	assert_int_equal(coso_changeset_sign(&cs, len, d->key, d->seq, d->prev,
	                     (ms << 16) + (d->seq & 0xffff), body, blen),
	    COSO_OK);
	coso_changeset_id(d->prev, cs, *len);
	free(body);
	coso_body_reset(b);
	return cs;
}

/* Signs b on d's clock at signed_ms; the central receives it at recv_ms. */
/* Signs b on d's clock at signed_ms; the central receives it at recv_ms;
 * the verdict. */
static int
push_verdict(struct central_store *s, const struct coso_key *central,
    struct dev *d, struct coso_body *b, uint64_t signed_ms, uint64_t recv_ms)
{
	struct merge_ctx m = {s, central};
	struct merge_in in = {.received_ms = recv_ms};
	struct merge_out out;
	size_t len;
	uint8_t *cs = sign_at(d, b, signed_ms, &len);

	in.cs  = cs;
	in.len = len;
	memcpy(in.sender, d->id, 32);
	assert_int_equal(cstore_begin(s), COSO_OK);
	assert_int_equal(merge_changeset(&m, &in, &out), COSO_OK);
	assert_int_equal(cstore_commit(s), COSO_OK);
	free(cs);
	return out.verdict;
}

static void
push_at(struct central_store *s, const struct coso_key *central, struct dev *d,
    struct coso_body *b, uint64_t signed_ms, uint64_t recv_ms)
{
	if (push_verdict(s, central, d, b, signed_ms, recv_ms)
	    != COSO_VERDICT_ACCEPTED) {
		fail_msg("change-set of %s not accepted", d->cadre);
	}
}
static void
push(struct fx *f, struct dev *d, struct coso_body *b, uint64_t signed_ms,
    uint64_t recv_ms)
{
	push_at(f->s, f->central.key, d, b, signed_ms, recv_ms);
}

static struct coso_body *
body(void)
{
	struct coso_body *b = NULL;

	assert_int_equal(coso_body_new(&b), COSO_OK);
	return b;
}

static void
text(struct coso_body *b, uint32_t field, const char *s)
{
	assert_int_equal(coso_body_text(b, field, s, strlen(s)), COSO_OK);
}

static void
num(struct coso_body *b, uint32_t field, int64_t v)
{
	assert_int_equal(coso_body_int(b, field, v), COSO_OK);
}

static void
unit_op(struct coso_body *b, const char *code, int level, const char *parent,
    int32_t from, int32_t to, const char *merged)
{
	uint8_t row[16];
	char name[64];

	snprintf(name, sizeof(name), "Đơn vị %s", code);
	coso_uuid_named(row, "unit", code);
	assert_int_equal(coso_body_op(b, COSO_T_UNIT, row, COSO_UPSERT), 0);
	text(b, COSO_F_UNIT_CODE, code);
	text(b, COSO_F_UNIT_NAME, name);
	num(b, 3, level);
	if (parent != NULL) {
		text(b, COSO_F_UNIT_PARENT, parent);
	}
	num(b, 5, from);
	if (to != 0) {
		num(b, 6, to);
	}
	if (merged != NULL) {
		text(b, COSO_F_UNIT_MERGED_INTO, merged);
	}
}

static void
cadre_op(struct coso_body *b, const char *id)
{
	uint8_t row[16];
	char name[64];

	snprintf(name, sizeof(name), "Cán bộ %s", id);
	coso_uuid_named(row, "cadre", id);
	assert_int_equal(coso_body_op(b, COSO_T_CADRE, row, COSO_UPSERT), 0);
	text(b, COSO_F_CADRE_CADRE_ID, id);
	text(b, COSO_F_CADRE_NAME, name);
}

static void
assign_op(struct coso_body *b, const char *cadre, const char *unit,
    const char *sector, int role, int32_t from, int32_t to)
{
	uint8_t row[16];

	coso_uuid7(row, T0);
	assert_int_equal(
	    coso_body_op(b, COSO_T_ASSIGNMENT, row, COSO_UPSERT), COSO_OK);
	text(b, COSO_F_ASSIGNMENT_CADRE_ID, cadre);
	if (unit != NULL) {
		text(b, COSO_F_ASSIGNMENT_UNIT, unit);
	}
	if (sector != NULL) {
		text(b, COSO_F_ASSIGNMENT_SECTOR, sector);
	}
	num(b, 4, role);
	num(b, 5, from);
	if (to != 0) {
		num(b, 6, to);
	}
}

static void
schedule_op(struct coso_body *b, int kind, int due, int grace)
{
	uint8_t row[16];

	coso_uuid7(row, T0);
	assert_int_equal(
	    coso_body_op(b, COSO_T_SCHEDULE, row, COSO_UPSERT), COSO_OK);
	num(b, 1, kind);
	num(b, 2, due);
	num(b, 3, grace);
}

static void
report_op(struct coso_body *b, const char *unit, const char *period,
    int complete, int32_t submitted)
{
	uint8_t row[16];

	coso_uuid7(row, T0);
	assert_int_equal(
	    coso_body_op(b, COSO_T_REPORT, row, COSO_UPSERT), COSO_OK);
	text(b, COSO_F_REPORT_UNIT, unit);
	text(b, COSO_F_REPORT_PERIOD, period);
	text(b, COSO_F_REPORT_RESULTS, "Đã hoàn thành nhiệm vụ");
	text(b, COSO_F_REPORT_SITUATION, "Ổn định");
	text(b, COSO_F_REPORT_DIFFICULTIES, complete ? "Thiếu vốn" : "  ");
	text(b, COSO_F_REPORT_PROPOSALS, "Đề nghị hỗ trợ giống lúa");
	num(b, 8, submitted);
}

static void
visit_op(struct coso_body *b, uint8_t row[16], const char *unit, int32_t date)
{
	coso_uuid7(row, T0);
	assert_int_equal(
	    coso_body_op(b, COSO_T_VISIT, row, COSO_UPSERT), COSO_OK);
	text(b, COSO_F_VISIT_UNIT, unit);
	num(b, 2, date);
	text(b, COSO_F_VISIT_PURPOSE, "Thăm hộ nghèo");
}

static void
proposal_op(struct coso_body *b, uint8_t row[16], const uint8_t src[16],
    const char *unit, int32_t date)
{
	coso_uuid7(row, T0);
	assert_int_equal(
	    coso_body_op(b, COSO_T_PROPOSAL, row, COSO_UPSERT), COSO_OK);
	assert_int_equal(
	    coso_body_bytes(b, COSO_F_PROPOSAL_SOURCE, src, 16), COSO_OK);
	text(b, COSO_F_PROPOSAL_UNIT, unit);
	text(b, COSO_F_PROPOSAL_TEXT, "Sửa đường liên thôn");
	num(b, 4, date);
}

static void
response_op(struct coso_body *b, const uint8_t prop[16], int status)
{
	uint8_t row[16];

	coso_uuid7(row, T0);
	assert_int_equal(
	    coso_body_op(b, COSO_T_RESPONSE, row, COSO_UPSERT), COSO_OK);
	assert_int_equal(
	    coso_body_bytes(b, COSO_F_RESPONSE_PROPOSAL, prop, 16), COSO_OK);
	num(b, 2, status);
	text(b, COSO_F_RESPONSE_TEXT, "Đã xem xét");
	num(b, 4, 20251101);
}

/* A central with the central key, an admin and NDEV field keys (cadres
 * cb-a .. cb-h). */
static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[CSTORE_ERRMSG_MAX], *pub = NULL, cadre[16];
	struct merge_ctx m;
	struct merge_out out;
	int i;

	if (f == NULL) {
		return -1;
	}
	snprintf(f->dir, sizeof(f->dir), "/tmp/coso-views-XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		return -1;
	}
	snprintf(f->db, sizeof(f->db), "%s/central.db", f->dir);
	dev_init(&f->central, 1000, "central");
	dev_init(&f->admin, 1001, "admin");
	for (i = 0; i < NDEV; i++) {
		snprintf(cadre, sizeof(cadre), "cb-%c", 'a' + i);
		dev_init(&f->d[i], (uint32_t) i, cadre);
	}
	assert_int_equal(cstore_create(&f->s, f->db, err), COSO_OK);
	m = (struct merge_ctx) {f->s, f->central.key};
	assert_int_equal(coso_pubkey_format(&pub, f->central.pk), COSO_OK);
	assert_int_equal(cstore_begin(f->s), COSO_OK);
	assert_int_equal(cstore_meta_set(f->s, "central_pk", pub), COSO_OK);
	assert_int_equal(cstore_meta_set(f->s, "origin", "test"), COSO_OK);
	assert_int_equal(cstore_meta_set(f->s, "created_ms", "0"), COSO_OK);
	assert_int_equal(emit_bootstrap(f->s, f->central.pk), COSO_OK);
	assert_int_equal(emit_device_key(&m, f->admin.pk, "admin",
	                     CSTORE_ROLE_ADMIN, NULL, T0, &out),
	    COSO_OK);
	for (i = 0; i < NDEV; i++) {
		assert_int_equal(emit_device_key(&m, f->d[i].pk, f->d[i].cadre,
		                     CSTORE_ROLE_FIELD, NULL, T0, &out),
		    COSO_OK);
		assert_int_equal(out.verdict, COSO_VERDICT_ACCEPTED);
	}
	assert_int_equal(cstore_commit(f->s), COSO_OK);
	free(pub);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];
	int i;

	cstore_report_close(f->rdb);
	cstore_close(f->s);
	coso_key_free(f->central.key);
	coso_key_free(f->admin.key);
	for (i = 0; i < NDEV; i++) {
		coso_key_free(f->d[i].key);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	if (system(cmd) != 0) {
		return -1;
	}
	free(f);
	return 0;
}

static struct cstore_report_db *
rdb(struct fx *f)
{
	char err[CSTORE_REPORT_ERRMSG_MAX];

	if (f->rdb == NULL) {
		assert_int_equal(cstore_report_indexes(f->db, err), COSO_OK);
		assert_int_equal(
		    cstore_report_open(&f->rdb, f->db, err), COSO_OK);
	}
	return f->rdb;
}

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
