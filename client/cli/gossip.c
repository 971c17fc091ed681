/*
 * gossip.c: `coso receipts checkpoints|export', the evidence part of
 * `coso receipts verify' and of `coso status' (gossip.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <coso/common.h>

#include "commands.h"
#include "gossip.h"
#include "i18n.h"
#include "util.h"

static const struct out_col checkpoint_cols[] = {
    {"size", N_("Tree size"), 10, 0},
    {"consistency", N_("Joined"), 9, 0},
    {"received_ms", N_("Received"), 16, 0},
};

/* The kinds of evidence, for people. */
static const char *
kind_text(const char *kind)
{
	if (strcmp(kind, "backwards") == 0) {
		return _("the log moved backwards: a smaller tree than one "
		         "already signed");
	}
	if (strcmp(kind, "fork") == 0) {
		return _("two different trees of the same size");
	}
	return _("a larger tree that does not extend the one held (its "
	         "consistency proof fails)");
}

/* A list function for cli_list over coso_checkpoint_list (the filter is
 * not used). */
static int
checkpoint_list(struct coso_store *s, const struct coso_filter *f,
    coso_row_cb cb, void *arg)
{
	(void) f;
	return coso_checkpoint_list(s, cb, arg);
}

int
cli_gossip_checkpoints(const struct cli_opts *g, int json)
{
	struct list_opts lo = {.json = json};

	return cli_list(g, checkpoint_list, &lo, checkpoint_cols,
	    sizeof(checkpoint_cols) / sizeof(checkpoint_cols[0]),
	    _("cannot list checkpoints"));
}

static const char *
text_of(const struct coso_row *row, const char *key)
{
	const struct coso_kv *kv = out_find(row, key);

	return kv != NULL && kv->type == COSO_VTEXT ? kv->s : "";
}

static int64_t
int_of(const struct coso_row *row, const char *key)
{
	const struct coso_kv *kv = out_find(row, key);

	return kv != NULL && kv->type == COSO_VINT ? kv->i : 0;
}

struct ev_state {
	struct out_list *json;
	uint64_t n;
};

/* One pair for people: what it is, when, and both notes as kept. */
static void
ev_print(const struct coso_row *row)
{
	char first[32], last[32];

	out_time(first, sizeof(first), (uint64_t) int_of(row, "first_ms"));
	out_time(last, sizeof(last), (uint64_t) int_of(row, "last_ms"));
	printf(_("SPLIT VIEW: %s (size %" PRId64 " held, size %" PRId64
	         " refused)\n"),
	    kind_text(text_of(row, "kind")), int_of(row, "held_size"),
	    int_of(row, "new_size"));
	printf(_("  first seen %s, last seen %s, %" PRId64 " times\n"), first,
	    last, int_of(row, "seen"));
	printf("%s\n%s", _("  checkpoint held:"), text_of(row, "held_note"));
	printf("%s\n%s", _("  checkpoint refused:"), text_of(row, "new_note"));
	util_err(_("split view: the central signed two checkpoints that "
	           "cannot both be true (sizes %" PRId64 " and %" PRId64
	           "); both are kept as evidence"),
	    int_of(row, "held_size"), int_of(row, "new_size"));
}

static int
ev_row(const struct coso_row *row, void *arg)
{
	struct ev_state *es = arg;
	struct coso_kv kv[10];
	struct coso_row r = {"evidence", 0, kv};
	size_t i;

	es->n++;
	if (es->json == NULL) {
		ev_print(row);
		return 0;
	}
	kv[r.n++]
	    = (struct coso_kv) {"status", COSO_VTEXT, 0, "split view", 0};
	kv[r.n++] = (struct coso_kv) {"ok", COSO_VINT, 0, NULL, 0};
	for (i = 1; i < row->n && r.n < 10; i++) { /* all but the id */
		kv[r.n++] = row->kv[i];
	}
	if (es->json->nrows == 0) {
		out_list_begin(es->json);
	}
	return out_list_row(&r, es->json);
}

int
cli_gossip_evidence(struct coso_store *s, struct out_list *json, uint64_t *n)
{
	struct ev_state es = {json, 0};
	int e;

	if ((e = coso_evidence_list(s, ev_row, &es)) != COSO_OK) {
		return cli_store_fail(s, _("cannot read the evidence"), e);
	}
	*n = es.n;
	return 0;
}

void
cli_gossip_status(const struct coso_status *st)
{
	printf("%s: %" PRIu64, _("Checkpoints held"), st->checkpoints);
	if (st->checkpoints > 0) {
		printf(_(" (largest tree: %" PRIu64 ")"), st->checkpoint_size);
	}
	putchar('\n');
	if (st->unproved > 0) {
		printf(
		    _("  %" PRIu64 " taken without a consistency proof (the "
		      "central is older than this coso)\n"),
		    st->unproved);
	}
	if (st->evidence > 0) {
		printf(_("SPLIT VIEW: the central signed checkpoints that "
		         "cannot all be true (%" PRIu64 " pairs kept as "
		         "evidence): coso receipts verify shows them; hand "
		         "coso receipts export to the auditor\n"),
		    st->evidence);
	}
}

void
cli_gossip_status_json(const struct coso_status *st)
{
	printf(",\"checkpoints\":%" PRIu64 ",\"checkpoint_size\":%" PRIu64
	       ",\"unproved\":%" PRIu64 ",\"evidence\":%" PRIu64
	       ",\"split_view\":%s",
	    st->checkpoints, st->checkpoint_size, st->unproved, st->evidence,
	    st->evidence > 0 ? "true" : "false");
}

/* --out FILE [--json], in any order. */
static int
export_args(int argc, char **argv, const char **out, int *json)
{
	int i;

	*out  = NULL;
	*json = 0;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--out") == 0 && i + 1 < argc
		    && *out == NULL) {
			*out = argv[++i];
		} else if (strcmp(argv[i], "--json") == 0 && !*json) {
			*json = 1;
		} else {
			return -1;
		}
	}
	return *out != NULL ? 0 : -1;
}

int
cli_gossip_export(const struct cli_opts *g, int argc, char **argv)
{
	struct coso_gossip_counts n = {0};
	struct coso_store *s        = NULL;
	const char *path;
	uint8_t *buf = NULL;
	size_t len   = 0;
	int json, e, rv;

	if (export_args(argc, argv, &path, &json) != 0) {
		return cli_usage("coso receipts export --out FILE [--json]\n");
	}
	if ((rv = cli_open(g, &s)) != 0) {
		return rv;
	}
	if ((e = coso_gossip_export(s, &buf, &len, &n)) != COSO_OK) {
		rv = cli_store_fail(s, _("cannot export the receipts"), e);
	} else if ((e = coso_file_write(path, buf, len, 0644)) != COSO_OK) {
		util_err(_("cannot write `%s': %s"), path, coso_strerror(e));
		rv = EXIT_FAIL;
	} else if (json) {
		printf("{\"file\":");
		out_json_string(stdout, path);
		printf(",\"bytes\":%zu,\"checkpoints\":%" PRIu64
		       ",\"receipts\":%" PRIu64 ",\"evidence\":%" PRIu64 "}\n",
		    len, n.checkpoints, n.receipts, n.evidence);
	} else {
		printf(_("%s: %" PRIu64 " checkpoints, %" PRIu64
		         " receipts, %" PRIu64 " pairs of evidence (%zu "
		         "bytes)\n"),
		    path, n.checkpoints, n.receipts, n.evidence, len);
	}
	free(buf);
	coso_store_close(s);
	return rv;
}
