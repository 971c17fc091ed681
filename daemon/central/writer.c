/*
 * writer.c: the writer thread and its group commit.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "admit.h"
#include "auth.h"
#include "emit.h"
#include "writer.h"

struct writer {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct wjob *head, *tail;
	size_t bytes, max_bytes;
	int stopping;
	pthread_t thread;
	struct central_store *s;
	const struct coso_key *central;
	const struct clog *log;
	struct metrics *metrics;
};

/* Counts for the log line of a group. */
struct gstats {
	size_t jobs, cs, enroll, failed;
	size_t v[COSO_VERDICT_REFUSED + 1];
};

static void
log_fork(const struct clog *log, const struct coso_msg_item *it,
    const struct merge_out *o)
{
	const uint8_t *author = coso_changeset_author(it->cs, it->cs_len);
	char id[17]           = "?";

	/* Stored as a fork: its envelope was read, so it has an author. */
	if (author != NULL) {
		sodium_bin2hex(id, sizeof(id), author, 8);
	}
	clog_warn(log,
	    "fork: key %s sent a second change-set for a seq "
	    "(log position %llu); quarantined",
	    id, (unsigned long long) o->position);
}

/* Admission (admit.h), then merge; sender_refused: the reason the whole
 * PUSH is refused with (admit_sender, asked once), or 0. */
static int
admit_merge(const struct merge_ctx *m, const struct merge_in *in,
    int sender_refused, struct merge_out *out)
{
	int rv, reason = sender_refused;

	if (reason == 0
	    && (rv = admit_changeset(m->s, in, &reason)) != COSO_OK) {
		return rv;
	}
	if (reason != 0) {
		admit_refused(in, reason, out);
		return COSO_OK;
	}
	return merge_changeset(m, in, out);
}

static int
do_push(const struct merge_ctx *m, struct wjob *j, const struct clog *log,
    struct gstats *g)
{
	struct merge_in in = {.received_ms = j->received_ms};
	size_t i;
	int rv, refused;

	coso_keyid_of(in.sender, j->sender_pk);
	/* Checked again here, in the transaction: a revocation committed
	 * since the server looked holds for this PUSH. */
	if ((rv = admit_sender(m->s, in.sender, &refused)) != COSO_OK) {
		return rv;
	}
	for (i = 0; i < j->n; i++) {
		in.cs  = j->items[i].cs;
		in.len = j->items[i].cs_len;
		in.sig = (enum merge_sig) j->sig[i];
		if (j->decoded != NULL && j->decoded[i]) {
			in.decoded = 1;
			in.ops     = j->ops[i];
			in.ops_err = j->ops_err[i];
		} else {
			in.decoded = 0;
		}
		if ((rv = admit_merge(m, &in, refused, &j->out[i])) != 0) {
			return rv;
		}
		g->cs++;
		g->v[j->out[i].verdict]++;
		if (j->out[i].reason == COSO_QFORK && j->out[i].stored) {
			log_fork(log, &j->items[i], &j->out[i]);
		}
	}
	return COSO_OK;
}

static int
do_enroll(const struct merge_ctx *m, struct wjob *j, const struct clog *log,
    struct gstats *g)
{
	struct merge_out out;
	uint8_t hash[32];
	int rv;

	rv = auth_enroll(m->s, j->token, j->cadre, j->sender_pk,
	    j->received_ms, &j->already, &j->enroll_code);
	if (rv != COSO_OK || j->enroll_code != 0 || j->already) {
		return rv;
	}
	coso_sha256(hash, j->token, 32);
	rv = emit_device_key(m, j->sender_pk, j->cadre, CSTORE_ROLE_FIELD,
	    hash, j->received_ms, &out);
	if (rv == COSO_OK && out.verdict != COSO_VERDICT_ACCEPTED) {
		clog_error(log, "enrollment for cadre `%s' not accepted: %s",
		    j->cadre, coso_strerror(out.reason));
		j->enroll_code = out.reason != 0 ? out.reason : COSO_ESCHEMA;
	}
	g->enroll++;
	return rv;
}

static int
do_clock(const struct merge_ctx *m, const struct wjob *j)
{
	struct cstore_clock c = {.central_ms = j->received_ms,
	    .device_ms                       = j->device_ms,
	    .hlc                             = j->hlc};

	coso_keyid_of(c.key_id, j->sender_pk);
	return cstore_clock_add(m->s, &c);
}

static int
do_job(const struct merge_ctx *m, struct wjob *j, const struct clog *log,
    struct gstats *g)
{
	switch (j->kind) {
	case WJOB_PUSH:
		return do_push(m, j, log, g);
	case WJOB_ENROLL:
		return do_enroll(m, j, log, g);
	default:
		return do_clock(m, j);
	}
}

/* One job inside the group's transaction; a storage failure undoes this
 * job only, and the device is asked to retry. */
static void
run_job(const struct merge_ctx *m, struct wjob *j, const struct clog *log,
    struct gstats *g)
{
	int rv = cstore_savepoint(m->s, "job");

	if (rv == COSO_OK) {
		rv = do_job(m, j, log, g);
		if (rv != COSO_OK) {
			cstore_rollback_to(m->s, "job");
		} else {
			rv = cstore_release(m->s, "job");
		}
	}
	if (rv != COSO_OK) {
		clog_error(log, "request failed: %s", cstore_errmsg(m->s));
		j->error = COSO_EBUSY;
		g->failed++;
	}
	g->jobs++;
}

/* The group's outcome to each job: error, or the checkpoint its
 * receipts prove into. */
struct gend {
	int error;
	char *note;
	uint64_t size;
};

static void
finish(struct wjob *jobs, const struct gend *e)
{
	struct wjob *j, *next;

	for (j = jobs; j != NULL; j = next) {
		next = j->next;
		if (e->error != 0) {
			j->error = e->error;
		} else {
			j->checkpoint      = e->note;
			j->checkpoint_size = e->size;
		}
		j->done(j, j->arg);
	}
}

static void
fail_all(struct wjob *jobs, int error)
{
	struct gend e = {.error = error};

	finish(jobs, &e);
}

/*
 * Signs the group's checkpoint (emit_checkpoint) and reads back the note
 * stored for the log's size, in the transaction, so the replies carry the
 * very note that commits with their leaves.  No key, or an empty log: no
 * note.
 */
static int
group_checkpoint(const struct merge_ctx *m, struct gend *e)
{
	int rv;

	if ((rv = emit_checkpoint(m)) != COSO_OK || m->central == NULL) {
		return rv;
	}
	rv = cstore_checkpoint_latest(m->s, &e->size, &e->note);
	return rv == COSO_ENOENT ? COSO_OK : rv;
}

/* One line for a group that wrote something; a group that appended,
 * enrolled and failed nothing (refusals, duplicates: what anyone can
 * send) leaves no line, so requests cannot fill the log. */
static void
log_group(const struct clog *log, const struct gstats *g, uint64_t ms)
{
	if (g->v[COSO_VERDICT_ACCEPTED] + g->v[COSO_VERDICT_QUARANTINED]
	        + g->enroll + g->failed
	    == 0) {
		return;
	}
	clog_info(log,
	    "commit: %zu requests, %zu change-sets (%zu accepted, %zu "
	    "duplicate, %zu quarantined, %zu gap, %zu refused), %zu "
	    "enrollments, %zu failed, %llu ms",
	    g->jobs, g->cs, g->v[COSO_VERDICT_ACCEPTED],
	    g->v[COSO_VERDICT_DUPLICATE], g->v[COSO_VERDICT_QUARANTINED],
	    g->v[COSO_VERDICT_GAP], g->v[COSO_VERDICT_REFUSED], g->enroll,
	    g->failed, (unsigned long long) ms);
}

/* Microseconds on the monotonic clock. */
static uint64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

static void
apply_group(struct central_store *s, const struct coso_key *central,
    const struct clog *log, struct metrics *mt, struct wjob *jobs)
{
	struct merge_ctx m = {s, central};
	struct gstats g;
	struct gend e = {0};
	uint64_t t0 = coso_wall_ms(), us0 = mono_us();
	struct wjob *j;
	size_t k;
	int rv;

	memset(&g, 0, sizeof(g));
	if (cstore_begin(s) != COSO_OK) {
		clog_error(log, "%s", cstore_errmsg(s));
		metrics_commit(mt, 0, 1);
		fail_all(jobs, COSO_EBUSY);
		return;
	}
	for (j = jobs; j != NULL; j = j->next) {
		run_job(&m, j, log, &g);
	}
	/* The group's checkpoint commits with its leaves. */
	if ((rv = group_checkpoint(&m, &e)) != COSO_OK) {
		clog_error(log, "cannot sign a checkpoint: %s",
		    rv == COSO_EIO ? cstore_errmsg(s) : coso_strerror(rv));
		cstore_rollback(s);
		e.error = COSO_EBUSY;
	} else if (cstore_commit(s) != COSO_OK) {
		clog_error(log, "%s", cstore_errmsg(s));
		e.error = COSO_EBUSY;
	} else {
		log_group(log, &g, coso_wall_ms() - t0);
	}
	metrics_commit(mt, mono_us() - us0, e.error != 0);
	for (k = 0; e.error == 0 && k < g.enroll; k++) {
		metrics_enrolled(mt);
	}
	finish(jobs, &e);
	free(e.note);
}

void
writer_apply_group(struct central_store *s, const struct coso_key *central,
    const struct clog *log, struct wjob *jobs)
{
	apply_group(s, central, log, NULL, jobs);
}

static void *
writer_main(void *arg)
{
	struct writer *w = arg;
	struct wjob *jobs;
	int stopping;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (w->head == NULL && !w->stopping) {
			pthread_cond_wait(&w->cv, &w->mu);
		}
		if (w->head == NULL) {
			break;
		}
		jobs    = w->head;
		w->head = w->tail = NULL;
		w->bytes          = 0;
		stopping          = w->stopping;
		pthread_mutex_unlock(&w->mu);
		if (stopping) {
			fail_all(jobs, COSO_EBUSY);
		} else {
			apply_group(
			    w->s, w->central, w->log, w->metrics, jobs);
		}
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

int
writer_start(struct writer **out, struct central_store *s,
    const struct coso_key *central, const struct clog *log,
    struct metrics *metrics, size_t max_bytes)
{
	struct writer *w = calloc(1, sizeof(*w));

	if (w == NULL) {
		return COSO_ENOMEM;
	}
	w->s         = s;
	w->central   = central;
	w->log       = log;
	w->metrics   = metrics;
	w->max_bytes = max_bytes;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		pthread_cond_destroy(&w->cv);
		pthread_mutex_destroy(&w->mu);
		free(w);
		return COSO_ENOMEM;
	}
	*out = w;
	return COSO_OK;
}

int
writer_submit(struct writer *w, struct wjob *j)
{
	int rv = COSO_OK;

	j->next  = NULL;
	j->error = 0;
	pthread_mutex_lock(&w->mu);
	if (w->stopping
	    || (w->head != NULL && w->bytes + j->bytes > w->max_bytes)) {
		rv = COSO_EBUSY;
	} else {
		if (w->tail != NULL) {
			w->tail->next = j;
		} else {
			w->head = j;
		}
		w->tail = j;
		w->bytes += j->bytes;
		pthread_cond_signal(&w->cv);
	}
	pthread_mutex_unlock(&w->mu);
	return rv;
}

void
writer_stop(struct writer *w)
{
	int joined;

	if (w == NULL) {
		return;
	}
	pthread_mutex_lock(&w->mu);
	joined      = w->stopping;
	w->stopping = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	if (!joined) {
		pthread_join(w->thread, NULL);
	}
}

void
writer_free(struct writer *w)
{
	if (w == NULL) {
		return;
	}
	writer_stop(w);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w);
}
