/* SPDX-License-Identifier: Apache-2.0 */
/* launch: start, watch and stop a federation's processes on one machine. */
#include "launch.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "proc.h"
#include "clock.h"
#include "config.h"
#include "control_client.h"
#include "json.h"
#include "wire.h"

#define S_BROKER "broker"
#define S_STOP_WAIT_MS 30000
#define S_TAIL_BYTES 600

/* One process of the federation: the broker (i == n_orgs) or a node. */
typedef struct {
    const char *name; /* "broker" or the organisation's code */
    pid_t pid;        /* 0: not running */
    int started;      /* by this call */
    int healthy;
    uint64_t since_ms;
} s_proc_t;

typedef struct {
    const char *dir;
    const federation_t *f;
    char bin[PATH_MAX];
    s_proc_t *procs; /* n_orgs nodes, then the broker */
    size_t n;
} s_fed_t;

static void s_path(const s_fed_t *x, char *out, size_t size, const char *sub, const char *name,
                   const char *ext)
{
    snprintf(out, size, "%s/%s/%s%s", x->dir, sub, name, ext);
}

/* 1 if pid runs one of our programs (a stale pid file may name a pid
 * the system has since given to something else). */
static int s_ours(pid_t pid)
{
    char path[64], cmd[PATH_MAX];
    snprintf(path, sizeof path, "/proc/%ld/cmdline", (long)pid);
    FILE *fp = fopen(path, "r");
    size_t n = fp ? fread(cmd, 1, sizeof cmd - 1, fp) : 0;
    if (fp) {
        fclose(fp);
    }
    cmd[n] = '\0';
    return n > 0 && strstr(cmd, "concord") != NULL;
}

/* How the last child reaped by s_alive ended, for messages. */
static char s_ended[64];

/* 1 while pid runs. Our own children are reaped here, so an exited
 * child is not mistaken for a running one; another process's pid (from a
 * pid file) must still run one of our programs. */
static int s_alive(pid_t pid)
{
    int status = 0;
    if (pid <= 0) {
        return 0;
    }
    pid_t w = waitpid(pid, &status, WNOHANG);
    if (w == 0) {
        return 1; /* our child, still running (perhaps still in exec) */
    }
    if (w == pid) {
        if (WIFSIGNALED(status)) {
            snprintf(s_ended, sizeof s_ended, "was killed by signal %d", WTERMSIG(status));
        } else {
            snprintf(s_ended, sizeof s_ended, "exited with status %d", WEXITSTATUS(status));
        }
        return 0;
    }
    snprintf(s_ended, sizeof s_ended, "exited");
    return kill(pid, 0) == 0 && s_ours(pid);
}

/* Reads the pid file of every process; keeps the pids that still run. */
static int s_load(s_fed_t *x, const char *dir, const federation_t *f)
{
    x->dir = dir;
    x->f = f;
    x->n = f->n_orgs + 1;
    x->procs = calloc(x->n, sizeof *x->procs);
    if (!x->procs) {
        return -1;
    }
    for (size_t i = 0; i < x->n; i++) {
        s_proc_t *p = &x->procs[i];
        char path[PATH_MAX];
        long pid = 0;
        p->name = i < f->n_orgs ? f->orgs[i].code : S_BROKER;
        s_path(x, path, sizeof path, "run", p->name, ".pid");
        FILE *fp = fopen(path, "r");
        if (fp && fscanf(fp, "%ld", &pid) == 1 && s_alive((pid_t)pid)) {
            p->pid = (pid_t)pid;
        }
        if (fp) {
            fclose(fp);
        }
    }
    return 0;
}

/* Where concord-broker and concordd are: $CONCORD_BIN, else beside us (a
 * build tree), else where the install put them relative to us (bin/../sbin). */
static int s_bin_dir(s_fed_t *x, cc_err_t *err)
{
    const char *env = getenv("CONCORD_BIN");
    if (env && *env) {
        snprintf(x->bin, sizeof x->bin, "%s", env);
    } else {
        ssize_t n = readlink("/proc/self/exe", x->bin, sizeof x->bin - 1);
        char *slash = n > 0 ? (x->bin[n] = '\0', strrchr(x->bin, '/')) : NULL;
        if (!slash) {
            err_set(err, CC_FAILED_PRECONDITION, "cannot find this program's directory");
            return -1;
        }
        *slash = '\0';
        char beside[PATH_MAX + 32];
        snprintf(beside, sizeof beside, "%s/concordd", x->bin);
        size_t len = strlen(x->bin);
        if (access(beside, X_OK) != 0 && len + sizeof CONCORD_SBIN_RELATIVE + 1 < sizeof x->bin) {
            snprintf(x->bin + len, sizeof x->bin - len, "/%s", CONCORD_SBIN_RELATIVE);
        }
    }
    static const char *const progs[] = {"concord-broker", "concordd"};
    for (size_t i = 0; i < 2; i++) {
        char path[PATH_MAX + 32];
        snprintf(path, sizeof path, "%s/%s", x->bin, progs[i]);
        if (access(path, X_OK) != 0) {
            err_set(err, CC_FAILED_PRECONDITION,
                    "%s not found (set CONCORD_BIN to the directory"
                    " holding concord-broker and concordd)",
                    path);
            return -1;
        }
    }
    return 0;
}

/* Starts one process detached, its output appended to its log. */
static int s_spawn(s_fed_t *x, s_proc_t *p, cc_err_t *err)
{
    char prog[PATH_MAX + 32], cfg[PATH_MAX], log[PATH_MAX], pidf[PATH_MAX];
    int broker = strcmp(p->name, S_BROKER) == 0;
    snprintf(prog, sizeof prog, "%s/%s", x->bin, broker ? "concord-broker" : "concordd");
    if (broker) {
        snprintf(cfg, sizeof cfg, "%s/broker.ini", x->dir);
    } else {
        s_path(x, cfg, sizeof cfg, "nodes", p->name, ".ini");
    }
    s_path(x, log, sizeof log, "logs", p->name, ".log");
    s_path(x, pidf, sizeof pidf, "run", p->name, ".pid");
    char *args[] = {prog, "--config", cfg, NULL};
    proc_spec_t spec = {.argv = args, .log = log, .detach = 1};
    pid_t pid = proc_spawn(&spec, err);
    if (pid < 0) {
        return -1;
    }
    p->pid = pid;
    p->started = 1;
    p->healthy = 0;
    p->since_ms = clock_mono_ms();
    FILE *fp = fopen(pidf, "w");
    if (!fp || fprintf(fp, "%ld\n", (long)pid) < 0 || fclose(fp) != 0) {
        err_set(err, CC_INVALID_ARGUMENT, "cannot write %s", pidf);
        return -1;
    }
    return 0;
}

/* The last bytes of a process's log, for failure messages. */
static void s_tail(const s_fed_t *x, const char *name, char *out, size_t size)
{
    char path[PATH_MAX];
    s_path(x, path, sizeof path, "logs", name, ".log");
    out[0] = '\0';
    FILE *fp = fopen(path, "r");
    if (!fp) {
        return;
    }
    if (fseek(fp, 0, SEEK_END) == 0) {
        long end = ftell(fp);
        long from = end > (long)size - 1 ? end - (long)size + 1 : 0;
        if (fseek(fp, from, SEEK_SET) == 0) {
            size_t n = fread(out, 1, size - 1, fp);
            out[n] = '\0';
        }
    }
    fclose(fp);
}

/* 1 if node i answers its control socket and reports a connection. */
static int s_connected(const s_fed_t *x, size_t i, int timeout_ms)
{
    char path[PATH_MAX];
    config_node_t cfg;
    cc_err_t err;
    Concord__V1__StatusRequest in = CONCORD__V1__STATUS_REQUEST__INIT;
    Concord__V1__StatusReply *st = NULL;
    s_path(x, path, sizeof path, "nodes", x->procs[i].name, ".ini");
    if (config_load_node(path, &cfg, &err) < 0 ||
        !(st = (Concord__V1__StatusReply *)control_client_call(cfg.control, "Status", &in.base,
                                                               timeout_ms, NULL, &err))) {
        return 0;
    }
    int ok = st->connected;
    wire_free(&st->base);
    return ok;
}

/* Soft limit up to the hard one: the broker holds a socket per node, and
 * the children inherit the limit. */
static void s_raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

/* On a terminal one line rewritten; otherwise a line each 50 nodes. */
static void s_progress(const launch_opts_t *o, size_t before, size_t healthy, size_t total)
{
    if (o->quiet) {
        return;
    }
    if (isatty(STDOUT_FILENO)) {
        printf("\rhealthy %zu/%zu%s", healthy, total, healthy == total ? "\n" : "");
    } else if (healthy == total || healthy / 50 != before / 50) {
        printf("healthy %zu/%zu\n", healthy, total);
    }
    fflush(stdout);
}

/* One pass over the nodes starting: failures first, then health.
 * Returns the number newly healthy, or -1 with err. */
static int s_check_starting(s_fed_t *x, const launch_opts_t *o, cc_err_t *err)
{
    char tail[S_TAIL_BYTES];
    int newly = 0;
    for (size_t i = x->n; i-- > 0;) { /* the broker first: without it no node connects */
        s_proc_t *p = &x->procs[i];
        int broker = i == x->n - 1;
        if (!broker && (!p->started || p->healthy)) {
            continue;
        }
        const char *why = NULL;
        if (!s_alive(p->pid)) {
            why = s_ended;
        } else if (broker) {
            continue; /* running is all the broker can tell */
        } else if (s_connected(x, i, 2000)) {
            p->healthy = 1;
            newly++;
            continue;
        } else if (clock_mono_ms() - p->since_ms > (uint64_t)o->timeout_s * 1000) {
            why = "did not connect in time";
        }
        if (why) {
            s_tail(x, p->name, tail, sizeof tail);
            err_set(err, CC_UNAVAILABLE, "%s %s (pid %ld); the end of %s/logs/%s.log:\n%s", p->name,
                    why, (long)p->pid, x->dir, p->name, tail);
            return -1;
        }
    }
    return newly;
}

static int s_stop_group(s_fed_t *x, s_proc_t *procs, size_t n, cc_err_t *err);

/* Starts nodes, at most o->parallel not yet healthy at a time. */
static int s_start_nodes(s_fed_t *x, const launch_opts_t *o, cc_err_t *err)
{
    size_t nodes = x->n - 1, healthy = 0, next = 0, starting = 0;
    for (size_t i = 0; i < nodes; i++) {
        healthy += x->procs[i].pid != 0;
        x->procs[i].healthy = x->procs[i].pid != 0;
    }
    while (healthy < nodes) {
        for (; next < nodes && starting < (size_t)o->parallel; next++) {
            if (!x->procs[next].pid) {
                if (s_spawn(x, &x->procs[next], err) < 0) {
                    return -1;
                }
                starting++;
            }
        }
        int newly = s_check_starting(x, o, err);
        if (newly < 0) {
            return -1;
        }
        if (newly > 0) {
            s_progress(o, healthy, healthy + (size_t)newly, nodes);
            healthy += (size_t)newly;
            starting -= (size_t)newly;
        } else {
            struct timespec ts = {0, 100 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    return 0;
}

int launch_start(const char *dir, const federation_t *f, const launch_opts_t *o, cc_err_t *err)
{
    s_fed_t x;
    memset(&x, 0, sizeof x);
    if (s_load(&x, dir, f) < 0) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    int rc = -1;
    s_proc_t *broker = &x.procs[x.n - 1];
    if (s_bin_dir(&x, err) < 0) {
        goto out;
    }
    s_raise_nofile();
    if (!broker->pid && s_spawn(&x, broker, err) < 0) {
        goto out;
    }
    rc = s_start_nodes(&x, o, err);
    if (rc < 0 && !o->quiet && isatty(STDOUT_FILENO)) {
        putchar('\n'); /* end the progress line before the error */
    }
out:
    if (rc < 0) { /* stop what this call started, and only that */
        for (size_t i = 0; i < x.n; i++) {
            char pidf[PATH_MAX];
            if (!x.procs[i].started) {
                x.procs[i].pid = 0;
                continue;
            }
            s_path(&x, pidf, sizeof pidf, "run", x.procs[i].name, ".pid");
            unlink(pidf);
        }
        s_stop_group(&x, x.procs, x.n, NULL);
    }
    free(x.procs);
    return rc;
}

/* Waits up to ms for every listed process to end; returns how many did. */
static size_t s_wait_gone(s_proc_t *procs, size_t n, uint64_t ms)
{
    uint64_t until = clock_mono_ms() + ms;
    size_t gone = 0;
    while (1) {
        gone = 0;
        for (size_t i = 0; i < n; i++) {
            gone += !procs[i].pid || !s_alive(procs[i].pid);
        }
        if (gone == n || clock_mono_ms() > until) {
            return gone;
        }
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

/* SIGTERM to procs, wait, SIGKILL what is left. Returns 0 or -1. */
static int s_stop_group(s_fed_t *x, s_proc_t *procs, size_t n, cc_err_t *err)
{
    size_t asked = 0;
    for (size_t i = 0; i < n; i++) {
        asked += procs[i].pid && kill(procs[i].pid, SIGTERM) == 0;
    }
    if (asked == 0 || s_wait_gone(procs, n, S_STOP_WAIT_MS) == n) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (procs[i].pid && s_alive(procs[i].pid)) {
            err_set(err, CC_DEADLINE_EXCEEDED, "%s (pid %ld) did not stop within %d s; killed",
                    procs[i].name, (long)procs[i].pid, S_STOP_WAIT_MS / 1000);
            kill(procs[i].pid, SIGKILL);
        }
    }
    s_wait_gone(procs, n, 5000);
    (void)x;
    return -1;
}

int launch_stop(const char *dir, const federation_t *f, int quiet, cc_err_t *err)
{
    s_fed_t x;
    memset(&x, 0, sizeof x);
    if (s_load(&x, dir, f) < 0) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    int running = 0;
    for (size_t i = 0; i < x.n; i++) {
        running += x.procs[i].pid != 0;
    }
    /* Nodes first, so none of them sees its broker vanish. */
    int rc = s_stop_group(&x, x.procs, x.n - 1, err);
    rc |= s_stop_group(&x, &x.procs[x.n - 1], 1, err);
    for (size_t i = 0; i < x.n; i++) {
        char pidf[PATH_MAX];
        s_path(&x, pidf, sizeof pidf, "run", x.procs[i].name, ".pid");
        unlink(pidf);
    }
    if (!quiet) {
        printf("stopped %d process%s of %s\n", running, running == 1 ? "" : "es", dir);
    }
    free(x.procs);
    return rc < 0 ? -1 : running;
}

int launch_running(const char *dir, const federation_t *f)
{
    s_fed_t x;
    memset(&x, 0, sizeof x);
    if (s_load(&x, dir, f) < 0) {
        return 0;
    }
    int running = 0;
    for (size_t i = 0; i < x.n; i++) {
        running += x.procs[i].pid != 0;
    }
    free(x.procs);
    return running;
}

/* Per process: running, connected (nodes); as a table or JSON. */
static int s_status(const char *dir, const federation_t *f, int json)
{
    s_fed_t x;
    memset(&x, 0, sizeof x);
    if (s_load(&x, dir, f) < 0) {
        return cli_fail("out of memory");
    }
    json_t j;
    size_t running = 0, connected = 0;
    json_init(&j);
    json_obj_begin(&j, NULL);
    json_str(&j, "federation", f->name);
    json_arr_begin(&j, "processes");
    if (!json) {
        printf("%-10s %-8s %-9s %-10s %s\n", "PROCESS", "PID", "RUNNING", "CONNECTED", "NAME");
    }
    for (size_t i = 0; i < x.n; i++) {
        const s_proc_t *p = &x.procs[i];
        int node = i < f->n_orgs;
        int conn = node && p->pid && s_connected(&x, i, 2000);
        running += p->pid != 0;
        connected += (size_t)conn;
        json_obj_begin(&j, NULL);
        json_str(&j, "name", p->name);
        json_u64(&j, "pid", (uint64_t)p->pid);
        json_bool(&j, "running", p->pid != 0);
        if (node) {
            json_bool(&j, "connected", conn);
        }
        json_obj_end(&j);
        if (!json) {
            printf("%-10s %-8ld %-9s %-10s %s\n", p->name, (long)p->pid, p->pid ? "yes" : "no",
                   !node  ? "-"
                   : conn ? "yes"
                          : "no",
                   node ? f->orgs[i].name : "");
        }
    }
    json_arr_end(&j);
    json_u64(&j, "running", running);
    json_u64(&j, "connected", connected);
    json_u64(&j, "nodes", f->n_orgs);
    json_obj_end(&j);
    char *js = json_take(&j);
    if (json) {
        printf("%s\n", js ? js : "{}");
    } else {
        printf("%zu of %zu processes running, %zu of %zu nodes connected\n", running, x.n,
               connected, f->n_orgs);
    }
    free(js);
    free(x.procs);
    return running == x.n && connected == f->n_orgs ? CLI_OK : CLI_FAIL;
}

int launch_command(int argc, char **argv, int json)
{
    static const struct option opts[] = {{"parallel", required_argument, NULL, 'p'},
                                         {"timeout", required_argument, NULL, 't'},
                                         {NULL, 0, NULL, 0}};
    launch_opts_t o = {.parallel = 16, .timeout_s = 120};
    const char *cmd = argv[0];
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "p:t:", opts, NULL)) != -1) {
        int v = opt == 'p' || opt == 't' ? atoi(optarg) : 0;
        if (v < 1 || v > 100000) {
            return cli_usage("federation %s: --parallel and --timeout take 1 to 100000", cmd);
        }
        *(opt == 'p' ? &o.parallel : &o.timeout_s) = v;
    }
    if (optind + 1 != argc) {
        return cli_usage("federation %s needs one DIR", cmd);
    }
    const char *dir = argv[optind];
    federation_t f;
    cc_err_t err;
    memset(&f, 0, sizeof f);
    if (federation_load(dir, &f, &err) < 0) {
        return cli_fail("%s", err.msg);
    }
    int rc = CLI_OK;
    if (strcmp(cmd, "status") == 0) {
        rc = s_status(dir, &f, json);
    } else if (strcmp(cmd, "stop") == 0) {
        int n = launch_stop(dir, &f, json, &err);
        rc = n < 0 ? cli_fail("%s", err.msg) : CLI_OK;
        if (n >= 0 && json) {
            printf("{\"stopped\":%d}\n", n);
        }
    } else {
        uint64_t t0 = clock_mono_ms();
        o.quiet = json;
        if (launch_start(dir, &f, &o, &err) < 0) {
            rc = cli_fail("federation start: %s", err.msg);
        } else {
            double secs = (double)(clock_mono_ms() - t0) / 1000.0;
            if (json) {
                printf("{\"nodes\":%zu,\"connected\":%zu,\"seconds\":%.3f}\n", f.n_orgs, f.n_orgs,
                       secs);
            } else {
                printf("%s: broker and %zu nodes running and connected (%.1f s)\n", f.name,
                       f.n_orgs, secs);
            }
        }
    }
    federation_free(&f);
    return rc;
}
