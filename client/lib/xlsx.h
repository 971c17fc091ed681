/*
 * xlsx.h: the first worksheet of an Office Open XML workbook (.xlsx) as
 * the CSV bytes the bulk importer reads (bulk.c), and its fuzz target.
 */
#ifndef COSO_CLIENT_XLSX_H
#define COSO_CLIENT_XLSX_H

#include <stddef.h>
#include <stdint.h>

/* Hard limits, each checked before anything of that size is allocated. */
#define XLSX_BYTES_MAX   (16u * 1024u * 1024u) /* the archive */
#define XLSX_ENTRIES_MAX 4096u                 /* ZIP entries */
#define XLSX_ENTRY_MAX   (32u * 1024u * 1024u) /* one entry, inflated */
#define XLSX_RATIO_MAX   200u          /* inflated / compressed: zip bombs */
#define XLSX_ROWS_MAX    100000u       /* non-blank rows */
#define XLSX_COLS_MAX    64u           /* columns A to BL */
#define XLSX_CELLS_MAX   1000000u      /* cells with a value */
#define XLSX_STRINGS_MAX 1000000u      /* shared strings */
#define XLSX_TEXT_MAX    (16u * 1024u) /* one cell's text, as COSO_TEXT_MAX */

/* The sheet as CSV: one record per non-blank sheet row, every field
 * quoted; rows[i] is the sheet row of record i + 1 (the header first).
 * On a refusal, why says what was wrong (a static string) and row is the
 * sheet row it was in (0 if none). */
struct cosoi_xlsx {
	char *csv;
	size_t len;
	size_t *rows;
	size_t nrows;
	size_t row;
	const char *why;
};

/*
 * Reads the workbook zip[0..len) into x (zeroed first): its first sheet,
 * each non-blank row as ncols fields or more (a row with a value past
 * them keeps it, so the CSV reader refuses its field count); a number in
 * a column whose bit is set in dates is an Excel serial day and becomes
 * YYYY-MM-DD.  COSO_OK; COSO_ETOOBIG over a limit; COSO_ESCHEMA for a
 * malformed or unsupported archive or XML (ZIP64, encryption, methods
 * other than stored and deflate); COSO_ENOMEM.  The caller frees x with
 * cosoi_xlsx_free on every path.  Thread: any.
 */
int cosoi_xlsx_csv(struct cosoi_xlsx *x, const uint8_t *zip, size_t len,
    size_t ncols, uint32_t dates);

/* Frees what x holds; x may be NULL. */
void cosoi_xlsx_free(struct cosoi_xlsx *x);

/* Whether p[0..len) begins as a ZIP archive ("PK\3\4"). */
int cosoi_xlsx_is(const void *p, size_t len);

#endif /* COSO_CLIENT_XLSX_H */
