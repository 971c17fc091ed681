/*
 * gossip.h: what the device saw of the central, for `coso receipts' and
 * `coso status' (client/cli/gossip.c): the checkpoints held, the evidence
 * of a split view, the gossip file a cadre hands over.
 */
#ifndef COSO_CLI_GOSSIP_H
#define COSO_CLI_GOSSIP_H

#include <stdio.h>

#include <coso/client.h>

#include "output.h"
#include "session.h"

/* `coso receipts checkpoints [--json]': the held checkpoints. */
int cli_gossip_checkpoints(const struct cli_opts *g, int json);

/* `coso receipts export --out FILE [--json]' (argv[0] is "export"). */
int cli_gossip_export(const struct cli_opts *g, int argc, char **argv);

/*
 * The evidence kept, each pair with both signed notes: to stdout for
 * people (and a line on stderr per pair), or as rows of status "split
 * view" added to json (not NULL: coso receipts verify --json's list).
 * *n receives the number of pairs.  0, or EXIT_FAIL after a message.
 */
int cli_gossip_evidence(
    struct coso_store *s, struct out_list *json, uint64_t *n);

/* The status's lines on checkpoints and evidence, for people. */
void cli_gossip_status(const struct coso_status *st);

/* The same as JSON members, each preceded by a comma. */
void cli_gossip_status_json(const struct coso_status *st);

#endif /* COSO_CLI_GOSSIP_H */
