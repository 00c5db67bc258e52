/* SPDX-License-Identifier: Apache-2.0 */
/* scenario_run: runs a scenario's steps against a running federation,
 * acting as each organisation through that organisation's own node
 * (its control socket, DIR/run/CODE.sock), and reports what happened:
 * each proposal's outcome and how long it took, the certificates
 * exported and verified, pools and Better Care Fund plans, and whether
 * each matched what the scenario expected. */
#ifndef CONCORD_SCENARIO_RUN_H
#define CONCORD_SCENARIO_RUN_H

#include "err.h"
#include "federation.h"
#include "scenario.h"

/* Runs s on the federation in dir (already running), writing decision
 * certificates to cert_dir (created if missing). Prints a transcript and
 * the report on stdout; with json 1, the transcript goes to stderr and
 * the report is one JSON object on stdout. Returns 0 if every expectation held, 1 if one
 * did not, or -1 with err if a step could not be carried out (a node
 * refused it, a wait timed out, an organisation is not a member). */
int scenario_run(const scenario_t *s, const char *dir, const federation_t *f, const char *cert_dir,
                 int json, cc_err_t *err);

#endif
