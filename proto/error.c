/*
 * error.c: the one table of error sentences.
 */
#include <coso/proto.h>

/* Marks the sentences for the CLI's message catalogue (po/po.mk); the
 * library itself stays English. */
#define N_(s) s

static const char *const messages[] = {
    [COSO_OK]        = N_("success"),
    [COSO_ENOMEM]    = N_("out of memory"),
    [COSO_EINVAL]    = N_("invalid argument"),
    [COSO_ETOOBIG]   = N_("too large"),
    [COSO_ETRUNC]    = N_("truncated"),
    [COSO_ETRAILING] = N_("unexpected bytes after the end"),
    [COSO_EVERSION]  = N_("unknown format version"),
    [COSO_EBADSIG]   = N_("bad signature"),
    [COSO_EWRONGKEY] = N_("signed by a different key"),
    [COSO_ENONCANON] = N_("not in canonical encoding"),
    [COSO_ESCHEMA]   = N_("does not match the schema"),
    [COSO_EUTF8]     = N_("invalid UTF-8"),
    [COSO_ENFC]      = N_("text not in Unicode NFC"),
    [COSO_EKEYFILE]  = N_("damaged or malformed key file"),
    [COSO_EKEYTYPE]  = N_("wrong type of key file"),
    [COSO_EPASSWORD] = N_("wrong passphrase"),
    [COSO_ENEEDPASS] = N_("passphrase required"),
    [COSO_ECLOCK]    = N_("clock value out of range"),
    [COSO_ECRYPTO]   = N_("cryptographic library failure"),
    [COSO_ECHAIN]    = N_("broken change-set chain"),
    [COSO_EIO]       = N_("input/output error"),
    [COSO_ENOENT]    = N_("not found"),
    [COSO_EEXIST]    = N_("already exists"),
    [COSO_EPERM]     = N_("the file is open to other users"),
    [COSO_ESTORE]    = N_("store database failure"),
    [COSO_ENEWER]    = N_("store written by a newer coso"),
    [COSO_EUNIT]     = N_("unknown unit"),
    [COSO_EDATE]     = N_("malformed or out-of-range date"),
    [COSO_EPERIOD]   = N_("malformed period"),
    [COSO_EFIELD]    = N_("missing or malformed field"),
    [COSO_ESTATE]    = N_("not allowed in this state"),
    [COSO_ECSV]      = N_("malformed CSV"),
    [COSO_ENOSTORE]  = N_("no coso store there"),
    [COSO_ENET]      = N_("central unreachable"),
    [COSO_EREFUSED]  = N_("refused by the central"),
    [COSO_ENOPIN]    = N_("no central key pinned"),
    [COSO_EPROTO]    = N_("malformed or forged reply"),
    [COSO_ESTOPPED]  = N_("stopped"),
    [COSO_QFORK]     = N_("another change-set with the same author and seq "
                              "(a device restored from backup or a cloned key)"),
    [COSO_QUNAUTH]   = N_("author not assigned to that unit on that date"),
    [COSO_QADMIN]    = N_("admin table written without an admin key"),
    [COSO_QREVOKED]  = N_("the author's key is revoked"),
    [COSO_QAUTHOR]   = N_("change-set author is not the sender"),
    [COSO_QUNKNOWN]  = N_("key not enrolled"),
    [COSO_QTOKEN]    = N_("enrollment token unknown, used or expired"),
    [COSO_QREF]      = N_("refers to a record that does not exist"),
    [COSO_QIMMUT]    = N_("changes a record that never changes"),
    [COSO_EBUSY]     = N_("central busy or shutting down; retry"),
    [COSO_QAMEND]    = N_("amends a record of another cadre, or of a unit "
                             "the author was not assigned to on its date"),
    [COSO_QUNITDATE] = N_("the unit did not exist on that date (it had ended "
                          "or was merged into another)"),
};

_Static_assert(sizeof(messages) / sizeof(messages[0]) == COSO_QUNITDATE + 1,
    "the table reaches the last code");

const char *
coso_strerror(int err)
{
	if (err < 0 || (size_t) err >= sizeof(messages) / sizeof(messages[0])
	    || messages[err] == NULL) {
		return "unknown error";
	}
	return messages[err];
}

/* The names the central's stats and the devices give a quarantine
 * reason; they stay as they are once published. */
static const struct {
	int code;
	const char *name;
} reason_names[] = {
    {COSO_QFORK, "fork"},
    {COSO_QUNAUTH, "unassigned"},
    {COSO_QADMIN, "not_admin"},
    {COSO_QREVOKED, "revoked"},
    {COSO_QAUTHOR, "not_sender"},
    {COSO_QUNKNOWN, "unknown_key"},
    {COSO_QREF, "missing_reference"},
    {COSO_QIMMUT, "immutable"},
    {COSO_QAMEND, "foreign_amendment"},
    {COSO_QUNITDATE, "unit_not_in_force"},
    {COSO_EBADSIG, "bad_signature"},
    {COSO_ESCHEMA, "schema"},
    {COSO_ENONCANON, "non_canonical"},
    {COSO_ETOOBIG, "too_big"},
    {COSO_ETRUNC, "truncated"},
    {COSO_ETRAILING, "trailing_bytes"},
    {COSO_EUTF8, "bad_utf8"},
    {COSO_ENFC, "not_nfc"},
};

const char *
coso_reason_name(int reason)
{
	size_t i;

	for (i = 0; i < sizeof(reason_names) / sizeof(reason_names[0]); i++) {
		if (reason_names[i].code == reason) {
			return reason_names[i].name;
		}
	}
	return NULL;
}
