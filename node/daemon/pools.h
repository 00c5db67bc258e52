/* SPDX-License-Identifier: Apache-2.0 */
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
#include "engine.h"
#include "envelope.h"
#include "ledger.h"
#include "roster.h"
#include "rpc.h"

typedef struct pools pools_t;

/* The pools' row in the node's engine table (engine.h), after the boards'
 * (it finds them by name and follows their decisions: each event is
 * folded after the board decisions that took effect up to it). The HWB
 * areas are read from the ONS lookups when the first BCF event needs
 * them. Its Control methods: Pledge, Outturn, SignStatement, BcfPlan,
 * BcfSign (answered once the event is folded, with the pool or plan),
 * PoolPropose and PoolVary (put to the partners' board, answered like
 * Propose), PoolStatementExport, and the views PoolList, PoolShow,
 * BcfShow, PoolStatement and PoolRejections (pools_view.c). Its timers:
 * the waits of its requests. */
extern const engine_t pools_as_engine;

#endif
