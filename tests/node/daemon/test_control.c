/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the node's control service (node/daemon/control.c and
 * the handlers it dispatches to): a real node (keys, signed roster, SQLite
 * ledger in a temporary directory, no broker) answers on its real ipc
 * control socket while a thread turns its loop; the tests call it through
 * the typed client (common/net/control_client.c) and, for requests the
 * client would not send, through a raw REQ socket. Bad requests must come
 * back with the status codes and messages users see; good ones with real
 * data from the node. */
#include <pthread.h>
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

#include "config.h"
#include "control_client.h"
#include "keys.h"
#include "log.h"
#include "node.h"
#include "roster.h"
#include "wire.h"

#define S_CODE "E38000217"
#define S_OTHER "E08000003"
#define S_WAIT_MS 5000

typedef struct {
    char dir[128];
    config_node_t cfg;
    node_t *node;
    pthread_t loop;
    volatile int stop;
} s_fix_t;

static void *s_loop(void *arg)
{
    s_fix_t *f = arg;
    while (!f->stop) {
        node_step(f->node, 10);
    }
    return NULL;
}

static void s_path(const s_fix_t *f, const char *name, char *out, size_t size)
{
    snprintf(out, size, "%s/%s", f->dir, name);
}

static int s_setup(void **state)
{
    cc_err_t err;
    char pub[256], other_pub[256], other_key[256];
    s_fix_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "%s/concord-test-control-XXXXXX",
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
    c->call_timeout_ms = 200;
    s_path(f, "node.pub", pub, sizeof pub);
    s_path(f, "other.pub", other_pub, sizeof other_pub);
    s_path(f, "other.key", other_key, sizeof other_key);

    /* A federation of two, its roster signed by both. */
    keys_t *broker = keys_generate("broker", "Broker", "BROKER", &err);
    keys_t *me = keys_generate(S_CODE, "NHS Manchester CCG", "CCG", &err);
    keys_t *other = keys_generate(S_OTHER, "Manchester City Council", "COUNCIL_UPPER", &err);
    assert_non_null(broker);
    assert_non_null(me);
    assert_non_null(other);
    roster_t *r = roster_new("Test federation", keys_public(broker), &err);
    assert_non_null(r);
    assert_int_equal(roster_add(r, keys_public(me), &err), 0);
    assert_int_equal(roster_add(r, keys_public(other), &err), 0);
    assert_int_equal(roster_sign(r, me, &err), 0);
    assert_int_equal(roster_sign(r, other, &err), 0);
    assert_int_equal(roster_save(r, c->roster, &err), 0);
    assert_int_equal(keys_save(me, c->key, pub, &err), 0);
    assert_int_equal(keys_save(other, other_key, other_pub, &err), 0);
    roster_destroy(&r);
    keys_destroy(&broker);
    keys_destroy(&me);
    keys_destroy(&other);

    f->node = node_new(c, &err);
    if (!f->node) {
        fail_msg("node_new: %s", err.msg);
    }
    assert_int_equal(pthread_create(&f->loop, NULL, s_loop, f), 0);
    *state = f;
    return 0;
}

static int s_teardown(void **state)
{
    s_fix_t *f = *state;
    static const char *const files[] = {"node.key",    "node.pub",    "other.key",
                                        "other.pub",   "roster.bin",  "node.db",
                                        "node.db-wal", "node.db-shm", "node.db.lock"};
    char path[256];
    f->stop = 1;
    pthread_join(f->loop, NULL);
    node_destroy(&f->node);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        s_path(f, files[i], path, sizeof path);
        unlink(path);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

/* The typed call; the reply, or NULL with *err and *refused set. */
static ProtobufCMessage *s_call(s_fix_t *f, const char *method, const ProtobufCMessage *in,
                                int *refused, cc_err_t *err)
{
    return control_client_call(f->cfg.control, method, in, S_WAIT_MS, refused, err);
}

/* Expects the node to refuse method with code and a message holding why. */
static void s_refused(s_fix_t *f, const char *method, const ProtobufCMessage *in, cc_code_t code,
                      const char *why)
{
    cc_err_t err;
    int refused = 0;
    ProtobufCMessage *r = s_call(f, method, in, &refused, &err);
    if (r) {
        wire_free(r);
        fail_msg("%s was answered OK; expected %s", method, err_code_name(code));
    }
    assert_int_equal(refused, 1);
    assert_int_equal(err.code, code);
    if (!strstr(err.msg, why)) {
        fail_msg("%s: '%s' lacks '%s'", method, err.msg, why);
    }
}

/* Sends raw bytes as one request and returns the decoded answer. */
static Concord__V1__ControlAnswer *s_raw(s_fix_t *f, const uint8_t *buf, size_t len)
{
    char ep[CONFIG_PATH_MAX + 8];
    int timeout = S_WAIT_MS, linger = 0;
    void *ctx = zmq_ctx_new();
    void *req = zmq_socket(ctx, ZMQ_REQ);
    snprintf(ep, sizeof ep, "ipc://%s", f->cfg.control);
    zmq_setsockopt(req, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt(req, ZMQ_LINGER, &linger, sizeof linger);
    assert_int_equal(zmq_connect(req, ep), 0);
    assert_true(zmq_send(req, buf, len, 0) >= 0);
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    assert_true(zmq_msg_recv(&msg, req, 0) >= 0);
    Concord__V1__ControlAnswer *a = (Concord__V1__ControlAnswer *)wire_unpack(
        &concord__v1__control_answer__descriptor, zmq_msg_data(&msg), zmq_msg_size(&msg),
        WIRE_MAX_FRAME, NULL);
    zmq_msg_close(&msg);
    zmq_close(req);
    zmq_ctx_term(ctx);
    assert_non_null(a);
    return a;
}

/* A ControlCall of method (full name) with body, sent raw. */
static Concord__V1__ControlAnswer *s_raw_call(s_fix_t *f, const char *method, const uint8_t *body,
                                              size_t body_len)
{
    Concord__V1__ControlCall c = CONCORD__V1__CONTROL_CALL__INIT;
    uint8_t *buf = NULL;
    size_t len = 0;
    c.method = (char *)method;
    c.body.data = (uint8_t *)body;
    c.body.len = body_len;
    assert_int_equal(wire_pack(&c.base, WIRE_MAX_FRAME, &buf, &len, NULL), 0);
    Concord__V1__ControlAnswer *a = s_raw(f, buf, len);
    free(buf);
    return a;
}

static void test_status_reports_the_node(void **state)
{
    s_fix_t *f = *state;
    cc_err_t err;
    Concord__V1__StatusRequest in = CONCORD__V1__STATUS_REQUEST__INIT;
    Concord__V1__StatusReply *r =
        (Concord__V1__StatusReply *)s_call(f, "Status", &in.base, NULL, &err);
    if (!r) {
        fail_msg("Status: %s", err.msg);
    }
    assert_string_equal(r->organisation, S_CODE);
    assert_string_equal(r->federation, "Test federation");
    assert_int_equal(r->members, 2);
    assert_string_equal(r->broker, "tcp://127.0.0.1:9");
    assert_true(r->serving);
    assert_false(r->connected);
    assert_string_equal(r->ledger_path, f->cfg.ledger);
    assert_true(r->started_ms > 0);
    wire_free(&r->base);
}

static void test_roster_and_empty_views(void **state)
{
    s_fix_t *f = *state;
    cc_err_t err;
    Concord__V1__RosterShowRequest rs = CONCORD__V1__ROSTER_SHOW_REQUEST__INIT;
    Concord__V1__RosterShowReply *roster =
        (Concord__V1__RosterShowReply *)s_call(f, "RosterShow", &rs.base, NULL, &err);
    assert_non_null(roster);
    assert_int_equal(roster->n_organisations, 2);
    assert_int_equal(roster->genesis_hash.len, 32);
    assert_int_equal(roster->n_history, 0);
    int found = 0;
    for (size_t i = 0; i < roster->n_organisations; i++) {
        found += strcmp(roster->organisations[i]->code, S_OTHER) == 0 &&
                 strcmp(roster->organisations[i]->kind, "COUNCIL_UPPER") == 0 &&
                 roster->organisations[i]->sign_key.len == KEYS_PK_LEN;
    }
    assert_int_equal(found, 1);
    wire_free(&roster->base);

    Concord__V1__BoardListRequest bl = CONCORD__V1__BOARD_LIST_REQUEST__INIT;
    Concord__V1__BoardListReply *boards =
        (Concord__V1__BoardListReply *)s_call(f, "BoardList", &bl.base, NULL, &err);
    assert_non_null(boards);
    assert_int_equal(boards->n_boards, 0);
    wire_free(&boards->base);

    Concord__V1__PoolListRequest pl = CONCORD__V1__POOL_LIST_REQUEST__INIT;
    Concord__V1__PoolListReply *pools =
        (Concord__V1__PoolListReply *)s_call(f, "PoolList", &pl.base, NULL, &err);
    assert_non_null(pools);
    assert_int_equal(pools->n_pools + pools->n_plans, 0);
    wire_free(&pools->base);

    Concord__V1__LedgerRequest lr = CONCORD__V1__LEDGER_REQUEST__INIT;
    lr.limit = 3;
    Concord__V1__LedgerReply *ledger =
        (Concord__V1__LedgerReply *)s_call(f, "Ledger", &lr.base, NULL, &err);
    assert_non_null(ledger);
    assert_true(ledger->n_entries <= 3);
    wire_free(&ledger->base);
}

static void test_auto_vote_replaces_only_what_is_set(void **state)
{
    s_fix_t *f = *state;
    cc_err_t err;
    Concord__V1__AutoVoteRequest in = CONCORD__V1__AUTO_VOTE_REQUEST__INIT;
    in.has_auto_vote = 1;
    in.auto_vote = 1;
    in.has_abstain_areas = 1;
    in.abstain_areas = "primary-care,acute";
    in.has_against_above = 1;
    in.against_above_pence = 500000;
    Concord__V1__AutoVoteReply *r =
        (Concord__V1__AutoVoteReply *)s_call(f, "AutoVote", &in.base, NULL, &err);
    assert_non_null(r);
    assert_true(r->auto_vote);
    assert_string_equal(r->abstain_areas, "primary-care,acute");
    assert_int_equal(r->against_above_pence, 500000);
    wire_free(&r->base);
    /* Nothing set: the policy in force, unchanged. */
    Concord__V1__AutoVoteRequest none = CONCORD__V1__AUTO_VOTE_REQUEST__INIT;
    r = (Concord__V1__AutoVoteReply *)s_call(f, "AutoVote", &none.base, NULL, &err);
    assert_non_null(r);
    assert_true(r->auto_vote);
    assert_string_equal(r->abstain_areas, "primary-care,acute");
    wire_free(&r->base);
    /* A bad setting changes nothing. */
    Concord__V1__AutoVoteRequest bad = CONCORD__V1__AUTO_VOTE_REQUEST__INIT;
    bad.has_auto_vote = 1;
    bad.has_against_areas = 1;
    bad.against_areas = "acute,dentistry";
    s_refused(f, "AutoVote", &bad.base, CC_INVALID_ARGUMENT,
              "auto-vote: bad setting 'against_areas=acute,dentistry'");
    r = (Concord__V1__AutoVoteReply *)s_call(f, "AutoVote", &none.base, NULL, &err);
    assert_non_null(r);
    assert_true(r->auto_vote);
    assert_string_equal(r->against_areas, "");
    wire_free(&r->base);
}

static void test_requests_are_checked_before_use(void **state)
{
    s_fix_t *f = *state;
    Concord__V1__BoardShowRequest bs = CONCORD__V1__BOARD_SHOW_REQUEST__INIT;
    bs.board_id = "NOPE";
    s_refused(f, "BoardShow", &bs.base, CC_NOT_FOUND, "no board 'NOPE'");
    Concord__V1__ProposalShowRequest ps = CONCORD__V1__PROPOSAL_SHOW_REQUEST__INIT;
    ps.proposal_id = "abcdef0123";
    s_refused(f, "ProposalShow", &ps.base, CC_NOT_FOUND, "no proposal '");
    Concord__V1__ProposeRequest pr = CONCORD__V1__PROPOSE_REQUEST__INIT;
    s_refused(f, "Propose", &pr.base, CC_INVALID_ARGUMENT, "propose: no proposal");
    Concord__V1__VoteRequest vr = CONCORD__V1__VOTE_REQUEST__INIT;
    s_refused(f, "Vote", &vr.base, CC_INVALID_ARGUMENT, "vote: no ballot");
    Concord__V1__PingRequest ping = CONCORD__V1__PING_REQUEST__INIT;
    s_refused(f, "Ping", &ping.base, CC_INVALID_ARGUMENT, "ping: expected an organisation code");
    ping.target = "not a code";
    s_refused(f, "Ping", &ping.base, CC_INVALID_ARGUMENT, "ping: 'not a code'");
    Concord__V1__PoolShowRequest show = CONCORD__V1__POOL_SHOW_REQUEST__INIT;
    show.id = "NOPE";
    s_refused(f, "PoolShow", &show.base, CC_NOT_FOUND, "no pool or BCF plan 'NOPE'");
    Concord__V1__BcfShowRequest bcf = CONCORD__V1__BCF_SHOW_REQUEST__INIT;
    s_refused(f, "BcfShow", &bcf.base, CC_NOT_FOUND, "no BCF plan ''");
    Concord__V1__PoolStatementRequest st = CONCORD__V1__POOL_STATEMENT_REQUEST__INIT;
    st.pool_id = "NOPE";
    st.financial_year = 17;
    s_refused(f, "PoolStatement", &st.base, CC_INVALID_ARGUMENT, "the year as 2017 for 2017/18");
    st.financial_year = 2017;
    s_refused(f, "PoolStatement", &st.base, CC_NOT_FOUND, "pool 'NOPE' has no contributions");
    Concord__V1__PledgeRequest pl = CONCORD__V1__PLEDGE_REQUEST__INIT;
    s_refused(f, "Pledge", &pl.base, CC_INVALID_ARGUMENT, "no message");
    Concord__V1__PoolProposeRequest pp = CONCORD__V1__POOL_PROPOSE_REQUEST__INIT;
    s_refused(f, "PoolPropose", &pp.base, CC_INVALID_ARGUMENT, "CLOSES_AT_MS");
    Concord__V1__DecisionExportRequest de = CONCORD__V1__DECISION_EXPORT_REQUEST__INIT;
    s_refused(f, "DecisionExport", &de.base, CC_INVALID_ARGUMENT, "no proposal named");
    Concord__V1__PoolStatementExportRequest se = CONCORD__V1__POOL_STATEMENT_EXPORT_REQUEST__INIT;
    s_refused(f, "PoolStatementExport", &se.base, CC_INVALID_ARGUMENT, "POOL YEAR");
}

static void test_bad_calls_on_the_socket(void **state)
{
    s_fix_t *f = *state;
    /* Not a ControlCall at all. */
    static const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff};
    Concord__V1__ControlAnswer *a = s_raw(f, junk, sizeof junk);
    assert_int_equal(a->code, CONCORD__V1__STATUS_CODE__INVALID_ARGUMENT);
    assert_int_equal(a->body.len, 0);
    wire_free(&a->base);
    /* No such method, and another service's method. */
    a = s_raw_call(f, "concord.v1.Control/Frobnicate", NULL, 0);
    assert_int_equal(a->code, CONCORD__V1__STATUS_CODE__UNIMPLEMENTED);
    assert_string_equal(a->message, "unknown control method");
    wire_free(&a->base);
    a = s_raw_call(f, "concord.v1.Reflection/ListMethods", NULL, 0);
    assert_int_equal(a->code, CONCORD__V1__STATUS_CODE__UNIMPLEMENTED);
    wire_free(&a->base);
    /* A body that is not the method's request. */
    a = s_raw_call(f, "concord.v1.Control/BoardShow", junk, sizeof junk);
    assert_int_equal(a->code, CONCORD__V1__STATUS_CODE__INVALID_ARGUMENT);
    assert_non_null(strstr(a->message, "concord.v1.Control/BoardShow request"));
    wire_free(&a->base);
    /* The client refuses what it cannot send, before any socket. */
    cc_err_t err;
    int refused = 1;
    Concord__V1__StatusRequest st = CONCORD__V1__STATUS_REQUEST__INIT;
    assert_null(s_call(f, "BoardShow", &st.base, &refused, &err));
    assert_int_equal(err.code, CC_INVALID_ARGUMENT);
    assert_int_equal(refused, 0);
    assert_null(s_call(f, "Frobnicate", &st.base, &refused, &err));
    assert_int_equal(err.code, CC_NOT_FOUND);
    assert_null(
        control_client_call("/nonexistent/node.sock", "Status", &st.base, 100, &refused, &err));
    assert_int_equal(err.code, CC_NOT_FOUND);
    assert_int_equal(refused, 0);
}

static void test_published_events_wait_for_the_fold(void **state)
{
    s_fix_t *f = *state;
    cc_err_t err;
    int refused = 0;
    /* A charter the board engine prechecks and the node publishes; with
     * no broker it never comes back, so the wait gives up with the hint. */
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
    ProtobufCMessage *r = s_call(f, "Propose", &in.base, &refused, &err);
    wire_free(r);
    assert_null(r);
    assert_int_equal(refused, 1);
    assert_int_equal(err.code, CC_DEADLINE_EXCEEDED);
    assert_non_null(strstr(err.msg, "concord proposal list"));
    /* Nothing came back to be folded, so the engine has no board T-JCB. */
    Concord__V1__BoardShowRequest bs = CONCORD__V1__BOARD_SHOW_REQUEST__INIT;
    bs.board_id = "T-JCB";
    s_refused(f, "BoardShow", &bs.base, CC_NOT_FOUND, "no board 'T-JCB'");
    /* What the node published is in its ledger, as the Ledger method says. */
    Concord__V1__LedgerRequest lr = CONCORD__V1__LEDGER_REQUEST__INIT;
    Concord__V1__LedgerReply *ledger =
        (Concord__V1__LedgerReply *)s_call(f, "Ledger", &lr.base, NULL, &err);
    assert_non_null(ledger);
    int propose = 0;
    for (size_t i = 0; i < ledger->n_entries; i++) {
        propose += strcmp(ledger->entries[i]->method, "concord.v1.Board/Propose") == 0 &&
                   !ledger->entries[i]->inbound &&
                   strcmp(ledger->entries[i]->sender, S_CODE) == 0 &&
                   ledger->entries[i]->hash.len == 32;
    }
    assert_int_equal(propose, 1);
    wire_free(&ledger->base);
}

int main(void)
{
    if (sodium_init() < 0) {
        return 1;
    }
    log_set_level(LOG_LVL_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_reports_the_node),
        cmocka_unit_test(test_roster_and_empty_views),
        cmocka_unit_test(test_auto_vote_replaces_only_what_is_set),
        cmocka_unit_test(test_requests_are_checked_before_use),
        cmocka_unit_test(test_bad_calls_on_the_socket),
        cmocka_unit_test(test_published_events_wait_for_the_fold),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
