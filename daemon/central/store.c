/*
 * store.c: the central store on SQLite.  One file, WAL, synchronous=FULL;
 * the writer's handle writes in BEGIN IMMEDIATE transactions, readers use
 * read-only handles and see committed snapshots.
 *
 * Materialised tables are generated from the body schema (proto's
 * schema.c): one column per field, named as the field, so a new field in
 * the schema needs a migration here and nowhere else.  Identifiers in SQL
 * text come only from that compiled-in schema, never from input.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "central_store.h"

#define BUSY_MS      5000
#define CACHE_SLOTS  256
#define CACHE_WAYS   4
#define SQL_MAX      2048
#define STORE_KIND   "coso-central"
#define STORE_FORMAT 1
#define NTABLES      16

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
	char errmsg[CSTORE_ERRMSG_MAX];
};

/* Indexed by schema table id. */
static const char *const table_names[NTABLES + 1] = {
    NULL,
    "units",
    "cadres",
    "device_keys",
    "tokens",
    "revocations",
    "assignments",
    "visits",
    "outcomes",
    "proposals",
    "responses",
    "reports",
    "handovers",
    "sectors",
    "teams",
    "schedules",
    "unit_moves",
};

static int tree_upgrade(struct central_store *s);
static int tree_append(struct central_store *s, const struct cstore_logrow *r);

static const char schema_sql[]
    = "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
      "CREATE TABLE changesets (position INTEGER PRIMARY KEY,"
      " id BLOB NOT NULL, author BLOB NOT NULL, sender BLOB NOT NULL,"
      " seq INTEGER NOT NULL, hlc INTEGER NOT NULL,"
      " received_ms INTEGER NOT NULL, verdict INTEGER NOT NULL,"
      " reason INTEGER NOT NULL, bytes BLOB NOT NULL,"
      " receipt BLOB NOT NULL);"
      /* One stored copy per id, except entries quarantined because the
       * sender was not the author: those cannot take an author's id. */
      "CREATE UNIQUE INDEX changesets_id ON changesets (id)"
      " WHERE reason <> 64;"
      "CREATE INDEX changesets_id_sender ON changesets (id, sender);"
      "CREATE INDEX changesets_author ON changesets (author, seq);"
      "CREATE TABLE authors (key_id BLOB PRIMARY KEY,"
      " public_key BLOB NOT NULL, cadre_id TEXT NOT NULL,"
      " role INTEGER NOT NULL, next_seq INTEGER NOT NULL,"
      " head BLOB NOT NULL, enrolled INTEGER, revoked INTEGER)"
      " WITHOUT ROWID;"
      "CREATE TABLE lww (tbl INTEGER NOT NULL, row BLOB NOT NULL,"
      " field INTEGER NOT NULL, hlc INTEGER NOT NULL,"
      " author BLOB NOT NULL, PRIMARY KEY (tbl, row, field))"
      " WITHOUT ROWID;"
      "CREATE TABLE conflicts (position INTEGER NOT NULL,"
      " tbl INTEGER NOT NULL, row BLOB NOT NULL, field INTEGER NOT NULL,"
      " lose_value, lose_author BLOB NOT NULL, lose_hlc INTEGER NOT NULL,"
      " win_author BLOB NOT NULL, win_hlc INTEGER NOT NULL,"
      " PRIMARY KEY (position, tbl, row, field)) WITHOUT ROWID;"
      "CREATE TABLE pull_scope (position INTEGER NOT NULL,"
      " kind INTEGER NOT NULL, key TEXT NOT NULL,"
      " PRIMARY KEY (position, kind, key)) WITHOUT ROWID;"
      "CREATE INDEX pull_scope_key ON pull_scope (kind, key, position);";

/* The audit log's tables; also created at open in a database made before
 * them (the leaves are then computed from the log). */
static const char tree_sql[]
    = "CREATE TABLE IF NOT EXISTS tree_hashes (start INTEGER NOT NULL,"
      " size INTEGER NOT NULL, hash BLOB NOT NULL,"
      " PRIMARY KEY (start, size)) WITHOUT ROWID;"
      "CREATE TABLE IF NOT EXISTS checkpoints (size INTEGER PRIMARY KEY,"
      " note TEXT NOT NULL);";

/* Indexes added after the first format; also created at a read-write
 * open.  changesets_unsigned serves cstore_log_unsigned: its WHERE must
 * stay the query's, word for word, for SQLite to use it. */
#define UNSIGNED_WHERE "reason IN (7, 64)"
_Static_assert(COSO_EBADSIG == 7 && COSO_QAUTHOR == 64,
    "UNSIGNED_WHERE names the bad signature and relay reasons");
static const char upgrade_sql[]
    = "CREATE INDEX IF NOT EXISTS changesets_unsigned ON changesets"
      " (sender, received_ms) WHERE " UNSIGNED_WHERE ";"
      /* Which key used each enrollment token: written once by merge
       * (apply.c), never changed.  In a database made before it, the
       * hashes its device_keys rows hold now are taken as used. */
      "CREATE TABLE IF NOT EXISTS token_uses (token_hash BLOB PRIMARY KEY,"
      " key_id BLOB NOT NULL, position INTEGER NOT NULL) WITHOUT ROWID;"
      "INSERT OR IGNORE INTO token_uses SELECT d.token_hash, a.key_id,"
      " a.enrolled FROM device_keys d JOIN authors a"
      " ON a.public_key = d.public_key WHERE length(d.token_hash) = 32"
      " AND a.enrolled IS NOT NULL ORDER BY a.enrolled;"
      /* Each author's last-writer-wins weight (merge.c): derived from
       * the log like the key registry, so a rebuild makes the same. */
      "CREATE TABLE IF NOT EXISTS author_weights (key_id BLOB PRIMARY KEY,"
      " weight INTEGER NOT NULL) WITHOUT ROWID;"
      /* The clocks each STATUS measured: the central's time and the
       * device's, in the same exchange.  Not in the log, not state. */
      "CREATE TABLE IF NOT EXISTS clock_checks (key_id BLOB NOT NULL,"
      " central_ms INTEGER NOT NULL, device_ms INTEGER NOT NULL,"
      " hlc INTEGER NOT NULL, PRIMARY KEY (key_id, central_ms))"
      " WITHOUT ROWID;";

static const char index_sql[]
    = "CREATE INDEX units_code ON units (code);"
      "CREATE INDEX units_parent ON units (parent);"
      "CREATE INDEX assignments_cadre ON assignments (cadre_id);"
      "CREATE INDEX device_keys_token ON device_keys (token_hash);"
      "CREATE INDEX tokens_hash ON tokens (token_hash);";

static int
fail(struct central_store *s, const char *what)
{
	snprintf(s->errmsg, sizeof(s->errmsg), "%s: %s", what,
	    sqlite3_errmsg(s->db));
	return COSO_EIO;
}

const char *
cstore_errmsg(const struct central_store *s)
{
	return s->errmsg;
}

const char *
cstore_table_name(uint32_t table)
{
	return table >= 1 && table <= NTABLES ? table_names[table] : NULL;
}

static uint32_t
fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s != 0) {
		h = (h ^ (uint8_t) *s++) * 16777619u;
	}
	return h;
}

/* A prepared statement for sql from the handle's cache, reset and with
 * its bindings cleared; NULL (errmsg set) on failure.  The cache is
 * CACHE_WAYS-way set associative: with one slot per hash, two statements
 * of every change-set (the author lookup and the proposal insert) shared
 * a slot and were prepared again each time. */
static sqlite3_stmt *
prep(struct central_store *s, const char *sql)
{
	uint32_t h      = fnv1a(sql) % CACHE_SLOTS;
	struct slot *sl = NULL;
	sqlite3_stmt *st;
	uint32_t i;

	for (i = 0; i < CACHE_WAYS; i++) {
		struct slot *c = &s->cache[(h + i) % CACHE_SLOTS];

		if (c->sql != NULL && strcmp(c->sql, sql) == 0) {
			sqlite3_reset(c->st);
			sqlite3_clear_bindings(c->st);
			return c->st;
		}
		if (sl == NULL && c->sql == NULL) {
			sl = c;
		}
	}
	if (sl == NULL) {
		/* Every way taken: evict one, in turn. */
		sl = &s->cache[(h + s->evict++ % CACHE_WAYS) % CACHE_SLOTS];
	}
	if (sqlite3_prepare_v3(
	        s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL)
	    != SQLITE_OK) {
		fail(s, "cannot prepare a query");
		return NULL;
	}
	free(sl->sql);
	sqlite3_finalize(sl->st);
	sl->sql = NULL;
	sl->st  = st;
	if ((sl->sql = strdup(sql)) == NULL) {
		sqlite3_finalize(st);
		sl->st = NULL;
		snprintf(s->errmsg, sizeof(s->errmsg), "out of memory");
		return NULL;
	}
	return st;
}

/* Steps a statement that returns no row (or whose row is ignored). */
static int
run(struct central_store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		return fail(s, what);
	}
	return COSO_OK;
}

static int
exec(struct central_store *s, const char *sql, const char *what)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		return fail(s, what);
	}
	return COSO_OK;
}

static void
bind_value(sqlite3_stmt *st, int i, const struct coso_value *v)
{
	switch (v->type) {
	case COSO_VINT:
		sqlite3_bind_int64(st, i, v->i);
		break;
	case COSO_VTEXT:
		sqlite3_bind_text(
		    st, i, (const char *) v->p, (int) v->len, SQLITE_STATIC);
		break;
	case COSO_VBYTES:
		sqlite3_bind_blob(st, i, v->len > 0 ? v->p : (const void *) "",
		    (int) v->len, SQLITE_STATIC);
		break;
	default:
		sqlite3_bind_null(st, i);
	}
}

/* A column as a coso_value pointing into SQLite's memory. */
static void
column_view(sqlite3_stmt *st, int i, struct coso_value *v)
{
	memset(v, 0, sizeof(*v));
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_INTEGER:
		v->type = COSO_VINT;
		v->i    = sqlite3_column_int64(st, i);
		break;
	case SQLITE_TEXT:
		v->type = COSO_VTEXT;
		v->p    = sqlite3_column_text(st, i);
		v->len  = (size_t) sqlite3_column_bytes(st, i);
		break;
	case SQLITE_BLOB:
		v->type = COSO_VBYTES;
		v->p    = sqlite3_column_blob(st, i);
		v->len  = (size_t) sqlite3_column_bytes(st, i);
		break;
	default:
		v->type = COSO_VNULL;
	}
}

void
cstore_val_clear(struct cstore_val *v)
{
	if (v != NULL) {
		free(v->p);
		memset(v, 0, sizeof(*v));
	}
}

static int
column_copy(sqlite3_stmt *st, int i, struct cstore_val *out)
{
	struct coso_value v;

	column_view(st, i, &v);
	memset(out, 0, sizeof(*out));
	out->type = v.type;
	out->i    = v.i;
	if (v.type == COSO_VTEXT || v.type == COSO_VBYTES) {
		if ((out->p = malloc(v.len + 1)) == NULL) {
			return COSO_ENOMEM;
		}
		if (v.len > 0) {
			memcpy(out->p, v.p, v.len);
		}
		out->p[v.len] = 0;
		out->len      = v.len;
	}
	return COSO_OK;
}

/* Copies a blob column of exactly n bytes; zeros if NULL or short. */
static void
column_fixed(sqlite3_stmt *st, int i, uint8_t *out, size_t n)
{
	const void *p = sqlite3_column_blob(st, i);

	memset(out, 0, n);
	if (p != NULL && (size_t) sqlite3_column_bytes(st, i) == n) {
		memcpy(out, p, n);
	}
}

/* ---- creating and opening ---------------------------------------------- */

static const char *
sql_type(unsigned types)
{
	if (types & COSO_TY_INT) {
		return "INTEGER";
	}
	return (types & COSO_TY_TEXT) ? "TEXT" : "BLOB";
}

/* CREATE TABLE for one schema table into buf. */
static int
table_sql(char *buf, size_t size, const struct coso_schema_table *t)
{
	size_t n, i;

	n = (size_t) snprintf(buf, size,
	    "CREATE TABLE IF NOT EXISTS \"%s\" (id BLOB "
	    "PRIMARY KEY NOT NULL",
	    table_names[t->id]);
	for (i = 0; i < t->nfields && n < size; i++) {
		n += (size_t) snprintf(buf + n, size - n, ", \"%s\" %s",
		    t->fields[i].name, sql_type(t->fields[i].types));
	}
	if (n < size && t->append_only) {
		n += (size_t) snprintf(buf + n, size - n,
		    ", by_key BLOB NOT NULL, by_cadre TEXT NOT NULL, "
		    "cs_id BLOB NOT NULL, cs_hlc INTEGER NOT NULL");
	} else if (n < size) {
		n += (size_t) snprintf(
		    buf + n, size - n, ", deleted INTEGER NOT NULL DEFAULT 1");
	}
	if (n < size && t->id == COSO_T_PROPOSAL) {
		n += (size_t) snprintf(buf + n, size - n,
		    ", status INTEGER, response BLOB, response_hlc INTEGER, "
		    "response_by BLOB");
	}
	if (n < size) {
		n += (size_t) snprintf(buf + n, size - n, ") WITHOUT ROWID;");
	}
	return n < size ? COSO_OK : COSO_ETOOBIG;
}

/* The materialised tables; those of a newer schema table (16,
 * unit_move) are also created when a database made before them opens. */
static int
tables_create(struct central_store *s)
{
	char buf[SQL_MAX];
	uint32_t id;
	int rv = COSO_OK;

	for (id = 1; id <= NTABLES && rv == COSO_OK; id++) {
		if ((rv = table_sql(buf, sizeof(buf), coso_schema_table(id)))
		    == COSO_OK) {
			rv = exec(s, buf, "cannot create the database");
		}
	}
	return rv;
}

static int
schema_create(struct central_store *s)
{
	char buf[SQL_MAX];
	int rv;

	if ((rv = exec(s, schema_sql, "cannot create the database")) != 0
	    || (rv = tables_create(s)) != COSO_OK) {
		return rv;
	}
	if ((rv = exec(s, index_sql, "cannot create the database")) != 0
	    || (rv = exec(s, tree_sql, "cannot create the database")) != 0
	    || (rv = exec(s, upgrade_sql, "cannot create the database"))
	        != 0) {
		return rv;
	}
	snprintf(buf, sizeof(buf), "PRAGMA user_version = %d", STORE_FORMAT);
	if ((rv = exec(s, buf, "cannot create the database")) != 0) {
		return rv;
	}
	return cstore_meta_set(s, "kind", STORE_KIND);
}

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
	for (i = 0; i < CACHE_SLOTS; i++) {
		sqlite3_finalize(s->cache[i].st);
		free(s->cache[i].sql);
	}
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
	    || (rv = exec(s,
	            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;",
	            "cannot configure the database"))
	        != COSO_OK
	    || (rv = cstore_begin(s)) != COSO_OK) {
		goto fail;
	}
	if ((rv = schema_create(s)) != COSO_OK
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
		rv = check_kind(s);
	}
	if (rv == COSO_OK && !readonly) {
		/* A group's dirty pages stay in the page cache until its
		 * COMMIT (a small cache spills them to the WAL mid-group),
		 * and savepoint journals stay in memory. */
		rv = exec(s,
		    "PRAGMA synchronous = FULL; PRAGMA cache_size = -65536;"
		    " PRAGMA temp_store = MEMORY;",
		    "cannot configure the database");
	}
	s->readonly = readonly;
	if (rv == COSO_OK && !readonly) {
		rv = tree_upgrade(s);
	}
	if (rv == COSO_OK && !readonly) {
		rv = exec(s, upgrade_sql, "cannot upgrade the database");
	}
	if (rv == COSO_OK && !readonly) {
		rv = tables_create(s);
	}
	if (rv != COSO_OK) {
		snprintf(errmsg, CSTORE_ERRMSG_MAX, "%s", s->errmsg);
		cstore_close(s);
		return rv;
	}
	*out = s;
	return COSO_OK;
}

/* ---- transactions --------------------------------------------------------
 */

int
cstore_begin(struct central_store *s)
{
	return exec(s, "BEGIN IMMEDIATE", "cannot begin a transaction");
}

int
cstore_commit(struct central_store *s)
{
	int rv = exec(s, "COMMIT", "cannot commit");

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
}

int
cstore_savepoint(struct central_store *s, const char *name)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "SAVEPOINT %s", name);
	return exec(s, sql, "cannot begin a savepoint");
}

int
cstore_release(struct central_store *s, const char *name)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "RELEASE %s", name);
	return exec(s, sql, "cannot release a savepoint");
}

void
cstore_rollback_to(struct central_store *s, const char *name)
{
	char sql[96];

	snprintf(sql, sizeof(sql), "ROLLBACK TO %s; RELEASE %s", name, name);
	sqlite3_exec(s->db, sql, NULL, NULL, NULL);
	s->tree_ok = 0;
}

/* ---- meta ----------------------------------------------------------------
 */

int
cstore_meta_get(struct central_store *s, const char *key, char **out)
{
	sqlite3_stmt *st = prep(s, "SELECT value FROM meta WHERE key = ?");
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
	                         : fail(s, "cannot read the settings");
}

int
cstore_meta_set(struct central_store *s, const char *key, const char *value)
{
	sqlite3_stmt *st = prep(s,
	    "INSERT INTO meta (key, value) VALUES (?, ?) "
	    "ON CONFLICT (key) DO UPDATE SET value = excluded.value");

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	return run(s, st, "cannot write the settings");
}

/* ---- the log -------------------------------------------------------------
 */

int
cstore_log_next(struct central_store *s, uint64_t *next)
{
	sqlite3_stmt *st
	    = prep(s, "SELECT coalesce(max(position) + 1, 0) FROM changesets");

	if (st == NULL) {
		return COSO_EIO;
	}
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return fail(s, "cannot read the log");
	}
	*next = (uint64_t) sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return COSO_OK;
}

int
cstore_log_count(struct central_store *s, uint64_t *n)
{
	sqlite3_stmt *st = prep(s, "SELECT count(*) FROM changesets");

	if (st == NULL) {
		return COSO_EIO;
	}
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return fail(s, "cannot read the log");
	}
	*n = (uint64_t) sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return COSO_OK;
}

int
cstore_log_append(struct central_store *s, const struct cstore_logrow *r)
{
	int rv;
	sqlite3_stmt *st = prep(s,
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
	if ((rv = run(s, st, "cannot append to the log")) != COSO_OK) {
		return rv;
	}
	return tree_append(s, r);
}

#define LOG_COLS                                                         \
	"position, id, author, sender, seq, hlc, received_ms, verdict, " \
	"reason, receipt"

static void
logrow_read(sqlite3_stmt *st, struct cstore_logrow *r)
{
	memset(r, 0, sizeof(*r));
	r->position = (uint64_t) sqlite3_column_int64(st, 0);
	column_fixed(st, 1, r->id, 32);
	column_fixed(st, 2, r->author, 32);
	column_fixed(st, 3, r->sender, 32);
	r->seq         = (uint64_t) sqlite3_column_int64(st, 4);
	r->hlc         = (uint64_t) sqlite3_column_int64(st, 5);
	r->received_ms = (uint64_t) sqlite3_column_int64(st, 6);
	r->verdict     = sqlite3_column_int(st, 7);
	r->reason      = sqlite3_column_int(st, 8);
	column_fixed(st, 9, r->receipt, COSO_RECEIPT_BYTES);
}

int
cstore_log_find(struct central_store *s, const uint8_t id[static 32],
    const uint8_t sender[static 32], struct cstore_logrow *out)
{
	sqlite3_stmt *st = prep(s,
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
	                         : fail(s, "cannot read the log");
}

int
cstore_log_unsigned(struct central_store *s, const uint8_t sender[static 32],
    uint64_t since_ms, uint64_t *n)
{
	sqlite3_stmt *st = prep(s,
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
	return rc == SQLITE_ROW ? COSO_OK : fail(s, "cannot read the log");
}

int
cstore_log_get(
    struct central_store *s, uint64_t position, struct cstore_logrow *out)
{
	sqlite3_stmt *st = prep(s,
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
		rv = rc == SQLITE_DONE ? COSO_ENOENT
		                       : fail(s, "cannot read the log");
	}
	sqlite3_reset(st);
	return rv;
}

/* ---- authors -------------------------------------------------------------
 */

#define AUTHOR_COLS                                            \
	"key_id, public_key, cadre_id, role, next_seq, head, " \
	"coalesce(enrolled, -1), coalesce(revoked, -1)"

static void
author_read(sqlite3_stmt *st, struct cstore_author *a)
{
	memset(a, 0, sizeof(*a));
	column_fixed(st, 0, a->key_id, 32);
	column_fixed(st, 1, a->pk, 32);
	snprintf(a->cadre_id, sizeof(a->cadre_id), "%s",
	    (const char *) sqlite3_column_text(st, 2));
	a->role     = sqlite3_column_int(st, 3);
	a->next_seq = (uint64_t) sqlite3_column_int64(st, 4);
	column_fixed(st, 5, a->head, 32);
	a->enrolled = sqlite3_column_int64(st, 6);
	a->revoked  = sqlite3_column_int64(st, 7);
}

int
cstore_author_get(struct central_store *s, const uint8_t key_id[static 32],
    struct cstore_author *a)
{
	sqlite3_stmt *st
	    = prep(s, "SELECT " AUTHOR_COLS " FROM authors WHERE key_id = ?");
	int rc;

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_blob(st, 1, key_id, 32, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		author_read(st, a);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW) {
		return COSO_OK;
	}
	return rc == SQLITE_DONE ? COSO_ENOENT
	                         : fail(s, "cannot read the key registry");
}

int
cstore_author_put(struct central_store *s, const struct cstore_author *a)
{
	sqlite3_stmt *st = prep(s,
	    "INSERT OR REPLACE INTO authors (key_id, public_key, cadre_id, "
	    "role, next_seq, head, enrolled, revoked) "
	    "VALUES (?,?,?,?,?,?,?,?)");

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_blob(st, 1, a->key_id, 32, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, a->pk, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, a->cadre_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, a->role);
	sqlite3_bind_int64(st, 5, (int64_t) a->next_seq);
	sqlite3_bind_blob(st, 6, a->head, 32, SQLITE_STATIC);
	if (a->enrolled >= 0) {
		sqlite3_bind_int64(st, 7, a->enrolled);
	}
	if (a->revoked >= 0) {
		sqlite3_bind_int64(st, 8, a->revoked);
	}
	return run(s, st, "cannot write the key registry");
}

/* ---- materialised rows ---------------------------------------------------
 */

/* The column of a field; field 0 of a mutable table is "deleted". */
static const char *
column_of(uint32_t table, uint32_t field)
{
	const struct coso_schema_table *t = coso_schema_table(table);
	const struct coso_schema_field *f;

	if (field == 0) {
		return t != NULL && !t->append_only ? "deleted" : NULL;
	}
	f = coso_schema_field(t, field);
	return f != NULL ? f->name : NULL;
}

int
cstore_row_exists(struct central_store *s, uint32_t table,
    const uint8_t row[static 16], int *exists)
{
	char sql[128];
	sqlite3_stmt *st;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT 1 FROM \"%s\" WHERE id = ?",
	    cstore_table_name(table));
	if ((st = prep(s, sql)) == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_blob(st, 1, row, 16, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		return fail(s, "cannot read a record");
	}
	*exists = rc == SQLITE_ROW;
	return COSO_OK;
}

/* "INSERT INTO t (id, f..., by_key, by_cadre, cs_id, cs_hlc) VALUES ..." */
static int
insert_sql(char *buf, size_t size, const struct coso_op *op)
{
	size_t n, i;

	n = (size_t) snprintf(
	    buf, size, "INSERT INTO \"%s\" (id", cstore_table_name(op->table));
	for (i = 0; i < op->nfields && n < size; i++) {
		n += (size_t) snprintf(buf + n, size - n, ", \"%s\"",
		    column_of(op->table, op->fields[i].id));
	}
	if (n < size) {
		n += (size_t) snprintf(buf + n, size - n,
		    ", by_key, by_cadre, cs_id, cs_hlc) VALUES (?");
	}
	for (i = 0; i < op->nfields + 4 && n < size; i++) {
		n += (size_t) snprintf(buf + n, size - n, ", ?");
	}
	if (n < size) {
		n += (size_t) snprintf(buf + n, size - n, ")");
	}
	return n < size ? COSO_OK : COSO_ETOOBIG;
}

int
cstore_row_insert(struct central_store *s, const struct coso_op *op,
    const struct cstore_rowmeta *meta)
{
	char sql[SQL_MAX];
	sqlite3_stmt *st;
	int i, k;

	if (insert_sql(sql, sizeof(sql), op) != COSO_OK
	    || (st = prep(s, sql)) == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_blob(st, 1, op->row, 16, SQLITE_STATIC);
	for (i = 0; (size_t) i < op->nfields; i++) {
		bind_value(st, i + 2, &op->fields[i].v);
	}
	k = i + 2;
	sqlite3_bind_blob(st, k, meta->author, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, k + 1, meta->cadre_id, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, k + 2, meta->cs, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, k + 3, (int64_t) meta->hlc);
	return run(s, st, "cannot insert a record");
}

int
cstore_row_touch(
    struct central_store *s, uint32_t table, const uint8_t row[static 16])
{
	char sql[128];
	sqlite3_stmt *st;

	snprintf(sql, sizeof(sql),
	    "INSERT OR IGNORE INTO \"%s\" (id, deleted) VALUES (?, 1)",
	    cstore_table_name(table));
	if ((st = prep(s, sql)) == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_blob(st, 1, row, 16, SQLITE_STATIC);
	return run(s, st, "cannot insert a record");
}

int
cstore_row_author(struct central_store *s, uint32_t table,
    const uint8_t row[static 16], uint8_t author[static 32])
{
	char sql[128];
	sqlite3_stmt *st;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT by_key FROM \"%s\" WHERE id = ?",
	    cstore_table_name(table));
	if ((st = prep(s, sql)) == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_blob(st, 1, row, 16, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		column_fixed(st, 0, author, 32);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW) {
		return COSO_OK;
	}
	return rc == SQLITE_DONE ? COSO_ENOENT
	                         : fail(s, "cannot read a record");
}

int
cstore_row_cadre(struct central_store *s, uint32_t table,
    const uint8_t row[static 16], char cadre[static CSTORE_CADRE_MAX + 1])
{
	char sql[128];
	sqlite3_stmt *st;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT by_cadre FROM \"%s\" WHERE id = ?",
	    cstore_table_name(table));
	if ((st = prep(s, sql)) == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_blob(st, 1, row, 16, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *c = sqlite3_column_text(st, 0);

		snprintf(cadre, CSTORE_CADRE_MAX + 1, "%s",
		    c != NULL ? (const char *) c : "");
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW) {
		return COSO_OK;
	}
	return rc == SQLITE_DONE ? COSO_ENOENT
	                         : fail(s, "cannot read a record");
}

int
cstore_field_get(struct central_store *s, uint32_t table,
    const uint8_t row[static 16], uint32_t field, struct cstore_val *v)
{
	char sql[160];
	sqlite3_stmt *st;
	int rc, rv;

	snprintf(sql, sizeof(sql), "SELECT \"%s\" FROM \"%s\" WHERE id = ?",
	    column_of(table, field), cstore_table_name(table));
	if ((st = prep(s, sql)) == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_blob(st, 1, row, 16, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		rv = column_copy(st, 0, v);
	} else {
		rv = rc == SQLITE_DONE ? COSO_ENOENT
		                       : fail(s, "cannot read a record");
	}
	sqlite3_reset(st);
	return rv;
}

int
cstore_field_set(struct central_store *s, uint32_t table,
    const uint8_t row[static 16], uint32_t field, const struct coso_value *v)
{
	char sql[160];
	sqlite3_stmt *st;

	snprintf(sql, sizeof(sql), "UPDATE \"%s\" SET \"%s\" = ? WHERE id = ?",
	    cstore_table_name(table), column_of(table, field));
	if ((st = prep(s, sql)) == NULL) {
		return COSO_EIO;
	}
	bind_value(st, 1, v);
	sqlite3_bind_blob(st, 2, row, 16, SQLITE_STATIC);
	return run(s, st, "cannot update a record");
}

int
cstore_stamp_get(struct central_store *s, uint32_t table,
    const uint8_t row[static 16], uint32_t field, struct cstore_stamp *stamp)
{
	sqlite3_stmt *st = prep(s,
	    "SELECT hlc, author FROM lww WHERE tbl = ? AND row = ? "
	    "AND field = ?");
	int rc;

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_int(st, 1, (int) table);
	sqlite3_bind_blob(st, 2, row, 16, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, (int) field);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		stamp->hlc = (uint64_t) sqlite3_column_int64(st, 0);
		column_fixed(st, 1, stamp->author, 32);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW) {
		return COSO_OK;
	}
	return rc == SQLITE_DONE ? COSO_ENOENT
	                         : fail(s, "cannot read a stamp");
}

int
cstore_stamp_set(struct central_store *s, uint32_t table,
    const uint8_t row[static 16], uint32_t field,
    const struct cstore_stamp *stamp)
{
	sqlite3_stmt *st = prep(s,
	    "INSERT OR REPLACE INTO lww (tbl, row, field, hlc, author) "
	    "VALUES (?, ?, ?, ?, ?)");

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_int(st, 1, (int) table);
	sqlite3_bind_blob(st, 2, row, 16, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, (int) field);
	sqlite3_bind_int64(st, 4, (int64_t) stamp->hlc);
	sqlite3_bind_blob(st, 5, stamp->author, 32, SQLITE_STATIC);
	return run(s, st, "cannot write a stamp");
}

int
cstore_conflict_add(struct central_store *s, const struct cstore_conflict *c)
{
	sqlite3_stmt *st = prep(s,
	    "INSERT OR IGNORE INTO conflicts (position, tbl, row, field, "
	    "lose_value, lose_author, lose_hlc, win_author, win_hlc) "
	    "VALUES (?,?,?,?,?,?,?,?,?)");

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_int64(st, 1, (int64_t) c->position);
	sqlite3_bind_int(st, 2, (int) c->table);
	sqlite3_bind_blob(st, 3, c->row, 16, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, (int) c->field);
	bind_value(st, 5, c->lose_value);
	sqlite3_bind_blob(st, 6, c->lose.author, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, (int64_t) c->lose.hlc);
	sqlite3_bind_blob(st, 8, c->win.author, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, (int64_t) c->win.hlc);
	return run(s, st, "cannot record a conflict");
}

/* The response stamp a proposal holds; has = 0 if none. */
static int
response_stamp(struct central_store *s, const uint8_t proposal[static 16],
    struct cstore_stamp *cur, int *has)
{
	sqlite3_stmt *st = prep(
	    s, "SELECT response_hlc, response_by FROM proposals WHERE id = ?");
	int rc;

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_blob(st, 1, proposal, 16, SQLITE_STATIC);
	rc   = sqlite3_step(st);
	*has = rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL;
	if (*has) {
		cur->hlc = (uint64_t) sqlite3_column_int64(st, 0);
		column_fixed(st, 1, cur->author, 32);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW) {
		return COSO_OK;
	}
	return rc == SQLITE_DONE ? COSO_ENOENT
	                         : fail(s, "cannot read a proposal");
}

int
cstore_proposal_respond(struct central_store *s,
    const uint8_t proposal[static 16], int64_t status,
    const uint8_t response[static 16], const struct cstore_stamp *stamp)
{
	struct cstore_stamp cur;
	sqlite3_stmt *st;
	int has, rv;

	if ((rv = response_stamp(s, proposal, &cur, &has)) != COSO_OK) {
		return rv;
	}
	if (has && !cstore_stamp_after(stamp, &cur)) {
		return COSO_OK;
	}
	st = prep(s,
	    "UPDATE proposals SET status = ?, response = ?, "
	    "response_hlc = ?, response_by = ? WHERE id = ?");
	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_int64(st, 1, status);
	sqlite3_bind_blob(st, 2, response, 16, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (int64_t) stamp->hlc);
	sqlite3_bind_blob(st, 4, stamp->author, 32, SQLITE_STATIC);
	sqlite3_bind_blob(st, 5, proposal, 16, SQLITE_STATIC);
	return run(s, st, "cannot update a proposal");
}

/* ---- authorisation queries -----------------------------------------------
 */

/* Runs st and sets *yes to whether it gave a row. */
static int
any_row(struct central_store *s, sqlite3_stmt *st, int *yes)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		return fail(s, "cannot query the database");
	}
	*yes = rc == SQLITE_ROW;
	return COSO_OK;
}

int
cstore_unit_exists(
    struct central_store *s, const char *code, size_t len, int *yes)
{
	sqlite3_stmt *st = prep(
	    s, "SELECT 1 FROM units WHERE code = ? AND deleted = 0 LIMIT 1");

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_text(st, 1, code, (int) len, SQLITE_STATIC);
	return any_row(s, st, yes);
}

int
cstore_unit_span(struct central_store *s, const char *code, size_t len,
    int32_t *from, int32_t *to)
{
	sqlite3_stmt *st = prep(s,
	    "SELECT coalesce(valid_from, 0), coalesce(valid_to, 0) FROM units "
	    "WHERE code = ? AND deleted = 0 ORDER BY valid_from LIMIT 1");
	int rc;

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_text(st, 1, code, (int) len, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*from = sqlite3_column_int(st, 0);
		*to   = sqlite3_column_int(st, 1);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		return fail(s, "cannot read the units");
	}
	return rc == SQLITE_ROW ? COSO_OK : COSO_ENOENT;
}

int
cstore_cadre_exists(
    struct central_store *s, const char *id, size_t len, int *yes)
{
	sqlite3_stmt *st = prep(s,
	    "SELECT 1 FROM cadres WHERE cadre_id = ? AND deleted = 0 LIMIT 1");

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_text(st, 1, id, (int) len, SQLITE_STATIC);
	return any_row(s, st, yes);
}

int
cstore_covers(struct central_store *s, const char *cadre, const char *unit,
    size_t unit_len, int32_t date, int *yes)
{
	/* The unit and its ancestors (bounded: the tree may hold a cycle an
	 * admin made), then a live assignment on any of them. */
	sqlite3_stmt *st = prep(s,
	    "WITH RECURSIVE anc(code, depth) AS (SELECT ?1, 0 UNION "
	    "SELECT u.parent, anc.depth + 1 FROM units u JOIN anc "
	    "ON u.code = anc.code WHERE u.deleted = 0 AND u.parent IS NOT "
	    "NULL "
	    "AND anc.depth < 32) "
	    "SELECT 1 FROM assignments a WHERE a.cadre_id = ?2 "
	    "AND a.deleted = 0 AND a.unit IN (SELECT code FROM anc) "
	    "AND a.valid_from <= ?3 AND (a.valid_to IS NULL OR a.valid_to >= "
	    "?3) "
	    "LIMIT 1");

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_text(st, 1, unit, (int) unit_len, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, cadre, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, date);
	return any_row(s, st, yes);
}

int
cstore_cover_end(struct central_store *s, const char *cadre, const char *unit,
    size_t unit_len, int32_t first, int32_t last, int32_t *end)
{
	/* As cstore_covers, over a span: the latest last day of the
	 * assignments that overlap it (an open one counts as 99991231). */
	sqlite3_stmt *st = prep(s,
	    "WITH RECURSIVE anc(code, depth) AS (SELECT ?1, 0 UNION "
	    "SELECT u.parent, anc.depth + 1 FROM units u JOIN anc "
	    "ON u.code = anc.code WHERE u.deleted = 0 AND u.parent IS NOT "
	    "NULL AND anc.depth < 32) "
	    "SELECT max(coalesce(a.valid_to, 99991231)) FROM assignments a "
	    "WHERE a.cadre_id = ?2 AND a.deleted = 0 "
	    "AND a.unit IN (SELECT code FROM anc) AND a.valid_from <= ?4 "
	    "AND (a.valid_to IS NULL OR a.valid_to >= ?3)");
	int rc;

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_text(st, 1, unit, (int) unit_len, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, cadre, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, first);
	sqlite3_bind_int(st, 4, last);
	rc   = sqlite3_step(st);
	*end = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? COSO_OK
	                        : fail(s, "cannot query the database");
}

int
cstore_token_get(struct central_store *s, const uint8_t hash[static 32],
    struct cstore_token *t)
{
	sqlite3_stmt *st = prep(s,
	    "SELECT cadre_id, expires FROM tokens WHERE token_hash = ? "
	    "ORDER BY id LIMIT 1");
	int rc;

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		snprintf(t->cadre_id, sizeof(t->cadre_id), "%s",
		    (const char *) sqlite3_column_text(st, 0));
		t->expires = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW) {
		return COSO_OK;
	}
	return rc == SQLITE_DONE ? COSO_ENOENT
	                         : fail(s, "cannot read the tokens");
}

int
cstore_token_use(struct central_store *s, const uint8_t hash[static 32],
    const uint8_t key_id[static 32], uint64_t position)
{
	sqlite3_stmt *st = prep(s,
	    "INSERT OR IGNORE INTO token_uses (token_hash, key_id, position) "
	    "VALUES (?, ?, ?)");
	int rc;

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, key_id, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (int64_t) position);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? COSO_OK
	                         : fail(s, "cannot record a token's use");
}

int
cstore_token_user(struct central_store *s, const uint8_t hash[static 32],
    int *used, uint8_t key_id[static 32])
{
	sqlite3_stmt *st
	    = prep(s, "SELECT key_id FROM token_uses WHERE token_hash = ?");
	int rc;

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
	rc    = sqlite3_step(st);
	*used = rc == SQLITE_ROW;
	if (*used) {
		column_fixed(st, 0, key_id, 32);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		return fail(s, "cannot read the token uses");
	}
	return COSO_OK;
}

int
cstore_scope_add(struct central_store *s, uint64_t position,
    enum cstore_scope kind, const char *key, size_t key_len)
{
	sqlite3_stmt *st = prep(s,
	    "INSERT OR IGNORE INTO pull_scope (position, kind, key) "
	    "VALUES (?, ?, ?)");

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_int64(st, 1, (int64_t) position);
	sqlite3_bind_int(st, 2, (int) kind);
	sqlite3_bind_text(st, 3, key, (int) key_len, SQLITE_STATIC);
	return run(s, st, "cannot index a change-set");
}

/* ---- PULL ----------------------------------------------------------------
 */

/* Units under the cadre's current (or coming) assignments, and the
 * accepted change-sets in scope in (after, upto], with the requesting
 * key's own chain (no fork 60, bad signature 7 or relay refusal 64). */
static const char pull_sql[]
    = "WITH RECURSIVE cov(code, depth) AS ("
      " SELECT unit, 0 FROM assignments WHERE cadre_id = ?1"
      " AND deleted = 0 AND unit IS NOT NULL"
      " AND (valid_to IS NULL OR valid_to >= ?2)"
      " UNION SELECT u.code, cov.depth + 1 FROM units u JOIN cov"
      " ON u.parent = cov.code WHERE u.deleted = 0 AND cov.depth < 32) "
      "SELECT c.position, coalesce(a.cadre_id, ''), c.bytes, a.public_key,"
      " c.verdict, c.reason "
      "FROM changesets c LEFT JOIN authors a ON a.key_id = c.author "
      "WHERE c.position > ?3 AND c.position <= ?5 "
      "AND ((c.verdict = 1 AND EXISTS (SELECT 1 FROM pull_scope p"
      " WHERE p.position = c.position"
      " AND ((?6 = 0 AND (p.kind = 0 OR (p.kind IN (1, 2, 4) AND p.key = ?1)"
      "  OR (p.kind = 5 AND EXISTS (SELECT 1 FROM authors WHERE"
      "  cadre_id = ?1 AND role IN (2, 3) AND revoked IS NULL))))"
      " OR (p.kind = 3 AND p.key IN (SELECT code FROM cov)))))"
      " OR (?6 = 0 AND c.author = ?7 AND c.reason NOT IN (7, 60, 64))) "
      "ORDER BY c.position LIMIT ?4";
_Static_assert(COSO_EBADSIG == 7 && COSO_QFORK == 60 && COSO_QAUTHOR == 64,
    "pull_sql names the reasons that keep an entry off its author's chain");

int
cstore_read_begin(struct central_store *s)
{
	return exec(s, "BEGIN", "cannot read the database");
}

void
cstore_read_end(struct central_store *s)
{
	sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
}

/* The last position of the log up to upto, or after if the log ends
 * before it. */
static int
log_last(
    struct central_store *s, uint64_t after, uint64_t upto, uint64_t *last)
{
	uint64_t next;
	int rv;

	if ((rv = cstore_log_next(s, &next)) != COSO_OK) {
		return rv;
	}
	*last = next > 0 && next - 1 > after ? next - 1 : after;
	if (*last > upto) {
		*last = upto > after ? upto : after;
	}
	return COSO_OK;
}

static int
pull_rows(struct central_store *s, sqlite3_stmt *st, size_t max_items,
    cstore_pull_cb cb, void *arg, uint64_t *last, int *more)
{
	struct cstore_pull_item it;
	size_t taken = 0;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		it.position  = (uint64_t) sqlite3_column_int64(st, 0);
		it.cadre_id  = (const char *) sqlite3_column_text(st, 1);
		it.cs        = sqlite3_column_blob(st, 2);
		it.len       = (size_t) sqlite3_column_bytes(st, 2);
		it.author_pk = sqlite3_column_bytes(st, 3) == 32
		    ? sqlite3_column_blob(st, 3)
		    : NULL;
		it.verdict   = sqlite3_column_int(st, 4);
		it.reason    = sqlite3_column_int(st, 5);
		if (taken == max_items || cb(&it, arg) != 0) {
			*more = 1;
			break;
		}
		*last = it.position;
		taken++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		return fail(s, "cannot read the log");
	}
	return COSO_OK;
}

int
cstore_pull(struct central_store *s, const char *cadre, const uint8_t *self,
    int32_t today, uint64_t after, uint64_t upto, int history_only,
    size_t max_items, cstore_pull_cb cb, void *arg, uint64_t *last, int *more)
{
	sqlite3_stmt *st = prep(s, pull_sql);
	int rv;

	*more = 0;
	*last = after;
	if (st == NULL) {
		return COSO_EIO;
	}
	if (upto > INT64_MAX) {
		upto = INT64_MAX;
	}
	sqlite3_bind_text(st, 1, cadre, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, today);
	sqlite3_bind_int64(st, 3, (int64_t) after);
	sqlite3_bind_int64(st, 4, (int64_t) max_items + 1);
	sqlite3_bind_int64(st, 5, (int64_t) upto);
	sqlite3_bind_int(st, 6, history_only);
	if (self != NULL) {
		sqlite3_bind_blob(st, 7, self, 32, SQLITE_STATIC);
	}
	rv = pull_rows(s, st, max_items, cb, arg, last, more);
	if (rv == COSO_OK && !*more) {
		/* Everything in (after, upto] was examined. */
		rv = log_last(s, after, upto, last);
	}
	return rv;
}

int
cstore_assigned_between(struct central_store *s, const char *cadre,
    uint64_t after, uint64_t upto, int *yes)
{
	sqlite3_stmt *st = prep(s,
	    "SELECT 1 FROM pull_scope WHERE kind = 1 AND key = ? "
	    "AND position > ? AND position <= ? LIMIT 1");

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_text(st, 1, cadre, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t) after);
	sqlite3_bind_int64(
	    st, 3, (int64_t) (upto > INT64_MAX ? INT64_MAX : upto));
	return any_row(s, st, yes);
}

/* ---- reads for the HTTP API ----------------------------------------------
 */

int
cstore_log_range(struct central_store *s, uint64_t start, size_t count,
    cstore_entry_cb cb, void *arg)
{
	sqlite3_stmt *st = prep(s,
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
		rv = fail(s, "cannot read the log");
	}
	return rv;
}

int
cstore_log_position(
    struct central_store *s, const uint8_t id[static 32], uint64_t *pos)
{
	sqlite3_stmt *st = prep(s,
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
	                         : fail(s, "cannot read the log");
}

int
cstore_authors_each(struct central_store *s, cstore_author_cb cb, void *arg)
{
	sqlite3_stmt *st = prep(s,
	    "SELECT " AUTHOR_COLS " FROM authors "
	    "ORDER BY coalesce(enrolled, -1), key_id");
	struct cstore_author a;
	int rc;

	if (st == NULL) {
		return COSO_EIO;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		author_read(st, &a);
		if (cb(&a, arg) != 0) {
			break;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		return fail(s, "cannot read the key registry");
	}
	return COSO_OK;
}

/* ---- digest and stats ----------------------------------------------------
 */

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
	if ((st = prep(s, sql)) == NULL) {
		return COSO_EIO;
	}
	if ((rv = scan_header(st, cb)) != COSO_OK) {
		return rv;
	}
	n = sqlite3_column_count(st);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < n; i++) {
			column_view(st, i, &vals[i]);
		}
		if ((rv = cb->row(cb->arg, (size_t) n, vals)) != COSO_OK) {
			sqlite3_reset(st);
			return rv;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? COSO_OK : fail(s, "cannot read a table");
}

int
cstore_stats_get(struct central_store *s, struct cstore_stats *out)
{
	sqlite3_stmt *st = prep(s,
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
		return fail(s, "cannot read the log");
	}
	if ((st = prep(s, "SELECT count(*) FROM authors WHERE role <> 3"))
	    == NULL) {
		return COSO_EIO;
	}
	rc           = sqlite3_step(st);
	out->authors = (uint64_t) sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW) {
		return fail(s, "cannot read the keys");
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
	if ((st = prep(s, sql)) == NULL) {
		return COSO_EIO;
	}
	rc = sqlite3_step(st);
	*n = (uint64_t) sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? COSO_OK : fail(s, "cannot count records");
}

/* ---- the audit log's tree and checkpoints ---------------------------------
 */

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
	sqlite3_stmt *st        = prep(
	           s, "INSERT INTO tree_hashes (start, size, hash) VALUES (?, ?, ?)");

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_int64(st, 1, (int64_t) start);
	sqlite3_bind_int64(st, 2, (int64_t) size);
	sqlite3_bind_blob(st, 3, h, 32, SQLITE_STATIC);
	return run(s, st, "cannot store a tree hash");
}

static int
tree_get(void *arg, uint64_t start, uint64_t size, uint8_t out[32])
{
	struct central_store *s = arg;
	sqlite3_stmt *st        = prep(
	           s, "SELECT hash FROM tree_hashes WHERE start = ? AND size = ?");
	int rc;

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
	return fail(s, "cannot read a tree hash");
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
	sqlite3_stmt *st
	    = prep(s, "SELECT count(*) FROM tree_hashes WHERE size = 1");
	int rc;

	if (st == NULL) {
		return COSO_EIO;
	}
	rc = sqlite3_step(st);
	*n = (uint64_t) sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? COSO_OK : fail(s, "cannot read the tree");
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

static int
tree_upgrade(struct central_store *s)
{
	int rv = cstore_begin(s);

	if (rv == COSO_OK
	    && (rv = exec(s, tree_sql, "cannot create the tree")) == COSO_OK
	    && (rv = tree_sync(s)) == COSO_OK) {
		return cstore_commit(s);
	}
	cstore_rollback(s);
	return rv;
}

/* The leaf of the entry just inserted, in the same transaction. */
static int
tree_append(struct central_store *s, const struct cstore_logrow *r)
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
	sqlite3_stmt *st
	    = prep(s, "INSERT INTO checkpoints (size, note) VALUES (?, ?)");

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_int64(st, 1, (int64_t) size);
	sqlite3_bind_text(st, 2, note, -1, SQLITE_STATIC);
	return run(s, st, "cannot store a checkpoint");
}

int
cstore_checkpoint_latest(struct central_store *s, uint64_t *size, char **note)
{
	sqlite3_stmt *st = prep(s,
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
	return rc == SQLITE_DONE ? COSO_ENOENT
	                         : fail(s, "cannot read the checkpoints");
}

int
cstore_checkpoints_each(struct central_store *s, uint64_t from, size_t count,
    cstore_checkpoint_cb cb, void *arg)
{
	sqlite3_stmt *st = prep(s,
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
		return fail(s, "cannot read the checkpoints");
	}
	return COSO_OK;
}

/* ---- clocks ---------------------------------------------------------------
 */

int
cstore_weight_get(
    struct central_store *s, const uint8_t key_id[static 32], uint64_t *w)
{
	sqlite3_stmt *st
	    = prep(s, "SELECT weight FROM author_weights WHERE key_id = ?");
	int rc;

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_blob(st, 1, key_id, 32, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*w = (uint64_t) sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW) {
		return COSO_OK;
	}
	return rc == SQLITE_DONE ? COSO_ENOENT
	                         : fail(s, "cannot read an author's weight");
}

int
cstore_weight_put(
    struct central_store *s, const uint8_t key_id[static 32], uint64_t w)
{
	sqlite3_stmt *st = prep(s,
	    "INSERT OR REPLACE INTO author_weights (key_id, weight) "
	    "VALUES (?, ?)");

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_blob(st, 1, key_id, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t) w);
	return run(s, st, "cannot write an author's weight");
}

int
cstore_clock_add(struct central_store *s, const struct cstore_clock *c)
{
	sqlite3_stmt *st = prep(s,
	    "INSERT OR REPLACE INTO clock_checks (key_id, central_ms, "
	    "device_ms, hlc) VALUES (?, ?, ?, ?)");

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_blob(st, 1, c->key_id, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t) c->central_ms);
	sqlite3_bind_int64(st, 3, (int64_t) c->device_ms);
	sqlite3_bind_int64(st, 4, (int64_t) c->hlc);
	return run(s, st, "cannot record a clock check");
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
	column_fixed(st, 0, c->key_id, 32);
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
	if ((st = prep(s,
	         "SELECT 1 FROM sqlite_master WHERE name = "
	         "'clock_checks'"))
	    == NULL) {
		return COSO_EIO;
	}
	if ((rc = any_row(s, st, &yes)) != COSO_OK || !yes) {
		return rc;
	}
	if ((st = prep(s, clocks_sql)) == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_int64(st, 1, COSO_CLOCK_TOLERANCE_MS);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		clock_row(st, &c);
		stop = cb(&c, arg);
	}
	sqlite3_reset(st);
	if (!stop && rc != SQLITE_DONE) {
		return fail(s, "cannot read the clock checks");
	}
	return COSO_OK;
}
