/* SPDX-License-Identifier: Apache-2.0 */
/* broker_main: concord-broker's command line (daemon_main: options,
 * signals, exit codes) around broker_new and broker_run. */
#ifndef CONCORD_BROKER_MAIN_H
#define CONCORD_BROKER_MAIN_H

#include "broker_hooks.h"

/* Runs the broker as a program: the real one with hooks NULL, the test
 * broker with its hooks. Returns the process exit code. */
int broker_main(int argc, char **argv, const broker_hooks_t *hooks);

#endif
