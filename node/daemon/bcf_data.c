/* SPDX-License-Identifier: Apache-2.0 */
/* bcf_data: reading the shipped Better Care Fund policy data. */
#include "bcf_data.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "geo.h"

const char *bcf_data_dir(void)
{
    static char dir[PATH_MAX];
    const char *ons = geo_data_dir(NULL);
    const char *slash = strrchr(ons, '/');
    if (!slash) {
        return "bcf";
    }
    snprintf(dir, sizeof dir, "%.*s/bcf", (int)(slash - ons), ons);
    return dir;
}

/* The column named name in the header, or -1. */
static long s_column(const csv_row_t *row, const char *name)
{
    for (size_t i = 0; i < row->n; i++) {
        if (strcmp(row->field[i], name) == 0) {
            return (long)i;
        }
    }
    return -1;
}

typedef struct {
    pool_engine_t *e;
    long col[7];
    long added;
} s_conditions_t;

static int s_year(const char *s, uint32_t *out)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (!*s || *end || v > 9999) {
        return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

static int s_condition_row(const csv_row_t *row, void *ctx, cc_err_t *err)
{
    static const char *const names[7] = {"policy", "first_year", "last_year", "key",
                                         "evidence", "condition", "source"};
    s_conditions_t *x = ctx;
    if (row->index == 0) {
        for (int i = 0; i < 7; i++) {
            if ((x->col[i] = s_column(row, names[i])) < 0) {
                err_set(err, CC_INVALID_ARGUMENT, "%s: no column '%s'", row->file, names[i]);
                return -1;
            }
        }
        return 0;
    }
    const char *evidence = row->field[x->col[4]];
    pool_condition_t c = {.policy = row->field[x->col[0]],
                          .key = row->field[x->col[3]],
                          .text = row->field[x->col[5]],
                          .source = row->field[x->col[6]],
                          .by_chain = strcmp(evidence, "chain") == 0};
    if (s_year(row->field[x->col[1]], &c.first_year) < 0 ||
        s_year(row->field[x->col[2]], &c.last_year) < 0 ||
        (strcmp(evidence, "chain") != 0 && strcmp(evidence, "plan") != 0)) {
        err_set(err, CC_INVALID_ARGUMENT,
                "%s:%zu: first_year and last_year are years, evidence is plan or chain",
                row->file, row->pos[0].line);
        return -1;
    }
    if (pool_engine_add_condition(x->e, &c, err) < 0) {
        err_prefix(err, "%s:%zu: ", row->file, row->pos[0].line);
        return -1;
    }
    x->added++;
    return 0;
}

long bcf_data_conditions(pool_engine_t *e, const char *dir, cc_err_t *err)
{
    char path[PATH_MAX];
    s_conditions_t x = {.e = e};
    snprintf(path, sizeof path, "%s/conditions.csv", dir);
    if (csv_read_file(path, NULL, s_condition_row, &x, err) < 0) {
        return -1;
    }
    return x.added;
}

typedef struct {
    bcf_data_shared_t *out;
    long col[2];
} s_shared_t;

static int s_shared_row(const csv_row_t *row, void *ctx, cc_err_t *err)
{
    s_shared_t *x = ctx;
    if (row->index == 0) {
        if ((x->col[0] = s_column(row, "council")) < 0 ||
            (x->col[1] = s_column(row, "bcf_area_of")) < 0) {
            err_set(err, CC_INVALID_ARGUMENT, "%s: needs columns council and bcf_area_of",
                    row->file);
            return -1;
        }
        return 0;
    }
    const char *c = row->field[x->col[0]], *a = row->field[x->col[1]];
    if (x->out->n == BCF_DATA_SHARED_MAX || keys_code_check(c, NULL) < 0 ||
        keys_code_check(a, NULL) < 0 || strcmp(c, a) == 0) {
        err_set(err, CC_INVALID_ARGUMENT,
                "%s:%zu: a council and the other council whose BCF area it shares (at most %d"
                " rows)",
                row->file, row->pos[0].line, BCF_DATA_SHARED_MAX);
        return -1;
    }
    snprintf(x->out->council[x->out->n], sizeof x->out->council[0], "%s", c);
    snprintf(x->out->area_of[x->out->n], sizeof x->out->area_of[0], "%s", a);
    x->out->n++;
    return 0;
}

int bcf_data_shared(const char *dir, bcf_data_shared_t *out, cc_err_t *err)
{
    char path[PATH_MAX];
    s_shared_t x = {.out = out};
    memset(out, 0, sizeof *out);
    snprintf(path, sizeof path, "%s/areas.csv", dir);
    return csv_read_file(path, NULL, s_shared_row, &x, err);
}

const char *bcf_data_shared_area(const bcf_data_shared_t *s, const char *council)
{
    for (size_t i = 0; i < s->n; i++) {
        if (strcmp(s->council[i], council) == 0) {
            return s->area_of[i];
        }
    }
    return NULL;
}
