/* SPDX-License-Identifier: Apache-2.0 */
/* bench: the benchmark harness shared by concord_bench's figures.
 *
 * Every figure measures a Concord path and, in the same run, a baseline
 * that does the least the same job could do (raw libsodium, a bare
 * libzmq ROUTER), and reports both and their ratio as rows of one table.
 * Ratios are what count: absolute figures move with the machine and with
 * whatever else it is running.
 *
 * Processes are real: a federation made with the `concord` CLI in a
 * temporary directory, the real concord-broker and concordd binaries from
 * the build directory, on loopback TCP only. Every loop is bounded both in
 * count and in time; every child is killed (and the directory removed) when
 * the harness exits, even on failure. */
#ifndef CONCORD_BENCH_H
#define CONCORD_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "keys.h"
#include "roster.h"

#define BENCH_ORGS 23          /* organisations in the bench federation */
#define BENCH_BODY_BYTES 200   /* body of a "typical" envelope */
#define BENCH_ROWS_MAX 64

/* ---- statistics ---- */

typedef struct {
    size_t n;
    double median;
    double p99;     /* 99th percentile (nearest rank) */
    double p1;      /* 1st percentile */
    double mean;
} bench_stats_t;

/* Sorts v (n >= 1) in place and fills *out. */
void bench_stats(double *v, size_t n, bench_stats_t *out);

/* Monotonic time in seconds, nanosecond resolution. */
double bench_now(void);

/* ---- results ---- */

/* One line of the table: a Concord figure beside its baseline. For rates
 * (higher is better) the tail is the 1st percentile of per-batch rates (99%
 * of batches were at least that fast); for latencies it is the 99th
 * percentile. ratio = Concord median / baseline median. */
typedef struct {
    char figure[8];
    char measure[96];      /* what Concord did */
    char baseline[96];     /* what the baseline did */
    char unit[24];
    int higher_better;
    bench_stats_t concord;
    bench_stats_t base;
    double ratio;
    char target[32];       /* e.g. ">= 0.70"; empty if the issue sets none */
    int target_met;        /* 1, 0, or -1 when there is no target */
    size_t bytes;          /* message size in bytes */
    size_t count;          /* operations measured on the Concord side */
    char note[320];
    int skipped;           /* 1: not measured; note says why */
} bench_row_t;

typedef struct {
    int quick;
    int keep;                    /* keep the federation directory */
    unsigned window;             /* envelopes in flight per sender (figure 2) */
    size_t envelopes;            /* envelopes per broker run (figure 2) */
    size_t pings;                /* calls per RPC run (figure 3) */
    int want[10];                /* want[i]: figure i selected */
    char bin_dir[512];           /* where concord, concord-broker, concordd are */
    double verify_rate;          /* median raw verify/s from figure 1 (0: not yet) */
    bench_stats_t verify_stats;
    bench_row_t rows[BENCH_ROWS_MAX];
    size_t n_rows;
    char started[64];
} bench_t;

/* Appends a zeroed row and returns it (dies when the table is full). */
bench_row_t *bench_row(bench_t *b, const char *figure);

/* Computes ratio and target_met from the stats and the target text
 * (">= X" or "<= X"). */
void bench_row_finish(bench_row_t *r);

/* Prints the table to stdout. */
void bench_print(const bench_t *b);

/* Writes the same as JSON. Returns 0, or -1 if the file cannot be written. */
int bench_write_json(const bench_t *b, const char *path);

/* Prints a message and exits with status 1; children are killed and the
 * directory removed by the exit handler. */
void bench_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Progress on stderr (not part of the table). */
void bench_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- federation and processes ---- */

typedef struct {
    char dir[128];
    const char *bin_dir;
    int n;
    char codes[BENCH_ORGS][KEYS_CODE_MAX + 1];
    keys_t *keys[BENCH_ORGS];
    roster_t *roster;
} bench_fed_t;

/* Creates BENCH_ORGS organisations with keys and a roster signed by all,
 * using the real `concord` CLI, in a fresh temporary directory that the
 * exit handler removes (unless keep). Dies on failure. */
void bench_fed_create(bench_fed_t *f, const char *bin_dir, int keep);
void bench_fed_destroy(bench_fed_t *f);

typedef struct {
    pid_t pid;
    int port;
    char endpoint[64];
    char tag[32];
    char control[400];     /* a node's control socket path */
} bench_proc_t;

/* Starts concord-broker with its own log database data/TAG-broker.db
 * (fresh), fsync on or off, on a free loopback port. Dies on failure. */
void bench_broker_start(bench_fed_t *f, const char *tag, int fsync, bench_proc_t *out);
/* The same, fsync off, with the broker's default per-member quotas (not
 * off) and extra lines (may be "") in its [broker] section. */
void bench_broker_start_quotas(bench_fed_t *f, const char *tag, const char *extra,
                               bench_proc_t *out);
/* The same with extra lines (may be NULL) appended to its configuration. */
void bench_broker_start_conf(bench_fed_t *f, const char *tag, int fsync, const char *extra,
                             bench_proc_t *out);
/* The same with the broker's store in PostgreSQL: a fresh database named
 * after tag on the server CONCORD_BENCH_PG names (a libpq conninfo such as
 * "host=/run/postgresql user=concord", for a role that may create
 * databases), its schema made with --init-store. Returns -1 (nothing
 * started) when CONCORD_BENCH_PG is not set. */
int bench_broker_start_pg(bench_fed_t *f, const char *tag, int fsync, bench_proc_t *out);

/* Starts concordd for organisation i against broker, with its own fresh
 * ledger data/TAG-CODE.db and control socket run/TAG-CODE.sock (its path
 * in out->control); extra (may be NULL) is appended to its [node] section. */
void bench_node_start(bench_fed_t *f, int i, const char *tag, int fsync,
                      const bench_proc_t *broker, const char *extra, bench_proc_t *out);

/* Runs `concord ARGS...` (NULL-terminated) to completion. With out, its
 * standard output is stored there, NUL-terminated and truncated to
 * out_size; otherwise it goes to logs/cli.log. Dies unless it exits 0. */
void bench_cli(const bench_fed_t *f, const char *const *args, char *out, size_t out_size);

/* Forks and execs argv with stdout and stderr appended to log. The child
 * dies with the harness (PR_SET_PDEATHSIG) and is killed by the exit
 * handler. Dies if it cannot fork. */
pid_t bench_spawn(const char *log, char *const argv[]);

/* Waits up to ms for pid; returns its status as a shell would, or -1 if it
 * is still running. */
int bench_wait(pid_t pid, int ms);

/* SIGTERM, then SIGKILL after 10 s. Returns the exit status (128+signal
 * when killed), or -1. */
int bench_proc_stop(bench_proc_t *p);

/* A DEALER with CURVE for organisation i, connected to the broker, with
 * high-water marks of 100000 and no linger. */
void *bench_dealer(void *ctx, const bench_fed_t *f, int i, const char *endpoint);

/* Packs a sealed envelope into a NodeFrame{submit}: malloc'd, caller
 * frees. Dies on failure. */
uint8_t *bench_submit_frame(const uint8_t *env, size_t env_len, size_t *out_len);

/* Waits until the broker answers a direct Health/Check query from
 * organisation i on sock, i.e. until the CURVE handshake and ZAP check are
 * done. Dies after timeout_ms. */
/* Lets an rpc_peer in the harness work (poll, process) until *flag is
 * set or timeout_ms passes; dies if its ledger fails (bench_rpc.c). */
struct rpc_peer;
void bench_pump(struct rpc_peer *p, const int *flag, int timeout_ms);
void bench_wait_broker(const bench_fed_t *f, int i, void *sock, int timeout_ms);

/* CPU seconds (user + system, all threads) used so far by process pid, or
 * by this process when pid is 0; 0 if unknown. Resolution: one clock tick. */
double bench_cpu_seconds(pid_t pid);

/* A free loopback TCP port. */
int bench_free_port(void);

/* ---- figures ---- */

void bench_fig_signing(bench_t *b);                       /* 1 */
void bench_fig_broker(bench_t *b, bench_fed_t *f);        /* 2 (and 7) */
void bench_fig_rpc(bench_t *b, bench_fed_t *f);           /* 3 (and 7) */
void bench_fig_board(bench_t *b, bench_fed_t *f);         /* 4 */
void bench_fig_scale(bench_t *b, bench_fed_t *f);         /* 5 */
void bench_fig_geo(bench_t *b);                           /* 6 */
void bench_fig_flood(bench_t *b, bench_fed_t *f);         /* 9 */

#endif
