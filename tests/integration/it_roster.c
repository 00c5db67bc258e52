/* SPDX-License-Identifier: Apache-2.0 */
/* Integration tests for roster changes decided by a board, with real
 * processes: Central Manchester CCG rotates its keys (the node switches
 * and reconnects, the broker admits only the new transport key, old-key
 * signatures after the rotation are refused, a restart replays the
 * ledger under both keys, log verify and a certificate spanning the
 * rotation check out); then North and South Manchester CCGs merge, North
 * continuing, and vote as one. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "board.pb-c.h"
#include "clock.h"
#include "envelope.h"
#include "harness.h"
#include "keys.h"
#include "wire.h"

static const char *const s_codes[] = {"E38000217", "E38000218", "E38000219", "E08000003"};
static const char *const s_names[] = {"NHS Central Manchester CCG", "NHS North Manchester CCG",
                                      "NHS South Manchester CCG", "Manchester City Council"};
#define N_ORGS 4
#define CENTRAL 0 /* rotates its keys; votes by hand */
#define NORTH 1   /* the continuing successor of the merger */
#define SOUTH 2   /* merges into NORTH */
#define CITY 3    /* the board's secretary */

static fed_t s_fed;
static char s_next_key[256], s_next_pub[256];
static char s_spanning[33]; /* proposed before the rotation, decided after */

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

static void s_propose(int i, const char *args, char id[33])
{
    char *out = s_ok(i, "--json propose --board MCR %s", args);
    fed_json_id(out, id);
    free(out);
}

static void s_wait_outcome(int i, const char *id, const char *outcome)
{
    char args[64], needle[48];
    snprintf(args, sizeof args, "--json proposal show %s", id);
    snprintf(needle, sizeof needle, "\"outcome\":\"%s\"", outcome);
    free(fed_cli_until(&s_fed, i, needle, 1, 60000, args));
}

static void s_wait_log(const char *who, const char *needle)
{
    uint64_t end = clock_mono_ms() + 60000;
    while (!fed_log_contains(&s_fed, who, needle)) {
        if (clock_mono_ms() > end) {
            fail_msg("the log of %s never showed '%s'", who, needle);
        }
        usleep(200 * 1000);
    }
}

/* Node i writes a certificate with the command `export` and the file's
 * path after it; then `verify` checks that file offline against the
 * genesis roster. Returns the verifier's output. */
static char *s_export_verify(int i, const char *export, const char *verify, const char *file)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", s_fed.dir, file);
    free(s_ok(i, "%s %s", export, path));
    return s_ok(-1, "%s %s --roster %s/roster.bin", verify, path, s_fed.dir);
}

/* Creates a board (City its secretary, Central voting by hand, the
 * others automatically) and waits until it is active. */
static void s_board_create(const char *args)
{
    char id[33];
    char *out = s_ok(CITY, "--json board create %s --closes-in 10m", args);
    fed_json_id(out, id);
    free(out);
    free(s_ok(CENTRAL, "vote %s for", id));
    s_wait_outcome(CITY, id, "PASSED");
    s_wait_outcome(CENTRAL, id, "PASSED");
}

static int s_group_setup(void **state)
{
    (void)state;
    fed_t *f = &s_fed;
    fed_create_from(f, s_codes, s_names, N_ORGS);
    /* Central's next keys, made as an operator would, named in its config
     * before the rotation is proposed. */
    char *out = NULL;
    snprintf(s_next_key, sizeof s_next_key, "%s/keys/next", f->dir);
    assert_int_equal(mkdir(s_next_key, 0700), 0);
    assert_int_equal(fed_cli(f, -1, &out,
                             "keygen --code E38000217 --name 'NHS Central Manchester CCG'"
                             " --out %s/keys/next",
                             f->dir),
                     0);
    free(out);
    snprintf(s_next_key, sizeof s_next_key, "%s/keys/next/E38000217.key", f->dir);
    snprintf(s_next_pub, sizeof s_next_pub, "%s/keys/next/E38000217.pub", f->dir);
    fed_node_config_append(f, CENTRAL, "key_next = keys/next/E38000217.key\n");
    for (int i = NORTH; i < N_ORGS; i++) {
        fed_node_config_append(f, i, "auto_vote = true\n");
    }
    fed_start_broker(f);
    for (int i = 0; i < N_ORGS; i++) {
        fed_start_node(f, i);
    }
    for (int i = 0; i < N_ORGS; i++) {
        fed_wait_connected(f, i);
    }
    s_board_create("--id MCR --name 'Manchester Health and Care Commissioning Board'"
                   " --rule unanimity --member all");
    return 0;
}

static int s_group_teardown(void **state)
{
    (void)state;
    fed_destroy(&s_fed);
    return 0;
}

/* A ballot by Central on proposal pid, signed with keys k, submitted on a
 * connection with transport keys t. Returns the broker's result. */
static Concord__V1__SubmitResult *s_raw_ballot(const keys_t *k, const keys_t *t, const char *pid)
{
    Concord__V1__Ballot b = CONCORD__V1__BALLOT__INIT;
    b.board_id = "MCR";
    b.proposal_id = (char *)pid;
    b.vote = CONCORD__V1__VOTE__AGAINST;
    uint8_t *body = NULL, *env = NULL;
    size_t body_len = 0, env_len = 0;
    assert_int_equal(wire_pack(&b.base, WIRE_MAX_FRAME, &body, &body_len, NULL), 0);
    envelope_meta_t m = {.method = "concord.v1.Board/Vote",
                         .recipient = "*",
                         .sent_at_ms = clock_wall_ms(),
                         .sequence = 1000000,
                         .kind = CONCORD__V1__KIND__KIND_EVENT};
    envelope_new_call_id(m.call_id);
    assert_int_equal(envelope_seal(k, &m, body, body_len, &env, &env_len, NULL), 0);
    raw_t raw;
    raw_connect(&raw, &s_fed, k, keys_public(t)->curve_pk, keys_curve_sk(t));
    Concord__V1__SubmitResult *res = raw_submit(&raw, env, env_len, 5000);
    raw_close(&raw);
    free(body);
    free(env);
    return res;
}

static void test_it_roster_rotation(void **state)
{
    (void)state;
    fed_t *f = &s_fed;
    char rot[33];
    /* Central proposes before the rotation, signing with its old key. */
    s_propose(CENTRAL,
              "--title 'Community services contract' --area community --amount 12m"
              " --closes-in 10m",
              s_spanning);
    /* A rotation needs its proposer's own keys, and the next keys at hand. */
    char *out = NULL;
    assert_int_equal(fed_cli(f, NORTH, &out, "propose --board MCR --rotate-key %s", s_next_pub), 1);
    assert_non_null(strstr(out, "an organisation rotates only its own keys"));
    free(out);
    /* Central's sequence state broken: its key signed an envelope
     * elsewhere, 500,000 above the node's own sequence (within the
     * broker's sequence_step_max). The rotation, the remedy, still goes
     * through: the node continues above the broker's highest. */
    {
        keys_t *k = fed_keys(f, CENTRAL);
        Concord__V1__Ballot b = CONCORD__V1__BALLOT__INIT;
        b.board_id = "MCR";
        b.proposal_id = "00112233445566778899aabbccddeeff"; /* none: the fold refuses it */
        b.vote = CONCORD__V1__VOTE__ABSTAIN;
        b.reason = "cast from a copy of the key";
        uint8_t *body = NULL, *env = NULL;
        size_t body_len = 0, env_len = 0;
        assert_int_equal(wire_pack(&b.base, WIRE_MAX_FRAME, &body, &body_len, NULL), 0);
        envelope_meta_t m = {.method = "concord.v1.Board/Vote",
                             .recipient = "*",
                             .sent_at_ms = clock_wall_ms(),
                             .sequence = 500000,
                             .kind = CONCORD__V1__KIND__KIND_EVENT};
        envelope_new_call_id(m.call_id);
        assert_int_equal(envelope_seal(k, &m, body, body_len, &env, &env_len, NULL), 0);
        raw_t raw;
        raw_connect(&raw, &s_fed, k, NULL, NULL);
        Concord__V1__SubmitResult *res = raw_submit(&raw, env, env_len, 5000);
        raw_close(&raw);
        assert_non_null(res);
        assert_int_equal(res->status->code, CC_OK);
        wire_free(&res->base);
        free(body);
        free(env);
        keys_destroy(&k);
    }
    char args[512];
    snprintf(args, sizeof args, "--rotate-key %s --closes-in 10m", s_next_pub);
    s_propose(CENTRAL, args, rot);
    s_wait_log("E38000217", "the broker has sequence 500000 of E38000217");
    free(s_ok(CENTRAL, "vote %s for", rot));
    s_wait_outcome(CITY, rot, "PASSED");
    s_wait_outcome(CENTRAL, rot, "PASSED");
    s_wait_log("E38000217", "signs with its new keys");
    fed_wait_connected(f, CENTRAL);
    out = fed_cli_until(f, CITY, "E38000217 rotated its keys", 1, 30000, "roster show");
    free(out);
    out = s_ok(CITY, "--json roster show");
    assert_non_null(strstr(out, "\"change\":\"rotate\""));
    free(out);

    keys_t *old = fed_keys(f, CENTRAL);
    cc_err_t err;
    keys_t *next = keys_load(s_next_key, &err);
    assert_non_null(next);
    /* The broker no longer admits the old transport key... */
    Concord__V1__SubmitResult *res = s_raw_ballot(old, old, s_spanning);
    assert_null(res);
    s_wait_log("broker", "refused a connection with transport key");
    /* ...and refuses a ballot signed with the old key, naming why. */
    res = s_raw_ballot(old, next, s_spanning);
    assert_non_null(res);
    assert_int_equal(res->status->code, CC_UNAUTHENTICATED);
    assert_non_null(strstr(res->status->message, "retired by a key rotation"));
    wire_free(&res->base);
    keys_destroy(&old);
    keys_destroy(&next);

    /* Central's next ballot, with its new key, is accepted and decides. */
    free(s_ok(CENTRAL, "vote %s for --reason 'Agreed after the key change'", s_spanning));
    for (int i = 0; i < N_ORGS; i++) {
        s_wait_outcome(i, s_spanning, "PASSED");
    }
    for (int i = 0; i < N_ORGS; i += 3) {
        out = s_ok(i, "log verify");
        assert_non_null(strstr(out, "all proved in the log"));
        free(out);
    }
}

static void test_it_roster_restart_and_certificate(void **state)
{
    (void)state;
    fed_t *f = &s_fed;
    /* The node replays its ledger under both keys and comes back with the
     * new one; the broker refolds its log and admits it. */
    assert_int_equal(fed_stop_node(f, CENTRAL, SIGTERM), 0);
    assert_int_equal(fed_stop_broker(f, SIGTERM), 0);
    fed_start_broker(f);
    fed_start_node(f, CENTRAL);
    fed_wait_connected(f, CENTRAL);
    char *out = s_ok(CENTRAL, "--json proposal show %s", s_spanning);
    assert_non_null(strstr(out, "\"outcome\":\"PASSED\""));
    free(out);
    out = s_ok(CENTRAL, "ping E08000003");
    assert_non_null(strstr(out, "reply from E08000003"));
    free(out);
    out = s_ok(CENTRAL, "log verify");
    assert_non_null(strstr(out, "all proved in the log"));
    free(out);
    /* The certificate holds Central's signatures under both keys, and its
     * exporter (Central) signs with the new one; it verifies offline
     * against the genesis roster. */
    char export[64];
    snprintf(export, sizeof export, "decision export %s --out", s_spanning);
    out = s_export_verify(CENTRAL, export, "verify", "spanning.cert");
    assert_non_null(strstr(out, "certificate verified"));
    assert_non_null(strstr(out, "PASSED"));
    free(out);
}

/* A pool of another board, decided and pledged after the rotation, its
 * statement exported by Central: the certificate holds the rotation's
 * events from board MCR, so Central's ballots and pledge under the new
 * key and its signature as exporter verify offline against the genesis
 * roster. */
static void test_it_roster_statement_after_rotation(void **state)
{
    (void)state;
    fed_t *f = &s_fed;
    char path[256], id[33];
    s_board_create("--id MCP --name 'Manchester Community Pool Partnership' --rule unanimity"
                   " --member E08000003 --member E38000217");
    snprintf(path, sizeof path, "%s/MCR-POOL.ini", f->dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fprintf(fp, "[pool]\nid = MCR-POOL\nname = Manchester community fund\nkind = pooled-fund\n"
                "aims = Care closer to home\nhost = E08000003\n"
                "nhs_function = Community health services\n"
                "council_function = Adult social care\nclient_group = Adults\n"
                "management = Monthly reports\ngovernance = Manchester Community Pool Partnership\n"
                "[partner E08000003]\n2017 = 10m\n[partner E38000217]\n2017 = 20m\n"
                "[risk]\nbasis = pro-rata\n");
    fclose(fp);
    char *out = s_ok(CITY, "--json pool propose --file %s --board MCP --closes-in 10m", path);
    fed_json_id(out, id);
    free(out);
    free(s_ok(CENTRAL, "vote %s for", id));
    free(fed_cli_until(f, CENTRAL, "AWAITING_EXECUTION", 1, 60000, "pool show MCR-POOL"));
    free(s_ok(CENTRAL, "pool execute MCR-POOL --authority 'Governing Body' --decision-ref GB/17/3"
                       " --decision-date 2017-03-20 --signatory-role 'Chief Finance Officer'"
                       " --document %s",
              path));
    free(fed_cli_until(f, CITY, "AWAITING_EXECUTION", 1, 60000, "pool show MCR-POOL"));
    free(s_ok(CITY, "pool execute MCR-POOL --authority Executive --decision-ref E/17/9"
                    " --decision-date 2017-03-21 --signatory-role 'City Treasurer' --document %s",
              path));
    free(fed_cli_until(f, CENTRAL, "AWAITING_PLEDGES", 1, 60000, "pool show MCR-POOL"));
    free(s_ok(CENTRAL, "pool pledge MCR-POOL --year 2017 --amount 20m"));
    free(fed_cli_until(f, CITY, "AWAITING_PLEDGES", 1, 60000, "pool show MCR-POOL"));
    free(s_ok(CITY, "pool pledge MCR-POOL --year 2017 --amount 10m"));
    free(fed_cli_until(f, CITY, "ACTIVE", 1, 60000, "pool show MCR-POOL"));
    free(s_ok(CITY, "pool outturn MCR-POOL --year 2017 --spent 33m"));
    free(s_ok(CITY, "pool sign-statement MCR-POOL --year 2017"));
    free(fed_cli_until(f, CENTRAL, "it matches", 1, 60000, "pool statement MCR-POOL --year 2017"));
    out = s_export_verify(CENTRAL, "pool statement MCR-POOL --year 2017 --export", "pool verify",
                          "mcr-pool.cert");
    assert_non_null(strstr(out, "signed statement verified"));
    assert_non_null(strstr(out, "signed by E08000003"));
    assert_non_null(strstr(out, "exported  by E38000217"));
    free(out);
}

static void test_it_roster_merger(void **state)
{
    (void)state;
    fed_t *f = &s_fed;
    char id[33], later[33], pool[33], path[256];
    /* A pool of the council and South, recommended by the board and
     * executed by the council; South has not executed it when it merges. */
    snprintf(path, sizeof path, "%s/SOUTH-POOL.ini", f->dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fprintf(fp, "[pool]\nid = SOUTH-POOL\nname = South Manchester community fund\n"
                "kind = pooled-fund\naims = Care closer to home\nhost = E08000003\n"
                "nhs_function = Community health services\n"
                "council_function = Adult social care\nclient_group = Adults\n"
                "management = Monthly reports\ngovernance = Manchester board\n"
                "[partner E08000003]\n2017 = 5m\n[partner E38000219]\n2017 = 7m\n"
                "[risk]\nbasis = pro-rata\n");
    fclose(fp);
    char *out = s_ok(CITY, "--json pool propose --file %s --board MCR --closes-in 10m", path);
    fed_json_id(out, pool);
    free(out);
    free(s_ok(CENTRAL, "vote %s for", pool));
    free(fed_cli_until(f, CITY, "AWAITING_EXECUTION", 1, 60000, "pool show SOUTH-POOL"));
    free(s_ok(CITY, "pool execute SOUTH-POOL --authority Executive --decision-ref E/17/2"
                    " --decision-date 2017-03-21 --signatory-role 'City Treasurer' --document %s",
              path));
    s_propose(NORTH,
              "--merge E38000218 --predecessor E38000218 --predecessor E38000219"
              " --closes-in 10m",
              id);
    free(s_ok(CENTRAL, "vote %s for", id));
    s_wait_outcome(CITY, id, "PASSED");
    out = s_ok(CITY, "proposal show %s", id);
    assert_non_null(strstr(out, "change     merge E38000218 E38000219 into E38000218"));
    assert_non_null(strstr(out, "Merger: predecessor E38000219 voted FOR."));
    free(out);
    out = fed_cli_until(f, CITY, "merged into E38000218", 1, 30000, "roster show");
    free(out);
    out = s_ok(CITY, "--json board show MCR");
    assert_non_null(strstr(out, "\"code\":\"E38000218\""));
    assert_null(strstr(out, "\"code\":\"E38000219\""));
    free(out);
    /* The successor takes South's obligations: it executes the pool for
     * South and pledges South's contribution, and the pool completes its
     * year with a statement that names South, without a new agreement. */
    out = fed_cli_until(f, NORTH, "awaiting execution by E38000219", 1, 60000,
                        "pool show SOUTH-POOL");
    assert_non_null(strstr(out, "NHS South Manchester CCG (merged into E38000218, which acts for"
                                " it)"));
    free(out);
    free(s_ok(NORTH, "pool execute SOUTH-POOL --authority 'Governing Body' --decision-ref GB/17/5"
                     " --decision-date 2017-04-03 --signatory-role 'Chief Finance Officer'"
                     " --document %s",
              path));
    free(fed_cli_until(f, NORTH, "AWAITING_PLEDGES", 1, 60000, "pool show SOUTH-POOL"));
    free(s_ok(NORTH, "pool pledge SOUTH-POOL --year 2017 --amount 7m --partner E38000219"));
    free(fed_cli_until(f, CITY, "\"pledged_pence\":700000000", 1, 60000,
                       "--json pool statement SOUTH-POOL --year 2017"));
    free(s_ok(CITY, "pool pledge SOUTH-POOL --year 2017 --amount 5m"));
    free(fed_cli_until(f, CITY, "ACTIVE", 1, 60000, "pool show SOUTH-POOL"));
    free(s_ok(CITY, "pool outturn SOUTH-POOL --year 2017 --spent 12.5m"));
    free(s_ok(CITY, "pool sign-statement SOUTH-POOL --year 2017"));
    out = fed_cli_until(f, NORTH, "it matches", 1, 60000, "pool statement SOUTH-POOL --year 2017");
    assert_non_null(strstr(out, "E38000219"));
    free(out);
    /* South's consent to a change of its contribution is North's to give. */
    char var[33];
    out = s_ok(NORTH, "--json pool vary SOUTH-POOL --change E38000219:2018:8m"
                      " --reason 'Next year, as North' --closes-in 10m");
    fed_json_id(out, var);
    free(out);
    free(s_ok(CENTRAL, "vote %s for", var));
    s_wait_outcome(CITY, var, "PASSED");
    out = s_ok(CITY, "proposal show %s", var);
    assert_non_null(strstr(out, "needs that partner's FOR: E38000218 voted FOR."));
    free(out);
    /* The successor votes in its predecessors' place. */
    s_propose(CITY,
              "--title 'Mental health crisis service' --area mental-health --amount 3m"
              " --closes-in 10m",
              later);
    free(s_ok(CENTRAL, "vote %s for", later));
    s_wait_outcome(CITY, later, "PASSED");
    out = s_ok(CITY, "--json proposal show %s", later);
    assert_non_null(strstr(out, "\"members\":3"));
    assert_non_null(strstr(out, "\"member\":\"E38000218\""));
    assert_null(strstr(out, "\"member\":\"E38000219\""));
    free(out);
    /* South is no longer a member to call... */
    assert_int_equal(fed_cli(f, CITY, &out, "ping E38000219"), 1);
    assert_non_null(strstr(out, "not in the roster"));
    free(out);
    /* ...and can no longer sign: the broker says why. */
    keys_t *south = fed_keys(f, SOUTH);
    keys_t *north = fed_keys(f, NORTH);
    Concord__V1__SubmitResult *res = s_raw_ballot(south, north, later);
    assert_non_null(res);
    assert_int_equal(res->status->code, CC_UNAUTHENTICATED);
    assert_non_null(strstr(res->status->message, "merged into E38000218"));
    wire_free(&res->base);
    keys_destroy(&south);
    keys_destroy(&north);
}

/* Writes the config of an organisation admitted after genesis (its node
 * folds history.cert first) and starts its node; returns its index. */
static int s_start_newcomer(const char *code)
{
    fed_t *f = &s_fed;
    char path[256], text[1024];
    int i = f->n++;
    snprintf(f->codes[i], sizeof f->codes[i], "%s", code);
    snprintf(path, sizeof path, "%s/%s.ini", f->dir, code);
    snprintf(text, sizeof text,
             "[node]\ncode = %s\nkey = keys/%s.key\nroster = roster.bin\n"
             "broker = tcp://127.0.0.1:%d\nledger = data/%s.db\ncontrol = run/%s.sock\n"
             "log_level = debug\nbootstrap = history.cert\n",
             code, code, f->port, code, code);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    fed_start_node(f, i);
    return i;
}

/* North (with South) and Central merge into a new organisation, NHS
 * Manchester CCG: its node starts from a member's export of the board
 * history, and votes in their place. */
static void test_it_roster_new_successor(void **state)
{
    (void)state;
    fed_t *f = &s_fed;
    char id[33], later[33], text[1024];
    char *out = NULL;
    assert_int_equal(fed_cli(f, -1, &out,
                             "keygen --code E38000220 --name 'NHS Manchester CCG' --out %s/keys",
                             f->dir),
                     0);
    free(out);
    snprintf(text, sizeof text,
             "--merge %s/keys/E38000220.pub --predecessor E38000217 --predecessor E38000218"
             " --closes-in 10m",
             f->dir);
    s_propose(CITY, text, id);
    free(s_ok(CENTRAL, "vote %s for", id));
    s_wait_outcome(CITY, id, "PASSED");
    /* Before the decision a history would not admit it; now it does. */
    out = s_export_verify(CITY, "roster export --out", "verify", "history.cert");
    assert_non_null(strstr(out, "certificate verified"));
    free(out);
    int mcr = s_start_newcomer("E38000220");
    fed_wait_connected(f, mcr);
    out = s_ok(mcr, "--json board show MCR");
    assert_non_null(strstr(out, "\"code\":\"E38000220\""));
    assert_null(strstr(out, "\"code\":\"E38000217\""));
    free(out);
    s_propose(CITY, "--title 'Urgent care hub' --area acute --amount 8m --closes-in 10m", later);
    out = fed_cli_until(f, mcr, later, 1, 30000, "--json proposal list");
    free(out);
    free(s_ok(mcr, "vote %s for --reason 'NHS Manchester CCG agrees'", later));
    s_wait_outcome(CITY, later, "PASSED");
    out = s_ok(CITY, "--json proposal show %s", later);
    assert_non_null(strstr(out, "\"members\":2"));
    assert_non_null(strstr(out, "\"member\":\"E38000220\""));
    free(out);
}

/* The board admits an organisation new to the federation, with its keys:
 * it joins the roster and the board, and its node starts from a history. */
static void test_it_roster_admission(void **state)
{
    (void)state;
    fed_t *f = &s_fed;
    char id[33], text[1024], path[256];
    char *out = NULL;
    int mcr = f->n - 1;
    assert_int_equal(fed_cli(f, -1, &out,
                             "keygen --code E38000221 --name 'NHS Trafford CCG' --out %s/keys",
                             f->dir),
                     0);
    free(out);
    snprintf(text, sizeof text,
             "--title 'Admit NHS Trafford CCG' --admit %s/keys/E38000221.pub --closes-in 10m",
             f->dir);
    s_propose(CITY, text, id);
    free(s_ok(mcr, "vote %s for", id));
    s_wait_outcome(CITY, id, "PASSED");
    snprintf(path, sizeof path, "%s/history.cert", f->dir);
    free(s_ok(CITY, "roster export --out %s", path));
    int trafford = s_start_newcomer("E38000221");
    fed_wait_connected(f, trafford);
    out = s_ok(trafford, "roster show");
    assert_non_null(strstr(out, "E38000221 admitted"));
    free(out);
    out = s_ok(trafford, "--json board show MCR");
    assert_non_null(strstr(out, "\"code\":\"E38000221\""));
    free(out);
    out = s_ok(trafford, "ping E08000003");
    assert_non_null(strstr(out, "reply from E08000003"));
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_it_roster_rotation),
        cmocka_unit_test(test_it_roster_restart_and_certificate),
        cmocka_unit_test(test_it_roster_statement_after_rotation),
        cmocka_unit_test(test_it_roster_merger),
        cmocka_unit_test(test_it_roster_new_successor),
        cmocka_unit_test(test_it_roster_admission),
    };
    return cmocka_run_group_tests(tests, s_group_setup, s_group_teardown);
}
