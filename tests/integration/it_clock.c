/* SPDX-License-Identifier: Apache-2.0 */
/* Integration test for a broker whose clock goes wrong (docs/OPERATIONS.md
 * "Clock"): the test broker (evil_broker) reads its clock's error from a
 * file. While it runs, its clock jumps 30 days ahead: it issues no
 * receipt (senders hear UNAVAILABLE and retry), so no wild time enters
 * the log and no open proposal is closed by it; set right, the waiting
 * vote goes through and the proposal is still open. Restarted with a
 * clock 30 days ahead, or 2 days behind, of its last receipt, it refuses
 * to start, naming both times; clock_override = true starts it anyway.
 * Started two hours fast, its receipts are held by every node.
 * Started 45 s fast with members allowing 5 s of skew (max_clock_skew_ms),
 * its receipts are held by every member: a proposal whose deadline the
 * wild time passes stays open, status says why, new work is refused; set
 * right, the members take the held entries once their clocks reach them.
 * A real broker and real nodes: Plymouth City Council, its CCG and NHS
 * England on a majority board. */
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

#define PLYMOUTH 0
#define DEVON 1
#define NHSE 2

#define DAY_MS 86400000LL

static const char *const s_codes[] = {"E06000026", "E38000129", "X24"};
static const char *const s_names[] = {"Plymouth City Council",
                                      "NHS Northern, Eastern and Western Devon CCG",
                                      "NHS England"};
static fed_t s_fed;
static char s_clock[256];

static void s_set_clock(long long offset_ms)
{
    FILE *fp = fopen(s_clock, "w");
    assert_non_null(fp);
    fprintf(fp, "%lld\n", offset_ms);
    fclose(fp);
}

static int s_setup(void **state)
{
    (void)state;
    fed_create_from(&s_fed, s_codes, s_names, 3);
    snprintf(s_clock, sizeof s_clock, "%s/clock.offset", s_fed.dir);
    s_set_clock(0);
    setenv("CONCORD_EVIL_CLOCK_FILE", s_clock, 1);
    return 0;
}

static int s_teardown(void **state)
{
    (void)state;
    fed_destroy(&s_fed);
    unsetenv("CONCORD_EVIL_CLOCK_FILE");
    return 0;
}

static char *s_ok(int i, const char *args)
{
    char *out = NULL;
    int rc = fed_cli(&s_fed, i, &out, "%s", args);
    if (rc != 0) {
        fail_msg("`concord %s` exited %d: %s", args, rc, out);
    }
    return out;
}

/* Starts the test broker and expects it to refuse, saying words. */
static void s_start_refused(const char *words)
{
    fed_start_broker_as(&s_fed, "evil_broker");
    assert_int_equal(fed_stop_broker(&s_fed, 0), 1); /* exits by itself, status 1 */
    if (!fed_log_contains(&s_fed, "broker", words)) {
        fail_msg("the broker's log does not say '%s'", words);
    }
    print_message("concord-broker refused to start: ...%s...\n", words);
}

static void test_it_clock_jump_refused_then_recovered(void **state)
{
    (void)state;
    fed_start_broker_as(&s_fed, "evil_broker");
    for (int i = 0; i < 3; i++) {
        fed_start_node(&s_fed, i);
    }
    for (int i = 0; i < 3; i++) {
        fed_wait_connected(&s_fed, i);
    }
    int members[3] = {PLYMOUTH, DEVON, NHSE};
    fed_board_create(&s_fed, "PLY-SYS", "majority", members, 3, 0);
    char *out = s_ok(PLYMOUTH, "--json propose --board PLY-SYS --title 'Community equipment"
                               " service' --area community --amount 2m --closes-in 7d");
    char pid[33], show[64];
    fed_json_id(out, pid);
    free(out);
    snprintf(show, sizeof show, "--json proposal show %s", pid);
    free(fed_cli_until(&s_fed, DEVON, pid, 1, 30000, "--json proposal list"));
    free(fed_cli_until(&s_fed, NHSE, pid, 1, 30000, "--json proposal list"));

    /* The broker's clock jumps 30 days ahead; the CCG votes meanwhile. */
    s_set_clock(30 * DAY_MS);
    char vote_out[256];
    snprintf(vote_out, sizeof vote_out, "%s/vote.out", s_fed.dir);
    char args[128];
    snprintf(args, sizeof args, "vote %s for", pid);
    pid_t vote = fed_cli_bg(&s_fed, DEVON, vote_out, args);
    assert_true(fed_wait_log(&s_fed, "broker", "the broker's clock jumped 2592000 s ahead", 20000));
    /* Nothing with the wild time was logged: the proposal is open
     * everywhere, its deadline not passed. */
    for (int i = 0; i < 3; i++) {
        out = s_ok(i, show);
        assert_non_null(strstr(out, "\"outcome\":\"OPEN\""));
        free(out);
    }
    /* Set right: the vote goes through, and the proposal stays open. */
    s_set_clock(0);
    int rc = fed_cli_wait(vote);
    char *said = fed_slurp(vote_out);
    if (rc != 0) {
        fail_msg("the vote ended %d: %s", rc, said ? said : "");
    }
    free(said);
    free(fed_cli_until(&s_fed, NHSE, "\"votes_for\":1", 1, 30000, show));
    for (int i = 0; i < 3; i++) {
        out = s_ok(i, show);
        assert_non_null(strstr(out, "\"outcome\":\"OPEN\""));
        free(out);
    }
    /* The log verifies end to end. */
    free(s_ok(PLYMOUTH, "log verify"));

    /* Restarts with a wrong clock are refused, naming it. */
    fed_stop_broker(&s_fed, SIGTERM);
    s_set_clock(30 * DAY_MS);
    s_start_refused("ahead of the log's last receipt");
    s_set_clock(-2 * DAY_MS);
    s_start_refused("behind the log's last receipt");
    /* The explicit override starts it (receipts keep the last time until
     * the clock passes it: receipt times never go backwards). */
    fed_broker_config_append(&s_fed, "clock_override = true\n");
    fed_start_broker_as(&s_fed, "evil_broker");
    assert_true(fed_wait_log(&s_fed, "broker", "starting anyway (clock_override = true)", 20000));
    for (int i = 0; i < 3; i++) {
        fed_wait_connected(&s_fed, i);
    }
    free(s_ok(PLYMOUTH, "ping X24"));
    /* The clock set right, the broker restarts without the override. */
    fed_stop_broker(&s_fed, SIGTERM);
    s_set_clock(0);
    fed_start_broker_as(&s_fed, "evil_broker");
    for (int i = 0; i < 3; i++) {
        fed_wait_connected(&s_fed, i);
    }
    free(s_ok(PLYMOUTH, "ping X24"));
    out = s_ok(PLYMOUTH, show);
    assert_non_null(strstr(out, "\"outcome\":\"OPEN\""));
    free(out);
    free(s_ok(NHSE, "log verify"));

    /* A broker two hours fast (within clock_ahead_max_ms, so it starts):
     * the nodes hold its receipts, over the default max_clock_skew_ms. */
    fed_stop_broker(&s_fed, SIGTERM);
    s_set_clock(2 * 3600000LL);
    fed_start_broker_as(&s_fed, "evil_broker");
    for (int i = 0; i < 3; i++) {
        fed_wait_connected(&s_fed, i);
    }
    /* (A request would be refused as past its deadline by the broker's
     * fast clock; an event carries none. It is logged, and held.) */
    out = NULL;
    assert_int_not_equal(fed_cli(&s_fed, PLYMOUTH, &out, "propose --board PLY-SYS --title "
                                                         "'Wheelchair service' --area community"
                                                         " --amount 1m --closes-in 7d"),
                         0);
    free(out);
    assert_true(fed_wait_log(&s_fed, s_codes[NHSE],
                             "s ahead of this node's clock, over max_clock_skew_ms = 300000: held",
                             10000));
}

/* PROTOCOL.md 13.1: a receipt time further ahead of a member's clock than
 * max_clock_skew_ms is held, so one fast broker cannot close proposals. */
static void test_it_clock_fast_receipts_held(void **state)
{
    (void)state;
    for (int i = 0; i < 3; i++) {
        fed_node_config_append(&s_fed, i, "max_clock_skew_ms = 5000\n");
    }
    fed_start_broker_as(&s_fed, "evil_broker");
    for (int i = 0; i < 3; i++) {
        fed_start_node(&s_fed, i);
    }
    for (int i = 0; i < 3; i++) {
        fed_wait_connected(&s_fed, i);
    }
    int members[3] = {PLYMOUTH, DEVON, NHSE};
    fed_board_create(&s_fed, "PLY-SYS", "majority", members, 3, 0);
    char soon[33], later[33], show_soon[64], show_later[64], args[128];
    char *out = s_ok(PLYMOUTH, "--json propose --board PLY-SYS --title 'Falls prevention'"
                               " --area community --amount 1m --closes-in 20s");
    fed_json_id(out, soon);
    free(out);
    out = s_ok(PLYMOUTH, "--json propose --board PLY-SYS --title 'Hospital discharge'"
                         " --area community --amount 3m --closes-in 10m");
    fed_json_id(out, later);
    free(out);
    snprintf(show_soon, sizeof show_soon, "--json proposal show %s", soon);
    snprintf(show_later, sizeof show_later, "--json proposal show %s", later);
    free(fed_cli_until(&s_fed, NHSE, later, 1, 30000, "--json proposal list"));

    /* The broker comes back 45 s fast; the CCG votes on the later
     * proposal: the vote's receipt time is past the first deadline. */
    fed_stop_broker(&s_fed, SIGTERM);
    s_set_clock(45000);
    fed_start_broker_as(&s_fed, "evil_broker");
    for (int i = 0; i < 3; i++) {
        fed_wait_connected(&s_fed, i);
    }
    char vote_out[256];
    snprintf(vote_out, sizeof vote_out, "%s/vote.out", s_fed.dir);
    snprintf(args, sizeof args, "vote %s for", later);
    pid_t vote = fed_cli_bg(&s_fed, DEVON, vote_out, args);
    for (int i = 0; i < 3; i++) {
        assert_true(fed_wait_log(&s_fed, s_codes[i], "ahead of this node's clock, over "
                                                     "max_clock_skew_ms = 5000: held", 20000));
    }
    /* Held everywhere: nothing folded, the first proposal still open (the
     * vote's time is past its deadline), and status says why (exit 3). */
    for (int i = 0; i < 3; i++) {
        out = s_ok(i, show_soon);
        assert_non_null(strstr(out, "\"outcome\":\"OPEN\""));
        free(out);
        out = s_ok(i, show_later);
        assert_non_null(strstr(out, "\"votes_for\":0"));
        free(out);
    }
    out = NULL;
    assert_int_equal(fed_cli(&s_fed, NHSE, &out, "status"), 3);
    if (!strstr(out, "holding        the broker's receipt for log index") ||
        !strstr(out, "s ahead of this node's clock")) {
        fail_msg("status does not say why deliveries are held: %s", out);
    }
    free(out);
    out = NULL;
    assert_int_not_equal(fed_cli(&s_fed, NHSE, &out, "ping E06000026"), 0);
    assert_non_null(strstr(out, "while the broker's log time is ahead of its clock"));
    free(out);
    fed_cli_wait(vote); /* it waited for a fold that is held */

    /* Recovery: the broker's clock is set right and it is restarted (45 s
     * behind its last receipt is within a minute, so it starts; receipt
     * times stay at the last one until its clock passes it). The members
     * take the held entries once their clocks are within 5 s of them. */
    fed_stop_broker(&s_fed, SIGTERM);
    s_set_clock(0);
    fed_start_broker_as(&s_fed, "evil_broker");
    free(fed_cli_until(&s_fed, NHSE, "\"votes_for\":1", 1, 90000, show_later));
    for (int i = 0; i < 3; i++) {
        fed_wait_connected(&s_fed, i);
        out = s_ok(i, show_later);
        assert_non_null(strstr(out, "\"outcome\":\"OPEN\""));
        assert_non_null(strstr(out, "\"votes_for\":1"));
        free(out);
    }
    assert_true(fed_wait_log(&s_fed, s_codes[NHSE], "receipt times are within this node's clock "
                                                    "again", 20000));
    free(s_ok(NHSE, "status"));
    free(s_ok(PLYMOUTH, "ping X24"));
    free(s_ok(DEVON, "log verify"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_it_clock_fast_receipts_held, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_it_clock_jump_refused_then_recovered, s_setup,
                                        s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
