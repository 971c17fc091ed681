/*
 * store_impl.h: what the store's files (store*.c) share: the handle, the
 * statement cache and the schema's table names.  Private to them; the
 * rest of the central uses store.h.
 */
#ifndef COSOD_STORE_IMPL_H
#define COSOD_STORE_IMPL_H

#include <stdint.h>

#include <sqlite3.h>

#include "store.h"

#define CACHE_SLOTS 256
#define SQL_MAX     2048
#define STORE_KIND  "coso-central"
/* user_version of the databases this code writes.  Tables and indexes
 * added since (store_schema.c, cstorei_upgrade_sql) are created at a
 * read-write open with IF NOT EXISTS, so the format stays 1; a database
 * of a higher format is refused unchanged (store.c). */
#define STORE_FORMAT 1

struct slot {
	char *sql;
	sqlite3_stmt *st;
};

struct central_store {
	sqlite3 *db;
	char *path;
	struct slot cache[CACHE_SLOTS];
	uint32_t evict;
	int readonly;
	/* The log's Merkle frontier; tree_ok: it matches the log as this
	 * handle sees it (cleared by every rollback). */
	struct coso_frontier tree;
	int tree_ok;
	/* Read-only handles: the process's subtree hashes of this database
	 * (store_treecache.c), or NULL. */
	struct tree_cache *tc;
	/* Coverage answers of the write transaction (store_cover.c), or
	 * NULL until the first. */
	struct cstore_cover *cover;
	char errmsg[CSTORE_ERRMSG_MAX];
};

/* Indexes added after the first format; also created at a read-write
 * open.  changesets_unsigned serves cstore_log_unsigned: its WHERE must
 * stay the query's, word for word, for SQLite to use it. */
#define UNSIGNED_WHERE "reason IN (7, 64)"
_Static_assert(COSO_EBADSIG == 7 && COSO_QAUTHOR == 64,
    "UNSIGNED_WHERE names the bad signature and relay reasons");

/* The audit log's tables; also created at open in a database made before
 * them (the leaves are then computed from the log). */
extern const char cstorei_tree_sql[];

extern const char cstorei_upgrade_sql[];

/* The subtree hash cache (store_treecache.c).  attach: s->tc becomes the
 * process's cache of s's database file (made at its first handle; NULL
 * if it cannot be), detach at close.  get: TC_HIT with the hash in out,
 * TC_PAST if the subtree lies past what is held (grow may help),
 * TC_NOT_HELD if its level is not held.  grow: on a read-only handle,
 * extends the cache to the log as s sees it; on failure it stays as it
 * was (and the hashes are read from SQLite). */
enum { TC_HIT, TC_PAST, TC_NOT_HELD };
struct tree_cache;
void cstorei_tree_cache_attach(struct central_store *s);
void cstorei_tree_cache_detach(struct central_store *s);
int cstorei_tree_cache_get(
    struct tree_cache *c, uint64_t start, uint64_t size, uint8_t out[32]);
void cstorei_tree_cache_grow(struct central_store *s);

int cstorei_fail(struct central_store *s, const char *what);

/* The coverage cache (store_cover.c): forget is called at every BEGIN,
 * COMMIT and ROLLBACK, touch at every write to a schema table (it
 * forgets on units and assignments), free at close. */
void cstorei_cover_forget(struct central_store *s);
void cstorei_cover_touch(struct central_store *s, uint32_t table);
void cstorei_cover_free(struct central_store *s);

/* A prepared statement for sql from the handle's cache, reset and with
 * its bindings cleared; NULL (errmsg set) on failure.  The cache is
 * CACHE_WAYS-way set associative: with one slot per hash, two statements
 * of every change-set (the author lookup and the proposal insert) shared
 * a slot and were prepared again each time. */
sqlite3_stmt *cstorei_prep(struct central_store *s, const char *sql);

/* Steps a statement that returns no row (or whose row is ignored). */
int cstorei_run(struct central_store *s, sqlite3_stmt *st, const char *what);

int cstorei_exec(struct central_store *s, const char *sql, const char *what);

void cstorei_bind_value(sqlite3_stmt *st, int i, const struct coso_value *v);

/* A column as a coso_value pointing into SQLite's memory. */
void cstorei_column_view(sqlite3_stmt *st, int i, struct coso_value *v);

int cstorei_column_copy(sqlite3_stmt *st, int i, struct cstore_val *out);

/* Copies a blob column of exactly n bytes; zeros if NULL or short. */
void cstorei_column_fixed(sqlite3_stmt *st, int i, uint8_t *out, size_t n);

/* The materialised tables; those of a newer schema table (16,
 * unit_move) are also created when a database made before them opens. */
int cstorei_tables_create(struct central_store *s);

int cstorei_schema_create(struct central_store *s);

/* Runs st and sets *yes to whether it gave a row. */
int cstorei_any_row(struct central_store *s, sqlite3_stmt *st, int *yes);

int cstorei_tree_upgrade(struct central_store *s);

/* The leaf of the entry just inserted, in the same transaction. */
int cstorei_tree_append(
    struct central_store *s, const struct cstore_logrow *r);

#endif
