/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for grow: grow_reserve and grow_reserve_at make room for one
 * more element, doubling, and leave the array intact when they refuse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "grow.h"

static void test_grow_reserve_at_keeps_elements(void **state)
{
    (void)state;
    uint32_t *arr = NULL;
    size_t cap = 0;
    for (size_t n = 0; n < 1000; n++) {
        assert_int_equal(grow_reserve_at(&arr, &cap, n, sizeof *arr), 0);
        assert_true(cap > n);
        arr[n] = (uint32_t)(n * 7);
    }
    assert_int_equal(cap, 1024);
    for (size_t n = 0; n < 1000; n++) {
        assert_int_equal(arr[n], n * 7);
    }
    /* Room already: nothing moves. */
    uint32_t *was = arr;
    assert_int_equal(grow_reserve_at(&arr, &cap, 1000, sizeof *arr), 0);
    assert_ptr_equal(arr, was);
    free(arr);
}

static void test_grow_refuses_overflow(void **state)
{
    (void)state;
    char *arr = malloc(8);
    assert_non_null(arr);
    size_t cap = SIZE_MAX / 4 + 1;
    char *before = arr;
    /* Twice the capacity times the size overflows: refused, array intact. */
    assert_int_equal(grow_reserve_at(&arr, &cap, cap, 4), -1);
    assert_ptr_equal(arr, before);
    assert_int_equal(cap, SIZE_MAX / 4 + 1);
    assert_null(grow_reserve(arr, &cap, cap, 4));
    free(arr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grow_reserve_at_keeps_elements),
        cmocka_unit_test(test_grow_refuses_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
