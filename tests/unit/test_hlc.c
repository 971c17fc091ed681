/*
 * test_hlc.c: the hybrid logical clock never goes backwards.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <coso/proto.h>

#define T0 UINT64_C(1764201600000) /* 27/11/2025 00:00 UTC */

static void
test_follows_wall_clock(void **state)
{
	struct coso_hlc h = {0};
	uint64_t v;

	(void) state;
	assert_int_equal(coso_hlc_now(&h, T0, &v), COSO_OK);
	assert_int_equal(coso_hlc_ms(v), T0);
	assert_int_equal(coso_hlc_counter(v), 0);
	assert_int_equal(coso_hlc_now(&h, T0 + 5, &v), COSO_OK);
	assert_int_equal(v, (T0 + 5) << 16);
	assert_int_equal(h.last, v);
}

static void
test_same_ms_counts(void **state)
{
	struct coso_hlc h = {0};
	uint64_t v;
	int i;

	(void) state;
	for (i = 0; i < 10; i++) {
		assert_int_equal(coso_hlc_now(&h, T0, &v), COSO_OK);
		assert_int_equal(coso_hlc_ms(v), T0);
		assert_int_equal(coso_hlc_counter(v), i);
	}
}

/* The wall clock jumps back a day: stamps keep increasing. */
static void
test_clock_jumps_back(void **state)
{
	struct coso_hlc h = {0};
	uint64_t prev, v;
	int i;

	(void) state;
	assert_int_equal(coso_hlc_now(&h, T0, &prev), COSO_OK);
	for (i = 1; i <= 1000; i++) {
		uint64_t wall = T0 - 86400000u + (uint64_t) i;
		assert_int_equal(coso_hlc_now(&h, wall, &v), COSO_OK);
		assert_true(v > prev);
		assert_int_equal(coso_hlc_ms(v), T0);
		assert_int_equal(coso_hlc_counter(v), i);
		prev = v;
	}
	/* Once the wall clock passes the stamp again, it is followed. */
	assert_int_equal(coso_hlc_now(&h, T0 + 1, &v), COSO_OK);
	assert_int_equal(v, (T0 + 1) << 16);
}

/* 65536 events in one millisecond borrow the next millisecond. */
static void
test_counter_overflow(void **state)
{
	struct coso_hlc h = {.last = (T0 << 16) | 0xfffe};
	uint64_t v;

	(void) state;
	assert_int_equal(coso_hlc_now(&h, T0, &v), COSO_OK);
	assert_int_equal(coso_hlc_counter(v), 0xffff);
	assert_int_equal(coso_hlc_now(&h, T0, &v), COSO_OK);
	assert_int_equal(coso_hlc_ms(v), T0 + 1);
	assert_int_equal(coso_hlc_counter(v), 0);
}

static void
test_recv_remote_ahead(void **state)
{
	struct coso_hlc h = {0};
	uint64_t remote   = ((T0 + 60000) << 16) | 7;
	uint64_t v;

	(void) state;
	assert_int_equal(coso_hlc_now(&h, T0, &v), COSO_OK);
	assert_int_equal(coso_hlc_recv(&h, T0 + 1, remote, &v), COSO_OK);
	assert_int_equal(v, remote + 1);
	assert_int_equal(coso_hlc_now(&h, T0 + 2, &v), COSO_OK);
	assert_int_equal(v, remote + 2);
	/* A remote stamp behind us changes nothing but the count. */
	assert_int_equal(coso_hlc_recv(&h, T0 + 3, T0 << 16, &v), COSO_OK);
	assert_int_equal(v, remote + 3);
}

/* Persisting the state and reloading it continues where it stopped. */
static void
test_persisted_state(void **state)
{
	struct coso_hlc a = {0}, b;
	uint64_t va, vb;

	(void) state;
	assert_int_equal(coso_hlc_now(&a, T0 + 1000, &va), COSO_OK);
	b.last = a.last; /* what the store saved */
	assert_int_equal(coso_hlc_now(&b, T0, &vb), COSO_OK);
	assert_true(vb > va);
	assert_int_equal(vb, va + 1);
}

static void
test_out_of_range(void **state)
{
	struct coso_hlc h = {0};
	uint64_t v        = 42;

	(void) state;
	assert_int_equal(
	    coso_hlc_now(&h, COSO_HLC_MS_MAX + 1, &v), COSO_ECLOCK);
	assert_int_equal(v, 42);
	assert_int_equal(h.last, 0);
	h.last = UINT64_MAX;
	assert_int_equal(coso_hlc_now(&h, T0, &v), COSO_ECLOCK);
	assert_int_equal(h.last, UINT64_MAX);
	assert_int_equal(coso_hlc_now(&h, COSO_HLC_MS_MAX, &v), COSO_ECLOCK);
}

static void
test_wall_clock_sane(void **state)
{
	uint64_t now = coso_wall_ms();

	(void) state;
	assert_true(now > T0 - 86400000u * 365);
	assert_true(now < COSO_HLC_MS_MAX);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_follows_wall_clock),
	    cmocka_unit_test(test_same_ms_counts),
	    cmocka_unit_test(test_clock_jumps_back),
	    cmocka_unit_test(test_counter_overflow),
	    cmocka_unit_test(test_recv_remote_ahead),
	    cmocka_unit_test(test_persisted_state),
	    cmocka_unit_test(test_out_of_range),
	    cmocka_unit_test(test_wall_clock_sane),
	};
	return cmocka_run_group_tests_name("hlc", tests, NULL, NULL);
}
