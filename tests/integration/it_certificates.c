/* SPDX-License-Identifier: Apache-2.0 */
/* Integration test of compact decision certificates: a certificate
 * carries the events that decide the board (its charter's adoption,
 * amendments, membership changes) and the proposal's own, each with its
 * receipt (a signed tree head and an inclusion proof), and leaves
 * unrelated decisions out. A decision taken after 100 unrelated decisions
 * of the same board has a certificate of the same events as one taken
 * after none; its size differs only by the longer inclusion proofs of a
 * larger log (a few hashes per event), where a certificate that carried
 * every event of the board would grow by the hundred decisions. Both
 * verify offline. Real broker and node processes; the three members vote
 * automatically. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "harness.h"

static const char *const s_codes[] = {"E06000026", "E38000129", "X24"};
static const char *const s_names[] = {"Plymouth City Council",
                                      "NHS Northern, Eastern and Western Devon CCG", "NHS England"};
#define COUNCIL 0
#define UNRELATED 100

static fed_t s_fed;

static int s_setup(void **state)
{
    *state = &s_fed; /* for fed_teardown */
    fed_create_from(&s_fed, s_codes, s_names, 3);
    for (int i = 0; i < 3; i++) {
        fed_node_config_append(&s_fed, i, "auto_vote = true\n");
    }
    /* A hundred decisions in a burst: one member's per-second envelope
     * quota would pace the secretary's proposals, which is not what this
     * test measures. */
    fed_broker_config_append(&s_fed,
                             "quota_envelopes_per_second = 0\nquota_bytes_per_second = 0\n");
    fed_start_broker(&s_fed);
    for (int i = 0; i < 3; i++) {
        fed_start_node(&s_fed, i);
    }
    for (int i = 0; i < 3; i++) {
        fed_wait_connected(&s_fed, i);
    }
    return 0;
}

static char *s_ok(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *s_ok(const char *fmt, ...)
{
    char args[1024];
    char *out = NULL;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    if (fed_cli(&s_fed, COUNCIL, &out, "%s", args) != 0) {
        fail_msg("`concord %s` failed: %s", args, out);
    }
    return out;
}

static void s_wait_closed(const char *id)
{
    char args[64];
    snprintf(args, sizeof args, "--json proposal show %s", id);
    free(fed_cli_until(&s_fed, COUNCIL, "\"outcome\":\"OPEN\"", 0, 120000, args));
}

/* Proposes a decision on the board and waits for it to be decided. */
static void s_decide(const char *title, char id[33])
{
    char *out = s_ok("--json propose --board DEVON --title '%s' --area community --amount 2m"
                     " --closes-in 120s",
                     title);
    fed_json_id(out, id);
    free(out);
    s_wait_closed(id);
}

/* Exports the decision's certificate, verifies it offline and returns its
 * size in bytes; *events is the number of events it carries. */
static long s_export(const char *id, const char *name, unsigned long long *events)
{
    char path[256], roster[256];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s.cert", s_fed.dir, name);
    snprintf(roster, sizeof roster, "%s/roster.bin", s_fed.dir);
    free(s_ok("decision export %s --out %s", id, path));
    char *out = s_ok("--json verify %s --roster %s", path, roster);
    assert_non_null(strstr(out, "\"outcome\":\"PASSED\""));
    const char *at = strstr(out, "\"events\":");
    assert_non_null(at);
    *events = strtoull(at + 9, NULL, 10);
    free(out);
    assert_int_equal(stat(path, &st), 0);
    return (long)st.st_size;
}

static void test_it_certificate_size_independent_of_unrelated_decisions(void **state)
{
    (void)state;
    char board[33], first[33], last[33], id[33], title[64];
    unsigned long long ev0 = 0, ev100 = 0, ev0_again = 0;
    char *out = s_ok("--json board create --id DEVON --name 'Devon Joint Commissioning Board'"
                     " --rule majority --quorum 1/2 --closes-in 120s"
                     " --member E06000026 --member E38000129 --member X24");
    fed_json_id(out, board);
    free(out);
    s_wait_closed(board);

    s_decide("Community stroke beds 000", first);
    long size0 = s_export(first, "first", &ev0);

    for (int i = 1; i <= UNRELATED; i++) {
        snprintf(title, sizeof title, "Unrelated decision %03d", i);
        out = s_ok("--json propose --board DEVON --title '%s' --area community --amount 1m"
                   " --closes-in 120s",
                   title);
        fed_json_id(out, id);
        free(out);
    }
    s_wait_closed(id); /* the last of them; the others were decided before it */

    s_decide("Community stroke beds 100", last);
    long size100 = s_export(last, "last", &ev100);
    /* The first decision's certificate, exported again now: unchanged. */
    long size0_again = s_export(first, "first-again", &ev0_again);

    /* One signature per delivered event: each tree head is checked once,
     * for a batch of events. */
    out = s_ok("--json status");
    const char *v = strstr(out, "\"envelopes_verified\":");
    const char *h = strstr(out, "\"tree_heads_verified\":");
    assert_non_null(v);
    assert_non_null(h);
    unsigned long long n_env = strtoull(v + 21, NULL, 10), n_heads = strtoull(h + 22, NULL, 10);
    print_message("signatures verified by one member: %llu envelopes delivered, %llu tree heads "
                  "(%.2f signatures per delivered event; version 1: 2.00)\n",
                  n_env, n_heads, (double)(n_env + n_heads) / (double)n_env);
    assert_true(n_env > 4 * UNRELATED);
    assert_true(n_heads <= n_env);
    free(out);

    /* The adoption with its three ballots, the decision with its three. */
    assert_int_equal(ev0, 8);
    assert_int_equal(ev100, ev0);
    assert_int_equal(size0_again, size0);
    /* Each event's inclusion proof is at most a few hashes longer in a log
     * of some 400 more entries (32 bytes and a tag and length each); the
     * hundred decisions and their 300 ballots are not there. */
    long proof_growth = (long)ev0 * 4 * 34;
    print_message("decision certificate: %ld bytes after no unrelated decision, %ld bytes after "
                  "%d (%llu events each; at most %ld bytes of longer proofs allowed)\n",
                  size0, size100, UNRELATED, ev100, proof_growth);
    assert_true(size100 >= size0 && size100 - size0 <= proof_growth);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_it_certificate_size_independent_of_unrelated_decisions),
    };
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, s_setup, fed_teardown);
}
