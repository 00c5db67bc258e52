/* bench_geo: figure 6, footprint alignment over the shipped ONS lookups.
 *
 * Concord: geo_load_dir over data/ons (every CSV, parsed, normalised and
 * joined into the model) and geo_align for the STP layer (every CCG,
 * council and footprint classified, splits found). Baseline: reading the
 * same files whole with fread and counting newlines, the least any loader
 * must do. Rounds interleave the baseline, the load and the alignment so
 * that all see the same machine load; the first round only warms the page
 * cache. The target for the alignment is absolute (100 ms after
 * load), so the row's note says whether it is met; the ratio is against
 * the baseline as everywhere else. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bench.h"
#include "geo.h"

#define S_FILES_MAX 64
#define S_ALIGN_TARGET_MS 100.0

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

/* One interleaved round: baseline, load, alignment (seconds each). */
static void s_round(const char *dir, char **paths, size_t n, size_t *bytes, size_t *lines,
                    double *base, double *load, double *align)
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
    geo_align_destroy(&a);
    geo_destroy(&g);
    *load = 1e6 * (t1 - t0);
    *align = 1e6 * (t2 - t1);
    *base *= 1e6;
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
           *align = calloc(reps, sizeof *align);
    bench_stats_t bs;
    if (n == 0) {
        bench_die("no ONS CSV files in %s", dir);
    }
    if (!base || !load || !align) {
        bench_die("out of memory");
    }
    bench_note("figure 6: %zu rounds over %zu files in %s", reps, n, dir);
    for (size_t r = 0; r <= reps; r++) { /* round 0 warms the page cache */
        size_t i = r ? r - 1 : 0;
        s_round(dir, paths, n, &bytes, &lines, &base[i], &load[i], &align[i]);
    }
    bench_stats(base, reps, &bs);
    snprintf(note, sizeof note, "%zu files, %zu bytes, %zu lines: LSOA, CCG, STP, LAD, CAUTH lookups",
             n, bytes, lines);
    s_row(b, "load the shipped ONS lookups", load, &bs, reps, bytes, note);
    s_row(b, "full STP alignment (after load)", align, &bs, reps, bytes, "");
    bench_row_t *r = &b->rows[b->n_rows - 1];
    snprintf(r->note, sizeof r->note,
             "every CCG, council and footprint classified; target: alignment <= %.0f ms after "
             "load: %s (median %.1f ms)",
             S_ALIGN_TARGET_MS, r->concord.median / 1000.0 <= S_ALIGN_TARGET_MS ? "met" : "MISSED",
             r->concord.median / 1000.0);
    free(base);
    free(load);
    free(align);
    for (size_t i = 0; i < n; i++) {
        free(paths[i]);
    }
}
