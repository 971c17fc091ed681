/*
 * fuzz_witness.c: libFuzzer target for the witness's request reader
 * (coso_witness_req_parse), the 409 body (coso_witness_size_parse) and
 * the cosignature check (coso_cosig_verify, coso_cosig_vkey_parse).
 *
 * A request that parses must re-encode to exactly its own bytes
 * (coso_witness_req_format), with its note inside the input and within
 * the limits; errors must be those the header documents.  The input read
 * as a cosigned note is verified against one fixed witness key (the RFC
 * 8032 §7.1 test 2 public key under "witness.example/w1").
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <coso/proto.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t wpk[32] = {0x3d, 0x40, 0x17, 0xc3, 0xe8, 0x43, 0x89, 0x5a,
    0x92, 0xb7, 0x0a, 0xa7, 0x4d, 0x1b, 0x7e, 0xbc, 0x9c, 0x98, 0x2c, 0xcf,
    0x2e, 0xc4, 0x96, 0x8c, 0xc0, 0xcd, 0x55, 0xf1, 0x2a, 0xf4, 0x66, 0x0c};

static void
request(const char *s, size_t size)
{
	struct coso_witness_req r;
	char *again = NULL;
	size_t len  = 0;
	int rc      = coso_witness_req_parse(&r, s, size);

	if (rc != COSO_OK && rc != COSO_EINVAL && rc != COSO_ETOOBIG
	    && rc != COSO_ENONCANON && rc != COSO_ENOMEM) {
		abort();
	}
	if (rc != COSO_OK) {
		return;
	}
	if (r.nproof > COSO_WITNESS_PROOF_MAX || r.note_len == 0
	    || r.note_len > COSO_NOTE_MAX || r.old > COSO_TREE_SIZE_MAX
	    || r.note < s || r.note + r.note_len != s + size) {
		abort();
	}
	if (coso_witness_req_format(
	        &again, &len, r.old, r.proof[0], r.nproof, r.note, r.note_len)
	        != COSO_OK
	    || len != size || memcmp(again, s, size) != 0) {
		abort();
	}
	free(again);
}

static void
cosigned(const char *s, size_t size)
{
	struct coso_checkpoint cp;
	char name[COSO_KEYNAME_MAX + 1];
	uint8_t pk[32];
	uint64_t t = 0;
	int rc
	    = coso_cosig_verify(&t, &cp, s, size, "witness.example/w1", wpk);

	if (rc != COSO_OK && rc != COSO_ETOOBIG && rc != COSO_EUTF8
	    && rc != COSO_ETRUNC && rc != COSO_ENONCANON && rc != COSO_EINVAL
	    && rc != COSO_EBADSIG && rc != COSO_EWRONGKEY
	    && rc != COSO_ENOMEM) {
		abort();
	}
	if (rc == COSO_OK
	    && (t > (uint64_t) COSO_COSIG_TIME_MAX
	        || cp.size > COSO_TREE_SIZE_MAX)) {
		abort();
	}
	rc = coso_cosig_vkey_parse(name, pk, s, size);
	if (rc != COSO_OK && rc != COSO_EKEYFILE && rc != COSO_EKEYTYPE) {
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t n;
	int rc;

	request((const char *) data, size);
	cosigned((const char *) data, size);
	rc = coso_witness_size_parse(&n, (const char *) data, size);
	if (rc == COSO_OK && (size < 2 || n > COSO_TREE_SIZE_MAX)) {
		abort();
	}
	return 0;
}
