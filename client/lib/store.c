/*
 * store.c: opening, creating and closing a store; the statement cache;
 * transactions; the handle's error message.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "internal.h"

#define DB_NAME  "store.db"
#define KEY_NAME "device.key"
#define PUB_NAME "device.pub"
#define BUSY_MS  5000
/* Pages (4 KiB) of WAL that start a checkpoint at a commit: about 35
 * standard visits, at most 1 MiB for a process to index at open. */
#define WAL_PAGES 256

static const char *const sql[ST_COUNT] = {
    [ST_CHAIN_GET]    = "SELECT seq, prev, hlc FROM chain WHERE one = 1",
    [ST_CHAIN_SET]    = "UPDATE chain SET seq = ?, prev = ?, hlc = ? "
                        "WHERE one = 1",
    [ST_OUTBOX_PUT]   = "INSERT INTO outbox (seq, id, bytes, created_ms) "
                        "VALUES (?, ?, ?, ?)",
    [ST_UNIT_EXISTS]  = "SELECT 1 FROM units WHERE code = ?",
    [ST_VISIT_PUT]    = "INSERT INTO visits (id, seq, unit, date, purpose, "
                        "situation, difficulties, directions, participants, "
                        "lat, lon, amends, author) "
                        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
    [ST_OUTCOME_PUT]  = "INSERT INTO outcomes (id, visit, text, quantity, "
                        "quantity_unit, amount_vnd) VALUES (?,?,?,?,?,?)",
    [ST_PROPOSAL_PUT] = "INSERT INTO proposals (id, source, source_kind, "
                        "unit, text, date, author) VALUES (?,?,?,?,?,?,?)",
    [ST_HANDOVER_PUT] = "INSERT INTO handovers (id, seq, unit, text, date, "
                        "to_cadre, author) VALUES (?,?,?,?,?,?,?)",
};

static void store_close_wal(struct coso_store *s);

int
cosoi_fail(struct coso_store *s, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->errmsg, sizeof(s->errmsg), fmt, ap);
	va_end(ap);
	s->errfmt = fmt;
	return err;
}

int
cosoi_db_fail(struct coso_store *s, const char *what)
{
	return cosoi_fail(
	    s, COSO_ESTORE, "%s: %s", what, sqlite3_errmsg(s->db));
}

const char *
coso_store_errmsg(const struct coso_store *s)
{
	return s->errmsg;
}

const char *
coso_store_errfmt(const struct coso_store *s)
{
	return s->errfmt != NULL ? s->errfmt : "%s";
}

void
coso_store_passphrase_cb(
    struct coso_store *s, coso_passphrase_cb cb, void *arg)
{
	s->pass_cb  = cb;
	s->pass_arg = arg;
}

sqlite3_stmt *
cosoi_stmt(struct coso_store *s, enum stmt_id id)
{
	sqlite3_stmt *st = s->stmt[id];

	if (st == NULL) {
		if (sqlite3_prepare_v3(s->db, sql[id], -1,
		        SQLITE_PREPARE_PERSISTENT, &st, NULL)
		    != SQLITE_OK) {
			cosoi_db_fail(s, "cannot prepare a statement");
			return NULL;
		}
		s->stmt[id] = st;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

int
cosoi_exec(struct coso_store *s, const char *q)
{
	if (sqlite3_exec(s->db, q, NULL, NULL, NULL) != SQLITE_OK) {
		return cosoi_db_fail(s, "store update failed");
	}
	return COSO_OK;
}

int
cosoi_begin(struct coso_store *s)
{
	return cosoi_exec(s, "BEGIN IMMEDIATE");
}

int
cosoi_commit(struct coso_store *s)
{
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		int rv = cosoi_db_fail(s, "cannot commit");
		cosoi_rollback(s);
		return rv;
	}
	return COSO_OK;
}

void
cosoi_rollback(struct coso_store *s)
{
	if (!sqlite3_get_autocommit(s->db)) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	}
}

/* "dir/name", malloc'd. */
static char *
path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p  = malloc(n);

	if (p != NULL) {
		snprintf(p, n, "%s/%s", dir, name);
	}
	return p;
}

struct coso_store *
cosoi_handle_new(const char *dir, const char *pass, size_t passlen)
{
	struct coso_store *s = calloc(1, sizeof(*s));

	if (s == NULL || (s->dir = strdup(dir)) == NULL) {
		free(s);
		return NULL;
	}
	if (pass != NULL) {
		if (sodium_init() < 0
		    || (s->pass = sodium_malloc(passlen + 1)) == NULL) {
			free(s->dir);
			free(s);
			return NULL;
		}
		memcpy(s->pass, pass, passlen);
		s->pass[passlen] = 0;
		s->passlen       = passlen;
	}
	return s;
}

void
coso_store_close(struct coso_store *s)
{
	int i;

	if (s == NULL) {
		return;
	}
	for (i = 0; i < ST_COUNT; i++) {
		sqlite3_finalize(s->stmt[i]);
	}
	store_close_wal(s);
	sqlite3_close(s->db);
	coso_key_free(s->key);
	free(s->cadre);
	sodium_free(s->pass);
	free(s->dir);
	free(s);
}

/*
 * Called after each commit with the WAL's length in pages.  Past
 * WAL_PAGES, the WAL is copied into the database (PASSIVE: a reader in
 * the way is not waited for; the checkpoint is tried again at the next
 * commit).  While this process keeps the store open, the next commit
 * starts the WAL over from its beginning; the close cuts it to nothing
 * (store_close_wal).
 */
static int
wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
	struct coso_store *s = arg;

	if (pages >= WAL_PAGES
	    && sqlite3_wal_checkpoint_v2(
	           db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL)
	        == SQLITE_OK) {
		s->checkpointed = 1;
	}
	return SQLITE_OK;
}

/*
 * A process that opens the store alone rebuilds the WAL index from the
 * file, and takes every frame in it as not yet copied: so after a
 * checkpoint, the handle's close cuts the WAL to nothing (TRUNCATE)
 * rather than leave the next process to copy the same frames again.
 * Frames committed since are copied first.  Not waited for if another
 * connection reads; best effort, the WAL is correct either way.
 */
static void
store_close_wal(struct coso_store *s)
{
	if (s->db == NULL || !s->checkpointed) {
		return;
	}
	sqlite3_busy_timeout(s->db, 0);
	(void) sqlite3_wal_checkpoint_v2(
	    s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
}

/*
 * Durability and concurrency settings every connection uses.
 *
 * synchronous = FULL: each COMMIT fdatasyncs the WAL before it returns,
 * so a recorded visit survives a power cut (in WAL mode NORMAL would not).
 * The WAL is kept between processes (no checkpoint on close): a short
 * `coso' process then pays one fdatasync, its commit, instead of five
 * (creating the WAL, its header, the directory, and the close's
 * checkpoint of WAL and database); wal_hook checkpoints.  The VFS
 * (vfs.c) leaves out the syncs this makes redundant.  docs/decisions.md,
 * "Fewer syncs per visit".
 */
static int
configure(struct coso_store *s)
{
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	sqlite3_wal_hook(s->db, wal_hook, s);
	return cosoi_exec(s,
	    "PRAGMA journal_mode = WAL;"
	    "PRAGMA synchronous = FULL;"
	    "PRAGMA foreign_keys = ON;");
}

/* Opens dir/store.db; flags decide whether it may be created. */
static int
db_open(struct coso_store *s, int flags)
{
	char *path = path_join(s->dir, DB_NAME);
	int rc;

	if (path == NULL) {
		return cosoi_fail(s, COSO_ENOMEM, "out of memory");
	}
	if (cosoi_vfs_init() != SQLITE_OK) {
		free(path);
		return cosoi_fail(s, COSO_ESTORE,
		    "cannot open store `%s': no SQLite file system", s->dir);
	}
	rc = sqlite3_open_v2(
	    path, &s->db, flags | SQLITE_OPEN_NOMUTEX, COSOI_VFS);
	if (rc != SQLITE_OK) {
		rc = s->db == NULL
		    ? cosoi_fail(s, COSO_ENOMEM, "out of memory")
		    : cosoi_fail(s,
		        rc == SQLITE_CANTOPEN ? COSO_ENOSTORE : COSO_ESTORE,
		        "cannot open store `%s': %s", path,
		        sqlite3_errmsg(s->db));
		free(path);
		return rc;
	}
	free(path);
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, BUSY_MS);
	return COSO_OK;
}

int
coso_store_open(struct coso_store **out, const char *dir, const char *pass,
    size_t passlen, char errmsg[static COSO_ERRMSG_MAX])
{
	struct coso_store *s = cosoi_handle_new(dir, pass, passlen);
	int v, rv;

	if (s == NULL) {
		snprintf(errmsg, COSO_ERRMSG_MAX, "out of memory");
		return COSO_ENOMEM;
	}
	/* Read the version before any pragma writes: a newer store is left
	 * exactly as it is. */
	if ((rv = db_open(s, SQLITE_OPEN_READWRITE)) != COSO_OK
	    || (rv = cosoi_user_version(s, &v)) != COSO_OK) {
		goto fail;
	}
	if (v > COSO_SCHEMA_VERSION) {
		/* Closing would checkpoint its WAL into the file: leave a
		 * store we do not understand exactly as it is. */
		sqlite3_db_config(
		    s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
		rv = cosoi_fail(s, COSO_ENEWER,
		    "store `%s' was written by a newer coso (schema %d, this "
		    "coso knows %d); it was not changed",
		    dir, v, COSO_SCHEMA_VERSION);
		goto fail;
	}
	if (v < 1) {
		rv = cosoi_fail(
		    s, COSO_ENOSTORE, "`%s' is not a coso store", dir);
		goto fail;
	}
	/* A store made by an older coso may sit in a 0755 directory. */
	(void) cosoi_dir_private(s, 0);
	if ((rv = configure(s)) != COSO_OK
	    || (v < COSO_SCHEMA_VERSION
	        && (rv = cosoi_schema_migrate(s)) != COSO_OK)) {
		goto fail;
	}
	*out = s;
	return COSO_OK;
fail:
	snprintf(errmsg, COSO_ERRMSG_MAX, "%s", s->errmsg);
	coso_store_close(s);
	return rv;
}

/* Creates dir/store.db empty with mode 0600, whatever the umask: SQLite
 * would make it 0644, and gives its -wal and -shm files the mode of the
 * database. */
static int
db_create_private(struct coso_store *s)
{
	char *path = path_join(s->dir, DB_NAME);
	int fd, rv = COSO_OK;

	if (path == NULL) {
		return cosoi_fail(s, COSO_ENOMEM, "out of memory");
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || fchmod(fd, 0600) != 0) {
		rv = cosoi_fail(s, errno == EEXIST ? COSO_EEXIST : COSO_EIO,
		    "cannot create `%s': %s", path, strerror(errno));
	}
	if (fd >= 0) {
		close(fd);
	}
	free(path);
	return rv;
}

int
cosoi_store_create_db(struct coso_store *s, int version)
{
	int rv;

	if ((rv = db_create_private(s)) != COSO_OK
	    || (rv = db_open(s, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE))
	        != COSO_OK
	    || (rv = configure(s)) != COSO_OK) {
		return rv;
	}
	return cosoi_schema_create(s, version);
}

char *
cosoi_meta_get(struct coso_store *s, const char *key)
{
	sqlite3_stmt *st = NULL;
	char *val        = NULL;

	if (sqlite3_prepare_v2(
	        s->db, "SELECT value FROM meta WHERE key = ?", -1, &st, NULL)
	    != SQLITE_OK) {
		return NULL;
	}
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		val = strdup((const char *) sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	return val;
}

int
cosoi_meta_set(struct coso_store *s, const char *key, const char *val)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db,
	        "INSERT INTO meta (key, value) VALUES (?, ?) "
	        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot write store settings");
	}
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, val, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE
	    ? COSO_OK
	    : cosoi_db_fail(s, "cannot write store settings");
}
