/*
 * report_cmd.h: `cosod central report ...` (report_cmd.c).
 */
#ifndef COSOD_REPORT_CMD_H
#define COSOD_REPORT_CMD_H

/* argv[0] is "report"; returns an exit code (cmd_central.h). */
int central_report(int argc, char **argv);

#endif /* COSOD_REPORT_CMD_H */
