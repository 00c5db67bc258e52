/* SPDX-License-Identifier: Apache-2.0 */
/* Integration test for Better Care Fund plans in a two-tier county, with
 * the real geography the nodes load from the shipped ONS lookups
 * (data/ons): Cumbria County Council (E10000006), whose six districts
 * (Allerdale, Barrow-in-Furness, Carlisle, Copeland, Eden, South Lakeland)
 * are the housing authorities, and the two CCGs whose LSOAs lie in it
 * (NHS Cumbria CCG E38000215, NHS Morecambe Bay CCG E38000216), with NHS
 * England (X24). A plan passing its DFG to the districts goes through HWB
 * agreement, council and both CCGs' sign-off and NHS England approval; a
 * plan leaving DFG with the county is refused; a plan one CCG has not
 * signed off is not approved. Real broker and node processes. */
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

enum { CUMBRIA, NORTH_CUMBRIA_CCG, MORECAMBE_BAY_CCG, NHSE, N_NODES };

static const char *const s_codes[] = {"E10000006", "E38000215", "E38000216", "X24"};
static const char *const s_names[] = {"Cumbria County Council", "NHS Cumbria CCG",
                                      "NHS Morecambe Bay CCG", "NHS England"};

/* A 2017/18 plan; dfg_lines are the [dfg] section's allocations. */
static void s_write_plan(const fed_t *f, const char *path, const char *id, int year,
                         const char *dfg_lines)
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
            "\n"
            "[conditions]\n"
            "nhs_social_care_maintained = yes\n"
            "out_of_hospital_investment = yes\n"
            "managing_transfers_of_care = yes\n",
            id, year, dfg_lines);
    fclose(fp);
    (void)f;
}

static const char s_dfg_to_districts[] = "E07000026 = 950000\n"
                                         "E07000027 = 600000\n"
                                         "E07000028 = 1.05m\n"
                                         "E07000029 = 700000\n"
                                         "E07000030 = 500000\n"
                                         "E07000031 = 1m\n";

static void s_start(fed_t *f)
{
    fed_create_from(f, s_codes, s_names, N_NODES);
    fed_start_broker(f);
    for (int i = 0; i < N_NODES; i++) {
        fed_start_node(f, i);
    }
    for (int i = 0; i < N_NODES; i++) {
        fed_wait_connected(f, i);
    }
}

static void s_ok(fed_t *f, int i, const char *expect, const char *args)
{
    char *out = NULL;
    if (fed_cli(f, i, &out, "%s", args) != 0) {
        fail_msg("node %d: %s failed: %s", i, args, out);
    }
    if (expect && !strstr(out, expect)) {
        fail_msg("node %d: %s: no '%s' in: %s", i, args, expect, out);
    }
    free(out);
}

static void test_it_cumbria_bcf_chain(void **state)
{
    (void)state;
    fed_t f;
    char *out = NULL, path[256];
    s_start(&f);

    /* Leaving £1m of DFG with the county is refused before publication. */
    snprintf(path, sizeof path, "%s/county-keeps-dfg.ini", f.dir);
    s_write_plan(&f, path, "CUM-BCF-17", 2017,
                 "E07000026 = 950000\nE07000027 = 600000\nE07000028 = 1.05m\n"
                 "E07000029 = 700000\nE07000030 = 500000\n");
    assert_int_equal(fed_cli(&f, CUMBRIA, &out, "bcf plan --file %s", path), 1);
    assert_non_null(strstr(out, "of the Disabled Facilities Grant with county E10000006"));
    free(out);
    /* So is DFG allocated to the county itself. */
    snprintf(path, sizeof path, "%s/county-allocates-itself.ini", f.dir);
    s_write_plan(&f, path, "CUM-BCF-17", 2017,
                 "E07000026 = 950000\nE07000027 = 600000\nE07000028 = 1.05m\n"
                 "E07000029 = 700000\nE07000030 = 500000\nE10000006 = 1m\n");
    assert_int_equal(fed_cli(&f, CUMBRIA, &out, "bcf plan --file %s", path), 1);
    assert_non_null(strstr(out, "with county E10000006"));
    free(out);
    assert_int_equal(fed_cli(&f, CUMBRIA, &out, "bcf status CUM-BCF-17"), 1);
    free(out);

    /* The whole DFG passed to the six districts: accepted. */
    snprintf(path, sizeof path, "%s/cumbria.ini", f.dir);
    s_write_plan(&f, path, "CUM-BCF-17", 2017, s_dfg_to_districts);
    assert_int_equal(fed_cli(&f, CUMBRIA, &out, "--json bcf plan --file %s", path), 0);
    /* 31.2m + 9.8m + 4.8m + 8.5m + 1m */
    assert_non_null(strstr(out, "\"total_pence\":5530000000"));
    free(out);

    /* NHS England cannot approve before the HWB has agreed. */
    free(fed_cli_until(&f, NHSE, "awaiting sign-off", 1, 30000, "bcf status CUM-BCF-17"));
    assert_int_equal(fed_cli(&f, NHSE, &out, "bcf approve CUM-BCF-17"), 1);
    assert_non_null(strstr(out, "the HWB has not yet agreed BCF plan CUM-BCF-17"));
    free(out);
    /* Only the council records its HWB's agreement. */
    free(fed_cli_until(&f, MORECAMBE_BAY_CCG, "awaiting sign-off", 1, 30000,
                       "bcf status CUM-BCF-17"));
    assert_int_equal(fed_cli(&f, MORECAMBE_BAY_CCG, &out, "bcf sign CUM-BCF-17 --act hwb"), 1);
    assert_non_null(strstr(out, "only E10000006, the HWB council"));
    free(out);

    s_ok(&f, CUMBRIA, NULL, "bcf sign CUM-BCF-17 --act hwb --note 'HWB meeting 14 September 2017'");
    s_ok(&f, CUMBRIA, NULL, "bcf sign CUM-BCF-17 --act council");
    free(fed_cli_until(&f, NORTH_CUMBRIA_CCG, "council sign-off done", 1, 30000,
                       "bcf status CUM-BCF-17"));
    s_ok(&f, NORTH_CUMBRIA_CCG, NULL, "bcf sign CUM-BCF-17 --act ccg");

    /* Morecambe Bay CCG has not signed off: NHS England's approval is refused. */
    out = fed_cli_until(&f, NHSE, "CCG sign-off 1 of 2", 1, 30000, "bcf status CUM-BCF-17");
    assert_non_null(strstr(out, "E38000216"));
    free(out);
    assert_int_equal(fed_cli(&f, NHSE, &out, "bcf approve CUM-BCF-17"), 1);
    assert_non_null(strstr(out, "NHS England cannot approve BCF plan CUM-BCF-17 yet: missing"));
    assert_non_null(strstr(out, "E38000216"));
    free(out);

    s_ok(&f, MORECAMBE_BAY_CCG, NULL, "bcf sign CUM-BCF-17 --act ccg");
    free(fed_cli_until(&f, NHSE, "awaiting NHS England approval", 1, 30000,
                       "bcf status CUM-BCF-17"));
    s_ok(&f, NHSE, "APPROVED by NHS England", "bcf sign CUM-BCF-17 --act nhse");

    /* Every node sees the same approved plan. */
    char *first = NULL;
    for (int i = 0; i < N_NODES; i++) {
        out = fed_cli_until(&f, i, "\"approved\":true", 1, 30000, "--json bcf status CUM-BCF-17");
        assert_non_null(strstr(out, "\"dfg_to_districts_pence\":480000000"));
        assert_non_null(strstr(out, "\"missing\":\"\""));
        if (!first) {
            first = out;
        } else {
            assert_string_equal(first, out);
            free(out);
        }
    }
    free(first);
    fed_destroy(&f);
}

/* A plan Morecambe Bay CCG never signs off stays unapproved on every
 * node, also after a restart rebuilds the engine from the ledger. */
static void test_it_bcf_skipped_ccg(void **state)
{
    (void)state;
    fed_t f;
    char *out = NULL, path[256];
    s_start(&f);
    /* The ONS lookups are read only when a BCF event first needs them. */
    for (int i = 0; i < N_NODES; i++) {
        assert_false(fed_log_contains(&f, f.codes[i], "HWB areas"));
    }
    snprintf(path, sizeof path, "%s/cumbria-18.ini", f.dir);
    s_write_plan(&f, path, "CUM-BCF-18", 2018, s_dfg_to_districts);
    assert_int_equal(fed_cli(&f, CUMBRIA, &out, "bcf plan --file %s", path), 0);
    free(out);
    assert_true(fed_log_contains(&f, f.codes[CUMBRIA], "152 HWB areas from the ONS lookups"));
    s_ok(&f, CUMBRIA, NULL, "bcf sign CUM-BCF-18 --act hwb");
    s_ok(&f, CUMBRIA, NULL, "bcf sign CUM-BCF-18 --act council");
    free(fed_cli_until(&f, NORTH_CUMBRIA_CCG, "council sign-off done", 1, 30000,
                       "bcf status CUM-BCF-18"));
    s_ok(&f, NORTH_CUMBRIA_CCG, NULL, "bcf sign CUM-BCF-18 --act ccg");
    free(fed_cli_until(&f, NHSE, "CCG sign-off 1 of 2", 1, 30000, "bcf status CUM-BCF-18"));
    assert_int_equal(fed_cli(&f, NHSE, &out, "bcf approve CUM-BCF-18"), 1);
    assert_non_null(strstr(out, "FAILED_PRECONDITION"));
    assert_non_null(strstr(out, "CCG sign-off by E38000216"));
    free(out);

    assert_true(fed_log_contains(&f, f.codes[NHSE], "152 HWB areas from the ONS lookups"));
    assert_int_equal(fed_stop_node(&f, NHSE, SIGTERM), 0);
    fed_start_node(&f, NHSE);
    fed_wait_connected(&f, NHSE);
    for (int i = 0; i < N_NODES; i++) {
        out = fed_cli_until(&f, i, "\"approved\":false", 1, 30000, "--json bcf status CUM-BCF-18");
        assert_non_null(strstr(out, "\"ccgs_signed\":1"));
        assert_non_null(strstr(out, "CCG sign-off by E38000216"));
        free(out);
    }
    fed_destroy(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_it_cumbria_bcf_chain),
        cmocka_unit_test(test_it_bcf_skipped_ccg),
    };
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
