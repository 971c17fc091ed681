/*
 * cmd_backup.c: `cosod central backup`, a copy of the database made
 * while `run' ingests, and `restore', a new database from a backup, from
 * the log's entries as an auditor keeps them, or from both
 * (docs/operations.md, "Backup" and "Restore").
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <coso/common.h>

#include "store.h"
#include "cmd_central.h"
#include "digest.h"
#include "emit.h"
#include "files.h"
#include "log.h"
#include "logcheck.h"
#include "rebuild.h"

#define STEP_PAGES 1024 /* 4 MiB a step at SQLite's default page size */

/* "<path><suffix>", malloc'd; NULL (reported) if out of memory. */
static char *
path_with(const char *path, const char *suffix)
{
	size_t n = strlen(path) + strlen(suffix) + 1;
	char *p  = malloc(n);

	if (p == NULL) {
		central_fail("out of memory");
	} else {
		snprintf(p, n, "%s%s", path, suffix);
	}
	return p;
}

/* 0 if nothing is at path, else -1 (reported, with why). */
static int
absent(const char *path, const char *why)
{
	if (access(path, F_OK) != 0 && errno == ENOENT) {
		return 0;
	}
	central_fail("`%s' exists%s", path, why);
	return -1;
}

/* The temporary file and SQLite's files beside it must not exist: a
 * journal left there by a stopped copy would be applied to the new one. */
static int
tmp_free(const char *tmp)
{
	static const char *const sfx[] = {"", "-journal", "-wal", "-shm"};
	char *p;
	size_t i;
	int rv = 0;

	for (i = 0; rv == 0 && i < 4; i++) {
		if ((p = path_with(tmp, sfx[i])) == NULL) {
			return -1;
		}
		rv = absent(p,
		    " (left by a copy that did not finish): remove it and "
		    "run the command again");
		free(p);
	}
	return rv;
}

/* The check `run' makes before it serves (logcheck_start), and the
 * digest and entries of s, the database at path. */
static int
check_store(struct central_store *s, const char *path,
    uint8_t digest[static 32], uint64_t *entries)
{
	char err[CSTORE_ERRMSG_MAX];
	int rv;

	if ((rv = logcheck_start(s, err)) != COSO_OK) {
		central_fail("`%s' does not match its signed checkpoint: %s",
		    path, err);
	} else if ((rv = cstore_log_next(s, entries)) != COSO_OK
	    || (rv = digest_compute(s, digest)) != COSO_OK) {
		central_fail("cannot read `%s': %s", path, cstore_errmsg(s));
	}
	return rv == COSO_OK ? 0 : -1;
}

/* check_store on a read-only handle (a backup: one file, no WAL). */
static int
check_copy(const char *path, uint8_t digest[static 32], uint64_t *entries)
{
	struct central_store *s;
	int rv;

	if (central_open_ro(path, &s) != 0) {
		return -1;
	}
	rv = check_store(s, path, digest, entries);
	cstore_close(s);
	return rv;
}

/* Syncs the finished tmp and renames it to path (never replacing a
 * file). */
static int
place(const char *tmp, const char *path)
{
	int fd = open(tmp, O_RDONLY | O_CLOEXEC), ok;

	ok = fd >= 0 && fsync(fd) == 0;
	if (fd >= 0) {
		close(fd);
	}
	if (!ok || coso_file_place(tmp, path) != COSO_OK) {
		central_fail("cannot put `%s' in place as `%s': %s", tmp, path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

static int
print_result(const char *what, const char *path,
    const uint8_t digest[static 32], uint64_t entries)
{
	char hex[DIGEST_HEX];

	digest_hex(hex, digest);
	fprintf(stderr, "cosod: %s `%s': %" PRIu64 " log entries\n", what,
	    path, entries);
	printf("%s\n", hex);
	return fflush(stdout) == 0 ? 0 : COSOD_EXIT_FAIL;
}

int
central_backup(int argc, char **argv)
{
	const char *db = NULL, *out = NULL;
	const struct opt opts[] = {{"--db", &db, 0}, {"--out", &out, 0}};
	char err[CSTORE_ERRMSG_MAX], *tmp = NULL;
	struct central_store *s = NULL;
	uint8_t digest[32];
	uint64_t pages, entries;
	int code = COSOD_EXIT_FAIL;

	if (central_parse_opts(argc, argv, opts, 2) != 0
	    || central_need("--db", db) != 0
	    || central_need("--out", out) != 0) {
		return COSOD_EXIT_USAGE;
	}
	if (central_open_ro(db, &s) != 0) {
		return COSOD_EXIT_FAIL;
	}
	cstore_close(s);
	if (absent(out, ": a backup never replaces a file") != 0
	    || (tmp = path_with(out, ".tmp")) == NULL || tmp_free(tmp) != 0) {
		goto out;
	}
	if (cstore_copy(db, tmp, STEP_PAGES, &pages, err) != COSO_OK) {
		central_fail("cannot back up `%s': %s", db, err);
		goto out;
	}
	if (check_copy(tmp, digest, &entries) != 0) {
		unlink(tmp);
		goto out;
	}
	if (place(tmp, out) == 0) {
		code = print_result("backup", out, digest, entries);
	}
out:
	free(tmp);
	return code;
}

/* ---- restore --------------------------------------------------------------
 */

struct restore {
	const char *db, *backup, *entries;
	char *tmp;
	struct coso_key *key;
};

/* The central's key, beside the new database already, must be the one
 * the restored database names. */
static int
key_matches(struct central_store *s, const struct restore *r)
{
	uint8_t want[32], have[32];
	char *text = NULL;
	int rv     = cstore_meta_get(s, "central_pk", &text);

	coso_key_public(r->key, have);
	if (rv != COSO_OK || coso_pubkey_parse(want, text, strlen(text)) != 0
	    || memcmp(want, have, 32) != 0) {
		central_fail("the key `%s.key' is not the central key that "
		             "the restored database names",
		    r->db);
		rv = COSO_EKEYFILE;
	}
	free(text);
	return rv == COSO_OK ? 0 : -1;
}

/* The log's entries (an auditor's entries file) into s: all of them into
 * a fresh database, or those past its log into a restored backup. */
static int
replay_entries(struct central_store *s, const struct restore *r, int fresh)
{
	struct clog log = {CLOG_WARN, 0};
	char err[CSTORE_ERRMSG_MAX];
	uint64_t n, added, bad;
	FILE *f = fopen(r->entries, "rb");
	int rv;

	if (f == NULL) {
		central_fail(
		    "cannot open `%s': %s", r->entries, strerror(errno));
		return -1;
	}
	if (fresh) {
		rv    = rebuild_from_file(f, s, &log, &n, &bad, err);
		added = n;
	} else {
		rv = rebuild_forward_file(f, s, &log, &n, &added, &bad, err);
	}
	fclose(f);
	if (rv != COSO_OK) {
		central_fail("cannot restore from `%s': %s", r->entries,
		    err[0] != '\0'       ? err
		        : rv == COSO_EIO ? cstore_errmsg(s)
		                         : coso_strerror(rv));
		return -1;
	}
	if (bad != 0) {
		central_fail("restore: %" PRIu64 " of %" PRIu64
		             " entries got another verdict",
		    bad, n);
		return -1;
	}
	fprintf(stderr, "cosod: restore: %" PRIu64 " entries of `%s' added\n",
	    added, r->entries);
	return 0;
}

/* The checkpoint of the whole restored log, signed with the central key
 * (none is needed if the backup's newest covers it). */
static int
sign_head(struct central_store *s, const struct restore *r)
{
	struct merge_ctx m = {s, r->key};
	int rv             = cstore_begin(s);

	if (rv == COSO_OK && (rv = emit_checkpoint(&m)) == COSO_OK) {
		rv = cstore_commit(s);
	} else {
		cstore_rollback(s);
	}
	if (rv != COSO_OK) {
		central_fail("cannot sign the restored log's checkpoint: %s",
		    rv == COSO_EIO ? cstore_errmsg(s) : coso_strerror(rv));
		return -1;
	}
	return 0;
}

/* The new database at r->tmp: copied from the backup, or created; rolled
 * forward or rebuilt from the entries; its checkpoint signed; checked as
 * `run' will check it. */
static int
restore_build(struct restore *r, uint8_t digest[static 32], uint64_t *entries)
{
	char err[CSTORE_ERRMSG_MAX];
	struct central_store *s = NULL;
	uint64_t pages;
	int rv = -1;

	if (r->backup != NULL) {
		if (cstore_copy(r->backup, r->tmp, STEP_PAGES, &pages, err)
		    != COSO_OK) {
			central_fail("cannot copy `%s': %s", r->backup, err);
			return -1;
		}
		if (cstore_open(&s, r->tmp, 0, err) != COSO_OK) {
			central_fail("`%s': %s", r->backup, err);
			return -1;
		}
	} else if (cstore_create(&s, r->tmp, err) != COSO_OK) {
		central_fail("%s", err);
		return -1;
	}
	if (r->entries != NULL
	    && replay_entries(s, r, r->backup == NULL) != 0) {
		goto out;
	}
	/* Checked on this handle: its close, the last, ends the WAL. */
	if (key_matches(s, r) == 0 && sign_head(s, r) == 0
	    && check_store(s, r->tmp, digest, entries) == 0) {
		rv = 0;
	}
out:
	cstore_close(s);
	return rv;
}

static int
restore_run(struct restore *r)
{
	char err[FILES_ERRMSG_MAX];
	uint8_t digest[32];
	uint64_t entries;

	if (absent(r->db, ": restore makes a new database") != 0
	    || (r->tmp = path_with(r->db, ".tmp")) == NULL
	    || tmp_free(r->tmp) != 0) {
		return COSOD_EXIT_FAIL;
	}
	if (files_central_key(r->db, &r->key, err) != COSO_OK) {
		central_fail("%s (put the old central's key file, from its "
		             "own backup, there first)",
		    err);
		return COSOD_EXIT_FAIL;
	}
	if (restore_build(r, digest, &entries) != 0
	    || place(r->tmp, r->db) != 0) {
		central_fail("restore: `%s' kept for inspection", r->tmp);
		return COSOD_EXIT_FAIL;
	}
	return print_result("restored", r->db, digest, entries);
}

int
central_restore(int argc, char **argv)
{
	struct restore r        = {0};
	const struct opt opts[] = {{"--db", &r.db, 0},
	    {"--backup", &r.backup, 0}, {"--entries", &r.entries, 0}};
	int code;

	if (central_parse_opts(argc, argv, opts, 3) != 0
	    || central_need("--db", r.db) != 0) {
		return COSOD_EXIT_USAGE;
	}
	if (r.backup == NULL && r.entries == NULL) {
		central_fail("give --backup FILE, --entries FILE, or both");
		return COSOD_EXIT_USAGE;
	}
	code = restore_run(&r);
	coso_key_free(r.key);
	free(r.tmp);
	return code;
}
