/* SPDX-License-Identifier: Apache-2.0 */
/* Integration test for a broker that lost the tail of its log (docs/FAULTS.md,
 * "A lost log tail"): three members' board business is logged, the broker
 * is killed with SIGKILL and its WAL deleted, so its database ends entries
 * before the receipts the members hold. `concord-broker --recover` rebuilds
 * the lost entries from the members' ledgers (read while their nodes run;
 * one ledger alone, lacking a ping between two others, is not enough),
 * after which every member's `log verify` passes and a new proposal is
 * proposed, voted on and seen by all. Real broker and node processes. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"

static fed_t s_fed;

static int s_setup(void **state)
{
    (void)state;
    fed_create(&s_fed, 3);
    return 0;
}

static char *s_ok(int i, const char *args)
{
    char *out = NULL;
    int rc = fed_cli(&s_fed, i, &out, "%s", args);
    if (rc != 0) {
        fail_msg("`concord %s` on %s exited %d: %s", args, s_fed.codes[i], rc, out);
    }
    return out;
}

static void s_propose(int i, const char *title, char id[33])
{
    char args[256];
    snprintf(args, sizeof args,
             "--json propose --board JCB --title '%s' --area community --amount 1m", title);
    char *out = s_ok(i, args);
    fed_json_id(out, id);
    free(out);
}

/* The recovery run: concord-broker --recover with the ledgers of the
 * first n members. Returns its exit status. */
static int s_recover(int n_ledgers)
{
    char cmd[2048];
    int n = snprintf(cmd, sizeof cmd, "cd %s && %s/concord-broker --config broker.ini",
                     s_fed.dir, CONCORD_BIN_DIR);
    for (int i = 0; i < n_ledgers; i++) {
        n += snprintf(cmd + n, sizeof cmd - (size_t)n, " --recover data/%s.db", s_fed.codes[i]);
    }
    snprintf(cmd + n, sizeof cmd - (size_t)n, " >>%s/logs/broker.log 2>&1", s_fed.dir);
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void test_it_recover_lost_wal_rebuilt_from_ledgers(void **state)
{
    (void)state;
    fed_start_all(&s_fed);
    int members[3] = {0, 1, 2};
    fed_board_create(&s_fed, "JCB", "majority", members, 3, 0);
    char first[33], second[33], third[33], args[128];
    s_propose(0, "Carers breaks", first);
    free(fed_cli_until(&s_fed, 2, first, 1, 30000, "--json proposal list"));
    /* A clean stop checkpoints the database: this much is in broker.db. */
    assert_int_equal(fed_stop_broker(&s_fed, SIGTERM), 0);
    fed_start_broker(&s_fed);
    for (int i = 0; i < 3; i++) {
        fed_wait_connected(&s_fed, i);
    }
    /* This is only in the WAL: a ping between two members (a request and
     * a reply only they hold), then board business every member holds. */
    snprintf(args, sizeof args, "ping %s", s_fed.codes[2]);
    free(s_ok(1, args));
    snprintf(args, sizeof args, "vote %s for", first);
    free(s_ok(1, args));
    s_propose(2, "Respite beds", second);
    snprintf(args, sizeof args, "vote %s against", second);
    free(fed_cli_until(&s_fed, 0, second, 1, 30000, "--json proposal list"));
    free(s_ok(0, args));
    snprintf(args, sizeof args, "--json proposal show %s", second);
    free(fed_cli_until(&s_fed, 1, "\"votes_against\":1", 1, 30000, args));

    /* kill -9 and the WAL lost: the broker's log ends before what the
     * members hold receipts for. */
    fed_stop_broker(&s_fed, SIGKILL);
    char path[512];
    snprintf(path, sizeof path, "%s/data/broker.db-wal", s_fed.dir);
    assert_int_equal(unlink(path), 0);
    snprintf(path, sizeof path, "%s/data/broker.db-shm", s_fed.dir);
    unlink(path);

    /* The first member's ledger alone lacks the ping: refused, naming the
     * index, and nothing changed. */
    assert_int_not_equal(s_recover(1), 0);
    assert_true(fed_log_contains(&s_fed, "broker", "is in none of the ledgers given"));
    assert_false(fed_log_contains(&s_fed, "broker", "recover: rebuilt log entries"));
    assert_int_equal(s_recover(3), 0);
    assert_true(fed_log_contains(&s_fed, "broker", "recover: rebuilt log entries"));
    /* Run again, it finds nothing more to do. */
    assert_int_equal(s_recover(3), 0);
    assert_true(fed_log_contains(&s_fed, "broker", "nothing to rebuild"));

    fed_start_broker(&s_fed);
    for (int i = 0; i < 3; i++) {
        fed_wait_connected(&s_fed, i);
    }
    for (int i = 0; i < 3; i++) {
        free(s_ok(i, "log verify"));
    }
    /* The federation continues: a new proposal, two votes, seen by all. */
    s_propose(1, "Day services", third);
    free(fed_cli_until(&s_fed, 0, third, 1, 30000, "--json proposal list"));
    free(fed_cli_until(&s_fed, 2, third, 1, 30000, "--json proposal list"));
    snprintf(args, sizeof args, "vote %s for", third);
    free(s_ok(0, args));
    free(s_ok(2, args));
    snprintf(args, sizeof args, "--json proposal show %s", third);
    for (int i = 0; i < 3; i++) {
        free(fed_cli_until(&s_fed, i, "\"votes_for\":2", 1, 30000, args));
    }
    for (int i = 0; i < 3; i++) {
        free(s_ok(i, "log verify"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_prestate_setup_teardown(test_it_recover_lost_wal_rebuilt_from_ledgers,
                                                 s_setup, fed_teardown, &s_fed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
