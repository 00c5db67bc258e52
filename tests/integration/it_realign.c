/* SPDX-License-Identifier: Apache-2.0 */
/* Integration test for footprint realignment: North Yorkshire, split
 * across four April 2017 STP footprints (STP17), has its primary footprint set by a board of
 * the organisations concerned, and every node's alignment view shows it. */
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

static const char *const s_codes[] = {"E10000023", "E38000145", "E38000188", "X24"};
static const char *const s_names[] = {"North Yorkshire County Council",
                                      "NHS Scarborough and Ryedale CCG",
                                      "NHS Vale of York CCG", "NHS England"};

/* Waits until node i's view of the proposal is closed; returns it. */
static char *s_closed(fed_t *f, int i, const char *id)
{
    char args[64];
    snprintf(args, sizeof args, "--json proposal show %s", id);
    return fed_cli_until(f, i, "\"outcome\":\"OPEN\"", 0, 60000, args);
}

static void test_it_realignment_of_split_council(void **state)
{
    (void)state;
    fed_t f;
    char id[33];
    char *out = NULL;
    fed_create_from(&f, s_codes, s_names, 4);
    for (int i = 0; i < 4; i++) {
        fed_node_config_append(&f, i, "auto_vote = true\n");
    }
    fed_start_broker(&f);
    for (int i = 0; i < 4; i++) {
        fed_start_node(&f, i);
    }
    for (int i = 0; i < 4; i++) {
        fed_wait_connected(&f, i);
    }
    /* Geography alone: no declared primary. */
    assert_int_equal(fed_cli(&f, 1, &out, "--json footprint org E10000023 --layer STP17"), 0);
    assert_non_null(strstr(out, "\"declared_primary\":null"));
    free(out);

    assert_int_equal(fed_cli(&f, 0, &out,
                             "--json board create --id NY-FOOTPRINT --name 'North Yorkshire"
                             " footprint group' --rule unanimity --member E10000023 --member"
                             " E38000145 --member E38000188 --member X24 --closes-in 60s"),
                     0);
    fed_json_id(out, id);
    free(out);
    free(s_closed(&f, 0, id));

    /* A footprint the council does not touch is refused before sending. */
    assert_int_equal(fed_cli(&f, 0, &out,
                             "propose --board NY-FOOTPRINT --title 'Wrong' --realign"
                             " E10000023=E54000007"),
                     1);
    assert_non_null(strstr(out, "E54000007"));
    free(out);

    assert_int_equal(fed_cli(&f, 0, &out,
                             "--json propose --board NY-FOOTPRINT --title 'North Yorkshire"
                             " plans with Humber, Coast and Vale' --realign E10000023=E54000006"
                             " --closes-in 60s"),
                     0);
    fed_json_id(out, id);
    free(out);
    out = s_closed(&f, 2, id);
    assert_non_null(strstr(out, "\"outcome\":\"PASSED\""));
    free(out);
    /* Every node's view records it, next to the geographic shares. */
    for (int i = 0; i < 4; i++) {
        uint64_t end = clock_mono_ms() + 20000;
        int seen = 0;
        while (!seen && clock_mono_ms() < end) {
            assert_int_equal(fed_cli(&f, i, &out, "--json footprint org E10000023 --layer STP17"), 0);
            seen = strstr(out, "\"declared_primary\":\"E54000006\"") != NULL;
            if (seen) {
                assert_non_null(strstr(out, "\"lsoas\":142"));
            }
            free(out);
            if (!seen) {
                usleep(200 * 1000);
            }
        }
        if (!seen) {
            fail_msg("%s does not show the realignment", s_codes[i]);
        }
    }
    assert_int_equal(fed_cli(&f, 3, &out, "footprint show E54000006 --layer STP17"), 0);
    assert_non_null(strstr(out, "declared primary here"));
    free(out);
    fed_destroy(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_it_realignment_of_split_council),
    };
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
