/*
 * fuzz_wire.c: the wire decoders on arbitrary bytes (proto/wire.c,
 * receipt.c).
 *
 * Every input is tried as a message plaintext, as a frame and as a
 * receipt.  A message that decodes must encode back to the very same
 * bytes.  Frames are opened with fixed boxes between the keys of RFC 8032
 * tests 1 (a device) and 2 (the central), so the sealed frames of the seed
 * corpus reach the success path; what opens is then decoded too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <coso/proto.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t dev_seed[32]
    = {0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4,
        0x92, 0xec, 0x2c, 0xc4, 0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19,
        0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60};
static const uint8_t cen_seed[32]
    = {0x4c, 0xcd, 0x08, 0x9b, 0x28, 0xff, 0x96, 0xda, 0x9d, 0xb6, 0xc3, 0x46,
        0xec, 0x11, 0x4e, 0x0f, 0x5b, 0x8a, 0x31, 0x9f, 0x35, 0xab, 0xa6, 0x24,
        0xda, 0x8c, 0xf6, 0xed, 0x4f, 0xb8, 0xa6, 0xfb};

/* Built once for the whole run: the fuzzer's only state. */
struct peers {
	uint8_t dev_pk[32], cen_pk[32];
	struct coso_box *at_dev; /* the device's box, for the central */
	struct coso_box *at_cen; /* the central's box, for the device */
};

static const struct peers *
peers(void)
{
	static struct peers p;
	static int ready;
	struct coso_key *dev = NULL, *cen = NULL;

	if (ready) {
		return &p;
	}
	if (coso_key_from_seed(&dev, dev_seed) != COSO_OK
	    || coso_key_from_seed(&cen, cen_seed) != COSO_OK) {
		abort();
	}
	coso_key_public(dev, p.dev_pk);
	coso_key_public(cen, p.cen_pk);
	if (coso_box_new(&p.at_dev, dev, p.cen_pk) != COSO_OK
	    || coso_box_new(&p.at_cen, cen, p.dev_pk) != COSO_OK) {
		abort();
	}
	coso_key_free(dev);
	coso_key_free(cen);
	ready = 1;
	return &p;
}

/* Decodes a plaintext; a success must re-encode to the same bytes. */
static void
fuzz_msg(const uint8_t *data, size_t size)
{
	struct coso_msg *m = NULL;
	uint8_t *out       = NULL;
	size_t out_len     = 0;

	if (coso_msg_decode(&m, data, size) != COSO_OK) {
		return;
	}
	if (m->nitems > COSO_WIRE_ITEMS_MAX
	    || coso_msg_encode(m, &out, &out_len, SIZE_MAX) != COSO_OK
	    || out_len != size || memcmp(out, data, size) != 0) {
		abort();
	}
	free(out);
	coso_msg_free(m);
}

static void
fuzz_frame(const struct peers *p, const uint8_t *data, size_t size)
{
	enum coso_wire_kind kind;
	const struct coso_box *box;
	uint8_t sender[32], *plain = NULL;
	size_t plain_len = 0;
	int zstd;

	if (coso_wire_peek(data, size, &kind, sender) != COSO_OK) {
		return;
	}
	if ((kind != COSO_WIRE_REQUEST && kind != COSO_WIRE_REPLY)
	    || memcmp(sender, data + 2, 32) != 0) {
		abort();
	}
	/* The box for the claimed sender; a stranger meets the central's. */
	box = memcmp(sender, p->cen_pk, 32) == 0 ? p->at_dev : p->at_cen;
	if (coso_wire_open(
	        &plain, &plain_len, box, data, size, COSO_WIRE_MAX_LIMIT)
	    != COSO_OK) {
		return;
	}
	/* A compressed frame (kind bit 7) opens to more than it boxes. */
	zstd = (data[1] & 0x80) != 0;
	if ((!zstd && plain_len != size - COSO_WIRE_OVERHEAD)
	    || plain[0] != data[0] || plain[1] != (data[1] & 0x7f)) {
		abort();
	}
	fuzz_msg(plain, plain_len);
	free(plain);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct peers *p = peers();
	struct coso_receipt r;

	fuzz_msg(data, size);
	fuzz_frame(p, data, size);
	if (coso_receipt_verify(&r, data, size, p->cen_pk) == COSO_OK
	    && (size != COSO_RECEIPT_BYTES || r.verdict < 1 || r.verdict > 5
	        || memcmp(r.cs_id, data + 1, 32) != 0)) {
		abort();
	}
	return 0;
}
