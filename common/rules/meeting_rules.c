/* SPDX-License-Identifier: Apache-2.0 */
/* meeting_rules: notice, remote meetings, quorum by attendance, the
 * chair's casting vote and councils' key decisions (meeting_rules.h). */
#include "meeting_rules.h"

#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "text.h"
#include "workdays.h"

#define S_DAY_MS 86400000ull

static long s_member(const Concord__V1__Charter *c, const char *code)
{
    for (size_t i = 0; code && i < c->n_members; i++) {
        if (strcmp(c->members[i]->code, code) == 0) {
            return (long)i;
        }
    }
    return -1;
}

static int s_council(const Concord__V1__Charter *c, const char *code)
{
    long m = s_member(c, code);
    return m >= 0 && c->members[m]->constituency == CONCORD__V1__CONSTITUENCY__LOCAL_GOVERNMENT;
}

long meeting_rules_clear_days(uint64_t from_ms, uint64_t to_ms)
{
    uint64_t from = from_ms / S_DAY_MS, to = to_ms / S_DAY_MS;
    return to > from + 1 ? (long)(to - from - 1) : 0;
}

int meeting_rules_council_committee(const Concord__V1__Charter *c)
{
    if (c->hwb_area[0]) {
        return 1;
    }
    for (size_t i = 0; i < c->n_members; i++) {
        if (c->members[i]->constituency == CONCORD__V1__CONSTITUENCY__LOCAL_GOVERNMENT) {
            return 1;
        }
    }
    return 0;
}

int meeting_rules_check_charter(const Concord__V1__Charter *c, cc_err_t *err)
{
    if (c->chair[0] && s_member(c, c->chair) < 0) {
        err_set(err, CC_INVALID_ARGUMENT, "the chair '%.40s' is not a member of board %s", c->chair,
                c->board_id);
        return -1;
    }
    if (c->n_co_chairs > MEETING_CO_CHAIRS_MAX || (c->n_co_chairs && !c->chair[0])) {
        err_set(err, CC_INVALID_ARGUMENT,
                "a charter names at most %d co-chairs, and only beside a chair",
                MEETING_CO_CHAIRS_MAX);
        return -1;
    }
    for (size_t i = 0; i < c->n_co_chairs; i++) {
        int twice = strcmp(c->co_chairs[i], c->chair) == 0;
        for (size_t j = 0; j < i; j++) {
            twice |= strcmp(c->co_chairs[i], c->co_chairs[j]) == 0;
        }
        if (s_member(c, c->co_chairs[i]) < 0 || twice) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "co-chair '%.40s' is not a member of board %s, or is named twice",
                    c->co_chairs[i], c->board_id);
            return -1;
        }
    }
    if (c->chair_casting_vote && !c->chair[0]) {
        err_set(err, CC_INVALID_ARGUMENT,
                "a casting vote is the chair's (LGA 1972 Sch 12 para 39(2)): the charter of"
                " board %s names no chair",
                c->board_id);
        return -1;
    }
    for (size_t i = 0; i < c->n_key_decision_thresholds; i++) {
        const Concord__V1__KeyDecisionThreshold *k = c->key_decision_thresholds[i];
        int twice = 0;
        for (size_t j = 0; j < i; j++) {
            twice |= strcmp(k->member, c->key_decision_thresholds[j]->member) == 0;
        }
        if (!s_council(c, k->member) || k->amount_pence <= 0 || twice) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "a key-decision threshold belongs to a council (LOCAL_GOVERNMENT) member of"
                    " board %s, once, with a positive amount: not '%.40s'",
                    c->board_id, k->member);
            return -1;
        }
    }
    return 0;
}

int meeting_rules_check_item(const Concord__V1__AgendaItem *it, uint64_t published_ms,
                             uint64_t starts_ms, cc_err_t *err)
{
    if (strlen(it->title) > MEETING_TEXT_MAX || strlen(it->paper_name) > MEETING_TEXT_MAX ||
        strlen(it->urgency_reason) > BOARD_REASON_MAX ||
        (it->paper_sha256.len != 0 && it->paper_sha256.len != 32)) {
        err_set(err, CC_INVALID_ARGUMENT,
                "an agenda item has a title and paper name of at most %d bytes, a paper's"
                " SHA-256 of 32 bytes, and an urgency reason of at most %d",
                MEETING_TEXT_MAX, BOARD_REASON_MAX);
        return -1;
    }
    if (!it->proposal_id[0] && !it->title[0]) {
        err_set(err, CC_INVALID_ARGUMENT, "an agenda item names a proposal, or has a title");
        return -1;
    }
    long clear = workdays_clear_between(published_ms, starts_ms);
    if (clear < 0) {
        err_set(err, CC_INVALID_ARGUMENT,
                "the meeting's date is outside the calendar of working days (%d to %d)",
                WORKDAYS_YEAR_MIN, WORKDAYS_YEAR_MAX);
        return -1;
    }
    if (clear < MEETING_NOTICE_WORKING_DAYS && !it->urgency_reason[0]) {
        char at[40];
        err_set(err, CC_FAILED_PRECONDITION,
                "agenda item '%.60s' is published %ld clear working day%s before the meeting of"
                " %.10s, fewer than the %d of Local Government Act 1972 s100B(3): it needs the"
                " chair's reason for taking it as a matter of urgency (s100B(4)(b), --urgent"
                " REASON)",
                it->title[0] ? it->title : it->proposal_id, clear, clear == 1 ? "" : "s",
                clock_format(starts_ms, at, sizeof at), MEETING_NOTICE_WORKING_DAYS);
        return -1;
    }
    return 0;
}

int meeting_rules_check_meeting(const Concord__V1__Charter *c, const Concord__V1__Meeting *m,
                                uint64_t now_ms, cc_err_t *err)
{
    char at[40], when[40];
    if (!m->title[0] || strlen(m->title) > MEETING_TEXT_MAX || !m->place[0] ||
        strlen(m->place) > MEETING_TEXT_MAX) {
        err_set(err, CC_INVALID_ARGUMENT,
                "a meeting has a title and a place (the venue, or the remote service), each 1 to"
                " %d bytes",
                MEETING_TEXT_MAX);
        return -1;
    }
    if (m->starts_at_ms <= now_ms) {
        err_set(err, CC_FAILED_PRECONDITION,
                "a meeting in the past: it starts %s, and it is called at %s; a meeting is"
                " called before it starts",
                clock_format(m->starts_at_ms, when, sizeof when),
                clock_format(now_ms, at, sizeof at));
        return -1;
    }
    if (m->ends_at_ms <= m->starts_at_ms ||
        m->ends_at_ms - m->starts_at_ms > MEETING_LENGTH_MAX_MS) {
        err_set(err, CC_INVALID_ARGUMENT,
                "a meeting ends after it starts, within 24 hours of its start");
        return -1;
    }
    if (m->remote && meeting_rules_council_committee(c)) {
        err_set(err, CC_FAILED_PRECONDITION,
                "board %s is a council's committee (it has a local government member): it must"
                " meet in person, not remotely (Local Government Act 1972 s100 and Sch 12; R"
                " (Hertfordshire CC) v SSHCLG [2021] EWHC 1093 (Admin)); NHS bodies' committees"
                " may meet remotely",
                c->board_id);
        return -1;
    }
    if (m->n_items > MEETING_ITEMS_MAX) {
        err_set(err, CC_INVALID_ARGUMENT, "a meeting's agenda has at most %d items",
                MEETING_ITEMS_MAX);
        return -1;
    }
    for (size_t i = 0; i < m->n_items; i++) {
        if (meeting_rules_check_item(m->items[i], now_ms, m->starts_at_ms, err) < 0) {
            return -1;
        }
    }
    return 0;
}

int meeting_rules_check_attendance(const Concord__V1__Attendance *a, cc_err_t *err)
{
    if (a->status < CONCORD__V1__ATTENDANCE_STATUS__ATTENDED ||
        a->status > CONCORD__V1__ATTENDANCE_STATUS__SUBSTITUTED) {
        err_set(err, CC_INVALID_ARGUMENT,
                "attendance is present, apologies, or substitute (for whom)");
        return -1;
    }
    int sub = a->status == CONCORD__V1__ATTENDANCE_STATUS__SUBSTITUTED;
    if (strlen(a->person) > MEETING_PERSON_MAX || strlen(a->substitute_for) > MEETING_PERSON_MAX ||
        (sub && (!a->substitute_for[0] || !a->person[0])) || (!sub && a->substitute_for[0])) {
        err_set(err, CC_INVALID_ARGUMENT,
                "a substitute's attendance names the substitute and whom they replace (1 to %d"
                " bytes each); no other attendance names whom it replaces",
                MEETING_PERSON_MAX);
        return -1;
    }
    return 0;
}

int meeting_rules_key_decision(const Concord__V1__Charter *c, const Concord__V1__Proposal *p,
                               const char *proposer)
{
    if (!s_council(c, proposer)) {
        return 0;
    }
    if (p->key_decision) {
        return 1;
    }
    for (size_t i = 0; i < c->n_key_decision_thresholds; i++) {
        const Concord__V1__KeyDecisionThreshold *k = c->key_decision_thresholds[i];
        if (strcmp(k->member, proposer) == 0 && p->amount_pence >= k->amount_pence) {
            return 1;
        }
    }
    return 0;
}

int meeting_rules_check_key_decision(const Concord__V1__Proposal *p, uint64_t plan_ms,
                                     uint64_t decision_ms, cc_err_t *err)
{
    int route = p->key_decision_route;
    if (route == CONCORD__V1__KEY_DECISION_ROUTE__GENERAL_EXCEPTION ||
        route == CONCORD__V1__KEY_DECISION_ROUTE__SPECIAL_URGENCY) {
        if (!p->key_decision_reason[0] || strlen(p->key_decision_reason) > BOARD_REASON_MAX) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "a key decision taken under %s gives its reason (1 to %d bytes)",
                    route == CONCORD__V1__KEY_DECISION_ROUTE__GENERAL_EXCEPTION
                        ? "the general exception (SI 2012/2089 reg 10)"
                        : "special urgency (SI 2012/2089 reg 11)",
                    BOARD_REASON_MAX);
            return -1;
        }
        return 0;
    }
    if (route != CONCORD__V1__KEY_DECISION_ROUTE__KEY_DECISION_ROUTE_UNSPECIFIED &&
        route != CONCORD__V1__KEY_DECISION_ROUTE__FORWARD_PLAN) {
        err_set(err, CC_INVALID_ARGUMENT, "unknown key decision route %d", route);
        return -1;
    }
    if (!plan_ms) {
        err_set(err, CC_FAILED_PRECONDITION,
                "a key decision missing from the forward plan: it must rest on the council's"
                " forward plan entry for this board, published at least %d clear days before"
                " (SI 2012/2089 reg 9; --forward-plan ENTRY), or be taken under the general"
                " exception (reg 10) or special urgency (reg 11) with its reason",
                MEETING_FORWARD_PLAN_DAYS);
        return -1;
    }
    long clear = meeting_rules_clear_days(plan_ms, decision_ms);
    if (clear < MEETING_FORWARD_PLAN_DAYS) {
        char at[40];
        err_set(err, CC_FAILED_PRECONDITION,
                "forward plan entry %.12s was published %s, %ld clear day%s before this key"
                " decision, fewer than the %d of SI 2012/2089 reg 9: take it under the general"
                " exception (reg 10) or special urgency (reg 11) with its reason",
                p->forward_plan_entry, clock_format(plan_ms, at, sizeof at), clear,
                clear == 1 ? "" : "s", MEETING_FORWARD_PLAN_DAYS);
        return -1;
    }
    return 0;
}

static int s_constituency(const Concord__V1__BoardMember *m)
{
    int k = (int)m->constituency;
    return k >= 1 && k <= 3 ? k : 3;
}

void meeting_rules_tally(const Concord__V1__Charter *c, int kind, const uint8_t *present,
                         const board_ballot_t *cast, size_t n, int chair_casting, int final,
                         board_tally_t *t)
{
    int adoption = kind == CONCORD__V1__PROPOSAL_KIND__CHARTER_ADOPTION;
    int cic = c->kind == CONCORD__V1__BOARD_KIND__COMMITTEE_IN_COMMON && !adoption;
    int casting = c->chair_casting_vote && c->chair[0] && !adoption && !cic &&
                  c->rule == CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST;
    size_t used = strlen(t->explanation);
    text_t x;
    if (adoption || (!present && !casting)) {
        return;
    }
    text_init_fixed(&x, t->explanation + used, sizeof t->explanation - used);
    uint32_t eligible = (uint32_t)c->n_members;
    if (present) {
        uint32_t by[4] = {0};
        t->by_attendance = 1;
        t->present = 0;
        for (size_t i = 0; i < c->n_members; i++) {
            if (present[i]) {
                t->present++;
                by[s_constituency(c->members[i])]++;
            }
        }
        eligible = t->present;
        if (!cic) {
            int q = (uint64_t)t->present * c->quorum_denominator >=
                    (uint64_t)c->quorum_numerator * c->n_members;
            t->constituency_absent = 0;
            for (int k = 1; c->quorum_each_constituency && k <= 3; k++) {
                if (t->by_constituency[k].members && !by[k]) {
                    t->constituency_absent = 1;
                    q = 0;
                }
            }
            t->quorate = q;
            text_put(&x,
                     "\nMeeting item: the quorum counts attendance, %u of %zu members recorded"
                     " present or substituted (%u needed)%s; only they may vote.",
                     t->present, c->n_members, t->quorum_needed, q ? ": quorate" : ": not quorate");
        }
    }
    int all_voted = eligible > 0 && t->all.voters >= eligible;
    const board_count_t *a = &t->all;
    if (casting && a->votes_for == a->votes_against && a->votes_for > 0) {
        long chair = s_member(c, c->chair);
        int own = 0;
        for (size_t i = 0; chair >= 0 && i < n; i++) {
            if (cast[i].member == (size_t)chair) {
                own = cast[i].vote;
            }
        }
        int cv = chair_casting ? chair_casting : own;
        if (own && (cv == CONCORD__V1__VOTE__FOR || cv == CONCORD__V1__VOTE__AGAINST) &&
            (final || all_voted)) {
            t->casting_used = 1;
            snprintf(t->casting_by, sizeof t->casting_by, "%s", c->chair);
            t->rule_holds = cv == CONCORD__V1__VOTE__FOR;
            text_put(&x,
                     "\nAn equality of votes (%u FOR, %u AGAINST) is broken by the chair's (%s)"
                     " casting vote %s (Local Government Act 1972 Sch 12 para 39(2)).",
                     a->votes_for, a->votes_against, c->chair,
                     cv == CONCORD__V1__VOTE__FOR ? "FOR" : "AGAINST");
        } else if (final || all_voted) {
            text_put(&x,
                     "\nAn equality of votes (%u FOR, %u AGAINST) and the chair (%s) cast no"
                     " vote FOR or AGAINST: no casting vote, so it fails.",
                     a->votes_for, a->votes_against, c->chair);
        }
    }
    t->passed = t->quorate && t->rule_holds && !t->reserved_blocked;
    if (present) {
        t->decided = final || all_voted;
    } else if (!final && !all_voted) {
        /* An equality may yet come, and the casting vote decide it. */
        t->decided = 0;
    }
    if (present) {
        text_put(&x, "\nAt the meeting: %s%s.", t->passed ? "PASSES" : "FAILS",
                 t->decided ? "" : " as it stands");
    }
}
