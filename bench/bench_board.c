/* bench_board: figure 4, a board decision round.
 *
 * Concord: 23 real concordd processes (the Greater Manchester Joint
 * Commissioning Board's shape: CCGs, councils and NHS England) with
 * automatic voting, through a real concord-broker, fsync on everywhere.
 * One round: `concord propose` on the secretary's node; the proposal event
 * goes to every member; each node votes by its policy; every ballot goes
 * to every member; each node folds all 23 ballots and closes the decision;
 * the secretary's node exports the signed decision certificate. Timed from
 * starting `concord propose` to the exported certificate, once every node
 * has closed the decision with all 23 ballots. The board decides by
 * unanimity so that the decision needs every ballot, as the baseline does
 * (under the GM board's double majority a node closes the decision as soon
 * as the outcome cannot change, before the last ballots).
 *
 * Baseline: 23 bare DEALERs (each with its own ZeroMQ context, as if 23
 * processes) and a bare ROUTER on loopback TCP, no crypto, no disk: one
 * DEALER sends a proposal-sized message, the ROUTER fans it out to all 23,
 * each answers with a ballot-sized message, which the ROUTER fans out to
 * all 23; the round ends when every DEALER holds all 23 ballots. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zmq.h>

#include "bench.h"
#include "board.h"
#include "board.pb-c.h"
#include "clock.h"
#include "control_client.h"
#include "envelope.h"
#include "wire.h"

#define S_BOARD "GM-JCB"
#define S_POLL_MS 2
#define S_ROUND_TIMEOUT_S 120
#define S_REPLY_SLACK 64

/* ---- talking to the nodes ---- */

/* The control reply's JSON for cmd [arg] on the node at path, or NULL while
 * the node has no control socket yet; dies unless the node answers OK. The
 * caller frees the result. */
static char *s_ctl_json(const char *path, const char *cmd, const char *arg)
{
    cc_err_t err;
    char *args[1] = {(char *)arg};
    if (access(path, F_OK) != 0) {
        return NULL;
    }
    Concord__V1__ControlReply *r =
        control_client_call(path, cmd, arg ? args : NULL, arg ? 1 : 0, NULL, 0, 10000, &err);
    if (!r) {
        bench_die("%s: %s", cmd, err.msg);
    }
    if (r->code != CONCORD__V1__STATUS_CODE__OK) {
        bench_die("%s at %s: %s: %s", cmd, path, err_code_name((cc_code_t)r->code), r->message);
    }
    char *json = strdup(r->json ? r->json : "");
    wire_free(&r->base);
    if (!json) {
        bench_die("out of memory");
    }
    return json;
}

/* The unsigned number after "key": in json, or 0. */
static uint64_t s_json_u64(const char *json, const char *key)
{
    char needle[64];
    snprintf(needle, sizeof needle, "\"%s\":", key);
    const char *p = strstr(json, needle);
    return p ? strtoull(p + strlen(needle), NULL, 10) : 0;
}

/* Polls every node in turn until pred(json of cmd arg) holds there. */
static void s_wait_all(const bench_proc_t *nodes, int n, const char *cmd, const char *arg,
                       int (*pred)(const char *json), const char *what)
{
    double end = bench_now() + S_ROUND_TIMEOUT_S;
    for (int i = 0; i < n; i++) {
        for (;;) {
            char *json = s_ctl_json(nodes[i].control, cmd, arg);
            int ok = json && pred(json);
            free(json);
            if (ok) {
                break;
            }
            if (bench_now() > end) {
                bench_die("%s: node %s not there after %d s", what, nodes[i].control,
                          S_ROUND_TIMEOUT_S);
            }
            usleep(S_POLL_MS * 1000);
        }
    }
}

static int s_connected(const char *json)
{
    return strstr(json, "\"connected\":true") != NULL;
}

static int s_active(const char *json)
{
    return strstr(json, "\"active\":true") != NULL;
}

static int s_all_ballots(const char *json)
{
    uint64_t cast = s_json_u64(json, "votes_for") + s_json_u64(json, "votes_against") +
                    s_json_u64(json, "abstentions");
    return strstr(json, "\"closed\":true") != NULL && cast == BENCH_ORGS;
}

static void s_config_path(const bench_fed_t *f, int i, const char *tag, char *out, size_t size)
{
    snprintf(out, size, "%s/%s-%s.ini", f->dir, f->codes[i], tag);
}

/* One round; returns its seconds and the certificate's size. */
static double s_round(const bench_fed_t *f, const bench_proc_t *nodes, int round,
                      size_t *cert_len)
{
    char cfg[256], title[64], out[4096], id[33] = "";
    s_config_path(f, 0, "board", cfg, sizeof cfg);
    snprintf(title, sizeof title, "Benchmark round %d", round);
    double t0 = bench_now();
    bench_cli(f,
              (const char *const[]){"--config", cfg, "--json", "propose", "--board", S_BOARD,
                                    "--title", title, "--area", "social-care", "--amount", "1m",
                                    "--closes-in", "1h", NULL},
              out, sizeof out);
    const char *p = strstr(out, "\"id\":\"");
    if (!p || sscanf(p + 6, "%32[0-9a-f]", id) != 1) {
        bench_die("propose printed no id: %s", out);
    }
    s_wait_all(nodes, BENCH_ORGS, "proposal-show", id, s_all_ballots, "every ballot");
    cc_err_t err;
    char *args[1] = {id};
    Concord__V1__ControlReply *r =
        control_client_call(nodes[0].control, "decision-export", args, 1, NULL, 0, 10000, &err);
    if (!r || r->code != CONCORD__V1__STATUS_CODE__OK || r->payload.len == 0) {
        bench_die("decision export %s: %s", id, r ? r->message : err.msg);
    }
    double t1 = bench_now();
    *cert_len = r->payload.len;
    wire_free(&r->base);
    return t1 - t0;
}

/* Starts the broker and the board's nodes, adopts the charter, and runs
 * the rounds. Fills us[] and returns how many rounds ran. */
static double s_nodes_cpu(const bench_proc_t *nodes)
{
    double sum = 0;
    for (int i = 0; i < BENCH_ORGS; i++) {
        sum += bench_cpu_seconds(nodes[i].pid);
    }
    return sum;
}

static size_t s_run_concord(const bench_t *b, bench_fed_t *f, double *us, size_t rounds,
                            size_t *cert_len, double *cpu_broker, double *cpu_nodes)
{
    bench_proc_t broker, nodes[BENCH_ORGS];
    char cfg[256];
    bench_broker_start(f, "board", 1, &broker);
    for (int i = 0; i < BENCH_ORGS; i++) {
        bench_node_start(f, i, "board", 1, &broker, "auto_vote = true\n", &nodes[i]);
    }
    s_wait_all(nodes, BENCH_ORGS, "status", NULL, s_connected, "connected");
    s_config_path(f, 0, "board", cfg, sizeof cfg);
    bench_cli(f,
              (const char *const[]){"--config", cfg, "board", "create", "--id", S_BOARD,
                                    "--name", "Greater Manchester Joint Commissioning Board",
                                    "--rule", "unanimity", "--member", "all", NULL},
              NULL, 0);
    s_wait_all(nodes, BENCH_ORGS, "board-show", S_BOARD, s_active, "charter adopted");
    bench_note("figure 4: %zu rounds on a %d-member board, fsync on", rounds, BENCH_ORGS);
    s_round(f, nodes, 0, cert_len); /* warm-up */
    double c0 = bench_cpu_seconds(broker.pid), n0 = s_nodes_cpu(nodes);
    double end = bench_now() + (b->quick ? 60 : 900);
    size_t n = 0;
    for (size_t i = 0; i < rounds && bench_now() < end; i++) {
        us[n++] = 1e6 * s_round(f, nodes, (int)i + 1, cert_len);
    }
    *cpu_broker = (bench_cpu_seconds(broker.pid) - c0) / (double)(n ? n : 1);
    *cpu_nodes = (s_nodes_cpu(nodes) - n0) / (double)(n ? n : 1);
    int bad = 0;
    for (int i = 0; i < BENCH_ORGS; i++) {
        bad |= bench_proc_stop(&nodes[i]) != 0;
    }
    bad |= bench_proc_stop(&broker) != 0;
    if (bad || n == 0) {
        bench_die("board run: a process did not exit cleanly or no round ran; see %s/logs",
                  f->dir);
    }
    return n;
}

/* ---- the baseline ---- */

typedef struct {
    char endpoint[64];
    volatile int stop;
    volatile int ready;      /* every DEALER said hello */
} s_fan_t;

/* The ROUTER: a hello ('H') registers its sender; anything else is sent to
 * every registered DEALER. */
static void *s_router_main(void *arg)
{
    s_fan_t *fan = arg;
    void *ctx = zmq_ctx_new();
    void *r = zmq_socket(ctx, ZMQ_ROUTER);
    int linger = 0, timeout = 100, hwm = 100000;
    uint8_t ids[BENCH_ORGS][8], buf[4096], id[8];
    int n_ids = 0;
    zmq_setsockopt(r, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(r, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt(r, ZMQ_SNDHWM, &hwm, sizeof hwm);
    if (zmq_bind(r, fan->endpoint) != 0) {
        bench_die("raw ROUTER bind %s: %s", fan->endpoint, zmq_strerror(errno));
    }
    while (!fan->stop) {
        int il = zmq_recv(r, id, sizeof id, 0);
        if (il < 0) {
            continue;
        }
        int len = zmq_recv(r, buf, sizeof buf, 0);
        if (len <= 0 || il != (int)sizeof id) {
            continue;
        }
        if (buf[0] == 'H' && n_ids < BENCH_ORGS) {
            memcpy(ids[n_ids++], id, sizeof id);
            fan->ready = n_ids == BENCH_ORGS;
            continue;
        }
        for (int i = 0; i < n_ids; i++) {
            zmq_send(r, ids[i], sizeof ids[i], ZMQ_SNDMORE);
            zmq_send(r, buf, (size_t)len, 0);
        }
    }
    zmq_close(r);
    zmq_ctx_term(ctx);
    return NULL;
}

/* One raw round: returns its seconds. */
static double s_raw_round(void **dealers, const uint8_t *prop, size_t prop_len,
                          const uint8_t *ballot, size_t ballot_len)
{
    int got[BENCH_ORGS] = {0}, complete = 0;
    uint8_t buf[4096];
    zmq_pollitem_t items[BENCH_ORGS];
    for (int i = 0; i < BENCH_ORGS; i++) {
        items[i] = (zmq_pollitem_t){.socket = dealers[i], .events = ZMQ_POLLIN};
    }
    double t0 = bench_now(), end = t0 + 10;
    zmq_send(dealers[0], prop, prop_len, 0);
    while (complete < BENCH_ORGS) {
        if (bench_now() > end) {
            bench_die("a raw fan-out round did not complete in 10 s");
        }
        if (zmq_poll(items, BENCH_ORGS, 100) <= 0) {
            continue;
        }
        for (int i = 0; i < BENCH_ORGS; i++) {
            int len;
            while ((len = zmq_recv(dealers[i], buf, sizeof buf, ZMQ_DONTWAIT)) > 0) {
                if (buf[0] == 'P') {
                    zmq_send(dealers[i], ballot, ballot_len, 0);
                } else if (++got[i] == BENCH_ORGS) {
                    complete++;
                }
            }
        }
    }
    return bench_now() - t0;
}

static size_t s_run_raw(size_t rounds, const uint8_t *prop, size_t prop_len,
                        const uint8_t *ballot, size_t ballot_len, double *us)
{
    s_fan_t fan = {0};
    pthread_t router;
    void *ctxs[BENCH_ORGS], *dealers[BENCH_ORGS];
    snprintf(fan.endpoint, sizeof fan.endpoint, "tcp://127.0.0.1:%d", bench_free_port());
    if (pthread_create(&router, NULL, s_router_main, &fan) != 0) {
        bench_die("pthread_create failed");
    }
    for (int i = 0; i < BENCH_ORGS; i++) {
        int linger = 0, hwm = 100000;
        char rid[9];
        snprintf(rid, sizeof rid, "D%07d", i);
        ctxs[i] = zmq_ctx_new();
        dealers[i] = zmq_socket(ctxs[i], ZMQ_DEALER);
        zmq_setsockopt(dealers[i], ZMQ_ROUTING_ID, rid, 8);
        zmq_setsockopt(dealers[i], ZMQ_LINGER, &linger, sizeof linger);
        zmq_setsockopt(dealers[i], ZMQ_RCVHWM, &hwm, sizeof hwm);
        zmq_connect(dealers[i], fan.endpoint);
        zmq_send(dealers[i], "H", 1, 0);
    }
    for (int i = 0; i < 2000 && !fan.ready; i++) {
        usleep(10 * 1000);
    }
    if (!fan.ready) {
        bench_die("the raw DEALERs did not reach the ROUTER within 20 s");
    }
    size_t warm = 20;
    for (size_t i = 0; i < rounds + warm; i++) {
        double s = s_raw_round(dealers, prop, prop_len, ballot, ballot_len);
        if (i >= warm) {
            us[i - warm] = 1e6 * s;
        }
    }
    fan.stop = 1;
    pthread_join(router, NULL);
    for (int i = 0; i < BENCH_ORGS; i++) {
        zmq_close(dealers[i]);
        zmq_ctx_term(ctxs[i]);
    }
    return rounds;
}

/* A proposal or ballot event as sealed by a node, starting with 'P' or
 * 'B' for the raw ROUTER's sake: the raw round moves the same bytes. */
static uint8_t *s_event(const bench_fed_t *f, const char *method, const ProtobufCMessage *msg,
                        char tag, size_t *len)
{
    uint8_t *body = NULL, *env = NULL;
    size_t body_len = 0, env_len = 0;
    cc_err_t err;
    envelope_meta_t m = {.method = method,
                         .recipient = "*",
                         .sent_at_ms = clock_wall_ms(),
                         .sequence = 1000,
                         .kind = CONCORD__V1__KIND__KIND_EVENT};
    envelope_new_call_id(m.call_id);
    if (wire_pack(msg, 4096, &body, &body_len, &err) < 0 ||
        envelope_seal(f->keys[0], &m, body, body_len, &env, &env_len, &err) < 0) {
        bench_die("sealing a board event: %s", err.msg);
    }
    uint8_t *frame = bench_submit_frame(env, env_len, len);
    free(body);
    free(env);
    frame[0] = (uint8_t)tag;
    return frame;
}

void bench_fig_board(bench_t *b, bench_fed_t *f)
{
    Concord__V1__Proposal prop = CONCORD__V1__PROPOSAL__INIT;
    Concord__V1__Ballot ballot = CONCORD__V1__BALLOT__INIT;
    size_t prop_len = 0, ballot_len = 0, cert_len = 0;
    size_t rounds = b->quick ? 2 : 20, n_raw = b->quick ? 200 : 2000;
    double cpu_broker = 0, cpu_nodes = 0;
    prop.board_id = S_BOARD;
    prop.title = "Benchmark round 1";
    prop.kind = CONCORD__V1__PROPOSAL_KIND__COMMISSIONING_DECISION;
    prop.area = CONCORD__V1__SERVICE_AREA__SOCIAL_CARE;
    prop.amount_pence = 100000000;
    prop.closes_at_ms = clock_wall_ms() + 3600000;
    ballot.board_id = S_BOARD;
    ballot.proposal_id = "0123456789abcdef0123456789abcdef";
    ballot.vote = CONCORD__V1__VOTE__FOR;
    uint8_t *p = s_event(f, BOARD_METHOD_PROPOSE, &prop.base, 'P', &prop_len);
    uint8_t *v = s_event(f, BOARD_METHOD_VOTE, &ballot.base, 'B', &ballot_len);
    double *us = calloc(rounds, sizeof *us), *raw = calloc(n_raw, sizeof *raw);
    if (!us || !raw) {
        bench_die("out of memory");
    }
    size_t n = s_run_concord(b, f, us, rounds, &cert_len, &cpu_broker, &cpu_nodes);
    bench_note("figure 4: %zu raw fan-out/fan-in rounds", n_raw);
    s_run_raw(n_raw, p, prop_len, v, ballot_len, raw);

    bench_row_t *r = bench_row(b, "4");
    snprintf(r->measure, sizeof r->measure, "23-member board: proposal to certified decision");
    snprintf(r->baseline, sizeof r->baseline, "raw fan-out/fan-in, 23 DEALERs via a ROUTER");
    snprintf(r->unit, sizeof r->unit, "us/round");
    snprintf(r->target, sizeof r->target, "<= 3.00");
    snprintf(r->note, sizeof r->note,
             "proposal %zu B, ballot %zu B on the link; 1 + 23 events, %d deliveries a round; "
             "certificate %zu B; CPU a round: broker %.0f ms, 23 nodes %.0f ms; includes the "
             "`concord propose` process and %d ms polling of every node",
             prop_len, ballot_len, 24 * BENCH_ORGS, cert_len, 1e3 * cpu_broker,
             1e3 * cpu_nodes, S_POLL_MS);
    bench_stats(us, n, &r->concord);
    bench_stats(raw, n_raw, &r->base);
    r->bytes = prop_len;
    r->count = n;
    bench_row_finish(r);
    free(us);
    free(raw);
    free(p);
    free(v);
}
