/*
 * test_prefill.c: a district leader's pre-filled report (prefill.c) on
 * what pulls brought: the records below the district, with corrections
 * replacing only the records they may replace.
 *
 * The store is the leader cb-l's, assigned to district 180.  cb-v
 * recorded three visits in Đào Viên (06043, under 180), each with a
 * proposal, and a report.  cb-x, assigned to Gia Miễn (06160, under
 * 182), sent visits and a report whose `amends' name cb-v's: a central
 * that did not check them accepted them and the leader pulled them.  A
 * correction replaces only a record of its own cadre, so cb-v's work is
 * still in the summary; cb-v's own corrections still replace.
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
#include <sodium.h>

#include <coso/client.h>

#include "../../client/lib/sync.h"

static const char units_csv[] = "code,name,level,parent_code,valid_from\n"
                                "20,Tỉnh Lạng Sơn,province,,2020-01-01\n"
                                "180,Huyện Tràng Định,district,20,2020-01-01\n"
                                "06043,Xã Đào Viên,commune,180,2020-01-01\n"
                                "182,Huyện Văn Lãng,district,20,2020-01-01\n"
                                "06160,Xã Gia Miễn,commune,182,2020-01-01\n";

/* 27/11/2025 00:00 UTC, as a millisecond time and an HLC. */
#define T0 UINT64_C(1764201600000)

/* A signer whose change-sets a pull brings, under its cadre id. */
struct author {
	struct coso_key *key;
	uint8_t prev[32];
	uint64_t seq;
	const char *cadre;
};

struct fx {
	char dir[64];
	struct coso_store *s;
	struct author admin, v, x;
};

static void
author_init(struct author *a, uint8_t seed_byte, const char *cadre)
{
	uint8_t seed[32];

	memset(a, 0, sizeof(*a));
	memset(seed, seed_byte, 32);
	assert_int_equal(coso_key_from_seed(&a->key, seed), COSO_OK);
	a->cadre = cadre;
}

static int
setup(void **state)
{
	struct coso_init p = {.cadre_id = "cb-l", .name = "Lãnh đạo huyện"};
	char err[COSO_ERRMSG_MAX];
	struct fx *f = calloc(1, sizeof(*f));
	size_t n;

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/coso-prefill-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	assert_int_equal(coso_store_init(f->dir, &p, NULL, err), COSO_OK);
	assert_int_equal(coso_store_open(&f->s, f->dir, NULL, 0, err), 0);
	assert_int_equal(
	    coso_units_import(f->s, units_csv, sizeof(units_csv) - 1, &n), 0);
	author_init(&f->admin, 2, "admin");
	author_init(&f->v, 4, "cb-v");
	author_init(&f->x, 5, "cb-x");
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	coso_store_close(f->s);
	coso_key_free(f->admin.key);
	coso_key_free(f->v.key);
	coso_key_free(f->x.key);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void
text(struct coso_body *b, uint32_t field, const char *s)
{
	assert_int_equal(coso_body_text(b, field, s, strlen(s)), COSO_OK);
}

/* Signs b as a's next change-set and applies it as one PULL would. */
static void
pull(struct fx *f, struct author *a, struct coso_body *b)
{
	static uint64_t cursor;
	struct coso_sync_report r = {0};
	struct coso_msg_item it   = {0};
	struct coso_msg m
	    = {.type = COSO_MSG_PULL_REP, .items = &it, .nitems = 1};
	uint8_t *body = NULL, *cs = NULL, self[32] = {0}, pk[32];
	size_t blen, len;

	assert_int_equal(coso_body_encode(b, &body, &blen), COSO_OK);
	a->seq++;
	assert_int_equal(coso_changeset_sign(&cs, &len, a->key, a->seq,
	                     a->prev, (T0 << 16) + a->seq, body, blen),
	    COSO_OK);
	coso_changeset_id(a->prev, cs, len);
	it.cs     = cs;
	it.cs_len = len;
	snprintf(it.cadre_id, sizeof(it.cadre_id), "%s", a->cadre);
	/* The device verifies what it pulls: the reply names the author. */
	coso_key_public(a->key, pk);
	m.keys   = pk;
	m.nkeys  = 1;
	m.cursor = ++cursor;
	assert_int_equal(
	    cosoi_sync_apply_pull(f->s, self, UINT64_MAX, &m, &r), COSO_OK);
	assert_int_equal(r.applied, 1);
	coso_body_reset(b);
	free(body);
	free(cs);
}

/* A visit on unit and date, correcting amends if not NULL, with a
 * proposal if prop is not NULL. */
static void
visit_op(struct coso_body *b, uint8_t row[16], const char *unit, int32_t date,
    const uint8_t *amends, const char *prop)
{
	uint8_t prow[16];

	coso_uuid7(row, T0);
	assert_int_equal(coso_body_op(b, COSO_T_VISIT, row, COSO_UPSERT), 0);
	text(b, COSO_F_VISIT_UNIT, unit);
	assert_int_equal(coso_body_int(b, COSO_F_VISIT_DATE, date), COSO_OK);
	text(b, COSO_F_VISIT_PURPOSE, "Kiểm tra đường");
	if (amends != NULL) {
		assert_int_equal(
		    coso_body_bytes(b, COSO_F_VISIT_AMENDS, amends, 16),
		    COSO_OK);
	}
	if (prop == NULL) {
		return;
	}
	coso_uuid7(prow, T0);
	assert_int_equal(
	    coso_body_op(b, COSO_T_PROPOSAL, prow, COSO_UPSERT), 0);
	assert_int_equal(
	    coso_body_bytes(b, COSO_F_PROPOSAL_SOURCE, row, 16), COSO_OK);
	text(b, COSO_F_PROPOSAL_UNIT, unit);
	text(b, COSO_F_PROPOSAL_TEXT, prop);
	assert_int_equal(
	    coso_body_int(b, COSO_F_PROPOSAL_DATE, date), COSO_OK);
}

/* A 2025-Q4 report on unit, correcting amends if not NULL. */
static void
report_op(struct coso_body *b, uint8_t row[16], const char *unit,
    const uint8_t *amends)
{
	uint32_t k;

	coso_uuid7(row, T0);
	assert_int_equal(coso_body_op(b, COSO_T_REPORT, row, COSO_UPSERT), 0);
	text(b, COSO_F_REPORT_UNIT, unit);
	text(b, COSO_F_REPORT_PERIOD, "2025-Q4");
	for (k = 3; k <= 6; k++) {
		text(b, k, "Phần báo cáo");
	}
	if (amends != NULL) {
		assert_int_equal(
		    coso_body_bytes(b, COSO_F_REPORT_AMENDS, amends, 16),
		    COSO_OK);
	}
	assert_int_equal(
	    coso_body_int(b, COSO_F_REPORT_SUBMITTED, 20251120), COSO_OK);
}

/* The leader's assignment on 180; cb-v's three visits with proposals
 * and report (rows into vis[] and *rep). */
static void
history(struct fx *f, struct coso_body *b, uint8_t vis[3][16], uint8_t *rep)
{
	static const char *const props[3] = {"Hỗ trợ 20 tấn xi măng",
	    "Sửa cầu treo qua suối", "Cấp giống ngô vụ đông"};
	uint8_t row[16];
	int i;

	coso_uuid7(row, T0);
	assert_int_equal(
	    coso_body_op(b, COSO_T_ASSIGNMENT, row, COSO_UPSERT), 0);
	text(b, COSO_F_ASSIGNMENT_CADRE_ID, "cb-l");
	text(b, COSO_F_ASSIGNMENT_UNIT, "180");
	assert_int_equal(coso_body_int(b, COSO_F_ASSIGNMENT_ROLE, 1), COSO_OK);
	assert_int_equal(
	    coso_body_int(b, COSO_F_ASSIGNMENT_VALID_FROM, 20250101), COSO_OK);
	pull(f, &f->admin, b);
	for (i = 0; i < 3; i++) {
		visit_op(b, vis[i], "06043", 20251005 + 5 * i, NULL, props[i]);
	}
	report_op(b, rep, "06043", NULL);
	pull(f, &f->v, b);
}

/* The first line of the results of report id. */
static void
first_line(struct fx *f, const uint8_t id[16], char *line, size_t n)
{
	sqlite3_stmt *st = NULL;
	size_t len;

	assert_int_equal(
	    sqlite3_prepare_v2(f->s->db,
	        "SELECT results FROM reports WHERE id = ?", -1, &st, NULL),
	    SQLITE_OK);
	sqlite3_bind_blob(st, 1, id, 16, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(line, n, "%s", (const char *) sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	len       = strcspn(line, "\n");
	line[len] = 0;
}

/* The first line of a new 2025-Q4 draft on district 180. */
static void
summary(struct fx *f, char *line, size_t n)
{
	uint8_t id[16];

	assert_int_equal(
	    coso_report_new(f->s, "2025-Q4", "180", NULL, id), COSO_OK);
	first_line(f, id, line, n);
}

#define LINE_CB_V                                                                                  \
	"Tổng hợp quý 4/2025 của Huyện Tràng Định (1 đơn vị trực thuộc): 1 "  \
	"đơn vị có hoạt động, 3 lượt đi cơ sở, 1 báo cáo đã nộp, 3 kiến " \
	"nghị (3 chưa giải quyết)."

/* S2: cb-x's "corrections" of cb-v's records hide nothing. */
static void
test_foreign_amends_hide_nothing(void **state)
{
	struct fx *f        = *state;
	struct coso_body *b = NULL;
	uint8_t vis[3][16], rep[16], row[16];
	char line[512];
	int i;

	assert_int_equal(coso_body_new(&b), COSO_OK);
	history(f, b, vis, rep);
	summary(f, line, sizeof(line));
	assert_string_equal(line, LINE_CB_V);
	for (i = 0; i < 3; i++) {
		visit_op(b, row, "06160", 20251110, vis[i], NULL);
	}
	report_op(b, row, "06160", rep);
	pull(f, &f->x, b);
	summary(f, line, sizeof(line));
	assert_string_equal(line, LINE_CB_V);
	coso_body_free(b);
}

/* cb-v's own corrections replace what they name: one visit corrected
 * (its proposal stays: a correction does not raise it again, and it is
 * still tracked), the report corrected. */
static void
test_own_amends_replace(void **state)
{
	struct fx *f        = *state;
	struct coso_body *b = NULL;
	uint8_t vis[3][16], rep[16], row[16];
	char line[512];

	assert_int_equal(coso_body_new(&b), COSO_OK);
	history(f, b, vis, rep);
	visit_op(b, row, "06043", 20251015, vis[2], NULL);
	report_op(b, row, "06043", rep);
	pull(f, &f->v, b);
	summary(f, line, sizeof(line));
	assert_string_equal(line,
	    "Tổng hợp quý 4/2025 của Huyện Tràng Định (1 đơn vị trực thuộc): "
	    "1 đơn vị có hoạt động, 3 lượt đi cơ sở, 1 báo cáo đã nộp, 3 "
	    "kiến nghị (3 chưa giải quyết).");
	coso_body_free(b);
}

/* A unit row as the office signs it: to 0, merged NULL: it goes on. */
static void
unit_row(struct coso_body *b, const char *code, const char *name, int level,
    const char *parent, int32_t to, const char *merged)
{
	uint8_t row[16];

	coso_uuid_named(row, "unit", code);
	assert_int_equal(coso_body_op(b, COSO_T_UNIT, row, COSO_UPSERT), 0);
	text(b, COSO_F_UNIT_CODE, code);
	text(b, COSO_F_UNIT_NAME, name);
	assert_int_equal(coso_body_int(b, COSO_F_UNIT_LEVEL, level), COSO_OK);
	text(b, COSO_F_UNIT_PARENT, parent);
	assert_int_equal(
	    coso_body_int(b, COSO_F_UNIT_VALID_FROM, 20200101), COSO_OK);
	if (to != 0) {
		assert_int_equal(
		    coso_body_int(b, COSO_F_UNIT_VALID_TO, to), COSO_OK);
		if (merged != NULL) {
			text(b, COSO_F_UNIT_MERGED_INTO, merged);
		}
	}
}

static void
assign_row(struct coso_body *b, const char *cadre, const char *unit,
    int32_t from, int32_t to)
{
	uint8_t row[16];

	coso_uuid7(row, T0);
	assert_int_equal(
	    coso_body_op(b, COSO_T_ASSIGNMENT, row, COSO_UPSERT), 0);
	text(b, COSO_F_ASSIGNMENT_CADRE_ID, cadre);
	text(b, COSO_F_ASSIGNMENT_UNIT, unit);
	assert_int_equal(coso_body_int(b, COSO_F_ASSIGNMENT_ROLE, 1), COSO_OK);
	assert_int_equal(
	    coso_body_int(b, COSO_F_ASSIGNMENT_VALID_FROM, from), COSO_OK);
	if (to != 0) {
		assert_int_equal(
		    coso_body_int(b, COSO_F_ASSIGNMENT_VALID_TO, to), COSO_OK);
	}
}

/* The new draft's results on unit for period (*out malloc'd), or the
 * error coso_report_new gave. */
static int
draft(struct fx *f, const char *period, const char *unit, char **out)
{
	sqlite3_stmt *st = NULL;
	uint8_t id[16];
	int rv;

	*out = NULL;
	if ((rv = coso_report_new(f->s, period, unit, NULL, id)) != COSO_OK) {
		return rv;
	}
	assert_int_equal(
	    sqlite3_prepare_v2(f->s->db,
	        "SELECT results FROM reports WHERE id = ?", -1, &st, NULL),
	    SQLITE_OK);
	sqlite3_bind_blob(st, 1, id, 16, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	*out = strdup((const char *) sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return COSO_OK;
}

/*
 * The tree of the period, as the 2025 reform left it: Quốc Việt (06058)
 * was under Tràng Định (180) and moved to the province (20) on
 * 01/07/2025; Đào Viên (06043) went into it; 180 ended.  The leader
 * cb-l was assigned to 180 until 30/06/2025, then to the province.
 * The pre-fill follows the tree of each period, at each level; a unit
 * that did not exist in the period gets no report; a commune's report
 * is its own cadre's visits.
 */
static void
test_tree_of_the_period(void **state)
{
	struct fx *f        = *state;
	struct coso_body *b = NULL;
	uint8_t row[16], id[16];
	const char *const props[1] = {"Làm lại cầu tràn"};
	struct coso_visit_in v
	    = {.unit = "06058", .date = 20251020, .purpose = "Họp dân"};
	char *txt = NULL;

	assert_int_equal(coso_body_new(&b), COSO_OK);
	unit_row(b, "06058", "Xã Quốc Việt", 3, "180", 0, NULL);
	pull(f, &f->admin, b);
	unit_row(b, "06058", "Xã Quốc Việt", 3, "20", 0, NULL);
	coso_uuid_named(row, "unit_move", "06058/20250701");
	assert_int_equal(
	    coso_body_op(b, COSO_T_UNIT_MOVE, row, COSO_UPSERT), 0);
	text(b, COSO_F_UNIT_MOVE_CODE, "06058");
	assert_int_equal(
	    coso_body_int(b, COSO_F_UNIT_MOVE_DATE, 20250701), COSO_OK);
	text(b, COSO_F_UNIT_MOVE_OLD_PARENT, "180");
	text(b, COSO_F_UNIT_MOVE_NEW_PARENT, "20");
	unit_row(b, "06043", "Xã Đào Viên", 3, "180", 20250630, "06058");
	unit_row(b, "180", "Huyện Tràng Định", 2, "20", 20250630, NULL);
	assign_row(b, "cb-l", "180", 20250101, 20250630);
	assign_row(b, "cb-l", "20", 20250701, 0);
	pull(f, &f->admin, b);
	visit_op(b, row, "06043", 20250410, NULL, "Kiến nghị quý 2");
	pull(f, &f->v, b);
	visit_op(b, row, "06058", 20250520, NULL, NULL);
	pull(f, &f->v, b);
	visit_op(b, row, "06058", 20251005, NULL, NULL);
	pull(f, &f->v, b);

	/* 2025-Q2: both communes were under 180. */
	assert_int_equal(draft(f, "2025-Q2", "180", &txt), COSO_OK);
	assert_non_null(strstr(txt,
	    "Tổng hợp quý 2/2025 của Huyện Tràng Định (2 đơn vị trực "
	    "thuộc): 2 đơn vị có hoạt động, 2 lượt đi cơ sở, 0 báo cáo đã "
	    "nộp, 1 kiến nghị (1 chưa giải quyết)."));
	assert_non_null(strstr(txt, "- Xã Quốc Việt (06058): 1 lượt"));
	free(txt);
	/* 2025-Q4: 180 is gone; the province has 06058 (and 182). */
	assert_int_equal(draft(f, "2025-Q4", "180", &txt), COSO_EDATE);
	assert_non_null(
	    strstr(coso_store_errmsg(f->s), "ended on 30/06/2025"));
	assert_int_equal(draft(f, "2025-Q4", "20", &txt), COSO_OK);
	assert_non_null(strstr(txt,
	    "Tổng hợp quý 4/2025 của Tỉnh Lạng Sơn (2 đơn vị trực thuộc): 1 "
	    "đơn vị có hoạt động, 1 lượt đi cơ sở,"));
	free(txt);
	/* Merged away: no report on 06043 after 30/06/2025, nor a visit. */
	assert_int_equal(draft(f, "2025-Q3", "06043", &txt), COSO_EDATE);
	v.unit = "06043";
	assert_int_equal(coso_visit_add(f->s, &v, id), COSO_EDATE);
	assert_non_null(strstr(coso_store_errmsg(f->s), "went into"));
	/* The leader's own visit to 06058: a commune's report lists it,
	 * not cb-v's. */
	v.unit       = "06058";
	v.proposals  = props;
	v.nproposals = 1;
	assert_int_equal(coso_visit_add(f->s, &v, id), COSO_OK);
	assert_int_equal(draft(f, "2025-Q4", "06058", &txt), COSO_OK);
	assert_string_equal(txt,
	    "Kết quả đi cơ sở quý 4/2025 tại Xã Quốc Việt (06058): 1 lượt "
	    "đi cơ sở, 1 kiến nghị (1 chưa giải quyết).\n"
	    "Các lượt đi cơ sở:\n"
	    "- 20/10/2025, Xã Quốc Việt: Họp dân\n"
	    "Kiến nghị:\n"
	    "- 20/10/2025, Xã Quốc Việt: Làm lại cầu tràn (chưa giải quyết)");
	free(txt);
	coso_body_free(b);
}

/*
 * The pre-filled text and the figures the report's screen shows count
 * the same records: the cadre's own visits on a commune (another
 * cadre's there are not theirs to report), a corrected visit once and
 * its proposal kept, a visit of the next quarter left out; and once the
 * report is submitted, its own proposals section (now tracked
 * proposals of the commune, dated today) does not change its figures.
 * The district's summary and figures agree as well.
 */
static void
test_figures_agree(void **state)
{
	struct fx *f        = *state;
	struct coso_body *b = NULL;
	struct author me;
	struct coso_figures g, d;
	uint8_t vis[3][16], rep[16], mv[5][16], row[16], id[16];
	char line[512], want[512];

	assert_int_equal(coso_body_new(&b), COSO_OK);
	history(f, b, vis, rep);
	author_init(&me, 6, "cb-l");
	visit_op(b, mv[0], "06043", 20251003, NULL, "Làm đường thôn Nà Pàn");
	visit_op(b, mv[1], "06043", 20251018, NULL, "Sửa lớp học cắm bản");
	visit_op(b, mv[2], "06043", 20251102, NULL, NULL);
	visit_op(b, mv[3], "06043", 20251120, NULL, "Cấp bò giống");
	visit_op(b, mv[4], "06043", 20260110, NULL, "Ngoài kỳ");
	visit_op(b, row, "06043", 20251119, mv[3], NULL);
	pull(f, &me, b);
	assert_int_equal(
	    coso_report_new(f->s, "2025-Q4", "06043", NULL, id), COSO_OK);
	first_line(f, id, line, sizeof(line));
	assert_string_equal(line,
	    "Kết quả đi cơ sở quý 4/2025 tại Xã Đào Viên (06043): 4 lượt đi "
	    "cơ sở, 3 kiến nghị (3 chưa giải quyết).");
	assert_int_equal(
	    coso_report_figures(f->s, "2025-Q4", "06043", &g), COSO_OK);
	assert_int_equal(g.visits, 4);
	assert_int_equal(g.units_visited, 1);
	assert_int_equal(g.proposals, 3);
	assert_int_equal(g.proposals_answered, 0);
	assert_int_equal(g.proposals_unresolved, 3);
	assert_int_equal(
	    coso_report_edit(f->s, id, COSO_SEC_SITUATION, "Ổn"), COSO_OK);
	assert_int_equal(
	    coso_report_edit(f->s, id, COSO_SEC_DIFFICULTIES, "Đường xa"),
	    COSO_OK);
	assert_int_equal(coso_report_edit(f->s, id, COSO_SEC_PROPOSALS,
	                     "Xin xi măng\nXin cầu treo"),
	    COSO_OK);
	assert_int_equal(coso_report_submit(f->s, id), COSO_OK);
	assert_int_equal(
	    coso_report_figures(f->s, "2025-Q4", "06043", &g), COSO_OK);
	assert_int_equal(g.visits, 4);
	assert_int_equal(g.proposals, 3);
	/* The district: cb-v's records and the commune's submitted report
	 * with its two proposals, in the text and the figures alike. */
	summary(f, line, sizeof(line));
	assert_int_equal(
	    coso_report_figures(f->s, "2025-Q4", "180", &d), COSO_OK);
	assert_int_equal(d.visits, 7);
	assert_int_equal(d.proposals, 3 + 3 + 2);
	snprintf(want, sizeof(want),
	    "%d lượt đi cơ sở, 2 báo cáo đã nộp, %d kiến nghị (%d chưa giải "
	    "quyết).",
	    (int) d.visits, (int) d.proposals, (int) d.proposals_unresolved);
	assert_non_null(strstr(line, want));
	coso_key_free(me.key);
	coso_body_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
	        test_foreign_amends_hide_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_own_amends_replace, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_tree_of_the_period, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_figures_agree, setup, teardown),
	};

	if (sodium_init() < 0) {
		return 1;
	}
	return cmocka_run_group_tests_name("prefill", tests, NULL, NULL);
}
