/* SPDX-License-Identifier: Apache-2.0 */
/* control_client: see control_client.h. A fresh REQ socket per request:
 * simple, and a lost reply cannot confuse the next request. */
#include "control_client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <zmq.h>

#include "wire.h"

/* The largest reply accepted: a decision certificate of a large board. */
#define S_REPLY_MAX (64u * 1024u * 1024u)

/* Sends one packed ControlCall and receives the packed answer (malloc'd). */
static uint8_t *s_exchange(const char *path, const uint8_t *call, size_t call_len,
                           int timeout_ms, size_t *len, cc_err_t *err)
{
    uint8_t *out = NULL;
    char ep[4200];
    void *ctx = zmq_ctx_new();
    void *req = ctx ? zmq_socket(ctx, ZMQ_REQ) : NULL;
    int linger = 0, timeout = timeout_ms;
    snprintf(ep, sizeof ep, "ipc://%s", path);
    if (!req) {
        err_set(err, CC_UNAVAILABLE, "cannot open a socket: %s", zmq_strerror(errno));
        goto out;
    }
    zmq_setsockopt(req, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(req, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    if (zmq_connect(req, ep) != 0 || zmq_send(req, call, call_len, 0) < 0) {
        err_set(err, CC_UNAVAILABLE, "cannot reach the node at %s: %s", path,
                zmq_strerror(errno));
        goto out;
    }
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    if (zmq_msg_recv(&msg, req, 0) < 0) {
        err_set(err, CC_UNAVAILABLE, "no answer from the node at %s within %d ms", path,
                timeout);
    } else if (zmq_msg_size(&msg) > S_REPLY_MAX) {
        err_set(err, CC_DATA_LOSS, "garbled answer from the node at %s: too large", path);
    } else if (!(out = malloc(zmq_msg_size(&msg) ? zmq_msg_size(&msg) : 1))) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
    } else {
        memcpy(out, zmq_msg_data(&msg), zmq_msg_size(&msg));
        *len = zmq_msg_size(&msg);
    }
    zmq_msg_close(&msg);
out:
    if (req) {
        zmq_close(req);
    }
    if (ctx) {
        zmq_ctx_term(ctx);
    }
    return out;
}

ProtobufCMessage *control_client_call(const char *path, const char *method,
                                      const ProtobufCMessage *in, int timeout_ms, int *refused,
                                      cc_err_t *err)
{
    struct stat st;
    char full[128];
    uint8_t *body = NULL, *call = NULL, *answer = NULL;
    size_t body_len = 0, call_len = 0, answer_len = 0;
    ProtobufCMessage *reply = NULL;
    Concord__V1__ControlAnswer *a = NULL;
    const ProtobufCMethodDescriptor *m =
        protobuf_c_service_descriptor_get_method_by_name(&concord__v1__control__descriptor,
                                                         method);
    if (refused) {
        *refused = 0;
    }
    if (!m) {
        err_set(err, CC_NOT_FOUND, "no control method '%s'", method);
        return NULL;
    }
    if (!in || in->descriptor != m->input) {
        err_set(err, CC_INVALID_ARGUMENT, "control method %s takes a %s", method,
                m->input->name);
        return NULL;
    }
    if (stat(path, &st) != 0) {
        err_set(err, CC_NOT_FOUND, "no node control socket at %s", path);
        return NULL;
    }
    snprintf(full, sizeof full, "%s/%s", concord__v1__control__descriptor.name, method);
    Concord__V1__ControlCall cc = CONCORD__V1__CONTROL_CALL__INIT;
    cc.method = full;
    if (wire_pack(in, WIRE_MAX_FRAME, &body, &body_len, err) < 0) {
        goto out;
    }
    cc.body.data = body;
    cc.body.len = body_len;
    if (wire_pack(&cc.base, WIRE_MAX_FRAME, &call, &call_len, err) < 0 ||
        !(answer = s_exchange(path, call, call_len, timeout_ms, &answer_len, err))) {
        goto out;
    }
    a = (Concord__V1__ControlAnswer *)wire_unpack(&concord__v1__control_answer__descriptor,
                                                  answer, answer_len, S_REPLY_MAX, err);
    if (!a) {
        err_prefix(err, "garbled answer from the node at %s", path);
        goto out;
    }
    if (a->code != CONCORD__V1__STATUS_CODE__OK) {
        err_set(err, (cc_code_t)a->code, "%s", a->message);
        if (refused) {
            *refused = 1;
        }
        goto out;
    }
    reply = wire_unpack(m->output, a->body.data, a->body.len, S_REPLY_MAX, err);
    if (!reply) {
        err_prefix(err, "garbled answer from the node at %s", path);
    }
out:
    wire_free(a ? &a->base : NULL);
    free(answer);
    free(call);
    free(body);
    return reply;
}
