/* SPDX-License-Identifier: Apache-2.0 */
/* bench_fed: a real federation for the benchmarks: keys and roster made
 * with the `concord` CLI, concord-broker and concordd started from the
 * build directory, bare DEALERs for hand-made frames. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sodium.h>
#include <zmq.h>

#include "bench.h"
#include "proc.h"
#include "clock.h"
#include "envelope.h"
#include "health.pb-c.h"
#include "link.pb-c.h"
#include "wire.h"

#define S_CHILDREN_MAX 64
#define S_CLI_TIMEOUT_MS 600000 /* an all-England federation start */
#define S_STOP_TIMEOUT_MS 10000

/* A board of the Greater Manchester Joint Commissioning Board's shape: 23
 * members, the ten GM CCGs of April 2017 and two Cheshire CCGs, the ten GM
 * councils and NHS England (figures 2 and 3 use the first eight). */
static const char *const s_codes[BENCH_ORGS] = {
    "E38000217", "E08000003", "X24",       "E38000016", "E08000001", "E38000024",
    "E08000002", "E38000135", "E38000080", "E38000143", "E38000174", "E38000182",
    "E38000187", "E38000205", "E38000056", "E38000151", "E08000004", "E08000005",
    "E08000006", "E08000007", "E08000008", "E08000009", "E08000010"};
static const char *const s_names[BENCH_ORGS] = {
    "NHS Manchester CCG",        "Manchester City Council",    "NHS England",
    "NHS Bolton CCG",            "Bolton Council",             "NHS Bury CCG",
    "Bury Council",              "NHS Oldham CCG",             "NHS Heywood, Middleton and Rochdale CCG",
    "NHS Salford CCG",           "NHS Stockport CCG",          "NHS Tameside and Glossop CCG",
    "NHS Trafford CCG",          "NHS Wigan Borough CCG",      "NHS Eastern Cheshire CCG",
    "NHS South Cheshire CCG",    "Oldham Council",             "Rochdale Council",
    "Salford City Council",      "Stockport Council",          "Tameside Council",
    "Trafford Council",          "Wigan Council"};

/* What the exit handler cleans up. */
static pid_t s_children[S_CHILDREN_MAX];
static char s_dir[128];
static int s_keep;
static int s_handler_set;

static void s_track(pid_t pid)
{
    for (int i = 0; i < S_CHILDREN_MAX; i++) {
        if (s_children[i] == 0) {
            s_children[i] = pid;
            return;
        }
    }
    kill(pid, SIGKILL);
    bench_die("too many child processes");
}

static void s_untrack(pid_t pid)
{
    for (int i = 0; i < S_CHILDREN_MAX; i++) {
        if (s_children[i] == pid) {
            s_children[i] = 0;
        }
    }
}

static void s_kill_children(void)
{
    for (int i = 0; i < S_CHILDREN_MAX; i++) {
        if (s_children[i] > 0) {
            kill(s_children[i], SIGKILL);
        }
    }
}

static void s_cleanup(void)
{
    s_kill_children();
    for (int i = 0; i < S_CHILDREN_MAX; i++) {
        if (s_children[i] > 0) {
            waitpid(s_children[i], NULL, 0);
            s_children[i] = 0;
        }
    }
    if (s_dir[0] && !s_keep) {
        pid_t pid = fork();
        if (pid == 0) {
            execl("/bin/rm", "rm", "-rf", s_dir, (char *)NULL);
            _exit(127);
        }
        if (pid > 0) {
            waitpid(pid, NULL, 0);
        }
    } else if (s_dir[0]) {
        fprintf(stderr, "kept %s\n", s_dir);
    }
    s_dir[0] = '\0';
}

static void s_on_signal(int sig)
{
    s_kill_children(); /* kill() is async-signal-safe; the directory stays */
    _exit(128 + sig);
}

static void s_install_handlers(void)
{
    if (s_handler_set) {
        return;
    }
    s_handler_set = 1;
    atexit(s_cleanup);
    signal(SIGINT, s_on_signal);
    signal(SIGTERM, s_on_signal);
    signal(SIGPIPE, SIG_IGN);
}

pid_t bench_spawn(const char *log, char *const argv[])
{
    cc_err_t err;
    proc_spec_t spec = {.argv = argv, .log = log, .die_with_us = 1};
    pid_t pid = proc_spawn(&spec, &err);
    if (pid < 0) {
        bench_die("%s", err.msg);
    }
    s_track(pid);
    return pid;
}

int bench_wait(pid_t pid, int ms)
{
    int rc = proc_wait(pid, (uint64_t)ms);
    if (rc >= 0) {
        s_untrack(pid);
    }
    return rc;
}

void bench_cli(const bench_fed_t *f, const char *const *args, char *out, size_t out_size)
{
    char bin[600], log[256];
    char *argv[BENCH_ORGS + 16];
    size_t n = 0;
    snprintf(bin, sizeof bin, "%s/concord", f->bin_dir);
    if (out) {
        snprintf(log, sizeof log, "%s/logs/cli-out.txt", f->dir);
        unlink(log);
    } else {
        snprintf(log, sizeof log, "%s/logs/cli.log", f->dir);
    }
    argv[n++] = bin;
    for (size_t i = 0; args[i] && n < sizeof argv / sizeof argv[0] - 1; i++) {
        argv[n++] = (char *)args[i];
    }
    argv[n] = NULL;
    pid_t pid = bench_spawn(log, argv);
    int rc = bench_wait(pid, S_CLI_TIMEOUT_MS);
    if (rc != 0) {
        if (rc < 0) {
            kill(pid, SIGKILL);
        }
        bench_die("`concord %s ...` failed (status %d); see %s", args[0], rc, log);
    }
    if (out) {
        FILE *fp = fopen(log, "r");
        size_t got = fp ? fread(out, 1, out_size - 1, fp) : 0;
        out[got] = '\0';
        if (fp) {
            fclose(fp);
        }
    }
}

static void s_cli(const bench_fed_t *f, const char *const *args)
{
    bench_cli(f, args, NULL, 0);
}

int bench_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        bench_die("cannot find a free port: %s", strerror(errno));
    }
    close(fd);
    return ntohs(a.sin_port);
}

static void s_write(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    if (!fp || fputs(text, fp) < 0 || fclose(fp) != 0) {
        bench_die("cannot write %s", path);
    }
}

void bench_fed_create(bench_fed_t *f, const char *bin_dir, int keep)
{
    char path[256], broker_pub[256], roster[256], keys_dir[160];
    cc_err_t err;
    memset(f, 0, sizeof *f);
    s_install_handlers();
    if (sodium_init() < 0) {
        bench_die("libsodium failed to initialise");
    }
    f->bin_dir = bin_dir;
    f->n = BENCH_ORGS;
    snprintf(f->dir, sizeof f->dir, "/tmp/concord-bench-XXXXXX");
    if (!mkdtemp(f->dir)) {
        bench_die("mkdtemp: %s", strerror(errno));
    }
    snprintf(s_dir, sizeof s_dir, "%s", f->dir);
    s_keep = keep;
    for (const char *sub = "keys\0data\0run\0logs\0"; *sub; sub += strlen(sub) + 1) {
        snprintf(path, sizeof path, "%s/%s", f->dir, sub);
        if (mkdir(path, 0700) != 0) {
            bench_die("mkdir %s: %s", path, strerror(errno));
        }
    }
    snprintf(keys_dir, sizeof keys_dir, "%s/keys", f->dir);
    s_cli(f, (const char *const[]){"keygen", "--broker", "--out", keys_dir, NULL});
    char pubs[BENCH_ORGS][200];
    const char *init[BENCH_ORGS + 9] = {"roster", "init", "--federation", "Concord benchmark",
                                          "--broker", broker_pub, "--out", roster};
    snprintf(broker_pub, sizeof broker_pub, "%s/broker.pub", keys_dir);
    snprintf(roster, sizeof roster, "%s/roster.bin", f->dir);
    for (int i = 0; i < f->n; i++) {
        snprintf(f->codes[i], sizeof f->codes[i], "%s", s_codes[i]);
        s_cli(f, (const char *const[]){"keygen", "--code", s_codes[i], "--name", s_names[i],
                                       "--out", keys_dir, NULL});
        snprintf(pubs[i], sizeof pubs[i], "%s/%s.pub", keys_dir, s_codes[i]);
        init[8 + i] = pubs[i];
    }
    init[8 + f->n] = NULL;
    s_cli(f, init);
    for (int i = 0; i < f->n; i++) {
        snprintf(path, sizeof path, "%s/%s.key", keys_dir, s_codes[i]);
        s_cli(f, (const char *const[]){"roster", "sign", "--roster", roster, "--key", path,
                                       NULL});
        if (!(f->keys[i] = keys_load(path, &err))) {
            bench_die("%s", err.msg);
        }
    }
    if (!(f->roster = roster_load(roster, &err)) || roster_verify(f->roster, &err) < 0) {
        bench_die("roster: %s", err.msg);
    }
}

void bench_fed_destroy(bench_fed_t *f)
{
    for (int i = 0; i < f->n; i++) {
        keys_destroy(&f->keys[i]);
    }
    roster_destroy(&f->roster);
    s_cleanup();
}

static pid_t s_start(bench_fed_t *f, const char *prog, const char *name, const char *config)
{
    char bin[600], log[256];
    snprintf(bin, sizeof bin, "%s/%s", f->bin_dir, prog);
    snprintf(log, sizeof log, "%s/logs/%s.log", f->dir, name);
    char *argv[] = {bin, "--config", (char *)config, NULL};
    return bench_spawn(log, argv);
}

/* Writes broker-<tag>.ini with store_line ("data = ..." or "store = ...")
 * and starts the broker on it. */
static void s_broker_start(bench_fed_t *f, const char *tag, int fsync, const char *store_line,
                           const char *quotas, bench_proc_t *out)
{
    char cfg[256], text[2048], name[64];
    memset(out, 0, sizeof *out);
    snprintf(out->tag, sizeof out->tag, "%s", tag);
    out->port = bench_free_port();
    snprintf(out->endpoint, sizeof out->endpoint, "tcp://127.0.0.1:%d", out->port);
    snprintf(cfg, sizeof cfg, "%s/broker-%s.ini", f->dir, tag);
    snprintf(text, sizeof text,
             "[broker]\nlisten = %s\nkey = keys/broker.key\nroster = roster.bin\n"
             "%s\nlog_level = warn\nfsync = %s\n%s",
             out->endpoint, store_line, fsync ? "true" : "false",
             quotas ? quotas
                    /* Throughput is measured without the per-member
                     * quotas, which would otherwise cap one member's rate. */
                    : "quota_envelopes_per_second = 0\nquota_bytes_per_second = 0\n"
                      "quota_envelopes_per_minute = 0\nquota_bytes_per_minute = 0\n"
                      "quota_envelopes_per_day = 0\nquota_bytes_per_day = 0\n");
    s_write(cfg, text);
    snprintf(name, sizeof name, "broker-%s", tag);
    if (strncmp(store_line, "store", 5) == 0) {
        char bin[512];
        snprintf(bin, sizeof bin, "%s/concord-broker", f->bin_dir);
        char *argv[] = {bin, "--config", cfg, "--init-store", NULL};
        char log[512];
        snprintf(log, sizeof log, "%s/logs/%s-init.log", f->dir, name);
        pid_t pid = bench_spawn(log, argv);
        int rc = bench_wait(pid, 60000);
        if (rc != 0) {
            if (rc < 0) {
                kill(pid, SIGKILL);
            }
            bench_die("concord-broker --init-store failed (status %d); see %s", rc, log);
        }
    }
    out->pid = s_start(f, "concord-broker", name, cfg);
}

void bench_broker_start(bench_fed_t *f, const char *tag, int fsync, bench_proc_t *out)
{
    bench_broker_start_conf(f, tag, fsync, NULL, out);
}

void bench_broker_start_conf(bench_fed_t *f, const char *tag, int fsync, const char *extra,
                             bench_proc_t *out)
{
    char db[256], line[640];
    snprintf(db, sizeof db, "%s/data/%s-broker.db", f->dir, tag);
    unlink(db);
    snprintf(line, sizeof line, "data = data/%s-broker.db%s%s", tag, extra ? "\n" : "",
             extra ? extra : "");
    s_broker_start(f, tag, fsync, line, NULL, out);
}

void bench_broker_start_quotas(bench_fed_t *f, const char *tag, const char *extra,
                               bench_proc_t *out)
{
    char db[256], line[320];
    snprintf(db, sizeof db, "%s/data/%s-broker.db", f->dir, tag);
    unlink(db);
    snprintf(line, sizeof line, "data = data/%s-broker.db", tag);
    s_broker_start(f, tag, 0, line, extra, out);
}

int bench_broker_start_pg(bench_fed_t *f, const char *tag, int fsync, bench_proc_t *out)
{
    const char *conninfo = getenv("CONCORD_BENCH_PG");
    if (!conninfo || !conninfo[0]) {
        return -1;
    }
    char db[96], sql[160], line[1024], uri[900];
    snprintf(db, sizeof db, "concord_bench_%d_", (int)getpid());
    for (const char *c = tag; *c && strlen(db) < sizeof db - 1; c++) {
        size_t n = strlen(db);
        db[n] = (char)((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ? *c : '_');
        db[n + 1] = '\0';
    }
    PGconn *c = PQconnectdb(conninfo);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", db);
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        bench_die("CONCORD_BENCH_PG: creating database %s: %s", db, PQerrorMessage(c));
    }
    PQclear(r);
    /* The broker's store URI: the same server, user and options. */
    snprintf(uri, sizeof uri, "postgresql:///%s?", db);
    PQconninfoOption *opts = PQconninfoParse(conninfo, NULL);
    for (PQconninfoOption *o = opts; o && o->keyword; o++) {
        if (o->val && o->val[0] && strcmp(o->keyword, "dbname") != 0) {
            size_t n = strlen(uri);
            snprintf(uri + n, sizeof uri - n, "%s%s=%s", uri[n - 1] == '?' ? "" : "&", o->keyword,
                     o->val);
        }
    }
    PQconninfoFree(opts);
    PQfinish(c);
    snprintf(line, sizeof line, "store = %s", uri);
    s_broker_start(f, tag, fsync, line, NULL, out);
    return 0;
}

void bench_node_start(bench_fed_t *f, int i, const char *tag, int fsync,
                      const bench_proc_t *broker, const char *extra, bench_proc_t *out)
{
    char cfg[256], db[256], text[2048], name[64];
    const char *code = f->codes[i];
    memset(out, 0, sizeof *out);
    snprintf(out->tag, sizeof out->tag, "%s", tag);
    snprintf(out->control, sizeof out->control, "%s/run/%s-%s.sock", f->dir, tag, code);
    snprintf(db, sizeof db, "%s/data/%s-%s.db", f->dir, tag, code);
    unlink(db);
    snprintf(cfg, sizeof cfg, "%s/%s-%s.ini", f->dir, code, tag);
    snprintf(text, sizeof text,
             "[node]\ncode = %s\nkey = keys/%s.key\nroster = roster.bin\nbroker = %s\n"
             "ledger = data/%s-%s.db\ncontrol = run/%s-%s.sock\nlog_level = warn\n"
             "fsync = %s\n%s",
             code, code, broker->endpoint, tag, code, tag, code, fsync ? "true" : "false",
             extra ? extra : "");
    s_write(cfg, text);
    snprintf(name, sizeof name, "%s-%s", code, tag);
    out->pid = s_start(f, "concordd", name, cfg);
}

int bench_proc_stop(bench_proc_t *p)
{
    if (p->pid <= 0) {
        return -1;
    }
    int rc = proc_stop(p->pid, SIGTERM, S_STOP_TIMEOUT_MS, NULL);
    s_untrack(p->pid);
    p->pid = 0;
    return rc;
}

void *bench_dealer(void *ctx, const bench_fed_t *f, int i, const char *endpoint)
{
    roster_org_t broker;
    int linger = 0, hwm = 100000;
    roster_broker(f->roster, &broker);
    void *s = zmq_socket(ctx, ZMQ_DEALER);
    if (!s || zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, broker.curve_pk, 32) ||
        zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, keys_public(f->keys[i])->curve_pk, 32) ||
        zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, keys_curve_sk(f->keys[i]), 32) ||
        zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger) ||
        zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof hwm) ||
        zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof hwm) || zmq_connect(s, endpoint) != 0) {
        bench_die("DEALER for %s: %s", f->codes[i], zmq_strerror(errno));
    }
    return s;
}

uint8_t *bench_submit_frame(const uint8_t *env, size_t env_len, size_t *out_len)
{
    Concord__V1__NodeFrame nf = CONCORD__V1__NODE_FRAME__INIT;
    uint8_t *buf = NULL;
    cc_err_t err;
    nf.frame_case = CONCORD__V1__NODE_FRAME__FRAME_SUBMIT;
    nf.submit = (Concord__V1__Envelope *)wire_unpack(&concord__v1__envelope__descriptor, env,
                                                     env_len, WIRE_MAX_FRAME, &err);
    if (!nf.submit || wire_pack(&nf.base, WIRE_MAX_FRAME + 4096, &buf, out_len, &err) < 0) {
        bench_die("cannot frame an envelope: %s", err.msg);
    }
    wire_free(&nf.submit->base);
    return buf;
}

void bench_wait_broker(const bench_fed_t *f, int i, void *sock, int timeout_ms)
{
    Concord__V1__HealthCheckRequest req = CONCORD__V1__HEALTH_CHECK_REQUEST__INIT;
    envelope_meta_t m = {.method = "concord.v1.Health/Check",
                         .recipient = KEYS_BROKER_CODE,
                         .sent_at_ms = clock_wall_ms(),
                         .sequence = 1,
                         .kind = CONCORD__V1__KIND__KIND_REQUEST};
    uint8_t *body = NULL, *env = NULL, *frame;
    size_t body_len = 0, env_len = 0, frame_len = 0;
    cc_err_t err;
    envelope_new_call_id(m.call_id);
    if (wire_pack(&req.base, 1024, &body, &body_len, &err) < 0 ||
        envelope_seal(f->keys[i], &m, body, body_len, &env, &env_len, &err) < 0) {
        bench_die("sealing a health query: %s", err.msg);
    }
    frame = bench_submit_frame(env, env_len, &frame_len);
    free(body);
    free(env);
    if (zmq_send(sock, frame, frame_len, 0) < 0) {
        bench_die("send: %s", zmq_strerror(errno));
    }
    free(frame);
    uint64_t end = clock_mono_ms() + (uint64_t)timeout_ms;
    while (clock_mono_ms() < end) {
        zmq_pollitem_t item = {.socket = sock, .events = ZMQ_POLLIN};
        if (zmq_poll(&item, 1, 100) <= 0) {
            continue;
        }
        zmq_msg_t msg;
        zmq_msg_init(&msg);
        if (zmq_msg_recv(&msg, sock, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&msg);
            continue;
        }
        Concord__V1__BrokerFrame *bf = (Concord__V1__BrokerFrame *)wire_unpack(
            &concord__v1__broker_frame__descriptor, zmq_msg_data(&msg), zmq_msg_size(&msg),
            WIRE_MAX_FRAME + 4096, NULL);
        zmq_msg_close(&msg);
        int ok = bf && bf->frame_case == CONCORD__V1__BROKER_FRAME__FRAME_DELIVERY &&
                 bf->delivery->log_index == 0;
        wire_free(bf ? &bf->base : NULL);
        if (ok) {
            return;
        }
    }
    bench_die("the broker did not answer %s within %d ms (see %s/logs)", f->codes[i],
              timeout_ms, f->dir);
}

double bench_cpu_seconds(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid > 0 ? (int)pid : (int)getpid());
    FILE *fp = fopen(path, "r");
    if (!fp) {
        return 0;
    }
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')');
    unsigned long utime = 0, stime = 0;
    /* After ")": state, then fields 4..13, then utime (14) and stime (15). */
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime,
                     &stime) != 2) {
        return 0;
    }
    return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}
