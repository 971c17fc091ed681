/*
 * device.c: creating a store with its device key; loading the key.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "internal.h"

/* The longest passphrase asked of the application, in bytes (as a
 * passphrase file's first line). */
#define PASS_MAX COSO_PASSPHRASE_MAX

static int
meta_put_all(
    struct coso_store *s, const struct coso_init *p, const char *shortid)
{
	const char *keys[] = {"cadre_id", "name", "central_url", "central_key",
	    "device_key", "created_ms"};
	char created[24];
	const char *vals[6];
	int i, rv;

	snprintf(created, sizeof(created), "%llu",
	    (unsigned long long) coso_wall_ms());
	vals[0] = p->cadre_id;
	vals[1] = p->name;
	vals[2] = p->central_url;
	vals[3] = p->central_key;
	vals[4] = shortid;
	vals[5] = created;
	for (i = 0; i < 6; i++) {
		if (vals[i] != NULL
		    && (rv = cosoi_meta_set(s, keys[i], vals[i])) != COSO_OK) {
			return rv;
		}
	}
	return COSO_OK;
}

/* Checks the init parameters; the message names the bad one. */
static int
check_init(struct coso_store *s, const struct coso_init *p, uint8_t pk[32])
{
	int rv;

	if (p->cadre_id == NULL || p->cadre_id[0] == 0) {
		return cosoi_fail(s, COSO_EFIELD, "cadre: an id is required");
	}
	if ((rv = cosoi_ident_ok(s, "cadre", p->cadre_id)) != COSO_OK) {
		return rv;
	}
	if (p->name == NULL || p->name[0] == 0) {
		return cosoi_fail(s, COSO_EFIELD, "name: a name is required");
	}
	if (strlen(p->name) > COSO_NAME_MAX) {
		return cosoi_fail(s, COSO_EFIELD, "name: longer than %u bytes",
		    COSO_NAME_MAX);
	}
	if (p->central_url != NULL && strlen(p->central_url) > COSO_URL_MAX) {
		return cosoi_fail(s, COSO_EFIELD,
		    "central: the URL is longer than %u bytes", COSO_URL_MAX);
	}
	if ((rv = coso_text_check((const uint8_t *) p->name, strlen(p->name)))
	    != COSO_OK) {
		return cosoi_fail(s, rv, "name: %s", coso_strerror(rv));
	}
	if (p->passphrase != NULL && p->passlen == 0) {
		return cosoi_fail(s, COSO_EINVAL,
		    "passphrase: empty; a key sealed with it would open for "
		    "anyone (give none for a clear key)");
	}
	if ((p->central_url == NULL) != (p->central_key == NULL)) {
		return cosoi_fail(s, COSO_EFIELD,
		    "central: the URL and the key are given together");
	}
	if (p->central_key != NULL
	    && (rv = coso_pubkey_parse(
	            pk, p->central_key, strlen(p->central_key)))
	        != COSO_OK) {
		return cosoi_fail(s, rv, "central key: %s", coso_strerror(rv));
	}
	return COSO_OK;
}

/* Writes device.key and device.pub; *pub receives the public text. */
static int
write_key(struct coso_store *s, const struct coso_init *p, char **pub,
    char shortid[17])
{
	struct coso_key *key = NULL;
	char *sec = NULL, *path = NULL;
	uint8_t pk[32], id[32];
	int rv, e;

	if ((rv = coso_key_generate(&key)) != COSO_OK
	    || (rv = coso_seckey_format(&sec, key, p->passphrase, p->passlen))
	        != COSO_OK) {
		rv = cosoi_fail(s, rv, "cannot make the device key: %s",
		    coso_strerror(rv));
		goto out;
	}
	coso_key_public(key, pk);
	coso_key_id(key, id);
	coso_hex(shortid, id, 8);
	if ((rv = coso_pubkey_format(pub, pk)) != COSO_OK) {
		goto out;
	}
	path = malloc(strlen(s->dir) + 16);
	if (path == NULL) {
		rv = cosoi_fail(s, COSO_ENOMEM, "out of memory");
		goto out;
	}
	sprintf(path, "%s/device.key", s->dir);
	if ((e = coso_file_write(path, sec, strlen(sec), 0600)) == 0) {
		sprintf(path, "%s/device.pub", s->dir);
		e = coso_file_write(path, *pub, strlen(*pub), 0644);
	}
	if (e != 0) {
		rv = cosoi_fail(s, COSO_EIO, "cannot write `%s': %s", path,
		    strerror(errno));
	}
out:
	if (sec != NULL) {
		sodium_memzero(sec, strlen(sec));
		free(sec);
	}
	free(path);
	coso_key_free(key);
	return rv;
}

/* The store directory as the fd open on it shows it: 0 with *st, or an
 * errno value. */
static int
dir_stat(const char *dir, int *fd, struct stat *st)
{
	if ((*fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		return errno;
	}
	if (fstat(*fd, st) != 0) {
		int e = errno;

		close(*fd);
		*fd = -1;
		return e;
	}
	return 0;
}

int
cosoi_dir_private(struct coso_store *s, int creating)
{
	struct stat st;
	int fd = -1, e, rv = COSO_OK;

	if ((e = dir_stat(s->dir, &fd, &st)) != 0 && !creating) {
		return COSO_OK;
	}
	if (e != 0) {
		return cosoi_fail(
		    s, COSO_EIO, "cannot open `%s': %s", s->dir, strerror(e));
	}
	if (st.st_uid != geteuid()) {
		/* Its owner could read everything: refused for a new store;
		 * an existing one is that owner's business. */
		if (creating) {
			rv = cosoi_fail(s, COSO_EINVAL,
			    "`%s' belongs to another user: a store needs a "
			    "directory of its own user",
			    s->dir);
		}
	} else if ((st.st_mode & 077) != 0 && fchmod(fd, 0700) != 0
	    && creating) {
		rv = cosoi_fail(s, COSO_EIO, "cannot make `%s' private: %s",
		    s->dir, strerror(errno));
	}
	close(fd);
	return rv;
}

/* Makes the directory (0700, or an existing one of this user made so);
 * refuses one that already holds a store or a key. */
static int
prepare_dir(struct coso_store *s)
{
	static const char *const names[] = {"store.db", "device.key"};
	char path[4096];
	size_t i;

	if (mkdir(s->dir, 0700) != 0 && errno != EEXIST) {
		return cosoi_fail(s, COSO_EIO, "cannot create `%s': %s",
		    s->dir, strerror(errno));
	}
	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", s->dir, names[i]);
		if (access(path, F_OK) == 0) {
			return cosoi_fail(s, COSO_EEXIST,
			    "`%s' already holds a coso store", s->dir);
		}
	}
	return cosoi_dir_private(s, 1);
}

int
coso_store_init(const char *dir, const struct coso_init *p, char **pubkey_out,
    char errmsg[static COSO_ERRMSG_MAX])
{
	struct coso_store *s = NULL;
	char *pub            = NULL, shortid[17];
	uint8_t cpk[32];
	int rv;

	errmsg[0] = 0;
	if ((s = cosoi_handle_new(dir, NULL, 0)) == NULL) {
		snprintf(errmsg, COSO_ERRMSG_MAX, "out of memory");
		return COSO_ENOMEM;
	}
	if ((rv = check_init(s, p, cpk)) != COSO_OK
	    || (rv = prepare_dir(s)) != COSO_OK
	    || (rv = write_key(s, p, &pub, shortid)) != COSO_OK
	    || (rv = cosoi_store_create_db(s, COSO_SCHEMA_VERSION)) != COSO_OK
	    || (rv = cosoi_begin(s)) != COSO_OK) {
		goto out;
	}
	if ((rv = meta_put_all(s, p, shortid)) != COSO_OK) {
		cosoi_rollback(s);
		goto out;
	}
	if ((rv = cosoi_commit(s)) == COSO_OK && pubkey_out != NULL) {
		*pubkey_out = pub;
		pub         = NULL;
	}
out:
	if (rv != COSO_OK) {
		snprintf(errmsg, COSO_ERRMSG_MAX, "%s", s->errmsg);
	}
	free(pub);
	coso_store_close(s);
	return rv;
}

/*
 * Reads dir/name (a key file of at most max bytes) and hands its text to
 * parse; the text is wiped before it is freed.
 */
static int
load_key_file(struct coso_store *s, const char *name, size_t max,
    int (*parse)(struct coso_store *, const char *, size_t))
{
	char path[4096], *text = NULL;
	size_t len = 0;
	int e, rv;

	snprintf(path, sizeof(path), "%s/%s", s->dir, name);
	if ((e = coso_file_read(path, max, (uint8_t **) &text, &len)) != 0) {
		return cosoi_fail(s, COSO_EIO, "cannot read key `%s': %s",
		    path,
		    e == COSO_ETOOBIG ? "not a key file" : strerror(errno));
	}
	rv = parse(s, text, len);
	sodium_memzero(text, len);
	free(text);
	if (rv != COSO_OK) {
		return cosoi_fail(s, rv, "cannot read key `%s': %s", path,
		    coso_strerror(rv));
	}
	return COSO_OK;
}

/* Asks the application for the passphrase of a sealed key that was
 * opened without one; kept on the handle as if given to open. */
static void
ask_passphrase(struct coso_store *s)
{
	int n;

	if ((s->pass = sodium_malloc(PASS_MAX + 1)) == NULL) {
		return;
	}
	n = s->pass_cb(s->pass, PASS_MAX, s->pass_arg);
	if (n < 0 || n > (int) PASS_MAX) {
		sodium_free(s->pass);
		s->pass = NULL;
		return;
	}
	s->pass[n] = 0;
	s->passlen = (size_t) n;
}

static int
parse_secret(struct coso_store *s, const char *text, size_t len)
{
	if (s->pass == NULL && s->pass_cb != NULL
	    && coso_seckey_is_encrypted(text, len) == 1) {
		ask_passphrase(s);
	}
	return coso_seckey_parse(&s->key, text, len, s->pass, s->passlen);
}

static int
parse_public(struct coso_store *s, const char *text, size_t len)
{
	return coso_pubkey_parse(s->pk, text, len);
}

int
cosoi_key_load(struct coso_store *s)
{
	int rv;

	if (s->key != NULL) {
		return COSO_OK;
	}
	rv = load_key_file(s, "device.key", COSO_SECFILE_MAX, parse_secret);
	if (rv != COSO_OK) {
		return rv;
	}
	coso_key_public(s->key, s->pk);
	if (s->cadre == NULL
	    && (s->cadre = cosoi_meta_get(s, "cadre_id")) == NULL) {
		return cosoi_fail(s, COSO_ESTORE, "store has no cadre id");
	}
	return COSO_OK;
}

int
coso_store_unlock(struct coso_store *s)
{
	return cosoi_key_load(s);
}

int
cosoi_pk_load(struct coso_store *s)
{
	if (s->key != NULL) {
		return COSO_OK;
	}
	return load_key_file(s, "device.pub", COSO_PUBFILE_MAX, parse_public);
}

char *
coso_store_default_dir(void)
{
	const char *home = getenv("COSO_HOME"), *xdg = getenv("XDG_DATA_HOME");
	char *out;
	size_t n;

	if (home != NULL && home[0] != 0) {
		return strdup(home);
	}
	if (xdg != NULL && xdg[0] != 0) {
		n = strlen(xdg) + 6;
		if ((out = malloc(n)) != NULL) {
			snprintf(out, n, "%s/coso", xdg);
		}
		return out;
	}
	if ((home = getenv("HOME")) == NULL || home[0] == 0) {
		return NULL;
	}
	n = strlen(home) + 24;
	if ((out = malloc(n)) != NULL) {
		snprintf(out, n, "%s/.local/share/coso", home);
	}
	return out;
}
