/*
 * wipe.c: jansson's blocks zeroed when freed (wipe.h).
 *
 * jansson's free function is given the block alone, not its size: the
 * size is kept in a header in front of the block.  The header is as
 * large as max_align_t so that the block handed out stays aligned for
 * any type, as malloc's are.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>
#include <sodium.h>

#include "wipe.h"

#define HDR sizeof(max_align_t)

void *
app_wipe_malloc(size_t n)
{
	unsigned char *p;

	if (n > SIZE_MAX - HDR || (p = malloc(HDR + n)) == NULL) {
		return NULL;
	}
	*(size_t *) (void *) p = n;
	return p + HDR;
}

void
app_wipe_free(void *block)
{
	unsigned char *p;

	if (block == NULL) {
		return;
	}
	p = (unsigned char *) block - HDR;
	sodium_memzero(p, HDR + *(size_t *) (void *) p);
	free(p);
}

void
app_json_wipe_install(void)
{
	json_set_alloc_funcs(app_wipe_malloc, app_wipe_free);
}

void
app_json_free(void *p)
{
	json_free_t f = free;

	json_get_alloc_funcs(NULL, &f);
	if (p != NULL) {
		f(p);
	}
}
