/*
 * store_schema.c: the tables of a central database.
 *
 * Materialised tables are generated from the body schema (proto's
 * schema.c): one column per field, named as the field, so a new field in
 * the schema needs a migration here and nowhere else.  Identifiers in SQL
 * text come only from that compiled-in schema, never from input.
 */
#include <stdio.h>

#include "store_impl.h"

#define NTABLES 17

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
    "console_access",
};

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

const char cstorei_tree_sql[]
    = "CREATE TABLE IF NOT EXISTS tree_hashes (start INTEGER NOT NULL,"
      " size INTEGER NOT NULL, hash BLOB NOT NULL,"
      " PRIMARY KEY (start, size)) WITHOUT ROWID;"
      "CREATE TABLE IF NOT EXISTS checkpoints (size INTEGER PRIMARY KEY,"
      " note TEXT NOT NULL);";

const char cstorei_upgrade_sql[]
    = "CREATE INDEX IF NOT EXISTS changesets_unsigned ON changesets"
      " (sender, received_ms) WHERE " UNSIGNED_WHERE ";"
      /* A PULL's tree follows mergers (store_pull.c). */
      "CREATE INDEX IF NOT EXISTS units_merged ON units (merged_into);"
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
      " WITHOUT ROWID;"
      /* The console's passphrases: argon2id hashes set on this machine
       * (`cosod central console passwd'); not in the log, not state. */
      "CREATE TABLE IF NOT EXISTS console_secrets (cadre_id TEXT PRIMARY"
      " KEY, hash TEXT NOT NULL, set_ms INTEGER NOT NULL) WITHOUT ROWID;";

static const char index_sql[]
    = "CREATE INDEX units_code ON units (code);"
      "CREATE INDEX units_parent ON units (parent);"
      "CREATE INDEX assignments_cadre ON assignments (cadre_id);"
      "CREATE INDEX device_keys_token ON device_keys (token_hash);"
      "CREATE INDEX tokens_hash ON tokens (token_hash);";

const char *
cstore_table_name(uint32_t table)
{
	return table >= 1 && table <= NTABLES ? table_names[table] : NULL;
}

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

int
cstorei_tables_create(struct central_store *s)
{
	char buf[SQL_MAX];
	uint32_t id;
	int rv = COSO_OK;

	for (id = 1; id <= NTABLES && rv == COSO_OK; id++) {
		if ((rv = table_sql(buf, sizeof(buf), coso_schema_table(id)))
		    == COSO_OK) {
			rv = cstorei_exec(
			    s, buf, "cannot create the database");
		}
	}
	return rv;
}

int
cstorei_schema_create(struct central_store *s)
{
	char buf[SQL_MAX];
	int rv;

	if ((rv = cstorei_exec(s, schema_sql, "cannot create the database"))
	        != 0
	    || (rv = cstorei_tables_create(s)) != COSO_OK) {
		return rv;
	}
	if ((rv = cstorei_exec(s, index_sql, "cannot create the database"))
	        != 0
	    || (rv = cstorei_exec(
	            s, cstorei_tree_sql, "cannot create the database"))
	        != 0
	    || (rv = cstorei_exec(
	            s, cstorei_upgrade_sql, "cannot create the database"))
	        != 0) {
		return rv;
	}
	snprintf(buf, sizeof(buf), "PRAGMA user_version = %d", STORE_FORMAT);
	if ((rv = cstorei_exec(s, buf, "cannot create the database")) != 0) {
		return rv;
	}
	return cstore_meta_set(s, "kind", STORE_KIND);
}
