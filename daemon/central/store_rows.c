/*
 * store_rows.c: the materialised rows: their fields, last-writer-wins
 * stamps, conflicts and proposal responses.
 */
#include <stdio.h>

#include "store_impl.h"

/* The column of a field; field 0 of a mutable table is "deleted". */
static const char *
column_of(uint32_t table, uint32_t field)
{
	const struct coso_schema_table *t = coso_schema_table(table);
	const struct coso_schema_field *f;

	if (field == 0) {
		return t != NULL && !t->append_only ? "deleted" : NULL;
	}
	f = coso_schema_field(t, field);
	return f != NULL ? f->name : NULL;
}

int
cstore_row_exists(struct central_store *s, uint32_t table,
    const uint8_t row[static 16], int *exists)
{
	char sql[128];
	sqlite3_stmt *st;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT 1 FROM \"%s\" WHERE id = ?",
	    cstore_table_name(table));
	if ((st = cstorei_prep(s, sql)) == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_blob(st, 1, row, 16, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		return cstorei_fail(s, "cannot read a record");
	}
	*exists = rc == SQLITE_ROW;
	return COSO_OK;
}

/* "INSERT INTO t (id, f..., by_key, by_cadre, cs_id, cs_hlc) VALUES ..." */
static int
insert_sql(char *buf, size_t size, const struct coso_op *op)
{
	size_t n, i;

	n = (size_t) snprintf(
	    buf, size, "INSERT INTO \"%s\" (id", cstore_table_name(op->table));
	for (i = 0; i < op->nfields && n < size; i++) {
		n += (size_t) snprintf(buf + n, size - n, ", \"%s\"",
		    column_of(op->table, op->fields[i].id));
	}
	if (n < size) {
		n += (size_t) snprintf(buf + n, size - n,
		    ", by_key, by_cadre, cs_id, cs_hlc) VALUES (?");
	}
	for (i = 0; i < op->nfields + 4 && n < size; i++) {
		n += (size_t) snprintf(buf + n, size - n, ", ?");
	}
	if (n < size) {
		n += (size_t) snprintf(buf + n, size - n, ")");
	}
	return n < size ? COSO_OK : COSO_ETOOBIG;
}

int
cstore_row_insert(struct central_store *s, const struct coso_op *op,
    const struct cstore_rowmeta *meta)
{
	char sql[SQL_MAX];
	sqlite3_stmt *st;
	int i, k;

	cstorei_cover_touch(s, op->table);
	if (insert_sql(sql, sizeof(sql), op) != COSO_OK
	    || (st = cstorei_prep(s, sql)) == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_blob(st, 1, op->row, 16, SQLITE_STATIC);
	for (i = 0; (size_t) i < op->nfields; i++) {
		cstorei_bind_value(st, i + 2, &op->fields[i].v);
	}
	k = i + 2;
	sqlite3_bind_blob(st, k, meta->author, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, k + 1, meta->cadre_id, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, k + 2, meta->cs, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, k + 3, (int64_t) meta->hlc);
	return cstorei_run(s, st, "cannot insert a record");
}

int
cstore_row_touch(
    struct central_store *s, uint32_t table, const uint8_t row[static 16])
{
	char sql[128];
	sqlite3_stmt *st;

	cstorei_cover_touch(s, table);
	snprintf(sql, sizeof(sql),
	    "INSERT OR IGNORE INTO \"%s\" (id, deleted) VALUES (?, 1)",
	    cstore_table_name(table));
	if ((st = cstorei_prep(s, sql)) == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_blob(st, 1, row, 16, SQLITE_STATIC);
	return cstorei_run(s, st, "cannot insert a record");
}

int
cstore_row_author(struct central_store *s, uint32_t table,
    const uint8_t row[static 16], uint8_t author[static 32])
{
	char sql[128];
	sqlite3_stmt *st;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT by_key FROM \"%s\" WHERE id = ?",
	    cstore_table_name(table));
	if ((st = cstorei_prep(s, sql)) == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_blob(st, 1, row, 16, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		cstorei_column_fixed(st, 0, author, 32);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW) {
		return COSO_OK;
	}
	return rc == SQLITE_DONE ? COSO_ENOENT
	                         : cstorei_fail(s, "cannot read a record");
}

int
cstore_row_cadre(struct central_store *s, uint32_t table,
    const uint8_t row[static 16], char cadre[static CSTORE_CADRE_MAX + 1])
{
	char sql[128];
	sqlite3_stmt *st;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT by_cadre FROM \"%s\" WHERE id = ?",
	    cstore_table_name(table));
	if ((st = cstorei_prep(s, sql)) == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_blob(st, 1, row, 16, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *c = sqlite3_column_text(st, 0);

		snprintf(cadre, CSTORE_CADRE_MAX + 1, "%s",
		    c != NULL ? (const char *) c : "");
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW) {
		return COSO_OK;
	}
	return rc == SQLITE_DONE ? COSO_ENOENT
	                         : cstorei_fail(s, "cannot read a record");
}

int
cstore_field_get(struct central_store *s, uint32_t table,
    const uint8_t row[static 16], uint32_t field, struct cstore_val *v)
{
	char sql[160];
	sqlite3_stmt *st;
	int rc, rv;

	snprintf(sql, sizeof(sql), "SELECT \"%s\" FROM \"%s\" WHERE id = ?",
	    column_of(table, field), cstore_table_name(table));
	if ((st = cstorei_prep(s, sql)) == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_blob(st, 1, row, 16, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		rv = cstorei_column_copy(st, 0, v);
	} else {
		rv = rc == SQLITE_DONE
		    ? COSO_ENOENT
		    : cstorei_fail(s, "cannot read a record");
	}
	sqlite3_reset(st);
	return rv;
}

int
cstore_field_set(struct central_store *s, uint32_t table,
    const uint8_t row[static 16], uint32_t field, const struct coso_value *v)
{
	char sql[160];
	sqlite3_stmt *st;

	cstorei_cover_touch(s, table);
	snprintf(sql, sizeof(sql), "UPDATE \"%s\" SET \"%s\" = ? WHERE id = ?",
	    cstore_table_name(table), column_of(table, field));
	if ((st = cstorei_prep(s, sql)) == NULL) {
		return COSO_EIO;
	}
	cstorei_bind_value(st, 1, v);
	sqlite3_bind_blob(st, 2, row, 16, SQLITE_STATIC);
	return cstorei_run(s, st, "cannot update a record");
}

int
cstore_stamp_get(struct central_store *s, uint32_t table,
    const uint8_t row[static 16], uint32_t field, struct cstore_stamp *stamp)
{
	sqlite3_stmt *st = cstorei_prep(s,
	    "SELECT hlc, author FROM lww WHERE tbl = ? AND row = ? "
	    "AND field = ?");
	int rc;

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_int(st, 1, (int) table);
	sqlite3_bind_blob(st, 2, row, 16, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, (int) field);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		stamp->hlc = (uint64_t) sqlite3_column_int64(st, 0);
		cstorei_column_fixed(st, 1, stamp->author, 32);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW) {
		return COSO_OK;
	}
	return rc == SQLITE_DONE ? COSO_ENOENT
	                         : cstorei_fail(s, "cannot read a stamp");
}

int
cstore_stamp_set(struct central_store *s, uint32_t table,
    const uint8_t row[static 16], uint32_t field,
    const struct cstore_stamp *stamp)
{
	sqlite3_stmt *st = cstorei_prep(s,
	    "INSERT OR REPLACE INTO lww (tbl, row, field, hlc, author) "
	    "VALUES (?, ?, ?, ?, ?)");

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_int(st, 1, (int) table);
	sqlite3_bind_blob(st, 2, row, 16, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, (int) field);
	sqlite3_bind_int64(st, 4, (int64_t) stamp->hlc);
	sqlite3_bind_blob(st, 5, stamp->author, 32, SQLITE_STATIC);
	return cstorei_run(s, st, "cannot write a stamp");
}

int
cstore_conflict_add(struct central_store *s, const struct cstore_conflict *c)
{
	sqlite3_stmt *st = cstorei_prep(s,
	    "INSERT OR IGNORE INTO conflicts (position, tbl, row, field, "
	    "lose_value, lose_author, lose_hlc, win_author, win_hlc) "
	    "VALUES (?,?,?,?,?,?,?,?,?)");

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_int64(st, 1, (int64_t) c->position);
	sqlite3_bind_int(st, 2, (int) c->table);
	sqlite3_bind_blob(st, 3, c->row, 16, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, (int) c->field);
	cstorei_bind_value(st, 5, c->lose_value);
	sqlite3_bind_blob(st, 6, c->lose.author, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, (int64_t) c->lose.hlc);
	sqlite3_bind_blob(st, 8, c->win.author, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, (int64_t) c->win.hlc);
	return cstorei_run(s, st, "cannot record a conflict");
}

/* The response stamp a proposal holds; has = 0 if none. */
static int
response_stamp(struct central_store *s, const uint8_t proposal[static 16],
    struct cstore_stamp *cur, int *has)
{
	sqlite3_stmt *st = cstorei_prep(
	    s, "SELECT response_hlc, response_by FROM proposals WHERE id = ?");
	int rc;

	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_blob(st, 1, proposal, 16, SQLITE_STATIC);
	rc   = sqlite3_step(st);
	*has = rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL;
	if (*has) {
		cur->hlc = (uint64_t) sqlite3_column_int64(st, 0);
		cstorei_column_fixed(st, 1, cur->author, 32);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW) {
		return COSO_OK;
	}
	return rc == SQLITE_DONE ? COSO_ENOENT
	                         : cstorei_fail(s, "cannot read a proposal");
}

int
cstore_proposal_respond(struct central_store *s,
    const uint8_t proposal[static 16], int64_t status,
    const uint8_t response[static 16], const struct cstore_stamp *stamp)
{
	struct cstore_stamp cur;
	sqlite3_stmt *st;
	int has, rv;

	if ((rv = response_stamp(s, proposal, &cur, &has)) != COSO_OK) {
		return rv;
	}
	if (has && !cstore_stamp_after(stamp, &cur)) {
		return COSO_OK;
	}
	st = cstorei_prep(s,
	    "UPDATE proposals SET status = ?, response = ?, "
	    "response_hlc = ?, response_by = ? WHERE id = ?");
	if (st == NULL) {
		return COSO_EIO;
	}
	sqlite3_bind_int64(st, 1, status);
	sqlite3_bind_blob(st, 2, response, 16, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (int64_t) stamp->hlc);
	sqlite3_bind_blob(st, 4, stamp->author, 32, SQLITE_STATIC);
	sqlite3_bind_blob(st, 5, proposal, 16, SQLITE_STATIC);
	return cstorei_run(s, st, "cannot update a proposal");
}
