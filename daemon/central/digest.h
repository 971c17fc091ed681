/*
 * digest.h: a deterministic SHA-256 over the materialised state, so two
 * central databases (the live one and one rebuilt from its log) can be
 * compared with one line.  The encoding is in docs/central.md, "Digest".
 */
#ifndef COSOD_DIGEST_H
#define COSOD_DIGEST_H

#include <stdint.h>

#include "store.h"

#define DIGEST_HEX 65 /* 64 hex digits and a NUL */

/* Digest of s's materialised tables.  Reads only; any thread that owns
 * the handle. */
COSO_NODISCARD int digest_compute(
    struct central_store *s, uint8_t out[static 32]);

/* The same, and each table's own digest (the context string, then that
 * table's part of the encoding) into per[i] for the table named
 * digest_table_name(i), i < DIGEST_TABLES, so a difference can be traced
 * to a table.  per may be NULL. */
#define DIGEST_TABLES 18
COSO_NODISCARD int digest_compute_tables(
    struct central_store *s, uint8_t out[static 32], uint8_t (*per)[32]);
const char *digest_table_name(size_t i); /* NULL past the last */

/* Lowercase hex of a digest. */
void digest_hex(char out[static DIGEST_HEX], const uint8_t d[static 32]);

#endif /* COSOD_DIGEST_H */
