/* SPDX-License-Identifier: Apache-2.0 */
/* The log's Merkle tree against fixed vectors (tests/vectors/merkle.txt,
 * computed by an independent RFC 9162 implementation and repeated in
 * PROTOCOL.md): leaf hashes, roots, inclusion and consistency proofs, and
 * proofs that must not verify. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "keys.h"
#include "merkle.h"
#include "receipt.h"
#include "roster.h"
#include "wire.h"

#define VECTORS CONCORD_SOURCE_DIR "/tests/vectors/merkle.txt"
#define PROTOCOL CONCORD_SOURCE_DIR "/docs/PROTOCOL.md"

/* The value of "name = hex" in the file at path, decoded into out (at
 * most cap bytes); returns its length. Fails the test if absent. */
static size_t s_vec(const char *path, const char *name, uint8_t *out, size_t cap)
{
    FILE *f = fopen(path, "rb");
    char line[4096];
    size_t n = strlen(name);
    assert_non_null(f);
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, name, n) == 0 && strncmp(line + n, " = ", 3) == 0) {
            char *hex = line + n + 3;
            hex[strcspn(hex, "\r\n")] = '\0';
            size_t len = strlen(hex) / 2;
            assert_true(len <= cap);
            assert_int_equal(wire_unhex(hex, out, len), 0);
            fclose(f);
            return len;
        }
    }
    fclose(f);
    fail_msg("vector %s missing from %s", name, path);
    return 0;
}

static merkle_t *s_tree(void)
{
    merkle_t *t = merkle_new();
    assert_non_null(t);
    for (uint8_t i = 0; i < 7; i++) {
        uint8_t h[32], leaf[32], want[32];
        char name[16];
        crypto_hash_sha256(h, &i, 1);
        merkle_leaf_hash(i + 1u, 1700000000000ull + i, h, leaf);
        snprintf(name, sizeof name, "leaf_%u", i + 1u);
        s_vec(VECTORS, name, want, 32);
        assert_memory_equal(leaf, want, 32);
        assert_int_equal(merkle_append(t, leaf, NULL), 0);
    }
    return t;
}

static void test_merkle_roots(void **state)
{
    (void)state;
    merkle_t *t = s_tree();
    uint8_t root[32], want[32];
    merkle_empty_root(root);
    s_vec(VECTORS, "empty_root", want, 32);
    assert_memory_equal(root, want, 32);
    for (unsigned n = 1; n <= 7; n++) {
        char name[16];
        snprintf(name, sizeof name, "root_%u", n);
        s_vec(VECTORS, name, want, 32);
        merkle_root(t, n, root);
        assert_memory_equal(root, want, 32);
    }
    /* Truncating and growing again gives the same tree. */
    merkle_truncate(t, 3);
    assert_int_equal(merkle_size(t), 3);
    s_vec(VECTORS, "root_3", want, 32);
    merkle_root(t, 3, root);
    assert_memory_equal(root, want, 32);
    merkle_destroy(&t);
    t = s_tree();
    merkle_root(t, 7, root);
    s_vec(VECTORS, "root_7", want, 32);
    assert_memory_equal(root, want, 32);
    merkle_destroy(&t);
}

static void test_merkle_inclusion(void **state)
{
    (void)state;
    merkle_t *t = s_tree();
    uint8_t path[MERKLE_PATH_MAX][32], want[MERKLE_PATH_MAX * 32], root[32], root7[32];
    size_t n_path;
    s_vec(VECTORS, "root_7", root7, 32);
    merkle_inclusion(t, 2, 7, path, &n_path);
    assert_int_equal(n_path * 32, s_vec(VECTORS, "inclusion_3_7", want, sizeof want));
    assert_memory_equal(path, want, n_path * 32);
    assert_true(merkle_verify_inclusion(merkle_leaf(t, 2), 2, 7, (const uint8_t(*)[32])path,
                                        n_path, root7));
    /* The same path does not prove another leaf, position, or a tree of
     * another depth (the size itself is bound by the signed head). */
    assert_false(merkle_verify_inclusion(merkle_leaf(t, 3), 2, 7, (const uint8_t(*)[32])path,
                                         n_path, root7));
    assert_false(merkle_verify_inclusion(merkle_leaf(t, 2), 3, 7, (const uint8_t(*)[32])path,
                                         n_path, root7));
    assert_false(merkle_verify_inclusion(merkle_leaf(t, 2), 2, 4, (const uint8_t(*)[32])path,
                                         n_path, root7));
    assert_false(merkle_verify_inclusion(merkle_leaf(t, 2), 2, 16, (const uint8_t(*)[32])path,
                                         n_path, root7));
    assert_false(merkle_verify_inclusion(merkle_leaf(t, 2), 2, 7, (const uint8_t(*)[32])path,
                                         n_path - 1, root7));
    merkle_inclusion(t, 6, 7, path, &n_path);
    assert_int_equal(n_path * 32, s_vec(VECTORS, "inclusion_7_7", want, sizeof want));
    assert_memory_equal(path, want, n_path * 32);
    /* Every leaf in every tree size proves, against every root. */
    for (uint64_t n = 1; n <= 7; n++) {
        merkle_root(t, n, root);
        for (uint64_t m = 0; m < n; m++) {
            merkle_inclusion(t, m, n, path, &n_path);
            assert_true(merkle_verify_inclusion(merkle_leaf(t, m), m, n,
                                                (const uint8_t(*)[32])path, n_path, root));
        }
    }
    merkle_destroy(&t);
}

static void test_merkle_consistency(void **state)
{
    (void)state;
    merkle_t *t = s_tree();
    uint8_t path[MERKLE_PATH_MAX][32], want[MERKLE_PATH_MAX * 32], rm[32], rn[32];
    size_t n_path;
    static const char *const names[] = {"consistency_3_7", "consistency_4_7", "consistency_6_7"};
    static const uint64_t ms[] = {3, 4, 6};
    merkle_root(t, 7, rn);
    for (size_t i = 0; i < 3; i++) {
        merkle_consistency(t, ms[i], 7, path, &n_path);
        assert_int_equal(n_path * 32, s_vec(VECTORS, names[i], want, sizeof want));
        assert_memory_equal(path, want, n_path * 32);
        merkle_root(t, ms[i], rm);
        assert_true(
            merkle_verify_consistency(ms[i], 7, rm, rn, (const uint8_t(*)[32])path, n_path));
        /* A different first root (a forked history) does not verify. */
        rm[0] ^= 1;
        assert_false(
            merkle_verify_consistency(ms[i], 7, rm, rn, (const uint8_t(*)[32])path, n_path));
    }
    for (uint64_t n = 1; n <= 7; n++) {
        merkle_root(t, n, rn);
        for (uint64_t m = 1; m <= n; m++) {
            merkle_consistency(t, m, n, path, &n_path);
            merkle_root(t, m, rm);
            assert_true(
                merkle_verify_consistency(m, n, rm, rn, (const uint8_t(*)[32])path, n_path));
        }
    }
    /* Same size, different roots: never consistent. */
    merkle_root(t, 5, rm);
    merkle_root(t, 5, rn);
    rn[31] ^= 0x80;
    assert_false(merkle_verify_consistency(5, 5, rm, rn, NULL, 0));
    merkle_destroy(&t);
}

/* The broker's signed head of the seven-entry tree, and the receipt of
 * entry 3 in it, with the vector key (seed 00 01 .. 1f as the broker). */
static void test_merkle_signed_head_and_receipt(void **state)
{
    (void)state;
    uint8_t seed[32], root[32], want[4096];
    cc_err_t err;
    for (int i = 0; i < 32; i++) {
        seed[i] = (uint8_t)i;
    }
    keys_t *broker = keys_from_seed(KEYS_BROKER_CODE, "Test broker", "BROKER", seed, &err);
    assert_non_null(broker);
    merkle_t *t = s_tree();
    merkle_root(t, 7, root);
    uint8_t *head = NULL, *rc = NULL;
    size_t head_len = 0, rc_len = 0;
    assert_int_equal(receipt_head_sign(broker, 7, root, 1700000000006ull, &head, &head_len, &err),
                     0);
    uint8_t h3[32], i3 = 2;
    crypto_hash_sha256(h3, &i3, 1);
    assert_int_equal(receipt_issue(broker, t, 1700000000006ull, 3, 1700000000002ull, h3, &rc, &rc_len, &err), 0);
    char *hex = wire_hex(head, head_len);
    size_t n = s_vec(VECTORS, "signed_tree_head_7", want, sizeof want);
    if (n != head_len || memcmp(want, head, n) != 0) {
        fail_msg("signed_tree_head_7 differs: got %s", hex);
    }
    free(hex);
    hex = wire_hex(rc, rc_len);
    n = s_vec(VECTORS, "receipt_3_7", want, sizeof want);
    if (n != rc_len || memcmp(want, rc, n) != 0) {
        fail_msg("receipt_3_7 differs: got %s", hex);
    }
    free(hex);
    /* It opens against a roster naming that broker, and only for entry 3. */
    roster_t *roster = roster_new("vectors", keys_public(broker), &err);
    assert_non_null(roster);
    receipt_t r;
    assert_int_equal(receipt_open(NULL, roster, rc, rc_len, &r, &err), 0);
    assert_int_equal(r.log_index, 3);
    assert_int_equal(r.head.size, 7);
    assert_memory_equal(r.head.root, root, 32);
    assert_memory_equal(r.leaf, merkle_leaf(t, 2), 32);
    rc[rc_len / 2] ^= 1;
    assert_int_equal(receipt_open(NULL, roster, rc, rc_len, &r, &err), -1);
    roster_destroy(&roster);
    free(head);
    free(rc);
    merkle_destroy(&t);
    keys_destroy(&broker);
}

/* The vectors in PROTOCOL.md are the file's, byte for byte. */
static void test_merkle_vectors_in_protocol(void **state)
{
    (void)state;
    static const char *const names[] = {"leaf_1",          "root_7",
                                        "inclusion_3_7",   "consistency_3_7",
                                        "consistency_4_7", "signed_tree_head_7",
                                        "receipt_3_7"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        uint8_t a[MERKLE_PATH_MAX * 32], b[MERKLE_PATH_MAX * 32];
        size_t la = s_vec(VECTORS, names[i], a, sizeof a);
        size_t lb = s_vec(PROTOCOL, names[i], b, sizeof b);
        assert_int_equal(la, lb);
        assert_memory_equal(a, b, la);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merkle_roots),
        cmocka_unit_test(test_merkle_inclusion),
        cmocka_unit_test(test_merkle_consistency),
        cmocka_unit_test(test_merkle_signed_head_and_receipt),
        cmocka_unit_test(test_merkle_vectors_in_protocol),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
