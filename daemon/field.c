/*
 * field.c: `cosod field run`: the device's sync agent.
 *
 * It runs a round at start, whenever another process commits to the
 * store (the cadre recorded something: inotify on the store's directory
 * wakes it, PRAGMA data_version says whether the store really changed),
 * and on a timer.  While the central is unreachable it retries with
 * exponential backoff and full jitter, so a thousand devices coming back
 * into coverage do not call at once; it never waits for a local write to
 * retry.  SIGTERM or SIGINT stops it after the transaction in hand.
 *
 * With --ui HOST:PORT the cadre's app runs in the same process
 * (daemon/app/, docs/app.md): it may create the store (the agent waits
 * for it), gives the agent the passphrase once the cadre unlocks, and
 * asks for a round now ("sync now", after a write, an enrollment).
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include <coso/client.h>

#include "i18n.h"
#include "util.h"
#include "app/app.h"
#include "app/link.h"
#include "field.h"

#define INTERVAL_DEFAULT_S 300.0
#define BACKOFF_START_MS   1000.0
#define BACKOFF_MAX_S      60.0
#define POLL_MAX_MS        1000 /* data_version is checked this often */
#define PASS_MAX           COSO_PASSPHRASE_MAX

static volatile sig_atomic_t stop_flag;

struct field {
	struct coso_store *s;
	struct coso_sync_opts o;
	double interval_ms, max_backoff_ms;
	int ifd;           /* inotify on the store directory, or -1 */
	unsigned failures; /* rounds in a row that could not reach the
	                      central */
	uint64_t version;  /* the store's data_version after the last round */
	struct applink *link; /* shared with the app, or NULL */
};

/* syslog(3) priorities of the agent's lines. */
#define P_ERR  3
#define P_WARN 4
#define P_INFO 6

static void logp(int prio, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* One line on stderr; on the journal's stream (a user service) it
 * starts with its priority, so that `journalctl --user -p warning'
 * shows what went wrong (util_stderr_is_journal). */
static void
logp(int prio, const char *fmt, ...)
{
	va_list ap;

	if (util_stderr_is_journal()) {
		fprintf(stderr, "<%d>", prio);
	}
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void
on_signal(int sig)
{
	(void) sig;
	stop_flag = 1;
}

/* No SA_RESTART: poll returns at once when a signal comes. */
static void
signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static double
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec * 1000.0 + (double) ts.tv_nsec / 1e6;
}

/* The sync library's progress hook: stop after the transaction. */
static int
progress(enum coso_sync_phase ph, uint64_t done, uint64_t total,
    const struct coso_sync_report *r, void *arg)
{
	(void) ph;
	(void) done;
	(void) total;
	(void) r;
	(void) arg;
	return stop_flag != 0;
}

/* Full jitter: a uniform delay in [0, min(cap, start * 2^n)). */
static double
backoff_ms(struct field *f)
{
	double cap = BACKOFF_START_MS;
	unsigned i;

	for (i = 1; i < f->failures && cap < f->max_backoff_ms; i++) {
		cap *= 2;
	}
	if (cap > f->max_backoff_ms) {
		cap = f->max_backoff_ms;
	}
	return cap * (double) randombytes_uniform(1000000) / 1e6;
}

static void
log_round(const struct coso_sync_report *r)
{
	unsigned long long n = r->pushed;

	logp(P_INFO,
	    ngettext("sync: sent %llu change-set (accepted %llu, already "
	             "there %llu, quarantined %llu), received %llu, "
	             "%llu ms%s",
	        "sync: sent %llu change-sets (accepted %llu, already "
	        "there %llu, quarantined %llu), received %llu, %llu ms%s",
	        n),
	    n, (unsigned long long) r->accepted,
	    (unsigned long long) r->duplicate,
	    (unsigned long long) r->quarantined,
	    (unsigned long long) r->pulled, (unsigned long long) r->elapsed_ms,
	    r->pending ? _(" (entries still pending)") : "");
	if (r->clamped > 0) {
		logp(P_WARN,
		    _("sync: %" PRIu64
		      " change-sets signed with this device's "
		      "clock far ahead: the central counts them as written "
		      "when it received them; set the date and time"),
		    r->clamped);
	}
	if (r->restored > 0) {
		logp(P_WARN,
		    _("sync: %" PRIu64 " change-sets of this device's own "
		      "taken back from the central (a store restored from an "
		      "old copy)"),
		    r->restored);
	}
}

/* The value of key in a row, or NULL. */
static const struct coso_kv *
kv_of(const struct coso_row *row, const char *key)
{
	size_t i;

	for (i = 0; i < row->n; i++) {
		if (strcmp(row->kv[i].key, key) == 0) {
			return &row->kv[i];
		}
	}
	return NULL;
}

static const char *
text_of(const struct coso_row *row, const char *key)
{
	const struct coso_kv *kv = kv_of(row, key);

	return kv != NULL && kv->type == COSO_VTEXT ? kv->s : "-";
}

/* One quarantined change-set of this round: its record and the reason. */
static int
log_quarantined(const struct coso_row *row, void *arg)
{
	const struct coso_sync_report *r = arg;
	const struct coso_kv *seq = kv_of(row, "seq"), *d = kv_of(row, "date");
	const struct coso_kv *code = kv_of(row, "code");
	const char *id             = text_of(row, "record_id");
	char date[11]              = "-";
	size_t i, n = strlen(id);

	for (i = 0; seq != NULL && i < r->nquarantine; i++) {
		if ((int64_t) r->quarantine[i].seq == seq->i) {
			break;
		}
	}
	if (seq == NULL || i == r->nquarantine) {
		return 0; /* quarantined in an earlier round */
	}
	if (d != NULL && d->type == COSO_VINT) {
		coso_date_format(date, (int32_t) d->i);
	}
	logp(P_WARN,
	    _("sync: quarantined change-set %" PRId64 ": %s %s, unit %s, "
	      "%s: %s (%s)"),
	    seq->i, text_of(row, "record"), n > 8 ? id + n - 8 : id,
	    text_of(row, "unit"), date, text_of(row, "reason"),
	    code != NULL ? coso_strerror((int) code->i) : "-");
	return 0;
}

/* One round; returns the delay in ms before the next one. */
static double
round_once(struct field *f)
{
	struct coso_sync_report r;
	double ms = f->interval_ms;
	int e;

	if (f->link != NULL) {
		applink_round_start(f->link);
	}
	e = coso_sync_round(f->s, &f->o, &r);

	if (coso_store_data_version(f->s, &f->version) != COSO_OK) {
		f->version = 0;
	}
	if (e == COSO_OK) {
		f->failures = 0;
		log_round(&r);
	} else if (e == COSO_ENET || e == COSO_EBUSY) {
		f->failures++;
		ms = backoff_ms(f);
		logp(P_WARN,
		    e == COSO_ENET
		        ? _("sync: central unreachable (%s): what is recorded "
		            "is kept on this device and sent when it answers; "
		            "retry in %.1f s")
		        : _("sync: central busy (%s): what is recorded is "
		            "kept on this device and sent later; retry in "
		            "%.1f s"),
		    coso_store_errmsg(f->s), ms / 1000);
	} else if (e == COSO_ENEEDPASS && f->link != NULL) {
		logp(P_INFO, "%s",
		    _("sync: waiting for the cadre to unlock the device "
		      "key in the app"));
	} else if (e != COSO_ESTOPPED) {
		f->failures = 0;
		logp(P_ERR, _("sync: %s: %s, retry in %.0f s"),
		    coso_strerror(e), coso_store_errmsg(f->s), ms / 1000);
	}
	if (f->link != NULL) {
		applink_round_end(f->link, e,
		    e != COSO_ENET && e != COSO_EBUSY && e != COSO_ENEEDPASS
		        && e != COSO_ENOPIN,
		    r.enrolled, e == COSO_OK ? "" : coso_store_errmsg(f->s),
		    ms);
	}
	if (r.nquarantine > 0
	    && coso_quarantine_list(f->s, 0, log_quarantined, &r) != 0) {
		logp(P_ERR, "sync: cannot list the quarantine: %s",
		    coso_store_errmsg(f->s));
	}
	return ms;
}

/* Whether another process committed to the store since the last round. */
static int
store_changed(struct field *f)
{
	uint64_t v = 0;

	if (coso_store_data_version(f->s, &v) != COSO_OK || v == f->version) {
		return 0;
	}
	f->version = v;
	return 1;
}

/* Waits up to ms for a change of the store; 1 if it changed. */
static int
wait_change(struct field *f, double ms)
{
	struct pollfd p[2] = {{f->ifd, POLLIN, 0},
	    {f->link != NULL ? applink_wake_fd(f->link) : -1, POLLIN, 0}};
	char buf[4096];
	int t = ms > POLL_MAX_MS ? POLL_MAX_MS : (ms < 0 ? 0 : (int) ms);

	if (poll(p, 2, t) > 0) {
		if (p[1].revents & POLLIN) {
			applink_drain(f->link);
			(void) store_changed(f);
			return 1; /* the app asks for a round now */
		}
		while (f->ifd >= 0 && read(f->ifd, buf, sizeof(buf)) > 0) {
			/* drain: the store itself says if it changed */
		}
	}
	return store_changed(f);
}

static void
loop(struct field *f)
{
	double next = mono_ms(), now;

	while (!stop_flag) {
		now = mono_ms();
		if (now >= next) {
			next = mono_ms() + round_once(f);
			continue;
		}
		if (wait_change(f, next - now) && !stop_flag) {
			next = mono_ms(); /* the cadre wrote: send it now */
		}
	}
}

struct field_args {
	const char *store, *passfile, *ui, *tls_ca, *tls_name;
	int ui_any;
	double interval_s, max_backoff_s, timeout_s;
};

/* A number of seconds in (0, 1 day]; -1 if malformed. */
static double
seconds(const char *s)
{
	char *end = NULL;
	double v  = strtod(s, &end);

	return end != s && *end == 0 && v > 0 && v <= 86400 ? v : -1;
}

static int
parse_args(int argc, char **argv, struct field_args *a)
{
	static const char *const names[]
	    = {"--store", "--interval", "--max-backoff", "--timeout",
	        "--passphrase-file", "--ui", "--tls-ca", "--tls-server-name"};
	int i, k;

	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--ui-any") == 0) {
			a->ui_any = 1;
			continue;
		}
		for (k = 0; k < 8 && strcmp(argv[i], names[k]) != 0; k++) { }
		if (k == 8 || i + 1 >= argc) {
			return -1;
		}
		const char *v = argv[++i];
		if (k == 0) {
			a->store = v;
		} else if (k == 4) {
			a->passfile = v;
		} else if (k == 5) {
			a->ui = v;
		} else if (k == 6) {
			a->tls_ca = v;
		} else if (k == 7) {
			a->tls_name = v;
		} else if ((*(k == 1         ? &a->interval_s
		                    : k == 2 ? &a->max_backoff_s
		                             : &a->timeout_s)
		               = seconds(v))
		    < 0) {
			return -1;
		}
	}
	return a->ui_any && a->ui == NULL ? -1 : 0;
}

/* The passphrase file's first line, NFC, in sodium_malloc memory. */
static int
passphrase(const char *path, char **out, size_t *len)
{
	char line[PASS_MAX + 2], *nfc = NULL;
	FILE *fp = fopen(path, "r");
	size_t n, nl = 0;
	int rv = -1;

	if (fp == NULL) {
		return -1;
	}
	if (fgets(line, sizeof(line), fp) != NULL) {
		n       = strcspn(line, "\r\n");
		line[n] = 0;
		if (coso_text_nfc(&nfc, &nl, line, n, PASS_MAX) == COSO_OK
		    && (*out = sodium_malloc(nl + 1)) != NULL) {
			memcpy(*out, nfc, nl + 1);
			*len = nl;
			rv   = 0;
		}
	}
	if (nfc != NULL) {
		sodium_memzero(nfc, nl);
		free(nfc);
	}
	sodium_memzero(line, sizeof(line));
	fclose(fp);
	return rv;
}

/* Opens the store named by the arguments (or the default one). */
static int
open_store(const struct field_args *a, struct coso_store **s)
{
	const char *pf
	    = a->passfile ? a->passfile : getenv("COSO_PASSPHRASE_FILE");
	char err[COSO_ERRMSG_MAX] = "", *dir = NULL, *pass = NULL;
	size_t plen = 0;
	int e, rv = 2;

	dir = a->store ? strdup(a->store) : coso_store_default_dir();
	if (dir == NULL) {
		logp(P_ERR, "cosod: %s",
		    _("cannot find the store: set COSO_HOME or "
		      "use --store DIR"));
		return 2;
	}
	if (pf != NULL && pf[0] != 0 && passphrase(pf, &pass, &plen) != 0) {
		logp(P_ERR, _("cosod: cannot read passphrase file `%s'"), pf);
	} else if ((e = coso_store_open(s, dir, pass, plen, err)) != COSO_OK) {
		logp(P_ERR, _("cosod: cannot open store `%s': %s"), dir, err);
	} else {
		rv = 0;
	}
	sodium_free(pass);
	free(dir);
	return rv;
}

/* inotify on the store directory: a write to store.db or its WAL wakes
 * the loop.  -1 (polling every second) if inotify is not available. */
static int
watch(const struct field_args *a)
{
	char *dir = a->store ? strdup(a->store) : coso_store_default_dir();
	int fd    = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	if (fd >= 0
	    && (dir == NULL
	        || inotify_add_watch(fd, dir,
	               IN_MODIFY | IN_CLOSE_WRITE | IN_CREATE | IN_MOVED_TO)
	            < 0)) {
		close(fd);
		fd = -1;
	}
	free(dir);
	return fd;
}

/* Starts the app of --ui and prints its address (with the launch's
 * secret: on stdout for the cadre, never in the log). */
static int
ui_start(const struct field_args *a, struct applink *l, struct app **app)
{
	char *dir = a->store ? strdup(a->store) : coso_store_default_dir();
	char url[APP_URL_MAX], err[APP_ERRMSG_MAX];
	struct app_cfg cfg = {a->ui, a->ui_any, dir, l};
	int rv             = -1;

	if (dir == NULL) {
		logp(P_ERR, "cosod: %s",
		    _("cannot find the store: set COSO_HOME or "
		      "use --store DIR"));
	} else if (applink_init(l) != 0) {
		logp(P_ERR, "cosod: %s", _("cannot start the app: no pipe"));
	} else if (app_start(app, &cfg, url, err) != 0) {
		logp(P_ERR, _("cosod: cannot start the app: %s"), err);
		applink_fini(l);
	} else {
		/* one fixed line, in English: scripts read the URL from it */
		printf("coso app: open %s\n", url);
		fflush(stdout);
		sodium_memzero(url, sizeof(url));
		rv = 0;
	}
	free(dir);
	return rv;
}

/* With the app: waits until the store exists (the cadre's first run
 * makes it); 0, or -1 if stopped before. */
static int
ui_wait_store(struct app *app, struct applink *l)
{
	struct pollfd p = {applink_wake_fd(l), POLLIN, 0};

	if (!app_store_ready(app)) {
		logp(P_INFO, "%s",
		    _("cosod field: waiting for the device to be set up "
		      "in the app"));
	}
	while (!stop_flag && !app_store_ready(app)) {
		if (poll(&p, 1, POLL_MAX_MS) > 0) {
			applink_drain(l);
		}
	}
	return stop_flag ? -1 : 0;
}

/* The agent's loop on the open store. */
static void
field_run(struct field *f, const struct field_args *a)
{
	f->interval_ms       = a->interval_s * 1000;
	f->max_backoff_ms    = a->max_backoff_s * 1000;
	f->o.recv_timeout_ms = (uint32_t) (a->timeout_s * 1000);
	f->o.progress        = progress;
	f->o.tls_ca          = a->tls_ca;
	f->o.tls_server_name = a->tls_name;
	f->ifd               = watch(a);
	if (f->link != NULL) {
		coso_store_passphrase_cb(f->s, applink_pass_cb, f->link);
	}
	logp(P_INFO,
	    _("cosod field: running (every %.0f s, backoff up to %.0f "
	      "s%s)"),
	    a->interval_s, a->max_backoff_s,
	    f->ifd >= 0 ? _(", watching the store") : "");
	loop(f);
	logp(P_INFO, "%s", _("cosod field: stopped"));
	if (f->ifd >= 0) {
		close(f->ifd);
	}
}

int
cmd_field(int argc, char **argv)
{
	struct field_args a = {
	    .interval_s = INTERVAL_DEFAULT_S, .max_backoff_s = BACKOFF_MAX_S};
	struct field f = {0};
	struct applink l;
	struct app *app = NULL;
	int rv          = 0;

	if (argc < 2 || strcmp(argv[1], "run") != 0
	    || parse_args(argc, argv, &a) != 0) {
		fprintf(stderr, "%s %s", _("usage:"),
		    "cosod field run [--store DIR] [--interval S] "
		    "[--max-backoff S] [--timeout S] [--passphrase-file F] "
		    "[--ui HOST:PORT [--ui-any]] "
		    "[--tls-ca FILE [--tls-server-name NAME]]\n");
		return 1;
	}
	if (sodium_init() < 0) {
		return 2;
	}
	signals();
	if (a.ui != NULL) {
		if (ui_start(&a, &l, &app) != 0) {
			return 2;
		}
		f.link = &l;
		if (ui_wait_store(app, &l) != 0) {
			goto out;
		}
	}
	if (open_store(&a, &f.s) != 0) {
		rv = 2;
		goto out;
	}
	field_run(&f, &a);
out:
	app_stop(app);
	coso_store_close(f.s);
	if (a.ui != NULL) {
		applink_fini(&l);
	}
	return rv;
}
