/*
 * digest.c: SHA-256 over the materialised tables in a canonical order.
 *
 *   "coso/digest/v1" 0x00, then for each table in the order below
 *   (sorted by name, bytewise):
 *     'T' | u32 len | name | u32 ncols | (u32 len | column name)*
 *     then each row, in primary-key order:
 *       'R' | value*   where a value is
 *         0x00                          null
 *         0x01 | i64 big-endian         integer
 *         0x02 | u32 len | bytes        text (UTF-8)
 *         0x03 | u32 len | bytes        blob
 *     'E' | u64 row count
 *
 * The log (changesets), the key registry (authors), the conflicts
 * record and the PULL index are not state but history or indexes of it,
 * and stay out: conflicts depend on arrival order by nature, while the
 * state must not.
 */
#include <string.h>

#include <sodium.h>

#include "digest.h"

#define CONTEXT "coso/digest/v1"

static const struct {
	const char *name, *order;
} tables[] = {
    {"assignments", "id"},
    {"cadres", "id"},
    {"console_access", "id"},
    {"device_keys", "id"},
    {"handovers", "id"},
    {"lww", "tbl, row, field"},
    {"outcomes", "id"},
    {"proposals", "id"},
    {"reports", "id"},
    {"responses", "id"},
    {"revocations", "id"},
    {"schedules", "id"},
    {"sectors", "id"},
    {"teams", "id"},
    {"tokens", "id"},
    {"unit_moves", "id"},
    {"units", "id"},
    {"visits", "id"},
};

struct dstate {
	crypto_hash_sha256_state h, t; /* the whole state; this table */
	uint64_t rows;
};

/* Every byte goes into the state's hash and the table's. */
static void
upd(struct dstate *d, const uint8_t *p, size_t n)
{
	crypto_hash_sha256_update(&d->h, p, n);
	crypto_hash_sha256_update(&d->t, p, n);
}

static void
put_u32(struct dstate *d, uint32_t v)
{
	uint8_t b[4] = {(uint8_t) (v >> 24), (uint8_t) (v >> 16),
	    (uint8_t) (v >> 8), (uint8_t) v};

	upd(d, b, 4);
}

static void
put_u64(struct dstate *d, uint64_t v)
{
	put_u32(d, (uint32_t) (v >> 32));
	put_u32(d, (uint32_t) v);
}

static void
put_tag(struct dstate *d, uint8_t tag)
{
	upd(d, &tag, 1);
}

static void
put_str(struct dstate *d, const void *p, size_t len)
{
	put_u32(d, (uint32_t) len);
	upd(d, p, len);
}

static int
on_header(void *arg, size_t ncols, const char *const *names)
{
	struct dstate *d = arg;
	size_t i;

	put_u32(d, (uint32_t) ncols);
	for (i = 0; i < ncols; i++) {
		put_str(d, names[i], strlen(names[i]));
	}
	return COSO_OK;
}

static int
on_row(void *arg, size_t ncols, const struct coso_value *v)
{
	struct dstate *d = arg;
	size_t i;

	put_tag(d, 'R');
	for (i = 0; i < ncols; i++) {
		put_tag(d, (uint8_t) v[i].type);
		if (v[i].type == COSO_VINT) {
			put_u64(d, (uint64_t) v[i].i);
		} else if (v[i].type != COSO_VNULL) {
			put_str(d,
			    v[i].len > 0 ? v[i].p : (const uint8_t *) "",
			    v[i].len);
		}
	}
	d->rows++;
	return COSO_OK;
}

const char *
digest_table_name(size_t i)
{
	return i < DIGEST_TABLES ? tables[i].name : NULL;
}

int
digest_compute_tables(
    struct central_store *s, uint8_t out[static 32], uint8_t (*per)[32])
{
	struct dstate d;
	struct cstore_scan cb = {on_header, on_row, &d};
	size_t i;
	int rv;

	_Static_assert(sizeof(tables) / sizeof(tables[0]) == DIGEST_TABLES,
	    "digest tables");
	crypto_hash_sha256_init(&d.h);
	crypto_hash_sha256_update(
	    &d.h, (const uint8_t *) CONTEXT, sizeof(CONTEXT));
	for (i = 0; i < DIGEST_TABLES; i++) {
		crypto_hash_sha256_init(&d.t);
		crypto_hash_sha256_update(
		    &d.t, (const uint8_t *) CONTEXT, sizeof(CONTEXT));
		put_tag(&d, 'T');
		put_str(&d, tables[i].name, strlen(tables[i].name));
		d.rows = 0;
		rv     = cstore_scan(s, tables[i].name, tables[i].order, &cb);
		if (rv != COSO_OK) {
			return rv;
		}
		put_tag(&d, 'E');
		put_u64(&d, d.rows);
		if (per != NULL) {
			crypto_hash_sha256_final(&d.t, per[i]);
		}
	}
	crypto_hash_sha256_final(&d.h, out);
	return COSO_OK;
}

int
digest_compute(struct central_store *s, uint8_t out[static 32])
{
	return digest_compute_tables(s, out, NULL);
}

void
digest_hex(char out[static DIGEST_HEX], const uint8_t d[static 32])
{
	sodium_bin2hex(out, DIGEST_HEX, d, 32);
}
