/*
 * store_pull.c: PULL: what a cadre's device is sent, by the scope
 * recorded for each change-set.
 */
#include "store_impl.h"

int
cstore_scope_add(struct central_store *s, uint64_t position,
    enum cstore_scope kind, const char *key, size_t key_len)
{
	sqlite3_stmt *st = cstorei_prep(s,
	    "INSERT OR IGNORE INTO pull_scope (position, kind, key) "
	    "VALUES (?, ?, ?)");

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_int64(st, 1, (int64_t) position);
	sqlite3_bind_int(st, 2, (int) kind);
	sqlite3_bind_text(st, 3, key, (int) key_len, SQLITE_STATIC);
	return cstorei_run(s, st, "cannot index a change-set");
}

/*
 * The accepted change-sets in the cadre's scope in (after, upto], with the
 * requesting key's own chain (no fork 60, bad signature 7 or relay
 * refusal 64).  Sets of unit codes:
 *   cov   units under the cadre's current (or coming) assignments: whose
 *         records it pulls (kind 3);
 *   tree  units under any of its assignments, ended ones too, and those
 *         merged into them; up: their ancestors: whose rows it pulls
 *         (kind 6), and whose assigned cadres' rows (kind 7).
 * A live admin (or central) key of the cadre pulls every row of kinds 5,
 * 6 and 7: the office sees the whole province.  history_only (?6) keeps
 * kinds 3, 6 and 7 by the sets alone: what an assignment brings into
 * scope.
 */
static const char pull_sql[]
    = "WITH RECURSIVE mine(code) AS ("
      " SELECT unit FROM assignments WHERE cadre_id = ?1"
      " AND deleted = 0 AND unit IS NOT NULL),"
      " cov(code, depth) AS ("
      " SELECT unit, 0 FROM assignments WHERE cadre_id = ?1"
      " AND deleted = 0 AND unit IS NOT NULL"
      " AND (valid_to IS NULL OR valid_to >= ?2)"
      " UNION SELECT u.code, cov.depth + 1 FROM units u JOIN cov"
      " ON u.parent = cov.code WHERE u.deleted = 0 AND cov.depth < 32),"
      " tree(code, depth) AS (SELECT code, 0 FROM mine"
      " UNION SELECT u.code, tree.depth + 1 FROM units u JOIN tree"
      " ON u.parent = tree.code WHERE u.deleted = 0 AND tree.depth < 32"
      " UNION SELECT u.code, tree.depth + 1 FROM units u JOIN tree"
      " ON u.merged_into = tree.code"
      " WHERE u.deleted = 0 AND tree.depth < 32),"
      " up(code, depth) AS (SELECT code, 0 FROM mine"
      " UNION SELECT u.parent, up.depth + 1 FROM units u JOIN up"
      " ON u.code = up.code WHERE u.parent IS NOT NULL AND up.depth < 32),"
      " seen(code) AS (SELECT code FROM tree UNION SELECT code FROM up),"
      " office(yes) AS (SELECT ?6 = 0 AND EXISTS (SELECT 1 FROM authors"
      " WHERE cadre_id = ?1 AND role IN (2, 3) AND revoked IS NULL)) "
      "SELECT c.position, coalesce(a.cadre_id, ''), c.bytes, a.public_key,"
      " c.verdict, c.reason "
      "FROM changesets c LEFT JOIN authors a ON a.key_id = c.author "
      "WHERE c.position > ?3 AND c.position <= ?5 "
      "AND ((c.verdict = 1 AND EXISTS (SELECT 1 FROM pull_scope p"
      " WHERE p.position = c.position"
      " AND ((?6 = 0 AND (p.kind = 0 OR (p.kind IN (1, 2, 4) AND p.key = ?1)"
      "  OR (p.kind IN (5, 6, 7) AND (SELECT yes FROM office))))"
      " OR (p.kind = 3 AND p.key IN (SELECT code FROM cov))"
      " OR (p.kind = 6 AND p.key IN (SELECT code FROM seen))"
      " OR (p.kind = 7 AND (p.key = ?1 OR p.key IN (SELECT cadre_id"
      "  FROM assignments WHERE deleted = 0"
      "  AND unit IN (SELECT code FROM seen)))))))"
      " OR (?6 = 0 AND c.author = ?7 AND c.reason NOT IN (7, 60, 64))) "
      "ORDER BY c.position LIMIT ?4";
_Static_assert(COSO_EBADSIG == 7 && COSO_QFORK == 60 && COSO_QAUTHOR == 64,
    "pull_sql names the reasons that keep an entry off its author's chain");

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
		return cstorei_fail(s, "cannot read the log");
	}
	return COSO_OK;
}

int
cstore_pull(struct central_store *s, const char *cadre, const uint8_t *self,
    int32_t today, uint64_t after, uint64_t upto, int history_only,
    size_t max_items, cstore_pull_cb cb, void *arg, uint64_t *last, int *more)
{
	sqlite3_stmt *st = cstorei_prep(s, pull_sql);
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
	sqlite3_stmt *st = cstorei_prep(s,
	    "SELECT 1 FROM pull_scope WHERE kind = 1 AND key = ? "
	    "AND position > ? AND position <= ? LIMIT 1");

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_text(st, 1, cadre, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t) after);
	sqlite3_bind_int64(
	    st, 3, (int64_t) (upto > INT64_MAX ? INT64_MAX : upto));
	return cstorei_any_row(s, st, yes);
}
