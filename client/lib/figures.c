/*
 * figures.c: the figures of a period for a unit and every unit below it,
 * printed at the head of a report's results (coso report print).
 *
 * Counted from what this store holds (the cadre's own records and what
 * the pulls brought of the area).  A visit corrected by a later one of
 * its cadre counts once, as the correction (docs/decisions.md,
 * "Corrections"); its proposals stay tracked where they were raised, so
 * proposals are counted by their own unit and date.
 */
#include <string.h>

#include "internal.h"

#define FIGURES_SQL                                                          \
	"WITH RECURSIVE sub(code, d) AS (SELECT ?1, 0 UNION SELECT u.code, " \
	"sub.d + 1 FROM units u JOIN sub ON u.parent = sub.code WHERE "      \
	"sub.d < 32), "                                                      \
	"vis AS (SELECT v.id, v.unit FROM visits v JOIN sub ON sub.code = "  \
	"v.unit WHERE v.date BETWEEN ?2 AND ?3 AND NOT EXISTS (SELECT 1 "    \
	"FROM visits w WHERE w.amends = v.id AND w.author = v.author)), "    \
	"out AS (SELECT o.* FROM outcomes o JOIN vis ON o.visit = vis.id), " \
	"pro AS (SELECT p.* FROM proposals p JOIN sub ON sub.code = p.unit " \
	"WHERE p.date BETWEEN ?2 AND ?3) "                                   \
	"SELECT (SELECT count(*) FROM vis), (SELECT count(DISTINCT unit) "   \
	"FROM vis), (SELECT count(*) FROM out), (SELECT "                    \
	"coalesce(sum(amount_vnd), 0) FROM out), (SELECT count(*) FROM "     \
	"pro), (SELECT count(*) FROM pro WHERE status <> 'open')"

int
coso_report_figures(struct coso_store *s, const char *period, const char *unit,
    struct coso_figures *f)
{
	sqlite3_stmt *st = NULL;
	int32_t first, last;
	int rc;

	if (coso_period_parse(period, &first, &last) != COSO_OK) {
		return cosoi_fail(s, COSO_EPERIOD, "period: `%s'", period);
	}
	if (sqlite3_prepare_v2(s->db, FIGURES_SQL, -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot count the period's records");
	}
	sqlite3_bind_text(st, 1, unit, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, first);
	sqlite3_bind_int(st, 3, last);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(f, 0, sizeof(*f));
		f->visits             = (uint64_t) sqlite3_column_int64(st, 0);
		f->units_visited      = (uint64_t) sqlite3_column_int64(st, 1);
		f->outcomes           = (uint64_t) sqlite3_column_int64(st, 2);
		f->amount_vnd         = sqlite3_column_int64(st, 3);
		f->proposals          = (uint64_t) sqlite3_column_int64(st, 4);
		f->proposals_answered = (uint64_t) sqlite3_column_int64(st, 5);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW
	    ? COSO_OK
	    : cosoi_db_fail(s, "cannot count the period's records");
}
