/* SPDX-License-Identifier: Apache-2.0 */
/* cli_render_text: the CLI's text renderer of Control replies (text for people). */
#ifndef CONCORD_CLI_RENDER_TEXT_H
#define CONCORD_CLI_RENDER_TEXT_H

#include <stdio.h>

#include <protobuf-c/protobuf-c.h>

/* Writes reply (any Control reply message) to out as text. Returns 0, or
 * -1 for a reply type it has no form for. */
int cli_render_text(const ProtobufCMessage *reply, FILE *out);

#endif
