/*
 * admin.c: the provincial office's writes.  Each is one signed change-set
 * in the outbox of a store whose device key is an admin key (the central
 * checks that it is, and quarantines what is not), with the store's own
 * tables updated in the same transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "csv.h"
#include "internal.h"

#define MS_PER_DAY 86400000ull
#define UNITS_BODY_MAX                                        \
	(200u * 1024u) /* estimated body bytes per change-set \
	                */
#define UNITS_GROUP_MIN 16u

/* Local effects of a change-set, run in its transaction. */
typedef int (*local_fn)(struct coso_store *s, const void *arg);

/* Signs b as the next change-set and runs local in one transaction. */
static int
sign_with(
    struct coso_store *s, struct coso_body *b, local_fn local, const void *arg)
{
	uint64_t seq, hlc_ms;
	int rv;

	if ((rv = cosoi_begin(s)) != COSO_OK) {
		return rv;
	}
	if ((rv = cosoi_sign_append(s, b, &seq, &hlc_ms)) != COSO_OK
	    || (local != NULL && (rv = local(s, arg)) != COSO_OK)) {
		cosoi_rollback(s);
		return rv;
	}
	return cosoi_commit(s);
}

/* A body builder failure as a sentence on the handle. */
static int
body_fail(struct coso_store *s, const char *what, int rv)
{
	return cosoi_fail(s, rv, "%s: %s", what, coso_strerror(rv));
}

/* Adds a text field when t is not NULL. */
static int
opt_text(struct coso_body *b, uint32_t field, const char *t)
{
	return t == NULL ? COSO_OK : coso_body_text(b, field, t, strlen(t));
}

/* A real YYYYMMDD date (the day survives a round trip). */
static int
date_valid(int32_t d)
{
	return d >= 19000101 && d <= 29991231
	    && coso_date_of_days(coso_days(d)) == d;
}

int
cosoi_ident_ok(struct coso_store *s, const char *field, const char *v)
{
	size_t i, n = v != NULL ? strlen(v) : 0;

	if (n == 0 || n > COSO_ID_MAX) {
		return cosoi_fail(s, COSO_EFIELD,
		    "%s: 1 to %u characters are required", field, COSO_ID_MAX);
	}
	for (i = 0; i < n; i++) {
		if (v[i] <= ' ' || v[i] > '~') {
			return cosoi_fail(s, COSO_EFIELD,
			    "%s: `%s' has a space or a character that is not "
			    "ASCII",
			    field, v);
		}
	}
	return COSO_OK;
}

/* The role a device_key row gave key id (1 field, 2 admin), 0 if none
 * was pulled. */
static int
key_role(struct coso_store *s, const uint8_t id[32], int *role)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*role = 0;
	if (sqlite3_prepare_v2(s->db,
	        "SELECT coalesce(role, 0) FROM keys WHERE key_id = ?", -1, &st,
	        NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot read the known keys");
	}
	sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*role = sqlite3_column_int(st, 0);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE
	    ? COSO_OK
	    : cosoi_db_fail(s, "cannot read the known keys");
}

/*
 * Admin commands are signed only where the key may write admin tables:
 * the central would quarantine anything else (COSO_QADMIN) after the
 * office took it as done.  A device knows its key is a field key from its
 * device_key row, which the central sends the key's own cadre, or from an
 * enrollment token waiting to be sent (a token enrolls a field key).  A
 * device that knows neither, as the first admin's before its first sync,
 * may sign: the central decides.  Checked before the key is opened, so a
 * field device asks for no passphrase.
 */
int
coso_store_may_admin(struct coso_store *s, int *may)
{
	uint8_t id[32];
	char *queued;
	int role, rv;

	*may = 0;
	if ((rv = cosoi_pk_load(s)) != COSO_OK) {
		return rv;
	}
	coso_keyid_of(id, s->pk);
	if ((rv = key_role(s, id, &role)) != COSO_OK) {
		return rv;
	}
	queued = cosoi_meta_get(s, "enroll_token");
	*may   = role != 1 && queued == NULL;
	free(queued);
	return COSO_OK;
}

int
cosoi_admin_ready(struct coso_store *s)
{
	uint8_t id[32];
	char *queued;
	int role, rv;

	if ((rv = cosoi_pk_load(s)) != COSO_OK) {
		return rv;
	}
	coso_keyid_of(id, s->pk);
	if ((rv = key_role(s, id, &role)) != COSO_OK) {
		return rv;
	}
	queued = cosoi_meta_get(s, "enroll_token");
	free(queued);
	if (role == 1 || queued != NULL) {
		return cosoi_fail(s, COSO_ESTATE,
		    "this device's key is a field key (%s): admin commands "
		    "are signed on the office's admin device, the one whose "
		    "key `cosod central init' registered; nothing was signed",
		    role == 1 ? "the central enrolled it with a token"
		              : "an enrollment token waits to be sent");
	}
	return cosoi_key_load(s);
}

/*
 * Units.
 */

/* One unit's upsert op, from the row the local import stored. */
static int
unit_op(struct coso_store *s, struct coso_body *b, sqlite3_stmt *st,
    const char *code, size_t *est)
{
	uint8_t row[16];
	const char *name, *parent;
	int rv;

	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		return cosoi_db_fail(s, "cannot read an imported unit");
	}
	name   = (const char *) sqlite3_column_text(st, 0);
	parent = (const char *) sqlite3_column_text(st, 2);
	coso_uuid_named(row, "unit", code);
	if ((rv = coso_body_op(b, COSO_T_UNIT, row, COSO_UPSERT))
	    || (rv = coso_body_text(b, COSO_F_UNIT_CODE, code, strlen(code)))
	    || (rv = coso_body_text(b, COSO_F_UNIT_NAME, name, strlen(name)))
	    || (rv = coso_body_int(
	            b, COSO_F_UNIT_LEVEL, sqlite3_column_int(st, 1)))
	    || (rv = parent != NULL ? coso_body_text(
	                 b, COSO_F_UNIT_PARENT, parent, strlen(parent))
	                            : coso_body_null(b, COSO_F_UNIT_PARENT))
	    || (rv = coso_body_int(
	            b, COSO_F_UNIT_VALID_FROM, sqlite3_column_int(st, 3)))) {
		return body_fail(s, code, rv);
	}
	*est += strlen(code) + strlen(name) + (parent ? strlen(parent) : 0)
	    + 48;
	return COSO_OK;
}

/* Signs the units of the file, COSO_ADMIN_UNITS_PER_CS at most in one
 * change-set, all in the caller's transaction.  A file of more (a
 * province with its villages: group) is cut by parent: once a change-set
 * holds UNITS_GROUP_MIN units, a unit of another parent starts the next.
 * A device pulls the change-sets naming its units and their ancestors,
 * so a file listed by parent costs it its units' siblings at most, not
 * the province (docs/central.md, "PULL scope and cursor"). */
static int
units_sign(struct coso_store *s, struct cosoi_csv *c, sqlite3_stmt *st,
    struct coso_body *b, int group, size_t *ncs)
{
	char(*f)[CSV_FIELD_MAX + 1] = malloc(CSV_FIELDS * (CSV_FIELD_MAX + 1));
	char parent[CSV_FIELD_MAX + 1] = "";
	size_t nops = 0, est = 0;
	uint64_t seq, hlc_ms;
	int rv = COSO_OK;

	if (f == NULL) {
		return cosoi_fail(s, COSO_ENOMEM, "out of memory");
	}
	(void) cosoi_csv_record(c, f); /* the header, checked by the import */
	while (rv == COSO_OK && cosoi_csv_record(c, f) == 1) {
		size_t moves = 0;

		if (group && nops >= UNITS_GROUP_MIN
		    && strcmp(f[3], parent) != 0) {
			if ((rv = cosoi_sign_append(s, b, &seq, &hlc_ms))
			    != COSO_OK) {
				break;
			}
			coso_body_reset(b);
			(*ncs)++;
			nops = est = 0;
		}
		snprintf(parent, sizeof(parent), "%s", f[3]);

		/* A unit's row and its moves (a re-import that re-parents
		 * it: units.c) go in one change-set; at most
		 * COSO_ADMIN_UNITS_PER_CS units and their moves, well
		 * under COSO_OPS_MAX. */
		if ((rv = unit_op(s, b, st, f[0], &est)) == COSO_OK
		    && (rv = cosoi_move_ops(s, b, f[0], &moves)) == COSO_OK
		    && ((nops += 1 + moves) >= COSO_ADMIN_UNITS_PER_CS
		        || est > UNITS_BODY_MAX)) {
			rv = cosoi_sign_append(s, b, &seq, &hlc_ms);
			coso_body_reset(b);
			*ncs += rv == COSO_OK;
			nops = est = 0;
		}
	}
	if (rv == COSO_OK && nops > 0
	    && (rv = cosoi_sign_append(s, b, &seq, &hlc_ms)) == COSO_OK) {
		(*ncs)++;
	}
	free(f);
	return rv;
}

int
coso_admin_units_import(struct coso_store *s, const char *csv, size_t len,
    size_t *count, size_t *changesets)
{
	struct cosoi_csv c  = {csv, csv + len, 0, NULL};
	struct coso_body *b = NULL;
	sqlite3_stmt *st    = NULL;
	size_t n = 0, ncs = 0;
	int rv;

	if ((rv = cosoi_admin_ready(s)) != COSO_OK
	    || (rv = cosoi_units_import(s, csv, len, &n)) != COSO_OK) {
		return rv;
	}
	if (len >= 3 && memcmp(csv, "\xef\xbb\xbf", 3) == 0) {
		c.p += 3;
	}
	if ((rv = coso_body_new(&b)) != COSO_OK) {
		return cosoi_fail(s, rv, "out of memory");
	}
	if (sqlite3_prepare_v2(s->db,
	        "SELECT name, level, parent, valid_from FROM units "
	        "WHERE code = ?",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		rv = cosoi_db_fail(s, "cannot read the units");
	} else if ((rv = cosoi_begin(s)) == COSO_OK) {
		if ((rv = units_sign(
		         s, &c, st, b, n > COSO_ADMIN_UNITS_PER_CS, &ncs))
		        != COSO_OK
		    || (rv = cosoi_commit(s)) != COSO_OK) {
			cosoi_rollback(s);
		}
	}
	sqlite3_finalize(st);
	coso_body_free(b);
	if (rv == COSO_OK) {
		*count      = n;
		*changesets = ncs;
	}
	return rv;
}

/*
 * Cadres and tokens.
 */

struct cadre_norm {
	const char *id, *unit;
	char *name, *title;
};

static int
cadre_local(struct coso_store *s, const void *arg)
{
	const struct cadre_norm *c = arg;
	sqlite3_stmt *st           = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db,
	        "INSERT INTO cadres (cadre_id, name, title, unit) "
	        "VALUES (?, ?, ?, ?) ON CONFLICT (cadre_id) DO UPDATE SET "
	        "name = excluded.name, title = excluded.title, "
	        "unit = excluded.unit",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot store the cadre");
	}
	sqlite3_bind_text(st, 1, c->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, c->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, c->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, c->unit, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? COSO_OK
	                         : cosoi_db_fail(s, "cannot store the cadre");
}

static int
cadre_ops(struct coso_body *b, const struct cadre_norm *c)
{
	uint8_t row[16];
	int rv;

	coso_uuid_named(row, "cadre", c->id);
	if ((rv = coso_body_op(b, COSO_T_CADRE, row, COSO_UPSERT))
	    || (rv = coso_body_text(
	            b, COSO_F_CADRE_CADRE_ID, c->id, strlen(c->id)))
	    || (rv = coso_body_text(
	            b, COSO_F_CADRE_NAME, c->name, strlen(c->name)))
	    || (rv = c->title ? opt_text(b, COSO_F_CADRE_TITLE, c->title)
	                      : coso_body_null(b, COSO_F_CADRE_TITLE))
	    || (rv = c->unit ? opt_text(b, COSO_F_CADRE_UNIT, c->unit)
	                     : coso_body_null(b, COSO_F_CADRE_UNIT))) {
		return rv;
	}
	return COSO_OK;
}

/* Checks a cadre into c (its texts normalised, malloc'd). */
static int
cadre_check(
    struct coso_store *s, const struct coso_cadre_in *in, struct cadre_norm *c)
{
	int rv;

	*c = (struct cadre_norm) {in->cadre_id, in->unit, NULL, NULL};
	if ((rv = cosoi_ident_ok(s, "id", in->cadre_id))
	    || (rv = cosoi_text(s, "name", in->name, &c->name))
	    || (rv = cosoi_text(s, "title", in->title, &c->title))
	    || (in->unit != NULL
	        && (rv = cosoi_unit_known(s, "unit", in->unit)))) {
		return rv;
	}
	return c->name != NULL
	    ? COSO_OK
	    : cosoi_fail(s, COSO_EFIELD, "name: a name is required");
}

int
coso_admin_cadre_add(struct coso_store *s, const struct coso_cadre_in *in)
{
	struct cadre_norm c = {0};
	struct coso_body *b = NULL;
	int rv;

	if ((rv = cosoi_admin_ready(s)) || (rv = cadre_check(s, in, &c))) {
		goto out;
	}
	if ((rv = coso_body_new(&b)) || (rv = cadre_ops(b, &c))) {
		rv = body_fail(s, "cadre", rv);
		goto out;
	}
	rv = sign_with(s, b, cadre_local, &c);
out:
	coso_body_free(b);
	free(c.name);
	free(c.title);
	return rv;
}

int
cosoi_cadre_stage(
    struct coso_store *s, const struct coso_cadre_in *in, struct coso_body *b)
{
	struct cadre_norm c = {0};
	int rv;

	if ((rv = cadre_check(s, in, &c)) == COSO_OK
	    && (rv = cadre_ops(b, &c)) != COSO_OK) {
		rv = body_fail(s, "cadre", rv);
	}
	if (rv == COSO_OK) {
		rv = cadre_local(s, &c);
	}
	free(c.name);
	free(c.title);
	return rv;
}

/* The token's row, for `coso admin token list': its hash, never the
 * token. */
struct token_row {
	const uint8_t *row, *hash;
	const char *cadre;
	int64_t expires;
};

static int
token_local(struct coso_store *s, const void *arg)
{
	const struct token_row *t = arg;
	sqlite3_stmt *st          = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db,
	        "INSERT OR IGNORE INTO tokens (id, cadre_id, token_hash, "
	        "expires) VALUES (?, ?, ?, ?)",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot store the token");
	}
	sqlite3_bind_blob(st, 1, t->row, 16, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, t->cadre, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, t->hash, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, t->expires);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? COSO_OK
	                         : cosoi_db_fail(s, "cannot store the token");
}

int
coso_admin_token(struct coso_store *s, const char *cadre_id, unsigned days,
    char token_hex[static 65])
{
	struct coso_body *b = NULL;
	uint8_t token[32], hash[32], row[16];
	uint64_t now       = coso_wall_ms();
	struct token_row t = {row, hash, cadre_id,
	    (int64_t) (now + (uint64_t) days * MS_PER_DAY)};
	int rv;

	if ((rv = cosoi_admin_ready(s))
	    || (rv = cosoi_ident_ok(s, "cadre", cadre_id))
	    || (rv = cosoi_cadre_known(s, "cadre", cadre_id))) {
		return rv;
	}
	if (days == 0 || days > 366) {
		return cosoi_fail(s, COSO_EFIELD, "days: from 1 to 366 days");
	}
	randombytes_buf(token, sizeof(token));
	coso_sha256(hash, token, sizeof(token));
	coso_uuid7(row, now);
	if ((rv = coso_body_new(&b))
	    || (rv = coso_body_op(b, COSO_T_TOKEN, row, COSO_UPSERT))
	    || (rv = coso_body_text(
	            b, COSO_F_TOKEN_CADRE_ID, cadre_id, strlen(cadre_id)))
	    || (rv = coso_body_bytes(b, COSO_F_TOKEN_TOKEN_HASH, hash, 32))
	    || (rv = coso_body_int(b, COSO_F_TOKEN_EXPIRES, t.expires))) {
		rv = body_fail(s, "token", rv);
	} else if ((rv = sign_with(s, b, token_local, &t)) == COSO_OK) {
		sodium_bin2hex(token_hex, 65, token, sizeof(token));
	}
	sodium_memzero(token, sizeof(token));
	coso_body_free(b);
	return rv;
}

/*
 * Sectors, teams and the reporting schedule: named rows, so that adding
 * again (or setting a schedule again) updates the same row.
 */

/* Checks that a sector code is known to this store. */
static int
sector_known(struct coso_store *s, const char *code)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(
	        s->db, "SELECT 1 FROM sectors WHERE code = ?", -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot read the sectors");
	}
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW) {
		return COSO_OK;
	}
	return rc == SQLITE_DONE
	    ? cosoi_fail(s, COSO_ENOENT, "sector: unknown sector `%s'", code)
	    : cosoi_db_fail(s, "cannot read the sectors");
}

/* A local row written with the change-set: sql bound with id (if not
 * NULL), then ntext texts (NULL binds NULL), then nint integers. */
struct local_row {
	const char *sql;
	const uint8_t *id; /* bound first when not NULL */
	int ntext;         /* leading text values */
	const char *t[3];
	int nint;
	int64_t n[3];
};

static int
row_local(struct coso_store *s, const void *arg)
{
	const struct local_row *r = arg;
	sqlite3_stmt *st          = NULL;
	int i, k = 1, rc;

	if (sqlite3_prepare_v2(s->db, r->sql, -1, &st, NULL) != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot store the row");
	}
	if (r->id != NULL) {
		sqlite3_bind_blob(st, k++, r->id, 16, SQLITE_STATIC);
	}
	for (i = 0; i < r->ntext; i++) {
		sqlite3_bind_text(st, k++, r->t[i], -1, SQLITE_STATIC);
	}
	for (i = 0; i < r->nint; i++) {
		sqlite3_bind_int64(st, k++, r->n[i]);
	}
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? COSO_OK
	                         : cosoi_db_fail(s, "cannot store the row");
}

int
coso_admin_sector_add(struct coso_store *s, const char *code, const char *name)
{
	struct local_row r  = {.sql = "INSERT INTO sectors (code, name) "
	                               "VALUES (?, ?) ON CONFLICT (code) DO "
	                               "UPDATE SET name = excluded.name",
	     .ntext                 = 2};
	struct coso_body *b = NULL;
	char *norm          = NULL;
	uint8_t row[16];
	int rv;

	if ((rv = cosoi_admin_ready(s))
	    || (rv = cosoi_ident_ok(s, "code", code))
	    || (rv = cosoi_text(s, "name", name, &norm))) {
		goto out;
	}
	if (norm == NULL) {
		rv = cosoi_fail(s, COSO_EFIELD, "name: a name is required");
		goto out;
	}
	coso_uuid_named(row, "sector", code);
	if ((rv = coso_body_new(&b))
	    || (rv = coso_body_op(b, COSO_T_SECTOR, row, COSO_UPSERT))
	    || (rv = coso_body_text(b, COSO_F_SECTOR_CODE, code, strlen(code)))
	    || (rv
	        = coso_body_text(b, COSO_F_SECTOR_NAME, norm, strlen(norm)))) {
		rv = body_fail(s, "sector", rv);
		goto out;
	}
	r.t[0] = code;
	r.t[1] = norm;
	rv     = sign_with(s, b, row_local, &r);
out:
	coso_body_free(b);
	free(norm);
	return rv;
}

/* A team's row id: named by its sector and name, so a second `team add'
 * of the same team updates its leader. */
static int
team_id(struct coso_store *s, const char *sector, const char *name,
    uint8_t row[16])
{
	size_t ns = strlen(sector), nn = strlen(name);
	char key[COSO_TEXT_MAX + 80];

	if (ns + nn + 2 > sizeof(key)) {
		return cosoi_fail(s, COSO_ETOOBIG, "name: too long");
	}
	memcpy(key, sector, ns);
	key[ns] = '/';
	memcpy(key + ns + 1, name, nn + 1);
	coso_uuid_named(row, "team", key);
	return COSO_OK;
}

int
coso_admin_team_add(struct coso_store *s, const char *sector, const char *name,
    const char *leader, uint8_t id[static 16])
{
	struct local_row r  = {.sql = "INSERT INTO teams (id, sector, name, "
	                               "leader) VALUES (?, ?, ?, ?) ON "
	                               "CONFLICT (id) DO UPDATE SET leader = "
	                               "excluded.leader",
	     .ntext                 = 3};
	struct coso_body *b = NULL;
	char *norm          = NULL;
	uint8_t row[16];
	int rv;

	if ((rv = cosoi_admin_ready(s))
	    || (rv = cosoi_ident_ok(s, "sector", sector))
	    || (rv = sector_known(s, sector))
	    || (leader != NULL
	        && ((rv = cosoi_ident_ok(s, "leader", leader))
	            || (rv = cosoi_cadre_known(s, "leader", leader))))
	    || (rv = cosoi_text(s, "name", name, &norm))) {
		goto out;
	}
	if (norm == NULL) {
		rv = cosoi_fail(s, COSO_EFIELD, "name: a name is required");
		goto out;
	}
	if ((rv = team_id(s, sector, norm, row)) != COSO_OK) {
		goto out;
	}
	if ((rv = coso_body_new(&b))
	    || (rv = coso_body_op(b, COSO_T_TEAM, row, COSO_UPSERT))
	    || (rv = coso_body_text(
	            b, COSO_F_TEAM_SECTOR, sector, strlen(sector)))
	    || (rv = coso_body_text(b, COSO_F_TEAM_NAME, norm, strlen(norm)))
	    || (rv = leader ? coso_body_text(
	                 b, COSO_F_TEAM_LEADER, leader, strlen(leader))
	                    : coso_body_null(b, COSO_F_TEAM_LEADER))) {
		rv = body_fail(s, "team", rv);
		goto out;
	}
	r.id   = row;
	r.t[0] = sector;
	r.t[1] = norm;
	r.t[2] = leader;
	if ((rv = sign_with(s, b, row_local, &r)) == COSO_OK) {
		memcpy(id, row, 16);
	}
out:
	coso_body_free(b);
	free(norm);
	return rv;
}

int
coso_admin_schedule_set(struct coso_store *s, enum coso_schedule_kind kind,
    unsigned due_days, unsigned grace_days)
{
	static const char *const names[]
	    = {"", "quarterly", "six-monthly", "yearly"};
	struct local_row r  = {.sql = "INSERT INTO schedules (id, kind, "
	                               "due_days, grace_days) VALUES (?, ?, "
	                               "?, ?) ON CONFLICT (id) DO UPDATE SET "
	                               "due_days = excluded.due_days, "
	                               "grace_days = excluded.grace_days",
	     .nint                  = 3};
	struct coso_body *b = NULL;
	uint8_t row[16];
	int rv;

	if ((rv = cosoi_admin_ready(s)) != COSO_OK) {
		return rv;
	}
	if (kind < COSO_SCHED_QUARTERLY || kind > COSO_SCHED_YEARLY) {
		return cosoi_fail(
		    s, COSO_EFIELD, "kind: quarterly, six-monthly or yearly");
	}
	if (due_days > COSO_SCHEDULE_DAYS_MAX
	    || grace_days > COSO_SCHEDULE_DAYS_MAX) {
		return cosoi_fail(s, COSO_EFIELD, "days: from 0 to %u days",
		    COSO_SCHEDULE_DAYS_MAX);
	}
	coso_uuid_named(row, "schedule", names[kind]);
	if ((rv = coso_body_new(&b))
	    || (rv = coso_body_op(b, COSO_T_SCHEDULE, row, COSO_UPSERT))
	    || (rv = coso_body_int(b, COSO_F_SCHEDULE_KIND, (int64_t) kind))
	    || (rv = coso_body_int(
	            b, COSO_F_SCHEDULE_DUE_DAYS, (int64_t) due_days))
	    || (rv = coso_body_int(
	            b, COSO_F_SCHEDULE_GRACE_DAYS, (int64_t) grace_days))) {
		rv = body_fail(s, "schedule", rv);
	} else {
		r.id   = row;
		r.n[0] = (int64_t) kind;
		r.n[1] = (int64_t) due_days;
		r.n[2] = (int64_t) grace_days;
		rv     = sign_with(s, b, row_local, &r);
	}
	coso_body_free(b);
	return rv;
}

/*
 * Assignments.
 */

struct assignment {
	uint8_t id[16];
	const char *cadre, *unit, *sector, *decision, *note;
	int role;
	int32_t from, to; /* to 0: open-ended */
	const uint8_t *replaces;
};

static int
assignment_op(struct coso_body *b, const struct assignment *a)
{
	int rv;

	if ((rv = coso_body_op(b, COSO_T_ASSIGNMENT, a->id, COSO_UPSERT))
	    || (rv = coso_body_text(
	            b, COSO_F_ASSIGNMENT_CADRE_ID, a->cadre, strlen(a->cadre)))
	    || (rv = a->unit ? coso_body_text(
	                 b, COSO_F_ASSIGNMENT_UNIT, a->unit, strlen(a->unit))
	                     : coso_body_null(b, COSO_F_ASSIGNMENT_UNIT))
	    || (rv = a->sector ? coso_body_text(b, COSO_F_ASSIGNMENT_SECTOR,
	                 a->sector, strlen(a->sector))
	                       : coso_body_null(b, COSO_F_ASSIGNMENT_SECTOR))
	    || (rv = coso_body_int(b, COSO_F_ASSIGNMENT_ROLE, a->role))
	    || (rv = coso_body_int(b, COSO_F_ASSIGNMENT_VALID_FROM, a->from))
	    || (rv = a->to
	            ? coso_body_int(b, COSO_F_ASSIGNMENT_VALID_TO, a->to)
	            : coso_body_null(b, COSO_F_ASSIGNMENT_VALID_TO))
	    || (rv = opt_text(b, COSO_F_ASSIGNMENT_DECISION, a->decision))
	    || (a->replaces
	        && (rv = coso_body_bytes(
	                b, COSO_F_ASSIGNMENT_REPLACES, a->replaces, 16)))
	    || (rv = opt_text(b, COSO_F_ASSIGNMENT_HANDOVER_NOTE, a->note))) {
		return rv;
	}
	return COSO_OK;
}

/* Inserts or updates the local row of an assignment. */
static int
assignment_local(struct coso_store *s, const void *arg)
{
	const struct assignment *a = arg;
	sqlite3_stmt *st           = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db,
	        "INSERT INTO assignments (id, cadre_id, unit, role, "
	        "valid_from, valid_to, decision, replaces, handover_note, "
	        "sector) "
	        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO "
	        "UPDATE SET valid_to = excluded.valid_to",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot store the assignment");
	}
	sqlite3_bind_blob(st, 1, a->id, 16, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, a->cadre, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, a->unit, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, a->role);
	sqlite3_bind_int(st, 5, a->from);
	if (a->to) {
		sqlite3_bind_int(st, 6, a->to);
	}
	sqlite3_bind_text(st, 7, a->decision, -1, SQLITE_STATIC);
	if (a->replaces) {
		sqlite3_bind_blob(st, 8, a->replaces, 16, SQLITE_STATIC);
	}
	sqlite3_bind_text(st, 9, a->note, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, a->sector, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE
	    ? COSO_OK
	    : cosoi_db_fail(s, "cannot store the assignment");
}

/*
 * An assignment's days lie within its unit's: from its first day, and,
 * for a unit that ended (a district after the 2025 reform, a merged
 * commune), with an end on or before the unit's.
 */
static int
assign_span(struct coso_store *s, const char *unit, int32_t from, int32_t to)
{
	struct cosoi_span u;
	char end[11];
	int rv;

	if ((rv = cosoi_unit_span(s, "unit", unit, &u)) != COSO_OK) {
		return rv;
	}
	if (from < u.from || (u.to != 0 && from > u.to)) {
		return cosoi_span_refuse(s, "unit", unit, &u, from);
	}
	if (u.to != 0 && (to == 0 || to > u.to)) {
		coso_date_format(end, u.to);
		return cosoi_fail(s, COSO_EDATE,
		    "unit: %s (%s) ended on %s: an assignment to it must end "
		    "by then (--to %s at the latest)",
		    u.name, unit, end, end);
	}
	return COSO_OK;
}

static int
assign_check(struct coso_store *s, const struct coso_assign_in *in)
{
	int rv;

	if ((rv = cosoi_ident_ok(s, "cadre", in->cadre_id)) != COSO_OK
	    || (rv = cosoi_cadre_known(s, "cadre", in->cadre_id)) != COSO_OK) {
		return rv;
	}
	if ((in->unit == NULL) == (in->sector == NULL)) {
		return cosoi_fail(s, COSO_EFIELD,
		    "unit, sector: give one of the two, not both");
	}
	if ((in->unit != NULL && (rv = cosoi_unit_known(s, "unit", in->unit)))
	    || (in->sector != NULL && (rv = sector_known(s, in->sector)))) {
		return rv;
	}
	if (in->role < COSO_ROLE_IN_CHARGE || in->role > COSO_ROLE_SUPPORT) {
		return cosoi_fail(
		    s, COSO_EFIELD, "role: in-charge, monitor or support");
	}
	if (!date_valid(in->from) || (in->to != 0 && !date_valid(in->to))) {
		return cosoi_fail(s, COSO_EDATE, "dates: not a valid date");
	}
	if (in->to != 0 && in->to < in->from) {
		return cosoi_fail(s, COSO_EDATE,
		    "dates: the assignment ends before it begins");
	}
	return in->unit != NULL ? assign_span(s, in->unit, in->from, in->to)
	                        : COSO_OK;
}

int
coso_admin_assign(struct coso_store *s, const struct coso_assign_in *in,
    uint8_t id[static 16])
{
	struct assignment a = {.cadre = in->cadre_id,
	    .unit                     = in->unit,
	    .sector                   = in->sector,
	    .role                     = (int) in->role,
	    .from                     = in->from,
	    .to                       = in->to};
	struct coso_body *b = NULL;
	char *decision      = NULL;
	int rv;

	if ((rv = cosoi_admin_ready(s)) || (rv = assign_check(s, in))
	    || (rv = cosoi_text(s, "decision", in->decision, &decision))) {
		goto out;
	}
	a.decision = decision;
	coso_uuid7(a.id, coso_wall_ms());
	if ((rv = coso_body_new(&b)) || (rv = assignment_op(b, &a))) {
		rv = body_fail(s, "assignment", rv);
		goto out;
	}
	if ((rv = sign_with(s, b, assignment_local, &a)) == COSO_OK) {
		memcpy(id, a.id, 16);
	}
out:
	coso_body_free(b);
	free(decision);
	return rv;
}

int
cosoi_assign_stage(
    struct coso_store *s, const struct coso_assign_in *in, struct coso_body *b)
{
	struct assignment a = {.cadre = in->cadre_id,
	    .unit                     = in->unit,
	    .sector                   = in->sector,
	    .role                     = (int) in->role,
	    .from                     = in->from,
	    .to                       = in->to};
	char *decision      = NULL;
	int rv;

	if ((rv = assign_check(s, in))
	    || (rv = cosoi_text(s, "decision", in->decision, &decision))) {
		goto out;
	}
	a.decision = decision;
	coso_uuid7(a.id, coso_wall_ms());
	if ((rv = assignment_op(b, &a)) != COSO_OK) {
		rv = body_fail(s, "assignment", rv);
		goto out;
	}
	rv = assignment_local(s, &a);
out:
	free(decision);
	return rv;
}

/* The active assignment of a cadre on a unit on date, from the store. */
static int
active_assignment(struct coso_store *s, const struct coso_rotate_in *in,
    struct assignment *old, char **decision)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db,
	        "SELECT id, role, valid_from, decision FROM assignments "
	        "WHERE cadre_id = ?1 AND unit = ?2 AND valid_from < ?3 AND "
	        "(valid_to IS NULL OR valid_to >= ?3) "
	        "ORDER BY valid_from DESC LIMIT 1",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot read the assignments");
	}
	sqlite3_bind_text(st, 1, in->cadre_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, in->unit, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, in->date);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW
	    && sqlite3_column_bytes(st, 0) == 16) {
		memcpy(old->id, sqlite3_column_blob(st, 0), 16);
		old->role = sqlite3_column_int(st, 1);
		old->from = sqlite3_column_int(st, 2);
		if (sqlite3_column_type(st, 3) == SQLITE_TEXT) {
			*decision = strdup(
			    (const char *) sqlite3_column_text(st, 3));
		}
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW) {
		return COSO_OK;
	}
	return rc != SQLITE_DONE
	    ? cosoi_db_fail(s, "cannot read the assignments")
	    : cosoi_fail(s, COSO_ENOENT,
	        "%s has no assignment on unit %s active before %d",
	        in->cadre_id, in->unit, in->date);
}

struct rotation {
	struct assignment old, new;
};

static int
rotation_local(struct coso_store *s, const void *arg)
{
	const struct rotation *r = arg;
	int rv;

	if ((rv = assignment_local(s, &r->old)) != COSO_OK) {
		return rv;
	}
	return assignment_local(s, &r->new);
}

static int
rotate_check(struct coso_store *s, const struct coso_rotate_in *in)
{
	int rv;

	if ((rv = cosoi_ident_ok(s, "cadre", in->cadre_id))
	    || (rv = cosoi_ident_ok(s, "to-cadre", in->to_cadre))
	    || (rv = cosoi_cadre_known(s, "to-cadre", in->to_cadre))
	    || (rv = cosoi_unit_known(s, "unit", in->unit))) {
		return rv;
	}
	if (strcmp(in->cadre_id, in->to_cadre) == 0) {
		return cosoi_fail(s, COSO_EFIELD,
		    "to-cadre: the same cadre as the one rotated out");
	}
	if (!date_valid(in->date)) {
		return cosoi_fail(s, COSO_EDATE, "date: not a valid date");
	}
	/* The new assignment runs from the date, open-ended. */
	return assign_span(s, in->unit, in->date, 0);
}

int
coso_admin_rotate(struct coso_store *s, const struct coso_rotate_in *in,
    uint8_t id[static 16])
{
	struct rotation r   = {{.cadre = in->cadre_id, .unit = in->unit},
	      {.cadre = in->to_cadre, .unit = in->unit, .from = in->date}};
	struct coso_body *b = NULL;
	char *note = NULL, *decision = NULL, *new_decision = NULL;
	int rv;

	if ((rv = cosoi_admin_ready(s)) || (rv = rotate_check(s, in))
	    || (rv = cosoi_text(s, "note", in->note, &note))
	    || (rv = cosoi_text(s, "decision", in->decision, &new_decision))
	    || (rv = active_assignment(s, in, &r.old, &decision))) {
		goto out;
	}
	r.old.to       = coso_date_of_days(coso_days(in->date) - 1);
	r.old.decision = decision;
	r.new.decision = new_decision;
	r.new.role     = r.old.role;
	r.new.replaces = r.old.id;
	r.new.note     = note;
	coso_uuid7(r.new.id, coso_wall_ms());
	if ((rv = coso_body_new(&b)) || (rv = assignment_op(b, &r.old))
	    || (rv = assignment_op(b, &r.new))) {
		rv = body_fail(s, "rotation", rv);
		goto out;
	}
	if ((rv = sign_with(s, b, rotation_local, &r)) == COSO_OK) {
		memcpy(id, r.new.id, 16);
	}
out:
	coso_body_free(b);
	free(note);
	free(decision);
	free(new_decision);
	return rv;
}

/*
 * Revocations and responses.
 */

/* The full key id of a short one (the first 8 to 63 hex digits, unique
 * among the keys seen), an ambiguous one refused naming the candidates
 * in full. */
static int
key_lookup(struct coso_store *s, const char *hex, uint8_t id[32])
{
	sqlite3_stmt *st      = NULL;
	char some[4 * 66 + 1] = "", h[65];
	int rc, n = 0;

	if (sqlite3_prepare_v2(s->db,
	        "SELECT key_id FROM keys WHERE length(key_id) = 32 AND "
	        "lower(hex(key_id)) LIKE lower(?) || '%' ORDER BY key_id "
	        "LIMIT 5",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot read the known keys");
	}
	sqlite3_bind_text(st, 1, hex, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memcpy(id, sqlite3_column_blob(st, 0), 32);
		if (++n <= 4) {
			coso_hex(h, id, 32);
			snprintf(some + strlen(some),
			    sizeof(some) - strlen(some), "%s%s",
			    n > 1 ? ", " : "", h);
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		return cosoi_db_fail(s, "cannot read the known keys");
	}
	if (n > 1) {
		return cosoi_fail(s, COSO_EEXIST,
		    "key %s: more than one known key begins so (%s%s); give "
		    "more digits",
		    hex, some, n > 4 ? ", …" : "");
	}
	return n == 1 ? COSO_OK
	              : cosoi_fail(s, COSO_ENOENT,
	                  "key %s: no key beginning so is known to this "
	                  "store (`coso sync' brings them); give the full "
	                  "key id (64 hex digits)",
	                  hex);
}

static int
key_id_parse(struct coso_store *s, const char *hex, uint8_t id[32])
{
	size_t n = hex != NULL ? strlen(hex) : 0, got = 0;
	uint8_t tmp[32];

	if (n < 8 || n > 64
	    || sodium_hex2bin(tmp, 32, hex, n & ~(size_t) 1, NULL, &got, NULL)
	        != 0
	    || got != n / 2 || strspn(hex, "0123456789abcdefABCDEF") != n) {
		return cosoi_fail(s, COSO_EFIELD,
		    "key: 8 to 64 hex digits (the start of a key id, or all "
		    "of it)");
	}
	if (n == 64) {
		memcpy(id, tmp, 32);
		return COSO_OK;
	}
	return key_lookup(s, hex, id);
}

static int
revoke_local(struct coso_store *s, const void *arg)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db,
	        "INSERT INTO keys (key_id, revoked) VALUES (?, 1) "
	        "ON CONFLICT (key_id) DO UPDATE SET revoked = 1",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot store the revocation");
	}
	sqlite3_bind_blob(st, 1, arg, 32, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE
	    ? COSO_OK
	    : cosoi_db_fail(s, "cannot store the revocation");
}

int
coso_admin_revoke(
    struct coso_store *s, const char *key_hex, const char *reason)
{
	struct coso_body *b = NULL;
	uint8_t id[32], row[16];
	char *why = NULL;
	int rv;

	if ((rv = cosoi_admin_ready(s)) || (rv = key_id_parse(s, key_hex, id))
	    || (rv = cosoi_text(s, "reason", reason, &why))) {
		goto out;
	}
	coso_uuid7(row, coso_wall_ms());
	if ((rv = coso_body_new(&b))
	    || (rv = coso_body_op(b, COSO_T_REVOCATION, row, COSO_UPSERT))
	    || (rv = coso_body_bytes(b, COSO_F_REVOCATION_KEY_ID, id, 32))
	    || (rv = opt_text(b, COSO_F_REVOCATION_REASON, why))) {
		rv = body_fail(s, "revocation", rv);
		goto out;
	}
	rv = sign_with(s, b, revoke_local, id);
out:
	coso_body_free(b);
	free(why);
	return rv;
}

struct response {
	uint8_t proposal[16];
	int status;
	const char *text;
};

static int
respond_local(struct coso_store *s, const void *arg)
{
	const struct response *r = arg;
	static const char *const names[]
	    = {"", "answered", "resolved", "declined"};
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db,
	        "UPDATE proposals SET status = ?, response = ? WHERE id = ?",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot store the response");
	}
	sqlite3_bind_text(st, 1, names[r->status], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->text, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, r->proposal, 16, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE
	    ? COSO_OK
	    : cosoi_db_fail(s, "cannot store the response");
}

/*
 * A proposal's id from at least 8 of its hex digits (a unique prefix, or
 * suffix, among the proposals this device holds: an admin device pulls
 * them all), or all 32 for one it has not pulled yet, which the central
 * checks (COSO_QREF).
 */
static int
proposal_id(struct coso_store *s, const char *hex, uint8_t id[16])
{
	char why[COSO_ERRMSG_MAX];
	size_t got = 0;
	int rv     = coso_id_resolve(s, "proposal", hex, id);

	if (rv != COSO_ENOENT || strlen(hex) != 32) {
		if (rv == COSO_ENOENT) {
			snprintf(why, sizeof(why), "%s", coso_store_errmsg(s));
			rv = cosoi_fail(s, rv,
			    "%s on this device: `coso sync' brings the "
			    "office's proposals, or give all 32 hex digits",
			    why);
		}
		return rv;
	}
	if (sodium_hex2bin(id, 16, hex, 32, NULL, &got, NULL) != 0
	    || got != 16) {
		return cosoi_fail(s, COSO_EFIELD,
		    "proposal: `%s' is not an id (8 to 32 hex digits)", hex);
	}
	return COSO_OK;
}

int
coso_admin_respond(struct coso_store *s, const char *proposal_hex,
    enum coso_response_status status, const char *text)
{
	struct response r   = {.status = (int) status};
	struct coso_body *b = NULL;
	char *norm          = NULL;
	uint8_t row[16];
	int rv;

	if ((rv = cosoi_admin_ready(s))
	    || (rv = cosoi_text(s, "text", text, &norm))) {
		goto out;
	}
	if ((rv = proposal_id(s, proposal_hex, r.proposal)) != COSO_OK) {
		goto out;
	}
	if (r.status < COSO_RESP_ANSWERED || r.status > COSO_RESP_DECLINED
	    || norm == NULL) {
		rv = cosoi_fail(s, COSO_EFIELD,
		    norm == NULL ? "text: the response is empty"
		                 : "status: answered, resolved or declined");
		goto out;
	}
	r.text = norm;
	coso_uuid7(row, coso_wall_ms());
	if ((rv = coso_body_new(&b))
	    || (rv = coso_body_op(b, COSO_T_RESPONSE, row, COSO_UPSERT))
	    || (rv
	        = coso_body_bytes(b, COSO_F_RESPONSE_PROPOSAL, r.proposal, 16))
	    || (rv = coso_body_int(b, COSO_F_RESPONSE_STATUS, r.status))
	    || (rv
	        = coso_body_text(b, COSO_F_RESPONSE_TEXT, norm, strlen(norm)))
	    || (rv = coso_body_int(b, COSO_F_RESPONSE_DATE,
	            coso_date_of_ms(coso_wall_ms())))) {
		rv = body_fail(s, "response", rv);
		goto out;
	}
	rv = sign_with(s, b, respond_local, &r);
out:
	coso_body_free(b);
	free(norm);
	return rv;
}

/*
 * The office's console (docs/central.md, "Console access").
 */

static int
console_check(struct coso_store *s, const struct coso_console_in *in)
{
	int rv;

	if ((rv = cosoi_ident_ok(s, "cadre", in->cadre_id))
	    || (rv = cosoi_cadre_known(s, "cadre", in->cadre_id))) {
		return rv;
	}
	if (in->role == COSO_CONSOLE_OFFICE
	    && (in->unit != NULL || in->sector != NULL)) {
		return cosoi_fail(s, COSO_EFIELD,
		    "role: the office sees the whole province; a unit or a "
		    "sector is for a leader");
	}
	if (in->role == COSO_CONSOLE_LEADER
	    && (in->unit == NULL) == (in->sector == NULL)) {
		return cosoi_fail(s, COSO_EFIELD,
		    "role: a leader sees one unit's subtree or one sector: "
		    "give --unit or --sector");
	}
	if (in->role != COSO_CONSOLE_LEADER
	    && in->role != COSO_CONSOLE_OFFICE) {
		return cosoi_fail(s, COSO_EFIELD, "role: leader or office");
	}
	if (in->valid_to != 0 && !date_valid(in->valid_to)) {
		return cosoi_fail(
		    s, COSO_EFIELD, "until: %d is not a day", in->valid_to);
	}
	if ((in->unit != NULL
	        && ((rv = cosoi_ident_ok(s, "unit", in->unit))
	            || (rv = cosoi_unit_known(s, "unit", in->unit))))
	    || (in->sector != NULL
	        && ((rv = cosoi_ident_ok(s, "sector", in->sector))
	            || (rv = sector_known(s, in->sector))))) {
		return rv;
	}
	return COSO_OK;
}

static int
null_or_text(struct coso_body *b, uint32_t field, const char *t)
{
	return t != NULL ? coso_body_text(b, field, t, strlen(t))
	                 : coso_body_null(b, field);
}

int
coso_admin_console_grant(
    struct coso_store *s, const struct coso_console_in *in)
{
	struct coso_body *b = NULL;
	uint8_t row[16];
	int rv;

	if ((rv = cosoi_admin_ready(s)) || (rv = console_check(s, in))) {
		return rv;
	}
	coso_uuid_named(row, "console_access", in->cadre_id);
	if ((rv = coso_body_new(&b))
	    || (rv = coso_body_op(b, COSO_T_CONSOLE_ACCESS, row, COSO_UPSERT))
	    || (rv = coso_body_text(b, COSO_F_CONSOLE_ACCESS_CADRE_ID,
	            in->cadre_id, strlen(in->cadre_id)))
	    || (rv = coso_body_int(
	            b, COSO_F_CONSOLE_ACCESS_ROLE, (int64_t) in->role))
	    || (rv = null_or_text(b, COSO_F_CONSOLE_ACCESS_UNIT, in->unit))
	    || (rv = null_or_text(b, COSO_F_CONSOLE_ACCESS_SECTOR, in->sector))
	    || (rv = coso_body_int(
	            b, COSO_F_CONSOLE_ACCESS_VALID_TO, in->valid_to))) {
		rv = body_fail(s, "console access", rv);
	} else {
		rv = sign_with(s, b, NULL, NULL);
	}
	coso_body_free(b);
	return rv;
}

int
coso_admin_console_end(struct coso_store *s, const char *cadre_id)
{
	struct coso_body *b = NULL;
	uint8_t row[16];
	int rv;

	if ((rv = cosoi_admin_ready(s))
	    || (rv = cosoi_ident_ok(s, "cadre", cadre_id))
	    || (rv = cosoi_cadre_known(s, "cadre", cadre_id))) {
		return rv;
	}
	coso_uuid_named(row, "console_access", cadre_id);
	if ((rv = coso_body_new(&b))
	    || (rv
	        = coso_body_op(b, COSO_T_CONSOLE_ACCESS, row, COSO_DELETE))) {
		rv = body_fail(s, "console access", rv);
	} else {
		rv = sign_with(s, b, NULL, NULL);
	}
	coso_body_free(b);
	return rv;
}
