/* pools_priv: what node/pools.c (events, publishing, control dispatch)
 * and node/pools_view.c (the answers' text and JSON) share. Not an API. */
#ifndef CONCORD_POOLS_PRIV_H
#define CONCORD_POOLS_PRIV_H

#include "pool.h"
#include "pools.h"
#include "waits.h"

struct pools {
    const config_node_t *cfg;
    const roster_t *roster;
    ledger_t *ledger;
    rpc_peer_t *peer;
    boards_t *boards; /* decides agreements and variations */
    pool_engine_t *engine;
    waits_t *waits;
    int replaying;
    int areas_added; /* the HWB areas are read once, when a BCF event first needs them */
};

/* A pool as a PoolView (out initialised by the caller): in full with
 * its partners' names, variations and refused events. Strings and
 * messages are borrowed from the engine or allocated in a. */
void pools_view_pool(const pools_t *p, const pool_view_t *v, int full, Concord__V1__PoolView *out,
                     control_arena_t *a);

/* A BCF plan as a BcfView, in full with its refused events. */
void pools_view_bcf(const pools_t *p, const pool_bcf_view_t *v, int full,
                    Concord__V1__BcfView *out, control_arena_t *a);

/* The Control methods that only read the engine. */
void pools_view_on_list(Concord__V1__Control_Service *service,
                        const Concord__V1__PoolListRequest *in,
                        Concord__V1__PoolListReply_Closure closure, void *call);
void pools_view_on_show(Concord__V1__Control_Service *service,
                        const Concord__V1__PoolShowRequest *in,
                        Concord__V1__PoolEventReply_Closure closure, void *call);
void pools_view_on_bcf_show(Concord__V1__Control_Service *service,
                            const Concord__V1__BcfShowRequest *in,
                            Concord__V1__BcfView_Closure closure, void *call);
void pools_view_on_statement(Concord__V1__Control_Service *service,
                             const Concord__V1__PoolStatementRequest *in,
                             Concord__V1__PoolStatementReply_Closure closure, void *call);
void pools_view_on_rejections(Concord__V1__Control_Service *service,
                              const Concord__V1__PoolRejectionsRequest *in,
                              Concord__V1__PoolRejectionsReply_Closure closure, void *call);

#endif
