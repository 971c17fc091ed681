/*
 * writer.h: the one thread that writes the central database.
 *
 * The server's workers queue jobs (a PUSH batch with its signatures
 * verified, an ENROLL); the writer takes everything queued, applies it in
 * ONE transaction (group commit: one fsync for many devices), commits with
 * WAL + synchronous=FULL, and only then calls each job's done function,
 * which sends the reply or hands it back to a worker.  Nothing is
 * acknowledged before it is durable.  The writer verifies no signature of
 * a live PUSH: it orders, applies and commits.
 *
 * The queue is bounded in bytes: a job that would go over is refused
 * (COSO_EBUSY) and the device backs off.  Each network context holds at
 * most one job, so memory is bounded by contexts x max message.
 */
#ifndef COSOD_WRITER_H
#define COSOD_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "log.h"
#include "merge.h"
#include "metrics.h"

enum wjob_kind {
	WJOB_PUSH   = 1,
	WJOB_ENROLL = 2,
	WJOB_CLOCK  = 3, /* a STATUS's clock check, answered already */
};

/* A request for the writer, owned by its submitter until done runs. */
struct wjob {
	struct wjob *next; /* the writer's queue link */
	enum wjob_kind kind;
	uint8_t sender_pk[32];
	uint64_t received_ms;
	size_t bytes; /* counted against the queue bound */
	/* PUSH: n change-sets, their pre-checked signatures, n results. */
	size_t n;
	const struct coso_msg_item *items;
	const uint8_t *sig; /* enum merge_sig per item */
	/* Each item's body as the submitter decoded it (merge_in's
	 * decoded, ops, ops_err), or NULL: the writer decodes. */
	const uint8_t *decoded;
	struct coso_ops *const *ops;
	const int *ops_err;
	struct merge_out *out;
	/* ENROLL */
	uint8_t token[32];
	const char *cadre;
	int enroll_code; /* 0 or COSO_QTOKEN */
	int already;     /* the key was enrolled from this token before */
	/* CLOCK: the check to record (received_ms is the central's time) */
	uint64_t device_ms, hlc;
	/* Set by the writer: non-zero if the whole job failed (storage
	 * failure, shutdown); the device should retry. */
	int error;
	/* Set by the writer when the group committed: the signed checkpoint
	 * note the group stored (or, if it appended nothing, the one already
	 * stored for the log's size) and that size.  Every receipt of the
	 * job names a leaf of that tree.  NUL-terminated, the writer's: valid
	 * until done returns.  NULL without a central key or for an empty
	 * log. */
	const char *checkpoint;
	uint64_t checkpoint_size;
	/* Called on the writer thread after the commit (or failure). */
	void (*done)(struct wjob *j, void *arg);
	void *arg;
};

struct writer;

/*
 * Starts the writer on s (a read-write handle it then owns until
 * writer_stop) with the central key for receipts and enrollments.
 * max_bytes bounds the queue.  Each group's commit time and enrollments
 * are counted into metrics (NULL: not counted).
 */
COSO_NODISCARD int writer_start(struct writer **out, struct central_store *s,
    const struct coso_key *central, const struct clog *log,
    struct metrics *metrics, size_t max_bytes);

/* Queues a job; COSO_EBUSY if the queue is full or the writer stopping
 * (done is then not called).  Any thread. */
COSO_NODISCARD int writer_submit(struct writer *w, struct wjob *j);

/* Finishes the group in progress (commit, replies), fails what is still
 * queued with COSO_EBUSY and joins the thread; later submissions get
 * COSO_EBUSY.  The store handle is the caller's again.  Accepts NULL. */
void writer_stop(struct writer *w);

/* Frees a stopped writer, once no thread can submit.  Accepts NULL. */
void writer_free(struct writer *w);

/* Applies jobs in one transaction on s, as the writer thread does; for
 * tests and tools without threads.  Calls done for each. */
void writer_apply_group(struct central_store *s,
    const struct coso_key *central, const struct clog *log, struct wjob *jobs);

#endif /* COSOD_WRITER_H */
