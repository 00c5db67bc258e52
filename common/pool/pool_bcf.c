/* pool_bcf: Better Care Fund plans. The rules a plan meets on its own
 * (seed 003 s2.2), and the engine's side of plans and their sign-off
 * chain: agreed by the HWB, signed off by the council and every CCG of
 * the plan, approved by NHS England. */
#include "pool.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "pool_priv.h"
#include "text.h"
#include "wire.h"

#define S_DECISION_MAX 64 /* a board decision's id, for reference */

struct pool_area_rec {
    char hwb[KEYS_CODE_MAX + 1];
    char **districts;
    size_t n_districts;
    char **ccgs;
    size_t n_ccgs;
};

struct pool_plan {
    char id[POOL_ID_MAX + 1];
    char version[POOL_REF_LEN + 1]; /* the Plan event in force */
    Concord__V1__BcfPlan *plan;
    int hwb_agreed;
    int council_signed;
    int approved;
    uint8_t ccg_signed[POOL_AREA_MAX]; /* by place in plan->ccg_minimum */
    pool_evlist_t events;
};

/* ---- areas ---- */

static void s_strings_free(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        free(v[i]);
    }
    free(v);
}

static void s_area_free(pool_area_rec_t *a)
{
    if (a) {
        s_strings_free(a->districts, a->n_districts);
        s_strings_free(a->ccgs, a->n_ccgs);
        free(a);
    }
}

static int s_code_ok(const char *code)
{
    size_t n = code ? strlen(code) : 0;
    return n >= 2 && n <= KEYS_CODE_MAX;
}

/* Checks and copies a list of codes; -1 with err on a bad one. */
static int s_codes_copy(const char *const *in, size_t n, const char *what, char ***out,
                        cc_err_t *err)
{
    *out = NULL;
    if (n > POOL_AREA_MAX) {
        err_set(err, CC_INVALID_ARGUMENT, "an area lists at most %d %s", POOL_AREA_MAX, what);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; s_code_ok(in[i]) && k < i; k++) {
            if (strcmp(in[k], in[i]) == 0) {
                err_set(err, CC_INVALID_ARGUMENT, "%s is listed twice among the %s", in[i], what);
                return -1;
            }
        }
        if (!s_code_ok(in[i])) {
            err_set(err, CC_INVALID_ARGUMENT, "a code among the %s is not an organisation code",
                    what);
            return -1;
        }
    }
    if (n && !(*out = calloc(n, sizeof **out))) {
        return err_oom(err);
    }
    for (size_t i = 0; i < n; i++) {
        if (!((*out)[i] = strdup(in[i]))) {
            s_strings_free(*out, n);
            *out = NULL;
            return err_oom(err);
        }
    }
    return 0;
}

int pool_engine_add_area(pool_engine_t *e, const pool_area_t *area, cc_err_t *err)
{
    pool_area_t seen;
    if (e->bcf_started) {
        err_set(err, CC_FAILED_PRECONDITION, "areas are added before any BCF event is applied");
        return -1;
    }
    if (!s_code_ok(area->hwb)) {
        err_set(err, CC_INVALID_ARGUMENT, "an area needs its HWB council's code");
        return -1;
    }
    if (pool_area_find(e, area->hwb, &seen)) {
        err_set(err, CC_ALREADY_EXISTS, "area %s was already added", area->hwb);
        return -1;
    }
    pool_area_rec_t *a = calloc(1, sizeof *a);
    void *grown = grow_reserve(e->areas, &e->cap_areas, e->n_areas, sizeof *e->areas);
    if (grown) {
        e->areas = grown;
    }
    if (!a || !grown) {
        free(a);
        return err_oom(err);
    }
    snprintf(a->hwb, sizeof a->hwb, "%s", area->hwb);
    if (s_codes_copy(area->districts, area->n_districts, "districts", &a->districts, err) < 0 ||
        s_codes_copy(area->ccgs, area->n_ccgs, "CCGs", &a->ccgs, err) < 0) {
        s_area_free(a);
        return -1;
    }
    a->n_districts = area->n_districts;
    a->n_ccgs = area->n_ccgs;
    e->areas[e->n_areas++] = a;
    return 0;
}

const pool_area_t *pool_area_find(const pool_engine_t *e, const char *hwb, pool_area_t *out)
{
    for (size_t i = 0; i < e->n_areas; i++) {
        const pool_area_rec_t *a = e->areas[i];
        if (strcmp(a->hwb, hwb) == 0) {
            out->hwb = a->hwb;
            out->districts = (const char *const *)a->districts;
            out->n_districts = a->n_districts;
            out->ccgs = (const char *const *)a->ccgs;
            out->n_ccgs = a->n_ccgs;
            return out;
        }
    }
    return NULL;
}

/* ---- plans and acts ---- */

static pool_plan_t *s_plan_find(const pool_engine_t *e, const char *id)
{
    for (size_t i = 0; i < e->n_plans; i++) {
        if (strcmp(e->plans[i]->id, id) == 0) {
            return e->plans[i];
        }
    }
    return NULL;
}

static long s_ccg(const Concord__V1__BcfPlan *p, const char *code)
{
    for (size_t i = 0; i < p->n_ccg_minimum; i++) {
        if (strcmp(p->ccg_minimum[i]->ccg, code) == 0) {
            return (long)i;
        }
    }
    return -1;
}

/* The steps still missing, "; "-separated. with_nhse adds NHS England's
 * approval when it too is missing. */
static void s_say_missing(const pool_plan_t *pl, int with_nhse, text_t *t)
{
    const Concord__V1__BcfPlan *p = pl->plan;
    if (!pl->hwb_agreed) {
        text_put(t, "%sHWB agreement (by %s)", t->len ? "; " : "", p->hwb);
    }
    if (!pl->council_signed) {
        text_put(t, "%scouncil sign-off by %s", t->len ? "; " : "", p->hwb);
    }
    for (size_t i = 0; i < p->n_ccg_minimum; i++) {
        if (!pl->ccg_signed[i]) {
            text_put(t, "%sCCG sign-off by %s", t->len ? "; " : "", p->ccg_minimum[i]->ccg);
        }
    }
    if (with_nhse && !pl->approved) {
        text_put(t, "%sNHS England approval", t->len ? "; " : "");
    }
}

static int s_check_plan(const pool_engine_t *e, const pool_event_t *ev, pool_bcf_checked_t *chk,
                        cc_err_t *err)
{
    const Concord__V1__BcfPlan *p = chk->plan;
    pool_area_t area;
    char y[16], ref[POOL_REF_LEN + 1];
    if (pool_bcf_plan_check(e->roster, p, pool_area_find(e, p->hwb, &area), err) < 0) {
        return -1;
    }
    if (strcmp(ev->sender, p->hwb) != 0) {
        err_set(err, CC_PERMISSION_DENIED,
                "BCF plan %s is submitted by its HWB council %s, not"
                " %.40s",
                p->plan_id, p->hwb, ev->sender);
        return -1;
    }
    pool_plan_t *old = chk->target = s_plan_find(e, p->plan_id);
    pool_ref(ev->call_id, ref);
    if (old &&
        (strcmp(old->plan->hwb, p->hwb) != 0 || old->plan->financial_year != p->financial_year)) {
        err_set(err, CC_INVALID_ARGUMENT, "plan id %s belongs to HWB %s for %s", old->id,
                old->plan->hwb, money_year_name(old->plan->financial_year, y, sizeof y));
        return -1;
    }
    if (old && old->approved) {
        err_set(err, CC_FAILED_PRECONDITION,
                "BCF plan %s is approved by NHS England and can no"
                " longer be revised",
                old->id);
        return -1;
    }
    if (old && strcmp(old->version, ref) == 0) {
        err_set(err, CC_ALREADY_EXISTS, "event %s was already applied", ref);
        return -1;
    }
    for (size_t i = 0; i < e->n_plans; i++) {
        const Concord__V1__BcfPlan *q = e->plans[i]->plan;
        if (e->plans[i] != old && strcmp(q->hwb, p->hwb) == 0 &&
            q->financial_year == p->financial_year) {
            err_set(err, CC_ALREADY_EXISTS,
                    "HWB %s already has BCF plan %s for %s; revise that"
                    " one",
                    p->hwb, e->plans[i]->id, money_year_name(q->financial_year, y, sizeof y));
            return -1;
        }
    }
    return 0;
}

/* Who may perform act on pl, and whether the chain allows it now. */
static int s_check_act(const pool_engine_t *e, const pool_event_t *ev, const pool_plan_t *pl,
                       int act, cc_err_t *err)
{
    const Concord__V1__BcfPlan *p = pl->plan;
    roster_org_t o;
    char missing[768];
    text_t t;
    text_init_fixed(&t, missing, sizeof missing);
    long ccg = s_ccg(p, ev->sender);
    int council =
        act == CONCORD__V1__BCF_ACT__HWB_AGREEMENT || act == CONCORD__V1__BCF_ACT__COUNCIL_SIGN_OFF;
    if (council && strcmp(ev->sender, p->hwb) != 0) {
        err_set(err, CC_PERMISSION_DENIED, "only %s, the HWB council, %s BCF plan %s", p->hwb,
                act == CONCORD__V1__BCF_ACT__HWB_AGREEMENT ? "records its HWB's"
                                                             " agreement to"
                                                           : "signs off",
                p->plan_id);
        return -1;
    }
    if (act == CONCORD__V1__BCF_ACT__CCG_SIGN_OFF && ccg < 0) {
        err_set(err, CC_PERMISSION_DENIED, "%.40s is not a CCG of BCF plan %s", ev->sender,
                p->plan_id);
        return -1;
    }
    if (act == CONCORD__V1__BCF_ACT__NHS_ENGLAND_APPROVAL &&
        (!agreement_org(e->roster, ev->sender, &o) || strcmp(o.kind, "NHS_ENGLAND") != 0)) {
        err_set(err, CC_PERMISSION_DENIED,
                "only NHS England approves a BCF plan; %.40s is not"
                " NHS England",
                ev->sender);
        return -1;
    }
    if (act != CONCORD__V1__BCF_ACT__HWB_AGREEMENT && !pl->hwb_agreed) {
        err_set(err, CC_FAILED_PRECONDITION,
                "the HWB has not yet agreed BCF plan %s: sign-off"
                " and approval follow its agreement",
                p->plan_id);
        return -1;
    }
    int done = act == CONCORD__V1__BCF_ACT__HWB_AGREEMENT      ? pl->hwb_agreed
               : act == CONCORD__V1__BCF_ACT__COUNCIL_SIGN_OFF ? pl->council_signed
               : act == CONCORD__V1__BCF_ACT__CCG_SIGN_OFF     ? pl->ccg_signed[ccg]
                                                               : 0;
    if (done) {
        err_set(err, CC_ALREADY_EXISTS, "%s already did that for BCF plan %s", ev->sender,
                p->plan_id);
        return -1;
    }
    s_say_missing(pl, 0, &t);
    if (act == CONCORD__V1__BCF_ACT__NHS_ENGLAND_APPROVAL && t.len) {
        err_set(err, CC_FAILED_PRECONDITION,
                "NHS England cannot approve BCF plan %s yet: missing"
                " %s",
                p->plan_id, missing);
        return -1;
    }
    return 0;
}

static int s_check_sign(const pool_engine_t *e, const pool_event_t *ev, pool_bcf_checked_t *chk,
                        cc_err_t *err)
{
    const Concord__V1__BcfSignoff *s = chk->sign;
    pool_plan_t *pl = chk->target = s_plan_find(e, s->plan_id);
    if (!pl) {
        err_set(err, CC_NOT_FOUND, "no BCF plan '%.40s'", s->plan_id);
        return -1;
    }
    if (s->act < 1 || s->act > 4 || strlen(s->board_decision) > S_DECISION_MAX ||
        strlen(s->note) > POOL_REASON_MAX) {
        err_set(err, CC_INVALID_ARGUMENT,
                "a BCF act is HWB agreement, council or CCG sign-off,"
                " or NHS England approval, with a note of at most %d bytes",
                POOL_REASON_MAX);
        return -1;
    }
    if (pl->approved) {
        err_set(err, CC_FAILED_PRECONDITION, "BCF plan %s is already approved by NHS England",
                pl->id);
        return -1;
    }
    if (strcmp(s->plan_version, pl->version) != 0) {
        err_set(err, CC_FAILED_PRECONDITION,
                "the act signs version '%.12s' of BCF plan %s, but"
                " the plan was revised: the current version is %.12s",
                s->plan_version, pl->id, pl->version);
        return -1;
    }
    return s_check_act(e, ev, pl, s->act, err);
}

int pool_bcf_check(const pool_engine_t *e, const pool_event_t *ev, pool_bcf_checked_t *chk,
                   cc_err_t *err)
{
    memset(chk, 0, sizeof *chk);
    if (strcmp(ev->method, POOL_METHOD_BCF_PLAN) == 0) {
        chk->plan = (Concord__V1__BcfPlan *)wire_unpack(
            &concord__v1__bcf_plan__descriptor, ev->body, ev->body_len, WIRE_MAX_FRAME, err);
        if (!chk->plan) {
            return -1;
        }
        snprintf(chk->subject, sizeof chk->subject, "%s", chk->plan->plan_id);
        return s_check_plan(e, ev, chk, err);
    }
    chk->sign = (Concord__V1__BcfSignoff *)wire_unpack(&concord__v1__bcf_signoff__descriptor,
                                                       ev->body, ev->body_len, WIRE_MAX_FRAME, err);
    if (!chk->sign) {
        return -1;
    }
    snprintf(chk->subject, sizeof chk->subject, "%s", chk->sign->plan_id);
    return s_check_sign(e, ev, chk, err);
}

void pool_bcf_checked_free(pool_bcf_checked_t *chk)
{
    wire_free(chk->plan ? &chk->plan->base : NULL);
    wire_free(chk->sign ? &chk->sign->base : NULL);
    chk->plan = NULL;
    chk->sign = NULL;
}

static void s_plan_free(pool_plan_t *pl)
{
    if (pl) {
        wire_free(pl->plan ? &pl->plan->base : NULL);
        free(pl->events.at);
        free(pl);
    }
}

/* A new plan, or a revision that starts the chain again. */
static int s_accept_plan(pool_engine_t *e, const pool_event_t *ev, pool_bcf_checked_t *chk,
                         cc_err_t *err)
{
    pool_plan_t *pl = chk->target, *fresh = NULL;
    void *grown = grow_reserve(e->plans, &e->cap_plans, e->n_plans, sizeof *e->plans);
    if (grown) {
        e->plans = grown;
    }
    if (!grown || (!pl && !(pl = fresh = calloc(1, sizeof *fresh))) ||
        pool_evlist_reserve(&pl->events) < 0) {
        s_plan_free(fresh);
        return err_oom(err);
    }
    wire_free(pl->plan ? &pl->plan->base : NULL);
    pl->plan = chk->plan;
    chk->plan = NULL;
    snprintf(pl->id, sizeof pl->id, "%s", pl->plan->plan_id);
    pool_ref(ev->call_id, pl->version);
    pl->hwb_agreed = pl->council_signed = pl->approved = 0;
    memset(pl->ccg_signed, 0, sizeof pl->ccg_signed);
    pool_evlist_add(&pl->events, ev);
    if (fresh) {
        e->plans[e->n_plans++] = fresh;
    }
    return 0;
}

int pool_bcf_accept(pool_engine_t *e, const pool_event_t *ev, pool_bcf_checked_t *chk,
                    cc_err_t *err)
{
    if (chk->plan) {
        return s_accept_plan(e, ev, chk, err);
    }
    pool_plan_t *pl = chk->target;
    if (pool_evlist_reserve(&pl->events) < 0) {
        return err_oom(err);
    }
    pool_evlist_add(&pl->events, ev);
    switch (chk->sign->act) {
    case CONCORD__V1__BCF_ACT__HWB_AGREEMENT:
        pl->hwb_agreed = 1;
        break;
    case CONCORD__V1__BCF_ACT__COUNCIL_SIGN_OFF:
        pl->council_signed = 1;
        break;
    case CONCORD__V1__BCF_ACT__CCG_SIGN_OFF:
        pl->ccg_signed[s_ccg(pl->plan, ev->sender)] = 1;
        break;
    default:
        pl->approved = 1;
        break;
    }
    return 0;
}

void pool_bcf_free_all(pool_engine_t *e)
{
    for (size_t i = 0; i < e->n_plans; i++) {
        s_plan_free(e->plans[i]);
    }
    for (size_t i = 0; i < e->n_areas; i++) {
        s_area_free(e->areas[i]);
    }
    free(e->plans);
    free(e->areas);
    e->plans = NULL;
    e->areas = NULL;
    e->n_plans = e->n_areas = 0;
}

/* ---- views ---- */

const pool_evlist_t *pool_bcf_events(const pool_engine_t *e, const char *plan_id)
{
    const pool_plan_t *pl = s_plan_find(e, plan_id);
    return pl ? &pl->events : NULL;
}

size_t pool_bcf_count(const pool_engine_t *e)
{
    return e->n_plans;
}

static void s_view(const pool_plan_t *pl, pool_bcf_view_t *out)
{
    text_t t;
    text_init_fixed(&t, out->missing, sizeof out->missing);
    memset(out, 0, sizeof *out);
    out->plan_id = pl->id;
    out->version = pl->version;
    out->plan = pl->plan;
    pool_bcf_totals(pl->plan, &out->totals, NULL); /* checked when accepted */
    out->hwb_agreed = pl->hwb_agreed;
    out->council_signed = pl->council_signed;
    out->n_ccgs = pl->plan->n_ccg_minimum;
    for (size_t i = 0; i < out->n_ccgs; i++) {
        out->n_ccgs_signed += pl->ccg_signed[i];
    }
    out->approved = pl->approved;
    s_say_missing(pl, 0, &t);
    out->approvable = !t.len && !pl->approved;
    text_init_fixed(&t, out->missing, sizeof out->missing);
    s_say_missing(pl, 1, &t);
}

void pool_bcf_at(const pool_engine_t *e, size_t i, pool_bcf_view_t *out)
{
    assert(i < e->n_plans);
    s_view(e->plans[i], out);
}

int pool_bcf_get(const pool_engine_t *e, const char *plan_id, pool_bcf_view_t *out)
{
    const pool_plan_t *pl = plan_id ? s_plan_find(e, plan_id) : NULL;
    if (!pl) {
        return -1;
    }
    s_view(pl, out);
    return 0;
}

/* ---- the rules a plan meets on its own ---- */

static int s_text_ok(const char *s, size_t max, int required)
{
    size_t n = strlen(s);
    return n <= max && (!required || n > 0);
}

static int s_listed(const char *const *list, size_t n, const char *code)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(list[i], code) == 0) {
            return 1;
        }
    }
    return 0;
}

static int s_bcf_ccgs(const roster_t *roster, const Concord__V1__BcfPlan *p,
                      const pool_area_t *area, cc_err_t *err)
{
    if (!p->n_ccg_minimum || p->n_ccg_minimum > POOL_AREA_MAX) {
        err_set(err, CC_INVALID_ARGUMENT,
                "BCF plan %s must carry the minimum contribution of"
                " each relevant CCG (1 to %d)",
                p->plan_id, POOL_AREA_MAX);
        return -1;
    }
    for (size_t i = 0; i < p->n_ccg_minimum; i++) {
        const Concord__V1__BcfCcgContribution *c = p->ccg_minimum[i];
        roster_org_t o;
        if (!agreement_org(roster, c->ccg, &o) || strcmp(o.kind, "CCG") != 0) {
            err_set(err, CC_INVALID_ARGUMENT, "'%.40s' in BCF plan %s is not a CCG in the roster",
                    c->ccg, p->plan_id);
            return -1;
        }
        for (size_t k = 0; k < i; k++) {
            if (strcmp(p->ccg_minimum[k]->ccg, c->ccg) == 0) {
                err_set(err, CC_INVALID_ARGUMENT, "CCG %s is named twice in BCF plan %s", c->ccg,
                        p->plan_id);
                return -1;
            }
        }
        if (c->amount_pence <= 0) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "CCG %s's minimum contribution is %s: it must be"
                    " positive",
                    c->ccg, money_text(c->amount_pence).s);
            return -1;
        }
        if (area && area->n_ccgs && !s_listed(area->ccgs, area->n_ccgs, c->ccg)) {
            err_set(err, CC_INVALID_ARGUMENT, "CCG %s is not a relevant CCG of HWB area %s", c->ccg,
                    p->hwb);
            return -1;
        }
    }
    for (size_t i = 0; area && i < area->n_ccgs; i++) {
        size_t k = 0;
        while (k < p->n_ccg_minimum && strcmp(p->ccg_minimum[k]->ccg, area->ccgs[i]) != 0) {
            k++;
        }
        if (k == p->n_ccg_minimum) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "BCF plan %s has no minimum contribution from %s,"
                    " a relevant CCG of HWB area %s",
                    p->plan_id, area->ccgs[i], p->hwb);
            return -1;
        }
    }
    return 0;
}

/* Two-tier: the whole DFG to the districts, each a positive part. */
static int s_bcf_dfg_two_tier(const Concord__V1__BcfPlan *p, const pool_area_t *area,
                              const pool_bcf_totals_t *t, cc_err_t *err)
{
    for (size_t i = 0; i < p->n_dfg_allocations; i++) {
        const Concord__V1__DfgAllocation *d = p->dfg_allocations[i];
        if (strcmp(d->district, p->hwb) != 0 &&
            !s_listed(area->districts, area->n_districts, d->district)) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "DFG allocated to '%.40s', which is not a district"
                    " of %s",
                    d->district, p->hwb);
            return -1;
        }
        for (size_t k = 0; k < i; k++) {
            if (strcmp(p->dfg_allocations[k]->district, d->district) == 0) {
                err_set(err, CC_INVALID_ARGUMENT, "DFG allocated twice to %s", d->district);
                return -1;
            }
        }
    }
    if (t->dfg_to_districts > t->dfg) {
        err_set(err, CC_INVALID_ARGUMENT,
                "BCF plan %s passes %s of DFG to districts, more than"
                " the grant of %s",
                p->plan_id, money_text(t->dfg_to_districts).s, money_text(t->dfg).s);
        return -1;
    }
    if (t->dfg_to_districts != t->dfg) {
        err_set(err, CC_INVALID_ARGUMENT,
                "BCF plan %s leaves %s of the Disabled Facilities Grant with county %s: in a"
                " two-tier area the DFG must go to the district councils, the housing"
                " authorities (seed 003 s2.2)",
                p->plan_id, money_text(t->dfg - t->dfg_to_districts).s, p->hwb);
        return -1;
    }
    for (size_t i = 0; i < area->n_districts; i++) {
        size_t k = 0;
        while (k < p->n_dfg_allocations &&
               strcmp(p->dfg_allocations[k]->district, area->districts[i]) != 0) {
            k++;
        }
        if (k == p->n_dfg_allocations || p->dfg_allocations[k]->amount_pence <= 0) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "BCF plan %s gives no DFG to district %s, a housing"
                    " authority of %s (seed 003 s2.2)",
                    p->plan_id, area->districts[i], p->hwb);
            return -1;
        }
    }
    return 0;
}

static int s_bcf_dfg(const Concord__V1__BcfPlan *p, const pool_area_t *area,
                     const pool_bcf_totals_t *t, cc_err_t *err)
{
    if (p->dfg_pence <= 0) {
        err_set(err, CC_INVALID_ARGUMENT,
                "BCF plan %s must include the Disabled Facilities Grant"
                " (seed 003 s2.2)",
                p->plan_id);
        return -1;
    }
    if (p->n_dfg_allocations > POOL_AREA_MAX) {
        err_set(err, CC_INVALID_ARGUMENT, "more than %d DFG allocations", POOL_AREA_MAX);
        return -1;
    }
    if (area && area->n_districts) {
        return s_bcf_dfg_two_tier(p, area, t, err);
    }
    if (t->dfg_to_districts) {
        err_set(err, CC_INVALID_ARGUMENT,
                "BCF plan %s passes DFG to another council, but %s is a"
                " single-tier area: the council is itself the housing authority",
                p->plan_id, p->hwb);
        return -1;
    }
    return 0;
}

static int s_bcf_conditions(const Concord__V1__BcfPlan *p, cc_err_t *err)
{
    const Concord__V1__NationalConditions *c = p->conditions;
    const char *missing =
        !c || !c->nhs_social_care_maintained
            ? "NHS contribution to adult social care maintained in line with inflation"
        : !c->out_of_hospital_investment ? "investment in NHS-commissioned out-of-hospital services"
        : !c->managing_transfers_of_care ? "managing transfers of care"
                                         : NULL;
    if (missing) {
        err_set(err, CC_INVALID_ARGUMENT,
                "BCF plan %s does not confirm the 2017-19 national"
                " condition: %s (seed 003 s2.2)",
                p->plan_id, missing);
        return -1;
    }
    return 0;
}

static int s_bcf_additional(const roster_t *roster, const Concord__V1__BcfPlan *p, cc_err_t *err)
{
    if (p->n_additional > POOL_MAX_ITEMS) {
        err_set(err, CC_INVALID_ARGUMENT, "more than %d additional contributions", POOL_MAX_ITEMS);
        return -1;
    }
    for (size_t i = 0; i < p->n_additional; i++) {
        const Concord__V1__AdditionalContribution *a = p->additional[i];
        if (!agreement_org(roster, a->contributor, NULL) || a->amount_pence <= 0 ||
            !s_text_ok(a->purpose, POOL_NAME_MAX, 0)) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "an additional contribution comes from an"
                    " organisation in the roster, is positive and has a purpose of at most %d"
                    " characters ('%.40s', %s)",
                    POOL_NAME_MAX, a->contributor, money_text(a->amount_pence).s);
            return -1;
        }
    }
    return 0;
}

static int s_bcf_header(const roster_t *roster, const Concord__V1__BcfPlan *p,
                        const pool_area_t *area, cc_err_t *err)
{
    roster_org_t o;
    if (!agreement_id_ok(p->plan_id)) {
        err_set(err, CC_INVALID_ARGUMENT,
                "plan id '%.40s' must be 2 to %d letters, digits or"
                " hyphens",
                p->plan_id, POOL_ID_MAX);
        return -1;
    }
    if (!agreement_year_ok(p->financial_year)) {
        err_set(err, CC_INVALID_ARGUMENT, "BCF plan %s is for year %u: years run %d to %d",
                p->plan_id, p->financial_year, POOL_YEAR_MIN, POOL_YEAR_MAX);
        return -1;
    }
    if (!agreement_org(roster, p->hwb, &o) || strcmp(o.kind, "COUNCIL_UPPER") != 0) {
        err_set(err, CC_INVALID_ARGUMENT,
                "BCF plan %s is for '%.40s', which is not an upper-tier"
                " council: a plan belongs to a Health and Wellbeing Board area, run by its"
                " upper-tier council",
                p->plan_id, p->hwb);
        return -1;
    }
    if (area && strcmp(area->hwb, p->hwb) != 0) {
        err_set(err, CC_INVALID_ARGUMENT, "BCF plan %s is for %s, judged against the area of %s",
                p->plan_id, p->hwb, area->hwb);
        return -1;
    }
    if ((!area || !area->n_districts) && strncmp(p->hwb, "E10", 3) == 0) {
        err_set(err, CC_FAILED_PRECONDITION,
                "%s is a shire county: its districts (ONS LAD to"
                " county lookup) must be known to check where its DFG goes",
                p->hwb);
        return -1;
    }
    if (!s_text_ok(p->narrative, POOL_TEXT_MAX, 0) ||
        (p->hwb_board_id[0] && !agreement_id_ok(p->hwb_board_id))) {
        err_set(err, CC_INVALID_ARGUMENT, "BCF plan %s: narrative over %d bytes or a bad board id",
                p->plan_id, POOL_TEXT_MAX);
        return -1;
    }
    return 0;
}

int pool_bcf_plan_check(const roster_t *roster, const Concord__V1__BcfPlan *p,
                        const pool_area_t *area, cc_err_t *err)
{
    pool_bcf_totals_t t;
    if (s_bcf_header(roster, p, area, err) < 0 || s_bcf_ccgs(roster, p, area, err) < 0) {
        return -1;
    }
    if (pool_bcf_totals(p, &t, err) < 0) {
        err_prefix(err, "BCF plan %s: ", p->plan_id);
        if (err) {
            err->code = CC_INVALID_ARGUMENT;
        }
        return -1;
    }
    if (s_bcf_dfg(p, area, &t, err) < 0 || s_bcf_additional(roster, p, err) < 0 ||
        s_bcf_conditions(p, err) < 0) {
        return -1;
    }
    if (p->ibcf_pence < 0) {
        err_set(err, CC_INVALID_ARGUMENT, "BCF plan %s: the iBCF grant cannot be negative",
                p->plan_id);
        return -1;
    }
    if (p->total_pence != t.total) {
        err_set(err, CC_INVALID_ARGUMENT,
                "BCF plan %s states a total of %s, but its streams sum to %s (CCG minimum %s +"
                " DFG %s + iBCF %s + additional %s)",
                p->plan_id, money_text(p->total_pence).s, money_text(t.total).s,
                money_text(t.ccg_minimum).s, money_text(t.dfg).s, money_text(t.ibcf).s,
                money_text(t.additional).s);
        return -1;
    }
    return 0;
}
