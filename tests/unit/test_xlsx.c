/*
 * test_xlsx.c: the .xlsx reader (client/lib/xlsx.c) on workbooks written
 * by libxlsxwriter (as the central writes its reports) and on archives
 * made here: a zip bomb and truncated files are refused; and the import
 * of a workbook into a store, a bad row named by its sheet row and
 * nothing stored.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <xlsxwriter.h>
#include <zlib.h>

#include <coso/client.h>
#include <coso/proto.h>

#include "../../client/lib/xlsx.h"

#define DATES 0x30u /* valid_from, valid_to */

/* A file's bytes, or NULL. */
static uint8_t *
slurp(const char *path, size_t *len)
{
	FILE *f    = fopen(path, "rb");
	uint8_t *p = malloc(1u << 20);

	assert_non_null(f);
	assert_non_null(p);
	*len = fread(p, 1, 1u << 20, f);
	fclose(f);
	return p;
}

/* An assignments sheet: a header, a blank row 2, a row 3 of shared or
 * inline strings, a number, a date cell, a typed date, entities and
 * Vietnamese text; row 5 after another blank row. */
static uint8_t *
assignments(int inl, size_t *len)
{
	lxw_workbook_options o
	    = {.constant_memory = inl ? LXW_TRUE : LXW_FALSE};
	static const char *head[] = {"cadre_id", "unit", "sector", "role",
	    "valid_from", "valid_to", "decision"};
	lxw_datetime d            = {2025, 3, 4, 0, 0, 0};
	char path[64];
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *df;
	lxw_col_t c;
	uint8_t *p;

	snprintf(path, sizeof(path), "/tmp/coso-test-xlsx-%ld.xlsx",
	    (long) getpid());
	wb = workbook_new_opt(path, &o);
	ws = workbook_add_worksheet(wb, NULL);
	df = workbook_add_format(wb);
	format_set_num_format(df, "dd/mm/yyyy");
	for (c = 0; c < 7; c++) {
		worksheet_write_string(ws, 0, c, head[c], NULL);
	}
	worksheet_write_string(ws, 2, 0, "Hoàng Thị Mai", NULL);
	worksheet_write_number(ws, 2, 1, 6043, NULL);
	worksheet_write_string(ws, 2, 3, "in-charge", NULL);
	worksheet_write_datetime(ws, 2, 4, &d, df);
	worksheet_write_string(ws, 2, 5, "30/06/2025", NULL);
	worksheet_write_string(ws, 2, 6, "QĐ 7 & <x> \"q\"", NULL);
	worksheet_write_string(ws, 4, 0, "cb-2", NULL);
	worksheet_write_number(ws, 4, 4, 45658, NULL); /* 2025-01-01 */
	assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
	p = slurp(path, len);
	unlink(path);
	return p;
}

static const char expected_csv[]
    = "\"cadre_id\",\"unit\",\"sector\",\"role\",\"valid_from\","
      "\"valid_to\",\"decision\"\n"
      "\"Hoàng Thị Mai\",\"6043\",\"\",\"in-charge\",\"2025-03-04\","
      "\"30/06/2025\",\"QĐ 7 & <x> \"\"q\"\"\"\n"
      "\"cb-2\",\"\",\"\",\"\",\"2025-01-01\",\"\",\"\"\n";

static void
check_sheet(int inl)
{
	struct cosoi_xlsx x;
	size_t len;
	uint8_t *p = assignments(inl, &len);

	assert_true(cosoi_xlsx_is(p, len));
	assert_int_equal(cosoi_xlsx_csv(&x, p, len, 7, DATES), COSO_OK);
	assert_int_equal(x.len, strlen(expected_csv));
	assert_memory_equal(x.csv, expected_csv, x.len);
	/* Blank rows are skipped: record 2 is sheet row 3, record 3 row 5. */
	assert_int_equal(x.nrows, 3);
	assert_int_equal(x.rows[0], 1);
	assert_int_equal(x.rows[1], 3);
	assert_int_equal(x.rows[2], 5);
	cosoi_xlsx_free(&x);
	/* Cadres have no date column: the serial stays a number. */
	assert_int_equal(cosoi_xlsx_csv(&x, p, len, 4, 0), COSO_OK);
	assert_non_null(strstr(x.csv, "\"cb-2\",\"\",\"\",\"\",\"45658\"\n"));
	cosoi_xlsx_free(&x);
	free(p);
}

static void
test_shared_strings(void **state)
{
	(void) state;
	check_sheet(0);
}

static void
test_inline_strings(void **state)
{
	(void) state;
	check_sheet(1);
}

/* Truncated anywhere, the archive is refused, and a refusal says why. */
static void
test_truncated(void **state)
{
	struct cosoi_xlsx x;
	size_t len, cut;
	uint8_t *p = assignments(0, &len);

	(void) state;
	for (cut = 0; cut < len; cut += cut < 64 ? 1 : 97) {
		assert_int_not_equal(
		    cosoi_xlsx_csv(&x, p, cut, 7, DATES), COSO_OK);
		assert_non_null(x.why);
		cosoi_xlsx_free(&x);
	}
	assert_int_equal(
	    cosoi_xlsx_csv(&x, p, len - 1, 7, DATES), COSO_ESCHEMA);
	assert_non_null(strstr(x.why, "truncated"));
	cosoi_xlsx_free(&x);
	free(p);
}

/* ---- archives made here --------------------------------------------------
 */

struct part {
	const char *name;
	const uint8_t *p;
	size_t n;
};

static void
put(uint8_t **o, const void *p, size_t n)
{
	memcpy(*o, p, n);
	*o += n;
}

static void
put16(uint8_t **o, uint32_t v)
{
	uint8_t b[2] = {(uint8_t) v, (uint8_t) (v >> 8)};

	put(o, b, 2);
}

static void
put32(uint8_t **o, uint32_t v)
{
	put16(o, v & 0xffffu);
	put16(o, v >> 16);
}

/* Raw deflate of p[0..n) into a new buffer of *clen bytes. */
static uint8_t *
deflated(const uint8_t *p, size_t n, size_t *clen)
{
	z_stream zs = {0};
	uLong cap   = compressBound((uLong) n) + 64;
	uint8_t *c  = malloc(cap);

	assert_non_null(c);
	assert_int_equal(
	    deflateInit2(&zs, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY),
	    Z_OK);
	zs.next_in   = (Bytef *) (uintptr_t) p;
	zs.avail_in  = (uInt) n;
	zs.next_out  = c;
	zs.avail_out = (uInt) cap;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	*clen = zs.total_out;
	deflateEnd(&zs);
	return c;
}

/* A ZIP archive of the parts, each deflated. */
static uint8_t *
zip_of(const struct part *parts, size_t np, size_t *len)
{
	uint8_t *z = malloc(1u << 20), *o = z, *c[8];
	size_t clen[8], at[8], cd, cdlen, i;
	uint32_t crc;

	assert_non_null(z);
	for (i = 0; i < np; i++) {
		c[i]  = deflated(parts[i].p, parts[i].n, &clen[i]);
		crc   = (uint32_t) crc32(0, parts[i].p, (uInt) parts[i].n);
		at[i] = (size_t) (o - z);
		put32(&o, 0x04034b50u), put16(&o, 20), put16(&o, 0);
		put16(&o, 8), put32(&o, 0), put32(&o, crc);
		put32(&o, (uint32_t) clen[i]),
		    put32(&o, (uint32_t) parts[i].n);
		put16(&o, (uint32_t) strlen(parts[i].name)), put16(&o, 0);
		put(&o, parts[i].name, strlen(parts[i].name));
		put(&o, c[i], clen[i]);
	}
	cd = (size_t) (o - z);
	for (i = 0; i < np; i++) {
		crc = (uint32_t) crc32(0, parts[i].p, (uInt) parts[i].n);
		put32(&o, 0x02014b50u), put16(&o, 20), put16(&o, 20);
		put16(&o, 0), put16(&o, 8), put32(&o, 0), put32(&o, crc);
		put32(&o, (uint32_t) clen[i]),
		    put32(&o, (uint32_t) parts[i].n);
		put16(&o, (uint32_t) strlen(parts[i].name)), put16(&o, 0);
		put16(&o, 0), put16(&o, 0), put16(&o, 0), put32(&o, 0);
		put32(&o, (uint32_t) at[i]);
		put(&o, parts[i].name, strlen(parts[i].name));
		free(c[i]);
	}
	cdlen = (size_t) (o - z) - cd;
	put32(&o, 0x06054b50u), put16(&o, 0), put16(&o, 0);
	put16(&o, (uint32_t) np), put16(&o, (uint32_t) np);
	put32(&o, (uint32_t) cdlen), put32(&o, (uint32_t) cd);
	put16(&o, 0);
	*len = (size_t) (o - z);
	return z;
}

static const char wb_xml[]
    = "<workbook><sheets><sheet name=\"A\" sheetId=\"1\" r:id=\"rId1\"/>"
      "</sheets></workbook>";
static const char rels_xml[]
    = "<Relationships><Relationship Id=\"rId1\" "
      "Target=\"worksheets/sheet1.xml\"/></Relationships>";

/* A workbook whose sheet is sheet[0..n). */
static uint8_t *
workbook_of(const char *sheet, size_t n, size_t *len)
{
	const struct part parts[] = {
	    {"xl/workbook.xml", (const uint8_t *) wb_xml, sizeof(wb_xml) - 1},
	    {"xl/_rels/workbook.xml.rels", (const uint8_t *) rels_xml,
	        sizeof(rels_xml) - 1},
	    {"xl/worksheets/sheet1.xml", (const uint8_t *) sheet, n},
	};

	return zip_of(parts, 3, len);
}

/* 20 MiB of spaces inflate from about 20 KiB: refused by the ratio
 * before anything is inflated; the same sheet small is read (so it is
 * the size that is refused, not the archive). */
static void
test_zip_bomb(void **state)
{
	static const char head[]
	    = "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\">"
	      "<is><t>Đào Viên &amp; &#x1EB9;&#7879;</t></is></c></row>";
	static const char tail[] = "</sheetData></worksheet>";
	size_t n                 = 20u * 1024u * 1024u, len;
	char *sheet              = malloc(n);
	struct cosoi_xlsx x;
	uint8_t *z;

	(void) state;
	assert_non_null(sheet);
	memset(sheet, ' ', n);
	memcpy(sheet, head, sizeof(head) - 1);
	memcpy(sheet + n - sizeof(tail) + 1, tail, sizeof(tail) - 1);
	z = workbook_of(sheet, n, &len);
	assert_true(len < 64u * 1024u);
	assert_int_equal(cosoi_xlsx_csv(&x, z, len, 1, 0), COSO_ETOOBIG);
	assert_non_null(strstr(x.why, "zip bomb"));
	assert_null(x.csv);
	cosoi_xlsx_free(&x);
	free(z);
	memmove(sheet + sizeof(head) - 1, tail, sizeof(tail) - 1);
	z = workbook_of(sheet, sizeof(head) + sizeof(tail) - 2, &len);
	assert_int_equal(cosoi_xlsx_csv(&x, z, len, 1, 0), COSO_OK);
	assert_string_equal(x.csv, "\"Đào Viên & ẹệ\"\n");
	cosoi_xlsx_free(&x);
	free(z);
	free(sheet);
}

/* What is refused in a sheet names its row. */
static void
test_bad_cells(void **state)
{
	static const char *const bad[] = {
	    "<sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>h"
	    "</t></is></c></row>"
	    "<row r=\"7\"><c r=\"A7\" t=\"inlineStr\"><is><t>&bogus;</t>"
	    "</is></c></row></sheetData>",
	    "<sheetData><row r=\"7\"><c r=\"A7\" t=\"s\"><v>3</v></c></row>"
	    "</sheetData>",
	    "<sheetData><row r=\"7\"><c r=\"B7\"><v>1</v></c><c r=\"A7\">"
	    "<v>2</v></c></row></sheetData>",
	    "<sheetData><row r=\"7\"><c r=\"BM7\"><v>1</v></c></row>"
	    "</sheetData>",
	    "<sheetData><row r=\"7\"><c r=\"A7\" t=\"inlineStr\"><is><t>"
	    "&#0;</t></is></c></row></sheetData>",
	    "<sheetData><row r=\"7\"><c r=\"A7\"><v>1</v></c></row>"
	    "<row r=\"8\" </sheetData>",
	};
	struct cosoi_xlsx x;
	size_t i, len;
	uint8_t *z;

	(void) state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		z = workbook_of(bad[i], strlen(bad[i]), &len);
		assert_int_not_equal(
		    cosoi_xlsx_csv(&x, z, len, 1, 0), COSO_OK);
		assert_non_null(x.why);
		assert_int_equal(x.row, 7);
		cosoi_xlsx_free(&x);
		free(z);
	}
}

/* ---- into a store ---------------------------------------------------- */

/* A cadres workbook of the rows given (NULL: a blank row). */
static uint8_t *
cadres_book(const char *const (*rows)[4], size_t n, size_t *len)
{
	char path[64];
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_col_t c;
	uint8_t *p;
	size_t i;

	snprintf(path, sizeof(path), "/tmp/coso-test-cadres-%ld.xlsx",
	    (long) getpid());
	wb = workbook_new(path);
	ws = workbook_add_worksheet(wb, NULL);
	for (i = 0; i < n; i++) {
		for (c = 0; rows[i][0] != NULL && c < 4; c++) {
			if (rows[i][c][0] != 0) {
				worksheet_write_string(
				    ws, (lxw_row_t) i, c, rows[i][c], NULL);
			}
		}
	}
	assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
	p = slurp(path, len);
	unlink(path);
	return p;
}

struct seen {
	size_t lines[8], n;
};

static void
bad_row(size_t line, const char *why, void *arg)
{
	struct seen *b = arg;

	assert_non_null(why);
	if (b->n < 8) {
		b->lines[b->n] = line;
	}
	b->n++;
}

/* The cadres listed: how many, and the last one's name. */
struct listed {
	size_t n;
	char name[64];
};

static int
count_cadre(const struct coso_row *row, void *arg)
{
	struct listed *l = arg;
	size_t i;

	for (i = 0; i < row->n; i++) {
		if (strcmp(row->kv[i].key, "name") == 0
		    && row->kv[i].s != NULL) {
			snprintf(l->name, sizeof(l->name), "%s", row->kv[i].s);
		}
	}
	l->n++;
	return 0;
}

static void
test_import_store(void **state)
{
	static const char units[]
	    = "code,name,level,parent_code,valid_from\n"
	      "20,Tỉnh Lạng Sơn,province,,2020-01-01\n"
	      "06043,Xã Đào Viên,commune,20,2020-01-01\n";
	static const char *const bad[][4] = {
	    {"cadre_id", "name", "title", "unit"},
	    {"cb-1", "Hoa\xcc\x80ng Thi\xcc\xa3 Mai", "", "06043"},
	    {NULL, NULL, NULL, NULL},
	    {"cb 2", "B", "", "06043"},
	    {"cb-1", "C", "", "06043"},
	};
	struct coso_init ini = {.cadre_id = "admin", .name = "Ban Tổ chức"};
	struct coso_filter f = {0};
	struct coso_bulk_result r;
	struct coso_status st;
	struct coso_store *s = NULL;
	struct seen seen     = {{0}, 0};
	char dir[]           = "/tmp/coso-xlsx-XXXXXX", err[COSO_ERRMSG_MAX];
	struct listed l      = {0, {0}};
	char cmd[64];
	uint64_t head;
	size_t len, n;
	uint8_t *p;

	(void) state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(coso_store_init(dir, &ini, NULL, err), COSO_OK);
	assert_int_equal(coso_store_open(&s, dir, NULL, 0, err), COSO_OK);
	assert_int_equal(
	    coso_units_import(s, units, sizeof(units) - 1, &n), 0);
	assert_int_equal(coso_status_get(s, &st), COSO_OK);
	head = st.head_seq;
	/* Rows 4 and 5 are bad (row 3 is blank): nothing is stored. */
	p = cadres_book(bad, 5, &len);
	assert_int_equal(coso_admin_cadres_import(
	                     s, (const char *) p, len, bad_row, &seen, &r),
	    COSO_ECSV);
	assert_int_equal(seen.n, 2);
	assert_int_equal(seen.lines[0], 4);
	assert_int_equal(seen.lines[1], 5);
	assert_int_equal(r.bad, 2);
	assert_int_equal(coso_cadre_list(s, &f, count_cadre, &l), COSO_OK);
	assert_int_equal(l.n, 0);
	assert_int_equal(coso_status_get(s, &st), COSO_OK);
	assert_int_equal(st.head_seq, head);
	free(p);
	/* The good rows alone: stored, the name in NFC, one change-set. */
	l.n = 0;
	p   = cadres_book(bad, 2, &len);
	assert_int_equal(coso_admin_cadres_import(
	                     s, (const char *) p, len, bad_row, &seen, &r),
	    COSO_OK);
	assert_int_equal(r.rows, 1);
	assert_int_equal(coso_cadre_list(s, &f, count_cadre, &l), COSO_OK);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.name, "Hoàng Thị Mai");
	assert_int_equal(coso_status_get(s, &st), COSO_OK);
	assert_int_equal(st.head_seq, head + 1);
	free(p);
	coso_store_close(s);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_shared_strings),
	    cmocka_unit_test(test_inline_strings),
	    cmocka_unit_test(test_truncated),
	    cmocka_unit_test(test_zip_bomb),
	    cmocka_unit_test(test_bad_cells),
	    cmocka_unit_test(test_import_store),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
