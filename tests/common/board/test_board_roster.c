/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the roster fold: key rotations and mergers decided by a
 * board, applied to a signed roster after the deciding ballot, with the
 * refusals (a rotation proposed by another organisation, a key already
 * used, a merger without a predecessor's FOR, a successor code already in
 * the roster, a roster change undecided at its deadline). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <unistd.h>

#include "board.h"
#include "envelope.h"
#include "keys.h"
#include "roster.h"
#include "wire.h"

#define T0 1795521600000ull
#define DAY (24ull * 3600ull * 1000ull)
#define FOR CONCORD__V1__VOTE__FOR
#define AGAINST CONCORD__V1__VOTE__AGAINST
#define N_ORGS 5

/* Central, North and South Manchester CCGs (merged into Manchester CCG in
 * April 2017), Manchester City Council and NHS England. */
static const char *const s_codes[N_ORGS] = {"E38000217", "E38000218", "E38000219", "E08000003",
                                            "X24"};
static const char *const s_kinds[N_ORGS] = {"CCG", "CCG", "CCG", "COUNCIL_UPPER", "NHS_ENGLAND"};
#define CENTRAL s_codes[0]
#define NORTH s_codes[1]
#define SOUTH s_codes[2]
#define CITY s_codes[3]
#define NHSE s_codes[4]

typedef struct {
    keys_t *keys[N_ORGS];
    roster_t *roster;
    board_engine_t *e;
    uint64_t index;
    uint64_t now;
    unsigned calls;
    cc_err_t err;
    int changes;       /* on_roster callbacks */
    const char *board; /* the board the helpers act on */
    const char *to;    /* the recipient of the next events; NULL: not checked */
} s_fed_t;

static void s_on_roster(const roster_t *roster, uint64_t at_index, void *arg)
{
    (void)roster;
    (void)at_index;
    ((s_fed_t *)arg)->changes++;
}

static int s_teardown(void **state);

/* A genesis roster signed by all five, loaded back from its bytes as a
 * node loads it. */
static int s_setup(void **state)
{
    s_fed_t *f = calloc(1, sizeof *f);
    keys_t *broker = keys_generate("broker", "GMCA broker", "BROKER", NULL);
    roster_t *draft = broker ? roster_new("Greater Manchester", keys_public(broker), NULL) : NULL;
    char path[] = "/tmp/test_board_roster.XXXXXX";
    int fd = mkstemp(path);
    int ok = f && draft && fd >= 0;
    for (int i = 0; ok && i < N_ORGS; i++) {
        f->keys[i] = keys_generate(s_codes[i], "Member", s_kinds[i], NULL);
        ok = f->keys[i] && roster_add(draft, keys_public(f->keys[i]), NULL) == 0;
    }
    for (int i = 0; ok && i < N_ORGS; i++) {
        ok = roster_sign(draft, f->keys[i], NULL) == 0;
    }
    ok = ok && roster_save(draft, path, NULL) == 0 && (f->roster = roster_load(path, NULL)) &&
         roster_verify(f->roster, NULL) == 0 && (f->e = board_engine_new(f->roster));
    if (fd >= 0) {
        close(fd);
        unlink(path);
    }
    roster_destroy(&draft);
    keys_destroy(&broker);
    if (!ok) {
        /* cmocka runs no teardown after a failed setup. */
        if (f) {
            s_teardown((void **)&f);
        }
        return -1;
    }
    board_engine_on_roster(f->e, s_on_roster, f);
    f->now = T0;
    f->board = "MCR";
    *state = f;
    return 0;
}

static int s_teardown(void **state)
{
    s_fed_t *f = *state;
    board_engine_destroy(&f->e);
    roster_destroy(&f->roster);
    for (int i = 0; i < N_ORGS; i++) {
        keys_destroy(&f->keys[i]);
    }
    free(f);
    return 0;
}

static int s_event(s_fed_t *f, const char *sender, const char *method, const ProtobufCMessage *m,
                   char id[33])
{
    uint8_t call_id[16] = {0}, hash[32] = {0};
    uint8_t *body = NULL;
    size_t len = 0;
    assert_int_equal(wire_pack(m, WIRE_MAX_FRAME, &body, &len, NULL), 0);
    f->calls++;
    memcpy(call_id, &f->calls, sizeof f->calls);
    memcpy(hash, &f->calls, sizeof f->calls);
    if (id) {
        board_proposal_id(call_id, id);
    }
    board_event_t ev = {.sender = sender,
                        .log_index = ++f->index,
                        .time_ms = f->now,
                        .call_id = call_id,
                        .hash = hash,
                        .method = method,
                        .recipient = f->to,
                        .body = body,
                        .body_len = len};
    f->now += 1000;
    err_clear(&f->err);
    int rc = board_apply(f->e, &ev, &f->err);
    free(body);
    return rc;
}

static int s_vote(s_fed_t *f, const char *who, const char *pid, int vote)
{
    Concord__V1__Ballot b = CONCORD__V1__BALLOT__INIT;
    b.board_id = (char *)f->board;
    b.proposal_id = (char *)pid;
    b.vote = (Concord__V1__Vote)vote;
    return s_event(f, who, BOARD_METHOD_VOTE, &b.base, NULL);
}

static Concord__V1__Proposal s_proposal(const s_fed_t *f, int kind)
{
    Concord__V1__Proposal p = CONCORD__V1__PROPOSAL__INIT;
    p.board_id = (char *)f->board;
    p.title = "Manchester health and care commissioning";
    p.kind = (Concord__V1__ProposalKind)kind;
    p.closes_at_ms = f->now + DAY;
    return p;
}

/* Board f->board: the first n members, simple majority, quorum 1/2. */
static void s_board_of(s_fed_t *f, size_t n)
{
    Concord__V1__BoardMember m[N_ORGS], *mp[N_ORGS];
    Concord__V1__Charter c = CONCORD__V1__CHARTER__INIT;
    char id[33];
    for (int i = 0; i < N_ORGS; i++) {
        concord__v1__board_member__init(&m[i]);
        m[i].code = (char *)s_codes[i];
        m[i].constituency =
            i == 3 ? CONCORD__V1__CONSTITUENCY__LOCAL_GOVERNMENT : CONCORD__V1__CONSTITUENCY__NHS;
        mp[i] = &m[i];
    }
    c.board_id = (char *)f->board;
    c.name = "Manchester Health and Care Commissioning Board";
    c.members = mp;
    c.n_members = n;
    c.rule = CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST;
    c.quorum_numerator = 1;
    c.quorum_denominator = 2;
    /* North holds a reserved matter, which a merger must hand on. */
    Concord__V1__ReservedMatter rm = CONCORD__V1__RESERVED_MATTER__INIT, *rmp = &rm;
    rm.area = CONCORD__V1__SERVICE_AREA__MENTAL_HEALTH;
    rm.member = (char *)NORTH;
    c.reserved = &rmp;
    c.n_reserved = n > 2;
    Concord__V1__Proposal p = s_proposal(f, CONCORD__V1__PROPOSAL_KIND__CHARTER_ADOPTION);
    p.charter = &c;
    assert_int_equal(s_event(f, s_codes[0], BOARD_METHOD_PROPOSE, &p.base, id), 0);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(s_vote(f, s_codes[i], id, FOR), 0);
    }
}

static void s_board(s_fed_t *f)
{
    s_board_of(f, N_ORGS);
}

/* A ROTATE_KEY (or MERGE) proposal; org and mc are filled in place. */
static Concord__V1__Proposal s_change(s_fed_t *f, int action, Concord__V1__MembershipChange *mc,
                                      Concord__V1__Organisation *org, const char *code,
                                      const keys_public_t *keys)
{
    Concord__V1__Proposal p = s_proposal(f, CONCORD__V1__PROPOSAL_KIND__MEMBERSHIP_CHANGE);
    concord__v1__membership_change__init(mc);
    concord__v1__organisation__init(org);
    mc->action = (Concord__V1__MembershipAction)action;
    mc->organisation = org;
    org->code = (char *)code;
    org->name = "Manchester CCG";
    org->kind = CONCORD__V1__ORG_KIND__CCG;
    org->sign_key.data = (uint8_t *)keys->sign_pk;
    org->sign_key.len = KEYS_PK_LEN;
    org->transport_key.data = (uint8_t *)keys->curve_pk;
    org->transport_key.len = KEYS_PK_LEN;
    p.membership = mc;
    return p;
}

static void s_refused(const s_fed_t *f, int rc, cc_code_t code, const char *needle)
{
    if (rc != -1 || f->err.code != code || !strstr(f->err.msg, needle)) {
        fail_msg("expected %s containing \"%s\", got rc %d %s: %s", err_code_name(code), needle, rc,
                 err_code_name(f->err.code), f->err.msg);
    }
}

/* An envelope sealed by k, as every node would receive it. */
static uint8_t *s_seal(const keys_t *k, size_t *len)
{
    envelope_meta_t m = {.method = "concord.v1.Health/Check",
                         .recipient = "broker",
                         .sent_at_ms = T0,
                         .sequence = 1,
                         .kind = CONCORD__V1__KIND__KIND_REQUEST};
    uint8_t *env = NULL;
    assert_int_equal(envelope_seal(k, &m, NULL, 0, &env, len, NULL), 0);
    return env;
}

static void test_board_roster_rotation(void **state)
{
    s_fed_t *f = *state;
    Concord__V1__MembershipChange mc;
    Concord__V1__Organisation org;
    char id[33];
    cc_err_t err;
    keys_t *next = keys_generate(CENTRAL, "Member", "CCG", NULL);
    s_board(f);
    Concord__V1__Proposal p = s_change(f, CONCORD__V1__MEMBERSHIP_ACTION__ROTATE_KEY, &mc, &org,
                                       CENTRAL, keys_public(next));
    assert_int_equal(s_event(f, CENTRAL, BOARD_METHOD_PROPOSE, &p.base, id), 0);
    assert_int_equal(s_vote(f, CENTRAL, id, FOR), 0);
    assert_int_equal(s_vote(f, NORTH, id, FOR), 0);
    assert_int_equal(f->changes, 0);
    assert_int_equal(s_vote(f, CITY, id, FOR), 0); /* 3 of 5: decided */
    uint64_t at = f->index;
    assert_int_equal(f->changes, 1);
    roster_org_t o;
    assert_int_equal(roster_lookup(f->roster, CENTRAL, &o), 0);
    assert_memory_equal(o.sign_pk, keys_public(next)->sign_pk, KEYS_PK_LEN);
    assert_int_equal(roster_lookup_at(f->roster, CENTRAL, at, &o), 0);
    assert_memory_equal(o.sign_pk, keys_public(f->keys[0])->sign_pk, KEYS_PK_LEN);
    assert_int_equal(roster_lookup_curve(f->roster, keys_public(f->keys[0])->curve_pk, &o), -1);
    assert_int_equal(roster_lookup_curve(f->roster, keys_public(next)->curve_pk, &o), 0);
    /* Old signatures verify up to the deciding ballot, new ones after. */
    size_t old_len = 0, new_len = 0;
    uint8_t *old_env = s_seal(f->keys[0], &old_len), *new_env = s_seal(next, &new_len);
    envelope_t *env = envelope_open_at(old_env, old_len, f->roster, at, &err);
    assert_non_null(env);
    envelope_destroy(&env);
    assert_null(envelope_open_at(old_env, old_len, f->roster, at + 1, &err));
    assert_int_equal(err.code, CC_UNAUTHENTICATED);
    assert_non_null(strstr(err.msg, "retired by a key rotation"));
    assert_null(envelope_open_at(new_env, new_len, f->roster, at, &err));
    env = envelope_open(new_env, new_len, f->roster, &err);
    assert_non_null(env);
    envelope_destroy(&env);
    free(old_env);
    free(new_env);
    /* The genesis signatures still check out. */
    assert_int_equal(roster_verify(f->roster, &err), 0);
    roster_change_t ch;
    assert_int_equal(roster_change_count(f->roster), 1);
    roster_change_at(f->roster, 0, &ch);
    assert_string_equal(ch.what, "rotate");
    assert_string_equal(ch.decision, id);
    assert_int_equal(ch.log_index, at);
    /* Rotating back to the old key, or to a key someone holds: refused. */
    p = s_change(f, CONCORD__V1__MEMBERSHIP_ACTION__ROTATE_KEY, &mc, &org, CENTRAL,
                 keys_public(f->keys[0]));
    s_refused(f, s_event(f, CENTRAL, BOARD_METHOD_PROPOSE, &p.base, id), CC_ALREADY_EXISTS,
              "was used before by E38000217");
    p = s_change(f, CONCORD__V1__MEMBERSHIP_ACTION__ROTATE_KEY, &mc, &org, CENTRAL,
                 keys_public(f->keys[1]));
    s_refused(f, s_event(f, CENTRAL, BOARD_METHOD_PROPOSE, &p.base, id), CC_ALREADY_EXISTS,
              "already used by E38000218");
    keys_destroy(&next);
}

static void test_board_roster_rotation_by_another(void **state)
{
    s_fed_t *f = *state;
    Concord__V1__MembershipChange mc;
    Concord__V1__Organisation org;
    char id[33];
    keys_t *next = keys_generate(CENTRAL, "Member", "CCG", NULL);
    s_board(f);
    Concord__V1__Proposal p = s_change(f, CONCORD__V1__MEMBERSHIP_ACTION__ROTATE_KEY, &mc, &org,
                                       CENTRAL, keys_public(next));
    s_refused(f, s_event(f, NORTH, BOARD_METHOD_PROPOSE, &p.base, id), CC_PERMISSION_DENIED,
              "must be proposed by E38000217 itself");
    org.sign_key.len = 31;
    s_refused(f, s_event(f, CENTRAL, BOARD_METHOD_PROPOSE, &p.base, id), CC_INVALID_ARGUMENT,
              "must be 32 bytes");
    assert_int_equal(roster_change_count(f->roster), 0);
    keys_destroy(&next);
}

/* A merger proposal of CENTRAL, NORTH and SOUTH into successor. */
static Concord__V1__Proposal s_merger(s_fed_t *f, Concord__V1__MembershipChange *mc,
                                      Concord__V1__Organisation *org, const char *successor,
                                      const keys_public_t *keys, char **preds, size_t n)
{
    Concord__V1__Proposal p =
        s_change(f, CONCORD__V1__MEMBERSHIP_ACTION__MERGE, mc, org, successor, keys);
    mc->predecessors = preds;
    mc->n_predecessors = n;
    return p;
}

static void test_board_roster_merger(void **state)
{
    s_fed_t *f = *state;
    Concord__V1__MembershipChange mc;
    Concord__V1__Organisation org;
    char *preds[] = {(char *)CENTRAL, (char *)NORTH, (char *)SOUTH};
    char id[33], later[33];
    keys_t *mcr = keys_generate("E38000220", "Manchester CCG", "CCG", NULL);
    s_board(f);
    Concord__V1__Proposal p = s_merger(f, &mc, &org, "E38000220", keys_public(mcr), preds, 3);
    assert_int_equal(s_event(f, CITY, BOARD_METHOD_PROPOSE, &p.base, id), 0);
    /* The rule holds with three FOR, but SOUTH has not consented. */
    assert_int_equal(s_vote(f, CITY, id, FOR), 0);
    assert_int_equal(s_vote(f, CENTRAL, id, FOR), 0);
    assert_int_equal(s_vote(f, NORTH, id, FOR), 0);
    board_proposal_view_t pv;
    assert_int_equal(board_proposal_find(f->e, id, f->now, &pv, NULL), 0);
    assert_false(pv.closed);
    assert_false(pv.tally.passed);
    assert_non_null(strstr(pv.tally.explanation, "predecessor E38000219 did not vote"));
    assert_int_equal(f->changes, 0);
    assert_int_equal(s_vote(f, SOUTH, id, FOR), 0);
    uint64_t at = f->index;
    assert_int_equal(f->changes, 1);
    roster_org_t o;
    assert_int_equal(roster_lookup(f->roster, "E38000220", &o), 0);
    assert_int_equal(roster_lookup(f->roster, CENTRAL, &o), -1);
    assert_int_equal(roster_lookup_at(f->roster, CENTRAL, at, &o), 0);
    assert_int_equal(roster_lookup_at(f->roster, "E38000220", at, &o), -1);
    assert_int_equal(roster_count(f->roster), 3);
    assert_int_equal(roster_since(f->roster, 2), at); /* the successor, last */
    assert_int_equal(roster_since(f->roster, 0), 0);  /* the council, from genesis */
    /* The seats of the three pass to the successor, who votes in their
     * place; a predecessor no longer does. */
    board_view_t bv;
    assert_int_equal(board_get(f->e, "MCR", &bv), 0);
    assert_int_equal(bv.charter->n_members, 3);
    assert_string_equal(bv.charter->members[0]->code, "E38000220");
    assert_int_equal(bv.charter->n_reserved, 1);
    assert_string_equal(bv.charter->reserved[0]->member, "E38000220");
    p = s_proposal(f, CONCORD__V1__PROPOSAL_KIND__COMMISSIONING_DECISION);
    p.area = CONCORD__V1__SERVICE_AREA__COMMUNITY;
    assert_int_equal(s_event(f, "E38000220", BOARD_METHOD_PROPOSE, &p.base, later), 0);
    s_refused(f, s_vote(f, CENTRAL, later, FOR), CC_PERMISSION_DENIED, "not a member");
    assert_int_equal(s_vote(f, "E38000220", later, FOR), 0);
    assert_int_equal(s_vote(f, CITY, later, FOR), 0);
    assert_int_equal(board_proposal_find(f->e, later, f->now, &pv, NULL), 0);
    assert_true(pv.closed && pv.tally.passed);
    roster_change_t ch;
    roster_change_at(f->roster, 0, &ch);
    assert_string_equal(ch.what, "merge");
    assert_string_equal(ch.predecessors, "E38000217 E38000218 E38000219");
    keys_destroy(&mcr);
}

static void test_board_roster_merger_refusals(void **state)
{
    s_fed_t *f = *state;
    Concord__V1__MembershipChange mc;
    Concord__V1__Organisation org;
    char *preds[] = {(char *)CENTRAL, (char *)NORTH};
    char id[33];
    keys_t *fresh = keys_generate("E38000220", "Manchester CCG", "CCG", NULL);
    s_board(f);
    /* The successor's code is already in the roster without being a
     * predecessor. */
    Concord__V1__Proposal p = s_merger(f, &mc, &org, CITY, keys_public(fresh), preds, 2);
    s_refused(f, s_event(f, CENTRAL, BOARD_METHOD_PROPOSE, &p.base, id), CC_ALREADY_EXISTS,
              "successor code E08000003 is already in the roster");
    /* A new successor with a key in use. */
    p = s_merger(f, &mc, &org, "E38000220", keys_public(f->keys[3]), preds, 2);
    s_refused(f, s_event(f, CENTRAL, BOARD_METHOD_PROPOSE, &p.base, id), CC_ALREADY_EXISTS,
              "already used by E08000003");
    /* A predecessor outside the roster. */
    char *stranger[] = {(char *)CENTRAL, "E38000999"};
    p = s_merger(f, &mc, &org, "E38000220", keys_public(fresh), stranger, 2);
    s_refused(f, s_event(f, CENTRAL, BOARD_METHOD_PROPOSE, &p.base, id), CC_NOT_FOUND,
              "predecessor E38000999");
    /* A predecessor voting AGAINST decides it: it fails at once. */
    p = s_merger(f, &mc, &org, "E38000220", keys_public(fresh), preds, 2);
    assert_int_equal(s_event(f, CENTRAL, BOARD_METHOD_PROPOSE, &p.base, id), 0);
    assert_int_equal(s_vote(f, CENTRAL, id, FOR), 0);
    assert_int_equal(s_vote(f, SOUTH, id, FOR), 0);
    assert_int_equal(s_vote(f, CITY, id, FOR), 0);
    assert_int_equal(s_vote(f, NORTH, id, AGAINST), 0);
    board_proposal_view_t pv;
    assert_int_equal(board_proposal_find(f->e, id, f->now, &pv, NULL), 0);
    assert_true(pv.closed);
    assert_false(pv.tally.passed);
    assert_non_null(strstr(pv.tally.explanation, "needs the FOR of every predecessor"));
    assert_int_equal(roster_change_count(f->roster), 0);
    keys_destroy(&fresh);
}

/* A continuing successor absorbs the others and keeps its keys; a roster
 * change that only the deadline closes fails. */
static void test_board_roster_continuing_and_deadline(void **state)
{
    s_fed_t *f = *state;
    Concord__V1__MembershipChange mc;
    Concord__V1__Organisation org;
    char *preds[] = {(char *)CENTRAL, (char *)NORTH};
    char id[33];
    keys_t *next = keys_generate(SOUTH, "Member", "CCG", NULL);
    s_board(f);
    /* Two FOR and one AGAINST of five: passing now, but undecided. */
    Concord__V1__Proposal p = s_change(f, CONCORD__V1__MEMBERSHIP_ACTION__ROTATE_KEY, &mc, &org,
                                       SOUTH, keys_public(next));
    assert_int_equal(s_event(f, SOUTH, BOARD_METHOD_PROPOSE, &p.base, id), 0);
    assert_int_equal(s_vote(f, SOUTH, id, FOR), 0);
    assert_int_equal(s_vote(f, CITY, id, FOR), 0);
    assert_int_equal(s_vote(f, NORTH, id, AGAINST), 0);
    f->now += 2 * DAY;
    Concord__V1__Proposal q = s_merger(f, &mc, &org, CENTRAL, keys_public(next), preds, 2);
    assert_int_equal(s_event(f, CENTRAL, BOARD_METHOD_PROPOSE, &q.base, NULL), 0);
    board_proposal_view_t pv;
    assert_int_equal(board_proposal_find(f->e, id, f->now, &pv, NULL), 0);
    assert_true(pv.closed);
    assert_false(pv.tally.passed);
    assert_non_null(strstr(pv.tally.explanation, "undecided at its deadline"));
    assert_int_equal(roster_change_count(f->roster), 0);
    /* The merger into CENTRAL passes with both predecessors' FOR. */
    board_proposal_view_t mv;
    board_proposal_at(f->e, board_proposal_count(f->e) - 1, f->now, &mv);
    snprintf(id, sizeof id, "%s", mv.id);
    assert_int_equal(s_vote(f, CENTRAL, id, FOR), 0);
    assert_int_equal(s_vote(f, SOUTH, id, FOR), 0);
    assert_int_equal(s_vote(f, CITY, id, FOR), 0);
    assert_int_equal(roster_change_count(f->roster), 0); /* NORTH has not consented */
    assert_int_equal(s_vote(f, NORTH, id, FOR), 0);
    assert_int_equal(roster_change_count(f->roster), 1);
    roster_org_t o;
    assert_int_equal(roster_lookup(f->roster, CENTRAL, &o), 0);
    assert_memory_equal(o.sign_pk, keys_public(f->keys[0])->sign_pk, KEYS_PK_LEN);
    assert_int_equal(roster_lookup(f->roster, NORTH, &o), -1);
    board_view_t bv;
    assert_int_equal(board_get(f->e, "MCR", &bv), 0);
    assert_int_equal(bv.charter->n_members, 4);
    assert_string_equal(bv.charter->reserved[0]->member, CENTRAL);
    keys_destroy(&next);
}

static int s_collect(uint64_t log_index, const uint8_t hash[32], void *arg)
{
    (void)hash;
    uint64_t *seen = arg;
    seen[++seen[0]] = log_index;
    return seen[0] >= 63;
}

/* A certificate of a decision on MCR carries the events of another board
 * addressed to every node up to the rotation it decided: none of that
 * board's later ones, and none of its business (PROTOCOL.md 16.9). */
static void test_board_roster_certificate_events(void **state)
{
    s_fed_t *f = *state;
    Concord__V1__MembershipChange mc;
    Concord__V1__Organisation org;
    char rot[33], dec[33], other[33];
    keys_t *next = keys_generate(CENTRAL, "Member", "CCG", NULL);
    s_board(f);
    f->board = "PAIR";
    s_board_of(f, 2); /* CENTRAL and NORTH */
    uint64_t pair_adopted = f->index;
    char business[33];
    Concord__V1__Proposal biz = s_proposal(f, CONCORD__V1__PROPOSAL_KIND__COMMISSIONING_DECISION);
    biz.area = CONCORD__V1__SERVICE_AREA__MENTAL_HEALTH;
    f->to = "board:PAIR";
    assert_int_equal(s_event(f, NORTH, BOARD_METHOD_PROPOSE, &biz.base, business), 0);
    uint64_t pair_business = f->index;
    f->to = NULL;
    Concord__V1__Proposal p = s_change(f, CONCORD__V1__MEMBERSHIP_ACTION__ROTATE_KEY, &mc, &org,
                                       CENTRAL, keys_public(next));
    assert_int_equal(s_event(f, CENTRAL, BOARD_METHOD_PROPOSE, &p.base, rot), 0);
    assert_int_equal(s_vote(f, CENTRAL, rot, FOR), 0);
    assert_int_equal(s_vote(f, NORTH, rot, FOR), 0);
    uint64_t rotated = f->index;
    assert_int_equal(roster_change_count(f->roster), 1);
    p = s_proposal(f, CONCORD__V1__PROPOSAL_KIND__COMMISSIONING_DECISION);
    p.area = CONCORD__V1__SERVICE_AREA__ACUTE;
    assert_int_equal(s_event(f, NORTH, BOARD_METHOD_PROPOSE, &p.base, other), 0);
    f->board = "MCR";
    p = s_proposal(f, CONCORD__V1__PROPOSAL_KIND__COMMISSIONING_DECISION);
    p.area = CONCORD__V1__SERVICE_AREA__COMMUNITY;
    assert_int_equal(s_event(f, CITY, BOARD_METHOD_PROPOSE, &p.base, dec), 0);
    uint64_t seen[64] = {0};
    assert_int_equal(board_certificate_events(f->e, "MCR", f->index, s_collect, seen), 0);
    /* MCR's 6 events, PAIR's 3 (adoption) + 3 (rotation), in log order. */
    assert_int_equal(seen[0], 6 + 6 + 1);
    for (uint64_t i = 2; i <= seen[0]; i++) {
        assert_true(seen[i] > seen[i - 1]);
    }
    int has_rotation = 0, has_later = 0;
    for (uint64_t i = 1; i <= seen[0]; i++) {
        has_rotation |= seen[i] == rotated;
        has_later |= seen[i] == rotated + 1;
    }
    assert_true(has_rotation && !has_later && seen[7] == pair_adopted - 2);
    for (uint64_t i = 1; i <= seen[0]; i++) {
        assert_true(seen[i] != pair_business);
    }
    /* PAIR's own certificate carries it; a history export never does. */
    uint64_t own[64] = {0}, all[64] = {0};
    assert_int_equal(board_certificate_events(f->e, "PAIR", f->index, s_collect, own), 0);
    assert_int_equal(board_certificate_events(f->e, NULL, f->index, s_collect, all), 0);
    int in_own = 0, in_all = 0;
    for (uint64_t i = 1; i <= own[0]; i++) {
        in_own |= own[i] == pair_business;
    }
    for (uint64_t i = 1; i <= all[0]; i++) {
        in_all |= all[i] == pair_business;
    }
    assert_true(in_own && !in_all);
    assert_int_equal(board_certificate_events(f->e, "NONE", f->index, s_collect, seen), -1);
    keys_destroy(&next);
}

/* An organisation new to the federation joins the roster and the board
 * together; refused if its code or keys are taken or its seat differs. */
static void test_board_roster_admission(void **state)
{
    s_fed_t *f = *state;
    Concord__V1__MembershipChange mc;
    Concord__V1__Organisation org;
    Concord__V1__BoardMember seat = CONCORD__V1__BOARD_MEMBER__INIT;
    char id[33], later[33];
    keys_t *newco = keys_generate("E38000221", "NHS Trafford CCG", "CCG", NULL);
    s_board(f);
    Concord__V1__Proposal p = s_change(f, CONCORD__V1__MEMBERSHIP_ACTION__ADMIT, &mc, &org,
                                       "E38000221", keys_public(newco));
    p.title = "Admit Trafford CCG";
    org.name = "NHS Trafford CCG";
    seat.code = "E38000221";
    seat.constituency = CONCORD__V1__CONSTITUENCY__NHS;
    s_refused(f, s_event(f, CITY, BOARD_METHOD_PROPOSE, &p.base, id), CC_INVALID_ARGUMENT,
              "needs its seat on the board");
    mc.member = &seat;
    org.code = (char *)CENTRAL;
    seat.code = (char *)CENTRAL;
    s_refused(f, s_event(f, CITY, BOARD_METHOD_PROPOSE, &p.base, id), CC_ALREADY_EXISTS,
              "E38000217 is already in the roster");
    org.code = seat.code = "E38000221";
    org.sign_key.data = (uint8_t *)keys_public(f->keys[3])->sign_pk;
    s_refused(f, s_event(f, CITY, BOARD_METHOD_PROPOSE, &p.base, id), CC_ALREADY_EXISTS,
              "already used by E08000003");
    org.sign_key.data = (uint8_t *)keys_public(newco)->sign_pk;
    assert_int_equal(s_event(f, CITY, BOARD_METHOD_PROPOSE, &p.base, id), 0);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(s_vote(f, s_codes[i], id, FOR), 0);
    }
    uint64_t at = f->index;
    roster_org_t o;
    assert_int_equal(roster_lookup(f->roster, "E38000221", &o), 0);
    assert_int_equal(roster_lookup_at(f->roster, "E38000221", at, &o), -1);
    board_view_t bv;
    assert_int_equal(board_get(f->e, "MCR", &bv), 0);
    assert_int_equal(bv.charter->n_members, N_ORGS + 1);
    p = s_proposal(f, CONCORD__V1__PROPOSAL_KIND__COMMISSIONING_DECISION);
    p.area = CONCORD__V1__SERVICE_AREA__ACUTE;
    assert_int_equal(s_event(f, CITY, BOARD_METHOD_PROPOSE, &p.base, later), 0);
    assert_int_equal(s_vote(f, "E38000221", later, FOR), 0);
    roster_change_t ch;
    roster_change_at(f->roster, 0, &ch);
    assert_string_equal(ch.what, "admit");
    keys_destroy(&newco);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_board_roster_rotation, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_board_roster_rotation_by_another, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_board_roster_merger, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_board_roster_merger_refusals, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_board_roster_continuing_and_deadline, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_board_roster_certificate_events, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_board_roster_admission, s_setup, s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
