/* cli_render: the CLI's presentation of the node's typed Control replies
 * (proto/control.proto), one renderer per format: text for people
 * (cli_render_text.c), JSON for programs (cli_render_json.c, with
 * jansson), CSV for spreadsheets (cli_render_csv.c), and what they share
 * (cli_render.c). The node sends data only; every word and column users
 * see is chosen here. */
#ifndef CONCORD_CLI_RENDER_H
#define CONCORD_CLI_RENDER_H

#include <stdio.h>

#include <protobuf-c/protobuf-c.h>

#include "control.pb-c.h"
#include "pool.h"

enum { CLI_RENDER_TEXT = 0, CLI_RENDER_JSON = 1, CLI_RENDER_CSV = 2 };

/* Writes reply (any Control reply message) to out as text. Returns 0, or
 * -1 for a reply type it has no form for. */
int cli_render_text(const ProtobufCMessage *reply, FILE *out);

/* Writes reply to out as one line of compact JSON. Returns 0, or -1 for
 * a reply type it has no form for or when memory runs out. */
int cli_render_json(const ProtobufCMessage *reply, FILE *out);

/* Writes reply to out as CSV (a pool statement). Returns 0, or -1 for a
 * reply type with no CSV form or when memory runs out. */
int cli_render_csv(const ProtobufCMessage *reply, FILE *out);

/* Writes reply in format (CLI_RENDER_*). Returns 0 or -1 as above. */
int cli_render(const ProtobufCMessage *reply, int format, FILE *out);

/* A ledger entry's kind as a word: "request", "event" or "reply". */
const char *cli_render_kind(int kind);

/* A proposal's outcome: "OPEN", "PASSED" or "FAILED". */
const char *cli_render_outcome(const Concord__V1__ProposalView *pv);

/* The protobuf name of value v of enum d ("POOLED_FUND"), or
 * "UNSPECIFIED". */
const char *cli_render_enum_name(const ProtobufCEnumDescriptor *d, int v);

/* The statement a PoolStatementReply carries, as the engine's struct, for
 * pool_statement_text and statement_csv; pointers borrow from r. */
void cli_render_statement(const Concord__V1__PoolStatementReply *r, pool_statement_t *s);

#endif
