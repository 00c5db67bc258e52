/* boards: board events in, board commands from the CLI, automatic votes. */
#include "boards.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "board_names.h"
#include "boards_view.h"
#include "certificate_build.h"
#include "clock.h"
#include "json.h"
#include "log.h"
#include "receipt.h"
#include "wire.h"
#include "fold.h"
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
    control_text_t t = {0};
    json_t j;
    json_init(&j);
    if (strcmp(env->header->method, BOARD_METHOD_PROPOSE) == 0) {
        board_proposal_id(env->header->call_id.data, pid);
    } else {
        Concord__V1__Ballot *bl = (Concord__V1__Ballot *)wire_unpack(
            &concord__v1__ballot__descriptor, env->body, env->body_len, WIRE_MAX_FRAME, NULL);
        snprintf(pid, sizeof pid, "%s", bl ? bl->proposal_id : "");
        wire_free(bl ? &bl->base : NULL);
    }
    if (board_proposal_find(b->engine, pid, clock_wall_ms(), &pv, &err) == 0) {
        boards_view_text(b->engine, &pv, &t);
        boards_view_json(b->engine, &pv, &j, 1);
    }
    control_reply_view(w->c, w->id, w->id_len, &t, &j);
}

void boards_tick(boards_t *b)
{
    waits_tick(b->waits);
    if (b->vote_retry_at_ms && clock_mono_ms() >= b->vote_retry_at_ms) {
        b->vote_retry_at_ms = 0;
        s_auto_vote_open(b);
    }
}

/* ---- events ---- */

void boards_on_event(const envelope_t *env, uint64_t log_index, uint64_t time_ms, void *arg)
{
    boards_t *b = arg;
    const Concord__V1__Header *h = env->header;
    cc_err_t why;
    if (strcmp(h->method, BOARD_METHOD_PROPOSE) != 0 && strcmp(h->method, BOARD_METHOD_VOTE) != 0) {
        /* Another engine's event: proposals whose deadline passed before
         * it close first, so their effects (a pool agreement) come before
         * it on every node alike. */
        if (h->kind == CONCORD__V1__KIND__KIND_EVENT &&
            strcmp(h->recipient, ENVELOPE_EVERYONE) == 0 &&
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
    waits_resolve(b->waits, env, accepted, &why, s_answer, b);
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
        board_proposal_find(b->engine, pid, clock_wall_ms(), &pv, &err) < 0 || pv.closed) {
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
    int ok = board_precheck(b->engine, &ev, &err) == 0;
    free(body);
    if (!ok) {
        return; /* not a voter on this one, or already voted */
    }
    /* Remembered only once published: a vote the ledger could not store
     * was never sent, and is tried again rather than lost. */
    if (rpc_peer_publish(b->peer, BOARD_METHOD_VOTE, &ballot.base, NULL, &err) < 0) {
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
        if (!pv.closed) {
            s_auto_vote(b, pv.id);
        }
    }
}

boards_t *boards_new(const config_node_t *cfg, roster_t *roster, ledger_t *ledger,
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
    b->policy.on = cfg->auto_vote;
    b->policy.against_above = cfg->auto_vote_against_above;
    b->policy.for_below = cfg->auto_vote_for_below;
    snprintf(b->policy.abstain_areas, sizeof b->policy.abstain_areas, "%s",
             cfg->auto_vote_abstain_areas);
    snprintf(b->policy.against_areas, sizeof b->policy.against_areas, "%s",
             cfg->auto_vote_against_areas);
    b->roster = roster;
    b->ledger = ledger;
    b->peer = peer;
    board_engine_on_roster(b->engine, on_roster, arg);
    b->replaying = 1;
    return b;
}

void boards_start(boards_t *b)
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

void boards_destroy(boards_t **bp)
{
    if (!bp || !*bp) {
        return;
    }
    boards_t *b = *bp;
    waits_destroy(&b->waits);
    board_engine_destroy(&b->engine);
    free(b->voted);
    free(b);
    *bp = NULL;
}

/* ---- CLI commands ---- */

/* Prechecks and publishes an event built from the CLI's payload, then
 * waits for the verdict of the fold. */
static void s_publish(boards_t *b, control_ctx_t *c, const uint8_t *id, size_t id_len,
                      const char *method, const ProtobufCMessage *msg)
{
    cc_err_t err;
    uint8_t *body = NULL;
    size_t body_len = 0;
    uint8_t call_id[16], hash[32] = {0};
    envelope_new_call_id(call_id);
    if (wire_pack(msg, WIRE_MAX_FRAME, &body, &body_len, &err) < 0) {
        control_reply(c, id, id_len, err.code, err.msg, NULL, NULL, NULL, 0);
        return;
    }
    board_event_t ev = {.sender = b->cfg->code, .log_index = UINT64_MAX,
                        .time_ms = clock_wall_ms(), .call_id = call_id, .hash = hash,
                        .method = method, .body = body, .body_len = body_len};
    int ok = board_precheck(b->engine, &ev, &err) == 0 &&
             rpc_peer_publish(b->peer, method, msg, hash, &err) == 0;
    free(body);
    if (!ok) {
        control_reply(c, id, id_len, err.code, err.msg, NULL, NULL, NULL, 0);
        return;
    }
    waits_add(b->waits, c, id, id_len, hash, NULL, 0);
}

void boards_propose(boards_t *b, control_ctx_t *c, const uint8_t *id, size_t id_len,
                    const Concord__V1__Proposal *p)
{
    s_publish(b, c, id, id_len, BOARD_METHOD_PROPOSE, &p->base);
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

static void s_propose(boards_t *b, control_ctx_t *c, const uint8_t *id, size_t id_len,
                      const Concord__V1__ControlRequest *req)
{
    cc_err_t err;
    Concord__V1__Proposal *p = (Concord__V1__Proposal *)wire_unpack(
        &concord__v1__proposal__descriptor, req->payload.data, req->payload.len, WIRE_MAX_FRAME,
        &err);
    if (!p) {
        control_reply(c, id, id_len, CC_INVALID_ARGUMENT, err.msg, NULL, NULL, NULL, 0);
        return;
    }
    if (board_roster_level(p) && s_next_keys_ready(b, p, &err) < 0) {
        control_reply(c, id, id_len, err.code, err.msg, NULL, NULL, NULL, 0);
        wire_free(&p->base);
        return;
    }
    /* An amendment from the CLI names only what changes; the rest comes
     * from the charter in force. */
    board_view_t v;
    Concord__V1__Charter merged;
    if (p->kind == CONCORD__V1__PROPOSAL_KIND__CHARTER_AMENDMENT && p->charter &&
        p->charter->n_members == 0 && board_get(b->engine, p->board_id, &v) == 0) {
        const Concord__V1__Charter *want = p->charter;
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
        p->charter = &merged;
        s_publish(b, c, id, id_len, BOARD_METHOD_PROPOSE, &p->base);
        p->charter = (Concord__V1__Charter *)want;
    } else {
        s_publish(b, c, id, id_len, BOARD_METHOD_PROPOSE, &p->base);
    }
    wire_free(&p->base);
}

static void s_vote(boards_t *b, control_ctx_t *c, const uint8_t *id, size_t id_len,
                   const Concord__V1__ControlRequest *req)
{
    cc_err_t err;
    board_proposal_view_t pv;
    Concord__V1__Ballot *bl = (Concord__V1__Ballot *)wire_unpack(
        &concord__v1__ballot__descriptor, req->payload.data, req->payload.len, WIRE_MAX_FRAME,
        &err);
    if (!bl) {
        control_reply(c, id, id_len, CC_INVALID_ARGUMENT, err.msg, NULL, NULL, NULL, 0);
        return;
    }
    /* The CLI may give a prefix of the proposal id, and no board. */
    if (board_proposal_find(b->engine, bl->proposal_id, clock_wall_ms(), &pv, &err) < 0) {
        control_reply(c, id, id_len, err.code, err.msg, NULL, NULL, NULL, 0);
    } else {
        Concord__V1__Ballot full = *bl;
        full.proposal_id = (char *)pv.id;
        if (!full.board_id[0]) {
            full.board_id = (char *)pv.board_id;
        }
        s_publish(b, c, id, id_len, BOARD_METHOD_VOTE, &full.base);
    }
    wire_free(&bl->base);
}

static void s_board_list(boards_t *b, control_ctx_t *c, const uint8_t *id, size_t id_len)
{
    control_text_t t = {0};
    json_t j;
    json_init(&j);
    json_arr_begin(&j, NULL);
    for (size_t i = 0; i < board_count(b->engine); i++) {
        board_view_t v;
        board_at(b->engine, i, &v);
        json_obj_begin(&j, NULL);
        json_str(&j, "id", v.board_id);
        json_str(&j, "name", v.charter->name);
        json_bool(&j, "active", v.active);
        json_u64(&j, "members", v.charter->n_members);
        json_str(&j, "rule", board_names_rule(v.charter->rule));
        json_obj_end(&j);
        control_text_put(&t, "%-16s %-8s %3zu members  %-18s %s\n", v.board_id,
              v.active ? "active" : "pending", v.charter->n_members,
              board_names_rule(v.charter->rule), v.charter->name);
    }
    json_arr_end(&j);
    if (!t.buf) {
        control_text_put(&t, "(no boards yet)\n");
    }
    control_reply_view(c, id, id_len, &t, &j);
}

static void s_board_show(boards_t *b, control_ctx_t *c, const uint8_t *id, size_t id_len,
                         const char *board_id)
{
    board_view_t v;
    if (board_get(b->engine, board_id, &v) < 0) {
        char msg[128];
        snprintf(msg, sizeof msg, "no board '%.40s'", board_id);
        control_reply(c, id, id_len, CC_NOT_FOUND, msg, NULL, NULL, NULL, 0);
        return;
    }
    const Concord__V1__Charter *ch = v.charter;
    control_text_t t = {0};
    json_t j;
    json_init(&j);
    json_obj_begin(&j, NULL);
    json_str(&j, "id", v.board_id);
    json_str(&j, "name", ch->name);
    json_bool(&j, "active", v.active);
    json_str(&j, "secretary", v.secretary);
    json_str(&j, "adoption_proposal", v.adoption_id);
    json_str(&j, "rule", board_names_rule(ch->rule));
    json_u64(&j, "qualified_numerator", ch->qualified_numerator);
    json_u64(&j, "qualified_denominator", ch->qualified_denominator);
    json_u64(&j, "quorum_numerator", ch->quorum_numerator);
    json_u64(&j, "quorum_denominator", ch->quorum_denominator);
    json_bool(&j, "quorum_each_constituency", ch->quorum_each_constituency);
    json_str(&j, "accountable_to", ch->accountable_to);
    control_text_put(&t, "board        %s (%s)\nstatus       %s (adoption %s, secretary %s)\n",
          v.board_id, ch->name, v.active ? "active" : "awaiting adoption by every member",
          v.adoption_id, v.secretary);
    control_text_put(&t, "rule         %s", board_names_rule(ch->rule));
    if (ch->rule == CONCORD__V1__VOTING_RULE__QUALIFIED_MAJORITY) {
        control_text_put(&t, " %u/%u", ch->qualified_numerator, ch->qualified_denominator);
    }
    control_text_put(&t, "\nquorum       %u/%u of members%s\naccountable  %s\n", ch->quorum_numerator,
          ch->quorum_denominator,
          ch->quorum_each_constituency ? ", and a voter from every constituency" : "",
          ch->accountable_to[0] ? ch->accountable_to : "(not stated)");
    json_arr_begin(&j, "members");
    for (size_t i = 0; i < ch->n_members; i++) {
        const Concord__V1__BoardMember *m = ch->members[i];
        roster_org_t o = {.name = "?"};
        roster_lookup(b->roster, m->code, &o);
        json_obj_begin(&j, NULL);
        json_str(&j, "code", m->code);
        json_str(&j, "name", o.name);
        json_str(&j, "constituency", board_names_constituency(m->constituency));
        json_u64(&j, "weight", m->weight);
        json_obj_end(&j);
        control_text_put(&t, "  %-10s %-16s %s\n", m->code, board_names_constituency(m->constituency),
              o.name);
    }
    json_arr_end(&j);
    json_arr_begin(&j, "reserved");
    for (size_t i = 0; i < ch->n_reserved; i++) {
        json_obj_begin(&j, NULL);
        json_str(&j, "area", board_names_area(ch->reserved[i]->area));
        json_str(&j, "member", ch->reserved[i]->member);
        json_obj_end(&j);
        control_text_put(&t, "reserved     %s needs %s's FOR\n", board_names_area(ch->reserved[i]->area),
              ch->reserved[i]->member);
    }
    json_arr_end(&j);
    json_obj_end(&j);
    control_reply_view(c, id, id_len, &t, &j);
}

static void s_proposal_list(boards_t *b, control_ctx_t *c, const uint8_t *id, size_t id_len,
                            const char *board_id)
{
    control_text_t t = {0};
    json_t j;
    uint64_t now = clock_wall_ms();
    json_init(&j);
    json_arr_begin(&j, NULL);
    for (size_t i = 0; i < board_proposal_count(b->engine); i++) {
        board_proposal_view_t pv;
        board_proposal_at(b->engine, i, now, &pv);
        if (board_id && strcmp(pv.board_id, board_id) != 0) {
            continue;
        }
        boards_view_json(b->engine, &pv, &j, 0);
        control_text_put(&t, "%.12s  %-12s %-7s %2u for %2u against %2u abstain  %s\n", pv.id, pv.board_id,
              boards_view_outcome(&pv), pv.tally.all.votes_for, pv.tally.all.votes_against,
              pv.tally.all.abstentions, pv.proposal->title);
    }
    json_arr_end(&j);
    if (!t.buf) {
        control_text_put(&t, "(no proposals)\n");
    }
    control_reply_view(c, id, id_len, &t, &j);
}

static void s_proposal_show(boards_t *b, control_ctx_t *c, const uint8_t *id, size_t id_len,
                            const char *pid)
{
    board_proposal_view_t pv;
    cc_err_t err;
    if (board_proposal_find(b->engine, pid, clock_wall_ms(), &pv, &err) < 0) {
        control_reply(c, id, id_len, err.code, err.msg, NULL, NULL, NULL, 0);
        return;
    }
    control_text_t t = {0};
    json_t j;
    json_init(&j);
    boards_view_text(b->engine, &pv, &t);
    boards_view_json(b->engine, &pv, &j, 1);
    control_reply_view(c, id, id_len, &t, &j);
}

/* Exports the certificate of proposal pid or, with pid NULL, every
 * board's history, for the node of an organisation that joined the
 * roster after genesis (config `bootstrap`). Both embed the genesis
 * roster as signed, whatever boards changed since. */
static void s_export(boards_t *b, control_ctx_t *c, const uint8_t *id, size_t id_len,
                     const char *pid)
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
        control_reply(c, id, id_len, err.code, err.msg, NULL, NULL, NULL, 0);
    } else {
        control_reply(c, id, id_len, CC_OK, NULL, "", "{}", cert, cert_len);
    }
    free(cert);
    free(roster);
}

/* Passed realignments: as text, JSON, and "ORG=FOOTPRINT" lines in the
 * payload for `concord footprint`. */
static void s_realignments(boards_t *b, control_ctx_t *c, const uint8_t *id, size_t id_len)
{
    control_text_t t = {0}, lines = {0};
    json_t j;
    char when[40];
    json_init(&j);
    json_arr_begin(&j, NULL);
    for (size_t i = 0; i < board_realignment_count(b->engine); i++) {
        board_realignment_t r;
        board_realignment_at(b->engine, i, &r);
        clock_format(r.decided_at_ms, when, sizeof when);
        json_obj_begin(&j, NULL);
        json_str(&j, "organisation", r.organisation);
        json_str(&j, "footprint", r.footprint);
        json_str(&j, "board", r.board_id);
        json_str(&j, "proposal", r.proposal_id);
        json_str(&j, "decided_at", when);
        json_obj_end(&j);
        control_text_put(&t, "%-10s primary footprint %-10s decided by %s (%.12s) at %s\n",
              r.organisation, r.footprint, r.board_id, r.proposal_id, when);
        control_text_put(&lines, "%s=%s\n", r.organisation, r.footprint);
    }
    json_arr_end(&j);
    char *js = json_take(&j);
    control_reply(c, id, id_len, CC_OK, NULL, t.buf ? t.buf : "(no realignments decided)\n", js,
                  (const uint8_t *)(lines.buf ? lines.buf : ""), lines.len);
    free(js);
    free(t.buf);
    free(lines.buf);
}

/* Areas named in a comma-separated list must all be service areas. */
static int s_areas_ok(const char *list, char *bad, size_t bad_size)
{
    char copy[256];
    snprintf(copy, sizeof copy, "%s", list);
    for (char *save = NULL, *item = strtok_r(copy, ", ", &save); item;
         item = strtok_r(NULL, ", ", &save)) {
        if (board_names_area_parse(item) < 0) {
            snprintf(bad, bad_size, "%s", item);
            return 0;
        }
    }
    return 1;
}

/* Applies one KEY=VALUE of the policy to p; returns 0 or -1 with why. */
static int s_policy_set(s_policy_t *p, const char *arg, char *why, size_t why_size)
{
    const char *eq = strchr(arg, '=');
    const char *v = eq ? eq + 1 : "";
    size_t klen = eq ? (size_t)(eq - arg) : 0;
    char bad[64], *end = NULL;
    unsigned long long n = strtoull(v, &end, 10);
    int num_ok = *v && !*end && *v != '-' && n <= INT64_MAX;
    if (klen == 9 && strncmp(arg, "auto_vote", klen) == 0 &&
        (strcmp(v, "true") == 0 || strcmp(v, "false") == 0)) {
        p->on = strcmp(v, "true") == 0;
    } else if (klen == 13 && strncmp(arg, "against_above", klen) == 0 && num_ok) {
        p->against_above = n;
    } else if (klen == 9 && strncmp(arg, "for_below", klen) == 0 && num_ok) {
        p->for_below = n;
    } else if (klen == 13 && strncmp(arg, "abstain_areas", klen) == 0 && strlen(v) < 256 &&
               s_areas_ok(v, bad, sizeof bad)) {
        snprintf(p->abstain_areas, sizeof p->abstain_areas, "%s", v);
    } else if (klen == 13 && strncmp(arg, "against_areas", klen) == 0 && strlen(v) < 256 &&
               s_areas_ok(v, bad, sizeof bad)) {
        snprintf(p->against_areas, sizeof p->against_areas, "%s", v);
    } else {
        snprintf(why, why_size,
                 "auto-vote: bad setting '%.80s' (auto_vote=true|false, abstain_areas=AREAS,"
                 " against_areas=AREAS, against_above=PENCE, for_below=PENCE)",
                 arg);
        return -1;
    }
    return 0;
}

/* "auto-vote [KEY=VALUE]...": replaces settings of the automatic voting
 * policy (all or none), answers with the policy in force, and votes at
 * once on open proposals if the policy now says to. It lasts until the
 * node stops; the config's auto_vote keys are the lasting form. */
static void s_set_policy(boards_t *b, control_ctx_t *c, const uint8_t *id, size_t id_len,
                         const Concord__V1__ControlRequest *req)
{
    s_policy_t p = b->policy;
    char why[256];
    for (size_t i = 0; i < req->n_args; i++) {
        if (s_policy_set(&p, req->args[i], why, sizeof why) < 0) {
            control_reply(c, id, id_len, CC_INVALID_ARGUMENT, why, NULL, NULL, NULL, 0);
            return;
        }
    }
    b->policy = p;
    if (req->n_args) {
        log_info("automatic voting %s (abstain on '%s', against '%s', against above %llu,"
                 " for below %llu pence)",
                 p.on ? "on" : "off", p.abstain_areas, p.against_areas,
                 (unsigned long long)p.against_above, (unsigned long long)p.for_below);
    }
    control_text_t t = {0};
    json_t j;
    json_init(&j);
    json_obj_begin(&j, NULL);
    json_bool(&j, "auto_vote", p.on);
    json_str(&j, "abstain_areas", p.abstain_areas);
    json_str(&j, "against_areas", p.against_areas);
    json_u64(&j, "against_above", p.against_above);
    json_u64(&j, "for_below", p.for_below);
    json_obj_end(&j);
    control_text_put(&t, "automatic voting  %s\nabstain on        %s\nagainst on        %s\n"
                         "against above     %llu pence\nfor below         %llu pence\n",
                     p.on ? "on" : "off (manual)", p.abstain_areas[0] ? p.abstain_areas : "-",
                     p.against_areas[0] ? p.against_areas : "-",
                     (unsigned long long)p.against_above, (unsigned long long)p.for_below);
    control_reply_view(c, id, id_len, &t, &j);
    s_auto_vote_open(b);
}

int boards_control(boards_t *b, control_ctx_t *c, const uint8_t *id, size_t id_len,
                   const Concord__V1__ControlRequest *req)
{
    const char *cmd = req->command;
    const char *arg = req->n_args ? req->args[0] : NULL;
    if (strcmp(cmd, "propose") == 0) {
        s_propose(b, c, id, id_len, req);
    } else if (strcmp(cmd, "vote") == 0) {
        s_vote(b, c, id, id_len, req);
    } else if (strcmp(cmd, "board-list") == 0) {
        s_board_list(b, c, id, id_len);
    } else if (strcmp(cmd, "board-show") == 0 && arg) {
        s_board_show(b, c, id, id_len, arg);
    } else if (strcmp(cmd, "proposal-list") == 0) {
        s_proposal_list(b, c, id, id_len, arg);
    } else if (strcmp(cmd, "proposal-show") == 0 && arg) {
        s_proposal_show(b, c, id, id_len, arg);
    } else if (strcmp(cmd, "decision-export") == 0 && arg) {
        s_export(b, c, id, id_len, arg);
    } else if (strcmp(cmd, "roster-export") == 0) {
        s_export(b, c, id, id_len, NULL);
    } else if (strcmp(cmd, "realignments") == 0) {
        s_realignments(b, c, id, id_len);
    } else if (strcmp(cmd, "auto-vote") == 0) {
        s_set_policy(b, c, id, id_len, req);
    } else {
        return -1;
    }
    return 0;
}
