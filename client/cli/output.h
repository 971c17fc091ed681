/*
 * output.h: printing struct coso_row as a table, a detail view, JSON or
 * CSV.  Every listing, `show` and `export` goes through these.
 */
#ifndef COSO_CLIENT_OUTPUT_H
#define COSO_CLIENT_OUTPUT_H

#include <stddef.h>
#include <stdio.h>

#include <coso/client.h>

enum out_mode {
	OUT_TABLE = 0, /* human: aligned columns, long text cut */
	OUT_JSON  = 1, /* an array of objects */
	OUT_CSV   = 2, /* RFC 4180, a header row per kind, for people */
};

/*
 * A table column: the row key, its header (N_() text), a width and a cut.
 * Ids (cut 1: their start, OUT_CUT_TAIL: their end) are shown in width
 * characters on purpose.  Other columns are as wide as their widest cell
 * and never cut; one declared 20 or wider holds free text, which wraps
 * onto further lines when the table would not fit the terminal
 * (table.c).
 */
#define OUT_CUT_TAIL 2

struct out_col {
	const char *key;
	const char *header;
	int width;
	int cut;
};

/* State of one listing; zero it, then set f, mode and cols. */
struct out_list {
	FILE *f;
	enum out_mode mode;
	const struct out_col *cols; /* for OUT_TABLE; NULL: every key */
	size_t ncols;
	size_t nrows;
	char kind[32]; /* CSV: the kind whose header was written */
	int english;   /* CSV: headers and words in English, not the
	                  catalogue's language */
	int have_cols; /* TABLE: columns chosen */
	unsigned used; /* TABLE: bit i set if cols[i] is in the rows */
	char **cells;  /* TABLE: rows held until the end (table.c) */
	size_t held, cap;
	size_t widths[32];
	int sized; /* TABLE: widths set and the header printed */
};

/* A coso_row_cb printing one row into an out_list (arg). */
int out_list_row(const struct coso_row *row, void *arg);

/* table.c: one row into the table (held until out_table_end, which
 * sizes the columns, prints and frees them); 0 or COSO_ENOMEM. */
int out_table_row(struct out_list *o, const struct coso_row *row);
void out_table_end(struct out_list *o);

/* Terminal columns that the UTF-8 text s takes. */
size_t out_width(const char *s);

/* Opens ("[") and closes ("]", or "(none)" for an empty table). */
void out_list_begin(struct out_list *o);
void out_list_end(struct out_list *o);

/* `show`: the first row in full, then its children.  Zero it, set f and
 * json; out_show_row is a coso_row_cb. */
struct out_show {
	FILE *f;
	int json;
	size_t nrows;
};

int out_show_row(const struct coso_row *row, void *arg);
void out_show_end(struct out_show *o);

/* JSON pieces: a string (escaped), a value, one row as an object. */
void out_json_string(FILE *f, const char *s);
void out_json_value(FILE *f, const struct coso_kv *kv);
void out_json_row(FILE *f, const struct coso_row *row);

/*
 * A value for people: text as it is, dates dd/mm/yyyy, *_ms times as
 * dd/mm/yyyy hh:mm (Vietnam time), *_milli as decimals.  Returns kv->s
 * or buf (at least 32 bytes).
 */
const char *out_human(const struct coso_kv *kv, char *buf, size_t n);

/* The value of key in row, or NULL. */
const struct coso_kv *out_find(const struct coso_row *row, const char *key);

/* A malloc'd copy of the text of key in row; NULL when it is absent or
 * not text, and NULL with *oom set when memory ran out. */
char *out_strdup(const struct coso_row *row, const char *key, int *oom);

/* The translated label for a row key (the key itself if none). */
const char *out_label(const char *key);

/* Milliseconds since the Unix epoch as dd/mm/yyyy hh:mm (UTC+7). */
void out_time(char *buf, size_t n, uint64_t ms);

#endif /* COSO_CLIENT_OUTPUT_H */
