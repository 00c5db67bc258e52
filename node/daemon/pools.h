/* pools: the node's side of pooled funds (common/pool.h). Folds every pool
 * and BCF event the node receives, in broker log order, into its pool
 * engine (rebuilt from the ledger at start), and answers the CLI's pool
 * commands: publishing an event once the engine's precheck accepts it and
 * answering when the event comes back folded, like boards. */
#ifndef CONCORD_POOLS_H
#define CONCORD_POOLS_H

#include <stddef.h>
#include <stdint.h>

#include "boards.h"
#include "config.h"
#include "control.h"
#include "control.pb-c.h"
#include "envelope.h"
#include "ledger.h"
#include "roster.h"
#include "rpc.h"

typedef struct pools pools_t;

/* Creates the engine, following the pool decisions of boards (borrowed;
 * it must outlive the pools). Replaying: the caller folds every event
 * already in the ledger through pools_on_event, in the same pass as the
 * boards' (boards_new says why), then calls pools_start. The HWB areas are
 * read from the ONS lookups when the first BCF event needs them. Returns
 * NULL with err set. */
pools_t *pools_new(const config_node_t *cfg, const roster_t *roster, ledger_t *ledger,
                   rpc_peer_t *peer, boards_t *boards, cc_err_t *err);

/* Ends the replay: verdicts are logged from now on. */
void pools_start(pools_t *p);

/* An rpc_event_fn (arg: the pools_t), called after boards_on_event for
 * the same event: takes up the board decisions that took effect up to
 * the event, then folds it if it is a pool or BCF event. */
void pools_on_event(const envelope_t *env, uint64_t log_index, uint64_t time_ms, void *arg);

/* Handles a pool command from the CLI:
 *   "pool-publish" METHOD, payload = packed body of METHOD (a POOL_METHOD_*);
 *       a Pledge without partner pledges for this node's organisation, a
 *       PoolStatement without lines is filled in as this node computes it;
 *   "pool-propose" [BOARD] CLOSES_AT_MS, payload = packed PoolAgreement:
 *       proposes it to BOARD (default: its board_id) as a POOL_AGREEMENT;
 *   "pool-vary" CLOSES_AT_MS, payload = packed Variation: proposes it to
 *       the pool's board as a POOL_VARIATION;
 *   "pool-list"; "pool-show" ID; "pool-statement" ID YEAR ["csv"];
 *   "pool-statement-export" ID YEAR: replies with a signed
 *       StatementCertificate (statement.h) as payload;
 *   "pool-rejections".
 * Returns 0 if it was one (answered now or once the event is folded), -1
 * if the command is not a pool command. */
int pools_control(pools_t *p, control_ctx_t *c, const uint8_t *id, size_t id_len,
                  const Concord__V1__ControlRequest *req);

/* Answers CLI requests whose events have not come back in time. */
void pools_tick(pools_t *p);

void pools_destroy(pools_t **p);

#endif
