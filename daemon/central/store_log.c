/*
 * store_log.c: the log of every submission (table changesets).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_impl.h"

int
cstore_log_next(struct central_store *s, uint64_t *next)
{
	sqlite3_stmt *st = cstorei_prep(
	    s, "SELECT coalesce(max(position) + 1, 0) FROM changesets");

	if (st == NULL) {
		return COSO_EIO;
	}
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return cstorei_fail(s, "cannot read the log");
	}
	*next = (uint64_t) sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return COSO_OK;
}

int
cstore_log_count(struct central_store *s, uint64_t *n)
{
	sqlite3_stmt *st = cstorei_prep(s, "SELECT count(*) FROM changesets");

	if (st == NULL) {
		return COSO_EIO;
	}
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return cstorei_fail(s, "cannot read the log");
	}
	*n = (uint64_t) sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return COSO_OK;
}

int
cstore_log_append(struct central_store *s, const struct cstore_logrow *r)
{
	int rv;
	sqlite3_stmt *st = cstorei_prep(s,
	    "INSERT INTO changesets (position, id, author, sender, seq, hlc, "
	    "received_ms, verdict, reason, bytes, receipt) "
	    "VALUES (?,?,?,?,?,?,?,?,?,?,?)");

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_int64(st, 1, (int64_t) r->position);
	sqlite3_bind_blob(st, 2, r->id, 32, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, r->author, 32, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, r->sender, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, (int64_t) r->seq);
	sqlite3_bind_int64(st, 6, (int64_t) r->hlc);
	sqlite3_bind_int64(st, 7, (int64_t) r->received_ms);
	sqlite3_bind_int(st, 8, r->verdict);
	sqlite3_bind_int(st, 9, r->reason);
	sqlite3_bind_blob(st, 10, r->bytes, (int) r->len, SQLITE_STATIC);
	sqlite3_bind_blob(
	    st, 11, r->receipt, COSO_RECEIPT_BYTES, SQLITE_STATIC);
	if ((rv = cstorei_run(s, st, "cannot append to the log")) != COSO_OK) {
		return rv;
	}
	return cstorei_tree_append(s, r);
}

#define LOG_COLS                                                         \
	"position, id, author, sender, seq, hlc, received_ms, verdict, " \
	"reason, receipt"

static void
logrow_read(sqlite3_stmt *st, struct cstore_logrow *r)
{
	memset(r, 0, sizeof(*r));
	r->position = (uint64_t) sqlite3_column_int64(st, 0);
	cstorei_column_fixed(st, 1, r->id, 32);
	cstorei_column_fixed(st, 2, r->author, 32);
	cstorei_column_fixed(st, 3, r->sender, 32);
	r->seq         = (uint64_t) sqlite3_column_int64(st, 4);
	r->hlc         = (uint64_t) sqlite3_column_int64(st, 5);
	r->received_ms = (uint64_t) sqlite3_column_int64(st, 6);
	r->verdict     = sqlite3_column_int(st, 7);
	r->reason      = sqlite3_column_int(st, 8);
	cstorei_column_fixed(st, 9, r->receipt, COSO_RECEIPT_BYTES);
}

int
cstore_log_find(struct central_store *s, const uint8_t id[static 32],
    const uint8_t sender[static 32], struct cstore_logrow *out)
{
	sqlite3_stmt *st = cstorei_prep(s,
	    "SELECT " LOG_COLS " FROM changesets WHERE id = ?1 "
	    "AND (reason <> 64 OR sender = ?2) ORDER BY position LIMIT 1");
	int rc;

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, sender, 32, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		logrow_read(st, out);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW) {
		return COSO_OK;
	}
	return rc == SQLITE_DONE ? COSO_ENOENT
	                         : cstorei_fail(s, "cannot read the log");
}

int
cstore_log_unsigned(struct central_store *s, const uint8_t sender[static 32],
    uint64_t since_ms, uint64_t *n)
{
	sqlite3_stmt *st = cstorei_prep(s,
	    "SELECT count(*) FROM changesets WHERE sender = ? "
	    "AND received_ms > ? AND " UNSIGNED_WHERE);
	int rc;

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_blob(st, 1, sender, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t) since_ms);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*n = (uint64_t) sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? COSO_OK
	                        : cstorei_fail(s, "cannot read the log");
}

int
cstore_log_get(
    struct central_store *s, uint64_t position, struct cstore_logrow *out)
{
	sqlite3_stmt *st = cstorei_prep(s,
	    "SELECT " LOG_COLS ", bytes FROM changesets WHERE position = ?");
	int rc, rv = COSO_OK;

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_int64(st, 1, (int64_t) position);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		logrow_read(st, out);
		out->len = (size_t) sqlite3_column_bytes(st, 10);
		if ((out->bytes = malloc(out->len + 1)) == NULL) {
			rv = COSO_ENOMEM;
		} else if (out->len > 0) {
			memcpy(
			    out->bytes, sqlite3_column_blob(st, 10), out->len);
		}
	} else {
		rv = rc == SQLITE_DONE
		    ? COSO_ENOENT
		    : cstorei_fail(s, "cannot read the log");
	}
	sqlite3_reset(st);
	return rv;
}

int
cstore_log_range(struct central_store *s, uint64_t start, size_t count,
    cstore_entry_cb cb, void *arg)
{
	sqlite3_stmt *st = cstorei_prep(s,
	    "SELECT " LOG_COLS ", bytes, hash FROM changesets "
	    "LEFT JOIN tree_hashes ON start = position AND size = 1 "
	    "WHERE position >= ? ORDER BY position LIMIT ?");
	struct cstore_logrow r;
	int rc, rv = COSO_OK;

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_int64(
	    st, 1, (int64_t) (start > INT64_MAX ? INT64_MAX : start));
	sqlite3_bind_int64(st, 2, (int64_t) count);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		logrow_read(st, &r);
		if (sqlite3_column_bytes(st, 11) != 32) {
			snprintf(s->errmsg, sizeof(s->errmsg),
			    "log entry %llu has no leaf hash",
			    (unsigned long long) r.position);
			rv = COSO_EIO;
			break;
		}
		r.len   = (size_t) sqlite3_column_bytes(st, 10);
		r.bytes = (uint8_t *) sqlite3_column_blob(st, 10);
		if (cb(&r, sqlite3_column_blob(st, 11), arg) != 0) {
			break;
		}
	}
	sqlite3_reset(st);
	if (rv == COSO_OK && rc != SQLITE_ROW && rc != SQLITE_DONE) {
		rv = cstorei_fail(s, "cannot read the log");
	}
	return rv;
}

int
cstore_log_position(
    struct central_store *s, const uint8_t id[static 32], uint64_t *pos)
{
	sqlite3_stmt *st = cstorei_prep(s,
	    "SELECT position FROM changesets WHERE id = ? "
	    "ORDER BY position LIMIT 1");
	int rc;

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*pos = (uint64_t) sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW) {
		return COSO_OK;
	}
	return rc == SQLITE_DONE ? COSO_ENOENT
	                         : cstorei_fail(s, "cannot read the log");
}
