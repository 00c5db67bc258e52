/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for exempt: the grounds of Schedule 12A to the Local
 * Government Act 1972 and Part II of the Freedom of Information Act 2000
 * as users write them, and an exempt item sealed to a board's members,
 * opened by each of them and by nobody else, and read with its released
 * key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "exempt.h"
#include "keys.h"
#include "wire.h"

/* 1 if needle occurs in the n bytes at hay. */
static int s_holds(const uint8_t *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++) {
        if (memcmp(hay + i, needle, k) == 0) {
            return 1;
        }
    }
    return 0;
}

static void s_reads_as(const char *in, const char *want)
{
    char out[EXEMPT_REASON_MAX + 1];
    cc_err_t err;
    if (exempt_reason_parse(in, out, &err) != 0) {
        fail_msg("'%s' refused: %s", in, err.msg);
    }
    assert_string_equal(out, want);
    assert_true(exempt_reason_ok(out));
}

static void s_refused(const char *in, const char *words)
{
    char out[EXEMPT_REASON_MAX + 1];
    cc_err_t err;
    assert_int_equal(exempt_reason_parse(in, out, &err), -1);
    assert_int_equal(err.code, CC_INVALID_ARGUMENT);
    if (!strstr(err.msg, words)) {
        fail_msg("'%s': expected '%s' in: %s", in, words, err.msg);
    }
}

static void test_exempt_reasons(void **state)
{
    (void)state;
    s_reads_as("Sch12A para 3", "LGA 1972 Sch 12A para 3");
    s_reads_as("Sch 12A para. 1", "LGA 1972 Sch 12A para 1");
    s_reads_as("LGA 1972 Schedule 12A paragraph 7", "LGA 1972 Sch 12A para 7");
    s_reads_as("sch12a 5", "LGA 1972 Sch 12A para 5");
    s_reads_as("FOIA s43", "FOIA 2000 s43");
    s_reads_as("FOIA 2000 section 41", "FOIA 2000 s41");
    s_reads_as("s.22A", "FOIA 2000 s22A");
    s_reads_as("foia s21", "FOIA 2000 s21");
    assert_string_equal(exempt_reason_about("LGA 1972 Sch 12A para 3"),
                        "information relating to the financial or business affairs of any"
                        " particular person (including the authority holding it)");
    assert_string_equal(exempt_reason_about("FOIA 2000 s43"), "commercial interests");
    assert_string_equal(exempt_reason_about("Sch12A para 3"), ""); /* not canonical */
    s_refused("Sch12A para 8", "paragraphs 1 to 7");
    s_refused("Sch12A para 0", "paragraphs 1 to 7");
    s_refused("Sch12A", "paragraphs 1 to 7");
    s_refused("FOIA s25", "section 25 of the Freedom of Information Act 2000 is not an exemption");
    s_refused("FOIA s45", "sections 21, 22, 22A, 23, 24 and 26 to 44");
    s_refused("commercially sensitive", "is not an exemption");
    s_refused("FOIA", "is not an exemption");
    s_refused("", "is not an exemption");
}

static void test_exempt_sealed_to_members(void **state)
{
    (void)state;
    cc_err_t err;
    keys_t *a = keys_generate("E38000217", "NHS Central Manchester CCG", "CCG", &err);
    keys_t *b = keys_generate("E08000003", "Manchester City Council", "COUNCIL_UPPER", &err);
    keys_t *c = keys_generate("E38000068", "NHS Halton CCG", "CCG", &err);
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(c);
    const char *members[] = {"E38000217", "E08000003"};
    uint8_t pks[2][32], key[EXEMPT_KEY_LEN], opened[EXEMPT_KEY_LEN];
    memcpy(pks[0], keys_public(a)->sign_pk, 32);
    memcpy(pks[1], keys_public(b)->sign_pk, 32);
    Concord__V1__ExemptContent content = CONCORD__V1__EXEMPT_CONTENT__INIT;
    content.title = "Sale of the Mount Gould site";
    content.text = "Offer of 4.1m";
    content.paper_name = "terms.txt";
    content.paper.data = (uint8_t *)"heads of terms";
    content.paper.len = 14;
    Concord__V1__Exemption x = CONCORD__V1__EXEMPTION__INIT;
    assert_int_equal(exempt_seal(&x, &content, members, (const uint8_t(*)[32])pks, 2, key, &err),
                     0);
    assert_int_equal(x.n_keys, 2);
    assert_int_equal(x.nonce.len, EXEMPT_NONCE_LEN);
    assert_int_equal(x.keys[0]->sealed.len, EXEMPT_SEALED_LEN);
    /* No plaintext in what is logged. */
    assert_false(s_holds(x.ciphertext.data, x.ciphertext.len, "Mount Gould"));
    /* Each member opens its key; an outsider has none. */
    assert_int_equal(exempt_open_key(&x, a, opened, &err), 0);
    assert_memory_equal(opened, key, EXEMPT_KEY_LEN);
    assert_int_equal(exempt_open_key(&x, b, opened, &err), 0);
    assert_memory_equal(opened, key, EXEMPT_KEY_LEN);
    assert_int_equal(exempt_open_key(&x, c, opened, &err), 1);
    /* A key sealed to one member does not open for another. */
    x.keys[1]->member = "E38000217";
    x.keys[0]->member = "E38000068";
    assert_int_equal(exempt_open_key(&x, c, opened, &err), -1);
    assert_int_equal(err.code, CC_UNAUTHENTICATED);
    x.keys[0]->member = (char *)members[0];
    x.keys[1]->member = (char *)members[1];
    /* The released key reads it; another key, or altered bytes, do not. */
    Concord__V1__ExemptContent *got = exempt_decrypt(&x, key, &err);
    assert_non_null(got);
    assert_string_equal(got->title, content.title);
    assert_string_equal(got->text, content.text);
    assert_string_equal(got->paper_name, "terms.txt");
    assert_memory_equal(got->paper.data, "heads of terms", 14);
    wire_free(&got->base);
    uint8_t other[EXEMPT_KEY_LEN];
    randombytes_buf(other, sizeof other);
    assert_null(exempt_decrypt(&x, other, &err));
    assert_int_equal(err.code, CC_UNAUTHENTICATED);
    x.ciphertext.data[0] ^= 1;
    assert_null(exempt_decrypt(&x, key, &err));
    x.ciphertext.data[0] ^= 1;
    uint8_t h1[32], h2[32];
    exempt_ciphertext_hash(&x, h1);
    crypto_hash_sha256(h2, x.ciphertext.data, x.ciphertext.len);
    assert_memory_equal(h1, h2, 32);
    exempt_clear(&x);
    assert_int_equal(x.n_keys, 0);
    keys_destroy(&a);
    keys_destroy(&b);
    keys_destroy(&c);
}

/* ---- the golden vector of docs/PROTOCOL.md, "a sealed exempt item" ---- */

#define S_VECTORS CONCORD_SOURCE_DIR "/tests/vectors/exempt.txt"
#define S_PROTOCOL CONCORD_SOURCE_DIR "/docs/PROTOCOL.md"

static char *s_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fail_msg("cannot open %s", path);
    }
    char *buf = calloc(1, 1 << 20);
    assert_non_null(buf);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

/* The bytes of vector name in text ("name = hex" lines) into out; their
 * count. Fails unless PROTOCOL.md (doc) carries the same line. */
static size_t s_vector(const char *text, const char *doc, const char *name, uint8_t *out,
                       size_t max)
{
    char want[128];
    snprintf(want, sizeof want, "\n%s = ", name);
    const char *at = strstr(text, want);
    if (!at) {
        fail_msg("vector %s missing from %s", name, S_VECTORS);
    }
    at += strlen(want);
    size_t hexlen = strcspn(at, "\n");
    char line[512];
    assert_true(hexlen < 400);
    snprintf(line, sizeof line, "%s%.*s\n", want + 1, (int)hexlen, at);
    if (!strstr(doc, line)) {
        fail_msg("docs/PROTOCOL.md lacks '%s'", line);
    }
    char hex[400];
    snprintf(hex, sizeof hex, "%.*s", (int)hexlen, at);
    assert_true(hexlen / 2 <= max);
    assert_int_equal(wire_unhex(hex, out, hexlen / 2), 0);
    return hexlen / 2;
}

static void test_exempt_vector(void **state)
{
    (void)state;
    char *text = s_file(S_VECTORS), *doc = s_file(S_PROTOCOL);
    uint8_t key[32], nonce[24], content[128], ct[160], hash[32], xpk[32], sealed[80], seed[32];
    uint8_t got[160];
    cc_err_t err;
    assert_int_equal(s_vector(text, doc, "exempt_key", key, sizeof key), 32);
    assert_int_equal(s_vector(text, doc, "exempt_nonce", nonce, sizeof nonce), 24);
    size_t n_content = s_vector(text, doc, "exempt_content", content, sizeof content);
    size_t n_ct = s_vector(text, doc, "exempt_ciphertext", ct, sizeof ct);
    assert_int_equal(s_vector(text, doc, "exempt_ciphertext_sha256", hash, sizeof hash), 32);
    assert_int_equal(s_vector(text, doc, "exempt_x25519_public", xpk, sizeof xpk), 32);
    assert_int_equal(s_vector(text, doc, "exempt_sealed_key", sealed, sizeof sealed), 80);
    for (int i = 0; i < 32; i++) {
        seed[i] = (uint8_t)i;
    }
    /* The ciphertext is the content under the documented associated data. */
    unsigned long long clen = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(got, &clen, content, n_content,
                                               (const uint8_t *)EXEMPT_DOMAIN,
                                               sizeof EXEMPT_DOMAIN, NULL, nonce, key);
    assert_int_equal(clen, n_ct);
    assert_memory_equal(got, ct, n_ct);
    /* Concord reads it, and hashes it, so. */
    Concord__V1__Exemption x = CONCORD__V1__EXEMPTION__INIT;
    x.nonce.data = nonce;
    x.nonce.len = 24;
    x.ciphertext.data = ct;
    x.ciphertext.len = n_ct;
    Concord__V1__ExemptContent *c = exempt_decrypt(&x, key, &err);
    assert_non_null(c);
    assert_string_equal(c->title, "Sale of the Mount Gould site");
    assert_string_equal(c->text, "Offer of 4.1m");
    wire_free(&c->base);
    uint8_t h[32];
    exempt_ciphertext_hash(&x, h);
    assert_memory_equal(h, hash, 32);
    /* The member of the seed opens the sealed key with its signing key. */
    keys_t *k = keys_from_seed("E38000217", "Manchester CCG", "CCG", seed, &err);
    assert_non_null(k);
    uint8_t x_pk[32];
    assert_int_equal(crypto_sign_ed25519_pk_to_curve25519(x_pk, keys_public(k)->sign_pk), 0);
    assert_memory_equal(x_pk, xpk, 32);
    Concord__V1__SealedKey sk = CONCORD__V1__SEALED_KEY__INIT;
    Concord__V1__SealedKey *sks[] = {&sk};
    sk.member = "E38000217";
    sk.sealed.data = sealed;
    sk.sealed.len = 80;
    x.keys = sks;
    x.n_keys = 1;
    uint8_t opened[32];
    assert_int_equal(exempt_open_key(&x, k, opened, &err), 0);
    assert_memory_equal(opened, key, 32);
    keys_destroy(&k);
    free(text);
    free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exempt_reasons),
        cmocka_unit_test(test_exempt_sealed_to_members),
        cmocka_unit_test(test_exempt_vector),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
