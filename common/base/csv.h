/* SPDX-License-Identifier: Apache-2.0 */
/* csv: an RFC 4180 reader that hands each complete row to a callback, and
 * a writer for the rows `--csv` prints.
 *
 * Accepted: fields quoted or not; commas, line breaks and doubled quotes
 * ("") inside quoted fields; an optional UTF-8 byte-order mark; CRLF or LF
 * line ends; a last line with or without its line end. Blank lines carry no
 * row and are skipped (editors often leave one at the end).
 *
 * Refused, with "file:line:column: reason" (column counts characters from
 * 1): an unterminated quote (reported where it opened), a quote inside an
 * unquoted field, text after a closing quote, a carriage return without its
 * line feed, a row whose field count differs from the header's, bytes that
 * are not UTF-8 or are NUL ("unknown encoding"), a field, row or header over
 * the limits, and an empty file.
 *
 * The first row is the header. Every row, the header included, is checked
 * whole before the callback sees it, so a callback never gets half a row;
 * rows before a bad one have been delivered, so a caller that must not act
 * on a partly read file should collect into something it can throw away. */
#ifndef CONCORD_CSV_H
#define CONCORD_CSV_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"

#define CSV_MAX_FIELD_DEFAULT (64u * 1024u)
#define CSV_MAX_ROW_DEFAULT (1024u * 1024u)
#define CSV_MAX_FIELDS_DEFAULT 1024u
#define CSV_CHUNK_DEFAULT (64u * 1024u)

typedef struct {
    size_t max_field;  /* bytes in one field */
    size_t max_row;    /* bytes in one row, all fields together */
    size_t max_fields; /* fields in the header (and so in every row) */
    size_t chunk;      /* bytes per read; tests shrink it to cross boundaries */
} csv_limits_t;

typedef struct {
    size_t line; /* 1-based physical line */
    size_t col;  /* 1-based character column */
} csv_pos_t;

typedef struct {
    const char *file;         /* the name given for messages */
    size_t index;             /* 0 for the header, then 1, 2, ... */
    size_t n;                 /* number of fields: always the header's */
    const char *const *field; /* NUL-terminated, valid UTF-8 without NUL */
    const csv_pos_t *pos;     /* where each field starts, for messages */
} csv_row_t;

/* Called once per row. Returns 0 to go on, or -1 with err set to stop the
 * read (csv_read_* then return -1 with that error untouched). The row and
 * its strings are only valid during the call. */
typedef int (*csv_row_fn)(const csv_row_t *row, void *ctx, cc_err_t *err);

/* Fills lim with the defaults above. */
void csv_limits_default(csv_limits_t *lim);

/* Reads the file at path, calling fn for every row. lim NULL means the
 * defaults. Returns 0 after the last row, or -1 with err set: CC_NOT_FOUND
 * when the file cannot be opened, CC_INVALID_ARGUMENT for malformed text,
 * CC_RESOURCE_EXHAUSTED over a limit, CC_UNAVAILABLE on a read error, or
 * the callback's own error. */
int csv_read_file(const char *path, const csv_limits_t *lim, csv_row_fn fn, void *ctx,
                  cc_err_t *err);

/* The same over len bytes in memory; name is used in messages. */
int csv_read_mem(const char *name, const void *data, size_t len, const csv_limits_t *lim,
                 csv_row_fn fn, void *ctx, cc_err_t *err);

/* Writes one row to `to`, quoting a field only when it holds a comma, a
 * quote or a line break, and ending the line with LF (as the ONS files do).
 * NULL fields are written empty. Returns 0, or -1 if the stream failed. */
int csv_write_row(FILE *to, const char *const *fields, size_t n);

#endif
