/*
 * cmd_sync.c: `coso sync`: one round with the central node in the
 * foreground, with a progress bar when stderr is a terminal.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "i18n.h"
#include "output.h"
#include "quarantine.h"
#include "session.h"
#include "util.h"

#define BAR_WIDTH 30

/* The progress bar: one line on stderr, redrawn in place. */
static int
bar(enum coso_sync_phase ph, uint64_t done, uint64_t total,
    const struct coso_sync_report *r, void *arg)
{
	char fill[BAR_WIDTH + 1];
	size_t n = 0;

	(void) r;
	(void) arg;
	if (ph == COSO_SYNC_PUSH && total > 0) {
		n = (size_t) (done >= total ? BAR_WIDTH
		                            : done * BAR_WIDTH / total);
		memset(fill, '#', n);
		memset(fill + n, '.', BAR_WIDTH - n);
		fill[BAR_WIDTH] = 0;
		fprintf(stderr, "\r%s [%s] %" PRIu64 "/%" PRIu64 "  ",
		    _("sending"), fill, done, total);
	} else if (ph == COSO_SYNC_PULL) {
		fprintf(stderr, "\r%s %" PRIu64 "%*s", _("receiving"), done,
		    BAR_WIDTH, "");
	} else {
		fprintf(stderr, "\r%s%*s", _("connecting..."), BAR_WIDTH, "");
	}
	fflush(stderr);
	return 0;
}

static void
print_json(const struct coso_sync_report *r, int e, const char *msg)
{
	size_t i;

	printf("{\"ok\":%s,\"error\":", e == COSO_OK ? "true" : "false");
	if (e == COSO_OK) {
		fputs("null", stdout);
	} else {
		out_json_string(stdout, msg);
	}
	printf(",\"pushed\":%" PRIu64 ",\"accepted\":%" PRIu64
	       ",\"duplicate\":%" PRIu64 ",\"quarantined\":%" PRIu64
	       ",\"bad_receipts\":%" PRIu64 ",\"pending\":%" PRIu64
	       ",\"pulled\":%" PRIu64 ",\"applied\":%" PRIu64
	       ",\"skipped\":%" PRIu64 ",\"bytes_sent\":%" PRIu64
	       ",\"bytes_received\":%" PRIu64 ",\"skew_ms\":%" PRId64
	       ",\"clamped\":%" PRIu64 ",\"restored\":%" PRIu64
	       ",\"enrolled\":%s,\"refused\":%d,\"elapsed_ms\":%" PRIu64
	       ",\"quarantine\":[",
	    r->pushed, r->accepted, r->duplicate, r->quarantined,
	    r->bad_receipts, r->pending, r->pulled, r->applied, r->skipped,
	    r->bytes_sent, r->bytes_received, r->skew_ms, r->clamped,
	    r->restored, r->enrolled ? "true" : "false", r->refused,
	    r->elapsed_ms);
	for (i = 0; i < r->nquarantine; i++) {
		const char *name = coso_reason_name(r->quarantine[i].reason);

		printf("%s{\"seq\":%" PRIu64 ",\"reason\":%u,\"name\":",
		    i ? "," : "", r->quarantine[i].seq,
		    (unsigned) r->quarantine[i].reason);
		if (name != NULL) {
			out_json_string(stdout, name);
		} else {
			fputs("null", stdout);
		}
		fputs(",\"text\":", stdout);
		out_json_string(
		    stdout, coso_strerror(r->quarantine[i].reason));
		fputs(",\"why\":", stdout);
		out_json_string(stdout, cliq_why(name));
		fputs(",\"what_to_do\":", stdout);
		out_json_string(stdout, cliq_todo(name));
		putchar('}');
	}
	printf("]}\n");
}

static void
print_human(struct coso_store *s, const struct coso_sync_report *r)
{
	uint64_t seqs[COSO_SYNC_QMAX];
	size_t i;

	printf(ngettext("sent %" PRIu64 " change-set",
	           "sent %" PRIu64 " change-sets", r->pushed),
	    r->pushed);
	printf(
	    _(" (accepted %" PRIu64 ", duplicate %" PRIu64
	      ", quarantined %" PRIu64 "), received %" PRIu64
	      " (applied %" PRIu64 "), %" PRIu64 " waiting, %" PRIu64 " ms\n"),
	    r->accepted, r->duplicate, r->quarantined, r->pulled, r->applied,
	    r->pending, r->elapsed_ms);
	for (i = 0; i < r->nquarantine; i++) {
		seqs[i] = r->quarantine[i].seq;
	}
	if (r->nquarantine > 0) {
		/* Each record, why and what to do; `coso status' keeps
		 * saying it after this round. */
		printf(
		    "%s\n", _("Not accepted by the central (quarantined):"));
		(void) cliq_print(s, stdout, seqs, r->nquarantine);
	}
	if (r->central_ms != 0
	    && (r->skew_ms > 60000 || r->skew_ms < -60000)) {
		printf(_("warning: this device's clock is off by %" PRId64
		         " s from the central's\n"),
		    r->skew_ms / 1000);
	}
}

/* The failure sentence for people: what happened, once, and what to do
 * (the library's detail would repeat the central's reason). */
static void
print_failure(struct coso_store *s, int e, const struct coso_sync_report *r)
{
	if (e == COSO_EREFUSED && r->enroll_code != 0) {
		util_err(
		    _("enrollment refused: %s"), cli_strerror(r->enroll_code));
		if (r->enroll_code == COSO_QTOKEN) {
			util_err("%s",
			    _("ask the office for a new token (`coso admin "
			      "token --cadre ID') and give it to `coso enroll "
			      "--token-file FILE', then sync again"));
		}
	} else if (e == COSO_EREFUSED && r->refused != 0) {
		util_err(
		    _("the central refused: %s"), cli_strerror(r->refused));
	} else if (e == COSO_ENET) {
		cli_store_fail(s, _("central unreachable"), e);
	} else {
		cli_store_fail(s, _("sync failed"), e);
	}
}

/* --json, --timeout SECONDS, --tls-ca FILE and --tls-server-name NAME;
 * 0, or -1 for a usage error. */
static int
sync_opts(int argc, char **argv, struct coso_sync_opts *o, int *json)
{
	static const struct option longopts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"timeout", required_argument, NULL, 't'},
	    {"tls-ca", required_argument, NULL, 'c'},
	    {"tls-server-name", required_argument, NULL, 'n'},
	    {NULL, 0, NULL, 0},
	};
	long secs;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 'j') {
			*json = 1;
		} else if (c == 'c') {
			o->tls_ca = optarg;
		} else if (c == 'n') {
			o->tls_server_name = optarg;
		} else if (c == 't' && (secs = strtol(optarg, NULL, 10)) > 0
		    && secs <= 3600) {
			o->recv_timeout_ms = (uint32_t) secs * 1000u;
		} else {
			return -1;
		}
	}
	return optind == argc ? 0 : -1;
}

int
cmd_sync(const struct cli_opts *g, int argc, char **argv)
{
	struct coso_sync_opts o   = {0};
	struct coso_sync_report r = {0};
	struct coso_store *s      = NULL;
	int e, json = 0, rv;

	if (sync_opts(argc, argv, &o, &json) != 0) {
		return cli_usage("coso sync [--json] [--timeout SECONDS] "
		                 "[--tls-ca FILE [--tls-server-name NAME]]\n");
	}
	if ((rv = cli_open(g, &s)) != 0) {
		return rv;
	}
	if (cli_progress() && !json) {
		o.progress = bar;
	}
	e = coso_sync_round(s, &o, &r);
	if (o.progress != NULL) {
		fprintf(stderr, "\r%*s\r", BAR_WIDTH + 30, "");
	}
	if (json) {
		print_json(&r, e, coso_store_errmsg(s));
	} else if (e == COSO_OK) {
		print_human(s, &r);
	}
	if (e != COSO_OK) {
		print_failure(s, e, &r);
	}
	rv = e == COSO_OK && r.pending == 0 ? 0 : EXIT_FAIL;
	coso_store_close(s);
	return rv;
}
