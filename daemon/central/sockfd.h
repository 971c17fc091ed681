/*
 * sockfd.h: ending one of nng's TCP connections the way a peer would
 * (docs/central.md, "Connections and deadlines").
 *
 * nng 1.5.2 can hang for good when the central closes a connection on
 * which bytes are arriving (nng_pipe_close while the transport's receive
 * callback runs: its next receive is never started nor finished, and
 * nng's reaper thread then waits for it for ever, after which no closed
 * connection's file is ever released; fixed upstream in nng 1.6).  A
 * connection whose socket is shut down instead ends through nng's own
 * path for a peer that went away, which has no such race.  nng does not
 * give out a connection's file descriptor, so it is found by its address
 * pair among the process's descriptors (Linux: /proc/self/fd).
 *
 * The descriptors this needs are taken once, at sockfd_new, so that it
 * works when every other file is in use: which is when it is needed.
 */
#ifndef COSOD_SOCKFD_H
#define COSOD_SOCKFD_H

#include <stddef.h>
#include <stdint.h>

/* A TCP connection's two ends: family, port and address, as bytes. */
struct sockfd_pair {
	uint8_t local[19], remote[19];
};

struct sockfd;

/* One end into out: family (4 or 6), port (2 bytes, network order),
 * address (4 or 16 bytes, network order; zero-filled to 16). */
void sockfd_end(
    uint8_t out[static 19], int v6, const void *addr, uint16_t port_be);

/* Opens /proc/self/fd and two spare descriptors, kept until sockfd_free.
 * 0, or an errno. */
int sockfd_new(struct sockfd **out);
void sockfd_free(struct sockfd *s);

/* Shuts down, both ways, each connected TCP socket of this process
 * whose two ends are one of want[0..n); sets found[i] for each.  Returns
 * how many were shut down.  Safe against descriptors closed and reused
 * meanwhile: each is checked on a duplicate, which holds the socket that
 * was checked.  Thread-safe (one call at a time). */
size_t sockfd_shutdown(
    struct sockfd *s, const struct sockfd_pair *want, size_t n, int *found);

#endif /* COSOD_SOCKFD_H */
