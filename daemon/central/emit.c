/*
 * emit.c: the central's own change-sets.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "emit.h"

#define CENTRAL_CADRE "central"

int
emit_bootstrap(struct central_store *s, const uint8_t central_pk[static 32])
{
	struct cstore_author a = {.role = CSTORE_ROLE_CENTRAL,
	    .next_seq                   = 1,
	    .enrolled                   = -1,
	    .revoked                    = -1};

	coso_keyid_of(a.key_id, central_pk);
	memcpy(a.pk, central_pk, 32);
	snprintf(a.cadre_id, sizeof(a.cadre_id), "%s", CENTRAL_CADRE);
	return cstore_author_put(s, &a);
}

/* The central's next HLC value, persisted in the settings. */
static int
next_hlc(struct central_store *s, uint64_t now_ms, uint64_t *out)
{
	struct coso_hlc h = {0};
	char *text        = NULL, buf[24];
	int rv            = cstore_meta_get(s, "hlc", &text);

	if (rv == COSO_OK) {
		h.last = strtoull(text, NULL, 10);
	} else if (rv != COSO_ENOENT) {
		return rv;
	}
	free(text);
	if ((rv = coso_hlc_now(&h, now_ms, out)) != COSO_OK) {
		return rv;
	}
	snprintf(buf, sizeof(buf), "%" PRIu64, *out);
	return cstore_meta_set(s, "hlc", buf);
}

/* Signs body as the central's next change-set and merges it. */
static int
emit(const struct merge_ctx *m, const uint8_t *body, size_t len,
    uint64_t now_ms, struct merge_out *out)
{
	struct merge_in in = {.received_ms = now_ms, .sig = MERGE_SIG_OK};
	struct cstore_author a;
	uint8_t *cs = NULL;
	uint64_t hlc;
	int rv;

	coso_key_id(m->central, in.sender);
	if ((rv = cstore_author_get(m->s, in.sender, &a)) != COSO_OK
	    || (rv = next_hlc(m->s, now_ms, &hlc)) != COSO_OK
	    || (rv = coso_changeset_sign(&cs, &in.len, m->central, a.next_seq,
	            a.head, hlc, body, len))
	        != COSO_OK) {
		return rv;
	}
	in.cs = cs;
	rv    = merge_changeset(m, &in, out);
	free(cs);
	return rv;
}

static int
device_key_body(const uint8_t pk[static 32], const char *cadre, int role,
    const uint8_t *token_hash, uint64_t now_ms, uint8_t **body, size_t *len)
{
	struct coso_body *b = NULL;
	uint8_t id[32], row[16];
	int rv;

	coso_keyid_of(id, pk);
	coso_device_key_row(row, id);
	if ((rv = coso_body_new(&b)) != COSO_OK) {
		return rv;
	}
	if ((rv = coso_body_op(b, COSO_T_DEVICE_KEY, row, COSO_UPSERT)) != 0
	    || (rv = coso_body_text(
	            b, COSO_F_DEVICE_KEY_CADRE_ID, cadre, strlen(cadre)))
	        != 0
	    || (rv = coso_body_bytes(b, COSO_F_DEVICE_KEY_PUBLIC_KEY, pk, 32))
	        != 0
	    || (rv = coso_body_int(b, COSO_F_DEVICE_KEY_ROLE, role)) != 0
	    || (rv = coso_body_int(
	            b, COSO_F_DEVICE_KEY_ADDED, (int64_t) now_ms))
	        != 0
	    || (token_hash != NULL
	        && (rv = coso_body_bytes(
	                b, COSO_F_DEVICE_KEY_TOKEN_HASH, token_hash, 32))
	            != 0)
	    || (rv = coso_body_encode(b, body, len)) != 0) {
		coso_body_free(b);
		return rv;
	}
	coso_body_free(b);
	return COSO_OK;
}

int
emit_device_key(const struct merge_ctx *m, const uint8_t pk[static 32],
    const char *cadre, int role, const uint8_t *token_hash, uint64_t now_ms,
    struct merge_out *out)
{
	uint8_t *body = NULL;
	size_t len;
	int rv;

	rv = device_key_body(pk, cadre, role, token_hash, now_ms, &body, &len);
	if (rv == COSO_OK) {
		rv = emit(m, body, len, now_ms, out);
	}
	free(body);
	return rv;
}

/* The checkpoint stored for size names root. */
static int
same_root(const struct merge_ctx *m, const char *origin, const char *note,
    const uint8_t root[static 32])
{
	struct coso_checkpoint c;
	uint8_t pk[32];
	int rv;

	coso_key_public(m->central, pk);
	rv = coso_checkpoint_verify(&c, note, strlen(note), origin, pk);
	if (rv == COSO_OK && sodium_memcmp(c.root, root, 32) != 0) {
		rv = COSO_EINVAL;
	}
	return rv;
}

int
emit_checkpoint(const struct merge_ctx *m)
{
	uint64_t size, last = 0;
	uint8_t root[32];
	char *origin = NULL, *note = NULL;
	int rv;

	if (m->central == NULL) {
		return COSO_OK;
	}
	if ((rv = cstore_tree_head(m->s, &size, root)) != COSO_OK
	    || size == 0) {
		return rv;
	}
	if ((rv = cstore_meta_get(m->s, "origin", &origin)) != COSO_OK) {
		return rv;
	}
	rv = cstore_checkpoint_latest(m->s, &last, &note);
	if (rv == COSO_OK && last >= size) {
		/* Nothing appended since (the log only grows). */
		rv = last == size ? same_root(m, origin, note, root)
		                  : COSO_EINVAL;
	} else if (rv == COSO_OK || rv == COSO_ENOENT) {
		free(note);
		note = NULL;
		rv   = coso_checkpoint_sign(
		      &note, m->central, origin, origin, size, root);
		if (rv == COSO_OK) {
			rv = cstore_checkpoint_put(m->s, size, note);
		}
	}
	free(note);
	free(origin);
	return rv;
}
