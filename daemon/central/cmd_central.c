/*
 * cmd_central.c: `cosod central init | run | stats | digest | checkpoint |
 * vkey | rebuild | report`.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <pthread.h>
#include <sodium.h>

#include "central_store.h"
#include "cmd_central.h"
#include "digest.h"
#include "emit.h"
#include "files.h"
#include "http.h"
#include "log.h"
#include "logcheck.h"
#include "rebuild.h"
#include "report_cmd.h"
#include "server.h"

#define DEFAULT_ADMIN_CADRE  "admin"
#define DEFAULT_CONTEXTS     64u
#define DEFAULT_QUEUE        (32u * 1024u * 1024u)
#define DEFAULT_BOXES        4096u
#define DEFAULT_HTTP_WORKERS 2u
#define MIN_MESSAGE          (COSO_CS_MAX + 4096u)
#define FD_RESERVE           64u /* files beside connections */
#define FD_MIN               (FD_RESERVE + 32u)
#define REP_CONNS_MAX        4096u
#define ANON_BYTES           (32u * 1024u * 1024u)

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
fail(const char *fmt, ...)
{
	va_list ap;

	fputs("cosod: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- options --------------------------------------------------------------
 */

struct opt {
	const char *name; /* "--db" */
	const char **val;
	int flag; /* takes no value; *val becomes "1" */
};

/* Parses argv[1..] against opts (`--name VALUE`, `--name=VALUE`).
 * -1 on a usage error, which is reported. */
static int
parse_opts(int argc, char **argv, const struct opt *opts, size_t n)
{
	int i;
	size_t k, len;

	for (i = 1; i < argc; i++) {
		for (k = 0; k < n; k++) {
			len = strlen(opts[k].name);
			if (strncmp(argv[i], opts[k].name, len) == 0
			    && (argv[i][len] == 0 || argv[i][len] == '=')) {
				break;
			}
		}
		if (k == n) {
			fail("unknown option `%s'", argv[i]);
			return -1;
		}
		if (opts[k].flag) {
			*opts[k].val = "1";
		} else if (argv[i][len] == '=') {
			*opts[k].val = argv[i] + len + 1;
		} else if (i + 1 < argc) {
			*opts[k].val = argv[++i];
		} else {
			fail("option `%s' needs a value", opts[k].name);
			return -1;
		}
	}
	return 0;
}

/* A decimal number in [lo, hi]; -1 (reported) if not. */
static int
parse_num(
    const char *name, const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v     = strtoull(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end != 0 || errno != 0 || v < lo
	    || v > hi) {
		fail("%s: `%s' is not a number from %" PRIu64 " to %" PRIu64,
		    name, s, lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

static int
need(const char *name, const char *val)
{
	if (val == NULL) {
		fail("option `%s' is required", name);
		return -1;
	}
	return 0;
}

static int
open_ro(const char *db, struct central_store **s)
{
	char err[CSTORE_ERRMSG_MAX];

	if (cstore_open(s, db, 1, err) != COSO_OK) {
		fail("%s", err);
		return -1;
	}
	return 0;
}

/* ---- init -----------------------------------------------------------------
 */

/* The admin's public key: a file's path or the file's text; a missing
 * final newline is tolerated. */
static int
admin_key_read(const char *arg, uint8_t pk[static 32])
{
	char buf[COSO_PUBFILE_MAX + 2], *text = NULL;
	size_t len;
	int err, rv;

	if (strncmp(arg, "coso public key ", 16) == 0) {
		len  = strlen(arg);
		text = strdup(arg);
		err  = text == NULL ? ENOMEM : 0;
	} else {
		err = files_read(arg, COSO_PUBFILE_MAX, &text, &len);
	}
	if (err != 0) {
		fail("cannot read admin key `%s': %s", arg,
		    err == EFBIG ? "not a public key file" : strerror(err));
		return -1;
	}
	len = len < COSO_PUBFILE_MAX ? len : COSO_PUBFILE_MAX;
	memcpy(buf, text, len);
	free(text);
	if (len > 0 && buf[len - 1] != '\n') {
		buf[len++] = '\n';
	}
	if ((rv = coso_pubkey_parse(pk, buf, len)) != COSO_OK) {
		fail("cannot read admin key `%s': %s", arg, coso_strerror(rv));
		return -1;
	}
	return 0;
}

/* One DNS label: [a-z0-9-], 1 to 63, no '-' at either end. */
static int
origin_label(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-') {
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z')
		        || (s[i] >= '0' && s[i] <= '9') || s[i] == '-')) {
			return 0;
		}
	}
	return 1;
}

/* A host name: two labels or more, the last not all digits (an address
 * is no domain of the operator's). */
static int
origin_host(const char *s, size_t n)
{
	size_t start = 0, i, dots = 0, last = 0;

	for (i = 0; i <= n; i++) {
		if (i < n && s[i] != '.') {
			continue;
		}
		if (!origin_label(s + start, i - start)) {
			return 0;
		}
		dots += i < n;
		last  = start;
		start = i + 1;
	}
	return dots > 0 && strspn(s + last, "0123456789") != n - last;
}

/* A path segment: [A-Za-z0-9._~-], at least one (RFC 3986 unreserved). */
static int
origin_segment(const char *s, size_t n)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyz"
	                         "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._~-";
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\0' || strchr(ok, s[i]) == NULL) {
			return 0;
		}
	}
	return n > 0;
}

/*
 * The origin names the log in every checkpoint it will ever sign, and
 * C2SP tlog-checkpoint asks for a schema-less URL under a domain its
 * operator controls, so that no two logs share one: HOST[/SEG]...,
 * lowercase host, no scheme, port, query or trailing '/'.  Such an
 * origin is also a valid signed-note key name.  docs/decisions.md.
 */
static int
origin_valid(const char *o)
{
	size_t n = strlen(o), h = strcspn(o, "/"), start, end;

	if (n == 0 || n > COSO_ORIGIN_MAX || !origin_host(o, h)) {
		return 0;
	}
	for (start = h; start < n; start = end) {
		end = start + 1 + strcspn(o + start + 1, "/");
		if (!origin_segment(o + start + 1, end - start - 1)) {
			return 0;
		}
	}
	return 1;
}

static int
origin_check(const char *o)
{
	if (o == NULL) {
		fail("option `--origin' is required: the log's name in every "
		     "checkpoint, for good; a URL without a scheme under a "
		     "domain you control, e.g. `langson.gov.vn/coso'");
		return -1;
	}
	if (strstr(o, "://") != NULL) {
		fail("--origin: `%s': give it without the scheme (`%s')", o,
		    strstr(o, "://") + 3);
		return -1;
	}
	if (!origin_valid(o)) {
		fail("--origin: `%s' is not a URL without a scheme such as "
		     "`langson.gov.vn/coso' (a lowercase host name with a "
		     "dot, then /segments of letters, digits and . _ ~ -; at "
		     "most %u bytes)",
		    o, COSO_ORIGIN_MAX);
		return -1;
	}
	return 0;
}

struct init_args {
	const char *db, *admin, *origin, *cadre;
	uint8_t admin_pk[32];
};

/* Settings, the central key's registration and the admin's, in one
 * transaction. */
static int
init_db(struct central_store *s, const struct coso_key *key,
    const struct init_args *a, const char *pubtext)
{
	struct merge_ctx m = {s, key};
	struct merge_out out;
	uint8_t pk[32];
	uint64_t now = coso_wall_ms();
	char ms[24];
	int rv;

	coso_key_public(key, pk);
	snprintf(ms, sizeof(ms), "%" PRIu64, now);
	if ((rv = cstore_begin(s)) != COSO_OK) {
		return rv;
	}
	if ((rv = cstore_meta_set(s, "central_pk", pubtext)) != COSO_OK
	    || (rv = cstore_meta_set(s, "origin", a->origin)) != COSO_OK
	    || (rv = cstore_meta_set(s, "created_ms", ms)) != COSO_OK
	    || (rv = emit_bootstrap(s, pk)) != COSO_OK
	    || (rv = emit_device_key(&m, a->admin_pk, a->cadre,
	            CSTORE_ROLE_ADMIN, NULL, now, &out))
	        != COSO_OK) {
		cstore_rollback(s);
		return rv;
	}
	if (out.verdict != COSO_VERDICT_ACCEPTED) {
		cstore_rollback(s);
		return out.reason != 0 ? out.reason : COSO_EINVAL;
	}
	if ((rv = emit_checkpoint(&m)) != COSO_OK) {
		cstore_rollback(s);
		return rv;
	}
	return cstore_commit(s);
}

static void
remove_db(const char *db)
{
	char path[4096];

	unlink(db);
	snprintf(path, sizeof(path), "%s-wal", db);
	unlink(path);
	snprintf(path, sizeof(path), "%s-shm", db);
	unlink(path);
}

/* Writes the central's secret key beside the database, 0600, in clear. */
static int
write_key(const char *db, const struct coso_key *key)
{
	char *path = files_key_path(db), *text = NULL;
	int err = ENOMEM;

	if (path != NULL && coso_seckey_format(&text, key, NULL, 0) == 0) {
		err = files_create(path, text, strlen(text), 0600);
		sodium_memzero(text, strlen(text));
	}
	if (err != 0) {
		fail("cannot create `%s': %s", path != NULL ? path : db,
		    strerror(err));
	}
	free(text);
	free(path);
	return err;
}

/* The checkpoints' verifier key, on stderr: stdout is the key file. */
static void
print_vkey(const char *origin, const uint8_t pk[static 32])
{
	char *vkey = NULL;

	if (coso_note_vkey_format(&vkey, origin, pk) == COSO_OK) {
		fprintf(stderr,
		    "cosod: checkpoint verifier key (C2SP signed-note; "
		    "also `cosod central vkey'):\n%s\n",
		    vkey);
	}
	free(vkey);
}

static int
init_run(struct init_args *a)
{
	char err[CSTORE_ERRMSG_MAX], *pubtext = NULL;
	struct central_store *s = NULL;
	struct coso_key *key    = NULL;
	uint8_t pk[32];
	int rv, code = COSOD_EXIT_FAIL;

	if (cstore_create(&s, a->db, err) != COSO_OK) {
		fail("%s", err);
		return code;
	}
	if ((rv = coso_key_generate(&key)) != COSO_OK
	    || (coso_key_public(key, pk),
	           rv = coso_pubkey_format(&pubtext, pk))
	        != COSO_OK
	    || (rv = init_db(s, key, a, pubtext)) != COSO_OK) {
		fail("cannot initialise `%s': %s", a->db,
		    rv == COSO_EIO ? cstore_errmsg(s) : coso_strerror(rv));
	} else if (write_key(a->db, key) == 0) {
		fputs(pubtext, stdout);
		code = fflush(stdout) == 0 ? 0 : COSOD_EXIT_FAIL;
		print_vkey(a->origin, pk);
	}
	cstore_close(s);
	if (code != 0) {
		remove_db(a->db);
	}
	coso_key_free(key);
	free(pubtext);
	return code;
}

static int
central_init(int argc, char **argv)
{
	struct init_args a = {.cadre = DEFAULT_ADMIN_CADRE};
	const struct opt opts[]
	    = {{"--db", &a.db, 0}, {"--admin-key", &a.admin, 0},
	        {"--origin", &a.origin, 0}, {"--admin-cadre", &a.cadre, 0}};
	char *keypath;
	int exists;

	if (parse_opts(argc, argv, opts, 4) != 0 || need("--db", a.db) != 0
	    || need("--admin-key", a.admin) != 0
	    || origin_check(a.origin) != 0) {
		return COSOD_EXIT_USAGE;
	}
	if (admin_key_read(a.admin, a.admin_pk) != 0) {
		return COSOD_EXIT_FAIL;
	}
	if ((keypath = files_key_path(a.db)) == NULL) {
		return COSOD_EXIT_FAIL;
	}
	exists = access(keypath, F_OK) == 0;
	if (exists) {
		fail("cannot create `%s': file exists", keypath);
	}
	free(keypath);
	return exists ? COSOD_EXIT_FAIL : init_run(&a);
}

/* ---- run ------------------------------------------------------------------
 */

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
		fail("cannot read `%s': %s", path,
		    err == EFBIG ? "not a bearer token file" : strerror(err));
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
		fail("`%s' does not hold a bearer token (one line of at most "
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
			fail("--http-token needs --http ADDR");
			return COSOD_EXIT_USAGE;
		}
		return 0;
	}
	if (http_addr_check(r->http, &lo) != 0) {
		fail("--http: `%s' is not HOST:PORT (an IPv6 address in "
		     "brackets, a port from 1 to 65535)",
		    r->http);
		return COSOD_EXIT_USAGE;
	}
	if (!lo && r->token == NULL) {
		fail("--http: `%s' is not a loopback address; serving the API "
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
		if (parse_num("--max-message", r->max, MIN_MESSAGE,
		        COSO_WIRE_MAX_LIMIT, &v)
		    != 0) {
			return -1;
		}
		cfg->max_message = (size_t) v;
	}
	if (r->contexts != NULL) {
		if (parse_num("--contexts", r->contexts, 1, 4096, &v) != 0) {
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
		fail("--listen: `%s' is not a tcp:// or tls+tcp:// URL",
		    r->listen);
		return -1;
	}
	if (strncmp(r->listen, "tls+", 4) == 0
	    && (r->cert == NULL || r->key == NULL)) {
		fail("tls+tcp:// needs --tls-cert FILE and --tls-key FILE");
		return -1;
	}
	if (r->level != NULL && (lvl = clog_level_parse(r->level)) < 0) {
		fail("--log-level: `%s' is not error, warn, info or debug",
		    r->level);
		return -1;
	}
	log->level = (enum clog_level) lvl;
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
		fail("cannot read the open-file limit: %s", strerror(errno));
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
		fail("the open-file limit (%llu) is too low: at least %u are "
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
		fail("%s", err);
		return -1;
	}
	if (hc->addr != NULL) {
		if (http_start(http, hc, log, err) != COSO_OK) {
			fail("%s", err);
			server_stop(*srv);
			return -1;
		}
		clog_info(log, "http: serving on %s", hc->addr);
	}
	return 0;
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
	while (sigwait(&set, &sig) != 0) { }
	clog_info(log, "signal %d: stopping", sig);
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

	if (open_ro(db, &s) != 0) {
		return -1;
	}
	rv = logcheck_start(s, err);
	cstore_close(s);
	if (rv == COSO_EIO) {
		fail("cannot check `%s': %s", db, err);
	} else if (rv != COSO_OK) {
		fail("refusing to serve `%s': it does not match its signed "
		     "checkpoint: %s (changed outside the central? see "
		     "docs/central.md, \"Self-checks\")",
		    db, err);
	}
	return rv == COSO_OK ? 0 : -1;
}

static int
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
	struct clog log         = {CLOG_INFO};
	int code;

	if (parse_opts(argc, argv, opts, 9) != 0 || need("--db", r.db) != 0
	    || need("--listen", r.listen) != 0
	    || run_config(&r, &cfg, &log) != 0) {
		return COSOD_EXIT_USAGE;
	}
	if ((code = http_config(&r, &hc)) != 0) {
		return code;
	}
	if (run_check(r.db) != 0) {
		return COSOD_EXIT_FAIL;
	}
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
	code = serve(&cfg, &hc, &log);
	sodium_memzero(hc.token_hash, sizeof(hc.token_hash));
	return code;
}

/* ---- stats ----------------------------------------------------------------
 */

static void
print_reason(int json, const struct cstore_reason_count *r, int first)
{
	const char *name = merge_reason_name(r->reason);
	char other[24];

	if (name == NULL) {
		snprintf(other, sizeof(other), "error_%d", r->reason);
		name = other;
	}
	if (json) {
		printf("%s\"%s\": %" PRIu64, first ? "" : ", ", name, r->n);
	} else {
		printf("  %-20s %" PRIu64 "  (%s)\n", name, r->n,
		    coso_strerror(r->reason));
	}
}

static int
print_tables(struct central_store *s, int json)
{
	uint64_t n;
	uint32_t t;
	int rv;

	for (t = 1; t <= COSO_T_UNIT_MOVE; t++) {
		if ((rv = cstore_table_count(s, t, &n)) != COSO_OK) {
			return rv;
		}
		if (json) {
			printf("    \"%s\": %" PRIu64 "%s\n",
			    cstore_table_name(t), n,
			    t < COSO_T_UNIT_MOVE ? "," : "");
		} else {
			printf(
			    "  %-20s %" PRIu64 "\n", cstore_table_name(t), n);
		}
	}
	return COSO_OK;
}

/* ---- stats: clocks --------------------------------------------------------
 */

struct clocks_out {
	int json;
	size_t n;
};

/* A JSON string: quotes, backslashes and control characters escaped. */
static void
json_string(const char *v)
{
	putchar('"');
	for (; *v != 0; v++) {
		unsigned char c = (unsigned char) *v;

		if (c == '"' || c == '\\') {
			printf("\\%c", c);
		} else if (c < 0x20) {
			printf("\\u%04x", c);
		} else {
			putchar(c);
		}
	}
	putchar('"');
}

/* Off by more than the tolerance at its last check, either way. */
static int
clock_wrong(const struct cstore_clock_stat *c)
{
	int64_t skew
	    = (int64_t) c->last.central_ms - (int64_t) c->last.device_ms;

	return skew > (int64_t) COSO_CLOCK_TOLERANCE_MS
	    || skew < -(int64_t) COSO_CLOCK_TOLERANCE_MS;
}

/* One device a line: its last measured skew (central - device), what
 * its HLC was then ahead of the central's time, and how many of its
 * change-sets were weighed at their received time. */
static int
print_clock(const struct cstore_clock_stat *c, void *arg)
{
	struct clocks_out *o = arg;
	int64_t skew
	    = (int64_t) c->last.central_ms - (int64_t) c->last.device_ms;
	int64_t ahead = (int64_t) coso_hlc_ms(c->last.hlc)
	    - (int64_t) c->last.central_ms;
	char key[17];

	sodium_bin2hex(key, sizeof(key), c->key_id, 8);
	if (o->json) {
		printf("%s\n    {\"key\": \"%s\", \"cadre_id\": ",
		    o->n ? "," : "", key);
		json_string(c->cadre_id);
		if (c->checked) {
			printf(", \"checks\": %" PRIu64
			       ", \"checked_ms\": %" PRIu64
			       ", \"skew_ms\": %" PRId64
			       ", \"hlc_ahead_ms\": %" PRId64
			       ", \"clock_ok\": %s",
			    c->checks, c->last.central_ms, skew, ahead,
			    clock_wrong(c) ? "false" : "true");
		} else {
			printf(", \"checks\": 0, \"checked_ms\": null, "
			       "\"skew_ms\": null, \"hlc_ahead_ms\": null, "
			       "\"clock_ok\": null");
		}
		printf(", \"clamped\": %" PRIu64 "}", c->clamped);
	} else if (c->checked) {
		printf("  %-16s %s  skew %" PRId64 " s  clamped %" PRIu64
		       "%s\n",
		    c->cadre_id, key, skew / 1000, c->clamped,
		    clock_wrong(c) ? "  CLOCK WRONG" : "");
	} else {
		printf("  %-16s %s  not checked  clamped %" PRIu64 "\n",
		    c->cadre_id, key, c->clamped);
	}
	o->n++;
	return 0;
}

static int
print_clocks(struct central_store *s, int json)
{
	struct clocks_out o = {json, 0};
	int rv;

	printf(json ? ",\n  \"clock_tolerance_ms\": %u,\n  \"clocks\": ["
	            : "clocks       skew = central - device at the last sync; "
	              "tolerance %u s\n",
	    json ? COSO_CLOCK_TOLERANCE_MS : COSO_CLOCK_TOLERANCE_MS / 1000);
	rv = cstore_clocks_each(s, print_clock, &o);
	if (json) {
		printf("%s]", o.n ? "\n  " : "");
	}
	return rv;
}

/* One key per line, so line-oriented tools find each value. */
static int
print_stats(struct central_store *s, const struct cstore_stats *st, int json)
{
	char root[65];
	size_t i;
	int rv;

	printf(json ? "{\n  \"accepted\": %" PRIu64
	              ",\n  \"quarantined\": %" PRIu64
	              ",\n  \"quarantined_by_reason\": {"
	            : "accepted     %" PRIu64 "\nquarantined  %" PRIu64 "\n",
	    st->accepted, st->quarantined);
	for (i = 0; i < st->nreasons; i++) {
		print_reason(json, &st->reasons[i], i == 0);
	}
	printf(json ? "},\n  \"authors\": %" PRIu64 ",\n  \"records\": {\n"
	            : "authors      %" PRIu64 "\nrecords\n",
	    st->authors);
	if ((rv = print_tables(s, json)) != COSO_OK) {
		return rv;
	}
	sodium_bin2hex(root, sizeof(root), st->root, 32);
	printf(json ? "  },\n  \"log\": {\"changesets\": %" PRIu64
	              ", \"bytes\": %" PRIu64 "},\n  \"tree_size\": %" PRIu64
	              ",\n  \"root\": \"%s\""
	            : "log          %" PRIu64 " change-sets, %" PRIu64
	              " bytes\ntree size    %" PRIu64 "\nroot         %s\n",
	    st->changesets, st->bytes, st->tree_size, root);
	if ((rv = print_clocks(s, json)) != COSO_OK) {
		return rv;
	}
	if (json) {
		printf("\n}\n");
	}
	return COSO_OK;
}

static int
central_stats(int argc, char **argv)
{
	const char *db = NULL, *json = NULL;
	const struct opt opts[] = {{"--db", &db, 0}, {"--json", &json, 1}};
	struct central_store *s;
	struct cstore_stats st;
	int rv;

	if (parse_opts(argc, argv, opts, 2) != 0 || need("--db", db) != 0) {
		return COSOD_EXIT_USAGE;
	}
	if (open_ro(db, &s) != 0) {
		return COSOD_EXIT_FAIL;
	}
	if ((rv = cstore_stats_get(s, &st)) == COSO_OK) {
		rv = print_stats(s, &st, json != NULL);
	}
	if (rv != COSO_OK) {
		fail("cannot read `%s': %s", db, cstore_errmsg(s));
	}
	cstore_close(s);
	return rv == COSO_OK ? 0 : COSOD_EXIT_FAIL;
}

/* ---- digest and rebuild ---------------------------------------------------
 */

/* The digest; with tables, then "name hex" for each table. */
static int
print_digest(struct central_store *s, const char *db, int tables)
{
	uint8_t d[32], per[DIGEST_TABLES][32];
	char hex[DIGEST_HEX];
	size_t i;

	if (digest_compute_tables(s, d, per) != COSO_OK) {
		fail("cannot read `%s': %s", db, cstore_errmsg(s));
		return COSOD_EXIT_FAIL;
	}
	digest_hex(hex, d);
	printf("%s\n", hex);
	for (i = 0; tables && i < DIGEST_TABLES; i++) {
		digest_hex(hex, per[i]);
		printf("%s %s\n", digest_table_name(i), hex);
	}
	return fflush(stdout) == 0 ? 0 : COSOD_EXIT_FAIL;
}

static int
central_digest(int argc, char **argv)
{
	const char *db = NULL, *tables = NULL;
	const struct opt opts[] = {{"--db", &db, 0}, {"--tables", &tables, 1}};
	struct central_store *s;
	int code;

	if (parse_opts(argc, argv, opts, 2) != 0 || need("--db", db) != 0) {
		return COSOD_EXIT_USAGE;
	}
	if (open_ro(db, &s) != 0) {
		return COSOD_EXIT_FAIL;
	}
	code = print_digest(s, db, tables != NULL);
	cstore_close(s);
	return code;
}

/* `checkpoint`: the latest signed checkpoint, as signed. */
static int
central_checkpoint(int argc, char **argv)
{
	const char *db          = NULL;
	const struct opt opts[] = {{"--db", &db, 0}};
	struct central_store *s;
	uint64_t size;
	char *note = NULL;
	int rv, code = COSOD_EXIT_FAIL;

	if (parse_opts(argc, argv, opts, 1) != 0 || need("--db", db) != 0) {
		return COSOD_EXIT_USAGE;
	}
	if (open_ro(db, &s) != 0) {
		return COSOD_EXIT_FAIL;
	}
	if ((rv = cstore_checkpoint_latest(s, &size, &note)) == COSO_OK) {
		fputs(note, stdout);
		code = fflush(stdout) == 0 ? 0 : COSOD_EXIT_FAIL;
	} else if (rv == COSO_ENOENT) {
		fail("`%s' has no checkpoint", db);
	} else {
		fail("cannot read `%s': %s", db,
		    rv == COSO_EIO ? cstore_errmsg(s) : coso_strerror(rv));
	}
	free(note);
	cstore_close(s);
	return code;
}

/* `vkey`: the C2SP verifier key of the checkpoints, for any tool of the
 * transparency-log ecosystem (and coso-audit --central-key). */
static int
central_vkey(int argc, char **argv)
{
	const char *db          = NULL;
	const struct opt opts[] = {{"--db", &db, 0}};
	char err[CSTORE_ERRMSG_MAX], *vkey = NULL;
	struct central_store *s;
	int code = COSOD_EXIT_FAIL;

	if (parse_opts(argc, argv, opts, 1) != 0 || need("--db", db) != 0) {
		return COSOD_EXIT_USAGE;
	}
	if (open_ro(db, &s) != 0) {
		return COSOD_EXIT_FAIL;
	}
	if (logcheck_vkey(s, &vkey, err) == COSO_OK) {
		printf("%s\n", vkey);
		code = fflush(stdout) == 0 ? 0 : COSOD_EXIT_FAIL;
	} else {
		fail("cannot read `%s': %s", db, err);
	}
	free(vkey);
	cstore_close(s);
	return code;
}

/* The rebuilt log must have the same tree as the one stored: same
 * leaves, same root. */
static int
same_tree(struct central_store *src, struct central_store *dst)
{
	uint64_t n_src, n_dst;
	uint8_t r_src[32], r_dst[32];
	char a[65], b[65];

	if (cstore_tree_head(src, &n_src, r_src) != COSO_OK
	    || cstore_tree_head(dst, &n_dst, r_dst) != COSO_OK) {
		fail("rebuild: cannot read the tree: %s", cstore_errmsg(dst));
		return -1;
	}
	if (n_src != n_dst || memcmp(r_src, r_dst, 32) != 0) {
		sodium_bin2hex(a, sizeof(a), r_dst, 32);
		sodium_bin2hex(b, sizeof(b), r_src, 32);
		fail("rebuild: the rebuilt log's tree (%" PRIu64
		     " leaves, root %s) is not the stored one (%" PRIu64
		     ", root %s)",
		    n_dst, a, n_src, b);
		return -1;
	}
	return 0;
}

/* ... and the tree the source's checkpoints signed, each of them; those
 * are copied, so that the rebuilt database can run. */
static int
same_signed(struct central_store *src, struct central_store *dst)
{
	char err[CSTORE_ERRMSG_MAX];
	uint64_t n;
	int rv = logcheck_rebuilt(src, dst, &n, err);

	if (rv != COSO_OK) {
		fail("rebuild: %s%s", rv == COSO_EIO ? "cannot check: " : "",
		    err);
		return -1;
	}
	return 0;
}

/* The rebuilt state must be the source's: a table that differs was
 * changed outside the log. */
static int
same_state(struct central_store *src, struct central_store *dst)
{
	uint8_t d[2][32], per[2][DIGEST_TABLES][32];
	char names[DIGEST_TABLES * 16] = "", *p = names;
	size_t i;

	if (digest_compute_tables(src, d[0], per[0]) != COSO_OK
	    || digest_compute_tables(dst, d[1], per[1]) != COSO_OK) {
		fail("rebuild: cannot compute the digests: %s / %s",
		    cstore_errmsg(src), cstore_errmsg(dst));
		return -1;
	}
	if (memcmp(d[0], d[1], 32) == 0) {
		return 0;
	}
	for (i = 0; i < DIGEST_TABLES; i++) {
		if (memcmp(per[0][i], per[1][i], 32) != 0) {
			p += snprintf(p, sizeof(names) - (size_t) (p - names),
			    "%s%s", p == names ? "" : ", ",
			    digest_table_name(i));
		}
	}
	fail("rebuild: the rebuilt state differs from the source's in %s: "
	     "rows were changed outside the log",
	    names);
	return -1;
}

static int
rebuild_into(struct central_store *src, struct central_store *dst,
    const char *out, int tables)
{
	struct clog log = {CLOG_WARN};
	uint64_t n, bad;
	int rv, wrong = 0;

	if ((rv = rebuild_prepare(src, dst)) != COSO_OK
	    || (rv = rebuild_replay(src, dst, &log, &n, &bad)) != COSO_OK) {
		fail("cannot rebuild into `%s': %s", out,
		    rv == COSO_EIO ? cstore_errmsg(dst) : coso_strerror(rv));
		return COSOD_EXIT_FAIL;
	}
	if (bad != 0) {
		fail("rebuild: %" PRIu64 " of %" PRIu64
		     " log entries got another verdict",
		    bad, n);
		wrong = 1;
	}
	/* Every check runs, so that every difference is named. */
	wrong |= same_tree(src, dst) != 0;
	wrong |= same_signed(src, dst) != 0;
	wrong |= same_state(src, dst) != 0;
	if (wrong) {
		fail("rebuild: `%s' kept for inspection", out);
		return COSOD_EXIT_FAIL;
	}
	return print_digest(dst, out, tables);
}

/* `rebuild --entries FILE`: an auditor's download, replayed. */
static int
rebuild_file(
    const char *path, struct central_store *dst, const char *out, int tables)
{
	struct clog log = {CLOG_WARN};
	char err[CSTORE_ERRMSG_MAX];
	uint64_t n, bad;
	FILE *f = fopen(path, "rb");
	int rv;

	if (f == NULL) {
		fail("cannot open `%s': %s", path, strerror(errno));
		return COSOD_EXIT_FAIL;
	}
	rv = rebuild_from_file(f, dst, &log, &n, &bad, err);
	fclose(f);
	if (rv != COSO_OK) {
		fail("cannot rebuild from `%s': %s", path,
		    err[0] != '\0'       ? err
		        : rv == COSO_EIO ? cstore_errmsg(dst)
		                         : coso_strerror(rv));
		return COSOD_EXIT_FAIL;
	}
	if (bad != 0) {
		fail("rebuild: %" PRIu64 " of %" PRIu64
		     " log entries got another verdict; `%s' kept for "
		     "inspection",
		    bad, n, out);
		return COSOD_EXIT_FAIL;
	}
	return print_digest(dst, out, tables);
}

static int
central_rebuild(int argc, char **argv)
{
	const char *db = NULL, *out = NULL, *entries = NULL, *tables = NULL;
	const struct opt opts[] = {{"--db", &db, 0}, {"--out", &out, 0},
	    {"--entries", &entries, 0}, {"--tables", &tables, 1}};
	char err[CSTORE_ERRMSG_MAX];
	struct central_store *src = NULL, *dst = NULL;
	int code;

	if (parse_opts(argc, argv, opts, 4) != 0 || need("--out", out) != 0) {
		return COSOD_EXIT_USAGE;
	}
	if ((db == NULL) == (entries == NULL)) {
		fail("give exactly one of --db and --entries");
		return COSOD_EXIT_USAGE;
	}
	if (entries != NULL) {
		if (cstore_create(&dst, out, err) != COSO_OK) {
			fail("%s", err);
			return COSOD_EXIT_FAIL;
		}
		code = rebuild_file(entries, dst, out, tables != NULL);
		cstore_close(dst);
		return code;
	}
	if (open_ro(db, &src) != 0) {
		return COSOD_EXIT_FAIL;
	}
	if (cstore_create(&dst, out, err) != COSO_OK) {
		fail("%s", err);
		cstore_close(src);
		return COSOD_EXIT_FAIL;
	}
	code = rebuild_into(src, dst, out, tables != NULL);
	cstore_close(dst);
	cstore_close(src);
	return code;
}

/* ---- the table ------------------------------------------------------------
 */

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
} subs[] = {
    {"init", central_init,
        "--db PATH --admin-key KEY --origin HOST/PATH [--admin-cadre ID]"},
    {"run", central_run,
        "--db PATH --listen URL [--max-message BYTES] [--tls-cert FILE "
        "--tls-key FILE] [--contexts N] [--log-level LEVEL] [--http "
        "HOST:PORT [--http-token FILE]]"},
    {"stats", central_stats, "--db PATH [--json]"},
    {"digest", central_digest, "--db PATH [--tables]"},
    {"checkpoint", central_checkpoint, "--db PATH"},
    {"vkey", central_vkey, "--db PATH"},
    {"rebuild", central_rebuild,
        "(--db PATH | --entries FILE) --out NEWPATH [--tables]"},
    {"report", central_report,
        "(compliance | coverage | proposals | pack) --db PATH ..."},
};

#define NSUBS (sizeof(subs) / sizeof(subs[0]))

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage:\n");
	for (i = 0; i < NSUBS; i++) {
		fprintf(
		    f, "  cosod central %s %s\n", subs[i].name, subs[i].usage);
	}
}

int
cmd_central(int argc, char **argv)
{
	size_t i;
	int code;

	if (argc < 2 || strcmp(argv[1], "--help") == 0
	    || strcmp(argv[1], "help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? COSOD_EXIT_USAGE : 0;
	}
	for (i = 0; i < NSUBS; i++) {
		if (strcmp(argv[1], subs[i].name) == 0) {
			code = subs[i].fn(argc - 1, argv + 1);
			if (code == COSOD_EXIT_USAGE) {
				fprintf(stderr, "usage: cosod central %s %s\n",
				    subs[i].name, subs[i].usage);
			}
			return code;
		}
	}
	fail("unknown command `central %s'", argv[1]);
	usage(stderr);
	return COSOD_EXIT_USAGE;
}
