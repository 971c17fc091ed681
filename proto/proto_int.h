/*
 * proto_int.h: declarations shared inside the proto library only.
 */
#ifndef COSO_PROTO_INT_H
#define COSO_PROTO_INT_H

#include <stdint.h>

#include <coso/proto.h>

/* Big-endian stores and loads used by the byte formats. */
static inline void
cosoi_put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t) (v >> 24);
	p[1] = (uint8_t) (v >> 16);
	p[2] = (uint8_t) (v >> 8);
	p[3] = (uint8_t) v;
}

static inline void
cosoi_put_u64(uint8_t *p, uint64_t v)
{
	cosoi_put_u32(p, (uint32_t) (v >> 32));
	cosoi_put_u32(p + 4, (uint32_t) v);
}

static inline uint32_t
cosoi_get_u32(const uint8_t *p)
{
	return ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16)
	    | ((uint32_t) p[2] << 8) | (uint32_t) p[3];
}

static inline uint64_t
cosoi_get_u64(const uint8_t *p)
{
	return ((uint64_t) cosoi_get_u32(p) << 32) | cosoi_get_u32(p + 4);
}

/*
 * The X25519 secret key of an Ed25519 key, for crypto_box (wire.c).  The
 * caller wipes x_sk with sodium_memzero on every path.
 */
COSO_NODISCARD int cosoi_key_x25519(
    const struct coso_key *k, uint8_t x_sk[static 32]);

/*
 * The signed-note readers of checkpoint.c, for cosig.c and witness.c
 * (same results as there): a key name; canonical padded base64 of len
 * characters into at most max bytes; a key id in 8 lowercase hex digits;
 * a whole note checked (size, UTF-8, controls, final newline) and split
 * at its last blank line (*split: the text's length); a checkpoint's
 * text; one signature line (blob: at most COSOI_NOTE_DECODE_MAX bytes);
 * the next line of s from *pos.
 */
#define COSOI_NOTE_DECODE_MAX (COSO_NOTE_MAX / 4u * 3u)
int cosoi_note_valid_name(const char *s, size_t n);
COSO_NODISCARD int cosoi_note_b64(
    const char *s, size_t len, uint8_t *out, size_t max, size_t *n);
COSO_NODISCARD int cosoi_note_key_id_hex(
    const char *s, size_t len, uint8_t id[static 4]);
COSO_NODISCARD int cosoi_note_split(
    const char *note, size_t len, size_t *split);
COSO_NODISCARD int cosoi_note_text(
    struct coso_checkpoint *cp, const char *text, size_t tlen);
COSO_NODISCARD int cosoi_note_sig_line(const char *l, size_t n,
    const char **name, size_t *nlen,
    uint8_t blob[static COSOI_NOTE_DECODE_MAX], size_t *blen);
int cosoi_note_next_line(
    const char *s, size_t len, size_t *pos, const char **line, size_t *llen);

#endif /* COSO_PROTO_INT_H */
