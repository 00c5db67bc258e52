/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the broker's accept path: real envelopes sealed by the
 * members, judged against a signed roster file folded by admission, logged
 * in a real broker ledger, answered through the outbox and a real socket.
 * Every check accept_submit makes, in its order, with the status and the
 * reason a node hears. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "accept.h"
#include "broker_state.h"
#include "clock.h"
#include "fixture.h"
#include "receipt.h"
#include "wire.h"

#define A_CODE FIXTURE_A
#define B_CODE FIXTURE_B

typedef struct {
    fixture_t *f;
    struct broker b; /* the parts of the broker's state the accept path uses */
} fx_t;

static int s_setup(void **state)
{
    fx_t *fx = calloc(1, sizeof *fx);
    cc_err_t err;
    assert_non_null(fx);
    fx->f = fixture_new();
    assert_int_equal(roster_sign(fx->f->roster, fx->f->a, &err), 0);
    assert_int_equal(roster_sign(fx->f->roster, fx->f->b, &err), 0);
    char path[128];
    snprintf(path, sizeof path, "%s/roster.bin", fx->f->dir);
    assert_int_equal(roster_save(fx->f->roster, path, &err), 0);
    struct broker *b = &fx->b;
    b->keys = fx->f->broker;
    b->ledger = fx->f->ledger;
    b->router = fx->f->router;
    b->adm = admission_new(path, b->ledger, NULL, NULL, NULL, &err);
    assert_non_null(b->adm);
    b->replay = replay_new();
    assert_non_null(b->replay);
    b->heads = fx->f->heads;
    b->mailbox = mailbox_new(b->ledger, b->heads, 64, b->keys, NULL);
    assert_non_null(b->mailbox);
    assert_int_equal(mailbox_sync(b->mailbox, admission_roster(b->adm), 0), 0);
    b->services = services_new(b->keys, b->ledger, b->heads, NULL, &err);
    assert_non_null(b->services);
    b->outbox = outbox_new();
    assert_non_null(b->outbox);
    *state = fx;
    return 0;
}

static int s_teardown(void **state)
{
    fx_t *fx = *state;
    outbox_destroy(&fx->b.outbox);
    services_destroy(&fx->b.services);
    mailbox_destroy(&fx->b.mailbox);
    replay_destroy(&fx->b.replay);
    admission_destroy(&fx->b.adm);
    fixture_free(fx->f);
    free(fx);
    return 0;
}

typedef struct {
    const keys_t *from;
    const char *to;
    uint64_t sequence;
    uint8_t call_id[16];
    uint64_t deadline_ms;
    int kind;
} s_env_t;

static s_env_t s_env(const keys_t *from, const char *to, uint64_t sequence, uint8_t call_tag)
{
    s_env_t e = {
        .from = from, .to = to, .sequence = sequence, .kind = CONCORD__V1__KIND__KIND_REQUEST};
    memset(e.call_id, call_tag, sizeof e.call_id);
    return e;
}

static void s_seal(const s_env_t *e, uint8_t **raw, size_t *len)
{
    cc_err_t err;
    envelope_meta_t m = {
        .method = "concord.v1.Test/Note",
        .recipient = e->to,
        .sent_at_ms = clock_wall_ms(),
        .deadline_ms = e->deadline_ms,
        .sequence = e->sequence,
        .kind = e->kind,
    };
    memcpy(m.call_id, e->call_id, sizeof m.call_id);
    assert_int_equal(envelope_seal(e->from, &m, (const uint8_t *)"body", 4, raw, len, &err), 0);
}

/* What the connection heard back for one submission. */
typedef struct {
    int got; /* a frame came */
    int is_result;
    int code;
    char msg[256];
    uint64_t log_index; /* of the receipt, if any */
    uint8_t hash[32];
} s_heard_t;

/* Submits raw on who's connection in a batch of its own, sends the
 * batch's answers, and reports what came back. With pk, as a verifier
 * thread hands it over: pre opened with the key pk (accept_submit_opened). */
static s_heard_t s_submit_with(fx_t *fx, const char *who, const uint8_t *raw, size_t len,
                               envelope_t *pre, const uint8_t *pk)
{
    s_heard_t h = {0};
    fx->b.failed = 0;
    cc_err_t err;
    if (pk) {
        uint8_t hash[32];
        envelope_hash(raw, len, hash);
        accept_submit_opened(&fx->b, who, fx->f->id, fx->f->id_len, raw, len, hash, pre, pk);
    } else {
        accept_submit(&fx->b, who, fx->f->id, fx->f->id_len, raw, len);
    }
    assert_false(fx->b.failed);
    /* As the loop does: one head for the batch, then the answers. */
    assert_int_equal(heads_sign(fx->b.heads, fx->b.last_time_ms, &err), 0);
    outbox_flush(fx->b.outbox, fx->b.router, fx->b.heads);
    Concord__V1__BrokerFrame *f = fixture_recv(fx->f, 200);
    if (!f) {
        return h;
    }
    h.got = 1;
    if (f->frame_case == CONCORD__V1__BROKER_FRAME__FRAME_RESULT) {
        Concord__V1__SubmitResult *r = f->result;
        h.is_result = 1;
        h.code = r->status ? (int)r->status->code : 0;
        snprintf(h.msg, sizeof h.msg, "%s",
                 r->status && r->status->message ? r->status->message : "");
        if (r->envelope_hash.len == 32) {
            memcpy(h.hash, r->envelope_hash.data, 32);
        }
        if (r->receipt) {
            /* Proved against a head the broker signed. */
            receipt_t rc;
            assert_int_equal(receipt_open_pb(NULL, fx->f->roster, r->receipt, &rc, &err), 0);
            assert_int_equal(rc.head.size, fx->b.head_index);
            h.log_index = rc.log_index;
        }
    }
    wire_free(&f->base);
    return h;
}

static s_heard_t s_submit_raw(fx_t *fx, const char *who, const uint8_t *raw, size_t len)
{
    return s_submit_with(fx, who, raw, len, NULL, NULL);
}

static s_heard_t s_submit(fx_t *fx, const char *who, const s_env_t *e)
{
    uint8_t *raw = NULL;
    size_t len = 0;
    s_seal(e, &raw, &len);
    s_heard_t h = s_submit_raw(fx, who, raw, len);
    free(raw);
    return h;
}

static void test_accepted_logged_and_receipted(void **state)
{
    fx_t *fx = *state;
    s_env_t e = s_env(fx->f->a, B_CODE, 1, 0x11);
    uint8_t *raw = NULL, hash[32];
    size_t len = 0;
    s_seal(&e, &raw, &len);
    envelope_hash(raw, len, hash);
    s_heard_t h = s_submit_raw(fx, A_CODE, raw, len);
    assert_true(h.is_result);
    assert_int_equal(h.code, CC_OK);
    assert_int_equal(h.log_index, 1);
    assert_memory_equal(h.hash, hash, 32);
    assert_int_equal(fx->b.head_index, 1);
    uint64_t head = 0;
    uint8_t leaf[32];
    cc_err_t err;
    assert_int_equal(broker_store_log_head(fx->b.ledger, &head, leaf, &err), 0);
    assert_int_equal(head, 1);
    assert_memory_equal(leaf, merkle_leaf(heads_tree(fx->b.heads), 0), 32);
    assert_int_equal(broker_store_mailbox_count(fx->b.ledger, B_CODE), 1);
    assert_int_equal(broker_store_mailbox_count(fx->b.ledger, A_CODE), 0);

    /* The same bytes again: its receipt, however late. */
    h = s_submit_raw(fx, A_CODE, raw, len);
    assert_int_equal(h.code, CC_ALREADY_EXISTS);
    assert_string_equal(h.msg, "replay: this envelope was already accepted");
    assert_int_equal(h.log_index, 1);
    assert_int_equal(fx->b.head_index, 1);
    free(raw);

    /* A new envelope reusing the call id. */
    s_env_t again = s_env(fx->f->a, B_CODE, 2, 0x11);
    h = s_submit(fx, A_CODE, &again);
    assert_int_equal(h.code, CC_ALREADY_EXISTS);
    assert_string_equal(h.msg, "replay: call id already used by " A_CODE);
    assert_int_equal(h.log_index, 0);

    /* A sequence not above the last logged. */
    s_env_t old = s_env(fx->f->a, B_CODE, 1, 0x12);
    h = s_submit(fx, A_CODE, &old);
    assert_int_equal(h.code, CC_ALREADY_EXISTS);
    assert_string_equal(h.msg, "replay: sequence 1 from " A_CODE " is not above 1");

    /* The next one goes into the tree. */
    s_env_t next = s_env(fx->f->a, B_CODE, 5, 0x13);
    h = s_submit(fx, A_CODE, &next);
    assert_int_equal(h.code, CC_OK);
    assert_int_equal(h.log_index, 2);
    assert_int_equal(broker_store_mailbox_count(fx->b.ledger, B_CODE), 2);
}

/* An envelope a verifier thread opened stands in for opening it only
 * while its sender still has the key it was opened with: handed over
 * with another key (one rotated since the batch was read), it is dropped
 * and the bytes submitted are opened against the roster. */
static void test_preopened(void **state)
{
    fx_t *fx = *state;
    uint8_t *raw1 = NULL, *raw2 = NULL, hash1[32], hash2[32];
    size_t len1 = 0, len2 = 0;
    cc_err_t err;
    s_env_t e1 = s_env(fx->f->a, B_CODE, 1, 0x21), e2 = s_env(fx->f->a, B_CODE, 2, 0x22);
    s_seal(&e1, &raw1, &len1);
    s_seal(&e2, &raw2, &len2);
    envelope_hash(raw1, len1, hash1);
    envelope_hash(raw2, len2, hash2);
    const uint8_t *a_pk = keys_public(fx->f->a)->sign_pk;
    uint8_t stale[KEYS_PK_LEN];
    memcpy(stale, a_pk, sizeof stale);
    stale[0] ^= 1;

    /* Handed another envelope under a stale key: raw1 itself is logged. */
    envelope_t *other = envelope_open_with_key(raw2, len2, A_CODE, a_pk, &err);
    assert_non_null(other);
    s_heard_t h = s_submit_with(fx, A_CODE, raw1, len1, other, stale);
    assert_int_equal(h.code, CC_OK);
    assert_memory_equal(h.hash, hash1, 32);
    assert_int_equal(h.log_index, 1);
    assert_int_equal(fx->b.head_index, 1);

    /* Under the current key, the envelope handed over is the one taken. */
    envelope_t *pre = envelope_open_with_key(raw2, len2, A_CODE, a_pk, &err);
    assert_non_null(pre);
    h = s_submit_with(fx, A_CODE, raw2, len2, pre, a_pk);
    assert_int_equal(h.code, CC_OK);
    assert_memory_equal(h.hash, hash2, 32);
    assert_int_equal(h.log_index, 2);

    /* None handed over (the verifier refused it): opened here, with the
     * reason named. */
    s_env_t e3 = s_env(fx->f->a, B_CODE, 3, 0x23);
    uint8_t *raw3 = NULL;
    size_t len3 = 0;
    s_seal(&e3, &raw3, &len3);
    Concord__V1__Envelope *forged = (Concord__V1__Envelope *)wire_unpack(
        &concord__v1__envelope__descriptor, raw3, len3, WIRE_MAX_FRAME, &err);
    assert_non_null(forged);
    forged->signature.data[0] ^= 1;
    free(raw3);
    raw3 = NULL;
    assert_int_equal(wire_pack(&forged->base, WIRE_MAX_FRAME, &raw3, &len3, &err), 0);
    wire_free(&forged->base);
    h = s_submit_with(fx, A_CODE, raw3, len3, NULL, a_pk);
    assert_int_equal(h.code, CC_UNAUTHENTICATED);
    if (!strstr(h.msg, "bad signature from " A_CODE)) {
        fail_msg("refused with \"%s\"", h.msg);
    }
    assert_int_equal(fx->b.head_index, 2);
    free(raw1);
    free(raw2);
    free(raw3);
}

static void test_refusals(void **state)
{
    fx_t *fx = *state;
    s_heard_t h;
    /* Signed by A, sent on B's connection. */
    s_env_t e = s_env(fx->f->a, B_CODE, 1, 0x21);
    h = s_submit(fx, B_CODE, &e);
    assert_int_equal(h.code, CC_PERMISSION_DENIED);
    assert_string_equal(h.msg,
                        "envelope signed by " A_CODE " arrived on the connection of " B_CODE);
    /* To an organisation not in the roster. */
    e = s_env(fx->f->a, FIXTURE_C, 1, 0x22);
    h = s_submit(fx, A_CODE, &e);
    assert_int_equal(h.code, CC_NOT_FOUND);
    assert_string_equal(h.msg, "recipient " FIXTURE_C " is not in the roster");
    /* Its deadline passed. */
    e = s_env(fx->f->a, B_CODE, 1, 0x23);
    e.deadline_ms = 1;
    h = s_submit(fx, A_CODE, &e);
    assert_int_equal(h.code, CC_DEADLINE_EXCEEDED);
    assert_string_equal(h.msg, "deadline passed before the broker received it");
    /* Signed by someone the roster does not know. */
    e = s_env(fx->f->c, B_CODE, 1, 0x24);
    h = s_submit(fx, A_CODE, &e);
    assert_int_equal(h.code, CC_UNAUTHENTICATED);
    /* Not an envelope. */
    h = s_submit_raw(fx, A_CODE, (const uint8_t *)"\xff\xff\xff", 3);
    assert_true(h.is_result);
    assert_int_not_equal(h.code, CC_OK);
    /* Over the broker's limit, checked before anything else. */
    size_t big = ACCEPT_ENVELOPE_MAX + 1;
    uint8_t *junk = calloc(1, big);
    assert_non_null(junk);
    h = s_submit_raw(fx, A_CODE, junk, big);
    free(junk);
    assert_int_equal(h.code, CC_RESOURCE_EXHAUSTED);
    char want[128];
    snprintf(want, sizeof want, "envelope of %zu bytes exceeds the broker's limit of %u bytes", big,
             ACCEPT_ENVELOPE_MAX);
    assert_string_equal(h.msg, want);
    /* Nothing of it was logged. */
    assert_int_equal(fx->b.head_index, 0);
    assert_int_equal(broker_store_mailbox_count(fx->b.ledger, B_CODE), 0);
}

/* An event to "*" goes into every member's mailbox, its sender's too. */
static void test_event_fans_out(void **state)
{
    fx_t *fx = *state;
    s_env_t e = s_env(fx->f->b, ENVELOPE_EVERYONE, 1, 0x31);
    e.kind = CONCORD__V1__KIND__KIND_EVENT;
    s_heard_t h = s_submit(fx, B_CODE, &e);
    assert_int_equal(h.code, CC_OK);
    assert_int_equal(broker_store_mailbox_count(fx->b.ledger, A_CODE), 1);
    assert_int_equal(broker_store_mailbox_count(fx->b.ledger, B_CODE), 1);
}

/* To the broker itself: answered by its services, not logged. */
static void test_to_the_broker(void **state)
{
    fx_t *fx = *state;
    s_env_t e = s_env(fx->f->a, KEYS_BROKER_CODE, 1, 0x41);
    uint8_t *raw = NULL;
    size_t len = 0;
    cc_err_t err;
    envelope_meta_t m = {
        .method = "concord.v1.Health/Check",
        .recipient = KEYS_BROKER_CODE,
        .sent_at_ms = clock_wall_ms(),
        .sequence = e.sequence,
        .kind = CONCORD__V1__KIND__KIND_REQUEST,
    };
    memcpy(m.call_id, e.call_id, 16);
    assert_int_equal(envelope_seal(fx->f->a, &m, NULL, 0, &raw, &len, &err), 0);
    s_heard_t h = s_submit_raw(fx, A_CODE, raw, len);
    free(raw);
    assert_true(h.got);
    assert_false(h.is_result); /* a delivery of the reply */
    assert_int_equal(fx->b.head_index, 0);
}

/* The test broker's hook may lose a submission: nothing is answered. */
static int s_lose(const uint8_t *raw, size_t len)
{
    (void)raw;
    (void)len;
    return 1;
}

static void test_lose_hook(void **state)
{
    fx_t *fx = *state;
    static const broker_hooks_t hooks = {.lose_submit = s_lose};
    fx->b.hooks = &hooks;
    s_env_t e = s_env(fx->f->a, B_CODE, 1, 0x51);
    s_heard_t h = s_submit(fx, A_CODE, &e);
    assert_false(h.got);
    assert_int_equal(fx->b.head_index, 0);
    fx->b.hooks = NULL;
    h = s_submit(fx, A_CODE, &e);
    assert_int_equal(h.code, CC_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_accepted_logged_and_receipted, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_refusals, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_event_fans_out, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_to_the_broker, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_lose_hook, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_preopened, s_setup, s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
