/* SPDX-License-Identifier: Apache-2.0 */
/* gen_wire: seeds of fuzz_envelope, fuzz_receipt, fuzz_messages (frames and
 * service messages), fuzz_control, and the file targets (ONS lookups, CSV,
 * config, roster). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "control.pb-c.h"
#include "envelope.h"
#include "gen_corpus.h"
#include "health.pb-c.h"
#include "link.pb-c.h"
#include "log.pb-c.h"
#include "merkle.h"
#include "receipt.h"
#include "wire.h"

/* ---- envelopes, receipts, link frames, services ---- */

void gen_envelopes(void)
{
    uint8_t call_id[16], *env, *req_env, hash[32];
    size_t env_len, req_len;
    Concord__V1__HealthCheckRequest hq = CONCORD__V1__HEALTH_CHECK_REQUEST__INIT;
    Concord__V1__HealthCheckResponse hr = CONCORD__V1__HEALTH_CHECK_RESPONSE__INIT;
    uint8_t *body;
    size_t body_len;
    fixture_call_id(7, call_id);
    envelope_meta_t m = {.method = "concord.v1.Health/Check",
                         .recipient = "E08000003",
                         .sent_at_ms = FIXTURE_T0,
                         .deadline_ms = FIXTURE_T0 + 10000,
                         .sequence = 1,
                         .kind = CONCORD__V1__KIND__KIND_REQUEST};
    memcpy(m.call_id, call_id, 16);
    gen_pack(&hq.base, &body, &body_len);
    if (envelope_seal(fixture_keys(FIX_MANCHESTER_CCG), &m, body, body_len, &req_env, &req_len,
                      NULL) < 0) {
        gen_die("seal");
    }
    free(body);
    gen_put1("envelope", "health-request", 0, req_env, req_len);
    hr.status = CONCORD__V1__SERVING_STATUS__SERVING;
    hr.code = "E08000003";
    hr.time_ms = FIXTURE_T0 + 3;
    hr.ledger_entries = 12;
    gen_message("health-request", T_HEALTH_REQ, &hq.base);
    gen_message("health-response", T_HEALTH_RESP, &hr.base);
    gen_pack(&hr.base, &body, &body_len);
    m.recipient = "E38000217";
    m.kind = CONCORD__V1__KIND__KIND_REPLY;
    m.status = CC_OK;
    m.sequence = 4;
    if (envelope_seal(fixture_keys(FIX_MANCHESTER), &m, body, body_len, &env, &env_len, NULL) < 0) {
        gen_die("seal");
    }
    gen_put1("envelope", "health-reply", 0, env, env_len);
    free(env);
    m.status = CC_PERMISSION_DENIED;
    m.status_msg = "E38000129 cannot pledge E06000026's contribution";
    if (envelope_seal(fixture_keys(FIX_MANCHESTER), &m, NULL, 0, &env, &env_len, NULL) < 0) {
        gen_die("seal");
    }
    gen_put1("envelope", "error-reply", 0, env, env_len);
    free(body);
    /* Mode 2+: the Signed bytes of each, re-signed by the target. */
    Concord__V1__Envelope *e = (Concord__V1__Envelope *)wire_unpack(
        &concord__v1__envelope__descriptor, env, env_len, WIRE_MAX_FRAME, NULL);
    if (!e) {
        gen_die("unpack");
    }
    gen_put1("envelope", "signed-error-reply", 2 + FIX_MANCHESTER, e->signed_.data, e->signed_.len);
    gen_put1("messages", "signed", T_SIGNED, e->signed_.data, e->signed_.len);
    wire_free(&e->base);
    free(env);
    e = (Concord__V1__Envelope *)wire_unpack(&concord__v1__envelope__descriptor, req_env, req_len,
                                             WIRE_MAX_FRAME, NULL);
    gen_put1("envelope", "signed-health-request", 2 + FIX_MANCHESTER_CCG, e->signed_.data,
             e->signed_.len);

    /* The broker's receipt for the request, and the frames around it. */
    uint8_t leaf[32], *rc;
    size_t rc_len;
    merkle_t *tree = merkle_new();
    envelope_hash(req_env, req_len, hash);
    merkle_leaf_hash(1, FIXTURE_T0 + 1, hash, leaf);
    if (!tree || merkle_append(tree, leaf, NULL) < 0 ||
        receipt_issue(fixture_broker(), tree, FIXTURE_T0 + 1, 1, FIXTURE_T0 + 1, hash, &rc, &rc_len, NULL) < 0) {
        gen_die("receipt");
    }
    merkle_destroy(&tree);
    Concord__V1__Receipt *sr = (Concord__V1__Receipt *)wire_unpack(
        &concord__v1__receipt__descriptor, rc, rc_len, WIRE_MAX_FRAME, NULL);
    gen_message("receipt", T_RECEIPT, &sr->base);
    gen_message("tree-head", T_TREE_HEAD, &sr->head->base);
    gen_put1("receipt", "tree-head-to-sign", 1, sr->head->tree_head.data, sr->head->tree_head.len);
    gen_put1("receipt", "health-request", 0, rc, rc_len);

    Concord__V1__NodeFrame nf = CONCORD__V1__NODE_FRAME__INIT;
    nf.frame_case = CONCORD__V1__NODE_FRAME__FRAME_SUBMIT;
    nf.submit = e;
    gen_message("node-frame-submit", T_NODE_FRAME, &nf.base);
    Concord__V1__Hello hello = CONCORD__V1__HELLO__INIT;
    hello.code = "E38000217";
    nf.frame_case = CONCORD__V1__NODE_FRAME__FRAME_HELLO;
    nf.hello = &hello;
    gen_message("node-frame-hello", T_NODE_FRAME, &nf.base);
    uint64_t acks[3] = {1, 2, 5};
    Concord__V1__MailboxAck ack = CONCORD__V1__MAILBOX_ACK__INIT;
    ack.log_index = acks;
    ack.n_log_index = 3;
    nf.frame_case = CONCORD__V1__NODE_FRAME__FRAME_ACK;
    nf.ack = &ack;
    gen_message("node-frame-ack", T_NODE_FRAME, &nf.base);

    Concord__V1__BrokerFrame bf = CONCORD__V1__BROKER_FRAME__INIT;
    Concord__V1__Delivery d = CONCORD__V1__DELIVERY__INIT;
    d.log_index = 1;
    d.envelope = e;
    d.receipt = sr;
    bf.frame_case = CONCORD__V1__BROKER_FRAME__FRAME_DELIVERY;
    bf.delivery = &d;
    gen_message("broker-frame-delivery", T_BROKER_FRAME, &bf.base);
    Concord__V1__SubmitResult res = CONCORD__V1__SUBMIT_RESULT__INIT;
    Concord__V1__Status st = CONCORD__V1__STATUS__INIT;
    res.envelope_hash = (ProtobufCBinaryData){32, hash};
    res.status = &st;
    res.receipt = sr;
    bf.frame_case = CONCORD__V1__BROKER_FRAME__FRAME_RESULT;
    bf.result = &res;
    gen_message("broker-frame-result", T_BROKER_FRAME, &bf.base);
    st.code = CONCORD__V1__STATUS_CODE__ALREADY_EXISTS;
    st.message = "sequence 1 from E38000217 already seen (replay)";
    res.receipt = NULL;
    gen_message("broker-frame-replay", T_BROKER_FRAME, &bf.base);

    Concord__V1__ListMethodsRequest lq = CONCORD__V1__LIST_METHODS_REQUEST__INIT;
    Concord__V1__ListMethodsResponse lr = CONCORD__V1__LIST_METHODS_RESPONSE__INIT;
    char *methods[] = {"concord.v1.Health/Check", "concord.v1.Reflection/ListMethods"};
    lr.methods = methods;
    lr.n_methods = 2;
    gen_message("list-request", T_LIST_REQ, &lq.base);
    gen_message("list-response", T_LIST_RESP, &lr.base);
    Concord__V1__LogReadRequest lgq = CONCORD__V1__LOG_READ_REQUEST__INIT;
    lgq.from_index = 1;
    lgq.max_entries = 100;
    gen_message("log-request", T_LOG_REQ, &lgq.base);
    Concord__V1__LogEntry le = CONCORD__V1__LOG_ENTRY__INIT, *lep[1] = {&le};
    Concord__V1__LogReadResponse lgr = CONCORD__V1__LOG_READ_RESPONSE__INIT;
    le.index = 1;
    le.time_ms = FIXTURE_T0 + 1;
    le.leaf_hash = (ProtobufCBinaryData){32, leaf};
    le.envelope = (ProtobufCBinaryData){req_len, req_env};
    lgr.entries = lep;
    lgr.n_entries = 1;
    lgr.head = sr->head;
    lgr.head_index = 1;
    gen_message("log-response", T_LOG_RESP, &lgr.base);

    wire_free(&sr->base);
    wire_free(&e->base);
    free(rc);
    free(req_env);
}

/* ---- control calls, as the CLI sends them ---- */

/* Appends one ControlCall of method (a Control method name) with request
 * in to f, length-prefixed as fuzz_control reads it; with seed, also as a
 * fuzz_messages seed. */
static void s_control_put(FILE *f, const char *method, const ProtobufCMessage *in, int seed)
{
    static char full[96];
    uint8_t *body, *b;
    size_t body_len, n;
    Concord__V1__ControlCall c = CONCORD__V1__CONTROL_CALL__INIT;
    snprintf(full, sizeof full, "concord.v1.Control/%s", method);
    gen_pack(in, &body, &body_len);
    c.method = full;
    c.body.data = body;
    c.body.len = body_len;
    gen_pack(&c.base, &b, &n);
    uint8_t len[2] = {(uint8_t)(n & 0xff), (uint8_t)(n >> 8)};
    if (n > 0xffff || fwrite(len, 1, 2, f) != 2 || fwrite(b, 1, n, f) != n) {
        gen_die("control");
    }
    if (seed) {
        gen_message("control-call", T_CONTROL_REQ, &c.base);
    }
    free(b);
    free(body);
}

static void s_control_one(const char *name, const char *method, const ProtobufCMessage *in)
{
    char *buf;
    size_t len;
    FILE *f = open_memstream(&buf, &len);
    s_control_put(f, method, in, strcmp(name, "propose") == 0);
    fclose(f);
    gen_put("control", name, NULL, 0, (uint8_t *)buf, len);
    free(buf);
}

void gen_control(void)
{
    Concord__V1__StatusRequest status = CONCORD__V1__STATUS_REQUEST__INIT;
    Concord__V1__LedgerRequest ledger = CONCORD__V1__LEDGER_REQUEST__INIT;
    Concord__V1__PingRequest ping = CONCORD__V1__PING_REQUEST__INIT;
    Concord__V1__LogVerifyRequest verify = CONCORD__V1__LOG_VERIFY_REQUEST__INIT;
    Concord__V1__RosterShowRequest roster = CONCORD__V1__ROSTER_SHOW_REQUEST__INIT;
    Concord__V1__RosterExportRequest roster_export = CONCORD__V1__ROSTER_EXPORT_REQUEST__INIT;
    Concord__V1__BoardListRequest boards = CONCORD__V1__BOARD_LIST_REQUEST__INIT;
    Concord__V1__BoardShowRequest board = CONCORD__V1__BOARD_SHOW_REQUEST__INIT;
    Concord__V1__ProposalListRequest props = CONCORD__V1__PROPOSAL_LIST_REQUEST__INIT;
    Concord__V1__ProposalShowRequest prop = CONCORD__V1__PROPOSAL_SHOW_REQUEST__INIT;
    Concord__V1__DecisionExportRequest export = CONCORD__V1__DECISION_EXPORT_REQUEST__INIT;
    Concord__V1__RealignmentsRequest realign = CONCORD__V1__REALIGNMENTS_REQUEST__INIT;
    Concord__V1__AutoVoteRequest auto_vote = CONCORD__V1__AUTO_VOTE_REQUEST__INIT;
    Concord__V1__PoolListRequest pools = CONCORD__V1__POOL_LIST_REQUEST__INIT;
    Concord__V1__PoolShowRequest pool = CONCORD__V1__POOL_SHOW_REQUEST__INIT;
    Concord__V1__PoolStatementRequest stmt = CONCORD__V1__POOL_STATEMENT_REQUEST__INIT;
    Concord__V1__PoolStatementExportRequest stmt_export =
        CONCORD__V1__POOL_STATEMENT_EXPORT_REQUEST__INIT;
    Concord__V1__BcfShowRequest bcf = CONCORD__V1__BCF_SHOW_REQUEST__INIT;
    Concord__V1__PoolRejectionsRequest rejections = CONCORD__V1__POOL_REJECTIONS_REQUEST__INIT;
    ledger.limit = 5;
    ping.target = "E08000003";
    ping.timeout_ms = 50;
    board.board_id = "GM-JCB";
    prop.proposal_id = "f00000000000000000000000000000000";
    export.proposal_id = prop.proposal_id;
    auto_vote.has_auto_vote = 1;
    auto_vote.has_abstain_areas = 1;
    auto_vote.abstain_areas = "primary-care,acute";
    pool.id = "PLY-IF";
    stmt.pool_id = stmt_export.pool_id = "PLY-IF";
    stmt.financial_year = stmt_export.financial_year = 2017;
    bcf.plan_id = "BCF-CUMBRIA-17";
    s_control_one("status", "Status", &status.base);
    s_control_one("ledger", "Ledger", &ledger.base);
    s_control_one("ping", "Ping", &ping.base);
    s_control_one("log-verify", "LogVerify", &verify.base);
    s_control_one("roster-show", "RosterShow", &roster.base);
    s_control_one("roster-export", "RosterExport", &roster_export.base);
    s_control_one("board-list", "BoardList", &boards.base);
    s_control_one("board-show", "BoardShow", &board.base);
    s_control_one("proposal-list", "ProposalList", &props.base);
    s_control_one("proposal-show", "ProposalShow", &prop.base);
    s_control_one("decision-export", "DecisionExport", &export.base);
    s_control_one("realignments", "Realignments", &realign.base);
    s_control_one("auto-vote", "AutoVote", &auto_vote.base);
    s_control_one("pool-list", "PoolList", &pools.base);
    s_control_one("pool-show", "PoolShow", &pool.base);
    s_control_one("pool-statement", "PoolStatement", &stmt.base);
    s_control_one("pool-statement-export", "PoolStatementExport", &stmt_export.base);
    s_control_one("bcf-show", "BcfShow", &bcf.base);
    s_control_one("pool-rejections", "PoolRejections", &rejections.base);
    s_control_one("unknown", "Frobnicate", &status.base);

    Concord__V1__Charter ch;
    Concord__V1__BoardMember m[5], *mp[5];
    Concord__V1__Proposal p = CONCORD__V1__PROPOSAL__INIT;
    Concord__V1__ProposeRequest propose = CONCORD__V1__PROPOSE_REQUEST__INIT;
    gen_gm_charter(&ch, m, mp);
    p.board_id = "GM-JCB";
    p.title = "Adopt the charter";
    p.kind = CONCORD__V1__PROPOSAL_KIND__CHARTER_ADOPTION;
    p.closes_at_ms = (uint64_t)time(NULL) * 1000 + 7 * DAY;
    p.charter = &ch;
    propose.proposal = &p;
    s_control_one("propose", "Propose", &propose.base);
    gen_message("proposal-adoption", T_PROPOSAL, &p.base);
    Concord__V1__Ballot b = CONCORD__V1__BALLOT__INIT;
    Concord__V1__VoteRequest vote = CONCORD__V1__VOTE_REQUEST__INIT;
    b.proposal_id = "f00000";
    b.vote = CONCORD__V1__VOTE__FOR;
    b.reason = "For the people of Greater Manchester";
    vote.ballot = &b;
    s_control_one("vote", "Vote", &vote.base);
    gen_message("ballot", T_BALLOT, &b.base);
    Concord__V1__Pledge pl = CONCORD__V1__PLEDGE__INIT;
    Concord__V1__PledgeRequest pledge = CONCORD__V1__PLEDGE_REQUEST__INIT;
    pl.pool_id = "PLY-IF";
    pl.financial_year = 2017;
    pl.amount_pence = POUNDS(331000000);
    pledge.pledge = &pl;
    s_control_one("pool-pledge", "Pledge", &pledge.base);
    Concord__V1__PoolAgreement a = CONCORD__V1__POOL_AGREEMENT__INIT;
    Concord__V1__PoolProposeRequest agree = CONCORD__V1__POOL_PROPOSE_REQUEST__INIT;
    a.pool_id = "X";
    agree.agreement = &a;
    agree.board_id = "PLY-ICB";
    agree.closes_at_ms = 1893456000000ull;
    s_control_one("pool-propose-bad", "PoolPropose", &agree.base);
    Concord__V1__VariedContribution vc, *vcp[1] = {&vc};
    Concord__V1__Variation v;
    Concord__V1__PoolVaryRequest vary = CONCORD__V1__POOL_VARY_REQUEST__INIT;
    gen_ply_variation(&v, vcp);
    vary.variation = &v;
    vary.closes_at_ms = 1893456000000ull;
    s_control_one("pool-vary", "PoolVary", &vary.base);
    /* The host's statement, its content left for the node to compute. */
    Concord__V1__PoolStatement ps = CONCORD__V1__POOL_STATEMENT__INIT;
    Concord__V1__SignStatementRequest sign = CONCORD__V1__SIGN_STATEMENT_REQUEST__INIT;
    ps.pool_id = "PLY-IF";
    ps.financial_year = 2017;
    sign.statement = &ps;
    s_control_one("pool-statement-sign", "SignStatement", &sign.base);

    Concord__V1__ControlAnswer rep = CONCORD__V1__CONTROL_ANSWER__INIT;
    rep.code = CONCORD__V1__STATUS_CODE__PERMISSION_DENIED;
    rep.message = "E38000129 cannot pledge E06000026's contribution";
    gen_message("control-answer", T_CONTROL_REPLY, &rep.base);
}

void gen_control_session(void)
{
    /* status, the proposals and the pools in one input. */
    char *buf;
    size_t len;
    FILE *f = open_memstream(&buf, &len);
    Concord__V1__StatusRequest status = CONCORD__V1__STATUS_REQUEST__INIT;
    Concord__V1__ProposalListRequest props = CONCORD__V1__PROPOSAL_LIST_REQUEST__INIT;
    Concord__V1__PoolListRequest pools = CONCORD__V1__POOL_LIST_REQUEST__INIT;
    s_control_put(f, "Status", &status.base, 0);
    s_control_put(f, "ProposalList", &props.base, 0);
    s_control_put(f, "PoolList", &pools.base, 0);
    fclose(f);
    gen_put("control", "session", NULL, 0, (uint8_t *)buf, len);
    free(buf);
}

/* ---- files: ONS lookups, CSV, configuration, roster ---- */

/* The header and the lines of src holding any of the needles (all lines
 * when needles is NULL), at most max of them, appended to f. */
static void s_excerpt(FILE *f, const char *src, const char *const *needles, size_t max)
{
    char path[1024], line[4096];
    size_t kept = 0, n = 0;
    snprintf(path, sizeof path, "%s/%s", CONCORD_SOURCE_DIR, src);
    FILE *in = fopen(path, "r");
    if (!in) {
        gen_die(path);
    }
    while (fgets(line, sizeof line, in) && kept < max) {
        int keep = n++ == 0 || !needles;
        for (size_t i = 0; !keep && needles[i]; i++) {
            keep = strstr(line, needles[i]) != NULL;
        }
        if (keep) {
            fputs(line, f);
            kept++;
        }
    }
    fclose(in);
}

static void s_file(const char *target, const char *name, uint8_t mode, int with_mode,
                   const char *src, const char *const *needles, size_t max, const char *src2,
                   const char *const *needles2)
{
    char *buf;
    size_t len;
    FILE *f = open_memstream(&buf, &len);
    if (with_mode) {
        fputc(mode, f);
    }
    s_excerpt(f, src, needles, max);
    if (src2) {
        fputs("--\n", f);
        s_excerpt(f, src2, needles2, max);
    }
    fclose(f);
    gen_put(target, name, NULL, 0, (uint8_t *)buf, len);
    free(buf);
}

void gen_files(void)
{
    static const char *const cumbria[] = {"E07000026", "E07000028", "E07000031", "E08000003", NULL};
    static const char *const ons[] = {"data/ons/ons_CCG17_to_NHSRLO17_NHSER17_Apr2017_v3.csv",
                                      "data/ons/ons_CCG17_to_STP17_Apr2017_v3.csv",
                                      "data/ons/ons_LAD17_to_CAUTH17_Mar2017.csv",
                                      "data/ons/ons_LAD17_to_CTY17_Dec2017.csv"};
    static const char *const geo[] = {"ccg18_nhser18", "ccg18_stp18", "lad17_cauth17",
                                      "lad18_cty18", "lsoa11_ccg18_lad18"};
    static const char *const bad[] = {
        "bad_code", "dup_conflict", "empty_key", "latin1", "name_without_code",
        "no_code",  "one_code",     "ragged",    "two_lad"};
    char src[256], name[64];
    const char *lsoa = "data/ons/ons_LSOA11_CCG17_STP17_LAD17_Apr2017.csv";
    s_file("ons", "lsoa-cumbria-manchester+cty", 0, 0, lsoa, cumbria, 40,
           "data/ons/ons_LAD17_to_CTY17_Dec2017.csv", cumbria);
    s_file("ons", "lsoa-cumbria-manchester", 0, 0, lsoa, cumbria, 40, NULL, NULL);
    for (size_t i = 0; i < sizeof ons / sizeof ons[0]; i++) {
        snprintf(name, sizeof name, "ons-%zu", i);
        s_file("ons", name, 0, 0, ons[i], NULL, 30, NULL, NULL);
    }
    for (size_t i = 0; i < sizeof geo / sizeof geo[0]; i++) {
        snprintf(src, sizeof src, "tests/data/geo/%s.csv", geo[i]);
        s_file("ons", geo[i], 0, 0, src, NULL, 1000, NULL, NULL);
        s_file("csv", geo[i], 0, 1, src, NULL, 1000, NULL, NULL);
    }
    s_file("ons", "lsoa11_ccg18_lad18+lad18_cty18", 0, 0, "tests/data/geo/lsoa11_ccg18_lad18.csv",
           NULL, 1000, "tests/data/geo/lad18_cty18.csv", NULL);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(src, sizeof src, "tests/data/geo-bad/%s.csv", bad[i]);
        snprintf(name, sizeof name, "bad-%s", bad[i]);
        s_file("ons", name, 0, 0, src, NULL, 1000, NULL, NULL);
        s_file("csv", name, 7, 1, src, NULL, 1000, NULL, NULL);
    }
    s_file("csv", "tricky", 3, 1, "tests/data/csv/tricky.csv", NULL, 1000, NULL, NULL);

    static const char node_ini[] =
        "; NHS Manchester CCG's node\n[node]\ncode = E38000217\nkey = keys/E38000217.key\n"
        "roster = roster.bin\nbroker = tcp://broker.example:7400\nledger = data/E38000217.db\n"
        "control = run/E38000217.sock\nlog_level = info\ncall_timeout_ms = 10000\nfsync = true\n"
        "auto_vote = true\nauto_vote_abstain_areas = primary-care, specialised\n"
        "auto_vote_against_areas = acute\nauto_vote_against_above = 100000000\n"
        "auto_vote_for_below = 0\n";
    static const char broker_ini[] =
        "[broker]\nlisten = tcp://0.0.0.0:7400        ; where nodes connect\n"
        "key = keys/broker.key\nroster = roster.bin\ndata = data/broker.db\nlog_level = info\n"
        "mailbox_window = 64\nfsync = true\n";
    gen_put1("config", "node", 0, (const uint8_t *)node_ini, sizeof node_ini - 1);
    gen_put1("config", "broker", 1, (const uint8_t *)broker_ini, sizeof broker_ini - 1);

    size_t roster_len;
    const uint8_t *roster = fixture_roster_bytes(&roster_len);
    gen_put("roster", "fixture", NULL, 0, roster, roster_len);
    gen_put1("messages", "signed-roster", T_ROSTER, roster, roster_len);
}

/* The golden vector of tests/vectors/envelope.txt, for mode 1. */
void gen_vector(void)
{
    char path[1024], line[4096];
    snprintf(path, sizeof path, "%s/tests/vectors/envelope.txt", CONCORD_SOURCE_DIR);
    FILE *in = fopen(path, "r");
    while (in && fgets(line, sizeof line, in)) {
        uint8_t buf[1024];
        size_t n = strcspn(line + 11, "\n") / 2;
        if (strncmp(line, "envelope = ", 11) == 0 && n <= sizeof buf) {
            line[11 + 2 * n] = 0;
            if (wire_unhex(line + 11, buf, n) == 0) {
                gen_put1("envelope", "vector", 1, buf, n);
            }
        }
    }
    if (in) {
        fclose(in);
    }
}
