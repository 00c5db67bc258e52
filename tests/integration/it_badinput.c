/* SPDX-License-Identifier: Apache-2.0 */
/* Integration tests for hostile and mistaken input (docs/BAD-INPUT.md):
 * every refusal is checked for the exact words users see, and for what
 * must not happen: nothing is published, logged, pledged, counted or
 * lost. A real broker and real nodes: Plymouth City Council and its CCG
 * (a s75 pooled fund and a two-member board), NHS England, and Bolton CCG
 * driven by hand on its own CURVE connection. */
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
#include "health.pb-c.h"
#include "wire.h"

#define PLYMOUTH 0
#define DEVON 1
#define NHSE 2
#define RAW 3 /* in the roster, driven by hand */

static const char *const s_codes[] = {"E06000026", "E38000129", "X24", "E38000016"};
static const char *const s_names[] = {"Plymouth City Council",
                                      "NHS Northern, Eastern and Western Devon CCG",
                                      "NHS England", "NHS Bolton CCG"};
static fed_t s_fed;

static const char s_agreement[] =
    "[pool]\n"
    "id = PLY-IF\n"
    "name = Plymouth Integrated Fund\n"
    "kind = pooled-fund\n"
    "aims = One system, one budget: care closer to home for the people of Plymouth\n"
    "host = E06000026\n"
    "nhs_function = Community health services\n"
    "council_function = Adult social care\n"
    "client_group = Adults\n"
    "management = Monthly reports to the Integrated Fund Board\n"
    "governance = Joint Commissioning Partnership of council and CCG\n"
    "\n"
    "[partner E06000026]\n"
    "2017 = 131m\n"
    "\n"
    "[partner E38000129]\n"
    "2017 = 331m\n"
    "\n"
    "[risk]\n"
    "basis = pro-rata\n";

static int s_setup(void **state)
{
    (void)state;
    fed_create_from(&s_fed, s_codes, s_names, 4);
    fed_start_broker(&s_fed);
    for (int i = 0; i < 3; i++) {
        fed_start_node(&s_fed, i);
    }
    for (int i = 0; i < 3; i++) {
        fed_wait_connected(&s_fed, i);
    }
    return 0;
}

static int s_teardown(void **state)
{
    (void)state;
    fed_destroy(&s_fed);
    return 0;
}

/* Runs a CLI command on node i (i < 0: no config); returns its output. */
static char *s_run(int i, int want_rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static char *s_run(int i, int want_rc, const char *fmt, ...)
{
    char args[8192];
    char *out = NULL;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    int rc = fed_cli(&s_fed, i, &out, "%s", args);
    if (rc != want_rc) {
        fail_msg("`concord %s` exited %d, not %d: %s", args, rc, want_rc, out);
    }
    return out;
}

/* A refusal: exit status 1 (2 for usage) and exactly these words. */
static void s_refused(int i, int want_rc, const char *words, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void s_refused(int i, int want_rc, const char *words, const char *fmt, ...)
{
    char args[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    char *out = s_run(i, want_rc, "%s", args);
    if (!strstr(out, words)) {
        fail_msg("`concord %s` said\n%s\nnot '%s'", args, out, words);
    }
    print_message("refused as expected: concord %s\n  %s", args, out);
    free(out);
}

/* The number after "key": in node i's JSON answer to args. */
static unsigned long long s_json_num(int i, const char *args, const char *key)
{
    char *out = s_run(i, 0, "%s", args);
    char needle[64];
    snprintf(needle, sizeof needle, "\"%s\":", key);
    const char *p = strstr(out, needle);
    if (!p) {
        fail_msg("no %s in %s", key, out);
    }
    unsigned long long v = strtoull(p + strlen(needle), NULL, 10);
    free(out);
    return v;
}

/* Entries in the broker's log, as node i verifies it end to end. */
static unsigned long long s_log_entries(int i)
{
    return s_json_num(i, "--json log verify", "entries");
}

static unsigned long long s_ledger(int i)
{
    return s_json_num(i, "--json status", "ledger_entries");
}

static void s_write(const char *name, const char *text, const char *more, char path[256])
{
    snprintf(path, 256, "%s/%s", s_fed.dir, name);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    if (more) {
        fputs(more, fp);
    }
    fclose(fp);
}

/* ---- the wire: envelopes from Bolton CCG's own connection ---- */

static void s_seal(keys_t *k, const char *method, const char *to, uint64_t seq, uint8_t call_byte,
                   uint64_t deadline_ms, uint8_t **env, size_t *len)
{
    Concord__V1__HealthCheckRequest in = CONCORD__V1__HEALTH_CHECK_REQUEST__INIT;
    uint8_t *body = NULL;
    size_t body_len = 0;
    assert_int_equal(wire_pack(&in.base, WIRE_MAX_FRAME, &body, &body_len, NULL), 0);
    envelope_meta_t m = {
        .method = method,
        .recipient = to,
        .sent_at_ms = clock_wall_ms(),
        .deadline_ms = deadline_ms,
        .sequence = seq,
        .kind = CONCORD__V1__KIND__KIND_REQUEST,
    };
    memset(m.call_id, call_byte, sizeof m.call_id);
    assert_int_equal(envelope_seal(k, &m, body, body_len, env, len, NULL), 0);
    free(body);
}

/* Submits and expects the broker's refusal with code and words. */
static void s_wire_refused(raw_t *raw, const uint8_t *env, size_t len, cc_code_t code,
                           const char *words)
{
    Concord__V1__SubmitResult *res = raw_submit(raw, env, len, 10000);
    assert_non_null(res);
    if ((cc_code_t)res->status->code != code || !strstr(res->status->message, words)) {
        fail_msg("broker answered %s: %s; expected %s: %s",
                 err_code_name((cc_code_t)res->status->code), res->status->message,
                 err_code_name(code), words);
    }
    print_message("broker refused: %s: %s\n", err_code_name(code), res->status->message);
    /* Only a resend of an accepted envelope gets (its original) receipt. */
    if (!strstr(words, "already accepted")) {
        assert_null(res->receipt);
    }
    wire_free(&res->base);
}

static uint64_t s_later(void)
{
    return clock_wall_ms() + 60000;
}

/* Forged signature, wrong key, unknown sender, another member's envelope,
 * unknown recipient, expired deadline, truncated protobuf, oversized
 * envelope, replays: each refused by the broker, and the log and the
 * recipient's ledger hold exactly what they held before. */
static void test_badinput_wire(void **state)
{
    (void)state;
    raw_t raw;
    keys_t *k = fed_keys(&s_fed, RAW);
    keys_t *nhse = fed_keys(&s_fed, NHSE);
    uint8_t *env = NULL;
    size_t len = 0;
    const char *devon = s_codes[DEVON];
    unsigned long long log0 = s_log_entries(PLYMOUTH), ledger0 = s_ledger(DEVON);
    raw_connect(&raw, &s_fed, k, NULL, NULL);

    /* Forged: one bit flipped in the signed bytes. */
    s_seal(k, "concord.v1.Health/Check", devon, 1, 0x31, s_later(), &env, &len);
    Concord__V1__Envelope *e = (Concord__V1__Envelope *)wire_unpack(
        &concord__v1__envelope__descriptor, env, len, WIRE_MAX_FRAME, NULL);
    e->signed_.data[e->signed_.len / 2] ^= 1;
    uint8_t *forged = NULL;
    size_t forged_len = 0;
    assert_int_equal(wire_pack(&e->base, WIRE_MAX_FRAME, &forged, &forged_len, NULL), 0);
    s_wire_refused(&raw, forged, forged_len, CC_UNAUTHENTICATED, "bad signature from E38000016");
    free(forged);

    /* Truncated protobuf: the same frame cut short. */
    Concord__V1__NodeFrame nf = CONCORD__V1__NODE_FRAME__INIT;
    nf.frame_case = CONCORD__V1__NODE_FRAME__FRAME_SUBMIT;
    nf.submit = e;
    assert_int_equal(wire_pack(&nf.base, WIRE_MAX_FRAME, &forged, &forged_len, NULL), 0);
    Concord__V1__SubmitResult *res = raw_send_frame(&raw, forged, forged_len / 2, 10000);
    assert_non_null(res);
    assert_int_equal(res->status->code, CC_INVALID_ARGUMENT);
    assert_non_null(strstr(res->status->message, "malformed concord.v1.NodeFrame"));
    print_message("broker refused: %s\n", res->status->message);
    wire_free(&res->base);
    free(forged);
    wire_free(&e->base);
    free(env);

    /* Wrong key: signed with a key that is not Bolton CCG's. */
    keys_t *impostor = keys_generate(s_codes[RAW], "impostor", "CCG", NULL);
    s_seal(impostor, "concord.v1.Health/Check", devon, 1, 0x32, s_later(), &env, &len);
    s_wire_refused(&raw, env, len, CC_UNAUTHENTICATED, "bad signature from E38000016");
    free(env);
    keys_destroy(&impostor);

    /* Unknown organisation as sender. */
    keys_t *stranger = keys_generate("E38000999", "Stranger CCG", "CCG", NULL);
    s_seal(stranger, "concord.v1.Health/Check", devon, 1, 0x33, s_later(), &env, &len);
    s_wire_refused(&raw, env, len, CC_UNAUTHENTICATED, "unknown sender E38000999");
    free(env);
    keys_destroy(&stranger);

    /* A genuine envelope of NHS England, sent on Bolton CCG's connection. */
    s_seal(nhse, "concord.v1.Health/Check", devon, 1000000, 0x34, s_later(), &env, &len);
    s_wire_refused(&raw, env, len, CC_PERMISSION_DENIED,
                   "envelope signed by X24 arrived on the connection of E38000016");
    free(env);

    /* Unknown organisation as recipient. */
    s_seal(k, "concord.v1.Health/Check", "E38000999", 1, 0x35, s_later(), &env, &len);
    s_wire_refused(&raw, env, len, CC_NOT_FOUND, "recipient E38000999 is not in the roster");
    free(env);

    /* Expired deadline. */
    s_seal(k, "concord.v1.Health/Check", devon, 1, 0x36, clock_wall_ms() - 1000, &env, &len);
    s_wire_refused(&raw, env, len, CC_DEADLINE_EXCEEDED,
                   "deadline passed before the broker received it");
    free(env);

    /* Oversized: an envelope over the broker's limit (half a frame). */
    {
        Concord__V1__Envelope big = CONCORD__V1__ENVELOPE__INIT;
        uint8_t sig[64] = {0};
        size_t n = ENVELOPE_MAX / 2 + 4096;
        uint8_t *junk = calloc(1, n);
        big.signed_.data = junk;
        big.signed_.len = n;
        big.signature.data = sig;
        big.signature.len = sizeof sig;
        big.signer = (char *)s_codes[RAW];
        assert_int_equal(wire_pack(&big.base, WIRE_MAX_FRAME, &env, &len, NULL), 0);
        s_wire_refused(&raw, env, len, CC_RESOURCE_EXHAUSTED, "exceeds the broker's limit of");
        free(env);
        free(junk);
    }

    /* Text that is not UTF-8, or holds a NUL, in a signed body: a
     * proposal titled "Bad \xff title" (which a standard protobuf decoder
     * refuses) and one titled "Bad \0 title" (which C would cut short). */
    {
        Concord__V1__Proposal p = CONCORD__V1__PROPOSAL__INIT;
        p.board_id = "PLY-JCB";
        p.title = "Bad X title";
        p.kind = CONCORD__V1__PROPOSAL_KIND__COMMISSIONING_DECISION;
        p.area = CONCORD__V1__SERVICE_AREA__ACUTE;
        p.closes_at_ms = s_later();
        uint8_t *body = NULL;
        size_t body_len = 0;
        assert_int_equal(wire_pack(&p.base, WIRE_MAX_FRAME, &body, &body_len, NULL), 0);
        uint8_t *x = memchr(body, 'X', body_len);
        assert_non_null(x);
        static const uint8_t bad[] = {0xff, 0x00};
        static const char *const why[] = {"Proposal.title is not valid UTF-8 at byte 4",
                                          "Proposal.title holds a NUL at byte 4"};
        for (int i = 0; i < 2; i++) {
            *x = bad[i];
            envelope_meta_t m = {
                .method = "concord.v1.Board/Propose",
                .recipient = ENVELOPE_EVERYONE,
                .sent_at_ms = clock_wall_ms(),
                .sequence = 1,
                .kind = CONCORD__V1__KIND__KIND_EVENT,
            };
            memset(m.call_id, 0x3b + i, sizeof m.call_id);
            assert_int_equal(envelope_seal(k, &m, body, body_len, &env, &len, NULL), 0);
            s_wire_refused(&raw, env, len, CC_INVALID_ARGUMENT, why[i]);
            free(env);
        }
        free(body);
    }

    /* Nothing of all that reached the log or the CCG. */
    assert_int_equal(s_log_entries(PLYMOUTH), log0);
    assert_int_equal(s_ledger(DEVON), ledger0);

    /* One genuine request, then its replays. */
    s_seal(k, "concord.v1.Health/Check", devon, 7, 0x37, s_later(), &env, &len);
    res = raw_submit(&raw, env, len, 10000);
    assert_non_null(res);
    assert_int_equal(res->status->code, CC_OK);
    wire_free(&res->base);
    s_wire_refused(&raw, env, len, CC_ALREADY_EXISTS, "replay: this envelope was already accepted");
    free(env);
    s_seal(k, "concord.v1.Health/Check", devon, 7, 0x38, s_later(), &env, &len);
    s_wire_refused(&raw, env, len, CC_ALREADY_EXISTS,
                   "replay: sequence 7 from E38000016 is not above 7");
    free(env);
    s_seal(k, "concord.v1.Health/Check", devon, 8, 0x37, s_later(), &env, &len);
    s_wire_refused(&raw, env, len, CC_ALREADY_EXISTS, "replay: call id already used by E38000016");
    free(env);
    /* A validly signed sequence of 2^63-1 would make every later envelope
     * of Bolton's look like a replay: refused as too large a step. */
    s_seal(k, "concord.v1.Health/Check", devon, INT64_MAX, 0x39, s_later(), &env, &len);
    s_wire_refused(&raw, env, len, CC_OUT_OF_RANGE,
                   "sequence 9223372036854775807 from E38000016 "
                   "is more than sequence_step_max");
    free(env);
    /* The CCG got the request once and answered it: two entries in its
     * ledger, two in the broker's log. */
    uint64_t end = clock_mono_ms() + 20000;
    while (s_ledger(DEVON) < ledger0 + 2 && clock_mono_ms() < end) {
        usleep(100 * 1000);
    }
    usleep(500 * 1000);
    assert_int_equal(s_ledger(DEVON), ledger0 + 2);
    assert_int_equal(s_log_entries(PLYMOUTH), log0 + 2);
    /* Bolton's next sequence is still taken. */
    s_seal(k, "concord.v1.Health/Check", devon, 8, 0x3a, s_later(), &env, &len);
    res = raw_submit(&raw, env, len, 10000);
    assert_non_null(res);
    assert_int_equal(res->status->code, CC_OK);
    wire_free(&res->base);
    free(env);
    raw_close(&raw);
    keys_destroy(&nhse);
    keys_destroy(&k);
}

/* ---- pooled funds ---- */

/* Statement and ledger of node i, to compare before and after. */
static char *s_pool_state(int i)
{
    char *a = s_run(i, 0, "--json pool statement PLY-IF --year 2017");
    char *b = s_run(i, 0, "--json pool show PLY-IF");
    size_t n = strlen(a) + strlen(b) + 64;
    char *all = malloc(n);
    assert_non_null(all);
    snprintf(all, n, "%s\n%s\nledger %llu", a, b, s_ledger(i));
    free(a);
    free(b);
    return all;
}

/* Agreements the rules refuse, pledges by the wrong partner or of bad
 * amounts, acts by the wrong partner: refused before anything is
 * published, and every node's pools, statements and ledgers unchanged. */
static void test_badinput_pools(void **state)
{
    (void)state;
    char path[256], *out;
    /* Refused agreements leave no pool. */
    s_write("no-council.ini",
            "[pool]\nid = DEV-NHS\nname = NHS only\nkind = pooled-fund\naims = Joint care\n"
            "host = E38000129\nnhs_function = Community health services\n"
            "council_function = Adult social care\nclient_group = Adults\n"
            "management = Monthly\ngovernance = Board\n"
            "[partner E38000129]\n2017 = 10m\n[partner X24]\n2017 = 5m\n[risk]\nbasis = pro-rata\n",
            NULL, path);
    unsigned long long ledger0 = s_ledger(PLYMOUTH);
    s_refused(DEVON, 1, "needs at least one NHS body and one local authority as partners", "pool propose --file %s", path);
    s_write("surgery.ini", s_agreement, "[pool]\nnhs_function = General surgery\n", path);
    s_refused(PLYMOUTH, 1, "surgery is an NHS function excluded from s75 arrangements",
              "pool propose --file %s", path);
    s_write("typo.ini", s_agreement, "[pool]\nhots = E06000026\n", path);
    s_refused(PLYMOUTH, 1, "unknown key 'hots'", "pool propose --file %s", path);
    out = s_run(DEVON, 0, "pool list");
    assert_non_null(strstr(out, "(no pools yet)"));
    free(out);
    assert_int_equal(s_ledger(PLYMOUTH), ledger0);

    /* The fund, decided by the partners' board with both voting FOR. */
    static const int partners[] = {PLYMOUTH, DEVON};
    char proposal[33];
    fed_board_create(&s_fed, "PLY-JCB", "unanimity", partners, 2, 0);
    s_write("plymouth.ini", s_agreement, NULL, path);
    out = s_run(PLYMOUTH, 0, "--json pool propose --file %s --board PLY-JCB", path);
    fed_json_id(out, proposal);
    free(out);
    fed_vote(&s_fed, PLYMOUTH, proposal, "for");
    fed_vote(&s_fed, DEVON, proposal, "for");
    free(fed_cli_until(&s_fed, PLYMOUTH, "AWAITING_EXECUTION", 1, 30000, "pool show PLY-IF"));
    /* Recommended, not yet entered: no pledge before every partner executes it. */
    s_refused(PLYMOUTH, 1, "pool PLY-IF is not in force, so nothing can be pledged to it",
              "pool pledge PLY-IF --year 2017 --amount 131m");
    s_refused(PLYMOUTH, 1, "decision date '2017-02-30' is not a YYYY-MM-DD date",
              "pool execute PLY-IF --authority Cabinet --decision-ref M/1 --decision-date"
              " 2017-02-30 --signatory-role CFO --document %s",
              path);
    s_refused(PLYMOUTH, 1, "cannot open the signed document",
              "pool execute PLY-IF --authority Cabinet --decision-ref M/1 --decision-date"
              " 2017-03-01 --signatory-role CFO --document /nonexistent/agreement.pdf");
    for (int i = 0; i < 2; i++) {
        free(s_run(partners[i], 0,
                   "pool execute PLY-IF --authority Cabinet --decision-ref M/2017/1"
                   " --decision-date 2017-03-20 --signatory-role 'Chief Finance Officer'"
                   " --document %s",
                   path));
    }
    free(fed_cli_until(&s_fed, PLYMOUTH, "AWAITING_PLEDGES", 1, 30000, "pool show PLY-IF"));
    free(s_run(PLYMOUTH, 0, "pool pledge PLY-IF --year 2017 --amount 131m"));
    free(fed_cli_until(&s_fed, DEVON, "\"pledged_pence\":13100000000", 1, 30000,
                       "--json pool statement PLY-IF --year 2017"));

    char *before0 = s_pool_state(PLYMOUTH), *before1 = s_pool_state(DEVON);
    s_refused(DEVON, 1, "E38000129 cannot pledge E06000026's contribution",
              "pool pledge PLY-IF --year 2017 --amount 131m --partner E06000026");
    s_refused(PLYMOUTH, 1, "E06000026 already pledged £131,000,000.00 for 2017/18",
              "pool pledge PLY-IF --year 2017 --amount 131m");
    s_refused(DEVON, 1, "amount '-331m' is negative: amounts are positive pounds",
              "pool pledge PLY-IF --year 2017 --amount -331m");
    s_refused(DEVON, 1, "amount '99999999999999999999' is too large (at most",
              "pool pledge PLY-IF --year 2017 --amount 99999999999999999999");
    s_refused(DEVON, 1, "only E06000026, who keeps pool PLY-IF's accounts, records its outturn",
              "pool outturn PLY-IF --year 2017 --spent 470m");
    s_refused(DEVON, 1, "no pool 'NOPE'", "pool pledge NOPE --year 2017 --amount 331m");
    char *after0 = s_pool_state(PLYMOUTH), *after1 = s_pool_state(DEVON);
    assert_string_equal(before0, after0);
    assert_string_equal(before1, after1);
    free(before0);
    free(before1);
    free(after0);
    free(after1);
}

/* ---- boards ---- */

/* What node i holds of proposal pid: its JSON view and its ledger size. */
static char *s_board_state(int i, const char *pid)
{
    char *a = s_run(i, 0, "--json proposal show %s", pid);
    size_t n = strlen(a) + 64;
    char *all = malloc(n);
    assert_non_null(all);
    snprintf(all, n, "%s\nledger %llu", a, s_ledger(i));
    free(a);
    return all;
}

/* Ballots from a non-member, twice, late, on an unknown proposal; an
 * unknown board; a delegated statutory duty; a bad deadline: refused, and
 * the tally, the ballots and every ledger unchanged. */
static void test_badinput_boards(void **state)
{
    (void)state;
    char id[33], pid[33], late[33];
    char *out = s_run(PLYMOUTH, 0,
                      "--json board create --id PLY-ICB --name 'Plymouth integrated"
                      " commissioning board' --rule majority --quorum 1/2 --member E06000026"
                      " --member E38000129 --closes-in 120s");
    fed_json_id(out, id);
    free(out);
    free(fed_cli_until(&s_fed, DEVON, id, 1, 30000, "--json proposal list"));
    free(s_run(DEVON, 0, "vote %s for", id));
    free(s_run(PLYMOUTH, 0, "vote %s for", id));
    free(fed_cli_until(&s_fed, NHSE, "\"active\":true", 1, 30000, "--json board show PLY-ICB"));
    free(fed_cli_until(&s_fed, PLYMOUTH, "\"active\":true", 1, 30000, "--json board show PLY-ICB"));
    out = s_run(PLYMOUTH, 0,
                "--json propose --board PLY-ICB --title 'Community equipment service'"
                " --area community --amount 2m --closes-in 1h");
    fed_json_id(out, pid);
    free(out);
    out = s_run(PLYMOUTH, 0,
                "--json propose --board PLY-ICB --title 'Wheelchair service'"
                " --area community --amount 1m --closes-in 3s");
    fed_json_id(out, late);
    free(out);
    free(fed_cli_until(&s_fed, DEVON, late, 1, 30000, "--json proposal list"));
    free(s_run(PLYMOUTH, 0, "vote %s for", pid));
    char show[64];
    snprintf(show, sizeof show, "--json proposal show %s", pid);
    free(fed_cli_until(&s_fed, DEVON, "\"votes_for\":1", 1, 30000, show));

    /* NHS England, not on the board, never received its business
     * (PROTOCOL.md "Audiences"): its ballot names a proposal it does not
     * know, and its ledger is left as it was. */
    char *before[3];
    for (int i = 0; i < 3; i++) {
        before[i] = i == NHSE ? NULL : s_board_state(i, pid);
    }
    unsigned long long nhse_ledger = s_ledger(NHSE);
    s_refused(NHSE, 1, "no proposal", "vote %s against", pid);
    s_refused(PLYMOUTH, 1, "E06000026 already voted on proposal", "vote %s against", pid);
    s_refused(DEVON, 1, "no proposal 'f0f0f0f0'", "vote f0f0f0f0 for");
    s_refused(DEVON, 1, "no board 'NOPE'", "propose --board NOPE --title 'Anything' --area acute"
              " --closes-in 1d");
    s_refused(PLYMOUTH, 1,
              "a proposal cannot transfer accountability for the statutory duty 'adult"
              " safeguarding'",
              "propose --board PLY-ICB --title 'Hand over safeguarding' --area social-care"
              " --delegates 'adult safeguarding' --closes-in 1d");
    s_refused(PLYMOUTH, 1, "bad --closes-in '7 days'",
              "propose --board PLY-ICB --title 'Anything' --area acute --closes-in '7 days'");
    usleep(3500 * 1000);
    s_refused(DEVON, 1, "DEADLINE_EXCEEDED: ballot after the deadline: received", "vote %s for", late);
    for (int i = 0; i < 3; i++) {
        if (i == NHSE) {
            continue;
        }
        char *after = s_board_state(i, pid);
        assert_string_equal(before[i], after);
        free(after);
        free(before[i]);
    }
    assert_int_equal(s_ledger(NHSE), nhse_ledger);
}

/* ---- files and start-up ---- */

/* Starts node i with the config text it has now and expects it to refuse,
 * saying words in its log. */
static void s_start_refused(int i, const char *words)
{
    fed_start_node(&s_fed, i);
    assert_int_equal(fed_stop_node(&s_fed, i, 0), 1); /* exits by itself, status 1 */
    if (!fed_log_contains(&s_fed, s_codes[i], words)) {
        fail_msg("%s's log does not say '%s'", s_codes[i], words);
    }
    print_message("concordd refused to start: ...%s...\n", words);
}

/* A key file others can read, a key file of another organisation, a
 * config with a misspelt key, a malformed ONS lookup, an unknown command:
 * refused, the files left as they were, and the node's ledger intact. */
static void test_badinput_files(void **state)
{
    (void)state;
    char key[256], ini[256], typo[256], *before, *after, *cfg;
    struct stat st;
    unsigned long long ledger0 = s_ledger(NHSE);
    assert_int_equal(fed_stop_node(&s_fed, NHSE, SIGTERM), 0);

    snprintf(key, sizeof key, "%s/keys/X24.key", s_fed.dir);
    before = fed_slurp(key);
    assert_int_equal(chmod(key, 0644), 0);
    s_start_refused(NHSE, "is readable or writable by group or others (mode 0644); run chmod 600");
    after = fed_slurp(key);
    assert_string_equal(before, after);
    assert_int_equal(stat(key, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644); /* the node does not change it behind you */
    free(after);
    free(before);
    assert_int_equal(chmod(key, 0600), 0);

    snprintf(ini, sizeof ini, "%s/X24.ini", s_fed.dir);
    cfg = fed_slurp(ini);
    assert_non_null(cfg);
    FILE *fp = fopen(ini, "w");
    assert_non_null(fp);
    char *k = strstr(cfg, "keys/X24.key");
    assert_non_null(k);
    fprintf(fp, "%.*skeys/E38000016.key%s", (int)(k - cfg), cfg, k + strlen("keys/X24.key"));
    fclose(fp);
    s_start_refused(NHSE, "belongs to E38000016, but the config says X24");
    s_write("X24.ini", cfg, NULL, ini);

    /* Files the daemons created are theirs alone (0600), though this
     * test runs them with the umask it was given. */
    const char *made[] = {"data/X24.db", "data/broker.db", "data/broker.db-wal"};
    for (size_t i = 0; i < sizeof made / sizeof made[0]; i++) {
        char f[256];
        snprintf(f, sizeof f, "%s/%s", s_fed.dir, made[i]);
        assert_int_equal(stat(f, &st), 0);
        if ((st.st_mode & 077) != 0) {
            fail_msg("%s has mode %04o", made[i], (unsigned)(st.st_mode & 0777));
        }
    }
    /* control = the ledger: refused, and the ledger left whole. */
    char db[256];
    snprintf(db, sizeof db, "%s/data/X24.db", s_fed.dir);
    assert_int_equal(stat(db, &st), 0);
    off_t db_size = st.st_size;
    fed_node_config_replace(&s_fed, NHSE, "control = run/X24.sock\n", "control = data/X24.db\n");
    s_start_refused(NHSE, "names an existing file that is not a socket; it is left as it is");
    assert_int_equal(stat(db, &st), 0);
    assert_int_equal(st.st_size, db_size);
    s_write("X24.ini", cfg, NULL, ini);

    s_write("typo.ini", cfg, "brokr = tcp://127.0.0.1:1\n", typo);
    char *out = s_run(-1, 1, "--config %s status", typo);
    assert_non_null(strstr(out, "typo.ini:9: unknown key 'brokr' in [node]"));
    print_message("%s", out);
    free(out);
    free(cfg);

    fed_start_node(&s_fed, NHSE);
    fed_wait_connected(&s_fed, NHSE);
    assert_int_equal(s_ledger(NHSE), ledger0);
    s_refused(NHSE, 1, "ragged.csv:3:20: row has 2 fields but the header has 3",
              "footprint report --lookup %s/tests/data/geo-bad/ragged.csv", CONCORD_SOURCE_DIR);
    s_refused(NHSE, 2, "concord: unknown command 'frobnicate'", "frobnicate");
    s_refused(NHSE, 1, "NOT_FOUND: E99999999 is not in the roster", "ping E99999999");
    assert_int_equal(s_ledger(NHSE), ledger0);
}

int main(void)
{
    umask(022); /* the daemons must not depend on a careful umask */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_badinput_wire),
        cmocka_unit_test(test_badinput_pools),
        cmocka_unit_test(test_badinput_boards),
        cmocka_unit_test(test_badinput_files),
    };
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
