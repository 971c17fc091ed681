/*
 * visit.c: recording a visit with its outcomes and proposals.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The visit's text, normalised, owned here. */
struct visit_text {
	char *purpose, *situation, *difficulties, *directions, *participants;
	char **proposals;
	char **outcomes, **qty_units;
	size_t nproposals, noutcomes;
};

static void
visit_text_free(struct visit_text *t)
{
	size_t i;

	free(t->purpose);
	free(t->situation);
	free(t->difficulties);
	free(t->directions);
	free(t->participants);
	for (i = 0; i < t->nproposals; i++) {
		free(t->proposals[i]);
	}
	for (i = 0; i < t->noutcomes; i++) {
		free(t->outcomes[i]);
		free(t->qty_units[i]);
	}
	free(t->proposals);
	free(t->outcomes);
	free(t->qty_units);
}

/* The lines joined so far and the one that does not fit, said in
 * characters (cosoi_too_long). */
static int
too_long(struct coso_store *s, const char *field, const char *buf, size_t len,
    const char *item)
{
	size_t il = strlen(item);
	char *all = malloc(len + il + 2);
	int rv;

	if (all == NULL) {
		return cosoi_fail(s, COSO_ENOMEM, "out of memory");
	}
	if (len > 0) {
		memcpy(all, buf, len);
		all[len++] = '\n';
	}
	memcpy(all + len, item, il + 1);
	rv = cosoi_too_long(s, field, all);
	free(all);
	return rv;
}

/* Normalises each item and joins them with newlines; *out NULL when
 * none has text. */
static int
join_lines(struct coso_store *s, const char *field, const char *const *items,
    size_t n, char **out)
{
	struct coso_buf buf;
	size_t i, before;
	uint8_t *joined;
	char *item;
	int rv = COSO_OK;

	*out = NULL;
	coso_buf_init(&buf, COSO_TEXT_MAX);
	for (i = 0; i < n && rv == COSO_OK; i++) {
		if ((rv = cosoi_text(s, field, items[i], &item)) != COSO_OK
		    || item == NULL) {
			continue;
		}
		before = buf.len;
		if ((before > 0 && (rv = coso_buf_add(&buf, "\n", 1)) != 0)
		    || (rv = coso_buf_add(&buf, item, strlen(item))) != 0) {
			rv = rv == COSO_ETOOBIG
			    ? too_long(s, field, (char *) buf.p, before, item)
			    : cosoi_fail(s, rv, "out of memory");
		}
		free(item);
	}
	if (rv == COSO_OK && buf.p != NULL
	    && (rv = coso_buf_take(&buf, &joined, &i)) == COSO_OK) {
		*out = (char *) joined;
	}
	coso_buf_free(&buf);
	return rv;
}

static int
normalise_lists(
    struct coso_store *s, const struct coso_visit_in *v, struct visit_text *t)
{
	size_t i;
	int rv;

	t->proposals = calloc(v->nproposals + 1, sizeof(char *));
	t->outcomes  = calloc(v->noutcomes + 1, sizeof(char *));
	t->qty_units = calloc(v->noutcomes + 1, sizeof(char *));
	if (!t->proposals || !t->outcomes || !t->qty_units) {
		return cosoi_fail(s, COSO_ENOMEM, "out of memory");
	}
	for (i = 0; i < v->nproposals; i++, t->nproposals++) {
		if ((rv = cosoi_text(
		         s, "proposal", v->proposals[i], &t->proposals[i]))
		    != COSO_OK) {
			return rv;
		}
	}
	for (i = 0; i < v->noutcomes; i++, t->noutcomes++) {
		if ((rv = cosoi_text(
		         s, "outcome", v->outcomes[i].text, &t->outcomes[i]))
		        != COSO_OK
		    || (rv = cosoi_text(s, "quantity unit",
		            v->outcomes[i].quantity_unit, &t->qty_units[i]))
		        != COSO_OK) {
			return rv;
		}
		if (t->outcomes[i] == NULL) {
			return cosoi_fail(
			    s, COSO_EFIELD, "outcome: the text is empty");
		}
	}
	return COSO_OK;
}

static int
normalise(
    struct coso_store *s, const struct coso_visit_in *v, struct visit_text *t)
{
	int rv;

	/* Given, a purpose must say something: a form sent with it blank
	 * (the app, `--purpose ""') is a slip, not "no purpose". */
	if (v->purpose != NULL
	    && v->purpose[strspn(v->purpose, " \t\r\n")] == 0) {
		return cosoi_fail(s, COSO_EFIELD,
		    "purpose: empty; say what the visit was for");
	}
	if ((rv = cosoi_text(s, "purpose", v->purpose, &t->purpose))
	    || (rv = cosoi_text(s, "situation", v->situation, &t->situation))
	    || (rv = cosoi_text(
	            s, "difficulties", v->difficulties, &t->difficulties))
	    || (rv = join_lines(s, "direction", v->directions, v->ndirections,
	            &t->directions))
	    || (rv = join_lines(s, "participant", v->participants,
	            v->nparticipants, &t->participants))) {
		return rv;
	}
	if (v->has_position
	    && (v->lat_e6 < -90000000 || v->lat_e6 > 90000000
	        || v->lon_e6 < -180000000 || v->lon_e6 > 180000000)) {
		return cosoi_fail(s, COSO_EFIELD, "position: out of range");
	}
	return normalise_lists(s, v, t);
}

/* Adds a text field when present; absent fields are left out. */
static int
opt_text(struct coso_body *b, uint32_t field, const char *t)
{
	return t == NULL ? COSO_OK : coso_body_text(b, field, t, strlen(t));
}

static int
visit_ops(struct coso_body *b, const struct coso_visit_in *v,
    const struct visit_text *t, const uint8_t id[16])
{
	int rv;

	if ((rv = coso_body_op(b, COSO_T_VISIT, id, COSO_UPSERT))
	    || (rv = coso_body_text(
	            b, COSO_F_VISIT_UNIT, v->unit, strlen(v->unit)))
	    || (rv = coso_body_int(b, COSO_F_VISIT_DATE, v->date))
	    || (rv = opt_text(b, COSO_F_VISIT_PURPOSE, t->purpose))
	    || (rv = opt_text(b, COSO_F_VISIT_SITUATION, t->situation))
	    || (rv = opt_text(b, COSO_F_VISIT_DIFFICULTIES, t->difficulties))
	    || (rv = opt_text(b, COSO_F_VISIT_DIRECTIONS, t->directions))
	    || (rv
	        = opt_text(b, COSO_F_VISIT_PARTICIPANTS, t->participants))) {
		return rv;
	}
	if (v->has_position
	    && ((rv = coso_body_int(b, COSO_F_VISIT_LAT, v->lat_e6))
	        || (rv = coso_body_int(b, COSO_F_VISIT_LON, v->lon_e6)))) {
		return rv;
	}
	if (v->amends != NULL
	    && (rv = coso_body_bytes(b, COSO_F_VISIT_AMENDS, v->amends, 16))) {
		return rv;
	}
	return COSO_OK;
}

static int
outcome_op(struct coso_body *b, const struct coso_outcome_in *o,
    const char *text, const char *unit, const uint8_t visit[16],
    uint8_t row[16])
{
	int rv;

	coso_uuid7(row, coso_wall_ms());
	if ((rv = coso_body_op(b, COSO_T_OUTCOME, row, COSO_UPSERT))
	    || (rv = coso_body_bytes(b, COSO_F_OUTCOME_VISIT, visit, 16))
	    || (rv
	        = coso_body_text(b, COSO_F_OUTCOME_TEXT, text, strlen(text)))
	    || (o->has_quantity
	        && (rv = coso_body_int(
	                b, COSO_F_OUTCOME_QUANTITY, o->quantity_milli)))
	    || (rv = opt_text(b, COSO_F_OUTCOME_QUANTITY_UNIT, unit))
	    || (o->has_amount
	        && (rv = coso_body_int(
	                b, COSO_F_OUTCOME_AMOUNT_VND, o->amount_vnd)))) {
		return rv;
	}
	return COSO_OK;
}

static int
proposal_op(struct coso_body *b, const char *unit, const char *text,
    int32_t date, const uint8_t source[16], uint8_t row[16])
{
	int rv;

	coso_uuid7(row, coso_wall_ms());
	if ((rv = coso_body_op(b, COSO_T_PROPOSAL, row, COSO_UPSERT))
	    || (rv = coso_body_bytes(b, COSO_F_PROPOSAL_SOURCE, source, 16))
	    || (rv
	        = coso_body_text(b, COSO_F_PROPOSAL_UNIT, unit, strlen(unit)))
	    || (rv
	        = coso_body_text(b, COSO_F_PROPOSAL_TEXT, text, strlen(text)))
	    || (rv = coso_body_int(b, COSO_F_PROPOSAL_DATE, date))) {
		return rv;
	}
	return COSO_OK;
}

static void
bind_opt_text(sqlite3_stmt *st, int col, const char *t)
{
	if (t == NULL) {
		sqlite3_bind_null(st, col);
	} else {
		sqlite3_bind_text(st, col, t, -1, SQLITE_STATIC);
	}
}

static int
visit_row(struct coso_store *s, const struct coso_visit_in *v,
    const struct visit_text *t, const uint8_t id[16], uint64_t seq)
{
	sqlite3_stmt *st = cosoi_stmt(s, ST_VISIT_PUT);

	if (st == NULL) {
		return COSO_ESTORE;
	}
	sqlite3_bind_blob(st, 1, id, 16, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64) seq);
	sqlite3_bind_text(st, 3, v->unit, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, v->date);
	bind_opt_text(st, 5, t->purpose);
	bind_opt_text(st, 6, t->situation);
	bind_opt_text(st, 7, t->difficulties);
	bind_opt_text(st, 8, t->directions);
	bind_opt_text(st, 9, t->participants);
	if (v->has_position) {
		sqlite3_bind_int64(st, 10, v->lat_e6);
		sqlite3_bind_int64(st, 11, v->lon_e6);
	}
	if (v->amends != NULL) {
		sqlite3_bind_blob(st, 12, v->amends, 16, SQLITE_STATIC);
	}
	sqlite3_bind_text(st, 13, s->cadre, -1, SQLITE_STATIC);
	return sqlite3_step(st) == SQLITE_DONE
	    ? COSO_OK
	    : cosoi_db_fail(s, "cannot store the visit");
}

static int
outcome_row(struct coso_store *s, const struct coso_outcome_in *o,
    const char *text, const char *unit, const uint8_t visit[16],
    const uint8_t row[16])
{
	sqlite3_stmt *st = cosoi_stmt(s, ST_OUTCOME_PUT);

	if (st == NULL) {
		return COSO_ESTORE;
	}
	sqlite3_bind_blob(st, 1, row, 16, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, visit, 16, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
	if (o->has_quantity) {
		sqlite3_bind_int64(st, 4, o->quantity_milli);
	}
	bind_opt_text(st, 5, unit);
	if (o->has_amount) {
		sqlite3_bind_int64(st, 6, o->amount_vnd);
	}
	return sqlite3_step(st) == SQLITE_DONE
	    ? COSO_OK
	    : cosoi_db_fail(s, "cannot store the outcome");
}

int
cosoi_proposal_row(struct coso_store *s, const uint8_t row[16],
    const uint8_t source[16], const char *kind, const char *unit,
    const char *text, int32_t date)
{
	sqlite3_stmt *st = cosoi_stmt(s, ST_PROPOSAL_PUT);

	if (st == NULL) {
		return COSO_ESTORE;
	}
	sqlite3_bind_blob(st, 1, row, 16, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, source, 16, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, text, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, date);
	sqlite3_bind_text(st, 7, s->cadre, -1, SQLITE_STATIC);
	return sqlite3_step(st) == SQLITE_DONE
	    ? COSO_OK
	    : cosoi_db_fail(s, "cannot store the proposal");
}

int
cosoi_proposal_op(struct coso_body *b, const char *unit, const char *text,
    int32_t date, const uint8_t source[16], uint8_t row[16])
{
	return proposal_op(b, unit, text, date, source, row);
}

/* Builds the body: the visit, then its outcomes, then its proposals. */
static int
build(struct coso_store *s, struct coso_body *b, const struct coso_visit_in *v,
    const struct visit_text *t, const uint8_t id[16], uint8_t (*rows)[16])
{
	size_t i, r = 0;
	int rv;

	if ((rv = visit_ops(b, v, t, id)) != COSO_OK) {
		return cosoi_fail(s, rv, "visit: %s", coso_strerror(rv));
	}
	for (i = 0; i < t->noutcomes; i++, r++) {
		if ((rv = outcome_op(b, &v->outcomes[i], t->outcomes[i],
		         t->qty_units[i], id, rows[r]))
		    != COSO_OK) {
			return cosoi_fail(
			    s, rv, "outcome: %s", coso_strerror(rv));
		}
	}
	for (i = 0; i < t->nproposals; i++) {
		if (t->proposals[i] == NULL) {
			continue;
		}
		if ((rv = proposal_op(
		         b, v->unit, t->proposals[i], v->date, id, rows[r++]))
		    != COSO_OK) {
			return cosoi_fail(
			    s, rv, "proposal: %s", coso_strerror(rv));
		}
	}
	return COSO_OK;
}

/* A visit may correct only a visit of this store's cadre that the store
 * holds (a pull brings other cadres' visits of the area too). */
static int
amendable(struct coso_store *s, const uint8_t id[16])
{
	sqlite3_stmt *st = NULL;
	int rc, own = -1;

	if (sqlite3_prepare_v2(s->db,
	        "SELECT v.author = m.value FROM visits v, meta m WHERE "
	        "v.id = ? AND m.key = 'cadre_id'",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot read the visit");
	}
	sqlite3_bind_blob(st, 1, id, 16, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		own = sqlite3_column_int(st, 0);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		return cosoi_db_fail(s, "cannot read the visit");
	}
	if (own < 0) {
		return cosoi_fail(s, COSO_ENOENT, "amends: no such visit");
	}
	return own == 1 ? COSO_OK
	                : cosoi_fail(s, COSO_ESTATE,
	                    "amends: only this cadre's own visit can be "
	                    "corrected");
}

/* Inside the transaction: checks, signs, stores every row. */
static int
store_visit(struct coso_store *s, struct coso_body *b,
    const struct coso_visit_in *v, const struct visit_text *t,
    const uint8_t id[16], uint8_t (*rows)[16])
{
	uint64_t seq, hlc_ms;
	size_t i, r = 0;
	int rv;

	if ((rv = cosoi_unit_known(s, "unit", v->unit)) != COSO_OK
	    || (rv = cosoi_date_ok(s, "date", v->date)) != COSO_OK
	    || (rv = cosoi_unit_on(s, "unit", v->unit, v->date)) != COSO_OK
	    || (rv = cosoi_cover_check(
	            s, COSOI_RULE_ON_DATE, v->unit, v->date, 0, 0))
	        != COSO_OK
	    || (v->amends != NULL && (rv = amendable(s, v->amends)) != COSO_OK)
	    || (rv = cosoi_sign_append(s, b, &seq, &hlc_ms)) != COSO_OK
	    || (rv = visit_row(s, v, t, id, seq)) != COSO_OK) {
		return rv;
	}
	for (i = 0; i < t->noutcomes; i++, r++) {
		if ((rv = outcome_row(s, &v->outcomes[i], t->outcomes[i],
		         t->qty_units[i], id, rows[r]))
		    != COSO_OK) {
			return rv;
		}
	}
	for (i = 0; i < t->nproposals; i++) {
		if (t->proposals[i] != NULL
		    && (rv = cosoi_proposal_row(s, rows[r++], id, "visit",
		            v->unit, t->proposals[i], v->date))
		        != COSO_OK) {
			return rv;
		}
	}
	return COSO_OK;
}

int
coso_visit_add(
    struct coso_store *s, const struct coso_visit_in *v, uint8_t id[static 16])
{
	struct visit_text t = {0};
	struct coso_body *b = NULL;
	uint8_t(*rows)[16]  = NULL;
	uint8_t vid[16];
	int rv;

	if ((rv = cosoi_key_load(s)) != COSO_OK
	    || (rv = cosoi_unit_known(s, "unit", v->unit)) != COSO_OK
	    || (rv = normalise(s, v, &t)) != COSO_OK) {
		goto out;
	}
	if (coso_body_new(&b) != COSO_OK
	    || (rows = calloc(v->noutcomes + v->nproposals + 1, 16)) == NULL) {
		rv = cosoi_fail(s, COSO_ENOMEM, "out of memory");
		goto out;
	}
	coso_uuid7(vid, coso_wall_ms());
	if ((rv = build(s, b, v, &t, vid, rows)) != COSO_OK
	    || (rv = cosoi_begin(s)) != COSO_OK) {
		goto out;
	}
	if ((rv = store_visit(s, b, v, &t, vid, rows)) != COSO_OK) {
		cosoi_rollback(s);
		goto out;
	}
	if ((rv = cosoi_commit(s)) == COSO_OK) {
		memcpy(id, vid, 16);
	}
out:
	free(rows);
	coso_body_free(b);
	visit_text_free(&t);
	return rv;
}
