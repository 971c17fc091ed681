/*
 * log.h: the central's leveled logger.  One line per event on stderr,
 * written with a single write(2) so lines from different threads do not
 * interleave.  Never give it secrets.
 */
#ifndef COSOD_LOG_H
#define COSOD_LOG_H

enum clog_level {
	CLOG_ERROR = 0,
	CLOG_WARN  = 1,
	CLOG_INFO  = 2,
	CLOG_DEBUG = 3,
};

/* A logger; set once, before threads start, then only read.  journal:
 * stderr is the systemd journal's stream (clog_journal_detect). */
struct clog {
	enum clog_level level;
	int journal;
};

/* Whether stderr is the journal's stream: JOURNAL_STREAM ("DEV:INODE",
 * set by systemd for a unit whose StandardError= is the journal) names
 * stderr's device and inode.  Then lines are "<P>message", P the syslog
 * priority of the level (3 error, 4 warning, 6 info, 7 debug), with no
 * time of their own: the journal stamps and filters them
 * (`journalctl -p warning').  Else, and on a terminal or a file,
 * "cosod: <UTC time> <level>: message". */
void clog_journal_detect(struct clog *l);

/* The level named "error", "warn", "info" or "debug"; -1 if none. */
int clog_level_parse(const char *name);

/* Logs a line (clog_journal_detect says which form) if level is
 * enabled.  Safe from any thread. */
void clog_at(const struct clog *l, enum clog_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define clog_error(l, ...) clog_at((l), CLOG_ERROR, __VA_ARGS__)
#define clog_warn(l, ...)  clog_at((l), CLOG_WARN, __VA_ARGS__)
#define clog_info(l, ...)  clog_at((l), CLOG_INFO, __VA_ARGS__)
#define clog_debug(l, ...) clog_at((l), CLOG_DEBUG, __VA_ARGS__)

#endif /* COSOD_LOG_H */
