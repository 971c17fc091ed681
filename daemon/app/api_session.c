/*
 * api_session.c: the app's first run, unlock, home and sync (docs/app.md,
 * "Session and launch" to "Units").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>
#include <uninorm.h>
#include <unistr.h>

#include "api.h"

#define PASS_MIN 8u
#define PASS_MAX 1024u

static const char *const state_names[] = {"new", "locked", "ready"};

void
api_state(struct req *rq)
{
	api_json(rq, 200,
	    json_pack("{s:s,s:s,s:i}", "state", state_names[rq->w->state],
	        "store", rq->w->dir, "ui", 1));
}

/*
 * The passphrase field, NFC (as the CLI reads it), written straight
 * into locked memory: libunistring normalises into the buffer given
 * (NFC is at most three times as long as its input, UAX #15), so no
 * copy of it is left in a block freed elsewhere.  The JSON string it
 * comes from is wiped when rq->in is freed (wipe.h), the body it was
 * parsed from by httpd.
 */
static int
passphrase(struct req *rq, char **out, size_t *len)
{
	const char *p;
	uint8_t *buf = NULL, *r;
	size_t n, cap, rlen;

	if (api_text(rq, rq->in, "passphrase", 1, &p) != 0) {
		return -1;
	}
	n    = strlen(p);
	cap  = 3 * n + 1;
	rlen = cap - 1;
	if (n > PASS_MAX || u8_check((const uint8_t *) p, n) != NULL
	    || (buf = sodium_malloc(cap)) == NULL) {
		api_fail(rq, "bad_request", "passphrase", NULL);
		return -1;
	}
	r = u8_normalize(UNINORM_NFC, (const uint8_t *) p, n, buf, &rlen);
	if (r != buf) {
		/* Cannot be: the output fits.  A block of libunistring's
		 * own is wiped all the same. */
		if (r != NULL) {
			sodium_memzero(r, rlen);
			free(r);
		}
		sodium_free(buf);
		api_fail(rq, "bad_request", "passphrase", NULL);
		return -1;
	}
	buf[rlen] = 0;
	*out      = (char *) buf;
	*len      = rlen;
	return 0;
}

/* Opens the store with pass and loads the key; on success it replaces
 * the worker's handle and the agent gets the passphrase too. */
static int
open_with(struct req *rq, const char *pass, size_t len)
{
	struct appw *w            = rq->w;
	struct coso_store *s      = NULL;
	char err[COSO_ERRMSG_MAX] = "";
	int rv;

	if ((rv = coso_store_open(&s, w->dir, pass, len, err)) != COSO_OK) {
		api_fail(rq, "internal", NULL, err);
		return -1;
	}
	if ((rv = coso_store_unlock(s)) != COSO_OK) {
		api_fail(rq,
		    rv == COSO_EPASSWORD ? "bad_passphrase" : "internal",
		    rv == COSO_EPASSWORD ? "passphrase" : NULL,
		    coso_store_errmsg(s));
		coso_store_close(s);
		return -1;
	}
	coso_store_close(w->s);
	w->s     = s;
	w->state = APP_READY;
	if (applink_set_pass(w->link, pass, len) != 0) {
		api_fail(rq, "internal", NULL, "out of memory");
		return -1;
	}
	applink_wake(w->link);
	return 0;
}

void
api_setup(struct req *rq)
{
	struct coso_init p        = {0};
	char err[COSO_ERRMSG_MAX] = "", *pass = NULL, *pub = NULL;
	size_t plen = 0;
	int rv;

	if (rq->w->state != APP_NEW) {
		api_fail(rq, "exists", NULL, "this device is set up already");
		return;
	}
	if (api_text(rq, rq->in, "name", 1, &p.name) != 0
	    || api_text(rq, rq->in, "cadre_id", 1, &p.cadre_id) != 0
	    || passphrase(rq, &pass, &plen) != 0) {
		goto out;
	}
	if (plen < PASS_MIN) {
		api_fail(rq, "passphrase_short", "passphrase", NULL);
		goto out;
	}
	p.passphrase = pass;
	p.passlen    = plen;
	if ((rv = coso_store_init(rq->w->dir, &p, &pub, err)) != COSO_OK) {
		api_fail(
		    rq, rv == COSO_EEXIST ? "exists" : "required", NULL, err);
		goto out;
	}
	if (open_with(rq, pass, plen) == 0) {
		api_json(rq, 201,
		    json_pack("{s:s,s:s}", "state", "ready", "pubkey", pub));
	}
out:
	free(pub);
	sodium_free(pass);
}

void
api_unlock(struct req *rq)
{
	char *pass  = NULL;
	size_t plen = 0;

	if (rq->w->state == APP_READY) {
		api_json(rq, 200, json_pack("{s:s}", "state", "ready"));
		return;
	}
	if (passphrase(rq, &pass, &plen) == 0
	    && open_with(rq, pass, plen) == 0) {
		api_json(rq, 200, json_pack("{s:s}", "state", "ready"));
	}
	sodium_free(pass);
}

void
api_central(struct req *rq)
{
	const char *url, *key;
	json_t *force = json_object_get(rq->in, "force");
	int rv;

	if (api_text(rq, rq->in, "url", 1, &url) != 0
	    || api_text(rq, rq->in, "key", 1, &key) != 0) {
		return;
	}
	rv = coso_central_pin(rq->w->s, url, key, json_is_true(force));
	if (rv != COSO_OK) {
		api_fail_lib(rq, rv);
		return;
	}
	applink_wake(rq->w->link);
	api_json(
	    rq, 200, json_pack("{s:s,s:b}", "central_url", url, "pinned", 1));
}

/* A token as typed: white space around it is dropped; 64 hex digits. */
static void
enroll_token(struct req *rq, const char *t, size_t n)
{
	char tok[65];
	size_t i;
	int rv;

	while (n > 0 && strchr(" \t\r\n", t[0]) != NULL) {
		t++;
		n--;
	}
	while (n > 0 && strchr(" \t\r\n", t[n - 1]) != NULL) {
		n--;
	}
	for (i = 0;
	     i < n && i < 64 && strchr("0123456789abcdefABCDEF", t[i]) && t[i];
	     i++) { }
	if (n != 64 || i != 64) {
		api_fail(rq, "bad_token", "token", NULL);
		return;
	}
	memcpy(tok, t, 64);
	tok[64] = 0;
	rv      = coso_enroll_queue(rq->w->s, tok);
	sodium_memzero(tok, sizeof(tok));
	if (rv != COSO_OK) {
		api_fail_lib(rq, rv);
		return;
	}
	applink_wake(rq->w->link);
	api_json(rq, 200, json_pack("{s:b}", "queued", 1));
}

void
api_enroll(struct req *rq)
{
	const char *t;

	if (api_text(rq, rq->in, "token", 1, &t) == 0) {
		enroll_token(rq, t, strlen(t));
	}
}

void
api_enroll_qr(struct req *rq)
{
	char buf[4096];
	size_t n = 0;
	int rv   = coso_qr_read(rq->body, rq->body_len, buf, sizeof(buf), &n);

	if (rv == COSO_ENOENT) {
		api_fail(rq, "no_qr", "token", NULL);
	} else if (rv != COSO_OK) {
		api_fail(rq, "internal", NULL, coso_strerror(rv));
	} else {
		enroll_token(rq, buf, n);
	}
	sodium_memzero(buf, sizeof(buf));
}

/* ---- home -----------------------------------------------------------------
 */

/* "admin" when this device may sign admin commands (the library's
 * rule), else "field". */
static const char *
role_of(struct coso_store *s)
{
	int may = 0;

	return coso_store_may_admin(s, &may) == COSO_OK && may ? "admin"
	                                                       : "field";
}

/* The agent's view: online, syncing, last round. */
static void
link_json(json_t *o, struct applink *l)
{
	pthread_mutex_lock(&l->mu);
	json_object_set_new(o, "online",
	    l->online < 0 ? json_null() : json_boolean(l->online));
	json_object_set_new(o, "syncing", json_boolean(l->syncing));
	json_object_set_new(o, "enrolled",
	    l->enrolled < 0 ? json_null() : json_boolean(l->enrolled));
	json_object_set_new(o, "last_attempt_ms",
	    json_integer((json_int_t) l->last_attempt_ms));
	json_object_set_new(
	    o, "next_attempt_ms", json_integer((json_int_t) l->next_ms));
	json_object_set_new(o, "last_error",
	    l->last_err == COSO_OK || l->last_attempt_ms == 0
	        ? json_null()
	        : json_pack("{s:s,s:s}", "code",
	            l->last_err == COSO_ENET ? "net" : "sync", "detail",
	            l->last_msg));
	pthread_mutex_unlock(&l->mu);
}

json_t *api_tree(struct req *rq);

void
api_home(struct req *rq)
{
	struct coso_status st;
	json_t *o, *tree;
	int rv;

	if ((rv = coso_status_get(rq->w->s, &st)) != COSO_OK) {
		api_fail_lib(rq, rv);
		return;
	}
	if ((tree = api_tree(rq)) == NULL) {
		return;
	}
	o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:b,s:I,s:I,s:I,s:I,s:I,s:I,s:I,"
	              "s:I,s:b,s:I,s:o}",
	    "cadre_id", st.cadre_id, "name", st.name, "key", st.shortid,
	    "role", role_of(rq->w->s), "central_url", st.central_url, "pinned",
	    st.central_url[0] != 0, "last_sync_ms",
	    (json_int_t) st.last_sync_ms, "pending", (json_int_t) st.pending,
	    "oldest_pending_ms", (json_int_t) st.oldest_pending_ms,
	    "quarantined", (json_int_t) st.quarantined, "visits",
	    (json_int_t) st.visits, "reports", (json_int_t) st.reports,
	    "drafts", (json_int_t) st.drafts, "proposals_open",
	    (json_int_t) st.proposals_open, "clock_wrong", st.clock_wrong,
	    "skew_ms", (json_int_t) st.skew_ms, "units", tree);
	if (o != NULL) {
		link_json(o, rq->w->link);
		json_object_set_new(
		    o, "enroll_queued", json_boolean(st.enroll_queued));
		json_object_set_new(o, "revoked", json_boolean(st.revoked));
	}
	api_json(rq, 200, o);
}

void
api_sync(struct req *rq)
{
	applink_wake(rq->w->link);
	api_json(rq, 202, json_pack("{s:b}", "started", 1));
}
