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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_money_parse_forms),
        cmocka_unit_test(test_money_parse_refusals),
        cmocka_unit_test(test_money_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
