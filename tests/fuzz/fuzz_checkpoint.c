/*
 * fuzz_checkpoint.c: libFuzzer target for coso_checkpoint_verify and
 * coso_note_vkey_parse.
 *
 * Every input is verified against one fixed key (the RFC 8032 §7.1 test 1
 * public key under "coso.example/central", the key of the seed corpus).
 * The error must be one the header documents, and a note that verifies
 * must give a checkpoint within the limits whose origin is the note's
 * first line.  The same input read as a verifier key must parse only
 * when it is exactly what coso_note_vkey_format writes for what it gave.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <coso/proto.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t pk[32] = {0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7,
    0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64, 0x07, 0x3a, 0x0e, 0xe1, 0x72, 0xf3,
    0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a};

static int
documented(int rc)
{
	return rc == COSO_OK || rc == COSO_ETOOBIG || rc == COSO_EUTF8
	    || rc == COSO_ETRUNC || rc == COSO_ENONCANON || rc == COSO_EINVAL
	    || rc == COSO_EBADSIG || rc == COSO_EWRONGKEY;
}

static void
vkey(const uint8_t *data, size_t size)
{
	char name[COSO_KEYNAME_MAX + 1], *again = NULL;
	uint8_t key[32];
	int rc = coso_note_vkey_parse(name, key, (const char *) data, size);

	if (rc != COSO_OK && rc != COSO_EKEYFILE && rc != COSO_EKEYTYPE) {
		abort();
	}
	if (rc != COSO_OK) {
		return;
	}
	if (coso_note_vkey_format(&again, name, key) != COSO_OK
	    || strlen(again) != size || memcmp(again, data, size) != 0) {
		abort();
	}
	free(again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct coso_checkpoint cp;
	size_t olen;
	int rc;

	vkey(data, size);
	memset(&cp, 0xA5, sizeof(cp));
	rc = coso_checkpoint_verify(
	    &cp, (const char *) data, size, "coso.example/central", pk);
	if (!documented(rc)) {
		abort();
	}
	if (rc != COSO_OK) {
		return 0;
	}
	olen = strnlen(cp.origin, sizeof(cp.origin));
	if (olen == 0 || olen > COSO_ORIGIN_MAX || cp.size > COSO_TREE_SIZE_MAX
	    || olen >= size || memcmp(cp.origin, data, olen) != 0
	    || data[olen] != '\n') {
		abort();
	}
	return 0;
}
