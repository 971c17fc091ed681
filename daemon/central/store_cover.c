/*
 * store_cover.c: whom a cadre's assignments cover, remembered for one
 * write transaction.
 *
 * Every visit and proposal asks whether its author's cadre covers its
 * unit on its date (cstore_covers): a recursive query over the unit's
 * ancestors, run twice per change-set, about a tenth of the writer's
 * time.  Within one transaction the answer for (cadre, unit) depends
 * only on the units and assignments tables, so the writer's handle
 * keeps, per (cadre, unit), the spans of the live assignments on the
 * unit or an ancestor, and answers covers and cover_end from them.
 *
 * What is kept is forgotten at every BEGIN, COMMIT and ROLLBACK (full
 * or to a savepoint) and at every write to units or assignments
 * (cstorei_cover_touch), so it never outlives the snapshot it was read
 * from: no other connection writes while the transaction holds the
 * write lock.  Outside a write transaction, on a read-only handle, or
 * for a key or a set of spans it cannot hold, the query runs as before.
 */
#include <stdlib.h>
#include <string.h>

#include "store_impl.h"

#define COVER_ENTRIES 256
#define COVER_SPANS   8
#define COVER_KEY_MAX 64

struct cover_span {
	int64_t from, to;
	int open; /* valid_to NULL */
};

struct cover_ent {
	uint64_t gen; /* the cache's gen when filled; 0: empty */
	size_t nspans, unit_len;
	char cadre[COVER_KEY_MAX + 1];
	char unit[COVER_KEY_MAX];
	struct cover_span span[COVER_SPANS];
};

struct cstore_cover {
	uint64_t gen; /* bumped to forget every entry */
	struct cover_ent ent[COVER_ENTRIES];
};

/* The unit and its ancestors (bounded: the tree may hold a cycle an
 * admin made), as cstore_covers has always walked them. */
#define ANCESTORS                                                       \
	"WITH RECURSIVE anc(code, depth) AS (SELECT ?1, 0 UNION "       \
	"SELECT u.parent, anc.depth + 1 FROM units u JOIN anc "         \
	"ON u.code = anc.code WHERE u.deleted = 0 AND u.parent IS NOT " \
	"NULL AND anc.depth < 32) "

void
cstorei_cover_forget(struct central_store *s)
{
	if (s->cover != NULL) {
		s->cover->gen++;
	}
}

void
cstorei_cover_touch(struct central_store *s, uint32_t table)
{
	if (table == COSO_T_UNIT || table == COSO_T_ASSIGNMENT) {
		cstorei_cover_forget(s);
	}
}

void
cstorei_cover_free(struct central_store *s)
{
	free(s->cover);
	s->cover = NULL;
}

static uint32_t
key_hash(const char *cadre, const char *unit, size_t unit_len)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; cadre[i] != 0; i++) {
		h = (h ^ (uint8_t) cadre[i]) * 16777619u;
	}
	h = (h ^ 0xffu) * 16777619u;
	for (i = 0; i < unit_len; i++) {
		h = (h ^ (uint8_t) unit[i]) * 16777619u;
	}
	return h;
}

/* Reads the spans of (cadre, unit) into e; 0 if they do not fit or are
 * not all integers (then the caller asks SQLite each time). */
static int
cover_read(struct central_store *s, struct cover_ent *e, int *fits)
{
	sqlite3_stmt *st = cstorei_prep(s,
	    ANCESTORS "SELECT a.valid_from, a.valid_to FROM assignments a "
	              "WHERE a.cadre_id = ?2 AND a.deleted = 0 "
	              "AND a.unit IN (SELECT code FROM anc)");
	int rc;

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_text(st, 1, e->unit, (int) e->unit_len, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, e->cadre, -1, SQLITE_STATIC);
	*fits     = 1;
	e->nspans = 0;
	while (*fits && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		int tf = sqlite3_column_type(st, 0);
		int tt = sqlite3_column_type(st, 1);

		if (tf == SQLITE_NULL) {
			continue; /* NULL <= date is never true */
		}
		if (tf != SQLITE_INTEGER
		    || (tt != SQLITE_INTEGER && tt != SQLITE_NULL)
		    || e->nspans == COVER_SPANS) {
			*fits = 0;
			break;
		}
		e->span[e->nspans].from = sqlite3_column_int64(st, 0);
		e->span[e->nspans].to   = sqlite3_column_int64(st, 1);
		e->span[e->nspans].open = tt == SQLITE_NULL;
		e->nspans++;
	}
	sqlite3_reset(st);
	if (*fits && rc != SQLITE_DONE) {
		return cstorei_fail(s, "cannot query the database");
	}
	return COSO_OK;
}

/*
 * The entry for (cadre, unit), read if need be, in *out; *out NULL when
 * the cache does not serve this handle or key.
 */
static int
cover_get(struct central_store *s, const char *cadre, const char *unit,
    size_t unit_len, const struct cover_ent **out)
{
	size_t clen = strlen(cadre);
	struct cover_ent *e;
	int rv, fits;

	*out = NULL;
	if (s->readonly || sqlite3_get_autocommit(s->db)
	    || clen > COVER_KEY_MAX || unit_len > COVER_KEY_MAX) {
		return COSO_OK;
	}
	if (s->cover == NULL) {
		if ((s->cover = calloc(1, sizeof(*s->cover))) == NULL) {
			return COSO_OK; /* the query serves */
		}
		s->cover->gen = 1;
	}
	e = &s->cover->ent[key_hash(cadre, unit, unit_len) % COVER_ENTRIES];
	if (e->gen == s->cover->gen && strcmp(e->cadre, cadre) == 0
	    && e->unit_len == unit_len
	    && memcmp(e->unit, unit, unit_len) == 0) {
		*out = e;
		return COSO_OK;
	}
	e->gen = 0;
	memcpy(e->cadre, cadre, clen + 1);
	memcpy(e->unit, unit, unit_len);
	e->unit_len = unit_len;
	if ((rv = cover_read(s, e, &fits)) != COSO_OK || !fits) {
		return rv;
	}
	e->gen = s->cover->gen;
	*out   = e;
	return COSO_OK;
}

int
cstore_covers(struct central_store *s, const char *cadre, const char *unit,
    size_t unit_len, int32_t date, int *yes)
{
	const struct cover_ent *e;
	sqlite3_stmt *st;
	size_t i;
	int rv;

	if ((rv = cover_get(s, cadre, unit, unit_len, &e)) != COSO_OK) {
		return rv;
	}
	if (e != NULL) {
		for (*yes = 0, i = 0; i < e->nspans && !*yes; i++) {
			*yes = e->span[i].from <= date
			    && (e->span[i].open || e->span[i].to >= date);
		}
		return COSO_OK;
	}
	st = cstorei_prep(s,
	    ANCESTORS "SELECT 1 FROM assignments a WHERE a.cadre_id = ?2 "
	              "AND a.deleted = 0 AND a.unit IN (SELECT code FROM anc) "
	              "AND a.valid_from <= ?3 AND (a.valid_to IS NULL OR "
	              "a.valid_to >= ?3) LIMIT 1");
	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_text(st, 1, unit, (int) unit_len, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, cadre, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, date);
	return cstorei_any_row(s, st, yes);
}

/* cstore_cover_end from the spans: the latest end of those that
 * overlap first..last, an open one as 99991231, as SQLite's max() and
 * sqlite3_column_int give it; 0 if none. */
static int32_t
spans_end(const struct cover_ent *e, int32_t first, int32_t last)
{
	int64_t end = 0, to;
	int any     = 0;
	size_t i;

	for (i = 0; i < e->nspans; i++) {
		if (e->span[i].from <= last
		    && (e->span[i].open || e->span[i].to >= first)) {
			to  = e->span[i].open ? 99991231 : e->span[i].to;
			end = !any || to > end ? to : end;
			any = 1;
		}
	}
	return (int32_t) (uint32_t) (uint64_t) end;
}

int
cstore_cover_end(struct central_store *s, const char *cadre, const char *unit,
    size_t unit_len, int32_t first, int32_t last, int32_t *end)
{
	const struct cover_ent *e;
	sqlite3_stmt *st;
	int rc;

	if ((rc = cover_get(s, cadre, unit, unit_len, &e)) != COSO_OK) {
		return rc;
	}
	if (e != NULL) {
		*end = spans_end(e, first, last);
		return COSO_OK;
	}
	/* The latest last day of the assignments that overlap the span
	 * (an open one counts as 99991231). */
	st = cstorei_prep(s,
	    ANCESTORS "SELECT max(coalesce(a.valid_to, 99991231)) FROM "
	              "assignments a WHERE a.cadre_id = ?2 AND a.deleted = 0 "
	              "AND a.unit IN (SELECT code FROM anc) AND a.valid_from "
	              "<= ?4 AND (a.valid_to IS NULL OR a.valid_to >= ?3)");
	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_text(st, 1, unit, (int) unit_len, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, cadre, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, first);
	sqlite3_bind_int(st, 4, last);
	rc   = sqlite3_step(st);
	*end = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? COSO_OK
	                        : cstorei_fail(s, "cannot query the database");
}
