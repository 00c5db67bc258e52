/* board_tally: the board rules that need no engine state: whether a
 * charter or a proposal is well formed, and the arithmetic of a vote,
 * whether it is already decided, and the sentences that explain it.
 * Pure functions, so every node (and `concord verify`) reaches the same
 * verdicts and writes the same explanation word for word. */
#include "board.h"

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

/* ---- charters and proposals on their own ---- */

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
                    " government or other)", m->code, c->board_id);
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

int board_charter_check(const roster_t *roster, const Concord__V1__Charter *c, cc_err_t *err)
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
                    board_area_name(rm->area), rm->member, c->board_id);
            return -1;
        }
    }
    return 0;
}

static int s_date_ok(const char *s)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (!s[0]) {
        return 1;
    }
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-') {
        return 0;
    }
    for (int i = 0; i < 10; i++) {
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i])) {
            return 0;
        }
    }
    int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 1 || m < 1 || m > 12 || d < 1) {
        return 0;
    }
    return d <= days[m - 1] + (m == 2 && leap);
}

int board_proposal_check(const Concord__V1__Proposal *p, uint64_t time_ms, cc_err_t *err)
{
    char at[40], by[40];
    if (p->kind < 1 || p->kind > 7) {
        err_set(err, CC_INVALID_ARGUMENT, "proposal '%.60s' has no kind", p->title);
    } else if (p->kind == CONCORD__V1__PROPOSAL_KIND__FOOTPRINT_REALIGNMENT &&
               (!p->realignment || keys_code_check(p->realignment->organisation, NULL) < 0 ||
                keys_code_check(p->realignment->footprint, NULL) < 0)) {
        err_set(err, CC_INVALID_ARGUMENT,
                "a footprint realignment names an organisation code and a footprint code");
    } else if (p->n_delegated_duties) {
        err_set(err, CC_INVALID_ARGUMENT,
                "a proposal cannot delegate the statutory duty '%.120s' (Cities and Local"
                " Government Devolution Act 2016 s18)",
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
        mc->action == CONCORD__V1__MEMBERSHIP_ACTION__MERGE) {
        err_set(err, CC_INVALID_ARGUMENT,
                "a key rotation or merger changes the roster, not only the charter");
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

Concord__V1__Charter *board_charter_change(const roster_t *roster, const Concord__V1__Charter *cur,
                                           const Concord__V1__MembershipChange *mc, cc_err_t *err)
{
    Concord__V1__Charter after = *cur, *copy = NULL;
    uint8_t *buf = NULL;
    size_t len = 0;
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
    if (board_charter_check(roster, &after, err) < 0) {
        err_prefix(err, "after %s %s: ", admit ? "admitting" : "removing", mc->member->code);
        goto out;
    }
    /* wire.c is the only module that packs, so the deep copy goes
     * through it. */
    if (wire_pack(&after.base, WIRE_MAX_FRAME, &buf, &len, err) == 0) {
        copy = (Concord__V1__Charter *)wire_unpack(&concord__v1__charter__descriptor, buf, len,
                                                   WIRE_MAX_FRAME, err);
    }
out:
    free(buf);
    free(members);
    return copy;
}

/* ---- the tally ---- */

/* What the outcome of a vote depends on, without the explanation text,
 * so that the what-if scenarios of an early decision stay cheap. */
typedef struct {
    const Concord__V1__Charter *charter;
    int adoption; /* CHARTER_ADOPTION: unanimity of all, full quorum */
    int area;
    const board_consents_t *consents; /* may be NULL */
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

static int s_quorate(const s_vote_t *v, const s_result_t *r)
{
    const Concord__V1__Charter *c = v->charter;
    if (v->adoption) {
        return r->all.voters == r->all.members;
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
        text_put(t, "Quorum: %u of %u members voted (adopting a charter needs all %u)", r->all.voters,
              r->all.members, r->all.members);
    } else {
        uint64_t den = c->quorum_denominator ? c->quorum_denominator : 1;
        uint64_t needs = ((uint64_t)c->quorum_numerator * r->all.members + den - 1) / den;
        text_put(t, "Quorum: %u of %u members voted (needs %llu: %u/%u of %u)", r->all.voters,
              r->all.members, (unsigned long long)needs, c->quorum_numerator, c->quorum_denominator,
              r->all.members);
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
        text_put(t, "Majority of votes cast: %u FOR, %u AGAINST, %u ABSTAIN; %u is %smore than %u.\n",
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
        text_put(t, "Consensus: %u FOR, %u AGAINST, %u ABSTAIN; %s.\n", a->votes_for, a->votes_against,
              a->abstentions, a->votes_against ? "a member objected" : "no member objected");
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
    snprintf(out, size, "%s", board_area_name(area));
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
        text_put(t, "Reserved matter: %s needs %.16s's FOR: %.16s %s.\n", area, rm->member, rm->member,
              vote >= 1 && vote <= 3 ? said[vote]
              : final                ? "did not vote"
                                     : "has not voted");
    }
    for (size_t i = 0; v->consents && i < v->consents->n; i++) {
        const char *who = v->consents->codes[i];
        long m = s_member_index(c, who);
        int vote = m < 0 ? 0 : votes[m];
        text_put(t, "Partner's consent: %s: %.16s %s.\n", v->consents->why, who,
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
    } else if (!r->rule_holds) {
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
            text_put(t, "%sno FOR from %.16s, whose consent it needs", sep, v->consents->codes[i]);
            sep = "; ";
        }
    }
    text_put(t, ")");
}

static void s_explain(const s_vote_t *v, const uint8_t *votes, const s_result_t *r, int final,
                      int decided, text_t *t)
{
    s_explain_quorum(v, r, t);
    s_explain_rule(v, r, t);
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
    s_result_t r;
    assert(charter != NULL && out != NULL && (ballots != NULL || n_ballots == 0));
    /* Charters are validated before they are tallied; more members than
     * the limit is a programming error. */
    assert(charter->n_members <= BOARD_MAX_MEMBERS);
    memset(out, 0, sizeof *out);
    memset(votes, 0, sizeof votes);
    for (size_t i = 0; i < n_ballots; i++) {
        int vote = ballots[i].vote;
        if (ballots[i].member < charter->n_members && vote >= 1 && vote <= 3) {
            votes[ballots[i].member] = (uint8_t)vote;
        }
    }
    s_vote_t v = {.charter = charter,
                  .adoption = kind == CONCORD__V1__PROPOSAL_KIND__CHARTER_ADOPTION,
                  .area = area,
                  .consents = consents};
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
    text_t t;
    text_init_fixed(&t, out->explanation, sizeof out->explanation);
    s_explain(&v, votes, &r, final, out->decided, &t);
}
