/*
 * api_admin.c: the office's operations on an admin device (docs/app.md,
 * "Admin"): each the library call `coso admin ...' makes, which refuses
 * a field key (COSO_ESTATE, answered not_admin).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "qr.h"
#include "api.h"

#define QR_SCALE   8
#define QR_PNG_MAX (256u * 1024u)

static void
admin_fail(struct req *rq, int rv)
{
	if (rv == COSO_ESTATE
	    && strstr(coso_store_errmsg(rq->w->s), "field key") != NULL) {
		api_fail(rq, "not_admin", NULL, coso_store_errmsg(rq->w->s));
		return;
	}
	api_fail_lib(rq, rv);
}

static void
listing(struct req *rq,
    int (*fn)(
        struct coso_store *, const struct coso_filter *, coso_row_cb, void *))
{
	char unit[64], open[4];
	struct coso_filter f = {0};
	json_t *a            = json_array();
	int rv;

	if (api_query(rq, "unit", unit, sizeof(unit))) {
		f.unit = unit;
	}
	/* ?open=1: proposals not yet resolved or declined (the others
	 * ignore it). */
	f.open_only = api_query(rq, "open", open, sizeof(open))
	    && strcmp(open, "1") == 0;
	if ((rv = fn(rq->w->s, &f, api_row_append, a)) != COSO_OK) {
		json_decref(a);
		api_fail_lib(rq, rv);
		return;
	}
	api_json(rq, 200, api_page(rq, a));
}

void
api_admin_cadres(struct req *rq)
{
	listing(rq, coso_cadre_list);
}

void
api_admin_assignments(struct req *rq)
{
	listing(rq, coso_assignment_list);
}

void
api_admin_units(struct req *rq)
{
	listing(rq, coso_unit_list);
}

void
api_admin_tokens(struct req *rq)
{
	listing(rq, coso_token_list);
}

void
api_admin_proposals(struct req *rq)
{
	listing(rq, coso_proposal_list);
}

void
api_admin_cadre_add(struct req *rq)
{
	struct coso_cadre_in c = {0};
	int rv;

	if (api_text(rq, rq->in, "cadre_id", 1, &c.cadre_id) != 0
	    || api_text(rq, rq->in, "name", 1, &c.name) != 0
	    || api_text(rq, rq->in, "title", 0, &c.title) != 0
	    || api_text(rq, rq->in, "unit", 0, &c.unit) != 0) {
		return;
	}
	if ((rv = coso_admin_cadre_add(rq->w->s, &c)) != COSO_OK) {
		admin_fail(rq, rv);
		return;
	}
	api_json(rq, 201, json_object());
}

static int
role_of(const char *r, enum coso_role *out)
{
	static const char *const names[] = {"in-charge", "monitor", "support"};
	int i;

	for (i = 0; i < 3; i++) {
		if (r != NULL && strcmp(r, names[i]) == 0) {
			*out = (enum coso_role)(i + 1);
			return 0;
		}
	}
	return -1;
}

static void
created(struct req *rq, const uint8_t id[static 16])
{
	char hex[33];

	sodium_bin2hex(hex, sizeof(hex), id, 16);
	api_json(rq, 201, json_pack("{s:s}", "id", hex));
}

void
api_admin_assign(struct req *rq)
{
	struct coso_assign_in a = {0};
	const char *role;
	uint8_t id[16];
	int rv;

	if (api_text(rq, rq->in, "cadre_id", 1, &a.cadre_id) != 0
	    || api_text(rq, rq->in, "unit", 0, &a.unit) != 0
	    || api_text(rq, rq->in, "sector", 0, &a.sector) != 0
	    || api_text(rq, rq->in, "role", 1, &role) != 0
	    || api_date(rq, rq->in, "from", 1, &a.from) != 0
	    || api_date(rq, rq->in, "to", 0, &a.to) != 0
	    || api_text(rq, rq->in, "decision", 0, &a.decision) != 0) {
		return;
	}
	if (role_of(role, &a.role) != 0) {
		api_fail(rq, "bad_request", "role", role);
		return;
	}
	if ((rv = coso_admin_assign(rq->w->s, &a, id)) != COSO_OK) {
		admin_fail(rq, rv);
		return;
	}
	created(rq, id);
}

void
api_admin_rotate(struct req *rq)
{
	struct coso_rotate_in r = {0};
	uint8_t id[16];
	int rv;

	if (api_text(rq, rq->in, "cadre_id", 1, &r.cadre_id) != 0
	    || api_text(rq, rq->in, "unit", 1, &r.unit) != 0
	    || api_text(rq, rq->in, "to_cadre", 1, &r.to_cadre) != 0
	    || api_date(rq, rq->in, "date", 1, &r.date) != 0
	    || api_text(rq, rq->in, "note", 0, &r.note) != 0
	    || api_text(rq, rq->in, "decision", 0, &r.decision) != 0) {
		return;
	}
	if ((rv = coso_admin_rotate(rq->w->s, &r, id)) != COSO_OK) {
		admin_fail(rq, rv);
		return;
	}
	created(rq, id);
}

/* The token's QR code as a PNG data: URL (drawn into a temporary file
 * of mode 0600 by qr_png, read back, removed); null if it cannot be. */
static json_t *
qr_data_url(const char *tok)
{
	const char *tmp = getenv("TMPDIR");
	char path[4096], *b64 = NULL;
	uint8_t *png = NULL;
	size_t len   = 0, blen;
	json_t *v    = json_null();
	int fd;

	snprintf(path, sizeof(path), "%s/coso-token.XXXXXX",
	    tmp != NULL && tmp[0] == '/' ? tmp : "/tmp");
	if ((fd = mkstemp(path)) < 0) {
		return v;
	}
	close(fd);
	if (qr_png(path, tok, QR_SCALE) == 0
	    && coso_file_read(path, QR_PNG_MAX, &png, &len) == 0) {
		blen = sodium_base64_encoded_len(
		    len, sodium_base64_VARIANT_ORIGINAL);
		if ((b64 = malloc(blen + 22)) != NULL) {
			memcpy(b64, "data:image/png;base64,", 22);
			sodium_bin2base64(b64 + 22, blen, png, len,
			    sodium_base64_VARIANT_ORIGINAL);
			json_decref(v);
			v = json_string(b64);
			free(b64);
		}
	}
	unlink(path);
	free(png);
	return v != NULL ? v : json_null();
}

void
api_admin_token_new(struct req *rq)
{
	const char *cadre;
	json_t *d = json_object_get(rq->in, "days");
	char tok[65];
	unsigned days = COSO_TOKEN_DAYS_DEFAULT;
	int rv;

	if (api_text(rq, rq->in, "cadre_id", 1, &cadre) != 0) {
		return;
	}
	if (d != NULL && !json_is_null(d)) {
		if (!json_is_integer(d) || json_integer_value(d) < 1
		    || json_integer_value(d) > 366) {
			api_fail(rq, "bad_request", "days", "1 to 366");
			return;
		}
		days = (unsigned) json_integer_value(d);
	}
	if ((rv = coso_admin_token(rq->w->s, cadre, days, tok)) != COSO_OK) {
		admin_fail(rq, rv);
		return;
	}
	api_json(rq, 201,
	    json_pack("{s:s,s:i,s:o}", "token", tok, "days", days, "qr_png",
	        qr_data_url(tok)));
	sodium_memzero(tok, sizeof(tok));
}

void
api_admin_units_import(struct req *rq)
{
	size_t n = 0, cs = 0;
	int rv = coso_admin_units_import(
	    rq->w->s, (const char *) rq->body, rq->body_len, &n, &cs);

	if (rv != COSO_OK) {
		admin_fail(rq, rv);
		return;
	}
	api_json(rq, 200,
	    json_pack("{s:I,s:I}", "units", (json_int_t) n, "changesets",
	        (json_int_t) cs));
}

static void
bad_row(size_t line, const char *why, void *arg)
{
	json_array_append_new(arg,
	    json_pack("{s:I,s:s}", "line", (json_int_t) line, "why", why));
}

static void
bulk(struct req *rq,
    int (*fn)(struct coso_store *, const char *, size_t, coso_bad_row_cb,
        void *, struct coso_bulk_result *))
{
	struct coso_bulk_result r = {0};
	json_t *bad               = json_array();
	int rv                    = fn(
	                       rq->w->s, (const char *) rq->body, rq->body_len, bad_row, bad, &r);

	if (rv == COSO_ECSV && json_array_size(bad) > 0) {
		api_fail(rq, "bad_csv", NULL, coso_store_errmsg(rq->w->s));
		json_object_set_new(
		    json_object_get(rq->out, "error"), "rows", bad);
		return;
	}
	if (rv != COSO_OK) {
		json_decref(bad);
		admin_fail(rq, rv);
		return;
	}
	json_decref(bad);
	api_json(rq, 200,
	    json_pack("{s:I,s:I}", "rows", (json_int_t) r.rows, "changesets",
	        (json_int_t) r.changesets));
}

void
api_admin_import_cadres(struct req *rq)
{
	bulk(rq, coso_admin_cadres_import);
}

void
api_admin_import_assignments(struct req *rq)
{
	bulk(rq, coso_admin_assignments_import);
}

void
api_admin_answer(struct req *rq)
{
	static const char *const names[]
	    = {"answered", "resolved", "declined"};
	const char *st, *text;
	int i, rv;

	if (api_text(rq, rq->in, "status", 1, &st) != 0
	    || api_text(rq, rq->in, "text", 1, &text) != 0) {
		return;
	}
	for (i = 0; i < 3 && strcmp(st, names[i]) != 0; i++) { }
	if (i == 3) {
		api_fail(rq, "bad_request", "status", st);
		return;
	}
	rv = coso_admin_respond(
	    rq->w->s, rq->arg, (enum coso_response_status)(i + 1), text);
	if (rv != COSO_OK) {
		admin_fail(rq, rv);
		return;
	}
	api_json(rq, 200, json_object());
}
