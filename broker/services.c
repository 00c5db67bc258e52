/* SPDX-License-Identifier: Apache-2.0 */
/* services: Health and Log/Read, answered by the broker itself. */
#include "services.h"

#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "health.pb-c.h"
#include "log.h"
#include "log.pb-c.h"
#include "rpc.h"
#include "wire.h"

/* Every log entry must fit, alone, in one Log/Read answer (itself an
 * envelope), so an answer carries at most half the envelope limit beyond
 * its first entry (the broker accepts envelopes up to that size). */
#define SERVICES_LOG_READ_BYTES (ENVELOPE_MAX / 2)

typedef struct {
    Concord__V1__Health_Service base;
    services_t *s;
} s_health_t;

typedef struct {
    Concord__V1__Log_Service base;
    services_t *s;
} s_logsvc_t;

struct services {
    const keys_t *keys;
    broker_store_t *ledger;
    const heads_t *heads;
    const broker_hooks_t *hooks;
    rpc_registry_t *registry;
    s_health_t health;
    s_logsvc_t logsvc;
    uint64_t head_index;           /* the log's head for the request being answered */
    const char *reader;            /* who asked, for the request being answered */
    services_audience_fn in_audience;
    void *audience_arg;
    uint64_t direct_seq;           /* sequence of the broker's own replies */
};

static void s_health_check(Concord__V1__Health_Service *service,
                           const Concord__V1__HealthCheckRequest *input,
                           Concord__V1__HealthCheckResponse_Closure closure, void *closure_data)
{
    (void)input;
    services_t *s = ((s_health_t *)service)->s;
    Concord__V1__HealthCheckResponse out = CONCORD__V1__HEALTH_CHECK_RESPONSE__INIT;
    out.status = CONCORD__V1__SERVING_STATUS__SERVING;
    out.code = KEYS_BROKER_CODE;
    if (s->hooks && s->hooks->health_code && s->hooks->health_code()) {
        out.code = (char *)s->hooks->health_code();
    }
    out.time_ms = clock_wall_ms();
    out.ledger_entries = s->head_index;
    out.broker_role = "active";
    out.broker_store = (char *)broker_store_kind(s->ledger);
    out.broker_epoch = broker_store_epoch(s->ledger);
    closure(&out, closure_data);
}

typedef struct {
    Concord__V1__LogReadResponse *out;
    size_t bytes;
    const services_t *s;
} s_read_t;

void services_on_audience(services_t *s, services_audience_fn fn, void *arg)
{
    s->in_audience = fn;
    s->audience_arg = arg;
}

/* Whether the reader may see entry e's envelope. */
static int s_entitled(const services_t *s, const ledger_log_entry_t *e)
{
    const char *reader = s->reader ? s->reader : "";
    const char *board = envelope_board_of(e->recipient);
    if (!e->recipient || !e->sender) {
        return 0;
    }
    if (strcmp(e->recipient, ENVELOPE_EVERYONE) == 0 || strcmp(e->recipient, reader) == 0 ||
        strcmp(e->sender, reader) == 0) {
        return 1;
    }
    return board && s->in_audience && s->in_audience(board, reader, s->audience_arg);
}

static int s_read_entry(const ledger_log_entry_t *e, void *arg, cc_err_t *err)
{
    s_read_t *rd = arg;
    Concord__V1__LogReadResponse *out = rd->out;
    size_t shown = s_entitled(rd->s, e) ? e->envelope_len : 0;
    if (rd->bytes + shown > SERVICES_LOG_READ_BYTES && out->n_entries > 0) {
        return -1; /* enough for one answer; the reader asks again */
    }
    Concord__V1__LogEntry *le = calloc(1, sizeof *le);
    uint8_t *copy = malloc(shown + 32);
    if (!le || !copy) {
        free(le);
        free(copy);
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    concord__v1__log_entry__init(le);
    le->index = e->index;
    le->time_ms = e->time_ms;
    memcpy(copy, e->leaf, 32);
    memcpy(copy + 32, e->envelope, shown);
    le->leaf_hash.data = copy;
    le->leaf_hash.len = 32;
    le->envelope.data = shown ? copy + 32 : NULL;
    le->envelope.len = shown;
    out->entries[out->n_entries++] = le;
    rd->bytes += shown + 80;
    return 0;
}

static void s_log_read(Concord__V1__Log_Service *service, const Concord__V1__LogReadRequest *in,
                       Concord__V1__LogReadResponse_Closure closure, void *closure_data)
{
    services_t *s = ((s_logsvc_t *)service)->s;
    Concord__V1__LogReadResponse out = CONCORD__V1__LOG_READ_RESPONSE__INIT;
    Concord__V1__LogEntry *entries[SERVICES_LOG_READ_MAX];
    s_read_t rd = {.out = &out, .s = s};
    cc_err_t err;
    uint32_t max = in->max_entries;
    if (max == 0 || max > SERVICES_LOG_READ_MAX) {
        max = SERVICES_LOG_READ_MAX;
    }
    if (in->from_index && s->hooks && s->hooks->log_read &&
        s->hooks->log_read(s->ledger, s->keys, heads_tree(s->heads), heads_size(s->heads), in,
                           &out)) {
        closure(&out, closure_data);
        if (s->hooks->log_read_free) {
            s->hooks->log_read_free(&out);
        }
        return;
    }
    /* Only what the newest signed head covers: entries appended earlier
     * in the batch being handled are signed at its end. */
    uint64_t head = heads_size(s->heads);
    out.entries = entries;
    out.head_index = head;
    out.head = (Concord__V1__SignedTreeHead *)heads_current(s->heads);
    err_clear(&err);
    if (in->from_index == 0) {
        rpc_registry_fail(closure_data, CC_INVALID_ARGUMENT, "from_index starts at 1");
        closure(NULL, closure_data);
        return;
    }
    if (in->from_index > head) {
        max = 0;
    } else if (head - in->from_index + 1 < max) {
        max = (uint32_t)(head - in->from_index + 1);
    }
    if (max && broker_store_log_read(s->ledger, in->from_index, max, s_read_entry, &rd, &err) < 0 &&
        err.code != CC_OK) {
        rpc_registry_fail(closure_data, err.code, "%s", err.msg);
        closure(NULL, closure_data);
    } else {
        closure(&out, closure_data);
    }
    for (size_t i = 0; i < out.n_entries; i++) {
        free(entries[i]->leaf_hash.data);
        free(entries[i]);
    }
}

services_t *services_new(const keys_t *keys, broker_store_t *ledger, const heads_t *heads,
                         const broker_hooks_t *hooks, cc_err_t *err)
{
    services_t *s = calloc(1, sizeof *s);
    if (!s) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return NULL;
    }
    s->keys = keys;
    s->ledger = ledger;
    s->heads = heads;
    s->hooks = hooks;
    s->direct_seq = clock_wall_ms() * 1000;
    Concord__V1__Health_Service h = CONCORD__V1__HEALTH__INIT(s_health_);
    Concord__V1__Log_Service l = CONCORD__V1__LOG__INIT(s_log_);
    s->health.base = h;
    s->health.s = s;
    s->logsvc.base = l;
    s->logsvc.s = s;
    if (!(s->registry = rpc_registry_new()) ||
        rpc_registry_add(s->registry, &s->health.base.base) < 0 ||
        rpc_registry_add(s->registry, &s->logsvc.base.base) < 0) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        services_destroy(&s);
        return NULL;
    }
    return s;
}

void services_answer(services_t *s, const envelope_t *req, uint64_t head_index, outbox_t *out,
                     const uint8_t *id, size_t id_len)
{
    const Concord__V1__Header *h = req->header;
    uint8_t *body = NULL, *env = NULL;
    size_t body_len = 0, env_len = 0;
    cc_err_t status, err;
    err_clear(&status);
    if (h->kind != CONCORD__V1__KIND__KIND_REQUEST) {
        return;
    }
    s->head_index = head_index;
    s->reader = h->sender;
    rpc_registry_dispatch(s->registry, req, &body, &body_len, &status);
    s->reader = NULL;
    envelope_meta_t m = {
        .method = h->method,
        .recipient = h->sender,
        .sent_at_ms = clock_wall_ms(),
        .sequence = ++s->direct_seq,
        .kind = CONCORD__V1__KIND__KIND_REPLY,
        .status = status.code,
        .status_msg = status.code == CC_OK ? NULL : status.msg,
    };
    memcpy(m.call_id, h->call_id.data, 16);
    if (envelope_seal(s->keys, &m, body, body_len, &env, &env_len, &err) == 0) {
        Concord__V1__Envelope *e = (Concord__V1__Envelope *)wire_unpack(
            &concord__v1__envelope__descriptor, env, env_len, WIRE_MAX_FRAME, &err);
        if (e) {
            Concord__V1__BrokerFrame f = CONCORD__V1__BROKER_FRAME__INIT;
            Concord__V1__Delivery d = CONCORD__V1__DELIVERY__INIT;
            d.envelope = e;
            f.frame_case = CONCORD__V1__BROKER_FRAME__FRAME_DELIVERY;
            f.delivery = &d;
            outbox_queue(out, id, id_len, &f);
            wire_free(&e->base);
        }
    } else {
        log_error("cannot seal reply: %s", err.msg);
    }
    free(env);
    free(body);
}

void services_destroy(services_t **sp)
{
    if (!sp || !*sp) {
        return;
    }
    rpc_registry_destroy(&(*sp)->registry);
    free(*sp);
    *sp = NULL;
}
