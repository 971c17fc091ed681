/*
 * bench_audit.c: the audit log at province scale.
 *
 *   bench_audit BUILD FRAGMENT [N]
 *
 * Builds (once; kept in BUILD/bench-audit-N) a central database of N
 * accepted single-visit change-sets (default 1,000,000) from 1,000
 * devices, through the central's own merge code with a checkpoint per
 * group of 5,000, then measures:
 *
 *   proof_inclusion_us   mean time to generate one inclusion proof at N
 *                        leaves from the stored subtree hashes (10,000
 *                        random leaves, read-only handle, after its
 *                        first tree read filled the readers' copy of
 *                        them, whose time is printed); baseline: one
 *                        log row read by position.
 *   proof_consistency_us the same for consistency proofs between random
 *                        sizes; same baseline.
 *   audit_full_rate      change-sets/s of `coso-audit verify --full`
 *                        against `cosod central run --http` on the same
 *                        machine (fetch, parse, re-verify, recompute);
 *                        baseline: raw Ed25519 verify rate, one core.
 *   audit_full_seconds   the wall time of that audit; target at N =
 *                        10^6: 120 s.
 */
#include <inttypes.h>
#include <signal.h>
#include <sys/stat.h>

#include <sodium.h>

#include <coso/proto.h>

#include "bench_central.h"

#define DEVICES 1000
#define GROUP   5000
#define T0      UINT64_C(1764201600000)
#define PROOFS  10000

_Static_assert(DEVICES % 125 == 0, "cadres in change-sets of 125");

/* The province, one district, every cadre, each assigned to it. */
static void
province(const struct merge_ctx *m, struct bench_dev *admin)
{
	struct coso_body *b = NULL;
	uint8_t row[16];
	char cadre[32];
	int i;

	bench_must(coso_body_new(&b), "body");
	coso_uuid_named(row, "unit", "20");
	bench_must(coso_body_op(b, COSO_T_UNIT, row, COSO_UPSERT), "op");
	bench_text(b, COSO_F_UNIT_CODE, "20");
	bench_text(b, COSO_F_UNIT_NAME, "Tỉnh Lạng Sơn");
	bench_must(coso_body_int(b, COSO_F_UNIT_LEVEL, 1), "int");
	bench_must(coso_body_int(b, COSO_F_UNIT_VALID_FROM, 20200101), "int");
	coso_uuid_named(row, "unit", "180");
	bench_must(coso_body_op(b, COSO_T_UNIT, row, COSO_UPSERT), "op");
	bench_text(b, COSO_F_UNIT_CODE, "180");
	bench_text(b, COSO_F_UNIT_NAME, "Huyện Tràng Định");
	bench_must(coso_body_int(b, COSO_F_UNIT_LEVEL, 2), "int");
	bench_text(b, COSO_F_UNIT_PARENT, "20");
	bench_must(coso_body_int(b, COSO_F_UNIT_VALID_FROM, 20200101), "int");
	for (i = 0; i < DEVICES; i++) {
		snprintf(cadre, sizeof(cadre), "cb-%04d", i);
		coso_uuid_named(row, "cadre", cadre);
		bench_must(
		    coso_body_op(b, COSO_T_CADRE, row, COSO_UPSERT), "op");
		bench_text(b, COSO_F_CADRE_CADRE_ID, cadre);
		bench_text(b, COSO_F_CADRE_NAME, cadre);
		coso_uuid7(row, T0);
		bench_must(
		    coso_body_op(b, COSO_T_ASSIGNMENT, row, COSO_UPSERT),
		    "op");
		bench_text(b, COSO_F_ASSIGNMENT_CADRE_ID, cadre);
		bench_text(b, COSO_F_ASSIGNMENT_UNIT, "180");
		bench_must(coso_body_int(b, COSO_F_ASSIGNMENT_ROLE, 1), "int");
		bench_must(
		    coso_body_int(b, COSO_F_ASSIGNMENT_VALID_FROM, 20250101),
		    "int");
		if (i % 125 == 124) { /* a change-set's size limit */
			bench_push(m, admin, b, T0, T0);
		}
	}
	coso_body_free(b);
}

static struct coso_key *
key_of(uint32_t n)
{
	return bench_key(n, 0x5a);
}

static void
setup(struct central_store *s, struct coso_key *central,
    struct bench_dev *admin, struct bench_dev *devs)
{
	struct merge_ctx m = {s, central};

	bench_must(cstore_begin(s), "begin");
	bench_central_init(&m, admin, "bench.coso/audit", T0);
	province(&m, admin);
	bench_enroll(&m, devs, DEVICES, T0);
	bench_must(emit_checkpoint(&m), "checkpoint");
	bench_must(cstore_commit(s), "commit");
}

static void
visits(struct central_store *s, struct coso_key *central,
    struct bench_dev *devs, uint64_t n)
{
	struct merge_ctx m  = {s, central};
	struct coso_body *b = NULL;
	uint8_t row[16];
	uint64_t i;

	bench_must(coso_body_new(&b), "body");
	for (i = 0; i < n; i++) {
		struct bench_dev *d = &devs[i % DEVICES];

		if (i % GROUP == 0) {
			bench_must(cstore_begin(s), "begin");
		}
		coso_uuid7(row, T0 + i);
		bench_must(
		    coso_body_op(b, COSO_T_VISIT, row, COSO_UPSERT), "op");
		bench_text(b, COSO_F_VISIT_UNIT, "180");
		bench_must(coso_body_int(b, COSO_F_VISIT_DATE,
		               20251101 + (int) (i % 28)),
		    "int");
		bench_text(b, COSO_F_VISIT_PURPOSE,
		    "Thăm hộ gia đình, nắm tình hình sản xuất");
		bench_push(&m, d, b, T0, T0 + i);
		if (i % GROUP == GROUP - 1 || i == n - 1) {
			bench_must(emit_checkpoint(&m), "checkpoint");
			bench_must(cstore_commit(s), "commit");
			fprintf(stderr,
			    "\rbench_audit: %" PRIu64 " / %" PRIu64, i + 1, n);
		}
	}
	fputc('\n', stderr);
	coso_body_free(b);
}

/* The database and its key file under dir, built unless present. */
static void
build_db(const char *dir, uint64_t n)
{
	char db[600], keyp[512], done[512], err[CSTORE_ERRMSG_MAX],
	    *sec                 = NULL;
	struct coso_key *central = key_of(0xC0000000u);
	struct bench_dev admin   = {0}, *devs;
	struct central_store *s  = NULL;
	FILE *f;
	int i;

	admin.key = key_of(0xAD000000u);
	snprintf(done, sizeof(done), "%s/built", dir);
	if (access(done, F_OK) == 0) {
		coso_key_free(central);
		coso_key_free(admin.key);
		return;
	}
	snprintf(db, sizeof(db), "rm -rf %s && mkdir -p %s", dir, dir);
	if (system(db) != 0) {
		bench_die("cannot make %s", dir);
	}
	snprintf(db, sizeof(db), "%s/central.db", dir);
	snprintf(keyp, sizeof(keyp), "%s/central.db.key", dir);
	bench_must(coso_seckey_format(&sec, central, NULL, 0), "key file");
	if ((f = fopen(keyp, "w")) == NULL || fputs(sec, f) < 0
	    || fclose(f) != 0 || chmod(keyp, 0600) != 0) {
		bench_die("cannot write %s", keyp);
	}
	free(sec);
	devs = calloc(DEVICES, sizeof(*devs));
	for (i = 0; i < DEVICES; i++) {
		devs[i].key = key_of((uint32_t) i);
		coso_key_id(devs[i].key, devs[i].id);
	}
	coso_key_id(admin.key, admin.id);
	if (cstore_create(&s, db, err) != COSO_OK) {
		bench_die("%s", err);
	}
	setup(s, central, &admin, devs);
	visits(s, central, devs, n);
	cstore_close(s);
	for (i = 0; i < DEVICES; i++) {
		coso_key_free(devs[i].key);
	}
	free(devs);
	coso_key_free(central);
	coso_key_free(admin.key);
	if ((f = fopen(done, "w")) == NULL || fclose(f) != 0) {
		bench_die("cannot write %s", done);
	}
}

/* Mean microseconds per proof (inclusion, or consistency if cons). */
static double
proof_us(struct central_store *s, uint64_t size, int cons)
{
	struct coso_tree_src src;
	uint8_t proof[COSO_PROOF_MAX][32];
	size_t count;
	double t0;
	int i;

	cstore_tree_src(s, &src);
	t0 = bench_now();
	for (i = 0; i < PROOFS; i++) {
		uint64_t a = 1 + randombytes_uniform((uint32_t) (size - 1));

		if (cons) {
			bench_must(coso_proof_consistency(
			               &src, a, size, proof, &count),
			    "consistency proof");
		} else {
			bench_must(
			    coso_proof_inclusion(&src, a, size, proof, &count),
			    "inclusion proof");
		}
	}
	return (bench_now() - t0) / PROOFS * 1e6;
}

static double
row_read_us(struct central_store *s, uint64_t size)
{
	struct cstore_logrow row;
	double t0 = bench_now();
	int i;

	for (i = 0; i < PROOFS; i++) {
		bench_must(cstore_log_get(
		               s, randombytes_uniform((uint32_t) size), &row),
		    "row");
		free(row.bytes);
	}
	return (bench_now() - t0) / PROOFS * 1e6;
}

static double
verify_rate(void)
{
	struct coso_key *k = key_of(0x70000000u);
	uint8_t pk[32], sig[64], msg[300];
	double t0;
	int i, n = 20000;

	coso_key_public(k, pk);
	randombytes_buf(msg, sizeof(msg));
	coso_key_sign(k, sig, msg, sizeof(msg));
	t0 = bench_now();
	for (i = 0; i < n; i++) {
		if (crypto_sign_verify_detached(sig, msg, sizeof(msg), pk)
		    != 0) {
			bench_die("verify");
		}
	}
	coso_key_free(k);
	return n / (bench_now() - t0);
}

static int
free_port(void)
{
	return 20000 + (int) randombytes_uniform(12000); /* below ephemeral */
}

/* Seconds of a full audit against a central serving dir's database. */
static double
audit_seconds(const char *build, const char *dir, const char *state)
{
	char cosod[512], audit[512], db[512], listen[64], http[64], url[64];
	char pub[512], out[512];
	int port = free_port(), status;
	pid_t central;
	double t0;

	snprintf(cosod, sizeof(cosod), "%s/cosod", build);
	snprintf(audit, sizeof(audit), "%s/coso-audit", build);
	snprintf(db, sizeof(db), "%s/central.db", dir);
	snprintf(pub, sizeof(pub), "%s/central.pub", dir);
	snprintf(out, sizeof(out), "%s/audit.json", dir);
	snprintf(listen, sizeof(listen), "tcp://127.0.0.1:%d", port);
	snprintf(http, sizeof(http), "127.0.0.1:%d", port + 1);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", port + 1);
	{
		char *argv[] = {cosod, "central", "run", "--db", db,
		    "--listen", listen, "--http", http, NULL};
		central      = bench_spawn(argv, NULL);
	}
	bench_sleep_ms(1000);
	t0 = bench_now();
	{
		char *argv[] = {audit, "--central", url, "--central-key", pub,
		    "--state", (char *) state, "--json", "verify", "--full",
		    NULL};
		bench_run(argv, out);
	}
	t0 = bench_now() - t0;
	kill(central, SIGTERM);
	waitpid(central, &status, 0);
	return t0;
}

static void
write_pub(const char *dir)
{
	struct coso_key *central = key_of(0xC0000000u);
	char path[512], *pub = NULL;
	uint8_t pk[32];
	FILE *f;

	coso_key_public(central, pk);
	bench_must(coso_pubkey_format(&pub, pk), "pub");
	snprintf(path, sizeof(path), "%s/central.pub", dir);
	if ((f = fopen(path, "w")) == NULL || fputs(pub, f) < 0
	    || fclose(f) != 0) {
		bench_die("cannot write %s", path);
	}
	free(pub);
	coso_key_free(central);
}

int
main(int argc, char **argv)
{
	uint64_t n = argc > 3 ? strtoull(argv[3], NULL, 10) : 1000000;
	char dir[128], db[512], err[CSTORE_ERRMSG_MAX], state[512];
	struct central_store *s = NULL;
	double row, inc, cons, secs, raw, fill;
	uint64_t size;
	uint8_t root[32];
	FILE *out;

	if (argc < 3 || n < 2 || sodium_init() < 0) {
		bench_die("usage: bench_audit BUILD FRAGMENT [N]");
	}
	snprintf(dir, sizeof(dir), "%s/bench-audit-%" PRIu64, argv[1], n);
	build_db(dir, n);
	write_pub(dir);
	snprintf(db, sizeof(db), "%s/central.db", dir);
	if (cstore_open(&s, db, 1, err) != COSO_OK) {
		bench_die("%s", err);
	}
	/* The first tree read of a process fills the readers' copy of the
	 * subtree hashes (docs/central.md): timed apart, once. */
	fill = bench_now();
	bench_must(cstore_tree_head(s, &size, root), "tree");
	fill = bench_now() - fill;
	row  = row_read_us(s, size);
	inc  = proof_us(s, size, 0);
	cons = proof_us(s, size, 1);
	cstore_close(s);
	raw = verify_rate();
	snprintf(state, sizeof(state), "rm -rf %s/state", dir);
	if (system(state) != 0) {
		bench_die("cannot clear the state");
	}
	snprintf(state, sizeof(state), "%s/state", dir);
	secs = audit_seconds(argv[1], dir, state);
	if ((out = fopen(argv[2], "w")) == NULL) {
		bench_die("cannot write %s", argv[2]);
	}
	printf("bench_audit: %" PRIu64
	       " log entries; first tree read %.3f s\n",
	    size, fill);
	bench_metric(out, "proof_inclusion_us", inc, "us", row);
	bench_metric(out, "proof_consistency_us", cons, "us", row);
	bench_metric(
	    out, "audit_full_rate", (double) size / secs, "changesets/s", raw);
	bench_metric(out, "audit_full_seconds", secs, "s", 120.0);
	fclose(out);
	return 0;
}
