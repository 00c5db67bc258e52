/* SPDX-License-Identifier: Apache-2.0 */
/* agreement: the rules of a pooled-funds agreement on its own (NHS Act
 * 2006 s75, s76 and s256; docs/POOLS.md states them for users, with their
 * sources). Pure functions below the board and the pool engine: the board
 * judges a POOL_AGREEMENT proposal with them (board_pool.c), the pool
 * engine the agreements it takes up. */
#ifndef CONCORD_AGREEMENT_H
#define CONCORD_AGREEMENT_H

#include <stdint.h>

#include "delegation.h"
#include "err.h"
#include "pool.pb-c.h"
#include "pool_limits.h"
#include "roster.h"

/* Whether an agreement is well formed whatever the engine's state.
 * Returns 0, or -1 with INVALID_ARGUMENT naming the first rule broken:
 *  - ids, names and texts within their limits; a kind;
 *  - its term, when stated: start, end and review dates real YYYY-MM-DD
 *    dates, start before end, review within the term (an end or review
 *    date needs a start date); notice at most 120 months;
 *  - 2..POOL_MAX_PARTNERS partners, each an organisation in roster, named
 *    once, each contribution in a year POOL_YEAR_MIN..MAX, once per year,
 *    a positive whole number of pence, all of them summing without
 *    overflow, in at most POOL_MAX_YEARS years;
 *  - s75 arrangements (pooled fund, lead commissioning): partners are NHS
 *    bodies (CCG, ICB, NHS England, NHS trust or foundation trust) or
 *    local authorities (upper-tier or district councils, combined
 *    authorities since the 2016 Act), at least one of each; no NHS function excluded
 *    from pooling (agreement_excluded_function) among the NHS functions or
 *    those delegated; primary medical services only with NHS England a
 *    partner, or where reg (may be NULL: empty) shows them delegated to
 *    every commissioner partner on the start date (and, as for every
 *    agreement, every partner agreeing);
 *  - pooled fund: exactly one host, a partner; aims, NHS and council
 *    functions, management and monitoring, governance, client groups and
 *    a contribution from every partner; a valid risk share;
 *  - aligned budgets: at least one NHS body and one local authority, no
 *    host, no risk share (no pooled balance);
 *  - lead commissioning: a lead partner, each other partner's delegation
 *    named once with its functions, no host;
 *  - s76 transfer: a council pays an NHS body; s256: an NHS body pays a
 *    council; exactly those two partners, a named service, contributions
 *    from the payer only, no host, no delegation, no risk share. */
int agreement_check(const roster_t *roster, const delegation_register_t *reg,
                    const Concord__V1__PoolAgreement *a, cc_err_t *err);

/* 1 if s is a real calendar date written YYYY-MM-DD, else 0. */
int agreement_date_ok(const char *s);

/* Whether a risk share rule fits the agreement's partners
 * (risk_share_check over their codes). Returns 0, or -1 with
 * INVALID_ARGUMENT. */
int agreement_risk_share_check(const Concord__V1__PoolAgreement *a, const Concord__V1__RiskShare *r,
                               cc_err_t *err);

/* The NHS function excluded from s75 arrangements that a description of a
 * function names, as a static phrase ("surgery", "radiotherapy",
 * "termination of pregnancy", "endoscopy", "class 4 laser treatment",
 * "other invasive treatment", "emergency ambulance services"), or NULL.
 * Words are matched whole, case-insensitively: "General surgery" and
 * "surgical" match, "non-surgical emergency admissions" does not;
 * "ambulance" matches unless the description says "non-emergency" or
 * "patient transport". A description longer than POOL_NAME_MAX is not
 * judged and gives a phrase saying so. */
const char *agreement_excluded_function(const char *description);

/* 1 if a description names primary medical services ("primary medical",
 * "primary care", "general practice", "general medical services", "GP"),
 * else 0. */
int agreement_names_primary_medical(const char *description);

/* 1 if an agreement includes primary medical services among its NHS
 * functions or the functions delegated under it
 * (agreement_names_primary_medical), else 0: such an agreement needs
 * every partner's FOR. */
int agreement_primary_medical(const Concord__V1__PoolAgreement *a);

/* 1 if code is an organisation in roster (the broker is not), filling
 * *out when out is not NULL; else 0. */
int agreement_org(const roster_t *roster, const char *code, roster_org_t *out);

/* 1 for an id of [A-Za-z0-9-], 2..POOL_ID_MAX (pools, plans, boards). */
int agreement_id_ok(const char *id);

/* 1 for a year POOL_YEAR_MIN..POOL_YEAR_MAX. */
int agreement_year_ok(uint32_t year);

#endif
