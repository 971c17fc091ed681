/*
 * cmd_status.c: `coso status`: what waits to be sent, and since when.
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

static void
json_str(const char *key, const char *val)
{
	out_json_string(stdout, key);
	putchar(':');
	out_json_string(stdout, val);
	putchar(',');
}

/* Why nothing more is accepted from a revoked device, in words. */
static const char *
refusal_text(const struct coso_status *st)
{
	static char text[512];
	char when[32];

	out_time(when, sizeof(when), st->revoked_ms);
	snprintf(text, sizeof(text),
	    _("This device's key was revoked (seen at the sync of %s): the "
	      "central refuses everything it sends, and its %" PRIu64
	      " change-sets waiting stay on this device. Ask the office to "
	      "enroll a new device for this cadre; records made here and "
	      "not sent must be entered again there."),
	    when, st->pending);
	return text;
}

/* The object, the quarantined change-sets in it; 0 or -1. */
static int
print_json(struct coso_store *s, const struct coso_status *st, uint64_t now)
{
	uint64_t age
	    = st->oldest_pending_ms != 0 && now > st->oldest_pending_ms
	    ? (now - st->oldest_pending_ms) / 1000
	    : 0;

	putchar('{');
	json_str("cadre_id", st->cadre_id);
	json_str("name", st->name);
	json_str("central_url", st->central_url);
	json_str("shortid", st->shortid);
	printf("\"head_seq\":%" PRIu64 ",\"pending\":%" PRIu64
	       ",\"oldest_pending_ms\":%" PRIu64
	       ",\"oldest_pending_age_s\":%" PRIu64
	       ",\"last_sync_ms\":%" PRIu64 ",\"receipts\":%" PRIu64
	       ",\"visits\":%" PRIu64 ",\"reports\":%" PRIu64
	       ",\"drafts\":%" PRIu64 ",\"proposals_open\":%" PRIu64
	       ",\"units\":%" PRIu64 ",\"quarantined\":%" PRIu64,
	    st->head_seq, st->pending, st->oldest_pending_ms, age,
	    st->last_sync_ms, st->receipts, st->visits, st->reports,
	    st->drafts, st->proposals_open, st->units, st->quarantined);
	/* The clock: null until a sync has measured it. */
	if (st->skew_at_ms != 0) {
		printf(",\"skew_ms\":%" PRId64 ",\"skew_at_ms\":%" PRIu64
		       ",\"clock_ok\":%s",
		    st->skew_ms, st->skew_at_ms,
		    st->clock_wrong ? "false" : "true");
	} else {
		printf(",\"skew_ms\":null,\"skew_at_ms\":null,"
		       "\"clock_ok\":null");
	}
	printf(",\"clamped\":%" PRIu64, st->clamped);
	cli_gossip_status_json(st);
	if (st->revoked) {
		printf(",\"revoked\":true,\"revoked_ms\":%" PRIu64 ",",
		    st->revoked_ms);
		json_str("refusal", refusal_text(st));
		printf("\"quarantine\":");
	} else {
		printf(",\"revoked\":false,\"revoked_ms\":null,"
		       "\"refusal\":null,\"quarantine\":");
	}
	if (cliq_print_json(s, stdout) != 0) {
		return -1;
	}
	printf("}\n");
	return 0;
}

/* An age for people: minutes, hours or days. */
static void
age_text(char *buf, size_t n, uint64_t secs)
{
	if (secs < 3600) {
		snprintf(buf, n, _("%" PRIu64 " min"), secs / 60);
	} else if (secs < 2 * 86400) {
		snprintf(buf, n, _("%" PRIu64 " h"), secs / 3600);
	} else {
		snprintf(buf, n, _("%" PRIu64 " days"), secs / 86400);
	}
}

/* The clock, as the last sync measured it against the central's. */
static void
print_clock(const struct coso_status *st)
{
	int64_t off = st->skew_ms < 0 ? -st->skew_ms : st->skew_ms;
	char amount[32];

	age_text(amount, sizeof(amount), (uint64_t) off / 1000);
	if (st->skew_at_ms == 0) {
		/* never measured: nothing to say */
	} else if (!st->clock_wrong) {
		printf("%s: %s\n", _("Clock"),
		    _("right (checked at the last sync)"));
	} else if (st->skew_ms < 0) {
		printf(_("Clock: WRONG, %s ahead of the central's: set the "
		         "device's date and time\n"),
		    amount);
	} else {
		printf(_("Clock: WRONG, %s behind the central's: set the "
		         "device's date and time\n"),
		    amount);
	}
	if (st->clamped > 0) {
		printf(_("Change-sets signed with a clock far ahead: %" PRIu64
		         " (they count as written when the central received "
		         "them)\n"),
		    st->clamped);
	}
}

/* The status for people; 0, or -1 after a message. */
static int
print_human(struct coso_store *s, const struct coso_status *st, uint64_t now)
{
	char when[32], age[32];

	printf("%s: %s (%s)\n", _("Cadre"), st->name, st->cadre_id);
	printf("%s: %s\n", _("Device key"), st->shortid);
	printf("%s: %s\n", _("Central server"),
	    st->central_url[0] ? st->central_url : _("(not set)"));
	if (st->revoked) {
		printf("%s: %s\n", _("REVOKED"), refusal_text(st));
	}
	printf("%s: %" PRIu64 "\n", _("Change-sets waiting to be sent"),
	    st->pending);
	if (st->pending > 0 && st->oldest_pending_ms != 0) {
		out_time(when, sizeof(when), st->oldest_pending_ms);
		age_text(age, sizeof(age),
		    now > st->oldest_pending_ms
		        ? (now - st->oldest_pending_ms) / 1000
		        : 0);
		printf("%s: %s (%s)\n", _("Oldest waiting since"), when, age);
	}
	if (st->last_sync_ms != 0) {
		out_time(when, sizeof(when), st->last_sync_ms);
	}
	printf("%s: %s\n", _("Last sync"),
	    st->last_sync_ms != 0 ? when : _("never"));
	print_clock(st);
	printf("%s: %" PRIu64 "\n", _("Receipts held"), st->receipts);
	cli_gossip_status(st);
	printf("%s: %" PRIu64 "  %s: %" PRIu64 " (%s: %" PRIu64 ")  "
	       "%s: %" PRIu64 "  %s: %" PRIu64 "\n",
	    _("Visits"), st->visits, _("Reports"), st->reports, _("drafts"),
	    st->drafts, _("Open proposals"), st->proposals_open, _("Units"),
	    st->units);
	printf("%s: %" PRIu64 "\n",
	    _("Not accepted by the central (quarantined)"), st->quarantined);
	if (st->quarantined > 0) {
		printf("%s\n",
		    _("  These records count for nothing at the central; "
		      "each needs what is said below."));
		return cliq_print(s, stdout, NULL, 0) < 0 ? -1 : 0;
	}
	return 0;
}

int
cmd_status(const struct cli_opts *g, int argc, char **argv)
{
	struct coso_store *s  = NULL;
	struct coso_status st = {0};
	int json = argc == 2 && strcmp(argv[1], "--json") == 0, e, rv;

	if (argc > 2 || (argc == 2 && !json)) {
		return cli_usage("coso status [--json]\n");
	}
	if ((rv = cli_open(g, &s)) != 0) {
		return rv;
	}
	if ((e = coso_status_get(s, &st)) != COSO_OK) {
		rv = cli_store_fail(s, _("cannot read status"), e);
	} else if ((json ? print_json(s, &st, coso_wall_ms())
	                 : print_human(s, &st, coso_wall_ms()))
	    != 0) {
		rv = EXIT_FAIL;
	}
	coso_store_close(s);
	return rv;
}
