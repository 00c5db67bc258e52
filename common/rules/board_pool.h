/* SPDX-License-Identifier: Apache-2.0 */
/* board_pool: pooled-fund agreements and variations as board proposals:
 * what such a proposal must satisfy on its board, and whose FOR it needs
 * whatever the board's rule. Pure functions below the board engine. */
#ifndef CONCORD_BOARD_POOL_H
#define CONCORD_BOARD_POOL_H

#include "board.pb-c.h"
#include "board_tally.h"
#include "delegation.h"
#include "err.h"
#include "roster.h"

/* Whether a POOL_AGREEMENT or POOL_VARIATION proposal fits its board's
 * charter c: it carries its agreement (passing agreement_check,
 * with a board_id that is empty or c's) or its variation (a pool id, 1
 * to POOL_MAX_ITEMS changes of a positive amount for a year, each
 * partner and year named once, a reason of at most POOL_REASON_MAX), and
 * every partner it names is a member of the board (reg: the register of
 * NHS England delegations, for primary medical services; may be NULL). Returns 0, or -1 with
 * INVALID_ARGUMENT or PERMISSION_DENIED naming the partner. */
int board_pool_check(const roster_t *roster, const delegation_register_t *reg,
                     const Concord__V1__Charter *c, const Concord__V1__Proposal *p, cc_err_t *err);

/* Fills out with the members whose FOR proposal p needs whatever the
 * rule: every partner of an agreement that includes primary medical
 * services (SI 2015/1940: "agreement of all parties"), every partner a
 * variation names (whose contribution it changes); none otherwise. */
void board_pool_consents(const Concord__V1__Proposal *p, board_consents_t *out);

/* Whether an event of this pool method goes to every node rather than to
 * the pool's board (PROTOCOL.md 16.9): a party's execution or refusal of
 * an agreement is a public act, as the agreement and its variations are,
 * so that every node can judge whether a pool is in force (a Better Care
 * Fund plan names an executed s75 pool: NHS Act 2006 s223GA); pledges,
 * outturns and statements are the board's business. */
int board_pool_method_public(const char *method);

#endif
