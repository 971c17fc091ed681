/*
 * prefill.c: a new report starts with what the store already knows of
 * its period (DESIGN.md §6).
 *
 * A leader's report on a province or a district starts with a summary of
 * the activity below that unit: the visits, submitted reports and
 * proposals of every unit below it that the pulls brought (the central
 * sends a cadre the records of the units under their assignments).  A
 * report on a commune (or a village) starts with the cadre's own visits
 * and proposals there.  "Below" is the tree of the period, not today's:
 * a unit row holds its current parent, and the moves (unit_moves) undo
 * it for past days, so the district of Tràng Định's report for 2025-Q2
 * has the communes that were under it then, those merged away on
 * 01/07/2025 and those that went on under the province; its report for
 * 2025-Q4 is refused, since it no longer existed.
 *
 * The text is Vietnamese, as the report is; it goes into the results
 * section, which the cadre edits as usual.  The proposals section stays
 * empty: each of its lines becomes a new tracked proposal at submission,
 * and the proposals summarised are tracked already.
 */
#include <inttypes.h>
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

/* What the summary is about: below unit, or (mine) the unit itself and
 * below it, by this store's cadre only. */
struct scope {
	const char *unit, *period;
	int32_t first, last;
	int mine;
	const char *cadre;
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

/* The tree's edges with their days: a unit under parent from day f to
 * the day before t.  Each move ends its old parent's edge; the current
 * parent's edge runs from the last move on. */
#define EDGES                                                                 \
	"edges(child, parent, f, t) AS (SELECT m.code, m.old_parent, "        \
	"coalesce((SELECT max(p.date) FROM unit_moves p WHERE p.code = "      \
	"m.code AND p.date < m.date), 0), m.date FROM unit_moves m UNION "    \
	"ALL SELECT u.code, u.parent, coalesce((SELECT max(p.date) FROM "     \
	"unit_moves p WHERE p.code = u.code), 0), 99999999 FROM units u), "   \
	"live(code) AS (SELECT code FROM units WHERE valid_from <= ?3 AND "   \
	"(valid_to IS NULL OR valid_to >= ?2)), "                             \
	"tree(child, parent) AS (SELECT e.child, e.parent FROM edges e JOIN " \
	"live l ON l.code = e.child WHERE e.f <= ?3 AND e.t > ?2), "

/* Units below ?1 in the period ?2..?3 (with ?1 itself when mine, ?5);
 * visits not corrected by a later one, by the store's cadre (?6) when
 * mine; submitted reports of the period (?4) not corrected, none when
 * mine; proposals of those reports and of the period's visits, corrected
 * ones too: a correction does not repeat its visit's proposals, which
 * stay tracked where they were raised (docs/decisions.md, "Correcting a
 * visit").  A report's own proposals are never among them (none when
 * mine; a leader's report is on ?1, which is not below itself).  A correction
 * replaces only a record of its own cadre (docs/decisions.md, "Corrections"):
 * one that names another cadre's record hides nothing, whatever the store
 * holds. */
#define BELOW                                                                 \
	"WITH RECURSIVE " EDGES                                               \
	"below(code, d) AS (SELECT ?1, 0 WHERE ?5 UNION SELECT child, 1 "     \
	"FROM tree WHERE parent = ?1 UNION SELECT n.child, below.d + 1 FROM " \
	"tree n JOIN below ON n.parent = below.code WHERE below.d < 32), "    \
	"allvis AS (SELECT v.* FROM visits v JOIN below b ON b.code = "       \
	"v.unit WHERE v.date BETWEEN ?2 AND ?3 AND (?5 = 0 OR v.author = "    \
	"?6)), "                                                              \
	"vis AS (SELECT v.* FROM allvis v WHERE NOT EXISTS (SELECT 1 FROM "   \
	"visits w WHERE w.amends = v.id AND w.author = v.author)), "          \
	"rep AS (SELECT r.* FROM reports r JOIN below b ON b.code = r.unit "  \
	"WHERE ?5 = 0 AND r.period = ?4 AND r.status = 'submitted' AND NOT "  \
	"EXISTS (SELECT 1 FROM reports x WHERE x.amends = r.id AND "          \
	"x.status = 'submitted' AND x.author = r.author)), "                  \
	"pro AS (SELECT p.* FROM proposals p WHERE p.source IN (SELECT id "   \
	"FROM allvis UNION ALL SELECT id FROM rep)) "

/* The period's figures over BELOW's records: what the summary's first
 * line says and what coso_report_figures gives, from one query. */
#define FIGURES                                                               \
	"SELECT (SELECT count(*) FROM vis), (SELECT count(DISTINCT unit) "    \
	"FROM vis), (SELECT count(*) FROM outcomes o JOIN vis ON o.visit = "  \
	"vis.id), (SELECT coalesce(sum(o.amount_vnd), 0) FROM outcomes o "    \
	"JOIN vis ON o.visit = vis.id), (SELECT count(*) FROM pro), (SELECT " \
	"count(*) FROM pro WHERE status <> 'open'), (SELECT count(*) FROM "   \
	"pro WHERE status IN ('open', 'answered'))"

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
	sqlite3_bind_int(st, 5, sc->mine);
	sqlite3_bind_text(st, 6, sc->cadre, -1, SQLITE_STATIC);
	return st;
}

/* The figures of sc into f. */
static int
count(struct coso_store *s, const struct scope *sc, struct coso_figures *f)
{
	sqlite3_stmt *st = prepare(s, BELOW FIGURES, sc);
	int rc;

	memset(f, 0, sizeof(*f));
	if (st == NULL) {
		return COSO_ESTORE;
	}
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		f->visits             = (uint64_t) sqlite3_column_int64(st, 0);
		f->units_visited      = (uint64_t) sqlite3_column_int64(st, 1);
		f->outcomes           = (uint64_t) sqlite3_column_int64(st, 2);
		f->amount_vnd         = sqlite3_column_int64(st, 3);
		f->proposals          = (uint64_t) sqlite3_column_int64(st, 4);
		f->proposals_answered = (uint64_t) sqlite3_column_int64(st, 5);
		f->proposals_unresolved
		    = (uint64_t) sqlite3_column_int64(st, 6);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW
	    ? COSO_OK
	    : cosoi_db_fail(s, "cannot count the period's records");
}

/* The first line: totals, the figures f among them. */
static int
totals(struct coso_store *s, const struct scope *sc,
    const struct coso_figures *f, struct text *t)
{
	sqlite3_stmt *st = prepare(s,
	    BELOW "SELECT (SELECT count(*) FROM (SELECT unit FROM vis UNION "
	          "SELECT unit FROM rep UNION SELECT unit FROM pro)), "
	          "(SELECT count(*) FROM rep), (SELECT name FROM units WHERE "
	          "code = ?1), (SELECT count(DISTINCT code) FROM below WHERE "
	          "d = 1)",
	    sc);
	char words[48];
	int rc;

	if (st == NULL) {
		return COSO_ESTORE;
	}
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		period_words(words, sizeof(words), sc->period);
		put(t,
		    "Tổng hợp %s của %s (%d đơn vị trực thuộc): %d đơn vị có "
		    "hoạt động, %" PRIu64 " lượt đi cơ sở, %d báo cáo đã nộp, "
		    "%" PRIu64 " kiến nghị (%" PRIu64 " chưa giải quyết).\n",
		    words, (const char *) sqlite3_column_text(st, 2),
		    sqlite3_column_int(st, 3), sqlite3_column_int(st, 0),
		    f->visits, sqlite3_column_int(st, 1), f->proposals,
		    f->proposals_unresolved);
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

/* The first line of a cadre's own report on a commune: the figures f. */
static int
own_totals(struct coso_store *s, const struct scope *sc,
    const struct coso_figures *f, struct text *t)
{
	sqlite3_stmt *st
	    = prepare(s, "SELECT name FROM units WHERE code = ?1", sc);
	char words[48];
	int rc;

	if (st == NULL) {
		return COSO_ESTORE;
	}
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		period_words(words, sizeof(words), sc->period);
		put(t,
		    "Kết quả đi cơ sở %s tại %s (%s): %" PRIu64 " lượt đi cơ "
		    "sở, %" PRIu64 " kiến nghị (%" PRIu64
		    " chưa giải quyết).\n",
		    words, (const char *) sqlite3_column_text(st, 0), sc->unit,
		    f->visits, f->proposals, f->proposals_unresolved);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW
	    ? COSO_OK
	    : cosoi_db_fail(s, "cannot summarise the cadre's visits");
}

/* The cadre's own visits, by date; those that do not fit are counted. */
static int
own_visits(struct coso_store *s, const struct scope *sc, struct text *t)
{
	sqlite3_stmt *st = prepare(s,
	    BELOW "SELECT v.date, coalesce(u.name, v.unit), v.purpose FROM "
	          "vis v LEFT JOIN units u ON u.code = v.unit ORDER BY "
	          "v.date, v.seq",
	    sc);
	char date[11];
	size_t cap = t->cap, left = 0, n = 0;
	int rc;

	if (st == NULL) {
		return COSO_ESTORE;
	}
	t->cap = cap - 2 * TAIL_ROOM; /* the proposals' heading and tail */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n++ == 0) {
			put(t, "Các lượt đi cơ sở:\n");
		}
		coso_date_format(date, sqlite3_column_int(st, 0));
		put(t, "- %s, %s%s%s\n", date,
		    (const char *) sqlite3_column_text(st, 1),
		    sqlite3_column_type(st, 2) == SQLITE_TEXT ? ": " : "",
		    sqlite3_column_type(st, 2) == SQLITE_TEXT
		        ? (const char *) sqlite3_column_text(st, 2)
		        : "");
		left += t->full;
	}
	t->cap  = cap;
	t->full = 0;
	if (left > 0) {
		put(t, "- … và %zu lượt khác\n", left);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE
	    ? COSO_OK
	    : cosoi_db_fail(s, "cannot summarise the cadre's visits");
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

/* Whether this store's cadre has an assignment on unit, or a unit above
 * it in the tree of the period, for some day of the period. */
static int
assigned(struct coso_store *s, const struct scope *sc, int *yes)
{
	sqlite3_stmt *st = prepare(s,
	    "WITH RECURSIVE " EDGES "anc(code, d) AS (SELECT ?1, 0 UNION "
	    "SELECT t.parent, anc.d + 1 FROM tree t JOIN anc ON t.child = "
	    "anc.code WHERE t.parent IS NOT NULL AND anc.d < 32) SELECT 1 "
	    "FROM assignments a WHERE a.cadre_id = ?6 AND a.unit IN (SELECT "
	    "code FROM anc) AND a.valid_from <= ?3 AND (a.valid_to IS NULL "
	    "OR a.valid_to >= ?2)",
	    sc);
	int rc;

	if (st == NULL) {
		return COSO_ESTORE;
	}
	rc   = sqlite3_step(st);
	*yes = rc == SQLITE_ROW;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE
	    ? COSO_OK
	    : cosoi_db_fail(s, "cannot read assignments");
}

/* The unit existed on some day of the period, else COSO_EDATE naming
 * when it began or ended: no report is started on a unit that was not
 * there (a district after the 2025 reform, a merged commune). */
static int
in_period(struct coso_store *s, const struct scope *sc)
{
	struct cosoi_span u;
	char day[11];
	int rv;

	if ((rv = cosoi_unit_span(s, "unit", sc->unit, &u)) != COSO_OK
	    || (u.from <= sc->last && (u.to == 0 || u.to >= sc->first))) {
		return rv;
	}
	coso_date_format(day, u.from > sc->last ? u.from : u.to);
	if (u.from > sc->last) {
		return cosoi_fail(s, COSO_EDATE,
		    "unit: %s (%s) did not exist in %s: it exists from %s",
		    u.name, sc->unit, sc->period, day);
	}
	return cosoi_fail(s, COSO_EDATE,
	    "unit: %s (%s) did not exist in %s: it ended on %s%s%s%s%s%s",
	    u.name, sc->unit, sc->period, day,
	    u.into[0] ? " and went into " : "", u.into_name,
	    u.into[0] ? " (" : "", u.into, u.into[0] ? ")" : "");
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

/* The summary's text for sc into t: below a province or a district, or
 * the cadre's own on a commune or below. */
static int
summarise(struct coso_store *s, const struct scope *sc, struct text *t)
{
	struct coso_figures f;
	int rv;

	if ((rv = count(s, sc, &f)) != COSO_OK) {
		return rv;
	}
	if (sc->mine) {
		if ((rv = own_totals(s, sc, &f, t))
		    || (rv = own_visits(s, sc, t))) {
			return rv;
		}
	} else if ((rv = totals(s, sc, &f, t)) || (rv = per_unit(s, sc, t))) {
		return rv;
	}
	return proposals(s, sc, t);
}

/* The scope of a report on unit for period: a commune or below is the
 * cadre's own (mine); *cadre (malloc'd, the caller frees) is the
 * store's cadre.  *level 0: no such unit. */
static int
scope_of(struct coso_store *s, struct scope *sc, int *level, char **cadre)
{
	int rv;

	*cadre = NULL;
	if (coso_period_parse(sc->period, &sc->first, &sc->last) != COSO_OK) {
		return cosoi_fail(s, COSO_EPERIOD, "period: `%s'", sc->period);
	}
	if ((rv = level_of(s, sc->unit, level)) != COSO_OK) {
		return rv;
	}
	sc->mine  = *level >= COSO_LEVEL_COMMUNE;
	sc->cadre = *cadre = cosoi_meta_get(s, "cadre_id");
	return COSO_OK;
}

int
coso_report_figures(struct coso_store *s, const char *period, const char *unit,
    struct coso_figures *f)
{
	struct scope sc = {unit, period, 0, 0, 0, NULL};
	char *cadre     = NULL;
	int level       = 0, rv;

	memset(f, 0, sizeof(*f));
	if ((rv = scope_of(s, &sc, &level, &cadre)) == COSO_OK && level != 0) {
		rv     = count(s, &sc, f);
		f->own = sc.mine;
	}
	free(cadre);
	return rv;
}

int
cosoi_report_summary(
    struct coso_store *s, const char *unit, const char *period, char **out)
{
	struct scope sc = {unit, period, 0, 0, 0, NULL};
	struct text t   = {NULL, 0, COSO_TEXT_MAX + 1, 0};
	char *cadre     = NULL;
	int level, yes = 0, rv;

	*out = NULL;
	if ((rv = scope_of(s, &sc, &level, &cadre)) || (rv = in_period(s, &sc))
	    || level == 0) {
		goto out;
	}
	if ((rv = assigned(s, &sc, &yes)) || !yes) {
		goto out;
	}
	if ((t.p = malloc(t.cap)) == NULL) {
		rv = cosoi_fail(s, COSO_ENOMEM, "out of memory");
		goto out;
	}
	t.p[0] = 0;
	if ((rv = summarise(s, &sc, &t)) != COSO_OK) {
		free(t.p);
		goto out;
	}
	while (t.len > 0 && t.p[t.len - 1] == '\n') {
		t.p[--t.len] = 0;
	}
	*out = t.p;
out:
	free(cadre);
	return rv;
}
