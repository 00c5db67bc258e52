/* SPDX-License-Identifier: Apache-2.0 */
/* cli_render: the choice of renderer. */
#include "cli_render.h"

#include "cli_render_csv.h"
#include "cli_render_json.h"
#include "cli_render_text.h"

int cli_render(const ProtobufCMessage *reply, int format, FILE *out)
{
    return format == CLI_RENDER_JSON  ? cli_render_json(reply, out)
           : format == CLI_RENDER_CSV ? cli_render_csv(reply, out)
                                      : cli_render_text(reply, out);
}
