/*
 * console.c: a signed answer to the office's console's sign-in
 * challenge, made with this device's key (coso/client.h).
 */
#include <string.h>

#include <sodium.h>

#include "internal.h"

int
coso_console_sign(struct coso_store *s, const char *origin,
    const char *challenge, char out[static COSO_CONSOLE_SIGNED_LEN])
{
	uint8_t msg[COSO_CONSOLE_MSG_MAX], sig[64];
	size_t len = 0, n;
	int rv;

	if (coso_console_message(msg, &len, origin, strlen(origin), challenge,
	        strlen(challenge))
	    != COSO_OK) {
		return cosoi_fail(s, COSO_EINVAL,
		    "the origin (as http://HOST:PORT, at most %u characters) "
		    "or the challenge (%u lowercase hex digits) is not valid",
		    COSO_CONSOLE_ORIGIN_MAX, COSO_CONSOLE_CHALLENGE_HEX);
	}
	if ((rv = cosoi_key_load(s)) != COSO_OK) {
		return rv;
	}
	coso_key_sign(s->key, sig, msg, len);
	sodium_bin2hex(out, 65, s->pk, 32);
	out[64] = '.';
	n       = COSO_CONSOLE_SIGNED_LEN - 65;
	sodium_bin2base64(
	    out + 65, n, sig, sizeof(sig), sodium_base64_VARIANT_ORIGINAL);
	return COSO_OK;
}
