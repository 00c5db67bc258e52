/* SPDX-License-Identifier: Apache-2.0 */
/* roster_view: the folded roster for the CLI. */
#include "roster_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void s_org(Concord__V1__RosterEntry *e, const roster_org_t *o)
{
    e->code = control_str(o->code);
    e->name = control_str(o->name);
    e->kind = control_str(o->kind);
    e->sign_key.data = (uint8_t *)o->sign_pk;
    e->sign_key.len = KEYS_PK_LEN;
    e->transport_key.data = (uint8_t *)o->curve_pk;
    e->transport_key.len = KEYS_PK_LEN;
}

void roster_view_on_show(Concord__V1__Control_Service *service,
                         const Concord__V1__RosterShowRequest *in,
                         Concord__V1__RosterShowReply_Closure closure, void *call)
{
    const roster_t *r = control_ctx_of(service)->roster;
    control_arena_t a = {0};
    Concord__V1__RosterShowReply out = CONCORD__V1__ROSTER_SHOW_REPLY__INIT;
    uint8_t hash[32];
    (void)in;
    (void)closure;
    roster_hash(r, hash);
    out.federation = control_str(roster_federation(r));
    out.genesis_hash.data = hash;
    out.genesis_hash.len = 32;
    out.n_organisations = roster_count(r);
    out.organisations =
        control_alloc_messages(&a, &concord__v1__roster_entry__descriptor, out.n_organisations);
    for (size_t i = 0; out.organisations && i < out.n_organisations; i++) {
        roster_org_t o;
        roster_at(r, i, &o);
        s_org(out.organisations[i], &o);
        out.organisations[i]->since_log_index = roster_since(r, i);
    }
    out.n_superseded = roster_past_count(r);
    out.superseded =
        control_alloc_messages(&a, &concord__v1__roster_entry__descriptor, out.n_superseded);
    for (size_t i = 0; out.superseded && i < out.n_superseded; i++) {
        roster_past_t p;
        roster_past_at(r, i, &p);
        s_org(out.superseded[i], &p.org);
        out.superseded[i]->from_log_index = p.from_index;
        out.superseded[i]->until_log_index = p.until_index;
        out.superseded[i]->successor = control_str(p.successor);
    }
    out.n_history = roster_change_count(r);
    out.history =
        control_alloc_messages(&a, &concord__v1__roster_history_entry__descriptor, out.n_history);
    for (size_t i = 0; out.history && i < out.n_history; i++) {
        roster_change_t ch;
        roster_change_at(r, i, &ch);
        out.history[i]->after_log_index = ch.log_index;
        out.history[i]->change = control_str(ch.what);
        out.history[i]->organisation = control_str(ch.code);
        out.history[i]->predecessors = control_str(ch.predecessors);
        out.history[i]->decision = control_str(ch.decision);
    }
    control_answer_arena(call, &out.base, &a);
}
