/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for workdays: England and Wales bank holidays, computed,
 * checked against the years' published lists (gov.uk/bank-holidays), and
 * working-day arithmetic across Easter, Christmas and substitute days. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "workdays.h"

/* Every bank holiday of a year, as published: exactly these days. */
static void s_year_is(int y, const int (*days)[2], size_t n)
{
    static const int len[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    size_t found = 0;
    for (int m = 1; m <= 12; m++) {
        for (int d = 1; d <= len[m - 1]; d++) {
            int want = 0;
            for (size_t i = 0; i < n; i++) {
                want |= days[i][0] == m && days[i][1] == d;
            }
            int got = workdays_bank_holiday(y, m, d);
            if (got < 0) {
                continue; /* 29 February of a common year */
            }
            if (got != want) {
                fail_msg("%04d-%02d-%02d: bank holiday %d, published %d", y, m, d, got, want);
            }
            found += (size_t)got;
        }
    }
    assert_int_equal(found, n);
}

static void test_workdays_published_years(void **state)
{
    (void)state;
    /* Christmas on a Sunday: Boxing Day Monday, Christmas substitute Tuesday. */
    static const int y2016[][2] = {{1, 1}, {3, 25}, {3, 28}, {5, 2}, {5, 30}, {8, 29}, {12, 26},
                                   {12, 27}};
    s_year_is(2016, y2016, 8);
    /* VE Day: the May holiday moved to Friday 8 May. */
    static const int y2020[][2] = {{1, 1}, {4, 10}, {4, 13}, {5, 8}, {5, 25}, {8, 31}, {12, 25},
                                   {12, 28}};
    s_year_is(2020, y2020, 8);
    /* Christmas on a Saturday: Monday 27 and Tuesday 28. */
    static const int y2021[][2] = {{1, 1}, {4, 2}, {4, 5}, {5, 3}, {5, 31}, {8, 30}, {12, 27},
                                   {12, 28}};
    s_year_is(2021, y2021, 8);
    /* New Year's Day on a Saturday; the platinum jubilee; the state funeral. */
    static const int y2022[][2] = {{1, 3},  {4, 15}, {4, 18}, {5, 2},   {6, 2},
                                   {6, 3},  {8, 29}, {9, 19}, {12, 26}, {12, 27}};
    s_year_is(2022, y2022, 10);
    /* The coronation. */
    static const int y2023[][2] = {{1, 2}, {4, 7},  {4, 10},  {5, 1},  {5, 8},
                                   {5, 29}, {8, 28}, {12, 25}, {12, 26}};
    s_year_is(2023, y2023, 9);
    /* The diamond jubilee, with the spring holiday moved to 4 June. */
    static const int y2012[][2] = {{1, 2},  {4, 6},  {4, 9},   {5, 7},  {6, 4},
                                   {6, 5}, {8, 27}, {12, 25}, {12, 26}};
    s_year_is(2012, y2012, 9);
}

static void test_workdays_arithmetic(void **state)
{
    (void)state;
    char out[11];
    /* From Thursday 24 March 2016, over Good Friday and Easter Monday. */
    assert_int_equal(workdays_after("2016-03-24", 5, out), 0);
    assert_string_equal(out, "2016-04-04");
    /* From Friday 23 December 2022, over Christmas's substitute days. */
    assert_int_equal(workdays_after("2022-12-23", 3, out), 0);
    assert_string_equal(out, "2022-12-30");
    /* A weekend only. */
    assert_int_equal(workdays_after("2017-06-09", 1, out), 0);
    assert_string_equal(out, "2017-06-12");
    assert_int_equal(workdays_after("2017-06-09", 0, out), 0);
    assert_string_equal(out, "2017-06-09");
    assert_int_equal(workdays_working_day(2016, 3, 25), 0);
    assert_int_equal(workdays_working_day(2016, 3, 29), 1);
    assert_int_equal(workdays_working_day(2016, 3, 26), 0); /* a Saturday */
    /* Not real dates, outside the years. */
    assert_int_equal(workdays_after("2016-02-30", 1, out), -1);
    assert_int_equal(workdays_after("1977-12-30", 1, out), -1);
    assert_int_equal(workdays_after("2099-12-31", 1, out), -1);
    assert_int_equal(workdays_after("2016-3-24", 1, out), -1);
    assert_int_equal(workdays_after("2016-03-24x", 1, out), -1);
    assert_int_equal(workdays_bank_holiday(2017, 2, 29), -1);
    /* The end of the fifth working day after 24 March 2016 10:00 UTC:
     * 2016-04-04T23:59:59.999Z. */
    uint64_t end = 0;
    assert_int_equal(workdays_end_ms(1458813600000ull, 5, &end), 0);
    assert_int_equal(end, 1459814399999ull);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_workdays_published_years),
        cmocka_unit_test(test_workdays_arithmetic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
