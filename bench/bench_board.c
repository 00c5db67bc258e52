/* SPDX-License-Identifier: Apache-2.0 */
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
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/resource.h>
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

/* The typed reply to Control method `method` for an id argument (the
 * board or proposal; none for Status) on the node at path, or NULL while
 * the node has no control socket yet; dies unless the node answers OK.
 * The caller frees the result with wire_free. */
static ProtobufCMessage *s_ctl(const char *path, const char *method, const char *arg)
{
    cc_err_t err;
    Concord__V1__StatusRequest status = CONCORD__V1__STATUS_REQUEST__INIT;
    Concord__V1__BoardShowRequest board = CONCORD__V1__BOARD_SHOW_REQUEST__INIT;
    Concord__V1__ProposalShowRequest proposal = CONCORD__V1__PROPOSAL_SHOW_REQUEST__INIT;
    const ProtobufCMessage *in = &status.base;
    if (access(path, F_OK) != 0) {
        return NULL;
    }
    if (strcmp(method, "BoardShow") == 0) {
        board.board_id = (char *)arg;
        in = &board.base;
    } else if (strcmp(method, "ProposalShow") == 0) {
        proposal.proposal_id = (char *)arg;
        in = &proposal.base;
    }
    ProtobufCMessage *r = control_client_call(path, method, in, 10000, NULL, &err);
    if (!r) {
        bench_die("%s at %s: %s: %s", method, path, err_code_name(err.code), err.msg);
    }
    return r;
}

/* Polls every node in turn until pred(reply to method arg) holds there. */
static void s_wait_all(const bench_proc_t *nodes, int n, const char *method, const char *arg,
                       int (*pred)(const ProtobufCMessage *reply, int n), const char *what)
{
    double end = bench_now() + S_ROUND_TIMEOUT_S;
    for (int i = 0; i < n; i++) {
        for (;;) {
            ProtobufCMessage *r = s_ctl(nodes[i].control, method, arg);
            int ok = r && pred(r, n);
            wire_free(r);
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

static int s_connected(const ProtobufCMessage *r, int n)
{
    (void)n;
    return ((const Concord__V1__StatusReply *)r)->connected;
}

static int s_active(const ProtobufCMessage *r, int n)
{
    (void)n;
    return ((const Concord__V1__BoardShowReply *)r)->active;
}

static int s_all_ballots(const ProtobufCMessage *r, int n)
{
    const Concord__V1__ProposalView *pv = (const Concord__V1__ProposalView *)r;
    uint64_t cast = (uint64_t)pv->votes_for + pv->votes_against + pv->abstentions;
    return pv->closed && cast == (uint64_t)n;
}

static int s_closed(const ProtobufCMessage *r, int n)
{
    (void)n;
    return ((const Concord__V1__ProposalView *)r)->closed;
}

/* A board's round: who proposes (through the CLI with config cfg), every
 * member's node (nodes[0] is the proposer's) and when a node is done. */
typedef struct {
    const bench_fed_t *f;
    const char *cfg;
    const char *board;
    const bench_proc_t *nodes;
    int n;
    int (*done)(const ProtobufCMessage *reply, int n);
} s_round_t;

/* One round; returns its seconds and the certificate's size. */
static double s_round(const s_round_t *rd, int round, size_t *cert_len)
{
    char title[64], out[4096], id[33] = "";
    snprintf(title, sizeof title, "Benchmark round %d", round);
    double t0 = bench_now();
    bench_cli(rd->f,
              (const char *const[]){"--config", rd->cfg, "--json", "propose", "--board",
                                    rd->board, "--title", title, "--area", "social-care",
                                    "--amount", "1m", "--closes-in", "1h", NULL},
              out, sizeof out);
    const char *p = strstr(out, "\"id\":\"");
    if (!p || sscanf(p + 6, "%32[0-9a-f]", id) != 1) {
        bench_die("propose printed no id: %s", out);
    }
    s_wait_all(rd->nodes, rd->n, "ProposalShow", id, rd->done, "decision");
    cc_err_t err;
    Concord__V1__DecisionExportRequest in = CONCORD__V1__DECISION_EXPORT_REQUEST__INIT;
    in.proposal_id = id;
    Concord__V1__CertificateReply *r = (Concord__V1__CertificateReply *)control_client_call(
        rd->nodes[0].control, "DecisionExport", &in.base, 60000, NULL, &err);
    if (!r || r->certificate.len == 0) {
        bench_die("decision export %s: %s", id, r ? "empty certificate" : err.msg);
    }
    double t1 = bench_now();
    *cert_len = r->certificate.len;
    wire_free(&r->base);
    return t1 - t0;
}

static double s_nodes_cpu(const bench_proc_t *nodes, int n)
{
    double sum = 0;
    for (int i = 0; i < n; i++) {
        sum += bench_cpu_seconds(nodes[i].pid);
    }
    return sum;
}

/* Starts the broker and the board's nodes, adopts the charter, and runs
 * the rounds. Fills us[] and returns how many rounds ran. */
static double s_status_kib(pid_t pid, const char *key);

/* Figure 8: the certificate of the warm-up round and of round `upto`
 * (counting the warm-up as the first), on the same board. */
typedef struct {
    size_t upto;        /* 0: figure 8 not asked for */
    size_t first, last; /* bytes */
    size_t ran;         /* rounds the board had decided when last was exported */
} s_certs_t;

static size_t s_run_concord(const bench_t *b, bench_fed_t *f, double *us, size_t rounds,
                            size_t *cert_len, double *cpu_broker, double *cpu_nodes,
                            s_certs_t *certs, double *hwm_kib)
{
    bench_proc_t broker, nodes[BENCH_ORGS];
    char cfg[256];
    s_round_t rd = {.f = f, .cfg = cfg, .board = S_BOARD, .nodes = nodes, .n = BENCH_ORGS,
                    .done = s_all_ballots};
    bench_broker_start(f, "board", 1, &broker);
    for (int i = 0; i < BENCH_ORGS; i++) {
        bench_node_start(f, i, "board", 1, &broker, "auto_vote = true\n", &nodes[i]);
    }
    s_wait_all(nodes, BENCH_ORGS, "Status", NULL, s_connected, "connected");
    snprintf(cfg, sizeof cfg, "%s/%s-board.ini", f->dir, f->codes[0]);
    bench_cli(f,
              (const char *const[]){"--config", cfg, "board", "create", "--id", S_BOARD,
                                    "--name", "Greater Manchester Joint Commissioning Board",
                                    "--rule", "unanimity", "--member", "all", NULL},
              NULL, 0);
    s_wait_all(nodes, BENCH_ORGS, "BoardShow", S_BOARD, s_active, "charter adopted");
    bench_note("figure 4: %zu rounds on a %d-member board, fsync on", rounds, BENCH_ORGS);
    s_round(&rd, 0, cert_len); /* warm-up */
    certs->first = certs->last = *cert_len;
    certs->ran = 1;
    double c0 = bench_cpu_seconds(broker.pid), n0 = s_nodes_cpu(nodes, BENCH_ORGS);
    double end = bench_now() + (b->quick ? 60 : 900);
    size_t n = 0;
    for (size_t i = 0; i < rounds && bench_now() < end; i++) {
        us[n++] = 1e6 * s_round(&rd, (int)i + 1, cert_len);
    }
    *cpu_broker = (bench_cpu_seconds(broker.pid) - c0) / (double)(n ? n : 1);
    *cpu_nodes = (s_nodes_cpu(nodes, BENCH_ORGS) - n0) / (double)(n ? n : 1);
    certs->ran += n;
    certs->last = *cert_len;
    /* Figure 8: more rounds, untimed, each a new proposal unrelated to the
     * others, then the size of the last one's certificate. */
    end = bench_now() + (b->quick ? 60 : 900);
    while (certs->ran < certs->upto && bench_now() < end) {
        s_round(&rd, (int)certs->ran + 1, &certs->last);
        certs->ran++;
    }
    double hwm[BENCH_ORGS];
    for (int i = 0; i < BENCH_ORGS; i++) {
        hwm[i] = s_status_kib(nodes[i].pid, "VmHWM");
    }
    bench_stats_t st;
    bench_stats(hwm, BENCH_ORGS, &st);
    *hwm_kib = st.median;
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

#define S_RAW_MAX 512          /* DEALERs at most in a raw round */
#define S_OWN_CONTEXTS_MAX 32  /* up to this many DEALERs get a context each */

typedef struct {
    char endpoint[64];
    int n;                   /* DEALERs expected */
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
    int linger = 0, timeout = 100, hwm = 1000000;
    uint8_t (*ids)[8] = calloc(S_RAW_MAX, sizeof *ids), buf[4096], id[8];
    int n_ids = 0;
    if (!ids) {
        bench_die("out of memory");
    }
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
        if (buf[0] == 'H' && n_ids < fan->n) {
            memcpy(ids[n_ids++], id, sizeof id);
            fan->ready = n_ids == fan->n;
            continue;
        }
        for (int i = 0; i < n_ids; i++) {
            zmq_send(r, ids[i], sizeof ids[i], ZMQ_SNDMORE);
            zmq_send(r, buf, (size_t)len, 0);
        }
    }
    free(ids);
    zmq_close(r);
    zmq_ctx_term(ctx);
    return NULL;
}

/* One raw round of n DEALERs: returns its seconds. */
static double s_raw_round(void **dealers, int n, const uint8_t *prop, size_t prop_len,
                          const uint8_t *ballot, size_t ballot_len)
{
    int got[S_RAW_MAX] = {0}, complete = 0;
    uint8_t buf[4096];
    zmq_pollitem_t items[S_RAW_MAX];
    for (int i = 0; i < n; i++) {
        items[i] = (zmq_pollitem_t){.socket = dealers[i], .events = ZMQ_POLLIN};
    }
    double t0 = bench_now(), end = t0 + 60;
    zmq_send(dealers[0], prop, prop_len, 0);
    while (complete < n) {
        if (bench_now() > end) {
            bench_die("a raw fan-out round did not complete in 60 s");
        }
        if (zmq_poll(items, n, 100) <= 0) {
            continue;
        }
        for (int i = 0; i < n; i++) {
            int len;
            while ((len = zmq_recv(dealers[i], buf, sizeof buf, ZMQ_DONTWAIT)) > 0) {
                if (buf[0] == 'P') {
                    zmq_send(dealers[i], ballot, ballot_len, 0);
                } else if (++got[i] == n) {
                    complete++;
                }
            }
        }
    }
    return bench_now() - t0;
}

/* rounds raw rounds of n DEALERs (each with its own ZeroMQ context, as if
 * a process each, up to S_OWN_CONTEXTS_MAX; beyond that one context with
 * two I/O threads for all, as so many contexts would be thousands of
 * threads). Fills us[]. */
static void s_run_raw(int n, size_t rounds, const uint8_t *prop, size_t prop_len,
                      const uint8_t *ballot, size_t ballot_len, double *us)
{
    s_fan_t fan = {.n = n};
    pthread_t router;
    void *ctxs[S_RAW_MAX] = {0}, *dealers[S_RAW_MAX];
    int own = n <= S_OWN_CONTEXTS_MAX;
    assert(n > 0 && n <= S_RAW_MAX);
    snprintf(fan.endpoint, sizeof fan.endpoint, "tcp://127.0.0.1:%d", bench_free_port());
    if (pthread_create(&router, NULL, s_router_main, &fan) != 0) {
        bench_die("pthread_create failed");
    }
    if (!own) {
        ctxs[0] = zmq_ctx_new();
        zmq_ctx_set(ctxs[0], ZMQ_IO_THREADS, 2);
        zmq_ctx_set(ctxs[0], ZMQ_MAX_SOCKETS, S_RAW_MAX + 16);
    }
    for (int i = 0; i < n; i++) {
        int linger = 0, hwm = 1000000;
        char rid[9];
        snprintf(rid, sizeof rid, "D%07d", i);
        if (own) {
            ctxs[i] = zmq_ctx_new();
        }
        dealers[i] = zmq_socket(own ? ctxs[i] : ctxs[0], ZMQ_DEALER);
        if (!dealers[i]) {
            bench_die("raw DEALER %d: %s", i, zmq_strerror(errno));
        }
        zmq_setsockopt(dealers[i], ZMQ_ROUTING_ID, rid, 8);
        zmq_setsockopt(dealers[i], ZMQ_LINGER, &linger, sizeof linger);
        zmq_setsockopt(dealers[i], ZMQ_RCVHWM, &hwm, sizeof hwm);
        zmq_connect(dealers[i], fan.endpoint);
        zmq_send(dealers[i], "H", 1, 0);
    }
    for (int i = 0; i < 6000 && !fan.ready; i++) {
        usleep(10 * 1000);
    }
    if (!fan.ready) {
        bench_die("the raw DEALERs did not reach the ROUTER within 60 s");
    }
    size_t warm = 5;
    for (size_t i = 0; i < rounds + warm; i++) {
        double s = s_raw_round(dealers, n, prop, prop_len, ballot, ballot_len);
        if (i >= warm) {
            us[i - warm] = 1e6 * s;
        }
    }
    fan.stop = 1;
    pthread_join(router, NULL);
    for (int i = 0; i < n; i++) {
        zmq_close(dealers[i]);
    }
    for (int i = 0; i < (own ? n : 1); i++) {
        zmq_ctx_term(ctxs[i]);
    }
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

/* A proposal and a ballot like the rounds' (for their sizes). */
static void s_sample_events(const bench_fed_t *f, Concord__V1__Proposal *prop,
                            Concord__V1__Ballot *ballot)
{
    (void)f;
    prop->board_id = S_BOARD;
    prop->title = "Benchmark round 1";
    prop->kind = CONCORD__V1__PROPOSAL_KIND__COMMISSIONING_DECISION;
    prop->area = CONCORD__V1__SERVICE_AREA__SOCIAL_CARE;
    prop->amount_pence = 100000000;
    prop->closes_at_ms = clock_wall_ms() + 3600000;
    ballot->board_id = S_BOARD;
    ballot->proposal_id = "0123456789abcdef0123456789abcdef";
    ballot->vote = CONCORD__V1__VOTE__FOR;
}

#define S_CERT_ROUNDS 100
#define S_CERT_TARGET 32768.0 /* bytes: the 32 KB */

/* Figure 8's row: the certificate's size after certs->ran rounds, against
 * the 32 KB target; the note gives the first round's for the growth. */
static void s_cert_row(bench_t *b, const s_certs_t *certs)
{
    bench_row_t *r = bench_row(b, "8");
    snprintf(r->measure, sizeof r->measure, "decision certificate after %zu rounds", certs->ran);
    snprintf(r->baseline, sizeof r->baseline, "the 32 KB target");
    snprintf(r->unit, sizeof r->unit, "B");
    snprintf(r->target, sizeof r->target, "<= 1.00");
    snprintf(r->note, sizeof r->note,
             "figure 4's %d-member board (unanimity): charter and %zu proposals, each unrelated "
             "to the others, every member voting; certificate after round 1: %zu B, after round "
             "%zu: %zu B (%+.1f%%)",
             BENCH_ORGS, certs->ran, certs->first, certs->ran, certs->last,
             certs->first ? 100.0 * ((double)certs->last - (double)certs->first) /
                                (double)certs->first
                          : 0.0);
    double last = (double)certs->last;
    bench_stats(&last, 1, &r->concord);
    r->base = (bench_stats_t){.n = 1, .median = S_CERT_TARGET, .p99 = S_CERT_TARGET,
                              .p1 = S_CERT_TARGET, .mean = S_CERT_TARGET};
    r->bytes = certs->last;
    r->count = certs->ran;
    bench_row_finish(r);
}

void bench_fig_board(bench_t *b, bench_fed_t *f)
{
    Concord__V1__Proposal prop = CONCORD__V1__PROPOSAL__INIT;
    Concord__V1__Ballot ballot = CONCORD__V1__BALLOT__INIT;
    size_t prop_len = 0, ballot_len = 0, cert_len = 0;
    size_t rounds = b->quick ? 2 : 20, n_raw = b->quick ? 200 : 2000;
    double cpu_broker = 0, cpu_nodes = 0;
    s_sample_events(f, &prop, &ballot);
    uint8_t *p = s_event(f, BOARD_METHOD_PROPOSE, &prop.base, 'P', &prop_len);
    uint8_t *v = s_event(f, BOARD_METHOD_VOTE, &ballot.base, 'B', &ballot_len);
    double *us = calloc(rounds, sizeof *us), *raw = calloc(n_raw, sizeof *raw);
    if (!us || !raw) {
        bench_die("out of memory");
    }
    s_certs_t certs = {.upto = !b->want[8] ? 0 : b->quick ? rounds + 1 : S_CERT_ROUNDS};
    double hwm_kib = 0;
    size_t n = s_run_concord(b, f, us, rounds, &cert_len, &cpu_broker, &cpu_nodes, &certs,
                             &hwm_kib);
    bench_note("figure 4: %zu raw fan-out/fan-in rounds", n_raw);
    s_run_raw(BENCH_ORGS, n_raw, p, prop_len, v, ballot_len, raw);

    bench_row_t *r = bench_row(b, "4");
    snprintf(r->measure, sizeof r->measure, "23-member board: proposal to certified decision");
    snprintf(r->baseline, sizeof r->baseline, "raw fan-out/fan-in, 23 DEALERs via a ROUTER");
    snprintf(r->unit, sizeof r->unit, "us/round");
    snprintf(r->target, sizeof r->target, "<= 20.00");
    snprintf(r->note, sizeof r->note,
             "proposal %zu B, ballot %zu B on the link; 1 + 23 events, %d deliveries a round; "
             "certificate %zu B; CPU a round: broker %.0f ms, 23 nodes %.0f ms; node peak RSS "
             "(VmHWM) median %.1f MiB; includes the `concord propose` process and %d ms "
             "polling of every node",
             prop_len, ballot_len, 24 * BENCH_ORGS, cert_len, 1e3 * cpu_broker,
             1e3 * cpu_nodes, hwm_kib / 1024, S_POLL_MS);
    bench_stats(us, n, &r->concord);
    bench_stats(raw, n_raw, &r->base);
    r->bytes = prop_len;
    r->count = n;
    bench_row_finish(r);
    if (b->want[8]) {
        s_cert_row(b, &certs);
    }
    free(us);
    free(raw);
    free(p);
    free(v);
}

/* ---- figure 5: the all-England federation ---- */

#define S_SCALE_MAX 400
#define S_RSS_TARGET_KIB (8.0 * 1024)

/* A number after "key:" in /proc/PID/status (kB), or 0. */
static double s_status_kib(pid_t pid, const char *key)
{
    char path[64], line[256];
    double v = 0;
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *fp = fopen(path, "r");
    while (fp && fgets(line, sizeof line, fp)) {
        if (strncmp(line, key, strlen(key)) == 0 && line[strlen(key)] == ':') {
            v = strtod(line + strlen(key) + 1, NULL);
        }
    }
    if (fp) {
        fclose(fp);
    }
    return v;
}

static pid_t s_pid_file(const char *dir, const char *name)
{
    char path[700];
    long pid = 0;
    snprintf(path, sizeof path, "%s/run/%s.pid", dir, name);
    FILE *fp = fopen(path, "r");
    if (!fp || fscanf(fp, "%ld", &pid) != 1 || pid <= 0) {
        bench_die("no pid in %s", path);
    }
    fclose(fp);
    return (pid_t)pid;
}

/* Every node of the federation in dir, NHS England's (the proposer) first;
 * returns how many. */
static int s_scale_nodes(const char *dir, bench_proc_t *nodes)
{
    char path[600];
    int n = 1;
    snprintf(path, sizeof path, "%s/nodes", dir);
    DIR *d = opendir(path);
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len < 5 || strcmp(de->d_name + len - 4, ".ini") != 0 || len - 4 >= 32) {
            continue;
        }
        char code[32];
        snprintf(code, sizeof code, "%.*s", (int)(len - 4), de->d_name);
        int at = strcmp(code, "X24") == 0 ? 0 : n++;
        if (n > S_SCALE_MAX) {
            bench_die("more than %d nodes in %s", S_SCALE_MAX, path);
        }
        snprintf(nodes[at].tag, sizeof nodes[at].tag, "%s", code);
        snprintf(nodes[at].control, sizeof nodes[at].control, "%s/run/%s.sock", dir, code);
        nodes[at].pid = s_pid_file(dir, code);
    }
    if (d) {
        closedir(d);
    }
    if (!nodes[0].tag[0]) {
        bench_die("no NHS England (X24) node in %s", path);
    }
    return n;
}

/* The board id in the federation's board.ini. */
static void s_board_id(const char *dir, char out[64])
{
    char path[600], line[256];
    snprintf(path, sizeof path, "%s/board.ini", dir);
    FILE *fp = fopen(path, "r");
    out[0] = '\0';
    while (fp && fgets(line, sizeof line, fp) && !out[0]) {
        if (sscanf(line, "id = %63[A-Za-z0-9-]", out) != 1) {
            out[0] = '\0';
        }
    }
    if (fp) {
        fclose(fp);
    }
    if (!out[0]) {
        bench_die("no board id in %s", path);
    }
}

/* CPU seconds the broker and the nodes spent in one phase of figure 5. */
typedef struct {
    double broker, nodes;
} s_cpu_t;

typedef struct {
    int n;
    double healthy_s, adopt_s, round_us, broker_cpu_s, broker_hwm_kib;
    s_cpu_t launch, adopt, round; /* per phase */
    double *hwm_kib;
    size_t cert_len;
} s_scale_t;

/* The CPU spent since *at into *phase (when not NULL); *at moves to now. */
static void s_cpu_phase(pid_t broker, const bench_proc_t *nodes, int n, s_cpu_t *at,
                        s_cpu_t *phase)
{
    s_cpu_t now = {bench_cpu_seconds(broker), s_nodes_cpu(nodes, n)};
    if (phase) {
        *phase = (s_cpu_t){now.broker - at->broker, now.nodes - at->nodes};
    }
    *at = now;
}

/* Launches the federation, adopts the national board's charter with
 * automatic voting, runs one national round and reads memory. */
static void s_scale_run(bench_fed_t *f, const char *dir, bench_proc_t *nodes, s_scale_t *out)
{
    char cfg[700], board_ini[700], board[64];
    double t0 = bench_now();
    bench_cli(f, (const char *const[]){"federation", "start", dir, NULL}, NULL, 0);
    out->healthy_s = bench_now() - t0;
    out->n = s_scale_nodes(dir, nodes);
    s_board_id(dir, board);
    pid_t broker = s_pid_file(dir, "broker");
    s_cpu_t at = {bench_cpu_seconds(broker), s_nodes_cpu(nodes, out->n)};
    out->launch = at; /* every process started with the launch */
    for (int i = 0; i < out->n; i++) {
        cc_err_t err;
        Concord__V1__AutoVoteRequest in = CONCORD__V1__AUTO_VOTE_REQUEST__INIT;
        in.has_auto_vote = 1;
        in.auto_vote = 1;
        ProtobufCMessage *r = control_client_call(nodes[i].control, "AutoVote", &in.base, 10000,
                                                  NULL, &err);
        if (!r) {
            bench_die("AutoVote at %s: %s", nodes[i].control, err.msg);
        }
        wire_free(r);
    }
    snprintf(cfg, sizeof cfg, "%s/nodes/X24.ini", dir);
    snprintf(board_ini, sizeof board_ini, "%s/board.ini", dir);
    t0 = bench_now();
    bench_cli(f, (const char *const[]){"--config", cfg, "board", "create", "--file", board_ini,
                                       NULL},
              NULL, 0);
    s_wait_all(nodes, out->n, "BoardShow", board, s_active, "charter adopted");
    out->adopt_s = bench_now() - t0;
    s_cpu_phase(broker, nodes, out->n, &at, &out->adopt);
    bench_note("figure 5: %d nodes healthy in %.1f s, charter adopted in %.1f s; one national "
               "round", out->n, out->healthy_s, out->adopt_s);
    s_round_t rd = {.f = f, .cfg = cfg, .board = board, .nodes = nodes, .n = out->n,
                    .done = s_closed};
    s_cpu_phase(broker, nodes, out->n, &at, NULL); /* AutoVote calls and polling */
    out->round_us = 1e6 * s_round(&rd, 1, &out->cert_len);
    s_cpu_phase(broker, nodes, out->n, &at, &out->round);
    out->broker_cpu_s = out->round.broker;
    out->broker_hwm_kib = s_status_kib(broker, "VmHWM");
    for (int i = 0; i < out->n; i++) {
        out->hwm_kib[i] = s_status_kib(nodes[i].pid, "VmHWM");
    }
    bench_cli(f, (const char *const[]){"federation", "stop", dir, NULL}, NULL, 0);
}

static void s_scale_skip(bench_t *b, const char *why)
{
    bench_row_t *r = bench_row(b, "5");
    snprintf(r->measure, sizeof r->measure, "all-England national round");
    snprintf(r->baseline, sizeof r->baseline, "raw fan-out/fan-in via a ROUTER");
    snprintf(r->note, sizeof r->note, "%s", why);
    r->skipped = 1;
}

void bench_fig_scale(bench_t *b, bench_fed_t *f)
{
    if (b->quick) {
        s_scale_skip(b, "skipped in quick mode: about 360 processes for a few minutes");
        return;
    }
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max; /* 360 raw DEALERs need more than 1024 */
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    char dir[300], port[16];
    bench_proc_t *nodes = calloc(S_SCALE_MAX, sizeof *nodes);
    s_scale_t sc = {.hwm_kib = calloc(S_SCALE_MAX, sizeof(double))};
    if (!nodes || !sc.hwm_kib) {
        bench_die("out of memory");
    }
    snprintf(dir, sizeof dir, "%s/england", f->dir);
    snprintf(port, sizeof port, "%d", bench_free_port());
    bench_note("figure 5: all-England federation in %s", dir);
    bench_cli(f, (const char *const[]){"federation", "init", "--out", dir, "--england", "--port",
                                       port, NULL},
              NULL, 0);
    s_scale_run(f, dir, nodes, &sc);

    Concord__V1__Proposal prop = CONCORD__V1__PROPOSAL__INIT;
    Concord__V1__Ballot ballot = CONCORD__V1__BALLOT__INIT;
    size_t prop_len = 0, ballot_len = 0, n_raw = 10;
    s_sample_events(f, &prop, &ballot);
    uint8_t *p = s_event(f, BOARD_METHOD_PROPOSE, &prop.base, 'P', &prop_len);
    uint8_t *v = s_event(f, BOARD_METHOD_VOTE, &ballot.base, 'B', &ballot_len);
    double *raw = calloc(n_raw, sizeof *raw);
    if (!raw) {
        bench_die("out of memory");
    }
    bench_note("figure 5: %zu raw fan-out/fan-in rounds of %d DEALERs", n_raw, sc.n);
    s_run_raw(sc.n, n_raw, p, prop_len, v, ballot_len, raw);

    bench_row_t *r = bench_row(b, "5");
    snprintf(r->measure, sizeof r->measure, "all-England round (%d members) to certificate", sc.n);
    snprintf(r->baseline, sizeof r->baseline, "raw fan-out/fan-in, %d DEALERs via a ROUTER",
             sc.n);
    snprintf(r->unit, sizeof r->unit, "us/round");
    snprintf(r->note, sizeof r->note,
             "%d concordd + broker on %ld CPUs: the round closes early (double majority) at "
             "every node; CPU in the round: broker %.1f s, nodes %.1f s; broker peak RSS %.1f "
             "MiB; certificate %zu B; target: round <= 5 s: %s",
             sc.n, sysconf(_SC_NPROCESSORS_ONLN), sc.round.broker, sc.round.nodes,
             sc.broker_hwm_kib / 1024, sc.cert_len,
             sc.round_us <= 5e6 ? "met" : "missed");
    double us[1] = {sc.round_us};
    bench_stats(us, 1, &r->concord);
    bench_stats(raw, n_raw, &r->base);
    r->bytes = prop_len;
    r->count = 1;
    bench_row_finish(r);

    bench_row_t *a = bench_row(b, "5");
    snprintf(a->measure, sizeof a->measure, "all-England charter adoption (%d members)", sc.n);
    snprintf(a->baseline, sizeof a->baseline, "raw fan-out/fan-in, %d DEALERs via a ROUTER",
             sc.n);
    snprintf(a->unit, sizeof a->unit, "us/round");
    snprintf(a->note, sizeof a->note,
             "every member votes, every ballot reaches every node; CPU: broker %.1f s, nodes "
             "%.1f s; before it, launch to every node healthy %.1f s (CPU: broker %.1f s, "
             "nodes %.1f s); target: adoption <= 5 s: %s",
             sc.adopt.broker, sc.adopt.nodes, sc.healthy_s, sc.launch.broker, sc.launch.nodes,
             sc.adopt_s <= 5 ? "met" : "missed");
    double adopt_us[1] = {1e6 * sc.adopt_s};
    bench_stats(adopt_us, 1, &a->concord);
    bench_stats(raw, n_raw, &a->base);
    a->bytes = prop_len;
    a->count = 1;
    bench_row_finish(a);

    bench_row_t *m = bench_row(b, "5");
    snprintf(m->measure, sizeof m->measure, "peak RSS per node (VmHWM), %d nodes", sc.n);
    snprintf(m->baseline, sizeof m->baseline, "the 8 MiB target");
    snprintf(m->unit, sizeof m->unit, "KiB");
    snprintf(m->target, sizeof m->target, "<= 1.00");
    snprintf(m->note, sizeof m->note,
             "VmHWM counts the shared libraries' pages in every process (libzmq, libsodium, "
             "SQLite, protobuf-c, libstdc++)");
    bench_stats(sc.hwm_kib, (size_t)sc.n, &m->concord);
    m->base = (bench_stats_t){.n = 1, .median = S_RSS_TARGET_KIB, .p99 = S_RSS_TARGET_KIB,
                              .p1 = S_RSS_TARGET_KIB, .mean = S_RSS_TARGET_KIB};
    m->count = (size_t)sc.n;
    bench_row_finish(m);
    free(raw);
    free(p);
    free(v);
    free(nodes);
    free(sc.hwm_kib);
}
