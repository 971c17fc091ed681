/*
 * qr.c: QR codes of enrollment tokens (qr.h).  libqrencode makes the
 * matrix; the PNG is written here, with zlib's deflate and CRC.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>
#include <zlib.h>

#include <coso/common.h>

#include "qr.h"

#define MARGIN_TEXT 2 /* quiet zone in a terminal, modules */
#define MARGIN_PNG  4 /* as ISO/IEC 18004 asks, modules */
#define SCALE_MAX   32u

static QRcode *
encode(const char *text)
{
	/* Level M: a printed or photographed code survives some damage. */
	return QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
}

/* Whether module (x, y) of q is dark; outside the matrix is light. */
static int
dark(const QRcode *q, int x, int y)
{
	return x >= 0 && y >= 0 && x < q->width && y < q->width
	    && (q->data[y * q->width + x] & 1);
}

int
qr_print(FILE *f, const char *text)
{
	/* Index: light upper module (1), light lower module (2). */
	static const char *const cell[4] = {" ", "\u2580", "\u2584", "\u2588"};
	QRcode *q                        = encode(text);
	int x, y, k;

	if (q == NULL) {
		return -1;
	}
	for (y = -MARGIN_TEXT; y < q->width + MARGIN_TEXT; y += 2) {
		for (x = -MARGIN_TEXT; x < q->width + MARGIN_TEXT; x++) {
			k = (dark(q, x, y) ? 0 : 1)
			    | (dark(q, x, y + 1) ? 0 : 2);
			fputs(cell[k], f);
		}
		fputc('\n', f);
	}
	QRcode_free(q);
	return 0;
}

/* Appends a PNG chunk (length, type, data, CRC of type and data). */
static uint8_t *
chunk(uint8_t *p, const char type[4], const uint8_t *data, uint32_t len)
{
	uLong crc;

	p[0] = (uint8_t) (len >> 24), p[1] = (uint8_t) (len >> 16);
	p[2] = (uint8_t) (len >> 8), p[3] = (uint8_t) len;
	memcpy(p + 4, type, 4);
	if (len > 0) {
		memcpy(p + 8, data, len);
	}
	crc = crc32(crc32(0L, Z_NULL, 0), p + 4, len + 4);
	p += 8 + len;
	p[0] = (uint8_t) (crc >> 24), p[1] = (uint8_t) (crc >> 16);
	p[2] = (uint8_t) (crc >> 8), p[3] = (uint8_t) crc;
	return p + 4;
}

/* The image's rows, each a filter byte (0) and side grey pixels. */
static uint8_t *
raster(const QRcode *q, unsigned scale, uint32_t side, size_t *len)
{
	uint8_t *r;
	uint32_t x, y;

	*len = (size_t) side * (side + 1);
	if ((r = malloc(*len)) == NULL) {
		return NULL;
	}
	for (y = 0; y < side; y++) {
		uint8_t *row = r + (size_t) y * (side + 1);

		row[0] = 0;
		for (x = 0; x < side; x++) {
			row[1 + x] = dark(q, (int) (x / scale) - MARGIN_PNG,
			                 (int) (y / scale) - MARGIN_PNG)
			    ? 0
			    : 255;
		}
	}
	return r;
}

/* The PNG file of q: signature, IHDR, one IDAT, IEND. */
static int
png_of(const QRcode *q, unsigned scale, uint8_t **out, size_t *outlen)
{
	static const uint8_t sig[8] = {137, 'P', 'N', 'G', 13, 10, 26, 10};
	uint32_t side    = (uint32_t) (q->width + 2 * MARGIN_PNG) * scale;
	uint8_t ihdr[13] = {0}, *raw = NULL, *z = NULL, *png = NULL, *p;
	size_t rawlen;
	uLongf zlen;
	int rv = ENOMEM;

	if ((raw = raster(q, scale, side, &rawlen)) == NULL
	    || (z = malloc(zlen = compressBound(rawlen))) == NULL
	    || compress2(z, &zlen, raw, rawlen, Z_BEST_COMPRESSION) != Z_OK
	    || (png = malloc(8 + 25 + 12 + zlen + 12)) == NULL) {
		goto out;
	}
	ihdr[0] = (uint8_t) (side >> 24), ihdr[1] = (uint8_t) (side >> 16);
	ihdr[2] = (uint8_t) (side >> 8), ihdr[3] = (uint8_t) side;
	memcpy(ihdr + 4, ihdr, 4);
	ihdr[8] = 8; /* bits a sample; colour type 0, grey */
	memcpy(png, sig, 8);
	p       = chunk(png + 8, "IHDR", ihdr, 13);
	p       = chunk(p, "IDAT", z, (uint32_t) zlen);
	p       = chunk(p, "IEND", NULL, 0);
	*out    = png;
	*outlen = (size_t) (p - png);
	png     = NULL;
	rv      = 0;
out:
	free(raw);
	free(z);
	free(png);
	return rv;
}

int
qr_png(const char *path, const char *text, unsigned scale)
{
	QRcode *q    = encode(text);
	uint8_t *png = NULL;
	size_t len   = 0;
	int rv;

	if (q == NULL || scale == 0 || scale > SCALE_MAX) {
		QRcode_free(q);
		return EINVAL;
	}
	if ((rv = png_of(q, scale, &png, &len)) == 0) {
		/* errno values here: the cause files.c left */
		rv = coso_file_write(path, png, len, 0600) != COSO_OK ? errno
		                                                      : 0;
	}
	QRcode_free(q);
	free(png);
	return rv;
}
