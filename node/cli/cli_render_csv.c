/* SPDX-License-Identifier: Apache-2.0 */
/* cli_render_csv: Control replies that have a table form, as CSV: a
 * pool's statement for a year, the same lines the offline verifier
 * prints (statement_csv). */
#include "cli_render_csv.h"

#include <stdlib.h>

#include "cli_view.h"
#include "statement.h"

int cli_render_csv(const ProtobufCMessage *reply, FILE *out)
{
    if (reply->descriptor != &concord__v1__pool_statement_reply__descriptor) {
        return -1;
    }
    pool_statement_t *s = malloc(sizeof *s);
    if (!s) {
        return -1;
    }
    cli_view_statement((const Concord__V1__PoolStatementReply *)reply, s);
    char *csv = statement_csv(s);
    free(s);
    if (!csv) {
        return -1;
    }
    fputs(csv, out);
    free(csv);
    return 0;
}
