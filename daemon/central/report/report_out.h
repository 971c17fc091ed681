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

#endif /* COSOD_REPORT_OUT_H */
