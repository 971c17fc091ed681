/*
 * util.h: small helpers for the command-line programs (not a library API).
 */
#ifndef COSO_CLIENT_UTIL_H
#define COSO_CLIENT_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Exit codes: success, usage error, refused input or failure. */
#define EXIT_USAGE 1
#define EXIT_FAIL  2

/* Reads a passphrase file: its first line, without the newline and in
 * Unicode NFC when it is UTF-8, in sodium_malloc memory (free with
 * sodium_free).  COSO_OK or a code of coso_file_read (COSO_ETOOBIG: the
 * line is over COSO_PASSPHRASE_MAX); errno says why on COSO_EIO. */
int util_read_passphrase(const char *path, char **out, size_t *len);

/* The one way a program of coso says what failed: "prog: ", the
 * formatted message and a newline, on stderr (STYLE.md: what failed, the
 * object quoted, the cause).  Every program's own helper (util_err,
 * cosod's central_fail, coso-audit's die_usage) is this with its name. */
void util_vmsg(const char *prog, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* Whether stderr is the systemd journal's stream: JOURNAL_STREAM
 * ("DEVICE:INODE", set by systemd for a unit whose standard error goes
 * to the journal) names stderr's device and inode (systemd.exec(5)).  A
 * daemon then starts its lines with "<N>", the syslog priority of the
 * line, and leaves the time to the journal. */
int util_stderr_is_journal(void);

/* Prints "coso: " and the formatted message to stderr. */
void util_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* COSO_CLIENT_UTIL_H */
