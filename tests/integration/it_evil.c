/* SPDX-License-Identifier: Apache-2.0 */
/* Integration tests against a lying broker (tests/integration/evil_broker):
 * nodes do not trust the broker. An envelope with one byte altered is
 * refused for its signature, a replay at a new log index and an envelope
 * delivered out of its sender's sequence are refused, each with the reason
 * in the node's log and nothing stored; `concord log verify` names the
 * index of a log entry the broker hides or swaps, whether or not it
 * rewrites the tree to cover it, and verifies a log whose entries come as
 * their leaf hash alone; a broker that forks its log, showing
 * one member heads of the same size as everyone's but with other roots,
 * is caught by `log verify` on that member. The envelopes are pool agreements put
 * to a board of all three, whose nodes vote automatically: the council and
 * NHS England pass one without the CCG. Real broker and node processes. */
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

#include "board.pb-c.h"
#include "clock.h"
#include "envelope.h"
#include "harness.h"
#include "wire.h"

static const char *const s_codes[] = {"E06000026", "E38000129", "X24"};
static const char *const s_names[] = {"Plymouth City Council",
                                      "NHS Northern, Eastern and Western Devon CCG", "NHS England"};
#define COUNCIL 0
#define CCG 1 /* the victim of the delivery faults */
#define NHSE 2

static fed_t s_fed;

static int s_setup(void **state)
{
    *state = &s_fed; /* for fed_teardown */
    fed_create_from(&s_fed, s_codes, s_names, 3);
    fed_start_with_pool_board(&s_fed);
    return 0;
}

/* Replaces the broker with the evil one in mode (NULL: the honest broker). */
static void s_broker(const char *mode, const char *method, const char *index, int rechain)
{
    fed_stop_broker(&s_fed, SIGTERM);
    unsetenv("CONCORD_EVIL");
    unsetenv("CONCORD_EVIL_VICTIM");
    unsetenv("CONCORD_EVIL_METHOD");
    unsetenv("CONCORD_EVIL_INDEX");
    unsetenv("CONCORD_EVIL_RECHAIN");
    if (mode) {
        setenv("CONCORD_EVIL", mode, 1);
        setenv("CONCORD_EVIL_VICTIM", s_codes[CCG], 1);
        if (method) {
            setenv("CONCORD_EVIL_METHOD", method, 1);
        }
        if (index) {
            setenv("CONCORD_EVIL_INDEX", index, 1);
        }
        setenv("CONCORD_EVIL_RECHAIN", rechain ? "1" : "0", 1);
        fed_start_broker_as(&s_fed, "evil_broker");
    } else {
        fed_start_broker(&s_fed);
    }
    usleep(300 * 1000); /* let the nodes notice the old broker has gone */
    for (int i = 0; i < 3; i++) {
        fed_wait_connected(&s_fed, i);
    }
}

/* The victim's view: whether it holds pool id. */
static int s_victim_has(const char *id)
{
    char *out = NULL;
    assert_int_equal(fed_cli(&s_fed, CCG, &out, "pool list"), 0);
    int has = strstr(out, id) != NULL;
    free(out);
    return has;
}

/* How many board proposals node i's ledger holds. */
static int s_proposals_stored(int i)
{
    char *out = NULL;
    assert_int_equal(fed_cli(&s_fed, i, &out, "--json ledger"), 0);
    int n = fed_count(out, "\"method\":\"concord.v1.Board/Propose\"");
    free(out);
    return n;
}

static void test_it_evil_altered_byte_refused_for_signature(void **state)
{
    (void)state;
    int before = s_proposals_stored(CCG);
    s_broker("alter", "Board/Propose", NULL, 0);
    fed_pool_propose(&s_fed, COUNCIL, "ALTERED", NULL);
    /* NHS England, not a victim, has it; the CCG refused it. */
    free(fed_cli_until(&s_fed, NHSE, "ALTERED", 1, 30000, "pool list"));
    assert_true(fed_wait_log(&s_fed, s_codes[CCG], "bad signature from E06000026", 15000));
    assert_false(s_victim_has("ALTERED"));
    assert_int_equal(s_proposals_stored(CCG), before);
    assert_int_equal(s_proposals_stored(NHSE), before + 1);
    char *out = NULL;
    assert_int_equal(fed_cli(&s_fed, CCG, &out, "--json status"), 0);
    assert_null(strstr(out, "\"rejected\":0"));
    free(out);
}

static void test_it_evil_replay_at_new_index_refused(void **state)
{
    (void)state;
    char id[33], args[64];
    int before = s_proposals_stored(CCG);
    s_broker("replay", "Board/Propose", NULL, 0);
    fed_pool_propose(&s_fed, COUNCIL, "REPLAYED", id);
    free(fed_cli_until(&s_fed, CCG, "REPLAYED", 1, 30000, "pool list"));
    assert_true(fed_wait_log(&s_fed, s_codes[CCG], "was already delivered at log index", 15000));
    /* Not folded a second time: the engines saw no second proposal. */
    char *a = NULL;
    assert_int_equal(fed_cli(&s_fed, CCG, &a, "pool rejections"), 0);
    assert_null(strstr(a, "REPLAYED"));
    free(a);
    assert_int_equal(s_proposals_stored(CCG), before + 1);
    snprintf(args, sizeof args, "--json proposal show %s", id);
    fed_assert_same(&s_fed, CCG, NHSE, args);
    fed_assert_same(&s_fed, CCG, NHSE, "--json pool show REPLAYED");
}

static void test_it_evil_reordered_delivery_refused_for_sequence(void **state)
{
    (void)state;
    s_broker("reorder", "Board/Propose", NULL, 0);
    fed_pool_propose(&s_fed, COUNCIL, "FIRST", NULL);
    fed_pool_propose(&s_fed, COUNCIL, "SECOND", NULL);
    /* Pool agreements go to every node ("*"): the CCG gets SECOND, then
     * FIRST with a lower sequence, and refuses it. */
    free(fed_cli_until(&s_fed, CCG, "SECOND", 1, 30000, "pool list"));
    assert_true(fed_wait_log(&s_fed, s_codes[CCG], "from E06000026 is not above", 15000));
    assert_false(s_victim_has("FIRST"));
    free(fed_cli_until(&s_fed, NHSE, "FIRST", 1, 30000, "pool list"));
}

static void test_it_evil_reordered_delivery_folded_in_log_order(void **state)
{
    (void)state;
    char *out = NULL;
    s_broker("reorder", "Board/Propose", NULL, 0);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(fed_cli(&s_fed, COUNCIL, &out,
                                 "propose --board " FED_POOL_BOARD " --title %s --area acute",
                                 i ? "SECOND-DECISION" : "FIRST-DECISION"),
                         0);
        free(out);
    }
    /* A board's business goes to its members ("board:ID"): the CCG gets
     * SECOND, then FIRST below what it has folded. A board's event there is
     * history (PROTOCOL.md section 8.5, step 9): stored, and the node folds
     * its ledger again in log order, so it holds both, as NHS England does,
     * and never folds out of order. */
    free(fed_cli_until(&s_fed, CCG, "SECOND-DECISION", 1, 30000, "proposal list"));
    assert_true(fed_wait_log(&s_fed, s_codes[CCG], "folded the ledger again", 15000));
    free(fed_cli_until(&s_fed, CCG, "FIRST-DECISION", 1, 30000, "proposal list"));
    free(fed_cli_until(&s_fed, NHSE, "FIRST-DECISION", 1, 30000, "proposal list"));
}

static void test_it_evil_lost_envelope_overtaken_is_sent_again(void **state)
{
    (void)state;
    char path[256], args[300], out_path[256];
    /* The broker loses the council's first proposal twice, as a dying
     * connection would, while its second gets through: the first is then
     * refused for its sequence, and must not be lost. */
    s_broker("lose", "OVERTAKEN", NULL, 0);
    fed_pool_agreement(&s_fed, "OVERTAKEN", path, sizeof path);
    snprintf(args, sizeof args, "pool propose --file %s", path);
    snprintf(out_path, sizeof out_path, "%s/run/overtaken.out", s_fed.dir);
    pid_t first = fed_cli_bg(&s_fed, COUNCIL, out_path, args);
    usleep(100 * 1000);
    fed_pool_propose(&s_fed, COUNCIL, "OVERTAKER", NULL);
    assert_true(
        fed_wait_log(&s_fed, s_codes[COUNCIL], "was overtaken by a later one of ours", 15000));
    for (int i = 0; i < 3; i++) {
        free(fed_cli_until(&s_fed, i, "OVERTAKEN", 1, 30000, "pool list"));
    }
    fed_assert_same(&s_fed, COUNCIL, NHSE, "--json pool show OVERTAKEN");
    /* Its CLI waited for the first sealing; it is told to look later. */
    kill(first, SIGKILL);
    fed_cli_wait(first);
    fed_wait_settled(&s_fed, COUNCIL);
}

/* `log verify` on NHS England against the broker in mode must fail with
 * DATA_LOSS, saying needle. */
static void s_expect_verify_fails(const char *mode, int rechain, const char *needle)
{
    char *out = NULL;
    s_broker(mode, NULL, "2", rechain);
    assert_int_equal(fed_cli(&s_fed, NHSE, &out, "log verify"), 1);
    if (!strstr(out, "DATA_LOSS") || !strstr(out, needle)) {
        fail_msg("%s%s: expected DATA_LOSS and '%s', got: %s", mode, rechain ? " (rechained)" : "",
                 needle, out);
    }
    free(out);
}

/* A member signs a proposal whose title is not UTF-8 ("Bad \xff title":
 * C would read it, a standard protobuf decoder would not) and a broker in
 * league with it logs it: the CCG refuses the delivery, naming the field,
 * stores nothing and shows no such proposal. */
static void test_it_evil_invalid_utf8_title_refused_by_nodes(void **state)
{
    (void)state;
    char path[256];
    Concord__V1__Proposal p = CONCORD__V1__PROPOSAL__INIT;
    p.board_id = FED_POOL_BOARD;
    p.title = "Bad X title";
    p.kind = CONCORD__V1__PROPOSAL_KIND__COMMISSIONING_DECISION;
    p.area = CONCORD__V1__SERVICE_AREA__ACUTE;
    p.closes_at_ms = clock_wall_ms() + 3600 * 1000;
    uint8_t *body = NULL, *env = NULL;
    size_t body_len = 0, env_len = 0;
    assert_int_equal(wire_pack(&p.base, WIRE_MAX_FRAME, &body, &body_len, NULL), 0);
    uint8_t *x = memchr(body, 'X', body_len);
    assert_non_null(x);
    *x = 0xff;
    envelope_meta_t m = {
        .method = "concord.v1.Board/Propose",
        .recipient = ENVELOPE_EVERYONE,
        .sent_at_ms = clock_wall_ms(),
        .sequence = 1000000,
        .kind = CONCORD__V1__KIND__KIND_EVENT,
    };
    memset(m.call_id, 0x5b, sizeof m.call_id);
    keys_t *k = fed_keys(&s_fed, NHSE);
    assert_int_equal(envelope_seal(k, &m, body, body_len, &env, &env_len, NULL), 0);
    keys_destroy(&k);
    snprintf(path, sizeof path, "%s/smuggled.bin", s_fed.dir);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(env, 1, env_len, fp), env_len);
    fclose(fp);
    free(env);
    free(body);

    int before = s_proposals_stored(CCG);
    setenv("CONCORD_EVIL_FILE", path, 1);
    s_broker("smuggle", "Board/Propose", NULL, 0);
    unsetenv("CONCORD_EVIL_FILE");
    fed_pool_propose(&s_fed, COUNCIL, "CARRIER", NULL);
    free(fed_cli_until(&s_fed, CCG, "CARRIER", 1, 30000, "pool list"));
    assert_true(fed_wait_log(&s_fed, s_codes[CCG], "Proposal.title is not valid UTF-8 at byte 4",
                             15000));
    /* The carrier was stored; the smuggled proposal was not. */
    assert_int_equal(s_proposals_stored(CCG), before + 1);
    char *out = NULL;
    assert_int_equal(fed_cli(&s_fed, CCG, &out, "proposal list"), 0);
    assert_null(strstr(out, "Bad "));
    free(out);
}

/* `concord ping` shows who signed the reply, never who its body claims to
 * be: a broker whose Health answer claims to be NHS England is refused,
 * naming its real signer; an honest answer shows the verified signer. */
static void test_it_evil_ping_shows_the_verified_signer(void **state)
{
    (void)state;
    char *out = NULL;
    setenv("CONCORD_EVIL_CLAIM", s_codes[NHSE], 1);
    s_broker("impersonate", NULL, NULL, 0);
    unsetenv("CONCORD_EVIL_CLAIM");
    assert_int_equal(fed_cli(&s_fed, COUNCIL, &out, "ping broker"), 1);
    assert_non_null(strstr(out, "PERMISSION_DENIED: ping broker: the reply signed by broker "
                                "claims to come from 'X24': refused"));
    free(out);
    assert_int_equal(fed_cli(&s_fed, COUNCIL, &out, "--json ping X24"), 0);
    assert_non_null(strstr(out, "\"responder\":\"X24\""));
    free(out);
}

static void test_it_evil_log_verify_names_dropped_or_reordered_entry(void **state)
{
    (void)state;
    char *out = NULL;
    s_broker(NULL, NULL, NULL, 0);
    assert_int_equal(fed_cli(&s_fed, NHSE, &out, "log verify"), 0);
    free(out);
    s_expect_verify_fails("log-drop", 0, "log entry 2 missing or out of order (got 3)");
    s_expect_verify_fails("log-reorder", 0, "log entry 2 missing or out of order (got 3)");
    /* A broker that rewrites the tree to hide the change is caught by the
     * receipts the node holds. */
    s_expect_verify_fails("log-drop", 1,
                          "the broker's log at index 2 differs from the receipt this node holds");
    s_expect_verify_fails("log-reorder", 1,
                          "the broker's log at index 2 differs from the receipt this node holds");
    /* Entries given as their leaf hash alone (a reader not entitled to
     * them) still verify: the tree, the heads and the receipts. */
    s_broker("log-leaves", NULL, NULL, 0);
    assert_int_equal(fed_cli(&s_fed, NHSE, &out, "log verify"), 0);
    assert_non_null(strstr(out, "broker log verified"));
    free(out);
    assert_true(fed_log_contains(&s_fed, "broker", "leaf hashes for even entries"));
    /* The genuine log still verifies. */
    s_broker(NULL, NULL, NULL, 0);
    assert_int_equal(fed_cli(&s_fed, NHSE, &out, "log verify"), 0);
    assert_non_null(strstr(out, "broker log verified"));
    free(out);
}

/* The log's size, from a member's `log verify`. */
static unsigned long long s_log_size(int i)
{
    char *out = NULL;
    assert_int_equal(fed_cli(&s_fed, i, &out, "--json log verify"), 0);
    const char *at = strstr(out, "\"entries\":");
    assert_non_null(at);
    unsigned long long n = strtoull(at + 10, NULL, 10);
    free(out);
    return n;
}

static void test_it_evil_forked_log_caught_by_member_holding_both_heads(void **state)
{
    (void)state;
    char *out = NULL, index[32];
    s_broker(NULL, NULL, NULL, 0);
    /* From the newest entry on, the CCG is shown another history. */
    snprintf(index, sizeof index, "%llu", s_log_size(NHSE));
    s_broker("fork", NULL, index, 0);
    /* Its own proposal: the result carries the head everyone gets, the
     * delivery a head of the same size over the forked tree. */
    fed_pool_propose(&s_fed, CCG, "FORKED", NULL);
    free(fed_cli_until(&s_fed, NHSE, "FORKED", 1, 30000, "pool list"));
    assert_true(fed_wait_log(&s_fed, s_codes[CCG], "forked its log", 15000));
    assert_int_equal(fed_cli(&s_fed, CCG, &out, "log verify"), 1);
    if (!strstr(out, "DATA_LOSS") || !strstr(out, "a fork")) {
        fail_msg("expected DATA_LOSS and a fork, got: %s", out);
    }
    free(out);
    /* A member shown only the honest history finds nothing wrong. */
    assert_int_equal(fed_cli(&s_fed, NHSE, &out, "log verify"), 0);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_it_evil_altered_byte_refused_for_signature),
        cmocka_unit_test(test_it_evil_replay_at_new_index_refused),
        cmocka_unit_test(test_it_evil_reordered_delivery_refused_for_sequence),
        cmocka_unit_test(test_it_evil_reordered_delivery_folded_in_log_order),
        cmocka_unit_test(test_it_evil_lost_envelope_overtaken_is_sent_again),
        cmocka_unit_test(test_it_evil_invalid_utf8_title_refused_by_nodes),
        cmocka_unit_test(test_it_evil_ping_shows_the_verified_signer),
        cmocka_unit_test(test_it_evil_log_verify_names_dropped_or_reordered_entry),
        cmocka_unit_test(test_it_evil_forked_log_caught_by_member_holding_both_heads),
    };
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, s_setup, fed_teardown);
}
