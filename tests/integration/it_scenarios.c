/* SPDX-License-Identifier: Apache-2.0 */
/* Integration tests of `concord scenario run`: the shipped scenarios 1-3
 * (Greater Manchester's pooled budget, Cumbria's Better Care Fund plan,
 * North Yorkshire's footprint realignment) on freshly generated
 * federations of real processes, checked afterwards with `concord verify`
 * on the certificates they exported; and a scenario whose expectation is
 * not met exits 1. (Scenario 4, all of England, is `ctest -L long`.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"

#define SCENARIOS CONCORD_SOURCE_DIR "/scenarios"

static fed_t s_none;

/* Makes the scenario's federation on a free port in a fresh directory
 * (the scenario's own port might be taken on a shared machine). */
static void s_init(char *dir, size_t size, const char *scope)
{
    snprintf(dir, size, "/tmp/cc-scn-XXXXXX");
    assert_non_null(mkdtemp(dir));
    assert_int_equal(rmdir(dir), 0);
    fed_dir_track(dir);
    assert_int_equal(fed_cli(&s_none, -1, NULL, "federation init --out %s %s --port %d", dir, scope,
                             fed_free_port()),
                     0);
}

static void s_rm(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* Runs a shipped scenario; returns its output (caller frees). */
static char *s_run(const char *dir, const char *file, const char *extra, int want_rc)
{
    char *out = NULL;
    int rc = fed_cli(&s_none, -1, &out, "scenario run %s/%s --federation %s %s", SCENARIOS, file,
                     dir, extra);
    if (rc != want_rc) {
        fail_msg("scenario %s exited %d, not %d:\n%s", file, rc, want_rc, out);
    }
    return out;
}

/* `concord verify` on an exported certificate: outcome and a phrase. */
static void s_verify(const char *dir, const char *label, const char *outcome, const char *phrase)
{
    char *out = NULL;
    int rc = fed_cli(&s_none, -1, &out, "verify %s/certificates/%s.cert --roster %s/roster.bin",
                     dir, label, dir);
    if (rc != 0 || !strstr(out, outcome) || !strstr(out, phrase)) {
        fail_msg("verify %s: exit %d, wanted '%s' and '%s':\n%s", label, rc, outcome, phrase, out);
    }
    free(out);
}

static void s_all_stopped(const char *dir)
{
    char *out = NULL;
    assert_int_equal(fed_cli(&s_none, -1, &out, "federation status %s --json", dir), 1);
    assert_non_null(strstr(out, "\"running\":0"));
    free(out);
}

/* Runs `concord ARGS` as organisation code on the federation in dir until
 * its output holds needle (60 s at most); returns the output. */
static char *s_exec_until(const char *dir, const char *code, const char *needle, const char *args)
{
    for (int i = 0; i < 240; i++) {
        char *out = NULL;
        if (fed_cli(&s_none, -1, &out, "federation exec %s %s -- %s", dir, code, args) == 0 &&
            strstr(out, needle)) {
            return out;
        }
        free(out);
        usleep(250000);
    }
    fail_msg("`%s` as %s never showed '%s'", args, code, needle);
    return NULL;
}

/* The 21 members of Greater Manchester's board (April 2017): ten councils,
 * ten CCGs, NHS England. Under an absolute majority a decision is settled
 * by its 11th FOR; the other ten ballots are still recorded, and the
 * certificate carries all 21. */
static void s_gm_every_ballot(const char *dir)
{
    static const char *const codes[21] = {
        "E08000001", "E08000002", "E08000003", "E08000004", "E08000005", "E08000006",
        "E08000007", "E08000008", "E08000009", "E08000010", "E38000016", "E38000024",
        "E38000080", "E38000135", "E38000143", "E38000174", "E38000182", "E38000187",
        "E38000205", "E38000217", "X24"};
    char members[21 * 24] = "", id[33], args[128];
    for (int i = 0; i < 21; i++) {
        size_t used = strlen(members);
        snprintf(members + used, sizeof members - used, " --member %s", codes[i]);
    }
    char *out = NULL;
    assert_int_equal(fed_cli(&s_none, -1, &out,
                             "federation exec %s E08000003 -- --json board create --id GM-ABS"
                             " --name 'Greater Manchester board (absolute majority)' --rule"
                             " absolute-majority --quorum 1/2 --closes-in 120s%s",
                             dir, members),
                     0);
    free(out);
    free(s_exec_until(dir, "E08000003", "\"active\":true", "--json board show GM-ABS"));
    out = NULL;
    assert_int_equal(fed_cli(&s_none, -1, &out,
                             "federation exec %s E08000003 -- --json propose --board GM-ABS"
                             " --title 'Integrated stroke services' --area acute --amount 12m"
                             " --closes-in 120s",
                             dir),
                     0);
    fed_json_id(out, id);
    free(out);
    snprintf(args, sizeof args, "--json proposal show %s", id);
    out = s_exec_until(dir, "E08000003", "\"voting_open\":false", args);
    assert_non_null(strstr(out, "\"outcome\":\"PASSED\""));
    assert_non_null(strstr(out, "\"settled\":true"));
    free(out);
    out = NULL;
    assert_int_equal(fed_cli(&s_none, -1, &out,
                             "federation exec %s E38000217 -- decision export %s --out"
                             " %s/certificates/gm-abs.cert",
                             dir, id, dir),
                     0);
    free(out);
    /* Settled by the 11th ballot; all 21 recorded and carried. */
    s_verify(dir, "gm-abs", "outcome   PASSED", "(21 ballots on this proposal)");
    s_verify(dir, "gm-abs", "outcome   PASSED", "with 11 of 21 members' ballots counted");
    s_verify(dir, "gm-abs", "outcome   PASSED", "Absolute majority: 21 FOR of 21 members");
}

static void test_it_scenarios_greater_manchester(void **state)
{
    char dir[64];
    (void)state;
    s_init(dir, sizeof dir, "--area E47000001");
    char *out = s_run(dir, "greater-manchester.ini", "--keep-running", 0);
    assert_non_null(strstr(out, "board JCB-E47000001 adopted by every member"));
    /* The agreement goes to the partners' board, which recommends it;
     * each partner then executes it itself. Bolton declines, so the pool
     * is not in force and says who is missing; the others agree a
     * variation without Bolton, execute it, pledge, and it is active. */
    assert_non_null(strstr(out, "E08000003 proposed 'greater-manchester-pool.ini' to"
                                " JCB-E47000001: proposal "));
    assert_non_null(strstr(out, "pooled-budget PASSED after "));
    assert_non_null(strstr(out, "pooled-budget.cert: verified yes"));
    assert_non_null(strstr(out, "E08000001 declined GM-HSC: above what Bolton can commit"));
    assert_non_null(strstr(out, "20 partners acted on GM-HSC (1 declined): NOT_IN_FORCE; Not in"
                                " force: awaiting execution by E08000001 (declined by its"
                                " executive (rehearsal), rehearsal/E08000001 of 2016-03-29:"
                                " above what Bolton can commit) (19 of 20 parties executed)."));
    assert_non_null(strstr(out, "without-bolton PASSED after "));
    assert_non_null(strstr(out, "19 partners acted on GM-HSC (0 declined): IN_FORCE"));
    assert_non_null(strstr(out, "19 partners pledged to GM-HSC for 2016/17"));
    assert_non_null(strstr(out, ": pool ACTIVE"));
    assert_non_null(strstr(out, "every expectation met"));
    free(out);
    s_verify(dir, "pooled-budget", "outcome   PASSED", "Double majority");
    s_verify(dir, "pooled-budget", "outcome   PASSED", "Pool GM-HSC \"");
    /* Bolton's policy voted against a commitment above £5bn: every
     * ballot counts until the close, and the certificate lists it once
     * it has arrived. */
    s_gm_every_ballot(dir);
    assert_int_equal(fed_cli(&s_none, -1, NULL, "federation stop %s", dir), 0);
    s_all_stopped(dir);
    s_rm(dir);
}

static void test_it_scenarios_cumbria_bcf(void **state)
{
    char dir[64];
    (void)state;
    s_init(dir, sizeof dir, "--county E10000006");
    char *out = s_run(dir, "cumbria-bcf.ini", "--keep-running", 0);
    assert_non_null(strstr(out, "BCF plan CUM-BCF-17 approved by X24"));
    assert_non_null(strstr(out, "2 CCG sign-offs"));
    free(out);
    s_verify(dir, "bcf-plan", "outcome   PASSED", "board     HWB-E10000006");
    /* On the same running federation: an expectation that does not hold
     * is reported and the exit status says so. */
    char path[128];
    snprintf(path, sizeof path, "%s/unmet.ini", dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("[scenario]\nname = An expectation that fails\n"
          "[policy *]\nauto_vote = true\n"
          "[propose]\nname = extra\nas = E38000215\nboard = HWB-E10000006\n"
          "title = Extend reablement\narea = community\namount = 2m\nexpect = failed\n",
          fp);
    fclose(fp);
    int rc = fed_cli(&s_none, -1, &out, "scenario run %s --federation %s", path, dir);
    if (rc != 1 || !strstr(out, "federation Cumbria already running") ||
        !strstr(out, "extra            PASSED   failed") || !strstr(out, "<- unmet") ||
        !strstr(out, "SOME EXPECTATIONS NOT MET")) {
        fail_msg("unmet expectation not reported (exit %d):\n%s", rc, out);
    }
    free(out);
    assert_int_equal(fed_cli(&s_none, -1, NULL, "federation stop %s", dir), 0);
    s_all_stopped(dir);
    s_rm(dir);
}

static void test_it_scenarios_north_yorkshire(void **state)
{
    char dir[64];
    (void)state;
    s_init(dir, sizeof dir, "--county E10000023");
    char *out = s_run(dir, "north-yorkshire-realignment.ini", "--json", 0);
    assert_non_null(strstr(out, "E38000001 voted against on realign"));
    assert_non_null(strstr(out, "realign PASSED"));
    /* --json: the transcript on stderr, the report as JSON on stdout. */
    assert_non_null(strstr(out, "\"outcome\":\"PASSED\",\"expected\":\"passed\""));
    assert_non_null(strstr(out, "\"every_expectation_met\":true"));
    free(out);
    s_verify(dir, "realign", "outcome   PASSED", "E38000001");
    s_all_stopped(dir);
    s_rm(dir);
}

/* A scenario pins the geography it was written for: its [federation]
 * vintage reaches `federation init`, which refuses a year with no lookups
 * in force (so a later map cannot silently change its organisations). */
static void test_it_scenarios_vintage_pinned(void **state)
{
    (void)state;
    char dir[64], file[128], *out = NULL;
    snprintf(dir, sizeof dir, "/tmp/cc-scn-XXXXXX");
    assert_non_null(mkdtemp(dir));
    fed_dir_track(dir);
    snprintf(file, sizeof file, "%s/pinned.ini", dir);
    FILE *fp = fopen(file, "w");
    assert_non_null(fp);
    fprintf(fp, "[scenario]\nname = pinned\n[federation]\narea = E47000001\nvintage = 1999\n"
                "port = %d\n",
            fed_free_port());
    assert_int_equal(fclose(fp), 0);
    int rc = fed_cli(&s_none, -1, &out, "scenario run %s --federation %s/fed", file, dir);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "vintage is in force on 1999-04-01"));
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_it_scenarios_greater_manchester, fed_dir_teardown),
        cmocka_unit_test_teardown(test_it_scenarios_cumbria_bcf, fed_dir_teardown),
        cmocka_unit_test_teardown(test_it_scenarios_north_yorkshire, fed_dir_teardown),
        cmocka_unit_test_teardown(test_it_scenarios_vintage_pinned, fed_dir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
