/* Integration test for pooled funds: Plymouth City Council and NHS
 * Northern, Eastern and Western Devon CCG agree a s75 pooled fund (council
 * £131m, CCG £331m for 2017/18), pledge their own contributions, and the
 * host records an overspend; both nodes produce the same statement and the
 * same split. A pledge of the council's share signed by the CCG is refused
 * with the engine's reason. Real broker and node processes. */
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

static const char *const s_codes[] = {"E06000026", "E38000129"};
static const char *const s_names[] = {"Plymouth City Council",
                                      "NHS Northern, Eastern and Western Devon CCG"};

static const char s_agreement[] =
    "; Plymouth Integrated Fund (s75 pooled fund), 2017/18\n"
    "[pool]\n"
    "id = PLY-IF\n"
    "name = Plymouth Integrated Fund\n"
    "kind = pooled-fund\n"
    "aims = One system, one budget: care closer to home for the people of Plymouth\n"
    "host = E06000026\n"
    "nhs_function = Community health services\n"
    "nhs_function = Non-surgical emergency admissions\n"
    "council_function = Adult social care\n"
    "council_function = Children's services\n"
    "client_group = Adults\n"
    "client_group = Children and young people\n"
    "management = Monthly reports to the Integrated Fund Board\n"
    "governance = Joint Commissioning Partnership of council and CCG\n"
    "\n"
    "[partner E06000026]\n"
    "2017 = 131m\n"
    "\n"
    "[partner E38000129]\n"
    "2017/18 = 331m\n"
    "\n"
    "[risk]\n"
    "basis = pro-rata\n";

static void test_it_plymouth_pooled_fund(void **state)
{
    (void)state;
    fed_t f;
    char *out = NULL, *a = NULL, *b = NULL, path[256];
    fed_create_from(&f, s_codes, s_names, 2);
    fed_start_broker(&f);
    for (int i = 0; i < 2; i++) {
        fed_start_node(&f, i);
    }
    for (int i = 0; i < 2; i++) {
        fed_wait_connected(&f, i);
    }
    snprintf(path, sizeof path, "%s/plymouth.ini", f.dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(s_agreement, fp);
    fclose(fp);

    /* The council proposes: that is its AGREE. */
    assert_int_equal(fed_cli(&f, 0, &out, "--json pool propose --file %s", path), 0);
    assert_non_null(strstr(out, "\"status\":\"PROPOSED\""));
    free(out);
    /* The CCG agrees once it has the proposal: the agreement is decided. */
    free(fed_cli_until(&f, 1, "PROPOSED", 1, 30000, "pool show PLY-IF"));
    assert_int_equal(fed_cli(&f, 1, &out, "--json pool consent PLY-IF"), 0);
    assert_non_null(strstr(out, "\"status\":\"AWAITING_PLEDGES\""));
    free(out);

    /* The CCG cannot pledge the council's contribution. */
    assert_int_equal(
        fed_cli(&f, 1, &out, "pool pledge PLY-IF --year 2017 --amount 131m --partner E06000026"),
        1);
    assert_non_null(strstr(out, "E38000129 cannot pledge E06000026's contribution"));
    free(out);

    /* Each partner pledges its own. */
    free(fed_cli_until(&f, 0, "AWAITING_PLEDGES", 1, 30000, "pool show PLY-IF"));
    assert_int_equal(fed_cli(&f, 0, &out, "pool pledge PLY-IF --year 2017 --amount 131m"), 0);
    free(out);
    free(fed_cli_until(&f, 1,
                       "\"partner\":\"E06000026\",\"contribution_pence\":13100000000,"
                       "\"pledged_pence\":13100000000",
                       1, 30000, "--json pool statement PLY-IF --year 2017"));
    assert_int_equal(fed_cli(&f, 1, &out,
                             "--json pool pledge PLY-IF --year 2017/18"
                             " --amount 331000000"),
                     0);
    assert_non_null(strstr(out, "\"status\":\"ACTIVE\""));
    free(out);
    free(fed_cli_until(&f, 0, "ACTIVE", 1, 30000, "pool show PLY-IF"));

    /* The same statement on both nodes. */
    a = fed_cli_until(&f, 0, "\"complete\":true", 1, 30000,
                      "--json pool statement PLY-IF --year 2017");
    b = fed_cli_until(&f, 1, "\"complete\":true", 1, 30000,
                      "--json pool statement PLY-IF --year 2017");
    assert_string_equal(a, b);
    assert_non_null(strstr(a, "\"total_pence\":46200000000"));
    free(a);
    free(b);

    /* Only the host records the outturn. */
    assert_int_equal(fed_cli(&f, 1, &out, "pool outturn PLY-IF --year 2017 --spent 470m"), 1);
    free(out);
    assert_int_equal(fed_cli(&f, 0, &out,
                             "pool outturn PLY-IF --year 2017 --spent 470m"
                             " --note 'Winter pressures'"),
                     0);
    free(out);
    /* £8m overspent, shared pro rata: 131/462 and 331/462 of it. */
    a = fed_cli_until(&f, 0, "\"has_outturn\":true", 1, 30000,
                      "--json pool statement PLY-IF --year 2017");
    b = fed_cli_until(&f, 1, "\"has_outturn\":true", 1, 30000,
                      "--json pool statement PLY-IF --year 2017");
    assert_string_equal(a, b);
    assert_non_null(strstr(a, "\"variance_pence\":800000000"));
    free(a);
    free(b);
    assert_int_equal(fed_cli(&f, 0, &a, "pool statement PLY-IF --year 2017"), 0);
    assert_int_equal(fed_cli(&f, 1, &b, "pool statement PLY-IF --year 2017"), 0);
    assert_string_equal(a, b);
    free(a);
    free(b);
    assert_int_equal(fed_cli(&f, 0, &a, "pool statement PLY-IF --year 2017 --csv"), 0);
    assert_int_equal(fed_cli(&f, 1, &b, "pool statement PLY-IF --year 2017 --csv"), 0);
    assert_string_equal(a, b);
    /* 8m x 131/462 = 226,839,826.8 pence; 8m x 331/462 = 573,160,173.2. */
    assert_non_null(strstr(a, "PLY-IF,2017,E06000026,13100000000,13100000000,1,226839827,"));
    assert_non_null(strstr(a, "PLY-IF,2017,E38000129,33100000000,33100000000,1,573160173,"));
    free(a);
    free(b);

    /* A node restarted rebuilds the same pool from its ledger. */
    assert_int_equal(fed_stop_node(&f, 1, SIGTERM), 0);
    fed_start_node(&f, 1);
    fed_wait_connected(&f, 1);
    assert_int_equal(fed_cli(&f, 0, &a, "pool statement PLY-IF --year 2017"), 0);
    assert_int_equal(fed_cli(&f, 1, &b, "pool statement PLY-IF --year 2017"), 0);
    assert_string_equal(a, b);
    free(a);
    free(b);
    assert_int_equal(fed_cli(&f, 1, &out, "pool show PLY-IF"), 0);
    assert_non_null(strstr(out, "ACTIVE"));
    free(out);
    fed_destroy(&f);
}

/* A variation raising the council's contribution needs the CCG's consent,
 * then the council's new pledge; an agreement including surgery is
 * refused before it is published. */
static void test_it_variation_and_refusals(void **state)
{
    (void)state;
    fed_t f;
    char *out = NULL, path[256], vid[33];
    fed_create_from(&f, s_codes, s_names, 2);
    fed_start_broker(&f);
    for (int i = 0; i < 2; i++) {
        fed_start_node(&f, i);
    }
    for (int i = 0; i < 2; i++) {
        fed_wait_connected(&f, i);
    }
    snprintf(path, sizeof path, "%s/surgery.ini", f.dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(s_agreement, fp);
    fputs("[pool]\nnhs_function = General surgery\n", fp);
    fclose(fp);
    assert_int_equal(fed_cli(&f, 0, &out, "pool propose --file %s", path), 1);
    assert_non_null(strstr(out, "surgery is an NHS function excluded from s75 arrangements"));
    free(out);
    assert_int_equal(fed_cli(&f, 1, &out, "pool list"), 0);
    assert_non_null(strstr(out, "(no pools yet)"));
    free(out);

    snprintf(path, sizeof path, "%s/plymouth.ini", f.dir);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(s_agreement, fp);
    fclose(fp);
    assert_int_equal(fed_cli(&f, 0, &out, "pool propose --file %s", path), 0);
    free(out);
    free(fed_cli_until(&f, 1, "PROPOSED", 1, 30000, "pool show PLY-IF"));
    assert_int_equal(fed_cli(&f, 1, &out, "pool consent PLY-IF"), 0);
    free(out);
    free(fed_cli_until(&f, 0, "AWAITING_PLEDGES", 1, 30000, "pool show PLY-IF"));
    assert_int_equal(fed_cli(&f, 0, &out, "pool pledge PLY-IF --year 2017 --amount 131m"), 0);
    free(out);
    /* A second pledge of the same amount is refused. */
    assert_int_equal(fed_cli(&f, 0, &out, "pool pledge PLY-IF --year 2017 --amount 131m"), 1);
    assert_non_null(strstr(out, "ALREADY_EXISTS"));
    free(out);
    free(fed_cli_until(&f, 1, "AWAITING_PLEDGES", 1, 30000, "pool show PLY-IF"));
    assert_int_equal(fed_cli(&f, 1, &out, "pool pledge PLY-IF --year 2017 --amount 331m"), 0);
    free(out);
    free(fed_cli_until(&f, 0, "ACTIVE", 1, 30000, "pool show PLY-IF"));

    assert_int_equal(fed_cli(&f, 0, &out,
                             "--json pool vary PLY-IF --change E06000026:2017:135m"
                             " --reason 'Higher adult social care precept'"),
                     0);
    const char *v = strstr(out, "\"variations\":[{\"id\":\"");
    assert_non_null(v);
    memcpy(vid, v + 21, 32);
    vid[32] = '\0';
    assert_non_null(strstr(out, "\"status\":\"OPEN\""));
    free(out);
    free(fed_cli_until(&f, 1, vid, 1, 30000, "pool show PLY-IF"));
    assert_int_equal(fed_cli(&f, 1, &out, "pool consent PLY-IF --variation %s", vid), 0);
    assert_non_null(strstr(out, "PASSED"));
    assert_non_null(strstr(out, "AWAITING_PLEDGES"));
    free(out);
    free(fed_cli_until(&f, 0, "PASSED", 1, 30000, "pool show PLY-IF"));
    assert_int_equal(fed_cli(&f, 0, &out, "pool pledge PLY-IF --year 2017 --amount 135m"), 0);
    assert_non_null(strstr(out, "ACTIVE"));
    free(out);
    out = fed_cli_until(&f, 1, "\"total_pence\":46600000000", 1, 30000,
                        "--json pool statement PLY-IF --year 2017");
    assert_non_null(strstr(out, "\"complete\":true"));
    free(out);
    fed_destroy(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_it_plymouth_pooled_fund),
        cmocka_unit_test(test_it_variation_and_refusals),
    };
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
