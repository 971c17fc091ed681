/*
 * wipe.h: jansson's memory wiped when freed.  A request body the app
 * parses may hold a passphrase or an enrollment token; jansson copies
 * its strings (and the lexer's buffers) into blocks of its own, which
 * its default free leaves as they were.
 */
#ifndef COSOD_APP_WIPE_H
#define COSOD_APP_WIPE_H

#include <stddef.h>

/*
 * jansson's allocator: blocks from malloc with their size in a header
 * before them, zeroed (sodium_memzero) before free.  Process-wide:
 * app_start calls it before the app makes any JSON value; nothing else
 * in cosod's field agent uses jansson (the central's commands, which
 * do, run in processes of their own and keep jansson's default).
 */
void app_json_wipe_install(void);

/* Frees what jansson allocated for its caller (json_dumps's text) with
 * the free function jansson uses now.  Accepts NULL. */
void app_json_free(void *p);

/* The two functions app_json_wipe_install gives jansson. */
void *app_wipe_malloc(size_t n);
void app_wipe_free(void *p);

#endif /* COSOD_APP_WIPE_H */
