/*
 * app.c: the cadre's app's server (app.h; docs/app.md).
 *
 * On nng's thread: the Host, the Origin of a write, the cookie of an API
 * request (guard.h); pages from the embedded assets; the printed URL's
 * secret turned into the cookie.  API requests go to a bounded queue
 * read by one worker thread, the only one to touch the store handle: a
 * slow write never holds nng's threads, and the app's writes are
 * serialised as the CLI's are (one SQLite writer).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "httpd.h"
#include "api.h"
#include "app.h"
#include "assets.h"
#include "guard.h"
#include "wipe.h"

#define QUEUE_MAX 32u
#define CONNS_MAX 32u

/* Every answer: no sniffing, no framing, nothing from elsewhere. */
#define SAFE_HEADERS                                                   \
	"X-Content-Type-Options: nosniff\r\nX-Frame-Options: DENY\r\n" \
	"Referrer-Policy: no-referrer\r\nContent-Security-Policy: "    \
	"default-src 'self'; img-src 'self' data: blob:; "             \
	"frame-ancestors 'none'; form-action 'self'\r\n"

struct job {
	struct job *next;
	struct httpd_conn *c;
	const struct httphead *h;
	int closed;
};

struct app {
	struct guard g;
	struct applink *link;
	struct httpd *d;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct job *head, *tail;
	unsigned queued;
	int stopping, store_ready;
	pthread_t thread;
	int running;
	struct appw w; /* the worker's */
};

/* ---- answers on any thread ------------------------------------------------
 */

static void
send_reply(struct httpd_conn *c, uint16_t status, const char *type,
    const void *body, size_t len, const char *extra)
{
	char hdr[1024];
	struct httpd_reply r = {status, type, body, len, hdr, 0};

	snprintf(hdr, sizeof(hdr), "%s%s", SAFE_HEADERS, extra ? extra : "");
	if (httpd_answer(c, &r) == HTTPD_BUSY) {
		static const char busy[] = "{\"error\":{\"code\":\"busy\"}}";
		struct httpd_reply b     = {503, "application/json", busy,
		        sizeof(busy) - 1, "Retry-After: 1\r\n", 0};

		(void) httpd_answer(c, &b);
	}
}

/* An error of docs/app.md's table, answered at once. */
static void
send_error(struct httpd_conn *c, const char *code)
{
	struct req rq;
	char *body;

	memset(&rq, 0, sizeof(rq));
	api_fail(&rq, code, NULL, NULL);
	body = rq.out != NULL ? json_dumps(rq.out, JSON_COMPACT) : NULL;
	send_reply(c, rq.status, "application/json", body ? body : "{}",
	    body ? strlen(body) : 2, "Cache-Control: no-store\r\n");
	app_json_free(body);
	json_decref(rq.out);
}

/* ---- pages ----------------------------------------------------------------
 */

static const struct app_asset *
asset_of(const char *path, size_t len)
{
	size_t i;

	if (len == 1 && path[0] == '/') {
		path = "/index.html";
		len  = strlen(path);
	}
	for (i = 0; i < app_nassets; i++) {
		if (strlen(app_assets[i].path) == len
		    && memcmp(app_assets[i].path, path, len) == 0) {
			return &app_assets[i];
		}
	}
	return NULL;
}

/* GET of a page, or of /?k=SECRET: answered here, from memory. */
static void
page(struct app *a, struct httpd_conn *c, const char *path, size_t plen,
    const char *q, size_t qlen)
{
	const struct app_asset *as;
	char extra[256];

	if (q != NULL && plen == 1) {
		if (!guard_query(&a->g, q, qlen)) {
			send_error(c, "bad_secret");
			return;
		}
		snprintf(extra, sizeof(extra),
		    "Location: /\r\nCache-Control: no-store\r\n"
		    "Set-Cookie: %s=%s; HttpOnly; SameSite=Strict; Path=/\r\n",
		    GUARD_COOKIE, a->g.secret);
		send_reply(c, 303, "text/plain", "", 0, extra);
		sodium_memzero(extra, sizeof(extra));
		return;
	}
	if ((as = asset_of(path, plen)) == NULL) {
		send_error(c, "not_found");
		return;
	}
	send_reply(c, 200, as->type, as->data, as->len,
	    "Cache-Control: no-cache\r\n");
}

/* ---- the queue ------------------------------------------------------------
 */

static int
enqueue(struct app *a, struct httpd_conn *c, const struct httphead *h)
{
	struct job *j = calloc(1, sizeof(*j));
	int rv        = j == NULL ? 1 : 0;

	pthread_mutex_lock(&a->mu);
	if (rv == 0 && (a->stopping || a->queued >= QUEUE_MAX)) {
		rv = a->stopping ? 1 : 2;
	}
	if (rv == 0) {
		j->c = c;
		j->h = h;
		if (a->tail != NULL) {
			a->tail->next = j;
		} else {
			a->head = j;
		}
		a->tail = j;
		a->queued++;
		pthread_cond_signal(&a->cv);
	}
	pthread_mutex_unlock(&a->mu);
	if (rv != 0) {
		free(j);
	}
	return rv;
}

static const char *
refusal(int err)
{
	switch (err) {
	case HTTPD_EBODY:
		return "too_big";
	case HTTPD_ELENGTH:
		return "length_required";
	default:
		return "bad_request";
	}
}

/* httpd's callback, on nng's thread: the checks, then a page or the
 * queue. */
static void
on_request(struct httpd_conn *c, const struct httphead *h, int err, void *arg)
{
	struct app *a = arg;
	const char *q;
	size_t plen;
	int get;

	if (h == NULL) {
		send_error(c, refusal(err));
		return;
	}
	if (!guard_host(&a->g, h->host, h->host_len)) {
		send_error(c, "bad_host");
		return;
	}
	get = httphead_method_is(h, "GET") || httphead_method_is(h, "HEAD");
	if (!get && !guard_origin(&a->g, h->origin, h->origin_len)) {
		send_error(c, "bad_origin");
		return;
	}
	q    = memchr(h->target, '?', h->target_len);
	plen = q != NULL ? (size_t) (q - h->target) : h->target_len;
	if (plen < 5 || memcmp(h->target, "/api/", 5) != 0) {
		if (!get) {
			send_error(c, "method");
			return;
		}
		page(a, c, h->target, plen, q != NULL ? q + 1 : NULL,
		    q != NULL ? h->target_len - plen - 1 : 0);
		return;
	}
	if (!guard_cookie(&a->g, h->cookie, h->cookie_len)) {
		send_error(c, "no_session");
		return;
	}
	switch (enqueue(a, c, h)) {
	case 0:
		break;
	case 2:
		send_error(c, "busy");
		break;
	default:
		httpd_drop(c);
	}
}

/* ---- the worker -----------------------------------------------------------
 */

static struct job *
dequeue(struct app *a)
{
	struct job *j;

	pthread_mutex_lock(&a->mu);
	while (!a->stopping && a->head == NULL) {
		pthread_cond_wait(&a->cv, &a->mu);
	}
	if ((j = a->head) != NULL) {
		a->head = j->next;
		a->tail = a->head != NULL ? a->tail : NULL;
		a->queued--;
		j->closed = a->stopping;
	}
	pthread_mutex_unlock(&a->mu);
	return j;
}

/* The request's head into rq: 0, or -1 if its parts do not fit. */
static int
req_fill(struct req *rq, struct httpd_conn *c, const struct httphead *h,
    char *method, size_t mmax, char *ctype, size_t cmax)
{
	const char *q = memchr(h->target, '?', h->target_len);
	size_t plen   = q != NULL ? (size_t) (q - h->target) : h->target_len;
	size_t qlen   = q != NULL ? h->target_len - plen - 1 : 0;

	if (plen >= sizeof(rq->path) || qlen >= sizeof(rq->query)
	    || h->method_len >= mmax || h->ctype_len >= cmax) {
		return -1;
	}
	memcpy(rq->path, h->target, plen);
	rq->path[plen] = 0;
	memcpy(rq->query, q != NULL ? q + 1 : "", qlen);
	rq->query[qlen] = 0;
	memcpy(method, h->method, h->method_len);
	method[h->method_len] = 0;
	rq->method            = method;
	memcpy(ctype, h->ctype != NULL ? h->ctype : "", h->ctype_len);
	ctype[h->ctype_len] = 0;
	rq->ctype           = ctype;
	rq->body            = httpd_body(c, &rq->body_len);
	return 0;
}

/* The worker's answer to a request. */
static void
answer(struct req *rq, struct httpd_conn *c)
{
	char *body = NULL;

	if (rq->raw != NULL) {
		send_reply(c, rq->status ? rq->status : 200, rq->raw_type,
		    rq->raw, rq->raw_len, "Cache-Control: no-store\r\n");
		return;
	}
	if (rq->out == NULL) {
		api_fail(rq, "internal", NULL, "out of memory");
	}
	body = rq->out != NULL ? json_dumps(rq->out, JSON_COMPACT) : NULL;
	send_reply(c, body != NULL ? rq->status : 500, "application/json",
	    body != NULL ? body : "{}", body != NULL ? strlen(body) : 2,
	    "Cache-Control: no-store\r\n");
	app_json_free(body);
}

static void
serve(struct app *a, struct job *j)
{
	struct req rq;
	char method[16], ctype[128];

	memset(&rq, 0, sizeof(rq));
	rq.w = &a->w;
	if (req_fill(
	        &rq, j->c, j->h, method, sizeof(method), ctype, sizeof(ctype))
	    != 0) {
		api_fail(&rq, "bad_request", NULL, "request too long");
	} else {
		api_dispatch(&rq);
	}
	answer(&rq, j->c);
	if (a->w.s != NULL && !a->store_ready) {
		pthread_mutex_lock(&a->mu);
		a->store_ready = 1;
		pthread_mutex_unlock(&a->mu);
	}
	json_decref(rq.in);
	json_decref(rq.out);
	if (rq.raw != NULL) {
		sodium_memzero(rq.raw, rq.raw_len);
		free(rq.raw);
	}
}

/* The store as the worker finds it at start: none, sealed, ready. */
static void
worker_open(struct appw *w)
{
	char err[COSO_ERRMSG_MAX];
	int rv;

	w->state = APP_NEW;
	if (coso_store_open(&w->s, w->dir, NULL, 0, err) != COSO_OK) {
		w->s = NULL;
		return;
	}
	rv       = coso_store_unlock(w->s);
	w->state = rv == COSO_OK ? APP_READY : APP_LOCKED;
}

static void *
worker_main(void *arg)
{
	struct app *a = arg;
	struct job *j;

	while ((j = dequeue(a)) != NULL) {
		if (j->closed) {
			httpd_drop(j->c);
		} else {
			serve(a, j);
		}
		free(j);
	}
	return NULL;
}

/* ---- start and stop -------------------------------------------------------
 */

/* The port of HOST:PORT (checked by httpd_addr_check). */
static unsigned
port_of(const char *addr)
{
	return (unsigned) strtoul(strrchr(addr, ':') + 1, NULL, 10);
}

static int
addr_ok(const struct app_cfg *cfg, char *errmsg)
{
	int lo = 0;

	if (httpd_addr_check(cfg->addr, &lo) != 0) {
		snprintf(errmsg, APP_ERRMSG_MAX,
		    "--ui `%s': not HOST:PORT (a port from 1 to 65535)",
		    cfg->addr);
		return -1;
	}
	if (!lo && !cfg->any) {
		snprintf(errmsg, APP_ERRMSG_MAX,
		    "--ui `%s': not a loopback address; the app answers "
		    "only this device unless --ui-any is given",
		    cfg->addr);
		return -1;
	}
	return 0;
}

int
app_start(struct app **out, const struct app_cfg *cfg,
    char url[static APP_URL_MAX], char errmsg[static APP_ERRMSG_MAX])
{
	const struct httpd_limits lim = {.conns = CONNS_MAX,
	    .head_ms                            = 10000,
	    .stall_ms                           = 10000,
	    .answer_ms                          = 60000,
	    .out_max                            = 64u * 1024u * 1024u,
	    .out_small                          = 64u * 1024u,
	    .body_max                           = API_FILE_MAX,
	    .body_ms                            = 30000};
	struct app *a;

	if (addr_ok(cfg, errmsg) != 0) {
		return -1;
	}
	app_json_wipe_install();
	if ((a = calloc(1, sizeof(*a))) == NULL
	    || (a->w.dir = strdup(cfg->dir)) == NULL) {
		free(a);
		snprintf(errmsg, APP_ERRMSG_MAX, "out of memory");
		return -1;
	}
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->cv, NULL);
	a->link   = cfg->link;
	a->w.link = cfg->link;
	if (guard_init(&a->g, port_of(cfg->addr), cfg->addr) != 0) {
		snprintf(errmsg, APP_ERRMSG_MAX, "--ui: address too long");
		app_stop(a);
		return -1;
	}
	worker_open(&a->w);
	a->store_ready = a->w.s != NULL;
	if (pthread_create(&a->thread, NULL, worker_main, a) != 0) {
		snprintf(errmsg, APP_ERRMSG_MAX, "cannot start a thread");
		app_stop(a);
		return -1;
	}
	a->running = 1;
	if (httpd_start(&a->d, cfg->addr, &lim, on_request, a, errmsg) != 0) {
		app_stop(a);
		return -1;
	}
	snprintf(url, APP_URL_MAX, "http://%s/?k=%s", cfg->addr, a->g.secret);
	*out = a;
	return 0;
}

int
app_store_ready(struct app *a)
{
	int r;

	pthread_mutex_lock(&a->mu);
	r = a->store_ready;
	pthread_mutex_unlock(&a->mu);
	return r;
}

void
app_stop(struct app *a)
{
	if (a == NULL) {
		return;
	}
	pthread_mutex_lock(&a->mu);
	a->stopping = 1;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
	if (a->d != NULL) {
		httpd_close(a->d);
	}
	if (a->running) {
		pthread_join(a->thread, NULL);
	}
	httpd_free(a->d);
	coso_store_close(a->w.s);
	free(a->w.dir);
	guard_wipe(&a->g);
	pthread_cond_destroy(&a->cv);
	pthread_mutex_destroy(&a->mu);
	free(a);
}
