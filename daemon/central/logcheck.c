/*
 * logcheck.c: the log against its signed checkpoints (logcheck.h).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "logcheck.h"

#define B64_32 sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)

static int differs(char *errmsg, int rv, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A difference: rv with the sentence in errmsg. */
static int
differs(char *errmsg, int rv, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errmsg, CSTORE_ERRMSG_MAX, fmt, ap);
	va_end(ap);
	return rv;
}

/* A store failure: its own sentence.  A tree hash that is not stored
 * (COSO_ENOENT from the tree source) is a difference, not a failure. */
static int
store_fail(struct central_store *s, int rv, char *errmsg)
{
	snprintf(errmsg, CSTORE_ERRMSG_MAX, "%s",
	    rv == COSO_EIO || rv == COSO_ENOENT ? cstore_errmsg(s)
	                                        : coso_strerror(rv));
	return rv == COSO_ENOENT ? COSO_EINVAL : rv;
}

static const char *
b64_root(char out[static B64_32], const uint8_t root[static 32])
{
	sodium_bin2base64(
	    out, B64_32, root, 32, sodium_base64_VARIANT_ORIGINAL);
	return out;
}

/* The key and the key name (= origin, malloc'd) the checkpoints are
 * signed under. */
static int
identity(struct central_store *s, uint8_t pk[static 32], char **origin,
    char *errmsg)
{
	char *text = NULL;
	int rv     = cstore_meta_get(s, "central_pk", &text);

	if (rv == COSO_OK) {
		rv = coso_pubkey_parse(pk, text, strlen(text));
		if (rv != COSO_OK) {
			free(text);
			return differs(errmsg, rv,
			    "the central key in the settings is damaged: %s",
			    coso_strerror(rv));
		}
		rv = cstore_meta_get(s, "origin", origin);
	}
	free(text);
	if (rv == COSO_ENOENT) {
		return differs(errmsg, COSO_EINVAL,
		    "the settings name no central key or no origin");
	}
	return rv == COSO_OK ? COSO_OK : store_fail(s, rv, errmsg);
}

int
logcheck_vkey(struct central_store *s, char **vkey,
    char errmsg[static CSTORE_ERRMSG_MAX])
{
	uint8_t pk[32];
	char *origin = NULL;
	int rv       = identity(s, pk, &origin, errmsg);

	if (rv == COSO_OK
	    && (rv = coso_note_vkey_format(vkey, origin, pk)) != COSO_OK) {
		differs(
		    errmsg, rv, "the origin `%s' is not a key name", origin);
	}
	free(origin);
	return rv;
}

/* The note stored under size, verified; cp filled. */
static int
note_check(const char *note, uint64_t size, const char *origin,
    const uint8_t pk[static 32], struct coso_checkpoint *cp, char *errmsg)
{
	int rv = coso_checkpoint_verify(cp, note, strlen(note), origin, pk);

	if (rv != COSO_OK) {
		return differs(errmsg, rv,
		    "the checkpoint stored for %" PRIu64
		    " entries does not verify with the central key: %s",
		    size, coso_strerror(rv));
	}
	if (cp->size != size) {
		return differs(errmsg, COSO_EINVAL,
		    "the checkpoint stored for %" PRIu64 " entries is signed "
		    "for %" PRIu64,
		    size, cp->size);
	}
	return COSO_OK;
}

/* ---- run: at start --------------------------------------------------------
 */

/* The leaf of a stored entry, hashed again from its row. */
static int
row_leaf(const struct cstore_logrow *r, uint8_t lh[static 32], char *errmsg)
{
	struct coso_leaf l = {.seq = r->seq,
	    .received_ms           = r->received_ms,
	    .verdict               = (uint8_t) r->verdict};
	struct coso_changeset cs;
	uint8_t id[32], data[COSO_LEAF_BYTES];

	coso_changeset_id(id, r->bytes, r->len);
	if (memcmp(id, r->id, 32) != 0) {
		return differs(errmsg, COSO_EINVAL,
		    "entry %" PRIu64 ": its bytes do not hash to its id",
		    r->position);
	}
	/* A quarantined entry may be malformed: its row then names it. */
	if (coso_changeset_peek(&cs, r->bytes, r->len) == COSO_OK
	    && (memcmp(cs.author, r->author, 32) != 0 || cs.seq != r->seq)) {
		return differs(errmsg, COSO_EINVAL,
		    "entry %" PRIu64 ": its author or seq is not that of "
		    "its change-set",
		    r->position);
	}
	memcpy(l.cs_id, r->id, 32);
	memcpy(l.author, r->author, 32);
	coso_leaf_encode(data, &l);
	coso_leaf_hash(lh, data, sizeof(data));
	return COSO_OK;
}

/* One of the last entries: its leaf, stored and recomputed, appended. */
static int
tail_entry(struct central_store *s, const struct coso_tree_src *src,
    uint64_t pos, struct coso_frontier *f, char *errmsg)
{
	struct cstore_logrow r;
	uint8_t lh[32], stored[32];
	int rv = cstore_log_get(s, pos, &r);

	if (rv == COSO_ENOENT) {
		return differs(
		    errmsg, COSO_EINVAL, "entry %" PRIu64 " is missing", pos);
	}
	if (rv != COSO_OK) {
		return store_fail(s, rv, errmsg);
	}
	rv = row_leaf(&r, lh, errmsg);
	free(r.bytes);
	if (rv != COSO_OK) {
		return rv;
	}
	if ((rv = src->subtree(src->arg, pos, 1, stored)) != COSO_OK) {
		return store_fail(s, rv, errmsg);
	}
	if (memcmp(stored, lh, 32) != 0) {
		return differs(errmsg, COSO_EINVAL,
		    "entry %" PRIu64 ": its row does not give the leaf stored "
		    "in the tree",
		    pos);
	}
	return coso_frontier_append(f, lh, NULL, NULL);
}

/* The newest entries hashed again up to the signed root. */
static int
tail_check(
    struct central_store *s, const struct coso_checkpoint *cp, char *errmsg)
{
	uint64_t k = cp->size < LOGCHECK_TAIL ? cp->size : LOGCHECK_TAIL, pos;
	struct coso_tree_src src;
	struct coso_frontier f;
	uint8_t root[32];
	int rv;

	cstore_tree_src(s, &src);
	if ((rv = coso_frontier_load(&f, &src, cp->size - k)) != COSO_OK) {
		return store_fail(s, rv, errmsg);
	}
	for (pos = cp->size - k; pos < cp->size; pos++) {
		if ((rv = tail_entry(s, &src, pos, &f, errmsg)) != COSO_OK) {
			return rv;
		}
	}
	coso_frontier_root(&f, root);
	if (memcmp(root, cp->root, 32) != 0) {
		return differs(errmsg, COSO_EINVAL,
		    "the last %" PRIu64 " entries, hashed again, do not give "
		    "the signed root",
		    k);
	}
	return COSO_OK;
}

/* Sizes: the signed one against the log's positions and entries. */
static int
size_check(struct central_store *s, uint64_t signed_size, char *errmsg)
{
	uint64_t next, count;
	int rv;

	if ((rv = cstore_log_next(s, &next)) != COSO_OK
	    || (rv = cstore_log_count(s, &count)) != COSO_OK) {
		return store_fail(s, rv, errmsg);
	}
	if (next != signed_size) {
		return differs(errmsg, COSO_EINVAL,
		    "the newest signed checkpoint has %" PRIu64
		    " entries, the log %" PRIu64 " (%s)",
		    signed_size, next,
		    next < signed_size ? "entries were removed at its end"
		                       : "entries were added unsigned");
	}
	if (count != next) {
		return differs(errmsg, COSO_EINVAL,
		    "the log has %" PRIu64
		    " entries at positions 0 to %" PRIu64 ": %" PRIu64
		    " removed",
		    count, next - 1, next - count);
	}
	return COSO_OK;
}

/* The stored tree's root against the signed one. */
static int
root_check(
    struct central_store *s, const struct coso_checkpoint *cp, char *errmsg)
{
	char a[B64_32], b[B64_32];
	uint8_t root[32];
	uint64_t size;
	int rv = cstore_tree_head(s, &size, root);

	if (rv != COSO_OK) {
		return store_fail(s, rv, errmsg);
	}
	if (size != cp->size || memcmp(root, cp->root, 32) != 0) {
		return differs(errmsg, COSO_EINVAL,
		    "the stored tree (%" PRIu64 " leaves, root %s) is not "
		    "the signed one (%" PRIu64 ", root %s)",
		    size, b64_root(a, root), cp->size, b64_root(b, cp->root));
	}
	return COSO_OK;
}

static int
start_check(struct central_store *s, char *errmsg)
{
	struct coso_checkpoint cp;
	char *origin = NULL, *note = NULL;
	uint64_t size, next;
	uint8_t pk[32];
	int rv;

	if ((rv = identity(s, pk, &origin, errmsg)) != COSO_OK) {
		return rv;
	}
	rv = cstore_checkpoint_latest(s, &size, &note);
	if (rv == COSO_ENOENT) {
		rv = cstore_log_next(s, &next);
		if (rv == COSO_OK && next > 0) {
			rv = differs(errmsg, COSO_EINVAL,
			    "the log has %" PRIu64
			    " entries and no signed checkpoint",
			    next);
		} else if (rv != COSO_OK) {
			store_fail(s, rv, errmsg);
		}
	} else if (rv != COSO_OK) {
		store_fail(s, rv, errmsg);
	} else if ((rv = note_check(note, size, origin, pk, &cp, errmsg))
	        == COSO_OK
	    && (rv = size_check(s, cp.size, errmsg)) == COSO_OK
	    && (rv = root_check(s, &cp, errmsg)) == COSO_OK) {
		rv = tail_check(s, &cp, errmsg);
	}
	free(note);
	free(origin);
	return rv;
}

int
logcheck_start(struct central_store *s, char errmsg[static CSTORE_ERRMSG_MAX])
{
	int rv = cstore_read_begin(s);

	errmsg[0] = '\0';
	if (rv != COSO_OK) {
		return store_fail(s, rv, errmsg);
	}
	rv = start_check(s, errmsg);
	cstore_read_end(s);
	return rv;
}

/* ---- rebuild: every checkpoint against the rebuilt tree -------------------
 */

struct rebuilt {
	struct central_store *dst;
	struct coso_tree_src tree; /* dst's */
	uint64_t size;             /* dst's tree */
	const uint8_t *pk;
	const char *origin;
	uint64_t copied, newest;
	int rv;
	char *errmsg;
};

static int
rebuilt_one(uint64_t size, const char *note, void *arg)
{
	struct rebuilt *c = arg;
	struct coso_checkpoint cp;
	struct coso_frontier f;
	char a[B64_32], b[B64_32];
	uint8_t root[32];

	if ((c->rv = note_check(note, size, c->origin, c->pk, &cp, c->errmsg))
	    != COSO_OK) {
		return 1;
	}
	if (size > c->size) {
		c->rv = differs(c->errmsg, COSO_EINVAL,
		    "a checkpoint is signed for %" PRIu64
		    " entries; the log gives %" PRIu64,
		    size, c->size);
		return 1;
	}
	if ((c->rv = coso_frontier_load(&f, &c->tree, size)) != COSO_OK) {
		c->rv = store_fail(c->dst, c->rv, c->errmsg);
		return 1;
	}
	coso_frontier_root(&f, root);
	if (memcmp(root, cp.root, 32) != 0) {
		c->rv = differs(c->errmsg, COSO_EINVAL,
		    "the checkpoint signed for %" PRIu64 " entries has root "
		    "%s; the log's first %" PRIu64 " entries give %s",
		    size, b64_root(a, cp.root), size, b64_root(b, root));
		return 1;
	}
	if ((c->rv = cstore_checkpoint_put(c->dst, size, note)) != COSO_OK) {
		c->rv = store_fail(c->dst, c->rv, c->errmsg);
		return 1;
	}
	c->copied++;
	c->newest = size;
	return 0;
}

/* Every checkpoint of src, in one write transaction on dst. */
static int
rebuilt_all(struct central_store *src, struct rebuilt *c)
{
	int rv = cstore_begin(c->dst);

	if (rv != COSO_OK) {
		return store_fail(c->dst, rv, c->errmsg);
	}
	rv = cstore_checkpoints_each(src, 0, SIZE_MAX, rebuilt_one, c);
	if (rv != COSO_OK) {
		store_fail(src, rv, c->errmsg);
	} else if ((rv = c->rv) == COSO_OK) {
		if ((rv = cstore_commit(c->dst)) != COSO_OK) {
			store_fail(c->dst, rv, c->errmsg);
		}
		return rv;
	}
	cstore_rollback(c->dst);
	return rv;
}

int
logcheck_rebuilt(struct central_store *src, struct central_store *dst,
    uint64_t *copied, char errmsg[static CSTORE_ERRMSG_MAX])
{
	struct rebuilt c = {.dst = dst, .errmsg = errmsg};
	char *origin     = NULL;
	uint8_t pk[32], root[32];
	int rv;

	errmsg[0] = '\0';
	*copied   = 0;
	if ((rv = identity(src, pk, &origin, errmsg)) != COSO_OK) {
		return rv;
	}
	c.pk     = pk;
	c.origin = origin;
	cstore_tree_src(dst, &c.tree);
	if ((rv = cstore_tree_head(dst, &c.size, root)) != COSO_OK) {
		store_fail(dst, rv, errmsg);
	} else if ((rv = rebuilt_all(src, &c)) != COSO_OK) {
		/* named */
	} else if (c.copied == 0 && c.size > 0) {
		rv = differs(errmsg, COSO_EINVAL,
		    "the source has no signed checkpoint to compare with");
	} else if (c.newest != c.size) {
		rv = differs(errmsg, COSO_EINVAL,
		    "the newest signed checkpoint has %" PRIu64
		    " entries; the log gives %" PRIu64,
		    c.newest, c.size);
	}
	*copied = c.copied;
	free(origin);
	return rv;
}
