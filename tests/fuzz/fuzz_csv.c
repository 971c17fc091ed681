/*
 * fuzz_csv.c: the unit-list CSV reader on arbitrary bytes.  Every record
 * it accepts has exactly the fields asked for (1 to CSV_FIELDS, from the
 * first byte: the unit list has 5, the merger mapping 2), each
 * NUL-terminated within CSV_FIELD_MAX, none read from bytes holding a NUL
 * (which would cut a value short unseen), a refusal always says why, and
 * it always makes progress.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char f[CSV_FIELDS][CSV_FIELD_MAX + 1];
	struct cosoi_csv c
	    = {(const char *) data, (const char *) data + size, 0, NULL};
	size_t n = size > 0 ? 1 + data[0] % CSV_FIELDS : CSV_FIELDS, i;
	const char *before;
	int r;

	do {
		before = c.p;
		r      = n == CSV_FIELDS ? cosoi_csv_record(&c, f)
		                         : cosoi_csv_fields(&c, f, n);
		assert(c.p <= c.end);
		if (r == 1) {
			assert(c.p > before);
			assert(memchr(before, 0, (size_t) (c.p - before))
			    == NULL);
			for (i = 0; i < n; i++) {
				assert(strlen(f[i]) <= CSV_FIELD_MAX);
			}
		}
		assert(r != -1 || c.why != NULL);
	} while (r == 1);
	return 0;
}
