/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for csv: the RFC 4180 forms the ONS files use and every
 * malformed input, each refused with its file:line:column. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "csv.h"

#define FIXTURES CONCORD_SOURCE_DIR "/tests/data/csv"

/* Every row read, flattened as "f1|f2|f3\n" per row, with each field's
 * line:col after the header. */
typedef struct {
    char text[4096];
    char pos[1024];
    size_t rows;
    size_t stop_after; /* fail the callback at this row index (0: never) */
} s_seen_t;

static int s_collect(const csv_row_t *row, void *ctx, cc_err_t *err)
{
    s_seen_t *s = ctx;
    if (s->stop_after && row->index == s->stop_after) {
        err_set(err, CC_ABORTED, "callback stops at row %zu", row->index);
        return -1;
    }
    size_t used = strlen(s->text);
    for (size_t i = 0; i < row->n; i++) {
        used += (size_t)snprintf(s->text + used, sizeof s->text - used, "%s%s", i ? "|" : "",
                                 row->field[i]);
        size_t pu = strlen(s->pos);
        snprintf(s->pos + pu, sizeof s->pos - pu, "%s%zu:%zu", i ? "," : "", row->pos[i].line,
                 row->pos[i].col);
    }
    snprintf(s->text + used, sizeof s->text - used, "\n");
    size_t pu = strlen(s->pos);
    snprintf(s->pos + pu, sizeof s->pos - pu, " ");
    s->rows++;
    return 0;
}

static int s_count(const csv_row_t *row, void *ctx, cc_err_t *err)
{
    (void)row;
    (void)err;
    ((s_seen_t *)ctx)->rows++;
    return 0;
}

static void s_read_ok(const char *text, size_t len, s_seen_t *s)
{
    cc_err_t err;
    memset(s, 0, sizeof *s);
    if (csv_read_mem("t.csv", text, len, NULL, s_collect, s, &err) != 0) {
        fail_msg("refused: %s", err.msg);
    }
}

/* Reads text and expects the exact error message and code. */
static void s_read_bad(const char *text, size_t len, const csv_limits_t *lim, cc_code_t code,
                       const char *msg)
{
    s_seen_t s;
    cc_err_t err;
    memset(&s, 0, sizeof s);
    assert_int_equal(csv_read_mem("t.csv", text, len, lim, s_collect, &s, &err), -1);
    assert_string_equal(err.msg, msg);
    assert_int_equal(err.code, code);
}

static void test_csv_quoted_commas_and_doubled_quotes(void **state)
{
    (void)state;
    s_seen_t s;
    const char *t = "Code,Name,Note\n"
                    "E06000023,\"Bristol, City of\",\"He said \"\"hi\"\"\"\n"
                    "\"E01\",\"\",\"\"\"\"\n";
    s_read_ok(t, strlen(t), &s);
    assert_string_equal(s.text, "Code|Name|Note\n"
                                "E06000023|Bristol, City of|He said \"hi\"\n"
                                "E01||\"\n");
    assert_int_equal(s.rows, 3);
    /* Fields start where their quote or first character is. */
    assert_string_equal(s.pos, "1:1,1:6,1:11 2:1,2:11,2:30 3:1,3:7,3:10 ");
}

static void test_csv_bom_crlf_and_no_final_newline(void **state)
{
    (void)state;
    s_seen_t s;
    const char *t = "\xEF\xBB\xBF"
                    "a,b\r\n1,2\r\n3,4";
    s_read_ok(t, strlen(t), &s);
    assert_string_equal(s.text, "a|b\n1|2\n3|4\n");
    /* The mark takes no column. */
    assert_string_equal(s.pos, "1:1,1:3 2:1,2:3 3:1,3:3 ");
    /* LF only, with and without the last line end, and a lone CRLF end. */
    s_read_ok("a,b\n1,2\n", 8, &s);
    assert_string_equal(s.text, "a|b\n1|2\n");
    s_read_ok("a,b\n1,2", 7, &s);
    assert_string_equal(s.text, "a|b\n1|2\n");
    s_read_ok("a,b\r\n1,", 7, &s);
    assert_string_equal(s.text, "a|b\n1|\n");
    /* Two bytes of a mark followed by text are text. */
    s_read_ok("\xEF\xBB\x80x\n", 5, &s);
    assert_string_equal(s.text, "\xEF\xBB\x80x\n");
}

static void test_csv_line_breaks_blank_lines_and_empty_fields(void **state)
{
    (void)state;
    s_seen_t s;
    const char *t = "k,v\n\n1,\"two\r\nlines\"\n\r\n,\n3,x\n\n";
    s_read_ok(t, strlen(t), &s);
    assert_string_equal(s.text, "k|v\n1|two\r\nlines\n|\n3|x\n");
    /* The row after a quoted line break is numbered by physical line. */
    assert_string_equal(s.pos, "1:1,1:3 3:1,3:3 6:1,6:2 7:1,7:3 ");
    /* A one-column file. */
    s_read_ok("only\nx\n", 7, &s);
    assert_string_equal(s.text, "only\nx\n");
}

static void test_csv_unterminated_quote(void **state)
{
    (void)state;
    s_read_bad("a,b\n1,\"oops\n2,3\n", 16, NULL, CC_INVALID_ARGUMENT,
               "t.csv:2:3: unterminated quote: the field opened here is never closed");
    s_read_bad("\"", 1, NULL, CC_INVALID_ARGUMENT,
               "t.csv:1:1: unterminated quote: the field opened here is never closed");
}

static void test_csv_ragged_rows(void **state)
{
    (void)state;
    s_read_bad("a,b,c\n1,2\n", 10, NULL, CC_INVALID_ARGUMENT,
               "t.csv:2:4: row has 2 fields but the header has 3");
    s_read_bad("a,b\n1,2,3\n", 10, NULL, CC_INVALID_ARGUMENT,
               "t.csv:2:5: row has more fields than the header's 2");
    s_read_bad("a,b\n1,2\n3", 9, NULL, CC_INVALID_ARGUMENT,
               "t.csv:3:2: row has 1 field but the header has 2");
    s_read_bad("a,b\n1,2,\n", 9, NULL, CC_INVALID_ARGUMENT,
               "t.csv:2:5: row has more fields than the header's 2");
}

static void test_csv_unknown_encoding(void **state)
{
    (void)state;
    /* Latin-1 pound sign, as a spreadsheet's "CSV (Windows)" would save it. */
    s_read_bad("a\n\xA3"
               "5\n",
               5, NULL, CC_INVALID_ARGUMENT,
               "t.csv:2:1: unknown encoding: byte 0xA3 is not valid UTF-8");
    s_read_bad("a,b\n1,\xC3(\n", 10, NULL, CC_INVALID_ARGUMENT,
               "t.csv:2:3: unknown encoding: byte 0x28 is not valid UTF-8");
    s_read_bad("a,b\n1,2\0\n", 9, NULL, CC_INVALID_ARGUMENT,
               "t.csv:2:4: unknown encoding: NUL byte");
    /* Overlong "/", a UTF-16 surrogate, and a code point above U+10FFFF. */
    s_read_bad("a\n\xC0\xAF\n", 5, NULL, CC_INVALID_ARGUMENT,
               "t.csv:2:1: unknown encoding: byte 0xC0 is not valid UTF-8");
    s_read_bad("a\n\xED\xA0\x80\n", 6, NULL, CC_INVALID_ARGUMENT,
               "t.csv:2:1: unknown encoding: byte 0xA0 is not valid UTF-8");
    s_read_bad("a\n\xF4\x90\x80\x80\n", 7, NULL, CC_INVALID_ARGUMENT,
               "t.csv:2:1: unknown encoding: byte 0x90 is not valid UTF-8");
    s_read_bad("a\n\xE2\x82", 4, NULL, CC_INVALID_ARGUMENT,
               "t.csv:2:1: unknown encoding: the file ends inside a UTF-8 character");
    s_read_bad("\xFF\xFE"
               "a\0",
               4, NULL, CC_INVALID_ARGUMENT,
               "t.csv:1:1: unknown encoding: the file looks like UTF-16; save it as UTF-8");
    /* Columns count characters, not bytes. */
    s_read_bad("a,b\n\xC3\xB4\xC3\xB4,\"x\"y\n", 14, NULL, CC_INVALID_ARGUMENT,
               "t.csv:2:7: unexpected text after a closing quote");
}

static void test_csv_misplaced_quotes_and_carriage_returns(void **state)
{
    (void)state;
    s_read_bad("a\nab\"c\n", 7, NULL, CC_INVALID_ARGUMENT,
               "t.csv:2:3: quote inside an unquoted field (quote the whole field and double it)");
    s_read_bad("a\n\"x\"y\n", 7, NULL, CC_INVALID_ARGUMENT,
               "t.csv:2:4: unexpected text after a closing quote");
    s_read_bad("a\rb\n", 4, NULL, CC_INVALID_ARGUMENT,
               "t.csv:1:2: carriage return not followed by a line feed");
    s_read_bad("a\nb\r", 4, NULL, CC_INVALID_ARGUMENT,
               "t.csv:2:2: carriage return not followed by a line feed");
}

static void test_csv_limits(void **state)
{
    (void)state;
    csv_limits_t lim;
    csv_limits_default(&lim);
    lim.max_field = 4;
    s_read_bad("ab,abcde\n", 9, &lim, CC_RESOURCE_EXHAUSTED,
               "t.csv:1:4: field longer than 4 bytes");
    s_seen_t s;
    cc_err_t err;
    memset(&s, 0, sizeof s);
    assert_int_equal(csv_read_mem("t.csv", "abcd,\"a\"\"b\"\n", 12, &lim, s_collect, &s, &err),
                     0); /* exactly at the limit */
    assert_string_equal(s.text, "abcd|a\"b\n");
    s_read_bad("a\n\"abc\"\"d\"\n", 11, &lim, CC_RESOURCE_EXHAUSTED,
               "t.csv:2:1: field longer than 4 bytes");
    csv_limits_default(&lim);
    lim.max_row = 6;
    s_read_bad("a,b,c\nabc,def,g\n", 16, &lim, CC_RESOURCE_EXHAUSTED,
               "t.csv:2:1: row longer than 6 bytes");
    csv_limits_default(&lim);
    lim.max_fields = 2;
    s_read_bad("a,b,c\n", 6, &lim, CC_RESOURCE_EXHAUSTED,
               "t.csv:1:5: header has more than 2 fields");
    /* A huge header against the default limit. */
    size_t n = 3000 * 2;
    char *wide = malloc(n);
    assert_non_null(wide);
    for (size_t i = 0; i < n; i += 2) {
        wide[i] = 'x';
        wide[i + 1] = i + 2 < n ? ',' : '\n';
    }
    s_read_bad(wide, n, NULL, CC_RESOURCE_EXHAUSTED,
               "t.csv:1:2049: header has more than 1024 fields");
    free(wide);
    /* A 100 KB field against the default 64 KiB. */
    char *big = malloc(100 * 1024);
    assert_non_null(big);
    memset(big, 'y', 100 * 1024);
    big[0] = 'a';
    big[1] = '\n';
    s_read_bad(big, 100 * 1024, NULL, CC_RESOURCE_EXHAUSTED,
               "t.csv:2:1: field longer than 65536 bytes");
    free(big);
    /* A 1 MiB field against a 1 MiB limit, in one pass (this once took
     * a rescan per byte). */
    size_t huge = 1024 * 1024 + 2;
    char *h = malloc(huge);
    assert_non_null(h);
    memset(h, 'z', huge);
    h[0] = 'a';
    h[1] = '\n';
    csv_limits_default(&lim);
    lim.max_field = lim.max_row = huge - 2;
    memset(&s, 0, sizeof s);
    assert_int_equal(csv_read_mem("t.csv", h, huge, &lim, s_count, &s, &err), 0);
    assert_int_equal(s.rows, 2);
    lim.max_field = lim.max_row = huge - 3;
    s_read_bad(h, huge, &lim, CC_RESOURCE_EXHAUSTED, "t.csv:2:1: field longer than 1048575 bytes");
    free(h);
}

static void test_csv_empty_input(void **state)
{
    (void)state;
    s_read_bad("", 0, NULL, CC_INVALID_ARGUMENT, "t.csv:1:1: empty file: no header row");
    s_read_bad("\xEF\xBB\xBF", 3, NULL, CC_INVALID_ARGUMENT,
               "t.csv:1:1: empty file: no header row");
    s_read_bad("\n\r\n\n", 4, NULL, CC_INVALID_ARGUMENT, "t.csv:1:1: empty file: no header row");
    /* A header alone is a valid file with no data rows. */
    s_seen_t s;
    s_read_ok("a,b", 3, &s);
    assert_int_equal(s.rows, 1);
}

static void test_csv_never_half_a_row(void **state)
{
    (void)state;
    s_seen_t s;
    cc_err_t err;
    /* Rows before the bad one are delivered whole; the bad one never. */
    memset(&s, 0, sizeof s);
    assert_int_equal(csv_read_mem("t.csv", "a,b\n1,2\n3,\"4\n", 13, NULL, s_collect, &s, &err), -1);
    assert_string_equal(s.text, "a|b\n1|2\n");
    /* The callback's error stops the read and comes back untouched. */
    memset(&s, 0, sizeof s);
    s.stop_after = 2;
    assert_int_equal(csv_read_mem("t.csv", "a\n1\n2\n3\n", 8, NULL, s_collect, &s, &err), -1);
    assert_int_equal(err.code, CC_ABORTED);
    assert_string_equal(err.msg, "callback stops at row 2");
    assert_int_equal(s.rows, 2);
}

/* The fixture read whole, then in chunks of every small size so rows,
 * quotes, CRLFs, UTF-8 characters and the BOM straddle chunk boundaries. */
static void test_csv_file_in_any_chunks(void **state)
{
    (void)state;
    static const char *const want = "Code|Name|Note\n"
                                    "E01|Bristol, City of|He said \"hi\"\n"
                                    "E02|Plain|two\r\nlines\n"
                                    "E03|Ynys M\xC3\xB4n|\n"
                                    "||\n"
                                    "E05||last\n";
    csv_limits_t lim;
    csv_limits_default(&lim);
    for (size_t chunk = 1; chunk <= 12; chunk++) {
        s_seen_t s;
        cc_err_t err;
        memset(&s, 0, sizeof s);
        lim.chunk = chunk;
        if (csv_read_file(FIXTURES "/tricky.csv", &lim, s_collect, &s, &err) != 0) {
            fail_msg("chunk %zu: %s", chunk, err.msg);
        }
        assert_string_equal(s.text, want);
        assert_string_equal(s.pos, "1:1,1:6,1:11 2:1,2:5,2:24 3:1,3:5,3:11 5:1,5:5,5:14 "
                                   "6:1,6:2,6:3 8:1,8:5,8:8 ");
    }
}

static void test_csv_file_errors_name_the_file(void **state)
{
    (void)state;
    cc_err_t err;
    s_seen_t s;
    memset(&s, 0, sizeof s);
    assert_int_equal(csv_read_file(FIXTURES "/missing.csv", NULL, s_collect, &s, &err), -1);
    assert_int_equal(err.code, CC_NOT_FOUND);
    assert_non_null(strstr(err.msg, "missing.csv"));
    assert_int_equal(csv_read_file(FIXTURES, NULL, s_collect, &s, &err), -1);
    assert_int_equal(err.code, CC_UNAVAILABLE);
    assert_non_null(strstr(err.msg, FIXTURES));
    const char *bad = CONCORD_SOURCE_DIR "/tests/data/geo-bad/latin1.csv";
    assert_int_equal(csv_read_file(bad, NULL, s_collect, &s, &err), -1);
    assert_string_equal(err.msg, CONCORD_SOURCE_DIR
                        "/tests/data/geo-bad/latin1.csv:2:25: unknown encoding: byte 0xA3 is "
                        "not valid UTF-8");
}

static void test_csv_write_round_trip(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    const char *head[] = {"code", "name", "note"};
    const char *row[] = {"E06000023", "Bristol, City of", "say \"hi\"\nthen go"};
    const char *empty[] = {NULL, "", "x"};
    assert_int_equal(csv_write_row(f, head, 3), 0);
    assert_int_equal(csv_write_row(f, row, 3), 0);
    assert_int_equal(csv_write_row(f, empty, 3), 0);
    fclose(f);
    assert_string_equal(buf, "code,name,note\n"
                             "E06000023,\"Bristol, City of\",\"say \"\"hi\"\"\nthen go\"\n"
                             ",,x\n");
    s_seen_t s;
    s_read_ok(buf, len, &s);
    assert_string_equal(s.text, "code|name|note\n"
                                "E06000023|Bristol, City of|say \"hi\"\nthen go\n"
                                "||x\n");
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_quoted_commas_and_doubled_quotes),
        cmocka_unit_test(test_csv_bom_crlf_and_no_final_newline),
        cmocka_unit_test(test_csv_line_breaks_blank_lines_and_empty_fields),
        cmocka_unit_test(test_csv_unterminated_quote),
        cmocka_unit_test(test_csv_ragged_rows),
        cmocka_unit_test(test_csv_unknown_encoding),
        cmocka_unit_test(test_csv_misplaced_quotes_and_carriage_returns),
        cmocka_unit_test(test_csv_limits),
        cmocka_unit_test(test_csv_empty_input),
        cmocka_unit_test(test_csv_never_half_a_row),
        cmocka_unit_test(test_csv_file_in_any_chunks),
        cmocka_unit_test(test_csv_file_errors_name_the_file),
        cmocka_unit_test(test_csv_write_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
