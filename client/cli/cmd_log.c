/*
 * cmd_log.c: `coso log`: this device's own chain, every change-set
 * re-verified from its stored bytes.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "i18n.h"
#include "output.h"
#include "session.h"
#include "util.h"

struct log_state {
	struct out_list out;
};

static const struct out_col log_cols[] = {
    {"seq", N_("Seq"), 6, 0},
    {"id", N_("ID"), 16, 1},
    {"hlc_ms", N_("Time"), 16, 0},
    {"ops", N_("Ops"), 4, 0},
    {"bytes", N_("Bytes"), 6, 0},
    {"ok", N_("Verified"), 8, 0},
    {"error", N_("Error"), 40, 0},
};

/* Prints the row and names a failing change-set on stderr. */
static int
log_row(const struct coso_row *row, void *arg)
{
	struct log_state *ls      = arg;
	const struct coso_kv *ok  = out_find(row, "ok");
	const struct coso_kv *seq = out_find(row, "seq");
	const struct coso_kv *err = out_find(row, "error");

	if (ok != NULL && ok->type == COSO_VINT && ok->i == 0) {
		util_err(_("change-set %" PRId64 " fails verification: %s"),
		    seq != NULL ? seq->i : 0,
		    err != NULL && err->type == COSO_VTEXT
		        ? cli_sentence(err->s)
		        : "?");
	}
	return out_list_row(row, &ls->out);
}

int
cmd_log(const struct cli_opts *g, int argc, char **argv)
{
	struct log_state ls  = {0};
	struct coso_store *s = NULL;
	uint64_t bad         = 0;
	int json = argc == 2 && strcmp(argv[1], "--json") == 0, e, rv;

	if (argc > 2 || (argc == 2 && !json)) {
		return cli_usage("coso log [--json]\n");
	}
	if ((rv = cli_open(g, &s)) != 0) {
		return rv;
	}
	ls.out.f     = stdout;
	ls.out.mode  = json ? OUT_JSON : OUT_TABLE;
	ls.out.cols  = log_cols;
	ls.out.ncols = sizeof(log_cols) / sizeof(log_cols[0]);
	out_list_begin(&ls.out);
	if ((e = coso_log_verify(s, log_row, &ls, &bad)) != COSO_OK) {
		rv = cli_store_fail(s, _("cannot verify the log"), e);
	} else {
		out_list_end(&ls.out);
	}
	if (rv == 0 && bad > 0) {
		util_err(ngettext("%" PRIu64 " change-set fails verification",
		             "%" PRIu64 " change-sets fail verification", bad),
		    bad);
		rv = EXIT_FAIL;
	} else if (rv == 0 && !json) {
		printf(
		    ngettext("%zu change-set, its signature and link "
		             "verify\n",
		        "%zu change-sets, all signatures and links verify\n",
		        ls.out.nrows),
		    ls.out.nrows);
	}
	coso_store_close(s);
	return rv;
}
