/*
 * api_records.c: units, visits, drafts, reports, proposals, handovers,
 * quarantine and receipts (docs/app.md).  Each handler is one or two
 * library calls, the CLI's own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "api.h"
#include "wipe.h"

#define TREE_DEPTH 4 /* a commune's villages and their households */

static const char *const level_names[]
    = {"", "province", "district", "commune", "village", "household"};

/* ---- units ----------------------------------------------------------------
 */

static int32_t
today(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return coso_date_of_ms(
	    (uint64_t) ts.tv_sec * 1000u + (uint64_t) ts.tv_nsec / 1000000u);
}

/* The units below code existing today, each with its own below. */
static json_t *
children(struct req *rq, const char *code, int depth)
{
	struct coso_filter f = {.unit = code, .since = today()};
	json_t *a            = json_array(), *u;
	size_t i;
	int rv;

	if (a == NULL || depth == 0) {
		return a;
	}
	if ((rv = coso_unit_list(rq->w->s, &f, api_row_append, a))
	    != COSO_OK) {
		json_decref(a);
		return NULL;
	}
	json_array_foreach(a, i, u)
	{
		json_t *lv    = json_object_get(u, "level");
		const char *c = json_string_value(json_object_get(u, "code"));
		json_int_t l  = json_integer_value(lv);

		json_object_set_new(u, "level_name",
		    json_string(l >= 1 && l <= 5 ? level_names[l] : ""));
		if (c != NULL) {
			json_object_set_new(
			    u, "children", children(rq, c, depth - 1));
		}
	}
	return a;
}

/* One unit's row by code, as coso_unit_show gives it first. */
static int
unit_take(const struct coso_row *row, void *arg)
{
	json_t **o = arg;

	if (*o == NULL && strcmp(row->kind, "unit") == 0) {
		*o = api_row(row);
	}
	return 0;
}

/* The assignments of this cadre running today, each its unit with the
 * units below. */
json_t *api_tree(struct req *rq);

json_t *
api_tree(struct req *rq)
{
	struct coso_status st;
	struct coso_filter f = {.since = today()};
	json_t *as = json_array(), *out = json_array(), *x, *u;
	size_t i;
	int rv;

	if ((rv = coso_status_get(rq->w->s, &st)) != COSO_OK
	    || (f.unit = st.cadre_id,
	           rv = coso_assignment_list(rq->w->s, &f, api_row_append, as))
	        != COSO_OK) {
		api_fail_lib(rq, rv);
		json_decref(as);
		json_decref(out);
		return NULL;
	}
	json_array_foreach(as, i, x)
	{
		const char *code
		    = json_string_value(json_object_get(x, "unit"));
		json_int_t l;

		u = NULL;
		if (code == NULL
		    || coso_unit_show(rq->w->s, code, unit_take, &u) != COSO_OK
		    || u == NULL) {
			json_decref(u);
			continue;
		}
		l = json_integer_value(json_object_get(u, "level"));
		json_object_set_new(u, "level_name",
		    json_string(l >= 1 && l <= 5 ? level_names[l] : ""));
		json_object_set(u, "role", json_object_get(x, "role"));
		json_object_set(u, "from", json_object_get(x, "valid_from"));
		json_object_set(u, "to", json_object_get(x, "valid_to"));
		json_object_set_new(
		    u, "children", children(rq, code, TREE_DEPTH));
		json_array_append_new(out, u);
	}
	json_decref(as);
	return out;
}

void
api_units_tree(struct req *rq)
{
	json_t *t = api_tree(rq);

	if (t != NULL) {
		api_json(rq, 200, json_pack("{s:o}", "items", t));
	}
}

void
api_units(struct req *rq)
{
	char under[64];
	struct coso_filter f = {0};
	json_t *a            = json_array();
	int rv;

	if (api_query(rq, "under", under, sizeof(under))) {
		f.unit = under;
	}
	if ((rv = coso_unit_list(rq->w->s, &f, api_row_append, a))
	    != COSO_OK) {
		json_decref(a);
		api_fail_lib(rq, rv);
		return;
	}
	api_json(rq, 200, json_pack("{s:o}", "items", a));
}

/* ---- visits ---------------------------------------------------------------
 */

/* record id -> "accepted" / "quarantined", from the receipts. */
static int
receipt_mark(const struct coso_row *row, void *arg)
{
	const char *id = NULL, *verdict = NULL;
	size_t i;

	for (i = 0; i < row->n; i++) {
		if (row->kv[i].type != COSO_VTEXT) {
			continue;
		}
		if (strcmp(row->kv[i].key, "record_id") == 0) {
			id = row->kv[i].s;
		} else if (strcmp(row->kv[i].key, "verdict") == 0) {
			verdict = row->kv[i].s;
		}
	}
	if (id != NULL && verdict != NULL) {
		json_object_set_new(arg, id,
		    json_string(strcmp(verdict, "quarantined") == 0
		            ? "quarantined"
		            : "accepted"));
	}
	return 0;
}

/* Each record's "status": quarantined, accepted (a receipt), pending. */
static void
mark_status(struct req *rq, json_t *rows)
{
	json_t *marks = json_object(), *r;
	size_t i;

	if (coso_receipt_list(rq->w->s, receipt_mark, marks) != COSO_OK) {
		json_object_clear(marks);
	}
	json_array_foreach(rows, i, r)
	{
		const char *id = json_string_value(json_object_get(r, "id"));
		json_t *m = id != NULL ? json_object_get(marks, id) : NULL;

		json_object_set_new(r, "status",
		    !json_is_null(json_object_get(r, "quarantine"))
		            && json_object_get(r, "quarantine") != NULL
		        ? json_string("quarantined")
		        : m != NULL ? json_incref(m)
		                    : json_string("pending"));
	}
	json_decref(marks);
}

/* ?limit= and ?offset= of a page (api_page's rule). */
static void
page_of(const struct req *rq, struct coso_filter *f)
{
	char buf[24];

	f->limit = API_LIST_DEFAULT;
	if (api_query(rq, "limit", buf, sizeof(buf))) {
		f->limit = strtoull(buf, NULL, 10);
		f->limit = f->limit == 0 || f->limit > API_LIST_MAX
		    ? API_LIST_MAX
		    : f->limit;
	}
	if (api_query(rq, "offset", buf, sizeof(buf))) {
		f->offset = strtoull(buf, NULL, 10);
	}
}

/* My visits, newest first, a page of them: only its rows are read
 * (coso_visit_list's page), and only they get a status. */
void
api_visits(struct req *rq)
{
	char unit[64], since[16];
	struct coso_filter f = {0};
	json_t *a            = json_array();
	uint64_t total       = 0;
	int rv;

	if (api_query(rq, "unit", unit, sizeof(unit))) {
		f.unit = unit;
	}
	if (api_query(rq, "since", since, sizeof(since))
	    && coso_date_parse(since, &f.since) != COSO_OK) {
		json_decref(a);
		api_fail(rq, "bad_date", "since", NULL);
		return;
	}
	f.newest_first = 1;
	page_of(rq, &f);
	if ((rv = coso_visit_list(rq->w->s, &f, api_row_append, a)) != COSO_OK
	    || (rv = coso_visit_count(rq->w->s, &f, &total)) != COSO_OK) {
		json_decref(a);
		api_fail_lib(rq, rv);
		return;
	}
	mark_status(rq, a);
	api_json(rq, 200,
	    json_pack("{s:o,s:I}", "items", a, "total", (json_int_t) total));
}

/* A show's rows: the first of kind `main' as main, the others in
 * arrays named by their kind plus "s". */
struct shown {
	const char *main;
	json_t *o;
};

static int
show_take(const struct coso_row *row, void *arg)
{
	struct shown *sh = arg;
	char key[40];
	json_t *a;

	if (strcmp(row->kind, sh->main) == 0
	    && json_object_get(sh->o, sh->main) == NULL) {
		json_object_set_new(sh->o, sh->main, api_row(row));
		return 0;
	}
	snprintf(key, sizeof(key), "%ss", row->kind);
	if ((a = json_object_get(sh->o, key)) == NULL) {
		json_object_set_new(sh->o, key, a = json_array());
	}
	json_array_append_new(a, api_row(row));
	return 0;
}

void
api_visit_get(struct req *rq)
{
	struct shown sh = {"visit", json_object()};
	json_t *one;
	int rv;

	if ((rv = coso_visit_show(rq->w->s, rq->arg, show_take, &sh))
	    != COSO_OK) {
		json_decref(sh.o);
		api_fail_lib(rq, rv);
		return;
	}
	one = json_array();
	json_array_append(one, json_object_get(sh.o, "visit"));
	mark_status(rq, one);
	json_decref(one);
	if (json_object_get(sh.o, "outcomes") == NULL) {
		json_object_set_new(sh.o, "outcomes", json_array());
	}
	if (json_object_get(sh.o, "proposals") == NULL) {
		json_object_set_new(sh.o, "proposals", json_array());
	}
	api_json(rq, 200, sh.o);
}

/* One number field as typed: 0 absent, 1 read, -1 refused (answered). */
static int
number(struct req *rq, json_t *o, const char *key, const char *field,
    unsigned scale, int64_t min, int64_t max, int64_t *out)
{
	json_t *v = json_object_get(o, key);
	char buf[64];
	int rv;

	if (v == NULL || json_is_null(v)
	    || (json_is_string(v) && json_string_value(v)[0] == 0)) {
		return 0;
	}
	if (json_is_integer(v)) {
		snprintf(buf, sizeof(buf), "%lld",
		    (long long) json_integer_value(v));
	} else if (!json_is_string(v)
	    || json_string_length(v) >= sizeof(buf)) {
		api_fail(rq, "bad_number", field, NULL);
		return -1;
	} else {
		snprintf(buf, sizeof(buf), "%s", json_string_value(v));
	}
	rv = coso_number_parse(buf, scale, min, max, out);
	if (rv != COSO_OK) {
		api_fail(rq,
		    rv == COSO_EINVAL ? "ambiguous_number" : "bad_number",
		    field, buf);
		return -1;
	}
	return 1;
}

/* The outcomes of a visit's JSON into *out (calloc'd). */
static int
outcomes(struct req *rq, struct coso_outcome_in **out, size_t *n)
{
	json_t *a = json_object_get(rq->in, "outcomes"), *o;
	char f[64];
	size_t i;
	int r;

	*out = NULL;
	*n   = 0;
	if (a == NULL || json_is_null(a)) {
		return 0;
	}
	if (!json_is_array(a) || json_array_size(a) > 256
	    || (*out = calloc(json_array_size(a) + 1, sizeof(**out)))
	        == NULL) {
		api_fail(rq, "bad_request", "outcomes", NULL);
		return -1;
	}
	json_array_foreach(a, i, o)
	{
		struct coso_outcome_in *c = &(*out)[*n];

		snprintf(f, sizeof(f), "outcomes.%zu.text", i);
		if (!json_is_object(o)
		    || api_text(rq, o, "text", 0, &c->text) != 0) {
			return -1;
		}
		if (c->text == NULL || c->text[0] == 0) {
			continue; /* an empty line of the form */
		}
		snprintf(f, sizeof(f), "outcomes.%zu.quantity", i);
		if ((r = number(rq, o, "quantity", f, 3, 0, COSO_QUANTITY_MAX,
		         &c->quantity_milli))
		    < 0) {
			return -1;
		}
		c->has_quantity = r;
		snprintf(f, sizeof(f), "outcomes.%zu.amount", i);
		if ((r = number(rq, o, "amount", f, 0, 0, COSO_AMOUNT_MAX,
		         &c->amount_vnd))
		        < 0
		    || api_text(rq, o, "quantity_unit", 0, &c->quantity_unit)
		        != 0) {
			return -1;
		}
		c->has_amount = r;
		(*n)++;
	}
	return 0;
}

static int
position(struct req *rq, struct coso_visit_in *v)
{
	json_t *p = json_object_get(rq->in, "position");
	int a, b;

	if (p == NULL || json_is_null(p)) {
		return 0;
	}
	if (!json_is_object(p)) {
		api_fail(rq, "bad_request", "position", NULL);
		return -1;
	}
	if ((a = number(rq, p, "lat", "position.lat", 6, -90000000, 90000000,
	         &v->lat_e6))
	        < 0
	    || (b = number(rq, p, "lon", "position.lon", 6, -180000000,
	            180000000, &v->lon_e6))
	        < 0) {
		return -1;
	}
	if (a != b) {
		api_fail(
		    rq, "required", a ? "position.lon" : "position.lat", NULL);
		return -1;
	}
	v->has_position = a;
	return 0;
}

struct visit_form {
	struct coso_visit_in v;
	const char **proposals, **directions, **participants;
	struct coso_outcome_in *outcomes;
};

static void
form_free(struct visit_form *f)
{
	free(f->proposals);
	free(f->directions);
	free(f->participants);
	free(f->outcomes);
}

/* The form's JSON into f->v: 0, or -1 answered.  The purpose is given
 * always ("" when empty), so that the library's rule refuses a blank
 * one. */
static int
visit_form(struct req *rq, struct visit_form *f)
{
	struct coso_visit_in *v = &f->v;

	if (api_text(rq, rq->in, "unit", 1, &v->unit) != 0
	    || api_date(rq, rq->in, "date", 1, &v->date) != 0
	    || api_text(rq, rq->in, "purpose", 0, &v->purpose) != 0
	    || api_text(rq, rq->in, "situation", 0, &v->situation) != 0
	    || api_text(rq, rq->in, "difficulties", 0, &v->difficulties) != 0
	    || api_list(rq, rq->in, "proposals", &f->proposals, &v->nproposals)
	    || api_list(
	        rq, rq->in, "directions", &f->directions, &v->ndirections)
	    || api_list(rq, rq->in, "participants", &f->participants,
	        &v->nparticipants)
	    || outcomes(rq, &f->outcomes, &v->noutcomes) != 0
	    || position(rq, v) != 0) {
		return -1;
	}
	v->purpose      = v->purpose != NULL ? v->purpose : "";
	v->proposals    = f->proposals;
	v->directions   = f->directions;
	v->participants = f->participants;
	v->outcomes     = f->outcomes;
	return 0;
}

static void
visit_store(struct req *rq, const uint8_t *amends)
{
	struct visit_form f;
	uint8_t id[16];
	char hex[33];
	const char *draft;
	int rv;

	memset(&f, 0, sizeof(f));
	if (visit_form(rq, &f) != 0
	    || api_text(rq, rq->in, "draft", 0, &draft) != 0) {
		goto out;
	}
	f.v.amends = amends;
	if ((rv = coso_visit_add(rq->w->s, &f.v, id)) != COSO_OK) {
		api_fail_lib(rq, rv);
		goto out;
	}
	/* The visit is stored: a draft left behind is only shown again. */
	if (draft != NULL && draft[0] != 0
	    && coso_form_delete(rq->w->s, draft) != COSO_OK) {
		draft = NULL;
	}
	sodium_bin2hex(hex, sizeof(hex), id, 16);
	api_json(
	    rq, 201, json_pack("{s:s,s:s}", "id", hex, "short", hex + 24));
out:
	form_free(&f);
}

void
api_visit_add(struct req *rq)
{
	visit_store(rq, NULL);
}

void
api_visit_amend(struct req *rq)
{
	uint8_t id[16];
	int rv;

	if ((rv = coso_id_resolve(rq->w->s, "visit", rq->arg, id))
	    != COSO_OK) {
		api_fail_lib(rq, rv);
		return;
	}
	visit_store(rq, id);
}

/* ---- drafts ---------------------------------------------------------------
 */

void
api_drafts(struct req *rq)
{
	json_t *a = json_array();
	int rv;

	if ((rv = coso_form_list(rq->w->s, api_row_append, a)) != COSO_OK) {
		json_decref(a);
		api_fail_lib(rq, rv);
		return;
	}
	api_json(rq, 200, json_pack("{s:o}", "items", a));
}

void
api_draft_get(struct req *rq)
{
	char *text  = NULL;
	size_t len  = 0;
	uint64_t ms = 0;
	json_t *form;
	int rv;

	if ((rv = coso_form_load(rq->w->s, rq->arg, &text, &len, &ms))
	    != COSO_OK) {
		api_fail_lib(rq, rv);
		return;
	}
	form = json_loadb(text, len, 0, NULL);
	free(text);
	api_json(rq, 200,
	    json_pack("{s:s,s:I,s:o}", "name", rq->arg, "saved_ms",
	        (json_int_t) ms, "form", form != NULL ? form : json_object()));
}

void
api_draft_put(struct req *rq)
{
	json_t *form = json_object_get(rq->in, "form");
	char *text;
	int rv;

	if (!json_is_object(form)) {
		api_fail(rq, "bad_request", "form", "not an object");
		return;
	}
	if ((text = json_dumps(form, JSON_COMPACT)) == NULL) {
		api_fail(rq, "internal", NULL, "out of memory");
		return;
	}
	rv = coso_form_save(rq->w->s, rq->arg, text, strlen(text));
	app_json_free(text);
	if (rv != COSO_OK) {
		api_fail_lib(rq, rv);
		return;
	}
	api_json(rq, 200,
	    json_pack("{s:I}", "saved_ms", (json_int_t) time(NULL) * 1000));
}

void
api_draft_delete(struct req *rq)
{
	int rv = coso_form_delete(rq->w->s, rq->arg);

	if (rv != COSO_OK) {
		api_fail_lib(rq, rv);
		return;
	}
	api_json(rq, 200, json_object());
}
