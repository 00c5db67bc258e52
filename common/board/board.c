/* SPDX-License-Identifier: Apache-2.0 */
/* board: the joint commissioning board engine. Folds proposals and
 * ballots, in broker log order, into boards, proposals, ballots and
 * outcomes, and carries out the roster changes boards decide;
 * board_tally.c and board_check.c (common/rules) judge charters and
 * proposals and do the arithmetic of each vote. */
#include "board.h"

#include <assert.h>
#include <ctype.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board_names.h"
#include "clock.h"
#include "date.h"
#include "exempt.h"
#include "workdays.h"
#include "agreement.h"
#include "delegation.h"
#include "fold.h"
#include "grow.h"
#include "people.h"
#include "text.h"
#include "wire.h"

typedef struct s_meeting s_meeting_t;

typedef struct {
    uint64_t log_index;
    uint8_t hash[32];
    const void *prop; /* the board_prop_t it belongs to: a proposal, its ballots, acts, call-in */
    int everyone; /* addressed to "*" (or not addressed: a replay without envelopes) */
    /* Of no proposal: the meeting it belongs to (with, for an approval of
     * its minutes, the meeting that approved them), or the forward plan
     * entry it published. */
    const s_meeting_t *meeting;
    const s_meeting_t *approved_at;
    const char *plan_id;
} board_ref_t;

typedef struct {
    size_t member; /* in the proposal's charter */
    int vote;
    uint32_t reps[3]; /* committee in common: its representatives FOR, AGAINST, ABSTAIN */
    int casting;      /* the chair's casting vote, if given (Ballot.casting_vote) */
    char *reason;
    uint64_t time_ms;
    uint64_t log_index;
    uint8_t hash[32];
    char person[PEOPLE_ID_MAX + 1]; /* who signed it for the member; "" none */
} board_vote_t;

/* A member excluded from a proposal's vote by an interest (people.h). */
typedef struct {
    int on;
    int declared; /* by a declaration on the proposal, else by the register */
    char person[PEOPLE_ID_MAX + 1];
    char concerns[PEOPLE_SUBJECT_MAX + 1];
} s_excl_t;

/* A declaration of interest on a proposal. */
typedef struct {
    size_t member;
    char person[PEOPLE_ID_MAX + 1];
    int kind;
    char concerns[PEOPLE_SUBJECT_MAX + 1];
    char description[PEOPLE_TEXT_MAX + 1];
} s_decl_t;

typedef struct board_rec board_rec_t;

/* A body's act on an advisory board's recommendation. */
typedef struct {
    int state; /* 0 none, 1 ratified, 2 declined */
    char text[320]; /* "AUTHORITY, REF of DATE[: REASON]" */
} s_act_t;

typedef struct {
    char id[BOARD_PROPOSAL_ID_LEN + 1];
    board_rec_t *board;
    char *proposer;
    Concord__V1__Proposal *proposal; /* as unpacked from the event */
    Concord__V1__Charter *charter;   /* the board as it stood at submission: the voters */
    uint64_t time_ms;
    uint64_t log_index;
    uint8_t hash[32];
    board_vote_t *ballots; /* log order; one per member at most */
    size_t n_ballots;
    size_t cap_ballots;
    int closed;  /* decided: the outcome is fixed and its effect applied */
    int settled; /* decided by a ballot before the deadline, not by the deadline */
    size_t settled_ballots; /* ballots recorded when it settled */
    uint64_t closed_at_ms;
    uint64_t effect_index; /* log index of the event at (or before) which it took effect */
    uint64_t last_index;   /* log index of its latest accepted event (ballot, call-in) */
    /* Call-in (LGA 2000 s9F): a passed decision waits out the charter's
     * period (pending) unless called in, then takes effect; one called in
     * is suspended until a RECONSIDERATION confirms or withdraws it. */
    int pending;
    uint64_t effective_ms; /* end of the call-in period; 0: none */
    int called_in;
    char called_by[48];
    char *call_in_reasons;
    uint64_t call_in_ms;
    int resolved; /* 0, or CONFIRM or WITHDRAW */
    char resolved_by[BOARD_PROPOSAL_ID_LEN + 1];
    const roster_t *roster; /* the engine's, for successions */
    const delegation_register_t *reg; /* the engine's register of NHS England delegations */
    /* An advisory board's passed recommendation: in effect only once every
     * body its charter names has ratified it; one refusal stops it. */
    int awaiting;
    uint64_t ratify_by_ms; /* end of the charter's time limit for ratifying; 0: none */
    s_act_t acts[BOARD_RATIFIERS_MAX]; /* per charter ratifier, in charter order */
    int everyone; /* its audience is "*", not its board's members (PROTOCOL.md "Audiences") */
    int released; /* an exempt item whose content key its proposer published */
    uint8_t content_key[EXEMPT_KEY_LEN];
    char person[PEOPLE_ID_MAX + 1]; /* who signed it for the proposer; "" none */
    const people_register_t *people; /* the engine's */
    s_excl_t *excl;                  /* per charter member, or NULL: nobody excluded */
    s_decl_t *decls;                 /* declarations, log order */
    size_t n_decls, cap_decls;
    s_meeting_t *meeting; /* the meeting whose agenda has it, or NULL */
} board_prop_t;

/* A meeting (meeting_rules.h): its agenda items with their publication
 * times, attendance, the approval of its minutes, its events. */
typedef struct {
    const Concord__V1__AgendaItem *item;
    Concord__V1__AgendaAddition *owner; /* a supplementary item's event, owned; NULL: the meeting's */
    uint64_t published_ms;
} s_item_t;

typedef struct {
    Concord__V1__Attendance *a;
    char by[48];
    uint64_t time_ms;
    uint64_t log_index;
} s_attend_t;

struct s_meeting {
    char id[BOARD_PROPOSAL_ID_LEN + 1];
    board_rec_t *board;
    Concord__V1__Meeting *meeting;
    char called_by[48];
    uint64_t time_ms;
    s_item_t *items;
    size_t n_items, cap_items;
    s_attend_t *att;
    size_t n_att, cap_att;
    uint8_t (*hashes)[32];
    size_t n_hashes, cap_hashes;
    int approved;
    char approved_at[BOARD_PROPOSAL_ID_LEN + 1];
    char approved_by[48];
    uint8_t approved_sha[32];
    uint64_t approved_ms;
    uint8_t approval_hash[32]; /* the approval's event: not one of the minutes' own */
};

/* A council's forward plan entry. */
typedef struct {
    char id[BOARD_PROPOSAL_ID_LEN + 1];
    board_rec_t *board;
    Concord__V1__ForwardPlanEntry *entry;
    char council[48];
    uint64_t time_ms;
    uint8_t hash[32];
} s_plan_t;

struct board_rec {
    char id[BOARD_ID_MAX + 1];
    Concord__V1__Charter *charter; /* in force, or awaiting adoption */
    int active;
    board_prop_t *adoption; /* the latest CHARTER_ADOPTION */
    board_ref_t *events;    /* accepted events, log order */
    size_t n_events;
    size_t cap_events;
    uint64_t roster_upto; /* log index of its latest decision that changed the roster */
};

typedef struct {
    char sender[48];
    char method[64];
    char proposal_id[BOARD_PROPOSAL_ID_LEN + 1];
    uint64_t log_index;
    cc_code_t code;
    char reason[CC_ERR_MSG_MAX];
} board_refusal_t;

struct board_engine {
    roster_t *roster;
    board_roster_fn on_roster;
    void *on_roster_arg;
    board_rec_t **boards; /* in order of first adoption proposal */
    size_t n_boards;
    size_t cap_boards;
    board_prop_t **proposals; /* log order */
    size_t n_proposals;
    size_t cap_proposals;
    board_prop_t **open; /* still open, for closing by deadline */
    size_t n_open;
    size_t cap_open;
    board_refusal_t *rejections;
    size_t n_rejections;
    size_t cap_rejections;
    board_prop_t **realigned; /* passed realignments, in order of closing */
    size_t n_realigned;
    size_t cap_realigned;
    board_prop_t **pooled; /* passed pool agreements and variations, in order of closing */
    size_t n_pooled;
    size_t cap_pooled;
    board_prop_t **pending; /* passed, waiting out a call-in period */
    size_t n_pending;
    size_t cap_pending;
    uint64_t at_index; /* log index of the event being applied */
    fold_order_t order;
    delegation_register_t *reg; /* NHS England's delegations (Board/Delegation) */
    people_register_t *people;  /* persons, delegations, interests (people.h) */
    s_meeting_t **meetings; /* log order */
    size_t n_meetings, cap_meetings;
    s_plan_t **plans; /* log order */
    size_t n_plans, cap_plans;
};

/* The board with this id, or NULL. */
static board_rec_t *s_find_rec(const board_engine_t *e, const char *id);

static void s_meeting_free(s_meeting_t *m);

/* Meetings and forward plans (below): a council's key decision, and a
 * ballot on a meeting item. */
static int s_check_key_decision(const board_engine_t *e, const board_rec_t *b,
                                const board_event_t *ev, const Concord__V1__Proposal *p,
                                cc_err_t *err);
static int s_check_meeting_ballot(const board_prop_t *p, const board_event_t *ev,
                                  const Concord__V1__Ballot *bl, cc_err_t *err);

/* What a passed roster change does (below): the roster changes
 * after at_index and the charters follow. Returns 0, or -1 only when
 * memory runs out. */
static int s_roster_effect(board_engine_t *e, board_prop_t *p, uint64_t at_index, cc_err_t *err);

/* Call-in (below): a decision that waited out its period, or that a
 * reconsideration confirmed, takes effect now. */
static int s_take_effect(board_engine_t *e, board_prop_t *p, cc_err_t *err);

/* Call-in (below): the checks of a reconsideration. */
static int s_check_reconsideration(const board_engine_t *e, const board_rec_t *b,
                                   const Concord__V1__Proposal *p, cc_err_t *err);

/* An event decoded and judged acceptable, with what accepting it needs. */
typedef struct {
    Concord__V1__Proposal *proposal;
    Concord__V1__Ballot *ballot;
    Concord__V1__CallIn *call_in;
    Concord__V1__Ratification *ratification;
    Concord__V1__DelegationRecord *delegation;
    Concord__V1__Release *release;
    Concord__V1__Person *person;
    Concord__V1__PersonRevocation *revocation;
    Concord__V1__Interest *interest;
    Concord__V1__Declaration *declaration;
    Concord__V1__Meeting *meeting;
    Concord__V1__AgendaAddition *addition;
    Concord__V1__Attendance *attendance;
    Concord__V1__MinutesApproval *minutes;
    Concord__V1__ForwardPlanEntry *plan;
    s_meeting_t *mtg;     /* the meeting an addition, attendance or approval is for */
    board_prop_t *items[MEETING_ITEMS_MAX]; /* a meeting's or an addition's item proposals */
    board_rec_t *board;   /* NULL for a board adopted for the first time */
    board_prop_t *target; /* the proposal a ballot is for */
    int skip_people;      /* judging only the audience: no person chain (board_audience) */
    size_t member;        /* the voter, in target->charter */
    char proposal_id[BOARD_PROPOSAL_ID_LEN + 1];
} s_checked_t;

const delegation_register_t *board_delegations(const board_engine_t *e)
{
    return e->reg;
}

const people_register_t *board_people(const board_engine_t *e)
{
    return e->people;
}

void board_proposal_id(const uint8_t call_id[16], char out[BOARD_PROPOSAL_ID_LEN + 1])
{
    sodium_bin2hex(out, BOARD_PROPOSAL_ID_LEN + 1, call_id, 16);
}

/* A deep copy the caller frees with wire_free. */
static Concord__V1__Charter *s_charter_copy(const Concord__V1__Charter *c, cc_err_t *err)
{
    return (Concord__V1__Charter *)wire_copy(&c->base, WIRE_MAX_FRAME, err);
}

static board_rec_t *s_find_rec(const board_engine_t *e, const char *id)
{
    for (size_t i = 0; i < e->n_boards; i++) {
        if (strcmp(e->boards[i]->id, id) == 0) {
            return e->boards[i];
        }
    }
    return NULL;
}

static board_prop_t *s_proposal_find(const board_engine_t *e, const char *id)
{
    for (size_t i = 0; i < e->n_proposals; i++) {
        if (strcmp(e->proposals[i]->id, id) == 0) {
            return e->proposals[i];
        }
    }
    return NULL;
}

static long s_member_of(const Concord__V1__Charter *c, const char *code)
{
    for (size_t i = 0; i < c->n_members; i++) {
        if (strcmp(c->members[i]->code, code) == 0) {
            return (long)i;
        }
    }
    return -1;
}

/* The broker has a roster entry too, but it is not an organisation. */
static int s_in_roster(const board_engine_t *e, const char *code)
{
    roster_org_t o;
    return strcmp(code, KEYS_BROKER_CODE) != 0 && roster_lookup(e->roster, code, &o) == 0;
}

static int s_voted(const board_prop_t *p, size_t member)
{
    for (size_t j = 0; j < p->n_ballots; j++) {
        if (p->ballots[j].member == member) {
            return 1;
        }
    }
    return 0;
}

static int s_closed_at(const board_prop_t *p, uint64_t time_ms)
{
    return p->closed || time_ms > p->proposal->closes_at_ms;
}

/* ---- validation against the engine's state ---- */

/* The board's members after a membership change, as validation sees
 * them; the deep copy is thrown away. */
static int s_check_membership(const board_engine_t *e, const board_rec_t *b,
                              const Concord__V1__MembershipChange *mc, cc_err_t *err)
{
    Concord__V1__Charter *after = board_check_charter_change(e->roster, b->charter, mc, err);
    wire_free(after ? &after->base : NULL);
    return after ? 0 : -1;
}

static int s_check_adoption(const board_engine_t *e, const board_event_t *ev, s_checked_t *chk,
                            cc_err_t *err)
{
    const Concord__V1__Proposal *p = chk->proposal;
    const Concord__V1__Charter *c = p->charter;
    if (!c) {
        err_set(err, CC_INVALID_ARGUMENT, "a charter adoption must carry the charter");
        return -1;
    }
    if (board_check_charter(e->roster, c, err) < 0) {
        return -1;
    }
    if (p->board_id[0] && strcmp(p->board_id, c->board_id) != 0) {
        err_set(err, CC_INVALID_ARGUMENT, "proposal for board '%.40s' carries the charter of %s",
                p->board_id, c->board_id);
        return -1;
    }
    if (!s_in_roster(e, ev->sender)) {
        err_set(err, CC_PERMISSION_DENIED, "'%.40s' is not an organisation in the roster",
                ev->sender);
        return -1;
    }
    board_rec_t *b = s_find_rec(e, c->board_id);
    if (b && b->active) {
        err_set(err, CC_ALREADY_EXISTS, "board %s already exists", b->id);
        return -1;
    }
    /* A failed adoption leaves the id free for another attempt. */
    if (b && !s_closed_at(b->adoption, ev->time_ms)) {
        err_set(err, CC_ALREADY_EXISTS, "board %s is already awaiting adoption (proposal %.12s)",
                b->id, b->adoption->id);
        return -1;
    }
    chk->board = b;
    return 0;
}

/* An exempt item's content key is sealed to every member of its board,
 * and to nobody else (PROTOCOL.md section 16.10). */
static int s_check_sealed(const Concord__V1__Charter *c, const Concord__V1__Exemption *x,
                          cc_err_t *err)
{
    for (size_t i = 0; i < c->n_members; i++) {
        size_t k = 0;
        while (k < x->n_keys && strcmp(x->keys[k]->member, c->members[i]->code) != 0) {
            k++;
        }
        if (k == x->n_keys) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "the content key of an exempt item is sealed to every member of board %s:"
                    " none for %s",
                    c->board_id, c->members[i]->code);
            return -1;
        }
    }
    for (size_t k = 0; k < x->n_keys; k++) {
        if (s_member_of(c, x->keys[k]->member) < 0) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "the content key of an exempt item is sealed to '%.40s', not a member of"
                    " board %s",
                    x->keys[k]->member, c->board_id);
            return -1;
        }
    }
    return 0;
}

/* A Board/Release: the proposer of an exempt item publishes its content
 * key, from its release date on; the key must open the item. */
static int s_check_release(const board_engine_t *e, const board_event_t *ev, s_checked_t *chk,
                           cc_err_t *err)
{
    const Concord__V1__Release *rl = chk->release;
    board_rec_t *b = s_find_rec(e, rl->board_id);
    board_prop_t *p = chk->target = s_proposal_find(e, rl->proposal_id);
    int y, m, d;
    if (!b || !p || p->board != b) {
        err_set(err, CC_NOT_FOUND, "no proposal '%.40s' on board '%.40s'", rl->proposal_id,
                rl->board_id);
        return -1;
    }
    const Concord__V1__Exemption *x = p->proposal->exempt;
    if (!x) {
        err_set(err, CC_FAILED_PRECONDITION, "proposal %.12s is not an exempt item", p->id);
        return -1;
    }
    if (strcmp(ev->sender, p->proposer) != 0) {
        err_set(err, CC_PERMISSION_DENIED,
                "only %s, who proposed exempt item %.12s, may release it", p->proposer, p->id);
        return -1;
    }
    if (p->released) {
        err_set(err, CC_ALREADY_EXISTS, "exempt item %.12s was already released", p->id);
        return -1;
    }
    if (date_parse(x->release_on, &y, &m, &d) == 0 &&
        (long long)ev->time_ms < date_start_ms(y, m, d)) {
        err_set(err, CC_FAILED_PRECONDITION,
                "exempt item %.12s is exempt (%s) until its release date, %s", p->id, x->reason,
                x->release_on);
        return -1;
    }
    if (rl->content_key.len != EXEMPT_KEY_LEN) {
        err_set(err, CC_INVALID_ARGUMENT, "a release carries the %d-byte content key",
                EXEMPT_KEY_LEN);
        return -1;
    }
    Concord__V1__ExemptContent *c = exempt_decrypt(x, rl->content_key.data, err);
    if (!c) {
        err_prefix(err, "exempt item %.12s: ", p->id);
        if (err && err->code == CC_UNAUTHENTICATED) {
            err->code = CC_INVALID_ARGUMENT;
        }
        return -1;
    }
    wire_free(&c->base);
    return 0;
}

/* At most BOARD_OPEN_PER_MEMBER_MAX proposals of one member open on one
 * board at the event's time (one whose deadline has passed counts as
 * closed: it closes before the event is applied). Every node folds the
 * same log, so every node refuses the same proposal. */
static int s_open_quota(const board_engine_t *e, const board_rec_t *b, const board_event_t *ev,
                        cc_err_t *err)
{
    size_t open = 0;
    uint64_t first_close = 0;
    for (size_t i = 0; i < e->n_open; i++) {
        const board_prop_t *q = e->open[i];
        if (q->board != b || strcmp(q->proposer, ev->sender) != 0 ||
            s_closed_at(q, ev->time_ms)) {
            continue;
        }
        uint64_t closes = q->proposal->closes_at_ms;
        open++;
        if (!first_close || closes < first_close) {
            first_close = closes;
        }
    }
    if (open < BOARD_OPEN_PER_MEMBER_MAX) {
        return 0;
    }
    char when[40];
    err_set(err, CC_RESOURCE_EXHAUSTED,
            "quota exceeded: %.40s already has %zu open proposals on board %s, the most one member"
            " may have open on a board (BOARD_OPEN_PER_MEMBER_MAX); one frees when one of them"
            " closes, the first by %s",
            ev->sender, open, b->id, clock_format(first_close, when, sizeof when));
    return -1;
}

/* The chain organisation -> delegation -> person of an act naming
 * person (PROTOCOL.md 16.13); required: the board's charter requires
 * person-signed acts. */
static int s_person_act(const board_engine_t *e, const board_event_t *ev, const char *board_id,
                        const char *person, int act, int required, cc_err_t *err)
{
    if (!person[0]) {
        if (ev->person_sig) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "the act carries a person's signature but names no person");
            return -1;
        }
        if (required) {
            err_set(err, CC_PERMISSION_DENIED,
                    "board %.32s's charter requires every proposal, ballot and declaration to be"
                    " signed by a person under a delegation from its organisation (PROTOCOL.md"
                    " 16.13)", board_id);
            return -1;
        }
        return 0;
    }
    return people_check_act(e->people, ev->sender, person, board_id, act, ev->log_index,
                            ev->time_ms, ev->person_sig, ev->method, ev->body, ev->body_len,
                            NULL, err);
}

int board_person_act(const board_engine_t *e, const board_event_t *ev, const char *board_id,
                     const char *person, int act, int required, cc_err_t *err)
{
    return s_person_act(e, ev, board_id, person, act, required, err);
}

/* A proposal's named providers and subjects (Proposal.concerns). */
static int s_check_concerns(const Concord__V1__Proposal *p, cc_err_t *err)
{
    if (p->n_concerns > PEOPLE_SUBJECTS_MAX) {
        err_set(err, CC_INVALID_ARGUMENT, "a proposal names at most %d providers and subjects",
                PEOPLE_SUBJECTS_MAX);
        return -1;
    }
    for (size_t i = 0; i < p->n_concerns; i++) {
        if (people_subject_check(p->concerns[i], err) < 0) {
            return -1;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(p->concerns[i], p->concerns[j]) == 0) {
                err_set(err, CC_INVALID_ARGUMENT, "a proposal names '%s' twice", p->concerns[i]);
                return -1;
            }
        }
    }
    return 0;
}

static int s_check_proposal_body(const board_engine_t *e, const board_event_t *ev,
                                 s_checked_t *chk, cc_err_t *err);

static int s_check_proposal(const board_engine_t *e, const board_event_t *ev, s_checked_t *chk,
                            cc_err_t *err)
{
    const Concord__V1__Proposal *pr = chk->proposal;
    if (s_check_proposal_body(e, ev, chk, err) < 0 || s_check_concerns(pr, err) < 0) {
        return -1;
    }
    int adoption = pr->kind == CONCORD__V1__PROPOSAL_KIND__CHARTER_ADOPTION;
    const char *board_id = adoption ? pr->charter->board_id : pr->board_id;
    int required = !adoption && chk->board && chk->board->charter->person_signed_acts;
    return chk->skip_people ? 0 : s_person_act(e, ev, board_id, pr->person, CONCORD__V1__PERSON_ACT__ACT_PROPOSE,
                        required, err);
}

static int s_check_proposal_body(const board_engine_t *e, const board_event_t *ev,
                                 s_checked_t *chk, cc_err_t *err)
{
    const Concord__V1__Proposal *p = chk->proposal;
    if (board_check_proposal(p, ev->time_ms, err) < 0) {
        return -1;
    }
    if (s_proposal_find(e, chk->proposal_id)) {
        err_set(err, CC_ALREADY_EXISTS, "proposal %s already exists", chk->proposal_id);
        return -1;
    }
    if (p->kind == CONCORD__V1__PROPOSAL_KIND__CHARTER_ADOPTION) {
        return s_check_adoption(e, ev, chk, err);
    }
    board_rec_t *b = chk->board = s_find_rec(e, p->board_id);
    if (!b) {
        err_set(err, CC_NOT_FOUND, "no board '%.40s'", p->board_id);
        return -1;
    }
    if (!b->active) {
        err_set(err, CC_FAILED_PRECONDITION,
                "board %s is not active: not every member has adopted its charter", b->id);
        return -1;
    }
    if (s_member_of(b->charter, ev->sender) < 0) {
        err_set(err, CC_PERMISSION_DENIED, "%.40s is not a member of board %s", ev->sender, b->id);
        return -1;
    }
    if (p->exempt && s_check_sealed(b->charter, p->exempt, err) < 0) {
        return -1;
    }
    if (s_open_quota(e, b, ev, err) < 0 || s_check_key_decision(e, b, ev, p, err) < 0) {
        return -1;
    }
    if (board_roster_level(p)) {
        return board_roster_check(e->roster, b->charter, ev->sender, p->membership, err);
    }
    if (p->kind == CONCORD__V1__PROPOSAL_KIND__MEMBERSHIP_CHANGE) {
        return s_check_membership(e, b, p->membership, err);
    }
    if (p->kind == CONCORD__V1__PROPOSAL_KIND__RECONSIDERATION) {
        return s_check_reconsideration(e, b, p, err);
    }
    if (p->reconsiders[0] || p->reconsider) {
        err_set(err, CC_INVALID_ARGUMENT, "only a reconsideration names a decision it reconsiders");
        return -1;
    }
    if (p->kind == CONCORD__V1__PROPOSAL_KIND__POOL_AGREEMENT ||
        p->kind == CONCORD__V1__PROPOSAL_KIND__POOL_VARIATION) {
        return board_pool_check(e->roster, e->reg, b->charter, p, err);
    }
    if (p->kind == CONCORD__V1__PROPOSAL_KIND__CHARTER_AMENDMENT) {
        if (!p->charter) {
            err_set(err, CC_INVALID_ARGUMENT, "a charter amendment must carry the new charter");
            return -1;
        }
        if (strcmp(p->charter->board_id, b->id) != 0) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "an amendment of board %s carries the charter of '%.40s'", b->id,
                    p->charter->board_id);
            return -1;
        }
        return board_check_charter(e->roster, p->charter, err);
    }
    return 0;
}

static int s_check_ballot(const board_engine_t *e, const board_event_t *ev, s_checked_t *chk,
                          cc_err_t *err)
{
    const Concord__V1__Ballot *bl = chk->ballot;
    char at[40], by[40];
    if (bl->vote < 1 || bl->vote > 3) {
        err_set(err, CC_INVALID_ARGUMENT, "a ballot must vote FOR, AGAINST or ABSTAIN");
        return -1;
    }
    if (strlen(bl->reason) > BOARD_REASON_MAX) {
        err_set(err, CC_INVALID_ARGUMENT, "a ballot's reason is at most %d bytes",
                BOARD_REASON_MAX);
        return -1;
    }
    board_rec_t *b = s_find_rec(e, bl->board_id);
    if (!b) {
        err_set(err, CC_NOT_FOUND, "no board '%.40s'", bl->board_id);
        return -1;
    }
    board_prop_t *p = chk->target = s_proposal_find(e, bl->proposal_id);
    if (!p) {
        err_set(err, CC_NOT_FOUND, "no proposal '%.40s'", bl->proposal_id);
        return -1;
    }
    if (p->board != b) {
        err_set(err, CC_INVALID_ARGUMENT, "proposal %.12s is on board %s, not %s", p->id,
                p->board->id, b->id);
        return -1;
    }
    long m = s_member_of(p->charter, ev->sender);
    if (m < 0) {
        err_set(err, CC_PERMISSION_DENIED, "%.40s is not a member of board %s%s", ev->sender, b->id,
                s_member_of(b->charter, ev->sender) >= 0 ? " as it stood when the proposal was made"
                                                         : "");
        return -1;
    }
    chk->member = (size_t)m;
    const Concord__V1__BoardMember *bm = p->charter->members[m];
    uint64_t reps = (uint64_t)bl->representatives_for + bl->representatives_against +
                    bl->representatives_abstain;
    int own = p->charter->kind == CONCORD__V1__BOARD_KIND__COMMITTEE_IN_COMMON &&
              p->proposal->kind != CONCORD__V1__PROPOSAL_KIND__CHARTER_ADOPTION &&
              bm->representatives;
    if (!own && reps) {
        err_set(err, CC_INVALID_ARGUMENT,
                "%.16s's ballot carries representatives' votes, but only a body of a committee in"
                " common with representatives in its charter decides by them",
                ev->sender);
        return -1;
    }
    if (own && reps > bm->representatives) {
        err_set(err, CC_INVALID_ARGUMENT,
                "%.16s's ballot counts %llu representatives' votes; its charter gives it %u"
                " representatives",
                ev->sender, (unsigned long long)reps, bm->representatives);
        return -1;
    }
    if (s_voted(p, chk->member)) {
        err_set(err, CC_ALREADY_EXISTS, "%s already voted on proposal %.12s", ev->sender, p->id);
        return -1;
    }
    if (p->excl && p->excl[m].on) {
        const s_excl_t *x = &p->excl[m];
        err_set(err, CC_PERMISSION_DENIED,
                "excluded: %.16s has a %s interest in '%s' (%s%s), which proposal %.12s names;"
                " under board %s's charter it %s (%s)",
                ev->sender, x->declared ? "declared" : "registered", x->concerns,
                x->person[0] ? "person " : "the organisation", x->person, p->id, b->id,
                p->charter->conflicts == CONCORD__V1__CONFLICT_POLICY__REMAIN_WITHOUT_VOTE
                    ? "remains without a vote"
                    : "takes no part in the vote and is not counted in its quorum",
                PEOPLE_CITATION);
        return -1;
    }
    /* A charter's adoption is voted before anyone holds a delegation for
     * the board it creates: person-signed acts are required from then on. */
    if (!chk->skip_people &&
        s_person_act(e, ev, b->id, bl->person, CONCORD__V1__PERSON_ACT__ACT_VOTE,
                     p->charter->person_signed_acts &&
                         p->proposal->kind != CONCORD__V1__PROPOSAL_KIND__CHARTER_ADOPTION,
                     err) < 0) {
        return -1;
    }
    if (ev->time_ms > p->proposal->closes_at_ms) {
        err_set(err, CC_DEADLINE_EXCEEDED,
                "ballot after the deadline: received %s, voting closed %s",
                clock_format(ev->time_ms, at, sizeof at),
                clock_format(p->proposal->closes_at_ms, by, sizeof by));
        return -1;
    }
    if (s_check_meeting_ballot(p, ev, bl, err) < 0) {
        return -1;
    }
    /* A settled outcome does not close voting: every member's ballot is
     * recorded until the deadline (or until every member has voted, when
     * the check above refuses any further one), so dissent and assent
     * are on the record. */
    return 0;
}

/* A member's declaration of an interest in a subject a proposal names:
 * before the member votes, while the proposal is open. */
static int s_check_declaration(const board_engine_t *e, const board_event_t *ev,
                               s_checked_t *chk, cc_err_t *err)
{
    const Concord__V1__Declaration *d = chk->declaration;
    char at[40];
    if (d->kind < 1 || d->kind > 4) {
        err_set(err, CC_INVALID_ARGUMENT, "a declared interest is financial, non-financial"
                " professional, non-financial personal or indirect (%s)", PEOPLE_CITATION);
        return -1;
    }
    if (strlen(d->description) > PEOPLE_TEXT_MAX) {
        err_set(err, CC_INVALID_ARGUMENT, "a declaration's description is at most %d bytes",
                PEOPLE_TEXT_MAX);
        return -1;
    }
    board_rec_t *b = s_find_rec(e, d->board_id);
    if (!b) {
        err_set(err, CC_NOT_FOUND, "no board '%.40s'", d->board_id);
        return -1;
    }
    board_prop_t *p = chk->target = s_proposal_find(e, d->proposal_id);
    if (!p) {
        err_set(err, CC_NOT_FOUND, "no proposal '%.40s'", d->proposal_id);
        return -1;
    }
    if (p->board != b) {
        err_set(err, CC_INVALID_ARGUMENT, "proposal %.12s is on board %s, not %s", p->id,
                p->board->id, b->id);
        return -1;
    }
    if (s_closed_at(p, ev->time_ms)) {
        err_set(err, CC_FAILED_PRECONDITION,
                "declaration on a closed proposal: voting on %.12s closed %s; a declaration is"
                " made before the vote (%s)",
                p->id, clock_format(p->closed ? p->closed_at_ms : p->proposal->closes_at_ms, at,
                                    sizeof at),
                PEOPLE_CITATION);
        return -1;
    }
    long m = s_member_of(p->charter, ev->sender);
    if (m < 0) {
        err_set(err, CC_PERMISSION_DENIED, "%.40s is not a member of board %s", ev->sender,
                b->id);
        return -1;
    }
    chk->member = (size_t)m;
    int named = 0;
    for (size_t i = 0; i < p->proposal->n_concerns; i++) {
        named |= strcmp(p->proposal->concerns[i], d->concerns) == 0;
    }
    if (!named) {
        err_set(err, CC_INVALID_ARGUMENT, "proposal %.12s names no provider or subject '%.40s'",
                p->id, d->concerns);
        return -1;
    }
    if (s_voted(p, chk->member)) {
        err_set(err, CC_FAILED_PRECONDITION, "%.16s has already voted on proposal %.12s: an"
                " interest is declared before the vote (%s)", ev->sender, p->id, PEOPLE_CITATION);
        return -1;
    }
    return chk->skip_people ? 0
                            : s_person_act(e, ev, b->id, d->person_id,
                                           CONCORD__V1__PERSON_ACT__ACT_VOTE,
                                           p->charter->person_signed_acts, err);
}

/* Whether a passed decision of this kind waits out a call-in period:
 * never an adoption, a roster change (it takes effect at its deciding
 * ballot) or a reconsideration. */
/* Whether a passed proposal of an advisory board is only a recommendation
 * its ratifiers decide: not its own charter, membership or the roster. */
static int s_advisory(const board_prop_t *p)
{
    int kind = p->proposal->kind;
    return p->charter->kind == CONCORD__V1__BOARD_KIND__ADVISORY &&
           (kind == CONCORD__V1__PROPOSAL_KIND__COMMISSIONING_DECISION ||
            kind == CONCORD__V1__PROPOSAL_KIND__FOOTPRINT_REALIGNMENT ||
            kind == CONCORD__V1__PROPOSAL_KIND__POOL_AGREEMENT ||
            kind == CONCORD__V1__PROPOSAL_KIND__POOL_VARIATION);
}

static int s_callable(const board_prop_t *p)
{
    int kind = p->proposal->kind;
    return !s_advisory(p) && p->charter->call_in_working_days &&
           kind != CONCORD__V1__PROPOSAL_KIND__CHARTER_ADOPTION &&
           kind != CONCORD__V1__PROPOSAL_KIND__RECONSIDERATION && !board_roster_level(p->proposal);
}

static int s_may_call_in(const Concord__V1__Charter *c, const char *code)
{
    if (s_member_of(c, code) < 0) {
        return 0;
    }
    for (size_t i = 0; i < c->n_call_in_by; i++) {
        if (strcmp(c->call_in_by[i], code) == 0) {
            return 1;
        }
    }
    return c->n_call_in_by == 0;
}

static int s_check_call_in(const board_engine_t *e, const board_event_t *ev, s_checked_t *chk,
                           cc_err_t *err)
{
    const Concord__V1__CallIn *ci = chk->call_in;
    char at[40], by[40];
    if (!ci->reasons[0] || strlen(ci->reasons) > BOARD_REASON_MAX) {
        err_set(err, CC_INVALID_ARGUMENT, "a call-in gives its reasons, in 1 to %d bytes",
                BOARD_REASON_MAX);
        return -1;
    }
    board_rec_t *b = s_find_rec(e, ci->board_id);
    board_prop_t *p = chk->target = s_proposal_find(e, ci->proposal_id);
    if (!b || !p || p->board != b) {
        err_set(err, CC_NOT_FOUND, "no proposal '%.40s' on board '%.40s'", ci->proposal_id,
                ci->board_id);
        return -1;
    }
    if (!p->pending && !p->called_in) {
        err_set(err, CC_FAILED_PRECONDITION,
                "proposal %.12s is not a passed decision waiting out a call-in period%s", p->id,
                p->effective_ms ? ": it took effect at the end of its call-in period" : "");
        return -1;
    }
    if (p->called_in) {
        err_set(err, CC_ALREADY_EXISTS, "proposal %.12s was already called in by %s", p->id,
                p->called_by);
        return -1;
    }
    if (ev->time_ms > p->effective_ms) {
        err_set(err, CC_DEADLINE_EXCEEDED,
                "call-in after the period: received %s, the period of %u working days ended %s",
                clock_format(ev->time_ms, at, sizeof at), p->charter->call_in_working_days,
                clock_format(p->effective_ms, by, sizeof by));
        return -1;
    }
    if (!s_may_call_in(p->charter, ev->sender)) {
        err_set(err, CC_PERMISSION_DENIED,
                "%.40s may not call in decisions of board %s (the charter names who may)",
                ev->sender, b->id);
        return -1;
    }
    return 0;
}

static long s_ratifier(const Concord__V1__Charter *c, const char *code)
{
    for (size_t i = 0; i < c->n_ratifiers; i++) {
        if (strcmp(c->ratifiers[i], code) == 0) {
            return (long)i;
        }
    }
    return -1;
}

static int s_check_ratification(const board_engine_t *e, const board_event_t *ev,
                                s_checked_t *chk, cc_err_t *err)
{
    const Concord__V1__Ratification *ra = chk->ratification;
    board_rec_t *b = s_find_rec(e, ra->board_id);
    board_prop_t *p = chk->target = s_proposal_find(e, ra->proposal_id);
    if (!b || !p || p->board != b) {
        err_set(err, CC_NOT_FOUND, "no proposal '%.40s' on board '%.40s'", ra->proposal_id,
                ra->board_id);
        return -1;
    }
    long k = s_ratifier(p->charter, ev->sender);
    if (k < 0) {
        err_set(err, CC_PERMISSION_DENIED,
                "%.40s is not one of the bodies that ratify the recommendations of board %s",
                ev->sender, b->id);
        return -1;
    }
    if (!p->awaiting) {
        err_set(err, CC_FAILED_PRECONDITION,
                "proposal %.12s is not a recommendation awaiting ratification (%s)", p->id,
                !p->closed ? "still undecided" : "failed, or already ratified or declined");
        return -1;
    }
    if (p->acts[k].state) {
        err_set(err, CC_ALREADY_EXISTS, "%s already %s proposal %.12s", ev->sender,
                p->acts[k].state == 1 ? "ratified" : "declined", p->id);
        return -1;
    }
    if (p->ratify_by_ms && ev->time_ms > p->ratify_by_ms) {
        char by[40];
        err_set(err, CC_DEADLINE_EXCEEDED,
                "the time limit for ratifying recommendation %.12s ended at %s (%u working days"
                " after it, England and Wales, set by the charter of board %s): it has lapsed"
                " for %.16s",
                p->id, clock_format(p->ratify_by_ms, by, sizeof by),
                p->charter->ratify_working_days, b->id, ev->sender);
        return -1;
    }
    if (!ra->authority[0] || strlen(ra->authority) > 120 || !ra->decision_ref[0] ||
        strlen(ra->decision_ref) > 60 || strlen(ra->reason) > 120) {
        err_set(err, CC_INVALID_ARGUMENT,
                "a ratification names the body's deciding forum (1 to 120 bytes) and its"
                " decision reference (1 to 60), with a reason of at most 120");
        return -1;
    }
    if (!agreement_date_ok(ra->decision_date)) {
        err_set(err, CC_INVALID_ARGUMENT, "decision date '%.20s' is not a YYYY-MM-DD date",
                ra->decision_date);
        return -1;
    }
    return 0;
}

/* A RECONSIDERATION names a decision of its board that was called in and
 * is not yet resolved, and confirms or withdraws it. */
static int s_check_reconsideration(const board_engine_t *e, const board_rec_t *b,
                                   const Concord__V1__Proposal *p, cc_err_t *err)
{
    const board_prop_t *t = s_proposal_find(e, p->reconsiders);
    if (p->reconsider != CONCORD__V1__RECONSIDER__CONFIRM &&
        p->reconsider != CONCORD__V1__RECONSIDER__WITHDRAW) {
        err_set(err, CC_INVALID_ARGUMENT,
                "a reconsideration confirms or withdraws the decision called in (an amended"
                " decision is a new proposal, after withdrawing it)");
        return -1;
    }
    if (!t || t->board != b) {
        err_set(err, CC_NOT_FOUND, "no decision '%.40s' on board %s to reconsider",
                p->reconsiders, b->id);
        return -1;
    }
    if (!t->called_in || t->resolved) {
        err_set(err, CC_FAILED_PRECONDITION,
                "decision %.12s is not called in and awaiting reconsideration", t->id);
        return -1;
    }
    return 0;
}

/* ---- meetings and forward plans (meeting_rules.h) ---- */

static s_meeting_t *s_meeting_find(const board_engine_t *e, const char *id)
{
    for (size_t i = 0; id && i < e->n_meetings; i++) {
        if (strcmp(e->meetings[i]->id, id) == 0) {
            return e->meetings[i];
        }
    }
    return NULL;
}

static const s_plan_t *s_plan_find(const board_engine_t *e, const char *id)
{
    for (size_t i = 0; id && id[0] && i < e->n_plans; i++) {
        if (strcmp(e->plans[i]->id, id) == 0) {
            return e->plans[i];
        }
    }
    return NULL;
}

/* Who runs a board's meetings: its chair and co-chairs, and its
 * secretary (who proposed its adoption). */
static int s_is_chair(const Concord__V1__Charter *c, const char *code)
{
    if (!c->chair[0]) {
        return 0;
    }
    if (strcmp(code, c->chair) == 0) {
        return 1;
    }
    for (size_t i = 0; i < c->n_co_chairs; i++) {
        if (strcmp(code, c->co_chairs[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

static int s_may_chair(const board_rec_t *b, const char *code)
{
    return s_is_chair(b->charter, code) || strcmp(code, b->adoption->proposer) == 0;
}

/* The active board_id, with sender one who runs its meetings. */
static board_rec_t *s_meeting_board(const board_engine_t *e, const char *board_id,
                                    const char *sender, const char *what, cc_err_t *err)
{
    board_rec_t *b = s_find_rec(e, board_id);
    if (!b) {
        err_set(err, CC_NOT_FOUND, "no board '%.40s'", board_id);
        return NULL;
    }
    if (!b->active) {
        err_set(err, CC_FAILED_PRECONDITION,
                "board %s is not active: not every member has adopted its charter", b->id);
        return NULL;
    }
    if (!s_may_chair(b, sender)) {
        err_set(err, CC_PERMISSION_DENIED,
                "only the chair, a co-chair or the secretary of board %s %s, not %.40s", b->id,
                what, sender);
        return NULL;
    }
    return b;
}

/* An agenda item's proposal: open on board b, no ballot yet, on no
 * meeting, its deadline not before the meeting starts. */
static int s_check_item_proposal(const board_engine_t *e, const board_rec_t *b,
                                 const Concord__V1__AgendaItem *it, const s_meeting_t *same,
                                 board_prop_t *const *taken, size_t n_taken, uint64_t now_ms,
                                 uint64_t starts_ms, board_prop_t **out, cc_err_t *err)
{
    *out = NULL;
    if (!it->proposal_id[0]) {
        return 0;
    }
    board_prop_t *p = s_proposal_find(e, it->proposal_id);
    if (!p || p->board != b) {
        err_set(err, CC_NOT_FOUND, "agenda item: no proposal '%.40s' on board %s",
                it->proposal_id, b->id);
        return -1;
    }
    if (s_closed_at(p, now_ms) || p->n_ballots) {
        err_set(err, CC_FAILED_PRECONDITION,
                "agenda item: proposal %.12s is %s: only an open proposal with no ballot yet is"
                " put to a meeting",
                p->id, s_closed_at(p, now_ms) ? "closed" : "already being voted on");
        return -1;
    }
    int twice = 0;
    for (size_t k = 0; k < n_taken; k++) {
        twice |= taken[k] == p;
    }
    if (p->meeting || twice) {
        err_set(err, CC_ALREADY_EXISTS, "agenda item: proposal %.12s is already on the agenda of"
                " meeting %.12s", p->id, p->meeting ? p->meeting->id : same ? same->id : "this");
        return -1;
    }
    if (p->proposal->closes_at_ms < starts_ms) {
        err_set(err, CC_FAILED_PRECONDITION,
                "agenda item: voting on proposal %.12s closes before the meeting starts", p->id);
        return -1;
    }
    *out = p;
    return 0;
}

static int s_check_meeting(const board_engine_t *e, const board_event_t *ev, s_checked_t *chk,
                           cc_err_t *err)
{
    const Concord__V1__Meeting *m = chk->meeting;
    board_rec_t *b = chk->board =
        s_meeting_board(e, m->board_id, ev->sender, "calls its meetings", err);
    if (!b || meeting_rules_check_meeting(b->charter, m, ev->time_ms, err) < 0) {
        return -1;
    }
    for (size_t i = 0; i < m->n_items; i++) {
        if (s_check_item_proposal(e, b, m->items[i], NULL, chk->items, i, ev->time_ms,
                                  m->starts_at_ms, &chk->items[i], err) < 0) {
            return -1;
        }
    }
    return 0;
}

static int s_check_addition(const board_engine_t *e, const board_event_t *ev, s_checked_t *chk,
                            cc_err_t *err)
{
    const Concord__V1__AgendaAddition *ad = chk->addition;
    board_rec_t *b = chk->board =
        s_meeting_board(e, ad->board_id, ev->sender, "adds to its agendas", err);
    if (!b) {
        return -1;
    }
    s_meeting_t *m = chk->mtg = s_meeting_find(e, ad->meeting_id);
    if (!m || m->board != b) {
        err_set(err, CC_NOT_FOUND, "no meeting '%.40s' of board %s", ad->meeting_id, b->id);
        return -1;
    }
    if (!ad->item) {
        err_set(err, CC_INVALID_ARGUMENT, "an agenda addition carries its item");
        return -1;
    }
    if (ev->time_ms >= m->meeting->starts_at_ms || m->n_items >= MEETING_ITEMS_MAX) {
        err_set(err, CC_FAILED_PRECONDITION,
                "meeting %.12s has %s: no item is added to its agenda", m->id,
                m->n_items >= MEETING_ITEMS_MAX ? "a full agenda" : "started");
        return -1;
    }
    if (meeting_rules_check_item(ad->item, ev->time_ms, m->meeting->starts_at_ms, err) < 0) {
        return -1;
    }
    return s_check_item_proposal(e, b, ad->item, m, NULL, 0, ev->time_ms,
                                 m->meeting->starts_at_ms, &chk->items[0], err);
}

static const s_attend_t *s_attended(const s_meeting_t *m, const char *member)
{
    for (size_t i = 0; i < m->n_att; i++) {
        if (strcmp(m->att[i].a->member, member) == 0) {
            return &m->att[i];
        }
    }
    return NULL;
}

static int s_check_attendance(const board_engine_t *e, const board_event_t *ev, s_checked_t *chk,
                              cc_err_t *err)
{
    const Concord__V1__Attendance *a = chk->attendance;
    char at[40];
    board_rec_t *b = chk->board =
        s_meeting_board(e, a->board_id, ev->sender, "records attendance at its meetings", err);
    if (!b || meeting_rules_check_attendance(a, err) < 0) {
        return -1;
    }
    s_meeting_t *m = chk->mtg = s_meeting_find(e, a->meeting_id);
    if (!m || m->board != b) {
        err_set(err, CC_NOT_FOUND, "no meeting '%.40s' of board %s", a->meeting_id, b->id);
        return -1;
    }
    if (s_member_of(b->charter, a->member) < 0) {
        err_set(err, CC_PERMISSION_DENIED, "'%.40s' is not a member of board %s", a->member,
                b->id);
        return -1;
    }
    const s_attend_t *was = s_attended(m, a->member);
    if (was) {
        err_set(err, CC_ALREADY_EXISTS,
                "attendance recorded twice: %s's attendance at meeting %.12s was recorded by %s"
                " at %s",
                a->member, m->id, was->by, clock_format(was->time_ms, at, sizeof at));
        return -1;
    }
    if (ev->time_ms > m->meeting->ends_at_ms) {
        err_set(err, CC_FAILED_PRECONDITION,
                "meeting %.12s ended at %s: attendance is recorded before it ends", m->id,
                clock_format(m->meeting->ends_at_ms, at, sizeof at));
        return -1;
    }
    return 0;
}

static int s_check_minutes(const board_engine_t *e, const board_event_t *ev, s_checked_t *chk,
                           cc_err_t *err)
{
    const Concord__V1__MinutesApproval *ma = chk->minutes;
    char a1[40], a2[40];
    board_rec_t *b = chk->board = s_find_rec(e, ma->board_id);
    if (!b) {
        err_set(err, CC_NOT_FOUND, "no board '%.40s'", ma->board_id);
        return -1;
    }
    s_meeting_t *m = chk->mtg = s_meeting_find(e, ma->meeting_id);
    const s_meeting_t *at = s_meeting_find(e, ma->at_meeting_id);
    if (!m || m->board != b || !at || at->board != b) {
        err_set(err, CC_NOT_FOUND, "no meetings '%.40s' and '%.40s' of board %s",
                ma->meeting_id, ma->at_meeting_id, b->id);
        return -1;
    }
    const Concord__V1__Charter *c = b->charter;
    int chair = c->chair[0] ? s_is_chair(c, ev->sender)
                            : strcmp(ev->sender, b->adoption->proposer) == 0;
    if (!chair) {
        err_set(err, CC_PERMISSION_DENIED,
                "the minutes of board %s are signed as a correct record by %s, not %.40s",
                b->id, c->chair[0] ? "its chair or a co-chair" : "its secretary", ev->sender);
        return -1;
    }
    if (m->approved) {
        err_set(err, CC_ALREADY_EXISTS,
                "the minutes of meeting %.12s were already approved at meeting %.12s", m->id,
                m->approved_at);
        return -1;
    }
    if (ma->minutes_sha256.len != 32) {
        err_set(err, CC_INVALID_ARGUMENT, "a minutes approval carries the minutes' 32-byte SHA-256");
        return -1;
    }
    /* The next meeting: the first of the board to start after this one. */
    const s_meeting_t *next = NULL;
    for (size_t i = 0; i < e->n_meetings; i++) {
        const s_meeting_t *o = e->meetings[i];
        if (o->board == b && o->meeting->starts_at_ms > m->meeting->starts_at_ms &&
            (!next || o->meeting->starts_at_ms < next->meeting->starts_at_ms)) {
            next = o;
        }
    }
    if (next != at) {
        err_set(err, CC_FAILED_PRECONDITION,
                "minutes are approved at the board's next meeting (LGA 1972 Sch 12 para 41(1)):"
                " meeting %.12s is not the next after %.12s%s%.12s",
                at->id, m->id, next ? "; the next is " : "", next ? next->id : "");
        return -1;
    }
    if (ev->time_ms < at->meeting->starts_at_ms || ev->time_ms > at->meeting->ends_at_ms) {
        err_set(err, CC_FAILED_PRECONDITION,
                "minutes are approved while meeting %.12s sits, %s to %s", at->id,
                clock_format(at->meeting->starts_at_ms, a1, sizeof a1),
                clock_format(at->meeting->ends_at_ms, a2, sizeof a2));
        return -1;
    }
    return 0;
}

static int s_check_plan(const board_engine_t *e, const board_event_t *ev, s_checked_t *chk,
                        cc_err_t *err)
{
    const Concord__V1__ForwardPlanEntry *pl = chk->plan;
    board_rec_t *b = chk->board = s_find_rec(e, pl->board_id);
    if (!b || !b->active) {
        err_set(err, CC_NOT_FOUND, "no active board '%.40s'", pl->board_id);
        return -1;
    }
    long m = s_member_of(b->charter, ev->sender);
    if (m < 0 || b->charter->members[m]->constituency !=
                     CONCORD__V1__CONSTITUENCY__LOCAL_GOVERNMENT) {
        err_set(err, CC_PERMISSION_DENIED,
                "a forward plan is a council's (SI 2012/2089 reg 9): %.40s is not a local"
                " government member of board %s",
                ev->sender, b->id);
        return -1;
    }
    if (!pl->title[0] || strlen(pl->title) > MEETING_TEXT_MAX ||
        strlen(pl->decision_maker) > MEETING_PERSON_MAX || pl->amount_pence < 0 ||
        !agreement_date_ok(pl->decision_date)) {
        err_set(err, CC_INVALID_ARGUMENT,
                "a forward plan entry has a title (1 to %d bytes), a decision date YYYY-MM-DD, an"
                " amount of at least 0 and a decision maker of at most %d bytes",
                MEETING_TEXT_MAX, MEETING_PERSON_MAX);
        return -1;
    }
    return 0;
}

/* A council member's key decision rests on its forward plan entry, or on
 * another route with its reason. */
static int s_check_key_decision(const board_engine_t *e, const board_rec_t *b,
                                const board_event_t *ev, const Concord__V1__Proposal *p,
                                cc_err_t *err)
{
    if (!meeting_rules_key_decision(b->charter, p, ev->sender)) {
        return 0;
    }
    const s_plan_t *pl = s_plan_find(e, p->forward_plan_entry);
    uint64_t plan_ms =
        pl && pl->board == b && strcmp(pl->council, ev->sender) == 0 ? pl->time_ms : 0;
    return meeting_rules_check_key_decision(p, plan_ms, ev->time_ms, err);
}

/* A ballot on a meeting item: cast while the meeting sits, by a member
 * recorded present or substituted; a casting vote only the chair's. */
static int s_check_meeting_ballot(const board_prop_t *p, const board_event_t *ev,
                                  const Concord__V1__Ballot *bl, cc_err_t *err)
{
    char a1[40], a2[40];
    const Concord__V1__Charter *c = p->charter;
    if (bl->casting_vote &&
        (!c->chair_casting_vote || strcmp(ev->sender, c->chair) != 0 ||
         (bl->casting_vote != CONCORD__V1__VOTE__FOR &&
          bl->casting_vote != CONCORD__V1__VOTE__AGAINST))) {
        err_set(err, CC_INVALID_ARGUMENT,
                "a casting vote is FOR or AGAINST, and only the chair's where the charter of"
                " board %s gives one (LGA 1972 Sch 12 para 39(2))",
                p->board->id);
        return -1;
    }
    const s_meeting_t *m = p->meeting;
    if (!m) {
        return 0;
    }
    if (ev->time_ms < m->meeting->starts_at_ms || ev->time_ms > m->meeting->ends_at_ms) {
        err_set(err, CC_FAILED_PRECONDITION,
                "proposal %.12s is an item of meeting %.12s: it is voted on while the meeting"
                " sits, %s to %s",
                p->id, m->id, clock_format(m->meeting->starts_at_ms, a1, sizeof a1),
                clock_format(m->meeting->ends_at_ms, a2, sizeof a2));
        return -1;
    }
    const s_attend_t *a = s_attended(m, ev->sender);
    if (!a || a->a->status == CONCORD__V1__ATTENDANCE_STATUS__APOLOGIES) {
        err_set(err, CC_PERMISSION_DENIED,
                "%.40s is not recorded present at meeting %.12s: on its items only members"
                " present or substituted vote",
                ev->sender, m->id);
        return -1;
    }
    return 0;
}

/* ---- audiences (PROTOCOL.md "Audiences") ---- */

/* Whether a proposal of this kind is folded by every node: what a board
 * is and who sits on it (adoption, amendment, membership and roster
 * changes), the declared footprints every node's alignment shows, and
 * pooled-fund agreements and their variations, which every node needs to
 * judge whether a pool is in force (board_pool_method_public). */
static int s_kind_everyone(int kind)
{
    return kind == CONCORD__V1__PROPOSAL_KIND__CHARTER_ADOPTION ||
           kind == CONCORD__V1__PROPOSAL_KIND__CHARTER_AMENDMENT ||
           kind == CONCORD__V1__PROPOSAL_KIND__MEMBERSHIP_CHANGE ||
           kind == CONCORD__V1__PROPOSAL_KIND__FOOTPRINT_REALIGNMENT ||
           kind == CONCORD__V1__PROPOSAL_KIND__POOL_AGREEMENT ||
           kind == CONCORD__V1__PROPOSAL_KIND__POOL_VARIATION;
}

/* Whether the checked event chk goes to every member: a proposal by its
 * kind (a reconsideration as the decision it reconsiders), anything
 * else as the proposal it is about. */
static int s_checked_everyone(const board_engine_t *e, const s_checked_t *chk)
{
    if (chk->proposal) {
        if (chk->proposal->kind == CONCORD__V1__PROPOSAL_KIND__RECONSIDERATION) {
            const board_prop_t *t = s_proposal_find(e, chk->proposal->reconsiders);
            return t && t->everyone;
        }
        /* A decision agreeing a Better Care Fund plan: every node judges
         * the plan's HWB sign-off against it. */
        return s_kind_everyone(chk->proposal->kind) || chk->proposal->bcf_plan[0];
    }
    /* The register of NHS England delegations is every board's, and so
     * are persons, their delegations and registers of interests. */
    return chk->delegation || chk->person || chk->revocation || chk->interest ||
           (chk->target && chk->target->everyone);
}

static void s_checked_audience(const board_engine_t *e, const s_checked_t *chk,
                               char out[BOARD_AUDIENCE_MAX + 1])
{
    const char *board = chk->proposal
                            ? (chk->proposal->kind == CONCORD__V1__PROPOSAL_KIND__CHARTER_ADOPTION
                                   ? chk->proposal->charter->board_id
                                   : chk->proposal->board_id)
                        : chk->target ? chk->target->board->id
                        : chk->board  ? chk->board->id
                                      : "";
    if (s_checked_everyone(e, chk) || !board[0]) {
        snprintf(out, BOARD_AUDIENCE_MAX + 1, "%s", ENVELOPE_EVERYONE);
    } else {
        snprintf(out, BOARD_AUDIENCE_MAX + 1, "%s%s", ENVELOPE_BOARD_PREFIX, board);
    }
}

/* An accepted-looking event addressed otherwise than its audience is
 * refused by every node that receives it (and by the broker), so that
 * every node that folds it folds the same. */
static int s_audience_check(const board_engine_t *e, const board_event_t *ev,
                            const s_checked_t *chk, cc_err_t *err)
{
    char want[BOARD_AUDIENCE_MAX + 1];
    if (!ev->recipient) {
        return 0;
    }
    s_checked_audience(e, chk, want);
    if (strcmp(ev->recipient, want) != 0) {
        err_set(err, CC_INVALID_ARGUMENT,
                "this %s is addressed to \"%.40s\", but its audience is \"%s\" (%s)",
                chk->proposal  ? "proposal"
                : chk->ballot  ? "ballot"
                : chk->call_in ? "call-in"
                : chk->release ? "release"
                : chk->delegation ? "delegation record"
                : chk->person ? "person"
                : chk->revocation ? "revocation"
                : chk->interest ? "interest"
                : chk->declaration ? "declaration"
                : chk->meeting    ? "meeting"
                : chk->addition   ? "agenda item"
                : chk->attendance ? "attendance record"
                : chk->minutes    ? "minutes approval"
                : chk->plan       ? "forward plan entry"
                               : "ratification",
                ev->recipient, want,
                want[0] == '*' ? "every node folds a board's charter, membership and the roster"
                               : "a board's business goes only to its members");
        return -1;
    }
    return 0;
}

/* Decodes and judges ev against the engine as it stands, changing
 * nothing. On success chk owns the decoded body; on failure the caller
 * still frees it (s_checked_free). */
static int s_check_body_with(const board_engine_t *e, const board_event_t *ev, s_checked_t *chk,
                             int people, cc_err_t *err);

static int s_check_body(const board_engine_t *e, const board_event_t *ev, s_checked_t *chk,
                        cc_err_t *err)
{
    return s_check_body_with(e, ev, chk, 1, err);
}

/* s_check_body; with people 0, without the person chain of an act (its
 * audience does not depend on who signed it, nor on when). */
static int s_check_body_with(const board_engine_t *e, const board_event_t *ev, s_checked_t *chk,
                             int people, cc_err_t *err)
{
    memset(chk, 0, sizeof *chk);
    chk->skip_people = !people;
    if (!ev->sender || !ev->method || !ev->call_id || !ev->hash || (!ev->body && ev->body_len)) {
        err_set(err, CC_INVALID_ARGUMENT, "incomplete board event");
        return -1;
    }
    if (strcmp(ev->method, BOARD_METHOD_PROPOSE) == 0) {
        board_proposal_id(ev->call_id, chk->proposal_id);
        chk->proposal = (Concord__V1__Proposal *)wire_unpack(
            &concord__v1__proposal__descriptor, ev->body, ev->body_len, WIRE_MAX_FRAME, err);
        return chk->proposal ? s_check_proposal(e, ev, chk, err) : -1;
    }
    if (strcmp(ev->method, BOARD_METHOD_RATIFY) == 0) {
        chk->ratification = (Concord__V1__Ratification *)wire_unpack(
            &concord__v1__ratification__descriptor, ev->body, ev->body_len, WIRE_MAX_FRAME, err);
        if (!chk->ratification) {
            return -1;
        }
        snprintf(chk->proposal_id, sizeof chk->proposal_id, "%s", chk->ratification->proposal_id);
        return s_check_ratification(e, ev, chk, err);
    }
    if (strcmp(ev->method, BOARD_METHOD_DELEGATION) == 0) {
        chk->delegation = (Concord__V1__DelegationRecord *)wire_unpack(
            &concord__v1__delegation_record__descriptor, ev->body, ev->body_len, WIRE_MAX_FRAME,
            err);
        return chk->delegation ? delegation_check(e->roster, ev->sender, chk->delegation, err) : -1;
    }
    if (strcmp(ev->method, BOARD_METHOD_CALL_IN) == 0) {
        chk->call_in = (Concord__V1__CallIn *)wire_unpack(&concord__v1__call_in__descriptor, ev->body,
                                                          ev->body_len, WIRE_MAX_FRAME, err);
        if (!chk->call_in) {
            return -1;
        }
        snprintf(chk->proposal_id, sizeof chk->proposal_id, "%s", chk->call_in->proposal_id);
        return s_check_call_in(e, ev, chk, err);
    }
    if (strcmp(ev->method, BOARD_METHOD_RELEASE) == 0) {
        chk->release = (Concord__V1__Release *)wire_unpack(&concord__v1__release__descriptor,
                                                           ev->body, ev->body_len, WIRE_MAX_FRAME,
                                                           err);
        if (!chk->release) {
            return -1;
        }
        snprintf(chk->proposal_id, sizeof chk->proposal_id, "%s", chk->release->proposal_id);
        return s_check_release(e, ev, chk, err);
    }
    if (strcmp(ev->method, PEOPLE_METHOD_PERSON) == 0) {
        chk->person = (Concord__V1__Person *)wire_unpack(&concord__v1__person__descriptor,
                                                         ev->body, ev->body_len, WIRE_MAX_FRAME,
                                                         err);
        if (!chk->person) {
            return -1;
        }
        if (!s_in_roster(e, ev->sender)) {
            err_set(err, CC_PERMISSION_DENIED, "%.40s is not in the roster", ev->sender);
            return -1;
        }
        return people_check_person(e->people, ev->sender, chk->person, err);
    }
    if (strcmp(ev->method, PEOPLE_METHOD_REVOKE) == 0) {
        chk->revocation = (Concord__V1__PersonRevocation *)wire_unpack(
            &concord__v1__person_revocation__descriptor, ev->body, ev->body_len, WIRE_MAX_FRAME,
            err);
        return chk->revocation ? people_check_revocation(e->people, ev->sender, chk->revocation,
                                                         err)
                               : -1;
    }
    if (strcmp(ev->method, PEOPLE_METHOD_INTEREST) == 0) {
        chk->interest = (Concord__V1__Interest *)wire_unpack(&concord__v1__interest__descriptor,
                                                             ev->body, ev->body_len,
                                                             WIRE_MAX_FRAME, err);
        return chk->interest ? people_check_interest(e->people, ev->sender, chk->interest, err)
                             : -1;
    }
    if (strcmp(ev->method, PEOPLE_METHOD_DECLARE) == 0) {
        chk->declaration = (Concord__V1__Declaration *)wire_unpack(
            &concord__v1__declaration__descriptor, ev->body, ev->body_len, WIRE_MAX_FRAME, err);
        if (!chk->declaration) {
            return -1;
        }
        snprintf(chk->proposal_id, sizeof chk->proposal_id, "%s", chk->declaration->proposal_id);
        return s_check_declaration(e, ev, chk, err);
    }
    if (strcmp(ev->method, BOARD_METHOD_MEETING) == 0) {
        chk->meeting = (Concord__V1__Meeting *)wire_unpack(&concord__v1__meeting__descriptor,
                                                           ev->body, ev->body_len, WIRE_MAX_FRAME,
                                                           err);
        return chk->meeting ? s_check_meeting(e, ev, chk, err) : -1;
    }
    if (strcmp(ev->method, BOARD_METHOD_AGENDA) == 0) {
        chk->addition = (Concord__V1__AgendaAddition *)wire_unpack(
            &concord__v1__agenda_addition__descriptor, ev->body, ev->body_len, WIRE_MAX_FRAME,
            err);
        return chk->addition ? s_check_addition(e, ev, chk, err) : -1;
    }
    if (strcmp(ev->method, BOARD_METHOD_ATTENDANCE) == 0) {
        chk->attendance = (Concord__V1__Attendance *)wire_unpack(
            &concord__v1__attendance__descriptor, ev->body, ev->body_len, WIRE_MAX_FRAME, err);
        return chk->attendance ? s_check_attendance(e, ev, chk, err) : -1;
    }
    if (strcmp(ev->method, BOARD_METHOD_MINUTES) == 0) {
        chk->minutes = (Concord__V1__MinutesApproval *)wire_unpack(
            &concord__v1__minutes_approval__descriptor, ev->body, ev->body_len, WIRE_MAX_FRAME,
            err);
        return chk->minutes ? s_check_minutes(e, ev, chk, err) : -1;
    }
    if (strcmp(ev->method, BOARD_METHOD_FORWARD_PLAN) == 0) {
        chk->plan = (Concord__V1__ForwardPlanEntry *)wire_unpack(
            &concord__v1__forward_plan_entry__descriptor, ev->body, ev->body_len, WIRE_MAX_FRAME,
            err);
        return chk->plan ? s_check_plan(e, ev, chk, err) : -1;
    }
    if (strcmp(ev->method, BOARD_METHOD_VOTE) == 0) {
        chk->ballot = (Concord__V1__Ballot *)wire_unpack(&concord__v1__ballot__descriptor, ev->body,
                                                         ev->body_len, WIRE_MAX_FRAME, err);
        if (!chk->ballot) {
            return -1;
        }
        snprintf(chk->proposal_id, sizeof chk->proposal_id, "%s", chk->ballot->proposal_id);
        return s_check_ballot(e, ev, chk, err);
    }
    err_set(err, CC_INVALID_ARGUMENT, "'%.80s' is not a board method", ev->method);
    return -1;
}

/* s_check_body, then the audience the event was addressed to. */
static int s_check(const board_engine_t *e, const board_event_t *ev, s_checked_t *chk,
                   cc_err_t *err)
{
    if (s_check_body(e, ev, chk, err) < 0) {
        return -1;
    }
    return s_audience_check(e, ev, chk, err);
}

static void s_checked_free(s_checked_t *chk)
{
    wire_free(chk->proposal ? &chk->proposal->base : NULL);
    wire_free(chk->ballot ? &chk->ballot->base : NULL);
    wire_free(chk->call_in ? &chk->call_in->base : NULL);
    chk->call_in = NULL;
    wire_free(chk->ratification ? &chk->ratification->base : NULL);
    chk->ratification = NULL;
    wire_free(chk->delegation ? &chk->delegation->base : NULL);
    chk->delegation = NULL;
    wire_free(chk->release ? &chk->release->base : NULL);
    chk->release = NULL;
    wire_free(chk->person ? &chk->person->base : NULL);
    chk->person = NULL;
    wire_free(chk->revocation ? &chk->revocation->base : NULL);
    chk->revocation = NULL;
    wire_free(chk->interest ? &chk->interest->base : NULL);
    chk->interest = NULL;
    wire_free(chk->declaration ? &chk->declaration->base : NULL);
    chk->declaration = NULL;
    wire_free(chk->meeting ? &chk->meeting->base : NULL);
    chk->meeting = NULL;
    wire_free(chk->addition ? &chk->addition->base : NULL);
    chk->addition = NULL;
    wire_free(chk->attendance ? &chk->attendance->base : NULL);
    chk->attendance = NULL;
    wire_free(chk->minutes ? &chk->minutes->base : NULL);
    chk->minutes = NULL;
    wire_free(chk->plan ? &chk->plan->base : NULL);
    chk->plan = NULL;
    chk->proposal = NULL;
    chk->ballot = NULL;
}

int board_method(const char *method)
{
    static const char *const methods[] = {BOARD_METHOD_PROPOSE, BOARD_METHOD_VOTE,
                                          BOARD_METHOD_CALL_IN, BOARD_METHOD_RATIFY,
                                          BOARD_METHOD_DELEGATION, BOARD_METHOD_RELEASE,
                                          PEOPLE_METHOD_PERSON,    PEOPLE_METHOD_REVOKE,
                                          PEOPLE_METHOD_INTEREST,  PEOPLE_METHOD_DECLARE,
                                          BOARD_METHOD_MEETING, BOARD_METHOD_AGENDA,
                                          BOARD_METHOD_ATTENDANCE, BOARD_METHOD_MINUTES,
                                          BOARD_METHOD_FORWARD_PLAN};
    for (size_t i = 0; method && i < sizeof methods / sizeof methods[0]; i++) {
        if (strcmp(method, methods[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

int board_audience(const board_engine_t *e, const board_event_t *ev,
                   char out[BOARD_AUDIENCE_MAX + 1], cc_err_t *err)
{
    s_checked_t chk;
    int rc = s_check_body_with(e, ev, &chk, 0, err);
    if (rc == 0) {
        s_checked_audience(e, &chk, out);
    }
    s_checked_free(&chk);
    return rc;
}

int board_audience_members(const board_engine_t *e, const char *board_id,
                           int (*fn)(const char *code, void *arg), void *arg)
{
    const board_rec_t *b = s_find_rec(e, board_id);
    if (!b) {
        return -1;
    }
    if (!fn) {
        return 0;
    }
    const Concord__V1__Charter *c = b->charter;
    for (size_t i = 0; i < c->n_members; i++) {
        int rc = fn(c->members[i]->code, arg);
        if (rc) {
            return rc;
        }
    }
    for (size_t i = 0; i < c->n_ratifiers; i++) {
        if (s_member_of(c, c->ratifiers[i]) >= 0) {
            continue;
        }
        int rc = fn(c->ratifiers[i], arg);
        if (rc) {
            return rc;
        }
    }
    return 0;
}

int board_pool_board(const board_engine_t *e, const char *pool_id, const char **board_id)
{
    for (size_t i = 0; i < e->n_pooled; i++) {
        const board_prop_t *p = e->pooled[i];
        if (p->proposal->kind == CONCORD__V1__PROPOSAL_KIND__POOL_AGREEMENT &&
            p->proposal->pool_agreement &&
            strcmp(p->proposal->pool_agreement->pool_id, pool_id) == 0) {
            *board_id = p->board->id;
            return 0;
        }
    }
    return -1;
}

int board_precheck(const board_engine_t *e, const board_event_t *ev, cc_err_t *err)
{
    s_checked_t chk;
    if (!fold_order_ok(&e->order, ev->log_index, err)) {
        return -1;
    }
    int rc = s_check(e, ev, &chk, err);
    s_checked_free(&chk);
    return rc;
}

/* ---- engine ---- */

void board_engine_on_roster(board_engine_t *e, board_roster_fn fn, void *arg)
{
    e->on_roster = fn;
    e->on_roster_arg = arg;
}

board_engine_t *board_engine_new(roster_t *roster)
{
    board_engine_t *e = calloc(1, sizeof *e);
    if (e) {
        e->roster = roster;
        e->reg = delegation_register_new();
        e->people = people_register_new();
        if (!e->reg || !e->people) {
            delegation_register_destroy(&e->reg);
            people_register_destroy(&e->people);
            free(e);
            return NULL;
        }
    }
    return e;
}

static void s_proposal_free(board_prop_t *p)
{
    if (!p) {
        return;
    }
    for (size_t j = 0; j < p->n_ballots; j++) {
        free(p->ballots[j].reason);
    }
    free(p->ballots);
    free(p->excl);
    free(p->decls);
    free(p->call_in_reasons);
    free(p->proposer);
    wire_free(p->proposal ? &p->proposal->base : NULL);
    wire_free(p->charter ? &p->charter->base : NULL);
    free(p);
}

static void s_board_free(board_rec_t *b)
{
    if (b) {
        wire_free(b->charter ? &b->charter->base : NULL);
        free(b->events);
        free(b);
    }
}

void board_engine_destroy(board_engine_t **ep)
{
    if (!ep || !*ep) {
        return;
    }
    board_engine_t *e = *ep;
    for (size_t i = 0; i < e->n_proposals; i++) {
        s_proposal_free(e->proposals[i]);
    }
    for (size_t i = 0; i < e->n_boards; i++) {
        s_board_free(e->boards[i]);
    }
    for (size_t i = 0; i < e->n_meetings; i++) {
        s_meeting_free(e->meetings[i]);
    }
    for (size_t i = 0; i < e->n_plans; i++) {
        wire_free(&e->plans[i]->entry->base);
        free(e->plans[i]);
    }
    free(e->meetings);
    free(e->plans);
    free(e->rejections);
    free(e->realigned);
    free(e->pooled);
    free(e->pending);
    free(e->proposals);
    free(e->boards);
    free(e->open);
    delegation_register_destroy(&e->reg);
    people_register_destroy(&e->people);
    free(e);
    *ep = NULL;
}

/* A consent owed by an organisation merged away is given by its
 * successor when the successor, not it, holds a seat among the voters:
 * a merger carries the predecessor's obligations, consents included. */
static void s_map_consents(const board_prop_t *p, board_consents_t *c)
{
    for (size_t i = 0; i < c->n; i++) {
        char cur[KEYS_CODE_MAX + 1];
        snprintf(cur, sizeof cur, "%s", c->codes[i]);
        for (int hops = 0; hops < 64 && s_member_of(p->charter, cur) < 0; hops++) {
            int moved = 0;
            for (size_t k = 0; k < roster_past_count(p->roster) && !moved; k++) {
                roster_past_t past;
                roster_past_at(p->roster, k, &past);
                if (past.successor[0] && strcmp(past.org.code, cur) == 0 &&
                    strcmp(past.successor, cur) != 0) {
                    snprintf(cur, sizeof cur, "%s", past.successor);
                    moved = 1;
                }
            }
            if (!moved) {
                break;
            }
        }
        long m = s_member_of(p->charter, cur);
        if (m >= 0) {
            c->codes[i] = p->charter->members[m]->code;
        }
    }
}

/* Members excluded from p's vote by interests (people.h). */
static size_t s_excluded(const board_prop_t *p)
{
    size_t n = 0;
    for (size_t i = 0; p->excl && i < p->charter->n_members; i++) {
        n += p->excl[i].on != 0;
    }
    return n;
}

static void s_signer(const board_prop_t *p, const char *member, const char *person,
                     board_tally_t *t)
{
    if (!person[0] || t->n_signers >= BOARD_TALLY_PEOPLE_MAX) {
        return;
    }
    board_tally_signer_t *x = &t->signers[t->n_signers++];
    snprintf(x->member, sizeof x->member, "%s", member);
    snprintf(x->person, sizeof x->person, "%s", person);
    long i = people_find(p->people, member, person);
    people_entry_t pe;
    if (i >= 0) {
        people_at(p->people, (size_t)i, &pe);
        snprintf(x->name, sizeof x->name, "%s", pe.person->name);
        snprintf(x->role, sizeof x->role, "%s", pe.person->role);
    }
}

/* The people a tally lists: signers, exclusions, declarations; and a
 * referral when exclusions leave fewer members who may vote than the
 * board's quorum needs (NHS Act 2006 s14O; 2017 guidance: quorum lost
 * through conflicts). */
static void s_tally_people(const board_prop_t *p, int final, board_tally_t *t)
{
    const Concord__V1__Charter *c = p->charter;
    s_signer(p, p->proposer, p->person, t);
    for (size_t j = 0; j < p->n_ballots; j++) {
        s_signer(p, c->members[p->ballots[j].member]->code, p->ballots[j].person, t);
    }
    int remain = c->conflicts == CONCORD__V1__CONFLICT_POLICY__REMAIN_WITHOUT_VOTE;
    for (size_t i = 0; p->excl && i < c->n_members; i++) {
        if (!p->excl[i].on || t->n_exclusions >= BOARD_TALLY_PEOPLE_MAX) {
            continue;
        }
        board_tally_exclusion_t *x = &t->exclusions[t->n_exclusions++];
        snprintf(x->member, sizeof x->member, "%s", c->members[i]->code);
        snprintf(x->person, sizeof x->person, "%s", p->excl[i].person);
        snprintf(x->concerns, sizeof x->concerns, "%s", p->excl[i].concerns);
        x->declared = p->excl[i].declared;
        x->remains = remain;
        size_t used = strlen(t->explanation);
        snprintf(t->explanation + used, sizeof t->explanation - used,
                 "%s is excluded: a %s interest in '%s'%s%s; it %s (%s).\n", x->member,
                 x->declared ? "declared" : "registered", x->concerns,
                 x->person[0] ? " of its person " : "", x->person,
                 remain ? "remains without a vote, counted among the members"
                        : "takes no part in the vote and is not counted in the quorum",
                 PEOPLE_CITATION);
    }
    for (size_t j = 0; j < p->n_decls && t->n_declarations < BOARD_TALLY_PEOPLE_MAX; j++) {
        board_tally_declaration_t *x = &t->declarations[t->n_declarations++];
        snprintf(x->member, sizeof x->member, "%s", c->members[p->decls[j].member]->code);
        snprintf(x->person, sizeof x->person, "%s", p->decls[j].person);
        x->kind = p->decls[j].kind;
        snprintf(x->concerns, sizeof x->concerns, "%s", p->decls[j].concerns);
        snprintf(x->description, sizeof x->description, "%s", p->decls[j].description);
        /* A member's words: no newline or escape of its own in the sentences. */
        char words[sizeof x->description * 4];
        text_t tx;
        text_init_fixed(&tx, words, sizeof words);
        text_add_safe(&tx, x->description, NULL);
        size_t used = strlen(t->explanation);
        snprintf(t->explanation + used, sizeof t->explanation - used,
                 "Declared by %s%s%s: a %s interest in '%s'%s%s.\n", x->member,
                 x->person[0] ? ", person " : "", x->person, people_interest_name(x->kind),
                 x->concerns, x->description[0] ? ": " : "", words);
    }
    size_t excluded = s_excluded(p);
    if (!excluded || !c->quorum_denominator) {
        return;
    }
    /* The quorum the whole board needs, against the members who may vote. */
    uint64_t need = ((uint64_t)c->quorum_numerator * c->n_members + c->quorum_denominator - 1) /
                    c->quorum_denominator;
    if (c->n_members - excluded >= need) {
        return;
    }
    t->referred = 1;
    t->passed = 0;
    t->quorate = 0;
    t->decided = 1;
    (void)final;
    snprintf(t->referred_to, sizeof t->referred_to, "%s", c->conflicts_referral);
    size_t used = strlen(t->explanation);
    snprintf(t->explanation + used, sizeof t->explanation - used,
             "Inquorate through conflicts of interest: %zu of %zu members may vote, the quorum"
             " needs %llu; %s%s (%s).\n",
             c->n_members - excluded, c->n_members, (unsigned long long)need,
             c->conflicts_referral[0] ? "referred to " : "it fails: the charter names no body to"
                                                        " refer it to",
             c->conflicts_referral, PEOPLE_CITATION);
}

/* A meeting item's quorum counts attendance; the chair's casting vote
 * breaks an equality (meeting_rules_tally). */
static void s_meeting_tally(const board_prop_t *p, const Concord__V1__Charter *c,
                            const board_ballot_t *cast, size_t n_cast, int final,
                            board_tally_t *t)
{
    /* c is the charter the tally counts (without members excluded by
     * interests), and cast its ballots. */
    uint8_t present[BOARD_MAX_MEMBERS];
    int casting = 0;
    if (p->meeting) {
        for (size_t i = 0; i < c->n_members && i < BOARD_MAX_MEMBERS; i++) {
            const s_attend_t *a = s_attended(p->meeting, c->members[i]->code);
            /* Attendance recorded after the item was decided does not count. */
            present[i] = a && a->a->status != CONCORD__V1__ATTENDANCE_STATUS__APOLOGIES &&
                         (!p->closed || a->log_index < p->effect_index);
        }
    }
    for (size_t j = 0; j < p->n_ballots; j++) {
        if (p->ballots[j].casting) {
            casting = p->ballots[j].casting;
        }
    }
    meeting_rules_tally(c, p->proposal->kind, p->meeting ? present : NULL, cast, n_cast, casting,
                        final, t);
}

static void s_tally(const board_prop_t *p, int final, board_tally_t *t)
{
    board_ballot_t cast[BOARD_MAX_MEMBERS];
    /* Under EXCLUDE, the excluded members leave the count: the quorum and
     * the rule are recomputed over the members who remain. */
    Concord__V1__Charter reduced;
    const Concord__V1__Charter *ch = p->charter;
    Concord__V1__BoardMember *kept[BOARD_MAX_MEMBERS];
    size_t map[BOARD_MAX_MEMBERS];
    int exclude = p->excl && s_excluded(p) &&
                  p->charter->conflicts != CONCORD__V1__CONFLICT_POLICY__REMAIN_WITHOUT_VOTE;
    if (exclude) {
        reduced = *p->charter;
        reduced.n_members = 0;
        for (size_t i = 0; i < p->charter->n_members; i++) {
            map[i] = reduced.n_members;
            if (!p->excl[i].on) {
                kept[reduced.n_members++] = p->charter->members[i];
            }
        }
        reduced.members = kept;
        ch = &reduced;
    }
    size_t n_cast = 0;
    for (size_t j = 0; j < p->n_ballots; j++) {
        if (exclude && p->excl[p->ballots[j].member].on) {
            continue;
        }
        cast[n_cast].member = exclude ? map[p->ballots[j].member] : p->ballots[j].member;
        cast[n_cast].vote = p->ballots[j].vote;
        memcpy(cast[n_cast].reps, p->ballots[j].reps, sizeof cast[n_cast].reps);
        n_cast++;
    }
    board_consents_t consents;
    char why[DELEGATION_LINES_MAX][256];
    board_pool_consents(p->proposal, &consents);
    s_map_consents(p, &consents);
    delegation_reserved(p->reg, p->roster, p->charter, p->proposal, p->time_ms, p->log_index,
                        &consents, why);
    board_tally_with(ch, p->proposal->kind, p->proposal->area, &consents, cast, n_cast, final,
                     t);
    s_meeting_tally(p, ch, cast, n_cast, final, t);
    board_roster_consent(p->proposal, ch, cast, n_cast, final, p->settled, t);
    s_tally_people(p, final, t);
}

/* Records an accepted event of b, part of proposal p; room was reserved
 * beforehand. */
static void s_add_event(board_rec_t *b, const board_event_t *ev, const board_prop_t *p)
{
    b->events[b->n_events].log_index = ev->log_index;
    memcpy(b->events[b->n_events].hash, ev->hash, 32);
    b->events[b->n_events].prop = p;
    b->events[b->n_events].everyone =
        !ev->recipient || strcmp(ev->recipient, ENVELOPE_EVERYONE) == 0;
    b->events[b->n_events].meeting = NULL;
    b->events[b->n_events].approved_at = NULL;
    b->events[b->n_events].plan_id = NULL;
    b->n_events++;
}

static int s_reserve_event(board_rec_t *b)
{
    void *grown = grow_reserve(b->events, &b->cap_events, b->n_events, sizeof *b->events);
    b->events = grown ? grown : b->events;
    return grown ? 0 : -1;
}

/* Replaces a board's charter with a copy of c. */
static int s_set_charter(board_rec_t *b, const Concord__V1__Charter *c, cc_err_t *err)
{
    Concord__V1__Charter *copy = s_charter_copy(c, err);
    if (!copy) {
        return -1;
    }
    wire_free(b->charter ? &b->charter->base : NULL);
    b->charter = copy;
    return 0;
}

/* Appends p to a list of passed proposals, in the order they closed. */
static int s_list_add(board_prop_t ***list, size_t *n, size_t *cap, board_prop_t *p, cc_err_t *err)
{
    board_prop_t **grown = grow_reserve(*list, cap, *n, sizeof p);
    if (!grown) {
        return err_oom(err);
    }
    *list = grown;
    grown[(*n)++] = p;
    return 0;
}

/* What a passed proposal does. A membership change that no longer fits
 * the board when it passes (another decision admitted the same member
 * first) passes without effect, the same on every node. */
static int s_effect(board_engine_t *e, board_prop_t *p, uint64_t at_index, cc_err_t *err)
{
    const Concord__V1__Proposal *pr = p->proposal;
    board_rec_t *b = p->board;
    Concord__V1__Charter *after;
    cc_err_t why;
    switch (pr->kind) {
    case CONCORD__V1__PROPOSAL_KIND__CHARTER_ADOPTION:
        b->active = b->adoption == p;
        return 0;
    case CONCORD__V1__PROPOSAL_KIND__CHARTER_AMENDMENT:
        return s_set_charter(b, pr->charter, err);
    case CONCORD__V1__PROPOSAL_KIND__MEMBERSHIP_CHANGE:
        if (board_roster_level(pr)) {
            return s_roster_effect(e, p, at_index, err);
        }
        if (!(after = board_check_charter_change(e->roster, b->charter, pr->membership, &why))) {
            /* Only running out of memory is an error here. */
            return why.code == CC_RESOURCE_EXHAUSTED ? err_oom(err) : 0;
        }
        wire_free(&b->charter->base);
        b->charter = after;
        return 0;
    case CONCORD__V1__PROPOSAL_KIND__FOOTPRINT_REALIGNMENT:
        return s_list_add(&e->realigned, &e->n_realigned, &e->cap_realigned, p, err);
    case CONCORD__V1__PROPOSAL_KIND__POOL_AGREEMENT:
    case CONCORD__V1__PROPOSAL_KIND__POOL_VARIATION:
        /* The pool engine takes these up in this order (pool_follow). */
        return s_list_add(&e->pooled, &e->n_pooled, &e->cap_pooled, p, err);
    case CONCORD__V1__PROPOSAL_KIND__RECONSIDERATION: {
        board_prop_t *t = s_proposal_find(e, pr->reconsiders);
        if (!t || t->resolved) {
            return 0; /* another reconsideration resolved it first */
        }
        t->resolved = pr->reconsider;
        t->last_index = e->at_index; /* its certificate carries the reconsideration */
        snprintf(t->resolved_by, sizeof t->resolved_by, "%s", p->id);
        return pr->reconsider == CONCORD__V1__RECONSIDER__CONFIRM ? s_take_effect(e, t, err) : 0;
    }
    default:
        return 0;
    }
}

size_t board_realignment_count(const board_engine_t *e)
{
    return e->n_realigned;
}

void board_realignment_at(const board_engine_t *e, size_t i, board_realignment_t *out)
{
    assert(i < e->n_realigned);
    const board_prop_t *p = e->realigned[i];
    out->organisation = p->proposal->realignment->organisation;
    out->footprint = p->proposal->realignment->footprint;
    out->proposal_id = p->id;
    out->board_id = p->board->id;
    out->decided_at_ms = p->closed_at_ms;
}

size_t board_pool_decision_count(const board_engine_t *e)
{
    return e->n_pooled;
}

void board_pool_decision_at(const board_engine_t *e, size_t i, board_pool_decision_t *out)
{
    assert(i < e->n_pooled);
    const board_prop_t *p = e->pooled[i];
    out->proposal_id = p->id;
    out->board_id = p->board->id;
    out->proposer = p->proposer;
    out->kind = p->proposal->kind;
    out->agreement = p->proposal->pool_agreement;
    out->variation = p->proposal->pool_variation;
    out->effect_index = p->effect_index;
    out->decided_at_ms = p->closed_at_ms;
}

static int s_close(board_engine_t *e, board_prop_t *p, uint64_t at_ms, uint64_t at_index,
                   cc_err_t *err)
{
    board_tally_t t;
    s_tally(p, 1, &t);
    p->closed = 1;
    p->closed_at_ms = at_ms;
    p->effect_index = e->at_index;
    for (size_t i = 0; i < e->n_open; i++) {
        if (e->open[i] == p) {
            memmove(&e->open[i], &e->open[i + 1], (e->n_open - i - 1) * sizeof *e->open);
            e->n_open--;
            break;
        }
    }
    if (t.passed && s_advisory(p)) {
        p->awaiting = 1; /* each ratifier decides (s_accept_ratification) */
        if (p->charter->ratify_working_days &&
            workdays_end_ms(at_ms, p->charter->ratify_working_days, &p->ratify_by_ms) < 0) {
            p->ratify_by_ms = 0; /* outside the calendar's years: no limit */
        }
        return 0;
    }
    if (t.passed && s_callable(p)) {
        /* Effective only at the end of the call-in period, unless called in. */
        void *grown = grow_reserve(e->pending, &e->cap_pending, e->n_pending, sizeof *e->pending);
        if (!grown) {
            return err_oom(err);
        }
        e->pending = grown;
        if (workdays_end_ms(at_ms, p->charter->call_in_working_days, &p->effective_ms) < 0) {
            p->effective_ms = at_ms; /* outside the calendar's years: at once */
        }
        p->pending = 1;
        e->pending[e->n_pending++] = p;
        return 0;
    }
    return t.passed ? s_effect(e, p, at_index, err) : 0;
}

static void s_unpend(board_engine_t *e, const board_prop_t *p)
{
    for (size_t i = 0; i < e->n_pending; i++) {
        if (e->pending[i] == p) {
            memmove(&e->pending[i], &e->pending[i + 1],
                    (e->n_pending - i - 1) * sizeof *e->pending);
            e->n_pending--;
            return;
        }
    }
}

/* A decision that waited out its call-in period, or that a
 * reconsideration confirmed, takes effect now. */
static int s_take_effect(board_engine_t *e, board_prop_t *p, cc_err_t *err)
{
    p->pending = 0;
    p->effect_index = e->at_index;
    s_unpend(e, p);
    return s_effect(e, p, e->at_index, err);
}

/* Closes, in order of deadline then log index, every open proposal whose
 * deadline is before time_ms: the moment just before an event received
 * after it. */
static int s_close_due(board_engine_t *e, uint64_t time_ms, cc_err_t *err)
{
    for (;;) {
        board_prop_t *next = NULL;
        for (size_t i = 0; i < e->n_open; i++) {
            board_prop_t *p = e->open[i];
            uint64_t due = p->proposal->closes_at_ms;
            if (due < time_ms &&
                (!next || due < next->proposal->closes_at_ms ||
                 (due == next->proposal->closes_at_ms && p->log_index < next->log_index))) {
                next = p;
            }
        }
        board_prop_t *due = NULL;
        for (size_t i = 0; i < e->n_pending; i++) {
            board_prop_t *p = e->pending[i];
            if (p->effective_ms < time_ms && (!due || p->effective_ms < due->effective_ms)) {
                due = p;
            }
        }
        /* Whatever falls first in time; a close first on a tie. */
        if (due && (!next || due->effective_ms < next->proposal->closes_at_ms)) {
            if (s_take_effect(e, due, err) < 0) {
                return -1;
            }
            continue;
        }
        if (!next) {
            return 0;
        }
        /* No roster change passes here (board_roster_consent), so the
         * log index of the close does not matter. */
        if (s_close(e, next, next->proposal->closes_at_ms, 0, err) < 0) {
            return -1;
        }
    }
}

/* Closes p early if the outcome can no longer change, at the event
 * (time_ms, log_index) that decided it. */
static int s_settle(board_engine_t *e, board_prop_t *p, const board_event_t *ev, cc_err_t *err)
{
    board_tally_t t;
    s_tally(p, 0, &t);
    if (!t.decided) {
        return 0;
    }
    p->settled = 1;
    p->settled_ballots = p->n_ballots;
    return s_close(e, p, ev->time_ms, ev->log_index, err);
}

/* Room for one more board, proposal and open proposal. Growing an array
 * changes nothing visible, so it may happen before the event is known to
 * be acceptable. */
static int s_reserve_proposal(board_engine_t *e)
{
    void *grown;
    if (!(grown = grow_reserve(e->boards, &e->cap_boards, e->n_boards, sizeof *e->boards))) {
        return -1;
    }
    e->boards = grown;
    if (!(grown = grow_reserve(e->proposals, &e->cap_proposals, e->n_proposals,
                               sizeof *e->proposals))) {
        return -1;
    }
    e->proposals = grown;
    if (!(grown = grow_reserve(e->open, &e->cap_open, e->n_open, sizeof *e->open))) {
        return -1;
    }
    e->open = grown;
    return 0;
}

/* Takes chk->proposal. Everything is allocated before anything changes,
 * so running out of memory leaves the engine as it was. */
/* Members conflicted by the register as it stood when p was made, on
 * p's date (its effective date, else the day it was made). Memory run
 * out leaves nobody excluded by the register on this node: never, since
 * room is made before (s_accept_proposal). */
static void s_register_exclusions(board_engine_t *e, board_prop_t *p, const board_event_t *ev)
{
    char date[11];
    if (!p->excl) {
        return;
    }
    if (p->proposal->effective_date[0]) {
        snprintf(date, sizeof date, "%s", p->proposal->effective_date);
    } else {
        people_date_of(ev->time_ms, date);
    }
    for (size_t i = 0; i < p->charter->n_members; i++) {
        const char *person = NULL, *subject = NULL;
        if (people_conflict(e->people, p->charter->members[i]->code, p->board->id,
                            p->proposal->concerns, p->proposal->n_concerns, date, ev->log_index,
                            &person, &subject)) {
            p->excl[i].on = 1;
            snprintf(p->excl[i].person, sizeof p->excl[i].person, "%s", person);
            snprintf(p->excl[i].concerns, sizeof p->excl[i].concerns, "%s", subject);
        }
    }
}

static int s_accept_proposal(board_engine_t *e, const board_event_t *ev, s_checked_t *chk,
                             cc_err_t *err)
{
    Concord__V1__Proposal *pr = chk->proposal;
    int adoption = pr->kind == CONCORD__V1__PROPOSAL_KIND__CHARTER_ADOPTION;
    board_rec_t *b = chk->board, *fresh = NULL;
    Concord__V1__Charter *pending = NULL;
    board_prop_t *p = calloc(1, sizeof *p);
    if (!p || !(p->proposer = strdup(ev->sender)) ||
        !(p->charter = s_charter_copy(adoption ? pr->charter : b->charter, err)) ||
        (!adoption && pr->n_concerns &&
         !(p->excl = calloc(p->charter->n_members + 1, sizeof *p->excl))) ||
        (adoption && !(pending = s_charter_copy(pr->charter, err))) ||
        (!b && !(b = fresh = calloc(1, sizeof *fresh))) || s_reserve_event(b) < 0 ||
        s_reserve_proposal(e) < 0) {
        wire_free(pending ? &pending->base : NULL);
        s_board_free(fresh);
        s_proposal_free(p);
        return err_oom(err);
    }
    if (fresh) {
        snprintf(fresh->id, sizeof fresh->id, "%s", pr->charter->board_id);
        e->boards[e->n_boards++] = fresh;
    }
    if (adoption) {
        wire_free(b->charter ? &b->charter->base : NULL);
        b->charter = pending;
        b->adoption = p;
    }
    s_add_event(b, ev, p);
    memcpy(p->id, chk->proposal_id, sizeof p->id);
    p->everyone = s_checked_everyone(e, chk);
    p->board = b;
    p->proposal = pr;
    chk->proposal = NULL;
    p->time_ms = ev->time_ms;
    p->log_index = ev->log_index;
    p->roster = e->roster;
    p->reg = e->reg;
    p->people = e->people;
    snprintf(p->person, sizeof p->person, "%s", pr->person);
    memcpy(p->hash, ev->hash, 32);
    s_register_exclusions(e, p, ev);
    e->proposals[e->n_proposals++] = p;
    e->open[e->n_open++] = p;
    return s_settle(e, p, ev, err);
}

static int s_accept_ballot(board_engine_t *e, const board_event_t *ev, s_checked_t *chk,
                           cc_err_t *err)
{
    board_prop_t *p = chk->target;
    char *reason = strdup(chk->ballot->reason);
    void *grown = grow_reserve(p->ballots, &p->cap_ballots, p->n_ballots, sizeof *p->ballots);
    if (grown) {
        p->ballots = grown;
    }
    if (!reason || !grown || s_reserve_event(p->board) < 0) {
        free(reason);
        return err_oom(err);
    }
    board_vote_t *bl = &p->ballots[p->n_ballots++];
    bl->member = chk->member;
    bl->vote = chk->ballot->vote;
    bl->reps[0] = chk->ballot->representatives_for;
    bl->reps[1] = chk->ballot->representatives_against;
    bl->reps[2] = chk->ballot->representatives_abstain;
    bl->casting = chk->ballot->casting_vote;
    bl->reason = reason;
    snprintf(bl->person, sizeof bl->person, "%s", chk->ballot->person);
    bl->time_ms = ev->time_ms;
    bl->log_index = ev->log_index;
    memcpy(bl->hash, ev->hash, 32);
    s_add_event(p->board, ev, p);
    p->last_index = ev->log_index;
    /* A ballot after the outcome settled is recorded; it changes nothing. */
    return p->closed ? 0 : s_settle(e, p, ev, err);
}

/* Records a body's act; the recommendation takes effect with the last
 * ratification, and never after a refusal. */
static int s_accept_ratification(board_engine_t *e, const board_event_t *ev, s_checked_t *chk,
                                 cc_err_t *err)
{
    board_prop_t *p = chk->target;
    const Concord__V1__Ratification *ra = chk->ratification;
    if (s_reserve_event(p->board) < 0) {
        return err_oom(err);
    }
    s_add_event(p->board, ev, p);
    p->last_index = ev->log_index;
    s_act_t *act = &p->acts[s_ratifier(p->charter, ev->sender)];
    act->state = ra->declined ? 2 : 1;
    snprintf(act->text, sizeof act->text, "%s, %s of %s%s%s", ra->authority, ra->decision_ref,
             ra->decision_date, ra->reason[0] ? ": " : "", ra->reason);
    if (ra->declined) {
        p->awaiting = 0;
        return 0;
    }
    for (size_t i = 0; i < p->charter->n_ratifiers; i++) {
        if (p->acts[i].state != 1) {
            return 0;
        }
    }
    p->awaiting = 0;
    p->effect_index = e->at_index;
    return s_effect(e, p, e->at_index, err);
}

/* Suspends the decision until the board reconsiders it. */
static int s_accept_call_in(board_engine_t *e, const board_event_t *ev, s_checked_t *chk,
                            cc_err_t *err)
{
    board_prop_t *p = chk->target;
    char *reasons = strdup(chk->call_in->reasons);
    if (!reasons || s_reserve_event(p->board) < 0) {
        free(reasons);
        return err_oom(err);
    }
    s_add_event(p->board, ev, p);
    p->called_in = 1;
    p->pending = 0;
    p->call_in_reasons = reasons;
    p->call_in_ms = ev->time_ms;
    p->last_index = ev->log_index;
    snprintf(p->called_by, sizeof p->called_by, "%s", ev->sender);
    s_unpend(e, p);
    return 0;
}

/* An exempt item's content key, published: anyone holding the item may
 * read it now. The release is one of the board's events (a certificate
 * exported after it carries it). */
static int s_accept_release(board_engine_t *e, const board_event_t *ev, s_checked_t *chk,
                            cc_err_t *err)
{
    (void)e;
    (void)err;
    board_prop_t *p = chk->target;
    if (s_reserve_event(p->board) < 0) {
        return err_oom(err);
    }
    s_add_event(p->board, ev, p);
    memcpy(p->content_key, chk->release->content_key.data, EXEMPT_KEY_LEN);
    p->released = 1;
    p->last_index = ev->log_index;
    return 0;
}

/* A declaration: recorded, and its member excluded from the vote. */
static int s_accept_declaration(board_engine_t *e, const board_event_t *ev, s_checked_t *chk,
                                cc_err_t *err)
{
    board_prop_t *p = chk->target;
    const Concord__V1__Declaration *d = chk->declaration;
    if (!p->excl && !(p->excl = calloc(p->charter->n_members + 1, sizeof *p->excl))) {
        return err_oom(err);
    }
    void *grown = grow_reserve(p->decls, &p->cap_decls, p->n_decls, sizeof *p->decls);
    if (grown) {
        p->decls = grown;
    }
    if (!grown || s_reserve_event(p->board) < 0) {
        return err_oom(err);
    }
    s_decl_t *x = &p->decls[p->n_decls++];
    memset(x, 0, sizeof *x);
    x->member = chk->member;
    x->kind = d->kind;
    snprintf(x->person, sizeof x->person, "%s", d->person_id);
    snprintf(x->concerns, sizeof x->concerns, "%s", d->concerns);
    snprintf(x->description, sizeof x->description, "%s", d->description);
    s_excl_t *ex = &p->excl[chk->member];
    if (!ex->on) {
        ex->on = 1;
        ex->declared = 1;
        snprintf(ex->person, sizeof ex->person, "%s", d->person_id);
        snprintf(ex->concerns, sizeof ex->concerns, "%s", d->concerns);
    }
    s_add_event(p->board, ev, p);
    p->last_index = ev->log_index;
    return p->closed ? 0 : s_settle(e, p, ev, err);
}

/* ---- meetings and forward plans: accepting (meeting_rules.h) ---- */

static void s_meeting_free(s_meeting_t *m)
{
    if (!m) {
        return;
    }
    for (size_t i = 0; i < m->n_items; i++) {
        wire_free(m->items[i].owner ? &m->items[i].owner->base : NULL);
    }
    for (size_t i = 0; i < m->n_att; i++) {
        wire_free(&m->att[i].a->base);
    }
    free(m->items);
    free(m->att);
    free(m->hashes);
    wire_free(m->meeting ? &m->meeting->base : NULL);
    free(m);
}

static int s_reserve_hash(s_meeting_t *m)
{
    void *grown = grow_reserve(m->hashes, &m->cap_hashes, m->n_hashes, sizeof *m->hashes);
    m->hashes = grown ? grown : m->hashes;
    return grown ? 0 : -1;
}

/* Records an accepted event of meeting m (room reserved beforehand). */
static void s_meeting_event(s_meeting_t *m, const board_event_t *ev)
{
    s_add_event(m->board, ev, NULL);
    m->board->events[m->board->n_events - 1].meeting = m;
    memcpy(m->hashes[m->n_hashes++], ev->hash, 32);
}

static int s_accept_meeting(board_engine_t *e, const board_event_t *ev, s_checked_t *chk,
                            cc_err_t *err)
{
    board_rec_t *b = chk->board;
    Concord__V1__Meeting *mt = chk->meeting;
    s_meeting_t *m = calloc(1, sizeof *m);
    void *grown = grow_reserve(e->meetings, &e->cap_meetings, e->n_meetings, sizeof *e->meetings);
    e->meetings = grown ? grown : e->meetings;
    if (!m || !grown || s_reserve_event(b) < 0 || s_reserve_hash(m) < 0 ||
        !(m->items = calloc(mt->n_items ? mt->n_items : 1, sizeof *m->items))) {
        s_meeting_free(m);
        return err_oom(err);
    }
    board_proposal_id(ev->call_id, m->id);
    m->board = b;
    m->meeting = mt;
    chk->meeting = NULL;
    snprintf(m->called_by, sizeof m->called_by, "%s", ev->sender);
    m->time_ms = ev->time_ms;
    m->cap_items = mt->n_items ? mt->n_items : 1;
    for (size_t i = 0; i < mt->n_items; i++) {
        m->items[m->n_items++] = (s_item_t){.item = mt->items[i], .published_ms = ev->time_ms};
        if (chk->items[i]) {
            chk->items[i]->meeting = m;
        }
    }
    s_meeting_event(m, ev);
    e->meetings[e->n_meetings++] = m;
    return 0;
}

static int s_accept_addition(board_engine_t *e, const board_event_t *ev, s_checked_t *chk,
                             cc_err_t *err)
{
    (void)e;
    s_meeting_t *m = chk->mtg;
    void *grown = grow_reserve(m->items, &m->cap_items, m->n_items, sizeof *m->items);
    m->items = grown ? grown : m->items;
    if (!grown || s_reserve_event(m->board) < 0 || s_reserve_hash(m) < 0) {
        return err_oom(err);
    }
    Concord__V1__AgendaAddition *ad = chk->addition;
    chk->addition = NULL;
    m->items[m->n_items++] =
        (s_item_t){.item = ad->item, .owner = ad, .published_ms = ev->time_ms};
    if (chk->items[0]) {
        chk->items[0]->meeting = m;
    }
    s_meeting_event(m, ev);
    return 0;
}

static int s_accept_attendance(board_engine_t *e, const board_event_t *ev, s_checked_t *chk,
                               cc_err_t *err)
{
    s_meeting_t *m = chk->mtg;
    void *grown = grow_reserve(m->att, &m->cap_att, m->n_att, sizeof *m->att);
    m->att = grown ? grown : m->att;
    if (!grown || s_reserve_event(m->board) < 0 || s_reserve_hash(m) < 0) {
        return err_oom(err);
    }
    s_attend_t *a = &m->att[m->n_att++];
    a->a = chk->attendance;
    chk->attendance = NULL;
    snprintf(a->by, sizeof a->by, "%s", ev->sender);
    a->time_ms = ev->time_ms;
    a->log_index = ev->log_index;
    s_meeting_event(m, ev);
    /* The quorum of its open items counts it: their certificates carry it. */
    for (size_t i = 0; i < e->n_open; i++) {
        if (e->open[i]->meeting == m) {
            e->open[i]->last_index = ev->log_index;
        }
    }
    return 0;
}

static int s_accept_minutes(board_engine_t *e, const board_event_t *ev, s_checked_t *chk,
                            cc_err_t *err)
{
    s_meeting_t *m = chk->mtg;
    if (s_reserve_event(m->board) < 0) {
        return err_oom(err);
    }
    m->approved = 1;
    snprintf(m->approved_at, sizeof m->approved_at, "%s", chk->minutes->at_meeting_id);
    snprintf(m->approved_by, sizeof m->approved_by, "%s", ev->sender);
    memcpy(m->approved_sha, chk->minutes->minutes_sha256.data, 32);
    m->approved_ms = ev->time_ms;
    memcpy(m->approval_hash, ev->hash, 32);
    s_add_event(m->board, ev, NULL);
    m->board->events[m->board->n_events - 1].meeting = m;
    m->board->events[m->board->n_events - 1].approved_at =
        s_meeting_find(e, chk->minutes->at_meeting_id);
    return 0;
}

static int s_accept_plan(board_engine_t *e, const board_event_t *ev, s_checked_t *chk,
                         cc_err_t *err)
{
    s_plan_t *pl = calloc(1, sizeof *pl);
    void *grown = grow_reserve(e->plans, &e->cap_plans, e->n_plans, sizeof *e->plans);
    e->plans = grown ? grown : e->plans;
    if (!pl || !grown || s_reserve_event(chk->board) < 0) {
        free(pl);
        return err_oom(err);
    }
    board_proposal_id(ev->call_id, pl->id);
    pl->board = chk->board;
    pl->entry = chk->plan;
    chk->plan = NULL;
    snprintf(pl->council, sizeof pl->council, "%s", ev->sender);
    pl->time_ms = ev->time_ms;
    memcpy(pl->hash, ev->hash, 32);
    s_add_event(chk->board, ev, NULL);
    chk->board->events[chk->board->n_events - 1].plan_id = pl->id;
    e->plans[e->n_plans++] = pl;
    return 0;
}

static void s_reject(board_engine_t *e, const board_event_t *ev, const s_checked_t *chk,
                     const cc_err_t *why)
{
    void *grown =
        grow_reserve(e->rejections, &e->cap_rejections, e->n_rejections, sizeof *e->rejections);
    if (!grown) {
        return; /* the record of a refusal is a courtesy; the refusal stands */
    }
    e->rejections = grown;
    board_refusal_t *r = &e->rejections[e->n_rejections++];
    snprintf(r->sender, sizeof r->sender, "%s", ev->sender ? ev->sender : "");
    snprintf(r->method, sizeof r->method, "%s", ev->method ? ev->method : "");
    snprintf(r->reason, sizeof r->reason, "%s", why->msg);
    memcpy(r->proposal_id, chk->proposal_id, sizeof r->proposal_id);
    r->log_index = ev->log_index;
    r->code = why->code;
}

/* Running out of memory part way through closing proposals leaves the
 * engine behind the others; the caller must treat RESOURCE_EXHAUSTED as
 * fatal and rebuild. */
int board_apply(board_engine_t *e, const board_event_t *ev, cc_err_t *err)
{
    s_checked_t chk;
    cc_err_t why;
    int rc = -1;
    if (!fold_order_ok(&e->order, ev->log_index, err)) {
        return -1;
    }
    fold_order_advance(&e->order, ev->log_index);
    e->at_index = ev->log_index;
    if (s_close_due(e, ev->time_ms, err) < 0) {
        return -1;
    }
    if (s_check(e, ev, &chk, &why) < 0) {
        s_reject(e, ev, &chk, &why);
        if (err) {
            *err = why;
        }
        goto out;
    }
    rc = chk.proposal  ? s_accept_proposal(e, ev, &chk, err)
         : chk.meeting ? s_accept_meeting(e, ev, &chk, err)
         : chk.addition ? s_accept_addition(e, ev, &chk, err)
         : chk.attendance ? s_accept_attendance(e, ev, &chk, err)
         : chk.minutes ? s_accept_minutes(e, ev, &chk, err)
         : chk.plan ? s_accept_plan(e, ev, &chk, err)
         : chk.call_in ? s_accept_call_in(e, ev, &chk, err)
         : chk.release ? s_accept_release(e, ev, &chk, err)
         : chk.ratification ? s_accept_ratification(e, ev, &chk, err)
         : chk.delegation ? delegation_add(e->reg, chk.delegation, ev->sender, ev->log_index,
                                           ev->time_ms, ev->hash, err)
         : chk.person ? people_add_person(e->people, ev->sender, chk.person, ev->log_index,
                                          ev->time_ms, ev->hash, err)
         : chk.revocation ? people_revoke(e->people, ev->sender, chk.revocation, ev->log_index,
                                          ev->time_ms, ev->hash, err)
         : chk.interest ? people_add_interest(e->people, ev->sender, chk.interest, ev->log_index,
                                              ev->time_ms, ev->hash, err)
         : chk.declaration ? s_accept_declaration(e, ev, &chk, err)
                       : s_accept_ballot(e, ev, &chk, err);
out:
    s_checked_free(&chk);
    return rc;
}

int board_advance(board_engine_t *e, uint64_t log_index, uint64_t time_ms, cc_err_t *err)
{
    if (!fold_order_ok(&e->order, log_index, err)) {
        return -1;
    }
    fold_order_advance(&e->order, log_index);
    e->at_index = log_index;
    return s_close_due(e, time_ms, err);
}

/* ---- views ---- */

size_t board_count(const board_engine_t *e)
{
    return e->n_boards;
}

static void s_board_view(const board_rec_t *b, board_view_t *out)
{
    out->board_id = b->id;
    out->charter = b->charter;
    out->active = b->active;
    out->adoption_id = b->adoption->id;
    out->secretary = b->adoption->proposer;
}

void board_at(const board_engine_t *e, size_t i, board_view_t *out)
{
    assert(i < e->n_boards);
    s_board_view(e->boards[i], out);
}

int board_get(const board_engine_t *e, const char *board_id, board_view_t *out)
{
    const board_rec_t *b = board_id ? s_find_rec(e, board_id) : NULL;
    if (!b) {
        return -1;
    }
    s_board_view(b, out);
    return 0;
}

size_t board_proposal_count(const board_engine_t *e)
{
    return e->n_proposals;
}

/* Says, after the tally, that the outcome settled before the close and
 * which ballots were recorded after it. */
static void s_explain_settled(const board_prop_t *p, const board_proposal_view_t *v,
                              board_tally_t *t)
{
    char when[40];
    size_t used = strlen(t->explanation), members = p->charter->n_members;
    text_t x;
    if (!p->settled) {
        return;
    }
    text_init_fixed(&x, t->explanation + used, sizeof t->explanation - used);
    text_put(&x,
             "\nSettled at %s with %zu of %zu members' ballots counted: the %zu member%s yet to"
             " vote then could not change the outcome. ",
             clock_format(p->closed_at_ms, when, sizeof when), p->settled_ballots, members,
             members - p->settled_ballots, members - p->settled_ballots == 1 ? "" : "s");
    if (v->voting_open) {
        text_put(&x, "Voting stays open until %s: %zu of %zu members have voted so far.",
                 clock_format(p->proposal->closes_at_ms, when, sizeof when), p->n_ballots,
                 members);
    } else {
        text_put(&x, "Voting closed with %zu of %zu members' ballots recorded.", p->n_ballots,
                 members);
    }
}

/* Says whether a passed decision is in effect, waiting out its call-in
 * period, called in, or reconsidered. */
static void s_explain_call_in(const board_prop_t *p, const board_proposal_view_t *v,
                              board_tally_t *t)
{
    char when[40], at[40];
    size_t used = strlen(t->explanation);
    text_t x;
    if (!p->effective_ms || !v->tally.passed) {
        return;
    }
    text_init_fixed(&x, t->explanation + used, sizeof t->explanation - used);
    clock_format(p->effective_ms, when, sizeof when);
    if (p->called_in) {
        text_put(&x,
                 "\nCalled in by %s at %s within the call-in period (Local Government Act 2000"
                 " s9F): %s. Suspended until the board reconsiders it",
                 p->called_by, clock_format(p->call_in_ms, at, sizeof at), p->call_in_reasons);
        if (p->resolved) {
            text_put(&x, "; reconsidered by proposal %.12s: %s", p->resolved_by,
                     p->resolved == CONCORD__V1__RECONSIDER__CONFIRM
                         ? "confirmed, and in effect from then"
                         : "withdrawn, so it never takes effect");
        }
        text_put(&x, ".");
        return;
    }
    text_put(&x,
             "\nCall-in: %u working days (England and Wales) after the decision, to %s (Local"
             " Government Act 2000 s9F); %s.",
             p->charter->call_in_working_days, when,
             v->pending ? "not in effect before then, unless called in"
                        : "not called in, so in effect from then");
}

/* Says whose ratification an advisory board's recommendation awaits, and
 * each body's act. */
static void s_explain_ratification(const board_prop_t *p, const board_proposal_view_t *v,
                                   board_tally_t *t)
{
    size_t used = strlen(t->explanation);
    text_t x;
    if (!s_advisory(p) || !v->tally.passed || !v->closed) {
        return;
    }
    text_init_fixed(&x, t->explanation + used, sizeof t->explanation - used);
    text_put(&x, "\nRecommendation of an advisory board: in effect only when every body it names"
                 " ratifies it under its own authority.");
    char by[40];
    if (p->ratify_by_ms) {
        text_put(&x, " Each ratifies or declines by %s (%u working days, England and Wales, by"
                     " its charter).",
                 clock_format(p->ratify_by_ms, by, sizeof by), p->charter->ratify_working_days);
    }
    for (size_t i = 0; i < p->charter->n_ratifiers; i++) {
        const s_act_t *a = &p->acts[i];
        int lapsed = !a->state && p->ratify_by_ms && v->lapsed;
        text_put(&x, " %s %s%s%s.", p->charter->ratifiers[i],
                 a->state == 1   ? "ratified it: "
                 : a->state == 2 ? "declined it: "
                 : lapsed        ? "let the time limit pass: it lapsed for this body"
                                 : "has not acted",
                 a->state ? a->text : "", "");
    }
    text_put(&x, " %s", v->declined    ? "Declined, so it never takes effect."
                        : v->lapsed    ? "Lapsed, so it never takes effect."
                        : v->effective ? "Ratified by all: in effect."
                                       : "Not in effect yet.");
}

static void s_proposal_view(const board_prop_t *p, uint64_t now_ms, board_proposal_view_t *out)
{
    out->id = p->id;
    out->board_id = p->board->id;
    out->proposer = p->proposer;
    out->proposal = p->proposal;
    out->time_ms = p->time_ms;
    out->log_index = p->log_index;
    out->hash = p->hash;
    out->n_ballots = p->n_ballots;
    out->released = p->released;
    out->content_key = p->released ? p->content_key : NULL;
    /* Past its deadline a proposal is closed whether or not an event has
     * come since to make the engine apply the close. */
    out->closed = s_closed_at(p, now_ms);
    out->closed_at_ms = p->closed ? p->closed_at_ms : out->closed ? p->proposal->closes_at_ms : 0;
    out->settled = p->settled;
    out->settled_ballots = p->settled_ballots;
    out->voting_open = now_ms <= p->proposal->closes_at_ms &&
                       p->n_ballots + s_excluded(p) < p->charter->n_members;
    out->last_index = p->last_index > p->log_index ? p->last_index : p->log_index;
    out->called_in = p->called_in;
    out->called_by = p->called_by;
    out->call_in_reasons = p->call_in_reasons ? p->call_in_reasons : "";
    out->resolved = p->resolved;
    out->effective_ms = p->effective_ms;
    /* In effect: passed, and not waiting, suspended or withdrawn. A call-in
     * period that has ended is in effect even before an event applies it. */
    out->pending = p->pending && now_ms <= p->effective_ms;
    s_tally(p, out->closed, &out->tally);
    out->effective = out->closed && out->tally.passed && !out->pending && !p->called_in;
    out->ratifiers = p->charter->n_ratifiers;
    out->ratified = out->declined = out->lapsed = 0;
    out->ratify_by_ms = p->ratify_by_ms;
    for (size_t i = 0; s_advisory(p) && i < p->charter->n_ratifiers; i++) {
        out->ratified += p->acts[i].state == 1;
        out->declined += p->acts[i].state == 2;
        out->lapsed += !p->acts[i].state && p->ratify_by_ms && now_ms > p->ratify_by_ms;
    }
    if (s_advisory(p)) {
        out->effective &= out->ratified == p->charter->n_ratifiers;
    }
    out->effective |= p->resolved == CONCORD__V1__RECONSIDER__CONFIRM;
    s_explain_settled(p, out, &out->tally);
    s_explain_call_in(p, out, &out->tally);
    s_explain_ratification(p, out, &out->tally);
}

void board_proposal_at(const board_engine_t *e, size_t i, uint64_t now_ms,
                       board_proposal_view_t *out)
{
    assert(i < e->n_proposals);
    s_proposal_view(e->proposals[i], now_ms, out);
}

int board_proposal_find(const board_engine_t *e, const char *id_or_prefix, uint64_t now_ms,
                        board_proposal_view_t *out, cc_err_t *err)
{
    char want[BOARD_PROPOSAL_ID_LEN + 1];
    size_t n = id_or_prefix ? strlen(id_or_prefix) : 0;
    const board_prop_t *found = NULL, *other = NULL;
    if (n < 6) {
        err_set(err, CC_INVALID_ARGUMENT, "a proposal id needs at least 6 of its characters");
        return -1;
    }
    if (n > BOARD_PROPOSAL_ID_LEN) {
        err_set(err, CC_NOT_FOUND, "no proposal '%.40s'", id_or_prefix);
        return -1;
    }
    for (size_t i = 0; i <= n; i++) {
        want[i] = (char)tolower((unsigned char)id_or_prefix[i]);
    }
    for (size_t i = 0; i < e->n_proposals && !other; i++) {
        if (strncmp(e->proposals[i]->id, want, n) == 0) {
            other = found;
            found = e->proposals[i];
        }
    }
    if (!found) {
        err_set(err, CC_NOT_FOUND, "no proposal '%s'", want);
        return -1;
    }
    if (other && n < BOARD_PROPOSAL_ID_LEN) {
        err_set(err, CC_INVALID_ARGUMENT,
                "'%s' could be proposal %.12s or %.12s: give more of the id", want, other->id,
                found->id);
        return -1;
    }
    s_proposal_view(found, now_ms, out);
    return 0;
}

/* Proposals are kept in log order, so the view's log index finds its
 * proposal by bisection. */
static const board_prop_t *s_proposal_of(const board_engine_t *e, const board_proposal_view_t *pv)
{
    size_t lo = 0, hi = e->n_proposals;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (e->proposals[mid]->log_index < pv->log_index) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < e->n_proposals && e->proposals[lo]->log_index == pv->log_index ? e->proposals[lo]
                                                                               : NULL;
}

void board_ballot_at(const board_engine_t *e, const board_proposal_view_t *pv, size_t j,
                     board_ballot_view_t *out)
{
    const board_prop_t *p = s_proposal_of(e, pv);
    assert(p && j < p->n_ballots); /* a view of this engine, and a ballot it has */
    const board_vote_t *b = &p->ballots[j];
    out->member = p->charter->members[b->member]->code;
    out->vote = b->vote;
    out->reason = b->reason;
    out->time_ms = b->time_ms;
    out->log_index = b->log_index;
    out->hash = b->hash;
    out->person = b->person;
}

int board_events(const board_engine_t *e, const char *board_id, uint64_t upto,
                 int (*fn)(uint64_t log_index, const uint8_t hash[32], void *arg), void *arg)
{
    const board_rec_t *b = s_find_rec(e, board_id);
    if (!b) {
        return -1;
    }
    for (size_t i = 0; i < b->n_events && b->events[i].log_index <= upto; i++) {
        int rc = fn(b->events[i].log_index, b->events[i].hash, arg);
        if (rc) {
            return rc;
        }
    }
    return 0;
}

size_t board_rejection_count(const board_engine_t *e)
{
    return e->n_rejections;
}

void board_rejection_at(const board_engine_t *e, size_t i, board_rejection_t *out)
{
    assert(i < e->n_rejections);
    const board_refusal_t *r = &e->rejections[i];
    out->sender = r->sender;
    out->method = r->method;
    out->proposal_id = r->proposal_id;
    out->log_index = r->log_index;
    out->code = r->code;
    out->reason = r->reason;
}

/* ---- roster changes ----
 * Membership changes that change the roster itself (a key rotation, a
 * merger, a newcomer): who may propose them, whose consent they need, what
 * they do to the roster and to every board's charter, and which events a
 * certificate carries so that they can be checked. */

int board_roster_level(const Concord__V1__Proposal *p)
{
    const Concord__V1__MembershipChange *mc = p ? p->membership : NULL;
    return p && p->kind == CONCORD__V1__PROPOSAL_KIND__MEMBERSHIP_CHANGE && mc &&
           (mc->action == CONCORD__V1__MEMBERSHIP_ACTION__ROTATE_KEY ||
            mc->action == CONCORD__V1__MEMBERSHIP_ACTION__MERGE ||
            mc->action == CONCORD__V1__MEMBERSHIP_ACTION__SPLIT ||
            (mc->action == CONCORD__V1__MEMBERSHIP_ACTION__ADMIT && mc->organisation));
}

static long s_member(const Concord__V1__Charter *c, const char *code)
{
    for (size_t i = 0; i < c->n_members; i++) {
        if (strcmp(c->members[i]->code, code) == 0) {
            return (long)i;
        }
    }
    return -1;
}

/* The roster entry an Organisation message describes; the kind goes
 * through its enum name, as the roster stores it. */
static int s_public(const Concord__V1__Organisation *o, keys_public_t *out, cc_err_t *err)
{
    const ProtobufCEnumValue *kind =
        protobuf_c_enum_descriptor_get_value(&concord__v1__org_kind__descriptor, o->kind);
    memset(out, 0, sizeof *out);
    if (o->sign_key.len != KEYS_PK_LEN || o->transport_key.len != KEYS_PK_LEN) {
        err_set(err, CC_INVALID_ARGUMENT, "the organisation's keys must be %d bytes each",
                KEYS_PK_LEN);
        return -1;
    }
    if (keys_code_check(o->code, err) < 0 || strlen(o->name) > KEYS_NAME_MAX) {
        err_prefix(err, "organisation: ");
        return -1;
    }
    snprintf(out->code, sizeof out->code, "%s", o->code);
    snprintf(out->name, sizeof out->name, "%s", o->name);
    snprintf(out->kind, sizeof out->kind, "%s", kind && o->kind ? kind->name : "");
    memcpy(out->sign_pk, o->sign_key.data, KEYS_PK_LEN);
    memcpy(out->curve_pk, o->transport_key.data, KEYS_PK_LEN);
    return 0;
}

static int s_check_rotation(const roster_t *roster, const char *proposer,
                            const Concord__V1__MembershipChange *mc, cc_err_t *err)
{
    keys_public_t pub;
    roster_org_t cur;
    if (!mc->organisation) {
        err_set(err, CC_INVALID_ARGUMENT, "a key rotation must carry the organisation's new keys");
        return -1;
    }
    if (s_public(mc->organisation, &pub, err) < 0) {
        return -1;
    }
    /* Signed by the organisation's current key: only it may replace it. */
    if (strcmp(pub.code, proposer) != 0) {
        err_set(err, CC_PERMISSION_DENIED,
                "a key rotation of %s must be proposed by %s itself, not by %.16s", pub.code,
                pub.code, proposer);
        return -1;
    }
    if (roster_lookup(roster, pub.code, &cur) < 0) {
        err_set(err, CC_NOT_FOUND, "%s is not a member of the roster", pub.code);
        return -1;
    }
    return roster_keys_fresh(roster, pub.sign_pk, pub.curve_pk, err);
}

/* The successor as the roster would hold it: a continuing predecessor
 * keeps its entry; a new organisation brings its own. */
static int s_successor(const roster_t *roster, const Concord__V1__MembershipChange *mc,
                       keys_public_t *out, cc_err_t *err)
{
    roster_org_t cur;
    if (!mc->organisation) {
        err_set(err, CC_INVALID_ARGUMENT, "a merger must name the successor organisation");
        return -1;
    }
    if (roster_lookup(roster, mc->organisation->code, &cur) == 0) {
        memset(out, 0, sizeof *out);
        snprintf(out->code, sizeof out->code, "%s", cur.code);
        snprintf(out->name, sizeof out->name, "%s", cur.name);
        snprintf(out->kind, sizeof out->kind, "%s", cur.kind);
        memcpy(out->sign_pk, cur.sign_pk, KEYS_PK_LEN);
        memcpy(out->curve_pk, cur.curve_pk, KEYS_PK_LEN);
        return 0;
    }
    return s_public(mc->organisation, out, err);
}

static int s_check_merger(const roster_t *roster, const Concord__V1__Charter *ch,
                          const Concord__V1__MembershipChange *mc, cc_err_t *err)
{
    keys_public_t succ;
    if (s_successor(roster, mc, &succ, err) < 0 ||
        roster_merge_check(roster, &succ, (const char *const *)mc->predecessors, mc->n_predecessors,
                           err) < 0) {
        return -1;
    }
    /* Each predecessor must consent, so each must be able to vote here. */
    for (size_t i = 0; i < mc->n_predecessors; i++) {
        if (s_member(ch, mc->predecessors[i]) < 0) {
            err_set(err, CC_FAILED_PRECONDITION,
                    "predecessor %s is not a member of board %s, so it could not consent here",
                    mc->predecessors[i], ch->board_id);
            return -1;
        }
    }
    return 0;
}

/* A split's scheme as arrays for the roster; -1 with err when it names
 * more successors than a split may have. */
static int s_scheme(const Concord__V1__MembershipChange *mc, const char **succ, uint32_t *permille,
                    cc_err_t *err)
{
    if (mc->n_predecessors != 1) {
        err_set(err, CC_INVALID_ARGUMENT,
                "a split names exactly one organisation that splits (as its predecessor), not %zu",
                mc->n_predecessors);
        return -1;
    }
    if (mc->n_transfer > ROSTER_SPLIT_MAX) {
        err_set(err, CC_INVALID_ARGUMENT, "a split's transfer scheme names 2..%d successors",
                ROSTER_SPLIT_MAX);
        return -1;
    }
    for (size_t i = 0; i < mc->n_transfer; i++) {
        succ[i] = mc->transfer[i]->successor;
        permille[i] = mc->transfer[i]->share_permille;
    }
    return 0;
}

/* A split: the roster's checks of the scheme, and the organisation that
 * splits and every successor on this board, since each must consent. */
static int s_check_split(const roster_t *roster, const Concord__V1__Charter *ch,
                         const Concord__V1__MembershipChange *mc, cc_err_t *err)
{
    const char *succ[ROSTER_SPLIT_MAX];
    uint32_t permille[ROSTER_SPLIT_MAX];
    if (s_scheme(mc, succ, permille, err) < 0 ||
        roster_split_check(roster, mc->predecessors[0], succ, permille, mc->n_transfer, err) < 0) {
        return -1;
    }
    if (s_member(ch, mc->predecessors[0]) < 0) {
        err_set(err, CC_FAILED_PRECONDITION,
                "%s is not a member of board %s, so it could not consent to its own split here",
                mc->predecessors[0], ch->board_id);
        return -1;
    }
    for (size_t i = 0; i < mc->n_transfer; i++) {
        if (s_member(ch, succ[i]) < 0) {
            err_set(err, CC_FAILED_PRECONDITION,
                    "successor %s is not a member of board %s, so it could not consent here to"
                    " the share of %s's obligations it takes",
                    succ[i], ch->board_id, mc->predecessors[0]);
            return -1;
        }
    }
    return 0;
}

/* An organisation new to the federation joining this board: its seat
 * and its roster entry come together. */
static int s_check_admission(const roster_t *roster, const Concord__V1__Charter *ch,
                             const Concord__V1__MembershipChange *mc, cc_err_t *err)
{
    keys_public_t pub;
    if (s_public(mc->organisation, &pub, err) < 0) {
        return -1;
    }
    if (!mc->member || strcmp(mc->member->code, pub.code) != 0) {
        err_set(err, CC_INVALID_ARGUMENT,
                "admitting %s to the roster needs its seat on the board, with the same code",
                pub.code);
        return -1;
    }
    if (mc->member->constituency < 1 || mc->member->constituency > 3) {
        err_set(err, CC_INVALID_ARGUMENT, "%s needs a constituency on board %s", pub.code,
                ch->board_id);
        return -1;
    }
    if (ch->n_members >= BOARD_MAX_MEMBERS) {
        err_set(err, CC_INVALID_ARGUMENT, "board %s has the most members a board may have",
                ch->board_id);
        return -1;
    }
    return roster_newcomer_check(roster, &pub, err);
}

int board_roster_check(const roster_t *roster, const Concord__V1__Charter *ch, const char *proposer,
                       const Concord__V1__MembershipChange *mc, cc_err_t *err)
{
    if (mc->action == CONCORD__V1__MEMBERSHIP_ACTION__ROTATE_KEY) {
        return s_check_rotation(roster, proposer, mc, err);
    }
    if (mc->action == CONCORD__V1__MEMBERSHIP_ACTION__ADMIT) {
        return s_check_admission(roster, ch, mc, err);
    }
    if (mc->action == CONCORD__V1__MEMBERSHIP_ACTION__SPLIT) {
        return s_check_split(roster, ch, mc, err);
    }
    return s_check_merger(roster, ch, mc, err);
}

static void s_say(board_tally_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends to the tally's explanation, truncating. */
static void s_say(board_tally_t *t, const char *fmt, ...)
{
    size_t used = strlen(t->explanation);
    text_t x;
    va_list ap;
    text_init_fixed(&x, t->explanation + used, sizeof t->explanation - used);
    va_start(ap, fmt);
    text_vput(&x, fmt, ap);
    va_end(ap);
}

void board_roster_consent(const Concord__V1__Proposal *p, const Concord__V1__Charter *ch,
                          const board_ballot_t *ballots, size_t n, int final, int settled,
                          board_tally_t *t)
{
    static const char *const words[] = {"did not vote", "voted FOR", "voted AGAINST",
                                        "voted ABSTAIN"};
    if (!board_roster_level(p)) {
        return;
    }
    const Concord__V1__MembershipChange *mc = p->membership;
    int split = mc->action == CONCORD__V1__MEMBERSHIP_ACTION__SPLIT;
    size_t parties = mc->action == CONCORD__V1__MEMBERSHIP_ACTION__MERGE ? mc->n_predecessors
                     : split ? mc->n_predecessors + mc->n_transfer
                             : 0;
    for (size_t i = 0; i < parties; i++) {
        const char *code = i < mc->n_predecessors ? mc->predecessors[i]
                                                  : mc->transfer[i - mc->n_predecessors]->successor;
        long m = s_member(ch, code);
        int vote = 0;
        for (size_t j = 0; m >= 0 && j < n; j++) {
            vote = ballots[j].member == (size_t)m ? ballots[j].vote : vote;
        }
        if (split) {
            s_say(t, "Split: %s %s %s%s.\n", i < mc->n_predecessors ? "predecessor" : "successor",
                  code, vote >= 0 && vote <= 3 ? words[vote] : "?",
                  vote == CONCORD__V1__VOTE__FOR
                      ? ""
                      : "; a transfer scheme needs the FOR of the organisation that splits and"
                        " of every successor");
        } else {
            s_say(t, "Merger: predecessor %s %s%s.\n", code,
                  vote >= 0 && vote <= 3 ? words[vote] : "?",
                  vote == CONCORD__V1__VOTE__FOR
                      ? ""
                      : "; a merger needs the FOR of every predecessor");
        }
        if (vote == CONCORD__V1__VOTE__FOR) {
            continue;
        }
        t->decided = vote != 0 || final || (t->decided && !t->passed);
        t->passed = 0;
        t->predecessor_missing = 1;
        board_tally_block(t, code);
    }
    if (final && !settled && t->passed) {
        s_say(t, "A roster change takes effect only at the ballot that decides it;"
                 " this one was still undecided at its deadline, so it fails.\n");
        t->passed = 0;
        t->roster_undecided = 1;
    }
}

static int s_merging(const char *code, const char *succ, char **preds, size_t n)
{
    int merged = strcmp(code, succ) == 0;
    for (size_t k = 0; k < n; k++) {
        merged |= strcmp(code, preds[k]) == 0;
    }
    return merged;
}

/* Fills members (pointing into seats) with cur's seats after the merger:
 * the first seat of the successor or a predecessor becomes the
 * successor's, keeps its constituency and takes the weights of all (the
 * charter's total fits in 64 bits, so theirs does); the others go.
 * Returns the number of seats. */
static size_t s_seats(const Concord__V1__Charter *cur, const char *succ, char **preds, size_t n,
                      Concord__V1__BoardMember **members, Concord__V1__BoardMember *seats)
{
    Concord__V1__BoardMember *heir = NULL;
    size_t count = 0;
    for (size_t i = 0; i < cur->n_members; i++) {
        const Concord__V1__BoardMember *m = cur->members[i];
        int merged = s_merging(m->code, succ, preds, n);
        if (merged && heir) {
            heir->weight += m->weight;
            continue;
        }
        seats[i] = *m;
        if (merged) {
            heir = &seats[i];
            heir->code = (char *)succ;
        }
        members[count++] = &seats[i];
    }
    return count;
}

/* The same for reserved matters: a predecessor's pass to the successor,
 * without duplicates. */
static size_t s_reserved(const Concord__V1__Charter *cur, const char *succ, char **preds, size_t n,
                         Concord__V1__ReservedMatter **resp, Concord__V1__ReservedMatter *res)
{
    size_t count = 0;
    for (size_t i = 0; i < cur->n_reserved; i++) {
        int dup = 0;
        res[i] = *cur->reserved[i];
        if (s_merging(res[i].member, succ, preds, n)) {
            res[i].member = (char *)succ;
        }
        for (size_t k = 0; k < count; k++) {
            dup |= resp[k]->area == res[i].area && strcmp(resp[k]->member, res[i].member) == 0;
        }
        if (!dup) {
            resp[count++] = &res[i];
        }
    }
    return count;
}

/* The charter with every predecessor's seat and reserved matter passed
 * to the successor. NULL with err when memory runs out. */
static Concord__V1__Charter *s_merged_charter(const Concord__V1__Charter *cur, const char *succ,
                                              char **preds, size_t n, cc_err_t *err)
{
    Concord__V1__Charter after = *cur, *copy = NULL;
    Concord__V1__BoardMember **members = calloc(cur->n_members + 1, sizeof *members);
    Concord__V1__BoardMember *seats = calloc(cur->n_members + 1, sizeof *seats);
    Concord__V1__ReservedMatter *res = calloc(cur->n_reserved + 1, sizeof *res);
    Concord__V1__ReservedMatter **resp = calloc(cur->n_reserved + 1, sizeof *resp);
    if (!members || !seats || !res || !resp) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        goto out;
    }
    after.members = members;
    after.n_members = s_seats(cur, succ, preds, n, members, seats);
    after.reserved = resp;
    after.n_reserved = s_reserved(cur, succ, preds, n, resp, res);
    copy = s_charter_copy(&after, err);
out:
    free(members);
    free(seats);
    free(res);
    free(resp);
    return copy;
}

Concord__V1__Charter *board_roster_charter(const Concord__V1__Charter *cur,
                                           const Concord__V1__MembershipChange *mc, cc_err_t *err)
{
    int touched = 0;
    err_clear(err);
    if (mc->action == CONCORD__V1__MEMBERSHIP_ACTION__SPLIT) {
        /* The seat of the organisation that splits passes to the principal
         * successor (the scheme's first), which then answers for it. */
        return mc->n_predecessors == 1 && mc->n_transfer && s_member(cur, mc->predecessors[0]) >= 0
                   ? s_merged_charter(cur, mc->transfer[0]->successor, mc->predecessors, 1, err)
                   : NULL;
    }
    if (mc->action != CONCORD__V1__MEMBERSHIP_ACTION__MERGE || !mc->organisation) {
        return NULL;
    }
    for (size_t k = 0; k < mc->n_predecessors; k++) {
        touched |= s_member(cur, mc->predecessors[k]) >= 0 &&
                   strcmp(mc->predecessors[k], mc->organisation->code) != 0;
    }
    return touched ? s_merged_charter(cur, mc->organisation->code, mc->predecessors,
                                      mc->n_predecessors, err)
                   : NULL;
}

int board_roster_apply(roster_t *roster, const Concord__V1__MembershipChange *mc, uint64_t at_index,
                       const char *decision, cc_err_t *err)
{
    keys_public_t pub;
    if (mc->action == CONCORD__V1__MEMBERSHIP_ACTION__ADMIT) {
        return s_public(mc->organisation, &pub, err) < 0
                   ? -1
                   : roster_admit(roster, &pub, at_index, decision, err);
    }
    if (mc->action == CONCORD__V1__MEMBERSHIP_ACTION__ROTATE_KEY) {
        return !mc->organisation || s_public(mc->organisation, &pub, err) < 0
                   ? -1
                   : roster_rotate(roster, pub.code, pub.sign_pk, pub.curve_pk, at_index, decision,
                                   err);
    }
    if (mc->action == CONCORD__V1__MEMBERSHIP_ACTION__SPLIT) {
        const char *succ[ROSTER_SPLIT_MAX];
        uint32_t permille[ROSTER_SPLIT_MAX];
        return s_scheme(mc, succ, permille, err) < 0
                   ? -1
                   : roster_split(roster, mc->predecessors[0], succ, permille, mc->n_transfer,
                                  at_index, decision, err);
    }
    return s_successor(roster, mc, &pub, err) < 0
               ? -1
               : roster_merge(roster, &pub, (const char *const *)mc->predecessors,
                              mc->n_predecessors, at_index, decision, err);
}

/* ---- in the engine ---- */

/* A passed key rotation or merger: the roster changes after at_index,
 * and a merger hands every predecessor's seats to the successor. One
 * that no longer fits the roster (another decision took the key first)
 * passes without effect, the same on every node. */
static int s_roster_effect(board_engine_t *e, board_prop_t *p, uint64_t at_index, cc_err_t *err)
{
    const Concord__V1__MembershipChange *mc = p->proposal->membership;
    cc_err_t why;
    if (board_roster_apply(e->roster, mc, at_index, p->id, &why) < 0) {
        return why.code == CC_RESOURCE_EXHAUSTED ? err_oom(err) : 0;
    }
    p->board->roster_upto = at_index;
    if (mc->action == CONCORD__V1__MEMBERSHIP_ACTION__ADMIT) {
        /* Now in the roster, the newcomer takes its seat. */
        Concord__V1__Charter *seated = board_check_charter_change(e->roster, p->board->charter, mc, &why);
        if (!seated && why.code == CC_RESOURCE_EXHAUSTED) {
            return err_oom(err);
        }
        if (seated) {
            wire_free(&p->board->charter->base);
            p->board->charter = seated;
        }
    }
    for (size_t i = 0; i < e->n_boards; i++) {
        board_rec_t *b = e->boards[i];
        Concord__V1__Charter *after = board_roster_charter(b->charter, mc, &why);
        if (!after && why.code != CC_OK) {
            return err_oom(err);
        }
        if (after) {
            wire_free(&b->charter->base);
            b->charter = after;
        }
    }
    if (e->on_roster) {
        e->on_roster(e->roster, at_index, e->on_roster_arg);
    }
    return 0;
}

/* How far into board b's events a certificate for board_id up to upto
 * must go: its own events up to upto, and every decision that changed
 * the roster (so that signatures under rotated keys can be checked). */
static uint64_t s_cert_upto(const board_rec_t *b, const char *board_id, uint64_t upto)
{
    if (!board_id) {
        return UINT64_MAX;
    }
    uint64_t own = strcmp(b->id, board_id) == 0 ? upto : 0;
    return own > b->roster_upto ? own : b->roster_upto;
}

/* Whether proposal p's events go into a certificate of proposal_id at
 * this tier (board.h, board_certificate_events_for). */
static int s_cert_wants(const board_engine_t *e, const board_ref_t *r, const char *proposal_id,
                        int tier)
{
    const board_prop_t *p = r->prop;
    if (!proposal_id || tier >= BOARD_CERT_ALL) {
        return 1;
    }
    if (!p) {
        /* A meeting's events, when the proposal is one of its items (not
         * the approval of its minutes at another); the forward plan entry
         * it rests on. Every proposal they name is then carried too. */
        const board_prop_t *t = s_proposal_find(e, proposal_id);
        if (r->plan_id) {
            /* The entry the proposal, or an item of its meeting, rests on. */
            for (size_t i = 0; t && i < e->n_proposals; i++) {
                const board_prop_t *q = e->proposals[i];
                if ((q == t || (t->meeting && q->meeting == t->meeting)) &&
                    strcmp(q->proposal->forward_plan_entry, r->plan_id) == 0) {
                    return 1;
                }
            }
            return 0;
        }
        if (r->meeting) {
            return t && t->meeting == r->meeting && !r->approved_at;
        }
        return 1;
    }
    if (strcmp(p->id, proposal_id) == 0) {
        return 1;
    }
    /* The other items of its meeting: the meeting's agenda names them. */
    const board_prop_t *t = p->meeting ? s_proposal_find(e, proposal_id) : NULL;
    if (t && t->meeting == p->meeting) {
        return 1;
    }
    switch (p->proposal->kind) {
    case CONCORD__V1__PROPOSAL_KIND__CHARTER_ADOPTION:
    case CONCORD__V1__PROPOSAL_KIND__CHARTER_AMENDMENT:
    case CONCORD__V1__PROPOSAL_KIND__MEMBERSHIP_CHANGE:
    case CONCORD__V1__PROPOSAL_KIND__FOOTPRINT_REALIGNMENT:
        return 1; /* they decide the board and the roster */
    case CONCORD__V1__PROPOSAL_KIND__RECONSIDERATION:
        return strcmp(p->proposal->reconsiders, proposal_id) == 0 || tier >= BOARD_CERT_POOLS;
    case CONCORD__V1__PROPOSAL_KIND__POOL_AGREEMENT:
    case CONCORD__V1__PROPOSAL_KIND__POOL_VARIATION:
        return tier >= BOARD_CERT_POOLS;
    default:
        return 0;
    }
}

int board_certificate_events_for(const board_engine_t *e, const char *board_id,
                                 const char *proposal_id, uint64_t upto, int tier,
                                 int (*fn)(uint64_t log_index, const uint8_t hash[32], void *arg),
                                 void *arg)
{
    if (board_id && !s_find_rec(e, board_id)) {
        return -1;
    }
    size_t *at = calloc(e->n_boards + 2, sizeof *at);
    if (!at) {
        return -1;
    }
    int rc = 0;
    for (;;) {
        const board_ref_t *next = NULL;
        size_t from = 0;
        for (size_t i = 0; i < e->n_boards; i++) {
            const board_rec_t *b = e->boards[i];
            /* Events the tier leaves out are passed over; of other
             * boards, and in a history, only what every node folds: never
             * another board's business (PROTOCOL.md 16.9). */
            int own = board_id && strcmp(b->id, board_id) == 0;
            while (at[i] < b->n_events &&
                   ((!own && !b->events[at[i]].everyone) ||
                    !s_cert_wants(e, &b->events[at[i]], board_id ? proposal_id : NULL,
                                  tier))) {
                at[i]++;
            }
            if (at[i] < b->n_events &&
                b->events[at[i]].log_index <= s_cert_upto(b, board_id, upto) &&
                (!next || b->events[at[i]].log_index < next->log_index)) {
                next = &b->events[at[i]];
                from = i;
            }
        }
        /* The register of delegations up to upto: reserved matters follow from it. */
        delegation_entry_t d = {0};
        if (at[e->n_boards] < delegation_count(e->reg)) {
            delegation_at(e->reg, at[e->n_boards], &d);
        }
        uint64_t reg_upto = board_id ? upto : UINT64_MAX;
        /* Persons, delegations and interests up to upto: the chain of every
         * person-signed act, and exclusions, follow from them. */
        size_t pi = at[e->n_boards + 1];
        uint64_t p_index = 0;
        const uint8_t *p_hash = NULL;
        if (pi < people_event_count(e->people)) {
            people_event_at(e->people, pi, &p_index, &p_hash);
        }
        if (pi < people_event_count(e->people) && p_index <= (board_id ? upto : UINT64_MAX) &&
            (!next || p_index < next->log_index) &&
            !(at[e->n_boards] < delegation_count(e->reg) && d.log_index <= reg_upto &&
              d.log_index < p_index)) {
            if ((rc = fn(p_index, p_hash, arg)) != 0) {
                break;
            }
            at[e->n_boards + 1]++;
            continue;
        }
        if (at[e->n_boards] < delegation_count(e->reg) && d.log_index <= reg_upto &&
            (!next || d.log_index < next->log_index)) {
            if ((rc = fn(d.log_index, d.hash, arg)) != 0) {
                break;
            }
            at[e->n_boards]++;
            continue;
        }
        if (!next || (rc = fn(next->log_index, next->hash, arg)) != 0) {
            break;
        }
        at[from]++;
    }
    free(at);
    return rc;
}

int board_certificate_events(const board_engine_t *e, const char *board_id, uint64_t upto,
                             int (*fn)(uint64_t log_index, const uint8_t hash[32], void *arg),
                             void *arg)
{
    return board_certificate_events_for(e, board_id, NULL, upto, BOARD_CERT_ALL, fn, arg);
}

/* ---- meetings and forward plans: views ---- */

size_t board_meeting_count(const board_engine_t *e)
{
    return e->n_meetings;
}

void board_meeting_at(const board_engine_t *e, size_t i, board_meeting_view_t *out)
{
    assert(i < e->n_meetings);
    const s_meeting_t *m = e->meetings[i];
    out->id = m->id;
    out->board_id = m->board->id;
    out->meeting = m->meeting;
    out->called_by = m->called_by;
    out->time_ms = m->time_ms;
    out->n_items = m->n_items;
    out->n_attendance = m->n_att;
    out->n_events = m->n_hashes;
    out->approved = m->approved;
    out->approved_at = m->approved_at;
    out->approved_by = m->approved_by;
    out->approved_sha256 = m->approved ? m->approved_sha : NULL;
    out->approved_ms = m->approved_ms;
    out->approval_hash = m->approved ? m->approval_hash : NULL;
}

long board_meeting_find(const board_engine_t *e, const char *id_or_prefix, cc_err_t *err)
{
    size_t n = id_or_prefix ? strlen(id_or_prefix) : 0;
    long found = -1;
    if (n < 6) {
        err_set(err, CC_INVALID_ARGUMENT, "a meeting id needs at least 6 of its characters");
        return -1;
    }
    for (size_t i = 0; i < e->n_meetings; i++) {
        if (strncmp(e->meetings[i]->id, id_or_prefix, n) != 0) {
            continue;
        }
        if (found >= 0) {
            err_set(err, CC_INVALID_ARGUMENT, "meeting id '%.40s' is ambiguous", id_or_prefix);
            return -1;
        }
        found = (long)i;
    }
    if (found < 0) {
        err_set(err, CC_NOT_FOUND, "no meeting '%.40s'", id_or_prefix);
    }
    return found;
}

const Concord__V1__AgendaItem *board_meeting_item(const board_engine_t *e, size_t i, size_t j,
                                                  uint64_t *published_ms)
{
    assert(i < e->n_meetings && j < e->meetings[i]->n_items);
    *published_ms = e->meetings[i]->items[j].published_ms;
    return e->meetings[i]->items[j].item;
}

const Concord__V1__Attendance *board_meeting_attendance(const board_engine_t *e, size_t i,
                                                        size_t j, const char **by,
                                                        uint64_t *time_ms)
{
    assert(i < e->n_meetings && j < e->meetings[i]->n_att);
    const s_attend_t *a = &e->meetings[i]->att[j];
    *by = a->by;
    *time_ms = a->time_ms;
    return a->a;
}

const uint8_t *board_meeting_event(const board_engine_t *e, size_t i, size_t j)
{
    assert(i < e->n_meetings && j < e->meetings[i]->n_hashes);
    return e->meetings[i]->hashes[j];
}

const char *board_meeting_of(const board_engine_t *e, const char *proposal_id)
{
    const board_prop_t *p = s_proposal_find(e, proposal_id);
    return p && p->meeting ? p->meeting->id : NULL;
}

size_t board_plan_count(const board_engine_t *e)
{
    return e->n_plans;
}

void board_plan_at(const board_engine_t *e, size_t i, board_plan_view_t *out)
{
    assert(i < e->n_plans);
    const s_plan_t *pl = e->plans[i];
    out->id = pl->id;
    out->board_id = pl->board->id;
    out->council = pl->council;
    out->entry = pl->entry;
    out->time_ms = pl->time_ms;
    out->hash = pl->hash;
}
