/*
 * report.c: periodic reports: draft, edit, submit, amend.
 *
 * A draft lives only in the store and is not signed.  Submitting signs
 * the whole report as one change-set; from then on the row never changes,
 * and a correction is a new report whose `amends' names the one before.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *const section_names[COSO_SEC_COUNT]
    = {"results", "situation", "difficulties", "proposals"};

int
coso_section_parse(const char *name, enum coso_section *out)
{
	int i;

	for (i = 0; i < COSO_SEC_COUNT; i++) {
		if (name != NULL && strcmp(name, section_names[i]) == 0) {
			*out = (enum coso_section) i;
			return COSO_OK;
		}
	}
	return COSO_EFIELD;
}

/* The unit of the cadre's one active assignment today. */
static int
default_unit(struct coso_store *s, char **unit)
{
	sqlite3_stmt *st = NULL;
	int32_t today    = coso_date_of_ms(coso_wall_ms());
	int n            = 0;

	*unit = NULL;
	if (sqlite3_prepare_v2(s->db,
	        "SELECT DISTINCT a.unit FROM assignments a, meta m "
	        "WHERE m.key = 'cadre_id' AND a.cadre_id = m.value "
	        "AND a.unit IS NOT NULL AND a.valid_from <= ?1 "
	        "AND (a.valid_to IS NULL OR a.valid_to >= ?1)",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot read assignments");
	}
	sqlite3_bind_int(st, 1, today);
	while (sqlite3_step(st) == SQLITE_ROW && ++n == 1) {
		*unit = strdup((const char *) sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	if (n != 1) {
		free(*unit);
		*unit = NULL;
		return cosoi_fail(s, COSO_EFIELD,
		    "unit: give --unit (the cadre has %s active assignment)",
		    n == 0 ? "no" : "more than one");
	}
	return COSO_OK;
}

/* Copies a submitted report's sections into the new draft. */
static int
copy_amended(
    struct coso_store *s, const uint8_t id[16], const uint8_t amends[16])
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db,
	        "UPDATE reports SET (results, situation, difficulties, "
	        "proposals, amends) = (SELECT results, situation, "
	        "difficulties, proposals, id FROM reports WHERE id = ?2 AND "
	        "status = 'submitted') WHERE id = ?1",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot copy the report");
	}
	sqlite3_bind_blob(st, 1, id, 16, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, amends, 16, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? COSO_OK
	                         : cosoi_db_fail(s, "cannot copy the report");
}

static int
submitted(struct coso_store *s, const uint8_t id[16], int *is_submitted)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db,
	        "SELECT status = 'submitted' FROM reports WHERE id = ?", -1,
	        &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot read the report");
	}
	sqlite3_bind_blob(st, 1, id, 16, SQLITE_STATIC);
	rc            = sqlite3_step(st);
	*is_submitted = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		return cosoi_db_fail(s, "cannot read the report");
	}
	return *is_submitted < 0 ? cosoi_fail(s, COSO_ENOENT, "no such report")
	                         : COSO_OK;
}

/* Whether report id is this store's cadre's: a correction may name only
 * such a report (docs/decisions.md, "Corrections"); the central
 * quarantines any other, and a pull brings the reports of every cadre of
 * the area. */
static int
own_report(struct coso_store *s, const uint8_t id[16], int *own)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db,
	        "SELECT r.author = m.value FROM reports r, meta m WHERE "
	        "r.id = ? AND m.key = 'cadre_id'",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot read the report");
	}
	sqlite3_bind_blob(st, 1, id, 16, SQLITE_STATIC);
	rc   = sqlite3_step(st);
	*own = rc == SQLITE_ROW && sqlite3_column_int(st, 0) == 1;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE
	    ? COSO_OK
	    : cosoi_db_fail(s, "cannot read the report");
}

static int
insert_draft(struct coso_store *s, const uint8_t id[16], const char *unit,
    const char *period)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db,
	        "INSERT INTO reports (id, unit, period, created_ms, author) "
	        "SELECT ?, ?, ?, ?, value FROM meta WHERE key = 'cadre_id'",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot create the report");
	}
	sqlite3_bind_blob(st, 1, id, 16, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, period, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64) coso_wall_ms());
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE && sqlite3_changes(s->db) == 1
	    ? COSO_OK
	    : cosoi_db_fail(s, "cannot create the report");
}

/* A new draft on a district a leader is assigned to starts with the
 * summary of the units below it in its results section. */
static int
prefill(struct coso_store *s, const uint8_t id[16], const char *unit,
    const char *period)
{
	sqlite3_stmt *st = NULL;
	char *text       = NULL;
	int rc, rv;

	if ((rv = cosoi_report_summary(s, unit, period, &text)) != COSO_OK
	    || text == NULL) {
		return rv;
	}
	if (sqlite3_prepare_v2(s->db,
	        "UPDATE reports SET results = ? WHERE id = ?", -1, &st, NULL)
	    != SQLITE_OK) {
		free(text);
		return cosoi_db_fail(s, "cannot pre-fill the report");
	}
	sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, id, 16, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	free(text);
	return rc == SQLITE_DONE
	    ? COSO_OK
	    : cosoi_db_fail(s, "cannot pre-fill the report");
}

int
coso_report_new(struct coso_store *s, const char *period, const char *unit,
    const uint8_t *amends, uint8_t id[static 16])
{
	char *own_unit = NULL;
	uint8_t rid[16];
	int32_t first, last, st_sub;
	int rv, own = 1;

	if (coso_period_parse(period, &first, &last) != COSO_OK) {
		return cosoi_fail(s, COSO_EPERIOD,
		    "period: `%s' is not YYYY-Qn, YYYY-H1, YYYY-H2 or YYYY",
		    period != NULL ? period : "");
	}
	if (unit == NULL && (rv = default_unit(s, &own_unit)) != COSO_OK) {
		return rv;
	}
	if ((rv = cosoi_begin(s)) != COSO_OK) {
		goto out;
	}
	coso_uuid7(rid, coso_wall_ms());
	if ((rv = cosoi_unit_known(s, "unit", unit ? unit : own_unit))
	    || (amends != NULL && (rv = submitted(s, amends, &st_sub)) != 0)
	    || (amends != NULL && (rv = own_report(s, amends, &own)) != 0)
	    || (rv = insert_draft(s, rid, unit ? unit : own_unit, period))
	    || (amends != NULL && (rv = copy_amended(s, rid, amends)) != 0)
	    || (amends == NULL
	        && (rv = prefill(s, rid, unit ? unit : own_unit, period)))) {
		cosoi_rollback(s);
		goto out;
	}
	if (amends != NULL && (!st_sub || !own)) {
		cosoi_rollback(s);
		rv = cosoi_fail(s, COSO_ESTATE,
		    !own
		        ? "amends: only this cadre's own report can be amended"
		        : "amends: only a submitted report can be amended");
		goto out;
	}
	if ((rv = cosoi_commit(s)) == COSO_OK) {
		memcpy(id, rid, 16);
	}
out:
	free(own_unit);
	return rv;
}

int
coso_report_edit(struct coso_store *s, const uint8_t id[static 16],
    enum coso_section sec, const char *text)
{
	static const char *const sql[COSO_SEC_COUNT] = {
	    "UPDATE reports SET results = ? WHERE id = ?",
	    "UPDATE reports SET situation = ? WHERE id = ?",
	    "UPDATE reports SET difficulties = ? WHERE id = ?",
	    "UPDATE reports SET proposals = ? WHERE id = ?",
	};
	sqlite3_stmt *st = NULL;
	char *norm       = NULL;
	int is_sub, rv;

	if ((unsigned) sec >= COSO_SEC_COUNT) {
		return cosoi_fail(s, COSO_EFIELD, "section: unknown section");
	}
	if ((rv = cosoi_text(s, section_names[sec], text, &norm)) != COSO_OK) {
		return rv;
	}
	if ((rv = cosoi_begin(s)) != COSO_OK) {
		goto out;
	}
	if ((rv = submitted(s, id, &is_sub)) != COSO_OK || is_sub) {
		cosoi_rollback(s);
		rv = rv ? rv
		        : cosoi_fail(s, COSO_ESTATE,
		            "report: a submitted report cannot be changed; "
		            "start a correction with --amends");
		goto out;
	}
	if (sqlite3_prepare_v2(s->db, sql[sec], -1, &st, NULL) != SQLITE_OK) {
		rv = cosoi_db_fail(s, "cannot edit the report");
		cosoi_rollback(s);
		goto out;
	}
	sqlite3_bind_text(st, 1, norm != NULL ? norm : "", -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, id, 16, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rv = cosoi_db_fail(s, "cannot edit the report");
		cosoi_rollback(s);
		goto out;
	}
	rv = cosoi_commit(s);
out:
	sqlite3_finalize(st);
	free(norm);
	return rv;
}

struct draft {
	char *unit, *period, *sec[COSO_SEC_COUNT];
	uint8_t amends[16];
	int has_amends, is_submitted;
};

static void
draft_free(struct draft *d)
{
	int i;

	free(d->unit);
	free(d->period);
	for (i = 0; i < COSO_SEC_COUNT; i++) {
		free(d->sec[i]);
	}
}

static char *
col_strdup(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return strdup(t != NULL ? (const char *) t : "");
}

static int
draft_read(struct coso_store *s, const uint8_t id[16], struct draft *d)
{
	sqlite3_stmt *st = NULL;
	int i, rc;

	if (sqlite3_prepare_v2(s->db,
	        "SELECT unit, period, results, situation, difficulties, "
	        "proposals, amends, status = 'submitted' FROM reports "
	        "WHERE id = ?",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot read the report");
	}
	sqlite3_bind_blob(st, 1, id, 16, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		d->unit   = col_strdup(st, 0);
		d->period = col_strdup(st, 1);
		for (i = 0; i < COSO_SEC_COUNT; i++) {
			d->sec[i] = col_strdup(st, 2 + i);
		}
		if (sqlite3_column_bytes(st, 6) == 16) {
			memcpy(d->amends, sqlite3_column_blob(st, 6), 16);
			d->has_amends = 1;
		}
		d->is_submitted = sqlite3_column_int(st, 7);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE) {
		return cosoi_fail(s, COSO_ENOENT, "no such report");
	}
	return rc == SQLITE_ROW ? COSO_OK
	                        : cosoi_db_fail(s, "cannot read the report");
}

static int
blank(const char *t)
{
	return t == NULL || t[strspn(t, " \t\r\n")] == 0;
}

static int
draft_check(struct coso_store *s, const struct draft *d)
{
	int i;

	if (d->is_submitted) {
		return cosoi_fail(s, COSO_ESTATE,
		    "report: already submitted; a submitted report never "
		    "changes");
	}
	for (i = 0; i < COSO_SEC_COUNT; i++) {
		if (d->unit == NULL || d->sec[i] == NULL) {
			return cosoi_fail(s, COSO_ENOMEM, "out of memory");
		}
		if (blank(d->sec[i])) {
			return cosoi_fail(s, COSO_EFIELD,
			    "section `%s' is empty: every section is "
			    "required%s",
			    section_names[i],
			    i == COSO_SEC_PROPOSALS
			        ? " (with no proposal, say so: `coso report "
			          "edit ID --section proposals --none')"
			        : "");
		}
	}
	return COSO_OK;
}

/* The report field of each section, in enum coso_section order. */
static const uint32_t sec_field[COSO_SEC_COUNT]
    = {COSO_F_REPORT_RESULTS, COSO_F_REPORT_SITUATION,
        COSO_F_REPORT_DIFFICULTIES, COSO_F_REPORT_PROPOSALS};

static int
report_op(struct coso_body *b, const uint8_t id[16], const struct draft *d,
    int32_t today)
{
	int i, rv;

	if ((rv = coso_body_op(b, COSO_T_REPORT, id, COSO_UPSERT))
	    || (rv = coso_body_text(
	            b, COSO_F_REPORT_UNIT, d->unit, strlen(d->unit)))
	    || (rv = coso_body_text(
	            b, COSO_F_REPORT_PERIOD, d->period, strlen(d->period)))) {
		return rv;
	}
	for (i = 0; i < COSO_SEC_COUNT; i++) {
		if ((rv = coso_body_text(
		         b, sec_field[i], d->sec[i], strlen(d->sec[i])))
		    != COSO_OK) {
			return rv;
		}
	}
	if (d->has_amends
	    && (rv
	        = coso_body_bytes(b, COSO_F_REPORT_AMENDS, d->amends, 16))) {
		return rv;
	}
	return coso_body_int(b, COSO_F_REPORT_SUBMITTED, today);
}

/* One tracked proposal per non-blank line of the proposals section:
 * adds its op to b, or (b == NULL) stores its row. */
static int
each_proposal(struct coso_store *s, struct coso_body *b, const uint8_t id[16],
    const struct draft *d, int32_t today, uint8_t (*rows)[16])
{
	const char *p = d->sec[COSO_SEC_PROPOSALS];
	char line[COSO_TEXT_MAX + 1];
	size_t n, k = 0;
	int rv = COSO_OK;

	if (coso_proposals_none(p)) {
		return COSO_OK; /* "Không có kiến nghị." is not a proposal */
	}
	for (; *p != 0 && rv == COSO_OK; p += n + (p[n] == '\n')) {
		n = strcspn(p, "\n");
		memcpy(line, p, n);
		line[n] = 0;
		if (blank(line)) {
			continue;
		}
		rv = b != NULL
		    ? cosoi_proposal_op(b, d->unit, line, today, id, rows[k])
		    : cosoi_proposal_row(
		        s, rows[k], id, "report", d->unit, line, today);
		k++;
	}
	return rv;
}

static int
mark_submitted(
    struct coso_store *s, const uint8_t id[16], int32_t today, uint64_t seq)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db,
	        "UPDATE reports SET status = 'submitted', submitted = ?, "
	        "seq = ? WHERE id = ? AND status = 'draft'",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot submit the report");
	}
	sqlite3_bind_int(st, 1, today);
	sqlite3_bind_int64(st, 2, (sqlite3_int64) seq);
	sqlite3_bind_blob(st, 3, id, 16, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE && sqlite3_changes(s->db) == 1
	    ? COSO_OK
	    : cosoi_db_fail(s, "cannot submit the report");
}

/* Inside the transaction: read, check, sign, store. */
static int
submit_locked(struct coso_store *s, const uint8_t id[16], struct draft *d,
    struct coso_body *b)
{
	int32_t today      = coso_date_of_ms(coso_wall_ms());
	uint8_t(*rows)[16] = NULL;
	uint64_t seq, hlc_ms;
	int32_t first = 0, last = 0;
	size_t nlines;
	int rv;

	if ((rv = draft_read(s, id, d)) || (rv = draft_check(s, d))) {
		return rv;
	}
	/* A report of a period the cadre covered may come late, within the
	 * grace after the assignment ended (cover.c). */
	if (coso_period_parse(d->period, &first, &last) == COSO_OK
	    && (rv = cosoi_cover_check(
	            s, COSOI_RULE_REPORT, d->unit, today, first, last))
	        != COSO_OK) {
		return rv;
	}
	nlines = 1;
	for (const char *p = d->sec[COSO_SEC_PROPOSALS]; *p; p++) {
		nlines += *p == '\n';
	}
	if ((rows = calloc(nlines, 16)) == NULL) {
		return cosoi_fail(s, COSO_ENOMEM, "out of memory");
	}
	if ((rv = report_op(b, id, d, today))
	    || (rv = each_proposal(s, b, id, d, today, rows))) {
		rv = cosoi_fail(s, rv, "report: %s", coso_strerror(rv));
	} else if (!(rv = cosoi_sign_append(s, b, &seq, &hlc_ms))
	    && !(rv = mark_submitted(s, id, today, seq))) {
		rv = each_proposal(s, NULL, id, d, today, rows);
	}
	free(rows);
	return rv;
}

int
coso_report_submit(struct coso_store *s, const uint8_t id[static 16])
{
	struct draft d      = {0};
	struct coso_body *b = NULL;
	int rv;

	if ((rv = cosoi_key_load(s)) != COSO_OK) {
		return rv;
	}
	if (coso_body_new(&b) != COSO_OK) {
		return cosoi_fail(s, COSO_ENOMEM, "out of memory");
	}
	if ((rv = cosoi_begin(s)) == COSO_OK) {
		if ((rv = submit_locked(s, id, &d, b)) != COSO_OK) {
			cosoi_rollback(s);
		} else {
			rv = cosoi_commit(s);
		}
	}
	coso_body_free(b);
	draft_free(&d);
	return rv;
}
