/*
 * pages.c: the console's files at /console/ (pages.h).
 */
#include <string.h>

#include "pages.h"

#define PREFIX_LEN (sizeof(PAGES_PREFIX) - 1)
#define API        PAGES_PREFIX "/api/"

int
pages_path(const char *path, size_t len)
{
	if (len < PREFIX_LEN || memcmp(path, PAGES_PREFIX, PREFIX_LEN) != 0) {
		return 0;
	}
	if (len >= sizeof(API) - 1
	    && memcmp(path, API, sizeof(API) - 1) == 0) {
		return 0;
	}
	return len == PREFIX_LEN || path[PREFIX_LEN] == '/';
}

const struct app_asset *
pages_find(const char *path, size_t len)
{
	size_t i;

	if (!pages_path(path, len)) {
		return NULL;
	}
	path += PREFIX_LEN;
	len -= PREFIX_LEN;
	if (len <= 1) { /* /console and /console/ */
		path = "/index.html";
		len  = strlen(path);
	}
	for (i = 0; i < console_nassets; i++) {
		if (strlen(console_assets[i].path) == len
		    && memcmp(console_assets[i].path, path, len) == 0) {
			return &console_assets[i];
		}
	}
	return NULL;
}
