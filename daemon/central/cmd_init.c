/*
 * cmd_init.c: `cosod central init`: a new central database, its key and
 * the admin's first registration.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "store.h"
#include "cmd_central.h"
#include "emit.h"
#include "files.h"

#define DEFAULT_ADMIN_CADRE "admin"

/* The admin's public key: a file's path or the file's text; a missing
 * final newline is tolerated. */
static int
admin_key_read(const char *arg, uint8_t pk[static 32])
{
	char buf[COSO_PUBFILE_MAX + 2], *text = NULL;
	size_t len;
	int err, rv;

	if (strncmp(arg, "coso public key ", 16) == 0) {
		len  = strlen(arg);
		text = strdup(arg);
		err  = text == NULL ? ENOMEM : 0;
	} else {
		err = files_read(arg, COSO_PUBFILE_MAX, &text, &len);
	}
	if (err != 0) {
		central_fail("cannot read admin key `%s': %s", arg,
		    err == COSO_ETOOBIG ? "not a public key file"
		                        : strerror(errno));
		return -1;
	}
	len = len < COSO_PUBFILE_MAX ? len : COSO_PUBFILE_MAX;
	memcpy(buf, text, len);
	free(text);
	if (len > 0 && buf[len - 1] != '\n') {
		buf[len++] = '\n';
	}
	if ((rv = coso_pubkey_parse(pk, buf, len)) != COSO_OK) {
		central_fail(
		    "cannot read admin key `%s': %s", arg, coso_strerror(rv));
		return -1;
	}
	return 0;
}

/* One DNS label: [a-z0-9-], 1 to 63, no '-' at either end. */
static int
origin_label(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-') {
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z')
		        || (s[i] >= '0' && s[i] <= '9') || s[i] == '-')) {
			return 0;
		}
	}
	return 1;
}

/* A host name: two labels or more, the last not all digits (an address
 * is no domain of the operator's). */
static int
origin_host(const char *s, size_t n)
{
	size_t start = 0, i, dots = 0, last = 0;

	for (i = 0; i <= n; i++) {
		if (i < n && s[i] != '.') {
			continue;
		}
		if (!origin_label(s + start, i - start)) {
			return 0;
		}
		dots += i < n;
		last  = start;
		start = i + 1;
	}
	return dots > 0 && strspn(s + last, "0123456789") != n - last;
}

/* A path segment: [A-Za-z0-9._~-], at least one (RFC 3986 unreserved). */
static int
origin_segment(const char *s, size_t n)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyz"
	                         "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._~-";
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\0' || strchr(ok, s[i]) == NULL) {
			return 0;
		}
	}
	return n > 0;
}

/*
 * The origin names the log in every checkpoint it will ever sign, and
 * C2SP tlog-checkpoint asks for a schema-less URL under a domain its
 * operator controls, so that no two logs share one: HOST[/SEG]...,
 * lowercase host, no scheme, port, query or trailing '/'.  Such an
 * origin is also a valid signed-note key name.  docs/decisions.md.
 */
static int
origin_valid(const char *o)
{
	size_t n = strlen(o), h = strcspn(o, "/"), start, end;

	if (n == 0 || n > COSO_ORIGIN_MAX || !origin_host(o, h)) {
		return 0;
	}
	for (start = h; start < n; start = end) {
		end = start + 1 + strcspn(o + start + 1, "/");
		if (!origin_segment(o + start + 1, end - start - 1)) {
			return 0;
		}
	}
	return 1;
}

static int
origin_check(const char *o)
{
	if (o == NULL) {
		central_fail(
		    "option `--origin' is required: the log's name in every "
		    "checkpoint, for good; a URL without a scheme under a "
		    "domain you control, e.g. `langson.gov.vn/coso'");
		return -1;
	}
	if (strstr(o, "://") != NULL) {
		central_fail(
		    "--origin: `%s': give it without the scheme (`%s')", o,
		    strstr(o, "://") + 3);
		return -1;
	}
	if (!origin_valid(o)) {
		central_fail(
		    "--origin: `%s' is not a URL without a scheme such as "
		    "`langson.gov.vn/coso' (a lowercase host name with a "
		    "dot, then /segments of letters, digits and . _ ~ -; at "
		    "most %u bytes)",
		    o, COSO_ORIGIN_MAX);
		return -1;
	}
	return 0;
}

struct init_args {
	const char *db, *admin, *origin, *cadre;
	uint8_t admin_pk[32];
};

/* Settings, the central key's registration and the admin's, in one
 * transaction. */
static int
init_db(struct central_store *s, const struct coso_key *key,
    const struct init_args *a, const char *pubtext)
{
	struct merge_ctx m = {s, key};
	struct merge_out out;
	uint8_t pk[32];
	uint64_t now = coso_wall_ms();
	char ms[24];
	int rv;

	coso_key_public(key, pk);
	snprintf(ms, sizeof(ms), "%" PRIu64, now);
	if ((rv = cstore_begin(s)) != COSO_OK) {
		return rv;
	}
	if ((rv = cstore_meta_set(s, "central_pk", pubtext)) != COSO_OK
	    || (rv = cstore_meta_set(s, "origin", a->origin)) != COSO_OK
	    || (rv = cstore_meta_set(s, "created_ms", ms)) != COSO_OK
	    || (rv = emit_bootstrap(s, pk)) != COSO_OK
	    || (rv = emit_device_key(&m, a->admin_pk, a->cadre,
	            CSTORE_ROLE_ADMIN, NULL, now, &out))
	        != COSO_OK) {
		cstore_rollback(s);
		return rv;
	}
	if (out.verdict != COSO_VERDICT_ACCEPTED) {
		cstore_rollback(s);
		return out.reason != 0 ? out.reason : COSO_EINVAL;
	}
	if ((rv = emit_checkpoint(&m)) != COSO_OK) {
		cstore_rollback(s);
		return rv;
	}
	return cstore_commit(s);
}

static void
remove_db(const char *db)
{
	char path[4096];

	unlink(db);
	snprintf(path, sizeof(path), "%s-wal", db);
	unlink(path);
	snprintf(path, sizeof(path), "%s-shm", db);
	unlink(path);
}

/* Writes the central's secret key beside the database, 0600, in clear. */
static int
write_key(const char *db, const struct coso_key *key)
{
	char *path = files_key_path(db), *text = NULL;
	int err = COSO_ENOMEM;

	errno = ENOMEM;
	if (path != NULL && coso_seckey_format(&text, key, NULL, 0) == 0) {
		err = coso_file_create(path, text, strlen(text), 0600);
		sodium_memzero(text, strlen(text));
	}
	if (err != 0) {
		central_fail("cannot create `%s': %s",
		    path != NULL ? path : db, strerror(errno));
	}
	free(text);
	free(path);
	return err;
}

/* The checkpoints' verifier key, on stderr: stdout is the key file. */
static void
print_vkey(const char *origin, const uint8_t pk[static 32])
{
	char *vkey = NULL;

	if (coso_note_vkey_format(&vkey, origin, pk) == COSO_OK) {
		fprintf(stderr,
		    "cosod: checkpoint verifier key (C2SP signed-note; "
		    "also `cosod central vkey'):\n%s\n",
		    vkey);
	}
	free(vkey);
}

static int
init_run(struct init_args *a)
{
	char err[CSTORE_ERRMSG_MAX], *pubtext = NULL;
	struct central_store *s = NULL;
	struct coso_key *key    = NULL;
	uint8_t pk[32];
	int rv, code = COSOD_EXIT_FAIL;

	if (cstore_create(&s, a->db, err) != COSO_OK) {
		central_fail("%s", err);
		return code;
	}
	if ((rv = coso_key_generate(&key)) != COSO_OK
	    || (coso_key_public(key, pk),
	           rv = coso_pubkey_format(&pubtext, pk))
	        != COSO_OK
	    || (rv = init_db(s, key, a, pubtext)) != COSO_OK) {
		central_fail("cannot initialise `%s': %s", a->db,
		    rv == COSO_EIO ? cstore_errmsg(s) : coso_strerror(rv));
	} else if (write_key(a->db, key) == 0) {
		fputs(pubtext, stdout);
		code = fflush(stdout) == 0 ? 0 : COSOD_EXIT_FAIL;
		print_vkey(a->origin, pk);
	}
	cstore_close(s);
	if (code != 0) {
		remove_db(a->db);
	}
	coso_key_free(key);
	free(pubtext);
	return code;
}

int
central_init(int argc, char **argv)
{
	struct init_args a = {.cadre = DEFAULT_ADMIN_CADRE};
	const struct opt opts[]
	    = {{"--db", &a.db, 0}, {"--admin-key", &a.admin, 0},
	        {"--origin", &a.origin, 0}, {"--admin-cadre", &a.cadre, 0}};
	char *keypath;
	int exists;

	if (central_parse_opts(argc, argv, opts, 4) != 0
	    || central_need("--db", a.db) != 0
	    || central_need("--admin-key", a.admin) != 0
	    || origin_check(a.origin) != 0) {
		return COSOD_EXIT_USAGE;
	}
	if (admin_key_read(a.admin, a.admin_pk) != 0) {
		return COSOD_EXIT_FAIL;
	}
	if ((keypath = files_key_path(a.db)) == NULL) {
		return COSOD_EXIT_FAIL;
	}
	exists = access(keypath, F_OK) == 0;
	if (exists) {
		central_fail("cannot create `%s': file exists", keypath);
	}
	free(keypath);
	return exists ? COSOD_EXIT_FAIL : init_run(&a);
}
