/*
 * api_reports.c: reports, proposals, handovers, the quarantine and the
 * receipts (docs/app.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api.h"

static const char *const sections[COSO_SEC_COUNT]
    = {"results", "situation", "difficulties", "proposals"};

static void
created(struct req *rq, const uint8_t id[static 16])
{
	char hex[33];

	sodium_bin2hex(hex, sizeof(hex), id, 16);
	api_json(
	    rq, 201, json_pack("{s:s,s:s}", "id", hex, "short", hex + 24));
}

/* A listing of the library into {"items": ...}. */
static void
listing(struct req *rq,
    int (*fn)(
        struct coso_store *, const struct coso_filter *, coso_row_cb, void *),
    const struct coso_filter *f)
{
	json_t *a = json_array();
	int rv    = fn(rq->w->s, f, api_row_append, a);

	if (rv != COSO_OK) {
		json_decref(a);
		api_fail_lib(rq, rv);
		return;
	}
	api_json(rq, 200, api_page(rq, a));
}

/* "draft" or "submitted" from a report row's status. */
static void
report_state(json_t *r)
{
	const char *st = json_string_value(json_object_get(r, "status"));

	json_object_set_new(r, "state",
	    json_string(st != NULL && strcmp(st, "draft") == 0 ? "draft"
	                                                       : "submitted"));
}

void
api_reports(struct req *rq)
{
	struct coso_filter f = {0};
	json_t *a            = json_array(), *r;
	size_t i;
	int rv;

	if ((rv = coso_report_list(rq->w->s, &f, api_row_append, a))
	    != COSO_OK) {
		json_decref(a);
		api_fail_lib(rq, rv);
		return;
	}
	json_array_foreach(a, i, r)
	{
		report_state(r);
	}
	api_json(rq, 200, api_page(rq, a));
}

void
api_report_new(struct req *rq)
{
	const char *period, *unit, *amends;
	uint8_t id[16], am[16];
	int rv;

	if (api_text(rq, rq->in, "period", 1, &period) != 0
	    || api_text(rq, rq->in, "unit", 0, &unit) != 0
	    || api_text(rq, rq->in, "amends", 0, &amends) != 0) {
		return;
	}
	if (amends != NULL
	    && (rv = coso_id_resolve(rq->w->s, "report", amends, am))
	        != COSO_OK) {
		api_fail_lib(rq, rv);
		return;
	}
	rv = coso_report_new(rq->w->s, period,
	    unit != NULL && unit[0] ? unit : NULL, amends != NULL ? am : NULL,
	    id);
	if (rv != COSO_OK) {
		api_fail_lib(rq, rv);
		return;
	}
	created(rq, id);
}

static int
show_take(const struct coso_row *row, void *arg)
{
	json_t *o = arg, *a;

	if (strcmp(row->kind, "report") == 0
	    && json_object_get(o, "report") == NULL) {
		return json_object_set_new(o, "report", api_row(row));
	}
	if ((a = json_object_get(o, "proposals")) == NULL) {
		json_object_set_new(o, "proposals", a = json_array());
	}
	return json_array_append_new(a, api_row(row));
}

/* The report's four sections as one object "sections". */
static void
sections_of(json_t *r)
{
	json_t *s = json_object();
	size_t i;

	for (i = 0; i < COSO_SEC_COUNT; i++) {
		json_t *v = json_object_get(r, sections[i]);

		json_object_set(s, sections[i], v != NULL ? v : json_null());
	}
	json_object_set_new(r, "sections", s);
	report_state(r);
}

void
api_report_get(struct req *rq)
{
	json_t *o = json_object(), *r;
	struct coso_figures fg;
	const char *period, *unit;
	int rv;

	if ((rv = coso_report_show(rq->w->s, rq->arg, show_take, o))
	    != COSO_OK) {
		json_decref(o);
		api_fail_lib(rq, rv);
		return;
	}
	r = json_object_get(o, "report");
	sections_of(r);
	period = json_string_value(json_object_get(r, "period"));
	unit   = json_string_value(json_object_get(r, "unit"));
	if (period != NULL
	    && coso_report_figures(rq->w->s, period, unit, &fg) == COSO_OK) {
		json_object_set_new(o, "figures",
		    json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}", "visits",
		        (json_int_t) fg.visits, "units_visited",
		        (json_int_t) fg.units_visited, "outcomes",
		        (json_int_t) fg.outcomes, "amount_vnd",
		        (json_int_t) fg.amount_vnd, "proposals",
		        (json_int_t) fg.proposals, "proposals_answered",
		        (json_int_t) fg.proposals_answered));
	}
	api_json(rq, 200, o);
}

void
api_report_put(struct req *rq)
{
	json_t *s = json_object_get(rq->in, "sections");
	const char *t;
	uint8_t id[16];
	size_t i;
	int rv;

	if (!json_is_object(s)) {
		api_fail(rq, "bad_request", "sections", "not an object");
		return;
	}
	if ((rv = coso_id_resolve(rq->w->s, "report", rq->arg, id))
	    != COSO_OK) {
		api_fail_lib(rq, rv);
		return;
	}
	/* all checked before any is written */
	for (i = 0; i < COSO_SEC_COUNT; i++) {
		if (api_text(rq, s, sections[i], 0, &t) != 0) {
			return;
		}
	}
	if (json_is_true(json_object_get(rq->in, "no_proposals"))) {
		json_object_set_new(
		    s, "proposals", json_string(COSO_PROPOSALS_NONE));
	}
	for (i = 0; i < COSO_SEC_COUNT; i++) {
		if (api_text(rq, s, sections[i], 0, &t) == 0 && t != NULL
		    && (rv = coso_report_edit(
		            rq->w->s, id, (enum coso_section) i, t))
		        != COSO_OK) {
			api_fail_lib(rq, rv);
			return;
		}
	}
	api_json(rq, 200, json_object());
}

void
api_report_submit(struct req *rq)
{
	uint8_t id[16];
	int rv;

	if (!json_is_true(json_object_get(rq->in, "confirm"))) {
		api_fail(rq, "bad_request", "confirm",
		    "a submitted report can no longer change: confirm it");
		return;
	}
	if ((rv = coso_id_resolve(rq->w->s, "report", rq->arg, id)) != COSO_OK
	    || (rv = coso_report_submit(rq->w->s, id)) != COSO_OK) {
		api_fail_lib(rq, rv);
		return;
	}
	api_json(rq, 200, json_pack("{s:s}", "state", "submitted"));
}

/* The period and unit of report hex, for its amendment. */
static int
period_take(const struct coso_row *row, void *arg)
{
	json_t *o = arg, *r;

	if (strcmp(row->kind, "report") == 0 && json_object_size(o) == 0) {
		r = api_row(row);
		json_object_update(o, r);
		json_decref(r);
	}
	return 0;
}

void
api_report_amend(struct req *rq)
{
	json_t *o = json_object();
	uint8_t id[16], nid[16];
	const char *period, *unit;
	int rv;

	if ((rv = coso_id_resolve(rq->w->s, "report", rq->arg, id)) != COSO_OK
	    || (rv = coso_report_show(rq->w->s, rq->arg, period_take, o))
	        != COSO_OK) {
		json_decref(o);
		api_fail_lib(rq, rv);
		return;
	}
	period = json_string_value(json_object_get(o, "period"));
	unit   = json_string_value(json_object_get(o, "unit"));
	rv     = coso_report_new(rq->w->s, period, unit, id, nid);
	json_decref(o);
	if (rv != COSO_OK) {
		api_fail_lib(rq, rv);
		return;
	}
	created(rq, nid);
}

/* ---- proposals, handovers -------------------------------------------------
 */

void
api_proposals(struct req *rq)
{
	char open[4];
	struct coso_filter f = {0};

	f.open_only = api_query(rq, "open", open, sizeof(open))
	    && strcmp(open, "1") == 0;
	listing(rq, coso_proposal_list, &f);
}

void
api_handovers(struct req *rq)
{
	char unit[64];
	struct coso_filter f = {0};

	if (api_query(rq, "unit", unit, sizeof(unit))) {
		f.unit = unit;
	}
	listing(rq, coso_handover_list, &f);
}

void
api_handover_add(struct req *rq)
{
	const char *unit, *text, *to;
	int32_t date;
	uint8_t id[16];
	int rv;

	if (api_text(rq, rq->in, "unit", 1, &unit) != 0
	    || api_text(rq, rq->in, "text", 1, &text) != 0
	    || api_text(rq, rq->in, "to_cadre", 0, &to) != 0
	    || api_date(rq, rq->in, "date", 0, &date) != 0) {
		return;
	}
	rv = coso_handover_add_on(
	    rq->w->s, unit, text, to != NULL && to[0] ? to : NULL, date, id);
	if (rv != COSO_OK) {
		api_fail_lib(rq, rv);
		return;
	}
	created(rq, id);
}

/* ---- quarantine -----------------------------------------------------------
 */

/* What the cadre reads of a quarantine reason, and what to do: the
 * sentences of `coso quarantine' (client/cli/quarantine.c) and their
 * Vietnamese of po/vi.po, so that the app and the CLI say the same. */
static const struct {
	const char *reason;
	const char *vi, *en, *todo_vi, *todo_en;
} reasons[] = {
    {"unassigned",
        "vào ngày của bản ghi, đồng chí không được phân công phụ trách đơn vị "
        "này (hay đơn vị cấp trên của nó)",
        "you were not assigned to this unit (or a unit above it) on the "
        "record's date",
        "kiểm tra lại đơn vị và ngày; nếu thiếu hoặc sai phân công, đề nghị "
        "Ban Tổ chức Tỉnh ủy sửa, đồng bộ rồi ghi lại (ghi chú bàn giao hay "
        "báo cáo nộp muộn: trong vòng 30 ngày sau khi hết phân công)",
        "check the unit and the date; if your assignment is missing or wrong, "
        "ask the provincial office to correct it, sync, and record it again "
        "(a handover note or a late report: within 30 days after the "
        "assignment ended)"},
    {"missing_reference",
        "bản ghi nêu một đơn vị hay bản ghi mà trung tâm không có",
        "it names a unit or a record the central does not know",
        "kiểm tra mã đơn vị (coso units list) rồi ghi lại; nếu là đơn vị mới, "
        "đề nghị Ban Tổ chức Tỉnh ủy bổ sung",
        "check the unit code (coso units list) and record it again; if the "
        "unit is new, ask the provincial office to add it"},
    {"foreign_amendment",
        "bản ghi sửa bản ghi của cán bộ khác, hoặc của đơn vị đồng chí không "
        "phụ trách vào ngày của bản ghi đó",
        "it corrects a record of another cadre, or of a unit you did not "
        "cover on that record's date",
        "chỉ sửa bản ghi của chính mình; hãy ghi nội dung này thành bản ghi "
        "mới",
        "correct only your own records; record this as a new one"},
    {"unit_not_in_force",
        "đơn vị không tồn tại vào ngày của bản ghi (đã sáp nhập hoặc kết thúc "
        "trong đợt sắp xếp năm 2025, hoặc chưa được thành lập)",
        "the unit did not exist on the record's date (it was merged or ended "
        "in the 2025 reorganisation, or not yet created)",
        "xem lịch sử của đơn vị (coso units show MÃ) rồi ghi lại cho đơn vị "
        "tồn tại vào ngày đó",
        "check the unit's history (coso units show CODE) and record it again "
        "on the unit that existed on that date"},
    {"schema",
        "ngày hoặc một giá trị nằm ngoài phạm vi trung tâm chấp nhận (ngày "
        "sau hơn hai ngày so với lúc trung tâm nhận, hoặc trước năm 2000)",
        "a date or a value is outside what the central accepts (a date more "
        "than two days ahead of its arrival, or before 2000)",
        "kiểm tra ngày và đồng hồ của thiết bị, rồi ghi lại với ngày đúng",
        "check the date and this device's clock, then record it again with "
        "the right date"},
    {"not_admin", "chỉ thiết bị quản trị mới được ghi nội dung này",
        "only an admin device may write this",
        "đề nghị Ban Tổ chức Tỉnh ủy thực hiện thay đổi này",
        "ask the provincial office to make this change"},
    {"fork",
        "khoá của thiết bị này đã gửi một gói thay đổi khác cùng số thứ tự "
        "(khôi phục từ bản sao lưu hoặc thiết bị bị sao chép)",
        "another change-set with the same number came from this device's key "
        "(a restored backup or a copied device)",
        "ngừng dùng các bản sao của thiết bị; đề nghị Ban Tổ chức Tỉnh ủy thu "
        "hồi khoá này và ghi danh lại thiết bị",
        "stop using copies of this device; ask the provincial office to "
        "revoke this key and enroll the device again"},
    {"revoked", "khoá của thiết bị này đã bị thu hồi",
        "this device's key is revoked",
        "đề nghị Ban Tổ chức Tỉnh ủy cấp mã ghi danh mới",
        "ask the provincial office for a new enrollment token"},
    {"immutable", "bản ghi sửa một bản ghi không được phép thay đổi",
        "it changes a record that never changes",
        "hãy nộp bản đính chính (--amends)",
        "submit a correction instead (--amends)"},
    {NULL, "trung tâm không chấp nhận bản ghi này",
        "the central did not accept this record",
        "xem lý do, sửa rồi ghi lại; nếu chưa rõ, hỏi Ban Tổ chức Tỉnh ủy",
        "read the reason, correct it and record it again; if unsure, ask "
        "the provincial office"},
};

void
api_quarantine(struct req *rq)
{
	json_t *a = json_array(), *q;
	size_t i, k;
	int rv;

	if ((rv = coso_quarantine_list(rq->w->s, 0, api_row_append, a))
	    != COSO_OK) {
		json_decref(a);
		api_fail_lib(rq, rv);
		return;
	}
	json_array_foreach(a, i, q)
	{
		const char *r
		    = json_string_value(json_object_get(q, "reason"));

		for (k = 0; reasons[k].reason != NULL
		     && (r == NULL || strcmp(reasons[k].reason, r) != 0);
		     k++) { }
		json_object_set_new(q, "message",
		    json_pack("{s:s,s:s}", "vi", reasons[k].vi, "en",
		        reasons[k].en));
		json_object_set_new(q, "todo",
		    json_pack("{s:s,s:s}", "vi", reasons[k].todo_vi, "en",
		        reasons[k].todo_en));
	}
	api_json(rq, 200, json_pack("{s:o}", "items", a));
}

/* ---- receipts -------------------------------------------------------------
 */

static int
pending_take(uint64_t seq, const uint8_t *cs, size_t len, void *arg)
{
	(void) cs;
	(void) len;
	return json_array_append_new(arg,
	    json_pack(
	        "{s:I,s:s}", "seq", (json_int_t) seq, "status", "pending"));
}

void
api_receipts(struct req *rq)
{
	json_t *a = json_array(), *r;
	size_t i;
	int rv;

	if ((rv = coso_receipt_list(rq->w->s, api_row_append, a)) != COSO_OK
	    || (rv = coso_outbox_pending(rq->w->s, 0, 100000, pending_take, a))
	        != COSO_OK) {
		json_decref(a);
		api_fail_lib(rq, rv);
		return;
	}
	json_array_foreach(a, i, r)
	{
		const char *v
		    = json_string_value(json_object_get(r, "verdict"));

		if (v != NULL) {
			json_object_set_new(r, "status",
			    json_string(strcmp(v, "quarantined") == 0
			            ? "quarantined"
			            : "accepted"));
		}
	}
	api_json(rq, 200, api_page(rq, a));
}

void
api_receipts_verify(struct req *rq)
{
	struct coso_receipt_counts n = {0};
	json_t *a                    = json_array();
	int rv = coso_receipts_verify(rq->w->s, api_row_append, a, &n);

	if (rv != COSO_OK) {
		json_decref(a);
		api_fail_lib(rq, rv);
		return;
	}
	api_json(rq, 200,
	    json_pack("{s:I,s:I,s:I,s:I,s:o}", "total", (json_int_t) n.total,
	        "ok", (json_int_t) n.ok, "no_proof", (json_int_t) n.no_proof,
	        "bad", (json_int_t) n.bad, "items", a));
}
