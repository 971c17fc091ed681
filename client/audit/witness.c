/*
 * witness.c: the witness's decisions (C2SP tlog-witness add-checkpoint)
 * and what it keeps: the held note per log, evidence of what it refused.
 *
 * The order of the checks is the specification's: a malformed body is
 * 400, an unknown origin 404, no valid signature of the log's key 403,
 * old above the size 400, old not the size held 409 (with that size), a
 * proof that does not take the held root to the new one 422.  Only then
 * is the new note cosigned, written durably, and the cosignature given.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include <coso/common.h>

#include "witness.h"

#define TEXT_PLAIN "text/plain; charset=utf-8"
#define TEXT_SIZE  "text/x.tlog.size"

static void answer(struct witness_answer *a, uint16_t status, const char *type,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
answer(struct witness_answer *a, uint16_t status, const char *type,
    const char *fmt, ...)
{
	va_list ap;
	char buf[512];
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	a->status = status;
	a->type   = type;
	a->len    = n > 0 ? (size_t) n : 0;
	if ((a->body = malloc(a->len + 1)) != NULL) {
		memcpy(a->body, buf, a->len + 1);
	}
}

/* DIR/<hex SHA-256 of the origin>.note */
static void
note_path(const struct witness *w, const char *origin, char *out, size_t max)
{
	uint8_t h[32];
	char hex[65];

	crypto_hash_sha256(h, (const uint8_t *) origin, strlen(origin));
	sodium_bin2hex(hex, sizeof(hex), h, 32);
	snprintf(out, max, "%s/%s.note", w->dir, hex);
}

int
witness_load(struct witness *w, char err[static 512])
{
	struct coso_checkpoint cp;
	char path[4200];
	uint8_t *buf = NULL;
	size_t len, i;
	uint64_t t;
	uint8_t wpk[32];
	int rc;

	coso_key_public(w->key, wpk);
	for (i = 0; i < w->nlogs; i++) {
		struct witness_log *l = &w->log[i];

		note_path(w, l->origin, path, sizeof(path));
		rc = coso_file_read(path, COSO_NOTE_MAX, &buf, &len);
		if (rc == COSO_ENOENT) {
			continue;
		}
		if (rc != COSO_OK) {
			snprintf(err, 512, "cannot read `%.300s': %s", path,
			    coso_strerror(rc));
			return -1;
		}
		rc = coso_checkpoint_verify(
		    &cp, (const char *) buf, len, l->key_name, l->pk);
		if (rc == COSO_OK) {
			rc = coso_cosig_verify(
			    &t, &cp, (const char *) buf, len, w->name, wpk);
		}
		if (rc != COSO_OK || strcmp(cp.origin, l->origin) != 0) {
			snprintf(err, 512,
			    "the checkpoint held in `%.300s' does not verify "
			    "with the log's key and this witness's: %s",
			    path,
			    coso_strerror(rc != COSO_OK ? rc : COSO_ESCHEMA));
			free(buf);
			return -1;
		}
		l->have = 1;
		l->size = cp.size;
		memcpy(l->root, cp.root, 32);
		l->note     = (char *) buf;
		l->note_len = len;
		buf         = NULL;
	}
	return 0;
}

void
witness_fini(struct witness *w)
{
	for (size_t i = 0; i < w->nlogs; i++) {
		free(w->log[i].note);
		w->log[i].note = NULL;
	}
}

/* The log whose origin is the note's first line, or NULL. */
static struct witness_log *
find_log(struct witness *w, const char *note, size_t len)
{
	const char *nl = memchr(note, '\n', len);
	size_t n       = nl != NULL ? (size_t) (nl - note) : 0;

	for (size_t i = 0; n > 0 && i < w->nlogs; i++) {
		if (strlen(w->log[i].origin) == n
		    && memcmp(w->log[i].origin, note, n) == 0) {
			return &w->log[i];
		}
	}
	return NULL;
}

/*
 * Keeps the held note and the refused request as evidence, in
 * DIR/evidence/<origin hash 8 hex>-<held size>-<new size>-<id>/ (id: the
 * first 4 bytes of SHA-256 of the request, so a resent request is kept
 * once): held.note, refused.note, request (the body as received).
 */
static void
keep_evidence(const struct witness *w, const struct witness_log *l,
    uint64_t size, const char *body, size_t len, const char *note,
    size_t note_len)
{
	char dir[4400], path[4500], oh[9], id[9];
	uint8_t h[32];

	crypto_hash_sha256(h, (const uint8_t *) l->origin, strlen(l->origin));
	sodium_bin2hex(oh, sizeof(oh), h, 4);
	crypto_hash_sha256(h, (const uint8_t *) body, len);
	sodium_bin2hex(id, sizeof(id), h, 4);
	snprintf(dir, sizeof(dir), "%s/evidence", w->dir);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		goto fail;
	}
	snprintf(dir, sizeof(dir), "%s/evidence/%s-%" PRIu64 "-%" PRIu64 "-%s",
	    w->dir, oh, l->size, size, id);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/held.note", dir);
	if (coso_file_write(path, l->note, l->note_len, 0600) != COSO_OK) {
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/refused.note", dir);
	if (coso_file_write(path, note, note_len, 0600) != COSO_OK) {
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/request", dir);
	if (coso_file_write(path, body, len, 0600) != COSO_OK) {
		goto fail;
	}
	fprintf(stderr,
	    "coso-audit witness: refused a checkpoint of `%s' of size %" PRIu64
	    " that contradicts the one held (size %" PRIu64
	    "): both kept in %s\n",
	    l->origin, size, l->size, dir);
	return;
fail:
	fprintf(stderr,
	    "coso-audit witness: refused a checkpoint of `%s' of size %" PRIu64
	    " that contradicts the one held; cannot keep the evidence in "
	    "%s: %s\n",
	    l->origin, size, dir, strerror(errno));
}

/* The proof takes what l holds to cp (old == l->size, checked). */
static int
consistent(const struct witness_log *l, const struct coso_witness_req *r,
    const struct coso_checkpoint *cp)
{
	static const uint8_t empty[32] = {0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc,
	    0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24, 0x27,
	    0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b,
	    0x78, 0x52, 0xb8, 0x55};

	if (cp->size == 0 && memcmp(cp->root, empty, 32) != 0) {
		return 0;
	}
	if (r->old == 0) {
		return r->nproof == 0;
	}
	return coso_verify_consistency(
	           r->old, cp->size, r->proof[0], r->nproof, l->root, cp->root)
	    == COSO_OK;
}

/* Cosigns, writes the held note durably, then answers the line. */
static void
cosign(struct witness *w, struct witness_log *l,
    const struct coso_checkpoint *cp, const struct coso_witness_req *r,
    uint64_t now, struct witness_answer *a)
{
	char path[4200], *line = NULL, *note;
	size_t llen;
	int rc;

	rc = coso_cosig_sign(
	    &line, w->key, w->name, r->note, r->note_len, now);
	if (rc != COSO_OK) {
		answer(a, 500, TEXT_PLAIN, "cannot cosign: %s\n",
		    coso_strerror(rc));
		return;
	}
	llen = strlen(line);
	/* The held note is read back as a note: within the limit. */
	if (r->note_len + llen > COSO_NOTE_MAX) {
		free(line);
		answer(
		    a, 400, TEXT_PLAIN, "the note is too large to cosign\n");
		return;
	}
	if ((note = malloc(r->note_len + llen + 1)) == NULL) {
		free(line);
		answer(a, 500, TEXT_PLAIN, "out of memory\n");
		return;
	}
	memcpy(note, r->note, r->note_len);
	memcpy(note + r->note_len, line, llen + 1);
	note_path(w, l->origin, path, sizeof(path));
	rc = coso_file_write(path, note, r->note_len + llen, 0600);
	if (rc != COSO_OK) {
		fprintf(stderr, "coso-audit witness: cannot write `%s': %s\n",
		    path, coso_strerror(rc));
		free(note);
		free(line);
		answer(a, 500, TEXT_PLAIN, "cannot keep the checkpoint\n");
		return;
	}
	free(l->note);
	l->note     = note;
	l->note_len = r->note_len + llen;
	l->have     = 1;
	l->size     = cp->size;
	memcpy(l->root, cp->root, 32);
	a->status = 200;
	a->type   = TEXT_PLAIN;
	a->body   = line;
	a->len    = llen;
}

void
witness_add(struct witness *w, const char *body, size_t len, uint64_t now,
    struct witness_answer *a)
{
	struct coso_witness_req r;
	struct coso_checkpoint cp;
	struct witness_log *l;
	int rc;

	memset(a, 0, sizeof(*a));
	if ((rc = coso_witness_req_parse(&r, body, len)) != COSO_OK) {
		answer(a, 400, TEXT_PLAIN, "malformed request: %s\n",
		    coso_strerror(rc));
		return;
	}
	if ((l = find_log(w, r.note, r.note_len)) == NULL) {
		answer(a, 404, TEXT_PLAIN, "unknown log\n");
		return;
	}
	rc = coso_checkpoint_verify(
	    &cp, r.note, r.note_len, l->key_name, l->pk);
	if (rc == COSO_EWRONGKEY || rc == COSO_EBADSIG) {
		answer(a, 403, TEXT_PLAIN,
		    "no valid signature of the log's key\n");
		return;
	}
	if (rc != COSO_OK) {
		answer(a, 400, TEXT_PLAIN, "malformed checkpoint: %s\n",
		    coso_strerror(rc));
		return;
	}
	if (r.old > cp.size) {
		answer(
		    a, 400, TEXT_PLAIN, "old size above the checkpoint's\n");
		return;
	}
	if (r.old != l->size) {
		answer(a, 409, TEXT_SIZE, "%" PRIu64 "\n", l->size);
		return;
	}
	if (!consistent(l, &r, &cp)) {
		if (l->have) {
			keep_evidence(
			    w, l, cp.size, body, len, r.note, r.note_len);
		}
		answer(a, 422, TEXT_PLAIN,
		    "the checkpoint is not consistent with the one held\n");
		return;
	}
	cosign(w, l, &cp, &r, now, a);
}

void
witness_get(
    struct witness *w, const char *hash, size_t len, struct witness_answer *a)
{
	uint8_t h[32];
	char hex[65];

	memset(a, 0, sizeof(*a));
	for (size_t i = 0; i < w->nlogs; i++) {
		struct witness_log *l = &w->log[i];

		crypto_hash_sha256(
		    h, (const uint8_t *) l->origin, strlen(l->origin));
		sodium_bin2hex(hex, sizeof(hex), h, 32);
		if (len != 64 || memcmp(hex, hash, 64) != 0 || !l->have) {
			continue;
		}
		a->status = 200;
		a->type   = TEXT_PLAIN;
		a->len    = l->note_len;
		if ((a->body = malloc(l->note_len + 1)) != NULL) {
			memcpy(a->body, l->note, l->note_len + 1);
		}
		return;
	}
	answer(a, 404, TEXT_PLAIN, "no checkpoint held for that log\n");
}
