/* SPDX-License-Identifier: Apache-2.0 */
/* cli_table: aligned text tables for the CLI. */
#include "cli_table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t s_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++) {
        n += ((unsigned char)*s & 0xC0) != 0x80;
    }
    return n;
}

/* A copy of s, cut to max characters with "..." when longer. */
static char *s_cut(const char *s, size_t max)
{
    size_t chars = 0, i = 0;
    if (s_chars(s) <= max) {
        return strdup(s);
    }
    for (; s[i] && chars < max - 3; i++) {
        chars += ((unsigned char)s[i] & 0xC0) != 0x80;
    }
    while (((unsigned char)s[i] & 0xC0) == 0x80) {
        i++; /* never cut inside a character */
    }
    char *out = malloc(i + 4);
    if (out) {
        memcpy(out, s, i);
        memcpy(out + i, "...", 4);
    }
    return out;
}

int cli_table_row(cli_table_t *t, const char *const *vals)
{
    if (t->n_rows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 32;
        char **grown = realloc(t->cells, cap * t->n_cols * sizeof *grown);
        if (!grown) {
            return -1;
        }
        t->cells = grown;
        t->cap = cap;
    }
    char **row = t->cells + t->n_rows * t->n_cols;
    for (size_t c = 0; c < t->n_cols; c++) {
        const char *v = vals[c] ? vals[c] : "";
        row[c] = (t->trunc >> c) & 1 ? s_cut(v, CLI_TABLE_CUT) : strdup(v);
        if (!row[c]) {
            for (size_t k = 0; k < c; k++) {
                free(row[k]);
            }
            return -1;
        }
    }
    t->n_rows++;
    return 0;
}

/* Appends one padded cell to line; the caller trims the line's end. */
static size_t s_cell(const cli_table_t *t, size_t c, const char *v, size_t width, char *line,
                     size_t used, size_t size)
{
    int pad = (int)(width - s_chars(v));
    const char *sep = c + 1 == t->n_cols ? "" : "  ";
    int n = (t->right >> c) & 1 ? snprintf(line + used, size - used, "%*s%s%s", pad, "", v, sep)
                                : snprintf(line + used, size - used, "%s%*s%s", v, pad, "", sep);
    used += n > 0 ? (size_t)n : 0;
    return used < size ? used : size - 1;
}

static void s_line(const cli_table_t *t, char *const *cells, const size_t *w)
{
    char line[4096];
    size_t used = 0;
    line[0] = '\0';
    for (size_t c = 0; c < t->n_cols; c++) {
        used = s_cell(t, c, cells[c], w[c], line, used, sizeof line);
    }
    while (used > 0 && line[used - 1] == ' ') {
        used--;
    }
    printf("%.*s\n", (int)used, line);
}

void cli_table_print(cli_table_t *t)
{
    size_t w[CLI_TABLE_MAX_COLS];
    for (size_t c = 0; c < t->n_cols; c++) {
        w[c] = s_chars(t->head[c]);
        for (size_t r = 0; r < t->n_rows; r++) {
            size_t n = s_chars(t->cells[r * t->n_cols + c]);
            w[c] = n > w[c] ? n : w[c];
        }
    }
    s_line(t, (char *const *)t->head, w);
    for (size_t r = 0; r < t->n_rows; r++) {
        s_line(t, t->cells + r * t->n_cols, w);
        for (size_t c = 0; c < t->n_cols; c++) {
            free(t->cells[r * t->n_cols + c]);
        }
    }
    free(t->cells);
    t->cells = NULL;
    t->n_rows = t->cap = 0;
}

const char *cli_table_num(uint64_t v, char *buf, size_t size)
{
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)v);
    size_t o = 0;
    for (int i = 0; i < n && o + 2 < size; i++) {
        if (i > 0 && (n - i) % 3 == 0) {
            buf[o++] = ',';
        }
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
    return buf;
}
