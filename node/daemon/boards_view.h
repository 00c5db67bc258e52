/* SPDX-License-Identifier: Apache-2.0 */
/* boards_view: a board proposal as the node reports it over the control
 * socket (a ProposalView): its terms, tally, and, in full, its ballots
 * and the ballots refused on it. */
#ifndef CONCORD_BOARDS_VIEW_H
#define CONCORD_BOARDS_VIEW_H

#include "board.h"
#include "control.h"
#include "keys.h"

/* Fills out (initialised by the caller) with proposal pv of engine e,
 * with its ballots and refusals if full; an exempt item's content when
 * it was released or its key is sealed to me (this node's keys; may be
 * NULL). Strings and messages are borrowed from the engine or allocated
 * in a (see a->failed). */
void boards_view_proposal(const board_engine_t *e, const board_proposal_view_t *pv,
                          const keys_t *me, int full, Concord__V1__ProposalView *out,
                          control_arena_t *a);

#endif
