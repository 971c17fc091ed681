/*
 * httpq.h: the query string of an HTTP API request ("start=0&count=10"),
 * decoded strictly into the parameters a route knows.  Pure: no
 * allocation, no I/O; any thread.
 *
 * Grammar: at most HTTPQ_LEN_MAX bytes; at most HTTPQ_PARAMS_MAX
 * parameters `name=value` separated by single '&'; every name one of the
 * caller's ([a-z0-9_]+), each at most once.  Values:
 *
 *   HTTPQ_U64    decimal, 1 to 20 digits, no sign, no leading zero except
 *                "0" itself, at most UINT64_MAX
 *   HTTPQ_HEX32  exactly 64 hex digits, either case: 32 bytes
 *   HTTPQ_TEXT   1 to HTTPQ_TEXT_MAX bytes of [A-Za-z0-9._-] (a period
 *                such as 2025-Q4, a unit code): given as a pointer into
 *                the query and a length, not NUL-terminated
 *
 * Nothing is percent-decoded: no valid name or value needs it, so '%' and
 * '+' are refused like every other byte outside the grammar.  The empty
 * query has no parameters.
 */
#ifndef COSOD_HTTPQ_H
#define COSOD_HTTPQ_H

#include <stddef.h>
#include <stdint.h>

#include <coso/proto.h>

#define HTTPQ_LEN_MAX    1024u
#define HTTPQ_PARAMS_MAX 16u
#define HTTPQ_TEXT_MAX   64u

enum httpq_type {
	HTTPQ_U64   = 1,
	HTTPQ_HEX32 = 2,
	HTTPQ_TEXT  = 3,
};

/* Errors of httpq_parse; httpq_strerror gives a sentence for each. */
enum httpq_err {
	HTTPQ_OK       = 0,
	HTTPQ_ETOOLONG = 1, /* over HTTPQ_LEN_MAX bytes */
	HTTPQ_ETOOMANY = 2, /* over HTTPQ_PARAMS_MAX parameters */
	HTTPQ_ESYNTAX  = 3, /* empty parameter, no '=', a byte not allowed */
	HTTPQ_EUNKNOWN = 4, /* a name the route does not know */
	HTTPQ_EDUP     = 5, /* a name given twice */
	HTTPQ_ENUMBER  = 6, /* not a decimal number as above */
	HTTPQ_EHEX     = 7, /* not 64 hex digits */
	HTTPQ_ETEXT    = 8, /* not a text value as above */
};

/* One parameter a route knows.  name and type are the caller's; present,
 * u64 and hex are written by httpq_parse. */
struct httpq_param {
	const char *name;
	enum httpq_type type;
	int present;
	uint64_t u64;     /* HTTPQ_U64 */
	uint8_t hex[32];  /* HTTPQ_HEX32 */
	const char *text; /* HTTPQ_TEXT: into the query, text_len bytes */
	size_t text_len;
};

/*
 * Decodes the len bytes at q (the part after '?', not NUL-terminated)
 * into p[0 .. n-1], whose present flags it clears first.  Returns
 * HTTPQ_OK or an enum httpq_err; *bad is then the index in p of the
 * parameter at fault (EDUP, ENUMBER, EHEX, ETEXT), n if no known one is.  On
 * error p may hold some values; the caller uses none of them.
 */
COSO_NODISCARD int httpq_parse(
    const char *q, size_t len, struct httpq_param *p, size_t n, size_t *bad);

/* An English sentence for an enum httpq_err, without a final period. */
const char *httpq_strerror(int err);

#endif /* COSOD_HTTPQ_H */
