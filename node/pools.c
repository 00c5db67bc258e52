/* pools: pool events in, pool commands from the CLI. */
#include "pools.h"

#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "json.h"
#include "log.h"
#include "money.h"
#include "pool.h"
#include "receipt.h"
#include "wire.h"
#include "fold.h"
#include "geo.h"
#include "waits.h"

/* CMake points these at the source tree's and the installed data/ons. */
#ifndef CONCORD_DATA_DIR
#define CONCORD_DATA_DIR "/usr/local/share/concord/ons"
#endif
#ifndef CONCORD_DATA_INSTALL_DIR
#define CONCORD_DATA_INSTALL_DIR "/usr/local/share/concord/ons"
#endif

#define POOLS_ID_MAX 256

struct pools {
    const config_node_t *cfg;
    const roster_t *roster;
    ledger_t *ledger;
    rpc_peer_t *peer;
    pool_engine_t *engine;
    waits_t *waits;
    int replaying;
};

/* The methods this module folds and the bodies they carry. */
static const struct {
    const char *method;
    const ProtobufCMessageDescriptor *desc;
    int bcf;
} s_methods[] = {
    {POOL_METHOD_PROPOSE, &concord__v1__pool_agreement__descriptor, 0},
    {POOL_METHOD_CONSENT, &concord__v1__consent__descriptor, 0},
    {POOL_METHOD_PLEDGE, &concord__v1__pledge__descriptor, 0},
    {POOL_METHOD_VARY, &concord__v1__variation__descriptor, 0},
    {POOL_METHOD_OUTTURN, &concord__v1__outturn__descriptor, 0},
    {POOL_METHOD_BCF_PLAN, &concord__v1__bcf_plan__descriptor, 1},
    {POOL_METHOD_BCF_SIGN, &concord__v1__bcf_signoff__descriptor, 1},
};

static int s_method_index(const char *method)
{
    for (size_t i = 0; i < sizeof s_methods / sizeof s_methods[0]; i++) {
        if (strcmp(s_methods[i].method, method) == 0) {
            return (int)i;
        }
    }
    return -1;
}

/* Field 1 of every pool body is its pool or plan id. */
static const char *s_subject(const ProtobufCMessage *m)
{
    const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field(m->descriptor, 1);
    if (!f || f->type != PROTOBUF_C_TYPE_STRING) {
        return "";
    }
    const char *s = *(char *const *)(const void *)((const char *)m + f->offset);
    return s ? s : "";
}

/* ---- text and JSON ---- */

static const char *s_status_name(pool_status_t s)
{
    switch (s) {
    case POOL_PROPOSED:
        return "PROPOSED";
    case POOL_REFUSED:
        return "REFUSED";
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
    case POOL_VARIATION_OPEN:
        return "OPEN";
    case POOL_VARIATION_PASSED:
        return "PASSED";
    case POOL_VARIATION_REFUSED:
        return "REFUSED";
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

static void s_view_pool(const pools_t *p, const pool_view_t *v, control_text_t *t, json_t *j, int full)
{
    const Concord__V1__PoolAgreement *a = v->agreement;
    char money[MONEY_TEXT_MAX], yn[16];
    const char *kind = s_enum_name(&concord__v1__arrangement_kind__descriptor, a->kind);
    json_obj_begin(j, NULL);
    json_str(j, "id", v->pool_id);
    json_str(j, "name", a->name);
    json_str(j, "kind", kind);
    json_str(j, "agreement_id", v->agreement_id);
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
        control_text_put(t, "%-16s %-16s %-18s %s\n", v->pool_id, s_status_name(v->status), kind, a->name);
        return;
    }
    control_text_put(t, "pool        %s (%s)\nkind        %s\nagreement   %s, proposed by %s\n", v->pool_id,
          a->name, kind, v->agreement_id, v->proposer);
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
                  pool_year_name(ct->financial_year, yn, sizeof yn),
                  money_format(ct->amount_pence, money, sizeof money));
        }
    }
    if (a->risk_share) {
        control_text_put(t, "risk share  %s\n",
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
              (unsigned long long)r.log_index, r.method, err_code_name(r.code), r.reason);
    }
    json_arr_end(j);
    json_obj_end(j);
}

static void s_view_bcf(const pool_bcf_view_t *v, control_text_t *t, json_t *j)
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
    control_text_put(t, "plan        %s (version %s)\nhwb         %s, %s\ntotal       %s\n", v->plan_id,
          v->version, v->plan->hwb, pool_year_name(v->plan->financial_year, yn, sizeof yn),
          money_format(v->totals.total, money, sizeof money));
    control_text_put(t, "status      %s\n",
          v->approved     ? "APPROVED by NHS England"
          : v->approvable ? "awaiting NHS England approval"
                          : "awaiting sign-off");
    if (v->missing[0]) {
        control_text_put(t, "missing     %s\n", v->missing);
    }
}

/* ---- waits ---- */

/* Answers the CLI request that published an accepted event with the pool
 * or plan as every node now sees it. */
static void s_answer(const waits_entry_t *w, const envelope_t *env, void *arg)
{
    (void)env;
    pools_t *p = arg;
    control_text_t t = {0};
    json_t j;
    json_init(&j);
    pool_view_t v;
    pool_bcf_view_t bv;
    if (!w->tag && pool_get(p->engine, w->subject, &v) == 0) {
        s_view_pool(p, &v, &t, &j, 1);
    } else if (w->tag && pool_bcf_get(p->engine, w->subject, &bv) == 0) {
        s_view_bcf(&bv, &t, &j);
    } else {
        json_obj_begin(&j, NULL);
        json_obj_end(&j);
    }
    control_reply_view(w->c, w->id, w->id_len, &t, &j);
}

void pools_tick(pools_t *p)
{
    waits_tick(p->waits);
}

/* ---- events ---- */

void pools_on_event(const envelope_t *env, uint64_t log_index, uint64_t time_ms, void *arg)
{
    pools_t *p = arg;
    const Concord__V1__Header *h = env->header;
    cc_err_t why;
    if (s_method_index(h->method) < 0) {
        return;
    }
    if (!fold_broadcast_ok(env, log_index, "pool")) {
        return;
    }
    pool_event_t ev = {
        .sender = h->sender,
        .log_index = log_index,
        .time_ms = time_ms,
        .call_id = h->call_id.data,
        .hash = env->hash,
        .method = h->method,
        .body = env->body,
        .body_len = env->body_len,
    };
    err_clear(&why);
    int accepted = pool_apply(p->engine, &ev, &why) == 0;
    fold_log_verdict("pool", env, log_index, accepted, &why, p->replaying);
    waits_resolve(p->waits, env, accepted, &why, s_answer, p);
}

/* Tells the engine of every Health and Wellbeing Board area the shipped
 * ONS lookups give: each upper-tier council (by code) with its districts
 * (a shire county's E07s, by code) and the CCGs that share an LSOA with
 * it (by code). Every node reads the same files and so adds the same
 * areas in the same order. Without the data the engine knows no area and
 * refuses plans of shire counties with its own reason. */
static void s_add_areas(pool_engine_t *e)
{
    cc_err_t err;
    const char *dir = geo_data_dir(NULL);
    geo_t *g = geo_load_dir(dir, &err);
    geo_align_t *a = g ? geo_align(g, "CCG", &err) : NULL;
    if (!a) {
        log_warn("pools: no HWB areas (ONS lookups in %s: %s); BCF plans of shire counties"
                 " will be refused",
                 dir, err.msg);
        geo_destroy(&g);
        return;
    }
    size_t n_upper = geo_align_org_count(a, GEO_UPPER);
    size_t n_dist = geo_align_org_count(a, GEO_DISTRICT);
    size_t added = 0;
    const char **districts = calloc(n_dist ? n_dist : 1, sizeof *districts);
    const char **ccgs = NULL;
    for (size_t i = 0; districts && i < n_upper; i++) {
        const geo_org_t *o = geo_align_org(a, GEO_UPPER, i);
        pool_area_t area = {.hwb = o->code};
        for (size_t k = 0; k < n_dist; k++) {
            const geo_org_t *d = geo_align_org(a, GEO_DISTRICT, k);
            if (d->county && strcmp(d->county, o->code) == 0) {
                districts[area.n_districts++] = d->code;
            }
        }
        free(ccgs);
        ccgs = calloc(o->n_cells ? o->n_cells : 1, sizeof *ccgs);
        if (!ccgs) {
            break;
        }
        /* Cells come most LSOAs first; the engine wants a set, so by code. */
        for (size_t k = 0; k < o->n_cells; k++) {
            const char *c = o->cells[k].footprint->code;
            size_t at = area.n_ccgs;
            while (at > 0 && strcmp(ccgs[at - 1], c) > 0) {
                ccgs[at] = ccgs[at - 1];
                at--;
            }
            ccgs[at] = c;
            area.n_ccgs++;
        }
        area.districts = districts;
        area.ccgs = ccgs;
        if (pool_engine_add_area(e, &area, &err) < 0) {
            log_warn("pools: HWB area %s not added: %s", o->code, err.msg);
        } else {
            added++;
        }
    }
    free(ccgs);
    free(districts);
    log_info("pools: %zu HWB areas from the ONS lookups in %s", added, dir);
    geo_align_destroy(&a);
    geo_destroy(&g);
}

pools_t *pools_new(const config_node_t *cfg, const roster_t *roster, ledger_t *ledger,
                   rpc_peer_t *peer, cc_err_t *err)
{
    pools_t *p = calloc(1, sizeof *p);
    if (!p || !(p->engine = pool_engine_new(roster)) ||
        !(p->waits = waits_new(cfg->call_timeout_ms, "concord pool show"))) {
        if (p) {
            pool_engine_destroy(&p->engine);
        }
        free(p);
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return NULL;
    }
    p->cfg = cfg;
    p->roster = roster;
    p->ledger = ledger;
    p->peer = peer;
    s_add_areas(p->engine);
    p->replaying = 1;
    return p;
}

void pools_start(pools_t *p)
{
    p->replaying = 0;
}

void pools_destroy(pools_t **pp)
{
    if (!pp || !*pp) {
        return;
    }
    pools_t *p = *pp;
    waits_destroy(&p->waits);
    pool_engine_destroy(&p->engine);
    free(p);
    *pp = NULL;
}

/* ---- CLI commands ---- */

static void s_publish(pools_t *p, control_ctx_t *c, const uint8_t *id, size_t id_len,
                      const Concord__V1__ControlRequest *req)
{
    cc_err_t err;
    int mi = req->n_args ? s_method_index(req->args[0]) : -1;
    if (mi < 0) {
        control_reply(c, id, id_len, CC_INVALID_ARGUMENT, "pool-publish: not a pool method", NULL,
                      NULL, NULL, 0);
        return;
    }
    const char *method = s_methods[mi].method;
    ProtobufCMessage *msg =
        wire_unpack(s_methods[mi].desc, req->payload.data, req->payload.len, WIRE_MAX_FRAME, &err);
    if (!msg) {
        control_reply(c, id, id_len, CC_INVALID_ARGUMENT, err.msg, NULL, NULL, NULL, 0);
        return;
    }
    /* What the CLI may leave to the node: the subject of a consent (the
     * pool's own agreement) and the partner of a pledge (this node). */
    char *saved = NULL, **field = NULL;
    pool_view_t v;
    if (strcmp(method, POOL_METHOD_CONSENT) == 0) {
        Concord__V1__Consent *cs = (Concord__V1__Consent *)msg;
        if (!cs->subject_id[0] && pool_get(p->engine, cs->pool_id, &v) == 0) {
            field = &cs->subject_id;
            saved = *field;
            *field = (char *)v.agreement_id;
        }
    } else if (strcmp(method, POOL_METHOD_BCF_SIGN) == 0) {
        /* Unless named, the act signs the plan version in force. */
        Concord__V1__BcfSignoff *so = (Concord__V1__BcfSignoff *)msg;
        pool_bcf_view_t bv;
        if (!so->plan_version[0] && pool_bcf_get(p->engine, so->plan_id, &bv) == 0) {
            field = &so->plan_version;
            saved = *field;
            *field = (char *)bv.version;
        }
    } else if (strcmp(method, POOL_METHOD_PLEDGE) == 0) {
        Concord__V1__Pledge *pl = (Concord__V1__Pledge *)msg;
        if (!pl->partner[0]) {
            field = &pl->partner;
            saved = *field;
            *field = (char *)p->cfg->code;
        }
    }
    uint8_t *body = NULL;
    size_t body_len = 0;
    uint8_t call_id[16], hash[32] = {0};
    envelope_new_call_id(call_id);
    int ok = wire_pack(msg, WIRE_MAX_FRAME, &body, &body_len, &err) == 0;
    if (ok) {
        pool_event_t ev = {.sender = p->cfg->code,
                           .log_index = UINT64_MAX,
                           .time_ms = clock_wall_ms(),
                           .call_id = call_id,
                           .hash = hash,
                           .method = method,
                           .body = body,
                           .body_len = body_len};
        ok = pool_precheck(p->engine, &ev, &err) == 0 &&
             rpc_peer_publish(p->peer, method, msg, hash, &err) == 0;
    }
    free(body);
    if (ok) {
        waits_add(p->waits, c, id, id_len, hash, s_subject(msg), s_methods[mi].bcf);
    } else {
        control_reply(c, id, id_len, err.code, err.msg, NULL, NULL, NULL, 0);
    }
    if (field) {
        *field = saved;
    }
    wire_free(msg);
}

static void s_list(pools_t *p, control_ctx_t *c, const uint8_t *id, size_t id_len)
{
    control_text_t t = {0};
    json_t j;
    json_init(&j);
    json_obj_begin(&j, NULL);
    json_arr_begin(&j, "pools");
    for (size_t i = 0; i < pool_count(p->engine); i++) {
        pool_view_t v;
        pool_at(p->engine, i, &v);
        s_view_pool(p, &v, &t, &j, 0);
    }
    json_arr_end(&j);
    json_arr_begin(&j, "bcf_plans");
    for (size_t i = 0; i < pool_bcf_count(p->engine); i++) {
        pool_bcf_view_t bv;
        pool_bcf_at(p->engine, i, &bv);
        s_view_bcf(&bv, &t, &j);
    }
    json_arr_end(&j);
    json_obj_end(&j);
    if (!t.buf) {
        control_text_put(&t, "(no pools yet)\n");
    }
    control_reply_view(c, id, id_len, &t, &j);
}

static void s_show(pools_t *p, control_ctx_t *c, const uint8_t *id, size_t id_len,
                   const char *pool_id)
{
    pool_view_t v;
    pool_bcf_view_t bv;
    control_text_t t = {0};
    json_t j;
    json_init(&j);
    if (pool_get(p->engine, pool_id, &v) == 0) {
        s_view_pool(p, &v, &t, &j, 1);
    } else if (pool_bcf_get(p->engine, pool_id, &bv) == 0) {
        s_view_bcf(&bv, &t, &j);
    } else {
        char msg[128];
        json_free(&j);
        snprintf(msg, sizeof msg, "no pool or BCF plan '%.40s'", pool_id);
        control_reply(c, id, id_len, CC_NOT_FOUND, msg, NULL, NULL, NULL, 0);
        return;
    }
    control_reply_view(c, id, id_len, &t, &j);
}

static void s_statement(pools_t *p, control_ctx_t *c, const uint8_t *id, size_t id_len,
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
            control_text_put(&t, "pool_id,financial_year,partner,contribution_pence,pledged_pence,matches,"
                      "variance_share_pence,net_pence\n");
            for (size_t i = 0; i < s->n_lines; i++) {
                const pool_line_t *l = &s->lines[i];
                control_text_put(&t, "%s,%u,%s,%lld,%lld,%d,%lld,%lld\n", s->pool_id, s->year, l->partner,
                      (long long)l->contribution, (long long)l->pledged, l->matches,
                      (long long)l->part.share, (long long)l->net);
            }
        } else {
            size_t need = pool_statement_text(s, NULL, 0);
            t.buf = malloc(need + 1);
            if (t.buf) {
                pool_statement_text(s, t.buf, need + 1);
                t.len = need;
            }
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
static void s_bcf_show(pools_t *p, control_ctx_t *c, const uint8_t *id, size_t id_len,
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
    s_view_bcf(&bv, &t, &none);
    json_free(&none);
    control_text_put(&t, "streams     CCG minimum %s", money_format(bv.totals.ccg_minimum, money, sizeof money));
    control_text_put(&t, ", DFG %s", money_format(bv.totals.dfg, money, sizeof money));
    control_text_put(&t, " (%s to districts)", money_format(bv.totals.dfg_to_districts, money, sizeof money));
    control_text_put(&t, ", iBCF %s", money_format(bv.totals.ibcf, money, sizeof money));
    control_text_put(&t, ", additional %s\n", money_format(bv.totals.additional, money, sizeof money));
    control_text_put(&t, "chain       HWB agreement %s; council sign-off %s; CCG sign-off %zu of %zu;"
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
                         (unsigned long long)r.log_index, r.method, err_code_name(r.code), r.reason);
    }
    json_arr_end(&j);
    json_obj_end(&j);
    control_reply_view(c, id, id_len, &t, &j);
}

static void s_rejections(pools_t *p, control_ctx_t *c, const uint8_t *id, size_t id_len)
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
        control_text_put(&t, "log %llu %s %s %s: %s: %s\n", (unsigned long long)r.log_index, r.sender,
              r.method, r.subject, err_code_name(r.code), r.reason);
    }
    json_arr_end(&j);
    if (!t.buf) {
        control_text_put(&t, "(no refused pool events)\n");
    }
    control_reply_view(c, id, id_len, &t, &j);
}

int pools_control(pools_t *p, control_ctx_t *c, const uint8_t *id, size_t id_len,
                  const Concord__V1__ControlRequest *req)
{
    const char *cmd = req->command;
    const char *arg = req->n_args ? req->args[0] : NULL;
    if (strcmp(cmd, "pool-publish") == 0) {
        s_publish(p, c, id, id_len, req);
    } else if (strcmp(cmd, "pool-list") == 0) {
        s_list(p, c, id, id_len);
    } else if (strcmp(cmd, "pool-show") == 0 && arg) {
        s_show(p, c, id, id_len, arg);
    } else if (strcmp(cmd, "pool-statement") == 0) {
        s_statement(p, c, id, id_len, req);
    } else if (strcmp(cmd, "bcf-show") == 0 && arg) {
        s_bcf_show(p, c, id, id_len, arg);
    } else if (strcmp(cmd, "pool-rejections") == 0) {
        s_rejections(p, c, id, id_len);
    } else {
        return -1;
    }
    return 0;
}
