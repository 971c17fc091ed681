/*
 * notify.h: telling systemd how the central is (sd_notify(3)'s protocol,
 * without libsystemd): one datagram of "KEY=VALUE" lines to the unix
 * socket named by $NOTIFY_SOCKET, which a service of Type=notify gets.
 * docs/operations.md, "systemd".
 */
#ifndef COSOD_NOTIFY_H
#define COSOD_NOTIFY_H

#include <stddef.h>

#define NOTIFY_ERRMSG_MAX 256

/*
 * Sends state ("READY=1", "STOPPING=1" …) to the socket path, a file
 * path or, starting with '@', an abstract one (Linux).  path NULL or
 * empty: not run by systemd, nothing sent, 0.  0 on success; -1 with
 * err holding a sentence.  Safe from any thread.
 */
int notify_send(
    const char *path, const char *state, char err[static NOTIFY_ERRMSG_MAX]);

#endif /* COSOD_NOTIFY_H */
