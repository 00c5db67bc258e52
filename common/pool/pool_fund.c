/* pool_fund: the s75 side of the pool engine. Takes up the agreements
 * and variations the partners' boards decided (pool_fund_take), and
 * judges and applies pledges, outturns and signed statements (the Pool/
 * methods) against the pools as they stand; pool.c dispatches here. */
#include "pool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "pool_priv.h"
#include "text.h"
#include "wire.h"

/* ---- lookups ---- */

pool_fund_t *pool_fund_find(const pool_engine_t *e, const char *id)
{
    for (size_t i = 0; i < e->n_funds; i++) {
        if (strcmp(e->funds[i]->id, id) == 0) {
            return e->funds[i];
        }
    }
    return NULL;
}

pool_var_t *pool_var_find(const pool_engine_t *e, const char *ref)
{
    for (size_t i = 0; i < e->n_vars; i++) {
        if (strcmp(e->vars[i]->ref, ref) == 0) {
            return e->vars[i];
        }
    }
    return NULL;
}

static long s_partner(const Concord__V1__PoolAgreement *a, const char *code)
{
    for (size_t i = 0; i < a->n_partners; i++) {
        if (strcmp(a->partners[i]->code, code) == 0) {
            return (long)i;
        }
    }
    return -1;
}

static pool_year_t *s_year(pool_fund_t *f, uint32_t year)
{
    for (size_t i = 0; i < f->n_years; i++) {
        if (f->years[i].year == year) {
            return &f->years[i];
        }
    }
    return NULL;
}

static int s_complete(const pool_fund_t *f, const pool_year_t *y)
{
    for (size_t p = 0; p < f->agreement->n_partners; p++) {
        if (y->amount[p] && y->pledged[p] != y->amount[p]) {
            return 0;
        }
    }
    return 1;
}

pool_status_t pool_fund_status(const pool_fund_t *f)
{
    for (size_t i = 0; i < f->n_years; i++) {
        if (!s_complete(f, &f->years[i])) {
            return POOL_AWAITING_PLEDGES;
        }
    }
    return POOL_ACTIVE;
}

const char *pool_accountable(const Concord__V1__PoolAgreement *a)
{
    switch (a->kind) {
    case CONCORD__V1__ARRANGEMENT_KIND__POOLED_FUND:
        return a->hosts[0];
    case CONCORD__V1__ARRANGEMENT_KIND__LEAD_COMMISSIONING:
        return a->lead->lead;
    case CONCORD__V1__ARRANGEMENT_KIND__SECTION_76_TRANSFER:
    case CONCORD__V1__ARRANGEMENT_KIND__SECTION_256_TRANSFER:
        return a->transfer->from;
    default:
        return "";
    }
}

/* ---- checks ---- */

/* The pool an event names, and the sender's place in it. */
static int s_check_member(const pool_engine_t *e, const pool_event_t *ev, const char *pool_id,
                          pool_fund_checked_t *chk, cc_err_t *err)
{
    snprintf(chk->subject, sizeof chk->subject, "%s", pool_id);
    if (!(chk->fund = pool_fund_find(e, pool_id))) {
        err_set(err, CC_NOT_FOUND, "no pool '%.40s'", pool_id);
        return -1;
    }
    if ((chk->partner = s_partner(chk->fund->agreement, ev->sender)) < 0) {
        err_set(err, CC_PERMISSION_DENIED, "%.40s is not a partner of pool %s", ev->sender,
                pool_id);
        return -1;
    }
    return 0;
}

static int s_check_pledge(const pool_engine_t *e, const pool_event_t *ev, pool_fund_checked_t *chk,
                          cc_err_t *err)
{
    const Concord__V1__Pledge *p = (const Concord__V1__Pledge *)chk->msg;
    char y[16];
    money_year_name(p->financial_year, y, sizeof y);
    snprintf(chk->subject, sizeof chk->subject, "%s", p->pool_id);
    pool_fund_t *f = chk->fund = pool_fund_find(e, p->pool_id);
    if (!f) {
        err_set(err, CC_NOT_FOUND, "no pool '%.40s'", p->pool_id);
        return -1;
    }
    if ((chk->partner = s_partner(f->agreement, p->partner)) < 0) {
        err_set(err, CC_PERMISSION_DENIED, "'%.40s' is not a partner of pool %s", p->partner,
                f->id);
        return -1;
    }
    if (strcmp(p->partner, ev->sender) != 0) {
        err_set(err, CC_PERMISSION_DENIED,
                "%.40s cannot pledge %s's contribution: a contribution"
                " exists only as its partner's own signed pledge (pooling delegates no statutory"
                " responsibility)",
                ev->sender, p->partner);
        return -1;
    }
    pool_year_t *yr = chk->year = s_year(f, p->financial_year);
    if (!yr || !yr->amount[chk->partner]) {
        err_set(err, CC_INVALID_ARGUMENT, "pool %s has no contribution from %s in %s", f->id,
                p->partner, y);
        return -1;
    }
    if (p->amount_pence <= 0) {
        err_set(err, CC_INVALID_ARGUMENT, "a pledge is a positive whole number of pence, not %s",
                money_text(p->amount_pence).s);
        return -1;
    }
    if (yr->has_outturn) {
        err_set(err, CC_FAILED_PRECONDITION, "%s of pool %s is closed: its outturn is recorded", y,
                f->id);
        return -1;
    }
    if (yr->pledged[chk->partner] == p->amount_pence) {
        err_set(err, CC_ALREADY_EXISTS, "%s already pledged %s for %s", p->partner,
                money_text(p->amount_pence).s, y);
        return -1;
    }
    if (yr->pledged[chk->partner] == yr->amount[chk->partner]) {
        err_set(err, CC_FAILED_PRECONDITION,
                "%s's pledge for %s already matches the agreement;"
                " changing a contribution needs a variation",
                p->partner, y);
        return -1;
    }
    return 0;
}

/* Whether v's changes fit f as it stands: partners, years open, room for
 * new years, sums without overflow. */
static int s_changes_fit(const pool_fund_t *f, const Concord__V1__Variation *v, cc_err_t *err)
{
    const Concord__V1__PoolAgreement *a = f->agreement;
    size_t new_years = 0;
    __int128 total = 0;
    for (size_t i = 0; i < f->n_years; i++) {
        for (size_t p = 0; p < a->n_partners; p++) {
            total += f->years[i].amount[p];
        }
    }
    for (size_t i = 0; i < v->n_changes; i++) {
        const Concord__V1__VariedContribution *c = v->changes[i];
        long p = s_partner(a, c->partner);
        const pool_year_t *yr = s_year((pool_fund_t *)f, c->financial_year);
        char y[16];
        money_year_name(c->financial_year, y, sizeof y);
        if (p < 0 || !agreement_year_ok(c->financial_year) || c->amount_pence <= 0) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "a varied contribution is a partner's positive"
                    " amount for a year %d to %d ('%.40s', %u, %s)",
                    POOL_YEAR_MIN, POOL_YEAR_MAX, c->partner, c->financial_year,
                    money_text(c->amount_pence).s);
            return -1;
        }
        for (size_t k = 0; k < i; k++) {
            if (v->changes[k]->financial_year == c->financial_year &&
                strcmp(v->changes[k]->partner, c->partner) == 0) {
                err_set(err, CC_INVALID_ARGUMENT, "%s's %s contribution is varied twice",
                        c->partner, y);
                return -1;
            }
        }
        if (a->transfer && strcmp(c->partner, a->transfer->to) == 0) {
            err_set(err, CC_INVALID_ARGUMENT, "%s receives the transfer and contributes nothing",
                    c->partner);
            return -1;
        }
        if (yr && yr->has_outturn) {
            err_set(err, CC_FAILED_PRECONDITION,
                    "%s of pool %s is closed: its outturn is"
                    " recorded",
                    y, f->id);
            return -1;
        }
        int first = 1; /* a year new to the pool, counted once */
        for (size_t k = 0; k < i && !yr; k++) {
            first &= v->changes[k]->financial_year != c->financial_year;
        }
        new_years += !yr && first;
        total += c->amount_pence - (yr ? yr->amount[p] : 0);
    }
    if (f->n_years + new_years > POOL_MAX_YEARS) {
        err_set(err, CC_INVALID_ARGUMENT, "an agreement covers at most %d years", POOL_MAX_YEARS);
        return -1;
    }
    if (total > INT64_MAX) {
        err_set(err, CC_INVALID_ARGUMENT,
                "the contributions would add up to more than int64"
                " pence");
        return -1;
    }
    return 0;
}

void pool_say_missing(const pool_fund_t *f, const pool_year_t *yr, text_t *t)
{
    char y[16];
    money_year_name(yr->year, y, sizeof y);
    for (size_t p = 0; p < f->agreement->n_partners; p++) {
        if (!yr->amount[p] || yr->pledged[p] == yr->amount[p]) {
            continue;
        }
        text_put(t, "%s%s for %s: agreed %s, ", t->len ? "; " : "",
                 f->agreement->partners[p]->code, y, money_text(yr->amount[p]).s);
        text_put(t, yr->pledged[p] ? "pledged %s" : "no pledge%s",
                 yr->pledged[p] ? money_text(yr->pledged[p]).s : "");
    }
}

static int s_check_outturn(const pool_engine_t *e, const pool_event_t *ev, pool_fund_checked_t *chk,
                           cc_err_t *err)
{
    const Concord__V1__Outturn *o = (const Concord__V1__Outturn *)chk->msg;
    char y[16], missing[400];
    money_year_name(o->financial_year, y, sizeof y);
    if (s_check_member(e, ev, o->pool_id, chk, err) < 0) {
        return -1;
    }
    const pool_fund_t *f = chk->fund;
    int kind = f->agreement->kind;
    if (kind != CONCORD__V1__ARRANGEMENT_KIND__POOLED_FUND &&
        kind != CONCORD__V1__ARRANGEMENT_KIND__LEAD_COMMISSIONING) {
        err_set(err, CC_FAILED_PRECONDITION,
                "pool %s keeps no pooled balance (%s): each partner"
                " accounts for its own spending",
                f->id,
                kind == CONCORD__V1__ARRANGEMENT_KIND__ALIGNED_BUDGETS ? "aligned budgets"
                                                                       : "a transfer");
        return -1;
    }
    if (strcmp(ev->sender, pool_accountable(f->agreement)) != 0) {
        err_set(err, CC_PERMISSION_DENIED,
                "only %s, who keeps pool %s's accounts, records its"
                " outturn",
                pool_accountable(f->agreement), f->id);
        return -1;
    }
    if (o->spend_pence < 0 || strlen(o->note) > POOL_REASON_MAX) {
        err_set(err, CC_INVALID_ARGUMENT,
                "an outturn is spend of at least 0, with a note of at"
                " most %d bytes",
                POOL_REASON_MAX);
        return -1;
    }
    pool_year_t *yr = chk->year = s_year(chk->fund, o->financial_year);
    if (!yr) {
        err_set(err, CC_NOT_FOUND, "pool %s has no contributions in %s", f->id, y);
        return -1;
    }
    if (yr->has_outturn) {
        err_set(err, CC_ALREADY_EXISTS, "the outturn of pool %s for %s is already recorded", f->id,
                y);
        return -1;
    }
    text_t t;
    text_init_fixed(&t, missing, sizeof missing);
    pool_say_missing(f, yr, &t);
    if (t.len) {
        err_set(err, CC_FAILED_PRECONDITION, "%s of pool %s is not fully pledged: %s", y, f->id,
                missing);
        return -1;
    }
    return 0;
}

/* ---- decoding and dispatch ---- */

typedef int (*s_check_fn)(const pool_engine_t *, const pool_event_t *, pool_fund_checked_t *,
                          cc_err_t *);

static const struct {
    const char *method;
    const ProtobufCMessageDescriptor *d;
    s_check_fn check;
} s_methods[] = {
    {POOL_METHOD_PLEDGE, &concord__v1__pledge__descriptor, s_check_pledge},
    {POOL_METHOD_OUTTURN, &concord__v1__outturn__descriptor, s_check_outturn},
    {POOL_METHOD_STATEMENT, &concord__v1__pool_statement__descriptor, pool_signed_check},
};

int pool_fund_check(const pool_engine_t *e, const pool_event_t *ev, pool_fund_checked_t *chk,
                    cc_err_t *err)
{
    memset(chk, 0, sizeof *chk);
    chk->method = -1;
    pool_ref(ev->call_id, chk->ref);
    for (size_t i = 0; i < sizeof s_methods / sizeof s_methods[0]; i++) {
        if (strcmp(ev->method, s_methods[i].method) == 0) {
            chk->method = (int)i;
            chk->msg = wire_unpack(s_methods[i].d, ev->body, ev->body_len, WIRE_MAX_FRAME, err);
            return chk->msg ? s_methods[i].check(e, ev, chk, err) : -1;
        }
    }
    err_set(err, CC_INVALID_ARGUMENT, "'%.80s' is not a pool method", ev->method);
    return -1;
}

void pool_fund_checked_free(pool_fund_checked_t *chk)
{
    wire_free(chk->msg);
    chk->msg = NULL;
}

/* ---- applying ---- */

static void s_years_free(pool_fund_t *f)
{
    for (size_t i = 0; i < f->n_years; i++) {
        free(f->years[i].amount);
        free(f->years[i].pledged);
        free(f->years[i].parts);
    }
    f->n_years = 0;
}

void pool_fund_free(pool_fund_t *f)
{
    if (f) {
        s_years_free(f);
        wire_free(f->agreement ? &f->agreement->base : NULL);
        free(f->events.at);
        free(f);
    }
}

static int s_year_alloc(pool_year_t *y, uint32_t year, size_t n)
{
    memset(y, 0, sizeof *y);
    y->year = year;
    y->amount = calloc(n, sizeof *y->amount);
    y->pledged = calloc(n, sizeof *y->pledged);
    y->parts = calloc(n, sizeof *y->parts);
    return y->amount && y->pledged && y->parts ? 0 : -1;
}

/* Inserts a new year into f's ascending table; room was checked. */
static pool_year_t *s_year_insert(pool_fund_t *f, uint32_t year)
{
    size_t at = 0;
    pool_year_t fresh;
    if (s_year_alloc(&fresh, year, f->agreement->n_partners) < 0) {
        free(fresh.amount);
        free(fresh.pledged);
        free(fresh.parts);
        return NULL;
    }
    while (at < f->n_years && f->years[at].year < year) {
        at++;
    }
    memmove(&f->years[at + 1], &f->years[at], (f->n_years - at) * sizeof f->years[0]);
    f->years[at] = fresh;
    f->n_years++;
    return &f->years[at];
}

/* The year table of a new agreement. */
static int s_years_build(pool_fund_t *f)
{
    const Concord__V1__PoolAgreement *a = f->agreement;
    for (size_t p = 0; p < a->n_partners; p++) {
        for (size_t j = 0; j < a->partners[p]->n_contributions; j++) {
            const Concord__V1__Contribution *c = a->partners[p]->contributions[j];
            pool_year_t *y = s_year(f, c->financial_year);
            if (!y && !(y = s_year_insert(f, c->financial_year))) {
                return -1;
            }
            y->amount[p] = c->amount_pence;
        }
    }
    return 0;
}

/* A variation its board passed: applied now, or lapsed if the pool moved
 * on (a year it changes was closed meanwhile). */
static int s_pass(pool_var_t *v, cc_err_t *err)
{
    pool_fund_t *f = v->fund;
    cc_err_t why;
    if (s_changes_fit(f, v->variation, &why) < 0) {
        v->status = POOL_VARIATION_LAPSED;
        snprintf(v->why, sizeof v->why, "lapsed: %.480s", why.msg);
        return 0;
    }
    for (size_t i = 0; i < v->variation->n_changes; i++) {
        const Concord__V1__VariedContribution *c = v->variation->changes[i];
        pool_year_t *y = s_year(f, c->financial_year);
        if (!y && !(y = s_year_insert(f, c->financial_year))) {
            return err_oom(err);
        }
        y->amount[s_partner(f->agreement, c->partner)] = c->amount_pence;
    }
    v->status = POOL_VARIATION_PASSED;
    return 0;
}

/* A deep copy of a message the board engine owns, through wire.c (the
 * one module that packs); NULL when out of memory. */
static ProtobufCMessage *s_copy(const ProtobufCMessage *m, cc_err_t *err)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    if (wire_pack(m, WIRE_MAX_FRAME, &buf, &len, err) < 0) {
        return NULL;
    }
    ProtobufCMessage *copy = wire_unpack(m->descriptor, buf, len, WIRE_MAX_FRAME, err);
    free(buf);
    return copy;
}

/* A passed agreement: the pool, decided, awaiting its pledges. An id
 * already taken (by an earlier decision) creates nothing. */
static int s_take_agreement(pool_engine_t *e, const board_pool_decision_t *d, cc_err_t *err)
{
    const char *id = d->agreement->pool_id;
    pool_fund_t *f = pool_fund_find(e, id);
    if (f) {
        pool_reject_note(e, d->proposer, "decision", id, d->effect_index, CC_ALREADY_EXISTS,
                         "board %s passed agreement %s for pool %s, which already exists"
                         " (agreement %s): it creates nothing",
                         d->board_id, d->proposal_id, id, f->ref);
        return 0;
    }
    void *grown = grow_reserve(e->funds, &e->cap_funds, e->n_funds, sizeof *e->funds);
    if (grown) {
        e->funds = grown;
    }
    if (!grown || !(f = calloc(1, sizeof *f)) ||
        !(f->agreement = (Concord__V1__PoolAgreement *)s_copy(&d->agreement->base, err)) ||
        s_years_build(f) < 0) {
        pool_fund_free(f);
        return err_oom(err);
    }
    snprintf(f->id, sizeof f->id, "%s", id);
    snprintf(f->ref, sizeof f->ref, "%s", d->proposal_id);
    snprintf(f->proposer, sizeof f->proposer, "%s", d->proposer);
    snprintf(f->board_id, sizeof f->board_id, "%s", d->board_id);
    e->funds[e->n_funds++] = f;
    return 0;
}

/* A passed variation: applied to its pool now, or lapsed when the pool
 * cannot take it (another board, a year closed meanwhile). */
static int s_take_variation(pool_engine_t *e, const board_pool_decision_t *d, cc_err_t *err)
{
    const char *id = d->variation->pool_id;
    pool_fund_t *f = pool_fund_find(e, id);
    if (!f) {
        pool_reject_note(e, d->proposer, "decision", id, d->effect_index, CC_NOT_FOUND,
                         "board %s passed variation %s of pool '%.40s', which does not exist",
                         d->board_id, d->proposal_id, id);
        return 0;
    }
    pool_var_t *v = calloc(1, sizeof *v);
    void *grown = grow_reserve(e->vars, &e->cap_vars, e->n_vars, sizeof *e->vars);
    if (grown) {
        e->vars = grown;
    }
    if (!v || !grown ||
        !(v->variation = (Concord__V1__Variation *)s_copy(&d->variation->base, err))) {
        pool_var_free(v);
        return err_oom(err);
    }
    snprintf(v->ref, sizeof v->ref, "%s", d->proposal_id);
    snprintf(v->proposer, sizeof v->proposer, "%s", d->proposer);
    v->fund = f;
    if (strcmp(d->board_id, f->board_id) != 0) {
        v->status = POOL_VARIATION_LAPSED;
        snprintf(v->why, sizeof v->why,
                 "lapsed: decided by board %s, but pool %s is the partners' board %s's", d->board_id,
                 f->id, f->board_id);
    } else if (s_pass(v, err) < 0) {
        pool_var_free(v);
        return -1;
    }
    e->vars[e->n_vars++] = v;
    return 0;
}

int pool_fund_take(pool_engine_t *e, const board_pool_decision_t *d, cc_err_t *err)
{
    if (d->kind == CONCORD__V1__PROPOSAL_KIND__POOL_AGREEMENT && d->agreement) {
        return s_take_agreement(e, d, err);
    }
    if (d->kind == CONCORD__V1__PROPOSAL_KIND__POOL_VARIATION && d->variation) {
        return s_take_variation(e, d, err);
    }
    return 0;
}

int pool_fund_changes_fit(const pool_fund_t *f, const Concord__V1__Variation *v, cc_err_t *err)
{
    return s_changes_fit(f, v, err);
}

static int s_accept_pledge(const pool_event_t *ev, pool_fund_checked_t *chk, cc_err_t *err)
{
    const Concord__V1__Pledge *p = (const Concord__V1__Pledge *)chk->msg;
    if (pool_evlist_reserve(&chk->fund->events) < 0) {
        return err_oom(err);
    }
    pool_evlist_add(&chk->fund->events, ev);
    chk->year->pledged[chk->partner] = p->amount_pence;
    return 0;
}

static int s_accept_outturn(const pool_event_t *ev, pool_fund_checked_t *chk, cc_err_t *err)
{
    const Concord__V1__Outturn *o = (const Concord__V1__Outturn *)chk->msg;
    const Concord__V1__PoolAgreement *a = chk->fund->agreement;
    pool_year_t *y = chk->year;
    const char *codes[POOL_MAX_PARTNERS];
    int64_t total = 0;
    for (size_t p = 0; p < a->n_partners; p++) {
        codes[p] = a->partners[p]->code;
        total += y->amount[p];
    }
    if (pool_evlist_reserve(&chk->fund->events) < 0) {
        return err_oom(err);
    }
    /* The split is computed before anything changes: a rule the agreement
     * check let through always splits, but fail closed if not. */
    if (risk_share_split(a->risk_share, codes, y->amount, a->n_partners, o->spend_pence - total,
                        y->parts, err) < 0) {
        return -1;
    }
    pool_evlist_add(&chk->fund->events, ev);
    y->has_outturn = 1;
    y->outturn = o->spend_pence;
    return 0;
}

int pool_fund_accept(pool_engine_t *e, const pool_event_t *ev, pool_fund_checked_t *chk,
                     cc_err_t *err)
{
    (void)e;
    switch (chk->method) {
    case 0:
        return s_accept_pledge(ev, chk, err);
    case 1:
        return s_accept_outturn(ev, chk, err);
    default:
        return pool_signed_accept(ev, chk, err);
    }
}

void pool_var_free(pool_var_t *v)
{
    if (v) {
        wire_free(v->variation ? &v->variation->base : NULL);
        free(v);
    }
}
