/*
 * api.c: the app's routes, its errors and the small helpers every
 * handler shares (api.h; docs/app.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

/* docs/app.md, "Errors": code, status, and the sentence for people. */
static const struct {
	const char *code;
	uint16_t status;
	const char *vi, *en;
} errors[] = {
    {"bad_host", 421, "Địa chỉ không được phép.",
        "This address is not allowed."},
    {"bad_origin", 403, "Yêu cầu không đến từ ứng dụng.",
        "The request did not come from the app."},
    {"bad_secret", 403, "Liên kết không đúng: hãy mở liên kết mà cosod in ra.",
        "Wrong link: open the link cosod printed."},
    {"no_session", 401, "Phiên đã hết: hãy mở liên kết mà cosod in ra.",
        "No session: open the link cosod printed."},
    {"not_found", 404, "Không tìm thấy.", "Not found."},
    {"method", 405, "Thao tác không được phép ở đây.",
        "That method is not allowed here."},
    {"too_big", 413, "Dữ liệu gửi lên quá lớn.",
        "What was sent is too large."},
    {"length_required", 411, "Thiếu độ dài dữ liệu.",
        "A Content-Length is required."},
    {"bad_json", 400, "Dữ liệu gửi lên không phải JSON hợp lệ.",
        "The body is not a JSON object."},
    {"bad_request", 400, "Yêu cầu không hợp lệ.", "The request is not valid."},
    {"no_store", 409, "Thiết bị chưa được thiết lập.",
        "This device is not set up yet."},
    {"exists", 409, "Đã có rồi.", "It exists already."},
    {"locked", 423, "Hãy nhập mật khẩu để mở khóa thiết bị.",
        "Enter the passphrase to unlock the device."},
    {"bad_passphrase", 401, "Mật khẩu không đúng.", "Wrong passphrase."},
    {"passphrase_short", 400, "Mật khẩu cần ít nhất 8 ký tự.",
        "The passphrase needs at least 8 characters."},
    {"required", 400, "Chưa điền mục bắt buộc.", "A required field is empty."},
    {"too_long", 400, "Nội dung quá dài (tối đa 16 KiB).",
        "The text is too long (16 KiB at most)."},
    {"bad_date", 400, "Ngày không hợp lệ (dd/mm/yyyy, ngày có thật).",
        "Not a valid date (dd/mm/yyyy, a real day)."},
    {"bad_period", 400, "Kỳ báo cáo không hợp lệ (ví dụ 2026-Q1).",
        "Not a valid period (e.g. 2026-Q1)."},
    {"bad_number", 400, "Số không đọc được.", "The number cannot be read."},
    {"ambiguous_number", 400,
        "Số có thể hiểu hai cách: viết 1500 hoặc 1.500.000 cho hàng nghìn, "
        "1,5 cho số thập phân.",
        "The number reads two ways: write 1500 or 1.500.000 for "
        "thousands, 1,5 for a decimal."},
    {"unknown_unit", 400, "Không có đơn vị này.", "No such unit."},
    {"unauthorized", 403,
        "Đồng chí không được phân công ở đơn vị này vào ngày đó.",
        "You are not assigned to that unit on that date."},
    {"not_admin", 403, "Chỉ thiết bị của văn phòng mới làm được việc này.",
        "Only the office's admin device can do this."},
    {"bad_token", 400, "Mã ghi danh phải gồm 64 chữ số hệ 16.",
        "The enrollment token is 64 hex digits."},
    {"no_qr", 400, "Không đọc được mã QR trong ảnh này.",
        "No QR code could be read in this image."},
    {"bad_csv", 400, "Tệp có dòng sai; không có gì được lưu.",
        "The file has bad rows; nothing was stored."},
    {"state", 409, "Không làm được việc này ở trạng thái hiện tại.",
        "Not allowed in its present state."},
    {"no_pin", 409, "Chưa ghim máy chủ trung tâm.",
        "No central is pinned yet."},
    {"busy", 503, "Máy bận; hãy thử lại.", "Busy; retry."},
    {"internal", 500, "Lỗi lưu trữ trên thiết bị.", "The store failed."},
};

#define NERRORS (sizeof(errors) / sizeof(errors[0]))

static size_t
error_index(const char *code)
{
	size_t i;

	for (i = 0; i < NERRORS && strcmp(errors[i].code, code) != 0; i++) { }
	return i < NERRORS ? i : NERRORS - 1; /* "internal" */
}

uint16_t
api_status_of(const char *code)
{
	return errors[error_index(code)].status;
}

void
api_json(struct req *rq, uint16_t status, json_t *o)
{
	json_decref(rq->out);
	rq->out    = o;
	rq->status = o != NULL ? status : 500;
}

void
api_fail(
    struct req *rq, const char *code, const char *field, const char *detail)
{
	size_t i = error_index(code);

	api_json(rq, errors[i].status,
	    json_pack("{s:{s:s,s:s?,s:{s:s,s:s},s:s?}}", "error", "code",
	        errors[i].code, "field", field, "message", "vi", errors[i].vi,
	        "en", errors[i].en, "detail", detail));
}

/* The field a library message names first ("purpose: empty"), into
 * buf; NULL if it names none. */
static const char *
field_of(const char *msg, char buf[static 32])
{
	size_t n = strspn(msg, "abcdefghijklmnopqrstuvwxyz_");

	if (n == 0 || n >= 32 || msg[n] != ':') {
		return NULL;
	}
	memcpy(buf, msg, n);
	buf[n] = 0;
	return buf;
}

static const char *
code_of(int rv)
{
	switch (rv) {
	case COSO_EDATE:
		return "bad_date";
	case COSO_EPERIOD:
		return "bad_period";
	case COSO_EFIELD:
	case COSO_EINVAL:
		return "required";
	case COSO_ETOOBIG:
		return "too_long";
	case COSO_EUNIT:
		return "unknown_unit";
	case COSO_QUNAUTH:
		return "unauthorized";
	case COSO_ESTATE:
		return "state";
	case COSO_ENOENT:
		return "not_found";
	case COSO_EEXIST:
		return "exists";
	case COSO_EPASSWORD:
		return "bad_passphrase";
	case COSO_ENEEDPASS:
		return "locked";
	case COSO_ECSV:
		return "bad_csv";
	case COSO_ENOPIN:
		return "no_pin";
	case COSO_ENOSTORE:
		return "no_store";
	default:
		return "internal";
	}
}

void
api_fail_lib(struct req *rq, int rv)
{
	const char *msg = rq->w->s != NULL ? coso_store_errmsg(rq->w->s) : "";
	char fb[32];

	if (msg == NULL || msg[0] == 0) {
		msg = coso_strerror(rv);
	}
	api_fail(rq, code_of(rv), field_of(msg, fb), msg);
}

int
api_text(
    struct req *rq, json_t *o, const char *key, int required, const char **out)
{
	json_t *v = o != NULL ? json_object_get(o, key) : NULL;

	*out = NULL;
	if (v != NULL && !json_is_null(v) && !json_is_string(v)) {
		api_fail(rq, "bad_request", key, "not a string");
		return -1;
	}
	if (v != NULL && json_is_string(v)) {
		*out = json_string_value(v);
		if (json_string_length(v) > COSO_TEXT_MAX) {
			api_fail(rq, "too_long", key, NULL);
			return -1;
		}
		if (strlen(*out) != json_string_length(v)) {
			api_fail(rq, "bad_request", key, "a NUL in the text");
			return -1;
		}
	}
	if (required
	    && (*out == NULL || (*out)[strspn(*out, " \t\r\n")] == 0)) {
		api_fail(rq, "required", key, NULL);
		return -1;
	}
	return 0;
}

int
api_date(
    struct req *rq, json_t *o, const char *key, int required, int32_t *out)
{
	const char *t;

	*out = 0;
	if (api_text(rq, o, key, required, &t) != 0) {
		return -1;
	}
	if (t != NULL && t[0] != 0 && coso_date_parse(t, out) != COSO_OK) {
		api_fail(rq, "bad_date", key, t);
		return -1;
	}
	return 0;
}

int
api_list(
    struct req *rq, json_t *o, const char *key, const char ***out, size_t *n)
{
	json_t *a = json_object_get(o, key), *v;
	size_t i;

	*out = NULL;
	*n   = 0;
	if (a == NULL || json_is_null(a)) {
		return 0;
	}
	if (!json_is_array(a) || json_array_size(a) > 256) {
		api_fail(rq, "bad_request", key, "not a list of texts");
		return -1;
	}
	if ((*out = calloc(json_array_size(a) + 1, sizeof(**out))) == NULL) {
		api_fail(rq, "internal", NULL, "out of memory");
		return -1;
	}
	json_array_foreach(a, i, v)
	{
		if (!json_is_string(v)
		    || json_string_length(v) > COSO_TEXT_MAX) {
			api_fail(rq,
			    json_is_string(v) ? "too_long" : "bad_request",
			    key, NULL);
			free(*out);
			*out = NULL;
			return -1;
		}
		if (json_string_value(v)[0] != 0) {
			(*out)[(*n)++] = json_string_value(v);
		}
	}
	return 0;
}

int
api_query(const struct req *rq, const char *name, char *buf, size_t max)
{
	const char *p = rq->query;
	size_t nl     = strlen(name), vl;

	while (*p != 0) {
		vl = strcspn(p, "&");
		if (vl > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
			if (vl - nl - 1 >= max) {
				return 0;
			}
			memcpy(buf, p + nl + 1, vl - nl - 1);
			buf[vl - nl - 1] = 0;
			return 1;
		}
		p += vl + (p[vl] == '&');
	}
	return 0;
}

void
api_iso(char out[static 11], int32_t d)
{
	unsigned y = (unsigned) (d / 10000) % 10000u;
	unsigned m = (unsigned) (d / 100) % 100u, day = (unsigned) d % 100u;

	out[0]  = (char) ('0' + y / 1000);
	out[1]  = (char) ('0' + y / 100 % 10);
	out[2]  = (char) ('0' + y / 10 % 10);
	out[3]  = (char) ('0' + y % 10);
	out[4]  = '-';
	out[5]  = (char) ('0' + m / 10);
	out[6]  = (char) ('0' + m % 10);
	out[7]  = '-';
	out[8]  = (char) ('0' + day / 10);
	out[9]  = (char) ('0' + day % 10);
	out[10] = 0;
}

json_t *
api_row(const struct coso_row *row)
{
	json_t *o = json_object();
	char iso[11];
	size_t i, n;

	for (i = 0; o != NULL && i < row->n; i++) {
		const struct coso_kv *kv = &row->kv[i];
		json_t *v                = json_null();

		if (kv->type == COSO_VINT && kv->is_date && kv->i > 0) {
			api_iso(iso, (int32_t) kv->i);
			v = json_string(iso);
		} else if (kv->type == COSO_VINT) {
			v = json_integer(kv->i);
		} else if (kv->type == COSO_VTEXT) {
			v = json_string(kv->s);
		}
		json_object_set_new(o, kv->key, v);
		if (kv->type == COSO_VTEXT && strcmp(kv->key, "id") == 0
		    && (n = strlen(kv->s)) >= 8) {
			json_object_set_new(
			    o, "short", json_string(kv->s + n - 8));
		}
	}
	return o;
}

int
api_row_append(const struct coso_row *row, void *arg)
{
	return json_array_append_new(arg, api_row(row)) == 0 ? 0 : COSO_ENOMEM;
}

json_t *
api_page(const struct req *rq, json_t *a)
{
	char buf[24];
	size_t limit = API_LIST_DEFAULT, off = 0, total = json_array_size(a);
	json_t *page;

	if (api_query(rq, "limit", buf, sizeof(buf))) {
		limit = strtoul(buf, NULL, 10);
		limit = limit == 0 || limit > API_LIST_MAX ? API_LIST_MAX
		                                           : limit;
	}
	if (api_query(rq, "offset", buf, sizeof(buf))) {
		off = strtoul(buf, NULL, 10);
	}
	page = json_array();
	for (size_t i = off; page != NULL && i < total && i < off + limit;
	     i++) {
		json_array_append(page, json_array_get(a, i));
	}
	json_decref(a);
	return json_pack(
	    "{s:o,s:I}", "items", page, "total", (json_int_t) total);
}

/* ---- routes ---------------------------------------------------------------
 */

static const struct route {
	const char *method, *path; /* a '*' stands for one segment */
	void (*fn)(struct req *rq);
	int flags;
} routes[] = {
    {"GET", "/api/state", api_state, 0},
    {"POST", "/api/setup", api_setup, R_JSON},
    {"POST", "/api/central", api_central, R_STORE | R_JSON},
    {"POST", "/api/enroll", api_enroll, R_STORE | R_JSON},
    {"POST", "/api/enroll/qr", api_enroll_qr, R_STORE | R_FILE},
    {"POST", "/api/unlock", api_unlock, R_STORE | R_JSON},
    {"GET", "/api/home", api_home, R_STORE},
    {"POST", "/api/sync", api_sync, R_STORE},
    {"GET", "/api/units/tree", api_units_tree, R_STORE},
    {"GET", "/api/units", api_units, R_STORE},
    {"GET", "/api/visits", api_visits, R_STORE},
    {"POST", "/api/visits", api_visit_add, R_STORE | R_KEY | R_JSON},
    {"GET", "/api/visits/*", api_visit_get, R_STORE},
    {"POST", "/api/visits/*/amend", api_visit_amend, R_STORE | R_KEY | R_JSON},
    {"GET", "/api/drafts", api_drafts, R_STORE},
    {"GET", "/api/drafts/*", api_draft_get, R_STORE},
    {"PUT", "/api/drafts/*", api_draft_put, R_STORE | R_JSON},
    {"DELETE", "/api/drafts/*", api_draft_delete, R_STORE},
    {"GET", "/api/reports", api_reports, R_STORE},
    {"POST", "/api/reports", api_report_new, R_STORE | R_KEY | R_JSON},
    {"GET", "/api/reports/*", api_report_get, R_STORE},
    {"PUT", "/api/reports/*", api_report_put, R_STORE | R_KEY | R_JSON},
    {"POST", "/api/reports/*/submit", api_report_submit,
        R_STORE | R_KEY | R_JSON},
    {"POST", "/api/reports/*/amend", api_report_amend,
        R_STORE | R_KEY | R_JSON},
    {"GET", "/api/proposals", api_proposals, R_STORE},
    {"GET", "/api/handovers", api_handovers, R_STORE},
    {"POST", "/api/handovers", api_handover_add, R_STORE | R_KEY | R_JSON},
    {"GET", "/api/quarantine", api_quarantine, R_STORE},
    {"GET", "/api/receipts", api_receipts, R_STORE},
    {"POST", "/api/receipts/verify", api_receipts_verify, R_STORE},
    {"GET", "/api/admin/cadres", api_admin_cadres, R_STORE},
    {"POST", "/api/admin/cadres", api_admin_cadre_add,
        R_STORE | R_KEY | R_JSON},
    {"GET", "/api/admin/assignments", api_admin_assignments, R_STORE},
    {"POST", "/api/admin/assignments", api_admin_assign,
        R_STORE | R_KEY | R_JSON},
    {"GET", "/api/admin/units", api_admin_units, R_STORE},
    {"POST", "/api/admin/units/import", api_admin_units_import,
        R_STORE | R_KEY | R_FILE},
    {"GET", "/api/admin/tokens", api_admin_tokens, R_STORE},
    {"POST", "/api/admin/tokens", api_admin_token_new,
        R_STORE | R_KEY | R_JSON},
    {"POST", "/api/admin/rotate", api_admin_rotate, R_STORE | R_KEY | R_JSON},
    {"POST", "/api/admin/import/cadres", api_admin_import_cadres,
        R_STORE | R_KEY | R_FILE},
    {"POST", "/api/admin/import/assignments", api_admin_import_assignments,
        R_STORE | R_KEY | R_FILE},
    {"GET", "/api/admin/proposals", api_admin_proposals, R_STORE},
    {"POST", "/api/admin/proposals/*/answer", api_admin_answer,
        R_STORE | R_KEY | R_JSON},
};

#define NROUTES (sizeof(routes) / sizeof(routes[0]))

/* Whether path matches pattern; the '*' segment into rq->argbuf. */
static int
matches(const char *pat, const char *path, struct req *rq)
{
	size_t n;

	while (*pat != 0 && *pat == *path && *pat != '*') {
		pat++;
		path++;
	}
	if (*pat == '*') {
		n = strcspn(path, "/");
		if (n == 0 || n >= sizeof(rq->argbuf)) {
			return 0;
		}
		memcpy(rq->argbuf, path, n);
		rq->argbuf[n] = 0;
		rq->arg       = rq->argbuf;
		return strcmp(pat + 1, path + n) == 0;
	}
	return *pat == 0 && *path == 0;
}

/* The JSON body of a R_JSON route: an object (an empty body is {}). */
static int
json_body(struct req *rq)
{
	json_error_t e;

	if (rq->body_len > API_JSON_MAX) {
		api_fail(rq, "too_big", NULL, NULL);
		return -1;
	}
	rq->in = rq->body_len == 0
	    ? json_object()
	    : json_loadb((const char *) rq->body, rq->body_len,
	        JSON_REJECT_DUPLICATES, &e);
	if (rq->in == NULL || !json_is_object(rq->in)) {
		api_fail(rq, "bad_json", NULL, rq->in == NULL ? e.text : NULL);
		return -1;
	}
	return 0;
}

/* What the route needs of the store and the key: 0, or -1 answered. */
static int
ready_for(struct req *rq, int flags)
{
	if ((flags & R_STORE) && rq->w->state == APP_NEW) {
		api_fail(rq, "no_store", NULL, NULL);
		return -1;
	}
	if ((flags & R_KEY) && rq->w->state != APP_READY) {
		api_fail(rq, "locked", NULL, NULL);
		return -1;
	}
	if ((flags & R_JSON) && json_body(rq) != 0) {
		return -1;
	}
	return 0;
}

void
api_dispatch(struct req *rq)
{
	size_t i;
	int path_seen = 0;

	for (i = 0; i < NROUTES; i++) {
		rq->arg = NULL;
		if (!matches(routes[i].path, rq->path, rq)) {
			continue;
		}
		path_seen = 1;
		if (strcmp(routes[i].method, rq->method) == 0
		    || (strcmp(routes[i].method, "GET") == 0
		        && strcmp(rq->method, "HEAD") == 0)) {
			break;
		}
	}
	if (i == NROUTES) {
		api_fail(rq, path_seen ? "method" : "not_found", NULL, NULL);
		return;
	}
	if (ready_for(rq, routes[i].flags) == 0) {
		routes[i].fn(rq);
	}
}
