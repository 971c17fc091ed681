/*
 * chain.c: appending a signed change-set to the device's chain.
 *
 * Called inside the caller's write transaction, so the domain rows, the
 * outbox entry and the advanced chain state (seq, prev, HLC) commit
 * together or not at all.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* 2000-01-01T00:00:00Z, the earliest date coso takes (common/dates.c). */
#define CENTRAL_MS_MIN UINT64_C(946684800000)

struct chain_state {
	uint64_t seq;
	uint8_t prev[32];
	uint64_t hlc;
};

static int
chain_get(struct coso_store *s, struct chain_state *c)
{
	sqlite3_stmt *st = cosoi_stmt(s, ST_CHAIN_GET);

	if (st == NULL) {
		return COSO_ESTORE;
	}
	if (sqlite3_step(st) != SQLITE_ROW
	    || sqlite3_column_bytes(st, 1) != 32) {
		return cosoi_db_fail(s, "cannot read the device chain");
	}
	c->seq = (uint64_t) sqlite3_column_int64(st, 0);
	memcpy(c->prev, sqlite3_column_blob(st, 1), 32);
	c->hlc = (uint64_t) sqlite3_column_int64(st, 2);
	sqlite3_reset(st);
	return COSO_OK;
}

static int
chain_set(
    struct coso_store *s, uint64_t seq, const uint8_t id[32], uint64_t hlc)
{
	sqlite3_stmt *st = cosoi_stmt(s, ST_CHAIN_SET);

	if (st == NULL) {
		return COSO_ESTORE;
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64) seq);
	sqlite3_bind_blob(st, 2, id, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64) hlc);
	if (sqlite3_step(st) != SQLITE_DONE) {
		return cosoi_db_fail(s, "cannot advance the device chain");
	}
	return COSO_OK;
}

static int
outbox_put(struct coso_store *s, uint64_t seq, const uint8_t id[32],
    const uint8_t *cs, size_t len, uint64_t now)
{
	sqlite3_stmt *st = cosoi_stmt(s, ST_OUTBOX_PUT);

	if (st == NULL) {
		return COSO_ESTORE;
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64) seq);
	sqlite3_bind_blob(st, 2, id, 32, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, cs, (int) len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64) now);
	if (sqlite3_step(st) != SQLITE_DONE) {
		return cosoi_db_fail(s, "cannot store the change-set");
	}
	return COSO_OK;
}

int
cosoi_sign_append(
    struct coso_store *s, struct coso_body *b, uint64_t *seq, uint64_t *hlc_ms)
{
	struct chain_state c;
	struct coso_hlc clock;
	uint8_t *body = NULL, *cs = NULL, id[32];
	size_t blen = 0, clen = 0;
	uint64_t now = coso_wall_ms(), hlc;
	int rv;

	if ((rv = chain_get(s, &c)) != COSO_OK) {
		return rv;
	}
	clock.last = c.hlc;
	if ((rv = coso_hlc_now(&clock, now, &hlc)) != COSO_OK
	    || (rv = coso_body_encode(b, &body, &blen)) != COSO_OK
	    || (rv = coso_changeset_sign(
	            &cs, &clen, s->key, c.seq + 1, c.prev, hlc, body, blen))
	        != COSO_OK) {
		rv = cosoi_fail(s, rv, "cannot sign the change-set: %s",
		    coso_strerror(rv));
		goto out;
	}
	coso_changeset_id(id, cs, clen);
	if ((rv = outbox_put(s, c.seq + 1, id, cs, clen, now)) != COSO_OK
	    || (rv = chain_set(s, c.seq + 1, id, hlc)) != COSO_OK) {
		goto out;
	}
	*seq    = c.seq + 1;
	*hlc_ms = coso_hlc_ms(hlc);
out:
	free(body);
	free(cs);
	return rv;
}

/* Characters (code points) of the UTF-8 text s, and how many of them
 * come before byte max. */
static void
chars_fitting(const char *s, size_t max, size_t *all, size_t *fit)
{
	size_t i;

	*all = *fit = 0;
	for (i = 0; s[i] != 0; i++) {
		if (((unsigned char) s[i] & 0xc0) != 0x80) {
			*all += 1;
			*fit += i < max;
		}
	}
	/* the character that starts before max but ends after it */
	if (i > max && ((unsigned char) s[max] & 0xc0) == 0x80) {
		*fit -= 1;
	}
}

int
cosoi_too_long(struct coso_store *s, const char *field, const char *text)
{
	size_t all, fit;

	/* The limit is in bytes (FORMAT.md), which nobody can count in
	 * Vietnamese text: say it in characters of this text. */
	chars_fitting(text, COSO_TEXT_MAX, &all, &fit);
	return cosoi_fail(s, COSO_ETOOBIG,
	    "%s: too long: %zu characters, of which the first %zu fit; "
	    "shorten it by %zu characters",
	    field, all, fit, all - fit);
}

int
cosoi_hlc_last(struct coso_store *s, uint64_t *hlc)
{
	struct chain_state c;
	int rv = chain_get(s, &c);

	*hlc = rv == COSO_OK ? c.hlc : 0;
	return rv;
}

/* Stores the clock, the chain as it was. */
static int
hlc_store(struct coso_store *s, const struct chain_state *c, uint64_t hlc)
{
	return hlc == c->hlc ? COSO_OK : chain_set(s, c->seq, c->prev, hlc);
}

uint64_t
cosoi_hlc_weighed(uint64_t remote, uint64_t central_ms)
{
	if (central_ms > COSO_HLC_MS_MAX - COSO_CLOCK_TOLERANCE_MS
	    || coso_hlc_ms(remote) <= central_ms + COSO_CLOCK_TOLERANCE_MS) {
		return remote;
	}
	return central_ms << 16;
}

int
cosoi_hlc_take(struct coso_store *s, uint64_t remote)
{
	struct chain_state c;
	struct coso_hlc clock;
	uint64_t out;
	int rv;

	if ((rv = chain_get(s, &c)) != COSO_OK) {
		return rv;
	}
	clock.last = c.hlc;
	if (coso_hlc_recv(&clock, coso_wall_ms(), remote, &out) != COSO_OK) {
		return COSO_OK; /* out of range: the clock stays as it is */
	}
	return hlc_store(s, &c, clock.last);
}

int
cosoi_hlc_central(struct coso_store *s, uint64_t central_ms)
{
	struct chain_state c;
	uint64_t hlc;
	int rv;

	/* A central time before 2000 is a central whose clock is broken,
	 * not a reason to set this one back. */
	if (central_ms < CENTRAL_MS_MIN
	    || central_ms > COSO_HLC_MS_MAX - COSO_CLOCK_TOLERANCE_MS) {
		return COSO_OK;
	}
	if ((rv = chain_get(s, &c)) != COSO_OK) {
		return rv;
	}
	hlc = c.hlc;
	if (coso_hlc_ms(hlc) > central_ms + COSO_CLOCK_TOLERANCE_MS) {
		/* Weighed at the central's time anyway: start again there
		 * (the central keeps this author's weights in order). */
		hlc = central_ms << 16;
	}
	if (hlc != c.hlc && (rv = hlc_store(s, &c, hlc)) != COSO_OK) {
		return rv;
	}
	return cosoi_hlc_take(s, central_ms << 16);
}

int
cosoi_chain_restore(struct coso_store *s, const struct coso_changeset *cs,
    const uint8_t id[32], int *taken)
{
	struct chain_state c;
	int rv;

	*taken = 0;
	if ((rv = chain_get(s, &c)) != COSO_OK) {
		return rv;
	}
	if (cs->seq != c.seq + 1 || memcmp(cs->prev, c.prev, 32) != 0) {
		return COSO_OK; /* held already, or not this chain (a fork) */
	}
	*taken = 1;
	return chain_set(s, cs->seq, id, cs->hlc > c.hlc ? cs->hlc : c.hlc);
}

int
cosoi_text(struct coso_store *s, const char *field, const char *in, char **out)
{
	size_t n;
	int rv;

	*out = NULL;
	if (in == NULL || in[0] == 0) {
		return COSO_OK;
	}
	rv = coso_text_nfc(out, &n, in, strlen(in), COSO_TEXT_MAX);
	if (rv == COSO_ETOOBIG) {
		return cosoi_too_long(s, field, in);
	}
	if (rv != COSO_OK) {
		return cosoi_fail(s, rv, "%s: %s", field, coso_strerror(rv));
	}
	return COSO_OK;
}

int
cosoi_unit_known(struct coso_store *s, const char *field, const char *code)
{
	sqlite3_stmt *st;
	int rc;

	if (code == NULL || code[0] == 0) {
		return cosoi_fail(
		    s, COSO_EFIELD, "%s: a unit code is required", field);
	}
	if ((st = cosoi_stmt(s, ST_UNIT_EXISTS)) == NULL) {
		return COSO_ESTORE;
	}
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW) {
		return COSO_OK;
	}
	if (rc != SQLITE_DONE) {
		return cosoi_db_fail(s, "cannot look up the unit");
	}
	return cosoi_fail(s, COSO_EUNIT,
	    "%s: unknown unit `%s' (import the unit list first)", field, code);
}

int
cosoi_date_ok(struct coso_store *s, const char *field, int32_t date)
{
	int32_t today = coso_date_of_ms(coso_wall_ms());
	char shown[11];

	if (!coso_date_valid(date)) {
		return cosoi_fail(
		    s, COSO_EDATE, "%s: not a valid date", field);
	}
	if (coso_days(date) > coso_days(today) + 1) {
		coso_date_format(shown, date);
		return cosoi_fail(s, COSO_EDATE,
		    "%s: %s is more than a day in the future", field, shown);
	}
	return COSO_OK;
}
