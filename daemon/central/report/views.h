/*
 * views.h: the data behind the office's console (docs/central.md,
 * "Views"), each a JSON document for a period and a scope, served the
 * same by `cosod central report VIEW' and GET /api/v1/views/VIEW:
 *
 *   overview    reports expected / on time / late / sent late because
 *               offline / missing, by district, sector, commune,
 *               village and cadre, and each report with its signature
 *   coverage    report_coverage's lists, cadres with no visit, and the
 *               handovers after rotations
 *   proposals   every proposal with its answers; open, answered and
 *               overdue by sector and by unit
 *   quarantine  what the central refused, from whom, why
 *   devices     every key: last seen, days since its last change-set,
 *               clock skew, revoked
 *   trend       the reporting rate of the last quarters; proposals by
 *               sector
 *   audit       tree size, latest checkpoint, verifier key, the
 *               checkpoints, how to audit (public: no scope)
 *
 * The figures come from report.h's computations; the views only choose,
 * group and lay out.  Any thread, one handle per thread (report_store.h).
 */
#ifndef COSOD_VIEWS_H
#define COSOD_VIEWS_H

#include <stdint.h>

#include <jansson.h>

#include "report.h"

/* Who a view is for: NULL = no limit.  unit: that unit's subtree (as
 * the tree stood in the period); sector: the cadres assigned to that
 * sector in the period and the units they are assigned to.  Both: what
 * both allow. */
struct view_scope {
	const char *unit;
	const char *sector;
};

enum view_kind {
	VIEW_OVERVIEW   = 0,
	VIEW_COVERAGE   = 1,
	VIEW_PROPOSALS  = 2,
	VIEW_QUARANTINE = 3,
	VIEW_DEVICES    = 4,
	VIEW_TREND      = 5,
	VIEW_AUDIT      = 6,
};
#define VIEW_COUNT 7

/* A proposal still open this many days after it was made is overdue. */
#define VIEW_OVERDUE_DAYS 30
/* Quarters the trend shows, ending with the period's last. */
#define VIEW_TREND_QUARTERS 8
/* Checkpoints the audit view lists, newest first. */
#define VIEW_CHECKPOINTS_MAX 50

/* What a view is asked for.  period: NULL for the quarter of today;
 * today: YYYYMMDD, the day the view is judged on; unit and status:
 * proposals only (NULL, -1 for all). */
struct view_args {
	const char *period;
	const char *unit; /* proposals: report_proposals' unit filter */
	int32_t today;
	struct view_scope scope;
	int status;
};

/* "overview" .. "audit" -> VIEW_*, -1 if none; and back. */
int view_parse(const char *name);
const char *view_name(enum view_kind k);
/* Whether the view is public (no session, no scope): audit only. */
int view_public(enum view_kind k);

/*
 * One function per view: *out a new JSON document (caller decrefs).
 * COSO_EINVAL with errmsg for a bad period, an unknown scope unit or
 * sector; COSO_EIO / COSO_ENOMEM / COSO_ETOOBIG with errmsg otherwise.
 */
COSO_NODISCARD int view_overview(struct cstore_report_db *db,
    const struct view_args *a, json_t **out,
    char errmsg[static REPORT_ERRMSG_MAX]);
COSO_NODISCARD int view_coverage(struct cstore_report_db *db,
    const struct view_args *a, json_t **out,
    char errmsg[static REPORT_ERRMSG_MAX]);
COSO_NODISCARD int view_proposals(struct cstore_report_db *db,
    const struct view_args *a, json_t **out,
    char errmsg[static REPORT_ERRMSG_MAX]);
COSO_NODISCARD int view_quarantine(struct cstore_report_db *db,
    const struct view_args *a, json_t **out,
    char errmsg[static REPORT_ERRMSG_MAX]);
COSO_NODISCARD int view_devices(struct cstore_report_db *db,
    const struct view_args *a, json_t **out,
    char errmsg[static REPORT_ERRMSG_MAX]);
COSO_NODISCARD int view_trend(struct cstore_report_db *db,
    const struct view_args *a, json_t **out,
    char errmsg[static REPORT_ERRMSG_MAX]);
COSO_NODISCARD int view_audit(struct cstore_report_db *db,
    const struct view_args *a, json_t **out,
    char errmsg[static REPORT_ERRMSG_MAX]);

/* The view k by kind. */
COSO_NODISCARD int view_json(struct cstore_report_db *db, enum view_kind k,
    const struct view_args *a, json_t **out,
    char errmsg[static REPORT_ERRMSG_MAX]);

/* Writes doc, view k's document, in fmt (report_out.h) to path (NULL:
 * stdout): JSON as is, the others with Vietnamese headers. */
COSO_NODISCARD int view_write(const json_t *doc, enum view_kind k, int fmt,
    const char *path, char errmsg[static REPORT_ERRMSG_MAX]);

#endif /* COSOD_VIEWS_H */
