/*
 * proofs.h: the inclusion proofs a PUSH reply carries (FORMAT.md, "Wire"),
 * made after the group's COMMIT from the stored subtree hashes through
 * struct coso_tree_src, never by rehashing the log.
 *
 * The leaves of one reply are mostly consecutive, so their proofs share
 * most nodes: lookups go through a memo that lives for one call.  Any
 * thread; the store behind src is the caller's (the server uses a
 * read-only handle, off the writer thread).
 */
#ifndef COSOD_PROOFS_H
#define COSOD_PROOFS_H

#include <stddef.h>
#include <stdint.h>

#include <coso/proto.h>

/*
 * For each of the n items with a receipt, the inclusion proof of the leaf
 * its receipt names (the receipt's leaf_index: proof and receipt cannot
 * disagree) in the tree of size leaves.  items[i].proof points into *buf
 * (malloc'd; the caller frees it once the reply is encoded) and
 * items[i].nproof counts its hashes; items without a receipt get none.
 * *lookups, if not NULL, receives the number of subtree hashes asked of
 * src.  Returns COSO_OK, src's error, COSO_EINVAL for a receipt that is
 * not one or a leaf not in that tree, or COSO_ENOMEM; *buf is written
 * only on success.
 */
COSO_NODISCARD int proofs_fill(const struct coso_tree_src *src, uint64_t size,
    struct coso_msg_item *items, size_t n, uint8_t **buf, uint64_t *lookups);

#endif /* COSOD_PROOFS_H */
