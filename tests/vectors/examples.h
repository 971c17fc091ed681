/*
 * examples.h: the change-sets behind the golden vectors, described as
 * builder calls, shared by the vector generator and the tests.  Test
 * support only: everything is static.
 */
#ifndef COSO_TESTS_EXAMPLES_H
#define COSO_TESTS_EXAMPLES_H

#include <stdint.h>
#include <string.h>

#include <coso/proto.h>

struct example {
	const char *name;
	uint8_t seed[32];
	uint64_t seq;
	int chained; /* prev = id of the vector before it */
	uint64_t hlc;
	int which; /* body recipe below */
};

/* RFC 8032 §7.1 test 1 and test 2 seeds: a cadre and an admin. */
#define SEED_CADRE                                                          \
	{                                                                   \
		0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, \
		    0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4, 0x44, 0x49, 0xc5,   \
		    0x69, 0x7b, 0x32, 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03,   \
		    0x1c, 0xae, 0x7f, 0x60                                  \
	}
#define SEED_ADMIN                                                          \
	{                                                                   \
		0x4c, 0xcd, 0x08, 0x9b, 0x28, 0xff, 0x96, 0xda, 0x9d, 0xb6, \
		    0xc3, 0x46, 0xec, 0x11, 0x4e, 0x0f, 0x5b, 0x8a, 0x31,   \
		    0x9f, 0x35, 0xab, 0xa6, 0x24, 0xda, 0x8c, 0xf6, 0xed,   \
		    0x4f, 0xb8, 0xa6, 0xfb                                  \
	}

/* 20/11/2025 09:30, 15/01/2026 16:00 and 01/07/2025 00:00 UTC. */
#define MS_VISIT  UINT64_C(1763631000000)
#define MS_REPORT UINT64_C(1768492800000)
#define MS_ADMIN  UINT64_C(1751328000000)

static const struct example examples[] = {
    {"visit-dao-vien", SEED_CADRE, 1, 0, MS_VISIT << 16, 0},
    {"report-2025-q4", SEED_CADRE, 2, 1, (MS_REPORT << 16) | 1, 1},
    {"admin-unit-gia-mien", SEED_ADMIN, 1, 0, MS_ADMIN << 16, 2},
};
static const size_t example_count = sizeof(examples) / sizeof(examples[0]);

/* A fixed UUIDv7: ms in the first 48 bits, then n in the random bits. */
static inline void
example_row(uint8_t row[static 16], uint64_t ms, uint8_t n)
{
	int i;

	memset(row, 0, 16);
	for (i = 0; i < 6; i++) {
		row[i] = (uint8_t) (ms >> (40 - 8 * i));
	}
	row[6]  = 0x70;
	row[8]  = 0x80;
	row[15] = n;
}

#define EX_TRY(x)                         \
	do {                              \
		if ((e = (x)) != COSO_OK) \
			goto out;         \
	} while (0)
#define EX_TEXT(b, f, s) coso_body_text(b, f, s, strlen(s))

/* A visit to Xã Đào Viên with one outcome and one proposal. */
static inline int
example_visit_ops(struct coso_body *b, uint64_t ms)
{
	uint8_t visit[16], row[16];
	int e;

	example_row(visit, ms, 1);
	EX_TRY(coso_body_op(b, COSO_T_VISIT, visit, COSO_UPSERT));
	EX_TRY(EX_TEXT(b, 1, "06043"));
	EX_TRY(coso_body_int(b, 2, 20251120));
	EX_TRY(EX_TEXT(b, 3, "Kiểm tra đường bê tông Thôn 1"));
	EX_TRY(EX_TEXT(b, 4, "Đã đổ 600 m mặt đường; còn 200 m chưa làm."));
	EX_TRY(EX_TEXT(b, 5, "Thiếu xi măng, mùa mưa đến sớm."));
	EX_TRY(
	    coso_body_int(b, 8, 22649000)); /* example position, 22.649° N */
	EX_TRY(coso_body_int(b, 9, 106481000)); /* 106.481° E */
	example_row(row, ms, 2);
	EX_TRY(coso_body_op(b, COSO_T_OUTCOME, row, COSO_UPSERT));
	EX_TRY(coso_body_bytes(b, 1, visit, 16));
	EX_TRY(EX_TEXT(b, 2, "Đường bê tông"));
	EX_TRY(coso_body_int(b, 3, 600000)); /* 600 m, in thousandths */
	EX_TRY(EX_TEXT(b, 4, "m"));
	example_row(row, ms, 3);
	EX_TRY(coso_body_op(b, COSO_T_PROPOSAL, row, COSO_UPSERT));
	EX_TRY(coso_body_bytes(b, 1, visit, 16));
	EX_TRY(EX_TEXT(b, 2, "06043"));
	EX_TRY(EX_TEXT(b, 3, "Hỗ trợ 20 tấn xi măng cho 200 m còn lại."));
	EX_TRY(coso_body_int(b, 4, 20251120));
out:
	return e;
}

/* A quarterly report for Xã Đào Viên, 2025-Q4. */
static inline int
example_report_ops(struct coso_body *b)
{
	uint8_t row[16];
	int e;

	example_row(row, MS_REPORT, 1);
	EX_TRY(coso_body_op(b, COSO_T_REPORT, row, COSO_UPSERT));
	EX_TRY(EX_TEXT(b, 1, "06043"));
	EX_TRY(EX_TEXT(b, 2, "2025-Q4"));
	EX_TRY(EX_TEXT(b, 3, "Đi cơ sở 4 lần; hoàn thành 600 m đường."));
	EX_TRY(EX_TEXT(b, 4, "Đời sống ổn định, an ninh tốt."));
	EX_TRY(EX_TEXT(b, 5, "Thiếu vốn cho đường liên thôn."));
	EX_TRY(EX_TEXT(b, 6, "Đề nghị tỉnh hỗ trợ xi măng."));
	EX_TRY(coso_body_int(b, 8, 20260115));
out:
	return e;
}

/* An admin puts Xã Gia Miễn in the tree and withdraws an assignment. */
static inline int
example_admin_ops(struct coso_body *b)
{
	uint8_t row[16];
	int e;

	example_row(row, MS_ADMIN, 1);
	EX_TRY(coso_body_op(b, COSO_T_UNIT, row, COSO_UPSERT));
	EX_TRY(EX_TEXT(b, 1, "06160"));
	EX_TRY(EX_TEXT(b, 2, "Xã Gia Miễn"));
	EX_TRY(coso_body_int(b, 3, 3));
	EX_TRY(EX_TEXT(b, 4, "182"));
	EX_TRY(coso_body_int(b, 5, 20200101));
	EX_TRY(coso_body_null(b, 6));
	example_row(row, MS_ADMIN, 2);
	EX_TRY(coso_body_op(b, COSO_T_ASSIGNMENT, row, COSO_DELETE));
out:
	return e;
}

/* The canonical body of an example; *out is malloc'd. */
static inline int
example_body(const struct example *ex, uint8_t **out, size_t *len)
{
	struct coso_body *b = NULL;
	int e;

	EX_TRY(coso_body_new(&b));
	switch (ex->which) {
	case 0:
		EX_TRY(example_visit_ops(b, MS_VISIT));
		break;
	case 1:
		EX_TRY(example_report_ops(b));
		break;
	default:
		EX_TRY(example_admin_ops(b));
		break;
	}
	EX_TRY(coso_body_encode(b, out, len));
out:
	coso_body_free(b);
	return e;
}

/* The sample visit with row ids for time ms (for the demo). */
static inline int
example_visit_body(uint8_t **out, size_t *len, uint64_t ms)
{
	struct coso_body *b = NULL;
	int e;

	EX_TRY(coso_body_new(&b));
	EX_TRY(example_visit_ops(b, ms));
	EX_TRY(coso_body_encode(b, out, len));
out:
	coso_body_free(b);
	return e;
}

#endif /* COSO_TESTS_EXAMPLES_H */
