/*
 * csv.c: a strict RFC 4180 reader for the unit list, with hard limits
 * (no allocation: fields are copied into the caller's fixed buffers), and
 * the cell writer of every CSV output.
 */
#include <stdio.h>
#include <string.h>

#include <coso/common.h>

#include "csv.h"

/* Where a field ended. */
enum field_end {
	END_BAD   = -1, /* malformed */
	END_COMMA = 0,  /* another field follows */
	END_LINE  = 1,  /* the record ends (LF, CRLF or end of input) */
};

/* Refuses the record: why says what was wrong. */
static enum field_end
bad(struct cosoi_csv *c, const char *why)
{
	c->why = why;
	return END_BAD;
}

/* Consumes the record terminator or comma after a field. */
static enum field_end
terminator(struct cosoi_csv *c)
{
	if (c->p >= c->end) {
		return END_LINE;
	}
	if (*c->p == ',') {
		c->p++;
		return END_COMMA;
	}
	if (*c->p == '\r') {
		c->p++;
		if (c->p >= c->end || *c->p != '\n') {
			return bad(c, "a carriage return without a line feed");
		}
	}
	if (*c->p == '\n') {
		c->p++;
		return END_LINE;
	}
	return bad(c, "text after a closing quote");
}

/* One byte of a field into out[*k]: a NUL would end the C string there
 * and silently lose the rest of the value, so it is refused. */
static enum field_end
put(struct cosoi_csv *c, char *out, size_t *k)
{
	if (*c->p == 0) {
		return bad(c, "a NUL byte in a field");
	}
	if (*k >= CSV_FIELD_MAX) {
		return bad(c, "a field longer than the limit");
	}
	out[(*k)++] = *c->p;
	return END_COMMA;
}

/* A quoted field: "" stands for one quote; line breaks are allowed. */
static enum field_end
quoted_field(struct cosoi_csv *c, char *out)
{
	size_t k = 0;

	for (c->p++; c->p < c->end; c->p++) {
		if (*c->p == '"') {
			if (c->p + 1 < c->end && c->p[1] == '"') {
				c->p++;
			} else {
				c->p++;
				out[k] = 0;
				return terminator(c);
			}
		}
		if (put(c, out, &k) == END_BAD) {
			return END_BAD;
		}
		c->line += *c->p == '\n';
	}
	return bad(c, "a quote that is never closed");
}

static enum field_end
plain_field(struct cosoi_csv *c, char *out)
{
	size_t k = 0;

	for (; c->p < c->end; c->p++) {
		char ch = *c->p;
		if (ch == ',' || ch == '\n' || ch == '\r') {
			break;
		}
		if (ch == '"') {
			return bad(c, "a quote inside an unquoted field");
		}
		if (put(c, out, &k) == END_BAD) {
			return END_BAD;
		}
	}
	out[k] = 0;
	return terminator(c);
}

int
cosoi_csv_record(struct cosoi_csv *c, char f[][CSV_FIELD_MAX + 1])
{
	return cosoi_csv_fields(c, f, CSV_FIELDS);
}

/* Whether only blank lines are left: spreadsheet programs and editors
 * end a file with one or more, and they are not a record. */
static int
blank_tail(const struct cosoi_csv *c)
{
	const char *q;

	for (q = c->p; q < c->end; q++) {
		if (*q != '\n' && *q != '\r' && *q != ' ' && *q != '\t') {
			return 0;
		}
	}
	return 1;
}

int
cosoi_csv_fields(
    struct cosoi_csv *c, char f[][CSV_FIELD_MAX + 1], size_t nfields)
{
	enum field_end e = END_COMMA;
	size_t n;

	if (blank_tail(c)) {
		c->p = c->end;
		return 0;
	}
	c->line++;
	for (n = 0; e == END_COMMA; n++) {
		if (n >= nfields) {
			c->why = "more fields than expected";
			return -1;
		}
		e = c->p < c->end && *c->p == '"' ? quoted_field(c, f[n])
		                                  : plain_field(c, f[n]);
		if (e == END_BAD) {
			return -1;
		}
	}
	if (n != nfields) {
		c->why = "fewer fields than expected";
		return -1;
	}
	return 1;
}

/* Spreadsheet programs run a cell starting with one of these as a formula
 * (or, for TAB and CR, strip them and look again). */
static int
formula_lead(const char *s)
{
	return s[0] != 0 && strchr("=+-@\t\r", s[0]) != NULL;
}

void
coso_csv_cell(FILE *f, const char *s)
{
	size_t n   = strlen(s);
	int guard  = formula_lead(s);
	int spaces = n > 0 && (s[0] == ' ' || s[n - 1] == ' ');

	if (!guard && !spaces && strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, f);
		return;
	}
	fputs(guard ? "\"'" : "\"", f);
	for (; *s != 0; s++) {
		if (*s == '"') {
			fputc('"', f);
		}
		fputc(*s, f);
	}
	fputc('"', f);
}
