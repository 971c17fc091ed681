/*
 * fuzz_csv.c: the unit-list CSV reader on arbitrary bytes.  Every record
 * it accepts has exactly CSV_FIELDS NUL-terminated fields within
 * CSV_FIELD_MAX, and it always makes progress.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "../../client/lib/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char f[CSV_FIELDS][CSV_FIELD_MAX + 1];
	struct cosoi_csv c
	    = {(const char *) data, (const char *) data + size, 0};
	const char *before;
	int r, i;

	do {
		before = c.p;
		r      = cosoi_csv_record(&c, f);
		assert(c.p <= c.end);
		if (r == 1) {
			assert(c.p > before);
			for (i = 0; i < CSV_FIELDS; i++) {
				assert(strlen(f[i]) <= CSV_FIELD_MAX);
			}
		}
	} while (r == 1);
	return 0;
}
