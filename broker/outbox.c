/* SPDX-License-Identifier: Apache-2.0 */
/* outbox: answers held until their batch is durable. */
#include "outbox.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "log.h"
#include "wire.h"

/* A frame to send once the batch that produced it is durable. */
typedef struct {
    uint8_t id[OUTBOX_ID_MAX];
    size_t id_len;
    uint8_t *frame;                /* packed; NULL for a result not yet packed */
    size_t frame_len;
    /* A SubmitResult, packed at the flush with its receipt: */
    uint8_t hash[32];
    int has_hash;
    cc_code_t code;
    char *msg;
    uint64_t log_index, time_ms;
} s_out_t;

struct outbox {
    s_out_t outs[OUTBOX_BATCH * 2];
    size_t n_outs;
    uint64_t results[OUTBOX_CODES]; /* SubmitResults queued, by status code */
};

outbox_t *outbox_new(void)
{
    return calloc(1, sizeof(outbox_t));
}

void outbox_queue(outbox_t *o, const uint8_t *id, size_t id_len,
                  const Concord__V1__BrokerFrame *f)
{
    cc_err_t err;
    assert(o->n_outs < sizeof o->outs / sizeof o->outs[0]);
    assert(id_len <= OUTBOX_ID_MAX);
    s_out_t *out = &o->outs[o->n_outs];
    if (wire_pack(&f->base, WIRE_MAX_FRAME + 4096, &out->frame, &out->frame_len, &err) < 0) {
        log_error("cannot encode frame: %s", err.msg);
        return;
    }
    memcpy(out->id, id, id_len);
    out->id_len = id_len;
    out->msg = NULL;
    o->n_outs++;
}

void outbox_result(outbox_t *o, const uint8_t *id, size_t id_len, const uint8_t hash[32],
                   cc_code_t code, const char *msg, uint64_t log_index, uint64_t time_ms)
{
    assert(o->n_outs < sizeof o->outs / sizeof o->outs[0]);
    assert(id_len <= OUTBOX_ID_MAX);
    if ((unsigned)code < OUTBOX_CODES) {
        o->results[code]++;
    }
    s_out_t *out = &o->outs[o->n_outs];
    memset(out, 0, sizeof *out);
    if (!(out->msg = strdup(msg ? msg : ""))) {
        log_error("cannot queue a result: out of memory");
        return;
    }
    memcpy(out->id, id, id_len);
    out->id_len = id_len;
    if (hash) {
        memcpy(out->hash, hash, 32);
        out->has_hash = 1;
    }
    out->code = code;
    out->log_index = log_index;
    out->time_ms = time_ms;
    o->n_outs++;
}

/* Packs a queued SubmitResult, with its receipt against the newest head. */
static int s_pack_result(s_out_t *out, const heads_t *heads)
{
    Concord__V1__BrokerFrame f = CONCORD__V1__BROKER_FRAME__INIT;
    Concord__V1__SubmitResult res = CONCORD__V1__SUBMIT_RESULT__INIT;
    Concord__V1__Status st = CONCORD__V1__STATUS__INIT;
    heads_receipt_t rc;
    cc_err_t err;
    st.code = (Concord__V1__StatusCode)out->code;
    st.message = out->msg;
    res.status = &st;
    res.envelope_hash.data = out->hash;
    res.envelope_hash.len = out->has_hash ? 32 : 0;
    if (out->log_index && heads && out->log_index <= heads_size(heads)) {
        heads_receipt(heads, out->log_index, out->time_ms, out->hash, 1, &rc);
        res.receipt = &rc.r;
    }
    f.frame_case = CONCORD__V1__BROKER_FRAME__FRAME_RESULT;
    f.result = &res;
    if (wire_pack(&f.base, WIRE_MAX_FRAME + 4096, &out->frame, &out->frame_len, &err) < 0) {
        log_error("cannot encode result: %s", err.msg);
        return -1;
    }
    return 0;
}

const uint64_t *outbox_result_counts(const outbox_t *o)
{
    return o->results;
}

int outbox_send(void *router, const uint8_t *id, size_t id_len, const uint8_t *frame,
                size_t len)
{
    if (zmq_send(router, id, id_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) {
        return -1;
    }
    if (zmq_send(router, frame, len, ZMQ_DONTWAIT) < 0) {
        return -1;
    }
    return 0;
}

void outbox_flush(outbox_t *o, void *router, const heads_t *heads)
{
    for (size_t i = 0; i < o->n_outs; i++) {
        s_out_t *out = &o->outs[i];
        if ((out->frame || s_pack_result(out, heads) == 0) &&
            outbox_send(router, out->id, out->id_len, out->frame, out->frame_len) < 0) {
            log_debug("result not sent: %s", zmq_strerror(errno));
        }
        free(out->frame);
        free(out->msg);
    }
    o->n_outs = 0;
}

void outbox_drop(outbox_t *o)
{
    for (size_t i = 0; i < o->n_outs; i++) {
        free(o->outs[i].frame);
        free(o->outs[i].msg);
    }
    o->n_outs = 0;
}

void outbox_destroy(outbox_t **op)
{
    if (!op || !*op) {
        return;
    }
    outbox_drop(*op);
    free(*op);
    *op = NULL;
}
