/*
 * office.c: what the provincial office lists from its device's store:
 * cadres, assignments, enrollment tokens and device keys.  The admin
 * device holds every cadre and assignment it signed or pulled, and pulls
 * every token, device key and revocation (docs/central.md, "PULL
 * scope"); a field device lists what its pulls brought.
 */
#include "internal.h"

/* Runs sql with ?1 the filter's unit (or NULL), ?2 its since date and ?3
 * today (Vietnam), and lists the rows as kind. */
static int
office_rows(struct coso_store *s, const char *sql, const char *kind,
    const struct coso_filter *f, coso_row_cb cb, void *arg)
{
	sqlite3_stmt *st = NULL;
	int rv;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot read the store");
	}
	if (f != NULL && f->unit != NULL) {
		sqlite3_bind_text(st, 1, f->unit, -1, SQLITE_STATIC);
	}
	sqlite3_bind_int(st, 2, f != NULL ? f->since : 0);
	sqlite3_bind_int(st, 3, coso_date_of_ms(coso_wall_ms()));
	rv = cosoi_rows(s, st, kind, cb, arg);
	sqlite3_finalize(st);
	return rv;
}

int
coso_cadre_list(struct coso_store *s, const struct coso_filter *f,
    coso_row_cb cb, void *arg)
{
	return office_rows(s,
	    "SELECT c.cadre_id, c.name, c.title, c.unit, u.name AS unit_name, "
	    "(SELECT count(*) FROM assignments a WHERE a.cadre_id = "
	    "c.cadre_id AND a.valid_from <= ?3 AND (a.valid_to IS NULL OR "
	    "a.valid_to >= ?3)) AS assignments, (SELECT count(*) FROM keys k "
	    "WHERE k.cadre_id = c.cadre_id AND k.role IS NOT NULL AND "
	    "k.revoked = 0) AS devices FROM cadres c LEFT JOIN units u ON "
	    "u.code = c.unit WHERE ?1 IS NULL OR c.unit = ?1 ORDER BY "
	    "c.cadre_id",
	    "cadre", f, cb, arg);
}

int
coso_assignment_list(struct coso_store *s, const struct coso_filter *f,
    coso_row_cb cb, void *arg)
{
	/* since: those still running on that day (a date from --since). */
	return office_rows(s,
	    "SELECT a.id, a.cadre_id, c.name AS cadre_name, a.unit, "
	    "u.name AS unit_name, a.sector, CASE a.role WHEN 1 THEN "
	    "'in-charge' WHEN 2 THEN 'monitor' WHEN 3 THEN 'support' END AS "
	    "role, a.valid_from, a.valid_to, a.decision, a.replaces FROM "
	    "assignments a LEFT JOIN cadres c ON c.cadre_id = a.cadre_id LEFT "
	    "JOIN units u ON u.code = a.unit WHERE (?1 IS NULL OR a.unit = ?1 "
	    "OR a.cadre_id = ?1) AND (?2 = 0 OR a.valid_to IS NULL OR "
	    "a.valid_to >= ?2) ORDER BY a.cadre_id, a.valid_from",
	    "assignment", f, cb, arg);
}

int
coso_token_list(struct coso_store *s, const struct coso_filter *f,
    coso_row_cb cb, void *arg)
{
	/* A token is used once a device key came from it (its row names the
	 * token's hash), else expired after its day, else open.  Only the
	 * hash is kept: a token cannot be shown again. */
	return office_rows(s,
	    "SELECT t.id, t.cadre_id, c.name AS cadre_name, "
	    "CAST(strftime('%Y%m%d', t.expires / 1000 + 25200, 'unixepoch') "
	    "AS INTEGER) AS expiry_date, CASE WHEN EXISTS (SELECT 1 FROM keys "
	    "k WHERE k.token_hash = t.token_hash) THEN 'used' WHEN "
	    "CAST(strftime('%Y%m%d', t.expires / 1000 + 25200, 'unixepoch') "
	    "AS INTEGER) < ?3 THEN 'expired' ELSE 'open' END AS state FROM "
	    "tokens t LEFT JOIN cadres c ON c.cadre_id = t.cadre_id WHERE "
	    "?1 IS NULL OR t.cadre_id = ?1 ORDER BY t.expires",
	    "token", f, cb, arg);
}

int
coso_device_list(struct coso_store *s, const struct coso_filter *f,
    coso_row_cb cb, void *arg)
{
	/* The keys a pull named with their role: devices the central
	 * enrolled, and the office's. */
	return office_rows(s,
	    "SELECT substr(lower(hex(k.key_id)), 1, 16) AS key, k.cadre_id, "
	    "c.name AS cadre_name, CASE k.role WHEN 1 THEN 'field' WHEN 2 "
	    "THEN 'admin' END AS role, CAST(strftime('%Y%m%d', k.added / 1000 "
	    "+ 25200, 'unixepoch') AS INTEGER) AS added_date, CASE k.revoked "
	    "WHEN 0 THEN 'active' ELSE 'revoked' END AS state, k.key_id FROM "
	    "keys k LEFT JOIN cadres c ON c.cadre_id = k.cadre_id WHERE "
	    "k.role IS NOT NULL AND (?1 IS NULL OR k.cadre_id = ?1) ORDER BY "
	    "k.cadre_id, k.added",
	    "device", f, cb, arg);
}
