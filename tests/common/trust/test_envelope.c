/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for envelope: sealing, opening, and every way to forge one. */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "board.pb-c.h"
#include "envelope.h"
#include "wire.h"

typedef struct {
    keys_t *a;      /* member E38000217 */
    keys_t *b;      /* member E08000003 */
    keys_t *broker; /* the broker */
    keys_t *c;      /* not in the roster */
    roster_t *roster;
} s_fix_t;

static int s_setup(void **state)
{
    s_fix_t *f = calloc(1, sizeof *f);
    cc_err_t err;

    if (f == NULL) {
        return -1;
    }
    f->a = keys_generate("E38000217", "Manchester CCG", "CCG", &err);
    f->b = keys_generate("E08000003", "Manchester City Council", "COUNCIL_UPPER", &err);
    f->broker = keys_generate("broker", "GMCA broker", "BROKER", &err);
    f->c = keys_generate("E38000999", "Outsider CCG", "CCG", &err);
    if (f->a == NULL || f->b == NULL || f->broker == NULL || f->c == NULL) {
        return -1;
    }
    f->roster = roster_new("Greater Manchester", keys_public(f->broker), &err);
    if (f->roster == NULL || roster_add(f->roster, keys_public(f->a), &err) != 0 ||
        roster_add(f->roster, keys_public(f->b), &err) != 0) {
        return -1;
    }
    *state = f;
    return 0;
}

static int s_teardown(void **state)
{
    s_fix_t *f = *state;

    keys_destroy(&f->a);
    keys_destroy(&f->b);
    keys_destroy(&f->broker);
    keys_destroy(&f->c);
    roster_destroy(&f->roster);
    free(f);
    return 0;
}

static envelope_meta_t s_meta(void)
{
    envelope_meta_t m;

    memset(&m, 0, sizeof m);
    memset(m.call_id, 0xab, sizeof m.call_id);
    m.method = "concord.v1.Health/Check";
    m.recipient = "E08000003";
    m.sent_at_ms = 1700000000000ull;
    m.deadline_ms = 1700000010000ull;
    m.sequence = 7;
    m.kind = CONCORD__V1__KIND__KIND_REQUEST;
    return m;
}

static void s_seal(const keys_t *k, const envelope_meta_t *m, uint8_t **out, size_t *len)
{
    static const uint8_t body[] = {0x0a, 0x03, 'f', 'o', 'o'};
    cc_err_t err;

    assert_int_equal(envelope_seal(k, m, body, sizeof body, out, len, &err), 0);
}

/* A header that seal would refuse, signed properly by hand. */
static void s_forge(const keys_t *k, const char *signer, Concord__V1__Header *h, uint8_t **out,
                    size_t *len)
{
    Concord__V1__Signed s = CONCORD__V1__SIGNED__INIT;
    Concord__V1__Envelope e = CONCORD__V1__ENVELOPE__INIT;
    uint8_t sig[KEYS_SIG_LEN];
    uint8_t *sb = NULL;
    size_t sl = 0;
    cc_err_t err;

    s.header = h;
    assert_int_equal(wire_pack(&s.base, ENVELOPE_MAX, &sb, &sl, &err), 0);
    assert_int_equal(keys_sign(k, ENVELOPE_DOMAIN, sb, sl, sig, &err), 0);
    e.signed_.data = sb;
    e.signed_.len = sl;
    e.signature.data = sig;
    e.signature.len = sizeof sig;
    e.signer = (char *)signer;
    assert_int_equal(wire_pack(&e.base, WIRE_MAX_FRAME, out, len, &err), 0);
    free(sb);
}

static Concord__V1__Header s_header(const char *sender, uint8_t *call_id)
{
    Concord__V1__Header h = CONCORD__V1__HEADER__INIT;

    memset(call_id, 0x11, ENVELOPE_CALL_ID_LEN);
    h.version = ENVELOPE_VERSION;
    h.call_id.data = call_id;
    h.call_id.len = ENVELOPE_CALL_ID_LEN;
    h.method = (char *)"concord.v1.Health/Check";
    h.sender = (char *)sender;
    h.recipient = (char *)"E08000003";
    h.sequence = 1;
    h.kind = CONCORD__V1__KIND__KIND_REQUEST;
    return h;
}

static void s_expect_refused(const s_fix_t *f, const uint8_t *buf, size_t len, cc_code_t code,
                             const char *needle)
{
    cc_err_t err;
    envelope_t *e = envelope_open(buf, len, f->roster, &err);

    assert_null(e);
    assert_int_equal(err.code, code);
    if (needle != NULL && strstr(err.msg, needle) == NULL) {
        fail_msg("expected '%s' in '%s'", needle, err.msg);
    }
}

static void test_envelope_seal_open_roundtrip(void **state)
{
    s_fix_t *f = *state;
    envelope_meta_t m = s_meta();
    envelope_t *e;
    uint8_t *buf = NULL;
    uint8_t hash[32];
    size_t len = 0;
    cc_err_t err;

    s_seal(f->a, &m, &buf, &len);
    e = envelope_open(buf, len, f->roster, &err);
    assert_non_null(e);
    assert_int_equal(e->header->version, ENVELOPE_VERSION);
    assert_memory_equal(e->header->call_id.data, m.call_id, ENVELOPE_CALL_ID_LEN);
    assert_string_equal(e->header->method, m.method);
    assert_string_equal(e->header->sender, "E38000217");
    assert_string_equal(e->header->recipient, m.recipient);
    assert_true(e->header->sent_at_ms == m.sent_at_ms);
    assert_true(e->header->deadline_ms == m.deadline_ms);
    assert_true(e->header->sequence == 7);
    assert_int_equal(e->header->kind, CONCORD__V1__KIND__KIND_REQUEST);
    assert_null(e->header->status);
    assert_int_equal(e->body_len, 5);
    assert_memory_equal(e->body,
                        "\x0a\x03"
                        "foo",
                        5);
    assert_int_equal(e->raw_len, len);
    assert_memory_equal(e->raw, buf, len);
    crypto_hash_sha256(hash, buf, len);
    assert_memory_equal(e->hash, hash, 32);
    envelope_destroy(&e);
    assert_null(e);
    envelope_destroy(&e);
    envelope_destroy(NULL);

    e = envelope_open_with_key(buf, len, "E38000217", keys_public(f->a)->sign_pk, &err);
    assert_non_null(e);
    envelope_destroy(&e);
    free(buf);
}

static void test_envelope_reply_with_status_and_empty_body(void **state)
{
    s_fix_t *f = *state;
    envelope_meta_t m = s_meta();
    envelope_t *e;
    uint8_t *buf = NULL;
    size_t len = 0;
    cc_err_t err;

    m.kind = CONCORD__V1__KIND__KIND_REPLY;
    m.status = CC_NOT_FOUND;
    m.status_msg = "no such board";
    m.recipient = "E38000217";
    assert_int_equal(envelope_seal(f->b, &m, NULL, 0, &buf, &len, &err), 0);
    e = envelope_open(buf, len, f->roster, &err);
    assert_non_null(e);
    assert_non_null(e->header->status);
    assert_int_equal(e->header->status->code, CC_NOT_FOUND);
    assert_string_equal(e->header->status->message, "no such board");
    assert_int_equal(e->body_len, 0);
    assert_non_null(e->body);
    envelope_destroy(&e);
    free(buf);
}

static void test_envelope_broker_signer_accepted(void **state)
{
    s_fix_t *f = *state;
    envelope_meta_t m = s_meta();
    envelope_t *e;
    uint8_t *buf = NULL;
    size_t len = 0;
    cc_err_t err;

    s_seal(f->broker, &m, &buf, &len);
    e = envelope_open(buf, len, f->roster, &err);
    assert_non_null(e);
    assert_string_equal(e->header->sender, "broker");
    envelope_destroy(&e);
    free(buf);
}

static void test_envelope_every_flipped_byte_fails(void **state)
{
    static const uint8_t masks[] = {0x01, 0x80, 0xff};
    s_fix_t *f = *state;
    envelope_meta_t m = s_meta();
    uint8_t *buf = NULL;
    size_t len = 0;
    size_t i, j;
    cc_err_t err;

    s_seal(f->a, &m, &buf, &len);
    for (i = 0; i < len; i++) {
        for (j = 0; j < sizeof masks; j++) {
            envelope_t *e;
            buf[i] ^= masks[j];
            e = envelope_open(buf, len, f->roster, &err);
            if (e != NULL) {
                fail_msg("byte %zu ^ 0x%02x still opens", i, masks[j]);
            }
            e = envelope_open_with_key(buf, len, "E38000217", keys_public(f->a)->sign_pk, &err);
            if (e != NULL) {
                fail_msg("byte %zu ^ 0x%02x still opens with key", i, masks[j]);
            }
            buf[i] ^= masks[j];
        }
    }
    free(buf);
}

static void test_envelope_truncated_at_every_length_fails(void **state)
{
    s_fix_t *f = *state;
    envelope_meta_t m = s_meta();
    uint8_t *buf = NULL;
    uint8_t *copy;
    size_t len = 0;
    size_t n;
    cc_err_t err;

    s_seal(f->a, &m, &buf, &len);
    for (n = 0; n < len; n++) {
        /* A copy of exactly n bytes, so ASan sees any over-read. */
        copy = malloc(n > 0 ? n : 1);
        assert_non_null(copy);
        memcpy(copy, buf, n);
        assert_null(envelope_open(copy, n, f->roster, &err));
        assert_int_not_equal(err.code, CC_OK);
        free(copy);
    }
    free(buf);
}

static void test_envelope_wrong_key_and_unknown_signer(void **state)
{
    s_fix_t *f = *state;
    envelope_meta_t m = s_meta();
    uint8_t *buf = NULL;
    size_t len = 0;
    cc_err_t err;

    s_seal(f->a, &m, &buf, &len);
    assert_null(envelope_open_with_key(buf, len, "E38000217", keys_public(f->b)->sign_pk, &err));
    assert_int_equal(err.code, CC_UNAUTHENTICATED);
    assert_non_null(strstr(err.msg, "bad signature"));
    assert_null(envelope_open_with_key(buf, len, "E08000003", keys_public(f->a)->sign_pk, &err));
    assert_int_equal(err.code, CC_UNAUTHENTICATED);
    free(buf);

    s_seal(f->c, &m, &buf, &len);
    s_expect_refused(f, buf, len, CC_UNAUTHENTICATED, "unknown sender");
    free(buf);
}

static void test_envelope_signer_must_match_sender(void **state)
{
    s_fix_t *f = *state;
    uint8_t call_id[ENVELOPE_CALL_ID_LEN];
    Concord__V1__Header h = s_header("E08000003", call_id);
    uint8_t *buf = NULL;
    size_t len = 0;

    /* A signs a header claiming to come from B. */
    s_forge(f->a, "E38000217", &h, &buf, &len);
    s_expect_refused(f, buf, len, CC_UNAUTHENTICATED, "does not match signer");
    free(buf);
    /* The same, with the outer signer relabelled as B: B's key fails. */
    s_forge(f->a, "E08000003", &h, &buf, &len);
    s_expect_refused(f, buf, len, CC_UNAUTHENTICATED, "bad signature");
    free(buf);
    /* An empty or invalid signer field. */
    h.sender = (char *)"E38000217";
    s_forge(f->a, "", &h, &buf, &len);
    s_expect_refused(f, buf, len, CC_UNAUTHENTICATED, "unknown sender");
    free(buf);
}

static void test_envelope_size_limits(void **state)
{
    s_fix_t *f = *state;
    envelope_meta_t m = s_meta();
    uint8_t *big = calloc(1, ENVELOPE_MAX + 1);
    uint8_t *buf = NULL;
    size_t len = 0;
    cc_err_t err;

    assert_non_null(big);
    s_expect_refused(f, big, ENVELOPE_MAX + 1, CC_RESOURCE_EXHAUSTED, NULL);
    s_expect_refused(f, big, SIZE_MAX, CC_RESOURCE_EXHAUSTED, NULL);
    s_expect_refused(f, big, 0, CC_INVALID_ARGUMENT, "empty");
    s_expect_refused(f, NULL, 0, CC_INVALID_ARGUMENT, "empty");
    s_expect_refused(f, big, 100, CC_INVALID_ARGUMENT, NULL);
    /* Bodies that cannot fit once wrapped are refused by seal. */
    assert_int_equal(envelope_seal(f->a, &m, big, ENVELOPE_MAX + 1, &buf, &len, &err), -1);
    assert_int_equal(err.code, CC_RESOURCE_EXHAUSTED);
    assert_int_equal(envelope_seal(f->a, &m, big, ENVELOPE_MAX - 10, &buf, &len, &err), -1);
    assert_int_equal(err.code, CC_RESOURCE_EXHAUSTED);
    assert_null(buf);
    assert_int_equal(envelope_seal(f->a, &m, big, ENVELOPE_MAX - 400, &buf, &len, &err), 0);
    assert_true(len <= ENVELOPE_MAX);
    envelope_t *e = envelope_open(buf, len, f->roster, &err);
    assert_non_null(e);
    envelope_destroy(&e);
    free(buf);
    free(big);
}

static void test_envelope_bad_call_id_length(void **state)
{
    static const size_t lens[] = {0, 1, 15, 17, 32};
    s_fix_t *f = *state;
    uint8_t call_id[64] = {0}; /* lengths up to 32 are read from it */
    Concord__V1__Header h = s_header("E38000217", call_id);
    uint8_t *buf = NULL;
    size_t len = 0;
    size_t i;

    for (i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        h.call_id.len = lens[i];
        s_forge(f->a, "E38000217", &h, &buf, &len);
        s_expect_refused(f, buf, len, CC_INVALID_ARGUMENT, "call id");
        free(buf);
    }
}

static void test_envelope_bad_method(void **state)
{
    static const char *const bad[] = {
        "",
        "Check",
        "/Check",
        "concord.v1.Health/",
        "concord.v1.Health/Check.x",
        "concord v1.Health/Check",
        "concord.v1.Health/Check/Again",
        "a/b\n",
        "é/x",
        "concord.v1.Health//Check",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/b",
    };
    s_fix_t *f = *state;
    envelope_meta_t m = s_meta();
    uint8_t call_id[ENVELOPE_CALL_ID_LEN];
    Concord__V1__Header h = s_header("E38000217", call_id);
    uint8_t *buf = NULL;
    size_t len = 0;
    size_t i;
    cc_err_t err;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        m.method = bad[i];
        assert_int_equal(envelope_seal(f->a, &m, NULL, 0, &buf, &len, &err), -1);
        assert_int_equal(err.code, CC_INVALID_ARGUMENT);
        h.method = (char *)bad[i];
        s_forge(f->a, "E38000217", &h, &buf, &len);
        s_expect_refused(f, buf, len, CC_INVALID_ARGUMENT, "method");
        free(buf);
        buf = NULL;
    }
    m.method = "a_b.C9/D_1";
    assert_int_equal(envelope_seal(f->a, &m, NULL, 0, &buf, &len, &err), 0);
    free(buf);
}

static void test_envelope_bad_header_fields(void **state)
{
    s_fix_t *f = *state;
    envelope_meta_t m = s_meta();
    uint8_t call_id[ENVELOPE_CALL_ID_LEN];
    Concord__V1__Header h;
    uint8_t *buf = NULL;
    size_t len = 0;
    cc_err_t err;

    m.sequence = 0;
    assert_int_equal(envelope_seal(f->a, &m, NULL, 0, &buf, &len, &err), -1);
    m = s_meta();
    m.kind = CONCORD__V1__KIND__KIND_UNSPECIFIED;
    assert_int_equal(envelope_seal(f->a, &m, NULL, 0, &buf, &len, &err), -1);
    m = s_meta();
    m.recipient = "not a code";
    assert_int_equal(envelope_seal(f->a, &m, NULL, 0, &buf, &len, &err), -1);
    assert_int_equal(err.code, CC_INVALID_ARGUMENT);
    /* A board's audience: only for events, and only a well-formed board id. */
    m = s_meta();
    m.recipient = "board:PLY-JCB";
    assert_int_equal(envelope_seal(f->a, &m, NULL, 0, &buf, &len, &err), -1);
    assert_non_null(strstr(err.msg, "is only for events"));
    m.kind = CONCORD__V1__KIND__KIND_EVENT;
    assert_int_equal(envelope_seal(f->a, &m, NULL, 0, &buf, &len, &err), 0);
    free(buf);
    buf = NULL;
    m.recipient = "board:P";
    assert_int_equal(envelope_seal(f->a, &m, NULL, 0, &buf, &len, &err), -1);
    assert_non_null(strstr(err.msg, "must be \"board:\" then a board id"));
    m.recipient = "board:PLY_JCB";
    assert_int_equal(envelope_seal(f->a, &m, NULL, 0, &buf, &len, &err), -1);
    assert_string_equal(envelope_board_of("board:PLY-JCB"), "PLY-JCB");
    assert_null(envelope_board_of("PLY-JCB"));
    assert_null(envelope_board_of("board:0123456789012345678901234567890123"));
    assert_true(envelope_event_for("board:PLY-JCB", "X24"));
    assert_true(envelope_event_for("X24", "X24"));
    assert_false(envelope_event_for("E38000217", "X24"));

    h = s_header("E38000217", call_id);
    h.sequence = 0;
    s_forge(f->a, "E38000217", &h, &buf, &len);
    s_expect_refused(f, buf, len, CC_INVALID_ARGUMENT, "sequence");
    free(buf);
    h = s_header("E38000217", call_id);
    h.version = 1; /* version 1 is refused by version 2 */
    s_forge(f->a, "E38000217", &h, &buf, &len);
    s_expect_refused(f, buf, len, CC_INVALID_ARGUMENT, "version");
    free(buf);
    h = s_header("E38000217", call_id);
    h.kind = 7;
    s_forge(f->a, "E38000217", &h, &buf, &len);
    s_expect_refused(f, buf, len, CC_INVALID_ARGUMENT, "kind");
    free(buf);
    h = s_header("E38000217", call_id);
    h.recipient = (char *)"";
    s_forge(f->a, "E38000217", &h, &buf, &len);
    s_expect_refused(f, buf, len, CC_INVALID_ARGUMENT, "recipient");
    free(buf);
}

static void test_envelope_bad_signature_length(void **state)
{
    s_fix_t *f = *state;
    Concord__V1__Envelope e = CONCORD__V1__ENVELOPE__INIT;
    uint8_t sig[KEYS_SIG_LEN + 1] = {0};
    uint8_t data[4] = {1, 2, 3, 4};
    uint8_t *buf = NULL;
    size_t len = 0;
    cc_err_t err;

    e.signed_.data = data;
    e.signed_.len = sizeof data;
    e.signature.data = sig;
    e.signer = (char *)"E38000217";
    e.signature.len = KEYS_SIG_LEN - 1;
    assert_int_equal(wire_pack(&e.base, ENVELOPE_MAX, &buf, &len, &err), 0);
    s_expect_refused(f, buf, len, CC_UNAUTHENTICATED, "signature");
    free(buf);
    e.signature.len = KEYS_SIG_LEN + 1;
    assert_int_equal(wire_pack(&e.base, ENVELOPE_MAX, &buf, &len, &err), 0);
    s_expect_refused(f, buf, len, CC_UNAUTHENTICATED, "signature");
    free(buf);
}

static void test_envelope_new_call_id_random(void **state)
{
    uint8_t a[ENVELOPE_CALL_ID_LEN];
    uint8_t b[ENVELOPE_CALL_ID_LEN];

    (void)state;
    envelope_new_call_id(a);
    envelope_new_call_id(b);
    assert_memory_not_equal(a, b, sizeof a);
}

/* Signs raw Signed bytes by hand, whatever they hold. */
static void s_sign_raw(const keys_t *k, const uint8_t *sb, size_t sl, uint8_t **out, size_t *len)
{
    Concord__V1__Envelope e = CONCORD__V1__ENVELOPE__INIT;
    uint8_t sig[KEYS_SIG_LEN];
    cc_err_t err;

    assert_int_equal(keys_sign(k, ENVELOPE_DOMAIN, sb, sl, sig, &err), 0);
    e.signed_.data = (uint8_t *)sb;
    e.signed_.len = sl;
    e.signature.data = sig;
    e.signature.len = sizeof sig;
    e.signer = (char *)keys_code(k);
    assert_int_equal(wire_pack(&e.base, WIRE_MAX_FRAME, out, len, &err), 0);
}

static void test_envelope_non_canonical_signed_bytes_refused(void **state)
{
    s_fix_t *f = *state;
    uint8_t call_id[ENVELOPE_CALL_ID_LEN];
    Concord__V1__Header h = s_header("E38000217", call_id);
    Concord__V1__Signed sg = CONCORD__V1__SIGNED__INIT;
    uint8_t *sb = NULL, *buf = NULL;
    size_t sl = 0, len = 0;
    cc_err_t err;

    /* A recipient "X24<NUL>JUNK": C would read "X24", others would not;
     * and one that is not UTF-8, which other decoders refuse. */
    h.recipient = (char *)"X24QJUNK";
    sg.header = &h;
    assert_int_equal(wire_pack(&sg.base, ENVELOPE_MAX, &sb, &sl, &err), 0);
    uint8_t *q = memmem(sb, sl, "X24QJUNK", 8);
    assert_non_null(q);
    q[3] = '\0';
    s_sign_raw(f->a, sb, sl, &buf, &len);
    s_expect_refused(f, buf, len, CC_INVALID_ARGUMENT, "Header.recipient holds a NUL at byte 3");
    free(buf);
    q[3] = 0xff;
    s_sign_raw(f->a, sb, sl, &buf, &len);
    s_expect_refused(f, buf, len, CC_INVALID_ARGUMENT,
                     "Header.recipient is not valid UTF-8 at byte 3");
    free(buf);

    /* A genuine header followed by an unknown field (15, varint 1). */
    h.recipient = (char *)"E08000003";
    free(sb);
    assert_int_equal(wire_pack(&sg.base, ENVELOPE_MAX, &sb, &sl, &err), 0);
    uint8_t *longer = malloc(sl + 2);
    assert_non_null(longer);
    memcpy(longer, sb, sl);
    longer[sl] = 0x78;
    longer[sl + 1] = 0x01;
    s_sign_raw(f->a, longer, sl + 2, &buf, &len);
    s_expect_refused(f, buf, len, CC_INVALID_ARGUMENT, "canonical");
    free(buf);

    /* The header given twice: protobuf merges, but the bytes differ. */
    uint8_t *twice = malloc(sl * 2);
    assert_non_null(twice);
    memcpy(twice, sb, sl);
    memcpy(twice + sl, sb, sl);
    s_sign_raw(f->a, twice, sl * 2, &buf, &len);
    s_expect_refused(f, buf, len, CC_INVALID_ARGUMENT, NULL);
    free(buf);
    free(twice);
    free(longer);
    free(sb);
}

/* Empty signed bytes, properly signed by a member (found by fuzz_envelope:
 * they decode as a NULL buffer that the canonical-form check compared). */
/* The body of a method the protocol defines is text-checked like the
 * header: a proposal whose title is not UTF-8, or holds a NUL, is refused
 * naming the field; the same bytes in a method nobody defines are only
 * bytes. */
static void test_envelope_body_text_checked(void **state)
{
    s_fix_t *f = *state;
    /* Proposal{board_id "B1", title "Bad \xff title"} */
    uint8_t body[] = {0x0a, 0x02, 'B', '1', 0x12, 0x0b, 'B', 'a', 'd', ' ',
                      0xff, ' ', 't', 'i', 't', 'l', 'e'};
    envelope_meta_t m = s_meta();
    m.method = "concord.v1.Board/Propose";
    m.recipient = "*";
    m.deadline_ms = 0;
    m.kind = CONCORD__V1__KIND__KIND_EVENT;
    uint8_t *buf = NULL;
    size_t len = 0;
    cc_err_t err;
    assert_int_equal(envelope_seal(f->a, &m, body, sizeof body, &buf, &len, &err), 0);
    s_expect_refused(f, buf, len, CC_INVALID_ARGUMENT,
                     "Proposal.title is not valid UTF-8 at byte 4");
    free(buf);
    body[10] = 0;
    assert_int_equal(envelope_seal(f->a, &m, body, sizeof body, &buf, &len, &err), 0);
    s_expect_refused(f, buf, len, CC_INVALID_ARGUMENT, "Proposal.title holds a NUL at byte 4");
    free(buf);
    body[10] = 0xff;
    m.method = "example.v9.Other/Thing";
    assert_int_equal(envelope_seal(f->a, &m, body, sizeof body, &buf, &len, &err), 0);
    envelope_t *e = envelope_open(buf, len, f->roster, &err);
    assert_non_null(e);
    envelope_destroy(&e);
    free(buf);
    assert_ptr_equal(envelope_body_descriptor("concord.v1.Board/Vote", CONCORD__V1__KIND__KIND_EVENT),
                     &concord__v1__ballot__descriptor);
    assert_null(envelope_body_descriptor("concord.v1.Board/Vote", CONCORD__V1__KIND__KIND_REPLY));
}

static void test_envelope_empty_signed_bytes_refused(void **state)
{
    const s_fix_t *f = *state;
    Concord__V1__Envelope e = CONCORD__V1__ENVELOPE__INIT;
    uint8_t sig[KEYS_SIG_LEN];
    uint8_t *buf = NULL;
    size_t len = 0;

    assert_int_equal(keys_sign(f->a, ENVELOPE_DOMAIN, NULL, 0, sig, NULL), 0);
    e.signature.data = sig;
    e.signature.len = sizeof sig;
    e.signer = (char *)keys_code(f->a);
    assert_int_equal(wire_pack(&e.base, WIRE_MAX_FRAME, &buf, &len, NULL), 0);
    s_expect_refused(f, buf, len, CC_INVALID_ARGUMENT, "envelope has no header");
    free(buf);
}

/* A person's signature (PROTOCOL.md 16.13) travels beside the
 * organisation's, outside what the organisation signs: opened as it was
 * sealed, absent when none was given, and refused when not 64 bytes. */
static void test_envelope_person_signature(void **state)
{
    s_fix_t *f = *state;
    envelope_meta_t m = s_meta();
    uint8_t sig[KEYS_SIG_LEN], *buf = NULL;
    size_t len = 0;
    cc_err_t err;
    memset(sig, 0x5c, sizeof sig);
    m.kind = CONCORD__V1__KIND__KIND_EVENT;
    m.recipient = "*";
    m.person_sig = sig;
    s_seal(f->a, &m, &buf, &len);
    envelope_t *e = envelope_open(buf, len, f->roster, &err);
    assert_non_null(e);
    assert_non_null(e->person_sig);
    assert_memory_equal(e->person_sig, sig, sizeof sig);
    envelope_destroy(&e);
    /* The organisation's signature does not cover it: the same signed
     * bytes with a 63-byte person's signature are refused as malformed. */
    Concord__V1__Envelope *env = (Concord__V1__Envelope *)wire_unpack(
        &concord__v1__envelope__descriptor, buf, len, WIRE_MAX_FRAME, &err);
    assert_non_null(env);
    env->person_signature.len = 63;
    uint8_t *bad = NULL;
    size_t bad_len = 0;
    assert_int_equal(wire_pack(&env->base, WIRE_MAX_FRAME, &bad, &bad_len, &err), 0);
    s_expect_refused(f, bad, bad_len, CC_INVALID_ARGUMENT, "a person's signature is 63 bytes");
    free(bad);
    wire_free(&env->base);
    free(buf);
    m.person_sig = NULL;
    s_seal(f->a, &m, &buf, &len);
    e = envelope_open(buf, len, f->roster, &err);
    assert_non_null(e);
    assert_null(e->person_sig);
    envelope_destroy(&e);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_envelope_seal_open_roundtrip),
        cmocka_unit_test(test_envelope_reply_with_status_and_empty_body),
        cmocka_unit_test(test_envelope_broker_signer_accepted),
        cmocka_unit_test(test_envelope_every_flipped_byte_fails),
        cmocka_unit_test(test_envelope_truncated_at_every_length_fails),
        cmocka_unit_test(test_envelope_wrong_key_and_unknown_signer),
        cmocka_unit_test(test_envelope_signer_must_match_sender),
        cmocka_unit_test(test_envelope_size_limits),
        cmocka_unit_test(test_envelope_bad_call_id_length),
        cmocka_unit_test(test_envelope_bad_method),
        cmocka_unit_test(test_envelope_bad_header_fields),
        cmocka_unit_test(test_envelope_bad_signature_length),
        cmocka_unit_test(test_envelope_new_call_id_random),
        cmocka_unit_test(test_envelope_non_canonical_signed_bytes_refused),
        cmocka_unit_test(test_envelope_body_text_checked),
        cmocka_unit_test(test_envelope_empty_signed_bytes_refused),
        cmocka_unit_test(test_envelope_person_signature),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
