/*
 * proposals.c: whether a report's proposals section says there are none.
 * The device (no tracked proposal from it) and the central (a report
 * without proposals in the compliance figures) must read it alike.
 */
#include <stdlib.h>
#include <string.h>

#include <unicase.h>
#include <uninorm.h>

#include <coso/common.h>

/* What a proposals section says when there are none, in lower case,
 * without spaces and full stops at its ends (NFC). */
static const char *const none_phrases[] = {
    "không có kiến nghị",
    "không có kiến nghị, đề xuất",
    "không có kiến nghị đề xuất",
    "không có đề xuất",
    "không có đề xuất, kiến nghị",
    "không có",
    "không",
    "none",
    "no proposals",
};

int
coso_proposals_none(const char *text)
{
	const char *end;
	uint8_t *low;
	size_t n, len = 0, i;
	int none = 0;

	if (text == NULL) {
		return 0;
	}
	text += strspn(text, " \t\r\n");
	for (end = text + strlen(text);
	     end > text && strchr(" \t\r\n.", end[-1]) != NULL; end--) { }
	n = (size_t) (end - text);
	if (n == 0 || n > 64) {
		return 0;
	}
	low = u8_tolower(
	    (const uint8_t *) text, n, NULL, UNINORM_NFC, NULL, &len);
	for (i = 0; low != NULL && !none
	     && i < sizeof(none_phrases) / sizeof(none_phrases[0]);
	     i++) {
		none = strlen(none_phrases[i]) == len
		    && memcmp(none_phrases[i], low, len) == 0;
	}
	free(low);
	return none;
}
