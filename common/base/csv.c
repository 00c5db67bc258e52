/* SPDX-License-Identifier: Apache-2.0 */
/* csv: an RFC 4180 state machine fed in fixed chunks, so a row may
 * straddle any chunk boundary. Bytes that matter (delimiters, quotes, line
 * ends, anything not ASCII) go through it one at a time; runs of plain
 * ASCII inside a field are copied whole. */
#include "csv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"

enum {
    S_ROW,      /* before the first byte of a row */
    S_START,    /* at the start of a field */
    S_UNQUOTED, /* inside an unquoted field */
    S_QUOTED,   /* inside a quoted field */
    S_QUOTE2,   /* a quote inside a quoted field: its end, or the first of "" */
    S_CR,       /* a carriage return outside quotes: LF must follow */
};

/* Byte-order mark states: 0..2 bytes of it matched so far, then decided. */
#define BOM_DECIDED 3
static const unsigned char s_bom[3] = {0xEF, 0xBB, 0xBF};

typedef struct {
    const char *name;
    csv_limits_t lim;
    csv_row_fn fn;
    void *ctx;
    cc_err_t *err;
    char *buf; /* the current row's fields, each NUL-terminated */
    size_t len, cap;
    size_t *off;    /* where each field starts in buf */
    csv_pos_t *pos; /* where each field starts in the file */
    const char **field;
    size_t n, fcap;  /* fields begun in this row */
    size_t header_n; /* 0 until the header is read */
    size_t rows;
    size_t line, col; /* position of the byte being read */
    csv_pos_t quote_at, cr_at;
    int state;
    unsigned need; /* UTF-8 continuation bytes still expected */
    unsigned char lo, hi;
    unsigned bom;
} csv_parser_t;

void csv_limits_default(csv_limits_t *lim)
{
    lim->max_field = CSV_MAX_FIELD_DEFAULT;
    lim->max_row = CSV_MAX_ROW_DEFAULT;
    lim->max_fields = CSV_MAX_FIELDS_DEFAULT;
    lim->chunk = CSV_CHUNK_DEFAULT;
}

static int s_fail(csv_parser_t *p, cc_code_t code, csv_pos_t at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int s_fail(csv_parser_t *p, cc_code_t code, csv_pos_t at, const char *fmt, ...)
{
    char reason[CC_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    err_set(p->err, code, "%s:%zu:%zu: %s", p->name, at.line, at.col, reason);
    return -1;
}

static csv_pos_t s_here(const csv_parser_t *p)
{
    csv_pos_t at = {p->line, p->col};
    return at;
}

/* Grows the per-field arrays to hold one more field. */
static int s_grow_fields(csv_parser_t *p)
{
    size_t cap = p->fcap ? p->fcap * 2 : 16;
    size_t *off = realloc(p->off, cap * sizeof *off);
    if (off) {
        p->off = off;
    }
    csv_pos_t *pos = realloc(p->pos, cap * sizeof *pos);
    if (pos) {
        p->pos = pos;
    }
    const char **field = realloc(p->field, cap * sizeof *field);
    if (field) {
        p->field = field;
    }
    if (!off || !pos || !field) {
        return s_fail(p, CC_RESOURCE_EXHAUSTED, s_here(p), "out of memory");
    }
    p->fcap = cap;
    return 0;
}

static int s_put(csv_parser_t *p, char c)
{
    /* Bounded by the limits: max_row bytes plus a NUL per field. */
    if (grow_reserve_at(&p->buf, &p->cap, p->len, 1) < 0) {
        return s_fail(p, CC_RESOURCE_EXHAUSTED, s_here(p), "out of memory");
    }
    p->buf[p->len++] = c;
    return 0;
}

/* Appends one byte of field content, enforcing the size limits. */
static int s_append(csv_parser_t *p, unsigned char c)
{
    if (p->len - p->off[p->n - 1] >= p->lim.max_field) {
        return s_fail(p, CC_RESOURCE_EXHAUSTED, p->pos[p->n - 1], "field longer than %zu bytes",
                      p->lim.max_field);
    }
    if (p->len - p->n + 1 >= p->lim.max_row) {
        return s_fail(p, CC_RESOURCE_EXHAUSTED, p->pos[0], "row longer than %zu bytes",
                      p->lim.max_row);
    }
    return s_put(p, (char)c);
}

/* Opens a field starting at `at`; refuses one field too many as early as
 * possible, so a ragged row costs no more memory than a good one. */
static int s_begin_field(csv_parser_t *p, csv_pos_t at)
{
    if (p->header_n && p->n == p->header_n) {
        return s_fail(p, CC_INVALID_ARGUMENT, at, "row has more fields than the header's %zu",
                      p->header_n);
    }
    if (!p->header_n && p->n == p->lim.max_fields) {
        return s_fail(p, CC_RESOURCE_EXHAUSTED, at, "header has more than %zu fields",
                      p->lim.max_fields);
    }
    if (p->n == p->fcap && s_grow_fields(p) < 0) {
        return -1;
    }
    p->off[p->n] = p->len;
    p->pos[p->n] = at;
    p->n++;
    p->state = S_START;
    return 0;
}

/* A comma: closes the current field and opens the next one after it. */
static int s_next_field(csv_parser_t *p)
{
    csv_pos_t at = {p->line, p->col + 1};
    if (s_put(p, '\0') < 0) {
        return -1;
    }
    return s_begin_field(p, at);
}

static int s_end_row(csv_parser_t *p)
{
    if (p->n == 0) {
        p->state = S_ROW; /* a blank line */
        return 0;
    }
    if (s_put(p, '\0') < 0) {
        return -1;
    }
    if (!p->header_n) {
        p->header_n = p->n;
    } else if (p->n != p->header_n) {
        return s_fail(p, CC_INVALID_ARGUMENT, s_here(p),
                      "row has %zu field%s but the header has %zu", p->n, p->n == 1 ? "" : "s",
                      p->header_n);
    }
    for (size_t i = 0; i < p->n; i++) {
        p->field[i] = p->buf + p->off[i];
    }
    csv_row_t row = {p->name, p->rows, p->n, p->field, p->pos};
    if (p->fn(&row, p->ctx, p->err) < 0) {
        return -1;
    }
    p->rows++;
    p->n = 0;
    p->len = 0;
    p->state = S_ROW;
    return 0;
}

/* Checks one byte against UTF-8 (RFC 3629: no overlongs, no surrogates,
 * nothing above U+10FFFF) and NUL, and advances the column at each new
 * character. */
static int s_encoding(csv_parser_t *p, unsigned char c)
{
    if (p->need) {
        if (c < p->lo || c > p->hi) {
            return s_fail(p, CC_INVALID_ARGUMENT, s_here(p),
                          "unknown encoding: byte 0x%02X is not valid UTF-8", c);
        }
        p->need--;
        p->lo = 0x80;
        p->hi = 0xBF;
        return 0;
    }
    p->col++;
    if (c == 0) {
        return s_fail(p, CC_INVALID_ARGUMENT, s_here(p), "unknown encoding: NUL byte");
    }
    if (c < 0x80) {
        return 0;
    }
    p->lo = 0x80;
    p->hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        p->need = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
        p->need = 2;
        p->lo = c == 0xE0 ? 0xA0 : 0x80;
        p->hi = c == 0xED ? 0x9F : 0xBF;
    } else if (c >= 0xF0 && c <= 0xF4) {
        p->need = 3;
        p->lo = c == 0xF0 ? 0x90 : 0x80;
        p->hi = c == 0xF4 ? 0x8F : 0xBF;
    } else if (p->line == 1 && p->col == 1 && (c == 0xFF || c == 0xFE)) {
        return s_fail(p, CC_INVALID_ARGUMENT, s_here(p),
                      "unknown encoding: the file looks like UTF-16; save it as UTF-8");
    } else {
        return s_fail(p, CC_INVALID_ARGUMENT, s_here(p),
                      "unknown encoding: byte 0x%02X is not valid UTF-8", c);
    }
    return 0;
}

/* At the start of a field (the row's state was already moved on). */
static int s_start(csv_parser_t *p, unsigned char c)
{
    switch (c) {
    case '"':
        p->quote_at = s_here(p);
        p->state = S_QUOTED;
        return 0;
    case ',':
        return s_next_field(p);
    case '\n':
        return s_end_row(p);
    case '\r':
        p->cr_at = s_here(p);
        p->state = S_CR;
        return 0;
    default:
        p->state = S_UNQUOTED;
        return s_append(p, c);
    }
}

static int s_unquoted(csv_parser_t *p, unsigned char c)
{
    switch (c) {
    case ',':
        return s_next_field(p);
    case '\n':
        return s_end_row(p);
    case '\r':
        p->cr_at = s_here(p);
        p->state = S_CR;
        return 0;
    case '"':
        return s_fail(p, CC_INVALID_ARGUMENT, s_here(p),
                      "quote inside an unquoted field (quote the whole field and double it)");
    default:
        return s_append(p, c);
    }
}

static int s_quote2(csv_parser_t *p, unsigned char c)
{
    switch (c) {
    case '"':
        p->state = S_QUOTED;
        return s_append(p, c);
    case ',':
        return s_next_field(p);
    case '\n':
        return s_end_row(p);
    case '\r':
        p->cr_at = s_here(p);
        p->state = S_CR;
        return 0;
    default:
        return s_fail(p, CC_INVALID_ARGUMENT, s_here(p), "unexpected text after a closing quote");
    }
}

static int s_dispatch(csv_parser_t *p, unsigned char c)
{
    switch (p->state) {
    case S_ROW:
        if (c == '\n') {
            return s_end_row(p);
        }
        if (c == '\r') {
            p->cr_at = s_here(p);
            p->state = S_CR;
            return 0;
        }
        if (s_begin_field(p, s_here(p)) < 0) {
            return -1;
        }
        return s_start(p, c);
    case S_START:
        return s_start(p, c);
    case S_UNQUOTED:
        return s_unquoted(p, c);
    case S_QUOTED:
        if (c == '"') {
            p->state = S_QUOTE2;
            return 0;
        }
        return s_append(p, c);
    case S_QUOTE2:
        return s_quote2(p, c);
    default: /* S_CR */
        if (c != '\n') {
            return s_fail(p, CC_INVALID_ARGUMENT, p->cr_at,
                          "carriage return not followed by a line feed");
        }
        return s_end_row(p);
    }
}

static int s_byte(csv_parser_t *p, unsigned char c)
{
    if (s_encoding(p, c) < 0 || s_dispatch(p, c) < 0) {
        return -1;
    }
    if (c == '\n') {
        p->line++;
        p->col = 0;
    }
    return 0;
}

/* Replays the bytes taken for a byte-order mark that turned out not to be
 * one. */
static int s_bom_replay(csv_parser_t *p)
{
    unsigned matched = p->bom;
    p->bom = BOM_DECIDED;
    for (unsigned i = 0; i < matched; i++) {
        if (s_byte(p, s_bom[i]) < 0) {
            return -1;
        }
    }
    return 0;
}

/* 1 for the bytes copied in bulk inside a field: printable ASCII and tab,
 * but not the comma or the quote. Bytes from 0x80 are 0: they go one by
 * one through the UTF-8 check. */
#define P16(x) x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x
/* clang-format off */
static const unsigned char s_plain[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, /* 0x00: tab only */
    P16(0),                                         /* 0x10 */
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, /* 0x20: not '"' or ',' */
    P16(1), P16(1), P16(1), P16(1),                 /* 0x30 to 0x6F */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, /* 0x70: not DEL */
};
/* clang-format on */

/* Inside a field, copies a run of plain ASCII (no delimiter, quote, line
 * end, control or non-ASCII byte) at once: most of a lookup file. Returns
 * the bytes taken; 0 leaves the byte, and any limit, to s_byte, so errors
 * are reported exactly where they are. */
static size_t s_run(csv_parser_t *p, const unsigned char *d, size_t n)
{
    size_t k = 0;
    if (p->need || (p->state != S_UNQUOTED && p->state != S_QUOTED)) {
        return 0;
    }
    /* Never scan past what the limits allow, so a long field costs one
     * pass, not one per byte. */
    size_t field = p->len - p->off[p->n - 1], content = p->len - p->n + 1;
    size_t room = p->lim.max_field > field ? p->lim.max_field - field : 0;
    if (p->lim.max_row <= content) {
        room = 0;
    } else if (p->lim.max_row - content < room) {
        room = p->lim.max_row - content;
    }
    n = n < room ? n : room;
    while (k < n && s_plain[d[k]]) {
        k++;
    }
    if (k == 0) {
        return 0;
    }
    if (p->len + k > p->cap) {
        size_t cap = p->cap ? p->cap : 256;
        while (cap < p->len + k) {
            cap *= 2;
        }
        char *grown = realloc(p->buf, cap);
        if (!grown) {
            return 0; /* s_put reports it */
        }
        p->buf = grown;
        p->cap = cap;
    }
    memcpy(p->buf + p->len, d, k);
    p->len += k;
    p->col += k;
    return k;
}

static int s_feed(csv_parser_t *p, const unsigned char *d, size_t n)
{
    size_t i = 0;
    while (p->bom != BOM_DECIDED && i < n) {
        if (d[i] == s_bom[p->bom]) {
            i++;
            if (++p->bom == BOM_DECIDED) {
                break;
            }
        } else if (s_bom_replay(p) < 0) {
            return -1;
        }
    }
    while (i < n) {
        i += s_run(p, d + i, n - i);
        if (i < n && s_byte(p, d[i++]) < 0) {
            return -1;
        }
    }
    return 0;
}

static int s_finish(csv_parser_t *p)
{
    if (p->bom != BOM_DECIDED && s_bom_replay(p) < 0) {
        return -1;
    }
    if (p->need) {
        return s_fail(p, CC_INVALID_ARGUMENT, s_here(p),
                      "unknown encoding: the file ends inside a UTF-8 character");
    }
    switch (p->state) {
    case S_QUOTED:
        return s_fail(p, CC_INVALID_ARGUMENT, p->quote_at,
                      "unterminated quote: the field opened here is never closed");
    case S_CR:
        return s_fail(p, CC_INVALID_ARGUMENT, p->cr_at,
                      "carriage return not followed by a line feed");
    case S_ROW:
        break;
    default:
        p->col++; /* report a short last row just past its end */
        if (s_end_row(p) < 0) {
            return -1;
        }
    }
    if (!p->header_n) {
        csv_pos_t start = {1, 1};
        return s_fail(p, CC_INVALID_ARGUMENT, start, "empty file: no header row");
    }
    return 0;
}

static void s_init(csv_parser_t *p, const char *name, const csv_limits_t *lim, csv_row_fn fn,
                   void *ctx, cc_err_t *err)
{
    memset(p, 0, sizeof *p);
    p->name = name;
    if (lim) {
        p->lim = *lim;
    } else {
        csv_limits_default(&p->lim);
    }
    if (p->lim.chunk == 0) {
        p->lim.chunk = CSV_CHUNK_DEFAULT;
    }
    p->fn = fn;
    p->ctx = ctx;
    p->err = err;
    p->line = 1;
    p->state = S_ROW;
}

static void s_free(csv_parser_t *p)
{
    free(p->buf);
    free(p->off);
    free(p->pos);
    free(p->field);
}

int csv_read_mem(const char *name, const void *data, size_t len, const csv_limits_t *lim,
                 csv_row_fn fn, void *ctx, cc_err_t *err)
{
    csv_parser_t p;
    s_init(&p, name, lim, fn, ctx, err);
    int rc = s_feed(&p, data, len) < 0 || s_finish(&p) < 0 ? -1 : 0;
    s_free(&p);
    return rc;
}

int csv_read_file(const char *path, const csv_limits_t *lim, csv_row_fn fn, void *ctx,
                  cc_err_t *err)
{
    csv_parser_t p;
    unsigned char *chunk = NULL;
    int rc = -1;
    s_init(&p, path, lim, fn, ctx, err);
    FILE *f = fopen(path, "rb");
    if (!f) {
        err_set(err, errno == ENOENT ? CC_NOT_FOUND : CC_UNAVAILABLE, "cannot open %s: %s", path,
                strerror(errno));
        goto out;
    }
    if (!(chunk = malloc(p.lim.chunk))) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "%s: out of memory", path);
        goto out;
    }
    size_t got;
    while ((got = fread(chunk, 1, p.lim.chunk, f)) > 0) {
        if (s_feed(&p, chunk, got) < 0) {
            goto out;
        }
    }
    if (ferror(f)) {
        err_set(err, CC_UNAVAILABLE, "cannot read %s: %s", path, strerror(errno));
        goto out;
    }
    rc = s_finish(&p);
out:
    if (f) {
        fclose(f);
    }
    free(chunk);
    s_free(&p);
    return rc;
}

static int s_write_field(FILE *to, const char *s)
{
    if (!s) {
        return 0;
    }
    if (!strpbrk(s, ",\"\r\n")) {
        return fputs(s, to) < 0 ? -1 : 0;
    }
    if (fputc('"', to) == EOF) {
        return -1;
    }
    for (; *s; s++) {
        if ((*s == '"' && fputc('"', to) == EOF) || fputc(*s, to) == EOF) {
            return -1;
        }
    }
    return fputc('"', to) == EOF ? -1 : 0;
}

int csv_write_row(FILE *to, const char *const *fields, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if ((i > 0 && fputc(',', to) == EOF) || s_write_field(to, fields[i]) < 0) {
            return -1;
        }
    }
    return fputc('\n', to) == EOF ? -1 : 0;
}
