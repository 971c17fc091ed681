/*
 * cmd_checkpoint.c: `cosod central checkpoint` and `vkey`: the signed log
 * as an auditor reads it.
 */
#include <stdio.h>
#include <stdlib.h>

#include "store.h"
#include "cmd_central.h"
#include "logcheck.h"

int
central_checkpoint(int argc, char **argv)
{
	const char *db          = NULL;
	const struct opt opts[] = {{"--db", &db, 0}};
	struct central_store *s;
	uint64_t size;
	char *note = NULL;
	int rv, code = COSOD_EXIT_FAIL;

	if (central_parse_opts(argc, argv, opts, 1) != 0
	    || central_need("--db", db) != 0) {
		return COSOD_EXIT_USAGE;
	}
	if (central_open_ro(db, &s) != 0) {
		return COSOD_EXIT_FAIL;
	}
	if ((rv = cstore_checkpoint_latest(s, &size, &note)) == COSO_OK) {
		fputs(note, stdout);
		code = fflush(stdout) == 0 ? 0 : COSOD_EXIT_FAIL;
	} else if (rv == COSO_ENOENT) {
		central_fail("`%s' has no checkpoint", db);
	} else {
		central_fail("cannot read `%s': %s", db,
		    rv == COSO_EIO ? cstore_errmsg(s) : coso_strerror(rv));
	}
	free(note);
	cstore_close(s);
	return code;
}

int
central_vkey(int argc, char **argv)
{
	const char *db          = NULL;
	const struct opt opts[] = {{"--db", &db, 0}};
	char err[CSTORE_ERRMSG_MAX], *vkey = NULL;
	struct central_store *s;
	int code = COSOD_EXIT_FAIL;

	if (central_parse_opts(argc, argv, opts, 1) != 0
	    || central_need("--db", db) != 0) {
		return COSOD_EXIT_USAGE;
	}
	if (central_open_ro(db, &s) != 0) {
		return COSOD_EXIT_FAIL;
	}
	if (logcheck_vkey(s, &vkey, err) == COSO_OK) {
		printf("%s\n", vkey);
		code = fflush(stdout) == 0 ? 0 : COSOD_EXIT_FAIL;
	} else {
		central_fail("cannot read `%s': %s", db, err);
	}
	free(vkey);
	cstore_close(s);
	return code;
}
