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

/* Prechecks and publishes proposal p (borrowed) as this node, and
 * answers control call `call` with the proposal as folded, or with the
 * refusal: for other modules that turn their requests into board
 * proposals. */
void boards_propose(boards_t *b, void *call, const Concord__V1__Proposal *p);

/* The Control methods the boards answer (control.c's table). Propose
 * and Vote answer once the event is folded. */
void boards_on_propose(Concord__V1__Control_Service *service, const Concord__V1__ProposeRequest *in,
                       Concord__V1__ProposalView_Closure closure, void *call);
void boards_on_vote(Concord__V1__Control_Service *service, const Concord__V1__VoteRequest *in,
                    Concord__V1__ProposalView_Closure closure, void *call);
void boards_on_board_list(Concord__V1__Control_Service *service,
                          const Concord__V1__BoardListRequest *in,
                          Concord__V1__BoardListReply_Closure closure, void *call);
void boards_on_board_show(Concord__V1__Control_Service *service,
                          const Concord__V1__BoardShowRequest *in,
                          Concord__V1__BoardShowReply_Closure closure, void *call);
void boards_on_proposal_list(Concord__V1__Control_Service *service,
                             const Concord__V1__ProposalListRequest *in,
                             Concord__V1__ProposalListReply_Closure closure, void *call);
void boards_on_proposal_show(Concord__V1__Control_Service *service,
                             const Concord__V1__ProposalShowRequest *in,
                             Concord__V1__ProposalView_Closure closure, void *call);
void boards_on_decision_export(Concord__V1__Control_Service *service,
                               const Concord__V1__DecisionExportRequest *in,
                               Concord__V1__CertificateReply_Closure closure, void *call);
void boards_on_roster_export(Concord__V1__Control_Service *service,
                             const Concord__V1__RosterExportRequest *in,
                             Concord__V1__CertificateReply_Closure closure, void *call);
void boards_on_realignments(Concord__V1__Control_Service *service,
                            const Concord__V1__RealignmentsRequest *in,
                            Concord__V1__RealignmentsReply_Closure closure, void *call);
void boards_on_auto_vote(Concord__V1__Control_Service *service,
                         const Concord__V1__AutoVoteRequest *in,
                         Concord__V1__AutoVoteReply_Closure closure, void *call);

/* The board engine, for engines that follow its decisions (pool_follow).
 * Borrowed; lives as long as b. */
const board_engine_t *boards_engine(const boards_t *b);

/* Answers CLI requests whose events have not come back in time. */
void boards_tick(boards_t *b);

void boards_destroy(boards_t **b);

#endif
