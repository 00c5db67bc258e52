/* SPDX-License-Identifier: Apache-2.0 */
/* Integration test for per-member quotas (docs/OPERATIONS.md "Quotas"):
 * NHS Bolton CCG, on its own CURVE connection, floods the broker with
 * events of 60 KB to every member (each node stores each one) while
 * Plymouth City Council pings NHS England. With the broker's default quotas the flood is refused
 * with RESOURCE_EXHAUSTED naming the limit, the member and the reset, the
 * log holds at most a minute's byte quota of it, and every honest ping
 * is answered. The same flood against a broker with its quotas switched
 * off (all 0) is logged whole: the figures printed compare the honest
 * member's round trips and the log's growth with and without limits
 * (timing targets belong in the benchmark: they are printed, not
 * asserted).
 * Real broker and nodes on loopback TCP. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <zmq.h>

#include "clock.h"
#include "envelope.h"
#include "harness.h"
#include "health.pb-c.h"
#include "wire.h"

#define PLYMOUTH 0
#define DEVON 1
#define NHSE 2
#define RAW 3 /* the flooding member, driven by hand */

#define FLOOD_N 300
#define FLOOD_PAD (60 * 1024)
#define PINGS 20

static const char *const s_codes[] = {"E06000026", "E38000129", "X24", "E38000016"};
static const char *const s_names[] = {"Plymouth City Council",
                                      "NHS Northern, Eastern and Western Devon CCG",
                                      "NHS England", "NHS Bolton CCG"};
static fed_t s_fed;

/* Starts the federation with these extra [broker] lines. */
static void s_start(const char *broker_extra)
{
    fed_broker_config_append(&s_fed, broker_extra);
    fed_start_broker(&s_fed);
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

/* An event from k to every member, its body (an empty HealthCheckRequest)
 * padded to about pad bytes with an unknown field (which decoders keep
 * and ignore). Every node stores every event: the costliest flood. */
static void s_seal_to(keys_t *k, const char *method, const char *recipient, uint64_t seq,
                      size_t pad, uint8_t **env, size_t *len)
{
    Concord__V1__HealthCheckRequest in = CONCORD__V1__HEALTH_CHECK_REQUEST__INIT;
    uint8_t *body = NULL;
    size_t body_len = 0;
    assert_int_equal(wire_pack(&in.base, WIRE_MAX_FRAME, &body, &body_len, NULL), 0);
    uint8_t *big = calloc(1, body_len + pad + 16);
    assert_non_null(big);
    memcpy(big, body, body_len);
    size_t n = body_len;
    big[n++] = 0x9a; /* field 99, length-delimited */
    big[n++] = 0x06;
    for (size_t v = pad; ; v >>= 7) {
        big[n++] = (uint8_t)((v & 0x7f) | (v >= 0x80 ? 0x80 : 0));
        if (v < 0x80) {
            break;
        }
    }
    memset(big + n, 'x', pad);
    n += pad;
    envelope_meta_t m = {
        .method = method,
        .recipient = recipient ? recipient : ENVELOPE_EVERYONE,
        .sent_at_ms = clock_wall_ms(),
        .deadline_ms = clock_wall_ms() + 600000,
        .sequence = seq,
        .kind = recipient ? CONCORD__V1__KIND__KIND_REQUEST : CONCORD__V1__KIND__KIND_EVENT,
    };
    memcpy(m.call_id, &seq, sizeof seq);
    m.call_id[15] = 0x5a;
    assert_int_equal(envelope_seal(k, &m, big, n, env, len, NULL), 0);
    free(body);
    free(big);
}

static void s_seal_padded(keys_t *k, const char *method, uint64_t seq, size_t pad, uint8_t **env,
                          size_t *len)
{
    s_seal_to(k, method, NULL, seq, pad, env, len);
}

static char *s_ok_cli(int i, const char *args)
{
    char *out = NULL;
    int rc = fed_cli(&s_fed, i, &out, "%s", args);
    if (rc != 0) {
        fail_msg("`concord %s` exited %d: %s", args, rc, out);
    }
    return out;
}

static int s_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Reads the "round trip X ms" figures of a ping --count output into rtt;
 * returns how many. */
static int s_rtts(const char *out, double *rtt, int max)
{
    int n = 0;
    for (const char *p = out; n < max && (p = strstr(p, "round trip ")); n++) {
        p += strlen("round trip ");
        rtt[n] = strtod(p, NULL);
    }
    qsort(rtt, (size_t)n, sizeof *rtt, s_cmp);
    return n;
}

/* Entries in the broker's log, as Plymouth verifies it. */
static unsigned long long s_log_entries(void)
{
    char *out = NULL;
    assert_int_equal(fed_cli(&s_fed, PLYMOUTH, &out, "--json log verify"), 0);
    const char *p = strstr(out, "\"entries\":");
    assert_non_null(p);
    unsigned long long v = strtoull(p + strlen("\"entries\":"), NULL, 10);
    free(out);
    return v;
}

typedef struct {
    double base_p50, base_max, flood_p50, flood_max;
    int accepted, refused;
    unsigned long long logged;
    double flood_s;
} s_figures_t;

/* Baseline pings, then the same pings during the flood. Every honest ping
 * must be answered. refusal (NULL: none expected) must be in every
 * refusal the flooder hears. */
static void s_flood(const char *refusal, s_figures_t *fig)
{
    double rtt[PINGS];
    char *out = NULL;
    assert_int_equal(fed_cli(&s_fed, PLYMOUTH, &out, "ping X24 --count %d", PINGS), 0);
    assert_int_equal(s_rtts(out, rtt, PINGS), PINGS);
    free(out);
    fig->base_p50 = rtt[PINGS / 2];
    fig->base_max = rtt[PINGS - 1];
    unsigned long long log0 = s_log_entries();

    keys_t *k = fed_keys(&s_fed, RAW);
    raw_t raw;
    raw_connect(&raw, &s_fed, k, NULL, NULL);
    uint64_t t0 = clock_mono_ms();
    for (int i = 0; i < FLOOD_N; i++) {
        uint8_t *env = NULL;
        size_t len = 0;
        s_seal_padded(k, "concord.v1.Flood/Junk", (uint64_t)i + 1, FLOOD_PAD, &env, &len);
        Concord__V1__NodeFrame nf = CONCORD__V1__NODE_FRAME__INIT;
        nf.frame_case = CONCORD__V1__NODE_FRAME__FRAME_SUBMIT;
        nf.submit = (Concord__V1__Envelope *)wire_unpack(&concord__v1__envelope__descriptor, env,
                                                         len, WIRE_MAX_FRAME, NULL);
        uint8_t *buf = NULL;
        size_t buf_len = 0;
        assert_int_equal(wire_pack(&nf.base, WIRE_MAX_FRAME + 4096, &buf, &buf_len, NULL), 0);
        wire_free(&nf.submit->base);
        assert_true(zmq_send(raw.sock, buf, buf_len, 0) >= 0);
        free(buf);
        free(env);
    }
    /* The honest member pings while the flood is being judged. */
    char pings[256];
    snprintf(pings, sizeof pings, "%s/pings.out", s_fed.dir);
    pid_t pid = fed_cli_bg(&s_fed, PLYMOUTH, pings, "ping X24 --count " "20");
    fig->accepted = fig->refused = 0;
    int timeout = 120000;
    zmq_setsockopt(raw.sock, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    while (fig->accepted + fig->refused < FLOOD_N) {
        zmq_msg_t msg;
        zmq_msg_init(&msg);
        if (zmq_msg_recv(&msg, raw.sock, 0) < 0) {
            fail_msg("the broker answered %d of %d flood envelopes", fig->accepted + fig->refused,
                     FLOOD_N);
        }
        Concord__V1__BrokerFrame *bf = (Concord__V1__BrokerFrame *)wire_unpack(
            &concord__v1__broker_frame__descriptor, zmq_msg_data(&msg), zmq_msg_size(&msg),
            WIRE_MAX_FRAME + 4096, NULL);
        zmq_msg_close(&msg);
        assert_non_null(bf);
        if (bf->frame_case == CONCORD__V1__BROKER_FRAME__FRAME_RESULT) {
            const Concord__V1__Status *st = bf->result->status;
            if ((cc_code_t)st->code == CC_OK) {
                fig->accepted++;
            } else {
                if (!refusal || (cc_code_t)st->code != CC_RESOURCE_EXHAUSTED ||
                    !strstr(st->message, refusal)) {
                    fail_msg("flood envelope refused with %s: %s",
                             err_code_name((cc_code_t)st->code), st->message);
                }
                if (fig->refused++ == 0) {
                    print_message("flood refused: RESOURCE_EXHAUSTED: %s\n", st->message);
                }
            }
        }
        wire_free(&bf->base);
    }
    fig->flood_s = (double)(clock_mono_ms() - t0) / 1000.0;
    assert_int_equal(fed_cli_wait(pid), 0);
    out = fed_slurp(pings);
    assert_non_null(out);
    assert_int_equal(s_rtts(out, rtt, PINGS), PINGS);
    free(out);
    fig->flood_p50 = rtt[PINGS / 2];
    fig->flood_max = rtt[PINGS - 1];
    raw_close(&raw);
    keys_destroy(&k);
    /* Every accepted event, and each ping's request and reply. */
    fig->logged = s_log_entries() - log0;
    fed_wait_settled(&s_fed, DEVON);
    print_message("honest ping p50 %.1f ms, max %.1f ms without flood; p50 %.1f ms, max %.1f ms "
                  "during flood; flood of %d x %d KB: %d accepted, %d refused, answered in %.1f s; "
                  "log grew by %llu entries\n",
                  fig->base_p50, fig->base_max, fig->flood_p50, fig->flood_max, FLOOD_N,
                  FLOOD_PAD / 1024, fig->accepted, fig->refused, fig->flood_s, fig->logged);
}

/* Sends n padded events from the flooding member and returns how many the
 * broker accepted once all are answered. */
static int s_flood_n(int n)
{
    keys_t *k = fed_keys(&s_fed, RAW);
    raw_t raw;
    raw_connect(&raw, &s_fed, k, NULL, NULL);
    for (int i = 0; i < n; i++) {
        uint8_t *env = NULL, *buf = NULL;
        size_t len = 0, buf_len = 0;
        s_seal_padded(k, "concord.v1.Flood/Junk", (uint64_t)i + 1, FLOOD_PAD, &env, &len);
        Concord__V1__NodeFrame nf = CONCORD__V1__NODE_FRAME__INIT;
        nf.frame_case = CONCORD__V1__NODE_FRAME__FRAME_SUBMIT;
        nf.submit = (Concord__V1__Envelope *)wire_unpack(&concord__v1__envelope__descriptor, env,
                                                         len, WIRE_MAX_FRAME, NULL);
        assert_int_equal(wire_pack(&nf.base, WIRE_MAX_FRAME + 4096, &buf, &buf_len, NULL), 0);
        wire_free(&nf.submit->base);
        assert_true(zmq_send(raw.sock, buf, buf_len, 0) >= 0);
        free(buf);
        free(env);
    }
    int answered = 0, accepted = 0, timeout = 120000;
    zmq_setsockopt(raw.sock, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    while (answered < n) {
        zmq_msg_t msg;
        zmq_msg_init(&msg);
        if (zmq_msg_recv(&msg, raw.sock, 0) < 0) {
            fail_msg("the broker answered %d of %d events", answered, n);
        }
        Concord__V1__BrokerFrame *bf = (Concord__V1__BrokerFrame *)wire_unpack(
            &concord__v1__broker_frame__descriptor, zmq_msg_data(&msg), zmq_msg_size(&msg),
            WIRE_MAX_FRAME + 4096, NULL);
        zmq_msg_close(&msg);
        assert_non_null(bf);
        if (bf->frame_case == CONCORD__V1__BROKER_FRAME__FRAME_RESULT) {
            answered++;
            accepted += (cc_code_t)bf->result->status->code == CC_OK;
        }
        wire_free(&bf->base);
    }
    raw_close(&raw);
    keys_destroy(&k);
    return accepted;
}

/* A node's cap on what its ledger holds (ledger_max_mb = 2): 40 events of
 * 60 KB from another member (its quotas off) take NHS England's ledger
 * past it. Every one is still stored (a node that refused deliveries would
 * fold differently), status says FULL, the node's own new work is refused
 * with LEDGER_FULL, others' requests are still answered; with the cap
 * raised it works again. */
static void test_it_quota_node_ledger_cap(void **state)
{
    (void)state;
    char *out = NULL;
    fed_node_config_append(&s_fed, NHSE, "ledger_max_mb = 2\n");
    s_start("quota_scale = E38000016:0\n");
    out = NULL;
    assert_int_equal(fed_cli(&s_fed, NHSE, &out, "status"), 0);
    assert_null(strstr(out, "storage "));
    free(out);
    assert_int_equal(s_flood_n(40), 40);
    free(fed_cli_until(&s_fed, NHSE, "storage        FULL: the ledger holds", 1, 60000,
                       "status"));
    fed_wait_settled(&s_fed, NHSE);
    out = NULL;
    assert_int_not_equal(fed_cli(&s_fed, NHSE, &out, "ping E06000026"), 0);
    if (!strstr(out, "RESOURCE_EXHAUSTED") ||
        !strstr(out, "LEDGER_FULL: this node's ledger holds") ||
        !strstr(out, "at its cap (ledger_max_mb = 2)")) {
        fail_msg("expected LEDGER_FULL, got: %s", out);
    }
    print_message("refused: %s", out);
    free(out);
    /* Others' requests are stored and answered; reads are served. */
    free(s_ok_cli(PLYMOUTH, "ping X24"));
    free(s_ok_cli(NHSE, "log verify"));
    /* The cap raised: the node takes work again. */
    assert_int_equal(fed_stop_node(&s_fed, NHSE, SIGTERM), 0);
    fed_node_config_replace(&s_fed, NHSE, "ledger_max_mb = 2\n", "ledger_max_mb = 64\n");
    fed_start_node(&s_fed, NHSE);
    fed_wait_connected(&s_fed, NHSE);
    free(s_ok_cli(NHSE, "ping E06000026"));
}

/* The broker's default quotas: 1 MiB per member per second, 8 MiB per
 * minute. */
static void test_it_quota_flood_refused_honest_served(void **state)
{
    (void)state;
    s_figures_t fig;
    s_start("");
    s_flood("reached by E38000016", &fig);
    assert_true(fed_log_contains(&s_fed, "broker",
                                 "quota_bytes_per_second of 1048576 reached by E38000016"));
    /* At most a second's byte quota was logged for each second the flood
     * lasted (and never more than the minute's). */
    assert_true(fig.refused > 0);
    assert_true(fig.accepted >= 1);
    assert_true((double)fig.accepted * FLOOD_PAD <= (fig.flood_s + 1.0) * 1048576);
    assert_true((double)fig.accepted * FLOOD_PAD <= 8388608);
    assert_int_equal(fig.logged, (unsigned long long)fig.accepted + 2 * PINGS);
    assert_true(fed_log_contains(&s_fed, "broker", "reached by E38000016"));

    /* Size by method, once the second's window is over: an event over
     * quota_event_bytes, a vote over quota_vote_bytes. */
    sleep(2);
    keys_t *k = fed_keys(&s_fed, RAW);
    raw_t raw;
    raw_connect(&raw, &s_fed, k, NULL, NULL);
    struct {
        const char *method;
        size_t pad;
        const char *words;
    } big[] = {
        {"concord.v1.Flood/Junk", 140000, "from E38000016 is over quota_event_bytes = 131072"},
        {"concord.v1.Board/Vote", 5000, "from E38000016 is over quota_vote_bytes = 4096"},
    };
    for (int i = 0; i < 2; i++) {
        uint8_t *env = NULL;
        size_t len = 0;
        s_seal_padded(k, big[i].method, 10000 + (uint64_t)i, big[i].pad, &env, &len);
        Concord__V1__SubmitResult *res = raw_submit(&raw, env, len, 10000);
        assert_non_null(res);
        if ((cc_code_t)res->status->code != CC_RESOURCE_EXHAUSTED ||
            !strstr(res->status->message, big[i].words)) {
            fail_msg("broker answered %s: %s", err_code_name((cc_code_t)res->status->code),
                     res->status->message);
        }
        print_message("broker refused: RESOURCE_EXHAUSTED: %s\n", res->status->message);
        wire_free(&res->base);
        free(env);
    }
    /* A small event still goes through: the member is limited, not cut off. */
    uint8_t *env = NULL;
    size_t len = 0;
    s_seal_padded(k, "concord.v1.Flood/Junk", 10002, 100, &env, &len);
    Concord__V1__SubmitResult *res = raw_submit(&raw, env, len, 10000);
    assert_non_null(res);
    assert_int_equal(res->status->code, CC_OK);
    wire_free(&res->base);
    free(env);
    raw_close(&raw);
    keys_destroy(&k);
}

/* Quotas off for the flooding member alone (quota_scale = CODE:0, a
 * per-member override): the whole flood is logged. */
static void test_it_quota_off_logs_whole_flood(void **state)
{
    (void)state;
    s_figures_t fig;
    s_start("quota_scale = E38000016:0\n");
    s_flood(NULL, &fig);
    assert_int_equal(fig.refused, 0);
    assert_int_equal(fig.accepted, FLOOD_N);
}

/* A recipient that does not read: with Devon's node stopped, Bolton sends
 * it requests of 60 KB (its own sender quotas off). Past
 * quota_mailbox_bytes waiting for Devon they are refused, naming the limit,
 * the mailbox and how it frees; events to every member still pass (one
 * member away must not stop the federation); once Devon's node is back
 * and has read its mailbox, requests to it pass again. */
static void test_it_quota_mailbox_bytes_per_recipient(void **state)
{
    (void)state;
    s_start("quota_scale = E38000016:0\nquota_mailbox_bytes = 1048576\n");
    assert_int_equal(fed_stop_node(&s_fed, DEVON, SIGTERM), 0);
    keys_t *k = fed_keys(&s_fed, RAW);
    raw_t raw;
    raw_connect(&raw, &s_fed, k, NULL, NULL);
    int accepted = 0, refused = 0;
    uint64_t seq = 1;
    for (int i = 0; i < 30; i++) {
        uint8_t *env = NULL;
        size_t len = 0;
        s_seal_to(k, "concord.v1.Health/Check", s_codes[DEVON], seq++, FLOOD_PAD, &env, &len);
        Concord__V1__SubmitResult *res = raw_submit(&raw, env, len, 10000);
        assert_non_null(res);
        if ((cc_code_t)res->status->code == CC_OK) {
            assert_int_equal(refused, 0); /* none after the first refusal */
            accepted++;
        } else {
            if ((cc_code_t)res->status->code != CC_RESOURCE_EXHAUSTED ||
                !strstr(res->status->message, "quota_mailbox_bytes of 1048576 reached by the "
                                              "mailbox of E38000129") ||
                !strstr(res->status->message, "it frees as E38000129 stores its deliveries")) {
                fail_msg("broker answered %s: %s", err_code_name((cc_code_t)res->status->code),
                         res->status->message);
            }
            if (refused++ == 0) {
                print_message("broker refused: RESOURCE_EXHAUSTED: %s\n", res->status->message);
            }
        }
        wire_free(&res->base);
        free(env);
    }
    /* About 1 MiB of 60 KB requests, no more. */
    assert_true(accepted >= 15 && accepted <= 17);
    assert_int_equal(accepted + refused, 30);
    /* An event for everyone still goes through. */
    uint8_t *env = NULL;
    size_t len = 0;
    s_seal_padded(k, "concord.v1.Flood/Junk", seq++, 100, &env, &len);
    Concord__V1__SubmitResult *res = raw_submit(&raw, env, len, 10000);
    assert_non_null(res);
    assert_int_equal(res->status->code, CC_OK);
    wire_free(&res->base);
    free(env);
    /* Devon comes back and reads its mailbox: requests to it pass again. */
    fed_start_node(&s_fed, DEVON);
    fed_wait_connected(&s_fed, DEVON);
    fed_wait_settled(&s_fed, DEVON);
    int ok = 0;
    for (int tries = 0; tries < 100 && !ok; tries++) {
        s_seal_to(k, "concord.v1.Health/Check", s_codes[DEVON], seq++, FLOOD_PAD, &env, &len);
        res = raw_submit(&raw, env, len, 10000);
        assert_non_null(res);
        ok = (cc_code_t)res->status->code == CC_OK;
        wire_free(&res->base);
        free(env);
        if (!ok) {
            usleep(200 * 1000);
        }
    }
    assert_true(ok);
    raw_close(&raw);
    keys_destroy(&k);
}

/* An event the broker refuses is reported as refused, with the broker's
 * reason, by the CLI command that published it (not as "published, it
 * will be applied" after a timeout): a vote whose reason takes it over
 * quota_vote_bytes. */
static void test_it_quota_cli_reports_refused_event(void **state)
{
    (void)state;
    char *out = NULL, id[33], reason[701];
    s_start("quota_vote_bytes = 600\n");
    const int members[] = {PLYMOUTH, DEVON};
    fed_board_create(&s_fed, "PLY-JCB", "majority", members, 2, 0);
    assert_int_equal(fed_cli(&s_fed, PLYMOUTH, &out, "--json propose --board PLY-JCB --title "
                                                     "'Extend GP hours' --area primary-care "
                                                     "--amount 1m --closes-in 600s"),
                     0);
    fed_json_id(out, id);
    free(out);
    char args[64];
    snprintf(args, sizeof args, "proposal show %s", id);
    free(fed_cli_until(&s_fed, DEVON, "closes ", 1, 30000, args));
    memset(reason, 'r', sizeof reason - 1);
    reason[sizeof reason - 1] = '\0';
    uint64_t t0 = clock_mono_ms();
    assert_int_equal(fed_cli(&s_fed, DEVON, &out, "vote %s for --reason '%s'", id, reason), 1);
    if (!strstr(out, "refused by the broker: RESOURCE_EXHAUSTED: quota exceeded: event of") ||
        !strstr(out, "is over quota_vote_bytes = 600") || strstr(out, "will be applied")) {
        fail_msg("expected the broker's refusal, got: %s", out);
    }
    print_message("vote refused in %llu ms: %s", (unsigned long long)(clock_mono_ms() - t0), out);
    free(out);
    /* Nothing was folded: the proposal has no ballot; a short vote passes. */
    assert_int_equal(fed_cli(&s_fed, DEVON, &out, "--json proposal show %s", id), 0);
    assert_non_null(strstr(out, "\"votes_for\":0"));
    free(out);
    assert_int_equal(fed_cli(&s_fed, DEVON, &out, "vote %s for --reason 'Within budget'", id), 0);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_it_quota_flood_refused_honest_served, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_it_quota_off_logs_whole_flood, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_it_quota_mailbox_bytes_per_recipient, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_it_quota_node_ledger_cap, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_it_quota_cli_reports_refused_event, s_setup,
                                        s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
