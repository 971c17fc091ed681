/*
 * table.c: listings as aligned columns for people (OUT_TABLE).
 *
 * The rows are held until the end so that every column is as wide as its
 * widest cell, measured in terminal columns (coso_text_cols, with
 * libunistring: a Vietnamese letter with its marks is one column, however
 * it is encoded).  Codes, dates and states are never cut.  Free text (a column
 * declared at least TEXT_MIN wide) wraps at spaces onto further lines
 * when the table would be wider than the terminal ($COLUMNS, else the
 * terminal's width; no limit when the output is not a terminal).  Ids
 * keep their declared cut: lists show the last 8 digits of an id on
 * purpose (any 8 name a record).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "i18n.h"
#include "output.h"

#define TEXT_MIN 20 /* a declared width from which a column wraps */
#define WRAP_MIN 12 /* the narrowest a wrapped column becomes */
#define ROWS_MAX                                                         \
	100000       /* rows held; beyond, they are printed as they come \
	              */
#define GAP       2  /* spaces between columns */
#define COLS_HELD 32 /* out_list.used is a 32-bit mask */

size_t
out_width(const char *s)
{
	return coso_text_cols(s, strlen(s));
}

/* The terminal's width for f, or 0 for no limit. */
static size_t
term_width(FILE *f)
{
	const char *c = getenv("COLUMNS");
	struct winsize ws;
	long n;

	if (c != NULL && (n = strtol(c, NULL, 10)) >= 20 && n < 10000) {
		return (size_t) n;
	}
	if (isatty(fileno(f)) && ioctl(fileno(f), TIOCGWINSZ, &ws) == 0
	    && ws.ws_col >= 20) {
		return ws.ws_col;
	}
	return 0;
}

/* A cell's text with line breaks and tabs as spaces (a code or a date
 * stays one line); malloc'd. */
static char *
flat(const char *s)
{
	char *d = strdup(s), *p;

	for (p = d; p != NULL && *p != 0; p++) {
		if (*p == '\n' || *p == '\r' || *p == '\t') {
			*p = ' ';
		}
	}
	return d;
}

/* The last w columns of an ASCII id, or its first w (OUT_CUT_TAIL or 1);
 * other cells as they are.  Malloc'd. */
static char *
cell_text(const struct out_col *c, const char *s)
{
	size_t n = strlen(s), w = (size_t) c->width;

	if (c->cut == 0 || n <= w) {
		return flat(s);
	}
	return c->cut == OUT_CUT_TAIL ? strdup(s + n - w) : strndup(s, w);
}

static int
wraps(const struct out_col *c)
{
	return c->cut == 0 && c->width >= TEXT_MIN;
}

/* Picks the columns present in the first row. */
static void
choose(struct out_list *o, const struct coso_row *row)
{
	size_t i;

	for (i = 0; i < o->ncols && i < COLS_HELD; i++) {
		if (out_find(row, o->cols[i].key) != NULL) {
			o->used |= 1u << i;
		}
	}
	o->have_cols = 1;
}

/* Room for one more held row; 0, or -1 when out of memory or full. */
static int
room(struct out_list *o)
{
	size_t ncap;
	char **c;

	if (o->held < o->cap) {
		return 0;
	}
	if (o->held >= ROWS_MAX) {
		return -1;
	}
	ncap = o->cap ? o->cap * 2 : 64;
	if ((c = realloc(o->cells, ncap * o->ncols * sizeof(*c))) == NULL) {
		return -1;
	}
	o->cells = c;
	o->cap   = ncap;
	return 0;
}

/* Sizes the columns to the held rows and the terminal. */
static void
size_columns(struct out_list *o)
{
	size_t i, r, w, total = 0, limit = term_width(o->f), widest;

	for (i = 0; i < o->ncols; i++) {
		if (!(o->used & (1u << i))) {
			continue;
		}
		o->widths[i] = out_width(_(o->cols[i].header));
		for (r = 0; r < o->held; r++) {
			w            = out_width(o->cells[r * o->ncols + i]);
			o->widths[i] = w > o->widths[i] ? w : o->widths[i];
		}
		total += o->widths[i] + GAP;
	}
	/* Too wide for the terminal: the widest text column gives a
	 * column at a time, down to WRAP_MIN (or its header). */
	while (limit > 0 && total > limit + GAP) {
		widest = o->ncols;
		for (i = 0; i < o->ncols; i++) {
			if ((o->used & (1u << i)) && wraps(&o->cols[i])
			    && o->widths[i] > WRAP_MIN
			    && o->widths[i] > out_width(_(o->cols[i].header))
			    && (widest == o->ncols
			        || o->widths[i] > o->widths[widest])) {
				widest = i;
			}
		}
		if (widest == o->ncols) {
			break;
		}
		o->widths[widest]--;
		total--;
	}
	o->sized = 1;
}

static void
pad(FILE *f, size_t n)
{
	while (n-- > 0) {
		fputc(' ', f);
	}
}

/* Prints one row, as many lines as its longest wrapped cell. */
static void
print_row(struct out_list *o, char *const *cells)
{
	const char *rest[COLS_HELD], *line;
	size_t i, n, last = 0;
	int more = 1;

	for (i = 0; i < o->ncols && i < COLS_HELD; i++) {
		rest[i] = cells[i] != NULL ? cells[i] : "";
		last    = o->used & (1u << i) ? i : last;
	}
	while (more) {
		more = 0;
		for (i = 0; i < o->ncols && i < COLS_HELD; i++) {
			if (!(o->used & (1u << i))) {
				continue;
			}
			line = coso_text_line(&rest[i], o->widths[i], &n);
			fwrite(line, 1, n, o->f);
			more |= rest[i][0] != 0;
			if (i != last) {
				pad(o->f,
				    o->widths[i] - coso_text_cols(line, n)
				        + GAP);
			}
		}
		fputc('\n', o->f);
	}
}

static void
print_header(struct out_list *o)
{
	char *heads[COLS_HELD] = {NULL};
	size_t i;

	for (i = 0; i < o->ncols && i < COLS_HELD; i++) {
		heads[i] = (char *) _(o->cols[i].header);
	}
	print_row(o, heads);
}

/* Prints and frees the held rows. */
static void
flush(struct out_list *o)
{
	size_t r, i;

	if (!o->sized) {
		size_columns(o);
		print_header(o);
	}
	for (r = 0; r < o->held; r++) {
		print_row(o, &o->cells[r * o->ncols]);
		for (i = 0; i < o->ncols; i++) {
			free(o->cells[r * o->ncols + i]);
		}
	}
	o->held = 0;
}

/* A row of a kind without a column list: every key=value, in full. */
static void
generic_row(FILE *f, const struct coso_row *row)
{
	char buf[64], *v;
	size_t i;

	for (i = 0; i < row->n; i++) {
		v = flat(out_human(&row->kv[i], buf, sizeof(buf)));
		fprintf(f, "%s%s=%s", i ? "  " : "", row->kv[i].key,
		    v != NULL ? v : "");
		free(v);
	}
	fputc('\n', f);
}

int
out_table_row(struct out_list *o, const struct coso_row *row)
{
	const struct coso_kv *kv;
	char buf[64], **cells;
	size_t i;

	if (!o->have_cols) {
		choose(o, row);
	}
	if (o->used == 0) {
		generic_row(o->f, row);
		return 0;
	}
	if (o->sized || room(o) != 0) {
		/* Past ROWS_MAX (or no memory to hold more): printed now,
		 * in the widths of the rows held so far. */
		flush(o);
		if (room(o) != 0) {
			return COSO_ENOMEM;
		}
	}
	cells = &o->cells[o->held * o->ncols];
	for (i = 0; i < o->ncols; i++) {
		kv       = out_find(row, o->cols[i].key);
		cells[i] = NULL;
		if (i < COLS_HELD && (o->used & (1u << i))
		    && (cells[i] = cell_text(&o->cols[i],
		            kv ? out_human(kv, buf, sizeof(buf)) : ""))
		        == NULL) {
			return COSO_ENOMEM;
		}
	}
	o->held++;
	if (o->sized) {
		flush(o);
	}
	return 0;
}

void
out_table_end(struct out_list *o)
{
	if (o->held > 0) {
		flush(o);
	}
	free(o->cells);
	o->cells = NULL;
	o->cap   = 0;
}
