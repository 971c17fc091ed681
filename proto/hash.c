/*
 * hash.c: SHA-256 helpers shared by every proto module.
 */
#include <sodium.h>

#include <coso/proto.h>

void
coso_sha256(uint8_t out[static 32], const uint8_t *buf, size_t len)
{
	crypto_hash_sha256(out, buf, len);
}

void
coso_keyid_of(uint8_t id[static 32], const uint8_t pk[static 32])
{
	crypto_hash_sha256(id, pk, COSO_PK_BYTES);
}
