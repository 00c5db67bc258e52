/* pools_priv: what node/pools.c (events, publishing, control dispatch)
 * and node/pools_view.c (the answers' text and JSON) share. Not an API. */
#ifndef CONCORD_POOLS_PRIV_H
#define CONCORD_POOLS_PRIV_H

#include "json.h"
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

/* The methods this module folds and the bodies they carry. */

/* A pool as text (one line, or in full with its variations and refused
 * events) and as one JSON object appended to j. */
void pools_view_pool(const pools_t *p, const pool_view_t *v, control_text_t *t, json_t *j,
                     int full);

/* A BCF plan's summary as text and one JSON object. */
void pools_view_bcf(const pool_bcf_view_t *v, control_text_t *t, json_t *j);

/* The control commands that only read the engine; each answers request
 * id on c ("pool-list", "pool-show", "pool-statement", "bcf-show",
 * "pool-rejections"). */
void pools_list(pools_t *p, control_ctx_t *c, const uint8_t *id, size_t id_len);
void pools_show(pools_t *p, control_ctx_t *c, const uint8_t *id, size_t id_len,
                const char *pool_id);
void pools_statement(pools_t *p, control_ctx_t *c, const uint8_t *id, size_t id_len,
                     const Concord__V1__ControlRequest *req);
void pools_bcf_show(pools_t *p, control_ctx_t *c, const uint8_t *id, size_t id_len,
                    const char *plan_id);
void pools_rejections(pools_t *p, control_ctx_t *c, const uint8_t *id, size_t id_len);

#endif
