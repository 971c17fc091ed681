/*
 * forms.c: forms as typed, kept until they are signed (client.h,
 * "Forms as typed").  Files, not rows: a draft is the page's own JSON,
 * never signed nor synced, and written whole at every keystroke's pause;
 * coso_file_write makes each save atomic and durable.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define FORMS_DIR "forms"

static int
name_ok(const char *name)
{
	size_t n = name != NULL ? strlen(name) : 0;

	return n > 0 && n <= COSO_FORM_NAME_MAX
	    && strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

/* The path of a form, or of the directory (name NULL); malloc'd. */
static char *
form_path(const struct coso_store *s, const char *name)
{
	size_t n = strlen(s->dir) + sizeof(FORMS_DIR) + COSO_FORM_NAME_MAX + 8;
	char *p  = malloc(n);

	if (p != NULL) {
		snprintf(p, n, "%s/%s%s%s%s", s->dir, FORMS_DIR,
		    name != NULL ? "/" : "", name != NULL ? name : "",
		    name != NULL ? ".json" : "");
	}
	return p;
}

static int
form_check(struct coso_store *s, const char *name, char **path)
{
	if (!name_ok(name)) {
		return cosoi_fail(s, COSO_EINVAL,
		    "form name `%s': 1 to 64 of a-z, 0-9 and -",
		    name != NULL ? name : "");
	}
	if ((*path = form_path(s, name)) == NULL) {
		return cosoi_fail(s, COSO_ENOMEM, "out of memory");
	}
	return COSO_OK;
}

int
coso_form_save(
    struct coso_store *s, const char *name, const char *text, size_t len)
{
	char *path = NULL, *dir = NULL;
	int rv, e;

	if (len > COSO_FORM_MAX) {
		return cosoi_fail(s, COSO_ETOOBIG, "form `%s': over %u bytes",
		    name != NULL ? name : "", COSO_FORM_MAX);
	}
	if ((rv = form_check(s, name, &path)) != COSO_OK) {
		return rv;
	}
	if ((dir = form_path(s, NULL)) == NULL) {
		rv = cosoi_fail(s, COSO_ENOMEM, "out of memory");
	} else if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		rv = cosoi_fail(
		    s, COSO_EIO, "cannot make `%s': %s", dir, strerror(errno));
	} else if ((e = coso_file_write(path, text, len, 0600)) != 0) {
		rv = cosoi_fail(s, COSO_EIO, "cannot write `%s': %s", path,
		    strerror(errno));
	}
	free(dir);
	free(path);
	return rv;
}

int
coso_form_load(struct coso_store *s, const char *name, char **text,
    size_t *len, uint64_t *saved_ms)
{
	char *path   = NULL;
	uint8_t *buf = NULL;
	struct stat st;
	int rv, e;

	if ((rv = form_check(s, name, &path)) != COSO_OK) {
		return rv;
	}
	if ((e = coso_file_read(path, COSO_FORM_MAX, &buf, len)) != 0) {
		rv = e == COSO_ENOENT
		    ? cosoi_fail(s, COSO_ENOENT, "no form `%s'", name)
		    : cosoi_fail(s, COSO_EIO, "cannot read `%s': %s", path,
		        strerror(errno));
	} else {
		*saved_ms = stat(path, &st) == 0
		    ? (uint64_t) st.st_mtim.tv_sec * 1000u
		        + (uint64_t) st.st_mtim.tv_nsec / 1000000u
		    : 0;
		*text     = (char *) buf;
	}
	free(path);
	return rv;
}

int
coso_form_delete(struct coso_store *s, const char *name)
{
	char *path = NULL;
	int rv;

	if ((rv = form_check(s, name, &path)) != COSO_OK) {
		return rv;
	}
	if (unlink(path) != 0 && errno != ENOENT) {
		rv = cosoi_fail(s, COSO_EIO, "cannot remove `%s': %s", path,
		    strerror(errno));
	}
	free(path);
	return rv;
}

/* One form's row, if d names one. */
static int
form_row(struct coso_store *s, const char *dir, const char *fname,
    coso_row_cb cb, void *arg)
{
	char name[COSO_FORM_NAME_MAX + 1], path[4096];
	size_t n = strlen(fname);
	struct coso_kv kv[2];
	struct coso_row row = {"form", 2, kv};
	struct stat st;

	(void) s;
	if (n <= 5 || n - 5 > COSO_FORM_NAME_MAX
	    || strcmp(fname + n - 5, ".json") != 0) {
		return 0;
	}
	memcpy(name, fname, n - 5);
	name[n - 5] = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, fname);
	if (!name_ok(name) || stat(path, &st) != 0) {
		return 0;
	}
	memset(kv, 0, sizeof(kv));
	kv[0]
	    = (struct coso_kv) {.key = "name", .type = COSO_VTEXT, .s = name};
	kv[1] = (struct coso_kv) {.key = "saved_ms",
	    .type                      = COSO_VINT,
	    .i                         = (int64_t) st.st_mtim.tv_sec * 1000
	        + st.st_mtim.tv_nsec / 1000000};
	return cb(&row, arg);
}

int
coso_form_list(struct coso_store *s, coso_row_cb cb, void *arg)
{
	char *dir = form_path(s, NULL);
	struct dirent *e;
	DIR *d;
	int rv = 0;

	if (dir == NULL) {
		return cosoi_fail(s, COSO_ENOMEM, "out of memory");
	}
	if ((d = opendir(dir)) != NULL) {
		while (rv == 0 && (e = readdir(d)) != NULL) {
			rv = form_row(s, dir, e->d_name, cb, arg);
		}
		closedir(d);
	}
	free(dir);
	return rv;
}
