/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for money: parsing pounds into pence and formatting pence. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "money.h"

static int64_t s_parse_ok(const char *text)
{
    int64_t p = -1;
    cc_err_t err;
    if (money_parse(text, &p, &err) != 0) {
        fail_msg("'%s' refused: %s", text, err.msg);
    }
    return p;
}

static void s_parse_bad(const char *text, cc_code_t code)
{
    int64_t p = 0;
    cc_err_t err;
    assert_int_equal(money_parse(text, &p, &err), -1);
    assert_int_equal(err.code, code);
    assert_non_null(strstr(err.msg, "amount"));
}

static void test_money_parse_forms(void **state)
{
    (void)state;
    assert_int_equal(s_parse_ok("0"), 0);
    assert_int_equal(s_parse_ok("0.07"), 7);
    assert_int_equal(s_parse_ok("1250.5"), 125050);
    assert_int_equal(s_parse_ok("6,200,000,000"), 620000000000);
    assert_int_equal(s_parse_ok("\xc2\xa3" "131m"), 13100000000);
    assert_int_equal(s_parse_ok("6.2bn"), 620000000000);
    assert_int_equal(s_parse_ok("5.128bn"), 512800000000);
    assert_int_equal(s_parse_ok("1.5k"), 150000);
    assert_int_equal(s_parse_ok("0.00001bn"), 1000000);
    /* The largest amount that fits, and one penny more. */
    assert_int_equal(s_parse_ok("92233720368547758.07"), INT64_MAX);
    s_parse_bad("92233720368547758.08", CC_OUT_OF_RANGE);
    s_parse_bad("99999999999999999999999", CC_OUT_OF_RANGE);
    s_parse_bad("100000000000bn", CC_OUT_OF_RANGE);
}

static void test_money_parse_refusals(void **state)
{
    (void)state;
    s_parse_bad("", CC_INVALID_ARGUMENT);
    s_parse_bad("-5", CC_INVALID_ARGUMENT);
    /* A negative amount says so, and the output is left alone. */
    int64_t p = 42;
    cc_err_t err;
    assert_int_equal(money_parse("-131m", &p, &err), -1);
    assert_string_equal(err.msg, "amount '-131m' is negative: amounts are positive pounds (an"
                                 " underspend is an outturn below the contributions)");
    assert_int_equal(money_parse("\xc2\xa3" "\xe2\x88\x92" "5", &p, &err), -1);
    assert_non_null(strstr(err.msg, "is negative"));
    assert_int_equal(money_parse("99999999999999999999", &p, &err), -1);
    assert_string_equal(err.msg, "amount '99999999999999999999' is too large (at most"
                                 " \xc2\xa3" "92,233,720,368,547,758.07)");
    assert_int_equal(p, 42);
    s_parse_bad("1.234", CC_INVALID_ARGUMENT);  /* a fraction of a penny */
    s_parse_bad("0.0000000001bn", CC_INVALID_ARGUMENT);
    s_parse_bad("12.3.4", CC_INVALID_ARGUMENT);
    s_parse_bad("1e6", CC_INVALID_ARGUMENT);
    s_parse_bad("ten", CC_INVALID_ARGUMENT);
    s_parse_bad("5 m", CC_INVALID_ARGUMENT);
    s_parse_bad(",5", CC_INVALID_ARGUMENT);
    s_parse_bad("5mm", CC_INVALID_ARGUMENT);
}

static void test_money_format(void **state)
{
    (void)state;
    char buf[MONEY_TEXT_MAX];
    assert_string_equal(money_format(0, buf, sizeof buf), "\xc2\xa3" "0.00");
    assert_string_equal(money_format(7, buf, sizeof buf), "\xc2\xa3" "0.07");
    assert_string_equal(money_format(620000000000, buf, sizeof buf),
                        "\xc2\xa3" "6,200,000,000.00");
    assert_string_equal(money_format(-150, buf, sizeof buf), "-\xc2\xa3" "1.50");
    assert_string_equal(money_format(INT64_MIN, buf, sizeof buf),
                        "-\xc2\xa3" "92,233,720,368,547,758.08");
    /* Round trip. */
    int64_t p = 0;
    assert_int_equal(money_parse(money_format(123456789, buf, sizeof buf), &p, NULL), 0);
    assert_int_equal(p, 123456789);
}

static void test_money_text(void **state)
{
    (void)state;
    assert_string_equal(money_text(125050).s, "\xc2\xa3" "1,250.50");
    assert_string_equal(money_text(INT64_MAX).s, "\xc2\xa3" "92,233,720,368,547,758.07");
}

static void test_money_years(void **state)
{
    (void)state;
    char buf[16];
    uint32_t y = 0;
    assert_string_equal(money_year_name(2017, buf, sizeof buf), "2017/18");
    assert_string_equal(money_year_name(2099, buf, sizeof buf), "2099/00");
    assert_int_equal(money_year_parse("2017/18", &y), 0);
    assert_int_equal(y, 2017);
    assert_int_equal(money_year_parse("2099/00", &y), 0);
    assert_int_equal(y, 2099);
    assert_int_equal(money_year_parse("2000", &y), 0);
    assert_int_equal(y, 2000);
    /* Round trip over every year allowed. */
    for (uint32_t i = MONEY_YEAR_MIN; i <= MONEY_YEAR_MAX; i++) {
        assert_int_equal(money_year_parse(money_year_name(i, buf, sizeof buf), &y), 0);
        assert_int_equal(y, i);
    }
    y = 42;
    const char *bad[] = {"", "1999", "2100", "2017/19", "2017/1", "2017-18", "2017/18 ",
                         " 2017", "20x7", "2017/018", "17/18", NULL};
    for (int i = 0; bad[i]; i++) {
        assert_int_equal(money_year_parse(bad[i], &y), -1);
    }
    assert_int_equal(y, 42);
}

static void test_money_split(void **state)
{
    (void)state;
    const char *codes[] = {"B", "A", "C"};
    int64_t w[] = {1, 1, 1};
    money_part_t parts[3];
    cc_err_t err;
    /* 100 in thirds: the penny left over goes to the smallest code. */
    assert_int_equal(money_split(100, w, codes, 3, parts, &err), 0);
    assert_int_equal(parts[0].share, 33);
    assert_int_equal(parts[1].share, 34);
    assert_int_equal(parts[1].penny, 1);
    assert_int_equal(parts[2].share, 33);
    /* Negative totals keep their sign; the parts sum to the total. */
    int64_t w2[] = {2, 1, 0};
    assert_int_equal(money_split(-7, w2, codes, 3, parts, &err), 0);
    assert_int_equal(parts[0].share + parts[1].share + parts[2].share, -7);
    assert_int_equal(parts[2].share, 0);
    assert_int_equal(parts[0].quota, 4);
    /* Refusals. */
    int64_t zero[] = {0, 0, 0};
    assert_int_equal(money_split(5, zero, codes, 3, parts, &err), -1);
    assert_int_equal(err.code, CC_INVALID_ARGUMENT);
    assert_int_equal(money_split(5, w, codes, 0, parts, &err), -1);
    assert_int_equal(money_split(INT64_MIN, w, codes, 3, parts, &err), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_money_parse_forms),
        cmocka_unit_test(test_money_parse_refusals),
        cmocka_unit_test(test_money_format),
        cmocka_unit_test(test_money_text),
        cmocka_unit_test(test_money_years),
        cmocka_unit_test(test_money_split),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
