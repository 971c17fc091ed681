/*
 * errors.c: sentences for the client library's error codes.
 */
#include "internal.h"

static const char *const messages[] = {
    [COSO_ESTORE - COSO_ESTORE]   = "store database failure",
    [COSO_ENEWER - COSO_ESTORE]   = "store written by a newer coso",
    [COSO_EUNIT - COSO_ESTORE]    = "unknown unit",
    [COSO_EDATE - COSO_ESTORE]    = "malformed or out-of-range date",
    [COSO_EPERIOD - COSO_ESTORE]  = "malformed period",
    [COSO_EFIELD - COSO_ESTORE]   = "missing or malformed field",
    [COSO_ESTATE - COSO_ESTORE]   = "not allowed in this state",
    [COSO_ECSV - COSO_ESTORE]     = "malformed CSV",
    [COSO_ENOSTORE - COSO_ESTORE] = "no coso store there",
    [COSO_ENET - COSO_ESTORE]     = "central unreachable",
    [COSO_EREFUSED - COSO_ESTORE] = "refused by the central",
    [COSO_ENOPIN - COSO_ESTORE]   = "no central key pinned",
    [COSO_EPROTO - COSO_ESTORE]   = "malformed or forged reply",
    [COSO_ESTOPPED - COSO_ESTORE] = "stopped",
};

const char *
coso_client_strerror(int err)
{
	size_t n = sizeof(messages) / sizeof(messages[0]);

	if (err >= COSO_ESTORE && (size_t) (err - COSO_ESTORE) < n) {
		return messages[err - COSO_ESTORE];
	}
	return coso_strerror(err);
}
