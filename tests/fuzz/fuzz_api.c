/*
 * fuzz_api.c: libFuzzer target for coso-audit's reading of the central's
 * answers (client/audit/api.c): the input is served as the body of every
 * request, through the transport seam of struct fetch, and each API
 * reader must either accept it within its limits or refuse it with
 * AUDIT_BAD, never crash or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../client/audit/audit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t *in;
static size_t in_len;

static int
canned(struct fetch *f, const char *path, size_t max, char **body, size_t *len)
{
	(void) path;
	if (in_len > max) {
		snprintf(f->err, sizeof(f->err), "over %zu bytes", max);
		return AUDIT_BAD;
	}
	if ((*body = malloc(in_len + 1)) == NULL) {
		return AUDIT_MEM;
	}
	memcpy(*body, in, in_len);
	(*body)[in_len] = '\0';
	*len            = in_len;
	return AUDIT_OK;
}

static void
check(int rv)
{
	if (rv != AUDIT_OK && rv != AUDIT_BAD && rv != AUDIT_MEM) {
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fetch f = {.get = canned};
	uint8_t proof[COSO_PROOF_MAX][32];
	struct api_tables tables;
	struct api_page page;
	struct api_keys keys;
	struct api_notes notes;
	char err[AUDIT_ERR_MAX], hex[65];
	uint64_t n;
	size_t count, i;
	int rv;

	in     = data;
	in_len = size;
	rv     = api_entries(&f, 0, API_PAGE_MAX, &page, err);
	check(rv);
	if (rv == AUDIT_OK) {
		for (i = 0; i < page.n; i++) {
			if (page.e[i].cs_len > COSO_CS_MAX + 3
			    || page.e[i].leaf_len > COSO_LEAF_BYTES) {
				abort();
			}
		}
	}
	api_page_free(&page);
	rv = api_keys(&f, &keys, err);
	check(rv);
	api_keys_free(&keys);
	rv = api_consistency(&f, 1, 2, proof, &count, err);
	check(rv);
	if (rv == AUDIT_OK && count > COSO_PROOF_MAX) {
		abort();
	}
	rv = api_digest(&f, &n, hex, &tables, err);
	check(rv);
	if (rv == AUDIT_OK
	    && (tables.n > API_TABLES_MAX || strlen(hex) != 64)) {
		abort();
	}
	rv = api_checkpoints(&f, 5, API_NOTES_MAX, &notes, err);
	check(rv);
	for (i = 0; rv == AUDIT_OK && i < notes.n; i++) {
		/* Ascending from 5 on, each note within its limit. */
		if (notes.c[i].size < 5 + i || notes.c[i].len == 0
		    || notes.c[i].len > COSO_NOTE_MAX
		    || strlen(notes.c[i].note) > notes.c[i].len
		    || (i > 0 && notes.c[i].size <= notes.c[i - 1].size)) {
			abort();
		}
	}
	api_notes_free(&notes);
	return 0;
}
