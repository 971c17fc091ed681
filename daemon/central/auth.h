/*
 * auth.h: who may write what.  Admin tables need an admin key; a field
 * record needs its author's cadre to hold an assignment covering the
 * record's unit (or an ancestor of it) on the record's date; enrollment
 * needs a live token for the cadre.
 *
 * Functions return COSO_OK or a store failure (COSO_EIO, COSO_ENOMEM);
 * the decision is in *reason: 0 when allowed, else the coso_err code the
 * change-set or request is quarantined or refused with.  Writer thread.
 */
#ifndef COSOD_AUTH_H
#define COSOD_AUTH_H

#include <stdint.h>

#include "store.h"

/* The value of field id in an op, or NULL if absent. */
const struct coso_value *auth_field_value(
    const struct coso_op *op, uint32_t id);

/* COSO_OK if the author may write admin tables, else COSO_QADMIN. */
int auth_admin(const struct cstore_author *a);

/* How a field record's date is judged against its author's assignments
 * (docs/decisions.md, "The grace after an assignment ends"). */
enum auth_rule {
	AUTH_ON_DATE  = 0, /* an assignment valid on the date */
	AUTH_HANDOVER = 1, /* one valid on a day of the COSO_GRACE_DAYS up
	                      to the date */
	AUTH_REPORT = 2,   /* one valid on the date, or one overlapping the
	                      period whose end (or the period's, if later)
	                      is at most COSO_GRACE_DAYS before the date */
};

/* The unit and date a field record is judged on. */
struct auth_target {
	const char *unit;
	size_t unit_len;
	int32_t date;
	enum auth_rule rule;
	int32_t first, last; /* AUTH_REPORT: the report's period */
};

/*
 * Checks field-table op k of ops by author a, whose log entry was
 * received at received_ms: its date (a real day, from 2000-01-01 to two
 * days after the Vietnamese day of receipt, else COSO_ESCHEMA), its
 * references (an outcome's visit, a proposal's source: in this
 * change-set or already merged, by the same author; a correction's
 * amended record: merged, of the same table and cadre), that its unit
 * exists, and the assignment by the record's rule (enum auth_rule: a
 * handover, a report and a report's proposals have the grace after an
 * assignment ends).  *target receives the unit (pointing into
 * ops or into *buf, which the caller frees) for the PULL index.
 */
COSO_NODISCARD int auth_field(struct central_store *s,
    const struct cstore_author *a, const struct coso_ops *ops, size_t k,
    uint64_t received_ms, struct auth_target *target, char **buf, int *reason);

/*
 * Checks an enrollment: SHA-256(token) names a token row for cadre, not
 * expired at now_ms, whose use record (cstore_token_user) names no key;
 * and pk is not registered yet, so that an enrolled key never changes
 * cadre or role by enrolling again.  *already is 1 if the token's record
 * names this very key (a repeated ENROLL, the reply lost).  A revoked
 * key: COSO_QREVOKED.
 */
COSO_NODISCARD int auth_enroll(struct central_store *s,
    const uint8_t token[static 32], const char *cadre,
    const uint8_t pk[static 32], uint64_t now_ms, int *already, int *reason);

#endif /* COSOD_AUTH_H */
