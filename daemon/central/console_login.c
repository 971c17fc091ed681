/*
 * console_login.c: the sign-in request's body (console_login.h).
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include <coso/common.h>

#include "console_login.h"

#define B64 sodium_base64_VARIANT_ORIGINAL

static int
visible(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] <= ' ' || p[i] > '~') {
			return 0;
		}
	}
	return 1;
}

static int
hex_exact(const char *p, size_t n, uint8_t *out, size_t outlen)
{
	size_t got = 0;

	return n == 2 * outlen
	    && sodium_hex2bin(out, outlen, p, n, NULL, &got, NULL) == 0
	    && got == outlen;
}

/* The passphrase in NFC, into sodium_malloc memory. */
static int
take_pass(struct console_login *l, const char *p, size_t n)
{
	char *nfc   = NULL;
	size_t nlen = 0;

	if (n == 0
	    || coso_text_nfc(&nfc, &nlen, p, n, COSO_PASSPHRASE_MAX)
	        != COSO_OK) {
		return -1;
	}
	if ((l->pass = sodium_malloc(nlen + 1)) != NULL) {
		memcpy(l->pass, nfc, nlen + 1);
		l->pass_len = nlen;
	}
	sodium_memzero(nfc, nlen);
	free(nfc);
	return l->pass != NULL ? 0 : -1;
}

static int
take_signed(struct console_login *l, json_t *ch, json_t *key, json_t *sig)
{
	const char *c = json_string_value(ch), *s = json_string_value(sig);
	size_t cl = json_string_length(ch), sl = json_string_length(sig);
	size_t got = 0;
	uint8_t tmp[32];

	if (c == NULL || s == NULL || json_string_value(key) == NULL
	    || cl != COSO_CONSOLE_CHALLENGE_HEX || !hex_exact(c, cl, tmp, 32)
	    || !hex_exact(
	        json_string_value(key), json_string_length(key), l->pk, 32)
	    || sodium_base642bin(
	           l->sig, sizeof(l->sig), s, sl, NULL, &got, NULL, B64)
	        != 0
	    || got != sizeof(l->sig)) {
		return -1;
	}
	/* The signed bytes hold the challenge as sent: lowercase only. */
	memcpy(l->challenge, c, cl + 1);
	return strspn(c, "0123456789abcdef") == cl ? 0 : -1;
}

/* Only the five known members; each at most once (jansson refuses
 * duplicates with JSON_REJECT_DUPLICATES). */
static int
members_known(json_t *o)
{
	static const char *const known[]
	    = {"cadre", "passphrase", "challenge", "key", "sig"};
	const char *k;
	json_t *v;
	size_t i;

	json_object_foreach(o, k, v)
	{
		for (i = 0; i < 5 && strcmp(k, known[i]) != 0; i++) { }
		if (i == 5) {
			return 0;
		}
	}
	return 1;
}

static int
decode(json_t *o, struct console_login *l, const char **why)
{
	json_t *c  = json_object_get(o, "cadre");
	json_t *p  = json_object_get(o, "passphrase");
	json_t *ch = json_object_get(o, "challenge"), *k, *s;
	size_t n;

	k = json_object_get(o, "key");
	s = json_object_get(o, "sig");
	if (!json_is_object(o) || !members_known(o)) {
		*why = "The body must be a JSON object of cadre and "
		       "passphrase, "
		       "or cadre, challenge, key and sig.";
		return COSO_EINVAL;
	}
	n = json_string_length(c);
	if (!json_is_string(c) || n == 0 || n > COSO_ID_MAX
	    || !visible(json_string_value(c), n)) {
		*why = "The cadre is missing or not a cadre id.";
		return COSO_EINVAL;
	}
	memcpy(l->cadre, json_string_value(c), n + 1);
	if ((p != NULL) == (ch != NULL || k != NULL || s != NULL)) {
		*why = "Give either a passphrase or a signed challenge.";
		return COSO_EINVAL;
	}
	if (p != NULL
	    && (!json_is_string(p)
	        || take_pass(l, json_string_value(p), json_string_length(p))
	            != 0)) {
		*why = "The passphrase is empty, too long or not UTF-8.";
		return COSO_EINVAL;
	}
	if (p == NULL && take_signed(l, ch, k, s) != 0) {
		*why = "The challenge, key or signature is malformed.";
		return COSO_EINVAL;
	}
	return COSO_OK;
}

/* Wipes a passphrase's bytes in jansson's copy before it is freed. */
static void
wipe_pass(json_t *o)
{
	json_t *p = json_object_get(o, "passphrase");

	if (json_is_string(p)) {
		sodium_memzero(
		    (char *) json_string_value(p), json_string_length(p));
	}
}

int
console_login_parse(const uint8_t *body, size_t len, struct console_login *out,
    const char **why)
{
	json_error_t err;
	json_t *o;
	int rv;

	memset(out, 0, sizeof(*out));
	*why = "The body is not a JSON object.";
	if (body == NULL || len == 0 || len > CONSOLE_BODY_MAX) {
		*why = "The body is missing or too large.";
		return COSO_EINVAL;
	}
	o = json_loadb((const char *) body, len, JSON_REJECT_DUPLICATES, &err);
	if (o == NULL) {
		return COSO_EINVAL;
	}
	rv = decode(o, out, why);
	wipe_pass(o);
	json_decref(o);
	if (rv != COSO_OK) {
		console_login_clear(out);
	}
	return rv;
}

void
console_login_clear(struct console_login *l)
{
	if (l->pass != NULL) {
		sodium_free(l->pass); /* zeroes before freeing */
	}
	sodium_memzero(l, sizeof(*l));
}
