/*
 * mkxlsx.c: writes an .xlsx workbook with libxlsxwriter (as the central
 * writes its reports) for the tests of `coso admin … import FILE.xlsx'.
 *
 *   mkxlsx [-i] OUT.xlsx < ROWS
 *
 * Each line of ROWS is a sheet row (an empty line, a blank row), its
 * cells separated by tabs: `#n:NUMBER' a number, `#d:YYYY-MM-DD' a date
 * (a number formatted as a date, as a spreadsheet program stores it),
 * an empty cell none, anything else text.  -i writes strings inline
 * (libxlsxwriter's constant-memory mode) instead of as shared strings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

/* One cell of row r, column c. */
static int
cell(
    lxw_worksheet *ws, lxw_format *date, unsigned r, unsigned c, const char *v)
{
	lxw_datetime d = {0};

	if (v[0] == 0) {
		return 0;
	}
	if (strncmp(v, "#n:", 3) == 0) {
		return worksheet_write_number(
		    ws, r, (lxw_col_t) c, strtod(v + 3, NULL), NULL);
	}
	if (strncmp(v, "#d:", 3) == 0
	    && sscanf(v + 3, "%d-%d-%d", &d.year, &d.month, &d.day) == 3) {
		return worksheet_write_datetime(
		    ws, r, (lxw_col_t) c, &d, date);
	}
	return worksheet_write_string(ws, r, (lxw_col_t) c, v, NULL);
}

int
main(int argc, char **argv)
{
	lxw_workbook_options o = {0};
	char line[65536], *p, *tab;
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *date;
	unsigned r = 0, c;
	int inl    = argc == 3 && strcmp(argv[1], "-i") == 0;

	if (argc != 2 + inl) {
		fprintf(stderr, "usage: mkxlsx [-i] OUT.xlsx < ROWS\n");
		return 2;
	}
	o.constant_memory = inl ? LXW_TRUE : LXW_FALSE;
	if ((wb = workbook_new_opt(argv[1 + inl], &o)) == NULL
	    || (ws = workbook_add_worksheet(wb, NULL)) == NULL) {
		return 1;
	}
	date = workbook_add_format(wb);
	format_set_num_format(date, "dd/mm/yyyy");
	for (; fgets(line, sizeof(line), stdin) != NULL; r++) {
		line[strcspn(line, "\n")] = 0;
		for (p = line, c = 0; p != NULL;
		     p = tab ? tab + 1 : NULL, c++) {
			if ((tab = strchr(p, '\t')) != NULL) {
				*tab = 0;
			}
			if (cell(ws, date, r, c, p) != 0) {
				return 1;
			}
		}
	}
	return workbook_close(wb) == LXW_NO_ERROR ? 0 : 1;
}
