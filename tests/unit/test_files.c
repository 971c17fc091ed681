/*
 * test_files.c: the central's small files (daemon/central/files.c): its
 * secret key is used only when no one but its owner can get at it.
 */
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
#include <sodium.h>

#include <coso/proto.h>

#include "../../daemon/central/files.h"

/* A central key beside dir/central.db with mode; its public key in pk. */
static void
write_key(const char *dir, unsigned mode, uint8_t pk[32])
{
	struct coso_key *k = NULL;
	char path[128], *text = NULL;
	FILE *f;

	assert_int_equal(coso_key_generate(&k), COSO_OK);
	assert_int_equal(coso_seckey_format(&text, k, NULL, 0), COSO_OK);
	coso_key_public(k, pk);
	snprintf(path, sizeof(path), "%s/central.db.key", dir);
	unlink(path);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, (mode_t) mode), 0);
	free(text);
	coso_key_free(k);
}

/* 0600 and 0400 are used; any bit for group or others refuses the key,
 * with a message naming the file, its mode and the remedy. */
static void
test_central_key_mode(void **state)
{
	static const unsigned open_modes[] = {0644, 0640, 0604, 0660, 0602};
	char dir[] = "/tmp/coso-files-XXXXXX", db[64], cmd[64];
	char err[FILES_ERRMSG_MAX], want[8];
	struct coso_key *k = NULL;
	uint8_t pk[32], got[32];
	size_t i;

	(void) state;
	assert_non_null(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/central.db", dir);
	write_key(dir, 0600, pk);
	assert_int_equal(files_central_key(db, &k, err), COSO_OK);
	coso_key_public(k, got);
	assert_memory_equal(got, pk, 32);
	coso_key_free(k);
	write_key(dir, 0400, pk);
	assert_int_equal(files_central_key(db, &k, err), COSO_OK);
	coso_key_free(k);
	for (i = 0; i < sizeof(open_modes) / sizeof(open_modes[0]); i++) {
		k = NULL;
		write_key(dir, open_modes[i], pk);
		assert_int_equal(files_central_key(db, &k, err), COSO_EIO);
		assert_null(k);
		snprintf(want, sizeof(want), "%04o", open_modes[i]);
		assert_non_null(strstr(err, want));
		assert_non_null(strstr(err, "central.db.key"));
		assert_non_null(strstr(err, "chmod 600"));
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_central_key_mode),
	};

	if (sodium_init() < 0) {
		return 1;
	}
	return cmocka_run_group_tests_name("files", tests, NULL, NULL);
}
