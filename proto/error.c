/*
 * error.c: the one table of error sentences.
 */
#include <coso/proto.h>

static const char *const messages[] = {
    [COSO_OK]        = "success",
    [COSO_ENOMEM]    = "out of memory",
    [COSO_EINVAL]    = "invalid argument",
    [COSO_ETOOBIG]   = "too large",
    [COSO_ETRUNC]    = "truncated",
    [COSO_ETRAILING] = "unexpected bytes after the end",
    [COSO_EVERSION]  = "unknown format version",
    [COSO_EBADSIG]   = "bad signature",
    [COSO_EWRONGKEY] = "signed by a different key",
    [COSO_ENONCANON] = "not in canonical encoding",
    [COSO_ESCHEMA]   = "does not match the schema",
    [COSO_EUTF8]     = "invalid UTF-8",
    [COSO_ENFC]      = "text not in Unicode NFC",
    [COSO_EKEYFILE]  = "damaged or malformed key file",
    [COSO_EKEYTYPE]  = "wrong type of key file",
    [COSO_EPASSWORD] = "wrong passphrase",
    [COSO_ENEEDPASS] = "passphrase required",
    [COSO_ECLOCK]    = "clock value out of range",
    [COSO_ECRYPTO]   = "cryptographic library failure",
    [COSO_ECHAIN]    = "broken change-set chain",
    [COSO_EIO]       = "input/output error",
    [COSO_ENOENT]    = "not found",
    [COSO_EEXIST]    = "already exists",
    [COSO_QFORK]     = "another change-set with the same author and seq "
                       "(a device restored from backup or a cloned key)",
    [COSO_QUNAUTH]   = "author not assigned to that unit on that date",
    [COSO_QADMIN]    = "admin table written without an admin key",
    [COSO_QREVOKED]  = "the author's key is revoked",
    [COSO_QAUTHOR]   = "change-set author is not the sender",
    [COSO_QUNKNOWN]  = "key not enrolled",
    [COSO_QTOKEN]    = "enrollment token unknown, used or expired",
    [COSO_QREF]      = "refers to a record that does not exist",
    [COSO_QIMMUT]    = "changes a record that never changes",
    [COSO_EBUSY]     = "central busy or shutting down; retry",
    [COSO_QAMEND]    = "amends a record of another cadre, or of a unit "
                       "the author was not assigned to on its date",
    [COSO_QUNITDATE] = "the unit did not exist on that date (it had ended "
                       "or was merged into another)",
};

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
