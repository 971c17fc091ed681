/*
 * refs.h: what a record names must exist, on the days it says.  The
 * office's rows name cadres and units: an assignment's cadre and unit, a
 * token's cadre, a team's leader; an assignment's days must lie within
 * its unit's (valid_from to valid_to).  A visit's unit must exist on the
 * visit's date.  The devices check the same before signing (admin.c,
 * visit.c); these checks hold for a device that did not.
 *
 * As in auth.h: COSO_OK or a store failure; the decision in *reason (0,
 * COSO_QREF for a name that is not there, COSO_QUNITDATE for a unit that
 * did not exist on the days).  Writer thread.
 */
#ifndef COSOD_REFS_H
#define COSOD_REFS_H

#include <stdint.h>

#include "store.h"

/* The references of an upsert of an admin table (others pass). */
COSO_NODISCARD int refs_admin(
    struct central_store *s, const struct coso_op *op, int *reason);

/* A unit that exists on date: unknown, COSO_QREF; not on that day,
 * COSO_QUNITDATE. */
COSO_NODISCARD int refs_unit_on(struct central_store *s, const char *unit,
    size_t len, int32_t date, int *reason);

#endif /* COSOD_REFS_H */
