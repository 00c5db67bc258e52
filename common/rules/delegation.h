/* SPDX-License-Identifier: Apache-2.0 */
/* delegation: the register of NHS England delegations. For each
 * commissioner (a CCG, or an ICB from 1 July 2022) and each service line
 * (primary medical, dental, pharmacy, optometry, specialised acute,
 * specialised mental health), from a date, the level at which the line is
 * commissioned: by NHS England directly, jointly with the organisation, or
 * delegated to it, with the delegation agreement's reference. NHS England
 * makes such arrangements under the NHS Act 2006 s13Z (to 30 June 2022)
 * and s65Z5 (from 1 July 2022, inserted by the Health and Care Act 2022);
 * for CCGs, NHS England's "Next steps towards primary care
 * co-commissioning" (November 2014) delegated primary medical services
 * only. Records are signed events of an NHS England organisation
 * (Board/Delegation), folded in log order by the board engine.
 *
 * What follows from the register (docs/BOARDS.md, docs/POOLS.md):
 *  - Reserved matters: a proposal concerning a service line needs the FOR
 *    of every NHS England member of its board unless, on the proposal's
 *    date, the line is delegated to every commissioner on the board.
 *  - Pools: primary medical services may be pooled only with NHS England
 *    a party, unless they are delegated to every commissioner partner on
 *    the agreement's start date; and always with every party agreeing. */
#ifndef CONCORD_DELEGATION_H
#define CONCORD_DELEGATION_H

#include <stddef.h>
#include <stdint.h>

#include "board.pb-c.h"
#include "board_tally.h"
#include "err.h"
#include "keys.h"
#include "roster.h"

#define DELEGATION_REF_MAX 80    /* bytes of an agreement reference */
#define DELEGATION_MAX 4096      /* records in a register */
#define DELEGATION_LINES_MAX 6   /* service lines one proposal may concern */
#define DELEGATION_ICB_FROM "2022-07-01" /* Health and Care Act 2022: ICBs replace CCGs */

typedef struct delegation_register delegation_register_t;

typedef struct {
    const Concord__V1__DelegationRecord *record;
    const char *signer;
    uint64_t log_index;
    uint64_t time_ms;
    const uint8_t *hash;
} delegation_entry_t;

/* A new empty register; NULL when out of memory. */
delegation_register_t *delegation_register_new(void);
void delegation_register_destroy(delegation_register_t **r);

/* Whether sender may record d against roster: sender is an NHS England
 * organisation (PERMISSION_DENIED); the organisation is a CCG (from dates
 * before 1 July 2022) or an ICB (from then) in the roster (NOT_FOUND,
 * INVALID_ARGUMENT); a known line and level, a real date; JOINT and
 * DELEGATED name their agreement (1..DELEGATION_REF_MAX printable
 * bytes); a CCG held only primary medical services by delegation (the
 * 2014 co-commissioning guidance). Returns 0 or -1 with err naming the
 * provision. */
int delegation_check(const roster_t *roster, const char *sender,
                     const Concord__V1__DelegationRecord *d, cc_err_t *err);

/* Adds a checked record, signed by signer at log_index / time_ms (hash:
 * its envelope's). Returns 0, or -1 with FAILED_PRECONDITION (register
 * full) or RESOURCE_EXHAUSTED. */
int delegation_add(delegation_register_t *r, const Concord__V1__DelegationRecord *d,
                   const char *signer, uint64_t log_index, uint64_t time_ms,
                   const uint8_t hash[32], cc_err_t *err);

size_t delegation_count(const delegation_register_t *r);
void delegation_at(const delegation_register_t *r, size_t i, delegation_entry_t *out);

#define DELEGATION_HOLDERS_MAX 64 /* org and the predecessors whose records it holds */

/* The organisations whose records count for org at log index before:
 * org first, then every organisation that passed to it by a roster merger
 * or split decided before that index, through any chain (a delegation to
 * a CCG passes to its successor from the succession: Health and Care Act
 * 2022 Sch 4 transfer schemes; a split copies it to every successor,
 * each exercising the function for its part). roster NULL: org alone.
 * Returns how many (at most DELEGATION_HOLDERS_MAX) into codes. */
size_t delegation_holders(const roster_t *roster, const char *org, uint64_t before,
                          char codes[][KEYS_CODE_MAX + 1], size_t max);

/* The level of line for org on date (YYYY-MM-DD), by the records logged
 * before log index before, of org and of the predecessors it holds
 * records of (delegation_holders; roster NULL: org's own only): the
 * latest record from a date on or before it (of two from the same date,
 * org's own before a predecessor's, then the later in the log);
 * NHS_ENGLAND_DIRECT when none. *which (may be NULL) is set to that
 * record's entry index, or -1. */
int delegation_level(const delegation_register_t *r, const roster_t *roster, const char *org,
                     int line, const char *date, uint64_t before, long *which);

/* "NHS Act 2006 s13Z" for dates before 1 July 2022, else "NHS Act 2006
 * s65Z5". */
const char *delegation_provision(const char *date);

/* The service lines proposal p concerns: its service_lines, or from its
 * area (primary-care: primary medical; specialised: specialised acute).
 * Returns how many (at most DELEGATION_LINES_MAX) into lines. */
size_t delegation_lines(const Concord__V1__Proposal *p, int lines[DELEGATION_LINES_MAX]);

/* Reserved matters from the register as it stood when p was submitted
 * (records logged before log index at; so a decision never changes with
 * a later record): appends to out (after what it holds) every NHS England
 * member of charter ch whose FOR p needs, on the proposal's date (its
 * effective date, else the date of time_ms), with the sentence why in
 * why[k] (one per line) set in out->each. r may be NULL (an empty
 * register). */
void delegation_reserved(const delegation_register_t *r, const roster_t *roster,
                         const Concord__V1__Charter *ch, const Concord__V1__Proposal *p,
                         uint64_t time_ms, uint64_t at, board_consents_t *out,
                         char why[DELEGATION_LINES_MAX][256]);

/* 1 if primary medical services are delegated, on date, to every
 * commissioner (CCG or ICB) among codes (and there is at least one). */
int delegation_primary_delegated(const delegation_register_t *r, const roster_t *roster,
                                 char *const *codes, size_t n, const char *date);

#endif
