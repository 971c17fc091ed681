/*
 * registry.c: the key registry and every key's chain, derived by the
 * auditor from the log itself: the central key is pinned; every other key
 * exists because an accepted change-set of the central or an admin
 * registered it (a device_key row), and is revoked by an accepted
 * device_key delete or revocation row.  The central's own registry
 * (GET /api/v1/keys) is then compared with this one.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "registry.h"

static size_t
slot_of(const struct registry *g, const uint8_t id[static 32])
{
	uint64_t h;

	memcpy(&h, id, sizeof(h)); /* ids are SHA-256: uniform */
	return (size_t) (h & (g->cap - 1));
}

static int
grow(struct registry *g)
{
	struct registry ng = {.cap = g->cap == 0 ? 64 : g->cap * 2};
	size_t i;

	if ((ng.slot = calloc(ng.cap, sizeof(*ng.slot))) == NULL) {
		return -1;
	}
	for (i = 0; i < g->cap; i++) {
		if (g->slot[i].used) {
			size_t j = slot_of(&ng, g->slot[i].id);

			while (ng.slot[j].used) {
				j = (j + 1) & (ng.cap - 1);
			}
			ng.slot[j] = g->slot[i];
			ng.n++;
		}
	}
	free(g->slot);
	*g = ng;
	return 0;
}

struct rkey *
registry_get(const struct registry *g, const uint8_t id[static 32])
{
	size_t j;

	if (g->cap == 0) {
		return NULL;
	}
	for (j = slot_of(g, id); g->slot[j].used; j = (j + 1) & (g->cap - 1)) {
		if (memcmp(g->slot[j].id, id, 32) == 0) {
			return &g->slot[j];
		}
	}
	return NULL;
}

struct rkey *
registry_add(struct registry *g, const uint8_t pk[static 32])
{
	uint8_t id[32];
	struct rkey *k;
	size_t j;

	coso_keyid_of(id, pk);
	if ((k = registry_get(g, id)) != NULL) {
		return k;
	}
	if ((g->n + 1) * 2 > g->cap && grow(g) != 0) {
		return NULL;
	}
	for (j = slot_of(g, id); g->slot[j].used; j = (j + 1) & (g->cap - 1)) {
	}
	k = &g->slot[j];
	memset(k, 0, sizeof(*k));
	k->used = 1;
	memcpy(k->id, id, 32);
	memcpy(k->pk, pk, 32);
	coso_device_key_row(k->row, id);
	k->next_seq = 1;
	k->enrolled = -1;
	k->revoked  = -1;
	g->n++;
	return k;
}

struct rkey *
registry_by_row(const struct registry *g, const uint8_t row[static 16])
{
	size_t j;

	for (j = 0; j < g->cap; j++) {
		if (g->slot[j].used && memcmp(g->slot[j].row, row, 16) == 0) {
			return &g->slot[j];
		}
	}
	return NULL;
}

void
registry_free(struct registry *g)
{
	free(g->slot);
	memset(g, 0, sizeof(*g));
}

static const struct coso_value *
field(const struct coso_op *op, uint32_t id)
{
	size_t i;

	for (i = 0; i < op->nfields; i++) {
		if (op->fields[i].id == id) {
			return &op->fields[i].v;
		}
	}
	return NULL;
}

/* A device_key upsert: registers a new key here, or updates its role. */
static int
device_key(struct registry *g, const struct coso_op *op, uint64_t index)
{
	const struct coso_value *pk = field(op, COSO_F_DEVICE_KEY_PUBLIC_KEY);
	const struct coso_value *cadre = field(op, COSO_F_DEVICE_KEY_CADRE_ID);
	const struct coso_value *role  = field(op, COSO_F_DEVICE_KEY_ROLE);
	struct rkey *k                 = registry_by_row(g, op->row);

	if (k == NULL && pk != NULL && pk->type == COSO_VBYTES
	    && pk->len == 32) {
		if ((k = registry_add(g, pk->p)) == NULL) {
			return -1;
		}
		k->enrolled = (int64_t) index;
	}
	if (k == NULL || k->role == REG_ROLE_CENTRAL) {
		return 0;
	}
	if (role != NULL && role->type == COSO_VINT) {
		k->role = (int) role->i;
	}
	if (cadre != NULL && cadre->type == COSO_VTEXT
	    && cadre->len < sizeof(k->cadre)) {
		memcpy(k->cadre, cadre->p, cadre->len);
		k->cadre[cadre->len] = '\0';
	}
	return 0;
}

static void
revoke(struct rkey *k, uint64_t index)
{
	if (k != NULL && k->revoked < 0 && k->role != REG_ROLE_CENTRAL) {
		k->revoked = (int64_t) index;
	}
}

int
registry_apply(
    struct registry *g, const uint8_t *body, size_t len, uint64_t index)
{
	struct coso_ops *ops = NULL;
	const struct coso_value *v;
	size_t i;
	int rv = 0;

	if (coso_ops_decode(&ops, body, len) != COSO_OK) {
		return 0; /* an accepted body always decodes: judged elsewhere
		           */
	}
	for (i = 0; rv == 0 && i < ops->nops; i++) {
		const struct coso_op *op = &ops->ops[i];

		if (op->table == COSO_T_DEVICE_KEY
		    && op->kind == COSO_UPSERT) {
			rv = device_key(g, op, index);
		} else if (op->table == COSO_T_DEVICE_KEY) {
			revoke(registry_by_row(g, op->row), index);
		} else if (op->table == COSO_T_REVOCATION
		    && (v = field(op, COSO_F_REVOCATION_KEY_ID)) != NULL
		    && v->type == COSO_VBYTES && v->len == 32) {
			revoke(registry_get(g, v->p), index);
		}
	}
	coso_ops_free(ops);
	return rv;
}
