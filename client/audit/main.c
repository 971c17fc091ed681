/*
 * main.c: `coso-audit --central URL --central-key FILE|VKEY --state DIR
 * [--token FILE] [--json] verify [--full] | rebuild [--cosod PATH]`.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>

#include <coso/common.h>

#include "i18n.h"
#include "util.h"
#include "audit.h"
#include "gossip.h"
#include "replay.h"
#include "witness.h"

#define SHOWN_MAX 200 /* anomalies printed before "and N more" */

struct opts {
	const char *central, *key, *state, *token, *cosod, *cmd, *quorum;
	int json, full;
	char **files; /* gossip: the files, in argv */
	size_t nfiles;
	size_t nwitnesses;
	const char *witness[AUDIT_WITNESSES_MAX];
};

static void
usage(FILE *f)
{
	fprintf(f, "%s",
	    _("usage: coso-audit --central URL --central-key FILE|VKEY "
	      "--state DIR\n"
	      "                  [--token FILE] [--json]\n"
	      "                  [--witness VKEY... [--quorum K]] verify "
	      "[--full]\n"
	      "       coso-audit ... rebuild [--cosod PATH]\n"
	      "       coso-audit ... gossip FILE...\n"
	      "       coso-audit witness init|vkey|run ...\n"
	      "exit: 0 all holds, 1 anomalies found, 2 usage or local "
	      "error,\n      3 the central could not be reached\n"));
}

static void
die_usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	util_vmsg("coso-audit", fmt, ap);
	va_end(ap);
}

/* Length of the valid UTF-8 sequence at p (n bytes left), 0 if none. */
static size_t
utf8_len(const unsigned char *p, size_t n)
{
	size_t len, i;

	if (p[0] < 0x80) {
		return 1;
	}
	len = p[0] >= 0xf0 && p[0] <= 0xf4 ? 4
	    : p[0] >= 0xe0                 ? 3
	    : p[0] >= 0xc2 && p[0] < 0xe0  ? 2
	                                   : 0;
	if (len == 0 || len > n) {
		return 0;
	}
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80) {
			return 0;
		}
	}
	/* Overlong 3- and 4-byte forms, surrogates, past U+10FFFF. */
	if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0)
	    || (p[0] == 0xf0 && p[1] < 0x90)
	    || (p[0] == 0xf4 && p[1] >= 0x90)) {
		return 0;
	}
	return len;
}

/*
 * A message may quote the central's own words: invalid UTF-8 (which
 * JSON cannot carry, and a cut at the buffer's end makes) and control
 * characters (terminal escapes) become '?'.
 */
static void
clean_text(char *s)
{
	unsigned char *p = (unsigned char *) s;
	size_t n         = strlen(s), k;

	while (n > 0) {
		k = utf8_len(p, n);
		if (k == 0 || (k == 1 && (*p < 0x20 || *p == 0x7f))) {
			*p = '?';
			k  = 1;
		}
		p += k;
		n -= k;
	}
}

void
report_anomaly(
    struct report *r, const char *what, int64_t index, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	clean_text(msg);
	r->count++;
	if (r->json != NULL) {
		if (json_array_append_new(r->json,
		        json_pack("{s:s, s:o, s:s}", "what", what, "index",
		            index >= 0 ? json_integer(index) : json_null(),
		            "message", msg))
		    != 0) {
			r->lost++;
		}
		return;
	}
	if (r->shown++ >= SHOWN_MAX) {
		return;
	}
	if (index >= 0) {
		fprintf(r->out, _("entry %" PRId64 ": %s: %s\n"), index, what,
		    msg);
	} else {
		fprintf(r->out, "%s: %s\n", what, msg);
	}
}

static int
parse(int argc, char **argv, struct opts *o)
{
	const char **vals[]
	    = {&o->central, &o->key, &o->state, &o->token, &o->cosod};
	const char *names[]
	    = {"--central", "--central-key", "--state", "--token", "--cosod"};
	int i, k, found;

	for (i = 1; i < argc; i++) {
		found = 0;
		for (k = 0; k < 5 && !found; k++) {
			if (strcmp(argv[i], names[k]) == 0 && i + 1 < argc) {
				*vals[k] = argv[++i];
				found    = 1;
			}
		}
		if (found) {
			continue;
		}
		if (strcmp(argv[i], "--witness") == 0 && i + 1 < argc) {
			if (o->nwitnesses == AUDIT_WITNESSES_MAX) {
				die_usage(_("at most %u --witness"),
				    AUDIT_WITNESSES_MAX);
				return -1;
			}
			o->witness[o->nwitnesses++] = argv[++i];
		} else if (strcmp(argv[i], "--quorum") == 0 && i + 1 < argc) {
			o->quorum = argv[++i];
		} else if (strcmp(argv[i], "--json") == 0) {
			o->json = 1;
		} else if (strcmp(argv[i], "--full") == 0) {
			o->full = 1;
		} else if (o->cmd == NULL
		    && (strcmp(argv[i], "verify") == 0
		        || strcmp(argv[i], "rebuild") == 0
		        || strcmp(argv[i], "gossip") == 0)) {
			o->cmd = argv[i];
		} else if (o->cmd != NULL && strcmp(o->cmd, "gossip") == 0
		    && argv[i][0] != '-') {
			if (o->files == NULL) {
				o->files = argv + i;
			}
			if (o->files + o->nfiles != argv + i) {
				die_usage(_("the gossip files must follow "
				            "`gossip' together"));
				return -1;
			}
			o->nfiles++;
		} else if (strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			exit(0);
		} else {
			die_usage(
			    _("unknown or incomplete argument `%s'"), argv[i]);
			return -1;
		}
	}
	if (o->cmd != NULL && strcmp(o->cmd, "gossip") == 0
	    && o->nfiles == 0) {
		die_usage(_("gossip needs at least one file"));
		return -1;
	}
	if (o->central == NULL || o->key == NULL || o->state == NULL
	    || o->cmd == NULL) {
		die_usage(_("--central, --central-key, --state and a command "
		            "are required"));
		return -1;
	}
	return 0;
}

/* A verifier key as the whole text (one final newline allowed). */
static int
parse_vkey(const char *text, size_t len, struct audit_cfg *cfg)
{
	if (len > 0 && text[len - 1] == '\n') {
		len--;
	}
	return coso_note_vkey_parse(
	    cfg->central_name, cfg->central_pk, text, len);
}

/*
 * The pin: a coso public key file (`cosod central init' prints it), or a
 * C2SP verifier key (`cosod central vkey'), given itself or in a file,
 * which pins the log's name with the key.
 */
static int
read_key(const char *arg, struct audit_cfg *cfg)
{
	uint8_t *text = NULL;
	size_t len;
	int e, rv = COSO_EKEYFILE;

	if (strchr(arg, '+') != NULL && access(arg, F_OK) != 0) {
		rv = parse_vkey(arg, strlen(arg), cfg);
	} else if ((e = coso_file_read(arg, 4096, &text, &len)) != 0) {
		die_usage(_("cannot read the central key `%s': %s"), arg,
		    e == COSO_ETOOBIG ? coso_strerror(COSO_EKEYFILE)
		                      : strerror(errno));
		return -1;
	} else if (len >= 16 && memcmp(text, "coso public key ", 16) == 0) {
		cfg->central_name[0] = '\0';
		rv                   = coso_pubkey_parse(
		                      cfg->central_pk, (const char *) text, len);
	} else {
		rv = parse_vkey((const char *) text, len, cfg);
	}
	free(text);
	if (rv != COSO_OK) {
		die_usage(_("cannot read the central key `%s': %s"), arg,
		    coso_strerror(rv));
	}
	return rv == COSO_OK ? 0 : -1;
}

/*
 * --witness VKEY (a cosignature verifier key, given itself or in a file)
 * and --quorum K, 1 to the number of witnesses (default: all of them).
 */
static int
read_witnesses(const struct opts *o, struct audit_cfg *cfg)
{
	unsigned long k;
	char *end;

	for (size_t i = 0; i < o->nwitnesses; i++) {
		struct audit_witness *w = &cfg->witness[i];
		const char *v           = o->witness[i];
		uint8_t *text           = NULL;
		size_t len              = strlen(v);
		int rv;

		if (access(v, F_OK) == 0) {
			if (coso_file_read(v, 4096, &text, &len) != COSO_OK) {
				die_usage(
				    _("cannot read the witness key `%s'"), v);
				return -1;
			}
			v = (const char *) text;
			if (len > 0 && v[len - 1] == '\n') {
				len--;
			}
		}
		rv = coso_cosig_vkey_parse(w->name, w->pk, v, len);
		free(text);
		if (rv != COSO_OK) {
			die_usage(_("cannot read the witness key `%s': %s"),
			    o->witness[i], coso_strerror(rv));
			return -1;
		}
	}
	cfg->nwitnesses = o->nwitnesses;
	cfg->quorum     = o->nwitnesses;
	if (o->quorum == NULL) {
		return 0;
	}
	errno = 0;
	k     = strtoul(o->quorum, &end, 10);
	if (o->nwitnesses == 0 || errno != 0 || *end != '\0' || k == 0
	    || k > o->nwitnesses || o->quorum[0] < '1' || o->quorum[0] > '9') {
		die_usage(_("--quorum must be 1 to the number of --witness "
		            "keys given"));
		return -1;
	}
	cfg->quorum = (size_t) k;
	return 0;
}

/* The bearer token: the file's first line, in guarded memory. */
static char *
read_token(const char *path)
{
	uint8_t *text = NULL;
	size_t len, n;
	char *tok = NULL;

	if (coso_file_read(path, 4096, &text, &len) != COSO_OK) {
		die_usage(_("cannot read the token file `%s'"), path);
		return NULL;
	}
	for (n = 0; n < len && text[n] != '\n' && text[n] != '\r'; n++) { }
	if (n > 0 && (tok = sodium_malloc(n + 1)) != NULL) {
		memcpy(tok, text, n);
		tok[n] = '\0';
	}
	sodium_memzero(text, len);
	free(text);
	if (tok == NULL) {
		die_usage(_("the token file `%s' is empty"), path);
	}
	return tok;
}

void
report_fini(struct report *r)
{
	size_t i;

	for (i = 0; i < r->nev; i++) {
		free(r->ev[i].note[0]);
		free(r->ev[i].note[1]);
	}
	r->nev = 0;
}

/* The entries line: how many of those the checkpoint adds were checked,
 * and how many could not be (missing or not served). */
static void
print_entries(const struct audit_result *res)
{
	uint64_t span = res->tree_size - res->from;

	if (!res->extended) {
		printf(
		    _("entries: not checked (the checkpoint does not extend "
		      "the one verified before)\n"));
	} else if (span == 0) {
		printf(_("no new entries since the last audit\n"));
	} else if (res->unchecked == 0) {
		printf(
		    ngettext("checked %" PRIu64 " entry (%" PRIu64
		             " to %" PRIu64 "): %" PRIu64 " accepted, %" PRIu64
		             " quarantined\n",
		        "checked %" PRIu64 " entries (%" PRIu64 " to %" PRIu64
		        "): %" PRIu64 " accepted, %" PRIu64 " quarantined\n",
		        res->checked),
		    res->checked, res->from, res->tree_size - 1, res->accepted,
		    res->quarantined);
	} else {
		printf(_("checked %" PRIu64 " of the %" PRIu64
		         " entries %" PRIu64 " to %" PRIu64 " (%" PRIu64
		         " missing or not served): %" PRIu64
		         " accepted, %" PRIu64 " quarantined\n"),
		    res->checked, span, res->from, res->tree_size - 1,
		    res->unchecked, res->accepted, res->quarantined);
	}
}

static void
print_summary(const struct opts *o, const struct audit_result *res,
    const struct report *rep)
{
	char root[sodium_base64_ENCODED_LEN(
	    32, sodium_base64_VARIANT_ORIGINAL)];

	if (!res->verified) {
		printf(_("checkpoint: none verified\n"));
	} else {
		sodium_bin2base64(root, sizeof(root), res->root, 32,
		    sodium_base64_VARIANT_ORIGINAL);
		printf(ngettext("checkpoint: %s, %" PRIu64 " entry, root %s\n",
		           "checkpoint: %s, %" PRIu64 " entries, root %s\n",
		           res->tree_size),
		    res->origin, res->tree_size, root);
		print_entries(res);
	}
	if (res->verified && res->cosigned > 0) {
		printf(ngettext("witnesses: cosigned by %zu witness given\n",
		           "witnesses: cosigned by %zu witnesses given\n",
		           res->cosigned),
		    res->cosigned);
	}
	if (res->old_notes > 0) {
		printf(_("stored checkpoints: %" PRIu64 " checked\n"),
		    res->old_notes);
	}
	if (res->registry) {
		printf(ngettext("key registry: %" PRIu64
		                " key, as the log gives it\n",
		           "key registry: %" PRIu64
		           " keys, as the log gives them\n",
		           res->keys),
		    res->keys);
	}
	if (rep->shown > SHOWN_MAX) {
		printf(ngettext("... and %zu more anomaly\n",
		           "... and %zu more anomalies\n",
		           rep->shown - SHOWN_MAX),
		    rep->shown - SHOWN_MAX);
	}
	if (rep->count == 0) {
		printf(_("audit (%s): everything holds\n"), o->cmd);
	} else {
		printf(ngettext("audit (%s): %" PRIu64 " anomaly\n",
		           "audit (%s): %" PRIu64 " anomalies\n", rep->count),
		    o->cmd, rep->count);
	}
}

/* Each pair of contradicting notes, as kept: where, then both. */
static void
print_evidence(const struct report *rep)
{
	const struct evidence *e;
	size_t i, k;

	for (i = 0; i < rep->nev; i++) {
		e = &rep->ev[i];
		if (e->kept) {
			printf(_("%s: two signed notes that cannot both be "
			         "true, kept in %s:\n"),
			    e->what, e->dir);
		} else {
			printf(_("%s: two signed notes that cannot both be "
			         "true (not kept: %s):\n"),
			    e->what, e->dir);
		}
		for (k = 0; k < 2; k++) {
			printf("--- %s.note\n%s", e->label[k],
			    e->note[k] != NULL ? e->note[k] : "");
		}
	}
}

/* The evidence as JSON: [{what, dir|null, LABEL: note, ...}]. */
static json_t *
evidence_json(const struct report *rep)
{
	json_t *a = json_array(), *o;
	size_t i, k;

	for (i = 0; a != NULL && i < rep->nev; i++) {
		const struct evidence *e = &rep->ev[i];

		o = json_pack("{s:s, s:s?}", "what", e->what, "dir",
		    e->kept ? e->dir : NULL);
		for (k = 0; o != NULL && k < 2; k++) {
			json_object_set_new(o, e->label[k],
			    e->note[k] != NULL ? json_string(e->note[k])
			                       : json_null());
		}
		json_array_append_new(a, o);
	}
	return a;
}

/* A number, or null where it was not established. */
static json_t *
maybe(int known, uint64_t v)
{
	return known ? json_integer((json_int_t) v) : json_null();
}

static void
print_json(const struct opts *o, const struct audit_result *res,
    struct report *rep, const struct replay_result *rr)
{
	char root[sodium_base64_ENCODED_LEN(
	    32, sodium_base64_VARIANT_ORIGINAL)];
	json_t *j;

	sodium_bin2base64(
	    root, sizeof(root), res->root, 32, sodium_base64_VARIANT_ORIGINAL);
	j = json_pack("{s:s, s:b, s:s?, s:o, s:s?, s:I, s:I, s:I, s:I, s:I, "
	              "s:I, s:o, s:O, s:o}",
	    "command", o->cmd, "ok", rep->count == 0, "origin",
	    res->verified ? res->origin : NULL, "tree_size",
	    maybe(res->verified, res->tree_size), "root",
	    res->verified ? root : NULL, "from", (json_int_t) res->from,
	    "checked", (json_int_t) res->checked, "unchecked",
	    (json_int_t) res->unchecked, "accepted",
	    (json_int_t) res->accepted, "quarantined",
	    (json_int_t) res->quarantined, "checkpoints",
	    (json_int_t) res->old_notes, "keys",
	    maybe(res->registry, res->keys), "anomalies", rep->json,
	    "evidence", evidence_json(rep));
	if (j != NULL && rr != NULL && rr->done) {
		json_object_set_new(
		    j, "digest_size", json_integer((json_int_t) rr->size));
		json_object_set_new(
		    j, "central_digest", json_string(rr->central));
		json_object_set_new(
		    j, "rebuilt_digest", json_string(rr->rebuilt));
	}
	if (j != NULL) {
		json_object_set_new(
		    j, "cosigned", json_integer((json_int_t) res->cosigned));
	}
	if (j != NULL && rep->lost > 0) {
		json_object_set_new(
		    j, "anomalies_lost", json_integer((json_int_t) rep->lost));
	}
	if (j != NULL) {
		json_dumpf(j, stdout, JSON_COMPACT);
		fputc('\n', stdout);
	}
	json_decref(j);
}

/* `gossip FILE...': the devices' checkpoints against this view. */
static int
run_gossip(const struct opts *o, struct fetch *f, struct audit_state *st,
    struct audit_cfg *cfg, struct report *rep)
{
	struct gossip_result g;
	char err[AUDIT_ERR_MAX];
	json_t *j;
	int rv = gossip_run(cfg, f, st, o->files, o->nfiles, rep, &g, err);

	if (rv != AUDIT_OK) {
		clean_text(err);
		fprintf(stderr, "coso-audit: %s\n", err);
		return rv == AUDIT_NET ? AUDIT_EXIT_NETWORK : AUDIT_EXIT_USAGE;
	}
	if (o->json) {
		j = json_pack("{s:s, s:b, s:s, s:I, s:I, s:I, s:I, s:I, s:I, "
		              "s:O, s:o}",
		    "command", o->cmd, "ok", rep->count == 0, "origin",
		    g.view_origin, "tree_size", (json_int_t) g.view_size,
		    "files", (json_int_t) g.files, "checkpoints",
		    (json_int_t) g.checkpoints, "consistent",
		    (json_int_t) g.consistent, "receipts",
		    (json_int_t) g.receipts, "device_evidence",
		    (json_int_t) g.device_evidence, "anomalies", rep->json,
		    "evidence", evidence_json(rep));
		if (j != NULL) {
			json_dumpf(j, stdout, JSON_COMPACT);
			fputc('\n', stdout);
		}
		json_decref(j);
	} else {
		print_evidence(rep);
		printf(_("central: %s, %" PRIu64 " entries\n"), g.view_origin,
		    g.view_size);
		printf(_("gossip: %" PRIu64 " files, %" PRIu64
		         " checkpoints (%" PRIu64 " consistent with this "
		         "view), %" PRIu64 " receipts proved, %" PRIu64
		         " pairs the devices kept\n"),
		    g.files, g.checkpoints, g.consistent, g.receipts,
		    g.device_evidence);
		if (rep->count == 0) {
			printf(_("audit (%s): everything holds\n"), o->cmd);
		} else {
			printf(ngettext("audit (%s): %" PRIu64 " anomaly\n",
			           "audit (%s): %" PRIu64 " anomalies\n",
			           rep->count),
			    o->cmd, rep->count);
		}
	}
	return rep->count == 0 ? AUDIT_EXIT_OK : AUDIT_EXIT_ANOMALY;
}

static int
run(const struct opts *o, struct fetch *f, struct audit_state *st,
    struct audit_cfg *cfg, struct report *rep)
{
	struct audit_result res;
	struct replay_result rr = {0};
	char err[AUDIT_ERR_MAX];
	int rv;

	cfg->full     = o->full;
	cfg->progress = !o->json && isatty(STDERR_FILENO);
	if (strcmp(o->cmd, "gossip") == 0) {
		return run_gossip(o, f, st, cfg, rep);
	}
	if (strcmp(o->cmd, "rebuild") == 0) {
		rv = replay_run(
		    cfg, o->state, o->cosod, f, st, rep, &res, &rr, err);
	} else {
		rv = check_run(cfg, f, st, rep, &res, err);
	}
	if (rv != AUDIT_OK) {
		clean_text(err);
		fprintf(stderr, "coso-audit: %s\n", err);
		return rv == AUDIT_NET ? AUDIT_EXIT_NETWORK : AUDIT_EXIT_USAGE;
	}
	if (o->json) {
		print_json(o, &res, rep, &rr);
	} else {
		if (rr.done) {
			printf(_("state digest at %" PRIu64
			         " entries: central %s, rebuilt %s\n"),
			    rr.size, rr.central, rr.rebuilt);
		}
		print_evidence(rep);
		print_summary(o, &res, rep);
	}
	return rep->count == 0 ? AUDIT_EXIT_OK : AUDIT_EXIT_ANOMALY;
}

int
main(int argc, char **argv)
{
	struct opts o          = {0};
	struct audit_cfg cfg   = {0};
	struct report rep      = {.out = stdout};
	struct audit_state *st = NULL;
	struct fetch f         = {0};
	char err[AUDIT_ERR_MAX], *token = NULL;
	int code = AUDIT_EXIT_USAGE;

	i18n_init();
	if (argc > 1 && strcmp(argv[1], "witness") == 0) {
		return sodium_init() < 0 ? AUDIT_EXIT_USAGE
		                         : witness_main(argc - 1, argv + 1);
	}
	if (sodium_init() < 0 || parse(argc, argv, &o) != 0
	    || read_key(o.key, &cfg) != 0 || read_witnesses(&o, &cfg) != 0
	    || (o.token != NULL && (token = read_token(o.token)) == NULL)) {
		usage(stderr);
		return AUDIT_EXIT_USAGE;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rep.json = o.json ? json_array() : NULL;
	if (fetch_init(&f, o.central, token) != AUDIT_OK) {
		die_usage("%s", f.err[0] ? f.err : _("out of memory"));
	} else if (state_open(&st, o.state, err) != AUDIT_OK) {
		die_usage("%s", err);
	} else {
		code = run(&o, &f, st, &cfg, &rep);
	}
	state_close(st);
	fetch_fini(&f);
	if (token != NULL) {
		sodium_free(token);
	}
	json_decref(rep.json);
	report_fini(&rep);
	curl_global_cleanup();
	return code;
}
