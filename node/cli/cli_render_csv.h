/* SPDX-License-Identifier: Apache-2.0 */
/* cli_render_csv: the CLI's csv renderer of Control replies (CSV for spreadsheets). */
#ifndef CONCORD_CLI_RENDER_CSV_H
#define CONCORD_CLI_RENDER_CSV_H

#include <stdio.h>

#include <protobuf-c/protobuf-c.h>

/* Writes reply to out as CSV (a pool statement). Returns 0, or -1 for a
 * reply type with no CSV form or when memory runs out. */
int cli_render_csv(const ProtobufCMessage *reply, FILE *out);

#endif
