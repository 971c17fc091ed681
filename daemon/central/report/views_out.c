/*
 * views_out.c: the views' sheets (views.h, view_write): which arrays of
 * each view's JSON become which table, with Vietnamese headers.
 */
#include <stdio.h>
#include <string.h>

#include "report_out.h"
#include "views.h"

#define N(a) (sizeof(a) / sizeof(a[0]))

#define COUNTS(p)                                                           \
	{p "counts.expected", "Phải nộp", RCOL_NUM},                        \
	    {p "counts.received", "Đã nhận", RCOL_NUM},                     \
	    {p "counts.on_time", "Đúng hạn", RCOL_NUM},                     \
	    {p "counts.late", "Trễ hạn", RCOL_NUM},                         \
	    {p "counts.offline_late", "Gửi muộn do ngoại tuyến", RCOL_NUM}, \
	    {p "counts.missing", "Chưa nộp", RCOL_NUM},                     \
	    {p "counts.pending", "Chưa đến hạn", RCOL_NUM},                 \
	{                                                                   \
		p "counts.rate_permille", "Tỷ lệ nộp (‰)", RCOL_NUM         \
	}

static const struct report_column ov_units[]
    = {{"unit", "Mã đơn vị", RCOL_TEXT}, {"name", "Đơn vị", RCOL_TEXT},
        {"parent", "Thuộc", RCOL_TEXT}, COUNTS("")};
static const struct report_column ov_sectors[]
    = {{"sector", "Khối / lĩnh vực", RCOL_WORD}, COUNTS("")};
static const struct report_column ov_cadres[]
    = {{"cadre", "Mã cán bộ", RCOL_TEXT}, {"name", "Cán bộ", RCOL_TEXT},
        COUNTS("")};
static const struct report_column ov_reports[] = {
    {"cadre", "Mã cán bộ", RCOL_TEXT},
    {"name", "Cán bộ", RCOL_TEXT},
    {"unit", "Đơn vị", RCOL_TEXT},
    {"district", "Huyện", RCOL_TEXT},
    {"period", "Kỳ báo cáo", RCOL_TEXT},
    {"status", "Trạng thái", RCOL_WORD},
    {"due", "Hạn nộp", RCOL_DATE},
    {"submitted", "Ngày ký", RCOL_DATE},
    {"received", "Ngày nhận", RCOL_DATE},
    {"skew_ms", "Lệch đồng hồ (giây)", RCOL_SECS},
    {"complete", "Đầy đủ", RCOL_BOOL},
    {"signature", "Chữ ký", RCOL_WORD},
    {"key_revoked", "Khóa đã thu hồi", RCOL_BOOL},
    {"id", "Mã báo cáo", RCOL_TEXT},
};
static const struct report_sheet_spec overview[] = {
    {"Huyện", "districts", NULL, ov_units, N(ov_units)},
    {"Khối", "sectors", NULL, ov_sectors, N(ov_sectors)},
    {"Xã", "communes", NULL, ov_units, N(ov_units)},
    {"Thôn", "villages", NULL, ov_units, N(ov_units)},
    {"Cán bộ", "cadres", NULL, ov_cadres, N(ov_cadres)},
    {"Báo cáo", "reports", NULL, ov_reports, N(ov_reports)},
};

static const struct report_column cov_gap[]
    = {{"unit", "Mã đơn vị", RCOL_TEXT}, {"name", "Đơn vị", RCOL_TEXT},
        {"level", "Cấp", RCOL_NUM},
        {"since", "Không có người phụ trách từ", RCOL_DATE}};
static const struct report_column cov_unvisited[]
    = {{"unit", "Mã đơn vị", RCOL_TEXT}, {"name", "Đơn vị", RCOL_TEXT},
        {"level", "Cấp", RCOL_NUM},
        {"assignees", "Số người được phân công", RCOL_NUM}};
static const struct report_column cov_idle[]
    = {{"cadre", "Mã cán bộ", RCOL_TEXT}, {"name", "Cán bộ", RCOL_TEXT}};
static const struct report_column cov_hand[] = {
    {"unit", "Mã đơn vị", RCOL_TEXT},
    {"from_name", "Cán bộ chuyển đi", RCOL_TEXT},
    {"ended", "Ngày kết thúc", RCOL_DATE},
    {"to_name", "Cán bộ nhận", RCOL_TEXT},
    {"started", "Ngày bắt đầu", RCOL_DATE},
    {"handover.date", "Ngày bàn giao", RCOL_DATE},
};
static const struct report_sheet_spec coverage[] = {
    {"Chưa có người phụ trách", "unassigned", NULL, cov_gap, N(cov_gap)},
    {"Chưa được thăm trong kỳ", "unvisited", NULL, cov_unvisited,
        N(cov_unvisited)},
    {"Cán bộ chưa đi thăm", "cadres_without_visit", NULL, cov_idle,
        N(cov_idle)},
    {"Bàn giao khi luân chuyển", "handovers", NULL, cov_hand, N(cov_hand)},
};

static const struct report_column prop_cols[] = {
    {"id", "Mã kiến nghị", RCOL_TEXT},
    {"date", "Ngày", RCOL_DATE},
    {"age_days", "Số ngày", RCOL_NUM},
    {"status", "Trạng thái", RCOL_WORD},
    {"overdue", "Quá hạn", RCOL_BOOL},
    {"unit", "Mã đơn vị", RCOL_TEXT},
    {"unit_name", "Đơn vị", RCOL_TEXT},
    {"name", "Cán bộ", RCOL_TEXT},
    {"sector", "Khối / lĩnh vực", RCOL_TEXT},
    {"routed_to", "Chuyển đến", RCOL_TEXT},
    {"text", "Nội dung kiến nghị", RCOL_TEXT},
};
static const struct report_column prop_answers[] = {
    {"^id", "Mã kiến nghị", RCOL_TEXT},
    {"date", "Ngày trả lời", RCOL_DATE},
    {"status", "Trạng thái", RCOL_WORD},
    {"by_name", "Người trả lời", RCOL_TEXT},
    {"text", "Nội dung trả lời", RCOL_TEXT},
};
#define TALLY(k, h)                                             \
	{                                                       \
		{k, h, RCOL_WORD}, {"total", "Tổng", RCOL_NUM}, \
		    {"open", "Chưa trả lời", RCOL_NUM},         \
		    {"answered", "Đã trả lời", RCOL_NUM},       \
		    {"overdue", "Quá hạn", RCOL_NUM},           \
		    {"resolved", "Đã giải quyết", RCOL_NUM},    \
		{                                               \
			"declined", "Không chấp nhận", RCOL_NUM \
		}                                               \
	}
static const struct report_column prop_sector[]
    = TALLY("sector", "Khối / lĩnh vực");
static const struct report_column prop_unit[] = TALLY("unit", "Mã đơn vị");
static const struct report_sheet_spec proposals[] = {
    {"Kiến nghị", "proposals", NULL, prop_cols, N(prop_cols)},
    {"Trả lời", "proposals", "answers", prop_answers, N(prop_answers)},
    {"Theo khối", "by_sector", NULL, prop_sector, N(prop_sector)},
    {"Theo đơn vị", "by_unit", NULL, prop_unit, N(prop_unit)},
};

static const struct report_column quar_cols[] = {
    {"position", "Vị trí trong nhật ký", RCOL_NUM},
    {"received_ms", "Ngày nhận", RCOL_MS},
    {"cadre", "Mã cán bộ", RCOL_TEXT},
    {"cadre_name", "Cán bộ", RCOL_TEXT},
    {"name", "Mã lý do", RCOL_TEXT},
    {"message_vi", "Lý do", RCOL_TEXT},
    {"author", "Khóa ký", RCOL_TEXT},
    {"id", "Mã bộ thay đổi", RCOL_TEXT},
};
static const struct report_column quar_reasons[] = {
    {"name", "Mã lý do", RCOL_TEXT},
    {"message_vi", "Lý do", RCOL_TEXT},
    {"count", "Số lượng", RCOL_NUM},
};
static const struct report_sheet_spec quarantine[] = {
    {"Bị từ chối", "entries", NULL, quar_cols, N(quar_cols)},
    {"Theo lý do", "by_reason", NULL, quar_reasons, N(quar_reasons)},
};

static const struct report_column dev_cols[] = {
    {"cadre", "Mã cán bộ", RCOL_TEXT},
    {"name", "Cán bộ", RCOL_TEXT},
    {"role", "Vai trò", RCOL_WORD},
    {"last_seen_ms", "Lần cuối liên lạc", RCOL_MS},
    {"last_received_ms", "Lần cuối gửi dữ liệu", RCOL_MS},
    {"days_since_received", "Số ngày chưa gửi", RCOL_NUM},
    {"skew_ms", "Lệch đồng hồ (giây)", RCOL_SECS},
    {"revoked", "Đã thu hồi", RCOL_BOOL},
    {"revoked_ms", "Ngày thu hồi", RCOL_MS},
    {"key_id", "Mã khóa", RCOL_TEXT},
};
static const struct report_sheet_spec devices[] = {
    {"Thiết bị", "devices", NULL, dev_cols, N(dev_cols)},
};

static const struct report_column trend_cols[] = {
    {"period", "Kỳ", RCOL_TEXT},
    COUNTS(""),
};
static const struct report_sheet_spec trend[] = {
    {"Tỷ lệ nộp theo quý", "quarters", NULL, trend_cols, N(trend_cols)},
    {"Kiến nghị theo khối", "proposals_by_sector", NULL, prop_sector,
        N(prop_sector)},
};

static const struct report_column audit_cols[] = {
    {"size", "Kích thước cây", RCOL_NUM},
    {"note", "Điểm kiểm tra (ghi chú có chữ ký)", RCOL_TEXT},
};
static const struct report_sheet_spec audit[] = {
    {"Điểm kiểm tra", "checkpoints", NULL, audit_cols, N(audit_cols)},
};

static const struct {
	const struct report_sheet_spec *specs;
	size_t n;
	const char *title;
} views[VIEW_COUNT] = {
    {overview, N(overview), "Tổng quan nộp báo cáo"},
    {coverage, N(coverage), "Phạm vi phụ trách"},
    {proposals, N(proposals), "Kiến nghị"},
    {quarantine, N(quarantine), "Dữ liệu bị từ chối"},
    {devices, N(devices), "Thiết bị"},
    {trend, N(trend), "Xu hướng"},
    {audit, N(audit), "Kiểm toán"},
};

/* The table's caption: the view, its period, its scope, the day. */
static void
caption(const json_t *doc, enum view_kind k, char *buf, size_t size)
{
	const char *period = json_string_value(json_object_get(doc, "period"));
	const json_t *sc   = json_object_get(doc, "scope");
	const char *unit   = json_string_value(json_object_get(sc, "unit"));
	const char *sector = json_string_value(json_object_get(sc, "sector"));
	char today[11];

	coso_date_format(today,
	    (int32_t) json_integer_value(json_object_get(doc, "as_of")));
	snprintf(buf, size, "%s%s%s%s%s%s%s, tính đến ngày %s", views[k].title,
	    period ? " kỳ " : "", period ? period : "",
	    unit ? ", đơn vị " : "", unit ? unit : "", sector ? ", khối " : "",
	    sector ? sector : "", today);
	if (k == VIEW_AUDIT) {
		const char *vkey
		    = json_string_value(json_object_get(doc, "vkey"));
		const char *note = json_string_value(json_object_get(
		    json_object_get(doc, "checkpoint"), "note"));

		snprintf(buf, size, "%s: %s\n%s", views[k].title,
		    vkey != NULL ? vkey : "",
		    note != NULL ? note : "(chưa có điểm kiểm tra)");
	}
}

int
view_write(const json_t *doc, enum view_kind k, int fmt, const char *path,
    char errmsg[static REPORT_ERRMSG_MAX])
{
	char cap[1024];

	if ((unsigned) k >= VIEW_COUNT) {
		snprintf(errmsg, REPORT_ERRMSG_MAX, "no such view");
		return COSO_EINVAL;
	}
	caption(doc, k, cap, sizeof(cap));
	return report_write_view(
	    doc, cap, views[k].specs, views[k].n, fmt, path, errmsg);
}
