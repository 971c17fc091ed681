/*
 * report_print.c: `coso report print ID --output FILE.odt`: the quarterly
 * report laid out as the Organisation Committee's form, for printing and
 * signing by hand.
 *
 * The header of a Party document (Đảng bộ tỉnh Lạng Sơn and the cadre on
 * the left, Đảng Cộng sản Việt Nam and the place and date on the right),
 * the title with the period and the unit, the four required sections
 * (I. Kết quả thực hiện nhiệm vụ with the period's figures first,
 * II. Tình hình, III. Khó khăn, vướng mắc, IV. Kiến nghị, đề xuất), and
 * the signature block.  The document is Vietnamese whatever the
 * language of the messages: it is the form itself.  A draft can be
 * printed to be read over; it says that it is one.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicase.h>
#include <uninorm.h>

#include "commands.h"
#include "i18n.h"
#include "odt.h"
#include "output.h"
#include "session.h"
#include "util.h"

/* What the form shows of the report (copies of the row's values). */
struct printed {
	char *id, *period, *unit, *unit_name, *status, *amends;
	char *sec[COSO_SEC_COUNT];
	int32_t submitted;
	int oom;
};

/* coso_row_cb: the report's own row (its proposals rows are the lines
 * of section IV already). */
static int
report_row(const struct coso_row *row, void *arg)
{
	static const char *const secs[COSO_SEC_COUNT]
	    = {"results", "situation", "difficulties", "proposals"};
	struct printed *p        = arg;
	const struct coso_kv *kv = out_find(row, "submitted");
	size_t i;

	if (strcmp(row->kind, "report") != 0) {
		return 0;
	}
	p->id        = out_strdup(row, "id", &p->oom);
	p->period    = out_strdup(row, "period", &p->oom);
	p->unit      = out_strdup(row, "unit", &p->oom);
	p->unit_name = out_strdup(row, "unit_name", &p->oom);
	p->status    = out_strdup(row, "status", &p->oom);
	p->amends    = out_strdup(row, "amends", &p->oom);
	for (i = 0; i < COSO_SEC_COUNT; i++) {
		p->sec[i] = out_strdup(row, secs[i], &p->oom);
	}
	p->submitted
	    = kv != NULL && kv->type == COSO_VINT ? (int32_t) kv->i : 0;
	return 0;
}

static void
printed_free(struct printed *p)
{
	size_t i;

	free(p->id);
	free(p->period);
	free(p->unit);
	free(p->unit_name);
	free(p->status);
	free(p->amends);
	for (i = 0; i < COSO_SEC_COUNT; i++) {
		free(p->sec[i]);
	}
}

/* "quý IV năm 2025", "6 tháng đầu năm 2025", "năm 2025". */
static void
period_words(char *out, size_t n, const char *period)
{
	static const char *const roman[] = {"I", "II", "III", "IV"};
	int y                            = atoi(period);

	if (strlen(period) == 7 && period[5] == 'Q' && period[6] >= '1'
	    && period[6] <= '4') {
		snprintf(out, n, "quý %s năm %d", roman[period[6] - '1'], y);
	} else if (strlen(period) == 7 && period[5] == 'H') {
		snprintf(out, n, "6 tháng %s năm %d",
		    period[6] == '1' ? "đầu" : "cuối", y);
	} else {
		snprintf(out, n, "năm %d", y);
	}
}

/* "Lạng Sơn, ngày 05 tháng 01 năm 2026": a day below 10 and the months
 * 1 and 2 written with a 0 in front (Decree 30/2020/NĐ-CP). */
static void
place_date(char *out, size_t n, int32_t date)
{
	int d = date % 100, m = date / 100 % 100, y = date / 10000;

	snprintf(out, n, "Lạng Sơn, ngày %02d tháng %s%d năm %d", d,
	    m <= 2 ? "0" : "", m, y);
}

/* 1500000 as "1.500.000". */
static void
grouped(char *out, size_t n, int64_t v)
{
	char digits[32];
	size_t len, i, k = 0;

	snprintf(digits, sizeof(digits), "%" PRId64, v < 0 ? -v : v);
	len = strlen(digits);
	if (v < 0 && k + 1 < n) {
		out[k++] = '-';
	}
	for (i = 0; i < len && k + 2 < n; i++) {
		if (i > 0 && (len - i) % 3 == 0) {
			out[k++] = '.';
		}
		out[k++] = digits[i];
	}
	out[k] = 0;
}

/* A cell of the header or the signature block: paragraphs, no border. */
static void
open_cell(struct odt *d)
{
	odt_raw(d,
	    "<table:table-cell table:style-name=\"Open\" "
	    "office:value-type=\"string\">");
}

/* The header: the Party committee and the cadre; the Party's name, the
 * place and the date. */
static void
header(struct odt *d, const char *name, int32_t date)
{
	char line[160];
	uint8_t *up;
	size_t ulen = 0;

	odt_raw(d,
	    "<table:table table:name=\"Head\" table:style-name=\"Head\">"
	    "<table:table-column table:style-name=\"HeadL\"/>"
	    "<table:table-column table:style-name=\"HeadR\"/>"
	    "<table:table-row>");
	open_cell(d);
	odt_p(d, "Center", "ĐẢNG BỘ TỈNH LẠNG SƠN");
	/* the cadre's name in capitals, as a Party document's issuer */
	up = u8_toupper((const uint8_t *) name, strlen(name), "vi",
	    UNINORM_NFC, NULL, &ulen);
	snprintf(line, sizeof(line), "%.*s", (int) ulen,
	    up != NULL ? (const char *) up : name);
	odt_p(d, "CenterBold", "%s", up != NULL ? line : name);
	free(up);
	odt_p(d, "Center", "*");
	odt_raw(d, "</table:table-cell>");
	open_cell(d);
	odt_raw(d,
	    "<text:p text:style-name=\"CenterBold\">"
	    "<text:span text:style-name=\"Underline\">ĐẢNG CỘNG SẢN "
	    "VIỆT NAM</text:span></text:p>");
	odt_p(d, "Center", " ");
	place_date(line, sizeof(line), date);
	odt_p(d, "Place", "%s", line);
	odt_raw(d, "</table:table-cell></table:table-row></table:table>");
}

static void
figure_row(struct odt *d, const char *what, const char *value)
{
	odt_raw(d,
	    "<table:table-row><table:table-cell "
	    "table:style-name=\"Grid\" office:value-type=\"string\">");
	odt_p(d, "Plain", "%s", what);
	odt_raw(d,
	    "</table:table-cell><table:table-cell "
	    "table:style-name=\"Grid\" office:value-type=\"string\">");
	odt_p(d, "Center", "%s", value);
	odt_raw(d, "</table:table-cell></table:table-row>");
}

/* The period's figures, at the head of section I. */
static void
figures(struct odt *d, const struct printed *p, const struct coso_figures *f)
{
	char first[11], last[11], v[32];
	int32_t a = 0, b = 0;

	if (coso_period_parse(p->period, &a, &b) == COSO_OK) {
		coso_date_format(first, a);
		coso_date_format(last, b);
		odt_p(d, "Body",
		    "Số liệu trong kỳ (từ ngày %s đến ngày %s)%s %s và các "
		    "đơn vị trực thuộc:",
		    first, last,
		    f->own ? ", các chuyến đi cơ sở của người báo cáo tại"
		           : " trên địa bàn",
		    p->unit_name ? p->unit_name : p->unit);
	}
	odt_raw(d,
	    "<table:table table:name=\"Figures\">"
	    "<table:table-column table:style-name=\"FigL\"/>"
	    "<table:table-column table:style-name=\"FigR\"/>");
	snprintf(v, sizeof(v), "%" PRIu64, f->visits);
	figure_row(d, "Số lượt đi cơ sở", v);
	snprintf(v, sizeof(v), "%" PRIu64, f->units_visited);
	figure_row(d, "Số đơn vị đã đến", v);
	snprintf(v, sizeof(v), "%" PRIu64, f->outcomes);
	figure_row(d, "Số kết quả cụ thể", v);
	grouped(v, sizeof(v), f->amount_vnd);
	figure_row(d, "Kinh phí, giá trị hỗ trợ (đồng)", v);
	snprintf(v, sizeof(v), "%" PRIu64, f->proposals);
	figure_row(d, "Số kiến nghị, đề xuất", v);
	snprintf(v, sizeof(v), "%" PRIu64, f->proposals_answered);
	figure_row(d, "Trong đó đã được trả lời, giải quyết", v);
	odt_raw(d, "</table:table>");
}

/* A section: its heading and its text, a paragraph a line. */
static void
section(struct odt *d, const char *heading, const char *text)
{
	odt_p(d, "Heading", "%s", heading);
	if (text == NULL || text[0] == 0) {
		odt_p(d, "Body", "(chưa có nội dung)");
		return;
	}
	odt_lines(d, "Body", text);
}

static void
signature(struct odt *d, const char *name)
{
	odt_raw(d,
	    "<table:table table:name=\"Sign\" table:style-name=\"Head\">"
	    "<table:table-column table:style-name=\"HeadL\"/>"
	    "<table:table-column table:style-name=\"HeadR\"/>"
	    "<table:table-row>");
	open_cell(d);
	odt_raw(d,
	    "<text:p text:style-name=\"Small\"><text:span "
	    "text:style-name=\"Bold\">Nơi nhận:</text:span></text:p>");
	odt_p(d, "Small", "- Ban Tổ chức Tỉnh ủy;");
	odt_p(d, "Small", "- Lưu.");
	odt_raw(d, "</table:table-cell>");
	open_cell(d);
	odt_p(d, "CenterBold", "NGƯỜI BÁO CÁO");
	odt_p(d, "SmallItalic", "(Ký, ghi rõ họ tên)");
	odt_p(d, "Center", " ");
	odt_p(d, "Center", " ");
	odt_p(d, "Center", " ");
	odt_p(d, "CenterBold", "%s", name);
	odt_raw(d, "</table:table-cell></table:table-row></table:table>");
}

/* The whole form into d. */
static void
layout(struct odt *d, const struct printed *p, const struct coso_status *st,
    const struct coso_figures *f, int32_t today)
{
	int draft = p->status == NULL || strcmp(p->status, "submitted") != 0;
	char words[64], shown[11];

	header(d, st->name, draft || p->submitted == 0 ? today : p->submitted);
	if (draft) {
		odt_p(d, "CenterBold", "BẢN NHÁP – báo cáo chưa nộp");
	}
	period_words(words, sizeof(words), p->period);
	odt_p(d, "Title", "BÁO CÁO");
	odt_p(d, "CenterBold",
	    "Kết quả thực hiện nhiệm vụ theo dõi, phụ trách cơ sở");
	odt_p(d, "CenterBold", "%s – %s (mã %s)", words,
	    p->unit_name ? p->unit_name : p->unit, p->unit);
	odt_p(d, "Center", "-----");
	if (p->amends != NULL) {
		odt_p(d, "Body", "Báo cáo này đính chính báo cáo mã %s.",
		    p->amends);
	}
	odt_p(d, "Body",
	    "Thực hiện Nghị quyết số 77-NQ/TU và Quy định số 1434-QĐ/TU của "
	    "Tỉnh ủy Lạng Sơn về cán bộ theo dõi, phụ trách cơ sở, tôi báo "
	    "cáo kết quả thực hiện nhiệm vụ %s như sau:",
	    words);
	odt_p(d, "Heading", "I. KẾT QUẢ THỰC HIỆN NHIỆM VỤ");
	figures(d, p, f);
	odt_lines(d, "Body", p->sec[COSO_SEC_RESULTS]);
	section(d, "II. TÌNH HÌNH", p->sec[COSO_SEC_SITUATION]);
	section(d, "III. KHÓ KHĂN, VƯỚNG MẮC", p->sec[COSO_SEC_DIFFICULTIES]);
	section(d, "IV. KIẾN NGHỊ, ĐỀ XUẤT", p->sec[COSO_SEC_PROPOSALS]);
	signature(d, st->name);
	if (!draft && p->submitted != 0) {
		coso_date_format(shown, p->submitted);
		odt_p(d, "Small",
		    "Báo cáo đã ký số và nộp qua coso ngày %s; mã báo cáo %s, "
		    "cán bộ %s.",
		    shown, p->id, st->cadre_id);
	}
}

/* The file's kind from its name: 0 .odt, 1 .fodt, -1 neither. */
static int
flat_of(const char *path)
{
	size_t n = strlen(path);

	if (n > 4 && strcmp(path + n - 4, ".odt") == 0) {
		return 0;
	}
	return n > 5 && strcmp(path + n - 5, ".fodt") == 0 ? 1 : -1;
}

/* Reads what the form needs and lays it out into d. */
static int
compose(struct coso_store *s, const char *hex, struct odt *d)
{
	const char *what      = _("cannot print report");
	struct printed p      = {0};
	struct coso_status st = {0};
	struct coso_figures f = {0};
	int e, rv = 0;

	if ((e = coso_report_show(s, hex, report_row, &p)) != COSO_OK
	    || (e = coso_status_get(s, &st)) != COSO_OK) {
		rv = cli_store_fail(s, what, e);
	} else if (p.oom || p.period == NULL || p.unit == NULL) {
		rv = cli_fail(what, COSO_ENOMEM, "");
	} else if ((e = coso_report_figures(s, p.period, p.unit, &f))
	    != COSO_OK) {
		rv = cli_store_fail(s, what, e);
	} else {
		layout(d, &p, &st, &f, coso_date_of_ms(coso_wall_ms()));
	}
	printed_free(&p);
	return rv;
}

int
cmd_report_print(const struct cli_opts *g, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {NULL, 0, NULL, 0},
	};
	struct coso_store *s = NULL;
	const char *out      = NULL;
	struct odt d         = {0};
	int c, e, flat, rv;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c != 'o') {
			return EXIT_USAGE;
		}
		out = optarg;
	}
	if (optind != argc - 1 || out == NULL) {
		return EXIT_USAGE;
	}
	if ((flat = flat_of(out)) < 0) {
		util_err(_("cannot print report: `%s': the file name ends in "
		           ".odt (or .fodt, one XML file)"),
		    out);
		return EXIT_FAIL;
	}
	if ((rv = cli_open(g, &s)) != 0) {
		return rv;
	}
	if (odt_begin(&d) != 0) {
		rv = cli_fail(_("cannot print report"), COSO_ENOMEM, "");
	} else if ((rv = compose(s, argv[optind], &d)) == 0
	    && (e = odt_save(&d, out, flat)) != 0) {
		util_err(_("cannot write `%s': %s"), out, strerror(e));
		rv = EXIT_FAIL;
	}
	odt_free(&d);
	coso_store_close(s);
	return rv;
}
