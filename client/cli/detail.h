/*
 * detail.h: the client library's English sentences in the cadre's
 * language (detail.c).
 */
#ifndef COSO_CLIENT_DETAIL_H
#define COSO_CLIENT_DETAIL_H

#include <stddef.h>

/*
 * The translation of msg, a sentence the library made with the printf
 * format fmt (coso_store_errfmt): into out (cap bytes), or a catalogue
 * string.  NULL when the catalogue has no translation (English, or a
 * sentence not yet translated) or msg does not match fmt (cut at the
 * library's limit).
 */
const char *cli_detail(
    const char *fmt, const char *msg, char *out, size_t cap);

#endif /* COSO_CLIENT_DETAIL_H */
