/* SPDX-License-Identifier: Apache-2.0 */
/* Integration test of the broker's verifier threads (broker/vpool.h): a
 * real broker with more verifier threads than cores and four members
 * submitting at once, every envelope in flight before the first answer,
 * so that the broker's batches mix all four. Whatever thread opened an
 * envelope, the answers must be as one thread would give them: each
 * sender's answers in the order it sent, each accepted envelope logged at
 * the next index, its sequence in order, and a bad signature in the
 * middle of a batch refused alone, its neighbours accepted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zmq.h>

#include "clock.h"
#include "envelope.h"
#include "harness.h"
#include "health.pb-c.h"
#include "receipt.h"
#include "wire.h"

#define SENDERS 4
#define PER_SENDER 300 /* genuine envelopes per sender */

/* One submission: the envelope and what the broker must answer. */
typedef struct {
    uint8_t *frame; /* the NodeFrame sent */
    size_t frame_len;
    uint8_t hash[32]; /* of the envelope */
    uint64_t sequence;
    int forged; /* a bad signature: refused */
} s_sent_t;

/* Seals a Health/Check request from k to `to` with sequence seq and a
 * call id unique to (sender, seq, forged); forged flips a bit of the
 * signed bytes after signing. */
static void s_make(keys_t *k, int sender, const char *to, uint64_t seq, int forged,
                   s_sent_t *out)
{
    Concord__V1__HealthCheckRequest in = CONCORD__V1__HEALTH_CHECK_REQUEST__INIT;
    uint8_t *body = NULL, *env = NULL;
    size_t body_len = 0, len = 0;
    assert_int_equal(wire_pack(&in.base, WIRE_MAX_FRAME, &body, &body_len, NULL), 0);
    envelope_meta_t m = {
        .method = "concord.v1.Health/Check",
        .recipient = to,
        .sent_at_ms = clock_wall_ms(),
        .deadline_ms = clock_wall_ms() + 600000,
        .sequence = seq,
        .kind = CONCORD__V1__KIND__KIND_REQUEST,
    };
    memset(m.call_id, 0x5a, sizeof m.call_id);
    m.call_id[0] = (uint8_t)sender;
    m.call_id[1] = (uint8_t)forged;
    memcpy(m.call_id + 2, &seq, sizeof seq);
    assert_int_equal(envelope_seal(k, &m, body, body_len, &env, &len, NULL), 0);
    free(body);
    Concord__V1__NodeFrame nf = CONCORD__V1__NODE_FRAME__INIT;
    nf.frame_case = CONCORD__V1__NODE_FRAME__FRAME_SUBMIT;
    nf.submit = (Concord__V1__Envelope *)wire_unpack(&concord__v1__envelope__descriptor, env, len,
                                                     WIRE_MAX_FRAME, NULL);
    assert_non_null(nf.submit);
    if (forged) {
        nf.submit->signed_.data[nf.submit->signed_.len / 2] ^= 1;
    }
    uint8_t *packed = NULL;
    size_t packed_len = 0;
    assert_int_equal(wire_pack(&nf.submit->base, WIRE_MAX_FRAME, &packed, &packed_len, NULL), 0);
    envelope_hash(packed, packed_len, out->hash);
    free(packed);
    assert_int_equal(wire_pack(&nf.base, WIRE_MAX_FRAME + 4096, &out->frame, &out->frame_len, NULL),
                     0);
    wire_free(&nf.submit->base);
    free(env);
    out->sequence = seq;
    out->forged = forged;
}

/* The next SubmitResult on sock within 60 s (deliveries cannot come: no
 * connection says Hello). */
static Concord__V1__SubmitResult *s_result(void *sock)
{
    int timeout = 60000;
    zmq_setsockopt(sock, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    assert_true(zmq_msg_recv(&msg, sock, 0) >= 0);
    Concord__V1__BrokerFrame *bf = (Concord__V1__BrokerFrame *)wire_unpack(
        &concord__v1__broker_frame__descriptor, zmq_msg_data(&msg), zmq_msg_size(&msg),
        WIRE_MAX_FRAME + 4096, NULL);
    zmq_msg_close(&msg);
    assert_non_null(bf);
    assert_int_equal(bf->frame_case, CONCORD__V1__BROKER_FRAME__FRAME_RESULT);
    Concord__V1__SubmitResult *res = bf->result;
    bf->result = NULL;
    bf->frame_case = CONCORD__V1__BROKER_FRAME__FRAME__NOT_SET;
    wire_free(&bf->base);
    return res;
}

static void test_it_verifiers_keep_order(void **state)
{
    fed_t *f = *state;
    fed_create(f, SENDERS);
    /* More verifier threads than this machine has cores, and no quota in
     * the way of a burst. */
    fed_broker_config_append(f, "verify_threads = 6\nquota_envelopes_per_second = 0\n"
                       "quota_envelopes_per_minute = 0\nquota_bytes_per_second = 0\n"
                       "quota_bytes_per_minute = 0\n");
    fed_start_broker(f);
    assert_true(fed_wait_log(f, "broker", "6 verifier thread(s)", 30000));

    enum { N = PER_SENDER + 1 };
    static s_sent_t sent[SENDERS][N];
    raw_t raw[SENDERS];
    keys_t *keys[SENDERS];
    for (int s = 0; s < SENDERS; s++) {
        keys[s] = fed_keys(f, s);
        raw_connect(&raw[s], f, keys[s], NULL, NULL);
        /* Each sender's forgery sits at its own place among its genuine
         * envelopes, with the sequence of the genuine one after it. */
        int bad_at = 40 + 60 * s, i = 0;
        for (uint64_t seq = 1; seq <= PER_SENDER; seq++) {
            if (i == bad_at) {
                s_make(keys[s], s, f->codes[(s + 1) % SENDERS], seq, 1, &sent[s][i++]);
            }
            s_make(keys[s], s, f->codes[(s + 1) % SENDERS], seq, 0, &sent[s][i++]);
        }
        assert_int_equal(i, N);
    }
    /* Everything in flight, the senders interleaved. */
    for (int i = 0; i < N; i++) {
        for (int s = 0; s < SENDERS; s++) {
            assert_true(zmq_send(raw[s].sock, sent[s][i].frame, sent[s][i].frame_len, 0) >= 0);
        }
    }

    roster_t *roster = fed_roster(f);
    receipt_heads_t *heads = receipt_heads_new();
    assert_non_null(heads);
    static uint8_t seen[SENDERS * PER_SENDER + 1];
    uint64_t accepted = 0;
    for (int s = 0; s < SENDERS; s++) {
        uint64_t last_index = 0;
        for (int i = 0; i < N; i++) {
            Concord__V1__SubmitResult *res = s_result(raw[s].sock);
            /* Answered in the order sent. */
            assert_int_equal(res->envelope_hash.len, 32);
            assert_memory_equal(res->envelope_hash.data, sent[s][i].hash, 32);
            assert_non_null(res->status);
            if (sent[s][i].forged) {
                assert_int_equal(res->status->code, CC_UNAUTHENTICATED);
                assert_non_null(strstr(res->status->message, "bad signature"));
                assert_null(res->receipt);
                wire_free(&res->base);
                continue;
            }
            if ((int)res->status->code != CC_OK) {
                fail_msg("sender %d, sequence %llu: %d %s", s,
                         (unsigned long long)sent[s][i].sequence, res->status->code,
                         res->status->message);
            }
            assert_non_null(res->receipt);
            receipt_t r;
            cc_err_t err;
            if (receipt_open_pb(heads, roster, res->receipt, &r, &err) != 0) {
                fail_msg("receipt: %s", err.msg);
            }
            assert_memory_equal(r.envelope_hash, sent[s][i].hash, 32);
            /* Logged in the order sent: each sender's sequences rise with
             * the log index. */
            assert_true(r.log_index > last_index);
            assert_true(r.log_index <= SENDERS * PER_SENDER);
            assert_int_equal(seen[r.log_index], 0);
            seen[r.log_index] = 1;
            last_index = r.log_index;
            accepted++;
            wire_free(&res->base);
        }
    }
    /* Every genuine envelope at its own index, none skipped. */
    assert_int_equal(accepted, SENDERS * PER_SENDER);
    for (uint64_t i = 1; i <= SENDERS * PER_SENDER; i++) {
        assert_int_equal(seen[i], 1);
    }
    assert_true(fed_log_contains(f, "broker", "bad signature from"));

    receipt_heads_destroy(&heads);
    roster_destroy(&roster);
    for (int s = 0; s < SENDERS; s++) {
        raw_close(&raw[s]);
        keys_destroy(&keys[s]);
        for (int i = 0; i < N; i++) {
            free(sent[s][i].frame);
        }
    }
}

int main(void)
{
    static fed_t fed;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_prestate_setup_teardown(test_it_verifiers_keep_order, NULL,
                                                 fed_teardown, &fed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
