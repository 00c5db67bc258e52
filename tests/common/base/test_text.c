/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for text: a growing text holds everything appended, however
 * long; a fixed one truncates, stays NUL-terminated and counts what the
 * whole text needed, like snprintf. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "text.h"

static void test_text_grows(void **state)
{
    text_t t;
    (void)state;
    text_init(&t);
    char *empty = text_take(&t);
    assert_non_null(empty);
    assert_string_equal(empty, "");
    free(empty);
    text_put(&t, "%s=%d", "a", 1);
    text_add(&t, ", ", 2);
    assert_int_equal(t.len, 5);
    /* Past the first allocation, in one write and in many. */
    char big[5000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    text_put(&t, "%s|", big);
    for (int i = 0; i < 1000; i++) {
        text_put(&t, "%03d", i);
    }
    assert_int_equal(t.len, 5 + 4999 + 1 + 3000);
    assert_int_equal(t.need, t.len);
    assert_int_equal(t.failed, 0);
    char *s = text_take(&t);
    assert_non_null(s);
    assert_int_equal(strlen(s), 5 + 4999 + 1 + 3000);
    assert_memory_equal(s, "a=1, xxx", 8);
    assert_string_equal(s + strlen(s) - 6, "998999");
    free(s);
    /* Taken: the text is empty again and reusable. */
    assert_null(t.buf);
    text_put(&t, "again");
    assert_string_equal(t.buf, "again");
    text_free(&t);
    text_free(&t);
    assert_null(t.buf);
}

static void test_text_fixed_truncates(void **state)
{
    text_t t;
    char buf[8];
    (void)state;
    memset(buf, '#', sizeof buf);
    text_init_fixed(&t, buf, sizeof buf);
    assert_string_equal(buf, "");
    text_put(&t, "%s", "abc");
    assert_string_equal(buf, "abc");
    text_put(&t, "%d", 123456);
    assert_string_equal(buf, "abc1234");
    assert_int_equal(t.len, 7);
    assert_int_equal(t.need, 9);
    text_add(&t, "zz", 2);
    text_put(&t, "more");
    assert_string_equal(buf, "abc1234");
    assert_int_equal(t.need, 15);
    /* A fixed text is never taken or freed: the buffer is the caller's. */
    assert_null(text_take(&t));
    text_free(&t);
    assert_string_equal(buf, "abc1234");
    /* No room at all: nothing written, need still counted. */
    text_init_fixed(&t, NULL, 0);
    text_put(&t, "%s", "hello");
    assert_int_equal(t.need, 5);
    assert_int_equal(t.len, 0);
    /* Exactly full. */
    char four[4];
    text_init_fixed(&t, four, sizeof four);
    text_add(&t, "abc", 3);
    assert_string_equal(four, "abc");
    assert_int_equal(t.need, 3);
}

/* RFC 3629 exactly: overlong forms, surrogates, values above U+10FFFF,
 * stray continuation bytes and truncated sequences are not UTF-8. */
static void test_text_utf8(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        size_t len;
    } cases[] = {
        {"A", 1},           {"\xc2\x80", 2},         {"\xdf\xbf", 2},
        {"\xe0\xa0\x80", 3},   {"\xed\x9f\xbf", 3},     {"\xee\x80\x80", 3},
        {"\xf0\x90\x80\x80", 4}, {"\xf4\x8f\xbf\xbf", 4}, {"\xc0\x80", 0},
        {"\xc1\xbf", 0},      {"\xe0\x9f\xbf", 0},     {"\xed\xa0\x80", 0},
        {"\xed\xbf\xbf", 0},   {"\xf0\x8f\xbf\xbf", 0}, {"\xf4\x90\x80\x80", 0},
        {"\xf5\x80\x80\x80", 0}, {"\xff", 0},           {"\x80", 0},
        {"\xe2\x82", 0},      {"\xe2\x28\xa1", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(text_utf8_len((const unsigned char *)cases[i].s, strlen(cases[i].s)),
                         cases[i].len);
    }
    size_t at = 99;
    int nul = 0;
    assert_int_equal(text_utf8_check((const unsigned char *)"ab\0c", 4, &at, &nul), -1);
    assert_int_equal(at, 2);
    assert_int_equal(nul, 1);
    assert_int_equal(text_utf8_check((const unsigned char *)"caf\xc3\xa9\xc3", 6, &at, &nul), -1);
    assert_int_equal(at, 5);
    assert_int_equal(nul, 0);
    assert_int_equal(text_utf8_check((const unsigned char *)"caf\xc3\xa9", 5, &at, &nul), 0);

    text_t t;
    text_init(&t);
    text_add_safe(&t, "a\x1b[2K\tb\nc\xc2\x9b\xc2\xa0\xff", "\n");
    char *got = text_take(&t);
    assert_string_equal(got, "a\\x1b[2K\\x09b\nc\\x9b\xc2\xa0\xef\xbf\xbd");
    free(got);
    text_init(&t);
    text_add_utf8(&t, "a\x1b\xe2\x82");
    got = text_take(&t);
    assert_string_equal(got, "a\x1b\xef\xbf\xbd\xef\xbf\xbd");
    free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_grows),
        cmocka_unit_test(test_text_fixed_truncates),
        cmocka_unit_test(test_text_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
