/* SPDX-License-Identifier: Apache-2.0 */
/* Integration tests for the broker's bounded buffers (docs/OPERATIONS.md
 * "Memory and connections"): a member that asks for the log again and
 * again and never reads the answers holds at most the send high-water
 * mark of frames in the broker, whose memory stays within its budget
 * while the other members are served; and one MailboxAck frame with
 * hundreds of thousands of indexes is ignored whole instead of stalling
 * every member; and an outsider with no keys holding hundreds of
 * connections open neither exhausts the broker's descriptors nor keeps a
 * member out. A real broker and real nodes; NHS Bolton CCG is driven
 * by hand on its own CURVE connections. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <cmocka.h>
#include <dirent.h>
#include <zmq.h>

#include "clock.h"
#include "envelope.h"
#include "harness.h"
#include "health.pb-c.h"
#include "log.pb-c.h"
#include "roster.h"
#include "wire.h"

#define PLYMOUTH 0
#define DEVON 1
#define NHSE 2
#define RAW 3

#define FILL_N 6
#define FILL_PAD (400 * 1024)
#define READS 1500

static const char *const s_codes[] = {"E06000026", "E38000129", "X24", "E38000016"};
static const char *const s_names[] = {"Plymouth City Council",
                                      "NHS Northern, Eastern and Western Devon CCG",
                                      "NHS England", "NHS Bolton CCG"};
static fed_t s_fed;

static void s_start(const char *broker_extra)
{
    fed_broker_config_append(&s_fed, broker_extra);
    /* Freed memory goes back quickly under the sanitizer too, so that the
     * broker's resident size is what it holds. */
    char asan[512];
    const char *was = getenv("ASAN_OPTIONS");
    snprintf(asan, sizeof asan, "%s%squarantine_size_mb=4", was ? was : "", was ? ":" : "");
    setenv("ASAN_OPTIONS", asan, 1);
    fed_start_broker(&s_fed);
    if (was) {
        snprintf(asan, sizeof asan, "%s", was);
        setenv("ASAN_OPTIONS", asan, 1);
    } else {
        unsetenv("ASAN_OPTIONS");
    }
    for (int i = 0; i < 3; i++) {
        fed_start_node(&s_fed, i);
    }
    for (int i = 0; i < 3; i++) {
        fed_wait_connected(&s_fed, i);
    }
}

static int s_setup(void **state)
{
    (void)state;
    fed_create_from(&s_fed, s_codes, s_names, 4);
    return 0;
}

static int s_teardown(void **state)
{
    (void)state;
    fed_destroy(&s_fed);
    return 0;
}

/* The broker's resident memory in KiB, from /proc. */
static long s_broker_rss_kb(void)
{
    char path[64], line[256];
    long kb = -1;
    snprintf(path, sizeof path, "/proc/%d/status", (int)s_fed.broker_pid);
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    while (fgets(line, sizeof line, fp)) {
        if (strncmp(line, "VmRSS:", 6) == 0) {
            kb = strtol(line + 6, NULL, 10);
        }
    }
    fclose(fp);
    assert_true(kb > 0);
    return kb;
}

/* Seals a request from k to `to` with this body. */
static void s_seal(keys_t *k, const char *method, const char *to, uint64_t seq, const uint8_t *body,
                   size_t body_len, uint8_t **env, size_t *len)
{
    envelope_meta_t m = {
        .method = method,
        .recipient = to,
        .sent_at_ms = clock_wall_ms(),
        .deadline_ms = clock_wall_ms() + 600000,
        .sequence = seq,
        .kind = CONCORD__V1__KIND__KIND_REQUEST,
    };
    memcpy(m.call_id, &seq, sizeof seq);
    m.call_id[12] = (uint8_t)(clock_mono_ms() & 0xff);
    m.call_id[15] = 0xb0;
    assert_int_equal(envelope_seal(k, &m, body, body_len, env, len, NULL), 0);
}

/* A NodeFrame submitting env. */
static void s_submit_frame(const uint8_t *env, size_t len, uint8_t **buf, size_t *buf_len)
{
    Concord__V1__NodeFrame nf = CONCORD__V1__NODE_FRAME__INIT;
    nf.frame_case = CONCORD__V1__NODE_FRAME__FRAME_SUBMIT;
    nf.submit = (Concord__V1__Envelope *)wire_unpack(&concord__v1__envelope__descriptor, env, len,
                                                     WIRE_MAX_FRAME, NULL);
    assert_non_null(nf.submit);
    assert_int_equal(wire_pack(&nf.base, WIRE_MAX_FRAME + 4096, buf, buf_len, NULL), 0);
    wire_free(&nf.submit->base);
}

/* Fills the log with FILL_N requests of about FILL_PAD bytes from Bolton
 * to Devon (an empty HealthCheckRequest padded with an unknown field). */
static void s_fill_log(void)
{
    keys_t *k = fed_keys(&s_fed, RAW);
    raw_t raw;
    raw_connect(&raw, &s_fed, k, NULL, NULL);
    uint8_t *big = calloc(1, FILL_PAD + 16);
    assert_non_null(big);
    size_t n = 0;
    big[n++] = 0x9a; /* field 99, length-delimited */
    big[n++] = 0x06;
    for (size_t v = FILL_PAD;; v >>= 7) {
        big[n++] = (uint8_t)((v & 0x7f) | (v >= 0x80 ? 0x80 : 0));
        if (v < 0x80) {
            break;
        }
    }
    memset(big + n, 'x', FILL_PAD);
    n += FILL_PAD;
    for (int i = 0; i < FILL_N; i++) {
        uint8_t *env = NULL;
        size_t len = 0;
        s_seal(k, "concord.v1.Health/Check", s_codes[DEVON], (uint64_t)i + 1, big, n, &env, &len);
        Concord__V1__SubmitResult *res = raw_submit(&raw, env, len, 20000);
        assert_non_null(res);
        assert_int_equal(res->status->code, CC_OK);
        wire_free(&res->base);
        free(env);
    }
    free(big);
    raw_close(&raw);
    keys_destroy(&k);
    fed_wait_settled(&s_fed, DEVON);
}

typedef struct {
    long rss0_kb, peak_kb;
    double ping_ms;
} s_figures_t;

/* Bolton asks READS times for the log from index 1 (answers of about
 * FILL_PAD bytes each) on a connection that never reads; meanwhile
 * Plymouth pings NHS England, which must succeed. */
static void s_never_reader(s_figures_t *fig)
{
    keys_t *k = fed_keys(&s_fed, RAW);
    roster_t *roster = fed_roster(&s_fed);
    roster_org_t broker;
    roster_broker(roster, &broker);
    void *ctx = zmq_ctx_new();
    void *sock = zmq_socket(ctx, ZMQ_DEALER);
    int one = 1, small = 4096, linger = 0;
    zmq_setsockopt(sock, ZMQ_RCVHWM, &one, sizeof one);
    zmq_setsockopt(sock, ZMQ_RCVBUF, &small, sizeof small);
    zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, broker.curve_pk, 32);
    zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, keys_public(k)->curve_pk, 32);
    zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, keys_curve_sk(k), 32);
    char ep[64];
    snprintf(ep, sizeof ep, "tcp://127.0.0.1:%d", s_fed.port);
    assert_int_equal(zmq_connect(sock, ep), 0);

    fig->rss0_kb = s_broker_rss_kb();
    fig->peak_kb = fig->rss0_kb;
    Concord__V1__LogReadRequest rq = CONCORD__V1__LOG_READ_REQUEST__INIT;
    rq.from_index = 1;
    uint8_t *body = NULL;
    size_t body_len = 0;
    assert_int_equal(wire_pack(&rq.base, WIRE_MAX_FRAME, &body, &body_len, NULL), 0);
    for (int i = 0; i < READS; i++) {
        uint8_t *env = NULL, *buf = NULL;
        size_t len = 0, buf_len = 0;
        s_seal(k, "concord.v1.Log/Read", KEYS_BROKER_CODE, 1000 + (uint64_t)i, body, body_len,
               &env, &len);
        s_submit_frame(env, len, &buf, &buf_len);
        assert_true(zmq_send(sock, buf, buf_len, 0) >= 0);
        free(buf);
        free(env);
        if (i % 100 == 0) {
            long kb = s_broker_rss_kb();
            fig->peak_kb = kb > fig->peak_kb ? kb : fig->peak_kb;
        }
    }
    free(body);
    /* The broker answers them all (or drops what does not fit) while
     * still serving the others; its memory is sampled meanwhile. */
    char *out = NULL;
    assert_int_equal(fed_cli(&s_fed, PLYMOUTH, &out, "ping X24 --timeout 30000"), 0);
    uint64_t t0 = clock_mono_ms();
    const char *rt = strstr(out, "round trip ");
    assert_non_null(rt);
    fig->ping_ms = strtod(rt + strlen("round trip "), NULL);
    free(out);
    while (clock_mono_ms() < t0 + 6000) {
        long kb = s_broker_rss_kb();
        fig->peak_kb = kb > fig->peak_kb ? kb : fig->peak_kb;
        usleep(200 * 1000);
    }
    assert_int_equal(fed_cli(&s_fed, NHSE, NULL, "ping E06000026 --timeout 30000"), 0);
    print_message("broker RSS %ld MiB before, peak %ld MiB while a member asked %d times for "
                  "answers of %d KB and never read; an honest ping meanwhile: %.1f ms\n",
                  fig->rss0_kb / 1024, fig->peak_kb / 1024, READS, FILL_PAD / 1024,
                  fig->ping_ms);
    zmq_close(sock);
    zmq_ctx_term(ctx);
    roster_destroy(&roster);
    keys_destroy(&k);
}

/* The defaults: a member gets at most direct_per_batch (4) requests to
 * the broker answered per batch, the rest refused cheaply, and at most
 * send_hwm (256) frames queued: the broker's growth stays under 160 MiB
 * (256 answers of 400 KB, 100 MiB, with room for the allocator), and the
 * honest ping is answered. */
static void test_it_bounds_never_reader_within_budget(void **state)
{
    (void)state;
    s_figures_t fig;
    s_start("quota_bytes_per_second = 0\nquota_bytes_per_minute = 0\n");
    s_fill_log();
    s_never_reader(&fig);
    assert_true(fig.peak_kb - fig.rss0_kb <= 160 * 1024);
    assert_true(fed_log_contains(&s_fed, "broker", "direct_per_batch of 4 reached by E38000016"));
}

/* The send high-water mark alone (every request answered): the answers
 * that do not fit are dropped, and the broker stays within its budget of
 * about twice send_hwm answers (ZeroMQ's queue and the encoder's copy):
 * 256 x 400 KB x 2 = 200 MiB, under 300 MiB with the allocator's room. */
static void test_it_bounds_never_reader_send_hwm(void **state)
{
    (void)state;
    s_figures_t fig;
    s_start("quota_bytes_per_second = 0\nquota_bytes_per_minute = 0\ndirect_per_batch = 0\n");
    s_fill_log();
    s_never_reader(&fig);
    assert_true(fig.peak_kb - fig.rss0_kb <= 300 * 1024);
}

/* One MailboxAck of 300,000 indexes: ignored whole, named in the log;
 * the members are served meanwhile. */
static void test_it_bounds_huge_mailbox_ack_ignored(void **state)
{
    (void)state;
    s_start("");
    keys_t *k = fed_keys(&s_fed, RAW);
    raw_t raw;
    raw_connect(&raw, &s_fed, k, NULL, NULL);
    size_t n = 300000;
    uint64_t *idx = malloc(n * sizeof *idx);
    assert_non_null(idx);
    for (size_t i = 0; i < n; i++) {
        idx[i] = i + 1;
    }
    Concord__V1__MailboxAck ack = CONCORD__V1__MAILBOX_ACK__INIT;
    ack.n_log_index = n;
    ack.log_index = idx;
    Concord__V1__NodeFrame nf = CONCORD__V1__NODE_FRAME__INIT;
    nf.frame_case = CONCORD__V1__NODE_FRAME__FRAME_ACK;
    nf.ack = &ack;
    uint8_t *buf = NULL;
    size_t len = 0;
    assert_int_equal(wire_pack(&nf.base, WIRE_MAX_FRAME, &buf, &len, NULL), 0);
    uint64_t t0 = clock_mono_ms();
    assert_true(zmq_send(raw.sock, buf, len, 0) >= 0);
    char *out = NULL;
    assert_int_equal(fed_cli(&s_fed, PLYMOUTH, &out, "ping X24"), 0);
    print_message("a MailboxAck of %zu indexes (%zu bytes) sent; a ping right after took %llu ms "
                  "end to end: %s",
                  n, len, (unsigned long long)(clock_mono_ms() - t0), out);
    free(out);
    assert_true(fed_wait_log(&s_fed, "broker",
                             "MailboxAck from E38000016 with 300000 "
                             "indexes ignored: over the mailbox window of 64",
                             10000));
    free(buf);
    free(idx);
    raw_close(&raw);
    keys_destroy(&k);
}

/* The broker's open descriptors, from /proc. */
static int s_broker_fds(void)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/fd", (int)s_fed.broker_pid);
    DIR *d = opendir(path);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        n += e->d_name[0] != '.';
    }
    closedir(d);
    return n;
}

/* CPU seconds the broker has used, from /proc. */
static double s_broker_cpu_s(void)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)s_fed.broker_pid);
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')');
    assert_non_null(p);
    unsigned long long utime = 0, stime = 0;
    /* After ")": state, then fields 4.. ; utime and stime are fields 14 and 15. */
    int field = 2;
    for (const char *q = p + 1; *q; q++) {
        if (*q == ' ') {
            field++;
            if (field == 14) {
                utime = strtoull(q + 1, NULL, 10);
            } else if (field == 15) {
                stime = strtoull(q + 1, NULL, 10);
                break;
            }
        }
    }
    return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

#define HOLDERS 600

/* An outsider with no keys opens HOLDERS TCP connections to the broker
 * and never says a word, with the broker limited to 512 descriptors:
 * the broker neither runs out of descriptors nor spins, and a member
 * connects and is served meanwhile. */
static void test_it_bounds_unauthenticated_connections_capped(void **state)
{
    (void)state;
    struct rlimit low = {.rlim_cur = 512, .rlim_max = 512};
    s_start("");
    /* The broker, running, may hold at most 512 descriptors. */
    assert_int_equal(prlimit(s_fed.broker_pid, RLIMIT_NOFILE, &low, NULL), 0);
    fed_stop_node(&s_fed, PLYMOUTH, SIGTERM);

    int fds[HOLDERS];
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)s_fed.port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    int open_n = 0;
    for (int i = 0; i < HOLDERS; i++) {
        fds[i] = socket(AF_INET, SOCK_STREAM, 0);
        assert_true(fds[i] >= 0);
        if (connect(fds[i], (struct sockaddr *)&a, sizeof a) == 0) {
            open_n++;
        }
    }
    usleep(500 * 1000);
    /* The broker holds at most unauthenticated_per_address (32) of them,
     * besides its members' connections and its own files. */
    int fds_held = s_broker_fds();
    double cpu0 = s_broker_cpu_s();
    uint64_t t0 = clock_mono_ms();
    /* The member comes back while the outsider holds its connections. */
    fed_start_node(&s_fed, PLYMOUTH);
    fed_wait_connected(&s_fed, PLYMOUTH);
    uint64_t connect_ms = clock_mono_ms() - t0;
    char *out = NULL;
    assert_int_equal(fed_cli(&s_fed, PLYMOUTH, &out, "ping X24"), 0);
    free(out);
    sleep(2);
    double cpu = (s_broker_cpu_s() - cpu0) / ((double)(clock_mono_ms() - t0) / 1000.0);
    print_message("%d connections opened by an outsider; the broker held %d descriptors; the "
                  "member reconnected in %llu ms; the broker used %.0f%% of a CPU meanwhile\n",
                  open_n, fds_held, (unsigned long long)connect_ms, cpu * 100);
    assert_true(fds_held <= 32 + 100);
    /* An accept loop spinning on EMFILE would use a whole CPU. */
    assert_true(cpu < 0.5);
    assert_true(fed_log_contains(&s_fed, "broker", "over unauthenticated_per_address = 32"));
    for (int i = 0; i < HOLDERS; i++) {
        close(fds[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_it_bounds_never_reader_within_budget, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_it_bounds_never_reader_send_hwm, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_it_bounds_huge_mailbox_ack_ignored, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_it_bounds_unauthenticated_connections_capped,
                                        s_setup, s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
