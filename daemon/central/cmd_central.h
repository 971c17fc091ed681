/*
 * cmd_central.h: `cosod central …`, the provincial node's commands.
 */
#ifndef COSOD_CMD_CENTRAL_H
#define COSOD_CMD_CENTRAL_H

/* Exit codes of cosod: success, usage error, failure. */
#define COSOD_EXIT_USAGE 1
#define COSOD_EXIT_FAIL  2

/* argv[0] is "central"; returns the process exit code. */
int cmd_central(int argc, char **argv);

#endif /* COSOD_CMD_CENTRAL_H */
