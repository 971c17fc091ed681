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

/* A logger; its level is set once, before threads start, then only read. */
struct clog {
	enum clog_level level;
};

/* The level named "error", "warn", "info" or "debug"; -1 if none. */
int clog_level_parse(const char *name);

/* Logs "cosod: <UTC time> <level>: <message>" if level is enabled.
 * Safe from any thread. */
void clog_at(const struct clog *l, enum clog_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define clog_error(l, ...) clog_at((l), CLOG_ERROR, __VA_ARGS__)
#define clog_warn(l, ...)  clog_at((l), CLOG_WARN, __VA_ARGS__)
#define clog_info(l, ...)  clog_at((l), CLOG_INFO, __VA_ARGS__)
#define clog_debug(l, ...) clog_at((l), CLOG_DEBUG, __VA_ARGS__)

#endif /* COSOD_LOG_H */
