/*
 * auth.c: authorisation at merge and enrollment checks.
 */
#include <stdlib.h>
#include <string.h>

#include <coso/common.h>

#include "auth.h"
#include "refs.h"

#define DATE_MAX 99991231 /* above: a report's submitted is a time */
#define TIME_MAX INT64_C(253402300799999) /* 9999-12-31 23:59:59.999 */
/* The window of a record's date: from DATE_FIRST to DATE_AHEAD days
 * after the central's day of receipt (docs/decisions.md, "Dates"). */
#define DATE_FIRST 20000101
#define DATE_AHEAD 2

const struct coso_value *
auth_field_value(const struct coso_op *op, uint32_t id)
{
	size_t i;

	for (i = 0; i < op->nfields; i++) {
		if (op->fields[i].id == id) {
			return &op->fields[i].v;
		}
	}
	return NULL;
}

int
auth_admin(const struct cstore_author *a)
{
	return a->role == CSTORE_ROLE_ADMIN || a->role == CSTORE_ROLE_CENTRAL
	    ? COSO_OK
	    : COSO_QADMIN;
}

/* Unit and date fields of a record that names its unit itself; 0 if the
 * table has none (outcome). */
static int
unit_date_fields(uint32_t table, uint32_t *unit, uint32_t *date)
{
	switch (table) {
	case COSO_T_VISIT:
		*unit = COSO_F_VISIT_UNIT, *date = COSO_F_VISIT_DATE;
		return 1;
	case COSO_T_PROPOSAL:
		*unit = COSO_F_PROPOSAL_UNIT, *date = COSO_F_PROPOSAL_DATE;
		return 1;
	case COSO_T_REPORT:
		*unit = COSO_F_REPORT_UNIT;
		*date = COSO_F_REPORT_SUBMITTED; /* Unix ms */
		return 1;
	case COSO_T_HANDOVER:
		*unit = COSO_F_HANDOVER_UNIT, *date = COSO_F_HANDOVER_DATE;
		return 1;
	default:
		return 0;
	}
}

/* A real day in the window of a record received on day today. */
static int
date_ok(int32_t date, int32_t today)
{
	return coso_date_valid(date) && date >= DATE_FIRST
	    && date <= coso_date_add(today, DATE_AHEAD);
}

/* The target of a record carrying unit and date, received on day today;
 * COSO_ESCHEMA if the date is not a day of its window. */
static int
own_target(const struct coso_op *op, int32_t today, struct auth_target *t)
{
	const struct coso_value *u, *d;
	uint32_t uf, df;

	if (!unit_date_fields(op->table, &uf, &df)
	    || (u = auth_field_value(op, uf)) == NULL
	    || (d = auth_field_value(op, df)) == NULL || u->type != COSO_VTEXT
	    || d->type != COSO_VINT) {
		return COSO_ESCHEMA;
	}
	t->unit     = (const char *) u->p;
	t->unit_len = u->len;
	if (op->table == COSO_T_REPORT && d->i > DATE_MAX
	    && d->i <= TIME_MAX) {
		/* submitted is a time (FORMAT.md); a YYYYMMDD date, as
		 * devices have written it, is taken as the date itself.  The
		 * two cannot be confused: a time after 1970-01-02 is more
		 * than 10^8 ms. */
		t->date = coso_date_of_ms((uint64_t) d->i);
	} else if (d->i > 0 && d->i <= DATE_MAX) {
		t->date = (int32_t) d->i;
	} else {
		return COSO_ESCHEMA;
	}
	return date_ok(t->date, today) ? COSO_OK : COSO_ESCHEMA;
}

/* The op of this change-set writing row of table, or NULL. */
static const struct coso_op *
op_in(const struct coso_ops *ops, uint32_t table, const uint8_t *row)
{
	size_t i;

	for (i = 0; i < ops->nops; i++) {
		if (ops->ops[i].table == table
		    && memcmp(ops->ops[i].row, row, 16) == 0) {
			return &ops->ops[i];
		}
	}
	return NULL;
}

/* Whether a merged row of table was written by a's key. */
static int
merged_by(struct central_store *s, uint32_t table, const uint8_t *row,
    const struct cstore_author *a, int *yes)
{
	uint8_t author[32];
	int rv = cstore_row_author(s, table, row, author);

	*yes = rv == COSO_OK && memcmp(author, a->key_id, 32) == 0;
	return rv == COSO_ENOENT ? COSO_OK : rv;
}

/* An outcome's target: its visit's, from this change-set or merged. */
static int
visit_target(struct central_store *s, const struct cstore_author *a,
    const struct coso_ops *ops, const struct coso_value *visit, int32_t today,
    struct auth_target *t, char **buf, int *reason)
{
	struct cstore_val u = {0}, d = {0};
	const struct coso_op *v;
	int rv, mine;

	if (visit == NULL || visit->type != COSO_VBYTES || visit->len != 16) {
		*reason = COSO_QREF;
		return COSO_OK;
	}
	if ((v = op_in(ops, COSO_T_VISIT, visit->p)) != NULL) {
		*reason = own_target(v, today, t);
		return COSO_OK;
	}
	if ((rv = merged_by(s, COSO_T_VISIT, visit->p, a, &mine)) != COSO_OK
	    || !mine) {
		*reason = COSO_QREF;
		return rv;
	}
	if ((rv = cstore_field_get(
	         s, COSO_T_VISIT, visit->p, COSO_F_VISIT_UNIT, &u))
	        != 0
	    || (rv = cstore_field_get(
	            s, COSO_T_VISIT, visit->p, COSO_F_VISIT_DATE, &d))
	        != 0) {
		cstore_val_clear(&u);
		return rv;
	}
	*buf        = (char *) u.p;
	t->unit     = *buf;
	t->unit_len = u.len;
	t->date     = (int32_t) d.i;
	return COSO_OK;
}

/* A proposal's source: a visit or report of this author. */
static int
source_known(struct central_store *s, const struct cstore_author *a,
    const struct coso_ops *ops, const struct coso_op *op, int *reason)
{
	const struct coso_value *src
	    = auth_field_value(op, COSO_F_PROPOSAL_SOURCE);
	int rv, mine = 0;

	*reason = COSO_QREF;
	if (src == NULL || src->type != COSO_VBYTES || src->len != 16) {
		return COSO_OK;
	}
	if (op_in(ops, COSO_T_VISIT, src->p) != NULL
	    || op_in(ops, COSO_T_REPORT, src->p) != NULL) {
		*reason = 0;
		return COSO_OK;
	}
	if ((rv = merged_by(s, COSO_T_VISIT, src->p, a, &mine)) != COSO_OK
	    || (!mine
	        && (rv = merged_by(s, COSO_T_REPORT, src->p, a, &mine))
	            != COSO_OK)) {
		return rv;
	}
	*reason = mine ? 0 : COSO_QREF;
	return COSO_OK;
}

/* A report's period into t: the rule becomes AUTH_REPORT;
 * text that is no period leaves the rule as it is. */
static void
period_rule(
    enum coso_vtype type, const uint8_t *p, size_t len, struct auth_target *t)
{
	char buf[16];

	if (type != COSO_VTEXT || len >= sizeof(buf)) {
		return;
	}
	memcpy(buf, p, len);
	buf[len] = '\0';
	if (coso_period_parse(buf, &t->first, &t->last) == COSO_OK) {
		t->rule = AUTH_REPORT;
	}
}

/* The period of the report src (in this change-set or merged) that a
 * proposal comes from, into t; nothing if src is a visit. */
static int
source_period(struct central_store *s, const struct coso_ops *ops,
    const uint8_t *src, struct auth_target *t)
{
	const struct coso_op *r = op_in(ops, COSO_T_REPORT, src);
	const struct coso_value *p;
	struct cstore_val v = {0};
	int rv;

	if (r != NULL) {
		if ((p = auth_field_value(r, COSO_F_REPORT_PERIOD)) != NULL) {
			period_rule(p->type, p->p, p->len, t);
		}
		return COSO_OK;
	}
	rv = cstore_field_get(s, COSO_T_REPORT, src, COSO_F_REPORT_PERIOD, &v);
	if (rv == COSO_OK) {
		period_rule(v.type, v.p, v.len, t);
	}
	cstore_val_clear(&v);
	return rv == COSO_ENOENT ? COSO_OK : rv;
}

/* Whether the author's cadre may write t by its rule (auth_rule). */
static int
assigned(struct central_store *s, const struct cstore_author *a,
    const struct auth_target *t, int *yes)
{
	int32_t end = 0, lim;
	int rv;

	if (t->rule == AUTH_HANDOVER) {
		rv   = cstore_cover_end(s, a->cadre_id, t->unit, t->unit_len,
		      coso_date_add(t->date, -COSO_GRACE_DAYS), t->date, &end);
		*yes = end != 0;
		return rv;
	}
	rv = cstore_covers(s, a->cadre_id, t->unit, t->unit_len, t->date, yes);
	if (rv != COSO_OK || *yes || t->rule != AUTH_REPORT) {
		return rv;
	}
	rv = cstore_cover_end(
	    s, a->cadre_id, t->unit, t->unit_len, t->first, t->last, &end);
	/* A late report: the grace runs from the later of the
	 * assignment's end and the period's end. */
	lim  = end > t->last ? end : t->last;
	*yes = end != 0
	    && (lim >= t->date
	        || coso_date_add(lim, COSO_GRACE_DAYS) >= t->date);
	return rv;
}

/* The unit exists (a visit's, on its date: refs.c) and the author's cadre
 * is assigned to it, by the target's rule. */
static int
covered(struct central_store *s, const struct cstore_author *a, uint32_t table,
    const struct auth_target *t, int *reason)
{
	int rv, yes;

	if ((rv = cstore_unit_exists(s, t->unit, t->unit_len, &yes)) != 0) {
		return rv;
	}
	if (!yes) {
		*reason = COSO_QREF;
		return COSO_OK;
	}
	if (table == COSO_T_VISIT
	    && ((rv = refs_unit_on(s, t->unit, t->unit_len, t->date, reason))
	            != COSO_OK
	        || *reason != 0)) {
		return rv;
	}
	rv      = assigned(s, a, t, &yes);
	*reason = yes ? 0 : COSO_QUNAUTH;
	return rv;
}

/* The `amends' field of a table, 0 if it has none. */
static uint32_t
amends_field(uint32_t table)
{
	if (table == COSO_T_VISIT) {
		return COSO_F_VISIT_AMENDS;
	}
	return table == COSO_T_REPORT ? COSO_F_REPORT_AMENDS : 0;
}

/* The unit (into *buf, caller frees) and date of a merged visit or
 * report, read as own_target reads them from an op. */
static int
merged_target(struct central_store *s, uint32_t table, const uint8_t *row,
    struct auth_target *t, char **buf)
{
	struct cstore_val u = {0}, d = {0};
	uint32_t uf = 0, df = 0;
	int rv;

	(void) unit_date_fields(table, &uf, &df);
	if ((rv = cstore_field_get(s, table, row, uf, &u)) != COSO_OK
	    || (rv = cstore_field_get(s, table, row, df, &d)) != COSO_OK) {
		cstore_val_clear(&u);
		return rv;
	}
	*buf        = (char *) u.p;
	t->unit     = *buf;
	t->unit_len = u.len;
	t->date     = table == COSO_T_REPORT && d.i > DATE_MAX
	        ? coso_date_of_ms((uint64_t) d.i)
	        : (int32_t) d.i;
	return COSO_OK;
}

/*
 * A correction (a visit's or report's `amends') replaces, in every view
 * that shows the latest version, the record it names.  So that no cadre
 * can hide another's work, that record must be one of this table merged
 * before (or earlier in this change-set), else COSO_QREF; merged for the
 * author's cadre (any of its keys: a new device corrects what the old one
 * wrote), and on the correction's unit or on one the cadre covers on the
 * record's date, else COSO_QAMEND.  t is the correction's own target.
 */
static int
amends_ok(struct central_store *s, const struct cstore_author *a,
    const struct coso_op *op, const struct auth_target *t, int *reason)
{
	const struct coso_value *v;
	struct auth_target old = {0};
	char cadre[CSTORE_CADRE_MAX + 1];
	char *buf = NULL;
	int rv, yes = 0;

	if (amends_field(op->table) == 0
	    || (v = auth_field_value(op, amends_field(op->table))) == NULL
	    || v->type == COSO_VNULL) {
		return COSO_OK;
	}
	*reason = COSO_QREF;
	if (v->type != COSO_VBYTES || v->len != 16) {
		return COSO_OK;
	}
	if ((rv = cstore_row_cadre(s, op->table, v->p, cadre)) != COSO_OK) {
		return rv == COSO_ENOENT ? COSO_OK : rv;
	}
	*reason = COSO_QAMEND;
	if (strcmp(cadre, a->cadre_id) != 0
	    || (rv = merged_target(s, op->table, v->p, &old, &buf)) != 0) {
		return rv;
	}
	if (old.unit_len == t->unit_len
	    && memcmp(old.unit, t->unit, t->unit_len) == 0) {
		yes = 1;
	} else {
		rv = cstore_covers(
		    s, a->cadre_id, old.unit, old.unit_len, old.date, &yes);
	}
	*reason = yes ? 0 : COSO_QAMEND;
	free(buf);
	return rv;
}

/* The rule a record of op's table is judged by: a handover's and a
 * report's own, a proposal's that of the report it comes from. */
static int
rule_of(struct central_store *s, const struct coso_ops *ops,
    const struct coso_op *op, struct auth_target *t)
{
	const struct coso_value *v;

	switch (op->table) {
	case COSO_T_HANDOVER:
		t->rule = AUTH_HANDOVER;
		return COSO_OK;
	case COSO_T_REPORT:
		if ((v = auth_field_value(op, COSO_F_REPORT_PERIOD)) != NULL) {
			period_rule(v->type, v->p, v->len, t);
		}
		return COSO_OK;
	case COSO_T_PROPOSAL:
		/* source_known checked it */
		v = auth_field_value(op, COSO_F_PROPOSAL_SOURCE);
		return source_period(s, ops, v->p, t);
	default:
		return COSO_OK;
	}
}

int
auth_field(struct central_store *s, const struct cstore_author *a,
    const struct coso_ops *ops, size_t k, uint64_t received_ms,
    struct auth_target *target, char **buf, int *reason)
{
	const struct coso_op *op = &ops->ops[k];
	int32_t today            = coso_date_of_ms(received_ms);
	int rv;

	*reason = 0;
	*buf    = NULL;
	if (op->table == COSO_T_OUTCOME) {
		rv = visit_target(s, a, ops,
		    auth_field_value(op, COSO_F_OUTCOME_VISIT), today, target,
		    buf, reason);
	} else if (op->table == COSO_T_PROPOSAL
	    && ((rv = source_known(s, a, ops, op, reason)) != COSO_OK
	        || *reason != 0)) {
		return rv;
	} else {
		*reason = own_target(op, today, target);
		rv      = rule_of(s, ops, op, target);
	}
	if (rv != COSO_OK || *reason != 0
	    || (rv = covered(s, a, op->table, target, reason)) != COSO_OK
	    || *reason != 0) {
		return rv;
	}
	return amends_ok(s, a, op, target, reason);
}

int
auth_enroll(struct central_store *s, const uint8_t token[static 32],
    const char *cadre, const uint8_t pk[static 32], uint64_t now_ms,
    int *already, int *reason)
{
	struct cstore_token t;
	struct cstore_author a;
	uint8_t hash[32], id[32], user[32];
	int rv, used, known;

	*already = 0;
	*reason  = COSO_QTOKEN;
	coso_sha256(hash, token, 32);
	coso_keyid_of(id, pk);
	if ((rv = cstore_token_get(s, hash, &t)) != COSO_OK) {
		return rv == COSO_ENOENT ? COSO_OK : rv;
	}
	if (strcmp(t.cadre_id, cadre) != 0) {
		return COSO_OK;
	}
	rv    = cstore_author_get(s, id, &a);
	known = rv == COSO_OK;
	if ((rv != COSO_OK && rv != COSO_ENOENT)
	    || (rv = cstore_token_user(s, hash, &used, user)) != COSO_OK) {
		return rv;
	}
	if (known && a.revoked >= 0) {
		*reason = COSO_QREVOKED; /* revocation is final */
	} else if (used) {
		/* The same key again (a lost reply): enrolled already. */
		*already = memcmp(user, id, 32) == 0;
		*reason  = *already ? 0 : COSO_QTOKEN;
	} else if (!known) {
		*reason = t.expires >= 0 && (uint64_t) t.expires >= now_ms
		    ? 0
		    : COSO_QTOKEN;
	}
	/* A registered key is not enrolled again: that would rewrite its
	 * device_key row, its cadre and role. */
	return COSO_OK;
}
