/* SPDX-License-Identifier: Apache-2.0 */
/* boards: the node's side of joint commissioning boards. Folds every
 * board event the node receives, in broker log order, into its board
 * engine (rebuilt from the ledger at start), answers the CLI's board
 * commands, publishes proposals and ballots, votes automatically when the
 * node is configured to, and exports decision certificates. */
#ifndef CONCORD_BOARDS_H
#define CONCORD_BOARDS_H

#include <stddef.h>
#include <stdint.h>

#include "board.h"
#include "config.h"
#include "control.h"
#include "engine.h"
#include "envelope.h"
#include "ledger.h"
#include "roster.h"
#include "rpc.h"

typedef struct boards boards_t;

/* The boards' row in the node's engine table (engine.h): made first,
 * replaying the ledger with the other engines in one pass, because the
 * engine changes the roster as key rotations and mergers pass (calling
 * the node's on_roster after each), and every engine must judge each
 * event by the roster as it stood at that event, as it did live. Once
 * started it casts the automatic votes that proposals still open may
 * need (a crash may have come between a proposal and the vote). Its
 * Control methods: Propose, Vote (answered once the event is folded),
 * BoardList, BoardShow, ProposalList, ProposalShow, DecisionExport,
 * RosterExport, Realignments, AutoVote. Its timers: the waits of those
 * requests, and an automatic vote to try again. */
extern const engine_t boards_as_engine;

/* Prechecks and publishes proposal p (borrowed) as this node, and
 * answers control call `call` with the proposal as folded, or with the
 * refusal: for other engines that turn their requests into board
 * proposals. */
void boards_propose(boards_t *b, void *call, const Concord__V1__Proposal *p);

/* The board engine, for engines that follow its decisions (pool_follow).
 * Borrowed; lives as long as b. */
const board_engine_t *boards_engine(const boards_t *b);

#endif
