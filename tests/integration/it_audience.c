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
 * next proposal.
 *
 * Exempt items (PROTOCOL.md section 16.10): an item exempt under LGA 1972
 * Sch 12A para 3 is logged as ciphertext only (the broker's log and every
 * ledger hold no plaintext), its members read it, a certificate shows it
 * sealed; once its proposer releases it, a certificate verified offline,
 * by anyone, shows and checks its content. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

#define ETITLE "Sale of the Mount Gould site"
#define ETEXT "Offer of 4.1m from the preferred bidder"
#define EPAPER "Heads of terms, commercial in confidence"

/* How many rows of table in the SQLite file at path hold needle. */
static long long s_holding(const char *path, const char *table, const char *column,
                           const char *needle)
{
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s WHERE instr(%s, '%s') > 0", table, column,
             needle);
    return s_query(path, sql);
}

static void test_it_exempt_item_sealed_until_released(void **state)
{
    fed_t *f = *state;
    char path[256], paper[256], id[33], later[33], cert[256], roster[256], today[16];
    char *out = NULL;
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(today, sizeof today, "%Y-%m-%d", &tm);
    fed_create_from(f, s_codes, s_names, N_ORGS);
    fed_start_all(f);
    int members[] = {CCG, CITY};
    fed_board_create(f, BOARD, "majority", members, 2, 0);
    snprintf(paper, sizeof paper, "%s/terms.txt", f->dir);
    FILE *fp = fopen(paper, "w");
    assert_non_null(fp);
    fputs(EPAPER "\n", fp);
    fclose(fp);

    /* The ground is checked against the statutes. */
    assert_int_not_equal(fed_cli(f, CCG, &out, "propose --board " BOARD " --title x --area acute"
                                               " --exempt 'Sch12A para 9' --release-on %s",
                                 today),
                         0);
    assert_non_null(strstr(out, "paragraphs 1 to 7"));
    free(out);
    assert_int_not_equal(fed_cli(f, CCG, &out, "propose --board " BOARD " --title x --area acute"
                                               " --exempt 'FOIA s20' --release-on %s",
                                 today),
                         0);
    assert_non_null(strstr(out, "section 20 of the Freedom of Information Act 2000 is not an"
                                " exemption"));
    free(out);

    char args[1024];
    snprintf(args, sizeof args,
             "--title '" ETITLE "' --text '" ETEXT "' --area acute --amount 4.1m --closes-in 10m"
             " --exempt 'Sch12A para 3' --release-on 2026-01-01 --paper %s",
             paper);
    s_propose(f, CCG, args, id);
    fed_vote(f, CCG, id, "for");
    fed_vote(f, CITY, id, "for");
    char show[128];
    snprintf(show, sizeof show, "--json proposal show %s", id);
    free(fed_cli_until(f, CCG, "\"outcome\":\"PASSED\"", 1, 30000, show));
    /* Its members read it. */
    out = fed_cli_until(f, CITY, "\"access\":\"member\"", 1, 30000, show);
    assert_non_null(strstr(out, "\"reason\":\"LGA 1972 Sch 12A para 3\""));
    assert_non_null(strstr(out, "\"title\":\"" ETITLE "\""));
    assert_non_null(strstr(out, "\"text\":\"" ETEXT "\""));
    assert_non_null(strstr(out, "\"paper_name\":\"terms.txt\""));
    free(out);
    /* Nothing readable in the broker's log or any ledger. */
    snprintf(path, sizeof path, "%s/data/broker.db", f->dir);
    assert_true(s_query(path, "SELECT COUNT(*) FROM log") > 0);
    assert_int_equal(s_holding(path, "log", "envelope", ETITLE), 0);
    assert_int_equal(s_holding(path, "log", "envelope", ETEXT), 0);
    assert_int_equal(s_holding(path, "log", "envelope", EPAPER), 0);
    for (int i = 0; i < N_ORGS; i++) {
        snprintf(path, sizeof path, "%s/data/%s.db", f->dir, s_codes[i]);
        assert_int_equal(s_holding(path, "entries", "envelope", ETITLE), 0);
        assert_int_equal(s_holding(path, "entries", "envelope", ETEXT), 0);
    }
    /* A certificate shows it sealed, its tally checked all the same. */
    snprintf(cert, sizeof cert, "%s/sealed.cert", f->dir);
    snprintf(roster, sizeof roster, "%s/roster.bin", f->dir);
    free(s_ok(f, CITY, "decision export %s --out %s", id, cert));
    out = s_ok(f, -1, "verify %s --roster %s", cert, roster);
    assert_non_null(strstr(out, "certificate verified"));
    assert_non_null(strstr(out, "PASSED"));
    assert_non_null(strstr(out, "sealed to the board's members until its proposer releases it"));
    assert_null(strstr(out, ETITLE));
    free(out);

    /* Only its proposer releases it, and not before its release date. */
    assert_int_not_equal(fed_cli(f, CITY, &out, "proposal release %s", id), 0);
    assert_non_null(strstr(out, "only E38000217, who proposed exempt item"));
    free(out);
    s_propose(f, CCG,
              "--title 'Later' --area acute --closes-in 10m --exempt 'FOIA s43'"
              " --release-on 2099-01-01",
              later);
    assert_int_not_equal(fed_cli(f, CCG, &out, "proposal release %s", later), 0);
    assert_non_null(strstr(out, "until its release date, 2099-01-01"));
    free(out);
    free(s_ok(f, CCG, "proposal release %s", id));
    free(fed_cli_until(f, CITY, "\"access\":\"released\"", 1, 30000, show));

    /* Now anyone holding a certificate reads it, checked against the
     * ciphertext the board voted on. */
    snprintf(cert, sizeof cert, "%s/released.cert", f->dir);
    free(s_ok(f, CITY, "decision export %s --out %s", id, cert));
    out = s_ok(f, -1, "verify %s --roster %s", cert, roster);
    assert_non_null(strstr(out, "certificate verified"));
    assert_non_null(strstr(out, "released by its proposer"));
    assert_non_null(strstr(out, "Content: " ETITLE "\n" ETEXT "\nPaper: terms.txt"));
    free(out);
}

int main(void)
{
    static fed_t f, g;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_prestate_setup_teardown(
            test_it_audience_board_business_reaches_members_only, NULL, fed_teardown, &f),
        cmocka_unit_test_prestate_setup_teardown(test_it_exempt_item_sealed_until_released, NULL,
                                                 fed_teardown, &g),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
