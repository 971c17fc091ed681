/*
 * csv.h: the CSV reader used by unit imports (and its fuzz target).
 */
#ifndef COSO_CLIENT_CSV_H
#define COSO_CLIENT_CSV_H

#include <stddef.h>

#define CSV_FIELDS    5
#define CSV_FIELD_MAX 1024u

/* A cursor over a buffer; line counts the lines read (from 1); why says
 * what was wrong when a record was refused (a static string). */
struct cosoi_csv {
	const char *p, *end;
	size_t line;
	const char *why;
};

/*
 * Reads one record of exactly CSV_FIELDS fields into f (each at most
 * CSV_FIELD_MAX bytes, NUL-terminated).  1 = a record, 0 = end of input
 * (blank lines, of spaces, tabs and line breaks, at the very end are no
 * record; a blank line before a record is refused as malformed),
 * -1 = malformed (wrong field count, a field too long, a stray or
 * unterminated quote, a CR without LF, a NUL byte: a C string would end
 * there and lose the rest of the field), c->why saying which.  Thread:
 * any; no state but c.
 */
int cosoi_csv_record(struct cosoi_csv *c, char f[][CSV_FIELD_MAX + 1]);

/* The same for exactly nfields fields (1 or more); f has room for
 * nfields. */
int cosoi_csv_fields(
    struct cosoi_csv *c, char f[][CSV_FIELD_MAX + 1], size_t nfields);

#endif /* COSO_CLIENT_CSV_H */
