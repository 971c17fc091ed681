/*
 * fuzz_envelope.c: the change-set envelope decoder on arbitrary bytes.
 *
 * Structure is checked, then the signature against a fixed key (so inputs
 * from the seed corpus, signed by that key, reach the success path), then
 * the body.  Any success must describe exactly the input's bytes.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <coso/proto.h>

/* RFC 8032 test 1 public key: the corpus is signed with its seed. */
static const uint8_t pk[32] = {0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7,
    0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64, 0x07, 0x3a, 0x0e, 0xe1, 0x72, 0xf3,
    0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct coso_changeset cs;
	struct coso_ops *ops = NULL;

	if (coso_changeset_peek(&cs, data, size) != COSO_OK) {
		return 0;
	}
	assert(size == COSO_CS_OVERHEAD + cs.body_len);
	assert(cs.body == data + COSO_CS_HEADER_BYTES);
	assert(cs.seq >= 1);
	if (coso_changeset_verify(&cs, data, size, pk) != COSO_OK) {
		return 0;
	}
	if (coso_ops_decode(&ops, cs.body, cs.body_len) == COSO_OK) {
		assert(ops->nops >= 1 && ops->nops <= COSO_OPS_MAX);
		coso_ops_free(ops);
	}
	return 0;
}
