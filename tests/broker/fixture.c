/* SPDX-License-Identifier: Apache-2.0 */
/* fixture: what the broker's unit tests share (see fixture.h). */
#include "fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>
#include <zmq.h>

#include "clock.h"
#include "envelope.h"
#include "receipt.h"
#include "wire.h"

static keys_t *s_keys(const char *code, const char *kind)
{
    cc_err_t err;
    keys_t *k = keys_generate(code, code, kind, &err);
    assert_non_null(k);
    return k;
}

fixture_t *fixture_new(void)
{
    fixture_t *fx = calloc(1, sizeof *fx);
    cc_err_t err;
    assert_non_null(fx);
    assert_true(sodium_init() >= 0);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/concord-test-broker-XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    fx->a = s_keys(FIXTURE_A, "CCG");
    fx->b = s_keys(FIXTURE_B, "COUNCIL_UPPER");
    fx->c = s_keys(FIXTURE_C, "COUNCIL_DISTRICT");
    fx->broker = s_keys(KEYS_BROKER_CODE, "BROKER");
    fx->roster = roster_new("test", keys_public(fx->broker), &err);
    assert_non_null(fx->roster);
    assert_int_equal(roster_add(fx->roster, keys_public(fx->a), &err), 0);
    assert_int_equal(roster_add(fx->roster, keys_public(fx->b), &err), 0);
    char path[128];
    snprintf(path, sizeof path, "%s/broker.db", fx->dir);
    fx->ledger = broker_store_open(path, 0, 0, &err);
    assert_non_null(fx->ledger);
    fx->heads = heads_new(fx->broker, fx->ledger);
    assert_non_null(fx->heads);
    fx->ctx = zmq_ctx_new();
    fx->router = zmq_socket(fx->ctx, ZMQ_ROUTER);
    int one = 1, linger = 0;
    zmq_setsockopt(fx->router, ZMQ_ROUTER_MANDATORY, &one, sizeof one);
    zmq_setsockopt(fx->router, ZMQ_LINGER, &linger, sizeof linger);
    assert_int_equal(zmq_bind(fx->router, "inproc://broker-test"), 0);
    fixture_connect(fx);
    return fx;
}

void fixture_free(fixture_t *fx)
{
    if (fx->dealer) {
        zmq_close(fx->dealer);
    }
    zmq_close(fx->router);
    zmq_ctx_term(fx->ctx);
    heads_destroy(&fx->heads);
    broker_store_close(&fx->ledger);
    roster_destroy(&fx->roster);
    keys_destroy(&fx->a);
    keys_destroy(&fx->b);
    keys_destroy(&fx->c);
    keys_destroy(&fx->broker);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", fx->dir);
    assert_int_equal(system(cmd), 0);
    free(fx);
}

void fixture_connect(fixture_t *fx)
{
    int linger = 0;
    fx->dealer = zmq_socket(fx->ctx, ZMQ_DEALER);
    assert_non_null(fx->dealer);
    zmq_setsockopt(fx->dealer, ZMQ_LINGER, &linger, sizeof linger);
    assert_int_equal(zmq_connect(fx->dealer, "inproc://broker-test"), 0);
    assert_int_equal(zmq_send(fx->dealer, "hi", 2, 0), 2);
    zmq_msg_t id, body;
    zmq_msg_init(&id);
    zmq_msg_init(&body);
    assert_true(zmq_msg_recv(&id, fx->router, 0) >= 0);
    assert_true(zmq_msg_recv(&body, fx->router, 0) >= 0);
    fx->id_len = zmq_msg_size(&id);
    memcpy(fx->id, zmq_msg_data(&id), fx->id_len);
    zmq_msg_close(&id);
    zmq_msg_close(&body);
}

uint64_t fixture_log(fixture_t *fx, const char *to, const char *const *rows, size_t n_rows)
{
    cc_err_t err;
    envelope_meta_t m = {
        .method = "concord.v1.Test/Note",
        .recipient = to,
        .sent_at_ms = clock_wall_ms(),
        .sequence = ++fx->seq,
        .kind = strcmp(to, ENVELOPE_EVERYONE) == 0 || envelope_board_of(to)
                    ? CONCORD__V1__KIND__KIND_EVENT
                    : CONCORD__V1__KIND__KIND_REQUEST,
    };
    randombytes_buf(m.call_id, sizeof m.call_id);
    uint8_t *env = NULL, hash[32], leaf[32];
    size_t env_len = 0;
    assert_int_equal(envelope_seal(fx->a, &m, (const uint8_t *)"x", 1, &env, &env_len, &err), 0);
    envelope_hash(env, env_len, hash);
    uint64_t index = fx->head + 1, now = clock_wall_ms();
    assert_int_equal(heads_append(fx->heads, index, now, hash, leaf, &err), 0);
    ledger_log_entry_t e = {
        .index = index,
        .time_ms = now,
        .leaf = leaf,
        .hash = hash,
        .sender = FIXTURE_A,
        .recipient = to,
        .sequence = m.sequence,
        .kind = m.kind,
        .call_id = m.call_id,
        .envelope = env,
        .envelope_len = env_len,
    };
    assert_int_equal(broker_store_log_append(fx->ledger, &e, rows, n_rows, &err), 0);
    assert_int_equal(heads_sign(fx->heads, now, &err), 0);
    fx->head = index;
    memcpy(fx->leaf, leaf, 32);
    free(env);
    return index;
}

Concord__V1__BrokerFrame *fixture_recv(fixture_t *fx, int ms)
{
    zmq_pollitem_t item = {.socket = fx->dealer, .events = ZMQ_POLLIN};
    if (zmq_poll(&item, 1, ms) <= 0) {
        return NULL;
    }
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    assert_true(zmq_msg_recv(&msg, fx->dealer, 0) >= 0);
    Concord__V1__BrokerFrame *f = (Concord__V1__BrokerFrame *)wire_unpack(
        &concord__v1__broker_frame__descriptor, zmq_msg_data(&msg), zmq_msg_size(&msg),
        WIRE_MAX_FRAME + 4096, NULL);
    zmq_msg_close(&msg);
    assert_non_null(f);
    return f;
}
