/* SPDX-License-Identifier: Apache-2.0 */
/* launch: runs a generated federation's processes on one machine: the
 * broker and every organisation's node, detached, with logs in DIR/logs
 * and pid files in DIR/run. Binaries come from $CONCORD_BIN or the
 * directory of the running `concord`. Starts are paced (a bounded number
 * of nodes starting at once) so that hundreds of nodes come up on a small
 * machine, and a node counts as started only when its control socket
 * reports a completed broker handshake. */
#ifndef CONCORD_LAUNCH_H
#define CONCORD_LAUNCH_H

#include "err.h"
#include "federation.h"

typedef struct {
    int parallel;  /* nodes starting at once (default 16) */
    int timeout_s; /* for each node to become healthy (default 120) */
    int quiet;     /* 1: no progress lines */
} launch_opts_t;

/* Starts whatever of dir's federation is not running and waits until
 * every node is connected. Returns 0, or -1 with err naming the process
 * that exited or did not become healthy and the tail of its log; then
 * every process this call started has been stopped again. */
int launch_start(const char *dir, const federation_t *f, const launch_opts_t *o, cc_err_t *err);

/* Stops every running process of dir (nodes with SIGTERM, then the
 * broker), waiting for each. Returns the number stopped, or -1 with err
 * if one would not stop (it is then killed). */
int launch_stop(const char *dir, const federation_t *f, int quiet, cc_err_t *err);

/* The number of dir's processes (broker included) running now. */
int launch_running(const char *dir, const federation_t *f);

/* `federation start|status|stop DIR [options]`; a CLI exit status. */
int launch_command(int argc, char **argv, int json);

#endif
