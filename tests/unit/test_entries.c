/*
 * test_entries.c: the entries file (proto/entries.c, FORMAT.md "Entries
 * file"): exact bytes of a header and an entry head, and every refusal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <coso/proto.h>

static const uint8_t pk[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
    15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

static void
header_bytes(void **state)
{
	uint8_t buf[COSO_ENTRIES_HEADER_MAX], back[32];
	char origin[COSO_ORIGIN_MAX + 1];
	size_t len, used;

	(void) state;
	assert_int_equal(
	    coso_entries_header_encode(buf, &len, pk, "lang-son"), COSO_OK);
	assert_int_equal(len, 16 + 32 + 2 + 8);
	assert_memory_equal(buf, "coso-entries/v1\n", 16);
	assert_memory_equal(buf + 16, pk, 32);
	assert_int_equal(buf[48], 0);
	assert_int_equal(buf[49], 8);
	assert_memory_equal(buf + 50, "lang-son", 8);
	assert_int_equal(
	    coso_entries_header_decode(buf, len, back, origin, &used),
	    COSO_OK);
	assert_int_equal(used, len);
	assert_memory_equal(back, pk, 32);
	assert_string_equal(origin, "lang-son");
	/* Every shorter prefix is truncated. */
	for (used = 0; used < len; used++) {
		assert_int_equal(
		    coso_entries_header_decode(buf, used, back, origin, &len),
		    COSO_ETRUNC);
	}
}

static void
header_refusals(void **state)
{
	uint8_t buf[COSO_ENTRIES_HEADER_MAX + 8], back[32];
	char origin[COSO_ORIGIN_MAX + 1];
	size_t len, used;

	(void) state;
	assert_int_equal(
	    coso_entries_header_encode(buf, &len, pk, "a b"), COSO_EINVAL);
	assert_int_equal(
	    coso_entries_header_encode(buf, &len, pk, ""), COSO_EINVAL);
	assert_int_equal(
	    coso_entries_header_encode(buf, &len, pk, "ok"), COSO_OK);
	buf[14] = '2'; /* "coso-entries/v2" */
	assert_int_equal(
	    coso_entries_header_decode(buf, len, back, origin, &used),
	    COSO_EVERSION);
	buf[14] = '1';
	buf[48] = 0x01; /* origin length 258 > COSO_ORIGIN_MAX */
	buf[49] = 0x02;
	assert_int_equal(
	    coso_entries_header_decode(buf, sizeof(buf), back, origin, &used),
	    COSO_ETOOBIG);
	buf[48] = 0;
	buf[49] = 2;
	buf[51] = '+'; /* not a key name */
	assert_int_equal(
	    coso_entries_header_decode(buf, len, back, origin, &used),
	    COSO_EINVAL);
}

static void
head_bytes(void **state)
{
	struct coso_entry e = {.index = 0x0102030405060708ull,
	    .received_ms              = 1764000000123ull,
	    .verdict                  = COSO_VERDICT_QUARANTINED,
	    .reason                   = COSO_QFORK,
	    .cs_len                   = 526};
	struct coso_entry d;
	uint8_t h[COSO_ENTRY_HEAD];

	(void) state;
	memset(e.sender, 0xab, 32);
	coso_entry_head_encode(h, &e);
	assert_int_equal(h[0], 1);
	assert_int_equal(h[7], 8);
	assert_int_equal(h[48], COSO_VERDICT_QUARANTINED);
	assert_int_equal(h[49], 0);
	assert_int_equal(h[50], 60);
	assert_int_equal(h[53], 0x02);
	assert_int_equal(h[54], 0x0e);
	assert_int_equal(coso_entry_head_decode(&d, h), COSO_OK);
	assert_true(d.index == e.index && d.received_ms == e.received_ms);
	assert_memory_equal(d.sender, e.sender, 32);
	assert_int_equal(d.reason, COSO_QFORK);
	assert_int_equal(d.cs_len, 526);
	assert_null(d.cs);
	h[48] = COSO_VERDICT_DUPLICATE; /* never in the log */
	assert_int_equal(coso_entry_head_decode(&d, h), COSO_ESCHEMA);
	h[48] = COSO_VERDICT_ACCEPTED;
	h[51] = 0x7f; /* length far over COSO_CS_MAX */
	assert_int_equal(coso_entry_head_decode(&d, h), COSO_ETOOBIG);
	memset(h + 51, 0, 4); /* shorter than an envelope */
	h[54] = COSO_CS_OVERHEAD - 1;
	assert_int_equal(coso_entry_head_decode(&d, h), COSO_ETRUNC);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(header_bytes),
	    cmocka_unit_test(header_refusals),
	    cmocka_unit_test(head_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
