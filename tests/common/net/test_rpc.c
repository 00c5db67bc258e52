/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for rpc: a real rpc_peer over a real CURVE socket, against a
 * scripted broker in this process, so every status, deadline, retry and
 * idempotency path can be driven exactly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>
#include <zmq.h>

#include "clock.h"
#include "envelope.h"
#include "health.pb-c.h"
#include "keys.h"
#include "ledger.h"
#include "link.pb-c.h"
#include "merkle.h"
#include "receipt.h"
#include "roster.h"
#include "rpc.h"
#include "wire.h"

#define A_CODE "E38000217"
#define B_CODE "E08000003"

typedef struct {
    Concord__V1__Health_Service base;
    int calls;
} s_counting_health_t;

typedef struct {
    char dir[64];
    void *ctx;
    void *router;
    keys_t *a, *b, *broker;
    roster_t *roster;
    ledger_t *ledger;
    rpc_registry_t *reg;
    rpc_peer_t *peer;
    s_counting_health_t health;
    uint8_t id[256];
    size_t id_len;
    uint64_t b_seq;
    uint64_t log_index;
} fx_t;

static void s_health_check(Concord__V1__Health_Service *service,
                           const Concord__V1__HealthCheckRequest *input,
                           Concord__V1__HealthCheckResponse_Closure closure, void *closure_data)
{
    s_counting_health_t *h = (s_counting_health_t *)service;
    h->calls++;
    if (strcmp(input->service, "fail") == 0) {
        rpc_registry_fail(closure_data, CC_FAILED_PRECONDITION, "asked to fail");
        closure(NULL, closure_data);
        return;
    }
    Concord__V1__HealthCheckResponse out = CONCORD__V1__HEALTH_CHECK_RESPONSE__INIT;
    out.status = CONCORD__V1__SERVING_STATUS__SERVING;
    out.code = A_CODE;
    closure(&out, closure_data);
}

static keys_t *s_keys(const char *code, const char *kind)
{
    cc_err_t err;
    keys_t *k = keys_generate(code, code, kind, &err);
    assert_non_null(k);
    return k;
}

/* Connects a fresh peer for A to the scripted broker and takes its Hello. */
static void s_peer_up(fx_t *fx);

static int s_setup(void **state)
{
    fx_t *fx = calloc(1, sizeof *fx);
    cc_err_t err;
    assert_true(sodium_init() >= 0);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/concord-test-rpc-XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    fx->a = s_keys(A_CODE, "CCG");
    fx->b = s_keys(B_CODE, "COUNCIL_UPPER");
    fx->broker = s_keys(KEYS_BROKER_CODE, "BROKER");
    fx->roster = roster_new("test", keys_public(fx->broker), &err);
    assert_non_null(fx->roster);
    assert_int_equal(roster_add(fx->roster, keys_public(fx->a), &err), 0);
    assert_int_equal(roster_add(fx->roster, keys_public(fx->b), &err), 0);
    assert_int_equal(roster_sign(fx->roster, fx->a, &err), 0);
    assert_int_equal(roster_sign(fx->roster, fx->b, &err), 0);
    char path[128];
    snprintf(path, sizeof path, "%s/a.db", fx->dir);
    fx->ledger = ledger_open(path, LEDGER_NODE, 0, &err);
    assert_non_null(fx->ledger);
    fx->reg = rpc_registry_new();
    assert_non_null(fx->reg);
    Concord__V1__Health_Service init = CONCORD__V1__HEALTH__INIT(s_health_);
    fx->health.base = init;
    assert_int_equal(rpc_registry_add(fx->reg, &fx->health.base.base), 0);
    fx->ctx = zmq_ctx_new();
    fx->router = zmq_socket(fx->ctx, ZMQ_ROUTER);
    int one = 1, linger = 0;
    zmq_setsockopt(fx->router, ZMQ_CURVE_SERVER, &one, sizeof one);
    zmq_setsockopt(fx->router, ZMQ_CURVE_SECRETKEY, keys_curve_sk(fx->broker), 32);
    zmq_setsockopt(fx->router, ZMQ_LINGER, &linger, sizeof linger);
    assert_int_equal(zmq_bind(fx->router, "tcp://127.0.0.1:*"), 0);
    s_peer_up(fx);
    *state = fx;
    return 0;
}

static int s_teardown(void **state)
{
    fx_t *fx = *state;
    rpc_peer_destroy(&fx->peer);
    zmq_close(fx->router);
    zmq_ctx_term(fx->ctx);
    rpc_registry_destroy(&fx->reg);
    ledger_close(&fx->ledger);
    roster_destroy(&fx->roster);
    keys_destroy(&fx->a);
    keys_destroy(&fx->b);
    keys_destroy(&fx->broker);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", fx->dir);
    assert_int_equal(system(cmd), 0);
    free(fx);
    return 0;
}

/* Lets the peer work for up to ms, or until *flag becomes non-zero. */
static void s_pump(fx_t *fx, int ms, const int *flag)
{
    uint64_t end = clock_mono_ms() + (uint64_t)ms;
    while (clock_mono_ms() < end && !(flag && *flag)) {
        zmq_pollitem_t items[2];
        rpc_peer_poll_items(fx->peer, items);
        zmq_poll(items, 2, 10);
        rpc_peer_process(fx->peer);
    }
}

/* Receives the next frame the peer sent the scripted broker, pumping the
 * peer meanwhile. Returns NULL after ms. */
static Concord__V1__NodeFrame *s_broker_recv(fx_t *fx, int ms)
{
    uint64_t end = clock_mono_ms() + (uint64_t)ms;
    while (clock_mono_ms() < end) {
        zmq_msg_t id, body;
        zmq_msg_init(&id);
        if (zmq_msg_recv(&id, fx->router, ZMQ_DONTWAIT) >= 0) {
            zmq_msg_init(&body);
            assert_true(zmq_msg_recv(&body, fx->router, 0) >= 0);
            fx->id_len = zmq_msg_size(&id);
            memcpy(fx->id, zmq_msg_data(&id), fx->id_len);
            Concord__V1__NodeFrame *f = (Concord__V1__NodeFrame *)wire_unpack(
                &concord__v1__node_frame__descriptor, zmq_msg_data(&body), zmq_msg_size(&body),
                WIRE_MAX_FRAME + 4096, NULL);
            zmq_msg_close(&id);
            zmq_msg_close(&body);
            assert_non_null(f);
            return f;
        }
        zmq_msg_close(&id);
        s_pump(fx, 5, NULL);
    }
    return NULL;
}

/* Receives frames until one of the wanted kind arrives. */
static Concord__V1__NodeFrame *s_expect(fx_t *fx, int frame_case, int ms)
{
    uint64_t end = clock_mono_ms() + (uint64_t)ms;
    while (clock_mono_ms() < end) {
        Concord__V1__NodeFrame *f = s_broker_recv(fx, (int)(end - clock_mono_ms()) + 1);
        if (!f || (int)f->frame_case == frame_case) {
            return f;
        }
        wire_free(&f->base);
    }
    return NULL;
}

static void s_broker_send(fx_t *fx, const Concord__V1__BrokerFrame *f)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    assert_int_equal(wire_pack(&f->base, WIRE_MAX_FRAME + 4096, &buf, &len, NULL), 0);
    zmq_send(fx->router, fx->id, fx->id_len, ZMQ_SNDMORE);
    zmq_send(fx->router, buf, len, 0);
    free(buf);
}

static void s_peer_up(fx_t *fx)
{
    cc_err_t err;
    char ep[128];
    size_t ep_len = sizeof ep;
    keys_t *mine = NULL;
    char path[128];
    snprintf(path, sizeof path, "%s/a.key", fx->dir);
    /* The peer takes its keys: hand it a copy loaded from disk. */
    unlink(path);
    char pub[128];
    snprintf(pub, sizeof pub, "%s/a.pub", fx->dir);
    assert_int_equal(keys_save(fx->a, path, pub, &err), 0);
    mine = keys_load(path, &err);
    assert_non_null(mine);
    zmq_getsockopt(fx->router, ZMQ_LAST_ENDPOINT, ep, &ep_len);
    fx->peer = rpc_peer_new(fx->ctx, &mine, fx->roster, fx->ledger, fx->reg, &err);
    assert_non_null(fx->peer);
    assert_null(mine);
    assert_int_equal(rpc_peer_connect(fx->peer, ep, &err), 0);
    Concord__V1__NodeFrame *hello = s_expect(fx, CONCORD__V1__NODE_FRAME__FRAME_HELLO, 5000);
    assert_non_null(hello);
    assert_string_equal(hello->hello->code, A_CODE);
    wire_free(&hello->base);
}

/* A receipt from the scripted broker for raw envelope bytes: a head
 * signed over a tree of index leaves, the others filler. */
static Concord__V1__Receipt *s_receipt(fx_t *fx, const uint8_t *env, size_t len,
                                       uint64_t index)
{
    uint8_t hash[32], leaf[32], filler[32] = {0};
    uint8_t *buf = NULL;
    size_t buf_len = 0;
    uint64_t now = clock_wall_ms();
    merkle_t *tree = merkle_new();
    assert_non_null(tree);
    envelope_hash(env, len, hash);
    for (uint64_t i = 1; i < index; i++) {
        assert_int_equal(merkle_append(tree, filler, NULL), 0);
    }
    merkle_leaf_hash(index, now, hash, leaf);
    assert_int_equal(merkle_append(tree, leaf, NULL), 0);
    assert_int_equal(receipt_issue(fx->broker, tree, now, index, now, hash, &buf, &buf_len, NULL), 0);
    merkle_destroy(&tree);
    Concord__V1__Receipt *r = (Concord__V1__Receipt *)wire_unpack(
        &concord__v1__receipt__descriptor, buf, buf_len, WIRE_MAX_FRAME, NULL);
    free(buf);
    return r;
}

static void s_result(fx_t *fx, const Concord__V1__Envelope *submitted, cc_code_t code,
                     uint64_t index)
{
    uint8_t *raw = NULL;
    size_t raw_len = 0;
    uint8_t hash[32];
    assert_int_equal(wire_pack(&submitted->base, WIRE_MAX_FRAME, &raw, &raw_len, NULL), 0);
    envelope_hash(raw, raw_len, hash);
    Concord__V1__BrokerFrame f = CONCORD__V1__BROKER_FRAME__INIT;
    Concord__V1__SubmitResult res = CONCORD__V1__SUBMIT_RESULT__INIT;
    Concord__V1__Status st = CONCORD__V1__STATUS__INIT;
    st.code = (Concord__V1__StatusCode)code;
    st.message = code == CC_OK ? "" : "scripted";
    res.status = &st;
    res.envelope_hash.data = hash;
    res.envelope_hash.len = 32;
    res.receipt = code == CC_OK ? s_receipt(fx, raw, raw_len, index) : NULL;
    f.frame_case = CONCORD__V1__BROKER_FRAME__FRAME_RESULT;
    f.result = &res;
    s_broker_send(fx, &f);
    wire_free(res.receipt ? &res.receipt->base : NULL);
    free(raw);
}

/* Delivers an envelope sealed by `from` with meta m and body. */
static void s_deliver(fx_t *fx, const keys_t *from, const envelope_meta_t *m, const uint8_t *body,
                      size_t body_len, uint64_t index)
{
    uint8_t *raw = NULL;
    size_t raw_len = 0;
    assert_int_equal(envelope_seal(from, m, body, body_len, &raw, &raw_len, NULL), 0);
    Concord__V1__BrokerFrame f = CONCORD__V1__BROKER_FRAME__INIT;
    Concord__V1__Delivery d = CONCORD__V1__DELIVERY__INIT;
    d.log_index = index;
    d.envelope = (Concord__V1__Envelope *)wire_unpack(&concord__v1__envelope__descriptor, raw,
                                                      raw_len, WIRE_MAX_FRAME, NULL);
    d.receipt = s_receipt(fx, raw, raw_len, index);
    assert_non_null(d.envelope);
    assert_non_null(d.receipt);
    f.frame_case = CONCORD__V1__BROKER_FRAME__FRAME_DELIVERY;
    f.delivery = &d;
    s_broker_send(fx, &f);
    wire_free(&d.envelope->base);
    wire_free(&d.receipt->base);
    free(raw);
}

typedef struct {
    int done;
    cc_code_t code;
    char message[256];
    int retries;
    uint64_t request_log_index;
} s_outcome_t;

static void s_done(const rpc_result_t *r, void *arg)
{
    s_outcome_t *o = arg;
    o->done++;
    o->code = r->code;
    snprintf(o->message, sizeof o->message, "%s", r->message);
    o->retries = r->retries;
    o->request_log_index = r->request_log_index;
}

static void s_call_b(fx_t *fx, uint32_t timeout_ms, s_outcome_t *o)
{
    Concord__V1__HealthCheckRequest in = CONCORD__V1__HEALTH_CHECK_REQUEST__INIT;
    cc_err_t err;
    assert_int_equal(rpc_peer_call(fx->peer, B_CODE, &concord__v1__health__descriptor, 0,
                                   &in.base, timeout_ms, s_done, o, &err),
                     0);
}

static void test_rpc_deadline_and_identical_retries(void **state)
{
    fx_t *fx = *state;
    s_outcome_t o = {0};
    s_call_b(fx, 700, &o);
    Concord__V1__NodeFrame *first = s_expect(fx, CONCORD__V1__NODE_FRAME__FRAME_SUBMIT, 2000);
    assert_non_null(first);
    /* No answer from the broker: the peer resends the very same bytes. */
    Concord__V1__NodeFrame *again = s_expect(fx, CONCORD__V1__NODE_FRAME__FRAME_SUBMIT, 2000);
    assert_non_null(again);
    assert_int_equal(first->submit->signed_.len, again->submit->signed_.len);
    assert_memory_equal(first->submit->signed_.data, again->submit->signed_.data,
                        first->submit->signed_.len);
    s_pump(fx, 3000, &o.done);
    assert_int_equal(o.done, 1);
    assert_int_equal(o.code, CC_DEADLINE_EXCEEDED);
    assert_true(o.retries >= 1);
    assert_non_null(strstr(o.message, B_CODE));
    wire_free(&first->base);
    wire_free(&again->base);
}

static void test_rpc_reply_status_reaches_caller(void **state)
{
    fx_t *fx = *state;
    s_outcome_t o = {0};
    s_call_b(fx, 5000, &o);
    Concord__V1__NodeFrame *sub = s_expect(fx, CONCORD__V1__NODE_FRAME__FRAME_SUBMIT, 2000);
    assert_non_null(sub);
    s_result(fx, sub->submit, CC_OK, 41);
    /* B answers NOT_FOUND through the broker. */
    Concord__V1__Signed *sg = (Concord__V1__Signed *)wire_unpack(
        &concord__v1__signed__descriptor, sub->submit->signed_.data, sub->submit->signed_.len,
        WIRE_MAX_FRAME, NULL);
    assert_non_null(sg);
    envelope_meta_t m = {
        .method = sg->header->method,
        .recipient = A_CODE,
        .sent_at_ms = clock_wall_ms(),
        .sequence = ++fx->b_seq,
        .kind = CONCORD__V1__KIND__KIND_REPLY,
        .status = CC_NOT_FOUND,
        .status_msg = "no such board",
    };
    memcpy(m.call_id, sg->header->call_id.data, 16);
    s_deliver(fx, fx->b, &m, NULL, 0, 42);
    s_pump(fx, 3000, &o.done);
    assert_int_equal(o.done, 1);
    assert_int_equal(o.code, CC_NOT_FOUND);
    assert_string_equal(o.message, "no such board");
    assert_int_equal(o.request_log_index, 41);
    /* The reply was stored, then acknowledged. */
    Concord__V1__NodeFrame *ack = s_expect(fx, CONCORD__V1__NODE_FRAME__FRAME_ACK, 2000);
    assert_non_null(ack);
    assert_int_equal(ack->ack->log_index[0], 42);
    wire_free(&ack->base);
    wire_free(&sg->base);
    wire_free(&sub->base);
}

static void test_rpc_unavailable_is_retried(void **state)
{
    fx_t *fx = *state;
    s_outcome_t o = {0};
    s_call_b(fx, 5000, &o);
    Concord__V1__NodeFrame *sub = s_expect(fx, CONCORD__V1__NODE_FRAME__FRAME_SUBMIT, 2000);
    assert_non_null(sub);
    s_result(fx, sub->submit, CC_UNAVAILABLE, 0);
    Concord__V1__NodeFrame *again = s_expect(fx, CONCORD__V1__NODE_FRAME__FRAME_SUBMIT, 3000);
    assert_non_null(again);
    assert_memory_equal(sub->submit->signature.data, again->submit->signature.data, 64);
    assert_int_equal(o.done, 0);
    /* A refusal other than UNAVAILABLE ends the call with that status. */
    s_result(fx, again->submit, CC_PERMISSION_DENIED, 0);
    s_pump(fx, 2000, &o.done);
    assert_int_equal(o.done, 1);
    assert_int_equal(o.code, CC_PERMISSION_DENIED);
    wire_free(&sub->base);
    wire_free(&again->base);
}

/* Sends B's request `service` to A at log index; returns A's reply. */
static Concord__V1__Signed *s_request_a(fx_t *fx, const char *method, const uint8_t call_id[16],
                                        uint64_t seq, const char *service, uint64_t index,
                                        uint8_t *sig_out)
{
    Concord__V1__HealthCheckRequest in = CONCORD__V1__HEALTH_CHECK_REQUEST__INIT;
    uint8_t *body = NULL;
    size_t body_len = 0;
    in.service = (char *)service;
    assert_int_equal(wire_pack(&in.base, WIRE_MAX_FRAME, &body, &body_len, NULL), 0);
    envelope_meta_t m = {
        .method = method,
        .recipient = A_CODE,
        .sent_at_ms = 1700000000000ull,
        .deadline_ms = 4102444800000ull, /* 2100: fixed, so resealing repeats the bytes */
        .sequence = seq,
        .kind = CONCORD__V1__KIND__KIND_REQUEST,
    };
    memcpy(m.call_id, call_id, 16);
    s_deliver(fx, fx->b, &m, body, body_len, index);
    free(body);
    Concord__V1__NodeFrame *sub = s_expect(fx, CONCORD__V1__NODE_FRAME__FRAME_SUBMIT, 3000);
    assert_non_null(sub);
    if (sig_out) {
        memcpy(sig_out, sub->submit->signature.data, 64);
    }
    Concord__V1__Signed *sg = (Concord__V1__Signed *)wire_unpack(
        &concord__v1__signed__descriptor, sub->submit->signed_.data, sub->submit->signed_.len,
        WIRE_MAX_FRAME, NULL);
    wire_free(&sub->base);
    assert_non_null(sg);
    return sg;
}

static void test_rpc_repeated_call_is_answered_once(void **state)
{
    fx_t *fx = *state;
    uint8_t call[16], sig1[64], sig2[64], sig3[64];
    cc_err_t err;
    memset(call, 0x5a, sizeof call);
    Concord__V1__Signed *r1 =
        s_request_a(fx, "concord.v1.Health/Check", call, 1, "", 7, sig1);
    assert_int_equal(fx->health.calls, 1);
    assert_int_equal(r1->header->kind, CONCORD__V1__KIND__KIND_REPLY);
    assert_string_equal(r1->header->recipient, B_CODE);
    /* The same delivery again (a broker that lost the ack): the stored
     * reply goes out again, the handler does not run again. */
    Concord__V1__Signed *r2 =
        s_request_a(fx, "concord.v1.Health/Check", call, 1, "", 7, sig2);
    assert_int_equal(fx->health.calls, 1);
    assert_memory_equal(sig1, sig2, 64);
    /* And after a restart of the peer on the same ledger. */
    rpc_peer_destroy(&fx->peer);
    s_peer_up(fx);
    Concord__V1__Signed *r3 =
        s_request_a(fx, "concord.v1.Health/Check", call, 1, "", 7, sig3);
    assert_int_equal(fx->health.calls, 1);
    assert_memory_equal(sig1, sig3, 64);
    assert_int_equal(ledger_count(fx->ledger), 2); /* one request, one reply */
    (void)err;
    wire_free(&r1->base);
    wire_free(&r2->base);
    wire_free(&r3->base);
}

static void test_rpc_error_statuses_in_replies(void **state)
{
    fx_t *fx = *state;
    uint8_t call[16];
    memset(call, 1, sizeof call);
    int calls = fx->health.calls;
    Concord__V1__Signed *r =
        s_request_a(fx, "concord.v1.Nothing/Here", call, 1, "", 1, NULL);
    assert_int_equal(r->header->status->code, CC_UNIMPLEMENTED);
    assert_string_equal(r->header->status->message,
                        "unknown service in 'concord.v1.Nothing/Here'");
    wire_free(&r->base);
    memset(call, 2, sizeof call);
    r = s_request_a(fx, "concord.v1.Health/Nope", call, 2, "", 2, NULL);
    assert_int_equal(r->header->status->code, CC_UNIMPLEMENTED);
    assert_string_equal(r->header->status->message, "unknown method 'concord.v1.Health/Nope'");
    assert_int_equal(r->body.len, 0);
    wire_free(&r->base);
    /* No handler ran for either: nothing acted on them. */
    assert_int_equal(fx->health.calls, calls);
    memset(call, 3, sizeof call);
    r = s_request_a(fx, "concord.v1.Health/Check", call, 3, "fail", 3, NULL);
    assert_int_equal(r->header->status->code, CC_FAILED_PRECONDITION);
    assert_string_equal(r->header->status->message, "asked to fail");
    wire_free(&r->base);
    memset(call, 4, sizeof call);
    r = s_request_a(fx, "concord.v1.Reflection/ListMethods", call, 4, "", 4, NULL);
    assert_int_equal(r->header->status ? r->header->status->code : 0, CC_OK);
    Concord__V1__ListMethodsResponse *lm = (Concord__V1__ListMethodsResponse *)wire_unpack(
        &concord__v1__list_methods_response__descriptor, r->body.data, r->body.len,
        WIRE_MAX_FRAME, NULL);
    assert_non_null(lm);
    int found = 0;
    for (size_t i = 0; i < lm->n_methods; i++) {
        found += strcmp(lm->methods[i], "concord.v1.Health/Check") == 0;
    }
    assert_int_equal(found, 1);
    wire_free(&lm->base);
    wire_free(&r->base);
}

static void test_rpc_forged_and_replayed_deliveries_rejected(void **state)
{
    fx_t *fx = *state;
    cc_err_t err;
    rpc_peer_stats_t st;
    uint8_t call[16];
    /* Signed by a key that is not B's, though it claims to be B. */
    keys_t *impostor = keys_generate(B_CODE, "impostor", "COUNCIL_UPPER", &err);
    assert_non_null(impostor);
    envelope_meta_t m = {
        .method = "concord.v1.Health/Check",
        .recipient = A_CODE,
        .sent_at_ms = clock_wall_ms(),
        .deadline_ms = clock_wall_ms() + 60000,
        .sequence = 1,
        .kind = CONCORD__V1__KIND__KIND_REQUEST,
    };
    memset(m.call_id, 9, 16);
    s_deliver(fx, impostor, &m, NULL, 0, 9);
    Concord__V1__NodeFrame *ack = s_expect(fx, CONCORD__V1__NODE_FRAME__FRAME_ACK, 3000);
    assert_non_null(ack);
    wire_free(&ack->base);
    assert_int_equal(fx->health.calls, 0);
    rpc_peer_stats(fx->peer, &st);
    assert_int_equal(st.rejected, 1);
    keys_destroy(&impostor);

    /* A genuine request at sequence 5, then another at 5: a replay. */
    memset(call, 10, sizeof call);
    Concord__V1__Signed *r = s_request_a(fx, "concord.v1.Health/Check", call, 5, "", 10, NULL);
    wire_free(&r->base);
    m.sequence = 5;
    memset(m.call_id, 11, 16);
    s_deliver(fx, fx->b, &m, NULL, 0, 11);
    ack = s_expect(fx, CONCORD__V1__NODE_FRAME__FRAME_ACK, 3000);
    assert_non_null(ack);
    while (ack && ack->ack->log_index[0] != 11) {
        wire_free(&ack->base);
        ack = s_expect(fx, CONCORD__V1__NODE_FRAME__FRAME_ACK, 3000);
    }
    assert_non_null(ack);
    wire_free(&ack->base);
    assert_int_equal(fx->health.calls, 1);
    rpc_peer_stats(fx->peer, &st);
    assert_int_equal(st.rejected, 2);
}

/* Many deliveries waiting at once (a batch, PROTOCOL.md 8.5): every one is
 * stored, answered and acknowledged exactly once, whatever the number of
 * wake-ups they arrive in; a replay inside the run is still refused. */
static void test_rpc_many_deliveries_acknowledged_once(void **state)
{
    fx_t *fx = *state;
    enum { N = 150 };
    int acked[N + 2] = {0};
    size_t got = 0, submits = 0;
    envelope_meta_t m = {
        .method = "concord.v1.Health/Check",
        .recipient = A_CODE,
        .sent_at_ms = clock_wall_ms(),
        .deadline_ms = clock_wall_ms() + 600000,
        .kind = CONCORD__V1__KIND__KIND_REQUEST,
    };
    /* All sent before the peer reads any: sequences 1..N at log indexes
     * 1..N, then sequence N again at N + 1 (a replay). */
    for (uint64_t i = 1; i <= N + 1; i++) {
        m.sequence = i <= N ? i : N;
        memset(m.call_id, 0, 16);
        memcpy(m.call_id, &i, sizeof i);
        s_deliver(fx, fx->b, &m, NULL, 0, i);
    }
    /* Unreceipted answers are resent, so frames keep coming even when the
     * peer has stopped storing: bounded by a deadline, not by silence. */
    uint64_t end = clock_mono_ms() + 30000;
    while (got < N + 1) {
        if (clock_mono_ms() > end) {
            fail_msg("%zu of %d deliveries acknowledged within 30 s", got, N + 1);
        }
        Concord__V1__NodeFrame *f = s_broker_recv(fx, 10000);
        assert_non_null(f);
        if (f->frame_case == CONCORD__V1__NODE_FRAME__FRAME_SUBMIT) {
            submits++;
        } else if (f->frame_case == CONCORD__V1__NODE_FRAME__FRAME_ACK) {
            assert_true(f->ack->n_log_index >= 1 && f->ack->n_log_index <= 64);
            for (size_t k = 0; k < f->ack->n_log_index; k++) {
                uint64_t at = f->ack->log_index[k];
                assert_true(at >= 1 && at <= N + 1);
                acked[at]++;
                got++;
            }
        }
        wire_free(&f->base);
    }
    for (int i = 1; i <= N + 1; i++) {
        assert_int_equal(acked[i], 1);
    }
    /* Each new request answered once; the replay acknowledged, not served. */
    while (submits < N) {
        if (clock_mono_ms() > end) {
            fail_msg("%zu of %d answers submitted within 30 s", submits, N);
        }
        Concord__V1__NodeFrame *f = s_expect(fx, CONCORD__V1__NODE_FRAME__FRAME_SUBMIT, 10000);
        assert_non_null(f);
        submits++;
        wire_free(&f->base);
    }
    assert_int_equal(fx->health.calls, N);
    assert_int_equal(ledger_count(fx->ledger), 2 * N); /* requests and replies */
    rpc_peer_stats_t st;
    rpc_peer_stats(fx->peer, &st);
    assert_int_equal(st.received, N);
    assert_int_equal(st.rejected, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rpc_deadline_and_identical_retries, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_rpc_reply_status_reaches_caller, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_rpc_unavailable_is_retried, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_rpc_repeated_call_is_answered_once, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_rpc_error_statuses_in_replies, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_rpc_many_deliveries_acknowledged_once, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_rpc_forged_and_replayed_deliveries_rejected, s_setup,
                                        s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
