/*
 * checkpoint.c: signed tree heads as C2SP tlog-checkpoint signed notes
 * (FORMAT.md, "Checkpoints"; c2sp.org/signed-note, c2sp.org/tlog-checkpoint).
 *
 * The parser accepts what the two specifications allow and nothing
 * looser: the whole note is checked (UTF-8, no control characters but
 * newline, final newline, size limit) before any line is read, every
 * signature line must be well formed even when it is another key's, and
 * the text is split from the signatures at the last blank line.  Lines of
 * unknown keys (another name or another key id) are skipped; every line
 * of the given key must verify (the spec's MUST verify, SHOULD reject),
 * where Go's sumdb/note checks only the first and skips repeats.
 */
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "proto_int.h"

#define DASH        "\xE2\x80\x94 " /* U+2014 em dash, then a space */
#define DASH_LEN    4u
#define ALG_ED25519 0x01u
#define KEYID_LEN   4u
#define BLOB_LEN    (KEYID_LEN + COSO_SIG_BYTES)
#define B64_LEN(n) \
	(sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL) - 1u)
#define ROOT_B64_LEN B64_LEN(32u)
#define SIZE_DIGITS  19u /* 2^63 = 9223372036854775808 */
#define TEXT_MAX     (COSO_ORIGIN_MAX + SIZE_DIGITS + ROOT_B64_LEN + 3u)
#define DECODE_MAX   (COSO_NOTE_MAX / 4u * 3u)

/*
 * Decodes one UTF-8 sequence at s (n bytes left) into *cp: its length, or
 * 0 if it is not the shortest encoding of a scalar value.
 */
static size_t
utf8_next(const uint8_t *s, size_t n, uint32_t *cp)
{
	static const uint32_t min[4] = {0, 0x80, 0x800, 0x10000};
	size_t need;
	uint32_t c = s[0];

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c < 0xC2 || c > 0xF4) {
		return 0;
	}
	need = c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
	if (n <= need) {
		return 0;
	}
	c &= 0x3Fu >> need;
	for (size_t i = 1; i <= need; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			return 0;
		}
		c = (c << 6) | (s[i] & 0x3Fu);
	}
	if (c < min[need] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
		return 0;
	}
	*cp = c;
	return need + 1;
}

/* Unicode White_Space above ASCII controls (Go's unicode.IsSpace). */
static int
is_space(uint32_t c)
{
	return c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680
	    || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029
	    || c == 0x202F || c == 0x205F || c == 0x3000;
}

/* A key name: non-empty UTF-8 without controls, Unicode spaces or '+'. */
static int
valid_name(const char *s, size_t n)
{
	const uint8_t *p = (const uint8_t *) s;
	size_t i         = 0;

	if (n == 0 || n > COSO_KEYNAME_MAX) {
		return 0;
	}
	while (i < n) {
		uint32_t c;
		size_t k = utf8_next(p + i, n - i, &c);

		if (k == 0 || c < 0x20 || c == '+' || is_space(c)) {
			return 0;
		}
		i += k;
	}
	return 1;
}

/* A NUL-terminated name of at most COSO_KEYNAME_MAX bytes that is valid. */
static int
valid_cname(const char *s, size_t *len)
{
	*len = strnlen(s, COSO_KEYNAME_MAX + 1u);
	return valid_name(s, *len);
}

/* The whole note: UTF-8 without control characters other than newline. */
static int
check_chars(const char *note, size_t len)
{
	const uint8_t *p = (const uint8_t *) note;
	size_t i         = 0;

	while (i < len) {
		uint32_t c;
		size_t k = utf8_next(p + i, len - i, &c);

		if (k == 0) {
			return COSO_EUTF8;
		}
		if (c < 0x20 && c != '\n') {
			return COSO_EINVAL;
		}
		i += k;
	}
	return COSO_OK;
}

void
coso_note_key_id(
    uint8_t out[static 4], const char *name, const uint8_t pk[static 32])
{
	crypto_hash_sha256_state st;
	uint8_t h[32];
	static const uint8_t sep[2] = {0x0A, ALG_ED25519};

	assert(name != NULL);
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(
	    &st, (const uint8_t *) name, strnlen(name, COSO_NOTE_MAX));
	crypto_hash_sha256_update(&st, sep, sizeof(sep));
	crypto_hash_sha256_update(&st, pk, COSO_PK_BYTES);
	crypto_hash_sha256_final(&st, h);
	memcpy(out, h, KEYID_LEN);
}

/*
 * Decodes standard padded base64 of exactly len characters into at most
 * max bytes: COSO_EINVAL if it does not decode, COSO_ENONCANON if it does
 * but is not how those bytes encode.
 */
static int
b64_decode(const char *s, size_t len, uint8_t *out, size_t max, size_t *n)
{
	char again[B64_LEN(DECODE_MAX) + 1u];
	const char *end = NULL;

	if (len == 0 || max > DECODE_MAX
	    || sodium_base642bin(out, max, s, len, NULL, n, &end,
	           sodium_base64_VARIANT_ORIGINAL)
	        != 0
	    || end != s + len) {
		return COSO_EINVAL;
	}
	sodium_bin2base64(
	    again, sizeof(again), out, *n, sodium_base64_VARIANT_ORIGINAL);
	if (strlen(again) != len || memcmp(again, s, len) != 0) {
		return COSO_ENONCANON;
	}
	return COSO_OK;
}

int
coso_note_vkey_format(
    char **out, const char *name, const uint8_t pk[static 32])
{
	uint8_t id[KEYID_LEN], blob[1 + COSO_PK_BYTES];
	char hex[2 * KEYID_LEN + 1], b64[B64_LEN(sizeof(blob)) + 1];
	size_t nlen, total;
	char *s;

	assert(out != NULL && name != NULL);
	if (!valid_cname(name, &nlen)) {
		return COSO_EINVAL;
	}
	coso_note_key_id(id, name, pk);
	sodium_bin2hex(hex, sizeof(hex), id, sizeof(id));
	blob[0] = ALG_ED25519;
	memcpy(blob + 1, pk, COSO_PK_BYTES);
	sodium_bin2base64(b64, sizeof(b64), blob, sizeof(blob),
	    sodium_base64_VARIANT_ORIGINAL);
	total = nlen + 1 + strlen(hex) + 1 + strlen(b64) + 1;
	if ((s = malloc(total)) == NULL) {
		return COSO_ENOMEM;
	}
	snprintf(s, total, "%s+%s+%s", name, hex, b64);
	*out = s;
	return COSO_OK;
}

/* 8 lowercase hexadecimal digits: the key id as a verifier key writes it. */
static int
parse_key_id(const char *s, size_t len, uint8_t id[static KEYID_LEN])
{
	size_t n = 0;

	if (len != 2 * KEYID_LEN) {
		return COSO_EKEYFILE;
	}
	for (size_t i = 0; i < len; i++) {
		if (!((s[i] >= '0' && s[i] <= '9')
		        || (s[i] >= 'a' && s[i] <= 'f'))) {
			return COSO_EKEYFILE;
		}
	}
	if (sodium_hex2bin(id, KEYID_LEN, s, len, NULL, &n, NULL) != 0
	    || n != KEYID_LEN) {
		return COSO_EKEYFILE;
	}
	return COSO_OK;
}

int
coso_note_vkey_parse(char name[static COSO_KEYNAME_MAX + 1],
    uint8_t pk[static 32], const char *vkey, size_t len)
{
	uint8_t id[KEYID_LEN], want[KEYID_LEN], blob[1 + COSO_PK_BYTES];
	char nm[COSO_KEYNAME_MAX + 1];
	const char *plus, *rest;
	size_t nlen, rlen, blen = 0;
	int rv;

	assert(name != NULL && (vkey != NULL || len == 0));
	/* Key names have no '+'; base64 may: the name ends at the first. */
	if ((plus = memchr(vkey, '+', len)) == NULL) {
		return COSO_EKEYFILE;
	}
	nlen = (size_t) (plus - vkey);
	rest = plus + 1;
	rlen = len - nlen - 1;
	if (!valid_name(vkey, nlen) || rlen < 2 * KEYID_LEN + 2
	    || rest[2 * KEYID_LEN] != '+') {
		return COSO_EKEYFILE;
	}
	if ((rv = parse_key_id(rest, 2 * KEYID_LEN, id)) != COSO_OK) {
		return rv;
	}
	rest += 2 * KEYID_LEN + 1;
	rlen -= 2 * KEYID_LEN + 1;
	if (b64_decode(rest, rlen, blob, sizeof(blob), &blen) != COSO_OK
	    || blen < 1) {
		return COSO_EKEYFILE;
	}
	if (blob[0] != ALG_ED25519) {
		return COSO_EKEYTYPE;
	}
	if (blen != sizeof(blob)) {
		return COSO_EKEYFILE;
	}
	memcpy(nm, vkey, nlen);
	nm[nlen] = '\0';
	coso_note_key_id(want, nm, blob + 1);
	if (memcmp(want, id, KEYID_LEN) != 0) {
		return COSO_EKEYFILE;
	}
	memcpy(name, nm, nlen + 1);
	memcpy(pk, blob + 1, COSO_PK_BYTES);
	return COSO_OK;
}

/* The note text: "<origin>\n<size>\n<base64 root>\n"; its length. */
static size_t
format_text(char text[static TEXT_MAX + 1], const char *origin, uint64_t size,
    const uint8_t root[static 32])
{
	char b64[ROOT_B64_LEN + 1];
	int n;

	sodium_bin2base64(
	    b64, sizeof(b64), root, 32, sodium_base64_VARIANT_ORIGINAL);
	n = snprintf(
	    text, TEXT_MAX + 1, "%s\n%" PRIu64 "\n%s\n", origin, size, b64);
	assert(n > 0 && (size_t) n <= TEXT_MAX);
	return (size_t) n;
}

int
coso_checkpoint_sign(char **out, const struct coso_key *key,
    const char *key_name, const char *origin, uint64_t size,
    const uint8_t root[static 32])
{
	char text[TEXT_MAX + 1], sig64[B64_LEN(BLOB_LEN) + 1];
	uint8_t pk[COSO_PK_BYTES], blob[BLOB_LEN];
	size_t nlen, olen, tlen, total;
	char *s;

	assert(
	    out != NULL && key != NULL && key_name != NULL && origin != NULL);
	if (!valid_cname(key_name, &nlen) || !valid_cname(origin, &olen)
	    || olen > COSO_ORIGIN_MAX || size > COSO_TREE_SIZE_MAX) {
		return COSO_EINVAL;
	}
	tlen = format_text(text, origin, size, root);
	coso_key_public(key, pk);
	coso_note_key_id(blob, key_name, pk);
	coso_key_sign(key, blob + KEYID_LEN, (const uint8_t *) text, tlen);
	sodium_bin2base64(sig64, sizeof(sig64), blob, sizeof(blob),
	    sodium_base64_VARIANT_ORIGINAL);
	total = tlen + 1 + DASH_LEN + nlen + 1 + strlen(sig64) + 2;
	if ((s = malloc(total)) == NULL) {
		return COSO_ENOMEM;
	}
	snprintf(s, total, "%s\n" DASH "%s %s\n", text, key_name, sig64);
	assert(strlen(s) + 1 == total && total <= COSO_NOTE_MAX);
	*out = s;
	return COSO_OK;
}

/*
 * The next line of s[0 .. len - 1] from *pos, without its newline; 0 at
 * the end.  Every line ends in a newline: the caller checked the last.
 */
static int
next_line(
    const char *s, size_t len, size_t *pos, const char **line, size_t *llen)
{
	const char *nl;

	if (*pos >= len) {
		return 0;
	}
	nl = memchr(s + *pos, '\n', len - *pos);
	assert(nl != NULL);
	*line = s + *pos;
	*llen = (size_t) (nl - *line);
	*pos += *llen + 1;
	return 1;
}

/* Tree size: ASCII decimal, no sign, no leading zero but "0" itself. */
static int
parse_size(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0) {
		return COSO_EINVAL;
	}
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return COSO_EINVAL;
		}
	}
	if (s[0] == '0' && len > 1) {
		return COSO_ENONCANON;
	}
	if (len > SIZE_DIGITS) {
		return COSO_ETOOBIG;
	}
	for (size_t i = 0; i < len; i++) { /* 19 digits fit in 64 bits */
		v = v * 10 + (uint64_t) (s[i] - '0');
	}
	if (v > COSO_TREE_SIZE_MAX) {
		return COSO_ETOOBIG;
	}
	*out = v;
	return COSO_OK;
}

static int
parse_root(const char *s, size_t len, uint8_t root[static 32])
{
	uint8_t buf[33];
	size_t n = 0;
	int rc;

	if (len != ROOT_B64_LEN) {
		return COSO_EINVAL;
	}
	rc = b64_decode(s, len, buf, sizeof(buf), &n);
	if (rc != COSO_OK) {
		return rc;
	}
	if (n != 32) {
		return COSO_EINVAL;
	}
	memcpy(root, buf, 32);
	return COSO_OK;
}

/* The note text: origin, size, root, then non-empty extension lines. */
static int
parse_text(struct coso_checkpoint *cp, const char *text, size_t tlen)
{
	const char *l;
	size_t n, pos = 0;
	int rc;

	if (!next_line(text, tlen, &pos, &l, &n) || n == 0) {
		return COSO_EINVAL;
	}
	if (n > COSO_ORIGIN_MAX) {
		return COSO_ETOOBIG;
	}
	memcpy(cp->origin, l, n);
	cp->origin[n] = '\0';
	if (!next_line(text, tlen, &pos, &l, &n)) {
		return COSO_EINVAL;
	}
	if ((rc = parse_size(l, n, &cp->size)) != COSO_OK) {
		return rc;
	}
	if (!next_line(text, tlen, &pos, &l, &n)) {
		return COSO_EINVAL;
	}
	if ((rc = parse_root(l, n, cp->root)) != COSO_OK) {
		return rc;
	}
	while (next_line(text, tlen, &pos, &l, &n)) {
		if (n == 0) {
			return COSO_EINVAL;
		}
	}
	return COSO_OK;
}

/* One signature line: em dash, space, key name, space, base64 of 5+
 * bytes.  *name points into the line. */
static int
parse_sig_line(const char *l, size_t n, const char **name, size_t *nlen,
    uint8_t blob[static DECODE_MAX], size_t *blen)
{
	const char *sp;

	if (n < DASH_LEN || memcmp(l, DASH, DASH_LEN) != 0) {
		return COSO_EINVAL;
	}
	l += DASH_LEN;
	n -= DASH_LEN;
	if ((sp = memchr(l, ' ', n)) == NULL) {
		return COSO_EINVAL;
	}
	*name = l;
	*nlen = (size_t) (sp - l);
	if (!valid_name(l, *nlen)
	    || b64_decode(sp + 1, n - *nlen - 1, blob, DECODE_MAX, blen)
	        != COSO_OK
	    || *blen < KEYID_LEN + 1) {
		return COSO_EINVAL;
	}
	return COSO_OK;
}

/* The signature lines: all well formed, every one of (name, id) valid. */
static int
check_sigs(const char *sigs, size_t slen, const char *text, size_t tlen,
    const char *name, const uint8_t pk[static 32])
{
	uint8_t id[KEYID_LEN], blob[DECODE_MAX];
	const char *l, *ln;
	size_t n, lnlen, blen, pos = 0, want = strlen(name);
	int found = 0, rc;

	coso_note_key_id(id, name, pk);
	while (next_line(sigs, slen, &pos, &l, &n)) {
		if ((rc = parse_sig_line(l, n, &ln, &lnlen, blob, &blen))
		    != COSO_OK) {
			return rc;
		}
		if (lnlen != want || memcmp(ln, name, want) != 0
		    || memcmp(blob, id, KEYID_LEN) != 0) {
			continue; /* another key's */
		}
		if (blen != BLOB_LEN
		    || crypto_sign_verify_detached(
		           blob + KEYID_LEN, (const uint8_t *) text, tlen, pk)
		        != 0) {
			return COSO_EBADSIG;
		}
		found = 1;
	}
	return found ? COSO_OK : COSO_EWRONGKEY;
}

int
coso_checkpoint_verify(struct coso_checkpoint *out, const char *note,
    size_t len, const char *key_name, const uint8_t pk[static 32])
{
	struct coso_checkpoint cp;
	size_t nlen, split;
	int rc;

	assert(out != NULL && key_name != NULL && (note != NULL || len == 0));
	if (!valid_cname(key_name, &nlen)) {
		return COSO_EINVAL;
	}
	if (len > COSO_NOTE_MAX) {
		return COSO_ETOOBIG;
	}
	if ((rc = check_chars(note, len)) != COSO_OK) {
		return rc;
	}
	if (len == 0 || note[len - 1] != '\n') {
		return COSO_ETRUNC;
	}
	/* The text ends at the last blank line; signatures follow it. */
	for (split = len - 1; split > 0; split--) {
		if (note[split - 1] == '\n' && note[split] == '\n') {
			break;
		}
	}
	if (split == 0 || split + 1 == len) {
		return COSO_EINVAL;
	}
	memset(&cp, 0, sizeof(cp));
	if ((rc = parse_text(&cp, note, split)) != COSO_OK
	    || (rc = check_sigs(note + split + 1, len - split - 1, note, split,
	            key_name, pk))
	        != COSO_OK) {
		return rc;
	}
	*out = cp;
	return COSO_OK;
}

/*
 * For cosig.c and witness.c: the same readers, so that a cosigned note
 * and a witness request are held to exactly the rules of a checkpoint.
 */
int
cosoi_note_valid_name(const char *s, size_t n)
{
	return valid_name(s, n);
}

int
cosoi_note_b64(const char *s, size_t len, uint8_t *out, size_t max, size_t *n)
{
	return b64_decode(s, len, out, max, n);
}

int
cosoi_note_key_id_hex(const char *s, size_t len, uint8_t id[static 4])
{
	return parse_key_id(s, len, id);
}

int
cosoi_note_split(const char *note, size_t len, size_t *split)
{
	size_t i;
	int rc;

	if (len > COSO_NOTE_MAX) {
		return COSO_ETOOBIG;
	}
	if ((rc = check_chars(note, len)) != COSO_OK) {
		return rc;
	}
	if (len == 0 || note[len - 1] != '\n') {
		return COSO_ETRUNC;
	}
	for (i = len - 1; i > 0; i--) {
		if (note[i - 1] == '\n' && note[i] == '\n') {
			break;
		}
	}
	if (i == 0 || i + 1 == len) {
		return COSO_EINVAL;
	}
	*split = i;
	return COSO_OK;
}

int
cosoi_note_text(struct coso_checkpoint *cp, const char *text, size_t tlen)
{
	return parse_text(cp, text, tlen);
}

int
cosoi_note_sig_line(const char *l, size_t n, const char **name, size_t *nlen,
    uint8_t blob[static COSOI_NOTE_DECODE_MAX], size_t *blen)
{
	return parse_sig_line(l, n, name, nlen, blob, blen);
}

int
cosoi_note_next_line(
    const char *s, size_t len, size_t *pos, const char **line, size_t *llen)
{
	return next_line(s, len, pos, line, llen);
}
