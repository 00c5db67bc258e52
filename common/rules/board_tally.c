/* SPDX-License-Identifier: Apache-2.0 */
/* board_tally: the arithmetic of a vote, whether it is already decided,
 * and the sentences that explain it (board_check.c says whether a charter
 * or a proposal is well formed).
 * Pure functions, so every node (and `concord verify`) reaches the same
 * verdicts and writes the same explanation word for word. */
#include "board_tally.h"

#include <assert.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board_names.h"
#include "clock.h"
#include "text.h"
#include "wire.h"

static long s_member_index(const Concord__V1__Charter *c, const char *code)
{
    for (size_t i = 0; i < c->n_members; i++) {
        if (strcmp(c->members[i]->code, code) == 0) {
            return (long)i;
        }
    }
    return -1;
}

/* ---- the tally ---- */

/* What the outcome of a vote depends on, without the explanation text,
 * so that the what-if scenarios of an early decision stay cheap. */
typedef struct {
    const Concord__V1__Charter *charter;
    int adoption; /* CHARTER_ADOPTION: unanimity of all, full quorum */
    int area;
    const board_consents_t *consents; /* may be NULL */
    int cic; /* committee in common: votes[] hold each body's own decision */
    const uint32_t (*reps)[3]; /* cic: each body's representatives' votes */
} s_vote_t;

typedef struct {
    board_count_t all;
    board_count_t by[4];
    uint64_t weight_for;
    uint64_t weight_against;
    uint64_t weight_total;
    int quorate;
    int rule_holds;
    int reserved_blocked;
    int passed;
} s_result_t;

/* A charter from the wire may carry a constituency this version does not
 * know; it was refused at validation, but the arrays must stay in bounds
 * whatever the caller passes. */
static int s_constituency(const Concord__V1__BoardMember *m)
{
    int c = (int)m->constituency;
    return c >= 1 && c <= 3 ? c : CONCORD__V1__CONSTITUENCY__OTHER;
}

static const char *s_constituency_words(int c)
{
    switch (c) {
    case CONCORD__V1__CONSTITUENCY__NHS:
        return "NHS";
    case CONCORD__V1__CONSTITUENCY__LOCAL_GOVERNMENT:
        return "local government";
    default:
        return "other members";
    }
}

static uint64_t s_add_sat(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static void s_count(const s_vote_t *v, const uint8_t *votes, s_result_t *r)
{
    const Concord__V1__Charter *c = v->charter;
    for (size_t i = 0; i < c->n_members; i++) {
        const Concord__V1__BoardMember *m = c->members[i];
        board_count_t *by = &r->by[s_constituency(m)];
        r->all.members++;
        by->members++;
        r->weight_total = s_add_sat(r->weight_total, m->weight);
        if (votes[i] == CONCORD__V1__VOTE__FOR) {
            r->all.votes_for++;
            by->votes_for++;
            r->weight_for = s_add_sat(r->weight_for, m->weight);
        } else if (votes[i] == CONCORD__V1__VOTE__AGAINST) {
            r->all.votes_against++;
            by->votes_against++;
            r->weight_against = s_add_sat(r->weight_against, m->weight);
        } else if (votes[i] == CONCORD__V1__VOTE__ABSTAIN) {
            r->all.abstentions++;
            by->abstentions++;
        } else {
            continue;
        }
        r->all.voters++;
        by->voters++;
    }
}

/* 1 if the committee in common's joint outcome needs member i's agreement. */
static int s_must_agree(const Concord__V1__Charter *c, size_t i)
{
    if (!c->n_must_agree) {
        return 1;
    }
    for (size_t k = 0; k < c->n_must_agree; k++) {
        if (strcmp(c->must_agree[k], c->members[i]->code) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Whether a body agreed under its own rule, from its representatives'
 * votes (f, a, ab). */
static int s_own_agrees(const Concord__V1__BoardMember *m, const uint32_t reps[3])
{
    uint64_t f = reps[0], a = reps[1], voted = (uint64_t)reps[0] + reps[1] + reps[2];
    if (voted < m->own_quorum || voted == 0) {
        return 0;
    }
    switch (m->own_rule) {
    case CONCORD__V1__VOTING_RULE__ABSOLUTE_MAJORITY:
        return 2 * f > m->representatives;
    case CONCORD__V1__VOTING_RULE__UNANIMITY:
        return f == m->representatives;
    case CONCORD__V1__VOTING_RULE__CONSENSUS:
        return a == 0;
    default:
        return f > a;
    }
}

static int s_quorate(const s_vote_t *v, const s_result_t *r)
{
    const Concord__V1__Charter *c = v->charter;
    if (v->adoption) {
        return r->all.voters == r->all.members;
    }
    if (v->cic) {
        return 1; /* each body's own quorum is part of its own decision */
    }
    /* Counts are at most BOARD_MAX_MEMBERS and fractions at most 1000,
     * so 64-bit products cannot overflow. */
    if ((uint64_t)r->all.voters * c->quorum_denominator <
        (uint64_t)c->quorum_numerator * r->all.members) {
        return 0;
    }
    for (int k = 1; c->quorum_each_constituency && k <= 3; k++) {
        if (r->by[k].members && !r->by[k].voters) {
            return 0;
        }
    }
    return 1;
}

static int s_rule_holds(const s_vote_t *v, const s_result_t *r)
{
    const Concord__V1__Charter *c = v->charter;
    const board_count_t *a = &r->all;
    if (v->adoption) {
        return a->votes_for == a->members;
    }
    if (v->cic) {
        return 1; /* s_evaluate judges every body's own decision */
    }
    switch (c->rule) {
    case CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST:
        return a->votes_for > a->votes_against;
    case CONCORD__V1__VOTING_RULE__ABSOLUTE_MAJORITY:
        return 2ull * a->votes_for > a->members;
    case CONCORD__V1__VOTING_RULE__QUALIFIED_MAJORITY:
        return a->votes_for > 0 &&
               (uint64_t)a->votes_for * c->qualified_denominator >=
                   (uint64_t)c->qualified_numerator * (a->votes_for + a->votes_against);
    case CONCORD__V1__VOTING_RULE__UNANIMITY:
        return a->votes_for == a->members;
    case CONCORD__V1__VOTING_RULE__CONSENSUS:
        return a->votes_against == 0;
    case CONCORD__V1__VOTING_RULE__DOUBLE_MAJORITY:
        for (int k = 1; k <= 3; k++) {
            if (r->by[k].members && r->by[k].votes_for <= r->by[k].votes_against) {
                return 0;
            }
        }
        return 1;
    case CONCORD__V1__VOTING_RULE__WEIGHTED:
        /* 2F > F + A is F > A, which cannot overflow. */
        return r->weight_for > 0 && r->weight_for > r->weight_against;
    default:
        return 0;
    }
}

static int s_reserved_blocked(const s_vote_t *v, const uint8_t *votes)
{
    const Concord__V1__Charter *c = v->charter;
    for (size_t i = 0; v->area && i < c->n_reserved; i++) {
        if ((int)c->reserved[i]->area != v->area) {
            continue;
        }
        long m = s_member_index(c, c->reserved[i]->member);
        if (m < 0 || votes[m] != CONCORD__V1__VOTE__FOR) {
            return 1;
        }
    }
    for (size_t i = 0; v->consents && i < v->consents->n; i++) {
        long m = s_member_index(c, v->consents->codes[i]);
        if (m < 0 || votes[m] != CONCORD__V1__VOTE__FOR) {
            return 1;
        }
    }
    return 0;
}

static int s_evaluate(const s_vote_t *v, const uint8_t *votes, s_result_t *r)
{
    memset(r, 0, sizeof *r);
    s_count(v, votes, r);
    r->quorate = s_quorate(v, r);
    r->rule_holds = s_rule_holds(v, r);
    r->reserved_blocked = s_reserved_blocked(v, votes);
    for (size_t i = 0; v->cic && i < v->charter->n_members; i++) {
        if (s_must_agree(v->charter, i) && votes[i] != CONCORD__V1__VOTE__FOR) {
            r->rule_holds = 0;
        }
    }
    r->passed = r->quorate && r->rule_holds && !r->reserved_blocked;
    return r->passed;
}

/* Every rule is monotone in each vote (AGAINST < no vote or ABSTAIN <
 * FOR) and quorum is monotone in turnout, so the outcome is fixed when
 * these extremes agree with the outcome as it stands. */
static int s_decided(const s_vote_t *v, const uint8_t *votes, int passed)
{
    static const uint8_t scenarios[] = {CONCORD__V1__VOTE__FOR, CONCORD__V1__VOTE__AGAINST,
                                        CONCORD__V1__VOTE__ABSTAIN};
    uint8_t what_if[BOARD_MAX_MEMBERS];
    s_result_t r;
    for (size_t s = 0; s < sizeof scenarios; s++) {
        for (size_t i = 0; i < v->charter->n_members; i++) {
            what_if[i] = votes[i] ? votes[i] : scenarios[s];
        }
        if (s_evaluate(v, what_if, &r) != passed) {
            return 0;
        }
    }
    return 1;
}

/* ---- the explanation ---- */

static void s_explain_quorum(const s_vote_t *v, const s_result_t *r, text_t *t)
{
    const Concord__V1__Charter *c = v->charter;
    if (v->adoption) {
        text_put(t, "Quorum: %u of %u members voted (adopting a charter needs all %u)",
                 r->all.voters, r->all.members, r->all.members);
    } else {
        uint64_t den = c->quorum_denominator ? c->quorum_denominator : 1;
        uint64_t needs = ((uint64_t)c->quorum_numerator * r->all.members + den - 1) / den;
        text_put(t, "Quorum: %u of %u members voted (needs %llu: %u/%u of %u)", r->all.voters,
                 r->all.members, (unsigned long long)needs, c->quorum_numerator,
                 c->quorum_denominator, r->all.members);
        if (c->quorum_each_constituency) {
            int missing = 0;
            for (int k = 1; k <= 3; k++) {
                if (r->by[k].members && !r->by[k].voters) {
                    text_put(t, "%s%s", missing++ ? " or " : "; nobody from ",
                             s_constituency_words(k));
                }
            }
            text_put(t, missing ? " voted" : "; every constituency voted");
        }
    }
    text_put(t, r->quorate ? ".\n" : ": not quorate.\n");
}

static void s_explain_double(const s_result_t *r, text_t *t)
{
    int first = 1;
    text_put(t, "Double majority: ");
    for (int k = 1; k <= 3; k++) {
        const board_count_t *b = &r->by[k];
        if (!b->members) {
            continue;
        }
        text_put(t, "%s%s %u FOR, %u AGAINST (%s)", first ? "" : "; ", s_constituency_words(k),
                 b->votes_for, b->votes_against,
                 b->votes_for > b->votes_against ? "majority" : "no majority");
        first = 0;
    }
    text_put(t, ".\n");
}

static void s_explain_rule(const s_vote_t *v, const s_result_t *r, text_t *t)
{
    const Concord__V1__Charter *c = v->charter;
    const board_count_t *a = &r->all;
    unsigned cast = a->votes_for + a->votes_against;
    if (v->adoption) {
        text_put(t, "Charter adoption: %u of %u members named in the charter voted FOR%s.\n",
                 a->votes_for, a->members, r->rule_holds ? "" : "; every one of them must");
        return;
    }
    switch (c->rule) {
    case CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST:
        text_put(t,
                 "Majority of votes cast: %u FOR, %u AGAINST, %u ABSTAIN; %u is %smore than %u.\n",
                 a->votes_for, a->votes_against, a->abstentions, a->votes_for,
                 r->rule_holds ? "" : "not ", a->votes_against);
        break;
    case CONCORD__V1__VOTING_RULE__ABSOLUTE_MAJORITY:
        text_put(t,
                 "Absolute majority: %u FOR of %u members (%u AGAINST, %u ABSTAIN); twice %u is %u,"
                 " %smore than %u.\n",
                 a->votes_for, a->members, a->votes_against, a->abstentions, a->votes_for,
                 2 * a->votes_for, r->rule_holds ? "" : "not ", a->members);
        break;
    case CONCORD__V1__VOTING_RULE__QUALIFIED_MAJORITY:
        text_put(t, "Qualified majority of %u/%u: %u FOR, %u AGAINST, %u ABSTAIN; ",
                 c->qualified_numerator, c->qualified_denominator, a->votes_for, a->votes_against,
                 a->abstentions);
        if (!a->votes_for) {
            text_put(t, "there is no FOR vote.\n");
            break;
        }
        text_put(t, "%u FOR times %u is %llu, %s %u times the %u votes FOR or AGAINST (%llu).\n",
                 a->votes_for, c->qualified_denominator,
                 (unsigned long long)a->votes_for * c->qualified_denominator,
                 r->rule_holds ? "at least" : "less than", c->qualified_numerator, cast,
                 (unsigned long long)c->qualified_numerator * cast);
        break;
    case CONCORD__V1__VOTING_RULE__UNANIMITY:
        text_put(t, "Unanimity: %u of %u members voted FOR (%u AGAINST, %u ABSTAIN)%s.\n",
                 a->votes_for, a->members, a->votes_against, a->abstentions,
                 r->rule_holds ? "" : "; every member must");
        break;
    case CONCORD__V1__VOTING_RULE__CONSENSUS:
        text_put(t, "Consensus: %u FOR, %u AGAINST, %u ABSTAIN; %s.\n", a->votes_for,
                 a->votes_against, a->abstentions,
                 a->votes_against ? "a member objected" : "no member objected");
        break;
    case CONCORD__V1__VOTING_RULE__DOUBLE_MAJORITY:
        s_explain_double(r, t);
        break;
    case CONCORD__V1__VOTING_RULE__WEIGHTED:
        text_put(t, "Weighted vote: FOR weight %llu, AGAINST weight %llu, of %llu in all; ",
                 (unsigned long long)r->weight_for, (unsigned long long)r->weight_against,
                 (unsigned long long)r->weight_total);
        if (!r->weight_for) {
            text_put(t, "no weight voted FOR.\n");
        } else {
            text_put(t, "%llu is %smore than %llu.\n", (unsigned long long)r->weight_for,
                     r->rule_holds ? "" : "not ", (unsigned long long)r->weight_against);
        }
        break;
    default:
        text_put(t, "Voting rule %d is not known to this version.\n", (int)c->rule);
        break;
    }
}

static void s_area_words(int area, char *out, size_t size)
{
    snprintf(out, size, "%s", board_names_area(area));
    for (char *p = out; *p; p++) {
        *p = *p == '-' ? ' ' : *p;
    }
}

static void s_explain_reserved(const s_vote_t *v, const uint8_t *votes, int final, text_t *t)
{
    static const char *const said[] = {NULL, "voted FOR", "voted AGAINST", "abstained"};
    const Concord__V1__Charter *c = v->charter;
    char area[48];
    for (size_t i = 0; v->area && i < c->n_reserved; i++) {
        const Concord__V1__ReservedMatter *rm = c->reserved[i];
        if ((int)rm->area != v->area) {
            continue;
        }
        long m = s_member_index(c, rm->member);
        int vote = m < 0 ? 0 : votes[m];
        s_area_words(v->area, area, sizeof area);
        text_put(t, "Reserved matter: %s needs %.16s's FOR: %.16s %s.\n", area, rm->member,
                 rm->member,
                 vote >= 1 && vote <= 3 ? said[vote]
                 : final                ? "did not vote"
                                        : "has not voted");
    }
    for (size_t i = 0; v->consents && i < v->consents->n; i++) {
        const char *who = v->consents->codes[i];
        long m = s_member_index(c, who);
        int vote = m < 0 ? 0 : votes[m];
        text_put(t, "%s: %s: %.16s %s.\n",
                 v->consents->each[i] ? "Reserved matter" : "Partner's consent",
                 v->consents->each[i] ? v->consents->each[i] : v->consents->why, who,
                 vote >= 1 && vote <= 3 ? said[vote]
                 : final                ? "did not vote"
                                        : "has not voted");
    }
}

/* Why a proposal fails, for the outcome line. */
static void s_explain_why(const s_vote_t *v, const uint8_t *votes, const s_result_t *r, text_t *t)
{
    const Concord__V1__Charter *c = v->charter;
    const char *sep = " (";
    if (!r->quorate) {
        text_put(t, "%snot quorate", sep);
        sep = "; ";
    }
    for (size_t i = 0; v->cic && i < c->n_members; i++) {
        if (s_must_agree(c, i) && votes[i] != CONCORD__V1__VOTE__FOR) {
            text_put(t, "%s%.16s did not agree", sep, c->members[i]->code);
            sep = "; ";
        }
    }
    if (!r->rule_holds && v->adoption) {
        text_put(t, "%snot every member named in the charter voted FOR", sep);
        sep = "; ";
    } else if (!r->rule_holds && c->rule == CONCORD__V1__VOTING_RULE__DOUBLE_MAJORITY) {
        int n = 0;
        for (int k = 1; k <= 3; k++) {
            if (r->by[k].members && r->by[k].votes_for <= r->by[k].votes_against) {
                text_put(t, "%s%s", n++ ? " and " : sep, s_constituency_words(k));
            }
        }
        text_put(t, " did not agree");
        sep = "; ";
    } else if (!r->rule_holds && !v->cic) {
        static const char *const why[] = {
            [CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST] = "FOR did not outnumber AGAINST",
            [CONCORD__V1__VOTING_RULE__ABSOLUTE_MAJORITY] = "FOR was not a majority of all members",
            [CONCORD__V1__VOTING_RULE__QUALIFIED_MAJORITY] =
                "FOR fell short of the qualified majority",
            [CONCORD__V1__VOTING_RULE__UNANIMITY] = "not every member voted FOR",
            [CONCORD__V1__VOTING_RULE__CONSENSUS] = "a member objected",
            [CONCORD__V1__VOTING_RULE__WEIGHTED] =
                "the FOR weight did not exceed the AGAINST weight",
        };
        int rule = (int)c->rule;
        const char *w = rule >= 1 && rule <= 7 && why[rule] ? why[rule] : "the rule is unknown";
        text_put(t, "%s%s", sep, w);
        sep = "; ";
    }
    for (size_t i = 0; r->reserved_blocked && i < c->n_reserved; i++) {
        const Concord__V1__ReservedMatter *rm = c->reserved[i];
        long m = s_member_index(c, rm->member);
        if ((int)rm->area == v->area && (m < 0 || votes[m] != CONCORD__V1__VOTE__FOR)) {
            text_put(t, "%sno FOR from %.16s on a reserved matter", sep, rm->member);
            sep = "; ";
        }
    }
    for (size_t i = 0; r->reserved_blocked && v->consents && i < v->consents->n; i++) {
        long m = s_member_index(c, v->consents->codes[i]);
        if (m < 0 || votes[m] != CONCORD__V1__VOTE__FOR) {
            text_put(t, v->consents->each[i] ? "%sno FOR from %.16s on a reserved matter"
                                             : "%sno FOR from %.16s, whose consent it needs",
                     sep, v->consents->codes[i]);
            sep = "; ";
        }
    }
    text_put(t, ")");
}

/* Each body's own decision in a committee in common. */
static void s_explain_cic(const s_vote_t *v, const uint8_t *votes, int final, text_t *t)
{
    const Concord__V1__Charter *c = v->charter;
    text_put(t, "Committee in common: each body decides its own motion under its own rule; the"
                " joint outcome carries only when ");
    if (!c->n_must_agree) {
        text_put(t, "every body agrees");
    }
    for (size_t k = 0; k < c->n_must_agree; k++) {
        text_put(t, "%s%.16s", k ? ", " : "", c->must_agree[k]);
    }
    text_put(t, "%s.\n", !c->n_must_agree ? "" : c->n_must_agree == 1 ? " agrees" : " agree");
    for (size_t i = 0; i < c->n_members; i++) {
        const Concord__V1__BoardMember *m = c->members[i];
        text_put(t, "%.16s", m->code);
        if (m->representatives) {
            int rule = m->own_rule ? (int)m->own_rule
                                   : CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST;
            text_put(t, " (%u representatives; %s, at least %u voting)", m->representatives,
                     board_names_rule(rule), m->own_quorum);
        } else {
            text_put(t, " (its own vote)");
        }
        if (!votes[i]) {
            text_put(t, ": %s", final ? "did not decide" : "has not decided yet");
        } else if (m->representatives) {
            text_put(t, ": %u FOR, %u AGAINST, %u ABSTAIN: %s", v->reps[i][0], v->reps[i][1],
                     v->reps[i][2],
                     votes[i] == CONCORD__V1__VOTE__FOR ? "agreed" : "did not agree");
        } else {
            text_put(t, ": %s", votes[i] == CONCORD__V1__VOTE__FOR ? "agreed" : "did not agree");
        }
        text_put(t, "%s.\n", s_must_agree(c, i) ? "" : " (its agreement is not needed)");
    }
}

static void s_explain(const s_vote_t *v, const uint8_t *votes, const s_result_t *r, int final,
                      int decided, text_t *t)
{
    if (v->cic) {
        s_explain_cic(v, votes, final, t);
    } else {
        s_explain_quorum(v, r, t);
        s_explain_rule(v, r, t);
    }
    s_explain_reserved(v, votes, final, t);
    unsigned yet = r->all.members - r->all.voters;
    if (final || decided) {
        text_put(t, "Outcome: %s", r->passed ? "PASSED" : "FAILED");
        if (!r->passed) {
            s_explain_why(v, votes, r, t);
        }
        if (!final) {
            text_put(t, "; decided: the %u member%s yet to vote cannot change it", yet,
                     yet == 1 ? "" : "s");
        }
        text_put(t, ".");
        return;
    }
    text_put(t, "Outcome so far: it would %s if voting closed now", r->passed ? "pass" : "fail");
    if (!r->passed) {
        s_explain_why(v, votes, r, t);
    }
    text_put(t, "; %u member%s yet to vote.", yet, yet == 1 ? " has" : "s have");
}

/* Who blocks it: each reserved matter's member (charter order), then each
 * partner whose consent it needs, that did not vote FOR. */
void board_tally_block(board_tally_t *out, const char *code)
{
    if (out->n_blocked < BOARD_TALLY_BLOCKED_MAX) {
        snprintf(out->blocked[out->n_blocked++], sizeof out->blocked[0], "%.16s", code);
    }
}

static void s_blocked(const s_vote_t *v, const uint8_t *votes, board_tally_t *out)
{
    const Concord__V1__Charter *c = v->charter;
    for (size_t i = 0; v->area && i < c->n_reserved; i++) {
        if ((int)c->reserved[i]->area != v->area) {
            continue;
        }
        long m = s_member_index(c, c->reserved[i]->member);
        if (m < 0 || votes[m] != CONCORD__V1__VOTE__FOR) {
            out->reserved_missing = 1;
            board_tally_block(out, c->reserved[i]->member);
        }
    }
    for (size_t i = 0; v->consents && i < v->consents->n; i++) {
        long m = s_member_index(c, v->consents->codes[i]);
        if (m < 0 || votes[m] != CONCORD__V1__VOTE__FOR) {
            out->consent_missing = 1;
            board_tally_block(out, v->consents->codes[i]);
        }
    }
}

static void s_count_msg(const board_count_t *c, int constituency, Concord__V1__TallyCount *m)
{
    concord__v1__tally_count__init(m);
    m->constituency = (Concord__V1__Constituency)constituency;
    m->members = c->members;
    m->voters = c->voters;
    m->votes_for = c->votes_for;
    m->votes_against = c->votes_against;
    m->abstentions = c->abstentions;
}

void board_tally_data(const board_tally_t *t, board_tally_data_t *out)
{
    Concord__V1__Tally *m = &out->msg;
    memset(out, 0, sizeof *out);
    concord__v1__tally__init(m);
    m->rule = (Concord__V1__VotingRule)t->rule;
    m->charter_adoption = t->adoption;
    m->passed = t->passed;
    m->decided = t->decided;
    m->final = t->final;
    m->quorate = t->quorate;
    m->quorum_numerator = t->quorum_numerator;
    m->quorum_denominator = t->quorum_denominator;
    m->quorum_needed = t->quorum_needed;
    m->quorum_each_constituency = t->quorum_each_constituency;
    m->qualified_numerator = t->qualified_numerator;
    m->qualified_denominator = t->qualified_denominator;
    s_count_msg(&t->all, 0, &out->all);
    m->all = &out->all;
    for (int k = 1; k <= 3; k++) {
        if (t->by_constituency[k].members) {
            s_count_msg(&t->by_constituency[k], k, &out->by[m->n_constituencies]);
            out->by_ptrs[m->n_constituencies] = &out->by[m->n_constituencies];
            m->n_constituencies++;
        }
    }
    m->constituencies = out->by_ptrs;
    if (t->rule == CONCORD__V1__VOTING_RULE__WEIGHTED && !t->adoption) {
        m->weight_for = t->weight_for;
        m->weight_against = t->weight_against;
        m->weight_total = t->weight_total;
    }
    if (!t->passed) {
        const struct {
            int on;
            Concord__V1__TallyReason why;
        } reasons[] = {
            {!t->quorate && t->all.voters < t->quorum_needed,
             CONCORD__V1__TALLY_REASON__NOT_QUORATE},
            {!t->quorate && t->constituency_absent, CONCORD__V1__TALLY_REASON__CONSTITUENCY_ABSENT},
            {!t->rule_holds, CONCORD__V1__TALLY_REASON__RULE_NOT_MET},
            {t->reserved_missing, CONCORD__V1__TALLY_REASON__RESERVED_MATTER_BLOCKED},
            {t->consent_missing, CONCORD__V1__TALLY_REASON__CONSENT_MISSING},
            {t->predecessor_missing, CONCORD__V1__TALLY_REASON__PREDECESSOR_MISSING},
            {t->roster_undecided, CONCORD__V1__TALLY_REASON__ROSTER_CHANGE_UNDECIDED},
        };
        for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++) {
            if (reasons[i].on) {
                out->reasons[m->n_reasons++] = reasons[i].why;
            }
        }
    }
    m->reasons = out->reasons;
    for (size_t i = 0; i < t->n_blocked; i++) {
        out->blocked[i] = (char *)t->blocked[i];
    }
    m->blocked_by = out->blocked;
    m->n_blocked_by = t->n_blocked;
    m->yet_to_vote = t->all.members - t->all.voters;
    for (size_t i = 0; i < t->n_signers && i < BOARD_TALLY_PEOPLE_MAX; i++) {
        Concord__V1__ActSigner *x = out->signer_ptrs[i] = &out->signers[i];
        concord__v1__act_signer__init(x);
        x->member = (char *)t->signers[i].member;
        x->person = (char *)t->signers[i].person;
        x->name = (char *)t->signers[i].name;
        x->role = (char *)t->signers[i].role;
    }
    m->n_signers = t->n_signers;
    m->signers = out->signer_ptrs;
    for (size_t i = 0; i < t->n_exclusions && i < BOARD_TALLY_PEOPLE_MAX; i++) {
        Concord__V1__Exclusion *x = out->exclusion_ptrs[i] = &out->exclusions[i];
        concord__v1__exclusion__init(x);
        x->member = (char *)t->exclusions[i].member;
        x->person = (char *)t->exclusions[i].person;
        x->concerns = (char *)t->exclusions[i].concerns;
        x->declared = t->exclusions[i].declared;
        x->remains = t->exclusions[i].remains;
    }
    m->n_exclusions = t->n_exclusions;
    m->exclusions = out->exclusion_ptrs;
    for (size_t i = 0; i < t->n_declarations && i < BOARD_TALLY_PEOPLE_MAX; i++) {
        Concord__V1__DeclarationEntry *x = out->declaration_ptrs[i] = &out->declarations[i];
        concord__v1__declaration_entry__init(x);
        x->member = (char *)t->declarations[i].member;
        x->person = (char *)t->declarations[i].person;
        x->kind = (Concord__V1__InterestKind)t->declarations[i].kind;
        x->concerns = (char *)t->declarations[i].concerns;
        x->description = (char *)t->declarations[i].description;
    }
    m->n_declarations = t->n_declarations;
    m->declarations = out->declaration_ptrs;
    m->referred_to = (char *)(t->referred ? t->referred_to : "");
    m->by_attendance = t->by_attendance;
    m->present = t->present;
    m->casting_used = t->casting_used;
    m->casting_by = (char *)(t->casting_used ? t->casting_by : "");
}

void board_tally(const Concord__V1__Charter *charter, int kind, int area,
                 const board_ballot_t *ballots, size_t n_ballots, int final, board_tally_t *out)
{
    board_tally_with(charter, kind, area, NULL, ballots, n_ballots, final, out);
}

void board_tally_with(const Concord__V1__Charter *charter, int kind, int area,
                      const board_consents_t *consents, const board_ballot_t *ballots,
                      size_t n_ballots, int final, board_tally_t *out)
{
    uint8_t votes[BOARD_MAX_MEMBERS];
    uint32_t reps[BOARD_MAX_MEMBERS][3];
    s_result_t r;
    assert(charter != NULL && out != NULL && (ballots != NULL || n_ballots == 0));
    /* Charters are validated before they are tallied; more members than
     * the limit is a programming error. */
    assert(charter->n_members <= BOARD_MAX_MEMBERS);
    memset(out, 0, sizeof *out);
    memset(votes, 0, sizeof votes);
    memset(reps, 0, sizeof reps);
    int cic = charter->kind == CONCORD__V1__BOARD_KIND__COMMITTEE_IN_COMMON &&
              kind != CONCORD__V1__PROPOSAL_KIND__CHARTER_ADOPTION;
    for (size_t i = 0; i < n_ballots; i++) {
        int vote = ballots[i].vote;
        size_t m = ballots[i].member;
        if (m >= charter->n_members || vote < 1 || vote > 3) {
            continue;
        }
        votes[m] = (uint8_t)vote;
        if (cic && charter->members[m]->representatives) {
            /* The body's decision is its representatives' under its own rule. */
            memcpy(reps[m], ballots[i].reps, sizeof reps[m]);
            votes[m] = s_own_agrees(charter->members[m], reps[m]) ? CONCORD__V1__VOTE__FOR
                                                                  : CONCORD__V1__VOTE__AGAINST;
        } else if (cic) {
            votes[m] = vote == CONCORD__V1__VOTE__FOR ? CONCORD__V1__VOTE__FOR
                                                      : CONCORD__V1__VOTE__AGAINST;
        }
    }
    s_vote_t v = {.charter = charter,
                  .adoption = kind == CONCORD__V1__PROPOSAL_KIND__CHARTER_ADOPTION,
                  .area = area,
                  .consents = consents,
                  .cic = cic,
                  .reps = (const uint32_t(*)[3])reps};
    s_evaluate(&v, votes, &r);
    out->passed = r.passed;
    out->decided = final ? 1 : s_decided(&v, votes, r.passed);
    out->quorate = r.quorate;
    out->all = r.all;
    memcpy(out->by_constituency, r.by, sizeof r.by);
    out->weight_for = r.weight_for;
    out->weight_against = r.weight_against;
    out->weight_total = r.weight_total;
    out->reserved_blocked = r.reserved_blocked;
    out->rule = (int)charter->rule;
    out->adoption = v.adoption;
    out->final = final ? 1 : 0;
    out->rule_holds = r.rule_holds;
    out->quorum_numerator = charter->quorum_numerator;
    out->quorum_denominator = charter->quorum_denominator;
    out->quorum_each_constituency = charter->quorum_each_constituency ? 1 : 0;
    if (v.adoption) {
        out->quorum_needed = r.all.members;
    } else if (charter->quorum_denominator) {
        uint64_t num = (uint64_t)charter->quorum_numerator * r.all.members;
        out->quorum_needed =
            (uint32_t)((num + charter->quorum_denominator - 1) / charter->quorum_denominator);
    }
    for (int k = 1; !v.adoption && charter->quorum_each_constituency && k <= 3; k++) {
        if (r.by[k].members && !r.by[k].voters) {
            out->constituency_absent = 1;
        }
    }
    if (charter->rule == CONCORD__V1__VOTING_RULE__QUALIFIED_MAJORITY && !v.adoption) {
        out->qualified_numerator = charter->qualified_numerator;
        out->qualified_denominator = charter->qualified_denominator;
    }
    s_blocked(&v, votes, out);
    text_t t;
    text_init_fixed(&t, out->explanation, sizeof out->explanation);
    s_explain(&v, votes, &r, final, out->decided, &t);
}
