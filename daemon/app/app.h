/*
 * app.h: the cadre's app, served by `cosod field run --ui HOST:PORT'
 * beside the sync agent (docs/app.md).  Connections are httpd.c's; the
 * checks of guard.h run on nng's thread, pages are answered there from
 * memory, and API requests wait in a bounded queue for the one worker
 * thread that owns the store handle (api.h).
 */
#ifndef COSOD_APP_APP_H
#define COSOD_APP_APP_H

#include "link.h"

#define APP_ERRMSG_MAX 512
#define APP_URL_MAX    400

struct app;

struct app_cfg {
	const char *addr;     /* HOST:PORT */
	int any;              /* a HOST that is not loopback is allowed */
	const char *dir;      /* the store directory (may not exist yet) */
	struct applink *link; /* shared with the agent */
};

/*
 * Starts serving; url receives the address to open, the per-launch
 * secret in it (to be shown to the cadre, never logged).  On failure
 * errmsg says why and nothing runs.
 */
int app_start(struct app **out, const struct app_cfg *cfg,
    char url[static APP_URL_MAX], char errmsg[static APP_ERRMSG_MAX]);

/* Whether the app has created the store (after a first run), so that
 * the agent may open it. */
int app_store_ready(struct app *a);

/* Stops serving, ends the worker, closes its store and wipes the secret.
 * Accepts NULL. */
void app_stop(struct app *a);

#endif /* COSOD_APP_APP_H */
