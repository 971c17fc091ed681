/*
 * digest.h: a deterministic SHA-256 over the materialised state, so two
 * central databases (the live one and one rebuilt from its log) can be
 * compared with one line.  The encoding is in docs/central.md, "Digest".
 */
#ifndef COSOD_DIGEST_H
#define COSOD_DIGEST_H

#include <stdint.h>

#include "central_store.h"

#define DIGEST_HEX 65 /* 64 hex digits and a NUL */

/* Digest of s's materialised tables.  Reads only; any thread that owns
 * the handle. */
COSO_NODISCARD int digest_compute(
    struct central_store *s, uint8_t out[static 32]);

/* Lowercase hex of a digest. */
void digest_hex(char out[static DIGEST_HEX], const uint8_t d[static 32]);

#endif /* COSOD_DIGEST_H */
