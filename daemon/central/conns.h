/*
 * conns.h: the central's account of its nng connections (docs/central.md,
 * "Connections and deadlines").
 *
 * nng 1.5.2 neither limits a socket's connections nor times out one that
 * is idle or holds half a frame: a frame's buffer is allocated at its
 * length header, up to the receive limit, and kept until the last byte
 * comes.  The server tells this table about every connection (nng pipe,
 * by id, with a key of the caller's: its address pair) and every
 * request on it; the table says which to refuse, which to close to make
 * room and which are past their deadline.  It makes no nng call itself,
 * so it is tested alone.
 *
 * A connection is anonymous until a registered, unrevoked key has spoken
 * on it (conns_vouch): anonymous ones are few (anon_max), and the least
 * recently active idle one is ended to let a new one in, so that peers
 * without a key cannot hold more than anon_max incomplete frames nor keep
 * a device out; each connection is ended when it has been idle (no
 * request in progress) longer than its deadline.  A connection being
 * ended no longer counts against the limits; it stays in the table until
 * conns_remove (nng reports it gone), and is named again every retry_ms
 * until then, in case the caller could not end it.  Thread-safe.
 */
#ifndef COSOD_CONNS_H
#define COSOD_CONNS_H

#include <stddef.h>
#include <stdint.h>

#define CONNS_KEY 38 /* bytes of a connection's key */

struct conns_cfg {
	unsigned max;      /* connections at once */
	unsigned anon_max; /* of which anonymous, 1 .. max */
	uint32_t anon_ms;  /* idle deadline of an anonymous connection */
	uint32_t idle_ms;  /* idle deadline of a vouched one */
	uint32_t retry_ms; /* a connection being ended: named again after */
};

enum conns_verdict {
	CONNS_IN   = 0, /* admitted */
	CONNS_FULL = 1, /* refused: close it */
};

/* A connection the caller is to close. */
struct conns_gone {
	uint32_t id;
	uint8_t key[CONNS_KEY];
};

struct conns_stats {
	unsigned open, anon, ending;
	uint64_t refused, evicted, expired;
};

struct conns;

int conns_new(struct conns **out, const struct conns_cfg *cfg);
void conns_free(struct conns *t);

/* A new connection id (not 0, not in the table) with its key at now_ms,
 * anonymous.  CONNS_IN, with evict->id the id (and key) of an anonymous
 * connection to end to make room (0: none; it is being ended now); or
 * CONNS_FULL when every connection is vouched for or busy, or too many
 * are still being ended: the new one is to be closed. */
enum conns_verdict conns_add(struct conns *t, uint32_t id,
    const uint8_t key[static CONNS_KEY], uint64_t now_ms,
    struct conns_gone *evict);

/* The connection is gone (closed by anyone); unknown ids are ignored.
 * 1 if id was in the table, else 0. */
int conns_remove(struct conns *t, uint32_t id);

/* A request arrived on id: not idle until its conns_done. */
void conns_begin(struct conns *t, uint32_t id, uint64_t now_ms);
void conns_done(struct conns *t, uint32_t id, uint64_t now_ms);

/* Whether id is vouched for; conns_vouch makes it so. */
int conns_vouched(struct conns *t, uint32_t id);
void conns_vouch(struct conns *t, uint32_t id);

/* Up to max connections to end at now_ms: idle past their deadline
 * (they are being ended from now on), or being ended for retry_ms
 * already.  Returns how many. */
size_t conns_expired(
    struct conns *t, uint64_t now_ms, struct conns_gone *out, size_t max);

void conns_stats(struct conns *t, struct conns_stats *st);

#endif /* COSOD_CONNS_H */
