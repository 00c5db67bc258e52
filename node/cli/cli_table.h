/* SPDX-License-Identifier: Apache-2.0 */
/* cli_table: aligned text tables for the `concord` CLI, and the number
 * format they use. Columns are padded to their widest cell (counting UTF-8
 * characters, not bytes), separated by two spaces, with no trailing space.
 *
 * Set the fields directly: {.n_cols = 3, .head = (const char *const[]){...},
 * .right = 0x4 (bit i right-aligns column i), .trunc = 0x2 (bit i cuts
 * column i to CLI_TABLE_CUT characters with "...")}. */
#ifndef CONCORD_CLI_TABLE_H
#define CONCORD_CLI_TABLE_H

#include <stddef.h>
#include <stdint.h>

#define CLI_TABLE_MAX_COLS 8
#define CLI_TABLE_CUT 44

typedef struct {
    size_t n_cols; /* at most CLI_TABLE_MAX_COLS */
    const char *const *head;
    unsigned right;
    unsigned trunc;
    char **cells; /* row-major copies, owned by the table */
    size_t n_rows, cap;
} cli_table_t;

/* Copies one row of n_cols values (NULL prints empty). Returns 0, or -1
 * when out of memory (the row is dropped). */
int cli_table_row(cli_table_t *t, const char *const *vals);

/* Prints the heading and rows to stdout, then frees the rows. */
void cli_table_print(cli_table_t *t);

/* Formats v with thousands separators ("32,844") into buf; returns buf. */
const char *cli_table_num(uint64_t v, char *buf, size_t size);

#endif
