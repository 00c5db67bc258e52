/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for inifile, the INI reader on libinih: every header and
 * entry reaches the handler with its section, argument and line number;
 * comments and indentation are not content; over-long lines, control
 * characters, lines without '=' and empty values are refused naming file
 * and line; the handler's refusal is reported the same way. Real files in
 * a temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "inifile.h"

static char s_path[64];

static const char *s_write(const char *text)
{
    snprintf(s_path, sizeof s_path, "/tmp/test_inifile_XXXXXX");
    int fd = mkstemp(s_path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return s_path;
}

/* Records every call as "line:section|arg|key=value" (or "line:[section|arg]"). */
typedef struct {
    char log[2048];
    int refuse_line; /* refuse the call at this line; 0: never */
} s_seen_t;

static int s_record(void *user, const char *section, const char *arg, const char *key,
                    const char *value, int line, cc_err_t *err)
{
    s_seen_t *s = user;
    size_t n = strlen(s->log);
    if (key) {
        snprintf(s->log + n, sizeof s->log - n, "%d:%s|%s|%s=%s\n", line, section, arg, key, value);
    } else {
        snprintf(s->log + n, sizeof s->log - n, "%d:[%s|%s]\n", line, section, arg);
    }
    if (line == s->refuse_line) {
        err_set(err, CC_INVALID_ARGUMENT, "no thank you");
        return -1;
    }
    return 0;
}

static void s_refused(const char *text, int line, const char *why)
{
    s_seen_t seen = {{0}, 0};
    cc_err_t err;
    char want[128];
    assert_int_equal(inifile_read(s_write(text), s_record, &seen, &err), -1);
    unlink(s_path);
    assert_int_equal(err.code, CC_INVALID_ARGUMENT);
    snprintf(want, sizeof want, "%s:%d: ", s_path, line);
    if (strncmp(err.msg, want, strlen(want)) != 0 || !strstr(err.msg, why)) {
        fail_msg("expected '%s...%s', got '%s'", want, why, err.msg);
    }
}

static void test_inifile_reads_headers_and_entries(void **state)
{
    s_seen_t seen = {{0}, 0};
    cc_err_t err;
    (void)state;
    const char *text = "top = level\n"
                       "; a comment\n"
                       "# another\n"
                       "[scenario]\n"
                       "  name = two words   ; trailing comment\n"
                       "\tindented = not a continuation # nor this\n"
                       "url = tcp://host:7400;x\n"
                       "\n"
                       "[empty]\n"
                       "[org  E38000217 ]\n"
                       "name=NHS Leeds\n"
                       "name = again\n";
    assert_int_equal(inifile_read(s_write(text), s_record, &seen, &err), 0);
    unlink(s_path);
    assert_string_equal(seen.log, "1:||top=level\n"
                                  "4:[scenario|]\n"
                                  "5:scenario||name=two words\n"
                                  "6:scenario||indented=not a continuation\n"
                                  "7:scenario||url=tcp://host:7400;x\n"
                                  "9:[empty|]\n"
                                  "10:[org|E38000217]\n"
                                  "11:org|E38000217|name=NHS Leeds\n"
                                  "12:org|E38000217|name=again\n");
}

static void test_inifile_refusals_name_file_and_line(void **state)
{
    (void)state;
    s_refused("[a]\nx = 1\njust words\n", 3, "syntax error: expected [section] or key = value");
    s_refused("[a]\nx:y = 1\n", 2, "expected [section] or key = value");
    s_refused("[a]\n= 1\n", 2, "entry without a key");
    s_refused("[a]\nx =\n", 2, "empty value for 'x'");
    s_refused("[a]\nx = a\x01"
              "b\n",
              2, "control character");
    s_refused("[a\n", 1, "closing ']'");
    s_refused("[]\n", 1, "bad section header");
    /* Longer than a line is read, and a key longer than libinih holds. */
    char text[3000];
    memset(text, 'k', sizeof text);
    memcpy(text, "[a]\n", 4);
    memcpy(text + 4 + 300, " = v\n", 6); /* with its NUL */
    s_refused(text, 2, "key longer than");
    memset(text, 'x', sizeof text);
    memcpy(text, "[a]\n;", 5);
    text[sizeof text - 2] = '\n';
    text[sizeof text - 1] = '\0';
    s_refused(text, 2, "line longer than");
    /* A long comment is not content. */
    s_seen_t seen = {{0}, 0};
    cc_err_t err;
    snprintf(text, sizeof text, "[a]\nx = 1 ; %0600d\n", 7);
    assert_int_equal(inifile_read(s_write(text), s_record, &seen, &err), 0);
    unlink(s_path);
    assert_string_equal(seen.log, "1:[a|]\n2:a||x=1\n");
    /* A value longer than libinih's line buffer (200 bytes) reaches the
     * handler whole, as does the rest of the file. */
    memset(&seen, 0, sizeof seen);
    snprintf(text, sizeof text, "[a]\nx = %01000d\ny = 2\n", 7);
    assert_int_equal(inifile_read(s_write(text), s_record, &seen, &err), 0);
    unlink(s_path);
    char want[1100];
    snprintf(want, sizeof want, "1:[a|]\n2:a||x=%01000d\n3:a||y=2\n", 7);
    assert_string_equal(seen.log, want);
}

static void test_inifile_handler_refusal_stops_reading(void **state)
{
    s_seen_t seen = {{0}, 2};
    cc_err_t err;
    char want[128];
    (void)state;
    assert_int_equal(inifile_read(s_write("[a]\nx = 1\ny = 2\n[b]\n"), s_record, &seen, &err), -1);
    unlink(s_path);
    snprintf(want, sizeof want, "%s:2: no thank you", s_path);
    assert_string_equal(err.msg, want);
    assert_string_equal(seen.log, "1:[a|]\n2:a||x=1\n");
    /* A refused header too. */
    memset(&seen, 0, sizeof seen);
    seen.refuse_line = 1;
    assert_int_equal(inifile_read(s_write("[a]\nx = 1\n"), s_record, &seen, &err), -1);
    unlink(s_path);
    assert_string_equal(seen.log, "1:[a|]\n");
    assert_non_null(strstr(err.msg, ":1: no thank you"));
}

static void test_inifile_missing_file(void **state)
{
    cc_err_t err;
    (void)state;
    assert_int_equal(inifile_read("/nonexistent/x.ini", s_record, NULL, &err), -1);
    assert_int_equal(err.code, CC_NOT_FOUND);
    assert_non_null(strstr(err.msg, "/nonexistent/x.ini"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inifile_reads_headers_and_entries),
        cmocka_unit_test(test_inifile_refusals_name_file_and_line),
        cmocka_unit_test(test_inifile_handler_refusal_stops_reading),
        cmocka_unit_test(test_inifile_missing_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
