/*
 * cmd_digest.c: `cosod central digest` and `rebuild`, which replays the log
 * into a new database and prints its digest.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "store.h"
#include "cmd_central.h"
#include "digest.h"
#include "log.h"
#include "logcheck.h"
#include "rebuild.h"

/* The digest; with tables, then "name hex" for each table. */
static int
print_digest(struct central_store *s, const char *db, int tables)
{
	uint8_t d[32], per[DIGEST_TABLES][32];
	char hex[DIGEST_HEX];
	size_t i;

	if (digest_compute_tables(s, d, per) != COSO_OK) {
		central_fail("cannot read `%s': %s", db, cstore_errmsg(s));
		return COSOD_EXIT_FAIL;
	}
	digest_hex(hex, d);
	printf("%s\n", hex);
	for (i = 0; tables && i < DIGEST_TABLES; i++) {
		digest_hex(hex, per[i]);
		printf("%s %s\n", digest_table_name(i), hex);
	}
	return fflush(stdout) == 0 ? 0 : COSOD_EXIT_FAIL;
}

int
central_digest(int argc, char **argv)
{
	const char *db = NULL, *tables = NULL;
	const struct opt opts[] = {{"--db", &db, 0}, {"--tables", &tables, 1}};
	struct central_store *s;
	int code;

	if (central_parse_opts(argc, argv, opts, 2) != 0
	    || central_need("--db", db) != 0) {
		return COSOD_EXIT_USAGE;
	}
	if (central_open_ro(db, &s) != 0) {
		return COSOD_EXIT_FAIL;
	}
	code = print_digest(s, db, tables != NULL);
	cstore_close(s);
	return code;
}

/* The rebuilt log must have the same tree as the one stored: same
 * leaves, same root. */
static int
same_tree(struct central_store *src, struct central_store *dst)
{
	uint64_t n_src, n_dst;
	uint8_t r_src[32], r_dst[32];
	char a[65], b[65];

	if (cstore_tree_head(src, &n_src, r_src) != COSO_OK
	    || cstore_tree_head(dst, &n_dst, r_dst) != COSO_OK) {
		central_fail(
		    "rebuild: cannot read the tree: %s", cstore_errmsg(dst));
		return -1;
	}
	if (n_src != n_dst || memcmp(r_src, r_dst, 32) != 0) {
		sodium_bin2hex(a, sizeof(a), r_dst, 32);
		sodium_bin2hex(b, sizeof(b), r_src, 32);
		central_fail(
		    "rebuild: the rebuilt log's tree (%" PRIu64
		    " leaves, root %s) is not the stored one (%" PRIu64
		    ", root %s)",
		    n_dst, a, n_src, b);
		return -1;
	}
	return 0;
}

/* ... and the tree the source's checkpoints signed, each of them; those
 * are copied, so that the rebuilt database can run. */
static int
same_signed(struct central_store *src, struct central_store *dst)
{
	char err[CSTORE_ERRMSG_MAX];
	uint64_t n;
	int rv = logcheck_rebuilt(src, dst, &n, err);

	if (rv != COSO_OK) {
		central_fail("rebuild: %s%s",
		    rv == COSO_EIO ? "cannot check: " : "", err);
		return -1;
	}
	return 0;
}

/* The rebuilt state must be the source's: a table that differs was
 * changed outside the log. */
static int
same_state(struct central_store *src, struct central_store *dst)
{
	uint8_t d[2][32], per[2][DIGEST_TABLES][32];
	char names[DIGEST_TABLES * 16] = "", *p = names;
	size_t i;

	if (digest_compute_tables(src, d[0], per[0]) != COSO_OK
	    || digest_compute_tables(dst, d[1], per[1]) != COSO_OK) {
		central_fail("rebuild: cannot compute the digests: %s / %s",
		    cstore_errmsg(src), cstore_errmsg(dst));
		return -1;
	}
	if (memcmp(d[0], d[1], 32) == 0) {
		return 0;
	}
	for (i = 0; i < DIGEST_TABLES; i++) {
		if (memcmp(per[0][i], per[1][i], 32) != 0) {
			p += snprintf(p, sizeof(names) - (size_t) (p - names),
			    "%s%s", p == names ? "" : ", ",
			    digest_table_name(i));
		}
	}
	central_fail(
	    "rebuild: the rebuilt state differs from the source's in %s: "
	    "rows were changed outside the log",
	    names);
	return -1;
}

static int
rebuild_into(struct central_store *src, struct central_store *dst,
    const char *out, int tables)
{
	struct clog log = {CLOG_WARN, 0};
	uint64_t n, bad;
	int rv, wrong = 0;

	if ((rv = rebuild_prepare(src, dst)) != COSO_OK
	    || (rv = rebuild_replay(src, dst, &log, &n, &bad)) != COSO_OK) {
		central_fail("cannot rebuild into `%s': %s", out,
		    rv == COSO_EIO ? cstore_errmsg(dst) : coso_strerror(rv));
		return COSOD_EXIT_FAIL;
	}
	if (bad != 0) {
		central_fail("rebuild: %" PRIu64 " of %" PRIu64
		             " log entries got another verdict",
		    bad, n);
		wrong = 1;
	}
	/* Every check runs, so that every difference is named. */
	wrong |= same_tree(src, dst) != 0;
	wrong |= same_signed(src, dst) != 0;
	wrong |= same_state(src, dst) != 0;
	if (wrong) {
		central_fail("rebuild: `%s' kept for inspection", out);
		return COSOD_EXIT_FAIL;
	}
	return print_digest(dst, out, tables);
}

/* `rebuild --entries FILE`: an auditor's download, replayed. */
static int
rebuild_file(
    const char *path, struct central_store *dst, const char *out, int tables)
{
	struct clog log = {CLOG_WARN, 0};
	char err[CSTORE_ERRMSG_MAX];
	uint64_t n, bad;
	FILE *f = fopen(path, "rb");
	int rv;

	if (f == NULL) {
		central_fail("cannot open `%s': %s", path, strerror(errno));
		return COSOD_EXIT_FAIL;
	}
	rv = rebuild_from_file(f, dst, &log, &n, &bad, err);
	fclose(f);
	if (rv != COSO_OK) {
		central_fail("cannot rebuild from `%s': %s", path,
		    err[0] != '\0'       ? err
		        : rv == COSO_EIO ? cstore_errmsg(dst)
		                         : coso_strerror(rv));
		return COSOD_EXIT_FAIL;
	}
	if (bad != 0) {
		central_fail("rebuild: %" PRIu64 " of %" PRIu64
		             " log entries got another verdict; `%s' kept for "
		             "inspection",
		    bad, n, out);
		return COSOD_EXIT_FAIL;
	}
	return print_digest(dst, out, tables);
}

int
central_rebuild(int argc, char **argv)
{
	const char *db = NULL, *out = NULL, *entries = NULL, *tables = NULL;
	const struct opt opts[] = {{"--db", &db, 0}, {"--out", &out, 0},
	    {"--entries", &entries, 0}, {"--tables", &tables, 1}};
	char err[CSTORE_ERRMSG_MAX];
	struct central_store *src = NULL, *dst = NULL;
	int code;

	if (central_parse_opts(argc, argv, opts, 4) != 0
	    || central_need("--out", out) != 0) {
		return COSOD_EXIT_USAGE;
	}
	if ((db == NULL) == (entries == NULL)) {
		central_fail("give exactly one of --db and --entries");
		return COSOD_EXIT_USAGE;
	}
	if (entries != NULL) {
		if (cstore_create(&dst, out, err) != COSO_OK) {
			central_fail("%s", err);
			return COSOD_EXIT_FAIL;
		}
		code = rebuild_file(entries, dst, out, tables != NULL);
		cstore_close(dst);
		return code;
	}
	if (central_open_ro(db, &src) != 0) {
		return COSOD_EXIT_FAIL;
	}
	if (cstore_create(&dst, out, err) != COSO_OK) {
		central_fail("%s", err);
		cstore_close(src);
		return COSOD_EXIT_FAIL;
	}
	code = rebuild_into(src, dst, out, tables != NULL);
	cstore_close(dst);
	cstore_close(src);
	return code;
}
