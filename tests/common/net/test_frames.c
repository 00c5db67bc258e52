/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for frames: bounded multipart receives over a real inproc
 * PAIR of ZeroMQ sockets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zmq.h>

#include "frames.h"

typedef struct {
    void *ctx;
    void *in;
    void *out;
} fx_t;

static int s_setup(void **state)
{
    fx_t *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    fx->ctx = zmq_ctx_new();
    fx->in = zmq_socket(fx->ctx, ZMQ_PAIR);
    fx->out = zmq_socket(fx->ctx, ZMQ_PAIR);
    assert_int_equal(zmq_bind(fx->in, "inproc://frames-test"), 0);
    assert_int_equal(zmq_connect(fx->out, "inproc://frames-test"), 0);
    *state = fx;
    return 0;
}

static int s_teardown(void **state)
{
    fx_t *fx = *state;
    zmq_close(fx->in);
    zmq_close(fx->out);
    zmq_ctx_term(fx->ctx);
    free(fx);
    return 0;
}

/* Sends a message of n frames "f0", "f1", ... (frame i is i+2 bytes). */
static void s_send(fx_t *fx, int n, char tag)
{
    for (int i = 0; i < n; i++) {
        char buf[16];
        size_t len = (size_t)i + 2;
        memset(buf, tag, len);
        buf[1] = (char)('0' + i);
        assert_true(zmq_send(fx->out, buf, len, i + 1 < n ? ZMQ_SNDMORE : 0) >= 0);
    }
}

/* Waits until a message is readable on fx->in. */
static void s_wait(fx_t *fx)
{
    zmq_pollitem_t item = {.socket = fx->in, .events = ZMQ_POLLIN};
    assert_int_equal(zmq_poll(&item, 1, 2000), 1);
}

static void test_nothing_waiting(void **state)
{
    fx_t *fx = *state;
    frames_t f;
    assert_int_equal(frames_recv(&f, fx->in, 2), 0);
    assert_int_equal(f.n, 0);
    assert_false(f.too_many);
    assert_false(frames_exact(&f, 2));
    frames_close(&f);
}

static void test_exact_and_short(void **state)
{
    fx_t *fx = *state;
    frames_t f;
    s_send(fx, 2, 'a');
    s_wait(fx);
    assert_int_equal(frames_recv(&f, fx->in, 2), 2);
    assert_true(frames_exact(&f, 2));
    assert_false(frames_exact(&f, 3));
    assert_int_equal(frames_size(&f, 0), 2);
    assert_memory_equal(frames_data(&f, 0), "a0", 2);
    assert_int_equal(frames_size(&f, 1), 3);
    assert_memory_equal(frames_data(&f, 1), "a1a", 3);
    frames_close(&f);
    assert_int_equal(f.n, 0);

    /* Fewer frames than allowed: all kept, not exact for more. */
    s_send(fx, 1, 'b');
    s_wait(fx);
    assert_int_equal(frames_recv(&f, fx->in, 2), 1);
    assert_false(f.too_many);
    assert_false(frames_exact(&f, 2));
    assert_true(frames_exact(&f, 1));
    frames_close(&f);
}

/* A longer message is drained to its end and flagged; the next message
 * starts at its own first frame. */
static void test_too_many_drained(void **state)
{
    fx_t *fx = *state;
    frames_t f;
    s_send(fx, 7, 'c');
    s_send(fx, 2, 'd');
    s_wait(fx);
    assert_int_equal(frames_recv(&f, fx->in, 2), 2);
    assert_true(f.too_many);
    assert_false(frames_exact(&f, 2));
    assert_memory_equal(frames_data(&f, 0), "c0", 2);
    assert_memory_equal(frames_data(&f, 1), "c1c", 3);
    frames_close(&f);
    assert_int_equal(frames_recv(&f, fx->in, 2), 2);
    assert_true(frames_exact(&f, 2));
    assert_memory_equal(frames_data(&f, 0), "d0", 2);
    frames_close(&f);
    assert_int_equal(frames_recv(&f, fx->in, 2), 0);
    frames_close(&f);
}

/* The bounds: FRAMES_MAX frames fit exactly; one frame more is too many. */
static void test_bounds(void **state)
{
    fx_t *fx = *state;
    frames_t f;
    s_send(fx, FRAMES_MAX, 'e');
    s_wait(fx);
    assert_int_equal(frames_recv(&f, fx->in, FRAMES_MAX), FRAMES_MAX);
    assert_true(frames_exact(&f, FRAMES_MAX));
    assert_int_equal(frames_size(&f, FRAMES_MAX - 1), FRAMES_MAX + 1);
    frames_close(&f);
    s_send(fx, FRAMES_MAX + 1, 'f');
    s_wait(fx);
    assert_int_equal(frames_recv(&f, fx->in, FRAMES_MAX), FRAMES_MAX);
    assert_true(f.too_many);
    frames_close(&f);
    /* max 1: a two-frame message is too many. */
    s_send(fx, 2, 'g');
    s_wait(fx);
    assert_int_equal(frames_recv(&f, fx->in, 1), 1);
    assert_true(f.too_many);
    assert_memory_equal(frames_data(&f, 0), "g0", 2);
    frames_close(&f);
    assert_int_equal(frames_recv(&f, fx->in, 1), 0);
    frames_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_nothing_waiting, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_exact_and_short, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_too_many_drained, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_bounds, s_setup, s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
