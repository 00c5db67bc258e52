/* SPDX-License-Identifier: Apache-2.0 */
/* cli_ini: what `concord pool` and `concord bcf` share: an arena for the
 * messages built from their INI files, the year and error helpers of the
 * INI handlers, the --file option, and publishing through the node. */
#include "cli_ini.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "inifile.h"
#include "pool.h"
#include "wire.h"

void *cli_ini_arena_keep(cli_ini_arena_t *a, void *ptr)
{
    void **grown = ptr ? realloc(a->ptrs, (a->n + 1) * sizeof *a->ptrs) : NULL;
    if (!grown) {
        free(ptr);
        a->failed = 1;
        return NULL;
    }
    a->ptrs = grown;
    a->ptrs[a->n++] = ptr;
    return ptr;
}

char *cli_ini_arena_str(cli_ini_arena_t *a, const char *s)
{
    return cli_ini_arena_keep(a, strdup(s));
}

int cli_ini_arena_push(cli_ini_arena_t *a, void *arrp, size_t *n, void *item)
{
    void ***arr = arrp;
    void **grown = item ? malloc((*n + 1) * sizeof *grown) : NULL;
    if (!grown) {
        a->failed = 1;
        return -1;
    }
    if (*n) {
        memcpy(grown, *arr, *n * sizeof *grown);
    }
    grown[(*n)++] = item;
    *arr = cli_ini_arena_keep(a, grown);
    return *arr ? 0 : -1;
}

void cli_ini_arena_free(cli_ini_arena_t *a)
{
    for (size_t i = 0; i < a->n; i++) {
        free(a->ptrs[i]);
    }
    free(a->ptrs);
}

int cli_ini_fail(cli_ini_error_t *e, const char *fmt, ...)
{
    if (!e->msg[0]) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
    }
    return 0;
}

int cli_ini_file_option(int argc, char **argv, const char *usage, const char **file, const char **board,
                    uint64_t *closes_in)
{
    static const struct option opts[] = {{"file", required_argument, NULL, 'f'},
                                         {"board", required_argument, NULL, 'b'},
                                         {"closes-in", required_argument, NULL, 'c'},
                                         {NULL, 0, NULL, 0}};
    int opt;
    *file = NULL;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "f:b:c:", opts, NULL)) != -1) {
        if (opt == 'f') {
            *file = optarg;
        } else if (opt == 'b' && board) {
            *board = optarg;
        } else if (opt == 'c' && board) {
            if (cli_duration(optarg, closes_in) < 0) {
                return cli_fail("bad --closes-in '%s' (like 7d, 12h, 30m, 90s)", optarg);
            }
        } else {
            return CLI_USAGE;
        }
    }
    if (!*file || optind != argc) {
        return cli_usage("usage: %s", usage);
    }
    return CLI_OK;
}

typedef struct {
    cli_ini_fn fn;
    void *user;
    cli_ini_error_t *e;
    char section[INIFILE_LINE_MAX];
} s_read_t;

static int s_entry(void *user, const char *section, const char *arg, const char *key,
                   const char *value, int line, cc_err_t *err)
{
    s_read_t *r = user;
    (void)line; /* the reader names it */
    if (!key) {
        snprintf(r->section, sizeof r->section, "%s%s%s", section, arg[0] ? " " : "", arg);
    }
    if (r->fn(r->user, r->section, key, value)) {
        return 0;
    }
    err_set(err, CC_INVALID_ARGUMENT, "%s", r->e->msg[0] ? r->e->msg : "refused");
    return -1;
}

int cli_ini_read(const char *file, cli_ini_fn fn, void *user, cli_ini_error_t *e,
                 const cli_ini_arena_t *a)
{
    cc_err_t err;
    s_read_t r = {.fn = fn, .user = user, .e = e};
    if (inifile_read(file, s_entry, &r, &err) < 0) {
        return cli_fail("%s", err.msg);
    }
    if (a->failed) {
        return cli_fail("%s: out of memory", file);
    }
    return CLI_OK;
}
