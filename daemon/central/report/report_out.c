/*
 * report_out.c: the reports as tables, CSV, XLSX and JSON (report_out.h).
 *
 * Each report is first laid out as sheets (a title, Vietnamese column
 * headers, rows of text or number cells); one writer per format then
 * prints the sheets, so the three human formats always agree.
 */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include <coso/common.h>

#include "report_out.h"

#define SHEETS_MAX 8
#define COLS_MAX   16
#define NUM_MAX    24 /* an int64 in decimal, its sign and a NUL */
/* A text table's column is at most this many terminal columns wide: a
 * longer cell wraps onto further lines of its row. */
#define TABLE_WIDTH_MAX 60

/* How a spreadsheet shows a cell (XLSX): dates as real dates, amounts
 * with thousands grouped; tables and CSV show the text or the digits. */
enum cell_fmt {
	FMT_NONE  = 0,
	FMT_DATE  = 1, /* text dd/mm/yyyy, n the YYYYMMDD date */
	FMT_MONEY = 2, /* a number of dong */
};

struct cell {
	int num; /* a number (n), else text (s, malloc'd) */
	int64_t n;
	char *s;
	enum cell_fmt fmt;
};

struct sheet {
	const char *title; /* also the XLSX sheet name (<= 31 chars) */
	const char *const *heads;
	size_t ncols, nrows, cap;
	struct cell *cells; /* nrows * ncols */
	int oom;
};

struct book {
	char *caption; /* the text table's first line (malloc'd), or NULL */
	struct sheet sheets[SHEETS_MAX];
	size_t n;
};

int
report_format_parse(const char *name)
{
	static const char *const names[] = {"table", "csv", "json", "xlsx"};
	int i;

	for (i = 0; name != NULL && i < 4; i++) {
		if (strcmp(name, names[i]) == 0) {
			return i;
		}
	}
	return -1;
}

/* ---- building sheets
 * ----------------------------------------------------------
 */

static struct sheet *
sheet_add(
    struct book *b, const char *title, const char *const *heads, size_t ncols)
{
	struct sheet *s = &b->sheets[b->n++];

	s->title = title;
	s->heads = heads;
	s->ncols = ncols;
	return s;
}

/* Room for one more row (s->oom set if none). */
static void
sheet_room(struct sheet *s)
{
	size_t used = s->nrows * s->ncols, ncap;
	struct cell *c;

	if (s->oom || used + s->ncols <= s->cap) {
		return;
	}
	ncap = s->cap ? s->cap * 2 : 64 * s->ncols;
	if ((c = realloc(s->cells, ncap * sizeof(*c))) == NULL) {
		s->oom = 1;
		return;
	}
	s->cells = c;
	s->cap   = ncap;
}

/* Row building: row_start, then one put per column. */
struct rowb {
	struct sheet *s;
	size_t col;
	struct cell row[COLS_MAX];
};

static void
row_start(struct rowb *r, struct sheet *s)
{
	memset(r, 0, sizeof(*r));
	r->s = s;
}

static void
put_num(struct rowb *r, int64_t n)
{
	r->row[r->col].num = 1;
	r->row[r->col++].n = n;
}

static void
put_str(struct rowb *r, const char *s)
{
	if ((r->row[r->col++].s = strdup(s != NULL ? s : "")) == NULL) {
		r->s->oom = 1;
	}
}

static void
put_money(struct rowb *r, int64_t n)
{
	r->row[r->col].fmt = FMT_MONEY;
	put_num(r, n);
}

static void
put_date(struct rowb *r, int32_t date)
{
	char d[11];

	if (date == 0) {
		put_str(r, "");
		return;
	}
	coso_date_format(d, date);
	r->row[r->col].fmt = FMT_DATE;
	r->row[r->col].n   = date;
	put_str(r, d);
}

static void
row_end(struct rowb *r)
{
	struct sheet *s = r->s;
	size_t i;

	sheet_room(s);
	if (s->oom) {
		for (i = 0; i < r->col; i++) {
			free(r->row[i].s);
		}
		return;
	}
	memcpy(&s->cells[s->nrows * s->ncols], r->row,
	    s->ncols * sizeof(struct cell));
	s->nrows++;
}

static void
book_free(struct book *b)
{
	size_t i, k;

	for (i = 0; i < b->n; i++) {
		for (k = 0; k < b->sheets[i].nrows * b->sheets[i].ncols; k++) {
			free(b->sheets[i].cells[k].s);
		}
		free(b->sheets[i].cells);
	}
	free(b->caption);
}

/* The text table's caption, printf-style; oom noted on the first sheet
 * (every book has one) if it cannot be made. */
static void book_caption(struct book *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
book_caption(struct book *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (b->caption = malloc((size_t) n + 1)) == NULL) {
		b->sheets[0].oom = 1;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(b->caption, (size_t) n + 1, fmt, ap);
	va_end(ap);
}

static int
book_oom(const struct book *b)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		if (b->sheets[i].oom) {
			return 1;
		}
	}
	return 0;
}

/* ---- writers
 * ------------------------------------------------------------------
 */

/* The cell as text: c->s, or its number written into num. */
static const char *
cell_text(const struct cell *c, char num[static NUM_MAX])
{
	if (!c->num) {
		return c->s;
	}
	snprintf(num, NUM_MAX, "%" PRId64, c->n);
	return num;
}

/* Terminal columns of s (coso_text_cols: a letter with its marks is
 * one). */
static size_t
width(const char *s)
{
	return coso_text_cols(s, strlen(s));
}

/* The width s takes in a table column: longer text wraps. */
static size_t
table_width(const char *s)
{
	size_t w = width(s);

	return w < TABLE_WIDTH_MAX ? w : TABLE_WIDTH_MAX;
}

static void
pad(FILE *f, size_t n)
{
	while (n-- > 0) {
		fputc(' ', f);
	}
}

/* The width of each column: its widest cell or header, at most
 * TABLE_WIDTH_MAX. */
static void
table_widths(const struct sheet *s, size_t w[static COLS_MAX])
{
	char num[NUM_MAX];
	size_t i, k, t;

	for (k = 0; k < s->ncols; k++) {
		w[k] = table_width(s->heads[k]);
		for (i = 0; i < s->nrows; i++) {
			t = table_width(
			    cell_text(&s->cells[i * s->ncols + k], num));
			w[k] = t > w[k] ? t : w[k];
		}
	}
}

/* A cell's text with line breaks and tabs as spaces (a row's lines are
 * its own); malloc'd, NULL if out of memory. */
static char *
flat(const char *s)
{
	char *d = strdup(s), *p;

	for (p = d; p != NULL && *p != 0; p++) {
		*p = *p == '\n' || *p == '\r' || *p == '\t' ? ' ' : *p;
	}
	return d;
}

/*
 * One row (or the header, cells NULL): text wider than its column wraps
 * at spaces onto further lines, never cut, so that a list of unit codes
 * or a proposal is read whole; numbers are right-aligned.
 */
static void
table_row(FILE *f, const struct sheet *s, const struct cell *cells,
    const size_t w[static COLS_MAX])
{
	const char *rest[COLS_MAX], *line;
	char num[NUM_MAX], *text[COLS_MAX];
	size_t k, n;
	int more = 1;

	for (k = 0; k < s->ncols; k++) {
		text[k]
		    = flat(cells ? cell_text(&cells[k], num) : s->heads[k]);
		rest[k] = text[k] != NULL ? text[k] : "";
	}
	while (more) {
		more = 0;
		for (k = 0; k < s->ncols; k++) {
			fputs(k ? "  " : "", f);
			line = coso_text_line(&rest[k], w[k], &n);
			if (cells != NULL && cells[k].num) {
				pad(f, w[k] - coso_text_cols(line, n));
			}
			fwrite(line, 1, n, f);
			more |= rest[k][0] != 0;
			if ((cells == NULL || !cells[k].num)
			    && k + 1 < s->ncols) {
				pad(f, w[k] - coso_text_cols(line, n));
			}
		}
		fputc('\n', f);
	}
	for (k = 0; k < s->ncols; k++) {
		free(text[k]);
	}
}

static void
table_sheet(FILE *f, const struct sheet *s)
{
	size_t w[COLS_MAX], i;

	table_widths(s, w);
	fprintf(f, "%s\n", s->title);
	table_row(f, s, NULL, w);
	for (i = 0; i < s->nrows; i++) {
		table_row(f, s, &s->cells[i * s->ncols], w);
	}
}

/* CSV of every sheet, one after another, a blank line between; a sheet
 * starts with its header row (its title is not printed).  Text goes
 * through the client library's cell writer (formulas neutralised);
 * numbers are written as numbers. */
static void
csv_book(FILE *f, const struct book *b)
{
	size_t i, r, k;

	fputs("\xEF\xBB\xBF", f);
	for (i = 0; i < b->n; i++) {
		const struct sheet *s = &b->sheets[i];

		fputs(i ? "\r\n" : "", f);
		for (k = 0; k < s->ncols; k++) {
			fputs(k ? "," : "", f);
			coso_csv_cell(f, s->heads[k]);
		}
		fputs("\r\n", f);
		for (r = 0; r < s->nrows; r++) {
			for (k = 0; k < s->ncols; k++) {
				const struct cell *c
				    = &s->cells[r * s->ncols + k];

				fputs(k ? "," : "", f);
				if (c->num) {
					fprintf(f, "%" PRId64, c->n);
				} else {
					coso_csv_cell(f, c->s);
				}
			}
			fputs("\r\n", f);
		}
	}
}

/* The formats of a workbook's cells. */
struct xlsx_fmts {
	lxw_format *bold, *date, *money;
};

/* One cell of a row into ws. */
static lxw_error
xlsx_cell(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
    const struct cell *c, const struct xlsx_fmts *f)
{
	lxw_datetime dt = {0};

	if (c->fmt == FMT_DATE) {
		/* a date the spreadsheet can sort and count days with,
		 * shown dd/mm/yyyy */
		dt.year  = (int) (c->n / 10000);
		dt.month = (int) (c->n / 100 % 100);
		dt.day   = (int) (c->n % 100);
		return worksheet_write_datetime(ws, row, col, &dt, f->date);
	}
	if (c->num) {
		return worksheet_write_number(ws, row, col, (double) c->n,
		    c->fmt == FMT_MONEY ? f->money : NULL);
	}
	return worksheet_write_string(ws, row, col, c->s, NULL);
}

/* Each column as wide as its widest cell (at most 60 characters), so
 * that the office opens a readable sheet. */
static void
xlsx_widths(lxw_worksheet *ws, const struct sheet *s)
{
	char num[NUM_MAX];
	size_t k, r, w, t;

	for (k = 0; k < s->ncols; k++) {
		w = width(s->heads[k]);
		for (r = 0; r < s->nrows; r++) {
			const struct cell *c = &s->cells[r * s->ncols + k];

			t = width(cell_text(c, num))
			    + (c->fmt == FMT_MONEY ? 4 : 0);
			w = t > w ? t : w;
		}
		w = w > TABLE_WIDTH_MAX ? TABLE_WIDTH_MAX : w;
		worksheet_set_column(
		    ws, (lxw_col_t) k, (lxw_col_t) k, (double) w + 2, NULL);
	}
}

/* One sheet into ws; the first error of libxlsxwriter (a string over its
 * 32767 characters is refused, not cut), else LXW_NO_ERROR. */
static lxw_error
xlsx_sheet(lxw_worksheet *ws, const struct sheet *s, const struct xlsx_fmts *f)
{
	lxw_error e = LXW_NO_ERROR;
	size_t r, k;

	for (k = 0; e == LXW_NO_ERROR && k < s->ncols; k++) {
		e = worksheet_write_string(
		    ws, 0, (lxw_col_t) k, s->heads[k], f->bold);
	}
	for (r = 0; e == LXW_NO_ERROR && r < s->nrows; r++) {
		for (k = 0; e == LXW_NO_ERROR && k < s->ncols; k++) {
			e = xlsx_cell(ws, (lxw_row_t) r + 1, (lxw_col_t) k,
			    &s->cells[r * s->ncols + k], f);
		}
	}
	if (e == LXW_NO_ERROR) {
		xlsx_widths(ws, s);
	}
	return e;
}

static int
xlsx_book(const struct book *b, const char *path, char *errmsg)
{
	lxw_workbook *wb = workbook_new(path);
	lxw_error e      = LXW_NO_ERROR, ce;
	struct xlsx_fmts f;
	lxw_worksheet *ws;
	size_t i;

	if (wb == NULL) {
		snprintf(
		    errmsg, REPORT_ERRMSG_MAX, "cannot write `%.300s'", path);
		return COSO_EIO;
	}
	f.bold  = workbook_add_format(wb);
	f.date  = workbook_add_format(wb);
	f.money = workbook_add_format(wb);
	format_set_bold(f.bold);
	format_set_num_format(f.date, "dd/mm/yyyy");
	/* grouped thousands: 1.500.000 in a Vietnamese spreadsheet */
	format_set_num_format(f.money, "#,##0");
	for (i = 0; e == LXW_NO_ERROR && i < b->n; i++) {
		if ((ws = workbook_add_worksheet(wb, b->sheets[i].title))
		    == NULL) {
			e = LXW_ERROR_MEMORY_MALLOC_FAILED;
		} else {
			e = xlsx_sheet(ws, &b->sheets[i], &f);
		}
	}
	ce = workbook_close(wb);
	e  = e != LXW_NO_ERROR ? e : ce;
	if (e != LXW_NO_ERROR) {
		snprintf(errmsg, REPORT_ERRMSG_MAX,
		    "cannot write `%.300s': %s", path, lxw_strerror(e));
		unlink(path);
		return COSO_EIO;
	}
	return COSO_OK;
}

static void
text_book(FILE *f, const struct book *b)
{
	size_t i;

	if (b->caption != NULL) {
		fprintf(f, "%s\n\n", b->caption);
	}
	for (i = 0; i < b->n; i++) {
		fputs(i ? "\n" : "", f);
		table_sheet(f, &b->sheets[i]);
	}
}

static int
finish_file(const char *tmp, const char *path, char *errmsg)
{
	FILE *f = fopen(tmp, "r+");
	int ok  = f != NULL && fsync(fileno(f)) == 0;

	if (f != NULL) {
		ok = fclose(f) == 0 && ok;
	}
	if (!ok || rename(tmp, path) != 0) {
		snprintf(errmsg, REPORT_ERRMSG_MAX,
		    "cannot write `%.300s': %s", path, strerror(errno));
		unlink(tmp);
		return COSO_EIO;
	}
	return COSO_OK;
}

/* Writes the sheets (or json, for REPORT_JSON) in fmt to path or stdout;
 * frees both. */
static int
emit(struct book *b, json_t *json, int fmt, const char *path, char *errmsg)
{
	char tmp[1024];
	FILE *f = stdout;
	int rv  = COSO_OK;

	if (book_oom(b) || (fmt == REPORT_JSON && json == NULL)) {
		snprintf(errmsg, REPORT_ERRMSG_MAX, "out of memory");
		rv = COSO_ENOMEM;
		goto out;
	}
	if (path == NULL && fmt == REPORT_XLSX) {
		snprintf(errmsg, REPORT_ERRMSG_MAX, "xlsx needs --output");
		rv = COSO_EINVAL;
		goto out;
	}
	if (path != NULL
	    && (size_t) snprintf(tmp, sizeof(tmp), "%s.tmp", path)
	        >= sizeof(tmp)) {
		snprintf(errmsg, REPORT_ERRMSG_MAX, "output path too long");
		rv = COSO_EINVAL;
		goto out;
	}
	if (fmt == REPORT_XLSX) {
		if ((rv = xlsx_book(b, tmp, errmsg)) == COSO_OK) {
			rv = finish_file(tmp, path, errmsg);
		}
		goto out;
	}
	if (path != NULL && (f = fopen(tmp, "w")) == NULL) {
		snprintf(errmsg, REPORT_ERRMSG_MAX,
		    "cannot write `%.300s': %s", tmp, strerror(errno));
		rv = COSO_EIO;
		goto out;
	}
	if (fmt == REPORT_JSON) {
		json_dumpf(json, f, JSON_INDENT(1));
		fputc('\n', f);
	} else if (fmt == REPORT_CSV) {
		csv_book(f, b);
	} else {
		text_book(f, b);
	}
	if (path != NULL) {
		if (fclose(f) != 0) {
			snprintf(errmsg, REPORT_ERRMSG_MAX,
			    "cannot write `%.300s': %s", tmp, strerror(errno));
			unlink(tmp);
			rv = COSO_EIO;
		} else {
			rv = finish_file(tmp, path, errmsg);
		}
	} else if (fflush(stdout) != 0) {
		snprintf(errmsg, REPORT_ERRMSG_MAX, "cannot write the output");
		rv = COSO_EIO;
	}
out:
	book_free(b);
	json_decref(json);
	return rv;
}

/* ---- compliance
 * -------------------------------------------------------------
 */

static const char *const comp_heads[]
    = {"Mã cán bộ", "Cán bộ", "Phải nộp", "Đã nhận", "Đúng hạn", "Trễ hạn",
        "Trễ trong gia hạn", "Gửi muộn do ngoại tuyến", "Chưa nộp",
        "Chưa đến hạn", "Đầy đủ", "Có kiến nghị", "Lượt thăm có kiến nghị"};

static const char *const unit_heads[]
    = {"Mã đơn vị", "Đơn vị", "Cấp", "Phải nộp", "Đã nhận", "Đúng hạn",
        "Trễ hạn", "Trễ trong gia hạn", "Gửi muộn do ngoại tuyến", "Chưa nộp",
        "Chưa đến hạn", "Đầy đủ", "Có kiến nghị", "Lượt thăm có kiến nghị"};

static const char *const item_heads[]
    = {"Mã cán bộ", "Cán bộ", "Đơn vị", "Kỳ báo cáo", "Trạng thái", "Hạn nộp",
        "Ngày ký", "Ngày nhận", "Lệch đồng hồ (giây)", "Đầy đủ"};

static const char *
status_vi(enum report_status s)
{
	static const char *const names[] = {"Đúng hạn", "Trễ hạn",
	    "Gửi muộn do ngoại tuyến", "Chưa nộp", "Chưa đến hạn"};

	return (unsigned) s < 5 ? names[s] : "?";
}

static const char *
level_vi(int level)
{
	static const char *const names[]
	    = {"?", "Tỉnh", "Huyện", "Xã", "Thôn", "Hộ"};

	return level >= 1 && level <= 5 ? names[level] : "?";
}

static void
put_counts(struct rowb *r, const struct report_counts *c)
{
	put_num(r, (int64_t) c->expected);
	put_num(r, (int64_t) c->received);
	put_num(r, (int64_t) c->on_time);
	put_num(r, (int64_t) c->late);
	put_num(r, (int64_t) c->in_grace);
	put_num(r, (int64_t) c->offline_late);
	put_num(r, (int64_t) c->missing);
	put_num(r, (int64_t) c->pending);
	put_num(r, (int64_t) c->complete);
	put_num(r, (int64_t) c->with_proposals);
	put_num(r, (int64_t) c->visits_proposals);
}

static void
comp_book(const struct report_compliance *r, struct book *b)
{
	struct sheet *su = sheet_add(b, "Đơn vị", unit_heads, 14);
	struct sheet *sc = sheet_add(b, "Cán bộ", comp_heads, 13);
	struct sheet *si = sheet_add(b, "Chi tiết", item_heads, 10);
	char first[11], last[11], today[11];
	struct rowb row;
	size_t i;

	coso_date_format(first, r->first);
	coso_date_format(last, r->last);
	coso_date_format(today, r->today);
	book_caption(b,
	    "Tình hình nộp báo cáo kỳ %s (%s - %s)%s%s, tính đến ngày %s%s",
	    r->period, first, last, r->unit ? ", đơn vị " : "",
	    r->unit ? r->unit : "", today,
	    r->default_schedule ? " (lịch mặc định: hạn 10 ngày, gia hạn 5 "
	                          "ngày)"
	                        : "");

	for (i = 0; i < r->nunits; i++) {
		row_start(&row, su);
		put_str(&row, r->units[i].code);
		put_str(&row, r->units[i].name);
		put_str(&row, level_vi(r->units[i].level));
		put_counts(&row, &r->units[i].c);
		row_end(&row);
	}
	for (i = 0; i < r->ncadres; i++) {
		row_start(&row, sc);
		put_str(&row, r->cadres[i].code);
		put_str(&row, r->cadres[i].name);
		put_counts(&row, &r->cadres[i].c);
		row_end(&row);
	}
	for (i = 0; i < r->nitems; i++) {
		const struct report_item *it = &r->items[i];

		row_start(&row, si);
		put_str(&row, it->cadre);
		put_str(&row, it->name);
		put_str(&row, it->unit);
		put_str(&row, it->period);
		put_str(&row, status_vi(it->status));
		put_date(&row, it->due);
		put_date(&row, it->submitted);
		put_date(&row, it->received);
		if (it->status == REPORT_OFFLINE_LATE) {
			put_num(&row, it->skew_ms / 1000);
		} else {
			put_str(&row, "");
		}
		put_str(&row,
		    it->received == 0  ? ""
		        : it->complete ? "Có"
		                       : "Không");
		row_end(&row);
	}
}

static json_t *
counts_json(const struct report_counts *c)
{
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
	    "expected", (json_int_t) c->expected, "received",
	    (json_int_t) c->received, "on_time", (json_int_t) c->on_time,
	    "late", (json_int_t) c->late, "late_in_grace",
	    (json_int_t) c->in_grace, "offline_late",
	    (json_int_t) c->offline_late, "missing", (json_int_t) c->missing,
	    "pending", (json_int_t) c->pending, "complete",
	    (json_int_t) c->complete, "with_proposals",
	    (json_int_t) c->with_proposals, "visits_with_proposals",
	    (json_int_t) c->visits_proposals);
}

static json_t *
lines_json(const struct report_line *l, size_t n, int units)
{
	json_t *a = json_array(), *o;
	size_t i;

	for (i = 0; a != NULL && i < n; i++) {
		o = json_pack("{s:s,s:s,s:o*}", units ? "unit" : "cadre",
		    l[i].code, "name", l[i].name, "counts",
		    counts_json(&l[i].c));
		if (o != NULL && units) {
			json_object_set_new(
			    o, "level", json_integer(l[i].level));
		}
		if (o == NULL || json_array_append_new(a, o) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *
items_json(const struct report_compliance *r)
{
	json_t *a = json_array(), *o;
	size_t i;

	for (i = 0; a != NULL && i < r->nitems; i++) {
		const struct report_item *it = &r->items[i];

		o = json_pack("{s:s,s:s,s:s,s:s,s:i,s:i,s:i,s:i,s:I,s:b,s:b}",
		    "cadre", it->cadre, "unit", it->unit, "period", it->period,
		    "status", report_status_name(it->status), "due", it->due,
		    "grace_end", it->grace_end, "submitted", it->submitted,
		    "received", it->received, "skew_ms",
		    (json_int_t) it->skew_ms, "complete", it->complete,
		    "with_proposals", it->proposals);
		if (o == NULL || json_array_append_new(a, o) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

json_t *
report_compliance_json(const struct report_compliance *r)
{
	return json_pack("{s:s,s:i,s:i,s:s?,s:b,s:o*,s:o*,s:o*,s:o*}",
	    "period", r->period, "first", r->first, "last", r->last, "unit",
	    r->unit, "default_schedule", r->default_schedule, "total",
	    counts_json(&r->total), "units",
	    lines_json(r->units, r->nunits, 1), "cadres",
	    lines_json(r->cadres, r->ncadres, 0), "reports", items_json(r));
}

int
report_write_compliance(const struct report_compliance *r, int fmt,
    const char *path, char errmsg[static REPORT_ERRMSG_MAX])
{
	struct book b = {0};

	comp_book(r, &b);
	return emit(&b, fmt == REPORT_JSON ? report_compliance_json(r) : NULL,
	    fmt, path, errmsg);
}

/* ---- coverage
 * ---------------------------------------------------------------
 */

static const char *const gap_heads[]
    = {"Mã đơn vị", "Đơn vị", "Cấp", "Không có người phụ trách từ"};
static const char *const unvisited_heads[]
    = {"Mã đơn vị", "Đơn vị", "Cấp", "Số người được phân công"};

static void
cov_book(const struct report_coverage *r, struct book *b)
{
	struct sheet *sg
	    = sheet_add(b, "Chưa có người phụ trách", gap_heads, 4);
	struct sheet *sv
	    = sheet_add(b, "Chưa được thăm trong kỳ", unvisited_heads, 4);
	struct rowb row;
	size_t i;

	for (i = 0; i < r->nunassigned; i++) {
		row_start(&row, sg);
		put_str(&row, r->unassigned[i].code);
		put_str(&row, r->unassigned[i].name);
		put_str(&row, level_vi(r->unassigned[i].level));
		if (r->unassigned[i].since == 0) {
			put_str(&row, "chưa từng");
		} else {
			put_date(&row, r->unassigned[i].since);
		}
		row_end(&row);
	}
	for (i = 0; i < r->nunvisited; i++) {
		row_start(&row, sv);
		put_str(&row, r->unvisited[i].code);
		put_str(&row, r->unvisited[i].name);
		put_str(&row, level_vi(r->unvisited[i].level));
		put_num(&row, (int64_t) r->unvisited[i].assignees);
		row_end(&row);
	}
}

static json_t *
gaps_json(const struct report_gap *g, size_t n, int unvisited)
{
	json_t *a = json_array(), *o;
	size_t i;

	for (i = 0; a != NULL && i < n; i++) {
		o = json_pack("{s:s,s:s,s:i}", "unit", g[i].code, "name",
		    g[i].name, "level", g[i].level);
		if (o != NULL && unvisited) {
			json_object_set_new(o, "assignees",
			    json_integer((json_int_t) g[i].assignees));
		} else if (o != NULL) {
			json_object_set_new(o, "since",
			    g[i].since ? json_integer(g[i].since)
			               : json_string("never"));
		}
		if (o == NULL || json_array_append_new(a, o) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

json_t *
report_coverage_json(const struct report_coverage *r)
{
	return json_pack("{s:s,s:i,s:o*,s:o*}", "period", r->period, "as_of",
	    r->ref, "unassigned", gaps_json(r->unassigned, r->nunassigned, 0),
	    "unvisited", gaps_json(r->unvisited, r->nunvisited, 1));
}

int
report_write_coverage(const struct report_coverage *r, int fmt,
    const char *path, char errmsg[static REPORT_ERRMSG_MAX])
{
	struct book b = {0};

	cov_book(r, &b);
	return emit(&b, fmt == REPORT_JSON ? report_coverage_json(r) : NULL,
	    fmt, path, errmsg);
}

/* ---- proposals
 * --------------------------------------------------------------
 */

/* The id first: the office answers a proposal by it (`coso admin respond
 * ID', 8 digits are enough). */
static const char *const prop_heads[]
    = {"Mã kiến nghị", "Ngày", "Số ngày", "Trạng thái", "Mã đơn vị", "Đơn vị",
        "Cán bộ", "Chuyển đến", "Nội dung kiến nghị"};

static const char *
prop_vi(int status)
{
	static const char *const names[] = {
	    "Chưa trả lời", "Đã trả lời", "Đã giải quyết", "Không chấp nhận"};

	return status >= 0 && status <= 3 ? names[status] : "?";
}

static void
props_sheet(const struct report_prop *p, size_t n, struct sheet *s)
{
	struct rowb row;
	size_t i;

	for (i = 0; i < n; i++) {
		row_start(&row, s);
		put_str(&row, p[i].id != NULL ? p[i].id : "");
		put_date(&row, p[i].date);
		put_num(&row, p[i].age_days);
		put_str(&row, prop_vi(p[i].status));
		put_str(&row, p[i].unit);
		put_str(&row, p[i].unit_name);
		put_str(&row, p[i].name);
		put_str(&row, p[i].route_name);
		put_str(&row, p[i].text);
		row_end(&row);
	}
}

static json_t *
props_json(const struct report_prop *p, size_t n)
{
	json_t *a = json_array(), *o;
	size_t i;

	for (i = 0; a != NULL && i < n; i++) {
		o = json_pack("{s:s,s:i,s:I,s:s,s:s,s:s,s:s,s:s}", "id",
		    p[i].id != NULL ? p[i].id : "", "date", p[i].date,
		    "age_days", (json_int_t) p[i].age_days, "status",
		    report_prop_status_name(p[i].status), "unit", p[i].unit,
		    "cadre", p[i].cadre, "routed_to", p[i].route, "text",
		    p[i].text);
		if (o == NULL || json_array_append_new(a, o) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

json_t *
report_proposals_json(const struct report_proposals *r)
{
	return json_pack("{s:i,s:o*}", "as_of", r->today, "proposals",
	    props_json(r->items, r->nitems));
}

int
report_write_proposals(const struct report_proposals *r, int fmt,
    const char *path, char errmsg[static REPORT_ERRMSG_MAX])
{
	struct book b = {0};

	props_sheet(
	    r->items, r->nitems, sheet_add(&b, "Kiến nghị", prop_heads, 9));
	return emit(&b, fmt == REPORT_JSON ? report_proposals_json(r) : NULL,
	    fmt, path, errmsg);
}

/* ---- the sector pack
 * --------------------------------------------------------
 */

static const char *const pack_heads[] = {"Mã cán bộ", "Cán bộ",
    "Đơn vị phụ trách", "Lượt thăm", "Lần thăm gần nhất", "Kết quả",
    "Số tiền (đồng)", "Báo cáo phải nộp", "Báo cáo đã nhận",
    "Kiến nghị chưa giải quyết", "Kiến nghị đã giải quyết"};

static void
pack_book(const struct report_pack *r, struct book *b)
{
	struct sheet *s = sheet_add(b, "Cán bộ", pack_heads, 11);
	struct rowb row;
	size_t i;

	for (i = 0; i < r->nlines; i++) {
		const struct report_pack_line *l = &r->lines[i];

		row_start(&row, s);
		put_str(&row, l->cadre);
		put_str(&row, l->name);
		put_str(&row, l->units);
		put_num(&row, (int64_t) l->visits);
		put_date(&row, l->last_visit);
		put_num(&row, (int64_t) l->outcomes);
		put_money(&row, l->amount);
		put_num(&row, (int64_t) l->reports_expected);
		put_num(&row, (int64_t) l->reports_received);
		put_num(&row, (int64_t) l->proposals_open);
		put_num(&row, (int64_t) l->proposals_resolved);
		row_end(&row);
	}
	props_sheet(
	    r->props, r->nprops, sheet_add(b, "Kiến nghị", prop_heads, 9));
}

json_t *
report_pack_json(const struct report_pack *r)
{
	json_t *a = json_array(), *o;
	size_t i;

	for (i = 0; a != NULL && i < r->nlines; i++) {
		const struct report_pack_line *l = &r->lines[i];

		o = json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "cadre",
		    l->cadre, "units", l->units, "visits",
		    (json_int_t) l->visits, "outcomes",
		    (json_int_t) l->outcomes, "amount_vnd",
		    (json_int_t) l->amount, "reports_expected",
		    (json_int_t) l->reports_expected, "reports_received",
		    (json_int_t) l->reports_received, "proposals_open",
		    (json_int_t) l->proposals_open, "proposals_resolved",
		    (json_int_t) l->proposals_resolved);
		if (o == NULL || json_array_append_new(a, o) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return json_pack("{s:s,s:s,s:o*,s:o*}", "period", r->period, "sector",
	    r->sector, "cadres", a, "proposals",
	    props_json(r->props, r->nprops));
}

int
report_write_pack(const struct report_pack *r, int fmt, const char *path,
    char errmsg[static REPORT_ERRMSG_MAX])
{
	struct book b = {0};

	pack_book(r, &b);
	return emit(&b, fmt == REPORT_JSON ? report_pack_json(r) : NULL, fmt,
	    path, errmsg);
}

/* ---- the views' sheets, from their JSON
 * ---------------------------------------
 */

/* The value of key in o ("a.b": b inside a; "^k": k of the outer
 * object up); NULL if none. */
static const json_t *
view_value(const json_t *o, const json_t *up, const char *key)
{
	const char *dot;
	char head[64];
	size_t n;

	if (key[0] == '^') {
		o   = up;
		key = key + 1;
	}
	if (o == NULL) {
		return NULL;
	}
	if ((dot = strchr(key, '.')) == NULL) {
		return json_object_get(o, key);
	}
	n = (size_t) (dot - key);
	if (n >= sizeof(head)) {
		return NULL;
	}
	memcpy(head, key, n);
	head[n] = 0;
	return json_object_get(json_object_get(o, head), dot + 1);
}

/* The Vietnamese of a status name the views' JSON uses; the name
 * itself if it has none. */
static const char *
word_vi(const char *w)
{
	static const char *const words[][2] = {{"on_time", "Đúng hạn"},
	    {"late", "Trễ hạn"}, {"offline_late", "Gửi muộn do ngoại tuyến"},
	    {"missing", "Chưa nộp"}, {"pending", "Chưa đến hạn"},
	    {"open", "Chưa trả lời"}, {"answered", "Đã trả lời"},
	    {"resolved", "Đã giải quyết"}, {"declined", "Không chấp nhận"},
	    {"verified", "Hợp lệ"}, {"bad_signature", "Sai chữ ký"},
	    {"unknown_key", "Khóa không rõ"},
	    {"other_cadre", "Khóa của cán bộ khác"}, {"none", ""},
	    {"not_in_log", "Không có trong nhật ký"},
	    {"field", "Cán bộ cơ sở"}, {"admin", "Quản trị"}};
	size_t i;

	for (i = 0; w != NULL && i < sizeof(words) / sizeof(words[0]); i++) {
		if (strcmp(w, words[i][0]) == 0) {
			return words[i][1];
		}
	}
	return w;
}

static void
view_cell(struct rowb *r, const json_t *v, enum report_col kind)
{
	char buf[NUM_MAX];

	if (kind == RCOL_WORD && json_is_null(v)) {
		put_str(r, "(không có)");
	} else if (kind == RCOL_WORD) {
		put_str(r, word_vi(json_string_value(v)));
	} else if (json_is_boolean(v)) {
		put_str(r, json_is_true(v) ? "Có" : "Không");
	} else if (!json_is_integer(v)) {
		put_str(r, json_is_string(v) ? json_string_value(v) : "");
	} else if (kind == RCOL_DATE) {
		put_date(r, (int32_t) json_integer_value(v));
	} else if (kind == RCOL_MS) {
		put_date(r, coso_date_of_ms((uint64_t) json_integer_value(v)));
	} else if (kind == RCOL_SECS) {
		put_num(r, (int64_t) json_integer_value(v) / 1000);
	} else if (kind == RCOL_TEXT) {
		snprintf(buf, sizeof(buf), "%" PRId64,
		    (int64_t) json_integer_value(v));
		put_str(r, buf);
	} else {
		put_num(r, (int64_t) json_integer_value(v));
	}
}

static void
view_row(struct sheet *s, const struct report_sheet_spec *sp, const json_t *o,
    const json_t *up)
{
	struct rowb row;
	size_t k;

	row_start(&row, s);
	for (k = 0; k < sp->ncols; k++) {
		view_cell(&row, view_value(o, up, sp->cols[k].key),
		    sp->cols[k].kind);
	}
	row_end(&row);
}

static void
view_sheet(struct book *b, const json_t *doc,
    const struct report_sheet_spec *sp, const char **heads)
{
	const json_t *a = json_object_get(doc, sp->array), *o, *in;
	struct sheet *s;
	size_t i, k;

	for (k = 0; k < sp->ncols; k++) {
		heads[k] = sp->cols[k].head;
	}
	s = sheet_add(b, sp->title, heads, sp->ncols);
	for (i = 0; i < json_array_size(a); i++) {
		o = json_array_get(a, i);
		if (sp->sub == NULL) {
			view_row(s, sp, o, NULL);
			continue;
		}
		in = json_object_get(o, sp->sub);
		for (k = 0; k < json_array_size(in); k++) {
			view_row(s, sp, json_array_get(in, k), o);
		}
	}
}

int
report_write_view(const json_t *doc, const char *caption,
    const struct report_sheet_spec *specs, size_t nspecs, int fmt,
    const char *path, char errmsg[static REPORT_ERRMSG_MAX])
{
	const char *heads[SHEETS_MAX][COLS_MAX];
	struct book b = {0};
	size_t i;

	assert(nspecs <= SHEETS_MAX);
	for (i = 0; fmt != REPORT_JSON && i < nspecs; i++) {
		assert(specs[i].ncols <= COLS_MAX);
		view_sheet(&b, doc, &specs[i], heads[i]);
	}
	if (fmt != REPORT_JSON && caption != NULL) {
		book_caption(&b, "%s", caption);
	}
	return emit(&b,
	    fmt == REPORT_JSON ? json_incref((json_t *) doc) : NULL, fmt, path,
	    errmsg);
}

char *
report_json_text(const json_t *doc)
{
	char *t = json_dumps(doc, JSON_INDENT(1)), *u;
	size_t n;

	if (t == NULL) {
		return NULL;
	}
	n = strlen(t);
	if ((u = realloc(t, n + 2)) == NULL) {
		free(t);
		return NULL;
	}
	memcpy(u + n, "\n", 2);
	return u;
}
