/*
 * commands.h: the subcommands of `coso`, one file per group.
 */
#ifndef COSO_CLIENT_COMMANDS_H
#define COSO_CLIENT_COMMANDS_H

/* Global options, given before the subcommand. */
struct cli_opts {
	const char *store; /* --store DIR, or NULL for the default */
	const char
	    *passfile; /* --passphrase-file F or $COSO_PASSPHRASE_FILE */
};

/* Each returns the process exit code; argv[0] is the subcommand name. */
int cmd_key(const struct cli_opts *g, int argc, char **argv);
int cmd_inspect(const struct cli_opts *g, int argc, char **argv);
int cmd_init(const struct cli_opts *g, int argc, char **argv);
int cmd_units(const struct cli_opts *g, int argc, char **argv);
int cmd_visit(const struct cli_opts *g, int argc, char **argv);
int cmd_report(const struct cli_opts *g, int argc, char **argv);
/* `report print ID --output FILE' (report_print.c); argv[0] "print".
 * EXIT_USAGE for a usage error, which the caller reports. */
int cmd_report_print(const struct cli_opts *g, int argc, char **argv);
int cmd_proposal(const struct cli_opts *g, int argc, char **argv);
int cmd_handover(const struct cli_opts *g, int argc, char **argv);
int cmd_status(const struct cli_opts *g, int argc, char **argv);
int cmd_log(const struct cli_opts *g, int argc, char **argv);
int cmd_export(const struct cli_opts *g, int argc, char **argv);
int cmd_pin(const struct cli_opts *g, int argc, char **argv);
int cmd_enroll(const struct cli_opts *g, int argc, char **argv);
int cmd_sync(const struct cli_opts *g, int argc, char **argv);
int cmd_receipts(const struct cli_opts *g, int argc, char **argv);
int cmd_admin(const struct cli_opts *g, int argc, char **argv);
int cmd_console(const struct cli_opts *g, int argc, char **argv);

#endif /* COSO_CLIENT_COMMANDS_H */
