/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the broker's ZAP handler: real ZeroMQ sockets in one
 * context. CURVE clients with keys in the roster, out of it, and the
 * broker's own, connect to a CURVE ROUTER configured as the broker's; and
 * hand-made requests, well-formed and malformed, go straight to the
 * handler over inproc://zeromq.zap.01. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>
#include <zmq.h>

#include "clock.h"
#include "keys.h"
#include "roster.h"
#include "zap.h"

#define A_CODE "E38000217"
#define B_CODE "E08000003"
#define C_CODE "E06000001"

typedef struct {
    keys_t *a, *b, *c, *broker; /* c is not in the roster */
    roster_t *roster;
    void *ctx;
    zap_t *zap;
    void *router;
    char endpoint[128];
} fx_t;

static keys_t *s_keys(const char *code, const char *kind)
{
    cc_err_t err;
    keys_t *k = keys_generate(code, code, kind, &err);
    assert_non_null(k);
    return k;
}

static int s_setup(void **state)
{
    fx_t *fx = calloc(1, sizeof *fx);
    cc_err_t err;
    assert_non_null(fx);
    assert_true(sodium_init() >= 0);
    fx->a = s_keys(A_CODE, "CCG");
    fx->b = s_keys(B_CODE, "COUNCIL_UPPER");
    fx->c = s_keys(C_CODE, "COUNCIL_DISTRICT");
    fx->broker = s_keys(KEYS_BROKER_CODE, "BROKER");
    fx->roster = roster_new("test", keys_public(fx->broker), &err);
    assert_non_null(fx->roster);
    assert_int_equal(roster_add(fx->roster, keys_public(fx->a), &err), 0);
    assert_int_equal(roster_add(fx->roster, keys_public(fx->b), &err), 0);
    fx->ctx = zmq_ctx_new();
    fx->zap = zap_new(fx->ctx, &err);
    assert_non_null(fx->zap);
    /* A second handler cannot bind in the same context. */
    cc_err_t err2;
    assert_null(zap_new(fx->ctx, &err2));
    assert_int_equal(err2.code, CC_INTERNAL);
    assert_non_null(strstr(err2.msg, "ZAP handler"));
    /* The broker's ROUTER, as broker.c configures it. */
    int one = 1, linger = 0;
    fx->router = zmq_socket(fx->ctx, ZMQ_ROUTER);
    zmq_setsockopt(fx->router, ZMQ_CURVE_SERVER, &one, sizeof one);
    zmq_setsockopt(fx->router, ZMQ_CURVE_SECRETKEY, keys_curve_sk(fx->broker), 32);
    zmq_setsockopt(fx->router, ZMQ_ZAP_DOMAIN, "concord", 7);
    zmq_setsockopt(fx->router, ZMQ_LINGER, &linger, sizeof linger);
    assert_int_equal(zmq_bind(fx->router, "tcp://127.0.0.1:*"), 0);
    size_t len = sizeof fx->endpoint;
    assert_int_equal(zmq_getsockopt(fx->router, ZMQ_LAST_ENDPOINT, fx->endpoint, &len), 0);
    *state = fx;
    return 0;
}

static int s_teardown(void **state)
{
    fx_t *fx = *state;
    zmq_close(fx->router);
    zap_destroy(&fx->zap);
    zap_destroy(&fx->zap); /* NULL-safe */
    zmq_ctx_term(fx->ctx);
    roster_destroy(&fx->roster);
    keys_destroy(&fx->a);
    keys_destroy(&fx->b);
    keys_destroy(&fx->c);
    keys_destroy(&fx->broker);
    free(fx);
    return 0;
}

/* A CURVE DEALER with k's transport keys, connecting to the router. */
static void *s_client(fx_t *fx, const keys_t *k)
{
    int linger = 0;
    void *s = zmq_socket(fx->ctx, ZMQ_DEALER);
    assert_non_null(s);
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, keys_public(fx->broker)->curve_pk, 32);
    zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, keys_public(k)->curve_pk, 32);
    zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, keys_curve_sk(k), 32);
    assert_int_equal(zmq_connect(s, fx->endpoint), 0);
    return s;
}

/* Runs the handler for up to ms while client says hello; returns the
 * User-Id the router saw on it (malloc'd), or NULL if nothing arrived.
 * *answered counts the ZAP requests answered. */
static char *s_roundtrip(fx_t *fx, void *client, int ms, int *answered)
{
    zmq_send(client, "hello", 5, ZMQ_DONTWAIT);
    uint64_t end = clock_mono_ms() + (uint64_t)ms;
    zmq_pollitem_t items[2] = {{.socket = zap_socket(fx->zap), .events = ZMQ_POLLIN},
                               {.socket = fx->router, .events = ZMQ_POLLIN}};
    while (clock_mono_ms() < end) {
        zmq_poll(items, 2, 20);
        if (items[0].revents & ZMQ_POLLIN) {
            *answered += zap_handle(fx->zap, fx->roster);
        }
        if (items[1].revents & ZMQ_POLLIN) {
            zmq_msg_t id, body;
            zmq_msg_init(&id);
            zmq_msg_init(&body);
            assert_true(zmq_msg_recv(&id, fx->router, 0) >= 0);
            assert_true(zmq_msg_recv(&body, fx->router, 0) >= 0);
            const char *who = zmq_msg_gets(&body, "User-Id");
            char *copy = who ? strdup(who) : strdup("");
            assert_memory_equal(zmq_msg_data(&body), "hello", 5);
            zmq_msg_close(&id);
            zmq_msg_close(&body);
            return copy;
        }
    }
    return NULL;
}

static void test_roster_keys_pass(void **state)
{
    fx_t *fx = *state;
    const keys_t *members[] = {fx->a, fx->b};
    const char *codes[] = {A_CODE, B_CODE};
    for (int i = 0; i < 2; i++) {
        void *client = s_client(fx, members[i]);
        int answered = 0;
        char *who = s_roundtrip(fx, client, 5000, &answered);
        assert_non_null(who);
        assert_string_equal(who, codes[i]); /* the member's code as User-Id */
        assert_int_equal(answered, 1);
        free(who);
        zmq_close(client);
    }
    assert_int_equal(zap_handle(fx->zap, fx->roster), 0); /* nothing waiting */
}

static void test_other_keys_refused(void **state)
{
    fx_t *fx = *state;
    /* Not in the roster, and the broker's own key: both refused. */
    const keys_t *strangers[] = {fx->c, fx->broker};
    for (int i = 0; i < 2; i++) {
        void *client = s_client(fx, strangers[i]);
        int answered = 0;
        char *who = s_roundtrip(fx, client, 1000, &answered);
        assert_null(who);
        assert_true(answered >= 1);
        zmq_close(client);
    }
    /* The handler still serves members afterwards. */
    void *client = s_client(fx, fx->a);
    int answered = 0;
    char *who = s_roundtrip(fx, client, 5000, &answered);
    assert_non_null(who);
    assert_string_equal(who, A_CODE);
    free(who);
    zmq_close(client);
}

/* ---- hand-made requests, straight to the handler ---- */

typedef struct {
    char status[8];
    char text[64];
    char user[32];
    char request_id[16];
    int frames;
} s_reply_t;

/* Sends n frames (lens[i] bytes of parts[i]) as one ZAP request, lets the
 * handler answer, and reads the reply. */
static void s_request(fx_t *fx, const void *const *parts, const size_t *lens, int n, s_reply_t *out)
{
    void *req = zmq_socket(fx->ctx, ZMQ_REQ);
    int linger = 0, timeout = 2000;
    zmq_setsockopt(req, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(req, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    assert_int_equal(zmq_connect(req, "inproc://zeromq.zap.01"), 0);
    for (int i = 0; i < n; i++) {
        assert_true(zmq_send(req, parts[i], lens[i], i + 1 < n ? ZMQ_SNDMORE : 0) >= 0);
    }
    zmq_pollitem_t item = {.socket = zap_socket(fx->zap), .events = ZMQ_POLLIN};
    assert_int_equal(zmq_poll(&item, 1, 2000), 1);
    assert_int_equal(zap_handle(fx->zap, fx->roster), 1);
    memset(out, 0, sizeof *out);
    char *fields[] = {NULL, out->request_id, out->status, out->text, out->user};
    size_t sizes[] = {0, sizeof out->request_id, sizeof out->status, sizeof out->text,
                      sizeof out->user};
    int more = 1;
    while (more) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        assert_true(zmq_msg_recv(&m, req, 0) >= 0);
        if (out->frames == 0) {
            assert_int_equal(zmq_msg_size(&m), 3);
            assert_memory_equal(zmq_msg_data(&m), "1.0", 3);
        } else if (out->frames < 5 && zmq_msg_size(&m) < sizes[out->frames]) {
            memcpy(fields[out->frames], zmq_msg_data(&m), zmq_msg_size(&m));
        }
        more = zmq_msg_more(&m);
        zmq_msg_close(&m);
        out->frames++;
    }
    zmq_close(req);
}

/* A CURVE request as libzmq makes it, for key. */
static void s_curve_request(fx_t *fx, const void *mechanism, size_t mech_len, const void *key,
                            size_t key_len, int extra, s_reply_t *out)
{
    const void *parts[9] = {"1.0", "42", "concord", "127.0.0.1", "", mechanism, key, "x", "y"};
    size_t lens[9] = {3, 2, 7, 9, 0, mech_len, key_len, 1, 1};
    s_request(fx, parts, lens, 7 + extra, out);
}

static void test_request_answers(void **state)
{
    fx_t *fx = *state;
    s_reply_t r;
    s_curve_request(fx, "CURVE", 5, keys_public(fx->a)->curve_pk, 32, 0, &r);
    assert_int_equal(r.frames, 6);
    assert_string_equal(r.request_id, "42");
    assert_string_equal(r.status, "200");
    assert_string_equal(r.text, "OK");
    assert_string_equal(r.user, A_CODE);

    s_curve_request(fx, "CURVE", 5, keys_public(fx->c)->curve_pk, 32, 0, &r);
    assert_int_equal(r.frames, 6);
    assert_string_equal(r.request_id, "42");
    assert_string_equal(r.status, "400");
    assert_string_equal(r.text, "not in the roster");
    assert_string_equal(r.user, "");

    s_curve_request(fx, "CURVE", 5, keys_public(fx->broker)->curve_pk, 32, 0, &r);
    assert_string_equal(r.status, "400");
    assert_string_equal(r.user, "");
}

static void test_malformed_requests(void **state)
{
    fx_t *fx = *state;
    s_reply_t r;
    const uint8_t *a_key = keys_public(fx->a)->curve_pk;
    /* Another mechanism, even with a member's key. */
    s_curve_request(fx, "PLAIN", 5, a_key, 32, 0, &r);
    assert_string_equal(r.status, "400");
    assert_string_equal(r.user, "");
    /* A key of the wrong length. */
    s_curve_request(fx, "CURVE", 5, a_key, 31, 0, &r);
    assert_string_equal(r.status, "400");
    s_curve_request(fx, "CURVE", 5, "", 0, 0, &r);
    assert_string_equal(r.status, "400");
    /* Too few frames to carry credentials. */
    const void *short_parts[3] = {"1.0", "7", "concord"};
    size_t short_lens[3] = {3, 1, 7};
    s_request(fx, short_parts, short_lens, 3, &r);
    assert_int_equal(r.frames, 6);
    assert_string_equal(r.request_id, "7");
    assert_string_equal(r.status, "400");
    /* One frame: no request id, still an answer, and the handler goes on. */
    const void *one_part[1] = {"1.0"};
    size_t one_len[1] = {3};
    s_request(fx, one_part, one_len, 1, &r);
    assert_int_equal(r.frames, 6);
    assert_string_equal(r.request_id, "");
    assert_string_equal(r.status, "400");
    /* More frames than any real request: drained, judged by the first ones. */
    s_curve_request(fx, "CURVE", 5, a_key, 32, 2, &r);
    assert_int_equal(r.frames, 6);
    assert_string_equal(r.status, "200");
    assert_string_equal(r.user, A_CODE);
    /* The next request is read from its own first frame. */
    s_curve_request(fx, "CURVE", 5, keys_public(fx->b)->curve_pk, 32, 0, &r);
    assert_string_equal(r.request_id, "42");
    assert_string_equal(r.status, "200");
    assert_string_equal(r.user, B_CODE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_roster_keys_pass, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_other_keys_refused, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_request_answers, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_malformed_requests, s_setup, s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
