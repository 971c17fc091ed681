/*
 * report_views.c: coverage, proposals and the sector pack (report.h).
 * The rules are in docs/decisions.md, "Reports".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

#define CHAIN_MAX 32 /* hops up the tree */

static int
store_fail(struct cstore_report_db *db, int rv, char *errmsg)
{
	snprintf(errmsg, REPORT_ERRMSG_MAX, "%s",
	    rv == COSO_ENOMEM ? "out of memory" : cstore_report_errmsg(db));
	return rv;
}

/* ---- coverage
 * ---------------------------------------------------------------
 */

struct cov_work {
	char *covered, *visited, *assigned;
	int32_t *last_end;
	uint64_t *assignees;
};

/* Marks i and every unit above it on day in flags. */
static void
mark_up(const struct rs_data *d, char *flags, long i, int32_t day)
{
	int hops;

	for (hops = 0; i >= 0 && hops < CHAIN_MAX; hops++) {
		flags[i] = 1;
		i        = report_parent_of(d, i, day, day);
	}
}

static void
cov_assignments(const struct report_coverage *r, struct cov_work *w)
{
	const struct rs_data *d = &r->data;
	size_t i;
	long u, k;
	int hops;

	for (i = 0; i < d->nassigns; i++) {
		const struct rs_assign *a = &d->assigns[i];

		if ((u = report_unit_find(d, a->unit)) < 0
		    || a->from > r->ref) {
			continue;
		}
		if (a->from <= r->last && (a->to == 0 || a->to >= r->first)) {
			w->assigned[u] = 1;
			w->assignees[u]++;
		}
		k = report_resolve(d, u, r->ref, r->ref);
		if (a->to == 0 || a->to >= r->ref) {
			mark_up(d, w->covered, k, r->ref);
			continue;
		}
		for (hops = 0; k >= 0 && hops < CHAIN_MAX; hops++) {
			if (a->to > w->last_end[k]) {
				w->last_end[k] = a->to;
			}
			k = report_parent_of(d, k, r->ref, r->ref);
		}
	}
	for (i = 0; i < d->nvisits; i++) {
		u = report_unit_find(d, d->visits[i].unit);
		mark_up(d, w->visited,
		    report_resolve(d, u, d->visits[i].date, d->visits[i].date),
		    d->visits[i].date);
	}
}

static int
cov_lists(struct report_coverage *r, const struct cov_work *w)
{
	const struct rs_data *d = &r->data;
	struct report_gap *g;
	size_t i;

	r->unassigned = calloc(d->nunits + 1, sizeof(*r->unassigned));
	r->unvisited  = calloc(d->nunits + 1, sizeof(*r->unvisited));
	if (r->unassigned == NULL || r->unvisited == NULL) {
		return COSO_ENOMEM;
	}
	for (i = 0; i < d->nunits; i++) {
		const struct rs_unit *u = &d->units[i];

		if (u->level <= 3 && u->from <= r->ref
		    && (u->to == 0 || u->to >= r->ref) && !w->covered[i]) {
			g        = &r->unassigned[r->nunassigned++];
			g->code  = u->code;
			g->name  = u->name;
			g->level = u->level;
			g->since = w->last_end[i];
		}
		if (w->assigned[i] && !w->visited[i]) {
			g            = &r->unvisited[r->nunvisited++];
			g->code      = u->code;
			g->name      = u->name;
			g->level     = u->level;
			g->assignees = w->assignees[i];
		}
	}
	return COSO_OK;
}

int
report_coverage(struct cstore_report_db *db, const char *period, int32_t today,
    struct report_coverage **out, char errmsg[static REPORT_ERRMSG_MAX])
{
	struct report_coverage *r = calloc(1, sizeof(*r));
	struct cov_work w         = {0};
	size_t n;
	int rv = COSO_ENOMEM;

	if (r == NULL) {
		snprintf(errmsg, REPORT_ERRMSG_MAX, "out of memory");
		return COSO_ENOMEM;
	}
	if ((rv = report_period(
	         period, r->period, &r->first, &r->last, errmsg))
	    != COSO_OK) {
		goto out;
	}
	r->ref = today < r->last ? today : r->last;
	if ((rv = cstore_report_read_begin(db)) == COSO_OK) {
		if ((rv = cstore_report_reference(db, &r->data)) == COSO_OK) {
			rv = cstore_report_visits(
			    db, r->first, r->last, NULL, &r->data);
		}
		cstore_report_read_end(db);
	}
	if (rv != COSO_OK) {
		rv = store_fail(db, rv, errmsg);
		goto out;
	}
	n           = r->data.nunits + 1;
	w.covered   = calloc(n, 1);
	w.visited   = calloc(n, 1);
	w.assigned  = calloc(n, 1);
	w.last_end  = calloc(n, sizeof(*w.last_end));
	w.assignees = calloc(n, sizeof(*w.assignees));
	rv          = COSO_ENOMEM;
	if (w.covered != NULL && w.visited != NULL && w.assigned != NULL
	    && w.last_end != NULL && w.assignees != NULL) {
		cov_assignments(r, &w);
		rv = cov_lists(r, &w);
	}
	if (rv != COSO_OK) {
		snprintf(errmsg, REPORT_ERRMSG_MAX, "out of memory");
	}
out:
	free(w.covered), free(w.visited), free(w.assigned);
	free(w.last_end), free(w.assignees);
	if (rv == COSO_OK) {
		*out = r;
	} else {
		report_coverage_free(r);
	}
	return rv;
}

void
report_coverage_free(struct report_coverage *r)
{
	if (r != NULL) {
		cstore_report_data_free(&r->data);
		free(r->unassigned), free(r->unvisited);
		free(r);
	}
}

/* ---- proposals
 * --------------------------------------------------------------
 */

/* Fills p from proposal q: its unit and the unit that handles it (the
 * parent of its unit as the tree stands today; the unit itself at the
 * top). */
static void
prop_make(const struct rs_data *d, const struct rs_proposal *q, int32_t today,
    struct report_prop *p)
{
	long u = report_unit_find(d, q->unit), up;

	memset(p, 0, sizeof(*p));
	p->cadre     = q->cadre;
	p->name      = report_cadre_name(d, q->cadre);
	p->unit      = q->unit;
	p->unit_name = u >= 0 ? d->units[u].name : q->unit;
	p->text      = q->text;
	p->date      = q->date;
	p->status    = q->status;
	p->id        = q->id;
	p->age_days  = coso_date_diff(q->date, today);
	up           = u >= 0 ? report_parent_of(
	                   d, report_resolve(d, u, today, today), today, today)
	                      : -1;
	if (up < 0) {
		up = u >= 0 ? report_resolve(d, u, today, today) : -1;
	}
	p->route      = up >= 0 ? d->units[up].code : q->unit;
	p->route_name = up >= 0 ? d->units[up].name : q->unit;
}

int
report_proposals(struct cstore_report_db *db, const char *unit, int status,
    int32_t today, struct report_proposals **out,
    char errmsg[static REPORT_ERRMSG_MAX])
{
	struct report_proposals *r = calloc(1, sizeof(*r));
	long filter                = -1;
	size_t i;
	int rv;

	if (r == NULL) {
		snprintf(errmsg, REPORT_ERRMSG_MAX, "out of memory");
		return COSO_ENOMEM;
	}
	r->today = today;
	if ((rv = cstore_report_read_begin(db)) == COSO_OK) {
		if ((rv = cstore_report_reference(db, &r->data)) == COSO_OK) {
			rv = cstore_report_proposals(db, &r->data);
		}
		cstore_report_read_end(db);
	}
	if (rv != COSO_OK) {
		rv = store_fail(db, rv, errmsg);
		goto out;
	}
	if (unit != NULL && (filter = report_unit_find(&r->data, unit)) < 0) {
		snprintf(errmsg, REPORT_ERRMSG_MAX, "unit `%s': no such unit",
		    unit);
		rv = COSO_EINVAL;
		goto out;
	}
	if ((r->items = calloc(r->data.nproposals + 1, sizeof(*r->items)))
	    == NULL) {
		snprintf(errmsg, REPORT_ERRMSG_MAX, "out of memory");
		rv = COSO_ENOMEM;
		goto out;
	}
	for (i = 0; i < r->data.nproposals; i++) {
		const struct rs_proposal *q = &r->data.proposals[i];
		long u = report_unit_find(&r->data, q->unit);

		if ((status >= 0 && q->status != status)
		    || (filter >= 0
		        && !report_under(&r->data,
		            report_resolve(&r->data, u, q->date, q->date),
		            filter, q->date, q->date)
		        && !report_under(&r->data,
		            report_resolve(&r->data, u, today, today), filter,
		            today, today))) {
			continue;
		}
		prop_make(&r->data, q, today, &r->items[r->nitems++]);
	}
out:
	if (rv == COSO_OK) {
		*out = r;
	} else {
		report_proposals_free(r);
	}
	return rv;
}

void
report_proposals_free(struct report_proposals *r)
{
	if (r != NULL) {
		cstore_report_data_free(&r->data);
		free(r->items);
		free(r);
	}
}

/* ---- the sector pack
 * --------------------------------------------------------
 */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* The cadres assigned to the sector during the period, sorted, unique. */
static int
pack_cadres(struct report_pack *r)
{
	const struct rs_data *d = &r->data;
	const char **ids        = calloc(d->nassigns + 1, sizeof(*ids));
	size_t i, n = 0, k = 0;

	if (ids == NULL) {
		return COSO_ENOMEM;
	}
	for (i = 0; i < d->nassigns; i++) {
		const struct rs_assign *a = &d->assigns[i];

		if (a->sector != NULL && strcmp(a->sector, r->sector) == 0
		    && a->from <= r->last
		    && (a->to == 0 || a->to >= r->first)) {
			ids[n++] = a->cadre;
		}
	}
	qsort(ids, n, sizeof(*ids), cmp_str);
	if ((r->lines = calloc(n + 1, sizeof(*r->lines))) == NULL) {
		free(ids);
		return COSO_ENOMEM;
	}
	for (i = 0; i < n; i++) {
		if (k == 0 || strcmp(r->lines[k - 1].cadre, ids[i]) != 0) {
			r->lines[k].cadre  = ids[i];
			r->lines[k++].name = report_cadre_name(d, ids[i]);
		}
	}
	r->nlines = k;
	free(ids);
	return COSO_OK;
}

/* Whether assignment a puts a unit in the pack of cadre c. */
static int
pack_assigned(
    const struct report_pack *r, const struct rs_assign *a, const char *cadre)
{
	return a->unit != NULL && strcmp(a->cadre, cadre) == 0
	    && a->from <= r->last && (a->to == 0 || a->to >= r->first);
}

/* The line's units, every one of them (comma-separated, malloc'd), and
 * its proposals. */
static int
pack_units(struct report_pack *r, struct report_pack_line *l)
{
	const struct rs_data *d = &r->data;
	size_t i, n = 1, k = 0;

	for (i = 0; i < d->nassigns; i++) {
		if (pack_assigned(r, &d->assigns[i], l->cadre)) {
			n += strlen(d->assigns[i].unit) + 2;
		}
	}
	if ((l->units = malloc(n)) == NULL) {
		return COSO_ENOMEM;
	}
	l->units[0] = 0;
	for (i = 0; i < d->nassigns; i++) {
		if (pack_assigned(r, &d->assigns[i], l->cadre)) {
			k += (size_t) snprintf(l->units + k, n - k, "%s%s",
			    k ? ", " : "", d->assigns[i].unit);
		}
	}
	for (i = 0; i < d->nproposals; i++) {
		const struct rs_proposal *q = &d->proposals[i];

		if (strcmp(q->cadre, l->cadre) != 0 || q->date < r->first
		    || q->date > r->last) {
			continue;
		}
		if (q->status <= 1) {
			l->proposals_open++;
		} else {
			l->proposals_resolved++;
		}
		prop_make(d, q, r->last, &r->props[r->nprops++]);
	}
	return COSO_OK;
}

static int
pack_visits(struct cstore_report_db *db, struct report_pack *r,
    struct report_pack_line *l)
{
	size_t i, from = r->visits.nvisits;
	int rv = cstore_report_visits(
	    db, r->first, r->last, l->cadre, &r->visits);

	for (i = from; rv == COSO_OK && i < r->visits.nvisits; i++) {
		l->visits++;
		l->outcomes += r->visits.visits[i].outcomes;
		l->amount += r->visits.visits[i].amount;
		if (r->visits.visits[i].date > l->last_visit) {
			l->last_visit = r->visits.visits[i].date;
		}
	}
	return rv;
}

static int
pack_run(struct cstore_report_db *db, struct report_pack *r, int32_t today,
    char *errmsg)
{
	struct report_compliance *c = NULL;
	struct report_line *cl;
	size_t i, k;
	int rv;

	if ((rv = report_compliance(db, r->period, NULL, today, &c, errmsg))
	    != COSO_OK) {
		return rv;
	}
	if ((rv = cstore_report_read_begin(db)) == COSO_OK) {
		if ((rv = cstore_report_reference(db, &r->data)) == COSO_OK) {
			rv = cstore_report_proposals(db, &r->data);
		}
		if (rv == COSO_OK && (rv = pack_cadres(r)) == COSO_OK
		    && (r->props
		           = calloc(r->data.nproposals + 1, sizeof(*r->props)))
		        == NULL) {
			rv = COSO_ENOMEM;
		}
		for (i = 0; rv == COSO_OK && i < r->nlines; i++) {
			if ((rv = pack_units(r, &r->lines[i])) == COSO_OK) {
				rv = pack_visits(db, r, &r->lines[i]);
			}
			for (k = 0, cl = NULL; k < c->ncadres && cl == NULL;
			     k++) {
				if (strcmp(
				        c->cadres[k].code, r->lines[i].cadre)
				    == 0) {
					cl = &c->cadres[k];
				}
			}
			if (cl != NULL) {
				r->lines[i].reports_expected = cl->c.expected;
				r->lines[i].reports_received = cl->c.received;
			}
		}
		cstore_report_read_end(db);
	}
	report_compliance_free(c);
	return rv != COSO_OK ? store_fail(db, rv, errmsg) : COSO_OK;
}

int
report_pack(struct cstore_report_db *db, const char *period,
    const char *sector, int32_t today, struct report_pack **out,
    char errmsg[static REPORT_ERRMSG_MAX])
{
	struct report_pack *r = calloc(1, sizeof(*r));
	int rv;

	if (r == NULL) {
		snprintf(errmsg, REPORT_ERRMSG_MAX, "out of memory");
		return COSO_ENOMEM;
	}
	if ((rv = report_period(
	         period, r->period, &r->first, &r->last, errmsg))
	    == COSO_OK) {
		if (sector == NULL || strlen(sector) >= sizeof(r->sector)) {
			snprintf(
			    errmsg, REPORT_ERRMSG_MAX, "sector: too long");
			rv = COSO_EINVAL;
		} else {
			snprintf(r->sector, sizeof(r->sector), "%s", sector);
			rv = pack_run(db, r, today, errmsg);
		}
	}
	if (rv == COSO_OK) {
		*out = r;
	} else {
		report_pack_free(r);
	}
	return rv;
}

void
report_pack_free(struct report_pack *r)
{
	size_t i;

	if (r != NULL) {
		cstore_report_data_free(&r->data);
		cstore_report_data_free(&r->visits);
		for (i = 0; i < r->nlines; i++) {
			free(r->lines[i].units);
		}
		free(r->lines), free(r->props);
		free(r);
	}
}
