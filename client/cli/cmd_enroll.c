/*
 * cmd_enroll.c: `coso enroll TOKEN`: queues the enrollment an admin issued
 * for this cadre; the next sync sends it before anything else.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "i18n.h"
#include "session.h"
#include "util.h"

int
cmd_enroll(const struct cli_opts *g, int argc, char **argv)
{
	struct coso_store *s = NULL;
	int e, rv;

	if (argc != 2 || argv[1][0] == '-') {
		return cli_usage("coso enroll TOKEN\n");
	}
	if ((rv = cli_open(g, &s)) != 0) {
		return rv;
	}
	if ((e = coso_enroll_queue(s, argv[1])) != COSO_OK) {
		rv = cli_store_fail(s, _("cannot queue the enrollment"), e);
	} else {
		printf("%s\n",
		    _("enrollment queued: it is sent at the next "
		      "sync"));
	}
	coso_store_close(s);
	return rv;
}
