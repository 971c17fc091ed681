/*
 * api.h: the cadre's app's JSON API (docs/app.md), inside cosod: a
 * request as the worker thread sees it, the answers, and the routes'
 * handlers (api_*.c).  Everything here runs on the app's one worker
 * thread, which owns the store handle.
 */
#ifndef COSOD_APP_API_H
#define COSOD_APP_API_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <coso/client.h>

#include "link.h"

#define API_JSON_MAX     (256u * 1024u)       /* a JSON body */
#define API_FILE_MAX     (4u * 1024u * 1024u) /* an upload */
#define API_LIST_DEFAULT 100u
#define API_LIST_MAX     1000u

enum app_state {
	APP_NEW    = 0, /* no store: the first run */
	APP_LOCKED = 1, /* a store whose key is sealed, not yet unlocked */
	APP_READY  = 2,
};

/* The worker's side of the app: owned by the worker thread. */
struct appw {
	char *dir;            /* the store directory */
	struct coso_store *s; /* NULL while APP_NEW */
	enum app_state state;
	struct applink *link;
};

struct req {
	struct appw *w;
	const char *method;
	char path[256];   /* NUL-terminated, without the query */
	char query[1024]; /* NUL-terminated, "" if none */
	const char *arg;  /* the '*' segment of the route, or NULL */
	char argbuf[128];
	const uint8_t *body; /* the request's body (not NUL-terminated) */
	size_t body_len;
	const char *ctype; /* its Content-Type (NUL-terminated), or "" */
	json_t *in;        /* the body as a JSON object, for JSON routes */
	/* the answer */
	uint16_t status;
	json_t *out;  /* or: */
	uint8_t *raw; /* malloc'd bytes of type raw_type */
	size_t raw_len;
	const char *raw_type;
};

/* Answers: o (a reference taken) with status. */
void api_json(struct req *rq, uint16_t status, json_t *o);
/* An error of docs/app.md's table: code, the field at fault (or NULL),
 * detail (or NULL). */
void api_fail(
    struct req *rq, const char *code, const char *field, const char *detail);
/* A library error on the worker's store: its code, field and detail
 * from the handle's message. */
void api_fail_lib(struct req *rq, int rv);
/* The status docs/app.md gives code. */
uint16_t api_status_of(const char *code);

/*
 * Request fields.  Each returns 0, or -1 after api_fail: api_text gives
 * a string field (NULL if absent or null; `required' refuses those and
 * blank ones), at most COSO_TEXT_MAX bytes; api_date parses a date as
 * coso_date_parse does.
 */
int api_text(struct req *rq, json_t *o, const char *key, int required,
    const char **out);
int api_date(
    struct req *rq, json_t *o, const char *key, int required, int32_t *out);
/* A string list (array of strings); *n its length; *out malloc'd. */
int api_list(
    struct req *rq, json_t *o, const char *key, const char ***out, size_t *n);
/* A query parameter's value into buf (NUL-terminated); 1 found, 0 not. */
int api_query(const struct req *rq, const char *name, char *buf, size_t max);

/* A library row as a JSON object: dates as "YYYY-MM-DD", an "id" also
 * as "short" (its last 8 digits). */
json_t *api_row(const struct coso_row *row);
/* A coso_row_cb appending api_row to a json array (arg). */
int api_row_append(const struct coso_row *row, void *arg);
/* {"items": a[offset .. offset+limit), "total": n} by ?limit=&offset= */
json_t *api_page(const struct req *rq, json_t *a);
/* ISO date text of YYYYMMDD into out[11]. */
void api_iso(char out[static 11], int32_t d);

/* Route handlers (docs/app.md, in its order). */
void api_state(struct req *rq);
void api_setup(struct req *rq);
void api_central(struct req *rq);
void api_enroll(struct req *rq);
void api_enroll_qr(struct req *rq);
void api_unlock(struct req *rq);
void api_home(struct req *rq);
void api_sync(struct req *rq);
void api_units_tree(struct req *rq);
void api_units(struct req *rq);
void api_visits(struct req *rq);
void api_visit_get(struct req *rq);
void api_visit_add(struct req *rq);
void api_visit_amend(struct req *rq);
void api_drafts(struct req *rq);
void api_draft_get(struct req *rq);
void api_draft_put(struct req *rq);
void api_draft_delete(struct req *rq);
void api_reports(struct req *rq);
void api_report_new(struct req *rq);
void api_report_get(struct req *rq);
void api_report_put(struct req *rq);
void api_report_submit(struct req *rq);
void api_report_amend(struct req *rq);
void api_proposals(struct req *rq);
void api_handovers(struct req *rq);
void api_handover_add(struct req *rq);
void api_quarantine(struct req *rq);
void api_receipts(struct req *rq);
void api_receipts_verify(struct req *rq);
void api_admin_cadres(struct req *rq);
void api_admin_cadre_add(struct req *rq);
void api_admin_assignments(struct req *rq);
void api_admin_assign(struct req *rq);
void api_admin_units(struct req *rq);
void api_admin_units_import(struct req *rq);
void api_admin_tokens(struct req *rq);
void api_admin_token_new(struct req *rq);
void api_admin_rotate(struct req *rq);
void api_admin_import_cadres(struct req *rq);
void api_admin_import_assignments(struct req *rq);
void api_admin_proposals(struct req *rq);
void api_admin_answer(struct req *rq);

/* Route flags. */
enum {
	R_STORE = 1, /* needs a store (else 409 no_store) */
	R_KEY   = 2, /* needs the key unlocked (else 423 locked) */
	R_JSON  = 4, /* the body is a JSON object (<= API_JSON_MAX) */
	R_FILE  = 8, /* the body is a file (<= API_FILE_MAX) */
};

/* Finds the route of method and path and runs it, or answers 404/405
 * (api.c). */
void api_dispatch(struct req *rq);

#endif /* COSOD_APP_API_H */
