/* SPDX-License-Identifier: Apache-2.0 */
/* bench_geo: figure 6, footprint alignment and vintage changes over the
 * shipped ONS lookups.
 *
 * Concord: geo_load_dir over data/ons (every CSV of every shipped vintage,
 * April 2017, 2018 and 2020, parsed, normalised and joined into the
 * model), geo_align for the newest STP layer (every CCG, council and
 * footprint classified, splits found) and geo_changes from CCG18 to CCG20
 * (every LSOA followed across the two vintages, mergers, splits, transfers
 * and code changes found). Baseline: reading the same files whole with
 * fread and counting newlines, the least any loader must do. Rounds
 * interleave the baseline and the three measures so that all see the same
 * machine load; the first round only warms the page cache. The targets are
 * absolute (load <= 100 ms, alignment <= 100 ms and changes <= 50 ms after
 * load), so each row's note says whether it is met; the ratio is against
 * the baseline as everywhere else. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bench.h"
#include "geo.h"

#define S_FILES_MAX 64
#define S_LOAD_TARGET_MS 100.0
#define S_ALIGN_TARGET_MS 100.0
#define S_CHANGES_TARGET_MS 50.0

/* Reads every file whole, counting newlines: the baseline. Returns
 * seconds. */
static double s_fread(char **paths, size_t n, size_t *bytes, size_t *lines)
{
    static char buf[64 * 1024];
    double t0 = bench_now();
    *lines = *bytes = 0;
    for (size_t i = 0; i < n; i++) {
        FILE *f = fopen(paths[i], "rb");
        size_t got;
        while (f && (got = fread(buf, 1, sizeof buf, f)) > 0) {
            *bytes += got;
            for (const char *p = buf; (p = memchr(p, '\n', (size_t)(buf + got - p))) != NULL;
                 p++) {
                (*lines)++;
            }
        }
        if (f) {
            fclose(f);
        }
    }
    return bench_now() - t0;
}

static size_t s_list(const char *dir, char **paths)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    size_t n = 0;
    while (d && (de = readdir(d)) != NULL && n < S_FILES_MAX) {
        size_t len = strlen(de->d_name);
        if (len > 4 && strcasecmp(de->d_name + len - 4, ".csv") == 0) {
            size_t size = strlen(dir) + len + 2;
            if (!(paths[n] = malloc(size))) {
                bench_die("out of memory");
            }
            snprintf(paths[n++], size, "%s/%s", dir, de->d_name);
        }
    }
    if (d) {
        closedir(d);
    }
    return n;
}

/* One interleaved round: baseline, load, alignment, changes (us each). */
static void s_round(const char *dir, char **paths, size_t n, size_t *bytes, size_t *lines,
                    double *base, double *load, double *align, double *changes)
{
    cc_err_t err;
    *base = s_fread(paths, n, bytes, lines);
    double t0 = bench_now();
    geo_t *g = geo_load_dir(dir, &err);
    double t1 = bench_now();
    geo_align_t *a = g ? geo_align(g, NULL, &err) : NULL;
    double t2 = bench_now();
    if (!a) {
        bench_die("footprint alignment over %s: %s", dir, err.msg);
    }
    double t3 = bench_now();
    geo_changes_t *c = geo_changes(g, "CCG18", g, "CCG20", &err);
    double t4 = bench_now();
    if (!c) {
        bench_die("footprint changes CCG18 -> CCG20 over %s: %s", dir, err.msg);
    }
    geo_changes_destroy(&c);
    geo_align_destroy(&a);
    geo_destroy(&g);
    *load = 1e6 * (t1 - t0);
    *align = 1e6 * (t2 - t1);
    *changes = 1e6 * (t4 - t3);
    *base *= 1e6;
}

/* "target: X <= N ms: met (median M ms)" on the last row. */
static void s_target(bench_t *b, const char *what, double target_ms)
{
    bench_row_t *r = &b->rows[b->n_rows - 1];
    size_t used = strlen(r->note);
    snprintf(r->note + used, sizeof r->note - used, "%starget: %s <= %.0f ms: %s (median %.1f ms)",
             used ? "; " : "", what, target_ms,
             r->concord.median / 1000.0 <= target_ms ? "met" : "MISSED", r->concord.median / 1000.0);
}

static void s_row(bench_t *b, const char *measure, const double *us, const bench_stats_t *base,
                  size_t n, size_t bytes, const char *note)
{
    bench_row_t *r = bench_row(b, "6");
    double *copy = malloc(n * sizeof *copy);
    if (!copy) {
        bench_die("out of memory");
    }
    memcpy(copy, us, n * sizeof *copy);
    snprintf(r->measure, sizeof r->measure, "%s", measure);
    snprintf(r->baseline, sizeof r->baseline, "fread + count newlines, same files");
    snprintf(r->unit, sizeof r->unit, "us");
    snprintf(r->note, sizeof r->note, "%s", note);
    bench_stats(copy, n, &r->concord);
    r->base = *base;
    r->bytes = bytes;
    r->count = n;
    bench_row_finish(r);
    free(copy);
}

void bench_fig_geo(bench_t *b)
{
    char *paths[S_FILES_MAX], note[320];
    const char *dir = geo_data_dir(NULL);
    size_t n = s_list(dir, paths), reps = b->quick ? 5 : 200, bytes = 0, lines = 0;
    double *base = calloc(reps, sizeof *base), *load = calloc(reps, sizeof *load),
           *align = calloc(reps, sizeof *align), *changes = calloc(reps, sizeof *changes);
    bench_stats_t bs;
    if (n == 0) {
        bench_die("no ONS CSV files in %s", dir);
    }
    if (!base || !load || !align || !changes) {
        bench_die("out of memory");
    }
    bench_note("figure 6: %zu rounds over %zu files in %s", reps, n, dir);
    for (size_t r = 0; r <= reps; r++) { /* round 0 warms the page cache */
        size_t i = r ? r - 1 : 0;
        s_round(dir, paths, n, &bytes, &lines, &base[i], &load[i], &align[i], &changes[i]);
    }
    bench_stats(base, reps, &bs);
    snprintf(note, sizeof note,
             "%zu files, %zu bytes, %zu lines: every shipped vintage (2017, 2018, 2020)", n,
             bytes, lines);
    s_row(b, "load the shipped ONS lookups", load, &bs, reps, bytes, note);
    s_target(b, "load", S_LOAD_TARGET_MS);
    s_row(b, "full STP alignment (after load)", align, &bs, reps, bytes,
          "newest STP vintage; every CCG, council and footprint classified");
    s_target(b, "alignment after load", S_ALIGN_TARGET_MS);
    s_row(b, "changes CCG18 -> CCG20 (after load)", changes, &bs, reps, bytes,
          "every LSOA followed across two vintages");
    s_target(b, "changes after load", S_CHANGES_TARGET_MS);
    free(base);
    free(load);
    free(align);
    free(changes);
    for (size_t i = 0; i < n; i++) {
        free(paths[i]);
    }
}
