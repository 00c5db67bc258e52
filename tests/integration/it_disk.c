/* SPDX-License-Identifier: Apache-2.0 */
/* Disk trouble: a node whose ledger cannot be written (the disk full, as
 * RLIMIT_FSIZE makes it for the node's process; or the files read-only,
 * with `chattr +i`, which stops root too) refuses new work with an error
 * naming the ledger and the cause, keeps serving reads, acknowledges
 * nothing it has not stored, and once space returns stores what waited in
 * its mailbox and takes work again, its automatic votes on board
 * proposals included. Nothing stored before is lost, across a restart
 * too. The work: pool agreements put to a board of all three, whose nodes
 * vote automatically. Real broker and node processes. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"

static const char *const s_codes[] = {"E06000026", "E38000129", "X24"};
static const char *const s_names[] = {"Plymouth City Council",
                                      "NHS Northern, Eastern and Western Devon CCG", "NHS England"};
#define COUNCIL 0
#define CCG 1  /* its disk fills up */
#define NHSE 2 /* its ledger turns read-only */
#define FULL_AT (512 * 1024)

static fed_t s_fed;
static int s_immutable; /* chattr +i in force: undo before removing files */

static void s_chattr(const char *flag)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "chattr %s %s/data/X24.db %s/data/X24.db-wal 2>&1", flag, s_fed.dir,
             s_fed.dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "`%s` failed\n", cmd);
    }
}

static int s_setup(void **state)
{
    *state = &s_fed; /* for fed_teardown */
    fed_create_from(&s_fed, s_codes, s_names, 3);
    /* Info level: the node's log is a file too, under the same limit. */
    fed_node_config_replace(&s_fed, CCG, "log_level = debug\n", "log_level = info\n");
    fed_node_fsize(&s_fed, CCG, FULL_AT);
    fed_start_with_pool_board(&s_fed);
    return 0;
}

static int s_teardown(void **state)
{
    if (s_immutable) {
        s_chattr("-i");
    }
    return fed_teardown(state);
}

static int s_serving(int i)
{
    char *out = NULL;
    int rc = fed_cli(&s_fed, i, &out, "--json status");
    int serving = strstr(out, "\"serving\":true") != NULL;
    free(out);
    /* status's exit status says the same: 0 serving, 3 not (concord help status). */
    assert_int_equal(rc, serving ? 0 : 3);
    return serving;
}

/* Node i refuses new work (the command args) naming its ledger and the
 * operating system's reason; reads still answer. */
static void s_expect_refusal(int i, const char *args, const char *reason)
{
    char *out = NULL, ledger[256];
    snprintf(ledger, sizeof ledger, "ledger %s/data/%s.db", s_fed.dir, s_codes[i]);
    assert_int_equal(fed_cli(&s_fed, i, &out, "%s", args), 1);
    if (!strstr(out, "this node takes no new work until its ledger can be written again") ||
        !strstr(out, ledger) || !strstr(out, reason)) {
        fail_msg("expected a refusal naming %s and '%s', got: %s", ledger, reason, out);
    }
    free(out);
    assert_int_equal(fed_cli(&s_fed, i, &out, "--json status"), 3);
    assert_non_null(strstr(out, "\"serving\":false"));
    free(out);
}

/* The same pools, word for word, on node i as on the council. */
static void s_same_pools(int i)
{
    fed_assert_same(&s_fed, COUNCIL, i, "--json pool list");
}

static void test_it_disk_full_refuses_work_then_recovers(void **state)
{
    (void)state;
    char id[32], *out = NULL;
    int n = 0;
    /* Fill the CCG's disk with the council's proposals, each voted
     * through (the council's and NHS England's FOR are enough) before the
     * next. */
    while (s_serving(CCG)) {
        if (++n > 60) {
            fail_msg("the CCG's ledger never filled its %d bytes", FULL_AT);
        }
        snprintf(id, sizeof id, "FULL-%d", n);
        fed_pool_propose(&s_fed, COUNCIL, id, NULL);
        free(fed_cli_until(&s_fed, COUNCIL, id, 1, 30000, "pool list"));
        usleep(200 * 1000);
    }
    fprintf(stderr, "the CCG's ledger filled up at proposal %d\n", n);
    char path[256], args[300];
    fed_pool_agreement(&s_fed, "REFUSED", path, sizeof path);
    snprintf(args, sizeof args, "pool propose --file %s", path);
    s_expect_refusal(CCG, args, "File too large");
    /* Reads: what it stored before is all there. */
    assert_int_equal(fed_cli(&s_fed, CCG, &out, "pool list"), 0);
    assert_non_null(strstr(out, "FULL-1 "));
    free(out);
    /* More work arrives for it while it cannot store. */
    fed_pool_propose(&s_fed, COUNCIL, "WHILE-FULL", NULL);
    usleep(1000 * 1000);
    assert_false(s_serving(CCG));
    /* Space returns: it stores what waited and takes work again. */
    fed_node_fsize(&s_fed, CCG, 0);
    free(fed_cli_until(&s_fed, CCG, "\"serving\":true", 1, 30000, "--json status"));
    free(fed_cli_until(&s_fed, CCG, "WHILE-FULL", 1, 30000, "pool list"));
    s_same_pools(CCG);
    /* And keeps it all across a restart. */
    assert_int_equal(fed_stop_node(&s_fed, CCG, SIGTERM), 0);
    fed_start_node(&s_fed, CCG);
    fed_wait_settled(&s_fed, CCG);
    s_same_pools(CCG);
    assert_int_equal(fed_cli(&s_fed, CCG, &out, "log verify"), 0);
    free(out);
    assert_true(fed_log_contains(&s_fed, s_codes[CCG], "cannot be written: refusing new work"));
    assert_true(fed_log_contains(&s_fed, s_codes[CCG], "can be written again"));
}

static void test_it_disk_read_only_refuses_work_then_recovers(void **state)
{
    (void)state;
    char cmd[512], *out = NULL;
    fed_pool_propose(&s_fed, COUNCIL, "BEFORE-RO", NULL);
    free(fed_cli_until(&s_fed, NHSE, "BEFORE-RO", 1, 30000, "pool list"));
    snprintf(cmd, sizeof cmd, "chattr +i %s/data/X24.db %s/data/X24.db-wal 2>&1", s_fed.dir,
             s_fed.dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "read-only ledger test skipped: `chattr +i` is not possible here "
                        "(filesystem or capability)\n");
        s_chattr("-i");
        skip();
    }
    s_immutable = 1;
    /* The CCG leaves this one to people: the board needs NHS England's
     * automatic vote, which it can cast only once it can store it. */
    assert_int_equal(fed_cli(&s_fed, CCG, &out, "auto-vote off"), 0);
    free(out);
    fed_pool_propose(&s_fed, COUNCIL, "WHILE-RO", NULL);
    free(fed_cli_until(&s_fed, NHSE, "\"serving\":false", 1, 30000, "--json status"));
    s_expect_refusal(NHSE, "ping E06000026", "Operation not permitted");
    assert_int_equal(fed_cli(&s_fed, NHSE, &out, "pool list"), 0);
    assert_non_null(strstr(out, "BEFORE-RO"));
    assert_null(strstr(out, "WHILE-RO"));
    free(out);
    assert_int_equal(fed_cli(&s_fed, COUNCIL, &out, "pool list"), 0);
    assert_null(strstr(out, "WHILE-RO"));
    free(out);
    s_chattr("-i");
    s_immutable = 0;
    free(fed_cli_until(&s_fed, NHSE, "\"serving\":true", 1, 30000, "--json status"));
    free(fed_cli_until(&s_fed, NHSE, "WHILE-RO", 1, 30000, "pool list"));
    free(fed_cli_until(&s_fed, COUNCIL, "WHILE-RO", 1, 30000, "pool list"));
    s_same_pools(NHSE);
    assert_int_equal(fed_cli(&s_fed, CCG, &out, "auto-vote on"), 0);
    free(out);
}

/* The broker's disk reserve: with less free space than disk_reserve_mb
 * (here a reserve larger than the disk), new envelopes are refused with
 * RESOURCE_EXHAUSTED naming it, before the disk fills; reads of the log
 * are still answered; with the reserve met again, work resumes. */
static void test_it_disk_broker_reserve_refuses_then_recovers(void **state)
{
    (void)state;
    char ini[256], *out = NULL;
    snprintf(ini, sizeof ini, "%s/broker.ini", s_fed.dir);
    char *was = fed_slurp(ini);
    assert_non_null(was);
    fed_stop_broker(&s_fed, SIGTERM);
    FILE *fp = fopen(ini, "a");
    assert_non_null(fp);
    fputs("disk_reserve_mb = 16000000\n", fp);
    fclose(fp);
    fed_start_broker(&s_fed);
    for (int i = 0; i < 3; i++) {
        fed_wait_connected(&s_fed, i);
    }
    assert_int_equal(fed_cli(&s_fed, COUNCIL, &out, "ping X24"), 1);
    if (!strstr(out, "RESOURCE_EXHAUSTED") ||
        !strstr(out, "under its reserve (disk_reserve_mb = 16000000)")) {
        fail_msg("expected the broker's disk reserve refusal, got: %s", out);
    }
    print_message("refused: %s", out);
    free(out);
    /* Reads are served: the whole log verifies. */
    assert_int_equal(fed_cli(&s_fed, COUNCIL, &out, "log verify"), 0);
    free(out);
    /* Space back (the reserve as it was): work resumes. */
    fed_stop_broker(&s_fed, SIGTERM);
    fp = fopen(ini, "w");
    assert_non_null(fp);
    fputs(was, fp);
    fclose(fp);
    free(was);
    fed_start_broker(&s_fed);
    for (int i = 0; i < 3; i++) {
        fed_wait_connected(&s_fed, i);
    }
    assert_int_equal(fed_cli(&s_fed, COUNCIL, &out, "ping X24"), 0);
    free(out);
}

/* A node under its own disk reserve refuses its own new requests and
 * events with a named error before storing anything, while it still
 * stores what others send it, answers them and serves reads; with the
 * reserve met again, work resumes. */
static void test_it_disk_node_reserve_refuses_then_recovers(void **state)
{
    (void)state;
    char ini[256], *out = NULL;
    snprintf(ini, sizeof ini, "%s/%s.ini", s_fed.dir, s_fed.codes[COUNCIL]);
    char *was = fed_slurp(ini);
    assert_non_null(was);
    assert_int_equal(fed_stop_node(&s_fed, COUNCIL, SIGTERM), 0);
    fed_node_config_append(&s_fed, COUNCIL, "disk_reserve_mb = 16000000\n");
    fed_start_node(&s_fed, COUNCIL);
    fed_wait_connected(&s_fed, COUNCIL);
    assert_int_equal(fed_cli(&s_fed, COUNCIL, &out, "ping X24"), 1);
    if (!strstr(out, "RESOURCE_EXHAUSTED") ||
        !strstr(out, "the node's disk has") ||
        !strstr(out, "under its reserve (disk_reserve_mb = 16000000): new ") ||
        !strstr(out, "requests and events of this node are refused until space returns")) {
        fail_msg("expected the node's disk reserve refusal, got: %s", out);
    }
    print_message("refused: %s", out);
    free(out);
    /* Others are still answered (their requests stored, the replies sent)
     * and reads are served. */
    assert_int_equal(fed_cli(&s_fed, 2, &out, "ping %s", s_fed.codes[COUNCIL]), 0);
    free(out);
    assert_int_equal(fed_cli(&s_fed, COUNCIL, &out, "log verify"), 0);
    free(out);
    assert_int_equal(fed_cli(&s_fed, COUNCIL, &out, "status"), 0);
    free(out);
    /* The reserve met again: work resumes. */
    assert_int_equal(fed_stop_node(&s_fed, COUNCIL, SIGTERM), 0);
    FILE *fp = fopen(ini, "w");
    assert_non_null(fp);
    fputs(was, fp);
    fclose(fp);
    free(was);
    fed_start_node(&s_fed, COUNCIL);
    fed_wait_connected(&s_fed, COUNCIL);
    assert_int_equal(fed_cli(&s_fed, COUNCIL, &out, "ping X24"), 0);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_it_disk_full_refuses_work_then_recovers),
        cmocka_unit_test(test_it_disk_read_only_refuses_work_then_recovers),
        cmocka_unit_test(test_it_disk_broker_reserve_refuses_then_recovers),
        cmocka_unit_test(test_it_disk_node_reserve_refuses_then_recovers),
    };
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
