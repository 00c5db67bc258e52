/* SPDX-License-Identifier: Apache-2.0 */
/* cli: the `concord` command-line tool's commands. Each returns the
 * process exit status: 0 success, 1 failure (reason printed), 2 usage. */
#ifndef CONCORD_CLI_H
#define CONCORD_CLI_H

#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "board.pb-c.h"
#include "config.h"
#include "pool.pb-c.h"
#include "roster.h"

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

/* Offline commands (no node needed). argv[0] is the command name. */
int cli_roster_keygen(int argc, char **argv, int json);
int cli_roster(int argc, char **argv, int json);

/* Commands that need the local node (its config already loaded). */
int cli_board(const config_node_t *cfg, int argc, char **argv, int json);
/* `person`, `interests`, `declare` (cli_people.c). */
int cli_people(const config_node_t *cfg, int argc, char **argv, int json);
/* Signs msg (of method) with the person key file at key_path, first
 * setting *person_field to the key's person id (held in person): the
 * signature PROTOCOL.md 16.13 defines, into sig. CLI_OK or CLI_FAIL. */
int cli_people_sign(const config_node_t *cfg, const char *key_path, const char *method,
                    ProtobufCMessage *msg, char **person_field, char person[33],
                    uint8_t sig[64]);
/* The full id and board of a proposal given by prefix, from the node. */
int cli_people_complete(const config_node_t *cfg, const char *prefix, char id[40],
                        char board[40]);
/* `concord pool ...` (node/cli_pool.c). */
int cli_pool(const config_node_t *cfg, int argc, char **argv, int json);
/* `concord bcf ...` (node/cli_pool.c). */
int cli_bcf(const config_node_t *cfg, int argc, char **argv, int json);

/* `concord verify CERTIFICATE --roster ROSTER`, offline. */
int cli_board_verify(int argc, char **argv, int json);

/* `concord footprint show|org|splits|report`, offline over the ONS lookups
 * (node/cli_footprint.c). decided holds the realignment decisions of the
 * local node's boards as "ORG=FOOTPRINT" lines (modified in place), or is
 * NULL when no node was asked. */
int cli_footprint(int argc, char **argv, int json, char *decided);

/* For realignment proposals: CLI_OK if organisation org touches footprint
 * in the shipped geography, else prints why and returns CLI_FAIL. */
int cli_footprint_check(const char *org, const char *footprint);

/* For a split's transfer scheme without shares: each successor's share
 * (permille, by the one largest-remainder split, summing to 1000) of the
 * LSOAs of org, from the first layer of the shipped geography holding org
 * and a later layer holding every successor with some of them (NHS
 * Morecambe Bay CCG E38000216, CCG17, into E38000228 and E38000226,
 * CCG18). Writes what it read to basis ("LSOA shares, CCG17 -> CCG18").
 * CLI_OK, or prints why not and returns CLI_FAIL. */
int cli_footprint_split_shares(const char *org, const char *const *succ, size_t n,
                               uint32_t *permille, char *basis, size_t basis_size);

/* Calls Control method `method` ("Status", "PoolShow": proto/control.proto)
 * with request in on the local node, waiting up to wait_ms (plus slack).
 * On success prints the reply in format (CLI_RENDER_TEXT, _JSON or _CSV of
 * cli_render.h; -1: prints nothing) and returns CLI_OK, handing the reply
 * over in *reply when reply is not NULL (the caller frees it with
 * wire_free). Otherwise prints why (the node not running, no answer, the
 * node's refusal) and returns CLI_FAIL. */
int cli_node_call(const config_node_t *cfg, const char *method, const ProtobufCMessage *in,
                  uint32_t wait_ms, int format, ProtobufCMessage **reply);

/* The files users write, read as `board create --file`, `pool propose
 * --file` and `bcf plan --file` read them (docs/BOARDS.md, docs/POOLS.md),
 * for the scenario runner too. Each says why on stderr when it fails. */

/* Fills p with the proposal that adopts the charter in path (closing when
 * the file says, else in 7 days); p points into static storage, valid
 * until the next call. Returns CLI_OK or CLI_FAIL. */
int cli_board_charter(const char *path, const roster_t *r, Concord__V1__Proposal *p);

/* The agreement in path (free with cli_pool_agreement_free), or NULL. */
Concord__V1__PoolAgreement *cli_pool_agreement_read(const char *path);
void cli_pool_agreement_free(Concord__V1__PoolAgreement *a);

/* The BCF plan in path, its total added up unless given (free with
 * cli_bcf_plan_free), or NULL. */
Concord__V1__BcfPlan *cli_bcf_plan_read(const char *path);
void cli_bcf_plan_free(Concord__V1__BcfPlan *p);

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

/* SHA-256 of the file at path into out. Returns CLI_OK or CLI_FAIL. */
int cli_pool_sha256_file(const char *path, uint8_t out[32]);

/* `concord meeting ...` and `concord forward-plan ...` (cli_meeting.c). */
int cli_meeting(const config_node_t *cfg, int argc, char **argv, int json);

/* For offline verification: loads the trusted roster at roster_path (its
 * signatures checked) and the certificate file. Returns CLI_OK with
 * *roster (roster_destroy) and *buf (free) of *len bytes, or CLI_FAIL
 * after saying why, with nothing to free. */
int cli_verify_inputs(const char *roster_path, const char *file, roster_t **roster,
                      uint8_t **buf, size_t *len);

/* Prints "concord: <message>" to stderr and returns CLI_FAIL; after
 * cli_json_errors(1), prints {"error": {"code": "failed", "message": ...}}
 * instead (one JSON document a line). */
/* s for a terminal (text_add_safe): control characters other than those
 * in keep as visible escapes, bytes that are not UTF-8 as U+FFFD. A
 * malloc'd copy the caller frees, or NULL when memory runs out. */
char *cli_safe(const char *s, const char *keep);

int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* As cli_fail, with the JSON code given, returning status. */
int cli_fail_code(int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* As cli_fail for a usage error (JSON code "usage"); returns CLI_USAGE.
 * main() adds the hint to `concord help COMMAND`. */
int cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Errors from now on as JSON (on, from --json) or as text (0). */
void cli_json_errors(int on);

/* 1 once any error has been printed through the functions above. */
int cli_said(void);

#endif
