/*
 * commands.h: the subcommands of `coso`, one file per group.
 */
#ifndef COSO_CLIENT_COMMANDS_H
#define COSO_CLIENT_COMMANDS_H

/* Each returns the process exit code; argv[0] is the subcommand name. */
int cmd_key(int argc, char **argv);
int cmd_inspect(int argc, char **argv);

#endif /* COSO_CLIENT_COMMANDS_H */
