/*
 * conns.c: the central's connection table (conns.h).
 *
 * A slab of twice cfg.max entries (connections being ended stay until nng
 * reports them gone), found by id through a chained hash; free entries
 * have id 0 (nng never gives a pipe id 0).  Eviction and expiry scan the
 * slab: a few thousand entries at most, once per new connection over
 * the anonymous limit and once per sweep.
 */
#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <coso/proto.h>

#include "conns.h"

#define NONE UINT32_MAX

struct conn {
	uint32_t id;
	uint32_t next;    /* in its bucket, or in the free list */
	uint64_t last_ms; /* last activity; once ending, last attempt */
	uint32_t busy;    /* requests in progress */
	int vouched;
	int ending;
	uint8_t key[CONNS_KEY];
};

struct conns {
	pthread_mutex_t mu;
	struct conns_cfg cfg;
	struct conn *slab;
	uint32_t *bucket;
	uint32_t cap, mask, free;
	struct conns_stats st;
};

int
conns_new(struct conns **out, const struct conns_cfg *cfg)
{
	struct conns *t = calloc(1, sizeof(*t));
	uint32_t i, n = 1;

	assert(cfg->max > 0 && cfg->anon_max > 0 && cfg->anon_max <= cfg->max);
	while (n < 4 * cfg->max) {
		n *= 2;
	}
	if (t == NULL
	    || (t->slab = calloc(2 * cfg->max, sizeof(*t->slab))) == NULL
	    || (t->bucket = malloc(n * sizeof(*t->bucket))) == NULL) {
		conns_free(t);
		return COSO_ENOMEM;
	}
	pthread_mutex_init(&t->mu, NULL);
	t->cfg  = *cfg;
	t->cap  = 2 * cfg->max;
	t->mask = n - 1;
	for (i = 0; i < n; i++) {
		t->bucket[i] = NONE;
	}
	for (i = 0; i < t->cap; i++) {
		t->slab[i].next = i + 1 < t->cap ? i + 1 : NONE;
	}
	*out = t;
	return COSO_OK;
}

void
conns_free(struct conns *t)
{
	if (t == NULL) {
		return;
	}
	if (t->bucket != NULL) {
		pthread_mutex_destroy(&t->mu);
	}
	free(t->slab);
	free(t->bucket);
	free(t);
}

static uint32_t *
head_of(struct conns *t, uint32_t id)
{
	return &t->bucket[(id * 2654435761u) & t->mask];
}

/* The entry of id; NULL if unknown.  With t->mu held. */
static struct conn *
find(struct conns *t, uint32_t id)
{
	uint32_t i;

	for (i = *head_of(t, id); i != NONE; i = t->slab[i].next) {
		if (t->slab[i].id == id) {
			return &t->slab[i];
		}
	}
	return NULL;
}

/* c is being ended: it no longer counts against the limits. */
static void
mark_ending(struct conns *t, struct conn *c, uint64_t now_ms)
{
	t->st.open--;
	t->st.anon -= !c->vouched;
	t->st.ending++;
	c->ending  = 1;
	c->last_ms = now_ms;
}

/* Unlinks the entry of id and frees it; 0 if id is unknown. */
static int
forget(struct conns *t, uint32_t id)
{
	uint32_t *p = head_of(t, id), i;
	struct conn *c;

	for (; *p != NONE; p = &t->slab[*p].next) {
		c = &t->slab[*p];
		if (c->id == id) {
			if (c->ending) {
				t->st.ending--;
			} else {
				t->st.open--;
				t->st.anon -= !c->vouched;
			}
			i       = *p;
			*p      = c->next;
			c->id   = 0;
			c->next = t->free;
			t->free = i;
			return 1;
		}
	}
	return 0;
}

/* The idle anonymous entry least recently active; NULL if none. */
static struct conn *
oldest_anon(struct conns *t)
{
	struct conn *best = NULL;
	unsigned i;

	for (i = 0; i < t->cap; i++) {
		struct conn *c = &t->slab[i];

		if (c->id != 0 && !c->vouched && !c->ending && c->busy == 0
		    && (best == NULL || c->last_ms < best->last_ms)) {
			best = c;
		}
	}
	return best;
}

/* Room for one more anonymous connection, ending one if need be; 0 if
 * there is none to be had. */
static int
make_room(struct conns *t, uint64_t now_ms, struct conns_gone *evict)
{
	struct conn *victim;

	if (t->st.open >= t->cfg.max || t->st.anon >= t->cfg.anon_max) {
		if ((victim = oldest_anon(t)) == NULL) {
			return 0;
		}
		evict->id = victim->id;
		memcpy(evict->key, victim->key, CONNS_KEY);
		mark_ending(t, victim, now_ms);
		t->st.evicted++;
	}
	return t->free != NONE; /* else too many still ending */
}

enum conns_verdict
conns_add(struct conns *t, uint32_t id, const uint8_t key[static CONNS_KEY],
    uint64_t now_ms, struct conns_gone *evict)
{
	enum conns_verdict v = CONNS_IN;
	struct conn *c;
	uint32_t *h;

	assert(id != 0);
	evict->id = 0;
	pthread_mutex_lock(&t->mu);
	assert(find(t, id) == NULL);
	if (!make_room(t, now_ms, evict)) {
		t->st.refused++;
		v = CONNS_FULL;
	} else {
		c       = &t->slab[t->free];
		t->free = c->next;
		h       = head_of(t, id);
		memset(c, 0, sizeof(*c));
		c->id      = id;
		c->next    = *h;
		c->last_ms = now_ms;
		memcpy(c->key, key, CONNS_KEY);
		*h = (uint32_t) (c - t->slab);
		t->st.open++;
		t->st.anon++;
	}
	pthread_mutex_unlock(&t->mu);
	return v;
}

int
conns_remove(struct conns *t, uint32_t id)
{
	int known;

	pthread_mutex_lock(&t->mu);
	known = forget(t, id);
	pthread_mutex_unlock(&t->mu);
	return known;
}

void
conns_begin(struct conns *t, uint32_t id, uint64_t now_ms)
{
	struct conn *c;

	pthread_mutex_lock(&t->mu);
	if ((c = find(t, id)) != NULL && !c->ending) {
		c->busy++;
		c->last_ms = now_ms;
	}
	pthread_mutex_unlock(&t->mu);
}

void
conns_done(struct conns *t, uint32_t id, uint64_t now_ms)
{
	struct conn *c;

	pthread_mutex_lock(&t->mu);
	if ((c = find(t, id)) != NULL && !c->ending && c->busy > 0) {
		c->busy--;
		c->last_ms = now_ms;
	}
	pthread_mutex_unlock(&t->mu);
}

int
conns_vouched(struct conns *t, uint32_t id)
{
	struct conn *c;
	int v;

	pthread_mutex_lock(&t->mu);
	v = (c = find(t, id)) != NULL && c->vouched;
	pthread_mutex_unlock(&t->mu);
	return v;
}

void
conns_vouch(struct conns *t, uint32_t id)
{
	struct conn *c;

	pthread_mutex_lock(&t->mu);
	if ((c = find(t, id)) != NULL && !c->vouched && !c->ending) {
		c->vouched = 1;
		t->st.anon--;
	}
	pthread_mutex_unlock(&t->mu);
}

/* Whether c is to be ended (again) at now_ms; marks it so. */
static int
due(struct conns *t, struct conn *c, uint64_t now_ms)
{
	uint64_t limit = c->ending ? t->cfg.retry_ms
	    : c->vouched           ? t->cfg.idle_ms
	                           : t->cfg.anon_ms;

	if (c->id == 0 || (c->busy > 0 && !c->ending) || now_ms < c->last_ms
	    || now_ms - c->last_ms < limit) {
		return 0;
	}
	if (c->ending) {
		c->last_ms = now_ms;
	} else {
		mark_ending(t, c, now_ms);
		t->st.expired++;
	}
	return 1;
}

size_t
conns_expired(
    struct conns *t, uint64_t now_ms, struct conns_gone *out, size_t max)
{
	size_t n = 0;
	unsigned i;

	pthread_mutex_lock(&t->mu);
	for (i = 0; i < t->cap && n < max; i++) {
		struct conn *c = &t->slab[i];

		if (due(t, c, now_ms)) {
			out[n].id = c->id;
			memcpy(out[n++].key, c->key, CONNS_KEY);
		}
	}
	pthread_mutex_unlock(&t->mu);
	return n;
}

void
conns_stats(struct conns *t, struct conns_stats *st)
{
	pthread_mutex_lock(&t->mu);
	*st = t->st;
	pthread_mutex_unlock(&t->mu);
}
