/* SPDX-License-Identifier: Apache-2.0 */
/* bench_broker: figure 2, broker throughput, and its half of figure 7.
 *
 * Several senders (bare DEALERs with CURVE in this process, one per
 * organisation) submit pre-sealed envelopes to a real concord-broker,
 * pipelined: each keeps up to `window` submissions without a
 * SubmitResult. The broker verifies each envelope, checks it, appends it
 * to its SQLite log, its Merkle tree and a mailbox, signs one tree head per batch and
 * answers, in group commits. Two ways:
 *   accept: the receivers are offline, so the mail stays in their
 *           mailboxes; counted at the senders (SubmitResult OK);
 *   route:  the receivers are online (bare DEALERs that say Hello and
 *           acknowledge every delivery); counted at the receivers.
 * The baseline is a bare libzmq ROUTER in this process forwarding the very
 * same frames from the same number of DEALERs to the same number of
 * receivers and answering each sender with a frame as large as a
 * SubmitResult: no CURVE, no signature, no disk. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>
#include <zmq.h>

#include "bench.h"
#include "clock.h"
#include "envelope.h"
#include "link.pb-c.h"
#include "wire.h"

#define S_SENDERS 4
#define S_RECEIVERS 4
#define S_ACK_MAX 1024

/* The pre-sealed load: per sender, frames in sequence order. */
typedef struct {
    uint8_t **frames[S_SENDERS];
    size_t *lens[S_SENDERS];
    size_t per_sender;
    size_t frame_bytes;        /* median NodeFrame size */
    size_t env_bytes;          /* median Envelope size */
} s_load_t;

/* One run of the sending loop. */
typedef struct {
    void *senders[S_SENDERS];
    void *receivers[S_RECEIVERS];
    int n_receivers;           /* 0: nobody listens (accept mode) */
    int concord;               /* decode frames, acknowledge deliveries */
    int count_deliveries;      /* the measured event: deliveries, else results */
    unsigned window;
    size_t slice;              /* events per rate sample, at least */
    double min_dt;             /* seconds per rate sample, at least */
    double timeout_s;
    const s_load_t *load;
    size_t passes;             /* times through the load (the baseline is fast) */
    /* out */
    double *rates;
    size_t n_rates;
    size_t results_ok, results_bad, delivered;
    size_t result_bytes;       /* size of a SubmitResult frame */
    double elapsed;
    char first_error[160];
    int timed_out;
} s_run_t;

/* ---- the load ---- */

static void s_make_load(const bench_t *b, const bench_fed_t *f, s_load_t *L)
{
    uint8_t body[BENCH_BODY_BYTES];
    cc_err_t err;
    memset(L, 0, sizeof *L);
    L->per_sender = b->envelopes / S_SENDERS;
    if (L->per_sender == 0) {
        L->per_sender = 1;
    }
    randombytes_buf(body, sizeof body);
    uint64_t deadline = clock_wall_ms() + 3600 * 1000;
    for (int s = 0; s < S_SENDERS; s++) {
        L->frames[s] = calloc(L->per_sender, sizeof *L->frames[s]);
        L->lens[s] = calloc(L->per_sender, sizeof *L->lens[s]);
        if (!L->frames[s] || !L->lens[s]) {
            bench_die("out of memory");
        }
        for (size_t k = 0; k < L->per_sender; k++) {
            envelope_meta_t m = {.method = "concord.v1.Board/CastBallot",
                                 .recipient = f->codes[S_SENDERS + (int)((k + (size_t)s) %
                                                                         S_RECEIVERS)],
                                 .sent_at_ms = clock_wall_ms(),
                                 .deadline_ms = deadline,
                                 .sequence = k + 1,
                                 .kind = CONCORD__V1__KIND__KIND_REQUEST};
            uint8_t *env = NULL;
            size_t env_len = 0;
            envelope_new_call_id(m.call_id);
            if (envelope_seal(f->keys[s], &m, body, sizeof body, &env, &env_len, &err) < 0) {
                bench_die("seal: %s", err.msg);
            }
            L->frames[s][k] = bench_submit_frame(env, env_len, &L->lens[s][k]);
            if (k == L->per_sender / 2 && s == 0) {
                L->env_bytes = env_len;
                L->frame_bytes = L->lens[s][k];
            }
            free(env);
        }
    }
}

static void s_free_load(s_load_t *L)
{
    for (int s = 0; s < S_SENDERS; s++) {
        for (size_t k = 0; L->frames[s] && k < L->per_sender; k++) {
            free(L->frames[s][k]);
        }
        free(L->frames[s]);
        free(L->lens[s]);
    }
}

/* ---- the sending loop, shared by Concord and the baseline ---- */

/* A SubmitResult (Concord) or any reply frame (baseline). */
static void s_on_result(s_run_t *r, const uint8_t *buf, size_t len)
{
    if (!r->concord) {
        r->results_ok++;
        return;
    }
    Concord__V1__BrokerFrame *bf = (Concord__V1__BrokerFrame *)wire_unpack(
        &concord__v1__broker_frame__descriptor, buf, len, WIRE_MAX_FRAME + 4096, NULL);
    if (bf && bf->frame_case == CONCORD__V1__BROKER_FRAME__FRAME_RESULT) {
        const Concord__V1__SubmitResult *res = bf->result;
        if ((!res->status || res->status->code == 0) && res->receipt &&
            res->envelope_hash.len == 32) {
            r->results_ok++;
            r->result_bytes = len;
        } else {
            r->results_bad++;
            if (!r->first_error[0]) {
                snprintf(r->first_error, sizeof r->first_error, "status %d: %s",
                         res->status ? (int)res->status->code : 0,
                         res->status ? res->status->message : "no receipt");
            }
        }
    }
    wire_free(bf ? &bf->base : NULL);
}

/* Drains one receiver; Concord deliveries are acknowledged in one
 * MailboxAck per drain (the protocol allows several indexes per ack). */
static void s_drain_receiver(s_run_t *r, void *sock)
{
    uint64_t acks[S_ACK_MAX];
    size_t n_acks = 0;
    for (int n = 0; n < S_ACK_MAX; n++) {
        zmq_msg_t msg;
        zmq_msg_init(&msg);
        if (zmq_msg_recv(&msg, sock, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&msg);
            break;
        }
        if (!r->concord) {
            r->delivered++;
            zmq_msg_close(&msg);
            continue;
        }
        Concord__V1__BrokerFrame *bf = (Concord__V1__BrokerFrame *)wire_unpack(
            &concord__v1__broker_frame__descriptor, zmq_msg_data(&msg), zmq_msg_size(&msg),
            WIRE_MAX_FRAME + 4096, NULL);
        zmq_msg_close(&msg);
        if (bf && bf->frame_case == CONCORD__V1__BROKER_FRAME__FRAME_DELIVERY &&
            bf->delivery->log_index > 0) {
            acks[n_acks++] = bf->delivery->log_index;
            r->delivered++;
        }
        wire_free(bf ? &bf->base : NULL);
    }
    if (n_acks) {
        Concord__V1__NodeFrame nf = CONCORD__V1__NODE_FRAME__INIT;
        Concord__V1__MailboxAck ack = CONCORD__V1__MAILBOX_ACK__INIT;
        uint8_t *buf = NULL;
        size_t len = 0;
        ack.n_log_index = n_acks;
        ack.log_index = acks;
        nf.frame_case = CONCORD__V1__NODE_FRAME__FRAME_ACK;
        nf.ack = &ack;
        if (wire_pack(&nf.base, WIRE_MAX_FRAME, &buf, &len, NULL) == 0) {
            zmq_send(sock, buf, len, 0);
        }
        free(buf);
    }
}

static void s_drain_sender(s_run_t *r, void *sock, size_t *got)
{
    for (int n = 0; n < 4096; n++) {
        zmq_msg_t msg;
        zmq_msg_init(&msg);
        if (zmq_msg_recv(&msg, sock, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&msg);
            return;
        }
        (*got)++;
        s_on_result(r, zmq_msg_data(&msg), zmq_msg_size(&msg));
        zmq_msg_close(&msg);
    }
}

/* Sends while each sender has room in its window; reads whatever came
 * back; takes a rate sample every r->slice events. Bounded by the number
 * of frames and by r->timeout_s. */
static void s_drive(s_run_t *r)
{
    const s_load_t *L = r->load;
    size_t sent[S_SENDERS] = {0}, got[S_SENDERS] = {0};
    size_t per_sender = L->per_sender * (r->passes ? r->passes : 1);
    size_t total = per_sender * S_SENDERS;
    zmq_pollitem_t items[S_SENDERS + S_RECEIVERS];
    int n_items = S_SENDERS + r->n_receivers;
    size_t max_rates = total / (r->slice ? r->slice : 1) + 2;
    if (!(r->rates = calloc(max_rates, sizeof *r->rates))) {
        bench_die("out of memory");
    }
    for (int i = 0; i < n_items; i++) {
        items[i] = (zmq_pollitem_t){
            .socket = i < S_SENDERS ? r->senders[i] : r->receivers[i - S_SENDERS],
            .events = ZMQ_POLLIN};
    }
    double t0 = bench_now(), last_t = t0, end = t0 + r->timeout_s;
    size_t last_count = 0, mark = r->slice;
    for (;;) {
        size_t results = 0;
        for (int s = 0; s < S_SENDERS; s++) {
            results += got[s];
        }
        size_t count = r->count_deliveries ? r->delivered : results;
        double now = bench_now();
        /* A sample spans at least `slice` events and min_dt seconds, so
         * that a burst (one group commit answers up to 256 envelopes at
         * once) cannot make a sample of nearly zero duration. */
        if (count >= mark && now - last_t >= r->min_dt && r->n_rates < max_rates) {
            r->rates[r->n_rates++] = (double)(count - last_count) / (now - last_t);
            last_t = now;
            last_count = count;
            mark = count + r->slice;
        }
        if ((results >= total && (!r->count_deliveries || r->delivered >= total))) {
            break;
        }
        if (now >= end) {
            r->timed_out = 1;
            break;
        }
        for (int s = 0; s < S_SENDERS; s++) {
            while (sent[s] < per_sender && sent[s] - got[s] < r->window) {
                size_t k = sent[s] % L->per_sender;
                if (zmq_send(r->senders[s], L->frames[s][k], L->lens[s][k], ZMQ_DONTWAIT) < 0) {
                    break;
                }
                sent[s]++;
            }
        }
        if (zmq_poll(items, n_items, 50) < 0 && errno != EINTR) {
            bench_die("poll: %s", zmq_strerror(errno));
        }
        for (int i = 0; i < n_items; i++) {
            if (!(items[i].revents & ZMQ_POLLIN)) {
                continue;
            }
            if (i < S_SENDERS) {
                s_drain_sender(r, items[i].socket, &got[i]);
            } else {
                s_drain_receiver(r, items[i].socket);
            }
        }
    }
    r->elapsed = bench_now() - t0;
    size_t done = r->count_deliveries ? r->delivered : r->results_ok;
    if (r->n_rates == 0 && done > 0) {
        r->rates[r->n_rates++] = (double)done / r->elapsed; /* too quick to sample */
    }
}

/* ---- Concord: a real broker ---- */

typedef struct {
    s_run_t run;
    double broker_cpu;         /* broker CPU seconds during the drive */
    double self_cpu;           /* this harness's CPU seconds (senders, receivers) */
    int broker_exit;
} s_concord_t;

static void s_hello(void *sock, const char *code)
{
    Concord__V1__NodeFrame nf = CONCORD__V1__NODE_FRAME__INIT;
    Concord__V1__Hello hello = CONCORD__V1__HELLO__INIT;
    uint8_t *buf = NULL;
    size_t len = 0;
    hello.code = (char *)code;
    nf.frame_case = CONCORD__V1__NODE_FRAME__FRAME_HELLO;
    nf.hello = &hello;
    if (wire_pack(&nf.base, 1024, &buf, &len, NULL) < 0 || zmq_send(sock, buf, len, 0) < 0) {
        bench_die("cannot send Hello");
    }
    free(buf);
}

/* pg: the broker's store in PostgreSQL (bench_broker_start_pg).
 * inline_verify: verify_threads = 0, the loop opening every envelope
 * itself (else the broker's default, one verifier per core). */
static void s_run_concord_on(const bench_t *b, bench_fed_t *f, const s_load_t *L, int fsync,
                             int route, int pg, int inline_verify, s_concord_t *out)
{
    char tag[40];
    bench_proc_t broker;
    snprintf(tag, sizeof tag, "tput-%s-%s%s%s", route ? "route" : "accept",
             fsync ? "fsync" : "nofsync", pg ? "-pg" : "", inline_verify ? "-inline" : "");
    memset(out, 0, sizeof *out);
    if (!pg) {
        bench_broker_start_conf(f, tag, fsync, inline_verify ? "verify_threads = 0" : NULL,
                                &broker);
    } else if (bench_broker_start_pg(f, tag, fsync, &broker) < 0) {
        bench_die("CONCORD_BENCH_PG is not set");
    }
    void *ctx = zmq_ctx_new();
    s_run_t *r = &out->run;
    r->load = L;
    r->concord = 1;
    r->window = b->window;
    r->n_receivers = route ? S_RECEIVERS : 0;
    r->count_deliveries = route;
    r->timeout_s = b->quick ? 60 : 300;
    r->slice = b->quick ? 50 : 500;
    r->min_dt = b->quick ? 0.005 : 0.05;
    for (int s = 0; s < S_SENDERS; s++) {
        r->senders[s] = bench_dealer(ctx, f, s, broker.endpoint);
        bench_wait_broker(f, s, r->senders[s], 20000);
    }
    for (int i = 0; i < r->n_receivers; i++) {
        r->receivers[i] = bench_dealer(ctx, f, S_SENDERS + i, broker.endpoint);
        bench_wait_broker(f, S_SENDERS + i, r->receivers[i], 20000);
        s_hello(r->receivers[i], f->codes[S_SENDERS + i]);
    }
    bench_note("figure 2: broker, %s, fsync %s: %zu envelopes from %d senders, window %u", 
               route ? "routed to online receivers" : "accept only", fsync ? "on" : "off",
               L->per_sender * S_SENDERS, S_SENDERS, b->window);
    double cpu0 = bench_cpu_seconds(broker.pid), self0 = bench_cpu_seconds(0);
    s_drive(r);
    out->broker_cpu = bench_cpu_seconds(broker.pid) - cpu0;
    out->self_cpu = bench_cpu_seconds(0) - self0;
    for (int s = 0; s < S_SENDERS; s++) {
        zmq_close(r->senders[s]);
    }
    for (int i = 0; i < r->n_receivers; i++) {
        zmq_close(r->receivers[i]);
    }
    zmq_ctx_term(ctx);
    out->broker_exit = bench_proc_stop(&broker);
    if (r->results_bad || r->n_rates == 0 || out->broker_exit != 0) {
        bench_die("broker run %s failed: %zu refused (%s), %zu samples, broker exit %d; see %s/logs",
                  tag, r->results_bad, r->first_error, r->n_rates, out->broker_exit, f->dir);
    }
}

static void s_run_concord(const bench_t *b, bench_fed_t *f, const s_load_t *L, int fsync, int route,
                          s_concord_t *out)
{
    s_run_concord_on(b, f, L, fsync, route, 0, 0, out);
}

/* ---- the baseline: a bare ROUTER ---- */

typedef struct {
    void *ctx;
    char endpoint[64];
    size_t reply_bytes;
    volatile int stop;
    int ready;                  /* receivers that said hello */
    size_t forwarded;
} s_router_t;

/* Forwards each sender frame to the next receiver (round robin) and
 * answers the sender with reply_bytes of zeros. Receivers identify
 * themselves by a first frame; their routing ids start with 'r'. */
static void *s_router_main(void *arg)
{
    s_router_t *rt = arg;
    void *sock = zmq_socket(rt->ctx, ZMQ_ROUTER);
    int one = 1, linger = 0, hwm = 100000;
    zmq_setsockopt(sock, ZMQ_ROUTER_MANDATORY, &one, sizeof one);
    zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(sock, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(sock, ZMQ_RCVHWM, &hwm, sizeof hwm);
    if (zmq_bind(sock, rt->endpoint) != 0) {
        bench_die("raw ROUTER bind %s: %s", rt->endpoint, zmq_strerror(errno));
    }
    uint8_t *reply = calloc(1, rt->reply_bytes ? rt->reply_bytes : 1);
    uint8_t rids[S_RECEIVERS][16];
    size_t rid_len[S_RECEIVERS];
    int next = 0;
    double end = bench_now() + 600;
    while (!rt->stop && bench_now() < end) {
        zmq_pollitem_t item = {.socket = sock, .events = ZMQ_POLLIN};
        if (zmq_poll(&item, 1, 20) <= 0) {
            continue;
        }
        for (int n = 0; n < 4096; n++) {
            zmq_msg_t id, body;
            zmq_msg_init(&id);
            if (zmq_msg_recv(&id, sock, ZMQ_DONTWAIT) < 0) {
                zmq_msg_close(&id);
                break;
            }
            zmq_msg_init(&body);
            zmq_msg_recv(&body, sock, 0);
            const uint8_t *idp = zmq_msg_data(&id);
            size_t idl = zmq_msg_size(&id);
            if (idl > 0 && idl <= 16 && idp[0] == 'r') {
                if (rt->ready < S_RECEIVERS) {
                    memcpy(rids[rt->ready], idp, idl);
                    rid_len[rt->ready] = idl;
                    rt->ready++;
                }
                zmq_send(sock, idp, idl, ZMQ_SNDMORE);
                zmq_send(sock, "ok", 2, 0);
                zmq_msg_close(&body);
            } else if (rt->ready > 0) {
                int to = next++ % rt->ready;
                zmq_send(sock, rids[to], rid_len[to], ZMQ_SNDMORE);
                zmq_msg_send(&body, sock, 0);
                zmq_send(sock, idp, idl, ZMQ_SNDMORE);
                zmq_send(sock, reply, rt->reply_bytes, 0);
                zmq_msg_close(&body);
                rt->forwarded++;
            } else {
                zmq_msg_close(&body);
            }
            zmq_msg_close(&id);
        }
    }
    free(reply);
    zmq_close(sock);
    return NULL;
}

static void *s_plain_dealer(void *ctx, const char *id, const char *endpoint)
{
    int linger = 0, hwm = 100000;
    void *s = zmq_socket(ctx, ZMQ_DEALER);
    if (!s || zmq_setsockopt(s, ZMQ_ROUTING_ID, id, strlen(id)) ||
        zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger) ||
        zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof hwm) ||
        zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof hwm) || zmq_connect(s, endpoint) != 0) {
        bench_die("raw DEALER: %s", zmq_strerror(errno));
    }
    return s;
}

static void s_run_raw(const bench_t *b, const s_load_t *L, size_t reply_bytes, s_run_t *r)
{
    s_router_t rt = {.reply_bytes = reply_bytes};
    pthread_t th;
    rt.ctx = zmq_ctx_new();
    snprintf(rt.endpoint, sizeof rt.endpoint, "tcp://127.0.0.1:%d", bench_free_port());
    if (pthread_create(&th, NULL, s_router_main, &rt) != 0) {
        bench_die("pthread_create failed");
    }
    void *ctx = zmq_ctx_new();
    memset(r, 0, sizeof *r);
    r->load = L;
    r->window = b->window;
    r->n_receivers = S_RECEIVERS;
    r->count_deliveries = 1;
    r->passes = b->quick ? 20 : 10;
    r->timeout_s = b->quick ? 60 : 300;
    r->slice = b->quick ? 50 : 500;
    r->min_dt = b->quick ? 0.005 : 0.05;
    for (int i = 0; i < S_RECEIVERS; i++) {
        char id[8];
        snprintf(id, sizeof id, "r%d", i);
        r->receivers[i] = s_plain_dealer(ctx, id, rt.endpoint);
        zmq_send(r->receivers[i], "hi", 2, 0);
        int timeout = 20000;
        char ok[4];
        zmq_setsockopt(r->receivers[i], ZMQ_RCVTIMEO, &timeout, sizeof timeout);
        if (zmq_recv(r->receivers[i], ok, sizeof ok, 0) != 2) {
            bench_die("the raw ROUTER did not answer within 20 s");
        }
    }
    for (int s = 0; s < S_SENDERS; s++) {
        char id[8];
        snprintf(id, sizeof id, "s%d", s);
        r->senders[s] = s_plain_dealer(ctx, id, rt.endpoint);
    }
    bench_note("figure 2: raw ROUTER baseline, %zu frames", L->per_sender * S_SENDERS * r->passes);
    s_drive(r);
    rt.stop = 1;
    pthread_join(th, NULL);
    for (int s = 0; s < S_SENDERS; s++) {
        zmq_close(r->senders[s]);
    }
    for (int i = 0; i < S_RECEIVERS; i++) {
        zmq_close(r->receivers[i]);
    }
    zmq_ctx_term(ctx);
    zmq_ctx_term(rt.ctx);
    if (r->n_rates == 0) {
        bench_die("the raw ROUTER baseline produced no samples");
    }
}

/* ---- rows ---- */

static void s_row(bench_t *b, const char *fig, const char *measure, const s_run_t *c,
                  const char *baseline, const bench_stats_t *base, const char *target,
                  const s_load_t *L, const char *note)
{
    bench_row_t *row = bench_row(b, fig);
    double *copy = malloc(c->n_rates * sizeof *copy);
    if (!copy) {
        bench_die("out of memory");
    }
    memcpy(copy, c->rates, c->n_rates * sizeof *copy);
    snprintf(row->measure, sizeof row->measure, "%s", measure);
    snprintf(row->baseline, sizeof row->baseline, "%s", baseline);
    snprintf(row->unit, sizeof row->unit, "env/s");
    snprintf(row->target, sizeof row->target, "%s", target ? target : "");
    snprintf(row->note, sizeof row->note, "%s", note ? note : "");
    row->higher_better = 1;
    bench_stats(copy, c->n_rates, &row->concord);
    row->base = *base;
    row->bytes = L->frame_bytes;
    row->count = c->count_deliveries ? c->delivered : c->results_ok;
    bench_row_finish(row);
    free(copy);
}

static void s_stats_of(const s_run_t *r, bench_stats_t *out)
{
    double *copy = malloc(r->n_rates * sizeof *copy);
    if (!copy) {
        bench_die("out of memory");
    }
    memcpy(copy, r->rates, r->n_rates * sizeof *copy);
    bench_stats(copy, r->n_rates, out);
    free(copy);
}

static void s_cpu_note(char *buf, size_t size, const s_concord_t *c, const char *extra)
{
    const s_run_t *r = &c->run;
    size_t n = r->count_deliveries ? r->delivered : r->results_ok;
    snprintf(buf, size,
             "%sbroker CPU %.0f%% of a core, %.1f us/envelope; harness CPU %.0f%%; "
             "overall %.0f env/s over %.2f s%s",
             extra, 100.0 * c->broker_cpu / r->elapsed,
             n ? 1e6 * c->broker_cpu / (double)n : 0.0, 100.0 * c->self_cpu / r->elapsed,
             (double)n / r->elapsed, r->elapsed,
             r->timed_out ? " (TIMED OUT: partial)" : "");
}

void bench_fig_broker(bench_t *b, bench_fed_t *f)
{
    s_load_t L;
    s_concord_t acc_on, route_on, acc_off, route_off;
    s_run_t raw;
    bench_stats_t raw_stats, st;
    char note[320], base_name[96];
    int durability = b->want[7];
    bench_note("figure 2: sealing %zu envelopes", b->envelopes);
    s_make_load(b, f, &L);

    s_concord_t acc_inline;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    /* Before and after in one run: the loop opening every envelope, then
     * the broker's default verifier threads. */
    s_run_concord_on(b, f, &L, 1, 0, 0, 1, &acc_inline);
    s_run_concord(b, f, &L, 1, 0, &acc_on);
    s_run_concord(b, f, &L, 1, 1, &route_on);
    s_run_raw(b, &L, acc_on.run.result_bytes, &raw);
    s_stats_of(&raw, &raw_stats);

    char extra[160];
    snprintf(extra, sizeof extra,
             "200-byte bodies; mail left in 4 offline mailboxes; verify_threads = %ld (the "
             "cores); ", cores);
    s_cpu_note(note, sizeof note, &acc_on, extra);
    s_row(b, "2", "broker accept, fsync on", &acc_on.run, "raw Ed25519 verify/s, 1 core (fig 1)",
          &b->verify_stats, ">= 1.00", &L, note);
    s_cpu_note(note, sizeof note, &acc_inline,
               "before: verify_threads = 0, the loop opens every envelope itself; ");
    s_row(b, "2", "broker accept, fsync on, 1 thread", &acc_inline.run,
          "raw Ed25519 verify/s, 1 core (fig 1)", &b->verify_stats, NULL, &L, note);
    snprintf(base_name, sizeof base_name, "raw ROUTER fwd, %d->%d DEALERs", S_SENDERS,
             S_RECEIVERS);
    s_row(b, "2", "broker accept, fsync on", &acc_on.run, base_name, &raw_stats, NULL, &L,
          "baseline: same frames, no CURVE, no signature, no disk");
    s_cpu_note(note, sizeof note, &route_on,
               "4 online receivers ack every delivery (not verified by them); ");
    s_row(b, "2", "broker route (deliver+ack), fsync on", &route_on.run, base_name, &raw_stats,
          NULL, &L, note);
    if (getenv("CONCORD_BENCH_PG") && getenv("CONCORD_BENCH_PG")[0]) {
        /* The same accept run with the store in PostgreSQL, beside SQLite's. */
        s_concord_t acc_pg;
        s_run_concord_on(b, f, &L, 1, 0, 1, 0, &acc_pg);
        s_stats_of(&acc_on.run, &st);
        s_cpu_note(note, sizeof note, &acc_pg, "PostgreSQL store (CONCORD_BENCH_PG); ");
        s_row(b, "2", "broker accept, PostgreSQL store", &acc_pg.run, "broker accept, SQLite store",
              &st, ">= 0.50", &L, note);
        free(acc_pg.run.rates);
    }
    if (durability) {
        s_run_concord(b, f, &L, 0, 0, &acc_off);
        s_run_concord(b, f, &L, 0, 1, &route_off);
        s_stats_of(&acc_off.run, &st);
        s_cpu_note(note, sizeof note, &acc_off, "fsync off: ");
        s_row(b, "7", "broker accept, fsync on", &acc_on.run, "broker accept, fsync off", &st,
              NULL, &L, note);
        s_stats_of(&route_off.run, &st);
        s_cpu_note(note, sizeof note, &route_off, "fsync off: ");
        s_row(b, "7", "broker route, fsync on", &route_on.run, "broker route, fsync off", &st,
              NULL, &L, note);
        free(acc_off.run.rates);
        free(route_off.run.rates);
    }
    free(acc_on.run.rates);
    free(acc_inline.run.rates);
    free(route_on.run.rates);
    free(raw.rates);
    s_free_load(&L);
}
