/* SPDX-License-Identifier: Apache-2.0 */
/* Integration tests for board meetings and councils' forward plans, with
 * real processes (docs/BOARDS.md "Meetings and the forward plan"): a
 * Manchester joint commissioning board of two CCGs and two councils,
 * chaired by Manchester City Council with a casting vote, meets. Bad
 * calls are refused with their named errors and change nothing (a remote
 * meeting of a council's committee, a meeting in the past, a late item
 * without an urgency reason, attendance recorded twice, a ballot from a
 * member who sent apologies or outside the meeting). Items published late
 * with the chair's reason are taken; the quorum counts attendance; a tie
 * is broken by the chair's casting vote, and one without it fails; the
 * minutes are generated, and approved at the next meeting; an item
 * decided there passes with fewer voters than members' quorum, because
 * the quorum counts who attended. A council's key decision missing from
 * its forward plan is refused, and taken under special urgency with its
 * reason. Committee papers cite the events and certificates they rest on. */
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

static const char *const s_codes[] = {"E38000217", "E38000056", "E08000003", "E08000001"};
static const char *const s_names[] = {"NHS Central Manchester CCG", "NHS Eastern Cheshire CCG",
                                      "Manchester City Council", "Bolton Council"};
#define N_ORGS 4
#define CCG 0
#define CCG2 1
#define CITY 2 /* the chair, and the secretary */
#define BOLTON 3
#define BOARD "MCR-JCB"

static char *s_ok(fed_t *f, int i, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static char *s_ok(fed_t *f, int i, const char *fmt, ...)
{
    char args[4096];
    char *out = NULL;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    int rc = fed_cli(f, i, &out, "%s", args);
    if (rc != 0) {
        fail_msg("`concord %s` on %s failed (%d): %s", args, i < 0 ? "no node" : f->codes[i], rc,
                 out);
    }
    return out;
}

/* A command that must fail, with needle in what it says. */
static void s_refused(fed_t *f, int i, const char *needle, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void s_refused(fed_t *f, int i, const char *needle, const char *fmt, ...)
{
    char args[4096];
    char *out = NULL;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    int rc = fed_cli(f, i, &out, "%s", args);
    if (rc == 0 || !strstr(out, needle)) {
        fail_msg("`concord %s` on %s: wanted a refusal with '%s', got (%d): %s", args, f->codes[i],
                 needle, rc, out);
    }
    free(out);
}

static void s_propose_to(fed_t *f, int i, const char *board, const char *args, char id[33])
{
    char *out = s_ok(f, i, "--json propose --board %s %s", board, args);
    fed_json_id(out, id);
    free(out);
}

static void s_propose(fed_t *f, int i, const char *args, char id[33])
{
    s_propose_to(f, i, BOARD, args, id);
}

/* The meeting id in `meeting call`'s text answer. */
static void s_meeting_id(const char *out, char id[33])
{
    const char *p = strstr(out, "meeting   ");
    assert_non_null(p);
    memcpy(id, p + 10, 32);
    id[32] = '\0';
}

static int s_count_lines(const char *s, const char *needle)
{
    return fed_count(s, needle);
}

static void test_it_meetings(void **state)
{
    fed_t *f = *state;
    char pa[33], pb[33], pc[33], m1[33], m2[33], show[128], entry[33], path[512], roster[256];
    char *out;
    fed_create_from(f, s_codes, s_names, N_ORGS);
    fed_start_all(f);

    /* The board: the city council chairs with a casting vote; its key
     * decisions start at 500,000 pounds. */
    out = s_ok(f, CITY,
               "--json board create --id " BOARD " --name 'Manchester joint commissioning board'"
               " --rule majority --quorum 1/2 --member %s --member %s --member %s --member %s"
               " --chair %s --casting-vote --key-threshold %s:500000",
               s_codes[CCG], s_codes[CCG2], s_codes[CITY], s_codes[BOLTON], s_codes[CITY],
               s_codes[CITY]);
    char charter[33];
    fed_json_id(out, charter);
    free(out);
    for (int i = 0; i < N_ORGS; i++) {
        fed_vote(f, i, charter, "for");
    }
    for (int i = 0; i < N_ORGS; i++) {
        free(fed_cli_until(f, i, "\"active\":true", 1, 30000, "--json board show " BOARD));
    }

    s_propose(f, CCG,
              "--title 'Community stroke rehabilitation' --area community --amount 2m"
              " --closes-in 20m",
              pa);
    s_propose(f, CCG2,
              "--title 'Falls prevention service' --area community --amount 1m"
              " --closes-in 20m",
              pb);

    /* Refused, and nothing changes: a council's committee meeting remotely,
     * a meeting in the past, a late item without the chair's reason. */
    s_refused(f, CITY, "must meet in person",
              "meeting call --board " BOARD " --title 'Board' --place 'Video link' --remote"
              " --starts-in 1h --item %s --urgent 'Winter pressures'",
              pa);
    s_refused(f, CITY, "a meeting in the past",
              "meeting call --board " BOARD " --title 'Board' --place 'Town Hall'"
              " --starts 2020-03-02T10:00");
    s_refused(f, CITY, "s100B(3)",
              "meeting call --board " BOARD " --title 'Board' --place 'Town Hall'"
              " --starts-in 1h --item %s",
              pa);
    /* Only the chair, a co-chair or the secretary calls one. */
    s_refused(f, CCG, "PERMISSION_DENIED",
              "meeting call --board " BOARD " --title 'Board' --place 'Town Hall'"
              " --starts-in 1h --item %s --urgent 'Winter pressures'",
              pa);
    out = s_ok(f, CITY, "meeting list");
    assert_int_equal(strlen(out), 0);
    free(out);

    /* The meeting, with both items taken as urgent, with reasons. */
    uint64_t called = clock_wall_ms();
    out = s_ok(f, CITY,
               "meeting call --board " BOARD " --title 'Board meeting' --place 'Manchester"
               " Town Hall' --starts-in 12s --length 5m --item %s --urgent 'Winter pressures"
               " on stroke beds' --item %s --urgent 'Grant deadline'",
               pa, pb);
    s_meeting_id(out, m1);
    assert_non_null(strstr(out, "urgent: Winter pressures"));
    free(out);

    /* Attendance, by the chair: present, a substitute, apologies. */
    free(s_ok(f, CITY, "meeting attend %s %s present --person 'Cllr Leese'", m1, s_codes[CITY]));
    free(s_ok(f, CITY, "meeting attend %s %s present", m1, s_codes[CCG]));
    free(s_ok(f, CITY,
              "meeting attend %s %s substitute --person 'Cllr Morris' --for"
              " 'Cllr Cox'",
              m1, s_codes[BOLTON]));
    free(s_ok(f, CITY, "meeting attend %s %s apologies", m1, s_codes[CCG2]));
    s_refused(f, CITY, "attendance recorded twice", "meeting attend %s %s apologies", m1,
              s_codes[CCG]);
    s_refused(f, CCG, "PERMISSION_DENIED", "meeting attend %s %s present", m1, s_codes[CCG2]);
    /* Before the meeting sits no item is voted on. */
    s_refused(f, CCG, "while the meeting sits", "vote %s for", pa);
    out = s_ok(f, BOLTON, "meeting show %s", m1);
    assert_int_equal(s_count_lines(out, "attended  "), 4);
    assert_non_null(strstr(out, "substitute Cllr Morris for Cllr Cox"));
    free(out);

    uint64_t now = clock_wall_ms();
    if (now < called + 13000) {
        usleep((useconds_t)(called + 13000 - now) * 1000);
    }
    /* A member who sent apologies does not vote on the meeting's items. */
    s_refused(f, CCG2, "not recorded present", "vote %s for", pa);

    /* A casting vote is the chair's alone. */
    s_refused(f, CCG, "only the chair's", "vote %s for --casting for", pa);
    /* A tie broken by the chair's casting vote; one without it fails. */
    fed_vote(f, CCG, pa, "for");
    fed_vote(f, BOLTON, pa, "against");
    fed_vote(f, CITY, pa, "abstain --casting for");
    snprintf(show, sizeof show, "--json proposal show %s", pa);
    out = fed_cli_until(f, BOLTON, "\"outcome\":\"PASSED\"", 1, 30000, show);
    assert_non_null(strstr(out, "casting vote FOR"));
    assert_non_null(strstr(out, "quorum counts attendance, 3 of 4"));
    free(out);
    fed_vote(f, CCG, pb, "for");
    fed_vote(f, BOLTON, pb, "against");
    fed_vote(f, CITY, pb, "abstain");
    snprintf(show, sizeof show, "--json proposal show %s", pb);
    out = fed_cli_until(f, CCG, "\"outcome\":\"FAILED\"", 1, 30000, show);
    assert_non_null(strstr(out, "no casting vote, so it fails"));
    free(out);

    /* The certificate carries the meeting and its attendance: it verifies
     * offline. */
    snprintf(path, sizeof path, "%s/pa.cert", f->dir);
    snprintf(roster, sizeof roster, "%s/roster.bin", f->dir);
    free(s_ok(f, CCG, "decision export %s --out %s", pa, path));
    out = s_ok(f, -1, "verify %s --roster %s", path, roster);
    assert_non_null(strstr(out, "certificate verified"));
    assert_non_null(strstr(out, "PASSED"));
    free(out);

    /* The minutes, generated from the record, on every node alike. */
    out = s_ok(f, CCG2, "meeting minutes %s", m1);
    assert_non_null(strstr(out, "# Minutes: Manchester joint commissioning board, Board meeting"));
    assert_non_null(strstr(out, "| substitute | Cllr Morris | Cllr Cox |"));
    assert_non_null(strstr(out, "Winter pressures on stroke beds"));
    assert_non_null(strstr(out, "used by E08000003"));
    char *again = s_ok(f, CITY, "meeting minutes %s", m1);
    assert_string_equal(out, again);
    free(again);
    free(out);

    /* The next meeting: one item decided there by the two who attend. */
    s_propose(f, CCG,
              "--title 'Discharge to assess' --area social-care --amount 1m"
              " --closes-in 45s",
              pc);
    called = clock_wall_ms();
    out = s_ok(f, CITY,
               "meeting call --board " BOARD " --title 'Board meeting' --place 'Manchester"
               " Town Hall' --starts-in 8s --length 5m --item %s --urgent 'Hospital discharges'",
               pc);
    s_meeting_id(out, m2);
    free(out);
    /* Minutes are approved at the next meeting, not before it sits. */
    s_refused(f, CITY, "while meeting", "meeting approve %s --at %s", m1, m2);
    s_refused(f, CITY, "not the next", "meeting approve %s --at %s", m2, m1);
    free(s_ok(f, CITY, "meeting attend %s %s present", m2, s_codes[CITY]));
    free(s_ok(f, CITY, "meeting attend %s %s present", m2, s_codes[CCG]));
    now = clock_wall_ms();
    if (now < called + 9000) {
        usleep((useconds_t)(called + 9000 - now) * 1000);
    }
    s_refused(f, CCG, "PERMISSION_DENIED", "meeting approve %s --at %s", m1, m2);
    out = s_ok(f, CITY, "meeting approve %s --at %s", m1, m2);
    assert_non_null(strstr(out, "minutes   approved as a correct record at meeting"));
    free(out);
    s_refused(f, CITY, "already approved", "meeting approve %s --at %s", m1, m2);
    snprintf(show, sizeof show, "meeting minutes %s", m1);
    out = fed_cli_until(f, CCG2, "Approved as a correct record", 1, 30000, show);
    assert_non_null(strstr(out, "): these minutes"));
    free(out);
    /* A node restarted folds its meetings again from its ledger, alike. */
    fed_stop_node(f, CCG2, SIGTERM);
    fed_start_node(f, CCG2);
    fed_wait_connected(f, CCG2);
    fed_assert_same(f, CCG2, CITY, show);
    snprintf(show, sizeof show, "meeting show %s", m1);
    fed_assert_same(f, CCG2, BOLTON, show);

    /* One of the two present votes; at the deadline the item passes: the
     * quorum (2 of 4) counts attendance, not the one voter. */
    fed_vote(f, CCG, pc, "for");
    snprintf(show, sizeof show, "--json proposal show %s", pc);
    out = fed_cli_until(f, CITY, "\"outcome\":\"PASSED\"", 1, 90000, show);
    assert_non_null(strstr(out, "2 of 4 members recorded present"));
    free(out);
    /* Its certificate carries its own meeting, not the earlier one's
     * minutes approved there, and verifies offline. */
    snprintf(path, sizeof path, "%s/pc.cert", f->dir);
    out = fed_cli_until(f, BOLTON, "\"closed\":true", 1, 30000, show);
    free(out);
    free(s_ok(f, BOLTON, "decision export %s --out %s", pc, path));
    out = s_ok(f, -1, "verify %s --roster %s", path, roster);
    assert_non_null(strstr(out, "certificate verified"));
    assert_non_null(strstr(out, "PASSED"));
    free(out);

    /* A council's key decision missing from its forward plan is refused;
     * an entry published today is too late (28 clear days); special
     * urgency with its reason is taken. */
    s_refused(f, CITY, "missing from the forward plan",
              "propose --board " BOARD " --title 'Extra care housing' --area social-care"
              " --amount 600000 --closes-in 10m");
    out = s_ok(f, CITY,
               "forward-plan add --board " BOARD " --title 'Extra care housing'"
               " --date 2031-01-15 --amount 600000 --maker 'Joint commissioning board'");
    const char *e = strstr(out, "forward plan entry ");
    assert_non_null(e);
    memcpy(entry, e + 19, 32);
    entry[32] = '\0';
    free(out);
    s_refused(f, CITY, "fewer than the 28",
              "propose --board " BOARD " --title 'Extra care housing' --area social-care"
              " --amount 600000 --closes-in 10m --forward-plan %s",
              entry);
    s_refused(f, BOLTON, "missing from the forward plan",
              "propose --board " BOARD
              " --title 'Bolton day centres' --area social-care --key-decision"
              " --closes-in 10m");
    s_refused(f, CITY, "gives its reason",
              "propose --board " BOARD
              " --title 'Extra care housing' --area social-care --amount 600000"
              " --closes-in 10m --special-urgency ''");
    char key[33];
    s_propose(f, CITY,
              "--title 'Extra care housing' --area social-care --amount 600000"
              " --closes-in 10m --special-urgency 'Provider failure; O&S chair agreed'",
              key);
    /* A CCG's proposal is no council's key decision. */
    char nhs[33];
    s_propose(f, CCG,
              "--title 'Acute stroke unit' --area acute --amount 900000"
              " --closes-in 10m",
              nhs);

    /* Committee papers, each citing what it rests on. */
    out = s_ok(f, CCG, "meeting export %s agenda --format html", m1);
    assert_non_null(strstr(out, "<h1>Agenda: Manchester joint commissioning board"));
    assert_non_null(strstr(out, "signed event "));
    free(out);
    out = s_ok(f, CCG, "meeting export %s decisions --format csv", m1);
    assert_non_null(strstr(out, "Decisions,1,"));
    assert_non_null(strstr(out, "rests_on,,decision certificate of proposal"));
    free(out);
    out = s_ok(f, CCG, "meeting export %s minutes --format json", m1);
    assert_non_null(strstr(out, "\"rests_on\":["));
    assert_non_null(strstr(out, "Approved as a correct record"));
    free(out);
    out = s_ok(f, CITY, "forward-plan list " BOARD " --format csv");
    assert_non_null(strstr(out, entry));
    assert_non_null(strstr(out, "rests_on,,\"signed event "));
    free(out);
    /* The board names a co-chair by amending its charter: the rest stands. */
    char amend[33];
    s_propose(f, CITY, "--title 'A co-chair' --co-chair E38000217 --closes-in 10m", amend);
    for (int i = 0; i < N_ORGS; i++) {
        fed_vote(f, i, amend, "for");
    }
    out = fed_cli_until(f, BOLTON, "co-chairs E38000217", 1, 30000, "board show " BOARD);
    assert_non_null(strstr(out, "chair        E08000003, co-chairs E38000217; the chair has a"
                                " casting vote"));
    assert_non_null(strstr(out, "key          decisions of E08000003 from"));
    free(out);
    snprintf(path, sizeof path, "%s/plan.html", f->dir);
    free(s_ok(f, CCG, "forward-plan list --format html --out %s", path));
    char *html = fed_slurp(path);
    assert_non_null(html);
    assert_non_null(strstr(html, "Extra care housing"));
    free(html);
}

/* The Greater Manchester scenario (docs/SCENARIOS.md "Greater Manchester:
 * a JCB meeting"): the joint commissioning board of NHS Manchester CCG,
 * NHS Bolton CCG, Manchester City Council (the chair, with a casting vote)
 * and Bolton Council meets. Bolton CCG's GP member has a registered
 * financial interest in Bolton GP Federation and is excluded from the item
 * that names it; Bolton Council sends a substitute, who counts in the
 * quorum; the chair's casting vote breaks a tie; an item added late to the
 * published agenda is refused without an urgency reason and taken with
 * one; the minutes record all of it and are approved at the next meeting. */
static const char *const s_gm_codes[] = {"E38000217", "E38000016", "E08000003", "E08000001"};
static const char *const s_gm_names[] = {"NHS Manchester CCG", "NHS Bolton CCG",
                                         "Manchester City Council", "Bolton Council"};
#define GM_MCR_CCG 0
#define GM_BOLTON_CCG 1
#define GM_CITY 2 /* the chair */
#define GM_BOLTON 3
#define GM_BOARD "GM-JCB"
#define GM_PROVIDER "Bolton-GP-Federation"

static void test_it_gm_jcb_meeting(void **state)
{
    fed_t *f = *state;
    char charter[33], pa[33], pb[33], pc[33], m1[33], m2[33], show[128], gp[512];
    char *out;
    uint64_t t0 = clock_wall_ms();
    fed_create_from(f, s_gm_codes, s_gm_names, N_ORGS);
    fed_start_all(f);

    /* The board: a quorum of three quarters, the city council in the chair
     * with a casting vote, conflicted members excluded. */
    out = s_ok(f, GM_CITY,
               "--json board create --id " GM_BOARD " --name 'Greater Manchester joint"
               " commissioning board' --rule majority --quorum 3/4 --conflicts exclude"
               " --conflicts-referral 'CCG Governing Body' --member %s --member %s --member %s"
               " --member %s --chair %s --casting-vote",
               f->codes[GM_MCR_CCG], f->codes[GM_BOLTON_CCG], f->codes[GM_CITY],
               f->codes[GM_BOLTON], f->codes[GM_CITY]);
    fed_json_id(out, charter);
    free(out);
    for (int i = 0; i < N_ORGS; i++) {
        fed_vote(f, i, charter, "for");
    }
    for (int i = 0; i < N_ORGS; i++) {
        free(fed_cli_until(f, i, "\"active\":true", 1, 30000, "--json board show " GM_BOARD));
    }

    /* Bolton CCG's GP member, registered with a signed delegation, and her
     * registered financial interest in the provider. */
    snprintf(gp, sizeof gp, "%s/dr-ahmed.pkey", f->dir);
    free(s_ok(f, GM_BOLTON_CCG, "person keygen --id dr-ahmed --out %s", gp));
    free(
        s_ok(f, GM_BOLTON_CCG,
             "person add dr-ahmed --name 'Dr A Ahmed' --role 'GP member' --key %s --board " GM_BOARD
             " --acts vote,propose --from 2020-01-01 --to 2099-12-31",
             gp));
    free(s_ok(f, GM_BOLTON_CCG,
              "interests add dr-ahmed --kind financial --concerns " GM_PROVIDER
              " --from 2020-01-01 --description 'Shareholder in Bolton GP Federation'"));
    for (int i = 0; i < N_ORGS; i++) {
        free(fed_cli_until(f, i, GM_PROVIDER, 1, 30000, "interests export --board " GM_BOARD));
    }

    s_propose_to(f, GM_MCR_CCG, GM_BOARD,
                 "--title 'Extended access to general practice in Bolton' --area primary-care"
                 " --amount 1.2m --closes-in 20m --concerns " GM_PROVIDER,
                 pa);
    s_propose_to(f, GM_BOLTON, GM_BOARD,
                 "--title 'Close the Bolton intermediate care unit' --area community"
                 " --amount 800000 --closes-in 20m",
                 pb);
    s_propose_to(f, GM_CITY, GM_BOARD,
                 "--title 'Emergency home care placements' --area social-care --amount 400000"
                 " --closes-in 20m",
                 pc);

    /* The meeting: its agenda published with the two items (in this test
     * every item is within five clear working days, so each carries the
     * chair's reason). */
    uint64_t called = clock_wall_ms();
    out = s_ok(f, GM_CITY,
               "meeting call --board " GM_BOARD " --title 'Joint commissioning board'"
               " --place 'Manchester Town Hall' --starts-in 20s --length 10m --item %s --urgent"
               " 'Contract expires before the next meeting' --item %s --urgent 'Staffing'",
               pa, pb);
    s_meeting_id(out, m1);
    free(out);
    /* A late item added to the published agenda: refused without the
     * reason, taken with it. */
    s_refused(f, GM_CITY, "s100B(3)", "meeting agenda %s --item %s", m1, pc);
    out = s_ok(f, GM_CITY,
               "meeting agenda %s --item %s --urgent 'A home care provider has"
               " failed; placements are needed before the next meeting'",
               m1, pc);
    free(out);

    /* Attendance: Bolton Council sends a substitute. */
    free(s_ok(f, GM_CITY, "meeting attend %s %s present --person 'Cllr Leese'", m1,
              f->codes[GM_CITY]));
    free(s_ok(f, GM_CITY, "meeting attend %s %s present", m1, f->codes[GM_MCR_CCG]));
    free(s_ok(f, GM_CITY, "meeting attend %s %s present --person 'Dr A Ahmed'", m1,
              f->codes[GM_BOLTON_CCG]));
    free(s_ok(f, GM_CITY, "meeting attend %s %s substitute --person 'Cllr Morris' --for 'Cllr Cox'",
              m1, f->codes[GM_BOLTON]));
    snprintf(show, sizeof show, "meeting show %s", m1);
    for (int i = 0; i < N_ORGS; i++) {
        out = fed_cli_until(f, i, "substitute Cllr Morris for Cllr Cox", 1, 30000, show);
        assert_int_equal(s_count_lines(out, "attended  "), 4);
        assert_non_null(strstr(out, "A home care provider has failed"));
        free(out);
    }
    uint64_t now = clock_wall_ms();
    if (now < called + 21000) {
        usleep((useconds_t)(called + 21000 - now) * 1000);
    }

    /* Item 1 names the provider: the GP member's ballot is refused, and the
     * quorum counts the three others present, the substitute among them:
     * without the substitute it would be inquorate (2 of 3, 3 needed). */
    s_refused(f, GM_BOLTON_CCG,
              "excluded: E38000016 has a registered interest in '" GM_PROVIDER "'",
              "vote %s for --as %s", pa, gp);
    fed_vote(f, GM_MCR_CCG, pa, "for");
    fed_vote(f, GM_CITY, pa, "for");
    fed_vote(f, GM_BOLTON, pa, "for");
    snprintf(show, sizeof show, "--json proposal show %s", pa);
    out = fed_cli_until(f, GM_BOLTON_CCG, "\"outcome\":\"PASSED\"", 1, 30000, show);
    assert_non_null(strstr(out, "\"exclusions\":[{\"member\":\"E38000016\",\"person\":"
                                "\"dr-ahmed\",\"concerns\":\"" GM_PROVIDER "\""));
    assert_non_null(strstr(out, "3 of 3 members recorded present or substituted (3 needed):"
                                " quorate"));
    free(out);

    /* Item 2: two for, two against; the chair's casting vote carries it. */
    fed_vote(f, GM_MCR_CCG, pb, "against");
    fed_vote(f, GM_BOLTON_CCG, pb, "against");
    fed_vote(f, GM_BOLTON, pb, "for");
    fed_vote(f, GM_CITY, pb, "for --casting for");
    snprintf(show, sizeof show, "--json proposal show %s", pb);
    out = fed_cli_until(f, GM_MCR_CCG, "\"outcome\":\"PASSED\"", 1, 30000, show);
    assert_non_null(strstr(out, "casting vote FOR"));
    assert_non_null(strstr(out, "4 of 4 members recorded present or substituted"));
    free(out);

    /* Item 3, the late one. */
    for (int i = 0; i < N_ORGS; i++) {
        fed_vote(f, i, pc, "for");
    }
    snprintf(show, sizeof show, "--json proposal show %s", pc);
    free(fed_cli_until(f, GM_BOLTON, "\"outcome\":\"PASSED\"", 1, 30000, show));

    /* The minutes, generated from the record, alike on every node. */
    snprintf(show, sizeof show, "meeting minutes %s", m1);
    out = s_ok(f, GM_BOLTON, "%s", show);
    assert_non_null(strstr(out, "# Minutes: Greater Manchester joint commissioning board"));
    assert_non_null(strstr(out, "| substitute | Cllr Morris | Cllr Cox |"));
    assert_non_null(strstr(out, "A home care provider has failed; placements are needed"));
    assert_non_null(strstr(out, "used by E08000003"));
    assert_non_null(strstr(out, "| 1 | E38000016 | dr-ahmed | " GM_PROVIDER " | register of"
                                " interests | excluded from the vote and the quorum |"));
    assert_null(strstr(out, "Approved as a correct record"));
    free(out);
    fed_assert_same(f, GM_MCR_CCG, GM_CITY, show);

    /* The next meeting approves them as a correct record. */
    char pd[33];
    s_propose_to(f, GM_MCR_CCG, GM_BOARD,
                 "--title 'Winter plan' --area community --amount 300000 --closes-in 20m", pd);
    called = clock_wall_ms();
    out = s_ok(f, GM_CITY,
               "meeting call --board " GM_BOARD " --title 'Joint commissioning board'"
               " --place 'Bolton Town Hall' --starts-in 8s --length 10m --item %s --urgent"
               " 'Winter pressures'",
               pd);
    s_meeting_id(out, m2);
    free(out);
    s_refused(f, GM_CITY, "while meeting", "meeting approve %s --at %s", m1, m2);
    now = clock_wall_ms();
    if (now < called + 9000) {
        usleep((useconds_t)(called + 9000 - now) * 1000);
    }
    out = s_ok(f, GM_CITY, "meeting approve %s --at %s", m1, m2);
    assert_non_null(strstr(out, "minutes   approved as a correct record at meeting"));
    free(out);
    for (int i = 0; i < N_ORGS; i++) {
        free(fed_cli_until(f, i, "Approved as a correct record", 1, 30000, show));
    }
    print_message("GM JCB meeting scenario: %.1f s\n", (double)(clock_wall_ms() - t0) / 1000.0);
}

int main(void)
{
    static fed_t f, gm;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_prestate_setup_teardown(test_it_meetings, NULL, fed_teardown, &f),
        cmocka_unit_test_prestate_setup_teardown(test_it_gm_jcb_meeting, NULL, fed_teardown, &gm),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
