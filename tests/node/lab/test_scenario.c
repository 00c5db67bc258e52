/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for scenario (and the inifile reader under it): the shipped
 * scenarios parse; every kind of bad file is refused whole with an error
 * naming the file, the line and the problem. */
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
#include "scenario.h"

#define SCENARIOS CONCORD_SOURCE_DIR "/scenarios"

static char s_path[64];

/* Writes text to a fresh temporary file whose path is s_path. */
static void s_write(const char *text)
{
    snprintf(s_path, sizeof s_path, "/tmp/concord-scenario-XXXXXX");
    int fd = mkstemp(s_path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

/* The file must be refused with "PATH:LINE: " + problem (a substring). */
static void s_refused(const char *text, int line, const char *problem)
{
    cc_err_t err;
    char want[128];
    s_write(text);
    scenario_t *s = scenario_load(s_path, &err);
    unlink(s_path);
    if (s) {
        scenario_destroy(&s);
        fail_msg("accepted a bad scenario:\n%s", text);
    }
    snprintf(want, sizeof want, "%s:%d: ", s_path, line);
    if (strncmp(err.msg, want, strlen(want)) != 0 || !strstr(err.msg, problem)) {
        fail_msg("error '%s' does not start '%s' and name '%s'", err.msg, want, problem);
    }
}

static void test_scenario_shipped_files_parse(void **state)
{
    static const char *const files[] = {"greater-manchester.ini", "cumbria-bcf.ini",
                                        "north-yorkshire-realignment.ini", "england.ini"};
    (void)state;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[512];
        cc_err_t err;
        snprintf(path, sizeof path, "%s/%s", SCENARIOS, files[i]);
        scenario_t *s = scenario_load(path, &err);
        if (!s) {
            fail_msg("%s", err.msg);
        }
        assert_non_null(scenario_find(s, SCENARIO_FEDERATION));
        /* Each puts something to a board: a proposal or a pool agreement. */
        assert_true(scenario_find(s, SCENARIO_PROPOSE) || scenario_find(s, SCENARIO_POOL));
        scenario_destroy(&s);
    }
}

static const char s_good[] = "[scenario]\nname = Test\ntimeout = 90s\n"
                             "[federation]\ncounty = E10000006\nport = 7000\n"
                             "[policy *]\nauto_vote = true\n"
                             "[policy E07000028]\nabstain_areas = social-care, acute\n"
                             "[board]\n"
                             "[propose]\nname = p1\nas = E10000006\ntitle = T ; comment\n"
                             "amount = 1.5bn\narea = social-care\nexpect = passed\n"
                             "[vote]\nas = X24\nproposal = p1\nvote = against\n"
                             "[pledges]\npool = P-1\nyear = 2017/18\nE10000006 = 5m\n";

static void test_scenario_good_file_reads_in_order(void **state)
{
    cc_err_t err;
    (void)state;
    s_write(s_good);
    scenario_t *s = scenario_load(s_path, &err);
    unlink(s_path);
    if (!s) {
        fail_msg("%s", err.msg);
    }
    assert_int_equal(scenario_count(s), 8);
    assert_int_equal(scenario_at(s, 5)->kind, SCENARIO_PROPOSE);
    assert_int_equal(scenario_at(s, 5)->line, 12);
    assert_string_equal(scenario_get(scenario_at(s, 5), "title"), "T");
    assert_int_equal(scenario_timeout_ms(s), 90000);
    assert_string_equal(scenario_policy(s, "E07000028")->arg, "E07000028");
    assert_string_equal(scenario_policy(s, "X24")->arg, "*");
    assert_string_equal(scenario_get(scenario_at(s, 7), "E10000006"), "5m");
    scenario_destroy(&s);
    scenario_destroy(&s); /* safe twice */
}

static void test_scenario_bad_files_name_file_line_problem(void **state)
{
    (void)state;
    s_refused("[scenario]\nname = x\n[sceanrio]\n", 3, "unknown section [sceanrio]");
    s_refused("[scenario]\nname = x\ntitel = y\n", 3, "unknown key 'titel' in [scenario]");
    s_refused("name = x\n", 1, "comes before any section");
    s_refused("[scenario]\nname = x\n[propose]\nname = a\nas = X24\ntitle = t\namount = lots\n", 7,
              "amount");
    s_refused("[scenario]\nname = x\n[vote]\nas = X24\nproposal = nope\nvote = for\n", 5,
              "no earlier [propose] or [pool] is named 'nope'");
    s_refused("[scenario]\nname = x\n[propose]\nname = a\nas = X24\ntitle = t\n"
              "[vote]\nas = X24\nproposal = a\nvote = maybe\n",
              10, "'maybe' is not for, against or abstain");
    s_refused("[scenario]\nname = x\n\n[propose]\nname = a\nas = X24\n", 4,
              "[propose] needs 'title'");
    s_refused("[scenario]\nname = x\n[scenario]\nname = y\n", 3, "given twice (first at line 1)");
    s_refused("[scenario]\nname = x\n[federation]\narea = E47000001\ncounty = E10000006\n", 3,
              "exactly one of area, stp, county, england");
    s_refused("[scenario]\nname = x\n[policy]\n", 3, "needs an organisation code or '*'");
    s_refused("[scenario]\nname = x\n[policy e08]\n", 3, "e08");
    s_refused("[scenario]\nname = x\n[propose]\nname = a\nname = b\n", 5, "'name' given twice");
    s_refused("[scenario]\nname = x\n[pledges]\npool = P\nyear = 2017\n", 3,
              "lists no CODE = AMOUNT");
    s_refused("[scenario]\nname = x\n[pledges]\npool = P\nyear = 2017/19\nX24 = 1m\n", 5,
              "financial year");
    s_refused("[scenario]\nname = x\n[propose\n", 3, "closing ']'");
    s_refused("[scenario]\nname = x\njust words\n", 3, "expected [section] or key = value");
    s_refused("[scenario]\nname =\n", 2, "empty value for 'name'");
    s_refused("[scenario]\nname = x\x01y\n", 2, "control character");
    s_refused("[scenario]\nname = x\n[policy *]\nabstain_areas = social-care,, acute\n", 4,
              "service areas");
    s_refused("[scenario]\nname = x\n[propose]\nname = a\nas = X24\ntitle = t\n"
              "closes_in = 3w\n",
              7, "duration");
    s_refused("[scenario]\nname = x\n[propose]\nname = a\nas = X24\ntitle = t\n"
              "[propose]\nname = a\n",
              8, "a [propose] or [pool] named 'a' already exists");
    /* An agreement is a board decision: it has a name like any proposal. */
    s_refused("[scenario]\nname = x\n[propose]\nname = a\nas = X24\ntitle = t\n"
              "[pool]\nname = a\n",
              8, "a [propose] or [pool] named 'a' already exists");
    s_refused("[scenario]\nname = x\n[pool]\nas = X24\nfile = f.ini\nafter = a\n", 6,
              "unknown key 'after' in [pool]");
}

static void test_scenario_refuses_long_lines_and_missing_files(void **state)
{
    cc_err_t err;
    (void)state;
    char *text = malloc(3000);
    assert_non_null(text);
    strcpy(text, "[scenario]\nname = ");
    memset(text + strlen(text), 'x', 2000);
    strcpy(text + 18 + 2000, "\n");
    s_refused(text, 2, "line longer than");
    free(text);
    assert_null(scenario_load("/nonexistent/scenario.ini", &err));
    assert_int_equal(err.code, CC_NOT_FOUND);
    assert_non_null(strstr(err.msg, "/nonexistent/scenario.ini"));
    s_write("; nothing but a comment\n");
    assert_null(scenario_load(s_path, &err));
    unlink(s_path);
    assert_non_null(strstr(err.msg, "no [scenario] section"));
}

static void test_scenario_inifile_split(void **state)
{
    char list[] = " a, b ,c ", bad[] = "a,,b", *items[4];
    (void)state;
    assert_int_equal(inifile_split(list, items, 4), 3);
    assert_string_equal(items[0], "a");
    assert_string_equal(items[1], "b");
    assert_string_equal(items[2], "c");
    assert_int_equal(inifile_split(bad, items, 4), -1);
    char many[] = "a,b,c,d,e";
    assert_int_equal(inifile_split(many, items, 4), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scenario_shipped_files_parse),
        cmocka_unit_test(test_scenario_good_file_reads_in_order),
        cmocka_unit_test(test_scenario_bad_files_name_file_line_problem),
        cmocka_unit_test(test_scenario_refuses_long_lines_and_missing_files),
        cmocka_unit_test(test_scenario_inifile_split),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
