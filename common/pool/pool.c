/* SPDX-License-Identifier: Apache-2.0 */
/* pool: the pooled-funds engine. Checks log order, takes up the boards'
 * pool decisions (pool_follow), judges and applies each event (pledges,
 * outturns, signed statements; Better Care Fund plans and their sign-off
 * chain), keeps the record of refusals and shows pools, variations,
 * statements and plans. In order below: the engine's state, the engine,
 * the s75 side, signed statements, Better Care Fund, views. The rules an
 * agreement meets on its own are agreement.c's (common/rules), the risk
 * share risk_share.c's, the statement's text pool_statement.c's. */
#include "pool.h"
#include "board_pool.h"

#include <assert.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "date.h"
#include "fold.h"
#include "grow.h"
#include "keys.h"
#include "text.h"
#include "wire.h"

/* An accepted event, for pool_events. */
typedef struct {
    uint64_t log_index;
    uint8_t hash[32];
} pool_evref_t;

typedef struct {
    pool_evref_t *at;
    size_t n;
    size_t cap;
} pool_evlist_t;

typedef struct pool_fund pool_fund_t;         /* pools and variations, below */
typedef struct pool_var pool_var_t;           /* pools and variations, below */
typedef struct pool_plan pool_plan_t;         /* Better Care Fund, below */
typedef struct pool_area_rec pool_area_rec_t; /* Better Care Fund, below */
typedef struct pool_cond_rec pool_cond_rec_t; /* Better Care Fund, below */

typedef struct {
    char sender[48];
    char method[64];
    char subject[POOL_ID_MAX + 1];
    uint64_t log_index;
    cc_code_t code;
    char reason[CC_ERR_MSG_MAX];
} pool_rej_t;

struct pool_engine {
    const roster_t *roster;
    pool_fund_t **funds; /* in order of first proposal */
    size_t n_funds, cap_funds;
    pool_var_t **vars; /* log order */
    size_t n_vars, cap_vars;
    pool_plan_t **plans; /* in order of first submission */
    size_t n_plans, cap_plans;
    pool_area_rec_t **areas;
    size_t n_areas, cap_areas;
    pool_cond_rec_t *conds; /* national conditions, in the order added */
    size_t n_conds, cap_conds;
    const board_engine_t *boards; /* whose decisions pool_follow takes up */
    pool_rej_t *rejections;
    size_t n_rej, cap_rej;
    size_t n_followed; /* board pool decisions taken up (pool_follow) */
    int bcf_started;   /* a BCF event was applied: no more areas */
    fold_order_t order;
    uint64_t log_ms;   /* receipt time of the latest event seen (pool_engine_clock) */
};

/* Records a refusal (of an event, or of a board decision the engine
 * could not take up) with its reason. */
static void s_reject_note(pool_engine_t *e, const char *sender, const char *method,
                          const char *subject, uint64_t log_index, cc_code_t code, const char *fmt,
                          ...) __attribute__((format(printf, 7, 8)));

/* Room for one more event (0), or -1 when out of memory. */
static int s_evlist_reserve(pool_evlist_t *l);

/* Records ev; room was reserved beforehand. */
static void s_evlist_add(pool_evlist_t *l, const pool_event_t *ev);

/* See pool_events. */
static int s_evlist_walk(const pool_evlist_t *l, uint64_t upto,
                         int (*fn)(uint64_t log_index, const uint8_t hash[32], void *arg),
                         void *arg);

/* ---- pools and variations ---- */

typedef struct {
    uint32_t year;
    int64_t *amount;          /* [n_partners]: contribution as agreed and varied; 0 = none */
    int64_t *pledged;         /* [n_partners]: 0 = no pledge */
    risk_share_part_t *parts; /* [n_partners]: the split, once the outturn is in */
    /* [n_partners * ROSTER_SPLIT_MAX]: what each successor of a split
     * partner pledged of its share (pool_split_portion); NULL until one has */
    int64_t *portion;
    int has_outturn;
    int64_t outturn;
    char statement[POOL_REF_LEN + 1]; /* the host's accepted Statement event, "" if none */
    uint64_t statement_index;
    char statement_person[PEOPLE_ID_MAX + 1]; /* who signed it for the host; "" none */
} pool_year_t;

struct pool_fund {
    char id[POOL_ID_MAX + 1];
    char ref[POOL_REF_LEN + 1]; /* the Propose event in force */
    char proposer[KEYS_CODE_MAX + 1];
    char board_id[BOARD_ID_MAX + 1]; /* the partners' board that decided it */
    Concord__V1__PoolAgreement *agreement;
    pool_year_t years[POOL_MAX_YEARS]; /* ascending */
    size_t n_years;
    pool_evlist_t events;
    /* What the partners execute: the agreement, or the variation that last
     * left partners out; and each partner's latest act on it. */
    char instrument[POOL_REF_LEN + 1];
    Concord__V1__Execution *acts[POOL_MAX_PARTNERS]; /* NULL: none yet */
    int withdrawn[POOL_MAX_PARTNERS];                /* left out by a variation */
};

struct pool_var {
    char ref[POOL_REF_LEN + 1]; /* the board proposal */
    pool_fund_t *fund;
    char proposer[KEYS_CODE_MAX + 1];
    Concord__V1__Variation *variation;
    pool_variation_status_t status;
    char why[CC_ERR_MSG_MAX];
};

/* The pool or variation of that id, or NULL. */
static pool_fund_t *s_fund_find(const pool_engine_t *e, const char *id);
static pool_var_t *s_var_find(const pool_engine_t *e, const char *ref);

/* POOL_AWAITING_EXECUTION, POOL_EXECUTED (before its start date at
 * log_ms), POOL_AWAITING_PLEDGES or POOL_ACTIVE. */
static pool_status_t s_fund_status(const pool_fund_t *f, uint64_t log_ms);

/* 1 if f states a start date and the UTC day of at_ms is before it. */
static int s_before_start(const pool_fund_t *f, uint64_t at_ms);

/* Who keeps the accounts: the host, the lead commissioner, or the payer
 * of a transfer; "" for aligned budgets. */
static const char *s_accountable(const Concord__V1__PoolAgreement *a);

/* Appends, as "CODE for 2017/18: agreed £x, pledged £y" separated by
 * "; ", every contribution of year y not pledged as agreed. */
static void s_fund_missing(const pool_fund_t *f, const pool_year_t *y, text_t *t);

/* A Pool/ event decoded and judged acceptable (the s75 side, below). */
typedef struct {
    ProtobufCMessage *msg;      /* the decoded body */
    int method;                 /* its row in the method table below */
    pool_fund_t *fund;          /* the pool concerned */
    long partner;               /* the sender's (a pledge's partner's) place */
    pool_year_t *year;          /* of a pledge, outturn or statement */
    long portion;               /* a pledge of a split partner's share: the successor's place */
    char ref[POOL_REF_LEN + 1]; /* hex call id of the event */
    char subject[POOL_ID_MAX + 1];
} pool_fund_checked_t;

/* Decodes and judges a Pool/ event, changing nothing; INVALID_ARGUMENT
 * for a method that is not one. The caller frees chk with
 * s_fund_checked_free whatever the result. */
static int s_fund_check(const pool_engine_t *e, const pool_event_t *ev, pool_fund_checked_t *chk,
                        cc_err_t *err);

/* Applies a checked event; takes what it keeps from chk. */
static int s_fund_accept(pool_engine_t *e, const pool_event_t *ev, pool_fund_checked_t *chk,
                         cc_err_t *err);

static void s_fund_checked_free(pool_fund_checked_t *chk);

/* Takes up one passed board decision: an agreement creates its pool, a
 * variation changes contributions or lapses. A decision that cannot be
 * taken up is recorded as a refusal. Returns 0, or -1 with
 * RESOURCE_EXHAUSTED. */
static int s_fund_take(pool_engine_t *e, const board_pool_decision_t *d, cc_err_t *err);

/* Whether a variation's changes fit f as it stands (partners, years
 * open, sums): 0, or -1 with err. */
static int s_fund_changes_fit(const pool_fund_t *f, const Concord__V1__Variation *v, cc_err_t *err);

/* Pool/Statement (signed statements, below): judges a host's signed statement
 * against this engine's own computation; applies an accepted one. */
static int s_signed_check(const pool_engine_t *e, const pool_event_t *ev, pool_fund_checked_t *chk,
                          cc_err_t *err);
static int s_signed_accept(const pool_event_t *ev, pool_fund_checked_t *chk, cc_err_t *err);
static void s_fund_free(pool_fund_t *f);
static void s_var_free(pool_var_t *v);

/* The events of a BCF plan (Better Care Fund, below), or NULL. */
static const pool_evlist_t *s_bcf_events(const pool_engine_t *e, const char *plan_id);

/* ---- Better Care Fund plans ---- */

/* A BCF event decoded and judged acceptable. */
typedef struct {
    Concord__V1__BcfPlan *plan;
    Concord__V1__BcfSignoff *sign;
    pool_plan_t *target; /* the plan revised or signed; NULL for a new plan */
    long line;           /* the council, CCG or district line an act signs */
    char subject[POOL_ID_MAX + 1];
} pool_bcf_checked_t;

/* Decodes and judges a Bcf/Plan or Bcf/Sign event, changing nothing. The
 * caller frees chk with s_bcf_checked_free whatever the result. */
static int s_bcf_check(const pool_engine_t *e, const pool_event_t *ev, pool_bcf_checked_t *chk,
                       cc_err_t *err);

/* Applies a checked event; takes what it keeps from chk. */
static int s_bcf_accept(pool_engine_t *e, const pool_event_t *ev, pool_bcf_checked_t *chk,
                        cc_err_t *err);

static void s_bcf_checked_free(pool_bcf_checked_t *chk);

/* Frees every plan and area. */
static void s_bcf_free_all(pool_engine_t *e);

/* The area added for hwb, or NULL; out is filled to point into it. */
static const pool_area_t *s_area_find(const pool_engine_t *e, const char *hwb, pool_area_t *out);

/* Whether s is at most max bytes (and not empty, when required). */
static int s_text_ok(const char *s, size_t max, int required);

/* Whether code is one of list's n codes. */
static int s_listed(const char *const *list, size_t n, const char *code);

/* An event decoded and judged acceptable, with what accepting it needs. */
typedef struct {
    int bcf;
    int everyone; /* a BCF event, or a pool event every node folds */
    pool_fund_checked_t fund;
    pool_bcf_checked_t plan;
    char subject[POOL_ID_MAX + 1];
} s_checked_t;

/* ---- helpers ---- */

static int s_evlist_reserve(pool_evlist_t *l)
{
    void *grown = grow_reserve(l->at, &l->cap, l->n, sizeof *l->at);
    l->at = grown ? grown : l->at;
    return grown ? 0 : -1;
}

static void s_evlist_add(pool_evlist_t *l, const pool_event_t *ev)
{
    assert(l->n < l->cap);
    l->at[l->n].log_index = ev->log_index;
    memcpy(l->at[l->n].hash, ev->hash, 32);
    l->n++;
}

static int s_evlist_walk(const pool_evlist_t *l, uint64_t upto,
                         int (*fn)(uint64_t log_index, const uint8_t hash[32], void *arg),
                         void *arg)
{
    for (size_t i = 0; i < l->n && l->at[i].log_index <= upto; i++) {
        int rc = fn(l->at[i].log_index, l->at[i].hash, arg);
        if (rc) {
            return rc;
        }
    }
    return 0;
}

void pool_ref(const uint8_t call_id[16], char out[POOL_REF_LEN + 1])
{
    sodium_bin2hex(out, POOL_REF_LEN + 1, call_id, 16);
}

/* ---- decoding and dispatch ---- */

static int s_is_bcf(const char *method)
{
    return strcmp(method, POOL_METHOD_BCF_PLAN) == 0 || strcmp(method, POOL_METHOD_BCF_SIGN) == 0;
}

/* The audience of a checked event (PROTOCOL.md "Audiences"): a pool's
 * events go to the members of the board that agreed it, but for its
 * parties' executions (board_pool_method_public); BCF plans and
 * sign-offs to every member. */
static void s_audience(const s_checked_t *chk, char want[ENVELOPE_AUDIENCE_MAX + 1])
{
    if (chk->everyone) {
        snprintf(want, ENVELOPE_AUDIENCE_MAX + 1, "%s", ENVELOPE_EVERYONE);
    } else {
        snprintf(want, ENVELOPE_AUDIENCE_MAX + 1, "%s%s", ENVELOPE_BOARD_PREFIX,
                 chk->fund.fund->board_id);
    }
}

/* Decodes and judges ev against the engine, changing nothing. The caller
 * frees chk (s_checked_free) whatever the result. */
static int s_check(const pool_engine_t *e, const pool_event_t *ev, s_checked_t *chk, cc_err_t *err)
{
    int rc;
    memset(chk, 0, sizeof *chk);
    if (!ev->sender || !ev->method || !ev->call_id || !ev->hash || (!ev->body && ev->body_len)) {
        err_set(err, CC_INVALID_ARGUMENT, "incomplete pool event");
        return -1;
    }
    chk->bcf = s_is_bcf(ev->method);
    chk->everyone = chk->bcf || board_pool_method_public(ev->method);
    if (chk->bcf) {
        rc = s_bcf_check(e, ev, &chk->plan, err);
        memcpy(chk->subject, chk->plan.subject, sizeof chk->subject);
    } else {
        rc = s_fund_check(e, ev, &chk->fund, err);
        memcpy(chk->subject, chk->fund.subject, sizeof chk->subject);
    }
    if (rc == 0 && ev->recipient) {
        char want[ENVELOPE_AUDIENCE_MAX + 1];
        s_audience(chk, want);
        if (strcmp(ev->recipient, want) != 0) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "this %s event is addressed to \"%.40s\", but its audience is \"%s\"",
                    chk->bcf ? "BCF" : "pool", ev->recipient, want);
            rc = -1;
        }
    }
    return rc;
}

static void s_checked_free(s_checked_t *chk)
{
    s_fund_checked_free(&chk->fund);
    s_bcf_checked_free(&chk->plan);
}

int pool_audience(const pool_engine_t *e, const pool_event_t *ev,
                  char out[ENVELOPE_AUDIENCE_MAX + 1], cc_err_t *err)
{
    s_checked_t chk;
    pool_event_t bare = *ev;
    bare.recipient = NULL;
    int rc = s_check(e, &bare, &chk, err);
    if (rc == 0) {
        s_audience(&chk, out);
    }
    s_checked_free(&chk);
    return rc;
}

int pool_precheck(const pool_engine_t *e, const pool_event_t *ev, cc_err_t *err)
{
    s_checked_t chk;
    if (!fold_order_ok(&e->order, ev->log_index, err)) {
        return -1;
    }
    int rc = s_check(e, ev, &chk, err);
    s_checked_free(&chk);
    return rc;
}

/* ---- the engine ---- */

pool_engine_t *pool_engine_new(const roster_t *roster)
{
    pool_engine_t *e = calloc(1, sizeof *e);
    if (e) {
        e->roster = roster;
    }
    return e;
}

void pool_engine_clock(pool_engine_t *e, uint64_t log_ms)
{
    if (log_ms > e->log_ms) {
        e->log_ms = log_ms;
    }
}

void pool_engine_destroy(pool_engine_t **ep)
{
    if (!ep || !*ep) {
        return;
    }
    pool_engine_t *e = *ep;
    for (size_t i = 0; i < e->n_funds; i++) {
        s_fund_free(e->funds[i]);
    }
    for (size_t i = 0; i < e->n_vars; i++) {
        s_var_free(e->vars[i]);
    }
    s_bcf_free_all(e);
    free(e->funds);
    free(e->vars);
    free(e->rejections);
    free(e);
    *ep = NULL;
}

static void s_reject_note(pool_engine_t *e, const char *sender, const char *method,
                          const char *subject, uint64_t log_index, cc_code_t code, const char *fmt,
                          ...)
{
    void *grown = grow_reserve(e->rejections, &e->cap_rej, e->n_rej, sizeof *e->rejections);
    if (!grown) {
        return; /* the record of a refusal is a courtesy; the refusal stands */
    }
    e->rejections = grown;
    pool_rej_t *r = &e->rejections[e->n_rej++];
    snprintf(r->sender, sizeof r->sender, "%s", sender ? sender : "");
    snprintf(r->method, sizeof r->method, "%s", method ? method : "");
    snprintf(r->subject, sizeof r->subject, "%s", subject);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->reason, sizeof r->reason, fmt, ap);
    va_end(ap);
    r->log_index = log_index;
    r->code = code;
}

static void s_reject(pool_engine_t *e, const pool_event_t *ev, const s_checked_t *chk,
                     const cc_err_t *why)
{
    s_reject_note(e, ev->sender, ev->method, chk->subject, ev->log_index, why->code, "%s",
                  why->msg);
}

int pool_follow(pool_engine_t *e, const board_engine_t *b, uint64_t upto, cc_err_t *err)
{
    size_t n = board_pool_decision_count(b);
    e->boards = b;
    while (e->n_followed < n) {
        board_pool_decision_t d;
        board_pool_decision_at(b, e->n_followed, &d);
        if (d.effect_index > upto) {
            break;
        }
        if (s_fund_take(e, &d, err) < 0) {
            return -1;
        }
        e->n_followed++;
    }
    return 0;
}

/* Running out of memory part way leaves the engine behind the others; the
 * caller must treat RESOURCE_EXHAUSTED as fatal and rebuild. */
int pool_apply(pool_engine_t *e, const pool_event_t *ev, cc_err_t *err)
{
    s_checked_t chk;
    cc_err_t why;
    int rc = -1;
    if (!fold_order_ok(&e->order, ev->log_index, err)) {
        return -1;
    }
    fold_order_advance(&e->order, ev->log_index);
    pool_engine_clock(e, ev->time_ms);
    e->bcf_started |= s_is_bcf(ev->method ? ev->method : "");
    if (s_check(e, ev, &chk, &why) < 0) {
        s_reject(e, ev, &chk, &why);
        if (err) {
            *err = why;
        }
        goto out;
    }
    rc = chk.bcf ? s_bcf_accept(e, ev, &chk.plan, err) : s_fund_accept(e, ev, &chk.fund, err);
out:
    s_checked_free(&chk);
    return rc;
}

int pool_variation_check(const pool_engine_t *e, const Concord__V1__Variation *v, cc_err_t *err)
{
    const pool_fund_t *f = s_fund_find(e, v->pool_id);
    if (!f) {
        err_set(err, CC_NOT_FOUND, "no pool '%.40s'", v->pool_id);
        return -1;
    }
    return s_fund_changes_fit(f, v, err);
}

/* ---- events and refusals ---- */

int pool_events(const pool_engine_t *e, const char *id, int bcf, uint64_t upto,
                int (*fn)(uint64_t log_index, const uint8_t hash[32], void *arg), void *arg)
{
    const pool_fund_t *f = bcf ? NULL : s_fund_find(e, id);
    const pool_evlist_t *l = bcf ? s_bcf_events(e, id) : f ? &f->events : NULL;
    return l ? s_evlist_walk(l, upto, fn, arg) : -1;
}

size_t pool_rejection_count(const pool_engine_t *e)
{
    return e->n_rej;
}

void pool_rejection_at(const pool_engine_t *e, size_t i, pool_rejection_t *out)
{
    assert(i < e->n_rej);
    const pool_rej_t *r = &e->rejections[i];
    out->sender = r->sender;
    out->method = r->method;
    out->subject = r->subject;
    out->log_index = r->log_index;
    out->code = r->code;
    out->reason = r->reason;
}

/* ---- the s75 side ----
 * Takes up the agreements and variations the partners' boards decided
 * (s_fund_take), and judges and applies pledges, outturns and signed
 * statements (the Pool/ methods) against the pools as they stand. */

/* ---- lookups ---- */

static pool_fund_t *s_fund_find(const pool_engine_t *e, const char *id)
{
    for (size_t i = 0; i < e->n_funds; i++) {
        if (strcmp(e->funds[i]->id, id) == 0) {
            return e->funds[i];
        }
    }
    return NULL;
}

static pool_var_t *s_var_find(const pool_engine_t *e, const char *ref)
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

/* One step of succession: when cur (KEYS_CODE_MAX + 1 bytes) was merged
 * into another organisation, cur becomes that successor and 1 is
 * returned; else 0. */
static int s_merged_into(const pool_engine_t *e, char *cur)
{
    for (size_t i = 0; i < roster_past_count(e->roster); i++) {
        roster_past_t past;
        roster_past_at(e->roster, i, &past);
        if (past.successor[0] && strcmp(past.org.code, cur) == 0 &&
            strcmp(past.successor, cur) != 0) {
            snprintf(cur, KEYS_CODE_MAX + 1, "%s", past.successor);
            return 1;
        }
    }
    return 0;
}

/* Whether sender acts for partner code: code itself or, once code was
 * merged away (a roster merger, board.h), its successor, through any
 * chain of mergers. The successor takes its predecessors' obligations
 * (contributions, pledges, executions, the accounts) from the merger on;
 * the pool goes on without a new agreement. */
static int s_acts_for(const pool_engine_t *e, const char *code, const char *sender)
{
    char cur[KEYS_CODE_MAX + 1];
    snprintf(cur, sizeof cur, "%s", code);
    for (int hops = 0; hops < 64; hops++) {
        if (strcmp(cur, sender) == 0) {
            return 1;
        }
        if (!s_merged_into(e, cur)) {
            return 0;
        }
    }
    return 0;
}

/* The first partner of a that sender acts for, or -1. */
static long s_partner_acting(const pool_engine_t *e, const Concord__V1__PoolAgreement *a,
                             const char *sender)
{
    for (size_t i = 0; i < a->n_partners; i++) {
        if (s_acts_for(e, a->partners[i]->code, sender)) {
            return (long)i;
        }
    }
    return -1;
}

/* The transfer scheme that split the organisation on line code (itself,
 * or an organisation it merged into, through any chain): 0 and *out, or
 * -1 if none did. From the split on, each successor owes its share of
 * the line's contribution (Health and Care Act 2022 Sch 4). */
static int s_split_at(const pool_engine_t *e, const char *code, roster_split_t *out)
{
    char cur[KEYS_CODE_MAX + 1];
    snprintf(cur, sizeof cur, "%s", code);
    for (int hops = 0; hops < 64; hops++) {
        if (roster_split_of(e->roster, cur, out) == 0) {
            return 0;
        }
        if (!s_merged_into(e, cur)) {
            return -1;
        }
    }
    return -1;
}

/* Each successor's share of amount under scheme sc, in pence, by the one
 * largest-remainder split (ties to the smaller code). */
static void s_split_shares(const roster_split_t *sc, int64_t amount, int64_t *out)
{
    int64_t w[ROSTER_SPLIT_MAX];
    const char *codes[ROSTER_SPLIT_MAX];
    money_part_t parts[ROSTER_SPLIT_MAX];
    cc_err_t err;
    for (size_t i = 0; i < sc->n; i++) {
        w[i] = sc->permille[i];
        codes[i] = sc->successors[i];
    }
    if (money_split(amount, w, codes, sc->n, parts, &err) < 0) {
        memset(out, 0, sc->n * sizeof *out);
        return;
    }
    for (size_t i = 0; i < sc->n; i++) {
        out[i] = parts[i].share;
    }
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

/* Whether every partner not left out has executed the instrument. */
static int s_in_force(const pool_fund_t *f)
{
    for (size_t p = 0; p < f->agreement->n_partners; p++) {
        if (!f->withdrawn[p] && (!f->acts[p] || f->acts[p]->declined)) {
            return 0;
        }
    }
    return 1;
}

/* Appends who has yet to execute, and who declined with their authority. */
static void s_fund_unexecuted(const pool_fund_t *f, text_t *t)
{
    const char *sep = "";
    for (size_t p = 0; p < f->agreement->n_partners; p++) {
        const Concord__V1__Execution *x = f->acts[p];
        if (f->withdrawn[p] || (x && !x->declined)) {
            continue;
        }
        text_put(t, "%s%s", sep, f->agreement->partners[p]->code);
        if (x) {
            text_put(t, " (declined by %s, %s of %s%s%s)", x->authority, x->decision_ref,
                     x->decision_date, x->reason[0] ? ": " : "", x->reason);
        }
        sep = ", ";
    }
}

static int s_before_start(const pool_fund_t *f, uint64_t at_ms)
{
    char when[40];
    if (!f->agreement->start_date[0]) {
        return 0;
    }
    clock_format(at_ms, when, sizeof when);
    return strncmp(when, f->agreement->start_date, 10) < 0;
}

static pool_status_t s_fund_status(const pool_fund_t *f, uint64_t log_ms)
{
    if (!s_in_force(f)) {
        return POOL_AWAITING_EXECUTION;
    }
    if (s_before_start(f, log_ms)) {
        return POOL_EXECUTED;
    }
    for (size_t i = 0; i < f->n_years; i++) {
        if (!s_complete(f, &f->years[i])) {
            return POOL_AWAITING_PLEDGES;
        }
    }
    return POOL_ACTIVE;
}

static const char *s_accountable(const Concord__V1__PoolAgreement *a)
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
    if (!(chk->fund = s_fund_find(e, pool_id))) {
        err_set(err, CC_NOT_FOUND, "no pool '%.40s'", pool_id);
        return -1;
    }
    if ((chk->partner = s_partner_acting(e, chk->fund->agreement, ev->sender)) < 0) {
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
    pool_fund_t *f = chk->fund = s_fund_find(e, p->pool_id);
    if (!f) {
        err_set(err, CC_NOT_FOUND, "no pool '%.40s'", p->pool_id);
        return -1;
    }
    /* The line: the partner named, or the predecessor a successor names
     * itself for. */
    if ((chk->partner = s_partner(f->agreement, p->partner)) < 0 &&
        (chk->partner = s_partner_acting(e, f->agreement, p->partner)) < 0) {
        err_set(err, CC_PERMISSION_DENIED, "'%.40s' is not a partner of pool %s", p->partner,
                f->id);
        return -1;
    }
    /* A split partner's line: each successor pledges its own share. */
    roster_split_t sc;
    int split = s_split_at(e, f->agreement->partners[chk->partner]->code, &sc) == 0;
    chk->portion = -1;
    for (size_t i = 0; split && i < sc.n && chk->portion < 0; i++) {
        chk->portion = s_acts_for(e, sc.successors[i], ev->sender) ? (long)i : -1;
    }
    if (split && chk->portion < 0) {
        err_set(err, CC_PERMISSION_DENIED,
                "%.40s cannot pledge for %s: %s was split by decision %.40s and only its"
                " successors under that transfer scheme pledge their shares (Health and Care Act"
                " 2022 Sch 4)",
                ev->sender, p->partner, f->agreement->partners[chk->partner]->code, sc.decision);
        return -1;
    }
    if (!split && !s_acts_for(e, f->agreement->partners[chk->partner]->code, ev->sender)) {
        err_set(err, CC_PERMISSION_DENIED,
                "%.40s cannot pledge %s's contribution: a contribution"
                " exists only as its partner's own signed pledge (pooling delegates no statutory"
                " responsibility)",
                ev->sender, p->partner);
        return -1;
    }
    if (!s_in_force(f)) {
        char who[512];
        text_t t;
        text_init_fixed(&t, who, sizeof who);
        s_fund_unexecuted(f, &t);
        err_set(err, CC_FAILED_PRECONDITION,
                "pool %s is not in force, so nothing can be pledged to it: it awaits execution by"
                " %s (each party enters the agreement itself, in writing: NHS Bodies and Local"
                " Authorities Partnership Arrangements Regulations 2000 reg. 7)",
                f->id, who);
        return -1;
    }
    if (s_before_start(f, ev->time_ms)) {
        err_set(err, CC_FAILED_PRECONDITION,
                "pool %s is executed but in force only from its start date, %s: nothing can be"
                " pledged to it before then (the agreement's term, which every party executed:"
                " NHS Bodies and Local Authorities Partnership Arrangements Regulations 2000 reg."
                " 7)",
                f->id, f->agreement->start_date);
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
    if (split && yr->pledged[chk->partner] != yr->amount[chk->partner]) {
        int64_t share[ROSTER_SPLIT_MAX];
        long i = chk->portion;
        s_split_shares(&sc, yr->amount[chk->partner], share);
        if (p->amount_pence != share[i]) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "%s's share of %s's contribution for %s is %s (%u permille of %s under the"
                    " transfer scheme of decision %.40s: Health and Care Act 2022 Sch 4), not %s",
                    sc.successors[i], f->agreement->partners[chk->partner]->code, y,
                    money_text(share[i]).s, sc.permille[i],
                    money_text(yr->amount[chk->partner]).s, sc.decision,
                    money_text(p->amount_pence).s);
            return -1;
        }
        if (yr->portion && yr->portion[chk->partner * ROSTER_SPLIT_MAX + i] == share[i]) {
            err_set(err, CC_ALREADY_EXISTS, "%s already pledged its share %s of %s's %s",
                    sc.successors[i], money_text(share[i]).s,
                    f->agreement->partners[chk->partner]->code, y);
            return -1;
        }
        return 0;
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

/* Whether code may be left out of f: a partner still in it that declined
 * to execute it (a majority cannot expel a partner that entered it), not
 * the one that keeps the accounts, not named by the risk share, leaving
 * at least two partners. */
static int s_check_withdrawal(const pool_fund_t *f, const char *code, cc_err_t *err)
{
    const Concord__V1__PoolAgreement *a = f->agreement;
    const Concord__V1__RiskShare *r = a->risk_share;
    long p = s_partner(a, code);
    size_t left = 0;
    if (p < 0 || f->withdrawn[p]) {
        err_set(err, CC_NOT_FOUND, "'%.40s' is not a partner of pool %s", code, f->id);
        return -1;
    }
    if (!f->acts[p] || !f->acts[p]->declined) {
        err_set(err, CC_FAILED_PRECONDITION,
                "%s has not declined to execute pool %s: a variation can leave out only a"
                " partner that declined (no majority binds or expels a partner)",
                code, f->id);
        return -1;
    }
    int named = strcmp(s_accountable(a), code) == 0;
    for (size_t i = 0; r && i < r->n_fixed; i++) {
        named |= strcmp(r->fixed[i]->partner, code) == 0;
    }
    for (size_t i = 0; r && i < r->n_caps; i++) {
        named |= strcmp(r->caps[i]->partner, code) == 0;
    }
    named |= r && (strcmp(r->borne_by, code) == 0 || strcmp(r->remainder_to, code) == 0);
    if (named) {
        err_set(err, CC_FAILED_PRECONDITION,
                "%s keeps the accounts of pool %s or is named by its risk share: leaving it out"
                " needs a new agreement",
                code, f->id);
        return -1;
    }
    for (size_t k = 0; k < a->n_partners; k++) {
        left += !f->withdrawn[k] && (long)k != p;
    }
    if (left < 2) {
        err_set(err, CC_FAILED_PRECONDITION, "leaving out %s would leave pool %s one partner", code,
                f->id);
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
    for (size_t i = 0; i < v->n_withdrawn; i++) {
        if (s_check_withdrawal(f, v->withdrawn[i], err) < 0) {
            return -1;
        }
    }
    for (size_t i = 0; i < v->n_changes; i++) {
        const Concord__V1__VariedContribution *c = v->changes[i];
        long p = s_partner(a, c->partner);
        const pool_year_t *yr = s_year((pool_fund_t *)f, c->financial_year);
        char y[16];
        money_year_name(c->financial_year, y, sizeof y);
        if (p >= 0 && f->withdrawn[p]) {
            err_set(err, CC_FAILED_PRECONDITION, "%s was left out of pool %s by a variation",
                    c->partner, f->id);
            return -1;
        }
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

static void s_fund_missing(const pool_fund_t *f, const pool_year_t *yr, text_t *t)
{
    char y[16];
    money_year_name(yr->year, y, sizeof y);
    for (size_t p = 0; p < f->agreement->n_partners; p++) {
        if (!yr->amount[p] || yr->pledged[p] == yr->amount[p]) {
            continue;
        }
        text_put(t, "%s%s for %s: agreed %s, ", t->len ? "; " : "", f->agreement->partners[p]->code,
                 y, money_text(yr->amount[p]).s);
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
    if (!s_acts_for(e, s_accountable(f->agreement), ev->sender)) {
        err_set(err, CC_PERMISSION_DENIED,
                "only %s, who keeps pool %s's accounts, records its"
                " outturn",
                s_accountable(f->agreement), f->id);
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
    s_fund_missing(f, yr, &t);
    if (t.len) {
        err_set(err, CC_FAILED_PRECONDITION, "%s of pool %s is not fully pledged: %s", y, f->id,
                missing);
        return -1;
    }
    return 0;
}

/* ---- decoding and dispatch ---- */

/* The chain organisation -> delegation -> person of an execution or a
 * signed statement naming person (PROTOCOL.md 16.13), against the register
 * of the board engine the pool follows, for f's board. */
static int s_person_act(const pool_engine_t *e, const pool_event_t *ev, const pool_fund_t *f,
                        const char *person, int act, cc_err_t *err)
{
    if (!e->boards && (person[0] || ev->person_sig)) {
        err_set(err, CC_NOT_FOUND, "unknown person: %.16s has registered no person '%.32s'",
                ev->sender, person);
        return -1;
    }
    return e->boards ? board_person_act(e->boards, ev, f->board_id, person, act, 0, err) : 0;
}

/* A partner's execution of the instrument in force, or its refusal. */
static int s_check_execution(const pool_engine_t *e, const pool_event_t *ev,
                             pool_fund_checked_t *chk, cc_err_t *err)
{
    const Concord__V1__Execution *x = (const Concord__V1__Execution *)chk->msg;
    if (s_check_member(e, ev, x->pool_id, chk, err) < 0) {
        return -1;
    }
    pool_fund_t *f = chk->fund;
    /* A successor acting for several lines executes the first it has not. */
    for (size_t q = 0; q < f->agreement->n_partners; q++) {
        if (!f->withdrawn[q] && (!f->acts[q] || f->acts[q]->declined) &&
            s_acts_for(e, f->agreement->partners[q]->code, ev->sender)) {
            chk->partner = (long)q;
            break;
        }
    }
    const Concord__V1__Execution *before = f->acts[chk->partner];
    if (f->withdrawn[chk->partner]) {
        err_set(err, CC_FAILED_PRECONDITION, "%s was left out of pool %s by a variation",
                ev->sender, f->id);
        return -1;
    }
    if (strcmp(x->instrument, f->instrument) != 0) {
        err_set(err, CC_FAILED_PRECONDITION,
                "pool %s is executed as %s (its agreement, or the variation that last changed its"
                " parties), not '%.40s'",
                f->id, f->instrument, x->instrument);
        return -1;
    }
    if (!x->authority[0] || strlen(x->authority) > POOL_NAME_MAX || !x->decision_ref[0] ||
        strlen(x->decision_ref) > POOL_NAME_MAX || strlen(x->signatory_role) > POOL_NAME_MAX ||
        strlen(x->reason) > POOL_REASON_MAX) {
        err_set(err, CC_INVALID_ARGUMENT,
                "an execution names the body that decided and its minute or decision reference"
                " (1 to %d characters each)",
                POOL_NAME_MAX);
        return -1;
    }
    if (!agreement_date_ok(x->decision_date)) {
        err_set(err, CC_INVALID_ARGUMENT, "decision date '%.20s' is not a YYYY-MM-DD date",
                x->decision_date);
        return -1;
    }
    if (!x->declined && (!x->signatory_role[0] || x->document_sha256.len != 32)) {
        err_set(err, CC_INVALID_ARGUMENT,
                "an execution states the signatory's role and the SHA-256 of the signed document"
                " (32 bytes, not %zu)",
                x->document_sha256.len);
        return -1;
    }
    if (x->declined && (x->document_sha256.len || x->signatory_role[0])) {
        err_set(err, CC_INVALID_ARGUMENT, "a refusal to execute carries no signed document");
        return -1;
    }
    if (before && !before->declined) {
        err_set(err, CC_ALREADY_EXISTS,
                "%s already executed pool %s (%s, %s): it is bound; leaving needs the agreement's"
                " exit terms",
                ev->sender, f->id, before->authority, before->decision_ref);
        return -1;
    }
    if (before && x->declined) {
        err_set(err, CC_ALREADY_EXISTS, "%s already declined pool %s (%s)", ev->sender, f->id,
                before->decision_ref);
        return -1;
    }
    return s_person_act(e, ev, f, x->person, CONCORD__V1__PERSON_ACT__ACT_EXECUTE, err);
}

typedef int (*s_check_fn)(const pool_engine_t *, const pool_event_t *, pool_fund_checked_t *,
                          cc_err_t *);

static const struct {
    const char *method;
    const ProtobufCMessageDescriptor *d;
    s_check_fn check;
} s_methods[] = {
    {POOL_METHOD_PLEDGE, &concord__v1__pledge__descriptor, s_check_pledge},
    {POOL_METHOD_OUTTURN, &concord__v1__outturn__descriptor, s_check_outturn},
    {POOL_METHOD_STATEMENT, &concord__v1__pool_statement__descriptor, s_signed_check},
    {POOL_METHOD_EXECUTE, &concord__v1__execution__descriptor, s_check_execution},
};

static int s_fund_check(const pool_engine_t *e, const pool_event_t *ev, pool_fund_checked_t *chk,
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

static void s_fund_checked_free(pool_fund_checked_t *chk)
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
        free(f->years[i].portion);
    }
    f->n_years = 0;
}

static void s_acts_free(pool_fund_t *f)
{
    for (size_t p = 0; p < POOL_MAX_PARTNERS; p++) {
        wire_free(f->acts[p] ? &f->acts[p]->base : NULL);
        f->acts[p] = NULL;
    }
}

static void s_fund_free(pool_fund_t *f)
{
    if (f) {
        s_acts_free(f);
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
    if (v->variation->n_withdrawn) {
        /* The partners left out contribute nothing to the years still
         * open; everyone else enters the agreement as varied. */
        for (size_t i = 0; i < v->variation->n_withdrawn; i++) {
            long p = s_partner(f->agreement, v->variation->withdrawn[i]);
            f->withdrawn[p] = 1;
            for (size_t k = 0; k < f->n_years; k++) {
                if (!f->years[k].has_outturn) {
                    f->years[k].amount[p] = 0;
                    f->years[k].pledged[p] = 0;
                }
            }
        }
        s_acts_free(f);
        snprintf(f->instrument, sizeof f->instrument, "%s", v->ref);
    }
    v->status = POOL_VARIATION_PASSED;
    return 0;
}

/* A deep copy of a message the board engine owns; NULL when out of
 * memory. */
static ProtobufCMessage *s_copy(const ProtobufCMessage *m, cc_err_t *err)
{
    return wire_copy(m, WIRE_MAX_FRAME, err);
}

/* A passed agreement: the pool, decided, awaiting its pledges. An id
 * already taken (by an earlier decision) creates nothing. */
static int s_take_agreement(pool_engine_t *e, const board_pool_decision_t *d, cc_err_t *err)
{
    const char *id = d->agreement->pool_id;
    pool_fund_t *f = s_fund_find(e, id);
    if (f) {
        s_reject_note(e, d->proposer, "decision", id, d->effect_index, CC_ALREADY_EXISTS,
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
        s_fund_free(f);
        return err_oom(err);
    }
    snprintf(f->id, sizeof f->id, "%s", id);
    snprintf(f->ref, sizeof f->ref, "%s", d->proposal_id);
    snprintf(f->instrument, sizeof f->instrument, "%s", d->proposal_id);
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
    pool_fund_t *f = s_fund_find(e, id);
    if (!f) {
        s_reject_note(e, d->proposer, "decision", id, d->effect_index, CC_NOT_FOUND,
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
        s_var_free(v);
        return err_oom(err);
    }
    snprintf(v->ref, sizeof v->ref, "%s", d->proposal_id);
    snprintf(v->proposer, sizeof v->proposer, "%s", d->proposer);
    v->fund = f;
    if (strcmp(d->board_id, f->board_id) != 0) {
        v->status = POOL_VARIATION_LAPSED;
        snprintf(v->why, sizeof v->why,
                 "lapsed: decided by board %s, but pool %s is the partners' board %s's",
                 d->board_id, f->id, f->board_id);
    } else if (s_pass(v, err) < 0) {
        s_var_free(v);
        return -1;
    }
    e->vars[e->n_vars++] = v;
    return 0;
}

static int s_fund_take(pool_engine_t *e, const board_pool_decision_t *d, cc_err_t *err)
{
    if (d->kind == CONCORD__V1__PROPOSAL_KIND__POOL_AGREEMENT && d->agreement) {
        return s_take_agreement(e, d, err);
    }
    if (d->kind == CONCORD__V1__PROPOSAL_KIND__POOL_VARIATION && d->variation) {
        return s_take_variation(e, d, err);
    }
    return 0;
}

static int s_fund_changes_fit(const pool_fund_t *f, const Concord__V1__Variation *v, cc_err_t *err)
{
    return s_changes_fit(f, v, err);
}

static int s_accept_pledge(const pool_event_t *ev, pool_fund_checked_t *chk, cc_err_t *err)
{
    const Concord__V1__Pledge *p = (const Concord__V1__Pledge *)chk->msg;
    if (s_evlist_reserve(&chk->fund->events) < 0) {
        return err_oom(err);
    }
    pool_year_t *y = chk->year;
    if (chk->portion >= 0) {
        /* A successor's share of a split partner's line: the line's pledge
         * is the sum of its successors' (a pledge the predecessor made
         * before the split that did not match gives way to them). */
        size_t n = chk->fund->agreement->n_partners * ROSTER_SPLIT_MAX;
        if (!y->portion && !(y->portion = calloc(n, sizeof *y->portion))) {
            return err_oom(err);
        }
        int64_t *row = &y->portion[chk->partner * ROSTER_SPLIT_MAX];
        row[chk->portion] = p->amount_pence;
        y->pledged[chk->partner] = 0;
        for (size_t i = 0; i < ROSTER_SPLIT_MAX; i++) {
            y->pledged[chk->partner] += row[i];
        }
    } else {
        y->pledged[chk->partner] = p->amount_pence;
    }
    s_evlist_add(&chk->fund->events, ev);
    return 0;
}

/* Keeps the partner's act: a later one (an execution after declining)
 * replaces it. */
static int s_accept_execution(const pool_engine_t *e, const pool_event_t *ev,
                              pool_fund_checked_t *chk, cc_err_t *err)
{
    pool_fund_t *f = chk->fund;
    Concord__V1__Execution *more[POOL_MAX_PARTNERS] = {0};
    if (s_evlist_reserve(&f->events) < 0) {
        return err_oom(err);
    }
    /* Every other line the sender acts for (a successor of several
     * partners) and has not executed takes the same act. */
    for (size_t q = 0; q < f->agreement->n_partners; q++) {
        if ((long)q == chk->partner || f->withdrawn[q] || (f->acts[q] && !f->acts[q]->declined) ||
            !s_acts_for(e, f->agreement->partners[q]->code, ev->sender)) {
            continue;
        }
        if (!(more[q] = (Concord__V1__Execution *)wire_copy(chk->msg, WIRE_MAX_FRAME, err))) {
            for (size_t k = 0; k < q; k++) {
                wire_free(more[k] ? &more[k]->base : NULL);
            }
            return err_oom(err);
        }
    }
    for (size_t q = 0; q < f->agreement->n_partners; q++) {
        if (more[q]) {
            wire_free(f->acts[q] ? &f->acts[q]->base : NULL);
            f->acts[q] = more[q];
        }
    }
    s_evlist_add(&chk->fund->events, ev);
    Concord__V1__Execution **slot = &chk->fund->acts[chk->partner];
    wire_free(*slot ? &(*slot)->base : NULL);
    *slot = (Concord__V1__Execution *)chk->msg;
    chk->msg = NULL;
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
    if (s_evlist_reserve(&chk->fund->events) < 0) {
        return err_oom(err);
    }
    /* The split is computed before anything changes: a rule the agreement
     * check let through always splits, but fail closed if not. */
    if (risk_share_split(a->risk_share, codes, y->amount, a->n_partners, o->spend_pence - total,
                         y->parts, err) < 0) {
        return -1;
    }
    s_evlist_add(&chk->fund->events, ev);
    y->has_outturn = 1;
    y->outturn = o->spend_pence;
    return 0;
}

static int s_fund_accept(pool_engine_t *e, const pool_event_t *ev, pool_fund_checked_t *chk,
                         cc_err_t *err)
{
    (void)e;
    switch (chk->method) {
    case 0:
        return s_accept_pledge(ev, chk, err);
    case 1:
        return s_accept_outturn(ev, chk, err);
    case 3:
        return s_accept_execution(e, ev, chk, err);
    default:
        return s_signed_accept(ev, chk, err);
    }
}

static void s_var_free(pool_var_t *v)
{
    if (v) {
        wire_free(v->variation ? &v->variation->base : NULL);
        free(v);
    }
}

/* ---- signed statements ----
 * The host's signed year-end statement. Its canonical content (a
 * PoolStatement: the figures of pool_statement and the text of
 * pool_statement_text), and the check every node makes of a Statement
 * event: only the partner that keeps the accounts signs it, once per
 * closed year, and it must equal what this node computes itself. */

int pool_canonical(const pool_engine_t *e, const char *pool_id, uint32_t year,
                   pool_canonical_t *out, cc_err_t *err)
{
    pool_statement_t *st = calloc(1, sizeof *st);
    char y[16];
    memset(out, 0, sizeof *out);
    if (!st) {
        return err_oom(err);
    }
    if (pool_statement(e, pool_id, year, st, err) < 0) {
        free(st);
        return -1;
    }
    if (!st->has_outturn) {
        err_set(err, CC_FAILED_PRECONDITION,
                "the outturn of pool %s for %s is not recorded yet: a year is stated once closed",
                st->pool_id, money_year_name(year, y, sizeof y));
        free(st);
        return -1;
    }
    size_t need = pool_statement_text(st, NULL, 0);
    if (!(out->text = malloc(need + 1))) {
        free(st);
        return err_oom(err);
    }
    pool_statement_text(st, out->text, need + 1);
    Concord__V1__PoolStatement *m = &out->msg;
    concord__v1__pool_statement__init(m);
    m->pool_id = (char *)st->pool_id;
    m->financial_year = year;
    m->agreement_id = (char *)st->agreement_id;
    m->total_pence = st->total;
    m->outturn_pence = st->outturn;
    m->variance_pence = st->variance;
    m->text = out->text;
    for (size_t i = 0; i < st->n_lines; i++) {
        Concord__V1__StatementLine *l = &out->lines[i];
        concord__v1__statement_line__init(l);
        l->partner = (char *)st->lines[i].partner;
        l->contribution_pence = st->lines[i].contribution;
        l->pledged_pence = st->lines[i].pledged;
        l->variance_share_pence = st->lines[i].part.share;
        l->net_pence = st->lines[i].net;
        out->ptrs[i] = l;
    }
    m->lines = out->ptrs;
    m->n_lines = st->n_lines;
    free(st);
    return 0;
}

void pool_canonical_free(pool_canonical_t *c)
{
    if (c) {
        free(c->text);
        c->text = NULL;
    }
}

static int s_differs(char *why, size_t size, const char *what, int64_t got, int64_t want)
{
    snprintf(why, size, "%s: signed %s, computed here %s", what, money_text(got).s,
             money_text(want).s);
    return 0;
}

int pool_canonical_equal(const Concord__V1__PoolStatement *got,
                         const Concord__V1__PoolStatement *want, char *why, size_t size)
{
    char what[96];
    if (strcmp(got->agreement_id, want->agreement_id) != 0) {
        snprintf(why, size, "agreement: signed '%.40s', decided here %s", got->agreement_id,
                 want->agreement_id);
        return 0;
    }
    if (got->total_pence != want->total_pence) {
        return s_differs(why, size, "contributions", got->total_pence, want->total_pence);
    }
    if (got->outturn_pence != want->outturn_pence) {
        return s_differs(why, size, "outturn", got->outturn_pence, want->outturn_pence);
    }
    if (got->variance_pence != want->variance_pence) {
        return s_differs(why, size, "variance", got->variance_pence, want->variance_pence);
    }
    if (got->n_lines != want->n_lines) {
        snprintf(why, size, "signed %zu partner lines, computed here %zu", got->n_lines,
                 want->n_lines);
        return 0;
    }
    for (size_t i = 0; i < want->n_lines; i++) {
        const Concord__V1__StatementLine *g = got->lines[i], *w = want->lines[i];
        if (strcmp(g->partner, w->partner) != 0) {
            snprintf(why, size, "line %zu: signed for '%.40s', computed here for %s", i + 1,
                     g->partner, w->partner);
            return 0;
        }
        const struct {
            const char *name;
            int64_t got, want;
        } f[] = {{"contribution", g->contribution_pence, w->contribution_pence},
                 {"pledge", g->pledged_pence, w->pledged_pence},
                 {"share of the variance", g->variance_share_pence, w->variance_share_pence},
                 {"net", g->net_pence, w->net_pence}};
        for (size_t k = 0; k < sizeof f / sizeof f[0]; k++) {
            if (f[k].got != f[k].want) {
                snprintf(what, sizeof what, "%s's %s", w->partner, f[k].name);
                return s_differs(why, size, what, f[k].got, f[k].want);
            }
        }
    }
    /* The text is rendered from these figures (and what every node
     * knows of the agreement) and never compared: rewording it changes
     * nothing a statement proves. */
    return 1;
}

static int s_signed_check(const pool_engine_t *e, const pool_event_t *ev, pool_fund_checked_t *chk,
                          cc_err_t *err)
{
    const Concord__V1__PoolStatement *s = (const Concord__V1__PoolStatement *)chk->msg;
    char y[16], why[600];
    pool_canonical_t mine;
    snprintf(chk->subject, sizeof chk->subject, "%s", s->pool_id);
    pool_fund_t *f = chk->fund = s_fund_find(e, s->pool_id);
    if (!f) {
        err_set(err, CC_NOT_FOUND, "no pool '%.40s'", s->pool_id);
        return -1;
    }
    const char *host = s_accountable(f->agreement);
    if (!s_acts_for(e, host, ev->sender) || !f->agreement->risk_share) {
        err_set(err, CC_PERMISSION_DENIED,
                "%.40s cannot sign the statement of pool %s: only %s, who keeps its accounts,"
                " signs it",
                ev->sender, f->id, f->agreement->risk_share && host[0] ? host : "a host");
        return -1;
    }
    for (size_t i = 0; i < f->n_years && !chk->year; i++) {
        chk->year = f->years[i].year == s->financial_year ? &f->years[i] : NULL;
    }
    money_year_name(s->financial_year, y, sizeof y);
    if (chk->year && chk->year->statement[0]) {
        err_set(err, CC_ALREADY_EXISTS, "the statement of pool %s for %s is already signed (%s)",
                f->id, y, chk->year->statement);
        return -1;
    }
    if (pool_canonical(e, s->pool_id, s->financial_year, &mine, err) < 0) {
        return -1;
    }
    int same = pool_canonical_equal(s, &mine.msg, why, sizeof why);
    pool_canonical_free(&mine);
    if (!same) {
        err_set(err, CC_FAILED_PRECONDITION,
                "the statement of pool %s for %s signed by %s differs from the one computed here:"
                " %s",
                f->id, y, ev->sender, why);
        return -1;
    }
    return s_person_act(e, ev, f, s->person, CONCORD__V1__PERSON_ACT__ACT_SIGN_STATEMENT, err);
}

static int s_signed_accept(const pool_event_t *ev, pool_fund_checked_t *chk, cc_err_t *err)
{
    if (s_evlist_reserve(&chk->fund->events) < 0) {
        return err_oom(err);
    }
    s_evlist_add(&chk->fund->events, ev);
    memcpy(chk->year->statement, chk->ref, sizeof chk->year->statement);
    chk->year->statement_index = ev->log_index;
    snprintf(chk->year->statement_person, sizeof chk->year->statement_person, "%s",
             ((const Concord__V1__PoolStatement *)chk->msg)->person);
    return 0;
}

/* ---- Better Care Fund ----
 * The rules a plan meets on its own (seed 003 s2.2), and the engine's side
 * of plans and their sign-off chain, in any order (seed 003 s3.1: "HWBs
 * have final sign off"): each HWB's agreement (a passed decision of its
 * board), each council's and every CCG's sign-off, each district's
 * agreement to the county keeping part of its DFG; then NHS England's
 * outcome. */

#define S_DECISION_MAX 64 /* a board decision's id */
#define S_HWBS_MAX 8      /* HWB councils of one joint plan */
#define S_COUNCILS_MAX 16 /* councils that sign off one plan */
#define S_CONDITIONS_MAX POOL_BCF_CONDITIONS_MAX /* conditions NHS England attaches */
#define S_YEARS_MAX 3     /* years one plan spans */

struct pool_area_rec {
    char hwb[KEYS_CODE_MAX + 1];
    char **districts;
    size_t n_districts;
    char **ccgs;
    size_t n_ccgs;
    char **councils;
    size_t n_councils;
};

struct pool_cond_rec {
    char policy[16];
    uint32_t first_year, last_year;
    char key[48];
    char *text;
    char *source;
    int by_chain;
};

typedef char s_code_t[KEYS_CODE_MAX + 1];

struct pool_plan {
    char id[POOL_ID_MAX + 1];
    char version[POOL_REF_LEN + 1]; /* the Plan event in force */
    Concord__V1__BcfPlan *plan;
    /* Who signs: the HWB councils (lead first), then every other council of
     * their areas; the CCGs are the plan's; the districts those whose DFG
     * the county keeps part of. by[]: the organisation that signed (a
     * successor signing for a predecessor), "" while missing. */
    s_code_t councils[S_COUNCILS_MAX];
    size_t n_hwbs, n_councils;
    s_code_t hwb_by[S_HWBS_MAX];
    char hwb_decision[S_HWBS_MAX][POOL_REF_LEN + 1];
    s_code_t council_by[S_COUNCILS_MAX];
    s_code_t ccg_by[POOL_AREA_MAX];
    s_code_t dfg_by[POOL_AREA_MAX]; /* by place in plan->dfg_allocations */
    s_code_t dfg_county_by[POOL_AREA_MAX]; /* the county's side of each, likewise */
    pool_bcf_outcome_t outcome;
    Concord__V1__BcfSignoff *decision; /* NHS England's outcome act */
    uint8_t condition_met[S_CONDITIONS_MAX];
    pool_evlist_t events;
};

/* ---- areas and conditions ---- */

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
        s_strings_free(a->councils, a->n_councils);
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

/* The area whose lead or sharing council is code (*lead = 1 for the lead). */
static const pool_area_rec_t *s_area_of(const pool_engine_t *e, const char *code, int *lead)
{
    for (size_t i = 0; i < e->n_areas; i++) {
        const pool_area_rec_t *a = e->areas[i];
        if (strcmp(a->hwb, code) == 0) {
            *lead = 1;
            return a;
        }
        for (size_t k = 0; k < a->n_councils; k++) {
            if (strcmp(a->councils[k], code) == 0) {
                *lead = 0;
                return a;
            }
        }
    }
    return NULL;
}

int pool_engine_add_area(pool_engine_t *e, const pool_area_t *area, cc_err_t *err)
{
    int lead;
    if (e->bcf_started) {
        err_set(err, CC_FAILED_PRECONDITION, "areas are added before any BCF event is applied");
        return -1;
    }
    if (!s_code_ok(area->hwb)) {
        err_set(err, CC_INVALID_ARGUMENT, "an area needs its HWB council's code");
        return -1;
    }
    if (s_area_of(e, area->hwb, &lead)) {
        err_set(err, CC_ALREADY_EXISTS, "area %s was already added", area->hwb);
        return -1;
    }
    for (size_t i = 0; i < area->n_councils; i++) {
        if (s_code_ok(area->councils[i]) && s_area_of(e, area->councils[i], &lead)) {
            err_set(err, CC_ALREADY_EXISTS, "council %s is already in another area",
                    area->councils[i]);
            return -1;
        }
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
    /* Each count is set as soon as its copy is made, so that s_area_free frees the
     * earlier lists when copying a later one fails. */
    if (s_codes_copy(area->districts, area->n_districts, "districts", &a->districts, err) < 0) {
        s_area_free(a);
        return -1;
    }
    a->n_districts = area->n_districts;
    if (s_codes_copy(area->ccgs, area->n_ccgs, "CCGs", &a->ccgs, err) < 0) {
        s_area_free(a);
        return -1;
    }
    a->n_ccgs = area->n_ccgs;
    if (area->n_councils >= S_COUNCILS_MAX / S_HWBS_MAX) {
        err_set(err, CC_INVALID_ARGUMENT, "an area shares its BCF with at most %d other councils",
                S_COUNCILS_MAX / S_HWBS_MAX - 1);
        s_area_free(a);
        return -1;
    }
    if (s_codes_copy(area->councils, area->n_councils, "councils", &a->councils, err) < 0) {
        s_area_free(a);
        return -1;
    }
    a->n_councils = area->n_councils;
    e->areas[e->n_areas++] = a;
    return 0;
}

static const pool_area_t *s_area_find(const pool_engine_t *e, const char *hwb, pool_area_t *out)
{
    int lead = 0;
    const pool_area_rec_t *a = s_area_of(e, hwb, &lead);
    if (!a || !lead) {
        return NULL;
    }
    out->hwb = a->hwb;
    out->districts = (const char *const *)a->districts;
    out->n_districts = a->n_districts;
    out->ccgs = (const char *const *)a->ccgs;
    out->n_ccgs = a->n_ccgs;
    out->councils = (const char *const *)a->councils;
    out->n_councils = a->n_councils;
    return out;
}

static int s_key_ok(const char *k)
{
    size_t n = strlen(k);
    if (n < 2 || n >= sizeof ((pool_cond_rec_t *)0)->key) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (!(k[i] == '_' || (k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9'))) {
            return 0;
        }
    }
    return 1;
}

int pool_engine_add_condition(pool_engine_t *e, const pool_condition_t *c, cc_err_t *err)
{
    if (e->bcf_started) {
        err_set(err, CC_FAILED_PRECONDITION,
                "national conditions are added before any BCF event is applied");
        return -1;
    }
    if (!c->policy || !c->key || !c->text || !c->source || !s_key_ok(c->key) ||
        !c->policy[0] || strlen(c->policy) >= sizeof ((pool_cond_rec_t *)0)->policy ||
        !agreement_year_ok(c->first_year) || !agreement_year_ok(c->last_year) ||
        c->last_year < c->first_year || !c->text[0] || strlen(c->text) > POOL_TEXT_MAX ||
        strlen(c->source) > POOL_TEXT_MAX) {
        err_set(err, CC_INVALID_ARGUMENT,
                "a national condition has a policy year, years %d to %d in order, a key of"
                " lower-case letters, digits and '_', a text and its source ('%.40s')",
                POOL_YEAR_MIN, POOL_YEAR_MAX, c->key ? c->key : "");
        return -1;
    }
    for (size_t i = 0; i < e->n_conds; i++) {
        const pool_cond_rec_t *o = &e->conds[i];
        if (strcmp(o->key, c->key) == 0 && o->first_year <= c->last_year &&
            c->first_year <= o->last_year) {
            err_set(err, CC_INVALID_ARGUMENT, "national condition %s is given twice for %u",
                    c->key, c->first_year > o->first_year ? c->first_year : o->first_year);
            return -1;
        }
    }
    void *grown = grow_reserve(e->conds, &e->cap_conds, e->n_conds, sizeof *e->conds);
    if (!grown) {
        return err_oom(err);
    }
    e->conds = grown;
    pool_cond_rec_t *r = &e->conds[e->n_conds];
    memset(r, 0, sizeof *r);
    snprintf(r->policy, sizeof r->policy, "%s", c->policy);
    snprintf(r->key, sizeof r->key, "%s", c->key);
    r->first_year = c->first_year;
    r->last_year = c->last_year;
    r->by_chain = c->by_chain;
    if (!(r->text = strdup(c->text)) || !(r->source = strdup(c->source))) {
        free(r->text);
        return err_oom(err);
    }
    e->n_conds++;
    return 0;
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

/* The first line of list (n codes, stride bytes apart) that sender acts
 * for (itself, or as a successor) and that is not yet signed (by[i] ""),
 * or any it acts for when all are; -1 if none. */
static long s_line_for(const pool_engine_t *e, const char *sender, const char *(*code)(const void *, size_t),
                       const void *list, size_t n, s_code_t *by)
{
    long any = -1;
    for (size_t i = 0; i < n; i++) {
        if (s_acts_for(e, code(list, i), sender)) {
            if (!by[i][0]) {
                return (long)i;
            }
            any = any < 0 ? (long)i : any;
        }
    }
    return any;
}

static const char *s_council_code(const void *list, size_t i)
{
    return ((const s_code_t *)list)[i];
}

static const char *s_ccg_code(const void *list, size_t i)
{
    return ((const Concord__V1__BcfPlan *)list)->ccg_minimum[i]->ccg;
}

static const char *s_dfg_code(const void *list, size_t i)
{
    return ((const Concord__V1__BcfPlan *)list)->dfg_allocations[i]->district;
}

/* The organisation that now acts for code (its successor through any
 * chain of mergers), or NULL when code was not merged away. */
static const char *s_successor(const pool_engine_t *e, const char *code, char *out, size_t size)
{
    int moved = 0;
    assert(size == KEYS_CODE_MAX + 1);
    snprintf(out, size, "%s", code);
    for (int hops = 0; hops < 64 && s_merged_into(e, out); hops++) {
        moved = 1;
    }
    return moved ? out : NULL;
}

/* One sign-off of code, given by by: a successor signing for its
 * predecessor, or a predecessor's sign-off its successor now carries. */
static void s_say_by(const pool_engine_t *e, text_t *t, const char *what, const char *code,
                     const char *by)
{
    char succ[KEYS_CODE_MAX + 1];
    text_put(t, "%s%s %s", t->len ? "; " : "", what, code);
    if (strcmp(code, by) != 0) {
        text_put(t, " (by %s, its successor)", by);
    } else if (s_successor(e, code, succ, sizeof succ)) {
        text_put(t, " (merged into %s, which carries it)", succ);
    }
}

/* The steps still missing, "; "-separated. with_nhse adds NHS England's
 * outcome when it too is missing. */
/* Whether condition i of pl's approval is overdue on day (YYYY-MM-DD, ""
 * for none): not met, and its deadline before that day. */
static int s_condition_overdue(const pool_plan_t *pl, size_t i, const char *day)
{
    return day[0] && !pl->condition_met[i] &&
           strcmp(pl->decision->conditions[i]->deadline, day) < 0;
}

static void s_say_missing(const pool_plan_t *pl, int with_nhse, const char *day, text_t *t)
{
    const Concord__V1__BcfPlan *p = pl->plan;
    for (size_t i = 0; i < pl->n_hwbs; i++) {
        if (!pl->hwb_by[i][0]) {
            text_put(t, "%sHWB agreement (by %s)", t->len ? "; " : "", pl->councils[i]);
        }
    }
    for (size_t i = 0; i < pl->n_councils; i++) {
        if (!pl->council_by[i][0]) {
            text_put(t, "%scouncil sign-off by %s", t->len ? "; " : "", pl->councils[i]);
        }
    }
    for (size_t i = 0; i < p->n_ccg_minimum; i++) {
        if (!pl->ccg_by[i][0]) {
            text_put(t, "%sCCG sign-off by %s", t->len ? "; " : "", p->ccg_minimum[i]->ccg);
        }
    }
    for (size_t i = 0; i < p->n_dfg_allocations; i++) {
        if (p->dfg_allocations[i]->county_keeps_pence > 0 && !pl->dfg_by[i][0]) {
            text_put(t, "%sDFG joint agreement by district %s", t->len ? "; " : "",
                     p->dfg_allocations[i]->district);
        }
        if (p->dfg_allocations[i]->county_keeps_pence > 0 && !pl->dfg_county_by[i][0]) {
            text_put(t, "%sDFG joint agreement by the county with district %s",
                     t->len ? "; " : "", p->dfg_allocations[i]->district);
        }
    }
    if (with_nhse && pl->outcome == POOL_BCF_PENDING) {
        text_put(t, "%sNHS England's outcome", t->len ? "; " : "");
    }
    if (with_nhse && pl->outcome == POOL_BCF_APPROVED_WITH_CONDITIONS) {
        for (size_t i = 0; i < pl->decision->n_conditions; i++) {
            if (!pl->condition_met[i]) {
                text_put(t, "%scondition %zu (by %s%s)", t->len ? "; " : "", i + 1,
                         pl->decision->conditions[i]->deadline,
                         s_condition_overdue(pl, i, day) ? ", OVERDUE" : "");
            }
        }
    }
}

static void s_say_signed(const pool_engine_t *e, const pool_plan_t *pl, text_t *t)
{
    const Concord__V1__BcfPlan *p = pl->plan;
    for (size_t i = 0; i < pl->n_hwbs; i++) {
        if (pl->hwb_by[i][0]) {
            s_say_by(e, t, "HWB agreement of", pl->councils[i], pl->hwb_by[i]);
            text_put(t, " (decision %.12s)", pl->hwb_decision[i]);
        }
    }
    for (size_t i = 0; i < pl->n_councils; i++) {
        if (pl->council_by[i][0]) {
            s_say_by(e, t, "council sign-off by", pl->councils[i], pl->council_by[i]);
        }
    }
    for (size_t i = 0; i < p->n_ccg_minimum; i++) {
        if (pl->ccg_by[i][0]) {
            s_say_by(e, t, "CCG sign-off by", p->ccg_minimum[i]->ccg, pl->ccg_by[i]);
        }
    }
    for (size_t i = 0; i < p->n_dfg_allocations; i++) {
        if (pl->dfg_by[i][0]) {
            s_say_by(e, t, "DFG joint agreement by", p->dfg_allocations[i]->district, pl->dfg_by[i]);
        }
        if (pl->dfg_county_by[i][0]) {
            text_put(t, "%sDFG joint agreement by county %s with district %s",
                     t->len ? "; " : "", pl->dfg_county_by[i], p->dfg_allocations[i]->district);
        }
    }
}

/* Everyone of the plan's areas who signs it off: the HWB councils (lead
 * first), then the other councils sharing their BCF areas. */
static int s_plan_signers(const pool_engine_t *e, const Concord__V1__BcfPlan *p, s_code_t *councils,
                          size_t *n_hwbs, size_t *n_councils, cc_err_t *err)
{
    size_t n = 0;
    if (p->n_other_hwbs >= S_HWBS_MAX) {
        err_set(err, CC_INVALID_ARGUMENT, "BCF plan %s names more than %d HWBs", p->plan_id,
                S_HWBS_MAX);
        return -1;
    }
    for (size_t i = 0; i <= p->n_other_hwbs; i++) {
        const char *h = i ? p->other_hwbs[i - 1] : p->hwb;
        int lead = 1;
        const pool_area_rec_t *a = s_area_of(e, h, &lead);
        if (a && !lead) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "%s has no BCF plan of its own: it shares the Better Care Fund area of %s"
                    " (one BCF for both), whose plan it signs off",
                    h, a->hwb);
            return -1;
        }
        for (size_t k = 0; k < n; k++) {
            if (strcmp(councils[k], h) == 0) {
                err_set(err, CC_INVALID_ARGUMENT, "HWB %s is named twice in BCF plan %s", h,
                        p->plan_id);
                return -1;
            }
        }
        snprintf(councils[n++], sizeof *councils, "%s", h);
    }
    *n_hwbs = n;
    for (size_t i = 0; i < *n_hwbs; i++) {
        int lead;
        const pool_area_rec_t *a = s_area_of(e, councils[i], &lead);
        for (size_t k = 0; a && k < a->n_councils && n < S_COUNCILS_MAX; k++) {
            snprintf(councils[n++], sizeof *councils, "%s", a->councils[k]);
        }
    }
    *n_councils = n;
    return 0;
}

/* The area of a plan over several HWBs: their districts and CCGs together. */
typedef struct {
    pool_area_t area;
    const char *districts[POOL_AREA_MAX];
    const char *ccgs[POOL_AREA_MAX];
} s_joint_area_t;

static int s_add_codes(const char **to, size_t *n, const char *const *from, size_t k,
                       const char *what, const char *plan, cc_err_t *err)
{
    for (size_t i = 0; i < k; i++) {
        if (s_listed(to, *n, from[i])) {
            continue;
        }
        if (*n == POOL_AREA_MAX) {
            err_set(err, CC_INVALID_ARGUMENT, "BCF plan %s spans more than %d %s", plan,
                    POOL_AREA_MAX, what);
            return -1;
        }
        to[(*n)++] = from[i];
    }
    return 0;
}

/* The plan's area (NULL when no area of the lead is known), the joint
 * one when several HWBs make the plan. */
static const pool_area_t *s_plan_area(const pool_engine_t *e, const Concord__V1__BcfPlan *p,
                                      s_joint_area_t *j, cc_err_t *err, int *failed)
{
    pool_area_t one;
    *failed = 0;
    if (!s_area_find(e, p->hwb, &j->area)) {
        return NULL;
    }
    if (!p->n_other_hwbs) {
        return &j->area;
    }
    one = j->area;
    j->area.districts = j->districts;
    j->area.ccgs = j->ccgs;
    j->area.n_districts = j->area.n_ccgs = 0;
    int ccgs_known = 1;
    for (size_t i = 0; i <= p->n_other_hwbs; i++) {
        if (i && !s_area_find(e, p->other_hwbs[i - 1], &one)) {
            ccgs_known = 0; /* an HWB whose area is not known: its CCGs are not either */
            continue;
        }
        ccgs_known &= one.n_ccgs > 0;
        if (s_add_codes(j->districts, &j->area.n_districts, one.districts, one.n_districts,
                        "districts", p->plan_id, err) < 0 ||
            s_add_codes(j->ccgs, &j->area.n_ccgs, one.ccgs, one.n_ccgs, "CCGs", p->plan_id,
                        err) < 0) {
            *failed = 1;
            return NULL;
        }
    }
    if (!ccgs_known) {
        j->area.n_ccgs = 0; /* the plan's CCGs cannot be judged against a partial list */
    }
    return &j->area;
}

/* Every national condition of each year of the plan, confirmed (those the
 * chain meets aside), and no key it confirms unknown for its years. */
static int s_plan_conditions(const pool_engine_t *e, const Concord__V1__BcfPlan *p, cc_err_t *err)
{
    char y[16];
    uint32_t last = p->financial_year + (uint32_t)p->n_later_years;
    for (uint32_t year = p->financial_year; year <= last; year++) {
        int known = 0;
        for (size_t i = 0; i < e->n_conds; i++) {
            const pool_cond_rec_t *c = &e->conds[i];
            if (year < c->first_year || year > c->last_year) {
                continue;
            }
            known = 1;
            int met = c->by_chain;
            for (size_t k = 0; k < p->n_conditions_met && !met; k++) {
                met = strcmp(p->conditions_met[k], c->key) == 0;
            }
            if (!met) {
                err_set(err, CC_INVALID_ARGUMENT,
                        "BCF plan %s does not confirm the %s national condition '%s' (%s) for"
                        " %s (%s)",
                        p->plan_id, c->policy, c->text, c->key,
                        money_year_name(year, y, sizeof y), c->source);
                return -1;
            }
        }
        if (!known) {
            err_set(err, CC_FAILED_PRECONDITION,
                    "no national conditions are known for %s, so BCF plan %s cannot be judged:"
                    " the shipped data/bcf/conditions.csv lists each policy year's",
                    money_year_name(year, y, sizeof y), p->plan_id);
            return -1;
        }
    }
    for (size_t k = 0; k < p->n_conditions_met; k++) {
        int found = 0;
        for (size_t i = 0; i < e->n_conds && !found; i++) {
            const pool_cond_rec_t *c = &e->conds[i];
            found = strcmp(c->key, p->conditions_met[k]) == 0 && c->first_year <= last &&
                    c->last_year >= p->financial_year;
        }
        if (!found) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "BCF plan %s confirms '%.40s', which is no national condition of its years",
                    p->plan_id, p->conditions_met[k]);
            return -1;
        }
    }
    return 0;
}

/* The plan is held in an executed s75 pooled fund (NHS Act 2006 s223GA). */
static int s_plan_pool(const pool_engine_t *e, const Concord__V1__BcfPlan *p, cc_err_t *err)
{
    char who[512];
    text_t t;
    if (!p->pool_id[0]) {
        err_set(err, CC_FAILED_PRECONDITION,
                "BCF plan %s names no pool: the Better Care Fund must be held in a pooled fund"
                " under s75 (NHS Act 2006 s223GA); name the executed pool that holds it",
                p->plan_id);
        return -1;
    }
    const pool_fund_t *f = s_fund_find(e, p->pool_id);
    if (!f) {
        err_set(err, CC_NOT_FOUND,
                "BCF plan %s names pool '%.40s', which does not exist: the Better Care Fund must"
                " be held in a pooled fund under s75 (NHS Act 2006 s223GA)",
                p->plan_id, p->pool_id);
        return -1;
    }
    if (f->agreement->kind != CONCORD__V1__ARRANGEMENT_KIND__POOLED_FUND) {
        err_set(err, CC_FAILED_PRECONDITION,
                "BCF plan %s names pool %s, which is not a pooled fund: the Better Care Fund"
                " must be held in a pooled fund under s75 (NHS Act 2006 s223GA)",
                p->plan_id, f->id);
        return -1;
    }
    if (!s_in_force(f)) {
        text_init_fixed(&t, who, sizeof who);
        s_fund_unexecuted(f, &t);
        err_set(err, CC_FAILED_PRECONDITION,
                "BCF plan %s names pool %s, which is not in force (awaiting execution by %s):"
                " the Better Care Fund must be held in an executed s75 pooled fund (NHS Act 2006"
                " s223GA)",
                p->plan_id, f->id, who);
        return -1;
    }
    if (s_partner_acting(e, f->agreement, p->hwb) < 0) {
        err_set(err, CC_FAILED_PRECONDITION,
                "BCF plan %s names pool %s, to which its HWB council %s is no party (NHS Act 2006"
                " s223GA)",
                p->plan_id, f->id, p->hwb);
        return -1;
    }
    return 0;
}

static int s_check_plan(const pool_engine_t *e, const pool_event_t *ev, pool_bcf_checked_t *chk,
                        cc_err_t *err)
{
    const Concord__V1__BcfPlan *p = chk->plan;
    s_joint_area_t joint;
    s_code_t councils[S_COUNCILS_MAX];
    size_t n_hwbs, n_councils;
    int failed;
    char y[16], ref[POOL_REF_LEN + 1];
    if (s_plan_signers(e, p, councils, &n_hwbs, &n_councils, err) < 0) {
        return -1;
    }
    for (size_t i = 1; i < n_hwbs; i++) {
        roster_org_t o;
        pool_area_t one;
        if (!agreement_org(e->roster, councils[i], &o) || strcmp(o.kind, "COUNCIL_UPPER") != 0) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "BCF plan %s names HWB '%.40s', which is not an upper-tier council",
                    p->plan_id, councils[i]);
            return -1;
        }
        if (strncmp(councils[i], "E10", 3) == 0 &&
            (!s_area_find(e, councils[i], &one) || !one.n_districts)) {
            err_set(err, CC_FAILED_PRECONDITION,
                    "%s is a shire county: its districts (ONS LAD to county lookup) must be known"
                    " to check where its DFG goes",
                    councils[i]);
            return -1;
        }
    }
    const pool_area_t *area = s_plan_area(e, p, &joint, err, &failed);
    if (failed || pool_bcf_plan_check(e->roster, p, area, err) < 0) {
        return -1;
    }
    if (p->n_later_years >= S_YEARS_MAX) {
        err_set(err, CC_INVALID_ARGUMENT, "BCF plan %s spans more than %d years", p->plan_id,
                S_YEARS_MAX);
        return -1;
    }
    for (size_t i = 0; i < p->n_later_years; i++) {
        if (pool_bcf_year_check(e->roster, p, i + 1, area, err) < 0) {
            return -1;
        }
    }
    if (s_plan_conditions(e, p, err) < 0 || s_plan_pool(e, p, err) < 0) {
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
    if (old && (old->outcome == POOL_BCF_APPROVED ||
                old->outcome == POOL_BCF_APPROVED_WITH_CONDITIONS)) {
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
    uint32_t last = p->financial_year + (uint32_t)p->n_later_years;
    for (size_t i = 0; i < e->n_plans; i++) {
        const pool_plan_t *q = e->plans[i];
        uint32_t qlast = q->plan->financial_year + (uint32_t)q->plan->n_later_years;
        if (q == old || q->plan->financial_year > last || qlast < p->financial_year) {
            continue;
        }
        for (size_t a = 0; a < n_hwbs; a++) {
            for (size_t b = 0; b < q->n_hwbs; b++) {
                if (strcmp(councils[a], q->councils[b]) == 0) {
                    err_set(err, CC_ALREADY_EXISTS,
                            "HWB %s already has BCF plan %s for %s; revise that"
                            " one",
                            councils[a], q->id,
                            money_year_name(q->plan->financial_year, y, sizeof y));
                    return -1;
                }
            }
        }
    }
    return 0;
}

/* The HWB's agreement is a decision of its board: proposal id names a
 * passed, effective proposal of a board whose charter marks it as the
 * HWB of council hwb, and the proposal agrees this plan. */
static int s_check_hwb_decision(const pool_engine_t *e, const pool_event_t *ev,
                                const pool_plan_t *pl, const char *hwb, const char *id,
                                cc_err_t *err)
{
    board_proposal_view_t v;
    board_view_t bv;
    cc_err_t why;
    if (strlen(id) != POOL_REF_LEN) {
        err_set(err, CC_INVALID_ARGUMENT,
                "the HWB's agreement to BCF plan %s is a decision of its Health and Wellbeing"
                " Board: name that board's passed proposal (its full id)",
                pl->id);
        return -1;
    }
    if (!e->boards || board_proposal_find(e->boards, id, ev->time_ms, &v, &why) < 0) {
        err_set(err, CC_NOT_FOUND, "no board proposal %.32s: the HWB's agreement to BCF plan %s"
                " is a decision of its Health and Wellbeing Board", id, pl->id);
        return -1;
    }
    if (board_get(e->boards, v.board_id, &bv) < 0 || strcmp(bv.charter->hwb_area, hwb) != 0) {
        err_set(err, CC_FAILED_PRECONDITION,
                "proposal %.12s is a decision of board %s, whose charter does not mark it as the"
                " Health and Wellbeing Board of %s (Health and Social Care Act 2012 s194)",
                id, v.board_id, hwb);
        return -1;
    }
    if (strcmp(v.proposal->bcf_plan, pl->id) != 0) {
        err_set(err, CC_FAILED_PRECONDITION,
                "proposal %.12s of HWB board %s does not agree BCF plan %s%s%s", id, v.board_id,
                pl->id, v.proposal->bcf_plan[0] ? ": it agrees " : "", v.proposal->bcf_plan);
        return -1;
    }
    if (!v.closed || !v.tally.passed || !v.effective) {
        err_set(err, CC_FAILED_PRECONDITION,
                "proposal %.12s of HWB board %s has not passed and taken effect, so it is not yet"
                " the HWB's agreement to BCF plan %s",
                id, v.board_id, pl->id);
        return -1;
    }
    return 0;
}

static int s_is_nhse(const pool_engine_t *e, const char *code)
{
    roster_org_t o;
    return agreement_org(e->roster, code, &o) && strcmp(o.kind, "NHS_ENGLAND") == 0;
}

/* NHS England's outcome: every sign-off done, none given yet; its
 * conditions, or its escalation, stated. */
static int s_check_outcome(const pool_engine_t *e, const pool_event_t *ev, const pool_plan_t *pl,
                           const Concord__V1__BcfSignoff *s, cc_err_t *err)
{
    char missing[768];
    text_t t;
    int y, m, d;
    text_init_fixed(&t, missing, sizeof missing);
    if (!s_is_nhse(e, ev->sender)) {
        err_set(err, CC_PERMISSION_DENIED,
                "only NHS England approves a BCF plan; %.40s is not"
                " NHS England",
                ev->sender);
        return -1;
    }
    if (pl->outcome != POOL_BCF_PENDING) {
        err_set(err, CC_FAILED_PRECONDITION,
                "BCF plan %s already has NHS England's outcome; a plan not approved is revised"
                " and signed off again",
                pl->id);
        return -1;
    }
    s_say_missing(pl, 0, "", &t);
    if (t.len) {
        err_set(err, CC_FAILED_PRECONDITION,
                "NHS England cannot approve BCF plan %s yet: missing"
                " %s",
                pl->id, missing);
        return -1;
    }
    if (s->act == CONCORD__V1__BCF_ACT__NHS_ENGLAND_APPROVAL_WITH_CONDITIONS) {
        if (!s->n_conditions || s->n_conditions > S_CONDITIONS_MAX) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "an approval of BCF plan %s with conditions states 1 to %d conditions",
                    pl->id, S_CONDITIONS_MAX);
            return -1;
        }
        for (size_t i = 0; i < s->n_conditions; i++) {
            const Concord__V1__BcfApprovalCondition *c = s->conditions[i];
            if (!s_text_ok(c->text, POOL_NAME_MAX, 1) ||
                date_parse(c->deadline, &y, &m, &d) < 0) {
                err_set(err, CC_INVALID_ARGUMENT,
                        "condition %zu of NHS England's approval of BCF plan %s needs a text of"
                        " at most %d characters and a deadline (YYYY-MM-DD)",
                        i + 1, pl->id, POOL_NAME_MAX);
                return -1;
            }
        }
    } else if (s->n_conditions) {
        err_set(err, CC_INVALID_ARGUMENT, "only an approval with conditions states conditions");
        return -1;
    }
    if (s->act == CONCORD__V1__BCF_ACT__NHS_ENGLAND_NOT_APPROVED &&
        !s_text_ok(s->escalation, POOL_TEXT_MAX, 1)) {
        err_set(err, CC_INVALID_ARGUMENT,
                "NHS England's decision not to approve BCF plan %s records its escalation: to"
                " whom, and how",
                pl->id);
        return -1;
    }
    return 0;
}

/* The county's side of a DFG joint agreement with one district (the
 * act's `district`): the plan keeps part of that district's grant, the
 * sender acts for the plan's council whose area the district is in, and
 * has not yet agreed for it. *line is the district's allocation. */
static int s_check_dfg_county(const pool_engine_t *e, const pool_event_t *ev,
                              const pool_plan_t *pl, const Concord__V1__BcfSignoff *s, long *line,
                              cc_err_t *err)
{
    const Concord__V1__BcfPlan *p = pl->plan;
    const char *county = p->hwb;
    long k = -1;
    for (size_t i = 0; i < p->n_dfg_allocations && k < 0; i++) {
        if (strcmp(p->dfg_allocations[i]->district, s->district) == 0 &&
            p->dfg_allocations[i]->county_keeps_pence > 0) {
            k = (long)i;
        }
    }
    if (k < 0) {
        err_set(err, CC_NOT_FOUND,
                "BCF plan %s keeps no part of the DFG of district '%.16s', so there is no joint"
                " agreement with it to record (the grant passes to it in full)",
                p->plan_id, s->district);
        return -1;
    }
    for (size_t i = 0; i < pl->n_hwbs; i++) {
        pool_area_t area;
        if (s_area_find(e, pl->councils[i], &area) &&
            s_listed(area.districts, area.n_districts, s->district)) {
            county = pl->councils[i];
        }
    }
    if (!s_acts_for(e, county, ev->sender)) {
        err_set(err, CC_PERMISSION_DENIED,
                "only county %s records its side of the joint agreement on district %s's DFG;"
                " %.40s is not it",
                county, s->district, ev->sender);
        return -1;
    }
    if (pl->dfg_county_by[k][0]) {
        err_set(err, CC_ALREADY_EXISTS,
                "%s already agreed with district %s for BCF plan %s", ev->sender, s->district,
                p->plan_id);
        return -1;
    }
    *line = k;
    return 0;
}

/* Who may perform act on pl, and whether the chain allows it now. *line
 * is the place signed (a council, CCG or district line). */
static int s_check_act(const pool_engine_t *e, const pool_event_t *ev, const pool_plan_t *pl,
                       const Concord__V1__BcfSignoff *s, long *line, cc_err_t *err)
{
    const Concord__V1__BcfPlan *p = pl->plan;
    int act = s->act;
    *line = -1;
    if (act >= CONCORD__V1__BCF_ACT__NHS_ENGLAND_APPROVAL &&
        act <= CONCORD__V1__BCF_ACT__NHS_ENGLAND_NOT_APPROVED) {
        return s_check_outcome(e, ev, pl, s, err);
    }
    if (act == CONCORD__V1__BCF_ACT__CONDITION_MET) {
        if (!s_is_nhse(e, ev->sender)) {
            err_set(err, CC_PERMISSION_DENIED,
                    "only NHS England records its conditions met; %.40s is not NHS England",
                    ev->sender);
            return -1;
        }
        if (pl->outcome != POOL_BCF_APPROVED_WITH_CONDITIONS || !s->condition ||
            s->condition > pl->decision->n_conditions) {
            err_set(err, CC_FAILED_PRECONDITION, "BCF plan %s has no condition %u of NHS England's",
                    pl->id, s->condition);
            return -1;
        }
        if (pl->condition_met[s->condition - 1]) {
            err_set(err, CC_ALREADY_EXISTS, "condition %u of BCF plan %s is already met",
                    s->condition, pl->id);
            return -1;
        }
        return 0;
    }
    if (act == CONCORD__V1__BCF_ACT__DFG_JOINT_AGREEMENT && s->district[0]) {
        return s_check_dfg_county(e, ev, pl, s, line, err);
    }
    if (s->district[0]) {
        err_set(err, CC_INVALID_ARGUMENT, "only the county's DFG joint agreement names a district");
        return -1;
    }
    if (act == CONCORD__V1__BCF_ACT__HWB_AGREEMENT) {
        *line = s_line_for(e, ev->sender, s_council_code, pl->councils, pl->n_hwbs,
                           (s_code_t *)pl->hwb_by);
        if (*line < 0) {
            err_set(err, CC_PERMISSION_DENIED,
                    "only an HWB council of BCF plan %s (%s%s) records its HWB's agreement",
                    p->plan_id, p->hwb, p->n_other_hwbs ? " and the others it names" : "");
            return -1;
        }
        if (pl->hwb_by[*line][0]) {
            err_set(err, CC_ALREADY_EXISTS, "%s already did that for BCF plan %s", ev->sender,
                    p->plan_id);
            return -1;
        }
        return s_check_hwb_decision(e, ev, pl, pl->councils[*line], s->board_decision, err);
    }
    if (s->board_decision[0]) {
        err_set(err, CC_INVALID_ARGUMENT, "only the HWB's agreement names a board decision");
        return -1;
    }
    const char *what = act == CONCORD__V1__BCF_ACT__COUNCIL_SIGN_OFF ? "a council"
                       : act == CONCORD__V1__BCF_ACT__CCG_SIGN_OFF   ? "a CCG"
                                                                     : "a district whose DFG the county keeps part of,";
    s_code_t *by = act == CONCORD__V1__BCF_ACT__COUNCIL_SIGN_OFF ? (s_code_t *)pl->council_by
                   : act == CONCORD__V1__BCF_ACT__CCG_SIGN_OFF   ? (s_code_t *)pl->ccg_by
                                                                 : (s_code_t *)pl->dfg_by;
    if (act == CONCORD__V1__BCF_ACT__COUNCIL_SIGN_OFF) {
        *line = s_line_for(e, ev->sender, s_council_code, pl->councils, pl->n_councils, by);
    } else if (act == CONCORD__V1__BCF_ACT__CCG_SIGN_OFF) {
        *line = s_line_for(e, ev->sender, s_ccg_code, p, p->n_ccg_minimum, by);
    } else {
        *line = s_line_for(e, ev->sender, s_dfg_code, p, p->n_dfg_allocations, by);
        if (*line >= 0 && p->dfg_allocations[*line]->county_keeps_pence <= 0) {
            *line = -1;
        }
    }
    if (*line < 0) {
        err_set(err, CC_PERMISSION_DENIED, "%.40s is not %s of BCF plan %s", ev->sender, what,
                p->plan_id);
        return -1;
    }
    if (by[*line][0]) {
        err_set(err, CC_ALREADY_EXISTS, "%s already did that for BCF plan %s", ev->sender,
                p->plan_id);
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
    if (s->act < 1 || s->act > CONCORD__V1__BCF_ACT__DFG_JOINT_AGREEMENT ||
        strlen(s->board_decision) > S_DECISION_MAX || strlen(s->note) > POOL_REASON_MAX ||
        strlen(s->district) > KEYS_CODE_MAX ||
        strlen(s->escalation) > POOL_TEXT_MAX) {
        err_set(err, CC_INVALID_ARGUMENT,
                "a BCF act is an HWB agreement, a council, CCG or DFG sign-off, NHS England's"
                " outcome or a condition met, with a note of at most %d bytes",
                POOL_REASON_MAX);
        return -1;
    }
    if (s->act != CONCORD__V1__BCF_ACT__CONDITION_MET &&
        (pl->outcome == POOL_BCF_APPROVED || pl->outcome == POOL_BCF_APPROVED_WITH_CONDITIONS)) {
        err_set(err, CC_FAILED_PRECONDITION, "BCF plan %s is already approved by NHS England",
                pl->id);
        return -1;
    }
    if (s->act != CONCORD__V1__BCF_ACT__CONDITION_MET && pl->outcome == POOL_BCF_NOT_APPROVED) {
        err_set(err, CC_FAILED_PRECONDITION,
                "BCF plan %s was not approved by NHS England: revise it, and the chain starts"
                " again",
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
    return s_check_act(e, ev, pl, s, &chk->line, err);
}

static int s_bcf_check(const pool_engine_t *e, const pool_event_t *ev, pool_bcf_checked_t *chk,
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

static void s_bcf_checked_free(pool_bcf_checked_t *chk)
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
        wire_free(pl->decision ? &pl->decision->base : NULL);
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
        s_evlist_reserve(&pl->events) < 0) {
        s_plan_free(fresh);
        return err_oom(err);
    }
    wire_free(pl->plan ? &pl->plan->base : NULL);
    wire_free(pl->decision ? &pl->decision->base : NULL);
    pl->plan = chk->plan;
    pl->decision = NULL;
    chk->plan = NULL;
    snprintf(pl->id, sizeof pl->id, "%s", pl->plan->plan_id);
    pool_ref(ev->call_id, pl->version);
    /* Checked in s_check_plan. */
    s_plan_signers(e, pl->plan, pl->councils, &pl->n_hwbs, &pl->n_councils, NULL);
    pl->outcome = POOL_BCF_PENDING;
    memset(pl->hwb_by, 0, sizeof pl->hwb_by);
    memset(pl->hwb_decision, 0, sizeof pl->hwb_decision);
    memset(pl->council_by, 0, sizeof pl->council_by);
    memset(pl->ccg_by, 0, sizeof pl->ccg_by);
    memset(pl->dfg_by, 0, sizeof pl->dfg_by);
    memset(pl->dfg_county_by, 0, sizeof pl->dfg_county_by);
    memset(pl->condition_met, 0, sizeof pl->condition_met);
    s_evlist_add(&pl->events, ev);
    if (fresh) {
        e->plans[e->n_plans++] = fresh;
    }
    return 0;
}

static int s_bcf_accept(pool_engine_t *e, const pool_event_t *ev, pool_bcf_checked_t *chk,
                        cc_err_t *err)
{
    if (chk->plan) {
        return s_accept_plan(e, ev, chk, err);
    }
    pool_plan_t *pl = chk->target;
    const Concord__V1__BcfSignoff *s = chk->sign;
    if (s_evlist_reserve(&pl->events) < 0) {
        return err_oom(err);
    }
    s_evlist_add(&pl->events, ev);
    switch (s->act) {
    case CONCORD__V1__BCF_ACT__HWB_AGREEMENT:
        snprintf(pl->hwb_by[chk->line], sizeof pl->hwb_by[0], "%s", ev->sender);
        snprintf(pl->hwb_decision[chk->line], sizeof pl->hwb_decision[0], "%s", s->board_decision);
        break;
    case CONCORD__V1__BCF_ACT__COUNCIL_SIGN_OFF:
        snprintf(pl->council_by[chk->line], sizeof pl->council_by[0], "%s", ev->sender);
        break;
    case CONCORD__V1__BCF_ACT__CCG_SIGN_OFF:
        snprintf(pl->ccg_by[chk->line], sizeof pl->ccg_by[0], "%s", ev->sender);
        break;
    case CONCORD__V1__BCF_ACT__DFG_JOINT_AGREEMENT:
        if (s->district[0]) {
            snprintf(pl->dfg_county_by[chk->line], sizeof pl->dfg_county_by[0], "%s",
                     ev->sender);
        } else {
            snprintf(pl->dfg_by[chk->line], sizeof pl->dfg_by[0], "%s", ev->sender);
        }
        break;
    case CONCORD__V1__BCF_ACT__CONDITION_MET:
        pl->condition_met[s->condition - 1] = 1;
        break;
    default:
        pl->outcome = (pool_bcf_outcome_t)s->act;
        pl->decision = chk->sign;
        chk->sign = NULL;
        break;
    }
    return 0;
}

static void s_bcf_free_all(pool_engine_t *e)
{
    for (size_t i = 0; i < e->n_plans; i++) {
        s_plan_free(e->plans[i]);
    }
    for (size_t i = 0; i < e->n_areas; i++) {
        s_area_free(e->areas[i]);
    }
    for (size_t i = 0; i < e->n_conds; i++) {
        free(e->conds[i].text);
        free(e->conds[i].source);
    }
    free(e->plans);
    free(e->areas);
    free(e->conds);
    e->plans = NULL;
    e->areas = NULL;
    e->conds = NULL;
    e->n_plans = e->n_areas = e->n_conds = 0;
}

/* ---- views ---- */

static const pool_evlist_t *s_bcf_events(const pool_engine_t *e, const char *plan_id)
{
    const pool_plan_t *pl = s_plan_find(e, plan_id);
    return pl ? &pl->events : NULL;
}

size_t pool_bcf_count(const pool_engine_t *e)
{
    return e->n_plans;
}

static void s_plan_view(const pool_engine_t *e, const pool_plan_t *pl, pool_bcf_view_t *out)
{
    text_t t;
    memset(out, 0, sizeof *out);
    out->plan_id = pl->id;
    out->version = pl->version;
    out->plan = pl->plan;
    pool_bcf_totals(pl->plan, &out->totals, NULL); /* checked when accepted */
    out->hwb_agreed = out->council_signed = 1;
    for (size_t i = 0; i < pl->n_hwbs; i++) {
        out->hwb_agreed &= pl->hwb_by[i][0] != 0;
    }
    for (size_t i = 0; i < pl->n_councils; i++) {
        out->council_signed &= pl->council_by[i][0] != 0;
    }
    out->n_ccgs = pl->plan->n_ccg_minimum;
    for (size_t i = 0; i < out->n_ccgs; i++) {
        out->n_ccgs_signed += pl->ccg_by[i][0] != 0;
    }
    out->outcome = pl->outcome;
    out->approved = pl->outcome == POOL_BCF_APPROVED ||
                    pl->outcome == POOL_BCF_APPROVED_WITH_CONDITIONS;
    out->decision = pl->decision;
    out->condition_met = pl->condition_met;
    if (e->log_ms) {
        char when[40];
        clock_format(e->log_ms, when, sizeof when);
        snprintf(out->judged_on, sizeof out->judged_on, "%.10s", when);
    }
    for (size_t i = 0; pl->decision && i < pl->decision->n_conditions; i++) {
        out->n_conditions_met += pl->condition_met[i];
        out->condition_overdue[i] = (uint8_t)s_condition_overdue(pl, i, out->judged_on);
        out->n_conditions_overdue += out->condition_overdue[i];
    }
    text_init_fixed(&t, out->missing, sizeof out->missing);
    s_say_missing(pl, 0, out->judged_on, &t);
    out->approvable = !t.len && pl->outcome == POOL_BCF_PENDING;
    text_init_fixed(&t, out->missing, sizeof out->missing);
    s_say_missing(pl, 1, out->judged_on, &t);
    text_init_fixed(&t, out->signed_by, sizeof out->signed_by);
    s_say_signed(e, pl, &t);
}

void pool_bcf_at(const pool_engine_t *e, size_t i, pool_bcf_view_t *out)
{
    assert(i < e->n_plans);
    s_plan_view(e, e->plans[i], out);
}

int pool_bcf_get(const pool_engine_t *e, const char *plan_id, pool_bcf_view_t *out)
{
    const pool_plan_t *pl = plan_id ? s_plan_find(e, plan_id) : NULL;
    if (!pl) {
        return -1;
    }
    s_plan_view(e, pl, out);
    return 0;
}

/* ---- the sums of a plan's streams ---- */

static int s_add_stream(int64_t *sum, int64_t v, const char *what, cc_err_t *err)
{
    if (v < 0) {
        err_set(err, CC_INVALID_ARGUMENT, "%s of %s is negative", what, money_text(v).s);
        return -1;
    }
    if (v > INT64_MAX - *sum) {
        err_set(err, CC_OUT_OF_RANGE, "the %s add up to more than %s", what,
                money_text(INT64_MAX).s);
        return -1;
    }
    *sum += v;
    return 0;
}

int pool_bcf_totals(const Concord__V1__BcfPlan *p, pool_bcf_totals_t *out, cc_err_t *err)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < p->n_ccg_minimum; i++) {
        if (s_add_stream(&out->ccg_minimum, p->ccg_minimum[i]->amount_pence, "CCG minimum contributions",
                  err) < 0) {
            return -1;
        }
    }
    for (size_t i = 0; i < p->n_additional; i++) {
        if (s_add_stream(&out->additional, p->additional[i]->amount_pence, "additional contributions",
                  err) < 0) {
            return -1;
        }
    }
    for (size_t i = 0; i < p->n_dfg_allocations; i++) {
        const Concord__V1__DfgAllocation *d = p->dfg_allocations[i];
        int64_t ignored = 0;
        if (s_add_stream(strcmp(d->district, p->hwb) ? &out->dfg_to_districts : &ignored, d->amount_pence,
                  "DFG allocations", err) < 0 ||
            s_add_stream(&out->dfg_county_keeps, d->county_keeps_pence,
                         "DFG kept by the county by joint agreement", err) < 0) {
            return -1;
        }
    }
    out->dfg = p->dfg_pence;
    out->ibcf = p->ibcf_pence;
    if (s_add_stream(&out->total, out->ccg_minimum, "streams", err) < 0 ||
        s_add_stream(&out->total, out->dfg, "streams (DFG)", err) < 0 ||
        s_add_stream(&out->total, out->ibcf, "streams (iBCF)", err) < 0 ||
        s_add_stream(&out->total, out->additional, "streams", err) < 0) {
        return -1;
    }
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

/* Two-tier: the whole DFG to the districts, each a positive part, unless
 * a district and the county jointly agree the county keeps part of that
 * district's grant (county_keeps_pence; the district signs the agreement
 * in the chain, the county by its plan and sign-off). */
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
        if (d->county_keeps_pence && strcmp(d->district, p->hwb) == 0) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "BCF plan %s: a joint agreement on the DFG is between the county and one of"
                    " its districts",
                    p->plan_id);
            return -1;
        }
    }
    if (t->dfg_to_districts > t->dfg || t->dfg_county_keeps > t->dfg - t->dfg_to_districts) {
        err_set(err, CC_INVALID_ARGUMENT,
                "BCF plan %s passes %s of DFG to districts and keeps %s by joint agreement, more"
                " than the grant of %s",
                p->plan_id, money_text(t->dfg_to_districts).s, money_text(t->dfg_county_keeps).s,
                money_text(t->dfg).s);
        return -1;
    }
    if (t->dfg_to_districts + t->dfg_county_keeps != t->dfg) {
        err_set(err, CC_INVALID_ARGUMENT,
                "BCF plan %s leaves %s of the Disabled Facilities Grant with county %s: in a"
                " two-tier area the DFG must go to the district councils, the housing"
                " authorities, unless a district and the county jointly agree otherwise"
                " (seed 003 s2.2)",
                p->plan_id, money_text(t->dfg - t->dfg_to_districts - t->dfg_county_keeps).s,
                p->hwb);
        return -1;
    }
    for (size_t i = 0; i < area->n_districts; i++) {
        size_t k = 0;
        while (k < p->n_dfg_allocations &&
               strcmp(p->dfg_allocations[k]->district, area->districts[i]) != 0) {
            k++;
        }
        if (k == p->n_dfg_allocations || (p->dfg_allocations[k]->amount_pence <= 0 &&
                                          p->dfg_allocations[k]->county_keeps_pence <= 0)) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "BCF plan %s gives no DFG to district %s, a housing"
                    " authority of %s, and records no joint agreement with it (seed 003 s2.2)",
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
    if (t->dfg_to_districts || t->dfg_county_keeps) {
        err_set(err, CC_INVALID_ARGUMENT,
                "BCF plan %s passes DFG to another council, but %s is a"
                " single-tier area: the council is itself the housing authority",
                p->plan_id, p->hwb);
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
    if (s_bcf_dfg(p, area, &t, err) < 0 || s_bcf_additional(roster, p, err) < 0) {
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

void pool_bcf_year_plan(const Concord__V1__BcfPlan *p, const Concord__V1__BcfPlanYear *ly,
                        Concord__V1__BcfPlan *q)
{
    *q = *p;
    q->financial_year = ly->financial_year;
    q->ccg_minimum = ly->ccg_minimum;
    q->n_ccg_minimum = ly->n_ccg_minimum;
    q->dfg_pence = ly->dfg_pence;
    q->dfg_allocations = ly->dfg_allocations;
    q->n_dfg_allocations = ly->n_dfg_allocations;
    q->ibcf_pence = ly->ibcf_pence;
    q->additional = ly->additional;
    q->n_additional = ly->n_additional;
    q->total_pence = ly->total_pence;
    q->n_later_years = 0;
}

int pool_bcf_year_check(const roster_t *roster, const Concord__V1__BcfPlan *p, size_t y,
                        const pool_area_t *area, cc_err_t *err)
{
    char name[16];
    if (y < 1 || y > p->n_later_years) {
        err_set(err, CC_INVALID_ARGUMENT, "BCF plan %s has no year %zu", p->plan_id, y + 1);
        return -1;
    }
    const Concord__V1__BcfPlanYear *ly = p->later_years[y - 1];
    /* The first year's plan with this year's streams. */
    Concord__V1__BcfPlan q;
    pool_bcf_year_plan(p, ly, &q);
    if (ly->financial_year != p->financial_year + y) {
        err_set(err, CC_INVALID_ARGUMENT, "year %zu of BCF plan %s must be %s, the year after the last",
                y + 1, p->plan_id, money_year_name(p->financial_year + (uint32_t)y, name, sizeof name));
        return -1;
    }
    /* The same CCGs sign off every year. */
    for (size_t i = 0; i < q.n_ccg_minimum || i < p->n_ccg_minimum; i++) {
        if (q.n_ccg_minimum != p->n_ccg_minimum ||
            strcmp(q.ccg_minimum[i]->ccg, p->ccg_minimum[i]->ccg) != 0) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "BCF plan %s names other CCGs in %s than in its first year: the same CCGs"
                    " sign off the whole plan",
                    p->plan_id, money_year_name(q.financial_year, name, sizeof name));
            return -1;
        }
    }
    /* A district's joint agreement is signed once, for the whole plan. */
    for (size_t i = 0; i < q.n_dfg_allocations; i++) {
        const Concord__V1__DfgAllocation *d = q.dfg_allocations[i];
        int first = 0;
        for (size_t k = 0; k < p->n_dfg_allocations && d->county_keeps_pence > 0; k++) {
            first |= strcmp(p->dfg_allocations[k]->district, d->district) == 0 &&
                     p->dfg_allocations[k]->county_keeps_pence > 0;
        }
        if (d->county_keeps_pence > 0 && !first) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "BCF plan %s keeps part of district %s's DFG in %s but not in its first year:"
                    " a joint agreement covers the whole plan, from its first year",
                    p->plan_id, d->district, money_year_name(q.financial_year, name, sizeof name));
            return -1;
        }
    }
    if (pool_bcf_plan_check(roster, &q, area, err) < 0) {
        err_prefix(err, "%s: ", money_year_name(q.financial_year, name, sizeof name));
        return -1;
    }
    return 0;
}

/* ---- views ----
 * What the engine shows of pools and variations, and the year statement
 * every partner computes alike from the engine's state. */

size_t pool_count(const pool_engine_t *e)
{
    return e->n_funds;
}

static void s_pool_view(const pool_fund_t *f, uint64_t log_ms, pool_view_t *out)
{
    char lacking[sizeof out->missing];
    text_t t;
    text_init_fixed(&t, out->missing, sizeof out->missing);
    text_t m;
    text_init_fixed(&m, lacking, sizeof lacking);
    memset(out, 0, sizeof *out);
    lacking[0] = '\0';
    out->pool_id = f->id;
    out->agreement_id = f->ref;
    out->board_id = f->board_id;
    out->proposer = f->proposer;
    out->agreement = f->agreement;
    out->status = s_fund_status(f, log_ms);
    out->instrument = f->instrument;
    out->acts = (const Concord__V1__Execution *const *)f->acts;
    out->withdrawn = f->withdrawn;
    for (size_t p = 0; p < f->agreement->n_partners; p++) {
        out->parties += !f->withdrawn[p];
        out->executed += !f->withdrawn[p] && f->acts[p] && !f->acts[p]->declined;
    }
    for (size_t i = 0; i < f->n_years; i++) {
        out->years[out->n_years++] = f->years[i].year;
    }
    if (out->status == POOL_AWAITING_EXECUTION) {
        s_fund_unexecuted(f, &m);
        text_put(&t, "Not in force: awaiting execution by %s (%zu of %zu parties executed).",
                 lacking, out->executed, out->parties);
    } else if (out->status == POOL_EXECUTED) {
        text_put(&t, "Executed by every party; in force from %s, its start date.",
                 f->agreement->start_date);
    } else if (out->status == POOL_AWAITING_PLEDGES) {
        for (size_t i = 0; i < f->n_years; i++) {
            s_fund_missing(f, &f->years[i], &m);
        }
        text_put(&t, "Awaiting pledges: %s.", lacking);
    }
}

void pool_at(const pool_engine_t *e, size_t i, pool_view_t *out)
{
    assert(i < e->n_funds);
    s_pool_view(e->funds[i], e->log_ms, out);
}

int pool_get(const pool_engine_t *e, const char *pool_id, pool_view_t *out)
{
    const pool_fund_t *f = pool_id ? s_fund_find(e, pool_id) : NULL;
    if (!f) {
        return -1;
    }
    s_pool_view(f, e->log_ms, out);
    return 0;
}

/* A statement line's succession: the transfer scheme that split its
 * partner, each successor's share of the year's contribution and what it
 * pledged of it. */
static void s_statement_split(const pool_engine_t *e, const pool_fund_t *f, const pool_year_t *y,
                              size_t p, pool_line_t *l)
{
    roster_split_t sc;
    l->split_by = "";
    if (s_split_at(e, f->agreement->partners[p]->code, &sc) < 0) {
        return;
    }
    l->split_by = sc.decision;
    l->n_successors = sc.n;
    s_split_shares(&sc, y->amount[p], l->owed);
    for (size_t k = 0; k < sc.n; k++) {
        snprintf(l->successors[k], sizeof l->successors[k], "%s", sc.successors[k]);
        l->permille[k] = sc.permille[k];
        l->owed_pledged[k] = y->portion ? y->portion[p * ROSTER_SPLIT_MAX + k] : 0;
    }
    /* The line's part of the variance is apportioned the same way. */
    s_split_shares(&sc, l->part.share, l->owed_variance);
}

int pool_statement(const pool_engine_t *e, const char *pool_id, uint32_t year,
                   pool_statement_t *out, cc_err_t *err)
{
    const pool_fund_t *f = pool_id ? s_fund_find(e, pool_id) : NULL;
    const pool_year_t *y = NULL;
    char name[16];
    for (size_t i = 0; f && i < f->n_years && !y; i++) {
        y = f->years[i].year == year ? &f->years[i] : NULL;
    }
    if (!y) {
        err_set(err, CC_NOT_FOUND, "pool '%.40s' has no contributions in %s",
                pool_id ? pool_id : "", money_year_name(year, name, sizeof name));
        return -1;
    }
    const Concord__V1__PoolAgreement *a = f->agreement;
    memset(out, 0, sizeof *out);
    out->pool_id = f->id;
    out->name = a->name;
    out->kind = a->kind;
    out->accountable = s_accountable(a);
    out->year = year;
    out->n_lines = a->n_partners;
    out->complete = 1;
    out->agreement_id = f->ref;
    out->signed_id = y->statement;
    out->signed_index = y->statement_index;
    out->signed_person = y->statement_person;
    out->has_outturn = y->has_outturn;
    out->outturn = y->outturn;
    out->rule = a->risk_share;
    for (size_t p = 0; p < a->n_partners; p++) {
        pool_line_t *l = &out->lines[p];
        l->partner = a->partners[p]->code;
        l->contribution = y->amount[p];
        l->pledged = y->pledged[p];
        l->matches = l->pledged == l->contribution;
        l->part = y->parts[p];
        l->net = l->contribution + l->part.share;
        s_statement_split(e, f, y, (size_t)p, l); /* after the line's part */
        out->total += l->contribution;
        out->pledged_total += l->pledged;
        out->complete &= l->matches || !l->contribution;
    }
    out->variance = y->has_outturn ? y->outturn - out->total : 0;
    return 0;
}

size_t pool_variation_count(const pool_engine_t *e)
{
    return e->n_vars;
}

static void s_var_view(const pool_var_t *v, pool_variation_view_t *out)
{
    text_t t;
    text_init_fixed(&t, out->missing, sizeof out->missing);
    memset(out, 0, sizeof *out);
    out->id = v->ref;
    out->pool_id = v->fund->id;
    out->proposer = v->proposer;
    out->variation = v->variation;
    out->status = v->status;
    text_put(&t, "%s", v->why);
}

void pool_variation_at(const pool_engine_t *e, size_t i, pool_variation_view_t *out)
{
    assert(i < e->n_vars);
    s_var_view(e->vars[i], out);
}

int pool_variation_get(const pool_engine_t *e, const char *id, pool_variation_view_t *out)
{
    const pool_var_t *v = id ? s_var_find(e, id) : NULL;
    if (!v) {
        return -1;
    }
    s_var_view(v, out);
    return 0;
}

static void s_describe_agreement(const Concord__V1__PoolAgreement *a, text_t *t)
{
    char y[16];
    text_put(t, "Pool %s \"%s\"", a->pool_id, a->name);
    if (a->n_hosts) {
        text_put(t, ", hosted by %s", a->hosts[0]);
    }
    text_put(t, ".\n");
    for (size_t i = 0; i < a->n_partners; i++) {
        text_put(t, "  %-10s", a->partners[i]->code);
        for (size_t k = 0; k < a->partners[i]->n_contributions; k++) {
            const Concord__V1__Contribution *c = a->partners[i]->contributions[k];
            text_put(t, " %s %s", money_year_name(c->financial_year, y, sizeof y),
                     money_text(c->amount_pence).s);
        }
        text_put(t, "\n");
    }
    if (agreement_primary_medical(a)) {
        text_put(t, "  Includes primary medical services: every partner must vote FOR.\n");
    }
}

size_t pool_describe(const Concord__V1__Proposal *p, char *buf, size_t size)
{
    char y[16];
    text_t t;
    text_init_fixed(&t, buf, size);
    if (p->kind == CONCORD__V1__PROPOSAL_KIND__POOL_AGREEMENT && p->pool_agreement) {
        s_describe_agreement(p->pool_agreement, &t);
    } else if (p->kind == CONCORD__V1__PROPOSAL_KIND__POOL_VARIATION && p->pool_variation) {
        const Concord__V1__Variation *v = p->pool_variation;
        text_put(&t, "Variation of pool %s:\n", v->pool_id);
        for (size_t i = 0; i < v->n_changes; i++) {
            const Concord__V1__VariedContribution *c = v->changes[i];
            text_put(&t, "  %-10s %s becomes %s\n", c->partner,
                     money_year_name(c->financial_year, y, sizeof y),
                     money_text(c->amount_pence).s);
        }
    }
    return t.need;
}
