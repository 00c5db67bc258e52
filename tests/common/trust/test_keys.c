/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for keys: files, permissions, tampering, signatures. */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "keys.h"

static char s_dir[512];

static int s_setup(void **state)
{
    const char *tmp = getenv("TMPDIR");

    (void)state;
    snprintf(s_dir, sizeof s_dir, "%s/test_keys.XXXXXX", tmp != NULL ? tmp : "/tmp");
    return mkdtemp(s_dir) == NULL ? -1 : 0;
}

static int s_teardown(void **state)
{
    DIR *d = opendir(s_dir);
    struct dirent *de;
    char p[1024];

    (void)state;
    while (d != NULL && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
            snprintf(p, sizeof p, "%s/%s", s_dir, de->d_name);
            unlink(p);
        }
    }
    if (d != NULL) {
        closedir(d);
    }
    rmdir(s_dir);
    return 0;
}

static const char *s_path(const char *name)
{
    static char bufs[4][1024];
    static int next;
    char *p = bufs[next++ % 4];

    snprintf(p, sizeof bufs[0], "%s/%s", s_dir, name);
    return p;
}

static void s_write(const char *path, const void *data, size_t len, mode_t mode)
{
    FILE *f;

    unlink(path);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(path, mode), 0);
}

static char *s_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = calloc(1, 8192);

    assert_non_null(f);
    assert_non_null(buf);
    *len = fread(buf, 1, 8191, f);
    fclose(f);
    return buf;
}

static keys_t *s_saved(const char *code, const char *sec, const char *pub)
{
    cc_err_t err;
    keys_t *k = keys_generate(code, "Manchester CCG", "CCG", &err);

    assert_non_null(k);
    assert_int_equal(keys_save(k, s_path(sec), s_path(pub), &err), 0);
    return k;
}

static void test_keys_save_load_roundtrip(void **state)
{
    keys_t *k = s_saved("E38000217", "a.key", "a.pub");
    keys_t *l;
    keys_public_t pub;
    struct stat st;
    cc_err_t err;
    uint8_t sig[KEYS_SIG_LEN];
    static const uint8_t msg[] = "hello";

    (void)state;
    assert_int_equal(stat(s_path("a.key"), &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_int_equal(stat(s_path("a.pub"), &st), 0);
    assert_int_equal(st.st_mode & 07777, 0644);

    l = keys_load(s_path("a.key"), &err);
    assert_non_null(l);
    assert_string_equal(keys_code(l), "E38000217");
    assert_string_equal(keys_public(l)->name, "Manchester CCG");
    assert_string_equal(keys_public(l)->kind, "CCG");
    assert_memory_equal(keys_public(l)->sign_pk, keys_public(k)->sign_pk, KEYS_PK_LEN);
    assert_memory_equal(keys_public(l)->curve_pk, keys_public(k)->curve_pk, KEYS_PK_LEN);
    assert_memory_equal(keys_curve_sk(l), keys_curve_sk(k), KEYS_PK_LEN);

    assert_int_equal(keys_sign(l, "test", msg, sizeof msg, sig, &err), 0);
    assert_int_equal(keys_verify(keys_public(k)->sign_pk, "test", msg, sizeof msg, sig, &err), 0);

    assert_int_equal(keys_load_public(s_path("a.pub"), &pub, &err), 0);
    assert_memory_equal(&pub, keys_public(k), sizeof pub);

    keys_destroy(&k);
    keys_destroy(&l);
    assert_null(k);
    assert_null(l);
    keys_destroy(&l);
    keys_destroy(NULL);
}

static void test_keys_load_refuses_open_modes(void **state)
{
    static const mode_t modes[] = {0640, 0644, 0604, 0620, 0602, 0660, 0666};
    keys_t *k = s_saved("E38000217", "m.key", "m.pub");
    cc_err_t err;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        assert_int_equal(chmod(s_path("m.key"), modes[i]), 0);
        assert_null(keys_load(s_path("m.key"), &err));
        assert_int_equal(err.code, CC_PERMISSION_DENIED);
        assert_non_null(strstr(err.msg, "readable"));
        assert_non_null(strstr(err.msg, s_path("m.key")));
        assert_non_null(strstr(err.msg, "chmod 600"));
    }
    /* Owner-only modes narrower than 0600 are fine. */
    assert_int_equal(chmod(s_path("m.key"), 0400), 0);
    keys_t *l = keys_load(s_path("m.key"), &err);
    assert_non_null(l);
    keys_destroy(&l);
    keys_destroy(&k);
}

static void test_keys_load_refuses_tampered_public_half(void **state)
{
    keys_t *k = s_saved("E38000217", "t.key", "t.pub");
    char *text;
    char *line;
    size_t len;
    cc_err_t err;

    (void)state;
    text = s_slurp(s_path("t.key"), &len);
    line = strstr(text, "sign-secret ");
    assert_non_null(line);
    /* The last 64 hex digits are the public half of libsodium's key. */
    line += strlen("sign-secret ") + 127;
    *line = *line == '0' ? '1' : '0';
    s_write(s_path("t.key"), text, len, 0600);
    assert_null(keys_load(s_path("t.key"), &err));
    assert_int_equal(err.code, CC_INVALID_ARGUMENT);
    assert_non_null(strstr(err.msg, "does not match"));
    free(text);
    keys_destroy(&k);
}

static void test_keys_load_refuses_truncated(void **state)
{
    keys_t *k = s_saved("E38000217", "x.key", "x.pub");
    char *text;
    size_t len;
    size_t n;
    cc_err_t err;
    keys_public_t pub;

    (void)state;
    text = s_slurp(s_path("x.key"), &len);
    for (n = 0; n < len; n++) {
        s_write(s_path("cut.key"), text, n, 0600);
        assert_null(keys_load(s_path("cut.key"), &err));
        assert_int_equal(err.code, CC_INVALID_ARGUMENT);
    }
    free(text);
    text = s_slurp(s_path("x.pub"), &len);
    for (n = 0; n < len; n++) {
        s_write(s_path("cut.pub"), text, n, 0644);
        assert_int_equal(keys_load_public(s_path("cut.pub"), &pub, &err), -1);
        assert_int_equal(err.code, CC_INVALID_ARGUMENT);
    }
    free(text);
    keys_destroy(&k);
}

static void test_keys_load_refuses_garbage(void **state)
{
    static const char *const bad[] = {
        "",
        "\n\n\n\n\n\n",
        "concord-secret-key v2\n",
        "garbage that is not a key file at all",
        /* a public file where a secret one is expected */
        "concord-public-key v1\ncode E38000217\nname N\nkind CCG\nsign-public 00\n"
        "curve-public 00\n",
        /* valid shape, short hex */
        "concord-secret-key v1\ncode E38000217\nname N\nkind CCG\nsign-secret 00\n"
        "curve-secret 00\n",
    };
    keys_t *k = s_saved("E38000217", "g.key", "g.pub");
    char *text;
    char big[8192];
    size_t len;
    size_t i;
    cc_err_t err;

    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        s_write(s_path("bad.key"), bad[i], strlen(bad[i]), 0600);
        assert_null(keys_load(s_path("bad.key"), &err));
        assert_int_equal(err.code, CC_INVALID_ARGUMENT);
    }
    text = s_slurp(s_path("g.key"), &len);
    /* Trailing data, a CRLF line end and an embedded NUL are all refused. */
    memcpy(big, text, len);
    memcpy(big + len, "extra\n", 6);
    s_write(s_path("bad.key"), big, len + 6, 0600);
    assert_null(keys_load(s_path("bad.key"), &err));
    assert_non_null(strstr(err.msg, ":7:"));
    memcpy(big, text, len);
    big[len - 1] = '\r';
    big[len] = '\n';
    s_write(s_path("bad.key"), big, len + 1, 0600);
    assert_null(keys_load(s_path("bad.key"), &err));
    memcpy(big, text, len);
    big[30] = '\0';
    s_write(s_path("bad.key"), big, len, 0600);
    assert_null(keys_load(s_path("bad.key"), &err));
    /* Oversized. */
    memset(big, 'a', sizeof big);
    s_write(s_path("bad.key"), big, sizeof big, 0600);
    assert_null(keys_load(s_path("bad.key"), &err));
    /* Missing. */
    assert_null(keys_load(s_path("absent.key"), &err));
    assert_int_equal(err.code, CC_NOT_FOUND);
    free(text);
    keys_destroy(&k);
}

static void test_keys_save_refuses_overwrite(void **state)
{
    keys_t *k = s_saved("E38000217", "o.key", "o.pub");
    keys_t *other = keys_generate("E38000217", "Impostor", "CCG", NULL);
    keys_t *l;
    cc_err_t err;

    (void)state;
    assert_non_null(other);
    assert_int_equal(keys_save(other, s_path("o.key"), s_path("o2.pub"), &err), -1);
    assert_int_equal(err.code, CC_ALREADY_EXISTS);
    assert_int_equal(access(s_path("o2.pub"), F_OK), -1);
    l = keys_load(s_path("o.key"), &err);
    assert_non_null(l);
    assert_memory_equal(keys_public(l)->sign_pk, keys_public(k)->sign_pk, KEYS_PK_LEN);
    /* The public file, by contrast, is simply replaced. */
    assert_int_equal(keys_save(other, s_path("o3.key"), s_path("o.pub"), &err), 0);
    keys_destroy(&k);
    keys_destroy(&l);
    keys_destroy(&other);
}

static void test_keys_sign_domain_separation(void **state)
{
    keys_t *k = keys_generate("E38000217", "A", "CCG", NULL);
    keys_t *o = keys_generate("E06000001", "B", "COUNCIL_UPPER", NULL);
    static const uint8_t msg[] = {1, 2, 3, 4};
    uint8_t m2[sizeof msg];
    uint8_t sig[KEYS_SIG_LEN];
    const uint8_t *pk;
    cc_err_t err;

    (void)state;
    assert_non_null(k);
    assert_non_null(o);
    pk = keys_public(k)->sign_pk;
    assert_int_equal(keys_sign(k, "concord/v1/envelope", msg, sizeof msg, sig, &err), 0);
    assert_int_equal(keys_verify(pk, "concord/v1/envelope", msg, sizeof msg, sig, &err), 0);
    assert_int_equal(keys_verify(pk, "concord/v1/roster", msg, sizeof msg, sig, &err), -1);
    assert_int_equal(err.code, CC_UNAUTHENTICATED);
    assert_int_equal(keys_verify(pk, "concord/v1/envelop", msg, sizeof msg, sig, &err), -1);
    /* The NUL separator: moving a byte between domain and message fails. */
    assert_int_equal(keys_verify(pk, "concord/v1/envelope\001", msg + 1, sizeof msg - 1, sig, &err),
                     -1);
    assert_int_equal(
        keys_verify(keys_public(o)->sign_pk, "concord/v1/envelope", msg, sizeof msg, sig, &err),
        -1);
    memcpy(m2, msg, sizeof msg);
    m2[3] ^= 1;
    assert_int_equal(keys_verify(pk, "concord/v1/envelope", m2, sizeof m2, sig, &err), -1);
    sig[0] ^= 1;
    assert_int_equal(keys_verify(pk, "concord/v1/envelope", msg, sizeof msg, sig, &err), -1);
    /* Empty messages are signable. */
    assert_int_equal(keys_sign(k, "d", NULL, 0, sig, &err), 0);
    assert_int_equal(keys_verify(pk, "d", NULL, 0, sig, &err), 0);
    keys_destroy(&k);
    keys_destroy(&o);
}

static void test_keys_code_check(void **state)
{
    static const char *const good[] = {"E38000217", "X24", "broker", "AB", "ABCDEFGHIJKLMNOP"};
    static const char *const bad[] = {
        "", "A", "e38000217", "9E3", "E38-0001", "Broker", "ABCDEFGHIJKLMNOPQ", "E38 1", "E38\n"};
    cc_err_t err;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof good / sizeof good[0]; i++) {
        assert_int_equal(keys_code_check(good[i], &err), 0);
    }
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(keys_code_check(bad[i], &err), -1);
        assert_int_equal(err.code, CC_INVALID_ARGUMENT);
    }
    assert_int_equal(keys_code_check(NULL, NULL), -1);
}

static void test_keys_generate_refuses_bad_identity(void **state)
{
    char longname[KEYS_NAME_MAX + 2];
    cc_err_t err;

    (void)state;
    memset(longname, 'n', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    assert_null(keys_generate("e38", "N", "CCG", &err));
    assert_null(keys_generate("E38000217", "", "CCG", &err));
    assert_null(keys_generate("E38000217", "Two\nlines", "CCG", &err));
    assert_null(keys_generate("E38000217", longname, "CCG", &err));
    assert_null(keys_generate("E38000217", "N", "HOSPITAL", &err));
    assert_null(keys_generate("E38000217", "N", "CCG ", &err));
    assert_null(keys_generate("E38000217", "N", "BROKER", &err));
    assert_null(keys_generate("broker", "N", "CCG", &err));
    assert_int_equal(err.code, CC_INVALID_ARGUMENT);
    longname[KEYS_NAME_MAX] = '\0';
    keys_t *k = keys_generate("broker", longname, "BROKER", &err);
    assert_non_null(k);
    keys_destroy(&k);
}

static void test_keys_from_seed_deterministic(void **state)
{
    uint8_t seed[32] = {0};
    keys_t *a;
    keys_t *b;
    keys_t *c;

    (void)state;
    a = keys_from_seed("E38000217", "A", "CCG", seed, NULL);
    b = keys_from_seed("E38000217", "A", "CCG", seed, NULL);
    seed[31] = 1;
    c = keys_from_seed("E38000217", "A", "CCG", seed, NULL);
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(c);
    assert_memory_equal(keys_public(a), keys_public(b), sizeof(keys_public_t));
    assert_memory_equal(keys_curve_sk(a), keys_curve_sk(b), KEYS_PK_LEN);
    assert_memory_not_equal(keys_public(a)->sign_pk, keys_public(c)->sign_pk, KEYS_PK_LEN);
    assert_memory_not_equal(keys_public(a)->curve_pk, keys_public(c)->curve_pk, KEYS_PK_LEN);
    assert_memory_not_equal(keys_public(a)->sign_pk, keys_public(a)->curve_pk, KEYS_PK_LEN);
    keys_destroy(&a);
    keys_destroy(&b);
    keys_destroy(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys_save_load_roundtrip),
        cmocka_unit_test(test_keys_load_refuses_open_modes),
        cmocka_unit_test(test_keys_load_refuses_tampered_public_half),
        cmocka_unit_test(test_keys_load_refuses_truncated),
        cmocka_unit_test(test_keys_load_refuses_garbage),
        cmocka_unit_test(test_keys_save_refuses_overwrite),
        cmocka_unit_test(test_keys_sign_domain_separation),
        cmocka_unit_test(test_keys_code_check),
        cmocka_unit_test(test_keys_generate_refuses_bad_identity),
        cmocka_unit_test(test_keys_from_seed_deterministic),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
