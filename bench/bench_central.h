/*
 * bench_central.h: building a central database through the central's own
 * merge code, for the benchmarks that need one at province scale
 * (bench_audit, bench_report; bench only, everything static).
 */
#ifndef COSO_BENCH_CENTRAL_H
#define COSO_BENCH_CENTRAL_H

#include <coso/proto.h>

#include "../daemon/central/store.h"
#include "../daemon/central/emit.h"
#include "../daemon/central/merge.h"
#include "bench_common.h"

/* A signing device: its key and its chain. */
struct bench_dev {
	struct coso_key *key;
	uint8_t id[32], prev[32];
	uint64_t seq;
};

static inline void
bench_must(int rv, const char *what)
{
	if (rv != COSO_OK) {
		bench_die("%s: %s", what, coso_strerror(rv));
	}
}

/* The key of number n; tag keeps each benchmark's keys its own (and its
 * cached database valid). */
static inline struct coso_key *
bench_key(uint32_t n, uint8_t tag)
{
	struct coso_key *k = NULL;
	uint8_t seed[32];

	memset(seed, 0, sizeof(seed));
	memcpy(seed, &n, sizeof(n));
	seed[31] = tag;
	bench_must(coso_key_from_seed(&k, seed), "key");
	return k;
}

static inline void
bench_text(struct coso_body *b, uint32_t f, const char *s)
{
	bench_must(coso_body_text(b, f, s, strlen(s)), "text");
}

/* Signs b as d's next change-set (HLC wall time hlc_ms) and merges it as
 * received at recv; dies unless it is accepted.  b is reset. */
static inline void
bench_push(const struct merge_ctx *m, struct bench_dev *d, struct coso_body *b,
    uint64_t hlc_ms, uint64_t recv)
{
	struct merge_in in = {.received_ms = recv};
	struct merge_out out;
	uint8_t *body = NULL, *cs = NULL;
	size_t blen, len;

	bench_must(coso_body_encode(b, &body, &blen), "encode");
	d->seq++;
	bench_must(coso_changeset_sign(&cs, &len, d->key, d->seq, d->prev,
	               (hlc_ms << 16) + (d->seq & 0xffff), body, blen),
	    "sign");
	coso_changeset_id(d->prev, cs, len);
	in.cs  = cs;
	in.len = len;
	memcpy(in.sender, d->id, 32);
	bench_must(merge_changeset(m, &in, &out), "merge");
	if (out.verdict != COSO_VERDICT_ACCEPTED) {
		bench_die("change-set not accepted: %s",
		    merge_reason_name(out.reason));
	}
	free(body);
	free(cs);
	coso_body_reset(b);
}

/* In an open transaction of a fresh database: the settings `cosod central
 * init` writes, the central key and the admin key. */
static inline void
bench_central_init(const struct merge_ctx *m, const struct bench_dev *admin,
    const char *origin, uint64_t t0)
{
	struct merge_out out;
	uint8_t pk[32];
	char *pub = NULL;

	coso_key_public(m->central, pk);
	bench_must(coso_pubkey_format(&pub, pk), "pub");
	bench_must(cstore_meta_set(m->s, "central_pk", pub), "meta");
	bench_must(cstore_meta_set(m->s, "origin", origin), "meta");
	bench_must(cstore_meta_set(m->s, "created_ms", "0"), "meta");
	bench_must(emit_bootstrap(m->s, pk), "bootstrap");
	coso_key_public(admin->key, pk);
	bench_must(
	    emit_device_key(m, pk, "admin", CSTORE_ROLE_ADMIN, NULL, t0, &out),
	    "admin");
	free(pub);
}

/* Registers devs[0 .. n - 1] as the field keys of cadres cb-0000 ... */
static inline void
bench_enroll(const struct merge_ctx *m, const struct bench_dev *devs, size_t n,
    uint64_t t0)
{
	struct merge_out out;
	uint8_t pk[32];
	char cadre[32];
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(cadre, sizeof(cadre), "cb-%04zu", i);
		coso_key_public(devs[i].key, pk);
		bench_must(emit_device_key(m, pk, cadre, CSTORE_ROLE_FIELD,
		               NULL, t0, &out),
		    "enroll");
	}
}

#endif /* COSO_BENCH_CENTRAL_H */
