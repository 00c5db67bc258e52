/* SPDX-License-Identifier: Apache-2.0 */
/* dashboard: the node's read-only web dashboard (docs/DASHBOARD.md),
 * served with libmicrohttpd in threads of its own, so that a slow or
 * hostile client never stalls the node's event loop: every connection
 * has its own thread, their number is bounded, and each page is read
 * through the node's own Control service (its local control socket, as
 * the `concord` CLI reads it), never from the ledger. Everything is GET;
 * nothing changes state. Off unless `dashboard` is set in the node's
 * config; a non-loopback address needs TLS and an access token. */
#ifndef CONCORD_DASHBOARD_H
#define CONCORD_DASHBOARD_H

#include "config.h"
#include "err.h"

typedef struct dashboard dashboard_t;

/* Checks cfg's dashboard settings without starting anything: the address
 * is a numeric IPv4 or IPv6 address with a port; one that is not
 * loopback needs dashboard_cert, dashboard_key and dashboard_token
 * (refused with FAILED_PRECONDITION and a message beginning
 * "DASHBOARD_NEEDS_TLS_AND_TOKEN"); cert and key come together; the
 * token file holds at least 16 characters. Returns 0 (also when the
 * dashboard is off), or -1 with err. */
int dashboard_check(const config_node_t *cfg, cc_err_t *err);

/* Starts serving on cfg->dashboard, reading the node through its control
 * socket cfg->control. cfg is copied. Returns the dashboard, or NULL with
 * err (also for settings dashboard_check refuses). */
dashboard_t *dashboard_start(const config_node_t *cfg, cc_err_t *err);

/* Stops serving (open connections are closed) and frees d; NULL-safe. */
void dashboard_stop(dashboard_t **d);

#endif
