/*
 * logcheck.h: the central's log against its own signed checkpoints.  The
 * checkpoints are the only part of the database that a change made
 * outside the central (sqlite3, a restored file) cannot redo without the
 * central's key, so `run` checks them at start and `rebuild` checks the
 * rebuilt tree against them (docs/central.md, "Self-checks").
 *
 * Functions read through the store's interface and never print; a
 * difference is an error (COSO_EINVAL, or the verifier's error for a
 * note that does not verify) with a sentence naming it in errmsg;
 * COSO_EIO is a store failure, its sentence in errmsg too.  Any thread
 * that owns the handles.
 */
#ifndef COSOD_LOGCHECK_H
#define COSOD_LOGCHECK_H

#include <stdint.h>

#include "store.h"

/* Entries whose rows `run` hashes again at start (the newest ones). */
#define LOGCHECK_TAIL 256u

/*
 * The central's C2SP verifier key for its checkpoints, "<origin>+<key
 * id>+<base64(0x01 || public key)>", from meta `central_pk` and
 * `origin`; malloc'd into *vkey (caller frees).
 */
COSO_NODISCARD int logcheck_vkey(struct central_store *s, char **vkey,
    char errmsg[static CSTORE_ERRMSG_MAX]);

/*
 * Before `run` serves s, in one read snapshot: the newest checkpoint
 * verifies with the central key under the origin and is stored under its
 * own size; that size is the log's next position and its number of
 * entries (none removed, none added); the stored tree has the signed
 * root; and the last LOGCHECK_TAIL entries, hashed again from their rows
 * (id = SHA-256 of the bytes, author and seq those of the change-set,
 * the leaf from the row), are the stored leaves and give the signed root
 * from the stored subtrees before them.  A log without entries needs no
 * checkpoint; one with entries does.
 */
COSO_NODISCARD int logcheck_start(
    struct central_store *s, char errmsg[static CSTORE_ERRMSG_MAX]);

/*
 * After `rebuild`: the tree of dst (rebuilt from src's log) against
 * every checkpoint stored in src.  Each must verify with src's key under
 * its origin, be stored under its own size and have the root of dst's
 * tree at that size; the newest must be of dst's whole tree.  Those
 * that hold are copied into dst (so that the rebuilt database can `run`
 * and serve them); *copied counts them.  The first difference found ends
 * the check.
 */
COSO_NODISCARD int logcheck_rebuilt(struct central_store *src,
    struct central_store *dst, uint64_t *copied,
    char errmsg[static CSTORE_ERRMSG_MAX]);

#endif /* COSOD_LOGCHECK_H */
