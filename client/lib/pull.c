/*
 * pull.c: applying what a PULL brings to the device's store.
 *
 * The central sends change-sets in its log order; they are applied in
 * that order.  Mutable rows (units, cadres, assignments, sectors, teams,
 * schedules) take the values of the fields an op carries and keep the
 * others, which is the central's last-writer-wins when, as for one admin
 * office, the log order is the clock order.  Append-only records are
 * inserted once; a correction's `amends' is stored as it came, since the
 * record it names may come later or never, and readers let it replace
 * only a record of the same author (prefill.c).  A change-set this coso
 * cannot read (a newer schema) is counted and left out: the central
 * keeps it, and a newer coso pulls it again from a reset cursor.
 *
 * Nothing is applied on the central's word alone: every change-set must
 * verify under the key the reply gives for its author (the key whose
 * SHA-256 is the envelope's author key id).  One that does not refuses
 * the whole reply: nothing of it is stored and the cursor stays.
 *
 * The central also sends this device's own chain.  What the store holds
 * is left out; a change-set that continues the chain is one this store
 * lost (it was restored from an old copy): it is applied as the device
 * once applied it, and goes back into the outbox, acknowledged, so the
 * next write continues the chain instead of forking it.
 *
 * Every change-set applied is an event this device has seen: its HLC
 * takes it in (the receive rule), so an edit made here after a pull
 * outweighs what the pull brought (FORMAT.md "Hybrid logical clock").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync.h"

/* Columns a local table has beyond the op's fields. */
#define EX_SEQ    1u /* seq: the change-set's seq */
#define EX_AUTHOR 2u /* author: the cadre id the central names */
#define EX_KIND   4u /* source_kind: visit or report */
#define EX_REPORT 8u /* status 'submitted', created_ms: the hlc time */

struct local_table {
	uint32_t table;
	const char *name;
	const char *key;    /* the conflict column */
	uint32_t key_field; /* 0: the key is the row id, column id */
	unsigned extras;
	int mutable;
};

static const struct local_table locals[] = {
    {COSO_T_UNIT, "units", "code", 1, 0, 1},
    {COSO_T_CADRE, "cadres", "cadre_id", 1, 0, 1},
    {COSO_T_ASSIGNMENT, "assignments", "id", 0, 0, 1},
    {COSO_T_VISIT, "visits", "id", 0, EX_SEQ | EX_AUTHOR, 0},
    {COSO_T_OUTCOME, "outcomes", "id", 0, 0, 0},
    {COSO_T_PROPOSAL, "proposals", "id", 0, EX_AUTHOR | EX_KIND, 0},
    {COSO_T_REPORT, "reports", "id", 0, EX_SEQ | EX_AUTHOR | EX_REPORT, 0},
    {COSO_T_HANDOVER, "handovers", "id", 0, EX_SEQ | EX_AUTHOR, 0},
    {COSO_T_SECTOR, "sectors", "code", 1, 0, 1},
    {COSO_T_TEAM, "teams", "id", 0, 0, 1},
    {COSO_T_SCHEDULE, "schedules", "id", 0, 0, 1},
    {COSO_T_TOKEN, "tokens", "id", 0, 0, 0},
    {COSO_T_UNIT_MOVE, "unit_moves", "code, date", 1, 0, 1},
};

#define NLOCALS (sizeof(locals) / sizeof(locals[0]))
#define SQL_MAX 4096

/* What one change-set's ops share while they are applied. */
struct pulled {
	const struct coso_changeset *cs;
	const struct coso_ops *ops;
	const char *author;
};

/* Appends to a bounded SQL buffer; -1 once it would overflow. */
static int
cat(char *buf, size_t *len, const char *a, const char *b)
{
	int n = snprintf(buf + *len, SQL_MAX - *len, "%s%s", a, b);

	if (n < 0 || (size_t) n >= SQL_MAX - *len) {
		return -1;
	}
	*len += (size_t) n;
	return 0;
}

static const char *const extra_cols[]
    = {"seq", "author", "source_kind", "status", "created_ms"};

/* Extra columns of a table, as a bit per extra_cols entry. */
static unsigned
extra_bits(unsigned extras)
{
	return (extras & EX_SEQ ? 1u : 0) | (extras & EX_AUTHOR ? 2u : 0)
	    | (extras & EX_KIND ? 4u : 0) | (extras & EX_REPORT ? 24u : 0);
}

/* "INSERT INTO t (cols" for the fields op carries; *ncols counts them. */
static int
build_cols(char *sql, size_t *len, const struct local_table *t,
    const struct coso_op *op, size_t *ncols)
{
	const struct coso_schema_table *st = coso_schema_table(t->table);
	unsigned bits                      = extra_bits(t->extras), i;
	size_t k;
	int bad;

	*ncols = t->key_field == 0;
	bad    = cat(sql, len, "INSERT INTO ", t->name)
	    || cat(sql, len, " (", t->key_field == 0 ? "id" : "");
	for (k = 0; k < op->nfields && !bad; k++, (*ncols)++) {
		const struct coso_schema_field *f
		    = coso_schema_field(st, op->fields[k].id);
		bad = f == NULL || cat(sql, len, *ncols ? ", " : "", f->name);
	}
	for (i = 0; i < 5 && !bad; i++) {
		if (bits & (1u << i)) {
			bad = cat(sql, len, ", ", extra_cols[i]);
			(*ncols)++;
		}
	}
	return bad ? -1 : 0;
}

/* INSERT … ON CONFLICT for the fields op carries. */
static int
build_sql(char *sql, const struct local_table *t, const struct coso_op *op)
{
	const struct coso_schema_table *st = coso_schema_table(t->table);
	size_t len                         = 0, ncols, k;
	int bad, update;

	bad = build_cols(sql, &len, t, op, &ncols)
	    || cat(sql, &len, ") VALUES (?", "");
	for (k = 1; k < ncols && !bad; k++) {
		bad = cat(sql, &len, ", ?", "");
	}
	/* A report is inserted once, but may meet its own draft: that of a
	 * store restored from a copy made before it was submitted. */
	update = t->mutable || (t->extras & EX_REPORT);
	bad    = bad || cat(sql, &len, ") ON CONFLICT (", t->key)
	    || cat(sql, &len, ") DO ", update ? "UPDATE SET " : "NOTHING");
	for (k = 0; update && k < op->nfields && !bad; k++) {
		const char *name
		    = coso_schema_field(st, op->fields[k].id)->name;
		bad = cat(sql, &len, k ? ", " : "", name)
		    || cat(sql, &len, " = excluded.", name);
	}
	if (!t->mutable && update && !bad) {
		bad = cat(sql, &len,
		    ", seq = excluded.seq, status = excluded.status",
		    " WHERE status = 'draft'");
	}
	return bad ? COSO_ETOOBIG : COSO_OK;
}

static void
bind_value(sqlite3_stmt *st, int i, const struct coso_value *v)
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
		/* A NULL pointer would bind SQL NULL, not an empty blob. */
		sqlite3_bind_blob(st, i, v->len > 0 ? v->p : (const void *) "",
		    (int) v->len, SQLITE_STATIC);
		break;
	default:
		sqlite3_bind_null(st, i);
		break;
	}
}

/* Whether a proposal's source is a visit (in this change-set or the
 * store); otherwise it came from a report. */
static const char *
source_kind(struct coso_store *s, const struct pulled *p, const uint8_t *src)
{
	sqlite3_stmt *st = NULL;
	size_t i;
	int found = 0;

	for (i = 0; i < p->ops->nops; i++) {
		if (memcmp(p->ops->ops[i].row, src, 16) == 0) {
			return p->ops->ops[i].table == COSO_T_VISIT ? "visit"
			                                            : "report";
		}
	}
	if (sqlite3_prepare_v2(
	        s->db, "SELECT 1 FROM visits WHERE id = ?", -1, &st, NULL)
	    == SQLITE_OK) {
		sqlite3_bind_blob(st, 1, src, 16, SQLITE_STATIC);
		found = sqlite3_step(st) == SQLITE_ROW;
	}
	sqlite3_finalize(st);
	return found ? "visit" : "report";
}

/* Binds the extra columns after the fields, from index i. */
static void
bind_extras(struct coso_store *s, sqlite3_stmt *st, int i,
    const struct local_table *t, const struct pulled *p,
    const struct coso_op *op)
{
	if (t->extras & EX_SEQ) {
		sqlite3_bind_int64(st, i++, (sqlite3_int64) p->cs->seq);
	}
	if (t->extras & EX_AUTHOR) {
		sqlite3_bind_text(st, i++, p->author, -1, SQLITE_STATIC);
	}
	if (t->extras & EX_KIND) {
		/* field 1 of a proposal, the source, is required */
		sqlite3_bind_text(st, i++,
		    source_kind(s, p, op->fields[0].v.p), -1, SQLITE_STATIC);
	}
	if (t->extras & EX_REPORT) {
		sqlite3_bind_text(st, i++, "submitted", -1, SQLITE_STATIC);
		sqlite3_bind_int64(
		    st, i++, (sqlite3_int64) coso_hlc_ms(p->cs->hlc));
	}
}

static int
upsert(struct coso_store *s, const struct local_table *t,
    const struct pulled *p, const struct coso_op *op)
{
	char sql[SQL_MAX];
	sqlite3_stmt *st = NULL;
	size_t k;
	int i = 1, rc;

	if (build_sql(sql, t, op) != COSO_OK) {
		return cosoi_fail(s, COSO_ETOOBIG, "pulled op too wide");
	}
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot apply a pulled change-set");
	}
	if (t->key_field == 0) {
		sqlite3_bind_blob(st, i++, op->row, 16, SQLITE_STATIC);
	}
	for (k = 0; k < op->nfields; k++) {
		bind_value(st, i++, &op->fields[k].v);
	}
	bind_extras(s, st, i, t, p, op);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE
	    ? COSO_OK
	    : cosoi_db_fail(s, "cannot apply a pulled change-set");
}

/* The value of field id in op, or NULL. */
static const struct coso_value *
field(const struct coso_op *op, uint32_t id)
{
	size_t k;

	for (k = 0; k < op->nfields; k++) {
		if (op->fields[k].id == id) {
			return &op->fields[k].v;
		}
	}
	return NULL;
}

/* Runs sql with up to three values bound; COSO_OK or COSO_ESTORE. */
static int
run3(struct coso_store *s, const char *sql, const struct coso_value *a,
    const struct coso_value *b, const struct coso_value *c)
{
	const struct coso_value *v[3] = {a, b, c};
	sqlite3_stmt *st              = NULL;
	int i, rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot apply a pulled change-set");
	}
	for (i = 0; i < 3 && v[i] != NULL; i++) {
		bind_value(st, i + 1, v[i]);
	}
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE
	    ? COSO_OK
	    : cosoi_db_fail(s, "cannot apply a pulled change-set");
}

/* A response: the proposal's status and answer, if it is in the store. */
static int
response(struct coso_store *s, const struct coso_op *op)
{
	return run3(s,
	    "UPDATE proposals SET status = CASE ?1 WHEN 1 THEN 'answered' "
	    "WHEN 2 THEN 'resolved' WHEN 3 THEN 'declined' ELSE status END, "
	    "response = ?2 WHERE id = ?3",
	    field(op, COSO_F_RESPONSE_STATUS), field(op, COSO_F_RESPONSE_TEXT),
	    field(op, COSO_F_RESPONSE_PROPOSAL));
}

/* A device key row: the key id is SHA-256 of the public key.  Its role
 * tells a device whether it may sign admin commands (admin.c); when it
 * was added and the token it came from go to the office's lists. */
static int
device_key(struct coso_store *s, const struct coso_op *op)
{
	const struct coso_value *pk = field(op, COSO_F_DEVICE_KEY_PUBLIC_KEY);
	struct coso_value id        = {COSO_VBYTES, 0, NULL, 32};
	const struct coso_value *v[3] = {field(op, COSO_F_DEVICE_KEY_ROLE),
	    field(op, COSO_F_DEVICE_KEY_ADDED),
	    field(op, COSO_F_DEVICE_KEY_TOKEN_HASH)};
	uint8_t kid[32];
	int i, rv;

	if (pk == NULL || pk->type != COSO_VBYTES || pk->len != 32) {
		return COSO_OK; /* the central quarantines such a row */
	}
	coso_keyid_of(kid, pk->p);
	id.p = kid;
	if ((rv = run3(s,
	         "INSERT INTO keys (key_id, cadre_id, public_key) VALUES (?, "
	         "?, ?) ON CONFLICT (key_id) DO UPDATE SET cadre_id = "
	         "excluded.cadre_id, public_key = excluded.public_key",
	         &id, field(op, COSO_F_DEVICE_KEY_CADRE_ID), pk))
	    != COSO_OK) {
		return rv;
	}
	for (i = 0; i < 3 && rv == COSO_OK; i++) {
		static const char *const sql[]
		    = {"UPDATE keys SET role = ?1 WHERE key_id = ?2",
		        "UPDATE keys SET added = ?1 WHERE key_id = ?2",
		        "UPDATE keys SET token_hash = ?1 WHERE key_id = ?2"};

		rv = v[i] != NULL ? run3(s, sql[i], v[i], &id, NULL) : COSO_OK;
	}
	return rv;
}

static int
revocation(struct coso_store *s, const struct coso_op *op)
{
	return run3(s,
	    "INSERT INTO keys (key_id, revoked) VALUES (?, 1) "
	    "ON CONFLICT (key_id) DO UPDATE SET revoked = 1",
	    field(op, COSO_F_REVOCATION_KEY_ID), NULL, NULL);
}

static int
apply_op(
    struct coso_store *s, const struct pulled *p, const struct coso_op *op)
{
	struct coso_value row = {COSO_VBYTES, 0, op->row, 16};
	size_t i;

	if (op->kind == COSO_DELETE) {
		return op->table == COSO_T_ASSIGNMENT
		    ? run3(s, "DELETE FROM assignments WHERE id = ?", &row,
		        NULL, NULL)
		    : COSO_OK;
	}
	switch (op->table) {
	case COSO_T_RESPONSE:
		return response(s, op);
	case COSO_T_DEVICE_KEY:
		return device_key(s, op);
	case COSO_T_REVOCATION:
		return revocation(s, op);
	default:
		break;
	}
	for (i = 0; i < NLOCALS; i++) {
		if (locals[i].table == op->table) {
			return upsert(s, &locals[i], p, op);
		}
	}
	return COSO_OK;
}

/* Notes the author's key id and public key under the cadre the central
 * names. */
static int
key_seen(struct coso_store *s, const uint8_t author[32], const uint8_t pk[32],
    const char *cadre)
{
	struct coso_value id = {COSO_VBYTES, 0, author, 32};
	struct coso_value c
	    = {COSO_VTEXT, 0, (const uint8_t *) cadre, strlen(cadre)};
	struct coso_value k = {COSO_VBYTES, 0, pk, 32};

	return run3(s,
	    "INSERT INTO keys (key_id, public_key, cadre_id) VALUES (?, ?, ?) "
	    "ON CONFLICT (key_id) DO UPDATE SET cadre_id = "
	    "coalesce(cadre_id, excluded.cadre_id), public_key = "
	    "coalesce(public_key, excluded.public_key)",
	    &id, &k, cadre[0] ? &c : NULL);
}

/* A reply's author keys and their key ids (SHA-256 of each). */
struct authors {
	const uint8_t *keys;
	uint8_t (*ids)[32];
	size_t n;
};

/* The key of a whose id is author, or NULL. */
static const uint8_t *
author_key(const struct authors *a, const uint8_t author[32])
{
	size_t i;

	for (i = 0; i < a->n; i++) {
		if (memcmp(a->ids[i], author, 32) == 0) {
			return a->keys + i * 32;
		}
	}
	return NULL;
}

/* Refuses the reply for the item at position: the central's store or
 * the central itself gave a change-set its author did not sign. */
static int
refuse(struct coso_store *s, const struct coso_msg_item *it, const char *why)
{
	return cosoi_fail(s, COSO_EPROTO,
	    "pulled change-set at position %llu %s",
	    (unsigned long long) it->position, why);
}

/* What the items of one reply share. */
struct pull {
	struct coso_store *s;
	const uint8_t *self_id; /* this device's key id */
	struct authors a;
	uint64_t central_ms; /* the central's time now */
	uint64_t newest;     /* the highest weight applied, for the clock */
	struct coso_sync_report *r;
};

/*
 * Checks an item: *pk is its author's key once it verifies, or NULL for
 * one to leave out (a newer envelope version that this coso cannot
 * check, counted as skipped).
 */
static int
verify_item(struct pull *pl, const struct coso_msg_item *it,
    struct coso_changeset *cs, const uint8_t **pk)
{
	struct coso_store *s = pl->s;
	int rc               = coso_changeset_peek(cs, it->cs, it->cs_len);

	*pk = NULL;
	if (rc == COSO_EVERSION) {
		pl->r->skipped++;
		return COSO_OK;
	}
	if (rc != COSO_OK) {
		return refuse(s, it, "is malformed");
	}
	if (memcmp(cs->author, pl->self_id, 32) == 0) {
		/* This device's own: checked with the key it holds. */
		if ((rc = cosoi_pk_load(s)) != COSO_OK) {
			return rc;
		}
		*pk = s->pk;
	} else if ((*pk = author_key(&pl->a, cs->author)) == NULL) {
		return refuse(s, it, "comes without its author's key");
	}
	if (coso_changeset_verify(cs, it->cs, it->cs_len, *pk) != COSO_OK) {
		*pk = NULL;
		return refuse(s, it, "does not verify: bad signature");
	}
	return COSO_OK;
}

/* The ops of a verified change-set, as pulled; an unreadable body (a
 * newer schema) is counted and left out. */
static int
apply_pulled(struct pull *pl, const struct coso_msg_item *it,
    const struct coso_changeset *cs, const uint8_t *pk)
{
	struct coso_ops *ops = NULL;
	struct pulled p      = {cs, NULL, it->cadre_id};
	size_t i;
	int rv = COSO_OK;

	if (coso_ops_decode(&ops, cs->body, cs->body_len) != COSO_OK) {
		pl->r->skipped++;
		return COSO_OK;
	}
	p.ops = ops;
	if (pk != NULL
	    && (rv = key_seen(pl->s, cs->author, pk, it->cadre_id))
	        != COSO_OK) {
		goto out;
	}
	for (i = 0; i < ops->nops && rv == COSO_OK; i++) {
		rv = apply_op(pl->s, &p, &ops->ops[i]);
	}
	pl->r->applied += rv == COSO_OK;
out:
	coso_ops_free(ops);
	return rv;
}

/* An own change-set this store lost: back into the outbox, acknowledged
 * with the verdict the central gave it. */
static int
outbox_restore(struct coso_store *s, const struct coso_msg_item *it,
    const struct coso_changeset *cs, const uint8_t id[32])
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db,
	        "INSERT INTO outbox (seq, id, bytes, created_ms, acked, "
	        "acked_ms, verdict, reason) VALUES (?, ?, ?, ?, 1, ?, ?, ?)",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		return cosoi_db_fail(s, "cannot restore a change-set");
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64) cs->seq);
	sqlite3_bind_blob(st, 2, id, 32, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, it->cs, (int) it->cs_len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64) coso_hlc_ms(cs->hlc));
	sqlite3_bind_int64(st, 5, (sqlite3_int64) coso_wall_ms());
	sqlite3_bind_int(st, 6, it->status);
	sqlite3_bind_int(st, 7, it->reason);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE
	    ? COSO_OK
	    : cosoi_db_fail(s, "cannot restore a change-set");
}

/*
 * This device's own change-set: left out if the store holds it (or it is
 * of another branch); else it continues the chain and is applied as the
 * device applied it when it signed it, quarantined or not: the store
 * ends with the rows it had before the loss.
 */
static int
own_item(struct pull *pl, const struct coso_msg_item *it,
    const struct coso_changeset *cs)
{
	uint8_t id[32];
	int rv, taken;

	coso_changeset_id(id, it->cs, it->cs_len);
	if ((rv = cosoi_chain_restore(pl->s, cs, id, &taken)) != COSO_OK
	    || !taken) {
		return rv;
	}
	if ((rv = outbox_restore(pl->s, it, cs, id)) != COSO_OK) {
		return rv;
	}
	pl->r->restored++;
	return apply_pulled(pl, it, cs, NULL);
}

static int
apply_item(struct pull *pl, const struct coso_msg_item *it)
{
	struct coso_changeset cs;
	const uint8_t *pk;
	int rv;

	if ((rv = verify_item(pl, it, &cs, &pk)) != COSO_OK || pk == NULL) {
		return rv;
	}
	if (cosoi_hlc_weighed(cs.hlc, pl->central_ms) > pl->newest) {
		pl->newest = cosoi_hlc_weighed(cs.hlc, pl->central_ms);
	}
	if (memcmp(cs.author, pl->self_id, 32) == 0) {
		return own_item(pl, it, &cs);
	}
	return apply_pulled(pl, it, &cs, pk);
}

/* The key ids of m's author keys, malloc'd into a. */
static int
authors_of(struct coso_store *s, const struct coso_msg *m, struct authors *a)
{
	size_t i;

	a->keys = m->keys;
	a->n    = m->nkeys;
	if ((a->ids = malloc(a->n > 0 ? a->n * 32 : 1)) == NULL) {
		return cosoi_fail(s, COSO_ENOMEM, "out of memory");
	}
	for (i = 0; i < a->n; i++) {
		coso_keyid_of(a->ids[i], a->keys + i * 32);
	}
	return COSO_OK;
}

/* The cursor and the clock, after the items. */
static int
pull_finish(struct pull *pl, const struct coso_msg *m)
{
	char cursor[24];
	int rv;

	snprintf(
	    cursor, sizeof(cursor), "%llu", (unsigned long long) m->cursor);
	if ((rv = cosoi_meta_set(pl->s, "pull_cursor", cursor)) != COSO_OK
	    || pl->newest == 0) {
		return rv;
	}
	return cosoi_hlc_take(pl->s, pl->newest);
}

int
cosoi_sync_apply_pull(struct coso_store *s, const uint8_t self_id[32],
    uint64_t central_ms, const struct coso_msg *m, struct coso_sync_report *r)
{
	struct coso_sync_report tmp = *r;
	struct pull pl              = {
	                 .s = s, .self_id = self_id, .central_ms = central_ms, .r = &tmp};
	size_t i;
	int rv;

	if ((rv = authors_of(s, m, &pl.a)) != COSO_OK
	    || (rv = cosoi_begin(s)) != COSO_OK) {
		goto out;
	}
	for (i = 0; i < m->nitems && rv == COSO_OK; i++) {
		rv = apply_item(&pl, &m->items[i]);
	}
	if (rv != COSO_OK || (rv = pull_finish(&pl, m)) != COSO_OK) {
		cosoi_rollback(s);
		goto out;
	}
	if ((rv = cosoi_commit(s)) == COSO_OK) {
		tmp.pulled += m->nitems;
		*r = tmp;
	}
out:
	free(pl.a.ids);
	return rv;
}
