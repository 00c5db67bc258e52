/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the services the broker answers itself: real requests
 * sealed by a member and opened against the roster, answered from a real
 * broker ledger, queued in an outbox and sent through a real ROUTER; the
 * reply envelope is opened and checked as a node would. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "clock.h"
#include "envelope.h"
#include "merkle.h"
#include "fixture.h"
#include "health.pb-c.h"
#include "log.pb-c.h"
#include "outbox.h"
#include "receipt.h"
#include "services.h"
#include "wire.h"

typedef struct {
    fixture_t *f;
    services_t *s;
    outbox_t *out;
    uint64_t seq; /* B's */
} fx_t;

static int s_setup(void **state)
{
    fx_t *fx = calloc(1, sizeof *fx);
    cc_err_t err;
    assert_non_null(fx);
    fx->f = fixture_new();
    fx->s = services_new(fx->f->broker, fx->f->ledger, fx->f->heads, NULL, &err);
    assert_non_null(fx->s);
    fx->out = outbox_new();
    assert_non_null(fx->out);
    *state = fx;
    return 0;
}

static int s_teardown(void **state)
{
    fx_t *fx = *state;
    services_destroy(&fx->s);
    services_destroy(&fx->s); /* NULL-safe */
    outbox_destroy(&fx->out);
    fixture_free(fx->f);
    free(fx);
    return 0;
}

/* B asks the broker: method with body msg, of kind. The reply envelope,
 * opened against the roster (the caller destroys it), or NULL if none
 * came. */
static envelope_t *s_ask(fx_t *fx, const char *method, const ProtobufCMessage *msg, int kind)
{
    cc_err_t err;
    uint8_t *body = NULL, *raw = NULL;
    size_t body_len = 0, raw_len = 0;
    assert_int_equal(wire_pack(msg, WIRE_MAX_FRAME, &body, &body_len, &err), 0);
    envelope_meta_t m = {
        .method = method,
        .recipient = KEYS_BROKER_CODE,
        .sent_at_ms = clock_wall_ms(),
        .sequence = ++fx->seq,
        .kind = kind,
    };
    randombytes_buf(m.call_id, sizeof m.call_id);
    assert_int_equal(envelope_seal(fx->f->b, &m, body, body_len, &raw, &raw_len, &err), 0);
    envelope_t *req = envelope_open(raw, raw_len, fx->f->roster, &err);
    assert_non_null(req);
    services_answer(fx->s, req, fx->f->head, fx->out, fx->f->id, fx->f->id_len);
    outbox_flush(fx->out, fx->f->router, fx->f->heads);
    envelope_destroy(&req);
    free(raw);
    free(body);
    Concord__V1__BrokerFrame *f = fixture_recv(fx->f, 300);
    if (!f) {
        return NULL;
    }
    assert_int_equal(f->frame_case, CONCORD__V1__BROKER_FRAME__FRAME_DELIVERY);
    assert_null(f->delivery->receipt); /* answered directly, never logged */
    assert_int_equal(wire_pack(&f->delivery->envelope->base, WIRE_MAX_FRAME, &raw, &raw_len, &err),
                     0);
    wire_free(&f->base);
    envelope_t *reply = envelope_open(raw, raw_len, fx->f->roster, &err);
    free(raw);
    assert_non_null(reply);
    assert_string_equal(reply->header->sender, KEYS_BROKER_CODE);
    assert_string_equal(reply->header->recipient, FIXTURE_B);
    assert_string_equal(reply->header->method, method);
    assert_int_equal(reply->header->kind, CONCORD__V1__KIND__KIND_REPLY);
    return reply;
}

static Concord__V1__LogReadResponse *s_read(fx_t *fx, uint64_t from, uint32_t max,
                                            envelope_t **reply)
{
    Concord__V1__LogReadRequest in = CONCORD__V1__LOG_READ_REQUEST__INIT;
    in.from_index = from;
    in.max_entries = max;
    *reply = s_ask(fx, "concord.v1.Log/Read", &in.base, CONCORD__V1__KIND__KIND_REQUEST);
    assert_non_null(*reply);
    if ((*reply)->header->status && (*reply)->header->status->code != 0) {
        return NULL;
    }
    Concord__V1__LogReadResponse *out = (Concord__V1__LogReadResponse *)wire_unpack(
        &concord__v1__log_read_response__descriptor, (*reply)->body, (*reply)->body_len,
        WIRE_MAX_FRAME, NULL);
    assert_non_null(out);
    return out;
}

static void test_health(void **state)
{
    fx_t *fx = *state;
    const char *rows[] = {FIXTURE_B};
    fixture_log(fx->f, FIXTURE_B, rows, 1);
    fixture_log(fx->f, FIXTURE_B, rows, 1);
    Concord__V1__HealthCheckRequest in = CONCORD__V1__HEALTH_CHECK_REQUEST__INIT;
    envelope_t *reply =
        s_ask(fx, "concord.v1.Health/Check", &in.base, CONCORD__V1__KIND__KIND_REQUEST);
    assert_non_null(reply);
    Concord__V1__HealthCheckResponse *out = (Concord__V1__HealthCheckResponse *)wire_unpack(
        &concord__v1__health_check_response__descriptor, reply->body, reply->body_len,
        WIRE_MAX_FRAME, NULL);
    assert_non_null(out);
    assert_int_equal(out->status, CONCORD__V1__SERVING_STATUS__SERVING);
    assert_string_equal(out->code, KEYS_BROKER_CODE);
    assert_int_equal(out->ledger_entries, 2);
    assert_string_equal(out->broker_role, "active");
    assert_string_equal(out->broker_store, "sqlite");
    assert_int_equal(out->broker_epoch, 0);
    uint64_t first_seq = reply->header->sequence;
    wire_free(&out->base);
    envelope_destroy(&reply);
    /* Each reply has a sequence of its own, increasing. */
    reply = s_ask(fx, "concord.v1.Health/Check", &in.base, CONCORD__V1__KIND__KIND_REQUEST);
    assert_non_null(reply);
    assert_true(reply->header->sequence > first_seq);
    envelope_destroy(&reply);
}

/* Only requests are answered: an event to the broker gets nothing. */
static void test_not_a_request(void **state)
{
    fx_t *fx = *state;
    Concord__V1__HealthCheckRequest in = CONCORD__V1__HEALTH_CHECK_REQUEST__INIT;
    assert_null(s_ask(fx, "concord.v1.Health/Check", &in.base, CONCORD__V1__KIND__KIND_EVENT));
}

static void test_log_read(void **state)
{
    fx_t *fx = *state;
    const char *rows[] = {FIXTURE_B};
    for (int i = 0; i < 5; i++) {
        fixture_log(fx->f, FIXTURE_B, rows, 1);
    }
    envelope_t *reply = NULL;
    Concord__V1__LogReadResponse *out = s_read(fx, 2, 3, &reply);
    assert_non_null(out);
    assert_int_equal(out->head_index, 5);
    assert_int_equal(out->n_entries, 3);
    for (size_t i = 0; i < out->n_entries; i++) {
        assert_int_equal(out->entries[i]->index, 2 + i);
        assert_int_equal(out->entries[i]->leaf_hash.len, 32);
        assert_memory_equal(out->entries[i]->leaf_hash.data,
                            merkle_leaf(heads_tree(fx->f->heads), 1 + i), 32);
        cc_err_t err;
        envelope_t *e = envelope_open(out->entries[i]->envelope.data, out->entries[i]->envelope.len,
                                      fx->f->roster, &err);
        assert_non_null(e);
        assert_string_equal(e->header->sender, FIXTURE_A);
        envelope_destroy(&e);
    }
    /* The head is the broker's newest signed tree head, over all five. */
    assert_non_null(out->head);
    receipt_head_t head;
    uint8_t root[32];
    cc_err_t err;
    assert_int_equal(receipt_head_open(fx->f->roster, out->head, &head, &err), 0);
    assert_int_equal(head.size, 5);
    merkle_root(heads_tree(fx->f->heads), 5, root);
    assert_memory_equal(head.root, root, 32);
    wire_free(&out->base);
    envelope_destroy(&reply);

    /* Past the head: no entries, the head still. */
    out = s_read(fx, 6, 0, &reply);
    assert_non_null(out);
    assert_int_equal(out->n_entries, 0);
    assert_int_equal(out->head_index, 5);
    wire_free(&out->base);
    envelope_destroy(&reply);
}

/* An answer holds at most SERVICES_LOG_READ_MAX entries, whatever is asked. */
/* Log/Read gives the reader (B) the envelopes of entries to "*", to B,
 * and to the boards whose audience it is in; of the rest (another pair's
 * call, another board's business) only the leaf hash, which still
 * builds the tree. */
static int s_b_sits_on(const char *board_id, const char *code, void *arg)
{
    (void)arg;
    return strcmp(board_id, "B-BOARD") == 0 && strcmp(code, FIXTURE_B) == 0;
}

static void test_log_read_audiences(void **state)
{
    fx_t *fx = *state;
    const char *rows[] = {FIXTURE_A};
    fixture_log(fx->f, ENVELOPE_EVERYONE, rows, 1);
    fixture_log(fx->f, FIXTURE_A, rows, 1);
    fixture_log(fx->f, "board:A-BOARD", rows, 1);
    fixture_log(fx->f, "board:B-BOARD", rows, 1);
    fixture_log(fx->f, FIXTURE_B, rows, 1);
    static const int seen_without[] = {1, 0, 0, 0, 1};
    static const int seen_with[] = {1, 0, 0, 1, 1};
    for (int pass = 0; pass < 2; pass++) {
        if (pass) {
            services_on_audience(fx->s, s_b_sits_on, NULL);
        }
        envelope_t *reply = NULL;
        Concord__V1__LogReadResponse *out = s_read(fx, 1, 0, &reply);
        assert_non_null(out);
        assert_int_equal(out->n_entries, 5);
        for (size_t i = 0; i < 5; i++) {
            const Concord__V1__LogEntry *e = out->entries[i];
            int seen = (pass ? seen_with : seen_without)[i];
            assert_int_equal(e->envelope.len > 0, seen);
            assert_int_equal(e->leaf_hash.len, 32);
            if (seen) {
                /* The leaf an entry shown whole stands for is its envelope's. */
                uint8_t hash[32], leaf[32];
                envelope_hash(e->envelope.data, e->envelope.len, hash);
                merkle_leaf_hash(e->index, e->time_ms, hash, leaf);
                assert_memory_equal(leaf, e->leaf_hash.data, 32);
            }
        }
        wire_free(&out->base);
        envelope_destroy(&reply);
    }
}

static void test_log_read_cap(void **state)
{
    fx_t *fx = *state;
    const char *rows[] = {FIXTURE_B};
    for (int i = 0; i < SERVICES_LOG_READ_MAX + 3; i++) {
        fixture_log(fx->f, FIXTURE_B, rows, 1);
    }
    envelope_t *reply = NULL;
    Concord__V1__LogReadResponse *out = s_read(fx, 1, 100000, &reply);
    assert_non_null(out);
    assert_int_equal(out->n_entries, SERVICES_LOG_READ_MAX);
    wire_free(&out->base);
    envelope_destroy(&reply);
    out = s_read(fx, SERVICES_LOG_READ_MAX + 1, 0, &reply);
    assert_non_null(out);
    assert_int_equal(out->n_entries, 3);
    wire_free(&out->base);
    envelope_destroy(&reply);
}

static void test_log_read_from_zero(void **state)
{
    fx_t *fx = *state;
    envelope_t *reply = NULL;
    assert_null(s_read(fx, 0, 0, &reply));
    assert_int_equal(reply->header->status->code, CC_INVALID_ARGUMENT);
    assert_string_equal(reply->header->status->message, "from_index starts at 1");
    envelope_destroy(&reply);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_health, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_not_a_request, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_log_read, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_log_read_cap, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_log_read_audiences, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_log_read_from_zero, s_setup, s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
