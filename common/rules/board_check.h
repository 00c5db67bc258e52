/* SPDX-License-Identifier: Apache-2.0 */
/* board_check: whether a charter, a change to one or a proposal is well
 * formed on its own, whatever any board's state. Pure functions below the
 * board engine, so every node (and `concord verify`) reaches the same
 * verdicts. */
#ifndef CONCORD_BOARD_CHECK_H
#define CONCORD_BOARD_CHECK_H

#include <stdint.h>

#include "board.pb-c.h"
#include "board_limits.h"
#include "err.h"
#include "roster.h"

/* Whether a charter is well formed on its own: board id [A-Za-z0-9-]
 * of 2..BOARD_ID_MAX, a name of 1..200 characters, 2..BOARD_MAX_MEMBERS
 * members, each an organisation in roster, named once, with a
 * constituency, weights that add up without overflow (and to more than
 * 0 for WEIGHTED), a voting rule, fractions 0 < num <= den <= 1000 for
 * QUALIFIED_MAJORITY and 0 <= num <= den, 0 < den <= 1000 for the
 * quorum, and reserved matters with an area held by a member. Returns 0,
 * or -1 with CC_INVALID_ARGUMENT naming the first problem. */
int board_check_charter(const roster_t *roster, const Concord__V1__Charter *c, cc_err_t *err);

/* Whether a proposal is well formed whatever the state of its board: a
 * kind, no delegated statutory duty, a title of 1..BOARD_TITLE_MAX, text
 * of at most BOARD_TEXT_MAX, an area if it is a commissioning decision,
 * an amount >= 0, an empty or valid YYYY-MM-DD effective date, and a
 * deadline after time_ms but at most BOARD_MAX_DEADLINE_MS after it.
 * Returns 0, or -1 with CC_INVALID_ARGUMENT. */
int board_check_proposal(const Concord__V1__Proposal *p, uint64_t time_ms, cc_err_t *err);

/* The charter of a board after a membership change: mc->member joins
 * (ADMIT) or leaves (REMOVE). Returns a new charter the caller frees
 * with wire_free, or NULL with err: INVALID_ARGUMENT for ROTATE_KEY and
 * MERGE (they change the roster: board_roster_*), PERMISSION_DENIED for
 * admitting an organisation outside roster, ALREADY_EXISTS for admitting a member, NOT_FOUND for
 * removing a non-member, INVALID_ARGUMENT when the board would be left with fewer than 2 members or
 * would fail board_check_charter (a reserved matter held by the member removed, for one),
 * RESOURCE_EXHAUSTED. */
Concord__V1__Charter *board_check_charter_change(const roster_t *roster,
                                                 const Concord__V1__Charter *cur,
                                                 const Concord__V1__MembershipChange *mc,
                                                 cc_err_t *err);

#endif
