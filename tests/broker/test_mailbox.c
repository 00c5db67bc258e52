/* Unit tests for the broker's mailboxes: a real broker ledger (SQLite in a
 * temporary directory) holding real sealed envelopes and signed receipts,
 * delivered by mailbox_pump through a real ROUTER to a DEALER standing in
 * for a member's node. Checks delivery order, the window, what an ack
 * frees, new-mail marking, hellos, going offline, roster syncs and the
 * delivery hooks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>
#include <zmq.h>

#include "clock.h"
#include "envelope.h"
#include "keys.h"
#include "ledger.h"
#include "link.pb-c.h"
#include "mailbox.h"
#include "receipt.h"
#include "roster.h"
#include "wire.h"

#define A_CODE "E38000217"
#define B_CODE "E08000003"
#define C_CODE "E06000001"
#define WINDOW 2

typedef struct {
    char dir[64];
    keys_t *a, *b, *broker;
    roster_t *roster;
    ledger_t *ledger;
    mailbox_t *mb;
    void *ctx;
    void *router;
    void *dealer;                  /* B's node */
    uint8_t id[256];               /* its routing id at the router */
    size_t id_len;
    uint64_t head;
    uint8_t chain[32];
    uint64_t seq;
} fx_t;

static keys_t *s_keys(const char *code, const char *kind)
{
    cc_err_t err;
    keys_t *k = keys_generate(code, code, kind, &err);
    assert_non_null(k);
    return k;
}

/* Connects a fresh DEALER for B and learns its routing id at the router. */
static void s_connect(fx_t *fx)
{
    int linger = 0;
    fx->dealer = zmq_socket(fx->ctx, ZMQ_DEALER);
    assert_non_null(fx->dealer);
    zmq_setsockopt(fx->dealer, ZMQ_LINGER, &linger, sizeof linger);
    assert_int_equal(zmq_connect(fx->dealer, "inproc://mailbox-test"), 0);
    assert_int_equal(zmq_send(fx->dealer, "hi", 2, 0), 2);
    zmq_msg_t id, body;
    zmq_msg_init(&id);
    zmq_msg_init(&body);
    assert_true(zmq_msg_recv(&id, fx->router, 0) >= 0);
    assert_true(zmq_msg_recv(&body, fx->router, 0) >= 0);
    fx->id_len = zmq_msg_size(&id);
    memcpy(fx->id, zmq_msg_data(&id), fx->id_len);
    zmq_msg_close(&id);
    zmq_msg_close(&body);
}

static void s_hello(fx_t *fx, const char *who, const char *claimed)
{
    Concord__V1__Hello h = CONCORD__V1__HELLO__INIT;
    h.code = (char *)claimed;
    mailbox_hello(fx->mb, who, fx->id, fx->id_len, &h);
}

static int s_setup(void **state)
{
    fx_t *fx = calloc(1, sizeof *fx);
    cc_err_t err;
    assert_non_null(fx);
    assert_true(sodium_init() >= 0);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/concord-test-mailbox-XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    fx->a = s_keys(A_CODE, "CCG");
    fx->b = s_keys(B_CODE, "COUNCIL_UPPER");
    fx->broker = s_keys(KEYS_BROKER_CODE, "BROKER");
    fx->roster = roster_new("test", keys_public(fx->broker), &err);
    assert_non_null(fx->roster);
    assert_int_equal(roster_add(fx->roster, keys_public(fx->a), &err), 0);
    assert_int_equal(roster_add(fx->roster, keys_public(fx->b), &err), 0);
    char path[128];
    snprintf(path, sizeof path, "%s/broker.db", fx->dir);
    fx->ledger = ledger_open(path, LEDGER_BROKER, 0, &err);
    assert_non_null(fx->ledger);
    fx->ctx = zmq_ctx_new();
    fx->router = zmq_socket(fx->ctx, ZMQ_ROUTER);
    int one = 1, linger = 0;
    zmq_setsockopt(fx->router, ZMQ_ROUTER_MANDATORY, &one, sizeof one);
    zmq_setsockopt(fx->router, ZMQ_LINGER, &linger, sizeof linger);
    assert_int_equal(zmq_bind(fx->router, "inproc://mailbox-test"), 0);
    fx->mb = mailbox_new(fx->ledger, WINDOW, fx->broker, NULL);
    assert_non_null(fx->mb);
    assert_int_equal(mailbox_sync(fx->mb, fx->roster, 0), 0);
    s_connect(fx);
    *state = fx;
    return 0;
}

static int s_teardown(void **state)
{
    fx_t *fx = *state;
    mailbox_destroy(&fx->mb);
    if (fx->dealer) {
        zmq_close(fx->dealer);
    }
    zmq_close(fx->router);
    zmq_ctx_term(fx->ctx);
    ledger_close(&fx->ledger);
    roster_destroy(&fx->roster);
    keys_destroy(&fx->a);
    keys_destroy(&fx->b);
    keys_destroy(&fx->broker);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", fx->dir);
    assert_int_equal(system(cmd), 0);
    free(fx);
    return 0;
}

/* Logs a real envelope from A to `to` (a code or "*") as the broker does:
 * sealed, receipted, chained, with a mailbox row for each of the n_rows
 * recipients. Returns its log index. */
static uint64_t s_log(fx_t *fx, const char *to, const char *const *rows, size_t n_rows)
{
    cc_err_t err;
    envelope_meta_t m = {
        .method = "concord.v1.Test/Note",
        .recipient = to,
        .sent_at_ms = clock_wall_ms(),
        .sequence = ++fx->seq,
        .kind = strcmp(to, ENVELOPE_EVERYONE) == 0 ? CONCORD__V1__KIND__KIND_EVENT
                                                   : CONCORD__V1__KIND__KIND_REQUEST,
    };
    randombytes_buf(m.call_id, sizeof m.call_id);
    uint8_t *env = NULL, *receipt = NULL, hash[32], chain[32];
    size_t env_len = 0, receipt_len = 0;
    assert_int_equal(envelope_seal(fx->a, &m, (const uint8_t *)"x", 1, &env, &env_len, &err), 0);
    envelope_hash(env, env_len, hash);
    uint64_t index = fx->head + 1, now = clock_wall_ms();
    receipt_chain(fx->chain, index, now, hash, chain);
    Concord__V1__Receipt r = CONCORD__V1__RECEIPT__INIT;
    r.log_index = index;
    r.chain_hash.data = chain;
    r.chain_hash.len = 32;
    r.time_ms = now;
    r.envelope_hash.data = hash;
    r.envelope_hash.len = 32;
    r.sender = A_CODE;
    r.recipient = (char *)to;
    r.sequence = m.sequence;
    r.call_id.data = m.call_id;
    r.call_id.len = sizeof m.call_id;
    assert_int_equal(receipt_sign(fx->broker, &r, &receipt, &receipt_len, &err), 0);
    ledger_log_entry_t e = {
        .index = index,
        .time_ms = now,
        .chain = chain,
        .hash = hash,
        .sender = A_CODE,
        .recipient = to,
        .sequence = m.sequence,
        .kind = m.kind,
        .call_id = m.call_id,
        .envelope = env,
        .envelope_len = env_len,
        .receipt = receipt,
        .receipt_len = receipt_len,
    };
    assert_int_equal(ledger_log_append(fx->ledger, &e, rows, n_rows, &err), 0);
    fx->head = index;
    memcpy(fx->chain, chain, 32);
    free(env);
    free(receipt);
    return index;
}

static uint64_t s_log_to_b(fx_t *fx)
{
    const char *rows[] = {B_CODE};
    return s_log(fx, B_CODE, rows, 1);
}

/* Receives the next delivery on B's DEALER within ms; returns its log
 * index, or 0 if none came. Checks that it carries a verifiable envelope
 * and the receipt for that index. */
static uint64_t s_next_delivery(fx_t *fx, int ms)
{
    zmq_pollitem_t item = {.socket = fx->dealer, .events = ZMQ_POLLIN};
    if (zmq_poll(&item, 1, ms) <= 0) {
        return 0;
    }
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    assert_true(zmq_msg_recv(&msg, fx->dealer, 0) >= 0);
    Concord__V1__BrokerFrame *f = (Concord__V1__BrokerFrame *)wire_unpack(
        &concord__v1__broker_frame__descriptor, zmq_msg_data(&msg), zmq_msg_size(&msg),
        WIRE_MAX_FRAME + 4096, NULL);
    zmq_msg_close(&msg);
    assert_non_null(f);
    assert_int_equal(f->frame_case, CONCORD__V1__BROKER_FRAME__FRAME_DELIVERY);
    Concord__V1__Delivery *d = f->delivery;
    assert_non_null(d->envelope);
    assert_non_null(d->receipt);
    uint8_t *raw = NULL;
    size_t raw_len = 0;
    cc_err_t err;
    assert_int_equal(wire_pack(&d->envelope->base, WIRE_MAX_FRAME, &raw, &raw_len, &err), 0);
    envelope_t *env = envelope_open(raw, raw_len, fx->roster, &err);
    assert_non_null(env);
    Concord__V1__Receipt *r = (Concord__V1__Receipt *)wire_unpack(
        &concord__v1__receipt__descriptor, d->receipt->receipt.data, d->receipt->receipt.len,
        WIRE_MAX_FRAME, NULL);
    assert_non_null(r);
    assert_int_equal(r->log_index, d->log_index);
    assert_memory_equal(r->envelope_hash.data, env->hash, 32);
    uint64_t index = d->log_index;
    wire_free(&r->base);
    envelope_destroy(&env);
    free(raw);
    wire_free(&f->base);
    return index;
}

static void s_ack(fx_t *fx, const char *who, uint64_t *indexes, size_t n)
{
    Concord__V1__MailboxAck ack = CONCORD__V1__MAILBOX_ACK__INIT;
    ack.log_index = indexes;
    ack.n_log_index = n;
    assert_int_equal(mailbox_ack(fx->mb, who, &ack), 0);
}

/* Members and the fan-out list follow the roster; a newcomer gets a
 * mailbox; nobody else has one. */
static void test_sync(void **state)
{
    fx_t *fx = *state;
    cc_err_t err;
    size_t n = 0;
    const char *const *codes = mailbox_codes(fx->mb, &n);
    assert_int_equal(n, 2);
    assert_true(mailbox_known(fx->mb, A_CODE));
    assert_true(mailbox_known(fx->mb, B_CODE));
    assert_false(mailbox_known(fx->mb, C_CODE));
    assert_false(mailbox_known(fx->mb, KEYS_BROKER_CODE));
    assert_true((strcmp(codes[0], A_CODE) == 0 && strcmp(codes[1], B_CODE) == 0) ||
                (strcmp(codes[0], B_CODE) == 0 && strcmp(codes[1], A_CODE) == 0));
    keys_t *c = s_keys(C_CODE, "COUNCIL_DISTRICT");
    assert_int_equal(roster_add(fx->roster, keys_public(c), &err), 0);
    assert_int_equal(mailbox_sync(fx->mb, fx->roster, 7), 0);
    codes = mailbox_codes(fx->mb, &n);
    assert_int_equal(n, 3);
    assert_true(mailbox_known(fx->mb, C_CODE));
    /* Syncing again adds nothing twice. */
    assert_int_equal(mailbox_sync(fx->mb, fx->roster, 8), 0);
    mailbox_codes(fx->mb, &n);
    assert_int_equal(n, 3);
    keys_destroy(&c);
}

/* Stored mail waits for a hello, then goes out in log order, at most
 * WINDOW unacknowledged; each ack frees one place and drops the row. */
static void test_store_deliver_ack_window(void **state)
{
    fx_t *fx = *state;
    uint64_t i1 = s_log_to_b(fx);
    const char *rows_a[] = {A_CODE};
    s_log(fx, A_CODE, rows_a, 1); /* not B's */
    uint64_t i3 = s_log_to_b(fx);
    uint64_t i4 = s_log_to_b(fx);
    assert_int_equal(ledger_mailbox_count(fx->ledger, B_CODE), 3);
    assert_int_equal(ledger_mailbox_count(fx->ledger, A_CODE), 1);

    /* Offline: nothing is sent. */
    mailbox_mark(fx->mb, B_CODE);
    mailbox_pump(fx->mb, fx->router);
    assert_int_equal(s_next_delivery(fx, 100), 0);

    s_hello(fx, B_CODE, B_CODE);
    mailbox_pump(fx->mb, fx->router);
    assert_int_equal(s_next_delivery(fx, 1000), i1);
    assert_int_equal(s_next_delivery(fx, 1000), i3);
    assert_int_equal(s_next_delivery(fx, 100), 0); /* the window is full */
    mailbox_pump(fx->mb, fx->router);
    assert_int_equal(s_next_delivery(fx, 100), 0);

    /* An ack of an index never delivered on this connection frees nothing,
     * and is harmless. */
    uint64_t later = i4 + 10;
    s_ack(fx, B_CODE, &later, 1);
    mailbox_pump(fx->mb, fx->router);
    assert_int_equal(s_next_delivery(fx, 100), 0);

    s_ack(fx, B_CODE, &i1, 1);
    assert_int_equal(ledger_mailbox_count(fx->ledger, B_CODE), 2);
    mailbox_pump(fx->mb, fx->router);
    assert_int_equal(s_next_delivery(fx, 1000), i4);
    assert_int_equal(s_next_delivery(fx, 100), 0);

    uint64_t both[] = {i3, i4};
    s_ack(fx, B_CODE, both, 2);
    assert_int_equal(ledger_mailbox_count(fx->ledger, B_CODE), 0);
    assert_int_equal(ledger_mailbox_count(fx->ledger, A_CODE), 1);
    mailbox_pump(fx->mb, fx->router);
    assert_int_equal(s_next_delivery(fx, 100), 0);
}

/* New mail goes out only once marked; an event marks every mailbox. */
static void test_mark(void **state)
{
    fx_t *fx = *state;
    s_hello(fx, B_CODE, B_CODE);
    mailbox_pump(fx->mb, fx->router); /* empty: clears the hello's mark */
    assert_int_equal(s_next_delivery(fx, 100), 0);
    uint64_t i1 = s_log_to_b(fx);
    mailbox_pump(fx->mb, fx->router);
    assert_int_equal(s_next_delivery(fx, 100), 0);
    mailbox_mark(fx->mb, A_CODE); /* someone else's */
    mailbox_pump(fx->mb, fx->router);
    assert_int_equal(s_next_delivery(fx, 100), 0);
    mailbox_mark(fx->mb, B_CODE);
    mailbox_pump(fx->mb, fx->router);
    assert_int_equal(s_next_delivery(fx, 1000), i1);

    size_t n = 0;
    const char *const *codes = mailbox_codes(fx->mb, &n);
    uint64_t i2 = s_log(fx, ENVELOPE_EVERYONE, codes, n);
    assert_int_equal(ledger_mailbox_count(fx->ledger, A_CODE), 1);
    mailbox_mark(fx->mb, ENVELOPE_EVERYONE);
    mailbox_pump(fx->mb, fx->router);
    assert_int_equal(s_next_delivery(fx, 1000), i2);
}

/* A hello must name the organisation the connection authenticated as;
 * an unknown organisation's is ignored, and so is its ack. */
static void test_hello_checks(void **state)
{
    fx_t *fx = *state;
    s_log_to_b(fx);
    s_hello(fx, B_CODE, A_CODE);
    s_hello(fx, C_CODE, C_CODE);
    mailbox_mark(fx->mb, B_CODE);
    mailbox_pump(fx->mb, fx->router);
    assert_int_equal(s_next_delivery(fx, 100), 0);
    uint64_t one = 1;
    s_ack(fx, C_CODE, &one, 1);
    assert_int_equal(ledger_mailbox_count(fx->ledger, B_CODE), 1);
}

/* When the connection is gone the member goes offline and its mail
 * waits; a new connection's hello gets it all again from the oldest. */
static void test_offline_and_reconnect(void **state)
{
    fx_t *fx = *state;
    s_hello(fx, B_CODE, B_CODE);
    mailbox_pump(fx->mb, fx->router);
    zmq_close(fx->dealer);
    fx->dealer = NULL;
    usleep(50 * 1000); /* the router notices the inproc peer is gone */
    uint64_t i1 = s_log_to_b(fx);
    mailbox_mark(fx->mb, B_CODE);
    mailbox_pump(fx->mb, fx->router); /* fails: B goes offline */
    assert_int_equal(ledger_mailbox_count(fx->ledger, B_CODE), 1);

    s_connect(fx);
    mailbox_mark(fx->mb, B_CODE);
    mailbox_pump(fx->mb, fx->router); /* offline: nothing, not even on the new connection */
    assert_int_equal(s_next_delivery(fx, 100), 0);
    s_hello(fx, B_CODE, B_CODE);
    mailbox_pump(fx->mb, fx->router);
    assert_int_equal(s_next_delivery(fx, 1000), i1);
}

/* The test broker's hooks: a delivery held back counts against the window
 * but is not sent; after_delivery may send more on the connection. */
static int s_held;
static int s_after;

static int s_before(const char *to, Concord__V1__Delivery *d)
{
    (void)to;
    return d->log_index == 1 ? (s_held++, 1) : 0;
}

static void s_after_delivery(const char *to, const Concord__V1__Delivery *d, const keys_t *keys,
                             broker_hooks_send_fn send, void *arg)
{
    (void)to;
    (void)keys;
    Concord__V1__BrokerFrame f = CONCORD__V1__BROKER_FRAME__INIT;
    f.frame_case = CONCORD__V1__BROKER_FRAME__FRAME_DELIVERY;
    f.delivery = (Concord__V1__Delivery *)d;
    uint8_t *buf = NULL;
    size_t len = 0;
    assert_int_equal(wire_pack(&f.base, WIRE_MAX_FRAME + 4096, &buf, &len, NULL), 0);
    send(arg, buf, len); /* the same delivery twice */
    free(buf);
    s_after++;
}

static void test_hooks(void **state)
{
    fx_t *fx = *state;
    static const broker_hooks_t hooks = {.before_delivery = s_before,
                                         .after_delivery = s_after_delivery};
    mailbox_destroy(&fx->mb);
    fx->mb = mailbox_new(fx->ledger, WINDOW, fx->broker, &hooks);
    assert_non_null(fx->mb);
    assert_int_equal(mailbox_sync(fx->mb, fx->roster, 0), 0);
    s_held = s_after = 0;
    s_log_to_b(fx);
    uint64_t i2 = s_log_to_b(fx);
    s_log_to_b(fx);
    s_hello(fx, B_CODE, B_CODE);
    mailbox_pump(fx->mb, fx->router);
    assert_int_equal(s_held, 1);
    assert_int_equal(s_after, 1);
    assert_int_equal(s_next_delivery(fx, 1000), i2);
    assert_int_equal(s_next_delivery(fx, 1000), i2);
    assert_int_equal(s_next_delivery(fx, 100), 0); /* held + sent fill the window */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sync, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_store_deliver_ack_window, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_mark, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_hello_checks, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_offline_and_reconnect, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_hooks, s_setup, s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
