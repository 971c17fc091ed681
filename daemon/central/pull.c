/*
 * pull.c: the PULL cursor and the replay of an area's history.
 */
#include "pull.h"

#define MAIN_MASK UINT64_C(0xffffffff)

/* Stops at the first item: asks whether there is one. */
static int
stop_at_first(const struct cstore_pull_item *it, void *arg)
{
	(void) it;
	(void) arg;
	return 1;
}

/* The replay of records in (progress, main]. */
static int
history(struct central_store *s, const char *cadre, int32_t today,
    uint64_t main, uint64_t progress, cstore_pull_cb cb, void *arg,
    uint64_t *cursor_out, int *more)
{
	uint64_t last;
	int rv, left;

	rv          = cstore_pull(s, cadre, NULL, today, progress, main, 1,
	             PULL_ITEMS_MAX, cb, arg, &last, &left);
	*cursor_out = left ? ((last + 1) << 32) | main : main;
	*more       = 1; /* the main scan resumes next */
	return rv;
}

/* Whether the scan over (old, last] brought C an assignment while C's
 * area has records at or below old, which the device passed over. */
static int
needs_history(struct central_store *s, const char *cadre, int32_t today,
    uint64_t old, uint64_t last, int *yes)
{
	uint64_t ignored;
	int rv, assigned = 0;

	*yes = 0;
	if (old == 0 || last > MAIN_MASK) {
		return COSO_OK; /* nothing passed over, or no room to say */
	}
	rv = cstore_assigned_between(s, cadre, old, last, &assigned);
	if (rv != COSO_OK || !assigned) {
		return rv;
	}
	return cstore_pull(s, cadre, NULL, today, 0, old, 1, 1, stop_at_first,
	    NULL, &ignored, yes);
}

int
pull_serve(struct central_store *s, const char *cadre,
    const uint8_t self[static 32], int32_t today, uint64_t cursor,
    cstore_pull_cb cb, void *arg, uint64_t *cursor_out, int *more)
{
	uint64_t main = cursor & MAIN_MASK, progress = cursor >> 32, last;
	int rv, replay;

	if ((rv = cstore_read_begin(s)) != COSO_OK) {
		return rv;
	}
	if (progress > 0) {
		rv = history(s, cadre, today, main, progress - 1, cb, arg,
		    cursor_out, more);
		goto out;
	}
	rv = cstore_pull(s, cadre, self, today, main, UINT64_MAX, 0,
	    PULL_ITEMS_MAX, cb, arg, &last, more);
	if (rv == COSO_OK
	    && (rv = needs_history(s, cadre, today, main, last, &replay))
	        == COSO_OK) {
		*cursor_out = replay ? (UINT64_C(1) << 32) | last : last;
		*more |= replay;
	}
out:
	cstore_read_end(s);
	return rv;
}
