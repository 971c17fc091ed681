/*
 * pages.h: the office's console (web/console/, docs/console.md), served
 * by the HTTP API at /console/ from the copy embedded at build time
 * (daemon/app/assets.h): nothing is read from disk.
 */
#ifndef COSOD_PAGES_H
#define COSOD_PAGES_H

#include <stddef.h>

#include "../app/assets.h"

#define PAGES_PREFIX "/console" /* the pages' root, and their API's */

/* Whether the path (the request target before '?', len bytes) is one of
 * the console's pages: /console, /console/ or /console/FILE, but not
 * /console/api/... (the console's API, routed as the others are). */
int pages_path(const char *path, size_t len);

/* The embedded file of a page path (pages_path), /console and /console/
 * being its index.html; NULL if there is none.  Points into the program's
 * constant data. */
const struct app_asset *pages_find(const char *path, size_t len);

#endif /* COSOD_PAGES_H */
