/*
 * quarantine.c: what the central did not accept, shown with the records.
 *
 * The library marks each record with the reason's name (its key
 * "quarantine"); people need the reason in their language and what to
 * do, beside the record, in every listing and in `coso status'.
 */
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "output.h"
#include "quarantine.h"
#include "session.h"

/* Why, and what to do, by reason name (coso_reason_name); a few words
 * for a table's column. */
static const struct {
	const char *name, *brief, *why, *todo;
} reasons[] = {
    {"unassigned", N_("not assigned"),
        N_("you were not assigned to this unit (or a unit above it) on "
           "the record's date"),
        N_("check the unit and the date; if your assignment is missing "
           "or wrong, ask the provincial office to correct it, sync, and "
           "record it again (a handover note or a late report: within "
           "30 days after the assignment ended)")},
    {"missing_reference", N_("unknown unit"),
        N_("it names a unit or a record the central does not know"),
        N_("check the unit code (coso units list) and record it again; "
           "if the unit is new, ask the provincial office to add it")},
    {"foreign_amendment", N_("not your record"),
        N_("it corrects a record of another cadre, or of a unit you did "
           "not cover on that record's date"),
        N_("correct only your own records; record this as a new one")},
    {"unit_not_in_force", N_("unit no longer exists"),
        N_("the unit did not exist on the record's date (it was merged "
           "or ended in the 2025 reorganisation, or not yet created)"),
        N_("check the unit's history (coso units show CODE) and record "
           "it again on the unit that existed on that date")},
    {"schema", N_("date out of range"),
        N_("a date or a value is outside what the central accepts (a "
           "date more than two days ahead of its arrival, or before "
           "2000)"),
        N_("check the date and this device's clock, then record it "
           "again with the right date")},
    {"not_admin", N_("needs an admin"),
        N_("only an admin device may write this"),
        N_("ask the provincial office to make this change")},
    {"fork", N_("copied device"),
        N_("another change-set with the same number came from this "
           "device's key (a restored backup or a copied device)"),
        N_("stop using copies of this device; ask the provincial office "
           "to revoke this key and enroll the device again")},
    {"revoked", N_("key revoked"), N_("this device's key is revoked"),
        N_("ask the provincial office for a new enrollment token")},
    {"immutable", N_("cannot change"),
        N_("it changes a record that never changes"),
        N_("submit a correction instead (--amends)")},
};

#define NREASONS (sizeof(reasons) / sizeof(reasons[0]))

static const char *const kinds[] = {
    N_("visit"),
    N_("report"),
    N_("handover"),
    N_("proposal"),
    N_("outcome"),
};

const char *
cliq_why(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < NREASONS; i++) {
		if (strcmp(reasons[i].name, name) == 0) {
			return _(reasons[i].why);
		}
	}
	return _("the central did not accept the change-set");
}

/* A few words for a table's column. */
static const char *
brief(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < NREASONS; i++) {
		if (strcmp(reasons[i].name, name) == 0) {
			return _(reasons[i].brief);
		}
	}
	return _("quarantined");
}

const char *
cliq_todo(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < NREASONS; i++) {
		if (strcmp(reasons[i].name, name) == 0) {
			return _(reasons[i].todo);
		}
	}
	return _("ask the provincial office: the central keeps the "
	         "change-set in its log");
}

const char *
cliq_kind(const char *kind)
{
	size_t i;

	for (i = 0; kind != NULL && i < sizeof(kinds) / sizeof(kinds[0]);
	     i++) {
		if (strcmp(kinds[i], kind) == 0) {
			return _(kinds[i]);
		}
	}
	return kind != NULL ? kind : "";
}

#define KV_MAX 40

/* A listing passed through: the caller's callback and what was seen. */
struct fwd {
	coso_row_cb cb;
	void *arg;
	const char *key; /* the key naming the reason */
	int table;       /* a table of cli_list: kinds translated, a note */
	size_t nquarantined;
};

/* The row with quarantine_reason and what_to_do after its reason. */
static int
fwd_row(const struct coso_row *row, void *arg)
{
	struct fwd *w = arg;
	struct coso_kv kv[KV_MAX];
	struct coso_row out     = {row->kind, 0, kv};
	const struct coso_kv *q = out_find(row, w->key);
	const char *name = q != NULL && q->type == COSO_VTEXT ? q->s : NULL;
	size_t i;

	if (q == NULL || row->n + 2 > KV_MAX) {
		return w->cb(row, w->arg);
	}
	w->nquarantined += name != NULL;
	for (i = 0; i < row->n; i++) {
		kv[out.n] = row->kv[i];
		if (w->table && strcmp(kv[out.n].key, "record") == 0) {
			kv[out.n].s = cliq_kind(kv[out.n].s);
		}
		out.n++;
		if (&row->kv[i] != q) {
			continue;
		}
		kv[out.n++] = (struct coso_kv) {"quarantine_reason",
		    name ? COSO_VTEXT : COSO_VNULL, 0,
		    !name          ? NULL
		        : w->table ? brief(name)
		                   : cliq_why(name),
		    0};
		kv[out.n++] = (struct coso_kv) {"what_to_do",
		    name ? COSO_VTEXT : COSO_VNULL, 0,
		    name ? cliq_todo(name) : NULL, 0};
	}
	return w->cb(&out, w->arg);
}

/* Runs a listing through fwd_row; under a table, the note. */
static int
list_via(cli_list_fn fn, const char *key, struct coso_store *s,
    const struct coso_filter *f, coso_row_cb cb, void *arg)
{
	struct fwd w = {cb, arg, key, 0, 0};
	int rv;

	/* cli_list hands out_list_row its struct out_list. */
	w.table = cb == out_list_row
	    && ((const struct out_list *) arg)->mode == OUT_TABLE;
	rv = fn(s, f, fwd_row, &w);
	if (rv == COSO_OK && w.table && w.nquarantined > 0) {
		printf(ngettext("%zu record above was not accepted by the "
		                "central (quarantined): it counts for "
		                "nothing.  `coso status' says why and what to "
		                "do.\n",
		           "%zu records above were not accepted by the "
		           "central (quarantined): they count for nothing.  "
		           "`coso status' says why and what to do.\n",
		           w.nquarantined),
		    w.nquarantined);
	}
	return rv;
}

int
cliq_visit_list(struct coso_store *s, const struct coso_filter *f,
    coso_row_cb cb, void *arg)
{
	return list_via(coso_visit_list, "quarantine", s, f, cb, arg);
}

int
cliq_report_list(struct coso_store *s, const struct coso_filter *f,
    coso_row_cb cb, void *arg)
{
	return list_via(coso_report_list, "quarantine", s, f, cb, arg);
}

int
cliq_proposal_list(struct coso_store *s, const struct coso_filter *f,
    coso_row_cb cb, void *arg)
{
	return list_via(coso_proposal_list, "quarantine", s, f, cb, arg);
}

int
cliq_handover_list(struct coso_store *s, const struct coso_filter *f,
    coso_row_cb cb, void *arg)
{
	return list_via(coso_handover_list, "quarantine", s, f, cb, arg);
}

static int
receipts(struct coso_store *s, const struct coso_filter *f, coso_row_cb cb,
    void *arg)
{
	(void) f;
	return coso_receipt_list(s, cb, arg);
}

int
cliq_receipt_list(struct coso_store *s, const struct coso_filter *f,
    coso_row_cb cb, void *arg)
{
	return list_via(receipts, "reason", s, f, cb, arg);
}

int
cliq_visit_show(
    struct coso_store *s, const char *id, coso_row_cb cb, void *arg)
{
	struct fwd w = {cb, arg, "quarantine", 0, 0};

	return coso_visit_show(s, id, fwd_row, &w);
}

int
cliq_report_show(
    struct coso_store *s, const char *id, coso_row_cb cb, void *arg)
{
	struct fwd w = {cb, arg, "quarantine", 0, 0};

	return coso_report_show(s, id, fwd_row, &w);
}

/* ---- coso status ------------------------------------------------------ */

struct printer {
	FILE *f;
	int json;
	long n;
	const uint64_t *seqs; /* only these change-sets, if not NULL */
	size_t nseqs;
};

/* Whether the row's change-set is one the printer shows. */
static int
wanted(const struct printer *p, const struct coso_row *row)
{
	const struct coso_kv *seq = out_find(row, "seq");
	size_t i;

	for (i = 0; p->seqs != NULL && seq != NULL && i < p->nseqs; i++) {
		if ((int64_t) p->seqs[i] == seq->i) {
			return 1;
		}
	}
	return p->seqs == NULL;
}

static const char *
text_of(const struct coso_row *row, const char *key)
{
	const struct coso_kv *kv = out_find(row, key);

	return kv != NULL && kv->type == COSO_VTEXT ? kv->s : NULL;
}

/* One quarantined change-set for people: two or three lines. */
static void
print_one(FILE *f, const struct coso_row *row)
{
	const struct coso_kv *seq = out_find(row, "seq");
	const struct coso_kv *d   = out_find(row, "date");
	const char *id            = text_of(row, "record_id"),
	           *unit          = text_of(row, "unit");
	const char *uname         = text_of(row, "unit_name");
	const char *name          = text_of(row, "reason");
	char date[11]             = "";
	size_t idlen              = id != NULL ? strlen(id) : 0;

	if (d != NULL && d->type == COSO_VINT) {
		coso_date_format(date, (int32_t) d->i);
	}
	fprintf(f, _("  change-set %lld: %s %s"),
	    seq != NULL ? (long long) seq->i : 0LL,
	    cliq_kind(text_of(row, "record")),
	    idlen > 8 ? id + idlen - 8 : (id != NULL ? id : ""));
	if (unit != NULL) {
		fprintf(f, _(", unit %s%s%s%s"), unit, uname ? " (" : "",
		    uname ? uname : "", uname ? ")" : "");
	}
	fprintf(f, "%s%s\n", date[0] ? ", " : "", date);
	fprintf(f, "    %s: %s\n", _("Why"), cliq_why(name));
	fprintf(f, "    %s: %s\n", _("What to do"), cliq_todo(name));
}

static int
printer_row(const struct coso_row *row, void *arg)
{
	struct printer *p = arg;
	const char *name  = text_of(row, "reason");
	struct coso_kv kv[KV_MAX];
	struct coso_row out = {row->kind, row->n, kv};

	if (!wanted(p, row)) {
		return 0;
	} else if (!p->json) {
		print_one(p->f, row);
	} else if (row->n + 2 <= KV_MAX) {
		memcpy(kv, row->kv, row->n * sizeof(kv[0]));
		kv[out.n++] = (struct coso_kv) {
		    "why", COSO_VTEXT, 0, cliq_why(name), 0};
		kv[out.n++] = (struct coso_kv) {
		    "what_to_do", COSO_VTEXT, 0, cliq_todo(name), 0};
		fputs(p->n > 0 ? "," : "", p->f);
		out_json_row(p->f, &out);
	}
	p->n++;
	return 0;
}

long
cliq_print(struct coso_store *s, FILE *f, const uint64_t *seqs, size_t nseqs)
{
	struct printer p = {f, 0, 0, seqs, nseqs};
	int e;

	if ((e = coso_quarantine_list(s, 0, printer_row, &p)) != COSO_OK) {
		cli_store_fail(s, _("cannot list the quarantine"), e);
		return -1;
	}
	return p.n;
}

int
cliq_print_json(struct coso_store *s, FILE *f)
{
	struct printer p = {f, 1, 0, NULL, 0};
	int e;

	fputc('[', f);
	if ((e = coso_quarantine_list(s, 0, printer_row, &p)) != COSO_OK) {
		fputs("]", f);
		cli_store_fail(s, _("cannot list the quarantine"), e);
		return -1;
	}
	fputc(']', f);
	return 0;
}
