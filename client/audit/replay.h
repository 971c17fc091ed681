/*
 * replay.h: `coso-audit rebuild`: the verified log replayed by `cosod
 * central rebuild --entries` through the central's own merge code, and
 * the state digest compared with the one the central serves.
 */
#ifndef COSO_AUDIT_REPLAY_H
#define COSO_AUDIT_REPLAY_H

#include "audit.h"

struct replay_result {
	int done;         /* the replay ran to the end */
	uint64_t size;    /* entries replayed: the central's digest size */
	char central[65]; /* the digest the central serves */
	char rebuilt[65]; /* the digest of the replay */
	struct api_tables tables; /* the central's, per table */
};

/*
 * Fetches the central's digest (and the number of entries it covers),
 * verifies the whole log as `verify --full` does while writing the first
 * size entries to DIR/entries.bin, runs cosod (path, or `cosod' beside
 * this program, or on PATH) to replay them into DIR/rebuild.db, and
 * compares.  Anomalies go to rep; the return is as check_run's.
 */
int replay_run(struct audit_cfg *cfg, const char *dir, const char *cosod,
    struct fetch *f, struct audit_state *st, struct report *rep,
    struct audit_result *res, struct replay_result *rr,
    char err[static AUDIT_ERR_MAX]);

#endif /* COSO_AUDIT_REPLAY_H */
