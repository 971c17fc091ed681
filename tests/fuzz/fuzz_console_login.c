/*
 * fuzz_console_login.c: the console's sign-in body decoder on arbitrary
 * bytes.  It never reads past len; what it accepts holds a cadre id of
 * visible ASCII within COSO_ID_MAX, and either a passphrase within
 * COSO_PASSPHRASE_MAX in NFC or a challenge of 64 lowercase hex digits.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include <coso/common.h>

#include "../../daemon/central/console_login.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct console_login l;
	const char *why = NULL;
	uint8_t *copy;
	size_t i, n;

	if (sodium_init() < 0) {
		abort();
	}
	/* An exact-size copy, so reading past size is caught. */
	if ((copy = malloc(size > 0 ? size : 1)) == NULL) {
		return 0;
	}
	memcpy(copy, data, size);
	if (console_login_parse(copy, size, &l, &why) == COSO_OK) {
		n = strlen(l.cadre);
		assert(n >= 1 && n <= COSO_ID_MAX);
		for (i = 0; i < n; i++) {
			assert(l.cadre[i] > ' ' && l.cadre[i] <= '~');
		}
		if (l.pass != NULL) {
			assert(l.pass_len >= 1
			    && l.pass_len <= COSO_PASSPHRASE_MAX);
			assert(coso_text_check(
			           (const uint8_t *) l.pass, l.pass_len)
			    == COSO_OK);
		} else {
			assert(strlen(l.challenge) == 64);
			assert(strspn(l.challenge, "0123456789abcdef") == 64);
		}
		console_login_clear(&l);
	} else {
		assert(why != NULL);
	}
	free(copy);
	return 0;
}
