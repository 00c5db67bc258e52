/* SPDX-License-Identifier: Apache-2.0 */
/* Integration tests for the spine: a real broker and real nodes on
 * loopback, driven through the `concord` CLI and hand-made frames. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>
#include <zmq.h>

#include "clock.h"
#include "envelope.h"
#include "harness.h"
#include "health.pb-c.h"
#include "wire.h"

#define CCG 0
#define COUNCIL 1
#define NHSE 2
#define RAW 3 /* in the roster, but driven by hand instead of a node */

static int s_setup(void **state)
{
    fed_t *f = calloc(1, sizeof *f);
    fed_create(f, 4);
    fed_start_broker(f);
    for (int i = 0; i < 3; i++) {
        fed_start_node(f, i);
    }
    for (int i = 0; i < 3; i++) {
        fed_wait_connected(f, i);
    }
    *state = f;
    return 0;
}

static int s_teardown(void **state)
{
    fed_t *f = *state;
    fed_destroy(f);
    free(f);
    return 0;
}

static void s_ping_ok(fed_t *f, int from, int to)
{
    char *out = NULL;
    int rc = fed_cli(f, from, &out, "ping %s", f->codes[to]);
    if (rc != 0 || !strstr(out, "reply from")) {
        fail_msg("ping %s -> %s failed (%d): %s", f->codes[from], f->codes[to], rc, out);
    }
    free(out);
}

static void test_it_ping_round_trips(void **state)
{
    fed_t *f = *state;
    for (int from = 0; from < 3; from++) {
        for (int to = 0; to < 3; to++) {
            if (from != to) {
                s_ping_ok(f, from, to);
            }
        }
    }
    char *out = NULL;
    assert_int_equal(fed_cli(f, CCG, &out, "--json ping %s", f->codes[NHSE]), 0);
    assert_non_null(strstr(out, "\"responder\":\"X24\""));
    assert_non_null(strstr(out, "\"serving\":\"SERVING\""));
    assert_non_null(strstr(out, "\"rtt_ms\":"));
    free(out);
    /* Every node's ledger holds its requests and replies; the log verifies. */
    assert_int_equal(fed_cli(f, COUNCIL, &out, "--json log verify"), 0);
    assert_non_null(strstr(out, "\"verified\":true"));
    free(out);
    /* Unknown organisations are refused before anything is sent. */
    assert_int_equal(fed_cli(f, CCG, &out, "ping E99999999"), 1);
    assert_non_null(strstr(out, "NOT_FOUND"));
    free(out);
    /* SIGTERM stops every process cleanly. */
    for (int i = 0; i < 3; i++) {
        assert_int_equal(fed_stop_node(f, i, SIGTERM), 0);
    }
    assert_int_equal(fed_stop_broker(f, SIGTERM), 0);
    assert_true(fed_log_contains(f, "broker", "stopping cleanly"));
}

static void test_it_node_refuses_exposed_key(void **state)
{
    fed_t *f = *state;
    char path[256];
    assert_int_equal(fed_stop_node(f, NHSE, SIGTERM), 0);
    snprintf(path, sizeof path, "%s/keys/%s.key", f->dir, f->codes[NHSE]);
    assert_int_equal(chmod(path, 0644), 0);
    fed_start_node(f, NHSE);
    assert_int_equal(fed_stop_node(f, NHSE, 0), 1); /* exits by itself, status 1 */
    assert_true(fed_log_contains(f, f->codes[NHSE], "readable or writable by group or others"));
    assert_int_equal(chmod(path, 0600), 0);
    fed_start_node(f, NHSE);
    fed_wait_connected(f, NHSE);
}

/* Seals an envelope from organisation RAW to the CCG. */
static void s_seal(fed_t *f, keys_t *k, uint64_t seq, uint8_t call_byte, uint8_t **env,
                   size_t *len)
{
    Concord__V1__HealthCheckRequest in = CONCORD__V1__HEALTH_CHECK_REQUEST__INIT;
    uint8_t *body = NULL;
    size_t body_len = 0;
    assert_int_equal(wire_pack(&in.base, WIRE_MAX_FRAME, &body, &body_len, NULL), 0);
    envelope_meta_t m = {
        .method = "concord.v1.Health/Check",
        .recipient = f->codes[CCG],
        .sent_at_ms = clock_wall_ms(),
        .deadline_ms = clock_wall_ms() + 60000,
        .sequence = seq,
        .kind = CONCORD__V1__KIND__KIND_REQUEST,
    };
    memset(m.call_id, call_byte, sizeof m.call_id);
    assert_int_equal(envelope_seal(k, &m, body, body_len, env, len, NULL), 0);
    free(body);
}

static void test_it_forged_envelope_rejected(void **state)
{
    fed_t *f = *state;
    raw_t raw;
    keys_t *k = fed_keys(f, RAW);
    cc_err_t err;
    uint8_t *env = NULL;
    size_t len = 0;
    raw_connect(&raw, f, k, NULL, NULL);

    /* One flipped bit in the signed bytes. */
    s_seal(f, k, 1, 0x11, &env, &len);
    Concord__V1__Envelope *e = (Concord__V1__Envelope *)wire_unpack(
        &concord__v1__envelope__descriptor, env, len, WIRE_MAX_FRAME, NULL);
    e->signed_.data[e->signed_.len / 2] ^= 1;
    uint8_t *forged = NULL;
    size_t forged_len = 0;
    assert_int_equal(wire_pack(&e->base, WIRE_MAX_FRAME, &forged, &forged_len, NULL), 0);
    Concord__V1__SubmitResult *res = raw_submit(&raw, forged, forged_len, 5000);
    assert_non_null(res);
    assert_int_equal(res->status->code, CC_UNAUTHENTICATED);
    assert_null(res->receipt);
    wire_free(&res->base);
    wire_free(&e->base);
    free(forged);
    free(env);

    /* Signed with a key that is not in the roster, claiming to be RAW. */
    keys_t *impostor = keys_generate(f->codes[RAW], "impostor", "CCG", &err);
    assert_non_null(impostor);
    s_seal(f, impostor, 1, 0x12, &env, &len);
    res = raw_submit(&raw, env, len, 5000);
    assert_non_null(res);
    assert_int_equal(res->status->code, CC_UNAUTHENTICATED);
    wire_free(&res->base);
    free(env);
    keys_destroy(&impostor);

    /* Genuinely signed by another member, but sent on RAW's connection. */
    keys_t *nhse = fed_keys(f, NHSE);
    s_seal(f, nhse, 1000000, 0x13, &env, &len);
    res = raw_submit(&raw, env, len, 5000);
    assert_non_null(res);
    assert_int_equal(res->status->code, CC_PERMISSION_DENIED);
    wire_free(&res->base);
    free(env);
    keys_destroy(&nhse);

    assert_true(fed_log_contains(f, "broker", "rejected envelope"));
    raw_close(&raw);
    keys_destroy(&k);
}

static void test_it_replay_rejected(void **state)
{
    fed_t *f = *state;
    raw_t raw;
    keys_t *k = fed_keys(f, RAW);
    uint8_t *env = NULL, *other = NULL;
    size_t len = 0, other_len = 0;
    raw_connect(&raw, f, k, NULL, NULL);

    s_seal(f, k, 5, 0x21, &env, &len);
    Concord__V1__SubmitResult *res = raw_submit(&raw, env, len, 5000);
    assert_non_null(res);
    assert_int_equal(res->status->code, CC_OK);
    assert_non_null(res->receipt);
    wire_free(&res->base);

    /* The same bytes again: refused as a replay, with the original receipt. */
    res = raw_submit(&raw, env, len, 5000);
    assert_non_null(res);
    assert_int_equal(res->status->code, CC_ALREADY_EXISTS);
    assert_non_null(strstr(res->status->message, "replay"));
    assert_non_null(res->receipt);
    wire_free(&res->base);

    /* A new envelope whose sequence does not rise. */
    s_seal(f, k, 5, 0x22, &other, &other_len);
    res = raw_submit(&raw, other, other_len, 5000);
    assert_non_null(res);
    assert_int_equal(res->status->code, CC_ALREADY_EXISTS);
    assert_non_null(strstr(res->status->message, "sequence"));
    wire_free(&res->base);
    free(other);

    /* A rising sequence but a call id used before. */
    s_seal(f, k, 6, 0x21, &other, &other_len);
    res = raw_submit(&raw, other, other_len, 5000);
    assert_non_null(res);
    assert_int_equal(res->status->code, CC_ALREADY_EXISTS);
    assert_non_null(strstr(res->status->message, "call id"));
    wire_free(&res->base);
    free(other);
    free(env);

    /* The CCG received the accepted request exactly once. */
    char *out = NULL;
    uint64_t end = clock_mono_ms() + 10000;
    int count = 0;
    while (clock_mono_ms() < end) {
        free(out);
        assert_int_equal(fed_cli(f, CCG, &out, "--json ledger"), 0);
        count = 0;
        for (char *p = out; (p = strstr(p, "\"sender\":\"E38000016\"")); p++) {
            count++;
        }
        if (count) {
            break;
        }
        usleep(100 * 1000);
    }
    free(out);
    assert_int_equal(count, 1);
    raw_close(&raw);
    keys_destroy(&k);
}

static void test_it_offline_node_receives_on_return(void **state)
{
    fed_t *f = *state;
    char outfile[256];
    assert_int_equal(fed_stop_node(f, COUNCIL, SIGTERM), 0);
    /* A call sent while the council is away waits in its mailbox. */
    snprintf(outfile, sizeof outfile, "%s/ping-while-away.out", f->dir);
    pid_t ping = fed_cli_bg(f, CCG, outfile, "ping E08000003 --timeout 30000");
    usleep(1500 * 1000);
    fed_start_node(f, COUNCIL);
    int rc = fed_cli_wait(ping);
    char *out = fed_slurp(outfile);
    if (rc != 0 || !strstr(out, "reply from E08000003")) {
        fail_msg("ping across the council's absence failed (%d): %s", rc, out);
    }
    free(out);
    assert_true(fed_log_contains(f, "broker", "E08000003 connected; 1 waiting"));
    assert_int_equal(fed_cli(f, COUNCIL, &out, "--json ledger"), 0);
    assert_non_null(strstr(out, "\"direction\":\"in\",\"kind\":\"request\""));
    free(out);
}

static void test_it_broker_sigkill_loses_nothing(void **state)
{
    fed_t *f = *state;
    char out0[256], out1[256];
    snprintf(out0, sizeof out0, "%s/pings0.out", f->dir);
    snprintf(out1, sizeof out1, "%s/pings1.out", f->dir);
    pid_t p0 = fed_cli_bg(f, CCG, out0, "ping X24 --count 30 --timeout 20000");
    pid_t p1 = fed_cli_bg(f, NHSE, out1, "ping E08000003 --count 30 --timeout 20000");
    usleep(300 * 1000);
    assert_int_equal(fed_stop_broker(f, SIGKILL), 128 + SIGKILL);
    usleep(500 * 1000);
    fed_start_broker(f);
    /* Calls in flight resume: every ping eventually succeeds. */
    int rc0 = fed_cli_wait(p0), rc1 = fed_cli_wait(p1);
    char *o0 = fed_slurp(out0), *o1 = fed_slurp(out1);
    if (rc0 != 0 || rc1 != 0) {
        fail_msg("pings across a broker crash failed: %d %d\n%s\n%s", rc0, rc1, o0, o1);
    }
    free(o0);
    free(o1);
    /* Every receipt each node holds lies on the restarted broker's chain. */
    for (int i = 0; i < 3; i++) {
        char *out = NULL;
        int rc = fed_cli(f, i, &out, "log verify");
        if (rc != 0 || !strstr(out, "all proved in the log")) {
            fail_msg("log verify from %s after the crash: %s", f->codes[i], out);
        }
        free(out);
    }
}

static void test_it_unknown_transport_key_cannot_connect(void **state)
{
    fed_t *f = *state;
    uint8_t pk[32], sk[32];
    raw_t raw;
    keys_t *k = fed_keys(f, RAW);
    crypto_box_keypair(pk, sk);
    raw_connect(&raw, f, k, pk, sk);
    assert_int_equal(zmq_socket_monitor(raw.sock, "inproc://it-monitor",
                                        ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
                                            ZMQ_EVENT_HANDSHAKE_SUCCEEDED),
                     0);
    void *mon = zmq_socket(raw.ctx, ZMQ_PAIR);
    assert_int_equal(zmq_connect(mon, "inproc://it-monitor"), 0);
    int timeout = 10000;
    zmq_setsockopt(mon, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    /* Sending makes the connection attempt observable; nothing must come back. */
    uint8_t *env = NULL;
    size_t len = 0;
    s_seal(f, k, 99, 0x31, &env, &len);
    zmq_msg_t ev;
    zmq_msg_init(&ev);
    Concord__V1__SubmitResult *res = raw_submit(&raw, env, len, 3000);
    assert_null(res);
    assert_true(zmq_msg_recv(&ev, mon, 0) >= 2);
    uint16_t event;
    memcpy(&event, zmq_msg_data(&ev), 2);
    assert_int_equal(event, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
    zmq_msg_close(&ev);
    zmq_close(mon);
    free(env);
    raw_close(&raw);
    keys_destroy(&k);
    assert_true(fed_log_contains(f, "broker", "refused a connection"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_it_ping_round_trips, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_it_forged_envelope_rejected, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_it_replay_rejected, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_it_offline_node_receives_on_return, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_it_broker_sigkill_loses_nothing, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_it_unknown_transport_key_cannot_connect, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_it_node_refuses_exposed_key, s_setup, s_teardown),
    };
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
