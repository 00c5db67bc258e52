/* SPDX-License-Identifier: Apache-2.0 */
/* Integration test for a broker whose clock goes wrong (docs/OPERATIONS.md
 * "Clock"): the test broker (evil_broker) reads its clock's error from a
 * file. While it runs, its clock jumps 30 days ahead: it issues no
 * receipt (senders hear UNAVAILABLE and retry), so no wild time enters
 * the log and no open proposal is closed by it; set right, the waiting
 * vote goes through and the proposal is still open. Restarted with a
 * clock 30 days ahead, or 2 days behind, of its last receipt, it refuses
 * to start, naming both times; clock_override = true starts it anyway.
 * Started two hours fast, its receipts make every node warn.
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
    char ini[256];
    snprintf(ini, sizeof ini, "%s/broker.ini", s_fed.dir);
    FILE *fp = fopen(ini, "a");
    assert_non_null(fp);
    fputs("clock_override = true\n", fp);
    fclose(fp);
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
     * the nodes say their clocks and the broker's disagree. */
    fed_stop_broker(&s_fed, SIGTERM);
    s_set_clock(2 * 3600000LL);
    fed_start_broker_as(&s_fed, "evil_broker");
    for (int i = 0; i < 3; i++) {
        fed_wait_connected(&s_fed, i);
    }
    /* (A request would be refused as past its deadline by the broker's
     * fast clock; an event carries none.) */
    free(s_ok(PLYMOUTH, "propose --board PLY-SYS --title 'Wheelchair service' --area community"
                        " --amount 1m --closes-in 7d"));
    assert_true(fed_wait_log(&s_fed, s_codes[NHSE], "s ahead of this node's clock", 10000));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_it_clock_jump_refused_then_recovered, s_setup,
                                        s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
