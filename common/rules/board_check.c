/* SPDX-License-Identifier: Apache-2.0 */
/* board_check: the board rules that need no engine state: whether a
 * charter, a change to one or a proposal is well formed. Pure functions,
 * so every node (and `concord verify`) reaches the same verdicts. */
#include "board_check.h"
#include "meeting_rules.h"

#include <assert.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agreement.h"
#include "board_names.h"
#include "clock.h"
#include "date.h"
#include "delegation.h"
#include "exempt.h"
#include "wire.h"

#define S_NAME_MAX 200    /* a charter's name and accountable_to */
#define S_RESERVED_MAX 64 /* reserved matters per charter */
#define S_FRACTION_MAX 1000

static long s_member_index(const Concord__V1__Charter *c, const char *code)
{
    for (size_t i = 0; i < c->n_members; i++) {
        if (strcmp(c->members[i]->code, code) == 0) {
            return (long)i;
        }
    }
    return -1;
}

/* The broker has a roster entry too, but it is not an organisation. */
static int s_in_roster(const roster_t *roster, const char *code)
{
    roster_org_t o;
    return strcmp(code, KEYS_BROKER_CODE) != 0 && roster_lookup(roster, code, &o) == 0;
}

static int s_board_id_ok(const char *id)
{
    size_t n = strlen(id);
    if (n < 2 || n > BOARD_ID_MAX) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (!isalnum((unsigned char)id[i]) && id[i] != '-') {
            return 0;
        }
    }
    return 1;
}

static int s_check_members(const roster_t *roster, const Concord__V1__Charter *c, uint64_t *weight,
                           cc_err_t *err)
{
    if (c->n_members < 2 || c->n_members > BOARD_MAX_MEMBERS) {
        err_set(err, CC_INVALID_ARGUMENT, "board %s has %zu members; a board needs 2 to %d",
                c->board_id, c->n_members, BOARD_MAX_MEMBERS);
        return -1;
    }
    *weight = 0;
    for (size_t i = 0; i < c->n_members; i++) {
        const Concord__V1__BoardMember *m = c->members[i];
        if (!s_in_roster(roster, m->code)) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "charter member '%.40s' of board %s is not an organisation in the roster",
                    m->code, c->board_id);
            return -1;
        }
        if (m->constituency < 1 || m->constituency > 3) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "charter member %s of board %s has no constituency (NHS, local"
                    " government or other)",
                    m->code, c->board_id);
            return -1;
        }
        if ((long)i != s_member_index(c, m->code)) {
            err_set(err, CC_INVALID_ARGUMENT, "%s is named twice in the charter of board %s",
                    m->code, c->board_id);
            return -1;
        }
        if (m->weight > UINT64_MAX - *weight) {
            err_set(err, CC_INVALID_ARGUMENT, "the weights of board %s add up to more than %llu",
                    c->board_id, (unsigned long long)UINT64_MAX);
            return -1;
        }
        *weight += m->weight;
    }
    return 0;
}

static int s_check_rule(const Concord__V1__Charter *c, uint64_t weight, cc_err_t *err)
{
    if (c->rule < 1 || c->rule > 7) {
        err_set(err, CC_INVALID_ARGUMENT, "the charter of board %s sets no voting rule",
                c->board_id);
        return -1;
    }
    if (c->rule == CONCORD__V1__VOTING_RULE__QUALIFIED_MAJORITY &&
        (c->qualified_numerator == 0 || c->qualified_numerator > c->qualified_denominator ||
         c->qualified_denominator > S_FRACTION_MAX)) {
        err_set(err, CC_INVALID_ARGUMENT,
                "qualified majority %u/%u of board %s: needs 0 < numerator <= denominator <= %d",
                c->qualified_numerator, c->qualified_denominator, c->board_id, S_FRACTION_MAX);
        return -1;
    }
    if (c->quorum_denominator == 0 || c->quorum_denominator > S_FRACTION_MAX ||
        c->quorum_numerator > c->quorum_denominator) {
        err_set(err, CC_INVALID_ARGUMENT,
                "quorum %u/%u of board %s: needs numerator <= denominator, 0 < denominator <= %d",
                c->quorum_numerator, c->quorum_denominator, c->board_id, S_FRACTION_MAX);
        return -1;
    }
    if (c->rule == CONCORD__V1__VOTING_RULE__WEIGHTED && weight == 0) {
        err_set(err, CC_INVALID_ARGUMENT,
                "board %s votes by weight but its members' weights add up to 0", c->board_id);
        return -1;
    }
    return 0;
}

/* A committee in common: each body's own rule, and the bodies whose
 * agreement carries the joint outcome; no other board has either. */
static int s_check_in_common(const Concord__V1__Charter *c, cc_err_t *err)
{
    int cic = c->kind == CONCORD__V1__BOARD_KIND__COMMITTEE_IN_COMMON;
    for (size_t i = 0; i < c->n_members; i++) {
        const Concord__V1__BoardMember *m = c->members[i];
        int r = (int)m->own_rule;
        if (!cic && (m->representatives || r || m->own_quorum)) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "member %s of board %s has its own rule, but only the bodies of a committee in"
                    " common decide their own motions under their own rules",
                    m->code, c->board_id);
            return -1;
        }
        if (m->representatives > BOARD_REPRESENTATIVES_MAX || m->own_quorum > m->representatives ||
            (r != 0 && r != CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST &&
             r != CONCORD__V1__VOTING_RULE__ABSOLUTE_MAJORITY &&
             r != CONCORD__V1__VOTING_RULE__UNANIMITY &&
             r != CONCORD__V1__VOTING_RULE__CONSENSUS) ||
            (!m->representatives && (r || m->own_quorum))) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "member %s of committee in common %s: its own rule needs 1 to %d"
                    " representatives, a quorum of at most that many, and a rule of majority,"
                    " absolute-majority, unanimity or consensus",
                    m->code, c->board_id, BOARD_REPRESENTATIVES_MAX);
            return -1;
        }
    }
    if (c->n_must_agree && !cic) {
        err_set(err, CC_INVALID_ARGUMENT,
                "only a committee in common names the bodies whose agreement carries its joint"
                " outcome (board %s)",
                c->board_id);
        return -1;
    }
    for (size_t k = 0; k < c->n_must_agree; k++) {
        if (s_member_index(c, c->must_agree[k]) < 0) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "'%.40s', whose agreement the joint outcome of board %s needs, is not one of"
                    " its members",
                    c->must_agree[k], c->board_id);
            return -1;
        }
        for (size_t j = 0; j < k; j++) {
            if (strcmp(c->must_agree[j], c->must_agree[k]) == 0) {
                err_set(err, CC_INVALID_ARGUMENT, "board %s names %s twice as a body that must"
                        " agree", c->board_id, c->must_agree[k]);
                return -1;
            }
        }
    }
    return 0;
}

int board_check_charter(const roster_t *roster, const Concord__V1__Charter *c, cc_err_t *err)
{
    uint64_t weight = 0;
    if (!s_board_id_ok(c->board_id)) {
        err_set(err, CC_INVALID_ARGUMENT,
                "board id '%.40s' must be 2 to %d letters, digits or hyphens", c->board_id,
                BOARD_ID_MAX);
        return -1;
    }
    if (!c->name[0] || strlen(c->name) > S_NAME_MAX || strlen(c->accountable_to) > S_NAME_MAX) {
        err_set(err, CC_INVALID_ARGUMENT,
                "board %s needs a name, and its name and accountable_to at most %d characters",
                c->board_id, S_NAME_MAX);
        return -1;
    }
    if (s_check_members(roster, c, &weight, err) < 0 || s_check_rule(c, weight, err) < 0) {
        return -1;
    }
    if (c->kind != CONCORD__V1__BOARD_KIND__JOINT_COMMITTEE &&
        c->kind != CONCORD__V1__BOARD_KIND__ADVISORY &&
        c->kind != CONCORD__V1__BOARD_KIND__COMMITTEE_IN_COMMON) {
        err_set(err, CC_INVALID_ARGUMENT, "board %s has an unknown kind %d", c->board_id,
                (int)c->kind);
        return -1;
    }
    if (s_check_in_common(c, err) < 0 || meeting_rules_check_charter(c, err) < 0) {
        return -1;
    }
    if ((c->kind == CONCORD__V1__BOARD_KIND__ADVISORY) != (c->n_ratifiers > 0) ||
        c->n_ratifiers > 16) {
        err_set(err, CC_INVALID_ARGUMENT,
                "an advisory board names 1 to 16 bodies that ratify its recommendations, and"
                " only an advisory board names any (board %s)",
                c->board_id);
        return -1;
    }
    for (size_t i = 0; i < c->n_ratifiers; i++) {
        roster_org_t o;
        if (roster_lookup(roster, c->ratifiers[i], &o) < 0) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "'%.40s', named to ratify the recommendations of board %s, is not an"
                    " organisation in the roster",
                    c->ratifiers[i], c->board_id);
            return -1;
        }
        for (size_t k = 0; k < i; k++) {
            if (strcmp(c->ratifiers[k], c->ratifiers[i]) == 0) {
                err_set(err, CC_INVALID_ARGUMENT, "board %s names ratifier %s twice",
                        c->board_id, c->ratifiers[i]);
                return -1;
            }
        }
    }
    if (c->ratify_working_days > 60 ||
        (c->ratify_working_days && c->kind != CONCORD__V1__BOARD_KIND__ADVISORY)) {
        err_set(err, CC_INVALID_ARGUMENT,
                "board %s: a time limit for ratifying is 1 to 60 working days, and only an"
                " advisory board sets one",
                c->board_id);
        return -1;
    }
    if (c->hwb_area[0]) {
        roster_org_t o;
        int member = 0;
        for (size_t i = 0; i < c->n_members; i++) {
            member |= strcmp(c->members[i]->code, c->hwb_area) == 0;
        }
        if (roster_lookup(roster, c->hwb_area, &o) < 0 || strcmp(o.kind, "COUNCIL_UPPER") != 0 ||
            !member) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "board %s is marked as the Health and Wellbeing Board of '%.40s', which is"
                    " not an upper-tier council among its members: each upper-tier council"
                    " establishes its own HWB (Health and Social Care Act 2012 s194)",
                    c->board_id, c->hwb_area);
            return -1;
        }
    }
    if (c->call_in_working_days > 20) {
        err_set(err, CC_INVALID_ARGUMENT,
                "board %s's call-in period of %u working days is over 20", c->board_id,
                c->call_in_working_days);
        return -1;
    }
    if (c->n_call_in_by && !c->call_in_working_days) {
        err_set(err, CC_INVALID_ARGUMENT,
                "board %s names who may call in decisions but sets no call-in period",
                c->board_id);
        return -1;
    }
    for (size_t i = 0; i < c->n_call_in_by; i++) {
        if (s_member_index(c, c->call_in_by[i]) < 0) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "'%.40s', who may call in decisions of board %s, is not a member",
                    c->call_in_by[i], c->board_id);
            return -1;
        }
    }
    if (c->n_reserved > S_RESERVED_MAX) {
        err_set(err, CC_INVALID_ARGUMENT, "board %s has %zu reserved matters; at most %d",
                c->board_id, c->n_reserved, S_RESERVED_MAX);
        return -1;
    }
    for (size_t i = 0; i < c->n_reserved; i++) {
        const Concord__V1__ReservedMatter *rm = c->reserved[i];
        if (rm->area < 1 || rm->area > 9) {
            err_set(err, CC_INVALID_ARGUMENT, "a reserved matter of board %s names no service area",
                    c->board_id);
            return -1;
        }
        if (s_member_index(c, rm->member) < 0) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "reserved matter %s names '%.40s', who is not a member of board %s",
                    board_names_area(rm->area), rm->member, c->board_id);
            return -1;
        }
    }
    return 0;
}

static int s_date_ok(const char *s)
{
    int y, m, d;
    return !s[0] || date_parse(s, &y, &m, &d) == 0;
}

/* 1 if p names too many service lines, or one not known. */
static int s_lines_bad(const Concord__V1__Proposal *p)
{
    if (p->n_service_lines > DELEGATION_LINES_MAX) {
        return 1;
    }
    for (size_t i = 0; i < p->n_service_lines; i++) {
        if (strcmp(board_names_line((int)p->service_lines[i]), "?") == 0) {
            return 1;
        }
    }
    return 0;
}

/* The form of an exempt item (docs/PROTOCOL.md section 16.10); whether
 * its key is sealed to every member is the engine's check. */
static int s_exempt_form(const Concord__V1__Proposal *p, cc_err_t *err)
{
    const Concord__V1__Exemption *e = p->exempt;
    char canon[EXEMPT_REASON_MAX + 1];
    if (p->kind != CONCORD__V1__PROPOSAL_KIND__COMMISSIONING_DECISION) {
        err_set(err, CC_INVALID_ARGUMENT,
                "only a commissioning decision may be exempt: what a board is, who sits on it"
                " and its pooled funds' terms are public");
        return -1;
    }
    if (exempt_reason_parse(e->reason, canon, err) < 0) {
        return -1;
    }
    if (strcmp(canon, e->reason) != 0) {
        err_set(err, CC_INVALID_ARGUMENT, "an exempt item's reason is written '%s', not '%.60s'",
                canon, e->reason);
        return -1;
    }
    if (!agreement_date_ok(e->release_on)) {
        err_set(err, CC_INVALID_ARGUMENT, "release date '%.20s' is not a YYYY-MM-DD date",
                e->release_on);
        return -1;
    }
    if (p->text[0]) {
        err_set(err, CC_INVALID_ARGUMENT,
                "an exempt item's text is in its ciphertext: the proposal's own text is empty");
        return -1;
    }
    if (e->nonce.len != EXEMPT_NONCE_LEN || e->ciphertext.len < 16 ||
        e->ciphertext.len > EXEMPT_CONTENT_MAX + 16) {
        err_set(err, CC_INVALID_ARGUMENT,
                "an exempt item carries a %d-byte nonce and 16 to %u bytes of ciphertext",
                EXEMPT_NONCE_LEN, EXEMPT_CONTENT_MAX + 16);
        return -1;
    }
    for (size_t i = 0; i < e->n_keys; i++) {
        if (e->keys[i]->sealed.len != EXEMPT_SEALED_LEN) {
            err_set(err, CC_INVALID_ARGUMENT, "the content key sealed to '%.40s' is not %d bytes",
                    e->keys[i]->member, EXEMPT_SEALED_LEN);
            return -1;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(e->keys[i]->member, e->keys[j]->member) == 0) {
                err_set(err, CC_INVALID_ARGUMENT, "the content key is sealed to '%.40s' twice",
                        e->keys[i]->member);
                return -1;
            }
        }
    }
    return 0;
}

int board_check_proposal(const Concord__V1__Proposal *p, uint64_t time_ms, cc_err_t *err)
{
    char at[40], by[40];
    if (p->kind < 1 || p->kind > 8) {
        err_set(err, CC_INVALID_ARGUMENT, "proposal '%.60s' has no kind", p->title);
    } else if (p->kind == CONCORD__V1__PROPOSAL_KIND__FOOTPRINT_REALIGNMENT &&
               (!p->realignment || keys_code_check(p->realignment->organisation, NULL) < 0 ||
                keys_code_check(p->realignment->footprint, NULL) < 0)) {
        err_set(err, CC_INVALID_ARGUMENT,
                "a footprint realignment names an organisation code and a footprint code");
    } else if (p->n_delegated_duties && agreement_excluded_function(p->delegated_duties[0])) {
        err_set(err, CC_INVALID_ARGUMENT,
                "a proposal cannot delegate '%.120s': %s is an NHS function excluded from"
                " partnership arrangements (NHS Bodies and Local Authorities Partnership"
                " Arrangements Regulations 2000)",
                p->delegated_duties[0], agreement_excluded_function(p->delegated_duties[0]));
    } else if (p->n_delegated_duties) {
        err_set(err, CC_INVALID_ARGUMENT,
                "a proposal cannot transfer accountability for the statutory duty '%.120s':"
                " partners may delegate functions to each other (NHS Act 2006 s75 lead"
                " commissioning; Local Government Act 1972 s101) but each keeps its liability"
                " for them (NHS Act 2006 s75(5))",
                p->delegated_duties[0]);
    } else if (!p->title[0] || strlen(p->title) > BOARD_TITLE_MAX) {
        err_set(err, CC_INVALID_ARGUMENT, "a proposal needs a title of 1 to %d characters",
                BOARD_TITLE_MAX);
    } else if (strlen(p->text) > BOARD_TEXT_MAX) {
        err_set(err, CC_INVALID_ARGUMENT, "proposal text is over %d bytes", BOARD_TEXT_MAX);
    } else if (p->area < 0 || p->area > 9) {
        err_set(err, CC_INVALID_ARGUMENT, "service area %d is not known", (int)p->area);
    } else if (!p->area && p->kind == CONCORD__V1__PROPOSAL_KIND__COMMISSIONING_DECISION) {
        err_set(err, CC_INVALID_ARGUMENT, "a commissioning decision needs a service area");
    } else if (s_lines_bad(p)) {
        err_set(err, CC_INVALID_ARGUMENT,
                "a proposal names at most %d known NHS England service lines (primary-medical,"
                " dental, pharmacy, optometry, specialised-acute, specialised-mental-health)",
                DELEGATION_LINES_MAX);
    } else if (p->bcf_plan[0] && !s_board_id_ok(p->bcf_plan)) {
        err_set(err, CC_INVALID_ARGUMENT,
                "BCF plan id '%.40s' must be 2 to %d letters, digits or hyphens", p->bcf_plan,
                BOARD_ID_MAX);
    } else if (p->amount_pence < 0) {
        err_set(err, CC_INVALID_ARGUMENT, "amount %lld pence is negative",
                (long long)p->amount_pence);
    } else if (!s_date_ok(p->effective_date)) {
        err_set(err, CC_INVALID_ARGUMENT, "effective date '%.20s' is not a YYYY-MM-DD date",
                p->effective_date);
    } else if (p->closes_at_ms <= time_ms) {
        err_set(err, CC_INVALID_ARGUMENT, "voting would close at %s, not after submission at %s",
                clock_format(p->closes_at_ms, by, sizeof by), clock_format(time_ms, at, sizeof at));
    } else if (p->closes_at_ms - time_ms > BOARD_MAX_DEADLINE_MS) {
        err_set(err, CC_INVALID_ARGUMENT, "voting would close at %s, more than %llu days after %s",
                clock_format(p->closes_at_ms, by, sizeof by),
                BOARD_MAX_DEADLINE_MS / (24ull * 3600 * 1000),
                clock_format(time_ms, at, sizeof at));
    } else if (p->exempt) {
        return s_exempt_form(p, err);
    } else {
        return 0;
    }
    return -1;
}

/* Whether mc can apply to the board whose charter is cur, before
 * looking at the charter it would leave. */
static int s_check_change(const roster_t *roster, const Concord__V1__Charter *cur,
                          const Concord__V1__MembershipChange *mc, cc_err_t *err)
{
    if (!mc) {
        err_set(err, CC_INVALID_ARGUMENT, "a membership change must say what changes");
        return -1;
    }
    if (mc->action == CONCORD__V1__MEMBERSHIP_ACTION__ROTATE_KEY ||
        mc->action == CONCORD__V1__MEMBERSHIP_ACTION__MERGE ||
        mc->action == CONCORD__V1__MEMBERSHIP_ACTION__SPLIT) {
        err_set(err, CC_INVALID_ARGUMENT,
                "a key rotation, merger or split changes the roster, not only the charter");
        return -1;
    }
    if ((mc->action != CONCORD__V1__MEMBERSHIP_ACTION__ADMIT &&
         mc->action != CONCORD__V1__MEMBERSHIP_ACTION__REMOVE) ||
        !mc->member) {
        err_set(err, CC_INVALID_ARGUMENT, "a membership change must admit or remove a member");
        return -1;
    }
    const char *code = mc->member->code;
    int member = s_member_index(cur, code) >= 0;
    if (mc->action == CONCORD__V1__MEMBERSHIP_ACTION__ADMIT) {
        if (!s_in_roster(roster, code)) {
            err_set(err, CC_PERMISSION_DENIED, "'%.40s' is not an organisation in the roster",
                    code);
            return -1;
        }
        if (member) {
            err_set(err, CC_ALREADY_EXISTS, "%s is already a member of board %s", code,
                    cur->board_id);
            return -1;
        }
        return 0;
    }
    if (!member) {
        err_set(err, CC_NOT_FOUND, "'%.40s' is not a member of board %s", code, cur->board_id);
        return -1;
    }
    if (cur->n_members <= 2) {
        err_set(err, CC_INVALID_ARGUMENT,
                "removing %s would leave board %s with fewer than 2 members", code, cur->board_id);
        return -1;
    }
    return 0;
}

Concord__V1__Charter *board_check_charter_change(const roster_t *roster,
                                                 const Concord__V1__Charter *cur,
                                                 const Concord__V1__MembershipChange *mc,
                                                 cc_err_t *err)
{
    Concord__V1__Charter after = *cur, *copy = NULL;
    if (s_check_change(roster, cur, mc, err) < 0) {
        return NULL;
    }
    int admit = mc->action == CONCORD__V1__MEMBERSHIP_ACTION__ADMIT;
    /* A shallow copy with its own member array is enough to check. */
    Concord__V1__BoardMember **members = malloc((cur->n_members + 1) * sizeof *members);
    if (!members) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return NULL;
    }
    after.members = members;
    after.n_members = 0;
    for (size_t i = 0; i < cur->n_members; i++) {
        if (admit || strcmp(cur->members[i]->code, mc->member->code) != 0) {
            members[after.n_members++] = cur->members[i];
        }
    }
    if (admit) {
        members[after.n_members++] = mc->member;
    }
    /* Whatever else the change would break: a reserved matter held by
     * the member removed, a weighted board left with no weight... */
    if (board_check_charter(roster, &after, err) < 0) {
        err_prefix(err, "after %s %s: ", admit ? "admitting" : "removing", mc->member->code);
        goto out;
    }
    copy = (Concord__V1__Charter *)wire_copy(&after.base, WIRE_MAX_FRAME, err);
out:
    free(members);
    return copy;
}
