/* SPDX-License-Identifier: Apache-2.0 */
/* boards: board events in, board commands from the CLI, automatic votes. */
#include "boards.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "board.h"
#include "board_names.h"
#include "boards_view.h"
#include "certificate_build.h"
#include "clock.h"
#include "log.h"
#include "receipt.h"
#include "wire.h"
#include "fold.h"
#include "footprint_report.h"
#include "meetings_view.h"
#include "waits.h"

#define BOARDS_ID_MAX 256
#define BOARDS_TEXT_MAX (64 * 1024)

/* The automatic voting policy: from the config at start, replaceable at
 * run time through the control socket ("auto-vote"). */
typedef struct {
    int on;
    uint64_t against_above; /* pence; 0: no limit */
    uint64_t for_below;     /* pence; 0: no limit */
    char abstain_areas[256];
    char against_areas[256];
} s_policy_t;

struct boards {
    const config_node_t *cfg;
    s_policy_t policy;
    roster_t *roster;
    ledger_t *ledger;
    rpc_peer_t *peer;
    board_engine_t *engine;
    waits_t *waits;
    char (*voted)[BOARD_PROPOSAL_ID_LEN + 1]; /* proposals this node auto-voted on */
    size_t n_voted;
    uint64_t vote_retry_at_ms; /* an automatic vote failed: try again then (0: none) */
    int replaying;
    /* The last footprint report and the realignments it was computed
     * with: computed again only when a realignment passes. */
    Concord__V1__FootprintReportReply *fp_report;
    size_t fp_realignments;
};

static void s_auto_vote(boards_t *b, const char *proposal_id);
static void s_auto_vote_open(boards_t *b);

/* An automatic vote that could not be published (the ledger could not be
 * written) is tried again after this long, on every open proposal. */
#define S_VOTE_RETRY_MS 2000

/* ---- waits ---- */

/* Answers the CLI request that published an accepted event with the
 * proposal as every node now sees it. */
static void s_answer(const waits_entry_t *w, const envelope_t *env, void *arg)
{
    boards_t *b = arg;
    char pid[BOARD_PROPOSAL_ID_LEN + 1];
    board_proposal_view_t pv;
    cc_err_t err;
    control_arena_t a = {0};
    Concord__V1__ProposalView out = CONCORD__V1__PROPOSAL_VIEW__INIT;
    if (strcmp(env->header->method, BOARD_METHOD_PROPOSE) == 0) {
        board_proposal_id(env->header->call_id.data, pid);
    } else if (strcmp(env->header->method, BOARD_METHOD_RATIFY) == 0) {
        Concord__V1__Ratification *ra = (Concord__V1__Ratification *)wire_unpack(
            &concord__v1__ratification__descriptor, env->body, env->body_len, WIRE_MAX_FRAME, NULL);
        snprintf(pid, sizeof pid, "%s", ra ? ra->proposal_id : "");
        wire_free(ra ? &ra->base : NULL);
    } else if (strcmp(env->header->method, BOARD_METHOD_RELEASE) == 0) {
        Concord__V1__Release *rl = (Concord__V1__Release *)wire_unpack(
            &concord__v1__release__descriptor, env->body, env->body_len, WIRE_MAX_FRAME, NULL);
        snprintf(pid, sizeof pid, "%s", rl ? rl->proposal_id : "");
        wire_free(rl ? &rl->base : NULL);
    } else if (strcmp(env->header->method, PEOPLE_METHOD_DECLARE) == 0) {
        Concord__V1__Declaration *d = (Concord__V1__Declaration *)wire_unpack(
            &concord__v1__declaration__descriptor, env->body, env->body_len, WIRE_MAX_FRAME, NULL);
        snprintf(pid, sizeof pid, "%s", d ? d->proposal_id : "");
        wire_free(d ? &d->base : NULL);
    } else if (strcmp(env->header->method, BOARD_METHOD_CALL_IN) == 0) {
        Concord__V1__CallIn *ci = (Concord__V1__CallIn *)wire_unpack(
            &concord__v1__call_in__descriptor, env->body, env->body_len, WIRE_MAX_FRAME, NULL);
        snprintf(pid, sizeof pid, "%s", ci ? ci->proposal_id : "");
        wire_free(ci ? &ci->base : NULL);
    } else {
        Concord__V1__Ballot *bl = (Concord__V1__Ballot *)wire_unpack(
            &concord__v1__ballot__descriptor, env->body, env->body_len, WIRE_MAX_FRAME, NULL);
        snprintf(pid, sizeof pid, "%s", bl ? bl->proposal_id : "");
        wire_free(bl ? &bl->base : NULL);
    }
    if (board_proposal_find(b->engine, pid, clock_wall_ms(), &pv, &err) == 0) {
        boards_view_proposal(b->engine, &pv, rpc_peer_keys(b->peer), 1, &out, &a);
    }
    control_answer_arena(w->call, &out.base, &a);
}

/* The register of NHS England delegations, or one organisation's part of
 * it, as a Control reply. */
static void s_delegation_list(boards_t *b, void *call, const char *org)
{
    control_arena_t a = {0};
    Concord__V1__DelegationListReply out = CONCORD__V1__DELEGATION_LIST_REPLY__INIT;
    const delegation_register_t *reg = board_delegations(b->engine);
    size_t n = delegation_count(reg);
    /* One organisation's part: its own records and those of the
     * predecessors it succeeded, which it now holds. */
    char holders[DELEGATION_HOLDERS_MAX][KEYS_CODE_MAX + 1];
    size_t n_holders =
        org && org[0] ? delegation_holders(b->roster, org, UINT64_MAX, holders,
                                           DELEGATION_HOLDERS_MAX)
                      : 0;
    out.delegations = control_alloc_messages(&a, &concord__v1__delegation_view__descriptor, n);
    for (size_t i = 0; out.delegations && i < n; i++) {
        delegation_entry_t d;
        size_t h = 0;
        delegation_at(reg, i, &d);
        while (h < n_holders && strcmp(d.record->organisation, holders[h]) != 0) {
            h++;
        }
        if (org && org[0] && h == n_holders) {
            continue;
        }
        Concord__V1__DelegationView *v = out.delegations[out.n_delegations++];
        v->carried_to = control_str(h > 0 && h < n_holders ? org : "");
        v->record = (Concord__V1__DelegationRecord *)d.record;
        v->signer = control_str(d.signer);
        v->provision = control_str(delegation_provision(d.record->from_date));
        v->log_index = d.log_index;
        v->recorded_at_ms = d.time_ms;
    }
    control_answer_arena(call, &out.base, &a);
}

/* The register of persons and interests as a Control reply: persons of
 * org (empty: all) whose delegation covers board (empty: any), and, with
 * interests set, those persons' interests instead. */
static void s_people_list(boards_t *b, void *call, const char *org, const char *board,
                          int interests)
{
    control_arena_t a = {0};
    Concord__V1__PeopleReply out = CONCORD__V1__PEOPLE_REPLY__INIT;
    const people_register_t *reg = board_people(b->engine);
    size_t n = people_count(reg), ni = people_interest_count(reg);
    char *keep = calloc(n + 1, 1);
    out.people = interests ? NULL
                           : control_alloc_messages(&a, &concord__v1__person_view__descriptor, n);
    out.interests = interests ? control_alloc_messages(&a, &concord__v1__interest_view__descriptor,
                                                       ni)
                              : NULL;
    for (size_t i = 0; keep && i < n; i++) {
        people_entry_t pe;
        people_at(reg, i, &pe);
        int covers = !board || !board[0];
        for (size_t k = 0; !covers && k < pe.person->n_boards; k++) {
            covers = strcmp(pe.person->boards[k], board) == 0;
        }
        keep[i] = covers && (!org || !org[0] || strcmp(pe.org, org) == 0);
        if (!keep[i] || !out.people) {
            continue;
        }
        Concord__V1__PersonView *v = out.people[out.n_people++];
        v->organisation = control_str(pe.org);
        v->person = (Concord__V1__Person *)pe.person;
        v->log_index = pe.log_index;
        v->registered_at_ms = pe.time_ms;
        v->revoked = pe.revoked != 0;
        v->revoked_index = pe.revoked_index;
        v->revoke_reason = control_str(pe.revoke_reason);
    }
    for (size_t i = 0; keep && out.interests && i < ni; i++) {
        people_interest_t in;
        people_interest_at(reg, i, &in);
        long w = people_find(reg, in.org, in.interest->person_id);
        if (w < 0 || !keep[w]) {
            continue;
        }
        people_entry_t pe;
        people_at(reg, (size_t)w, &pe);
        Concord__V1__InterestView *v = out.interests[out.n_interests++];
        v->organisation = control_str(in.org);
        v->name = control_str(pe.person->name);
        v->role = control_str(pe.person->role);
        v->interest = (Concord__V1__Interest *)in.interest;
        v->log_index = in.log_index;
        v->recorded_at_ms = in.time_ms;
    }
    if (!keep) {
        free(keep);
        control_fail(call, CC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    free(keep);
    control_answer_arena(call, &out.base, &a);
}

static void s_answer_people(const waits_entry_t *w, const envelope_t *env, void *arg)
{
    boards_t *b = arg;
    int interest = strcmp(env->header->method, PEOPLE_METHOD_INTEREST) == 0;
    s_people_list(b, w->call, b->cfg->code, "", interest);
}

static void s_answer_delegation(const waits_entry_t *w, const envelope_t *env, void *arg)
{
    Concord__V1__DelegationRecord *d = (Concord__V1__DelegationRecord *)wire_unpack(
        &concord__v1__delegation_record__descriptor, env->body, env->body_len, WIRE_MAX_FRAME,
        NULL);
    char org[KEYS_CODE_MAX + 1];
    snprintf(org, sizeof org, "%s", d ? d->organisation : "");
    wire_free(d ? &d->base : NULL);
    s_delegation_list(arg, w->call, org);
}

/* Answers with the meeting an accepted meeting event concerns. */
static void s_answer_meeting(const waits_entry_t *w, const envelope_t *env, void *arg)
{
    boards_t *b = arg;
    control_arena_t a = {0};
    Concord__V1__MeetingView out = CONCORD__V1__MEETING_VIEW__INIT;
    cc_err_t err;
    char id[BOARD_PROPOSAL_ID_LEN + 1];
    snprintf(id, sizeof id, "%s", w->subject ? w->subject : "");
    if (strcmp(env->header->method, BOARD_METHOD_MEETING) == 0) {
        board_proposal_id(env->header->call_id.data, id);
    }
    long i = board_meeting_find(b->engine, id, &err);
    if (i < 0) {
        control_fail(w->call, err.code, "%s", err.msg);
        return;
    }
    meetings_view_meeting(b->engine, (size_t)i, clock_wall_ms(), &out, &a);
    control_answer_arena(w->call, &out.base, &a);
}

static void s_answer_plan(const waits_entry_t *w, const envelope_t *env, void *arg)
{
    boards_t *b = arg;
    control_arena_t a = {0};
    char id[BOARD_PROPOSAL_ID_LEN + 1];
    Concord__V1__ForwardPlanReply out = CONCORD__V1__FORWARD_PLAN_REPLY__INIT;
    board_proposal_id(env->header->call_id.data, id);
    meetings_view_plan(b->engine, NULL, id, &out, &a);
    control_answer_arena(w->call, &out.base, &a);
}

static waits_answer_fn s_answer_for(const char *method)
{
    if (strcmp(method, BOARD_METHOD_DELEGATION) == 0) {
        return s_answer_delegation;
    }
    if (strcmp(method, BOARD_METHOD_FORWARD_PLAN) == 0) {
        return s_answer_plan;
    }
    if (strcmp(method, BOARD_METHOD_MEETING) == 0 || strcmp(method, BOARD_METHOD_AGENDA) == 0 ||
        strcmp(method, BOARD_METHOD_ATTENDANCE) == 0 || strcmp(method, BOARD_METHOD_MINUTES) == 0) {
        return s_answer_meeting;
    }
    if (strcmp(method, PEOPLE_METHOD_PERSON) == 0 || strcmp(method, PEOPLE_METHOD_REVOKE) == 0 ||
        strcmp(method, PEOPLE_METHOD_INTEREST) == 0) {
        return s_answer_people;
    }
    return s_answer;
}

static void s_tick(boards_t *b)
{
    waits_tick(b->waits);
    if (b->vote_retry_at_ms && clock_mono_ms() >= b->vote_retry_at_ms) {
        b->vote_retry_at_ms = 0;
        s_auto_vote_open(b);
    }
}

/* ---- events ---- */

static void s_on_event(const envelope_t *env, uint64_t log_index, uint64_t time_ms, void *arg)
{
    boards_t *b = arg;
    const Concord__V1__Header *h = env->header;
    cc_err_t why;
    if (!board_method(h->method)) {
        /* Another engine's event: proposals whose deadline passed before
         * it close first, so their effects (a pool agreement) come before
         * it on every node alike. */
        if (h->kind == CONCORD__V1__KIND__KIND_EVENT &&
            (strcmp(h->recipient, ENVELOPE_EVERYONE) == 0 || envelope_board_of(h->recipient)) &&
            board_advance(b->engine, log_index, time_ms, &why) < 0) {
            log_warn("board: cannot close proposals due before log %llu: %s",
                     (unsigned long long)log_index, why.msg);
        }
        return;
    }
    if (!fold_broadcast_ok(env, log_index, "board")) {
        return;
    }
    board_event_t ev = fold_event_of(env, log_index, time_ms);
    err_clear(&why);
    int accepted = board_apply(b->engine, &ev, &why) == 0;
    fold_log_verdict("board", env, log_index, accepted, &why, b->replaying);
    waits_resolve(b->waits, env, accepted, &why, s_answer_for(h->method), b);
    if (accepted && !b->replaying && strcmp(h->method, BOARD_METHOD_PROPOSE) == 0) {
        char pid[BOARD_PROPOSAL_ID_LEN + 1];
        board_proposal_id(h->call_id.data, pid);
        s_auto_vote(b, pid);
    }
}

/* ---- automatic voting ---- */

static int s_already_voted(boards_t *b, const char *pid)
{
    for (size_t i = 0; i < b->n_voted; i++) {
        if (strcmp(b->voted[i], pid) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Records that this node voted on pid (nothing if memory runs out: the
 * board engine still refuses a second ballot). */
static void s_remember_vote(boards_t *b, const char *pid)
{
    void *grown = realloc(b->voted, (b->n_voted + 1) * sizeof *b->voted);
    if (grown) {
        b->voted = grown;
        snprintf(b->voted[b->n_voted++], sizeof b->voted[0], "%s", pid);
    }
}

/* A ledger_entry_fn: remembers the proposal of each ballot this node sent.
 * A ballot stored and sent just before a crash may not have come back
 * through the broker yet; without this the node would vote again. */
static int s_recall_vote(const ledger_entry_t *e, void *arg, cc_err_t *err)
{
    boards_t *b = arg;
    (void)err;
    envelope_t *env = envelope_open_at(e->envelope, e->envelope_len, b->roster, e->log_index, NULL);
    Concord__V1__Ballot *ballot =
        env ? (Concord__V1__Ballot *)wire_unpack(&concord__v1__ballot__descriptor, env->body,
                                                  env->body_len, WIRE_MAX_FRAME, NULL)
            : NULL;
    if (ballot && !s_already_voted(b, ballot->proposal_id)) {
        s_remember_vote(b, ballot->proposal_id);
    }
    wire_free(ballot ? &ballot->base : NULL);
    envelope_destroy(&env);
    return 0;
}

/* The policy's vote on a proposal, or 0 for no vote. */
static int s_policy(const s_policy_t *cfg, const Concord__V1__Proposal *p, const char **why)
{
    if (p->kind == CONCORD__V1__PROPOSAL_KIND__CHARTER_ADOPTION) {
        *why = "automatic: the charter names this organisation";
        return CONCORD__V1__VOTE__FOR;
    }
    if (p->area && board_names_area_listed(cfg->abstain_areas, p->area)) {
        *why = "automatic: abstains on this service area";
        return CONCORD__V1__VOTE__ABSTAIN;
    }
    if (p->area && board_names_area_listed(cfg->against_areas, p->area)) {
        *why = "automatic: opposes this service area";
        return CONCORD__V1__VOTE__AGAINST;
    }
    if (cfg->against_above && (uint64_t)p->amount_pence > cfg->against_above) {
        *why = "automatic: amount above this organisation's limit";
        return CONCORD__V1__VOTE__AGAINST;
    }
    if (cfg->for_below && (uint64_t)p->amount_pence >= cfg->for_below) {
        return 0; /* left to people */
    }
    *why = "";
    return CONCORD__V1__VOTE__FOR;
}

static void s_auto_vote(boards_t *b, const char *pid)
{
    board_proposal_view_t pv;
    cc_err_t err;
    const char *why = "";
    if (!b->policy.on || s_already_voted(b, pid) ||
        board_proposal_find(b->engine, pid, clock_wall_ms(), &pv, &err) < 0 || !pv.voting_open) {
        return;
    }
    int vote = s_policy(&b->policy, pv.proposal, &why);
    if (!vote) {
        return;
    }
    Concord__V1__Ballot ballot = CONCORD__V1__BALLOT__INIT;
    ballot.board_id = (char *)pv.board_id;
    ballot.proposal_id = (char *)pv.id;
    ballot.vote = (Concord__V1__Vote)vote;
    ballot.reason = (char *)why;
    uint8_t *body = NULL;
    size_t body_len = 0;
    uint8_t call_id[16] = {0}, hash[32] = {0};
    if (wire_pack(&ballot.base, WIRE_MAX_FRAME, &body, &body_len, &err) < 0) {
        return;
    }
    board_event_t ev = {.sender = b->cfg->code, .log_index = UINT64_MAX,
                        .time_ms = clock_wall_ms(), .call_id = call_id, .hash = hash,
                        .method = BOARD_METHOD_VOTE, .body = body, .body_len = body_len};
    char to[BOARD_AUDIENCE_MAX + 1];
    int ok = board_precheck(b->engine, &ev, &err) == 0 &&
             board_audience(b->engine, &ev, to, &err) == 0;
    free(body);
    if (!ok) {
        return; /* not a voter on this one, or already voted */
    }
    /* Remembered only once published: a vote the ledger could not store
     * was never sent, and is tried again rather than lost. */
    if (rpc_peer_publish(b->peer, to, BOARD_METHOD_VOTE, &ballot.base, NULL, &err) < 0) {
        log_error("automatic vote on %s: %s (trying again in %d s)", pv.id, err.msg,
                  S_VOTE_RETRY_MS / 1000);
        b->vote_retry_at_ms = clock_mono_ms() + S_VOTE_RETRY_MS;
        return;
    }
    s_remember_vote(b, pv.id);
    log_info("voted %s on proposal %s by automatic policy", board_names_vote(vote), pv.id);
}

/* Gives every open proposal this node's automatic vote, if due. */
static void s_auto_vote_open(boards_t *b)
{
    for (size_t i = 0; i < board_proposal_count(b->engine); i++) {
        board_proposal_view_t pv;
        board_proposal_at(b->engine, i, clock_wall_ms(), &pv);
        if (pv.voting_open) {
            s_auto_vote(b, pv.id);
        }
    }
}

/* The automatic voting policy the config sets. */
static void s_policy_from(boards_t *b, const config_node_t *cfg)
{
    b->policy.on = cfg->auto_vote;
    b->policy.against_above = cfg->auto_vote_against_above;
    b->policy.for_below = cfg->auto_vote_for_below;
    snprintf(b->policy.abstain_areas, sizeof b->policy.abstain_areas, "%s",
             cfg->auto_vote_abstain_areas);
    snprintf(b->policy.against_areas, sizeof b->policy.against_areas, "%s",
             cfg->auto_vote_against_areas);
}

static boards_t *s_new(const config_node_t *cfg, roster_t *roster, ledger_t *ledger,
                     rpc_peer_t *peer, board_roster_fn on_roster, void *arg, cc_err_t *err)
{
    boards_t *b = calloc(1, sizeof *b);
    if (!b || !(b->engine = board_engine_new(roster)) ||
        !(b->waits = waits_new(cfg->call_timeout_ms, "concord proposal list"))) {
        if (b) {
            board_engine_destroy(&b->engine);
        }
        free(b);
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return NULL;
    }
    b->cfg = cfg;
    s_policy_from(b, cfg);
    b->roster = roster;
    b->ledger = ledger;
    b->peer = peer;
    board_engine_on_roster(b->engine, on_roster, arg);
    b->replaying = 1;
    return b;
}

static void s_start(boards_t *b)
{
    cc_err_t err;
    b->replaying = 0;
    if (ledger_sent_replay(b->ledger, BOARD_METHOD_VOTE, s_recall_vote, b, &err) < 0) {
        log_warn("boards: cannot read this node's own ballots: %s", err.msg);
    }
    /* Proposals still open may need this node's automatic vote (a crash
     * may have come between a proposal and the vote). */
    s_auto_vote_open(b);
}

static void s_destroy(boards_t **bp)
{
    if (!bp || !*bp) {
        return;
    }
    boards_t *b = *bp;
    waits_destroy(&b->waits);
    board_engine_destroy(&b->engine);
    wire_free(b->fp_report ? &b->fp_report->base : NULL);
    free(b->voted);
    free(b);
    *bp = NULL;
}

/* ---- control methods ---- */

/* The boards a Control handler serves (its control_self). */
static boards_t *s_of(Concord__V1__Control_Service *service, void *call)
{
    (void)service;
    return control_self(call);
}

/* Prechecks and publishes an event built from the CLI's message, then
 * waits for the verdict of the fold to answer call. */
static void s_publish_full(boards_t *b, void *call, const char *method,
                           const ProtobufCMessage *msg, const uint8_t *person_sig,
                           const char *subject);

static void s_publish(boards_t *b, void *call, const char *method, const ProtobufCMessage *msg)
{
    s_publish_full(b, call, method, msg, NULL, NULL);
}

/* s_publish, signed also by a person (PROTOCOL.md 16.13). */
static void s_publish_as(boards_t *b, void *call, const char *method,
                         const ProtobufCMessage *msg, const uint8_t *person_sig)
{
    s_publish_full(b, call, method, msg, person_sig, NULL);
}

/* s_publish, with the meeting id the answer is about (none for a new
 * meeting: its id is its event's call id). */
static void s_publish_for(boards_t *b, void *call, const char *method,
                          const ProtobufCMessage *msg, const char *subject)
{
    s_publish_full(b, call, method, msg, NULL, subject);
}

/* A person's signature from the CLI: KEYS_SIG_LEN bytes, or none. */
static int s_person_sig(void *call, const ProtobufCBinaryData *sig, const uint8_t **out)
{
    *out = NULL;
    if (sig->len == 0) {
        return 0;
    }
    if (sig->len != KEYS_SIG_LEN) {
        control_fail(call, CC_INVALID_ARGUMENT, "a person's signature is %d bytes, not %zu",
                     KEYS_SIG_LEN, sig->len);
        return -1;
    }
    *out = sig->data;
    return 0;
}

static void s_publish_full(boards_t *b, void *call, const char *method,
                           const ProtobufCMessage *msg, const uint8_t *person_sig,
                           const char *subject)
{
    cc_err_t err;
    uint8_t *body = NULL;
    size_t body_len = 0;
    uint8_t call_id[16], hash[32] = {0};
    envelope_new_call_id(call_id);
    if (wire_pack(msg, WIRE_MAX_FRAME, &body, &body_len, &err) < 0) {
        control_fail(call, err.code, "%s", err.msg);
        return;
    }
    board_event_t ev = {.sender = b->cfg->code, .log_index = UINT64_MAX,
                        .time_ms = clock_wall_ms(), .call_id = call_id, .hash = hash,
                        .method = method, .body = body, .body_len = body_len,
                        .person_sig = person_sig};
    char to[BOARD_AUDIENCE_MAX + 1];
    int ok = board_precheck(b->engine, &ev, &err) == 0 &&
             board_audience(b->engine, &ev, to, &err) == 0 &&
             rpc_peer_publish_as(b->peer, to, method, msg, person_sig, hash, &err) == 0;
    free(body);
    if (!ok) {
        control_fail(call, err.code, "%s", err.msg);
        return;
    }
    waits_add(b->waits, call, hash, subject, 0);
}

void boards_propose(boards_t *b, void *call, const Concord__V1__Proposal *p)
{
    s_publish(b, call, BOARD_METHOD_PROPOSE, &p->base);
}

const board_engine_t *boards_engine(const boards_t *b)
{
    return b->engine;
}

/* A rotation of this organisation's keys needs the new secret keys at
 * hand (config key_next) before it is proposed: once it passes, nothing
 * signed with the old keys is accepted. */
static int s_next_keys_ready(const boards_t *b, const Concord__V1__Proposal *p, cc_err_t *err)
{
    const Concord__V1__Organisation *o = p->membership->organisation;
    if (p->membership->action != CONCORD__V1__MEMBERSHIP_ACTION__ROTATE_KEY || !o ||
        strcmp(o->code, b->cfg->code) != 0) {
        return 0;
    }
    if (!b->cfg->key_next[0]) {
        err_set(err, CC_FAILED_PRECONDITION,
                "set key_next in this node's config to the new secret key file and restart the"
                " node before proposing the rotation (docs/OPERATIONS.md)");
        return -1;
    }
    keys_t *next = keys_load(b->cfg->key_next, err);
    int same = next && o->sign_key.len == KEYS_PK_LEN && o->transport_key.len == KEYS_PK_LEN &&
               memcmp(keys_public(next)->sign_pk, o->sign_key.data, KEYS_PK_LEN) == 0 &&
               memcmp(keys_public(next)->curve_pk, o->transport_key.data, KEYS_PK_LEN) == 0;
    if (next && !same) {
        err_set(err, CC_FAILED_PRECONDITION, "the proposed keys are not those in key_next (%s)",
                b->cfg->key_next);
    }
    keys_destroy(&next);
    return same ? 0 : -1;
}

/* An exempt item (docs/PROTOCOL.md section 16.10): its title, text and
 * paper are encrypted under a fresh content key, sealed to each member of
 * the board as it stands; what is published carries a title naming the
 * ground only. */
static void s_propose_exempt(boards_t *b, void *call, const Concord__V1__ProposeRequest *in)
{
    const Concord__V1__Proposal *p = in->proposal;
    cc_err_t err;
    char reason[EXEMPT_REASON_MAX + 1], title[BOARD_TITLE_MAX + 1];
    board_view_t v;
    if (exempt_reason_parse(p->exempt->reason, reason, &err) < 0) {
        control_fail(call, err.code, "%s", err.msg);
        return;
    }
    if (board_get(b->engine, p->board_id, &v) < 0) {
        control_fail(call, CC_NOT_FOUND, "no board '%.40s'", p->board_id);
        return;
    }
    size_t n = v.charter->n_members;
    const char **codes = calloc(n ? n : 1, sizeof *codes);
    uint8_t (*pks)[32] = calloc(n ? n : 1, sizeof *pks);
    Concord__V1__Exemption x = CONCORD__V1__EXEMPTION__INIT;
    Concord__V1__ExemptContent c = CONCORD__V1__EXEMPT_CONTENT__INIT;
    if (!codes || !pks) {
        err_oom(&err);
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        roster_org_t o;
        codes[i] = v.charter->members[i]->code;
        if (roster_lookup(b->roster, codes[i], &o) < 0) {
            err_set(&err, CC_NOT_FOUND, "%s, a member of board %s, is not in the roster", codes[i],
                    v.board_id);
            goto fail;
        }
        memcpy(pks[i], o.sign_pk, 32);
    }
    c.title = p->title;
    c.text = p->text;
    c.paper_name = in->paper_name;
    c.paper = in->paper;
    if (exempt_seal(&x, &c, codes, (const uint8_t(*)[32])pks, n, NULL, &err) < 0) {
        goto fail;
    }
    x.reason = reason;
    x.release_on = p->exempt->release_on;
    Concord__V1__Proposal sealed = *p;
    snprintf(title, sizeof title, "Exempt item (%s)", reason);
    sealed.title = title;
    sealed.text = "";
    sealed.exempt = &x;
    s_publish(b, call, BOARD_METHOD_PROPOSE, &sealed.base);
    exempt_clear(&x);
    free(codes);
    free(pks);
    return;
fail:
    control_fail(call, err.code, "%s", err.msg);
    free(codes);
    free(pks);
}

static void s_on_release(Concord__V1__Control_Service *service,
                         const Concord__V1__ReleaseRequest *in,
                         Concord__V1__ProposalView_Closure closure, void *call)
{
    boards_t *b = s_of(service, call);
    cc_err_t err;
    board_proposal_view_t pv;
    uint8_t key[EXEMPT_KEY_LEN];
    (void)closure;
    if (board_proposal_find(b->engine, in->proposal_id, clock_wall_ms(), &pv, &err) < 0) {
        control_fail(call, err.code, "%s", err.msg);
        return;
    }
    if (!pv.proposal->exempt) {
        control_fail(call, CC_FAILED_PRECONDITION, "proposal %.12s is not an exempt item", pv.id);
        return;
    }
    int rc = exempt_open_key(pv.proposal->exempt, rpc_peer_keys(b->peer), key, &err);
    if (rc != 0) {
        control_fail(call, rc < 0 ? err.code : CC_PERMISSION_DENIED, "%s",
                     rc < 0 ? err.msg : "no content key of this exempt item is sealed to this"
                                        " organisation");
        return;
    }
    Concord__V1__Release rl = CONCORD__V1__RELEASE__INIT;
    rl.board_id = (char *)pv.board_id;
    rl.proposal_id = (char *)pv.id;
    rl.content_key.data = key;
    rl.content_key.len = EXEMPT_KEY_LEN;
    s_publish(b, call, BOARD_METHOD_RELEASE, &rl.base);
    sodium_memzero(key, sizeof key);
}

static void s_on_propose(Concord__V1__Control_Service *service,
                         const Concord__V1__ProposeRequest *in,
                         Concord__V1__ProposalView_Closure closure, void *call)
{
    boards_t *b = s_of(service, call);
    cc_err_t err;
    Concord__V1__Proposal *p = in->proposal;
    (void)closure;
    if (!p) {
        control_fail(call, CC_INVALID_ARGUMENT, "propose: no proposal");
        return;
    }
    if (board_roster_level(p) && s_next_keys_ready(b, p, &err) < 0) {
        control_fail(call, err.code, "%s", err.msg);
        return;
    }
    if (in->person_signature.len) {
        /* Signed by a person: published exactly as signed. */
        const uint8_t *sig;
        if (s_person_sig(call, &in->person_signature, &sig) == 0) {
            s_publish_as(b, call, BOARD_METHOD_PROPOSE, &p->base, sig);
        }
        return;
    }
    if (p->exempt) {
        s_propose_exempt(b, call, in);
        return;
    }
    /* An amendment from the CLI names only what changes; the rest comes
     * from the charter in force. */
    board_view_t v;
    Concord__V1__Charter merged;
    if (p->kind == CONCORD__V1__PROPOSAL_KIND__CHARTER_AMENDMENT && p->charter &&
        p->charter->n_members == 0 && board_get(b->engine, p->board_id, &v) == 0) {
        Concord__V1__Charter *want = p->charter;
        merged = *v.charter;
        if (want->rule) {
            merged.rule = want->rule;
        }
        if (want->qualified_denominator) {
            merged.qualified_numerator = want->qualified_numerator;
            merged.qualified_denominator = want->qualified_denominator;
        }
        if (want->quorum_denominator) {
            merged.quorum_numerator = want->quorum_numerator;
            merged.quorum_denominator = want->quorum_denominator;
        }
        merged.quorum_each_constituency |= want->quorum_each_constituency;
        if (want->chair[0]) {
            merged.chair = want->chair;
        }
        if (want->n_co_chairs) {
            merged.co_chairs = want->co_chairs;
            merged.n_co_chairs = want->n_co_chairs;
        }
        merged.chair_casting_vote |= want->chair_casting_vote;
        if (want->n_key_decision_thresholds) {
            merged.key_decision_thresholds = want->key_decision_thresholds;
            merged.n_key_decision_thresholds = want->n_key_decision_thresholds;
        }
        p->charter = &merged;
        s_publish(b, call, BOARD_METHOD_PROPOSE, &p->base);
        p->charter = want;
    } else {
        s_publish(b, call, BOARD_METHOD_PROPOSE, &p->base);
    }
}

static void s_on_vote(Concord__V1__Control_Service *service, const Concord__V1__VoteRequest *in,
                      Concord__V1__ProposalView_Closure closure, void *call)
{
    boards_t *b = s_of(service, call);
    cc_err_t err;
    board_proposal_view_t pv;
    const Concord__V1__Ballot *bl = in->ballot;
    (void)closure;
    if (!bl) {
        control_fail(call, CC_INVALID_ARGUMENT, "vote: no ballot");
        return;
    }
    if (in->person_signature.len) {
        /* Signed by a person: complete, and published exactly as signed. */
        const uint8_t *sig;
        if (s_person_sig(call, &in->person_signature, &sig) == 0) {
            s_publish_as(b, call, BOARD_METHOD_VOTE, &bl->base, sig);
        }
        return;
    }
    /* The CLI may give a prefix of the proposal id, and no board. */
    if (board_proposal_find(b->engine, bl->proposal_id, clock_wall_ms(), &pv, &err) < 0) {
        control_fail(call, err.code, "%s", err.msg);
        return;
    }
    Concord__V1__Ballot full = *bl;
    full.proposal_id = (char *)pv.id;
    if (!full.board_id[0]) {
        full.board_id = (char *)pv.board_id;
    }
    s_publish(b, call, BOARD_METHOD_VOTE, &full.base);
}

static void s_on_call_in(Concord__V1__Control_Service *service,
                         const Concord__V1__CallInRequest *in,
                         Concord__V1__ProposalView_Closure closure, void *call)
{
    boards_t *b = s_of(service, call);
    cc_err_t err;
    board_proposal_view_t pv;
    const Concord__V1__CallIn *ci = in->call_in;
    (void)closure;
    if (!ci) {
        control_fail(call, CC_INVALID_ARGUMENT, "call-in: no call-in");
        return;
    }
    if (board_proposal_find(b->engine, ci->proposal_id, clock_wall_ms(), &pv, &err) < 0) {
        control_fail(call, err.code, "%s", err.msg);
        return;
    }
    Concord__V1__CallIn full = *ci;
    full.proposal_id = (char *)pv.id;
    if (!full.board_id[0]) {
        full.board_id = (char *)pv.board_id;
    }
    s_publish(b, call, BOARD_METHOD_CALL_IN, &full.base);
}

static void s_on_ratify(Concord__V1__Control_Service *service,
                        const Concord__V1__RatifyRequest *in,
                        Concord__V1__ProposalView_Closure closure, void *call)
{
    boards_t *b = s_of(service, call);
    cc_err_t err;
    board_proposal_view_t pv;
    const Concord__V1__Ratification *ra = in->ratification;
    (void)closure;
    if (!ra) {
        control_fail(call, CC_INVALID_ARGUMENT, "ratify: no ratification");
        return;
    }
    if (board_proposal_find(b->engine, ra->proposal_id, clock_wall_ms(), &pv, &err) < 0) {
        control_fail(call, err.code, "%s", err.msg);
        return;
    }
    Concord__V1__Ratification full = *ra;
    full.proposal_id = (char *)pv.id;
    if (!full.board_id[0]) {
        full.board_id = (char *)pv.board_id;
    }
    s_publish(b, call, BOARD_METHOD_RATIFY, &full.base);
}

/* NHS England records a delegation of one of its service lines. */
static void s_on_record_delegation(Concord__V1__Control_Service *service,
                                   const Concord__V1__RecordDelegationRequest *in,
                                   Concord__V1__DelegationListReply_Closure closure, void *call)
{
    (void)closure;
    if (!in->record) {
        control_fail(call, CC_INVALID_ARGUMENT, "record delegation: no record");
        return;
    }
    s_publish(s_of(service, call), call, BOARD_METHOD_DELEGATION, &in->record->base);
}

static void s_on_delegation_list(Concord__V1__Control_Service *service,
                                 const Concord__V1__DelegationListRequest *in,
                                 Concord__V1__DelegationListReply_Closure closure, void *call)
{
    (void)closure;
    s_delegation_list(s_of(service, call), call, in->organisation);
}

/* ---- people ---- */

static void s_on_person_add(Concord__V1__Control_Service *service,
                            const Concord__V1__PersonAddRequest *in,
                            Concord__V1__PeopleReply_Closure closure, void *call)
{
    (void)closure;
    if (!in->person) {
        control_fail(call, CC_INVALID_ARGUMENT, "person add: no person");
        return;
    }
    s_publish(s_of(service, call), call, PEOPLE_METHOD_PERSON, &in->person->base);
}

static void s_on_person_revoke(Concord__V1__Control_Service *service,
                               const Concord__V1__PersonRevokeRequest *in,
                               Concord__V1__PeopleReply_Closure closure, void *call)
{
    (void)closure;
    if (!in->revocation) {
        control_fail(call, CC_INVALID_ARGUMENT, "person revoke: no revocation");
        return;
    }
    s_publish(s_of(service, call), call, PEOPLE_METHOD_REVOKE, &in->revocation->base);
}

static void s_on_people_list(Concord__V1__Control_Service *service,
                             const Concord__V1__PeopleListRequest *in,
                             Concord__V1__PeopleReply_Closure closure, void *call)
{
    (void)closure;
    s_people_list(s_of(service, call), call, in->organisation, in->board_id, 0);
}

static void s_on_interest_add(Concord__V1__Control_Service *service,
                              const Concord__V1__InterestAddRequest *in,
                              Concord__V1__PeopleReply_Closure closure, void *call)
{
    (void)closure;
    if (!in->interest) {
        control_fail(call, CC_INVALID_ARGUMENT, "interest add: no interest");
        return;
    }
    s_publish(s_of(service, call), call, PEOPLE_METHOD_INTEREST, &in->interest->base);
}

static void s_on_interest_list(Concord__V1__Control_Service *service,
                               const Concord__V1__PeopleListRequest *in,
                               Concord__V1__PeopleReply_Closure closure, void *call)
{
    (void)closure;
    s_people_list(s_of(service, call), call, in->organisation, in->board_id, 1);
}

static void s_on_declare(Concord__V1__Control_Service *service,
                         const Concord__V1__DeclareRequest *in,
                         Concord__V1__ProposalView_Closure closure, void *call)
{
    boards_t *b = s_of(service, call);
    cc_err_t err;
    board_proposal_view_t pv;
    const Concord__V1__Declaration *d = in->declaration;
    (void)closure;
    if (!d) {
        control_fail(call, CC_INVALID_ARGUMENT, "declare: no declaration");
        return;
    }
    const uint8_t *sig;
    if (s_person_sig(call, &in->person_signature, &sig) < 0) {
        return;
    }
    if (sig) {
        s_publish_as(b, call, PEOPLE_METHOD_DECLARE, &d->base, sig);
        return;
    }
    if (board_proposal_find(b->engine, d->proposal_id, clock_wall_ms(), &pv, &err) < 0) {
        control_fail(call, err.code, "%s", err.msg);
        return;
    }
    Concord__V1__Declaration full = *d;
    full.proposal_id = (char *)pv.id;
    if (!full.board_id[0]) {
        full.board_id = (char *)pv.board_id;
    }
    s_publish(b, call, PEOPLE_METHOD_DECLARE, &full.base);
}

static void s_on_board_list(Concord__V1__Control_Service *service,
                            const Concord__V1__BoardListRequest *in,
                            Concord__V1__BoardListReply_Closure closure, void *call)
{
    boards_t *b = s_of(service, call);
    control_arena_t a = {0};
    Concord__V1__BoardListReply out = CONCORD__V1__BOARD_LIST_REPLY__INIT;
    (void)in;
    (void)closure;
    out.n_boards = board_count(b->engine);
    out.boards = control_alloc_messages(&a, &concord__v1__board_summary__descriptor, out.n_boards);
    for (size_t i = 0; out.boards && i < out.n_boards; i++) {
        board_view_t v;
        board_at(b->engine, i, &v);
        out.boards[i]->id = control_str(v.board_id);
        out.boards[i]->name = control_str(v.charter->name);
        out.boards[i]->active = v.active != 0;
        out.boards[i]->members = v.charter->n_members;
        out.boards[i]->rule = v.charter->rule;
    }
    control_answer_arena(call, &out.base, &a);
}

static void s_on_board_show(Concord__V1__Control_Service *service,
                            const Concord__V1__BoardShowRequest *in,
                            Concord__V1__BoardShowReply_Closure closure, void *call)
{
    boards_t *b = s_of(service, call);
    board_view_t v;
    control_arena_t a = {0};
    Concord__V1__BoardShowReply out = CONCORD__V1__BOARD_SHOW_REPLY__INIT;
    (void)closure;
    if (!in->board_id[0] || board_get(b->engine, in->board_id, &v) < 0) {
        control_fail(call, CC_NOT_FOUND, "no board '%.40s'", in->board_id);
        return;
    }
    out.id = control_str(v.board_id);
    out.active = v.active != 0;
    out.secretary = control_str(v.secretary);
    out.adoption_proposal = control_str(v.adoption_id);
    out.charter = (Concord__V1__Charter *)v.charter;
    out.n_member_names = v.charter->n_members;
    out.member_names = out.n_member_names
                           ? control_alloc(&a, out.n_member_names * sizeof *out.member_names)
                           : NULL;
    for (size_t i = 0; out.member_names && i < out.n_member_names; i++) {
        roster_org_t o = {.name = "?"};
        roster_lookup(b->roster, v.charter->members[i]->code, &o);
        out.member_names[i] = control_str(o.name);
    }
    control_answer_arena(call, &out.base, &a);
}

static void s_on_proposal_list(Concord__V1__Control_Service *service,
                               const Concord__V1__ProposalListRequest *in,
                               Concord__V1__ProposalListReply_Closure closure, void *call)
{
    boards_t *b = s_of(service, call);
    control_arena_t a = {0};
    uint64_t now = clock_wall_ms();
    Concord__V1__ProposalListReply out = CONCORD__V1__PROPOSAL_LIST_REPLY__INIT;
    (void)closure;
    size_t n = board_proposal_count(b->engine);
    out.proposals = control_alloc_messages(&a, &concord__v1__proposal_view__descriptor, n);
    for (size_t i = 0; out.proposals && i < n; i++) {
        board_proposal_view_t pv;
        board_proposal_at(b->engine, i, now, &pv);
        if (in->board_id[0] && strcmp(pv.board_id, in->board_id) != 0) {
            continue;
        }
        boards_view_proposal(b->engine, &pv, rpc_peer_keys(b->peer), 0,
                             out.proposals[out.n_proposals++], &a);
    }
    control_answer_arena(call, &out.base, &a);
}

static void s_on_proposal_show(Concord__V1__Control_Service *service,
                               const Concord__V1__ProposalShowRequest *in,
                               Concord__V1__ProposalView_Closure closure, void *call)
{
    boards_t *b = s_of(service, call);
    board_proposal_view_t pv;
    cc_err_t err;
    control_arena_t a = {0};
    Concord__V1__ProposalView out = CONCORD__V1__PROPOSAL_VIEW__INIT;
    (void)closure;
    if (board_proposal_find(b->engine, in->proposal_id, clock_wall_ms(), &pv, &err) < 0) {
        control_fail(call, err.code, "%s", err.msg);
        return;
    }
    boards_view_proposal(b->engine, &pv, rpc_peer_keys(b->peer), 1, &out, &a);
    control_answer_arena(call, &out.base, &a);
}

/* Exports the certificate of proposal pid or, with pid NULL, every
 * board's history, for the node of an organisation that joined the
 * roster after genesis (config `bootstrap`). Both embed the genesis
 * roster as signed, whatever boards changed since. */
static void s_export(boards_t *b, void *call, const char *pid)
{
    cc_err_t err;
    uint8_t *cert = NULL, *roster = NULL;
    size_t cert_len = 0, roster_len = 0;
    int rc = roster_signed_bytes(b->roster, &roster, &roster_len, &err);
    if (rc == 0 && pid) {
        rc = certificate_build(b->engine, b->ledger, roster, roster_len, rpc_peer_keys(b->peer),
                               pid, clock_wall_ms(), &cert, &cert_len, &err);
    } else if (rc == 0) {
        rc = certificate_build_history(b->engine, b->roster, b->ledger, roster, roster_len,
                                       rpc_peer_keys(b->peer), clock_wall_ms(), &cert, &cert_len,
                                       &err);
    }
    if (rc < 0) {
        control_fail(call, err.code, "%s", err.msg);
    } else {
        Concord__V1__CertificateReply out = CONCORD__V1__CERTIFICATE_REPLY__INIT;
        out.certificate.data = cert;
        out.certificate.len = cert_len;
        control_answer(call, &out.base);
    }
    free(cert);
    free(roster);
}

static void s_on_decision_export(Concord__V1__Control_Service *service,
                                 const Concord__V1__DecisionExportRequest *in,
                                 Concord__V1__CertificateReply_Closure closure, void *call)
{
    (void)closure;
    if (!in->proposal_id[0]) {
        control_fail(call, CC_INVALID_ARGUMENT, "decision export: no proposal named");
        return;
    }
    s_export(s_of(service, call), call, in->proposal_id);
}

static void s_on_roster_export(Concord__V1__Control_Service *service,
                               const Concord__V1__RosterExportRequest *in,
                               Concord__V1__CertificateReply_Closure closure, void *call)
{
    (void)in;
    (void)closure;
    s_export(s_of(service, call), call, NULL);
}

/* Passed realignments, in the order they took effect. */
static void s_on_realignments(Concord__V1__Control_Service *service,
                              const Concord__V1__RealignmentsRequest *in,
                              Concord__V1__RealignmentsReply_Closure closure, void *call)
{
    boards_t *b = s_of(service, call);
    control_arena_t a = {0};
    Concord__V1__RealignmentsReply out = CONCORD__V1__REALIGNMENTS_REPLY__INIT;
    (void)in;
    (void)closure;
    out.n_realignments = board_realignment_count(b->engine);
    out.realignments = control_alloc_messages(&a, &concord__v1__realignment_view__descriptor,
                                              out.n_realignments);
    for (size_t i = 0; out.realignments && i < out.n_realignments; i++) {
        board_realignment_t r;
        board_realignment_at(b->engine, i, &r);
        out.realignments[i]->organisation = control_str(r.organisation);
        out.realignments[i]->footprint = control_str(r.footprint);
        out.realignments[i]->board_id = control_str(r.board_id);
        out.realignments[i]->proposal_id = control_str(r.proposal_id);
        out.realignments[i]->decided_at_ms = r.decided_at_ms;
    }
    control_answer_arena(call, &out.base, &a);
}

/* The alignment report of `concord footprint report`, with the primary
 * footprints this node's boards decided. Loading the lookups takes a
 * fraction of a second in the node's loop, so the reply is kept until the
 * next realignment passes. */
static void s_on_footprint_report(Concord__V1__Control_Service *service,
                                  const Concord__V1__FootprintReportRequest *in,
                                  Concord__V1__FootprintReportReply_Closure closure, void *call)
{
    boards_t *b = s_of(service, call);
    cc_err_t err;
    (void)in;
    (void)closure;
    size_t n = board_realignment_count(b->engine);
    if (!b->fp_report || b->fp_realignments != n) {
        const char **orgs = calloc(n ? n : 1, sizeof *orgs);
        const char **fps = calloc(n ? n : 1, sizeof *fps);
        if (!orgs || !fps) {
            free(orgs);
            free(fps);
            control_fail(call, CC_RESOURCE_EXHAUSTED, "footprint report: out of memory");
            return;
        }
        for (size_t i = 0; i < n; i++) {
            board_realignment_t r;
            board_realignment_at(b->engine, i, &r);
            orgs[i] = r.organisation;
            fps[i] = r.footprint;
        }
        Concord__V1__FootprintReportReply *rep = footprint_report_build(NULL, orgs, fps, n, &err);
        free(orgs);
        free(fps);
        if (!rep) {
            control_fail(call, err.code, "%s", err.msg);
            return;
        }
        wire_free(b->fp_report ? &b->fp_report->base : NULL);
        b->fp_report = rep;
        b->fp_realignments = n;
    }
    control_answer(call, &b->fp_report->base);
}

/* Areas named in a comma-separated list must all be service areas. */
static int s_areas_ok(const char *list)
{
    char copy[256];
    snprintf(copy, sizeof copy, "%s", list);
    for (char *save = NULL, *item = strtok_r(copy, ", ", &save); item;
         item = strtok_r(NULL, ", ", &save)) {
        if (board_names_area_parse(item) < 0) {
            return 0;
        }
    }
    return 1;
}

/* Replaces the settings of the automatic voting policy that the request
 * sets (all or none), answers with the policy in force, and votes at once
 * on open proposals if the policy now says to. It lasts until the node
 * stops; the config's auto_vote keys are the lasting form. */
static void s_on_auto_vote(Concord__V1__Control_Service *service,
                           const Concord__V1__AutoVoteRequest *in,
                           Concord__V1__AutoVoteReply_Closure closure, void *call)
{
    boards_t *b = s_of(service, call);
    s_policy_t p = b->policy;
    const char *bad = NULL;
    char num[48], areas[300];
    (void)closure;
    if (in->has_auto_vote) {
        p.on = in->auto_vote;
    }
    if (in->has_against_above && in->against_above_pence < 0) {
        snprintf(num, sizeof num, "against_above=%lld", (long long)in->against_above_pence);
        bad = num;
    } else if (in->has_against_above) {
        p.against_above = (uint64_t)in->against_above_pence;
    }
    if (in->has_for_below && in->for_below_pence < 0) {
        snprintf(num, sizeof num, "for_below=%lld", (long long)in->for_below_pence);
        bad = num;
    } else if (in->has_for_below) {
        p.for_below = (uint64_t)in->for_below_pence;
    }
    if (in->has_abstain_areas &&
        (strlen(in->abstain_areas) >= sizeof p.abstain_areas || !s_areas_ok(in->abstain_areas))) {
        snprintf(areas, sizeof areas, "abstain_areas=%.256s", in->abstain_areas);
        bad = areas;
    } else if (in->has_abstain_areas) {
        snprintf(p.abstain_areas, sizeof p.abstain_areas, "%s", in->abstain_areas);
    }
    if (in->has_against_areas &&
        (strlen(in->against_areas) >= sizeof p.against_areas || !s_areas_ok(in->against_areas))) {
        snprintf(areas, sizeof areas, "against_areas=%.256s", in->against_areas);
        bad = areas;
    } else if (in->has_against_areas) {
        snprintf(p.against_areas, sizeof p.against_areas, "%s", in->against_areas);
    }
    if (bad) {
        control_fail(call, CC_INVALID_ARGUMENT,
                     "auto-vote: bad setting '%.80s' (auto_vote=true|false, abstain_areas=AREAS,"
                     " against_areas=AREAS, against_above=PENCE, for_below=PENCE)",
                     bad);
        return;
    }
    int changed = in->has_auto_vote || in->has_against_above || in->has_for_below ||
                  in->has_abstain_areas || in->has_against_areas;
    b->policy = p;
    if (changed) {
        log_info("automatic voting %s (abstain on '%s', against '%s', against above %llu,"
                 " for below %llu pence)",
                 p.on ? "on" : "off", p.abstain_areas, p.against_areas,
                 (unsigned long long)p.against_above, (unsigned long long)p.for_below);
    }
    Concord__V1__AutoVoteReply out = CONCORD__V1__AUTO_VOTE_REPLY__INIT;
    out.auto_vote = p.on != 0;
    out.abstain_areas = p.abstain_areas;
    out.against_areas = p.against_areas;
    out.against_above_pence = p.against_above;
    out.for_below_pence = p.for_below;
    control_answer(call, &out.base);
    s_auto_vote_open(b);
}

/* ---- meetings and forward plans (proto/meeting.proto) ---- */

/* The meeting id_or_prefix names, into mv; answers call and returns -1
 * if there is none. */
static int s_meeting_of(boards_t *b, void *call, const char *id_or_prefix,
                        board_meeting_view_t *mv)
{
    cc_err_t err;
    long i = board_meeting_find(b->engine, id_or_prefix, &err);
    if (i < 0) {
        control_fail(call, err.code, "%s", err.msg);
        return -1;
    }
    board_meeting_at(b->engine, (size_t)i, mv);
    return 0;
}

static void s_on_meeting_call(Concord__V1__Control_Service *service,
                              const Concord__V1__MeetingCallRequest *in,
                              Concord__V1__MeetingView_Closure closure, void *call)
{
    boards_t *b = s_of(service, call);
    Concord__V1__AgendaItem items[MEETING_ITEMS_MAX], *ptrs[MEETING_ITEMS_MAX];
    board_proposal_view_t pv;
    cc_err_t err;
    (void)closure;
    if (!in->meeting) {
        control_fail(call, CC_INVALID_ARGUMENT, "meeting call: no meeting");
        return;
    }
    if (in->meeting->n_items > MEETING_ITEMS_MAX) {
        control_fail(call, CC_INVALID_ARGUMENT, "a meeting's agenda has at most %d items",
                     MEETING_ITEMS_MAX);
        return;
    }
    /* The CLI may name each item's proposal by a unique prefix. */
    Concord__V1__Meeting full = *in->meeting;
    for (size_t i = 0; i < full.n_items; i++) {
        items[i] = *full.items[i];
        ptrs[i] = &items[i];
        if (items[i].proposal_id[0]) {
            if (board_proposal_find(b->engine, items[i].proposal_id, clock_wall_ms(), &pv,
                                    &err) < 0) {
                control_fail(call, err.code, "%s", err.msg);
                return;
            }
            items[i].proposal_id = (char *)pv.id;
        }
    }
    full.items = ptrs;
    s_publish(b, call, BOARD_METHOD_MEETING, &full.base);
}

static void s_on_meeting_agenda_add(Concord__V1__Control_Service *service,
                                    const Concord__V1__AgendaAddRequest *in,
                                    Concord__V1__MeetingView_Closure closure, void *call)
{
    boards_t *b = s_of(service, call);
    board_meeting_view_t mv;
    board_proposal_view_t pv;
    cc_err_t err;
    (void)closure;
    if (!in->addition || !in->addition->item) {
        control_fail(call, CC_INVALID_ARGUMENT, "agenda: no item");
        return;
    }
    if (s_meeting_of(b, call, in->addition->meeting_id, &mv) < 0) {
        return;
    }
    Concord__V1__AgendaAddition full = *in->addition;
    Concord__V1__AgendaItem item = *in->addition->item;
    if (item.proposal_id[0]) {
        if (board_proposal_find(b->engine, item.proposal_id, clock_wall_ms(), &pv, &err) < 0) {
            control_fail(call, err.code, "%s", err.msg);
            return;
        }
        item.proposal_id = (char *)pv.id;
    }
    full.item = &item;
    full.meeting_id = (char *)mv.id;
    full.board_id = (char *)mv.board_id;
    s_publish_for(b, call, BOARD_METHOD_AGENDA, &full.base, mv.id);
}

static void s_on_meeting_attend(Concord__V1__Control_Service *service,
                                const Concord__V1__AttendRequest *in,
                                Concord__V1__MeetingView_Closure closure, void *call)
{
    boards_t *b = s_of(service, call);
    board_meeting_view_t mv;
    (void)closure;
    if (!in->attendance) {
        control_fail(call, CC_INVALID_ARGUMENT, "attend: no attendance");
        return;
    }
    if (s_meeting_of(b, call, in->attendance->meeting_id, &mv) < 0) {
        return;
    }
    Concord__V1__Attendance full = *in->attendance;
    full.meeting_id = (char *)mv.id;
    full.board_id = (char *)mv.board_id;
    s_publish_for(b, call, BOARD_METHOD_ATTENDANCE, &full.base, mv.id);
}

static void s_on_minutes_approve(Concord__V1__Control_Service *service,
                                 const Concord__V1__MinutesApproveRequest *in,
                                 Concord__V1__MeetingView_Closure closure, void *call)
{
    boards_t *b = s_of(service, call);
    board_meeting_view_t mv, at;
    (void)closure;
    if (!in->approval) {
        control_fail(call, CC_INVALID_ARGUMENT, "minutes approve: no approval");
        return;
    }
    if (s_meeting_of(b, call, in->approval->meeting_id, &mv) < 0 ||
        s_meeting_of(b, call, in->approval->at_meeting_id, &at) < 0) {
        return;
    }
    Concord__V1__MinutesApproval full = *in->approval;
    full.meeting_id = (char *)mv.id;
    full.at_meeting_id = (char *)at.id;
    full.board_id = (char *)mv.board_id;
    s_publish_for(b, call, BOARD_METHOD_MINUTES, &full.base, mv.id);
}

static void s_on_meeting_list(Concord__V1__Control_Service *service,
                              const Concord__V1__MeetingListRequest *in,
                              Concord__V1__MeetingListReply_Closure closure, void *call)
{
    boards_t *b = s_of(service, call);
    control_arena_t a = {0};
    Concord__V1__MeetingListReply out = CONCORD__V1__MEETING_LIST_REPLY__INIT;
    size_t n = board_meeting_count(b->engine);
    uint64_t now = clock_wall_ms();
    (void)closure;
    out.meetings = control_alloc_messages(&a, &concord__v1__meeting_view__descriptor, n);
    for (size_t i = 0; out.meetings && i < n; i++) {
        board_meeting_view_t mv;
        board_meeting_at(b->engine, i, &mv);
        if (in->board_id[0] && strcmp(in->board_id, mv.board_id) != 0) {
            continue;
        }
        meetings_view_meeting(b->engine, i, now, out.meetings[out.n_meetings++], &a);
    }
    control_answer_arena(call, &out.base, &a);
}

static void s_on_meeting_show(Concord__V1__Control_Service *service,
                              const Concord__V1__MeetingShowRequest *in,
                              Concord__V1__MeetingView_Closure closure, void *call)
{
    boards_t *b = s_of(service, call);
    control_arena_t a = {0};
    Concord__V1__MeetingView out = CONCORD__V1__MEETING_VIEW__INIT;
    cc_err_t err;
    (void)closure;
    long i = board_meeting_find(b->engine, in->meeting_id, &err);
    if (i < 0) {
        control_fail(call, err.code, "%s", err.msg);
        return;
    }
    meetings_view_meeting(b->engine, (size_t)i, clock_wall_ms(), &out, &a);
    control_answer_arena(call, &out.base, &a);
}

static void s_on_forward_plan_add(Concord__V1__Control_Service *service,
                                  const Concord__V1__ForwardPlanAddRequest *in,
                                  Concord__V1__ForwardPlanReply_Closure closure, void *call)
{
    (void)closure;
    if (!in->entry) {
        control_fail(call, CC_INVALID_ARGUMENT, "forward plan: no entry");
        return;
    }
    s_publish(s_of(service, call), call, BOARD_METHOD_FORWARD_PLAN, &in->entry->base);
}

static void s_on_forward_plan_list(Concord__V1__Control_Service *service,
                                   const Concord__V1__ForwardPlanListRequest *in,
                                   Concord__V1__ForwardPlanReply_Closure closure, void *call)
{
    boards_t *b = s_of(service, call);
    control_arena_t a = {0};
    Concord__V1__ForwardPlanReply out = CONCORD__V1__FORWARD_PLAN_REPLY__INIT;
    (void)closure;
    meetings_view_plan(b->engine, in->board_id, NULL, &out, &a);
    control_answer_arena(call, &out.base, &a);
}

/* ---- the engine's row (engine.h) ---- */

static void *s_create(const engine_env_t *env, cc_err_t *err)
{
    return s_new(env->cfg, env->roster, env->ledger, env->peer, env->on_roster,
                 env->on_roster_arg, err);
}

static void s_row_start(void *self)
{
    s_start(self);
}

/* The next automatic vote to try again, or the first wait to give up. */
static uint64_t s_deadline(const void *self)
{
    const boards_t *b = self;
    uint64_t w = waits_deadline(b->waits);
    return !w || (b->vote_retry_at_ms && b->vote_retry_at_ms < w) ? b->vote_retry_at_ms : w;
}

static void s_row_tick(void *self)
{
    s_tick(self);
}

static void s_row_destroy(void *self)
{
    boards_t *b = self;
    s_destroy(&b);
}

/* SIGHUP: the config's automatic voting policy replaces the one in force
 * (including one set by `concord auto-vote`), and open proposals get the
 * vote it now says. */
static void s_row_reload(void *self)
{
    boards_t *b = self;
    s_policy_from(b, b->cfg);
    log_info("automatic voting %s from the config (abstain on '%s', against '%s', against"
             " above %llu, for below %llu pence)",
             b->policy.on ? "on" : "off", b->policy.abstain_areas, b->policy.against_areas,
             (unsigned long long)b->policy.against_above,
             (unsigned long long)b->policy.for_below);
    if (!b->replaying) {
        s_auto_vote_open(b);
    }
}

static void s_refused(void *self, const uint8_t hash[32], const cc_err_t *why)
{
    boards_t *b = self;
    waits_refuse(b->waits, hash, why);
}

static void s_resealed(void *self, const uint8_t old_hash[32], const uint8_t new_hash[32])
{
    boards_t *b = self;
    waits_rehash(b->waits, old_hash, new_hash);
}

static const engine_method_t s_methods[] = {
    ENGINE_METHOD("Propose", s_on_propose),
    ENGINE_METHOD("Vote", s_on_vote),
    ENGINE_METHOD("CallIn", s_on_call_in),
    ENGINE_METHOD("Ratify", s_on_ratify),
    ENGINE_METHOD("Release", s_on_release),
    ENGINE_METHOD("BoardList", s_on_board_list),
    ENGINE_METHOD("BoardShow", s_on_board_show),
    ENGINE_METHOD("ProposalList", s_on_proposal_list),
    ENGINE_METHOD("ProposalShow", s_on_proposal_show),
    ENGINE_METHOD("DecisionExport", s_on_decision_export),
    ENGINE_METHOD("RosterExport", s_on_roster_export),
    ENGINE_METHOD("Realignments", s_on_realignments),
    ENGINE_METHOD("FootprintReport", s_on_footprint_report),
    ENGINE_METHOD("AutoVote", s_on_auto_vote),
    ENGINE_METHOD("RecordDelegation", s_on_record_delegation),
    ENGINE_METHOD("DelegationList", s_on_delegation_list),
    ENGINE_METHOD("PersonAdd", s_on_person_add),
    ENGINE_METHOD("PersonRevoke", s_on_person_revoke),
    ENGINE_METHOD("PeopleList", s_on_people_list),
    ENGINE_METHOD("InterestAdd", s_on_interest_add),
    ENGINE_METHOD("InterestList", s_on_interest_list),
    ENGINE_METHOD("Declare", s_on_declare),
    ENGINE_METHOD("MeetingCall", s_on_meeting_call),
    ENGINE_METHOD("MeetingAgendaAdd", s_on_meeting_agenda_add),
    ENGINE_METHOD("MeetingAttend", s_on_meeting_attend),
    ENGINE_METHOD("MeetingList", s_on_meeting_list),
    ENGINE_METHOD("MeetingShow", s_on_meeting_show),
    ENGINE_METHOD("MinutesApprove", s_on_minutes_approve),
    ENGINE_METHOD("ForwardPlanAdd", s_on_forward_plan_add),
    ENGINE_METHOD("ForwardPlanList", s_on_forward_plan_list),
};

const engine_t boards_as_engine = {
    .name = "boards",
    .create = s_create,
    .on_event = s_on_event,
    .start = s_row_start,
    .deadline = s_deadline,
    .tick = s_row_tick,
    .destroy = s_row_destroy,
    .methods = s_methods,
    .n_methods = sizeof s_methods / sizeof s_methods[0],
    .reload = s_row_reload,
    .refused = s_refused,
    .resealed = s_resealed,
};
