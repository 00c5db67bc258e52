/* pools: pool events in, pool commands from the CLI. */
#include "pools.h"
#include "pools_priv.h"

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
#include "statement_build.h"
#include "waits.h"

#define POOLS_ID_MAX 256

static const struct {
    const char *method;
    const ProtobufCMessageDescriptor *desc;
    int bcf;
} s_methods[] = {
    {POOL_METHOD_PLEDGE, &concord__v1__pledge__descriptor, 0},
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
    control_text_t t = {0};
    json_t j;
    json_init(&j);
    pool_view_t v;
    pool_bcf_view_t bv;
    if (!w->tag && pool_get(p->engine, w->subject, &v) == 0) {
        pools_view_pool(p, &v, &t, &j, 1);
    } else if (w->tag && pool_bcf_get(p->engine, w->subject, &bv) == 0) {
        pools_view_bcf(&bv, &t, &j);
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

/* Tells the engine of every Health and Wellbeing Board area the shipped
 * ONS lookups give: each upper-tier council (by code) with its districts
 * (a shire county's E07s, by code) and the CCGs that share an LSOA with
 * it (by code). Every node reads the same files and so adds the same
 * areas in the same order. Without the data the engine knows no area and
 * refuses plans of shire counties with its own reason. The lookups are
 * read only when a BCF event first needs them, before the engine applies
 * or prechecks it: a node with no BCF plan never holds them in memory. */
static void s_add_areas(pools_t *p)
{
    cc_err_t err;
    pool_engine_t *e = p->engine;
    if (p->areas_added) {
        return;
    }
    p->areas_added = 1;
    const char *dir = geo_data_dir(NULL);
    geo_t *g = geo_load_dir(dir, &err);
    /* The 2017 vintages the BCF plans of 2017-19 are made of, whatever
     * later vintages are shipped beside them. */
    geo_align_t *a = g ? geo_align(g, "CCG17", &err) : NULL;
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

/* ---- events ---- */

void pools_on_event(const envelope_t *env, uint64_t log_index, uint64_t time_ms, void *arg)
{
    pools_t *p = arg;
    const Concord__V1__Header *h = env->header;
    cc_err_t why;
    int mi = s_method_index(h->method);
    /* Board decisions that took effect up to this event come first. */
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

pools_t *pools_new(const config_node_t *cfg, const roster_t *roster, ledger_t *ledger,
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
    ProtobufCMessage *decoded = msg;
    if (!msg) {
        control_reply(c, id, id_len, CC_INVALID_ARGUMENT, err.msg, NULL, NULL, NULL, 0);
        return;
    }
    /* What the CLI may leave to the node: the plan version an act signs,
     * the partner of a pledge (this node), the content of a statement
     * (as this node computes it). */
    char *saved = NULL, **field = NULL;
    pool_canonical_t canon = {0};
    Concord__V1__PoolStatement stated;
    if (s_methods[mi].bcf) {
        s_add_areas(p);
    }
    if (strcmp(method, POOL_METHOD_STATEMENT) == 0) {
        Concord__V1__PoolStatement *ps = (Concord__V1__PoolStatement *)msg;
        if (!ps->n_lines && !ps->text[0]) {
            if (pool_canonical(p->engine, ps->pool_id, ps->financial_year, &canon, &err) < 0) {
                control_reply(c, id, id_len, err.code, err.msg, NULL, NULL, NULL, 0);
                wire_free(msg);
                return;
            }
            stated = canon.msg;
            msg = &stated.base;
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
    pool_canonical_free(&canon);
    wire_free(decoded);
}

/* The proposal that puts an agreement to its board. */
static int s_agreement_proposal(pools_t *p, Concord__V1__PoolAgreement *a, const char *board,
                                Concord__V1__Proposal *pr, char *title, cc_err_t *err)
{
    pool_view_t v;
    __int128 total = 0;
    /* What is wrong with the agreement itself comes first: it names the rule. */
    if (pool_agreement_check(p->roster, a, err) < 0) {
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

/* "pool-propose" and "pool-vary": the board decides, and its fold
 * answers the CLI with the proposal. */
static void s_propose(pools_t *p, control_ctx_t *c, const uint8_t *id, size_t id_len,
                      const Concord__V1__ControlRequest *req, int vary)
{
    cc_err_t err;
    char title[BOARD_TITLE_MAX + 1], *end = NULL;
    Concord__V1__Proposal pr = CONCORD__V1__PROPOSAL__INIT;
    size_t want = vary ? 1 : 2;
    unsigned long long closes =
        req->n_args == want ? strtoull(req->args[want - 1], &end, 10) : 0;
    ProtobufCMessage *m = wire_unpack(
        vary ? &concord__v1__variation__descriptor : &concord__v1__pool_agreement__descriptor,
        req->payload.data, req->payload.len, WIRE_MAX_FRAME, &err);
    int rc = -1;
    if (!m) {
        err.code = CC_INVALID_ARGUMENT; /* the reason is wire_unpack's */
    } else if (!end || *end || !closes) {
        err_set(&err, CC_INVALID_ARGUMENT, "%s: [BOARD] CLOSES_AT_MS", req->command);
    } else if (vary) {
        rc = s_variation_proposal(p, (Concord__V1__Variation *)m, &pr, title, &err);
    } else {
        rc = s_agreement_proposal(p, (Concord__V1__PoolAgreement *)m, req->args[0], &pr, title,
                                  &err);
    }
    if (rc < 0) {
        control_reply(c, id, id_len, err.code, err.msg, NULL, NULL, NULL, 0);
    } else {
        pr.title = title;
        pr.closes_at_ms = closes;
        boards_propose(p->boards, c, id, id_len, &pr);
    }
    wire_free(m);
}

static void s_statement_export(pools_t *p, control_ctx_t *c, const uint8_t *id, size_t id_len,
                               const Concord__V1__ControlRequest *req)
{
    cc_err_t err;
    uint8_t *cert = NULL, *roster = NULL;
    size_t cert_len = 0, roster_len = 0;
    char *end = NULL;
    unsigned long year = req->n_args == 2 ? strtoul(req->args[1], &end, 10) : 0;
    if (!end || *end || year < POOL_YEAR_MIN || year > POOL_YEAR_MAX) {
        control_reply(c, id, id_len, CC_INVALID_ARGUMENT, "pool-statement-export: POOL YEAR",
                      NULL, NULL, NULL, 0);
    } else if (roster_signed_bytes(p->roster, &roster, &roster_len, &err) < 0 ||
               statement_build(boards_engine(p->boards), p->engine, p->ledger, roster,
                               roster_len, rpc_peer_keys(p->peer), req->args[0],
                               (uint32_t)year, clock_wall_ms(), &cert, &cert_len, &err) < 0) {
        control_reply(c, id, id_len, err.code, err.msg, NULL, NULL, NULL, 0);
    } else {
        control_reply(c, id, id_len, CC_OK, NULL, "", "{}", cert, cert_len);
    }
    free(cert);
    free(roster);
}

int pools_control(pools_t *p, control_ctx_t *c, const uint8_t *id, size_t id_len,
                  const Concord__V1__ControlRequest *req)
{
    const char *cmd = req->command;
    const char *arg = req->n_args ? req->args[0] : NULL;
    if (strcmp(cmd, "pool-publish") == 0) {
        s_publish(p, c, id, id_len, req);
    } else if (strcmp(cmd, "pool-list") == 0) {
        pools_list(p, c, id, id_len);
    } else if (strcmp(cmd, "pool-show") == 0 && arg) {
        pools_show(p, c, id, id_len, arg);
    } else if (strcmp(cmd, "pool-statement") == 0) {
        pools_statement(p, c, id, id_len, req);
    } else if (strcmp(cmd, "pool-statement-export") == 0) {
        s_statement_export(p, c, id, id_len, req);
    } else if (strcmp(cmd, "pool-propose") == 0 || strcmp(cmd, "pool-vary") == 0) {
        s_propose(p, c, id, id_len, req, strcmp(cmd, "pool-vary") == 0);
    } else if (strcmp(cmd, "bcf-show") == 0 && arg) {
        pools_bcf_show(p, c, id, id_len, arg);
    } else if (strcmp(cmd, "pool-rejections") == 0) {
        pools_rejections(p, c, id, id_len);
    } else {
        return -1;
    }
    return 0;
}
