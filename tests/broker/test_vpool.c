/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the broker's verifier threads (vpool): every job of a run
 * done exactly once and visible to the caller when vpool_wait returns for
 * it, runs one after another reusing the pool, any number of threads
 * (none: the caller alone), and a pool destroyed with a run unfinished.
 * Timing is never asserted; ThreadSanitizer (scripts/tsan.sh) checks the
 * synchronisation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vpool.h"

typedef struct {
    uint64_t in;
    uint64_t out;
    int runs; /* how many times the job ran */
} s_job_t;

/* Enough work per job that the threads overlap. */
static void s_work(void *arg)
{
    s_job_t *j = arg;
    uint64_t x = j->in;
    for (int i = 0; i < 2000; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    }
    j->out = x;
    j->runs++;
}

static uint64_t s_expected(uint64_t in)
{
    s_job_t j = {.in = in};
    s_work(&j);
    return j.out;
}

static void s_runs(unsigned threads)
{
    enum { N = 500 };
    cc_err_t err;
    vpool_t *p = vpool_new(threads, s_work, &err);
    if (!p) {
        fail_msg("vpool_new: %s", err.msg);
    }
    assert_int_equal(vpool_threads(p), threads);
    s_job_t *jobs = calloc(N, sizeof *jobs);
    assert_non_null(jobs);
    for (int run = 0; run < 3; run++) {
        size_t n = run == 1 ? 7 : N; /* a short run between two long ones */
        for (size_t i = 0; i < n; i++) {
            jobs[i] = (s_job_t){.in = i + 1000 * (size_t)run};
        }
        assert_int_equal(vpool_start(p, jobs, sizeof *jobs, n), 0);
        /* Consumed in order: each result there as soon as its wait returns. */
        for (size_t i = 0; i < n; i++) {
            vpool_wait(p, i);
            assert_int_equal(jobs[i].runs, 1);
            assert_true(jobs[i].out == s_expected(jobs[i].in));
        }
        vpool_finish(p);
        for (size_t i = 0; i < n; i++) {
            assert_int_equal(jobs[i].runs, 1);
        }
    }
    /* An empty run. */
    assert_int_equal(vpool_start(p, jobs, sizeof *jobs, 0), 0);
    vpool_wait(p, 0);
    vpool_finish(p);
    /* Destroyed with a run started and not waited for: every job still
     * runs once, and the threads end. */
    for (size_t i = 0; i < N; i++) {
        jobs[i] = (s_job_t){.in = i};
    }
    assert_int_equal(vpool_start(p, jobs, sizeof *jobs, N), 0);
    vpool_destroy(&p);
    assert_null(p);
    for (size_t i = 0; i < N; i++) {
        assert_int_equal(jobs[i].runs, 1);
    }
    free(jobs);
}

static void test_no_threads(void **state)
{
    (void)state;
    s_runs(0);
}

static void test_one_thread(void **state)
{
    (void)state;
    s_runs(1);
}

static void test_many_threads(void **state)
{
    (void)state;
    s_runs(8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_threads),
        cmocka_unit_test(test_one_thread),
        cmocka_unit_test(test_many_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
