/*
 * cmd_central.h: `cosod central …`, the provincial node's commands.
 */
#ifndef COSOD_CMD_CENTRAL_H
#define COSOD_CMD_CENTRAL_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* Exit codes of cosod: success, usage error, failure. */
#define COSOD_EXIT_USAGE 1
#define COSOD_EXIT_FAIL  2

/* argv[0] is "central"; returns the process exit code. */
int cmd_central(int argc, char **argv);

/* ---- the subcommands' files (cmd_*.c) ------------------------------------
 */

/* What the subcommands' files share: their option tables, errors as
 * `cosod: ...' on stderr, a read-only store.  Each subcommand takes
 * argv[0] = its name and returns the exit code. */
struct opt {
	const char *name; /* "--db" */
	const char **val;
	int flag; /* takes no value; *val becomes "1" */
};

void central_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Parses argv[1..] against opts with getopt_long: `--name VALUE`,
 * `--name=VALUE`, a flag alone (or, as before getopt, `--flag=ANY`); no
 * operands.  At most OPTS_MAX options.  -1 on a usage error, which is
 * reported in the words the hand-written parser used. */
int central_parse_opts(
    int argc, char **argv, const struct opt *opts, size_t n);

/* A decimal number in [lo, hi]; -1 (reported) if not. */
int central_parse_num(
    const char *name, const char *s, uint64_t lo, uint64_t hi, uint64_t *out);

int central_need(const char *name, const char *val);

int central_open_ro(const char *db, struct central_store **s);

int central_init(int argc, char **argv);

int central_run(int argc, char **argv);

int central_stats(int argc, char **argv);

int central_digest(int argc, char **argv);

/* `checkpoint`: the latest signed checkpoint, as signed. */
int central_checkpoint(int argc, char **argv);

/* `vkey`: the C2SP verifier key of the checkpoints, for any tool of the
 * transparency-log ecosystem (and coso-audit --central-key). */
int central_vkey(int argc, char **argv);

int central_rebuild(int argc, char **argv);

/* `console passwd --db PATH CADRE` and `console list --db PATH [--json]`
 * (cmd_console.c). */
int central_console(int argc, char **argv);

/* `backup`: an online copy of the database (cmd_backup.c). */
int central_backup(int argc, char **argv);

/* `restore`: a new database from a backup and/or an entries file. */
int central_restore(int argc, char **argv);

#endif /* COSOD_CMD_CENTRAL_H */
