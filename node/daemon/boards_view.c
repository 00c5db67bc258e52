/* boards_view: a board proposal as text and as JSON. */
#include "boards_view.h"

#include <stdlib.h>
#include <string.h>

#include "board_names.h"
#include "clock.h"
#include "money.h"
#include "pool.h"
#include "wire.h"

const char *boards_view_outcome(const board_proposal_view_t *pv)
{
    if (!pv->closed) {
        return "OPEN";
    }
    return pv->tally.passed ? "PASSED" : "FAILED";
}

void boards_view_json(const board_engine_t *e, const board_proposal_view_t *pv, json_t *j,
                      int with_ballots)
{
    char when[40];
    const Concord__V1__Proposal *p = pv->proposal;
    json_obj_begin(j, NULL);
    json_str(j, "id", pv->id);
    json_str(j, "board", pv->board_id);
    json_str(j, "title", p->title);
    json_str(j, "kind", board_names_kind(p->kind));
    json_str(j, "area", p->area ? board_names_area(p->area) : NULL);
    json_i64(j, "amount_pence", p->amount_pence);
    json_str(j, "effective_date", p->effective_date);
    json_str(j, "proposer", pv->proposer);
    json_str(j, "submitted_at", clock_format(pv->time_ms, when, sizeof when));
    json_str(j, "closes_at", clock_format(p->closes_at_ms, when, sizeof when));
    json_str(j, "outcome", boards_view_outcome(pv));
    json_bool(j, "closed", pv->closed);
    json_bool(j, "decided", pv->tally.decided);
    json_bool(j, "quorate", pv->tally.quorate);
    json_u64(j, "members", pv->tally.all.members);
    json_u64(j, "votes_for", pv->tally.all.votes_for);
    json_u64(j, "votes_against", pv->tally.all.votes_against);
    json_u64(j, "abstentions", pv->tally.all.abstentions);
    json_str(j, "explanation", pv->tally.explanation);
    if (with_ballots) {
        json_arr_begin(j, "ballots");
        for (size_t i = 0; i < pv->n_ballots; i++) {
            board_ballot_view_t bv;
            board_ballot_at(e, pv, i, &bv);
            json_obj_begin(j, NULL);
            json_str(j, "member", bv.member);
            json_str(j, "vote", board_names_vote(bv.vote));
            json_str(j, "reason", bv.reason);
            json_str(j, "received_at", clock_format(bv.time_ms, when, sizeof when));
            json_u64(j, "log_index", bv.log_index);
            json_obj_end(j);
        }
        json_arr_end(j);
    }
    json_obj_end(j);
}

/* The membership or roster change a proposal makes, in one line. */
static void s_text_change(const Concord__V1__MembershipChange *mc, control_text_t *t)
{
    const Concord__V1__Organisation *o = mc ? mc->organisation : NULL;
    if (!mc) {
        return;
    }
    if (mc->member && (mc->action == CONCORD__V1__MEMBERSHIP_ACTION__ADMIT ||
                       mc->action == CONCORD__V1__MEMBERSHIP_ACTION__REMOVE)) {
        control_text_put(t, "change     %s %s\n",
                         mc->action == CONCORD__V1__MEMBERSHIP_ACTION__ADMIT ? "admit" : "remove",
                         mc->member->code);
    } else if (o && mc->action == CONCORD__V1__MEMBERSHIP_ACTION__ROTATE_KEY) {
        char *hex = o->sign_key.len ? wire_hex(o->sign_key.data, o->sign_key.len) : NULL;
        control_text_put(t, "change     new keys for %s (signing key %.16s...)\n", o->code,
                         hex ? hex : "?");
        free(hex);
    } else if (o && mc->action == CONCORD__V1__MEMBERSHIP_ACTION__MERGE) {
        control_text_put(t, "change     merge");
        for (size_t i = 0; i < mc->n_predecessors; i++) {
            control_text_put(t, " %s", mc->predecessors[i]);
        }
        control_text_put(t, " into %s\n", o->code);
    }
}

void boards_view_text(const board_engine_t *e, const board_proposal_view_t *pv, control_text_t *t)
{
    char when[40], money[MONEY_TEXT_MAX];
    const Concord__V1__Proposal *p = pv->proposal;
    control_text_put(t, "proposal   %s\n", pv->id);
    control_text_put(t, "board      %s\n", pv->board_id);
    control_text_put(t, "title      %s\n", p->title);
    control_text_put(t, "kind       %s%s%s\n", board_names_kind(p->kind), p->area ? ", " : "",
                     p->area ? board_names_area(p->area) : "");
    if (p->amount_pence) {
        control_text_put(t, "amount     %s\n", money_format(p->amount_pence, money, sizeof money));
    }
    s_text_change(p->membership, t);
    control_text_put(t, "proposer   %s at %s\n", pv->proposer,
                     clock_format(pv->time_ms, when, sizeof when));
    control_text_put(t, "closes     %s\n", clock_format(p->closes_at_ms, when, sizeof when));
    size_t need = pool_describe(p, NULL, 0);
    char *pool = need ? malloc(need + 1) : NULL;
    if (pool) {
        pool_describe(p, pool, need + 1);
        control_text_put(t, "%s", pool);
        free(pool);
    }
    control_text_put(t, "outcome    %s\n\n%s\n", boards_view_outcome(pv), pv->tally.explanation);
    if (pv->n_ballots) {
        control_text_put(t, "\nballots (%zu):\n", pv->n_ballots);
    }
    for (size_t i = 0; i < pv->n_ballots; i++) {
        board_ballot_view_t bv;
        board_ballot_at(e, pv, i, &bv);
        control_text_put(t, "  %-10s %-7s %s log %llu%s%s\n", bv.member, board_names_vote(bv.vote),
                         clock_format(bv.time_ms, when, sizeof when),
                         (unsigned long long)bv.log_index, bv.reason[0] ? "  reason: " : "",
                         bv.reason);
    }
    for (size_t i = 0; i < board_rejection_count(e); i++) {
        board_rejection_t r;
        board_rejection_at(e, i, &r);
        if (strcmp(r.proposal_id, pv->id) == 0) {
            control_text_put(t, "  refused: %s (log %llu): %s: %s\n", r.sender,
                             (unsigned long long)r.log_index, err_code_name(r.code), r.reason);
        }
    }
}
