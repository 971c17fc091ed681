/*
 * test_store.c: the field store: every write signed and chained, bad
 * input refused with nothing written, migrations, newer stores refused.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include <coso/client.h>

#include "../../client/lib/internal.h"

static const char units_csv[]
    = "code,name,level,parent_code,valid_from\n"
      "20,Tỉnh Lạng Sơn,province,,2020-01-01\n"
      "180,Huyện Tràng Định,district,20,2020-01-01\n"
      "06043,Xã Đào Viên,commune,180,2020-01-01\n"
      "\"06043-T1\",\"Thôn 1, Đào Viên\",village,06043,2020-01-01\n";

struct fx {
	char dir[64];
	struct coso_store *s;
};

static int
setup(void **state)
{
	struct coso_init p = {.cadre_id = "cb-001", .name = "Nguyễn Văn An"};
	char err[COSO_ERRMSG_MAX];
	struct fx *f = calloc(1, sizeof(*f));
	size_t n;

	snprintf(f->dir, sizeof(f->dir), "/tmp/coso-test-XXXXXX");
	if (mkdtemp(f->dir) == NULL
	    || coso_store_init(f->dir, &p, NULL, err) != COSO_OK
	    || coso_store_open(&f->s, f->dir, NULL, 0, err) != COSO_OK
	    || coso_units_import(f->s, units_csv, sizeof(units_csv) - 1, &n)
	        != 0) {
		return -1;
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	coso_store_close(f->s);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	if (system(cmd) != 0) {
		return -1;
	}
	free(f);
	return 0;
}

static int
count_cb(const struct coso_row *row, void *arg)
{
	(void) row;
	(*(int *) arg)++;
	return 0;
}

static uint64_t
pending(struct coso_store *s)
{
	struct coso_status st;

	assert_int_equal(coso_status_get(s, &st), COSO_OK);
	return st.pending;
}

static void
test_visit_signed_and_chained(void **state)
{
	struct fx *f        = *state;
	const char *props[] = {"Hỗ trợ 20 tấn xi măng", "Làm cầu"};
	struct coso_outcome_in out = {"Đường bê tông", 1, 600000, "m", 0, 0};
	struct coso_visit_in v     = {.unit = "06043",
	        .date                       = 20251120,
	        .purpose                    = "Kiểm tra",
	        .proposals                  = props,
	        .nproposals                 = 2,
	        .outcomes                   = &out,
	        .noutcomes                  = 1};
	uint8_t id1[16], id2[16];
	uint64_t bad = 99;
	int n        = 0;

	assert_int_equal(coso_visit_add(f->s, &v, id1), COSO_OK);
	assert_int_equal(coso_visit_add(f->s, &v, id2), COSO_OK);
	assert_memory_not_equal(id1, id2, 16);
	assert_int_equal(pending(f->s), 2);
	assert_int_equal(coso_log_verify(f->s, count_cb, &n, &bad), COSO_OK);
	assert_int_equal(n, 2);
	assert_int_equal(bad, 0);
	n = 0;
	assert_int_equal(coso_proposal_list(f->s, NULL, count_cb, &n), 0);
	assert_int_equal(n, 4);
}

/* Each refusal names the field and leaves the store as it was. */
static void
test_bad_visit_writes_nothing(void **state)
{
	struct fx *f = *state;
	char big[COSO_TEXT_MAX + 2];
	struct coso_visit_in v = {.unit = "06043", .date = 20251120};
	uint8_t id[16];

	v.unit = "99999";
	assert_int_equal(coso_visit_add(f->s, &v, id), COSO_EUNIT);
	assert_non_null(strstr(coso_store_errmsg(f->s), "unit"));
	v.unit = "06043";
	v.date = coso_date_of_ms(coso_wall_ms() + 3 * 86400000ull);
	assert_int_equal(coso_visit_add(f->s, &v, id), COSO_EDATE);
	assert_non_null(strstr(coso_store_errmsg(f->s), "date"));
	v.date    = 20251120;
	v.purpose = "\xff\xfe";
	assert_int_equal(coso_visit_add(f->s, &v, id), COSO_EUTF8);
	assert_non_null(strstr(coso_store_errmsg(f->s), "purpose"));
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	v.purpose            = NULL;
	v.situation          = big;
	assert_int_equal(coso_visit_add(f->s, &v, id), COSO_ETOOBIG);
	assert_non_null(strstr(coso_store_errmsg(f->s), "situation"));
	assert_int_equal(pending(f->s), 0);
}

/* NFD input is stored and signed as NFC. */
static void
test_text_normalised(void **state)
{
	struct fx *f           = *state;
	struct coso_visit_in v = {.unit = "06043",
	    .date                       = 20251120,
	    .purpose = "Vie\xcc\xa3\xcc\x82t"}; /* V i e + dot below + circ */
	sqlite3_stmt *st;
	uint8_t id[16];

	assert_int_equal(coso_visit_add(f->s, &v, id), COSO_OK);
	assert_int_equal(sqlite3_prepare_v2(f->s->db,
	                     "SELECT purpose FROM visits", -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal(sqlite3_column_text(st, 0), "Vi\xe1\xbb\x87t");
	sqlite3_finalize(st);
}

static void
test_report_lifecycle(void **state)
{
	struct fx *f = *state;
	uint8_t id[16], fix[16];
	char hex[33];
	int n = 0;

	assert_int_equal(
	    coso_report_new(f->s, "2025-Q5", "06043", NULL, id), COSO_EPERIOD);
	assert_int_equal(
	    coso_report_new(f->s, "2025-Q4", "06043", NULL, id), COSO_OK);
	assert_int_equal(
	    coso_report_edit(f->s, id, COSO_SEC_RESULTS, "Đi cơ sở 4 lần"),
	    COSO_OK);
	assert_int_equal(coso_report_submit(f->s, id), COSO_EFIELD);
	assert_non_null(strstr(coso_store_errmsg(f->s), "situation"));
	assert_int_equal(pending(f->s), 0);
	assert_int_equal(
	    coso_report_edit(f->s, id, COSO_SEC_SITUATION, "Ổn định"), 0);
	assert_int_equal(
	    coso_report_edit(f->s, id, COSO_SEC_DIFFICULTIES, "Thiếu vốn"), 0);
	assert_int_equal(coso_report_edit(f->s, id, COSO_SEC_PROPOSALS,
	                     "Xi măng\n\nĐiện cho Thôn 1\n"),
	    0);
	assert_int_equal(coso_report_submit(f->s, id), COSO_OK);
	assert_int_equal(pending(f->s), 1);
	assert_int_equal(
	    coso_report_edit(f->s, id, COSO_SEC_RESULTS, "x"), COSO_ESTATE);
	assert_int_equal(coso_report_submit(f->s, id), COSO_ESTATE);
	assert_int_equal(pending(f->s), 1);
	assert_int_equal(coso_proposal_list(f->s, NULL, count_cb, &n), 0);
	assert_int_equal(n, 2); /* one per non-blank line */
	/* A correction is a new report that names the old one. */
	assert_int_equal(
	    coso_report_new(f->s, "2025-Q4", "06043", id, fix), 0);
	assert_int_equal(coso_report_submit(f->s, fix), COSO_OK);
	assert_int_equal(pending(f->s), 2);
	coso_hex(hex, id, 16);
	n = 0;
	assert_int_equal(coso_report_list(f->s, NULL, count_cb, &n), 0);
	assert_int_equal(n, 2);
	/* Another cadre's report, as a pull brings it, is not ours to
	 * correct: refused, nothing written. */
	assert_int_equal(cosoi_exec(f->s,
	                     "INSERT INTO reports (id, unit, period, status, "
	                     "created_ms, author) VALUES (zeroblob(16), "
	                     "'06043', '2025-Q4', 'submitted', 0, 'cb-002')"),
	    0);
	memset(id, 0, sizeof(id));
	assert_int_equal(
	    coso_report_new(f->s, "2025-Q4", "06043", id, fix), COSO_ESTATE);
	assert_non_null(strstr(coso_store_errmsg(f->s), "own report"));
	n = 0;
	assert_int_equal(coso_report_list(f->s, NULL, count_cb, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(pending(f->s), 2);
}

static void
test_units_import_all_or_nothing(void **state)
{
	struct fx *f            = *state;
	static const char bad[] = "code,name,level,parent_code,valid_from\n"
	                          "06160,Xã Gia Miễn,commune,182,2020-01-01\n"
	                          "06166,Xã Tân Thanh,hamlet,182,2020-01-01\n";
	static const char orphan[]
	    = "code,name,level,parent_code,valid_from\n"
	      "06160,Xã Gia Miễn,commune,182,2020-01-01\n";
	struct coso_status st;
	size_t n = 0;

	assert_int_equal(
	    coso_units_import(f->s, bad, sizeof(bad) - 1, &n), COSO_ECSV);
	assert_non_null(strstr(coso_store_errmsg(f->s), "line 3"));
	assert_int_equal(
	    coso_units_import(f->s, orphan, sizeof(orphan) - 1, &n),
	    COSO_ECSV);
	assert_non_null(strstr(coso_store_errmsg(f->s), "182"));
	assert_int_equal(coso_status_get(f->s, &st), COSO_OK);
	assert_int_equal(st.units, 4);
}

/* Input ending right after a comma or without a final newline. */
static void
test_units_csv_edges(void **state)
{
	struct fx *f              = *state;
	static const char no_nl[] = "code,name,level,parent_code,valid_from\n"
	                            "06044,Xã Thử,commune,180,2020-01-01";
	static const char comma[] = "code,name,level,parent_code,valid_from\n"
	                            "06045,Xã Thử,commune,180,";
	static const char crlf[] = "code,name,level,parent_code,valid_from\r\n"
	                           "\"06046\",\"Xã \"\"Thử\"\"\",commune,180,"
	                           "2020-01-01\r\n";
	static const char lone_cr[]
	    = "code,name,level,parent_code,valid_from\r"
	      "06047,Xã Thử,commune,180,2020-01-01\n";
	/* As a spreadsheet saves it: blank lines at the end. */
	static const char blank_end[]
	    = "code,name,level,parent_code,valid_from\r\n"
	      "06050,Xã Thử,commune,180,2020-01-01\r\n\r\n \n\n";
	static const char blank_mid[]
	    = "code,name,level,parent_code,valid_from\n"
	      "06051,Xã Thử,commune,180,2020-01-01\n\n"
	      "06052,Xã Thử,commune,180,2020-01-01\n";
	struct coso_status st;
	size_t n = 0;

	assert_int_equal(
	    coso_units_import(f->s, no_nl, sizeof(no_nl) - 1, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(
	    coso_units_import(f->s, comma, sizeof(comma) - 1, &n), COSO_ECSV);
	assert_non_null(strstr(coso_store_errmsg(f->s), "valid_from"));
	assert_int_equal(
	    coso_units_import(f->s, crlf, sizeof(crlf) - 1, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(
	    coso_units_import(f->s, lone_cr, sizeof(lone_cr) - 1, &n),
	    COSO_ECSV);
	assert_int_equal(
	    coso_units_import(f->s, blank_end, sizeof(blank_end) - 1, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(
	    coso_units_import(f->s, blank_mid, sizeof(blank_mid) - 1, &n),
	    COSO_ECSV);
	assert_non_null(strstr(coso_store_errmsg(f->s), "line 3"));
	assert_int_equal(coso_status_get(f->s, &st), COSO_OK);
	assert_int_equal(st.units, 7); /* 4 of setup, 06044, 06046, 06050 */
}

/* A NUL byte, quoted or not, would end the C string and cut the value
 * short: the import is refused naming the line, and nothing is stored. */
static void
test_units_csv_nul(void **state)
{
	struct fx *f = *state;
	static const char plain[]
	    = "code,name,level,parent_code,valid_from\n"
	      "06044,Xã Thử,commune,180,2020-01-01\n"
	      "06048,Xã Hùng\0 Việt,commune,180,2020-01-01\n";
	static const char quoted[]
	    = "code,name,level,parent_code,valid_from\n"
	      "06049,\"Xã\nBắc\0 Ái\",commune,180,2020-01-01\n";
	struct coso_status st;
	size_t n = 0;

	assert_int_equal(
	    coso_units_import(f->s, plain, sizeof(plain) - 1, &n), COSO_ECSV);
	assert_non_null(strstr(coso_store_errmsg(f->s), "line 3"));
	assert_non_null(strstr(coso_store_errmsg(f->s), "NUL"));
	assert_int_equal(
	    coso_units_import(f->s, quoted, sizeof(quoted) - 1, &n),
	    COSO_ECSV);
	/* The quoted field's line break counts: the NUL is on line 3. */
	assert_non_null(strstr(coso_store_errmsg(f->s), "line 3"));
	assert_int_equal(coso_status_get(f->s, &st), COSO_OK);
	assert_int_equal(st.units, 4);
}

/* The permission bits of path, or -1 if it is not there. */
static int
mode_of(const char *dir, const char *name)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s%s%s", dir, name[0] ? "/" : "", name);
	return stat(path, &st) == 0 ? (int) (st.st_mode & 07777) : -1;
}

/* A store holds records, a queued enrollment token and the key: an
 * existing 0755 directory is made 0700 and the database (with its WAL)
 * is 0600 whatever the umask; a directory of another user is refused;
 * a store an older coso left open is closed up when opened. */
static void
test_store_private(void **state)
{
	struct coso_init p = {.cadre_id = "cb-002", .name = "Lý Thị Hoa"};
	char base[]        = "/tmp/coso-priv-XXXXXX", dir[64], other[64];
	char err[COSO_ERRMSG_MAX], cmd[128];
	struct coso_store *s = NULL;
	size_t n;

	(void) state;
	assert_non_null(mkdtemp(base));
	snprintf(dir, sizeof(dir), "%s/st", base);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(chmod(dir, 0755), 0);
	assert_int_equal(coso_store_init(dir, &p, NULL, err), COSO_OK);
	assert_int_equal(mode_of(dir, ""), 0700);
	assert_int_equal(mode_of(dir, "store.db"), 0600);
	assert_int_equal(mode_of(dir, "device.key"), 0600);
	assert_int_equal(coso_store_open(&s, dir, NULL, 0, err), COSO_OK);
	assert_int_equal(
	    coso_units_import(s, units_csv, sizeof(units_csv) - 1, &n), 0);
	assert_int_equal(mode_of(dir, "store.db-wal"), 0600);
	coso_store_close(s);
	s = NULL;

	/* An older coso's store: reopened, the directory is closed up. */
	assert_int_equal(chmod(dir, 0755), 0);
	assert_int_equal(coso_store_open(&s, dir, NULL, 0, err), COSO_OK);
	coso_store_close(s);
	assert_int_equal(mode_of(dir, ""), 0700);

	/* Another user's directory (root can make one): refused, empty. */
	snprintf(other, sizeof(other), "%s/other", base);
	assert_int_equal(mkdir(other, 0755), 0);
	if (geteuid() == 0 && chown(other, 65534, 65534) == 0) {
		assert_int_equal(
		    coso_store_init(other, &p, NULL, err), COSO_EINVAL);
		assert_non_null(strstr(err, "another user"));
		assert_int_equal(mode_of(other, "store.db"), -1);
		assert_int_equal(mode_of(other, "device.key"), -1);
	}
	/* An empty passphrase would seal nothing: refused. */
	p.passphrase = "";
	p.passlen    = 0;
	snprintf(dir, sizeof(dir), "%s/empty", base);
	assert_int_equal(coso_store_init(dir, &p, NULL, err), COSO_EINVAL);
	assert_non_null(strstr(err, "passphrase"));
	assert_int_equal(mode_of(dir, "device.key"), -1);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", base);
	assert_int_equal(system(cmd), 0);
}

/* An integer a query gives, or -1. */
static int64_t
meta_int(struct coso_store *s, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t v        = -1;

	assert_int_equal(sqlite3_prepare_v2(s->db, sql, -1, &st, NULL), 0);
	if (sqlite3_step(st) == SQLITE_ROW) {
		v = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return v;
}

/* A store made at schema 1 with data opens at the current schema. */
static void
test_migrate_from_v1(void **state)
{
	struct fx *f = *state;
	char err[COSO_ERRMSG_MAX];
	struct coso_store *s = cosoi_handle_new(f->dir, NULL, 0), *o = NULL;
	struct coso_status st;
	int v;

	coso_store_close(f->s);
	f->s = NULL;
	/* Rebuild this fixture's store at version 1 with one unit. */
	{
		char path[128];
		snprintf(path, sizeof(path), "%s/store.db", f->dir);
		unlink(path);
		assert_int_equal(cosoi_store_create_db(s, 1), COSO_OK);
		assert_int_equal(
		    cosoi_exec(s,
		        "INSERT INTO meta VALUES ('cadre_id', 'cb-001');"
		        "INSERT INTO units VALUES ('06043', 'Xã Đào "
		        "Viên', 3, NULL, 20200101, NULL);"),
		    COSO_OK);
		assert_int_equal(cosoi_user_version(s, &v), COSO_OK);
		assert_int_equal(v, 1);
	}
	coso_store_close(s);
	assert_int_equal(coso_store_open(&o, f->dir, NULL, 0, err), COSO_OK);
	assert_int_equal(cosoi_user_version(o, &v), COSO_OK);
	assert_int_equal(v, COSO_SCHEMA_VERSION);
	assert_int_equal(coso_status_get(o, &st), COSO_OK);
	assert_int_equal(st.units, 1);
	assert_int_equal(st.receipts, 0); /* the v2 table exists */
	/* v4: no receipt was kept before proofs */
	assert_int_equal(meta_int(o,
	                     "SELECT value FROM meta WHERE key = "
	                     "'receipts_before_proofs'"),
	    0);
	assert_int_equal(meta_int(o, "SELECT count(*) FROM checkpoints"), 0);
	f->s = o;
}

/* A store made at schema 2 with an acknowledged change-set and a receipt
 * opens at the current schema with its rows, and sync's columns. */
static void
test_migrate_from_v2(void **state)
{
	struct fx *f = *state;
	char err[COSO_ERRMSG_MAX], path[128];
	struct coso_store *s = cosoi_handle_new(f->dir, NULL, 0), *o = NULL;
	struct coso_status st;
	int v;

	coso_store_close(f->s);
	f->s = NULL;
	snprintf(path, sizeof(path), "%s/store.db", f->dir);
	unlink(path);
	assert_int_equal(cosoi_store_create_db(s, 2), COSO_OK);
	assert_int_equal(
	    cosoi_exec(s,
	        "INSERT INTO meta VALUES ('cadre_id', 'cb-001');"
	        "INSERT INTO outbox VALUES (1, x'01', x'02', 5, 1, 6);"
	        "INSERT INTO receipts VALUES (x'01', 1, 7, 0, x'03');"
	        "INSERT INTO assignments VALUES (x'04', 'cb-001', '06043',"
	        " NULL, 1, 20250101, NULL, NULL);"),
	    COSO_OK);
	coso_store_close(s);
	assert_int_equal(coso_store_open(&o, f->dir, NULL, 0, err), COSO_OK);
	assert_int_equal(cosoi_user_version(o, &v), COSO_OK);
	assert_int_equal(v, COSO_SCHEMA_VERSION);
	assert_int_equal(coso_status_get(o, &st), COSO_OK);
	assert_int_equal(st.receipts, 1);
	assert_int_equal(st.pending, 0);
	/* v3: verdicts on the outbox, assignment history, keys seen */
	assert_int_equal(cosoi_exec(o,
	                     "UPDATE outbox SET verdict = 1, reason = 0;"
	                     "UPDATE assignments SET replaces = NULL, "
	                     "handover_note = 'x';"
	                     "INSERT INTO keys (key_id) VALUES (x'05');"
	                     "INSERT INTO cadres VALUES ('cb-001', 'An', "
	                     "NULL, NULL);"),
	    COSO_OK);
	/* v4: the receipt is one of those kept before proofs */
	assert_int_equal(meta_int(o,
	                     "SELECT value FROM meta WHERE key = "
	                     "'receipts_before_proofs'"),
	    1);
	assert_int_equal(meta_int(o,
	                     "SELECT count(*) FROM receipts WHERE proof IS "
	                     "NULL AND tree_size IS NULL"),
	    1);
	f->s = o;
}

/* A store made at schema 3 with receipts opens at the current schema: the
 * receipts are kept without a proof and known for what they are, and the
 * checkpoints table is there. */
static void
test_migrate_from_v3(void **state)
{
	struct fx *f = *state;
	char err[COSO_ERRMSG_MAX], path[128];
	struct coso_store *s = cosoi_handle_new(f->dir, NULL, 0), *o = NULL;
	struct coso_status st;
	int v;

	coso_store_close(f->s);
	f->s = NULL;
	snprintf(path, sizeof(path), "%s/store.db", f->dir);
	unlink(path);
	assert_int_equal(cosoi_store_create_db(s, 3), COSO_OK);
	assert_int_equal(
	    cosoi_exec(s,
	        "INSERT INTO meta VALUES ('cadre_id', 'cb-001');"
	        "INSERT INTO outbox VALUES (1, x'01', x'02', 5, 1, 6, 1, 0);"
	        "INSERT INTO outbox VALUES (2, x'02', x'03', 5, 1, 6, 1, 0);"
	        "INSERT INTO outbox VALUES (3, x'03', x'04', 5, 0, NULL,"
	        " NULL, NULL);"
	        "INSERT INTO receipts VALUES (x'01', 1, 7, 0, x'03', 1);"
	        "INSERT INTO receipts VALUES (x'02', 2, 8, 1, x'04', 1);"),
	    COSO_OK);
	assert_int_equal(cosoi_user_version(s, &v), COSO_OK);
	assert_int_equal(v, 3);
	coso_store_close(s);
	assert_int_equal(coso_store_open(&o, f->dir, NULL, 0, err), COSO_OK);
	assert_int_equal(cosoi_user_version(o, &v), COSO_OK);
	assert_int_equal(v, COSO_SCHEMA_VERSION);
	assert_int_equal(coso_status_get(o, &st), COSO_OK);
	assert_int_equal(st.receipts, 2);
	assert_int_equal(st.pending, 1);
	assert_int_equal(meta_int(o,
	                     "SELECT value FROM meta WHERE key = "
	                     "'receipts_before_proofs'"),
	    2);
	assert_int_equal(meta_int(o,
	                     "SELECT count(*) FROM receipts WHERE proof IS "
	                     "NULL AND tree_size IS NULL"),
	    2);
	assert_int_equal(
	    cosoi_exec(o,
	        "INSERT INTO checkpoints (size, note) VALUES (3, 'n');"
	        "UPDATE receipts SET proof = x'', tree_size = 3 "
	        "WHERE seq = 2"),
	    COSO_OK);
	assert_int_equal(
	    meta_int(o, "SELECT length(proof) FROM receipts WHERE seq = 2"),
	    0);
	f->s = o;
}

/* A store from a newer coso is refused and its bytes are unchanged. */
static void
test_newer_store_refused(void **state)
{
	struct fx *f = *state;
	char path[128], err[COSO_ERRMSG_MAX], cmd[512];
	struct coso_store *o = NULL;

	assert_int_equal(cosoi_exec(f->s, "PRAGMA user_version = 99"), 0);
	coso_store_close(f->s);
	f->s = NULL;
	snprintf(path, sizeof(path), "%s/store.db", f->dir);
	snprintf(cmd, sizeof(cmd), "sha256sum %s > %s.sum", path, path);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(
	    coso_store_open(&o, f->dir, NULL, 0, err), COSO_ENEWER);
	assert_null(o);
	assert_non_null(strstr(err, "newer"));
	snprintf(cmd, sizeof(cmd), "sha256sum -c --quiet %s.sum", path);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(
	    coso_store_open(&o, "/nonexistent-coso", NULL, 0, err),
	    COSO_ENOSTORE);
}

static void
test_dates_and_periods(void **state)
{
	int32_t d, a, b;
	char out[11];

	(void) state;
	assert_int_equal(coso_date_parse("2025-11-20", &d), COSO_OK);
	assert_int_equal(d, 20251120);
	assert_int_equal(coso_date_parse("20/11/2025", &d), COSO_OK);
	assert_int_equal(d, 20251120);
	assert_int_equal(coso_date_parse("2025-02-29", &d), COSO_EDATE);
	assert_int_equal(coso_date_parse("2024-02-29", &d), COSO_OK);
	/* The same rule on an int, as the central checks records. */
	assert_true(coso_date_valid(20240229));
	assert_true(coso_date_valid(20001231));
	assert_false(coso_date_valid(20250229));
	assert_false(coso_date_valid(21000229));
	assert_false(coso_date_valid(21000230));
	assert_false(coso_date_valid(20251131));
	assert_false(coso_date_valid(20251300));
	assert_false(coso_date_valid(20251100));
	assert_false(coso_date_valid(99991232));
	assert_false(coso_date_valid(0));
	assert_false(coso_date_valid(-20251127));
	assert_int_equal(coso_date_parse("2025-1-20", &d), COSO_EDATE);
	assert_int_equal(coso_date_parse("2025-11-20x", &d), COSO_EDATE);
	coso_date_format(out, 20250701);
	assert_string_equal(out, "01/07/2025");
	assert_int_equal(coso_period_parse("2025-Q4", &a, &b), COSO_OK);
	assert_int_equal(a, 20251001);
	assert_int_equal(b, 20251231);
	assert_int_equal(coso_period_parse("2024-Q1", &a, &b), COSO_OK);
	assert_int_equal(b, 20240331);
	assert_int_equal(coso_period_parse("2025-H1", &a, &b), COSO_OK);
	assert_int_equal(b, 20250630);
	assert_int_equal(coso_period_parse("2025", &a, &b), COSO_OK);
	assert_int_equal(a, 20250101);
	assert_int_equal(coso_period_parse("2025-Q0", &a, &b), COSO_EPERIOD);
	assert_int_equal(coso_period_parse("2025-H3", &a, &b), COSO_EPERIOD);
	assert_int_equal(coso_period_parse("25-Q1", &a, &b), COSO_EPERIOD);
	assert_int_equal(coso_date_of_days(coso_days(20240229) + 1), 20240301);
	/* 23:30 UTC on 30/06/2025 is already 01/07/2025 in Vietnam. */
	assert_int_equal(coso_date_of_ms(1751326200000ull), 20250701);
}

/* coso_file_* answer in coso codes, like every library call (ENOENT is 2,
 * which is COSO_EINVAL: an errno value means something else there), and
 * leave errno at the system's cause. */
static void
test_file_codes(void **state)
{
	struct fx *f = *state;
	char path[128];
	uint8_t *buf = NULL;
	size_t len   = 0;

	snprintf(path, sizeof(path), "%s/none/x", f->dir);
	assert_int_equal(coso_file_read(path, 16, &buf, &len), COSO_ENOENT);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(coso_file_write(path, "abc", 3, 0600), COSO_ENOENT);
	snprintf(path, sizeof(path), "%s/x", f->dir);
	assert_int_equal(coso_file_write(path, "abcdef", 6, 0600), COSO_OK);
	assert_int_equal(coso_file_read(path, 5, &buf, &len), COSO_ETOOBIG);
	assert_null(buf);
	assert_int_equal(coso_file_read(path, 6, &buf, &len), COSO_OK);
	assert_int_equal(len, 6);
	assert_memory_equal(buf, "abcdef", 6);
	free(buf);
	snprintf(path, sizeof(path), "%s", f->dir); /* a directory */
	assert_int_equal(coso_file_read(path, 16, &buf, &len), COSO_EIO);
	assert_int_equal(errno, EISDIR);
}

/* A store that cannot answer a count is an error that reaches the caller,
 * never a zero: `coso status' would show an empty store, a sync would
 * start pushing from seq 0. */
static void
test_count_errors_reported(void **state)
{
	struct fx *f = *state;
	struct coso_status st;
	struct coso_sync_report r;

	assert_int_equal(sqlite3_exec(f->s->db,
	                     "ALTER TABLE receipts RENAME TO receipts_gone",
	                     NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(coso_status_get(f->s, &st), COSO_ESTORE);
	assert_non_null(strstr(coso_store_errmsg(f->s), "no such table"));
	assert_int_equal(sqlite3_exec(f->s->db,
	                     "ALTER TABLE receipts_gone RENAME TO receipts; "
	                     "ALTER TABLE outbox RENAME TO outbox_gone",
	                     NULL, NULL, NULL),
	    SQLITE_OK);
	/* No central is pinned: the outbox is what fails first. */
	assert_int_equal(coso_sync_round(f->s, NULL, &r), COSO_ESTORE);
	assert_non_null(
	    strstr(coso_store_errmsg(f->s), "cannot read the outbox"));
	assert_int_equal(coso_status_get(f->s, &st), COSO_ESTORE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
	        test_visit_signed_and_chained, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_bad_visit_writes_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_text_normalised, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_report_lifecycle, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_units_import_all_or_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_units_csv_edges, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_units_csv_nul, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_migrate_from_v1, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_migrate_from_v2, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_migrate_from_v3, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_newer_store_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_count_errors_reported, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_file_codes, setup, teardown),
	    cmocka_unit_test(test_dates_and_periods),
	    cmocka_unit_test(test_store_private),
	};
	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
