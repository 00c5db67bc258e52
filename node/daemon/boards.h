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
#include "control.pb-c.h"
#include "board.h"
#include "envelope.h"
#include "ledger.h"
#include "roster.h"
#include "rpc.h"

typedef struct boards boards_t;

/* Creates the engine, replaying: the caller folds every event already in
 * the ledger through boards_on_event, in the same pass as the other
 * engines' (ledger_fold_replay), then calls boards_start. One pass, because the
 * engine changes roster as key rotations and mergers pass (calling
 * on_roster, may be NULL, after each), and every engine must judge each
 * event by the roster as it stood at that event, as it did live. Returns
 * NULL with err set. */
boards_t *boards_new(const config_node_t *cfg, roster_t *roster, ledger_t *ledger,
                     rpc_peer_t *peer, board_roster_fn on_roster, void *arg, cc_err_t *err);

/* Ends the replay once the node's identity is settled: casts the
 * automatic votes that proposals still open may need (a crash may have
 * come between a proposal and the vote). */
void boards_start(boards_t *b);

/* The rpc_event_fn to register with the peer (arg: the boards_t). */
void boards_on_event(const envelope_t *env, uint64_t log_index, uint64_t time_ms, void *arg);

/* Handles a board command from the CLI ("board-list", "board-show",
 * "propose", "vote", "proposal-list", "proposal-show", "decision-export").
 * Returns 0 if it was one (answered now or once the event is folded), -1
 * if the command is not a board command. */
int boards_control(boards_t *b, control_ctx_t *c, const uint8_t *id, size_t id_len,
                   const Concord__V1__ControlRequest *req);

/* Prechecks and publishes proposal p (borrowed) as this node, and
 * answers request id with the proposal as folded, or with the refusal:
 * for other modules that turn their commands into board proposals. */
void boards_propose(boards_t *b, control_ctx_t *c, const uint8_t *id, size_t id_len,
                    const Concord__V1__Proposal *p);

/* The board engine, for engines that follow its decisions (pool_follow).
 * Borrowed; lives as long as b. */
const board_engine_t *boards_engine(const boards_t *b);

/* Answers CLI requests whose events have not come back in time. */
void boards_tick(boards_t *b);

void boards_destroy(boards_t **b);

#endif
