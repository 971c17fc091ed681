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

/* What the cadre reads of a quarantine reason, and what to do. */
static const struct {
	const char *reason;
	const char *vi, *en, *todo_vi, *todo_en;
} reasons[] = {
    {"unassigned", "Đồng chí không được phân công ở đơn vị này vào ngày đó.",
        "You were not assigned to this unit on that date.",
        "Đề nghị văn phòng kiểm tra phân công, rồi ghi lại bản ghi.",
        "Ask the office to check the assignment, then record it again."},
    {"revoked", "Khóa của thiết bị đã bị thu hồi.",
        "This device's key was revoked.",
        "Liên hệ văn phòng để ghi danh lại thiết bị.",
        "Contact the office to enroll the device again."},
    {"fork", "Chuỗi bản ghi của thiết bị bị rẽ nhánh.",
        "This device's chain of records forked.",
        "Liên hệ văn phòng; không xóa dữ liệu trên thiết bị.",
        "Contact the office; do not delete the device's data."},
    {NULL, "Trung tâm không chấp nhận bản ghi này.",
        "The central did not accept this record.",
        "Xem lý do, sửa và ghi lại; nếu chưa rõ, hỏi văn phòng.",
        "Read the reason, correct it and record it again; if unsure, ask "
        "the office."},
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
