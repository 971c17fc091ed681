/*
 * report_out.h: the reports (report.h) as an aligned text table, CSV
 * (UTF-8 with a byte-order mark, for spreadsheet programs), an XLSX
 * workbook (libxlsxwriter) or JSON.  Tables, CSV and XLSX have
 * Vietnamese headers and dd/mm/yyyy dates; JSON has English keys and
 * YYYYMMDD integer dates.  Output to a file is written to FILE.tmp,
 * synced and renamed; XLSX needs a file.
 */
#ifndef COSOD_REPORT_OUT_H
#define COSOD_REPORT_OUT_H

#include <stdio.h>

#include <jansson.h>

#include "report.h"

enum report_format {
	REPORT_TABLE = 0,
	REPORT_CSV   = 1,
	REPORT_JSON  = 2,
	REPORT_XLSX  = 3,
};

/* "table", "csv", "json", "xlsx"; -1 if none. */
int report_format_parse(const char *name);

/* JSON documents (a new reference, NULL on OOM). */
json_t *report_compliance_json(const struct report_compliance *r);
json_t *report_coverage_json(const struct report_coverage *r);
json_t *report_proposals_json(const struct report_proposals *r);
json_t *report_pack_json(const struct report_pack *r);

/* Writes the report in fmt to path (NULL: stdout, not for XLSX).
 * COSO_OK, or an error with errmsg. */
COSO_NODISCARD int report_write_compliance(const struct report_compliance *r,
    int fmt, const char *path, char errmsg[static REPORT_ERRMSG_MAX]);
COSO_NODISCARD int report_write_coverage(const struct report_coverage *r,
    int fmt, const char *path, char errmsg[static REPORT_ERRMSG_MAX]);
COSO_NODISCARD int report_write_proposals(const struct report_proposals *r,
    int fmt, const char *path, char errmsg[static REPORT_ERRMSG_MAX]);
COSO_NODISCARD int report_write_pack(const struct report_pack *r, int fmt,
    const char *path, char errmsg[static REPORT_ERRMSG_MAX]);

/*
 * The views (views.h) are JSON documents first; their tables, CSV and
 * XLSX are laid out from that JSON by a description of each sheet, so
 * that every format shows the same figures.  A sheet's rows are the
 * objects of the document's array `array' (or, with `sub', of the array
 * `sub' inside each of them: one row per inner object, the outer
 * object's keys written "^key").  A key "a.b" is b inside a.
 */
enum report_col {
	RCOL_TEXT = 0, /* a string (a number is written as digits) */
	RCOL_NUM  = 1, /* an integer */
	RCOL_DATE = 2, /* a YYYYMMDD integer, shown dd/mm/yyyy */
	RCOL_MS   = 3, /* Unix ms, shown as its date (UTC+7) */
	RCOL_BOOL = 4, /* true / false: "Có" / "Không" */
	RCOL_SECS = 5, /* milliseconds shown as whole seconds */
	RCOL_WORD = 6, /* a status name of the JSON, shown in Vietnamese;
	                  null as "(không có)" */
};

struct report_column {
	const char *key, *head;
	enum report_col kind;
};

struct report_sheet_spec {
	const char *title, *array, *sub;
	const struct report_column *cols;
	size_t ncols;
};

/* Writes doc (fmt REPORT_JSON) or its sheets (the others) to path
 * (NULL: stdout, not for XLSX); caption heads the text table. */
COSO_NODISCARD int report_write_view(const json_t *doc, const char *caption,
    const struct report_sheet_spec *specs, size_t nspecs, int fmt,
    const char *path, char errmsg[static REPORT_ERRMSG_MAX]);

/* The JSON text of a view as the CLI prints it (indented by one, a
 * final newline); malloc'd, NULL if out of memory. */
char *report_json_text(const json_t *doc);

#endif /* COSOD_REPORT_OUT_H */
