/* SPDX-License-Identifier: Apache-2.0 */
/* cli_view: what the CLI's renderers share: the words for enums, ledger
 * kinds and outcomes, and a statement reply as the engine's struct. */
#ifndef CONCORD_CLI_VIEW_H
#define CONCORD_CLI_VIEW_H

#include <protobuf-c/protobuf-c.h>

#include "control.pb-c.h"
#include "pool.h"

/* A ledger entry's kind as a word: "request", "event" or "reply". */
const char *cli_view_kind(int kind);

/* A proposal's outcome: "OPEN", "PASSED" or "FAILED". */
const char *cli_view_outcome(const Concord__V1__ProposalView *pv);

/* The protobuf name of value v of enum d ("POOLED_FUND"), or
 * "UNSPECIFIED". */
const char *cli_view_enum_name(const ProtobufCEnumDescriptor *d, int v);

/* The statement a PoolStatementReply carries, as the engine's struct, for
 * pool_statement_text and statement_csv; pointers borrow from r. */
void cli_view_statement(const Concord__V1__PoolStatementReply *r, pool_statement_t *s);

#endif
