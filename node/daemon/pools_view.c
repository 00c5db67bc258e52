/* pools_view: what the node answers about pools and BCF plans: pools,
 * statements (with whether the host's signed statement exists), plans
 * and refused events, as Control replies. */
#include "pools_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The refused events of subject (every one for NULL) as Refusals. */
static Concord__V1__Refusal **s_refused(const pools_t *p, const char *subject, size_t *n,
                                        control_arena_t *a)
{
    size_t count = 0;
    for (size_t i = 0; i < pool_rejection_count(p->engine); i++) {
        pool_rejection_t r;
        pool_rejection_at(p->engine, i, &r);
        count += !subject || strcmp(r.subject, subject) == 0;
    }
    Concord__V1__Refusal **out =
        control_alloc_messages(a, &concord__v1__refusal__descriptor, count);
    *n = 0;
    for (size_t i = 0; out && i < pool_rejection_count(p->engine); i++) {
        pool_rejection_t r;
        pool_rejection_at(p->engine, i, &r);
        if (subject && strcmp(r.subject, subject) != 0) {
            continue;
        }
        Concord__V1__Refusal *f = out[(*n)++];
        f->sender = control_str(r.sender);
        f->method = control_str(r.method);
        f->subject = control_str(r.subject);
        f->log_index = r.log_index;
        f->code = (Concord__V1__StatusCode)r.code;
        f->reason = control_str(r.reason);
    }
    return out;
}

void pools_view_pool(const pools_t *p, const pool_view_t *v, int full, Concord__V1__PoolView *out,
                     control_arena_t *a)
{
    const Concord__V1__PoolAgreement *ag = v->agreement;
    out->id = control_str(v->pool_id);
    out->agreement_id = control_str(v->agreement_id);
    out->board_id = control_str(v->board_id);
    out->proposer = control_str(v->proposer);
    out->agreement = (Concord__V1__PoolAgreement *)ag;
    out->active = v->status == POOL_ACTIVE;
    out->missing = control_strdup(a, v->missing);
    out->n_years = v->n_years;
    out->years = v->n_years ? control_alloc(a, v->n_years * sizeof *out->years) : NULL;
    if (out->years) {
        memcpy(out->years, v->years, v->n_years * sizeof *out->years);
    } else {
        out->n_years = 0;
    }
    out->full = full != 0;
    if (!full) {
        return;
    }
    out->partner_names =
        ag->n_partners ? control_alloc(a, ag->n_partners * sizeof *out->partner_names) : NULL;
    for (size_t i = 0; out->partner_names && i < ag->n_partners; i++) {
        roster_org_t o = {.name = "?"};
        roster_lookup(p->roster, ag->partners[i]->code, &o);
        out->partner_names[i] = control_str(o.name);
        out->n_partner_names = i + 1;
    }
    size_t n = 0;
    for (size_t i = 0; i < pool_variation_count(p->engine); i++) {
        pool_variation_view_t vv;
        pool_variation_at(p->engine, i, &vv);
        n += strcmp(vv.pool_id, v->pool_id) == 0;
    }
    out->variations = control_alloc_messages(a, &concord__v1__pool_variation_view__descriptor, n);
    for (size_t i = 0; out->variations && i < pool_variation_count(p->engine); i++) {
        pool_variation_view_t vv;
        pool_variation_at(p->engine, i, &vv);
        if (strcmp(vv.pool_id, v->pool_id) != 0) {
            continue;
        }
        Concord__V1__PoolVariationView *x = out->variations[out->n_variations++];
        x->id = control_str(vv.id);
        x->proposer = control_str(vv.proposer);
        x->lapsed = vv.status == POOL_VARIATION_LAPSED;
        x->missing = control_strdup(a, vv.missing);
    }
    out->refused = s_refused(p, v->pool_id, &out->n_refused, a);
}

void pools_view_bcf(const pools_t *p, const pool_bcf_view_t *v, int full,
                    Concord__V1__BcfView *out, control_arena_t *a)
{
    out->id = control_str(v->plan_id);
    out->version = control_str(v->version);
    out->hwb = control_str(v->plan->hwb);
    out->financial_year = v->plan->financial_year;
    out->ccg_minimum_pence = v->totals.ccg_minimum;
    out->dfg_pence = v->totals.dfg;
    out->dfg_to_districts_pence = v->totals.dfg_to_districts;
    out->ibcf_pence = v->totals.ibcf;
    out->additional_pence = v->totals.additional;
    out->total_pence = v->totals.total;
    out->hwb_agreed = v->hwb_agreed != 0;
    out->council_signed = v->council_signed != 0;
    out->ccgs = v->n_ccgs;
    out->ccgs_signed = v->n_ccgs_signed;
    out->approvable = v->approvable != 0;
    out->approved = v->approved != 0;
    out->missing = control_strdup(a, v->missing);
    out->full = full != 0;
    if (full) {
        out->refused = s_refused(p, v->plan_id, &out->n_refused, a);
    }
}

/* The pools a Control handler serves (its control_self). */
static pools_t *s_of(Concord__V1__Control_Service *service, void *call)
{
    (void)service;
    return control_self(call);
}

void pools_view_on_list(Concord__V1__Control_Service *service,
                        const Concord__V1__PoolListRequest *in,
                        Concord__V1__PoolListReply_Closure closure, void *call)
{
    pools_t *p = s_of(service, call);
    control_arena_t a = {0};
    Concord__V1__PoolListReply out = CONCORD__V1__POOL_LIST_REPLY__INIT;
    (void)in;
    (void)closure;
    size_t n = pool_count(p->engine);
    out.pools = control_alloc_messages(&a, &concord__v1__pool_view__descriptor, n);
    for (size_t i = 0; out.pools && i < n; i++) {
        pool_view_t v;
        pool_at(p->engine, i, &v);
        pools_view_pool(p, &v, 0, out.pools[i], &a);
        out.n_pools = i + 1;
    }
    n = pool_bcf_count(p->engine);
    out.plans = control_alloc_messages(&a, &concord__v1__bcf_view__descriptor, n);
    for (size_t i = 0; out.plans && i < n; i++) {
        pool_bcf_view_t bv;
        pool_bcf_at(p->engine, i, &bv);
        pools_view_bcf(p, &bv, 0, out.plans[i], &a);
        out.n_plans = i + 1;
    }
    control_answer_arena(call, &out.base, &a);
}

void pools_view_on_show(Concord__V1__Control_Service *service,
                        const Concord__V1__PoolShowRequest *in,
                        Concord__V1__PoolEventReply_Closure closure, void *call)
{
    pools_t *p = s_of(service, call);
    pool_view_t v;
    pool_bcf_view_t bv;
    control_arena_t a = {0};
    Concord__V1__PoolEventReply out = CONCORD__V1__POOL_EVENT_REPLY__INIT;
    Concord__V1__PoolView pv = CONCORD__V1__POOL_VIEW__INIT;
    Concord__V1__BcfView bcf = CONCORD__V1__BCF_VIEW__INIT;
    (void)closure;
    if (in->id[0] && pool_get(p->engine, in->id, &v) == 0) {
        pools_view_pool(p, &v, 1, &pv, &a);
        out.pool = &pv;
    } else if (in->id[0] && pool_bcf_get(p->engine, in->id, &bv) == 0) {
        pools_view_bcf(p, &bv, 0, &bcf, &a);
        out.plan = &bcf;
    } else {
        control_fail(call, CC_NOT_FOUND, "no pool or BCF plan '%.40s'", in->id);
        return;
    }
    control_answer_arena(call, &out.base, &a);
}

/* A BCF plan: its streams, where its chain stands and what is missing,
 * and the plan's refused events with the engine's reasons. */
void pools_view_on_bcf_show(Concord__V1__Control_Service *service,
                            const Concord__V1__BcfShowRequest *in,
                            Concord__V1__BcfView_Closure closure, void *call)
{
    pools_t *p = s_of(service, call);
    pool_bcf_view_t bv;
    control_arena_t a = {0};
    Concord__V1__BcfView out = CONCORD__V1__BCF_VIEW__INIT;
    (void)closure;
    if (!in->plan_id[0] || pool_bcf_get(p->engine, in->plan_id, &bv) < 0) {
        control_fail(call, CC_NOT_FOUND, "no BCF plan '%.40s'", in->plan_id);
        return;
    }
    pools_view_bcf(p, &bv, 1, &out, &a);
    control_answer_arena(call, &out.base, &a);
}

/* The last refused Statement of s's pool, or -1. */
static long s_refused_statement(const pools_t *p, const pool_statement_t *s, pool_rejection_t *out)
{
    long found = -1;
    for (size_t i = 0; i < pool_rejection_count(p->engine); i++) {
        pool_rejection_t r;
        pool_rejection_at(p->engine, i, &r);
        if (strcmp(r.method, POOL_METHOD_STATEMENT) == 0 && strcmp(r.subject, s->pool_id) == 0) {
            *out = r;
            found = (long)i;
        }
    }
    return found;
}

void pools_view_on_statement(Concord__V1__Control_Service *service,
                             const Concord__V1__PoolStatementRequest *in,
                             Concord__V1__PoolStatementReply_Closure closure, void *call)
{
    pools_t *p = s_of(service, call);
    cc_err_t err;
    control_arena_t a = {0};
    pool_rejection_t r;
    (void)closure;
    if (in->financial_year < POOL_YEAR_MIN || in->financial_year > POOL_YEAR_MAX) {
        control_fail(call, CC_INVALID_ARGUMENT,
                     "pool-statement: POOL YEAR [csv], the year as 2017 for 2017/18");
        return;
    }
    pool_statement_t *s = calloc(1, sizeof *s);
    if (!s) {
        control_fail(call, CC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    if (pool_statement(p->engine, in->pool_id, in->financial_year, s, &err) < 0) {
        control_fail(call, err.code, "%s", err.msg);
        free(s);
        return;
    }
    Concord__V1__PoolStatementReply out = CONCORD__V1__POOL_STATEMENT_REPLY__INIT;
    Concord__V1__Refusal refused = CONCORD__V1__REFUSAL__INIT;
    out.pool_id = control_str(s->pool_id);
    out.name = control_str(s->name);
    out.kind = (Concord__V1__ArrangementKind)s->kind;
    out.accountable = control_str(s->accountable);
    out.financial_year = s->year;
    out.lines = control_alloc_messages(&a, &concord__v1__statement_line_view__descriptor, s->n_lines);
    for (size_t i = 0; out.lines && i < s->n_lines; i++) {
        const pool_line_t *l = &s->lines[i];
        Concord__V1__StatementLineView *x = out.lines[i];
        x->partner = control_str(l->partner);
        x->contribution_pence = l->contribution;
        x->pledged_pence = l->pledged;
        x->matches = l->matches != 0;
        x->weight = l->part.weight;
        x->quota_pence = l->part.quota;
        x->penny = l->part.penny != 0;
        x->cut_pence = l->part.cut;
        x->share_pence = l->part.share;
        x->net_pence = l->net;
        out.n_lines = i + 1;
    }
    out.total_pence = s->total;
    out.pledged_total_pence = s->pledged_total;
    out.complete = s->complete != 0;
    out.has_outturn = s->has_outturn != 0;
    out.outturn_pence = s->outturn;
    out.variance_pence = s->variance;
    out.risk_share = (Concord__V1__RiskShare *)s->rule;
    out.agreement_id = control_str(s->agreement_id);
    out.signed_statement_id = control_str(s->signed_id);
    out.signed_log_index = s->signed_index;
    if (s_refused_statement(p, s, &r) >= 0) {
        refused.sender = control_str(r.sender);
        refused.method = control_str(r.method);
        refused.subject = control_str(r.subject);
        refused.log_index = r.log_index;
        refused.code = (Concord__V1__StatusCode)r.code;
        refused.reason = control_str(r.reason);
        out.refused_statement = &refused;
    }
    control_answer_arena(call, &out.base, &a);
    free(s);
}

void pools_view_on_rejections(Concord__V1__Control_Service *service,
                              const Concord__V1__PoolRejectionsRequest *in,
                              Concord__V1__PoolRejectionsReply_Closure closure, void *call)
{
    pools_t *p = s_of(service, call);
    control_arena_t a = {0};
    Concord__V1__PoolRejectionsReply out = CONCORD__V1__POOL_REJECTIONS_REPLY__INIT;
    (void)in;
    (void)closure;
    out.refused = s_refused(p, NULL, &out.n_refused, &a);
    control_answer_arena(call, &out.base, &a);
}
