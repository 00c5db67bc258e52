/* SPDX-License-Identifier: Apache-2.0 */
/* bench_util: statistics, the results table and its JSON form. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "json.h"

static int s_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Nearest-rank percentile p (0..100] of n sorted values. */
static double s_rank(const double *sorted, size_t n, double p)
{
    size_t rank = (size_t)ceil(p / 100.0 * (double)n);
    if (rank < 1) {
        rank = 1;
    }
    if (rank > n) {
        rank = n;
    }
    return sorted[rank - 1];
}

void bench_stats(double *v, size_t n, bench_stats_t *out)
{
    memset(out, 0, sizeof *out);
    if (n == 0) {
        return;
    }
    qsort(v, n, sizeof *v, s_cmp_double);
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        sum += v[i];
    }
    out->n = n;
    out->median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
    out->p99 = s_rank(v, n, 99.0);
    out->p1 = s_rank(v, n, 1.0);
    out->mean = sum / (double)n;
}

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void bench_die(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fputs("concord_bench: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

void bench_note(const char *fmt, ...)
{
    va_list ap;
    fputs("  .. ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

bench_row_t *bench_row(bench_t *b, const char *figure)
{
    if (b->n_rows >= BENCH_ROWS_MAX) {
        bench_die("too many result rows");
    }
    bench_row_t *r = &b->rows[b->n_rows++];
    memset(r, 0, sizeof *r);
    snprintf(r->figure, sizeof r->figure, "%s", figure);
    r->target_met = -1;
    return r;
}

void bench_row_finish(bench_row_t *r)
{
    r->ratio = r->base.median > 0 ? r->concord.median / r->base.median : 0;
    r->target_met = -1;
    if (r->skipped || !r->target[0] || r->base.median <= 0) {
        return;
    }
    double limit = strtod(r->target + 2, NULL);
    if (strncmp(r->target, ">=", 2) == 0) {
        r->target_met = r->ratio >= limit;
    } else if (strncmp(r->target, "<=", 2) == 0) {
        r->target_met = r->ratio <= limit;
    }
}

/* The tail printed for a row: p1 for rates, p99 for latencies. */
static double s_tail(const bench_row_t *r, const bench_stats_t *s)
{
    return r->higher_better ? s->p1 : s->p99;
}

static void s_num(char *buf, size_t size, double v)
{
    if (v >= 1000) {
        snprintf(buf, size, "%.0f", v);
    } else if (v >= 10) {
        snprintf(buf, size, "%.1f", v);
    } else {
        snprintf(buf, size, "%.2f", v);
    }
}

static void s_print_row(const bench_row_t *r)
{
    char cm[24] = "-", ct[24] = "-", bm[24] = "-", bt[24] = "-", ratio[16] = "-", target[40];
    if (!r->skipped) {
        s_num(cm, sizeof cm, r->concord.median);
        s_num(ct, sizeof ct, s_tail(r, &r->concord));
        s_num(bm, sizeof bm, r->base.median);
        s_num(bt, sizeof bt, s_tail(r, &r->base));
        snprintf(ratio, sizeof ratio, "%.3f", r->ratio);
    }
    snprintf(target, sizeof target, "%s%s", r->target[0] ? r->target : "-",
             r->target_met == 1 ? " met" : r->target_met == 0 ? " MISSED" : "");
    printf("%-3s %-38s %9s %9s  %-34s %9s %9s %7s %-13s %-8s %5zu %7zu\n", r->figure,
           r->measure, cm, ct, r->baseline, bm, bt, ratio, target, r->unit, r->bytes, r->count);
}

void bench_print(const bench_t *b)
{
    printf("\nconcord_bench (%s mode), %s\n", b->quick ? "quick" : "full", b->started);
    printf("%-3s %-38s %9s %9s  %-34s %9s %9s %7s %-13s %-8s %5s %7s\n", "FIG", "CONCORD",
           "MEDIAN", "TAIL*", "BASELINE (same run)", "MEDIAN", "TAIL*", "RATIO", "TARGET",
           "UNIT", "BYTES", "COUNT");
    for (size_t i = 0; i < b->n_rows; i++) {
        s_print_row(&b->rows[i]);
    }
    printf("* TAIL: for rates (/s) the 1st percentile of per-batch rates (99%% of batches were "
           "at least this fast); for times (us) the 99th percentile.\n"
           "  RATIO = Concord median / baseline median. BYTES: message size on the wire; "
           "COUNT: operations measured on the Concord side.\n");
    for (size_t i = 0; i < b->n_rows; i++) {
        if (b->rows[i].note[0]) {
            printf("  [%s] %s: %s\n", b->rows[i].figure, b->rows[i].measure, b->rows[i].note);
        }
    }
}

static void s_json_stats(json_t *j, const char *key, const bench_row_t *r,
                         const bench_stats_t *s)
{
    json_obj_begin(j, key);
    json_u64(j, "n", s->n);
    json_double(j, "median", s->median, 3);
    json_double(j, "tail", s_tail(r, s), 3);
    json_double(j, "p1", s->p1, 3);
    json_double(j, "p99", s->p99, 3);
    json_double(j, "mean", s->mean, 3);
    json_obj_end(j);
}

static void s_json_row(json_t *j, const bench_row_t *r)
{
    json_obj_begin(j, NULL);
    json_str(j, "figure", r->figure);
    json_str(j, "concord", r->measure);
    json_str(j, "baseline", r->baseline);
    json_str(j, "unit", r->unit);
    json_bool(j, "higher_is_better", r->higher_better);
    json_bool(j, "skipped", r->skipped);
    if (!r->skipped) {
        s_json_stats(j, "concord_stats", r, &r->concord);
        s_json_stats(j, "baseline_stats", r, &r->base);
        json_double(j, "ratio", r->ratio, 4);
    }
    json_str(j, "target", r->target[0] ? r->target : NULL);
    if (r->target_met >= 0) {
        json_bool(j, "target_met", r->target_met);
    }
    json_u64(j, "message_bytes", r->bytes);
    json_u64(j, "count", r->count);
    json_str(j, "note", r->note);
    json_obj_end(j);
}

int bench_write_json(const bench_t *b, const char *path)
{
    json_t j;
    json_init(&j);
    json_obj_begin(&j, NULL);
    json_str(&j, "tool", "concord_bench");
    json_str(&j, "mode", b->quick ? "quick" : "full");
    json_str(&j, "started", b->started);
    json_str(&j, "tail", "rates: 1st percentile of per-batch rates; times: 99th percentile");
    json_str(&j, "ratio", "concord median / baseline median");
    json_arr_begin(&j, "rows");
    for (size_t i = 0; i < b->n_rows; i++) {
        s_json_row(&j, &b->rows[i]);
    }
    json_arr_end(&j);
    json_obj_end(&j);
    char *text = json_take(&j);
    if (!text) {
        return -1;
    }
    FILE *fp = fopen(path, "w");
    int ok = fp && fputs(text, fp) >= 0 && fputc('\n', fp) != EOF;
    if (fp && fclose(fp) != 0) {
        ok = 0;
    }
    free(text);
    return ok ? 0 : -1;
}
