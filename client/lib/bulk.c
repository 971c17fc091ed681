/*
 * bulk.c: the office's cadres and assignments from a spreadsheet saved
 * as CSV (UTF-8, a BOM allowed, RFC 4180 quoting; blank lines at the end
 * ignored).
 *
 *   cadres:      cadre_id,name,title,unit
 *   assignments: cadre_id,unit,sector,role,valid_from,valid_to,decision
 *
 * Each row is checked as `coso admin cadre add' and `coso admin assign'
 * check one (an assignment's cadre must be known, its days within its
 * unit's); every bad row is reported through the caller's callback with
 * its line, and then nothing is stored or signed.  A good file is signed
 * in change-sets of at most BULK_ROWS_PER_CS rows, all in one transaction
 * with the local rows; once one holds BULK_GROUP_MIN rows, a row of
 * another unit (or sector) starts the next: a device pulls the
 * change-sets that name its units' cadres and its own assignments, so a
 * file listed by unit costs each device a few rows more than its own
 * (docs/central.md, "PULL scope and cursor").
 *
 * An .xlsx workbook (told by its content, "PK\3\4") is read too: its first
 * sheet becomes the same CSV (xlsx.c) and goes through the same rules;
 * a bad row is then named by its sheet row ("row 7"), blank rows skipped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "internal.h"
#include "xlsx.h"

#define BULK_FIELDS      7
#define BULK_ROWS_PER_CS 64u
#define BULK_GROUP_MIN   16u
#define BULK_BYTES_MAX   (16u * 1024u * 1024u)
/* The assignment columns an Excel serial day becomes a date in:
 * valid_from and valid_to. */
#define BULK_DATE_COLS 0x30u

enum bulk_kind { BULK_CADRES, BULK_ASSIGNMENTS };

static const char *const cadre_head[]  = {"cadre_id", "name", "title", "unit"};
static const char *const assign_head[] = {"cadre_id", "unit", "sector", "role",
    "valid_from", "valid_to", "decision"};

/* One import under way. */
struct bulk {
	struct coso_store *s;
	enum bulk_kind kind;
	size_t nfields;
	struct coso_body *b;
	size_t nops;
	struct coso_bulk_result *r;
	coso_bad_row_cb bad;
	void *arg;
	sqlite3_stmt *seen;       /* temp.bulk_seen: a row's key, first line */
	const size_t *sheet_rows; /* a workbook: record i + 1's sheet row */
	size_t nsheet_rows, rec;
	char group[4 * CSV_FIELD_MAX + 8]; /* the last row's unit|sector */
};

/* How a place in the file is named: a line of CSV, a row of a sheet. */
static const char *
place(const struct bulk *k)
{
	return k->sheet_rows != NULL ? "row" : "line";
}

/* Where record k->rec is: its sheet row in a workbook, else its line. */
static size_t
where(const struct bulk *k, size_t line)
{
	if (k->sheet_rows == NULL) {
		return line;
	}
	if (k->rec == 0 || k->nsheet_rows == 0) {
		return 1;
	}
	return k->sheet_rows[k->rec <= k->nsheet_rows ? k->rec - 1
	                                              : k->nsheet_rows - 1];
}

/* Reports a bad row: the handle's message, with its line. */
static void
refuse(struct bulk *k, size_t line, const char *why)
{
	k->r->bad++;
	if (k->bad != NULL) {
		k->bad(line, why, k->arg);
	}
}

static int
header_ok(struct bulk *k, char f[][CSV_FIELD_MAX + 1])
{
	const char *const *h
	    = k->kind == BULK_CADRES ? cadre_head : assign_head;
	size_t i;

	for (i = 0; i < k->nfields; i++) {
		if (strcmp(f[i], h[i]) != 0) {
			return 0;
		}
	}
	return 1;
}

/* The first line of the file with the same key, or 0 (and it is noted). */
static size_t
seen_at(struct bulk *k, const char *key, size_t line)
{
	size_t first = 0;

	sqlite3_reset(k->seen);
	sqlite3_bind_text(k->seen, 1, key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(k->seen, 2, (sqlite3_int64) line);
	if (sqlite3_step(k->seen) == SQLITE_ROW) {
		first = (size_t) sqlite3_column_int64(k->seen, 0);
	}
	sqlite3_reset(k->seen);
	return first == line ? 0 : first;
}

/* "in-charge", "monitor", "support", or 1 to 3; 0 if none. */
static int
role_of(const char *s)
{
	static const char *const names[] = {"in-charge", "monitor", "support"};
	int i;

	for (i = 0; i < 3; i++) {
		if (strcmp(s, names[i]) == 0
		    || (s[0] == '1' + i && s[1] == 0)) {
			return i + 1;
		}
	}
	return 0;
}

/* An assignment row into a; a sentence in why when it is malformed. */
static int
assign_row(
    char f[][CSV_FIELD_MAX + 1], struct coso_assign_in *a, const char **why)
{
	*a   = (struct coso_assign_in) {.cadre_id = f[0],
	      .unit                               = f[1][0] ? f[1] : NULL,
	      .sector                             = f[2][0] ? f[2] : NULL,
	      .decision                           = f[6][0] ? f[6] : NULL};
	*why = NULL;
	if ((a->role = (enum coso_role) role_of(f[3])) == 0) {
		*why = "role: in-charge, monitor or support";
	} else if (coso_date_parse(f[4], &a->from) != COSO_OK) {
		*why = "valid_from: not a date (YYYY-MM-DD or dd/mm/yyyy)";
	} else if (f[5][0] != 0 && coso_date_parse(f[5], &a->to) != COSO_OK) {
		*why = "valid_to: not a date (YYYY-MM-DD or dd/mm/yyyy)";
	}
	return *why == NULL;
}

/* Signs the ops gathered so far once they are a change-set's worth. */
static int
maybe_sign(struct bulk *k, int last)
{
	uint64_t seq, hlc_ms;
	int rv;

	if (k->nops == 0 || (!last && k->nops < BULK_ROWS_PER_CS)) {
		return COSO_OK;
	}
	rv = cosoi_sign_append(k->s, k->b, &seq, &hlc_ms);
	coso_body_reset(k->b);
	k->r->changesets += rv == COSO_OK;
	k->nops = 0;
	return rv;
}

/* One row: staged (op and local row), or reported bad.  A store failure
 * stops the import. */
static int
row(struct bulk *k, size_t line, char f[][CSV_FIELD_MAX + 1])
{
	struct coso_cadre_in c
	    = {f[0], f[1], f[2][0] ? f[2] : NULL, f[3][0] ? f[3] : NULL};
	struct coso_assign_in a;
	char key[4 * CSV_FIELD_MAX + 8], why[COSO_ERRMSG_MAX + 64];
	const char *bad = NULL;
	size_t first;
	int rv;

	if (k->kind == BULK_CADRES) {
		snprintf(key, sizeof(key), "%s", f[0]);
	} else if (assign_row(f, &a, &bad)) {
		snprintf(
		    key, sizeof(key), "%s|%s|%s|%s", f[0], f[1], f[2], f[4]);
	}
	if (bad == NULL && (first = seen_at(k, key, line)) != 0) {
		snprintf(why, sizeof(why), "the same %s as %s %zu",
		    k->kind == BULK_CADRES ? "cadre_id" : "assignment",
		    place(k), first);
		bad = why;
	}
	if (bad != NULL) {
		refuse(k, line, bad);
		return COSO_OK;
	}
	/* A cadre's unit, an assignment's unit or sector. */
	snprintf(key, sizeof(key), "%s|%s",
	    k->kind == BULK_CADRES ? f[3] : f[1],
	    k->kind == BULK_CADRES ? "" : f[2]);
	if (k->r->bad == 0 && k->nops >= BULK_GROUP_MIN
	    && strcmp(key, k->group) != 0
	    && (rv = maybe_sign(k, 1)) != COSO_OK) {
		return rv;
	}
	snprintf(k->group, sizeof(k->group), "%s", key);
	rv = k->kind == BULK_CADRES ? cosoi_cadre_stage(k->s, &c, k->b)
	                            : cosoi_assign_stage(k->s, &a, k->b);
	if (rv == COSO_ESTORE || rv == COSO_ENOMEM) {
		return rv;
	}
	if (rv != COSO_OK) {
		refuse(k, line, coso_store_errmsg(k->s));
		return COSO_OK;
	}
	k->r->rows++;
	k->nops++;
	if (k->r->bad > 0) {
		/* Nothing will be signed: the rest is only checked. */
		coso_body_reset(k->b);
		k->nops = 0;
		return COSO_OK;
	}
	return maybe_sign(k, 0);
}

/* Every row of the file, in the caller's transaction. */
static int
rows(struct bulk *k, struct cosoi_csv *c)
{
	char(*f)[CSV_FIELD_MAX + 1] = calloc(BULK_FIELDS, CSV_FIELD_MAX + 1);
	int r, rv = COSO_OK;

	if (f == NULL) {
		return cosoi_fail(k->s, COSO_ENOMEM, "out of memory");
	}
	k->rec = 1;
	if (cosoi_csv_fields(c, f, k->nfields) != 1 || !header_ok(k, f)) {
		rv = cosoi_fail(k->s, COSO_ECSV,
		    "%s %zu: the header must be %s", place(k), where(k, 1),
		    k->kind == BULK_CADRES ? "cadre_id,name,title,unit"
		                           : "cadre_id,unit,sector,role,"
		                             "valid_from,valid_to,decision");
		goto out;
	}
	while (
	    rv == COSO_OK && (r = cosoi_csv_fields(c, f, k->nfields)) != 0) {
		k->rec++;
		if (r < 0) {
			refuse(k, where(k, c->line), c->why);
			break; /* the rest cannot be read reliably */
		}
		rv = row(k, where(k, c->line), f);
	}
	if (rv == COSO_OK && k->r->bad == 0) {
		rv = maybe_sign(k, 1);
	}
out:
	free(f);
	return rv;
}

static int
bulk_open(struct bulk *k)
{
	if (coso_body_new(&k->b) != COSO_OK) {
		return cosoi_fail(k->s, COSO_ENOMEM, "out of memory");
	}
	if (cosoi_exec(k->s,
	        "CREATE TEMP TABLE IF NOT EXISTS bulk_seen (key TEXT PRIMARY "
	        "KEY, line INTEGER NOT NULL); DELETE FROM temp.bulk_seen;")
	        != COSO_OK
	    || sqlite3_prepare_v2(k->s->db,
	           "INSERT INTO temp.bulk_seen VALUES (?1, ?2) ON CONFLICT "
	           "(key) DO UPDATE SET line = line RETURNING line",
	           -1, &k->seen, NULL)
	        != SQLITE_OK) {
		return cosoi_db_fail(k->s, "cannot check the rows");
	}
	return COSO_OK;
}

/* The CSV bytes csv[0..len): every row checked, then stored and signed
 * in the caller's transaction, or nothing. */
static int
bulk_csv(struct bulk *k, const char *csv, size_t len)
{
	struct cosoi_csv c = {csv, csv + len, 0, NULL};
	int rv;

	if (len > BULK_BYTES_MAX) {
		return cosoi_fail(k->s, COSO_ETOOBIG,
		    "file larger than %u bytes", BULK_BYTES_MAX);
	}
	if (len >= 3 && memcmp(csv, "\xef\xbb\xbf", 3) == 0) {
		c.p += 3;
	}
	if ((rv = cosoi_admin_ready(k->s)) || (rv = cosoi_begin(k->s))) {
		return rv;
	}
	if ((rv = bulk_open(k)) == COSO_OK && (rv = rows(k, &c)) == COSO_OK
	    && k->r->bad > 0) {
		rv = cosoi_fail(k->s, COSO_ECSV,
		    "%zu bad rows: nothing was imported or signed", k->r->bad);
	}
	sqlite3_finalize(k->seen);
	coso_body_free(k->b);
	if (rv != COSO_OK || (rv = cosoi_commit(k->s)) != COSO_OK) {
		cosoi_rollback(k->s);
		k->r->rows = k->r->changesets = 0;
	}
	return rv;
}

/* A workbook's first sheet as CSV in x, its rows noted in k. */
static int
from_xlsx(struct bulk *k, struct cosoi_xlsx *x, const char *in, size_t len)
{
	int rv = cosoi_xlsx_csv(x, (const uint8_t *) in, len, k->nfields,
	    k->kind == BULK_ASSIGNMENTS ? BULK_DATE_COLS : 0);

	if (rv != COSO_OK && x->row > 0) {
		return cosoi_fail(k->s, rv, "row %zu: %s", x->row, x->why);
	}
	if (rv != COSO_OK) {
		return cosoi_fail(k->s, rv, "%s",
		    x->why != NULL ? x->why : coso_strerror(rv));
	}
	k->sheet_rows  = x->rows;
	k->nsheet_rows = x->nrows;
	return COSO_OK;
}

static int
bulk_import(struct bulk *k, const char *in, size_t len)
{
	struct cosoi_xlsx x = {0};
	int rv;

	memset(k->r, 0, sizeof(*k->r));
	if (!cosoi_xlsx_is(in, len)) {
		return bulk_csv(k, in, len);
	}
	if ((rv = from_xlsx(k, &x, in, len)) == COSO_OK) {
		rv = bulk_csv(k, x.csv != NULL ? x.csv : "", x.len);
	}
	cosoi_xlsx_free(&x);
	return rv;
}

int
coso_admin_cadres_import(struct coso_store *s, const char *csv, size_t len,
    coso_bad_row_cb bad, void *arg, struct coso_bulk_result *r)
{
	struct bulk k = {.s = s,
	    .kind           = BULK_CADRES,
	    .nfields        = 4,
	    .r              = r,
	    .bad            = bad,
	    .arg            = arg};

	return bulk_import(&k, csv, len);
}

int
coso_admin_assignments_import(struct coso_store *s, const char *csv,
    size_t len, coso_bad_row_cb bad, void *arg, struct coso_bulk_result *r)
{
	struct bulk k = {.s = s,
	    .kind           = BULK_ASSIGNMENTS,
	    .nfields        = 7,
	    .r              = r,
	    .bad            = bad,
	    .arg            = arg};

	return bulk_import(&k, csv, len);
}
