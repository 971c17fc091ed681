/*
 * cover.c: whether this device's cadre may write a record on a unit, by
 * the assignments the store holds, before it is signed.
 *
 * The rule is the central's (daemon/central/auth.c, docs/decisions.md
 * "The grace after an assignment ends"): an assignment on the
 * unit or a unit above it valid on the record's date; for a handover
 * note, one valid on a day of the COSO_GRACE_DAYS up to its date; for a
 * report, one valid on the day it is submitted, or one overlapping its
 * period that ended (or whose period ended, if later) at most
 * COSO_GRACE_DAYS before.  A record the central would quarantine is
 * refused here, where the cadre can still correct it.  A store that holds
 * no assignment of its cadre (not synced yet) cannot know: the central
 * judges alone.
 */
#include <stdio.h>

#include "internal.h"

#define OPEN_END 99991231 /* an assignment with no end */

/* The cadre's assignments on unit or above it that overlap first..last:
 * *end receives the latest last day (OPEN_END if open), 0 if none; *n
 * the number of assignments of the cadre the store holds at all. */
static int
cover_end(struct coso_store *s, const char *unit, int32_t first, int32_t last,
    int32_t *end, int *n)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db,
	        "WITH RECURSIVE anc(code, depth) AS (SELECT ?1, 0 UNION "
	        "SELECT u.parent, anc.depth + 1 FROM units u JOIN anc ON "
	        "u.code = anc.code WHERE u.parent IS NOT NULL AND anc.depth "
	        "< 32), mine AS (SELECT a.* FROM assignments a, meta m "
	        "WHERE m.key = 'cadre_id' AND a.cadre_id = m.value) "
	        "SELECT (SELECT max(coalesce(valid_to, 99991231)) FROM mine "
	        "WHERE unit IN (SELECT code FROM anc) AND valid_from <= ?3 "
	        "AND (valid_to IS NULL OR valid_to >= ?2)), "
	        "(SELECT count(*) FROM mine)",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot read the assignments");
	}
	sqlite3_bind_text(st, 1, unit, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, first);
	sqlite3_bind_int(st, 3, last);
	rc   = sqlite3_step(st);
	*end = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	*n   = rc == SQLITE_ROW ? sqlite3_column_int(st, 1) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW
	    ? COSO_OK
	    : cosoi_db_fail(s, "cannot read the assignments");
}

/* Whether the rule allows it, given the store's assignments. */
static int
allowed(struct coso_store *s, enum cosoi_rule rule, const char *unit,
    int32_t date, int32_t first, int32_t last, int *yes, int *n)
{
	int32_t end = 0, lim;
	int rv;

	if (rule == COSOI_RULE_HANDOVER) {
		rv = cover_end(s, unit, coso_date_add(date, -COSO_GRACE_DAYS),
		    date, &end, n);
		*yes = end != 0;
		return rv;
	}
	if ((rv = cover_end(s, unit, date, date, &end, n)) != COSO_OK
	    || end != 0 || rule != COSOI_RULE_REPORT) {
		*yes = end != 0;
		return rv;
	}
	rv   = cover_end(s, unit, first, last, &end, n);
	lim  = end > last ? end : last;
	*yes = end != 0
	    && (lim >= date || coso_date_add(lim, COSO_GRACE_DAYS) >= date);
	return rv;
}

int
cosoi_cover_check(struct coso_store *s, enum cosoi_rule rule, const char *unit,
    int32_t date, int32_t first, int32_t last)
{
	char d[11];
	int rv, yes = 0, n = 0;

	if ((rv = allowed(s, rule, unit, date, first, last, &yes, &n)) != 0) {
		return rv;
	}
	if (yes || n == 0) {
		return COSO_OK;
	}
	coso_date_format(d, date);
	if (rule == COSOI_RULE_HANDOVER) {
		return cosoi_fail(s, COSO_QUNAUTH,
		    "unit `%s': no assignment of this cadre on it (or above "
		    "it) on %s or in the %d days before; `coso sync' brings "
		    "assignments made since the last sync",
		    unit, d, COSO_GRACE_DAYS);
	}
	if (rule == COSOI_RULE_REPORT) {
		return cosoi_fail(s, COSO_QUNAUTH,
		    "unit `%s': this cadre had no assignment on it (or above "
		    "it) in the period, or its %d days of grace were over on "
		    "%s; `coso sync' brings assignments made since the last "
		    "sync",
		    unit, COSO_GRACE_DAYS, d);
	}
	return cosoi_fail(s, COSO_QUNAUTH,
	    "unit `%s': this cadre is not assigned to it (or above it) on "
	    "%s; `coso sync' brings assignments made since the last sync",
	    unit, d);
}
