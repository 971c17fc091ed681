/*
 * xlsx.c: a small, strict reader of the first worksheet of an .xlsx
 * workbook (ECMA-376: a ZIP archive of XML parts), for the office's
 * cadre and assignment lists.  No Debian library reads XLSX, so this
 * reads just what is needed: the ZIP central directory (stored and
 * deflate entries, no ZIP64, no encryption), xl/workbook.xml and its
 * relationships to find the first sheet, xl/sharedStrings.xml, and the
 * sheet's cells.  The sheet becomes CSV so that one importer, with one
 * set of rules, reads both (docs/decisions.md).  Every size is checked
 * against its limit before it is allocated.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "coso/proto.h"
#include "xlsx.h"

#define ZIP_EOCD     0x06054b50u
#define ZIP_CENTRAL  0x02014b50u
#define ZIP_LOCAL    0x04034b50u
#define XLSX_CSV_MAX (16u * 1024u * 1024u)

/* The archive: its bytes and its central directory. */
struct zip {
	const uint8_t *p;
	size_t len;
	size_t cd, cdlen, entries;
};

/* The reading state: the archive, the shared strings, the output. */
struct rd {
	struct cosoi_xlsx *x;
	struct zip z;
	char *strs;   /* the shared strings, each NUL-terminated */
	size_t *soff; /* offset of each in strs */
	size_t nstr;
	size_t ncols, ncells;
	uint32_t dates;
	struct coso_buf cell[XLSX_COLS_MAX];
	int cnum[XLSX_COLS_MAX]; /* the cell held a number */
	struct coso_buf csv;
};

static int
fail(struct rd *r, int rv, const char *why)
{
	r->x->why = why;
	return rv;
}

static uint32_t
le16(const uint8_t *p)
{
	return (uint32_t) p[0] | (uint32_t) p[1] << 8;
}

static uint32_t
le32(const uint8_t *p)
{
	return le16(p) | le16(p + 2) << 16;
}

int
cosoi_xlsx_is(const void *p, size_t len)
{
	return len >= 4 && memcmp(p, "PK\3\4", 4) == 0;
}

/* Finds the end of central directory record: it must end the file (its
 * comment included), one disk, no ZIP64 markers. */
static int
zip_open(struct rd *r, const uint8_t *p, size_t len)
{
	size_t i, lim = len > 22 + 65535 ? len - 22 - 65535 : 0;
	const uint8_t *e = NULL;

	r->z.p   = p;
	r->z.len = len;
	if (len > XLSX_BYTES_MAX) {
		return fail(r, COSO_ETOOBIG, "the workbook is over 16 MiB");
	}
	for (i = len >= 22 ? len - 22 + 1 : 0; i-- > lim;) {
		if (le32(p + i) == ZIP_EOCD
		    && i + 22 + le16(p + i + 20) == len) {
			e = p + i;
			break;
		}
	}
	if (e == NULL) {
		return fail(r, COSO_ESCHEMA,
		    "not a complete ZIP archive (truncated?)");
	}
	if (le16(e + 8) == 0xffffu || le32(e + 12) == 0xffffffffu
	    || le32(e + 16) == 0xffffffffu) {
		return fail(r, COSO_ESCHEMA, "ZIP64 archives are not read");
	}
	if (le16(e + 4) != 0 || le16(e + 6) != 0
	    || le16(e + 8) != le16(e + 10)) {
		return fail(
		    r, COSO_ESCHEMA, "multi-disk ZIP archives are not read");
	}
	r->z.entries = le16(e + 10);
	r->z.cdlen   = le32(e + 12);
	r->z.cd      = le32(e + 16);
	if (r->z.entries > XLSX_ENTRIES_MAX) {
		return fail(
		    r, COSO_ETOOBIG, "too many entries in the workbook");
	}
	if (r->z.cd > i || r->z.cdlen > i - r->z.cd) {
		return fail(
		    r, COSO_ESCHEMA, "ZIP central directory out of bounds");
	}
	return COSO_OK;
}

/* The central directory entry named name, or NULL. */
static int
zip_find(struct rd *r, const char *name, const uint8_t **ent)
{
	const uint8_t *p = r->z.p + r->z.cd, *end = p + r->z.cdlen;
	size_t i, n, nlen = strlen(name);

	*ent = NULL;
	for (i = 0; i < r->z.entries; i++) {
		if (end - p < 46 || le32(p) != ZIP_CENTRAL) {
			return fail(
			    r, COSO_ESCHEMA, "bad ZIP central directory");
		}
		n = 46 + le16(p + 28) + le16(p + 30) + le16(p + 32);
		if ((size_t) (end - p) < n) {
			return fail(
			    r, COSO_ESCHEMA, "bad ZIP central directory");
		}
		if (le16(p + 28) == nlen && memcmp(p + 46, name, nlen) == 0) {
			*ent = p;
			return COSO_OK;
		}
		p += n;
	}
	return COSO_OK;
}

/* Checks an entry's sizes, then finds its data after its local header. */
static int
zip_data(struct rd *r, const uint8_t *e, const uint8_t **data)
{
	uint32_t flags = le16(e + 8), method = le16(e + 10);
	size_t csize = le32(e + 20), usize = le32(e + 24), lho = le32(e + 42);
	const uint8_t *l = r->z.p + lho;
	size_t at;

	if (flags & 1u) {
		return fail(
		    r, COSO_ESCHEMA, "encrypted workbooks are not read");
	}
	if (csize == 0xffffffffu || usize == 0xffffffffu
	    || lho == 0xffffffffu) {
		return fail(r, COSO_ESCHEMA, "ZIP64 archives are not read");
	}
	if (method != 0 && method != 8) {
		return fail(r, COSO_ESCHEMA,
		    "a ZIP compression method other than stored and deflate");
	}
	if (usize > XLSX_ENTRY_MAX) {
		return fail(
		    r, COSO_ETOOBIG, "a part of the workbook is over 32 MiB");
	}
	if (usize > (size_t) XLSX_RATIO_MAX * csize + 4096
	    || (method == 0 && csize != usize)) {
		return fail(r, COSO_ETOOBIG,
		    "a part of the workbook inflates too much (a zip bomb?)");
	}
	if (lho > r->z.cd || r->z.cd - lho < 30 || le32(l) != ZIP_LOCAL) {
		return fail(r, COSO_ESCHEMA, "bad ZIP local header");
	}
	at = lho + 30 + le16(l + 26) + le16(l + 28);
	if (at > r->z.cd || r->z.cd - at < csize) {
		return fail(r, COSO_ESCHEMA, "a ZIP entry is truncated");
	}
	*data = r->z.p + at;
	return COSO_OK;
}

/* Inflates raw deflate data of exactly usize bytes into out. */
static int
inflate_all(const uint8_t *in, size_t csize, char *out, size_t usize)
{
	z_stream zs = {0};
	int zr;

	if (inflateInit2(&zs, -15) != Z_OK) {
		return COSO_ENOMEM;
	}
	zs.next_in   = (Bytef *) (uintptr_t) in;
	zs.avail_in  = (uInt) csize;
	zs.next_out  = (Bytef *) out;
	zs.avail_out = (uInt) usize;
	zr           = inflate(&zs, Z_FINISH);
	inflateEnd(&zs);
	return zr == Z_STREAM_END && zs.total_out == usize ? COSO_OK
	                                                   : COSO_ESCHEMA;
}

/* The entry named name, inflated and NUL-terminated, in *out (NULL with
 * COSO_OK when absent and optional). */
static int
zip_read(struct rd *r, const char *name, int optional, char **out)
{
	const uint8_t *e, *data;
	size_t usize;
	char *p = NULL;
	int rv;

	*out = NULL;
	if ((rv = zip_find(r, name, &e)) != COSO_OK) {
		return rv;
	}
	if (e == NULL) {
		return optional ? COSO_OK
		                : fail(r, COSO_ESCHEMA,
		                    "not a workbook: a part is missing");
	}
	if ((rv = zip_data(r, e, &data)) != COSO_OK) {
		return rv;
	}
	usize = le32(e + 24);
	if ((p = malloc(usize + 1)) == NULL) {
		return COSO_ENOMEM;
	}
	rv = le16(e + 10) == 0 ? (memcpy(p, data, usize), COSO_OK)
	                       : inflate_all(data, le32(e + 20), p, usize);
	if (rv == COSO_OK
	    && crc32(0, (const Bytef *) p, (uInt) usize) != le32(e + 16)) {
		rv = COSO_ESCHEMA;
	}
	if (rv == COSO_OK && memchr(p, 0, usize) != NULL) {
		rv = COSO_ESCHEMA; /* XML has no NUL: it would cut the text */
	}
	if (rv != COSO_OK) {
		free(p);
		return rv == COSO_ESCHEMA
		    ? fail(r, rv, "a part of the workbook is damaged")
		    : rv;
	}
	p[usize] = 0;
	*out     = p;
	return COSO_OK;
}

void
cosoi_xlsx_free(struct cosoi_xlsx *x)
{
	if (x != NULL) {
		free(x->csv);
		free(x->rows);
		x->csv  = NULL;
		x->rows = NULL;
	}
}

/* ---- XML: just enough of it -------------------------------------------- */

/* The '>' closing the tag at q (quoted values may hold '>'), or NULL. */
static const char *
tag_end(const char *q, const char *end)
{
	char quote = 0;

	for (; q < end; q++) {
		if (quote != 0) {
			quote = *q == quote ? 0 : quote;
		} else if (*q == '"' || *q == '\'') {
			quote = *q;
		} else if (*q == '>') {
			return q;
		}
	}
	return NULL;
}

/* The next element <name …> in [p, end): its '<', with *gt at its '>';
 * NULL if there is none (or its tag is unterminated). */
static const char *
elem(const char *p, const char *end, const char *name, const char **gt)
{
	size_t n = strlen(name);
	const char *q;

	for (q = p; q < end; q++) {
		if ((q = memchr(q, '<', (size_t) (end - q))) == NULL) {
			return NULL;
		}
		if ((size_t) (end - q) > n + 1 && memcmp(q + 1, name, n) == 0
		    && strchr(" \t\r\n/>", q[n + 1]) != NULL) {
			*gt = tag_end(q, end);
			return *gt != NULL ? q : NULL;
		}
	}
	return NULL;
}

/* The first s in [p, end), or NULL. */
static const char *
find(const char *p, const char *end, const char *s)
{
	size_t n = strlen(s);

	for (; p != NULL && (size_t) (end - p) >= n; p++) {
		if ((p = memchr(p, s[0], (size_t) (end - p))) == NULL) {
			return NULL;
		}
		if ((size_t) (end - p) >= n && memcmp(p, s, n) == 0) {
			return p;
		}
	}
	return NULL;
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The raw value of attribute name in the tag [tag, gt); 0 if absent. */
static int
attr(const char *tag, const char *gt, const char *name, const char **v,
    size_t *vn)
{
	size_t n      = strlen(name);
	const char *p = tag + 1, *a, *val;
	char quote;

	while (p < gt && !is_space(*p) && *p != '/') {
		p++;
	}
	for (;;) {
		while (p < gt && is_space(*p)) {
			p++;
		}
		for (a = p; p < gt && *p != '=' && !is_space(*p); p++) { }
		while (p < gt && (is_space(*p) || *p == '=')) {
			p++;
		}
		if (p >= gt || (*p != '"' && *p != '\'')) {
			return 0;
		}
		quote = *p++;
		val   = p;
		if ((p = memchr(p, quote, (size_t) (gt - p))) == NULL) {
			return 0;
		}
		if ((size_t) (val - a) >= n + 2 && memcmp(a, name, n) == 0
		    && (a[n] == '=' || is_space(a[n]))) {
			*v  = val;
			*vn = (size_t) (p - val);
			return 1;
		}
		p++;
	}
}

/* The code point of a character reference's digits, or 0 if it is not
 * one XML allows. */
static uint32_t
char_ref(const char *p, size_t n)
{
	int hex     = n > 1 && p[0] == 'x';
	uint32_t cp = 0;
	size_t i;
	int d;

	if (n < 1 + (size_t) hex || n > 8) {
		return 0;
	}
	for (i = (size_t) hex; i < n; i++) {
		d = p[i] >= '0' && p[i] <= '9'          ? p[i] - '0'
		    : hex && p[i] >= 'a' && p[i] <= 'f' ? p[i] - 'a' + 10
		    : hex && p[i] >= 'A' && p[i] <= 'F' ? p[i] - 'A' + 10
		                                        : -1;
		if (d < 0) {
			return 0;
		}
		cp = cp * (hex ? 16u : 10u) + (uint32_t) d;
	}
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)
	    || (cp < 0x20 && cp != 9 && cp != 10 && cp != 13)) {
		return 0;
	}
	return cp;
}

/* Appends cp in UTF-8. */
static int
put_utf8(struct coso_buf *b, uint32_t cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char) cp, n = 1;
	} else if (cp < 0x800) {
		u[0] = (char) (0xc0 | cp >> 6), n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char) (0xe0 | cp >> 12), n = 3;
	} else {
		u[0] = (char) (0xf0 | cp >> 18), n = 4;
	}
	for (size_t i = 1; i < n; i++) {
		u[i] = (char) (0x80 | ((cp >> (6 * (n - 1 - i))) & 0x3f));
	}
	return coso_buf_add(b, u, n);
}

/* Appends the text [p, end) with its entities decoded. */
static int
decode(struct rd *r, const char *p, const char *end, struct coso_buf *b)
{
	static const char *const names[] = {"amp", "lt", "gt", "quot", "apos"};
	static const char chars[]        = "&<>\"'";
	const char *semi, *run;
	uint32_t cp;
	size_t i, n;
	int rv = COSO_OK;

	while (rv == COSO_OK && p < end) {
		for (run = p; p < end && *p != '&' && *p != '<'; p++) { }
		if ((rv = coso_buf_add(b, run, (size_t) (p - run)))
		    || p == end) {
			break;
		}
		semi = *p == '&' ? memchr(p, ';', (size_t) (end - p)) : NULL;
		if (semi == NULL || (n = (size_t) (semi - p - 1)) == 0) {
			return fail(r, COSO_ESCHEMA, "malformed XML text");
		}
		for (i = 0; i < 5
		     && (strlen(names[i]) != n
		         || memcmp(p + 1, names[i], n) != 0);
		     i++) { }
		if (i < 5) {
			rv = coso_buf_add(b, &chars[i], 1);
		} else if (p[1] == '#' && (cp = char_ref(p + 2, n - 1)) != 0) {
			rv = put_utf8(b, cp);
		} else {
			return fail(r, COSO_ESCHEMA, "an unknown XML entity");
		}
		p = semi + 1;
	}
	return rv;
}

/* Appends the text of the <t> runs in [p, end) (a shared string's <si>
 * or an inline <is>, plain or rich), leaving out phonetic runs <rPh>. */
static int
rich(struct rd *r, const char *p, const char *end, struct coso_buf *b)
{
	const char *t, *gt, *close, *ph, *phgt;
	int rv;

	while ((t = elem(p, end, "t", &gt)) != NULL) {
		ph = elem(p, t, "rPh", &phgt);
		if (ph != NULL) {
			if ((close = find(phgt, end, "</rPh>")) == NULL) {
				return fail(r, COSO_ESCHEMA, "malformed XML");
			}
			p = close + 6;
			continue;
		}
		if (gt[-1] == '/') {
			p = gt + 1;
			continue;
		}
		if ((close = find(gt + 1, end, "</t>")) == NULL) {
			return fail(r, COSO_ESCHEMA, "malformed XML");
		}
		if ((rv = decode(r, gt + 1, close, b)) != COSO_OK) {
			return rv == COSO_ETOOBIG
			    ? fail(r, rv, "a cell's text is over 16 KiB")
			    : rv;
		}
		p = close + 4;
	}
	return COSO_OK;
}

/* ---- the workbook ------------------------------------------------------ */

/* Notes the start of shared string r->nstr in r->soff. */
static int
string_start(struct rd *r, size_t *cap, size_t at)
{
	size_t *q;

	if (r->nstr == XLSX_STRINGS_MAX) {
		return fail(r, COSO_ETOOBIG, "too many shared strings");
	}
	if (r->nstr == *cap) {
		*cap = *cap == 0 ? 256 : *cap * 2;
		if ((q = realloc(r->soff, *cap * sizeof(*q))) == NULL) {
			return COSO_ENOMEM;
		}
		r->soff = q;
	}
	r->soff[r->nstr++] = at;
	return COSO_OK;
}

/* xl/sharedStrings.xml (optional) into r->strs and r->soff. */
static int
strings(struct rd *r)
{
	struct coso_buf all = {.max = XLSX_ENTRY_MAX};
	const char *p, *end, *si, *gt, *close;
	size_t cap = 0, at;
	char *xml  = NULL;
	int rv;

	if ((rv = zip_read(r, "xl/sharedStrings.xml", 1, &xml)) || !xml) {
		return rv;
	}
	p   = xml;
	end = xml + strlen(xml);
	while (rv == COSO_OK && (si = elem(p, end, "si", &gt)) != NULL) {
		at = all.len;
		if ((rv = string_start(r, &cap, at)) != COSO_OK) {
			break;
		}
		close = gt[-1] == '/' ? gt : find(gt + 1, end, "</si>");
		if (close == NULL) {
			rv = fail(r, COSO_ESCHEMA, "malformed shared strings");
			break;
		}
		if ((rv = rich(r, gt + 1, close, &all)) == COSO_OK
		    && all.len - at > XLSX_TEXT_MAX) {
			rv = fail(
			    r, COSO_ETOOBIG, "a cell's text is over 16 KiB");
		}
		rv = rv ? rv : coso_buf_add(&all, "", 1);
		p  = close + 1;
	}
	free(xml);
	r->strs = (char *) all.p;
	return rv;
}

/* The first sheet's part name: xl/workbook.xml's first <sheet>, whose
 * r:id names a relationship in xl/_rels/workbook.xml.rels. */
static int
sheet_path(struct rd *r, struct coso_buf *path)
{
	char *wb = NULL, *rels = NULL;
	const char *s, *gt, *id, *v, *t;
	size_t idn = 0, vn, tn;
	int rv;

	if ((rv = zip_read(r, "xl/workbook.xml", 0, &wb))
	    || (rv = zip_read(r, "xl/_rels/workbook.xml.rels", 0, &rels))) {
		goto out;
	}
	s = elem(wb, wb + strlen(wb), "sheet", &gt);
	if (s == NULL || !attr(s, gt, "r:id", &id, &idn)) {
		rv = fail(r, COSO_ESCHEMA, "the workbook has no sheet");
		goto out;
	}
	rv = fail(r, COSO_ESCHEMA, "the workbook's first sheet is missing");
	for (s = rels;
	     (s = elem(s, rels + strlen(rels), "Relationship", &gt)) != NULL;
	     s = gt) {
		if (attr(s, gt, "Id", &v, &vn) && vn == idn
		    && memcmp(v, id, vn) == 0 && attr(s, gt, "Target", &t, &tn)
		    && tn > 0) {
			if (t[0] == '/') {
				rv = decode(r, t + 1, t + tn, path);
			} else if ((rv = coso_buf_add(path, "xl/", 3))
			    == COSO_OK) {
				rv = decode(r, t, t + tn, path);
			}
			break;
		}
	}
	if (rv == COSO_OK) {
		r->x->why = NULL;
	}
out:
	free(wb);
	free(rels);
	return rv;
}

/* ---- the sheet --------------------------------------------------------- */

/* An Excel serial day (days since 1899-12-30, a time of day allowed) as
 * YYYY-MM-DD in out; 0 if s is not one from 1900-03-01 to 9999-12-31. */
static int
serial_date(const char *s, char out[24])
{
	long v        = 0, z, era, doe, yoe, doy, mp, y, m;
	const char *p = s;

	for (; *p >= '0' && *p <= '9' && v < 10000000; p++) {
		v = v * 10 + (*p - '0');
	}
	if (p == s || (*p == '.' && p[1] == 0)) {
		return 0;
	}
	for (p += *p == '.'; *p >= '0' && *p <= '9'; p++) { }
	if (*p != 0 || v < 61 || v > 2958465) {
		return 0;
	}
	/* Days since 1970-01-01 to a civil date (H. Hinnant's algorithm). */
	z   = v - 25569 + 719468;
	era = z / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp  = (5 * doy + 2) / 153;
	m   = mp < 10 ? mp + 3 : mp - 9;
	y   = yoe + era * 400 + (m <= 2);
	snprintf(
	    out, 24, "%04ld-%02ld-%02ld", y, m, doy - (153 * mp + 2) / 5 + 1);
	return 1;
}

/* A cell reference's column (A = 1) if its row is row; 0 if not. */
static size_t
ref_col(const char *v, size_t n, size_t row)
{
	size_t i = 0, col = 0, rn = 0;

	for (; i < n && v[i] >= 'A' && v[i] <= 'Z' && col <= 16384; i++) {
		col = col * 26 + (size_t) (v[i] - 'A' + 1);
	}
	for (; i < n && v[i] >= '0' && v[i] <= '9' && rn <= 1048576; i++) {
		rn = rn * 10 + (size_t) (v[i] - '0');
	}
	return i == n && rn == row && col <= 16384 ? col : 0;
}

/* A cell's value (before the shared string is looked up) into b. */
static int
cell_value(struct rd *r, const char *gt, const char *cend, int inl,
    struct coso_buf *b)
{
	const char *v, *vgt, *vend;

	if (inl) {
		v = elem(gt + 1, cend, "is", &vgt);
		return v == NULL || vgt[-1] == '/' ? COSO_OK
		                                   : rich(r, vgt + 1, cend, b);
	}
	v = elem(gt + 1, cend, "v", &vgt);
	if (v == NULL || vgt[-1] == '/') {
		return COSO_OK;
	}
	if ((vend = find(vgt + 1, cend, "</v>")) == NULL) {
		return fail(r, COSO_ESCHEMA, "malformed cell");
	}
	return decode(r, vgt + 1, vend, b);
}

/* A shared string's index in b replaced by the string. */
static int
shared(struct rd *r, struct coso_buf *b)
{
	size_t i = 0, k;

	for (k = 0; k < b->len && b->p[k] >= '0' && b->p[k] <= '9'
	     && i <= XLSX_STRINGS_MAX;
	     k++) {
		i = i * 10 + (size_t) (b->p[k] - '0');
	}
	if (b->len == 0 || k != b->len || i >= r->nstr) {
		return fail(r, COSO_ESCHEMA, "a cell names no shared string");
	}
	coso_buf_reset(b);
	return coso_buf_add(
	    b, r->strs + r->soff[i], strlen(r->strs + r->soff[i]));
}

/* One <c> element [c, gt] of sheet row row, after column *col. */
static int
cell(struct rd *r, const char *c, const char *gt, const char *rend, size_t row,
    size_t *col)
{
	const char *v, *t = "n", *cend = gt;
	size_t vn, tn = 1, at = *col + 1;
	struct coso_buf b = {.max = XLSX_TEXT_MAX};
	int rv;

	if (attr(c, gt, "r", &v, &vn) && (at = ref_col(v, vn, row)) == 0) {
		return fail(
		    r, COSO_ESCHEMA, "a cell's reference is malformed");
	}
	if (at <= *col) {
		return fail(r, COSO_ESCHEMA, "cells out of order");
	}
	*col = at;
	attr(c, gt, "t", &t, &tn);
	if (gt[-1] != '/' && (cend = find(gt + 1, rend, "</c>")) == NULL) {
		return fail(r, COSO_ESCHEMA, "malformed cell");
	}
	if (tn == 1 && t[0] == 'e') {
		return fail(r, COSO_ESCHEMA, "a cell holds a formula error");
	}
	rv = gt[-1] == '/' ? COSO_OK : cell_value(r, gt, cend, tn == 9, &b);
	if (rv == COSO_OK && tn == 1 && t[0] == 's') {
		rv = shared(r, &b);
	}
	if (rv == COSO_ETOOBIG && r->x->why == NULL) {
		rv = fail(r, rv, "a cell's text is over 16 KiB");
	}
	if (rv == COSO_OK && b.len > 0) {
		if (at > XLSX_COLS_MAX || ++r->ncells > XLSX_CELLS_MAX) {
			rv = fail(r, COSO_ETOOBIG,
			    at > XLSX_COLS_MAX ? "a value past column BL"
			                       : "too many cells");
		} else {
			/* The cell takes b's bytes; b starts afresh. */
			coso_buf_free(&r->cell[at - 1]);
			r->cell[at - 1] = b;
			r->cnum[at - 1] = tn == 1 && t[0] == 'n';
			coso_buf_init(&b, XLSX_TEXT_MAX);
		}
	}
	coso_buf_free(&b);
	return rv;
}

/* Appends field f to the CSV, quoted (a quote doubled). */
static int
csv_field(struct coso_buf *csv, const char *f, size_t n)
{
	const char *q;
	int rv = coso_buf_add(csv, "\"", 1);

	while (rv == COSO_OK && (q = memchr(f, '"', n)) != NULL) {
		rv = coso_buf_add(csv, f, (size_t) (q - f + 1));
		rv = rv ? rv : coso_buf_add(csv, "\"", 1);
		n -= (size_t) (q - f + 1);
		f = q + 1;
	}
	rv = rv ? rv : coso_buf_add(csv, f, n);
	return rv ? rv : coso_buf_add(csv, "\"", 1);
}

/* The row's cells as a CSV record, if any holds a value. */
static int
emit(struct rd *r, size_t row)
{
	size_t i, n = 0, *q;
	char date[24];
	int rv = COSO_OK;

	for (i = 0; i < XLSX_COLS_MAX; i++) {
		n = r->cell[i].len > 0 ? i + 1 : n;
	}
	if (n == 0) {
		return COSO_OK; /* a blank row */
	}
	if (r->x->nrows == XLSX_ROWS_MAX) {
		return fail(r, COSO_ETOOBIG, "too many rows");
	}
	if ((q = realloc(r->x->rows, (r->x->nrows + 1) * sizeof(*q)))
	    == NULL) {
		return COSO_ENOMEM;
	}
	r->x->rows                = q;
	r->x->rows[r->x->nrows++] = row;
	n                         = n < r->ncols ? r->ncols : n;
	for (i = 0; rv == COSO_OK && i < n; i++) {
		struct coso_buf *c = &r->cell[i];

		if (i > 0 && (rv = coso_buf_add(&r->csv, ",", 1)) != COSO_OK) {
			break;
		}
		if (r->cnum[i] && i < 32 && (r->dates >> i & 1u)
		    && r->x->nrows > 1
		    && serial_date((const char *) c->p, date)) {
			rv = csv_field(&r->csv, date, 10);
		} else {
			rv = csv_field(&r->csv,
			    c->len ? (const char *) c->p : "", c->len);
		}
	}
	return rv ? rv : coso_buf_add(&r->csv, "\n", 1);
}

/* One <row> element's cells [p, rend), then its record. */
static int
row_cells(struct rd *r, const char *p, const char *rend, size_t row)
{
	const char *c, *gt;
	size_t col = 0, i;
	int rv     = COSO_OK;

	for (i = 0; i < XLSX_COLS_MAX; i++) {
		coso_buf_reset(&r->cell[i]);
		r->cnum[i] = 0;
	}
	while (rv == COSO_OK && (c = elem(p, rend, "c", &gt)) != NULL) {
		rv = cell(r, c, gt, rend, row, &col);
		p  = gt + 1;
	}
	return rv ? rv : emit(r, row);
}

/* Every row of the sheet's <sheetData>. */
static int
sheet(struct rd *r, const char *xml)
{
	const char *end = xml + strlen(xml), *sd, *gt, *p, *row, *rend, *v;
	size_t rn = 0, prev = 0, vn, i;
	int rv = COSO_OK;

	if ((sd = elem(xml, end, "sheetData", &gt)) == NULL) {
		return fail(r, COSO_ESCHEMA, "the sheet has no cells");
	}
	if (gt[-1] == '/') {
		return COSO_OK;
	}
	if ((end = find(gt + 1, end, "</sheetData>")) == NULL) {
		return fail(r, COSO_ESCHEMA, "malformed sheet");
	}
	for (p = gt + 1; rv == COSO_OK && (row = elem(p, end, "row", &gt));) {
		rn = prev + 1;
		if (attr(row, gt, "r", &v, &vn)) {
			for (rn = 0, i = 0; i < vn && v[i] >= '0'
			     && v[i] <= '9' && rn <= 1048576;
			     i++) {
				rn = rn * 10 + (size_t) (v[i] - '0');
			}
			rn = i == vn ? rn : 0;
		}
		if (rn <= prev || rn > 1048576) {
			return fail(r, COSO_ESCHEMA, "rows out of order");
		}
		r->x->row = prev = rn;
		rend = gt[-1] == '/' ? gt : find(gt, end, "</row>");
		if (rend == NULL) {
			return fail(r, COSO_ESCHEMA, "malformed row");
		}
		rv = gt[-1] == '/' ? COSO_OK : row_cells(r, gt + 1, rend, rn);
		p  = rend + 1;
	}
	/* An unterminated <row> must not drop the rows after it unseen. */
	if (rv == COSO_OK && find(p, end, "<row") != NULL) {
		return fail(r, COSO_ESCHEMA, "malformed row");
	}
	return rv;
}

int
cosoi_xlsx_csv(struct cosoi_xlsx *x, const uint8_t *zip, size_t len,
    size_t ncols, uint32_t dates)
{
	struct rd r          = {.x = x, .ncols = ncols, .dates = dates};
	struct coso_buf path = {.max = 1024};
	char *xml            = NULL;
	size_t i;
	int rv;

	memset(x, 0, sizeof(*x));
	coso_buf_init(&r.csv, XLSX_CSV_MAX);
	if ((rv = zip_open(&r, zip, len)) || (rv = sheet_path(&r, &path))
	    || (rv = strings(&r))
	    || (rv = zip_read(&r, (const char *) path.p, 0, &xml))) {
		goto out;
	}
	x->why = NULL;
	if ((rv = sheet(&r, xml)) == COSO_OK) {
		x->row = 0;
	}
	if (rv == COSO_ETOOBIG && x->why == NULL) {
		x->why = "the sheet is over 16 MiB as CSV";
	}
	x->csv = (char *) r.csv.p;
	x->len = r.csv.len;
	coso_buf_init(&r.csv, XLSX_CSV_MAX); /* the bytes are x's now */
out:
	if (rv == COSO_ENOMEM) {
		x->why = "out of memory";
	} else if (rv != COSO_OK && x->why == NULL) {
		x->why = rv == COSO_ETOOBIG
		    ? "the workbook is over a size limit"
		    : "not a workbook this reader reads";
	}
	for (i = 0; i < XLSX_COLS_MAX; i++) {
		coso_buf_free(&r.cell[i]);
	}
	coso_buf_free(&r.csv);
	coso_buf_free(&path);
	free(xml);
	free(r.strs);
	free(r.soff);
	return rv;
}
