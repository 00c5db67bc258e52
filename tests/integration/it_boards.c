/* SPDX-License-Identifier: Apache-2.0 */
/* Integration tests for boards: a 23-member board shaped like the Greater
 * Manchester Joint Commissioning Board (12 CCGs, 10 councils, NHS
 * England), every member its own concordd with its own key, voting by
 * automatic policy or by hand, through a real broker. */
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
#include <sodium.h>

#include "board.pb-c.h"
#include "certificate.h"
#include "clock.h"
#include "envelope.h"
#include "harness.h"
#include "keys.h"
#include "merkle.h"
#include "receipt.h"
#include "wire.h"

/* Ten Greater Manchester CCGs of April 2017, two Cheshire CCGs standing in
 * for the three Manchester CCGs that merged that month (so the board has
 * the 12 CCG seats of 2016/17), the ten councils, NHS England; then two
 * organisations in the federation but not on the board. */
static const char *const s_codes[] = {
    "E38000016", "E38000024", "E38000080", "E38000135", "E38000143", "E38000174",
    "E38000182", "E38000187", "E38000205", "E38000217", "E38000056", "E38000151",
    "E08000001", "E08000002", "E08000003", "E08000004", "E08000005", "E08000006",
    "E08000007", "E08000008", "E08000009", "E08000010", "X24",       "E38000194",
    "E38000068"};
static const char *const s_names[] = {
    "NHS Bolton CCG", "NHS Bury CCG", "NHS Heywood, Middleton and Rochdale CCG",
    "NHS Oldham CCG", "NHS Salford CCG", "NHS Stockport CCG", "NHS Tameside and Glossop CCG",
    "NHS Trafford CCG", "NHS Wigan Borough CCG", "NHS Manchester CCG",
    "NHS Eastern Cheshire CCG", "NHS South Cheshire CCG", "Bolton Council", "Bury Council",
    "Manchester City Council", "Oldham Council", "Rochdale Council", "Salford City Council",
    "Stockport Council", "Tameside Council", "Trafford Council", "Wigan Council",
    "NHS England", "NHS Warrington CCG", "NHS Halton CCG"};

#define N_ORGS 25
#define N_BOARD 23
#define WIGAN_CCG 8      /* votes by hand */
#define MANCHESTER_CCG 9
#define SECRETARY 14     /* Manchester City Council */
#define WIGAN_COUNCIL 21
#define NHSE 22
#define WARRINGTON 23    /* admitted during the test */
#define HALTON 24        /* never a member; votes by hand */

static fed_t s_fed;
static char s_board_members[N_BOARD * 24 + 1];

static int s_group_setup(void **state)
{
    (void)state;
    fed_t *f = &s_fed;
    fed_create_from(f, s_codes, s_names, N_ORGS);
    for (int i = 0; i < N_ORGS; i++) {
        if (i == WIGAN_CCG || i == HALTON || i == WARRINGTON) {
            continue; /* manual voting, the default */
        }
        if (i < 6) { /* half the CCG seats oppose mental health proposals */
            fed_node_config_append(f, i, "auto_vote_against_areas = mental-health\n");
        }
        fed_node_config_append(f, i, "auto_vote = true\n");
        if (i >= 12 && i < 22) { /* councils: nothing above a billion pounds */
            fed_node_config_append(f, i, "auto_vote_against_above = 100000000000\n");
        }
        if (i == NHSE) {
            fed_node_config_append(f, i, "auto_vote_abstain_areas = primary-care\n");
        }
    }
    fed_start_broker(f);
    for (int i = 0; i < N_ORGS; i++) {
        fed_start_node(f, i);
    }
    for (int i = 0; i < N_ORGS; i++) {
        fed_wait_connected(f, i);
    }
    for (int i = 0; i < N_BOARD; i++) {
        size_t used = strlen(s_board_members);
        snprintf(s_board_members + used, sizeof s_board_members - used, " --member %s",
                 s_codes[i]);
    }
    return 0;
}

static int s_group_teardown(void **state)
{
    (void)state;
    fed_destroy(&s_fed);
    return 0;
}

/* Runs a CLI command on node i that must succeed; returns its output. */
static char *s_ok(int i, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *s_ok(int i, const char *fmt, ...)
{
    char args[8192];
    char *out = NULL;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    int rc = fed_cli(&s_fed, i, &out, "%s", args);
    if (rc != 0) {
        fail_msg("`concord %s` on %s failed (%d): %s", args, s_codes[i], rc, out);
    }
    return out;
}

/* Waits until node i sees the proposal closed; returns `proposal show
 * --json` output. */
static char *s_wait_closed(int i, const char *id)
{
    char args[64];
    snprintf(args, sizeof args, "--json proposal show %s", id);
    return fed_cli_until(&s_fed, i, "\"outcome\":\"OPEN\"", 0, 60000, args);
}

/* Proposes on GM-JCB from node i; returns the new proposal's id. */
static void s_propose(int i, const char *args, char id[33])
{
    char *out = s_ok(i, "--json propose --board GM-JCB %s", args);
    fed_json_id(out, id);
    free(out);
}

static void s_create_board(void)
{
    char id[33];
    char *out = s_ok(SECRETARY,
                     "--json board create --id GM-JCB --name 'Greater Manchester Joint"
                     " Commissioning Board' --rule double-majority --quorum 1/2"
                     " --each-constituency --accountable-to 'Greater Manchester Health and"
                     " Social Care Partnership Board' --closes-in 120s%s",
                     s_board_members);
    fed_json_id(out, id);
    free(out);
    free(s_ok(WIGAN_CCG, "vote %s for --reason 'Wigan adopts the charter'", id));
    out = s_wait_closed(SECRETARY, id);
    assert_non_null(strstr(out, "\"outcome\":\"PASSED\""));
    free(out);
    out = s_ok(MANCHESTER_CCG, "--json board show GM-JCB");
    assert_non_null(strstr(out, "\"active\":true"));
    /* No reserved matter is written into the charter for NHS England: its
     * consent follows from the register of delegations. */
    assert_null(strstr(out, "{\"area\":\"primary-care\",\"member\":\"X24\"}"));
    free(out);
}

/* A board whose charter sets a call-in period of 5 working days: a passed
 * decision is not in effect before then; Oldham, which the charter names,
 * calls it in with its reasons, which suspends it; the board reconsiders
 * and confirms it, and its certificate says all of it. */
static void test_it_board_call_in_and_reconsideration(void **state)
{
    (void)state;
    char id[33], dec[33], re[33], args[80], path[256], roster[256];
    char *out = s_ok(SECRETARY,
                     "--json board create --id CALL-JCB --name 'Call-in board' --rule majority"
                     " --quorum 1/2 --closes-in 120s --member E38000217"
                     " --member E08000003 --member E08000004 --call-in-days 5"
                     " --call-in-by E08000004");
    fed_json_id(out, id);
    free(out);
    free(s_wait_closed(SECRETARY, id));
    out = s_ok(MANCHESTER_CCG, "--json propose --board CALL-JCB --title 'Community stroke beds'"
                               " --area community --amount 2m --closes-in 120s");
    fed_json_id(out, dec);
    free(out);
    out = s_wait_closed(SECRETARY, dec);
    assert_non_null(strstr(out, "\"outcome\":\"PASSED\""));
    assert_non_null(strstr(out, "\"effective\":false"));
    assert_non_null(strstr(out, "Call-in: 5 working days (England and Wales) after the decision"));
    free(out);
    /* Only Oldham (E08000004) may call it in; with reasons. */
    assert_int_equal(fed_cli(&s_fed, MANCHESTER_CCG, &out, "proposal call-in %.10s --reason"
                                                          " 'value for money'",
                             dec),
                     1);
    assert_non_null(strstr(out, "may not call in decisions of board CALL-JCB"));
    free(out);
    free(s_ok(15, "proposal call-in %.10s --reason 'Not on the forward plan'", dec));
    snprintf(args, sizeof args, "--json proposal show %s", dec);
    out = fed_cli_until(&s_fed, SECRETARY, "\"called_in\":true", 1, 30000, args);
    assert_non_null(strstr(out, "Called in by E08000004 at "));
    assert_non_null(strstr(out, "Not on the forward plan. Suspended until the board reconsiders"));
    free(out);
    /* The board reconsiders it and confirms it: in effect from then. */
    out = s_ok(SECRETARY, "--json propose --board CALL-JCB --title 'Confirm the stroke beds'"
                          " --reconsider %s --confirm --closes-in 120s",
               dec);
    fed_json_id(out, re);
    free(out);
    free(s_wait_closed(SECRETARY, re));
    out = fed_cli_until(&s_fed, SECRETARY, "confirmed, and in effect from then", 1, 30000, args);
    assert_non_null(strstr(out, "\"effective\":true"));
    free(out);
    /* The certificate carries the call-in and the reconsideration. */
    snprintf(path, sizeof path, "%s/call-in.cert", s_fed.dir);
    snprintf(roster, sizeof roster, "%s/roster.bin", s_fed.dir);
    free(s_ok(SECRETARY, "decision export %s --out %s", dec, path));
    out = s_ok(-1, "verify %s --roster %s", path, roster);
    assert_non_null(strstr(out, "certificate verified"));
    assert_non_null(strstr(out, "Called in by E08000004"));
    assert_non_null(strstr(out, "confirmed, and in effect from then"));
    free(out);
}

/* A shadow board (GM's JCB in 2015/16 "discussing and agreeing
 * recommendations"): its decision is ratified by two of the bodies it
 * names and declined by the third, so it never takes effect. */
static void test_it_board_shadow_board_ratification(void **state)
{
    (void)state;
    char id[33], dec[33], args[80];
    char *out = s_ok(SECRETARY,
                     "--json board create --id SHADOW-JCB --name 'Shadow board' --rule majority"
                     " --quorum 1/2 --closes-in 120s --member E38000217"
                     " --member E08000003 --member E08000004 --ratifier E38000217"
                     " --ratifier E08000003 --ratifier E08000004 --ratify-days 10");
    fed_json_id(out, id);
    free(out);
    free(s_wait_closed(SECRETARY, id));
    out = s_ok(MANCHESTER_CCG, "--json propose --board SHADOW-JCB --title 'Pool the budget'"
                               " --area community --amount 2m --closes-in 120s");
    fed_json_id(out, dec);
    free(out);
    out = s_wait_closed(SECRETARY, dec);
    assert_non_null(strstr(out, "\"outcome\":\"PASSED\""));
    assert_non_null(strstr(out, "\"effective\":false"));
    free(out);
    free(s_ok(MANCHESTER_CCG, "proposal ratify %.10s --authority 'Governing Body'"
                              " --decision-ref GB/16/3 --decision-date 2016-03-29",
              dec));
    free(s_ok(SECRETARY, "proposal ratify %.10s --authority Executive --decision-ref EX/16/9"
                         " --decision-date 2016-03-30",
              dec));
    free(s_ok(15, "proposal ratify %.10s --authority Cabinet --decision-ref CAB/16/4"
                  " --decision-date 2016-03-31 --decline --reason 'Not affordable'",
              dec));
    snprintf(args, sizeof args, "--json proposal show %s", dec);
    out = fed_cli_until(&s_fed, SECRETARY, "\"declined\":1", 1, 30000, args);
    assert_non_null(strstr(out, "\"ratified\":2"));
    assert_non_null(strstr(out, "\"effective\":false"));
    assert_non_null(strstr(out, "E08000004 declined it: Cabinet, CAB/16/4 of 2016-03-31: Not"
                                " affordable. Declined, so it never takes effect."));
    /* Each body had 10 working days to act, within which all three did. */
    assert_non_null(strstr(out, "\"lapsed\":0"));
    assert_non_null(strstr(out, "\"ratify_by\":"));
    assert_non_null(strstr(out, "(10 working days, England and Wales, by its charter)"));
    free(out);
    snprintf(args, sizeof args, "proposal show %s", dec);
    out = s_ok(SECRETARY, "%s", args);
    assert_non_null(strstr(out, "ratified   2 of 3 bodies; declined: not in effect; time limit"));
    free(out);
}

/* A committee in common of Wigan CCG, Wigan Council and Manchester City
 * Council: each decides its own motion, Wigan Council by a majority of
 * its five representatives with at least three voting. Its representatives
 * vote 1 FOR and 2 AGAINST, so it does not agree and the joint outcome
 * does not carry, though both other bodies agreed; the certificate shows
 * each body's decision. With 3 FOR and 1 AGAINST the next motion carries. */
static void test_it_board_committee_in_common(void **state)
{
    (void)state;
    char id[33], dec[33], path[600], roster[600];
    free(s_ok(WIGAN_COUNCIL, "auto-vote off"));
    char *out = s_ok(SECRETARY,
                     "--json board create --id GM-CIC --name 'Wigan and Manchester committee in"
                     " common' --in-common --closes-in 120s --member E38000205 --member E08000010"
                     " --member E08000003 --own-rule E08000010:5:majority:3");
    fed_json_id(out, id);
    free(out);
    free(s_ok(WIGAN_CCG, "vote %s for", id));
    free(s_ok(WIGAN_COUNCIL, "vote %s for", id));
    out = s_wait_closed(SECRETARY, id);
    assert_non_null(strstr(out, "\"outcome\":\"PASSED\""));
    free(out);
    out = s_ok(WIGAN_CCG, "board show GM-CIC");
    assert_non_null(strstr(out, "kind         committee in common"));
    assert_non_null(strstr(out, "(own rule: 5 representatives, majority, at least 3 voting)"));
    free(out);

    out = s_ok(SECRETARY, "--json propose --board GM-CIC --title 'Joint stroke pathway'"
                          " --area acute --amount 3m --closes-in 120s");
    fed_json_id(out, dec);
    free(out);
    /* Representatives' votes only for a body whose charter gives it some,
     * and never more than it has. */
    char *bad = NULL;
    assert_int_not_equal(fed_cli(&s_fed, WIGAN_CCG, &bad, "vote %s for --representatives 1:0:0",
                                 dec),
                         0);
    assert_non_null(strstr(bad, "only a body of a committee in common with representatives"));
    free(bad);
    bad = NULL;
    assert_int_not_equal(fed_cli(&s_fed, WIGAN_COUNCIL, &bad,
                                 "vote %s for --representatives 4:2:0", dec),
                         0);
    assert_non_null(
        strstr(bad, "6 representatives' votes; its charter gives it 5 representatives"));
    free(bad);
    free(s_ok(WIGAN_CCG, "vote %s for", dec));
    free(s_ok(WIGAN_COUNCIL, "vote %s for --representatives 1:2:0 --reason 'Cabinet divided'",
              dec));
    out = s_wait_closed(SECRETARY, dec);
    assert_non_null(strstr(out, "\"outcome\":\"FAILED\""));
    assert_non_null(strstr(out, "E38000205 (its own vote): agreed."));
    assert_non_null(strstr(out, "E08000003 (its own vote): agreed."));
    assert_non_null(strstr(out, "E08000010 (5 representatives; majority, at least 3 voting): 1 FOR,"
                                " 2 AGAINST, 0 ABSTAIN: did not agree."));
    assert_non_null(strstr(out, "(E08000010 did not agree)"));
    free(out);
    snprintf(path, sizeof path, "%s/cic.cert", s_fed.dir);
    snprintf(roster, sizeof roster, "%s/roster.bin", s_fed.dir);
    free(s_ok(WIGAN_CCG, "decision export %s --out %s", dec, path));
    out = s_ok(-1, "verify %s --roster %s", path, roster);
    assert_non_null(strstr(out, "certificate verified"));
    assert_non_null(strstr(out, "1 FOR, 2 AGAINST, 0 ABSTAIN: did not agree"));
    assert_non_null(strstr(out, "E08000003 (its own vote): agreed."));
    free(out);

    out = s_ok(SECRETARY, "--json propose --board GM-CIC --title 'Joint stroke pathway, amended'"
                          " --area acute --amount 3m --closes-in 120s");
    fed_json_id(out, dec);
    free(out);
    free(s_ok(WIGAN_CCG, "vote %s for", dec));
    free(s_ok(WIGAN_COUNCIL, "vote %s for --representatives 3:1:0", dec));
    out = s_wait_closed(SECRETARY, dec);
    assert_non_null(strstr(out, "\"outcome\":\"PASSED\""));
    assert_non_null(strstr(out, "3 FOR, 1 AGAINST, 0 ABSTAIN: agreed."));
    free(out);
    free(s_ok(WIGAN_COUNCIL, "auto-vote on"));
}

static void test_it_board_double_majority_needs_both_sides(void **state)
{
    (void)state;
    char id[33];
    s_create_board();
    /* £6.2bn: every CCG and NHS England for, every council against. */
    s_propose(MANCHESTER_CCG,
              "--title 'Pool the health and social care budget' --area social-care"
              " --amount 6.2bn --effective 2016-04-01 --closes-in 120s",
              id);
    char *out = s_wait_closed(NHSE, id);
    assert_non_null(strstr(out, "\"outcome\":\"FAILED\""));
    /* It closes as soon as the councils' side cannot reach a majority. */
    assert_non_null(strstr(out, "local government 0 FOR"));
    assert_non_null(strstr(out, "(no majority)"));
    free(out);
    /* Every node reached the same result, the manual voter's included. */
    for (int i = 0; i < N_BOARD; i += 7) {
        out = s_wait_closed(i, id);
        assert_non_null(strstr(out, "\"outcome\":\"FAILED\""));
        assert_non_null(strstr(out, "\"settled\":true"));
        free(out);
    }
    /* Settled, but not closed to ballots: the member voting by hand still
     * gets its vote on the record, and every member's ballot is counted. */
    free(s_ok(WIGAN_CCG, "vote %.10s for --reason 'on the record'", id));
    char args[64];
    snprintf(args, sizeof args, "--json proposal show %s", id);
    out = fed_cli_until(&s_fed, NHSE, "\"voting_open\":true", 0, 60000, args);
    assert_non_null(strstr(out, "\"votes_for\":13"));
    assert_non_null(strstr(out, "\"votes_against\":10"));
    assert_non_null(strstr(out, "Voting closed with 23 of 23 members' ballots recorded."));
    assert_non_null(strstr(out, "\"reason\":\"on the record\""));
    free(out);
    /* The certificate verifies offline against the roster. */
    char path[256], roster[256];
    snprintf(path, sizeof path, "%s/decision-a.cert", s_fed.dir);
    snprintf(roster, sizeof roster, "%s/roster.bin", s_fed.dir);
    free(s_ok(MANCHESTER_CCG, "decision export %s --out %s", id, path));
    out = s_ok(-1, "verify %s --roster %s", path, roster);
    assert_non_null(strstr(out, "certificate verified"));
    assert_non_null(strstr(out, "FAILED"));
    /* It carries all 23 ballots, the ones after the outcome settled too. */
    assert_non_null(strstr(out, "(23 ballots on this proposal)"));
    assert_non_null(strstr(out, "Settled at "));
    free(out);
}

/* Primary medical services are NHS England's to commission until its
 * register of delegations says otherwise: with no delegation recorded a
 * primary-care proposal needs its FOR (it abstains); once NHS England has
 * delegated primary medical services to every CCG on the board from April
 * 2016, a primary-care decision from then passes without it, while one on
 * dental services, never delegated, still needs it. */
static void test_it_board_primary_care_needs_nhs_england(void **state)
{
    (void)state;
    char id[33];
    s_propose(SECRETARY,
              "--title 'Extend GP opening hours' --area primary-care --amount 4.5m"
              " --effective 2016-04-01 --closes-in 120s",
              id);
    char *out = s_wait_closed(SECRETARY, id);
    assert_non_null(strstr(out, "\"outcome\":\"FAILED\""));
    assert_non_null(strstr(out, "no FOR from X24 on a reserved matter"));
    assert_non_null(strstr(out, "primary-medical for E38000016 on 2016-04-01 is NHS England's to"
                                " commission (no delegation in the register"));
    free(out);

    /* Only NHS England records delegations; a CCG held only primary
     * medical services by delegation under co-commissioning. */
    char *bad = NULL;
    assert_int_not_equal(fed_cli(&s_fed, MANCHESTER_CCG, &bad,
                                 "delegation record E38000217 --line primary-medical --from"
                                 " 2016-04-01 --level delegated --agreement-ref GM/1"),
                         0);
    assert_non_null(strstr(bad, "only NHS England records the delegation"));
    free(bad);
    bad = NULL;
    assert_int_not_equal(fed_cli(&s_fed, NHSE, &bad,
                                 "delegation record E38000016 --line dental --from 2016-04-01"
                                 " --level delegated --agreement-ref GM/1"),
                         0);
    assert_non_null(strstr(bad, "co-commissioning delegated primary medical"));
    free(bad);
    bad = NULL;
    assert_int_not_equal(fed_cli(&s_fed, NHSE, &bad,
                                 "delegation record E38000016 --line primary-medical --from"
                                 " 2016-04-01 --level delegated"),
                         0);
    assert_non_null(strstr(bad, "names its agreement"));
    free(bad);

    for (int i = 0; i < 12; i++) {
        free(s_ok(NHSE,
                  "delegation record %s --line primary-medical --from 2016-04-01 --level"
                  " delegated --agreement-ref 'GM delegation agreement %d'",
                  s_codes[i], i + 1));
    }
    out = fed_cli_until(&s_fed, SECRETARY, "GM delegation agreement 12", 1, 30000,
                        "delegation list");
    assert_non_null(strstr(out, "E38000016  primary-medical"));
    assert_non_null(strstr(out, "NHS Act 2006 s13Z"));
    assert_null(strstr(out, "GM/1")); /* the refused records left nothing */
    assert_null(strstr(out, "dental"));
    free(out);

    s_propose(SECRETARY,
              "--title 'Extend GP opening hours under delegation' --area primary-care"
              " --amount 4.5m --effective 2016-04-01 --closes-in 120s",
              id);
    out = s_wait_closed(SECRETARY, id);
    assert_non_null(strstr(out, "\"outcome\":\"PASSED\""));
    assert_null(strstr(out, "Reserved matter"));
    free(out);

    s_propose(SECRETARY,
              "--title 'Dental access' --area primary-care --service-line dental --amount 1m"
              " --effective 2016-04-01 --closes-in 120s",
              id);
    out = s_wait_closed(SECRETARY, id);
    assert_non_null(strstr(out, "\"outcome\":\"FAILED\""));
    assert_non_null(strstr(out, "no FOR from X24 on a reserved matter"));
    assert_non_null(strstr(out, "dental for E38000016 on 2016-04-01"));
    free(out);
}

static void test_it_board_membership_change_admits_new_voter(void **state)
{
    (void)state;
    char id[33], next[33];
    s_propose(SECRETARY, "--title 'Admit NHS Warrington CCG' --admit E38000194 --closes-in 120s",
              id);
    char *out = s_wait_closed(SECRETARY, id);
    assert_non_null(strstr(out, "\"outcome\":\"PASSED\""));
    free(out);
    /* NHS seats split 6 to 6 on mental health, with Wigan and the new
     * member yet to vote: the new member's ballot is accepted and counts. */
    s_propose(MANCHESTER_CCG,
              "--title 'Joint crisis mental health service' --area mental-health --amount 2m"
              " --closes-in 120s",
              next);
    usleep(2000 * 1000);
    out = s_ok(SECRETARY, "--json proposal show %s", next);
    assert_non_null(strstr(out, "\"outcome\":\"OPEN\""));
    free(out);
    free(s_ok(WARRINGTON, "vote %s for --reason 'Warrington joins the service'", next));
    out = s_ok(SECRETARY, "--json proposal show %s", next);
    assert_non_null(strstr(out, "\"member\":\"E38000194\",\"vote\":\"for\""));
    free(out);
    free(s_ok(WIGAN_CCG, "vote %s for", next));
    out = s_wait_closed(SECRETARY, next);
    assert_non_null(strstr(out, "\"outcome\":\"PASSED\""));
    free(out);
    /* A non-member's node never received the board's business (its
     * audience is the board's members: PROTOCOL.md "Audiences"), so a
     * ballot from it names a proposal it does not know; a ballot on no
     * proposal is refused the same way. */
    out = NULL;
    assert_int_equal(fed_cli(&s_fed, HALTON, &out, "vote %s for", next), 1);
    assert_non_null(strstr(out, "NOT_FOUND"));
    free(out);
    assert_int_equal(fed_cli(&s_fed, WIGAN_CCG, &out, "vote 0123456789abcdef for"), 1);
    assert_non_null(strstr(out, "NOT_FOUND"));
    free(out);
}

static void test_it_board_late_ballot_refused(void **state)
{
    (void)state;
    char id[33], pid[33];
    /* A small board of the two hand-voting organisations. */
    char *out = s_ok(WIGAN_CCG, "--json board create --id WIGAN-HALTON --name 'Borders'"
                                " --rule majority --quorum 1/2 --member E38000205"
                                " --member E38000068 --closes-in 60s");
    fed_json_id(out, id);
    free(out);
    free(s_ok(WIGAN_CCG, "vote %s for", id));
    free(s_ok(HALTON, "vote %s for", id));
    free(s_wait_closed(WIGAN_CCG, id));
    out = s_ok(WIGAN_CCG, "--json propose --board WIGAN-HALTON --title 'Shared discharge"
                          " team' --area community --amount 150k --closes-in 3s");
    fed_json_id(out, pid);
    free(out);
    free(s_ok(WIGAN_CCG, "vote %.8s for --reason 'needed this winter'", pid));
    /* A second ballot from the same member is refused. */
    assert_int_equal(fed_cli(&s_fed, WIGAN_CCG, &out, "vote %s against", pid), 1);
    assert_non_null(strstr(out, "ALREADY_EXISTS"));
    free(out);
    usleep(3500 * 1000);
    assert_int_equal(fed_cli(&s_fed, HALTON, &out, "vote %s against", pid), 1);
    assert_non_null(strstr(out, "DEADLINE_EXCEEDED"));
    free(out);
    out = s_wait_closed(HALTON, pid);
    assert_non_null(strstr(out, "\"outcome\":\"PASSED\""));
    free(out);
}

static void test_it_board_offline_member_catches_up(void **state)
{
    (void)state;
    char id[33];
    assert_int_equal(fed_stop_node(&s_fed, WIGAN_COUNCIL, SIGTERM), 0);
    s_propose(SECRETARY,
              "--title 'Winter pressures fund' --area acute --amount 12m --closes-in 120s", id);
    char *seen_by_secretary = s_wait_closed(SECRETARY, id);
    assert_non_null(strstr(seen_by_secretary, "\"outcome\":\"PASSED\""));
    fed_start_node(&s_fed, WIGAN_COUNCIL);
    fed_wait_connected(&s_fed, WIGAN_COUNCIL);
    char *seen_by_council = s_wait_closed(WIGAN_COUNCIL, id);
    /* The same tally, word for word, once it has caught up: ballots are
     * recorded after the outcome settled (its own among them), so both
     * nodes are asked again until they hold the same ones. */
    int same = 0;
    for (int tries = 0; tries < 120 && !same; tries++) {
        const char *a = strstr(seen_by_secretary, "\"explanation\"");
        const char *b = strstr(seen_by_council, "\"explanation\"");
        assert_non_null(a);
        assert_non_null(b);
        same = strcspn(a, "}") == strcspn(b, "}") && strncmp(a, b, strcspn(a, "}")) == 0;
        if (!same) {
            usleep(500 * 1000);
            free(seen_by_secretary);
            free(seen_by_council);
            seen_by_secretary = s_wait_closed(SECRETARY, id);
            seen_by_council = s_wait_closed(WIGAN_COUNCIL, id);
        }
    }
    assert_true(same);
    assert_non_null(strstr(seen_by_council, "\"outcome\":\"PASSED\""));
    free(seen_by_secretary);
    free(seen_by_council);
}

/* Re-signs a modified certificate with organisation i's key. */
static void s_resign(Concord__V1__DecisionCertificate *dc, int i, uint8_t **out, size_t *len)
{
    uint8_t *packed = NULL, sig[64];
    size_t packed_len = 0;
    keys_t *k = fed_keys(&s_fed, i);
    assert_int_equal(wire_pack(&dc->base, CERTIFICATE_MAX, &packed, &packed_len, NULL), 0);
    assert_int_equal(keys_sign(k, CERTIFICATE_DOMAIN, packed, packed_len, sig, NULL), 0);
    Concord__V1__SignedCertificate sc = CONCORD__V1__SIGNED_CERTIFICATE__INIT;
    sc.certificate.data = packed;
    sc.certificate.len = packed_len;
    sc.signer = (char *)s_codes[i];
    sc.signature.data = sig;
    sc.signature.len = 64;
    assert_int_equal(wire_pack(&sc.base, CERTIFICATE_MAX, out, len, NULL), 0);
    free(packed);
    keys_destroy(&k);
}

static Concord__V1__DecisionCertificate *s_inner(const uint8_t *buf, size_t len)
{
    Concord__V1__SignedCertificate *sc = (Concord__V1__SignedCertificate *)wire_unpack(
        &concord__v1__signed_certificate__descriptor, buf, len, CERTIFICATE_MAX, NULL);
    assert_non_null(sc);
    Concord__V1__DecisionCertificate *dc = (Concord__V1__DecisionCertificate *)wire_unpack(
        &concord__v1__decision_certificate__descriptor, sc->certificate.data,
        sc->certificate.len, CERTIFICATE_MAX, NULL);
    wire_free(&sc->base);
    assert_non_null(dc);
    return dc;
}

static void s_expect_invalid(const uint8_t *buf, size_t len, const roster_t *r,
                             const char *needle)
{
    certificate_report_t rep;
    cc_err_t err;
    assert_int_equal(certificate_verify(buf, len, r, &rep, &err), -1);
    if (needle && !strstr(err.msg, needle)) {
        fail_msg("expected '%s' in '%s'", needle, err.msg);
    }
}

/* A ballot by Halton (not a member), with a receipt signed by the broker's
 * own key, as an attacker holding that key could make. */
static Concord__V1__CertifiedEnvelope *s_forged_ballot(const char *board, const char *pid,
                                                       uint64_t index, uint64_t time_ms)
{
    char path[256];
    cc_err_t err;
    keys_t *halton = fed_keys(&s_fed, HALTON);
    snprintf(path, sizeof path, "%s/keys/broker.key", s_fed.dir);
    keys_t *broker = keys_load(path, &err);
    assert_non_null(broker);
    Concord__V1__Ballot b = CONCORD__V1__BALLOT__INIT;
    uint8_t *body = NULL, *env = NULL, *rcpt = NULL;
    size_t body_len = 0, env_len = 0, rcpt_len = 0;
    b.board_id = (char *)board;
    b.proposal_id = (char *)pid;
    b.vote = CONCORD__V1__VOTE__FOR;
    assert_int_equal(wire_pack(&b.base, WIRE_MAX_FRAME, &body, &body_len, NULL), 0);
    envelope_meta_t m = {.method = "concord.v1.Board/Vote", .recipient = "*",
                         .sent_at_ms = time_ms, .sequence = 1000000,
                         .kind = CONCORD__V1__KIND__KIND_EVENT};
    envelope_new_call_id(m.call_id);
    assert_int_equal(envelope_seal(halton, &m, body, body_len, &env, &env_len, NULL), 0);
    uint8_t hash[32], leaf[32], filler[32] = {0};
    envelope_hash(env, env_len, hash);
    /* Proved in a tree the broker's key signs, its other leaves filler. */
    merkle_t *tree = merkle_new();
    assert_non_null(tree);
    for (uint64_t i = 1; i < index; i++) {
        assert_int_equal(merkle_append(tree, filler, NULL), 0);
    }
    merkle_leaf_hash(index, time_ms, hash, leaf);
    assert_int_equal(merkle_append(tree, leaf, NULL), 0);
    assert_int_equal(receipt_issue(broker, tree, time_ms, index, time_ms, hash, &rcpt, &rcpt_len, NULL), 0);
    merkle_destroy(&tree);
    Concord__V1__CertifiedEnvelope *ce = malloc(sizeof *ce);
    concord__v1__certified_envelope__init(ce);
    ce->envelope.data = env;
    ce->envelope.len = env_len;
    ce->receipt.data = rcpt;
    ce->receipt.len = rcpt_len;
    free(body);
    keys_destroy(&halton);
    keys_destroy(&broker);
    return ce;
}

static void test_it_board_certificate_tampering_detected(void **state)
{
    (void)state;
    char path[256];
    snprintf(path, sizeof path, "%s/decision-a.cert", s_fed.dir);
    size_t len = 0;
    char *text = fed_slurp(path);
    assert_non_null(text);
    free(text);
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    uint8_t *buf = malloc(8 * 1024 * 1024);
    len = fread(buf, 1, 8 * 1024 * 1024, fp);
    fclose(fp);
    roster_t *r = fed_roster(&s_fed);
    certificate_report_t rep;
    cc_err_t err;
    assert_int_equal(certificate_verify(buf, len, r, &rep, &err), 0);
    assert_string_equal(rep.outcome, "FAILED");
    certificate_report_free(&rep);

    /* Any single byte altered, at a spread of places. */
    for (size_t at = 0; at < len; at += len / 97 + 1) {
        buf[at] ^= 0x20;
        s_expect_invalid(buf, len, r, NULL);
        buf[at] ^= 0x20;
    }
    /* A ballot removed, the file re-signed by a genuine member. */
    Concord__V1__DecisionCertificate *dc = s_inner(buf, len);
    size_t last = dc->n_events - 1;
    Concord__V1__CertifiedEnvelope *removed = dc->events[last];
    dc->n_events--;
    uint8_t *out = NULL;
    size_t out_len = 0;
    s_resign(dc, MANCHESTER_CCG, &out, &out_len);
    s_expect_invalid(out, out_len, r, "recomputed tally");
    free(out);
    dc->events[dc->n_events++] = removed;
    /* The tally is data, recomputed and compared field by field: one more
     * FOR in it, re-signed by a genuine member, is refused naming the
     * field; a reason dropped likewise. */
    assert_non_null(dc->tally);
    assert_non_null(dc->tally->all);
    dc->tally->all->votes_for += 1;
    s_resign(dc, MANCHESTER_CCG, &out, &out_len);
    s_expect_invalid(out, out_len, r, "all differs");
    free(out);
    dc->tally->all->votes_for -= 1;
    assert_true(dc->tally->n_reasons > 0); /* the decision FAILED */
    dc->tally->n_reasons--;
    s_resign(dc, MANCHESTER_CCG, &out, &out_len);
    s_expect_invalid(out, out_len, r, "reasons differs");
    free(out);
    dc->tally->n_reasons++;
    /* The explanation is rendered from the tally and never compared: the
     * same certificate with its sentences reworded still verifies, with
     * the arithmetic as the verifier writes it. */
    char *words = dc->explanation;
    dc->explanation = "Reworded: the figures are in the tally.";
    s_resign(dc, MANCHESTER_CCG, &out, &out_len);
    assert_int_equal(certificate_verify(out, out_len, r, &rep, &err), 0);
    assert_string_equal(rep.outcome, "FAILED");
    assert_null(strstr(rep.explanation, "Reworded"));
    certificate_report_free(&rep);
    free(out);
    dc->explanation = words;
    /* A ballot from a non-member added, receipted and re-signed. */
    receipt_t lr;
    assert_int_equal(receipt_open(NULL, r, removed->receipt.data, removed->receipt.len, &lr, &err),
                     0);
    Concord__V1__CertifiedEnvelope *forged =
        s_forged_ballot(dc->board_id, dc->proposal_id, lr.log_index + 1, lr.time_ms);
    Concord__V1__CertifiedEnvelope **grown =
        realloc(dc->events, (dc->n_events + 1) * sizeof *grown);
    assert_non_null(grown);
    dc->events = grown;
    dc->events[dc->n_events++] = forged;
    s_resign(dc, MANCHESTER_CCG, &out, &out_len);
    s_expect_invalid(out, out_len, r, "not a member");
    free(out);
    /* Signed by someone outside the roster. */
    dc->n_events--;
    free(forged->envelope.data);
    free(forged->receipt.data);
    free(forged);
    wire_free(&dc->base);
    roster_destroy(&r);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_it_board_double_majority_needs_both_sides),
        cmocka_unit_test(test_it_board_primary_care_needs_nhs_england),
        cmocka_unit_test(test_it_board_membership_change_admits_new_voter),
        cmocka_unit_test(test_it_board_late_ballot_refused),
        cmocka_unit_test(test_it_board_offline_member_catches_up),
        cmocka_unit_test(test_it_board_certificate_tampering_detected),
        cmocka_unit_test(test_it_board_call_in_and_reconsideration),
        cmocka_unit_test(test_it_board_shadow_board_ratification),
        cmocka_unit_test(test_it_board_committee_in_common),
    };
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, s_group_setup, s_group_teardown);
}
