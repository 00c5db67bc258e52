/* SPDX-License-Identifier: Apache-2.0 */
/* Integration test for board audiences (PROTOCOL.md "Audiences"), with
 * real processes: Manchester's joint commissioning board (Central
 * Manchester CCG and Manchester City Council) decides a commissioning
 * item while NHS Halton CCG, in the federation but not on the board, is
 * offline. The broker's mailboxes hold none of the board's business for
 * Halton, and once Halton's node is up its ledger holds none of it
 * either (its log verify still checks the whole chain, by hash); its
 * node does not know the decision. Then the board admits Halton: the
 * broker sends it the board's history, its node folds it (the earlier
 * decision, a certificate it exports verifies), and it votes on the
 * next proposal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "harness.h"

static const char *const s_codes[] = {"E38000217", "E08000003", "E38000068"};
static const char *const s_names[] = {"NHS Central Manchester CCG", "Manchester City Council",
                                      "NHS Halton CCG"};
#define N_ORGS 3
#define CCG 0
#define CITY 1
#define HALTON 2 /* not on the board until admitted */
#define BOARD "MCR-JCB"
#define SECRET "Reconfiguration of acute stroke services"

static char *s_ok(fed_t *f, int i, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static char *s_ok(fed_t *f, int i, const char *fmt, ...)
{
    char args[2048];
    char *out = NULL;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    int rc = fed_cli(f, i, &out, "%s", args);
    if (rc != 0) {
        fail_msg("`concord %s` on %s failed (%d): %s", args, i < 0 ? "no node" : s_codes[i], rc,
                 out);
    }
    return out;
}

/* The one integer a query on the SQLite file at path answers. */
static long long s_query(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    }
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static void s_propose(fed_t *f, int i, const char *args, char id[33])
{
    char *out = s_ok(f, i, "--json propose --board " BOARD " %s", args);
    fed_json_id(out, id);
    free(out);
}

static void test_it_audience_board_business_reaches_members_only(void **state)
{
    fed_t *f = *state;
    char path[256], sql[512], pid[33], admit[33], next[33];
    fed_create_from(f, s_codes, s_names, N_ORGS);
    fed_start_broker(f);
    fed_start_node(f, CCG);
    fed_start_node(f, CITY);
    fed_wait_connected(f, CCG);
    fed_wait_connected(f, CITY);
    int members[] = {CCG, CITY};
    fed_board_create(f, BOARD, "majority", members, 2, 0);

    /* The board's business, while Halton is offline. */
    s_propose(f, CCG, "--title '" SECRET "' --area acute --amount 3m --closes-in 10m", pid);
    fed_vote(f, CCG, pid, "for");
    fed_vote(f, CITY, pid, "for");
    char show[128];
    snprintf(show, sizeof show, "--json proposal show %s", pid);
    free(fed_cli_until(f, CCG, "\"outcome\":\"PASSED\"", 1, 30000, show));

    /* The broker logged it for the board's audience and put none of it in
     * Halton's mailbox, where the board's adoption waits. */
    snprintf(path, sizeof path, "%s/data/broker.db", f->dir);
    assert_true(s_query(path, "SELECT COUNT(*) FROM log WHERE recipient = 'board:" BOARD "'") >= 3);
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM mailbox m JOIN log l ON l.idx = m.idx"
             " WHERE m.recipient = '%s' AND l.recipient <> '*'",
             s_codes[HALTON]);
    assert_int_equal(s_query(path, sql), 0);
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM mailbox WHERE recipient = '%s'",
             s_codes[HALTON]);
    assert_true(s_query(path, sql) >= 3);

    /* Halton's node folds the board (its charter and members reach every
     * node) but not its business. */
    fed_start_node(f, HALTON);
    fed_wait_connected(f, HALTON);
    free(fed_cli_until(f, HALTON, "\"active\":true", 1, 30000, "--json board show " BOARD));
    fed_wait_settled(f, HALTON);
    char *out = NULL;
    assert_int_not_equal(fed_cli(f, HALTON, &out, "proposal show %s", pid), 0);
    assert_non_null(strstr(out, "NOT_FOUND"));
    free(out);
    snprintf(path, sizeof path, "%s/data/%s.db", f->dir, s_codes[HALTON]);
    assert_int_equal(s_query(path, "SELECT COUNT(*) FROM entries WHERE recipient LIKE 'board:%'"),
                     0);
    assert_int_equal(
        s_query(path, "SELECT COUNT(*) FROM entries WHERE instr(envelope, '" SECRET "') > 0"), 0);
    /* Its Log/Read gets the board's entries as hashes only: the chain still
     * checks out end to end. */
    out = s_ok(f, HALTON, "log verify");
    assert_non_null(strstr(out, "verified"));
    free(out);
    /* A ballot from outside the board names a proposal its node never saw. */
    assert_int_not_equal(fed_cli(f, HALTON, &out, "vote %s for", pid), 0);
    assert_non_null(strstr(out, "NOT_FOUND"));
    free(out);

    /* The board admits Halton: the broker sends it the board's history. */
    s_propose(f, CCG, "--title 'Admit NHS Halton CCG' --admit E38000068 --closes-in 10m", admit);
    fed_vote(f, CCG, admit, "for");
    fed_vote(f, CITY, admit, "for");
    free(fed_cli_until(f, HALTON, SECRET, 1, 30000, show));
    free(fed_cli_until(f, HALTON, "\"outcome\":\"PASSED\"", 1, 30000, show));
    assert_true(fed_wait_log(f, "broker", "E38000068 joins board " BOARD, 5000));
    fed_assert_same(f, CCG, HALTON, "--json proposal list");
    /* What it folded is the board's: a certificate it exports verifies. */
    char cert[256], roster[256];
    snprintf(cert, sizeof cert, "%s/halton.cert", f->dir);
    snprintf(roster, sizeof roster, "%s/roster.bin", f->dir);
    free(s_ok(f, HALTON, "decision export %s --out %s", pid, cert));
    out = s_ok(f, -1, "verify %s --roster %s", cert, roster);
    assert_non_null(strstr(out, "certificate verified"));
    assert_non_null(strstr(out, "PASSED"));
    free(out);

    /* And it votes on the board's next item like any member. */
    s_propose(f, CITY, "--title 'Community stroke rehabilitation' --area community --amount 1m"
                       " --closes-in 10m",
              next);
    fed_vote(f, HALTON, next, "for");
    snprintf(show, sizeof show, "--json proposal show %s", next);
    free(fed_cli_until(f, CCG, "\"member\":\"E38000068\",\"vote\":\"for\"", 1, 30000, show));
    out = s_ok(f, HALTON, "log verify");
    assert_non_null(strstr(out, "verified"));
    free(out);
}

int main(void)
{
    static fed_t f;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_prestate_setup_teardown(
            test_it_audience_board_business_reaches_members_only, NULL, fed_teardown, &f),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
