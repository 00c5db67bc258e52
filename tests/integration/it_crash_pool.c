/* SPDX-License-Identifier: Apache-2.0 */
/* Crash test for pooled funds: four Devon partners (two councils, two
 * CCGs) pledge their contributions to a s75 pooled fund for three years
 * while the broker is killed with SIGKILL at random moments and restarted
 * (2015/16 and 2016/17), then while random partner nodes are (2017/18).
 * Afterwards every acknowledged pledge is there exactly once, none twice,
 * every node prints the same statement for every year and the broker's
 * chain verifies.
 *
 * The schedule comes from CONCORD_SEED (printed; a time-derived one if
 * unset); CONCORD_CRASH_ROUNDS (default 2) runs that many consecutive
 * seeds, each on a fresh federation; CONCORD_CRASH_BROKER_KILLS (default 3)
 * the broker kills. Real broker and node processes. Under the ha labels
 * with CONCORD_TEST_BROKERS=2: an active and a standby broker on
 * PostgreSQL, each kill a failover (the killed one restarted as the
 * standby). */
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

#include "harness.h"

#define N_PARTNERS 4
#define N_YEARS 3

static const char *const s_codes[N_PARTNERS] = {"E06000026", "E38000129", "E06000027", "E38000152"};
static const char *const s_names[N_PARTNERS] = {"Plymouth City Council",
                                                "NHS Northern, Eastern and Western Devon CCG",
                                                "Torbay Council", "NHS South Devon and Torbay CCG"};
/* Contributions in pounds and pence, per partner. */
static const char *const s_amounts[N_PARTNERS] = {"131m", "331m", "40m", "120m"};
static const char *const s_pence[N_PARTNERS] = {"13100000000", "33100000000", "4000000000",
                                                "12000000000"};
static const int s_years[N_YEARS] = {2015, 2016, 2017};

/* The partners form a board, which must be unanimous; the host proposes
 * the agreement to it and every partner votes FOR. */
static void s_agree(fed_t *f)
{
    static const int members[N_PARTNERS] = {0, 1, 2, 3};
    char path[256], id[33], *out = NULL;
    fed_board_create(f, "DEVON-JCB", "unanimity", members, N_PARTNERS, 0);
    snprintf(path, sizeof path, "%s/devon.ini", f->dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("[pool]\nid = DEVON-IF\nname = Devon Integrated Fund\nkind = pooled-fund\n"
          "board = DEVON-JCB\n"
          "aims = Care closer to home across Plymouth, Torbay and Devon\nhost = E06000026\n"
          "nhs_function = Community health services\ncouncil_function = Adult social care\n"
          "client_group = Adults\nmanagement = Monthly reports to the fund board\n"
          "governance = Joint Commissioning Partnership\n",
          fp);
    for (int p = 0; p < N_PARTNERS; p++) {
        fprintf(fp, "[partner %s]\n", s_codes[p]);
        for (int y = 0; y < N_YEARS; y++) {
            fprintf(fp, "%d = %s\n", s_years[y], s_amounts[p]);
        }
    }
    fputs("[risk]\nbasis = pro-rata\n", fp);
    fclose(fp);
    if (fed_cli(f, 0, &out, "--json pool propose --file %s", path) != 0) {
        fail_msg("pool propose: %s", out);
    }
    fed_json_id(out, id);
    free(out);
    for (int p = 0; p < N_PARTNERS; p++) {
        fed_vote(f, p, id, "for");
    }
    /* The board recommends; each partner then executes the agreement. */
    for (int p = 0; p < N_PARTNERS; p++) {
        free(fed_cli_until(f, p, "AWAITING_EXECUTION", 1, 30000, "pool show DEVON-IF"));
        if (fed_cli(f, p, &out,
                    "pool execute DEVON-IF --authority Cabinet --decision-ref M/2017/1"
                    " --decision-date 2017-03-20 --signatory-role 'Chief Finance Officer'"
                    " --document %s",
                    path) != 0) {
            fail_msg("pool execute: %s", out);
        }
        free(out);
    }
    for (int p = 0; p < N_PARTNERS; p++) {
        free(fed_cli_until(f, p, "AWAITING_PLEDGES", 1, 30000, "pool show DEVON-IF"));
    }
}

/* The statement line showing partner p's pledge as agreed. */
static void s_pledged(int p, char *buf, size_t size)
{
    snprintf(buf, size, "\"partner\":\"%s\",\"contribution_pence\":%s,\"pledged_pence\":%s",
             s_codes[p], s_pence[p], s_pence[p]);
}

/* How many times node p's statement for year shows line, waiting up to
 * wait_ms for it to show at all. */
static int s_present(fed_t *f, int p, int year, const char *line, int wait_ms)
{
    for (int waited = 0;; waited += 200) {
        char *out = NULL;
        assert_int_equal(fed_cli(f, p, &out, "--json pool statement DEVON-IF --year %d", year), 0);
        int present = fed_count(out, line);
        free(out);
        if (present || waited >= wait_ms) {
            return present;
        }
        usleep(200 * 1000);
    }
}

/* Pledges for the given years in an order from the seed while the victim
 * is killed; checks each acknowledged pledge is recorded once and pledges
 * again any that was neither acknowledged nor recorded. */
static int s_pledge_round(fed_t *f, const int *years, int n_years, int victim, int kills,
                          uint64_t *rng)
{
    fed_step_t steps[N_PARTNERS * N_YEARS];
    int n = 0;
    for (int y = 0; y < n_years; y++) {
        for (int p = 0; p < N_PARTNERS; p++) {
            steps[n].node = p;
            snprintf(steps[n].args, sizeof steps[n].args,
                     "pool pledge DEVON-IF --year %d --amount %s", years[y], s_amounts[p]);
            n++;
        }
    }
    for (int i = n - 1; i > 0; i--) {
        int j = (int)fed_rand(rng, (uint32_t)i + 1);
        fed_step_t x = steps[i];
        steps[i] = steps[j];
        steps[j] = x;
    }
    int cycles = fed_chaos(f, steps, n, victim, kills, rng);
    for (int p = 0; p < N_PARTNERS; p++) {
        fed_wait_settled(f, p);
    }
    int acked = 0;
    for (int i = 0; i < n; i++) {
        char line[160];
        int p = steps[i].node, year = atoi(strstr(steps[i].args, "--year ") + 7);
        s_pledged(p, line, sizeof line);
        /* Not acknowledged may still be stored and on its way: the CLI
         * says so; give it time to come back before pledging again. */
        int present = s_present(f, p, year, line, steps[i].rc == 0 ? 0 : 15000);
        if (steps[i].rc == 0) {
            acked++;
            if (present != 1) {
                fail_msg("acknowledged pledge of %s for %d recorded %d times", s_codes[p], year,
                         present);
            }
        } else if (present == 0) {
            char *out = NULL;
            fprintf(stderr, "  pledge of %s for %d neither acknowledged (%s) nor recorded: again\n",
                    s_codes[p], year, steps[i].out && *steps[i].out ? steps[i].out : "killed");
            assert_int_equal(fed_cli(f, p, &out, "%s", steps[i].args), 0);
            free(out);
        } else {
            fprintf(stderr, "  pledge of %s for %d not acknowledged but recorded %d time(s)\n",
                    s_codes[p], year, present);
            assert_int_equal(present, 1);
        }
    }
    fprintf(stderr, "  %d of %d pledges acknowledged during the faults\n", acked, n);
    fed_chaos_free(steps, n);
    return cycles;
}

/* Same pool and statements on every node; one pledge event per pledge;
 * the chain verifies from every node. */
static void s_check(fed_t *f)
{
    for (int y = 0; y < N_YEARS; y++) {
        char args[80];
        snprintf(args, sizeof args, "--json pool statement DEVON-IF --year %d", s_years[y]);
        char *first = fed_cli_until(f, 0, "\"complete\":true", 1, 60000, args);
        for (int p = 1; p < N_PARTNERS; p++) {
            char *other = fed_cli_until(f, p, "\"complete\":true", 1, 60000, args);
            if (strcmp(first, other) != 0) {
                fail_msg("statements for %d differ:\n%s\n%s", s_years[y], first, other);
            }
            free(other);
        }
        free(first);
    }
    char *first = NULL, *out = NULL;
    assert_int_equal(fed_cli(f, 0, &first, "--json pool show DEVON-IF"), 0);
    assert_non_null(strstr(first, "ACTIVE"));
    for (int p = 0; p < N_PARTNERS; p++) {
        assert_int_equal(fed_cli(f, p, &out, "--json pool show DEVON-IF"), 0);
        assert_string_equal(first, out);
        free(out);
        assert_int_equal(fed_cli(f, p, &out, "--json ledger"), 0);
        int pledges = fed_count(out, "\"method\":\"concord.v1.Pool/Pledge\"");
        free(out);
        if (pledges != N_PARTNERS * N_YEARS) {
            fail_msg("%s holds %d pledge events, expected %d", s_codes[p], pledges,
                     N_PARTNERS * N_YEARS);
        }
        if (fed_cli(f, p, &out, "log verify") != 0 || !strstr(out, "broker log verified")) {
            fail_msg("log verify on %s: %s", s_codes[p], out);
        }
        free(out);
    }
    free(first);
}

/* The federation of the round under way; fed_teardown destroys it even
 * when a check fails. */
static fed_t s_fed;

static void s_round(uint64_t seed)
{
    fed_t *fp = &s_fed;
    uint64_t rng = seed;
    fprintf(stderr, " round with seed %llu\n", (unsigned long long)seed);
    fed_create_from(fp, s_codes, s_names, N_PARTNERS);
    fed_start_all(fp);
    s_agree(fp);
    fprintf(stderr, " pledges for 2015 and 2016, broker killed at random:\n");
    int cycles = s_pledge_round(fp, s_years, 2, FED_BROKER, fed_broker_kills(3), &rng);
    fprintf(stderr, " pledges for 2017, random nodes killed:\n");
    cycles += s_pledge_round(fp, s_years + 2, 1, FED_ANY_NODE, 2, &rng);
    s_check(fp);
    fprintf(stderr, " seed %llu: %d kill/restart cycles, all checks passed\n",
            (unsigned long long)seed, cycles);
    fed_destroy(fp);
}

static void test_it_crash_pool_pledges(void **state)
{
    (void)state;
    fed_rounds("it_crash_pool", 2, s_round);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_prestate_setup_teardown(test_it_crash_pool_pledges, NULL, fed_teardown,
                                                 &s_fed),
    };
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
