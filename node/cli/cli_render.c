/* SPDX-License-Identifier: Apache-2.0 */
/* cli_render: the choice of renderer. */
#include "cli_render.h"

#include <stdlib.h>
#include <string.h>

#include "cli_render_csv.h"
#include "cli_render_json.h"
#include "cli_render_text.h"
#include "grow.h"
#include "text.h"
#include "wire.h"

/* The strings of a reply swapped for their neutralised form while it is
 * shown as text, to be put back after. */
typedef struct {
    struct {
        char **slot;
        char *was;
    } *swaps;
    size_t n, cap;
} s_swaps_t;

/* Swaps *s, when it holds anything a terminal would act on, for its
 * neutralised form (text_add_safe). Only the node's own multi-line
 * explanations keep their newlines. */
static int s_neutralise(char **s, const char *field, void *arg)
{
    s_swaps_t *sw = arg;
    const char *keep = strcmp(field, "explanation") == 0 ? "\n" : NULL;
    text_t t;
    text_init(&t);
    text_add_safe(&t, *s, keep);
    char *clean = text_take(&t);
    if (!clean) {
        return -1;
    }
    if (strcmp(clean, *s) == 0) {
        free(clean);
        return 0;
    }
    if (grow_reserve_at(&sw->swaps, &sw->cap, sw->n, sizeof sw->swaps[0]) < 0) {
        free(clean);
        return -1;
    }
    sw->swaps[sw->n].slot = s;
    sw->swaps[sw->n].was = *s;
    sw->n++;
    *s = clean;
    return 0;
}

/* Text for a terminal: every string of the reply may have come from
 * another member (titles, reasons, names), so each is shown with its
 * control characters (escape sequences, carriage returns, backspaces)
 * as visible escapes and bytes that are not UTF-8 as U+FFFD: nothing a
 * member writes can move the cursor or rewrite another line. The reply is
 * the caller's again, unchanged, when this returns. */
static int s_render_text(const ProtobufCMessage *reply, FILE *out)
{
    s_swaps_t sw = {0};
    int rc = wire_each_string((ProtobufCMessage *)reply, s_neutralise, &sw);
    if (rc == 0) {
        rc = cli_render_text(reply, out);
    }
    while (sw.n > 0) {
        sw.n--;
        free(*sw.swaps[sw.n].slot);
        *sw.swaps[sw.n].slot = sw.swaps[sw.n].was;
    }
    free(sw.swaps);
    return rc;
}

int cli_render(const ProtobufCMessage *reply, int format, FILE *out)
{
    return format == CLI_RENDER_JSON  ? cli_render_json(reply, out)
           : format == CLI_RENDER_CSV ? cli_render_csv(reply, out)
                                      : s_render_text(reply, out);
}
