/* control: the node's local control socket, through which the `concord`
 * CLI asks for status, pings and log verification. Requests and replies
 * are ControlRequest / ControlReply (proto/control.proto) on a ZeroMQ
 * ROUTER bound to an ipc path of mode 0600. */
#ifndef CONCORD_CONTROL_H
#define CONCORD_CONTROL_H

#include <stdint.h>

#include "config.h"
#include "json.h"
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
    struct boards *boards;
    struct pools *pools;
} control_ctx_t;

/* A growing text buffer for replies. */
typedef struct {
    char *buf;
    size_t len;
} control_text_t;

/* Appends printf output (silently stops growing if memory runs out). */
void control_text_put(control_text_t *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Replies OK with the text and the JSON (taken from j), freeing both. */
void control_reply_view(control_ctx_t *c, const uint8_t *id, size_t id_len, control_text_t *t,
                        json_t *j);

/* Sends a ControlReply to the CLI connection id (text, json and payload
 * may be NULL). */
void control_reply(control_ctx_t *c, const uint8_t *id, size_t id_len, cc_code_t code,
                   const char *message, const char *text, const char *json,
                   const uint8_t *payload, size_t payload_len);

/* Handles every request waiting on the control socket. Requests that need
 * the network (ping, log verification) are answered later, from the rpc
 * callbacks, which must not outlive the socket. */
void control_handle(control_ctx_t *c);

#endif
