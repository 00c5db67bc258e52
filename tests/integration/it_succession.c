/* SPDX-License-Identifier: Apache-2.0 */
/* Integration tests for splits, with real processes, on a federation of
 * the Lancashire organisations whose territory the ONS lookups show
 * dividing in April 2018: NHS Morecambe Bay CCG (E38000216, CCG17) passed
 * 206 of its 216 LSOAs to NHS Morecambe Bay CCG (E38000228, CCG18) and 10
 * to NHS Fylde and Wyre CCG (E38000226); NHS Greater Preston CCG
 * (E38000065) 127 to E38000227 and 1 to Fylde and Wyre. A split by a
 * transfer scheme whose shares default to those LSOA shares: each
 * successor pledges its share of the pool's contribution, the pool
 * completes its year and its statement names the predecessor and the
 * shares; bad schemes are refused with named reasons. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

static const char *const s_codes[] = {"E10000017", "E38000216", "E38000065", "E38000228",
                                      "E38000227", "E38000226", "X24"};
static const char *const s_names[] = {"Lancashire County Council", "NHS Morecambe Bay CCG",
                                      "NHS Greater Preston CCG",   "NHS Morecambe Bay CCG",
                                      "NHS Greater Preston CCG",   "NHS Fylde and Wyre CCG",
                                      "NHS England"};
#define N_ORGS 7
#define LANCS 0   /* the host of the pool, the board's secretary */
#define MB17 1    /* splits, with pool obligations */
#define GP17 2    /* splits, with none */
#define MB18 3    /* principal successor of MB17 */
#define GP18 4    /* principal successor of GP17 */
#define FW 5      /* a successor of both */
#define NHSE 6    /* records delegations */

static fed_t s_fed;

static char *s_ok(int i, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *s_ok(int i, const char *fmt, ...)
{
    char args[4096];
    char *out = NULL;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    int rc = fed_cli(&s_fed, i, &out, "%s", args);
    if (rc != 0) {
        fail_msg("`concord %s` on %s failed (%d): %s", args, i < 0 ? "no node" : s_codes[i], rc,
                 out);
    }
    return out;
}

/* Runs a command that must fail, and returns its output. */
static char *s_refused(int i, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *s_refused(int i, const char *fmt, ...)
{
    char args[4096];
    char *out = NULL;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    int rc = fed_cli(&s_fed, i, &out, "%s", args);
    if (rc == 0) {
        fail_msg("`concord %s` on %s succeeded: %s", args, s_codes[i], out);
    }
    return out;
}

static void s_wait_outcome(int i, const char *id, const char *outcome)
{
    char args[64], needle[48];
    snprintf(args, sizeof args, "--json proposal show %s", id);
    snprintf(needle, sizeof needle, "\"outcome\":\"%s\"", outcome);
    free(fed_cli_until(&s_fed, i, needle, 1, 60000, args));
}

/* Proposes args on board LSC from node i, waits for it to pass. */
static void s_pass(int i, const char *args, char id[33])
{
    char *out = s_ok(i, "--json propose --board LSC --closes-in 10m %s", args);
    fed_json_id(out, id);
    free(out);
    s_wait_outcome(LANCS, id, "PASSED");
}

static int s_group_setup(void **state)
{
    (void)state;
    fed_t *f = &s_fed;
    char id[33];
    fed_create_from(f, s_codes, s_names, N_ORGS);
    for (int i = 0; i < N_ORGS; i++) {
        fed_node_config_append(f, i, "auto_vote = true\n");
    }
    fed_start_broker(f);
    for (int i = 0; i < N_ORGS; i++) {
        fed_start_node(f, i);
    }
    for (int i = 0; i < N_ORGS; i++) {
        fed_wait_connected(f, i);
    }
    char *out = s_ok(LANCS, "--json board create --id LSC --name 'Lancashire commissioning board'"
                            " --rule unanimity --member all --closes-in 10m");
    fed_json_id(out, id);
    free(out);
    s_wait_outcome(LANCS, id, "PASSED");
    return 0;
}

static int s_group_teardown(void **state)
{
    (void)state;
    fed_destroy(&s_fed);
    return 0;
}

/* Bad schemes are refused before they are put to the board. */
static void test_it_split_refused(void **state)
{
    (void)state;
    char *out = s_refused(LANCS, "propose --board LSC --split E38000216"
                                 " --successor E38000228=900 --successor E38000226=50");
    assert_non_null(strstr(out, "shares sum to 950 permille, not the whole (1000)"));
    free(out);
    out = s_refused(LANCS, "propose --board LSC --split E38000216"
                           " --successor E38000228=500 --successor E38000200=500");
    assert_non_null(strstr(out, "successor E38000200 is not a member of the roster"));
    free(out);
    out = s_refused(LANCS, "propose --board LSC --split E38000216"
                           " --successor E38000228=500 --successor E38000226");
    assert_non_null(strstr(out, "give a share for every --successor"));
    free(out);
    /* Shares by default need a later layer where every successor holds
     * some of the predecessor's LSOAs: Greater Preston gave none to
     * Morecambe Bay. */
    out = s_refused(LANCS, "propose --board LSC --split E38000065"
                           " --successor E38000228 --successor E38000226");
    assert_non_null(strstr(out, "give each share as --successor CODE=PERMILLE"));
    free(out);
}

/* Greater Preston, which has no pool obligations, splits by default
 * shares: 127 and 1 of its 128 LSOAs. */
static void test_it_split_without_obligations(void **state)
{
    (void)state;
    char id[33];
    s_pass(GP18, "--split E38000065 --successor E38000227 --successor E38000226", id);
    char *out = s_ok(LANCS, "proposal show %s", id);
    assert_non_null(strstr(out, "change     split E38000065 among E38000227 992/1000,"
                                " E38000226 8/1000 (LSOA shares of 128 LSOAs, ONS CCG17 ->"));
    assert_non_null(strstr(out, "Split: predecessor E38000065 voted FOR."));
    assert_non_null(strstr(out, "Split: successor E38000226 voted FOR."));
    free(out);
    /* The decision verifies offline, its consents recomputed. */
    char path[256];
    snprintf(path, sizeof path, "%s/split.cert", s_fed.dir);
    free(s_ok(FW, "decision export %s --out %s", id, path));
    out = s_ok(-1, "verify %s --roster %s/roster.bin", path, s_fed.dir);
    assert_non_null(strstr(out, "PASSED"));
    free(out);
    out = fed_cli_until(&s_fed, FW, "E38000065 split among", 1, 30000, "roster show");
    assert_non_null(strstr(out, "E38000227:992 E38000226:8"));
    free(out);
    /* Its seat passed to its principal successor, who sat there already. */
    out = s_ok(LANCS, "--json board show LSC");
    assert_null(strstr(out, "\"code\":\"E38000065\""));
    assert_non_null(strstr(out, "\"code\":\"E38000227\""));
    free(out);
}

/* Morecambe Bay, a partner of a pooled fund it has executed, splits; each
 * successor pledges its share and the pool completes its year without a
 * new agreement, with a statement naming the predecessor and the shares. */
static void test_it_split_pool(void **state)
{
    (void)state;
    fed_t *f = &s_fed;
    char pool[33], id[33], path[256];
    snprintf(path, sizeof path, "%s/BAY-POOL.ini", f->dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fprintf(fp, "[pool]\nid = BAY-POOL\nname = Morecambe Bay intermediate care\n"
                "kind = pooled-fund\naims = Care closer to home\nhost = E10000017\n"
                "nhs_function = Community health services\n"
                "council_function = Adult social care\nclient_group = Older people\n"
                "management = Monthly reports\ngovernance = Lancashire board\n"
                "[partner E10000017]\n2017 = 5m\n[partner E38000216]\n2017 = 7m\n"
                "[risk]\nbasis = pro-rata\n");
    fclose(fp);
    char *out = s_ok(LANCS, "--json pool propose --file %s --board LSC --closes-in 10m", path);
    fed_json_id(out, pool);
    free(out);
    s_wait_outcome(LANCS, pool, "PASSED");
    free(fed_cli_until(f, MB17, "AWAITING_EXECUTION", 1, 60000, "pool show BAY-POOL"));
    free(s_ok(LANCS, "pool execute BAY-POOL --authority Cabinet --decision-ref C/17/9"
                     " --decision-date 2017-03-16 --signatory-role 'Director of Finance'"
                     " --document %s",
              path));
    free(s_ok(MB17, "pool execute BAY-POOL --authority 'Governing Body' --decision-ref GB/17/3"
                    " --decision-date 2017-03-22 --signatory-role 'Chief Finance Officer'"
                    " --document %s",
              path));
    free(fed_cli_until(f, LANCS, "AWAITING_PLEDGES", 1, 60000, "pool show BAY-POOL"));
    /* Morecambe Bay held primary medical services by delegation. */
    free(s_ok(NHSE, "delegation record E38000216 --line primary-medical --from 2016-04-01"
                    " --level delegated --agreement-ref 'Morecambe Bay delegation 2016'"));
    free(fed_cli_until(f, LANCS, "Morecambe Bay delegation 2016", 1, 30000, "delegation list"));

    /* The split, by the LSOA shares of the shipped geography: 206 and 10
     * of 216 LSOAs, 954 and 46 permille by largest remainder. */
    s_pass(MB18, "--split E38000216 --successor E38000228 --successor E38000226", id);
    out = s_ok(LANCS, "proposal show %s", id);
    assert_non_null(strstr(out, "change     split E38000216 among E38000228 954/1000,"
                                " E38000226 46/1000 (LSOA shares of 216 LSOAs, ONS CCG17 ->"));
    free(out);
    out = fed_cli_until(f, FW, "split by decision", 1, 60000, "pool show BAY-POOL");
    assert_non_null(strstr(out, "E38000228 954/1000, E38000226 46/1000; E38000228 acts for it,"
                                " each pledges its share"));
    free(out);

    /* Splitting twice is refused. */
    out = s_refused(LANCS, "propose --board LSC --split E38000216"
                           " --successor E38000228=500 --successor E38000226=500");
    assert_non_null(strstr(out, "E38000216 was already split by decision"));
    free(out);

    /* Each successor pledges its own share of £7m: £6,678,000.00 and
     * £322,000.00; not another amount, and not the other's. */
    out = s_refused(MB18, "pool pledge BAY-POOL --year 2017 --amount 7m --partner E38000216");
    assert_non_null(strstr(out, "E38000228's share of E38000216's contribution for 2017/18 is"
                                " £6,678,000.00 (954 permille"));
    free(out);
    free(s_ok(MB18, "pool pledge BAY-POOL --year 2017 --amount 6678000 --partner E38000216"));
    out = s_refused(MB18, "pool pledge BAY-POOL --year 2017 --amount 6678000 --partner E38000216");
    assert_non_null(strstr(out, "already pledged its share"));
    free(out);
    free(fed_cli_until(f, FW, "\"pledged_pence\":667800000", 1, 60000,
                       "--json pool statement BAY-POOL --year 2017"));
    free(s_ok(FW, "pool pledge BAY-POOL --year 2017 --amount 322000 --partner E38000216"));
    free(s_ok(LANCS, "pool pledge BAY-POOL --year 2017 --amount 5m"));
    free(fed_cli_until(f, LANCS, "ACTIVE", 1, 60000, "pool show BAY-POOL"));
    free(s_ok(LANCS, "pool outturn BAY-POOL --year 2017 --spent 12.6m"));
    free(s_ok(LANCS, "pool sign-statement BAY-POOL --year 2017"));
    out = fed_cli_until(f, FW, "it matches", 1, 60000, "pool statement BAY-POOL --year 2017");
    assert_non_null(strstr(out, "E38000216 was split by decision"));
    /* The overspend of £600,000 falls 7/12 on Morecambe Bay's line, £350,000,
     * which its successors bear by their shares too. */
    assert_non_null(strstr(out, "E38000228 954/1000 owes £6,678,000.00, pledged £6,678,000.00,"
                                " bears £333,900.00 of the variance; E38000226 46/1000 owes"
                                " £322,000.00, pledged £322,000.00, bears £16,100.00 of the"
                                " variance."));
    assert_non_null(strstr(out, "all as agreed"));
    free(out);
    out = s_ok(FW, "--json pool statement BAY-POOL --year 2017");
    assert_non_null(strstr(out, "\"successor\":\"E38000226\",\"share_permille\":46,"
                                "\"owed_pence\":32200000,\"pledged_pence\":32200000"));
    free(out);
    /* The signed statement verifies offline, the split in its record. */
    snprintf(path, sizeof path, "%s/bay.cert", f->dir);
    free(s_ok(FW, "pool statement BAY-POOL --year 2017 --export %s", path));
    out = s_ok(-1, "pool verify %s --roster %s/roster.bin", path, f->dir);
    assert_non_null(strstr(out, "E38000216 was split by decision"));
    free(out);
}

/* The register of delegations follows the splits: Morecambe Bay's
 * delegation of primary medical services is held by each of its
 * successors from the split, so a primary-care decision needs NHS
 * England's FOR only for the one successor holding none (Greater Preston,
 * whose predecessor had none), until NHS England delegates to it too. */
static void test_it_split_delegations(void **state)
{
    (void)state;
    char id[33];
    char *out = s_ok(FW, "delegation list E38000226");
    assert_non_null(strstr(out, "E38000216  primary-medical"));
    assert_non_null(strstr(out, "held by E38000226 as its successor"));
    free(out);
    out = s_ok(MB18, "--json delegation list E38000228");
    assert_non_null(strstr(out, "\"carried_to\":\"E38000228\""));
    free(out);
    out = s_ok(GP18, "delegation list E38000227");
    assert_non_null(strstr(out, "no delegations recorded"));
    free(out);
    s_pass(LANCS, "--title 'Extend GP opening hours' --area primary-care --amount 1m"
                  " --effective 2018-05-01", id);
    out = s_ok(LANCS, "proposal show %s", id);
    assert_non_null(strstr(out, "primary-medical for E38000227 on 2018-05-01 is NHS England's to"
                                " commission (no delegation in the register"));
    assert_null(strstr(out, "for E38000228 on"));
    free(out);
    free(s_ok(NHSE, "delegation record E38000227 --line primary-medical --from 2018-04-01"
                    " --level delegated --agreement-ref 'Greater Preston delegation 2018'"));
    free(fed_cli_until(&s_fed, LANCS, "Greater Preston delegation 2018", 1, 30000,
                       "delegation list"));
    s_pass(LANCS, "--title 'Extend GP opening hours again' --area primary-care --amount 1m"
                  " --effective 2018-05-01", id);
    out = s_ok(LANCS, "proposal show %s", id);
    assert_null(strstr(out, "Reserved matter"));
    free(out);
}

/* A pool of a board this node does not sit on: it knows the agreement
 * and the executions, which are public, but not the pledges, so its
 * `pool show` says they are the board's business instead of showing a
 * pool forever awaiting pledges; a member sees them. */
static void test_it_pool_outside_its_board(void **state)
{
    (void)state;
    fed_t *f = &s_fed;
    char id[33], path[256];
    char *out = s_ok(LANCS, "--json board create --id FYLDE --name 'Fylde coast board'"
                            " --member E10000017 --member E38000226 --rule unanimity"
                            " --closes-in 10m");
    fed_json_id(out, id);
    free(out);
    s_wait_outcome(LANCS, id, "PASSED");
    snprintf(path, sizeof path, "%s/FYLDE-POOL.ini", f->dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fprintf(fp, "[pool]\nid = FYLDE-POOL\nname = Fylde coast falls service\n"
                "kind = pooled-fund\naims = Fewer falls\nhost = E10000017\n"
                "nhs_function = Community health services\n"
                "council_function = Adult social care\nclient_group = Older people\n"
                "management = Monthly reports\ngovernance = Fylde coast board\n"
                "[partner E10000017]\n2017 = 1m\n[partner E38000226]\n2017 = 2m\n"
                "[risk]\nbasis = pro-rata\n");
    fclose(fp);
    out = s_ok(LANCS, "--json pool propose --file %s --board FYLDE --closes-in 10m", path);
    fed_json_id(out, id);
    free(out);
    s_wait_outcome(LANCS, id, "PASSED");
    free(fed_cli_until(f, FW, "AWAITING_EXECUTION", 1, 60000, "pool show FYLDE-POOL"));
    free(s_ok(LANCS, "pool execute FYLDE-POOL --authority Cabinet --decision-ref C/17/12"
                     " --decision-date 2017-03-16 --signatory-role 'Director of Finance'"
                     " --document %s",
              path));
    free(s_ok(FW, "pool execute FYLDE-POOL --authority 'Governing Body' --decision-ref GB/17/8"
                  " --decision-date 2017-03-23 --signatory-role 'Chief Finance Officer'"
                  " --document %s",
              path));
    free(s_ok(FW, "pool pledge FYLDE-POOL --year 2017 --amount 2m"));
    out = fed_cli_until(f, FW, "AWAITING_PLEDGES", 1, 60000, "pool show FYLDE-POOL");
    assert_non_null(strstr(out, "E10000017 for 2017/18: agreed £1,000,000.00, no pledge"));
    free(out);
    /* NHS England is not on the Fylde board. */
    out = fed_cli_until(f, NHSE, "IN_FORCE", 1, 60000, "pool show FYLDE-POOL");
    assert_non_null(strstr(out, "contributions, pledges and outturns are the business of board"
                                " FYLDE's members; X24 is not one"));
    assert_non_null(strstr(out, "(as agreed; its pledges are the board's business)"));
    assert_null(strstr(out, "no pledge"));
    free(out);
    out = s_ok(NHSE, "--json pool show FYLDE-POOL");
    assert_non_null(strstr(out, "\"board_business\":true"));
    free(out);
    out = s_ok(FW, "--json pool show FYLDE-POOL");
    assert_non_null(strstr(out, "\"board_business\":false"));
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_it_split_refused),
        cmocka_unit_test(test_it_split_without_obligations),
        cmocka_unit_test(test_it_split_pool),
        cmocka_unit_test(test_it_split_delegations),
        cmocka_unit_test(test_it_pool_outside_its_board),
    };
    return cmocka_run_group_tests(tests, s_group_setup, s_group_teardown);
}
