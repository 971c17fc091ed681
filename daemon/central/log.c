/*
 * log.c: leveled log lines on stderr.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <coso/proto.h>

#include "log.h"
#include "util.h"

static const char *const names[] = {"error", "warn", "info", "debug"};
/* syslog(3) priorities of the levels: LOG_ERR, LOG_WARNING, LOG_INFO,
 * LOG_DEBUG (sd-daemon(3) prefixes). */
static const int priorities[] = {3, 4, 6, 7};

void
clog_journal_detect(struct clog *l)
{
	l->journal = util_stderr_is_journal();
}

int
clog_level_parse(const char *name)
{
	int i;

	for (i = 0; i < 4; i++) {
		if (strcmp(name, names[i]) == 0) {
			return i;
		}
	}
	return -1;
}

/* "2026-11-27T08:51:10.123Z" into out. */
static void
utc_stamp(char out[static 32])
{
	uint64_t ms = coso_wall_ms();
	time_t t    = (time_t) (ms / 1000);
	struct tm tm;
	size_t n;

	gmtime_r(&t, &tm);
	n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 32 - n, ".%03uZ", (unsigned) (ms % 1000));
}

void
clog_at(const struct clog *l, enum clog_level level, const char *fmt, ...)
{
	char line[1024], ts[32];
	va_list ap;
	int n, k;

	if (l == NULL || level > l->level) {
		return;
	}
	if (l->journal) {
		n = snprintf(line, sizeof(line), "<%d>", priorities[level]);
	} else {
		utc_stamp(ts);
		n = snprintf(
		    line, sizeof(line), "cosod: %s %s: ", ts, names[level]);
	}
	va_start(ap, fmt);
	k = vsnprintf(line + n, sizeof(line) - (size_t) n - 1, fmt, ap);
	va_end(ap);
	if (k < 0) {
		return;
	}
	n += k;
	if ((size_t) n > sizeof(line) - 2) {
		n = (int) sizeof(line) - 2;
	}
	line[n++] = '\n';
	/* One write: a line is atomic with respect to other threads. */
	if (write(STDERR_FILENO, line, (size_t) n) < 0) {
		return;
	}
}
