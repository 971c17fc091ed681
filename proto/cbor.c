/*
 * cbor.c: canonical CBOR item heads, read and written.  Only what the body
 * needs: no floats, no tags, no indefinite lengths.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "cbor.h"

/* Smallest argument allowed for each of the additional infos 24..27. */
static const uint64_t shortest_min[4] = {
    24u,
    UINT64_C(1) << 8,
    UINT64_C(1) << 16,
    UINT64_C(1) << 32,
};

int
cosoi_cbor_head(struct cosoi_cbor_rd *r, unsigned *major, uint64_t *arg)
{
	unsigned ai, i, n;
	uint64_t v;

	if (cosoi_cbor_left(r) < 1) {
		return COSO_ETRUNC;
	}
	*major = r->buf[r->off] >> 5;
	ai     = r->buf[r->off] & 0x1fu;
	r->off++;
	if (ai < 24) {
		*arg = ai;
		return COSO_OK;
	}
	/* 28-30 are reserved (malformed), 31 is indefinite or break. */
	if (ai > 27) {
		return COSO_ENONCANON;
	}
	n = 1u << (ai - 24);
	if (cosoi_cbor_left(r) < n) {
		return COSO_ETRUNC;
	}
	v = 0;
	for (i = 0; i < n; i++) {
		v = (v << 8) | r->buf[r->off + i];
	}
	r->off += n;
	/* Major 7 carries simple values and floats: not lengths. */
	if (*major != COSOI_CBOR_SIMPLE && v < shortest_min[ai - 24]) {
		return COSO_ENONCANON;
	}
	*arg = v;
	return COSO_OK;
}

int
cosoi_cbor_take(struct cosoi_cbor_rd *r, uint64_t n, const uint8_t **p)
{
	if (n > cosoi_cbor_left(r)) {
		return COSO_ETRUNC;
	}
	*p = r->buf + r->off;
	r->off += (size_t) n;
	return COSO_OK;
}

void
cosoi_cbor_wr_init(struct cosoi_cbor_wr *w, size_t max)
{
	coso_buf_init(&w->b, max);
	w->err = COSO_OK;
}

void
cosoi_cbor_wr_free(struct cosoi_cbor_wr *w)
{
	coso_buf_free(&w->b);
}

static void
put_raw(struct cosoi_cbor_wr *w, const uint8_t *p, size_t n)
{
	if (w->err == COSO_OK) {
		w->err = coso_buf_add(&w->b, p, n);
	}
}

void
cosoi_cbor_put_head(struct cosoi_cbor_wr *w, unsigned major, uint64_t arg)
{
	uint8_t h[9];
	unsigned ai, n, i;

	assert(major < COSOI_CBOR_SIMPLE);
	if (arg < 24) {
		h[0] = (uint8_t) ((major << 5) | (unsigned) arg);
		put_raw(w, h, 1);
		return;
	}
	for (ai = 24; ai < 27 && arg >= shortest_min[ai - 24 + 1]; ai++) { }
	n    = 1u << (ai - 24);
	h[0] = (uint8_t) ((major << 5) | ai);
	for (i = 0; i < n; i++) {
		h[1 + i] = (uint8_t) (arg >> (8 * (n - 1 - i)));
	}
	put_raw(w, h, 1 + n);
}

void
cosoi_cbor_put_int(struct cosoi_cbor_wr *w, int64_t v)
{
	if (v >= 0) {
		cosoi_cbor_put_head(w, COSOI_CBOR_UINT, (uint64_t) v);
	} else {
		/* -1 - v without overflow, for every v including INT64_MIN. */
		cosoi_cbor_put_head(w, COSOI_CBOR_NEGINT, ~(uint64_t) v);
	}
}

void
cosoi_cbor_put_string(
    struct cosoi_cbor_wr *w, unsigned major, const uint8_t *p, size_t len)
{
	assert(major == COSOI_CBOR_BSTR || major == COSOI_CBOR_TSTR);
	cosoi_cbor_put_head(w, major, len);
	put_raw(w, p, len);
}

void
cosoi_cbor_put_null(struct cosoi_cbor_wr *w)
{
	const uint8_t b = COSOI_CBOR_NULL;

	put_raw(w, &b, 1);
}

int
cosoi_cbor_wr_finish(struct cosoi_cbor_wr *w, uint8_t **out, size_t *out_len)
{
	int err = w->err;

	if (err == COSO_OK) {
		err = coso_buf_take(&w->b, out, out_len);
	}
	if (err != COSO_OK) {
		cosoi_cbor_wr_free(w);
	}
	return err;
}
