/*
 * cosig.c: witness cosignatures of checkpoints, C2SP tlog-cosignature
 * cosignature/v1 with Ed25519 (FORMAT.md, "Witnesses";
 * c2sp.org/tlog-cosignature, c2sp.org/signed-note).
 *
 * A cosignature is one more signature line on the checkpoint note, of
 * signature type 0x04: its key id commits to the type, its blob is the
 * 8-byte big-endian timestamp then an Ed25519 signature over
 * "cosignature/v1\ntime <t>\n" and the note text.  The note is read by
 * checkpoint.c's own readers, so a cosigned note is held to exactly the
 * rules of a checkpoint.
 */
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "proto_int.h"

#define DASH      "\xE2\x80\x94 " /* U+2014 em dash, then a space */
#define DASH_LEN  4u
#define KEYID_LEN 4u
#define BLOB_LEN  (KEYID_LEN + COSO_COSIG_BYTES)
#define B64_LEN(n) \
	(sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL) - 1u)
#define HEADER   "cosignature/v1\ntime "
#define HEAD_MAX (sizeof(HEADER) + 20u + 1u)

void
coso_cosig_key_id(
    uint8_t out[static 4], const char *name, const uint8_t pk[static 32])
{
	crypto_hash_sha256_state st;
	uint8_t h[32];
	static const uint8_t sep[2] = {0x0A, COSO_COSIG_ALG};

	assert(name != NULL);
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(
	    &st, (const uint8_t *) name, strnlen(name, COSO_NOTE_MAX));
	crypto_hash_sha256_update(&st, sep, sizeof(sep));
	crypto_hash_sha256_update(&st, pk, COSO_PK_BYTES);
	crypto_hash_sha256_final(&st, h);
	memcpy(out, h, KEYID_LEN);
}

int
coso_cosig_vkey_format(
    char **out, const char *name, const uint8_t pk[static 32])
{
	uint8_t id[KEYID_LEN], blob[1 + COSO_PK_BYTES];
	char hex[2 * KEYID_LEN + 1], b64[B64_LEN(sizeof(blob)) + 1];
	size_t nlen, total;
	char *s;

	assert(out != NULL && name != NULL);
	nlen = strnlen(name, COSO_KEYNAME_MAX + 1u);
	if (!cosoi_note_valid_name(name, nlen)) {
		return COSO_EINVAL;
	}
	coso_cosig_key_id(id, name, pk);
	sodium_bin2hex(hex, sizeof(hex), id, sizeof(id));
	blob[0] = COSO_COSIG_ALG;
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

int
coso_cosig_vkey_parse(char name[static COSO_KEYNAME_MAX + 1],
    uint8_t pk[static 32], const char *vkey, size_t len)
{
	uint8_t id[KEYID_LEN], want[KEYID_LEN], blob[1 + COSO_PK_BYTES];
	char nm[COSO_KEYNAME_MAX + 1];
	const char *plus, *rest;
	size_t nlen, rlen, blen = 0;

	assert(name != NULL && (vkey != NULL || len == 0));
	if (len == 0 || (plus = memchr(vkey, '+', len)) == NULL) {
		return COSO_EKEYFILE;
	}
	nlen = (size_t) (plus - vkey);
	rest = plus + 1;
	rlen = len - nlen - 1;
	if (!cosoi_note_valid_name(vkey, nlen) || rlen < 2 * KEYID_LEN + 2
	    || rest[2 * KEYID_LEN] != '+'
	    || cosoi_note_key_id_hex(rest, 2 * KEYID_LEN, id) != COSO_OK) {
		return COSO_EKEYFILE;
	}
	rest += 2 * KEYID_LEN + 1;
	rlen -= 2 * KEYID_LEN + 1;
	if (cosoi_note_b64(rest, rlen, blob, sizeof(blob), &blen) != COSO_OK
	    || blen < 1) {
		return COSO_EKEYFILE;
	}
	if (blob[0] != COSO_COSIG_ALG) {
		return COSO_EKEYTYPE;
	}
	if (blen != sizeof(blob)) {
		return COSO_EKEYFILE;
	}
	memcpy(nm, vkey, nlen);
	nm[nlen] = '\0';
	coso_cosig_key_id(want, nm, blob + 1);
	if (memcmp(want, id, KEYID_LEN) != 0) {
		return COSO_EKEYFILE;
	}
	memcpy(name, nm, nlen + 1);
	memcpy(pk, blob + 1, COSO_PK_BYTES);
	return COSO_OK;
}

/* "cosignature/v1\ntime <t>\n": its length in head. */
static size_t
format_head(char head[static HEAD_MAX], uint64_t t)
{
	int n = snprintf(head, HEAD_MAX, HEADER "%" PRIu64 "\n", t);

	assert(n > 0 && (size_t) n < HEAD_MAX);
	return (size_t) n;
}

/* head || text, the message signed: malloc'd (caller frees), NULL if
 * out of memory.  Ed25519 signs the message itself: at most 8 KiB. */
static uint8_t *
message(const char *head, size_t hlen, const char *text, size_t tlen)
{
	uint8_t *m = malloc(hlen + tlen);

	if (m != NULL) {
		memcpy(m, head, hlen);
		memcpy(m + hlen, text, tlen);
	}
	return m;
}

/* The note's text, checked as a checkpoint's: its length in *tlen. */
static int
note_text(
    struct coso_checkpoint *cp, const char *note, size_t len, size_t *tlen)
{
	int rc;

	if ((rc = cosoi_note_split(note, len, tlen)) != COSO_OK) {
		return rc;
	}
	memset(cp, 0, sizeof(*cp));
	return cosoi_note_text(cp, note, *tlen);
}

int
coso_cosig_sign(char **line, const struct coso_key *key, const char *name,
    const char *note, size_t len, uint64_t t)
{
	struct coso_checkpoint cp;
	char head[HEAD_MAX], b64[B64_LEN(BLOB_LEN) + 1];
	uint8_t pk[COSO_PK_BYTES], blob[BLOB_LEN];
	size_t nlen, tlen, hlen, total;
	uint8_t *m;
	char *s;
	int rc;

	assert(line != NULL && key != NULL && name != NULL
	    && (note != NULL || len == 0));
	nlen = strnlen(name, COSO_KEYNAME_MAX + 1u);
	if (!cosoi_note_valid_name(name, nlen) || t == 0
	    || t > (uint64_t) COSO_COSIG_TIME_MAX) {
		return COSO_EINVAL;
	}
	if ((rc = note_text(&cp, note, len, &tlen)) != COSO_OK) {
		return rc;
	}
	hlen = format_head(head, t);
	coso_key_public(key, pk);
	coso_cosig_key_id(blob, name, pk);
	cosoi_put_u64(blob + KEYID_LEN, t);
	if ((m = message(head, hlen, note, tlen)) == NULL) {
		return COSO_ENOMEM;
	}
	coso_key_sign(key, blob + KEYID_LEN + 8, m, hlen + tlen);
	free(m);
	sodium_bin2base64(b64, sizeof(b64), blob, sizeof(blob),
	    sodium_base64_VARIANT_ORIGINAL);
	total = DASH_LEN + nlen + 1 + strlen(b64) + 2;
	if ((s = malloc(total)) == NULL) {
		return COSO_ENOMEM;
	}
	snprintf(s, total, DASH "%s %s\n", name, b64);
	*line = s;
	return COSO_OK;
}

/* One cosignature blob (76 bytes) over the text, by pk. */
static int
check_blob(const uint8_t *blob, size_t blen, const char *text, size_t tlen,
    const uint8_t pk[static 32], uint64_t *t)
{
	char head[HEAD_MAX];
	size_t hlen;
	uint8_t *m;
	int ok;

	if (blen != BLOB_LEN) {
		return COSO_EBADSIG;
	}
	*t = cosoi_get_u64(blob + KEYID_LEN);
	if (*t > (uint64_t) COSO_COSIG_TIME_MAX) {
		return COSO_EBADSIG;
	}
	hlen = format_head(head, *t);
	if ((m = message(head, hlen, text, tlen)) == NULL) {
		return COSO_ENOMEM;
	}
	ok = crypto_sign_verify_detached(
	         blob + KEYID_LEN + 8, m, hlen + tlen, pk)
	    == 0;
	free(m);
	return ok ? COSO_OK : COSO_EBADSIG;
}

int
coso_cosig_verify(uint64_t *t, struct coso_checkpoint *cp, const char *note,
    size_t len, const char *name, const uint8_t pk[static 32])
{
	struct coso_checkpoint c;
	uint8_t id[KEYID_LEN], blob[COSOI_NOTE_DECODE_MAX];
	const char *l, *ln, *sigs;
	size_t n, lnlen, blen, tlen, slen, pos = 0, want;
	uint64_t first = 0, ti;
	int found      = 0, rc;

	assert(t != NULL && cp != NULL && name != NULL
	    && (note != NULL || len == 0));
	want = strnlen(name, COSO_KEYNAME_MAX + 1u);
	if (!cosoi_note_valid_name(name, want)) {
		return COSO_EINVAL;
	}
	if ((rc = note_text(&c, note, len, &tlen)) != COSO_OK) {
		return rc;
	}
	coso_cosig_key_id(id, name, pk);
	sigs = note + tlen + 1;
	slen = len - tlen - 1;
	while (cosoi_note_next_line(sigs, slen, &pos, &l, &n)) {
		if ((rc = cosoi_note_sig_line(l, n, &ln, &lnlen, blob, &blen))
		    != COSO_OK) {
			return rc;
		}
		if (lnlen != want || memcmp(ln, name, want) != 0
		    || memcmp(blob, id, KEYID_LEN) != 0) {
			continue; /* another key's */
		}
		if ((rc = check_blob(blob, blen, note, tlen, pk, &ti))
		    != COSO_OK) {
			return rc;
		}
		if (!found) {
			first = ti;
		}
		found = 1;
	}
	if (!found) {
		return COSO_EWRONGKEY;
	}
	*t  = first;
	*cp = c;
	return COSO_OK;
}
