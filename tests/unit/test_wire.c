/*
 * test_wire.c: frames, messages and receipts (proto/wire.c, receipt.c;
 * FORMAT.md "Wire" and "Receipts").
 *
 * Expected message bytes are written out by hand from the format tables,
 * not produced by the encoder.  The bound box key is recomputed here with
 * libsodium alone, and the golden receipt's signature was made with
 * OpenSSL's Ed25519 (FORMAT.md, "Receipts"), not by coso.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include <coso/proto.h>

#define RID    UINT64_C(0x0102030405060708)
#define MS     UINT64_C(1764201600123)
#define CADRE  "cb-Đào-Viên"
#define NTYPES 9

static const char rfc1_seed_hex[]
    = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
static const char rfc2_seed_hex[]
    = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb";

/* The box between those two keys (FORMAT.md, "Box key"), computed with
 * Python's hashlib and cryptography and a HSalsa20 of its own, not with
 * libsodium: crypto_box_beforenm's key, and the key bound to both. */
static const char golden_x_hex[]
    = "c638ff46e22f012b34fd2768c6a9a7e30955fd3677d19f45ce97873f5cf2598f";
static const char golden_box_hex[]
    = "27f32438f412f996f478ee534119c68060e834c93837c750ffb28bcf61c03ae2";

/* Hex of each example message (see example()), by type 1 … 9. */
#define H_RID   "0102030405060708"
#define H_CADRE "000e63622dc490c3a06f2d5669c3aa6e"
static const char *const golden_hex[NTYPES + 1] = {
    [COSO_MSG_STATUS] = "030101" H_RID "0000019ac29ab4eb019ac29ab4eb0007",
    [COSO_MSG_STATUS_REP]
    = "030202" H_RID "0000019ac29c147b01000000000000002a00100000" H_CADRE,
    [COSO_MSG_ENROLL]
    = "030103" H_RID "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9"
      "babbbcbdbebf" H_CADRE,
    [COSO_MSG_ENROLL_REP] = "030204" H_RID "0000004200026f6b",
    [COSO_MSG_PUSH]       = "030105" H_RID "000100000003616263",
    [COSO_MSG_PUSH_REP]
    = "030206" H_RID "00000002636b"
      "0002"
      "0100000000000000000002"
      "1111111111111111111111111111111111111111111111111111"
      "111111111111"
      "00000000"
      "00"
      "03003c0000000000000005"
      "2222222222222222222222222222222222222222222222222222"
      "222222222222"
      "000000027272"
      "01"
      "3333333333333333333333333333333333333333333333333333"
      "333333333333",
    [COSO_MSG_PULL] = "030107" H_RID "000000000000006400010000",
    [COSO_MSG_PULL_REP]
    = "030208" H_RID "000000000000006501"
      "0001"
      "4444444444444444444444444444444444444444444444444444"
      "444444444444"
      "0001"
      "0000000000000009"
      "03003d" H_CADRE "00000003616263",
    [COSO_MSG_ERROR] = "030209" H_RID "00000045000462757379",
};

/* RFC 8032 test 1 seed; fields as in FORMAT.md; signature by OpenSSL. */
static const char golden_receipt_hex[]
    = "01b82ff8085fea3b18d8b3bd99e81cb471eddbc91731456824b9e6530bcbae93a1"
      "00000000000000070000019ac29c147b01"
      "88e20be55ccbe30edda7fc6c6bda8ad89aa2bf6f75cce31c7576e21ff89dcf2e"
      "ae47d622e875478998c4cde9bdc5c3ae7814638fd2d4b8144372c322e2d4d304";

/*
 * Where glibc's calloc can be wrapped (not under ASan, which wraps it
 * itself), the largest block asked for while counting, so a test can show
 * that an item array was never allocated.
 */
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__)
#define WRAP_CALLOC 1
extern void *__libc_calloc(size_t n, size_t size);
static size_t largest_calloc;

void *
calloc(size_t n, size_t size)
{
	if (size != 0 && n <= SIZE_MAX / size && n * size > largest_calloc) {
		largest_calloc = n * size;
	}
	return __libc_calloc(n, size);
}
#endif

static const uint8_t abc[] = {'a', 'b', 'c'};
static const uint8_t rr[]  = {0x72, 0x72};
static const uint8_t h44[] = {0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44,
    0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44,
    0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44};
static const uint8_t h33[] = {0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33,
    0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33,
    0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33};

struct fixture {
	struct coso_key *dev, *cen, *other;
	uint8_t dev_pk[32], cen_pk[32], other_pk[32];
	struct coso_box *dev_box; /* device's, for the central */
	struct coso_box *cen_box; /* central's, for the device */
	uint8_t *frame;           /* a request, device to central */
	size_t frame_len;
	uint8_t *plain;
	size_t plain_len;
};

static void
unhex(uint8_t *out, size_t n, const char *hex)
{
	size_t got = 0;

	assert_int_equal(
	    sodium_hex2bin(out, n, hex, strlen(hex), NULL, &got, NULL), 0);
	assert_int_equal(got, n);
}

static struct coso_key *
seed_key(const char *hex)
{
	uint8_t seed[32];
	struct coso_key *k = NULL;

	unhex(seed, sizeof(seed), hex);
	assert_int_equal(coso_key_from_seed(&k, seed), COSO_OK);
	return k;
}

/* A full example of each type, every field set; items in it[0 .. 1]. */
static void
example(struct coso_msg *m, struct coso_msg_item it[2], unsigned type)
{
	memset(m, 0, sizeof(*m));
	memset(it, 0, 2 * sizeof(*it));
	m->type       = (uint8_t) type;
	m->request_id = RID;
	m->items      = it;
	switch (type) {
	case COSO_MSG_STATUS:
		m->device_ms = MS - 90000; /* 90 s behind the central */
		m->hlc       = ((MS - 90000) << 16) | 7;
		break;
	case COSO_MSG_STATUS_REP:
		m->central_ms  = MS;
		m->enrolled    = 1;
		m->next_seq    = 42;
		m->max_message = COSO_WIRE_MAX_DEFAULT;
		strcpy(m->cadre_id, CADRE);
		break;
	case COSO_MSG_ENROLL:
		for (unsigned i = 0; i < 32; i++) {
			m->token[i] = (uint8_t) (0xa0 + i);
		}
		strcpy(m->cadre_id, CADRE);
		break;
	case COSO_MSG_ENROLL_REP:
		m->code = COSO_QTOKEN;
		strcpy(m->text, "ok");
		break;
	case COSO_MSG_PUSH:
		m->nitems    = 1;
		it[0].cs     = abc;
		it[0].cs_len = 3;
		break;
	case COSO_MSG_PUSH_REP:
		m->nitems          = 2;
		it[0].status       = COSO_VERDICT_ACCEPTED;
		it[0].expected_seq = 2;
		memset(it[0].id, 0x11, 32);
		it[1].status       = COSO_VERDICT_QUARANTINED;
		it[1].reason       = COSO_QFORK;
		it[1].expected_seq = 5;
		memset(it[1].id, 0x22, 32);
		it[1].receipt     = rr;
		it[1].receipt_len = 2;
		it[1].proof       = h33;
		it[1].nproof      = 1;
		m->checkpoint     = "ck";
		m->checkpoint_len = 2;
		break;
	case COSO_MSG_PULL:
		m->cursor    = 100;
		m->max_bytes = 65536;
		break;
	case COSO_MSG_PULL_REP:
		m->cursor      = 101;
		m->more        = 1;
		m->keys        = h44;
		m->nkeys       = 1;
		m->nitems      = 1;
		it[0].position = 9;
		it[0].status   = COSO_VERDICT_QUARANTINED; /* its own */
		it[0].reason   = COSO_QUNAUTH;
		strcpy(it[0].cadre_id, CADRE);
		it[0].cs     = abc;
		it[0].cs_len = 3;
		break;
	case COSO_MSG_ERROR:
		m->code = COSO_EBUSY;
		strcpy(m->text, "busy");
		break;
	}
	if (m->nitems == 0) {
		m->items = NULL;
	}
}

static void
assert_same_item(const struct coso_msg_item *a, const struct coso_msg_item *b)
{
	assert_int_equal(a->cs_len, b->cs_len);
	if (a->cs_len > 0) {
		assert_memory_equal(a->cs, b->cs, a->cs_len);
	}
	assert_int_equal(a->status, b->status);
	assert_int_equal(a->reason, b->reason);
	assert_int_equal(a->expected_seq, b->expected_seq);
	assert_memory_equal(a->id, b->id, 32);
	assert_int_equal(a->receipt == NULL, b->receipt == NULL);
	assert_int_equal(a->receipt_len, b->receipt_len);
	if (a->receipt != NULL) {
		assert_memory_equal(a->receipt, b->receipt, a->receipt_len);
	}
	assert_int_equal(a->proof == NULL, b->proof == NULL);
	assert_int_equal(a->nproof, b->nproof);
	if (a->proof != NULL) {
		assert_memory_equal(a->proof, b->proof, a->nproof * 32);
	}
	assert_int_equal(a->position, b->position);
	assert_string_equal(a->cadre_id, b->cadre_id);
}

static void
assert_same_msg(const struct coso_msg *a, const struct coso_msg *b)
{
	assert_int_equal(a->type, b->type);
	assert_int_equal(a->request_id, b->request_id);
	assert_int_equal(a->central_ms, b->central_ms);
	assert_int_equal(a->device_ms, b->device_ms);
	assert_int_equal(a->hlc, b->hlc);
	assert_int_equal(a->next_seq, b->next_seq);
	assert_int_equal(a->cursor, b->cursor);
	assert_int_equal(a->max_message, b->max_message);
	assert_int_equal(a->max_bytes, b->max_bytes);
	assert_int_equal(a->code, b->code);
	assert_int_equal(a->enrolled, b->enrolled);
	assert_int_equal(a->more, b->more);
	assert_memory_equal(a->token, b->token, 32);
	assert_string_equal(a->cadre_id, b->cadre_id);
	assert_string_equal(a->text, b->text);
	assert_int_equal(a->checkpoint == NULL, b->checkpoint == NULL);
	assert_int_equal(a->checkpoint_len, b->checkpoint_len);
	if (a->checkpoint != NULL) {
		assert_memory_equal(
		    a->checkpoint, b->checkpoint, a->checkpoint_len);
	}
	assert_int_equal(a->nkeys, b->nkeys);
	assert_int_equal(a->keys == NULL, b->keys == NULL);
	if (a->keys != NULL) {
		assert_memory_equal(a->keys, b->keys, a->nkeys * 32);
	}
	assert_int_equal(a->nitems, b->nitems);
	for (size_t i = 0; i < a->nitems; i++) {
		assert_same_item(&a->items[i], &b->items[i]);
	}
}

/* Encodes m with no size limit but the protocol's. */
static uint8_t *
encode(const struct coso_msg *m, size_t *len)
{
	uint8_t *buf = NULL;

	assert_int_equal(
	    coso_msg_encode(m, &buf, len, COSO_WIRE_MAX_LIMIT), COSO_OK);
	assert_non_null(buf);
	return buf;
}

static uint8_t *
encode_example(unsigned type, size_t *len)
{
	struct coso_msg m;
	struct coso_msg_item it[2];

	example(&m, it, type);
	return encode(&m, len);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL || coso_key_generate(&f->dev) != COSO_OK
	    || coso_key_generate(&f->cen) != COSO_OK
	    || coso_key_generate(&f->other) != COSO_OK) {
		return -1;
	}
	coso_key_public(f->dev, f->dev_pk);
	coso_key_public(f->cen, f->cen_pk);
	coso_key_public(f->other, f->other_pk);
	if (coso_box_new(&f->dev_box, f->dev, f->cen_pk) != COSO_OK
	    || coso_box_new(&f->cen_box, f->cen, f->dev_pk) != COSO_OK) {
		return -1;
	}
	f->plain = encode_example(COSO_MSG_ENROLL, &f->plain_len);
	if (coso_wire_seal(&f->frame, &f->frame_len, f->dev_box, f->dev_pk,
	        COSO_WIRE_REQUEST, f->plain, f->plain_len)
	    != COSO_OK) {
		return -1;
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	coso_box_free(f->dev_box);
	coso_box_free(f->cen_box);
	coso_key_free(f->dev);
	coso_key_free(f->cen);
	coso_key_free(f->other);
	free(f->frame);
	free(f->plain);
	free(f);
	return 0;
}

/* Seals on one side, checks the header, opens on the other. */
static void
round_trip(const struct coso_box *from, const struct coso_box *to,
    const uint8_t from_pk[32], enum coso_wire_kind kind, const uint8_t *plain,
    size_t plain_len)
{
	uint8_t *frame = NULL, *got = NULL, sender[32];
	size_t frame_len = 0, got_len = 0;
	enum coso_wire_kind k = 0;

	assert_int_equal(coso_wire_seal(&frame, &frame_len, from, from_pk,
	                     kind, plain, plain_len),
	    COSO_OK);
	assert_int_equal(frame_len, 58 + 16 + plain_len);
	assert_int_equal(frame[0], COSO_WIRE_VERSION);
	assert_int_equal(frame[1], kind);
	assert_memory_equal(frame + 2, from_pk, 32);
	assert_int_equal(
	    coso_wire_peek(frame, frame_len, &k, sender), COSO_OK);
	assert_int_equal(k, kind);
	assert_memory_equal(sender, from_pk, 32);
	assert_int_equal(coso_wire_open(&got, &got_len, to, frame, frame_len,
	                     COSO_WIRE_MAX_DEFAULT),
	    COSO_OK);
	assert_int_equal(got_len, plain_len);
	assert_memory_equal(got, plain, plain_len);
	free(got);
	free(frame);
}

static void
test_seal_open_both_ways(void **state)
{
	struct fixture *f = *state;
	uint8_t *rep, *again = NULL;
	size_t rep_len, again_len;

	round_trip(f->dev_box, f->cen_box, f->dev_pk, COSO_WIRE_REQUEST,
	    f->plain, f->plain_len);
	rep = encode_example(COSO_MSG_STATUS_REP, &rep_len);
	round_trip(
	    f->cen_box, f->dev_box, f->cen_pk, COSO_WIRE_REPLY, rep, rep_len);
	/* A fresh nonce each time: the same plaintext seals differently. */
	assert_int_equal(
	    coso_wire_seal(&again, &again_len, f->dev_box, f->dev_pk,
	        COSO_WIRE_REQUEST, f->plain, f->plain_len),
	    COSO_OK);
	assert_int_equal(again_len, f->frame_len);
	assert_memory_not_equal(again + 34, f->frame + 34, 24);
	assert_memory_not_equal(again + 58, f->frame + 58, f->frame_len - 58);
	free(again);
	free(rep);
}

/* A plaintext of n bytes: a wire header, then Vietnamese text (which
 * compresses) or random bytes (which do not). */
static uint8_t *
plaintext(size_t n, int compressible)
{
	static const char text[] = "Kiểm tra đường bê tông Thôn 1, xã Đào "
	                           "Viên: đã đổ 600 m, còn 200 m chưa làm. ";
	uint8_t *p               = malloc(n);
	size_t i;

	assert_non_null(p);
	for (i = 0; i < n; i++) {
		p[i] = (uint8_t) text[i % (sizeof(text) - 1)];
	}
	if (!compressible) {
		randombytes_buf(p, n);
	}
	p[0] = COSO_WIRE_VERSION;
	p[1] = COSO_WIRE_REQUEST;
	return p;
}

/* Large compressible plaintexts travel compressed (kind bit 7) and open
 * to the same bytes; incompressible ones travel as they are. */
static void
test_compression(void **state)
{
	struct fixture *f = *state;
	uint8_t *plain = plaintext(20000, 1), *noise = plaintext(2000, 0);
	uint8_t *frame = NULL, *got = NULL;
	size_t flen = 0, glen = 0;
	enum coso_wire_kind k;
	uint8_t sender[32];

	assert_int_equal(coso_wire_seal(&frame, &flen, f->dev_box, f->dev_pk,
	                     COSO_WIRE_REQUEST, plain, 20000),
	    COSO_OK);
	assert_int_equal(frame[1], 0x80 | COSO_WIRE_REQUEST);
	assert_true(flen < 20000 / 4);
	assert_int_equal(coso_wire_peek(frame, flen, &k, sender), COSO_OK);
	assert_int_equal(k, COSO_WIRE_REQUEST);
	assert_int_equal(coso_wire_open(&got, &glen, f->cen_box, frame, flen,
	                     COSO_WIRE_MAX_DEFAULT),
	    COSO_OK);
	assert_int_equal(glen, 20000);
	assert_memory_equal(got, plain, 20000);
	free(got);
	/* Decompressed beyond max: refused, though the frame is small. */
	assert_int_equal(
	    coso_wire_open(&got, &glen, f->cen_box, frame, flen, 19999),
	    COSO_ETOOBIG);
	/* The flag on content that is not zstd: refused. */
	free(frame);
	assert_int_equal(coso_wire_seal(&frame, &flen, f->dev_box, f->dev_pk,
	                     COSO_WIRE_REQUEST, noise, 2000),
	    COSO_OK);
	assert_int_equal(frame[1], COSO_WIRE_REQUEST);
	assert_int_equal(flen, 58 + 16 + 2000);
	frame[1] |= 0x80;
	assert_int_equal(coso_wire_open(&got, &glen, f->cen_box, frame, flen,
	                     COSO_WIRE_MAX_DEFAULT),
	    COSO_EBADSIG);
	frame[1] = 0x40 | COSO_WIRE_REQUEST; /* an unknown flag */
	assert_int_equal(coso_wire_peek(frame, flen, &k, sender), COSO_EINVAL);
	free(frame);
	free(plain);
	free(noise);
}

/* The box key FORMAT.md gives, from libsodium alone: BLAKE2b-256 keyed
 * with crypto_box_beforenm's key over the context and both Ed25519 keys,
 * the lower first. */
static void
bound_key(
    uint8_t out[32], const uint8_t x[32], const uint8_t *a, const uint8_t *b)
{
	static const char ctx[] = "coso/box/v2"; /* and its NUL */
	uint8_t msg[sizeof(ctx) + 64];

	if (memcmp(a, b, 32) > 0) {
		const uint8_t *t = a;
		a                = b;
		b                = t;
	}
	memcpy(msg, ctx, sizeof(ctx));
	memcpy(msg + sizeof(ctx), a, 32);
	memcpy(msg + sizeof(ctx) + 32, b, 32);
	assert_int_equal(
	    crypto_generichash(out, 32, msg, sizeof(msg), x, 32), 0);
}

/*
 * The box is crypto_box under the bound key: libsodium alone, from the
 * two seeds, gets the same key on both sides, opens coso's frame and
 * makes one that coso opens.
 */
static void
test_box_is_crypto_box(void **state)
{
	struct coso_key *dk = seed_key(rfc1_seed_hex);
	struct coso_key *ck = seed_key(rfc2_seed_hex);
	uint8_t seed[32], dpk[32], dsk[64], cpk[32], csk[64];
	uint8_t xd_pk[32], xd_sk[32], xc_pk[32], xc_sk[32], x1[32], x2[32];
	uint8_t k1[32], k2[32], *frame = NULL, *got = NULL, *mine;
	size_t frame_len = 0, got_len = 0, n;
	struct coso_box *dbox = NULL, *cbox = NULL;
	uint8_t *plain = encode_example(COSO_MSG_PUSH, &n);

	(void) state;
	unhex(seed, 32, rfc1_seed_hex);
	assert_int_equal(crypto_sign_seed_keypair(dpk, dsk, seed), 0);
	unhex(seed, 32, rfc2_seed_hex);
	assert_int_equal(crypto_sign_seed_keypair(cpk, csk, seed), 0);
	assert_int_equal(crypto_sign_ed25519_pk_to_curve25519(xd_pk, dpk), 0);
	assert_int_equal(crypto_sign_ed25519_sk_to_curve25519(xd_sk, dsk), 0);
	assert_int_equal(crypto_sign_ed25519_pk_to_curve25519(xc_pk, cpk), 0);
	assert_int_equal(crypto_sign_ed25519_sk_to_curve25519(xc_sk, csk), 0);
	assert_int_equal(crypto_box_beforenm(x1, xc_pk, xd_sk), 0);
	assert_int_equal(crypto_box_beforenm(x2, xd_pk, xc_sk), 0);
	assert_memory_equal(x1, x2, 32);
	bound_key(k1, x1, dpk, cpk);
	bound_key(k2, x2, cpk, dpk);
	assert_memory_equal(k1, k2, 32);
	unhex(seed, 32, golden_x_hex);
	assert_memory_equal(x1, seed, 32);
	unhex(seed, 32, golden_box_hex);
	assert_memory_equal(k1, seed, 32);

	assert_int_equal(coso_box_new(&dbox, dk, cpk), COSO_OK);
	assert_int_equal(coso_box_new(&cbox, ck, dpk), COSO_OK);
	assert_int_equal(coso_wire_seal(&frame, &frame_len, dbox, dpk,
	                     COSO_WIRE_REQUEST, plain, n),
	    COSO_OK);
	mine = malloc(n);
	assert_non_null(mine);
	assert_int_equal(crypto_box_open_easy_afternm(
	                     mine, frame + 58, frame_len - 58, frame + 34, k2),
	    0);
	assert_memory_equal(mine, plain, n);
	/* Not under the unbound key. */
	assert_int_not_equal(crypto_box_open_easy_afternm(mine, frame + 58,
	                         frame_len - 58, frame + 34, x2),
	    0);

	/* Central to device, sealed by libsodium without coso. */
	frame[1] = COSO_WIRE_REPLY;
	memcpy(frame + 2, cpk, 32);
	plain[1] = COSO_WIRE_REPLY;
	assert_int_equal(
	    crypto_box_easy_afternm(frame + 58, plain, n, frame + 34, k1), 0);
	assert_int_equal(
	    coso_wire_open(&got, &got_len, dbox, frame, frame_len, frame_len),
	    COSO_OK);
	assert_int_equal(got_len, n);
	assert_memory_equal(got, plain, n);

	free(got);
	free(mine);
	free(frame);
	free(plain);
	coso_box_free(dbox);
	coso_box_free(cbox);
	coso_key_free(dk);
	coso_key_free(ck);
}

static void
test_open_wrong_peer(void **state)
{
	struct fixture *f          = *state;
	struct coso_box *other_box = NULL;
	uint8_t *p = NULL, *copy = malloc(f->frame_len);
	size_t n = 0;

	assert_non_null(copy);
	/* The central's box for another device: not this sender. */
	assert_int_equal(
	    coso_box_new(&other_box, f->cen, f->other_pk), COSO_OK);
	assert_int_equal(coso_wire_open(&p, &n, other_box, f->frame,
	                     f->frame_len, COSO_WIRE_MAX_DEFAULT),
	    COSO_EBADSIG);
	/* Claiming to be that device does not help: the MAC fails. */
	memcpy(copy, f->frame, f->frame_len);
	memcpy(copy + 2, f->other_pk, 32);
	assert_int_equal(coso_wire_open(&p, &n, other_box, copy, f->frame_len,
	                     COSO_WIRE_MAX_DEFAULT),
	    COSO_EBADSIG);
	/* A request reflected back to the device is not from the central. */
	assert_int_equal(coso_wire_open(&p, &n, f->dev_box, f->frame,
	                     f->frame_len, COSO_WIRE_MAX_DEFAULT),
	    COSO_EBADSIG);
	assert_null(p);
	assert_int_equal(n, 0);
	coso_box_free(other_box);
	free(copy);
}

/*
 * P and -P (the sign bit, the top bit of the last byte, flipped) have the
 * same X25519 form.  A request whose header names -P gets, at the
 * central, a box made for -P; it must not open, nor may that box's reply
 * open on the device: otherwise an on-path bit flip of an ENROLL enrolls
 * -P with the device's token.
 */
static void
test_open_negated_sender(void **state)
{
	struct fixture *f        = *state;
	struct coso_box *neg_box = NULL;
	uint8_t *copy = malloc(f->frame_len), *p = NULL, *rep = NULL;
	uint8_t neg[32], x1[32], x2[32], *reply = NULL;
	size_t n = 0, rep_len = 0, reply_len = 0;

	assert_non_null(copy);
	memcpy(neg, f->dev_pk, 32);
	neg[31] ^= 0x80;
	/* A valid key of its own, with the same X25519 form. */
	assert_true(crypto_core_ed25519_is_valid_point(neg));
	assert_int_equal(crypto_sign_ed25519_pk_to_curve25519(x1, neg), 0);
	assert_int_equal(
	    crypto_sign_ed25519_pk_to_curve25519(x2, f->dev_pk), 0);
	assert_memory_equal(x1, x2, 32);
	assert_int_equal(coso_box_new(&neg_box, f->cen, neg), COSO_OK);
	memcpy(copy, f->frame, f->frame_len);
	memcpy(copy + 2, neg, 32);
	assert_int_equal(coso_wire_open(&p, &n, neg_box, copy, f->frame_len,
	                     COSO_WIRE_MAX_DEFAULT),
	    COSO_EBADSIG);
	assert_null(p);
	/* The reply the central would seal for -P. */
	rep = encode_example(COSO_MSG_ENROLL_REP, &rep_len);
	assert_int_equal(coso_wire_seal(&reply, &reply_len, neg_box, f->cen_pk,
	                     COSO_WIRE_REPLY, rep, rep_len),
	    COSO_OK);
	assert_int_equal(coso_wire_open(&p, &n, f->dev_box, reply, reply_len,
	                     COSO_WIRE_MAX_DEFAULT),
	    COSO_EBADSIG);
	assert_null(p);
	coso_box_free(neg_box);
	free(reply);
	free(rep);
	free(copy);
}

static void
test_box_refuses_bad_peer(void **state)
{
	struct fixture *f  = *state;
	struct coso_box *b = NULL;
	uint8_t pk[32]     = {0};
	unsigned refused   = 0;

	/* All zeros and the identity (01 00 …) have small order. */
	assert_int_equal(coso_box_new(&b, f->dev, pk), COSO_EINVAL);
	pk[0] = 1;
	assert_int_equal(coso_box_new(&b, f->dev, pk), COSO_EINVAL);
	/* y values that are not on the curve, or not in the main group. */
	for (unsigned y = 2; y < 64; y++) {
		pk[0] = (uint8_t) y;
		if (!crypto_core_ed25519_is_valid_point(pk)) {
			assert_int_equal(
			    coso_box_new(&b, f->dev, pk), COSO_EINVAL);
			refused++;
		}
	}
	assert_true(refused > 10);
	assert_null(b);
}

static void
test_frame_every_bit_flip(void **state)
{
	struct fixture *f = *state;
	uint8_t *copy = malloc(f->frame_len), *p = NULL;
	size_t i, n                              = 0;

	assert_non_null(copy);
	for (i = 0; i < f->frame_len; i++) {
		for (int bit = 0; bit < 8; bit++) {
			memcpy(copy, f->frame, f->frame_len);
			copy[i] ^= (uint8_t) (1u << bit);
			assert_int_not_equal(
			    coso_wire_open(&p, &n, f->cen_box, copy,
			        f->frame_len, COSO_WIRE_MAX_DEFAULT),
			    COSO_OK);
		}
	}
	assert_null(p);
	free(copy);
}

static void
test_frame_every_truncation(void **state)
{
	struct fixture *f = *state;
	uint8_t *p        = NULL;
	size_t n          = 0;

	for (size_t len = 0; len < f->frame_len; len++) {
		int rc = coso_wire_open(
		    &p, &n, f->cen_box, f->frame, len, COSO_WIRE_MAX_DEFAULT);
		/* Short of the overhead: ETRUNC; longer: the MAC fails. */
		assert_int_equal(
		    rc, len < COSO_WIRE_OVERHEAD ? COSO_ETRUNC : COSO_EBADSIG);
	}
	assert_null(p);
}

static void
test_frame_header_bound(void **state)
{
	struct fixture *f = *state;
	uint8_t *copy = malloc(f->frame_len), *p = NULL, pk[32];
	enum coso_wire_kind k;
	size_t n = 0;

	assert_non_null(copy);
	/* A request relabelled as a reply: the plaintext says request. */
	memcpy(copy, f->frame, f->frame_len);
	copy[1] = COSO_WIRE_REPLY;
	assert_int_equal(coso_wire_peek(copy, f->frame_len, &k, pk), COSO_OK);
	assert_int_equal(k, COSO_WIRE_REPLY);
	assert_int_equal(coso_wire_open(&p, &n, f->cen_box, copy, f->frame_len,
	                     COSO_WIRE_MAX_DEFAULT),
	    COSO_EBADSIG);
	copy[1] = 3;
	assert_int_equal(
	    coso_wire_peek(copy, f->frame_len, &k, pk), COSO_EINVAL);
	copy[1] = 0;
	assert_int_equal(
	    coso_wire_peek(copy, f->frame_len, &k, pk), COSO_EINVAL);
	copy[1] = COSO_WIRE_REQUEST;
	copy[0] = 2; /* version 2: the messages of before */
	assert_int_equal(
	    coso_wire_peek(copy, f->frame_len, &k, pk), COSO_EVERSION);
	copy[0] = 1; /* version 1: the box key was not bound */
	assert_int_equal(
	    coso_wire_peek(copy, f->frame_len, &k, pk), COSO_EVERSION);
	assert_int_equal(coso_wire_open(&p, &n, f->cen_box, copy, f->frame_len,
	                     COSO_WIRE_MAX_DEFAULT),
	    COSO_EVERSION);
	assert_int_equal(coso_wire_peek(copy, 0, &k, pk), COSO_ETRUNC);
	assert_null(p);
	free(copy);
}

static void
test_frame_limits(void **state)
{
	struct fixture *f = *state;
	uint8_t *p = NULL, *frame = NULL, bad[3] = {COSO_WIRE_VERSION, 2, 1};
	size_t n = 0, flen = 0;

	assert_int_equal(coso_wire_open(&p, &n, f->cen_box, f->frame,
	                     f->frame_len, f->frame_len - 1),
	    COSO_ETOOBIG);
	assert_null(p);
	assert_int_equal(coso_wire_open(&p, &n, f->cen_box, f->frame,
	                     f->frame_len, f->frame_len),
	    COSO_OK);
	assert_int_equal(n, f->plain_len);
	free(p);
	/* Seal refuses a plaintext whose version or kind is not the frame's.
	 */
	assert_int_equal(coso_wire_seal(&frame, &flen, f->dev_box, f->dev_pk,
	                     COSO_WIRE_REQUEST, bad, sizeof(bad)),
	    COSO_EINVAL);
	assert_int_equal(coso_wire_seal(&frame, &flen, f->dev_box, f->dev_pk,
	                     COSO_WIRE_REQUEST, bad, 1),
	    COSO_EINVAL);
	bad[0] = 1;
	bad[1] = 1;
	assert_int_equal(coso_wire_seal(&frame, &flen, f->dev_box, f->dev_pk,
	                     COSO_WIRE_REQUEST, bad, sizeof(bad)),
	    COSO_EINVAL);
	assert_null(frame);
}

/* Every type: the hand-written bytes, decode, and back to the bytes. */
static void
test_msg_golden_round_trip(void **state)
{
	(void) state;
	for (unsigned t = 1; t <= NTYPES; t++) {
		struct coso_msg want, *got = NULL;
		struct coso_msg_item it[2];
		size_t len, hlen    = strlen(golden_hex[t]) / 2, len2;
		uint8_t *buf, *gold = malloc(hlen), *again;

		assert_non_null(gold);
		unhex(gold, hlen, golden_hex[t]);
		example(&want, it, t);
		buf = encode(&want, &len);
		assert_int_equal(len, hlen);
		assert_memory_equal(buf, gold, len);
		assert_int_equal(coso_msg_decode(&got, gold, hlen), COSO_OK);
		assert_same_msg(got, &want);
		again = encode(got, &len2);
		assert_int_equal(len2, hlen);
		assert_memory_equal(again, gold, hlen);
		coso_msg_free(got);
		free(again);
		free(buf);
		free(gold);
	}
}

static void
test_msg_details(void **state)
{
	struct coso_msg *m = NULL;
	size_t len;
	uint8_t *buf = encode_example(COSO_MSG_PUSH_REP, &len);

	(void) state;
	assert_memory_equal(
	    CADRE, "cb-\xc4\x90\xc3\xa0o-Vi\xc3\xaan", sizeof(CADRE));
	assert_int_equal(coso_msg_decode(&m, buf, len), COSO_OK);
	/* Zero-copy: checkpoint, receipt and proof point into the buffer;
	 * none is NULL. */
	assert_ptr_equal(m->checkpoint, (const char *) buf + 15);
	assert_null(m->items[0].receipt);
	assert_int_equal(m->items[0].receipt_len, 0);
	assert_null(m->items[0].proof);
	assert_int_equal(m->items[0].nproof, 0);
	assert_ptr_equal(m->items[1].receipt, buf + len - 35);
	assert_ptr_equal(m->items[1].proof, buf + len - 32);
	coso_msg_free(m);
	free(buf);
	buf = encode_example(COSO_MSG_PULL_REP, &len);
	assert_int_equal(coso_msg_decode(&m, buf, len), COSO_OK);
	assert_ptr_equal(m->items[0].cs, buf + len - 3);
	assert_ptr_equal(m->keys, buf + 22);
	assert_int_equal(m->items[0].status, COSO_VERDICT_QUARANTINED);
	assert_int_equal(m->items[0].reason, COSO_QUNAUTH);
	coso_msg_free(m);
	coso_msg_free(NULL);
	free(buf);
}

/* n items of a type, each as in the example; items malloc'd. */
static void
many(struct coso_msg *m, unsigned type, size_t n)
{
	struct coso_msg_item it[2];

	example(m, it, type);
	m->items = calloc(n > 0 ? n : 1, sizeof(*m->items));
	assert_non_null(m->items);
	for (size_t i = 0; i < n; i++) {
		/* PUSH_REP alternates no receipt and a receipt. */
		m->items[i] = it[type == COSO_MSG_PUSH_REP ? i % 2 : 0];
		if (type == COSO_MSG_PULL_REP) {
			m->items[i].position = i;
		}
	}
	m->nitems = n;
	if (n < 2) { /* no receipt: no checkpoint */
		m->checkpoint     = NULL;
		m->checkpoint_len = 0;
	}
}

/* Expected size of many(): header, count, then the items' sizes. */
static size_t
many_len(unsigned type, size_t n)
{
	switch (type) {
	case COSO_MSG_PUSH:
		return 11 + 2 + n * (4 + 3);
	case COSO_MSG_PUSH_REP:
		return 11 + 4 + (n >= 2 ? 2 : 0) + 2 + n * 48 + (n / 2) * 34;
	default:
		return 11 + 9 + 2 + 32 + 2 + n * (8 + 3 + 16 + 4 + 3);
	}
}

static void
test_msg_counts(void **state)
{
	static const unsigned types[]
	    = {COSO_MSG_PUSH, COSO_MSG_PUSH_REP, COSO_MSG_PULL_REP};
	const size_t counts[] = {0, 1, 2, COSO_WIRE_ITEMS_MAX};

	(void) state;
	for (size_t t = 0; t < 3; t++) {
		for (size_t c = 0; c < 4; c++) {
			struct coso_msg m, *got = NULL;
			uint8_t *buf = NULL;
			size_t len,
			    off = types[t] == COSO_MSG_PULL_REP ? 54 : 11;

			if (types[t] == COSO_MSG_PUSH_REP) {
				off += 4 + (counts[c] >= 2 ? 2 : 0);
			}
			many(&m, types[t], counts[c]);
			buf = encode(&m, &len);
			assert_int_equal(len, many_len(types[t], counts[c]));
			assert_int_equal(
			    (buf[off] << 8) | buf[off + 1], counts[c]);
			assert_int_equal(
			    coso_msg_decode(&got, buf, len), COSO_OK);
			assert_same_msg(got, &m);
			coso_msg_free(got);
			free(buf);
			buf = NULL;
			/* One more than the limit. */
			m.nitems = COSO_WIRE_ITEMS_MAX + 1;
			assert_int_equal(coso_msg_encode(&m, &buf, &len,
			                     COSO_WIRE_MAX_LIMIT),
			    COSO_ETOOBIG);
			assert_null(buf);
			free(m.items);
		}
	}
}

/* The example of a type, hand-written, in a malloc'd buffer. */
static uint8_t *
golden(unsigned type, size_t *len)
{
	size_t n     = strlen(golden_hex[type]) / 2;
	uint8_t *buf = malloc(n + 1); /* room for a trailing byte */

	assert_non_null(buf);
	unhex(buf, n, golden_hex[type]);
	*len = n;
	return buf;
}

static int
decode_rc(const uint8_t *buf, size_t len)
{
	struct coso_msg *m = NULL;
	int rc             = coso_msg_decode(&m, buf, len);

	assert_true(rc == COSO_OK ? m != NULL : m == NULL);
	coso_msg_free(m);
	return rc;
}

/*
 * The request id is read from the header whatever follows: from every
 * golden message, from one whose body does not decode (a trailing byte,
 * an unknown type, another version), and from the bare header; anything
 * shorter than the header is COSO_ETRUNC and *rid is left alone.
 */
static void
test_msg_request_id(void **state)
{
	uint64_t rid;
	size_t len;
	uint8_t *buf;

	(void) state;
	for (unsigned t = 1; t <= NTYPES; t++) {
		buf = golden(t, &len);
		rid = 0;
		assert_int_equal(coso_msg_request_id(buf, len, &rid), COSO_OK);
		assert_int_equal(rid, RID);
		buf[len] = 0;
		assert_int_equal(decode_rc(buf, len + 1), COSO_ETRAILING);
		assert_int_equal(
		    coso_msg_request_id(buf, len + 1, &rid), COSO_OK);
		assert_int_equal(rid, RID);
		free(buf);
	}
	buf    = golden(COSO_MSG_STATUS, &len);
	buf[2] = 0xff; /* no such type */
	buf[0] = 1;    /* nor version */
	assert_int_equal(decode_rc(buf, len), COSO_EVERSION);
	assert_int_equal(coso_msg_request_id(buf, 11, &rid), COSO_OK);
	assert_int_equal(rid, RID);
	for (size_t n = 0; n < 11; n++) {
		rid = 42;
		assert_int_equal(
		    coso_msg_request_id(buf, n, &rid), COSO_ETRUNC);
		assert_int_equal(rid, 42);
	}
	assert_int_equal(coso_msg_request_id(NULL, 0, &rid), COSO_ETRUNC);
	free(buf);
}

/* Plaintext bytes m takes with one more item, it, than it has. */
static size_t
item_cost(struct coso_msg *m, const struct coso_msg_item *it)
{
	struct coso_msg_item items[2] = {m->items[0], *it};
	uint8_t *a, *b;
	size_t alen, blen;

	m->items  = items;
	m->nitems = 1;
	a         = encode(m, &alen);
	m->nitems = 2;
	b         = encode(m, &blen);
	free(a);
	free(b);
	return blen - alen;
}

/* Each item size is what the encoder spends on such an item, at the
 * sizes a reply is bounded by; sums that do not fit are SIZE_MAX. */
static void
test_msg_item_sizes(void **state)
{
	static uint8_t receipt[COSO_RECEIPT_BYTES], proof[32 * COSO_PROOF_MAX],
	    cs[COSO_CS_MAX];
	const size_t cadres[] = {0, 1, 14, COSO_WIRE_STR_MAX},
	             lens[]   = {0, 3, 1000, COSO_CS_MAX};
	struct coso_msg_item it[2], add;
	struct coso_msg m;

	(void) state;
	example(&m, it, COSO_MSG_PUSH_REP);
	m.items = &it[1]; /* with a receipt: the checkpoint is due */
	add     = it[0];  /* none */
	assert_int_equal(item_cost(&m, &add), 48);
	assert_int_equal(coso_msg_push_rep_item_size(0, 0), 48);
	add.receipt     = receipt;
	add.receipt_len = COSO_RECEIPT_BYTES;
	add.proof       = proof;
	for (add.nproof = 0; add.nproof <= COSO_PROOF_MAX; add.nproof++) {
		assert_int_equal(item_cost(&m, &add),
		    coso_msg_push_rep_item_size(
		        COSO_RECEIPT_BYTES, add.nproof));
	}
	assert_int_equal(coso_msg_push_rep_item_size(COSO_RECEIPT_BYTES, 0),
	    48 + COSO_RECEIPT_BYTES);
	assert_int_equal(
	    coso_msg_push_rep_item_size(SIZE_MAX - 10, 0), SIZE_MAX);
	assert_int_equal(
	    coso_msg_push_rep_item_size(0, SIZE_MAX / 16), SIZE_MAX);

	example(&m, it, COSO_MSG_PULL_REP);
	for (size_t c = 0; c < 4; c++) {
		for (size_t l = 0; l < 4; l++) {
			add = it[0];
			memset(add.cadre_id, 'x', cadres[c]);
			add.cadre_id[cadres[c]] = 0;
			add.cs                  = cs;
			add.cs_len              = lens[l];
			assert_int_equal(item_cost(&m, &add),
			    coso_msg_pull_rep_item_size(cadres[c], lens[l]));
		}
	}
	assert_int_equal(coso_msg_pull_rep_item_size(14, 3), 17 + 14 + 3);
	assert_int_equal(coso_msg_pull_rep_item_size(1, SIZE_MAX), SIZE_MAX);
}

static void
test_msg_truncation_trailing(void **state)
{
	(void) state;
	for (unsigned t = 1; t <= NTYPES; t++) {
		size_t len;
		uint8_t *buf = golden(t, &len);

		for (size_t n = 0; n < len; n++) {
			assert_int_equal(decode_rc(buf, n), COSO_ETRUNC);
		}
		buf[len] = 0;
		assert_int_equal(decode_rc(buf, len + 1), COSO_ETRAILING);
		assert_int_equal(decode_rc(buf, len), COSO_OK);
		free(buf);
	}
}

/* A count far beyond the bytes fails before any item is allocated. */
static void
test_msg_count_claims(void **state)
{
	uint8_t buf[64] = {COSO_WIRE_VERSION, 1, COSO_MSG_PUSH};
	static const struct {
		uint8_t type, kind;
		size_t off, item;
	} c[] = {
	    {COSO_MSG_PUSH, 1, 11, 4},
	    {COSO_MSG_PUSH_REP, 2, 15, 48}, /* after an empty checkpoint */
	    {COSO_MSG_PULL_REP, 2, 22, 17}, /* after no key */
	    {COSO_MSG_PULL_REP, 2, 20, 32}, /* the keys' count */
	};

	(void) state;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		memset(buf, 0, sizeof(buf));
		buf[0] = COSO_WIRE_VERSION;
		buf[1] = c[i].kind;
		buf[2] = c[i].type;
		/* 65535: over the limit, whatever follows. */
		buf[c[i].off] = buf[c[i].off + 1] = 0xff;
		assert_int_equal(decode_rc(buf, sizeof(buf)), COSO_ETOOBIG);
		/* 4096, within the limit, but 64 bytes hold only a few. */
		buf[c[i].off]     = 0x10;
		buf[c[i].off + 1] = 0x00;
#ifdef WRAP_CALLOC
		largest_calloc = 0;
#endif
		assert_int_equal(decode_rc(buf, sizeof(buf)), COSO_ETRUNC);
#ifdef WRAP_CALLOC
		/* The message itself, never 4096 items. */
		assert_true(largest_calloc > 0);
		assert_true(largest_calloc <= sizeof(struct coso_msg));
#endif
		/* 4097. */
		buf[c[i].off + 1] = 0x01;
		assert_int_equal(decode_rc(buf, sizeof(buf)), COSO_ETOOBIG);
	}
}

/* An ERROR message whose text is n bytes of s (repeated). */
static size_t
error_with_text(uint8_t *buf, const char *s, size_t slen, size_t n)
{
	static const uint8_t head[] = {COSO_WIRE_VERSION, 2, COSO_MSG_ERROR, 0,
	    0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 5};

	memcpy(buf, head, sizeof(head));
	buf[15] = (uint8_t) (n >> 8);
	buf[16] = (uint8_t) n;
	for (size_t i = 0; i < n; i++) {
		buf[17 + i] = (uint8_t) s[i % slen];
	}
	return 17 + n;
}

static void
test_msg_strings(void **state)
{
	uint8_t buf[17 + 300];
	struct coso_msg m, *got = NULL;
	struct coso_msg_item it[2];
	uint8_t *out = NULL;
	size_t len;

	(void) state;
	len = error_with_text(buf, "x", 1, 256);
	assert_int_equal(coso_msg_decode(&got, buf, len), COSO_OK);
	assert_int_equal(strlen(got->text), 256);
	assert_int_equal(got->code, 5);
	assert_int_equal(got->request_id, 7);
	coso_msg_free(got);
	len = error_with_text(buf, "x", 1, 257);
	assert_int_equal(decode_rc(buf, len), COSO_ETOOBIG);
	/* 257 claimed but absent: the limit is checked first. */
	assert_int_equal(decode_rc(buf, 17), COSO_ETOOBIG);
	len = error_with_text(buf, "\xc3\x28", 2, 2); /* bad continuation */
	assert_int_equal(decode_rc(buf, len), COSO_EUTF8);
	len = error_with_text(buf, "\xc0\xaf", 2, 2); /* overlong '/' */
	assert_int_equal(decode_rc(buf, len), COSO_EUTF8);
	len = error_with_text(buf, "\xed\xa0\x80", 3, 3); /* surrogate */
	assert_int_equal(decode_rc(buf, len), COSO_EUTF8);
	len = error_with_text(buf, "\xc3", 1, 1); /* cut sequence */
	assert_int_equal(decode_rc(buf, len), COSO_EUTF8);
	len = error_with_text(buf, "a\0b", 3, 3); /* not a C string */
	assert_int_equal(decode_rc(buf, len), COSO_ESCHEMA);

	/* The encoder refuses the same. */
	example(&m, it, COSO_MSG_ERROR);
	memset(m.text, 'x', sizeof(m.text)); /* 257 bytes, no NUL */
	assert_int_equal(coso_msg_encode(&m, &out, &len, COSO_WIRE_MAX_LIMIT),
	    COSO_ETOOBIG);
	strcpy(m.text, "\xc3\x28");
	assert_int_equal(
	    coso_msg_encode(&m, &out, &len, COSO_WIRE_MAX_LIMIT), COSO_EUTF8);
	assert_null(out);
}

static void
test_msg_header(void **state)
{
	size_t len;
	uint8_t *buf = golden(COSO_MSG_STATUS_REP, &len);

	(void) state;
	buf[1] = COSO_WIRE_REQUEST; /* a reply type with request kind */
	assert_int_equal(decode_rc(buf, len), COSO_ESCHEMA);
	buf[1] = 3;
	assert_int_equal(decode_rc(buf, len), COSO_ESCHEMA);
	buf[1] = COSO_WIRE_REPLY;
	buf[0] = 1;
	assert_int_equal(decode_rc(buf, len), COSO_EVERSION);
	buf[0] = 2; /* version 2: STATUS without the device's clock */
	assert_int_equal(decode_rc(buf, len), COSO_EVERSION);
	buf[0] = COSO_WIRE_VERSION;
	assert_int_equal(decode_rc(buf, len), COSO_OK);
	free(buf);

	buf    = golden(COSO_MSG_STATUS, &len);
	buf[1] = COSO_WIRE_REPLY; /* a request type with reply kind */
	assert_int_equal(decode_rc(buf, len), COSO_ESCHEMA);
	buf[1] = COSO_WIRE_REQUEST;
	buf[2] = 0;
	assert_int_equal(decode_rc(buf, len), COSO_ESCHEMA);
	buf[2] = 10;
	assert_int_equal(decode_rc(buf, len), COSO_ESCHEMA);
	free(buf);

	buf    = golden(COSO_MSG_ERROR, &len);
	buf[1] = COSO_WIRE_REQUEST; /* ERROR is a reply though odd */
	assert_int_equal(decode_rc(buf, len), COSO_ESCHEMA);
	free(buf);
}

/* Flags are 0 or 1 and verdicts 1 … 5, on the wire and in encode. */
static void
test_msg_enums(void **state)
{
	struct coso_msg m;
	struct coso_msg_item it[2];
	uint8_t *buf, *out = NULL;
	size_t len, olen;

	(void) state;
	buf     = golden(COSO_MSG_STATUS_REP, &len);
	buf[19] = 2; /* enrolled */
	assert_int_equal(decode_rc(buf, len), COSO_ESCHEMA);
	free(buf);
	buf     = golden(COSO_MSG_PULL_REP, &len);
	buf[19] = 2; /* more */
	assert_int_equal(decode_rc(buf, len), COSO_ESCHEMA);
	buf[19] = 1;
	for (unsigned v = 0; v < 256; v++) {
		buf[64] = (uint8_t) v; /* the item's status: in the log */
		assert_int_equal(decode_rc(buf, len),
		    v == COSO_VERDICT_ACCEPTED || v == COSO_VERDICT_QUARANTINED
		        ? COSO_OK
		        : COSO_ESCHEMA);
	}
	free(buf);
	buf = golden(COSO_MSG_PUSH_REP, &len);
	for (unsigned v = 0; v < 256; v++) {
		buf[19] = (uint8_t) v; /* first item's status */
		assert_int_equal(decode_rc(buf, len),
		    v >= 1 && v <= 5 ? COSO_OK : COSO_ESCHEMA);
	}
	free(buf);

	example(&m, it, COSO_MSG_PUSH_REP);
	it[1].status = 6;
	assert_int_equal(coso_msg_encode(&m, &out, &olen, COSO_WIRE_MAX_LIMIT),
	    COSO_ESCHEMA);
	example(&m, it, COSO_MSG_STATUS_REP);
	m.enrolled = 2;
	assert_int_equal(coso_msg_encode(&m, &out, &olen, COSO_WIRE_MAX_LIMIT),
	    COSO_ESCHEMA);
	example(&m, it, COSO_MSG_PULL_REP);
	m.more = 2;
	assert_int_equal(coso_msg_encode(&m, &out, &olen, COSO_WIRE_MAX_LIMIT),
	    COSO_ESCHEMA);
	m.more       = 0;
	it[0].status = COSO_VERDICT_DUPLICATE; /* never in the log */
	assert_int_equal(coso_msg_encode(&m, &out, &olen, COSO_WIRE_MAX_LIMIT),
	    COSO_ESCHEMA);
	it[0].status = COSO_VERDICT_ACCEPTED;
	m.more       = 0;
	m.type       = 10;
	assert_int_equal(coso_msg_encode(&m, &out, &olen, COSO_WIRE_MAX_LIMIT),
	    COSO_EINVAL);
	assert_null(out);
}

/* A PULL_REP's author keys: limits on both sides, every key present. */
static void
test_pull_rep_keys(void **state)
{
	struct coso_msg m, *got = NULL;
	struct coso_msg_item it[2];
	uint8_t *out = NULL, *buf;
	size_t len;

	(void) state;
	example(&m, it, COSO_MSG_PULL_REP);
	m.nkeys = COSO_WIRE_ITEMS_MAX + 1;
	assert_int_equal(
	    coso_msg_encode(&m, &out, &len, SIZE_MAX), COSO_ETOOBIG);
	m.nkeys = 2;
	m.keys  = NULL;
	assert_int_equal(
	    coso_msg_encode(&m, &out, &len, SIZE_MAX), COSO_EINVAL);
	assert_null(out);
	/* No key: an empty table, decoded as NULL. */
	m.nkeys = 0;
	buf     = encode(&m, &len);
	assert_int_equal(len, strlen(golden_hex[COSO_MSG_PULL_REP]) / 2 - 32);
	assert_int_equal(coso_msg_decode(&got, buf, len), COSO_OK);
	assert_null(got->keys);
	assert_int_equal(got->nkeys, 0);
	coso_msg_free(got);
	free(buf);
	/* Two keys claimed, one present: the items are not read as keys. */
	buf     = golden(COSO_MSG_PULL_REP, &len);
	buf[21] = 2;
	assert_int_equal(decode_rc(buf, 22 + 32 + 16), COSO_ETRUNC);
	free(buf);
}

static void
test_msg_sizes(void **state)
{
	struct coso_msg m;
	struct coso_msg_item it[2];
	uint8_t *out = NULL, *big = calloc(1, COSO_CS_MAX + 1);
	uint8_t wire[11 + 2 + 4] = {
	    COSO_WIRE_VERSION, 1, COSO_MSG_PUSH, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	size_t len, glen = strlen(golden_hex[COSO_MSG_PULL_REP]) / 2;

	(void) state;
	assert_non_null(big);
	/* The whole message against max. */
	example(&m, it, COSO_MSG_PULL_REP);
	assert_int_equal(
	    coso_msg_encode(&m, &out, &len, glen - 1), COSO_ETOOBIG);
	assert_null(out);
	assert_int_equal(coso_msg_encode(&m, &out, &len, glen), COSO_OK);
	assert_int_equal(len, glen);
	free(out);
	out = NULL;
	/* One change-set over COSO_CS_MAX, one receipt over its limit. */
	it[0].cs     = big;
	it[0].cs_len = COSO_CS_MAX + 1;
	assert_int_equal(
	    coso_msg_encode(&m, &out, &len, SIZE_MAX), COSO_ETOOBIG);
	example(&m, it, COSO_MSG_PUSH_REP);
	it[1].receipt     = big;
	it[1].receipt_len = COSO_RECEIPT_MAX + 1;
	assert_int_equal(
	    coso_msg_encode(&m, &out, &len, SIZE_MAX), COSO_ETOOBIG);
	assert_null(out);
	/* The same on the wire: the length is refused before the bytes. */
	wire[13] = 0x00;
	wire[14] = 0x04;
	wire[15] = 0x00;
	wire[16] = 0x96; /* 262294 = COSO_CS_MAX + 1 */
	assert_int_equal(decode_rc(wire, sizeof(wire)), COSO_ETOOBIG);
	wire[16] = 0x95; /* COSO_CS_MAX: within the limit, but absent */
	assert_int_equal(decode_rc(wire, sizeof(wire)), COSO_ETRUNC);
	free(big);
}

/* A PUSH_REP with one item, a receipt of r bytes, a proof of p hashes and
 * a checkpoint of c bytes, written out by hand; the length claims can be
 * set apart from what follows (claim_c, claim_p: -1 for the real ones). */
static uint8_t *
push_rep(size_t c, long claim_c, size_t r, size_t p, long claim_p, size_t *len)
{
	size_t n = 11 + 4 + c + 2 + 48 + r + 32 * p, at = 0;
	uint8_t *b  = calloc(1, n + 1);
	uint32_t cc = claim_c < 0 ? (uint32_t) c : (uint32_t) claim_c;
	static const uint8_t head[]
	    = {COSO_WIRE_VERSION, 2, COSO_MSG_PUSH_REP};

	assert_non_null(b);
	memcpy(b, head, 3);
	at        = 11;
	b[at]     = (uint8_t) (cc >> 24);
	b[at + 1] = (uint8_t) (cc >> 16);
	b[at + 2] = (uint8_t) (cc >> 8);
	b[at + 3] = (uint8_t) cc;
	at += 4;
	memset(b + at, 'n', c);
	at += c;
	b[at + 1] = 1; /* one item */
	at += 2;
	b[at] = COSO_VERDICT_ACCEPTED;
	at += 1 + 2 + 8 + 32;
	b[at + 2] = (uint8_t) (r >> 8);
	b[at + 3] = (uint8_t) r;
	at += 4;
	memset(b + at, 'r', r);
	at += r;
	b[at++] = (uint8_t) (claim_p < 0 ? (long) p : claim_p);
	memset(b + at, 0x33, 32 * p);
	at += 32 * p;
	assert_int_equal(at, n);
	*len = n;
	return b;
}

/* The checkpoint and the proofs of a PUSH_REP: their limits, checked
 * before the bytes; truncation; each only where it belongs. */
static void
test_push_rep_limits(void **state)
{
	size_t len;
	uint8_t *b;

	(void) state;
	/* The largest of each decodes; one more is refused at its claim. */
	b = push_rep(
	    COSO_NOTE_MAX, -1, COSO_RECEIPT_BYTES, COSO_PROOF_MAX, -1, &len);
	assert_int_equal(decode_rc(b, len), COSO_OK);
	free(b);
	b = push_rep(8, COSO_NOTE_MAX + 1, 114, 1, -1, &len);
	assert_int_equal(decode_rc(b, len), COSO_ETOOBIG);
	free(b);
	b = push_rep(8, COSO_NOTE_MAX, 114, 1, -1, &len);
	assert_int_equal(decode_rc(b, len), COSO_ETRUNC);
	free(b);
	b = push_rep(8, -1, 114, 1, COSO_PROOF_MAX + 1, &len);
	assert_int_equal(decode_rc(b, len), COSO_ETOOBIG);
	free(b);
	b = push_rep(8, -1, 114, 1, COSO_PROOF_MAX, &len);
	assert_int_equal(decode_rc(b, len), COSO_ETRUNC);
	free(b);
	/* Every cut is truncation, one byte more is trailing. */
	b = push_rep(8, -1, 114, 3, -1, &len);
	for (size_t n = 0; n < len; n++) {
		assert_int_equal(decode_rc(b, n), COSO_ETRUNC);
	}
	assert_int_equal(decode_rc(b, len + 1), COSO_ETRAILING);
	free(b);
	/* A proof without a receipt; a checkpoint without a receipt; a
	 * receipt without a checkpoint. */
	b = push_rep(8, -1, 0, 1, -1, &len);
	assert_int_equal(decode_rc(b, len), COSO_ESCHEMA);
	free(b);
	b = push_rep(8, -1, 0, 0, -1, &len);
	assert_int_equal(decode_rc(b, len), COSO_ESCHEMA);
	free(b);
	b = push_rep(0, -1, 114, 1, -1, &len);
	assert_int_equal(decode_rc(b, len), COSO_ESCHEMA);
	free(b);
	/* Neither: a reply of gaps and refusals. */
	b = push_rep(0, -1, 0, 0, -1, &len);
	assert_int_equal(decode_rc(b, len), COSO_OK);
	free(b);
}

/* The encoder refuses what the decoder refuses. */
static void
test_push_rep_encode_limits(void **state)
{
	static char note[COSO_NOTE_MAX + 1];
	static uint8_t proof[(COSO_PROOF_MAX + 1) * 32];
	struct coso_msg m, *got = NULL;
	struct coso_msg_item it[2];
	uint8_t *out = NULL;
	size_t len;

	(void) state;
	example(&m, it, COSO_MSG_PUSH_REP);
	m.checkpoint     = note;
	m.checkpoint_len = COSO_NOTE_MAX;
	it[1].proof      = proof;
	it[1].nproof     = COSO_PROOF_MAX;
	out              = encode(&m, &len);
	assert_int_equal(len,
	    11 + 4 + COSO_NOTE_MAX + 2 + 48 + 48 + 2 + 32 * COSO_PROOF_MAX);
	assert_int_equal(coso_msg_decode(&got, out, len), COSO_OK);
	assert_same_msg(got, &m);
	coso_msg_free(got);
	free(out);
	out              = NULL;
	m.checkpoint_len = COSO_NOTE_MAX + 1;
	assert_int_equal(
	    coso_msg_encode(&m, &out, &len, SIZE_MAX), COSO_ETOOBIG);
	m.checkpoint_len = 2;
	it[1].nproof     = COSO_PROOF_MAX + 1;
	assert_int_equal(
	    coso_msg_encode(&m, &out, &len, SIZE_MAX), COSO_ETOOBIG);
	it[1].nproof = 1;
	it[1].proof  = NULL;
	assert_int_equal(
	    coso_msg_encode(&m, &out, &len, SIZE_MAX), COSO_EINVAL);
	it[1].proof  = proof;
	it[0].proof  = proof; /* beside no receipt */
	it[0].nproof = 1;
	assert_int_equal(
	    coso_msg_encode(&m, &out, &len, SIZE_MAX), COSO_ESCHEMA);
	it[0].nproof = 0;
	m.checkpoint = NULL; /* receipts without a checkpoint */
	assert_int_equal(
	    coso_msg_encode(&m, &out, &len, SIZE_MAX), COSO_ESCHEMA);
	m.checkpoint  = "ck";
	it[1].receipt = NULL; /* a checkpoint without receipts */
	it[1].nproof  = 0;
	assert_int_equal(
	    coso_msg_encode(&m, &out, &len, SIZE_MAX), COSO_ESCHEMA);
	assert_null(out);
}

static void
test_receipt_round_trip(void **state)
{
	struct fixture *f     = *state;
	struct coso_receipt r = {.leaf_index = UINT64_C(0x0102030405060708),
	                        .received_ms = MS,
	                        .verdict     = COSO_VERDICT_DUPLICATE},
	                    got;
	uint8_t buf[COSO_RECEIPT_BYTES];

	memset(r.cs_id, 0x5a, 32);
	assert_int_equal(coso_receipt_sign(buf, f->cen, &r), COSO_OK);
	assert_int_equal(buf[0], 1);
	assert_memory_equal(buf + 1, r.cs_id, 32);
	assert_memory_equal(buf + 33, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	assert_memory_equal(buf + 41, "\x00\x00\x01\x9a\xc2\x9c\x14\x7b", 8);
	assert_int_equal(buf[49], COSO_VERDICT_DUPLICATE);
	memset(&got, 0, sizeof(got));
	assert_int_equal(
	    coso_receipt_verify(&got, buf, sizeof(buf), f->cen_pk), COSO_OK);
	assert_memory_equal(got.cs_id, r.cs_id, 32);
	assert_int_equal(got.leaf_index, r.leaf_index);
	assert_int_equal(got.received_ms, r.received_ms);
	assert_int_equal(got.verdict, r.verdict);
	r.verdict = 0;
	assert_int_equal(coso_receipt_sign(buf, f->cen, &r), COSO_EINVAL);
	r.verdict = 6;
	assert_int_equal(coso_receipt_sign(buf, f->cen, &r), COSO_EINVAL);
}

static void
test_receipt_refused(void **state)
{
	struct fixture *f     = *state;
	struct coso_receipt r = {.leaf_index = 3,
	                        .received_ms = MS,
	                        .verdict     = COSO_VERDICT_ACCEPTED},
	                    got, untouched;
	uint8_t buf[COSO_RECEIPT_BYTES + 1], copy[COSO_RECEIPT_BYTES];

	assert_int_equal(coso_receipt_sign(buf, f->cen, &r), COSO_OK);
	memset(&got, 0xee, sizeof(got));
	untouched = got;
	for (size_t i = 0; i < COSO_RECEIPT_BYTES; i++) {
		for (int bit = 0; bit < 8; bit++) {
			memcpy(copy, buf, sizeof(copy));
			copy[i] ^= (uint8_t) (1u << bit);
			assert_int_equal(coso_receipt_verify(&got, copy,
			                     sizeof(copy), f->cen_pk),
			    i == 0 ? COSO_EVERSION : COSO_EBADSIG);
		}
	}
	assert_int_equal(
	    coso_receipt_verify(&got, buf, COSO_RECEIPT_BYTES, f->dev_pk),
	    COSO_EBADSIG);
	for (size_t n = 0; n < COSO_RECEIPT_BYTES; n++) {
		assert_int_equal(
		    coso_receipt_verify(&got, buf, n, f->cen_pk), COSO_ETRUNC);
	}
	buf[COSO_RECEIPT_BYTES] = 0;
	assert_int_equal(
	    coso_receipt_verify(&got, buf, sizeof(buf), f->cen_pk),
	    COSO_ETRAILING);
	assert_memory_equal(&got, &untouched, sizeof(got));
}

static void
test_receipt_golden(void **state)
{
	struct coso_key *k    = seed_key(rfc1_seed_hex);
	struct coso_receipt r = {.leaf_index = 7,
	                        .received_ms = MS,
	                        .verdict     = COSO_VERDICT_ACCEPTED},
	                    got;
	uint8_t want[COSO_RECEIPT_BYTES], buf[COSO_RECEIPT_BYTES], pk[32];
	uint8_t seed[32], sk[64], msg[16 + 50];

	(void) state;
	unhex(r.cs_id, 32,
	    "b82ff8085fea3b18d8b3bd99e81cb471eddbc91731456824b9e6530bcbae93a"
	    "1");
	unhex(want, sizeof(want), golden_receipt_hex);
	assert_int_equal(coso_receipt_sign(buf, k, &r), COSO_OK);
	assert_memory_equal(buf, want, sizeof(want));
	coso_key_public(k, pk);
	assert_int_equal(
	    coso_receipt_verify(&got, want, sizeof(want), pk), COSO_OK);
	assert_int_equal(got.leaf_index, 7);

	/* Signed by the right key but with verdict 0: not a receipt. */
	unhex(seed, 32, rfc1_seed_hex);
	assert_int_equal(crypto_sign_seed_keypair(pk, sk, seed), 0);
	want[49] = 0;
	memcpy(msg, "coso/receipt/v1", 16);
	memcpy(msg + 16, want, 50);
	assert_int_equal(
	    crypto_sign_detached(want + 50, NULL, msg, sizeof(msg), sk), 0);
	assert_int_equal(
	    coso_receipt_verify(&got, want, sizeof(want), pk), COSO_ESCHEMA);
	sodium_memzero(sk, sizeof(sk));
	coso_key_free(k);
}

/*
 * PROOF and PROOF_REP (types 11 and 12), byte for byte as FORMAT.md
 * gives them, every truncation and a trailing byte refused, the sizes
 * and the proof's count checked on both sides.
 */
static void
test_msg_proof(void **state)
{
	static const char req_hex[] = "03010b0102030405060708"
	                              "0000000000000003000000000000000a";
	static const char rep_hex[] = "03020c0102030405060708"
	                              "0000000000000003000000000000000a02";
	uint8_t buf[128], hashes[64], *out = NULL;
	struct coso_msg m = {0}, *d = NULL;
	size_t len, n;

	(void) state;
	memset(hashes, 0x55, 32);
	memset(hashes + 32, 0x66, 32);
	m.type       = COSO_MSG_PROOF;
	m.request_id = 0x0102030405060708u;
	m.from_size  = 3;
	m.to_size    = 10;
	assert_int_equal(coso_msg_encode(&m, &out, &len, SIZE_MAX), COSO_OK);
	n = strlen(req_hex) / 2;
	unhex(buf, n, req_hex);
	assert_int_equal(len, n);
	assert_memory_equal(out, buf, n);
	free(out);
	out = NULL;
	for (size_t i = 0; i < n; i++) {
		assert_int_not_equal(decode_rc(buf, i), COSO_OK);
	}

	m.type   = COSO_MSG_PROOF_REP;
	m.proof  = hashes;
	m.nproof = 2;
	assert_int_equal(coso_msg_encode(&m, &out, &len, SIZE_MAX), COSO_OK);
	n = strlen(rep_hex) / 2;
	unhex(buf, n, rep_hex);
	memcpy(buf + n, hashes, 64);
	n += 64;
	assert_int_equal(len, n);
	assert_memory_equal(out, buf, n);
	free(out);
	out = NULL;
	assert_int_equal(coso_msg_decode(&d, buf, n), COSO_OK);
	assert_int_equal(d->from_size, 3);
	assert_int_equal(d->to_size, 10);
	assert_int_equal(d->nproof, 2);
	assert_memory_equal(d->proof, hashes, 64);
	coso_msg_free(d);
	for (size_t i = 0; i < n; i++) {
		assert_int_not_equal(decode_rc(buf, i), COSO_OK);
	}
	buf[n] = 0;
	assert_int_equal(decode_rc(buf, n + 1), COSO_ETRAILING);

	buf[27] = 65; /* a proof count over COSO_PROOF_MAX */
	assert_int_equal(decode_rc(buf, n), COSO_ETOOBIG);
	buf[27] = 2;
	buf[18] = 0; /* from 0: an empty tree commits to nothing */
	assert_int_equal(decode_rc(buf, n), COSO_ESCHEMA);
	buf[18] = 11; /* from beyond to */
	assert_int_equal(decode_rc(buf, n), COSO_ESCHEMA);

	m.from_size = 11;
	assert_int_equal(
	    coso_msg_encode(&m, &out, &len, SIZE_MAX), COSO_ESCHEMA);
	m.from_size = 3;
	m.nproof    = COSO_PROOF_MAX + 1;
	assert_int_equal(
	    coso_msg_encode(&m, &out, &len, SIZE_MAX), COSO_ETOOBIG);
	m.nproof = 1;
	m.proof  = NULL;
	assert_int_equal(
	    coso_msg_encode(&m, &out, &len, SIZE_MAX), COSO_EINVAL);
	assert_null(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_compression, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_seal_open_both_ways, setup, teardown),
	    cmocka_unit_test(test_box_is_crypto_box),
	    cmocka_unit_test_setup_teardown(
	        test_open_negated_sender, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_open_wrong_peer, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_box_refuses_bad_peer, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_frame_every_bit_flip, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_frame_every_truncation, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_frame_header_bound, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_frame_limits, setup, teardown),
	    cmocka_unit_test(test_msg_golden_round_trip),
	    cmocka_unit_test(test_msg_details),
	    cmocka_unit_test(test_msg_counts),
	    cmocka_unit_test(test_msg_truncation_trailing),
	    cmocka_unit_test(test_msg_count_claims),
	    cmocka_unit_test(test_msg_strings),
	    cmocka_unit_test(test_msg_header),
	    cmocka_unit_test(test_msg_request_id),
	    cmocka_unit_test(test_msg_item_sizes),
	    cmocka_unit_test(test_msg_enums),
	    cmocka_unit_test(test_msg_proof),
	    cmocka_unit_test(test_msg_sizes),
	    cmocka_unit_test(test_pull_rep_keys),
	    cmocka_unit_test(test_push_rep_limits),
	    cmocka_unit_test(test_push_rep_encode_limits),
	    cmocka_unit_test_setup_teardown(
	        test_receipt_round_trip, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_receipt_refused, setup, teardown),
	    cmocka_unit_test(test_receipt_golden),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
