/*
 * entries.c: the log export file (FORMAT.md, "Entries file"): the log
 * entries an auditor downloaded, in the form `cosod central rebuild
 * --entries` replays.  Fixed-size heads, big-endian integers; every
 * length is checked against its limit before anything is read past it.
 */
#include <assert.h>
#include <string.h>

#include "proto_int.h"

#define MAGIC_LEN (sizeof(COSO_ENTRIES_MAGIC) - 1)

/* Offsets in an entry head. */
#define E_INDEX   0u
#define E_MS      8u
#define E_SENDER  16u
#define E_VERDICT 48u
#define E_REASON  49u
#define E_LEN     51u

_Static_assert(E_LEN + 4 == COSO_ENTRY_HEAD, "entry head size");

static int
origin_ok(const uint8_t *p, size_t len)
{
	size_t i;

	if (len == 0 || len > COSO_ORIGIN_MAX) {
		return 0;
	}
	for (i = 0; i < len; i++) {
		if (p[i] < 0x21 || p[i] == 0x7f || p[i] == '+') {
			return 0; /* no space, control or '+': a key name */
		}
	}
	return 1;
}

int
coso_entries_header_encode(uint8_t *out, size_t *len,
    const uint8_t central_pk[static 32], const char *origin)
{
	size_t n = origin != NULL ? strlen(origin) : 0;

	assert(out != NULL && len != NULL);
	if (!origin_ok((const uint8_t *) origin, n)) {
		return COSO_EINVAL;
	}
	memcpy(out, COSO_ENTRIES_MAGIC, MAGIC_LEN);
	memcpy(out + MAGIC_LEN, central_pk, 32);
	out[MAGIC_LEN + 32] = (uint8_t) (n >> 8);
	out[MAGIC_LEN + 33] = (uint8_t) n;
	memcpy(out + MAGIC_LEN + 34, origin, n);
	*len = MAGIC_LEN + 34 + n;
	return COSO_OK;
}

int
coso_entries_header_decode(const uint8_t *buf, size_t len,
    uint8_t central_pk[static 32], char origin[static COSO_ORIGIN_MAX + 1],
    size_t *used)
{
	size_t n;

	if (len < MAGIC_LEN) {
		return COSO_ETRUNC;
	}
	if (memcmp(buf, COSO_ENTRIES_MAGIC, MAGIC_LEN) != 0) {
		return COSO_EVERSION;
	}
	if (len < MAGIC_LEN + 34) {
		return COSO_ETRUNC;
	}
	n = ((size_t) buf[MAGIC_LEN + 32] << 8) | buf[MAGIC_LEN + 33];
	if (n > COSO_ORIGIN_MAX) {
		return COSO_ETOOBIG;
	}
	if (len < MAGIC_LEN + 34 + n) {
		return COSO_ETRUNC;
	}
	if (!origin_ok(buf + MAGIC_LEN + 34, n)) {
		return COSO_EINVAL;
	}
	memcpy(central_pk, buf + MAGIC_LEN, 32);
	memcpy(origin, buf + MAGIC_LEN + 34, n);
	origin[n] = '\0';
	*used     = MAGIC_LEN + 34 + n;
	return COSO_OK;
}

void
coso_entry_head_encode(
    uint8_t out[static COSO_ENTRY_HEAD], const struct coso_entry *e)
{
	assert(e->cs_len <= COSO_CS_MAX);
	cosoi_put_u64(out + E_INDEX, e->index);
	cosoi_put_u64(out + E_MS, e->received_ms);
	memcpy(out + E_SENDER, e->sender, 32);
	out[E_VERDICT]    = e->verdict;
	out[E_REASON]     = (uint8_t) (e->reason >> 8);
	out[E_REASON + 1] = (uint8_t) e->reason;
	cosoi_put_u32(out + E_LEN, (uint32_t) e->cs_len);
}

int
coso_entry_head_decode(
    struct coso_entry *e, const uint8_t head[static COSO_ENTRY_HEAD])
{
	uint32_t n = cosoi_get_u32(head + E_LEN);
	uint8_t v  = head[E_VERDICT];

	/* Only entries that reached the log are exported. */
	if (v != COSO_VERDICT_ACCEPTED && v != COSO_VERDICT_QUARANTINED) {
		return COSO_ESCHEMA;
	}
	if (n > COSO_CS_MAX) {
		return COSO_ETOOBIG;
	}
	if (n < COSO_CS_OVERHEAD) {
		return COSO_ETRUNC;
	}
	e->index       = cosoi_get_u64(head + E_INDEX);
	e->received_ms = cosoi_get_u64(head + E_MS);
	memcpy(e->sender, head + E_SENDER, 32);
	e->verdict = v;
	e->reason  = (uint16_t) ((head[E_REASON] << 8) | head[E_REASON + 1]);
	e->cs      = NULL;
	e->cs_len  = n;
	return COSO_OK;
}
