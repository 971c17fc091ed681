/*
 * fuzz_keyfile.c: libFuzzer target for the key file parsers.
 *
 * Every input goes to coso_pubkey_parse, coso_seckey_is_encrypted and
 * coso_seckey_parse without a passphrase, so encrypted files stop at
 * COSO_ENEEDPASS and Argon2 never runs.  Whatever parses must format back
 * to the very same bytes: the parsers accept exactly one text per key.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <coso/proto.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The parse must be the inverse of the format: same length, same bytes. */
static void
check_same(char *text, const uint8_t *data, size_t size)
{
	if (text == NULL || strlen(text) != size
	    || memcmp(text, data, size) != 0) {
		abort();
	}
	free(text);
}

static void
fuzz_public(const uint8_t *data, size_t size)
{
	uint8_t pk[COSO_PK_BYTES];
	char *text = NULL;

	if (coso_pubkey_parse(pk, (const char *) data, size) != COSO_OK) {
		return;
	}
	if (coso_pubkey_format(&text, pk) != COSO_OK) {
		abort();
	}
	check_same(text, data, size);
}

static void
fuzz_secret(const uint8_t *data, size_t size)
{
	struct coso_key *key = NULL;
	char *text           = NULL;
	int enc = coso_seckey_is_encrypted((const char *) data, size);
	int rc  = coso_seckey_parse(&key, (const char *) data, size, NULL, 0);

	/*
	 * The two functions must agree on what the file is; only a clear
	 * file's seed is checked beyond is_encrypted, against the short id.
	 */
	if ((enc == 1 && rc != COSO_ENEEDPASS)
	    || (enc == 0 && rc != COSO_OK && rc != COSO_EKEYFILE)
	    || (enc < 0 && rc != -enc) || enc > 1) {
		abort();
	}
	if (rc != COSO_OK) {
		return;
	}
	if (coso_seckey_format(&text, key, NULL, 0) != COSO_OK) {
		abort();
	}
	coso_key_free(key);
	check_same(text, data, size);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_public(data, size);
	fuzz_secret(data, size);
	return 0;
}
