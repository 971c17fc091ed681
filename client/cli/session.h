/*
 * session.h: what every store command shares: finding and opening the
 * store, the passphrase, and turning library errors into sentences.
 */
#ifndef COSO_CLIENT_SESSION_H
#define COSO_CLIENT_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include <coso/client.h>

#include "commands.h"

/* The store directory: --store, else coso_store_default_dir().  Malloc'd;
 * NULL (after a message) if none can be formed. */
char *cli_store_dir(const struct cli_opts *g);

/*
 * Loads the passphrase from file (if not NULL), else g->passfile, else
 * $COSO_PASSPHRASE_FILE; none gives *pass NULL.  NFC-normalised, in
 * sodium_malloc memory (sodium_free).  0, or -1 after a message.
 */
int cli_passphrase(
    const struct cli_opts *g, const char *file, char **pass, size_t *len);

/* Prints why the passphrase file path could not be read (e from
 * util_read_passphrase, errno as it left it). */
void cli_passfile_err(const char *path, int e);

/* Opens the store for a command.  0, or an exit code after a message. */
int cli_open(const struct cli_opts *g, struct coso_store **out);

/* The translated form of an English error sentence of the library's
 * code table ("bad signature"), or s itself. */
const char *cli_sentence(const char *s);

/* The translated sentence for a proto or client error code. */
const char *cli_strerror(int code);

/*
 * Prints "coso: WHAT: DETAIL" (WHAT already translated).  The detail is
 * the library's English sentence; when the code's sentence has a
 * translation it comes first and the detail follows in parentheses.
 * Returns EXIT_FAIL.
 */
int cli_fail(const char *what, int code, const char *detail);

/* cli_fail with the store's last message. */
int cli_store_fail(const struct coso_store *s, const char *what, int code);

/* Parses a YYYY-MM-DD or dd/mm/yyyy date; 0, or EXIT_FAIL after a
 * message naming the option. */
int cli_date(const char *opt, const char *s, int32_t *out);

/* Prints "usage: " (translated) and the lines; returns EXIT_USAGE. */
int cli_usage(const char *lines);

/* Prints a 16-byte id as 32 hex digits and a newline on stdout. */
void cli_print_id(const uint8_t id[static 16]);

/* Whether progress lines should be written (stderr is a terminal). */
int cli_progress(void);

/*
 * A central key argument: a public key file, or the key text itself (a
 * path that names a regular file is read).  *text is malloc'd and checked.
 * 0, or EXIT_FAIL after a message.
 */
int cli_central_key(const char *arg, char **text);

/* Options of the listings: some of --unit, --since, --open; --json. */
#define LIST_UNIT  1u
#define LIST_SINCE 2u
#define LIST_OPEN  4u

struct list_opts {
	struct coso_filter f;
	int json;
};

/* Parses listing options allowed by the LIST_* mask in argv[1..].
 * 0, EXIT_USAGE, or EXIT_FAIL after a message (a bad date). */
int cli_list_opts(int argc, char **argv, unsigned allow, struct list_opts *o);

typedef int (*cli_list_fn)(struct coso_store *s, const struct coso_filter *f,
    coso_row_cb cb, void *arg);
typedef int (*cli_show_fn)(
    struct coso_store *s, const char *id, coso_row_cb cb, void *arg);

struct out_col;

/* Runs a listing to stdout as a table (cols) or JSON; what is the
 * translated failure framing.  Returns the exit code. */
int cli_list(const struct cli_opts *g, cli_list_fn fn,
    const struct list_opts *o, const struct out_col *cols, size_t ncols,
    const char *what);

/* `X show ID [--json]`: argv[0] is "show".  what is a printf format with
 * one %s for the id, already translated. */
int cli_show(const struct cli_opts *g, cli_show_fn fn, int argc, char **argv,
    const char *what);

#endif /* COSO_CLIENT_SESSION_H */
