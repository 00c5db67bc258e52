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

/* The Control methods the pools answer (control.c's table). Events
 * (pledges, outturns, signed statements, BCF plans and sign-offs) are
 * answered once folded, with their pool or plan; PoolPropose and
 * PoolVary put an agreement or a variation to the partners' board and
 * are answered with the proposal, like Propose. */
void pools_on_pool_propose(Concord__V1__Control_Service *service,
                           const Concord__V1__PoolProposeRequest *in,
                           Concord__V1__ProposalView_Closure closure, void *call);
void pools_on_pool_vary(Concord__V1__Control_Service *service,
                        const Concord__V1__PoolVaryRequest *in,
                        Concord__V1__ProposalView_Closure closure, void *call);
void pools_on_pledge(Concord__V1__Control_Service *service, const Concord__V1__PledgeRequest *in,
                     Concord__V1__PoolEventReply_Closure closure, void *call);
void pools_on_outturn(Concord__V1__Control_Service *service, const Concord__V1__OutturnRequest *in,
                      Concord__V1__PoolEventReply_Closure closure, void *call);
void pools_on_sign_statement(Concord__V1__Control_Service *service,
                             const Concord__V1__SignStatementRequest *in,
                             Concord__V1__PoolEventReply_Closure closure, void *call);
void pools_on_bcf_plan(Concord__V1__Control_Service *service, const Concord__V1__BcfPlanRequest *in,
                       Concord__V1__PoolEventReply_Closure closure, void *call);
void pools_on_bcf_sign(Concord__V1__Control_Service *service, const Concord__V1__BcfSignRequest *in,
                       Concord__V1__PoolEventReply_Closure closure, void *call);
void pools_on_pool_statement_export(Concord__V1__Control_Service *service,
                                    const Concord__V1__PoolStatementExportRequest *in,
                                    Concord__V1__CertificateReply_Closure closure, void *call);
/* The methods that only read the engine (pools_view.c). */
void pools_on_pool_list(Concord__V1__Control_Service *service,
                        const Concord__V1__PoolListRequest *in,
                        Concord__V1__PoolListReply_Closure closure, void *call);
void pools_on_pool_show(Concord__V1__Control_Service *service,
                        const Concord__V1__PoolShowRequest *in,
                        Concord__V1__PoolEventReply_Closure closure, void *call);
void pools_on_bcf_show(Concord__V1__Control_Service *service, const Concord__V1__BcfShowRequest *in,
                       Concord__V1__BcfView_Closure closure, void *call);
void pools_on_pool_statement(Concord__V1__Control_Service *service,
                             const Concord__V1__PoolStatementRequest *in,
                             Concord__V1__PoolStatementReply_Closure closure, void *call);
void pools_on_pool_rejections(Concord__V1__Control_Service *service,
                              const Concord__V1__PoolRejectionsRequest *in,
                              Concord__V1__PoolRejectionsReply_Closure closure, void *call);

/* Answers CLI requests whose events have not come back in time. */
void pools_tick(pools_t *p);

void pools_destroy(pools_t **p);

#endif
