/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the CLI's renderers of the node's typed Control replies
 * (node/cli/cli_render*.c): the text, JSON and CSV users and scripts read,
 * pinned down for replies built here, and a reply type without a form
 * refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli_render.h"
#include "control.pb-c.h"

/* What renderer format writes for m (caller frees); NULL if it refused. */
static char *s_render(const ProtobufCMessage *m, int format)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    int rc = cli_render(m, format, f);
    fclose(f);
    if (rc < 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

static void test_status_as_text_and_json(void **state)
{
    (void)state;
    Concord__V1__StatusReply r = CONCORD__V1__STATUS_REPLY__INIT;
    r.organisation = "E38000217";
    r.federation = "Greater Manchester";
    r.members = 21;
    r.broker = "tcp://127.0.0.1:7400";
    r.connected = 1;
    r.serving = 0;
    r.ledger_entries = 42;
    r.ledger_path = "/var/lib/concord/node.db";
    r.sent = 3;
    r.received = 4;
    r.rejected = 5;
    r.calls_waiting = 6;
    r.unreceipted = 7;
    char *text = s_render(&r.base, CLI_RENDER_TEXT);
    assert_non_null(text);
    assert_non_null(strstr(text, "organisation   E38000217\n"
                                 "federation     Greater Manchester (21 members)\n"
                                 "broker         tcp://127.0.0.1:7400 (connected)\n"
                                 "serving        no (ledger failed)\n"
                                 "ledger         42 entries in /var/lib/concord/node.db\n"
                                 "sent           3\nreceived       4\nrejected       5\n"
                                 "calls waiting  6\nunreceipted    7\nrunning since  "));
    free(text);
    char *js = s_render(&r.base, CLI_RENDER_JSON);
    assert_non_null(js);
    assert_non_null(strstr(js, "{\"organisation\":\"E38000217\",\"federation\":\"Greater "
                               "Manchester\",\"members\":21,\"broker\":\"tcp://127.0.0.1:7400\","
                               "\"connected\":true,\"serving\":false,\"delivery_lost\":false,"
                               "\"ledger_entries\":42,"
                               "\"sent\":3,\"received\":4,\"rejected\":5,\"calls_waiting\":6,"
                               "\"unreceipted\":7,\"running_since\":\""));
    assert_non_null(strstr(js, "\"envelopes_verified\":0,\"tree_heads_verified\":0}"));
    assert_int_equal(js[strlen(js) - 1], '\n');
    free(js);
    /* No CSV form. */
    assert_null(s_render(&r.base, CLI_RENDER_CSV));
}

static void test_empty_lists_say_so(void **state)
{
    (void)state;
    Concord__V1__LedgerReply ledger = CONCORD__V1__LEDGER_REPLY__INIT;
    Concord__V1__BoardListReply boards = CONCORD__V1__BOARD_LIST_REPLY__INIT;
    Concord__V1__PoolListReply pools = CONCORD__V1__POOL_LIST_REPLY__INIT;
    Concord__V1__ProposalListReply props = CONCORD__V1__PROPOSAL_LIST_REPLY__INIT;
    const struct {
        const ProtobufCMessage *m;
        const char *text, *json;
    } cases[] = {
        {&ledger.base, "(ledger is empty)\n", "[]\n"},
        {&boards.base, "(no boards yet)\n", "[]\n"},
        {&pools.base, "(no pools yet)\n", "{\"pools\":[],\"bcf_plans\":[]}\n"},
        {&props.base, "(no proposals)\n", "[]\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *text = s_render(cases[i].m, CLI_RENDER_TEXT);
        char *js = s_render(cases[i].m, CLI_RENDER_JSON);
        assert_string_equal(text, cases[i].text);
        assert_string_equal(js, cases[i].json);
        free(text);
        free(js);
    }
}

static void test_board_and_proposal(void **state)
{
    (void)state;
    Concord__V1__BoardSummary b = CONCORD__V1__BOARD_SUMMARY__INIT, *bp[1] = {&b};
    Concord__V1__BoardListReply list = CONCORD__V1__BOARD_LIST_REPLY__INIT;
    b.id = "GM-JCB";
    b.name = "Joint board";
    b.active = 1;
    b.members = 21;
    b.rule = CONCORD__V1__VOTING_RULE__DOUBLE_MAJORITY;
    list.boards = bp;
    list.n_boards = 1;
    char *text = s_render(&list.base, CLI_RENDER_TEXT);
    assert_string_equal(text, "GM-JCB           active    21 members  double-majority    "
                              "Joint board\n");
    free(text);
    char *js = s_render(&list.base, CLI_RENDER_JSON);
    assert_string_equal(js, "[{\"id\":\"GM-JCB\",\"name\":\"Joint board\",\"active\":true,"
                            "\"members\":21,\"rule\":\"double-majority\"}]\n");
    free(js);

    Concord__V1__Proposal p = CONCORD__V1__PROPOSAL__INIT;
    Concord__V1__ProposalView v = CONCORD__V1__PROPOSAL_VIEW__INIT;
    Concord__V1__BallotView bv = CONCORD__V1__BALLOT_VIEW__INIT, *bvp[1] = {&bv};
    Concord__V1__Refusal rf = CONCORD__V1__REFUSAL__INIT, *rfp[1] = {&rf};
    p.title = "Stroke services";
    p.kind = CONCORD__V1__PROPOSAL_KIND__COMMISSIONING_DECISION;
    p.area = CONCORD__V1__SERVICE_AREA__ACUTE;
    p.amount_pence = 150000;
    v.id = "0123456789abcdef0123456789abcdef";
    v.board_id = "GM-JCB";
    v.proposer = "E08000003";
    v.proposal = &p;
    v.closed = 1;
    v.passed = 1;
    v.votes_for = 1;
    v.settled = 1;
    v.voting_open = 1;
    v.explanation = "Majority of votes cast: 1 FOR.";
    bv.member = "E38000194";
    bv.vote = CONCORD__V1__VOTE__FOR;
    bv.log_index = 9;
    v.ballots = bvp;
    v.n_ballots = 1;
    rf.sender = "E38000217";
    rf.log_index = 10;
    rf.code = CONCORD__V1__STATUS_CODE__DEADLINE_EXCEEDED;
    rf.reason = "ballot after the deadline";
    v.refused = rfp;
    v.n_refused = 1;
    text = s_render(&v.base, CLI_RENDER_TEXT);
    assert_non_null(text);
    assert_non_null(strstr(text, "proposal   0123456789abcdef0123456789abcdef\n"
                                 "board      GM-JCB\ntitle      Stroke services\n"
                                 "kind       commissioning-decision, acute\n"));
    assert_non_null(strstr(text, "outcome    PASSED (settled before the deadline)\n"
                                 "voting     open: every member's ballot is recorded until the"
                                 " deadline\n\nMajority of votes cast: 1 FOR.\n"
                                 "\nballots (1):\n  E38000194  for     "));
    assert_non_null(strstr(text, "  refused: E38000217 (log 10): DEADLINE_EXCEEDED: ballot after"
                                 " the deadline\n"));
    free(text);
    js = s_render(&v.base, CLI_RENDER_JSON);
    assert_non_null(js);
    assert_non_null(strstr(js, "{\"id\":\"0123456789abcdef0123456789abcdef\",\"board\":\"GM-JCB\","
                               "\"title\":\"Stroke services\",\"kind\":\"commissioning-decision\","
                               "\"area\":\"acute\",\"amount_pence\":150000,"));
    assert_non_null(strstr(js, "\"outcome\":\"PASSED\",\"closed\":true,\"decided\":false,"
                               "\"settled\":true,\"voting_open\":true,"));
    assert_non_null(strstr(js, "\"ballots\":[{\"member\":\"E38000194\",\"vote\":\"for\","));
    /* Refused ballots too, as the text lists them. */
    assert_non_null(strstr(js, "\"refused\":[{\"sender\":\"E38000217\",\"method\":\"\","
                               "\"log_index\":10,\"code\":\"DEADLINE_EXCEEDED\","
                               "\"reason\":\"ballot after the deadline\"}]"));
    free(js);
}

static void test_text_that_is_not_utf8(void **state)
{
    (void)state;
    Concord__V1__AutoVoteReply r = CONCORD__V1__AUTO_VOTE_REPLY__INIT;
    r.abstain_areas = "acute\xe9";
    r.against_areas = "";
    char *js = s_render(&r.base, CLI_RENDER_JSON);
    assert_non_null(js); /* a renderer short of memory prints nothing, not half a reply */
    assert_string_equal(js, "{\"auto_vote\":false,\"abstain_areas\":\"acute\xef\xbf\xbd\","
                            "\"against_areas\":"
                            "\"\",\"against_above\":0,\"for_below\":0}\n");
    free(js);
}

/* Text from the network cannot act on the terminal: an escape sequence in
 * a title (erase the line, move up) and a carriage return in a reason are
 * shown as visible escapes, invalid UTF-8 as U+FFFD, and the outcome line
 * is intact; the reply itself is left as it was. */
static void test_network_text_is_neutralised(void **state)
{
    (void)state;
    Concord__V1__Proposal p = CONCORD__V1__PROPOSAL__INIT;
    Concord__V1__ProposalView v = CONCORD__V1__PROPOSAL_VIEW__INIT;
    Concord__V1__BallotView bv = CONCORD__V1__BALLOT_VIEW__INIT, *bvp[1] = {&bv};
    char title[] = "Stroke\x1b[2K\x1b[1Aoutcome    PASSED\xff\xc2\x9b";
    p.title = title;
    p.kind = CONCORD__V1__PROPOSAL_KIND__COMMISSIONING_DECISION;
    v.id = "0123456789abcdef0123456789abcdef";
    v.board_id = "GM-JCB";
    v.proposer = "E08000003";
    v.proposal = &p;
    v.closed = 1;
    v.explanation = "line one\nline two";
    bv.member = "E08000001";
    bv.vote = CONCORD__V1__VOTE__AGAINST;
    bv.reason = "fine\rPASSED\b\x7f";
    v.ballots = bvp;
    v.n_ballots = 1;
    char *text = s_render(&v.base, CLI_RENDER_TEXT);
    assert_non_null(text);
    assert_null(strchr(text, 0x1b));
    assert_null(strchr(text, '\r'));
    assert_null(strchr(text, '\b'));
    assert_non_null(strstr(text, "title      Stroke\\x1b[2K\\x1b[1Aoutcome    PASSED"
                                 "\xef\xbf\xbd\\x9b\n"));
    assert_non_null(strstr(text, "reason: fine\\x0dPASSED\\x08\\x7f\n"));
    assert_non_null(strstr(text, "\noutcome    FAILED"));
    assert_non_null(strstr(text, "line one\nline two\n"));
    assert_string_equal(p.title, title);
    free(text);
}

/* proposal show --json carries the tally as data, as certificates do. */
static void test_proposal_tally_as_data(void **state)
{
    (void)state;
    Concord__V1__Proposal p = CONCORD__V1__PROPOSAL__INIT;
    Concord__V1__ProposalView v = CONCORD__V1__PROPOSAL_VIEW__INIT;
    Concord__V1__Tally t = CONCORD__V1__TALLY__INIT;
    Concord__V1__TallyCount all = CONCORD__V1__TALLY_COUNT__INIT, nhs = CONCORD__V1__TALLY_COUNT__INIT;
    Concord__V1__TallyCount *by[1] = {&nhs};
    Concord__V1__TallyReason why[2] = {CONCORD__V1__TALLY_REASON__NOT_QUORATE,
                                       CONCORD__V1__TALLY_REASON__RESERVED_MATTER_BLOCKED};
    char *blocked[1] = {"X24"};
    p.title = "Stroke services";
    v.id = "0123456789abcdef0123456789abcdef";
    v.board_id = "GM-JCB";
    v.proposer = "E08000003";
    v.proposal = &p;
    v.closed = 1;
    all.members = 3;
    all.voters = 1;
    all.votes_for = 1;
    nhs.constituency = CONCORD__V1__CONSTITUENCY__NHS;
    nhs.members = 3;
    nhs.voters = 1;
    nhs.votes_for = 1;
    t.rule = CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST;
    t.final = 1;
    t.decided = 1;
    t.quorum_numerator = 2;
    t.quorum_denominator = 3;
    t.quorum_needed = 2;
    t.all = &all;
    t.constituencies = by;
    t.n_constituencies = 1;
    t.reasons = why;
    t.n_reasons = 2;
    t.blocked_by = blocked;
    t.n_blocked_by = 1;
    t.yet_to_vote = 2;
    v.tally = &t;
    char *js = s_render(&v.base, CLI_RENDER_JSON);
    assert_non_null(js);
    assert_non_null(strstr(js, "\"tally\":{\"rule\":\"majority\",\"charter_adoption\":false,"
                               "\"passed\":false,\"decided\":true,\"final\":true,"
                               "\"quorate\":false,\"quorum_numerator\":2,"
                               "\"quorum_denominator\":3,\"quorum_needed\":2,"
                               "\"quorum_each_constituency\":false,\"all\":{\"members\":3,"
                               "\"voters\":1,\"for\":1,\"against\":0,\"abstain\":0},"
                               "\"constituencies\":[{\"constituency\":\"nhs\",\"members\":3,"));
    assert_non_null(strstr(js, "\"reasons\":[\"not-quorate\",\"reserved-matter-blocked\"],"
                               "\"blocked_by\":[\"X24\"],\"yet_to_vote\":2}"));
    free(js);
}

static void test_a_reply_without_a_form_is_refused(void **state)
{
    (void)state;
    Concord__V1__StatusRequest req = CONCORD__V1__STATUS_REQUEST__INIT;
    assert_null(s_render(&req.base, CLI_RENDER_TEXT));
    assert_null(s_render(&req.base, CLI_RENDER_JSON));
}

/* A register of interests: the text a clerk reads, the JSON scripts read,
 * and the CSV for committee papers (a comma and a quote in a description
 * quoted as RFC 4180 says). */
static void test_register_of_interests(void **state)
{
    (void)state;
    char *boards[] = {"GM-JCB"};
    Concord__V1__PersonAct acts[] = {CONCORD__V1__PERSON_ACT__ACT_VOTE,
                                     CONCORD__V1__PERSON_ACT__ACT_PROPOSE};
    Concord__V1__Person p = CONCORD__V1__PERSON__INIT;
    p.person_id = "gp-lead";
    p.name = "Dr A Example";
    p.role = "GP member";
    p.voting = 1;
    p.boards = boards;
    p.n_boards = 1;
    p.acts = acts;
    p.n_acts = 2;
    p.valid_from = "2017-04-01";
    p.valid_to = "2018-03-31";
    Concord__V1__PersonView pv = CONCORD__V1__PERSON_VIEW__INIT;
    pv.organisation = "E38000205";
    pv.person = &p;
    Concord__V1__PersonView *pvs[] = {&pv};
    Concord__V1__PeopleReply r = CONCORD__V1__PEOPLE_REPLY__INIT;
    r.people = pvs;
    r.n_people = 1;
    char *text = s_render(&r.base, CLI_RENDER_TEXT);
    assert_non_null(text);
    assert_non_null(strstr(text, "E38000205  gp-lead          Dr A Example, GP member, voting;"
                                 " boards GM-JCB; acts vote,propose; 2017-04-01 to 2018-03-31\n"));
    free(text);
    char *js = s_render(&r.base, CLI_RENDER_JSON);
    assert_non_null(js);
    assert_non_null(strstr(js, "\"boards\":[\"GM-JCB\"],\"acts\":[\"vote\",\"propose\"]"));
    free(js);

    Concord__V1__Interest in = CONCORD__V1__INTEREST__INIT;
    in.person_id = "gp-lead";
    in.kind = CONCORD__V1__INTEREST_KIND__FINANCIAL;
    in.concerns = "Acme-Health";
    in.from_date = "2017-04-01";
    in.description = "Partner, \"Acme\" practice";
    Concord__V1__InterestView iv = CONCORD__V1__INTEREST_VIEW__INIT;
    iv.organisation = "E38000205";
    iv.name = "Dr A Example";
    iv.role = "GP member";
    iv.interest = &in;
    iv.log_index = 12;
    Concord__V1__InterestView *ivs[] = {&iv};
    Concord__V1__PeopleReply ri = CONCORD__V1__PEOPLE_REPLY__INIT;
    ri.interests = ivs;
    ri.n_interests = 1;
    char *csv = s_render(&ri.base, CLI_RENDER_CSV);
    assert_non_null(csv);
    assert_non_null(strstr(csv, "organisation,person,name,role,kind,concerns,from,to,description,"
                                "log_index"));
    assert_non_null(strstr(csv, "E38000205,gp-lead,Dr A Example,GP member,financial,Acme-Health,"
                                "2017-04-01,,\"Partner, \"\"Acme\"\" practice\",12"));
    free(csv);
    js = s_render(&ri.base, CLI_RENDER_JSON);
    assert_non_null(js);
    assert_non_null(strstr(js, "\"kind\":\"financial\",\"concerns\":\"Acme-Health\""));
    free(js);
    text = s_render(&ri.base, CLI_RENDER_TEXT);
    assert_non_null(text);
    assert_non_null(strstr(text, "financial"));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_as_text_and_json),
        cmocka_unit_test(test_empty_lists_say_so),
        cmocka_unit_test(test_board_and_proposal),
        cmocka_unit_test(test_text_that_is_not_utf8),
        cmocka_unit_test(test_network_text_is_neutralised),
        cmocka_unit_test(test_proposal_tally_as_data),
        cmocka_unit_test(test_a_reply_without_a_form_is_refused),
        cmocka_unit_test(test_register_of_interests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
