/*
 * apply.c: the ops of an accepted change-set into the materialised
 * tables.
 *
 * Mutable rows merge per field by last-writer-wins on (weight, author
 * key id), compared as (u64, then 32 bytes lexicographically).  The
 * weight is the change-set's HLC, unless that was ahead of the central's
 * received time beyond the tolerance (merge.c): a device whose clock is
 * far ahead does not win every comparison for as long as it lives.  Existence
 * is field 0 of the row ("deleted"): an upsert writes 0, a delete writes 1,
 * under the same rule, so a delete is a tombstone that a later upsert can
 * lift and an earlier one cannot.  Every field is an independent
 * register, so any order of the same change-sets gives the same state.
 * Equal stamps (two ops on one row in one change-set) keep the first.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include <coso/common.h>

#include "apply.h"
#include "auth.h"
#include "refs.h"

static int
same_value(const struct coso_value *a, const struct cstore_val *b)
{
	if (a->type != b->type) {
		return 0;
	}
	if (a->type == COSO_VINT) {
		return a->i == b->i;
	}
	if (a->type == COSO_VNULL) {
		return 1;
	}
	return a->len == b->len
	    && (a->len == 0 || memcmp(a->p, b->p, a->len) == 0);
}

/* Records that LWW chose between two authors' different values. */
static int
conflict(const struct apply_ctx *c, const struct coso_op *op, uint32_t field,
    const struct coso_value *incoming, const struct cstore_stamp *in,
    const struct cstore_stamp *cur)
{
	struct cstore_val old = {0};
	struct coso_value oldv;
	struct cstore_conflict k;
	int rv, in_wins = cstore_stamp_after(in, cur);

	rv = cstore_field_get(c->s, op->table, op->row, field, &old);
	if (rv != COSO_OK || same_value(incoming, &old)) {
		cstore_val_clear(&old);
		return rv;
	}
	oldv = (struct coso_value) {old.type, old.i, old.p, old.len};
	k    = (struct cstore_conflict) {.position = c->position,
	       .table                              = op->table,
	       .field                              = field,
	       .lose_value                         = in_wins ? &oldv : incoming,
	       .lose                               = in_wins ? *cur : *in,
	       .win                                = in_wins ? *in : *cur};
	memcpy(k.row, op->row, 16);
	rv = cstore_conflict_add(c->s, &k);
	cstore_val_clear(&old);
	return rv;
}

/* One field of a mutable row under last-writer-wins. */
static int
lww_field(const struct apply_ctx *c, const struct coso_op *op, uint32_t field,
    const struct coso_value *v)
{
	struct cstore_stamp in = {.hlc = c->weight}, cur;
	int rv;

	memcpy(in.author, c->author->key_id, 32);
	rv = cstore_stamp_get(c->s, op->table, op->row, field, &cur);
	if (rv == COSO_OK) {
		if (!cstore_stamp_after(&in, &cur)
		    && !cstore_stamp_after(&cur, &in)) {
			return COSO_OK;
		}
		if (memcmp(cur.author, in.author, 32) != 0
		    && (rv = conflict(c, op, field, v, &in, &cur)) != 0) {
			return rv;
		}
		if (!cstore_stamp_after(&in, &cur)) {
			return COSO_OK;
		}
	} else if (rv != COSO_ENOENT) {
		return rv;
	}
	if ((rv = cstore_field_set(c->s, op->table, op->row, field, v)) != 0) {
		return rv;
	}
	return cstore_stamp_set(c->s, op->table, op->row, field, &in);
}

/* Field 0 of a materialised mutable row: whether it is deleted
 * (store.h); last-writer-wins like the others. */
#define ROW_DELETED 0

static int
apply_mutable(const struct apply_ctx *c, const struct coso_op *op)
{
	struct coso_value gone
	    = {.type = COSO_VINT, .i = op->kind == COSO_DELETE};
	size_t i;
	int rv;

	if ((rv = cstore_row_touch(c->s, op->table, op->row)) != COSO_OK
	    || (rv = lww_field(c, op, ROW_DELETED, &gone)) != COSO_OK) {
		return rv;
	}
	for (i = 0; op->kind == COSO_UPSERT && i < op->nfields; i++) {
		rv = lww_field(c, op, op->fields[i].id, &op->fields[i].v);
		if (rv != COSO_OK) {
			return rv;
		}
	}
	return COSO_OK;
}

static int
apply_append(const struct apply_ctx *c, const struct coso_op *op, int *reason)
{
	struct cstore_rowmeta meta
	    = {.cadre_id = c->author->cadre_id, .hlc = c->hlc};
	int rv, exists;

	if ((rv = cstore_row_exists(c->s, op->table, op->row, &exists)) != 0) {
		return rv;
	}
	if (exists) {
		*reason = COSO_QIMMUT;
		return COSO_OK;
	}
	memcpy(meta.author, c->author->key_id, 32);
	memcpy(meta.cs, c->cs_id, 32);
	return cstore_row_insert(c->s, op, &meta);
}

/* ---- value checks of admin tables ----------------------------------------
 */

/* An int field absent, null or in [lo, hi]. */
static int
int_ok(const struct coso_op *op, uint32_t id, int64_t lo, int64_t hi)
{
	const struct coso_value *v = auth_field_value(op, id);

	return v == NULL || v->type != COSO_VINT || (v->i >= lo && v->i <= hi);
}

/* A bytes field absent, null or of exactly n bytes. */
static int
bytes_ok(const struct coso_op *op, uint32_t id, size_t n)
{
	const struct coso_value *v = auth_field_value(op, id);

	return v == NULL || v->type != COSO_VBYTES || v->len == n;
}

/* An identifier field (cadre id, unit or sector code) of at most
 * COSO_ID_MAX bytes: every store and message holds one whole. */
static int
id_ok(const struct coso_op *op, uint32_t id)
{
	const struct coso_value *v = auth_field_value(op, id);

	return v == NULL || v->type != COSO_VTEXT || v->len <= COSO_ID_MAX;
}

/* A device key row is named after its key id, so one key is one row. */
static int
device_key_ok(const struct coso_op *op)
{
	const struct coso_value *pk
	    = auth_field_value(op, COSO_F_DEVICE_KEY_PUBLIC_KEY);
	uint8_t id[32], row[16];

	if (op->kind == COSO_DELETE) {
		return 1;
	}
	if (pk == NULL || pk->type != COSO_VBYTES || pk->len != 32
	    || !crypto_core_ed25519_is_valid_point(pk->p)) {
		return 0;
	}
	coso_keyid_of(id, pk->p);
	coso_device_key_row(row, id);
	return memcmp(row, op->row, 16) == 0
	    && int_ok(op, COSO_F_DEVICE_KEY_ROLE, 1, 2)
	    && bytes_ok(op, COSO_F_DEVICE_KEY_TOKEN_HASH, 32);
}

/* A text field that is absent, null or empty: "no such limit". */
static int
text_none(const struct coso_op *op, uint32_t id)
{
	const struct coso_value *v = auth_field_value(op, id);

	return v == NULL || v->type == COSO_VNULL
	    || (v->type == COSO_VTEXT && v->len == 0);
}

/*
 * A console_access row is named after its cadre, so a cadre has one
 * grant and a newer change-set replaces it.  An office grant names no
 * unit or sector; a leader's names exactly one of them (its subtree
 * root or its sector).  valid_to is a real day, or 0 or null.
 */
static int
console_access_ok(const struct coso_op *op)
{
	const struct coso_value *c
	    = auth_field_value(op, COSO_F_CONSOLE_ACCESS_CADRE_ID);
	const struct coso_value *to
	    = auth_field_value(op, COSO_F_CONSOLE_ACCESS_VALID_TO);
	const struct coso_value *role
	    = auth_field_value(op, COSO_F_CONSOLE_ACCESS_ROLE);
	char id[COSO_ID_MAX + 1];
	uint8_t row[16];
	int nu, ns;

	if (op->kind == COSO_DELETE) {
		return 1;
	}
	if (c == NULL || c->type != COSO_VTEXT || c->len == 0
	    || c->len > COSO_ID_MAX || role == NULL || role->type != COSO_VINT
	    || !id_ok(op, COSO_F_CONSOLE_ACCESS_UNIT)
	    || !id_ok(op, COSO_F_CONSOLE_ACCESS_SECTOR)) {
		return 0;
	}
	memcpy(id, c->p, c->len);
	id[c->len] = 0;
	coso_uuid_named(row, "console_access", id);
	if (memcmp(row, op->row, 16) != 0
	    || (to != NULL && to->type == COSO_VINT && to->i != 0
	        && (to->i > INT32_MAX || !coso_date_valid((int32_t) to->i)))) {
		return 0;
	}
	nu = !text_none(op, COSO_F_CONSOLE_ACCESS_UNIT);
	ns = !text_none(op, COSO_F_CONSOLE_ACCESS_SECTOR);
	if (role->i == COSO_CONSOLE_OFFICE) {
		return !nu && !ns;
	}
	return role->i == COSO_CONSOLE_LEADER && nu + ns == 1;
}

/* A revocation names a registered key other than the central's. */
static int
revocation_ok(const struct apply_ctx *c, const struct coso_op *op, int *reason)
{
	const struct coso_value *k
	    = auth_field_value(op, COSO_F_REVOCATION_KEY_ID);
	struct cstore_author a;
	int rv;

	if (k == NULL || k->type != COSO_VBYTES || k->len != 32) {
		*reason = COSO_ESCHEMA;
		return COSO_OK;
	}
	rv = cstore_author_get(c->s, k->p, &a);
	if (rv == COSO_ENOENT) {
		*reason = COSO_QREF;
		return COSO_OK;
	}
	if (rv == COSO_OK && a.role == CSTORE_ROLE_CENTRAL) {
		*reason = COSO_ESCHEMA;
	}
	return rv;
}

/* A response names an existing proposal with a known status. */
static int
response_ok(const struct apply_ctx *c, const struct coso_op *op, int *reason)
{
	const struct coso_value *p
	    = auth_field_value(op, COSO_F_RESPONSE_PROPOSAL);
	int rv, exists = 0;

	if (!int_ok(op, COSO_F_RESPONSE_STATUS, 1, 3)) {
		*reason = COSO_ESCHEMA;
		return COSO_OK;
	}
	if (p != NULL && p->type == COSO_VBYTES && p->len == 16
	    && (rv = cstore_row_exists(c->s, COSO_T_PROPOSAL, p->p, &exists))
	        != COSO_OK) {
		return rv;
	}
	*reason = exists ? 0 : COSO_QREF;
	return COSO_OK;
}

static int
check_values(const struct apply_ctx *c, const struct coso_op *op, int *reason)
{
	int ok = 1;

	*reason = 0;
	switch (op->table) {
	case COSO_T_UNIT:
		ok = int_ok(op, COSO_F_UNIT_LEVEL, 1, 5)
		    && id_ok(op, COSO_F_UNIT_CODE);
		break;
	case COSO_T_CADRE:
		ok = id_ok(op, COSO_F_CADRE_CADRE_ID);
		break;
	case COSO_T_SECTOR:
		ok = id_ok(op, COSO_F_SECTOR_CODE);
		break;
	case COSO_T_DEVICE_KEY:
		ok = device_key_ok(op);
		break;
	case COSO_T_TOKEN:
		ok = bytes_ok(op, COSO_F_TOKEN_TOKEN_HASH, 32);
		break;
	case COSO_T_REVOCATION:
		return revocation_ok(c, op, reason);
	case COSO_T_ASSIGNMENT:
		ok = int_ok(op, COSO_F_ASSIGNMENT_ROLE, 1, 3)
		    && bytes_ok(op, COSO_F_ASSIGNMENT_REPLACES, 16);
		break;
	case COSO_T_RESPONSE:
		return response_ok(c, op, reason);
	case COSO_T_SCHEDULE:
		ok = int_ok(op, COSO_F_SCHEDULE_KIND, 1, 3);
		break;
	case COSO_T_CONSOLE_ACCESS:
		ok = console_access_ok(op);
		break;
	default:
		break;
	}
	if (!ok) {
		*reason = COSO_ESCHEMA;
		return COSO_OK;
	}
	return refs_admin(c->s, op, reason);
}

/* ---- effects beyond the row ----------------------------------------------
 */

static int
key_field(const struct apply_ctx *c, const uint8_t row[static 16],
    uint32_t field, struct cstore_val *v)
{
	return cstore_field_get(c->s, COSO_T_DEVICE_KEY, row, field, v);
}

/* The key registry follows the device_keys row: a new key is enrolled at
 * this position; a deleted row revokes it here.  Revocation is final. */
static int
sync_author(const struct apply_ctx *c, const uint8_t row[static 16])
{
	struct cstore_val pk = {0}, cadre = {0}, role = {0}, gone = {0};
	struct cstore_author a;
	uint8_t id[32];
	int rv;

	if ((rv = key_field(c, row, COSO_F_DEVICE_KEY_PUBLIC_KEY, &pk)) != 0
	    || (rv = key_field(c, row, COSO_F_DEVICE_KEY_CADRE_ID, &cadre))
	        != 0
	    || (rv = key_field(c, row, COSO_F_DEVICE_KEY_ROLE, &role)) != 0
	    || (rv = key_field(c, row, ROW_DELETED, &gone)) != 0
	    || pk.len != 32 || cadre.type != COSO_VTEXT) {
		goto out;
	}
	coso_keyid_of(id, pk.p);
	rv = cstore_author_get(c->s, id, &a);
	if (rv == COSO_ENOENT && !gone.i) {
		a = (struct cstore_author) {.next_seq = 1,
		    .enrolled                         = (int64_t) c->position,
		    .revoked                          = -1};
		memcpy(a.key_id, id, 32);
		memcpy(a.pk, pk.p, 32);
	} else if (rv != COSO_OK || a.role == CSTORE_ROLE_CENTRAL) {
		rv = rv == COSO_ENOENT ? COSO_OK : rv;
		goto out;
	}
	snprintf(a.cadre_id, sizeof(a.cadre_id), "%s", (const char *) cadre.p);
	a.role = (int) role.i;
	if (gone.i && a.revoked < 0) {
		a.revoked = (int64_t) c->position;
	}
	rv = cstore_author_put(c->s, &a);
out:
	cstore_val_clear(&pk);
	cstore_val_clear(&cadre);
	cstore_val_clear(&role);
	cstore_val_clear(&gone);
	return rv;
}

/* The first device_key row that names a token's hash uses the token for
 * good: its record never changes, whatever later happens to the row
 * (auth_enroll). */
static int
token_use(const struct apply_ctx *c, const struct coso_op *op)
{
	const struct coso_value *t
	    = auth_field_value(op, COSO_F_DEVICE_KEY_TOKEN_HASH);
	const struct coso_value *pk
	    = auth_field_value(op, COSO_F_DEVICE_KEY_PUBLIC_KEY);
	uint8_t id[32];

	if (op->kind == COSO_DELETE || t == NULL || t->type != COSO_VBYTES
	    || pk == NULL || pk->type != COSO_VBYTES) {
		return COSO_OK;
	}
	coso_keyid_of(id, pk->p);
	return cstore_token_use(c->s, t->p, id, c->position);
}

static int
device_key(const struct apply_ctx *c, const struct coso_op *op)
{
	int rv = sync_author(c, op->row);

	return rv == COSO_OK ? token_use(c, op) : rv;
}

static int
revoke(const struct apply_ctx *c, const struct coso_op *op)
{
	const struct coso_value *k
	    = auth_field_value(op, COSO_F_REVOCATION_KEY_ID);
	struct cstore_author a;
	int rv = cstore_author_get(c->s, k->p, &a);

	if (rv != COSO_OK || a.revoked >= 0) {
		return rv;
	}
	a.revoked = (int64_t) c->position;
	return cstore_author_put(c->s, &a);
}

/* A response sets its proposal's status; it is pulled by the cadre who
 * made the proposal, and by whoever covers the proposal's unit (a
 * leader above it, the cadre who took the area over), who hold the
 * proposal. */
static int
respond(const struct apply_ctx *c, const struct coso_op *op)
{
	const struct coso_value *p
	    = auth_field_value(op, COSO_F_RESPONSE_PROPOSAL);
	const struct coso_value *st
	    = auth_field_value(op, COSO_F_RESPONSE_STATUS);
	struct cstore_stamp stamp = {.hlc = c->weight};
	struct cstore_val unit    = {0};
	struct cstore_author by;
	uint8_t key[32];
	int rv;

	memcpy(stamp.author, c->author->key_id, 32);
	rv = cstore_proposal_respond(c->s, p->p, st->i, op->row, &stamp);
	if (rv == COSO_OK
	    && (rv = cstore_field_get(
	            c->s, COSO_T_PROPOSAL, p->p, COSO_F_PROPOSAL_UNIT, &unit))
	        == COSO_OK
	    && unit.type == COSO_VTEXT) {
		rv = cstore_scope_add(c->s, c->position, CSTORE_SCOPE_UNIT,
		    (const char *) unit.p, unit.len);
	}
	cstore_val_clear(&unit);
	if (rv != COSO_OK
	    || (rv = cstore_row_author(c->s, COSO_T_PROPOSAL, p->p, key)) != 0
	    || (rv = cstore_author_get(c->s, key, &by)) != COSO_OK) {
		return rv == COSO_ENOENT ? COSO_OK : rv;
	}
	return cstore_scope_add(c->s, c->position, CSTORE_SCOPE_RESPONSE,
	    by.cadre_id, strlen(by.cadre_id));
}

/* An assignment is pulled by its cadre (before and after this op). */
static int
assignment_scope(const struct apply_ctx *c, const struct coso_op *op)
{
	const struct coso_value *v
	    = auth_field_value(op, COSO_F_ASSIGNMENT_CADRE_ID);
	struct cstore_val now = {0};
	int rv                = COSO_OK;

	if (v != NULL && v->type == COSO_VTEXT) {
		rv = cstore_scope_add(c->s, c->position,
		    CSTORE_SCOPE_ASSIGNMENT, (const char *) v->p, v->len);
	}
	if (rv == COSO_OK
	    && (rv = cstore_field_get(c->s, op->table, op->row,
	            COSO_F_ASSIGNMENT_CADRE_ID, &now))
	        == COSO_OK
	    && now.type == COSO_VTEXT) {
		rv = cstore_scope_add(c->s, c->position,
		    CSTORE_SCOPE_ASSIGNMENT, (const char *) now.p, now.len);
	}
	cstore_val_clear(&now);
	return rv;
}

/* Scope kind of the text in op's field, or else in the row's field as
 * merged (an update that leaves the field out). */
static int
field_scope(const struct apply_ctx *c, const struct coso_op *op,
    uint32_t field, enum cstore_scope kind)
{
	const struct coso_value *v = auth_field_value(op, field);
	struct cstore_val now      = {0};
	int rv;

	if (v != NULL && v->type == COSO_VTEXT) {
		return cstore_scope_add(
		    c->s, c->position, kind, (const char *) v->p, v->len);
	}
	rv = cstore_field_get(c->s, op->table, op->row, field, &now);
	if (rv == COSO_OK && now.type == COSO_VTEXT) {
		rv = cstore_scope_add(
		    c->s, c->position, kind, (const char *) now.p, now.len);
	}
	cstore_val_clear(&now);
	return rv == COSO_ENOENT ? COSO_OK : rv;
}

/* A move is pulled by the devices of the unit, of where it was and of
 * where it went. */
static int
move_scope(const struct apply_ctx *c, const struct coso_op *op)
{
	static const uint32_t fields[] = {COSO_F_UNIT_MOVE_CODE,
	    COSO_F_UNIT_MOVE_OLD_PARENT, COSO_F_UNIT_MOVE_NEW_PARENT};
	size_t i;
	int rv = COSO_OK;

	for (i = 0; i < 3 && rv == COSO_OK; i++) {
		rv = field_scope(c, op, fields[i], CSTORE_SCOPE_TREE);
	}
	return rv;
}

static int
table_effects(const struct apply_ctx *c, const struct coso_op *op,
    const struct auth_target *t)
{
	switch (op->table) {
	case COSO_T_DEVICE_KEY:
		return device_key(c, op);
	case COSO_T_REVOCATION:
		return revoke(c, op);
	case COSO_T_RESPONSE:
		return respond(c, op);
	case COSO_T_ASSIGNMENT:
		return assignment_scope(c, op);
	case COSO_T_UNIT:
		return field_scope(c, op, COSO_F_UNIT_CODE, CSTORE_SCOPE_TREE);
	case COSO_T_UNIT_MOVE:
		return move_scope(c, op);
	case COSO_T_CADRE:
		return field_scope(
		    c, op, COSO_F_CADRE_CADRE_ID, CSTORE_SCOPE_CADRE);
	case COSO_T_SECTOR:
	case COSO_T_TEAM:
	case COSO_T_SCHEDULE:
		return cstore_scope_add(
		    c->s, c->position, CSTORE_SCOPE_REFERENCE, "", 0);
	case COSO_T_TOKEN:
	case COSO_T_CONSOLE_ACCESS: /* the office's devices: office_scope */
		return COSO_OK;
	default:
		return cstore_scope_add(c->s, c->position, CSTORE_SCOPE_UNIT,
		    t->unit, t->unit_len);
	}
}

/*
 * The office's devices (admin keys) pull every proposal, response, token,
 * device key and revocation: what `coso proposal list' and `coso admin
 * … list' show there, and what `coso admin respond' takes an id from.  A
 * device key is pulled by its own cadre too: its device learns its role
 * from it, and refuses to sign admin commands with a field key.
 */
static int
office_scope(const struct apply_ctx *c, const struct coso_op *op)
{
	struct cstore_val cadre = {0};
	int rv                  = COSO_OK;

	switch (op->table) {
	case COSO_T_DEVICE_KEY:
		rv = cstore_field_get(c->s, op->table, op->row,
		    COSO_F_DEVICE_KEY_CADRE_ID, &cadre);
		if (rv == COSO_OK && cadre.type == COSO_VTEXT) {
			rv = cstore_scope_add(c->s, c->position,
			    CSTORE_SCOPE_KEY, (const char *) cadre.p,
			    cadre.len);
		}
		cstore_val_clear(&cadre);
		if (rv != COSO_OK && rv != COSO_ENOENT) {
			return rv;
		}
		break;
	case COSO_T_PROPOSAL:
	case COSO_T_RESPONSE:
	case COSO_T_TOKEN:
	case COSO_T_REVOCATION:
	case COSO_T_CONSOLE_ACCESS:
		break;
	default:
		return COSO_OK;
	}
	return cstore_scope_add(c->s, c->position, CSTORE_SCOPE_OFFICE, "", 0);
}

static int
effects(const struct apply_ctx *c, const struct coso_op *op,
    const struct auth_target *t)
{
	int rv = table_effects(c, op, t);

	return rv == COSO_OK ? office_scope(c, op) : rv;
}

/* Authorises op k; *t receives a field record's unit (see auth_field). */
static int
authorise(const struct apply_ctx *c, size_t k, struct auth_target *t,
    char **buf, int *reason)
{
	const struct coso_op *op = &c->ops->ops[k];

	*buf = NULL;
	if (coso_schema_table(op->table)->admin) {
		if ((*reason = auth_admin(c->author)) != 0) {
			return COSO_OK;
		}
		return check_values(c, op, reason);
	}
	return auth_field(
	    c->s, c->author, c->ops, k, c->received_ms, t, buf, reason);
}

int
apply_ops(const struct apply_ctx *c, int *reason)
{
	const struct coso_op *op;
	struct auth_target t;
	char *buf;
	size_t k;
	int rv = COSO_OK;

	*reason = 0;
	for (k = 0; k < c->ops->nops && rv == COSO_OK && *reason == 0; k++) {
		op = &c->ops->ops[k];
		memset(&t, 0, sizeof(t));
		if ((rv = authorise(c, k, &t, &buf, reason)) == COSO_OK
		    && *reason == 0) {
			rv = coso_schema_table(op->table)->append_only
			    ? apply_append(c, op, reason)
			    : apply_mutable(c, op);
		}
		if (rv == COSO_OK && *reason == 0) {
			rv = effects(c, op, &t);
		}
		free(buf);
	}
	return rv;
}
