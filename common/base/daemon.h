/* SPDX-License-Identifier: Apache-2.0 */
/* daemon: the command line, signal handling and exit codes shared by
 * concord-broker and concordd. */
#ifndef CONCORD_DAEMON_H
#define CONCORD_DAEMON_H

#include "log.h"

/* Exit statuses of both daemons. */
enum { DAEMON_EXIT_OK = 0, DAEMON_EXIT_START = 1, DAEMON_EXIT_USAGE = 2, DAEMON_EXIT_STORE = 3 };

/* Loads the configuration at config_path, serves until *stop is set and
 * returns one of the exit statuses. level is the --log-level override, or
 * -1 for the configuration's own. */
typedef int (*daemon_run_fn)(const char *config_path, int level, volatile int *stop);

/* Parses --config, --log-level, --log-file, --help and --version,
 * initialises libsodium, installs SIGTERM/SIGINT handlers that stop
 * cleanly and SIGHUP/SIGUSR1 handlers that daemon_service acts on, and
 * runs. description is the paragraph --help prints about the program. */
int daemon_main(int argc, char **argv, const char *ident, const char *description,
                daemon_run_fn run);

/* The daemon is ready to serve: tells systemd (Type=notify: READY=1) and
 * starts the watchdog pings daemon_service sends when WatchdogSec= is set.
 * Outside systemd it does nothing. */
void daemon_ready(void);

/* What SIGHUP reloads besides the log level: called by daemon_service with
 * the configuration path and arg. NULL: the log level only. */
typedef void (*daemon_reload_fn)(const char *config_path, void *arg);
void daemon_on_reload(daemon_reload_fn fn, void *arg);

/* Work the daemon does about once a second from its loop (publishing its
 * metrics): fn(arg), called by daemon_service. NULL: none. */
typedef void (*daemon_tick_fn)(void *arg);
void daemon_on_tick(daemon_tick_fn fn, void *arg);

/* A daemon's loop calls this after every poll (a signal interrupts the
 * poll). After SIGHUP: sets the log level the configuration now names
 * (unless --log-level overrides it), calls the reload function, and logs
 * that it did; after SIGUSR1: reopens the --log-file (for log rotation)
 * and logs that it did; and the tick function once a second has passed. */
void daemon_service(void);

#endif
