/* SPDX-License-Identifier: Apache-2.0 */
/* cli_view: the words and conversions every renderer shares. */
#include "cli_view.h"

#include <stdio.h>
#include <string.h>

const char *cli_view_kind(int kind)
{
    return kind == CONCORD__V1__KIND__KIND_REQUEST ? "request"
           : kind == CONCORD__V1__KIND__KIND_EVENT ? "event"
                                                   : "reply";
}

const char *cli_view_outcome(const Concord__V1__ProposalView *pv)
{
    if (!pv->closed) {
        return "OPEN";
    }
    if (pv->tally && pv->tally->referred_to[0]) {
        return "REFERRED"; /* inquorate through conflicts of interest */
    }
    return pv->passed ? "PASSED" : "FAILED";
}

const char *cli_view_enum_name(const ProtobufCEnumDescriptor *d, int v)
{
    const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value(d, v);
    return ev ? ev->name : "UNSPECIFIED";
}

void cli_view_statement(const Concord__V1__PoolStatementReply *r, pool_statement_t *s)
{
    memset(s, 0, sizeof *s);
    s->pool_id = r->pool_id;
    s->name = r->name;
    s->kind = r->kind;
    s->accountable = r->accountable;
    s->year = r->financial_year;
    s->n_lines = r->n_lines < POOL_MAX_PARTNERS ? r->n_lines : POOL_MAX_PARTNERS;
    for (size_t i = 0; i < s->n_lines; i++) {
        const Concord__V1__StatementLineView *l = r->lines[i];
        s->lines[i] = (pool_line_t){.partner = l->partner,
                                    .contribution = l->contribution_pence,
                                    .pledged = l->pledged_pence,
                                    .matches = l->matches,
                                    .part = {.weight = l->weight,
                                             .quota = l->quota_pence,
                                             .penny = l->penny,
                                             .cut = l->cut_pence,
                                             .share = l->share_pence},
                                    .net = l->net_pence,
                                    .split_by = l->split_by};
        for (size_t k = 0; k < l->n_successors && k < ROSTER_SPLIT_MAX; k++) {
            pool_line_t *x = &s->lines[i];
            snprintf(x->successors[k], sizeof x->successors[k], "%s", l->successors[k]->successor);
            x->permille[k] = l->successors[k]->share_permille;
            x->owed[k] = l->successors[k]->owed_pence;
            x->owed_pledged[k] = l->successors[k]->pledged_pence;
            x->owed_variance[k] = l->successors[k]->variance_share_pence;
            x->n_successors = k + 1;
        }
    }
    s->total = r->total_pence;
    s->pledged_total = r->pledged_total_pence;
    s->complete = r->complete;
    s->has_outturn = r->has_outturn;
    s->outturn = r->outturn_pence;
    s->variance = r->variance_pence;
    s->rule = r->risk_share;
    s->agreement_id = r->agreement_id;
    s->signed_id = r->signed_statement_id;
    s->signed_index = r->signed_log_index;
    s->signed_person = r->signed_person;
}
