/*
 * coso common library (libcoso_common.a): what the device's programs and
 * the central both use and that is no byte format (those are proto's):
 * small files written durably, dates and reporting periods, text widths,
 * CSV cells, the reading of a proposals section.  docs/architecture.md
 * says what may use what: this layer uses proto and nothing of client/
 * or daemon/.
 *
 * Nothing declared here prints, exits or keeps state; every function may
 * be called from any thread.  The program-level helpers beside common's
 * sources (i18n.h, util.h: set-up and messages for main; httpd.h and the
 * HTTP decoders) are not part of this API.
 */
#ifndef COSO_COMMON_H
#define COSO_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <coso/proto.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The longest passphrase, in bytes (a passphrase file's first line): the
 * device's store, the CLI and `cosod' read it through one helper. */
#define COSO_PASSPHRASE_MAX 1024u

/*
 * Whole small files.  coso_file_read reads at most max bytes into
 * malloc'd *out (a NUL added, not counted in *len); coso_file_write writes
 * by temp file + fsync + rename + fsync of the directory, so a crash
 * leaves the old file or the new one.  These four return COSO_OK or a
 * coso code: COSO_ETOOBIG (the file is over max, or over the file size
 * limit), COSO_ENOENT, COSO_EEXIST, COSO_EPERM, COSO_ENOMEM, COSO_EIO; on
 * failure errno is left at the system's cause, for a program to name
 * (strerror) after the coso sentence.
 */
int coso_file_read(const char *path, size_t max, uint8_t **out, size_t *len);
int coso_file_write(
    const char *path, const void *buf, size_t len, unsigned mode);

/* coso_file_read for a secret: refuses (COSO_EPERM) a file whose group or
 * others have any access, as ssh refuses such a private key; *mode
 * receives the file's permission bits either way. */
int coso_file_read_secret(
    const char *path, size_t max, uint8_t **out, size_t *len, unsigned *mode);

/* coso_file_write that never replaces: the temp file is linked into
 * place, so an existing path is refused (COSO_EEXIST) and left as it
 * was. */
int coso_file_create(
    const char *path, const void *buf, size_t len, unsigned mode);

/* Puts a finished, synced file in place: renames tmp to path, which it
 * never replaces (refused, COSO_EEXIST, tmp kept), then syncs the
 * directory so that the name is durable.  For files too big for
 * coso_file_write (a database backup). */
int coso_file_place(const char *tmp, const char *path);

/* Writes all len bytes of buf to fd, again after a short write or EINTR
 * (a signal, a pipe, a file at its size limit), without syncing.  0 or
 * an errno value; how much was written before an error is unknown. */
int coso_fd_write_all(int fd, const void *buf, size_t len);

/* Lowercase hex of len bytes into out (2*len+1 bytes, NUL-terminated). */
void coso_hex(char *out, const uint8_t *b, size_t len);

/*
 * One text cell of CSV output (RFC 4180) onto f: every CSV coso writes
 * (`coso export`, the central's reports) goes through here.  Quoted when
 * it holds a comma, a quote, CR or LF, or starts or ends with a space.  A
 * cell that starts with = + - @ TAB or CR, which a spreadsheet program
 * would run as a formula, gets a single quote in front, inside quotes
 * (OWASP's rule against CSV injection): `=SUM(A1)' becomes "'=SUM(A1)".
 * Numbers are not text: write them as digits, not through this, so that
 * -5 stays a number.  Write errors show in ferror(f).
 */
void coso_csv_cell(FILE *f, const char *s);

/*
 * Text for people (width.c).  coso_text_cols: the terminal columns the n
 * bytes of UTF-8 at s take (a Vietnamese letter with its marks is one,
 * however encoded).  coso_text_line: the next line of *s in at most cols
 * columns, broken at its last space that fits (a longer word between
 * characters): returns its start, sets *n to its bytes and moves *s past
 * it and that space; *s at its NUL when all is taken.
 */
size_t coso_text_cols(const char *s, size_t n);
const char *coso_text_line(const char **s, size_t cols, size_t *n);

/*
 * Dates are int32 YYYYMMDD.  Parses ISO "YYYY-MM-DD" and the day-first
 * forms people type: "4/12/2026", "04/12/2026", also with `-' or `.'
 * between the parts.  Refused (COSO_EDATE): a day that does not exist
 * (31/02/2026), a two-digit year, anything else around the date but
 * spaces.
 */
COSO_NODISCARD int coso_date_parse(const char *s, int32_t *out);
/* Formats as "dd/mm/yyyy" into out (11 bytes). */
void coso_date_format(char out[static 11], int32_t date);
/* Today's date (UTC+7, Vietnam's time) from Unix ms. */
int32_t coso_date_of_ms(uint64_t ms);
/* A YYYYMMDD date plus days (any sign); the days from one date to
 * another.  Proleptic Gregorian; the dates must be valid. */
int32_t coso_date_add(int32_t date, int64_t days);
int64_t coso_date_diff(int32_t from, int32_t to);
/* 1 if date names a real day of years 1900 to 9999, as coso_date_parse
 * accepts them (no 30 February), else 0. */
int coso_date_valid(int32_t date);
/* Days since 1970-01-01 of a valid YYYYMMDD date, and back. */
int64_t coso_days(int32_t date);
int32_t coso_date_of_days(int64_t days);

/* Periods: "YYYY-Qn", "YYYY-H1|H2", "YYYY".  Gives first and last day. */
COSO_NODISCARD int coso_period_parse(
    const char *s, int32_t *first, int32_t *last);

/*
 * The grace after an assignment ends (docs/decisions.md, of that name):
 * a cadre may still write a handover note on the unit dated up to this
 * many days after the assignment's last day, and a report for a period
 * the assignment overlapped, submitted up to this many days after the
 * later of that last day and the period's end.  The central judges by
 * it at merge; the device checks the same before signing.
 */
#define COSO_GRACE_DAYS 30

/*
 * Whether a proposals section says there are none: its text, trimmed of
 * spaces and final full stops and in lower case, is one of a few fixed
 * phrases ("không có kiến nghị", "không có đề xuất", "không có",
 * "không", "none", "no proposals"; FORMAT.md, "report").  Such a section
 * gives no tracked proposal, and the central does not count its report
 * as one with proposals.
 */
int coso_proposals_none(const char *text);

#ifdef __cplusplus
}
#endif

#endif /* COSO_COMMON_H */
