/*
 * rebuild.h: replaying a central's log into a fresh database through the
 * same merge code, to show that the materialised state follows from the
 * log alone (`cosod central rebuild`; an auditor runs it on the entries
 * it downloaded).
 */
#ifndef COSOD_REBUILD_H
#define COSOD_REBUILD_H

#include <stdint.h>
#include <stdio.h>

#include "store.h"
#include "log.h"

/*
 * Prepares dst (fresh, from cstore_create) from src's settings: the
 * central public key, the origin, and the central key's registration.
 * No secret key is needed or copied.
 */
COSO_NODISCARD int rebuild_prepare(
    struct central_store *src, struct central_store *dst);

/*
 * Merges every entry of src's log, in order, into dst.  The stored facts
 * of each entry (bytes, sender, received time, receipt) are taken as
 * they are; the verdict is decided again and compared: *mismatch counts
 * entries whose verdict, reason or position differ (each is logged).
 */
COSO_NODISCARD int rebuild_replay(struct central_store *src,
    struct central_store *dst, const struct clog *log, uint64_t *entries,
    uint64_t *mismatch);

/*
 * The same from an entries file (FORMAT.md, "Entries file"), as an
 * auditor downloaded it: dst (fresh) is prepared from the file's header
 * (central key, origin), then every entry is merged in order.  Indexes
 * must run 0, 1, 2, ...; a malformed file fails with its error and the
 * entry index in errmsg.  Receipts are not in the file: the rebuilt log
 * keeps none.
 */
COSO_NODISCARD int rebuild_from_file(FILE *f, struct central_store *dst,
    const struct clog *log, uint64_t *entries, uint64_t *mismatch,
    char errmsg[static CSTORE_ERRMSG_MAX]);

/*
 * Rolls dst (a central database, such as one restored from a backup)
 * forward with an entries file of the same central: the header must name
 * dst's central key and origin; the entries dst holds already must be
 * the file's at the same positions (a difference fails with COSO_EINVAL,
 * errmsg naming the entry); the file's entries past dst's log are merged
 * in order, as rebuild_from_file does.  *entries: the file's entries;
 * *added: those merged; *mismatch: those that got another verdict.  No
 * checkpoint is signed here: the caller does, with the central key.
 */
COSO_NODISCARD int rebuild_forward_file(FILE *f, struct central_store *dst,
    const struct clog *log, uint64_t *entries, uint64_t *added,
    uint64_t *mismatch, char errmsg[static CSTORE_ERRMSG_MAX]);

#endif /* COSOD_REBUILD_H */
