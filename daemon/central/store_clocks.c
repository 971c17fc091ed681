/*
 * store_clocks.c: the clocks each STATUS measured (table clock_checks).
 */
#include <stdio.h>
#include <string.h>

#include "store_impl.h"

int
cstore_clock_add(struct central_store *s, const struct cstore_clock *c)
{
	sqlite3_stmt *st = cstorei_prep(s,
	    "INSERT OR REPLACE INTO clock_checks (key_id, central_ms, "
	    "device_ms, hlc) VALUES (?, ?, ?, ?)");

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_blob(st, 1, c->key_id, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t) c->central_ms);
	sqlite3_bind_int64(st, 3, (int64_t) c->device_ms);
	sqlite3_bind_int64(st, 4, (int64_t) c->hlc);
	return cstorei_run(s, st, "cannot record a clock check");
}

/* Per key: its last check, how many, and what its log entries show
 * (?1: the tolerance). */
static const char clocks_sql[]
    = "SELECT a.key_id, a.cadre_id, k.central_ms, k.device_ms, k.hlc,"
      " (SELECT count(*) FROM clock_checks WHERE key_id = a.key_id),"
      " (SELECT count(*) FROM changesets c WHERE c.author = a.key_id"
      "  AND c.verdict = 1 AND (c.hlc >> 16) > c.received_ms + ?1),"
      " (SELECT max((c.hlc >> 16) - c.received_ms) FROM changesets c"
      "  WHERE c.author = a.key_id) "
      "FROM authors a LEFT JOIN clock_checks k ON k.key_id = a.key_id"
      " AND k.central_ms = (SELECT max(central_ms) FROM clock_checks"
      "  WHERE key_id = a.key_id) "
      "WHERE a.role <> 3 ORDER BY a.cadre_id, a.key_id";

static void
clock_row(sqlite3_stmt *st, struct cstore_clock_stat *c)
{
	memset(c, 0, sizeof(*c));
	cstorei_column_fixed(st, 0, c->key_id, 32);
	snprintf(c->cadre_id, sizeof(c->cadre_id), "%s",
	    (const char *) sqlite3_column_text(st, 1));
	c->checked = sqlite3_column_type(st, 2) != SQLITE_NULL;
	if (c->checked) {
		c->last.central_ms = (uint64_t) sqlite3_column_int64(st, 2);
		c->last.device_ms  = (uint64_t) sqlite3_column_int64(st, 3);
		c->last.hlc        = (uint64_t) sqlite3_column_int64(st, 4);
	}
	memcpy(c->last.key_id, c->key_id, 32);
	c->checks   = (uint64_t) sqlite3_column_int64(st, 5);
	c->clamped  = (uint64_t) sqlite3_column_int64(st, 6);
	c->logged   = sqlite3_column_type(st, 7) != SQLITE_NULL;
	c->ahead_ms = sqlite3_column_int64(st, 7);
}

int
cstore_clocks_each(struct central_store *s, cstore_clock_cb cb, void *arg)
{
	sqlite3_stmt *st;
	struct cstore_clock_stat c;
	int rc, yes = 0, stop = 0;

	/* A store not opened for writing since clocks were recorded has no
	 * table yet: no check, nothing to say. */
	if ((st = cstorei_prep(s,
	         "SELECT 1 FROM sqlite_master WHERE name = "
	         "'clock_checks'"))
	    == NULL) {
		return COSO_EIO;
	}
	if ((rc = cstorei_any_row(s, st, &yes)) != COSO_OK || !yes) {
		return rc;
	}
	if ((st = cstorei_prep(s, clocks_sql)) == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_int64(st, 1, COSO_CLOCK_TOLERANCE_MS);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		clock_row(st, &c);
		stop = cb(&c, arg);
	}
	sqlite3_reset(st);
	if (!stop && rc != SQLITE_DONE) {
		return cstorei_fail(s, "cannot read the clock checks");
	}
	return COSO_OK;
}
