/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_csv: the RFC 4180 reader under every ONS lookup and CSV the
 * product reads (csv_read_mem, with limits small enough that the fuzzer
 * reaches them). The first byte picks the read size, so rows and quoted
 * fields straddle chunk boundaries as they do in large files.
 *
 * What must hold: every row handed to the callback has the header's field
 * count, NUL-terminated fields, and no NUL inside them; no crash or leak. */
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "fixture.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

static int s_row(const csv_row_t *row, void *ctx, cc_err_t *err)
{
    size_t *header_n = ctx;
    (void)err;
    if (row->index == 0) {
        *header_n = row->n;
    } else if (row->n != *header_n) {
        abort();
    }
    for (size_t i = 0; i < row->n; i++) {
        if (!row->field[i] || row->pos[i].line == 0 || row->pos[i].col == 0) {
            abort();
        }
        (void)strlen(row->field[i]);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    csv_limits_t lim;
    size_t header_n = 0;
    if (size < 1) {
        return 0;
    }
    csv_limits_default(&lim);
    lim.chunk = 1 + data[0] % 64;
    lim.max_field = 256;
    lim.max_row = 1024;
    lim.max_fields = 32;
    csv_read_mem("fuzz.csv", data + 1, size - 1, &lim, s_row, &header_n, NULL);
    return 0;
}
