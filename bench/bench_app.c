/*
 * bench_app.c BUILD OUT [N]: the cadre's app's API at N visits (10,000
 * by default) against the raw SQLite query of the same rows, in the same
 * run (docs/app.md; issue 14):
 *
 *   app_my_visits_p99   ms for GET /api/visits (the first page, newest
 *                       first), baseline: the SELECT of those rows
 *   app_home_p99        ms for GET /api/home, baseline: the counts of
 *                       the home screen in one read transaction
 *   app_first_screen    bytes of the first screen: index.html and what
 *                       it loads (the aim: under 100 kB)
 *
 * The store is built in-process with the library (N signed visits),
 * then `cosod field run --ui' serves it; requests go over one
 * keep-alive loopback connection with the launch's cookie.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>

#include <coso/client.h>

#include "bench_common.h"

#define ROUNDS 200
#define UNITS                                      \
	"code,name,level,parent_code,valid_from\n" \
	"X,Xã Thử,commune,,2020-01-01\n"

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *) a, y = *(const double *) b;

	return x < y ? -1 : x > y;
}

static double
p99(double *t, int n)
{
	qsort(t, (size_t) n, sizeof(*t), cmp);
	return t[n * 99 / 100];
}

static void
store_make(const char *dir, int n)
{
	struct coso_init p = {.cadre_id = "cb-bench", .name = "Bench"};
	struct coso_store *s;
	struct coso_visit_in v = {0};
	char err[COSO_ERRMSG_MAX], purpose[64];
	uint8_t id[16];
	size_t k;
	int i;

	if (coso_store_init(dir, &p, NULL, err) != COSO_OK
	    || coso_store_open(&s, dir, NULL, 0, err) != COSO_OK
	    || coso_units_import(s, UNITS, strlen(UNITS), &k) != COSO_OK) {
		bench_die("cannot make the store: %s", err);
	}
	v.unit    = "X";
	v.purpose = purpose;
	for (i = 0; i < n; i++) {
		v.date = coso_date_add(20250101, i % 700);
		snprintf(purpose, sizeof(purpose), "Chuyến công tác số %d", i);
		if (coso_visit_add(s, &v, id) != COSO_OK) {
			bench_die("visit %d: %s", i, coso_store_errmsg(s));
		}
	}
	coso_store_close(s);
}

/* One request on fd; the answer's body length; dies on a bad answer. */
static size_t
request(int fd, const char *path, const char *cookie, int port)
{
	char req[512], buf[1 << 16], *end, *cl;
	size_t got = 0, len, need;
	ssize_t r;

	snprintf(req, sizeof(req),
	    "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nCookie: "
	    "coso_k=%s\r\n\r\n",
	    path, port, cookie);
	if (send(fd, req, strlen(req), 0) != (ssize_t) strlen(req)) {
		bench_die("send failed");
	}
	for (;;) {
		if ((r = recv(fd, buf + got, sizeof(buf) - 1 - got, 0)) <= 0) {
			bench_die("the app closed the connection");
		}
		got += (size_t) r;
		buf[got] = 0;
		if ((end = strstr(buf, "\r\n\r\n")) != NULL) {
			break;
		}
	}
	if (strncmp(buf, "HTTP/1.1 200", 12) != 0
	    || (cl = strstr(buf, "Content-Length: ")) == NULL) {
		bench_die("%s: %.40s", path, buf);
	}
	len  = strtoul(cl + 16, NULL, 10);
	need = (size_t) (end + 4 - buf) + len;
	while (got < need) { /* the rest, drained */
		if ((r = recv(fd, buf, sizeof(buf), 0)) <= 0) {
			bench_die("short answer");
		}
		got += (size_t) r;
	}
	return len;
}

static double
time_requests(int fd, const char *path, const char *cookie, int port)
{
	double t[ROUNDS], t0;
	int i;

	for (i = 0; i < ROUNDS; i++) {
		t0 = bench_now();
		request(fd, path, cookie, port);
		t[i] = (bench_now() - t0) * 1000;
	}
	return p99(t, ROUNDS);
}

static double
time_sql(sqlite3 *db, const char *sql)
{
	double t[ROUNDS], t0;
	sqlite3_stmt *st;
	int i, cols;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		bench_die("%s", sqlite3_errmsg(db));
	}
	cols = sqlite3_column_count(st);
	for (i = 0; i < ROUNDS; i++) {
		t0 = bench_now();
		sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
		while (sqlite3_step(st) == SQLITE_ROW) {
			for (int c = 0; c < cols; c++) {
				(void) sqlite3_column_text(st, c);
			}
		}
		sqlite3_reset(st);
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
		t[i] = (bench_now() - t0) * 1000;
	}
	sqlite3_finalize(st);
	return p99(t, ROUNDS);
}

static int
dial(int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	int fd                = socket(AF_INET, SOCK_STREAM, 0), i;

	sa.sin_port        = htons((uint16_t) port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < 100; i++) {
		if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) == 0) {
			return fd;
		}
		bench_sleep_ms(50);
	}
	bench_die("cannot reach the app on port %d", port);
	return -1;
}

/* The secret from the URL line cosod printed into path. */
static void
secret_of(const char *path, char out[static 65])
{
	char line[512] = "", *k;
	FILE *f;
	int i;

	for (i = 0; i < 100; i++) {
		if ((f = fopen(path, "r")) != NULL) {
			if (fgets(line, sizeof(line), f) == NULL) {
				line[0] = 0;
			}
			fclose(f);
		}
		if ((k = strstr(line, "?k=")) != NULL && strlen(k + 3) >= 64) {
			memcpy(out, k + 3, 64);
			out[64] = 0;
			return;
		}
		bench_sleep_ms(50);
	}
	bench_die("cosod printed no URL");
}

/* The first screen: index.html and each file it names by src="x" or
 * href="x" (not a #fragment). */
static size_t
first_screen(int fd, const char *cookie, int port, const char *webdir)
{
	static const char *const attrs[] = {"src=\"", "href=\""};
	char path[512], html[1 << 16], asset[256], *p, *q;
	size_t total = request(fd, "/", cookie, port), n, k;
	FILE *f;

	snprintf(path, sizeof(path), "%s/index.html", webdir);
	if ((f = fopen(path, "r")) == NULL) {
		bench_die("no %s", path);
	}
	n       = fread(html, 1, sizeof(html) - 1, f);
	html[n] = 0;
	fclose(f);
	for (k = 0; k < 2; k++) {
		for (p = html; (p = strstr(p, attrs[k])) != NULL; p = q) {
			p += strlen(attrs[k]);
			if ((q = strchr(p, '"')) == NULL) {
				break;
			}
			if (*p != '#' && q - p > 0 && q - p < 200) {
				snprintf(asset, sizeof(asset), "/%.*s",
				    (int) (q - p), p[0] == '/' ? p + 1 : p);
				total += request(fd, asset, cookie, port);
			}
		}
	}
	return total;
}

int
main(int argc, char **argv)
{
	char dir[] = "/tmp/coso-bench-app.XXXXXX", out[700], db[600];
	char ui[64], cosod[512], secret[65], web[512];
	int n = argc > 3 ? atoi(argv[3]) : 10000, port, fd;
	double v99, h99, sv99, sh99, t0;
	sqlite3 *sq;
	pid_t pid;
	FILE *f;

	if (argc < 3 || sodium_init() < 0 || mkdtemp(dir) == NULL || n < 1) {
		bench_die("usage: bench_app BUILD OUT [N]");
	}
	snprintf(db, sizeof(db), "%s/store", dir);
	t0 = bench_now();
	store_make(db, n);
	printf("bench_app: %d visits stored in %.1f s\n", n, bench_now() - t0);
	port = 20000 + (int) randombytes_uniform(10000);
	snprintf(ui, sizeof(ui), "127.0.0.1:%d", port);
	snprintf(cosod, sizeof(cosod), "%s/cosod", argv[1]);
	snprintf(out, sizeof(out), "%s/url", dir);
	{
		char *args[] = {cosod, "field", "run", "--store", db,
		    "--interval", "86400", "--ui", ui, NULL};

		pid = bench_spawn(args, out);
	}
	secret_of(out, secret);
	fd = dial(port);
	request(fd, "/api/home", secret, port); /* warm */
	v99 = time_requests(fd, "/api/visits", secret, port);
	h99 = time_requests(fd, "/api/home", secret, port);
	snprintf(web, sizeof(web), "%s/../web/app", argv[1]);
	{
		size_t bytes = first_screen(fd, secret, port, web);

		snprintf(out, sizeof(out), "%s/store.db", db);
		if (sqlite3_open_v2(out, &sq, SQLITE_OPEN_READONLY, NULL)
		    != SQLITE_OK) {
			bench_die("cannot open %s", out);
		}
		sv99 = time_sql(sq,
		    "SELECT v.id, v.unit, u.name, v.date, v.purpose, "
		    "v.situation, v.difficulties FROM visits v LEFT JOIN "
		    "units "
		    "u ON u.code = v.unit ORDER BY v.date DESC, v.seq DESC "
		    "LIMIT 100");
		sh99 = time_sql(sq,
		    "SELECT (SELECT count(*) FROM visits), (SELECT count(*) "
		    "FROM outbox WHERE acked = 0), (SELECT min(created_ms) "
		    "FROM "
		    "outbox WHERE acked = 0), (SELECT count(*) FROM reports), "
		    "(SELECT count(*) FROM proposals), (SELECT count(*) FROM "
		    "units)");
		sqlite3_close(sq);
		if ((f = fopen(argv[2], "w")) == NULL) {
			bench_die("cannot write %s", argv[2]);
		}
		bench_metric(f, "app_my_visits_p99", v99, "ms", sv99);
		bench_metric(f, "app_home_p99", h99, "ms", sh99);
		bench_metric(
		    f, "app_first_screen", (double) bytes, "bytes", 100000);
		fclose(f);
	}
	close(fd);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	{
		char *rm[] = {"/bin/rm", "-rf", dir, NULL};

		bench_run(rm, NULL);
	}
	return 0;
}
