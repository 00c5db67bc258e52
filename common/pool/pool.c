/* pool: the pooled-funds engine's core. Checks log order, takes up the
 * boards' pool decisions (pool_follow), dispatches each event to
 * pool_fund.c (pledges, outturns; pool_signed.c for signed statements) or
 * pool_bcf.c (Better Care Fund plans and their sign-off chain), and keeps
 * the record of refusals. agreement.c (common/rules) holds the rules an agreement meets
 * on its own, pool_share.c the arithmetic, pool_view.c the views and
 * statements. */
#include "pool.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "grow.h"
#include "pool_priv.h"

/* An event decoded and judged acceptable, with what accepting it needs. */
typedef struct {
    int bcf;
    pool_fund_checked_t fund;
    pool_bcf_checked_t plan;
    char subject[POOL_ID_MAX + 1];
} s_checked_t;

/* ---- helpers shared through pool_priv.h ---- */

int pool_evlist_reserve(pool_evlist_t *l)
{
    void *grown = grow_reserve(l->at, &l->cap, l->n, sizeof *l->at);
    l->at = grown ? grown : l->at;
    return grown ? 0 : -1;
}

void pool_evlist_add(pool_evlist_t *l, const pool_event_t *ev)
{
    assert(l->n < l->cap);
    l->at[l->n].log_index = ev->log_index;
    memcpy(l->at[l->n].hash, ev->hash, 32);
    l->n++;
}

int pool_evlist_walk(const pool_evlist_t *l, uint64_t upto,
                     int (*fn)(uint64_t log_index, const uint8_t hash[32], void *arg), void *arg)
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
    if (chk->bcf) {
        rc = pool_bcf_check(e, ev, &chk->plan, err);
        memcpy(chk->subject, chk->plan.subject, sizeof chk->subject);
    } else {
        rc = pool_fund_check(e, ev, &chk->fund, err);
        memcpy(chk->subject, chk->fund.subject, sizeof chk->subject);
    }
    return rc;
}

static void s_checked_free(s_checked_t *chk)
{
    pool_fund_checked_free(&chk->fund);
    pool_bcf_checked_free(&chk->plan);
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

void pool_engine_destroy(pool_engine_t **ep)
{
    if (!ep || !*ep) {
        return;
    }
    pool_engine_t *e = *ep;
    for (size_t i = 0; i < e->n_funds; i++) {
        pool_fund_free(e->funds[i]);
    }
    for (size_t i = 0; i < e->n_vars; i++) {
        pool_var_free(e->vars[i]);
    }
    pool_bcf_free_all(e);
    free(e->funds);
    free(e->vars);
    free(e->rejections);
    free(e);
    *ep = NULL;
}

void pool_reject_note(pool_engine_t *e, const char *sender, const char *method,
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
    pool_reject_note(e, ev->sender, ev->method, chk->subject, ev->log_index, why->code, "%s",
                     why->msg);
}

int pool_follow(pool_engine_t *e, const board_engine_t *b, uint64_t upto, cc_err_t *err)
{
    size_t n = board_pool_decision_count(b);
    while (e->n_followed < n) {
        board_pool_decision_t d;
        board_pool_decision_at(b, e->n_followed, &d);
        if (d.effect_index > upto) {
            break;
        }
        if (pool_fund_take(e, &d, err) < 0) {
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
    e->bcf_started |= s_is_bcf(ev->method ? ev->method : "");
    if (s_check(e, ev, &chk, &why) < 0) {
        s_reject(e, ev, &chk, &why);
        if (err) {
            *err = why;
        }
        goto out;
    }
    rc = chk.bcf ? pool_bcf_accept(e, ev, &chk.plan, err) : pool_fund_accept(e, ev, &chk.fund, err);
out:
    s_checked_free(&chk);
    return rc;
}

int pool_variation_check(const pool_engine_t *e, const Concord__V1__Variation *v, cc_err_t *err)
{
    const pool_fund_t *f = pool_fund_find(e, v->pool_id);
    if (!f) {
        err_set(err, CC_NOT_FOUND, "no pool '%.40s'", v->pool_id);
        return -1;
    }
    return pool_fund_changes_fit(f, v, err);
}

/* ---- events and refusals ---- */

int pool_events(const pool_engine_t *e, const char *id, int bcf, uint64_t upto,
                int (*fn)(uint64_t log_index, const uint8_t hash[32], void *arg), void *arg)
{
    const pool_fund_t *f = bcf ? NULL : pool_fund_find(e, id);
    const pool_evlist_t *l = bcf ? pool_bcf_events(e, id) : f ? &f->events : NULL;
    return l ? pool_evlist_walk(l, upto, fn, arg) : -1;
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
