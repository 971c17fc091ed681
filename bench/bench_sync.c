/*
 * bench_sync.c: the central's ingest, the wire cost of a visit, the
 * central's memory with many devices, and the time to drain a device's
 * backlog, with baselines measured in the same run.
 *
 *   bench_sync BUILD FRAGMENT [ingest]
 *
 * With `ingest', only the first two metrics are measured.
 *
 * Metrics:
 *   ingest_changesets_rate  single-visit change-sets/s accepted (durable,
 *                           verified) from DEVICES concurrent devices over
 *                           tcp loopback, change-sets signed beforehand;
 *                           baseline: raw Ed25519 verify rate on every
 *                           core at once.
 *   ingest_records_rate     rows materialised/s (visit + proposal);
 *                           baseline: raw SQLite durable insert rate.
 *   wire_bytes_per_visit    every byte both ways (frames, nng's framing)
 *                           over a push of 1,000 distinct standard visits;
 *                           baseline: the visits' signed change-sets alone.
 *   central_rss_1000        central peak RSS in MiB with 1,000 enrolled
 *                           devices connected, each over its own
 *                           connection; baseline: the idle central.
 *   drain_1000_seconds      from the central becoming reachable to a
 *                           device's 1,000 pending visits acknowledged
 *                           (`coso sync`); baseline: 1,000 raw durable
 *                           inserts.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <signal.h>
#include <stdint.h>

#include <nng/nng.h>
#include <nng/protocol/reqrep0/req.h>
#include <sodium.h>
#include <sqlite3.h>

#include <coso/client.h>
#include <coso/proto.h>

#include "bench_common.h"

#define DEVICES      100
#define PER_DEVICE   100
#define BATCH        25
#define WIRE_VISITS  1000
#define IDLE_DEVICES 1000

struct bench {
	const char *build;
	char dir[64], url[64], central_pub[160], admin[160];
	uint8_t cpk[32];
	pid_t central;
};

/* One simulated device. */
struct device {
	struct bench *b;
	struct coso_key *key;
	uint8_t pk[32];
	struct coso_box *box;
	nng_socket sock;
	uint8_t *cs[PER_DEVICE > WIRE_VISITS ? PER_DEVICE : WIRE_VISITS];
	size_t len[PER_DEVICE > WIRE_VISITS ? PER_DEVICE : WIRE_VISITS];
	size_t ncs;
	uint64_t bytes; /* on the wire, both ways */
	size_t accepted;
};

static const char *const places[] = {"Thôn 1", "Thôn 2", "Bản Piềng", "Nà Pò",
    "Khòn Coọng", "Bản Nầng", "Pác Luống", "Nà Phường"};
static const char *const things[]
    = {"đường bê tông", "kênh mương", "nhà văn hoá", "vườn cam",
        "trường mầm non", "cầu treo", "trạm y tế", "rừng keo"};
static const char *const troubles[]
    = {"thiếu xi măng", "mưa lũ kéo dài", "thiếu vốn đối ứng",
        "đường trơn lầy", "thiếu nhân công", "giá vật tư tăng"};

static uint32_t
pick(uint32_t n)
{
	return randombytes_uniform(n);
}

#define PICK(a) (a[pick(sizeof(a) / sizeof(a[0]))])

/* Appends varied Vietnamese phrases to buf until it holds chars code
 * points, then cuts it there (at a code point boundary). */
static void
fill(char *buf, size_t cap, size_t chars, const char *start)
{
	size_t n = 0, i;

	snprintf(buf, cap, "%s", start);
	while (strlen(buf) + 160 < cap) {
		size_t len = strlen(buf);
		snprintf(buf + len, cap - len, " %s %s %u hộ, %s %u m;",
		    PICK(places), PICK(things), 3 + pick(97), PICK(troubles),
		    10 + pick(990));
		for (n = 0, i = 0; buf[i] != 0; i++) {
			n += ((unsigned char) buf[i] & 0xc0) != 0x80;
		}
		if (n >= chars) {
			break;
		}
	}
	for (n = 0, i = 0; buf[i] != 0; i++) {
		if (((unsigned char) buf[i] & 0xc0) != 0x80 && n++ == chars) {
			break;
		}
	}
	buf[i] = 0;
}

/* A standard visit: unit, date, 40-char purpose, 150-char situation,
 * 80-char difficulty, 60-char proposal, as one signed change-set. */
static void
standard_visit(struct device *d, uint64_t seq, uint8_t prev[32])
{
	char purpose[512], situation[1024], diff[512], prop[512];
	struct coso_body *bd = NULL;
	uint8_t visit[16], row[16], *body = NULL;
	uint64_t now = coso_wall_ms();
	size_t blen;
	int e;

	fill(purpose, sizeof(purpose), 40, "Kiểm tra");
	fill(situation, sizeof(situation), 150, "Tình hình:");
	fill(diff, sizeof(diff), 80, "Khó khăn:");
	fill(prop, sizeof(prop), 60, "Đề nghị hỗ trợ");
	coso_uuid7(visit, now);
	coso_uuid7(row, now);
	if ((e = coso_body_new(&bd))
	    || (e = coso_body_op(bd, COSO_T_VISIT, visit, COSO_UPSERT))
	    || (e = coso_body_text(bd, COSO_F_VISIT_UNIT, "06043", 5))
	    || (e = coso_body_int(
	            bd, COSO_F_VISIT_DATE, 20251100 + 1 + (int) pick(27)))
	    || (e = coso_body_text(
	            bd, COSO_F_VISIT_PURPOSE, purpose, strlen(purpose)))
	    || (e = coso_body_text(
	            bd, COSO_F_VISIT_SITUATION, situation, strlen(situation)))
	    || (e = coso_body_text(
	            bd, COSO_F_VISIT_DIFFICULTIES, diff, strlen(diff)))
	    || (e = coso_body_op(bd, COSO_T_PROPOSAL, row, COSO_UPSERT))
	    || (e = coso_body_bytes(bd, COSO_F_PROPOSAL_SOURCE, visit, 16))
	    || (e = coso_body_text(bd, COSO_F_PROPOSAL_UNIT, "06043", 5))
	    || (e
	        = coso_body_text(bd, COSO_F_PROPOSAL_TEXT, prop, strlen(prop)))
	    || (e = coso_body_int(bd, COSO_F_PROPOSAL_DATE, 20251120))
	    || (e = coso_body_encode(bd, &body, &blen))
	    || (e = coso_changeset_sign(&d->cs[d->ncs], &d->len[d->ncs],
	            d->key, seq, prev, (now << 16) | seq, body, blen))) {
		bench_die("cannot build a visit: %s", coso_strerror(e));
	}
	coso_changeset_id(prev, d->cs[d->ncs], d->len[d->ncs]);
	d->ncs++;
	free(body);
	coso_body_free(bd);
}

/* Sends m sealed and returns the decoded reply; counts wire bytes.
 * nng's TCP transport adds an 8-byte length and REQ a 4-byte id. */
static struct coso_msg *
exchange(struct device *d, const struct coso_msg *m, uint8_t **plain)
{
	uint8_t *body = NULL, *frame = NULL;
	struct coso_msg *rep = NULL;
	size_t blen, flen, plen;
	nng_msg *msg = NULL;
	int e;

	if ((e = coso_msg_encode(m, &body, &blen, COSO_WIRE_MAX_DEFAULT))
	    || (e = coso_wire_seal(&frame, &flen, d->box, d->pk,
	            COSO_WIRE_REQUEST, body, blen))) {
		bench_die("encode: %s", coso_strerror(e));
	}
	free(body);
	if (nng_msg_alloc(&msg, 0) || nng_msg_append(msg, frame, flen)
	    || nng_sendmsg(d->sock, msg, 0) || nng_recvmsg(d->sock, &msg, 0)) {
		bench_die("the central did not answer");
	}
	d->bytes += flen + 12 + nng_msg_len(msg) + 12;
	free(frame);
	if ((e = coso_wire_open(plain, &plen, d->box, nng_msg_body(msg),
	         nng_msg_len(msg), COSO_WIRE_MAX_LIMIT))
	    || (e = coso_msg_decode(&rep, *plain, plen))) {
		bench_die("reply: %s", coso_strerror(e));
	}
	nng_msg_free(msg);
	return rep;
}

static void
device_open(struct device *d, struct bench *b)
{
	int e;

	memset(d, 0, sizeof(*d));
	d->b = b;
	if ((e = coso_key_generate(&d->key)) != 0) {
		bench_die("key: %s", coso_strerror(e));
	}
	coso_key_public(d->key, d->pk);
	if ((e = coso_box_new(&d->box, d->key, b->cpk)) != 0) {
		bench_die("box: %s", coso_strerror(e));
	}
	if (nng_req0_open(&d->sock) != 0
	    || nng_socket_set_ms(d->sock, NNG_OPT_RECVTIMEO, 120000) != 0
	    || nng_socket_set_ms(
	           d->sock, NNG_OPT_REQ_RESENDTIME, NNG_DURATION_INFINITE)
	        != 0
	    || nng_socket_set_size(
	           d->sock, NNG_OPT_RECVMAXSZ, COSO_WIRE_MAX_LIMIT)
	        != 0
	    || nng_dial(d->sock, b->url, NULL, 0) != 0) {
		bench_die("cannot connect to %s", b->url);
	}
}

static void
device_close(struct device *d)
{
	size_t i;

	nng_close(d->sock);
	coso_box_free(d->box);
	coso_key_free(d->key);
	for (i = 0; i < d->ncs; i++) {
		free(d->cs[i]);
	}
}

static void
enroll(struct device *d, const char *cadre, const char *token_hex)
{
	struct coso_msg m = {.type = COSO_MSG_ENROLL, .request_id = 1};
	struct coso_msg *rep;
	uint8_t *plain = NULL;

	if (sodium_hex2bin(
	        m.token, 32, token_hex, strlen(token_hex), "\n", NULL, NULL)
	    != 0) {
		bench_die("bad token for %s", cadre);
	}
	snprintf(m.cadre_id, sizeof(m.cadre_id), "%s", cadre);
	rep = exchange(d, &m, &plain);
	if (rep->type != COSO_MSG_ENROLL_REP || rep->code != 0) {
		bench_die("enrollment of %s refused: %s", cadre, rep->text);
	}
	coso_msg_free(rep);
	free(plain);
}

/* A STATUS exchange: once the device's key is registered, its connection
 * is no longer anonymous, and is not ended after ANON_MS idle (10 s;
 * daemon/central/conns.h) while the other devices enroll. */
static void
status(struct device *d)
{
	struct coso_msg m = {.type = COSO_MSG_STATUS, .request_id = 3};
	uint8_t *plain    = NULL;

	coso_msg_free(exchange(d, &m, &plain));
	free(plain);
}

/* Pushes the device's change-sets in batches of at most batch. */
static void
push_all(struct device *d, size_t batch)
{
	struct coso_msg_item items[COSO_WIRE_ITEMS_MAX];
	struct coso_msg m = {.type = COSO_MSG_PUSH};
	struct coso_msg *rep;
	uint8_t *plain;
	size_t i, k;

	for (i = 0; i < d->ncs; i += k) {
		memset(items, 0, sizeof(items[0]) * batch);
		for (k = 0; k < batch && i + k < d->ncs; k++) {
			items[k].cs     = d->cs[i + k];
			items[k].cs_len = d->len[i + k];
		}
		m.request_id = i + 2;
		m.nitems     = k;
		m.items      = items;
		plain        = NULL;
		rep          = exchange(d, &m, &plain);
		for (size_t j = 0; j < rep->nitems; j++) {
			d->accepted
			    += rep->items[j].status == COSO_VERDICT_ACCEPTED;
		}
		coso_msg_free(rep);
		free(plain);
	}
}

static void *
device_thread(void *arg)
{
	push_all(arg, BATCH);
	return NULL;
}

/* A loopback port nothing listens on now. */
static int
free_port(void)
{
	struct sockaddr_in a;
	int fd, port = 0;

	while (port == 0) {
		port = 20000 + (int) pick(40000);
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

/* Peak resident memory of a process in MiB (VmHWM). */
static double
peak_rss_mib(pid_t pid)
{
	char path[64], line[256];
	double kb = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int) pid);
	if ((f = fopen(path, "r")) == NULL) {
		return 0;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "VmHWM:", 6) == 0) {
			kb = atof(line + 6);
		}
	}
	fclose(f);
	return kb / 1024.0;
}

/* One core's share of the verify baseline. */
struct verifier {
	const uint8_t *pk, *sig, *msg;
	size_t len;
	int n;
};

static void *
verify_loop(void *arg)
{
	const struct verifier *v = arg;
	int i;

	for (i = 0; i < v->n; i++) {
		if (crypto_sign_verify_detached(v->sig, v->msg, v->len, v->pk)
		    != 0) {
			bench_die("verify");
		}
	}
	return NULL;
}

/* Raw Ed25519 verifications/s on every core at once (the central
 * verifies on every core): one thread per core, 10,000 each. */
static double
verify_rate(void)
{
	struct coso_key *k = NULL;
	uint8_t pk[32], sig[64], msg[600];
	struct verifier v = {pk, sig, msg, sizeof(msg), 10000};
	long cores        = sysconf(_SC_NPROCESSORS_ONLN);
	pthread_t th[64];
	double t0;
	int i, n = cores < 1 ? 1 : cores > 64 ? 64 : (int) cores;

	if (coso_key_generate(&k) != 0) {
		bench_die("key");
	}
	coso_key_public(k, pk);
	randombytes_buf(msg, sizeof(msg));
	coso_key_sign(k, sig, msg, sizeof(msg));
	t0 = bench_now();
	for (i = 0; i < n; i++) {
		pthread_create(&th[i], NULL, verify_loop, &v);
	}
	for (i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
	}
	coso_key_free(k);
	return (double) n * v.n / (bench_now() - t0);
}

/* Runs build/PROG with the given arguments (NULL-terminated). */
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

static void
start_central(struct bench *b)
{
	char path[256], db[128];
	char *argv[]
	    = {path, "central", "run", "--db", db, "--listen", b->url, NULL};
	nng_socket s;
	int i;

	snprintf(path, sizeof(path), "%s/cosod", b->build);
	snprintf(db, sizeof(db), "%s/central.db", b->dir);
	b->central = bench_spawn(argv, NULL);
	/* Reachable: a blocking dial succeeds. */
	for (i = 0; i < 200; i++) {
		if (nng_req0_open(&s) == 0
		    && nng_dial(s, b->url, NULL, 0) == 0) {
			nng_close(s);
			return;
		}
		nng_close(s);
		bench_sleep_ms(20);
	}
	bench_die("the central did not come up");
}

static void
stop_central(struct bench *b)
{
	kill(b->central, SIGTERM);
	waitpid(b->central, NULL, 0);
}

/* The province: admin, central, units, DEVICES + 1 cadres with tokens. */
static void
setup(struct bench *b)
{
	char units[128], db[128], id[32], tok[128];
	FILE *f;
	int i;

	snprintf(b->admin, sizeof(b->admin), "%s/admin", b->dir);
	snprintf(units, sizeof(units), "%s/units.csv", b->dir);
	snprintf(db, sizeof(db), "%s/central.db", b->dir);
	snprintf(
	    b->central_pub, sizeof(b->central_pub), "%s/central.pub", b->dir);
	if ((f = fopen(units, "w")) == NULL) {
		bench_die("units");
	}
	fputs("code,name,level,parent_code,valid_from\n"
	      "20,Tỉnh Lạng Sơn,province,,2020-01-01\n"
	      "06043,Xã Đào Viên,commune,20,2020-01-01\n",
	    f);
	fclose(f);
	char apub[160];
	snprintf(apub, sizeof(apub), "%s/admin.pub", b->dir);
	prog(b, apub, "coso", "--store", b->admin, "init", "--cadre", "admin",
	    "--name", "Ban Tổ chức", NULL);
	prog(b, b->central_pub, "cosod", "central", "init", "--db", db,
	    "--admin-key", apub, "--origin", "bench.example/coso/sync", NULL);
	prog(b, NULL, "coso", "--store", b->admin, "pin", "--central", b->url,
	    "--central-key", b->central_pub, NULL);
	prog(b, NULL, "coso", "--store", b->admin, "admin", "units", "import",
	    units, NULL);
	for (i = 0; i <= DEVICES + 1; i++) {
		snprintf(id, sizeof(id), "cb-%03d", i);
		snprintf(tok, sizeof(tok), "%s/token-%03d", b->dir, i);
		prog(b, NULL, "coso", "--store", b->admin, "admin", "cadre",
		    "add", "--id", id, "--name", "Cán bộ", NULL);
		prog(b, tok, "coso", "--store", b->admin, "admin", "token",
		    "--cadre", id, NULL);
		prog(b, NULL, "coso", "--store", b->admin, "admin", "assign",
		    "--cadre", id, "--unit", "06043", "--role", "support",
		    "--from", "2025-01-01", NULL);
	}
}

static void
read_token(struct bench *b, int i, char out[80])
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/token-%03d", b->dir, i);
	if ((f = fopen(path, "r")) == NULL || fgets(out, 80, f) == NULL) {
		bench_die("no token %d", i);
	}
	fclose(f);
}

static double
ingest(struct bench *b, double *records_rate)
{
	struct device *d = calloc(DEVICES, sizeof(*d));
	pthread_t th[DEVICES];
	char tok[80], id[32];
	size_t total = 0;
	double t0;
	int i, k;

	for (i = 0; i < DEVICES; i++) {
		uint8_t prev[32] = {0};
		device_open(&d[i], b);
		read_token(b, i, tok);
		snprintf(id, sizeof(id), "cb-%03d", i);
		enroll(&d[i], id, tok);
		status(&d[i]);
		for (k = 0; k < PER_DEVICE; k++) {
			standard_visit(&d[i], (uint64_t) k + 1, prev);
		}
	}
	t0 = bench_now();
	for (i = 0; i < DEVICES; i++) {
		pthread_create(&th[i], NULL, device_thread, &d[i]);
	}
	for (i = 0; i < DEVICES; i++) {
		pthread_join(th[i], NULL);
		total += d[i].accepted;
	}
	t0 = bench_now() - t0;
	if (total != (size_t) DEVICES * PER_DEVICE) {
		bench_die(
		    "ingest: %zu of %d accepted", total, DEVICES * PER_DEVICE);
	}
	for (i = 0; i < DEVICES; i++) {
		device_close(&d[i]);
	}
	free(d);
	*records_rate = 2.0 * (double) total / t0;
	return (double) total / t0;
}

/* Wire bytes per visit over a push of WIRE_VISITS; *signed_bytes gets
 * the change-sets' own size per visit. */
static double
wire_cost(struct bench *b, double *signed_bytes)
{
	struct device *d = calloc(1, sizeof(*d));
	uint8_t prev[32] = {0};
	char tok[80];
	size_t i, sum = 0;
	double per;

	device_open(d, b);
	read_token(b, DEVICES, tok);
	enroll(d, "cb-100", tok);
	for (i = 0; i < WIRE_VISITS; i++) {
		standard_visit(d, i + 1, prev);
		sum += d->len[i];
	}
	d->bytes = 0;
	push_all(d, 200);
	if (d->accepted != WIRE_VISITS) {
		bench_die(
		    "wire: %zu of %d accepted", d->accepted, WIRE_VISITS);
	}
	per           = (double) d->bytes / WIRE_VISITS;
	*signed_bytes = (double) sum / WIRE_VISITS;
	device_close(d);
	free(d);
	return per;
}

/* Open files of process pid (its connections among them). */
static int
open_files(pid_t pid)
{
	char path[64];
	struct dirent *e;
	DIR *dir;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int) pid);
	if ((dir = opendir(path)) == NULL) {
		return -1;
	}
	while ((e = readdir(dir)) != NULL) {
		n += e->d_name[0] != '.';
	}
	closedir(dir);
	return n;
}

/* IDLE_DEVICES more cadres, each with an enrollment token (in tok, 65
 * bytes each), signed by the admin's store in this process and synced. */
static void
many_tokens(struct bench *b, char (*tok)[65])
{
	char err[COSO_ERRMSG_MAX], id[32];
	struct coso_store *s = NULL;
	int i;

	if (coso_store_open(&s, b->admin, NULL, 0, err) != 0) {
		bench_die("%s", err);
	}
	for (i = 0; i < IDLE_DEVICES; i++) {
		struct coso_cadre_in c = {.cadre_id = id, .name = "Cán bộ"};

		snprintf(id, sizeof(id), "cm-%04d", i);
		if (coso_admin_cadre_add(s, &c) != 0
		    || coso_admin_token(s, id, 30, tok[i]) != 0) {
			bench_die("%s", coso_store_errmsg(s));
		}
	}
	coso_store_close(s);
	prog(b, NULL, "coso", "--store", b->admin, "sync", NULL);
}

/* Peak RSS with IDLE_DEVICES enrolled devices connected, each having
 * enrolled and asked STATUS over its own connection (the central ends
 * connections of keys it does not know beyond a few dozen: conns.h);
 * *idle: the same central just started. */
static double
many_devices(struct bench *b, double *idle)
{
	struct device *d = calloc(IDLE_DEVICES, sizeof(*d));
	char(*tok)[65]   = calloc(IDLE_DEVICES, 65);
	char id[32];
	double peak;
	int i;

	if (d == NULL || tok == NULL) {
		bench_die("out of memory");
	}
	many_tokens(b, tok);
	stop_central(b);
	start_central(b);
	bench_sleep_ms(200);
	*idle = peak_rss_mib(b->central);
	for (i = 0; i < IDLE_DEVICES; i++) {
		device_open(&d[i], b);
		snprintf(id, sizeof(id), "cm-%04d", i);
		enroll(&d[i], id, tok[i]);
		status(&d[i]);
	}
	peak = peak_rss_mib(b->central);
	/* Every device still connected: none was ended to make room. */
	if (open_files(b->central) < IDLE_DEVICES) {
		bench_die("the central holds %d files, not %d connections",
		    open_files(b->central), IDLE_DEVICES);
	}
	for (i = 0; i < IDLE_DEVICES; i++) {
		device_close(&d[i]);
	}
	free(tok);
	free(d);
	return peak;
}

/* Seconds from the central becoming reachable to a device's 1,000
 * pending visits acknowledged by `coso sync`. */
static double
drain(struct bench *b)
{
	char store[128], tok[80], units[128], err[COSO_ERRMSG_MAX];
	struct coso_visit_in v = {.unit = "06043", .date = 20251120};
	struct coso_store *s   = NULL;
	struct coso_status st;
	char purpose[512];
	uint8_t id[16];
	double t0;
	int i;

	snprintf(store, sizeof(store), "%s/drain", b->dir);
	snprintf(units, sizeof(units), "%s/units.csv", b->dir);
	read_token(b, DEVICES + 1, tok);
	tok[strcspn(tok, "\n")] = 0;
	prog(b, NULL, "coso", "--store", store, "init", "--cadre", "cb-101",
	    "--name", "Cán bộ", "--central", b->url, "--central-key",
	    b->central_pub, NULL);
	prog(
	    b, NULL, "coso", "--store", store, "units", "import", units, NULL);
	prog(b, NULL, "coso", "--store", store, "enroll", tok, NULL);
	stop_central(b);
	if (coso_store_open(&s, store, NULL, 0, err) != 0) {
		bench_die("%s", err);
	}
	for (i = 0; i < 1000; i++) {
		fill(purpose, sizeof(purpose), 40, "Kiểm tra");
		v.purpose = purpose;
		if (coso_visit_add(s, &v, id) != 0) {
			bench_die("%s", coso_store_errmsg(s));
		}
	}
	start_central(b);
	t0 = bench_now();
	prog(b, NULL, "coso", "--store", store, "sync", NULL);
	t0 = bench_now() - t0;
	if (coso_status_get(s, &st) != 0 || st.pending != 0) {
		bench_die("drain: %llu still pending",
		    (unsigned long long) st.pending);
	}
	coso_store_close(s);
	return t0;
}

int
main(int argc, char **argv)
{
	struct bench b = {0};
	double verify, raw, rate, rec, wire = 0, signed_b = 0, peak = 0,
	                               idle = 0, secs = 0;
	int only_ingest;
	char *text = NULL, cmd[128];
	size_t len;
	FILE *f;

	if (argc < 3 || argc > 4
	    || (argc == 4 && strcmp(argv[3], "ingest") != 0)
	    || sodium_init() < 0) {
		bench_die("usage: bench_sync BUILD FRAGMENT [ingest]");
	}
	only_ingest = argc == 4;
	signal(SIGPIPE, SIG_IGN);
	b.build = argv[1];
	snprintf(b.dir, sizeof(b.dir), "/tmp/coso-bench-sync-XXXXXX");
	if (mkdtemp(b.dir) == NULL) {
		bench_die("mkdtemp");
	}
	snprintf(b.url, sizeof(b.url), "tcp://127.0.0.1:%d", free_port());
	verify = verify_rate();
	raw    = bench_raw_durable_rate(b.dir, 2000);
	setup(&b);
	if ((f = fopen(b.central_pub, "r")) == NULL) {
		bench_die("central key");
	}
	text = calloc(1, 256);
	len  = fread(text, 1, 255, f);
	fclose(f);
	if (coso_pubkey_parse(b.cpk, text, len) != 0) {
		bench_die("central key");
	}
	free(text);
	start_central(&b);
	prog(&b, NULL, "coso", "--store", b.admin, "sync", NULL);
	rate = ingest(&b, &rec);
	if (!only_ingest) {
		wire = wire_cost(&b, &signed_b);
		peak = many_devices(&b, &idle);
		secs = drain(&b);
	}
	stop_central(&b);
	if ((f = fopen(argv[2], "w")) == NULL) {
		bench_die("cannot write %s", argv[2]);
	}
	bench_metric(
	    f, "ingest_changesets_rate", rate, "changesets/s", verify);
	bench_metric(f, "ingest_records_rate", rec, "records/s", raw);
	if (only_ingest) {
		fclose(f);
		goto out;
	}
	bench_metric(f, "wire_bytes_per_visit", wire, "bytes", signed_b);
	bench_metric(f, "central_rss_1000", peak, "MiB", idle);
	bench_metric(f, "drain_1000_seconds", secs, "s", 1000.0 / raw);
	fclose(f);
out:
	snprintf(cmd, sizeof(cmd), "rm -rf %s", b.dir);
	return system(cmd) == 0 ? 0 : 2;
}
