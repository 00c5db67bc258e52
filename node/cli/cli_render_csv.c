/* SPDX-License-Identifier: Apache-2.0 */
/* cli_render_csv: Control replies that have a table form, as CSV: a
 * pool's statement for a year, the same lines the offline verifier
 * prints (statement_csv). */
#include "cli_render_csv.h"

#include <stdlib.h>

#include "cli_view.h"
#include "csv.h"
#include "people.h"
#include <stdio.h>
#include "statement.h"

/* A register of interests (`concord interests export`). */
static int s_interests(const Concord__V1__PeopleReply *r, FILE *out)
{
    static const char *const head[] = {"organisation", "person", "name", "role", "kind",
                                       "concerns", "from", "to", "description", "log_index"};
    if (csv_write_row(out, head, sizeof head / sizeof head[0]) < 0) {
        return -1;
    }
    for (size_t i = 0; i < r->n_interests; i++) {
        const Concord__V1__InterestView *v = r->interests[i];
        const Concord__V1__Interest *x = v->interest;
        char idx[24];
        if (!x) {
            continue;
        }
        snprintf(idx, sizeof idx, "%llu", (unsigned long long)v->log_index);
        const char *row[] = {v->organisation, x->person_id, v->name, v->role,
                             people_interest_name((int)x->kind), x->concerns, x->from_date,
                             x->to_date, x->description, idx};
        if (csv_write_row(out, row, sizeof row / sizeof row[0]) < 0) {
            return -1;
        }
    }
    return 0;
}

int cli_render_csv(const ProtobufCMessage *reply, FILE *out)
{
    if (reply->descriptor == &concord__v1__people_reply__descriptor) {
        return s_interests((const Concord__V1__PeopleReply *)reply, out);
    }
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
