/*
 * quorum.c: a checkpoint is believed only with the cosignatures of
 * enough witnesses (docs/audit.md, "Witnesses").  A central that shows
 * this auditor one history and its witnesses (or the devices) another
 * cannot get the witnesses that saw the other one to cosign this one:
 * they hold a checkpoint it does not extend.
 */
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "audit.h"

int
quorum_check(const struct audit_cfg *cfg, const char *note, size_t len,
    struct report *rep, struct audit_result *res)
{
	struct coso_checkpoint cp;
	char missing[1024] = "";
	size_t i, used = 0;
	uint64_t t;
	int rc, n;

	res->cosigned = 0;
	if (cfg->nwitnesses == 0) {
		return 0;
	}
	for (i = 0; i < cfg->nwitnesses; i++) {
		const struct audit_witness *w = &cfg->witness[i];

		rc = coso_cosig_verify(&t, &cp, note, len, w->name, w->pk);
		if (rc == COSO_OK) {
			res->cosigned++;
			continue;
		}
		n = snprintf(missing + used, sizeof(missing) - used,
		    "%s%s (%s)", used > 0 ? ", " : "", w->name,
		    rc == COSO_EWRONGKEY ? _("no cosignature")
		                         : coso_strerror(rc));
		if (n > 0 && (size_t) n < sizeof(missing) - used) {
			used += (size_t) n;
		}
	}
	if (res->cosigned >= cfg->quorum) {
		return 0;
	}
	report_anomaly(rep, "witness_quorum", -1,
	    _("the checkpoint is cosigned by %zu of the %zu witnesses, %zu "
	      "required; missing: %s"),
	    res->cosigned, cfg->nwitnesses, cfg->quorum, missing);
	return -1;
}
