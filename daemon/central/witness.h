/*
 * witness.h: the central's witnesses (docs/central.md, "Witnesses";
 * C2SP tlog-witness).  `cosod central run --witness URL=VKEY ...'.
 *
 * One thread of its own, with its own read-only database handle, polls
 * the newest signed checkpoint and sends it to every witness with a
 * consistency proof from the size that witness holds (learnt from its
 * 409 answers), verifies each cosignature, and publishes the checkpoint
 * with every cosignature it got (the "cosigned note"), kept durably
 * beside the database.  Ingest never waits for it: a witness that is down
 * or slow only delays its own cosignature, retried with backoff.
 */
#ifndef COSOD_WITNESS_H
#define COSOD_WITNESS_H

#include <stddef.h>
#include <stdint.h>

#include <coso/proto.h>

#include "log.h"

#define WITNESSES_MAX      8u
#define WITNESS_URL_MAX    1024u
#define WITNESS_ERRMSG_MAX 512

struct witness_peer {
	char url[WITNESS_URL_MAX + 1]; /* submission prefix, no final '/' */
	char name[COSO_KEYNAME_MAX + 1];
	uint8_t pk[32];
};

struct witnesses_cfg {
	const char *db;   /* the central database */
	const char *path; /* the cosigned note's file */
	size_t n;
	struct witness_peer peer[WITNESSES_MAX];
	unsigned poll_ms; /* how often the newest checkpoint is looked at */
};

struct witnesses;

/* Parses `URL=VKEY' (an http:// or https:// URL, a cosignature verifier
 * key) into p: 0, or -1 with errmsg saying why. */
int witness_peer_parse(struct witness_peer *p, const char *arg,
    char errmsg[static WITNESS_ERRMSG_MAX]);

/* Loads the cosigned note kept at cfg->path (if it verifies), opens the
 * handle and starts the thread.  On failure errmsg says why and nothing
 * is left running.  log must outlive witnesses_stop. */
int witnesses_start(struct witnesses **out, const struct witnesses_cfg *cfg,
    const struct clog *log, char errmsg[static WITNESS_ERRMSG_MAX]);

/* The latest cosigned note, malloc'd (caller frees), or NULL if none.
 * Any thread; arg is the struct witnesses (http_cfg's cosigned). */
char *witnesses_note(void *arg);

/* Stops the thread (an exchange in flight ends within its timeout) and
 * frees everything.  Accepts NULL. */
void witnesses_stop(struct witnesses *w);

#endif /* COSOD_WITNESS_H */
