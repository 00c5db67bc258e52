/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the node's engine table (node/daemon/engine.h, node.c):
 * a real node (keys, signed roster, SQLite ledger in a temporary
 * directory, no broker) driven by node_step in this thread. The engines'
 * Control methods are registered with their engines, and their timers
 * bound how long the loop sleeps: a published event that does not come
 * back is given up at its deadline, not when the loop next wakes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>
#include <zmq.h>

#include "clock.h"
#include "config.h"
#include "control.h"
#include "keys.h"
#include "log.h"
#include "node.h"
#include "roster.h"
#include "wire.h"

#define S_CODE "E38000217"
#define S_OTHER "E08000003"
#define S_TIMEOUT_MS 300

typedef struct {
    char dir[128];
    config_node_t cfg;
    node_t *node;
    void *zmq;
    void *cli; /* a DEALER on the control socket */
} s_fix_t;

static void s_path(const s_fix_t *f, const char *name, char *out, size_t size)
{
    snprintf(out, size, "%s/%s", f->dir, name);
}

static int s_setup(void **state)
{
    cc_err_t err;
    char pub[256];
    s_fix_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "%s/concord-test-engine-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(f->dir));
    config_node_t *c = &f->cfg;
    snprintf(c->code, sizeof c->code, "%s", S_CODE);
    s_path(f, "node.key", c->key, sizeof c->key);
    s_path(f, "roster.bin", c->roster, sizeof c->roster);
    s_path(f, "node.db", c->ledger, sizeof c->ledger);
    s_path(f, "node.sock", c->control, sizeof c->control);
    snprintf(c->broker, sizeof c->broker, "tcp://127.0.0.1:9"); /* nobody there */
    c->log_level = LOG_LVL_ERROR;
    c->call_timeout_ms = S_TIMEOUT_MS;
    s_path(f, "node.pub", pub, sizeof pub);
    keys_t *broker = keys_generate("broker", "Broker", "BROKER", &err);
    keys_t *me = keys_generate(S_CODE, "NHS Manchester CCG", "CCG", &err);
    keys_t *other = keys_generate(S_OTHER, "Manchester City Council", "COUNCIL_UPPER", &err);
    roster_t *r = broker ? roster_new("Test federation", keys_public(broker), &err) : NULL;
    assert_non_null(r);
    assert_int_equal(roster_add(r, keys_public(me), &err), 0);
    assert_int_equal(roster_add(r, keys_public(other), &err), 0);
    assert_int_equal(roster_sign(r, me, &err), 0);
    assert_int_equal(roster_sign(r, other, &err), 0);
    assert_int_equal(roster_save(r, c->roster, &err), 0);
    assert_int_equal(keys_save(me, c->key, pub, &err), 0);
    roster_destroy(&r);
    keys_destroy(&broker);
    keys_destroy(&me);
    keys_destroy(&other);
    f->node = node_new(c, &err);
    if (!f->node) {
        fail_msg("node_new: %s", err.msg);
    }
    char ep[CONFIG_PATH_MAX + 8];
    int linger = 0;
    snprintf(ep, sizeof ep, "ipc://%s", c->control);
    f->zmq = zmq_ctx_new();
    f->cli = zmq_socket(f->zmq, ZMQ_DEALER);
    zmq_setsockopt(f->cli, ZMQ_LINGER, &linger, sizeof linger);
    assert_int_equal(zmq_connect(f->cli, ep), 0);
    *state = f;
    return 0;
}

static int s_teardown(void **state)
{
    s_fix_t *f = *state;
    static const char *const files[] = {"node.key",    "node.pub",    "roster.bin",  "node.db",
                                        "node.db-wal", "node.db-shm", "node.db.lock"};
    char path[256];
    zmq_close(f->cli);
    zmq_ctx_term(f->zmq);
    node_destroy(&f->node);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        s_path(f, files[i], path, sizeof path);
        unlink(path);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

/* Sends method (short name) with request in, without waiting. */
static void s_send(s_fix_t *f, const char *method, const ProtobufCMessage *in)
{
    char full[96];
    uint8_t *body = NULL, *buf = NULL;
    size_t body_len = 0, len = 0;
    Concord__V1__ControlCall c = CONCORD__V1__CONTROL_CALL__INIT;
    snprintf(full, sizeof full, "concord.v1.Control/%s", method);
    assert_int_equal(wire_pack(in, WIRE_MAX_FRAME, &body, &body_len, NULL), 0);
    c.method = full;
    c.body.data = body;
    c.body.len = body_len;
    assert_int_equal(wire_pack(&c.base, WIRE_MAX_FRAME, &buf, &len, NULL), 0);
    assert_true(zmq_send(f->cli, "", 0, ZMQ_SNDMORE) >= 0);
    assert_true(zmq_send(f->cli, buf, len, 0) >= 0);
    free(body);
    free(buf);
}

/* The answer on the client socket within wait_ms, or NULL. */
static Concord__V1__ControlAnswer *s_take(s_fix_t *f, long wait_ms)
{
    zmq_pollitem_t item = {.socket = f->cli, .events = ZMQ_POLLIN};
    if (zmq_poll(&item, 1, wait_ms) <= 0) {
        return NULL;
    }
    zmq_msg_t parts[2];
    int got = 0, more = 1;
    Concord__V1__ControlAnswer *a = NULL;
    while (more && got < 2) {
        zmq_msg_init(&parts[got]);
        if (zmq_msg_recv(&parts[got], f->cli, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&parts[got]);
            break;
        }
        more = zmq_msg_more(&parts[got]);
        got++;
    }
    if (got == 2) {
        a = (Concord__V1__ControlAnswer *)wire_unpack(
            &concord__v1__control_answer__descriptor, zmq_msg_data(&parts[1]),
            zmq_msg_size(&parts[1]), WIRE_MAX_FRAME, NULL);
        assert_non_null(a);
    }
    for (int i = 0; i < got; i++) {
        zmq_msg_close(&parts[i]);
    }
    return a;
}

/* Turns the loop (each turn may sleep up to max_wait_ms) until an answer
 * comes or until_ms passes. */
static Concord__V1__ControlAnswer *s_turn_until_answer(s_fix_t *f, long max_wait_ms,
                                                       uint64_t until_ms)
{
    Concord__V1__ControlAnswer *a = NULL;
    /* An answer sent in a turn reaches the client socket a moment later. */
    while (!(a = s_take(f, 100)) && clock_mono_ms() < until_ms) {
        assert_int_equal(node_step(f->node, max_wait_ms), 0);
    }
    return a;
}

static void test_engines_answer_their_methods(void **state)
{
    s_fix_t *f = *state;
    /* One method of each engine and one of the node's own. */
    Concord__V1__BoardListRequest bl = CONCORD__V1__BOARD_LIST_REQUEST__INIT;
    Concord__V1__PoolListRequest pl = CONCORD__V1__POOL_LIST_REQUEST__INIT;
    Concord__V1__StatusRequest st = CONCORD__V1__STATUS_REQUEST__INIT;
    const char *methods[] = {"BoardList", "PoolList", "Status"};
    const ProtobufCMessage *ins[] = {&bl.base, &pl.base, &st.base};
    for (size_t i = 0; i < 3; i++) {
        s_send(f, methods[i], ins[i]);
        Concord__V1__ControlAnswer *a = s_turn_until_answer(f, 50, clock_mono_ms() + 5000);
        assert_non_null(a);
        if (a->code != CONCORD__V1__STATUS_CODE__OK) {
            fail_msg("%s: %s", methods[i], a->message);
        }
        wire_free(&a->base);
    }
}

static void test_a_wait_gives_up_at_its_deadline(void **state)
{
    s_fix_t *f = *state;
    /* A pledge to no pool is refused by the precheck at once; a charter
     * is published and waits for the broker, which never answers. */
    Concord__V1__BoardMember m[2], *mp[2] = {&m[0], &m[1]};
    Concord__V1__Charter ch = CONCORD__V1__CHARTER__INIT;
    Concord__V1__Proposal p = CONCORD__V1__PROPOSAL__INIT;
    Concord__V1__ProposeRequest in = CONCORD__V1__PROPOSE_REQUEST__INIT;
    concord__v1__board_member__init(&m[0]);
    concord__v1__board_member__init(&m[1]);
    m[0].code = S_CODE;
    m[0].constituency = CONCORD__V1__CONSTITUENCY__NHS;
    m[1].code = S_OTHER;
    m[1].constituency = CONCORD__V1__CONSTITUENCY__LOCAL_GOVERNMENT;
    ch.board_id = "T-JCB";
    ch.name = "Test board";
    ch.members = mp;
    ch.n_members = 2;
    ch.rule = CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST;
    ch.quorum_numerator = 1;
    ch.quorum_denominator = 2;
    p.board_id = "T-JCB";
    p.title = "Adopt the charter";
    p.kind = CONCORD__V1__PROPOSAL_KIND__CHARTER_ADOPTION;
    p.closes_at_ms = (uint64_t)time(NULL) * 1000 + 3600000;
    p.charter = &ch;
    in.proposal = &p;
    uint64_t t0 = clock_mono_ms();
    s_send(f, "Propose", &in.base);
    /* Each turn may sleep ten seconds; the wait's deadline wakes it. */
    Concord__V1__ControlAnswer *a = s_turn_until_answer(f, 10000, t0 + 30000);
    uint64_t took = clock_mono_ms() - t0;
    assert_non_null(a);
    assert_int_equal(a->code, CONCORD__V1__STATUS_CODE__DEADLINE_EXCEEDED);
    assert_non_null(strstr(a->message, "not yet delivered back by the broker"));
    wire_free(&a->base);
    if (took < S_TIMEOUT_MS || took > S_TIMEOUT_MS + 2000) {
        fail_msg("the wait gave up after %llu ms, not at its deadline of %d ms",
                 (unsigned long long)took, S_TIMEOUT_MS);
    }
}

int main(void)
{
    if (sodium_init() < 0) {
        return 1;
    }
    log_set_level(LOG_LVL_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_engines_answer_their_methods, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_a_wait_gives_up_at_its_deadline, s_setup, s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
