/*
 * check.c: one verification pass.  In order:
 *
 *   1. the checkpoint is signed by the pinned central key;
 *   2. it extends the last checkpoint verified (no rollback, no second
 *      root for a size, a valid consistency proof);
 *   3. every entry from where the last run stopped (0 with --full): its
 *      bytes hash to its id, its leaf is recomputed from the change-set
 *      and compared with the central's leaf data and stored leaf hash (and
 *      with the hash this auditor verified before), the signature is
 *      checked against the registry derived from the log as of its
 *      index, the author's chain continues, and the verdict is the one
 *      the facts call for;
 *   4. the recomputed root equals the checkpoint's, and every stored
 *      checkpoint from where the last run stopped (all with --full) is
 *      signed by the pinned key and has the root of the entries it
 *      counts;
 *   5. the central's key registry equals the derived one.
 *
 * Two signed notes that cannot both be true (a fork, a rollback, a
 * checkpoint the log does not extend) are kept as evidence in the state
 * directory and shown.
 *
 * Everything is compared, nothing is taken from the central on trust.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "i18n.h"
#include "audit.h"
#include "registry.h"

#define SHORT 8 /* bytes of a key id shown in messages */

/* A stored checkpoint that verified: its size and root. */
struct cp_root {
	uint64_t size;
	uint8_t root[32];
};

struct run {
	const struct audit_cfg *cfg;
	struct fetch *f;
	struct audit_state *st;
	struct report *rep;
	struct audit_result *res;
	struct registry reg;
	struct coso_frontier fr;
	sqlite3_stmt *leaf_get, *leaf_put;
	uint64_t n; /* entries in the checkpoint */
	int broken; /* an entry is missing: no root can be computed */
	int unread; /* entries could not be read: the registry is partial */
	char *note; /* the checkpoint */
	size_t note_len;
	char *old_note;      /* the one verified before, or NULL */
	struct cp_root *cps; /* stored checkpoints to check, by size */
	size_t ncps, cps_next, cps_cap;
	uint64_t bad_cps[EVIDENCE_MAX]; /* sizes whose root differs */
	size_t nbad_cps;
};

static const char *
short_id(char buf[static 2 * SHORT + 1], const uint8_t id[static 32])
{
	sodium_bin2hex(buf, 2 * SHORT + 1, id, SHORT);
	return buf;
}

/* ---- 1 and 2: the checkpoint ---------------------------------------------
 */

/* The origin is the note's first line; the signature binds it with the
 * key, so taking it from the note trusts nothing. */
static int
note_origin(const char *note, size_t len, char out[static COSO_ORIGIN_MAX + 1])
{
	const char *nl = memchr(note, '\n', len);
	size_t n       = nl != NULL ? (size_t) (nl - note) : 0;

	if (n == 0 || n > COSO_ORIGIN_MAX) {
		return -1;
	}
	memcpy(out, note, n);
	out[n] = '\0';
	return 0;
}

/* With a verifier key as the pin, the note must be signed under its name
 * and be of the log of that name (else COSO_ESCHEMA). */
static int
verify_note(const struct run *r, const char *note, size_t len,
    struct coso_checkpoint *cp)
{
	const char *name = r->cfg->central_name;
	char origin[COSO_ORIGIN_MAX + 1];
	int rv;

	if (name[0] == '\0') {
		if (note_origin(note, len, origin) != 0) {
			return COSO_EINVAL;
		}
		name = origin;
	}
	rv = coso_checkpoint_verify(cp, note, len, name, r->cfg->central_pk);
	if (rv == COSO_OK && strcmp(cp->origin, name) != 0) {
		rv = COSO_ESCHEMA;
	}
	return rv;
}

/* Why a note does not verify, as a sentence's end. */
static const char *
note_error(const struct run *r, int rv, char buf[static 512])
{
	if (rv == COSO_ESCHEMA) {
		snprintf(buf, 512,
		    _("its origin is not `%s', the log the "
		      "pinned verifier key names"),
		    r->cfg->central_name);
		return buf;
	}
	return coso_strerror(rv);
}

/*
 * Two signed notes that contradict each other: kept in the state
 * directory (state_evidence) and given to the report to show, at most
 * EVIDENCE_MAX per run.
 */
static void
keep_evidence(struct run *r, const char *what, const char *label0,
    const char *note0, const char *label1, const char *note1)
{
	const char *label[2] = {label0, label1}, *note[2] = {note0, note1};
	char err[AUDIT_ERR_MAX];
	struct evidence *e;
	size_t i;

	if (r->rep->nev == EVIDENCE_MAX) {
		return;
	}
	e = &r->rep->ev[r->rep->nev++];
	memset(e, 0, sizeof(*e));
	e->what = what;
	e->kept = state_evidence(r->st, what, label, note, e->dir, err)
	    == AUDIT_OK;
	if (!e->kept) {
		snprintf(e->dir, sizeof(e->dir), "%s", err);
	}
	for (i = 0; i < 2; i++) {
		e->label[i] = label[i];
		e->note[i]  = strdup(note[i]);
	}
}

static int
fetch_checkpoint(struct run *r, struct coso_checkpoint *cp, char *err)
{
	int rv = api_checkpoint(r->f, &r->note, &r->note_len);

	if (rv == AUDIT_HTTP && (r->f->status == 401 || r->f->status == 403)) {
		snprintf(err, AUDIT_ERR_MAX,
		    _("the central refused the request (HTTP %ld): it wants a "
		      "bearer token (--token FILE), or another one"),
		    r->f->status);
		return AUDIT_MEM;
	}
	if (rv == AUDIT_HTTP || rv == AUDIT_BAD) {
		report_anomaly(r->rep, "checkpoint", -1,
		    _("the central serves no checkpoint: %s"), r->f->err);
		return AUDIT_BAD;
	}
	if (rv != AUDIT_OK) {
		snprintf(err, AUDIT_ERR_MAX, "%s", r->f->err);
		return rv;
	}
	if ((rv = verify_note(r, r->note, r->note_len, cp)) != COSO_OK) {
		char why[512];

		report_anomaly(r->rep, "checkpoint_signature", -1,
		    _("the central's checkpoint does not verify with the "
		      "pinned central key: %s"),
		    note_error(r, rv, why));
		return AUDIT_BAD;
	}
	/* Without its witnesses' quorum, the checkpoint is not believed. */
	if (quorum_check(r->cfg, r->note, r->note_len, r->rep, r->res) != 0) {
		return AUDIT_BAD;
	}
	r->res->verified = 1;
	return AUDIT_OK;
}

/* The new checkpoint against the one verified last time. */
static int
extend(struct run *r, const struct coso_checkpoint *cp,
    const struct coso_checkpoint *old, char *err)
{
	uint8_t proof[COSO_PROOF_MAX][32];
	size_t count;
	int rv;

	if (cp->size < old->size) {
		report_anomaly(r->rep, "rollback", -1,
		    _("the central's checkpoint has %" PRIu64
		      " entries, fewer than the %" PRIu64
		      " this auditor verified before: the log was rolled "
		      "back"),
		    cp->size, old->size);
		keep_evidence(
		    r, "rollback", "verified", r->old_note, "served", r->note);
		return AUDIT_BAD;
	}
	if (cp->size == old->size) {
		if (memcmp(cp->root, old->root, 32) != 0) {
			report_anomaly(r->rep, "fork", -1,
			    _("two different roots were signed for %" PRIu64
			      " entries"),
			    cp->size);
			keep_evidence(r, "fork", "verified", r->old_note,
			    "served", r->note);
			return AUDIT_BAD;
		}
		return AUDIT_OK;
	}
	rv = api_consistency(r->f, old->size, cp->size, proof, &count, err);
	if (rv == AUDIT_OK
	    && coso_verify_consistency(
	           old->size, cp->size, proof[0], count, old->root, cp->root)
	        != COSO_OK) {
		report_anomaly(r->rep, "inconsistent_checkpoint", -1,
		    _("the checkpoint of %" PRIu64
		      " entries does not extend the one of %" PRIu64
		      " verified before: history was rewritten"),
		    cp->size, old->size);
		keep_evidence(r, "inconsistent_checkpoint", "verified",
		    r->old_note, "served", r->note);
		return AUDIT_BAD;
	}
	if (rv == AUDIT_BAD || rv == AUDIT_HTTP) {
		report_anomaly(r->rep, "inconsistent_checkpoint", -1,
		    _("no consistency proof from %" PRIu64 " to %" PRIu64
		      " entries: %s"),
		    old->size, cp->size, err);
		return AUDIT_BAD;
	}
	return rv;
}

/* ---- 4: the stored checkpoints --------------------------------------------
 */

/* A stored checkpoint, verified and kept for the entries pass; a note
 * that does not hold is named here. */
static int
cps_take(struct run *r, const struct api_note *c)
{
	struct coso_checkpoint cp;
	struct cp_root *v;
	char why[512];
	int rv = verify_note(r, c->note, c->len, &cp);

	if (rv != COSO_OK) {
		report_anomaly(r->rep, "old_checkpoint", (int64_t) c->size - 1,
		    _("the checkpoint the central stores for %" PRIu64
		      " entries does not verify with the pinned central key: "
		      "%s"),
		    c->size, note_error(r, rv, why));
		return 0;
	}
	if (cp.size != c->size || strcmp(cp.origin, r->res->origin) != 0) {
		report_anomaly(r->rep, "old_checkpoint", (int64_t) c->size - 1,
		    _("the checkpoint the central stores for %" PRIu64
		      " entries is signed for %" PRIu64 " entries of `%s'"),
		    c->size, cp.size, cp.origin);
		return 0;
	}
	if (r->ncps == r->cps_cap) {
		size_t cap = r->cps_cap == 0 ? 256 : 2 * r->cps_cap;

		if ((v = realloc(r->cps, cap * sizeof(*v))) == NULL) {
			return -1;
		}
		r->cps     = v;
		r->cps_cap = cap;
	}
	r->cps[r->ncps].size = cp.size;
	memcpy(r->cps[r->ncps++].root, cp.root, 32);
	r->res->old_notes++;
	return 0;
}

/* One page: each note in turn; *next past the last; *end at the log's. */
static int
cps_page(struct run *r, const struct api_notes *p, uint64_t *next, int *end)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		if (p->c[i].size > r->n) {
			report_anomaly(r->rep, "old_checkpoint", -1,
			    _("the central stores a checkpoint for %" PRIu64
			      " entries, more than its latest has (%" PRIu64
			      ")"),
			    p->c[i].size, r->n);
			*end = 1;
			return 0;
		}
		if (cps_take(r, &p->c[i]) != 0) {
			return -1;
		}
	}
	*next = p->n > 0 ? p->c[p->n - 1].size + 1 : *next;
	*end  = p->n == 0 || *next > r->n;
	return 0;
}

/*
 * The stored checkpoints of from entries or more (the latest's included),
 * each verified now; their roots are compared as the entries pass them
 * (cps_check).  Read before the entries: the pager owns the connection
 * then.
 */
static int
cps_load(struct run *r, uint64_t from, char *err)
{
	struct api_notes p;
	uint64_t next = from;
	int rv, end = 0;

	while (!end) {
		rv = api_checkpoints(r->f, next, API_NOTES_MAX, &p, err);
		if (rv == AUDIT_BAD || rv == AUDIT_HTTP) {
			report_anomaly(r->rep, "old_checkpoint", -1,
			    _("the central does not serve its stored "
			      "checkpoints: %s"),
			    err);
			rv  = AUDIT_OK;
			end = 1;
		} else if (rv == AUDIT_OK
		    && cps_page(r, &p, &next, &end) != 0) {
			snprintf(err, AUDIT_ERR_MAX, "out of memory");
			rv = AUDIT_MEM;
		}
		api_notes_free(&p);
		if (rv != AUDIT_OK) {
			return rv;
		}
	}
	return AUDIT_OK;
}

/* The checkpoints of the frontier's size: the root of the entries they
 * count must be theirs.  Those passed unseen (a broken tree) stay
 * unchecked. */
static void
cps_check(struct run *r)
{
	struct cp_root *c;
	uint8_t root[32];

	while (
	    r->cps_next < r->ncps && r->cps[r->cps_next].size <= r->fr.size) {
		c = &r->cps[r->cps_next++];
		if (r->broken || c->size != r->fr.size) {
			continue;
		}
		coso_frontier_root(&r->fr, root);
		if (memcmp(root, c->root, 32) == 0) {
			continue;
		}
		report_anomaly(r->rep, "old_checkpoint", (int64_t) c->size - 1,
		    _("the checkpoint signed for %" PRIu64
		      " entries has another root than those entries give: "
		      "it or the log was changed"),
		    c->size);
		if (r->nbad_cps < EVIDENCE_MAX) {
			r->bad_cps[r->nbad_cps++] = c->size;
		}
	}
}

/* When the log gives the latest root, an old note that it does not give
 * contradicts the latest: both are kept.  The note is read again (only
 * roots were kept) and must verify again. */
static int
cps_evidence(struct run *r, char *err)
{
	struct coso_checkpoint cp;
	struct api_notes p;
	size_t i;
	int rv = AUDIT_OK;

	for (i = 0; rv == AUDIT_OK && i < r->nbad_cps; i++) {
		rv = api_checkpoints(r->f, r->bad_cps[i], 1, &p, err);
		if (rv == AUDIT_OK && p.n == 1 && p.c[0].size == r->bad_cps[i]
		    && verify_note(r, p.c[0].note, p.c[0].len, &cp) == COSO_OK
		    && cp.size == r->bad_cps[i]) {
			keep_evidence(r, "old_checkpoint", "old", p.c[0].note,
			    "latest", r->note);
		}
		api_notes_free(&p);
		if (rv == AUDIT_BAD || rv == AUDIT_HTTP) {
			rv = AUDIT_OK; /* the anomaly is named already */
		}
	}
	return rv;
}

/* ---- 3: entries -----------------------------------------------------------
 */

static int
sig_error(int reason)
{
	return reason == COSO_EBADSIG || reason == COSO_EWRONGKEY;
}

/* The leaf, recomputed from the entry; compared with what is stored. */
static void
check_leaf(struct run *r, const struct api_entry *e,
    const struct coso_changeset *cs, uint8_t lh[static 32])
{
	struct coso_leaf l = {.seq = cs->seq,
	    .received_ms           = e->received_ms,
	    .verdict               = (uint8_t) e->verdict};
	uint8_t leaf[COSO_LEAF_BYTES];
	int64_t i = (int64_t) e->index;

	memcpy(l.cs_id, e->id, 32);
	memcpy(l.author, cs->author, 32);
	coso_leaf_encode(leaf, &l);
	if (e->leaf_len != sizeof(leaf) || memcmp(leaf, e->leaf, 94) != 0) {
		report_anomaly(r->rep, "leaf_data", i,
		    _("the leaf data the central serves is not that of the "
		      "entry (id, author, seq, received time or verdict "
		      "differ)"));
	}
	coso_leaf_hash(lh, leaf, sizeof(leaf));
	if (memcmp(lh, e->leaf_hash, 32) != 0) {
		report_anomaly(r->rep, "leaf_hash", i,
		    _("the leaf hash in the central's tree is not the hash of "
		      "the entry: the entry or its leaf was rewritten"));
	}
}

/* Against the hash this auditor verified for the index before. */
static int
check_known(struct run *r, uint64_t index, const uint8_t lh[static 32])
{
	int rc;

	sqlite3_reset(r->leaf_get);
	sqlite3_bind_int64(r->leaf_get, 1, (sqlite3_int64) index);
	rc = sqlite3_step(r->leaf_get);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(r->leaf_get, 0) == 32
	    && memcmp(sqlite3_column_blob(r->leaf_get, 0), lh, 32) != 0) {
		report_anomaly(r->rep, "leaf_changed", (int64_t) index,
		    _("the entry differs from the one this auditor verified "
		      "before at this index"));
	}
	sqlite3_reset(r->leaf_put);
	sqlite3_bind_int64(r->leaf_put, 1, (sqlite3_int64) index);
	sqlite3_bind_blob(r->leaf_put, 2, lh, 32, SQLITE_STATIC);
	rc = sqlite3_step(r->leaf_put);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The reasons a central quarantines for (merge.c): anything else is not
 * a verdict it can give. */
static int
known_reason(int reason)
{
	static const int known[] = {COSO_QFORK, COSO_QUNAUTH, COSO_QADMIN,
	    COSO_QREVOKED, COSO_QAUTHOR, COSO_QREF, COSO_QIMMUT, COSO_QAMEND,
	    COSO_QUNITDATE, COSO_EBADSIG, COSO_EWRONGKEY, COSO_ESCHEMA,
	    COSO_ENONCANON, COSO_ETOOBIG, COSO_ETRUNC, COSO_ETRAILING,
	    COSO_EUTF8, COSO_ENFC};
	size_t n;

	for (n = 0; n < sizeof(known) / sizeof(known[0]); n++) {
		if (known[n] == reason) {
			return 1;
		}
	}
	return 0;
}

/*
 * The reason is not in the leaf: it is checked against the verdict and
 * against the facts here, never used to skip a check.  An accepted entry
 * has no reason; a quarantined one a reason the central can give.
 */
static void
check_reason(struct run *r, const struct api_entry *e)
{
	int64_t i = (int64_t) e->index;

	if (e->verdict == COSO_VERDICT_ACCEPTED && e->reason != 0) {
		report_anomaly(r->rep, "wrong_verdict", i,
		    _("accepted, yet with a quarantine reason (%d)"),
		    e->reason);
	} else if (e->verdict == COSO_VERDICT_QUARANTINED
	    && !known_reason(e->reason)) {
		report_anomaly(r->rep, "wrong_verdict", i,
		    _("quarantined for a reason the central does not give "
		      "(%d)"),
		    e->reason);
	}
}

static int
quarantined(const struct api_entry *e, int reason)
{
	return e->verdict == COSO_VERDICT_QUARANTINED && e->reason == reason;
}

static int
chain_ok(struct run *r, const struct api_entry *e,
    const struct coso_changeset *cs, const struct rkey *k)
{
	char a[2 * SHORT + 1];
	int64_t i = (int64_t) e->index;

	if (cs->seq != k->next_seq) {
		report_anomaly(r->rep, "chain_seq", i,
		    _("key %s: seq %" PRIu64 " where %" PRIu64
		      " comes next in its chain"),
		    short_id(a, k->id), cs->seq, k->next_seq);
		return 0;
	}
	if (memcmp(cs->prev, k->head, 32) != 0) {
		report_anomaly(r->rep, "chain_prev", i,
		    _("key %s, seq %" PRIu64
		      ": prev is not the id of its previous change-set"),
		    short_id(a, k->id), cs->seq);
		return 0;
	}
	return 1;
}

/* Who sent it, and whether the author is known: the central's first two
 * checks.  0 if judging goes on. */
static int
judge_sender(struct run *r, const struct api_entry *e,
    const struct coso_changeset *cs, const struct rkey *k)
{
	char a[2 * SHORT + 1];
	int64_t i   = (int64_t) e->index;
	int by_self = memcmp(cs->author, e->sender, 32) == 0;

	if (quarantined(e, COSO_QAUTHOR)) {
		if (by_self) {
			report_anomaly(r->rep, "wrong_verdict", i,
			    _("quarantined as not sent by its author, but the "
			      "sender is the author"));
		}
		return -1;
	}
	if (!by_self) {
		report_anomaly(r->rep, "wrong_verdict", i,
		    _("not sent by its author, yet verdict %d reason %d"),
		    e->verdict, e->reason);
	}
	if (k == NULL) {
		report_anomaly(r->rep, "unregistered_key", i,
		    _("signed by key %s, which no earlier entry registered"),
		    short_id(a, cs->author));
		return -1;
	}
	return 0;
}

/* The verdict of a signed change-set on its chain: revocation, and the
 * reasons that need a good signature. */
static int
judge_signed(struct run *r, const struct api_entry *e, const struct rkey *k)
{
	char a[2 * SHORT + 1];
	int64_t i   = (int64_t) e->index;
	int revoked = k->revoked >= 0 && k->revoked <= i;

	if (revoked && !quarantined(e, COSO_QREVOKED)) {
		report_anomaly(r->rep, "revoked_key", i,
		    _("key %s was revoked at entry %" PRId64 ", yet this "
		      "change-set got verdict %d reason %d"),
		    short_id(a, k->id), k->revoked, e->verdict, e->reason);
	} else if (!revoked && e->reason == COSO_QREVOKED) {
		report_anomaly(r->rep, "wrong_verdict", i,
		    _("quarantined as from a revoked key, but key %s is not "
		      "revoked here"),
		    short_id(a, k->id));
	}
	if (sig_error(e->reason)) {
		report_anomaly(r->rep, "wrong_verdict", i,
		    _("quarantined for a bad signature, but the signature "
		      "verifies"));
	}
	return revoked;
}

/*
 * The central's order (merge.c): sender, registration, chain (a break is
 * a fork), signature (a bad one does not move the chain), revocation,
 * then the merge.  Each verdict is checked against the facts it rests
 * on; those that need the materialised state are `rebuild`'s.
 */
static int
judge(
    struct run *r, const struct api_entry *e, const struct coso_changeset *cs)
{
	struct coso_changeset v;
	struct rkey *k = registry_get(&r->reg, cs->author);
	char a[2 * SHORT + 1];
	int64_t i = (int64_t) e->index;
	int continues, revoked;

	check_reason(r, e);
	if (judge_sender(r, e, cs, k) != 0) {
		return 0;
	}
	continues
	    = cs->seq == k->next_seq && memcmp(cs->prev, k->head, 32) == 0;
	if (quarantined(e, COSO_QFORK)) {
		if (continues) {
			report_anomaly(r->rep, "wrong_verdict", i,
			    _("quarantined as a fork, but it continues its "
			      "author's chain"));
		}
		return 0;
	}
	/* Named once; the chain then goes on from here, so one break is
	 * one anomaly, not one per later entry of the key. */
	(void) chain_ok(r, e, cs, k);
	if (coso_changeset_verify(&v, e->cs, e->cs_len, k->pk) != COSO_OK) {
		if (!quarantined(e, COSO_EBADSIG)
		    && !quarantined(e, COSO_EWRONGKEY)) {
			report_anomaly(r->rep, "bad_signature", i,
			    _("the signature does not verify with key %s "
			      "(seq %" PRIu64 "), yet verdict %d reason %d"),
			    short_id(a, k->id), cs->seq, e->verdict,
			    e->reason);
		}
		return 0;
	}
	revoked     = judge_signed(r, e, k);
	k->next_seq = cs->seq + 1;
	memcpy(k->head, e->id, 32);
	if (e->verdict == COSO_VERDICT_ACCEPTED && e->reason == 0 && !revoked
	    && (k->role == REG_ROLE_CENTRAL || k->role == REG_ROLE_ADMIN)) {
		return registry_apply(
		    &r->reg, cs->body, cs->body_len, e->index);
	}
	return 0;
}

static int
check_entry(struct run *r, const struct api_entry *e)
{
	struct coso_changeset cs;
	uint8_t id[32], lh[32];
	int64_t i = (int64_t) e->index;

	if (e->verdict != COSO_VERDICT_ACCEPTED
	    && e->verdict != COSO_VERDICT_QUARANTINED) {
		report_anomaly(r->rep, "wrong_verdict", i,
		    _("verdict %d: only accepted and quarantined change-sets "
		      "enter the log"),
		    e->verdict);
	}
	coso_changeset_id(id, e->cs, e->cs_len);
	if (memcmp(id, e->id, 32) != 0) {
		report_anomaly(r->rep, "entry_id", i,
		    _("the change-set's bytes do not hash to its id: the "
		      "entry was altered"));
	}
	if (coso_changeset_peek(&cs, e->cs, e->cs_len) != COSO_OK) {
		report_anomaly(r->rep, "malformed", i,
		    _("the stored change-set is not well-formed"));
		memcpy(lh, e->leaf_hash, 32);
	} else {
		check_leaf(r, e, &cs, lh);
	}
	if (check_known(r, e->index, lh) != 0
	    || (!r->broken
	        && coso_frontier_append(&r->fr, lh, NULL, NULL) != COSO_OK)) {
		return -1;
	}
	if (e->verdict == COSO_VERDICT_ACCEPTED) {
		r->res->accepted++;
	} else {
		r->res->quarantined++;
	}
	return coso_changeset_peek(&cs, e->cs, e->cs_len) == COSO_OK
	    ? judge(r, e, &cs)
	    : 0;
}

/* The entries-file record of e (replay). */
static int
write_entry(struct run *r, const struct api_entry *e)
{
	struct coso_entry x = {.index = e->index,
	    .received_ms              = e->received_ms,
	    .verdict                  = (uint8_t) e->verdict,
	    .reason                   = (uint16_t) e->reason,
	    .cs_len                   = e->cs_len};
	uint8_t head[COSO_ENTRY_HEAD];

	if (r->cfg->entries_file == NULL || e->index >= r->cfg->entries_upto) {
		return 0;
	}
	memcpy(x.sender, e->sender, 32);
	coso_entry_head_encode(head, &x);
	return fwrite(head, 1, sizeof(head), r->cfg->entries_file)
	            == sizeof(head)
	        && fwrite(e->cs, 1, e->cs_len, r->cfg->entries_file)
	            == e->cs_len
	    ? 0
	    : -1;
}

static void
progress(const struct run *r, uint64_t done)
{
	if (r->cfg->progress) {
		fprintf(stderr, "\r  %" PRIu64 " / %" PRIu64 " entries", done,
		    r->n);
		if (done == r->n) {
			fputc('\n', stderr);
		}
	}
}

static int
check_page(struct run *r, const struct api_page *p, uint64_t *next)
{
	size_t j;

	for (j = 0; j < p->n; j++) {
		const struct api_entry *e = &p->e[j];

		if (e->index != *next) {
			report_anomaly(r->rep, "entry_missing",
			    (int64_t) *next,
			    _("the log has no entry %" PRIu64
			      " (the central serves %" PRIu64 " next)"),
			    *next, e->index);
			r->broken = 1;
			if (e->index < *next) {
				return 0; /* out of order: stop here */
			}
			*next = e->index;
		}
		if (check_entry(r, e) != 0 || write_entry(r, e) != 0) {
			return -1;
		}
		cps_check(r);
		(*next)++;
		r->res->checked++;
	}
	return 0;
}

/*
 * Pages are fetched and parsed by a second thread, one page ahead of the
 * checks: the central builds the next answer while this one is verified.
 */
#define AHEAD 2

struct fetched {
	struct api_page p;
	int rv;
	char err[AUDIT_ERR_MAX];
};

struct pager {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct fetch *f;
	uint64_t next, end;
	struct fetched q[AHEAD];
	size_t head, len;
	int done, stop;
};

static int
pager_put(struct pager *g, struct fetched *x)
{
	int stop;

	pthread_mutex_lock(&g->mu);
	while (g->len == AHEAD && !g->stop) {
		pthread_cond_wait(&g->cv, &g->mu);
	}
	stop = g->stop;
	if (!stop) {
		g->q[(g->head + g->len) % AHEAD] = *x;
		g->len++;
		pthread_cond_broadcast(&g->cv);
	}
	pthread_mutex_unlock(&g->mu);
	return stop;
}

static void *
pager_main(void *arg)
{
	struct pager *g = arg;
	struct fetched x;
	uint64_t next = g->next;
	size_t want;

	for (;;) {
		memset(&x, 0, sizeof(x));
		want = g->end - next < API_PAGE_MAX ? (size_t) (g->end - next)
		                                    : API_PAGE_MAX;
		x.rv = api_entries(g->f, next, want, &x.p, x.err);
		if (x.rv == AUDIT_OK && x.p.n > 0) {
			next = x.p.e[x.p.n - 1].index + 1;
		}
		if (pager_put(g, &x) != 0) {
			api_page_free(&x.p);
			break;
		}
		if (x.rv != AUDIT_OK || x.p.n == 0 || next >= g->end) {
			break;
		}
	}
	pthread_mutex_lock(&g->mu);
	g->done = 1;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
	return NULL;
}

/* The next page in order; 0, or -1 when the pager has nothing more. */
static int
pager_get(struct pager *g, struct fetched *x)
{
	int rv = 0;

	pthread_mutex_lock(&g->mu);
	while (g->len == 0 && !g->done) {
		pthread_cond_wait(&g->cv, &g->mu);
	}
	if (g->len > 0) {
		*x      = g->q[g->head];
		g->head = (g->head + 1) % AHEAD;
		g->len--;
		pthread_cond_broadcast(&g->cv);
	} else {
		rv = -1;
	}
	pthread_mutex_unlock(&g->mu);
	return rv;
}

static void
pager_stop(struct pager *g, pthread_t t)
{
	struct fetched x;

	pthread_mutex_lock(&g->mu);
	g->stop = 1;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
	pthread_join(t, NULL);
	while (g->len > 0) {
		x       = g->q[g->head];
		g->head = (g->head + 1) % AHEAD;
		g->len--;
		api_page_free(&x.p);
	}
	pthread_cond_destroy(&g->cv);
	pthread_mutex_destroy(&g->mu);
}

/* One fetched page: checked, or the reason it could not be. */
static int
take_page(struct run *r, struct fetched *x, uint64_t *next, char *err)
{
	int rv = x->rv;

	if (rv != AUDIT_OK) {
		snprintf(err, AUDIT_ERR_MAX, "%s", x->err);
	} else if (x->p.n == 0) {
		report_anomaly(r->rep, "entry_missing", (int64_t) *next,
		    _("the central serves no entries from %" PRIu64
		      " on, though its checkpoint has %" PRIu64),
		    *next, r->n);
		r->broken = 1;
		rv        = AUDIT_BAD;
		err[0]    = '\0';
	} else if (check_page(r, &x->p, next) != 0) {
		snprintf(err, AUDIT_ERR_MAX, "cannot record state: %s",
		    sqlite3_errmsg(state_db(r->st)));
		rv = AUDIT_MEM;
	}
	api_page_free(&x->p);
	progress(r, *next);
	return rv;
}

static int
check_entries(struct run *r, uint64_t from, char *err)
{
	struct pager g = {.f = r->f, .next = from, .end = r->n};
	struct fetched x;
	uint64_t next = from;
	pthread_t t;
	int rv = AUDIT_OK;

	if (from >= r->n) {
		return AUDIT_OK;
	}
	pthread_mutex_init(&g.mu, NULL);
	pthread_cond_init(&g.cv, NULL);
	if (pthread_create(&t, NULL, pager_main, &g) != 0) {
		pthread_cond_destroy(&g.cv);
		pthread_mutex_destroy(&g.mu);
		return AUDIT_MEM;
	}
	while (rv == AUDIT_OK && next < r->n && pager_get(&g, &x) == 0) {
		rv = take_page(r, &x, &next, err);
	}
	pager_stop(&g, t);
	if (rv == AUDIT_BAD && err[0] == '\0') {
		return AUDIT_OK; /* named already */
	}
	if (rv == AUDIT_BAD || rv == AUDIT_HTTP) {
		report_anomaly(r->rep, "entries", (int64_t) next,
		    _("the central does not serve its entries: %s"), err);
		r->broken = r->unread = 1;
		rv                    = AUDIT_OK;
	}
	return rv;
}

/* ---- 5: the central's registry --------------------------------------------
 */

static void
compare_key(struct run *r, const struct api_key *c, struct rkey *k)
{
	char a[2 * SHORT + 1];
	int64_t rev = c->revoked >= 0 && (uint64_t) c->revoked >= r->n
	    ? -1
	    : c->revoked;

	short_id(a, c->key_id);
	if (k == NULL) {
		if (c->enrolled < 0 || (uint64_t) c->enrolled < r->n) {
			report_anomaly(r->rep, "registry", c->enrolled,
			    _("the central's registry lists key %s, which no "
			      "entry of the log registered"),
			    a);
		}
		return;
	}
	if (k->matched++) {
		report_anomaly(r->rep, "registry", k->enrolled,
		    _("the central's registry lists key %s twice"), a);
		return;
	}
	if (memcmp(k->pk, c->pk, 32) != 0 || k->enrolled != c->enrolled
	    || k->revoked != rev || k->role != c->role
	    || (k->role != REG_ROLE_CENTRAL
	        && strcmp(k->cadre, c->cadre) != 0)) {
		report_anomaly(r->rep, "registry", k->enrolled,
		    _("key %s: the central's registry says cadre %s, role %d, "
		      "registered at %" PRId64 ", revoked at %" PRId64
		      "; the log says cadre %s, role %d, %" PRId64
		      ", %" PRId64),
		    a, c->cadre, c->role, c->enrolled, rev, k->cadre, k->role,
		    k->enrolled, k->revoked);
	}
}

static int
check_registry(struct run *r, char *err)
{
	struct api_keys keys;
	char a[2 * SHORT + 1];
	size_t i;
	int rv = api_keys(r->f, &keys, err);

	if (rv != AUDIT_OK) {
		if (rv == AUDIT_BAD || rv == AUDIT_HTTP) {
			report_anomaly(r->rep, "registry", -1,
			    _("no key registry from the central: %s"), err);
			rv = AUDIT_OK;
		}
		return rv;
	}
	for (i = 0; i < r->reg.cap; i++) {
		r->reg.slot[i].matched = 0;
	}
	for (i = 0; i < keys.n; i++) {
		compare_key(
		    r, &keys.k[i], registry_get(&r->reg, keys.k[i].key_id));
	}
	for (i = 0; i < r->reg.cap; i++) {
		if (r->reg.slot[i].used && !r->reg.slot[i].matched) {
			report_anomaly(r->rep, "registry",
			    r->reg.slot[i].enrolled,
			    _("key %s, registered in the log, is missing from "
			      "the central's registry"),
			    short_id(a, r->reg.slot[i].id));
		}
	}
	r->res->keys     = r->reg.n;
	r->res->registry = 1;
	api_keys_free(&keys);
	return AUDIT_OK;
}

/* ---- the pass -------------------------------------------------------------
 */

static int
prepare(struct run *r, const struct coso_checkpoint *old, int have_old,
    uint64_t *from)
{
	sqlite3 *db = state_db(r->st);
	struct rkey *c;

	if (state_begin(r->st) != 0
	    || sqlite3_prepare_v2(db, "SELECT hash FROM leaves WHERE idx = ?",
	           -1, &r->leaf_get, NULL)
	        != SQLITE_OK
	    || sqlite3_prepare_v2(db,
	           "INSERT OR REPLACE INTO leaves (idx, hash) VALUES (?, ?)",
	           -1, &r->leaf_put, NULL)
	        != SQLITE_OK) {
		return -1;
	}
	*from = 0;
	if (have_old && !r->cfg->full
	    && state_load_frontier(r->st, &r->fr, old->size) == 0
	    && state_load_keys(r->st, &r->reg) == 0) {
		*from = old->size;
		return 0;
	}
	registry_free(&r->reg);
	coso_frontier_init(&r->fr);
	if ((c = registry_add(&r->reg, r->cfg->central_pk)) == NULL) {
		return -1;
	}
	c->role = REG_ROLE_CENTRAL;
	return 0;
}

static int
previous(struct run *r, struct coso_checkpoint *old, int *have, char *err)
{
	char *note = NULL;

	*have = 0;
	if (state_checkpoint(r->st, &note) != AUDIT_OK) {
		return AUDIT_MEM;
	}
	if (note != NULL) {
		if (verify_note(r, note, strlen(note), old) != COSO_OK) {
			snprintf(err, AUDIT_ERR_MAX,
			    _("the state's last checkpoint does not verify "
			      "with this central key"));
			free(note);
			return AUDIT_MEM;
		}
		*have = 1;
	}
	r->old_note = note;
	return AUDIT_OK;
}

static int
run_pass(struct run *r, char *err)
{
	struct coso_checkpoint cp, old;
	uint8_t root[32];
	uint64_t from;
	int rv, have;

	if (state_key_ok(r->st, r->cfg->central_pk, err) != 0
	    || (rv = previous(r, &old, &have, err)) != AUDIT_OK) {
		return AUDIT_MEM;
	}
	if ((rv = fetch_checkpoint(r, &cp, err)) != AUDIT_OK) {
		return rv == AUDIT_BAD ? AUDIT_OK : rv; /* named already */
	}
	snprintf(r->res->origin, sizeof(r->res->origin), "%s", cp.origin);
	r->n = r->res->tree_size = cp.size;
	memcpy(r->res->root, cp.root, 32);
	if (have && (rv = extend(r, &cp, &old, err)) != AUDIT_OK) {
		return rv == AUDIT_BAD ? AUDIT_OK : rv;
	}
	r->res->extended = 1;
	if (prepare(r, &old, have, &from) != 0) {
		snprintf(err, AUDIT_ERR_MAX, "cannot read the state: %s",
		    sqlite3_errmsg(state_db(r->st)));
		return AUDIT_MEM;
	}
	r->res->from = from;
	if ((rv = cps_load(r, from, err)) != AUDIT_OK) {
		return rv;
	}
	cps_check(r); /* the one of the size verified before */
	rv                = check_entries(r, from, err);
	r->res->unchecked = cp.size - from > r->res->checked
	    ? cp.size - from - r->res->checked
	    : 0;
	if (rv != AUDIT_OK
	    || (!r->unread && (rv = check_registry(r, err)) != AUDIT_OK)) {
		return rv;
	}
	coso_frontier_root(&r->fr, root);
	if (!r->broken && memcmp(root, cp.root, 32) != 0) {
		report_anomaly(r->rep, "root", -1,
		    _("the %" PRIu64 " entries give another root than the "
		      "signed checkpoint's: the log differs from what was "
		      "signed"),
		    cp.size);
	} else if (!r->broken) {
		return cps_evidence(r, err);
	}
	return AUDIT_OK;
}

int
check_run(const struct audit_cfg *cfg, struct fetch *f, struct audit_state *st,
    struct report *rep, struct audit_result *res,
    char err[static AUDIT_ERR_MAX])
{
	struct run r = {.cfg = cfg, .f = f, .st = st, .rep = rep, .res = res};
	int rv;

	memset(res, 0, sizeof(*res));
	err[0] = '\0';
	rv     = run_pass(&r, err);
	sqlite3_finalize(r.leaf_get);
	sqlite3_finalize(r.leaf_put);
	if (rv == AUDIT_OK && rep->count == 0
	    && (state_save(
	            st, cfg->central_pk, r.note, r.note_len, &r.fr, &r.reg)
	            != 0
	        || (!cfg->defer_commit && state_commit(st) != 0))) {
		snprintf(err, AUDIT_ERR_MAX, "cannot save the state: %s",
		    sqlite3_errmsg(state_db(st)));
		rv = AUDIT_MEM;
	}
	if (rv != AUDIT_OK || rep->count != 0 || !cfg->defer_commit) {
		state_rollback(st);
	}
	registry_free(&r.reg);
	free(r.note);
	free(r.old_note);
	free(r.cps);
	return rv;
}
