/* SPDX-License-Identifier: Apache-2.0 */
/* Partition tests: a node cut off from the broker (its TCP relay stopped,
 * so connections hang as in a real partition) for longer than a call's
 * deadline gets DEADLINE_EXCEEDED, and catches up from its mailbox when
 * the network heals: what others published meanwhile reaches it, and what
 * it published meanwhile reaches them. The same when the node itself, or
 * the broker, is frozen with SIGSTOP. What is published: pool agreements
 * put to a board of all three, whose nodes vote automatically, so that
 * two of them pass one while the third is away. Real broker and node
 * processes. */
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
#define COUNCIL 0 /* behind a relay that the tests cut */
#define CCG 1
#define NHSE 2

static fed_t s_fed;

static int s_setup(void **state)
{
    *state = &s_fed; /* for fed_teardown */
    fed_create_from(&s_fed, s_codes, s_names, 3);
    fed_proxy_node(&s_fed, COUNCIL);
    for (int i = 0; i < 3; i++) {
        fed_node_config_append(&s_fed, i, "call_timeout_ms = 3000\n");
    }
    fed_start_with_pool_board(&s_fed);
    return 0;
}

/* Runs a CLI command on node i that must fail with DEADLINE_EXCEEDED. */
static void s_expect_deadline(int i, const char *args)
{
    char *out = NULL;
    int rc = fed_cli(&s_fed, i, &out, "%s", args);
    if (rc != 1 || !strstr(out, "DEADLINE_EXCEEDED")) {
        fail_msg("`concord %s` on %s: expected DEADLINE_EXCEEDED, got %d: %s", args, s_codes[i], rc,
                 out);
    }
    free(out);
}

static void test_it_partition_cut_off_node_times_out_then_catches_up(void **state)
{
    (void)state;
    char path[256], *out = NULL;
    fed_proxy_cut(&s_fed, COUNCIL);
    /* Calls from the cut-off node end at their deadline. */
    s_expect_deadline(COUNCIL, "ping E38000129 --timeout 1500");
    /* What it publishes is stored, and goes out when the network heals. */
    fed_pool_agreement(&s_fed, "FROM-COUNCIL", path, sizeof path);
    char args[300];
    snprintf(args, sizeof args, "pool propose --file %s", path);
    s_expect_deadline(COUNCIL, args);
    /* The others carry on; the CCG proposes another fund meanwhile. */
    fed_pool_agreement(&s_fed, "FROM-CCG", path, sizeof path);
    assert_int_equal(fed_cli(&s_fed, CCG, &out, "pool propose --file %s", path), 0);
    free(out);
    free(fed_cli_until(&s_fed, NHSE, "FROM-CCG", 1, 30000, "pool list"));
    /* Longer than the ZeroMQ heartbeat timeout: the link is declared dead. */
    usleep(6000 * 1000);
    assert_int_equal(fed_cli(&s_fed, COUNCIL, &out, "pool list"), 0);
    assert_null(strstr(out, "FROM-CCG"));
    free(out);
    fed_proxy_mend(&s_fed, COUNCIL);
    /* Caught up both ways. */
    free(fed_cli_until(&s_fed, COUNCIL, "FROM-CCG", 1, 30000, "pool list"));
    free(fed_cli_until(&s_fed, CCG, "FROM-COUNCIL", 1, 30000, "pool list"));
    free(fed_cli_until(&s_fed, NHSE, "FROM-COUNCIL", 1, 30000, "pool list"));
    fed_wait_settled(&s_fed, COUNCIL);
    assert_int_equal(fed_cli(&s_fed, COUNCIL, &out, "ping E38000129 --timeout 5000"), 0);
    free(out);
    assert_int_equal(fed_cli(&s_fed, COUNCIL, &out, "log verify"), 0);
    free(out);
}

static void test_it_partition_frozen_node_catches_up_from_mailbox(void **state)
{
    (void)state;
    char path[256], *out = NULL;
    assert_int_equal(kill(s_fed.node_pid[CCG], SIGSTOP), 0);
    /* A call to the frozen node ends at its deadline... */
    s_expect_deadline(NHSE, "ping E38000129 --timeout 1500");
    /* ...while an event for everyone waits in its mailbox. */
    fed_pool_agreement(&s_fed, "WHILE-FROZEN", path, sizeof path);
    assert_int_equal(fed_cli(&s_fed, COUNCIL, &out, "pool propose --file %s", path), 0);
    free(out);
    usleep(2000 * 1000);
    assert_int_equal(kill(s_fed.node_pid[CCG], SIGCONT), 0);
    free(fed_cli_until(&s_fed, CCG, "WHILE-FROZEN", 1, 30000, "pool list"));
    /* The stale ping was answered with its deadline, not served late. */
    free(fed_cli_until(&s_fed, CCG, "\"unreceipted\":0", 1, 30000, "--json status"));
    assert_int_equal(fed_cli(&s_fed, NHSE, &out, "ping E38000129 --timeout 5000"), 0);
    free(out);
}

static void test_it_partition_frozen_broker(void **state)
{
    (void)state;
    char *out = NULL;
    assert_int_equal(kill(s_fed.broker_pid, SIGSTOP), 0);
    s_expect_deadline(NHSE, "ping E38000129 --timeout 1500");
    assert_int_equal(kill(s_fed.broker_pid, SIGCONT), 0);
    out = fed_cli_until(&s_fed, NHSE, "reply from E38000129", 1, 30000,
                        "ping E38000129 --timeout 2000");
    free(out);
    assert_int_equal(fed_cli(&s_fed, CCG, &out, "log verify"), 0);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_it_partition_cut_off_node_times_out_then_catches_up),
        cmocka_unit_test(test_it_partition_frozen_node_catches_up_from_mailbox),
        cmocka_unit_test(test_it_partition_frozen_broker),
    };
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, s_setup, fed_teardown);
}
