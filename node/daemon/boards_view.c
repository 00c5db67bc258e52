/* SPDX-License-Identifier: Apache-2.0 */
/* boards_view: a board proposal as a ProposalView. */
#include "boards_view.h"

#include <string.h>

#include <sodium.h>

#include "exempt.h"
#include "wire.h"

/* An exempt item: who may read it, and its content when this node can
 * open it (its proposer released it, or its key is sealed to k). */
static void s_exempt(const board_proposal_view_t *pv, const keys_t *k,
                     Concord__V1__ProposalView *out, control_arena_t *a)
{
    const Concord__V1__Exemption *x = pv->proposal->exempt;
    uint8_t key[EXEMPT_KEY_LEN], *hash = control_alloc(a, 32);
    cc_err_t err;
    if (hash) {
        exempt_ciphertext_hash(x, hash);
        out->exempt_ciphertext_hash.data = hash;
        out->exempt_ciphertext_hash.len = 32;
    }
    out->exempt_access = CONCORD__V1__EXEMPT_ACCESS__SEALED;
    if (pv->released) {
        memcpy(key, pv->content_key, EXEMPT_KEY_LEN);
    } else if (!k || exempt_open_key(x, k, key, &err) != 0) {
        return;
    }
    Concord__V1__ExemptContent *c = exempt_decrypt(x, key, &err);
    sodium_memzero(key, sizeof key);
    if (!c) {
        return;
    }
    out->exempt_access = pv->released ? CONCORD__V1__EXEMPT_ACCESS__RELEASED
                                      : CONCORD__V1__EXEMPT_ACCESS__MEMBER;
    out->exempt_title = control_strdup(a, c->title);
    out->exempt_text = control_strdup(a, c->text);
    out->exempt_paper_name = control_strdup(a, c->paper_name);
    uint8_t *paper = c->paper.len ? control_alloc(a, c->paper.len) : NULL;
    if (paper) {
        memcpy(paper, c->paper.data, c->paper.len);
        out->exempt_paper.data = paper;
        out->exempt_paper.len = c->paper.len;
    }
    wire_free(&c->base);
}

void boards_view_proposal(const board_engine_t *e, const board_proposal_view_t *pv,
                          const keys_t *me, int full, Concord__V1__ProposalView *out,
                          control_arena_t *a)
{
    out->id = control_str(pv->id);
    out->board_id = control_str(pv->board_id);
    out->proposer = control_str(pv->proposer);
    out->proposal = (Concord__V1__Proposal *)pv->proposal;
    out->time_ms = pv->time_ms;
    out->closed = pv->closed != 0;
    out->passed = pv->tally.passed != 0;
    out->decided = pv->tally.decided != 0;
    out->settled = pv->settled != 0;
    out->settled_ballots = (uint32_t)pv->settled_ballots;
    out->voting_open = pv->voting_open != 0;
    out->effective = pv->effective != 0;
    out->called_in = pv->called_in != 0;
    out->effective_at_ms = pv->effective_ms;
    out->ratifiers = (uint32_t)pv->ratifiers;
    out->ratified = (uint32_t)pv->ratified;
    out->declined = (uint32_t)pv->declined;
    out->lapsed = (uint32_t)pv->lapsed;
    out->ratify_by_ms = pv->ratify_by_ms;
    out->quorate = pv->tally.quorate != 0;
    out->members = pv->tally.all.members;
    out->votes_for = pv->tally.all.votes_for;
    out->votes_against = pv->tally.all.votes_against;
    out->abstentions = pv->tally.all.abstentions;
    out->explanation = control_strdup(a, pv->tally.explanation);
    if (pv->proposal->exempt) {
        s_exempt(pv, me, out, a);
    }
    /* The tally as data, in the arena: the view pv goes before the reply
     * is packed, so the members it names are copied. */
    board_tally_data_t *td = control_alloc(a, sizeof *td);
    if (td) {
        board_tally_data(&pv->tally, td);
        for (size_t i = 0; i < td->msg.n_blocked_by; i++) {
            td->blocked[i] = control_strdup(a, pv->tally.blocked[i]);
        }
        for (size_t i = 0; i < td->msg.n_signers; i++) {
            Concord__V1__ActSigner *x = td->msg.signers[i];
            x->member = control_strdup(a, x->member);
            x->person = control_strdup(a, x->person);
            x->name = control_strdup(a, x->name);
            x->role = control_strdup(a, x->role);
        }
        for (size_t i = 0; i < td->msg.n_exclusions; i++) {
            Concord__V1__Exclusion *x = td->msg.exclusions[i];
            x->member = control_strdup(a, x->member);
            x->person = control_strdup(a, x->person);
            x->concerns = control_strdup(a, x->concerns);
        }
        for (size_t i = 0; i < td->msg.n_declarations; i++) {
            Concord__V1__DeclarationEntry *x = td->msg.declarations[i];
            x->member = control_strdup(a, x->member);
            x->person = control_strdup(a, x->person);
            x->concerns = control_strdup(a, x->concerns);
            x->description = control_strdup(a, x->description);
        }
        td->msg.referred_to = control_strdup(a, td->msg.referred_to);
        char *casting = control_strdup(a, pv->tally.casting_by);
        td->msg.casting_by = casting ? casting : "";
        out->tally = &td->msg;
    }
    out->meeting_id = control_str(board_meeting_of(e, pv->id));
    if (!full) {
        return;
    }
    out->n_ballots = pv->n_ballots;
    out->ballots = control_alloc_messages(a, &concord__v1__ballot_view__descriptor, pv->n_ballots);
    for (size_t i = 0; out->ballots && i < pv->n_ballots; i++) {
        board_ballot_view_t bv;
        board_ballot_at(e, pv, i, &bv);
        out->ballots[i]->member = control_str(bv.member);
        out->ballots[i]->vote = (Concord__V1__Vote)bv.vote;
        out->ballots[i]->reason = control_str(bv.reason);
        out->ballots[i]->time_ms = bv.time_ms;
        out->ballots[i]->log_index = bv.log_index;
        out->ballots[i]->person = control_str(bv.person);
    }
    if (!out->ballots) {
        out->n_ballots = 0;
    }
    size_t n = 0;
    for (size_t i = 0; i < board_rejection_count(e); i++) {
        board_rejection_t r;
        board_rejection_at(e, i, &r);
        n += strcmp(r.proposal_id, pv->id) == 0;
    }
    out->refused = control_alloc_messages(a, &concord__v1__refusal__descriptor, n);
    for (size_t i = 0, k = 0; out->refused && i < board_rejection_count(e); i++) {
        board_rejection_t r;
        board_rejection_at(e, i, &r);
        if (strcmp(r.proposal_id, pv->id) != 0) {
            continue;
        }
        Concord__V1__Refusal *f = out->refused[k++];
        f->sender = control_str(r.sender);
        f->method = control_str(r.method);
        f->subject = control_str(r.proposal_id);
        f->log_index = r.log_index;
        f->code = (Concord__V1__StatusCode)r.code;
        f->reason = control_str(r.reason);
        out->n_refused = k;
    }
}
