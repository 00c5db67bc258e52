/* SPDX-License-Identifier: Apache-2.0 */
/* node: one organisation's Concord daemon. Holds its keys and ledger,
 * keeps a CURVE connection to the broker, verifies and stores everything
 * it receives before acknowledging it, answers Health and Reflection, and
 * serves the local `concord` CLI on an ipc control socket (mode 0600). */
#ifndef CONCORD_NODE_H
#define CONCORD_NODE_H

#include "config.h"
#include "rpc.h"
#include "err.h"

typedef struct node node_t;

/* Loads keys (refusing a key file others can read), the roster (which must
 * be fully signed and list this organisation with these keys) and the
 * ledger; connects to the broker; binds the control socket. Returns NULL
 * with err set. */
node_t *node_new(const config_node_t *cfg, cc_err_t *err);

/* Serves until *stop is set. While the ledger cannot be written (disk full,
 * read-only, I/O error) it refuses new work with the ledger's error, keeps
 * serving reads and acknowledges nothing, trying again every few seconds.
 * Returns 0 on a clean stop, -1 if the ledger could still not be written. */
int node_run(node_t *n, volatile int *stop);

/* What the node's metrics report (node_metrics.c). */
typedef struct {
    rpc_peer_stats_t peer;   /* connected, sent, received, rejected, unreceipted... */
    int serving;             /* 0 once the ledger failed */
    uint64_t ledger_entries; /* the log entries this node holds */
    uint64_t started_ms;     /* wall clock at start */
} node_stats_t;
void node_stats(node_t *n, node_stats_t *out);

/* Takes the settings that may change while the node runs from fresh (the
 * config read again on SIGHUP): the log level and the automatic voting
 * policy, which replaces one set by `concord auto-vote`. The rest of fresh
 * (keys, sockets, ledger) is ignored: those need a restart. */
void node_reload(node_t *n, const config_node_t *fresh);

/* One turn of node_run's loop: waits at most max_wait_ms for the broker
 * link, a timer or the control socket, and handles what is ready. Returns
 * 0, or -1 if polling failed. */
int node_step(node_t *n, long max_wait_ms);

void node_destroy(node_t **n);

#endif
