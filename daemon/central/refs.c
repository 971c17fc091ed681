/*
 * refs.c: what the office's rows and a visit name must exist (refs.h).
 */
#include <string.h>

#include "auth.h"
#include "refs.h"

/* Field id of op, or of the row as merged when the op does not carry it
 * (an upsert may carry only the fields it changes); COSO_VNULL when
 * neither has it.  *owned: v holds the store's copy (cstore_val_clear). */
static int
value_of(struct central_store *s, const struct coso_op *op, uint32_t id,
    struct cstore_val *v, int *owned)
{
	const struct coso_value *f = auth_field_value(op, id);
	int rv;

	memset(v, 0, sizeof(*v));
	v->type = COSO_VNULL;
	*owned  = 0;
	if (f != NULL) {
		v->type = f->type;
		v->i    = f->i;
		v->p    = (uint8_t *) f->p; /* borrowed from op */
		v->len  = f->len;
		return COSO_OK;
	}
	rv = cstore_field_get(s, op->table, op->row, id, v);
	if (rv == COSO_ENOENT) {
		v->type = COSO_VNULL;
		return COSO_OK;
	}
	*owned = rv == COSO_OK;
	return rv;
}

static void
val_done(struct cstore_val *v, int owned)
{
	if (owned) {
		cstore_val_clear(v);
	}
}

/* A text field naming a cadre: absent or null passes. */
static int
cadre_ok(struct central_store *s, const struct coso_op *op, uint32_t id,
    int *reason)
{
	struct cstore_val v;
	int owned, rv, yes = 1;

	if ((rv = value_of(s, op, id, &v, &owned)) != COSO_OK) {
		return rv;
	}
	if (v.type == COSO_VTEXT) {
		rv = cstore_cadre_exists(s, (const char *) v.p, v.len, &yes);
	}
	val_done(&v, owned);
	*reason = yes ? 0 : COSO_QREF;
	return rv;
}

/* An int field as a date, 0 when absent or null. */
static int
date_of(
    struct central_store *s, const struct coso_op *op, uint32_t id, int32_t *d)
{
	struct cstore_val v;
	int owned, rv;

	if ((rv = value_of(s, op, id, &v, &owned)) != COSO_OK) {
		return rv;
	}
	*d = v.type == COSO_VINT ? (int32_t) v.i : 0;
	val_done(&v, owned);
	return COSO_OK;
}

/* An assignment's unit over its days [from, to] (to 0: open-ended). */
static int
assignment_unit_ok(
    struct central_store *s, const struct coso_op *op, int *reason)
{
	struct cstore_val u;
	int32_t from = 0, to = 0, first = 0, last = 0;
	int owned, rv;

	if ((rv = value_of(s, op, COSO_F_ASSIGNMENT_UNIT, &u, &owned))
	    != COSO_OK) {
		return rv;
	}
	if (u.type == COSO_VTEXT
	    && (rv = date_of(s, op, COSO_F_ASSIGNMENT_VALID_FROM, &from))
	        == COSO_OK
	    && (rv = date_of(s, op, COSO_F_ASSIGNMENT_VALID_TO, &to))
	        == COSO_OK) {
		rv = cstore_unit_span(
		    s, (const char *) u.p, u.len, &first, &last);
		if (rv == COSO_ENOENT) {
			*reason = COSO_QREF;
			rv      = COSO_OK;
		} else if (rv == COSO_OK
		    && (from < first
		        || (last != 0 && (to == 0 || to > last)))) {
			*reason = COSO_QUNITDATE;
		}
	}
	val_done(&u, owned);
	return rv;
}

/* A console grant's unit or sector, when it names one, exists. */
static int
code_ok(struct central_store *s, const struct coso_op *op, int *reason)
{
	const struct coso_value *u
	    = auth_field_value(op, COSO_F_CONSOLE_ACCESS_UNIT);
	const struct coso_value *k
	    = auth_field_value(op, COSO_F_CONSOLE_ACCESS_SECTOR);
	int rv = COSO_OK, yes = 1;

	if (u != NULL && u->type == COSO_VTEXT && u->len > 0) {
		rv = cstore_unit_exists(s, (const char *) u->p, u->len, &yes);
	} else if (k != NULL && k->type == COSO_VTEXT && k->len > 0) {
		rv = cstore_sector_exists(
		    s, (const char *) k->p, k->len, &yes);
	}
	*reason = yes ? 0 : COSO_QREF;
	return rv;
}

int
refs_admin(struct central_store *s, const struct coso_op *op, int *reason)
{
	int rv;

	*reason = 0;
	if (op->kind == COSO_DELETE) {
		return COSO_OK;
	}
	switch (op->table) {
	case COSO_T_ASSIGNMENT:
		if ((rv = cadre_ok(s, op, COSO_F_ASSIGNMENT_CADRE_ID, reason))
		        != COSO_OK
		    || *reason != 0) {
			return rv;
		}
		return assignment_unit_ok(s, op, reason);
	case COSO_T_TOKEN:
		return cadre_ok(s, op, COSO_F_TOKEN_CADRE_ID, reason);
	case COSO_T_TEAM:
		return cadre_ok(s, op, COSO_F_TEAM_LEADER, reason);
	case COSO_T_CONSOLE_ACCESS:
		if ((rv = cadre_ok(
		         s, op, COSO_F_CONSOLE_ACCESS_CADRE_ID, reason))
		        != COSO_OK
		    || *reason != 0) {
			return rv;
		}
		return code_ok(s, op, reason);
	default:
		return COSO_OK;
	}
}

int
refs_unit_on(struct central_store *s, const char *unit, size_t len,
    int32_t date, int *reason)
{
	int32_t first = 0, last = 0;
	int rv = cstore_unit_span(s, unit, len, &first, &last);

	*reason = 0;
	if (rv == COSO_ENOENT) {
		*reason = COSO_QREF;
		return COSO_OK;
	}
	if (rv == COSO_OK && (date < first || (last != 0 && date > last))) {
		*reason = COSO_QUNITDATE;
	}
	return rv;
}
