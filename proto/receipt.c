/*
 * receipt.c: the central's signed receipt for a change-set (FORMAT.md,
 * "Receipts").  Fixed size, fixed offsets; the signature covers the
 * context string with its NUL, then the exact 50 bytes before it.
 */
#include <assert.h>
#include <string.h>

#include <sodium.h>

#include "proto_int.h"

#define R_VERSION 1u

/* Offsets. */
#define R_ID      1u
#define R_LEAF    33u
#define R_MS      41u
#define R_VERDICT 49u
#define R_SIG     50u

#define CTX_LEN sizeof(COSO_RECEIPT_CONTEXT) /* with its NUL */

_Static_assert(R_SIG + COSO_SIG_BYTES == COSO_RECEIPT_BYTES, "receipt size");

static int
valid_verdict(unsigned v)
{
	return v >= COSO_VERDICT_ACCEPTED && v <= COSO_VERDICT_REFUSED;
}

/* The signed message: context, NUL, the receipt's first 50 bytes. */
static void
signed_message(uint8_t m[static CTX_LEN + R_SIG], const uint8_t *receipt)
{
	memcpy(m, COSO_RECEIPT_CONTEXT, CTX_LEN);
	memcpy(m + CTX_LEN, receipt, R_SIG);
}

int
coso_receipt_sign(uint8_t out[static COSO_RECEIPT_BYTES],
    const struct coso_key *central, const struct coso_receipt *r)
{
	uint8_t m[CTX_LEN + R_SIG];

	assert(out != NULL && central != NULL && r != NULL);
	if (!valid_verdict(r->verdict)) {
		return COSO_EINVAL;
	}
	out[0] = R_VERSION;
	memcpy(out + R_ID, r->cs_id, 32);
	cosoi_put_u64(out + R_LEAF, r->leaf_index);
	cosoi_put_u64(out + R_MS, r->received_ms);
	out[R_VERDICT] = r->verdict;
	signed_message(m, out);
	coso_key_sign(central, out + R_SIG, m, sizeof(m));
	return COSO_OK;
}

int
coso_receipt_verify(struct coso_receipt *r, const uint8_t *buf, size_t len,
    const uint8_t central_pk[static 32])
{
	uint8_t m[CTX_LEN + R_SIG];

	assert(r != NULL && central_pk != NULL && (buf != NULL || len == 0));
	if (len < COSO_RECEIPT_BYTES) {
		return COSO_ETRUNC;
	}
	if (len > COSO_RECEIPT_BYTES) {
		return COSO_ETRAILING;
	}
	if (buf[0] != R_VERSION) {
		return COSO_EVERSION;
	}
	signed_message(m, buf);
	if (crypto_sign_verify_detached(buf + R_SIG, m, sizeof(m), central_pk)
	    != 0) {
		return COSO_EBADSIG;
	}
	/* Signed, but no central signs a verdict outside the enum. */
	if (!valid_verdict(buf[R_VERDICT])) {
		return COSO_ESCHEMA;
	}
	memcpy(r->cs_id, buf + R_ID, 32);
	r->leaf_index  = cosoi_get_u64(buf + R_LEAF);
	r->received_ms = cosoi_get_u64(buf + R_MS);
	r->verdict     = buf[R_VERDICT];
	return COSO_OK;
}
