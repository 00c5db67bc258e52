/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for replay: per-sender strictly rising sequences. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "replay.h"

static void test_replay_increasing_accepted(void **state)
{
    replay_t *r = replay_new();
    assert_non_null(r);
    cc_err_t err;
    uint64_t s;

    (void)state;
    assert_non_null(r);
    assert_true(replay_last(r, "E38000217") == 0);
    for (s = 1; s <= 100; s += 3) {
        assert_int_equal(replay_check(r, "E38000217", s, &err), 0);
        assert_int_equal(replay_commit(r, "E38000217", s), 0);
        assert_true(replay_last(r, "E38000217") == s);
    }
    replay_destroy(&r);
    assert_null(r);
    replay_destroy(&r);
    replay_destroy(NULL);
}

static void test_replay_equal_and_lower_rejected(void **state)
{
    replay_t *r = replay_new();
    assert_non_null(r);
    cc_err_t err;

    (void)state;
    assert_int_equal(replay_commit(r, "E38000217", 7), 0);
    assert_int_equal(replay_check(r, "E38000217", 7, &err), -1);
    assert_int_equal(err.code, CC_ALREADY_EXISTS);
    assert_int_equal(replay_check(r, "E38000217", 4, &err), -1);
    assert_int_equal(err.code, CC_ALREADY_EXISTS);
    assert_string_equal(err.msg, "replay: sequence 4 from E38000217 is not above 7");
    assert_int_equal(replay_check(r, "E38000217", 0, &err), -1);
    assert_int_equal(replay_check(r, "E38000217", 8, &err), 0);
    assert_int_equal(replay_check(r, "E38000217", UINT64_MAX, &err), 0);
    /* Committing a lower number (replaying a store out of order) never
     * lowers the mark. */
    assert_int_equal(replay_commit(r, "E38000217", 3), 0);
    assert_true(replay_last(r, "E38000217") == 7);
    assert_int_equal(replay_commit(r, "E38000217", UINT64_MAX), 0);
    assert_int_equal(replay_check(r, "E38000217", UINT64_MAX, &err), -1);
    replay_destroy(&r);
}

static void test_replay_senders_independent(void **state)
{
    replay_t *r = replay_new();
    assert_non_null(r);
    cc_err_t err;

    (void)state;
    assert_int_equal(replay_commit(r, "E38000217", 10), 0);
    assert_int_equal(replay_check(r, "E08000003", 1, &err), 0);
    assert_int_equal(replay_commit(r, "E08000003", 1), 0);
    assert_int_equal(replay_check(r, "E38000217", 10, &err), -1);
    assert_int_equal(replay_check(r, "E08000003", 2, &err), 0);
    /* Codes that share a prefix are still different senders. */
    assert_int_equal(replay_check(r, "E3800021", 1, &err), 0);
    assert_int_equal(replay_check(r, "E380002170", 1, &err), 0);
    assert_int_equal(replay_check(r, "", 1, &err), 0);
    assert_true(replay_last(r, "E08000003") == 1);
    replay_destroy(&r);
}

static void test_replay_many_senders(void **state)
{
    replay_t *r = replay_new();
    assert_non_null(r);
    char code[32];
    cc_err_t err;
    int i;

    (void)state;
    for (i = 0; i < 1000; i++) {
        snprintf(code, sizeof code, "E%08d", i);
        assert_int_equal(replay_commit(r, code, (uint64_t)i + 1), 0);
    }
    for (i = 0; i < 1000; i++) {
        snprintf(code, sizeof code, "E%08d", i);
        assert_true(replay_last(r, code) == (uint64_t)i + 1);
        assert_int_equal(replay_check(r, code, (uint64_t)i + 1, &err), -1);
        assert_int_equal(replay_check(r, code, (uint64_t)i + 2, &err), 0);
    }
    assert_true(replay_last(r, "E99999999") == 0);
    replay_destroy(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replay_increasing_accepted),
        cmocka_unit_test(test_replay_equal_and_lower_rejected),
        cmocka_unit_test(test_replay_senders_independent),
        cmocka_unit_test(test_replay_many_senders),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
