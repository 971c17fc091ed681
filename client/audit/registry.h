/*
 * registry.h: the key registry the auditor derives from the log
 * (registry.c), with each key's chain state.
 */
#ifndef COSO_AUDIT_REGISTRY_H
#define COSO_AUDIT_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include <coso/proto.h>

enum {
	REG_ROLE_FIELD   = 1,
	REG_ROLE_ADMIN   = 2,
	REG_ROLE_CENTRAL = 3,
};

struct rkey {
	int used;
	uint8_t id[32]; /* SHA-256 of pk */
	uint8_t pk[32];
	uint8_t row[16]; /* its device_key row id */
	int role;
	char cadre[COSO_WIRE_STR_MAX + 1];
	int64_t enrolled; /* log index of its registration; -1: central */
	int64_t revoked;  /* log index of its revocation; -1: none */
	uint64_t next_seq;
	uint8_t head[32]; /* id of its last change-set on the chain */
	int matched;      /* seen in the central's registry (check.c) */
};

/* Open addressing by key id; cap is a power of two. */
struct registry {
	struct rkey *slot;
	size_t cap, n;
};

struct rkey *registry_get(
    const struct registry *g, const uint8_t id[static 32]);
/* Adds pk (or returns it if present); NULL if out of memory. */
struct rkey *registry_add(struct registry *g, const uint8_t pk[static 32]);
struct rkey *registry_by_row(
    const struct registry *g, const uint8_t row[static 16]);
void registry_free(struct registry *g);

/* The registry effects of an accepted change-set's body at index (from
 * the central or an admin): device_key upserts and deletes, revocations.
 * -1 if out of memory. */
int registry_apply(
    struct registry *g, const uint8_t *body, size_t len, uint64_t index);

#endif /* COSO_AUDIT_REGISTRY_H */
