/* control_client: see control_client.h. A fresh REQ socket per request:
 * simple, and a lost reply cannot confuse the next request. */
#include "control_client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <zmq.h>

#include "wire.h"

/* The largest reply accepted: a decision certificate of a large board. */
#define S_REPLY_MAX (64u * 1024u * 1024u)

Concord__V1__ControlReply *control_client_call(const char *path, const char *command,
                                               char **args, size_t n_args,
                                               const uint8_t *payload, size_t payload_len,
                                               int timeout_ms, cc_err_t *err)
{
    struct stat st;
    Concord__V1__ControlReply *reply = NULL;
    Concord__V1__ControlRequest rq = CONCORD__V1__CONTROL_REQUEST__INIT;
    uint8_t *buf = NULL;
    size_t len = 0;
    char ep[4200];
    if (stat(path, &st) != 0) {
        err_set(err, CC_NOT_FOUND, "no node control socket at %s", path);
        return NULL;
    }
    void *ctx = zmq_ctx_new();
    void *req = ctx ? zmq_socket(ctx, ZMQ_REQ) : NULL;
    int linger = 0, timeout = timeout_ms;
    snprintf(ep, sizeof ep, "ipc://%s", path);
    rq.command = (char *)command;
    rq.args = args;
    rq.n_args = n_args;
    rq.payload.data = (uint8_t *)payload;
    rq.payload.len = payload ? payload_len : 0;
    if (!req) {
        err_set(err, CC_UNAVAILABLE, "cannot open a socket: %s", zmq_strerror(errno));
        goto out;
    }
    zmq_setsockopt(req, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(req, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    if (wire_pack(&rq.base, WIRE_MAX_FRAME, &buf, &len, err) < 0) {
        goto out;
    }
    if (zmq_connect(req, ep) != 0 || zmq_send(req, buf, len, 0) < 0) {
        err_set(err, CC_UNAVAILABLE, "cannot reach the node at %s: %s", path,
                   zmq_strerror(errno));
        goto out;
    }
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    if (zmq_msg_recv(&msg, req, 0) < 0) {
        err_set(err, CC_UNAVAILABLE, "no answer from the node at %s within %d ms", path,
                   timeout);
    } else if (!(reply = (Concord__V1__ControlReply *)wire_unpack(
                     &concord__v1__control_reply__descriptor, zmq_msg_data(&msg),
                     zmq_msg_size(&msg), S_REPLY_MAX, err))) {
        err_prefix(err, "garbled answer from the node at %s", path);
    }
    zmq_msg_close(&msg);
out:
    free(buf);
    if (req) {
        zmq_close(req);
    }
    if (ctx) {
        zmq_ctx_term(ctx);
    }
    return reply;
}
