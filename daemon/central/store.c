/*
 * store.c: the central store on SQLite (store.h): the handle, creating
 * and opening a database, transactions and the settings.  One file, WAL,
 * synchronous=FULL; the writer's handle writes in BEGIN IMMEDIATE
 * transactions, readers use read-only handles and see committed
 * snapshots.  The other store_*.c files hold one concept each and share
 * store_impl.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store_impl.h"

#define BUSY_MS 5000

static struct central_store *
handle_new(const char *path)
{
	struct central_store *s = calloc(1, sizeof(*s));

	if (s != NULL && (s->path = strdup(path)) == NULL) {
		free(s);
		s = NULL;
	}
	return s;
}

void
cstore_close(struct central_store *s)
{
	size_t i;

	if (s == NULL) {
		return;
	}
	cstorei_tree_cache_detach(s);
	for (i = 0; i < CACHE_SLOTS; i++) {
		sqlite3_finalize(s->cache[i].st);
		free(s->cache[i].sql);
	}
	cstorei_cover_free(s);
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

static int
db_open(struct central_store *s, int flags)
{
	int rc = sqlite3_open_v2(
	    s->path, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL);

	if (rc != SQLITE_OK) {
		snprintf(s->errmsg, sizeof(s->errmsg),
		    "cannot open database `%s': %s", s->path,
		    s->db != NULL ? sqlite3_errmsg(s->db) : "out of memory");
		return COSO_EIO;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, BUSY_MS);
	return COSO_OK;
}

/* Why path cannot be created ("file exists", an errno sentence), or NULL
 * if nothing is there. */
static const char *
present(const char *path)
{
	struct stat sb;

	if (stat(path, &sb) == 0) {
		return "file exists";
	}
	return errno == ENOENT ? NULL : strerror(errno);
}

int
cstore_create(struct central_store **out, const char *path,
    char errmsg[static CSTORE_ERRMSG_MAX])
{
	struct central_store *s = handle_new(path);
	const char *why;
	int rv = COSO_EIO;

	if (s == NULL) {
		snprintf(errmsg, CSTORE_ERRMSG_MAX, "out of memory");
		return COSO_ENOMEM;
	}
	if ((why = present(path)) != NULL) {
		snprintf(s->errmsg, sizeof(s->errmsg),
		    "cannot create database `%s': %s", path, why);
		rv = COSO_EEXIST;
		goto fail;
	}
	if ((rv = db_open(s, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE))
	        != COSO_OK
	    || (rv = cstorei_exec(s,
	            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;",
	            "cannot configure the database"))
	        != COSO_OK
	    || (rv = cstore_begin(s)) != COSO_OK) {
		goto fail;
	}
	if ((rv = cstorei_schema_create(s)) != COSO_OK
	    || (rv = cstore_commit(s)) != COSO_OK) {
		cstore_rollback(s);
		goto fail;
	}
	*out = s;
	return COSO_OK;
fail:
	snprintf(errmsg, CSTORE_ERRMSG_MAX, "%s", s->errmsg);
	cstore_close(s);
	return rv;
}

/* The database must be a central store of a format this code knows. */
static int
check_kind(struct central_store *s)
{
	char *kind = NULL;
	int rv;

	rv = cstore_meta_get(s, "kind", &kind);
	if (rv == COSO_OK && strcmp(kind, STORE_KIND) == 0) {
		free(kind);
		return COSO_OK;
	}
	free(kind);
	snprintf(s->errmsg, sizeof(s->errmsg),
	    "cannot open database `%s': not a coso central database", s->path);
	return COSO_EINVAL;
}

/* A database written by a newer cosod (its user_version above
 * STORE_FORMAT) may hold what this code would misread or undo: it is
 * refused before anything is written, and closing it does not
 * checkpoint its WAL into the file. */
static int
check_format(struct central_store *s)
{
	sqlite3_stmt *st = NULL;
	int v            = -1;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL)
	        == SQLITE_OK
	    && sqlite3_step(st) == SQLITE_ROW) {
		v = sqlite3_column_int(st, 0);
	}
	sqlite3_finalize(st);
	if (v <= STORE_FORMAT) {
		/* v < 0, not a database: check_kind says so. */
		return COSO_OK;
	}
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	snprintf(s->errmsg, sizeof(s->errmsg),
	    "cannot open database `%s': written by a newer cosod (format "
	    "%d, this cosod knows %d); it was not changed",
	    s->path, v, STORE_FORMAT);
	return COSO_ENEWER;
}

int
cstore_open(struct central_store **out, const char *path, int readonly,
    char errmsg[static CSTORE_ERRMSG_MAX])
{
	struct central_store *s = handle_new(path);
	int rv;

	if (s == NULL) {
		snprintf(errmsg, CSTORE_ERRMSG_MAX, "out of memory");
		return COSO_ENOMEM;
	}
	rv = db_open(
	    s, readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE);
	if (rv == COSO_OK) {
		rv = check_format(s);
	}
	if (rv == COSO_OK) {
		rv = check_kind(s);
	}
	if (rv == COSO_OK && !readonly) {
		/* WAL on every read-write open, not only at create: a
		 * database restored from a backup (a rollback-journal file)
		 * or copied by other tools is put back in WAL here.  A
		 * group's dirty pages stay in the page cache until its
		 * COMMIT (a small cache spills them to the WAL mid-group),
		 * and savepoint journals stay in memory. */
		rv = cstorei_exec(s,
		    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
		    " PRAGMA cache_size = -65536;"
		    " PRAGMA temp_store = MEMORY;",
		    "cannot configure the database");
	}
	s->readonly = readonly;
	if (rv == COSO_OK && !readonly) {
		rv = cstorei_tree_upgrade(s);
	}
	if (rv == COSO_OK && !readonly) {
		rv = cstorei_exec(
		    s, cstorei_upgrade_sql, "cannot upgrade the database");
	}
	if (rv == COSO_OK && !readonly) {
		rv = cstorei_tables_create(s);
	}
	if (rv != COSO_OK) {
		snprintf(errmsg, CSTORE_ERRMSG_MAX, "%s", s->errmsg);
		cstore_close(s);
		return rv;
	}
	if (readonly) {
		cstorei_tree_cache_attach(s);
	}
	*out = s;
	return COSO_OK;
}

int
cstore_begin(struct central_store *s)
{
	cstorei_cover_forget(s);
	return cstorei_exec(
	    s, "BEGIN IMMEDIATE", "cannot begin a transaction");
}

int
cstore_commit(struct central_store *s)
{
	int rv;

	cstorei_cover_forget(s);
	rv = cstorei_exec(s, "COMMIT", "cannot commit");

	if (rv != COSO_OK) {
		cstore_rollback(s);
	}
	return rv;
}

void
cstore_rollback(struct central_store *s)
{
	if (!sqlite3_get_autocommit(s->db)) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	}
	s->tree_ok = 0;
	cstorei_cover_forget(s);
}

int
cstore_savepoint(struct central_store *s, const char *name)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "SAVEPOINT %s", name);
	return cstorei_exec(s, sql, "cannot begin a savepoint");
}

int
cstore_release(struct central_store *s, const char *name)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "RELEASE %s", name);
	return cstorei_exec(s, sql, "cannot release a savepoint");
}

void
cstore_rollback_to(struct central_store *s, const char *name)
{
	char sql[96];

	snprintf(sql, sizeof(sql), "ROLLBACK TO %s; RELEASE %s", name, name);
	sqlite3_exec(s->db, sql, NULL, NULL, NULL);
	s->tree_ok = 0;
	cstorei_cover_forget(s);
}

int
cstore_meta_get(struct central_store *s, const char *key, char **out)
{
	sqlite3_stmt *st
	    = cstorei_prep(s, "SELECT value FROM meta WHERE key = ?");
	int rc;

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = strdup((const char *) sqlite3_column_text(st, 0));
		sqlite3_reset(st);
		return *out != NULL ? COSO_OK : COSO_ENOMEM;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? COSO_ENOENT
	                         : cstorei_fail(s, "cannot read the settings");
}

int
cstore_meta_set(struct central_store *s, const char *key, const char *value)
{
	sqlite3_stmt *st = cstorei_prep(s,
	    "INSERT INTO meta (key, value) VALUES (?, ?) "
	    "ON CONFLICT (key) DO UPDATE SET value = excluded.value");

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	return cstorei_run(s, st, "cannot write the settings");
}

int
cstore_read_begin(struct central_store *s)
{
	cstorei_cover_forget(s);
	return cstorei_exec(s, "BEGIN", "cannot read the database");
}

void
cstore_read_end(struct central_store *s)
{
	sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	cstorei_cover_forget(s);
}
