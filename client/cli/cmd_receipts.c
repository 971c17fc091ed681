/*
 * cmd_receipts.c: `coso receipts list|verify`: the central's signed
 * statements that it received this device's change-sets, and when.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "i18n.h"
#include "output.h"
#include "session.h"
#include "util.h"

static const struct out_col receipt_cols[] = {
    {"seq", N_("Seq"), 6, 0},
    {"received_ms", N_("Received"), 16, 0},
    {"leaf_index", N_("Log index"), 9, 0},
    {"verdict", N_("Verdict"), 11, 0},
    {"cs_id", N_("Change-set"), 16, OUT_CUT_TAIL},
};

static int
list_fn(struct coso_store *s, const struct coso_filter *f, coso_row_cb cb,
    void *arg)
{
	(void) f;
	return coso_receipt_list(s, cb, arg);
}

/* Prints each receipt that fails. */
static int
verify_row(const struct coso_row *row, void *arg)
{
	const struct coso_kv *ok  = out_find(row, "ok");
	const struct coso_kv *seq = out_find(row, "seq");
	const struct coso_kv *err = out_find(row, "error");

	(void) arg;
	if (ok != NULL && ok->i == 0) {
		printf(_("change-set %" PRId64 ": receipt does not verify: "
		         "%s\n"),
		    seq != NULL ? seq->i : 0,
		    err != NULL && err->s ? cli_sentence(err->s) : "");
	}
	return 0;
}

static int
receipts_verify(const struct cli_opts *g)
{
	struct coso_store *s = NULL;
	uint64_t bad = 0, total = 0;
	struct coso_status st;
	int e, rv;

	if ((rv = cli_open(g, &s)) != 0) {
		return rv;
	}
	if ((e = coso_receipts_verify(s, verify_row, NULL, &bad)) != COSO_OK) {
		rv = cli_store_fail(s, _("cannot verify receipts"), e);
	} else {
		if (coso_status_get(s, &st) == COSO_OK) {
			total = st.receipts;
		}
		printf(_("%" PRIu64 " receipts, %" PRIu64 " failed\n"), total,
		    bad);
		rv = bad == 0 ? 0 : EXIT_FAIL;
	}
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
		rv = cli_list(g, list_fn, &lo, receipt_cols,
		    sizeof(receipt_cols) / sizeof(receipt_cols[0]),
		    _("cannot list receipts"));
	} else if (strcmp(sub, "verify") == 0 && argc == 2) {
		rv = receipts_verify(g);
	}
	if (rv != EXIT_USAGE) {
		return rv;
	}
	return cli_usage("coso receipts list [--json]\n"
	                 "       coso receipts verify\n");
}
