/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the broker's per-member quotas: windows counted at given
 * monotonic times, each limit refused with its config key, the member and
 * when it resets, members counted apart, and 0 meaning no limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "quota.h"

#define A "E38000217"
#define B "E08000003"

static void s_refused(quota_t *q, const char *who, int is_event, const char *method, size_t bytes,
                      uint64_t now, const char *words)
{
    cc_err_t err;
    assert_int_equal(quota_check(q, who, is_event, method, bytes, now, &err), -1);
    assert_int_equal(err.code, CC_RESOURCE_EXHAUSTED);
    if (!strstr(err.msg, words)) {
        fail_msg("refused with '%s', not '%s'", err.msg, words);
    }
}

static void s_take(quota_t *q, const char *who, size_t bytes, uint64_t now)
{
    cc_err_t err;
    assert_int_equal(quota_check(q, who, 0, "concord.v1.Health/Check", bytes, now, &err), 0);
    quota_charge(q, who, bytes, now);
}

/* The minute's envelope count: the limit, then a refusal naming key,
 * member and reset; the other member is not affected; a new minute
 * starts afresh. */
static void test_envelopes_per_minute(void **state)
{
    (void)state;
    quota_limits_t l = {.envelopes_per_minute = 3};
    quota_t *q = quota_new(&l);
    assert_non_null(q);
    assert_non_null(q);
    uint64_t t0 = 1000000;
    for (int i = 0; i < 3; i++) {
        s_take(q, A, 100, t0 + (uint64_t)i * 1000);
    }
    s_refused(q, A, 0, "concord.v1.Health/Check", 100, t0 + 20000,
              "quota_envelopes_per_minute of 3 reached by E38000217; resets in 41 s");
    s_take(q, B, 100, t0 + 20000);
    s_take(q, A, 100, t0 + 60000);
    quota_destroy(&q);
    assert_null(q);
}

/* Bytes per minute and per day, each named. */
static void test_bytes(void **state)
{
    (void)state;
    quota_limits_t l = {.bytes_per_minute = 1000, .bytes_per_day = 1500};
    quota_t *q = quota_new(&l);
    assert_non_null(q);
    s_take(q, A, 600, 0 + 5);
    s_refused(q, A, 0, NULL, 500, 10, "quota_bytes_per_minute of 1000 reached by E38000217");
    s_take(q, A, 400, 20);
    s_take(q, A, 400, 60020);
    s_refused(q, A, 0, NULL, 200, 60030, "quota_bytes_per_day of 1500 reached by E38000217");
    s_refused(q, A, 0, NULL, 200, 60030, "resets in 86340 s");
    /* The day ends: counted afresh. */
    s_take(q, A, 600, 86400005);
    quota_destroy(&q);
}

/* Bursts: the second's window, named; the next second starts afresh;
 * the longer window's refusal is the one named when both are over. */
static void test_bursts(void **state)
{
    (void)state;
    quota_limits_t l = {.envelopes_per_second = 2, .bytes_per_second = 1000,
                        .envelopes_per_minute = 3};
    quota_t *q = quota_new(&l);
    assert_non_null(q);
    s_take(q, A, 100, 0);
    s_take(q, A, 100, 10);
    s_refused(q, A, 0, NULL, 100, 20,
              "quota_envelopes_per_second of 2 reached by E38000217; resets in 1 s");
    s_take(q, A, 100, 1000);
    s_refused(q, A, 0, NULL, 100, 2000,
              "quota_envelopes_per_minute of 3 reached by E38000217; resets in 59 s");
    quota_destroy(&q);
    q = quota_new(&l);
    assert_non_null(q);
    s_refused(q, A, 0, NULL, 1001, 0, "quota_bytes_per_second of 1000 reached by E38000217");
    quota_destroy(&q);
}

/* Day envelope count; 0 means no limit. */
static void test_envelopes_per_day_and_unlimited(void **state)
{
    (void)state;
    quota_limits_t l = {.envelopes_per_day = 2};
    quota_t *q = quota_new(&l);
    assert_non_null(q);
    s_take(q, A, 1 << 20, 0);
    s_take(q, A, 1 << 20, 70000);
    s_refused(q, A, 0, NULL, 1, 140000, "quota_envelopes_per_day of 2 reached by E38000217");
    quota_destroy(&q);
    quota_limits_t none = {0};
    q = quota_new(&none);
    assert_non_null(q);
    for (int i = 0; i < 5000; i++) {
        s_take(q, A, 1 << 20, (uint64_t)i);
    }
    quota_destroy(&q);
    /* NULL: no limits at all. */
    assert_int_equal(quota_check(NULL, A, 1, "concord.v1.Board/Vote", 1 << 20, 0, NULL), 0);
    quota_charge(NULL, A, 1, 0);
}

/* Size by method: a vote needs a few hundred bytes, any other event at
 * most quota_event_bytes; requests and replies are not events. */
static void test_event_sizes(void **state)
{
    (void)state;
    quota_limits_t l = {.event_bytes = 65536, .vote_bytes = 4096};
    quota_t *q = quota_new(&l);
    assert_non_null(q);
    cc_err_t err;
    assert_int_equal(quota_check(q, A, 1, "concord.v1.Board/Vote", 4096, 0, &err), 0);
    s_refused(q, A, 1, "concord.v1.Board/Vote", 4097, 0,
              "event of 4097 bytes from E38000217 is over quota_vote_bytes = 4096");
    assert_int_equal(quota_check(q, A, 1, "concord.v1.Board/Propose", 65536, 0, &err), 0);
    s_refused(q, A, 1, "concord.v1.Board/Propose", 65537, 0,
              "event of 65537 bytes from E38000217 is over quota_event_bytes = 65536");
    assert_int_equal(quota_check(q, A, 0, "concord.v1.Board/Vote", 100000, 0, &err), 0);
    quota_destroy(&q);
}

/* Requests to the broker itself: direct_per_batch per member per batch,
 * counted afresh each batch; 0 means no limit. */
static void test_direct_per_batch(void **state)
{
    (void)state;
    quota_limits_t l = {.direct_per_batch = 2};
    quota_t *q = quota_new(&l);
    assert_non_null(q);
    cc_err_t err;
    assert_int_equal(quota_direct(q, A, &err), 0);
    assert_int_equal(quota_direct(q, A, &err), 0);
    assert_int_equal(quota_direct(q, A, &err), -1);
    assert_int_equal(err.code, CC_RESOURCE_EXHAUSTED);
    assert_non_null(strstr(err.msg, "direct_per_batch of 2 reached by E38000217"));
    assert_int_equal(quota_direct(q, B, &err), 0);
    quota_batch_begin(q);
    assert_int_equal(quota_direct(q, A, &err), 0);
    quota_destroy(&q);
    quota_limits_t none = {0};
    q = quota_new(&none);
    assert_non_null(q);
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(quota_direct(q, A, &err), 0);
    }
    quota_destroy(&q);
    quota_batch_begin(NULL);
}

/* Per-member overrides: a member's limits times N, 0 for none; a
 * malformed spec named. */
static void test_scale(void **state)
{
    (void)state;
    quota_limits_t l = {.envelopes_per_minute = 2, .vote_bytes = 100};
    quota_t *q = quota_new(&l);
    assert_non_null(q);
    cc_err_t err;
    assert_int_equal(quota_scale(q, " E38000217:3, E08000003:0 ", &err), 0);
    for (int i = 0; i < 6; i++) {
        s_take(q, A, 10, (uint64_t)i);
    }
    s_refused(q, A, 0, NULL, 10, 10, "quota_envelopes_per_minute of 6 reached by E38000217");
    for (int i = 0; i < 50; i++) {
        s_take(q, B, 10, (uint64_t)i);
    }
    assert_int_equal(quota_check(q, B, 1, "concord.v1.Board/Vote", 100000, 60, &err), 0);
    s_take(q, "X24", 10, 0);
    s_take(q, "X24", 10, 1);
    s_refused(q, "X24", 0, NULL, 10, 2, "quota_envelopes_per_minute of 2 reached by X24");
    assert_int_equal(quota_scale(q, "E38000217=3", &err), -1);
    assert_int_equal(err.code, CC_INVALID_ARGUMENT);
    assert_non_null(strstr(err.msg, "quota_scale: 'E38000217=3' is not CODE:N"));
    assert_int_equal(quota_scale(q, "X24:4x", &err), -1);
    assert_int_equal(quota_scale(q, "", &err), 0);
    quota_destroy(&q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_envelopes_per_minute),
        cmocka_unit_test(test_bytes),
        cmocka_unit_test(test_bursts),
        cmocka_unit_test(test_envelopes_per_day_and_unlimited),
        cmocka_unit_test(test_event_sizes),
        cmocka_unit_test(test_direct_per_batch),
        cmocka_unit_test(test_scale),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
