/* cli: the `concord` command-line tool's commands. Each returns the
 * process exit status: 0 success, 1 failure (reason printed), 2 usage. */
#ifndef CONCORD_CLI_H
#define CONCORD_CLI_H

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

/* Offline commands (no node needed). argv[0] is the command name. */
int cli_keygen(int argc, char **argv, int json);
int cli_roster(int argc, char **argv, int json);

/* Prints "concord: <message>" to stderr and returns CLI_FAIL. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
