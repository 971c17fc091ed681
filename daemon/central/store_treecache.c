/*
 * store_treecache.c: the audit log's subtree hashes in memory, shared by
 * the read-only handles of one process on one database (docs/central.md,
 * "Audit log: tree and checkpoints").
 *
 * A proof needs O(log n) aligned perfect subtrees.  Read one by one from
 * tree_hashes each costs a B-tree search in SQLite, as much as reading a
 * log row; from here it is a memcpy.  The cache holds, for every level l
 * from low up, the hashes of the subtrees of 2^l leaves that lie within
 * the first `size' leaves, node j of level l at lvl[l].h[j].  What it
 * holds was read from tree_hashes by a read-only handle, so it is
 * committed, and a committed subtree hash never changes (the log only
 * grows): no entry is ever invalidated.  It grows when a read-only handle
 * asks for a subtree past `size': one range scan of the rows added since
 * (the first such ask in a process reads the whole table).  A level with
 * more than TC_LEVEL_MAX nodes is not held: its hashes are read from
 * SQLite as before.  The writer's handle neither fills nor reads it.
 *
 * Locking: lock (a rwlock) guards size, low and the lvl[] arrays' places;
 * grow lets one thread at a time extend, the others read SQLite meanwhile.
 * The extender writes new hashes past size outside lock (no reader looks
 * there) and publishes the new size under it.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store_impl.h"

#define LEVELS 64

/* Nodes in the largest level held (32 bytes each: 16 MiB; all the
 * levels held together: at most twice that). */
static uint64_t level_max = CSTORE_TREE_CACHE_LEVEL_MAX;

struct tree_cache {
	struct tree_cache *next; /* in the process's list */
	dev_t dev;
	ino_t ino;
	unsigned refs;
	pthread_rwlock_t lock;
	pthread_mutex_t grow;
	uint64_t size;   /* leaves covered */
	unsigned low;    /* lowest level held (LEVELS: none yet) */
	uint64_t failed; /* log size of the last failed extension */
	struct {
		uint8_t (*h)[32];
		uint64_t cap;
	} lvl[LEVELS];
};

static pthread_mutex_t caches_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tree_cache *caches;

void
cstore_tree_cache_limit(uint64_t nodes)
{
	level_max = nodes;
}

void
cstorei_tree_cache_attach(struct central_store *s)
{
	struct tree_cache *c;
	struct stat st;

	if (stat(s->path, &st) != 0) {
		return; /* no cache: every hash from SQLite */
	}
	pthread_mutex_lock(&caches_lock);
	for (c = caches; c != NULL; c = c->next) {
		if (c->dev == st.st_dev && c->ino == st.st_ino) {
			break;
		}
	}
	if (c == NULL && (c = calloc(1, sizeof(*c))) != NULL) {
		if (pthread_rwlock_init(&c->lock, NULL) != 0) {
			free(c);
			c = NULL;
		} else if (pthread_mutex_init(&c->grow, NULL) != 0) {
			pthread_rwlock_destroy(&c->lock);
			free(c);
			c = NULL;
		} else {
			c->dev  = st.st_dev;
			c->ino  = st.st_ino;
			c->low  = LEVELS;
			c->next = caches;
			caches  = c;
		}
	}
	if (c != NULL) {
		c->refs++;
		/* A new handle may see what made the last extension fail (a
		 * read-write open has added the tree since): tried again. */
		pthread_mutex_lock(&c->grow);
		c->failed = 0;
		pthread_mutex_unlock(&c->grow);
	}
	pthread_mutex_unlock(&caches_lock);
	s->tc = c;
}

void
cstorei_tree_cache_detach(struct central_store *s)
{
	struct tree_cache *c = s->tc, **p;
	unsigned l;

	if (c == NULL) {
		return;
	}
	s->tc = NULL;
	pthread_mutex_lock(&caches_lock);
	if (--c->refs != 0) {
		pthread_mutex_unlock(&caches_lock);
		return;
	}
	for (p = &caches; *p != c; p = &(*p)->next) { }
	*p = c->next;
	pthread_mutex_unlock(&caches_lock);
	for (l = 0; l < LEVELS; l++) {
		free(c->lvl[l].h);
	}
	pthread_rwlock_destroy(&c->lock);
	pthread_mutex_destroy(&c->grow);
	free(c);
}

void
cstore_tree_cache_held(struct central_store *s, uint64_t *size, unsigned *low)
{
	struct tree_cache *c = s->tc;

	*size = 0;
	*low  = LEVELS;
	if (c != NULL) {
		pthread_rwlock_rdlock(&c->lock);
		*size = c->size;
		*low  = c->low;
		pthread_rwlock_unlock(&c->lock);
	}
}

static unsigned
level_of(uint64_t size)
{
	unsigned l = 0;

	while ((size >> l) > 1) {
		l++;
	}
	return l;
}

int
cstorei_tree_cache_get(
    struct tree_cache *c, uint64_t start, uint64_t size, uint8_t out[32])
{
	unsigned l = level_of(size);
	int rv;

	pthread_rwlock_rdlock(&c->lock);
	if (l < c->low && c->low != LEVELS) {
		rv = TC_NOT_HELD;
	} else if (start + size > c->size) {
		rv = TC_PAST;
	} else {
		memcpy(out, c->lvl[l].h[start >> l], 32);
		rv = TC_HIT;
	}
	pthread_rwlock_unlock(&c->lock);
	return rv;
}

/* Under the write lock: room for the levels a tree of n leaves needs at
 * or above low; the levels below low are dropped. */
static int
make_room(struct tree_cache *c, unsigned low, uint64_t n)
{
	unsigned l;

	for (l = 0; l < LEVELS; l++) {
		uint64_t need = n >> l;

		if (l < low) {
			free(c->lvl[l].h);
			c->lvl[l].h   = NULL;
			c->lvl[l].cap = 0;
			continue;
		}
		if (need > c->lvl[l].cap) {
			uint64_t cap = c->lvl[l].cap * 2 > need
			    ? c->lvl[l].cap * 2
			    : need;
			void *p      = realloc(c->lvl[l].h, cap * 32u);

			if (p == NULL) {
				return COSO_ENOMEM;
			}
			c->lvl[l].h   = p;
			c->lvl[l].cap = cap;
		}
	}
	c->low = low;
	return COSO_OK;
}

/* One subtree hash read from tree_hashes into the cache's slot. */
static int
fill_one(struct central_store *s, struct tree_cache *c, unsigned l, uint64_t j,
    uint64_t *filled)
{
	sqlite3_stmt *st = cstorei_prep(
	    s, "SELECT hash FROM tree_hashes WHERE start = ? AND size = ?");
	int rc;

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_int64(st, 1, (int64_t) (j << l));
	sqlite3_bind_int64(st, 2, (int64_t) (UINT64_C(1) << l));
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32) {
		memcpy(c->lvl[l].h[j], sqlite3_column_blob(st, 0), 32);
		filled[l]++;
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE
	    ? COSO_OK
	    : cstorei_fail(s, "cannot read a tree hash");
}

/*
 * Fills the levels from low up for leaves [from, n): the subtree of each
 * level that starts before `from' and ends in range by a lookup, every
 * other one by one scan of the rows starting in range.  COSO_OK only if
 * every slot of the range got its hash.
 */
static int
fill(struct central_store *s, struct tree_cache *c, unsigned low,
    uint64_t from, uint64_t n)
{
	uint64_t filled[LEVELS] = {0};
	sqlite3_stmt *st;
	unsigned l;
	int rc, rv = COSO_OK;

	for (l = low; l < LEVELS && (n >> l) != 0; l++) {
		uint64_t j = from >> l;

		if ((j << l) < from && j < (n >> l)
		    && (rv = fill_one(s, c, l, j, filled)) != COSO_OK) {
			return rv;
		}
	}
	st = cstorei_prep(s,
	    "SELECT start, size, hash FROM tree_hashes"
	    " WHERE start >= ? AND start < ? AND size >= ?");
	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_int64(st, 1, (int64_t) from);
	sqlite3_bind_int64(st, 2, (int64_t) n);
	sqlite3_bind_int64(st, 3, (int64_t) (UINT64_C(1) << low));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		uint64_t start = (uint64_t) sqlite3_column_int64(st, 0);
		uint64_t size  = (uint64_t) sqlite3_column_int64(st, 1);

		l = level_of(size);
		if (size == 0 || size != UINT64_C(1) << l || start % size != 0
		    || start + size > n || sqlite3_column_bytes(st, 2) != 32) {
			continue; /* not a node of this range: not counted */
		}
		memcpy(
		    c->lvl[l].h[start >> l], sqlite3_column_blob(st, 2), 32);
		filled[l]++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		return cstorei_fail(s, "cannot read the tree");
	}
	for (l = low; l < LEVELS; l++) {
		if (filled[l] != (n >> l) - (from >> l)) {
			snprintf(s->errmsg, sizeof(s->errmsg),
			    "the tree lacks hashes of level %u", l);
			return COSO_ENOENT;
		}
	}
	return COSO_OK;
}

void
cstorei_tree_cache_grow(struct central_store *s)
{
	struct tree_cache *c = s->tc;
	uint64_t n           = 0, from;
	unsigned low         = 0;
	int own, rv;

	if (c == NULL || !s->readonly
	    || pthread_mutex_trylock(&c->grow) != 0) {
		return; /* another thread extends: SQLite meanwhile */
	}
	own = sqlite3_get_autocommit(s->db);
	if (own && cstore_read_begin(s) != COSO_OK) {
		pthread_mutex_unlock(&c->grow);
		return;
	}
	from = c->size; /* only this thread changes size and low */
	if (cstore_log_next(s, &n) != COSO_OK || n <= from || n == c->failed) {
		goto done;
	}
	while ((n >> low) > level_max) {
		low++;
	}
	if (c->low != LEVELS && low < c->low) {
		low = c->low; /* a level once dropped is not filled again */
	}
	/* Dropping levels leaves those above complete up to size. */
	pthread_rwlock_wrlock(&c->lock);
	rv = make_room(c, low, n);
	pthread_rwlock_unlock(&c->lock);
	if (rv != COSO_OK || (rv = fill(s, c, low, from, n)) != COSO_OK) {
		c->failed = n;
		goto done;
	}
	pthread_rwlock_wrlock(&c->lock);
	c->size = n;
	pthread_rwlock_unlock(&c->lock);
done:
	if (own) {
		cstore_read_end(s);
	}
	pthread_mutex_unlock(&c->grow);
}
