/*
 * report_store.h: the reads behind the central's reports (report.h):
 * compliance, coverage, proposals and the sector review pack.
 *
 * The reports read the materialised tables (units, cadres, assignments,
 * visits, outcomes, proposals, reports, schedules) and the log's
 * received times (changesets.received_ms).  They have their own SQLite
 * handle on the central database, opened read-only, beside the
 * central_store interface: they are queries no merge needs, and a
 * PostgreSQL backend would implement these functions in its own file.
 *
 * Every load function fills a struct of malloc'd arrays (strings
 * strdup'd) that cstore_report_data_free releases.  Threads: a handle is
 * used by one thread at a time.  Errors: COSO_OK, COSO_ENOMEM,
 * COSO_ETOOBIG (more than CSTORE_REPORT_ROWS_MAX rows) or COSO_EIO with a
 * sentence in cstore_report_errmsg.
 */
#ifndef COSOD_REPORT_STORE_H
#define COSOD_REPORT_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <coso/proto.h>

#define CSTORE_REPORT_ERRMSG_MAX 512
#define CSTORE_REPORT_ROWS_MAX   (64u * 1024u * 1024u)

struct cstore_report_db;

struct rs_unit {
	char *code, *name, *parent, *merged; /* parent, merged: NULL if none */
	int level;
	int32_t from, to; /* to: 0 if open */
};

struct rs_cadre {
	char *id, *name;
};

struct rs_assign {
	char *cadre, *unit, *sector; /* unit, sector: NULL if none */
	char *note;                  /* handover_note, NULL if none */
	int role;
	int32_t from, to; /* to: 0 if open */
};

struct rs_sched {
	int kind, due, grace;
};

/* A received report with its change-set's facts. */
struct rs_report {
	char *cadre, *unit, *period;
	int complete;       /* all four sections non-blank */
	int has_proposals;  /* the proposals section non-blank */
	int64_t submitted;  /* as stored: YYYYMMDD or Unix ms */
	uint64_t received;  /* changesets.received_ms */
	uint64_t hlc;       /* the change-set's HLC */
	uint8_t author[32]; /* key id that signed it */
	char *id;           /* the report's row id, 32 lowercase hex */
	int64_t position;   /* its change-set's log position */
};

/* A visit (only those the caller asked for). */
struct rs_visit {
	char *cadre, *unit;
	int32_t date;
	uint64_t outcomes; /* outcome rows of the visit (pack only) */
	int64_t amount;    /* their amount_vnd summed (pack only) */
};

struct rs_proposal {
	char *cadre, *unit, *text;
	char *id; /* the row id, 32 lowercase hex digits */
	int32_t date;
	int status; /* 0 open, 1 answered, 2 resolved, 3 declined */
};

struct rs_data {
	struct rs_unit *units; /* sorted by code */
	size_t nunits;
	struct rs_cadre *cadres; /* sorted by id */
	size_t ncadres;
	struct rs_assign *assigns;
	size_t nassigns;
	struct rs_sched *scheds;
	size_t nscheds;
	struct rs_report *reports;
	size_t nreports;
	struct rs_visit *visits;
	size_t nvisits;
	struct rs_proposal *proposals;
	size_t nproposals;
};

/* Creates the indexes the reports need if missing (docs/central.md,
 * "Reports"): the one write of the reports, schema only, idempotent. */
COSO_NODISCARD int cstore_report_indexes(
    const char *path, char errmsg[static CSTORE_REPORT_ERRMSG_MAX]);

/* A read-only handle on the central database at path. */
COSO_NODISCARD int cstore_report_open(struct cstore_report_db **out,
    const char *path, char errmsg[static CSTORE_REPORT_ERRMSG_MAX]);
void cstore_report_close(struct cstore_report_db *db); /* accepts NULL */
const char *cstore_report_errmsg(const struct cstore_report_db *db);

/* One read snapshot for the loads that follow, until read_end. */
COSO_NODISCARD int cstore_report_read_begin(struct cstore_report_db *db);
void cstore_report_read_end(struct cstore_report_db *db);

/* Live units, cadres, assignments and schedules. */
COSO_NODISCARD int cstore_report_reference(
    struct cstore_report_db *db, struct rs_data *d);

/* Reports whose period is one of periods[0 .. n-1]. */
COSO_NODISCARD int cstore_report_reports(struct cstore_report_db *db,
    const char *const *periods, size_t n, struct rs_data *d);

/* Visits dated in [first, last] that some proposal came from. */
COSO_NODISCARD int cstore_report_proposal_visits(struct cstore_report_db *db,
    int32_t first, int32_t last, struct rs_data *d);

/* Visits dated in [first, last] (cadre NULL: everyone's, one row per
 * unit and day without outcomes; else the cadre's, with outcomes). */
COSO_NODISCARD int cstore_report_visits(struct cstore_report_db *db,
    int32_t first, int32_t last, const char *cadre, struct rs_data *d);

/* The skew (central - device clock) that the STATUS of the sync which
 * brought an entry of author at received_ms measured: the last clock
 * check of that key at or before it, within CSTORE_SKEW_WINDOW_MS;
 * COSO_ENOENT if none (a store from before the checks). */
#define CSTORE_SKEW_WINDOW_MS (60u * 60u * 1000u)
COSO_NODISCARD int cstore_report_skew(struct cstore_report_db *db,
    const uint8_t author[static 32], uint64_t received_ms, int64_t *skew);

/* The largest HLC of author's change-sets received at received_ms (one
 * sync's batch); COSO_ENOENT if none. */
COSO_NODISCARD int cstore_report_batch_hlc(struct cstore_report_db *db,
    const uint8_t author[static 32], uint64_t received_ms, uint64_t *hlc);

/* Every proposal with its status. */
COSO_NODISCARD int cstore_report_proposals(
    struct cstore_report_db *db, struct rs_data *d);

void cstore_report_data_free(struct rs_data *d); /* accepts NULL members */

/*
 * The views' other reads (views.h): one query of a fixed set, its rows
 * handed to cb one at a time.  A row's columns are text (NULL for SQL
 * NULL), the same as integers, or a blob; all point into SQLite's row
 * and are valid only during the call.  cb returns non-zero to stop
 * (the caller keeps its own reason); ids are lowercase hex.
 *
 *   RS_Q_QUARANTINE (from_ms, to_ms): position, id, author, sender,
 *       received_ms, reason, cadre_id (NULL: unknown key), seq
 *   RS_Q_DEVICES (): key_id, cadre_id, role, enrolled, revoked,
 *       next_seq, last received_ms (NULL: none), enrolled_ms,
 *       revoked_ms, revocation reason
 *   RS_Q_CLOCKS (): key_id, central_ms, device_ms of each key's last
 *       clock check (none in a store from before the checks)
 *   RS_Q_CHECKPOINTS (count): size, note, newest first
 *   RS_Q_LOG (): the tree size, the central key and the origin
 *   RS_Q_ANSWERS (): proposal id, status, text, date, by_cadre, in
 *       date order
 *   RS_Q_HANDOVERS (): by_cadre, unit, date, to_cadre (NULL if not
 *       named), text
 *   RS_Q_CADRE_VISITS (first, last): by_cadre, visits, last date
 *   RS_Q_SIGNED (position): change-set bytes, the author's public key
 *       (NULL: unknown), its cadre_id, revoked position
 */
#define RS_COLS_MAX 12

enum rs_query {
	RS_Q_QUARANTINE   = 0,
	RS_Q_DEVICES      = 1,
	RS_Q_CLOCKS       = 2,
	RS_Q_CHECKPOINTS  = 3,
	RS_Q_LOG          = 4,
	RS_Q_ANSWERS      = 5,
	RS_Q_HANDOVERS    = 6,
	RS_Q_CADRE_VISITS = 7,
	RS_Q_SIGNED       = 8,
};

struct rs_row {
	size_t n;
	const char *text[RS_COLS_MAX];
	int64_t num[RS_COLS_MAX];
	const void *blob[RS_COLS_MAX];
	size_t len[RS_COLS_MAX];
};

typedef int (*rs_row_cb)(const struct rs_row *row, void *arg);

/* Runs q with args (as many as q takes); COSO_OK, or COSO_EIO with
 * cstore_report_errmsg.  A stop by cb is COSO_OK. */
COSO_NODISCARD int cstore_report_rows(struct cstore_report_db *db,
    enum rs_query q, const int64_t *args, size_t nargs, rs_row_cb cb,
    void *arg);

#endif /* COSOD_REPORT_STORE_H */
