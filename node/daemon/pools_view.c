/* pools_view: what the node answers about pools and BCF plans, as text
 * for people and as JSON: pools, statements (with whether the host's
 * signed statement exists and matches), plans and refused events. */
#include "pools_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "statement.h"

/* ---- text and JSON ---- */

static const char *s_status_name(pool_status_t s)
{
    switch (s) {
    case POOL_AWAITING_PLEDGES:
        return "AWAITING_PLEDGES";
    case POOL_ACTIVE:
        return "ACTIVE";
    }
    return "?";
}

static const char *s_variation_status_name(pool_variation_status_t s)
{
    switch (s) {
    case POOL_VARIATION_PASSED:
        return "PASSED";
    case POOL_VARIATION_LAPSED:
        return "LAPSED";
    }
    return "?";
}

static const char *s_enum_name(const ProtobufCEnumDescriptor *d, int v)
{
    const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value(d, v);
    return ev ? ev->name : "UNSPECIFIED";
}

void pools_view_pool(const pools_t *p, const pool_view_t *v, control_text_t *t, json_t *j, int full)
{
    const Concord__V1__PoolAgreement *a = v->agreement;
    char money[MONEY_TEXT_MAX], yn[16];
    const char *kind = s_enum_name(&concord__v1__arrangement_kind__descriptor, a->kind);
    json_obj_begin(j, NULL);
    json_str(j, "id", v->pool_id);
    json_str(j, "name", a->name);
    json_str(j, "kind", kind);
    json_str(j, "agreement_id", v->agreement_id);
    json_str(j, "board", v->board_id);
    json_str(j, "proposer", v->proposer);
    json_str(j, "status", s_status_name(v->status));
    json_str(j, "missing", v->missing);
    json_str(j, "host", a->n_hosts ? a->hosts[0] : NULL);
    json_arr_begin(j, "years");
    for (size_t i = 0; i < v->n_years; i++) {
        json_u64(j, NULL, v->years[i]);
    }
    json_arr_end(j);
    json_arr_begin(j, "partners");
    for (size_t i = 0; i < a->n_partners; i++) {
        json_str(j, NULL, a->partners[i]->code);
    }
    json_arr_end(j);
    if (!full) {
        json_obj_end(j);
        control_text_put(t, "%-16s %-16s %-18s %s\n", v->pool_id, s_status_name(v->status), kind,
                         a->name);
        return;
    }
    control_text_put(t,
                     "pool        %s (%s)\nkind        %s\nagreement   %s, proposed by %s,"
                     " decided by board %s\n",
                     v->pool_id, a->name, kind, v->agreement_id, v->proposer, v->board_id);
    control_text_put(t, "status      %s\n", s_status_name(v->status));
    if (v->missing[0]) {
        control_text_put(t, "            %s\n", v->missing);
    }
    if (a->n_hosts) {
        control_text_put(t, "host        %s\n", a->hosts[0]);
    }
    for (size_t i = 0; i < a->n_partners; i++) {
        roster_org_t o = {.name = "?"};
        roster_lookup(p->roster, a->partners[i]->code, &o);
        control_text_put(t, "partner     %-10s %s\n", a->partners[i]->code, o.name);
        for (size_t k = 0; k < a->partners[i]->n_contributions; k++) {
            const Concord__V1__Contribution *ct = a->partners[i]->contributions[k];
            control_text_put(t, "              %s  %s (as agreed)\n",
                             money_year_name(ct->financial_year, yn, sizeof yn),
                             money_format(ct->amount_pence, money, sizeof money));
        }
    }
    if (a->risk_share) {
        control_text_put(
            t, "risk share  %s\n",
            s_enum_name(&concord__v1__risk_share_basis__descriptor, a->risk_share->basis));
    }
    json_arr_begin(j, "variations");
    for (size_t i = 0; i < pool_variation_count(p->engine); i++) {
        pool_variation_view_t vv;
        pool_variation_at(p->engine, i, &vv);
        if (strcmp(vv.pool_id, v->pool_id) != 0) {
            continue;
        }
        json_obj_begin(j, NULL);
        json_str(j, "id", vv.id);
        json_str(j, "proposer", vv.proposer);
        json_str(j, "status", s_variation_status_name(vv.status));
        json_str(j, "missing", vv.missing);
        json_obj_end(j);
        control_text_put(t, "variation   %s by %s: %s%s%s\n", vv.id, vv.proposer,
                         s_variation_status_name(vv.status), vv.missing[0] ? ": " : "", vv.missing);
    }
    json_arr_end(j);
    json_arr_begin(j, "refused");
    for (size_t i = 0; i < pool_rejection_count(p->engine); i++) {
        pool_rejection_t r;
        pool_rejection_at(p->engine, i, &r);
        if (strcmp(r.subject, v->pool_id) != 0) {
            continue;
        }
        json_obj_begin(j, NULL);
        json_str(j, "sender", r.sender);
        json_str(j, "method", r.method);
        json_u64(j, "log_index", r.log_index);
        json_str(j, "code", err_code_name(r.code));
        json_str(j, "reason", r.reason);
        json_obj_end(j);
        control_text_put(t, "refused     %s (log %llu, %s): %s: %s\n", r.sender,
                         (unsigned long long)r.log_index, r.method, err_code_name(r.code),
                         r.reason);
    }
    json_arr_end(j);
    json_obj_end(j);
}

void pools_view_bcf(const pool_bcf_view_t *v, control_text_t *t, json_t *j)
{
    char money[MONEY_TEXT_MAX], yn[16];
    json_obj_begin(j, NULL);
    json_str(j, "id", v->plan_id);
    json_str(j, "version", v->version);
    json_str(j, "hwb", v->plan->hwb);
    json_u64(j, "financial_year", v->plan->financial_year);
    json_i64(j, "total_pence", v->totals.total);
    json_bool(j, "hwb_agreed", v->hwb_agreed);
    json_bool(j, "council_signed", v->council_signed);
    json_u64(j, "ccgs", v->n_ccgs);
    json_u64(j, "ccgs_signed", v->n_ccgs_signed);
    json_bool(j, "approvable", v->approvable);
    json_bool(j, "approved", v->approved);
    json_str(j, "missing", v->missing);
    json_obj_end(j);
    control_text_put(t, "plan        %s (version %s)\nhwb         %s, %s\ntotal       %s\n",
                     v->plan_id, v->version, v->plan->hwb,
                     money_year_name(v->plan->financial_year, yn, sizeof yn),
                     money_format(v->totals.total, money, sizeof money));
    control_text_put(t, "status      %s\n",
                     v->approved     ? "APPROVED by NHS England"
                     : v->approvable ? "awaiting NHS England approval"
                                     : "awaiting sign-off");
    if (v->missing[0]) {
        control_text_put(t, "missing     %s\n", v->missing);
    }
}

void pools_list(pools_t *p, control_ctx_t *c, const uint8_t *id, size_t id_len)
{
    control_text_t t = {0};
    json_t j;
    json_init(&j);
    json_obj_begin(&j, NULL);
    json_arr_begin(&j, "pools");
    for (size_t i = 0; i < pool_count(p->engine); i++) {
        pool_view_t v;
        pool_at(p->engine, i, &v);
        pools_view_pool(p, &v, &t, &j, 0);
    }
    json_arr_end(&j);
    json_arr_begin(&j, "bcf_plans");
    for (size_t i = 0; i < pool_bcf_count(p->engine); i++) {
        pool_bcf_view_t bv;
        pool_bcf_at(p->engine, i, &bv);
        pools_view_bcf(&bv, &t, &j);
    }
    json_arr_end(&j);
    json_obj_end(&j);
    if (!t.buf) {
        control_text_put(&t, "(no pools yet)\n");
    }
    control_reply_view(c, id, id_len, &t, &j);
}

void pools_show(pools_t *p, control_ctx_t *c, const uint8_t *id, size_t id_len, const char *pool_id)
{
    pool_view_t v;
    pool_bcf_view_t bv;
    control_text_t t = {0};
    json_t j;
    json_init(&j);
    if (pool_get(p->engine, pool_id, &v) == 0) {
        pools_view_pool(p, &v, &t, &j, 1);
    } else if (pool_bcf_get(p->engine, pool_id, &bv) == 0) {
        pools_view_bcf(&bv, &t, &j);
    } else {
        char msg[128];
        json_free(&j);
        snprintf(msg, sizeof msg, "no pool or BCF plan '%.40s'", pool_id);
        control_reply(c, id, id_len, CC_NOT_FOUND, msg, NULL, NULL, NULL, 0);
        return;
    }
    control_reply_view(c, id, id_len, &t, &j);
}

/* The last refused Statement of s's pool and year, or -1. */
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

/* Whether the host has signed the statement, and whether it matched. */
static void s_signed_text(const pools_t *p, const pool_statement_t *s, control_text_t *t)
{
    pool_rejection_t r;
    if (s->signed_id[0]) {
        control_text_put(t,
                         "Signed by the host %s (statement %s, log %llu): it matches the"
                         " statement computed by this node.\n",
                         s->accountable, s->signed_id, (unsigned long long)s->signed_index);
    } else if (s->has_outturn && s_refused_statement(p, s, &r) >= 0) {
        control_text_put(t, "Not signed: the statement %s sent (log %llu) was refused: %s\n",
                         r.sender, (unsigned long long)r.log_index, r.reason);
    } else if (s->rule) {
        control_text_put(t, "Not yet signed by the host %s%s.\n", s->accountable,
                         s->has_outturn ? "" : " (the year has no outturn yet)");
    }
}

static void s_signed_json(const pools_t *p, const pool_statement_t *s, json_t *j)
{
    pool_rejection_t r;
    json_bool(j, "host_signed", s->signed_id[0] != '\0');
    json_str(j, "signed_statement_id", s->signed_id[0] ? s->signed_id : NULL);
    if (s->signed_id[0]) {
        json_u64(j, "signed_log_index", s->signed_index);
        json_bool(j, "signed_matches", 1);
    } else if (s_refused_statement(p, s, &r) >= 0) {
        json_str(j, "refused_statement", r.reason);
    }
}

void pools_statement(pools_t *p, control_ctx_t *c, const uint8_t *id, size_t id_len,
                     const Concord__V1__ControlRequest *req)
{
    cc_err_t err;
    pool_statement_t *s = calloc(1, sizeof *s);
    char *end = NULL;
    unsigned long year = req->n_args >= 2 ? strtoul(req->args[1], &end, 10) : 0;
    int csv = req->n_args >= 3 && strcmp(req->args[2], "csv") == 0;
    if (!s) {
        control_reply(c, id, id_len, CC_RESOURCE_EXHAUSTED, "out of memory", NULL, NULL, NULL, 0);
        return;
    }
    if (req->n_args < 2 || !end || *end || year < POOL_YEAR_MIN || year > POOL_YEAR_MAX) {
        control_reply(c, id, id_len, CC_INVALID_ARGUMENT,
                      "pool-statement: POOL YEAR [csv], the year as 2017 for 2017/18", NULL, NULL,
                      NULL, 0);
    } else if (pool_statement(p->engine, req->args[0], (uint32_t)year, s, &err) < 0) {
        control_reply(c, id, id_len, err.code, err.msg, NULL, NULL, NULL, 0);
    } else {
        control_text_t t = {0};
        json_t j;
        json_init(&j);
        if (csv) {
            t.buf = statement_csv(s);
            t.len = t.buf ? strlen(t.buf) : 0;
        } else {
            size_t need = pool_statement_text(s, NULL, 0);
            t.buf = malloc(need + 1);
            if (t.buf) {
                pool_statement_text(s, t.buf, need + 1);
                t.len = need;
            }
            s_signed_text(p, s, &t);
        }
        json_obj_begin(&j, NULL);
        json_str(&j, "pool_id", s->pool_id);
        json_str(&j, "name", s->name);
        json_str(&j, "accountable", s->accountable);
        json_u64(&j, "financial_year", s->year);
        json_i64(&j, "total_pence", s->total);
        json_i64(&j, "pledged_total_pence", s->pledged_total);
        json_bool(&j, "complete", s->complete);
        json_bool(&j, "has_outturn", s->has_outturn);
        if (s->has_outturn) {
            json_i64(&j, "outturn_pence", s->outturn);
            json_i64(&j, "variance_pence", s->variance);
        }
        s_signed_json(p, s, &j);
        json_arr_begin(&j, "lines");
        for (size_t i = 0; i < s->n_lines; i++) {
            const pool_line_t *l = &s->lines[i];
            json_obj_begin(&j, NULL);
            json_str(&j, "partner", l->partner);
            json_i64(&j, "contribution_pence", l->contribution);
            json_i64(&j, "pledged_pence", l->pledged);
            json_bool(&j, "matches", l->matches);
            json_i64(&j, "variance_share_pence", l->part.share);
            json_i64(&j, "net_pence", l->net);
            json_obj_end(&j);
        }
        json_arr_end(&j);
        json_obj_end(&j);
        control_reply_view(c, id, id_len, &t, &j);
    }
    free(s);
}

/* A BCF plan: its streams, where its chain stands and what is missing,
 * and the plan's refused events with the engine's reasons. */
void pools_bcf_show(pools_t *p, control_ctx_t *c, const uint8_t *id, size_t id_len,
                    const char *plan_id)
{
    pool_bcf_view_t bv;
    control_text_t t = {0};
    json_t j;
    char money[MONEY_TEXT_MAX];
    if (pool_bcf_get(p->engine, plan_id, &bv) < 0) {
        char msg[128];
        snprintf(msg, sizeof msg, "no BCF plan '%.40s'", plan_id);
        control_reply(c, id, id_len, CC_NOT_FOUND, msg, NULL, NULL, NULL, 0);
        return;
    }
    json_init(&j);
    json_obj_begin(&j, NULL);
    json_str(&j, "id", bv.plan_id);
    json_str(&j, "version", bv.version);
    json_str(&j, "hwb", bv.plan->hwb);
    json_u64(&j, "financial_year", bv.plan->financial_year);
    json_i64(&j, "ccg_minimum_pence", bv.totals.ccg_minimum);
    json_i64(&j, "dfg_pence", bv.totals.dfg);
    json_i64(&j, "dfg_to_districts_pence", bv.totals.dfg_to_districts);
    json_i64(&j, "ibcf_pence", bv.totals.ibcf);
    json_i64(&j, "additional_pence", bv.totals.additional);
    json_i64(&j, "total_pence", bv.totals.total);
    json_bool(&j, "hwb_agreed", bv.hwb_agreed);
    json_bool(&j, "council_signed", bv.council_signed);
    json_u64(&j, "ccgs", bv.n_ccgs);
    json_u64(&j, "ccgs_signed", bv.n_ccgs_signed);
    json_bool(&j, "approvable", bv.approvable);
    json_bool(&j, "approved", bv.approved);
    json_str(&j, "missing", bv.missing);
    json_t none; /* the summary's text lines, without its JSON */
    json_init(&none);
    pools_view_bcf(&bv, &t, &none);
    json_free(&none);
    control_text_put(&t, "streams     CCG minimum %s",
                     money_format(bv.totals.ccg_minimum, money, sizeof money));
    control_text_put(&t, ", DFG %s", money_format(bv.totals.dfg, money, sizeof money));
    control_text_put(&t, " (%s to districts)",
                     money_format(bv.totals.dfg_to_districts, money, sizeof money));
    control_text_put(&t, ", iBCF %s", money_format(bv.totals.ibcf, money, sizeof money));
    control_text_put(&t, ", additional %s\n",
                     money_format(bv.totals.additional, money, sizeof money));
    control_text_put(&t,
                     "chain       HWB agreement %s; council sign-off %s; CCG sign-off %zu of %zu;"
                     " NHS England approval %s\n",
                     bv.hwb_agreed ? "done" : "missing", bv.council_signed ? "done" : "missing",
                     bv.n_ccgs_signed, bv.n_ccgs, bv.approved ? "done" : "missing");
    json_arr_begin(&j, "refused");
    for (size_t i = 0; i < pool_rejection_count(p->engine); i++) {
        pool_rejection_t r;
        pool_rejection_at(p->engine, i, &r);
        if (strcmp(r.subject, bv.plan_id) != 0) {
            continue;
        }
        json_obj_begin(&j, NULL);
        json_str(&j, "sender", r.sender);
        json_str(&j, "method", r.method);
        json_u64(&j, "log_index", r.log_index);
        json_str(&j, "code", err_code_name(r.code));
        json_str(&j, "reason", r.reason);
        json_obj_end(&j);
        control_text_put(&t, "refused     %s (log %llu, %s): %s: %s\n", r.sender,
                         (unsigned long long)r.log_index, r.method, err_code_name(r.code),
                         r.reason);
    }
    json_arr_end(&j);
    json_obj_end(&j);
    control_reply_view(c, id, id_len, &t, &j);
}

void pools_rejections(pools_t *p, control_ctx_t *c, const uint8_t *id, size_t id_len)
{
    control_text_t t = {0};
    json_t j;
    json_init(&j);
    json_arr_begin(&j, NULL);
    for (size_t i = 0; i < pool_rejection_count(p->engine); i++) {
        pool_rejection_t r;
        pool_rejection_at(p->engine, i, &r);
        json_obj_begin(&j, NULL);
        json_str(&j, "sender", r.sender);
        json_str(&j, "method", r.method);
        json_str(&j, "subject", r.subject);
        json_u64(&j, "log_index", r.log_index);
        json_str(&j, "code", err_code_name(r.code));
        json_str(&j, "reason", r.reason);
        json_obj_end(&j);
        control_text_put(&t, "log %llu %s %s %s: %s: %s\n", (unsigned long long)r.log_index,
                         r.sender, r.method, r.subject, err_code_name(r.code), r.reason);
    }
    json_arr_end(&j);
    if (!t.buf) {
        control_text_put(&t, "(no refused pool events)\n");
    }
    control_reply_view(c, id, id_len, &t, &j);
}
