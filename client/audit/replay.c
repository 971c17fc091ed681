/*
 * replay.c: `coso-audit rebuild`.  The auditor has no merge engine of its
 * own (client/ never links daemon code, DESIGN.md §2): it hands the
 * entries it verified to `cosod central rebuild --entries` as a separate
 * program and compares the digest that prints with the central's.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "i18n.h"
#include "replay.h"

#define EXEC_FAILED 127

static int
header(FILE *f, const struct audit_cfg *cfg, const char *note, size_t len)
{
	uint8_t buf[COSO_ENTRIES_HEADER_MAX];
	char origin[COSO_ORIGIN_MAX + 1];
	const char *nl = memchr(note, '\n', len);
	size_t n       = nl != NULL ? (size_t) (nl - note) : 0;

	if (n == 0 || n > COSO_ORIGIN_MAX) {
		return -1;
	}
	memcpy(origin, note, n);
	origin[n] = '\0';
	if (coso_entries_header_encode(buf, &n, cfg->central_pk, origin)
	    != COSO_OK) {
		return -1;
	}
	return fwrite(buf, 1, n, f) == n ? 0 : -1;
}

/* cosod beside this program if there is one, else from PATH. */
static void
find_cosod(char *out, size_t n, const char *given)
{
	char exe[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	snprintf(out, n, "%s", given != NULL ? given : "cosod");
	if (given != NULL || len <= 0) {
		return;
	}
	exe[len] = '\0';
	if ((slash = strrchr(exe, '/')) != NULL) {
		snprintf(slash + 1, sizeof(exe) - (size_t) (slash + 1 - exe),
		    "cosod");
		if (access(exe, X_OK) == 0) {
			snprintf(out, n, "%s", exe);
		}
	}
}

/* Runs cosod with argv; its output (truncated to n - 1 bytes) into buf.
 * Exit status, or -1 if it could not be started. */
static int
spawn(const char *path, char *const argv[], char *line, size_t n)
{
	int fd[2], status;
	ssize_t got;
	size_t used = 0;
	pid_t pid;

	if (pipe(fd) != 0 || (pid = fork()) < 0) {
		return -1;
	}
	if (pid == 0) {
		dup2(fd[1], STDOUT_FILENO);
		close(fd[0]);
		close(fd[1]);
		execvp(path, argv);
		_exit(EXEC_FAILED);
	}
	close(fd[1]);
	while (used + 1 < n
	    && (got = read(fd[0], line + used, n - 1 - used)) != 0) {
		if (got < 0 && errno == EINTR) {
			continue;
		}
		if (got < 0) {
			break;
		}
		used += (size_t) got;
	}
	line[used] = '\0';
	close(fd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR) { }
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* The tables whose digests differ, named in the anomaly. */
static void
tables_differ(
    struct report *rep, const struct replay_result *rr, const char *out)
{
	char names[512] = "", line[128];
	const char *p   = strchr(out, '\n');
	size_t i, used = 0;

	for (i = 0; p != NULL && i < rr->tables.n; i++) {
		snprintf(line, sizeof(line), "\n%s %s\n", rr->tables.name[i],
		    rr->tables.hex[i]);
		if (strstr(p, line) == NULL && used + 66 < sizeof(names)) {
			used += (size_t) snprintf(names + used,
			    sizeof(names) - used, "%s%s", used ? ", " : "",
			    rr->tables.name[i]);
		}
	}
	report_anomaly(rep, "digest", -1,
	    _("the central's state differs from the state its log gives at "
	      "%llu entries: its tables were changed outside the log (%s)"),
	    (unsigned long long) rr->size,
	    names[0] != '\0' ? names : "no single table named");
}

static int
replay(const char *dir, const char *cosod, struct report *rep,
    struct replay_result *rr, char *err)
{
	char entries[PATH_MAX], db[PATH_MAX], side[PATH_MAX + 8],
	    bin[PATH_MAX];
	char *argv[] = {bin, "central", "rebuild", "--entries", entries,
	    "--out", db, "--tables", NULL};
	char out[8192];
	int code;

	snprintf(entries, sizeof(entries), "%s/entries.bin", dir);
	snprintf(db, sizeof(db), "%s/rebuild.db", dir);
	unlink(db);
	snprintf(side, sizeof(side), "%s-wal", db);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", db);
	unlink(side);
	find_cosod(bin, sizeof(bin), cosod);
	code = spawn(bin, argv, out, sizeof(out));
	if (code < 0 || code == EXEC_FAILED) {
		snprintf(err, AUDIT_ERR_MAX, "cannot run `%.400s'", bin);
		return AUDIT_MEM;
	}
	if (code != 0 || strcspn(out, "\n") != 64) {
		report_anomaly(rep, "replay", -1,
		    _("replaying the log through the merge code failed (exit "
		      "%d): the central's verdicts are not what its log "
		      "gives; "
		      "cosod's message above names the entries"),
		    code);
		return AUDIT_OK;
	}
	memcpy(rr->rebuilt, out, 64);
	rr->rebuilt[64] = '\0';
	rr->done        = 1;
	if (strcmp(rr->rebuilt, rr->central) != 0) {
		tables_differ(rep, rr, out);
	}
	return AUDIT_OK;
}

/* The digest must cover at least what was verified before: the log
 * only grows. */
static int
digest_size_ok(
    struct audit_state *st, const struct replay_result *rr, struct report *rep)
{
	uint64_t before = 0;

	if (state_size(st, &before) != AUDIT_OK) {
		return -1;
	}
	if (rr->size < before) {
		report_anomaly(rep, "digest", -1,
		    _("the digest covers %llu entries, fewer than the %llu "
		      "verified before"),
		    (unsigned long long) rr->size,
		    (unsigned long long) before);
	}
	return 0;
}

static int
fetch_digest(struct fetch *f, struct audit_state *st, struct report *rep,
    struct replay_result *rr, char *err)
{
	int rv = api_digest(f, &rr->size, rr->central, &rr->tables, err);

	if (rv == AUDIT_BAD || rv == AUDIT_HTTP) {
		report_anomaly(rep, "digest", -1,
		    _("the central serves no state digest: %s"), err);
		return AUDIT_OK;
	}
	if (rv == AUDIT_OK && digest_size_ok(st, rr, rep) != 0) {
		snprintf(err, AUDIT_ERR_MAX, "cannot read the state");
		return AUDIT_MEM;
	}
	return rv;
}

int
replay_run(struct audit_cfg *cfg, const char *dir, const char *cosod,
    struct fetch *f, struct audit_state *st, struct report *rep,
    struct audit_result *res, struct replay_result *rr,
    char err[static AUDIT_ERR_MAX])
{
	char path[PATH_MAX], *note = NULL;
	size_t len;
	FILE *out;
	int rv;

	memset(rr, 0, sizeof(*rr));
	memset(res, 0, sizeof(*res));
	err[0] = '\0';
	if ((rv = fetch_digest(f, st, rep, rr, err)) != AUDIT_OK
	    || rep->count > 0) {
		return rv;
	}
	if ((rv = api_checkpoint(f, &note, &len)) != AUDIT_OK) {
		snprintf(err, AUDIT_ERR_MAX, "%s", f->err);
		return rv == AUDIT_NET ? AUDIT_NET : AUDIT_MEM;
	}
	snprintf(path, sizeof(path), "%s/entries.bin", dir);
	if ((out = fopen(path, "wb")) == NULL
	    || header(out, cfg, note, len) != 0) {
		snprintf(err, AUDIT_ERR_MAX, "cannot write `%.400s'", path);
		free(note);
		if (out != NULL) {
			fclose(out);
		}
		return AUDIT_MEM;
	}
	free(note);
	cfg->full         = 1;
	cfg->defer_commit = 1;
	cfg->entries_file = out;
	cfg->entries_upto = rr->size;
	rv                = check_run(cfg, f, st, rep, res, err);
	if (fclose(out) != 0 && rv == AUDIT_OK) {
		snprintf(err, AUDIT_ERR_MAX, "cannot write `%.400s'", path);
		rv = AUDIT_MEM;
	}
	if (rv == AUDIT_OK && rep->count == 0 && rr->size > res->tree_size) {
		report_anomaly(rep, "digest", -1,
		    _("the digest covers %llu entries, more than the %llu of "
		      "the signed checkpoint"),
		    (unsigned long long) rr->size,
		    (unsigned long long) res->tree_size);
	}
	if (rv == AUDIT_OK && rep->count == 0) {
		rv = replay(dir, cosod, rep, rr, err);
	}
	/* The state advances only when the log and the state both hold. */
	if (rv == AUDIT_OK && rep->count == 0 && state_commit(st) != 0) {
		snprintf(err, AUDIT_ERR_MAX, "cannot save the state");
		rv = AUDIT_MEM;
	}
	state_rollback(st);
	return rv;
}
