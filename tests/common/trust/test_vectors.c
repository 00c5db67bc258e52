/* SPDX-License-Identifier: Apache-2.0 */
/* Golden vectors: the envelope in tests/vectors/envelope.txt must be
 * re-derived byte for byte, must open, and must appear in PROTOCOL.md so
 * that an implementation written from the document can check itself. The
 * same goes for tree_leaf_1, that envelope's leaf hash in the log's Merkle
 * tree at index 1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "envelope.h"
#include "health.pb-c.h"
#include "merkle.h"
#include "wire.h"

#define VECTORS CONCORD_SOURCE_DIR "/tests/vectors/envelope.txt"
#define PROTOCOL CONCORD_SOURCE_DIR "/docs/PROTOCOL.md"

static const char *const s_names[] = {
    "seed", "sign_public", "curve_public", "signed", "signature", "envelope", "envelope_sha256",
    "tree_leaf_1",
};
#define S_NVEC (sizeof s_names / sizeof s_names[0])

typedef struct {
    char *hex[S_NVEC];
    uint8_t *bin[S_NVEC];
    size_t len[S_NVEC];
} s_vec_t;

static char *s_read(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t n;

    if (f == NULL) {
        fail_msg("cannot open %s", path);
    }
    buf = calloc(1, 1 << 20);
    assert_non_null(buf);
    n = fread(buf, 1, (1 << 20) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Lines "name = hex"; '#' lines and blank lines are comments. */
static void s_load(s_vec_t *v)
{
    char *text = s_read(VECTORS);
    char *save = NULL;
    char *line;
    size_t i;

    memset(v, 0, sizeof *v);
    for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
        char *eq = strstr(line, " = ");
        if (line[0] == '#' || line[0] == '\0') {
            continue;
        }
        assert_non_null(eq);
        *eq = '\0';
        for (i = 0; i < S_NVEC && strcmp(line, s_names[i]) != 0; i++) {
        }
        if (i == S_NVEC) {
            fail_msg("unknown vector '%s'", line);
        }
        assert_null(v->hex[i]);
        v->hex[i] = strdup(eq + 3);
        v->len[i] = strlen(v->hex[i]) / 2;
        v->bin[i] = malloc(v->len[i] + 1);
        assert_non_null(v->bin[i]);
        assert_int_equal(wire_unhex(v->hex[i], v->bin[i], v->len[i]), 0);
    }
    for (i = 0; i < S_NVEC; i++) {
        if (v->hex[i] == NULL) {
            fail_msg("vector '%s' missing from %s", s_names[i], VECTORS);
        }
    }
    free(text);
}

static void s_free(s_vec_t *v)
{
    size_t i;

    for (i = 0; i < S_NVEC; i++) {
        free(v->hex[i]);
        free(v->bin[i]);
    }
}

static envelope_meta_t s_meta(void)
{
    envelope_meta_t m;
    int i;

    memset(&m, 0, sizeof m);
    for (i = 0; i < ENVELOPE_CALL_ID_LEN; i++) {
        m.call_id[i] = (uint8_t)(0xa0 + i);
    }
    m.method = "concord.v1.Health/Check";
    m.recipient = "E08000003";
    m.sent_at_ms = 1700000000000ull;
    m.deadline_ms = 1700000010000ull;
    m.sequence = 1;
    m.kind = CONCORD__V1__KIND__KIND_REQUEST;
    return m;
}

static void s_expect(const s_vec_t *v, size_t i, const uint8_t *got, size_t len)
{
    char *hex = wire_hex(got, len);

    if (len != v->len[i] || memcmp(got, v->bin[i], len) != 0) {
        fail_msg("%s differs:\n  file: %s\n  got:  %s", s_names[i], v->hex[i], hex);
    }
    free(hex);
}

static void test_vectors_envelope_rederived(void **state)
{
    Concord__V1__HealthCheckRequest req = CONCORD__V1__HEALTH_CHECK_REQUEST__INIT;
    Concord__V1__Envelope *env;
    envelope_meta_t m = s_meta();
    uint8_t seed[32];
    uint8_t hash[32];
    uint8_t *body = NULL;
    uint8_t *buf = NULL;
    size_t body_len = 0;
    size_t len = 0;
    keys_t *k;
    cc_err_t err;
    s_vec_t v;
    int i;

    (void)state;
    s_load(&v);
    for (i = 0; i < 32; i++) {
        seed[i] = (uint8_t)i;
    }
    s_expect(&v, 0, seed, sizeof seed);
    k = keys_from_seed("E38000217", "Manchester CCG", "CCG", seed, &err);
    assert_non_null(k);
    s_expect(&v, 1, keys_public(k)->sign_pk, KEYS_PK_LEN);
    s_expect(&v, 2, keys_public(k)->curve_pk, KEYS_PK_LEN);

    assert_int_equal(wire_pack(&req.base, 64, &body, &body_len, &err), 0);
    assert_int_equal(body_len, 0);
    assert_int_equal(envelope_seal(k, &m, body, body_len, &buf, &len, &err), 0);
    s_expect(&v, 5, buf, len);
    env = (Concord__V1__Envelope *)wire_unpack(&concord__v1__envelope__descriptor, buf, len,
                                               ENVELOPE_MAX, &err);
    assert_non_null(env);
    s_expect(&v, 3, env->signed_.data, env->signed_.len);
    s_expect(&v, 4, env->signature.data, env->signature.len);
    envelope_hash(buf, len, hash);
    s_expect(&v, 6, hash, sizeof hash);
    /* The file's own signature verifies over the file's own signed bytes. */
    assert_int_equal(keys_verify(v.bin[1], ENVELOPE_DOMAIN, v.bin[3], v.len[3], v.bin[4], &err), 0);
    wire_free(&env->base);
    free(buf);
    free(body);
    keys_destroy(&k);
    s_free(&v);
}

static void test_vectors_envelope_opens(void **state)
{
    envelope_meta_t m = s_meta();
    envelope_t *e;
    cc_err_t err;
    s_vec_t v;

    (void)state;
    s_load(&v);
    e = envelope_open_with_key(v.bin[5], v.len[5], "E38000217", v.bin[1], &err);
    if (e == NULL) {
        fail_msg("vector does not open: %s", err.msg);
    }
    assert_int_equal(e->header->version, 2);
    assert_memory_equal(e->header->call_id.data, m.call_id, ENVELOPE_CALL_ID_LEN);
    assert_string_equal(e->header->method, m.method);
    assert_string_equal(e->header->sender, "E38000217");
    assert_string_equal(e->header->recipient, m.recipient);
    assert_true(e->header->sent_at_ms == m.sent_at_ms);
    assert_true(e->header->deadline_ms == m.deadline_ms);
    assert_true(e->header->sequence == 1);
    assert_int_equal(e->header->kind, CONCORD__V1__KIND__KIND_REQUEST);
    assert_int_equal(e->body_len, 0);
    assert_memory_equal(e->hash, v.bin[6], 32);
    envelope_destroy(&e);
    /* And nothing else opens it: another code, or another key. */
    assert_null(envelope_open_with_key(v.bin[5], v.len[5], "E08000003", v.bin[1], &err));
    assert_null(envelope_open_with_key(v.bin[5], v.len[5], "E38000217", v.bin[2], &err));
    s_free(&v);
}

static void test_vectors_in_protocol_document(void **state)
{
    char *doc = s_read(PROTOCOL);
    char want[4096];
    s_vec_t v;
    size_t i;

    (void)state;
    s_load(&v);
    assert_non_null(strstr(doc, "## Test vectors"));
    for (i = 0; i < S_NVEC; i++) {
        snprintf(want, sizeof want, "%s = %s", s_names[i], v.hex[i]);
        if (strstr(doc, v.hex[i]) == NULL || strstr(doc, want) == NULL) {
            fail_msg("docs/PROTOCOL.md lacks '%s'", want);
        }
    }
    s_free(&v);
    free(doc);
}

/* tree_leaf_1 = the leaf hash of the vector envelope accepted at log
 * index 1 at time_ms 1700000000123. */
static void test_vectors_tree_leaf(void **state)
{
    uint8_t chain[32];
    char *doc = s_read(PROTOCOL);
    char want[256];
    s_vec_t v;

    (void)state;
    s_load(&v);
    assert_int_equal(v.len[6], 32);
    merkle_leaf_hash(1, 1700000000123ull, v.bin[6], chain);
    s_expect(&v, 7, chain, sizeof chain);
    snprintf(want, sizeof want, "tree_leaf_1 = %s", v.hex[7]);
    if (strstr(doc, want) == NULL) {
        fail_msg("docs/PROTOCOL.md lacks '%s'", want);
    }
    s_free(&v);
    free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors_envelope_rederived),
        cmocka_unit_test(test_vectors_envelope_opens),
        cmocka_unit_test(test_vectors_in_protocol_document),
        cmocka_unit_test(test_vectors_tree_leaf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
