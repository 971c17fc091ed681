/*
 * gossip.h: `coso-audit ... gossip FILE...': what devices saw of the
 * central (their gossip files, FORMAT.md "Gossip file"), checked against
 * the log this auditor is served.
 */
#ifndef COSO_AUDIT_GOSSIP_H
#define COSO_AUDIT_GOSSIP_H

#include "audit.h"

struct gossip_result {
	uint64_t files;           /* files read */
	uint64_t checkpoints;     /* device notes checked against the view */
	uint64_t consistent;      /* of them, consistent with it */
	uint64_t receipts;        /* receipts verified into their checkpoint */
	uint64_t device_evidence; /* pairs the devices kept themselves */
	uint64_t view_size;       /* the central's checkpoint now */
	char view_origin[COSO_ORIGIN_MAX + 1];
};

/*
 * Checks every file: each checkpoint note signed by the pinned key, each
 * receipt and its inclusion proof into the note of its tree size, and
 * every note (those the device kept as evidence too) against this
 * auditor's view: the central's checkpoint now and the one verified last
 * (the state).  The same size with another root, a smaller tree whose
 * consistency proof into the view fails, a larger tree than the central
 * now serves or one the view does not extend: a split view, reported as
 * an anomaly with the device's note and the central's kept in the state
 * directory (state_evidence).  Returns AUDIT_OK (anomalies in rep),
 * AUDIT_NET or AUDIT_MEM with err set.
 */
int gossip_run(const struct audit_cfg *cfg, struct fetch *f,
    struct audit_state *st, char *const *files, size_t nfiles,
    struct report *rep, struct gossip_result *res,
    char err[static AUDIT_ERR_MAX]);

#endif /* COSO_AUDIT_GOSSIP_H */
