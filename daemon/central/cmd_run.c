/*
 * cmd_run.c: `cosod central run`: the sync server and the HTTP API, their
 * limits, and a clean stop.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <pthread.h>
#include <sodium.h>

#include "store.h"
#include "cmd_central.h"
#include "files.h"
#include "http.h"
#include "httpd.h"
#include "log.h"
#include "logcheck.h"
#include "notify.h"
#include "server.h"
#include "witness.h"

#define DEFAULT_CONTEXTS     64u
#define DEFAULT_QUEUE        (32u * 1024u * 1024u)
#define DEFAULT_BOXES        4096u
#define DEFAULT_HTTP_WORKERS 2u
#define MIN_MESSAGE          (COSO_CS_MAX + 4096u)
#define FD_RESERVE           64u /* files beside connections */
#define FD_MIN               (FD_RESERVE + 32u)
#define REP_CONNS_MAX        4096u
#define ANON_BYTES           (32u * 1024u * 1024u)

struct run_args {
	const char *db, *listen, *http, *token, *max, *cert, *key, *contexts,
	    *level;
};

/* The bearer token file: one line of printable ASCII without spaces
 * (a final newline is not part of it).  Only its SHA-256 is kept; the
 * text is wiped. */
static int
token_load(const char *path, uint8_t hash[static 32])
{
	char *text = NULL;
	size_t len = 0, n, i;
	int err, ok;

	if ((err = files_read(path, HTTP_TOKEN_MAX + 2, &text, &len)) != 0) {
		central_fail("cannot read `%s': %s", path,
		    err == COSO_ETOOBIG ? "not a bearer token file"
		                        : strerror(errno));
		return -1;
	}
	n = len;
	if (n > 0 && text[n - 1] == '\n') {
		n--;
	}
	if (n > 0 && text[n - 1] == '\r') {
		n--;
	}
	for (i = 0, ok = n > 0 && n <= HTTP_TOKEN_MAX; ok && i < n; i++) {
		ok = text[i] > 0x20 && text[i] < 0x7f;
	}
	if (ok) {
		crypto_hash_sha256(hash, (const uint8_t *) text, n);
	} else {
		central_fail(
		    "`%s' does not hold a bearer token (one line of at most "
		    "%u printable characters without spaces)",
		    path, HTTP_TOKEN_MAX);
	}
	sodium_memzero(text, len);
	free(text);
	return ok ? 0 : -1;
}

/* --http and --http-token: 0, COSOD_EXIT_USAGE or COSOD_EXIT_FAIL
 * (reported).  Off loopback the API needs a token: an auditor's view of
 * the whole log is not for every host on the network. */
static int
http_config(const struct run_args *r, struct http_cfg *hc)
{
	int lo = 0;

	if (r->http == NULL) {
		if (r->token != NULL) {
			central_fail("--http-token needs --http ADDR");
			return COSOD_EXIT_USAGE;
		}
		return 0;
	}
	if (httpd_addr_check(r->http, &lo) != 0) {
		central_fail(
		    "--http: `%s' is not HOST:PORT (an IPv6 address in "
		    "brackets, a port from 1 to 65535)",
		    r->http);
		return COSOD_EXIT_USAGE;
	}
	if (!lo && r->token == NULL) {
		central_fail(
		    "--http: `%s' is not a loopback address; serving the API "
		    "there needs --http-token FILE",
		    r->http);
		return COSOD_EXIT_FAIL;
	}
	if (r->token != NULL && token_load(r->token, hc->token_hash) != 0) {
		return COSOD_EXIT_FAIL;
	}
	hc->db        = r->db;
	hc->addr      = r->http;
	hc->has_token = r->token != NULL;
	hc->workers   = DEFAULT_HTTP_WORKERS;
	return 0;
}

/* --max-message and --contexts. */
static int
run_numbers(const struct run_args *r, struct server_cfg *cfg)
{
	uint64_t v;

	cfg->max_message = COSO_WIRE_MAX_DEFAULT;
	cfg->contexts    = DEFAULT_CONTEXTS;
	if (r->max != NULL) {
		if (central_parse_num("--max-message", r->max, MIN_MESSAGE,
		        COSO_WIRE_MAX_LIMIT, &v)
		    != 0) {
			return -1;
		}
		cfg->max_message = (size_t) v;
	}
	if (r->contexts != NULL) {
		if (central_parse_num("--contexts", r->contexts, 1, 4096, &v)
		    != 0) {
			return -1;
		}
		cfg->contexts = (unsigned) v;
	}
	return 0;
}

static int
run_config(const struct run_args *r, struct server_cfg *cfg, struct clog *log)
{
	int lvl = CLOG_INFO;

	if (strncmp(r->listen, "tcp://", 6) != 0
	    && strncmp(r->listen, "tls+tcp://", 10) != 0) {
		central_fail(
		    "--listen: `%s' is not a tcp:// or tls+tcp:// URL",
		    r->listen);
		return -1;
	}
	if (strncmp(r->listen, "tls+", 4) == 0
	    && (r->cert == NULL || r->key == NULL)) {
		central_fail(
		    "tls+tcp:// needs --tls-cert FILE and --tls-key FILE");
		return -1;
	}
	if (r->level != NULL && (lvl = clog_level_parse(r->level)) < 0) {
		central_fail(
		    "--log-level: `%s' is not error, warn, info or debug",
		    r->level);
		return -1;
	}
	log->level = (enum clog_level) lvl;
	clog_journal_detect(log);
	return run_numbers(r, cfg);
}

/*
 * The open-file limit, shared out (docs/central.md, "Connections and
 * deadlines"): the soft limit is raised to the hard one; FD_RESERVE
 * files stay for the databases (three files per SQLite handle), nng's
 * own and the listeners; of the rest, an eighth (at most
 * HTTP_CONNS_MAX) for the HTTP API's connections and the others (at most
 * REP_CONNS_MAX) for the devices', of which those without a registered
 * key may hold at most ANON_BYTES of incomplete frames (at least 4
 * connections).  Connections beyond these wait or are closed, so that a
 * flood of them leaves files for an honest device.  -1 (reported) if the
 * limit is too low to run.
 */
static int
fd_budget(struct server_cfg *cfg, struct http_cfg *hc)
{
	struct rlimit rl;
	uint64_t avail, anon;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
		central_fail(
		    "cannot read the open-file limit: %s", strerror(errno));
		return -1;
	}
	if (rl.rlim_cur < rl.rlim_max) {
		rlim_t soft = rl.rlim_cur;

		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
			rl.rlim_cur = soft; /* unlimited is refused: keep it */
		}
	}
	if (rl.rlim_cur < FD_MIN) {
		central_fail(
		    "the open-file limit (%llu) is too low: at least %u are "
		    "needed",
		    (unsigned long long) rl.rlim_cur, FD_MIN);
		return -1;
	}
	avail         = (uint64_t) rl.rlim_cur - FD_RESERVE;
	hc->conns_max = hc->addr == NULL ? 0
	    : avail / 8 < HTTP_CONNS_MAX ? (unsigned) (avail / 8)
	                                 : HTTP_CONNS_MAX;
	avail -= hc->conns_max;
	cfg->conns_max
	    = avail < REP_CONNS_MAX ? (unsigned) avail : REP_CONNS_MAX;
	anon = ANON_BYTES / cfg->max_message;
	anon = anon < 4 ? 4 : anon;
	cfg->anon_max
	    = anon < cfg->conns_max / 2 ? (unsigned) anon : cfg->conns_max / 2;
	return 0;
}

/* Starts the REP server, then the HTTP API if configured. */
static int
start(const struct server_cfg *cfg, const struct http_cfg *hc,
    const struct clog *log, struct server **srv, struct http **http)
{
	char err[SERVER_ERRMSG_MAX > HTTP_ERRMSG_MAX ? SERVER_ERRMSG_MAX
	                                             : HTTP_ERRMSG_MAX];

	if (server_start(srv, cfg, log, err) != COSO_OK) {
		central_fail("%s", err);
		return -1;
	}
	if (hc->addr != NULL) {
		if (http_start(http, hc, log, err) != COSO_OK) {
			central_fail("%s", err);
			server_stop(*srv);
			return -1;
		}
		clog_info(log, "http: serving on %s", hc->addr);
	}
	return 0;
}

/* Tells systemd (Type=notify) what the central is doing; a failure is
 * logged and changes nothing else: the central serves without systemd. */
static void
tell_systemd(const struct clog *log, const char *state)
{
	char err[NOTIFY_ERRMSG_MAX];

	if (notify_send(getenv("NOTIFY_SOCKET"), state, err) != 0) {
		clog_warn(log, "systemd: %s", err);
	}
}

/* Seconds from SIGTERM to the end of a stop, at most. */
#define STOP_GRACE_S 10

/*
 * nng 1.5.2 can hang in nng_close while a connection is torn down (seen
 * under SIGTERM during ingest: tests/fault/central_stop.sh; upstream
 * nng #1543, #1813).  server_stop closes nng only after the writer's
 * last commit and before any reply could still matter, so ending the
 * process then loses nothing: an unanswered device retries, as after a
 * kill -9.  The watchdog ends a stop that outlives the grace period.
 */
static void *
stop_watchdog(void *arg)
{
	const struct clog *log = arg;
	struct timespec ts     = {STOP_GRACE_S, 0};

	while (nanosleep(&ts, &ts) != 0) { }
	clog_warn(log,
	    "stop: still waiting for nng after %d s (a known teardown "
	    "hang of nng 1.5.2); everything acknowledged is committed; "
	    "exiting",
	    STOP_GRACE_S);
	_exit(COSOD_EXIT_FAIL);
	return NULL;
}

/* Serves until SIGINT or SIGTERM.  The signals are blocked before any
 * thread starts, so every thread inherits the mask and the main thread
 * alone takes them, with sigwait: no handler, no global flag.  The HTTP
 * API stops first: its readers end before the writer's last commit. */
static int
serve(const struct server_cfg *cfg, const struct http_cfg *hc,
    const struct clog *log)
{
	struct server *srv = NULL;
	struct http *http  = NULL;
	pthread_t dog;
	sigset_t set;
	int sig = 0;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (start(cfg, hc, log, &srv, &http) != 0) {
		return COSOD_EXIT_FAIL;
	}
	/* Listening: devices and the HTTP API are served from here on. */
	tell_systemd(log, "READY=1\nSTATUS=serving\n");
	while (sigwait(&set, &sig) != 0) { }
	clog_info(log, "signal %d: stopping", sig);
	tell_systemd(log, "STOPPING=1\n");
	if (pthread_create(&dog, NULL, stop_watchdog, (void *) log) == 0) {
		pthread_detach(dog);
	}
	http_stop(http);
	server_stop(srv);
	clog_info(log, "stopped");
	return 0;
}

/* The log against its newest signed checkpoint, on a read-only handle
 * before the writer opens the database (which would hash rows that have
 * no leaf yet into the tree). */
static int
run_check(const char *db)
{
	char err[CSTORE_ERRMSG_MAX];
	struct central_store *s;
	int rv;

	if (central_open_ro(db, &s) != 0) {
		return -1;
	}
	rv = logcheck_start(s, err);
	cstore_close(s);
	if (rv == COSO_EIO) {
		central_fail("cannot check `%s': %s", db, err);
	} else if (rv != COSO_OK) {
		central_fail(
		    "refusing to serve `%s': it does not match its signed "
		    "checkpoint: %s (changed outside the central? see "
		    "docs/central.md, \"Self-checks\")",
		    db, err);
	}
	return rv == COSO_OK ? 0 : -1;
}

/*
 * --witness URL=VKEY, which may be repeated (central_parse_opts keeps
 * one value per option): taken out of argv into cfg, the rest left in
 * argv (argc updated).  -1 (reported) if one is malformed.
 */
static int
take_witnesses(int *argc, char **argv, struct witnesses_cfg *cfg)
{
	char err[WITNESS_ERRMSG_MAX];
	int i, k = 1;

	for (i = 1; i < *argc; i++) {
		const char *v = NULL;

		if (strcmp(argv[i], "--witness") == 0 && i + 1 < *argc) {
			v = argv[++i];
		} else if (strncmp(argv[i], "--witness=", 10) == 0) {
			v = argv[i] + 10;
		} else {
			argv[k++] = argv[i];
			continue;
		}
		if (cfg->n == WITNESSES_MAX) {
			central_fail("at most %u --witness", WITNESSES_MAX);
			return -1;
		}
		if (witness_peer_parse(&cfg->peer[cfg->n], v, err) != 0) {
			central_fail("%s", err);
			return -1;
		}
		cfg->n++;
	}
	argv[k] = NULL;
	*argc   = k;
	return 0;
}

/* Starts the witnesses' thread (if any) and points the HTTP API at their
 * cosigned note; the note is kept in DB.cosigned. */
static int
witnesses_begin(struct witnesses_cfg *wc, const char *db, char *path,
    size_t max, struct http_cfg *hc, const struct clog *log,
    struct witnesses **w)
{
	char err[WITNESS_ERRMSG_MAX];

	if (wc->n == 0) {
		return 0;
	}
	snprintf(path, max, "%s.cosigned", db);
	wc->db      = db;
	wc->path    = path;
	wc->poll_ms = 250;
	if (witnesses_start(w, wc, log, err) != COSO_OK) {
		central_fail("%s", err);
		return -1;
	}
	hc->cosigned     = witnesses_note;
	hc->cosigned_arg = *w;
	return 0;
}

int
central_run(int argc, char **argv)
{
	struct run_args r       = {0};
	const struct opt opts[] = {{"--db", &r.db, 0},
	    {"--listen", &r.listen, 0}, {"--http", &r.http, 0},
	    {"--http-token", &r.token, 0}, {"--max-message", &r.max, 0},
	    {"--tls-cert", &r.cert, 0}, {"--tls-key", &r.key, 0},
	    {"--contexts", &r.contexts, 0}, {"--log-level", &r.level, 0}};
	struct server_cfg cfg   = {.workers = 0, /* one per core */
	      .queue_bytes                  = DEFAULT_QUEUE,
	      .box_cache                    = DEFAULT_BOXES};
	struct http_cfg hc      = {0};
	struct clog log         = {CLOG_INFO, 0};
	struct metrics metrics;
	struct witnesses_cfg wc = {0};
	struct witnesses *wit   = NULL;
	char wpath[4096];
	int code;

	if (take_witnesses(&argc, argv, &wc) != 0
	    || central_parse_opts(argc, argv, opts, 9) != 0
	    || central_need("--db", r.db) != 0
	    || central_need("--listen", r.listen) != 0
	    || run_config(&r, &cfg, &log) != 0) {
		return COSOD_EXIT_USAGE;
	}
	if ((code = http_config(&r, &hc)) != 0) {
		return code;
	}
	if (run_check(r.db) != 0) {
		return COSOD_EXIT_FAIL;
	}
	metrics_init(&metrics, coso_wall_ms());
	cfg.metrics  = &metrics;
	hc.metrics   = &metrics;
	cfg.db       = r.db;
	cfg.url      = r.listen;
	cfg.tls_cert = r.cert;
	cfg.tls_key  = r.key;
	if (cfg.queue_bytes < cfg.max_message) {
		cfg.queue_bytes = cfg.max_message;
	}
	if (fd_budget(&cfg, &hc) != 0) {
		return COSOD_EXIT_FAIL;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (witnesses_begin(&wc, r.db, wpath, sizeof(wpath), &hc, &log, &wit)
	    != 0) {
		return COSOD_EXIT_FAIL;
	}
	code = serve(&cfg, &hc, &log);
	witnesses_stop(wit);
	sodium_memzero(hc.token_hash, sizeof(hc.token_hash));
	return code;
}
