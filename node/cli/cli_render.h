/* SPDX-License-Identifier: Apache-2.0 */
/* cli_render: the CLI's presentation of the node's typed Control replies
 * (proto/control.proto), one renderer per format: text for people
 * (cli_render_text.c), JSON for programs (cli_render_json.c, with
 * jansson), CSV for spreadsheets (cli_render_csv.c), and the words they
 * share (cli_view.c). The node sends data only; every word and column users
 * see is chosen here. */
#ifndef CONCORD_CLI_RENDER_H
#define CONCORD_CLI_RENDER_H

#include <stdio.h>

#include <protobuf-c/protobuf-c.h>

enum { CLI_RENDER_TEXT = 0, CLI_RENDER_JSON = 1, CLI_RENDER_CSV = 2 };

/* Writes reply (any Control reply message) to out in format
 * (CLI_RENDER_*). Returns 0, or -1 for a reply type the format has no
 * form for or when memory runs out. */
int cli_render(const ProtobufCMessage *reply, int format, FILE *out);

#endif
