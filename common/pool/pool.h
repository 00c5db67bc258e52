/* SPDX-License-Identifier: Apache-2.0 */
/* pool: the pooled-funds engine. Section 75 agreements (pooled funds and
 * the alternatives a partnership may record instead), the partners'
 * pledges, variations, year-end outturn and risk share, and Better Care
 * Fund plans with their sign-off chain.
 *
 * A pure, deterministic fold over pool events (proto/pool.proto) and the
 * pool decisions of the board engine, taken in broker log order: every
 * node runs it over the same events and reaches the same agreements,
 * pledges, statements and splits. Nothing here reads a clock or a file:
 * geography the rules need (the districts of a two-tier county, the CCGs
 * of an area) is supplied by the caller with pool_engine_add_area before
 * any BCF event is applied.
 *
 * Rules (docs/POOLS.md states them for users, with their sources):
 *  - An agreement is a POOL_AGREEMENT proposal of the partners' board,
 *    decided by the board's charter rule (board_pool.c adds: every
 *    partner a member; every partner's FOR when it includes primary
 *    medical services). When it passes, pool_follow creates the pool,
 *    which is only *recommended*: a failed one creates nothing.
 *  - Each partner enters it itself (Pool/Execute, signed by that partner):
 *    the body that decided, its decision reference and date, the
 *    signatory's role and the SHA-256 of the signed document; or it
 *    declines, with its reference and reason (it may execute later). The
 *    pool is in force (AWAITING_PLEDGES, then ACTIVE) only when every
 *    partner has executed it; until then it is AWAITING_EXECUTION and
 *    the view names who is missing and who declined. An executed partner
 *    is bound: it cannot decline after. No pledge is taken before.
 *  - A variation may leave out (withdrawn) partners that declined, but
 *    not the host, lead or payer nor a partner the risk share names; the
 *    rest then execute the agreement again, as varied (the variation's
 *    proposal id is the new instrument), and the ones left out
 *    contribute nothing to the years still open.
 *  - A contribution exists only as its partner's own pledge (Pool/Pledge
 *    signed by that partner: the event's verified sender). A year is
 *    complete when every contribution of that year has a pledge of exactly
 *    the agreed amount; the pool is ACTIVE when every year is complete.
 *    A pledge that matches the agreement is binding: changing it needs a
 *    variation.
 *  - A variation is a POOL_VARIATION proposal of the pool's board; it
 *    passes when the rule passes and every partner it names voted FOR,
 *    and then changes contributions (or lapses, if a year it changes has
 *    closed). A pledge matching the old amount then no longer matches and
 *    the partner pledges again.
 *  - The outturn of a year (Pool/Outturn, once per year) is recorded by
 *    the partner that keeps the accounts: the host of a pooled fund or the
 *    lead commissioner. The year must be complete. Variance = outturn -
 *    the year's contributions (positive: overspend; negative: underspend),
 *    split by the agreement's risk share (risk_share_split). Aligned budgets
 *    and transfers have no pooled balance and take no outturn. A year with
 *    an outturn is closed: no pledge or variation touches it again.
 *  - The statement of a closed year (Pool/Statement) is signed by that
 *    same partner; every node accepts it only if it equals, field by
 *    field and byte for byte, the statement it computes itself.
 *  - A BCF plan (Bcf/Plan) is submitted by its lead HWB council and must
 *    pass pool_bcf_plan_check against its area(s), confirm the national
 *    conditions of each of its years (pool_engine_add_condition) and name
 *    the executed s75 pool that holds it (NHS Act 2006 s223GA). Its chain
 *    (Bcf/Sign), in any order: each HWB's agreement (a passed decision of
 *    a board whose charter marks it as that HWB, naming the plan), each
 *    council's and every CCG's sign-off, and each district's agreement to
 *    the county keeping part of its DFG; then NHS England's outcome:
 *    approved, approved with conditions (each met later), or not approved
 *    with the escalation recorded. A successor (roster merger) carries and
 *    gives its predecessors' sign-offs. A revised plan (same plan id, not
 *    approved) starts the chain again; each act names the version signed. */
#ifndef CONCORD_POOL_H
#define CONCORD_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "agreement.h"
#include "board.h"
#include "err.h"
#include "fold.h"
#include "pool.pb-c.h"
#include "pool_methods.h"
#include "pool_statement.h"
#include "risk_share.h"
#include "roster.h"

#define POOL_REF_LEN 32           /* hex of a 16-byte call id */
#define POOL_AREA_MAX 64        /* districts or CCGs of one HWB area */

typedef struct pool_engine pool_engine_t;

/* One event as the broker logged it (fold.h): method is one of
 * POOL_METHOD_*, body the packed message it names. */
typedef fold_event_t pool_event_t;

/* What the rules need to know of one Better Care Fund area, from the ONS
 * lookups and the shipped BCF data (the engine reads no files). */
typedef struct {
    const char *hwb;              /* the upper-tier council */
    const char *const *districts; /* its lower-tier districts (two-tier), or none */
    size_t n_districts;
    const char *const *ccgs; /* the relevant CCGs, or none when not known */
    size_t n_ccgs;
    const char *const *councils; /* other upper-tier councils sharing this BCF area
                                    (the Isles of Scilly with Cornwall), which sign off */
    size_t n_councils;
} pool_area_t;

/* One national condition of a BCF policy year (data/bcf/conditions.csv). */
typedef struct {
    const char *policy;  /* "2017-19" */
    uint32_t first_year; /* financial years it applies to, e.g. 2017 and 2018 */
    uint32_t last_year;
    const char *key;     /* how a plan confirms it */
    const char *text;    /* the condition as the policy framework states it */
    const char *source;  /* the framework, e.g. "DoH & DCLG, 2017-19 ... Annex A" */
    int by_chain;        /* met by the sign-off chain itself (a jointly agreed plan) */
} pool_condition_t;

/* A new engine judging organisations against roster (borrowed; it must
 * outlive the engine). NULL when out of memory. */
pool_engine_t *pool_engine_new(const roster_t *roster);

/* Frees the engine and NULLs *e; safe on NULL. */
void pool_engine_destroy(pool_engine_t **e);

/* The engine has seen an event received at log_ms (the broker's time):
 * views judge an agreement's start date by the latest such time. */
void pool_engine_clock(pool_engine_t *e, uint64_t log_ms);

/* Tells the engine about an HWB area; the engine copies it. Every node
 * must add the same areas, from the same lookups, before applying any BCF
 * event (other events do not need them, so a node may add them late).
 * Returns 0, or -1 with INVALID_ARGUMENT (bad or repeated code, more than
 * POOL_AREA_MAX of either list), ALREADY_EXISTS (area added before),
 * FAILED_PRECONDITION (a BCF event already applied), RESOURCE_EXHAUSTED. */
int pool_engine_add_area(pool_engine_t *e, const pool_area_t *area, cc_err_t *err);

/* Tells the engine of one national condition; the engine copies it. Like
 * areas, every node adds the same conditions in the same order before any
 * BCF event. Returns 0, or -1 with INVALID_ARGUMENT (bad key, years or
 * texts; a key given twice for an overlapping year), FAILED_PRECONDITION
 * (a BCF event already applied), RESOURCE_EXHAUSTED. */
int pool_engine_add_condition(pool_engine_t *e, const pool_condition_t *c, cc_err_t *err);

/* Applies one event. Returns 0 if accepted; -1 if rejected, with err's
 * code and reason naming the rule: INVALID_ARGUMENT (malformed, fails a
 * validation rule, unknown method), NOT_FOUND (unknown pool, subject or
 * plan), PERMISSION_DENIED (not a partner; a pledge for another partner;
 * the wrong organisation for an act), ALREADY_EXISTS (id taken, second
 * consent, pledge or outturn), FAILED_PRECONDITION (not decided yet,
 * already decided, year closed, chain step missing, event out of log
 * order), RESOURCE_EXHAUSTED (out of memory: the engine is then behind
 * the others and the caller must rebuild it). A rejected event changes
 * nothing but the list of rejections. */
int pool_apply(pool_engine_t *e, const pool_event_t *ev, cc_err_t *err);

/* The recipient ev must be addressed to (PROTOCOL.md "Audiences") into
 * out: "board:ID" of the board that agreed its pool, or "*" for a BCF
 * event. Returns 0, or -1 with err when the engine would refuse ev
 * whatever its address. pool_apply and pool_precheck refuse an event
 * whose recipient (when set) is not its audience, with INVALID_ARGUMENT. */
int pool_audience(const pool_engine_t *e, const pool_event_t *ev,
                  char out[ENVELOPE_AUDIENCE_MAX + 1], cc_err_t *err);

/* Takes up, in the order they took effect, the passed pool decisions of
 * board engine b (board_pool_decision_at) with effect_index <= upto that
 * this engine has not taken up yet: an agreement creates its pool (unless
 * its id is taken, which is recorded as a refusal), a variation changes
 * contributions or lapses. Call it with each event's log index before
 * applying the event, after b has seen that event (board_apply, or
 * board_advance for other events); every node then takes each decision
 * up at the same point of the log. b must be the same engine every time.
 * Returns 0, or -1 with RESOURCE_EXHAUSTED (the engine is then behind). */
int pool_follow(pool_engine_t *e, const board_engine_t *b, uint64_t upto, cc_err_t *err);

/* Whether variation v would change its pool as the pool stands now (a
 * partner's positive amount for an open year, each named once, sums
 * within int64). Returns 0, or -1 with NOT_FOUND (no such pool),
 * INVALID_ARGUMENT or FAILED_PRECONDITION (a closed year). */
int pool_variation_check(const pool_engine_t *e, const Concord__V1__Variation *v, cc_err_t *err);

/* Whether ev would be accepted if applied now, changing nothing. Same
 * codes as pool_apply. */
int pool_precheck(const pool_engine_t *e, const pool_event_t *ev, cc_err_t *err);

/* Describes the agreement or variation a board proposal carries (kinds
 * POOL_AGREEMENT, POOL_VARIATION), in lines of text: partners,
 * contributions, host; "" for other kinds. Writes at most size bytes,
 * always NUL-terminated when size > 0; returns the length needed, like
 * snprintf. */
size_t pool_describe(const Concord__V1__Proposal *p, char *buf, size_t size);

/* Lower-case hex of a 16-byte call id into out (33 bytes). */
void pool_ref(const uint8_t call_id[16], char out[POOL_REF_LEN + 1]);

/* ---- validation on its own (agreements: agreement.h) ---- */

/* Whether a BCF plan is well formed for its area. area may be NULL when
 * nothing is known of it, which is refused for a shire county (E10),
 * whose districts must be known. Rules: a plan id; a year; hwb an
 * upper-tier council; 1..POOL_AREA_MAX CCGs of kind CCG named once, each
 * with a positive minimum contribution, and exactly the area's CCGs when
 * it lists them; a positive DFG; in a two-tier area the whole DFG passed
 * to the districts, every district receiving a positive part and nothing
 * left with the county, unless a district's allocation records what the
 * county keeps of its grant by joint agreement (county_keeps_pence); in a
 * single-tier area the DFG stays with the council; iBCF >= 0; additional
 * contributions from roster members, positive; streams summing without
 * overflow to exactly total_pence. The first year's streams only (later
 * years: pool_bcf_year_check); the national conditions, the pool and the
 * HWBs are the engine's to judge (pool_apply). Returns 0, or -1 with
 * INVALID_ARGUMENT naming the rule (FAILED_PRECONDITION for a county
 * without its districts). */
int pool_bcf_plan_check(const roster_t *roster, const Concord__V1__BcfPlan *p,
                        const pool_area_t *area, cc_err_t *err);

/* The same checks for a plan's later year y (BcfPlanYear, 1-based index
 * into later_years): its streams against the same area. */
/* Fills q with plan p as year ly of it states it: p's parties and terms,
 * ly's year, streams and total (borrowed from p and ly). */
void pool_bcf_year_plan(const Concord__V1__BcfPlan *p, const Concord__V1__BcfPlanYear *ly,
                        Concord__V1__BcfPlan *q);

int pool_bcf_year_check(const roster_t *roster, const Concord__V1__BcfPlan *p, size_t y,
                        const pool_area_t *area, cc_err_t *err);

/* ---- sums (risk shares: risk_share.h) ---- */

/* The streams of a BCF plan added up. */
typedef struct {
    int64_t ccg_minimum; /* all CCGs' minimum contributions */
    int64_t dfg;
    int64_t ibcf;
    int64_t additional;
    int64_t total;            /* the four above */
    int64_t dfg_to_districts; /* DFG allocations to others than the HWB council */
    int64_t dfg_county_keeps; /* DFG the county keeps by joint agreement with districts */
} pool_bcf_totals_t;

/* Adds up a plan's streams. Returns 0, or -1 with INVALID_ARGUMENT for a
 * negative amount or OUT_OF_RANGE when a sum overflows int64. */
int pool_bcf_totals(const Concord__V1__BcfPlan *p, pool_bcf_totals_t *out, cc_err_t *err);

/* ---- views ---- */

typedef enum {
    POOL_AWAITING_EXECUTION = 1, /* recommended; some party has not executed it (or declined) */
    POOL_EXECUTED = 2,           /* executed by every party; its start date is still to come */
    POOL_AWAITING_PLEDGES = 3, /* in force; some contribution not pledged as agreed */
    POOL_ACTIVE = 4            /* decided and every contribution pledged as agreed */
} pool_status_t;

typedef struct {
    const char *pool_id;
    const char *agreement_id; /* the board proposal that decided it */
    const char *board_id;     /* the partners' board */
    const char *proposer;
    const Concord__V1__PoolAgreement *agreement; /* as proposed (contributions before variations) */
    pool_status_t status;
    uint32_t years[POOL_MAX_YEARS]; /* ascending */
    size_t n_years;
    char missing[1024]; /* in sentences: who has yet to execute or pledge; "" if none */
    const char *instrument; /* what the parties execute: the agreement or the last
                               variation that left partners out (a proposal id) */
    const Concord__V1__Execution *const *acts; /* [partner]: its latest act, or NULL */
    const int *withdrawn;                      /* [partner]: left out by a variation */
    size_t parties;                            /* partners not left out */
    size_t executed;                           /* of them, those that executed */
} pool_view_t;

size_t pool_count(const pool_engine_t *e);
void pool_at(const pool_engine_t *e, size_t i, pool_view_t *out);

/* Returns 0 and fills out, or -1 if there is no such pool. */
int pool_get(const pool_engine_t *e, const char *pool_id, pool_view_t *out);

/* Fills out with pool_id's statement for year. Returns 0, or -1 with
 * NOT_FOUND (no pool, or no contribution in that year). */
int pool_statement(const pool_engine_t *e, const char *pool_id, uint32_t year,
                   pool_statement_t *out, cc_err_t *err);


typedef enum {
    POOL_VARIATION_PASSED = 2,
    POOL_VARIATION_LAPSED = 4 /* passed after a year it changes was closed, or on another board */
} pool_variation_status_t;

typedef struct {
    const char *id; /* the board proposal that passed it */
    const char *pool_id;
    const char *proposer;
    const Concord__V1__Variation *variation;
    pool_variation_status_t status;
    char missing[1024]; /* LAPSED: why; else "" */
} pool_variation_view_t;

size_t pool_variation_count(const pool_engine_t *e);
void pool_variation_at(const pool_engine_t *e, size_t i, pool_variation_view_t *out);

/* Returns 0 and fills out, or -1 if there is no such variation. */
int pool_variation_get(const pool_engine_t *e, const char *id, pool_variation_view_t *out);

/* The canonical content of a year's statement (what the host signs) as
 * this engine computes it. msg points into the struct and text. */
typedef struct {
    Concord__V1__PoolStatement msg;
    Concord__V1__StatementLine lines[POOL_MAX_PARTNERS];
    Concord__V1__StatementLine *ptrs[POOL_MAX_PARTNERS];
    char *text; /* malloc'd pool_statement_text */
} pool_canonical_t;

/* Fills out with pool_id's statement of year as the host signs it.
 * Returns 0 (release with pool_canonical_free), or -1 with NOT_FOUND (no
 * pool or year), FAILED_PRECONDITION (no outturn yet: a year is stated
 * once it is closed) or RESOURCE_EXHAUSTED. */
int pool_canonical(const pool_engine_t *e, const char *pool_id, uint32_t year,
                   pool_canonical_t *out, cc_err_t *err);
void pool_canonical_free(pool_canonical_t *c);

/* Compares a signed statement with the one computed here. Returns 1 when
 * equal; else 0 with the first difference in sentences in why. */
int pool_canonical_equal(const Concord__V1__PoolStatement *got,
                         const Concord__V1__PoolStatement *want, char *why, size_t size);

#define POOL_BCF_CONDITIONS_MAX 16 /* conditions NHS England attaches to one approval */

typedef enum {
    POOL_BCF_PENDING = 0,
    POOL_BCF_APPROVED = 4,
    POOL_BCF_APPROVED_WITH_CONDITIONS = 5,
    POOL_BCF_NOT_APPROVED = 6
} pool_bcf_outcome_t;

typedef struct {
    const char *plan_id;
    const char *version; /* hex id of the Plan event in force */
    const Concord__V1__BcfPlan *plan;
    pool_bcf_totals_t totals; /* of the first year */
    int hwb_agreed;     /* every HWB of the plan agreed */
    int council_signed; /* every council of the plan signed off */
    size_t n_ccgs;
    size_t n_ccgs_signed;
    int approvable; /* every sign-off is done, no outcome yet */
    int approved;   /* approved, with or without conditions */
    pool_bcf_outcome_t outcome;
    const Concord__V1__BcfSignoff *decision; /* NHS England's outcome act, or NULL */
    const uint8_t *condition_met;            /* [decision->n_conditions] */
    size_t n_conditions_met;
    /* [decision->n_conditions]: not met, and its deadline before the UTC
     * day of the latest receipt the engine folded (pool_engine_clock): the
     * engine reads no clock, so every node and a verifier agree */
    uint8_t condition_overdue[POOL_BCF_CONDITIONS_MAX];
    size_t n_conditions_overdue;
    char judged_on[11]; /* that day, YYYY-MM-DD; "" before any event */
    char missing[1024]; /* "HWB agreement; CCG sign-off by E38000216; ..." or "" */
    char signed_by[1024]; /* who signed what, a successor's carried sign-offs named */
} pool_bcf_view_t;

size_t pool_bcf_count(const pool_engine_t *e);
void pool_bcf_at(const pool_engine_t *e, size_t i, pool_bcf_view_t *out);

/* Returns 0 and fills out, or -1 if there is no such plan. */
int pool_bcf_get(const pool_engine_t *e, const char *plan_id, pool_bcf_view_t *out);

/* Every accepted event of a pool (or, with bcf = 1, of a BCF plan) with
 * log index <= upto, in log order: what a signed statement carries. fn
 * returns 0 to go on; its non-zero return stops the walk and is
 * returned. -1 if there is no such pool or plan. */
int pool_events(const pool_engine_t *e, const char *id, int bcf, uint64_t upto,
                int (*fn)(uint64_t log_index, const uint8_t hash[32], void *arg), void *arg);

/* Rejected events in log order, with their reasons. */
typedef struct {
    const char *sender;
    const char *method;
    const char *subject; /* pool or plan id, "" if none could be read */
    uint64_t log_index;
    cc_code_t code;
    const char *reason;
} pool_rejection_t;

size_t pool_rejection_count(const pool_engine_t *e);
void pool_rejection_at(const pool_engine_t *e, size_t i, pool_rejection_t *out);

#endif
