/*
 * schema.c: the store's tables and their migrations.
 *
 * user_version is the schema version.  Each step moves a store from
 * version n to n + 1; opening runs every step still due in one
 * transaction, so a store is at one version or the next, never between.
 * Steps are never edited once released: a change is a new step.
 */
#include <stdio.h>

#include "internal.h"

/* Version 1: the device's chain, outbox and domain records. */
static const char v1[]
    = "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
      "CREATE TABLE chain (one INTEGER PRIMARY KEY CHECK (one = 1),"
      " seq INTEGER NOT NULL, prev BLOB NOT NULL, hlc INTEGER NOT NULL);"
      "INSERT INTO chain VALUES (1, 0, zeroblob(32), 0);"
      "CREATE TABLE outbox (seq INTEGER PRIMARY KEY, id BLOB NOT NULL UNIQUE,"
      " bytes BLOB NOT NULL, created_ms INTEGER NOT NULL,"
      " acked INTEGER NOT NULL DEFAULT 0, acked_ms INTEGER);"
      "CREATE TABLE units (code TEXT PRIMARY KEY, name TEXT NOT NULL,"
      " level INTEGER NOT NULL, parent TEXT, valid_from INTEGER NOT NULL,"
      " valid_to INTEGER);"
      "CREATE TABLE visits (id BLOB PRIMARY KEY, seq INTEGER NOT NULL,"
      " unit TEXT NOT NULL, date INTEGER NOT NULL, purpose TEXT,"
      " situation TEXT, difficulties TEXT, directions TEXT,"
      " participants TEXT, lat INTEGER, lon INTEGER, amends BLOB,"
      " author TEXT NOT NULL);"
      "CREATE INDEX visits_unit ON visits (unit, date);"
      "CREATE TABLE outcomes (id BLOB PRIMARY KEY, visit BLOB NOT NULL,"
      " text TEXT NOT NULL, quantity INTEGER, quantity_unit TEXT,"
      " amount_vnd INTEGER);"
      "CREATE INDEX outcomes_visit ON outcomes (visit);"
      "CREATE TABLE proposals (id BLOB PRIMARY KEY, source BLOB NOT NULL,"
      " source_kind TEXT NOT NULL, unit TEXT NOT NULL, text TEXT NOT NULL,"
      " date INTEGER NOT NULL, status TEXT NOT NULL DEFAULT 'open',"
      " response TEXT, author TEXT NOT NULL);"
      "CREATE INDEX proposals_source ON proposals (source);"
      "CREATE TABLE reports (id BLOB PRIMARY KEY, unit TEXT NOT NULL,"
      " period TEXT NOT NULL, results TEXT NOT NULL DEFAULT '',"
      " situation TEXT NOT NULL DEFAULT '',"
      " difficulties TEXT NOT NULL DEFAULT '',"
      " proposals TEXT NOT NULL DEFAULT '', amends BLOB,"
      " status TEXT NOT NULL DEFAULT 'draft', submitted INTEGER,"
      " seq INTEGER, created_ms INTEGER NOT NULL, author TEXT NOT NULL);"
      "CREATE TABLE handovers (id BLOB PRIMARY KEY, seq INTEGER NOT NULL,"
      " unit TEXT NOT NULL, text TEXT NOT NULL, date INTEGER NOT NULL,"
      " to_cadre TEXT, author TEXT NOT NULL);";

/* Version 2: what sync brings: receipts and the cadre's assignments. */
static const char v2[]
    = "CREATE TABLE receipts (cs_id BLOB PRIMARY KEY, seq INTEGER NOT NULL,"
      " received_ms INTEGER NOT NULL, leaf_index INTEGER,"
      " receipt BLOB NOT NULL);"
      "CREATE TABLE assignments (id BLOB PRIMARY KEY,"
      " cadre_id TEXT NOT NULL, unit TEXT, sector TEXT,"
      " role INTEGER NOT NULL, valid_from INTEGER NOT NULL,"
      " valid_to INTEGER, decision TEXT);"
      "CREATE INDEX outbox_pending ON outbox (acked, seq);";

/* Version 3: sync: verdicts on the outbox, what pulls bring (cadres, the
 * keys seen, assignment history, unit mergers), receipts' verdicts. */
static const char v3[]
    = "ALTER TABLE outbox ADD COLUMN verdict INTEGER;"
      "ALTER TABLE outbox ADD COLUMN reason INTEGER;"
      "ALTER TABLE receipts ADD COLUMN verdict INTEGER;"
      "ALTER TABLE units ADD COLUMN merged_into TEXT;"
      "ALTER TABLE assignments ADD COLUMN replaces BLOB;"
      "ALTER TABLE assignments ADD COLUMN handover_note TEXT;"
      "CREATE INDEX assignments_cadre ON assignments (cadre_id, unit);"
      "CREATE TABLE cadres (cadre_id TEXT PRIMARY KEY, name TEXT NOT NULL,"
      " title TEXT, unit TEXT);"
      "CREATE TABLE keys (key_id BLOB PRIMARY KEY, cadre_id TEXT,"
      " public_key BLOB, role INTEGER,"
      " revoked INTEGER NOT NULL DEFAULT 0);";

/* Version 4: receipts checkable offline: the checkpoints the central sent
 * (one signed note per tree size) and, per receipt, its inclusion proof
 * and the size of the checkpoint it proves into.  Receipts kept before
 * have neither; the highest seq among them is noted, so that a receipt
 * without a proof is known for one of those and not taken for a stripped
 * one. */
static const char v4[]
    = "CREATE TABLE checkpoints (size INTEGER PRIMARY KEY,"
      " note TEXT NOT NULL);"
      "ALTER TABLE receipts ADD COLUMN proof BLOB;"
      "ALTER TABLE receipts ADD COLUMN tree_size INTEGER;"
      "INSERT OR REPLACE INTO meta SELECT 'receipts_before_proofs',"
      " coalesce(max(seq), 0) FROM receipts;";

/* Version 5: the administration's reference tables (sectors, teams, the
 * reporting schedule), as the admin signs them and pulls bring them, and
 * the re-parentings of units this store made (`coso admin units move'):
 * a unit row holds only its current parent. */
static const char v5[]
    = "CREATE TABLE sectors (code TEXT PRIMARY KEY, name TEXT NOT NULL);"
      "CREATE TABLE teams (id BLOB PRIMARY KEY, sector TEXT NOT NULL,"
      " name TEXT NOT NULL, leader TEXT);"
      "CREATE TABLE schedules (id BLOB PRIMARY KEY, kind INTEGER NOT NULL,"
      " due_days INTEGER NOT NULL, grace_days INTEGER NOT NULL);"
      "CREATE TABLE unit_moves (code TEXT NOT NULL, date INTEGER NOT NULL,"
      " old_parent TEXT, new_parent TEXT, PRIMARY KEY (code, date));"
      "CREATE INDEX units_parent ON units (parent);";

/* Version 6: what the office's lists need (issue 13): the enrollment
 * tokens an admin device issued or pulled, and of each key the time the
 * central added it and the token it came from (a used token).  The role
 * column of keys, there since version 3, is now filled by pulls. */
static const char v6[]
    = "CREATE TABLE tokens (id BLOB PRIMARY KEY, cadre_id TEXT NOT NULL,"
      " token_hash BLOB NOT NULL, expires INTEGER NOT NULL);"
      "ALTER TABLE keys ADD COLUMN added INTEGER;"
      "ALTER TABLE keys ADD COLUMN token_hash BLOB;";

/* Version 7: devices as gossip (issue 17).  Of each checkpoint kept, how
 * it relates to the one held before it: "first", "proved" (a consistency
 * proof led from the latest held to it) or "unproved" (a central too old
 * to give one); NULL for a checkpoint kept before.  And the evidence: two
 * signed notes of the pinned key that cannot both be true, both kept as
 * received, never deleted. */
static const char v7[]
    = "ALTER TABLE checkpoints ADD COLUMN consistency TEXT;"
      "ALTER TABLE checkpoints ADD COLUMN received_ms INTEGER;"
      "CREATE TABLE evidence (id INTEGER PRIMARY KEY,"
      " kind TEXT NOT NULL, first_ms INTEGER NOT NULL,"
      " last_ms INTEGER NOT NULL, seen INTEGER NOT NULL,"
      " held_size INTEGER NOT NULL, held_note TEXT NOT NULL,"
      " new_size INTEGER NOT NULL, new_note TEXT NOT NULL,"
      " UNIQUE (held_note, new_note));";

static const char *const steps[] = {v1, v2, v3, v4, v5, v6, v7};

#define NSTEPS ((int) (sizeof(steps) / sizeof(steps[0])))

_Static_assert(NSTEPS == COSO_SCHEMA_VERSION, "one step per version");

int
cosoi_user_version(struct coso_store *s, int *v)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL);
	if (rc != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return cosoi_db_fail(s, "cannot read the schema version");
	}
	*v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return COSO_OK;
}

/* Runs steps from..to-1 and sets user_version, inside the caller's
 * transaction. */
static int
run_steps(struct coso_store *s, int from, int to)
{
	char pragma[48];
	int v, rv;

	for (v = from; v < to; v++) {
		if ((rv = cosoi_exec(s, steps[v])) != COSO_OK) {
			return rv;
		}
	}
	snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", to);
	return cosoi_exec(s, pragma);
}

int
cosoi_schema_create(struct coso_store *s, int version)
{
	int rv;

	if (version < 1 || version > NSTEPS) {
		return cosoi_fail(
		    s, COSO_EINVAL, "no schema version %d", version);
	}
	if ((rv = cosoi_begin(s)) != COSO_OK) {
		return rv;
	}
	if ((rv = run_steps(s, 0, version)) != COSO_OK) {
		cosoi_rollback(s);
		return rv;
	}
	return cosoi_commit(s);
}

int
cosoi_schema_migrate(struct coso_store *s)
{
	int v, rv;

	if ((rv = cosoi_begin(s)) != COSO_OK) {
		return rv;
	}
	if ((rv = cosoi_user_version(s, &v)) != COSO_OK) {
		goto fail;
	}
	if (v > NSTEPS) {
		rv = cosoi_fail(s, COSO_ENEWER,
		    "store schema version %d is newer than this coso (%d)", v,
		    NSTEPS);
		goto fail;
	}
	if (v < 1) {
		rv = cosoi_fail(s, COSO_ENOSTORE, "not a coso store");
		goto fail;
	}
	if (v < NSTEPS && (rv = run_steps(s, v, NSTEPS)) != COSO_OK) {
		goto fail;
	}
	return cosoi_commit(s);
fail:
	cosoi_rollback(s);
	return rv;
}
