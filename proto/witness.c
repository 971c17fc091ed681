/*
 * witness.c: the bodies of C2SP tlog-witness add-checkpoint (FORMAT.md,
 * "Witnesses"; c2sp.org/tlog-witness): the request a log sends, and the
 * size a witness answers with its 409.
 *
 * The parser reads what the specification allows and nothing looser:
 * every line ends in a newline, numbers are decimal without leading
 * zeros, proof hashes are canonical padded base64 of 32 bytes, at most 63
 * of them, and the whole body has a hard limit checked first.  The note
 * after the blank line is only located here: the witness verifies it
 * with the log's key (coso_checkpoint_verify).
 */
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "proto_int.h"

#define HASH_B64    44u /* base64 of 32 bytes, padded */
#define SIZE_DIGITS 19u

/* Decimal, no sign, no leading zero but "0", at most COSO_TREE_SIZE_MAX. */
static int
parse_dec(const char *s, size_t len, uint64_t *out)
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
	for (size_t i = 0; i < len; i++) {
		v = v * 10 + (uint64_t) (s[i] - '0');
	}
	if (v > COSO_TREE_SIZE_MAX) {
		return COSO_ETOOBIG;
	}
	*out = v;
	return COSO_OK;
}

/* The line at body + *pos (without its newline); 0 if no newline. */
static int
line_at(const char *body, size_t len, size_t *pos, const char **l, size_t *n)
{
	const char *nl;

	if (*pos >= len
	    || (nl = memchr(body + *pos, '\n', len - *pos)) == NULL) {
		return 0;
	}
	*l = body + *pos;
	*n = (size_t) (nl - *l);
	*pos += *n + 1;
	return 1;
}

static int
parse_hash(const char *l, size_t n, uint8_t out[static 32])
{
	uint8_t buf[33];
	size_t got = 0;
	int rc;

	if (n != HASH_B64) {
		return COSO_EINVAL;
	}
	if ((rc = cosoi_note_b64(l, n, buf, sizeof(buf), &got)) != COSO_OK) {
		return rc;
	}
	if (got != 32) {
		return COSO_EINVAL;
	}
	memcpy(out, buf, 32);
	return COSO_OK;
}

int
coso_witness_req_parse(
    struct coso_witness_req *out, const char *body, size_t len)
{
	struct coso_witness_req *r;
	const char *l;
	size_t n, pos = 0;
	int rc = COSO_EINVAL;

	assert(out != NULL && (body != NULL || len == 0));
	if (len > COSO_WITNESS_REQ_MAX) {
		return COSO_ETOOBIG;
	}
	if (!line_at(body, len, &pos, &l, &n) || n < 4
	    || memcmp(l, "old ", 4) != 0) {
		return COSO_EINVAL;
	}
	if ((r = malloc(sizeof(*r))) == NULL) {
		return COSO_ENOMEM;
	}
	r->nproof = 0;
	if ((rc = parse_dec(l + 4, n - 4, &r->old)) != COSO_OK) {
		goto out;
	}
	for (;;) {
		if (!line_at(body, len, &pos, &l, &n)) {
			rc = COSO_EINVAL;
			goto out;
		}
		if (n == 0) {
			break;
		}
		if (r->nproof == COSO_WITNESS_PROOF_MAX) {
			rc = COSO_EINVAL;
			goto out;
		}
		if ((rc = parse_hash(l, n, r->proof[r->nproof])) != COSO_OK) {
			goto out;
		}
		r->nproof++;
	}
	r->note     = body + pos;
	r->note_len = len - pos;
	rc          = COSO_OK;
	if (r->note_len == 0) {
		rc = COSO_EINVAL;
	} else if (r->note_len > COSO_NOTE_MAX) {
		rc = COSO_ETOOBIG;
	}
	if (rc == COSO_OK) {
		*out = *r;
	}
out:
	free(r);
	return rc;
}

int
coso_witness_req_format(char **out, size_t *len, uint64_t old,
    const uint8_t *proof, size_t nproof, const char *note, size_t note_len)
{
	size_t total, pos;
	char *s;
	int n;

	assert(out != NULL && len != NULL && (proof != NULL || nproof == 0)
	    && (note != NULL || note_len == 0));
	if (nproof > COSO_WITNESS_PROOF_MAX || note_len > COSO_NOTE_MAX
	    || old > COSO_TREE_SIZE_MAX) {
		return COSO_EINVAL;
	}
	total = 4 + SIZE_DIGITS + 1 + nproof * (HASH_B64 + 1) + 1 + note_len;
	if ((s = malloc(total + 1)) == NULL) {
		return COSO_ENOMEM;
	}
	n = snprintf(s, total + 1, "old %" PRIu64 "\n", old);
	assert(n > 0);
	pos = (size_t) n;
	for (size_t i = 0; i < nproof; i++) {
		sodium_bin2base64(s + pos, HASH_B64 + 1, proof + 32 * i, 32,
		    sodium_base64_VARIANT_ORIGINAL);
		pos += HASH_B64;
		s[pos++] = '\n';
	}
	s[pos++] = '\n';
	memcpy(s + pos, note, note_len);
	pos += note_len;
	s[pos] = '\0';
	*out   = s;
	*len   = pos;
	return COSO_OK;
}

int
coso_witness_size_parse(uint64_t *size, const char *body, size_t len)
{
	assert(size != NULL && (body != NULL || len == 0));
	if (len < 2 || body[len - 1] != '\n') {
		return COSO_EINVAL;
	}
	return parse_dec(body, len - 1, size);
}
