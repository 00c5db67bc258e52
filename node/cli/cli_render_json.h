/* SPDX-License-Identifier: Apache-2.0 */
/* cli_render_json: the CLI's JSON renderer of Control replies (JSON for programs, with jansson). */
#ifndef CONCORD_CLI_RENDER_JSON_H
#define CONCORD_CLI_RENDER_JSON_H

#include <stdio.h>

#include <protobuf-c/protobuf-c.h>

/* Writes reply to out as one line of compact JSON. Returns 0, or -1 for
 * a reply type it has no form for or when memory runs out. */
int cli_render_json(const ProtobufCMessage *reply, FILE *out);

#endif
