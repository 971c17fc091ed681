/*
 * detail.c: the client library's English sentences in the cadre's
 * language.
 *
 * The library writes its messages with printf formats it keeps in English
 * (libraries never speak a language); coso_store_errfmt gives the format
 * a sentence was made from.  The catalogue holds translations of those
 * formats (`make pot' extracts them from client/lib), so the arguments
 * are read back out of the sentence by matching it against the format,
 * and put into the translated one in the same order.
 */
#include <string.h>

#include "detail.h"
#include "i18n.h"
#include "session.h"

#define ARGS_MAX 8

struct args {
	const char *p[ARGS_MAX];
	size_t len[ARGS_MAX];
	size_t n;
};

/* Skips one conversion after `%' ("s", "llu", ".300s", "zu"); returns its
 * letter and sets *next past it, or 0 for a conversion not handled. */
static char
conversion(const char *f, const char **next)
{
	f += strspn(f, "-+ #0123456789.$");
	f += strspn(f, "hlzjt");
	if (*f == 0 || strchr("sdiu", *f) == NULL) {
		return 0;
	}
	*next = f + 1;
	return *f;
}

/* Whether the k characters at m are digits, a sign first: the start of
 * what a numeric conversion printed; the whole of it if it ends in a
 * digit (number). */
static int
number_start(const char *m, size_t k)
{
	size_t i;

	for (i = 0; i < k; i++) {
		if (!(m[i] >= '0' && m[i] <= '9')
		    && !(i == 0 && m[i] == '-')) {
			return 0;
		}
	}
	return 1;
}

static int
number(const char *m, size_t k)
{
	return k > 0 && number_start(m, k) && m[k - 1] >= '0'
	    && m[k - 1] <= '9';
}

/* Whether m matches the format f from here, capturing the arguments
 * (backtracking: an argument takes as little text as lets the rest
 * match). */
static int
match(const char *f, const char *m, struct args *a)
{
	const char *next;
	size_t k, n;
	char c;

	while (*f != 0 && (*f != '%' || f[1] == '%')) {
		f += *f == '%'; /* "%%" is one `%' */
		if (*f++ != *m++) {
			return 0;
		}
	}
	if (*f == 0) {
		return *m == 0;
	}
	if ((c = conversion(f + 1, &next)) == 0 || a->n == ARGS_MAX) {
		return 0;
	}
	n       = a->n++;
	a->p[n] = m;
	for (k = 0;; k++) {
		a->len[n] = k;
		if ((c == 's' || number(m, k)) && match(next, m + k, a)) {
			return 1;
		}
		if (m[k] == 0 || (c != 's' && !number_start(m, k + 1))) {
			break;
		}
	}
	a->n = n;
	return 0;
}

/* Appends s to out (cap bytes, *len so far), cut if it is full. */
static void
put(char *out, size_t cap, size_t *len, const char *s, size_t n)
{
	if (*len + n >= cap) {
		n = cap - 1 - *len;
	}
	memcpy(out + *len, s, n);
	*len += n;
	out[*len] = 0;
}

/* The translated format tr with the captured arguments in its
 * conversions, in order or by position ("%2$s"); an argument that is
 * one of the error sentences ("wrong passphrase") is translated too. */
static void
fill(const char *tr, const struct args *a, char *out, size_t cap)
{
	char arg[COSO_ERRMSG_MAX];
	const char *next, *t;
	size_t len = 0, i = 0, at, n;

	out[0] = 0;
	for (; *tr != 0; tr++) {
		if (*tr != '%' || tr[1] == '%') {
			tr += *tr == '%';
			put(out, cap, &len, tr, 1);
			continue;
		}
		at = tr[1] >= '1' && tr[1] <= '9' && tr[2] == '$'
		    ? (size_t) (tr[1] - '1')
		    : i++;
		if (conversion(tr + 1, &next) == 0 || at >= a->n) {
			return;
		}
		n = a->len[at] < sizeof(arg) ? a->len[at] : sizeof(arg) - 1;
		memcpy(arg, a->p[at], n);
		arg[n] = 0;
		t      = cli_sentence(arg);
		put(out, cap, &len, t, strlen(t));
		tr = next - 1;
	}
}

const char *
cli_detail(const char *fmt, const char *msg, char *out, size_t cap)
{
	struct args a = {0};
	const char *tr;

	if (fmt == NULL || msg == NULL || cap == 0) {
		return NULL;
	}
	if (strcmp(fmt, "%s") == 0) {
		tr = cli_sentence(msg);
		return tr != msg ? tr : NULL;
	}
	tr = gettext(fmt);
	if (tr == fmt || !match(fmt, msg, &a)) {
		return NULL;
	}
	fill(tr, &a, out, cap);
	return out;
}
