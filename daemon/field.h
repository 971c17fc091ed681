/*
 * field.h: `cosod field …`, the device's sync agent (field.c).
 */
#ifndef COSOD_FIELD_H
#define COSOD_FIELD_H

/*
 * `cosod field run [--store DIR] [--interval S] [--max-backoff S]
 * [--timeout S] [--passphrase-file F]`.  argv[0] is "field".  Returns the
 * process exit code: 0 after SIGTERM or SIGINT, 1 for a usage error, 2
 * when the store cannot be used.
 */
int cmd_field(int argc, char **argv);

#endif /* COSOD_FIELD_H */
