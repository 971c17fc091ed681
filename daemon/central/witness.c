/*
 * witness.c: the central asks its witnesses to cosign its checkpoints
 * (C2SP tlog-witness add-checkpoint) and publishes what they cosign.
 *
 * A round takes the newest stored checkpoint and sends it to each
 * witness that has not cosigned it yet, with the consistency proof from
 * the size that witness holds.  The central does not know that size at
 * first: it starts from 0 and the witness's 409 tells it, as the
 * specification intends; a second 409 in a row ends the attempt.  A
 * witness that holds more entries than the central's newest checkpoint,
 * or answers 422, has seen another history of this log signed with this
 * key: that is logged as an error, never retried around.  Failures back
 * off from 1 s to 60 s per witness, so a dead witness costs one timeout
 * a minute and the others are not held up by it for longer than that.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <sodium.h>

#include <coso/common.h>

#include "logcheck.h"
#include "store.h"
#include "witness.h"

#define ANSWER_MAX   4096u /* bytes of a witness's answer */
#define BACKOFF_MIN  1000u
#define BACKOFF_MAX  60000u
#define CONNECT_MS   3000L
#define EXCHANGE_MS  10000L
#define TRIES        3 /* requests per attempt: 409s followed */
#define LINE_MAX_LEN 512u

struct peer {
	struct witness_peer p;
	uint64_t held; /* the size the witness holds, as last learnt */
	int has_done;  /* it cosigned the checkpoint of size done */
	uint64_t done;
	char line[LINE_MAX_LEN + 1]; /* its cosignature line(s) for done */
	uint64_t next_ms;            /* no attempt before (monotonic) */
	unsigned backoff_ms;
};

struct witnesses {
	struct witnesses_cfg cfg;
	char path[4096];
	char origin[COSO_KEYNAME_MAX + 1]; /* the log's, and its key name */
	uint8_t central_pk[32];
	const struct clog *log;
	struct central_store *s;
	CURL *curl;
	pthread_t thread;
	int running;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;
	struct peer peer[WITNESSES_MAX];
	char *note; /* the cosigned note published, under mu */
	uint64_t note_size;
};

struct answer {
	char buf[ANSWER_MAX + 1];
	size_t len;
	int over;
};

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000u + (uint64_t) ts.tv_nsec / 1000000u;
}

int
witness_peer_parse(struct witness_peer *p, const char *arg,
    char errmsg[static WITNESS_ERRMSG_MAX])
{
	const char *eq = strchr(arg, '=');
	size_t ulen;
	int rc;

	memset(p, 0, sizeof(*p));
	if (eq == NULL
	    || (strncmp(arg, "http://", 7) != 0
	        && strncmp(arg, "https://", 8) != 0)) {
		snprintf(errmsg, WITNESS_ERRMSG_MAX,
		    "--witness: `%.200s' is not URL=VKEY (an http:// or "
		    "https:// URL, then the witness's verifier key)",
		    arg);
		return -1;
	}
	ulen = (size_t) (eq - arg);
	while (ulen > 0 && arg[ulen - 1] == '/') {
		ulen--;
	}
	if (ulen > WITNESS_URL_MAX || ulen < 8) {
		snprintf(errmsg, WITNESS_ERRMSG_MAX, "--witness: bad URL");
		return -1;
	}
	memcpy(p->url, arg, ulen);
	p->url[ulen] = '\0';
	rc = coso_cosig_vkey_parse(p->name, p->pk, eq + 1, strlen(eq + 1));
	if (rc != COSO_OK) {
		snprintf(errmsg, WITNESS_ERRMSG_MAX,
		    "--witness: `%.200s' is not a witness's verifier key "
		    "(name+id+base64 of 0x04 and the key): %s",
		    eq + 1, coso_strerror(rc));
		return -1;
	}
	return 0;
}

static size_t
on_data(char *ptr, size_t size, size_t n, void *arg)
{
	struct answer *a = arg;
	size_t len       = size * n;

	if (len > ANSWER_MAX - a->len) {
		a->over = 1;
		return 0;
	}
	memcpy(a->buf + a->len, ptr, len);
	a->len += len;
	a->buf[a->len] = '\0';
	return len;
}

/* POSTs body to the peer's add-checkpoint: the HTTP status, or 0 if the
 * exchange failed (why in a->buf). */
static long
post(struct witnesses *w, const struct peer *pe, const char *body, size_t len,
    struct answer *a)
{
	char url[WITNESS_URL_MAX + 32], cerr[CURL_ERROR_SIZE] = "";
	CURL *c     = w->curl;
	long status = 0;

	a->len    = 0;
	a->over   = 0;
	a->buf[0] = '\0';
	snprintf(url, sizeof(url), "%s/add-checkpoint", pe->p.url);
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_MS);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, EXCHANGE_MS);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long) len);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
	if (curl_easy_perform(c) != CURLE_OK) {
		snprintf(a->buf, sizeof(a->buf), "%s",
		    a->over ? "answer too large" : cerr);
		return 0;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	return status;
}

/* The lines of the answer that are valid cosignatures of note by the
 * peer, into pe->line: 0, or -1 if none. */
static int
take_lines(struct witnesses *w, struct peer *pe, const char *note, size_t nlen,
    const struct answer *a, uint64_t size)
{
	char buf[COSO_NOTE_MAX + LINE_MAX_LEN + 2];
	struct coso_checkpoint cp;
	const char *l = a->buf, *nl;
	size_t used   = 0;
	uint64_t t;

	(void) w;
	while (l < a->buf + a->len && (nl = strchr(l, '\n')) != NULL) {
		size_t ll = (size_t) (nl - l) + 1;

		if (nlen + ll <= COSO_NOTE_MAX && ll <= LINE_MAX_LEN - used) {
			memcpy(buf, note, nlen);
			memcpy(buf + nlen, l, ll);
			if (coso_cosig_verify(
			        &t, &cp, buf, nlen + ll, pe->p.name, pe->p.pk)
			        == COSO_OK
			    && cp.size == size) {
				memcpy(pe->line + used, l, ll);
				used += ll;
			}
		}
		l = nl + 1;
	}
	pe->line[used] = '\0';
	return used > 0 ? 0 : -1;
}

/* The proof from old to size (0 < old < size), from the stored tree. */
static int
proof_of(struct witnesses *w, uint64_t old, uint64_t size,
    uint8_t proof[COSO_PROOF_MAX][32], size_t *count)
{
	struct coso_tree_src src;
	int rv;

	*count = 0;
	if (old == 0 || old == size) {
		return COSO_OK;
	}
	if ((rv = cstore_read_begin(w->s)) != COSO_OK) {
		return rv;
	}
	cstore_tree_src(w->s, &src);
	rv = coso_proof_consistency(&src, old, size, proof, count);
	cstore_read_end(w->s);
	return rv;
}

/* One request: 200 (lines taken), 409 (pe->held updated), or -1. */
static int
request(struct witnesses *w, struct peer *pe, uint64_t size, const char *note,
    size_t nlen, struct answer *a)
{
	uint8_t proof[COSO_PROOF_MAX][32];
	size_t count, blen;
	char *body = NULL;
	long status;
	uint64_t held;
	int rv;

	if (pe->held > size) {
		clog_error(w->log,
		    "witness %s holds a checkpoint of %" PRIu64
		    " entries, more than this central's newest (%" PRIu64
		    "): it saw another history of this log signed with "
		    "this key (a rollback or a fork of the database)",
		    pe->p.name, pe->held, size);
		return -1;
	}
	if ((rv = proof_of(w, pe->held, size, proof, &count)) != COSO_OK
	    || (rv = coso_witness_req_format(
	            &body, &blen, pe->held, proof[0], count, note, nlen))
	        != COSO_OK) {
		clog_error(w->log, "witness %s: cannot make the request: %s",
		    pe->p.name, coso_strerror(rv));
		return -1;
	}
	status = post(w, pe, body, blen, a);
	free(body);
	if (status == 409
	    && coso_witness_size_parse(&held, a->buf, a->len) == COSO_OK) {
		pe->held = held;
		return 409;
	}
	if (status == 200 && take_lines(w, pe, note, nlen, a, size) == 0) {
		return 200;
	}
	if (status == 422) {
		clog_error(w->log,
		    "witness %s refused the checkpoint of %" PRIu64
		    " entries as inconsistent with the one it holds (%" PRIu64
		    "): it saw another history of this log signed with this "
		    "key",
		    pe->p.name, size, pe->held);
	} else if (status == 200) {
		clog_warn(w->log,
		    "witness %s answered no valid cosignature of the "
		    "checkpoint of %" PRIu64 " entries",
		    pe->p.name, size);
	} else {
		clog_warn(w->log, "witness %s: %s%ld: %.200s", pe->p.name,
		    status == 0 ? "cannot reach it" : "HTTP ", status, a->buf);
	}
	return -1;
}

/* Asks one witness to cosign: 0 when it did. */
static int
attempt(struct witnesses *w, struct peer *pe, uint64_t size, const char *note,
    size_t nlen)
{
	struct answer *a = malloc(sizeof(*a));
	int rv           = -1;

	if (a == NULL) {
		return -1;
	}
	for (int i = 0; i < TRIES; i++) {
		rv = request(w, pe, size, note, nlen, a);
		if (rv != 409) {
			break;
		}
	}
	free(a);
	if (rv == 200) {
		pe->held       = size;
		pe->done       = size;
		pe->has_done   = 1;
		pe->backoff_ms = 0;
		pe->next_ms    = 0;
		return 0;
	}
	pe->backoff_ms = pe->backoff_ms == 0    ? BACKOFF_MIN
	    : pe->backoff_ms >= BACKOFF_MAX / 2 ? BACKOFF_MAX
	                                        : pe->backoff_ms * 2;
	pe->next_ms    = mono_ms() + pe->backoff_ms;
	return -1;
}

/* The checkpoint with the cosignatures got for it: kept, then shown. */
static void
publish(struct witnesses *w, uint64_t size, const char *note, size_t nlen)
{
	size_t len = nlen, i;
	char *s;
	int rv;

	for (i = 0; i < w->cfg.n; i++) {
		if (w->peer[i].has_done && w->peer[i].done == size) {
			len += strlen(w->peer[i].line);
		}
	}
	if ((s = malloc(len + 1)) == NULL) {
		return;
	}
	memcpy(s, note, nlen);
	len = nlen;
	for (i = 0; i < w->cfg.n; i++) {
		if (w->peer[i].has_done && w->peer[i].done == size) {
			size_t l = strlen(w->peer[i].line);

			memcpy(s + len, w->peer[i].line, l);
			len += l;
		}
	}
	s[len] = '\0';
	if ((rv = coso_file_write(w->path, s, len, 0644)) != COSO_OK) {
		clog_error(w->log, "witnesses: cannot write `%s': %s", w->path,
		    coso_strerror(rv));
	}
	pthread_mutex_lock(&w->mu);
	free(w->note);
	w->note      = s;
	w->note_size = size;
	pthread_mutex_unlock(&w->mu);
}

/* One round on the newest checkpoint. */
static void
round_once(struct witnesses *w)
{
	uint64_t size, now = mono_ms();
	char *note = NULL;
	size_t nlen;
	int got = 0;

	if (cstore_checkpoint_latest(w->s, &size, &note) != COSO_OK) {
		return; /* none yet, or read again next time */
	}
	nlen = strlen(note);
	for (size_t i = 0; i < w->cfg.n; i++) {
		struct peer *pe = &w->peer[i];

		if ((pe->has_done && pe->done == size) || now < pe->next_ms) {
			continue;
		}
		if (attempt(w, pe, size, note, nlen) == 0) {
			clog_info(w->log,
			    "witness %s cosigned the checkpoint of %" PRIu64
			    " entries",
			    pe->p.name, size);
			got = 1;
		}
	}
	if (got) {
		publish(w, size, note, nlen);
	}
	free(note);
}

static void *
thread_main(void *arg)
{
	struct witnesses *w = arg;
	struct timespec ts;

	for (;;) {
		round_once(w);
		pthread_mutex_lock(&w->mu);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += (long) (w->cfg.poll_ms % 1000u) * 1000000L;
		ts.tv_sec += (time_t) (w->cfg.poll_ms / 1000u)
		    + ts.tv_nsec / 1000000000L;
		ts.tv_nsec %= 1000000000L;
		while (!w->stop
		    && pthread_cond_timedwait(&w->cv, &w->mu, &ts) == 0) { }
		if (w->stop) {
			pthread_mutex_unlock(&w->mu);
			return NULL;
		}
		pthread_mutex_unlock(&w->mu);
	}
}

/*
 * The cosigned note kept from a previous run, if it still holds: the
 * central's signature, and the same text as the checkpoint stored for
 * its size (a database restored from an older copy may not have it).
 * Each witness's line in it counts as done.
 */
static void
load_kept(struct witnesses *w)
{
	struct coso_checkpoint cp;
	uint8_t *buf = NULL;
	char *stored = NULL;
	uint64_t latest, t;
	size_t len;

	if (coso_file_read(w->path, COSO_NOTE_MAX, &buf, &len) != COSO_OK) {
		return;
	}
	if (coso_checkpoint_verify(
	        &cp, (const char *) buf, len, w->origin, w->central_pk)
	        != COSO_OK
	    || cstore_checkpoint_latest(w->s, &latest, &stored) != COSO_OK
	    || cp.size > latest) {
		clog_warn(w->log,
		    "witnesses: `%s' is not a cosigned checkpoint of this "
		    "database; not served",
		    w->path);
		free(buf);
		free(stored);
		return;
	}
	free(stored);
	pthread_mutex_lock(&w->mu);
	w->note      = (char *) buf;
	w->note_size = cp.size;
	pthread_mutex_unlock(&w->mu);
	for (size_t i = 0; i < w->cfg.n; i++) {
		if (coso_cosig_verify(&t, &cp, (const char *) buf, len,
		        w->peer[i].p.name, w->peer[i].p.pk)
		    == COSO_OK) {
			w->peer[i].held = cp.size;
		}
	}
}

/* The log's name and the central's key, from the database. */
static int
central_key(struct witnesses *w, char errmsg[static WITNESS_ERRMSG_MAX])
{
	char err[CSTORE_ERRMSG_MAX], *vkey = NULL;
	int rv;

	if ((rv = logcheck_vkey(w->s, &vkey, err)) != COSO_OK) {
		snprintf(errmsg, WITNESS_ERRMSG_MAX,
		    "witnesses: cannot read the central key: %.300s", err);
		return -1;
	}
	rv = coso_note_vkey_parse(
	    w->origin, w->central_pk, vkey, strlen(vkey));
	free(vkey);
	if (rv != COSO_OK) {
		snprintf(errmsg, WITNESS_ERRMSG_MAX,
		    "witnesses: the central's verifier key: %s",
		    coso_strerror(rv));
		return -1;
	}
	return 0;
}

int
witnesses_start(struct witnesses **out, const struct witnesses_cfg *cfg,
    const struct clog *log, char errmsg[static WITNESS_ERRMSG_MAX])
{
	struct witnesses *w = calloc(1, sizeof(*w));
	char err[CSTORE_ERRMSG_MAX];

	if (w == NULL) {
		snprintf(errmsg, WITNESS_ERRMSG_MAX, "out of memory");
		return COSO_ENOMEM;
	}
	w->cfg = *cfg;
	w->log = log;
	snprintf(w->path, sizeof(w->path), "%s", cfg->path);
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	for (size_t i = 0; i < cfg->n; i++) {
		w->peer[i].p = cfg->peer[i];
	}
	if (cstore_open(&w->s, cfg->db, 1, err) != COSO_OK) {
		snprintf(errmsg, WITNESS_ERRMSG_MAX,
		    "witnesses: cannot open `%.200s': %.200s", cfg->db, err);
		witnesses_stop(w);
		return COSO_EIO;
	}
	if (central_key(w, errmsg) != 0) {
		witnesses_stop(w);
		return COSO_EIO;
	}
	if ((w->curl = curl_easy_init()) == NULL) {
		snprintf(errmsg, WITNESS_ERRMSG_MAX, "witnesses: no libcurl");
		witnesses_stop(w);
		return COSO_ENOMEM;
	}
	load_kept(w);
	if (pthread_create(&w->thread, NULL, thread_main, w) != 0) {
		snprintf(errmsg, WITNESS_ERRMSG_MAX, "cannot start a thread");
		witnesses_stop(w);
		return COSO_ENOMEM;
	}
	w->running = 1;
	*out       = w;
	return COSO_OK;
}

char *
witnesses_note(void *arg)
{
	struct witnesses *w = arg;
	char *s             = NULL;

	pthread_mutex_lock(&w->mu);
	if (w->note != NULL) {
		s = strdup(w->note);
	}
	pthread_mutex_unlock(&w->mu);
	return s;
}

void
witnesses_stop(struct witnesses *w)
{
	if (w == NULL) {
		return;
	}
	if (w->running) {
		pthread_mutex_lock(&w->mu);
		w->stop = 1;
		pthread_cond_signal(&w->cv);
		pthread_mutex_unlock(&w->mu);
		pthread_join(w->thread, NULL);
	}
	if (w->curl != NULL) {
		curl_easy_cleanup(w->curl);
	}
	cstore_close(w->s);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w->note);
	free(w);
}
