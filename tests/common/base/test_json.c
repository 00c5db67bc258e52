/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for json, the small writer of the JSON that offline commands
 * print: nesting and commas, escapes, null for a missing string, numbers,
 * hex, and what json_take hands over. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"

static void test_json_writes_nested_objects_and_arrays(void **state)
{
    json_t j;
    const uint8_t bytes[2] = {0x0f, 0xa0};
    (void)state;
    json_init(&j);
    json_obj_begin(&j, NULL);
    json_str(&j, "title", "Say \"yes\" \\ no\n");
    json_str(&j, "area", NULL);
    json_arr_begin(&j, "members");
    json_obj_begin(&j, NULL);
    json_str(&j, "code", "E38000217");
    json_obj_end(&j);
    json_u64(&j, NULL, 7);
    json_arr_end(&j);
    json_bool(&j, "active", 1);
    json_i64(&j, "delta", -5);
    json_double(&j, "rtt_ms", 1.5, 3);
    json_hex(&j, "hash", bytes, sizeof bytes);
    json_obj_end(&j);
    char *js = json_take(&j);
    assert_non_null(js);
    assert_string_equal(js, "{\"title\":\"Say \\\"yes\\\" \\\\ no\\n\",\"area\":null,"
                            "\"members\":[{\"code\":\"E38000217\"},7],\"active\":true,"
                            "\"delta\":-5,\"rtt_ms\":1.500,\"hash\":\"0fa0\"}");
    free(js);
}

static void test_json_take_resets_the_writer(void **state)
{
    json_t j;
    (void)state;
    json_init(&j);
    char *empty = json_take(&j);
    assert_non_null(empty);
    assert_string_equal(empty, "");
    free(empty);
    json_arr_begin(&j, NULL);
    json_arr_end(&j);
    char *js = json_take(&j);
    assert_string_equal(js, "[]");
    free(js);
    json_obj_begin(&j, NULL);
    json_free(&j); /* abandoned midway: nothing leaks */
}

/* json_hex writes lower-case hex, in pieces for long data. */
static void test_json_hex(void **state)
{
    json_t j;
    uint8_t data[40];
    char want[2 * sizeof data + 16];
    (void)state;
    for (size_t i = 0; i < sizeof data; i++) {
        data[i] = (uint8_t)(i * 37 + 11);
    }
    json_init(&j);
    json_obj_begin(&j, NULL);
    json_hex(&j, "h", data, sizeof data);
    json_hex(&j, "e", data, 0);
    json_obj_end(&j);
    char *js = json_take(&j);
    assert_non_null(js);
    size_t n = (size_t)snprintf(want, sizeof want, "{\"h\":\"");
    for (size_t i = 0; i < sizeof data; i++) {
        n += (size_t)snprintf(want + n, sizeof want - n, "%02x", data[i]);
    }
    snprintf(want + n, sizeof want - n, "\",\"e\":\"\"}");
    assert_string_equal(js, want);
    free(js);
}

/* Whatever the input, the output is JSON: controls escaped, bytes that
 * are not UTF-8 written as U+FFFD, valid UTF-8 as it is. */
static void test_json_escapes_any_input(void **state)
{
    (void)state;
    json_t j;
    json_init(&j);
    json_str(&j, NULL, "a\x01\"\\\xff\xc3\xa9\xed\xa0\x80\xe2\x82");
    char *got = json_take(&j);
    assert_string_equal(got, "\"a\\u0001\\\"\\\\\xef\xbf\xbd\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
                             "\xef\xbf\xbd\xef\xbf\xbd\"");
    free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_writes_nested_objects_and_arrays),
        cmocka_unit_test(test_json_take_resets_the_writer),
        cmocka_unit_test(test_json_hex),
        cmocka_unit_test(test_json_escapes_any_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
