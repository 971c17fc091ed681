/*
 * console.c: the message a cadre's device key signs to open the office's
 * console (FORMAT.md, "Console sign-in").
 */
#include <string.h>

#include <coso/proto.h>

#define CONTEXT "coso-console-login/v1\n"

/* Visible ASCII: an origin holds no newline that would move a field. */
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
lower_hex(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!((p[i] >= '0' && p[i] <= '9')
		        || (p[i] >= 'a' && p[i] <= 'f'))) {
			return 0;
		}
	}
	return 1;
}

int
coso_console_message(uint8_t out[static COSO_CONSOLE_MSG_MAX], size_t *len,
    const char *origin, size_t origin_len, const char *challenge,
    size_t challenge_len)
{
	size_t n = sizeof(CONTEXT) - 1;

	if (origin_len == 0 || origin_len > COSO_CONSOLE_ORIGIN_MAX
	    || !visible(origin, origin_len)
	    || challenge_len != COSO_CONSOLE_CHALLENGE_HEX
	    || !lower_hex(challenge, challenge_len)) {
		return COSO_EINVAL;
	}
	memcpy(out, CONTEXT, n);
	memcpy(out + n, origin, origin_len);
	n += origin_len;
	out[n++] = '\n';
	memcpy(out + n, challenge, challenge_len);
	n += challenge_len;
	out[n++] = '\n';
	*len     = n;
	return COSO_OK;
}
