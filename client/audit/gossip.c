/*
 * gossip.c: devices as gossip, checked by the auditor (gossip.h).
 *
 * A device keeps every checkpoint the central handed it.  If the central
 * shows the devices one history and this auditor another, some note a
 * device holds cannot be true with what this auditor is served: the
 * same size with another root, or a tree that no consistency proof of
 * the central's joins to the auditor's.  The pair is the evidence: both
 * signed by the pinned key, both kept and shown.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include <coso/common.h>

#include "gossip.h"
#include "i18n.h"

/* A signed note this auditor holds as its view, and what it states. */
struct view {
	const char *label; /* "central" (served now) or "verified" */
	char *note;        /* malloc'd, NUL-terminated */
	size_t len;
	struct coso_checkpoint cp;
};

struct grun {
	const struct audit_cfg *cfg;
	struct fetch *f;
	struct audit_state *st;
	struct report *rep;
	struct gossip_result *res;
	struct view v[2]; /* [0] the central now, [1] the state's */
	size_t nv;
	const char *file; /* the file being read */
};

/* A note verified with the pinned key: under the pinned name, or (a
 * coso public key as the pin) under its own origin. */
static int
note_verify(const struct audit_cfg *cfg, const char *note, size_t len,
    struct coso_checkpoint *cp)
{
	char name[COSO_ORIGIN_MAX + 1];
	const char *nl;
	int rv;

	if (cfg->central_name[0] != '\0') {
		snprintf(name, sizeof(name), "%s", cfg->central_name);
	} else {
		nl = memchr(
		    note, '\n', len < sizeof(name) ? len : sizeof(name));
		if (nl == NULL || nl == note) {
			return COSO_EINVAL;
		}
		memcpy(name, note, (size_t) (nl - note));
		name[nl - note] = '\0';
	}
	rv = coso_checkpoint_verify(cp, note, len, name, cfg->central_pk);
	if (rv == COSO_OK && strcmp(cp->origin, name) != 0) {
		rv = COSO_ESCHEMA;
	}
	return rv;
}

/* A pair kept in the state directory and given to the report. */
static void
keep_pair(struct grun *g, const char *what, const char *dev_note,
    const struct view *v)
{
	const char *label[2] = {"device", v->label},
	           *note[2]  = {dev_note, v->note};
	char err[AUDIT_ERR_MAX];
	struct evidence *e;
	size_t i;

	if (g->rep->nev == EVIDENCE_MAX) {
		return;
	}
	e = &g->rep->ev[g->rep->nev++];
	memset(e, 0, sizeof(*e));
	e->what = what;
	e->kept = state_evidence(g->st, what, label, note, e->dir, err)
	    == AUDIT_OK;
	if (!e->kept) {
		snprintf(e->dir, sizeof(e->dir), "%s", err);
	}
	for (i = 0; i < 2; i++) {
		e->label[i] = label[i];
		e->note[i]  = strdup(note[i]);
	}
}

/* The central's proof that the tree of m is a prefix of the tree of n:
 * 1 it holds, 0 it does not (or the central gives none), -1 with err
 * for a network failure. */
static int
joined(struct grun *g, uint64_t m, const uint8_t rm[32], uint64_t n,
    const uint8_t rn[32], char *err)
{
	uint8_t proof[COSO_PROOF_MAX][32];
	size_t count = 0;
	int rv;

	if (m == n) {
		return memcmp(rm, rn, 32) == 0;
	}
	rv = api_consistency(g->f, m, n, proof, &count, err);
	if (rv == AUDIT_NET || rv == AUDIT_MEM) {
		return -1;
	}
	return rv == AUDIT_OK
	    && coso_verify_consistency(m, n, proof[0], count, rm, rn)
	    == COSO_OK;
}

/* A split view: the anomaly and the pair. */
static void
split(struct grun *g, const char *dev_note, const struct coso_checkpoint *d,
    const struct view *v, const char *why)
{
	report_anomaly(g->rep, "split_view", -1,
	    _("%s: a device holds a checkpoint of %" PRIu64
	      " entries that cannot be true with the %s one of %" PRIu64
	      " entries: %s"),
	    g->file, d->size, v->label, v->cp.size, why);
	keep_pair(g, "split_view", dev_note, v);
}

/* One device note against one view; 1 consistent, 0 split, -1 network. */
static int
against(struct grun *g, const char *note, const struct coso_checkpoint *d,
    const struct view *v, char *err)
{
	const struct coso_checkpoint *c = &v->cp;
	int ok;

	if (d->size == c->size) {
		if (memcmp(d->root, c->root, 32) == 0) {
			return 1;
		}
		split(g, note, d, v, _("two roots for one size"));
		return 0;
	}
	if (d->size > g->v[0].cp.size) {
		split(g, note, d, v,
		    _("the central now serves a smaller log than it signed "
		      "for the device"));
		return 0;
	}
	ok = d->size < c->size
	    ? joined(g, d->size, d->root, c->size, c->root, err)
	    : joined(g, c->size, c->root, d->size, d->root, err);
	if (ok == 0) {
		split(g, note, d, v,
		    _("no consistency proof of the central joins them"));
	}
	return ok;
}

/* A note from a file: signed by the pinned key, then against each
 * view.  AUDIT_OK or AUDIT_NET. */
static int
check_note(struct grun *g, const struct coso_gossip_note *n, char *err)
{
	struct coso_checkpoint d;
	char *note = strndup(n->note, n->len);
	size_t i;
	int rv, ok = 1, r;

	if (note == NULL) {
		snprintf(err, AUDIT_ERR_MAX, "%s", _("out of memory"));
		return AUDIT_MEM;
	}
	if ((rv = note_verify(g->cfg, note, n->len, &d)) != COSO_OK) {
		report_anomaly(g->rep, "gossip_note", -1,
		    _("%s: a checkpoint does not verify with the pinned "
		      "central key: %s"),
		    g->file, coso_strerror(rv));
		free(note);
		return AUDIT_OK;
	}
	g->res->checkpoints++;
	for (i = 0; i < g->nv && ok == 1; i++) {
		if ((r = against(g, note, &d, &g->v[i], err)) < 0) {
			free(note);
			return AUDIT_NET;
		}
		ok = r;
	}
	g->res->consistent += ok == 1;
	free(note);
	return AUDIT_OK;
}

/* The file's note of a tree size, verified, into cp; 0 if none. */
static int
note_of_size(const struct grun *g, const struct coso_gossip *gf, uint64_t size,
    struct coso_checkpoint *cp)
{
	size_t i;

	for (i = 0; i < gf->nnotes; i++) {
		if (note_verify(
		        g->cfg, gf->notes[i].note, gf->notes[i].len, cp)
		        == COSO_OK
		    && cp->size == size) {
			return 1;
		}
	}
	return 0;
}

/* A receipt: signed by the pinned key, its leaf (rebuilt from the
 * receipt, the seq and the device's key) led by its proof to the root
 * of the file's note of its tree size. */
static void
check_receipt(struct grun *g, const struct coso_gossip *gf,
    const struct coso_gossip_receipt *gr)
{
	struct coso_receipt r;
	struct coso_checkpoint cp;
	struct coso_leaf l;
	uint8_t data[COSO_LEAF_BYTES], h[32];

	if (coso_receipt_verify(
	        &r, gr->receipt, COSO_RECEIPT_BYTES, g->cfg->central_pk)
	    != COSO_OK) {
		report_anomaly(g->rep, "gossip_receipt", -1,
		    _("%s: the receipt of seq %" PRIu64
		      " does not verify with the pinned central key"),
		    g->file, gr->seq);
		return;
	}
	memset(&l, 0, sizeof(l));
	memcpy(l.cs_id, r.cs_id, 32);
	coso_keyid_of(l.author, gf->device_pk);
	l.seq         = gr->seq;
	l.received_ms = r.received_ms;
	l.verdict     = r.verdict;
	coso_leaf_encode(data, &l);
	coso_leaf_hash(h, data, sizeof(data));
	if (!note_of_size(g, gf, gr->tree_size, &cp)
	    || coso_verify_inclusion(
	           h, r.leaf_index, cp.size, gr->proof, gr->nproof, cp.root)
	        != COSO_OK) {
		report_anomaly(g->rep, "gossip_receipt", -1,
		    _("%s: the receipt of seq %" PRIu64
		      " is not proved into a checkpoint of the file"),
		    g->file, gr->seq);
		return;
	}
	g->res->receipts++;
}

static int
check_file(struct grun *g, const struct coso_gossip *gf, char *err)
{
	size_t i;
	int rv = AUDIT_OK;

	if (sodium_memcmp(gf->central_pk, g->cfg->central_pk, 32) != 0) {
		report_anomaly(g->rep, "gossip_key", -1,
		    _("%s: the device pinned another central key"), g->file);
		return AUDIT_OK;
	}
	for (i = 0; i < gf->nnotes && rv == AUDIT_OK; i++) {
		rv = check_note(g, &gf->notes[i], err);
	}
	for (i = 0; i < gf->nreceipts && rv == AUDIT_OK; i++) {
		check_receipt(g, gf, &gf->receipts[i]);
	}
	/* What the device refused is checked as what it held: a note it
	 * kept as evidence is the central's word too. */
	for (i = 0; i < gf->nevidence && rv == AUDIT_OK; i++) {
		g->res->device_evidence++;
		if ((rv = check_note(g, &gf->evidence[i].held, err))
		    == AUDIT_OK) {
			rv = check_note(g, &gf->evidence[i].fresh, err);
		}
	}
	return rv;
}

static int
read_file(struct grun *g, const char *path, char *err)
{
	struct coso_gossip *gf = NULL;
	uint8_t *buf           = NULL;
	size_t len             = 0;
	int e, rv;

	g->file = path;
	if ((e = coso_file_read(path, COSO_GOSSIP_MAX, &buf, &len)) != 0) {
		snprintf(err, AUDIT_ERR_MAX, _("cannot read `%s': %s"), path,
		    coso_strerror(e));
		return AUDIT_MEM;
	}
	if ((e = coso_gossip_decode(&gf, buf, len)) != COSO_OK) {
		snprintf(err, AUDIT_ERR_MAX,
		    _("`%s' is not a gossip file (coso receipts export): %s"),
		    path, coso_strerror(e));
		free(buf);
		return AUDIT_MEM;
	}
	g->res->files++;
	rv = check_file(g, gf, err);
	coso_gossip_free(gf);
	free(buf);
	return rv;
}

/* The views: the central's checkpoint now (it must verify), and the one
 * this auditor verified last, if another. */
static int
views(struct grun *g, char *err)
{
	struct view *c = &g->v[0], *s = &g->v[1];
	int rv;

	c->label = "central";
	if ((rv = api_checkpoint(g->f, &c->note, &c->len)) != AUDIT_OK) {
		snprintf(err, AUDIT_ERR_MAX, "%s", g->f->err);
		return rv == AUDIT_NET ? AUDIT_NET : AUDIT_MEM;
	}
	if ((rv = note_verify(g->cfg, c->note, c->len, &c->cp)) != COSO_OK) {
		snprintf(err, AUDIT_ERR_MAX,
		    _("the central's checkpoint does not verify with the "
		      "pinned central key: %s"),
		    coso_strerror(rv));
		return AUDIT_MEM;
	}
	g->nv             = 1;
	g->res->view_size = c->cp.size;
	snprintf(g->res->view_origin, sizeof(g->res->view_origin), "%s",
	    c->cp.origin);
	s->label = "verified";
	if (state_checkpoint(g->st, &s->note) != AUDIT_OK) {
		snprintf(err, AUDIT_ERR_MAX, "%s", _("cannot read the state"));
		return AUDIT_MEM;
	}
	if (s->note != NULL && strcmp(s->note, c->note) != 0) {
		s->len = strlen(s->note);
		if (note_verify(g->cfg, s->note, s->len, &s->cp) == COSO_OK) {
			g->nv = 2;
		}
	}
	return AUDIT_OK;
}

int
gossip_run(const struct audit_cfg *cfg, struct fetch *f,
    struct audit_state *st, char *const *files, size_t nfiles,
    struct report *rep, struct gossip_result *res,
    char err[static AUDIT_ERR_MAX])
{
	struct grun g = {cfg, f, st, rep, res, {{0}}, 0, NULL};
	size_t i;
	int rv;

	memset(res, 0, sizeof(*res));
	rv = views(&g, err);
	for (i = 0; i < nfiles && rv == AUDIT_OK; i++) {
		rv = read_file(&g, files[i], err);
	}
	free(g.v[0].note);
	free(g.v[1].note);
	return rv;
}
