/*
 * tree.c: the unit tree's history: mergers, re-parentings, and reading
 * the tree with it.
 *
 * A unit that ceases to exist is never deleted: its row gets valid_to
 * (the last day it existed) and, when it went into another unit,
 * merged_into.  Records and assignments keep naming the old code.  Each
 * change is signed as an upsert of the unit's whole row (fields 1 to 7),
 * COSO_ADMIN_UNITS_PER_CS units to a change-set, all in one transaction
 * with the local rows; a unit whose row already holds the values is not
 * signed again, so a re-run signs nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "internal.h"

#define MERGE_FIELDS 2

/* The moves of a unit a change-set carries beside its row, at most. */
#define MOVES_MAX 16

/* The fields of the unit_moves columns read below (1 and 2; 0 is the
 * date) and of the units columns name .. merged_into (batch_add). */
static const uint32_t parent_field[3]
    = {0, COSO_F_UNIT_MOVE_OLD_PARENT, COSO_F_UNIT_MOVE_NEW_PARENT};
static const uint32_t unit_field[6]
    = {COSO_F_UNIT_NAME, COSO_F_UNIT_LEVEL, COSO_F_UNIT_PARENT,
        COSO_F_UNIT_VALID_FROM, COSO_F_UNIT_VALID_TO, COSO_F_UNIT_MERGED_INTO};

/*
 * Adds an upsert of every move of unit code (unit_moves) to b, named by
 * code and date so that signing one again updates the same row; *n
 * counts the ops.  More than MOVES_MAX moves of one unit are refused: no
 * real unit has them, and a change-set holds COSO_OPS_MAX ops.
 */
int
cosoi_move_ops(
    struct coso_store *s, struct coso_body *b, const char *code, size_t *n)
{
	sqlite3_stmt *st = NULL;
	char key[COSO_ID_MAX + 16];
	uint8_t row[16];
	int rc, rv = COSO_OK, i;

	*n = 0;
	if (sqlite3_prepare_v2(s->db,
	        "SELECT date, old_parent, new_parent FROM unit_moves WHERE "
	        "code = ? ORDER BY date",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot read the unit's moves");
	}
	sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
	while (rv == COSO_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (++*n > MOVES_MAX) {
			rv = cosoi_fail(s, COSO_ETOOBIG,
			    "unit %s: more than %d moves", code, MOVES_MAX);
			break;
		}
		/* A cut key would name another unit's move. */
		if (snprintf(key, sizeof(key), "%s/%d", code,
		        sqlite3_column_int(st, 0))
		    >= (int) sizeof(key)) {
			rv = cosoi_fail(s, COSO_ETOOBIG,
			    "unit %s: code longer than %u characters", code,
			    COSO_ID_MAX);
			break;
		}
		coso_uuid_named(row, "unit_move", key);
		rv = coso_body_op(b, COSO_T_UNIT_MOVE, row, COSO_UPSERT);
		rv = rv ? rv
		        : coso_body_text(
		            b, COSO_F_UNIT_MOVE_CODE, code, strlen(code));
		rv = rv ? rv
		        : coso_body_int(b, COSO_F_UNIT_MOVE_DATE,
		            sqlite3_column_int(st, 0));
		for (i = 1; i < 3 && rv == COSO_OK; i++) {
			rv = sqlite3_column_type(st, i) == SQLITE_NULL
			    ? coso_body_null(b, parent_field[i])
			    : coso_body_text(b, parent_field[i],
			        (const char *) sqlite3_column_text(st, i),
			        (size_t) sqlite3_column_bytes(st, i));
		}
		if (rv != COSO_OK && rv != COSO_ETOOBIG) {
			rv = cosoi_fail(
			    s, rv, "unit %s: %s", code, coso_strerror(rv));
		}
	}
	sqlite3_finalize(st);
	return rv;
}

/* A batch of unit upserts being signed, in the caller's transaction. */
struct unit_batch {
	struct coso_body *b;
	sqlite3_stmt *read; /* the unit's row by code */
	size_t nops, ncs;
};

/* Adds the whole row of unit code, as stored now, to the batch; signs
 * the batch once it is full. */
static int
batch_add(struct coso_store *s, struct unit_batch *u, const char *code)
{
	sqlite3_stmt *st = u->read;
	uint8_t row[16];
	uint64_t seq, hlc_ms;
	int rv, i;

	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_ROW) {
		return cosoi_db_fail(s, "cannot read a unit");
	}
	coso_uuid_named(row, "unit", code);
	rv = coso_body_op(u->b, COSO_T_UNIT, row, COSO_UPSERT);
	rv = rv ? rv
	        : coso_body_text(u->b, COSO_F_UNIT_CODE, code, strlen(code));
	for (i = 0; i < 6 && rv == COSO_OK; i++) {
		if (sqlite3_column_type(st, i) == SQLITE_NULL) {
			rv = coso_body_null(u->b, unit_field[i]);
		} else if (sqlite3_column_type(st, i) == SQLITE_INTEGER) {
			rv = coso_body_int(
			    u->b, unit_field[i], sqlite3_column_int64(st, i));
		} else {
			rv = coso_body_text(u->b, unit_field[i],
			    (const char *) sqlite3_column_text(st, i),
			    (size_t) sqlite3_column_bytes(st, i));
		}
	}
	if (rv != COSO_OK) {
		return cosoi_fail(
		    s, rv, "unit %s: %s", code, coso_strerror(rv));
	}
	if (++u->nops < COSO_ADMIN_UNITS_PER_CS) {
		return COSO_OK;
	}
	rv = cosoi_sign_append(s, u->b, &seq, &hlc_ms);
	coso_body_reset(u->b);
	u->ncs += rv == COSO_OK;
	u->nops = 0;
	return rv;
}

/* Signs what is left in the batch. */
static int
batch_flush(struct coso_store *s, struct unit_batch *u)
{
	uint64_t seq, hlc_ms;
	int rv;

	if (u->nops == 0) {
		return COSO_OK;
	}
	if ((rv = cosoi_sign_append(s, u->b, &seq, &hlc_ms)) == COSO_OK) {
		u->ncs++;
		u->nops = 0;
	}
	return rv;
}

static int
batch_open(struct coso_store *s, struct unit_batch *u)
{
	memset(u, 0, sizeof(*u));
	if (coso_body_new(&u->b) != COSO_OK) {
		return cosoi_fail(s, COSO_ENOMEM, "out of memory");
	}
	if (sqlite3_prepare_v2(s->db,
	        "SELECT name, level, parent, valid_from, valid_to, "
	        "merged_into FROM units WHERE code = ?",
	        -1, &u->read, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot read the units");
	}
	return COSO_OK;
}

static void
batch_close(struct unit_batch *u)
{
	sqlite3_finalize(u->read);
	coso_body_free(u->b);
}

/* Level, valid_to of a unit; COSO_EUNIT naming field if unknown. */
static int
unit_get(struct coso_store *s, const char *field, const char *code, int *level,
    int32_t *valid_to)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db,
	        "SELECT level, coalesce(valid_to, 0) FROM units WHERE code = "
	        "?",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot read the units");
	}
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*level    = sqlite3_column_int(st, 0);
		*valid_to = sqlite3_column_int(st, 1);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW) {
		return COSO_OK;
	}
	return rc == SQLITE_DONE
	    ? cosoi_fail(s, COSO_EUNIT, "%s: unknown unit `%s'", field, code)
	    : cosoi_db_fail(s, "cannot read the units");
}

/* Runs sql (?1 text a, ?2 int d, ?3 text b); *changed counts the rows. */
static int
run_update(struct coso_store *s, const char *sql, const char *a, int32_t d,
    const char *b, int *changed)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot update the units");
	}
	sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, d);
	sqlite3_bind_text(st, 3, b, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		return cosoi_db_fail(s, "cannot update the units");
	}
	*changed = sqlite3_changes(s->db);
	return COSO_OK;
}

/*
 * Mergers.
 */

/* Whether code is among the new codes of the mapping (a unit that goes
 * on under its old code, as every 2025 commune of Lạng Sơn does). */
static int
continues(struct coso_store *s, const char *code, int *yes)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db,
	        "SELECT 1 FROM temp.merge_map WHERE new_code = ?", -1, &st,
	        NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot read the mapping");
	}
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	rc   = sqlite3_step(st);
	*yes = rc == SQLITE_ROW;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE
	    ? COSO_OK
	    : cosoi_db_fail(s, "cannot read the mapping");
}

/* Checks one mapping row and keeps it in temp.merge_map. */
static int
map_row(struct coso_store *s, sqlite3_stmt *ins, size_t line,
    char f[][CSV_FIELD_MAX + 1])
{
	char why[COSO_ERRMSG_MAX];
	int32_t to;
	int level, rv;

	if ((rv = unit_get(s, "old_code", f[0], &level, &to)) != COSO_OK
	    || (rv = unit_get(s, "new_code", f[1], &level, &to)) != COSO_OK) {
		snprintf(why, sizeof(why), "%s", coso_store_errmsg(s));
		return cosoi_fail(s, rv, "line %zu: %s", line, why);
	}
	sqlite3_reset(ins);
	sqlite3_bind_int64(ins, 1, (sqlite3_int64) line);
	sqlite3_bind_text(ins, 2, f[0], -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(ins, 3, f[1], -1, SQLITE_TRANSIENT);
	return sqlite3_step(ins) == SQLITE_DONE
	    ? COSO_OK
	    : cosoi_db_fail(s, "cannot keep the mapping");
}

/* Reads the mapping into temp.merge_map (line, old_code, new_code). */
static int
map_read(struct coso_store *s, const char *csv, size_t len)
{
	struct cosoi_csv c          = {csv, csv + len, 0, NULL};
	char(*f)[CSV_FIELD_MAX + 1] = malloc(2 * (CSV_FIELD_MAX + 1));
	sqlite3_stmt *ins           = NULL;
	int r                       = 0, rv;

	if (f == NULL) {
		return cosoi_fail(s, COSO_ENOMEM, "out of memory");
	}
	if (len >= 3 && memcmp(csv, "\xef\xbb\xbf", 3) == 0) {
		c.p += 3;
	}
	if (cosoi_csv_fields(&c, f, MERGE_FIELDS) != 1
	    || strcmp(f[0], "old_code") != 0
	    || strcmp(f[1], "new_code") != 0) {
		rv = cosoi_fail(s, COSO_ECSV,
		    "line 1: the header must be old_code,new_code");
		goto out;
	}
	if ((rv = cosoi_exec(s,
	         "CREATE TEMP TABLE IF NOT EXISTS merge_map (line INTEGER "
	         "PRIMARY KEY, old_code TEXT NOT NULL, new_code TEXT NOT "
	         "NULL); DELETE FROM temp.merge_map;"))
	    != COSO_OK) {
		goto out;
	}
	if (sqlite3_prepare_v2(s->db,
	        "INSERT INTO temp.merge_map VALUES (?, ?, ?)", -1, &ins, NULL)
	    != SQLITE_OK) {
		rv = cosoi_db_fail(s, "cannot keep the mapping");
		goto out;
	}
	while (rv == COSO_OK
	    && (r = cosoi_csv_fields(&c, f, MERGE_FIELDS)) == 1) {
		rv = map_row(s, ins, c.line, f);
	}
	if (rv == COSO_OK && r < 0) {
		rv = cosoi_fail(s, COSO_ECSV,
		    "line %zu: malformed CSV: %s (2 fields: "
		    "old_code,new_code)",
		    c.line, c.why);
	}
out:
	sqlite3_finalize(ins);
	free(f);
	return rv;
}

/* Ends unit old (valid_to, merged_into) unless it already is so. */
static int
merge_one(struct coso_store *s, struct unit_batch *u, const char *old,
    const char *into, int32_t last_day, struct coso_merge_result *r)
{
	int yes = 0, changed = 0, rv;

	if ((rv = continues(s, old, &yes)) != COSO_OK || yes) {
		r->continued += rv == COSO_OK;
		return rv;
	}
	if ((rv = run_update(s,
	         "UPDATE units SET valid_to = ?2, merged_into = ?3 WHERE "
	         "code = ?1 AND (valid_to IS NOT ?2 OR merged_into IS NOT ?3)",
	         old, last_day, into, &changed))
	    != COSO_OK) {
		return rv;
	}
	r->ended++;
	return changed ? batch_add(s, u, old) : COSO_OK;
}

/* Every unit the mapping ends, in file order: the first new code named
 * for an old one is its merged_into (a commune split between two new
 * ones names the first). */
static int
merge_units(struct coso_store *s, struct unit_batch *u, int32_t last_day,
    struct coso_merge_result *r)
{
	sqlite3_stmt *st = NULL;
	int rc, rv = COSO_OK;

	if (sqlite3_prepare_v2(s->db,
	        "SELECT old_code, new_code FROM temp.merge_map m WHERE "
	        "line = (SELECT min(line) FROM temp.merge_map WHERE "
	        "old_code = m.old_code) ORDER BY line",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot read the mapping");
	}
	while (rv == COSO_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		rv = merge_one(s, u, (const char *) sqlite3_column_text(st, 0),
		    (const char *) sqlite3_column_text(st, 1), last_day, r);
	}
	sqlite3_finalize(st);
	return rv;
}

/* Districts left with no unit below them on the date: every child ended
 * before it (and at least one by this mapping). */
static int
end_districts(struct coso_store *s, struct unit_batch *u, int32_t last_day,
    struct coso_merge_result *r)
{
	sqlite3_stmt *st = NULL;
	int rc, changed, rv = COSO_OK;

	if (sqlite3_prepare_v2(s->db,
	        "SELECT d.code FROM units d WHERE d.level = 2 AND EXISTS "
	        "(SELECT 1 FROM units c JOIN temp.merge_map m ON "
	        "m.old_code = c.code WHERE c.parent = d.code) AND NOT EXISTS "
	        "(SELECT 1 FROM units c WHERE c.parent = d.code AND "
	        "(c.valid_to IS NULL OR c.valid_to > ?1)) ORDER BY d.code",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot read the districts");
	}
	sqlite3_bind_int(st, 1, last_day);
	while (rv == COSO_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		char *code = strdup((const char *) sqlite3_column_text(st, 0));

		rv = code == NULL ? cosoi_fail(s, COSO_ENOMEM, "out of memory")
		                  : run_update(s,
		                      "UPDATE units SET valid_to = ?2 WHERE "
		                      "code = ?1 AND valid_to IS NOT ?2",
		                      code, last_day, NULL, &changed);
		if (rv == COSO_OK) {
			r->districts++;
			rv = changed ? batch_add(s, u, code) : COSO_OK;
		}
		free(code);
	}
	sqlite3_finalize(st);
	return rv;
}

int
coso_admin_units_merge(struct coso_store *s, const char *csv, size_t len,
    int32_t date, struct coso_merge_result *r)
{
	struct unit_batch u;
	int32_t last_day;
	int rv;

	memset(r, 0, sizeof(*r));
	if (len > COSO_CSV_MAX) {
		return cosoi_fail(s, COSO_ETOOBIG,
		    "mapping larger than %u bytes", COSO_CSV_MAX);
	}
	if ((rv = cosoi_date_ok(s, "date", date)) != COSO_OK
	    || (rv = cosoi_admin_ready(s)) != COSO_OK) {
		return rv;
	}
	last_day = coso_date_of_days(coso_days(date) - 1);
	if ((rv = batch_open(s, &u)) != COSO_OK) {
		batch_close(&u);
		return rv;
	}
	if ((rv = cosoi_begin(s)) == COSO_OK) {
		if ((rv = map_read(s, csv, len))
		    || (rv = merge_units(s, &u, last_day, r))
		    || (rv = end_districts(s, &u, last_day, r))
		    || (rv = batch_flush(s, &u)) || (rv = cosoi_commit(s))) {
			cosoi_rollback(s);
			memset(r, 0, sizeof(*r));
		}
	}
	r->changesets = rv == COSO_OK ? u.ncs : 0;
	batch_close(&u);
	return rv;
}

/*
 * Re-parenting.
 */

/* Whether new_parent is code itself or below it (a cycle). */
static int
below(struct coso_store *s, const char *code, const char *new_parent, int *yes)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db,
	        "WITH RECURSIVE anc(c, d) AS (SELECT ?2, 0 UNION SELECT "
	        "u.parent, anc.d + 1 FROM units u JOIN anc ON u.code = anc.c "
	        "WHERE u.parent IS NOT NULL AND anc.d < 32) "
	        "SELECT 1 FROM anc WHERE c = ?1",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot read the unit tree");
	}
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, new_parent, -1, SQLITE_STATIC);
	rc   = sqlite3_step(st);
	*yes = rc == SQLITE_ROW;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE
	    ? COSO_OK
	    : cosoi_db_fail(s, "cannot read the unit tree");
}

static int
move_check(
    struct coso_store *s, const char *code, const char *parent, int32_t date)
{
	int32_t to_c, to_p;
	int lc, lp, cycle = 0, rv;

	if ((rv = cosoi_date_ok(s, "date", date))
	    || (rv = unit_get(s, "unit", code, &lc, &to_c))
	    || (rv = unit_get(s, "parent", parent, &lp, &to_p))
	    || (rv = below(s, code, parent, &cycle))) {
		return rv;
	}
	if (cycle) {
		return cosoi_fail(s, COSO_EFIELD,
		    "parent: %s is %s itself or below it", parent, code);
	}
	if (lp >= lc) {
		return cosoi_fail(s, COSO_EFIELD,
		    "parent: %s is not above %s in the tree (level %d, %d)",
		    parent, code, lp, lc);
	}
	if ((to_c != 0 && to_c < date) || (to_p != 0 && to_p < date)) {
		return cosoi_fail(s, COSO_ESTATE,
		    "%s: the unit has ceased to exist before that date",
		    to_c != 0 && to_c < date ? code : parent);
	}
	return COSO_OK;
}

/* The local history row and the new parent, in the transaction. */
static int
move_local(struct coso_store *s, const char *code, const char *parent,
    int32_t date, int *changed)
{
	int ignored, rv;

	if ((rv = run_update(s,
	         "INSERT OR REPLACE INTO unit_moves (code, date, old_parent, "
	         "new_parent) SELECT code, ?2, parent, ?3 FROM units WHERE "
	         "code = ?1 AND parent IS NOT ?3",
	         code, date, parent, &ignored))
	    != COSO_OK) {
		return rv;
	}
	return run_update(s,
	    "UPDATE units SET parent = ?3 WHERE code = ?1 AND parent IS NOT "
	    "?3",
	    code, date, parent, changed);
}

/* The unit's row and its moves: every device reads the tree of a past
 * day from them. */
static int
move_sign(struct coso_store *s, struct unit_batch *u, const char *code)
{
	size_t moves = 0;
	int rv;

	if ((rv = batch_add(s, u, code)) == COSO_OK
	    && (rv = cosoi_move_ops(s, u->b, code, &moves)) == COSO_OK) {
		u->nops += moves;
	}
	return rv;
}

int
coso_admin_units_move(struct coso_store *s, const char *code,
    const char *parent, int32_t date, size_t *changesets)
{
	struct unit_batch u;
	int changed = 0, rv;

	*changesets = 0;
	if ((rv = cosoi_admin_ready(s)) != COSO_OK
	    || (rv = move_check(s, code, parent, date)) != COSO_OK) {
		return rv;
	}
	if ((rv = batch_open(s, &u)) != COSO_OK) {
		batch_close(&u);
		return rv;
	}
	if ((rv = cosoi_begin(s)) == COSO_OK) {
		if ((rv = move_local(s, code, parent, date, &changed))
		    || (changed && (rv = move_sign(s, &u, code)))
		    || (rv = batch_flush(s, &u)) || (rv = cosoi_commit(s))) {
			cosoi_rollback(s);
		}
	}
	*changesets = rv == COSO_OK ? u.ncs : 0;
	batch_close(&u);
	return rv;
}

/*
 * Reading.
 */

#define UNIT_COLS                                                       \
	"u.code, u.name, u.level, u.parent, u.valid_from, u.valid_to, " \
	"u.merged_into, (SELECT name FROM units m WHERE m.code = "      \
	"u.merged_into) AS merged_into_name"

int
coso_unit_list(struct coso_store *s, const struct coso_filter *f,
    coso_row_cb cb, void *arg)
{
	sqlite3_stmt *st = NULL;
	int rv;

	if (sqlite3_prepare_v2(s->db,
	        "SELECT " UNIT_COLS " FROM units u WHERE (?1 IS NULL OR "
	        "u.parent = ?1) AND (?2 = 0 OR u.valid_to IS NULL OR "
	        "u.valid_to >= ?2) ORDER BY u.level, u.code",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot read the units");
	}
	if (f != NULL && f->unit != NULL) {
		sqlite3_bind_text(st, 1, f->unit, -1, SQLITE_STATIC);
	}
	sqlite3_bind_int(st, 2, f != NULL ? f->since : 0);
	rv = cosoi_rows(s, st, "unit", cb, arg);
	sqlite3_finalize(st);
	return rv;
}

/* Runs a query bound to code and lists it as kind. */
static int
rows_of(struct coso_store *s, const char *sql, const char *code,
    const char *kind, coso_row_cb cb, void *arg)
{
	sqlite3_stmt *st = NULL;
	int rv;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot read the units");
	}
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	rv = cosoi_rows(s, st, kind, cb, arg);
	sqlite3_finalize(st);
	return rv;
}

int
coso_unit_show(
    struct coso_store *s, const char *code, coso_row_cb cb, void *arg)
{
	int rv;

	if ((rv = cosoi_unit_known(s, "unit", code)) != COSO_OK) {
		return rv == COSO_EUNIT ? COSO_ENOENT : rv;
	}
	if ((rv = rows_of(s,
	         "SELECT " UNIT_COLS ", p.name AS parent_name FROM units u "
	         "LEFT JOIN units p ON p.code = u.parent WHERE u.code = ?1",
	         code, "unit", cb, arg))
	    || (rv = rows_of(s,
	            "SELECT date, old_parent, new_parent FROM unit_moves "
	            "WHERE code = ?1 ORDER BY date",
	            code, "move", cb, arg))) {
		return rv;
	}
	return rows_of(s,
	    "SELECT code, name, valid_to FROM units WHERE merged_into = ?1 "
	    "ORDER BY code",
	    code, "merged_from", cb, arg);
}
