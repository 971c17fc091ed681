/*
 * body.c: the change-set body, built and decoded (FORMAT.md, "Body").
 *
 * The builder keeps ops, fields and copied value bytes in three arrays
 * that grow up to hard limits; value bytes are kept as offsets so growth
 * never leaves a dangling pointer.  The decoder is zero-copy: one pass over
 * the input, every count checked against its limit and against the bytes
 * left before anything is allocated for it.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "cbor.h"

/* Keys of an op map. */
enum op_key {
	KEY_TABLE  = 1,
	KEY_ROW    = 2,
	KEY_KIND   = 3,
	KEY_FIELDS = 4,
};

/* The smallest op: a delete, a3 01 tt 02 50 <16 bytes> 03 02. */
#define OP_MIN_BYTES 23u
/* The smallest field: a one-byte key and a one-byte value. */
#define FIELD_MIN_BYTES 2u
#define ROW_BYTES       16u
/* Every op full: the most fields a builder can hold. */
#define FIELDS_TOTAL_MAX ((size_t) COSO_OPS_MAX * COSO_FIELDS_MAX)

struct bfield {
	uint32_t id;
	enum coso_vtype type;
	int64_t i;
	size_t off; /* text and bytes: offset into coso_body.data */
	size_t len;
};

struct bop {
	uint32_t table;
	uint8_t row[ROW_BYTES];
	enum coso_kind kind;
	size_t first; /* index of its first field in coso_body.fields */
	size_t nfields;
};

struct coso_body {
	struct bop *ops;
	size_t nops, opcap;
	struct bfield *fields;
	size_t nfields, fcap;
	struct coso_buf data; /* copied text and bytes values */
};

/* A decoded body; pub comes first so coso_ops_free can cast back. */
struct ops_store {
	struct coso_ops pub;
	struct coso_op *ops;
	struct coso_field *fields;
	size_t nfields, fcap;
};

/*
 * The capacity to hold need items: doubled from cap, at most max.
 * COSO_ETOOBIG if need is over max.
 */
static int
new_cap(size_t cap, size_t need, size_t max, size_t *out)
{
	if (need > max) {
		return COSO_ETOOBIG;
	}
	if (cap < 16) {
		cap = 16;
	}
	while (cap < need) {
		cap = cap > max / 2 ? max : cap * 2;
	}
	*out = cap;
	return COSO_OK;
}

/* realloc of n items of size bytes, NULL on overflow or failure. */
static void *
resize(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size) {
		return NULL;
	}
	return realloc(p, n * size);
}

/* Number of required fields of a table. */
static size_t
required_count(const struct coso_schema_table *t)
{
	size_t i, n = 0;

	for (i = 0; i < t->nfields; i++) {
		n += t->fields[i].required != 0;
	}
	return n;
}

int
coso_body_new(struct coso_body **out)
{
	struct coso_body *b;

	assert(out != NULL);
	if ((b = calloc(1, sizeof(*b))) == NULL) {
		return COSO_ENOMEM;
	}
	coso_buf_init(&b->data, COSO_BODY_MAX);
	*out = b;
	return COSO_OK;
}

void
coso_body_free(struct coso_body *b)
{
	if (b == NULL) {
		return;
	}
	free(b->ops);
	free(b->fields);
	coso_buf_free(&b->data);
	free(b);
}

void
coso_body_reset(struct coso_body *b)
{
	assert(b != NULL);
	b->nops    = 0;
	b->nfields = 0;
	coso_buf_free(&b->data);
}

static int
reserve_ops(struct coso_body *b, size_t need)
{
	struct bop *p;
	size_t cap;
	int err;

	if ((err = new_cap(b->opcap, need, COSO_OPS_MAX, &cap)) != COSO_OK
	    || cap == b->opcap) {
		return err;
	}
	if ((p = resize(b->ops, cap, sizeof(*p))) == NULL) {
		return COSO_ENOMEM;
	}
	b->ops   = p;
	b->opcap = cap;
	return COSO_OK;
}

static int
reserve_fields(struct coso_body *b, size_t need)
{
	struct bfield *p;
	size_t cap;
	int err;

	if ((err = new_cap(b->fcap, need, FIELDS_TOTAL_MAX, &cap)) != COSO_OK
	    || cap == b->fcap) {
		return err;
	}
	if ((p = resize(b->fields, cap, sizeof(*p))) == NULL) {
		return COSO_ENOMEM;
	}
	b->fields = p;
	b->fcap   = cap;
	return COSO_OK;
}

int
coso_body_op(struct coso_body *b, uint32_t table, const uint8_t row[static 16],
    enum coso_kind kind)
{
	const struct coso_schema_table *t;
	struct bop *op;
	int err;

	assert(b != NULL);
	if (kind != COSO_UPSERT && kind != COSO_DELETE) {
		return COSO_EINVAL;
	}
	if ((t = coso_schema_table(table)) == NULL || !coso_uuid7_valid(row)
	    || (kind == COSO_DELETE && t->append_only)) {
		return COSO_ESCHEMA;
	}
	if ((err = reserve_ops(b, b->nops + 1)) != COSO_OK) {
		return err;
	}
	op          = &b->ops[b->nops++];
	op->table   = table;
	op->kind    = kind;
	op->first   = b->nfields;
	op->nfields = 0;
	memcpy(op->row, row, ROW_BYTES);
	return COSO_OK;
}

/*
 * Checks that a field of this type may be added to the current op, and
 * makes room for it.  Nothing changes on error.
 */
static int
field_prepare(struct coso_body *b, uint32_t field, enum coso_vtype type)
{
	const struct coso_schema_field *sf;
	const struct bop *op;
	size_t i;

	if (b->nops == 0 || b->ops[b->nops - 1].kind != COSO_UPSERT) {
		return COSO_EINVAL;
	}
	op = &b->ops[b->nops - 1];
	sf = coso_schema_field(coso_schema_table(op->table), field);
	if (sf == NULL || (sf->types & (1u << type)) == 0) {
		return COSO_ESCHEMA;
	}
	for (i = 0; i < op->nfields; i++) {
		if (b->fields[op->first + i].id == field) {
			return COSO_EINVAL;
		}
	}
	if (op->nfields >= COSO_FIELDS_MAX) {
		return COSO_ETOOBIG;
	}
	return reserve_fields(b, b->nfields + 1);
}

/* Adds a field; p/len (text, bytes) are copied into the builder. */
static int
field_add(struct coso_body *b, uint32_t field, enum coso_vtype type, int64_t v,
    const void *p, size_t len)
{
	struct bfield *f;
	int err;

	if ((err = field_prepare(b, field, type)) != COSO_OK) {
		return err;
	}
	/* Copied values can never add up to more than a whole body. */
	if ((err = coso_buf_add(&b->data, p, len)) != COSO_OK) {
		return err;
	}
	f       = &b->fields[b->nfields++];
	f->id   = field;
	f->type = type;
	f->i    = v;
	f->off  = b->data.len - len;
	f->len  = len;
	b->ops[b->nops - 1].nfields++;
	return COSO_OK;
}

int
coso_body_int(struct coso_body *b, uint32_t field, int64_t v)
{
	assert(b != NULL);
	return field_add(b, field, COSO_VINT, v, NULL, 0);
}

int
coso_body_text(struct coso_body *b, uint32_t field, const char *s, size_t len)
{
	int err;

	assert(b != NULL && (s != NULL || len == 0));
	if (len > COSO_TEXT_MAX) {
		return COSO_ETOOBIG;
	}
	if ((err = coso_text_check((const uint8_t *) s, len)) != COSO_OK) {
		return err;
	}
	return field_add(b, field, COSO_VTEXT, 0, s, len);
}

int
coso_body_bytes(
    struct coso_body *b, uint32_t field, const uint8_t *p, size_t len)
{
	assert(b != NULL && (p != NULL || len == 0));
	if (len > COSO_TEXT_MAX) {
		return COSO_ETOOBIG;
	}
	return field_add(b, field, COSO_VBYTES, 0, p, len);
}

int
coso_body_null(struct coso_body *b, uint32_t field)
{
	assert(b != NULL);
	return field_add(b, field, COSO_VNULL, 0, NULL, 0);
}

/* Sorts an op's fields by id (at most COSO_FIELDS_MAX: insertion sort). */
static void
sort_fields(struct bfield *f, size_t n)
{
	struct bfield tmp;
	size_t i, j;

	for (i = 1; i < n; i++) {
		tmp = f[i];
		for (j = i; j > 0 && f[j - 1].id > tmp.id; j--) {
			f[j] = f[j - 1];
		}
		f[j] = tmp;
	}
}

/* Sorts each upsert's fields and checks its required fields are there. */
static int
check_ops(struct coso_body *b)
{
	const struct coso_schema_table *t;
	const struct coso_schema_field *sf;
	struct bfield *f;
	size_t i, j, nreq;

	if (b->nops == 0) {
		return COSO_ESCHEMA;
	}
	for (i = 0; i < b->nops; i++) {
		if (b->ops[i].kind != COSO_UPSERT) {
			continue;
		}
		t = coso_schema_table(b->ops[i].table);
		f = &b->fields[b->ops[i].first];
		sort_fields(f, b->ops[i].nfields);
		for (j = 0, nreq = 0; j < b->ops[i].nfields; j++) {
			sf = coso_schema_field(t, f[j].id);
			nreq += sf->required != 0;
		}
		if (nreq != required_count(t)) {
			return COSO_ESCHEMA;
		}
	}
	return COSO_OK;
}

static void
put_value(
    struct cosoi_cbor_wr *w, const struct coso_body *b, const struct bfield *f)
{
	switch (f->type) {
	case COSO_VINT:
		cosoi_cbor_put_int(w, f->i);
		break;
	case COSO_VTEXT:
		cosoi_cbor_put_string(
		    w, COSOI_CBOR_TSTR, b->data.p + f->off, f->len);
		break;
	case COSO_VBYTES:
		cosoi_cbor_put_string(
		    w, COSOI_CBOR_BSTR, b->data.p + f->off, f->len);
		break;
	case COSO_VNULL:
		cosoi_cbor_put_null(w);
		break;
	}
}

static void
put_op(
    struct cosoi_cbor_wr *w, const struct coso_body *b, const struct bop *op)
{
	size_t i;
	int upsert = op->kind == COSO_UPSERT;

	cosoi_cbor_put_head(w, COSOI_CBOR_MAP, upsert ? 4 : 3);
	cosoi_cbor_put_head(w, COSOI_CBOR_UINT, KEY_TABLE);
	cosoi_cbor_put_head(w, COSOI_CBOR_UINT, op->table);
	cosoi_cbor_put_head(w, COSOI_CBOR_UINT, KEY_ROW);
	cosoi_cbor_put_string(w, COSOI_CBOR_BSTR, op->row, ROW_BYTES);
	cosoi_cbor_put_head(w, COSOI_CBOR_UINT, KEY_KIND);
	cosoi_cbor_put_head(w, COSOI_CBOR_UINT, (uint64_t) op->kind);
	if (!upsert) {
		return;
	}
	cosoi_cbor_put_head(w, COSOI_CBOR_UINT, KEY_FIELDS);
	cosoi_cbor_put_head(w, COSOI_CBOR_MAP, op->nfields);
	for (i = 0; i < op->nfields; i++) {
		cosoi_cbor_put_head(
		    w, COSOI_CBOR_UINT, b->fields[op->first + i].id);
		put_value(w, b, &b->fields[op->first + i]);
	}
}

int
coso_body_encode(struct coso_body *b, uint8_t **out, size_t *out_len)
{
	struct cosoi_cbor_wr w;
	size_t i;
	int err;

	assert(b != NULL && out != NULL && out_len != NULL);
	if ((err = check_ops(b)) != COSO_OK) {
		return err;
	}
	cosoi_cbor_wr_init(&w, COSO_BODY_MAX);
	cosoi_cbor_put_head(&w, COSOI_CBOR_ARRAY, b->nops);
	for (i = 0; i < b->nops; i++) {
		put_op(&w, b, &b->ops[i]);
	}
	return cosoi_cbor_wr_finish(&w, out, out_len);
}

/*
 * Decoding.  Every function below reads from r and returns the first
 * error met in byte order.
 */

/* A map key: a uint, else COSO_ESCHEMA. */
static int
decode_key(struct cosoi_cbor_rd *r, uint64_t *key)
{
	unsigned major;
	int err;

	if ((err = cosoi_cbor_head(r, &major, key)) != COSO_OK) {
		return err;
	}
	return major == COSOI_CBOR_UINT ? COSO_OK : COSO_ESCHEMA;
}

static int
decode_string(struct cosoi_cbor_rd *r, unsigned major, uint64_t len,
    struct coso_value *v)
{
	int err;

	if (len > COSO_TEXT_MAX) {
		return COSO_ETOOBIG;
	}
	if ((err = cosoi_cbor_take(r, len, &v->p)) != COSO_OK) {
		return err;
	}
	v->type = major == COSOI_CBOR_TSTR ? COSO_VTEXT : COSO_VBYTES;
	v->len  = (size_t) len;
	return COSO_OK;
}

/* A field value: int, text, bytes or null.  Text is not yet checked. */
static int
decode_value(struct cosoi_cbor_rd *r, struct coso_value *v)
{
	size_t start = r->off;
	unsigned major;
	uint64_t arg;
	int err;

	if ((err = cosoi_cbor_head(r, &major, &arg)) != COSO_OK) {
		return err;
	}
	memset(v, 0, sizeof(*v));
	switch (major) {
	case COSOI_CBOR_UINT:
	case COSOI_CBOR_NEGINT:
		if (arg > INT64_MAX) {
			return COSO_ESCHEMA;
		}
		v->type = COSO_VINT;
		/* -1 - arg is at least INT64_MIN: no overflow. */
		v->i = major == COSOI_CBOR_UINT ? (int64_t) arg
		                                : -1 - (int64_t) arg;
		return COSO_OK;
	case COSOI_CBOR_BSTR:
	case COSOI_CBOR_TSTR:
		return decode_string(r, major, arg, v);
	case COSOI_CBOR_SIMPLE:
		if (r->buf[start] == COSOI_CBOR_NULL) {
			v->type = COSO_VNULL;
			return COSO_OK;
		}
		return COSO_ESCHEMA;
	default: /* arrays, maps and tags are never values */
		return COSO_ESCHEMA;
	}
}

/* One field: key > prev (when i > 0), known to t, of an allowed type. */
static int
decode_field(struct cosoi_cbor_rd *r, const struct coso_schema_table *t,
    size_t i, struct coso_field *f)
{
	const struct coso_schema_field *sf;
	uint64_t key;
	int err;

	if ((err = decode_key(r, &key)) != COSO_OK) {
		return err;
	}
	if (i > 0 && key <= f[-1].id) {
		return COSO_ENONCANON; /* unsorted or duplicate */
	}
	sf = key <= COSO_FIELD_ID_MAX ? coso_schema_field(t, (uint32_t) key)
	                              : NULL;
	if (sf == NULL) {
		return COSO_ESCHEMA;
	}
	f->id = (uint32_t) key;
	if ((err = decode_value(r, &f->v)) != COSO_OK) {
		return err;
	}
	if ((sf->types & (1u << f->v.type)) == 0) {
		return COSO_ESCHEMA;
	}
	if (f->v.type == COSO_VTEXT) {
		return coso_text_check(f->v.p, f->v.len);
	}
	return COSO_OK;
}

static int
reserve_decoded(struct ops_store *st, size_t n)
{
	struct coso_field *p;
	size_t cap;
	int err;

	if ((err = new_cap(st->fcap, st->nfields + n, FIELDS_TOTAL_MAX, &cap))
	        != COSO_OK
	    || cap == st->fcap) {
		return err;
	}
	if ((p = resize(st->fields, cap, sizeof(*p))) == NULL) {
		return COSO_ENOMEM;
	}
	st->fields = p;
	st->fcap   = cap;
	return COSO_OK;
}

/* The fields map of an upsert into st->fields; op->fields set later. */
static int
decode_fields(struct cosoi_cbor_rd *r, struct ops_store *st,
    const struct coso_schema_table *t, struct coso_op *op)
{
	struct coso_field *f;
	unsigned major;
	uint64_t n, i;
	size_t nreq = 0;
	int err;

	if ((err = cosoi_cbor_head(r, &major, &n)) != COSO_OK) {
		return err;
	}
	if (major != COSOI_CBOR_MAP) {
		return COSO_ESCHEMA;
	}
	if (n > COSO_FIELDS_MAX) {
		return COSO_ETOOBIG;
	}
	if (n > cosoi_cbor_left(r) / FIELD_MIN_BYTES) {
		return COSO_ETRUNC;
	}
	if ((err = reserve_decoded(st, (size_t) n)) != COSO_OK) {
		return err;
	}
	f = st->fields + st->nfields;
	for (i = 0; i < n; i++) {
		if ((err = decode_field(r, t, (size_t) i, &f[i])) != COSO_OK) {
			return err;
		}
		nreq += coso_schema_field(t, f[i].id)->required != 0;
	}
	if (nreq != required_count(t)) {
		return COSO_ESCHEMA;
	}
	op->nfields = (size_t) n;
	st->nfields += (size_t) n;
	return COSO_OK;
}

/* A uint op value (table, kind), else COSO_ESCHEMA. */
static int
decode_uint(struct cosoi_cbor_rd *r, uint64_t *v)
{
	return decode_key(r, v);
}

static int
decode_row(struct cosoi_cbor_rd *r, struct coso_op *op)
{
	const uint8_t *p;
	unsigned major;
	uint64_t n;
	int err;

	if ((err = cosoi_cbor_head(r, &major, &n)) != COSO_OK) {
		return err;
	}
	if (major != COSOI_CBOR_BSTR || n != ROW_BYTES) {
		return COSO_ESCHEMA;
	}
	if ((err = cosoi_cbor_take(r, n, &p)) != COSO_OK) {
		return err;
	}
	if (!coso_uuid7_valid(p)) {
		return COSO_ESCHEMA;
	}
	memcpy(op->row, p, ROW_BYTES);
	return COSO_OK;
}

/* Where an op map is in its decoding: its table once key 1 is read. */
struct op_state {
	const struct coso_schema_table *t;
	unsigned seen; /* bit k: key k read */
};

static int
decode_entry(struct cosoi_cbor_rd *r, struct ops_store *st, uint64_t key,
    struct op_state *s, struct coso_op *op)
{
	uint64_t v;
	int err;

	switch (key) {
	case KEY_TABLE:
		if ((err = decode_uint(r, &v)) != COSO_OK) {
			return err;
		}
		s->t = v <= COSO_TABLE_ID_MAX ? coso_schema_table((uint32_t) v)
		                              : NULL;
		op->table = (uint32_t) v;
		return s->t != NULL ? COSO_OK : COSO_ESCHEMA;
	case KEY_ROW:
		return decode_row(r, op);
	case KEY_KIND:
		if ((err = decode_uint(r, &v)) != COSO_OK) {
			return err;
		}
		if (s->t == NULL || (v != COSO_UPSERT && v != COSO_DELETE)
		    || (v == COSO_DELETE && s->t->append_only)) {
			return COSO_ESCHEMA;
		}
		op->kind = (enum coso_kind) v;
		return COSO_OK;
	case KEY_FIELDS:
		if (s->t == NULL || (s->seen & (1u << KEY_KIND)) == 0
		    || op->kind != COSO_UPSERT) {
			return COSO_ESCHEMA;
		}
		return decode_fields(r, st, s->t, op);
	default:
		return COSO_ESCHEMA;
	}
}

static int
decode_op(struct cosoi_cbor_rd *r, struct ops_store *st, struct coso_op *op)
{
	struct op_state s = {NULL, 0};
	unsigned major, need;
	uint64_t n, i, key, prev = 0;
	int err;

	if ((err = cosoi_cbor_head(r, &major, &n)) != COSO_OK) {
		return err;
	}
	if (major != COSOI_CBOR_MAP) {
		return COSO_ESCHEMA;
	}
	/* No allocation per key: a bad count fails at its first bad key. */
	for (i = 0; i < n; i++) {
		if ((err = decode_key(r, &key)) != COSO_OK) {
			return err;
		}
		if (i > 0 && key <= prev) {
			return COSO_ENONCANON; /* unsorted or duplicate */
		}
		prev = key;
		if ((err = decode_entry(r, st, key, &s, op)) != COSO_OK) {
			return err;
		}
		s.seen |= 1u << key; /* key <= KEY_FIELDS here */
	}
	need = (1u << KEY_TABLE) | (1u << KEY_ROW) | (1u << KEY_KIND);
	if (op->kind == COSO_UPSERT) {
		need |= 1u << KEY_FIELDS;
	}
	return (s.seen & need) == need ? COSO_OK : COSO_ESCHEMA;
}

/* Reads the ops array head: 1..COSO_OPS_MAX ops that could fit. */
static int
decode_count(struct cosoi_cbor_rd *r, size_t *nops)
{
	unsigned major;
	uint64_t n;
	int err;

	if ((err = cosoi_cbor_head(r, &major, &n)) != COSO_OK) {
		return err;
	}
	if (major != COSOI_CBOR_ARRAY || n == 0) {
		return COSO_ESCHEMA;
	}
	if (n > COSO_OPS_MAX) {
		return COSO_ETOOBIG;
	}
	if (n > cosoi_cbor_left(r) / OP_MIN_BYTES) {
		return COSO_ETRUNC;
	}
	*nops = (size_t) n;
	return COSO_OK;
}

int
coso_ops_decode(struct coso_ops **out, const uint8_t *buf, size_t len)
{
	struct cosoi_cbor_rd r;
	struct ops_store *st = NULL;
	size_t i, nops = 0, off;
	int err;

	assert(out != NULL && (buf != NULL || len == 0));
	if (len > COSO_BODY_MAX) {
		return COSO_ETOOBIG;
	}
	cosoi_cbor_rd_init(&r, buf, len);
	if ((err = decode_count(&r, &nops)) != COSO_OK) {
		goto out;
	}
	if ((st = calloc(1, sizeof(*st))) == NULL
	    || (st->ops = calloc(nops, sizeof(*st->ops))) == NULL) {
		err = COSO_ENOMEM;
		goto out;
	}
	for (i = 0; i < nops; i++) {
		if ((err = decode_op(&r, st, &st->ops[i])) != COSO_OK) {
			goto out;
		}
	}
	if (cosoi_cbor_left(&r) > 0) {
		err = COSO_ETRAILING;
		goto out;
	}
	/* The fields array has stopped moving: point each op at its own. */
	for (i = 0, off = 0; i < nops; i++) {
		st->ops[i].fields
		    = st->ops[i].nfields ? st->fields + off : NULL;
		off += st->ops[i].nfields;
	}
	st->pub.nops = nops;
	st->pub.ops  = st->ops;
	*out         = &st->pub;
	st           = NULL;
out:
	coso_ops_free(st != NULL ? &st->pub : NULL);
	return err;
}

void
coso_ops_free(struct coso_ops *ops)
{
	struct ops_store *st = (struct ops_store *) ops;

	if (st == NULL) {
		return;
	}
	free(st->ops);
	free(st->fields);
	free(st);
}
