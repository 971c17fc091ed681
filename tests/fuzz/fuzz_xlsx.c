/*
 * fuzz_xlsx.c: the .xlsx reader on arbitrary bytes.  An odd first byte
 * gives the rest as the archive itself (the ZIP reader); an even one
 * builds a valid stored archive around it, the bytes up to a 0xff being
 * xl/sharedStrings.xml and the rest the sheet (the XML readers, which a
 * fuzzer would otherwise rarely reach past the CRC).  A refusal always
 * says why; an accepted sheet gives its rows in increasing order, one
 * per CSV record, and CSV within its limit.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../../client/lib/xlsx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t zip[1u << 20];
static size_t zlen;

static void
put(const void *p, size_t n)
{
	assert(zlen + n <= sizeof(zip));
	memcpy(zip + zlen, p, n);
	zlen += n;
}

static void
put16(uint32_t v)
{
	uint8_t b[2] = {(uint8_t) v, (uint8_t) (v >> 8)};

	put(b, 2);
}

static void
put32(uint32_t v)
{
	put16(v & 0xffffu);
	put16(v >> 16);
}

/* A local header and data (stored), noting its offset in at. */
static void
entry(const char *name, const uint8_t *p, size_t n, size_t *at)
{
	*at = zlen;
	put32(0x04034b50u), put16(20), put16(0), put16(0), put32(0);
	put32((uint32_t) crc32(0, p, (uInt) n)), put32((uint32_t) n);
	put32((uint32_t) n), put16((uint32_t) strlen(name)), put16(0);
	put(name, strlen(name));
	put(p, n);
}

static void
central(const char *name, const uint8_t *p, size_t n, size_t at)
{
	put32(0x02014b50u), put16(20), put16(20), put16(0), put16(0);
	put32(0), put32((uint32_t) crc32(0, p, (uInt) n));
	put32((uint32_t) n), put32((uint32_t) n);
	put16((uint32_t) strlen(name)), put16(0), put16(0), put16(0);
	put16(0), put32(0), put32((uint32_t) at);
	put(name, strlen(name));
}

static void
build(const uint8_t *data, size_t size)
{
	static const char wb[]   = "<workbook><sheets><sheet name=\"A\" "
	                           "sheetId=\"1\" r:id=\"rId1\"/></sheets>"
	                           "</workbook>";
	static const char rels[] = "<Relationships><Relationship Id=\"rId1\" "
	                           "Target=\"worksheets/sheet1.xml\"/>"
	                           "</Relationships>";
	const char *names[] = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels",
	    "xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"};
	const uint8_t *sep  = memchr(data, 0xff, size);
	const uint8_t *p[4];
	size_t n[4], at[4], cd, cdlen, i;

	p[0] = (const uint8_t *) wb, n[0] = sizeof(wb) - 1;
	p[1] = (const uint8_t *) rels, n[1] = sizeof(rels) - 1;
	p[2] = data, n[2] = sep ? (size_t) (sep - data) : 0;
	p[3] = sep ? sep + 1 : data, n[3] = size - (sep ? n[2] + 1 : 0);
	zlen = 0;
	for (i = 0; i < 4; i++) {
		entry(names[i], p[i], n[i], &at[i]);
	}
	cd = zlen;
	for (i = 0; i < 4; i++) {
		central(names[i], p[i], n[i], at[i]);
	}
	cdlen = zlen - cd;
	put32(0x06054b50u), put16(0), put16(0), put16(4), put16(4);
	put32((uint32_t) cdlen), put32((uint32_t) cd), put16(0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cosoi_xlsx x;
	size_t i, records = 0;
	int rv, quoted    = 0;

	if (size == 0 || size > (1u << 19)) {
		return 0;
	}
	if (data[0] & 1) {
		rv = cosoi_xlsx_csv(
		    &x, data + 1, size - 1, 1 + data[0] % 8, 0x30);
	} else {
		build(data + 1, size - 1);
		rv = cosoi_xlsx_csv(&x, zip, zlen, 1 + data[0] % 8, 0x30);
	}
	assert(rv == 0 || x.why != NULL);
	if (rv == 0) {
		assert(x.len <= 16u * 1024u * 1024u);
		assert(x.len == 0 || x.csv[x.len - 1] == '\n');
		/* Every field is quoted, a quote doubled: a line feed
		 * outside quotes ends a record. */
		for (i = 0; i < x.len; i++) {
			quoted ^= x.csv[i] == '"';
			records += x.csv[i] == '\n' && !quoted;
		}
		assert(!quoted && x.nrows == records);
		for (i = 1; i < x.nrows; i++) {
			assert(x.rows[i] > x.rows[i - 1]);
		}
	}
	cosoi_xlsx_free(&x);
	return 0;
}
