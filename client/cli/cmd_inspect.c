/*
 * cmd_inspect.c: `coso inspect`: show a signed change-set file, verify its
 * signature against a public key, and decode its body by the schema.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <coso/proto.h>

#include "commands.h"
#include "i18n.h"
#include "session.h"
#include "util.h"

struct inspect {
	const char *keypath;
	int json;
	int verified;
	struct coso_changeset cs;
	uint8_t id[32];
	struct coso_ops *ops;
};

/* HLC as "dd/mm/yyyy hh:mm:ss.mmm UTC +counter". */
static void
format_hlc(char *out, size_t n, uint64_t hlc)
{
	uint64_t ms = coso_hlc_ms(hlc);
	time_t secs = (time_t) (ms / 1000);
	struct tm tm;
	char day[32];

	gmtime_r(&secs, &tm);
	strftime(day, sizeof(day), "%d/%m/%Y %H:%M:%S", &tm);
	snprintf(out, n, "%s.%03u UTC +%u", day, (unsigned) (ms % 1000),
	    (unsigned) coso_hlc_counter(hlc));
}

/* Prints s as a JSON string (the bytes are valid UTF-8 by then). */
static void
json_string(const uint8_t *s, size_t len)
{
	size_t i;

	putchar('"');
	for (i = 0; i < len; i++) {
		if (s[i] == '"' || s[i] == '\\') {
			printf("\\%c", s[i]);
		} else if (s[i] < 0x20) {
			printf("\\u%04x", s[i]);
		} else {
			putchar(s[i]);
		}
	}
	putchar('"');
}

static void
print_value(const struct coso_value *v, int json)
{
	char *hex;

	switch (v->type) {
	case COSO_VNULL:
		fputs("null", stdout);
		break;
	case COSO_VINT:
		printf("%" PRId64, v->i);
		break;
	case COSO_VTEXT:
		if (json) {
			json_string(v->p, v->len);
		} else {
			printf("%.*s", (int) v->len, (const char *) v->p);
		}
		break;
	case COSO_VBYTES:
		if ((hex = malloc(2 * v->len + 1)) == NULL) {
			fputs("?", stdout);
			break;
		}
		coso_hex(hex, v->p, v->len);
		printf(json ? "\"%s\"" : "h'%s'", hex);
		free(hex);
		break;
	}
}

static void
print_op(const struct coso_op *op, int json)
{
	const struct coso_schema_table *t = coso_schema_table(op->table);
	char row[33];
	size_t i;

	coso_hex(row, op->row, 16);
	printf(json ? "{\"table\":\"%s\",\"row\":\"%s\",\"kind\":\"%s\","
	              "\"fields\":{"
	            : "  %s %s %s\n",
	    t->name, row, op->kind == COSO_UPSERT ? "upsert" : "delete");
	for (i = 0; i < op->nfields; i++) {
		const struct coso_field *f = &op->fields[i];
		const char *name           = coso_schema_field(t, f->id)->name;

		if (json) {
			printf("%s\"%s\":", i ? "," : "", name);
		} else {
			printf("    %s: ", name);
		}
		print_value(&f->v, json);
		fputs(json ? "" : "\n", stdout);
	}
	fputs(json ? "}}" : "", stdout);
}

static void
print_text(const struct inspect *in)
{
	char author[65], prev[65], id[65], when[64];
	size_t i;

	coso_hex(author, in->cs.author, 32);
	coso_hex(prev, in->cs.prev, 32);
	coso_hex(id, in->id, 32);
	format_hlc(when, sizeof(when), in->cs.hlc);
	printf("id:        %s\nversion:   %u\nauthor:    %s\n"
	       "seq:       %" PRIu64 "\nprev:      %s\n"
	       "hlc:       %s\nbody:      %zu bytes\nsignature: %s\n",
	    id, in->cs.version, author, in->cs.seq, prev, when,
	    in->cs.body_len, in->verified ? "good" : "not checked (no --key)");
	if (in->ops == NULL) {
		return;
	}
	printf("ops:       %zu\n", in->ops->nops);
	for (i = 0; i < in->ops->nops; i++) {
		print_op(&in->ops->ops[i], 0);
	}
}

static void
print_json(const struct inspect *in)
{
	char author[65], prev[65], id[65];
	size_t i;

	coso_hex(author, in->cs.author, 32);
	coso_hex(prev, in->cs.prev, 32);
	coso_hex(id, in->id, 32);
	printf("{\"id\":\"%s\",\"version\":%u,\"author\":\"%s\","
	       "\"seq\":%" PRIu64 ",\"prev\":\"%s\",\"hlc\":%" PRIu64 ","
	       "\"hlc_ms\":%" PRIu64 ",\"body_bytes\":%zu,\"verified\":%s,"
	       "\"ops\":[",
	    id, in->cs.version, author, in->cs.seq, prev, in->cs.hlc,
	    coso_hlc_ms(in->cs.hlc), in->cs.body_len,
	    in->verified ? "true" : "false");
	for (i = 0; in->ops != NULL && i < in->ops->nops; i++) {
		fputs(i ? "," : "", stdout);
		print_op(&in->ops->ops[i], 1);
	}
	printf("]}\n");
}

/* Loads the author's public key named by --key. */
static int
load_pubkey(const char *path, uint8_t pk[static 32])
{
	uint8_t *text = NULL;
	size_t len;
	int e;

	if ((e = coso_file_read(path, COSO_PUBFILE_MAX, &text, &len)) != 0) {
		util_err(_("cannot read key `%s': %s"), path,
		    e == COSO_ETOOBIG ? _("not a public key file")
		                      : strerror(errno));
		return -1;
	}
	e = coso_pubkey_parse(pk, (const char *) text, len);
	free(text);
	if (e != COSO_OK) {
		util_err(_("cannot read key `%s': %s"), path, cli_strerror(e));
		return -1;
	}
	return 0;
}

/* Checks and decodes buf into in; the message names what failed. */
static int
inspect_bytes(
    struct inspect *in, const char *path, const uint8_t *buf, size_t len)
{
	uint8_t pk[32];
	int e;

	if ((e = coso_changeset_peek(&in->cs, buf, len)) != COSO_OK) {
		util_err(_("cannot read change-set `%s': %s"), path,
		    cli_strerror(e));
		return -1;
	}
	coso_changeset_id(in->id, buf, len);
	if (in->keypath != NULL) {
		if (load_pubkey(in->keypath, pk) != 0) {
			return -1;
		}
		if ((e = coso_changeset_verify(&in->cs, buf, len, pk)) != 0) {
			util_err(_("change-set `%s' refused: %s"), path,
			    cli_strerror(e));
			return -1;
		}
		in->verified = 1;
	}
	if ((e = coso_ops_decode(&in->ops, in->cs.body, in->cs.body_len))
	    != COSO_OK) {
		util_err(_("change-set `%s': body refused: %s"), path,
		    cli_strerror(e));
		return -1;
	}
	return 0;
}

int
cmd_inspect(const struct cli_opts *g, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"key", required_argument, NULL, 'k'},
	    {"json", no_argument, NULL, 'j'},
	    {NULL, 0, NULL, 0},
	};
	struct inspect in = {0};
	uint8_t *buf      = NULL;
	size_t len        = 0;
	int c, e, rv = EXIT_FAIL;

	(void) g;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 'k') {
			in.keypath = optarg;
		} else if (c == 'j') {
			in.json = 1;
		} else {
			goto usage;
		}
	}
	if (optind != argc - 1) {
		goto usage;
	}
	if ((e = coso_file_read(argv[optind], COSO_CS_MAX, &buf, &len)) != 0) {
		util_err(_("cannot read change-set `%s': %s"), argv[optind],
		    e == COSO_ETOOBIG ? _("larger than any change-set")
		                      : strerror(errno));
		return EXIT_FAIL;
	}
	if (inspect_bytes(&in, argv[optind], buf, len) == 0) {
		(in.json ? print_json : print_text)(&in);
		rv = 0;
	}
	coso_ops_free(in.ops);
	free(buf);
	return rv;
usage:
	return cli_usage("coso inspect [--key PUBFILE] [--json] FILE\n");
}
