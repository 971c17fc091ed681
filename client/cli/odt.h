/*
 * odt.h: a text document in OpenDocument, made by coso (odt.c).  The
 * body is built as ODF XML paragraphs in the styles odt.c defines
 * (Body, Plain, Center, CenterBold, Title, Heading, Place, Small,
 * SmallItalic; text spans Bold, Underline; table cells Grid, Open;
 * tables Head with columns HeadL, HeadR, and columns FigL, FigR).
 */
#ifndef COSO_CLIENT_ODT_H
#define COSO_CLIENT_ODT_H

#include <stddef.h>
#include <stdio.h>

struct odt {
	FILE *f;    /* the body being written */
	char *body; /* its bytes, once f is flushed */
	size_t len;
};

/* Starts an empty body; 0 or ENOMEM.  odt_free releases it. */
int odt_begin(struct odt *d);
void odt_free(struct odt *d);

/* s as XML text onto f: markup characters escaped, runs of spaces and
 * tabs as ODF's elements, control characters left out. */
void odt_escape(FILE *f, const char *s);

/* One paragraph of style, its text formatted (at most 1023 bytes). */
void odt_p(struct odt *d, const char *style, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A paragraph of style for each line of text (any length). */
void odt_lines(struct odt *d, const char *style, const char *text);

/* XML put into the body as it is (tables, spans). */
void odt_raw(struct odt *d, const char *xml);

/* Writes the document to path (temp + fsync + rename): a zipped .odt,
 * or with flat a single-file .fodt.  0 or an errno value. */
int odt_save(struct odt *d, const char *path, int flat);

#endif /* COSO_CLIENT_ODT_H */
