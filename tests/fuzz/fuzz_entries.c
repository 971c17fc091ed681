/*
 * fuzz_entries.c: libFuzzer target for the entries file's header and
 * entry heads, read the way `cosod central rebuild --entries` reads them:
 * a header, then heads each followed by its change-set bytes.  Errors
 * must be documented ones; a decoded head must be within the limits and
 * re-encode to the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <coso/proto.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
documented(int rc)
{
	return rc == COSO_OK || rc == COSO_ETRUNC || rc == COSO_EVERSION
	    || rc == COSO_ETOOBIG || rc == COSO_EINVAL || rc == COSO_ESCHEMA;
}

static void
heads(const uint8_t *p, size_t n)
{
	uint8_t again[COSO_ENTRY_HEAD];
	struct coso_entry e;
	int rc;

	while (n >= COSO_ENTRY_HEAD) {
		rc = coso_entry_head_decode(&e, p);
		if (!documented(rc)) {
			abort();
		}
		if (rc != COSO_OK) {
			return;
		}
		if (e.cs_len > COSO_CS_MAX || e.cs_len < COSO_CS_OVERHEAD
		    || e.cs != NULL) {
			abort();
		}
		coso_entry_head_encode(again, &e);
		if (memcmp(again, p, COSO_ENTRY_HEAD) != 0) {
			abort();
		}
		if (n - COSO_ENTRY_HEAD < e.cs_len) {
			return;
		}
		p += COSO_ENTRY_HEAD + e.cs_len;
		n -= COSO_ENTRY_HEAD + e.cs_len;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t pk[32], again[COSO_ENTRIES_HEADER_MAX];
	char origin[COSO_ORIGIN_MAX + 1];
	size_t used = 0, len;
	int rc;

	rc = coso_entries_header_decode(data, size, pk, origin, &used);
	if (!documented(rc)) {
		abort();
	}
	if (rc != COSO_OK) {
		return 0;
	}
	if (used > size || strlen(origin) == 0
	    || strlen(origin) > COSO_ORIGIN_MAX
	    || coso_entries_header_encode(again, &len, pk, origin) != COSO_OK
	    || len != used || memcmp(again, data, used) != 0) {
		abort();
	}
	heads(data + used, size - used);
	return 0;
}
