/*
 * cmd_console.c: `cosod central console passwd | list`: the office's
 * console's passphrases, which the central keeps for itself (argon2id
 * hashes in console_secrets, never in the log), and the grants the
 * office signed (docs/central.md, "Console access").
 *
 * A passphrase is read from the terminal with the echo off (twice), or
 * as the first line of stdin when stdin is not a terminal; never from
 * the command line, never printed, and wiped once hashed.
 */
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include <coso/common.h>

#include "cmd_central.h"
#include "store.h"

#define PASS_MIN 8u /* bytes of a console passphrase, at least */

/* The first line of f, NFC, into sodium_malloc memory; -1 if too long
 * or unreadable. */
static int
read_line(FILE *f, char **out, size_t *len)
{
	char *buf = sodium_malloc(COSO_PASSPHRASE_MAX + 1), *nfc = NULL;
	size_t n = 0, nlen = 0;
	int c;

	if (buf == NULL) {
		return -1;
	}
	while ((c = fgetc(f)) != EOF && c != '\n' && c != '\r') {
		if (n == COSO_PASSPHRASE_MAX) {
			goto out;
		}
		buf[n++] = (char) c;
	}
	if (ferror(f) || (c == EOF && n == 0)) {
		goto out;
	}
	buf[n] = 0;
	/* Telex and VNI give the same words in NFC or NFD. */
	if (coso_text_nfc(&nfc, &nlen, buf, n, COSO_PASSPHRASE_MAX)
	    == COSO_OK) {
		memcpy(buf, nfc, nlen + 1);
		n = nlen;
		sodium_memzero(nfc, nlen);
		free(nfc);
	}
	*out = buf;
	*len = n;
	return 0;
out:
	sodium_free(buf);
	return -1;
}

/* One line from the terminal, the echo off. */
static int
ask(const char *prompt, char **out, size_t *len)
{
	struct termios old, quiet;
	int rv;

	if (tcgetattr(STDIN_FILENO, &old) != 0) {
		return -1;
	}
	quiet = old;
	quiet.c_lflag &= (tcflag_t) ~ECHO;
	/* The echo off before the prompt: what is typed after it never
	 * shows. */
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) != 0) {
		return -1;
	}
	fprintf(stderr, "%s", prompt);
	rv = read_line(stdin, out, len);
	(void) tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	fputc('\n', stderr);
	return rv;
}

/* The new passphrase: asked twice on a terminal, else stdin's line. */
static int
new_passphrase(char **pass, size_t *len)
{
	char *again = NULL;
	size_t alen = 0;
	int same;

	if (!isatty(STDIN_FILENO)) {
		if (read_line(stdin, pass, len) != 0) {
			central_fail("cannot read the passphrase from stdin");
			return -1;
		}
		return 0;
	}
	if (ask("new console passphrase: ", pass, len) != 0) {
		central_fail("cannot read the passphrase");
		return -1;
	}
	if (ask("again: ", &again, &alen) != 0) {
		central_fail("cannot read the passphrase");
		sodium_free(*pass);
		return -1;
	}
	same = alen == *len && sodium_memcmp(again, *pass, alen) == 0;
	sodium_free(again);
	if (!same) {
		central_fail("the two passphrases differ; nothing was stored");
		sodium_free(*pass);
		return -1;
	}
	return 0;
}

static int
store_hash(const char *db, const char *cadre, const char *hash)
{
	char err[CSTORE_ERRMSG_MAX];
	struct central_store *s = NULL;
	int rv, yes = 0;

	if (cstore_open(&s, db, 0, err) != COSO_OK) {
		central_fail("%s", err);
		return COSOD_EXIT_FAIL;
	}
	rv = cstore_cadre_exists(s, cadre, strlen(cadre), &yes);
	if (rv == COSO_OK && !yes) {
		central_fail("cadre `%s' is not in `%s'; nothing was stored",
		    cadre, db);
		cstore_close(s);
		return COSOD_EXIT_FAIL;
	}
	if (rv == COSO_OK) {
		rv = cstore_console_secret_set(
		    s, cadre, hash, (uint64_t) time(NULL) * 1000u);
	}
	if (rv != COSO_OK) {
		central_fail("cannot store the passphrase in `%s': %s", db,
		    rv == COSO_EIO ? cstore_errmsg(s) : coso_strerror(rv));
	}
	cstore_close(s);
	return rv == COSO_OK ? 0 : COSOD_EXIT_FAIL;
}

static int
console_passwd(int argc, char **argv)
{
	const char *db          = NULL;
	const struct opt opts[] = {{"--db", &db, 0}};
	char hash[crypto_pwhash_STRBYTES];
	char *pass = NULL;
	size_t len = 0;
	int rv;

	const char *cadre = NULL;
	char *rest[8];
	int i, n = 0;

	/* The cadre: the one operand, before or after --db. */
	for (i = 0; i < argc && n < 8; i++) {
		if (i > 0 && argv[i][0] != '-'
		    && strcmp(argv[i - 1], "--db") != 0) {
			if (cadre != NULL) {
				return COSOD_EXIT_USAGE;
			}
			cadre = argv[i];
		} else {
			rest[n++] = argv[i];
		}
	}
	if (i < argc || cadre == NULL
	    || central_parse_opts(n, rest, opts, 1) != 0
	    || central_need("--db", db) != 0) {
		return COSOD_EXIT_USAGE;
	}
	if (strlen(cadre) > COSO_ID_MAX) {
		central_fail(
		    "cadre `%s' is longer than %u bytes", cadre, COSO_ID_MAX);
		return COSOD_EXIT_FAIL;
	}
	if (new_passphrase(&pass, &len) != 0) {
		return COSOD_EXIT_FAIL;
	}
	if (len < PASS_MIN) {
		central_fail("a console passphrase needs at least %u bytes; "
		             "nothing was stored",
		    PASS_MIN);
		sodium_free(pass);
		return COSOD_EXIT_FAIL;
	}
	rv = crypto_pwhash_str(hash, pass, len,
	    crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE);
	sodium_free(pass); /* wiped */
	if (rv != 0) {
		central_fail("cannot hash the passphrase: out of memory");
		return COSOD_EXIT_FAIL;
	}
	rv = store_hash(db, cadre, hash);
	sodium_memzero(hash, sizeof(hash));
	if (rv == 0) {
		printf("passphrase set for cadre %s\n", cadre);
	}
	return rv;
}

static const char *
role_name(int role)
{
	return role == COSO_CONSOLE_OFFICE ? "office"
	    : role == COSO_CONSOLE_LEADER  ? "leader"
	                                   : "?";
}

/* "active", "ended" (the grant's row deleted) or "expired" (its last
 * day before today). */
static const char *
state_of(const struct cstore_console *c, int32_t today)
{
	if (c->ended) {
		return "ended";
	}
	return c->valid_to != 0 && c->valid_to < today ? "expired" : "active";
}

struct list_out {
	json_t *arr; /* --json, else NULL */
	int32_t today;
};

static int
list_row(const struct cstore_console *c, void *arg)
{
	struct list_out *o = arg;
	char until[11]     = "-";
	json_t *j;

	if (o->arr == NULL) {
		if (c->valid_to != 0) {
			coso_date_format(until, c->valid_to);
		}
		printf("%-16s %-6s %-10s %-10s %-10s %-7s %s\n", c->cadre_id,
		    role_name(c->role), c->unit[0] ? c->unit : "-",
		    c->sector[0] ? c->sector : "-", until,
		    state_of(c, o->today), c->has_secret ? "yes" : "no");
		return COSO_OK;
	}
	j = json_pack("{s:s,s:s?,s:s,s:s?,s:s?,s:i,s:s,s:b}", "cadre",
	    c->cadre_id, "name", c->name, "role", role_name(c->role), "unit",
	    c->unit[0] ? c->unit : NULL, "sector",
	    c->sector[0] ? c->sector : NULL, "valid_to",
	    (json_int_t) c->valid_to, "state", state_of(c, o->today),
	    "has_passphrase", c->has_secret);
	return j != NULL && json_array_append_new(o->arr, j) == 0
	    ? COSO_OK
	    : COSO_ENOMEM;
}

static int
console_list(int argc, char **argv)
{
	const char *db = NULL, *json = NULL;
	const struct opt opts[] = {{"--db", &db, 0}, {"--json", &json, 1}};
	struct list_out o
	    = {.today = coso_date_of_ms((uint64_t) time(NULL) * 1000u)};
	struct central_store *s;
	int rv;

	if (central_parse_opts(argc, argv, opts, 2) != 0
	    || central_need("--db", db) != 0) {
		return COSOD_EXIT_USAGE;
	}
	if (central_open_ro(db, &s) != 0) {
		return COSOD_EXIT_FAIL;
	}
	if (json != NULL && (o.arr = json_array()) == NULL) {
		cstore_close(s);
		return COSOD_EXIT_FAIL;
	}
	if (json == NULL) {
		printf("%-16s %-6s %-10s %-10s %-10s %-7s %s\n", "cadre",
		    "role", "unit", "sector", "until", "state", "passphrase");
	}
	rv = cstore_console_list(s, list_row, &o);
	if (rv == COSO_OK && o.arr != NULL) {
		rv = json_dumpf(o.arr, stdout, JSON_COMPACT) == 0
		        && fputc('\n', stdout) != EOF
		    ? COSO_OK
		    : COSO_EIO;
	}
	if (rv != COSO_OK) {
		central_fail("cannot read `%s': %s", db,
		    rv == COSO_EIO ? cstore_errmsg(s) : coso_strerror(rv));
	}
	json_decref(o.arr);
	cstore_close(s);
	return rv == COSO_OK && fflush(stdout) == 0 ? 0 : COSOD_EXIT_FAIL;
}

int
central_console(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "passwd") == 0) {
		return console_passwd(argc - 1, argv + 1);
	}
	if (argc >= 2 && strcmp(argv[1], "list") == 0) {
		return console_list(argc - 1, argv + 1);
	}
	return COSOD_EXIT_USAGE;
}
