/*
 * envelope.c: the signed change-set envelope (FORMAT.md, "Envelope").
 *
 * The signature covers the exact bytes received; nothing is re-serialised
 * to verify.  Structure is checked first (cheap, bounded), then the
 * signature; the body is left to coso_ops_decode, to be run only after
 * verification succeeds.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "proto_int.h"

/* Offsets of the header fields. */
#define OFF_VERSION 0u
#define OFF_AUTHOR  1u
#define OFF_SEQ     33u
#define OFF_PREV    41u
#define OFF_HLC     73u
#define OFF_LEN     81u

/* seq >= 1, and prev is all zeros exactly for the first change-set. */
static int
check_chain(uint64_t seq, const uint8_t prev[static 32])
{
	int first = sodium_is_zero(prev, 32);

	if (seq == 0 || (seq == 1) != first) {
		return COSO_ECHAIN;
	}
	return COSO_OK;
}

/* The signed message: context with its NUL, then every byte before sig. */
static int
signed_message(
    uint8_t **out, size_t *out_len, const uint8_t *buf, size_t signed_len)
{
	size_t ctx = sizeof(COSO_CS_CONTEXT); /* includes the NUL */
	uint8_t *m;

	if ((m = malloc(ctx + signed_len)) == NULL) {
		return COSO_ENOMEM;
	}
	memcpy(m, COSO_CS_CONTEXT, ctx);
	memcpy(m + ctx, buf, signed_len);
	*out     = m;
	*out_len = ctx + signed_len;
	return COSO_OK;
}

int
coso_changeset_sign(uint8_t **out, size_t *out_len, const struct coso_key *key,
    uint64_t seq, const uint8_t prev[static 32], uint64_t hlc,
    const uint8_t *body, size_t body_len)
{
	uint8_t *buf = NULL, *msg = NULL;
	size_t total, msg_len;
	int rv;

	if (body_len > COSO_BODY_MAX || (body_len > 0 && body == NULL)) {
		return body_len > COSO_BODY_MAX ? COSO_ETOOBIG : COSO_EINVAL;
	}
	if ((rv = check_chain(seq, prev)) != COSO_OK) {
		return rv;
	}
	total = COSO_CS_OVERHEAD + body_len;
	if ((buf = malloc(total)) == NULL) {
		return COSO_ENOMEM;
	}
	buf[OFF_VERSION] = COSO_CS_VERSION;
	coso_key_id(key, buf + OFF_AUTHOR);
	cosoi_put_u64(buf + OFF_SEQ, seq);
	memcpy(buf + OFF_PREV, prev, 32);
	cosoi_put_u64(buf + OFF_HLC, hlc);
	cosoi_put_u32(buf + OFF_LEN, (uint32_t) body_len);
	if (body_len > 0) {
		memcpy(buf + COSO_CS_HEADER_BYTES, body, body_len);
	}
	rv = signed_message(&msg, &msg_len, buf, total - COSO_SIG_BYTES);
	if (rv != COSO_OK) {
		free(buf);
		return rv;
	}
	coso_key_sign(key, buf + total - COSO_SIG_BYTES, msg, msg_len);
	free(msg);
	*out     = buf;
	*out_len = total;
	return COSO_OK;
}

int
coso_changeset_peek(struct coso_changeset *cs, const uint8_t *buf, size_t len)
{
	uint32_t body_len;
	int rv;

	if (len < 1) {
		return COSO_ETRUNC;
	}
	if (buf[OFF_VERSION] != COSO_CS_VERSION) {
		return COSO_EVERSION;
	}
	if (len < COSO_CS_HEADER_BYTES) {
		return COSO_ETRUNC;
	}
	body_len = cosoi_get_u32(buf + OFF_LEN);
	if (body_len > COSO_BODY_MAX) {
		return COSO_ETOOBIG;
	}
	if (len < COSO_CS_OVERHEAD + (size_t) body_len) {
		return COSO_ETRUNC;
	}
	if (len > COSO_CS_OVERHEAD + (size_t) body_len) {
		return COSO_ETRAILING;
	}
	cs->seq = cosoi_get_u64(buf + OFF_SEQ);
	if ((rv = check_chain(cs->seq, buf + OFF_PREV)) != COSO_OK) {
		return rv;
	}
	cs->version = buf[OFF_VERSION];
	memcpy(cs->author, buf + OFF_AUTHOR, 32);
	memcpy(cs->prev, buf + OFF_PREV, 32);
	cs->hlc      = cosoi_get_u64(buf + OFF_HLC);
	cs->body     = buf + COSO_CS_HEADER_BYTES;
	cs->body_len = body_len;
	cs->sig      = buf + len - COSO_SIG_BYTES;
	return COSO_OK;
}

const uint8_t *
coso_changeset_author(const uint8_t *buf, size_t len)
{
	if (buf == NULL || len < COSO_CS_HEADER_BYTES
	    || buf[OFF_VERSION] != COSO_CS_VERSION) {
		return NULL;
	}
	return buf + OFF_AUTHOR;
}

int
coso_changeset_verify(struct coso_changeset *cs, const uint8_t *buf,
    size_t len, const uint8_t pk[static 32])
{
	struct coso_changeset tmp;
	uint8_t id[32], *msg = NULL;
	size_t msg_len;
	int rv;

	if ((rv = coso_changeset_peek(&tmp, buf, len)) != COSO_OK) {
		return rv;
	}
	coso_keyid_of(id, pk);
	if (sodium_memcmp(id, tmp.author, 32) != 0) {
		return COSO_EWRONGKEY;
	}
	rv = signed_message(&msg, &msg_len, buf, len - COSO_SIG_BYTES);
	if (rv != COSO_OK) {
		return rv;
	}
	if (crypto_sign_verify_detached(tmp.sig, msg, msg_len, pk) != 0) {
		rv = COSO_EBADSIG;
	} else {
		*cs = tmp;
	}
	free(msg);
	return rv;
}

void
coso_changeset_id(uint8_t id[static 32], const uint8_t *buf, size_t len)
{
	coso_sha256(id, buf, len);
}
