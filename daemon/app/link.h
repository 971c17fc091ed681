/*
 * link.h: what the sync agent (daemon/field.c) and the cadre's app
 * (app.c) share in one process: the passphrase once the cadre gave it,
 * a way to ask for a round now, and how the last round went.  Every
 * field under mu; any thread.
 */
#ifndef COSOD_APP_LINK_H
#define COSOD_APP_LINK_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define LINK_MSG_MAX 512

struct applink {
	pthread_mutex_t mu;
	char *pass; /* sodium_malloc'd, or NULL until the cadre unlocks */
	size_t passlen;
	int wake[2];  /* a pipe: a byte asks the agent for a round now */
	int syncing;  /* a round is running */
	int online;   /* -1: no round yet; 0: the last could not reach the
	                 central; 1: it did */
	int enrolled; /* -1: unknown */
	int last_err; /* coso_err of the last round */
	uint64_t last_attempt_ms, last_ok_ms, next_ms;
	char last_msg[LINK_MSG_MAX];
};

/* 0, or -1 (no pipe). */
int applink_init(struct applink *l);
void applink_fini(struct applink *l);

/* Keeps a copy of the passphrase in locked memory; 0 or -1. */
int applink_set_pass(struct applink *l, const char *pass, size_t len);

/* A coso_passphrase_cb for the agent's handle: the kept passphrase, or
 * -1 while there is none. */
int applink_pass_cb(char *buf, size_t max, void *arg);

/* Asks the agent for a round now (also after setup, unlock, enroll). */
void applink_wake(struct applink *l);

/* The read end to poll, and draining it. */
int applink_wake_fd(const struct applink *l);
void applink_drain(struct applink *l);

/* The agent's round: started; ended with err (a coso_err), whether the
 * central was reached, its message, the time of the next one. */
void applink_round_start(struct applink *l);
void applink_round_end(struct applink *l, int err, int reached, int enrolled,
    const char *msg, double next_in_ms);

#endif /* COSOD_APP_LINK_H */
