/*
 * console_login.h: the body of POST /console/api/login (docs/central.md,
 * "Console access"), decoded strictly.  Pure: no I/O, no globals;
 * tests/unit/test_console_auth.c and tests/fuzz/fuzz_console_login.c.
 *
 * A JSON object of at most CONSOLE_BODY_MAX bytes, with "cadre" (1 to
 * COSO_ID_MAX bytes of visible ASCII) and either "passphrase" (1 to
 * COSO_PASSPHRASE_MAX bytes once in NFC) or all three of "challenge"
 * (64 lowercase hex digits), "key" (64 hex digits) and "sig" (standard
 * base64 of 64 bytes).  Any other member, a member twice, a value of
 * another type or both ways at once is refused.
 */
#ifndef COSOD_CONSOLE_LOGIN_H
#define COSOD_CONSOLE_LOGIN_H

#include <stddef.h>
#include <stdint.h>

#include <coso/proto.h>

#define CONSOLE_BODY_MAX 4096u

struct console_login {
	char cadre[COSO_ID_MAX + 1];
	char *pass; /* sodium_malloc'd, NUL-terminated; NULL: signed */
	size_t pass_len;
	char challenge[COSO_CONSOLE_CHALLENGE_HEX + 1];
	uint8_t pk[32];
	uint8_t sig[64];
};

/*
 * Decodes body into *out: COSO_OK, or COSO_EINVAL with *why a sentence
 * for the client (static).  The passphrase's bytes in jansson's copy are
 * wiped before it is freed; the caller wipes body.  On COSO_OK the
 * caller ends *out with console_login_clear.
 */
COSO_NODISCARD int console_login_parse(const uint8_t *body, size_t len,
    struct console_login *out, const char **why);

/* Wipes and frees what *l holds.  Accepts a zeroed struct. */
void console_login_clear(struct console_login *l);

#endif /* COSOD_CONSOLE_LOGIN_H */
