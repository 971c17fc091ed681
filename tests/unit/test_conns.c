/*
 * test_conns.c: the central's connection table: the anonymous limit
 * ends the least recently active idle connection, never a busy or a
 * vouched one; the total limit refuses; deadlines end idle connections
 * only, each by its own deadline; one being ended is named again until
 * it is gone, and holds its slot till then; unknown ids are harmless.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../daemon/central/conns.h"

static struct conns *
table(unsigned max, unsigned anon_max)
{
	struct conns_cfg cfg = {max, anon_max, 10000, 300000, 1000};
	struct conns *t      = NULL;

	assert_int_equal(conns_new(&t, &cfg), 0);
	return t;
}

/* A key that names its connection: id in every byte. */
static const uint8_t *
key(uint32_t id)
{
	static uint8_t k[CONNS_KEY];

	memset(k, (int) (id & 0xff), sizeof(k));
	return k;
}

static void
add_in(struct conns *t, uint32_t id, uint64_t now, uint32_t want_evict)
{
	struct conns_gone evict = {99, {0}};

	assert_int_equal(conns_add(t, id, key(id), now, &evict), CONNS_IN);
	assert_int_equal(evict.id, want_evict);
	if (want_evict != 0) {
		assert_memory_equal(evict.key, key(want_evict), CONNS_KEY);
	}
}

/* The ids of the connections past their deadline; their keys checked. */
static size_t
expired(struct conns *t, uint64_t now, uint32_t *ids, size_t max)
{
	struct conns_gone out[8];
	size_t i, n = conns_expired(t, now, out, max);

	for (i = 0; i < n; i++) {
		ids[i] = out[i].id;
		assert_memory_equal(out[i].key, key(out[i].id), CONNS_KEY);
	}
	return n;
}

static void
test_anonymous_limit(void **state)
{
	struct conns_stats st;
	struct conns *t = table(8, 3);

	(void) state;
	add_in(t, 1, 100, 0);
	add_in(t, 2, 200, 0);
	add_in(t, 3, 300, 0);
	/* 1 is the least recently active: 2 spoke last, 3 is busy */
	conns_begin(t, 2, 400);
	conns_done(t, 2, 450);
	conns_begin(t, 3, 500);
	add_in(t, 4, 600, 1);
	/* 2 (active at 450) is older than 4 (600) */
	add_in(t, 5, 700, 2);
	/* 3 busy, 4 and 5 idle: 4 goes */
	add_in(t, 6, 800, 4);
	conns_stats(t, &st);
	assert_int_equal(st.open, 3);
	assert_int_equal(st.anon, 3);
	assert_int_equal(st.ending, 3);
	assert_int_equal(st.evicted, 3);
	assert_int_equal(st.refused, 0);
	/* nng reports them gone */
	conns_remove(t, 1);
	conns_remove(t, 2);
	conns_remove(t, 4);
	conns_stats(t, &st);
	assert_int_equal(st.ending, 0);
	assert_int_equal(st.open, 3);
	conns_free(t);
}

static void
test_busy_and_vouched_stay(void **state)
{
	struct conns_stats st;
	struct conns_gone evict = {99, {0}};
	struct conns *t         = table(4, 2);

	(void) state;
	add_in(t, 10, 1, 0);
	add_in(t, 11, 2, 0);
	conns_begin(t, 10, 3);
	conns_begin(t, 11, 4);
	/* both anonymous ones busy: no room */
	assert_int_equal(conns_add(t, 12, key(12), 5, &evict), CONNS_FULL);
	assert_int_equal(evict.id, 0);
	conns_vouch(t, 10);
	conns_vouch(t, 11);
	assert_true(conns_vouched(t, 10));
	assert_false(conns_vouched(t, 12));
	add_in(t, 12, 6, 0);
	add_in(t, 13, 7, 0);
	conns_vouch(t, 12);
	conns_vouch(t, 13);
	/* four vouched: the total is reached, nothing to evict */
	assert_int_equal(conns_add(t, 14, key(14), 8, &evict), CONNS_FULL);
	conns_remove(t, 13);
	add_in(t, 14, 9, 0);
	conns_stats(t, &st);
	assert_int_equal(st.open, 4);
	assert_int_equal(st.anon, 1);
	assert_int_equal(st.refused, 2);
	conns_free(t);
}

/* Connections being ended hold their slots until nng reports them gone:
 * when all are taken, a new one is refused. */
static void
test_ending_until_gone(void **state)
{
	struct conns_gone evict = {99, {0}};
	struct conns *t         = table(2, 2); /* 4 slots */

	(void) state;
	add_in(t, 1, 10, 0);
	add_in(t, 2, 20, 0);
	add_in(t, 3, 30, 1);
	add_in(t, 4, 40, 2);
	/* 3 is ended to make room, but 1 and 2 still hold slots */
	assert_int_equal(conns_add(t, 5, key(5), 50, &evict), CONNS_FULL);
	assert_int_equal(evict.id, 3);
	conns_remove(t, 1);
	add_in(t, 6, 60, 0); /* 4 and 6 open, 2 and 3 ending */
	assert_false(conns_vouched(t, 3));
	conns_vouch(t, 3); /* ending: stays anonymous, counts nowhere */
	conns_remove(t, 2);
	conns_remove(t, 3);
	add_in(t, 7, 70, 4);
	conns_free(t);
}

static void
test_deadlines(void **state)
{
	struct conns_stats st;
	uint32_t ids[8];
	struct conns *t = table(8, 4);

	(void) state;
	add_in(t, 1, 0, 0); /* anonymous, idle */
	add_in(t, 2, 0, 0); /* anonymous, busy */
	add_in(t, 3, 0, 0); /* vouched, idle */
	conns_begin(t, 2, 0);
	conns_vouch(t, 3);
	assert_int_equal(expired(t, 9999, ids, 8), 0);
	assert_int_equal(expired(t, 10000, ids, 8), 1);
	assert_int_equal(ids[0], 1);
	/* being ended: named again once a retry is due, until gone */
	assert_int_equal(expired(t, 10999, ids, 8), 0);
	assert_int_equal(expired(t, 11000, ids, 8), 1);
	assert_int_equal(ids[0], 1);
	conns_remove(t, 1);
	assert_int_equal(expired(t, 20000, ids, 8), 0);
	assert_int_equal(expired(t, 300000, ids, 8), 1);
	assert_int_equal(ids[0], 3);
	conns_remove(t, 3);
	/* the busy one's deadline runs from the end of its request */
	conns_done(t, 2, 400000);
	assert_int_equal(expired(t, 409999, ids, 8), 0);
	assert_int_equal(expired(t, 410000, ids, 8), 1);
	assert_int_equal(ids[0], 2);
	conns_stats(t, &st);
	assert_int_equal(st.open, 0);
	assert_int_equal(st.ending, 1);
	assert_int_equal(st.expired, 3);
	conns_free(t);
}

static void
test_expired_max_and_unknown(void **state)
{
	uint32_t ids[2], i;
	struct conns *t = table(8, 8);

	(void) state;
	for (i = 1; i <= 5; i++) {
		add_in(t, i, 0, 0);
	}
	assert_int_equal(expired(t, 10000, ids, 2), 2);
	assert_int_equal(expired(t, 10000, ids, 2), 2);
	assert_int_equal(expired(t, 10000, ids, 2), 1);
	assert_int_equal(expired(t, 10000, ids, 2), 0);
	/* unknown ids: nothing happens */
	conns_remove(t, 77);
	conns_begin(t, 77, 1);
	conns_done(t, 77, 1);
	conns_vouch(t, 77);
	conns_done(t, 77, 1);
	assert_false(conns_vouched(t, 77));
	for (i = 1; i <= 5; i++) {
		conns_remove(t, i);
	}
	/* the slots are reused: eight more fit */
	for (i = 100; i < 108; i++) {
		add_in(t, i, 0, 0);
	}
	conns_free(t);
	conns_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_anonymous_limit),
	    cmocka_unit_test(test_busy_and_vouched_stay),
	    cmocka_unit_test(test_ending_until_gone),
	    cmocka_unit_test(test_deadlines),
	    cmocka_unit_test(test_expired_max_and_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
