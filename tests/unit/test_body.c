/*
 * test_body.c: the body builder and decoder (proto/body.c, proto/cbor.c,
 * proto/schema.c): canonical bytes, round trips, and every rejection.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <coso/proto.h>

/* A valid UUIDv7 row id, and its hex. */
#define ROW "01936a3c7b2d7e4f8a1b2c3d4e5f6071"
static const uint8_t row[16] = {0x01, 0x93, 0x6a, 0x3c, 0x7b, 0x2d, 0x7e, 0x4f,
    0x8a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f, 0x60, 0x71};

/* schedule (15) upsert: {1: 1, 2: 30, 3: 7}; F is the fields map. */
#define SCHED_OPEN   "81 a4 01 0f 02 50 " ROW " 03 01 04 "
#define SCHED_FIELDS "a3 01 01 02 18 1e 03 07"
#define SCHED        SCHED_OPEN SCHED_FIELDS

/* cadre (2) upsert: {1: "C1", 2: N}; N is the name's encoding. */
#define CADRE_OPEN "81 a4 01 02 02 50 " ROW " 03 01 04 a2 01 62 43 31 02 "
#define CADRE      CADRE_OPEN "63 41 6e 68"

/* schedule delete: the smallest op (23 bytes). */
#define DEL_OP "a3 01 0f 02 50 " ROW " 03 02"

/*
 * The golden body: unit (1) upsert {1: "X1", 2: "Xã Đào Viên", 3: 3,
 * 4: null, 5: 20251127}.  Also in FORMAT.md, "Body", worked example.
 */
#define GOLDEN                                                \
	"81 a4 01 01 02 50 " ROW " 03 01 04 a5"               \
	" 01 62 58 31"                                        \
	" 02 6f 58 c3 a3 20 c4 90 c3 a0 6f 20 56 69 c3 aa 6e" \
	" 03 03 04 f6 05 1a 01 35 01 f7"

/* Hex (spaces allowed) to bytes; returns the length. */
static size_t
unhex(uint8_t *buf, size_t cap, const char *hex)
{
	size_t n = 0;
	unsigned v;

	while (*hex != '\0') {
		if (*hex == ' ') {
			hex++;
			continue;
		}
		assert_true(n < cap);
		assert_int_equal(sscanf(hex, "%2x", &v), 1);
		buf[n++] = (uint8_t) v;
		hex += 2;
	}
	return n;
}

/* Decodes hex, frees the result; returns the error code. */
static int
decode_hex(const char *hex)
{
	uint8_t buf[1024];
	struct coso_ops *ops = NULL;
	size_t len           = unhex(buf, sizeof(buf), hex);
	int err              = coso_ops_decode(&ops, buf, len);

	if (err == COSO_OK) {
		assert_non_null(ops);
	} else {
		assert_null(ops);
	}
	coso_ops_free(ops);
	return err;
}

/* Rebuilds decoded ops through the builder. */
static int
reencode(const struct coso_ops *ops, uint8_t **out, size_t *out_len)
{
	struct coso_body *b = NULL;
	const struct coso_field *f;
	size_t i, j;
	int err;

	assert_int_equal(coso_body_new(&b), COSO_OK);
	for (i = 0; i < ops->nops; i++) {
		err = coso_body_op(
		    b, ops->ops[i].table, ops->ops[i].row, ops->ops[i].kind);
		assert_int_equal(err, COSO_OK);
		for (j = 0; j < ops->ops[i].nfields; j++) {
			f = &ops->ops[i].fields[j];
			switch (f->v.type) {
			case COSO_VINT:
				err = coso_body_int(b, f->id, f->v.i);
				break;
			case COSO_VTEXT:
				err = coso_body_text(
				    b, f->id, (const char *) f->v.p, f->v.len);
				break;
			case COSO_VBYTES:
				err = coso_body_bytes(
				    b, f->id, f->v.p, f->v.len);
				break;
			case COSO_VNULL:
				err = coso_body_null(b, f->id);
				break;
			}
			assert_int_equal(err, COSO_OK);
		}
	}
	err = coso_body_encode(b, out, out_len);
	coso_body_free(b);
	return err;
}

/* Decodes buf, re-encodes it, and checks the bytes are identical. */
static void
assert_round_trip(const uint8_t *buf, size_t len)
{
	struct coso_ops *ops = NULL;
	uint8_t *again       = NULL;
	size_t again_len     = 0;

	assert_int_equal(coso_ops_decode(&ops, buf, len), COSO_OK);
	assert_int_equal(reencode(ops, &again, &again_len), COSO_OK);
	assert_int_equal(again_len, len);
	assert_memory_equal(again, buf, len);
	free(again);
	coso_ops_free(ops);
}

static void
test_golden_encode(void **state)
{
	static const char name[] = "X\xc3\xa3 \xc4\x90\xc3\xa0o Vi\xc3\xaan";
	struct coso_body *b      = NULL;
	uint8_t want[128], *out = NULL;
	size_t wlen = unhex(want, sizeof(want), GOLDEN), len = 0;

	(void) state;
	assert_int_equal(wlen, 57);
	assert_int_equal(coso_body_new(&b), COSO_OK);
	assert_int_equal(coso_body_op(b, COSO_T_UNIT, row, COSO_UPSERT), 0);
	/* Out of order on purpose: encode sorts by field id. */
	assert_int_equal(coso_body_int(b, 5, 20251127), COSO_OK);
	assert_int_equal(coso_body_null(b, 4), COSO_OK);
	assert_int_equal(coso_body_text(b, 2, name, strlen(name)), COSO_OK);
	assert_int_equal(coso_body_text(b, 1, "X1", 2), COSO_OK);
	assert_int_equal(coso_body_int(b, 3, 3), COSO_OK);
	assert_int_equal(coso_body_encode(b, &out, &len), COSO_OK);
	assert_int_equal(len, wlen);
	assert_memory_equal(out, want, wlen);
	free(out);
	coso_body_free(b);
}

static void
test_golden_decode(void **state)
{
	struct coso_ops *ops = NULL;
	const struct coso_op *op;
	uint8_t buf[128];
	size_t len = unhex(buf, sizeof(buf), GOLDEN);

	(void) state;
	assert_int_equal(coso_ops_decode(&ops, buf, len), COSO_OK);
	assert_int_equal(ops->nops, 1);
	op = &ops->ops[0];
	assert_int_equal(op->table, COSO_T_UNIT);
	assert_int_equal(op->kind, COSO_UPSERT);
	assert_memory_equal(op->row, row, 16);
	assert_int_equal(op->nfields, 5);
	assert_int_equal(op->fields[0].id, 1);
	assert_int_equal(op->fields[0].v.type, COSO_VTEXT);
	assert_int_equal(op->fields[0].v.len, 2);
	assert_memory_equal(op->fields[0].v.p, "X1", 2);
	/* Zero-copy: text points into the input. */
	assert_ptr_equal(op->fields[0].v.p, buf + 28);
	assert_int_equal(op->fields[1].v.len, 15);
	assert_memory_equal(op->fields[1].v.p, "X\xc3\xa3 \xc4\x90", 6);
	assert_int_equal(op->fields[2].v.type, COSO_VINT);
	assert_int_equal(op->fields[2].v.i, 3);
	assert_int_equal(op->fields[3].v.type, COSO_VNULL);
	assert_int_equal(op->fields[4].id, 5);
	assert_int_equal(op->fields[4].v.i, 20251127);
	coso_ops_free(ops);
	assert_round_trip(buf, len);
}

/* Each integer, alone in schedule field 2, and its exact encoding. */
static void
test_int_widths(void **state)
{
	static const struct {
		int64_t v;
		const char *hex;
	} cases[] = {
	    {INT64_MIN, "3b 7f ff ff ff ff ff ff ff"},
	    {-4294967297LL, "3b 00 00 00 01 00 00 00 00"},
	    {-257, "39 01 00"},
	    {-256, "38 ff"},
	    {-25, "38 18"},
	    {-24, "37"},
	    {-1, "20"},
	    {0, "00"},
	    {23, "17"},
	    {24, "18 18"},
	    {255, "18 ff"},
	    {256, "19 01 00"},
	    {65535, "19 ff ff"},
	    {65536, "1a 00 01 00 00"},
	    {4294967295LL, "1a ff ff ff ff"},
	    {4294967296LL, "1b 00 00 00 01 00 00 00 00"},
	    {INT64_MAX, "1b 7f ff ff ff ff ff ff ff"},
	};
	char hex[256];
	uint8_t want[128], *out;
	struct coso_body *b = NULL;
	struct coso_ops *ops;
	size_t i, wlen, len;

	(void) state;
	assert_int_equal(coso_body_new(&b), COSO_OK);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(hex, sizeof(hex), "%s a3 01 01 02 %s 03 07",
		    SCHED_OPEN, cases[i].hex);
		wlen = unhex(want, sizeof(want), hex);
		coso_body_reset(b);
		assert_int_equal(coso_body_op(b, 15, row, COSO_UPSERT), 0);
		assert_int_equal(coso_body_int(b, 3, 7), COSO_OK);
		assert_int_equal(coso_body_int(b, 2, cases[i].v), COSO_OK);
		assert_int_equal(coso_body_int(b, 1, 1), COSO_OK);
		assert_int_equal(coso_body_encode(b, &out, &len), COSO_OK);
		assert_int_equal(len, wlen);
		assert_memory_equal(out, want, wlen);
		assert_int_equal(coso_ops_decode(&ops, out, len), COSO_OK);
		assert_int_equal(ops->ops[0].fields[1].v.i, cases[i].v);
		coso_ops_free(ops);
		assert_round_trip(out, len);
		free(out);
	}
	coso_body_free(b);
}

/* Three ops, every value type, Vietnamese text, negative ints, bytes. */
static void
test_round_trip_all_types(void **state)
{
	static const char thon[] = "Th\xc3\xb4n B\xc3\xacnh L\xe1\xba\xadp";
	uint8_t pk[32], row2[16], *out = NULL;
	struct coso_body *b  = NULL;
	struct coso_ops *ops = NULL;
	const struct coso_op *op;
	size_t len = 0;

	(void) state;
	memset(pk, 0xab, sizeof(pk));
	coso_uuid7(row2, 1764201600000u);
	assert_int_equal(coso_body_new(&b), COSO_OK);
	assert_int_equal(coso_body_op(b, COSO_T_VISIT, row, COSO_UPSERT), 0);
	assert_int_equal(coso_body_text(b, 1, thon, strlen(thon)), COSO_OK);
	assert_int_equal(coso_body_int(b, 2, 20251127), COSO_OK);
	assert_int_equal(coso_body_text(b, 3, "", 0), COSO_OK);
	assert_int_equal(coso_body_null(b, 4), COSO_OK);
	assert_int_equal(coso_body_int(b, 8, 21027000), COSO_OK);
	assert_int_equal(coso_body_int(b, 9, -105854000), COSO_OK);
	assert_int_equal(coso_body_bytes(b, 10, row2, 16), COSO_OK);
	assert_int_equal(coso_body_op(b, 3, row2, COSO_UPSERT), COSO_OK);
	assert_int_equal(coso_body_bytes(b, 2, pk, sizeof(pk)), COSO_OK);
	assert_int_equal(coso_body_text(b, 1, "c-7", 3), COSO_OK);
	assert_int_equal(coso_body_int(b, 3, 1), COSO_OK);
	assert_int_equal(coso_body_op(b, 15, row2, COSO_DELETE), COSO_OK);
	assert_int_equal(coso_body_encode(b, &out, &len), COSO_OK);
	assert_int_equal(coso_ops_decode(&ops, out, len), COSO_OK);
	assert_int_equal(ops->nops, 3);
	op = &ops->ops[0];
	assert_int_equal(op->nfields, 7);
	assert_int_equal(op->fields[0].v.len, strlen(thon));
	assert_memory_equal(op->fields[0].v.p, thon, strlen(thon));
	assert_int_equal(op->fields[2].v.type, COSO_VTEXT);
	assert_int_equal(op->fields[2].v.len, 0);
	assert_int_equal(op->fields[5].v.i, -105854000);
	assert_int_equal(op->fields[6].id, 10);
	assert_memory_equal(op->fields[6].v.p, row2, 16);
	op = &ops->ops[1];
	assert_int_equal(op->table, COSO_T_DEVICE_KEY);
	assert_int_equal(op->fields[1].v.type, COSO_VBYTES);
	assert_memory_equal(op->fields[1].v.p, pk, 32);
	assert_int_equal(ops->ops[2].kind, COSO_DELETE);
	assert_int_equal(ops->ops[2].nfields, 0);
	coso_ops_free(ops);
	assert_round_trip(out, len);
	free(out);
	coso_body_free(b);
}

struct bad {
	const char *name;
	const char *hex;
	int err;
};

static void
check_bad(const struct bad *cases, size_t n)
{
	size_t i;
	int err;

	for (i = 0; i < n; i++) {
		err = decode_hex(cases[i].hex);
		if (err != cases[i].err) {
			fail_msg("%s: got %d, want %d", cases[i].name, err,
			    cases[i].err);
		}
	}
}

/* The unmutated bases decode, so each mutation is what fails. */
static void
test_bases_valid(void **state)
{
	(void) state;
	assert_int_equal(decode_hex(SCHED), COSO_OK);
	assert_int_equal(decode_hex(CADRE), COSO_OK);
	assert_int_equal(decode_hex(GOLDEN), COSO_OK);
	assert_int_equal(decode_hex("81 " DEL_OP), COSO_OK);
	assert_int_equal(decode_hex("82 " DEL_OP " " DEL_OP), COSO_OK);
	assert_int_equal(decode_hex(SCHED_OPEN "a3 01 01 02 3b 7f ff ff ff"
	                                       " ff ff ff ff 03 07"),
	    COSO_OK);
}

static void
test_noncanonical(void **state)
{
	static const struct bad cases[] = {
	    {"array count",
	        "98 01 a4 01 0f 02 50 " ROW " 03 01 04 " SCHED_FIELDS,
	        COSO_ENONCANON},
	    {"op map count",
	        "81 b8 04 01 0f 02 50 " ROW " 03 01 04 " SCHED_FIELDS,
	        COSO_ENONCANON},
	    {"op key 1 byte",
	        "81 a4 18 01 0f 02 50 " ROW " 03 01 04 " SCHED_FIELDS,
	        COSO_ENONCANON},
	    {"table 1 byte",
	        "81 a4 01 18 0f 02 50 " ROW " 03 01 04 " SCHED_FIELDS,
	        COSO_ENONCANON},
	    {"uint 2 bytes", SCHED_OPEN "a3 01 01 02 19 00 1e 03 07",
	        COSO_ENONCANON},
	    {"uint 4 bytes", SCHED_OPEN "a3 01 01 02 1a 00 00 00 1e 03 07",
	        COSO_ENONCANON},
	    {"uint 8 bytes",
	        SCHED_OPEN "a3 01 01 02 1b 00 00 00 00 00 00 00 1e 03 07",
	        COSO_ENONCANON},
	    {"255 in 2 bytes", SCHED_OPEN "a3 01 01 02 19 00 ff 03 07",
	        COSO_ENONCANON},
	    {"65535 in 4 bytes", SCHED_OPEN "a3 01 01 02 1a 00 00 ff ff 03 07",
	        COSO_ENONCANON},
	    {"2^32-1 in 8 bytes",
	        SCHED_OPEN "a3 01 01 02 1b 00 00 00 00 ff ff ff ff 03 07",
	        COSO_ENONCANON},
	    {"negint 1 byte", SCHED_OPEN "a3 01 01 02 38 00 03 07",
	        COSO_ENONCANON},
	    {"negint 2 bytes", SCHED_OPEN "a3 01 01 02 39 00 ff 03 07",
	        COSO_ENONCANON},
	    {"field key 1 byte", SCHED_OPEN "a3 18 01 01 02 18 1e 03 07",
	        COSO_ENONCANON},
	    {"fields map count", SCHED_OPEN "b8 03 01 01 02 18 1e 03 07",
	        COSO_ENONCANON},
	    {"bstr length",
	        "81 a4 01 0f 02 58 10 " ROW " 03 01 04 " SCHED_FIELDS,
	        COSO_ENONCANON},
	    {"tstr length", CADRE_OPEN "78 03 41 6e 68", COSO_ENONCANON},
	    {"tstr length 2 bytes", CADRE_OPEN "79 00 03 41 6e 68",
	        COSO_ENONCANON},
	    {"indefinite array",
	        "9f a4 01 0f 02 50 " ROW " 03 01 04 " SCHED_FIELDS " ff",
	        COSO_ENONCANON},
	    {"indefinite op map",
	        "81 bf 01 0f 02 50 " ROW " 03 01 04 " SCHED_FIELDS " ff",
	        COSO_ENONCANON},
	    {"indefinite fields", SCHED_OPEN "bf 01 01 02 18 1e 03 07 ff",
	        COSO_ENONCANON},
	    {"indefinite tstr", CADRE_OPEN "7f 63 41 6e 68 ff",
	        COSO_ENONCANON},
	    {"indefinite bstr",
	        "81 a4 01 0f 02 5f 50 " ROW " ff 03 01 04 " SCHED_FIELDS,
	        COSO_ENONCANON},
	    {"unsorted op keys",
	        "81 a4 02 50 " ROW " 01 0f 03 01 04 " SCHED_FIELDS,
	        COSO_ENONCANON},
	    {"unsorted fields", SCHED_OPEN "a3 02 18 1e 01 01 03 07",
	        COSO_ENONCANON},
	    {"duplicate field", SCHED_OPEN "a3 01 01 01 01 03 07",
	        COSO_ENONCANON},
	    {"duplicate op key", "81 a4 01 0f 01 0f 02 50 " ROW " 03 01",
	        COSO_ENONCANON},
	    {"reserved ai 28", SCHED_OPEN "a3 01 01 02 1c 03 07",
	        COSO_ENONCANON},
	    {"reserved ai 29", SCHED_OPEN "a3 01 01 02 1d 03 07",
	        COSO_ENONCANON},
	    {"reserved ai 30", SCHED_OPEN "a3 01 01 02 1e 03 07",
	        COSO_ENONCANON},
	    {"break as value", SCHED_OPEN "a3 01 01 02 ff 03 07",
	        COSO_ENONCANON},
	};

	(void) state;
	check_bad(cases, sizeof(cases) / sizeof(cases[0]));
}

static void
test_schema_errors(void **state)
{
	static const struct bad cases[] = {
	    {"unknown table",
	        "81 a4 01 10 02 50 " ROW " 03 01 04 " SCHED_FIELDS,
	        COSO_ESCHEMA},
	    {"table 0", "81 a4 01 00 02 50 " ROW " 03 01 04 " SCHED_FIELDS,
	        COSO_ESCHEMA},
	    {"unknown field", SCHED_OPEN "a4 01 01 02 18 1e 03 07 04 01",
	        COSO_ESCHEMA},
	    {"field 0", SCHED_OPEN "a4 00 01 01 01 02 18 1e 03 07",
	        COSO_ESCHEMA},
	    {"field 256", SCHED_OPEN "a4 01 01 02 18 1e 03 07 19 01 00 01",
	        COSO_ESCHEMA},
	    {"text for int", SCHED_OPEN "a3 01 01 02 61 41 03 07",
	        COSO_ESCHEMA},
	    {"bytes for text", CADRE_OPEN "43 41 6e 68", COSO_ESCHEMA},
	    {"int for text", CADRE_OPEN "01", COSO_ESCHEMA},
	    {"null for required", SCHED_OPEN "a3 01 01 02 f6 03 07",
	        COSO_ESCHEMA},
	    {"missing required", SCHED_OPEN "a2 01 01 02 18 1e", COSO_ESCHEMA},
	    {"empty fields", SCHED_OPEN "a0", COSO_ESCHEMA},
	    {"key 4 on delete",
	        "81 a4 01 0f 02 50 " ROW " 03 02 04 " SCHED_FIELDS,
	        COSO_ESCHEMA},
	    {"delete on visit", "81 a3 01 07 02 50 " ROW " 03 02",
	        COSO_ESCHEMA},
	    {"upsert without fields", "81 a3 01 0f 02 50 " ROW " 03 01",
	        COSO_ESCHEMA},
	    {"no row",
	        "81 a3 01 02 03 01 04 a2 01 62 43 31 02 6a 41 41 41 41"
	        " 41 41 41 41 41 41",
	        COSO_ESCHEMA},
	    /* Under 23 bytes cannot hold an op: reported as truncated. */
	    {"no row, short", "81 a3 01 0f 03 01 04 " SCHED_FIELDS,
	        COSO_ETRUNC},
	    {"no table", "81 a3 02 50 " ROW " 03 01 04 " SCHED_FIELDS,
	        COSO_ESCHEMA},
	    {"no kind", "81 a3 01 0f 02 50 " ROW " 04 " SCHED_FIELDS,
	        COSO_ESCHEMA},
	    {"row version 4",
	        "81 a4 01 0f 02 50 01936a3c7b2d4e4f8a1b2c3d4e5f6071"
	        " 03 01 04 " SCHED_FIELDS,
	        COSO_ESCHEMA},
	    {"row variant 11",
	        "81 a4 01 0f 02 50 01936a3c7b2d7e4fca1b2c3d4e5f6071"
	        " 03 01 04 " SCHED_FIELDS,
	        COSO_ESCHEMA},
	    {"row 15 bytes",
	        "81 a4 01 0f 02 4f 01936a3c7b2d7e4f8a1b2c3d4e5f60"
	        " 03 01 04 " SCHED_FIELDS,
	        COSO_ESCHEMA},
	    {"row as text", "81 a4 01 0f 02 70 " ROW " 03 01 04 " SCHED_FIELDS,
	        COSO_ESCHEMA},
	    {"kind 3", "81 a4 01 0f 02 50 " ROW " 03 03 04 " SCHED_FIELDS,
	        COSO_ESCHEMA},
	    {"kind 0", "81 a4 01 0f 02 50 " ROW " 03 00 04 " SCHED_FIELDS,
	        COSO_ESCHEMA},
	    {"op key 5",
	        "81 a5 01 0f 02 50 " ROW " 03 01 04 " SCHED_FIELDS " 05 00",
	        COSO_ESCHEMA},
	    {"op key 0",
	        "81 a5 00 00 01 0f 02 50 " ROW " 03 01 04 " SCHED_FIELDS,
	        COSO_ESCHEMA},
	    {"text op key",
	        "81 a4 61 31 0f 02 50 " ROW " 03 01 04 " SCHED_FIELDS,
	        COSO_ESCHEMA},
	    {"text field key", SCHED_OPEN "a3 61 31 01 02 18 1e 03 07",
	        COSO_ESCHEMA},
	    {"tag", SCHED_OPEN "a3 01 01 02 c1 18 1e 03 07", COSO_ESCHEMA},
	    {"half float", SCHED_OPEN "a3 01 01 02 f9 00 00 03 07",
	        COSO_ESCHEMA},
	    {"double",
	        SCHED_OPEN "a3 01 01 02 fb 00 00 00 00 00 00 00 00 03 07",
	        COSO_ESCHEMA},
	    {"true", SCHED_OPEN "a3 01 01 02 f5 03 07", COSO_ESCHEMA},
	    {"undefined", SCHED_OPEN "a3 01 01 02 f7 03 07", COSO_ESCHEMA},
	    {"simple 255", SCHED_OPEN "a3 01 01 02 f8 ff 03 07", COSO_ESCHEMA},
	    {"array value", SCHED_OPEN "a3 01 01 02 80 03 07", COSO_ESCHEMA},
	    {"map value", SCHED_OPEN "a3 01 01 02 a0 03 07", COSO_ESCHEMA},
	    {"uint over int64",
	        SCHED_OPEN "a3 01 01 02 1b 80 00 00 00 00 00 00 00 03 07",
	        COSO_ESCHEMA},
	    {"negint under int64",
	        SCHED_OPEN "a3 01 01 02 3b 80 00 00 00 00 00 00 00 03 07",
	        COSO_ESCHEMA},
	    {"no ops", "80", COSO_ESCHEMA},
	    {"map at top", "a0", COSO_ESCHEMA},
	    {"uint at top", "00", COSO_ESCHEMA},
	    {"op not a map",
	        "81 57 0000000000000000000000000000000000000000000000",
	        COSO_ESCHEMA},
	};

	(void) state;
	check_bad(cases, sizeof(cases) / sizeof(cases[0]));
}

static void
test_text_errors(void **state)
{
	static const struct bad cases[] = {
	    {"NFD", CADRE_OPEN "66 56 69 65 cc a3 74", COSO_ENFC},
	    {"NFD a grave", CADRE_OPEN "63 61 cc 80", COSO_ENFC},
	    {"bad continuation", CADRE_OPEN "62 c3 28", COSO_EUTF8},
	    {"overlong", CADRE_OPEN "62 c0 af", COSO_EUTF8},
	    {"surrogate", CADRE_OPEN "63 ed a0 80", COSO_EUTF8},
	    {"cut sequence", CADRE_OPEN "62 41 e1", COSO_EUTF8},
	    {"over U+10FFFF", CADRE_OPEN "64 f4 90 80 80", COSO_EUTF8},
	    {"NFC Vietnamese",
	        CADRE_OPEN
	        "71 54 68 c3 b4 6e 20 42 c3 ac 6e 68 20 4c e1 ba ad 70",
	        COSO_OK},
	    {"empty text", CADRE_OPEN "60", COSO_OK},
	};

	(void) state;
	check_bad(cases, sizeof(cases) / sizeof(cases[0]));
}

static void
test_truncated(void **state)
{
	struct coso_ops *ops = NULL;
	uint8_t buf[128], *cut;
	size_t len = unhex(buf, sizeof(buf), GOLDEN), n;

	(void) state;
	for (n = 0; n < len; n++) {
		/* An exact-size copy, so ASan sees any read past the end. */
		cut = malloc(n ? n : 1);
		assert_non_null(cut);
		memcpy(cut, buf, n);
		if (coso_ops_decode(&ops, cut, n) != COSO_ETRUNC) {
			fail_msg("prefix of %zu bytes not ETRUNC", n);
		}
		assert_null(ops);
		free(cut);
	}
	assert_int_equal(coso_ops_decode(&ops, NULL, 0), COSO_ETRUNC);
}

static void
test_trailing(void **state)
{
	(void) state;
	assert_int_equal(decode_hex(GOLDEN " 00"), COSO_ETRAILING);
	assert_int_equal(decode_hex(GOLDEN " f6"), COSO_ETRAILING);
	assert_int_equal(decode_hex(GOLDEN " " GOLDEN), COSO_ETRAILING);
	assert_int_equal(decode_hex("81 " DEL_OP " " DEL_OP), COSO_ETRAILING);
}

/* Body of n schedule deletes with a hand-written array head. */
static uint8_t *
many_deletes(const char *head, size_t n, size_t *len)
{
	uint8_t op[32], h[16], *buf;
	size_t oplen = unhex(op, sizeof(op), DEL_OP);
	size_t hlen  = unhex(h, sizeof(h), head), i;

	buf = malloc(hlen + n * oplen);
	assert_non_null(buf);
	memcpy(buf, h, hlen);
	for (i = 0; i < n; i++) {
		memcpy(buf + hlen + i * oplen, op, oplen);
	}
	*len = hlen + n * oplen;
	return buf;
}

static void
test_limits(void **state)
{
	static const struct bad cases[] = {
	    {"2^32 ops", "9b 00 00 00 01 00 00 00 00 " DEL_OP, COSO_ETOOBIG},
	    {"2^64-1 ops", "9b ff ff ff ff ff ff ff ff", COSO_ETOOBIG},
	    {"1025 ops, 1 present", "99 04 01 " DEL_OP, COSO_ETOOBIG},
	    {"2 ops, 1 present", "82 " DEL_OP, COSO_ETRUNC},
	    {"1 GiB text", CADRE_OPEN "7a 40 00 00 00 41", COSO_ETOOBIG},
	    {"2^64-1 text", CADRE_OPEN "7b ff ff ff ff ff ff ff ff",
	        COSO_ETOOBIG},
	    {"1 GiB bytes",
	        "81 a4 01 03 02 50 " ROW
	        " 03 01 04 a3 01 61 41 02 5a 40 00 00 00 00",
	        COSO_ETOOBIG},
	    {"65 fields", SCHED_OPEN "b8 41 01 01 02 18 1e 03 07",
	        COSO_ETOOBIG},
	    {"2^32 fields", SCHED_OPEN "bb 00 00 00 01 00 00 00 00 01 01",
	        COSO_ETOOBIG},
	    {"64 fields, 3 present", SCHED_OPEN "b8 40 01 01 02 18 1e 03 07",
	        COSO_ETRUNC},
	    {"2^32 op keys",
	        "81 bb 00 00 00 01 00 00 00 00 01 0f 02 50 " ROW
	        " 03 01 04 " SCHED_FIELDS,
	        COSO_ETRUNC},
	};
	struct coso_ops *ops = NULL;
	uint8_t *buf;
	size_t len;

	(void) state;
	check_bad(cases, sizeof(cases) / sizeof(cases[0]));
	buf = many_deletes("99 04 01", 1025, &len);
	assert_int_equal(coso_ops_decode(&ops, buf, len), COSO_ETOOBIG);
	free(buf);
	buf = many_deletes("99 04 00", 1024, &len);
	assert_int_equal(coso_ops_decode(&ops, buf, len), COSO_OK);
	assert_int_equal(ops->nops, 1024);
	coso_ops_free(ops);
	free(buf);
	buf = calloc(1, COSO_BODY_MAX + 1);
	assert_non_null(buf);
	assert_int_equal(
	    coso_ops_decode(&ops, buf, COSO_BODY_MAX + 1), COSO_ETOOBIG);
	free(buf);
}

/* A cadre body whose name is n bytes of 'a'. */
static uint8_t *
cadre_named(size_t n, size_t *len)
{
	uint8_t head[64], *buf;
	size_t hlen = unhex(head, sizeof(head), CADRE_OPEN "79 00 00");

	buf = malloc(hlen + n);
	assert_non_null(buf);
	head[hlen - 2] = (uint8_t) (n >> 8);
	head[hlen - 1] = (uint8_t) n;
	memcpy(buf, head, hlen);
	memset(buf + hlen, 'a', n);
	*len = hlen + n;
	return buf;
}

static void
test_text_limit(void **state)
{
	struct coso_ops *ops = NULL;
	struct coso_body *b  = NULL;
	uint8_t *buf;
	char *text;
	size_t len;

	(void) state;
	buf = cadre_named(COSO_TEXT_MAX, &len);
	assert_int_equal(coso_ops_decode(&ops, buf, len), COSO_OK);
	assert_int_equal(ops->ops[0].fields[1].v.len, COSO_TEXT_MAX);
	coso_ops_free(ops);
	free(buf);
	buf = cadre_named(COSO_TEXT_MAX + 1, &len);
	assert_int_equal(coso_ops_decode(&ops, buf, len), COSO_ETOOBIG);
	free(buf);
	text = malloc(COSO_TEXT_MAX + 1);
	assert_non_null(text);
	memset(text, 'a', COSO_TEXT_MAX + 1);
	assert_int_equal(coso_body_new(&b), COSO_OK);
	assert_int_equal(coso_body_op(b, 2, row, COSO_UPSERT), COSO_OK);
	assert_int_equal(
	    coso_body_text(b, 2, text, COSO_TEXT_MAX + 1), COSO_ETOOBIG);
	assert_int_equal(coso_body_op(b, 3, row, COSO_UPSERT), COSO_OK);
	assert_int_equal(
	    coso_body_bytes(b, 2, (const uint8_t *) text, COSO_TEXT_MAX + 1),
	    COSO_ETOOBIG);
	assert_int_equal(
	    coso_body_bytes(b, 2, (const uint8_t *) text, COSO_TEXT_MAX),
	    COSO_OK);
	coso_body_free(b);
	free(text);
}

/* n handover ops, each with a text of tlen bytes: the encoder's limit. */
static int
encode_handovers(size_t n, size_t tlen, size_t *len)
{
	struct coso_body *b = NULL;
	uint8_t *out        = NULL;
	char *text          = malloc(tlen);
	size_t i;
	int err;

	assert_non_null(text);
	memset(text, 'a', tlen);
	assert_int_equal(coso_body_new(&b), COSO_OK);
	for (i = 0; i < n; i++) {
		assert_int_equal(coso_body_op(b, 12, row, COSO_UPSERT), 0);
		assert_int_equal(coso_body_text(b, 1, "U", 1), COSO_OK);
		assert_int_equal(coso_body_text(b, 2, text, tlen), COSO_OK);
		assert_int_equal(coso_body_int(b, 3, 20251127), COSO_OK);
	}
	err = coso_body_encode(b, &out, len);
	if (err == COSO_OK) {
		assert_round_trip(out, *len);
	}
	free(out);
	free(text);
	coso_body_free(b);
	return err;
}

static void
test_builder_limits(void **state)
{
	struct coso_body *b = NULL;
	char *big;
	size_t i, len = 0;

	(void) state;
	assert_int_equal(encode_handovers(15, 16380, &len), COSO_OK);
	assert_int_equal(len, 1 + 15 * (38 + 16380));
	assert_int_equal(encode_handovers(16, 16380, &len), COSO_ETOOBIG);
	assert_int_equal(coso_body_new(&b), COSO_OK);
	for (i = 0; i < COSO_OPS_MAX; i++) {
		assert_int_equal(coso_body_op(b, 15, row, COSO_DELETE), 0);
	}
	assert_int_equal(coso_body_op(b, 15, row, COSO_DELETE), COSO_ETOOBIG);
	/* Copied values can never exceed a whole body. */
	coso_body_reset(b);
	big = malloc(COSO_TEXT_MAX);
	assert_non_null(big);
	memset(big, 'a', COSO_TEXT_MAX);
	for (i = 0; i < COSO_BODY_MAX / COSO_TEXT_MAX; i++) {
		assert_int_equal(coso_body_op(b, 12, row, COSO_UPSERT), 0);
		assert_int_equal(
		    coso_body_text(b, 2, big, COSO_TEXT_MAX), COSO_OK);
	}
	assert_int_equal(coso_body_op(b, 12, row, COSO_UPSERT), 0);
	assert_int_equal(coso_body_text(b, 1, "U", 1), COSO_ETOOBIG);
	free(big);
	coso_body_free(b);
}

static void
test_builder_errors(void **state)
{
	static const uint8_t v4[16] = {0x01, 0x93, 0x6a, 0x3c, 0x7b, 0x2d,
	    0x4e, 0x4f, 0x8a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f, 0x60, 0x71};
	struct coso_body *b         = NULL;
	uint8_t *out                = NULL;
	size_t len                  = 0;

	(void) state;
	assert_int_equal(coso_body_new(&b), COSO_OK);
	assert_int_equal(coso_body_encode(b, &out, &len), COSO_ESCHEMA);
	assert_int_equal(coso_body_int(b, 1, 1), COSO_EINVAL);
	assert_int_equal(coso_body_op(b, 18, row, COSO_UPSERT), COSO_ESCHEMA);
	assert_int_equal(coso_body_op(b, 0, row, COSO_UPSERT), COSO_ESCHEMA);
	assert_int_equal(coso_body_op(b, 15, v4, COSO_UPSERT), COSO_ESCHEMA);
	assert_int_equal(coso_body_op(b, 7, row, COSO_DELETE), COSO_ESCHEMA);
	assert_int_equal(coso_body_op(b, 15, row, 3), COSO_EINVAL);
	assert_int_equal(coso_body_op(b, 15, row, COSO_DELETE), COSO_OK);
	assert_int_equal(coso_body_int(b, 1, 1), COSO_EINVAL);
	assert_int_equal(coso_body_op(b, 2, row, COSO_UPSERT), COSO_OK);
	assert_int_equal(coso_body_text(b, 9, "x", 1), COSO_ESCHEMA);
	assert_int_equal(coso_body_int(b, 1, 5), COSO_ESCHEMA);
	assert_int_equal(coso_body_null(b, 1), COSO_ESCHEMA);
	assert_int_equal(coso_body_text(b, 1, "Vie\xcc\xa3t", 6), COSO_ENFC);
	assert_int_equal(coso_body_text(b, 1, "\xc3\x28", 2), COSO_EUTF8);
	assert_int_equal(coso_body_text(b, 1, "C1", 2), COSO_OK);
	assert_int_equal(coso_body_text(b, 1, "C2", 2), COSO_EINVAL);
	/* Required field 2 (name) is missing. */
	assert_int_equal(coso_body_encode(b, &out, &len), COSO_ESCHEMA);
	assert_int_equal(coso_body_null(b, 3), COSO_OK);
	assert_int_equal(coso_body_encode(b, &out, &len), COSO_ESCHEMA);
	assert_int_equal(coso_body_text(b, 2, "Anh", 3), COSO_OK);
	assert_int_equal(coso_body_encode(b, &out, &len), COSO_OK);
	assert_int_equal(len, 1 + 23 + 36);
	free(out);
	coso_body_reset(b);
	assert_int_equal(coso_body_int(b, 1, 1), COSO_EINVAL);
	assert_int_equal(coso_body_encode(b, &out, &len), COSO_ESCHEMA);
	coso_body_free(b);
	coso_body_free(NULL);
	coso_ops_free(NULL);
}

static void
test_schema_tables(void **state)
{
	const struct coso_schema_table *t;
	const struct coso_schema_field *f;
	uint32_t id;

	(void) state;
	assert_null(coso_schema_table(0));
	assert_null(coso_schema_table(18));
	assert_null(coso_schema_table(UINT32_MAX));
	for (id = 1; id <= COSO_T_CONSOLE_ACCESS; id++) {
		t = coso_schema_table(id);
		assert_non_null(t);
		assert_int_equal(t->id, id);
		assert_true(t->nfields > 0);
	}
	t = coso_schema_table(COSO_T_VISIT);
	assert_string_equal(t->name, "visit");
	assert_false(t->admin);
	assert_true(t->append_only);
	assert_int_equal(t->nfields, 10);
	f = coso_schema_field(t, 8);
	assert_string_equal(f->name, "lat");
	assert_int_equal(f->types, COSO_TY_INT | COSO_TY_NULL);
	assert_false(f->required);
	assert_null(coso_schema_field(t, 11));
	assert_null(coso_schema_field(NULL, 1));
	t = coso_schema_table(COSO_T_DEVICE_KEY);
	assert_true(t->admin);
	assert_false(t->append_only);
	assert_int_equal(coso_schema_field(t, 2)->types, COSO_TY_BYTES);
	assert_true(coso_schema_field(t, 2)->required);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_golden_encode),
	    cmocka_unit_test(test_golden_decode),
	    cmocka_unit_test(test_int_widths),
	    cmocka_unit_test(test_round_trip_all_types),
	    cmocka_unit_test(test_bases_valid),
	    cmocka_unit_test(test_noncanonical),
	    cmocka_unit_test(test_schema_errors),
	    cmocka_unit_test(test_text_errors),
	    cmocka_unit_test(test_truncated),
	    cmocka_unit_test(test_trailing),
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_text_limit),
	    cmocka_unit_test(test_builder_limits),
	    cmocka_unit_test(test_builder_errors),
	    cmocka_unit_test(test_schema_tables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
