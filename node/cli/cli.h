/* cli: the `concord` command-line tool's commands. Each returns the
 * process exit status: 0 success, 1 failure (reason printed), 2 usage. */
#ifndef CONCORD_CLI_H
#define CONCORD_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "roster.h"

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

/* Offline commands (no node needed). argv[0] is the command name. */
int cli_keygen(int argc, char **argv, int json);
int cli_roster(int argc, char **argv, int json);

/* Commands that need the local node (its config already loaded). */
int cli_board(const config_node_t *cfg, int argc, char **argv, int json);
/* `concord pool ...` (node/cli_pool.c). */
int cli_pool(const config_node_t *cfg, int argc, char **argv, int json);
/* `concord bcf ...` (node/cli_pool.c). */
int cli_bcf(const config_node_t *cfg, int argc, char **argv, int json);

/* `concord verify CERTIFICATE --roster ROSTER`, offline. */
int cli_verify(int argc, char **argv, int json);

/* `concord footprint show|org|splits|report`, offline over the ONS lookups
 * (node/cli_footprint.c). decided holds the realignment decisions of the
 * local node's boards as "ORG=FOOTPRINT" lines (modified in place), or is
 * NULL when no node was asked. */
int cli_footprint(int argc, char **argv, int json, char *decided);

/* For realignment proposals: CLI_OK if organisation org touches footprint
 * in the shipped geography, else prints why and returns CLI_FAIL. */
int cli_footprint_check(const char *org, const char *footprint);

/* Sends one control request (command, args, optional payload) to the local
 * node and waits up to wait_ms (plus slack) for the answer. Prints its
 * text, or its JSON when json is 1, or nothing when json is -1. A reply
 * payload is copied to *out (malloc'd) when out is not NULL. Returns a CLI
 * exit status. */
int cli_node_call(const config_node_t *cfg, const char *command, char **args, size_t n_args,
                  const uint8_t *payload, size_t payload_len, uint32_t wait_ms, int json,
                  uint8_t **out, size_t *out_len);

/* Sends one control request without payload and waits up to timeout_ms,
 * printing nothing. On success returns CLI_OK and, when json is not NULL,
 * the reply's JSON in *json (malloc'd, caller frees). Otherwise returns
 * CLI_FAIL with the reason (node not running, no answer, the node's
 * refusal) in why. */
int cli_node_ask(const config_node_t *cfg, const char *command, char **args, size_t n_args,
                 int timeout_ms, char **json, char *why, size_t why_size);

/* While on (1), cli_node_call keeps each reply's JSON instead of printing
 * it, for callers that run CLI commands in-process and read their
 * results (the scenario runner). cli_captured hands over the last one
 * (malloc'd, caller frees) or NULL. */
void cli_capture(int on);
char *cli_captured(void);
/* 1 while capturing: commands then print nothing of their own. */
int cli_capturing(void);

/* `concord federation init|start|status|stop|exec` (node/cli_federation.c).
 * json -1 (for callers in-process) reports init in one line on stderr. */
int cli_federation(int argc, char **argv, int json);

/* `concord scenario run|check` (node/cli_scenario.c). */
int cli_scenario(int argc, char **argv, int json);

/* Parses "7d", "12h", "30m", "45s", "500ms" or plain seconds into
 * milliseconds, at most a board's longest deadline. Returns 0 or -1. */
int cli_duration(const char *text, uint64_t *ms);

/* Writes buf to path through a temporary file renamed into place.
 * Returns CLI_OK, or CLI_FAIL after saying why. */
int cli_write_file(const char *path, const uint8_t *buf, size_t len);

/* `concord pool verify STATEMENT --roster ROSTER`, offline (cli_pool.c). */
int cli_pool_verify(int argc, char **argv, int json);

/* For offline verification: loads the trusted roster at roster_path (its
 * signatures checked) and the certificate file. Returns CLI_OK with
 * *roster (roster_destroy) and *buf (free) of *len bytes, or CLI_FAIL
 * after saying why, with nothing to free. */
int cli_verify_inputs(const char *roster_path, const char *file, roster_t **roster,
                      uint8_t **buf, size_t *len);

/* Prints "concord: <message>" to stderr and returns CLI_FAIL. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
