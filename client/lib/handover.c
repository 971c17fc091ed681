/*
 * handover.c: an outgoing cadre's notes on an area, for whoever takes it.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int
handover_op(struct coso_body *b, const uint8_t id[16], const char *unit,
    const char *text, int32_t date, const char *to)
{
	int rv;

	if ((rv = coso_body_op(b, COSO_T_HANDOVER, id, COSO_UPSERT))
	    || (rv
	        = coso_body_text(b, COSO_F_HANDOVER_UNIT, unit, strlen(unit)))
	    || (rv
	        = coso_body_text(b, COSO_F_HANDOVER_TEXT, text, strlen(text)))
	    || (rv = coso_body_int(b, COSO_F_HANDOVER_DATE, date))
	    || (to != NULL
	        && (rv = coso_body_text(
	                b, COSO_F_HANDOVER_TO_CADRE, to, strlen(to))))) {
		return rv;
	}
	return COSO_OK;
}

static int
handover_row(struct coso_store *s, const uint8_t id[16], uint64_t seq,
    const char *unit, const char *text, int32_t date, const char *to)
{
	sqlite3_stmt *st = cosoi_stmt(s, ST_HANDOVER_PUT);

	if (st == NULL) {
		return COSO_ESTORE;
	}
	sqlite3_bind_blob(st, 1, id, 16, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64) seq);
	sqlite3_bind_text(st, 3, unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, text, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, date);
	if (to != NULL) {
		sqlite3_bind_text(st, 6, to, -1, SQLITE_STATIC);
	}
	sqlite3_bind_text(st, 7, s->cadre, -1, SQLITE_STATIC);
	return sqlite3_step(st) == SQLITE_DONE
	    ? COSO_OK
	    : cosoi_db_fail(s, "cannot store the handover note");
}

int
coso_handover_add(struct coso_store *s, const char *unit, const char *text,
    const char *to_cadre, uint8_t id[static 16])
{
	return coso_handover_add_on(s, unit, text, to_cadre, 0, id);
}

int
coso_handover_add_on(struct coso_store *s, const char *unit, const char *text,
    const char *to_cadre, int32_t date, uint8_t id[static 16])
{
	struct coso_body *b = NULL;
	char *norm = NULL, *to = NULL;
	int32_t today = date != 0 ? date : coso_date_of_ms(coso_wall_ms());
	uint64_t seq, hlc_ms;
	uint8_t hid[16];
	int rv;

	if ((rv = cosoi_key_load(s)) || (rv = cosoi_date_ok(s, "date", today))
	    || (rv = cosoi_unit_known(s, "unit", unit))
	    || (rv = cosoi_text(s, "text", text, &norm))
	    || (rv = cosoi_text(s, "to", to_cadre, &to))
	    || (to != NULL && (rv = cosoi_cadre_named(s, "to", to)))) {
		goto out;
	}
	if (norm == NULL) {
		rv = cosoi_fail(s, COSO_EFIELD, "text: the note is empty");
		goto out;
	}
	coso_uuid7(hid, coso_wall_ms());
	if (coso_body_new(&b) != COSO_OK
	    || (rv = handover_op(b, hid, unit, norm, today, to)) != COSO_OK) {
		rv = cosoi_fail(s, rv ? rv : COSO_ENOMEM, "handover: %s",
		    coso_strerror(rv ? rv : COSO_ENOMEM));
		goto out;
	}
	if ((rv = cosoi_begin(s)) != COSO_OK) {
		goto out;
	}
	if ((rv = cosoi_cover_check(s, COSOI_RULE_HANDOVER, unit, today, 0, 0))
	    || (rv = cosoi_sign_append(s, b, &seq, &hlc_ms))
	    || (rv = handover_row(s, hid, seq, unit, norm, today, to))) {
		cosoi_rollback(s);
		goto out;
	}
	if ((rv = cosoi_commit(s)) == COSO_OK) {
		memcpy(id, hid, 16);
	}
out:
	coso_body_free(b);
	free(norm);
	free(to);
	return rv;
}
