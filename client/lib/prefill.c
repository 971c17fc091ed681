/*
 * prefill.c: the report of a leader assigned to a district starts with a
 * summary of the activity below that district (DESIGN.md §6).
 *
 * It is computed from what this store holds: the visits, submitted
 * reports and proposals of every unit below the district that the pulls
 * brought (the central sends a cadre the records of the units under
 * their assignments).  The text is Vietnamese, as the report is; it goes
 * into the results section, which the cadre edits as usual.  The
 * proposals section stays empty: each of its lines becomes a new tracked
 * proposal at submission, and the communes' proposals are tracked
 * already.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Room kept for the closing line once proposals no longer fit. */
#define TAIL_ROOM 256u

/* A bounded text being built; full once an append did not fit. */
struct text {
	char *p;
	size_t len, cap;
	int full;
};

static void put(struct text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->full || t->len + 1 >= t->cap) {
		t->full = 1;
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t) n >= t->cap - t->len) {
		t->p[t->len] = 0; /* drop the partial piece */
		t->full      = 1;
		return;
	}
	t->len += (size_t) n;
}

/* What the summary is about. */
struct scope {
	const char *unit, *period;
	int32_t first, last;
};

/* "quý 4/2025", "6 tháng đầu năm 2025", "năm 2025". */
static void
period_words(char *out, size_t n, const char *period)
{
	int y = atoi(period);

	if (strlen(period) == 7 && period[5] == 'Q') {
		snprintf(out, n, "quý %c/%d", period[6], y);
	} else if (strlen(period) == 7 && period[5] == 'H') {
		snprintf(out, n, "6 tháng %s năm %d",
		    period[6] == '1' ? "đầu" : "cuối", y);
	} else {
		snprintf(out, n, "năm %d", y);
	}
}

/* Units strictly below ?1; visits not corrected by a later one; submitted
 * reports of the period (?4) not corrected; proposals of visits in the
 * period (?2..?3) and of those reports.  A correction replaces only a
 * record of its own cadre (docs/decisions.md, "Corrections"): one that
 * names another cadre's record hides nothing, whatever the store holds. */
#define BELOW                                                                \
	"WITH RECURSIVE below(code, d) AS (SELECT code, 1 FROM units WHERE " \
	"parent = ?1 UNION SELECT u.code, below.d + 1 FROM units u JOIN "    \
	"below ON u.parent = below.code WHERE below.d < 32), "               \
	"vis AS (SELECT v.* FROM visits v JOIN below b ON b.code = v.unit "  \
	"WHERE v.date BETWEEN ?2 AND ?3 AND NOT EXISTS (SELECT 1 FROM "      \
	"visits w WHERE w.amends = v.id AND w.author = v.author)), "         \
	"rep AS (SELECT r.* FROM reports r JOIN below b ON b.code = r.unit " \
	"WHERE r.period = ?4 AND r.status = 'submitted' AND NOT EXISTS "     \
	"(SELECT 1 FROM reports x WHERE x.amends = r.id AND x.status = "     \
	"'submitted' AND x.author = r.author)), "                            \
	"pro AS (SELECT p.* FROM proposals p WHERE p.source IN (SELECT id "  \
	"FROM vis UNION ALL SELECT id FROM rep)) "

static sqlite3_stmt *
prepare(struct coso_store *s, const char *sql, const struct scope *sc)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		cosoi_db_fail(s, "cannot summarise the units below");
		return NULL;
	}
	sqlite3_bind_text(st, 1, sc->unit, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, sc->first);
	sqlite3_bind_int(st, 3, sc->last);
	sqlite3_bind_text(st, 4, sc->period, -1, SQLITE_STATIC);
	return st;
}

/* The first line: totals. */
static int
totals(struct coso_store *s, const struct scope *sc, struct text *t)
{
	sqlite3_stmt *st = prepare(s,
	    BELOW "SELECT (SELECT count(*) FROM (SELECT unit FROM vis UNION "
	          "SELECT unit FROM rep UNION SELECT unit FROM pro)), "
	          "(SELECT count(*) FROM vis), (SELECT count(*) FROM rep), "
	          "(SELECT count(*) FROM pro), (SELECT count(*) FROM pro "
	          "WHERE status IN ('open', 'answered'))",
	    sc);
	char words[48];
	int rc;

	if (st == NULL) {
		return COSO_ESTORE;
	}
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		period_words(words, sizeof(words), sc->period);
		put(t,
		    "Tổng hợp %s của %d đơn vị cấp dưới: %d lượt đi cơ sở, "
		    "%d báo cáo đã nộp, %d kiến nghị (%d chưa giải quyết).\n",
		    words, sqlite3_column_int(st, 0),
		    sqlite3_column_int(st, 1), sqlite3_column_int(st, 2),
		    sqlite3_column_int(st, 3), sqlite3_column_int(st, 4));
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW
	    ? COSO_OK
	    : cosoi_db_fail(s, "cannot summarise the units below");
}

/* One line per unit with any activity, in code order. */
static int
per_unit(struct coso_store *s, const struct scope *sc, struct text *t)
{
	sqlite3_stmt *st = prepare(s,
	    BELOW "SELECT u.code, u.name, (SELECT count(*) FROM vis WHERE "
	          "unit = u.code), (SELECT max(date) FROM vis WHERE unit = "
	          "u.code), (SELECT count(*) FROM rep WHERE unit = u.code), "
	          "(SELECT count(*) FROM pro WHERE unit = u.code), (SELECT "
	          "count(*) FROM pro WHERE unit = u.code AND status IN "
	          "('open', 'answered')) FROM units u WHERE u.code IN "
	          "(SELECT unit FROM vis UNION SELECT unit FROM rep UNION "
	          "SELECT unit FROM pro) ORDER BY u.code",
	    sc);
	char last[11];
	int rc;

	if (st == NULL) {
		return COSO_ESTORE;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		put(t, "- %s (%s): %d lượt đi cơ sở",
		    (const char *) sqlite3_column_text(st, 1),
		    (const char *) sqlite3_column_text(st, 0),
		    sqlite3_column_int(st, 2));
		if (sqlite3_column_type(st, 3) == SQLITE_INTEGER) {
			coso_date_format(last, sqlite3_column_int(st, 3));
			put(t, " (gần nhất %s)", last);
		}
		put(t, ", %d báo cáo, %d kiến nghị (%d chưa giải quyết)\n",
		    sqlite3_column_int(st, 4), sqlite3_column_int(st, 5),
		    sqlite3_column_int(st, 6));
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE
	    ? COSO_OK
	    : cosoi_db_fail(s, "cannot summarise the units below");
}

static const char *
status_words(const char *status)
{
	return strcmp(status, "resolved") == 0 ? "đã giải quyết"
	    : strcmp(status, "declined") == 0  ? "không chấp nhận"
	    : strcmp(status, "answered") == 0  ? "đã trả lời"
	                                       : "chưa giải quyết";
}

/* The proposals' texts, by date; those that do not fit are counted. */
static int
proposals(struct coso_store *s, const struct scope *sc, struct text *t)
{
	sqlite3_stmt *st = prepare(s,
	    BELOW "SELECT p.date, coalesce(u.name, p.unit), p.text, p.status "
	          "FROM pro p LEFT JOIN units u ON u.code = p.unit ORDER BY "
	          "p.date, p.unit, p.text",
	    sc);
	char date[11];
	size_t cap = t->cap, left = 0, n = 0;
	int rc;

	if (st == NULL) {
		return COSO_ESTORE;
	}
	t->cap = cap - TAIL_ROOM;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n++ == 0) {
			put(t, "Kiến nghị:\n");
		}
		coso_date_format(date, sqlite3_column_int(st, 0));
		put(t, "- %s, %s: %s (%s)\n", date,
		    (const char *) sqlite3_column_text(st, 1),
		    (const char *) sqlite3_column_text(st, 2),
		    status_words((const char *) sqlite3_column_text(st, 3)));
		left += t->full;
	}
	t->cap  = cap;
	t->full = 0;
	if (left > 0) {
		put(t, "- … và %zu kiến nghị khác\n", left);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE
	    ? COSO_OK
	    : cosoi_db_fail(s, "cannot summarise the units below");
}

/* Whether this store's cadre has an assignment on unit (or a unit above
 * it) for some day of the period. */
static int
assigned(struct coso_store *s, const struct scope *sc, int *yes)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db,
	        "WITH RECURSIVE anc(code, d) AS (SELECT ?1, 0 UNION SELECT "
	        "u.parent, anc.d + 1 FROM units u JOIN anc ON u.code = "
	        "anc.code WHERE u.parent IS NOT NULL AND anc.d < 32) "
	        "SELECT 1 FROM assignments a, meta m WHERE m.key = "
	        "'cadre_id' AND a.cadre_id = m.value AND a.unit IN (SELECT "
	        "code FROM anc) AND a.valid_from <= ?3 AND (a.valid_to IS "
	        "NULL OR a.valid_to >= ?2)",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot read assignments");
	}
	sqlite3_bind_text(st, 1, sc->unit, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, sc->first);
	sqlite3_bind_int(st, 3, sc->last);
	rc   = sqlite3_step(st);
	*yes = rc == SQLITE_ROW;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE
	    ? COSO_OK
	    : cosoi_db_fail(s, "cannot read assignments");
}

static int
level_of(struct coso_store *s, const char *unit, int *level)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*level = 0;
	if (sqlite3_prepare_v2(
	        s->db, "SELECT level FROM units WHERE code = ?", -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot read the units");
	}
	sqlite3_bind_text(st, 1, unit, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*level = sqlite3_column_int(st, 0);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE
	    ? COSO_OK
	    : cosoi_db_fail(s, "cannot read the units");
}

int
cosoi_report_summary(
    struct coso_store *s, const char *unit, const char *period, char **out)
{
	struct scope sc = {unit, period, 0, 0};
	struct text t   = {NULL, 0, COSO_TEXT_MAX + 1, 0};
	int level, yes = 0, rv;

	*out = NULL;
	if (coso_period_parse(period, &sc.first, &sc.last) != COSO_OK) {
		return cosoi_fail(s, COSO_EPERIOD, "period: `%s'", period);
	}
	if ((rv = level_of(s, unit, &level)) || level != COSO_LEVEL_DISTRICT
	    || (rv = assigned(s, &sc, &yes)) || !yes) {
		return rv;
	}
	if ((t.p = malloc(t.cap)) == NULL) {
		return cosoi_fail(s, COSO_ENOMEM, "out of memory");
	}
	t.p[0] = 0;
	if ((rv = totals(s, &sc, &t)) || (rv = per_unit(s, &sc, &t))
	    || (rv = proposals(s, &sc, &t))) {
		free(t.p);
		return rv;
	}
	while (t.len > 0 && t.p[t.len - 1] == '\n') {
		t.p[--t.len] = 0;
	}
	*out = t.p;
	return COSO_OK;
}
