/*
 * pull.h: what a device receives on PULL, and its cursor.
 *
 * Scope for cadre C: accepted change-sets with an op of unit, sector,
 * team, schedule or cadre; assignments of C; responses to C's proposals;
 * and the records (visits, outcomes, proposals, reports, handovers) of
 * units under C's current or coming assignments, by any author.  And
 * the requesting key's own chain, accepted or quarantined, whatever its
 * scope: a device restored from an old copy pulls back what it signed
 * since (the device leaves out what it holds).
 *
 * The cursor is opaque to devices.  Its low 32 bits are the last log
 * position examined.  A new assignment brings the history of areas
 * whose records the device passed over before it covered them: when a
 * reply carries an assignment of C and records of C's areas lie at or
 * below the old cursor, the next pulls first replay those records
 * (records only: they are append-only, so a replay changes nothing the
 * device has), with the progress of that replay in the high bits
 * (position + 1; 0 when none).
 */
#ifndef COSOD_PULL_H
#define COSOD_PULL_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define PULL_ITEMS_MAX 1000u

/*
 * One PULL reply's items for cadre's key self (a key id), given to cb
 * (see cstore_pull) in one read transaction.  *cursor_out and *more are the
 * reply's.  today is the central's date (YYYYMMDD).  Any thread owning the
 * handle.
 */
COSO_NODISCARD int pull_serve(struct central_store *s, const char *cadre,
    const uint8_t self[static 32], int32_t today, uint64_t cursor,
    cstore_pull_cb cb, void *arg, uint64_t *cursor_out, int *more);

#endif /* COSOD_PULL_H */
