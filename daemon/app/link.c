/*
 * link.c: the agent and the app in one process (link.h).
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include <coso/client.h>

#include "link.h"

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t) ts.tv_sec * 1000u + (uint64_t) ts.tv_nsec / 1000000u;
}

int
applink_init(struct applink *l)
{
	memset(l, 0, sizeof(*l));
	pthread_mutex_init(&l->mu, NULL);
	l->online   = -1;
	l->enrolled = -1;
	if (pipe(l->wake) != 0) {
		return -1;
	}
	fcntl(l->wake[0], F_SETFL, O_NONBLOCK);
	fcntl(l->wake[1], F_SETFL, O_NONBLOCK);
	fcntl(l->wake[0], F_SETFD, FD_CLOEXEC);
	fcntl(l->wake[1], F_SETFD, FD_CLOEXEC);
	return 0;
}

void
applink_fini(struct applink *l)
{
	sodium_free(l->pass);
	close(l->wake[0]);
	close(l->wake[1]);
	pthread_mutex_destroy(&l->mu);
}

int
applink_set_pass(struct applink *l, const char *pass, size_t len)
{
	char *p = sodium_malloc(len + 1);

	if (p == NULL) {
		return -1;
	}
	memcpy(p, pass, len);
	p[len] = 0;
	pthread_mutex_lock(&l->mu);
	sodium_free(l->pass);
	l->pass    = p;
	l->passlen = len;
	pthread_mutex_unlock(&l->mu);
	return 0;
}

int
applink_pass_cb(char *buf, size_t max, void *arg)
{
	struct applink *l = arg;
	int n             = -1;

	pthread_mutex_lock(&l->mu);
	if (l->pass != NULL && l->passlen <= max) {
		memcpy(buf, l->pass, l->passlen);
		n = (int) l->passlen;
	}
	pthread_mutex_unlock(&l->mu);
	return n;
}

void
applink_wake(struct applink *l)
{
	char b = 1;

	if (write(l->wake[1], &b, 1) < 0) {
		/* full: a wake is pending already */
	}
}

int
applink_wake_fd(const struct applink *l)
{
	return l->wake[0];
}

void
applink_drain(struct applink *l)
{
	char buf[64];

	while (read(l->wake[0], buf, sizeof(buf)) > 0) { }
}

void
applink_round_start(struct applink *l)
{
	pthread_mutex_lock(&l->mu);
	l->syncing         = 1;
	l->last_attempt_ms = now_ms();
	pthread_mutex_unlock(&l->mu);
}

void
applink_round_end(struct applink *l, int err, int reached, int enrolled,
    const char *msg, double next_in_ms)
{
	uint64_t now = now_ms();

	pthread_mutex_lock(&l->mu);
	l->syncing  = 0;
	l->online   = reached;
	l->last_err = err;
	if (enrolled >= 0) {
		l->enrolled = enrolled;
	}
	if (err == COSO_OK) {
		l->last_ok_ms = now;
	}
	l->next_ms = now + (uint64_t) (next_in_ms > 0 ? next_in_ms : 0);
	snprintf(l->last_msg, sizeof(l->last_msg), "%s", msg ? msg : "");
	pthread_mutex_unlock(&l->mu);
}
