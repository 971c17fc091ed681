/*
 * fuzz_gossip.c: libFuzzer target for the gossip file a device exports
 * (`coso receipts export') and `coso-audit gossip' reads.  Errors must be
 * documented ones; a decoded file must be within its limits and encode
 * back to exactly its bytes.
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
	    || rc == COSO_ETOOBIG || rc == COSO_ESCHEMA
	    || rc == COSO_ETRAILING;
}

static void
check_limits(const struct coso_gossip *g)
{
	size_t i;

	if (g->nnotes > COSO_GOSSIP_NOTES_MAX
	    || g->nreceipts > COSO_GOSSIP_RECEIPTS_MAX
	    || g->nevidence > COSO_GOSSIP_EVIDENCE_MAX) {
		abort();
	}
	for (i = 0; i < g->nnotes; i++) {
		if (g->notes[i].len == 0 || g->notes[i].len > COSO_NOTE_MAX) {
			abort();
		}
	}
	for (i = 0; i < g->nreceipts; i++) {
		if (g->receipts[i].tree_size == 0
		    || g->receipts[i].nproof > COSO_PROOF_MAX) {
			abort();
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct coso_gossip *g = NULL;
	uint8_t *again        = NULL;
	size_t len            = 0;
	int rc                = coso_gossip_decode(&g, data, size);

	if (!documented(rc) || (rc == COSO_OK) != (g != NULL)) {
		abort();
	}
	if (rc != COSO_OK) {
		return 0;
	}
	check_limits(g);
	if (coso_gossip_encode(g, &again, &len) != COSO_OK || len != size
	    || memcmp(again, data, size) != 0) {
		abort();
	}
	free(again);
	coso_gossip_free(g);
	return 0;
}
