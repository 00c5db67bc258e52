/* SPDX-License-Identifier: Apache-2.0 */
/* certificate_build against a fixed vector: a compact decision
 * certificate, byte for byte (tests/vectors/certificate.txt, its SHA-256
 * in PROTOCOL.md). Keys come from fixed seeds, the roster has a fixed
 * creation time, and nine events (a board's adoption and its two
 * ballots, an unrelated decision and its ballots, the certified decision
 * and its ballots) are sealed with fixed call ids and times, stored with
 * receipts against one signed head of the tree of the nine, and folded.
 * The certificate must leave the unrelated decision out and verify. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "board.h"
#include "certificate.h"
#include "certificate_build.h"
#include "envelope.h"
#include "fold.h"
#include "ledger.h"
#include "merkle.h"
#include "receipt.h"
#include "roster.pb-c.h"
#include "wire.h"

#define VECTORS CONCORD_SOURCE_DIR "/tests/vectors/certificate.txt"
#define PROTOCOL CONCORD_SOURCE_DIR "/docs/PROTOCOL.md"
#define T0 1700000000000ull
#define N_EVENTS 9

static keys_t *s_seeded(const char *code, const char *name, const char *kind, uint8_t first)
{
    uint8_t seed[32];
    cc_err_t err;
    for (int i = 0; i < 32; i++) {
        seed[i] = (uint8_t)(first + i);
    }
    keys_t *k = keys_from_seed(code, name, kind, seed, &err);
    assert_non_null(k);
    return k;
}

/* The roster of a and b with the broker, created at T0, signed by both:
 * packed into *out. */
static void s_roster_bytes(keys_t *broker, keys_t *a, keys_t *b, uint8_t **out, size_t *len)
{
    cc_err_t err;
    roster_t *r = roster_new("Devon vectors", keys_public(broker), &err);
    assert_non_null(r);
    assert_int_equal(roster_add(r, keys_public(a), &err), 0);
    assert_int_equal(roster_add(r, keys_public(b), &err), 0);
    uint8_t *buf = NULL, *inner = NULL;
    size_t buf_len = 0, inner_len = 0;
    assert_int_equal(roster_signed_bytes(r, &buf, &buf_len, &err), 0);
    roster_destroy(&r);
    /* The same roster with a fixed creation time. */
    Concord__V1__SignedRoster *sr = (Concord__V1__SignedRoster *)wire_unpack(
        &concord__v1__signed_roster__descriptor, buf, buf_len, WIRE_MAX_FRAME, &err);
    assert_non_null(sr);
    Concord__V1__Roster *ro = (Concord__V1__Roster *)wire_unpack(
        &concord__v1__roster__descriptor, sr->roster.data, sr->roster.len, WIRE_MAX_FRAME, &err);
    assert_non_null(ro);
    ro->created_at_ms = T0;
    assert_int_equal(wire_pack(&ro->base, WIRE_MAX_FRAME, &inner, &inner_len, &err), 0);
    Concord__V1__SignedRoster fixed = CONCORD__V1__SIGNED_ROSTER__INIT;
    fixed.roster.data = inner;
    fixed.roster.len = inner_len;
    free(buf);
    assert_int_equal(wire_pack(&fixed.base, WIRE_MAX_FRAME, &buf, &buf_len, &err), 0);
    r = roster_from_bytes(buf, buf_len, &err);
    assert_non_null(r);
    assert_int_equal(roster_sign(r, a, &err), 0);
    assert_int_equal(roster_sign(r, b, &err), 0);
    assert_int_equal(roster_signed_bytes(r, out, len, &err), 0);
    roster_destroy(&r);
    free(buf);
    free(inner);
    wire_free(&ro->base);
    wire_free(&sr->base);
}

typedef struct {
    uint8_t *env;
    size_t len;
    uint8_t hash[32];
    uint64_t time_ms;
} s_event_t;

/* The audience the next events are addressed to (PROTOCOL.md 16.9): a
 * board's adoption goes to every node, its decisions to its members. */
static const char *s_to = ENVELOPE_EVERYONE;

static void s_seal(const keys_t *k, const char *method, const ProtobufCMessage *body, int n,
                   uint64_t sequence, s_event_t *ev, char id[33])
{
    uint8_t *packed = NULL;
    size_t packed_len = 0;
    envelope_meta_t m = {.method = method,
                         .recipient = s_to,
                         .sent_at_ms = T0 + (uint64_t)n * 1000,
                         .sequence = sequence,
                         .kind = CONCORD__V1__KIND__KIND_EVENT};
    memset(m.call_id, 0xc0 + n, sizeof m.call_id);
    assert_int_equal(wire_pack(body, WIRE_MAX_FRAME, &packed, &packed_len, NULL), 0);
    assert_int_equal(envelope_seal(k, &m, packed, packed_len, &ev->env, &ev->len, NULL), 0);
    envelope_hash(ev->env, ev->len, ev->hash);
    ev->time_ms = T0 + (uint64_t)n * 1000 + 7;
    if (id) {
        board_proposal_id(m.call_id, id);
    }
    free(packed);
}

static Concord__V1__Proposal s_proposal(int kind, const char *title)
{
    Concord__V1__Proposal p = CONCORD__V1__PROPOSAL__INIT;
    p.board_id = "DEVON";
    p.title = (char *)title;
    p.kind = (Concord__V1__ProposalKind)kind;
    p.area = kind == CONCORD__V1__PROPOSAL_KIND__COMMISSIONING_DECISION
                 ? CONCORD__V1__SERVICE_AREA__COMMUNITY
                 : CONCORD__V1__SERVICE_AREA__SERVICE_AREA_UNSPECIFIED;
    p.amount_pence = kind == CONCORD__V1__PROPOSAL_KIND__COMMISSIONING_DECISION ? 200000000 : 0;
    p.effective_date = "2024-04-01";
    p.closes_at_ms = T0 + 86400000;
    return p;
}

static void s_ballot(const keys_t *k, const char *pid, int n, uint64_t sequence, s_event_t *ev)
{
    Concord__V1__Ballot b = CONCORD__V1__BALLOT__INIT;
    b.board_id = "DEVON";
    b.proposal_id = (char *)pid;
    b.vote = CONCORD__V1__VOTE__FOR;
    s_seal(k, BOARD_METHOD_VOTE, &b.base, n, sequence, ev, NULL);
}

/* The value of "name = hex" in the file at path (malloc'd), or NULL. */
static char *s_value(const char *path, const char *name)
{
    FILE *f = fopen(path, "rb");
    static char line[65536];
    size_t n = strlen(name);
    char *out = NULL;
    assert_non_null(f);
    while (!out && fgets(line, sizeof line, f)) {
        if (strncmp(line, name, n) == 0 && strncmp(line + n, " = ", 3) == 0) {
            line[strcspn(line, "\r\n")] = '\0';
            out = strdup(line + n + 3);
        }
    }
    fclose(f);
    return out;
}

static void test_certificate_build_compact_vector(void **state)
{
    (void)state;
    cc_err_t err;
    keys_t *broker = s_seeded(KEYS_BROKER_CODE, "Vector broker", "BROKER", 0x00);
    keys_t *a = s_seeded("E38000129", "NHS Devon CCG", "CCG", 0x20);
    keys_t *b = s_seeded("E06000026", "Plymouth City Council", "COUNCIL_UPPER", 0x40);
    uint8_t *roster_bytes = NULL;
    size_t roster_len = 0;
    s_roster_bytes(broker, a, b, &roster_bytes, &roster_len);
    roster_t *roster = roster_from_bytes(roster_bytes, roster_len, &err);
    assert_non_null(roster);

    /* The events, in log order. */
    s_event_t ev[N_EVENTS];
    char adopt[33], other[33], decision[33];
    Concord__V1__BoardMember ma = CONCORD__V1__BOARD_MEMBER__INIT, mb = ma, *mp[2] = {&ma, &mb};
    ma.code = "E38000129";
    ma.constituency = CONCORD__V1__CONSTITUENCY__NHS;
    ma.weight = 1;
    mb.code = "E06000026";
    mb.constituency = CONCORD__V1__CONSTITUENCY__LOCAL_GOVERNMENT;
    mb.weight = 1;
    Concord__V1__Charter ch = CONCORD__V1__CHARTER__INIT;
    ch.board_id = "DEVON";
    ch.name = "Devon Joint Commissioning Board";
    ch.rule = CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST;
    ch.quorum_numerator = 1;
    ch.quorum_denominator = 2;
    ch.members = mp;
    ch.n_members = 2;
    Concord__V1__Proposal p = s_proposal(CONCORD__V1__PROPOSAL_KIND__CHARTER_ADOPTION,
                                         "Adopt the Devon charter");
    p.charter = &ch;
    s_seal(a, BOARD_METHOD_PROPOSE, &p.base, 0, 1, &ev[0], adopt);
    s_ballot(a, adopt, 1, 2, &ev[1]);
    s_ballot(b, adopt, 2, 1, &ev[2]);
    s_to = "board:DEVON";
    p = s_proposal(CONCORD__V1__PROPOSAL_KIND__COMMISSIONING_DECISION, "An unrelated decision");
    s_seal(a, BOARD_METHOD_PROPOSE, &p.base, 3, 3, &ev[3], other);
    s_ballot(a, other, 4, 4, &ev[4]);
    s_ballot(b, other, 5, 2, &ev[5]);
    p = s_proposal(CONCORD__V1__PROPOSAL_KIND__COMMISSIONING_DECISION, "Community stroke beds");
    s_seal(b, BOARD_METHOD_PROPOSE, &p.base, 6, 3, &ev[6], decision);
    s_ballot(a, decision, 7, 5, &ev[7]);
    s_ballot(b, decision, 8, 4, &ev[8]);
    s_to = ENVELOPE_EVERYONE;

    /* The log's tree, one head over all nine; each stored with its
     * receipt and folded. */
    char dir[] = "/tmp/concord-test-certvec-XXXXXX", path[96];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/node.db", dir);
    ledger_t *ledger = ledger_open(path, LEDGER_NODE, 0, &err);
    assert_non_null(ledger);
    merkle_t *tree = merkle_new();
    assert_non_null(tree);
    for (int i = 0; i < N_EVENTS; i++) {
        uint8_t leaf[32];
        merkle_leaf_hash((uint64_t)i + 1, ev[i].time_ms, ev[i].hash, leaf);
        assert_int_equal(merkle_append(tree, leaf, &err), 0);
    }
    board_engine_t *e = board_engine_new(roster);
    assert_non_null(e);
    for (int i = 0; i < N_EVENTS; i++) {
        uint8_t *rc = NULL;
        size_t rc_len = 0;
        assert_int_equal(receipt_issue(broker, tree, ev[N_EVENTS - 1].time_ms, (uint64_t)i + 1,
                                       ev[i].time_ms, ev[i].hash, &rc, &rc_len, &err),
                         0);
        envelope_t *env = envelope_open_at(ev[i].env, ev[i].len, roster, (uint64_t)i + 1, &err);
        assert_non_null(env);
        ledger_entry_t le = {.direction = LEDGER_IN,
                             .hash = env->hash,
                             .envelope = env->raw,
                             .envelope_len = env->raw_len,
                             .sender = env->header->sender,
                             .recipient = env->header->recipient,
                             .method = env->header->method,
                             .sequence = env->header->sequence,
                             .kind = env->header->kind,
                             .call_id = env->header->call_id.data,
                             .log_index = (uint64_t)i + 1,
                             .receipt = rc,
                             .receipt_len = rc_len};
        assert_int_equal(ledger_append(ledger, &le, NULL, &err), 0);
        board_event_t bev = fold_event_of(env, (uint64_t)i + 1, ev[i].time_ms);
        if (board_apply(e, &bev, &err) != 0) {
            fail_msg("event %d refused: %s", i + 1, err.msg);
        }
        envelope_destroy(&env);
        free(rc);
    }

    /* Exported by the CCG once decided. */
    uint8_t *cert = NULL;
    size_t cert_len = 0;
    uint64_t now = ev[N_EVENTS - 1].time_ms + 60000;
    assert_int_equal(certificate_build(e, ledger, roster_bytes, roster_len, a, decision, now, &cert,
                                       &cert_len, &err),
                     0);
    certificate_report_t rep;
    if (certificate_verify(cert, cert_len, roster, &rep, &err) != 0) {
        fail_msg("the certificate does not verify: %s", err.msg);
    }
    assert_int_equal(rep.events, 6); /* the adoption and the decision, each with two ballots */
    assert_string_equal(rep.outcome, "PASSED");
    certificate_report_free(&rep);

    uint8_t digest[32];
    crypto_hash_sha256(digest, cert, cert_len);
    char *hex = wire_hex(cert, cert_len), *dhex = wire_hex(digest, 32);
    assert_non_null(hex);
    assert_non_null(dhex);
    char *want = s_value(VECTORS, "compact_certificate");
    char *want_sha = s_value(VECTORS, "compact_certificate_sha256");
    assert_non_null(want);
    assert_non_null(want_sha);
    if (strcmp(want, hex) != 0 || strcmp(want_sha, dhex) != 0) {
        fprintf(stderr, "compact_certificate = %s\ncompact_certificate_sha256 = %s\n", hex,
                dhex);
        fail_msg("compact_certificate (%zu bytes) differs from %s", cert_len, VECTORS);
    }
    char doc_line[128];
    snprintf(doc_line, sizeof doc_line, "compact_certificate_sha256 = %s", dhex);
    char *doc = s_value(PROTOCOL, "compact_certificate_sha256");
    assert_non_null(doc);
    if (strcmp(doc, dhex) != 0) {
        fail_msg("docs/PROTOCOL.md lacks '%s'", doc_line);
    }
    free(doc);
    free(want);
    free(want_sha);
    free(hex);
    free(dhex);
    free(cert);
    board_engine_destroy(&e);
    merkle_destroy(&tree);
    ledger_close(&ledger);
    snprintf(path, sizeof path, "rm -rf %s", dir);
    assert_int_equal(system(path), 0);
    for (int i = 0; i < N_EVENTS; i++) {
        free(ev[i].env);
    }
    roster_destroy(&roster);
    free(roster_bytes);
    keys_destroy(&a);
    keys_destroy(&b);
    keys_destroy(&broker);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_certificate_build_compact_vector),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
