/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for meeting_rules: clear days and clear working days (over
 * weekends and the Christmas bank holidays), an agenda item's notice under
 * LGA 1972 s100B, remote meetings of councils' committees, councils' key
 * decisions and the forward plan (SI 2012/2089 regs 9-11), quorum by
 * attendance and the chair's casting vote (LGA 1972 Sch 12 para 39). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "date.h"
#include "meeting_rules.h"
#include "workdays.h"

static uint64_t s_at(int y, int m, int d, int hour)
{
    return (uint64_t)date_start_ms(y, m, d) + (uint64_t)hour * 3600000;
}

static void test_meeting_rules_clear_days(void **state)
{
    (void)state;
    /* Neither the first day nor the last counts. */
    assert_int_equal(meeting_rules_clear_days(s_at(2024, 1, 1, 23), s_at(2024, 1, 30, 0)), 28);
    assert_int_equal(meeting_rules_clear_days(s_at(2024, 1, 1, 0), s_at(2024, 1, 29, 23)), 27);
    assert_int_equal(meeting_rules_clear_days(s_at(2024, 1, 1, 0), s_at(2024, 1, 2, 0)), 0);
    assert_int_equal(meeting_rules_clear_days(s_at(2024, 1, 5, 0), s_at(2024, 1, 2, 0)), 0);
    /* Working days: Thursday 12 to Thursday 19 December 2024 has four
     * (13, 16, 17, 18); from Wednesday 11, five. */
    assert_int_equal(workdays_clear_between(s_at(2024, 12, 12, 9), s_at(2024, 12, 19, 10)), 4);
    assert_int_equal(workdays_clear_between(s_at(2024, 12, 11, 9), s_at(2024, 12, 19, 10)), 5);
    /* Christmas Day and Boxing Day are not working days. */
    assert_int_equal(workdays_clear_between(s_at(2024, 12, 23, 9), s_at(2024, 12, 31, 10)), 3);
    assert_int_equal(workdays_clear_between(s_at(1970, 1, 1, 0), s_at(2024, 1, 1, 0)), -1);
}

static void test_meeting_rules_notice(void **state)
{
    (void)state;
    cc_err_t err;
    Concord__V1__AgendaItem it = CONCORD__V1__AGENDA_ITEM__INIT;
    it.proposal_id = "0123456789abcdef0123456789abcdef";
    uint64_t meeting = s_at(2024, 12, 19, 10);
    /* Four clear working days: late, and refused without a reason. */
    assert_int_equal(meeting_rules_check_item(&it, s_at(2024, 12, 12, 9), meeting, &err), -1);
    assert_int_equal(err.code, CC_FAILED_PRECONDITION);
    assert_non_null(strstr(err.msg, "s100B(3)"));
    assert_non_null(strstr(err.msg, "4 clear working days"));
    /* Five: on time. */
    assert_int_equal(meeting_rules_check_item(&it, s_at(2024, 12, 11, 9), meeting, &err), 0);
    /* Late with the chair's reason: taken. */
    it.urgency_reason = "Winter pressures on stroke beds";
    assert_int_equal(meeting_rules_check_item(&it, s_at(2024, 12, 18, 9), meeting, &err), 0);
    /* A paper's digest is 32 bytes. */
    uint8_t sha[31] = {0};
    it.paper_sha256.data = sha;
    it.paper_sha256.len = sizeof sha;
    assert_int_equal(meeting_rules_check_item(&it, s_at(2024, 12, 11, 9), meeting, &err), -1);
    assert_int_equal(err.code, CC_INVALID_ARGUMENT);
}

/* Four members, two NHS and two councils; the third (a council) chairs. */
typedef struct {
    Concord__V1__Charter c;
    Concord__V1__BoardMember m[4];
    Concord__V1__BoardMember *mp[4];
    Concord__V1__KeyDecisionThreshold k;
    Concord__V1__KeyDecisionThreshold *kp[1];
} s_board_t;

static void s_board(s_board_t *b, int casting)
{
    static char *codes[] = {"E38000217", "E38000056", "E08000003", "E08000001"};
    concord__v1__charter__init(&b->c);
    b->c.board_id = "MCR-JCB";
    b->c.rule = CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST;
    b->c.quorum_numerator = 1;
    b->c.quorum_denominator = 2;
    for (int i = 0; i < 4; i++) {
        concord__v1__board_member__init(&b->m[i]);
        b->m[i].code = codes[i];
        b->m[i].constituency =
            i < 2 ? CONCORD__V1__CONSTITUENCY__NHS : CONCORD__V1__CONSTITUENCY__LOCAL_GOVERNMENT;
        b->mp[i] = &b->m[i];
    }
    b->c.members = b->mp;
    b->c.n_members = 4;
    b->c.chair = codes[2];
    b->c.chair_casting_vote = casting;
    concord__v1__key_decision_threshold__init(&b->k);
    b->k.member = codes[2];
    b->k.amount_pence = 50000000;
    b->kp[0] = &b->k;
    b->c.key_decision_thresholds = b->kp;
    b->c.n_key_decision_thresholds = 1;
}

static void test_meeting_rules_charter_and_remote(void **state)
{
    (void)state;
    cc_err_t err;
    s_board_t b;
    s_board(&b, 1);
    assert_int_equal(meeting_rules_check_charter(&b.c, &err), 0);
    /* A council's committee meets in person; an NHS one may meet remotely. */
    Concord__V1__Meeting m = CONCORD__V1__MEETING__INIT;
    m.board_id = "MCR-JCB";
    m.title = "Board meeting";
    m.place = "Video link";
    m.remote = 1;
    m.starts_at_ms = s_at(2024, 12, 19, 10);
    m.ends_at_ms = s_at(2024, 12, 19, 12);
    assert_int_equal(meeting_rules_check_meeting(&b.c, &m, s_at(2024, 12, 1, 9), &err), -1);
    assert_int_equal(err.code, CC_FAILED_PRECONDITION);
    assert_non_null(strstr(err.msg, "[2021] EWHC 1093 (Admin)"));
    Concord__V1__Charter nhs = b.c;
    nhs.n_members = 2;
    nhs.chair = "";
    nhs.chair_casting_vote = 0;
    nhs.n_key_decision_thresholds = 0;
    assert_int_equal(meeting_rules_council_committee(&nhs), 0);
    assert_int_equal(meeting_rules_check_meeting(&nhs, &m, s_at(2024, 12, 1, 9), &err), 0);
    /* A meeting in the past. */
    assert_int_equal(meeting_rules_check_meeting(&nhs, &m, s_at(2024, 12, 20, 9), &err), -1);
    assert_non_null(strstr(err.msg, "a meeting in the past"));
    /* A casting vote needs a chair; the chair is a member; a threshold a council's. */
    assert_int_equal(meeting_rules_check_charter(&nhs, &err), 0);
    nhs.chair_casting_vote = 1;
    assert_int_equal(meeting_rules_check_charter(&nhs, &err), -1);
    nhs.chair = "E08000099";
    assert_int_equal(meeting_rules_check_charter(&nhs, &err), -1);
    b.k.member = "E38000217";
    assert_int_equal(meeting_rules_check_charter(&b.c, &err), -1);
    assert_int_equal(err.code, CC_INVALID_ARGUMENT);
}

static void test_meeting_rules_key_decisions(void **state)
{
    (void)state;
    cc_err_t err;
    s_board_t b;
    s_board(&b, 0);
    Concord__V1__Proposal p = CONCORD__V1__PROPOSAL__INIT;
    p.amount_pence = 60000000;
    /* The council's own threshold; a CCG's proposal is no key decision. */
    assert_int_equal(meeting_rules_key_decision(&b.c, &p, "E08000003"), 1);
    assert_int_equal(meeting_rules_key_decision(&b.c, &p, "E38000217"), 0);
    assert_int_equal(meeting_rules_key_decision(&b.c, &p, "E08000001"), 0);
    p.key_decision = 1;
    assert_int_equal(meeting_rules_key_decision(&b.c, &p, "E08000001"), 1);
    uint64_t decision = s_at(2024, 1, 30, 10);
    /* Missing from the forward plan. */
    assert_int_equal(meeting_rules_check_key_decision(&p, 0, decision, &err), -1);
    assert_int_equal(err.code, CC_FAILED_PRECONDITION);
    assert_non_null(strstr(err.msg, "missing from the forward plan"));
    /* On it 27 clear days before: too late; 28: in time. */
    p.forward_plan_entry = "0123456789abcdef0123456789abcdef";
    assert_int_equal(meeting_rules_check_key_decision(&p, s_at(2024, 1, 2, 9), decision, &err), -1);
    assert_non_null(strstr(err.msg, "27 clear days"));
    assert_int_equal(meeting_rules_check_key_decision(&p, s_at(2024, 1, 1, 9), decision, &err), 0);
    /* Special urgency and the general exception need their reasons. */
    p.key_decision_route = CONCORD__V1__KEY_DECISION_ROUTE__SPECIAL_URGENCY;
    assert_int_equal(meeting_rules_check_key_decision(&p, 0, decision, &err), -1);
    assert_non_null(strstr(err.msg, "reg 11"));
    p.key_decision_reason = "Provider failure; the scrutiny chair agreed";
    assert_int_equal(meeting_rules_check_key_decision(&p, 0, decision, &err), 0);
    p.key_decision_route = CONCORD__V1__KEY_DECISION_ROUTE__GENERAL_EXCEPTION;
    assert_int_equal(meeting_rules_check_key_decision(&p, 0, decision, &err), 0);
}

static void s_tally(const s_board_t *b, const uint8_t *present, const board_ballot_t *cast,
                    size_t n, int casting, int final, board_tally_t *t)
{
    board_tally_with(&b->c, CONCORD__V1__PROPOSAL_KIND__COMMISSIONING_DECISION, 0, NULL, cast, n,
                     final, t);
    meeting_rules_tally(&b->c, CONCORD__V1__PROPOSAL_KIND__COMMISSIONING_DECISION, present, cast, n,
                        casting, final, t);
}

static void test_meeting_rules_attendance_and_casting(void **state)
{
    (void)state;
    s_board_t b;
    board_tally_t t;
    s_board(&b, 1);
    /* Two of four present (quorate), one votes: the quorum counts
     * attendance, so at the close it passes. */
    const uint8_t two[4] = {1, 1, 0, 0};
    board_ballot_t one[] = {{.member = 0, .vote = CONCORD__V1__VOTE__FOR}};
    s_tally(&b, two, one, 1, 0, 1, &t);
    assert_true(t.by_attendance);
    assert_int_equal(t.present, 2);
    assert_true(t.quorate);
    assert_true(t.passed);
    /* Before the close, with one present yet to vote, undecided. */
    s_tally(&b, two, one, 1, 0, 0, &t);
    assert_false(t.decided);
    /* One present: inquorate, whatever the votes. */
    const uint8_t alone[4] = {1, 0, 0, 0};
    s_tally(&b, alone, one, 1, 0, 0, &t);
    assert_false(t.quorate);
    assert_false(t.passed);
    assert_true(t.decided);
    /* An equality (1 FOR, 1 AGAINST) with the chair abstaining: its
     * casting vote decides, once every member present has voted. */
    const uint8_t three[4] = {1, 0, 1, 1};
    board_ballot_t tie[] = {{.member = 0, .vote = CONCORD__V1__VOTE__FOR},
                            {.member = 3, .vote = CONCORD__V1__VOTE__AGAINST},
                            {.member = 2, .vote = CONCORD__V1__VOTE__ABSTAIN}};
    s_tally(&b, three, tie, 2, CONCORD__V1__VOTE__FOR, 0, &t);
    assert_false(t.decided);
    assert_false(t.casting_used);
    s_tally(&b, three, tie, 3, CONCORD__V1__VOTE__FOR, 0, &t);
    assert_true(t.decided);
    assert_true(t.casting_used);
    assert_string_equal(t.casting_by, "E08000003");
    assert_true(t.passed);
    assert_non_null(strstr(t.explanation, "Sch 12 para 39(2)"));
    s_tally(&b, three, tie, 3, CONCORD__V1__VOTE__AGAINST, 0, &t);
    assert_true(t.casting_used);
    assert_false(t.passed);
    /* The chair voting FOR with no separate casting vote: it goes with its vote. */
    tie[2].vote = CONCORD__V1__VOTE__FOR;
    tie[1].member = 1;
    board_ballot_t four[] = {
        tie[0], tie[1], tie[2], {.member = 3, .vote = CONCORD__V1__VOTE__AGAINST}};
    s_tally(&b, NULL, four, 4, 0, 0, &t);
    assert_true(t.casting_used);
    assert_true(t.passed);
    /* Without a casting vote in the charter an equality fails. */
    s_board(&b, 0);
    s_tally(&b, NULL, four, 4, 0, 1, &t);
    assert_false(t.casting_used);
    assert_false(t.passed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_meeting_rules_clear_days),
        cmocka_unit_test(test_meeting_rules_notice),
        cmocka_unit_test(test_meeting_rules_charter_and_remote),
        cmocka_unit_test(test_meeting_rules_key_decisions),
        cmocka_unit_test(test_meeting_rules_attendance_and_casting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
