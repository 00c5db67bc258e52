/* geo_bench: times loading the ONS lookups and computing the alignment,
 * against a baseline measured in the same run: reading the same bytes
 * with fread and counting newlines, the least any loader must do. Prints
 * median and p99 of each, and their ratios to the baseline, so figures
 * from different machines can be compared.
 *
 * Usage: geo_bench [--data-dir DIR] [--repeat N] [--layer LAYER] */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clock.h"
#include "geo.h"

#define BENCH_MAX_FILES 64

typedef struct {
    const char *name;
    uint64_t *us;
} s_series_t;

static int s_cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The nearest-rank percentile p (0..100) of n sorted samples. */
static uint64_t s_pct(const uint64_t *sorted, size_t n, unsigned p)
{
    size_t rank = (n * p + 99) / 100;
    return sorted[rank ? rank - 1 : 0];
}

/* Reads every file whole, counting newlines: the baseline. */
static uint64_t s_baseline(char **paths, size_t n, size_t *lines)
{
    static char buf[64 * 1024];
    uint64_t t0 = clock_mono_us();
    *lines = 0;
    for (size_t i = 0; i < n; i++) {
        FILE *f = fopen(paths[i], "rb");
        size_t got;
        while (f && (got = fread(buf, 1, sizeof buf, f)) > 0) {
            for (const char *p = buf; (p = memchr(p, '\n', (size_t)(buf + got - p))) != NULL; p++) {
                (*lines)++;
            }
        }
        if (f) {
            fclose(f);
        }
    }
    return clock_mono_us() - t0;
}

static size_t s_list(const char *dir, char **paths)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    size_t n = 0;
    while (d && (de = readdir(d)) != NULL && n < BENCH_MAX_FILES) {
        size_t len = strlen(de->d_name);
        if (len > 4 && strcasecmp(de->d_name + len - 4, ".csv") == 0) {
            size_t size = strlen(dir) + len + 2;
            if ((paths[n] = malloc(size)) != NULL) {
                snprintf(paths[n++], size, "%s/%s", dir, de->d_name);
            }
        }
    }
    if (d) {
        closedir(d);
    }
    return n;
}

static void s_report(const s_series_t *s, size_t reps, uint64_t base_median)
{
    qsort(s->us, reps, sizeof *s->us, s_cmp_u64);
    uint64_t med = s_pct(s->us, reps, 50), p99 = s_pct(s->us, reps, 99);
    printf("%-26s median %8.3f ms   p99 %8.3f ms   x%.1f baseline\n", s->name, med / 1000.0,
           p99 / 1000.0, base_median ? (double)med / (double)base_median : 0.0);
}

/* One round, interleaved so all three see the same machine load: the
 * baseline, the load, the alignment, and load plus alignment. */
static void s_round(const char *dir, const char *layer, char **paths, size_t n, size_t *lines,
                    uint64_t *us)
{
    cc_err_t err;
    us[0] = s_baseline(paths, n, lines);
    uint64_t t0 = clock_mono_us();
    geo_t *g = geo_load_dir(dir, &err);
    uint64_t t1 = clock_mono_us();
    geo_align_t *a = g ? geo_align(g, layer, &err) : NULL;
    uint64_t t2 = clock_mono_us();
    geo_align_destroy(&a);
    geo_destroy(&g);
    us[1] = t1 - t0;
    us[2] = t2 - t1;
    us[3] = t2 - t0;
}

static int s_run(const char *dir, const char *layer, size_t reps)
{
    char *paths[BENCH_MAX_FILES];
    size_t n = s_list(dir, paths), lines = 0;
    s_series_t s[4] = {{"baseline (fread + count)", NULL},
                       {"load", NULL},
                       {"alignment", NULL},
                       {"load + alignment", NULL}};
    int rc = 1;
    for (int i = 0; i < 4; i++) {
        s[i].us = calloc(reps, sizeof *s[i].us);
    }
    if (n == 0 || !s[0].us || !s[1].us || !s[2].us || !s[3].us) {
        fprintf(stderr, "geo_bench: no CSV files in %s (or out of memory)\n", dir);
        goto out;
    }
    for (size_t r = 0; r <= reps; r++) { /* round 0 warms the page cache */
        uint64_t us[4];
        s_round(dir, layer, paths, n, &lines, us);
        for (int i = 0; r > 0 && i < 4; i++) {
            s[i].us[r - 1] = us[i];
        }
    }
    printf("%zu files, %zu lines, %zu repetitions, layer %s\n", n, lines, reps,
           layer ? layer : GEO_DEFAULT_LAYER);
    qsort(s[0].us, reps, sizeof *s[0].us, s_cmp_u64);
    uint64_t base_median = s_pct(s[0].us, reps, 50);
    for (int i = 0; i < 4; i++) {
        s_report(&s[i], reps, base_median);
    }
    rc = 0;
out:
    for (int i = 0; i < 4; i++) {
        free(s[i].us);
    }
    for (size_t i = 0; i < n; i++) {
        free(paths[i]);
    }
    return rc;
}

int main(int argc, char **argv)
{
    const char *dir = CONCORD_DATA_DIR, *layer = NULL;
    size_t reps = 50;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--data-dir") == 0) {
            dir = argv[i + 1];
        } else if (strcmp(argv[i], "--repeat") == 0) {
            reps = strtoul(argv[i + 1], NULL, 10);
        } else if (strcmp(argv[i], "--layer") == 0) {
            layer = argv[i + 1];
        }
    }
    if (reps == 0 || reps > 100000) {
        fprintf(stderr, "usage: geo_bench [--data-dir DIR] [--repeat 1..100000] [--layer L]\n");
        return 2;
    }
    /* Check once that the data loads, so a bad directory is not timed. */
    cc_err_t err;
    geo_t *g = geo_load_dir(dir, &err);
    geo_align_t *a = g ? geo_align(g, layer, &err) : NULL;
    if (!a) {
        fprintf(stderr, "geo_bench: %s\n", err.msg);
        geo_destroy(&g);
        return 1;
    }
    geo_align_destroy(&a);
    geo_destroy(&g);
    return s_run(dir, layer, reps);
}
