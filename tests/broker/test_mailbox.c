/* SPDX-License-Identifier: Apache-2.0 */
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
#include <zmq.h>

#include "broker_store.h"
#include "envelope.h"
#include "fixture.h"
#include "link.pb-c.h"
#include "mailbox.h"
#include "receipt.h"
#include "wire.h"

#define A_CODE FIXTURE_A
#define B_CODE FIXTURE_B
#define C_CODE FIXTURE_C
#define WINDOW 2

typedef struct {
    fixture_t *f;
    mailbox_t *mb;
    receipt_head_t head; /* the last head a delivery carried */
} fx_t;

static void s_hello(fx_t *fx, const char *who, const char *claimed)
{
    Concord__V1__Hello h = CONCORD__V1__HELLO__INIT;
    h.code = (char *)claimed;
    mailbox_hello(fx->mb, NULL, who, fx->f->id, fx->f->id_len, &h);
}

static int s_setup(void **state)
{
    fx_t *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    fx->f = fixture_new();
    fx->mb = mailbox_new(fx->f->ledger, fx->f->heads, WINDOW, fx->f->broker, NULL);
    assert_non_null(fx->mb);
    assert_int_equal(mailbox_sync(fx->mb, fx->f->roster, 0), 0);
    *state = fx;
    return 0;
}

static int s_teardown(void **state)
{
    fx_t *fx = *state;
    mailbox_destroy(&fx->mb);
    mailbox_destroy(&fx->mb); /* NULL-safe */
    fixture_free(fx->f);
    free(fx);
    return 0;
}

static uint64_t s_log(fx_t *fx, const char *to, const char *const *rows, size_t n_rows)
{
    return fixture_log(fx->f, to, rows, n_rows);
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
    Concord__V1__BrokerFrame *f = fixture_recv(fx->f, ms);
    if (!f) {
        return 0;
    }
    assert_int_equal(f->frame_case, CONCORD__V1__BROKER_FRAME__FRAME_DELIVERY);
    Concord__V1__Delivery *d = f->delivery;
    assert_non_null(d->envelope);
    assert_non_null(d->receipt);
    uint8_t *raw = NULL;
    size_t raw_len = 0;
    cc_err_t err;
    assert_int_equal(wire_pack(&d->envelope->base, WIRE_MAX_FRAME, &raw, &raw_len, &err), 0);
    envelope_t *env = envelope_open(raw, raw_len, fx->f->roster, &err);
    assert_non_null(env);
    /* Proved against the newest head, sent with the first delivery on the
     * connection and named by its size after it. */
    receipt_t r;
    receipt_head_t head;
    if (d->receipt->head) {
        assert_int_equal(receipt_head_open(fx->f->roster, d->receipt->head, &head, &err), 0);
        fx->head = head;
    } else {
        head = fx->head;
    }
    assert_int_equal(d->receipt->tree_size, head.size);
    assert_int_equal(receipt_prove(d->receipt, &head, &r, &err), 0);
    assert_int_equal(r.log_index, d->log_index);
    assert_memory_equal(r.envelope_hash, env->hash, 32);
    uint64_t index = d->log_index;
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
    assert_int_equal(roster_add(fx->f->roster, keys_public(fx->f->c), &err), 0);
    assert_int_equal(mailbox_sync(fx->mb, fx->f->roster, 7), 0);
    codes = mailbox_codes(fx->mb, &n);
    assert_int_equal(n, 3);
    assert_true(mailbox_known(fx->mb, C_CODE));
    /* Syncing again adds nothing twice. */
    assert_int_equal(mailbox_sync(fx->mb, fx->f->roster, 8), 0);
    mailbox_codes(fx->mb, &n);
    assert_int_equal(n, 3);
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
    assert_int_equal(broker_store_mailbox_count(fx->f->ledger, B_CODE), 3);
    assert_int_equal(broker_store_mailbox_count(fx->f->ledger, A_CODE), 1);

    /* Offline: nothing is sent. */
    mailbox_mark(fx->mb, B_CODE);
    mailbox_pump(fx->mb, fx->f->router);
    assert_int_equal(s_next_delivery(fx, 100), 0);

    s_hello(fx, B_CODE, B_CODE);
    mailbox_pump(fx->mb, fx->f->router);
    assert_int_equal(s_next_delivery(fx, 1000), i1);
    assert_int_equal(s_next_delivery(fx, 1000), i3);
    assert_int_equal(s_next_delivery(fx, 100), 0); /* the window is full */
    mailbox_pump(fx->mb, fx->f->router);
    assert_int_equal(s_next_delivery(fx, 100), 0);

    /* An ack of an index never delivered on this connection frees nothing,
     * and is harmless. */
    uint64_t later = i4 + 10;
    s_ack(fx, B_CODE, &later, 1);
    mailbox_pump(fx->mb, fx->f->router);
    assert_int_equal(s_next_delivery(fx, 100), 0);

    s_ack(fx, B_CODE, &i1, 1);
    assert_int_equal(broker_store_mailbox_count(fx->f->ledger, B_CODE), 2);
    mailbox_pump(fx->mb, fx->f->router);
    assert_int_equal(s_next_delivery(fx, 1000), i4);
    assert_int_equal(s_next_delivery(fx, 100), 0);

    uint64_t both[] = {i3, i4};
    s_ack(fx, B_CODE, both, 2);
    assert_int_equal(broker_store_mailbox_count(fx->f->ledger, B_CODE), 0);
    assert_int_equal(broker_store_mailbox_count(fx->f->ledger, A_CODE), 1);
    mailbox_pump(fx->mb, fx->f->router);
    assert_int_equal(s_next_delivery(fx, 100), 0);
}

/* The bytes waiting in a mailbox, as the quota quota_mailbox_bytes reads
 * them, kept in step with the ledger's own sum: through envelopes added
 * (to one member, to every member), deliveries acknowledged, an ack of an
 * index never delivered, and a recount. */
static void s_same_waiting(fx_t *fx, const char *code)
{
    assert_int_equal(mailbox_waiting(fx->mb, code),
                     broker_store_mailbox_bytes(fx->f->ledger, code));
}

static void s_added_to_b(fx_t *fx, uint64_t *index)
{
    uint64_t before = broker_store_mailbox_bytes(fx->f->ledger, B_CODE);
    *index = s_log_to_b(fx);
    const char *to[] = {B_CODE};
    mailbox_added(fx->mb, to, 1,
                  (size_t)(broker_store_mailbox_bytes(fx->f->ledger, B_CODE) - before));
}

static void test_waiting_bytes(void **state)
{
    fx_t *fx = *state;
    uint64_t i1, i2, i3;
    s_same_waiting(fx, B_CODE); /* read from the ledger: 0 */
    s_same_waiting(fx, A_CODE);
    s_added_to_b(fx, &i1);
    s_added_to_b(fx, &i2);
    s_same_waiting(fx, B_CODE);
    assert_true(mailbox_waiting(fx->mb, B_CODE) > 0);
    /* An event to every member, through the fan-out list. */
    uint64_t a_before = broker_store_mailbox_bytes(fx->f->ledger, A_CODE);
    size_t n = 0;
    const char *const *codes = mailbox_codes(fx->mb, &n);
    s_log(fx, "*", codes, n);
    mailbox_added(fx->mb, codes, n,
                  (size_t)(broker_store_mailbox_bytes(fx->f->ledger, A_CODE) - a_before));
    s_same_waiting(fx, A_CODE);
    s_same_waiting(fx, B_CODE);
    s_added_to_b(fx, &i3);
    s_same_waiting(fx, B_CODE);

    /* Delivered (WINDOW at a time) and acknowledged. */
    s_hello(fx, B_CODE, B_CODE);
    mailbox_pump(fx->mb, fx->f->router);
    assert_int_equal(s_next_delivery(fx, 1000), i1);
    assert_int_equal(s_next_delivery(fx, 1000), i2);
    s_ack(fx, B_CODE, &i1, 1);
    s_same_waiting(fx, B_CODE);
    uint64_t never = i3 + 100;
    s_ack(fx, B_CODE, &never, 1);
    s_same_waiting(fx, B_CODE);
    s_ack(fx, B_CODE, &i2, 1);
    s_ack(fx, B_CODE, &i2, 1); /* twice: nothing more leaves */
    s_same_waiting(fx, B_CODE);
    mailbox_pump(fx->mb, fx->f->router);
    uint64_t event = s_next_delivery(fx, 1000);
    assert_int_equal(s_next_delivery(fx, 1000), i3);
    uint64_t rest[] = {event, i3};
    s_ack(fx, B_CODE, rest, 2);
    s_same_waiting(fx, B_CODE);
    assert_int_equal(mailbox_waiting(fx->mb, B_CODE), 0);
    mailbox_recount(fx->mb);
    s_same_waiting(fx, A_CODE);
    s_same_waiting(fx, B_CODE);
}

/* New mail goes out only once marked; an event marks every mailbox. */
static void test_mark(void **state)
{
    fx_t *fx = *state;
    s_hello(fx, B_CODE, B_CODE);
    mailbox_pump(fx->mb, fx->f->router); /* empty: clears the hello's mark */
    assert_int_equal(s_next_delivery(fx, 100), 0);
    uint64_t i1 = s_log_to_b(fx);
    mailbox_pump(fx->mb, fx->f->router);
    assert_int_equal(s_next_delivery(fx, 100), 0);
    mailbox_mark(fx->mb, A_CODE); /* someone else's */
    mailbox_pump(fx->mb, fx->f->router);
    assert_int_equal(s_next_delivery(fx, 100), 0);
    mailbox_mark(fx->mb, B_CODE);
    mailbox_pump(fx->mb, fx->f->router);
    assert_int_equal(s_next_delivery(fx, 1000), i1);

    size_t n = 0;
    const char *const *codes = mailbox_codes(fx->mb, &n);
    uint64_t i2 = s_log(fx, ENVELOPE_EVERYONE, codes, n);
    assert_int_equal(broker_store_mailbox_count(fx->f->ledger, A_CODE), 1);
    mailbox_mark(fx->mb, ENVELOPE_EVERYONE);
    mailbox_pump(fx->mb, fx->f->router);
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
    mailbox_pump(fx->mb, fx->f->router);
    assert_int_equal(s_next_delivery(fx, 100), 0);
    uint64_t one = 1;
    s_ack(fx, C_CODE, &one, 1);
    assert_int_equal(broker_store_mailbox_count(fx->f->ledger, B_CODE), 1);
}

/* When the connection is gone the member goes offline and its mail
 * waits; a new connection's hello gets it all again from the oldest. */
static void test_offline_and_reconnect(void **state)
{
    fx_t *fx = *state;
    s_hello(fx, B_CODE, B_CODE);
    mailbox_pump(fx->mb, fx->f->router);
    zmq_close(fx->f->dealer);
    fx->f->dealer = NULL;
    usleep(50 * 1000); /* the router notices the inproc peer is gone */
    uint64_t i1 = s_log_to_b(fx);
    mailbox_mark(fx->mb, B_CODE);
    mailbox_pump(fx->mb, fx->f->router); /* fails: B goes offline */
    assert_int_equal(broker_store_mailbox_count(fx->f->ledger, B_CODE), 1);

    fixture_connect(fx->f);
    mailbox_mark(fx->mb, B_CODE);
    mailbox_pump(fx->mb, fx->f->router); /* offline: nothing, not even on the new connection */
    assert_int_equal(s_next_delivery(fx, 100), 0);
    s_hello(fx, B_CODE, B_CODE);
    mailbox_pump(fx->mb, fx->f->router);
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
    fx->mb = mailbox_new(fx->f->ledger, fx->f->heads, WINDOW, fx->f->broker, &hooks);
    assert_non_null(fx->mb);
    assert_int_equal(mailbox_sync(fx->mb, fx->f->roster, 0), 0);
    s_held = s_after = 0;
    s_log_to_b(fx);
    uint64_t i2 = s_log_to_b(fx);
    s_log_to_b(fx);
    s_hello(fx, B_CODE, B_CODE);
    mailbox_pump(fx->mb, fx->f->router);
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
        cmocka_unit_test_setup_teardown(test_waiting_bytes, s_setup, s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
