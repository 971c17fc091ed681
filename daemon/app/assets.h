/*
 * assets.h: the app's pages (web/app/) and the office's console
 * (web/console/, served by the central's HTTP API: pages.h), embedded in
 * cosod at build time by embed.sh: nothing is read from disk or fetched
 * from a network.
 */
#ifndef COSOD_APP_ASSETS_H
#define COSOD_APP_ASSETS_H

#include <stddef.h>

struct app_asset {
	const char *path; /* "/index.html" */
	const char *type; /* Content-Type, by the file's extension */
	const unsigned char *data;
	size_t len;
};

extern const struct app_asset app_assets[];
extern const size_t app_nassets;
extern const struct app_asset console_assets[];
extern const size_t console_nassets;

#endif /* COSOD_APP_ASSETS_H */
