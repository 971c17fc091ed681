/*
 * boxcache.c: a hash table of chains and an LRU list, under one mutex.
 * The expensive part (coso_box_new) runs outside the lock.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "boxcache.h"

#define NBUCKETS 8192u

struct boxent {
	struct boxent *chain;       /* bucket chain */
	struct boxent *prev, *next; /* LRU list, most recent first */
	uint8_t pk[32];
	struct coso_box *box;
	unsigned refs;
};

struct boxcache {
	pthread_mutex_t mu;
	const struct coso_key *self;
	size_t cap, count;
	struct boxent *lru_head, *lru_tail;
	struct boxent *buckets[NBUCKETS];
};

static size_t
bucket_of(const uint8_t pk[static 32])
{
	uint32_t h;

	/* Public keys are uniformly distributed: their bytes hash well. */
	memcpy(&h, pk, sizeof(h));
	return h % NBUCKETS;
}

static void
lru_unlink(struct boxcache *bc, struct boxent *e)
{
	if (e->prev != NULL) {
		e->prev->next = e->next;
	} else {
		bc->lru_head = e->next;
	}
	if (e->next != NULL) {
		e->next->prev = e->prev;
	} else {
		bc->lru_tail = e->prev;
	}
	e->prev = e->next = NULL;
}

static void
lru_front(struct boxcache *bc, struct boxent *e)
{
	e->prev = NULL;
	e->next = bc->lru_head;
	if (bc->lru_head != NULL) {
		bc->lru_head->prev = e;
	} else {
		bc->lru_tail = e;
	}
	bc->lru_head = e;
}

static struct boxent *
find(struct boxcache *bc, const uint8_t pk[static 32])
{
	struct boxent *e = bc->buckets[bucket_of(pk)];

	while (e != NULL && memcmp(e->pk, pk, 32) != 0) {
		e = e->chain;
	}
	return e;
}

static void
entry_free(struct boxent *e)
{
	coso_box_free(e->box);
	free(e);
}

static void
remove_entry(struct boxcache *bc, struct boxent *e)
{
	struct boxent **p = &bc->buckets[bucket_of(e->pk)];

	while (*p != e) {
		p = &(*p)->chain;
	}
	*p = e->chain;
	lru_unlink(bc, e);
	bc->count--;
	entry_free(e);
}

/* Drops least recently used idle entries while over the bound. */
static void
evict(struct boxcache *bc)
{
	struct boxent *e = bc->lru_tail, *prev;

	while (bc->count > bc->cap && e != NULL) {
		prev = e->prev;
		if (e->refs == 0) {
			remove_entry(bc, e);
		}
		e = prev;
	}
}

int
boxcache_new(struct boxcache **out, const struct coso_key *self, size_t cap)
{
	struct boxcache *bc = calloc(1, sizeof(*bc));

	if (bc == NULL) {
		return COSO_ENOMEM;
	}
	pthread_mutex_init(&bc->mu, NULL);
	bc->self = self;
	bc->cap  = cap;
	*out     = bc;
	return COSO_OK;
}

void
boxcache_free(struct boxcache *bc)
{
	struct boxent *e, *next;

	if (bc == NULL) {
		return;
	}
	for (e = bc->lru_head; e != NULL; e = next) {
		next = e->next;
		entry_free(e);
	}
	pthread_mutex_destroy(&bc->mu);
	free(bc);
}

/* Takes a reference on the entry for pk if there is one. */
static struct boxent *
hold(struct boxcache *bc, const uint8_t pk[static 32])
{
	struct boxent *e = find(bc, pk);

	if (e != NULL) {
		e->refs++;
		lru_unlink(bc, e);
		lru_front(bc, e);
	}
	return e;
}

int
boxcache_get(
    struct boxcache *bc, const uint8_t peer_pk[static 32], struct boxent **out)
{
	struct boxent *e, *made;
	int rv;

	pthread_mutex_lock(&bc->mu);
	e = hold(bc, peer_pk);
	pthread_mutex_unlock(&bc->mu);
	if (e != NULL) {
		*out = e;
		return COSO_OK;
	}
	if ((made = calloc(1, sizeof(*made))) == NULL) {
		return COSO_ENOMEM;
	}
	if ((rv = coso_box_new(&made->box, bc->self, peer_pk)) != COSO_OK) {
		free(made);
		return rv;
	}
	memcpy(made->pk, peer_pk, 32);
	made->refs = 1;
	pthread_mutex_lock(&bc->mu);
	if ((e = hold(bc, peer_pk)) == NULL) {
		/* Nobody made it meanwhile: ours goes in. */
		size_t b       = bucket_of(peer_pk);
		made->chain    = bc->buckets[b];
		bc->buckets[b] = made;
		lru_front(bc, made);
		bc->count++;
		evict(bc);
		e    = made;
		made = NULL;
	}
	pthread_mutex_unlock(&bc->mu);
	if (made != NULL) {
		entry_free(made);
	}
	*out = e;
	return COSO_OK;
}

void
boxcache_put(struct boxcache *bc, struct boxent *e)
{
	if (e == NULL) {
		return;
	}
	pthread_mutex_lock(&bc->mu);
	e->refs--;
	evict(bc);
	pthread_mutex_unlock(&bc->mu);
}

const struct coso_box *
boxent_box(const struct boxent *e)
{
	return e->box;
}
