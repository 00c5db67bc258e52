/* SPDX-License-Identifier: Apache-2.0 */
/* pools: the pooled-fund engine in the node: pool events in, pool
 * commands from the CLI, and what the node answers about pools, statements
 * and BCF plans as Control replies. */
#include "pools.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bcf_data.h"
#include "clock.h"
#include "fold.h"
#include "geo.h"
#include "log.h"
#include "money.h"
#include "pool.h"
#include "receipt.h"
#include "statement_build.h"
#include "text.h"
#include "waits.h"
#include "wire.h"

struct pools {
    const config_node_t *cfg;
    const roster_t *roster;
    ledger_t *ledger;
    rpc_peer_t *peer;
    boards_t *boards; /* decides agreements and variations */
    pool_engine_t *engine;
    waits_t *waits;
    int replaying;
    int areas_added; /* the HWB areas are read once, when a BCF event first needs them */
};

/* A pool as a PoolView (out initialised by the caller): in full with
 * its partners' names, variations and refused events. Strings and
 * messages are borrowed from the engine or allocated in a. */
static void s_view_pool(const pools_t *p, const pool_view_t *v, int full,
                        Concord__V1__PoolView *out, control_arena_t *a);

/* A BCF plan as a BcfView, in full with its refused events. */
static void s_view_bcf(const pools_t *p, const pool_bcf_view_t *v, int full,
                       Concord__V1__BcfView *out, control_arena_t *a);

/* The Control methods that only read the engine. */
static void s_view_on_list(Concord__V1__Control_Service *service,
                           const Concord__V1__PoolListRequest *in,
                           Concord__V1__PoolListReply_Closure closure, void *call);
static void s_view_on_show(Concord__V1__Control_Service *service,
                           const Concord__V1__PoolShowRequest *in,
                           Concord__V1__PoolEventReply_Closure closure, void *call);
static void s_view_on_bcf_show(Concord__V1__Control_Service *service,
                               const Concord__V1__BcfShowRequest *in,
                               Concord__V1__BcfView_Closure closure, void *call);
static void s_view_on_statement(Concord__V1__Control_Service *service,
                                const Concord__V1__PoolStatementRequest *in,
                                Concord__V1__PoolStatementReply_Closure closure, void *call);
static void s_view_on_rejections(Concord__V1__Control_Service *service,
                                 const Concord__V1__PoolRejectionsRequest *in,
                                 Concord__V1__PoolRejectionsReply_Closure closure, void *call);

static const struct {
    const char *method;
    const ProtobufCMessageDescriptor *desc;
    int bcf;
} s_methods[] = {
    {POOL_METHOD_PLEDGE, &concord__v1__pledge__descriptor, 0},
    {POOL_METHOD_EXECUTE, &concord__v1__execution__descriptor, 0},
    {POOL_METHOD_OUTTURN, &concord__v1__outturn__descriptor, 0},
    {POOL_METHOD_STATEMENT, &concord__v1__pool_statement__descriptor, 0},
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

/* ---- waits ---- */

/* Answers the CLI request that published an accepted event with the pool
 * or plan as every node now sees it. */
static void s_answer(const waits_entry_t *w, const envelope_t *env, void *arg)
{
    (void)env;
    pools_t *p = arg;
    control_arena_t a = {0};
    Concord__V1__PoolEventReply out = CONCORD__V1__POOL_EVENT_REPLY__INIT;
    Concord__V1__PoolView pv = CONCORD__V1__POOL_VIEW__INIT;
    Concord__V1__BcfView bcf = CONCORD__V1__BCF_VIEW__INIT;
    pool_view_t v;
    pool_bcf_view_t bv;
    if (!w->tag && pool_get(p->engine, w->subject, &v) == 0) {
        s_view_pool(p, &v, 1, &pv, &a);
        out.pool = &pv;
    } else if (w->tag && pool_bcf_get(p->engine, w->subject, &bv) == 0) {
        s_view_bcf(p, &bv, 0, &bcf, &a);
        out.plan = &bcf;
    }
    control_answer_arena(w->call, &out.base, &a);
}

static void s_tick(pools_t *p)
{
    waits_tick(p->waits);
}

/* Adds o's districts and CCGs to the lists (each a set; CCGs by code). */
static void s_area_add_org(const geo_align_t *a, const geo_org_t *o, const char **districts,
                           size_t *n_districts, const char **ccgs, size_t *n_ccgs)
{
    size_t n_dist = geo_align_org_count(a, GEO_DISTRICT);
    for (size_t k = 0; k < n_dist; k++) {
        const geo_org_t *d = geo_align_org(a, GEO_DISTRICT, k);
        if (d->county && strcmp(d->county, o->code) == 0) {
            districts[(*n_districts)++] = d->code;
        }
    }
    /* Cells come most LSOAs first; the engine wants a set, so by code. */
    for (size_t k = 0; k < o->n_cells; k++) {
        const char *c = o->cells[k].footprint->code;
        size_t at = *n_ccgs;
        int seen = 0;
        for (size_t i = 0; i < *n_ccgs && !seen; i++) {
            seen = strcmp(ccgs[i], c) == 0;
        }
        if (seen) {
            continue;
        }
        while (at > 0 && strcmp(ccgs[at - 1], c) > 0) {
            ccgs[at] = ccgs[at - 1];
            at--;
        }
        ccgs[at] = c;
        (*n_ccgs)++;
    }
}

/* The shipped BCF policy data: the national conditions (without which
 * every plan is refused, naming the file) and the councils sharing
 * another's BCF area. */
static void s_add_policy(pool_engine_t *e, bcf_data_shared_t *shared)
{
    cc_err_t err;
    const char *dir = bcf_data_dir();
    long n = bcf_data_conditions(e, dir, &err);
    if (n < 0) {
        log_warn("pools: no BCF national conditions (%s); every BCF plan will be refused",
                 err.msg);
    } else {
        log_info("pools: %ld BCF national conditions from %s/conditions.csv", n, dir);
    }
    if (bcf_data_shared(dir, shared, &err) < 0) {
        log_warn("pools: no shared BCF areas (%s)", err.msg);
        memset(shared, 0, sizeof *shared);
    }
}

/* Tells the engine of every Better Care Fund area the shipped ONS lookups
 * and BCF data give: each upper-tier council (by code) with its districts
 * (a shire county's E07s, by code) and the CCGs that share an LSOA with
 * it (by code), and with the councils that share its BCF area (their
 * districts and CCGs too): Cornwall with the Isles of Scilly, so 151
 * areas from the 152 councils of 2017. Every node reads the same files and
 * so adds the same areas in the same order. Without the lookups the engine
 * knows no area and refuses plans of shire counties with its own reason.
 * The files are read only when a BCF event first needs them, before the
 * engine applies or prechecks it: a node with no BCF plan never holds
 * them in memory. */
static void s_add_areas(pools_t *p)
{
    cc_err_t err;
    pool_engine_t *e = p->engine;
    bcf_data_shared_t shared;
    if (p->areas_added) {
        return;
    }
    p->areas_added = 1;
    s_add_policy(e, &shared);
    const char *dir = geo_data_dir(NULL);
    geo_t *g = geo_load_dir(dir, &err);
    /* The 2017 vintages the BCF plans of 2017-19 are made of, whatever
     * later vintages are shipped beside them. */
    geo_align_t *a = g ? geo_align(g, "CCG17", &err) : NULL;
    if (!a) {
        log_warn("pools: no BCF areas (ONS lookups in %s: %s); BCF plans of shire counties"
                 " will be refused",
                 dir, err.msg);
        geo_destroy(&g);
        return;
    }
    size_t n_upper = geo_align_org_count(a, GEO_UPPER);
    size_t n_dist = geo_align_org_count(a, GEO_DISTRICT);
    size_t added = 0, n_cells = 0;
    for (size_t i = 0; i < n_upper; i++) {
        n_cells += geo_align_org(a, GEO_UPPER, i)->n_cells;
    }
    const char **districts = calloc(n_dist ? n_dist : 1, sizeof *districts);
    const char **ccgs = calloc(n_cells ? n_cells : 1, sizeof *ccgs);
    for (size_t i = 0; districts && ccgs && i < n_upper; i++) {
        const geo_org_t *o = geo_align_org(a, GEO_UPPER, i);
        const char *sharing[BCF_DATA_SHARED_MAX];
        pool_area_t area = {.hwb = o->code, .districts = districts, .ccgs = ccgs,
                            .councils = sharing};
        if (bcf_data_shared_area(&shared, o->code)) {
            continue; /* added with the council whose area it shares */
        }
        s_area_add_org(a, o, districts, &area.n_districts, ccgs, &area.n_ccgs);
        for (size_t k = 0; k < n_upper; k++) {
            const geo_org_t *m = geo_align_org(a, GEO_UPPER, k);
            const char *of = bcf_data_shared_area(&shared, m->code);
            if (of && strcmp(of, o->code) == 0) {
                sharing[area.n_councils++] = m->code;
                s_area_add_org(a, m, districts, &area.n_districts, ccgs, &area.n_ccgs);
            }
        }
        if (pool_engine_add_area(e, &area, &err) < 0) {
            log_warn("pools: BCF area %s not added: %s", o->code, err.msg);
        } else {
            added++;
        }
    }
    free(ccgs);
    free(districts);
    log_info("pools: %zu BCF areas (of %zu upper-tier councils) from the ONS lookups in %s",
             added, n_upper, dir);
    geo_align_destroy(&a);
    geo_destroy(&g);
}

/* ---- events ---- */

static void s_on_event(const envelope_t *env, uint64_t log_index, uint64_t time_ms, void *arg)
{
    pools_t *p = arg;
    const Concord__V1__Header *h = env->header;
    cc_err_t why;
    int mi = s_method_index(h->method);
    /* Board decisions that took effect up to this event come first. */
    pool_engine_clock(p->engine, time_ms);
    if (pool_follow(p->engine, boards_engine(p->boards), log_index, &why) < 0) {
        log_warn("pool: board decisions not taken up before log %llu: %s",
                 (unsigned long long)log_index, why.msg);
    }
    if (mi < 0 || !fold_broadcast_ok(env, log_index, "pool")) {
        return;
    }
    if (s_methods[mi].bcf) {
        s_add_areas(p);
    }
    pool_event_t ev = fold_event_of(env, log_index, time_ms);
    err_clear(&why);
    int accepted = pool_apply(p->engine, &ev, &why) == 0;
    fold_log_verdict("pool", env, log_index, accepted, &why, p->replaying);
    waits_resolve(p->waits, env, accepted, &why, s_answer, p);
}

static pools_t *s_new(const config_node_t *cfg, const roster_t *roster, ledger_t *ledger,
                      rpc_peer_t *peer, boards_t *boards, cc_err_t *err)
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
    p->boards = boards;
    p->replaying = 1;
    return p;
}

static void s_start(pools_t *p)
{
    p->replaying = 0;
}

static void s_destroy(pools_t **pp)
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

/* ---- control methods ---- */

/* The pools a Control handler serves (its control_self). */
static pools_t *s_of(Concord__V1__Control_Service *service, void *call)
{
    (void)service;
    return control_self(call);
}

/* Prechecks and publishes msg, the body of s_methods[mi], as this node,
 * answering call once it is folded. What the CLI may leave to the node
 * is filled in: the plan version an act signs, the partner of a pledge
 * (this node), the content of a statement (as this node computes it).
 * msg is the request's and is restored before returning. */
/* s_publish of an act a person signed (person_sig, KEYS_SIG_LEN bytes, or
 * NULL): published exactly as signed, nothing completed. */
static void s_publish_as(pools_t *p, void *call, int mi, ProtobufCMessage *msg,
                         const uint8_t *person_sig)
{
    cc_err_t err;
    const char *method = s_methods[mi].method;
    char *saved = NULL, **field = NULL, *saved_decision = NULL;
    Concord__V1__BcfSignoff *decided = NULL;
    pool_canonical_t canon = {0};
    Concord__V1__PoolStatement stated;
    if (!msg) {
        control_fail(call, CC_INVALID_ARGUMENT, "%s: no message", method);
        return;
    }
    if (s_methods[mi].bcf) {
        s_add_areas(p);
    }
    if (strcmp(method, POOL_METHOD_STATEMENT) == 0 && !person_sig) {
        Concord__V1__PoolStatement *ps = (Concord__V1__PoolStatement *)msg;
        if (!ps->n_lines && !ps->text[0]) {
            if (pool_canonical(p->engine, ps->pool_id, ps->financial_year, &canon, &err) < 0) {
                control_fail(call, err.code, "%s", err.msg);
                return;
            }
            stated = canon.msg;
            msg = &stated.base;
        }
    } else if (strcmp(method, POOL_METHOD_BCF_SIGN) == 0) {
        /* Unless named, the act signs the plan version in force. */
        Concord__V1__BcfSignoff *so = (Concord__V1__BcfSignoff *)msg;
        pool_bcf_view_t bv;
        board_proposal_view_t dv;
        if (!so->plan_version[0] && pool_bcf_get(p->engine, so->plan_id, &bv) == 0) {
            field = &so->plan_version;
            saved = *field;
            *field = (char *)bv.version;
        }
        /* The HWB's decision may be named by a unique prefix of its id. */
        if (so->board_decision[0] && strlen(so->board_decision) < 32 &&
            board_proposal_find(boards_engine(p->boards), so->board_decision, clock_wall_ms(),
                                &dv, &err) == 0) {
            decided = so;
            saved_decision = so->board_decision;
            so->board_decision = (char *)dv.id;
        }
    } else if (strcmp(method, POOL_METHOD_EXECUTE) == 0 && !person_sig) {
        /* Unless named, the partner executes the instrument in force. */
        Concord__V1__Execution *x = (Concord__V1__Execution *)msg;
        pool_view_t pv;
        if (!x->instrument[0] && pool_get(p->engine, x->pool_id, &pv) == 0) {
            field = &x->instrument;
            saved = *field;
            *field = (char *)pv.instrument;
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
                           .body_len = body_len,
                           .person_sig = person_sig};
        char to[ENVELOPE_AUDIENCE_MAX + 1];
        ok = pool_precheck(p->engine, &ev, &err) == 0 &&
             pool_audience(p->engine, &ev, to, &err) == 0 &&
             rpc_peer_publish_as(p->peer, to, method, msg, person_sig, hash, &err) == 0;
    }
    free(body);
    if (ok) {
        waits_add(p->waits, call, hash, s_subject(msg), s_methods[mi].bcf);
    } else {
        control_fail(call, err.code, "%s", err.msg);
    }
    if (field) {
        *field = saved;
    }
    if (decided) {
        decided->board_decision = saved_decision;
    }
    pool_canonical_free(&canon);
}

static void s_publish(pools_t *p, void *call, int mi, ProtobufCMessage *msg)
{
    s_publish_as(p, call, mi, msg, NULL);
}

/* A person's signature from the CLI: KEYS_SIG_LEN bytes, or none. */
static int s_person_sig_ok(void *call, const ProtobufCBinaryData *sig)
{
    if (sig->len && sig->len != KEYS_SIG_LEN) {
        control_fail(call, CC_INVALID_ARGUMENT, "a person's signature is %d bytes, not %zu",
                     KEYS_SIG_LEN, sig->len);
        return -1;
    }
    return 0;
}

static void s_on_pledge(Concord__V1__Control_Service *service, const Concord__V1__PledgeRequest *in,
                        Concord__V1__PoolEventReply_Closure closure, void *call)
{
    (void)closure;
    s_publish(s_of(service, call), call, s_method_index(POOL_METHOD_PLEDGE),
              in->pledge ? &in->pledge->base : NULL);
}

static void s_on_execute(Concord__V1__Control_Service *service,
                         const Concord__V1__ExecuteRequest *in,
                         Concord__V1__PoolEventReply_Closure closure, void *call)
{
    (void)closure;
    if (s_person_sig_ok(call, &in->person_signature) < 0) {
        return;
    }
    s_publish_as(s_of(service, call), call, s_method_index(POOL_METHOD_EXECUTE),
                 in->execution ? &in->execution->base : NULL,
                 in->person_signature.len ? in->person_signature.data : NULL);
}

static void s_on_outturn(Concord__V1__Control_Service *service,
                         const Concord__V1__OutturnRequest *in,
                         Concord__V1__PoolEventReply_Closure closure, void *call)
{
    (void)closure;
    s_publish(s_of(service, call), call, s_method_index(POOL_METHOD_OUTTURN),
              in->outturn ? &in->outturn->base : NULL);
}

static void s_on_sign_statement(Concord__V1__Control_Service *service,
                                const Concord__V1__SignStatementRequest *in,
                                Concord__V1__PoolEventReply_Closure closure, void *call)
{
    (void)closure;
    if (s_person_sig_ok(call, &in->person_signature) < 0) {
        return;
    }
    s_publish_as(s_of(service, call), call, s_method_index(POOL_METHOD_STATEMENT),
                 in->statement ? &in->statement->base : NULL,
                 in->person_signature.len ? in->person_signature.data : NULL);
}

static void s_on_bcf_plan(Concord__V1__Control_Service *service,
                          const Concord__V1__BcfPlanRequest *in,
                          Concord__V1__PoolEventReply_Closure closure, void *call)
{
    (void)closure;
    s_publish(s_of(service, call), call, s_method_index(POOL_METHOD_BCF_PLAN),
              in->plan ? &in->plan->base : NULL);
}

static void s_on_bcf_sign(Concord__V1__Control_Service *service,
                          const Concord__V1__BcfSignRequest *in,
                          Concord__V1__PoolEventReply_Closure closure, void *call)
{
    (void)closure;
    s_publish(s_of(service, call), call, s_method_index(POOL_METHOD_BCF_SIGN),
              in->signoff ? &in->signoff->base : NULL);
}

/* The proposal that puts an agreement to its board. */
static int s_agreement_proposal(pools_t *p, Concord__V1__PoolAgreement *a, const char *board,
                                Concord__V1__Proposal *pr, char *title, cc_err_t *err)
{
    pool_view_t v;
    __int128 total = 0;
    /* What is wrong with the agreement itself comes first: it names the rule. */
    if (agreement_check(p->roster, board_delegations(boards_engine(p->boards)), a, err) < 0) {
        return -1;
    }
    if (!board[0] && !(board = a->board_id)[0]) {
        err_set(err, CC_INVALID_ARGUMENT,
                "name the partners' board that decides pool %.40s: --board ID, or board_id in"
                " the agreement file",
                a->pool_id);
        return -1;
    }
    if (pool_get(p->engine, a->pool_id, &v) == 0) {
        err_set(err, CC_ALREADY_EXISTS,
                "pool %s already exists (agreement %.12s); a change is a variation", v.pool_id,
                v.agreement_id);
        return -1;
    }
    for (size_t i = 0; i < a->n_partners; i++) {
        for (size_t k = 0; k < a->partners[i]->n_contributions; k++) {
            total += a->partners[i]->contributions[k]->amount_pence;
        }
    }
    pr->kind = CONCORD__V1__PROPOSAL_KIND__POOL_AGREEMENT;
    pr->board_id = (char *)board;
    pr->pool_agreement = a;
    pr->amount_pence = total > 0 && total <= INT64_MAX ? (int64_t)total : 0;
    pr->text = a->aims_and_outcomes;
    snprintf(title, BOARD_TITLE_MAX + 1, "Pool agreement %s: %s", a->pool_id, a->name);
    return 0;
}

/* The proposal that puts a variation to its pool's board. */
static int s_variation_proposal(pools_t *p, Concord__V1__Variation *va, Concord__V1__Proposal *pr,
                                char *title, cc_err_t *err)
{
    pool_view_t v;
    if (pool_variation_check(p->engine, va, err) < 0 || pool_get(p->engine, va->pool_id, &v) < 0) {
        return -1;
    }
    pr->kind = CONCORD__V1__PROPOSAL_KIND__POOL_VARIATION;
    pr->board_id = (char *)v.board_id;
    pr->pool_variation = va;
    pr->text = va->reason;
    snprintf(title, BOARD_TITLE_MAX + 1, "Variation of pool %s", va->pool_id);
    return 0;
}

/* Puts pr to its board once built (rc 0), answering call with the
 * proposal as folded, or with the refusal in err. */
static void s_propose(pools_t *p, void *call, int rc, Concord__V1__Proposal *pr, char *title,
                      uint64_t closes_at_ms, const cc_err_t *err)
{
    if (rc < 0) {
        control_fail(call, err->code, "%s", err->msg);
        return;
    }
    pr->title = title;
    pr->closes_at_ms = closes_at_ms;
    boards_propose(p->boards, call, pr);
}

static void s_on_pool_propose(Concord__V1__Control_Service *service,
                              const Concord__V1__PoolProposeRequest *in,
                              Concord__V1__ProposalView_Closure closure, void *call)
{
    pools_t *p = s_of(service, call);
    cc_err_t err;
    char title[BOARD_TITLE_MAX + 1];
    Concord__V1__Proposal pr = CONCORD__V1__PROPOSAL__INIT;
    int rc = -1;
    (void)closure;
    if (!in->agreement || !in->closes_at_ms) {
        err_set(&err, CC_INVALID_ARGUMENT, "pool-propose: [BOARD] CLOSES_AT_MS");
    } else {
        rc = s_agreement_proposal(p, in->agreement, in->board_id, &pr, title, &err);
    }
    s_propose(p, call, rc, &pr, title, in->closes_at_ms, &err);
}

static void s_on_pool_vary(Concord__V1__Control_Service *service,
                           const Concord__V1__PoolVaryRequest *in,
                           Concord__V1__ProposalView_Closure closure, void *call)
{
    pools_t *p = s_of(service, call);
    cc_err_t err;
    char title[BOARD_TITLE_MAX + 1];
    Concord__V1__Proposal pr = CONCORD__V1__PROPOSAL__INIT;
    int rc = -1;
    (void)closure;
    if (!in->variation || !in->closes_at_ms) {
        err_set(&err, CC_INVALID_ARGUMENT, "pool-vary: [BOARD] CLOSES_AT_MS");
    } else {
        rc = s_variation_proposal(p, in->variation, &pr, title, &err);
    }
    s_propose(p, call, rc, &pr, title, in->closes_at_ms, &err);
}

static void s_on_pool_statement_export(Concord__V1__Control_Service *service,
                                       const Concord__V1__PoolStatementExportRequest *in,
                                       Concord__V1__CertificateReply_Closure closure, void *call)
{
    pools_t *p = s_of(service, call);
    cc_err_t err;
    uint8_t *cert = NULL, *roster = NULL;
    size_t cert_len = 0, roster_len = 0;
    (void)closure;
    if (!in->pool_id[0] || in->financial_year < POOL_YEAR_MIN ||
        in->financial_year > POOL_YEAR_MAX) {
        control_fail(call, CC_INVALID_ARGUMENT, "pool-statement-export: POOL YEAR");
    } else if (roster_signed_bytes(p->roster, &roster, &roster_len, &err) < 0 ||
               statement_build(boards_engine(p->boards), p->engine, p->ledger, roster, roster_len,
                               rpc_peer_keys(p->peer), in->pool_id, in->financial_year,
                               clock_wall_ms(), &cert, &cert_len, &err) < 0) {
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

/* ---- the engine's row (engine.h) ---- */

static void *s_create(const engine_env_t *env, cc_err_t *err)
{
    boards_t *boards = env->find(env, "boards");
    if (!boards) {
        err_set(err, CC_FAILED_PRECONDITION, "the pools follow the boards: add them first");
        return NULL;
    }
    return s_new(env->cfg, env->roster, env->ledger, env->peer, boards, err);
}

static void s_row_start(void *self)
{
    s_start(self);
}

static uint64_t s_deadline(const void *self)
{
    return waits_deadline(((const pools_t *)self)->waits);
}

static void s_row_tick(void *self)
{
    s_tick(self);
}

static void s_row_destroy(void *self)
{
    pools_t *p = self;
    s_destroy(&p);
}

static const engine_method_t s_control_methods[] = {
    ENGINE_METHOD("PoolPropose", s_on_pool_propose),
    ENGINE_METHOD("PoolVary", s_on_pool_vary),
    ENGINE_METHOD("Execute", s_on_execute),
    ENGINE_METHOD("Pledge", s_on_pledge),
    ENGINE_METHOD("Outturn", s_on_outturn),
    ENGINE_METHOD("SignStatement", s_on_sign_statement),
    ENGINE_METHOD("BcfPlan", s_on_bcf_plan),
    ENGINE_METHOD("BcfSign", s_on_bcf_sign),
    ENGINE_METHOD("PoolStatementExport", s_on_pool_statement_export),
    ENGINE_METHOD("PoolList", s_view_on_list),
    ENGINE_METHOD("PoolShow", s_view_on_show),
    ENGINE_METHOD("BcfShow", s_view_on_bcf_show),
    ENGINE_METHOD("PoolStatement", s_view_on_statement),
    ENGINE_METHOD("PoolRejections", s_view_on_rejections),
};

static void s_broker_refused(void *self, const uint8_t hash[32], const cc_err_t *why)
{
    pools_t *p = self;
    waits_refuse(p->waits, hash, why);
}

static void s_resealed(void *self, const uint8_t old_hash[32], const uint8_t new_hash[32])
{
    pools_t *p = self;
    waits_rehash(p->waits, old_hash, new_hash);
}

const engine_t pools_as_engine = {
    .name = "pools",
    .create = s_create,
    .on_event = s_on_event,
    .start = s_row_start,
    .deadline = s_deadline,
    .tick = s_row_tick,
    .destroy = s_row_destroy,
    .methods = s_control_methods,
    .n_methods = sizeof s_control_methods / sizeof s_control_methods[0],
    .refused = s_broker_refused,
    .resealed = s_resealed,
};

/* ---- the answers that only read the engine ---- */

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

static int s_is_code(const char *code, void *arg)
{
    return strcmp(code, (const char *)arg) == 0;
}

static void s_view_pool(const pools_t *p, const pool_view_t *v, int full,
                        Concord__V1__PoolView *out, control_arena_t *a)
{
    const Concord__V1__PoolAgreement *ag = v->agreement;
    /* A node outside the pool's board knows the agreement and the
     * executions (public) but none of the pledges, outturns and
     * statements: the board's business (PROTOCOL.md section 16.9). */
    int outside = boards_engine(p->boards) &&
                  board_audience_members(boards_engine(p->boards), v->board_id, s_is_code,
                                         (void *)p->cfg->code) != 1;
    out->id = control_str(v->pool_id);
    out->agreement_id = control_str(v->agreement_id);
    out->board_id = control_str(v->board_id);
    out->proposer = control_str(v->proposer);
    out->agreement = (Concord__V1__PoolAgreement *)ag;
    out->active = v->status == POOL_ACTIVE;
    out->in_force = v->status == POOL_AWAITING_PLEDGES || v->status == POOL_ACTIVE;
    out->executed_all = v->status != POOL_AWAITING_EXECUTION;
    out->instrument = control_str(v->instrument);
    out->parties = (uint32_t)v->parties;
    out->executed = (uint32_t)v->executed;
    out->missing = control_strdup(a, v->missing);
    out->board_business = outside != 0;
    if (outside && out->in_force) {
        char text[512];
        snprintf(text, sizeof text,
                 "contributions, pledges and outturns are the business of board %s's members;"
                 " %s is not one, so it holds only the public agreement and the executions",
                 v->board_id, p->cfg->code);
        out->active = 0;
        out->missing = control_strdup(a, text);
    }
    size_t n_out = 0;
    for (size_t i = 0; i < ag->n_partners; i++) {
        n_out += v->withdrawn[i] != 0;
    }
    out->withdrawn = n_out ? control_alloc(a, n_out * sizeof *out->withdrawn) : NULL;
    for (size_t i = 0; out->withdrawn && i < ag->n_partners; i++) {
        if (v->withdrawn[i]) {
            out->withdrawn[out->n_withdrawn++] = control_str(ag->partners[i]->code);
        }
    }
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
    size_t n_acts = 0;
    for (size_t i = 0; i < ag->n_partners; i++) {
        n_acts += v->acts[i] != NULL;
    }
    out->executions = n_acts ? control_alloc(a, n_acts * sizeof *out->executions) : NULL;
    out->acted_by = n_acts ? control_alloc(a, n_acts * sizeof *out->acted_by) : NULL;
    for (size_t i = 0; out->executions && out->acted_by && i < ag->n_partners; i++) {
        if (v->acts[i]) {
            out->acted_by[out->n_acted_by++] = control_str(ag->partners[i]->code);
            out->executions[out->n_executions++] = (Concord__V1__Execution *)v->acts[i];
        }
    }
    if (!out->acted_by) {
        out->n_executions = 0;
    }
    out->partner_names =
        ag->n_partners ? control_alloc(a, ag->n_partners * sizeof *out->partner_names) : NULL;
    for (size_t i = 0; out->partner_names && i < ag->n_partners; i++) {
        roster_org_t o = {.name = "?"};
        const char *name = NULL;
        if (roster_lookup(p->roster, ag->partners[i]->code, &o) < 0) {
            /* Merged away: its successor acts for it (docs/POOLS.md). */
            for (size_t k = roster_past_count(p->roster); k-- > 0 && !name;) {
                roster_past_t past;
                roster_past_at(p->roster, k, &past);
                roster_split_t sc;
                if (past.successor[0] && strcmp(past.org.code, ag->partners[i]->code) == 0) {
                    char text[1024];
                    text_t t;
                    text_init_fixed(&t, text, sizeof text);
                    if (roster_split_of(p->roster, past.org.code, &sc) == 0) {
                        /* Split: each successor owes its share (docs/POOLS.md). */
                        text_put(&t, "%s (split by decision %.12s:", past.org.name, sc.decision);
                        for (size_t j = 0; j < sc.n; j++) {
                            text_put(&t, "%s %s %u/1000", j ? "," : "", sc.successors[j],
                                     sc.permille[j]);
                        }
                        text_put(&t, "; %s acts for it, each pledges its share)", past.successor);
                    } else {
                        text_put(&t, "%s (merged into %s, which acts for it)", past.org.name,
                                 past.successor);
                    }
                    name = control_strdup(a, text);
                }
            }
        }
        out->partner_names[i] = name ? (char *)name : control_str(o.name);
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

static void s_view_bcf(const pools_t *p, const pool_bcf_view_t *v, int full,
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
    static const char *const outcomes[] = {[POOL_BCF_APPROVED] = "approved",
                                           [POOL_BCF_APPROVED_WITH_CONDITIONS] =
                                               "approved-with-conditions",
                                           [POOL_BCF_NOT_APPROVED] = "not-approved"};
    out->outcome = control_str(v->outcome ? outcomes[v->outcome] : "");
    out->last_year = v->plan->financial_year + (uint32_t)v->plan->n_later_years;
    out->other_hwbs = v->plan->other_hwbs;
    out->n_other_hwbs = v->plan->n_other_hwbs;
    out->pool_id = control_str(v->plan->pool_id);
    out->signed_by = control_strdup(a, v->signed_by);
    out->dfg_county_keeps_pence = v->totals.dfg_county_keeps;
    out->conditions_met = v->n_conditions_met;
    out->conditions_overdue = v->n_conditions_overdue;
    out->judged_on = control_strdup(a, v->judged_on);
    if (v->decision) {
        size_t n = v->decision->n_conditions;
        out->escalation = control_str(v->decision->escalation);
        out->conditions =
            control_alloc_messages(a, &concord__v1__bcf_condition_view__descriptor, n);
        for (size_t i = 0; out->conditions && i < n; i++) {
            out->conditions[i]->text = control_str(v->decision->conditions[i]->text);
            out->conditions[i]->deadline = control_str(v->decision->conditions[i]->deadline);
            out->conditions[i]->met = v->condition_met[i] != 0;
            out->conditions[i]->overdue = v->condition_overdue[i] != 0;
            out->n_conditions = i + 1;
        }
    }
    if (full) {
        out->refused = s_refused(p, v->plan_id, &out->n_refused, a);
    }
}

static void s_view_on_list(Concord__V1__Control_Service *service,
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
        s_view_pool(p, &v, 0, out.pools[i], &a);
        out.n_pools = i + 1;
    }
    n = pool_bcf_count(p->engine);
    out.plans = control_alloc_messages(&a, &concord__v1__bcf_view__descriptor, n);
    for (size_t i = 0; out.plans && i < n; i++) {
        pool_bcf_view_t bv;
        pool_bcf_at(p->engine, i, &bv);
        s_view_bcf(p, &bv, 0, out.plans[i], &a);
        out.n_plans = i + 1;
    }
    control_answer_arena(call, &out.base, &a);
}

static void s_view_on_show(Concord__V1__Control_Service *service,
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
        s_view_pool(p, &v, 1, &pv, &a);
        out.pool = &pv;
    } else if (in->id[0] && pool_bcf_get(p->engine, in->id, &bv) == 0) {
        s_view_bcf(p, &bv, 0, &bcf, &a);
        out.plan = &bcf;
    } else {
        control_fail(call, CC_NOT_FOUND, "no pool or BCF plan '%.40s'", in->id);
        return;
    }
    control_answer_arena(call, &out.base, &a);
}

/* A BCF plan: its streams, where its chain stands and what is missing,
 * and the plan's refused events with the engine's reasons. */
static void s_view_on_bcf_show(Concord__V1__Control_Service *service,
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
    s_view_bcf(p, &bv, 1, &out, &a);
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

static void s_view_on_statement(Concord__V1__Control_Service *service,
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
    out.lines =
        control_alloc_messages(&a, &concord__v1__statement_line_view__descriptor, s->n_lines);
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
        x->split_by = control_str(l->split_by ? l->split_by : "");
        x->successors = l->n_successors
                            ? control_alloc_messages(&a, &concord__v1__successor_share__descriptor,
                                                     l->n_successors)
                            : NULL;
        for (size_t k = 0; x->successors && k < l->n_successors; k++) {
            x->successors[k]->successor = control_str(l->successors[k]);
            x->successors[k]->share_permille = l->permille[k];
            x->successors[k]->owed_pence = l->owed[k];
            x->successors[k]->pledged_pence = l->owed_pledged[k];
            x->successors[k]->variance_share_pence = l->owed_variance[k];
            x->n_successors = k + 1;
        }
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
    out.signed_person = control_str(s->signed_person);
    if (s_refused_statement(p, s, &r) >= 0) {
        refused.sender = control_str(r.sender);
        refused.method = control_str(r.method);
        refused.subject = control_str(r.subject);
        refused.log_index = r.log_index;
        refused.code = (Concord__V1__StatusCode)r.code;
        refused.reason = control_str(r.reason);
        out.refused_statement = &refused;
    }
    /* What a person signs (`pool sign-statement --as`): the statement as
     * computed here, once it can be. */
    pool_canonical_t canon = {0};
    if (s->has_outturn &&
        pool_canonical(p->engine, in->pool_id, in->financial_year, &canon, NULL) == 0) {
        out.canonical = &canon.msg;
    }
    control_answer_arena(call, &out.base, &a);
    pool_canonical_free(&canon);
    free(s);
}

static void s_view_on_rejections(Concord__V1__Control_Service *service,
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
