/*
 * store_backup.c: a copy of a central database with SQLite's online
 * backup API (cstore_copy), for `cosod central backup` and `restore`.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "store_impl.h"

#define BUSY_RETRY_MS 10
#define BUSY_RETRIES  3000 /* 30 s of a locked source, at most */

/* errmsg gets "what: SQLite's sentence" for db (or out of memory). */
static int
sql_fail(char *errmsg, const char *what, sqlite3 *db)
{
	snprintf(errmsg, CSTORE_ERRMSG_MAX, "%s: %s", what,
	    db != NULL ? sqlite3_errmsg(db) : "out of memory");
	return COSO_EIO;
}

/* A new file at path, 0600, never replacing one: the copy of a province's
 * records is for its office only. */
static int
reserve(const char *path, char *errmsg)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0) {
		snprintf(errmsg, CSTORE_ERRMSG_MAX, "cannot create `%s': %s",
		    path, strerror(errno));
		return errno == EEXIST ? COSO_EEXIST : COSO_EIO;
	}
	close(fd);
	return COSO_OK;
}

static int
fsync_path(const char *path, char *errmsg)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rv = COSO_OK;

	if (fd < 0 || fsync(fd) != 0) {
		snprintf(errmsg, CSTORE_ERRMSG_MAX, "cannot sync `%s': %s",
		    path, strerror(errno));
		rv = COSO_EIO;
	}
	if (fd >= 0) {
		close(fd);
	}
	return rv;
}

/*
 * The steps.  The source's read transaction is opened first and held to
 * the end: every step then reads the same committed snapshot, so a copy
 * made while the writer commits many groups a second is one state of the
 * database (the writer is not blocked: WAL readers never are), and it is
 * never restarted by a commit as a copy without that transaction is.
 */
static int
copy_steps(sqlite3 *src, sqlite3 *dst, int step, uint64_t *pages, char *errmsg)
{
	sqlite3_backup *b;
	int rc, busy = 0;

	if (sqlite3_exec(
	        src, "BEGIN; SELECT count(*) FROM meta;", NULL, NULL, NULL)
	    != SQLITE_OK) {
		return sql_fail(errmsg, "cannot read the source", src);
	}
	if ((b = sqlite3_backup_init(dst, "main", src, "main")) == NULL) {
		sql_fail(errmsg, "cannot start the copy", dst);
		sqlite3_exec(src, "COMMIT", NULL, NULL, NULL);
		return COSO_EIO;
	}
	do {
		rc = sqlite3_backup_step(b, step);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
			sqlite3_sleep(BUSY_RETRY_MS);
			busy++;
		}
	} while ((rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
	    && busy < BUSY_RETRIES);
	*pages = (uint64_t) sqlite3_backup_pagecount(b);
	sqlite3_backup_finish(b);
	sqlite3_exec(src, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_DONE) {
		snprintf(errmsg, CSTORE_ERRMSG_MAX, "cannot copy: %s",
		    sqlite3_errstr(rc));
		return COSO_EIO;
	}
	return COSO_OK;
}

int
cstore_copy(const char *src_path, const char *dst_path, int step,
    uint64_t *pages, char errmsg[static CSTORE_ERRMSG_MAX])
{
	sqlite3 *src = NULL, *dst = NULL;
	int rv;

	if ((rv = reserve(dst_path, errmsg)) != COSO_OK) {
		return rv;
	}
	if (sqlite3_open_v2(src_path, &src, SQLITE_OPEN_READONLY, NULL)
	    != SQLITE_OK) {
		rv = sql_fail(errmsg, "cannot open the source", src);
	} else if (sqlite3_open_v2(dst_path, &dst, SQLITE_OPEN_READWRITE, NULL)
	    != SQLITE_OK) {
		rv = sql_fail(errmsg, "cannot open the copy", dst);
	} else {
		sqlite3_busy_timeout(src, 5000);
		rv = copy_steps(src, dst, step, pages, errmsg);
	}
	/* One self-contained file: the copy leaves no -wal beside it. */
	if (rv == COSO_OK
	    && (sqlite3_exec(
	            dst, "PRAGMA journal_mode = DELETE;", NULL, NULL, NULL)
	        != SQLITE_OK)) {
		rv = sql_fail(errmsg, "cannot finish the copy", dst);
	}
	sqlite3_close(src);
	if (sqlite3_close(dst) != SQLITE_OK && rv == COSO_OK) {
		rv = sql_fail(errmsg, "cannot close the copy", dst);
	}
	if (rv == COSO_OK) {
		rv = fsync_path(dst_path, errmsg);
	}
	if (rv != COSO_OK) {
		unlink(dst_path);
	}
	return rv;
}
