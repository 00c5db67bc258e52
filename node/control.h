/* control: the node's local control socket, through which the `concord`
 * CLI asks for status, pings and log verification. Requests and replies
 * are ControlRequest / ControlReply (proto/control.proto) on a ZeroMQ
 * ROUTER bound to an ipc path of mode 0600. */
#ifndef CONCORD_CONTROL_H
#define CONCORD_CONTROL_H

#include <stdint.h>

#include "config.h"
#include "ledger.h"
#include "roster.h"
#include "rpc.h"

typedef struct {
    void *socket;
    rpc_peer_t *peer;
    ledger_t *ledger;
    const roster_t *roster;
    const config_node_t *cfg;
    uint64_t started_ms;
    const int *failed;
} control_ctx_t;

/* Handles every request waiting on the control socket. Requests that need
 * the network (ping, log verification) are answered later, from the rpc
 * callbacks, which must not outlive the socket. */
void control_handle(control_ctx_t *c);

#endif
