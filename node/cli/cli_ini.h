/* SPDX-License-Identifier: Apache-2.0 */
/* cli_ini: what `concord pool` (node/cli_pool.c) and `concord bcf`
 * (node/cli_bcf.c) share to read their INI files and hand events to the
 * local node. */
#ifndef CONCORD_CLI_INI_H
#define CONCORD_CLI_INI_H

#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "cli.h"
#include "config.h"

/* Everything allocated while reading a file, freed together. */
typedef struct {
    void **ptrs;
    size_t n;
    int failed;
} cli_ini_arena_t;

/* Keeps ptr (malloc'd) to free with the arena; returns it, or NULL (and
 * marks the arena failed) when ptr is NULL or memory runs out. */
void *cli_ini_arena_keep(cli_ini_arena_t *a, void *ptr);

/* A copy of s kept by the arena, or NULL. */
char *cli_ini_arena_str(cli_ini_arena_t *a, const char *s);

/* Appends item to a protobuf repeated field (*arrp, an array of pointers
 * of *n), the new array kept by the arena. Returns 0, or -1. */
int cli_ini_arena_push(cli_ini_arena_t *a, void *arrp, size_t *n, void *item);

void cli_ini_arena_free(cli_ini_arena_t *a);

/* The first error an INI handler met (reading stops on the handler's 0). */
typedef struct {
    char msg[512];
} cli_ini_error_t;

/* Records the first error; returns 0, for the handler to return. */
int cli_ini_fail(cli_ini_error_t *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A handler for cli_ini_read: called with section (a header's whole text,
 * "partner E06000026") and name and value NULL at each header, then for
 * each entry. Returns 1 to go on, or 0 after cli_ini_fail. */
typedef int (*cli_ini_fn)(void *user, const char *section, const char *name, const char *value);

/* Reads file through the one INI reader (common/base/inifile.h: line
 * numbers, over-long lines, bytes that are not text), handing every header
 * and entry to fn, which records its errors in e and allocates in a.
 * Returns CLI_OK, or CLI_FAIL after saying what was wrong as
 * "FILE:LINE: problem" (the handler's error, the file's syntax), that the
 * file cannot be read, or that memory ran out. */
int cli_ini_read(const char *file, cli_ini_fn fn, void *user, cli_ini_error_t *e,
                 const cli_ini_arena_t *a);

/* The options of `pool propose` and `bcf plan`: --file FILE, and for a
 * proposal (board not NULL) --board ID and --closes-in DURATION. Returns
 * CLI_OK with *file set, or an exit status after printing usage. */
int cli_ini_file_option(int argc, char **argv, const char *usage, const char **file, const char **board,
                    uint64_t *closes_in);

#endif
