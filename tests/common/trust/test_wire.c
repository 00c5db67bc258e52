/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for wire (and the small err and clock helpers). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "clock.h"
#include "board.pb-c.h"
#include "envelope.pb-c.h"
#include "link.pb-c.h"
#include "err.h"
#include "log.h"
#include "wire.h"

static void s_header(Concord__V1__Header *h, uint8_t *id)
{
    Concord__V1__Header init = CONCORD__V1__HEADER__INIT;

    *h = init;
    memset(id, 0x5a, 16);
    h->version = 1;
    h->call_id.data = id;
    h->call_id.len = 16;
    h->method = (char *)"concord.v1.Health/Check";
    h->sender = (char *)"E38000217";
    h->sequence = 42;
}

static void test_wire_pack_unpack_roundtrip(void **state)
{
    Concord__V1__Header h;
    Concord__V1__Header *u;
    uint8_t id[16];
    uint8_t *buf = NULL;
    size_t len = 0;
    cc_err_t err;

    (void)state;
    s_header(&h, id);
    assert_int_equal(wire_pack(&h.base, 1024, &buf, &len, &err), 0);
    assert_non_null(buf);
    u = (Concord__V1__Header *)wire_unpack(&concord__v1__header__descriptor, buf, len, len, &err);
    assert_non_null(u);
    assert_string_equal(u->method, h.method);
    assert_true(u->sequence == 42);
    assert_memory_equal(u->call_id.data, id, 16);
    wire_free(&u->base);
    wire_free(NULL);
    free(buf);
}

/* wire_copy: a deep copy that outlives the original's storage; refused
 * when the message packs to more than the limit. */
static void test_wire_copy(void **state)
{
    Concord__V1__Header h;
    uint8_t id[16];
    cc_err_t err;
    char method[] = "concord.v1.Health/Check";

    (void)state;
    s_header(&h, id);
    h.method = method;
    Concord__V1__Header *c = (Concord__V1__Header *)wire_copy(&h.base, 1024, &err);
    assert_non_null(c);
    memset(method, 'x', sizeof method - 1);
    memset(id, 0, sizeof id);
    assert_string_equal(c->method, "concord.v1.Health/Check");
    assert_true(c->sequence == 42);
    assert_int_equal(c->call_id.data[0], 0x5a);
    assert_ptr_equal(c->base.descriptor, &concord__v1__header__descriptor);
    wire_free(&c->base);
    assert_null(wire_copy(&h.base, 8, &err));
    assert_int_not_equal(err.code, CC_OK);
}

static void test_wire_limits_checked_before_decoding(void **state)
{
    Concord__V1__Header h;
    uint8_t id[16];
    uint8_t *buf = NULL;
    size_t len = 0;
    cc_err_t err;

    (void)state;
    s_header(&h, id);
    assert_int_equal(wire_pack(&h.base, 10, &buf, &len, &err), -1);
    assert_int_equal(err.code, CC_RESOURCE_EXHAUSTED);
    assert_null(buf);
    assert_int_equal(wire_pack(&h.base, 1024, &buf, &len, &err), 0);
    assert_null(wire_unpack(&concord__v1__header__descriptor, buf, len, len - 1, &err));
    assert_int_equal(err.code, CC_RESOURCE_EXHAUSTED);
    /* A length far beyond the buffer must be refused without reading. */
    assert_null(wire_unpack(&concord__v1__header__descriptor, buf, SIZE_MAX, WIRE_MAX_FRAME, &err));
    assert_int_equal(err.code, CC_RESOURCE_EXHAUSTED);
    free(buf);
}

static void test_wire_malformed_and_truncated(void **state)
{
    static const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                   0xff, 0xff, 0xff, 0xff, 0x01};
    Concord__V1__Header h;
    ProtobufCMessage *m;
    uint8_t id[16];
    uint8_t *buf = NULL;
    uint8_t *cut;
    size_t len = 0;
    size_t n;
    cc_err_t err;

    (void)state;
    m = wire_unpack(&concord__v1__header__descriptor, junk, sizeof junk, 1024, &err);
    assert_null(m);
    assert_int_equal(err.code, CC_INVALID_ARGUMENT);
    assert_non_null(strstr(err.msg, "Header"));
    /* Empty input is a valid empty message. */
    m = wire_unpack(&concord__v1__header__descriptor, NULL, 0, 1024, &err);
    assert_non_null(m);
    wire_free(m);
    assert_null(wire_unpack(&concord__v1__header__descriptor, NULL, 5, 1024, &err));
    /* Every truncation either fails cleanly or decodes; ASan checks reads. */
    s_header(&h, id);
    assert_int_equal(wire_pack(&h.base, 1024, &buf, &len, &err), 0);
    for (n = 0; n < len; n++) {
        cut = malloc(n > 0 ? n : 1);
        assert_non_null(cut);
        memcpy(cut, buf, n);
        m = wire_unpack(&concord__v1__header__descriptor, cut, n, 1024, &err);
        wire_free(m);
        free(cut);
    }
    free(buf);
}

static void test_wire_hex(void **state)
{
    static const uint8_t bytes[] = {0x00, 0x01, 0xab, 0xff};
    uint8_t out[4];
    char *hex;

    (void)state;
    hex = wire_hex(bytes, sizeof bytes);
    assert_non_null(hex);
    assert_string_equal(hex, "0001abff");
    assert_int_equal(wire_unhex(hex, out, sizeof out), 0);
    assert_memory_equal(out, bytes, sizeof out);
    free(hex);
    assert_int_equal(wire_unhex("0001ABFF", out, sizeof out), 0);
    assert_memory_equal(out, bytes, sizeof out);
    hex = wire_hex(NULL, 0);
    assert_non_null(hex);
    assert_string_equal(hex, "");
    free(hex);
    assert_int_equal(wire_unhex("0001abf", out, sizeof out), -1);
    assert_int_equal(wire_unhex("0001abff00", out, sizeof out), -1);
    assert_int_equal(wire_unhex("0001abfg", out, sizeof out), -1);
    assert_int_equal(wire_unhex(" 001abff", out, sizeof out), -1);
    assert_int_equal(wire_unhex(NULL, out, sizeof out), -1);
    assert_int_equal(wire_unhex("", out, 0), 0);
}

static void test_err_set_prefix_and_names(void **state)
{
    cc_err_t err;
    char big[CC_ERR_MSG_MAX * 2];

    (void)state;
    err_set(&err, CC_NOT_FOUND, "truncated at %d", 3);
    err_prefix(&err, "reading %s: ", "roster.bin");
    assert_int_equal(err.code, CC_NOT_FOUND);
    assert_string_equal(err.msg, "reading roster.bin: truncated at 3");
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    err_prefix(&err, "%s", big);
    assert_int_equal(strlen(err.msg), CC_ERR_MSG_MAX - 1);
    err_clear(&err);
    assert_int_equal(err.code, CC_OK);
    assert_string_equal(err.msg, "");
    err_set(NULL, CC_INTERNAL, "ignored");
    err_prefix(NULL, "ignored");
    err_clear(NULL);
    assert_string_equal(err_code_name(CC_DEADLINE_EXCEEDED), "DEADLINE_EXCEEDED");
    assert_string_equal(err_code_name(CC_UNAUTHENTICATED), "UNAUTHENTICATED");
    assert_string_equal(err_code_name((cc_code_t)17), "UNKNOWN");
    assert_string_equal(err_code_name((cc_code_t)-1), "UNKNOWN");
}

static void test_clock_format_and_log_levels(void **state)
{
    char buf[32];
    log_level_t lvl;

    (void)state;
    assert_string_equal(clock_format(1700000000123ull, buf, sizeof buf),
                        "2023-11-14T22:13:20.123Z");
    assert_string_equal(clock_format(0, buf, sizeof buf), "1970-01-01T00:00:00.000Z");
    assert_true(clock_wall_ms() > 1700000000000ull);
    assert_true(clock_mono_us() / 1000 >= clock_mono_ms() - 1);
    assert_int_equal(log_level_parse("debug", &lvl), 0);
    assert_int_equal(lvl, LOG_LVL_DEBUG);
    assert_int_equal(log_level_parse("verbose", &lvl), -1);
    assert_int_equal(log_get_level(), LOG_LVL_INFO);
    log_set_level(LOG_LVL_ERROR);
    log_info("not shown");
    log_error("shown with a newline\nthat cannot forge a line");
    log_set_level(LOG_LVL_INFO);
}

static void test_log_line_formats(void **state)
{
    char path[] = "/tmp/test_log.XXXXXX";
    char text[1024] = {0};
    char want[128];
    int fd = mkstemp(path);
    int saved = dup(2);
    ssize_t n;

    (void)state;
    assert_true(fd >= 0 && saved >= 0);
    fflush(stderr);
    assert_true(dup2(fd, 2) >= 0);
    setenv("JOURNAL_STREAM", "8:1234", 1);
    log_warn("warned %d", 1);
    log_debug("below the level");
    unsetenv("JOURNAL_STREAM");
    log_set_ident("concord-test");
    log_info("plain");
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    n = pread(fd, text, sizeof text - 1, 0);
    close(fd);
    unlink(path);
    assert_true(n > 0);
    assert_memory_equal(text, "<4>warned 1\n", 12);
    /* "2026-11-24T12:00:00.123Z INFO concord-test[pid]: plain" */
    assert_int_equal(text[12 + 4], '-');
    assert_int_equal(text[12 + 23], 'Z');
    snprintf(want, sizeof want, " INFO concord-test[%ld]: plain\n", (long)getpid());
    assert_string_equal(text + 12 + 24, want);
}

/* Field number 0 written as a long varint tag (80 00): protobuf-c would
 * take it as an unknown field and pack it back as 00 00, which nothing
 * decodes (found by fuzz_messages). Refused at the top and nested. */
static void test_wire_field_number_zero_refused(void **state)
{
    static const uint8_t top[] = {0x80, 0x00, 0x00};
    /* Signed{header = Header{field 0}} */
    static const uint8_t nested[] = {0x0a, 0x03, 0x80, 0x00, 0x00};
    /* The same with a real field: decodes. */
    static const uint8_t fine[] = {0x0a, 0x02, 0x08, 0x01};
    cc_err_t err;
    ProtobufCMessage *m;

    (void)state;
    assert_null(wire_unpack(&concord__v1__signed_tree_head__descriptor, top, sizeof top, 1024,
                            &err));
    assert_int_equal(err.code, CC_INVALID_ARGUMENT);
    assert_string_equal(err.msg, "malformed concord.v1.SignedTreeHead (3 bytes): field number 0");
    assert_null(wire_unpack(&concord__v1__signed__descriptor, nested, sizeof nested, 1024, &err));
    assert_non_null(strstr(err.msg, "field number 0"));
    m = wire_unpack(&concord__v1__signed__descriptor, fine, sizeof fine, 1024, &err);
    assert_non_null(m);
    wire_free(m);
}

/* Strings on the wire: UTF-8 (RFC 3629) with no NUL, checked on the bytes
 * themselves, in nested messages too, with the field and offset named. */
static void test_wire_text_must_be_utf8(void **state)
{
    (void)state;
    static const struct {
        const char *method; /* the header's method, as bytes */
        size_t len;
        const char *msg;    /* NULL: accepted */
    } cases[] = {
        {"conc\xff", 5, "Header.method is not valid UTF-8 at byte 4"},
        {"co\0ncord", 8, "Header.method holds a NUL at byte 2"},
        {"a\xc0\x80", 3, "Header.method is not valid UTF-8 at byte 1"},         /* overlong NUL */
        {"ab\xe0\x80\xaf", 5, "Header.method is not valid UTF-8 at byte 2"},   /* overlong '/' */
        {"\xed\xa0\x80", 3, "Header.method is not valid UTF-8 at byte 0"},      /* surrogate */
        {"x\xf4\x90\x80\x80", 5, "Header.method is not valid UTF-8 at byte 1"}, /* > U+10FFFF */
        {"x\xe2\x82", 3, "Header.method is not valid UTF-8 at byte 1"},          /* truncated */
        {"\xf5\x80\x80\x80", 4, "Header.method is not valid UTF-8 at byte 0"},
        {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbf\xbf", 18, NULL},
        {"\xed\x9f\xbf\xee\x80\x80\xf4\x8f\xbf\xbf", 10, NULL}, /* around the surrogates, U+10FFFF */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        /* Signed{header{method}} built by hand: protobuf-c would stop a
         * string at its NUL. */
        uint8_t buf[64], *p = buf;
        size_t n = cases[i].len;
        *p++ = 0x0a; /* Signed.header */
        *p++ = (uint8_t)(n + 2);
        *p++ = 0x1a; /* Header.method */
        *p++ = (uint8_t)n;
        memcpy(p, cases[i].method, n);
        p += n;
        cc_err_t err;
        ProtobufCMessage *m = wire_unpack(&concord__v1__signed__descriptor, buf,
                                          (size_t)(p - buf), 1024, &err);
        assert_int_equal(wire_check_text(&concord__v1__signed__descriptor, buf,
                                         (size_t)(p - buf), &err),
                         cases[i].msg ? -1 : 0);
        if (cases[i].msg) {
            assert_null(m);
            assert_int_equal(err.code, CC_INVALID_ARGUMENT);
            assert_string_equal(err.msg, cases[i].msg);
        } else {
            assert_non_null(m);
            wire_free(m);
        }
    }
    /* Repeated strings are checked one by one; bytes fields are not text. */
    static const uint8_t duties[] = {0x5a, 0x01, 'A', 0x5a, 0x01, 0x80};
    cc_err_t err;
    assert_null(wire_unpack(&concord__v1__proposal__descriptor, duties, sizeof duties, 1024, &err));
    assert_string_equal(err.msg, "Proposal.delegated_duties is not valid UTF-8 at byte 0");
    static const uint8_t call_id[] = {0x12, 0x02, 0xff, 0x00, 0x2a, 0x01, 'A'};
    ProtobufCMessage *h =
        wire_unpack(&concord__v1__header__descriptor, call_id, sizeof call_id, 1024, &err);
    assert_non_null(h);
    wire_free(h);
    /* A single bool written length-delimited: protobuf-c would read it as
     * packed (true), other decoders keep it as an unknown field (false). */
    static const uint8_t ratification[] = {0x1a, 0x02, 0x01, 0x01};
    assert_null(wire_unpack(&concord__v1__ratification__descriptor, ratification,
                            sizeof ratification, 1024, &err));
    assert_string_equal(err.msg,
                        "Ratification.declined is written with wire type 2, which its type does "
                        "not allow");
    /* Packed or not, a repeated scalar is fine either way. */
    static const uint8_t ack[] = {0x0a, 0x02, 0x01, 0x02, 0x08, 0x03};
    Concord__V1__MailboxAck *a = (Concord__V1__MailboxAck *)wire_unpack(
        &concord__v1__mailbox_ack__descriptor, ack, sizeof ack, 1024, &err);
    assert_non_null(a);
    assert_int_equal(a->n_log_index, 3);
    assert_int_equal(a->log_index[2], 3);
    wire_free(&a->base);
}

/* wire_each_string visits every string, nested and repeated included. */
static int s_count(char **s, const char *field, void *arg)
{
    (void)field;
    *(size_t *)arg += strlen(*s);
    return 0;
}

static void test_wire_each_string(void **state)
{
    (void)state;
    uint8_t id[16];
    Concord__V1__Header h;
    s_header(&h, id);
    Concord__V1__Signed sm = CONCORD__V1__SIGNED__INIT;
    sm.header = &h;
    size_t total = 0;
    assert_int_equal(wire_each_string(&sm.base, s_count, &total), 0);
    assert_int_equal(total, strlen(h.method) + strlen(h.sender) + strlen(h.recipient));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wire_pack_unpack_roundtrip),
        cmocka_unit_test(test_wire_copy),
        cmocka_unit_test(test_wire_limits_checked_before_decoding),
        cmocka_unit_test(test_wire_malformed_and_truncated),
        cmocka_unit_test(test_wire_field_number_zero_refused),
        cmocka_unit_test(test_wire_text_must_be_utf8),
        cmocka_unit_test(test_wire_each_string),
        cmocka_unit_test(test_wire_hex),
        cmocka_unit_test(test_err_set_prefix_and_names),
        cmocka_unit_test(test_clock_format_and_log_levels),
        cmocka_unit_test(test_log_line_formats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
