/*
 * cbor.h: the minimal deterministic CBOR (RFC 8949 §4.2.1) used by the
 * change-set body.  Private to the proto library.
 *
 * The reader walks a caller-owned buffer and enforces the canonical rules
 * that do not depend on context: shortest integer and length arguments,
 * no indefinite lengths, no reserved additional information.  Map key order
 * and the meaning of items are the caller's business.  The writer appends
 * canonical items to a growable buffer with a hard size limit.
 */
#ifndef COSO_CBOR_H
#define COSO_CBOR_H

#include <stddef.h>
#include <stdint.h>

#include <coso/proto.h>

/* Major types (RFC 8949 §3.1). */
enum cosoi_cbor_major {
	COSOI_CBOR_UINT   = 0,
	COSOI_CBOR_NEGINT = 1,
	COSOI_CBOR_BSTR   = 2,
	COSOI_CBOR_TSTR   = 3,
	COSOI_CBOR_ARRAY  = 4,
	COSOI_CBOR_MAP    = 5,
	COSOI_CBOR_TAG    = 6,
	COSOI_CBOR_SIMPLE = 7,
};

/* The one simple value the body uses: null, 0xf6. */
#define COSOI_CBOR_NULL 0xf6u

/* A read position in a buffer the caller owns. */
struct cosoi_cbor_rd {
	const uint8_t *buf;
	size_t len;
	size_t off;
};

static inline void
cosoi_cbor_rd_init(struct cosoi_cbor_rd *r, const uint8_t *buf, size_t len)
{
	r->buf = buf;
	r->len = len;
	r->off = 0;
}

/* Bytes not yet read. */
static inline size_t
cosoi_cbor_left(const struct cosoi_cbor_rd *r)
{
	return r->len - r->off;
}

/*
 * Reads one item head: its major type, and its argument (the integer value,
 * the string length, the item count; for major type 7 the additional
 * information or the raw following bytes).  For major types 0-6 a
 * non-shortest argument gives COSO_ENONCANON; for every major type
 * additional information 28-31 (reserved, indefinite or break) gives
 * COSO_ENONCANON.  COSO_ETRUNC if the head runs past the end.  On error the
 * position is unspecified.
 */
COSO_NODISCARD int cosoi_cbor_head(
    struct cosoi_cbor_rd *r, unsigned *major, uint64_t *arg);

/*
 * Takes n bytes from the reader: *p points into its buffer.  COSO_ETRUNC
 * if fewer than n remain.
 */
COSO_NODISCARD int cosoi_cbor_take(
    struct cosoi_cbor_rd *r, uint64_t n, const uint8_t **p);

/*
 * An output buffer (a coso_buf) that refuses to exceed max bytes.  Errors
 * are sticky: after the first failure every put is a no-op and
 * cosoi_cbor_wr_finish reports it.
 */
struct cosoi_cbor_wr {
	struct coso_buf b;
	int err;
};

void cosoi_cbor_wr_init(struct cosoi_cbor_wr *w, size_t max);

/* Frees the buffer of an unfinished writer. */
void cosoi_cbor_wr_free(struct cosoi_cbor_wr *w);

/* Appends a head with the shortest encoding of arg (major types 0-6). */
void cosoi_cbor_put_head(
    struct cosoi_cbor_wr *w, unsigned major, uint64_t arg);

/* Appends an integer as major type 0 or 1. */
void cosoi_cbor_put_int(struct cosoi_cbor_wr *w, int64_t v);

/* Appends a byte string (major 2) or a text string (major 3). */
void cosoi_cbor_put_string(
    struct cosoi_cbor_wr *w, unsigned major, const uint8_t *p, size_t len);

/* Appends null. */
void cosoi_cbor_put_null(struct cosoi_cbor_wr *w);

/*
 * Hands the buffer to the caller (*out malloc'd, caller frees) or, after
 * an error, frees it and returns that error.  The writer is empty after.
 */
COSO_NODISCARD int cosoi_cbor_wr_finish(
    struct cosoi_cbor_wr *w, uint8_t **out, size_t *out_len);

#endif /* COSO_CBOR_H */
