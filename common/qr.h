/*
 * qr.h: an enrollment token as a QR code, for the office to hand to a
 * cadre's phone or print: in the terminal, or as a PNG file.  The code
 * holds the text as it is (the 64 hex digits `coso enroll --token-qr'
 * reads back).
 */
#ifndef COSO_COMMON_QR_H
#define COSO_COMMON_QR_H

#include <stdio.h>

/* Prints text's QR code onto f with Unicode half blocks, two rows of
 * modules a line, the light modules drawn (as `qrencode -t UTF8' does),
 * so that it reads on a dark terminal.  0, or -1 if it cannot be
 * encoded. */
int qr_print(FILE *f, const char *text);

/* Writes text's QR code to path as a PNG (8-bit grey, scale pixels a
 * module, a quiet zone of 4 modules), mode 0600: it holds a secret.  0,
 * or an errno value (EINVAL: it cannot be encoded). */
int qr_png(const char *path, const char *text, unsigned scale);

#endif /* COSO_COMMON_QR_H */
