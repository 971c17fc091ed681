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
