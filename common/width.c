/*
 * width.c: how much room text takes on a terminal or a page, for tables
 * that people read (the CLI's listings, the central's reports).
 *
 * Terminal columns, not bytes or code points: a Vietnamese letter takes
 * one column with its marks, whether typed precomposed (NFC) or as a
 * letter and combining marks (NFD); CJK characters take two.
 */
#include <string.h>

#include <unistr.h>
#include <uniwidth.h>

#include <coso/common.h>

/* The columns of the character at p (n bytes left), and its bytes. */
static size_t
one(const uint8_t *p, size_t n, int *bytes)
{
	ucs4_t c;
	int w;

	if ((*bytes = u8_mbtouc(&c, p, n)) <= 0) {
		*bytes = 1;
	}
	w = uc_width(c, "UTF-8");
	return w < 0 ? 1 : (size_t) w; /* a control character: one */
}

size_t
coso_text_cols(const char *s, size_t n)
{
	const uint8_t *p = (const uint8_t *) s;
	size_t w         = 0, i;
	int k;

	for (i = 0; i < n; i += (size_t) k) {
		w += one(p + i, n - i, &k);
	}
	return w;
}

const char *
coso_text_line(const char **s, size_t cols, size_t *n)
{
	const char *start = *s, *brk = NULL;
	size_t len = strlen(start), used = 0, i = 0, w;
	int k;

	while (i < len) {
		w = one((const uint8_t *) start + i, len - i, &k);
		if (used + w > cols && used > 0) {
			break;
		}
		if (start[i] == ' ' && i > 0) {
			brk = start + i;
		}
		used += w;
		i += (size_t) k;
	}
	/* Inside a word: back to the last space (a line that ends just
	 * before a space keeps its last word). */
	if (i < len && start[i] != ' ' && brk != NULL) {
		i = (size_t) (brk - start);
	}
	*n = i;
	*s = start + i + (start[i] == ' ');
	return start;
}
