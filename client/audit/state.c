/*
 * state.c: the auditor's state directory.  DIR/audit.db (SQLite, WAL,
 * synchronous=FULL) holds what an audit verified, so the next run checks
 * only what is new and still catches a rollback or a rewritten history:
 *
 *   meta    checkpoint (the last verified note), central_pk, origin,
 *           frontier (the tree's compact range at that size)
 *   leaves  every verified leaf hash, by index
 *   keys    the key registry derived from the log
 *   chains  each key's next seq and head
 *
 * and DIR/evidence/ the pairs of signed notes that contradict each other.
 *
 * It is advanced in one transaction, and only by a run that found
 * nothing wrong.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include <coso/common.h>

#include "audit.h"
#include "registry.h"

struct audit_state {
	sqlite3 *db;
	char dir[AUDIT_PATH_MAX];
};

static const char schema[]
    = "PRAGMA journal_mode=WAL;"
      "PRAGMA synchronous=FULL;"
      "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY,"
      " value BLOB NOT NULL);"
      "CREATE TABLE IF NOT EXISTS leaves (idx INTEGER PRIMARY KEY,"
      " hash BLOB NOT NULL);"
      "CREATE TABLE IF NOT EXISTS keys (key_id BLOB PRIMARY KEY,"
      " pk BLOB NOT NULL, role INTEGER NOT NULL, cadre TEXT NOT NULL,"
      " enrolled INTEGER NOT NULL, revoked INTEGER NOT NULL)"
      " WITHOUT ROWID;"
      "CREATE TABLE IF NOT EXISTS chains (key_id BLOB PRIMARY KEY,"
      " next_seq INTEGER NOT NULL, head BLOB NOT NULL) WITHOUT ROWID;";

int
state_open(
    struct audit_state **out, const char *dir, char err[static AUDIT_ERR_MAX])
{
	struct audit_state *s;
	char path[4096];
	char *msg = NULL;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		snprintf(err, AUDIT_ERR_MAX, "cannot create `%.300s': %.150s",
		    dir, strerror(errno));
		return AUDIT_MEM;
	}
	snprintf(path, sizeof(path), "%s/audit.db", dir);
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		return AUDIT_MEM;
	}
	snprintf(s->dir, sizeof(s->dir), "%s", dir);
	if (sqlite3_open_v2(
	        path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL)
	        != SQLITE_OK
	    || sqlite3_busy_timeout(s->db, 5000) != SQLITE_OK
	    || sqlite3_exec(s->db, schema, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, AUDIT_ERR_MAX, "cannot open `%.300s': %.150s",
		    path, msg != NULL ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		state_close(s);
		return AUDIT_MEM;
	}
	*out = s;
	return AUDIT_OK;
}

void
state_close(struct audit_state *s)
{
	if (s == NULL) {
		return;
	}
	sqlite3_close(s->db);
	free(s);
}

sqlite3 *
state_db(struct audit_state *s)
{
	return s->db;
}

int
state_checkpoint(struct audit_state *s, char **note)
{
	sqlite3_stmt *st = NULL;
	int rv           = AUDIT_OK;

	*note = NULL;
	if (sqlite3_prepare_v2(s->db,
	        "SELECT value FROM meta WHERE key = 'checkpoint'", -1, &st,
	        NULL)
	    != SQLITE_OK) {
		return AUDIT_MEM;
	}
	if (sqlite3_step(st) == SQLITE_ROW) {
		*note = strdup((const char *) sqlite3_column_text(st, 0));
		rv    = *note != NULL ? AUDIT_OK : AUDIT_MEM;
	}
	sqlite3_finalize(st);
	return rv;
}

int
state_commit(struct audit_state *s)
{
	if (sqlite3_get_autocommit(s->db)) {
		return 0;
	}
	return sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK
	    ? 0
	    : -1;
}

void
state_rollback(struct audit_state *s)
{
	if (!sqlite3_get_autocommit(s->db)) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	}
}

int
state_size(struct audit_state *s, uint64_t *size)
{
	char *note = NULL, *nl;
	int rv     = state_checkpoint(s, &note);

	*size = 0;
	if (rv == AUDIT_OK && note != NULL
	    && (nl = strchr(note, '\n')) != NULL) {
		*size = strtoull(nl + 1, NULL, 10);
	}
	free(note);
	return rv;
}

/* The tree size a note states (its second line); 0 if none. */
static uint64_t
note_size(const char *note)
{
	const char *nl = strchr(note, '\n');

	return nl != NULL ? strtoull(nl + 1, NULL, 10) : 0;
}

/* DIR/evidence/WHAT-SIZE1-SIZE2-ID, named by its contents. */
static void
evidence_dir(const struct audit_state *s, const char *what,
    const char *const note[2], char dir[static AUDIT_PATH_MAX])
{
	crypto_hash_sha256_state h;
	uint8_t id[32];
	char hex[9];
	size_t i;

	crypto_hash_sha256_init(&h);
	for (i = 0; i < 2; i++) {
		crypto_hash_sha256_update(
		    &h, (const uint8_t *) note[i], strlen(note[i]) + 1);
	}
	crypto_hash_sha256_final(&h, id);
	sodium_bin2hex(hex, sizeof(hex), id, 4);
	snprintf(dir, AUDIT_PATH_MAX,
	    "%.3000s/evidence/%s-%" PRIu64 "-%" PRIu64 "-%s", s->dir, what,
	    note_size(note[0]), note_size(note[1]), hex);
}

int
state_evidence(struct audit_state *s, const char *what,
    const char *const label[2], const char *const note[2],
    char dir[static AUDIT_PATH_MAX], char err[static AUDIT_ERR_MAX])
{
	char path[AUDIT_PATH_MAX + 64];
	size_t i;
	int e = 0;

	snprintf(path, sizeof(path), "%s/evidence", s->dir);
	evidence_dir(s, what, note, dir);
	if ((mkdir(path, 0700) != 0 && errno != EEXIST)
	    || (mkdir(dir, 0700) != 0 && errno != EEXIST)) {
		e = errno;
	}
	for (i = 0; e == 0 && i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s.note", dir, label[i]);
		if (coso_file_write(path, note[i], strlen(note[i]), 0600)
		    != COSO_OK) {
			e = errno; /* the system's cause, kept by files.c */
		}
	}
	if (e != 0) {
		snprintf(err, AUDIT_ERR_MAX,
		    "cannot keep evidence in `%.300s': %.150s", dir,
		    strerror(e));
		return AUDIT_MEM;
	}
	return AUDIT_OK;
}

/* ---- what a run loads and saves --------------------------------------
 */

static int
meta_blob(
    sqlite3 *db, const char *key, const void **p, int *len, sqlite3_stmt **st)
{
	if (sqlite3_prepare_v2(
	        db, "SELECT value FROM meta WHERE key = ?", -1, st, NULL)
	    != SQLITE_OK) {
		return -1;
	}
	sqlite3_bind_text(*st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(*st) != SQLITE_ROW) {
		return -1;
	}
	*p   = sqlite3_column_blob(*st, 0);
	*len = sqlite3_column_bytes(*st, 0);
	return 0;
}

int
state_load_frontier(
    struct audit_state *s, struct coso_frontier *fr, uint64_t size)
{
	sqlite3_stmt *st = NULL;
	const void *p;
	int len, rv = -1;

	if (meta_blob(state_db(s), "frontier", &p, &len, &st) == 0
	    && (size_t) len == sizeof(*fr)) {
		memcpy(fr, p, sizeof(*fr));
		rv = fr->size == size ? 0 : -1;
	}
	sqlite3_finalize(st);
	return rv;
}

int
state_load_keys(struct audit_state *s, struct registry *reg)
{
	sqlite3_stmt *st = NULL;
	struct rkey *k;
	int rv = 0;

	if (sqlite3_prepare_v2(state_db(s),
	        "SELECT pk, role, cadre, enrolled, revoked, next_seq, head"
	        " FROM keys JOIN chains USING (key_id)",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		return -1;
	}
	while (rv == 0 && sqlite3_step(st) == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 0) != 32
		    || sqlite3_column_bytes(st, 6) != 32
		    || (k = registry_add(reg, sqlite3_column_blob(st, 0)))
		        == NULL) {
			rv = -1;
			break;
		}
		k->role = sqlite3_column_int(st, 1);
		snprintf(k->cadre, sizeof(k->cadre), "%s",
		    (const char *) sqlite3_column_text(st, 2));
		k->enrolled = sqlite3_column_int64(st, 3);
		k->revoked  = sqlite3_column_int64(st, 4);
		k->next_seq = (uint64_t) sqlite3_column_int64(st, 5);
		memcpy(k->head, sqlite3_column_blob(st, 6), 32);
	}
	sqlite3_finalize(st);
	return rv;
}

static int
exec(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

int
state_begin(struct audit_state *s)
{
	return exec(s->db, "BEGIN IMMEDIATE");
}

static int
put_meta(sqlite3 *db, const char *key, const void *p, int len, int text)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(db,
	        "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", -1,
	        &st, NULL)
	    != SQLITE_OK) {
		return -1;
	}
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (text) {
		sqlite3_bind_text(st, 2, p, len, SQLITE_STATIC);
	} else {
		sqlite3_bind_blob(st, 2, p, len, SQLITE_STATIC);
	}
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int
save_key(sqlite3_stmt *k, sqlite3_stmt *c, const struct rkey *x)
{
	sqlite3_reset(k);
	sqlite3_reset(c);
	sqlite3_bind_blob(k, 1, x->id, 32, SQLITE_STATIC);
	sqlite3_bind_blob(k, 2, x->pk, 32, SQLITE_STATIC);
	sqlite3_bind_int(k, 3, x->role);
	sqlite3_bind_text(k, 4, x->cadre, -1, SQLITE_STATIC);
	sqlite3_bind_int64(k, 5, x->enrolled);
	sqlite3_bind_int64(k, 6, x->revoked);
	sqlite3_bind_blob(c, 1, x->id, 32, SQLITE_STATIC);
	sqlite3_bind_int64(c, 2, (sqlite3_int64) x->next_seq);
	sqlite3_bind_blob(c, 3, x->head, 32, SQLITE_STATIC);
	return sqlite3_step(k) == SQLITE_DONE && sqlite3_step(c) == SQLITE_DONE
	    ? 0
	    : -1;
}

static int
save_keys(struct audit_state *s, const struct registry *reg)
{
	sqlite3 *db     = state_db(s);
	sqlite3_stmt *k = NULL, *c = NULL;
	size_t i;
	int rv = exec(db, "DELETE FROM keys; DELETE FROM chains");

	if (rv == 0
	    && (sqlite3_prepare_v2(db,
	            "INSERT INTO keys VALUES (?, ?, ?, ?, ?, ?)", -1, &k, NULL)
	            != SQLITE_OK
	        || sqlite3_prepare_v2(
	               db, "INSERT INTO chains VALUES (?, ?, ?)", -1, &c, NULL)
	            != SQLITE_OK)) {
		rv = -1;
	}
	for (i = 0; rv == 0 && i < reg->cap; i++) {
		if (reg->slot[i].used) {
			rv = save_key(k, c, &reg->slot[i]);
		}
	}
	sqlite3_finalize(k);
	sqlite3_finalize(c);
	return rv;
}

/* Commits the state of a clean run (the leaves were put as they came). */
int
state_save(struct audit_state *s, const uint8_t central_pk[static 32],
    const char *note, size_t note_len, const struct coso_frontier *fr,
    const struct registry *reg)
{
	sqlite3 *db = state_db(s);
	char hex[65];

	sodium_bin2hex(hex, sizeof(hex), central_pk, 32);
	if (put_meta(db, "checkpoint", note, (int) note_len, 1) != 0
	    || put_meta(db, "central_pk", hex, 64, 1) != 0
	    || put_meta(db, "frontier", fr, sizeof(*fr), 0) != 0
	    || save_keys(s, reg) != 0) {
		return -1;
	}
	return 0;
}

/* The state's central key must be ours: one state directory, one log. */
int
state_key_ok(
    struct audit_state *s, const uint8_t central_pk[static 32], char *err)
{
	sqlite3_stmt *st = NULL;
	const void *p;
	char hex[65];
	int len, ok = 1;

	sodium_bin2hex(hex, sizeof(hex), central_pk, 32);
	if (meta_blob(state_db(s), "central_pk", &p, &len, &st) == 0) {
		ok = len == 64 && memcmp(p, hex, 64) == 0;
	}
	sqlite3_finalize(st);
	if (!ok) {
		snprintf(err, AUDIT_ERR_MAX,
		    "the state directory belongs to another central key");
	}
	return ok ? 0 : -1;
}
