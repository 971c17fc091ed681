/*
 * store_stats.c: table scans for the digest, and the counts of stats.
 */
#include <stdio.h>
#include <string.h>

#include "store_impl.h"

static int
scan_header(sqlite3_stmt *st, const struct cstore_scan *cb)
{
	const char *names[128];
	int n = sqlite3_column_count(st), i;

	if (n > 128) {
		return COSO_ETOOBIG;
	}
	for (i = 0; i < n; i++) {
		names[i] = sqlite3_column_name(st, i);
	}
	return cb->header(cb->arg, (size_t) n, names);
}

int
cstore_scan(struct central_store *s, const char *table, const char *order_by,
    const struct cstore_scan *cb)
{
	struct coso_value vals[128];
	char sql[256];
	sqlite3_stmt *st;
	int rc, rv, i, n;

	snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\" ORDER BY %s", table,
	    order_by);
	if ((st = cstorei_prep(s, sql)) == NULL) {
		return COSO_EIO;
	}
	if ((rv = scan_header(st, cb)) != COSO_OK) {
		return rv;
	}
	n = sqlite3_column_count(st);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < n; i++) {
			cstorei_column_view(st, i, &vals[i]);
		}
		if ((rv = cb->row(cb->arg, (size_t) n, vals)) != COSO_OK) {
			sqlite3_reset(st);
			return rv;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? COSO_OK
	                         : cstorei_fail(s, "cannot read a table");
}

int
cstore_stats_get(struct central_store *s, struct cstore_stats *out)
{
	sqlite3_stmt *st = cstorei_prep(s,
	    "SELECT verdict, reason, count(*), sum(length(bytes)) "
	    "FROM changesets GROUP BY verdict, reason ORDER BY verdict, "
	    "reason");
	uint64_t n;
	int rc;

	memset(out, 0, sizeof(*out));
	if (st == NULL) {
		return COSO_EIO;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		n = (uint64_t) sqlite3_column_int64(st, 2);
		out->changesets += n;
		out->bytes += (uint64_t) sqlite3_column_int64(st, 3);
		if (sqlite3_column_int(st, 0) == COSO_VERDICT_ACCEPTED) {
			out->accepted += n;
			continue;
		}
		out->quarantined += n;
		if (out->nreasons < CSTORE_REASONS_MAX) {
			out->reasons[out->nreasons].reason
			    = sqlite3_column_int(st, 1);
			out->reasons[out->nreasons++].n = n;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		return cstorei_fail(s, "cannot read the log");
	}
	if ((st = cstorei_prep(
	         s, "SELECT count(*) FROM authors WHERE role <> 3"))
	    == NULL) {
		return COSO_EIO;
	}
	rc           = sqlite3_step(st);
	out->authors = (uint64_t) sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW) {
		return cstorei_fail(s, "cannot read the keys");
	}
	return cstore_tree_head(s, &out->tree_size, out->root);
}

int
cstore_table_count(struct central_store *s, uint32_t table, uint64_t *n)
{
	const struct coso_schema_table *t = coso_schema_table(table);
	char sql[128];
	sqlite3_stmt *st;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%s\"%s",
	    cstore_table_name(table),
	    t->append_only ? "" : " WHERE deleted = 0");
	if ((st = cstorei_prep(s, sql)) == NULL) {
		return COSO_EIO;
	}
	rc = sqlite3_step(st);
	*n = (uint64_t) sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? COSO_OK
	                        : cstorei_fail(s, "cannot count records");
}

int
cstore_devices_count(
    struct central_store *s, uint64_t since_ms, struct cstore_devices *d)
{
	sqlite3_stmt *st = cstorei_prep(s,
	    "SELECT coalesce(sum(revoked IS NULL), 0),"
	    " coalesce(sum(revoked IS NOT NULL), 0),"
	    " coalesce(sum(EXISTS (SELECT 1 FROM clock_checks k"
	    "  WHERE k.key_id = a.key_id)), 0),"
	    " coalesce(sum(EXISTS (SELECT 1 FROM clock_checks k"
	    "  WHERE k.key_id = a.key_id AND k.central_ms >= ?1)), 0) "
	    "FROM authors a WHERE role <> 3");

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_int64(st, 1, (int64_t) since_ms);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return cstorei_fail(s, "cannot count the devices");
	}
	d->enrolled   = (uint64_t) sqlite3_column_int64(st, 0);
	d->revoked    = (uint64_t) sqlite3_column_int64(st, 1);
	d->seen       = (uint64_t) sqlite3_column_int64(st, 2);
	d->seen_since = (uint64_t) sqlite3_column_int64(st, 3);
	sqlite3_reset(st);
	return COSO_OK;
}
