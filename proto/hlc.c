/*
 * hlc.c: the hybrid logical clock (Kulkarni et al., 2014).
 *
 * A value is (ms << 16) | counter.  The clock follows the wall clock when
 * it moves forward and counts within the last millisecond when it does not,
 * so a device whose clock is set back keeps issuing increasing stamps.  When
 * the counter would overflow, the clock borrows the next millisecond rather
 * than fail: the stamp runs at most 1 ms per 65536 events ahead of the wall.
 */
#include <time.h>

#include <coso/proto.h>

/* The smallest stamp strictly greater than both last and (wall_ms, 0). */
static int
advance(uint64_t last, uint64_t wall_ms, uint64_t *out)
{
	uint64_t wall;

	if (wall_ms > COSO_HLC_MS_MAX) {
		return COSO_ECLOCK;
	}
	wall = wall_ms << 16;
	if (wall > last) {
		*out = wall;
		return COSO_OK;
	}
	if (last == UINT64_MAX) {
		return COSO_ECLOCK;
	}
	*out = last + 1;
	return COSO_OK;
}

int
coso_hlc_now(struct coso_hlc *hlc, uint64_t wall_ms, uint64_t *out)
{
	uint64_t next;
	int rv;

	if ((rv = advance(hlc->last, wall_ms, &next)) != COSO_OK) {
		return rv;
	}
	hlc->last = next;
	*out      = next;
	return COSO_OK;
}

int
coso_hlc_recv(
    struct coso_hlc *hlc, uint64_t wall_ms, uint64_t remote, uint64_t *out)
{
	uint64_t base = hlc->last > remote ? hlc->last : remote;
	uint64_t next;
	int rv;

	if ((rv = advance(base, wall_ms, &next)) != COSO_OK) {
		return rv;
	}
	hlc->last = next;
	*out      = next;
	return COSO_OK;
}

uint64_t
coso_wall_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0) {
		return 0;
	}
	return (uint64_t) ts.tv_sec * 1000u + (uint64_t) ts.tv_nsec / 1000000u;
}
