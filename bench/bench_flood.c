/* SPDX-License-Identifier: Apache-2.0 */
/* bench_flood: figure 9, an honest member's latency while another floods.
 *
 * Concord: node A (an rpc_peer in this process, as in figure 3) pings node
 * B (a real concordd) through a real concord-broker, one call at a time,
 * while member F floods the broker with events of 60 KB to every member
 * (as fast as the broker answers, 32 in flight). A pings 20 times a
 * second, within the default quotas, as an honest member does. Run with
 * the broker's
 * default quotas, and again with F's quotas off (quota_scale = F:0).
 *
 * Baseline: the same pings on the same federation before the flood. The
 * ratio of interest is of the 99th percentiles (the target: the
 * honest p99 under a flood at most 3 times the p99 without), which the
 * row gives in place of the ratio of medians. */
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
#include "link.pb-c.h"
#include "log.h"
#include "rpc.h"
#include "wire.h"

#define S_A 0
#define S_B 1
#define S_F 2
#define S_PAD (60 * 1024)
#define S_IN_FLIGHT 32
#define S_PING_EVERY_S 0.05 /* an honest member's pace: under quota_envelopes_per_second */

typedef struct {
    int done;
    cc_code_t code;
} s_call_t;

static void s_done(const rpc_result_t *r, void *arg)
{
    s_call_t *c = arg;
    c->done = 1;
    c->code = r->code;
}

/* One call from p to `to` within deadline_ms; the code it completed with,
 * or -1 with no answer. */
static int s_call_once(rpc_peer_t *p, const char *to, uint32_t deadline_ms)
{
    Concord__V1__HealthCheckRequest in = CONCORD__V1__HEALTH_CHECK_REQUEST__INIT;
    cc_err_t err;
    s_call_t c = {0};
    if (rpc_peer_call(p, to, &concord__v1__health__descriptor, 0, &in.base, deadline_ms, s_done,
                      &c, &err) < 0) {
        bench_die("ping: %s", err.msg);
    }
    bench_pump(p, &c.done, (int)deadline_ms + 1000);
    return c.done ? (int)c.code : -1;
}

/* One ping from p to B, started no sooner than S_PING_EVERY_S after the
 * previous one; microseconds from the first attempt until an answer. A
 * ping refused because the flood filled B's mailbox (RESOURCE_EXHAUSTED)
 * is tried again, as a user would, and timed from its first attempt; one
 * with no answer within 20 s in all is counted at the time it was given up
 * (a lower bound on its latency, so the percentiles stay honest). */
static double s_ping(rpc_peer_t *p, const char *to)
{
    static double last;
    while (bench_now() < last + S_PING_EVERY_S) {
        usleep(1000);
    }
    last = bench_now();
    double t0 = bench_now();
    for (;;) {
        double left_ms = 20000 - (bench_now() - t0) * 1e3;
        int code = left_ms < 100 ? -1 : s_call_once(p, to, (uint32_t)left_ms);
        if (code == CC_OK) {
            break;
        }
        if (code == CC_RESOURCE_EXHAUSTED) {
            usleep(200 * 1000);
            continue;
        }
        if (code < 0 || code == CC_DEADLINE_EXCEEDED) {
            bench_note("figure 9: a ping to %s got no answer within 20 s", to);
            break;
        }
        bench_die("ping %s: %s", to, err_code_name((cc_code_t)code));
    }
    return (bench_now() - t0) * 1e6;
}

typedef struct {
    bench_fed_t *f;
    const char *endpoint;
    void *ctx;
    volatile int stop;
    volatile int ready;
    unsigned long accepted, refused;
} s_flood_t;

/* An event of about S_PAD bytes from F to every member: an empty
 * HealthCheckRequest padded with an unknown field, which decoders keep. */
static uint8_t *s_flood_frame(const bench_fed_t *f, uint64_t seq, size_t *len)
{
    static uint8_t body[S_PAD + 16];
    size_t n = 0;
    cc_err_t err;
    body[n++] = 0x9a; /* field 99, length-delimited */
    body[n++] = 0x06;
    for (size_t v = S_PAD;; v >>= 7) {
        body[n++] = (uint8_t)((v & 0x7f) | (v >= 0x80 ? 0x80 : 0));
        if (v < 0x80) {
            break;
        }
    }
    memset(body + n, 'x', S_PAD);
    n += S_PAD;
    envelope_meta_t m = {.method = "concord.v1.Flood/Junk",
                         .recipient = ENVELOPE_EVERYONE,
                         .sent_at_ms = clock_wall_ms(),
                         .sequence = seq,
                         .kind = CONCORD__V1__KIND__KIND_EVENT};
    envelope_new_call_id(m.call_id);
    uint8_t *env = NULL;
    size_t env_len = 0;
    if (envelope_seal(f->keys[S_F], &m, body, n, &env, &env_len, &err) < 0) {
        bench_die("sealing a flood event: %s", err.msg);
    }
    uint8_t *frame = bench_submit_frame(env, env_len, len);
    free(env);
    return frame;
}

static void *s_flood_main(void *arg)
{
    s_flood_t *fl = arg;
    void *sock = bench_dealer(fl->ctx, fl->f, S_F, fl->endpoint);
    bench_wait_broker(fl->f, S_F, sock, 20000);
    fl->ready = 1;
    uint64_t seq = 0; /* each run has a fresh broker: F has sent nothing */
    int in_flight = 0;
    while (!fl->stop) {
        while (in_flight < S_IN_FLIGHT) {
            size_t len = 0;
            uint8_t *frame = s_flood_frame(fl->f, ++seq, &len);
            if (zmq_send(sock, frame, len, 0) < 0) {
                bench_die("flood send: %s", zmq_strerror(errno));
            }
            free(frame);
            in_flight++;
        }
        zmq_pollitem_t item = {.socket = sock, .events = ZMQ_POLLIN};
        if (zmq_poll(&item, 1, 100) <= 0) {
            continue;
        }
        zmq_msg_t msg;
        zmq_msg_init(&msg);
        while (zmq_msg_recv(&msg, sock, ZMQ_DONTWAIT) >= 0) {
            Concord__V1__BrokerFrame *bf = (Concord__V1__BrokerFrame *)wire_unpack(
                &concord__v1__broker_frame__descriptor, zmq_msg_data(&msg), zmq_msg_size(&msg),
                WIRE_MAX_FRAME + 4096, NULL);
            if (bf && bf->frame_case == CONCORD__V1__BROKER_FRAME__FRAME_RESULT) {
                in_flight--;
                if (bf->result->status && bf->result->status->code != 0) {
                    if (fl->refused++ == 0) {
                        bench_note("figure 9: the broker refused F: %s",
                                   bf->result->status->message);
                    }
                } else {
                    fl->accepted++;
                }
            }
            if (bf) {
                wire_free(&bf->base);
            }
        }
        zmq_msg_close(&msg);
    }
    zmq_close(sock);
    return NULL;
}

typedef struct {
    double *calm, *flood;
    size_t n_calm, n_flood;
    unsigned long accepted, refused;
    double flood_s;
} s_run_t;

/* One federation (a broker with extra config, B, the in-process A): the
 * calm pings, then the same number during F's flood. */
static void s_run(const bench_t *b, bench_fed_t *f, const char *tag, const char *extra,
                  s_run_t *out)
{
    char path[256];
    bench_proc_t broker, node;
    cc_err_t err;
    size_t n = b->pings;
    bench_broker_start_quotas(f, tag, extra, &broker);
    bench_node_start(f, S_B, tag, 0, &broker, NULL, &node);
    snprintf(path, sizeof path, "%s/data/%s-caller-%s.db", f->dir, tag, f->codes[S_A]);
    unlink(path);
    ledger_t *ledger = ledger_open(path, LEDGER_NODE, 0, &err);
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
    out->calm = calloc(n, sizeof *out->calm);
    out->flood = calloc(n, sizeof *out->flood);
    if (!out->calm || !out->flood) {
        bench_die("out of memory");
    }
    for (int i = 0; i < 3; i++) {
        s_ping(p, f->codes[S_B]); /* handshakes, B's Hello */
    }
    bench_note("figure 9 (%s): %zu pings A -> B without a flood, then during one", tag, n);
    double end = bench_now() + (b->quick ? 30 : 300);
    for (out->n_calm = 0; out->n_calm < n && bench_now() < end; out->n_calm++) {
        out->calm[out->n_calm] = s_ping(p, f->codes[S_B]);
    }
    s_flood_t fl = {.f = f, .endpoint = broker.endpoint, .ctx = ctx};
    pthread_t th;
    if (pthread_create(&th, NULL, s_flood_main, &fl) != 0) {
        bench_die("pthread_create failed");
    }
    while (!fl.ready) {
        usleep(10 * 1000);
    }
    usleep(500 * 1000); /* the flood under way */
    double t0 = bench_now();
    end = bench_now() + (b->quick ? 60 : 600);
    for (out->n_flood = 0; out->n_flood < out->n_calm && bench_now() < end; out->n_flood++) {
        out->flood[out->n_flood] = s_ping(p, f->codes[S_B]);
    }
    out->flood_s = bench_now() - t0;
    fl.stop = 1;
    pthread_join(th, NULL);
    out->accepted = fl.accepted;
    out->refused = fl.refused;
    rpc_peer_destroy(&p);
    zmq_ctx_term(ctx);
    rpc_registry_destroy(&reg);
    ledger_close(&ledger);
    bench_proc_stop(&node);
    bench_proc_stop(&broker);
    if (out->n_calm == 0 || out->n_flood == 0) {
        bench_die("flood run %s: no pings measured; see %s/logs", tag, f->dir);
    }
}

static void s_row(bench_t *b, const char *measure, s_run_t *run, const char *target,
                  const char *what)
{
    bench_row_t *r = bench_row(b, "9");
    snprintf(r->measure, sizeof r->measure, "%s", measure);
    snprintf(r->baseline, sizeof r->baseline, "the same pings, no flood (p99 ratio)");
    snprintf(r->unit, sizeof r->unit, "us/call");
    snprintf(r->target, sizeof r->target, "%s", target ? target : "");
    bench_stats(run->flood, run->n_flood, &r->concord);
    bench_stats(run->calm, run->n_calm, &r->base);
    r->count = run->n_flood;
    r->bytes = S_PAD;
    bench_row_finish(r);
    /* The target is on the tail: the ratio of the 99th
     * percentiles. */
    r->ratio = r->base.p99 > 0 ? r->concord.p99 / r->base.p99 : 0;
    if (r->target_met >= 0) {
        r->target_met = r->ratio <= strtod(r->target + 2, NULL);
    }
    snprintf(r->note, sizeof r->note,
             "%s; F's events of %d KB: %lu logged, %lu refused in %.1f s; medians %.0f us "
             "with, %.0f us without",
             what, S_PAD / 1024, run->accepted, run->refused, run->flood_s, r->concord.median,
             r->base.median);
}

void bench_fig_flood(bench_t *b, bench_fed_t *f)
{
    s_run_t on = {0}, off = {0};
    char extra[128];
    log_set_level(LOG_LVL_WARN);
    s_run(b, f, "flood-quotas", "", &on);
    snprintf(extra, sizeof extra, "quota_scale = %s:0\n", f->codes[S_F]);
    s_run(b, f, "flood-noquota", extra, &off);
    s_row(b, "honest ping during a flood, default quotas", &on, "<= 3.00",
          "the broker's default quotas refuse F past 1 MiB/s");
    s_row(b, "honest ping during a flood, F's quotas off", &off, NULL,
          "quota_scale = F:0: every event logged and delivered to A's and B's ledgers");
    free(on.calm);
    free(on.flood);
    free(off.calm);
    free(off.flood);
}
