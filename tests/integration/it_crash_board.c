/* SPDX-License-Identifier: Apache-2.0 */
/* Crash test for boards: a 23-member board shaped like the Greater
 * Manchester Joint Commissioning Board adopts its charter while the broker
 * is killed with SIGKILL at random moments and restarted, then decides a
 * proposal while random member nodes are killed and restarted, then a
 * third with one node killed while it stores a batch of deliveries read in
 * one wake-up. Afterwards no acknowledged ballot is lost, none counts
 * twice, every node reaches the same decision word for word and the
 * broker's chain verifies.
 *
 * The schedule comes from CONCORD_SEED (printed; a time-derived one if
 * unset); CONCORD_CRASH_ROUNDS (default 1) runs that many seeds in a row,
 * each on a fresh federation; CONCORD_CRASH_BROKER_KILLS (default 3) the
 * broker kills. Real broker and node processes. Under the ha labels with
 * CONCORD_TEST_BROKERS=2: an active and a standby broker on PostgreSQL,
 * each kill a failover (the killed one restarted as the standby), and the
 * chain verified from every node. */
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

static const char *const s_codes[] = {
    "E38000016", "E38000024", "E38000080", "E38000135", "E38000143", "E38000174",
    "E38000182", "E38000187", "E38000205", "E38000217", "E38000056", "E38000151",
    "E08000001", "E08000002", "E08000003", "E08000004", "E08000005", "E08000006",
    "E08000007", "E08000008", "E08000009", "E08000010", "X24"};
static const char *const s_names[] = {
    "NHS Bolton CCG", "NHS Bury CCG", "NHS Heywood, Middleton and Rochdale CCG",
    "NHS Oldham CCG", "NHS Salford CCG", "NHS Stockport CCG", "NHS Tameside and Glossop CCG",
    "NHS Trafford CCG", "NHS Wigan Borough CCG", "NHS Manchester CCG",
    "NHS Eastern Cheshire CCG", "NHS South Cheshire CCG", "Bolton Council", "Bury Council",
    "Manchester City Council", "Oldham Council", "Rochdale Council", "Salford City Council",
    "Stockport Council", "Tameside Council", "Trafford Council", "Wigan Council",
    "NHS England"};

#define N_BOARD 23
#define SECRETARY 14 /* Manchester City Council */
/* Even-numbered members vote by hand (through the CLI, so each ballot is
 * acknowledged or not); the others vote automatically. */
#define MANUAL(i) ((i) % 2 == 0)

static void s_start(fed_t *f)
{
    fed_create_from(f, s_codes, s_names, N_BOARD);
    for (int i = 0; i < N_BOARD; i++) {
        if (!MANUAL(i)) {
            fed_node_config_append(f, i, "auto_vote = true\n");
        }
    }
    fed_start_all(f);
}

/* How many times member m's ballot shows in m's own view of proposal id,
 * waiting up to wait_ms for it to show at all. */
static int s_present(fed_t *f, int m, const char *id, int wait_ms)
{
    char member[40];
    snprintf(member, sizeof member, "\"member\":\"%s\"", s_codes[m]);
    for (int waited = 0;; waited += 200) {
        char *out = NULL;
        assert_int_equal(fed_cli(f, m, &out, "--json proposal show %s", id), 0);
        int present = fed_count(out, member);
        free(out);
        if (present || waited >= wait_ms) {
            return present;
        }
        usleep(200 * 1000);
    }
}

/* Every hand-voting member votes FOR id, in an order from the seed, while
 * the victim is killed `kills` times; a ballot not acknowledged and not
 * recorded once things settle is cast again. Returns the cycles done. */
static int s_vote_round(fed_t *f, const char *id, int victim, int kills, uint64_t *rng)
{
    fed_step_t steps[N_BOARD];
    int order[N_BOARD], n = 0;
    for (int i = 0; i < N_BOARD; i++) {
        if (MANUAL(i)) {
            order[n++] = i;
        }
    }
    for (int i = n - 1; i > 0; i--) {
        int j = (int)fed_rand(rng, (uint32_t)i + 1), x = order[i];
        order[i] = order[j];
        order[j] = x;
    }
    for (int i = 0; i < n; i++) {
        steps[i].node = order[i];
        snprintf(steps[i].args, sizeof steps[i].args, "vote %s for --reason 'seat %d'", id,
                 order[i]);
    }
    int cycles = fed_chaos(f, steps, n, victim, kills, rng);
    for (int i = 0; i < N_BOARD; i++) {
        fed_wait_settled(f, i);
    }
    int acked = 0;
    for (int i = 0; i < n; i++) {
        int m = steps[i].node;
        /* Not acknowledged may still be stored and on its way: the CLI
         * says so; give it time to come back before voting again. */
        int present = s_present(f, m, id, steps[i].rc == 0 ? 0 : 15000);
        if (steps[i].rc == 0) {
            acked++;
            if (present != 1) {
                fail_msg("acknowledged ballot of %s recorded %d times on its own node",
                         s_codes[m], present);
            }
        } else if (present == 0) {
            char *out = NULL;
            fprintf(stderr, "  ballot of %s neither acknowledged (%s) nor recorded: cast again\n",
                    s_codes[m], steps[i].out && *steps[i].out ? steps[i].out : "killed");
            assert_int_equal(fed_cli(f, m, &out, "vote %s for", id), 0);
            free(out);
        } else {
            fprintf(stderr, "  ballot of %s not acknowledged but recorded %d time(s)\n",
                    s_codes[m], present);
            assert_int_equal(present, 1);
        }
    }
    fprintf(stderr, "  %d of %d hand ballots acknowledged during the faults\n", acked, n);
    fed_chaos_free(steps, n);
    return cycles;
}

/* Every node shows the same closed proposal, every member's ballot once. */
static void s_check_same_everywhere(fed_t *f, const char *id, const char *outcome)
{
    char args[64];
    snprintf(args, sizeof args, "--json proposal show %s", id);
    char *first = fed_cli_until(f, 0, "\"outcome\":\"OPEN\"", 0, 60000, args);
    if (!strstr(first, outcome)) {
        fail_msg("proposal %s: expected %s, got %s", id, outcome, first);
    }
    for (int m = 0; m < N_BOARD; m++) {
        char member[40];
        snprintf(member, sizeof member, "\"member\":\"%s\"", s_codes[m]);
        if (fed_count(first, member) != 1) {
            fail_msg("%s's ballot appears %d times in %s", s_codes[m], fed_count(first, member),
                     first);
        }
    }
    for (int i = 1; i < N_BOARD; i++) {
        char *other = fed_cli_until(f, i, "\"outcome\":\"OPEN\"", 0, 60000, args);
        if (strcmp(first, other) != 0) {
            fail_msg("%s and %s disagree on %s:\n%s\n%s", s_codes[0], s_codes[i], id, first,
                     other);
        }
        free(other);
    }
    free(first);
}

/* Ballot events in every ledger: the same number everywhere, one per
 * ballot counted; and the broker's chain verifies from several nodes. */
static void s_check_ledgers(fed_t *f, int ballots, uint64_t *rng)
{
    for (int i = 0; i < N_BOARD; i++) {
        char *out = NULL;
        assert_int_equal(fed_cli(f, i, &out, "--json ledger"), 0);
        int n = fed_count(out, "\"method\":\"concord.v1.Board/Vote\"");
        free(out);
        if (n != ballots) {
            fail_msg("%s holds %d ballot events, expected %d", s_codes[i], n, ballots);
        }
    }
    /* With active and standby brokers, from every node: the log crossed
     * every failover. */
    for (int k = 0; k < (f->port_b ? N_BOARD : 3); k++) {
        char *out = NULL;
        int i = f->port_b ? k : (int)fed_rand(rng, N_BOARD);
        if (fed_cli(f, i, &out, "log verify") != 0 || !strstr(out, "broker log verified")) {
            fail_msg("log verify on %s: %s", s_codes[i], out);
        }
        free(out);
    }
}

/* Ballots in a `proposal show --json`. */
static int s_ballots(fed_t *f, int i, const char *id)
{
    char *out = NULL;
    assert_int_equal(fed_cli(f, i, &out, "--json proposal show %s", id), 0);
    int n = fed_count(out, "\"vote\":\"");
    free(out);
    return n;
}

/* A node killed while it stores a batch: it is stopped (SIGSTOP) before
 * the proposal, so that the proposal and every other member's ballot pile
 * up on its connection; let go, it reads them in one wake-up and verifies,
 * stores and commits them as one batch, and is killed with SIGKILL a
 * seeded 0 to 40 ms later: before, during or after the commit. Restarted,
 * it must come to hold every ballot once, its own cast automatically:
 * whatever it acknowledged was durable, and whatever it had not, the
 * broker delivers again. Returns the kill/restart cycles (1). */
static int s_batch_kill(fed_t *f, char id[33], uint64_t *rng)
{
    char *out = NULL;
    int victim = 1 + 2 * (int)fed_rand(rng, N_BOARD / 2); /* odd: votes automatically */
    unsigned delay_ms = fed_rand(rng, 41);
    assert_int_equal(kill(f->node_pid[victim], SIGSTOP), 0);
    assert_int_equal(fed_cli(f, SECRETARY, &out,
                             "--json propose --board GM-JCB --title 'Shared discharge to assess"
                             " team' --area community --amount 3m --closes-in 600s"),
                     0);
    fed_json_id(out, id);
    free(out);
    for (int i = 0; i < N_BOARD; i++) {
        if (MANUAL(i) && i != victim) {
            assert_int_equal(fed_cli(f, i, &out, "vote %s for", id), 0);
            free(out);
        }
    }
    /* Every ballot but the victim's is logged (the secretary has folded
     * them all); they wait on the victim's connection. */
    for (int waited = 0; s_ballots(f, SECRETARY, id) < N_BOARD - 1; waited += 100) {
        if (waited > 60000) {
            fail_msg("the other members' ballots on %s never all arrived", id);
        }
        usleep(100 * 1000);
    }
    fprintf(stderr, "  %s stopped while %d ballots piled up; let go, killed after %u ms\n",
            s_codes[victim], N_BOARD - 1, delay_ms);
    assert_int_equal(kill(f->node_pid[victim], SIGCONT), 0);
    usleep(delay_ms * 1000);
    fed_stop_node(f, victim, SIGKILL);
    fed_start_node(f, victim);
    fed_wait_settled(f, victim);
    return 1;
}

/* The federation of the round under way; fed_teardown destroys it even
 * when a check fails. */
static fed_t s_fed;

static void s_round(uint64_t seed)
{
    fed_t *fp = &s_fed;
    char charter[33], id[33], members[N_BOARD * 24 + 1] = "";
    uint64_t rng = seed;
    s_start(fp);
    for (int i = 0; i < N_BOARD; i++) {
        size_t used = strlen(members);
        snprintf(members + used, sizeof members - used, " --member %s", s_codes[i]);
    }
    /* Unanimity: the proposal stays open until the last ballot. */
    char *out = NULL;
    if (fed_cli(fp, SECRETARY, &out,
                "--json board create --id GM-JCB --name 'Greater Manchester Joint"
                " Commissioning Board' --rule unanimity --quorum 1/2 --closes-in 600s%s",
                members) != 0) {
        fail_msg("board create: %s", out);
    }
    fed_json_id(out, charter);
    free(out);
    fprintf(stderr, " charter adoption %s, broker killed at random:\n", charter);
    int cycles = s_vote_round(fp, charter, FED_BROKER, fed_broker_kills(3), &rng);
    s_check_same_everywhere(fp, charter, "\"outcome\":\"PASSED\"");

    assert_int_equal(fed_cli(fp, SECRETARY, &out,
                             "--json propose --board GM-JCB --title 'Pool the health and social"
                             " care budget' --area social-care --amount 6.2bn --closes-in 600s"),
                     0);
    fed_json_id(out, id);
    free(out);
    fprintf(stderr, " proposal %s, random nodes killed:\n", id);
    cycles += s_vote_round(fp, id, FED_ANY_NODE, 3, &rng);
    s_check_same_everywhere(fp, id, "\"outcome\":\"PASSED\"");
    fprintf(stderr, " a node killed while it stores a batch of deliveries:\n");
    cycles += s_batch_kill(fp, id, &rng);
    s_check_same_everywhere(fp, id, "\"outcome\":\"PASSED\"");
    s_check_ledgers(fp, 3 * N_BOARD, &rng);
    fprintf(stderr, " seed %llu: %d kill/restart cycles, all checks passed\n",
            (unsigned long long)seed, cycles);
    fed_destroy(fp);
}

static void test_it_crash_board_round(void **state)
{
    (void)state;
    fed_rounds("it_crash_board", 1, s_round);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_prestate_setup_teardown(test_it_crash_board_round, NULL, fed_teardown,
                                                &s_fed),
    };
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
