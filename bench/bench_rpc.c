/* SPDX-License-Identifier: Apache-2.0 */
/* bench_rpc: figure 3, the RPC round trip, and its half of figure 7.
 *
 * Concord: `concord ping`'s call, concord.v1.Health/Check, from node A to
 * node B through a real concord-broker. A is an rpc_peer in this process
 * (the very code concordd runs, with its own SQLite ledger); B is a real
 * concordd. One call: A seals and stores the request, submits it; the
 * broker verifies, logs, receipts and delivers it; B verifies, stores it
 * with its answer, acknowledges and submits the reply; the broker logs it
 * and delivers it; A verifies, stores and completes. Timed from
 * rpc_peer_call to the completion callback, one call at a time.
 *
 * Baseline: three bare DEALER/ROUTER sockets on loopback TCP, each with its
 * own ZeroMQ context (as if three processes): A sends the same request
 * bytes to a ROUTER, which forwards them to B; B answers with the same
 * reply bytes, which the ROUTER forwards to A. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zmq.h>

#include "bench.h"
#include "clock.h"
#include "envelope.h"
#include "health.pb-c.h"
#include "ledger.h"
#include "log.h"
#include "rpc.h"
#include "wire.h"

#define S_A 0
#define S_B 1

typedef struct {
    int done;
    cc_code_t code;
    uint64_t rtt_us;
    int retries;
    char msg[160];
} s_call_t;

static void s_done(const rpc_result_t *r, void *arg)
{
    s_call_t *c = arg;
    c->done = 1;
    c->code = r->code;
    c->rtt_us = r->rtt_us;
    c->retries = r->retries;
    snprintf(c->msg, sizeof c->msg, "%s", r->message);
}

void bench_pump(struct rpc_peer *p, const int *flag, int timeout_ms)
{
    uint64_t end = clock_mono_ms() + (uint64_t)timeout_ms;
    while (!*flag && clock_mono_ms() < end) {
        zmq_pollitem_t items[2];
        rpc_peer_poll_items(p, items);
        long wait = rpc_peer_timeout_ms(p);
        if (wait < 0 || wait > 100) {
            wait = 100;
        }
        if (zmq_poll(items, 2, wait) < 0 && errno != EINTR) {
            bench_die("poll: %s", zmq_strerror(errno));
        }
        if (rpc_peer_process(p) < 0) {
            bench_die("the caller's ledger failed");
        }
    }
}

/* One ping; returns microseconds from call to completion. */
static double s_ping(rpc_peer_t *p, const char *to, int timeout_ms, s_call_t *c)
{
    Concord__V1__HealthCheckRequest in = CONCORD__V1__HEALTH_CHECK_REQUEST__INIT;
    cc_err_t err;
    memset(c, 0, sizeof *c);
    double t0 = bench_now();
    if (rpc_peer_call(p, to, &concord__v1__health__descriptor, 0, &in.base, (uint32_t)timeout_ms,
                      s_done, c, &err) < 0) {
        bench_die("ping: %s", err.msg);
    }
    bench_pump(p, &c->done, timeout_ms + 1000);
    double t1 = bench_now();
    if (!c->done || c->code != CC_OK) {
        bench_die("ping %s: %s: %s", to, c->done ? err_code_name(c->code) : "no answer",
                  c->done ? c->msg : "");
    }
    return (t1 - t0) * 1e6;
}

typedef struct {
    double *us;            /* call to completion, per call */
    double *rtt;           /* the peer's own first-send-to-reply, per call */
    size_t n;
    int retries;
    double cpu_broker, cpu_node, cpu_self;   /* CPU seconds over the measured calls */
} s_rpc_run_t;

static void s_run_concord(const bench_t *b, bench_fed_t *f, int fsync, s_rpc_run_t *out)
{
    char tag[32], path[256];
    bench_proc_t broker, node;
    cc_err_t err;
    snprintf(tag, sizeof tag, "rpc-%s", fsync ? "fsync" : "nofsync");
    bench_broker_start(f, tag, fsync, &broker);
    bench_node_start(f, S_B, tag, fsync, &broker, NULL, &node);
    snprintf(path, sizeof path, "%s/data/%s-caller-%s.db", f->dir, tag, f->codes[S_A]);
    unlink(path);
    ledger_t *ledger = ledger_open(path, LEDGER_NODE, fsync, &err);
    rpc_registry_t *reg = rpc_registry_new();
    keys_t *keys = NULL;
    snprintf(path, sizeof path, "%s/keys/%s.key", f->dir, f->codes[S_A]);
    if (!ledger || !reg || !(keys = keys_load(path, &err))) {
        bench_die("caller: %s", err.msg);
    }
    void *ctx = zmq_ctx_new();
    rpc_peer_t *p = rpc_peer_new(ctx, &keys, f->roster, ledger, reg, &err);
    if (!p || rpc_peer_connect(p, broker.endpoint, &err) < 0) {
        bench_die("caller: %s", err.msg);
    }
    s_call_t c;
    /* The first calls wait for the handshakes and for B to come up (its
     * mail waits in the broker until it says Hello). */
    for (int i = 0; i < 3; i++) {
        s_ping(p, f->codes[S_B], 20000, &c);
    }
    bench_note("figure 3: %zu pings A -> broker -> B (concordd) -> broker -> A, fsync %s",
               b->pings, fsync ? "on" : "off");
    out->us = calloc(b->pings, sizeof *out->us);
    out->rtt = calloc(b->pings, sizeof *out->rtt);
    out->n = 0;
    out->retries = 0;
    if (!out->us || !out->rtt) {
        bench_die("out of memory");
    }
    double end = bench_now() + (b->quick ? 60 : 600);
    double cb = bench_cpu_seconds(broker.pid), cn = bench_cpu_seconds(node.pid),
           cs = bench_cpu_seconds(0);
    for (size_t i = 0; i < b->pings && bench_now() < end; i++) {
        out->us[out->n] = s_ping(p, f->codes[S_B], 10000, &c);
        out->rtt[out->n++] = (double)c.rtt_us;
        out->retries += c.retries;
    }
    out->cpu_broker = bench_cpu_seconds(broker.pid) - cb;
    out->cpu_node = bench_cpu_seconds(node.pid) - cn;
    out->cpu_self = bench_cpu_seconds(0) - cs;
    rpc_peer_destroy(&p);
    zmq_ctx_term(ctx);
    rpc_registry_destroy(&reg);
    ledger_close(&ledger);
    int rc_node = bench_proc_stop(&node), rc_broker = bench_proc_stop(&broker);
    if (rc_node != 0 || rc_broker != 0 || out->n == 0) {
        bench_die("rpc run %s: node exit %d, broker exit %d, %zu calls; see %s/logs", tag,
                  rc_node, rc_broker, out->n, f->dir);
    }
}

/* ---- sizes: the request and reply frames of one ping ---- */

static uint8_t *s_frame(const bench_fed_t *f, int who, const char *to, int kind,
                        const ProtobufCMessage *msg, size_t *len)
{
    uint8_t *body = NULL, *env = NULL;
    size_t body_len = 0, env_len = 0;
    cc_err_t err;
    envelope_meta_t m = {.method = "concord.v1.Health/Check",
                         .recipient = to,
                         .sent_at_ms = clock_wall_ms(),
                         .deadline_ms = kind == CONCORD__V1__KIND__KIND_REQUEST
                                            ? clock_wall_ms() + 10000
                                            : 0,
                         .sequence = 1000,
                         .kind = kind,
                         .status = CC_OK};
    envelope_new_call_id(m.call_id);
    if (wire_pack(msg, 4096, &body, &body_len, &err) < 0 ||
        envelope_seal(f->keys[who], &m, body, body_len, &env, &env_len, &err) < 0) {
        bench_die("sealing a ping: %s", err.msg);
    }
    uint8_t *frame = bench_submit_frame(env, env_len, len);
    free(body);
    free(env);
    return frame;
}

/* ---- the baseline ---- */

typedef struct {
    char endpoint[64];
    const uint8_t *reply;
    size_t reply_len;
    volatile int stop;
    volatile int b_ready;  /* B's hello was answered: the route to B exists */
} s_echo_t;

static void *s_plain(void *ctx, int type, const char *id)
{
    int linger = 0;
    void *s = zmq_socket(ctx, type);
    if (!s || zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger) ||
        (id && zmq_setsockopt(s, ZMQ_ROUTING_ID, id, strlen(id)))) {
        bench_die("socket: %s", zmq_strerror(errno));
    }
    return s;
}

/* The ROUTER: whatever A sends goes to B, whatever B sends goes to A. */
static void *s_router_main(void *arg)
{
    s_echo_t *e = arg;
    void *ctx = zmq_ctx_new();
    void *sock = s_plain(ctx, ZMQ_ROUTER, NULL);
    int one = 1;
    zmq_setsockopt(sock, ZMQ_ROUTER_MANDATORY, &one, sizeof one);
    if (zmq_bind(sock, e->endpoint) != 0) {
        bench_die("bind %s: %s", e->endpoint, zmq_strerror(errno));
    }
    double end = bench_now() + 900;
    while (!e->stop && bench_now() < end) {
        zmq_pollitem_t item = {.socket = sock, .events = ZMQ_POLLIN};
        if (zmq_poll(&item, 1, 20) <= 0) {
            continue;
        }
        zmq_msg_t id, body;
        zmq_msg_init(&id);
        zmq_msg_init(&body);
        if (zmq_msg_recv(&id, sock, ZMQ_DONTWAIT) >= 0 && zmq_msg_recv(&body, sock, 0) >= 0) {
            const char *to = ((const char *)zmq_msg_data(&id))[0] == 'A' ? "B" : "A";
            if (zmq_msg_size(&body) == 0) {
                /* hello: answer the sender so it knows the route exists */
                zmq_send(sock, zmq_msg_data(&id), zmq_msg_size(&id), ZMQ_SNDMORE);
                zmq_send(sock, "", 0, 0);
            } else if (zmq_send(sock, to, 1, ZMQ_SNDMORE) >= 0) {
                zmq_msg_send(&body, sock, 0);
            }
        }
        zmq_msg_close(&id);
        zmq_msg_close(&body);
    }
    zmq_close(sock);
    zmq_ctx_term(ctx);
    return NULL;
}

/* B: answers every request with the reply bytes. */
static void *s_echo_main(void *arg)
{
    s_echo_t *e = arg;
    void *ctx = zmq_ctx_new();
    void *sock = s_plain(ctx, ZMQ_DEALER, "B");
    char buf[8];
    int timeout = 20000;
    zmq_connect(sock, e->endpoint);
    zmq_setsockopt(sock, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_send(sock, "", 0, 0);
    if (zmq_recv(sock, buf, sizeof buf, 0) < 0) {
        bench_die("the raw ROUTER did not answer B within 20 s");
    }
    e->b_ready = 1;
    double end = bench_now() + 900;
    while (!e->stop && bench_now() < end) {
        zmq_pollitem_t item = {.socket = sock, .events = ZMQ_POLLIN};
        if (zmq_poll(&item, 1, 20) <= 0) {
            continue;
        }
        zmq_msg_t msg;
        zmq_msg_init(&msg);
        if (zmq_msg_recv(&msg, sock, ZMQ_DONTWAIT) >= 0) {
            zmq_send(sock, e->reply, e->reply_len, 0);
        }
        zmq_msg_close(&msg);
    }
    zmq_close(sock);
    zmq_ctx_term(ctx);
    return NULL;
}

static size_t s_run_raw(size_t n, const uint8_t *req, size_t req_len, const uint8_t *rep,
                        size_t rep_len, double *us, double time_limit_s)
{
    s_echo_t e = {.reply = rep, .reply_len = rep_len};
    pthread_t router, echo;
    snprintf(e.endpoint, sizeof e.endpoint, "tcp://127.0.0.1:%d", bench_free_port());
    if (pthread_create(&router, NULL, s_router_main, &e) != 0 ||
        pthread_create(&echo, NULL, s_echo_main, &e) != 0) {
        bench_die("pthread_create failed");
    }
    void *ctx = zmq_ctx_new();
    void *a = s_plain(ctx, ZMQ_DEALER, "A");
    int timeout = 20000;
    zmq_setsockopt(a, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_connect(a, e.endpoint);
    zmq_send(a, "", 0, 0);
    uint8_t *buf = malloc(rep_len + 64);
    if (!buf || zmq_recv(a, buf, rep_len + 64, 0) < 0) {
        bench_die("the raw ROUTER did not answer A within 20 s");
    }
    for (int i = 0; i < 2000 && !e.b_ready; i++) {
        usleep(10 * 1000);
    }
    if (!e.b_ready) {
        bench_die("B did not reach the raw ROUTER within 20 s");
    }
    size_t done = 0, warm = 20;
    double end = bench_now() + time_limit_s;
    for (size_t i = 0; i < n + warm && bench_now() < end; i++) {
        double t0 = bench_now();
        if (zmq_send(a, req, req_len, 0) < 0 ||
            zmq_recv(a, buf, rep_len + 64, 0) != (int)rep_len) {
            bench_die("raw round trip failed: %s", zmq_strerror(errno));
        }
        if (i >= warm) {
            us[done++] = (bench_now() - t0) * 1e6;
        }
    }
    e.stop = 1;
    pthread_join(router, NULL);
    pthread_join(echo, NULL);
    free(buf);
    zmq_close(a);
    zmq_ctx_term(ctx);
    return done;
}

/* ---- rows ---- */

static void s_row(bench_t *b, const char *fig, const char *measure, double *c, size_t n_c,
                  const char *baseline, const bench_stats_t *base, const char *target,
                  size_t bytes, const char *note)
{
    bench_row_t *r = bench_row(b, fig);
    double *copy = malloc(n_c * sizeof *copy);
    if (!copy) {
        bench_die("out of memory");
    }
    memcpy(copy, c, n_c * sizeof *copy);
    snprintf(r->measure, sizeof r->measure, "%s", measure);
    snprintf(r->baseline, sizeof r->baseline, "%s", baseline);
    snprintf(r->unit, sizeof r->unit, "us/call");
    snprintf(r->target, sizeof r->target, "%s", target ? target : "");
    snprintf(r->note, sizeof r->note, "%s", note ? note : "");
    bench_stats(copy, n_c, &r->concord);
    r->base = *base;
    r->bytes = bytes;
    r->count = n_c;
    bench_row_finish(r);
    free(copy);
}

static void s_note(char *buf, size_t size, const s_rpc_run_t *run, size_t req, size_t rep)
{
    double *copy = malloc(run->n * sizeof *copy);
    bench_stats_t st;
    if (!copy) {
        bench_die("out of memory");
    }
    memcpy(copy, run->rtt, run->n * sizeof *copy);
    bench_stats(copy, run->n, &st);
    free(copy);
    double n = (double)run->n;
    snprintf(buf, size,
             "request %zu B, reply %zu B on the link; CPU per call: broker %.0f us, B "
             "(concordd) %.0f us, A (this process) %.0f us; A's own first-send-to-reply "
             "median %.0f us; %d resends",
             req, rep, 1e6 * run->cpu_broker / n, 1e6 * run->cpu_node / n,
             1e6 * run->cpu_self / n, st.median, run->retries);
}

/* ---- the gRPC baseline ---- */

/* Runs bench/grpc's echo client against its server for calls calls of
 * bytes each; fills us[] and returns how many. 0 when it failed (the note
 * says why). */
static size_t s_run_grpc(bench_fed_t *f, size_t calls, size_t bytes, double *us, char *why,
                         size_t why_size)
{
#ifdef BENCH_GRPC_ECHO
    char port[16], n[32], size[32], log[256], out[256];
    snprintf(port, sizeof port, "%d", bench_free_port());
    snprintf(n, sizeof n, "%zu", calls);
    snprintf(size, sizeof size, "%zu", bytes);
    snprintf(log, sizeof log, "%s/logs/grpc-server.log", f->dir);
    snprintf(out, sizeof out, "%s/logs/grpc-calls.txt", f->dir);
    unlink(out);
    char *serve[] = {BENCH_GRPC_ECHO, "serve", port, NULL};
    char *call[] = {BENCH_GRPC_ECHO, "call", port, n, size, NULL};
    bench_proc_t server = {.pid = bench_spawn(log, serve)};
    int rc = bench_wait(bench_spawn(out, call), 600000);
    bench_proc_stop(&server);
    FILE *fp = fopen(out, "r");
    size_t got = 0;
    while (rc == 0 && fp && got < calls && fscanf(fp, "%lf", &us[got]) == 1) {
        got++;
    }
    if (fp) {
        fclose(fp);
    }
    if (got == 0) {
        snprintf(why, why_size, "skipped: the gRPC echo failed (status %d); see %s", rc, out);
    }
    return got;
#else
    (void)f;
    (void)calls;
    (void)bytes;
    (void)us;
    snprintf(why, why_size,
             "skipped: libgrpc++-dev and protobuf-compiler-grpc were not installed at build time");
    return 0;
#endif
}

static void s_grpc_row(bench_t *b, bench_fed_t *f, double *concord, size_t n_concord,
                       size_t bytes)
{
    size_t calls = b->pings * 10 < 200 ? 200 : b->pings * 10;
    double *us = calloc(calls, sizeof *us);
    char why[400] = "";
    bench_stats_t st;
    if (!us) {
        bench_die("out of memory");
    }
    bench_note("figure 3: %zu gRPC unary echo calls of %zu bytes", calls, bytes);
    size_t got = s_run_grpc(f, calls, bytes, us, why, sizeof why);
    if (got == 0) {
        bench_row_t *g = bench_row(b, "3");
        snprintf(g->measure, sizeof g->measure, "ping A>broker>B>broker>A, fsync on");
        snprintf(g->baseline, sizeof g->baseline, "gRPC C++ unary echo, loopback");
        snprintf(g->unit, sizeof g->unit, "us/call");
        snprintf(g->target, sizeof g->target, "<= 1.00");
        snprintf(g->note, sizeof g->note, "%.300s", why);
        g->skipped = 1;
    } else {
        bench_stats(us, got, &st);
        s_row(b, "3", "ping A>broker>B>broker>A, fsync on", concord, n_concord,
              "gRPC C++ unary echo, loopback", &st, "<= 1.00", bytes,
              "gRPC 1.51 C++ sync server and client in two processes, insecure channel, no "
              "signing and no disk: the lower bound of gRPC plus a database");
    }
    free(us);
}

void bench_fig_rpc(bench_t *b, bench_fed_t *f)
{
    Concord__V1__HealthCheckRequest in = CONCORD__V1__HEALTH_CHECK_REQUEST__INIT;
    Concord__V1__HealthCheckResponse resp = CONCORD__V1__HEALTH_CHECK_RESPONSE__INIT;
    size_t req_len = 0, rep_len = 0;
    s_rpc_run_t on = {0}, off = {0};
    bench_stats_t raw_stats, st;
    char note[200];
    log_set_level(LOG_LVL_WARN);
    resp.status = CONCORD__V1__SERVING_STATUS__SERVING;
    resp.code = f->codes[S_B];
    resp.time_ms = clock_wall_ms();
    resp.ledger_entries = 2 * b->pings;
    uint8_t *req = s_frame(f, S_A, f->codes[S_B], CONCORD__V1__KIND__KIND_REQUEST, &in.base,
                           &req_len);
    uint8_t *rep = s_frame(f, S_B, f->codes[S_A], CONCORD__V1__KIND__KIND_REPLY, &resp.base,
                           &rep_len);

    s_run_concord(b, f, 1, &on);
    s_run_concord(b, f, 0, &off);

    size_t n_raw = b->pings * 10 < 200 ? 200 : b->pings * 10;
    double *raw = calloc(n_raw, sizeof *raw);
    if (!raw) {
        bench_die("out of memory");
    }
    bench_note("figure 3: %zu raw round trips", n_raw);
    size_t got = s_run_raw(n_raw, req, req_len, rep, rep_len, raw, b->quick ? 30 : 120);
    if (got == 0) {
        bench_die("no raw round trips");
    }
    bench_stats(raw, got, &raw_stats);

    s_note(note, sizeof note, &on, req_len, rep_len);
    s_row(b, "3", "ping A>broker>B>broker>A, fsync on", on.us, on.n,
          "raw DEALER>ROUTER>DEALER round trip", &raw_stats, "<= 8.00", req_len, note);
    s_note(note, sizeof note, &off, req_len, rep_len);
    s_row(b, "3", "ping A>broker>B>broker>A, fsync off", off.us, off.n,
          "raw DEALER>ROUTER>DEALER round trip", &raw_stats, "<= 4.00", req_len, note);
    s_grpc_row(b, f, on.us, on.n, req_len);
    if (b->want[7]) {
        double *copy = malloc(off.n * sizeof *copy);
        if (!copy) {
            bench_die("out of memory");
        }
        memcpy(copy, off.us, off.n * sizeof *copy);
        bench_stats(copy, off.n, &st);
        free(copy);
        s_row(b, "7", "ping round trip, fsync on", on.us, on.n, "ping round trip, fsync off",
              &st, NULL, req_len, "broker, both nodes' ledgers: SQLite WAL, synchronous=FULL vs OFF");
    }
    free(on.us);
    free(on.rtt);
    free(off.us);
    free(off.rtt);
    free(raw);
    free(req);
    free(rep);
}
