/*
 * bench_pull.c: what a device's first sync pulls in a province of 2,000
 * cadres, against what the whole province is, measured in the same run.
 *
 *   bench_pull BUILD FRAGMENT
 *
 * The province is made as an office makes it, with the real programs:
 * `coso admin units import' of a tree of 11 districts, 200 communes and
 * 2,000 villages (a file listed by level and parent, as the office's
 * are), `coso admin cadre import' of 2,000 cadres (listed by their
 * commune), `coso admin assignment import' of their assignments: 11
 * district leaders, each in charge of a district, the other 1,989 each
 * on one commune.  A token for each device measured, the office syncs.
 *
 * Metrics (bytes are every frame the device received during its first
 * `coso sync' after `coso enroll', from its `--json' report):
 *   first_sync_commune_bytes  a commune cadre's device;
 *   first_sync_leader_bytes   a district leader's device;
 *   baseline of both: the whole province, what a device of the office
 *   (an admin key) pulls at its first sync from a copy of its store
 *   made before it signed anything.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <sys/socket.h>

#include "bench_common.h"

#define DISTRICTS          11
#define COMMUNES           200
#define VILLAGES           10 /* per commune */
#define CADRES             2000
#define COMMUNE_CADRE      "cb-0500" /* on commune (500 - 11) % 200 */
#define LEADER_CADRE       "cb-0003" /* in charge of district 3 */
#define DISTRICT_CODE_BASE 178

struct bench {
	const char *build;
	char dir[64], url[64], pub[160], admin[160];
	int port;
	pid_t central;
};

/* Runs build/PROG with the given arguments (NULL-terminated), stdout to
 * out (NULL: /dev/null). */
static void
prog(struct bench *b, const char *out, const char *name, ...)
{
	char *argv[32], path[256];
	va_list ap;
	int n = 0;

	snprintf(path, sizeof(path), "%s/%s", b->build, name);
	argv[n++] = path;
	va_start(ap, name);
	while (n < 31 && (argv[n] = va_arg(ap, char *)) != NULL) {
		n++;
	}
	va_end(ap);
	argv[n] = NULL;
	bench_run(argv, out);
}

static int
free_port(void)
{
	struct sockaddr_in a;
	int fd, port = 0;

	while (port == 0) {
		port = 20000 + (int) randombytes_uniform(40000);
		memset(&a, 0, sizeof(a));
		a.sin_family      = AF_INET;
		a.sin_port        = htons((uint16_t) port);
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0) {
			bench_die("socket");
		}
		if (bind(fd, (struct sockaddr *) &a, sizeof(a)) != 0) {
			port = 0;
		}
		close(fd);
	}
	return port;
}

static void
start_central(struct bench *b)
{
	char path[256], db[128];
	char *argv[]
	    = {path, "central", "run", "--db", db, "--listen", b->url, NULL};
	struct sockaddr_in a;
	int i, fd, up;

	snprintf(path, sizeof(path), "%s/cosod", b->build);
	snprintf(db, sizeof(db), "%s/central.db", b->dir);
	b->central = bench_spawn(argv, NULL);
	memset(&a, 0, sizeof(a));
	a.sin_family      = AF_INET;
	a.sin_port        = htons((uint16_t) b->port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < 500; i++) {
		if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0) {
			bench_die("socket");
		}
		up = connect(fd, (struct sockaddr *) &a, sizeof(a)) == 0;
		close(fd);
		if (up) {
			return;
		}
		bench_sleep_ms(20);
	}
	bench_die("the central did not come up");
}

/* bytes_received of a `coso sync --json' report in the file path. */
static double
bytes_received(const char *path)
{
	char text[4096], *p;
	size_t n;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		bench_die("no sync report %s", path);
	}
	n       = fread(text, 1, sizeof(text) - 1, f);
	text[n] = 0;
	fclose(f);
	if ((p = strstr(text, "\"bytes_received\":")) == NULL) {
		bench_die("no bytes_received in %s", path);
	}
	return atof(p + strlen("\"bytes_received\":"));
}

static int
district_of(int commune)
{
	return commune % DISTRICTS;
}

/* The tree, the cadres and their assignments as the office's files, each
 * listed by level and parent (villages by commune, cadres by unit). */
static void
province_files(struct bench *b)
{
	char path[128];
	FILE *u, *c, *a;
	int d, k, v, i;

	snprintf(path, sizeof(path), "%s/units.csv", b->dir);
	u = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/cadres.csv", b->dir);
	c = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/assignments.csv", b->dir);
	a = fopen(path, "w");
	if (u == NULL || c == NULL || a == NULL) {
		bench_die("cannot write the province's files");
	}
	fputs("code,name,level,parent_code,valid_from\n"
	      "20,Tỉnh Lạng Sơn,province,,2020-01-01\n",
	    u);
	for (d = 0; d < DISTRICTS; d++) {
		fprintf(u, "%d,Huyện số %d,district,20,2020-01-01\n",
		    DISTRICT_CODE_BASE + d, d + 1);
	}
	for (d = 0; d < DISTRICTS; d++) {
		for (k = d; k < COMMUNES; k += DISTRICTS) {
			fprintf(u,
			    "06%03d,Xã Đào Viên %d,commune,%d,2020-01-01\n", k,
			    k + 1, DISTRICT_CODE_BASE + district_of(k));
		}
	}
	for (d = 0; d < DISTRICTS; d++) {
		for (k = d; k < COMMUNES; k += DISTRICTS) {
			for (v = 0; v < VILLAGES; v++) {
				fprintf(u,
				    "06%03d%02d,Thôn Nà Pò %d,village,06%03d,"
				    "2020-01-01\n",
				    k, v, v + 1, k);
			}
		}
	}
	fputs("cadre_id,name,title,unit\n", c);
	fputs("cadre_id,unit,sector,role,valid_from,valid_to,decision\n", a);
	for (i = 0; i < DISTRICTS; i++) {
		fprintf(c, "cb-%04d,Hoàng Văn Lãnh Đạo %d,Bí thư,%d\n", i,
		    i + 1, DISTRICT_CODE_BASE + i);
		fprintf(a, "cb-%04d,%d,,in-charge,2025-01-01,,QĐ %d/QĐ-UBND\n",
		    i, DISTRICT_CODE_BASE + i, 100 + i);
	}
	/* Cadres DISTRICTS.. in commune order: commune k gets those with
	 * (i - DISTRICTS) % COMMUNES == k. */
	for (k = 0; k < COMMUNES; k++) {
		for (i = DISTRICTS + k; i < CADRES; i += COMMUNES) {
			fprintf(c,
			    "cb-%04d,Nguyễn Thị Cán Bộ %d,Cán bộ,06%03d\n", i,
			    i, k);
			fprintf(a,
			    "cb-%04d,06%03d,,%s,2025-01-01,,QĐ %d/QĐ-UBND\n",
			    i, k,
			    i < DISTRICTS + COMMUNES ? "in-charge" : "support",
			    1000 + i);
		}
	}
	if (fclose(u) != 0 || fclose(c) != 0 || fclose(a) != 0) {
		bench_die("cannot write the province's files");
	}
}

/* Bytes received by the first `coso sync' of a device of cadre, whose
 * store is made (and enrolled with a token) first. */
static double
first_sync(struct bench *b, const char *cadre)
{
	char store[128], tok[128], out[128], text[128];
	FILE *f;

	snprintf(store, sizeof(store), "%s/dev-%s", b->dir, cadre);
	snprintf(tok, sizeof(tok), "%s/token-%s", b->dir, cadre);
	snprintf(out, sizeof(out), "%s/sync-%s.json", b->dir, cadre);
	if ((f = fopen(tok, "r")) == NULL || fgets(text, 80, f) == NULL) {
		bench_die("no token for %s", cadre);
	}
	fclose(f);
	text[strcspn(text, "\n")] = 0;
	prog(b, NULL, "coso", "--store", store, "init", "--cadre", cadre,
	    "--name", "Cán bộ", "--central", b->url, "--central-key", b->pub,
	    NULL);
	prog(b, NULL, "coso", "--store", store, "enroll", text, NULL);
	prog(b, out, "coso", "--store", store, "sync", "--json", NULL);
	return bytes_received(out);
}

/* The value of a one-value query on a device's store. */
static long
store_count(struct bench *b, const char *cadre, const char *sql)
{
	char path[160];
	sqlite3 *db      = NULL;
	sqlite3_stmt *st = NULL;
	long n           = -1;

	snprintf(path, sizeof(path), "%s/dev-%s/store.db", b->dir, cadre);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK
	    && sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK
	    && sqlite3_step(st) == SQLITE_ROW) {
		n = (long) sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

/* The device of cadre got what it works with: sql counts n. */
static void
must_hold(struct bench *b, const char *cadre, const char *sql, long n)
{
	long got = store_count(b, cadre, sql);

	if (got != n) {
		bench_die(
		    "%s's device: %s gives %ld, not %ld", cadre, sql, got, n);
	}
}

/* What each device measured needs is there: its assignment, its units
 * and their ancestors, the cadres assigned under them. */
static void
check_devices(struct bench *b)
{
	/* cb-0500: commune 06089 ((500 - 11) % 200) of district 179. */
	must_hold(b, COMMUNE_CADRE,
	    "SELECT count(*) FROM assignments WHERE cadre_id = 'cb-0500' "
	    "AND unit = '06089'",
	    1);
	must_hold(b, COMMUNE_CADRE,
	    "SELECT count(*) FROM units WHERE code IN ('20', '179', '06089') "
	    "OR parent = '06089'",
	    3 + VILLAGES);
	/* The 1,989 commune cadres dealt round the 200 communes: 10 on
	 * 06089, 179 on the 18 communes of district 181. */
	must_hold(b, COMMUNE_CADRE,
	    "SELECT count(*) FROM cadres WHERE unit = '06089'", 10);
	/* cb-0003: district 181, its 18 communes and their villages. */
	must_hold(b, LEADER_CADRE,
	    "SELECT count(*) FROM units WHERE parent = '181'", 18);
	must_hold(b, LEADER_CADRE,
	    "SELECT count(*) FROM units v JOIN units c ON v.parent = c.code "
	    "WHERE c.parent = '181'",
	    18 * VILLAGES);
	must_hold(b, LEADER_CADRE,
	    "SELECT count(*) FROM cadres c JOIN units u ON u.code = c.unit "
	    "WHERE u.parent = '181'",
	    179);
}

int
main(int argc, char **argv)
{
	struct bench b = {0};
	char path[128], db[128], apub[160], copy[160], cmd[512];
	double commune, leader, full;
	FILE *f;

	if (argc != 3 || sodium_init() < 0) {
		bench_die("usage: bench_pull BUILD FRAGMENT");
	}
	signal(SIGPIPE, SIG_IGN);
	b.build = argv[1];
	snprintf(b.dir, sizeof(b.dir), "/tmp/coso-bench-pull-XXXXXX");
	if (mkdtemp(b.dir) == NULL) {
		bench_die("mkdtemp");
	}
	b.port = free_port();
	snprintf(b.url, sizeof(b.url), "tcp://127.0.0.1:%d", b.port);
	snprintf(b.admin, sizeof(b.admin), "%s/admin", b.dir);
	snprintf(b.pub, sizeof(b.pub), "%s/central.pub", b.dir);
	snprintf(apub, sizeof(apub), "%s/admin.pub", b.dir);
	snprintf(db, sizeof(db), "%s/central.db", b.dir);
	snprintf(copy, sizeof(copy), "%s/office-copy", b.dir);
	province_files(&b);
	prog(&b, apub, "coso", "--store", b.admin, "init", "--cadre", "admin",
	    "--name", "Ban Tổ chức", NULL);
	prog(&b, b.pub, "cosod", "central", "init", "--db", db, "--admin-key",
	    apub, "--origin", "bench.example/coso/pull", NULL);
	prog(&b, NULL, "coso", "--store", b.admin, "pin", "--central", b.url,
	    "--central-key", b.pub, NULL);
	/* The office's device before it signed anything: its first sync
	 * below pulls the whole province (its own chain among it). */
	snprintf(cmd, sizeof(cmd), "cp -a %s %s", b.admin, copy);
	if (system(cmd) != 0) {
		bench_die("%s", cmd);
	}
	snprintf(path, sizeof(path), "%s/units.csv", b.dir);
	prog(&b, NULL, "coso", "--store", b.admin, "admin", "units", "import",
	    path, NULL);
	snprintf(path, sizeof(path), "%s/cadres.csv", b.dir);
	prog(&b, NULL, "coso", "--store", b.admin, "admin", "cadre", "import",
	    path, NULL);
	snprintf(path, sizeof(path), "%s/assignments.csv", b.dir);
	prog(&b, NULL, "coso", "--store", b.admin, "admin", "assignment",
	    "import", path, NULL);
	snprintf(path, sizeof(path), "%s/token-%s", b.dir, COMMUNE_CADRE);
	prog(&b, path, "coso", "--store", b.admin, "admin", "token", "--cadre",
	    COMMUNE_CADRE, NULL);
	snprintf(path, sizeof(path), "%s/token-%s", b.dir, LEADER_CADRE);
	prog(&b, path, "coso", "--store", b.admin, "admin", "token", "--cadre",
	    LEADER_CADRE, NULL);
	start_central(&b);
	prog(&b, NULL, "coso", "--store", b.admin, "sync", NULL);
	commune = first_sync(&b, COMMUNE_CADRE);
	leader  = first_sync(&b, LEADER_CADRE);
	check_devices(&b);
	snprintf(path, sizeof(path), "%s/sync-office.json", b.dir);
	prog(&b, path, "coso", "--store", copy, "sync", "--json", NULL);
	full = bytes_received(path);
	kill(b.central, SIGTERM);
	waitpid(b.central, NULL, 0);
	if ((f = fopen(argv[2], "w")) == NULL) {
		bench_die("cannot write %s", argv[2]);
	}
	bench_metric(f, "first_sync_commune_bytes", commune, "bytes", full);
	bench_metric(f, "first_sync_leader_bytes", leader, "bytes", full);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", b.dir);
	return system(cmd) == 0 ? 0 : 2;
}
