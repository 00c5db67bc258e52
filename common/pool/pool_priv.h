/* pool_priv: the pool engine's internals, shared by pool.c (the engine,
 * s75 agreements, pledges, variations, outturns), pool_bcf.c (Better Care
 * Fund plans and their sign-off chain), agreement.c (validation, common/rules) and
 * pool_share.c (arithmetic and text). Not an API: nothing outside those
 * files includes it. */
#ifndef CONCORD_POOL_PRIV_H
#define CONCORD_POOL_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "keys.h"
#include "fold.h"
#include "pool.h"
#include "text.h"

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

typedef struct pool_fund pool_fund_t;         /* pool.c */
typedef struct pool_var pool_var_t;           /* pool.c */
typedef struct pool_plan pool_plan_t;         /* pool_bcf.c */
typedef struct pool_area_rec pool_area_rec_t; /* pool_bcf.c */

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
    pool_rej_t *rejections;
    size_t n_rej, cap_rej;
    size_t n_followed; /* board pool decisions taken up (pool_follow) */
    int bcf_started;   /* a BCF event was applied: no more areas */
    fold_order_t order;
};

/* Records a refusal (of an event, or of a board decision the engine
 * could not take up) with its reason. */
void pool_reject_note(pool_engine_t *e, const char *sender, const char *method,
                      const char *subject, uint64_t log_index, cc_code_t code, const char *fmt,
                      ...) __attribute__((format(printf, 7, 8)));

/* Room for one more event (0), or -1 when out of memory. */
int pool_evlist_reserve(pool_evlist_t *l);

/* Records ev; room was reserved beforehand. */
void pool_evlist_add(pool_evlist_t *l, const pool_event_t *ev);

/* See pool_events. */
int pool_evlist_walk(const pool_evlist_t *l, uint64_t upto,
                     int (*fn)(uint64_t log_index, const uint8_t hash[32], void *arg), void *arg);

/* ---- pools (pool.c), seen by the views (pool_view.c) ---- */

typedef struct {
    uint32_t year;
    int64_t *amount;    /* [n_partners]: contribution as agreed and varied; 0 = none */
    int64_t *pledged;   /* [n_partners]: 0 = no pledge */
    risk_share_part_t *parts; /* [n_partners]: the split, once the outturn is in */
    int has_outturn;
    int64_t outturn;
    char statement[POOL_REF_LEN + 1]; /* the host's accepted Statement event, "" if none */
    uint64_t statement_index;
} pool_year_t;

struct pool_fund {
    char id[POOL_ID_MAX + 1];
    char ref[POOL_REF_LEN + 1]; /* the Propose event in force */
    char proposer[KEYS_CODE_MAX + 1];
    char board_id[BOARD_ID_MAX + 1];   /* the partners' board that decided it */
    Concord__V1__PoolAgreement *agreement;
    pool_year_t years[POOL_MAX_YEARS]; /* ascending */
    size_t n_years;
    pool_evlist_t events;
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
pool_fund_t *pool_fund_find(const pool_engine_t *e, const char *id);
pool_var_t *pool_var_find(const pool_engine_t *e, const char *ref);

/* POOL_AWAITING_PLEDGES or POOL_ACTIVE. */
pool_status_t pool_fund_status(const pool_fund_t *f);

/* Who keeps the accounts: the host, the lead commissioner, or the payer
 * of a transfer; "" for aligned budgets. */
const char *pool_accountable(const Concord__V1__PoolAgreement *a);

/* Appends, as "CODE for 2017/18: agreed £x, pledged £y" separated by
 * "; ", every contribution of year y not pledged as agreed. */
void pool_say_missing(const pool_fund_t *f, const pool_year_t *y, text_t *t);

/* A Pool/ event decoded and judged acceptable (pool_fund.c). */
typedef struct {
    ProtobufCMessage *msg;      /* the decoded body */
    int method;                 /* its row in pool_fund.c's method table */
    pool_fund_t *fund;          /* the pool concerned */
    long partner;               /* the sender's (a pledge's partner's) place */
    pool_year_t *year;          /* of a pledge, outturn or statement */
    char ref[POOL_REF_LEN + 1]; /* hex call id of the event */
    char subject[POOL_ID_MAX + 1];
} pool_fund_checked_t;

/* Decodes and judges a Pool/ event, changing nothing; INVALID_ARGUMENT
 * for a method that is not one. The caller frees chk with
 * pool_fund_checked_free whatever the result. */
int pool_fund_check(const pool_engine_t *e, const pool_event_t *ev, pool_fund_checked_t *chk,
                    cc_err_t *err);

/* Applies a checked event; takes what it keeps from chk. */
int pool_fund_accept(pool_engine_t *e, const pool_event_t *ev, pool_fund_checked_t *chk,
                     cc_err_t *err);

void pool_fund_checked_free(pool_fund_checked_t *chk);

/* Takes up one passed board decision: an agreement creates its pool, a
 * variation changes contributions or lapses. A decision that cannot be
 * taken up is recorded as a refusal. Returns 0, or -1 with
 * RESOURCE_EXHAUSTED. */
int pool_fund_take(pool_engine_t *e, const board_pool_decision_t *d, cc_err_t *err);

/* Whether a variation's changes fit f as it stands (partners, years
 * open, sums): 0, or -1 with err. */
int pool_fund_changes_fit(const pool_fund_t *f, const Concord__V1__Variation *v, cc_err_t *err);

/* Pool/Statement (pool_signed.c): judges a host's signed statement
 * against this engine's own computation; applies an accepted one. */
int pool_signed_check(const pool_engine_t *e, const pool_event_t *ev, pool_fund_checked_t *chk,
                      cc_err_t *err);
int pool_signed_accept(const pool_event_t *ev, pool_fund_checked_t *chk, cc_err_t *err);
void pool_fund_free(pool_fund_t *f);
void pool_var_free(pool_var_t *v);

/* The events of a BCF plan (pool_bcf.c), or NULL. */
const pool_evlist_t *pool_bcf_events(const pool_engine_t *e, const char *plan_id);

/* ---- Better Care Fund, pool_bcf.c ---- */

/* A BCF event decoded and judged acceptable. */
typedef struct {
    Concord__V1__BcfPlan *plan;
    Concord__V1__BcfSignoff *sign;
    pool_plan_t *target; /* the plan revised or signed; NULL for a new plan */
    char subject[POOL_ID_MAX + 1];
} pool_bcf_checked_t;

/* Decodes and judges a Bcf/Plan or Bcf/Sign event, changing nothing. The
 * caller frees chk with pool_bcf_checked_free whatever the result. */
int pool_bcf_check(const pool_engine_t *e, const pool_event_t *ev, pool_bcf_checked_t *chk,
                   cc_err_t *err);

/* Applies a checked event; takes what it keeps from chk. */
int pool_bcf_accept(pool_engine_t *e, const pool_event_t *ev, pool_bcf_checked_t *chk,
                    cc_err_t *err);

void pool_bcf_checked_free(pool_bcf_checked_t *chk);

/* Frees every plan and area. */
void pool_bcf_free_all(pool_engine_t *e);

/* The area added for hwb, or NULL; out is filled to point into it. */
const pool_area_t *pool_area_find(const pool_engine_t *e, const char *hwb, pool_area_t *out);

#endif
