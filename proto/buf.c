/*
 * buf.c: the growable byte buffer with a hard limit (proto.h, coso_buf).
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <coso/proto.h>

void
coso_buf_init(struct coso_buf *b, size_t max)
{
	assert(b != NULL && max < SIZE_MAX);
	b->p   = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

/* Room for need bytes and the NUL: doubling from 64, never beyond what
 * max needs, so a buffer near its limit is not given twice the memory. */
static int
grow(struct coso_buf *b, size_t need)
{
	size_t cap = b->cap < 64 ? 64 : b->cap;
	uint8_t *p;

	while (cap < need + 1) {
		cap = cap > (b->max + 1) / 2 ? b->max + 1 : cap * 2;
	}
	if ((p = realloc(b->p, cap)) == NULL) {
		return COSO_ENOMEM;
	}
	b->p   = p;
	b->cap = cap;
	return COSO_OK;
}

int
coso_buf_add(struct coso_buf *b, const void *p, size_t n)
{
	int err;

	if (n > b->max - b->len) {
		return COSO_ETOOBIG;
	}
	if (n == 0) {
		return COSO_OK;
	}
	if (b->len + n + 1 > b->cap
	    && (err = grow(b, b->len + n)) != COSO_OK) {
		return err;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = 0;
	return COSO_OK;
}

int
coso_buf_take(struct coso_buf *b, uint8_t **out, size_t *len)
{
	if (b->p == NULL && (b->p = calloc(1, 1)) == NULL) {
		return COSO_ENOMEM;
	}
	*out   = b->p;
	*len   = b->len;
	b->p   = NULL;
	b->len = 0;
	b->cap = 0;
	return COSO_OK;
}

void
coso_buf_reset(struct coso_buf *b)
{
	b->len = 0;
	if (b->p != NULL) {
		b->p[0] = 0;
	}
}

void
coso_buf_free(struct coso_buf *b)
{
	if (b == NULL) {
		return;
	}
	free(b->p);
	b->p   = NULL;
	b->len = 0;
	b->cap = 0;
}
