/* SPDX-License-Identifier: Apache-2.0 */
/* Integration test for Better Care Fund plans in a two-tier county, with
 * the real geography the nodes load from the shipped ONS lookups
 * (data/ons) and the shipped BCF policy data (data/bcf): Cumbria County
 * Council (E10000006), whose six districts (Allerdale, Barrow-in-Furness,
 * Carlisle, Copeland, Eden, South Lakeland) are the housing authorities,
 * the two CCGs whose LSOAs lie in it (NHS Cumbria CCG E38000215, NHS
 * Morecambe Bay CCG E38000216), Carlisle City Council (E07000028) and NHS
 * England (X24). Cumbria's Health and Wellbeing Board is a board whose
 * charter marks it so; the fund is held in an s75 pooled fund the three
 * partners execute (NHS Act 2006 s223GA).
 *
 * - A plan naming no pool, or a pool not executed, is refused; a plan
 *   leaving DFG with the county without a joint agreement is refused.
 * - A plan signed off in a non-default order (the CCGs, the council, the
 *   HWB's certified decision last) is approved with conditions, and one
 *   condition is recorded met.
 * - A 2017-19 plan (two years) in which the county keeps part of
 *   Carlisle's DFG by joint agreement, signed by Carlisle; after Morecambe
 *   Bay merges into NHS Cumbria CCG, the successor carries its sign-off.
 * - Every node counts 151 BCF areas (Cornwall with the Isles of Scilly).
 * Real broker and node processes. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "clock.h"
#include "harness.h"

enum { CUMBRIA, NORTH_CUMBRIA_CCG, MORECAMBE_BAY_CCG, NHSE, CARLISLE, N_NODES };

static const char *const s_codes[] = {"E10000006", "E38000215", "E38000216", "X24", "E07000028"};
static const char *const s_names[] = {"Cumbria County Council", "NHS Cumbria CCG",
                                      "NHS Morecambe Bay CCG", "NHS England",
                                      "Carlisle City Council"};

static const char s_conditions[] = "\n[conditions]\n"
                                   "nhs_social_care_maintained = yes\n"
                                   "out_of_hospital_investment = yes\n"
                                   "managing_transfers_of_care = yes\n";

/* A 2017/18 plan; pool is the [plan] pool line (or ""); dfg_lines are the
 * [dfg] section's allocations; extra goes at the end. */
static void s_write_plan(const fed_t *f, const char *path, const char *id, int year,
                         const char *pool, const char *dfg_lines, const char *extra)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fprintf(fp,
            "; Cumbria Better Care Fund plan\n"
            "[plan]\n"
            "id = %s\n"
            "hwb = E10000006\n"
            "year = %d\n"
            "ibcf = 8.5m\n"
            "narrative = Home first: discharge to assess across Cumbria\n"
            "%s"
            "\n"
            "[ccg]\n"
            "E38000215 = 31.2m\n"
            "E38000216 = 9.8m\n"
            "\n"
            "[dfg]\n"
            "total = 4.8m\n"
            "%s"
            "\n"
            "[additional]\n"
            "E10000006 = 1m Reablement beds\n"
            "%s%s",
            id, year, pool, dfg_lines, s_conditions, extra);
    fclose(fp);
    (void)f;
}

static const char s_dfg_to_districts[] = "E07000026 = 950000\n"
                                         "E07000027 = 600000\n"
                                         "E07000028 = 1.05m\n"
                                         "E07000029 = 700000\n"
                                         "E07000030 = 500000\n"
                                         "E07000031 = 1m\n";

static void s_ok(fed_t *f, int i, const char *expect, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void s_ok(fed_t *f, int i, const char *expect, const char *fmt, ...)
{
    char *out = NULL, args[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    if (fed_cli(f, i, &out, "%s", args) != 0) {
        fail_msg("node %d: %s failed: %s", i, args, out);
    }
    if (expect && !strstr(out, expect)) {
        fail_msg("node %d: %s: no '%s' in: %s", i, args, expect, out);
    }
    free(out);
}

/* Members vote FOR proposal id once each has it; waits for PASSED. */
static void s_pass(fed_t *f, const char *id, const int *voters, int n)
{
    char args[128];
    snprintf(args, sizeof args, "proposal show %s", id);
    for (int k = 0; k < n; k++) {
        free(fed_cli_until(f, voters[k], "closes ", 1, 30000, args));
        s_ok(f, voters[k], NULL, "vote %s for", id);
    }
    snprintf(args, sizeof args, "--json proposal show %s", id);
    free(fed_cli_until(f, voters[0], "\"outcome\":\"PASSED\"", 1, 60000, args));
}

static const int s_hwb_members[] = {CUMBRIA, NORTH_CUMBRIA_CCG, MORECAMBE_BAY_CCG};

/* The federation, Cumbria's HWB board (CUM-HWB) and, with pool_executed,
 * the executed s75 pool CUM-POOL; *pool_file is the agreement's file. */
static void s_start(fed_t *f, char *pool_file, size_t size)
{
    char *out = NULL, id[33];
    fed_create_from(f, s_codes, s_names, N_NODES);
    fed_start_broker(f);
    for (int i = 0; i < N_NODES; i++) {
        fed_start_node(f, i);
    }
    for (int i = 0; i < N_NODES; i++) {
        fed_wait_connected(f, i);
    }
    assert_int_equal(fed_cli(f, CUMBRIA, &out,
                             "--json board create --id CUM-HWB --name 'Cumbria Health and"
                             " Wellbeing Board' --rule majority --quorum 1/2"
                             " --hwb E10000006 --member E10000006"
                             " --member E38000215 --member E38000216 --closes-in 120s"),
                     0);
    fed_json_id(out, id);
    free(out);
    s_pass(f, id, s_hwb_members, 3);
    for (int k = 0; k < 3; k++) {
        free(fed_cli_until(f, s_hwb_members[k], "\"active\":true", 1, 30000,
                           "--json board show CUM-HWB"));
    }
    snprintf(pool_file, size, "%s/cum-pool.ini", f->dir);
    FILE *fp = fopen(pool_file, "w");
    assert_non_null(fp);
    fprintf(fp, "[pool]\nid = CUM-POOL\nname = Cumbria Better Care Fund\nkind = pooled-fund\n"
                "aims = Home first: care closer to home across Cumbria\nhost = E10000006\n"
                "nhs_function = Community health services\n"
                "council_function = Adult social care\nclient_group = Adults\n"
                "management = Quarterly reports to the Health and Wellbeing Board\n"
                "governance = Cumbria Health and Wellbeing Board\n"
                "[partner E10000006]\n2017 = 14.3m\n2018 = 14.3m\n"
                "[partner E38000215]\n2017 = 31.2m\n2018 = 31.2m\n"
                "[partner E38000216]\n2017 = 9.8m\n2018 = 9.8m\n"
                "[risk]\nbasis = pro-rata\n");
    fclose(fp);
    assert_int_equal(fed_cli(f, CUMBRIA, &out,
                             "--json pool propose --file %s --board CUM-HWB --closes-in 120s",
                             pool_file),
                     0);
    fed_json_id(out, id);
    free(out);
    s_pass(f, id, s_hwb_members, 3);
    free(fed_cli_until(f, CUMBRIA, "AWAITING_EXECUTION", 1, 30000, "pool show CUM-POOL"));
}

static void s_execute(fed_t *f, const char *pool_file)
{
    for (int k = 0; k < 3; k++) {
        free(fed_cli_until(f, s_hwb_members[k], "AWAITING_EXECUTION", 1, 30000,
                           "pool show CUM-POOL"));
        s_ok(f, s_hwb_members[k], NULL,
             "pool execute CUM-POOL --authority '%s' --decision-ref BCF/17/%d"
             " --decision-date 2017-09-14 --signatory-role 'Chief Finance Officer' --document %s",
             k ? "Governing Body" : "Cabinet", k + 1, pool_file);
    }
    /* In force everywhere; its pledges are the HWB board's business, so
     * a node outside it says so rather than wait for pledges it never sees. */
    for (int k = 0; k < N_NODES; k++) {
        int member = k == CUMBRIA || k == NORTH_CUMBRIA_CCG || k == MORECAMBE_BAY_CCG;
        free(fed_cli_until(f, k, member ? "AWAITING_PLEDGES" : "IN_FORCE", 1, 30000,
                           "pool show CUM-POOL"));
    }
}

/* The HWB board's decision agreeing plan; its id in id. */
static void s_hwb_decision(fed_t *f, const char *plan, char id[33])
{
    char *out = NULL;
    assert_int_equal(fed_cli(f, CUMBRIA, &out,
                             "--json propose --board CUM-HWB --title 'Agree the Better Care Fund"
                             " plan' --area social-care --amount 55.3m --bcf-plan %s"
                             " --closes-in 120s",
                             plan),
                     0);
    fed_json_id(out, id);
    free(out);
    s_pass(f, id, s_hwb_members, 3);
}

static void test_it_bcf_approved_with_conditions(void **state)
{
    (void)state;
    fed_t f;
    char *out = NULL, path[256], pool[256], dec[33];
    s_start(&f, pool, sizeof pool);

    /* No pool named: refused, citing s223GA. */
    snprintf(path, sizeof path, "%s/no-pool.ini", f.dir);
    s_write_plan(&f, path, "CUM-BCF-17", 2017, "", s_dfg_to_districts, "");
    assert_int_equal(fed_cli(&f, CUMBRIA, &out, "bcf plan --file %s", path), 1);
    assert_non_null(strstr(out, "BCF plan CUM-BCF-17 names no pool: the Better Care Fund must be"
                                " held in a pooled fund under s75 (NHS Act 2006 s223GA)"));
    free(out);
    /* The pool recommended but not executed: refused, naming who is missing. */
    snprintf(path, sizeof path, "%s/cumbria.ini", f.dir);
    s_write_plan(&f, path, "CUM-BCF-17", 2017, "pool = CUM-POOL\n", s_dfg_to_districts, "");
    assert_int_equal(fed_cli(&f, CUMBRIA, &out, "bcf plan --file %s", path), 1);
    assert_non_null(strstr(out, "names pool CUM-POOL, which is not in force (awaiting execution"
                                " by E10000006"));
    assert_non_null(strstr(out, "executed s75 pooled fund (NHS Act 2006 s223GA)"));
    free(out);
    assert_int_equal(fed_cli(&f, CUMBRIA, &out, "bcf status CUM-BCF-17"), 1);
    free(out);
    s_execute(&f, pool);

    /* Leaving £1m of DFG with the county, with no joint agreement: refused. */
    snprintf(path, sizeof path, "%s/county-keeps-dfg.ini", f.dir);
    s_write_plan(&f, path, "CUM-BCF-17", 2017, "pool = CUM-POOL\n",
                 "E07000026 = 950000\nE07000027 = 600000\nE07000028 = 1.05m\n"
                 "E07000029 = 700000\nE07000030 = 500000\n",
                 "");
    assert_int_equal(fed_cli(&f, CUMBRIA, &out, "bcf plan --file %s", path), 1);
    assert_non_null(strstr(out, "of the Disabled Facilities Grant with county E10000006"));
    assert_non_null(strstr(out, "unless a district and the county jointly agree otherwise"));
    free(out);

    /* The whole DFG passed to the six districts, in the executed pool. */
    snprintf(path, sizeof path, "%s/cumbria.ini", f.dir);
    s_write_plan(&f, path, "CUM-BCF-17", 2017, "pool = CUM-POOL\n", s_dfg_to_districts, "");
    assert_int_equal(fed_cli(&f, CUMBRIA, &out, "--json bcf plan --file %s", path), 0);
    /* 31.2m + 9.8m + 4.8m + 8.5m + 1m */
    assert_non_null(strstr(out, "\"total_pence\":5530000000"));
    free(out);
    assert_true(fed_log_contains(&f, f.codes[CUMBRIA],
                                 "151 BCF areas (of 152 upper-tier councils)"));
    assert_true(fed_log_contains(&f, f.codes[CUMBRIA], "12 BCF national conditions"));

    /* Sign-off in a non-default order: the CCGs, then the council, the
     * HWB's decision last. */
    for (int i = MORECAMBE_BAY_CCG; i >= NORTH_CUMBRIA_CCG; i--) {
        free(fed_cli_until(&f, i, "awaiting sign-off", 1, 30000, "bcf status CUM-BCF-17"));
        s_ok(&f, i, NULL, "bcf sign CUM-BCF-17 --act ccg");
    }
    s_ok(&f, CUMBRIA, NULL, "bcf sign CUM-BCF-17 --act council");
    /* NHS England cannot decide before the HWB has agreed. */
    free(fed_cli_until(&f, NHSE, "CCG sign-off 2 of 2", 1, 30000, "bcf status CUM-BCF-17"));
    assert_int_equal(fed_cli(&f, NHSE, &out, "bcf approve CUM-BCF-17"), 1);
    assert_non_null(strstr(out, "missing HWB agreement (by E10000006)"));
    free(out);
    /* The HWB's agreement is its board's decision: a bare assertion is
     * refused, and so is a CCG recording it. */
    assert_int_equal(fed_cli(&f, CUMBRIA, &out, "bcf sign CUM-BCF-17 --act hwb"), 1);
    assert_non_null(strstr(out, "name that board's passed proposal"));
    free(out);
    s_hwb_decision(&f, "CUM-BCF-17", dec);
    assert_int_equal(fed_cli(&f, MORECAMBE_BAY_CCG, &out,
                             "bcf sign CUM-BCF-17 --act hwb --decision %s", dec),
                     1);
    assert_non_null(strstr(out, "only an HWB council of BCF plan CUM-BCF-17"));
    free(out);
    s_ok(&f, CUMBRIA, NULL, "bcf sign CUM-BCF-17 --act hwb --decision %.12s", dec);

    /* Approved with conditions, each with a deadline; one is then met. */
    free(fed_cli_until(&f, NHSE, "awaiting NHS England's outcome", 1, 30000,
                       "bcf status CUM-BCF-17"));
    s_ok(&f, NHSE, "APPROVED WITH CONDITIONS by NHS England",
         "bcf approve CUM-BCF-17 --condition '2017-11-30:Agree a delayed transfers of care"
         " trajectory' --condition '2017-12-31:Confirm the iBCF spending plan'");
    s_ok(&f, NHSE, "1: Agree a delayed transfers of care trajectory (by 2017-11-30): met",
         "bcf condition-met CUM-BCF-17 1 --note 'Trajectory agreed 20 November 2017'");
    /* Every node sees the same plan. */
    char *first = NULL;
    for (int i = 0; i < N_NODES; i++) {
        out = fed_cli_until(&f, i, "\"conditions_met\":1", 1, 30000,
                            "--json bcf status CUM-BCF-17");
        assert_non_null(strstr(out, "\"outcome\":\"approved-with-conditions\""));
        /* Overdue by the day of the latest receipt each node folded
         * (this run's, long after 2017), the same on every node. */
        assert_non_null(strstr(out, "\"missing\":\"condition 2 (by 2017-12-31, OVERDUE)\""));
        assert_non_null(strstr(out, "\"met\":false,\"overdue\":true"));
        assert_non_null(strstr(out, "\"conditions_overdue\":1"));
        assert_non_null(strstr(out, "\"pool_id\":\"CUM-POOL\""));
        if (!first) {
            first = out;
        } else {
            assert_string_equal(first, out);
            free(out);
        }
    }
    free(first);
    s_ok(&f, CUMBRIA, "2: Confirm the iBCF spending plan (by 2017-12-31): OVERDUE (not met by its"
                      " deadline)",
         "bcf status CUM-BCF-17");
    fed_destroy(&f);
}

/* A 2017-19 plan, in which the county keeps part of Carlisle's DFG by a
 * joint agreement Carlisle signs; Morecambe Bay signs off, merges into
 * NHS Cumbria CCG, and the successor carries its sign-off. */
static void test_it_bcf_two_years_dfg_agreement_succession(void **state)
{
    (void)state;
    fed_t f;
    char *out = NULL, path[256], pool[256], dec[33], merger[33];
    s_start(&f, pool, sizeof pool);
    s_execute(&f, pool);
    snprintf(path, sizeof path, "%s/cumbria-17-19.ini", f.dir);
    s_write_plan(&f, path, "CUM-BCF-17-19", 2017, "pool = CUM-POOL\n",
                 "E07000026 = 950000\nE07000027 = 600000\n"
                 "E07000028 = 450000 (county keeps 600000)\n"
                 "E07000029 = 700000\nE07000030 = 500000\nE07000031 = 1m\n",
                 "\n[year 2018]\nibcf = 12m\n"
                 "[ccg 2018]\nE38000215 = 31.8m\nE38000216 = 10m\n"
                 "[dfg 2018]\ntotal = 5.2m\nE07000026 = 1.03m\nE07000027 = 650000\n"
                 "E07000028 = 500000 (county keeps 640000)\n"
                 "E07000029 = 760000\nE07000030 = 540000\nE07000031 = 1.08m\n");
    out = NULL;
    assert_int_equal(fed_cli(&f, CUMBRIA, &out, "--json bcf plan --file %s", path), 0);
    assert_non_null(strstr(out, "\"last_year\":2018"));
    free(out);
    out = NULL;
    assert_int_equal(fed_cli(&f, CUMBRIA, &out, "bcf status CUM-BCF-17-19"), 0);
    assert_non_null(strstr(out, "2017/18 to 2018/19"));
    assert_non_null(strstr(out, "£600,000.00 kept by the county by joint agreement"));
    assert_non_null(strstr(out, "DFG joint agreement by district E07000028"));
    free(out);
    /* A second plan for 2018/19 is refused: the two-year plan holds it. */
    snprintf(path, sizeof path, "%s/cumbria-18.ini", f.dir);
    s_write_plan(&f, path, "CUM-BCF-18", 2018, "pool = CUM-POOL\n", s_dfg_to_districts, "");
    assert_int_equal(fed_cli(&f, CUMBRIA, &out, "bcf plan --file %s", path), 1);
    assert_non_null(strstr(out, "HWB E10000006 already has BCF plan CUM-BCF-17-19 for 2017/18"));
    free(out);
    s_hwb_decision(&f, "CUM-BCF-17-19", dec);
    s_ok(&f, CUMBRIA, NULL, "bcf sign CUM-BCF-17-19 --act hwb --decision %s", dec);
    s_ok(&f, CUMBRIA, NULL, "bcf sign CUM-BCF-17-19 --act council");
    free(fed_cli_until(&f, CARLISLE, "awaiting sign-off", 1, 30000, "bcf status CUM-BCF-17-19"));
    s_ok(&f, CARLISLE, NULL, "bcf sign CUM-BCF-17-19 --act dfg --note 'Executive 5 Sep 2017'");
    /* The agreement is joint: the county records its side for Carlisle. */
    s_ok(&f, CUMBRIA, NULL,
         "bcf sign CUM-BCF-17-19 --act dfg --district E07000028 --note 'Cabinet 7 Sep 2017'");
    free(fed_cli_until(&f, CARLISLE, "DFG joint agreement by county E10000006 with district"
                                     " E07000028", 1, 30000, "bcf status CUM-BCF-17-19"));
    free(fed_cli_until(&f, MORECAMBE_BAY_CCG, "awaiting sign-off", 1, 30000,
                       "bcf status CUM-BCF-17-19"));
    s_ok(&f, MORECAMBE_BAY_CCG, NULL, "bcf sign CUM-BCF-17-19 --act ccg");

    /* Morecambe Bay merges into NHS Cumbria CCG (the continuing successor). */
    assert_int_equal(fed_cli(&f, NORTH_CUMBRIA_CCG, &out,
                             "--json propose --board CUM-HWB --merge E38000215 --predecessor"
                             " E38000215 --predecessor E38000216 --closes-in 120s"),
                     0);
    fed_json_id(out, merger);
    free(out);
    s_pass(&f, merger, s_hwb_members, 3);
    free(fed_cli_until(&f, CUMBRIA, "merged into E38000215", 1, 60000, "roster show"));
    /* The successor carries Morecambe Bay's sign-off and gives its own. */
    out = fed_cli_until(&f, NORTH_CUMBRIA_CCG, "which carries it", 1, 60000,
                        "bcf status CUM-BCF-17-19");
    assert_non_null(strstr(out, "CCG sign-off 1 of 2"));
    assert_non_null(strstr(out, "CCG sign-off by E38000216 (merged into E38000215, which carries"
                                " it)"));
    free(out);
    s_ok(&f, NORTH_CUMBRIA_CCG, NULL, "bcf sign CUM-BCF-17-19 --act ccg");
    assert_int_equal(fed_cli(&f, NORTH_CUMBRIA_CCG, &out, "bcf sign CUM-BCF-17-19 --act ccg"), 1);
    assert_non_null(strstr(out, "already did that"));
    free(out);
    free(fed_cli_until(&f, NHSE, "awaiting NHS England's outcome", 1, 60000,
                       "bcf status CUM-BCF-17-19"));
    s_ok(&f, NHSE, "APPROVED by NHS England", "bcf approve CUM-BCF-17-19");
    for (int i = 0; i < N_NODES; i++) {
        if (i == MORECAMBE_BAY_CCG) {
            continue; /* merged away: no longer a member */
        }
        out = fed_cli_until(&f, i, "\"outcome\":\"approved\"", 1, 30000,
                            "--json bcf status CUM-BCF-17-19");
        assert_non_null(strstr(out, "\"ccgs_signed\":2"));
        assert_non_null(strstr(out, "\"dfg_county_keeps_pence\":60000000"));
        free(out);
    }
    /* A restart rebuilds the same plan from the ledger. */
    assert_int_equal(fed_stop_node(&f, NHSE, SIGTERM), 0);
    fed_start_node(&f, NHSE);
    fed_wait_connected(&f, NHSE);
    out = fed_cli_until(&f, NHSE, "\"outcome\":\"approved\"", 1, 30000,
                        "--json bcf status CUM-BCF-17-19");
    assert_non_null(strstr(out, "CCG sign-off by E38000216 (merged into E38000215, which carries"
                                " it)"));
    free(out);
    fed_destroy(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_it_bcf_approved_with_conditions),
        cmocka_unit_test(test_it_bcf_two_years_dfg_agreement_succession),
    };
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
