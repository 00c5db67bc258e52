/* SPDX-License-Identifier: Apache-2.0 */
/* dashboard_pages: the dashboard's pages as HTML, each written from the
 * typed replies of the Control service (proto/control.proto) that the
 * dashboard fetched for it. Nothing here reads the ledger or the engines:
 * a page shows exactly what the Control API carries. Every string from
 * the network is escaped (dashboard_html_escape). org is this node's
 * organisation; now_ms the wall clock the page is written at. */
#ifndef CONCORD_DASHBOARD_PAGES_H
#define CONCORD_DASHBOARD_PAGES_H

#include <stddef.h>
#include <stdint.h>

#include "control.pb-c.h"
#include "json.h"
#include "text.h"

/* A decision certificate as the dashboard checked it: whether this
 * node's DecisionExport verified offline (certificate_verify) against the
 * genesis roster, and why not. */
typedef struct {
    int checked;   /* 0: no certificate (the proposal is open, or export failed) */
    int verified;
    char detail[512]; /* the verifier's outcome, or its first failed check */
} dashboard_pages_cert_t;

/* Federation: this node, its broker link, the members, the log head and
 * the last log verification, run at lv_at_ms (lv NULL: lv_error says why
 * it failed). */
void dashboard_pages_federation(text_t *t, const Concord__V1__StatusReply *st,
                                const Concord__V1__RosterShowReply *roster,
                                const Concord__V1__LogVerifyReply *lv, const char *lv_error,
                                uint64_t lv_at_ms);

/* The boards this node knows. */
void dashboard_pages_boards(text_t *t, const char *org, const Concord__V1__BoardListReply *b);

/* One board: its charter, members and proposals. */
void dashboard_pages_board(text_t *t, const char *org, const Concord__V1__BoardShowReply *b,
                           const Concord__V1__ProposalListReply *props, uint64_t now_ms);

/* Every proposal: open ones with their count, voters of members, time
 * left and, where full[i] (the proposal with its ballots) and boards[i]
 * (its board) are given, the tally by constituency; closed ones with
 * their outcome. full and boards may be NULL, or hold NULLs. */
void dashboard_pages_proposals(text_t *t, const char *org,
                               const Concord__V1__ProposalListReply *props,
                               Concord__V1__ProposalView *const *full,
                               Concord__V1__BoardShowReply *const *boards, uint64_t now_ms);

/* The live figures of dashboard_pages_proposals' page (its open
 * proposals' cells are marked data-live ID-for, ID-against, ID-abstain,
 * ID-voted, ID-left and ID-nhs, ID-lg, ID-other), as one JSON object:
 * every open proposal of props, and every one decided in the last hour
 * (ID-left then reads "closed: PASSED"); full and boards as for
 * dashboard_pages_proposals. */
void dashboard_pages_list_figures(json_t *j, const Concord__V1__ProposalListReply *props,
                                  Concord__V1__ProposalView *const *full,
                                  Concord__V1__BoardShowReply *const *boards, uint64_t now_ms);

/* One proposal: its tally by constituency (board may be NULL), quorum
 * progress and time left while open; an advisory board's recommendation
 * with its ratification state (ratified, declined, awaited, and the
 * ratifying bodies from board's charter); for a passed pool agreement or
 * variation, the pool's execution state and each partner's act (pool,
 * the pool it made or varied, may be NULL); once closed the outcome,
 * every ballot with its reason and the certificate with its verification. */
void dashboard_pages_proposal(text_t *t, const char *org, const Concord__V1__ProposalView *p,
                              const Concord__V1__BoardShowReply *board,
                              const Concord__V1__PoolView *pool,
                              const dashboard_pages_cert_t *cert, uint64_t now_ms);

/* The live figures of a proposal, as one JSON object whose keys are the
 * data-live names of dashboard_pages_proposal's page. */
void dashboard_pages_figures(json_t *j, const Concord__V1__ProposalView *p,
                             const Concord__V1__BoardShowReply *board, uint64_t now_ms);

/* Pooled funds and BCF plans. */
void dashboard_pages_pools(text_t *t, const char *org, const Concord__V1__PoolListReply *l);

/* One pool: agreement, partners and contributions per year (with a
 * chart), and each year's statement (stmts, n of them): outturn, the
 * risk-share split (with a chart) and the host's signed statement; its
 * state (AWAITING_EXECUTION, AWAITING_PLEDGES, ACTIVE) and each partner's
 * execution of the agreement (executed, declined with the reason, or
 * awaited). */
void dashboard_pages_pool(text_t *t, const char *org, const Concord__V1__PoolView *p,
                          Concord__V1__PoolStatementReply *const *stmts, size_t n);

/* One BCF plan: its streams, sign-off chain and approval state. */
void dashboard_pages_bcf(text_t *t, const char *org, const Concord__V1__BcfView *b);

/* Footprints: the realignments the boards decided (r, or NULL), and the
 * alignment report (rep: counts, every footprint, split organisations,
 * combined authorities) or, when the node could not compute it, why
 * (rep_error). */
void dashboard_pages_footprints(text_t *t, const char *org,
                                const Concord__V1__RealignmentsReply *r,
                                const Concord__V1__FootprintReportReply *rep,
                                const char *rep_error);

/* An error page: what could not be shown and why. */
void dashboard_pages_error(text_t *t, const char *org, const char *what, const char *why);

#endif
