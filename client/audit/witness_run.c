/*
 * witness_run.c: `coso-audit witness init|vkey|run' (docs/audit.md,
 * "Witnesses").
 *
 *   coso-audit witness init --key FILE --name NAME
 *   coso-audit witness vkey --key FILE --name NAME
 *   coso-audit witness run --listen HOST:PORT --key FILE --name NAME
 *       --state DIR --log [ORIGIN=]VKEY [--log ...]
 *
 * The HTTP server is common's (httpd.h): its callbacks run on nng's
 * threads and must not block, so they only queue a request; one worker
 * thread decides every request in turn (witness.c), which makes the
 * check of the held size and the durable write of the new one atomic.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sodium.h>

#include <coso/common.h>

#include "httpd.h"
#include "i18n.h"
#include "util.h"
#include "witness.h"

#define QUEUE_MAX 64u /* requests waiting for the worker */
#define PATH_ADD  "/add-checkpoint"

enum kind { ADD, GET };

struct job {
	struct httpd_conn *c;
	enum kind kind;
	char hash[64];
};

struct server {
	struct witness *w;
	struct httpd *d;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct job q[QUEUE_MAX];
	size_t head, n;
	int stop;
};

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	util_vmsg("coso-audit witness", fmt, ap);
	va_end(ap);
}

static void
send_text(struct httpd_conn *c, uint16_t status, const char *type,
    const char *body, size_t len, int close)
{
	struct httpd_reply r = {.status = status,
	    .type                       = type,
	    .body                       = body,
	    .len                        = len,
	    .close                      = close};

	if (httpd_answer(c, &r) == HTTPD_BUSY) {
		r.status = 503;
		r.body   = "busy\n";
		r.len    = 5;
		r.extra  = "Retry-After: 1\r\n";
		if (httpd_answer(c, &r) == HTTPD_BUSY) {
			httpd_drop(c);
		}
	}
}

static void
send_now(struct httpd_conn *c, uint16_t status, const char *msg, int close)
{
	send_text(
	    c, status, "text/plain; charset=utf-8", msg, strlen(msg), close);
}

static void *
worker_main(void *arg)
{
	struct server *s = arg;
	struct witness_answer a;
	struct job j;
	const uint8_t *body;
	size_t len;

	for (;;) {
		pthread_mutex_lock(&s->mu);
		while (s->n == 0 && !s->stop) {
			pthread_cond_wait(&s->cv, &s->mu);
		}
		if (s->n == 0) {
			pthread_mutex_unlock(&s->mu);
			return NULL;
		}
		j       = s->q[s->head];
		s->head = (s->head + 1) % QUEUE_MAX;
		s->n--;
		pthread_mutex_unlock(&s->mu);
		if (j.kind == ADD) {
			body = httpd_body(j.c, &len);
			witness_add(s->w, (const char *) body, len,
			    (uint64_t) time(NULL), &a);
		} else {
			witness_get(s->w, j.hash, sizeof(j.hash), &a);
		}
		if (a.body == NULL) {
			send_now(j.c, 500, "out of memory\n", 1);
		} else {
			send_text(j.c, a.status, a.type, a.body, a.len, 0);
		}
		free(a.body);
	}
}

/* The route of a request head: ADD, GET (hash copied) or -1 with an
 * answer given. */
static int
route(struct httpd_conn *c, const struct httphead *h, char hash[64])
{
	static const char tail[] = "/checkpoint";
	const size_t tlen        = sizeof(tail) - 1;

	if (h->target_len == sizeof(PATH_ADD) - 1
	    && memcmp(h->target, PATH_ADD, h->target_len) == 0) {
		if (!httphead_method_is(h, "POST")) {
			send_now(c, 405, "POST only\n", 0);
			return -1;
		}
		return ADD;
	}
	if (h->target_len == 1 + 64 + tlen && h->target[0] == '/'
	    && memcmp(h->target + 65, tail, tlen) == 0) {
		if (!httphead_method_is(h, "GET")
		    && !httphead_method_is(h, "HEAD")) {
			send_now(c, 405, "GET only\n", 0);
			return -1;
		}
		memcpy(hash, h->target + 1, 64);
		return GET;
	}
	send_now(c, 404, "not found\n", 0);
	return -1;
}

/* On nng's thread: refusals at once, the rest queued. */
static void
on_request(struct httpd_conn *c, const struct httphead *h, int err, void *arg)
{
	struct server *s = arg;
	struct job j     = {.c = c};
	int k;

	if (h == NULL) {
		send_now(c,
		    err == HTTPHEAD_TOOBIG        ? 431
		        : err == HTTPD_EBODY      ? 413
		        : err == HTTPD_ELENGTH    ? 411
		        : err == HTTPHEAD_VERSION ? 505
		                                  : 400,
		    "refused\n", 1);
		return;
	}
	if ((k = route(c, h, j.hash)) < 0) {
		return;
	}
	j.kind = (enum kind) k;
	pthread_mutex_lock(&s->mu);
	if (s->n == QUEUE_MAX || s->stop) {
		pthread_mutex_unlock(&s->mu);
		send_text(c, 503, "text/plain; charset=utf-8", "busy\n", 5, 0);
		return;
	}
	s->q[(s->head + s->n) % QUEUE_MAX] = j;
	s->n++;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

/* --log [ORIGIN=]VKEY: the origin is the key's name unless given. */
static int
add_log(struct witness *w, const char *arg)
{
	struct witness_log *l;
	const char *eq = strchr(arg, '='), *plus = strchr(arg, '+');
	const char *vkey = arg;
	size_t olen      = 0;
	int rc;

	if (w->nlogs == WITNESS_LOGS_MAX) {
		fail(_("at most %u logs"), WITNESS_LOGS_MAX);
		return -1;
	}
	l = &w->log[w->nlogs];
	memset(l, 0, sizeof(*l));
	if (eq != NULL && (plus == NULL || eq < plus)) {
		olen = (size_t) (eq - arg);
		vkey = eq + 1;
	}
	rc = coso_note_vkey_parse(l->key_name, l->pk, vkey, strlen(vkey));
	if (rc != COSO_OK || olen > COSO_ORIGIN_MAX) {
		fail(_("cannot read the log's verifier key `%s': %s"), arg,
		    coso_strerror(rc != COSO_OK ? rc : COSO_ETOOBIG));
		return -1;
	}
	if (olen == 0) {
		memcpy(l->origin, l->key_name, strlen(l->key_name) + 1);
	} else {
		memcpy(l->origin, arg, olen);
		l->origin[olen] = '\0';
	}
	for (size_t i = 0; i < w->nlogs; i++) {
		if (strcmp(w->log[i].origin, l->origin) == 0) {
			fail(_("the log `%s' is given twice"), l->origin);
			return -1;
		}
	}
	w->nlogs++;
	return 0;
}

struct wopts {
	const char *listen, *key, *name, *state;
};

static int
parse_opts(int argc, char **argv, struct wopts *o, struct witness *w)
{
	for (int i = 2; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (v == NULL) {
			fail(
			    _("unknown or incomplete argument `%s'"), argv[i]);
			return -1;
		}
		if (strcmp(argv[i], "--listen") == 0) {
			o->listen = v;
		} else if (strcmp(argv[i], "--key") == 0) {
			o->key = v;
		} else if (strcmp(argv[i], "--name") == 0) {
			o->name = v;
		} else if (strcmp(argv[i], "--state") == 0) {
			o->state = v;
		} else if (strcmp(argv[i], "--log") == 0) {
			if (add_log(w, v) != 0) {
				return -1;
			}
		} else {
			fail(
			    _("unknown or incomplete argument `%s'"), argv[i]);
			return -1;
		}
		i++;
	}
	if (o->key == NULL || o->name == NULL) {
		fail(_("--key and --name are required"));
		return -1;
	}
	if (strlen(o->name) > COSO_KEYNAME_MAX) {
		fail(_("the witness name is too long"));
		return -1;
	}
	memcpy(w->name, o->name, strlen(o->name) + 1);
	return 0;
}

static int
print_vkey(const struct witness *w)
{
	uint8_t pk[32];
	char *v = NULL;
	int rc;

	coso_key_public(w->key, pk);
	if ((rc = coso_cosig_vkey_format(&v, w->name, pk)) != COSO_OK) {
		fail(_("invalid witness name `%s': %s"), w->name,
		    coso_strerror(rc));
		return -1;
	}
	printf("%s\n", v);
	free(v);
	return 0;
}

static int
make_key(struct witness *w, const char *path)
{
	char *text = NULL;
	int rc;

	if ((rc = coso_key_generate(&w->key)) != COSO_OK
	    || (rc = coso_seckey_format(&text, w->key, NULL, 0)) != COSO_OK) {
		fail(_("cannot make a key: %s"), coso_strerror(rc));
		return -1;
	}
	rc = coso_file_create(path, text, strlen(text), 0600);
	sodium_memzero(text, strlen(text));
	free(text);
	if (rc != COSO_OK) {
		fail(_("cannot write the key `%s': %s"), path,
		    coso_strerror(rc));
		return -1;
	}
	return 0;
}

static int
read_key(struct witness *w, const char *path)
{
	uint8_t *text = NULL;
	size_t len;
	unsigned mode;
	int rc;

	rc = coso_file_read_secret(path, COSO_SECFILE_MAX, &text, &len, &mode);
	if (rc == COSO_OK) {
		rc = coso_seckey_parse(
		    &w->key, (const char *) text, len, NULL, 0);
		sodium_memzero(text, len);
	}
	free(text);
	if (rc != COSO_OK) {
		fail(_("cannot read the key `%s': %s"), path,
		    coso_strerror(rc));
		return -1;
	}
	return 0;
}

static int
serve(struct witness *w, const char *addr)
{
	const struct httpd_limits lim = {.conns = 64,
	    .head_ms                            = 10000,
	    .stall_ms                           = 10000,
	    .answer_ms                          = 30000,
	    .out_max                            = 4u * 1024u * 1024u,
	    .out_small                          = 16u * 1024u,
	    .body_max                           = COSO_WITNESS_REQ_MAX,
	    .body_ms                            = 10000};
	struct server s               = {.w = w};
	char errmsg[HTTPD_ERRMSG_MAX];
	pthread_t t;
	sigset_t set;
	int sig, rc = 0;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	pthread_mutex_init(&s.mu, NULL);
	pthread_cond_init(&s.cv, NULL);
	if (pthread_create(&t, NULL, worker_main, &s) != 0) {
		fail(_("cannot start a thread"));
		return -1;
	}
	if (httpd_start(&s.d, addr, &lim, on_request, &s, errmsg) != 0) {
		fail(_("cannot listen on `%s': %s"), addr, errmsg);
		rc = -1;
	} else {
		fprintf(stderr, "coso-audit witness: %s listening on %s\n",
		    w->name, addr);
		while (sigwait(&set, &sig) != 0) { }
		httpd_close(s.d);
	}
	pthread_mutex_lock(&s.mu);
	s.stop = 1;
	pthread_cond_signal(&s.cv);
	pthread_mutex_unlock(&s.mu);
	pthread_join(t, NULL);
	httpd_free(s.d);
	return rc;
}

static int
run(struct witness *w, const struct wopts *o)
{
	char err[512];

	if (o->listen == NULL || o->state == NULL || w->nlogs == 0) {
		fail(_("--listen, --state and at least one --log are "
		       "required"));
		return -1;
	}
	if (httpd_addr_check(o->listen, &(int) {0}) != 0) {
		fail(_("`%s' is not HOST:PORT"), o->listen);
		return -1;
	}
	if (mkdir(o->state, 0700) != 0 && errno != EEXIST) {
		fail(_("cannot make the state directory `%s': %s"), o->state,
		    strerror(errno));
		return -1;
	}
	snprintf(w->dir, sizeof(w->dir), "%s", o->state);
	if (read_key(w, o->key) != 0) {
		return -1;
	}
	if (witness_load(w, err) != 0) {
		fail("%s", err);
		return -1;
	}
	return serve(w, o->listen);
}

int
witness_main(int argc, char **argv)
{
	struct witness *w = calloc(1, sizeof(*w));
	struct wopts o    = {0};
	const char *cmd   = argc > 1 ? argv[1] : "";
	int rc            = -1;

	if (w == NULL) {
		fail(_("out of memory"));
		return 2;
	}
	if (strcmp(cmd, "init") != 0 && strcmp(cmd, "vkey") != 0
	    && strcmp(cmd, "run") != 0) {
		fprintf(stderr, "%s",
		    _("usage: coso-audit witness init --key FILE --name NAME\n"
		      "       coso-audit witness vkey --key FILE --name NAME\n"
		      "       coso-audit witness run --listen HOST:PORT --key "
		      "FILE --name NAME\n"
		      "                  --state DIR --log [ORIGIN=]VKEY "
		      "[--log ...]\n"));
	} else if (parse_opts(argc, argv, &o, w) == 0) {
		if (strcmp(cmd, "init") == 0) {
			rc = make_key(w, o.key) == 0 ? print_vkey(w) : -1;
		} else if (strcmp(cmd, "vkey") == 0) {
			rc = read_key(w, o.key) == 0 ? print_vkey(w) : -1;
		} else {
			rc = run(w, &o);
		}
	}
	witness_fini(w);
	coso_key_free(w->key);
	free(w);
	return rc == 0 ? 0 : 2;
}
