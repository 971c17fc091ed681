/*
 * api.c: reading the central's HTTP API (docs/central.md, "HTTP API")
 * into plain structs.  Every field is checked for type, size and range;
 * an answer that is not what the API promises is AUDIT_BAD with the
 * reason, which the auditor reports as an anomaly of the central.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "audit.h"

#define SMALL_MAX (1024u * 1024u)        /* keys, proofs, digest */
#define PAGE_MAX  (256u * 1024u * 1024u) /* one page of entries */
#define NOTE_MAX  COSO_NOTE_MAX

static int
bad(char *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, AUDIT_ERR_MAX, fmt, ap);
	va_end(ap);
	return AUDIT_BAD;
}

/* GET and parse a JSON object. */
static int
get_json(
    struct fetch *f, const char *path, size_t max, json_t **out, char *err)
{
	json_error_t je;
	char *body = NULL;
	size_t len;
	int rv = fetch_get(f, path, max, &body, &len);

	if (rv != AUDIT_OK) {
		snprintf(err, AUDIT_ERR_MAX, "%s", f->err);
		return rv;
	}
	*out = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
	free(body);
	if (*out == NULL || !json_is_object(*out)) {
		json_decref(*out);
		return bad(err, "%s: not a JSON object (%s)", path, je.text);
	}
	return AUDIT_OK;
}

static int
get_u64(const json_t *o, const char *key, uint64_t *v)
{
	json_t *j = json_object_get(o, key);

	if (!json_is_integer(j) || json_integer_value(j) < 0) {
		return -1;
	}
	*v = (uint64_t) json_integer_value(j);
	return 0;
}

/* A position or null (-1). */
static int
get_pos(const json_t *o, const char *key, int64_t *v)
{
	json_t *j = json_object_get(o, key);

	if (json_is_null(j)) {
		*v = -1;
		return 0;
	}
	if (!json_is_integer(j) || json_integer_value(j) < 0) {
		return -1;
	}
	*v = (int64_t) json_integer_value(j);
	return 0;
}

static int
get_hex32(const json_t *o, const char *key, uint8_t out[static 32])
{
	const char *s = json_string_value(json_object_get(o, key));
	size_t n;

	if (s == NULL || strlen(s) != 64
	    || sodium_hex2bin(out, 32, s, 64, NULL, &n, NULL) != 0
	    || n != 32) {
		return -1;
	}
	return 0;
}

/* Base64 of at most max bytes from a JSON string. */
static int
b64(const json_t *j, uint8_t *out, size_t max, size_t *len)
{
	const char *s = json_string_value(j);

	if (s == NULL
	    || sodium_base642bin(out, max, s, json_string_length(j), NULL, len,
	           NULL, sodium_base64_VARIANT_ORIGINAL)
	        != 0) {
		return -1;
	}
	return 0;
}

static int
get_hash(const json_t *o, const char *key, uint8_t out[static 32])
{
	size_t n;

	return b64(json_object_get(o, key), out, 32, &n) != 0 || n != 32 ? -1
	                                                                 : 0;
}

int
api_checkpoint(struct fetch *f, char **note, size_t *len)
{
	int rv = fetch_get(f, "/checkpoint", NOTE_MAX, note, len);

	return rv;
}

/* One stored checkpoint: its size (ascending from *next on) and note. */
static int
note_of(const json_t *o, uint64_t *next, struct api_note *c)
{
	json_t *j = json_object_get(o, "note");
	size_t len;

	if (!json_is_object(o) || get_u64(o, "size", &c->size) != 0
	    || c->size < *next || !json_is_string(j)) {
		return -1;
	}
	len = json_string_length(j);
	if (len == 0 || len > COSO_NOTE_MAX
	    || (c->note = malloc(len + 1)) == NULL) {
		return -1;
	}
	memcpy(c->note, json_string_value(j), len);
	c->note[len] = '\0';
	c->len       = len;
	*next        = c->size + 1;
	return 0;
}

int
api_checkpoints(struct fetch *f, uint64_t from, size_t count,
    struct api_notes *out, char err[static AUDIT_ERR_MAX])
{
	char path[128];
	json_t *o     = NULL, *list;
	uint64_t next = from;
	size_t i;
	int rv;

	memset(out, 0, sizeof(*out));
	snprintf(path, sizeof(path),
	    "/api/v1/checkpoints?from=%" PRIu64 "&count=%zu", from, count);
	if ((rv = get_json(f, path, SMALL_MAX * 16u, &o, err)) != AUDIT_OK) {
		return rv;
	}
	list = json_object_get(o, "checkpoints");
	if (get_u64(o, "tree_size", &out->tree_size) != 0
	    || !json_is_array(list) || json_array_size(list) > count) {
		json_decref(o);
		return bad(err, "%s: not a list of checkpoints", path);
	}
	out->c = calloc(json_array_size(list) + 1, sizeof(*out->c));
	if (out->c == NULL) {
		json_decref(o);
		return AUDIT_MEM;
	}
	for (i = 0; i < json_array_size(list); i++) {
		if (note_of(json_array_get(list, i), &next, &out->c[i]) != 0) {
			json_decref(o);
			return bad(err,
			    "%s: checkpoint %zu is malformed or out of order",
			    path, i);
		}
		out->n++;
	}
	json_decref(o);
	return AUDIT_OK;
}

void
api_notes_free(struct api_notes *p)
{
	size_t i;

	for (i = 0; p->c != NULL && i < p->n; i++) {
		free(p->c[i].note);
	}
	free(p->c);
	memset(p, 0, sizeof(*p));
}

/* The change-set of an entry, malloc'd. */
static int
entry_cs(const json_t *o, struct api_entry *e)
{
	json_t *j     = json_object_get(o, "changeset");
	size_t maxlen = json_string_length(j) / 4 * 3 + 3;

	if (!json_is_string(j) || maxlen > COSO_CS_MAX + 3) {
		return -1;
	}
	if ((e->cs = malloc(maxlen)) == NULL) {
		return -1;
	}
	return b64(j, e->cs, maxlen, &e->cs_len);
}

static int
entry_of(const json_t *o, struct api_entry *e)
{
	uint64_t v, r;

	memset(e, 0, sizeof(*e));
	if (!json_is_object(o) || get_u64(o, "index", &e->index) != 0
	    || get_hex32(o, "id", e->id) != 0
	    || get_hex32(o, "sender", e->sender) != 0
	    || get_u64(o, "received_ms", &e->received_ms) != 0
	    || get_u64(o, "verdict", &v) != 0 || v > 255
	    || get_u64(o, "reason", &r) != 0 || r > 65535
	    || b64(json_object_get(o, "leaf"), e->leaf, sizeof(e->leaf),
	           &e->leaf_len)
	        != 0
	    || get_hash(o, "leaf_hash", e->leaf_hash) != 0) {
		return -1;
	}
	e->verdict = (int) v;
	e->reason  = (int) r;
	return entry_cs(o, e);
}

int
api_entries(struct fetch *f, uint64_t start, size_t count,
    struct api_page *out, char err[static AUDIT_ERR_MAX])
{
	char path[128];
	json_t *o = NULL, *list;
	size_t i;
	int rv;

	memset(out, 0, sizeof(*out));
	snprintf(path, sizeof(path),
	    "/api/v1/entries?start=%" PRIu64 "&count=%zu", start, count);
	if ((rv = get_json(f, path, PAGE_MAX, &o, err)) != AUDIT_OK) {
		return rv;
	}
	list = json_object_get(o, "entries");
	if (get_u64(o, "start", &out->start) != 0
	    || get_u64(o, "tree_size", &out->tree_size) != 0
	    || !json_is_array(list) || json_array_size(list) > count) {
		json_decref(o);
		return bad(err, "%s: not an entries page", path);
	}
	out->e = calloc(json_array_size(list) + 1, sizeof(*out->e));
	if (out->e == NULL) {
		json_decref(o);
		return AUDIT_MEM;
	}
	for (i = 0; i < json_array_size(list); i++) {
		out->n++;
		if (entry_of(json_array_get(list, i), &out->e[i]) != 0) {
			json_decref(o);
			return bad(err, "%s: entry %zu is malformed", path, i);
		}
	}
	json_decref(o);
	return AUDIT_OK;
}

void
api_page_free(struct api_page *p)
{
	size_t i;

	for (i = 0; p->e != NULL && i < p->n; i++) {
		free(p->e[i].cs);
	}
	free(p->e);
	memset(p, 0, sizeof(*p));
}

int
api_consistency(struct fetch *f, uint64_t from, uint64_t to,
    uint8_t proof[COSO_PROOF_MAX][32], size_t *count,
    char err[static AUDIT_ERR_MAX])
{
	char path[128];
	json_t *o = NULL, *list;
	size_t i, n;
	int rv;

	snprintf(path, sizeof(path),
	    "/api/v1/proof/consistency?from=%" PRIu64 "&to=%" PRIu64, from,
	    to);
	if ((rv = get_json(f, path, SMALL_MAX, &o, err)) != AUDIT_OK) {
		return rv;
	}
	list = json_object_get(o, "proof");
	rv   = json_is_array(list) && json_array_size(list) <= COSO_PROOF_MAX
	      ? AUDIT_OK
	      : bad(err, "%s: no proof in the answer", path);
	for (i = 0; rv == AUDIT_OK && i < json_array_size(list); i++) {
		if (b64(json_array_get(list, i), proof[i], 32, &n) != 0
		    || n != 32) {
			rv = bad(err, "%s: hash %zu is malformed", path, i);
		}
	}
	*count = json_array_size(list);
	json_decref(o);
	return rv;
}

static const char *const roles[] = {NULL, "field", "admin", "central"};

static int
key_of(const json_t *o, struct api_key *k)
{
	const char *role  = json_string_value(json_object_get(o, "role"));
	const char *cadre = json_string_value(json_object_get(o, "cadre_id"));
	size_t n;
	int i;

	memset(k, 0, sizeof(*k));
	if (!json_is_object(o) || get_hex32(o, "key_id", k->key_id) != 0
	    || b64(json_object_get(o, "public_key"), k->pk, 32, &n) != 0
	    || n != 32 || get_pos(o, "enrolled", &k->enrolled) != 0
	    || get_pos(o, "revoked", &k->revoked) != 0 || role == NULL
	    || cadre == NULL || strlen(cadre) > COSO_WIRE_STR_MAX) {
		return -1;
	}
	for (i = 1; i <= 3; i++) {
		if (strcmp(role, roles[i]) == 0) {
			k->role = i;
		}
	}
	snprintf(k->cadre, sizeof(k->cadre), "%s", cadre);
	return k->role != 0 ? 0 : -1;
}

int
api_keys(struct fetch *f, struct api_keys *out, char err[static AUDIT_ERR_MAX])
{
	json_t *o = NULL, *list;
	size_t i;
	int rv;

	memset(out, 0, sizeof(*out));
	if ((rv = get_json(f, "/api/v1/keys", 64u * SMALL_MAX, &o, err))
	    != AUDIT_OK) {
		return rv;
	}
	list = json_object_get(o, "keys");
	if (!json_is_array(list)) {
		json_decref(o);
		return bad(err, "/api/v1/keys: no key list in the answer");
	}
	out->k = calloc(json_array_size(list) + 1, sizeof(*out->k));
	if (out->k == NULL) {
		json_decref(o);
		return AUDIT_MEM;
	}
	for (i = 0; i < json_array_size(list); i++, out->n++) {
		if (key_of(json_array_get(list, i), &out->k[i]) != 0) {
			json_decref(o);
			return bad(
			    err, "/api/v1/keys: key %zu is malformed", i);
		}
	}
	json_decref(o);
	return AUDIT_OK;
}

void
api_keys_free(struct api_keys *k)
{
	free(k->k);
	memset(k, 0, sizeof(*k));
}

static int
tables_of(const json_t *o, struct api_tables *t)
{
	const char *name;
	json_t *v;

	memset(t, 0, sizeof(*t));
	if (!json_is_object(o) || json_object_size(o) > API_TABLES_MAX) {
		return -1;
	}
	json_object_foreach((json_t *) o, name, v)
	{
		const char *hex = json_string_value(v);

		if (strlen(name) >= sizeof(t->name[0]) || hex == NULL
		    || strlen(hex) != 64) {
			return -1;
		}
		snprintf(t->name[t->n], sizeof(t->name[0]), "%s", name);
		snprintf(t->hex[t->n], sizeof(t->hex[0]), "%s", hex);
		t->n++;
	}
	return 0;
}

int
api_digest(struct fetch *f, uint64_t *size, char hex[static 65],
    struct api_tables *tables, char err[static AUDIT_ERR_MAX])
{
	uint8_t d[32];
	json_t *o = NULL;
	int rv;

	if ((rv = get_json(f, "/api/v1/digest", SMALL_MAX, &o, err))
	    != AUDIT_OK) {
		return rv;
	}
	if (get_u64(o, "tree_size", size) != 0
	    || get_hex32(o, "digest", d) != 0
	    || tables_of(json_object_get(o, "tables"), tables) != 0) {
		json_decref(o);
		return bad(err, "/api/v1/digest: malformed answer");
	}
	sodium_bin2hex(hex, 65, d, 32);
	json_decref(o);
	return AUDIT_OK;
}
