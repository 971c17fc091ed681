/*
 * report.h: the central's reports for a provincial office
 * (docs/central.md, "Reports"; decisions in docs/decisions.md):
 *
 *   compliance  expected / received / on time / late / sent late because
 *               offline / missing / complete / with proposals, per cadre
 *               and per unit rolled up the unit tree, for a period
 *   coverage    units without an active assignee (since when), assigned
 *               units without a visit in the period
 *   proposals   proposals by age and unit, routed to the level that
 *               handles them
 *   pack        the quarterly review pack of one sector
 *
 * The computations take rows from report_store.h and decide everything
 * here, so that a test can check them against its own expectations.
 * Results own their strings; report_*_free accepts NULL.  Any thread, one
 * result per call.
 */
#ifndef COSOD_REPORT_H
#define COSOD_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include <coso/common.h>

#include "report_store.h"

#define REPORT_ERRMSG_MAX CSTORE_REPORT_ERRMSG_MAX

/* Used when no schedule row of any kind exists: quarterly, due 10 days
 * after the quarter, 5 days' grace. */
#define REPORT_DEFAULT_KIND  1
#define REPORT_DEFAULT_DUE   10
#define REPORT_DEFAULT_GRACE 5

/* The state of one expected report. */
enum report_status {
	REPORT_ON_TIME      = 0, /* received by the due date */
	REPORT_LATE         = 1, /* received after it, signed after it */
	REPORT_OFFLINE_LATE = 2, /* signed by the due date, received after */
	REPORT_MISSING      = 3, /* not received, grace over */
	REPORT_PENDING      = 4, /* not received, grace not over yet */
};

struct report_counts {
	uint64_t expected, received, on_time, late, in_grace, offline_late;
	uint64_t missing, pending, complete, with_proposals, visits_proposals;
};

/* One line of a table: a unit or a cadre. */
struct report_line {
	const char *code, *name; /* into the result's data */
	int level;               /* units: 1 province .. 5; cadres: 0 */
	struct report_counts c;
};

/* One expected report. */
struct report_item {
	const char *cadre, *name, *unit, *period;
	enum report_status status;
	int32_t due, grace_end;  /* YYYYMMDD */
	int32_t received;        /* date received (UTC+7), 0 if not */
	int32_t submitted;       /* date signed on the device, 0 if not */
	int64_t skew_ms;         /* offline_late: the device's skew */
	int complete, proposals; /* of the latest version received */
	size_t versions;         /* reports received for it */
	const char *id;          /* the latest version's row id, or NULL */
	int64_t position;        /* its change-set's log position, or -1 */
};

struct report_compliance {
	char period[16];
	int32_t first, last, today;
	const char *unit; /* the --unit filter, or NULL */
	int default_schedule;
	struct report_line *units; /* by level, then code */
	size_t nunits;
	struct report_line *cadres; /* by cadre id */
	size_t ncadres;
	struct report_item *items; /* by cadre, unit, period */
	size_t nitems;
	struct report_counts total;
	struct rs_data data;
	char *unit_copy;
	char periods[64][16]; /* the scheduled periods, items point here */
};

/* A unit that needs attention in coverage. */
struct report_gap {
	const char *code, *name;
	int level;
	int32_t since; /* unassigned: end of the last assignment, 0 never */
	uint64_t assignees; /* no-visit list: active assignees */
};

struct report_coverage {
	char period[16];
	int32_t first, last, ref; /* ref: the day "active" is judged on */
	struct report_gap *unassigned;
	size_t nunassigned;
	struct report_gap *unvisited;
	size_t nunvisited;
	struct rs_data data;
};

struct report_prop {
	const char *cadre, *name, *unit, *unit_name, *text;
	const char *route, *route_name; /* the unit that handles it */
	int32_t date;
	int64_t age_days;
	int status;
	const char *id; /* 32 hex digits: what `coso admin respond' takes */
};

struct report_proposals {
	int32_t today;
	struct report_prop *items; /* oldest first, then unit */
	size_t nitems;
	struct rs_data data;
};

/* One cadre of a sector's pack. */
struct report_pack_line {
	const char *cadre, *name;
	char *units; /* the units assigned, comma-separated (malloc'd) */
	uint64_t visits, outcomes, reports_expected, reports_received;
	uint64_t proposals_open, proposals_resolved;
	int64_t amount;
	int32_t last_visit;
};

struct report_pack {
	char period[16], sector[64];
	int32_t first, last;
	struct report_pack_line *lines;
	size_t nlines;
	struct report_prop *props; /* the sector's cadres' proposals */
	size_t nprops;
	struct rs_data data, visits;
};

/* Status names: "on_time", "late", "offline_late", "missing",
 * "pending"; proposal status names "open", "answered", "resolved",
 * "declined" (0 .. 3). */
const char *report_status_name(enum report_status s);
const char *report_prop_status_name(int status);
/* 0 .. 3 for a proposal status name, -1 if none. */
int report_prop_status_parse(const char *name);

/* Periods and dates are the client library's, as devices write them:
 * coso_period_parse, coso_date_add, coso_date_diff, coso_date_of_ms. */

/*
 * Shared by the views (report.c, report_views.c).  The period P into out
 * (at most 15 bytes) and its days, or COSO_EINVAL with errmsg.  The unit
 * tree as it stood in [first, last]: the index of a unit code (-1 if
 * none); the unit standing for i then (i, or the unit it merged into,
 * followed); its parent so resolved; whether top is i or above it.  A
 * cadre's name by id (the id if unknown).
 */
COSO_NODISCARD int report_period(const char *period, char out[static 16],
    int32_t *first, int32_t *last, char errmsg[static REPORT_ERRMSG_MAX]);
long report_unit_find(const struct rs_data *d, const char *code);
long report_resolve(
    const struct rs_data *d, long i, int32_t first, int32_t last);
long report_parent_of(
    const struct rs_data *d, long i, int32_t first, int32_t last);
int report_under(
    const struct rs_data *d, long i, long top, int32_t first, int32_t last);
const char *report_cadre_name(const struct rs_data *d, const char *id);
/* Adds one expected report to c (what compliance counts it as). */
void report_count_item(struct report_counts *c, const struct report_item *it);

/*
 * Compliance for period (unit: NULL or a unit code whose subtree alone is
 * counted), judged on today (YYYYMMDD: what is missing and what is still
 * pending).  COSO_EINVAL with errmsg for a bad period or unknown unit.
 */
COSO_NODISCARD int report_compliance(struct cstore_report_db *db,
    const char *period, const char *unit, int32_t today,
    struct report_compliance **out, char errmsg[static REPORT_ERRMSG_MAX]);
void report_compliance_free(struct report_compliance *r);

COSO_NODISCARD int report_coverage(struct cstore_report_db *db,
    const char *period, int32_t today, struct report_coverage **out,
    char errmsg[static REPORT_ERRMSG_MAX]);
void report_coverage_free(struct report_coverage *r);

/* status: -1 for all. */
COSO_NODISCARD int report_proposals(struct cstore_report_db *db,
    const char *unit, int status, int32_t today, struct report_proposals **out,
    char errmsg[static REPORT_ERRMSG_MAX]);
void report_proposals_free(struct report_proposals *r);

COSO_NODISCARD int report_pack(struct cstore_report_db *db, const char *period,
    const char *sector, int32_t today, struct report_pack **out,
    char errmsg[static REPORT_ERRMSG_MAX]);
void report_pack_free(struct report_pack *r);

#endif /* COSOD_REPORT_H */
