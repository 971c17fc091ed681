/*
 * report.c: compliance, coverage, proposals and the sector pack
 * (report.h).  The rules are in docs/decisions.md, "Reports".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

#define CHAIN_MAX 32 /* hops up the tree or along mergers */
#define SUBS_MAX  64 /* scheduled periods inside one asked period */

const char *
report_status_name(enum report_status s)
{
	static const char *const names[]
	    = {"on_time", "late", "offline_late", "missing", "pending"};

	return (unsigned) s < 5 ? names[s] : "unknown";
}

static const char *const prop_names[]
    = {"open", "answered", "resolved", "declined"};

const char *
report_prop_status_name(int status)
{
	return status >= 0 && status <= 3 ? prop_names[status] : "unknown";
}

int
report_prop_status_parse(const char *name)
{
	int i;

	for (i = 0; name != NULL && i < 4; i++) {
		if (strcmp(name, prop_names[i]) == 0) {
			return i;
		}
	}
	return -1;
}

int
report_period(const char *period, char out[static 16], int32_t *first,
    int32_t *last, char errmsg[static REPORT_ERRMSG_MAX])
{
	if (coso_period_parse(period, first, last) != COSO_OK) {
		snprintf(errmsg, REPORT_ERRMSG_MAX,
		    "period: `%s' is not YYYY-Qn, YYYY-H1, YYYY-H2 or YYYY",
		    period != NULL ? period : "");
		return COSO_EINVAL;
	}
	snprintf(out, 16, "%s", period);
	return COSO_OK;
}

/* ---- the unit tree in time -------------------------------------------------
 */

static int
cmp_unit_code(const void *k, const void *e)
{
	return strcmp(k, ((const struct rs_unit *) e)->code);
}

long
report_unit_find(const struct rs_data *d, const char *code)
{
	const struct rs_unit *u;

	if (code == NULL || d->nunits == 0) {
		return -1;
	}
	u = bsearch(code, d->units, d->nunits, sizeof(*u), cmp_unit_code);
	return u != NULL ? u - d->units : -1;
}

static int
valid_in(const struct rs_unit *u, int32_t first, int32_t last)
{
	return u->from <= last && (u->to == 0 || u->to >= first);
}

long
report_resolve(const struct rs_data *d, long i, int32_t first, int32_t last)
{
	int hops = 0;
	long m;

	while (i >= 0 && hops++ < CHAIN_MAX
	    && !valid_in(&d->units[i], first, last)
	    && d->units[i].merged != NULL && d->units[i].to != 0
	    && d->units[i].to < first
	    && (m = report_unit_find(d, d->units[i].merged)) >= 0) {
		i = m;
	}
	return i;
}

long
report_parent_of(const struct rs_data *d, long i, int32_t first, int32_t last)
{
	long p = report_unit_find(d, d->units[i].parent);

	return p >= 0 ? report_resolve(d, p, first, last) : -1;
}

int
report_under(
    const struct rs_data *d, long i, long top, int32_t first, int32_t last)
{
	int hops;

	for (hops = 0; i >= 0 && hops < CHAIN_MAX; hops++) {
		if (i == top) {
			return 1;
		}
		i = report_parent_of(d, i, first, last);
	}
	return 0;
}

const char *
report_cadre_name(const struct rs_data *d, const char *id)
{
	size_t lo = 0, hi = d->ncadres, mid;
	int c;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		c   = strcmp(id, d->cadres[mid].id);
		if (c == 0) {
			return d->cadres[mid].name;
		}
		if (c < 0) {
			hi = mid;
		} else {
			lo = mid + 1;
		}
	}
	return id;
}

/* ---- scheduled periods
 * ------------------------------------------------------
 */

struct sub {
	char text[16];
	int32_t first, last, due, grace_end;
};

/* The periods of one schedule kind that lie inside [first, last]. */
static int
subs_of_kind(const struct rs_sched *sc, int32_t first, int32_t last,
    struct sub *subs, size_t *n)
{
	static const int per_year[] = {0, 4, 2, 1};
	int y, i; /* y: 4 digits (coso_period_parse), i: 1 .. 4 */
	struct sub s;

	if (sc->kind < 1 || sc->kind > 3) {
		return COSO_OK; /* merge checks kinds; skip any other */
	}
	for (y = first / 10000; y <= last / 10000; y++) {
		for (i = 1; i <= per_year[sc->kind]; i++) {
			if (sc->kind == 1) {
				snprintf(s.text, sizeof(s.text), "%04d-Q%d",
				    y % 10000, i % 10);
			} else if (sc->kind == 2) {
				snprintf(s.text, sizeof(s.text), "%04d-H%d",
				    y % 10000, i % 10);
			} else {
				snprintf(
				    s.text, sizeof(s.text), "%04d", y % 10000);
			}
			if (coso_period_parse(s.text, &s.first, &s.last) != 0
			    || s.first < first || s.last > last) {
				continue;
			}
			if (*n == SUBS_MAX) {
				return COSO_ETOOBIG;
			}
			s.due        = coso_date_add(s.last, sc->due);
			s.grace_end  = coso_date_add(s.due, sc->grace);
			subs[(*n)++] = s;
		}
	}
	return COSO_OK;
}

/* The scheduled periods inside [first, last], from the first schedule
 * row of each kind, or the default schedule if there is none. */
static int
subs_make(const struct rs_data *d, int32_t first, int32_t last,
    struct sub *subs, size_t *n, int *dflt)
{
	const struct rs_sched def
	    = {REPORT_DEFAULT_KIND, REPORT_DEFAULT_DUE, REPORT_DEFAULT_GRACE};
	size_t i;
	int rv = COSO_OK;

	*n    = 0;
	*dflt = d->nscheds == 0;
	if (*dflt) {
		return subs_of_kind(&def, first, last, subs, n);
	}
	for (i = 0; i < d->nscheds && rv == COSO_OK; i++) {
		if (i == 0 || d->scheds[i].kind != d->scheds[i - 1].kind) {
			rv = subs_of_kind(&d->scheds[i], first, last, subs, n);
		}
	}
	return rv;
}

/* ---- compliance
 * -------------------------------------------------------------
 */

/* An expected report, or a received one: (cadre, unit, sub). */
struct key {
	const char *cadre;
	long unit;
	size_t sub;
	size_t idx;        /* received: index in d->reports */
	uint64_t received; /* received: its time */
};

static int
cmp_key(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	int c = strcmp(x->cadre, y->cadre);

	if (c != 0) {
		return c;
	}
	if (x->unit != y->unit) {
		return x->unit < y->unit ? -1 : 1;
	}
	return x->sub < y->sub ? -1 : x->sub > y->sub;
}

/* Received reports: also by time received. */
static int
cmp_recv(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	int c = cmp_key(a, b);

	if (c != 0) {
		return c;
	}
	return x->received < y->received ? -1 : x->received > y->received;
}

struct comp_work {
	struct sub subs[SUBS_MAX];
	size_t nsubs;
	struct key *exp, *got;
	size_t nexp, ngot;
	struct report_counts *unit_c; /* per unit of data */
	long filter;
};

static int
expected_make(const struct rs_data *d, struct comp_work *w)
{
	size_t i, k, cap = d->nassigns * w->nsubs + 1, n = 0;
	const struct rs_assign *a;
	long u;

	if ((w->exp = calloc(cap, sizeof(*w->exp))) == NULL) {
		return COSO_ENOMEM;
	}
	for (i = 0; i < d->nassigns; i++) {
		a = &d->assigns[i];
		if (a->unit == NULL || (a->role != 1 && a->role != 2)
		    || (u = report_unit_find(d, a->unit)) < 0) {
			continue;
		}
		for (k = 0; k < w->nsubs; k++) {
			if (a->from > w->subs[k].last
			    || (a->to != 0 && a->to < w->subs[k].first)) {
				continue;
			}
			w->exp[n++] = (struct key) {a->cadre,
			    report_resolve(
			        d, u, w->subs[k].first, w->subs[k].last),
			    k, 0, 0};
		}
	}
	qsort(w->exp, n, sizeof(*w->exp), cmp_key);
	for (i = 0, k = 0; i < n; i++) {
		if (k == 0 || cmp_key(&w->exp[k - 1], &w->exp[i]) != 0) {
			w->exp[k++] = w->exp[i];
		}
	}
	w->nexp = k;
	return COSO_OK;
}

static int
received_make(const struct rs_data *d, struct comp_work *w)
{
	size_t i, k;
	long u;

	if ((w->got = calloc(d->nreports + 1, sizeof(*w->got))) == NULL) {
		return COSO_ENOMEM;
	}
	for (i = 0; i < d->nreports; i++) {
		for (k = 0; k < w->nsubs; k++) {
			if (strcmp(d->reports[i].period, w->subs[k].text)
			    == 0) {
				break;
			}
		}
		if (k == w->nsubs
		    || (u = report_unit_find(d, d->reports[i].unit)) < 0) {
			continue;
		}
		w->got[w->ngot++] = (struct key) {d->reports[i].cadre,
		    report_resolve(d, u, w->subs[k].first, w->subs[k].last), k,
		    i, d->reports[i].received};
	}
	qsort(w->got, w->ngot, sizeof(*w->got), cmp_recv);
	return COSO_OK;
}

/* The device's clock skew at the sync that brought report r, as that
 * sync's STATUS measured it (central - device clock).  A log from
 * before the checks gives an estimate instead: the central's received
 * time minus the HLC wall time of the newest change-set of that key in
 * the same batch (exact only if the device signed just before). */
static int64_t
skew_of(struct cstore_report_db *db, const struct rs_report *r)
{
	uint64_t hlc = r->hlc;
	int64_t skew;

	if (cstore_report_skew(db, r->author, r->received, &skew) == COSO_OK) {
		return skew;
	}
	if (cstore_report_batch_hlc(db, r->author, r->received, &hlc)
	    != COSO_OK) {
		hlc = r->hlc;
	}
	return (int64_t) r->received - (int64_t) coso_hlc_ms(hlc);
}

static int32_t
submitted_date(int64_t v)
{
	return v > 99991231 ? coso_date_of_ms((uint64_t) v) : (int32_t) v;
}

/* The item of expectation e, from the reports received for it. */
static void
item_make(struct cstore_report_db *db, const struct rs_data *d,
    const struct comp_work *w, const struct key *e, int32_t today,
    const char *period, struct report_item *it)
{
	const struct sub *s = &w->subs[e->sub];
	const struct key *g = bsearch(e, w->got, w->ngot, sizeof(*g), cmp_key);
	const struct rs_report *first, *latest;

	memset(it, 0, sizeof(*it));
	it->cadre     = e->cadre;
	it->name      = report_cadre_name(d, e->cadre);
	it->unit      = d->units[e->unit].code;
	it->period    = period;
	it->due       = s->due;
	it->grace_end = s->grace_end;
	it->position  = -1;
	if (g == NULL) {
		it->status
		    = today > s->grace_end ? REPORT_MISSING : REPORT_PENDING;
		return;
	}
	while (g > w->got && cmp_key(g - 1, e) == 0) {
		g--;
	}
	first = latest = &d->reports[g->idx];
	for (; g < w->got + w->ngot && cmp_key(g, e) == 0; g++) {
		latest = &d->reports[g->idx];
		it->versions++;
	}
	it->received  = coso_date_of_ms(first->received);
	it->submitted = submitted_date(first->submitted);
	it->complete  = latest->complete;
	it->id        = latest->id;
	it->position  = latest->position;
	it->proposals = latest->has_proposals;
	if (it->received <= s->due) {
		it->status = REPORT_ON_TIME;
	} else if (it->submitted <= s->due) {
		it->status  = REPORT_OFFLINE_LATE;
		it->skew_ms = skew_of(db, first);
	} else {
		it->status = REPORT_LATE;
	}
}

void
report_count_item(struct report_counts *c, const struct report_item *it)
{
	c->expected++;
	switch (it->status) {
	case REPORT_ON_TIME:
		c->on_time++;
		break;
	case REPORT_LATE:
		c->late++;
		c->in_grace += it->received <= it->grace_end;
		break;
	case REPORT_OFFLINE_LATE:
		c->offline_late++;
		break;
	case REPORT_MISSING:
		c->missing++;
		break;
	case REPORT_PENDING:
		c->pending++;
		break;
	}
	if (it->status <= REPORT_OFFLINE_LATE) {
		c->received++;
		c->complete += it->complete != 0;
		c->with_proposals += it->proposals != 0;
	}
}

/* Adds to unit i and every unit above it in [first, last], up to the
 * filter unit if there is one. */
static void
roll_up(const struct rs_data *d, struct comp_work *w, long i, int32_t first,
    int32_t last, const struct report_item *it)
{
	int hops;

	for (hops = 0; i >= 0 && hops < CHAIN_MAX; hops++) {
		if (it != NULL) {
			report_count_item(&w->unit_c[i], it);
		} else {
			w->unit_c[i].visits_proposals++;
		}
		if (i == w->filter) {
			break;
		}
		i = report_parent_of(d, i, first, last);
	}
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

static int
cmp_line_unit(const void *a, const void *b)
{
	const struct report_line *x = a, *y = b;

	if (x->level != y->level) {
		return x->level < y->level ? -1 : 1;
	}
	return strcmp(x->code, y->code);
}

static int
cmp_line_code(const void *k, const void *e)
{
	return strcmp(k, ((const struct report_line *) e)->code);
}

/* The cadre lines: every cadre with an item or a counted visit. */
static int
cadre_lines(struct report_compliance *r, const char **ids, size_t n)
{
	size_t i, k = 0;

	qsort(ids, n, sizeof(*ids), cmp_str);
	if ((r->cadres = calloc(n + 1, sizeof(*r->cadres))) == NULL) {
		return COSO_ENOMEM;
	}
	for (i = 0; i < n; i++) {
		if (k == 0 || strcmp(r->cadres[k - 1].code, ids[i]) != 0) {
			r->cadres[k].code = ids[i];
			r->cadres[k].name
			    = report_cadre_name(&r->data, ids[i]);
			k++;
		}
	}
	r->ncadres = k;
	return COSO_OK;
}

static struct report_line *
cadre_line(struct report_compliance *r, const char *id)
{
	return bsearch(
	    id, r->cadres, r->ncadres, sizeof(*r->cadres), cmp_line_code);
}

static int
comp_items(struct cstore_report_db *db, struct report_compliance *r,
    struct comp_work *w)
{
	const struct rs_data *d = &r->data;
	size_t i, n = 0;

	if ((r->items = calloc(w->nexp + 1, sizeof(*r->items))) == NULL) {
		return COSO_ENOMEM;
	}
	for (i = 0; i < w->nexp; i++) {
		const struct sub *s = &w->subs[w->exp[i].sub];

		if (w->filter >= 0
		    && !report_under(
		        d, w->exp[i].unit, w->filter, s->first, s->last)) {
			continue;
		}
		item_make(db, d, w, &w->exp[i], r->today,
		    r->periods[w->exp[i].sub], &r->items[n]);
		roll_up(d, w, w->exp[i].unit, s->first, s->last, &r->items[n]);
		report_count_item(&r->total, &r->items[n]);
		n++;
	}
	r->nitems = n;
	return COSO_OK;
}

/* Visits with proposals: the visit's unit as it stood on its date. */
static int
comp_visits(struct report_compliance *r, struct comp_work *w)
{
	const struct rs_data *d = &r->data;
	const char **ids;
	size_t i, n = 0;
	long u;
	int rv;

	if ((ids = calloc(r->nitems + d->nvisits + 1, sizeof(*ids))) == NULL) {
		return COSO_ENOMEM;
	}
	for (i = 0; i < r->nitems; i++) {
		ids[n++] = r->items[i].cadre;
	}
	for (i = 0; i < d->nvisits; i++) {
		const struct rs_visit *v = &d->visits[i];

		u = report_resolve(
		    d, report_unit_find(d, v->unit), v->date, v->date);
		if (v->cadre == NULL || u < 0
		    || (w->filter >= 0
		        && !report_under(d, u, w->filter, v->date, v->date))) {
			d->visits[i].outcomes = 1; /* marks: not counted */
			continue;
		}
		d->visits[i].outcomes = 0;
		ids[n++]              = v->cadre;
		roll_up(d, w, u, v->date, v->date, NULL);
		r->total.visits_proposals++;
	}
	rv = cadre_lines(r, ids, n);
	free(ids);
	return rv;
}

static int
comp_lines(struct report_compliance *r, struct comp_work *w)
{
	const struct rs_data *d = &r->data;
	struct report_line *l;
	size_t i, n = 0;

	for (i = 0; i < r->nitems; i++) {
		report_count_item(
		    &cadre_line(r, r->items[i].cadre)->c, &r->items[i]);
	}
	for (i = 0; i < d->nvisits; i++) {
		if (d->visits[i].outcomes == 0) {
			cadre_line(r, d->visits[i].cadre)
			    ->c.visits_proposals++;
		}
	}
	if ((r->units = calloc(d->nunits + 1, sizeof(*r->units))) == NULL) {
		return COSO_ENOMEM;
	}
	for (i = 0; i < d->nunits; i++) {
		if (w->unit_c[i].expected == 0
		    && w->unit_c[i].visits_proposals == 0) {
			continue;
		}
		l        = &r->units[n++];
		l->code  = d->units[i].code;
		l->name  = d->units[i].name;
		l->level = d->units[i].level;
		l->c     = w->unit_c[i];
	}
	r->nunits = n;
	qsort(r->units, n, sizeof(*r->units), cmp_line_unit);
	return COSO_OK;
}

static int
comp_run(struct cstore_report_db *db, struct report_compliance *r,
    struct comp_work *w, char *errmsg)
{
	const char *texts[SUBS_MAX];
	size_t i;
	int rv;

	if ((rv = cstore_report_reference(db, &r->data)) != COSO_OK) {
		goto store;
	}
	if ((rv = subs_make(&r->data, r->first, r->last, w->subs, &w->nsubs,
	         &r->default_schedule))
	    != COSO_OK) {
		snprintf(errmsg, REPORT_ERRMSG_MAX, "too many periods");
		return rv;
	}
	w->filter = -1;
	if (r->unit != NULL
	    && (w->filter = report_unit_find(&r->data, r->unit)) < 0) {
		snprintf(errmsg, REPORT_ERRMSG_MAX, "unit `%s': no such unit",
		    r->unit);
		return COSO_EINVAL;
	}
	_Static_assert(sizeof(r->periods) / sizeof(r->periods[0]) == SUBS_MAX,
	    "one text per scheduled period");
	for (i = 0; i < w->nsubs; i++) {
		memcpy(r->periods[i], w->subs[i].text, sizeof(r->periods[i]));
		texts[i] = r->periods[i];
	}
	if ((rv = cstore_report_reports(db, texts, w->nsubs, &r->data)) != 0
	    || (rv = cstore_report_proposal_visits(
	            db, r->first, r->last, &r->data))
	        != 0) {
		goto store;
	}
	if ((w->unit_c = calloc(r->data.nunits + 1, sizeof(*w->unit_c)))
	        == NULL
	    || expected_make(&r->data, w) != COSO_OK
	    || received_make(&r->data, w) != COSO_OK
	    || comp_items(db, r, w) != COSO_OK || comp_visits(r, w) != COSO_OK
	    || comp_lines(r, w) != COSO_OK) {
		snprintf(errmsg, REPORT_ERRMSG_MAX, "out of memory");
		return COSO_ENOMEM;
	}
	return COSO_OK;
store:
	snprintf(errmsg, REPORT_ERRMSG_MAX, "%s", cstore_report_errmsg(db));
	return rv;
}

int
report_compliance(struct cstore_report_db *db, const char *period,
    const char *unit, int32_t today, struct report_compliance **out,
    char errmsg[static REPORT_ERRMSG_MAX])
{
	struct report_compliance *r = calloc(1, sizeof(*r));
	struct comp_work *w         = calloc(1, sizeof(*w));
	int rv                      = COSO_ENOMEM;

	if (r == NULL || w == NULL) {
		snprintf(errmsg, REPORT_ERRMSG_MAX, "out of memory");
		goto out;
	}
	if ((rv = report_period(
	         period, r->period, &r->first, &r->last, errmsg))
	    != COSO_OK) {
		goto out;
	}
	r->today = today;
	if (unit != NULL && (r->unit = r->unit_copy = strdup(unit)) == NULL) {
		snprintf(errmsg, REPORT_ERRMSG_MAX, "out of memory");
		goto out;
	}
	if ((rv = cstore_report_read_begin(db)) != COSO_OK) {
		snprintf(
		    errmsg, REPORT_ERRMSG_MAX, "%s", cstore_report_errmsg(db));
		goto out;
	}
	rv = comp_run(db, r, w, errmsg);
	cstore_report_read_end(db);
out:
	if (w != NULL) {
		free(w->exp), free(w->got), free(w->unit_c);
		free(w);
	}
	if (rv == COSO_OK) {
		*out = r;
	} else {
		report_compliance_free(r);
	}
	return rv;
}

void
report_compliance_free(struct report_compliance *r)
{
	if (r != NULL) {
		cstore_report_data_free(&r->data);
		free(r->units), free(r->cadres), free(r->items);
		free(r->unit_copy);
		free(r);
	}
}
