/*
 * wirepush.c: speaks the wire protocol to a central directly, with a
 * device's key and outbox, to send what an honest `coso sync` never
 * sends: duplicated and reordered batches, forged change-sets,
 * oversized frames.  Prints one line per reply item:
 *   seq status reason expected_seq
 *
 *   wirepush STORE URL CENTRAL_PUB MODE [TOKEN CADRE]
 *     dup      every pending change-set twice in one PUSH, then again
 *     reverse  the pending change-sets in reverse order
 *     forge    the first pending change-set with one body byte changed
 *     big      one frame of 4 MiB (must be refused), then a STATUS
 *     negenroll  an ENROLL of TOKEN for CADRE whose header's sender key
 *              is negated (its sign bit flipped) after sealing, as a
 *              bit flip on the path would; prints what came back

 *     relay    RELAYS change-sets with the first pending one's body, each
 *              signed by a fresh key nobody registered, in one PUSH
 *     enroll   ENROLLS requests with tokens nobody issued; prints one
 *              line "enroll REFUSED ANSWERED"
 *     storm    STORM PUSHes of every pending change-set and STORM PULLs
 *              from the start, all in flight at once on one connection
 *              (a context each); prints "storm ANSWERED ACCEPTED
 *              DUPLICATE OTHER PULLED": replies that answer their
 *              request whole, the PUSH verdicts summed, and the PULL
 *              replies that carried items
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>
#include <nng/protocol/reqrep0/req.h>
#include <sodium.h>

#include <coso/client.h>
#include <coso/proto.h>

struct conn {
	nng_socket sock;
	struct coso_box *box;
	uint8_t pk[32];
};

struct items {
	size_t n;
	uint8_t *cs[COSO_WIRE_ITEMS_MAX];
	size_t len[COSO_WIRE_ITEMS_MAX];
	uint64_t seq[COSO_WIRE_ITEMS_MAX];
};

static void
die(const char *what, int e)
{
	fprintf(stderr, "wirepush: %s: %s\n", what, coso_strerror(e));
	exit(2);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f   = fopen(path, "rb");
	char *buf = calloc(1, 4096);

	if (f == NULL || buf == NULL) {
		die(path, COSO_EIO);
	}
	*len = fread(buf, 1, 4095, f);
	fclose(f);
	return buf;
}

static int
collect(uint64_t seq, const uint8_t *cs, size_t len, void *arg)
{
	struct items *it = arg;

	if (it->n < COSO_WIRE_ITEMS_MAX / 2) {
		it->cs[it->n] = malloc(len);
		memcpy(it->cs[it->n], cs, len);
		it->len[it->n] = len;
		it->seq[it->n] = seq;
		it->n++;
	}
	return 0;
}

/* m sealed into an nng message. */
static nng_msg *
sealed(struct conn *c, const struct coso_msg *m)
{
	uint8_t *body = NULL, *frame = NULL;
	size_t blen, flen;
	nng_msg *msg = NULL;
	int e;

	if ((e = coso_msg_encode(m, &body, &blen, COSO_WIRE_MAX_LIMIT))
	    || (e = coso_wire_seal(&frame, &flen, c->box, c->pk,
	            COSO_WIRE_REQUEST, body, blen))) {
		die("encode", e);
	}
	free(body);
	if (nng_msg_alloc(&msg, 0) != 0
	    || nng_msg_append(msg, frame, flen) != 0) {
		die("encode", COSO_ENOMEM);
	}
	free(frame);
	return msg;
}

/* Opens and decodes a reply (freed) into *rep. */
static void
opened(struct conn *c, nng_msg *msg, struct coso_msg **rep, uint8_t **plain)
{
	size_t plen;
	int e;

	e = coso_wire_open(plain, &plen, c->box, nng_msg_body(msg),
	    nng_msg_len(msg), COSO_WIRE_MAX_LIMIT);
	nng_msg_free(msg);
	if (e != COSO_OK || (e = coso_msg_decode(rep, *plain, plen))) {
		die("reply", e);
	}
}

/* Seals m, sends it, opens and decodes the reply into *rep. */
static int
exchange(struct conn *c, const struct coso_msg *m, struct coso_msg **rep,
    uint8_t **plain)
{
	nng_msg *msg = sealed(c, m);

	if (nng_sendmsg(c->sock, msg, 0) != 0) {
		nng_msg_free(msg);
		return -1;
	}
	if (nng_recvmsg(c->sock, &msg, 0) != 0) {
		return -1;
	}
	opened(c, msg, rep, plain);
	return 0;
}

static void
push(struct conn *c, struct items *it, const size_t *order, size_t n)
{
	struct coso_msg m    = {.type = COSO_MSG_PUSH, .request_id = 7};
	struct coso_msg *rep = NULL;
	uint8_t *plain       = NULL;
	size_t i;

	m.nitems = n;
	m.items  = calloc(n, sizeof(*m.items));
	for (i = 0; i < n; i++) {
		m.items[i].cs     = it->cs[order[i]];
		m.items[i].cs_len = it->len[order[i]];
	}
	if (exchange(c, &m, &rep, &plain) != 0) {
		die("push", COSO_EIO);
	}
	for (i = 0; i < rep->nitems; i++) {
		printf("%llu %u %u %llu\n",
		    (unsigned long long) it->seq[order[i]],
		    rep->items[i].status, rep->items[i].reason,
		    (unsigned long long) rep->items[i].expected_seq);
	}
	coso_msg_free(rep);
	free(plain);
	free(m.items);
}

#define RELAYS  100
#define ENROLLS 300

/* Unknown-author junk: what a relaying key could send without limit. */
static void
relay(struct conn *c, struct items *it)
{
	struct coso_changeset cs;
	struct coso_key *k = NULL;
	uint8_t zero[32]   = {0};
	size_t i, order[RELAYS];
	int e;

	if (it->n == 0
	    || (e = coso_changeset_peek(&cs, it->cs[0], it->len[0])) != 0) {
		die("relay: nothing pending", COSO_EINVAL);
	}
	for (i = 0; i < RELAYS; i++) {
		if ((e = coso_key_generate(&k)) != 0
		    || (e = coso_changeset_sign(&it->cs[it->n + i],
		            &it->len[it->n + i], k, 1, zero, cs.hlc, cs.body,
		            cs.body_len))
		        != 0) {
			die("relay", e);
		}
		coso_key_free(k);
		it->seq[it->n + i] = 1;
		order[i]           = it->n + i;
	}
	push(c, it, order, RELAYS);
	for (i = 0; i < RELAYS; i++) {
		free(it->cs[it->n + i]);
	}
}

/* ENROLL after ENROLL with tokens nobody issued. */
static void
enroll(struct conn *c)
{
	struct coso_msg m    = {.type = COSO_MSG_ENROLL, .request_id = 11};
	struct coso_msg *rep = NULL;
	uint8_t *plain       = NULL;
	unsigned i, refused = 0, answered = 0;

	snprintf(m.cadre_id, sizeof(m.cadre_id), "cb-none");
	for (i = 0; i < ENROLLS; i++) {
		randombytes_buf(m.token, sizeof(m.token));
		if (exchange(c, &m, &rep, &plain) != 0) {
			break;
		}
		answered++;
		refused += rep->type == COSO_MSG_ENROLL_REP && rep->code != 0;
		coso_msg_free(rep);
		free(plain);
		rep   = NULL;
		plain = NULL;
	}
	printf("enroll %u %u\n", refused, answered);
}

static void
big(struct conn *c)
{
	struct coso_msg m    = {.type = COSO_MSG_STATUS,
	       .request_id            = 9,
	       .device_ms             = coso_wall_ms()};
	struct coso_msg *rep = NULL;
	uint8_t *plain = NULL, *junk = calloc(1, 4u << 20);
	nng_msg *msg = NULL;

	nng_socket_set_ms(c->sock, NNG_OPT_RECVTIMEO, 3000);
	if (junk == NULL || nng_msg_alloc(&msg, 0) != 0
	    || nng_msg_append(msg, junk, 4u << 20) != 0) {
		die("big", COSO_ENOMEM);
	}
	free(junk);
	nng_sendmsg(c->sock, msg, 0);
	if (nng_recvmsg(c->sock, &msg, 0) == 0) {
		printf("big: answered\n");
		nng_msg_free(msg);
	} else {
		printf("big: no answer\n");
	}
	nng_socket_set_ms(c->sock, NNG_OPT_RECVTIMEO, 10000);
	if (exchange(c, &m, &rep, &plain) == 0
	    && rep->type == COSO_MSG_STATUS_REP) {
		printf("status after big: ok\n");
	} else {
		printf("status after big: FAILED\n");
	}
	coso_msg_free(rep);
	free(plain);
}

#define STORM 8

/* One request of a storm, on a context of its own. */
struct shot {
	struct conn *c;
	const struct items *it;
	int pull;
	pthread_barrier_t *go;
	int answered; /* the reply answers the request whole */
	size_t v[COSO_VERDICT_REFUSED + 1];
	size_t pulled; /* items in a PULL reply */
};

/* Sends msg on a context of its own and waits up to 60 s for the reply;
 * NULL if none came. */
static nng_msg *
ctx_call(struct conn *c, nng_msg *msg)
{
	nng_aio *aio = NULL;
	nng_ctx ctx;
	nng_msg *rep = NULL;

	if (nng_ctx_open(&ctx, c->sock) != 0
	    || nng_aio_alloc(&aio, NULL, NULL) != 0) {
		die("context", COSO_ENOMEM);
	}
	nng_ctx_set_ms(ctx, NNG_OPT_REQ_RESENDTIME, NNG_DURATION_INFINITE);
	nng_aio_set_timeout(aio, 60000);
	nng_aio_set_msg(aio, msg);
	nng_ctx_send(ctx, aio);
	nng_aio_wait(aio);
	if (nng_aio_result(aio) != 0) {
		nng_msg_free(msg);
	} else {
		nng_ctx_recv(ctx, aio);
		nng_aio_wait(aio);
		rep = nng_aio_result(aio) == 0 ? nng_aio_get_msg(aio) : NULL;
	}
	nng_aio_free(aio);
	nng_ctx_close(ctx);
	return rep;
}

static void *
shoot(void *arg)
{
	struct shot *s       = arg;
	struct coso_msg m    = {.type = COSO_MSG_PULL, .request_id = 13};
	struct coso_msg *rep = NULL;
	uint8_t *plain       = NULL;
	nng_msg *msg;
	size_t i;

	if (!s->pull) {
		m.type   = COSO_MSG_PUSH;
		m.nitems = s->it->n;
		m.items  = calloc(s->it->n + 1, sizeof(*m.items));
		for (i = 0; i < s->it->n; i++) {
			m.items[i].cs     = s->it->cs[i];
			m.items[i].cs_len = s->it->len[i];
		}
	}
	msg = sealed(s->c, &m);
	pthread_barrier_wait(s->go); /* every request sent at once */
	if ((msg = ctx_call(s->c, msg)) != NULL) {
		opened(s->c, msg, &rep, &plain);
		s->answered = s->pull ? rep->type == COSO_MSG_PULL_REP
		                      : rep->type == COSO_MSG_PUSH_REP
		        && rep->nitems == s->it->n;
		for (i = 0; i < rep->nitems && !s->pull; i++) {
			s->v[rep->items[i].status]++;
		}
		s->pulled = s->pull ? rep->nitems : 0;
	}
	coso_msg_free(rep);
	free(plain);
	free(m.items);
	return NULL;
}

static void
storm(struct conn *c, const struct items *it)
{
	struct shot shots[2 * STORM];
	pthread_t t[2 * STORM];
	pthread_barrier_t go;
	size_t i, answered = 0, pulled = 0, v[COSO_VERDICT_REFUSED + 1] = {0};

	pthread_barrier_init(&go, NULL, 2 * STORM);
	for (i = 0; i < 2 * STORM; i++) {
		memset(&shots[i], 0, sizeof(shots[i]));
		shots[i].c    = c;
		shots[i].it   = it;
		shots[i].pull = i % 2;
		shots[i].go   = &go;
		if (pthread_create(&t[i], NULL, shoot, &shots[i]) != 0) {
			die("thread", COSO_ENOMEM);
		}
	}
	for (i = 0; i < 2 * STORM; i++) {
		pthread_join(t[i], NULL);
		answered += shots[i].answered != 0;
		pulled += shots[i].pulled > 0;
		for (size_t k = 0; k <= COSO_VERDICT_REFUSED; k++) {
			v[k] += shots[i].v[k];
		}
	}
	pthread_barrier_destroy(&go);
	printf("storm %zu %zu %zu %zu %zu\n", answered,
	    v[COSO_VERDICT_ACCEPTED], v[COSO_VERDICT_DUPLICATE],
	    v[0] + v[COSO_VERDICT_QUARANTINED] + v[COSO_VERDICT_GAP]
	        + v[COSO_VERDICT_REFUSED],
	    pulled);
}

/* An ENROLL sealed by the device, then its sender negated: -P has P's
 * X25519 form, and must not open (FORMAT.md, "Box key"). */
static void
negenroll(struct conn *c, const char *token_hex, const char *cadre)
{
	struct coso_msg m    = {.type = COSO_MSG_ENROLL, .request_id = 11};
	struct coso_msg *rep = NULL;
	uint8_t *body = NULL, *frame = NULL, *plain = NULL;
	size_t blen, flen, plen, n = 0;
	nng_msg *msg = NULL;
	int e;

	if (sodium_hex2bin(
	        m.token, 32, token_hex, strlen(token_hex), NULL, &n, NULL)
	        != 0
	    || n != 32 || strlen(cadre) > COSO_WIRE_STR_MAX) {
		die("token", COSO_EINVAL);
	}
	memcpy(m.cadre_id, cadre, strlen(cadre) + 1);
	if ((e = coso_msg_encode(&m, &body, &blen, COSO_WIRE_MAX_LIMIT))
	    || (e = coso_wire_seal(&frame, &flen, c->box, c->pk,
	            COSO_WIRE_REQUEST, body, blen))) {
		die("encode", e);
	}
	frame[2 + 31] ^= 0x80;
	nng_socket_set_ms(c->sock, NNG_OPT_RECVTIMEO, 3000);
	if (nng_msg_alloc(&msg, 0) != 0 || nng_msg_append(msg, frame, flen)
	    || nng_sendmsg(c->sock, msg, 0) != 0) {
		die("send", COSO_EIO);
	}
	msg = NULL; /* nng's now */
	if (nng_recvmsg(c->sock, &msg, 0) != 0) {
		msg = NULL;
		printf("negenroll: no answer\n");
	} else if (coso_wire_open(&plain, &plen, c->box, nng_msg_body(msg),
	               nng_msg_len(msg), COSO_WIRE_MAX_LIMIT)
	        != COSO_OK
	    || coso_msg_decode(&rep, plain, plen) != COSO_OK) {
		printf("negenroll: an answer that does not open\n");
	} else {
		printf("negenroll: code %u\n", rep->code);
	}
	if (msg != NULL) {
		nng_msg_free(msg);
	}
	coso_msg_free(rep);
	free(plain);
	free(frame);
	free(body);
}

int
main(int argc, char **argv)
{
	char err[COSO_ERRMSG_MAX], path[512], *text;
	struct coso_store *s = NULL;
	struct coso_key *key = NULL;
	struct items it      = {0};
	struct conn c;
	uint8_t cpk[32];
	size_t len, i, order[COSO_WIRE_ITEMS_MAX];
	int e;

	if ((argc != 5 && argc != 7) || sodium_init() < 0) {
		fprintf(stderr,
		    "usage: wirepush STORE URL CENTRAL_PUB MODE [TOKEN "
		    "CADRE]\n");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/device.key", argv[1]);
	text = slurp(path, &len);
	if ((e = coso_seckey_parse(&key, text, len, NULL, 0)) != 0) {
		die("device key", e);
	}
	text = slurp(argv[3], &len);
	if ((e = coso_pubkey_parse(cpk, text, len)) != 0) {
		die("central key", e);
	}
	coso_key_public(key, c.pk);
	if ((e = coso_box_new(&c.box, key, cpk)) != 0
	    || (e = coso_store_open(&s, argv[1], NULL, 0, err)) != 0
	    || (e = coso_outbox_pending(
	            s, 0, COSO_WIRE_ITEMS_MAX / 2, collect, &it))) {
		die("setup", e);
	}
	if (nng_req0_open(&c.sock) != 0
	    || nng_socket_set_ms(c.sock, NNG_OPT_RECVTIMEO, 10000) != 0
	    || nng_socket_set_ms(
	        c.sock, NNG_OPT_REQ_RESENDTIME, NNG_DURATION_INFINITE)
	    || nng_dial(c.sock, argv[2], NULL, 0) != 0) {
		die("connect", COSO_EIO);
	}
	if (strcmp(argv[4], "dup") == 0) {
		for (i = 0; i < 2 * it.n; i++) {
			order[i] = i / 2;
		}
		push(&c, &it, order, 2 * it.n);
		push(&c, &it, order, 2 * it.n);
	} else if (strcmp(argv[4], "reverse") == 0) {
		for (i = 0; i < it.n; i++) {
			order[i] = it.n - 1 - i;
		}
		push(&c, &it, order, it.n);
	} else if (strcmp(argv[4], "forge") == 0 && it.n > 0) {
		it.cs[0][COSO_CS_HEADER_BYTES + 3] ^= 0x01;
		order[0] = 0;
		push(&c, &it, order, 1);
	} else if (strcmp(argv[4], "big") == 0) {
		big(&c);
	} else if (strcmp(argv[4], "negenroll") == 0 && argc == 7) {
		negenroll(&c, argv[5], argv[6]);

	} else if (strcmp(argv[4], "relay") == 0) {
		relay(&c, &it);
	} else if (strcmp(argv[4], "enroll") == 0) {
		enroll(&c);
	} else if (strcmp(argv[4], "storm") == 0) {
		storm(&c, &it);
	} else {
		return 1;
	}
	nng_close(c.sock);
	coso_store_close(s);
	coso_box_free(c.box);
	coso_key_free(key);
	return 0;
}
