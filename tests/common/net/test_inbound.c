/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for inbound: the failure states of a node's inbound pipeline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "inbound.h"

static cc_err_t s_disk_full(void)
{
    cc_err_t err;
    err_set(&err, CC_UNAVAILABLE, "database or disk is full");
    return err;
}

static void test_inbound_storing_admits_everything(void **state)
{
    (void)state;
    inbound_t in = {0};
    cc_err_t err;
    assert_int_equal(in.phase, INBOUND_STORING);
    assert_true(inbound_admits(&in, 0));
    assert_true(inbound_admits(&in, 7));
    assert_false(inbound_failing(&in));
    assert_int_equal(inbound_refuse(&in, &err), 0);
    assert_int_equal(inbound_timeout_ms(&in, 1000), -1);
    assert_false(inbound_done(&in, 7)); /* nothing to end */
    assert_false(inbound_retry_due(&in, 1, UINT64_MAX));
}

static void test_inbound_failure_stalls_until_retry(void **state)
{
    (void)state;
    inbound_t in = {0};
    cc_err_t why = s_disk_full(), err;
    inbound_failed(&in, 10, &why, 1000);
    assert_int_equal(in.phase, INBOUND_STALLED);
    assert_true(inbound_failing(&in));
    /* Nothing is taken while stalled, not even the failed one itself. */
    assert_false(inbound_admits(&in, 10));
    assert_false(inbound_admits(&in, 9));
    assert_false(inbound_admits(&in, 0));
    assert_int_equal(inbound_refuse(&in, &err), -1);
    assert_int_equal(err.code, CC_UNAVAILABLE);
    assert_non_null(strstr(err.msg, "database or disk is full"));
    assert_int_equal(inbound_timeout_ms(&in, 1000), INBOUND_RETRY_MS);
    assert_int_equal(inbound_timeout_ms(&in, 1000 + INBOUND_RETRY_MS + 5), 0);
    /* Not due yet, or not connected: no retry. */
    assert_false(inbound_retry_due(&in, 1, 1000 + INBOUND_RETRY_MS - 1));
    assert_false(inbound_retry_due(&in, 0, 1000 + INBOUND_RETRY_MS));
    assert_true(inbound_retry_due(&in, 1, 1000 + INBOUND_RETRY_MS));
    assert_int_equal(in.phase, INBOUND_RETRYING);
    assert_int_equal(in.retry_ms, 1000 + 2 * INBOUND_RETRY_MS);
}

static void test_inbound_retrying_takes_up_to_the_failed_one(void **state)
{
    (void)state;
    inbound_t in = {0};
    cc_err_t why = s_disk_full();
    inbound_failed(&in, 10, &why, 0);
    assert_true(inbound_retry_due(&in, 1, INBOUND_RETRY_MS));
    assert_true(inbound_admits(&in, 9));
    assert_true(inbound_admits(&in, 10));
    assert_false(inbound_admits(&in, 11)); /* must not overtake the failed one */
    assert_false(inbound_admits(&in, 0));  /* direct answers wait too */
    assert_false(inbound_done(&in, 9));    /* an earlier one ends nothing */
    assert_true(inbound_failing(&in));
    assert_true(inbound_done(&in, 10));
    assert_int_equal(in.phase, INBOUND_STORING);
    assert_true(inbound_admits(&in, 11));
}

static void test_inbound_failure_while_retrying_keeps_the_oldest(void **state)
{
    (void)state;
    inbound_t in = {0};
    cc_err_t why = s_disk_full();
    inbound_failed(&in, 10, &why, 0);
    inbound_failed(&in, 12, &why, 0); /* a later one cannot move it forward */
    assert_int_equal(in.failed_index, 10);
    assert_true(inbound_retry_due(&in, 1, INBOUND_RETRY_MS));
    inbound_failed(&in, 8, &why, 2 * INBOUND_RETRY_MS); /* an earlier one fails */
    assert_int_equal(in.phase, INBOUND_STALLED);
    assert_int_equal(in.failed_index, 8);
    assert_int_equal(in.retry_ms, 3 * INBOUND_RETRY_MS);
    assert_false(inbound_done(&in, 10));
    assert_true(inbound_retry_due(&in, 1, 3 * INBOUND_RETRY_MS));
    assert_true(inbound_done(&in, 8));
    assert_false(inbound_failing(&in));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inbound_storing_admits_everything),
        cmocka_unit_test(test_inbound_failure_stalls_until_retry),
        cmocka_unit_test(test_inbound_retrying_takes_up_to_the_failed_one),
        cmocka_unit_test(test_inbound_failure_while_retrying_keeps_the_oldest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
