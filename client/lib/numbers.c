/*
 * numbers.c: decimal numbers as people type them, in Vietnamese
 * (1.500.000 and 2,5) or in the ISO/English way (1500000 and 2.5).
 *
 * Vietnamese groups thousands with a dot and writes a decimal comma;
 * English does the opposite.  Where the two readings of a number differ
 * and both make sense ("1.500": 1500 or 1.5), it is refused rather than
 * guessed: a wrong quantity or amount signed into the log cannot be
 * taken back, only corrected.
 */
#include <string.h>

#include "internal.h"

/* A candidate reading: integer digits and fraction digits, separators
 * removed. */
struct reading {
	char digits[40];
	size_t nint, nfrac;
};

/* Integer digits in groups of three after a first group of one to three
 * (no leading zero): "1.500.000" with sep '.'.  Appends the digits to r.
 * 0, or -1 if the grouping is wrong. */
static int
grouped(const char *s, size_t len, char sep, struct reading *r)
{
	size_t i, run = 0, groups = 0;

	if (len == 0 || s[0] == '0' || s[0] == sep) {
		return -1;
	}
	for (i = 0; i <= len; i++) {
		if (i == len || s[i] == sep) {
			if (run == 0 || run > 3 || (groups > 0 && run != 3)) {
				return -1;
			}
			groups++;
			run = 0;
			continue;
		}
		if (s[i] < '0' || s[i] > '9'
		    || r->nint >= sizeof(r->digits) - 1) {
			return -1;
		}
		r->digits[r->nint++] = s[i];
		run++;
	}
	return 0;
}

/* Plain digits into r (integer part if frac is 0, else fraction). */
static int
plain(const char *s, size_t len, int frac, struct reading *r)
{
	size_t *n = frac ? &r->nfrac : &r->nint;

	if (len == 0 || r->nint + r->nfrac + len >= sizeof(r->digits)
	    || strspn(s, "0123456789") < len) {
		return -1;
	}
	memcpy(r->digits + r->nint + r->nfrac, s, len);
	*n += len;
	return 0;
}

/* The reading's value scaled by 10^scale, if it has at most scale
 * fraction digits and lies in [min, max] with its sign. */
static int
value(const struct reading *r, int neg, unsigned scale, int64_t min,
    int64_t max, int64_t *out)
{
	int64_t v = 0;
	size_t i, nfrac = r->nfrac;

	/* "2,50" is 2.5 where a tenth is the unit; but a number of whole
	 * units (scale 0) has no decimal mark: "1.000" is a thousand. */
	while (scale > 0 && nfrac > scale
	    && r->digits[r->nint + nfrac - 1] == '0') {
		nfrac--;
	}
	if (nfrac > scale) {
		return COSO_EFIELD;
	}
	for (i = 0; i < r->nint + scale; i++) {
		int d = i < r->nint + nfrac ? r->digits[i] - '0' : 0;

		if (v > (INT64_MAX - d) / 10) {
			return COSO_ETOOBIG;
		}
		v = v * 10 + d;
	}
	v = neg ? -v : v;
	if (v < min || v > max) {
		return COSO_ETOOBIG;
	}
	*out = v;
	return COSO_OK;
}

/* One separator kind, once: "1.500" is 1500 (a thousands group) or 1.5
 * (a decimal mark); whichever reading is possible, else neither. */
static int
one_mark(const char *s, size_t len, size_t at, int neg, unsigned scale,
    int64_t min, int64_t max, int64_t *out)
{
	struct reading dec = {0}, thou = {0};
	int64_t vd = 0, vt = 0;
	int ed, et;

	ed = plain(s, at, 0, &dec) == 0
	        && plain(s + at + 1, len - at - 1, 1, &dec) == 0
	    ? value(&dec, neg, scale, min, max, &vd)
	    : COSO_EFIELD;
	et = len - at - 1 == 3 && grouped(s, len, s[at], &thou) == 0
	    ? value(&thou, neg, scale, min, max, &vt)
	    : COSO_EFIELD;
	if (ed == COSO_OK && et == COSO_OK && vd != vt) {
		return COSO_EINVAL;
	}
	if (ed == COSO_OK || et == COSO_OK) {
		*out = ed == COSO_OK ? vd : vt;
		return COSO_OK;
	}
	return ed == COSO_ETOOBIG || et == COSO_ETOOBIG ? COSO_ETOOBIG
	                                                : COSO_EFIELD;
}

/* The index of the last c in s[0..len), or len if none. */
static size_t
last(const char *s, size_t len, char c)
{
	size_t i = len;

	while (i > 0 && s[i - 1] != c) {
		i--;
	}
	return i > 0 ? i - 1 : len;
}

/* Both marks: the later one is the decimal mark, once ("1.234,5",
 * "1,234.5"); the other groups the thousands before it. */
static int
two_marks(const char *s, size_t len, struct reading *r)
{
	size_t d = last(s, len, '.'), c = last(s, len, ',');
	size_t at = d > c ? d : c;
	char mark = s[at], group = mark == '.' ? ',' : '.';

	if (memchr(s, mark, at) != NULL || grouped(s, at, group, r) != 0
	    || plain(s + at + 1, len - at - 1, 1, r) != 0) {
		return -1;
	}
	return 0;
}

int
coso_number_parse(
    const char *s, unsigned scale, int64_t min, int64_t max, int64_t *out)
{
	struct reading r = {0};
	size_t len, dot, comma, at;
	int neg = 0;

	if (s == NULL || scale > 18) {
		return COSO_EFIELD;
	}
	s += strspn(s, " \t");
	if (*s == '-' && min < 0) {
		neg = 1;
		s++;
	}
	len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t')) {
		len--;
	}
	if (len == 0 || s[0] < '0' || s[0] > '9'
	    || strspn(s, "0123456789.,") < len) {
		return COSO_EFIELD;
	}
	dot   = last(s, len, '.');
	comma = last(s, len, ',');
	if (dot == len && comma == len) {
		return plain(s, len, 0, &r) == 0
		    ? value(&r, neg, scale, min, max, out)
		    : COSO_EFIELD;
	}
	if (dot != len && comma != len) {
		return two_marks(s, len, &r) == 0
		    ? value(&r, neg, scale, min, max, out)
		    : COSO_EFIELD;
	}
	at = dot != len ? dot : comma;
	if (memchr(s, s[at], at) != NULL) {
		/* The mark twice or more: thousands groups, an integer. */
		return grouped(s, len, s[at], &r) == 0
		    ? value(&r, neg, scale, min, max, out)
		    : COSO_EFIELD;
	}
	return one_mark(s, len, at, neg, scale, min, max, out);
}
