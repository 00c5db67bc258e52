/* SPDX-License-Identifier: Apache-2.0 */
/* Integration test for pooled funds: Plymouth City Council and NHS
 * Northern, Eastern and Western Devon CCG propose a s75 pooled fund
 * (council £131m, CCG £331m for 2017/18) on their board, which votes it
 * through; they pledge their own contributions, the host records an
 * overspend and signs the year's statement; every node shows the same
 * signed split, the CCG's node reports that it matches, and the exported
 * signed statement verifies offline (and not with a byte altered). The
 * board's rules for pools: partners must be members, primary medical
 * services need every partner's FOR, a variation needs the FOR of the
 * partner whose contribution it changes. All of it again after a restart.
 * Real broker and node processes. */
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

#include "clock.h"
#include "harness.h"

static const char *const s_codes[] = {"E06000026", "E38000129", "X24"};
static const char *const s_names[] = {"Plymouth City Council",
                                      "NHS Northern, Eastern and Western Devon CCG",
                                      "NHS England"};
enum { COUNCIL, CCG, NHSE };

static const char s_agreement[] =
    "; Plymouth Integrated Fund (s75 pooled fund), 2017/18\n"
    "[pool]\n"
    "id = PLY-IF\n"
    "name = Plymouth Integrated Fund\n"
    "kind = pooled-fund\n"
    "aims = One system, one budget: care closer to home for the people of Plymouth\n"
    "host = E06000026\n"
    "nhs_function = Community health services\n"
    "nhs_function = Non-surgical emergency admissions\n"
    "council_function = Adult social care\n"
    "council_function = Children's services\n"
    "client_group = Adults\n"
    "client_group = Children and young people\n"
    "management = Monthly reports to the Integrated Fund Board\n"
    "governance = Joint Commissioning Partnership of council and CCG\n"
    "\n"
    "[partner E06000026]\n"
    "2017 = 131m\n"
    "\n"
    "[partner E38000129]\n"
    "2017/18 = 331m\n"
    "\n"
    "[risk]\n"
    "basis = pro-rata\n";

/* Writes an agreement file: the Plymouth agreement plus extra lines. */
static void s_write(const fed_t *f, const char *name, const char *extra, char *path, size_t size)
{
    snprintf(path, size, "%s/%s", f->dir, name);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(s_agreement, fp);
    fputs(extra, fp);
    fclose(fp);
}

/* Node i votes on proposal id once it has it. With late = 1 the vote may
 * come after voting closed early (the outcome could no longer change). */
static void s_vote_maybe(fed_t *f, int i, const char *id, const char *vote, int late)
{
    char *out = NULL;
    char args[128];
    snprintf(args, sizeof args, "proposal show %s", id);
    free(fed_cli_until(f, i, "closes ", 1, 30000, args));
    int rc = fed_cli(f, i, &out, "vote %s %s", id, vote);
    if (rc != 0 && !(late && strstr(out, "closed"))) {
        fail_msg("vote %s %s from node %d: %s", id, vote, i, out);
    }
    free(out);
}

static void s_vote(fed_t *f, int i, const char *id, const char *vote)
{
    s_vote_maybe(f, i, id, vote, 0);
}

/* Waits until node i sees proposal id closed; returns proposal show. */
static char *s_closed(fed_t *f, int i, const char *id)
{
    char args[128];
    snprintf(args, sizeof args, "proposal show %s", id);
    char *out = fed_cli_until(f, i, "Outcome: ", 1, 30000, args);
    return out;
}

/* The federation started, and board `id` adopted by members (indexes). */
static void s_start(fed_t *f, const char *board, const int *members, int n)
{
    char *out = NULL, cmd[512] = "", id[33];
    fed_create_from(f, s_codes, s_names, 3);
    fed_start_broker(f);
    for (int i = 0; i < 3; i++) {
        fed_start_node(f, i);
    }
    for (int i = 0; i < 3; i++) {
        fed_wait_connected(f, i);
    }
    for (int k = 0; k < n; k++) {
        size_t used = strlen(cmd);
        snprintf(cmd + used, sizeof cmd - used, " --member %s", s_codes[members[k]]);
    }
    assert_int_equal(fed_cli(f, members[0], &out,
                             "--json board create --id %s --name 'Plymouth joint board'"
                             " --rule majority --quorum 1/2"
                             " --closes-in 120s%s",
                             board, cmd),
                     0);
    fed_json_id(out, id);
    free(out);
    for (int k = 0; k < n; k++) {
        s_vote(f, members[k], id, "for");
    }
    for (int k = 0; k < n; k++) {
        char args[64];
        snprintf(args, sizeof args, "--json board show %s", board);
        free(fed_cli_until(f, members[k], "\"active\":true", 1, 30000, args));
    }
}

/* Proposes the agreement in path to board from node i; its proposal id. */
static void s_propose(fed_t *f, int i, const char *path, const char *board, char id[33])
{
    char *out = NULL;
    assert_int_equal(fed_cli(f, i, &out, "--json pool propose --file %s --board %s"
                                         " --closes-in 120s",
                             path, board),
                     0);
    assert_non_null(strstr(out, "\"kind\":\"pool-agreement\""));
    fed_json_id(out, id);
    free(out);
}

/* Node i executes pool `pool`, the signed document being the file at doc. */
static void s_execute(fed_t *f, int i, const char *pool, const char *doc)
{
    char *out = NULL;
    if (fed_cli(f, i, &out,
                "pool execute %s --authority 'Cabinet' --decision-ref 'Minute 2017/12'"
                " --decision-date 2017-03-20 --signatory-role 'Chief Finance Officer'"
                " --document %s",
                pool, doc) != 0) {
        fail_msg("pool execute on node %d: %s", i, out);
    }
    free(out);
}

static void test_it_plymouth_pool_decided_and_signed(void **state)
{
    (void)state;
    fed_t f;
    char *out = NULL, *a = NULL, *b = NULL, path[256], id[33], cert[256], roster[256];
    static const int members[] = {COUNCIL, CCG};
    s_start(&f, "PLY-JCB", members, 2);
    s_write(&f, "plymouth.ini", "", path, sizeof path);

    /* The council proposes the agreement to the partners' board. Until the
     * board decides there is no pool. */
    s_propose(&f, COUNCIL, path, "PLY-JCB", id);
    assert_int_equal(fed_cli(&f, CCG, &out, "pool show PLY-IF"), 1);
    free(out);
    s_vote(&f, COUNCIL, id, "for");
    s_vote(&f, CCG, id, "for");
    out = s_closed(&f, CCG, id);
    assert_non_null(strstr(out, "Outcome: PASSED"));
    assert_non_null(strstr(out, "Pool PLY-IF \"Plymouth Integrated Fund\", hosted by E06000026."));
    free(out);
    /* The partners' nodes' pool engines created the pool from the decision:
     * a recommendation, not in force until each partner executes it. An
     * s75 agreement and its parties' executions are public acts that every
     * node folds (PROTOCOL.md "Audiences"): NHS England, not on the board,
     * knows the agreement too, though not the board's other business. */
    free(fed_cli_until(&f, NHSE, "AWAITING_EXECUTION", 1, 30000, "pool show PLY-IF"));
    for (int i = 0; i < 2; i++) {
        out = fed_cli_until(&f, i, "AWAITING_EXECUTION", 1, 30000, "pool show PLY-IF");
        assert_non_null(strstr(out, id));
        assert_non_null(strstr(out, "decided by board PLY-JCB"));
        assert_non_null(strstr(out, "Not in force: awaiting execution by E06000026, E38000129"));
        free(out);
    }
    assert_int_equal(fed_cli(&f, COUNCIL, &out, "pool pledge PLY-IF --year 2017 --amount 131m"), 1);
    assert_non_null(strstr(out, "pool PLY-IF is not in force, so nothing can be pledged to it"));
    free(out);
    /* An execution states the decision and the signed document. */
    assert_int_equal(fed_cli(&f, CCG, &out, "pool execute PLY-IF --authority 'Governing Body'"
                                            " --decision-ref GB/17/4 --decision-date 2017-03-02"),
                     1);
    assert_non_null(strstr(out, "--signatory-role ROLE and --document FILE"));
    free(out);
    s_execute(&f, COUNCIL, "PLY-IF", path);
    out = fed_cli_until(&f, CCG, "1 of 2 parties executed", 1, 30000, "pool show PLY-IF");
    assert_non_null(strstr(out, "Not in force: awaiting execution by E38000129"));
    assert_non_null(strstr(out, "executed    E06000026: Cabinet, Minute 2017/12 of 2017-03-20;"
                                " signed by the Chief Finance Officer; document SHA-256 "));
    free(out);
    /* The CCG's execution is signed by a person under a delegation with
     * ACT_EXECUTE (PROTOCOL.md 16.13); one that delegates voting only is
     * refused. */
    char clerk[300], cfo[300];
    snprintf(clerk, sizeof clerk, "%s/ccg-clerk.pkey", f.dir);
    snprintf(cfo, sizeof cfo, "%s/ccg-cfo.pkey", f.dir);
    const char *dates = "--from 2020-01-01 --to 2099-12-31";
    static const char *const ids[] = {"clerk", "cfo"}, *const acts[] = {"vote", "execute"};
    const char *keys[] = {clerk, cfo};
    for (int k = 0; k < 2; k++) {
        assert_int_equal(fed_cli(&f, CCG, &out, "person keygen --id %s --out %s", ids[k], keys[k]),
                         0);
        free(out);
        assert_int_equal(fed_cli(&f, CCG, &out,
                                 "person add %s --name 'Person %s' --role 'Chief Finance Officer'"
                                 " --key %s --board PLY-JCB --acts %s %s",
                                 ids[k], ids[k], keys[k], acts[k], dates),
                         0);
        free(out);
    }
#define S_EXEC_AS                                                                         \
    "pool execute PLY-IF --authority 'Governing Body' --decision-ref GB/17/4"               \
    " --decision-date 2017-03-02 --signatory-role 'Chief Finance Officer' --document %s"    \
    " --as %s"
    assert_int_equal(fed_cli(&f, CCG, &out, S_EXEC_AS, path, clerk), 1);
    assert_non_null(strstr(out, "out of scope: E38000129's delegation to 'clerk' does not cover"
                                " execute on board PLY-JCB"));
    free(out);
    assert_int_equal(fed_cli(&f, CCG, &out, S_EXEC_AS, path, cfo), 0);
    free(out);
    for (int i = 0; i < 2; i++) {
        out = fed_cli_until(&f, i, "AWAITING_PLEDGES", 1, 30000, "pool show PLY-IF");
        assert_non_null(strstr(out, "executed    E38000129: Governing Body, GB/17/4 of 2017-03-02;"
                                    " signed by the Chief Finance Officer; document SHA-256 "));
        assert_non_null(strstr(out, "; by person cfo\n"));
        free(out);
    }

    /* The CCG cannot pledge the council's contribution. */
    assert_int_equal(
        fed_cli(&f, CCG, &out, "pool pledge PLY-IF --year 2017 --amount 131m --partner E06000026"),
        1);
    assert_non_null(strstr(out, "E38000129 cannot pledge E06000026's contribution"));
    free(out);
    /* Each partner pledges its own. */
    assert_int_equal(fed_cli(&f, COUNCIL, &out, "pool pledge PLY-IF --year 2017 --amount 131m"), 0);
    free(out);
    free(fed_cli_until(&f, CCG,
                       "\"partner\":\"E06000026\",\"contribution_pence\":13100000000,"
                       "\"pledged_pence\":13100000000",
                       1, 30000, "--json pool statement PLY-IF --year 2017"));
    assert_int_equal(fed_cli(&f, CCG, &out, "--json pool pledge PLY-IF --year 2017/18"
                                            " --amount 331000000"),
                     0);
    assert_non_null(strstr(out, "\"status\":\"ACTIVE\""));
    free(out);
    free(fed_cli_until(&f, COUNCIL, "ACTIVE", 1, 30000, "pool show PLY-IF"));
    a = fed_cli_until(&f, COUNCIL, "\"complete\":true", 1, 30000,
                      "--json pool statement PLY-IF --year 2017");
    b = fed_cli_until(&f, CCG, "\"complete\":true", 1, 30000,
                      "--json pool statement PLY-IF --year 2017");
    assert_string_equal(a, b);
    assert_non_null(strstr(a, "\"total_pence\":46200000000"));
    free(a);
    free(b);

    /* Only the host records the outturn: £8m overspent. */
    assert_int_equal(fed_cli(&f, CCG, &out, "pool outturn PLY-IF --year 2017 --spent 470m"), 1);
    free(out);
    assert_int_equal(fed_cli(&f, COUNCIL, &out, "pool outturn PLY-IF --year 2017 --spent 470m"
                                                " --note 'Winter pressures'"),
                     0);
    free(out);
    out = fed_cli_until(&f, CCG, "\"has_outturn\":true", 1, 30000,
                        "--json pool statement PLY-IF --year 2017");
    assert_non_null(strstr(out, "\"host_signed\":false"));
    free(out);
    out = fed_cli_until(&f, CCG, "Not yet signed by the host E06000026", 1, 30000,
                        "pool statement PLY-IF --year 2017");
    free(out);

    /* Only the host signs the statement. */
    assert_int_equal(fed_cli(&f, CCG, &out, "pool sign-statement PLY-IF --year 2017"), 1);
    assert_non_null(strstr(out, "E38000129 cannot sign the statement of pool PLY-IF: only"
                                " E06000026, who keeps its accounts, signs it"));
    free(out);
    /* The council's section 151 officer signs it, under a delegation
     * with ACT_SIGN_STATEMENT (PROTOCOL.md 16.13). */
    char s151[300];
    snprintf(s151, sizeof s151, "%s/council-s151.pkey", f.dir);
    assert_int_equal(fed_cli(&f, COUNCIL, &out, "person keygen --id s151 --out %s", s151), 0);
    free(out);
    assert_int_equal(fed_cli(&f, COUNCIL, &out,
                             "person add s151 --name 'Section 151 Officer' --role 'Director of"
                             " Finance' --key %s --board PLY-JCB --acts sign-statement"
                             " --from 2020-01-01 --to 2099-12-31",
                             s151),
                     0);
    free(out);
    assert_int_equal(
        fed_cli(&f, COUNCIL, &out, "pool sign-statement PLY-IF --year 2017 --as %s", s151), 0);
    free(out);
    /* The CCG's node checked it against its own computation. */
    a = fed_cli_until(&f, COUNCIL, "it matches", 1, 30000, "pool statement PLY-IF --year 2017");
    b = fed_cli_until(&f, CCG, "it matches", 1, 30000, "pool statement PLY-IF --year 2017");
    assert_string_equal(a, b);
    assert_non_null(strstr(b, "Signed by the host E06000026"));
    assert_non_null(strstr(b, "Signed for the host by its person s151 under a delegation."));
    assert_non_null(strstr(b, "overspend of £8,000,000.00"));
    free(a);
    free(b);
    /* The pool's pledges, outturns and statements went to the board's
     * audience only: NHS England knows the agreement's public terms and
     * executions, none of them. */
    assert_int_equal(fed_cli(&f, NHSE, &a, "--json pool statement PLY-IF --year 2017"), 0);
    assert_non_null(strstr(a, "\"pledged_total_pence\":0,"));
    assert_non_null(strstr(a, "\"has_outturn\":false,\"host_signed\":false"));
    free(a);
    assert_int_equal(fed_cli(&f, COUNCIL, &a, "pool statement PLY-IF --year 2017 --csv"), 0);
    assert_int_equal(fed_cli(&f, CCG, &b, "pool statement PLY-IF --year 2017 --csv"), 0);
    assert_string_equal(a, b);
    assert_non_null(strstr(a, "PLY-IF,2017,E06000026,13100000000,13100000000,1,226839827,"));
    assert_non_null(strstr(a, "PLY-IF,2017,E38000129,33100000000,33100000000,1,573160173,"));
    free(b);

    /* The agreement's decision certificate verifies and shows it. */
    snprintf(roster, sizeof roster, "%s/roster.bin", f.dir);
    snprintf(cert, sizeof cert, "%s/agreement.cert", f.dir);
    assert_int_equal(fed_cli(&f, CCG, &out, "decision export %s --out %s", id, cert), 0);
    free(out);
    assert_int_equal(fed_cli(&f, -1, &out, "verify %s --roster %s", cert, roster), 0);
    assert_non_null(strstr(out, "certificate verified"));
    assert_non_null(strstr(out, "PASSED"));
    assert_non_null(strstr(out, "Pool PLY-IF \"Plymouth Integrated Fund\", hosted by E06000026."));
    assert_non_null(strstr(out, "E38000129  2017/18 £331,000,000.00"));
    free(out);

    /* The signed statement, exported by the CCG, verifies offline. */
    snprintf(cert, sizeof cert, "%s/statement.cert", f.dir);
    assert_int_equal(fed_cli(&f, CCG, &out, "pool statement PLY-IF --year 2017 --export %s", cert),
                     0);
    free(out);
    assert_int_equal(fed_cli(&f, -1, &out, "pool verify %s --roster %s", cert, roster), 0);
    assert_non_null(strstr(out, "signed statement verified"));
    assert_non_null(strstr(out, "signed by E06000026"));
    assert_non_null(strstr(out, "exported  by E38000129"));
    assert_non_null(strstr(out, "bears £5,731,601.73."));
    free(out);
    assert_int_equal(fed_cli(&f, -1, &out, "pool verify %s --roster %s --csv", cert, roster), 0);
    assert_string_equal(out, a);
    free(out);
    free(a);
    /* One byte altered anywhere is caught. */
    size_t len = 0;
    uint8_t *bytes = (uint8_t *)fed_slurp(cert);
    assert_non_null(bytes);
    FILE *fp = fopen(cert, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    len = (size_t)ftell(fp);
    fclose(fp);
    char bad[256];
    snprintf(bad, sizeof bad, "%s/statement-altered.cert", f.dir);
    bytes[len / 2] ^= 0x01;
    fp = fopen(bad, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(bytes, 1, len, fp), len);
    fclose(fp);
    free(bytes);
    assert_int_equal(fed_cli(&f, -1, &out, "pool verify %s --roster %s", bad, roster), 1);
    assert_non_null(strstr(out, "does NOT verify"));
    free(out);
    /* A statement certificate is not a decision certificate, nor the reverse. */
    assert_int_equal(fed_cli(&f, -1, &out, "verify %s --roster %s", cert, roster), 1);
    assert_non_null(strstr(out, "not a DecisionCertificate"));
    free(out);
    snprintf(bad, sizeof bad, "%s/agreement.cert", f.dir);
    assert_int_equal(fed_cli(&f, -1, &out, "pool verify %s --roster %s", bad, roster), 1);
    assert_non_null(strstr(out, "not a StatementCertificate"));
    free(out);

    /* A node restarted folds the same pool, the same signed statement. */
    assert_int_equal(fed_cli(&f, CCG, &a, "pool statement PLY-IF --year 2017"), 0);
    assert_int_equal(fed_stop_node(&f, CCG, SIGTERM), 0);
    fed_start_node(&f, CCG);
    fed_wait_connected(&f, CCG);
    assert_int_equal(fed_cli(&f, CCG, &b, "pool statement PLY-IF --year 2017"), 0);
    assert_string_equal(a, b);
    free(a);
    free(b);
    assert_int_equal(fed_cli(&f, CCG, &out, "pool show PLY-IF"), 0);
    assert_non_null(strstr(out, "ACTIVE"));
    free(out);
    assert_int_equal(fed_cli(&f, CCG, &out, "pool statement PLY-IF --year 2017 --export %s", cert),
                     0);
    free(out);
    assert_int_equal(fed_cli(&f, -1, &out, "pool verify %s --roster %s", cert, roster), 0);
    free(out);
    fed_destroy(&f);
}

/* The board's rules for pools: a partner outside the board, primary
 * medical services without every partner's FOR, a variation without the
 * FOR of the partner whose contribution it changes; the rest passes. */
static void test_it_board_rules_for_pools(void **state)
{
    (void)state;
    fed_t f;
    char *out = NULL, *a = NULL, path[256], id[33], vid[33];
    static const int members[] = {COUNCIL, CCG, NHSE};
    s_start(&f, "PLY-PCB", members, 3);
    assert_int_equal(fed_cli(&f, COUNCIL, &out,
                             "--json board create --id PLY-JCB --name 'Council and CCG only'"
                             " --rule majority --member E06000026 --member E38000129"),
                     0);
    fed_json_id(out, id);
    free(out);
    s_vote(&f, COUNCIL, id, "for");
    s_vote(&f, CCG, id, "for");
    free(fed_cli_until(&f, COUNCIL, "\"active\":true", 1, 30000, "--json board show PLY-JCB"));

    /* NHS England as a partner, on a board it is not a member of. */
    s_write(&f, "pms.ini",
            "[pool]\nnhs_function = Primary medical services\n[partner X24]\n2017 = 20m\n",
            path, sizeof path);
    assert_int_equal(fed_cli(&f, COUNCIL, &out, "pool propose --file %s --board PLY-JCB", path),
                     1);
    assert_non_null(strstr(out, "X24 is a partner of pool PLY-IF but not a member of board"
                                " PLY-JCB"));
    free(out);
    /* An excluded function is refused before anything is published. */
    s_write(&f, "surgery.ini", "[pool]\nnhs_function = General surgery\n", path, sizeof path);
    assert_int_equal(fed_cli(&f, COUNCIL, &out, "pool propose --file %s --board PLY-PCB", path),
                     1);
    assert_non_null(strstr(out, "surgery is an NHS function excluded from s75 arrangements"));
    free(out);
    /* A board named nowhere is asked for. */
    s_write(&f, "plymouth.ini", "", path, sizeof path);
    assert_int_equal(fed_cli(&f, COUNCIL, &out, "pool propose --file %s", path), 1);
    assert_non_null(strstr(out, "name the partners' board"));
    free(out);

    /* Primary medical services on the board NHS England sits on: two FOR
     * and NHS England AGAINST carries the majority, not the agreement. */
    s_write(&f, "pms.ini",
            "[pool]\nnhs_function = Primary medical services\n[partner X24]\n2017 = 20m\n",
            path, sizeof path);
    s_propose(&f, CCG, path, "PLY-PCB", id);
    s_vote(&f, COUNCIL, id, "for");
    s_vote(&f, CCG, id, "for");
    s_vote(&f, NHSE, id, "against --reason 'NHS England keeps the GP contracts'");
    out = s_closed(&f, COUNCIL, id);
    assert_non_null(strstr(out, "2 is more than 1"));
    assert_non_null(strstr(out, "no FOR from X24, whose consent it needs"));
    assert_non_null(strstr(out, "Outcome: FAILED"));
    free(out);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(fed_cli(&f, i, &out, "pool show PLY-IF"), 1);
        free(out);
    }

    /* Plymouth without primary care passes on the same board. */
    s_write(&f, "plymouth.ini", "[pool]\nboard_id = PLY-PCB\n", path, sizeof path);
    assert_int_equal(fed_cli(&f, COUNCIL, &out, "--json pool propose --file %s", path), 0);
    fed_json_id(out, id);
    free(out);
    for (int i = 0; i < 3; i++) {
        s_vote_maybe(&f, i, id, "for", 1);
    }
    free(fed_cli_until(&f, COUNCIL, "AWAITING_EXECUTION", 1, 30000, "pool show PLY-IF"));
    s_execute(&f, COUNCIL, "PLY-IF", path);
    s_execute(&f, CCG, "PLY-IF", path);
    free(fed_cli_until(&f, COUNCIL, "AWAITING_PLEDGES", 1, 30000, "pool show PLY-IF"));
    assert_int_equal(fed_cli(&f, COUNCIL, &out, "pool pledge PLY-IF --year 2017 --amount 131m"), 0);
    free(out);
    free(fed_cli_until(&f, CCG, "AWAITING_PLEDGES", 1, 30000, "pool show PLY-IF"));
    assert_int_equal(fed_cli(&f, CCG, &out, "pool pledge PLY-IF --year 2017 --amount 331m"), 0);
    free(out);
    free(fed_cli_until(&f, COUNCIL, "ACTIVE", 1, 30000, "pool show PLY-IF"));

    /* The CCG proposes raising the council's contribution: the CCG and NHS
     * England FOR carries the board's majority, but the council votes
     * AGAINST, and the change is its own contribution. */
    assert_int_equal(fed_cli(&f, CCG, &out,
                             "--json pool vary PLY-IF --change E06000026:2017:135m"
                             " --reason 'Higher adult social care precept' --closes-in 120s"),
                     0);
    assert_non_null(strstr(out, "\"kind\":\"pool-variation\""));
    fed_json_id(out, vid);
    free(out);
    s_vote(&f, CCG, vid, "for");
    s_vote(&f, NHSE, vid, "for");
    s_vote(&f, COUNCIL, vid, "against");
    out = s_closed(&f, NHSE, vid);
    assert_non_null(strstr(out, "2 is more than 1"));
    assert_non_null(strstr(out, "a change to a partner's contribution needs that partner's FOR:"
                                " E06000026 voted AGAINST"));
    assert_non_null(strstr(out, "Outcome: FAILED"));
    free(out);
    assert_int_equal(fed_cli(&f, NHSE, &out, "pool show PLY-IF"), 0);
    assert_non_null(strstr(out, "ACTIVE"));
    assert_null(strstr(out, "variation"));
    free(out);
    /* Again, with the council FOR: it passes, and the council pledges the
     * new amount. */
    assert_int_equal(fed_cli(&f, CCG, &out, "--json pool vary PLY-IF --change E06000026:2017:135m"),
                     0);
    fed_json_id(out, vid);
    free(out);
    for (int i = 0; i < 3; i++) {
        s_vote_maybe(&f, i, vid, "for", 1);
    }
    out = fed_cli_until(&f, COUNCIL, "PASSED", 1, 30000, "pool show PLY-IF");
    assert_non_null(strstr(out, "AWAITING_PLEDGES"));
    free(out);
    assert_int_equal(fed_cli(&f, COUNCIL, &out, "pool pledge PLY-IF --year 2017 --amount 135m"), 0);
    free(out);
    a = fed_cli_until(&f, NHSE, "\"total_pence\":46600000000", 1, 30000,
                      "--json pool statement PLY-IF --year 2017");
    free(a);
    a = fed_cli_until(&f, NHSE, "ACTIVE", 1, 30000, "--json pool show PLY-IF");

    /* NHS England's node, restarted, folds the same pool from its ledger. */
    assert_int_equal(fed_stop_node(&f, NHSE, SIGTERM), 0);
    fed_start_node(&f, NHSE);
    fed_wait_connected(&f, NHSE);
    assert_int_equal(fed_cli(&f, NHSE, &out, "--json pool show PLY-IF"), 0);
    assert_string_equal(out, a);
    free(out);
    free(a);
    out = fed_cli_until(&f, NHSE, "\"complete\":true", 1, 30000,
                        "--json pool statement PLY-IF --year 2017");
    assert_non_null(strstr(out, "\"total_pence\":46600000000"));
    free(out);
    fed_destroy(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_it_plymouth_pool_decided_and_signed),
        cmocka_unit_test(test_it_board_rules_for_pools),
    };
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
