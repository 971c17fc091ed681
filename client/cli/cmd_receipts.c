/*
 * cmd_receipts.c: `coso receipts list|verify`: the central's signed
 * statements that it received this device's change-sets, and when, each
 * with the central's checkpoint and the inclusion proof of its leaf.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "gossip.h"
#include "i18n.h"
#include "output.h"
#include "quarantine.h"
#include "session.h"
#include "util.h"

static const struct out_col receipt_cols[] = {
    {"seq", N_("Seq"), 6, 0},
    {"received_ms", N_("Received"), 16, 0},
    {"leaf_index", N_("Log index"), 9, 0},
    {"verdict", N_("Verdict"), 11, 0},
    {"record", N_("Record"), 16, 0},
    {"record_id", N_("ID"), 8, OUT_CUT_TAIL},
    {"cs_id", N_("Change-set"), 16, OUT_CUT_TAIL},
    {"quarantine_reason", N_("Reason"), 16, 0},
};

/* The names coso_receipts_verify gives its checks (client.h), for the
 * catalogue. */
static const char *const checks[] = {
    N_("receipt signature"),
    N_("receipt record"),
    N_("outbox record"),
    N_("inclusion proof missing"),
    N_("checkpoint missing"),
    N_("checkpoint signature"),
    N_("checkpoint size"),
    N_("leaf index beyond checkpoint"),
    N_("inclusion proof"),
};

struct verify_state {
	struct out_list out;
	int json;
};

/* The translated name of a check. */
static const char *
check_name(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		if (strcmp(checks[i], s) == 0) {
			return _(checks[i]);
		}
	}
	return s;
}

/* Names each receipt that fails on stderr; with --json, prints every
 * row (those without a proof have status "no proof"). */
static int
verify_row(const struct coso_row *row, void *arg)
{
	struct verify_state *vs   = arg;
	const struct coso_kv *seq = out_find(row, "seq");
	const struct coso_kv *st  = out_find(row, "status");
	const struct coso_kv *chk = out_find(row, "check");
	const struct coso_kv *err = out_find(row, "error");
	int64_t n                 = seq != NULL ? seq->i : 0;
	const char *status        = st != NULL ? st->s : "";

	if (strcmp(status, "failed") == 0 && chk != NULL
	    && chk->type == COSO_VTEXT) {
		if (err != NULL && err->type == COSO_VTEXT) {
			util_err(_("change-set %" PRId64 ": receipt fails "
			           "verification: %s (%s)"),
			    n, check_name(chk->s), cli_sentence(err->s));
		} else {
			util_err(_("change-set %" PRId64 ": receipt fails "
			           "verification: %s"),
			    n, check_name(chk->s));
		}
	}
	if (!vs->json) {
		return 0;
	}
	if (vs->out.nrows == 0) {
		out_list_begin(&vs->out); /* "[" only once there is a row */
	}
	return out_list_row(row, &vs->out);
}

/* The summary; receipts without a proof are said to be so. */
static void
print_counts(const struct coso_receipt_counts *n)
{
	printf(ngettext("%" PRIu64 " receipt: ", "%" PRIu64 " receipts: ",
	           n->total),
	    n->total);
	printf(_("%" PRIu64 " verified, %" PRIu64
	         " without an inclusion proof, %" PRIu64 " failed\n"),
	    n->ok, n->no_proof, n->bad);
	if (n->no_proof > 0) {
		printf(
		    ngettext("%" PRIu64 " receipt was kept before inclusion "
		             "proofs were: only its signature is checked\n",
		        "%" PRIu64 " receipts were kept before inclusion "
		        "proofs were: only their signatures are checked\n",
		        n->no_proof),
		    n->no_proof);
	}
}

static int
receipts_verify(const struct cli_opts *g, int json)
{
	struct verify_state vs = {.json = json};
	struct coso_receipt_counts n;
	struct coso_store *s = NULL;
	uint64_t split       = 0;
	int e, rv;

	if ((rv = cli_open(g, &s)) != 0) {
		return rv;
	}
	vs.out.f    = stdout;
	vs.out.mode = OUT_JSON;
	if ((e = coso_receipts_verify(s, verify_row, &vs, &n)) != COSO_OK) {
		rv = cli_store_fail(s, _("cannot verify receipts"), e);
		goto out;
	}
	/* The evidence of a split view: both notes of each pair. */
	if (!json) {
		print_counts(&n);
	}
	if ((rv = cli_gossip_evidence(s, json ? &vs.out : NULL, &split))
	    != 0) {
		goto out;
	}
	if (json) {
		if (vs.out.nrows == 0) {
			out_list_begin(&vs.out);
		}
		out_list_end(&vs.out);
	}
	rv = n.bad == 0 && split == 0 ? 0 : EXIT_FAIL;
out:
	coso_store_close(s);
	return rv;
}

int
cmd_receipts(const struct cli_opts *g, int argc, char **argv)
{
	const char *sub     = argc > 1 ? argv[1] : "";
	struct list_opts lo = {0};
	int rv              = EXIT_USAGE;

	if (strcmp(sub, "list") == 0
	    && (rv = cli_list_opts(argc - 1, argv + 1, 0, &lo)) == 0) {
		rv = cli_list(g, cliq_receipt_list, &lo, receipt_cols,
		    sizeof(receipt_cols) / sizeof(receipt_cols[0]),
		    _("cannot list receipts"));
	} else if (strcmp(sub, "verify") == 0 && argc == 2) {
		rv = receipts_verify(g, 0);
	} else if (strcmp(sub, "verify") == 0 && argc == 3
	    && strcmp(argv[2], "--json") == 0) {
		rv = receipts_verify(g, 1);
	} else if (strcmp(sub, "checkpoints") == 0
	    && (argc == 2 || (argc == 3 && strcmp(argv[2], "--json") == 0))) {
		rv = cli_gossip_checkpoints(g, argc == 3);
	} else if (strcmp(sub, "export") == 0) {
		return cli_gossip_export(g, argc - 1, argv + 1);
	}
	if (rv != EXIT_USAGE) {
		return rv;
	}
	return cli_usage("coso receipts list [--json]\n"
	                 "       coso receipts verify [--json]\n"
	                 "       coso receipts checkpoints [--json]\n"
	                 "       coso receipts export --out FILE [--json]\n");
}
