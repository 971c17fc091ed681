/*
 * fuzz_body.c: libFuzzer target for coso_ops_decode.  Whatever decodes
 * must be canonical: rebuilt through the builder, it encodes to exactly
 * the input bytes.  Any difference, or a builder refusing what the decoder
 * accepted, aborts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <coso/proto.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
add_field(struct coso_body *b, const struct coso_field *f)
{
	switch (f->v.type) {
	case COSO_VINT:
		return coso_body_int(b, f->id, f->v.i);
	case COSO_VTEXT:
		return coso_body_text(
		    b, f->id, (const char *) f->v.p, f->v.len);
	case COSO_VBYTES:
		return coso_body_bytes(b, f->id, f->v.p, f->v.len);
	case COSO_VNULL:
		return coso_body_null(b, f->id);
	}
	return COSO_EINVAL;
}

/* Rebuilds ops; aborts if the builder refuses any of it. */
static void
rebuild(struct coso_body *b, const struct coso_ops *ops)
{
	const struct coso_op *op;
	size_t i, j;

	for (i = 0; i < ops->nops; i++) {
		op = &ops->ops[i];
		if (coso_body_op(b, op->table, op->row, op->kind) != COSO_OK) {
			abort();
		}
		for (j = 0; j < op->nfields; j++) {
			if (add_field(b, &op->fields[j]) != COSO_OK) {
				abort();
			}
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct coso_ops *ops = NULL;
	struct coso_body *b  = NULL;
	uint8_t *out         = NULL;
	size_t len           = 0;

	if (coso_ops_decode(&ops, data, size) != COSO_OK) {
		return 0;
	}
	if (coso_body_new(&b) != COSO_OK) {
		abort();
	}
	rebuild(b, ops);
	if (coso_body_encode(b, &out, &len) != COSO_OK) {
		abort();
	}
	if (len != size || memcmp(out, data, size) != 0) {
		abort(); /* decoder accepted a non-canonical body */
	}
	free(out);
	coso_body_free(b);
	coso_ops_free(ops);
	return 0;
}
