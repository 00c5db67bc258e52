/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the board engine: charters, proposals, ballots, every
 * voting rule at its edges, early and deadline closes checked against a
 * brute force, membership changes, determinism and hostile input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "board.h"
#include "keys.h"
#include "roster.h"
#include "unit_fixture.h"
#include "wire.h"

#define T0 1795521600000ull /* 2026-11-24T12:00:00Z */
#define SECOND 1000ull
#define HOUR (3600ull * SECOND)
#define DAY (24ull * HOUR)

#define FOR CONCORD__V1__VOTE__FOR
#define AGAINST CONCORD__V1__VOTE__AGAINST
#define ABSTAIN CONCORD__V1__VOTE__ABSTAIN
#define NHS CONCORD__V1__CONSTITUENCY__NHS
#define LG CONCORD__V1__CONSTITUENCY__LOCAL_GOVERNMENT
#define DECISION CONCORD__V1__PROPOSAL_KIND__COMMISSIONING_DECISION
#define ADOPTION CONCORD__V1__PROPOSAL_KIND__CHARTER_ADOPTION
#define AMENDMENT CONCORD__V1__PROPOSAL_KIND__CHARTER_AMENDMENT
#define MEMBERSHIP CONCORD__V1__PROPOSAL_KIND__MEMBERSHIP_CHANGE
#define PRIMARY_CARE CONCORD__V1__SERVICE_AREA__PRIMARY_CARE
#define ACUTE CONCORD__V1__SERVICE_AREA__ACUTE

/* The Greater Manchester shape: 12 CCGs, 10 councils and NHS England,
 * plus organisations in the federation that sit on no board. */
static const char *const s_ccgs[12] = {"E38000016", "E38000024", "E38000135", "E38000143",
                                       "E38000170", "E38000174", "E38000182", "E38000187",
                                       "E38000205", "E38000217", "E38000221", "E38000226"};
static const char *const s_councils[10] = {"E08000001", "E08000002", "E08000003", "E08000004",
                                           "E08000005", "E08000006", "E08000007", "E08000008",
                                           "E08000009", "E08000010"};
#define NHSE "X24"
#define OUTSIDER "E38000194"  /* Warrington CCG: in the roster, on no board */
#define OUTSIDER2 "E06000006" /* Halton */
#define STRANGER "E99"        /* not in the roster at all */

static roster_t *s_roster;

static int s_setup(void **state)
{
    (void)state;
    const char *codes[25], *kinds[25];
    size_t n = 0;
    for (int i = 0; i < 12; i++, n++) {
        codes[n] = s_ccgs[i];
        kinds[n] = "CCG";
    }
    for (int i = 0; i < 10; i++, n++) {
        codes[n] = s_councils[i];
        kinds[n] = "COUNCIL_UPPER";
    }
    codes[n] = NHSE, kinds[n++] = "NHS_ENGLAND";
    codes[n] = OUTSIDER, kinds[n++] = "CCG";
    codes[n] = OUTSIDER2, kinds[n++] = "COUNCIL_UPPER";
    s_roster = unit_roster("Greater Manchester", codes, kinds, n);
    return s_roster ? 0 : -1;
}

static int s_teardown(void **state)
{
    (void)state;
    roster_destroy(&s_roster);
    return 0;
}

/* ---- charters ---- */

typedef struct {
    Concord__V1__Charter ch;
    Concord__V1__BoardMember m[32];
    Concord__V1__BoardMember *mp[32];
    Concord__V1__ReservedMatter rm[4];
    Concord__V1__ReservedMatter *rmp[4];
} s_charter_t;

/* Builds in place: the charter points into its own arrays. */
static void s_charter(s_charter_t *c, const char *id, int rule)
{
    memset(c, 0, sizeof *c);
    concord__v1__charter__init(&c->ch);
    c->ch.board_id = (char *)id;
    c->ch.name = "Test board";
    c->ch.rule = (Concord__V1__VotingRule)rule;
    c->ch.quorum_numerator = 1;
    c->ch.quorum_denominator = 2;
    c->ch.members = c->mp;
    c->ch.reserved = c->rmp;
}

static void s_member(s_charter_t *c, const char *code, int constituency, uint64_t weight)
{
    size_t i = c->ch.n_members++;
    assert_true(i < 32);
    concord__v1__board_member__init(&c->m[i]);
    c->m[i].code = (char *)code;
    c->m[i].constituency = (Concord__V1__Constituency)constituency;
    c->m[i].weight = weight;
    c->mp[i] = &c->m[i];
}

static void s_reserved(s_charter_t *c, int area, const char *code)
{
    size_t i = c->ch.n_reserved++;
    concord__v1__reserved_matter__init(&c->rm[i]);
    c->rm[i].area = (Concord__V1__ServiceArea)area;
    c->rm[i].member = (char *)code;
    c->rmp[i] = &c->rm[i];
}

/* Members named by the first n of a list: CCGs are NHS, councils local
 * government. */
static void s_small(s_charter_t *c, const char *id, int rule, int n_nhs, int n_lg)
{
    s_charter(c, id, rule);
    for (int i = 0; i < n_nhs; i++) {
        s_member(c, s_ccgs[i], NHS, 1);
    }
    for (int i = 0; i < n_lg; i++) {
        s_member(c, s_councils[i], LG, 1);
    }
}

static void s_gm(s_charter_t *c, const char *id)
{
    s_charter(c, id, CONCORD__V1__VOTING_RULE__DOUBLE_MAJORITY);
    c->ch.name = "Greater Manchester Joint Commissioning Board";
    c->ch.quorum_each_constituency = 1;
    for (int i = 0; i < 12; i++) {
        s_member(c, s_ccgs[i], NHS, 1);
    }
    for (int i = 0; i < 10; i++) {
        s_member(c, s_councils[i], LG, 1);
    }
    s_member(c, NHSE, NHS, 1);
    s_reserved(c, PRIMARY_CARE, NHSE);
    s_reserved(c, CONCORD__V1__SERVICE_AREA__SPECIALISED, NHSE);
}

/* ---- an engine fed events with increasing log index and time ---- */


typedef struct {
    board_engine_t *e;
    uint64_t index;  /* log index of the last event */
    uint64_t now;    /* receipt time of the next event */
    uint32_t calls;  /* call ids handed out */
    cc_err_t err;    /* why the last event was refused */
    unit_log_t log;  /* every event, for replaying into another engine */
} s_run_t;

static void s_run_init(s_run_t *r)
{
    memset(r, 0, sizeof *r);
    r->e = board_engine_new(s_roster);
    assert_non_null(r->e);
    r->now = T0;
}

static void s_run_free(s_run_t *r)
{
    board_engine_destroy(&r->e);
    assert_null(r->e);
    unit_log_free(&r->log);
}

static void s_call_id(s_run_t *r, uint8_t call_id[16])
{
    /* Ids share their first 6 hex digits, so any 6-character prefix is
     * ambiguous once there are two proposals. */
    memset(call_id, 0, 16);
    r->calls++;
    call_id[3] = (uint8_t)(r->calls >> 16);
    call_id[4] = (uint8_t)(r->calls >> 8);
    call_id[5] = (uint8_t)r->calls;
    call_id[15] = 0x5a;
}

/* Applies raw bytes as the next event; logs it for replay. */
static int s_raw(s_run_t *r, const char *sender, const char *method, const uint8_t *body,
                 size_t len, const uint8_t call_id[16])
{
    unit_logged_t *l =
        unit_log_add(&r->log, sender, method, body, len, call_id, ++r->index, r->now);
    r->now += SECOND;
    board_event_t ev = unit_log_event(l);
    err_clear(&r->err);
    return board_apply(r->e, &ev, &r->err);
}

static int s_msg(s_run_t *r, const char *sender, const char *method, const ProtobufCMessage *m,
                 const uint8_t call_id[16])
{
    uint8_t *body = NULL;
    size_t len = 0;
    assert_int_equal(wire_pack(m, WIRE_MAX_FRAME, &body, &len, NULL), 0);
    int rc = s_raw(r, sender, method, body, len, call_id);
    free(body);
    return rc;
}

static Concord__V1__Proposal s_proposal(const s_run_t *r, const char *board, int kind, int area)
{
    Concord__V1__Proposal p = CONCORD__V1__PROPOSAL__INIT;
    p.board_id = (char *)board;
    p.title = "Pool the health and social care budget";
    p.kind = (Concord__V1__ProposalKind)kind;
    p.area = (Concord__V1__ServiceArea)area;
    p.amount_pence = 620000000000;
    p.effective_date = "2016-04-01";
    p.closes_at_ms = r->now + DAY;
    return p;
}

static int s_propose(s_run_t *r, const char *sender, const Concord__V1__Proposal *p, char id[33])
{
    uint8_t call_id[16];
    s_call_id(r, call_id);
    board_proposal_id(call_id, id);
    return s_msg(r, sender, BOARD_METHOD_PROPOSE, &p->base, call_id);
}

/* A commissioning decision in area, open for a day. */
static int s_decide(s_run_t *r, const char *sender, const char *board, int area, char id[33])
{
    Concord__V1__Proposal p = s_proposal(r, board, DECISION, area);
    return s_propose(r, sender, &p, id);
}

static int s_vote_why(s_run_t *r, const char *sender, const char *board, const char *pid, int vote,
                      const char *reason)
{
    uint8_t call_id[16];
    Concord__V1__Ballot b = CONCORD__V1__BALLOT__INIT;
    b.board_id = (char *)board;
    b.proposal_id = (char *)pid;
    b.vote = (Concord__V1__Vote)vote;
    b.reason = (char *)reason;
    s_call_id(r, call_id);
    return s_msg(r, sender, BOARD_METHOD_VOTE, &b.base, call_id);
}

static int s_vote(s_run_t *r, const char *sender, const char *board, const char *pid, int vote)
{
    return s_vote_why(r, sender, board, pid, vote, "");
}

static void s_view(const s_run_t *r, const char *pid, board_proposal_view_t *pv)
{
    cc_err_t err;
    assert_int_equal(board_proposal_find(r->e, pid, r->now, pv, &err), 0);
}

/* Proposes the charter and has every member vote FOR; the board must
 * then be active. */
static void s_adopt(s_run_t *r, const s_charter_t *c, char id[33])
{
    Concord__V1__Proposal p = s_proposal(r, c->ch.board_id, ADOPTION, 0);
    p.charter = (Concord__V1__Charter *)&c->ch;
    assert_int_equal(s_propose(r, c->ch.members[0]->code, &p, id), 0);
    for (size_t i = 0; i < c->ch.n_members; i++) {
        assert_int_equal(s_vote(r, c->ch.members[i]->code, c->ch.board_id, id, FOR), 0);
    }
    board_view_t v;
    assert_int_equal(board_get(r->e, c->ch.board_id, &v), 0);
    assert_true(v.active);
}

/* Asserts the last event was refused with code and a reason containing
 * text. */
static void s_refused(const s_run_t *r, int rc, cc_code_t code, const char *text)
{
    if (rc != -1 || r->err.code != code || !strstr(r->err.msg, text)) {
        print_error("expected %s containing \"%s\", got rc %d %s: %s\n", err_code_name(code), text,
                    rc, err_code_name(r->err.code), r->err.msg);
    }
    assert_int_equal(rc, -1);
    assert_int_equal(r->err.code, code);
    assert_non_null(strstr(r->err.msg, text));
}

/* Tallies a vote string directly: one character per member, F(or),
 * A(gainst), S (abstain) or '-' (no vote). */
static void s_tally_str(const Concord__V1__Charter *c, int kind, int area, const char *votes,
                        int final, board_tally_t *t)
{
    board_ballot_t ballots[64];
    size_t n = 0;
    assert_int_equal(strlen(votes), c->n_members);
    for (size_t i = 0; votes[i]; i++) {
        int v = votes[i] == 'F' ? FOR : votes[i] == 'A' ? AGAINST : votes[i] == 'S' ? ABSTAIN : 0;
        if (v) {
            ballots[n].member = i;
            ballots[n++].vote = v;
        }
    }
    board_tally(c, kind, area, ballots, n, final, t);
}

static int s_passes(const Concord__V1__Charter *c, const char *votes)
{
    board_tally_t t;
    s_tally_str(c, DECISION, ACUTE, votes, 1, &t);
    assert_true(t.decided);
    return t.passed;
}

/* ---- voting rules and quorum, tallied directly ---- */

static void test_board_majority_of_votes_cast(void **state)
{
    (void)state;
    s_charter_t c;
    board_tally_t t;
    s_small(&c, "MAJ", CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST, 2, 2);
    assert_true(s_passes(&c.ch, "FFA-"));
    assert_false(s_passes(&c.ch, "FA--")); /* a tie fails */
    assert_false(s_passes(&c.ch, "SSSS")); /* all abstain: 0 is not more than 0 */
    assert_false(s_passes(&c.ch, "F---")); /* 1 of 4 voted; 2 needed */
    assert_true(s_passes(&c.ch, "FS--"));  /* abstentions make the quorum */
    s_tally_str(&c.ch, DECISION, ACUTE, "FA--", 1, &t);
    assert_non_null(strstr(t.explanation, "1 FOR, 1 AGAINST, 0 ABSTAIN; 1 is not more than 1."));
    assert_non_null(strstr(t.explanation, "Outcome: FAILED (FOR did not outnumber AGAINST)."));
    s_tally_str(&c.ch, DECISION, ACUTE, "F---", 1, &t);
    assert_false(t.quorate);
    assert_non_null(
        strstr(t.explanation, "Quorum: 1 of 4 members voted (needs 2: 1/2 of 4): not quorate."));
}

static void test_board_absolute_majority_with_abstentions(void **state)
{
    (void)state;
    s_charter_t c;
    board_tally_t t;
    s_small(&c, "ABS", CONCORD__V1__VOTING_RULE__ABSOLUTE_MAJORITY, 3, 2);
    assert_false(s_passes(&c.ch, "FFSSS")); /* 2 FOR, no AGAINST, still not half of 5 */
    assert_true(s_passes(&c.ch, "FFFAA"));
    assert_true(s_passes(&c.ch, "FFFSS"));
    assert_false(s_passes(&c.ch, "FFA--")); /* FOR beats AGAINST but 4 is not more than 5 */
    s_tally_str(&c.ch, DECISION, ACUTE, "FFSSS", 1, &t);
    assert_non_null(strstr(t.explanation, "twice 2 is 4, not more than 5."));
    /* Even members: exactly half is not a majority. */
    s_small(&c, "ABS", CONCORD__V1__VOTING_RULE__ABSOLUTE_MAJORITY, 2, 2);
    assert_false(s_passes(&c.ch, "FFAS"));
    assert_true(s_passes(&c.ch, "FFFA"));
}

static void test_board_qualified_majority_boundary(void **state)
{
    (void)state;
    s_charter_t c;
    board_tally_t t;
    s_small(&c, "QM", CONCORD__V1__VOTING_RULE__QUALIFIED_MAJORITY, 3, 3);
    c.ch.qualified_numerator = 2;
    c.ch.qualified_denominator = 3;
    assert_true(s_passes(&c.ch, "FFFFAA")); /* 4 x 3 = 12 >= 2 x 6: exactly 2/3 passes */
    assert_true(s_passes(&c.ch, "FFAS--")); /* 2 of 3 cast, abstention not counted */
    assert_false(s_passes(&c.ch, "FFFAAA"));
    assert_false(s_passes(&c.ch, "SSSS--")); /* no FOR at all */
    s_tally_str(&c.ch, DECISION, ACUTE, "FFFFAA", 1, &t);
    assert_non_null(strstr(t.explanation, "4 FOR times 3 is 12, at least 2 times the 6 votes FOR"
                                          " or AGAINST (12)."));
    /* Just below the boundary: 667/1000 of 3 votes needs more than 2. */
    c.ch.qualified_numerator = 667;
    c.ch.qualified_denominator = 1000;
    assert_false(s_passes(&c.ch, "FFAS--"));
    c.ch.qualified_numerator = 666;
    assert_true(s_passes(&c.ch, "FFAS--"));
    s_tally_str(&c.ch, DECISION, ACUTE, "SSSS--", 1, &t);
    assert_non_null(strstr(t.explanation, "there is no FOR vote."));
}

static void test_board_unanimity_and_consensus(void **state)
{
    (void)state;
    s_charter_t c;
    board_tally_t t;
    s_small(&c, "UN", CONCORD__V1__VOTING_RULE__UNANIMITY, 2, 2);
    assert_true(s_passes(&c.ch, "FFFF"));
    assert_false(s_passes(&c.ch, "FFFS")); /* one abstention breaks unanimity */
    assert_false(s_passes(&c.ch, "FFF-"));
    s_small(&c, "CON", CONCORD__V1__VOTING_RULE__CONSENSUS, 2, 2);
    assert_true(s_passes(&c.ch, "SSSS"));  /* nobody objected, and quorate */
    assert_false(s_passes(&c.ch, "FFFA")); /* one objection */
    assert_false(s_passes(&c.ch, "S---")); /* no objection, but not quorate */
    s_tally_str(&c.ch, DECISION, ACUTE, "FFFA", 1, &t);
    assert_non_null(strstr(t.explanation, "Consensus: 3 FOR, 1 AGAINST, 0 ABSTAIN; a member"
                                          " objected."));
    /* With a zero quorum, silence is consent. */
    c.ch.quorum_numerator = 0;
    assert_true(s_passes(&c.ch, "----"));
}

static void test_board_double_majority(void **state)
{
    (void)state;
    s_charter_t c;
    board_tally_t t;
    s_small(&c, "DM", CONCORD__V1__VOTING_RULE__DOUBLE_MAJORITY, 2, 2);
    assert_true(s_passes(&c.ch, "F-F-"));
    assert_false(s_passes(&c.ch, "FFSS")); /* councils abstained: no majority there */
    assert_false(s_passes(&c.ch, "FF--")); /* a constituency with no voters fails */
    assert_false(s_passes(&c.ch, "FFFA")); /* a tie within a constituency fails */
    assert_false(s_passes(&c.ch, "FAFF"));
    s_tally_str(&c.ch, DECISION, ACUTE, "FFFA", 1, &t);
    assert_non_null(strstr(t.explanation, "Double majority: NHS 2 FOR, 0 AGAINST (majority); local"
                                          " government 1 FOR, 1 AGAINST (no majority).\n"));
    assert_non_null(strstr(t.explanation, "Outcome: FAILED (local government did not agree)."));
    assert_int_equal(t.by_constituency[NHS].votes_for, 2);
    assert_int_equal(t.by_constituency[LG].votes_against, 1);
    /* A third constituency with members must agree too. */
    s_member(&c, OUTSIDER, CONCORD__V1__CONSTITUENCY__OTHER, 1);
    assert_false(s_passes(&c.ch, "F-F--"));
    assert_true(s_passes(&c.ch, "F-F-F"));
}

/* A charter marks its board as a council's Health and Wellbeing Board
 * (Health and Social Care Act 2012 s194) only for an upper-tier council
 * among its members; a proposal names a BCF plan by a well-formed id. */
static void test_board_hwb_charter_and_bcf_plan(void **state)
{
    (void)state;
    s_charter_t c;
    cc_err_t err;
    s_charter(&c, "HWB", CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST);
    s_member(&c, s_councils[0], LG, 1);
    s_member(&c, s_ccgs[0], NHS, 1);
    c.ch.hwb_area = (char *)s_councils[0];
    assert_int_equal(board_check_charter(s_roster, &c.ch, &err), 0);
    c.ch.hwb_area = (char *)s_ccgs[0];
    assert_int_equal(board_check_charter(s_roster, &c.ch, &err), -1);
    assert_int_equal(err.code, CC_INVALID_ARGUMENT);
    assert_non_null(strstr(err.msg, "is marked as the Health and Wellbeing Board of"));
    assert_non_null(strstr(err.msg, "(Health and Social Care Act 2012 s194)"));
    c.ch.hwb_area = OUTSIDER2; /* an upper-tier council, but not a member */
    assert_int_equal(board_check_charter(s_roster, &c.ch, &err), -1);
    Concord__V1__Proposal p = CONCORD__V1__PROPOSAL__INIT;
    p.board_id = "HWB";
    p.title = "Agree the Better Care Fund plan";
    p.kind = DECISION;
    p.area = CONCORD__V1__SERVICE_AREA__SOCIAL_CARE;
    p.closes_at_ms = T0 + 1000;
    p.bcf_plan = "CUM-BCF-17";
    assert_int_equal(board_check_proposal(&p, T0, &err), 0);
    p.bcf_plan = "x";
    assert_int_equal(board_check_proposal(&p, T0, &err), -1);
    assert_non_null(strstr(err.msg, "BCF plan id 'x' must be 2 to 32"));
}

static void test_board_weighted(void **state)
{
    (void)state;
    s_charter_t c;
    board_tally_t t;
    cc_err_t err;
    s_charter(&c, "WEIGHTED", CONCORD__V1__VOTING_RULE__WEIGHTED);
    s_member(&c, s_ccgs[0], NHS, 60);
    s_member(&c, s_ccgs[1], NHS, 30);
    s_member(&c, s_councils[0], LG, 10);
    s_member(&c, s_councils[1], LG, 0);
    assert_int_equal(board_check_charter(s_roster, &c.ch, &err), 0);
    assert_true(s_passes(&c.ch, "FAAA"));  /* 60 against 40 */
    assert_false(s_passes(&c.ch, "AFFF")); /* 3 members, but 40 against 60 */
    assert_true(s_passes(&c.ch, "SFAS"));  /* 30 against 10 */
    assert_false(s_passes(&c.ch, "SAFS")); /* 10 against 30 */
    assert_true(s_passes(&c.ch, "SFSA"));  /* 30 against a weight of 0 */
    assert_false(s_passes(&c.ch, "SSSF")); /* FOR weighs nothing */
    s_tally_str(&c.ch, DECISION, ACUTE, "SSSF", 1, &t);
    assert_int_equal(t.weight_for, 0);
    assert_int_equal(t.weight_total, 100);
    assert_non_null(strstr(t.explanation, "no weight voted FOR."));
    s_tally_str(&c.ch, DECISION, ACUTE, "FAAA", 1, &t);
    assert_non_null(strstr(t.explanation, "Weighted vote: FOR weight 60, AGAINST weight 40, of 100"
                                          " in all; 60 is more than 40."));
    /* Weights adding up to nothing are refused with the charter. */
    for (size_t i = 0; i < 4; i++) {
        c.m[i].weight = 0;
    }
    assert_int_equal(board_check_charter(s_roster, &c.ch, &err), -1);
    assert_int_equal(err.code, CC_INVALID_ARGUMENT);
    assert_non_null(strstr(err.msg, "weights add up to 0"));
    /* ... and so are weights whose sum overflows. */
    c.m[0].weight = UINT64_MAX;
    c.m[1].weight = 1;
    assert_int_equal(board_check_charter(s_roster, &c.ch, &err), -1);
}

static void test_board_quorum_abstentions_and_constituencies(void **state)
{
    (void)state;
    s_charter_t c;
    board_tally_t t;
    s_small(&c, "Q", CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST, 2, 2);
    c.ch.quorum_numerator = 3;
    c.ch.quorum_denominator = 4;
    assert_true(s_passes(&c.ch, "FSS-")); /* 3 voters of 4, two of them abstaining */
    assert_false(s_passes(&c.ch, "FS--"));
    c.ch.quorum_numerator = 1;
    c.ch.quorum_denominator = 2;
    c.ch.quorum_each_constituency = 1;
    assert_false(s_passes(&c.ch, "FF--")); /* enough voters, but no council */
    assert_true(s_passes(&c.ch, "F-S-"));  /* a council abstaining is enough */
    s_tally_str(&c.ch, DECISION, ACUTE, "FF--", 1, &t);
    assert_string_equal(t.explanation,
                        "Quorum: 2 of 4 members voted (needs 2: 1/2 of 4); nobody from local"
                        " government voted: not quorate.\n"
                        "Majority of votes cast: 2 FOR, 0 AGAINST, 0 ABSTAIN; 2 is more than 0.\n"
                        "Outcome: FAILED (not quorate).");
    s_tally_str(&c.ch, DECISION, ACUTE, "F-S-", 1, &t);
    assert_true(t.quorate);
    assert_non_null(strstr(t.explanation, "(needs 2: 1/2 of 4); every constituency voted.\n"));
    assert_int_equal(t.all.voters, 2);
    assert_int_equal(t.all.abstentions, 1);
}

/* The explanation of the Greater Manchester board, word for word. */
static void test_board_explanation_sentences(void **state)
{
    (void)state;
    s_charter_t c;
    board_tally_t t;
    s_gm(&c, "GM-JCB");
    /* 12 CCGs: 9 FOR, 1 AGAINST, 2 silent; councils 3 FOR, 6 AGAINST, 1
     * silent; NHS England FOR. */
    s_tally_str(&c.ch, DECISION, PRIMARY_CARE, "FFFFFFFFFA--FFFAAAAAA-F", 1, &t);
    assert_string_equal(t.explanation,
                        "Quorum: 20 of 23 members voted (needs 12: 1/2 of 23); every constituency"
                        " voted.\n"
                        "Double majority: NHS 10 FOR, 1 AGAINST (majority); local government 3"
                        " FOR, 6 AGAINST (no majority).\n"
                        "Reserved matter: primary care needs X24's FOR: X24 voted FOR.\n"
                        "Outcome: FAILED (local government did not agree).");
    assert_int_equal(t.all.votes_for, 13);
    assert_int_equal(t.all.votes_against, 7);
    /* While open, it says where things stand. */
    s_tally_str(&c.ch, DECISION, ACUTE, "FFFFFFFFFFFF----------F", 0, &t);
    assert_false(t.decided);
    assert_non_null(strstr(t.explanation,
                           "Outcome so far: it would fail if voting closed now (not quorate; local"
                           " government did not agree); 10 members have yet to vote."));
}

/* ---- the engine ---- */

static void test_board_reserved_matter_needs_named_member(void **state)
{
    (void)state;
    s_run_t r;
    s_charter_t c;
    char adopt[33], gp[33], gp2[33];
    board_proposal_view_t pv;
    s_run_init(&r);
    s_gm(&c, "GM-JCB");
    s_adopt(&r, &c, adopt);
    /* Everyone FOR but NHS England, who abstains: the reserved matter
     * blocks it, and that is settled the moment it abstains. */
    assert_int_equal(s_decide(&r, s_ccgs[0], "GM-JCB", PRIMARY_CARE, gp), 0);
    assert_int_equal(s_vote(&r, NHSE, "GM-JCB", gp, ABSTAIN), 0);
    s_view(&r, gp, &pv);
    assert_true(pv.closed);
    assert_false(pv.tally.passed);
    assert_true(pv.tally.reserved_blocked);
    assert_non_null(strstr(pv.tally.explanation,
                           "Reserved matter: primary care needs X24's FOR: X24 abstained.\n"));
    assert_non_null(strstr(pv.tally.explanation, "no FOR from X24 on a reserved matter"));
    /* Settled, but every ballot is still recorded until the deadline. */
    assert_true(pv.settled);
    assert_true(pv.voting_open);
    assert_int_equal(s_vote(&r, s_ccgs[1], "GM-JCB", gp, FOR), 0);
    s_view(&r, gp, &pv);
    assert_int_equal(pv.n_ballots, 2);
    assert_false(pv.tally.passed);
    assert_non_null(strstr(pv.tally.explanation, "Settled at "));
    /* With its FOR, the same majority passes. */
    assert_int_equal(s_decide(&r, s_ccgs[0], "GM-JCB", PRIMARY_CARE, gp2), 0);
    for (int i = 0; i < 12; i++) {
        assert_int_equal(s_vote(&r, s_ccgs[i], "GM-JCB", gp2, FOR), 0);
    }
    for (int i = 0; i < 6; i++) {
        assert_int_equal(s_vote(&r, s_councils[i], "GM-JCB", gp2, FOR), 0);
    }
    s_view(&r, gp2, &pv);
    assert_false(pv.closed); /* X24 could still refuse */
    assert_int_equal(s_vote(&r, NHSE, "GM-JCB", gp2, FOR), 0);
    s_view(&r, gp2, &pv);
    assert_true(pv.closed);
    assert_true(pv.tally.passed);
    assert_non_null(strstr(pv.tally.explanation, "X24 voted FOR.\nOutcome: PASSED."));
    s_run_free(&r);
}

/* A member the charter names calls in a passed decision with its reasons. */
static int s_call_in(s_run_t *r, const char *sender, const char *board, const char *pid,
                     const char *reasons)
{
    uint8_t call_id[16];
    Concord__V1__CallIn ci = CONCORD__V1__CALL_IN__INIT;
    ci.board_id = (char *)board;
    ci.proposal_id = (char *)pid;
    ci.reasons = (char *)reasons;
    s_call_id(r, call_id);
    return s_msg(r, sender, BOARD_METHOD_CALL_IN, &ci.base, call_id);
}

static int s_reconsider(s_run_t *r, const char *sender, const char *board, const char *pid,
                        int what, char id[33])
{
    Concord__V1__Proposal p = s_proposal(r, board, CONCORD__V1__PROPOSAL_KIND__RECONSIDERATION, 0);
    p.title = "Reconsider the decision called in";
    p.reconsiders = (char *)pid;
    p.reconsider = (Concord__V1__Reconsider)what;
    return s_propose(r, sender, &p, id);
}

/* A decision passes, but takes effect only after 5 working days; one
 * called in is suspended until the board confirms or withdraws it. */
static void test_board_call_in(void **state)
{
    (void)state;
    s_run_t r;
    s_charter_t c;
    char adopt[33], a[33], b[33], d[33], re[33];
    char *by[] = {(char *)s_councils[0]};
    board_proposal_view_t pv;
    s_run_init(&r);
    s_small(&c, "CALL", CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST, 2, 2);
    c.ch.call_in_working_days = 5;
    c.ch.call_in_by = by;
    c.ch.n_call_in_by = 1;
    s_adopt(&r, &c, adopt); /* an adoption is never called in */
    const char *yes[] = {s_ccgs[0], s_ccgs[1], s_councils[1]};
    assert_int_equal(s_decide(&r, s_ccgs[0], "CALL", ACUTE, a), 0);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(s_vote(&r, yes[i], "CALL", a, FOR), 0);
    }
    s_view(&r, a, &pv);
    assert_true(pv.closed && pv.tally.passed);
    assert_true(pv.pending);
    assert_false(pv.effective);
    /* Decided on Tuesday 24 November 2026: five working days to Tuesday 1 December. */
    assert_int_equal(pv.effective_ms, 1796169599999ull);
    assert_non_null(strstr(pv.tally.explanation,
                           "Call-in: 5 working days (England and Wales) after the decision, to"
                           " 2026-12-01T23:59:59.999Z (Local Government Act 2000 s9F); not in"
                           " effect before then, unless called in."));
    /* Only a member the charter names, with reasons, once. */
    s_refused(&r, s_call_in(&r, s_ccgs[1], "CALL", a, "Value for money"), CC_PERMISSION_DENIED,
              "may not call in decisions of board CALL");
    s_refused(&r, s_call_in(&r, s_councils[0], "CALL", a, ""), CC_INVALID_ARGUMENT,
              "gives its reasons");
    assert_int_equal(s_call_in(&r, s_councils[0], "CALL", a, "Not on the forward plan"), 0);
    s_refused(&r, s_call_in(&r, s_councils[0], "CALL", a, "Again"), CC_ALREADY_EXISTS,
              "already called in");
    s_view(&r, a, &pv);
    assert_true(pv.called_in);
    assert_false(pv.effective);
    assert_non_null(strstr(pv.tally.explanation, "Called in by E08000001 at "));
    assert_non_null(strstr(pv.tally.explanation, ": Not on the forward plan. Suspended until the"
                                                 " board reconsiders it."));
    /* Another decision, not called in, takes effect after the period. */
    assert_int_equal(s_decide(&r, s_ccgs[0], "CALL", ACUTE, b), 0);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(s_vote(&r, yes[i], "CALL", b, FOR), 0);
    }
    /* A reconsideration only of a decision called in. */
    s_refused(&r, s_reconsider(&r, s_ccgs[0], "CALL", b, CONCORD__V1__RECONSIDER__CONFIRM, re),
              CC_FAILED_PRECONDITION, "is not called in");
    /* The board confirms the first: it takes effect then. */
    assert_int_equal(s_reconsider(&r, s_ccgs[0], "CALL", a, CONCORD__V1__RECONSIDER__CONFIRM, re),
                     0);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(s_vote(&r, yes[i], "CALL", re, FOR), 0);
    }
    s_view(&r, re, &pv);
    assert_true(pv.effective); /* a reconsideration is not called in */
    s_view(&r, a, &pv);
    assert_true(pv.effective);
    assert_int_equal(pv.resolved, CONCORD__V1__RECONSIDER__CONFIRM);
    assert_non_null(strstr(pv.tally.explanation, "confirmed, and in effect from then."));
    s_view(&r, b, &pv);
    assert_false(pv.effective);
    /* Past the period: in effect, and too late to call in. */
    r.now = pv.effective_ms + SECOND;
    s_view(&r, b, &pv);
    assert_true(pv.effective);
    s_refused(&r, s_call_in(&r, s_councils[0], "CALL", b, "Too late"), CC_FAILED_PRECONDITION,
              "it took effect at the end of its call-in period");
    s_view(&r, b, &pv);
    assert_non_null(strstr(pv.tally.explanation, "not called in, so in effect from then."));
    /* Withdrawn: never in effect. */
    assert_int_equal(s_decide(&r, s_ccgs[0], "CALL", ACUTE, d), 0);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(s_vote(&r, yes[i], "CALL", d, FOR), 0);
    }
    assert_int_equal(s_call_in(&r, s_councils[0], "CALL", d, "Consultation was inadequate"), 0);
    assert_int_equal(s_reconsider(&r, s_ccgs[0], "CALL", d, CONCORD__V1__RECONSIDER__WITHDRAW, re),
                     0);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(s_vote(&r, yes[i], "CALL", re, FOR), 0);
    }
    r.now += 30 * DAY;
    s_view(&r, d, &pv);
    assert_false(pv.effective);
    assert_non_null(strstr(pv.tally.explanation, "withdrawn, so it never takes effect."));
    s_refused(&r, s_reconsider(&r, s_ccgs[0], "CALL", d, CONCORD__V1__RECONSIDER__CONFIRM, re),
              CC_FAILED_PRECONDITION, "not called in and awaiting reconsideration");
    /* A charter naming a non-member, or callers without a period, is invalid. */
    cc_err_t err;
    c.ch.call_in_working_days = 0;
    assert_int_equal(board_check_charter(s_roster, &c.ch, &err), -1);
    assert_non_null(strstr(err.msg, "sets no call-in period"));
    c.ch.call_in_working_days = 21;
    assert_int_equal(board_check_charter(s_roster, &c.ch, &err), -1);
    assert_non_null(strstr(err.msg, "over 20"));
    s_run_free(&r);
}

static int s_ratify(s_run_t *r, const char *sender, const char *pid, int declined)
{
    uint8_t call_id[16];
    Concord__V1__Ratification ra = CONCORD__V1__RATIFICATION__INIT;
    ra.board_id = "SHADOW";
    ra.proposal_id = (char *)pid;
    ra.declined = declined;
    ra.authority = declined ? "Executive" : "Cabinet";
    ra.decision_ref = "CAB/16/7";
    ra.decision_date = "2016-03-29";
    s_call_id(r, call_id);
    return s_msg(r, sender, BOARD_METHOD_RATIFY, &ra.base, call_id);
}

/* A shadow board only recommends: each body it names ratifies or declines
 * with its own act; one refusal stops it, ratification by all brings it
 * into effect. */
static void test_board_shadow_board_ratification(void **state)
{
    (void)state;
    s_run_t r;
    s_charter_t c;
    char adopt[33], a[33], b[33];
    char *bodies[] = {(char *)s_ccgs[0], (char *)s_councils[0], (char *)s_councils[1]};
    board_proposal_view_t pv;
    cc_err_t err;
    s_run_init(&r);
    s_small(&c, "SHADOW", CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST, 2, 2);
    assert_int_equal(board_check_charter(s_roster, &c.ch, &err), 0);
    c.ch.ratifiers = bodies;
    c.ch.n_ratifiers = 3;
    assert_int_equal(board_check_charter(s_roster, &c.ch, &err), -1); /* a joint committee */
    assert_non_null(strstr(err.msg, "only an advisory board names any"));
    c.ch.kind = CONCORD__V1__BOARD_KIND__ADVISORY;
    s_adopt(&r, &c, adopt);
    const char *yes[] = {s_ccgs[0], s_ccgs[1], s_councils[1]};
    assert_int_equal(s_decide(&r, s_ccgs[0], "SHADOW", ACUTE, a), 0);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(s_vote(&r, yes[i], "SHADOW", a, FOR), 0);
    }
    s_view(&r, a, &pv);
    assert_true(pv.closed && pv.tally.passed);
    assert_false(pv.effective);
    assert_non_null(strstr(pv.tally.explanation, "Recommendation of an advisory board"));
    s_refused(&r, s_ratify(&r, s_ccgs[1], a, 0), CC_PERMISSION_DENIED,
              "is not one of the bodies that ratify");
    assert_int_equal(s_ratify(&r, s_ccgs[0], a, 0), 0);
    s_refused(&r, s_ratify(&r, s_ccgs[0], a, 0), CC_ALREADY_EXISTS, "already ratified");
    assert_int_equal(s_ratify(&r, s_councils[0], a, 0), 0);
    s_view(&r, a, &pv);
    assert_false(pv.effective);
    assert_int_equal(pv.ratified, 2);
    assert_int_equal(s_ratify(&r, s_councils[1], a, 1), 0);
    s_view(&r, a, &pv);
    assert_false(pv.effective);
    assert_int_equal(pv.declined, 1);
    assert_non_null(strstr(pv.tally.explanation, "E08000002 declined it: Executive, CAB/16/7 of"
                                                 " 2016-03-29. Declined, so it never takes"
                                                 " effect."));
    /* Ratified by all three: in effect. */
    assert_int_equal(s_decide(&r, s_ccgs[0], "SHADOW", ACUTE, b), 0);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(s_vote(&r, yes[i], "SHADOW", b, FOR), 0);
    }
    for (int i = 0; i < 3; i++) {
        assert_int_equal(s_ratify(&r, bodies[i], b, 0), 0);
    }
    s_view(&r, b, &pv);
    assert_true(pv.effective);
    assert_non_null(strstr(pv.tally.explanation, "Ratified by all: in effect."));
    s_run_free(&r);

    /* With a time limit of 5 working days: a body that acts within it is
     * recorded; one that has not acted by then is refused, the
     * recommendation lapses for it and never takes effect. */
    s_run_init(&r);
    c.ch.ratify_working_days = 61;
    assert_int_equal(board_check_charter(s_roster, &c.ch, &err), -1);
    assert_non_null(strstr(err.msg, "1 to 60 working days"));
    c.ch.ratify_working_days = 5;
    s_adopt(&r, &c, adopt);
    assert_int_equal(s_decide(&r, s_ccgs[0], "SHADOW", ACUTE, a), 0);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(s_vote(&r, yes[i], "SHADOW", a, FOR), 0);
    }
    assert_int_equal(s_ratify(&r, s_ccgs[0], a, 0), 0);
    assert_int_equal(s_ratify(&r, s_councils[0], a, 0), 0);
    s_view(&r, a, &pv);
    assert_true(pv.ratify_by_ms > r.now);
    assert_int_equal(pv.lapsed, 0);
    assert_non_null(strstr(pv.tally.explanation, "(5 working days, England and Wales, by its"
                                                 " charter)"));
    r.now = pv.ratify_by_ms + 1;
    s_view(&r, a, &pv);
    assert_int_equal(pv.lapsed, 1);
    assert_false(pv.effective);
    assert_non_null(strstr(pv.tally.explanation, "E08000002 let the time limit pass: it lapsed for"
                                                 " this body. Lapsed, so it never takes effect."));
    s_refused(&r, s_ratify(&r, s_councils[1], a, 0), CC_DEADLINE_EXCEEDED,
              "the time limit for ratifying recommendation");
    s_run_free(&r);
}

/* A committee in common: each body decides its own motion under its own
 * rule; the joint outcome carries only when the bodies that must agree
 * did. The council's five representatives decide by majority with three
 * voting: 1 FOR, 2 AGAINST is its refusal, whatever its ballot says. */
static void test_board_committee_in_common_tally(void **state)
{
    (void)state;
    s_charter_t c;
    cc_err_t err;
    board_tally_t t;
    s_small(&c, "CIC", CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST, 2, 1);
    c.m[2].representatives = 5;
    c.m[2].own_rule = CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST;
    c.m[2].own_quorum = 3;
    assert_int_equal(board_check_charter(s_roster, &c.ch, &err), -1); /* a joint committee */
    assert_non_null(strstr(err.msg, "only the bodies of a committee in common"));
    c.ch.kind = CONCORD__V1__BOARD_KIND__COMMITTEE_IN_COMMON;
    assert_int_equal(board_check_charter(s_roster, &c.ch, &err), 0);
    c.m[2].own_quorum = 6;
    assert_int_equal(board_check_charter(s_roster, &c.ch, &err), -1);
    assert_non_null(strstr(err.msg, "a quorum of at most that many"));
    c.m[2].own_quorum = 3;
    board_ballot_t b[3] = {{.member = 0, .vote = FOR},
                           {.member = 1, .vote = FOR},
                           {.member = 2, .vote = FOR, .reps = {1, 2, 0}}};
    board_tally(&c.ch, DECISION, ACUTE, b, 3, 1, &t);
    assert_false(t.passed);
    assert_non_null(strstr(t.explanation, "E08000001 (5 representatives; majority, at least 3"
                                          " voting): 1 FOR, 2 AGAINST, 0 ABSTAIN: did not"
                                          " agree."));
    assert_non_null(strstr(t.explanation, "(E08000001 did not agree)"));
    /* Its own quorum: two representatives voting are not enough. */
    b[2].reps[0] = 2, b[2].reps[1] = 0;
    board_tally(&c.ch, DECISION, ACUTE, b, 3, 1, &t);
    assert_false(t.passed);
    b[2].reps[2] = 1;
    board_tally(&c.ch, DECISION, ACUTE, b, 3, 1, &t);
    assert_true(t.passed);
    /* Only the bodies named must agree: a CCG's refusal is then its own. */
    char *must[] = {(char *)s_ccgs[0], (char *)s_councils[0]};
    c.ch.must_agree = must;
    c.ch.n_must_agree = 2;
    assert_int_equal(board_check_charter(s_roster, &c.ch, &err), 0);
    b[1].vote = AGAINST;
    board_tally(&c.ch, DECISION, ACUTE, b, 3, 1, &t);
    assert_true(t.passed);
    assert_non_null(strstr(t.explanation, "did not agree (its agreement is not needed)."));
    /* Settled as soon as a body that must agree has refused. */
    board_ballot_t first = {.member = 0, .vote = AGAINST};
    board_tally(&c.ch, DECISION, ACUTE, &first, 1, 0, &t);
    assert_true(t.decided);
    assert_false(t.passed);
}

/* ---- audiences (PROTOCOL.md section 16.9) ---- */

static int s_collect_code(const char *code, void *arg)
{
    char *out = arg;
    strcat(out, code);
    strcat(out, " ");
    return 0;
}

/* The audience of the next event sender would send as method with body m. */
static int s_audience_of(const s_run_t *r, const char *sender, const char *method,
                         const ProtobufCMessage *m, char out[BOARD_AUDIENCE_MAX + 1])
{
    uint8_t *body = NULL, call_id[16] = {0x77}, hash[32] = {0};
    size_t len = 0;
    cc_err_t err;
    assert_int_equal(wire_pack(m, WIRE_MAX_FRAME, &body, &len, NULL), 0);
    board_event_t ev = {.sender = sender, .log_index = r->index + 1, .time_ms = r->now,
                        .call_id = call_id, .hash = hash, .method = method, .body = body,
                        .body_len = len};
    int rc = board_audience(r->e, &ev, out, &err);
    free(body);
    return rc;
}

static void test_board_audiences(void **state)
{
    (void)state;
    s_run_t r;
    s_charter_t c;
    char adopt[33], pid[33], mc[33], who[256] = "", to[BOARD_AUDIENCE_MAX + 1];
    s_run_init(&r);
    s_small(&c, "AUD", CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST, 2, 1);
    s_adopt(&r, &c, adopt);
    assert_int_equal(board_audience_members(r.e, "AUD", s_collect_code, who), 0);
    assert_string_equal(who, "E38000016 E38000024 E08000001 ");
    assert_int_equal(board_audience_members(r.e, "NOPE", s_collect_code, who), -1);

    /* What the board is goes to everyone; what it does, to its members. */
    Concord__V1__Proposal p = s_proposal(&r, "AUD", DECISION, ACUTE);
    assert_int_equal(s_audience_of(&r, s_ccgs[0], BOARD_METHOD_PROPOSE, &p.base, to), 0);
    assert_string_equal(to, "board:AUD");
    Concord__V1__BoardMember m = CONCORD__V1__BOARD_MEMBER__INIT;
    Concord__V1__MembershipChange ch = CONCORD__V1__MEMBERSHIP_CHANGE__INIT;
    m.code = OUTSIDER;
    m.constituency = NHS;
    ch.action = CONCORD__V1__MEMBERSHIP_ACTION__ADMIT;
    ch.member = &m;
    Concord__V1__Proposal admit = s_proposal(&r, "AUD", MEMBERSHIP, 0);
    admit.membership = &ch;
    assert_int_equal(s_audience_of(&r, s_ccgs[0], BOARD_METHOD_PROPOSE, &admit.base, to), 0);
    assert_string_equal(to, "*");

    /* The engine refuses an event addressed otherwise, and nothing changes. */
    uint8_t call_id[16], hash[32] = {0x42};
    uint8_t *body = NULL;
    size_t len = 0;
    assert_int_equal(wire_pack(&p.base, WIRE_MAX_FRAME, &body, &len, NULL), 0);
    s_call_id(&r, call_id);
    board_event_t ev = {.sender = s_ccgs[0], .log_index = ++r.index, .time_ms = r.now,
                        .call_id = call_id, .hash = hash, .method = BOARD_METHOD_PROPOSE,
                        .recipient = "*", .body = body, .body_len = len};
    r.now += SECOND;
    s_refused(&r, board_apply(r.e, &ev, &r.err), CC_INVALID_ARGUMENT,
              "addressed to \"*\", but its audience is \"board:AUD\"");
    size_t before = board_proposal_count(r.e);
    ev.recipient = "board:AUD";
    ev.log_index = ++r.index;
    ev.time_ms = r.now;
    board_proposal_id(call_id, pid);
    assert_int_equal(board_apply(r.e, &ev, &r.err), 0);
    assert_int_equal(board_proposal_count(r.e), before + 1);
    free(body);

    /* A ballot goes where its proposal went. */
    Concord__V1__Ballot b = CONCORD__V1__BALLOT__INIT;
    b.board_id = "AUD";
    b.proposal_id = pid;
    b.vote = FOR;
    assert_int_equal(s_audience_of(&r, s_ccgs[1], BOARD_METHOD_VOTE, &b.base, to), 0);
    assert_string_equal(to, "board:AUD");
    assert_int_equal(s_propose(&r, s_ccgs[0], &admit, mc), 0);
    b.proposal_id = mc;
    assert_int_equal(s_audience_of(&r, s_ccgs[1], BOARD_METHOD_VOTE, &b.base, to), 0);
    assert_string_equal(to, "*");
    /* A ballot on a proposal the engine does not know has no audience. */
    b.proposal_id = "00000000000000000000000000000000";
    assert_int_equal(s_audience_of(&r, s_ccgs[1], BOARD_METHOD_VOTE, &b.base, to), -1);

    /* Once the admission passes, the newcomer is in the audience. */
    for (int i = 0; i < 3; i++) {
        s_vote(&r, c.ch.members[i]->code, "AUD", mc, FOR);
    }
    who[0] = 0;
    assert_int_equal(board_audience_members(r.e, "AUD", s_collect_code, who), 0);
    assert_non_null(strstr(who, OUTSIDER));
    s_run_free(&r);
}

/* ---- exempt items (PROTOCOL.md section 16.10) ---- */

/* Seals content to the first n members of c (their roster keys) into x. */
static void s_seal_to(const s_charter_t *c, size_t n, Concord__V1__Exemption *x,
                      uint8_t key[EXEMPT_KEY_LEN])
{
    const char *codes[8];
    uint8_t pks[8][32];
    cc_err_t err;
    for (size_t i = 0; i < n; i++) {
        roster_org_t o;
        codes[i] = c->ch.members[i]->code;
        assert_int_equal(roster_lookup(s_roster, codes[i], &o), 0);
        memcpy(pks[i], o.sign_pk, 32);
    }
    Concord__V1__ExemptContent content = CONCORD__V1__EXEMPT_CONTENT__INIT;
    content.title = "Sale of the Mount Gould site";
    assert_int_equal(exempt_seal(x, &content, codes, (const uint8_t(*)[32])pks, n, key, &err), 0);
    x->reason = "LGA 1972 Sch 12A para 3";
    x->release_on = "2026-01-01";
}

static int s_release(s_run_t *r, const char *sender, const char *pid, const uint8_t *key)
{
    uint8_t call_id[16];
    Concord__V1__Release rl = CONCORD__V1__RELEASE__INIT;
    rl.board_id = "EXM";
    rl.proposal_id = (char *)pid;
    rl.content_key.data = (uint8_t *)key;
    rl.content_key.len = EXEMPT_KEY_LEN;
    s_call_id(r, call_id);
    return s_msg(r, sender, BOARD_METHOD_RELEASE, &rl.base, call_id);
}

static void test_board_exempt_items(void **state)
{
    (void)state;
    s_run_t r;
    s_charter_t c;
    char adopt[33], pid[33], later[33];
    uint8_t key[EXEMPT_KEY_LEN], other[EXEMPT_KEY_LEN] = {1};
    s_run_init(&r);
    s_small(&c, "EXM", CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST, 2, 1);
    s_adopt(&r, &c, adopt);

    /* The key must be sealed to every member. */
    Concord__V1__Exemption x = CONCORD__V1__EXEMPTION__INIT;
    s_seal_to(&c, 2, &x, key);
    Concord__V1__Proposal p = s_proposal(&r, "EXM", DECISION, ACUTE);
    p.title = "Exempt item (LGA 1972 Sch 12A para 3)";
    p.effective_date = "";
    p.exempt = &x;
    s_refused(&r, s_propose(&r, s_ccgs[0], &p, pid), CC_INVALID_ARGUMENT,
              "sealed to every member of board EXM: none for E08000001");
    exempt_clear(&x);
    s_seal_to(&c, 3, &x, key);
    /* Only a commissioning decision may be exempt, on a ground of the statutes. */
    p.kind = MEMBERSHIP;
    s_refused(&r, s_propose(&r, s_ccgs[0], &p, pid), CC_INVALID_ARGUMENT,
              "only a commissioning decision may be exempt");
    p.kind = DECISION;
    x.reason = "Sch12A para 3";
    s_refused(&r, s_propose(&r, s_ccgs[0], &p, pid), CC_INVALID_ARGUMENT,
              "is written 'LGA 1972 Sch 12A para 3'");
    x.reason = "LGA 1972 Sch 12A para 3";
    assert_int_equal(s_propose(&r, s_ccgs[0], &p, pid), 0);
    assert_int_equal(s_vote(&r, s_ccgs[0], "EXM", pid, FOR), 0);
    assert_int_equal(s_vote(&r, s_ccgs[1], "EXM", pid, FOR), 0);
    board_proposal_view_t pv;
    s_view(&r, pid, &pv);
    assert_true(pv.tally.passed);
    assert_false(pv.released);

    /* Its proposer releases it, with the key that opens it, once. */
    s_refused(&r, s_release(&r, s_ccgs[1], pid, key), CC_PERMISSION_DENIED,
              "only E38000016, who proposed exempt item");
    s_refused(&r, s_release(&r, s_ccgs[0], pid, other), CC_INVALID_ARGUMENT,
              "the content key does not open the exempt item");
    assert_int_equal(s_release(&r, s_ccgs[0], pid, key), 0);
    s_view(&r, pid, &pv);
    assert_true(pv.released);
    assert_memory_equal(pv.content_key, key, EXEMPT_KEY_LEN);
    s_refused(&r, s_release(&r, s_ccgs[0], pid, key), CC_ALREADY_EXISTS, "already released");
    exempt_clear(&x);

    /* Not before its release date. */
    s_seal_to(&c, 3, &x, key);
    x.release_on = "2099-01-01";
    assert_int_equal(s_propose(&r, s_ccgs[0], &p, later), 0);
    s_refused(&r, s_release(&r, s_ccgs[0], later, key), CC_FAILED_PRECONDITION,
              "until its release date, 2099-01-01");
    exempt_clear(&x);
    s_run_free(&r);
}

/* ---- meetings and forward plans (meeting_rules.h) ---- */

static int s_meeting(s_run_t *r, const char *sender, const char *board, uint64_t starts,
                     int remote, const char *const *items, size_t n, const char *urgent,
                     char id[33])
{
    uint8_t call_id[16];
    Concord__V1__Meeting m = CONCORD__V1__MEETING__INIT;
    Concord__V1__AgendaItem it[4], *ip[4];
    assert_true(n <= 4);
    m.board_id = (char *)board;
    m.title = "Board meeting";
    m.place = remote ? "Video link" : "Manchester Town Hall";
    m.remote = remote;
    m.starts_at_ms = starts;
    m.ends_at_ms = starts + HOUR;
    for (size_t i = 0; i < n; i++) {
        concord__v1__agenda_item__init(&it[i]);
        it[i].proposal_id = (char *)items[i];
        it[i].urgency_reason = (char *)(urgent ? urgent : "");
        ip[i] = &it[i];
    }
    m.items = ip;
    m.n_items = n;
    s_call_id(r, call_id);
    board_proposal_id(call_id, id);
    return s_msg(r, sender, BOARD_METHOD_MEETING, &m.base, call_id);
}

static int s_attend(s_run_t *r, const char *sender, const char *board, const char *mid,
                    const char *member, int status)
{
    uint8_t call_id[16];
    Concord__V1__Attendance a = CONCORD__V1__ATTENDANCE__INIT;
    a.board_id = (char *)board;
    a.meeting_id = (char *)mid;
    a.member = (char *)member;
    a.status = (Concord__V1__AttendanceStatus)status;
    if (status == CONCORD__V1__ATTENDANCE_STATUS__SUBSTITUTED) {
        a.person = "Cllr Morris";
        a.substitute_for = "Cllr Cox";
    }
    s_call_id(r, call_id);
    return s_msg(r, sender, BOARD_METHOD_ATTENDANCE, &a.base, call_id);
}

static int s_cast(s_run_t *r, const char *sender, const char *board, const char *pid, int vote,
                  int casting)
{
    uint8_t call_id[16];
    Concord__V1__Ballot b = CONCORD__V1__BALLOT__INIT;
    b.board_id = (char *)board;
    b.proposal_id = (char *)pid;
    b.vote = (Concord__V1__Vote)vote;
    b.casting_vote = (Concord__V1__Vote)casting;
    s_call_id(r, call_id);
    return s_msg(r, sender, BOARD_METHOD_VOTE, &b.base, call_id);
}

typedef struct {
    const s_run_t *r;
    board_engine_t *into;
    size_t n;
} s_replay_t;

/* Folds the logged event at log_index into another engine: each event a
 * certificate carries must fold. */
static int s_replay_one(uint64_t log_index, const uint8_t hash[32], void *arg)
{
    s_replay_t *x = arg;
    cc_err_t err;
    (void)hash;
    for (size_t i = 0; i < x->r->log.n; i++) {
        if (x->r->log.at[i].log_index == log_index) {
            board_event_t ev = unit_log_event(&x->r->log.at[i]);
            if (board_apply(x->into, &ev, &err) < 0) {
                fail_msg("event at %llu does not fold: %s", (unsigned long long)log_index,
                         err.msg);
            }
            x->n++;
            return 0;
        }
    }
    fail_msg("no event at %llu", (unsigned long long)log_index);
    return -1;
}

/* A meeting with late items taken as urgent, attendance (once each), only
 * those present voting while it sits, quorum by attendance, the chair's
 * casting vote, the approval of its minutes at the next meeting; a
 * council's key decision on the forward plan 28 clear days ahead. Every
 * refusal changes nothing. */
static void test_board_meetings(void **state)
{
    (void)state;
    s_run_t r;
    s_charter_t c;
    char adopt[33], a[33], b[33], m1[33], m2[33], bad[33], key[33];
    board_proposal_view_t pv;
    board_meeting_view_t mv;
    Concord__V1__KeyDecisionThreshold k = CONCORD__V1__KEY_DECISION_THRESHOLD__INIT;
    Concord__V1__KeyDecisionThreshold *kp[] = {&k};
    const char *chair = s_councils[0];
    s_run_init(&r);
    s_small(&c, "MTG", CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST, 2, 2);
    c.ch.chair = (char *)chair;
    c.ch.chair_casting_vote = 1;
    k.member = (char *)chair;
    k.amount_pence = 50000000;
    c.ch.key_decision_thresholds = kp;
    c.ch.n_key_decision_thresholds = 1;
    s_adopt(&r, &c, adopt);
    assert_int_equal(s_decide(&r, s_ccgs[0], "MTG", ACUTE, a), 0);
    assert_int_equal(s_decide(&r, s_ccgs[0], "MTG", ACUTE, b), 0);
    const char *items[] = {a, b};
    uint64_t starts = r.now + 20 * SECOND;
    s_refused(&r, s_meeting(&r, chair, "MTG", r.now - HOUR, 0, items, 2, "Urgent", bad),
              CC_FAILED_PRECONDITION, "a meeting in the past");
    s_refused(&r, s_meeting(&r, chair, "MTG", starts, 1, items, 2, "Urgent", bad),
              CC_FAILED_PRECONDITION, "must meet in person");
    s_refused(&r, s_meeting(&r, chair, "MTG", starts, 0, items, 2, NULL, bad),
              CC_FAILED_PRECONDITION, "s100B(3)");
    s_refused(&r, s_meeting(&r, s_ccgs[1], "MTG", starts, 0, items, 2, "Urgent", bad),
              CC_PERMISSION_DENIED, "only the chair, a co-chair or the secretary");
    assert_int_equal(board_meeting_count(r.e), 0);
    assert_int_equal(s_meeting(&r, chair, "MTG", starts, 0, items, 2, "Winter pressures", m1), 0);
    s_refused(&r, s_meeting(&r, chair, "MTG", starts, 0, items, 1, "Again", bad),
              CC_ALREADY_EXISTS, "already on the agenda");
    /* Attendance, once each; only who runs the meetings records it. */
    assert_int_equal(
        s_attend(&r, chair, "MTG", m1, chair, CONCORD__V1__ATTENDANCE_STATUS__ATTENDED), 0);
    assert_int_equal(s_attend(&r, chair, "MTG", m1, s_ccgs[0],
                              CONCORD__V1__ATTENDANCE_STATUS__ATTENDED), 0);
    assert_int_equal(s_attend(&r, chair, "MTG", m1, s_councils[1],
                              CONCORD__V1__ATTENDANCE_STATUS__SUBSTITUTED), 0);
    assert_int_equal(s_attend(&r, chair, "MTG", m1, s_ccgs[1],
                              CONCORD__V1__ATTENDANCE_STATUS__APOLOGIES), 0);
    s_refused(&r,
              s_attend(&r, chair, "MTG", m1, s_ccgs[0], CONCORD__V1__ATTENDANCE_STATUS__APOLOGIES),
              CC_ALREADY_EXISTS, "attendance recorded twice");
    s_refused(&r, s_attend(&r, s_ccgs[1], "MTG", m1, s_ccgs[1],
                           CONCORD__V1__ATTENDANCE_STATUS__ATTENDED),
              CC_PERMISSION_DENIED, "only the chair");
    board_meeting_at(r.e, 0, &mv);
    assert_int_equal(mv.n_attendance, 4);
    assert_int_equal(mv.n_items, 2);
    /* Ballots only while it sits, from those present; casting only the chair's. */
    s_refused(&r, s_vote(&r, s_ccgs[0], "MTG", a, FOR), CC_FAILED_PRECONDITION,
              "while the meeting sits");
    r.now = starts + SECOND;
    s_refused(&r, s_vote(&r, s_ccgs[1], "MTG", a, FOR), CC_PERMISSION_DENIED,
              "not recorded present");
    s_refused(&r, s_cast(&r, s_ccgs[0], "MTG", a, FOR, FOR), CC_INVALID_ARGUMENT,
              "only the chair's");
    assert_int_equal(s_vote(&r, s_ccgs[0], "MTG", a, FOR), 0);
    assert_int_equal(s_vote(&r, s_councils[1], "MTG", a, AGAINST), 0);
    s_view(&r, a, &pv);
    assert_false(pv.closed);
    assert_int_equal(s_cast(&r, chair, "MTG", a, ABSTAIN, FOR), 0);
    s_view(&r, a, &pv);
    assert_true(pv.closed && pv.tally.passed);
    assert_true(pv.tally.by_attendance && pv.tally.casting_used);
    assert_int_equal(pv.tally.present, 3);
    assert_string_equal(pv.tally.casting_by, chair);
    /* Without a casting vote cast FOR or AGAINST the equality fails. */
    assert_int_equal(s_vote(&r, s_ccgs[0], "MTG", b, FOR), 0);
    assert_int_equal(s_vote(&r, s_councils[1], "MTG", b, AGAINST), 0);
    assert_int_equal(s_vote(&r, chair, "MTG", b, ABSTAIN), 0);
    s_view(&r, b, &pv);
    assert_true(pv.closed);
    assert_false(pv.tally.passed);
    /* The certificate's events fold in a fresh engine, to the same tally. */
    s_view(&r, a, &pv);
    s_replay_t x = {.r = &r, .into = board_engine_new(s_roster)};
    assert_non_null(x.into);
    assert_int_equal(board_certificate_events_for(r.e, "MTG", a, pv.last_index,
                                                  BOARD_CERT_COMPACT, s_replay_one, &x),
                     0);
    board_proposal_view_t again;
    cc_err_t err;
    assert_int_equal(board_proposal_find(x.into, a, r.now, &again, &err), 0);
    assert_true(again.tally.passed && again.tally.casting_used);
    assert_int_equal(again.tally.present, 3);
    board_engine_destroy(&x.into);
    /* Minutes: approved by the chair while the next meeting sits, once. */
    uint64_t next = r.now + 10 * SECOND;
    assert_int_equal(s_meeting(&r, chair, "MTG", next, 0, NULL, 0, NULL, m2), 0);
    uint8_t sha[32] = {1};
    uint8_t call_id[16];
    Concord__V1__MinutesApproval ma = CONCORD__V1__MINUTES_APPROVAL__INIT;
    ma.board_id = "MTG";
    ma.meeting_id = m1;
    ma.at_meeting_id = m2;
    ma.minutes_sha256.data = sha;
    ma.minutes_sha256.len = 32;
    s_call_id(&r, call_id);
    s_refused(&r, s_msg(&r, chair, BOARD_METHOD_MINUTES, &ma.base, call_id),
              CC_FAILED_PRECONDITION, "while meeting");
    r.now = next + SECOND;
    s_call_id(&r, call_id);
    s_refused(&r, s_msg(&r, s_ccgs[0], BOARD_METHOD_MINUTES, &ma.base, call_id),
              CC_PERMISSION_DENIED, "correct record");
    s_call_id(&r, call_id);
    assert_int_equal(s_msg(&r, chair, BOARD_METHOD_MINUTES, &ma.base, call_id), 0);
    s_call_id(&r, call_id);
    s_refused(&r, s_msg(&r, chair, BOARD_METHOD_MINUTES, &ma.base, call_id), CC_ALREADY_EXISTS,
              "already approved");
    board_meeting_at(r.e, 0, &mv);
    assert_true(mv.approved);
    assert_string_equal(mv.approved_at, m2);
    /* A council's key decision: on its forward plan 28 clear days ahead. */
    Concord__V1__Proposal kd = s_proposal(&r, "MTG", DECISION, ACUTE);
    kd.amount_pence = 60000000;
    s_refused(&r, s_propose(&r, chair, &kd, key), CC_FAILED_PRECONDITION,
              "missing from the forward plan");
    Concord__V1__ForwardPlanEntry fp = CONCORD__V1__FORWARD_PLAN_ENTRY__INIT;
    char entry[33];
    fp.board_id = "MTG";
    fp.title = "Extra care housing";
    fp.decision_date = "2027-01-15";
    fp.amount_pence = 60000000;
    s_call_id(&r, call_id);
    s_refused(&r, s_msg(&r, s_ccgs[0], BOARD_METHOD_FORWARD_PLAN, &fp.base, call_id),
              CC_PERMISSION_DENIED, "a forward plan is a council's");
    s_call_id(&r, call_id);
    board_proposal_id(call_id, entry);
    assert_int_equal(s_msg(&r, chair, BOARD_METHOD_FORWARD_PLAN, &fp.base, call_id), 0);
    kd.forward_plan_entry = entry;
    kd.key_decision_route = CONCORD__V1__KEY_DECISION_ROUTE__FORWARD_PLAN;
    s_refused(&r, s_propose(&r, chair, &kd, key), CC_FAILED_PRECONDITION, "fewer than the 28");
    r.now += 30 * DAY;
    kd.closes_at_ms = r.now + DAY;
    assert_int_equal(s_propose(&r, chair, &kd, key), 0);
    /* A CCG's proposal of the same amount is no council's key decision. */
    Concord__V1__Proposal nhs = s_proposal(&r, "MTG", DECISION, ACUTE);
    nhs.amount_pence = 60000000;
    assert_int_equal(s_propose(&r, s_ccgs[0], &nhs, bad), 0);
    /* Its certificate carries the entry it rests on, and folds. */
    s_view(&r, key, &pv);
    x = (s_replay_t){.r = &r, .into = board_engine_new(s_roster)};
    assert_non_null(x.into);
    assert_int_equal(board_certificate_events_for(r.e, "MTG", key, pv.last_index,
                                                  BOARD_CERT_COMPACT, s_replay_one, &x),
                     0);
    assert_int_equal(board_proposal_find(x.into, key, r.now, &again, &err), 0);
    board_engine_destroy(&x.into);
    s_run_free(&r);
}

static void test_board_statutory_duty_not_delegated(void **state)
{
    (void)state;
    s_run_t r;
    s_charter_t c;
    char adopt[33], id[33];
    char *duties[] = {"safeguarding adults", "public health"};
    s_run_init(&r);
    s_small(&c, "DUTY", CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST, 2, 2);
    s_adopt(&r, &c, adopt);
    Concord__V1__Proposal p =
        s_proposal(&r, "DUTY", DECISION, CONCORD__V1__SERVICE_AREA__SOCIAL_CARE);
    p.delegated_duties = duties;
    p.n_delegated_duties = 2;
    s_refused(&r, s_propose(&r, s_ccgs[0], &p, id), CC_INVALID_ARGUMENT,
              "a proposal cannot transfer accountability for the statutory duty 'safeguarding"
              " adults': partners may delegate functions to each other (NHS Act 2006 s75 lead"
              " commissioning; Local Government Act 1972 s101) but each keeps its liability for"
              " them (NHS Act 2006 s75(5))");
    assert_null(strstr(r.err.msg, "s18"));
    /* An excluded NHS function cannot be delegated at all. */
    char *excluded[] = {"Emergency ambulance services"};
    p.delegated_duties = excluded;
    p.n_delegated_duties = 1;
    s_refused(&r, s_propose(&r, s_ccgs[0], &p, id), CC_INVALID_ARGUMENT,
              "a proposal cannot delegate 'Emergency ambulance services': emergency ambulance"
              " services is an NHS function excluded from partnership arrangements");
    p.delegated_duties = duties;
    p.n_delegated_duties = 2;
    assert_int_equal(board_proposal_count(r.e), 1);
    /* Invalid, not merely outvoted: even an adoption cannot. */
    s_charter_t c2;
    s_small(&c2, "DUTY2", CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST, 1, 1);
    p = s_proposal(&r, "DUTY2", ADOPTION, 0);
    p.charter = &c2.ch;
    p.delegated_duties = duties;
    p.n_delegated_duties = 1;
    s_refused(&r, s_propose(&r, s_ccgs[0], &p, id), CC_INVALID_ARGUMENT, "statutory duty");
    assert_int_equal(board_count(r.e), 1);
    s_run_free(&r);
}

static void test_board_gm_double_majority_needs_councils(void **state)
{
    (void)state;
    s_run_t r;
    s_charter_t c;
    char adopt[33], id[33];
    board_proposal_view_t pv;
    board_view_t v;
    s_run_init(&r);
    s_gm(&c, "GM-JCB");
    s_adopt(&r, &c, adopt);
    assert_int_equal(board_get(r.e, "GM-JCB", &v), 0);
    assert_int_equal(v.charter->n_members, 23);
    assert_string_equal(v.adoption_id, adopt);
    assert_string_equal(v.secretary, s_ccgs[0]);
    assert_int_equal(s_decide(&r, s_ccgs[2], "GM-JCB", CONCORD__V1__SERVICE_AREA__SOCIAL_CARE, id),
                     0);
    /* Every NHS member FOR, then councils AGAINST: 13 to 5 overall when
     * the council side can no longer reach a majority. */
    for (int i = 0; i < 12; i++) {
        assert_int_equal(s_vote(&r, s_ccgs[i], "GM-JCB", id, FOR), 0);
    }
    assert_int_equal(s_vote(&r, NHSE, "GM-JCB", id, FOR), 0);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(s_vote(&r, s_councils[i], "GM-JCB", id, AGAINST), 0);
        s_view(&r, id, &pv);
        assert_int_equal(pv.closed, i == 4);
    }
    assert_int_equal(pv.closed_at_ms, r.now - SECOND);
    assert_false(pv.tally.passed);
    assert_int_equal(pv.tally.all.votes_for, 13);
    assert_int_equal(pv.tally.all.votes_against, 5);
    assert_non_null(strstr(pv.tally.explanation, "Outcome: FAILED (local government did not"
                                                 " agree)."));
    /* Settled after 18 ballots; the other councils' ballots are still
     * recorded (dissent and assent on the record) and change nothing. */
    assert_int_equal(pv.settled_ballots, 18);
    for (int i = 5; i < 10; i++) {
        assert_int_equal(s_vote(&r, s_councils[i], "GM-JCB", id, FOR), 0);
    }
    s_view(&r, id, &pv);
    assert_int_equal(pv.n_ballots, 23);
    assert_false(pv.voting_open);
    assert_false(pv.tally.passed);
    assert_int_equal(pv.tally.all.votes_for, 18);
    assert_int_equal(pv.closed_at_ms, r.now - 6 * SECOND);
    assert_non_null(strstr(pv.tally.explanation, "with 18 of 23 members' ballots counted"));
    assert_non_null(strstr(pv.tally.explanation, "Voting closed with 23 of 23 members' ballots"
                                                 " recorded."));
    s_refused(&r, s_vote(&r, s_councils[5], "GM-JCB", id, FOR), CC_ALREADY_EXISTS,
              "already voted");
    s_run_free(&r);
}

static void test_board_adoption_needs_every_member(void **state)
{
    (void)state;
    s_run_t r;
    s_charter_t c;
    char id[33], other[33], again[33];
    board_view_t v;
    board_proposal_view_t pv;
    s_run_init(&r);
    /* The charter's own rule is a majority; adoption still needs all. */
    s_small(&c, "TRIO", CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST, 2, 1);
    Concord__V1__Proposal p = s_proposal(&r, "TRIO", ADOPTION, 0);
    p.charter = &c.ch;
    /* The secretary need not be a member, only in the roster. */
    assert_int_equal(s_propose(&r, OUTSIDER, &p, id), 0);
    assert_int_equal(board_get(r.e, "TRIO", &v), 0);
    assert_false(v.active);
    assert_string_equal(v.secretary, OUTSIDER);
    s_refused(&r, s_vote(&r, OUTSIDER, "TRIO", id, FOR), CC_PERMISSION_DENIED,
              "is not a member of board TRIO");
    assert_int_equal(s_vote(&r, s_ccgs[0], "TRIO", id, FOR), 0);
    assert_int_equal(s_vote(&r, s_ccgs[1], "TRIO", id, AGAINST), 0);
    s_view(&r, id, &pv);
    assert_true(pv.closed);
    assert_false(pv.tally.passed);
    assert_non_null(strstr(pv.tally.explanation, "Charter adoption: 1 of 3 members named in the"
                                                 " charter voted FOR; every one of them must."));
    assert_int_equal(board_get(r.e, "TRIO", &v), 0);
    assert_false(v.active);
    /* Recorded after it settled; the adoption still fails. */
    assert_int_equal(s_vote(&r, s_councils[0], "TRIO", id, FOR), 0);
    assert_int_equal(board_get(r.e, "TRIO", &v), 0);
    assert_false(v.active);
    s_refused(&r, s_decide(&r, s_ccgs[0], "TRIO", ACUTE, other), CC_FAILED_PRECONDITION,
              "board TRIO is not active");
    /* A failed adoption frees the id for another attempt. */
    assert_int_equal(s_propose(&r, s_ccgs[0], &p, again), 0);
    s_refused(&r, s_propose(&r, s_ccgs[1], &p, other), CC_ALREADY_EXISTS,
              "already awaiting adoption");
    for (int i = 0; i < 3; i++) {
        assert_int_equal(s_vote(&r, c.ch.members[i]->code, "TRIO", again, FOR), 0);
    }
    assert_int_equal(board_get(r.e, "TRIO", &v), 0);
    assert_true(v.active);
    assert_string_equal(v.adoption_id, again);
    assert_int_equal(board_count(r.e), 1);
    s_refused(&r, s_propose(&r, s_ccgs[1], &p, other), CC_ALREADY_EXISTS,
              "board TRIO already exists");
    s_run_free(&r);
}

/* One member may have BOARD_OPEN_PER_MEMBER_MAX proposals open on one
 * board: one more is refused until one closes; another member, and the
 * same member on another board, are not held back. */
static void test_board_open_proposals_per_member(void **state)
{
    (void)state;
    s_run_t r;
    s_charter_t a, b;
    char ida[33], idb[33], pid[33], first[33];
    s_run_init(&r);
    s_small(&a, "BOARD-A", CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST, 2, 1);
    s_small(&b, "BOARD-B", CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST, 2, 1);
    s_adopt(&r, &a, ida);
    s_adopt(&r, &b, idb);
    for (int i = 0; i < BOARD_OPEN_PER_MEMBER_MAX; i++) {
        assert_int_equal(s_decide(&r, s_ccgs[0], "BOARD-A", ACUTE, pid), 0);
        if (i == 0) {
            memcpy(first, pid, sizeof first);
        }
    }
    size_t before = board_proposal_count(r.e);
    s_refused(&r, s_decide(&r, s_ccgs[0], "BOARD-A", ACUTE, pid), CC_RESOURCE_EXHAUSTED,
              "quota exceeded: E38000016 already has 25 open proposals on board BOARD-A, the most"
              " one member may have open on a board (BOARD_OPEN_PER_MEMBER_MAX); one frees when"
              " one of them closes, the first by 2026-11-25T12:00:");
    assert_int_equal(board_proposal_count(r.e), before);
    /* Another member, and another board, are not held back. */
    assert_int_equal(s_decide(&r, s_ccgs[1], "BOARD-A", ACUTE, pid), 0);
    assert_int_equal(s_decide(&r, s_ccgs[0], "BOARD-B", ACUTE, pid), 0);
    /* One decided early frees a place. */
    assert_int_equal(s_vote(&r, s_ccgs[0], "BOARD-A", first, FOR), 0);
    assert_int_equal(s_vote(&r, s_ccgs[1], "BOARD-A", first, FOR), 0);
    board_proposal_view_t pv;
    s_view(&r, first, &pv);
    if (pv.closed) {
        assert_int_equal(s_decide(&r, s_ccgs[0], "BOARD-A", ACUTE, pid), 0);
    }
    /* After the deadlines every one is closed: room again. */
    r.now += 2 * DAY;
    assert_int_equal(s_decide(&r, s_ccgs[0], "BOARD-A", ACUTE, pid), 0);
    s_run_free(&r);
}

static void test_board_ballot_rejections(void **state)
{
    (void)state;
    s_run_t r;
    s_charter_t a, b;
    char ida[33], idb[33], pa[33], pb[33];
    char long_reason[BOARD_REASON_MAX + 2];
    s_run_init(&r);
    s_small(&a, "BOARD-A", CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST, 2, 1);
    s_small(&b, "BOARD-B", CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST, 2, 1);
    s_adopt(&r, &a, ida);
    s_adopt(&r, &b, idb);
    assert_int_equal(s_decide(&r, s_ccgs[0], "BOARD-A", ACUTE, pa), 0);
    assert_int_equal(s_decide(&r, s_ccgs[0], "BOARD-B", ACUTE, pb), 0);
    size_t before = board_rejection_count(r.e);
    s_refused(&r, s_vote(&r, OUTSIDER, "BOARD-A", pa, FOR), CC_PERMISSION_DENIED,
              OUTSIDER " is not a member of board BOARD-A");
    s_refused(&r, s_vote(&r, STRANGER, "BOARD-A", pa, FOR), CC_PERMISSION_DENIED,
              "E99 is not a member of board BOARD-A");
    assert_int_equal(s_vote(&r, s_ccgs[1], "BOARD-A", pa, FOR), 0);
    s_refused(&r, s_vote(&r, s_ccgs[1], "BOARD-A", pa, AGAINST), CC_ALREADY_EXISTS,
              "E38000024 already voted on proposal");
    s_refused(&r, s_vote(&r, s_ccgs[1], "BOARD-A", "00112233445566778899aabbccddeeff", FOR),
              CC_NOT_FOUND, "no proposal");
    s_refused(&r, s_vote(&r, s_ccgs[1], "NO-SUCH", pa, FOR), CC_NOT_FOUND, "no board 'NO-SUCH'");
    s_refused(&r, s_vote(&r, s_ccgs[1], "BOARD-B", pa, FOR), CC_INVALID_ARGUMENT,
              "is on board BOARD-A, not BOARD-B");
    s_refused(&r, s_vote(&r, s_ccgs[1], "BOARD-A", pa, 0), CC_INVALID_ARGUMENT,
              "FOR, AGAINST or ABSTAIN");
    memset(long_reason, 'x', sizeof long_reason - 1);
    long_reason[sizeof long_reason - 1] = '\0';
    s_refused(&r, s_vote_why(&r, s_councils[0], "BOARD-A", pa, FOR, long_reason),
              CC_INVALID_ARGUMENT, "reason");
    /* Settled early: 2 FOR of 3 cannot be overturned; the third member's
     * dissent is still recorded, and a second ballot is not. */
    assert_int_equal(s_vote_why(&r, s_ccgs[0], "BOARD-A", pa, FOR, "agreed in February"), 0);
    assert_int_equal(s_vote(&r, s_councils[0], "BOARD-A", pa, AGAINST), 0);
    s_refused(&r, s_vote(&r, s_councils[0], "BOARD-A", pa, FOR), CC_ALREADY_EXISTS,
              "already voted");
    /* After the deadline, by receipt time alone. */
    board_proposal_view_t pv;
    s_view(&r, pb, &pv);
    r.now = pv.proposal->closes_at_ms; /* exactly at the deadline is in time */
    assert_int_equal(s_vote(&r, s_ccgs[1], "BOARD-B", pb, FOR), 0);
    r.now = pv.proposal->closes_at_ms + 5 * SECOND;
    s_refused(&r, s_vote(&r, s_ccgs[0], "BOARD-B", pb, FOR), CC_DEADLINE_EXCEEDED,
              "ballot after the deadline: received 2026-11-25T");
    assert_non_null(strstr(r.err.msg, ".000Z, voting closed 2026-11-25T"));
    /* Every refusal is on record, in log order, with its proposal. */
    assert_int_equal(board_rejection_count(r.e) - before, 10);
    board_rejection_t rej;
    board_rejection_at(r.e, before, &rej);
    assert_string_equal(rej.sender, OUTSIDER);
    assert_string_equal(rej.method, BOARD_METHOD_VOTE);
    assert_string_equal(rej.proposal_id, pa);
    assert_int_equal(rej.code, CC_PERMISSION_DENIED);
    board_rejection_at(r.e, board_rejection_count(r.e) - 1, &rej);
    assert_int_equal(rej.code, CC_DEADLINE_EXCEEDED);
    assert_int_equal(rej.log_index, r.index);
    /* The dissent and reasons are kept with the ballots, the one after
     * the outcome settled among them. */
    s_view(&r, pa, &pv);
    assert_int_equal(pv.n_ballots, 3);
    board_ballot_view_t bv;
    board_ballot_at(r.e, &pv, 1, &bv);
    assert_string_equal(bv.member, s_ccgs[0]);
    assert_int_equal(bv.vote, FOR);
    assert_string_equal(bv.reason, "agreed in February");
    s_run_free(&r);
}

/* ---- early decision against brute force ---- */

/* The rules written out again, independently of board_tally.c, straight
 * from board.h. votes: 0 none, else a Vote. */
static int s_reference(const Concord__V1__Charter *c, int kind, int area, const int *votes)
{
    unsigned n = (unsigned)c->n_members, voters = 0, f = 0, a = 0;
    unsigned by_members[4] = {0}, by_voters[4] = {0}, by_f[4] = {0}, by_a[4] = {0};
    uint64_t wf = 0, wa = 0;
    for (unsigned i = 0; i < n; i++) {
        int k = c->members[i]->constituency;
        by_members[k]++;
        if (!votes[i]) {
            continue;
        }
        voters++;
        by_voters[k]++;
        if (votes[i] == FOR) {
            f++, by_f[k]++, wf += c->members[i]->weight;
        } else if (votes[i] == AGAINST) {
            a++, by_a[k]++, wa += c->members[i]->weight;
        }
    }
    for (size_t i = 0; i < c->n_reserved; i++) {
        for (unsigned m = 0; (int)c->reserved[i]->area == area && m < n; m++) {
            if (strcmp(c->members[m]->code, c->reserved[i]->member) == 0 && votes[m] != FOR) {
                return 0;
            }
        }
    }
    if (kind == ADOPTION) {
        return f == n;
    }
    if (voters * c->quorum_denominator < c->quorum_numerator * n) {
        return 0;
    }
    for (int k = 1; k <= 3; k++) {
        if (c->quorum_each_constituency && by_members[k] && !by_voters[k]) {
            return 0;
        }
    }
    switch (c->rule) {
    case CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST:
        return f > a;
    case CONCORD__V1__VOTING_RULE__ABSOLUTE_MAJORITY:
        return 2 * f > n;
    case CONCORD__V1__VOTING_RULE__QUALIFIED_MAJORITY:
        return f > 0 && f * c->qualified_denominator >= c->qualified_numerator * (f + a);
    case CONCORD__V1__VOTING_RULE__UNANIMITY:
        return f == n;
    case CONCORD__V1__VOTING_RULE__CONSENSUS:
        return a == 0;
    case CONCORD__V1__VOTING_RULE__DOUBLE_MAJORITY:
        for (int k = 1; k <= 3; k++) {
            if (by_members[k] && by_f[k] <= by_a[k]) {
                return 0;
            }
        }
        return 1;
    case CONCORD__V1__VOTING_RULE__WEIGHTED:
        return 2 * wf > wf + wa && wf > 0;
    default:
        return 0;
    }
}

static uint32_t s_rand_state = 20170401;

static uint32_t s_rand(uint32_t below)
{
    s_rand_state = s_rand_state * 1103515245u + 12345u;
    return (s_rand_state >> 8) % below;
}

/* A random valid charter of up to 6 members over 2 constituencies. */
static void s_random_charter(s_charter_t *c, const char *id)
{
    static const char *const pool[6] = {"E38000016", "E38000024", "E38000135",
                                        "E08000001", "E08000002", "X24"};
    unsigned n = 2 + s_rand(5);
    s_charter(c, id, 1 + (int)s_rand(7));
    unsigned start = s_rand(6);
    for (unsigned i = 0; i < n; i++) {
        s_member(c, pool[(start + i) % 6], 1 + (int)s_rand(2), s_rand(4));
    }
    if (c->ch.rule == CONCORD__V1__VOTING_RULE__WEIGHTED) {
        c->m[0].weight += 1;
    }
    c->ch.qualified_denominator = 1 + s_rand(6);
    c->ch.qualified_numerator = 1 + s_rand(c->ch.qualified_denominator);
    c->ch.quorum_denominator = 1 + s_rand(4);
    c->ch.quorum_numerator = s_rand(c->ch.quorum_denominator + 1);
    c->ch.quorum_each_constituency = s_rand(2);
    if (s_rand(2)) {
        s_reserved(c, PRIMARY_CARE, c->ch.members[s_rand(n)]->code);
    }
}

/* Whether every way the members yet to vote could vote (or not) gives
 * the same outcome as `passed`; checks board_tally's final verdict on
 * each against the reference on the way. */
static int s_brute_fixed(const Concord__V1__Charter *c, int kind, int area, const int *prior,
                         int passed)
{
    unsigned n = (unsigned)c->n_members, open[6], n_open = 0;
    int votes[6];
    for (unsigned i = 0; i < n; i++) {
        if (!prior[i]) {
            open[n_open++] = i;
        }
    }
    unsigned combos = 1u << (2 * n_open);
    int fixed = 1;
    for (unsigned m = 0; m < combos; m++) {
        board_ballot_t ballots[6];
        size_t nb = 0;
        memcpy(votes, prior, sizeof votes);
        for (unsigned j = 0; j < n_open; j++) {
            votes[open[j]] = (int)((m >> (2 * j)) & 3); /* 0 none, FOR, AGAINST, ABSTAIN */
        }
        for (unsigned i = 0; i < n; i++) {
            if (votes[i]) {
                ballots[nb].member = i;
                ballots[nb++].vote = votes[i];
            }
        }
        int want = s_reference(c, kind, area, votes);
        board_tally_t t;
        board_tally(c, kind, area, ballots, nb, 1, &t);
        assert_int_equal(t.passed, want);
        fixed &= want == passed;
    }
    return fixed;
}

static void test_board_early_decision_matches_brute_force(void **state)
{
    (void)state;
    unsigned decided = 0, open = 0;
    for (int iter = 0; iter < 1500; iter++) {
        s_charter_t c;
        int prior[6] = {0};
        board_ballot_t ballots[6];
        size_t nb = 0;
        s_random_charter(&c, "RAND");
        int kind = s_rand(8) ? DECISION : ADOPTION;
        int area = s_rand(2) ? PRIMARY_CARE : ACUTE;
        for (size_t i = 0; i < c.ch.n_members; i++) {
            prior[i] = (int)s_rand(4);
            if (prior[i]) {
                ballots[nb].member = i;
                ballots[nb++].vote = prior[i];
            }
        }
        board_tally_t t;
        board_tally(&c.ch, kind, area, ballots, nb, 0, &t);
        assert_int_equal(t.passed, s_reference(&c.ch, kind, area, prior));
        /* Sound (decided means nothing can change it) and complete (not
         * decided means some way of voting would). */
        assert_int_equal(t.decided, s_brute_fixed(&c.ch, kind, area, prior, t.passed));
        decided += (unsigned)t.decided;
        open += (unsigned)!t.decided;
    }
    assert_true(decided > 100 && open > 100);
}

/* The same through the engine: after each ballot, the proposal is closed
 * exactly when brute force says its outcome is fixed. */
static void test_board_engine_closes_when_brute_force_fixed(void **state)
{
    (void)state;
    for (int iter = 0; iter < 150; iter++) {
        s_run_t r;
        s_charter_t c;
        char adopt[33], id[33];
        int votes[6] = {0};
        s_run_init(&r);
        s_random_charter(&c, "RAND");
        int area = s_rand(2) ? PRIMARY_CARE : ACUTE;
        /* With nothing in the register of delegations, primary medical
         * services are NHS England's: the engine needs its FOR on primary
         * care, as a reserved matter in the charter would. */
        for (size_t i = 0; area == PRIMARY_CARE && i < c.ch.n_members; i++) {
            if (strcmp(c.ch.members[i]->code, "X24") == 0) {
                s_reserved(&c, PRIMARY_CARE, "X24");
            }
        }
        s_adopt(&r, &c, adopt);
        assert_int_equal(s_decide(&r, c.ch.members[0]->code, "RAND", area, id), 0);
        unsigned n = (unsigned)c.ch.n_members, order[6];
        for (unsigned i = 0; i < n; i++) {
            order[i] = i;
        }
        for (unsigned i = n - 1; i > 0; i--) {
            unsigned j = s_rand(i + 1), x = order[i];
            order[i] = order[j];
            order[j] = x;
        }
        int settled = -1;
        board_proposal_view_t pv;
        for (unsigned k = 0; k < n; k++) {
            int vote = 1 + (int)s_rand(3);
            /* Every ballot is recorded, settled or not. */
            assert_int_equal(s_vote(&r, c.ch.members[order[k]]->code, "RAND", id, vote), 0);
            votes[order[k]] = vote;
            s_view(&r, id, &pv);
            assert_int_equal(pv.n_ballots, k + 1);
            int want = s_reference(&c.ch, DECISION, area, votes);
            if (settled >= 0) {
                /* Once settled, no later ballot changes the outcome. */
                assert_true(pv.closed && pv.settled);
                assert_int_equal(want, settled);
                assert_int_equal(pv.tally.passed, settled);
                continue;
            }
            assert_int_equal(pv.closed, s_brute_fixed(&c.ch, DECISION, area, votes, want));
            assert_int_equal(pv.tally.passed, want);
            settled = pv.closed ? want : -1;
        }
        assert_false(pv.voting_open);
        s_run_free(&r);
    }
}

/* ---- membership and amendments ---- */

static long s_member_index_of(const Concord__V1__Charter *c, const char *code)
{
    for (size_t i = 0; i < c->n_members; i++) {
        if (strcmp(c->members[i]->code, code) == 0) {
            return (long)i;
        }
    }
    return -1;
}

static Concord__V1__Proposal s_change(const s_run_t *r, const char *board,
                                      Concord__V1__MembershipChange *mc,
                                      Concord__V1__BoardMember *m, int action, const char *code)
{
    Concord__V1__Proposal p = s_proposal(r, board, MEMBERSHIP, 0);
    concord__v1__membership_change__init(mc);
    concord__v1__board_member__init(m);
    m->code = (char *)code;
    m->constituency = NHS;
    m->weight = 1;
    mc->action = (Concord__V1__MembershipAction)action;
    mc->member = m;
    p.membership = mc;
    p.title = "Change the membership";
    return p;
}

static void test_board_deadline_close_admits_before_next_event(void **state)
{
    (void)state;
    s_run_t r;
    s_charter_t c;
    char adopt[33], admit[33], old[33], next[33];
    Concord__V1__MembershipChange mc;
    Concord__V1__BoardMember m;
    board_view_t v;
    board_proposal_view_t pv;
    cc_err_t err;
    s_run_init(&r);
    s_small(&c, "ADMIT", CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST, 2, 1);
    c.ch.quorum_numerator = 1;
    c.ch.quorum_denominator = 3;
    s_adopt(&r, &c, adopt);
    Concord__V1__Proposal p =
        s_change(&r, "ADMIT", &mc, &m, CONCORD__V1__MEMBERSHIP_ACTION__ADMIT, OUTSIDER);
    p.closes_at_ms = r.now + HOUR;
    assert_int_equal(s_propose(&r, s_ccgs[0], &p, admit), 0);
    assert_int_equal(s_decide(&r, s_ccgs[0], "ADMIT", ACUTE, old), 0);
    /* One FOR of three: it would pass at the deadline, but two AGAINST
     * could still sink it. */
    assert_int_equal(s_vote(&r, s_ccgs[0], "ADMIT", admit, FOR), 0);
    s_view(&r, admit, &pv);
    assert_false(pv.closed);
    /* Past the deadline the view says closed before any event comes. */
    assert_int_equal(board_proposal_find(r.e, admit, p.closes_at_ms + 1, &pv, &err), 0);
    assert_true(pv.closed);
    assert_true(pv.tally.passed);
    assert_int_equal(pv.closed_at_ms, p.closes_at_ms);
    assert_int_equal(board_get(r.e, "ADMIT", &v), 0);
    assert_int_equal(v.charter->n_members, 3);
    /* A precheck after the deadline changes nothing. */
    r.now = p.closes_at_ms + 10 * SECOND;
    Concord__V1__Proposal q = s_proposal(&r, "ADMIT", DECISION, ACUTE);
    uint8_t *body = NULL, call_id[16] = {0xfe}, hash[32] = {0};
    size_t len = 0;
    assert_int_equal(wire_pack(&q.base, WIRE_MAX_FRAME, &body, &len, NULL), 0);
    board_event_t ev = {.sender = OUTSIDER,
                        .log_index = UINT64_MAX,
                        .time_ms = r.now,
                        .call_id = call_id,
                        .hash = hash,
                        .method = BOARD_METHOD_PROPOSE,
                        .body = body,
                        .body_len = len};
    assert_int_equal(board_precheck(r.e, &ev, &err), -1);
    assert_int_equal(err.code, CC_PERMISSION_DENIED);
    free(body);
    assert_int_equal(board_get(r.e, "ADMIT", &v), 0);
    assert_int_equal(v.charter->n_members, 3);
    /* The next event, received after the deadline, sees the admission
     * applied first: the new member's own proposal is accepted. */
    assert_int_equal(s_decide(&r, OUTSIDER, "ADMIT", ACUTE, next), 0);
    assert_int_equal(board_get(r.e, "ADMIT", &v), 0);
    assert_int_equal(v.charter->n_members, 4);
    assert_int_equal(s_vote(&r, OUTSIDER, "ADMIT", next, FOR), 0);
    assert_int_equal(s_vote(&r, s_ccgs[1], "ADMIT", next, FOR), 0);
    s_view(&r, next, &pv);
    assert_int_equal(pv.tally.all.members, 4);
    /* A proposal made before the admission keeps its voters. */
    s_refused(&r, s_vote(&r, OUTSIDER, "ADMIT", old, FOR), CC_PERMISSION_DENIED,
              "as it stood when the proposal was made");
    s_run_free(&r);
}

static void test_board_membership_remove_and_refusals(void **state)
{
    (void)state;
    s_run_t r;
    s_charter_t c, pair;
    char adopt[33], before[33], rm[33], after[33], id[33];
    Concord__V1__MembershipChange mc;
    Concord__V1__BoardMember m;
    board_view_t v;
    s_run_init(&r);
    s_small(&c, "REMOVE", CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST, 2, 2);
    s_member(&c, NHSE, NHS, 1);
    s_reserved(&c, PRIMARY_CARE, NHSE);
    s_adopt(&r, &c, adopt);
    const char *leaver = s_councils[1];
    assert_int_equal(s_decide(&r, s_ccgs[0], "REMOVE", ACUTE, before), 0);
    Concord__V1__Proposal p =
        s_change(&r, "REMOVE", &mc, &m, CONCORD__V1__MEMBERSHIP_ACTION__REMOVE, leaver);
    assert_int_equal(s_propose(&r, s_ccgs[0], &p, rm), 0);
    assert_int_equal(s_vote(&r, s_ccgs[0], "REMOVE", rm, FOR), 0);
    assert_int_equal(s_vote(&r, s_ccgs[1], "REMOVE", rm, FOR), 0);
    assert_int_equal(board_get(r.e, "REMOVE", &v), 0);
    assert_int_equal(v.charter->n_members, 5);
    /* 3 FOR of 5 cannot be overturned: it passes, and takes effect, now. */
    assert_int_equal(s_vote(&r, s_councils[0], "REMOVE", rm, FOR), 0);
    assert_int_equal(board_get(r.e, "REMOVE", &v), 0);
    assert_int_equal(v.charter->n_members, 4);
    assert_int_equal(s_member_index_of(v.charter, leaver), -1);
    /* The removed member may not vote on what comes after... */
    assert_int_equal(s_decide(&r, s_ccgs[0], "REMOVE", ACUTE, after), 0);
    s_refused(&r, s_vote(&r, leaver, "REMOVE", after, FOR), CC_PERMISSION_DENIED,
              "E08000002 is not a member of board REMOVE");
    s_refused(&r, s_decide(&r, leaver, "REMOVE", ACUTE, id), CC_PERMISSION_DENIED, "not a member");
    /* ...but still votes on what was put to the board it sat on. */
    assert_int_equal(s_vote(&r, leaver, "REMOVE", before, AGAINST), 0);
    /* Refusals: the holder of a reserved matter, a non-member, an
     * existing member, someone outside the roster, malformed roster
     * changes (test_board_roster covers them in full). */
    p = s_change(&r, "REMOVE", &mc, &m, CONCORD__V1__MEMBERSHIP_ACTION__REMOVE, NHSE);
    s_refused(&r, s_propose(&r, s_ccgs[0], &p, id), CC_INVALID_ARGUMENT,
              "after removing X24: reserved matter primary-care names 'X24'");
    p = s_change(&r, "REMOVE", &mc, &m, CONCORD__V1__MEMBERSHIP_ACTION__REMOVE, leaver);
    s_refused(&r, s_propose(&r, s_ccgs[0], &p, id), CC_NOT_FOUND, "is not a member");
    p = s_change(&r, "REMOVE", &mc, &m, CONCORD__V1__MEMBERSHIP_ACTION__ADMIT, s_ccgs[1]);
    s_refused(&r, s_propose(&r, s_ccgs[0], &p, id), CC_ALREADY_EXISTS, "already a member");
    p = s_change(&r, "REMOVE", &mc, &m, CONCORD__V1__MEMBERSHIP_ACTION__ADMIT, STRANGER);
    s_refused(&r, s_propose(&r, s_ccgs[0], &p, id), CC_PERMISSION_DENIED,
              "not an organisation in the roster");
    p = s_change(&r, "REMOVE", &mc, &m, CONCORD__V1__MEMBERSHIP_ACTION__ROTATE_KEY, s_ccgs[1]);
    s_refused(&r, s_propose(&r, s_ccgs[0], &p, id), CC_INVALID_ARGUMENT,
              "must carry the organisation's new keys");
    p = s_change(&r, "REMOVE", &mc, &m, CONCORD__V1__MEMBERSHIP_ACTION__MERGE, s_ccgs[1]);
    s_refused(&r, s_propose(&r, s_ccgs[0], &p, id), CC_INVALID_ARGUMENT,
              "must name the successor");
    p.membership = NULL;
    s_refused(&r, s_propose(&r, s_ccgs[0], &p, id), CC_INVALID_ARGUMENT, "membership change");
    /* A board never shrinks below two. */
    s_small(&pair, "PAIR", CONCORD__V1__VOTING_RULE__CONSENSUS, 1, 1);
    s_adopt(&r, &pair, adopt);
    p = s_change(&r, "PAIR", &mc, &m, CONCORD__V1__MEMBERSHIP_ACTION__REMOVE, s_councils[0]);
    s_refused(&r, s_propose(&r, s_ccgs[0], &p, id), CC_INVALID_ARGUMENT, "fewer than 2");
    s_run_free(&r);
}

/* Two removals that cannot both apply (the board would fall to one
 * member): closes by deadline go in order of deadline, then log index,
 * and the second passes without effect. */
static void s_two_removals(uint64_t first_extra_ms, const char *stays, const char *goes)
{
    s_run_t r;
    s_charter_t c;
    char adopt[33], p1[33], p2[33];
    Concord__V1__MembershipChange mc;
    Concord__V1__BoardMember m;
    board_view_t v;
    board_proposal_view_t pv;
    s_run_init(&r);
    s_small(&c, "TWO", CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST, 2, 1);
    c.ch.quorum_numerator = 1;
    c.ch.quorum_denominator = 3;
    s_adopt(&r, &c, adopt);
    uint64_t deadline = r.now + HOUR;
    Concord__V1__Proposal p =
        s_change(&r, "TWO", &mc, &m, CONCORD__V1__MEMBERSHIP_ACTION__REMOVE, s_councils[0]);
    p.closes_at_ms = deadline + first_extra_ms;
    assert_int_equal(s_propose(&r, s_ccgs[0], &p, p1), 0);
    p = s_change(&r, "TWO", &mc, &m, CONCORD__V1__MEMBERSHIP_ACTION__REMOVE, s_ccgs[1]);
    p.closes_at_ms = deadline;
    assert_int_equal(s_propose(&r, s_ccgs[0], &p, p2), 0);
    assert_int_equal(s_vote(&r, s_ccgs[0], "TWO", p1, FOR), 0);
    assert_int_equal(s_vote(&r, s_ccgs[0], "TWO", p2, FOR), 0);
    r.now = deadline + DAY;
    assert_int_equal(s_decide(&r, s_ccgs[0], "TWO", ACUTE, adopt), 0);
    assert_int_equal(board_get(r.e, "TWO", &v), 0);
    assert_int_equal(v.charter->n_members, 2);
    assert_true(s_member_index_of(v.charter, stays) >= 0);
    assert_int_equal(s_member_index_of(v.charter, goes), -1);
    s_view(&r, p1, &pv);
    assert_true(pv.closed && pv.tally.passed);
    s_view(&r, p2, &pv);
    assert_true(pv.closed && pv.tally.passed);
    s_run_free(&r);
}

static void test_board_deadline_closes_in_order(void **state)
{
    (void)state;
    s_two_removals(0, s_ccgs[1], s_councils[0]);      /* same deadline: log order */
    s_two_removals(SECOND, s_councils[0], s_ccgs[1]); /* earlier deadline first */
}

static void test_board_amendment_changes_rule(void **state)
{
    (void)state;
    s_run_t r;
    s_charter_t c, amended, other;
    char adopt[33], am[33], id[33], x[33];
    board_view_t v;
    board_proposal_view_t pv;
    s_run_init(&r);
    s_small(&c, "AMEND", CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST, 2, 1);
    s_adopt(&r, &c, adopt);
    s_small(&amended, "AMEND", CONCORD__V1__VOTING_RULE__UNANIMITY, 2, 1);
    amended.ch.name = "Amended board";
    Concord__V1__Proposal p = s_proposal(&r, "AMEND", AMENDMENT, 0);
    p.charter = &amended.ch;
    assert_int_equal(s_propose(&r, s_ccgs[0], &p, am), 0);
    /* Decided by the rule in force (majority), not the proposed one. */
    assert_int_equal(s_vote(&r, s_ccgs[0], "AMEND", am, FOR), 0);
    assert_int_equal(s_vote(&r, s_ccgs[1], "AMEND", am, FOR), 0);
    s_view(&r, am, &pv);
    assert_true(pv.closed && pv.tally.passed);
    assert_int_equal(board_get(r.e, "AMEND", &v), 0);
    assert_int_equal(v.charter->rule, CONCORD__V1__VOTING_RULE__UNANIMITY);
    assert_string_equal(v.charter->name, "Amended board");
    /* Now one AGAINST sinks a proposal at once. */
    assert_int_equal(s_decide(&r, s_ccgs[0], "AMEND", ACUTE, id), 0);
    assert_int_equal(s_vote(&r, s_ccgs[0], "AMEND", id, FOR), 0);
    assert_int_equal(s_vote(&r, s_ccgs[1], "AMEND", id, FOR), 0);
    assert_int_equal(s_vote(&r, s_councils[0], "AMEND", id, AGAINST), 0);
    s_view(&r, id, &pv);
    assert_true(pv.closed);
    assert_false(pv.tally.passed);
    assert_non_null(strstr(pv.tally.explanation, "Unanimity: 2 of 3 members voted FOR"));
    /* An amendment must carry a valid charter of the same board. */
    s_small(&other, "OTHER", CONCORD__V1__VOTING_RULE__UNANIMITY, 2, 1);
    p.charter = &other.ch;
    s_refused(&r, s_propose(&r, s_ccgs[0], &p, x), CC_INVALID_ARGUMENT, "carries the charter of");
    amended.ch.quorum_denominator = 0;
    p.charter = &amended.ch;
    s_refused(&r, s_propose(&r, s_ccgs[0], &p, x), CC_INVALID_ARGUMENT, "quorum 1/0");
    p.charter = NULL;
    s_refused(&r, s_propose(&r, s_ccgs[0], &p, x), CC_INVALID_ARGUMENT, "new charter");
    s_run_free(&r);
}

/* ---- determinism and log order ---- */

static void s_replay(const s_run_t *from, board_engine_t *to)
{
    for (size_t i = 0; i < from->log.n; i++) {
        board_event_t ev = unit_log_event(&from->log.at[i]);
        board_apply(to, &ev, NULL);
    }
}

static void s_same_state(const board_engine_t *a, const board_engine_t *b, uint64_t now)
{
    assert_int_equal(board_count(a), board_count(b));
    for (size_t i = 0; i < board_count(a); i++) {
        board_view_t va, vb;
        board_at(a, i, &va);
        board_at(b, i, &vb);
        assert_string_equal(va.board_id, vb.board_id);
        assert_int_equal(va.active, vb.active);
        assert_int_equal(va.charter->n_members, vb.charter->n_members);
        assert_int_equal(va.charter->rule, vb.charter->rule);
        assert_string_equal(va.adoption_id, vb.adoption_id);
    }
    assert_int_equal(board_proposal_count(a), board_proposal_count(b));
    for (size_t i = 0; i < board_proposal_count(a); i++) {
        board_proposal_view_t pa, pb;
        board_proposal_at(a, i, now, &pa);
        board_proposal_at(b, i, now, &pb);
        assert_string_equal(pa.id, pb.id);
        assert_int_equal(pa.closed, pb.closed);
        assert_int_equal(pa.closed_at_ms, pb.closed_at_ms);
        assert_int_equal(pa.tally.passed, pb.tally.passed);
        assert_string_equal(pa.tally.explanation, pb.tally.explanation);
        assert_int_equal(pa.n_ballots, pb.n_ballots);
        for (size_t j = 0; j < pa.n_ballots; j++) {
            board_ballot_view_t ba, bb;
            board_ballot_at(a, &pa, j, &ba);
            board_ballot_at(b, &pb, j, &bb);
            assert_string_equal(ba.member, bb.member);
            assert_int_equal(ba.vote, bb.vote);
            assert_int_equal(ba.log_index, bb.log_index);
        }
    }
    assert_int_equal(board_rejection_count(a), board_rejection_count(b));
    for (size_t i = 0; i < board_rejection_count(a); i++) {
        board_rejection_t ra, rb;
        board_rejection_at(a, i, &ra);
        board_rejection_at(b, i, &rb);
        assert_string_equal(ra.sender, rb.sender);
        assert_string_equal(ra.proposal_id, rb.proposal_id);
        assert_int_equal(ra.log_index, rb.log_index);
        assert_int_equal(ra.code, rb.code);
        assert_string_equal(ra.reason, rb.reason);
    }
}

static const char *s_anyone(void)
{
    uint32_t k = s_rand(26);
    return k < 12    ? s_ccgs[k]
           : k < 22  ? s_councils[k - 12]
           : k == 22 ? NHSE
           : k == 23 ? OUTSIDER
           : k == 24 ? OUTSIDER2
                     : STRANGER;
}

static void test_board_same_events_same_state(void **state)
{
    (void)state;
    s_run_t r;
    s_charter_t gm, small;
    char adopt[33], ids[400][33];
    size_t n_ids = 0;
    Concord__V1__MembershipChange mc;
    Concord__V1__BoardMember m;
    s_run_init(&r);
    s_gm(&gm, "GM-JCB");
    s_adopt(&r, &gm, adopt);
    s_small(&small, "SMALL", CONCORD__V1__VOTING_RULE__QUALIFIED_MAJORITY, 2, 2);
    small.ch.qualified_numerator = 3;
    small.ch.qualified_denominator = 5;
    s_adopt(&r, &small, adopt);
    for (int step = 0; step < 1500; step++) {
        uint32_t what = s_rand(12);
        const char *board = s_rand(2) ? "GM-JCB" : "SMALL";
        r.now += s_rand(4) ? 0 : s_rand(40) * SECOND;
        if (what == 0 && n_ids < 400) {
            Concord__V1__Proposal p = s_proposal(&r, board, DECISION, 1 + (int)s_rand(9));
            p.closes_at_ms = r.now + (1 + s_rand(60)) * SECOND;
            if (s_propose(&r, s_anyone(), &p, ids[n_ids]) == 0) {
                n_ids++;
            }
        } else if (what == 1 && n_ids < 400) {
            Concord__V1__Proposal p =
                s_change(&r, "SMALL", &mc, &m, 1 + (int)s_rand(2), s_anyone());
            p.closes_at_ms = r.now + (1 + s_rand(60)) * SECOND;
            if (s_propose(&r, s_anyone(), &p, ids[n_ids]) == 0) {
                n_ids++;
            }
        } else if (n_ids) {
            s_vote(&r, s_anyone(), board, ids[s_rand((uint32_t)n_ids)], 1 + (int)s_rand(3));
        }
    }
    assert_true(n_ids > 50);
    assert_true(board_rejection_count(r.e) > 100);
    board_engine_t *again = board_engine_new(s_roster);
    assert_non_null(again);
    s_replay(&r, again);
    s_same_state(r.e, again, r.now);
    s_same_state(r.e, again, r.now + DAY);
    board_engine_destroy(&again);
    board_engine_destroy(&again); /* NULL-safe */
    board_engine_destroy(NULL);
    s_run_free(&r);
}

static void test_board_out_of_log_order_refused(void **state)
{
    (void)state;
    s_run_t r;
    s_charter_t c;
    char adopt[33], id[33];
    board_proposal_view_t pv;
    s_run_init(&r);
    s_small(&c, "ORDER", CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST, 2, 2);
    s_adopt(&r, &c, adopt);
    assert_int_equal(s_decide(&r, s_ccgs[0], "ORDER", ACUTE, id), 0);
    size_t rejections = board_rejection_count(r.e);
    uint64_t last = r.index;
    r.index = last - 1; /* the same log index again */
    s_refused(&r, s_vote(&r, s_ccgs[1], "ORDER", id, FOR), CC_FAILED_PRECONDITION,
              "out of log order");
    r.index = 0;
    s_refused(&r, s_vote(&r, s_ccgs[1], "ORDER", id, FOR), CC_FAILED_PRECONDITION,
              "out of log order");
    s_view(&r, id, &pv);
    assert_int_equal(pv.n_ballots, 0);
    assert_int_equal(board_rejection_count(r.e), rejections);
    r.index = last;
    assert_int_equal(s_vote(&r, s_ccgs[1], "ORDER", id, FOR), 0);
    s_run_free(&r);
}

/* ---- hostile input ---- */

static void test_board_malformed_bodies(void **state)
{
    (void)state;
    s_run_t r;
    s_charter_t c;
    char adopt[33], id[33];
    uint8_t call_id[16], *body = NULL;
    size_t len = 0;
    s_run_init(&r);
    s_small(&c, "HOSTILE", CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST, 2, 2);
    s_adopt(&r, &c, adopt);
    size_t proposals = board_proposal_count(r.e);
    static const uint8_t garbage[] = {0xff, 0xff, 0xff, 0xff, 0x0f, 0x12, 0x80};
    s_call_id(&r, call_id);
    s_refused(&r, s_raw(&r, s_ccgs[0], BOARD_METHOD_PROPOSE, garbage, sizeof garbage, call_id),
              CC_INVALID_ARGUMENT, "malformed");
    s_refused(&r, s_raw(&r, s_ccgs[0], BOARD_METHOD_VOTE, garbage, sizeof garbage, call_id),
              CC_INVALID_ARGUMENT, "malformed");
    s_refused(&r, s_raw(&r, s_ccgs[0], BOARD_METHOD_PROPOSE, garbage, 0, call_id),
              CC_INVALID_ARGUMENT, "has no kind");
    s_refused(&r, s_raw(&r, s_ccgs[0], BOARD_METHOD_VOTE, garbage, 0, call_id), CC_INVALID_ARGUMENT,
              "FOR, AGAINST or ABSTAIN");
    s_refused(&r, s_raw(&r, s_ccgs[0], "concord.v1.Board/Dissolve", garbage, 1, call_id),
              CC_INVALID_ARGUMENT, "is not a board method");
    uint8_t *huge = calloc(1, WIRE_MAX_FRAME + 1);
    assert_non_null(huge);
    s_refused(&r, s_raw(&r, s_ccgs[0], BOARD_METHOD_PROPOSE, huge, WIRE_MAX_FRAME + 1, call_id),
              CC_RESOURCE_EXHAUSTED, "over the limit");
    free(huge);
    /* Every truncation of a valid proposal is refused. */
    Concord__V1__Proposal p = s_proposal(&r, "HOSTILE", DECISION, ACUTE);
    p.text = "Pooled budget for intermediate care across the two boroughs.";
    assert_int_equal(wire_pack(&p.base, WIRE_MAX_FRAME, &body, &len, NULL), 0);
    for (size_t cut = 0; cut < len; cut++) {
        s_call_id(&r, call_id);
        assert_int_equal(s_raw(&r, s_ccgs[0], BOARD_METHOD_PROPOSE, body, cut, call_id), -1);
    }
    /* Flipped bytes never crash the engine, whatever the verdict. */
    uint8_t *mutant = malloc(len);
    assert_non_null(mutant);
    for (int i = 0; i < 2000; i++) {
        memcpy(mutant, body, len);
        for (uint32_t k = 1 + s_rand(3); k > 0; k--) {
            mutant[s_rand((uint32_t)len)] ^= (uint8_t)(1u << s_rand(8));
        }
        s_call_id(&r, call_id);
        s_raw(&r, s_ccgs[s_rand(2)], BOARD_METHOD_PROPOSE, mutant, len, call_id);
    }
    free(mutant);
    free(body);
    /* The mutants accepted as proposals close at their deadlines, or the
     * member would be at its limit of open proposals. */
    r.now += 2 * DAY;
    assert_int_equal(s_decide(&r, s_ccgs[0], "HOSTILE", ACUTE, id), 0);
    Concord__V1__Ballot b = CONCORD__V1__BALLOT__INIT;
    b.board_id = "HOSTILE";
    b.proposal_id = id;
    b.vote = FOR;
    assert_int_equal(wire_pack(&b.base, WIRE_MAX_FRAME, &body, &len, NULL), 0);
    mutant = malloc(len);
    assert_non_null(mutant);
    for (int i = 0; i < 2000; i++) {
        memcpy(mutant, body, len);
        mutant[s_rand((uint32_t)len)] ^= (uint8_t)(1u << s_rand(8));
        s_call_id(&r, call_id);
        s_raw(&r, s_ccgs[s_rand(2)], BOARD_METHOD_VOTE, mutant, s_rand((uint32_t)len + 1), call_id);
    }
    free(mutant);
    free(body);
    /* An event missing its sender is refused, not dereferenced. */
    board_event_t ev = {.log_index = ++r.index,
                        .time_ms = r.now,
                        .call_id = call_id,
                        .hash = call_id,
                        .method = BOARD_METHOD_VOTE};
    cc_err_t err;
    assert_int_equal(board_apply(r.e, &ev, &err), -1);
    assert_int_equal(err.code, CC_INVALID_ARGUMENT);
    assert_true(board_proposal_count(r.e) >= proposals + 1);
    s_run_free(&r);
}

/* ---- views ---- */

static int s_collect(uint64_t log_index, const uint8_t hash[32], void *arg)
{
    uint64_t *seen = arg;
    uint64_t from_hash;
    memcpy(&from_hash, hash, sizeof from_hash);
    assert_int_equal(from_hash, log_index);
    seen[++seen[0]] = log_index;
    return seen[0] == 100 ? 7 : 0;
}

static void test_board_views_and_prefixes(void **state)
{
    (void)state;
    s_run_t r;
    s_charter_t a, b;
    char ida[33], idb[33], p1[33], p2[33], prefix[33];
    board_proposal_view_t pv;
    cc_err_t err;
    s_run_init(&r);
    s_small(&a, "VIEW-A", CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST, 1, 1);
    s_small(&b, "VIEW-B", CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST, 1, 1);
    s_adopt(&r, &a, ida);                                              /* log 1..3 */
    s_adopt(&r, &b, idb);                                              /* log 4..6 */
    assert_int_equal(s_decide(&r, s_ccgs[0], "VIEW-A", ACUTE, p1), 0); /* 7 */
    assert_int_equal(s_decide(&r, s_ccgs[0], "VIEW-B", ACUTE, p2), 0); /* 8 */
    assert_int_equal(s_vote(&r, s_ccgs[0], "VIEW-A", p1, FOR), 0);     /* 9 */
    s_refused(&r, s_vote(&r, OUTSIDER, "VIEW-A", p1, FOR), CC_PERMISSION_DENIED, "member");
    assert_int_equal(s_vote(&r, s_councils[0], "VIEW-A", p1, FOR), 0); /* 11 */
    /* Boards and proposals in order. */
    assert_int_equal(board_count(r.e), 2);
    board_view_t v;
    board_at(r.e, 1, &v);
    assert_string_equal(v.board_id, "VIEW-B");
    assert_int_equal(board_get(r.e, "VIEW-C", &v), -1);
    assert_int_equal(board_proposal_count(r.e), 4);
    board_proposal_at(r.e, 2, r.now, &pv);
    assert_string_equal(pv.id, p1);
    assert_string_equal(pv.board_id, "VIEW-A");
    assert_string_equal(pv.proposer, s_ccgs[0]);
    assert_int_equal(pv.log_index, 7);
    assert_string_equal(pv.proposal->title, "Pool the health and social care budget");
    /* Full id, unique prefix, upper case; ambiguous, short, unknown. */
    assert_int_equal(board_proposal_find(r.e, p1, r.now, &pv, &err), 0);
    snprintf(prefix, sizeof prefix, "%.12s", p2);
    assert_int_equal(board_proposal_find(r.e, prefix, r.now, &pv, &err), 0);
    assert_string_equal(pv.id, p2);
    for (char *q = prefix; *q; q++) {
        *q = (char)(*q >= 'a' && *q <= 'f' ? *q - 32 : *q);
    }
    assert_int_equal(board_proposal_find(r.e, prefix, r.now, &pv, &err), 0);
    assert_string_equal(pv.id, p2);
    assert_int_equal(board_proposal_find(r.e, "000000", r.now, &pv, &err), -1);
    assert_int_equal(err.code, CC_INVALID_ARGUMENT);
    assert_non_null(strstr(err.msg, "give more of the id"));
    assert_int_equal(board_proposal_find(r.e, "00000", r.now, &pv, &err), -1);
    assert_int_equal(err.code, CC_INVALID_ARGUMENT);
    assert_int_equal(board_proposal_find(r.e, "abcdef", r.now, &pv, &err), -1);
    assert_int_equal(err.code, CC_NOT_FOUND);
    assert_int_equal(board_proposal_find(r.e, "", r.now, &pv, &err), -1);
    assert_int_equal(board_proposal_find(r.e, NULL, r.now, &pv, &err), -1);
    snprintf(prefix, sizeof prefix, "%s", p1);
    char longer[40];
    snprintf(longer, sizeof longer, "%s0", p1);
    assert_int_equal(board_proposal_find(r.e, longer, r.now, &pv, &err), -1);
    assert_int_equal(err.code, CC_NOT_FOUND);
    /* Ballots and the events of a board, in log order. */
    assert_int_equal(board_proposal_find(r.e, p1, r.now, &pv, &err), 0);
    assert_int_equal(pv.n_ballots, 2);
    assert_true(pv.closed && pv.tally.passed);
    board_ballot_view_t bv;
    board_ballot_at(r.e, &pv, 1, &bv);
    assert_string_equal(bv.member, s_councils[0]);
    assert_int_equal(bv.log_index, 11);
    uint64_t seen[128] = {0};
    assert_int_equal(board_events(r.e, "VIEW-A", 9, s_collect, seen), 0);
    assert_int_equal(seen[0], 5);
    const uint64_t want[] = {1, 2, 3, 7, 9};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(seen[i + 1], want[i]);
    }
    memset(seen, 0, sizeof seen);
    assert_int_equal(board_events(r.e, "VIEW-B", UINT64_MAX, s_collect, seen), 0);
    assert_int_equal(seen[0], 4);
    assert_int_equal(seen[4], 8);
    seen[0] = 99; /* the callback stops the walk */
    assert_int_equal(board_events(r.e, "VIEW-A", UINT64_MAX, s_collect, seen), 7);
    assert_int_equal(board_events(r.e, "VIEW-C", UINT64_MAX, s_collect, seen), -1);
    s_run_free(&r);
}

/* ---- validation ---- */

static void s_charter_refused(s_charter_t *c, const char *text)
{
    cc_err_t err;
    if (board_check_charter(s_roster, &c->ch, &err) != -1 || !strstr(err.msg, text)) {
        print_error("expected a refusal containing \"%s\", got: %s\n", text, err.msg);
    }
    assert_int_equal(board_check_charter(s_roster, &c->ch, &err), -1);
    assert_int_equal(err.code, CC_INVALID_ARGUMENT);
    assert_non_null(strstr(err.msg, text));
    s_small(c, "GOOD-1", CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST, 2, 2);
    assert_int_equal(board_check_charter(s_roster, &c->ch, &err), 0);
}

static void test_board_charter_validation(void **state)
{
    (void)state;
    s_charter_t c;
    char name[202];
    s_small(&c, "GOOD-1", CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST, 2, 2);
    c.ch.board_id = "G";
    s_charter_refused(&c, "board id 'G'");
    c.ch.board_id = "GM JCB";
    s_charter_refused(&c, "letters, digits or hyphens");
    c.ch.board_id = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456";
    s_charter_refused(&c, "letters, digits or hyphens");
    c.ch.name = "";
    s_charter_refused(&c, "needs a name");
    memset(name, 'n', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    c.ch.name = name;
    s_charter_refused(&c, "at most 200");
    c.ch.n_members = 1;
    s_charter_refused(&c, "has 1 members; a board needs 2");
    c.m[1].code = (char *)s_ccgs[0];
    s_charter_refused(&c, "E38000016 is named twice");
    c.m[2].code = STRANGER;
    s_charter_refused(&c, "'E99' of board GOOD-1 is not an organisation in the roster");
    c.m[2].code = "broker";
    s_charter_refused(&c, "not an organisation in the roster");
    c.m[3].constituency = 0;
    s_charter_refused(&c, "has no constituency");
    c.ch.rule = 0;
    s_charter_refused(&c, "sets no voting rule");
    c.ch.rule = CONCORD__V1__VOTING_RULE__QUALIFIED_MAJORITY;
    c.ch.qualified_numerator = 0;
    c.ch.qualified_denominator = 3;
    s_charter_refused(&c, "qualified majority 0/3");
    c.ch.rule = CONCORD__V1__VOTING_RULE__QUALIFIED_MAJORITY;
    c.ch.qualified_numerator = 4;
    c.ch.qualified_denominator = 3;
    s_charter_refused(&c, "qualified majority 4/3");
    c.ch.rule = CONCORD__V1__VOTING_RULE__QUALIFIED_MAJORITY;
    c.ch.qualified_numerator = 2;
    c.ch.qualified_denominator = 1001;
    s_charter_refused(&c, "qualified majority 2/1001");
    c.ch.quorum_denominator = 0;
    s_charter_refused(&c, "quorum 1/0");
    c.ch.quorum_numerator = 3;
    s_charter_refused(&c, "quorum 3/2");
    c.ch.quorum_numerator = 1;
    c.ch.quorum_denominator = 1001;
    s_charter_refused(&c, "quorum 1/1001");
    s_reserved(&c, PRIMARY_CARE, NHSE);
    s_charter_refused(&c, "reserved matter primary-care names 'X24', who is not a member");
    s_reserved(&c, 0, s_ccgs[0]);
    s_charter_refused(&c, "names no service area");
    /* The edges that are allowed. */
    cc_err_t err;
    c.ch.quorum_numerator = 0;
    c.ch.quorum_denominator = 1000;
    c.ch.rule = CONCORD__V1__VOTING_RULE__QUALIFIED_MAJORITY;
    c.ch.qualified_numerator = 1000;
    c.ch.qualified_denominator = 1000;
    c.ch.board_id = "ABCDEFGHIJKLMNOPQRSTUVWXYZ-01234";
    assert_int_equal(board_check_charter(s_roster, &c.ch, &err), 0);
}

static void test_board_proposal_validation(void **state)
{
    (void)state;
    s_run_t r;
    s_charter_t c;
    char adopt[33], id[33], title[BOARD_TITLE_MAX + 2];
    s_run_init(&r);
    s_small(&c, "CHECKS", CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST, 2, 2);
    s_adopt(&r, &c, adopt);
    Concord__V1__Proposal p = s_proposal(&r, "CHECKS", DECISION, ACUTE);
#define REFUSED(code, text) s_refused(&r, s_propose(&r, s_ccgs[0], &p, id), code, text)
    p.kind = 0;
    REFUSED(CC_INVALID_ARGUMENT, "has no kind");
    p = s_proposal(&r, "CHECKS", DECISION, ACUTE);
    p.title = "";
    REFUSED(CC_INVALID_ARGUMENT, "title");
    memset(title, 't', sizeof title - 1);
    title[sizeof title - 1] = '\0';
    p.title = title;
    REFUSED(CC_INVALID_ARGUMENT, "title");
    title[BOARD_TITLE_MAX] = '\0';
    assert_int_equal(s_propose(&r, s_ccgs[0], &p, id), 0);
    p = s_proposal(&r, "CHECKS", DECISION, 0);
    REFUSED(CC_INVALID_ARGUMENT, "needs a service area");
    p = s_proposal(&r, "CHECKS", DECISION, ACUTE);
    p.amount_pence = -1;
    REFUSED(CC_INVALID_ARGUMENT, "negative");
    p = s_proposal(&r, "CHECKS", DECISION, ACUTE);
    static const char *const bad_dates[] = {"2023-02-29", "2024-13-01", "2024-04-31",
                                            "24-01-01",   "2024-1-01",  "2024-01-0x"};
    for (size_t i = 0; i < sizeof bad_dates / sizeof *bad_dates; i++) {
        p.effective_date = (char *)bad_dates[i];
        REFUSED(CC_INVALID_ARGUMENT, "is not a YYYY-MM-DD date");
    }
    p.effective_date = "2024-02-29";
    assert_int_equal(s_propose(&r, s_ccgs[0], &p, id), 0);
    p = s_proposal(&r, "CHECKS", DECISION, ACUTE);
    p.closes_at_ms = r.now;
    REFUSED(CC_INVALID_ARGUMENT, "not after submission");
    p.closes_at_ms = r.now + BOARD_MAX_DEADLINE_MS + 1;
    REFUSED(CC_INVALID_ARGUMENT, "more than 400 days");
    p.closes_at_ms = r.now + BOARD_MAX_DEADLINE_MS;
    assert_int_equal(s_propose(&r, s_ccgs[0], &p, id), 0);
    /* The same call id twice is one proposal. */
    uint8_t call_id[16];
    s_call_id(&r, call_id);
    p = s_proposal(&r, "CHECKS", DECISION, ACUTE);
    assert_int_equal(s_msg(&r, s_ccgs[0], BOARD_METHOD_PROPOSE, &p.base, call_id), 0);
    s_refused(&r, s_msg(&r, s_ccgs[0], BOARD_METHOD_PROPOSE, &p.base, call_id), CC_ALREADY_EXISTS,
              "already exists");
    /* Who may propose, and to what. */
    s_refused(&r, s_propose(&r, OUTSIDER, &p, id), CC_PERMISSION_DENIED,
              OUTSIDER " is not a member of board CHECKS");
    p.board_id = "NOWHERE";
    REFUSED(CC_NOT_FOUND, "no board 'NOWHERE'");
    s_charter_t fresh;
    s_small(&fresh, "FRESH", CONCORD__V1__VOTING_RULE__CONSENSUS, 1, 1);
    p = s_proposal(&r, "FRESH", ADOPTION, 0);
    REFUSED(CC_INVALID_ARGUMENT, "must carry the charter");
    p.charter = &fresh.ch;
    s_refused(&r, s_propose(&r, STRANGER, &p, id), CC_PERMISSION_DENIED,
              "'E99' is not an organisation in the roster");
    p.board_id = "CHECKS";
    REFUSED(CC_INVALID_ARGUMENT, "carries the charter of FRESH");
    fresh.ch.board_id = "CHECKS";
    REFUSED(CC_ALREADY_EXISTS, "board CHECKS already exists");
    fresh.m[0].weight = 0;
    fresh.m[1].weight = 0;
    fresh.ch.rule = CONCORD__V1__VOTING_RULE__WEIGHTED;
    fresh.ch.board_id = "FRESH";
    p.board_id = "FRESH";
    REFUSED(CC_INVALID_ARGUMENT, "weights add up to 0");
    assert_int_equal(board_count(r.e), 1);
#undef REFUSED
    s_run_free(&r);
}

static void test_board_precheck_changes_nothing(void **state)
{
    (void)state;
    s_run_t r;
    s_charter_t c;
    char adopt[33], id[33];
    uint8_t *body = NULL, call_id[16] = {0}, hash[32] = {0};
    size_t len = 0;
    cc_err_t err;
    board_proposal_view_t pv;
    s_run_init(&r);
    s_small(&c, "PRE", CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST, 2, 2);
    s_adopt(&r, &c, adopt);
    assert_int_equal(s_decide(&r, s_ccgs[0], "PRE", ACUTE, id), 0);
    Concord__V1__Ballot b = CONCORD__V1__BALLOT__INIT;
    b.board_id = "PRE";
    b.proposal_id = id;
    b.vote = FOR;
    assert_int_equal(wire_pack(&b.base, WIRE_MAX_FRAME, &body, &len, NULL), 0);
    board_event_t ev = {.sender = s_ccgs[1],
                        .log_index = UINT64_MAX,
                        .time_ms = r.now,
                        .call_id = call_id,
                        .hash = hash,
                        .method = BOARD_METHOD_VOTE,
                        .body = body,
                        .body_len = len};
    size_t rejections = board_rejection_count(r.e);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(board_precheck(r.e, &ev, &err), 0);
    }
    s_view(&r, id, &pv);
    assert_int_equal(pv.n_ballots, 0);
    ev.sender = OUTSIDER;
    assert_int_equal(board_precheck(r.e, &ev, &err), -1);
    assert_int_equal(err.code, CC_PERMISSION_DENIED);
    ev.sender = s_ccgs[1];
    ev.time_ms = pv.proposal->closes_at_ms + 1;
    assert_int_equal(board_precheck(r.e, &ev, &err), -1);
    assert_int_equal(err.code, CC_DEADLINE_EXCEEDED);
    ev.time_ms = r.now;
    ev.log_index = r.index;
    assert_int_equal(board_precheck(r.e, &ev, &err), -1);
    assert_int_equal(err.code, CC_FAILED_PRECONDITION);
    assert_int_equal(board_rejection_count(r.e), rejections);
    assert_int_equal(s_vote(&r, s_ccgs[1], "PRE", id, FOR), 0);
    ev.log_index = UINT64_MAX;
    assert_int_equal(board_precheck(r.e, &ev, &err), -1);
    assert_int_equal(err.code, CC_ALREADY_EXISTS);
    free(body);
    s_run_free(&r);
}

/* ---- people: conflicts of interest (NHS Act 2006 s14O; 2017 CCG
 * guidance; Localism Act 2011 s31) ---- */

/* Registers person id of org, covering board for vote and propose, with a
 * financial interest in subject (NULL: none). */
static void s_person_with_interest(s_run_t *r, const char *org, const char *id, const char *board,
                                   const char *subject)
{
    static uint8_t pk[32];
    pk[0]++;
    pk[1] = 0x77; /* a distinct made-up key per person */
    char *boards[] = {(char *)board};
    Concord__V1__PersonAct acts[] = {CONCORD__V1__PERSON_ACT__ACT_VOTE,
                                     CONCORD__V1__PERSON_ACT__ACT_PROPOSE};
    Concord__V1__Person p = CONCORD__V1__PERSON__INIT;
    p.person_id = (char *)id;
    p.name = "A Member";
    p.voting = 1;
    p.public_key.data = pk;
    p.public_key.len = 32;
    p.boards = boards;
    p.n_boards = 1;
    p.acts = acts;
    p.n_acts = 2;
    p.valid_from = "2020-01-01";
    p.valid_to = "2099-12-31";
    uint8_t call_id[16];
    s_call_id(r, call_id);
    assert_int_equal(s_msg(r, org, PEOPLE_METHOD_PERSON, &p.base, call_id), 0);
    if (!subject) {
        return;
    }
    Concord__V1__Interest in = CONCORD__V1__INTEREST__INIT;
    in.person_id = (char *)id;
    in.kind = CONCORD__V1__INTEREST_KIND__FINANCIAL;
    in.concerns = (char *)subject;
    in.from_date = "2026-01-01";
    s_call_id(r, call_id);
    assert_int_equal(s_msg(r, org, PEOPLE_METHOD_INTEREST, &in.base, call_id), 0);
}

static int s_declare(s_run_t *r, const char *org, const char *board, const char *pid,
                     const char *subject)
{
    Concord__V1__Declaration d = CONCORD__V1__DECLARATION__INIT;
    d.board_id = (char *)board;
    d.proposal_id = (char *)pid;
    d.kind = CONCORD__V1__INTEREST_KIND__NON_FINANCIAL_PERSONAL;
    d.concerns = (char *)subject;
    d.description = "Spouse is a director\nOutcome: PASSED";
    uint8_t call_id[16];
    s_call_id(r, call_id);
    return s_msg(r, org, PEOPLE_METHOD_DECLARE, &d.base, call_id);
}

/* EXCLUDE: a member with a registered interest in a named provider is out
 * of the vote and of the quorum count (recomputed over the others); with
 * a declaration excluding another, too few remain for the board's quorum
 * and the proposal is referred to the body the charter names. */
static void test_board_conflicts_exclude_and_refer(void **state)
{
    (void)state;
    s_run_t r;
    s_charter_t c;
    char adopt[33], p1[33], p2[33];
    board_proposal_view_t pv;
    s_run_init(&r);
    s_small(&c, "COI-JCB", CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST, 2, 2);
    c.ch.quorum_numerator = 3;
    c.ch.quorum_denominator = 4;
    c.ch.conflicts = CONCORD__V1__CONFLICT_POLICY__EXCLUDE;
    c.ch.conflicts_referral = "Governing Body";
    s_adopt(&r, &c, adopt);
    s_person_with_interest(&r, s_ccgs[0], "gp-lead", "COI-JCB", "Acme-Health");

    char *one[] = {"Acme-Health"};
    Concord__V1__Proposal p = s_proposal(&r, "COI-JCB", DECISION, ACUTE);
    p.effective_date = "";
    p.concerns = one;
    p.n_concerns = 1;
    assert_int_equal(s_propose(&r, s_councils[0], &p, p1), 0);
    s_refused(&r, s_vote(&r, s_ccgs[0], "COI-JCB", p1, FOR), CC_PERMISSION_DENIED,
              "excluded: E38000016 has a registered interest in 'Acme-Health'");
    s_view(&r, p1, &pv);
    assert_int_equal(pv.tally.all.members, 3);
    assert_int_equal(pv.tally.quorum_needed, 3);
    assert_int_equal(pv.tally.n_exclusions, 1);
    assert_string_equal(pv.tally.exclusions[0].person, "gp-lead");
    assert_false(pv.tally.exclusions[0].remains);
    assert_int_equal(s_vote(&r, s_ccgs[1], "COI-JCB", p1, FOR), 0);
    assert_int_equal(s_vote(&r, s_councils[0], "COI-JCB", p1, FOR), 0);
    assert_int_equal(s_vote(&r, s_councils[1], "COI-JCB", p1, AGAINST), 0);
    s_view(&r, p1, &pv);
    assert_true(pv.closed);
    assert_true(pv.tally.passed);
    assert_false(pv.tally.referred);

    char *two[] = {"Acme-Health", "Beta-Care"};
    p = s_proposal(&r, "COI-JCB", DECISION, ACUTE);
    p.effective_date = "";
    p.concerns = two;
    p.n_concerns = 2;
    assert_int_equal(s_propose(&r, s_councils[0], &p, p2), 0);
    s_refused(&r, s_declare(&r, s_councils[1], "COI-JCB", p2, "Gamma-Care"),
              CC_INVALID_ARGUMENT, "names no provider or subject 'Gamma-Care'");
    s_refused(&r, s_declare(&r, OUTSIDER, "COI-JCB", p2, "Beta-Care"), CC_PERMISSION_DENIED,
              "not a member");
    assert_int_equal(s_declare(&r, s_councils[1], "COI-JCB", p2, "Beta-Care"), 0);
    s_view(&r, p2, &pv);
    assert_true(pv.closed);
    assert_false(pv.tally.passed);
    assert_true(pv.tally.referred);
    assert_string_equal(pv.tally.referred_to, "Governing Body");
    assert_int_equal(pv.tally.n_declarations, 1);
    assert_true(pv.tally.exclusions[1].declared);
    assert_non_null(strstr(pv.tally.explanation, "referred to Governing Body"));
    /* A member's words stay on their line of the explanation. */
    assert_non_null(strstr(pv.tally.explanation, "Declared by E08000002: a non-financial personal"
                                                 " interest in 'Beta-Care': Spouse is a director"));
    assert_null(strstr(pv.tally.explanation, "\nOutcome: PASSED"));
    board_tally_data_t td;
    board_tally_data(&pv.tally, &td);
    assert_string_equal(td.msg.referred_to, "Governing Body");
    assert_int_equal(td.msg.n_exclusions, 2);
    /* Decided: a declaration or a ballot now changes nothing. */
    s_refused(&r, s_declare(&r, s_ccgs[1], "COI-JCB", p2, "Beta-Care"), CC_FAILED_PRECONDITION,
              "declaration on a closed proposal");
    s_run_free(&r);
}

/* REMAIN_WITHOUT_VOTE: the conflicted member keeps its place among the
 * members the quorum counts but casts no vote; a member that voted
 * cannot declare afterwards. A charter requiring person-signed acts
 * refuses an act no person signed. */
static void test_board_conflicts_remain_and_person_signed(void **state)
{
    (void)state;
    s_run_t r;
    s_charter_t c;
    char adopt[33], p1[33];
    board_proposal_view_t pv;
    s_run_init(&r);
    s_small(&c, "REM-JCB", CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST, 2, 2);
    c.ch.conflicts = CONCORD__V1__CONFLICT_POLICY__REMAIN_WITHOUT_VOTE;
    s_adopt(&r, &c, adopt);
    s_person_with_interest(&r, s_ccgs[0], "gp-lead", "REM-JCB", "Acme-Health");
    char *one[] = {"Acme-Health"};
    Concord__V1__Proposal p = s_proposal(&r, "REM-JCB", DECISION, ACUTE);
    p.effective_date = "";
    p.concerns = one;
    p.n_concerns = 1;
    assert_int_equal(s_propose(&r, s_councils[0], &p, p1), 0);
    s_refused(&r, s_vote(&r, s_ccgs[0], "REM-JCB", p1, FOR), CC_PERMISSION_DENIED,
              "remains without a vote");
    assert_int_equal(s_vote(&r, s_ccgs[1], "REM-JCB", p1, FOR), 0);
    s_refused(&r, s_declare(&r, s_ccgs[1], "REM-JCB", p1, "Acme-Health"),
              CC_FAILED_PRECONDITION, "already voted");
    /* An act's audience does not depend on its person chain: a ballot
     * naming a person no node knows still has its board's audience, as the
     * broker asks before the act has a log time. */
    Concord__V1__Ballot bl = CONCORD__V1__BALLOT__INIT;
    bl.board_id = "REM-JCB";
    bl.proposal_id = p1;
    bl.vote = FOR;
    bl.person = "nobody";
    uint8_t *body = NULL, cid[16] = {1}, hash[32] = {0};
    size_t len = 0;
    assert_int_equal(wire_pack(&bl.base, WIRE_MAX_FRAME, &body, &len, NULL), 0);
    board_event_t ev = {.sender = s_councils[1], .log_index = UINT64_MAX, .time_ms = 0,
                        .call_id = cid, .hash = hash, .method = BOARD_METHOD_VOTE, .body = body,
                        .body_len = len};
    char to[BOARD_AUDIENCE_MAX + 1];
    cc_err_t err;
    assert_int_equal(board_audience(r.e, &ev, to, &err), 0);
    assert_string_equal(to, "board:REM-JCB");
    ev.time_ms = r.now;
    assert_int_equal(board_precheck(r.e, &ev, &err), -1);
    assert_non_null(strstr(err.msg, "unknown person"));
    free(body);
    s_view(&r, p1, &pv);
    assert_int_equal(pv.tally.all.members, 4);
    assert_true(pv.tally.exclusions[0].remains);
    assert_false(pv.tally.referred);

    /* A person named with no person's signature; and a charter requiring
     * person-signed acts. */
    s_charter_t c2;
    char adopt2[33], p2[33];
    s_small(&c2, "SGN-JCB", CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST, 1, 1);
    c2.ch.person_signed_acts = 1;
    s_adopt(&r, &c2, adopt2); /* the adoption's ballots need no person */
    p = s_proposal(&r, "SGN-JCB", DECISION, ACUTE);
    s_refused(&r, s_propose(&r, s_ccgs[0], &p, p2), CC_PERMISSION_DENIED,
              "requires every proposal, ballot and declaration");
    p.person = "nobody";
    s_refused(&r, s_propose(&r, s_ccgs[0], &p, p2), CC_NOT_FOUND, "unknown person");
    p.person = "gp-lead"; /* registered for another board */
    s_refused(&r, s_propose(&r, s_ccgs[0], &p, p2), CC_PERMISSION_DENIED, "out of scope");
    s_person_with_interest(&r, s_ccgs[0], "ao", "SGN-JCB", NULL);
    p.person = "ao";
    s_refused(&r, s_propose(&r, s_ccgs[0], &p, p2), CC_UNAUTHENTICATED,
              "carries no person's signature");
    s_run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_board_majority_of_votes_cast),
        cmocka_unit_test(test_board_absolute_majority_with_abstentions),
        cmocka_unit_test(test_board_qualified_majority_boundary),
        cmocka_unit_test(test_board_unanimity_and_consensus),
        cmocka_unit_test(test_board_double_majority),
        cmocka_unit_test(test_board_weighted),
        cmocka_unit_test(test_board_hwb_charter_and_bcf_plan),
        cmocka_unit_test(test_board_quorum_abstentions_and_constituencies),
        cmocka_unit_test(test_board_explanation_sentences),
        cmocka_unit_test(test_board_reserved_matter_needs_named_member),
        cmocka_unit_test(test_board_statutory_duty_not_delegated),
        cmocka_unit_test(test_board_meetings),
        cmocka_unit_test(test_board_call_in),
        cmocka_unit_test(test_board_shadow_board_ratification),
        cmocka_unit_test(test_board_committee_in_common_tally),
        cmocka_unit_test(test_board_gm_double_majority_needs_councils),
        cmocka_unit_test(test_board_adoption_needs_every_member),
        cmocka_unit_test(test_board_open_proposals_per_member),
        cmocka_unit_test(test_board_ballot_rejections),
        cmocka_unit_test(test_board_early_decision_matches_brute_force),
        cmocka_unit_test(test_board_engine_closes_when_brute_force_fixed),
        cmocka_unit_test(test_board_deadline_close_admits_before_next_event),
        cmocka_unit_test(test_board_membership_remove_and_refusals),
        cmocka_unit_test(test_board_deadline_closes_in_order),
        cmocka_unit_test(test_board_amendment_changes_rule),
        cmocka_unit_test(test_board_same_events_same_state),
        cmocka_unit_test(test_board_out_of_log_order_refused),
        cmocka_unit_test(test_board_malformed_bodies),
        cmocka_unit_test(test_board_views_and_prefixes),
        cmocka_unit_test(test_board_charter_validation),
        cmocka_unit_test(test_board_proposal_validation),
        cmocka_unit_test(test_board_precheck_changes_nothing),
        cmocka_unit_test(test_board_audiences),
        cmocka_unit_test(test_board_exempt_items),
        cmocka_unit_test(test_board_conflicts_exclude_and_refer),
        cmocka_unit_test(test_board_conflicts_remain_and_person_signed),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
