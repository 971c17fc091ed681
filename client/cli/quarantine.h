/*
 * quarantine.h: telling the cadre what the central did not accept, why,
 * and what to do about it, wherever records are listed or shown.
 */
#ifndef COSO_CLIENT_QUARANTINE_H
#define COSO_CLIENT_QUARANTINE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <coso/client.h>

/* Why a record was quarantined, and what the cadre can do, translated,
 * for a reason's name (coso_reason_name: "unassigned", ...). */
const char *cliq_why(const char *name);
const char *cliq_todo(const char *name);

/* The translated word for a record kind ("visit", "report", ...). */
const char *cliq_kind(const char *kind);

/*
 * Listings for cli_list and cli_show: the library's, with two keys added
 * to every row after its "quarantine" key (the reason's name, NULL for a
 * record the central accepted or has not seen): "quarantine_reason" and
 * "what_to_do", translated, NULL when not quarantined.  In a table the
 * reason is a few words, and a line under it says how many of the rows
 * were quarantined and where to look.
 */
int cliq_visit_list(struct coso_store *s, const struct coso_filter *f,
    coso_row_cb cb, void *arg);
int cliq_report_list(struct coso_store *s, const struct coso_filter *f,
    coso_row_cb cb, void *arg);
int cliq_proposal_list(struct coso_store *s, const struct coso_filter *f,
    coso_row_cb cb, void *arg);
int cliq_handover_list(struct coso_store *s, const struct coso_filter *f,
    coso_row_cb cb, void *arg);
int cliq_visit_show(
    struct coso_store *s, const char *id, coso_row_cb cb, void *arg);
int cliq_report_show(
    struct coso_store *s, const char *id, coso_row_cb cb, void *arg);

/* The same for coso_receipt_list, whose rows name the reason "reason";
 * in a table the record's kind is translated. */
int cliq_receipt_list(struct coso_store *s, const struct coso_filter *f,
    coso_row_cb cb, void *arg);

/*
 * Prints the store's quarantined change-sets for people: each with its
 * record, unit, date, why and what to do; only those of seqs[0..nseqs)
 * when seqs is not NULL.  Returns how many, or -1 after a message if the
 * store could not be read.
 */
long cliq_print(
    struct coso_store *s, FILE *f, const uint64_t *seqs, size_t nseqs);

/* The same as a JSON array of objects (the rows of coso_quarantine_list
 * with "why" and "what_to_do" added).  0, or -1 after a message. */
int cliq_print_json(struct coso_store *s, FILE *f);

#endif /* COSO_CLIENT_QUARANTINE_H */
