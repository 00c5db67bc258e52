/* SPDX-License-Identifier: Apache-2.0 */
/* concord_bench: each Concord figure beside its baseline, measured in one
 * run, printed as a table and written as JSON.
 *
 * Figures (numbered as in the benchmark issue):
 *   1 signing limit        envelope_seal/open vs raw libsodium Ed25519
 *   2 broker throughput    real concord-broker vs verify rate and a raw ROUTER
 *   3 RPC round trip       ping through the broker vs raw DEALER/ROUTER echo
 *   4 board decision round 23 concordd with automatic voting vs raw fan-out/fan-in
 *   5 scale                the all-England federation: launch, one national round, RSS
 *   6 footprint alignment  ONS load and STP alignment vs fread of the same files
 *   7 durability cost      2 and 3 with fsync on vs off
 *   9 flood                an honest ping's p99 while another member floods,
 *                          with the broker's quotas and without
 * A figure is added by writing bench_fig_<name>(bench_t *, bench_fed_t *)
 * that appends rows with bench_row(), and giving it a line in s_figures.
 *
 * Usage: concord_bench [--quick] [--json FILE] [--figures 1,2,3,7,9]
 *                      [--envelopes N] [--pings N] [--window N]
 *                      [--bin-dir DIR] [--keep] */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "bench.h"
#include "clock.h"
#include "log.h"

typedef struct {
    int number;
    const char *name;
    void (*run)(bench_t *b, bench_fed_t *f);   /* NULL: not measured here */
    int needs_fed;                              /* needs a running federation */
    const char *why_not;                        /* when run is NULL */
} s_figure_t;

static void s_signing(bench_t *b, bench_fed_t *f)
{
    (void)f;
    bench_fig_signing(b);
}

static void s_geo(bench_t *b, bench_fed_t *f)
{
    (void)f;
    bench_fig_geo(b);
}

static const s_figure_t s_figures[] = {
    {1, "signing limit", s_signing, 0, NULL},
    {2, "broker throughput", bench_fig_broker, 1, NULL},
    {3, "RPC round trip", bench_fig_rpc, 1, NULL},
    {4, "board decision round (23 members)", bench_fig_board, 1, NULL},
    {5, "scale (all-England, ~360 nodes)", bench_fig_scale, 1, NULL},
    {6, "footprint alignment", s_geo, 0, NULL},
    {7, "durability cost (fsync on vs off)", NULL, 1,
     "measured by figures 2 and 3"},
    {8, "decision certificate size", NULL, 1, "measured by figure 4"},
    {9, "an honest member during a flood", bench_fig_flood, 1, NULL},
};

/* Orders the rows by figure, keeping each figure's rows in the order they
 * were added (figures 2 and 3 add rows for figure 7 as they go). */
static void s_sort_rows(bench_t *b)
{
    for (size_t i = 1; i < b->n_rows; i++) {
        bench_row_t r = b->rows[i];
        size_t j = i;
        while (j > 0 && strcmp(b->rows[j - 1].figure, r.figure) > 0) {
            b->rows[j] = b->rows[j - 1];
            j--;
        }
        b->rows[j] = r;
    }
}

static void s_usage(FILE *fp)
{
    fputs("usage: concord_bench [--quick] [--json FILE] [--figures 1,2,3,7] [--envelopes N]\n"
          "                     [--pings N] [--window N] [--bin-dir DIR] [--keep]\n"
          "Measures each Concord figure beside its baseline in one run and prints both\n"
          "and their ratio. --quick: a few seconds, small counts (for CI).\n"
          "--figures: which figures (default all; 5 runs in full mode only).\n"
          "--envelopes: envelopes per broker run (figure 2); --pings: calls per RPC run\n"
          "(figure 3); --window: submissions in flight per sender (default 128).\n"
          "--bin-dir: where concord, concord-broker and concordd are (default: next to\n"
          "this program). --keep: keep the temporary federation directory.\n",
          fp);
}

static size_t s_count(const char *s, const char *what)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (!*s || *end || errno || v == 0 || v > 10000000ULL) {
        bench_die("%s must be a whole number from 1 to 10000000, not '%s'", what, s);
    }
    return (size_t)v;
}

static void s_parse_figures(bench_t *b, const char *list)
{
    memset(b->want, 0, sizeof b->want);
    for (const char *p = list; *p; p++) {
        if (*p >= '1' && *p <= '9') {
            b->want[*p - '0'] = 1;
        } else if (*p != ',' && *p != ' ') {
            bench_die("--figures takes numbers 1 to 9 separated by commas, not '%s'", list);
        }
    }
}

/* The directory holding this program, where the build puts the daemons. */
static void s_default_bin_dir(bench_t *b)
{
    char self[512];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        snprintf(b->bin_dir, sizeof b->bin_dir, "%s", dirname(self));
        char probe[600];
        snprintf(probe, sizeof probe, "%s/concord-broker", b->bin_dir);
        if (access(probe, X_OK) == 0) {
            return;
        }
    }
    snprintf(b->bin_dir, sizeof b->bin_dir, "%s", CONCORD_BIN_DIR);
}

static void s_check_bins(const bench_t *b)
{
    const char *progs[] = {"concord", "concord-broker", "concordd"};
    for (size_t i = 0; i < 3; i++) {
        char path[600];
        snprintf(path, sizeof path, "%s/%s", b->bin_dir, progs[i]);
        if (access(path, X_OK) != 0) {
            bench_die("%s not found (build the project first, or pass --bin-dir)", path);
        }
    }
}

static void s_parse(bench_t *b, int argc, char **argv, const char **json)
{
    static const struct option opts[] = {
        {"quick", no_argument, NULL, 'q'},          {"json", required_argument, NULL, 'j'},
        {"figures", required_argument, NULL, 'f'},  {"envelopes", required_argument, NULL, 'e'},
        {"pings", required_argument, NULL, 'p'},    {"window", required_argument, NULL, 'w'},
        {"bin-dir", required_argument, NULL, 'b'},  {"keep", no_argument, NULL, 'k'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0}};
    size_t envelopes = 0, pings = 0;
    int c;
    s_parse_figures(b, "1,2,3,4,5,6,7,8,9");
    b->window = 128;
    s_default_bin_dir(b);
    while ((c = getopt_long(argc, argv, "qj:f:e:p:w:b:kh", opts, NULL)) != -1) {
        switch (c) {
        case 'q': b->quick = 1; break;
        case 'j': *json = optarg; break;
        case 'f': s_parse_figures(b, optarg); break;
        case 'e': envelopes = s_count(optarg, "--envelopes"); break;
        case 'p': pings = s_count(optarg, "--pings"); break;
        case 'w': b->window = (unsigned)s_count(optarg, "--window"); break;
        case 'b': snprintf(b->bin_dir, sizeof b->bin_dir, "%s", optarg); break;
        case 'k': b->keep = 1; break;
        case 'h': s_usage(stdout); exit(0);
        default: s_usage(stderr); exit(2);
        }
    }
    if (optind != argc) {
        s_usage(stderr);
        exit(2);
    }
    b->envelopes = envelopes ? envelopes : b->quick ? 400 : 30000;
    b->pings = pings ? pings : b->quick ? 15 : 1000;
    /* Figure 7 is figures 2 and 3 run twice; figure 2 compares with the
     * verify rate of figure 1. */
    if (b->want[7]) {
        b->want[2] = b->want[3] = 1;
    }
    /* Figure 8 is the certificate of figure 4's board after its rounds. */
    if (b->want[8]) {
        b->want[4] = 1;
    }
    if (b->want[2]) {
        b->want[1] = 1;
    }
}

int main(int argc, char **argv)
{
    static bench_t b;   /* large: the rows */
    bench_fed_t fed;
    const char *json = NULL;
    int have_fed = 0;
    s_parse(&b, argc, argv, &json);
    log_set_ident("concord_bench");
    log_set_level(LOG_LVL_WARN);
    if (sodium_init() < 0) {
        bench_die("libsodium failed to initialise");
    }
    char when[40];
    clock_format(clock_wall_ms(), when, sizeof when);
    snprintf(b.started, sizeof b.started, "%.32s, %ld CPUs", when,
             sysconf(_SC_NPROCESSORS_ONLN));
    for (size_t i = 0; i < sizeof s_figures / sizeof s_figures[0]; i++) {
        const s_figure_t *fig = &s_figures[i];
        if (!b.want[fig->number]) {
            continue;
        }
        if (!fig->run) {
            if (fig->number == 7 || fig->number == 8) {
                continue; /* its rows come from figures 2 and 3, or 4 */
            }
            char num[16];
            snprintf(num, sizeof num, "%d", fig->number);
            bench_row_t *r = bench_row(&b, num);
            snprintf(r->measure, sizeof r->measure, "%s", fig->name);
            snprintf(r->baseline, sizeof r->baseline, "-");
            snprintf(r->note, sizeof r->note, "%s", fig->why_not);
            r->skipped = 1;
            continue;
        }
        if (fig->needs_fed && !have_fed) {
            s_check_bins(&b);
            bench_note("creating a federation of %d organisations with %s/concord", BENCH_ORGS,
                       b.bin_dir);
            bench_fed_create(&fed, b.bin_dir, b.keep);
            have_fed = 1;
        }
        fprintf(stderr, "figure %d: %s\n", fig->number, fig->name);
        fig->run(&b, &fed);
    }
    if (have_fed) {
        bench_fed_destroy(&fed);
    }
    s_sort_rows(&b);
    bench_print(&b);
    if (json && bench_write_json(&b, json) < 0) {
        bench_die("cannot write %s", json);
    }
    return 0;
}
