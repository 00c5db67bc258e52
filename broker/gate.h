/* SPDX-License-Identifier: Apache-2.0 */
/* gate: the broker's limit on connections that have not authenticated.
 *
 * Anyone can open a TCP connection to the broker's port; until its CURVE
 * handshake ends (at most handshake_ms, ZMQ_HANDSHAKE_IVL) it holds one
 * of the broker's file descriptors. The gate watches the ROUTER's
 * connections (a ZeroMQ socket monitor) and keeps at most max_total of
 * them un-authenticated at once, and at most max_per_address from one
 * source address: past either, it shuts the oldest such connection down
 * (logged; a connection that has sent the bytes of a whole handshake is
 * past it and never counted), so that an outsider with no keys holding connections open
 * can never use up the descriptors the members need, and a member's new
 * connection, being the newest, is the one kept. libzmq offers no such
 * limit itself; the kernel's descriptor limit is raised to its hard
 * maximum at start (broker.c), well above these caps, so that accept()
 * never fails with EMFILE (on which libzmq retries at once, forever). */
#ifndef CONCORD_GATE_H
#define CONCORD_GATE_H

#include <stdint.h>

#include "err.h"

typedef struct gate gate_t;

/* Watches router (a bound or about to be bound socket in ctx). Returns
 * NULL with err set. */
gate_t *gate_new(void *ctx, void *router, uint32_t max_total, uint32_t max_per_address,
                 uint32_t handshake_ms, cc_err_t *err);

/* The monitor's socket, to poll for ZMQ_POLLIN. */
void *gate_socket(gate_t *g);

/* Handles the monitor's waiting events (at most a few hundred). */
void gate_handle(gate_t *g);

/* Connections accepted and not yet authenticated. */
uint32_t gate_pending(const gate_t *g);

/* Shuts down every TCP connection of this process whose local port is
 * port (the broker's listening port; libzmq then sees each end and closes
 * it), found through /proc/self/fd. For a broker that stopped listening:
 * its members' connections go too, and their nodes move to another
 * broker. Returns how many. */
int gate_close_all(int port);

void gate_destroy(gate_t **g);

#endif
