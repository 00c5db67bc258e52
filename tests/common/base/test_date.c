/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for date: calendar dates as users write them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "date.h"

static void test_date_valid_days(void **state)
{
    (void)state;
    assert_true(date_valid(2017, 4, 1));
    assert_true(date_valid(2016, 2, 29));  /* leap year */
    assert_false(date_valid(2017, 2, 29)); /* not one */
    assert_true(date_valid(2000, 2, 29));  /* divisible by 400 */
    assert_false(date_valid(1900, 2, 29)); /* by 100 only */
    assert_false(date_valid(2017, 4, 31));
    assert_true(date_valid(2017, 12, 31));
    assert_false(date_valid(2017, 13, 1));
    assert_false(date_valid(2017, 0, 1));
    assert_false(date_valid(2017, 1, 0));
    assert_false(date_valid(0, 1, 1));
    assert_false(date_valid(10000, 1, 1));
}

static void test_date_parse_exact_form(void **state)
{
    (void)state;
    int y = 0, m = 0, d = 0;
    assert_int_equal(date_parse("2022-07-01", &y, &m, &d), 0);
    assert_int_equal(y, 2022);
    assert_int_equal(m, 7);
    assert_int_equal(d, 1);
    static const char *const bad[] = {"2022-7-01",  "2022-07-1",   "2022/07/01", "22-07-01",
                                      "2022-07-01 ", " 2022-07-01", "2022-07-0x", "2017-02-29",
                                      "",           "2022-13-01",  "+022-07-01", "2022-07-32"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        y = -1;
        assert_int_equal(date_parse(bad[i], &y, &m, &d), -1);
        assert_int_equal(y, -1); /* nothing set */
    }
    assert_int_equal(date_parse(NULL, &y, &m, &d), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_date_valid_days),
        cmocka_unit_test(test_date_parse_exact_form),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
