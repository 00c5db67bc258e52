/* SPDX-License-Identifier: Apache-2.0 */
/* board: the joint commissioning board engine.
 *
 * A pure, deterministic fold over board events (proposals and ballots,
 * proto/board.proto) taken in broker log order. Every node runs it over
 * the same events and reaches the same boards, proposals, ballots and
 * outcomes; `concord verify` runs it offline over a decision certificate.
 * Nothing here reads a clock: time is always the broker's receipt time of
 * the event being applied, or a `now_ms` the caller passes to views.
 *
 * Rules (docs/BOARDS.md states them for users):
 *  - A board comes into being with a CHARTER_ADOPTION proposal carrying
 *    its charter (any roster member may propose it, as secretary); it
 *    becomes active when every member named in the charter has voted FOR
 *    (the adoption proposal is always decided by unanimity of the charter's
 *    members, whatever rule the charter sets for later proposals).
 *  - Other proposals need an active board and a proposer who is a member.
 *  - Voting rules and quorum: see board_tally below.
 *  - Call-in (Local Government Act 2000 s9F): with a charter's
 *    call_in_working_days, a passed decision (not an adoption, a roster
 *    change or a reconsideration) takes effect only at the end of that
 *    many working days in England and Wales (workdays.h) after it was
 *    decided, applied before the first event after then. A member the
 *    charter names (any, if none is named) may call it in before then
 *    (Board/CallIn, with reasons): it is suspended until a RECONSIDERATION
 *    proposal passes, which confirms it (it takes effect then) or
 *    withdraws it (never). An amended decision is a new proposal.
 *  - Advisory (shadow) boards: a charter of kind ADVISORY names ratifiers;
 *    its passed commissioning decisions, realignments and pool proposals
 *    are recommendations, in effect only once every ratifier has ratified
 *    them with its own act (Board/Ratify: authority, reference, date);
 *    one that declines stops it. With ratify_working_days, each acts
 *    within that many working days after the recommendation; after it a
 *    late act is refused and the recommendation lapses for a body that
 *    has not acted (and so never takes effect). Such decisions are not
 *    called in.
 *  - Committees in common: each body decides its own motion under its own
 *    rule (board_tally.h); the joint outcome carries when the bodies the
 *    charter names (all, if none) agreed.
 *  - Reserved matters: a proposal in a reserved area passes only if the
 *    named member voted FOR, whatever the tally; and one concerning an NHS
 *    England service line (primary medical, dental, pharmacy, optometry,
 *    specialised) needs every NHS England member's FOR unless the register
 *    of delegations (Board/Delegation, signed by NHS England; delegation.h)
 *    shows the line delegated to every commissioner on the board.
 *  - Pool proposals (board_pool.c, common/rules): a POOL_AGREEMENT's partners must all be
 *    members of the board; it needs every partner's FOR when it includes
 *    primary medical services. A POOL_VARIATION needs the FOR of every
 *    partner whose contribution it changes. Both whatever the rule.
 *  - A proposal naming any delegated statutory duty is invalid (NHS Act 2006
 *    s75(5): accountability is never delegated) and is rejected on
 *    submission, as are malformed charters and proposals.
 *  - Exempt items (LGA 1972 Sch 12A, FOIA 2000 Part II; exempt.h): a
 *    commissioning decision may carry its title and text encrypted, the
 *    content key sealed to every member of its board; a Board/Release by
 *    its proposer, from its release date, publishes the key.
 *  - Ballots are refused for: unknown board, unknown proposal, proposal of
 *    another board, non-member, second ballot from a member, receipt time
 *    after the deadline. Every other ballot is recorded until the
 *    deadline, even once the outcome is settled: dissent and assent stay
 *    on the record, and a certificate carries them all.
 *  - A proposal is decided at its deadline, or *settled* early as soon as
 *    the outcome can no longer change (whether every member yet to vote
 *    votes FOR, all AGAINST, all ABSTAIN, or nobody votes); the tally's
 *    explanation says so, with the ballot that settled it. Ballots after
 *    that are recorded and cannot change it. A passed CHARTER_AMENDMENT
 *    replaces the charter; a passed MEMBERSHIP_CHANGE ADMIT/REMOVE changes
 *    the board's members; a passed FOOTPRINT_REALIGNMENT records the
 *    organisation's declared primary footprint (geography itself is not
 *    the engine's: the CLI checks that the organisation touches the
 *    footprint); a passed POOL_AGREEMENT or POOL_VARIATION is listed for
 *    the pool engine to take up (pool_follow). Effects apply at the moment of deciding: at the
 *    settling ballot, or, for a close by deadline, before the first event
 *    whose receipt time is after the deadline. */
#ifndef CONCORD_BOARD_H
#define CONCORD_BOARD_H

#include <stddef.h>
#include <stdint.h>

#include "board.pb-c.h"
#include "board_check.h"
#include "board_limits.h"
#include "board_pool.h"
#include "board_tally.h"
#include "delegation.h"
#include "err.h"
#include "exempt.h"
#include "meeting_rules.h"
#include "fold.h"
#include "people.h"
#include "roster.h"

#define BOARD_METHOD_PROPOSE "concord.v1.Board/Propose"
#define BOARD_METHOD_VOTE "concord.v1.Board/Vote"
#define BOARD_METHOD_CALL_IN "concord.v1.Board/CallIn"
#define BOARD_METHOD_RATIFY "concord.v1.Board/Ratify"
#define BOARD_METHOD_DELEGATION "concord.v1.Board/Delegation"
#define BOARD_METHOD_RELEASE "concord.v1.Board/Release"
/* Meetings and councils' forward plans (meeting_rules.h, proto/meeting.proto). */
#define BOARD_METHOD_MEETING "concord.v1.Board/Meeting"
#define BOARD_METHOD_AGENDA "concord.v1.Board/Agenda"
#define BOARD_METHOD_ATTENDANCE "concord.v1.Board/Attendance"
#define BOARD_METHOD_MINUTES "concord.v1.Board/Minutes"
#define BOARD_METHOD_FORWARD_PLAN "concord.v1.Board/ForwardPlan"

/* Whether method is one of the board engine's (BOARD_METHOD_*): the one
 * list the node, the broker and statement verification route by. */
int board_method(const char *method);
#define BOARD_RATIFIERS_MAX 16
/* Open proposals one member may have on one board at once: one more is
 * refused (RESOURCE_EXHAUSTED) until one of them closes, so that one
 * member cannot fill every organisation's proposal list with junk. */
#define BOARD_OPEN_PER_MEMBER_MAX 25
#define BOARD_PROPOSAL_ID_LEN 32 /* hex of a 16-byte call id */

typedef struct board_engine board_engine_t;

/* One event as the broker logged it (fold.h): method is
 * BOARD_METHOD_PROPOSE or BOARD_METHOD_VOTE, body the packed Proposal or
 * Ballot. */
typedef fold_event_t board_event_t;

/* A new engine judging membership against roster (borrowed; it must
 * outlive the engine). The engine changes the roster when a key
 * rotation or merger passes (board_roster_apply). NULL when out of
 * memory. */
board_engine_t *board_engine_new(roster_t *roster);

/* fn runs after each roster change the engine applies (at_index: the
 * deciding ballot's log index), while folding or replaying. */
typedef void (*board_roster_fn)(const roster_t *roster, uint64_t at_index, void *arg);
void board_engine_on_roster(board_engine_t *e, board_roster_fn fn, void *arg);
void board_engine_destroy(board_engine_t **e);

/* Applies one event. Returns 0 if accepted; -1 if rejected, with err's
 * code and reason: INVALID_ARGUMENT (malformed, invalid charter, statutory
 * duty delegated, unknown method), NOT_FOUND (unknown board or proposal),
 * PERMISSION_DENIED (not a member, not in the roster), ALREADY_EXISTS
 * (board id taken, second ballot), DEADLINE_EXCEEDED (ballot after the
 * deadline), FAILED_PRECONDITION (board not active, event out of
 * log order). A rejected event changes nothing
 * except closing proposals whose deadline passed before its time. The
 * same sequence of events always gives the same results. */
int board_apply(board_engine_t *e, const board_event_t *ev, cc_err_t *err);

/* Moves the engine to an event that is not a board event (log_index,
 * time_ms), closing every proposal whose deadline passed before it, as
 * board_apply does before a board event: the decisions that take effect
 * before that event are then visible to other engines (pool_follow).
 * Returns 0, or -1 with FAILED_PRECONDITION (out of log order) or
 * RESOURCE_EXHAUSTED. */
int board_advance(board_engine_t *e, uint64_t log_index, uint64_t time_ms, cc_err_t *err);

/* Whether ev would be accepted if applied now (with ev->time_ms as its
 * receipt time), without changing anything: for an immediate answer to
 * a user before the event is published. Same codes as board_apply. */
int board_precheck(const board_engine_t *e, const board_event_t *ev, cc_err_t *err);

/* ---- audiences (PROTOCOL.md "Audiences") ----
 *
 * A board event is addressed either to "*" (every node folds it: a
 * board's adoption, charter amendments, membership and roster changes,
 * footprint realignments, and the ballots, call-ins and ratifications on
 * them) or to "board:ID" (only the board's members and ratifiers, and
 * the sender: everything else of the board, its commissioning
 * decisions, pool proposals and reconsiderations of them). board_apply
 * and board_precheck refuse an event whose recipient (ev->recipient, when
 * set) is not its audience, with INVALID_ARGUMENT. */
#define BOARD_AUDIENCE_MAX ENVELOPE_AUDIENCE_MAX

/* The recipient ev must be addressed to, into out ("*" or "board:ID").
 * Returns 0, or -1 with err when the engine would refuse ev whatever its
 * address (it then has no audience). The person chain of an act
 * (people.h) is not judged here: an act's audience does not depend on who
 * signed it, or when (the broker asks before the act has a log time). */
int board_audience(const board_engine_t *e, const board_event_t *ev,
                   char out[BOARD_AUDIENCE_MAX + 1], cc_err_t *err);

/* Calls fn for each organisation in board_id's audience: its charter's
 * members, then its ratifiers that are not members. Returns 0, fn's
 * non-zero answer, or -1 for an unknown board. */
int board_audience_members(const board_engine_t *e, const char *board_id,
                           int (*fn)(const char *code, void *arg), void *arg);

/* The board that agreed pool pool_id (a passed POOL_AGREEMENT) into
 * *board_id (lives as long as e): pool events are addressed to its
 * audience. Returns 0, or -1 if no board agreed it. */
int board_pool_board(const board_engine_t *e, const char *pool_id, const char **board_id);

/* ---- views for the CLI, control socket and certificates ---- */

typedef struct {
    const char *board_id;
    const Concord__V1__Charter *charter; /* as adopted, or amended */
    int active;
    const char *adoption_id; /* proposal id of the CHARTER_ADOPTION */
    const char *secretary;   /* who proposed the adoption */
} board_view_t;

size_t board_count(const board_engine_t *e);
void board_at(const board_engine_t *e, size_t i, board_view_t *out);
int board_get(const board_engine_t *e, const char *board_id, board_view_t *out);

typedef struct {
    const char *member;
    int vote;
    const char *reason;
    uint64_t time_ms;
    uint64_t log_index;
    const uint8_t *hash;
    const char *person; /* who signed it for the member (people.h); "" none */
} board_ballot_view_t;

typedef struct {
    const char *id; /* 32 hex characters */
    const char *board_id;
    const char *proposer;
    const Concord__V1__Proposal *proposal;
    uint64_t time_ms; /* receipt time of the proposal */
    uint64_t log_index;
    const uint8_t *hash;
    size_t n_ballots;
    int closed;             /* at now_ms: decided (settled early, or past deadline) */
    uint64_t closed_at_ms;  /* when it was decided (deadline or settling ballot) */
    int settled;            /* decided by a ballot before the deadline */
    size_t settled_ballots; /* ballots recorded when it settled */
    int voting_open;        /* at now_ms: before the deadline and a member yet to vote */
    uint64_t last_index;    /* log index of its latest accepted event: a certificate's end */
    int pending;            /* at now_ms: passed, within its call-in period */
    uint64_t effective_ms;  /* end of its call-in period; 0: none applies */
    int called_in;          /* suspended by a call-in until reconsidered */
    const char *called_by;
    const char *call_in_reasons;
    int resolved;           /* 0, or CONFIRM or WITHDRAW by a reconsideration */
    int effective;          /* at now_ms: passed and in effect */
    size_t ratifiers;       /* advisory board: the bodies that ratify */
    size_t ratified;        /* of them, those that ratified */
    size_t declined;        /* and those that declined */
    size_t lapsed;          /* and those that let the charter's time limit pass (at now_ms) */
    uint64_t ratify_by_ms;  /* the end of that time limit; 0: none */
    board_tally_t tally;    /* at now_ms; with the settling, if any, explained */
    int released;           /* an exempt item whose proposer published its content key */
    const uint8_t *content_key; /* then: the key (EXEMPT_KEY_LEN bytes), else NULL */
} board_proposal_view_t;

size_t board_proposal_count(const board_engine_t *e);

/* The i-th proposal in log order, viewed at now_ms. */
void board_proposal_at(const board_engine_t *e, size_t i, uint64_t now_ms,
                       board_proposal_view_t *out);

/* Finds a proposal by full id or unique prefix (at least 6 characters).
 * Returns 0, or -1 with NOT_FOUND or INVALID_ARGUMENT (ambiguous). */
int board_proposal_find(const board_engine_t *e, const char *id_or_prefix, uint64_t now_ms,
                        board_proposal_view_t *out, cc_err_t *err);

/* The j-th accepted ballot of proposal view p, in log order. */
void board_ballot_at(const board_engine_t *e, const board_proposal_view_t *p, size_t j,
                     board_ballot_view_t *out);

/* Every accepted event of board_id with log index <= upto, in log order:
 * what a decision certificate carries. fn returns 0 to go on. */
int board_events(const board_engine_t *e, const char *board_id, uint64_t upto,
                 int (*fn)(uint64_t log_index, const uint8_t hash[32], void *arg), void *arg);

/* What a certificate for board_id up to log index upto carries: the
 * board's accepted events up to upto and, from every other board, its
 * events addressed to "*" up to its latest decision that changed the
 * roster, merged in log order; board_id NULL: every accepted event
 * addressed to "*" of every board (never a board's business). fn returns
 * 0 to go on. Returns 0, fn's non-zero answer, or -1 for an unknown
 * board or when memory runs out. */
int board_certificate_events(const board_engine_t *e, const char *board_id, uint64_t upto,
                             int (*fn)(uint64_t log_index, const uint8_t hash[32], void *arg),
                             void *arg);

/* The same for a certificate of proposal proposal_id on board_id, with
 * only the events the tier keeps: BOARD_CERT_COMPACT, the events of the
 * proposals that decide a board's state and the roster (charter
 * adoptions and amendments, membership changes, footprint realignments)
 * and the proposal's own (with a reconsideration of it), leaving out
 * unrelated decisions; BOARD_CERT_POOLS, also every pool agreement,
 * variation and reconsideration (which later pool proposals may rest
 * on); BOARD_CERT_ALL, every accepted event, as board_certificate_events. */
#define BOARD_CERT_COMPACT 0
#define BOARD_CERT_POOLS 1
#define BOARD_CERT_ALL 2
int board_certificate_events_for(const board_engine_t *e, const char *board_id,
                                 const char *proposal_id, uint64_t upto, int tier,
                                 int (*fn)(uint64_t log_index, const uint8_t hash[32], void *arg),
                                 void *arg);

/* Rejected events in log order (for `proposal show`: refused ballots with
 * their reasons). */
typedef struct {
    const char *sender;
    const char *method;
    const char *proposal_id; /* "" if none could be read */
    uint64_t log_index;
    cc_code_t code;
    const char *reason;
} board_rejection_t;

size_t board_rejection_count(const board_engine_t *e);
void board_rejection_at(const board_engine_t *e, size_t i, board_rejection_t *out);

/* Passed FOOTPRINT_REALIGNMENT decisions, in the order they took effect
 * (a later one for the same organisation supersedes an earlier). */
typedef struct {
    const char *organisation;
    const char *footprint;
    const char *proposal_id;
    const char *board_id;
    uint64_t decided_at_ms;
} board_realignment_t;

size_t board_realignment_count(const board_engine_t *e);
void board_realignment_at(const board_engine_t *e, size_t i, board_realignment_t *out);

/* Passed POOL_AGREEMENT and POOL_VARIATION decisions, in the order they
 * took effect. effect_index is the log index of the event at which the
 * decision closed (its deciding ballot), or before which it closed (the
 * first event after its deadline): it takes effect before any later
 * event. Pointers live as long as the engine. */
typedef struct {
    const char *proposal_id;
    const char *board_id;
    const char *proposer;
    int kind;                                    /* POOL_AGREEMENT or POOL_VARIATION */
    const Concord__V1__PoolAgreement *agreement; /* POOL_AGREEMENT */
    const Concord__V1__Variation *variation;     /* POOL_VARIATION */
    uint64_t effect_index;
    uint64_t decided_at_ms;
} board_pool_decision_t;

size_t board_pool_decision_count(const board_engine_t *e);
void board_pool_decision_at(const board_engine_t *e, size_t i, board_pool_decision_t *out);

/* ---- roster changes (board.c) ----
 *
 * A MEMBERSHIP_CHANGE of action ROTATE_KEY or MERGE, or ADMIT with an
 * organisation (one not yet in the roster, with its keys), changes the
 * roster itself. Any active board may decide one, provided:
 *  - ROTATE_KEY: mc->organisation carries the organisation's code and
 *    new keys, and the organisation itself proposes it (so its current
 *    key signed the proposal); the keys were never used before.
 *  - MERGE: mc->organisation is the successor (a predecessor continuing,
 *    or a new organisation with fresh keys and a code never in the
 *    roster), mc->predecessors are current members and members of the
 *    board, and each of them votes FOR, besides the board's own rule.
 *  - ADMIT: mc->organisation is new to the roster (a code never in it, a
 *    name, a kind, fresh keys) and mc->member is its seat on this board;
 *    it joins the roster and the board together.
 *  - Each passes only when a ballot decides it: one still undecided at
 *    its deadline fails, so every node (and a certificate) puts the
 *    change at the same log position: after the deciding ballot. */

/* 1 if p is a roster change (ROTATE_KEY, MERGE, ADMIT of a newcomer). */
int board_roster_level(const Concord__V1__Proposal *p);

/* Whether mc may be proposed by proposer on the board whose charter is
 * ch. Returns 0, or -1 with PERMISSION_DENIED (a rotation proposed by
 * someone else), ALREADY_EXISTS (keys in use, successor code taken),
 * NOT_FOUND (not in the roster), FAILED_PRECONDITION (a predecessor not
 * on this board), INVALID_ARGUMENT (malformed). */
int board_roster_check(const roster_t *roster, const Concord__V1__Charter *ch, const char *proposer,
                       const Concord__V1__MembershipChange *mc, cc_err_t *err);

/* Adjusts a tally of p (under ch, with these ballots) for what a roster
 * change needs beyond the rule: every predecessor's FOR for a merger,
 * and a deciding ballot (settled) rather than the deadline. Appends the
 * reasons to t->explanation. Does nothing for other proposals. */
void board_roster_consent(const Concord__V1__Proposal *p, const Concord__V1__Charter *ch,
                          const board_ballot_t *ballots, size_t n, int final, int settled,
                          board_tally_t *t);

/* Applies a passed change to roster after at_index (decision: the
 * proposal id). Returns 0, or -1 with err from roster_rotate or
 * roster_merge. */
int board_roster_apply(roster_t *roster, const Concord__V1__MembershipChange *mc, uint64_t at_index,
                       const char *decision, cc_err_t *err);

/* The charter cur after the merger mc: the predecessors' seats pass to
 * the successor. NULL with err clear when cur has no predecessor; NULL
 * with RESOURCE_EXHAUSTED when memory runs out; else a new charter the
 * caller frees with wire_free. */
Concord__V1__Charter *board_roster_charter(const Concord__V1__Charter *cur,
                                           const Concord__V1__MembershipChange *mc, cc_err_t *err);

/* The register of NHS England delegations the engine folded
 * (Board/Delegation events, delegation.h). */
const delegation_register_t *board_delegations(const board_engine_t *e);

/* The register of persons, delegations and interests the engine folded
 * (Board/Person, Board/PersonRevoke, Board/Interest; people.h). */
const people_register_t *board_people(const board_engine_t *e);
/* The chain organisation -> delegation -> person of an act of kind act
 * (PersonAct) on board_id naming person ("" when the organisation signed
 * it alone), checked against the engine's register at ev's log position
 * (PROTOCOL.md 16.13); required: a person must sign it. The refusals of
 * people_check_act, and INVALID_ARGUMENT for a person's signature on an
 * act naming no person. Returns 0 or -1. */
int board_person_act(const board_engine_t *e, const board_event_t *ev, const char *board_id,
                     const char *person, int act, int required, cc_err_t *err);
/* ---- meetings and forward plans (docs/BOARDS.md "Meetings and the
 * forward plan"; meeting_rules.h states the rules) ----
 *
 *  - Board/Meeting: the chair, a co-chair or the secretary (who proposed
 *    the adoption) of an active board calls a meeting with its agenda;
 *    Board/Agenda adds an item before it starts. An item names an open
 *    proposal of the board with no ballot yet, on no other meeting, whose
 *    deadline is not before the meeting starts: it is then a meeting item.
 *  - Board/Attendance: they record each member's attendance once, before
 *    the meeting ends. On a meeting item only members recorded present or
 *    substituted vote, and only while the meeting sits; its quorum counts
 *    them; it is decided when all of them have voted.
 *  - Board/Minutes: the chair (or a co-chair; the secretary on a board
 *    with no chair) approves a meeting's minutes as a correct record once,
 *    while the board's next meeting sits.
 *  - Board/ForwardPlan: a council member of a board publishes a forward
 *    plan entry; its key decisions on the board rest on one. */

typedef struct {
    const char *id;       /* hex of the Board/Meeting call id */
    const char *board_id;
    const Concord__V1__Meeting *meeting;
    const char *called_by;
    uint64_t time_ms;     /* receipt time: the agenda's publication */
    size_t n_items;       /* every item, supplementary ones included */
    size_t n_attendance;
    size_t n_events;      /* its accepted events, but the approval of its minutes */
    int approved;         /* its minutes approved as a correct record */
    const char *approved_at; /* at this meeting */
    const char *approved_by;
    const uint8_t *approved_sha256;
    uint64_t approved_ms;
    const uint8_t *approval_hash; /* the approval's event (not among the n_events) */
} board_meeting_view_t;

size_t board_meeting_count(const board_engine_t *e);
void board_meeting_at(const board_engine_t *e, size_t i, board_meeting_view_t *out);

/* The index of a meeting by full id or unique prefix (at least 6
 * characters). Returns it, or -1 with NOT_FOUND or INVALID_ARGUMENT. */
long board_meeting_find(const board_engine_t *e, const char *id_or_prefix, cc_err_t *err);

/* Of meeting i: its j-th item with its publication time; its j-th
 * attendance record, who recorded it and when; its j-th event's hash. */
const Concord__V1__AgendaItem *board_meeting_item(const board_engine_t *e, size_t i, size_t j,
                                                  uint64_t *published_ms);
const Concord__V1__Attendance *board_meeting_attendance(const board_engine_t *e, size_t i,
                                                        size_t j, const char **by,
                                                        uint64_t *time_ms);
const uint8_t *board_meeting_event(const board_engine_t *e, size_t i, size_t j);

/* The meeting whose agenda has proposal_id, or NULL. */
const char *board_meeting_of(const board_engine_t *e, const char *proposal_id);

typedef struct {
    const char *id;       /* hex of the Board/ForwardPlan call id */
    const char *board_id;
    const char *council;
    const Concord__V1__ForwardPlanEntry *entry;
    uint64_t time_ms;     /* its publication */
    const uint8_t *hash;
} board_plan_view_t;

size_t board_plan_count(const board_engine_t *e);
void board_plan_at(const board_engine_t *e, size_t i, board_plan_view_t *out);

/* Lower-case hex of a 16-byte call id into out (33 bytes). */
void board_proposal_id(const uint8_t call_id[16], char out[BOARD_PROPOSAL_ID_LEN + 1]);

#endif
