/*
 * boxcache.h: crypto_box shared keys with the devices, computed once per
 * peer public key and kept in a bounded LRU cache (an X25519 scalar
 * multiplication per request would cost more than the rest of a STATUS).
 *
 * Entries are reference counted: one in use is never freed, so the cache
 * may hold more than its bound while many are in use at once.  A box is
 * read-only once made (wire.c), so holders on different threads may use
 * one entry at the same time.  All functions are thread-safe.
 */
#ifndef COSOD_BOXCACHE_H
#define COSOD_BOXCACHE_H

#include <stddef.h>
#include <stdint.h>

#include <coso/proto.h>

struct boxcache;
struct boxent;

/* A cache of at most cap idle entries for the central key self (which
 * must outlive the cache). */
COSO_NODISCARD int boxcache_new(
    struct boxcache **out, const struct coso_key *self, size_t cap);
void boxcache_free(struct boxcache *bc); /* accepts NULL */

/* The entry for peer_pk, made if missing, held until boxcache_put. */
COSO_NODISCARD int boxcache_get(
    struct boxcache *bc, const uint8_t peer_pk[static 32], struct boxent **e);
void boxcache_put(struct boxcache *bc, struct boxent *e); /* accepts NULL */

const struct coso_box *boxent_box(const struct boxent *e);

#endif /* COSOD_BOXCACHE_H */
