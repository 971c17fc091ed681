/*
 * output.c: tables, detail views, JSON and CSV for struct coso_row.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "i18n.h"
#include "output.h"

/* Labels for the keys the library gives; unknown keys show as they are. */
static const struct {
	const char *key;
	const char *label;
} labels[] = {
    {"id", N_("ID")},
    {"kind", N_("Kind")},
    {"unit", N_("Unit")},
    {"unit_name", N_("Unit name")},
    {"date", N_("Date")},
    {"purpose", N_("Purpose")},
    {"situation", N_("Situation")},
    {"difficulties", N_("Difficulties")},
    {"proposals", N_("Proposals")},
    {"directions", N_("Directions")},
    {"direction", N_("Direction")},
    {"participants", N_("Participants")},
    {"participant", N_("Participant")},
    {"outcome", N_("Outcome")},
    {"text", N_("Text")},
    {"quantity_milli", N_("Quantity")},
    {"quantity_unit", N_("Quantity unit")},
    {"amount_vnd", N_("Amount (VND)")},
    {"lat_e6", N_("Latitude")},
    {"lon_e6", N_("Longitude")},
    {"changeset", N_("Change-set")},
    {"source_kind", N_("Source kind")},
    {"proposal", N_("Proposal")},
    {"handover", N_("Handover")},
    {"changeset_kind", N_("Change-set")},
    {"submitted", N_("Submitted")},
    {"created", N_("Created")},
    {"period", N_("Period")},
    {"first", N_("From")},
    {"last", N_("To")},
    {"state", N_("State")},
    {"status", N_("Status")},
    {"results", N_("Results")},
    {"amends", N_("Amends")},
    {"visit", N_("Visit")},
    {"report", N_("Report")},
    {"source", N_("Source")},
    {"to_cadre", N_("Handed to")},
    {"cadre", N_("Cadre")},
    {"author", N_("Author")},
    {"created_ms", N_("Created")},
    {"updated_ms", N_("Updated")},
    {"submitted_ms", N_("Submitted")},
    {"response", N_("Response")},
    {"seq", N_("Seq")},
    {"hlc_ms", N_("Time")},
    {"bytes", N_("Bytes")},
    {"ops", N_("Ops")},
    {"ok", N_("Verified")},
    {"error", N_("Error")},
    {"code", N_("Code")},
    {"name", N_("Name")},
    {"level", N_("Level")},
    {"parent", N_("Parent")},
    {"parent_name", N_("Parent name")},
    {"valid_from", N_("Valid from")},
    {"valid_to", N_("Valid to")},
    {"merged_into", N_("Merged into")},
    {"merged_into_name", N_("Merged into (name)")},
    {"old_parent", N_("Old parent")},
    {"new_parent", N_("New parent")},
    {"move", N_("Re-parented")},
    {"merged_from", N_("Merged from")},
    {"quarantine", N_("Quarantined")},
    {"quarantine_reason", N_("Why")},
    {"what_to_do", N_("What to do")},
    {"record", N_("Record")},
    {"record_id", N_("Record ID")},
};

#define NLABELS (sizeof(labels) / sizeof(labels[0]))

/* States of reports and proposals, and the central's verdicts, as the
 * library names them. */
static const char *const states[] = {
    N_("draft"),
    N_("submitted"),
    N_("open"),
    N_("answered"),
    N_("resolved"),
    N_("declined"),
    N_("accepted"),
    N_("duplicate"),
    N_("quarantined"),
};

/* The translated state word, or s itself. */
static const char *
state_word(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		if (strcmp(states[i], s) == 0) {
			return _(states[i]);
		}
	}
	return s;
}

/* The label of key, translated or in English; the key if none. */
static const char *
label(const char *key, int english)
{
	size_t i;

	for (i = 0; i < NLABELS; i++) {
		if (strcmp(labels[i].key, key) == 0) {
			return english ? labels[i].label : _(labels[i].label);
		}
	}
	return key;
}

const char *
out_label(const char *key)
{
	return label(key, 0);
}

const struct coso_kv *
out_find(const struct coso_row *row, const char *key)
{
	size_t i;

	for (i = 0; i < row->n; i++) {
		if (strcmp(row->kv[i].key, key) == 0) {
			return &row->kv[i];
		}
	}
	return NULL;
}

char *
out_strdup(const struct coso_row *row, const char *key, int *oom)
{
	const struct coso_kv *kv = out_find(row, key);
	char *c;

	if (kv == NULL || kv->type != COSO_VTEXT || kv->s == NULL) {
		return NULL;
	}
	if ((c = strdup(kv->s)) == NULL) {
		*oom = 1;
	}
	return c;
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

void
out_time(char *buf, size_t n, uint64_t ms)
{
	/* Vietnam has one time zone and no daylight saving: UTC+7. */
	time_t secs = (time_t) (ms / 1000 + 7 * 3600);
	struct tm tm;

	gmtime_r(&secs, &tm);
	strftime(buf, n, "%d/%m/%Y %H:%M", &tm);
}

/* v / unit (1000 or 1000000) as a decimal without trailing zeros:
 * 2500 thousandths -> "2.5". */
static void
scaled(char *buf, size_t n, int64_t v, unsigned unit)
{
	uint64_t a = v < 0 ? (uint64_t) 0 - (uint64_t) v : (uint64_t) v;
	int digits = unit == 1000 ? 3 : 6, k;
	char frac[16];

	snprintf(frac, sizeof(frac), "%0*u", digits, (unsigned) (a % unit));
	for (k = digits - 1; k >= 0 && frac[k] == '0'; k--) {
		frac[k] = 0;
	}
	snprintf(buf, n, "%s%" PRIu64 "%s%s", v < 0 ? "-" : "", a / unit,
	    frac[0] ? "." : "", frac);
}

const char *
out_human(const struct coso_kv *kv, char *buf, size_t n)
{
	switch (kv->type) {
	case COSO_VTEXT:
		if (kv->s != NULL
		    && (strcmp(kv->key, "status") == 0
		        || strcmp(kv->key, "verdict") == 0)) {
			return state_word(kv->s);
		}
		return kv->s != NULL ? kv->s : "";
	case COSO_VINT:
		if (kv->is_date) {
			char d[11];

			coso_date_format(d, (int32_t) kv->i);
			snprintf(buf, n, "%s", d);
		} else if (ends_with(kv->key, "_ms")) {
			if (kv->i > 0) {
				out_time(buf, n, (uint64_t) kv->i);
			} else {
				snprintf(buf, n, "-");
			}
		} else if (ends_with(kv->key, "_milli")) {
			scaled(buf, n, kv->i, 1000);
		} else if (ends_with(kv->key, "_e6")) {
			scaled(buf, n, kv->i, 1000000);
		} else if (strcmp(kv->key, "ok") == 0) {
			snprintf(buf, n, "%s", kv->i ? _("yes") : _("NO"));
		} else {
			snprintf(buf, n, "%" PRId64, kv->i);
		}
		return buf;
	default:
		return "";
	}
}

void
out_json_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *) s;

	fputc('"', f);
	for (; *p != 0; p++) {
		if (*p == '"' || *p == '\\') {
			fprintf(f, "\\%c", *p);
		} else if (*p == '\n') {
			fputs("\\n", f);
		} else if (*p == '\t') {
			fputs("\\t", f);
		} else if (*p < 0x20 || *p == 0x7f) {
			fprintf(f, "\\u%04x", *p);
		} else {
			fputc(*p, f);
		}
	}
	fputc('"', f);
}

void
out_json_value(FILE *f, const struct coso_kv *kv)
{
	int32_t d = (int32_t) kv->i;

	if (kv->type == COSO_VTEXT && kv->s != NULL) {
		out_json_string(f, kv->s);
	} else if (kv->type == COSO_VINT && kv->is_date) {
		/* ISO dates for scripts; people get dd/mm/yyyy. */
		fprintf(f, "\"%04d-%02d-%02d\"", (int) (d / 10000),
		    (int) (d / 100 % 100), (int) (d % 100));
	} else if (kv->type == COSO_VINT) {
		fprintf(f, "%" PRId64, kv->i);
	} else {
		fputs("null", f);
	}
}

/* The object of a row without its closing brace. */
static void
json_open(FILE *f, const struct coso_row *row)
{
	size_t i;

	fputs("{\"kind\":", f);
	out_json_string(f, row->kind);
	for (i = 0; i < row->n; i++) {
		if (strcmp(row->kv[i].key, "kind") == 0) {
			continue;
		}
		fputc(',', f);
		out_json_string(f, row->kv[i].key);
		fputc(':', f);
		out_json_value(f, &row->kv[i]);
	}
}

void
out_json_row(FILE *f, const struct coso_row *row)
{
	json_open(f, row);
	fputc('}', f);
}

/* A number in CSV: digits, a minus, a decimal point; never through the
 * text writer, so that -21.5 stays a number. */
static void
csv_number(FILE *f, const struct coso_kv *kv)
{
	uint64_t a
	    = kv->i < 0 ? (uint64_t) 0 - (uint64_t) kv->i : (uint64_t) kv->i;
	char buf[32];

	if (ends_with(kv->key, "_e6")) {
		/* degrees with the six decimals they were given in */
		fprintf(f, "%s%" PRIu64 ".%06" PRIu64, kv->i < 0 ? "-" : "",
		    a / 1000000, a % 1000000);
	} else if (ends_with(kv->key, "_milli")) {
		scaled(buf, sizeof(buf), kv->i, 1000);
		fputs(buf, f);
	} else {
		fprintf(f, "%" PRId64, kv->i);
	}
}

/*
 * CSV values for people, as a spreadsheet shows them: dates dd/mm/yyyy,
 * times dd/mm/yyyy hh:mm, real numbers (600, 2.5, 21.853210, 1500000,
 * not the stored thousandths or millionths), states and kinds in the
 * export's language; text through the one cell writer, which
 * neutralises formulas.
 */
static void
csv_value(const struct out_list *o, const struct coso_kv *kv)
{
	char buf[32];
	const char *t;

	if (kv->type == COSO_VINT
	    && (kv->is_date || ends_with(kv->key, "_ms"))) {
		t = out_human(kv, buf, sizeof(buf));
		fputs(strcmp(t, "-") == 0 ? "" : t, o->f);
	} else if (kv->type == COSO_VINT) {
		csv_number(o->f, kv);
	} else if (kv->type == COSO_VTEXT && kv->s != NULL) {
		t = kv->s;
		if (strcmp(kv->key, "status") == 0
		    || strcmp(kv->key, "state") == 0) {
			t = o->english ? kv->s : state_word(kv->s);
		} else if (strcmp(kv->key, "source_kind") == 0) {
			t = label(kv->s, o->english);
		}
		coso_csv_cell(o->f, t);
	}
}

static void
csv_row(struct out_list *o, const struct coso_row *row)
{
	size_t i;

	if (strcmp(o->kind, row->kind) != 0) {
		/* A new kind: a blank line, then its own header row. */
		fputs(o->nrows > 0 ? "\r\n" : "", o->f);
		coso_csv_cell(o->f, label("kind", o->english));
		for (i = 0; i < row->n; i++) {
			fputc(',', o->f);
			coso_csv_cell(o->f, label(row->kv[i].key, o->english));
		}
		fputs("\r\n", o->f);
		snprintf(o->kind, sizeof(o->kind), "%s", row->kind);
	}
	coso_csv_cell(o->f, label(row->kind, o->english));
	for (i = 0; i < row->n; i++) {
		fputc(',', o->f);
		csv_value(o, &row->kv[i]);
	}
	fputs("\r\n", o->f);
}

int
out_list_row(const struct coso_row *row, void *arg)
{
	struct out_list *o = arg;

	int rv = 0;

	switch (o->mode) {
	case OUT_JSON:
		fputs(o->nrows ? ",\n" : "\n", o->f);
		out_json_row(o->f, row);
		break;
	case OUT_CSV:
		csv_row(o, row);
		break;
	default:
		rv = out_table_row(o, row);
		break;
	}
	o->nrows++;
	return rv;
}

void
out_list_begin(struct out_list *o)
{
	if (o->mode == OUT_JSON) {
		fputc('[', o->f);
	}
}

void
out_list_end(struct out_list *o)
{
	if (o->mode == OUT_JSON) {
		fputs(o->nrows ? "\n]\n" : "]\n", o->f);
	} else if (o->mode == OUT_TABLE) {
		out_table_end(o);
		if (o->nrows == 0) {
			fprintf(o->f, "%s\n", _("(none)"));
		}
	}
}

/* Text in full; lines after the first are indented to the value. */
static void
text_block(FILE *f, const char *s, int indent)
{
	for (; *s != 0; s++) {
		fputc(*s, f);
		if (*s == '\n' && s[1] != 0) {
			fprintf(f, "%*s", indent, "");
		}
	}
	fputc('\n', f);
}

/* Key: value lines, labels aligned, full text. */
static void
detail(FILE *f, const struct coso_row *row, const char *indent)
{
	char buf[64];
	size_t i;
	int w = 0, lw;

	for (i = 0; i < row->n; i++) {
		lw = (int) out_width(out_label(row->kv[i].key));
		w  = lw > w ? lw : w;
	}
	for (i = 0; i < row->n; i++) {
		const char *l = out_label(row->kv[i].key);

		if (row->kv[i].type == COSO_VNULL) {
			continue;
		}
		fprintf(f, "%s%s:%*s ", indent, l, w - (int) out_width(l), "");
		text_block(f, out_human(&row->kv[i], buf, sizeof(buf)),
		    (int) strlen(indent) + w + 2);
	}
}

int
out_show_row(const struct coso_row *row, void *arg)
{
	struct out_show *o = arg;

	if (o->json && o->nrows == 0) {
		/* Left open: the children follow inside it. */
		json_open(o->f, row);
	} else if (o->json) {
		fputs(o->nrows == 1 ? ",\"children\":[" : ",", o->f);
		out_json_row(o->f, row);
	} else if (o->nrows == 0) {
		detail(o->f, row, "");
	} else {
		fprintf(o->f, "\n[%s]\n", out_label(row->kind));
		detail(o->f, row, "  ");
	}
	o->nrows++;
	return 0;
}

void
out_show_end(struct out_show *o)
{
	if (o->json && o->nrows > 0) {
		fputs(o->nrows > 1 ? "]}\n" : "}\n", o->f);
	}
}
