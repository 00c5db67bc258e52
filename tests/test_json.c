/* Unit tests for json's readers: json_find_str and json_find_bool read
 * back what the writer made (escapes included), find successive values,
 * and say when a key is absent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"

static void test_json_find_str_reads_the_writer(void **state)
{
    json_t j;
    char out[64];
    (void)state;
    json_init(&j);
    json_obj_begin(&j, NULL);
    json_str(&j, "title", "Say \"yes\" \\ no");
    json_arr_begin(&j, "members");
    json_obj_begin(&j, NULL);
    json_str(&j, "code", "E38000217");
    json_obj_end(&j);
    json_obj_begin(&j, NULL);
    json_str(&j, "code", "X24");
    json_obj_end(&j);
    json_arr_end(&j);
    json_bool(&j, "active", 1);
    json_bool(&j, "closed", 0);
    json_obj_end(&j);
    char *js = json_take(&j);
    assert_non_null(js);
    assert_non_null(json_find_str(js, "title", out, sizeof out));
    assert_string_equal(out, "Say \"yes\" \\ no");
    const char *at = json_find_str(js, "code", out, sizeof out);
    assert_string_equal(out, "E38000217");
    at = json_find_str(at, "code", out, sizeof out);
    assert_non_null(at);
    assert_string_equal(out, "X24");
    assert_null(json_find_str(at, "code", out, sizeof out));
    assert_int_equal(json_find_bool(js, "active"), 1);
    assert_int_equal(json_find_bool(js, "closed"), 0);
    assert_int_equal(json_find_bool(js, "absent"), -1);
    assert_int_equal(json_find_bool(js, "title"), -1); /* a string, not a boolean */
    /* Truncated to the buffer, still terminated. */
    char small[4];
    assert_non_null(json_find_str(js, "code", small, sizeof small));
    assert_string_equal(small, "E38");
    free(js);
}

static void test_json_find_str_edge_cases(void **state)
{
    char out[16];
    (void)state;
    assert_null(json_find_str(NULL, "id", out, sizeof out));
    assert_null(json_find_str("{\"id\":1}", "id", out, sizeof out));
    assert_null(json_find_str("{\"id\":\"unterminated", "id", out, sizeof out));
    assert_string_equal(out, "unterminated");
    assert_int_equal(json_find_bool(NULL, "x"), -1);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_find_str_reads_the_writer),
        cmocka_unit_test(test_json_find_str_edge_cases),
        cmocka_unit_test(test_json_hex),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
