/*
 * views.c: the console's views (views.h).  Compliance, coverage and
 * proposals are report.h's; here they are scoped, grouped and joined
 * with the log's facts (signatures, quarantine, keys, checkpoints).
 * The rules are in docs/decisions.md, "The console's views".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <coso/proto.h>

#include "report_out.h"
#include "views.h"

#define CHAIN_MAX 32
#define MS_DAY    INT64_C(86400000)
#define MS_UTC7   INT64_C(25200000)

static const char *const view_names[VIEW_COUNT] = {"overview", "coverage",
    "proposals", "quarantine", "devices", "trend", "audit"};

int
view_parse(const char *name)
{
	int i;

	for (i = 0; name != NULL && i < VIEW_COUNT; i++) {
		if (strcmp(name, view_names[i]) == 0) {
			return i;
		}
	}
	return -1;
}

const char *
view_name(enum view_kind k)
{
	return (unsigned) k < VIEW_COUNT ? view_names[k] : "unknown";
}

int
view_public(enum view_kind k)
{
	return k == VIEW_AUDIT;
}

static int
oom(char *errmsg)
{
	snprintf(errmsg, REPORT_ERRMSG_MAX, "out of memory");
	return COSO_ENOMEM;
}

static int
store_fail(struct cstore_report_db *db, int rv, char *errmsg)
{
	if (rv == COSO_ENOMEM) {
		return oom(errmsg);
	}
	snprintf(errmsg, REPORT_ERRMSG_MAX, "%s", cstore_report_errmsg(db));
	return rv;
}

/* The period asked (checked whole by report_period, never cut), or
 * the quarter of today written into buf. */
static const char *
period_or_today(const struct view_args *a, char buf[static 16])
{
	int32_t m = a->today / 100 % 100;

	if (a->period != NULL) {
		return a->period;
	}
	snprintf(buf, 16, "%04d-Q%d", (int) (a->today / 10000 % 10000),
	    (int) ((m + 2) / 3 % 10));
	return buf;
}

/* Unix ms of 00:00 (UTC+7) of date. */
static int64_t
ms_of(int32_t date)
{
	return coso_date_diff(19700101, date) * MS_DAY - MS_UTC7;
}

/* ---- the scope
 * ---------------------------------------------------------------
 */

/* A scope resolved against the data of one view and period. */
struct scope {
	const struct view_scope *vs;
	const struct rs_data *d;
	int32_t first, last;
	long unit; /* -1: no unit limit */
};

static int
overlaps(const struct rs_assign *a, int32_t first, int32_t last)
{
	return a->from <= last && (a->to == 0 || a->to >= first);
}

/* The assignments of cadre (d->assigns is ordered by cadre): the first
 * one, *n of them; NULL if none. */
static const struct rs_assign *
cadre_assigns(const struct rs_data *d, const char *cadre, size_t *n)
{
	size_t lo = 0, hi = d->nassigns, mid;

	*n = 0;
	while (cadre != NULL && lo < hi) {
		mid = (lo + hi) / 2;
		if (strcmp(d->assigns[mid].cadre, cadre) < 0) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	while (cadre != NULL && lo + *n < d->nassigns
	    && strcmp(d->assigns[lo + *n].cadre, cadre) == 0) {
		(*n)++;
	}
	return *n > 0 ? &d->assigns[lo] : NULL;
}

/* Whether unit i (as it stood in the period) lies in the unit limit. */
static int
scope_unit_ok(const struct scope *s, long i)
{
	if (s->unit < 0) {
		return 1;
	}
	i = report_resolve(s->d, i, s->first, s->last);
	return i >= 0 && report_under(s->d, i, s->unit, s->first, s->last);
}

/* Whether cadre is in the sector limit: assigned to it in the period. */
static int
scope_sector_cadre(const struct scope *s, const char *cadre)
{
	const struct rs_assign *as;
	size_t i, n;

	if (s->vs->sector == NULL) {
		return 1;
	}
	as = cadre_assigns(s->d, cadre, &n);
	for (i = 0; i < n; i++) {
		const struct rs_assign *a = &as[i];

		if (a->sector != NULL && strcmp(a->sector, s->vs->sector) == 0
		    && overlaps(a, s->first, s->last)) {
			return 1;
		}
	}
	return 0;
}

/* Whether cadre is in the scope: in the sector limit, and with a
 * unit assignment in the period inside the unit limit. */
static int
scope_cadre(const struct scope *s, const char *cadre)
{
	const struct rs_assign *as;
	size_t i, n;
	long u;

	if (cadre == NULL && (s->unit >= 0 || s->vs->sector != NULL)) {
		return 0;
	}
	if (!scope_sector_cadre(s, cadre)) {
		return 0;
	}
	if (s->unit < 0) {
		return 1;
	}
	as = cadre_assigns(s->d, cadre, &n);
	for (i = 0; i < n; i++) {
		const struct rs_assign *a = &as[i];

		if (a->unit != NULL && overlaps(a, s->first, s->last)
		    && (u = report_unit_find(s->d, a->unit)) >= 0
		    && scope_unit_ok(s, u)) {
			return 1;
		}
	}
	return 0;
}

/* Whether unit code is in the scope: in the unit limit, and (with a
 * sector limit) at or under a unit that a cadre of the sector is
 * assigned to in the period. */
static int
scope_unit(const struct scope *s, const char *code)
{
	long i = report_unit_find(s->d, code), k;
	size_t n;

	if (i < 0) {
		return s->unit < 0 && s->vs->sector == NULL;
	}
	if (!scope_unit_ok(s, i)) {
		return 0;
	}
	if (s->vs->sector == NULL) {
		return 1;
	}
	for (n = 0; n < s->d->nassigns; n++) {
		const struct rs_assign *a = &s->d->assigns[n];

		if (a->unit != NULL && overlaps(a, s->first, s->last)
		    && scope_sector_cadre(s, a->cadre)
		    && (k = report_unit_find(s->d, a->unit)) >= 0
		    && report_under(s->d,
		        report_resolve(s->d, i, s->first, s->last),
		        report_resolve(s->d, k, s->first, s->last), s->first,
		        s->last)) {
			return 1;
		}
	}
	return 0;
}

/* Checks the scope against d: an unknown unit, or a sector no
 * assignment names, is refused. */
static int
scope_make(struct scope *s, const struct view_scope *vs,
    const struct rs_data *d, int32_t first, int32_t last, char *errmsg)
{
	size_t i;
	int named = 0;

	s->vs    = vs;
	s->d     = d;
	s->first = first;
	s->last  = last;
	s->unit  = -1;
	if (vs->unit != NULL
	    && (s->unit = report_unit_find(d, vs->unit)) < 0) {
		snprintf(errmsg, REPORT_ERRMSG_MAX,
		    "scope unit `%.100s': no such unit", vs->unit);
		return COSO_EINVAL;
	}
	for (i = 0; vs->sector != NULL && i < d->nassigns; i++) {
		named |= d->assigns[i].sector != NULL
		    && strcmp(d->assigns[i].sector, vs->sector) == 0;
	}
	if (vs->sector != NULL && !named) {
		snprintf(errmsg, REPORT_ERRMSG_MAX,
		    "scope sector `%.100s': no assignment names it",
		    vs->sector);
		return COSO_EINVAL;
	}
	return COSO_OK;
}

static json_t *
scope_json(const struct view_scope *vs)
{
	return json_pack(
	    "{s:s?,s:s?}", "unit", vs->unit, "sector", vs->sector);
}

/* The document's head: view, period, its days, today, scope. */
static json_t *
head_json(enum view_kind k, const char *period, int32_t first, int32_t last,
    const struct view_args *a)
{
	return json_pack("{s:s,s:s,s:i,s:i,s:i,s:o*}", "view", view_name(k),
	    "period", period, "first", first, "last", last, "as_of", a->today,
	    "scope", scope_json(&a->scope));
}

/* Appends o (a reference taken) to the array under key in doc; -1 if
 * out of memory. */
static int
push(json_t *arr, json_t *o)
{
	return o == NULL || json_array_append_new(arr, o) != 0 ? -1 : 0;
}

/* The sector of cadre's assignment in [first, last] (the first one
 * found), or NULL. */
static const char *
sector_of(
    const struct rs_data *d, const char *cadre, int32_t first, int32_t last)
{
	const struct rs_assign *as;
	size_t i, n;

	as = cadre_assigns(d, cadre, &n);
	for (i = 0; i < n; i++) {
		if (as[i].sector != NULL && overlaps(&as[i], first, last)) {
			return as[i].sector;
		}
	}
	return NULL;
}

/* ---- overview
 * ----------------------------------------------------------------
 */

static json_t *
counts_json(const struct report_counts *c)
{
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
	    "expected", (json_int_t) c->expected, "received",
	    (json_int_t) c->received, "on_time", (json_int_t) c->on_time,
	    "late", (json_int_t) c->late, "late_in_grace",
	    (json_int_t) c->in_grace, "offline_late",
	    (json_int_t) c->offline_late, "missing", (json_int_t) c->missing,
	    "pending", (json_int_t) c->pending, "complete",
	    (json_int_t) c->complete, "with_proposals",
	    (json_int_t) c->with_proposals, "rate_permille",
	    (json_int_t) (c->expected ? c->received * 1000 / c->expected : 0));
}

/* The unit at level above or at unit i in [first, last], or -1. */
static long
at_level(
    const struct rs_data *d, long i, int level, int32_t first, int32_t last)
{
	int hops;

	for (hops = 0; i >= 0 && hops < CHAIN_MAX; hops++) {
		if (d->units[i].level == level) {
			return i;
		}
		i = report_parent_of(d, i, first, last);
	}
	return -1;
}

/* Per unit of the data, per cadre line and per sector: the counts. */
struct ov_work {
	struct report_counts *units;  /* by unit index */
	char *used;                   /* units with an item */
	struct report_counts *cadres; /* by the compliance's cadre line */
	const char *sectors[64];
	struct report_counts sector_c[65]; /* [64]: no sector */
	size_t nsectors;
	struct report_counts total;
};

static size_t
sector_slot(struct ov_work *w, const char *sector)
{
	size_t i;

	if (sector == NULL) {
		return 64;
	}
	for (i = 0; i < w->nsectors; i++) {
		if (strcmp(w->sectors[i], sector) == 0) {
			return i;
		}
	}
	if (w->nsectors == 64) {
		return 64;
	}
	w->sectors[w->nsectors] = sector;
	return w->nsectors++;
}

/* The signature of the report at log position pos: its change-set
 * verified again with the author's key as the registry holds it. */
struct sig {
	const char *status;
	int revoked;
	const char *cadre;
	int done;
};

static int
sig_take(const struct rs_row *r, void *arg)
{
	struct sig *s = arg;
	struct coso_changeset cs;

	s->done    = 1;
	s->revoked = r->text[3] != NULL;
	if (r->blob[1] == NULL || r->len[1] != 32 || r->blob[0] == NULL) {
		s->status = "unknown_key";
	} else if (coso_changeset_verify(
	               &cs, r->blob[0], r->len[0], r->blob[1])
	    != COSO_OK) {
		s->status = "bad_signature";
	} else if (r->text[2] == NULL || s->cadre == NULL
	    || strcmp(r->text[2], s->cadre) != 0) {
		s->status = "other_cadre";
	} else {
		s->status = "verified";
	}
	return 1;
}

static json_t *
ov_report_json(struct cstore_report_db *db, const struct rs_data *d,
    const struct report_item *it, long commune, long district,
    const char *sector, int *err)
{
	struct sig s   = {"none", 0, it->cadre, 0};
	int64_t pos[1] = {it->position};

	if (it->position >= 0
	    && (*err
	           = cstore_report_rows(db, RS_Q_SIGNED, pos, 1, sig_take, &s))
	        != COSO_OK) {
		return NULL;
	}
	if (it->position >= 0 && !s.done) {
		s.status = "not_in_log";
	}
	return json_pack("{s:s?,s:s,s:s,s:s,s:s?,s:s?,s:s?,s:s,s:s,s:i,s:i,"
	                 "s:i,s:i,s:I,s:b,s:b,s:s,s:b}",
	    "id", it->id, "cadre", it->cadre, "name", it->name, "unit",
	    it->unit, "commune", commune >= 0 ? d->units[commune].code : NULL,
	    "district", district >= 0 ? d->units[district].code : NULL,
	    "sector", sector, "period", it->period, "status",
	    report_status_name(it->status), "due", it->due, "grace_end",
	    it->grace_end, "submitted", it->submitted, "received",
	    it->received, "skew_ms", (json_int_t) it->skew_ms, "complete",
	    it->complete, "with_proposals", it->proposals, "signature",
	    s.status, "key_revoked", s.revoked);
}

static int
cmp_line(const void *k, const void *e)
{
	return strcmp(k, ((const struct report_line *) e)->code);
}

/* Counts one item everywhere it belongs; its row into reports. */
static int
ov_item(struct cstore_report_db *db, const struct report_compliance *c,
    struct ov_work *w, const struct report_item *it, json_t *reports)
{
	const struct rs_data *d = &c->data;
	long u = report_unit_find(d, it->unit), k, com = -1, dis = -1;
	const struct report_line *l;
	const char *sector;
	int32_t first, last;
	int level, err = COSO_OK;

	if (coso_period_parse(it->period, &first, &last) != COSO_OK) {
		first = c->first, last = c->last;
	}
	sector = sector_of(d, it->cadre, first, last);
	report_count_item(&w->total, it);
	report_count_item(&w->sector_c[sector_slot(w, sector)], it);
	l = bsearch(
	    it->cadre, c->cadres, c->ncadres, sizeof(*c->cadres), cmp_line);
	if (l != NULL) {
		report_count_item(&w->cadres[l - c->cadres], it);
	}
	for (level = 2; u >= 0 && level <= 4; level++) {
		if ((k = at_level(d, u, level, first, last)) >= 0) {
			report_count_item(&w->units[k], it);
			w->used[k] = 1;
			com        = level == 3 ? k : com;
			dis        = level == 2 ? k : dis;
		}
	}
	if (push(reports, ov_report_json(db, d, it, com, dis, sector, &err))
	    != 0) {
		return err != COSO_OK ? err : COSO_ENOMEM;
	}
	return COSO_OK;
}

/* The unit lines of level, with the unit above at level - 1. */
static json_t *
ov_units(const struct report_compliance *c, const struct ov_work *w, int level)
{
	const struct rs_data *d = &c->data;
	json_t *a               = json_array();
	size_t i;
	long up;

	for (i = 0; a != NULL && i < d->nunits; i++) {
		if (!w->used[i] || d->units[i].level != level) {
			continue;
		}
		up = report_parent_of(d, (long) i, c->first, c->last);
		if (push(a,
		        json_pack("{s:s,s:s,s:s?,s:o*}", "unit",
		            d->units[i].code, "name", d->units[i].name,
		            "parent", up >= 0 ? d->units[up].code : NULL,
		            "counts", counts_json(&w->units[i])))
		    != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *
ov_cadres(const struct report_compliance *c, const struct ov_work *w)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < c->ncadres; i++) {
		if (w->cadres[i].expected == 0) {
			continue;
		}
		if (push(a,
		        json_pack("{s:s,s:s,s:o*}", "cadre", c->cadres[i].code,
		            "name", c->cadres[i].name, "counts",
		            counts_json(&w->cadres[i])))
		    != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static int
cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

static json_t *
ov_sectors(struct ov_work *w)
{
	json_t *a = json_array();
	const char *order[64];
	size_t i, k;

	memcpy(order, w->sectors, sizeof(order));
	qsort(order, w->nsectors, sizeof(order[0]), cmp_cstr);
	for (i = 0; a != NULL && i <= w->nsectors; i++) {
		const char *name = i < w->nsectors ? order[i] : NULL;

		k = sector_slot(w, name);
		if (w->sector_c[k].expected == 0) {
			continue;
		}
		if (push(a,
		        json_pack("{s:s?,s:o*}", "sector", name, "counts",
		            counts_json(&w->sector_c[k])))
		    != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static int
ov_fill(struct cstore_report_db *db, const struct report_compliance *c,
    const struct view_args *a, struct ov_work *w, json_t *doc, char *errmsg)
{
	json_t *reports = json_array();
	struct scope s;
	size_t i;
	int rv;

	if ((rv = scope_make(
	         &s, &a->scope, &c->data, c->first, c->last, errmsg))
	    != COSO_OK) {
		json_decref(reports);
		return rv;
	}
	for (i = 0, rv = reports ? COSO_OK : COSO_ENOMEM;
	     rv == COSO_OK && i < c->nitems; i++) {
		if (scope_sector_cadre(&s, c->items[i].cadre)) {
			rv = ov_item(db, c, w, &c->items[i], reports);
		}
	}
	if (rv != COSO_OK) {
		json_decref(reports);
		return store_fail(db, rv, errmsg);
	}
	if (json_object_set_new(
	        doc, "default_schedule", json_boolean(c->default_schedule))
	        != 0
	    || json_object_set_new(doc, "total", counts_json(&w->total)) != 0
	    || json_object_set_new(doc, "districts", ov_units(c, w, 2)) != 0
	    || json_object_set_new(doc, "sectors", ov_sectors(w)) != 0
	    || json_object_set_new(doc, "communes", ov_units(c, w, 3)) != 0
	    || json_object_set_new(doc, "villages", ov_units(c, w, 4)) != 0
	    || json_object_set_new(doc, "cadres", ov_cadres(c, w)) != 0
	    || json_object_set_new(doc, "reports", reports) != 0) {
		return oom(errmsg);
	}
	return COSO_OK;
}

int
view_overview(struct cstore_report_db *db, const struct view_args *a,
    json_t **out, char errmsg[static REPORT_ERRMSG_MAX])
{
	struct report_compliance *c = NULL;
	struct ov_work *w           = calloc(1, sizeof(*w));
	json_t *doc                 = NULL;
	char buf[16];
	const char *period = period_or_today(a, buf);
	int rv;

	if (w == NULL) {
		return oom(errmsg);
	}
	if ((rv = report_compliance(
	         db, period, a->scope.unit, a->today, &c, errmsg))
	    != COSO_OK) {
		goto out;
	}
	w->units  = calloc(c->data.nunits + 1, sizeof(*w->units));
	w->used   = calloc(c->data.nunits + 1, 1);
	w->cadres = calloc(c->ncadres + 1, sizeof(*w->cadres));
	doc       = head_json(VIEW_OVERVIEW, c->period, c->first, c->last, a);
	if (w->units == NULL || w->used == NULL || w->cadres == NULL
	    || doc == NULL) {
		rv = oom(errmsg);
		goto out;
	}
	rv = ov_fill(db, c, a, w, doc, errmsg);
out:
	if (rv == COSO_OK) {
		*out = doc;
	} else {
		json_decref(doc);
	}
	report_compliance_free(c);
	free(w->units), free(w->used), free(w->cadres);
	free(w);
	return rv;
}

/* ---- coverage
 * ----------------------------------------------------------------
 */

/* Keeps the rows of doc[key] whose "unit" is in the scope. */
static int
keep_units(json_t *doc, const char *key, const struct scope *s)
{
	json_t *a = json_object_get(doc, key);
	size_t i  = 0;

	while (i < json_array_size(a)) {
		const char *u = json_string_value(
		    json_object_get(json_array_get(a, i), "unit"));

		if (scope_unit(s, u)) {
			i++;
		} else if (json_array_remove(a, i) != 0) {
			return -1;
		}
	}
	return 0;
}

struct visited {
	json_t *by_cadre; /* cadre -> visits */
};

static int
visited_take(const struct rs_row *r, void *arg)
{
	struct visited *v = arg;

	if (r->text[0] == NULL) {
		return 0;
	}
	return json_object_set_new(v->by_cadre, r->text[0],
	           json_integer((json_int_t) r->num[1]))
	    != 0;
}

/* Cadres with a unit assignment (in charge or monitor) in the period
 * and no visit dated in it, with their units. */
static json_t *
cov_idle(struct cstore_report_db *db, const struct report_coverage *r,
    const struct scope *s, int *err)
{
	const struct rs_data *d = &r->data;
	struct visited v        = {json_object()};
	int64_t args[2]         = {r->first, r->last};
	json_t *a = json_array(), *units = NULL, *o;
	const char *cur = NULL;
	size_t i;

	if (a == NULL || v.by_cadre == NULL) {
		goto fail;
	}
	if ((*err = cstore_report_rows(
	         db, RS_Q_CADRE_VISITS, args, 2, visited_take, &v))
	    != COSO_OK) {
		goto fail;
	}
	/* assigns are ordered by cadre: one row per cadre */
	for (i = 0; i < d->nassigns; i++) {
		const struct rs_assign *x = &d->assigns[i];

		if (x->unit == NULL || (x->role != 1 && x->role != 2)
		    || !overlaps(x, r->first, r->last)
		    || json_object_get(v.by_cadre, x->cadre) != NULL
		    || !scope_cadre(s, x->cadre) || !scope_unit(s, x->unit)) {
			continue;
		}
		if (cur == NULL || strcmp(cur, x->cadre) != 0) {
			cur = x->cadre;
			o   = json_pack("{s:s,s:s,s:[]}", "cadre", x->cadre,
			      "name", report_cadre_name(d, x->cadre), "units");
			if (push(a, o) != 0) {
				goto fail;
			}
			units = json_object_get(o, "units");
		}
		if (json_array_append_new(units, json_string(x->unit)) != 0) {
			goto fail;
		}
	}
	json_decref(v.by_cadre);
	return a;
fail:
	json_decref(v.by_cadre);
	json_decref(a);
	return NULL;
}

struct handovers {
	json_t *by_key; /* "cadre\nunit" -> [date, to_cadre] of the last */
};

static int
handover_take(const struct rs_row *r, void *arg)
{
	struct handovers *h = arg;
	char key[512];

	if (r->text[0] == NULL || r->text[1] == NULL) {
		return 0;
	}
	snprintf(key, sizeof(key), "%s\n%s", r->text[0], r->text[1]);
	return json_object_set_new(h->by_key, key,
	           json_pack("{s:i,s:s?,s:s}", "date", (int) r->num[2], "to",
	               r->text[3], "note", r->text[4] ? r->text[4] : ""))
	    != 0;
}

/* The assignment taking over x's unit: another cadre's, starting after
 * x ends (the first such), or NULL. */
static const struct rs_assign *
successor(const struct rs_data *d, const struct rs_assign *x)
{
	const struct rs_assign *best = NULL;
	size_t i;

	for (i = 0; i < d->nassigns; i++) {
		const struct rs_assign *y = &d->assigns[i];

		if (y->unit != NULL && strcmp(y->unit, x->unit) == 0
		    && strcmp(y->cadre, x->cadre) != 0 && y->from > x->to
		    && (best == NULL || y->from < best->from)) {
			best = y;
		}
	}
	return best;
}

/* Rotations in the period: a unit assignment ended in it and another
 * cadre's followed; with the handover note the leaving cadre wrote for
 * that unit, if any. */
static json_t *
cov_handovers(struct cstore_report_db *db, const struct report_coverage *r,
    const struct scope *s, int *err)
{
	const struct rs_data *d = &r->data;
	struct handovers h      = {json_object()};
	json_t *a               = json_array(), *note;
	const struct rs_assign *y;
	char key[512];
	size_t i;

	if (a == NULL || h.by_key == NULL
	    || (*err = cstore_report_rows(
	            db, RS_Q_HANDOVERS, NULL, 0, handover_take, &h))
	        != COSO_OK) {
		goto fail;
	}
	for (i = 0; i < d->nassigns; i++) {
		const struct rs_assign *x = &d->assigns[i];

		if (x->unit == NULL || x->to == 0 || x->to < r->first
		    || x->to > r->last || (y = successor(d, x)) == NULL
		    || !scope_unit(s, x->unit)) {
			continue;
		}
		snprintf(key, sizeof(key), "%s\n%s", x->cadre, x->unit);
		if ((note = json_object_get(h.by_key, key)) != NULL) {
			json_incref(note);
		} else if (y->note != NULL) {
			/* the rotation's own note, on the new assignment */
			note = json_pack("{s:i,s:s,s:s}", "date", y->from,
			    "to", y->cadre, "note", y->note);
		}
		if (push(a,
		        json_pack("{s:s,s:s,s:s,s:i,s:s,s:s,s:i,s:o?}", "unit",
		            x->unit, "from_cadre", x->cadre, "from_name",
		            report_cadre_name(d, x->cadre), "ended", x->to,
		            "to_cadre", y->cadre, "to_name",
		            report_cadre_name(d, y->cadre), "started", y->from,
		            "handover", note))
		    != 0) {
			goto fail;
		}
	}
	json_decref(h.by_key);
	return a;
fail:
	json_decref(h.by_key);
	json_decref(a);
	return NULL;
}

int
view_coverage(struct cstore_report_db *db, const struct view_args *a,
    json_t **out, char errmsg[static REPORT_ERRMSG_MAX])
{
	struct report_coverage *r = NULL;
	json_t *doc = NULL, *base = NULL, *idle = NULL, *hand = NULL;
	char buf[16];
	const char *period = period_or_today(a, buf);
	struct scope s;
	int rv, err = COSO_OK;

	if ((rv = report_coverage(db, period, a->today, &r, errmsg)) != COSO_OK
	    || (rv = scope_make(
	            &s, &a->scope, &r->data, r->first, r->last, errmsg))
	        != COSO_OK) {
		goto out;
	}
	doc  = head_json(VIEW_COVERAGE, r->period, r->first, r->last, a);
	base = report_coverage_json(r);
	idle = cov_idle(db, r, &s, &err);
	hand = idle != NULL ? cov_handovers(db, r, &s, &err) : NULL;
	if (err != COSO_OK) {
		rv = store_fail(db, err, errmsg);
	} else if (doc == NULL || base == NULL || idle == NULL || hand == NULL
	    || json_object_set(doc, "ref", json_object_get(base, "as_of")) != 0
	    || json_object_set(
	           doc, "unassigned", json_object_get(base, "unassigned"))
	        != 0
	    || json_object_set(
	           doc, "unvisited", json_object_get(base, "unvisited"))
	        != 0
	    || keep_units(doc, "unassigned", &s) != 0
	    || keep_units(doc, "unvisited", &s) != 0
	    || json_object_set(doc, "cadres_without_visit", idle) != 0
	    || json_object_set(doc, "handovers", hand) != 0) {
		rv = oom(errmsg);
	}
out:
	json_decref(base), json_decref(idle), json_decref(hand);
	report_coverage_free(r);
	if (rv == COSO_OK) {
		*out = doc;
	} else {
		json_decref(doc);
	}
	return rv;
}

/* ---- proposals
 * ---------------------------------------------------------------
 */

struct answers {
	json_t *by_id; /* proposal id -> [answers] */
	const struct rs_data *d;
};

static int
answer_take(const struct rs_row *r, void *arg)
{
	struct answers *x = arg;
	json_t *list;

	if (r->text[0] == NULL) {
		return 0;
	}
	if ((list = json_object_get(x->by_id, r->text[0])) == NULL
	    && (json_object_set_new(x->by_id, r->text[0], json_array()) != 0
	        || (list = json_object_get(x->by_id, r->text[0])) == NULL)) {
		return 1;
	}
	return push(list,
	           json_pack("{s:s,s:s,s:i,s:s?,s:s?}", "status",
	               report_prop_status_name((int) r->num[1]), "text",
	               r->text[2] != NULL ? r->text[2] : "", "date",
	               (int) r->num[3], "by", r->text[4], "by_name",
	               r->text[4] != NULL ? report_cadre_name(x->d, r->text[4])
	                                  : NULL))
	    != 0;
}

/* Adds one proposal to its tally line in obj[key] (created). */
static int
tally(json_t *obj, const char *key, const struct report_prop *p, int overdue)
{
	json_t *t = json_object_get(obj, key);

	if (t == NULL
	    && (json_object_set_new(obj, key,
	            json_pack("{s:i,s:i,s:i,s:i,s:i,s:i}", "total", 0, "open",
	                0, "answered", 0, "overdue", 0, "resolved", 0,
	                "declined", 0))
	            != 0
	        || (t = json_object_get(obj, key)) == NULL)) {
		return -1;
	}
#define BUMP(k, c)                              \
	json_integer_set(json_object_get(t, k), \
	    json_integer_value(json_object_get(t, k)) + ((c) ? 1 : 0))
	BUMP("total", 1);
	BUMP("open", p->status == 0);
	BUMP("answered", p->status == 1);
	BUMP("overdue", overdue);
	BUMP("resolved", p->status == 2);
	BUMP("declined", p->status == 3);
#undef BUMP
	return 0;
}

/* {key: {...}} as [{name: key, ...}] (name NULL: the objects as they
 * are), sorted by key. */
static json_t *
tally_list(json_t *obj, const char *name)
{
	const char **keys = calloc(json_object_size(obj) + 1, sizeof(*keys));
	json_t *a         = json_array(), *o;
	const char *k;
	json_t *v;
	size_t n = 0, i;

	if (keys == NULL || a == NULL) {
		free(keys);
		json_decref(a);
		return NULL;
	}
	json_object_foreach(obj, k, v)
	{
		keys[n++] = k;
	}
	qsort(keys, n, sizeof(*keys), cmp_cstr);
	for (i = 0; i < n; i++) {
		o = json_deep_copy(json_object_get(obj, keys[i]));
		if (o == NULL
		    || (name != NULL
		        && json_object_set_new(o, name,
		               strcmp(keys[i], "") == 0 ? json_null()
		                                        : json_string(keys[i]))
		            != 0)
		    || push(a, o) != 0) {
			json_decref(a);
			a = NULL;
			break;
		}
	}
	free(keys);
	return a;
}

static json_t *
prop_json(const struct report_prop *p, const char *sector, int overdue,
    json_t *answers)
{
	return json_pack("{s:s,s:i,s:I,s:s,s:b,s:s,s:s,s:s,s:s,s:s?,s:s,s:s,"
	                 "s:o}",
	    "id", p->id != NULL ? p->id : "", "date", p->date, "age_days",
	    (json_int_t) p->age_days, "status",
	    report_prop_status_name(p->status), "overdue", overdue, "unit",
	    p->unit, "unit_name", p->unit_name, "cadre", p->cadre, "name",
	    p->name, "sector", sector, "routed_to", p->route, "text", p->text,
	    "answers", answers != NULL ? json_incref(answers) : json_array());
}

static int
props_fill(const struct report_proposals *r, const struct scope *s,
    const struct answers *ans, int32_t first, int32_t last, json_t *doc)
{
	json_t *list = json_array(), *by_sector = json_object(),
	       *by_unit = json_object(), *ans_list;
	const char *sector;
	size_t i;
	int rv = -1, overdue;

	for (i = 0; list && by_sector && by_unit && i < r->nitems; i++) {
		const struct report_prop *p = &r->items[i];

		if ((first != 0 && (p->date < first || p->date > last))
		    || !scope_sector_cadre(s, p->cadre)
		    || !scope_unit(s, p->unit)) {
			continue;
		}
		sector  = sector_of(&r->data, p->cadre, p->date, p->date);
		overdue = p->status == 0 && p->age_days > VIEW_OVERDUE_DAYS;
		ans_list
		    = json_object_get(ans->by_id, p->id != NULL ? p->id : "");
		if (push(list, prop_json(p, sector, overdue, ans_list)) != 0
		    || tally(
		           by_sector, sector != NULL ? sector : "", p, overdue)
		        != 0
		    || tally(by_unit, p->unit, p, overdue) != 0) {
			goto out;
		}
	}
	if (list != NULL && by_sector != NULL && by_unit != NULL
	    && json_object_set_new(
	           doc, "by_sector", tally_list(by_sector, "sector"))
	        == 0
	    && json_object_set_new(doc, "by_unit", tally_list(by_unit, "unit"))
	        == 0
	    && json_object_set(doc, "proposals", list) == 0) {
		rv = 0;
	}
out:
	json_decref(list), json_decref(by_sector), json_decref(by_unit);
	return rv;
}

int
view_proposals(struct cstore_report_db *db, const struct view_args *a,
    json_t **out, char errmsg[static REPORT_ERRMSG_MAX])
{
	struct report_proposals *r = NULL;
	struct answers ans         = {json_object(), NULL};
	int32_t first = 0, last = 0;
	char period[16];
	json_t *doc = NULL;
	struct scope s;
	int rv;

	if (a->period != NULL
	    && (rv = report_period(a->period, period, &first, &last, errmsg))
	        != COSO_OK) {
		goto out;
	}
	if ((rv = report_proposals(
	         db, a->unit, a->status, a->today, &r, errmsg))
	    != COSO_OK) {
		goto out;
	}
	/* without a period, the scope is judged on today */
	if ((rv = scope_make(&s, &a->scope, &r->data, first ? first : a->today,
	         first ? last : a->today, errmsg))
	    != COSO_OK) {
		goto out;
	}
	ans.d = &r->data;
	if (ans.by_id == NULL) {
		rv = oom(errmsg);
		goto out;
	}
	if ((rv = cstore_report_rows(
	         db, RS_Q_ANSWERS, NULL, 0, answer_take, &ans))
	    != COSO_OK) {
		rv = store_fail(db, rv, errmsg);
		goto out;
	}
	doc = json_pack("{s:s,s:s?,s:i,s:i,s:i,s:i,s:o*}", "view", "proposals",
	    "period", a->period != NULL ? period : NULL, "first", first,
	    "last", last, "as_of", a->today, "overdue_days", VIEW_OVERDUE_DAYS,
	    "scope", scope_json(&a->scope));
	if (doc == NULL || props_fill(r, &s, &ans, first, last, doc) != 0) {
		rv = oom(errmsg);
	}
out:
	json_decref(ans.by_id);
	report_proposals_free(r);
	if (rv == COSO_OK) {
		*out = doc;
	} else {
		json_decref(doc);
	}
	return rv;
}

/* ---- quarantine
 * --------------------------------------------------------------
 */

/* What the office reads for a reason, in Vietnamese. */
static const char *
reason_vi(int reason)
{
	switch (reason) {
	case COSO_QFORK:
		return "Thiết bị ký hai bộ thay đổi cùng số thứ tự";
	case COSO_QUNAUTH:
		return "Cán bộ không được phân công đơn vị vào ngày đó";
	case COSO_QADMIN:
		return "Dữ liệu quản trị không do khóa quản trị ký";
	case COSO_QREVOKED:
		return "Khóa của thiết bị đã bị thu hồi";
	case COSO_QAUTHOR:
		return "Người gửi không phải người ký";
	case COSO_QUNKNOWN:
		return "Khóa chưa được đăng ký";
	case COSO_QREF:
		return "Tham chiếu đến bản ghi không tồn tại";
	case COSO_QIMMUT:
		return "Sửa bản ghi không được phép sửa";
	case COSO_QAMEND:
		return "Sửa bản ghi của cán bộ khác";
	case COSO_QUNITDATE:
		return "Đơn vị không tồn tại vào ngày đó";
	default:
		return "Dữ liệu không hợp lệ";
	}
}

struct quar {
	struct scope *s;
	json_t *list, *by_reason;
	int err;
};

static int
quar_take(const struct rs_row *r, void *arg)
{
	struct quar *q   = arg;
	int reason       = (int) r->num[5];
	const char *name = coso_reason_name(reason);
	char rkey[16];
	json_t *t;

	if (!scope_cadre(q->s, r->text[6])) {
		return 0;
	}
	snprintf(rkey, sizeof(rkey), "%d", reason);
	if ((t = json_object_get(q->by_reason, rkey)) == NULL) {
		t = json_pack("{s:i,s:s,s:s,s:i}", "reason", reason, "name",
		    name != NULL ? name : "unknown", "message_vi",
		    reason_vi(reason), "count", 0);
		if (json_object_set_new(q->by_reason, rkey, t) != 0) {
			return 1;
		}
	}
	json_integer_set(json_object_get(t, "count"),
	    json_integer_value(json_object_get(t, "count")) + 1);
	return push(q->list,
	           json_pack("{s:I,s:s,s:I,s:i,s:i,s:s,s:s,s:s,s:s,s:s?,s:s?,"
	                     "s:I}",
	               "position", (json_int_t) r->num[0], "id", r->text[1],
	               "received_ms", (json_int_t) r->num[4], "received",
	               coso_date_of_ms((uint64_t) r->num[4]), "reason", reason,
	               "name", name != NULL ? name : "unknown", "message",
	               coso_strerror(reason), "message_vi", reason_vi(reason),
	               "author", r->text[2], "cadre", r->text[6], "cadre_name",
	               r->text[6] != NULL
	                   ? report_cadre_name(q->s->d, r->text[6])
	                   : NULL,
	               "seq", (json_int_t) r->num[7]))
	    != 0;
}

int
view_quarantine(struct cstore_report_db *db, const struct view_args *a,
    json_t **out, char errmsg[static REPORT_ERRMSG_MAX])
{
	struct rs_data d = {0};
	struct quar q    = {NULL, json_array(), json_object(), 0};
	json_t *doc = NULL, *reasons = NULL;
	int32_t first, last;
	int64_t args[2];
	char period[16], asked[16];
	struct scope s;
	int rv;

	if ((rv = report_period(
	         period_or_today(a, asked), period, &first, &last, errmsg))
	    != COSO_OK) {
		goto out;
	}
	if ((rv = cstore_report_read_begin(db)) == COSO_OK) {
		if ((rv = cstore_report_reference(db, &d)) == COSO_OK
		    && (rv = scope_make(
		            &s, &a->scope, &d, first, last, errmsg))
		        == COSO_OK) {
			q.s     = &s;
			args[0] = ms_of(first);
			args[1] = ms_of(coso_date_add(last, 1)) - 1;
			rv      = q.list && q.by_reason ? cstore_report_rows(
			              db, RS_Q_QUARANTINE, args, 2, quar_take, &q)
			                                : COSO_ENOMEM;
			if (rv != COSO_OK) {
				rv = store_fail(db, rv, errmsg);
			}
		} else if (rv != COSO_EINVAL) {
			rv = store_fail(db, rv, errmsg);
		}
		cstore_report_read_end(db);
	} else {
		rv = store_fail(db, rv, errmsg);
	}
	if (rv != COSO_OK) {
		goto out;
	}
	doc     = head_json(VIEW_QUARANTINE, period, first, last, a);
	reasons = tally_list(q.by_reason, NULL);
	if (doc == NULL || reasons == NULL
	    || json_object_set_new(doc, "total",
	           json_integer((json_int_t) json_array_size(q.list)))
	        != 0
	    || json_object_set(doc, "by_reason", reasons) != 0
	    || json_object_set(doc, "entries", q.list) != 0) {
		rv = oom(errmsg);
	}
out:
	json_decref(reasons);
	json_decref(q.list), json_decref(q.by_reason);
	cstore_report_data_free(&d);
	if (rv == COSO_OK) {
		*out = doc;
	} else {
		json_decref(doc);
	}
	return rv;
}

/* ---- devices
 * -----------------------------------------------------------------
 */

struct devs {
	struct scope *s;
	json_t *clocks; /* key id -> [central_ms, device_ms] */
	json_t *list;
	int32_t today;
	uint64_t revoked;
};

static int
clock_take(const struct rs_row *r, void *arg)
{
	struct devs *v = arg;

	return r->text[0] == NULL
	    || json_object_set_new(v->clocks, r->text[0],
	           json_pack("[I,I]", (json_int_t) r->num[1],
	               (json_int_t) r->num[2]))
	    != 0;
}

static json_t *
opt_int(const struct rs_row *r, size_t i)
{
	return r->text[i] != NULL ? json_integer((json_int_t) r->num[i])
	                          : json_null();
}

static int
dev_take(const struct rs_row *r, void *arg)
{
	struct devs *v  = arg;
	const json_t *c = json_object_get(v->clocks, r->text[0]);
	int64_t seen    = r->text[6] != NULL ? r->num[6] : -1, since;
	int64_t checked
	    = c != NULL ? json_integer_value(json_array_get(c, 0)) : -1;
	json_t *o;

	if (!scope_cadre(v->s, r->text[1])) {
		return 0;
	}
	seen  = checked > seen ? checked : seen;
	since = r->text[6] != NULL ? r->num[6] : r->text[7] ? r->num[7] : -1;
	v->revoked += r->text[4] != NULL;
	o = json_pack("{s:s,s:s,s:s,s:s,s:o,s:o,s:I,s:o,s:o,s:o,s:o,s:b,s:o,"
	              "s:s?}",
	    "key_id", r->text[0], "cadre", r->text[1], "name",
	    report_cadre_name(v->s->d, r->text[1]), "role",
	    r->num[2] == 2 ? "admin" : "field", "enrolled_ms", opt_int(r, 7),
	    "last_received_ms", opt_int(r, 6), "next_seq",
	    (json_int_t) r->num[5], "last_seen_ms",
	    seen >= 0 ? json_integer(seen) : json_null(),
	    "days_since_received",
	    since >= 0 ? json_integer(
	        coso_date_diff(coso_date_of_ms((uint64_t) since), v->today))
	               : json_null(),
	    "skew_ms",
	    c != NULL ? json_integer(
	        checked - json_integer_value(json_array_get(c, 1)))
	              : json_null(),
	    "checked_ms", checked >= 0 ? json_integer(checked) : json_null(),
	    "revoked", r->text[4] != NULL, "revoked_ms", opt_int(r, 8),
	    "revocation_reason", r->text[9]);
	return push(v->list, o) != 0;
}

int
view_devices(struct cstore_report_db *db, const struct view_args *a,
    json_t **out, char errmsg[static REPORT_ERRMSG_MAX])
{
	struct rs_data d = {0};
	struct devs v    = {NULL, json_object(), json_array(), a->today, 0};
	json_t *doc      = NULL;
	int32_t first, last;
	char period[16], asked[16];
	struct scope s;
	int rv;

	if ((rv = report_period(
	         period_or_today(a, asked), period, &first, &last, errmsg))
	    != COSO_OK) {
		goto out;
	}
	if (v.clocks == NULL || v.list == NULL) {
		rv = oom(errmsg);
		goto out;
	}
	if ((rv = cstore_report_read_begin(db)) != COSO_OK) {
		rv = store_fail(db, rv, errmsg);
		goto out;
	}
	if ((rv = cstore_report_reference(db, &d)) != COSO_OK) {
		rv = store_fail(db, rv, errmsg);
	} else if ((rv = scope_make(&s, &a->scope, &d, first, last, errmsg))
	    == COSO_OK) {
		v.s = &s;
		if ((rv = cstore_report_rows(
		         db, RS_Q_CLOCKS, NULL, 0, clock_take, &v))
		        != COSO_OK
		    || (rv = cstore_report_rows(
		            db, RS_Q_DEVICES, NULL, 0, dev_take, &v))
		        != COSO_OK) {
			rv = store_fail(db, rv, errmsg);
		}
	}
	cstore_report_read_end(db);
	if (rv != COSO_OK) {
		goto out;
	}
	doc = head_json(VIEW_DEVICES, period, first, last, a);
	if (doc == NULL
	    || json_object_set_new(doc, "total",
	           json_integer((json_int_t) json_array_size(v.list)))
	        != 0
	    || json_object_set_new(
	           doc, "revoked", json_integer((json_int_t) v.revoked))
	        != 0
	    || json_object_set(doc, "devices", v.list) != 0) {
		rv = oom(errmsg);
	}
out:
	json_decref(v.clocks), json_decref(v.list);
	cstore_report_data_free(&d);
	if (rv == COSO_OK) {
		*out = doc;
	} else {
		json_decref(doc);
	}
	return rv;
}

/* ---- trend
 * -------------------------------------------------------------------
 */

/* The quarter n quarters before the one holding date, as text. */
static void
quarter_back(int32_t date, int n, char out[static 16])
{
	int q = (int) ((date / 100 % 100 + 2) / 3) - 1
	    + (int) (date / 10000) * 4;

	q -= n;
	snprintf(out, 16, "%04d-Q%d", (q / 4) % 10000, (q % 4 + 1) % 10);
}

static int
trend_quarter(struct cstore_report_db *db, const struct view_args *a,
    const char *quarter, json_t *list, char *errmsg)
{
	struct report_compliance *c = NULL;
	struct report_counts t      = {0};
	struct scope s;
	size_t i;
	int rv;

	if ((rv = report_compliance(
	         db, quarter, a->scope.unit, a->today, &c, errmsg))
	        != COSO_OK
	    || (rv = scope_make(
	            &s, &a->scope, &c->data, c->first, c->last, errmsg))
	        != COSO_OK) {
		report_compliance_free(c);
		return rv;
	}
	for (i = 0; i < c->nitems; i++) {
		if (scope_sector_cadre(&s, c->items[i].cadre)) {
			report_count_item(&t, &c->items[i]);
		}
	}
	if (push(list,
	        json_pack("{s:s,s:i,s:i,s:o*}", "period", quarter, "first",
	            c->first, "last", c->last, "counts", counts_json(&t)))
	    != 0) {
		rv = oom(errmsg);
	}
	report_compliance_free(c);
	return rv;
}

static int
trend_props(struct cstore_report_db *db, const struct view_args *a,
    int32_t first, int32_t last, json_t *doc, char *errmsg)
{
	struct report_proposals *r = NULL;
	json_t *by                 = json_object();
	struct scope s;
	size_t i;
	int rv;

	if (by == NULL) {
		return oom(errmsg);
	}
	if ((rv = report_proposals(db, NULL, -1, a->today, &r, errmsg))
	        != COSO_OK
	    || (rv = scope_make(&s, &a->scope, &r->data, first, last, errmsg))
	        != COSO_OK) {
		goto out;
	}
	for (i = 0; i < r->nitems; i++) {
		const struct report_prop *p = &r->items[i];
		const char *sector;

		if (p->date < first || p->date > last
		    || !scope_sector_cadre(&s, p->cadre)
		    || !scope_unit(&s, p->unit)) {
			continue;
		}
		sector = sector_of(&r->data, p->cadre, p->date, p->date);
		if (tally(by, sector != NULL ? sector : "", p,
		        p->status == 0 && p->age_days > VIEW_OVERDUE_DAYS)
		    != 0) {
			rv = oom(errmsg);
			goto out;
		}
	}
	if (json_object_set_new(
	        doc, "proposals_by_sector", tally_list(by, "sector"))
	    != 0) {
		rv = oom(errmsg);
	}
out:
	json_decref(by);
	report_proposals_free(r);
	return rv;
}

int
view_trend(struct cstore_report_db *db, const struct view_args *a,
    json_t **out, char errmsg[static REPORT_ERRMSG_MAX])
{
	int32_t first, last, f0, l0;
	char period[16], q[16], asked[16];
	json_t *doc = NULL, *list = json_array();
	int rv, n;

	if ((rv = report_period(
	         period_or_today(a, asked), period, &first, &last, errmsg))
	    != COSO_OK) {
		goto out;
	}
	if (list == NULL) {
		rv = oom(errmsg);
		goto out;
	}
	for (n = VIEW_TREND_QUARTERS - 1; rv == COSO_OK && n >= 0; n--) {
		quarter_back(last, n, q);
		rv = trend_quarter(db, a, q, list, errmsg);
	}
	if (rv != COSO_OK) {
		goto out;
	}
	quarter_back(last, VIEW_TREND_QUARTERS - 1, q);
	if (coso_period_parse(q, &f0, &l0) != COSO_OK) {
		f0 = first;
	}
	doc = head_json(VIEW_TREND, period, first, last, a);
	if (doc == NULL
	    || json_object_set_new(doc, "from", json_integer(f0)) != 0
	    || json_object_set(doc, "quarters", list) != 0) {
		rv = oom(errmsg);
		goto out;
	}
	rv = trend_props(db, a, f0, last, doc, errmsg);
out:
	json_decref(list);
	if (rv == COSO_OK) {
		*out = doc;
	} else {
		json_decref(doc);
	}
	return rv;
}

/* ---- audit
 * -------------------------------------------------------------------
 */

struct audit {
	json_t *list;
	int64_t size;
	char *pk, *origin;
};

static int
log_take(const struct rs_row *r, void *arg)
{
	struct audit *x = arg;

	x->size   = r->num[0];
	x->pk     = r->text[1] != NULL ? strdup(r->text[1]) : NULL;
	x->origin = r->text[2] != NULL ? strdup(r->text[2]) : NULL;
	return 1;
}

static int
note_take(const struct rs_row *r, void *arg)
{
	struct audit *x = arg;

	return push(x->list,
	           json_pack("{s:I,s:s}", "size", (json_int_t) r->num[0],
	               "note", r->text[1] != NULL ? r->text[1] : ""))
	    != 0;
}

/* How anyone can check the log without trusting this server, in
 * Vietnamese and English (docs/audit.md). */
static json_t *
how_to_audit(void)
{
	return json_pack("[{s:s,s:s},{s:s,s:s},{s:s,s:s},{s:s,s:s}]", "vi",
	    "Chép dòng khóa kiểm chứng (vkey) và cất ở nơi không phụ thuộc "
	    "máy chủ này.",
	    "en",
	    "Copy the verifier key line (vkey) and keep it somewhere that "
	    "does not depend on this server.",
	    "vi",
	    "Trên một máy khác, chạy: coso-audit --central URL "
	    "--central-key VKEY --state THƯ_MỤC verify",
	    "en",
	    "On another machine, run: coso-audit --central URL "
	    "--central-key VKEY --state DIR verify",
	    "vi",
	    "Công cụ tải điểm kiểm tra (/checkpoint), bằng chứng nhất quán "
	    "và các bộ thay đổi, kiểm tra từng chữ ký và ghi lại những gì đã "
	    "kiểm tra vào THƯ_MỤC; chạy lại định kỳ để thấy nhật ký chỉ được "
	    "nối thêm.",
	    "en",
	    "It fetches the checkpoint (/checkpoint), consistency proofs and "
	    "the change-sets, checks every signature and records what it "
	    "checked in DIR; run it again regularly to see that the log is "
	    "only appended to.",
	    "vi",
	    "Để dựng lại toàn bộ dữ liệu từ nhật ký và so với máy chủ: "
	    "coso-audit ... rebuild (xem docs/audit.md).",
	    "en",
	    "To rebuild all the data from the log and compare it with the "
	    "server's: coso-audit ... rebuild (see docs/audit.md).");
}

int
view_audit(struct cstore_report_db *db, const struct view_args *a,
    json_t **out, char errmsg[static REPORT_ERRMSG_MAX])
{
	struct audit x   = {json_array(), 0, NULL, NULL};
	int64_t count[1] = {VIEW_CHECKPOINTS_MAX};
	uint8_t pk[32];
	char *vkey  = NULL;
	json_t *doc = NULL;
	int rv;

	if (x.list == NULL) {
		return oom(errmsg);
	}
	if ((rv = cstore_report_read_begin(db)) == COSO_OK) {
		if ((rv = cstore_report_rows(
		         db, RS_Q_LOG, NULL, 0, log_take, &x))
		    == COSO_OK) {
			rv = cstore_report_rows(
			    db, RS_Q_CHECKPOINTS, count, 1, note_take, &x);
		}
		cstore_report_read_end(db);
	}
	if (rv != COSO_OK) {
		rv = store_fail(db, rv, errmsg);
		goto out;
	}
	if (x.pk == NULL || x.origin == NULL
	    || coso_pubkey_parse(pk, x.pk, strlen(x.pk)) != COSO_OK
	    || coso_note_vkey_format(&vkey, x.origin, pk) != COSO_OK) {
		snprintf(errmsg, REPORT_ERRMSG_MAX,
		    "the settings name no valid central key or origin");
		rv = COSO_EIO;
		goto out;
	}
	doc = json_pack("{s:s,s:i,s:o*,s:I,s:s,s:s,s:s,s:O?,s:O,s:o*}", "view",
	    "audit", "as_of", a->today, "scope", scope_json(&a->scope),
	    "tree_size", (json_int_t) x.size, "origin", x.origin,
	    "central_key", x.pk, "vkey", vkey, "checkpoint",
	    json_array_get(x.list, 0), "checkpoints", x.list, "how_to_audit",
	    how_to_audit());
	if (doc == NULL) {
		rv = oom(errmsg);
	}
out:
	free(vkey), free(x.pk), free(x.origin);
	json_decref(x.list);
	if (rv == COSO_OK) {
		*out = doc;
	} else {
		json_decref(doc);
	}
	return rv;
}

int
view_json(struct cstore_report_db *db, enum view_kind k,
    const struct view_args *a, json_t **out,
    char errmsg[static REPORT_ERRMSG_MAX])
{
	static int (*const fns[VIEW_COUNT])(struct cstore_report_db *,
	    const struct view_args *, json_t **, char *)
	    = {view_overview, view_coverage, view_proposals, view_quarantine,
	        view_devices, view_trend, view_audit};

	if ((unsigned) k >= VIEW_COUNT) {
		snprintf(errmsg, REPORT_ERRMSG_MAX, "no such view");
		return COSO_EINVAL;
	}
	return fns[k](db, a, out, errmsg);
}
