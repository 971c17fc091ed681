/*
 * odt.c: a text document in OpenDocument (ODF 1.2), written by coso
 * itself: LibreOffice, Word and the office's other programs open it, and
 * nothing is needed to make it.
 *
 * An .odt file is a zip archive; its entries are stored, not compressed
 * (the format allows it, and a report is a few kilobytes), so no
 * compression library is needed.  The first entry is `mimetype', stored,
 * with no extra field: that is how programs recognise the type.  A flat
 * document (.fodt) is the same XML in one file.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <coso/client.h>

#include "odt.h"

#define MIME "application/vnd.oasis.opendocument.text"
#define NS                                                                   \
	"xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" " \
	"xmlns:style=\"urn:oasis:names:tc:opendocument:xmlns:style:1.0\" "   \
	"xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" "     \
	"xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" "   \
	"xmlns:fo=\"urn:oasis:names:tc:opendocument:xmlns:xsl-fo-"           \
	"compatible:1.0\" "                                                  \
	"xmlns:svg=\"urn:oasis:names:tc:opendocument:xmlns:svg-"             \
	"compatible:1.0\" office:version=\"1.2\""
#define XML_DECL "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

/* A paragraph style: name, alignment, size (pt), bold, italic, the
 * first line's indent and the space above (cm). */
#define PSTYLE(name, align, pt, bold, italic, indent, above)               \
	"<style:style style:name=\"" name "\" style:family=\"paragraph\">" \
	"<style:paragraph-properties fo:text-align=\"" align "\" "         \
	"fo:text-indent=\"" indent "cm\" fo:margin-top=\"" above "cm\" "   \
	"fo:margin-bottom=\"0.1cm\" fo:line-height=\"115%\"/>"             \
	"<style:text-properties style:font-name=\"Times New Roman\" "      \
	"fo:font-size=\"" pt "pt\" fo:font-weight=\"" bold "\" "           \
	"fo:font-style=\"" italic "\"/></style:style>"

/* The styles of a report: Times New Roman, A4 with the margins of
 * administrative documents (2 cm top and bottom, 3 cm left, 2 cm right).
 * In pieces, as ODF places them: fonts and named styles (styles.xml),
 * the page (automatic styles of styles.xml), the tables' widths and
 * borders (automatic styles of content.xml); a flat file has them all. */
static const char fonts[]
    = "<office:font-face-decls><style:font-face style:name=\"Times New "
      "Roman\" svg:font-family=\"'Times New Roman'\" "
      "style:font-family-generic=\"roman\"/></office:font-face-decls>";

static const char *const named[] = {
    "<office:styles>",
    PSTYLE("Body", "justify", "14", "normal", "normal", "1.27", "0.1"),
    PSTYLE("Plain", "start", "14", "normal", "normal", "0", "0"),
    PSTYLE("Center", "center", "14", "normal", "normal", "0", "0"),
    PSTYLE("CenterBold", "center", "14", "bold", "normal", "0", "0"),
    PSTYLE("Title", "center", "16", "bold", "normal", "0", "0.4"),
    PSTYLE("Heading", "justify", "14", "bold", "normal", "0", "0.3"),
    PSTYLE("Place", "center", "14", "normal", "italic", "0", "0"),
    PSTYLE("Small", "start", "11", "normal", "normal", "0", "0"),
    PSTYLE("SmallItalic", "center", "12", "normal", "italic", "0", "0"),
    "<style:style style:name=\"Underline\" style:family=\"text\">"
    "<style:text-properties style:text-underline-style=\"solid\" "
    "style:text-underline-width=\"auto\" "
    "style:text-underline-color=\"font-color\"/></style:style>"
    "<style:style style:name=\"Bold\" style:family=\"text\">"
    "<style:text-properties fo:font-weight=\"bold\"/></style:style>"
    "</office:styles>",
};

static const char page[]
    = "<style:page-layout style:name=\"A4\">"
      "<style:page-layout-properties fo:page-width=\"21cm\" "
      "fo:page-height=\"29.7cm\" style:print-orientation=\"portrait\" "
      "fo:margin-top=\"2cm\" fo:margin-bottom=\"2cm\" "
      "fo:margin-left=\"3cm\" fo:margin-right=\"2cm\"/>"
      "</style:page-layout>";

static const char master[]
    = "<office:master-styles><style:master-page style:name=\"Standard\" "
      "style:page-layout-name=\"A4\"/></office:master-styles>";

static const char tables[]
    = "<style:style style:name=\"Head\" style:family=\"table\">"
      "<style:table-properties style:width=\"16cm\" "
      "table:align=\"margins\"/></style:style>"
      "<style:style style:name=\"HeadL\" style:family=\"table-column\">"
      "<style:table-column-properties style:column-width=\"7cm\"/>"
      "</style:style>"
      "<style:style style:name=\"HeadR\" style:family=\"table-column\">"
      "<style:table-column-properties style:column-width=\"9cm\"/>"
      "</style:style>"
      "<style:style style:name=\"FigL\" style:family=\"table-column\">"
      "<style:table-column-properties style:column-width=\"12cm\"/>"
      "</style:style>"
      "<style:style style:name=\"FigR\" style:family=\"table-column\">"
      "<style:table-column-properties style:column-width=\"4cm\"/>"
      "</style:style>"
      "<style:style style:name=\"Grid\" style:family=\"table-cell\">"
      "<style:table-cell-properties fo:border=\"0.5pt solid #000000\" "
      "fo:padding=\"0.1cm\"/></style:style>"
      "<style:style style:name=\"Open\" style:family=\"table-cell\">"
      "<style:table-cell-properties fo:border=\"none\" "
      "fo:padding=\"0cm\"/></style:style>";

/* Fonts and named styles, then the automatic styles given (the page's
 * for styles.xml, the tables' for content.xml, both for a flat file),
 * then the master page where the page belongs. */
static void
put_styles(FILE *f, int with_page, int with_tables)
{
	size_t i;

	fputs(fonts, f);
	for (i = 0; with_page && i < sizeof(named) / sizeof(named[0]); i++) {
		fputs(named[i], f);
	}
	fprintf(f, "<office:automatic-styles>%s%s</office:automatic-styles>",
	    with_page ? page : "", with_tables ? tables : "");
	fputs(with_page ? master : "", f);
}

int
odt_begin(struct odt *d)
{
	memset(d, 0, sizeof(*d));
	d->f = open_memstream(&d->body, &d->len);
	return d->f != NULL ? 0 : ENOMEM;
}

void
odt_free(struct odt *d)
{
	if (d->f != NULL) {
		fclose(d->f);
	}
	free(d->body);
	memset(d, 0, sizeof(*d));
}

void
odt_escape(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *) s;
	int spaces             = 0;

	for (; *p != 0; p++) {
		/* a run of spaces is one space in XML text: <text:s/> */
		if (*p == ' ' && spaces++ > 0) {
			fputs("<text:s/>", f);
			continue;
		}
		spaces = *p == ' ';
		if (*p == '&') {
			fputs("&amp;", f);
		} else if (*p == '<') {
			fputs("&lt;", f);
		} else if (*p == '>') {
			fputs("&gt;", f);
		} else if (*p == '"') {
			fputs("&quot;", f);
		} else if (*p == '\t') {
			fputs("<text:tab/>", f);
		} else if (*p >= 0x20) {
			fputc(*p, f);
		}
		/* other control characters are not allowed in XML 1.0 */
	}
}

void
odt_p(struct odt *d, const char *style, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(d->f, "<text:p text:style-name=\"%s\">", style);
	odt_escape(d->f, buf);
	fputs("</text:p>", d->f);
}

void
odt_lines(struct odt *d, const char *style, const char *text)
{
	const char *nl;
	char *line;

	while (text != NULL && *text != 0) {
		nl   = strchr(text, '\n');
		line = strndup(text, nl ? (size_t) (nl - text) : strlen(text));
		if (line != NULL) {
			fprintf(
			    d->f, "<text:p text:style-name=\"%s\">", style);
			odt_escape(d->f, line);
			fputs("</text:p>", d->f);
			free(line);
		}
		text = nl ? nl + 1 : NULL;
	}
}

void
odt_raw(struct odt *d, const char *xml)
{
	fputs(xml, d->f);
}

/* ---- the zip archive (stored entries) --------------------------------- */

struct zip {
	FILE *f;
	FILE *dir; /* the central directory, written after the entries */
	char *dirbuf;
	size_t dirlen;
	uint16_t n, time, date;
	uint32_t off;
};

static uint32_t
crc32(const char *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		c ^= (unsigned char) p[i];
		for (k = 0; k < 8; k++) {
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
		}
	}
	return ~c;
}

static void
le16(FILE *f, uint16_t v)
{
	fputc(v & 0xff, f);
	fputc(v >> 8, f);
}

static void
le32(FILE *f, uint32_t v)
{
	le16(f, (uint16_t) (v & 0xffff));
	le16(f, (uint16_t) (v >> 16));
}

/* The fields local and central headers share, from "version needed". */
static void
common(
    FILE *f, const struct zip *z, uint32_t crc, uint32_t size, size_t namelen)
{
	le16(f, 10); /* version needed: 1.0, stored */
	le16(f, 0);  /* flags */
	le16(f, 0);  /* method: stored */
	le16(f, z->time);
	le16(f, z->date);
	le32(f, crc);
	le32(f, size); /* compressed */
	le32(f, size); /* uncompressed */
	le16(f, (uint16_t) namelen);
	le16(f, 0); /* extra field length */
}

static void
zip_add(struct zip *z, const char *name, const char *data, size_t len)
{
	uint32_t crc = crc32(data, len);
	size_t nl    = strlen(name);

	le32(z->f, 0x04034b50u);
	common(z->f, z, crc, (uint32_t) len, nl);
	fwrite(name, 1, nl, z->f);
	fwrite(data, 1, len, z->f);

	le32(z->dir, 0x02014b50u);
	le16(z->dir, 20); /* made by: 2.0 */
	common(z->dir, z, crc, (uint32_t) len, nl);
	le16(z->dir, 0); /* comment */
	le16(z->dir, 0); /* disk */
	le16(z->dir, 0); /* internal attributes */
	le32(z->dir, 0); /* external attributes */
	le32(z->dir, z->off);
	fwrite(name, 1, nl, z->dir);
	z->off += (uint32_t) (30 + nl + len);
	z->n++;
}

static void
zip_end(struct zip *z)
{
	fflush(z->dir);
	fwrite(z->dirbuf, 1, z->dirlen, z->f);
	le32(z->f, 0x06054b50u);
	le16(z->f, 0);
	le16(z->f, 0);
	le16(z->f, z->n);
	le16(z->f, z->n);
	le32(z->f, (uint32_t) z->dirlen);
	le32(z->f, z->off);
	le16(z->f, 0);
}

/* Now (Vietnam's time) as the archive's DOS date and time. */
static void
dos_now(struct zip *z)
{
	time_t t = time(NULL) + 7 * 3600;
	struct tm tm;

	gmtime_r(&t, &tm);
	z->time
	    = (uint16_t) (tm.tm_hour << 11 | tm.tm_min << 5 | tm.tm_sec / 2);
	z->date = (uint16_t) ((tm.tm_year - 80) << 9 | (tm.tm_mon + 1) << 5
	    | tm.tm_mday);
}

static const char manifest[]
    = XML_DECL "<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:"
               "opendocument:xmlns:manifest:1.0\" manifest:version=\"1.2\">"
               "<manifest:file-entry manifest:full-path=\"/\" "
               "manifest:version=\"1.2\" manifest:media-type=\"" MIME "\"/>"
               "<manifest:file-entry manifest:full-path=\"content.xml\" "
               "manifest:media-type=\"text/xml\"/>"
               "<manifest:file-entry manifest:full-path=\"styles.xml\" "
               "manifest:media-type=\"text/xml\"/></manifest:manifest>\n";

/* The document as the bytes of an .odt (zip) or .fodt file, into f. */
static int
document(struct odt *d, FILE *f, int flat)
{
	struct zip z = {.f = f};
	char *part   = NULL;
	size_t plen  = 0;
	FILE *p;

	if (flat) {
		fputs(XML_DECL "<office:document " NS
		               " office:mimetype=\"" MIME "\">",
		    f);
		put_styles(f, 1, 1);
		fputs("<office:body><office:text>", f);
		fwrite(d->body, 1, d->len, f);
		fputs("</office:text></office:body></office:document>\n", f);
		return 0;
	}
	if ((z.dir = open_memstream(&z.dirbuf, &z.dirlen)) == NULL) {
		return ENOMEM;
	}
	dos_now(&z);
	zip_add(&z, "mimetype", MIME, strlen(MIME));
	zip_add(&z, "META-INF/manifest.xml", manifest, strlen(manifest));
	if ((p = open_memstream(&part, &plen)) != NULL) {
		fputs(XML_DECL "<office:document-styles " NS ">", p);
		put_styles(p, 1, 0);
		fputs("</office:document-styles>\n", p);
		fclose(p);
		zip_add(&z, "styles.xml", part, plen);
		free(part);
		part = NULL;
	}
	if ((p = open_memstream(&part, &plen)) != NULL) {
		fputs(XML_DECL "<office:document-content " NS ">", p);
		put_styles(p, 0, 1);
		fputs("<office:body><office:text>", p);
		fwrite(d->body, 1, d->len, p);
		fputs(
		    "</office:text></office:body></office:document-content>\n",
		    p);
		fclose(p);
		zip_add(&z, "content.xml", part, plen);
		free(part);
	}
	zip_end(&z);
	fclose(z.dir);
	free(z.dirbuf);
	return z.n == 4 ? 0 : ENOMEM;
}

int
odt_save(struct odt *d, const char *path, int flat)
{
	char *buf  = NULL;
	size_t len = 0;
	FILE *f;
	int rv;

	if (fflush(d->f) != 0 || (f = open_memstream(&buf, &len)) == NULL) {
		return ENOMEM;
	}
	rv = document(d, f, flat);
	if (fclose(f) != 0 && rv == 0) {
		rv = ENOMEM;
	}
	if (rv == 0) {
		/* errno values here: the cause files.c left */
		rv = coso_file_write(path, buf, len, 0644) != COSO_OK ? errno
		                                                      : 0;
	}
	free(buf);
	return rv;
}
