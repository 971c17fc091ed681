/*
 * store_tree.c: the audit log's Merkle tree (table tree_hashes) and its
 * signed checkpoints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_impl.h"

/* The leaf hash of a log entry: what its receipt states, and its author
 * and seq (FORMAT.md "Log leaves and tree"). */
static void
leaf_hash_of(const struct cstore_logrow *r, uint8_t out[static 32])
{
	struct coso_leaf l = {.seq = r->seq,
	    .received_ms           = r->received_ms,
	    .verdict               = (uint8_t) r->verdict};
	uint8_t data[COSO_LEAF_BYTES];

	memcpy(l.cs_id, r->id, 32);
	memcpy(l.author, r->author, 32);
	coso_leaf_encode(data, &l);
	coso_leaf_hash(out, data, sizeof(data));
}

static int
tree_put(void *arg, uint64_t start, uint64_t size, const uint8_t h[32])
{
	struct central_store *s = arg;
	sqlite3_stmt *st        = cstorei_prep(
	           s, "INSERT INTO tree_hashes (start, size, hash) VALUES (?, ?, ?)");

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_int64(st, 1, (int64_t) start);
	sqlite3_bind_int64(st, 2, (int64_t) size);
	sqlite3_bind_blob(st, 3, h, 32, SQLITE_STATIC);
	return cstorei_run(s, st, "cannot store a tree hash");
}

static int
tree_get(void *arg, uint64_t start, uint64_t size, uint8_t out[32])
{
	struct central_store *s = arg;
	sqlite3_stmt *st;
	int rc;

	/* A read-only handle: from memory if held there, or once the cache
	 * is extended to the log this handle sees. */
	if (s->tc != NULL) {
		rc = cstorei_tree_cache_get(s->tc, start, size, out);
		if (rc == TC_PAST) {
			cstorei_tree_cache_grow(s);
			rc = cstorei_tree_cache_get(s->tc, start, size, out);
		}
		if (rc == TC_HIT) {
			return COSO_OK;
		}
	}
	st = cstorei_prep(
	    s, "SELECT hash FROM tree_hashes WHERE start = ? AND size = ?");
	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_int64(st, 1, (int64_t) start);
	sqlite3_bind_int64(st, 2, (int64_t) size);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32) {
		memcpy(out, sqlite3_column_blob(st, 0), 32);
		sqlite3_reset(st);
		return COSO_OK;
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
		snprintf(s->errmsg, sizeof(s->errmsg),
		    "tree hash (%llu, %llu) is missing",
		    (unsigned long long) start, (unsigned long long) size);
		return rc == SQLITE_ROW ? COSO_EIO : COSO_ENOENT;
	}
	return cstorei_fail(s, "cannot read a tree hash");
}

void
cstore_tree_src(struct central_store *s, struct coso_tree_src *src)
{
	src->subtree = tree_get;
	src->arg     = s;
}

/* Leaves stored in tree_hashes. */
static int
tree_leaves(struct central_store *s, uint64_t *n)
{
	sqlite3_stmt *st = cstorei_prep(
	    s, "SELECT count(*) FROM tree_hashes WHERE size = 1");
	int rc;

	if (st == NULL) {
		return COSO_EIO;
	}
	rc = sqlite3_step(st);
	*n = (uint64_t) sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? COSO_OK
	                        : cstorei_fail(s, "cannot read the tree");
}

/* Makes s->tree the frontier of the whole log: loaded from the stored
 * hashes, then the leaves of entries without one appended (a database
 * made before the tree; storing them needs a read-write handle). */
static int
tree_sync(struct central_store *s)
{
	struct coso_tree_src src = {tree_get, s};
	struct cstore_logrow r;
	uint64_t n, m;
	uint8_t h[32];
	int rv;

	if (s->tree_ok && !s->readonly) {
		return COSO_OK;
	}
	s->tree_ok = 0;
	if ((rv = cstore_log_next(s, &n)) != COSO_OK) {
		return rv;
	}
	/* Every entry has its leaf (the usual case: O(log n) reads). */
	if ((rv = coso_frontier_load(&s->tree, &src, n)) != COSO_ENOENT) {
		s->tree_ok = rv == COSO_OK;
		return rv;
	}
	if ((rv = tree_leaves(s, &m)) != COSO_OK) {
		return rv;
	}
	if (m > n) {
		snprintf(s->errmsg, sizeof(s->errmsg),
		    "the tree has %llu leaves, the log %llu entries",
		    (unsigned long long) m, (unsigned long long) n);
		return COSO_EIO;
	}
	if ((rv = coso_frontier_load(&s->tree, &src, m)) != COSO_OK) {
		return rv;
	}
	for (; m < n; m++) {
		if ((rv = cstore_log_get(s, m, &r)) != COSO_OK) {
			return rv;
		}
		free(r.bytes);
		leaf_hash_of(&r, h);
		rv = coso_frontier_append(
		    &s->tree, h, s->readonly ? NULL : tree_put, s);
		if (rv != COSO_OK) {
			return rv;
		}
	}
	s->tree_ok = 1;
	return COSO_OK;
}

int
cstorei_tree_upgrade(struct central_store *s)
{
	int rv = cstore_begin(s);

	if (rv == COSO_OK
	    && (rv = cstorei_exec(
	            s, cstorei_tree_sql, "cannot create the tree"))
	        == COSO_OK
	    && (rv = tree_sync(s)) == COSO_OK) {
		return cstore_commit(s);
	}
	cstore_rollback(s);
	return rv;
}

int
cstorei_tree_append(struct central_store *s, const struct cstore_logrow *r)
{
	uint8_t h[32];
	int rv;

	if (s->tree_ok && s->tree.size != r->position) {
		s->tree_ok = 0; /* the log moved under this handle */
	}
	if ((rv = tree_sync(s)) != COSO_OK) {
		return rv;
	}
	/* tree_sync saw the new row: its leaf is in the frontier already. */
	if (s->tree.size == r->position + 1) {
		return COSO_OK;
	}
	if (s->tree.size != r->position) {
		snprintf(s->errmsg, sizeof(s->errmsg),
		    "log position %llu but %llu leaves",
		    (unsigned long long) r->position,
		    (unsigned long long) s->tree.size);
		s->tree_ok = 0;
		return COSO_EIO;
	}
	leaf_hash_of(r, h);
	if ((rv = coso_frontier_append(&s->tree, h, tree_put, s)) != COSO_OK) {
		s->tree_ok = 0;
	}
	return rv;
}

int
cstore_tree_head(
    struct central_store *s, uint64_t *size, uint8_t root[static 32])
{
	/* The log and the tree of one snapshot. */
	int own = sqlite3_get_autocommit(s->db);
	int rv  = own ? cstore_read_begin(s) : COSO_OK;

	if (rv == COSO_OK) {
		rv = tree_sync(s);
		if (own) {
			cstore_read_end(s);
		}
	}

	if (rv == COSO_OK) {
		*size = s->tree.size;
		coso_frontier_root(&s->tree, root);
	}
	return rv;
}

int
cstore_checkpoint_put(struct central_store *s, uint64_t size, const char *note)
{
	sqlite3_stmt *st = cstorei_prep(
	    s, "INSERT INTO checkpoints (size, note) VALUES (?, ?)");

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_int64(st, 1, (int64_t) size);
	sqlite3_bind_text(st, 2, note, -1, SQLITE_STATIC);
	return cstorei_run(s, st, "cannot store a checkpoint");
}

int
cstore_checkpoint_latest(struct central_store *s, uint64_t *size, char **note)
{
	sqlite3_stmt *st = cstorei_prep(s,
	    "SELECT size, note FROM checkpoints ORDER BY size DESC LIMIT 1");
	int rc;

	if (st == NULL) {
		return COSO_EIO;
	}
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*size = (uint64_t) sqlite3_column_int64(st, 0);
		*note = strdup((const char *) sqlite3_column_text(st, 1));
		sqlite3_reset(st);
		return *note != NULL ? COSO_OK : COSO_ENOMEM;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE
	    ? COSO_ENOENT
	    : cstorei_fail(s, "cannot read the checkpoints");
}

int
cstore_checkpoints_each(struct central_store *s, uint64_t from, size_t count,
    cstore_checkpoint_cb cb, void *arg)
{
	sqlite3_stmt *st = cstorei_prep(s,
	    "SELECT size, note FROM checkpoints WHERE size >= ? "
	    "ORDER BY size LIMIT ?");
	int rc;

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_int64(
	    st, 1, (int64_t) (from > INT64_MAX ? INT64_MAX : from));
	sqlite3_bind_int64(
	    st, 2, (int64_t) (count > INT64_MAX ? INT64_MAX : count));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *note = (const char *) sqlite3_column_text(st, 1);

		if (note == NULL
		    || cb((uint64_t) sqlite3_column_int64(st, 0), note, arg)
		        != 0) {
			break;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		return cstorei_fail(s, "cannot read the checkpoints");
	}
	return COSO_OK;
}
