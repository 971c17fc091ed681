/*
 * store_sql.c: the statement cache, and values between SQLite and the
 * store's types (store_impl.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_impl.h"

#define CACHE_WAYS 4

int
cstorei_fail(struct central_store *s, const char *what)
{
	snprintf(s->errmsg, sizeof(s->errmsg), "%s: %s", what,
	    sqlite3_errmsg(s->db));
	return COSO_EIO;
}

const char *
cstore_errmsg(const struct central_store *s)
{
	return s->errmsg;
}

static uint32_t
fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s != 0) {
		h = (h ^ (uint8_t) *s++) * 16777619u;
	}
	return h;
}

sqlite3_stmt *
cstorei_prep(struct central_store *s, const char *sql)
{
	uint32_t h      = fnv1a(sql) % CACHE_SLOTS;
	struct slot *sl = NULL;
	sqlite3_stmt *st;
	uint32_t i;

	for (i = 0; i < CACHE_WAYS; i++) {
		struct slot *c = &s->cache[(h + i) % CACHE_SLOTS];

		if (c->sql != NULL && strcmp(c->sql, sql) == 0) {
			sqlite3_reset(c->st);
			sqlite3_clear_bindings(c->st);
			return c->st;
		}
		if (sl == NULL && c->sql == NULL) {
			sl = c;
		}
	}
	if (sl == NULL) {
		/* Every way taken: evict one, in turn. */
		sl = &s->cache[(h + s->evict++ % CACHE_WAYS) % CACHE_SLOTS];
	}
	if (sqlite3_prepare_v3(
	        s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL)
	    != SQLITE_OK) {
		cstorei_fail(s, "cannot prepare a query");
		return NULL;
	}
	free(sl->sql);
	sqlite3_finalize(sl->st);
	sl->sql = NULL;
	sl->st  = st;
	if ((sl->sql = strdup(sql)) == NULL) {
		sqlite3_finalize(st);
		sl->st = NULL;
		snprintf(s->errmsg, sizeof(s->errmsg), "out of memory");
		return NULL;
	}
	return st;
}

int
cstorei_run(struct central_store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		return cstorei_fail(s, what);
	}
	return COSO_OK;
}

int
cstorei_exec(struct central_store *s, const char *sql, const char *what)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		return cstorei_fail(s, what);
	}
	return COSO_OK;
}

void
cstorei_bind_value(sqlite3_stmt *st, int i, const struct coso_value *v)
{
	switch (v->type) {
	case COSO_VINT:
		sqlite3_bind_int64(st, i, v->i);
		break;
	case COSO_VTEXT:
		sqlite3_bind_text(
		    st, i, (const char *) v->p, (int) v->len, SQLITE_STATIC);
		break;
	case COSO_VBYTES:
		sqlite3_bind_blob(st, i, v->len > 0 ? v->p : (const void *) "",
		    (int) v->len, SQLITE_STATIC);
		break;
	default:
		sqlite3_bind_null(st, i);
	}
}

void
cstorei_column_view(sqlite3_stmt *st, int i, struct coso_value *v)
{
	memset(v, 0, sizeof(*v));
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_INTEGER:
		v->type = COSO_VINT;
		v->i    = sqlite3_column_int64(st, i);
		break;
	case SQLITE_TEXT:
		v->type = COSO_VTEXT;
		v->p    = sqlite3_column_text(st, i);
		v->len  = (size_t) sqlite3_column_bytes(st, i);
		break;
	case SQLITE_BLOB:
		v->type = COSO_VBYTES;
		v->p    = sqlite3_column_blob(st, i);
		v->len  = (size_t) sqlite3_column_bytes(st, i);
		break;
	default:
		v->type = COSO_VNULL;
	}
}

void
cstore_val_clear(struct cstore_val *v)
{
	if (v != NULL) {
		free(v->p);
		memset(v, 0, sizeof(*v));
	}
}

int
cstorei_column_copy(sqlite3_stmt *st, int i, struct cstore_val *out)
{
	struct coso_value v;

	cstorei_column_view(st, i, &v);
	memset(out, 0, sizeof(*out));
	out->type = v.type;
	out->i    = v.i;
	if (v.type == COSO_VTEXT || v.type == COSO_VBYTES) {
		if ((out->p = malloc(v.len + 1)) == NULL) {
			return COSO_ENOMEM;
		}
		if (v.len > 0) {
			memcpy(out->p, v.p, v.len);
		}
		out->p[v.len] = 0;
		out->len      = v.len;
	}
	return COSO_OK;
}

void
cstorei_column_fixed(sqlite3_stmt *st, int i, uint8_t *out, size_t n)
{
	const void *p = sqlite3_column_blob(st, i);

	memset(out, 0, n);
	if (p != NULL && (size_t) sqlite3_column_bytes(st, i) == n) {
		memcpy(out, p, n);
	}
}
