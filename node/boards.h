/* boards: the node's side of joint commissioning boards. Folds every
 * board event the node receives, in broker log order, into its board
 * engine (rebuilt from the ledger at start), answers the CLI's board
 * commands, publishes proposals and ballots, votes automatically when the
 * node is configured to, and exports decision certificates. */
#ifndef CONCORD_BOARDS_H
#define CONCORD_BOARDS_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "control.h"
#include "control.pb-c.h"
#include "board.h"
#include "envelope.h"
#include "ledger.h"
#include "roster.h"
#include "rpc.h"

typedef struct boards boards_t;

/* Creates the engine and folds every event already in the ledger. Returns
 * NULL with err set. */
boards_t *boards_new(const config_node_t *cfg, const roster_t *roster, ledger_t *ledger,
                     rpc_peer_t *peer, cc_err_t *err);

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

/* Reads the roster file the node runs under (what certificates embed)
 * into *buf (malloc'd). Returns 0, or -1 when it cannot be read. */
int boards_roster_file(const boards_t *b, uint8_t **buf, size_t *len);

/* Answers CLI requests whose events have not come back in time. */
void boards_tick(boards_t *b);

void boards_destroy(boards_t **b);

#endif
