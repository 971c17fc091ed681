/*
 * central_fixture.h: a central built through the real merge code, for
 * the reports' and the views' tests (test_report.c, test_views.c):
 * the central key, an admin and NDEV field keys (cadres cb-a .. cb-h),
 * change-sets signed on a device's clock and received at a given time,
 * and the ops that make units, cadres, assignments, schedules, reports,
 * visits, proposals, answers and outcomes.  Included once per test
 * program; a program uses what it needs.
 */
#ifndef COSO_TEST_CENTRAL_FIXTURE_H
#define COSO_TEST_CENTRAL_FIXTURE_H

/* Each program uses some of the helpers. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"

#define T0    UINT64_C(1764201600000) /* 27/11/2025 00:00 UTC */
#define TODAY 20251127
#define NDEV  8

struct dev {
	struct coso_key *key;
	uint8_t pk[32], id[32], prev[32];
	uint64_t seq;
	char cadre[16];
	const char *rejected; /* the last refusal's reason name */
};

struct fx {
	char dir[64], db[96];
	struct central_store *s;
	struct dev central, admin, d[NDEV]; /* d[i]: cb-a, cb-b, ... */
	struct cstore_report_db *rdb;
};

/* ---- independent dates ----------------------------------------------------
 */

/* Days since 01/01/1970, counted the slow way (not report.c's). */
static int64_t
tdays(int32_t date)
{
	static const int mdays[]
	    = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y = date / 10000, m = date / 100 % 100, d = date % 100, i;
	int64_t n = 0;

	for (i = 1970; i < y; i++) {
		n += 365 + ((i % 4 == 0 && i % 100 != 0) || i % 400 == 0);
	}
	for (i = 1; i < m; i++) {
		n += mdays[i - 1]
		    + (i == 2
		        && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
	}
	return n + d - 1;
}

/* Unix ms of hour:00 Vietnam time (UTC+7) on date. */
static uint64_t
ms_at(int32_t date, int hour)
{
	return (uint64_t) (tdays(date) * 86400000 + (hour - 7) * 3600000LL);
}

/* ---- the fixture ----------------------------------------------------------
 */

static void
dev_init(struct dev *d, uint32_t n, const char *cadre)
{
	uint8_t seed[32];

	memset(d, 0, sizeof(*d));
	memset(seed, 0x33, 32);
	memcpy(seed, &n, sizeof(n));
	assert_int_equal(coso_key_from_seed(&d->key, seed), COSO_OK);
	coso_key_public(d->key, d->pk);
	coso_keyid_of(d->id, d->pk);
	snprintf(d->cadre, sizeof(d->cadre), "%s", cadre);
}

static uint8_t *
sign_at(struct dev *d, struct coso_body *b, uint64_t ms, size_t *len)
{
	uint8_t *body = NULL, *cs = NULL;
	size_t blen;

	assert_int_equal(coso_body_encode(b, &body, &blen), COSO_OK);
	d->seq++;
	assert_int_equal(coso_changeset_sign(&cs, len, d->key, d->seq, d->prev,
	                     (ms << 16) + (d->seq & 0xffff), body, blen),
	    COSO_OK);
	coso_changeset_id(d->prev, cs, *len);
	free(body);
	coso_body_reset(b);
	return cs;
}

/* Signs b on d's clock at signed_ms; the central receives it at recv_ms;
 * the verdict. */
static int
push_verdict(struct central_store *s, const struct coso_key *central,
    struct dev *d, struct coso_body *b, uint64_t signed_ms, uint64_t recv_ms)
{
	struct merge_ctx m = {s, central};
	struct merge_in in = {.received_ms = recv_ms};
	struct merge_out out;
	size_t len;
	uint8_t *cs = sign_at(d, b, signed_ms, &len);

	in.cs  = cs;
	in.len = len;
	memcpy(in.sender, d->id, 32);
	assert_int_equal(cstore_begin(s), COSO_OK);
	assert_int_equal(merge_changeset(&m, &in, &out), COSO_OK);
	assert_int_equal(cstore_commit(s), COSO_OK);
	free(cs);
	if (out.verdict != COSO_VERDICT_ACCEPTED) {
		d->rejected = merge_reason_name(out.reason);
	}
	return out.verdict;
}

/* As push_verdict, which must be accepted. */
static void
push_at(struct central_store *s, const struct coso_key *central, struct dev *d,
    struct coso_body *b, uint64_t signed_ms, uint64_t recv_ms)
{
	if (push_verdict(s, central, d, b, signed_ms, recv_ms)
	    != COSO_VERDICT_ACCEPTED) {
		fail_msg("change-set of %s not accepted: %s", d->cadre,
		    d->rejected);
	}
}

static void
push(struct fx *f, struct dev *d, struct coso_body *b, uint64_t signed_ms,
    uint64_t recv_ms)
{
	push_at(f->s, f->central.key, d, b, signed_ms, recv_ms);
}

static struct coso_body *
body(void)
{
	struct coso_body *b = NULL;

	assert_int_equal(coso_body_new(&b), COSO_OK);
	return b;
}

static void
text(struct coso_body *b, uint32_t field, const char *s)
{
	assert_int_equal(coso_body_text(b, field, s, strlen(s)), COSO_OK);
}

static void
num(struct coso_body *b, uint32_t field, int64_t v)
{
	assert_int_equal(coso_body_int(b, field, v), COSO_OK);
}

static void
unit_op(struct coso_body *b, const char *code, int level, const char *parent,
    int32_t from, int32_t to, const char *merged)
{
	uint8_t row[16];
	char name[64];

	snprintf(name, sizeof(name), "Đơn vị %s", code);
	coso_uuid_named(row, "unit", code);
	assert_int_equal(coso_body_op(b, COSO_T_UNIT, row, COSO_UPSERT), 0);
	text(b, COSO_F_UNIT_CODE, code);
	text(b, COSO_F_UNIT_NAME, name);
	num(b, 3, level);
	if (parent != NULL) {
		text(b, COSO_F_UNIT_PARENT, parent);
	}
	num(b, 5, from);
	if (to != 0) {
		num(b, 6, to);
	}
	if (merged != NULL) {
		text(b, COSO_F_UNIT_MERGED_INTO, merged);
	}
}

static void
cadre_op(struct coso_body *b, const char *id)
{
	uint8_t row[16];
	char name[64];

	snprintf(name, sizeof(name), "Cán bộ %s", id);
	coso_uuid_named(row, "cadre", id);
	assert_int_equal(coso_body_op(b, COSO_T_CADRE, row, COSO_UPSERT), 0);
	text(b, COSO_F_CADRE_CADRE_ID, id);
	text(b, COSO_F_CADRE_NAME, name);
}

static void
assign_op(struct coso_body *b, const char *cadre, const char *unit,
    const char *sector, int role, int32_t from, int32_t to)
{
	uint8_t row[16];

	coso_uuid7(row, T0);
	assert_int_equal(
	    coso_body_op(b, COSO_T_ASSIGNMENT, row, COSO_UPSERT), COSO_OK);
	text(b, COSO_F_ASSIGNMENT_CADRE_ID, cadre);
	if (unit != NULL) {
		text(b, COSO_F_ASSIGNMENT_UNIT, unit);
	}
	if (sector != NULL) {
		text(b, COSO_F_ASSIGNMENT_SECTOR, sector);
	}
	num(b, 4, role);
	num(b, 5, from);
	if (to != 0) {
		num(b, 6, to);
	}
}

static void
schedule_op(struct coso_body *b, int kind, int due, int grace)
{
	uint8_t row[16];

	coso_uuid7(row, T0);
	assert_int_equal(
	    coso_body_op(b, COSO_T_SCHEDULE, row, COSO_UPSERT), COSO_OK);
	num(b, 1, kind);
	num(b, 2, due);
	num(b, 3, grace);
}

static void
report_op(struct coso_body *b, const char *unit, const char *period,
    int complete, int32_t submitted)
{
	uint8_t row[16];

	coso_uuid7(row, T0);
	assert_int_equal(
	    coso_body_op(b, COSO_T_REPORT, row, COSO_UPSERT), COSO_OK);
	text(b, COSO_F_REPORT_UNIT, unit);
	text(b, COSO_F_REPORT_PERIOD, period);
	text(b, COSO_F_REPORT_RESULTS, "Đã hoàn thành nhiệm vụ");
	text(b, COSO_F_REPORT_SITUATION, "Ổn định");
	text(b, COSO_F_REPORT_DIFFICULTIES, complete ? "Thiếu vốn" : "  ");
	text(b, COSO_F_REPORT_PROPOSALS, "Đề nghị hỗ trợ giống lúa");
	num(b, 8, submitted);
}

static void
visit_op(struct coso_body *b, uint8_t row[16], const char *unit, int32_t date)
{
	coso_uuid7(row, T0);
	assert_int_equal(
	    coso_body_op(b, COSO_T_VISIT, row, COSO_UPSERT), COSO_OK);
	text(b, COSO_F_VISIT_UNIT, unit);
	num(b, 2, date);
	text(b, COSO_F_VISIT_PURPOSE, "Thăm hộ nghèo");
}

static void
proposal_op(struct coso_body *b, uint8_t row[16], const uint8_t src[16],
    const char *unit, int32_t date)
{
	coso_uuid7(row, T0);
	assert_int_equal(
	    coso_body_op(b, COSO_T_PROPOSAL, row, COSO_UPSERT), COSO_OK);
	assert_int_equal(
	    coso_body_bytes(b, COSO_F_PROPOSAL_SOURCE, src, 16), COSO_OK);
	text(b, COSO_F_PROPOSAL_UNIT, unit);
	text(b, COSO_F_PROPOSAL_TEXT, "Sửa đường liên thôn");
	num(b, 4, date);
}

static void
response_op(struct coso_body *b, const uint8_t prop[16], int status)
{
	uint8_t row[16];

	coso_uuid7(row, T0);
	assert_int_equal(
	    coso_body_op(b, COSO_T_RESPONSE, row, COSO_UPSERT), COSO_OK);
	assert_int_equal(
	    coso_body_bytes(b, COSO_F_RESPONSE_PROPOSAL, prop, 16), COSO_OK);
	num(b, 2, status);
	text(b, COSO_F_RESPONSE_TEXT, "Đã xem xét");
	num(b, 4, 20251101);
}

static void
outcome_op(struct coso_body *b, const uint8_t visit[16], int64_t amount)
{
	uint8_t row[16];

	coso_uuid7(row, T0);
	assert_int_equal(
	    coso_body_op(b, COSO_T_OUTCOME, row, COSO_UPSERT), COSO_OK);
	assert_int_equal(
	    coso_body_bytes(b, COSO_F_OUTCOME_VISIT, visit, 16), COSO_OK);
	text(b, COSO_F_OUTCOME_TEXT, "Cấp gạo");
	num(b, 5, amount);
}

/* A central with the central key, an admin and NDEV field keys (cadres
 * cb-a .. cb-h). */
static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[CSTORE_ERRMSG_MAX], *pub = NULL, cadre[16];
	struct merge_ctx m;
	struct merge_out out;
	int i;

	if (f == NULL) {
		return -1;
	}
	snprintf(f->dir, sizeof(f->dir), "/tmp/coso-report-XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		return -1;
	}
	snprintf(f->db, sizeof(f->db), "%s/central.db", f->dir);
	dev_init(&f->central, 1000, "central");
	dev_init(&f->admin, 1001, "admin");
	for (i = 0; i < NDEV; i++) {
		snprintf(cadre, sizeof(cadre), "cb-%c", 'a' + i);
		dev_init(&f->d[i], (uint32_t) i, cadre);
	}
	assert_int_equal(cstore_create(&f->s, f->db, err), COSO_OK);
	m = (struct merge_ctx) {f->s, f->central.key};
	assert_int_equal(coso_pubkey_format(&pub, f->central.pk), COSO_OK);
	assert_int_equal(cstore_begin(f->s), COSO_OK);
	assert_int_equal(cstore_meta_set(f->s, "central_pk", pub), COSO_OK);
	assert_int_equal(cstore_meta_set(f->s, "origin", "test"), COSO_OK);
	assert_int_equal(cstore_meta_set(f->s, "created_ms", "0"), COSO_OK);
	assert_int_equal(emit_bootstrap(f->s, f->central.pk), COSO_OK);
	assert_int_equal(emit_device_key(&m, f->admin.pk, "admin",
	                     CSTORE_ROLE_ADMIN, NULL, T0, &out),
	    COSO_OK);
	for (i = 0; i < NDEV; i++) {
		assert_int_equal(emit_device_key(&m, f->d[i].pk, f->d[i].cadre,
		                     CSTORE_ROLE_FIELD, NULL, T0, &out),
		    COSO_OK);
		assert_int_equal(out.verdict, COSO_VERDICT_ACCEPTED);
	}
	assert_int_equal(cstore_commit(f->s), COSO_OK);
	free(pub);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];
	int i;

	cstore_report_close(f->rdb);
	cstore_close(f->s);
	coso_key_free(f->central.key);
	coso_key_free(f->admin.key);
	for (i = 0; i < NDEV; i++) {
		coso_key_free(f->d[i].key);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	if (system(cmd) != 0) {
		return -1;
	}
	free(f);
	return 0;
}

static struct cstore_report_db *
rdb(struct fx *f)
{
	char err[CSTORE_REPORT_ERRMSG_MAX];

	if (f->rdb == NULL) {
		assert_int_equal(cstore_report_indexes(f->db, err), COSO_OK);
		assert_int_equal(
		    cstore_report_open(&f->rdb, f->db, err), COSO_OK);
	}
	return f->rdb;
}

#pragma GCC diagnostic pop

#endif /* COSO_TEST_CENTRAL_FIXTURE_H */
