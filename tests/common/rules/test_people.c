/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for people: persons and their delegations, the chain
 * organisation -> delegation -> person of a signed act (scope, dates,
 * revocation at the act's log position, signature), registers of
 * interests and the conflicts they make on a proposal's subjects. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "date.h"
#include "people.h"

#define ORG "E38000205"
#define BOARD "GM-JCB"
#define METHOD "concord.v1.Board/Vote"

static uint8_t s_pk[2][32], s_sk[2][64];
static const uint8_t s_hash[32];

static int s_group_setup(void **state)
{
    (void)state;
    if (sodium_init() < 0) {
        return -1;
    }
    for (int i = 0; i < 2; i++) {
        crypto_sign_keypair(s_pk[i], s_sk[i]);
    }
    return 0;
}

/* 12:00 UTC on y-m-d, in ms. */
static uint64_t s_noon(int y, int m, int d)
{
    return (uint64_t)date_start_ms(y, m, d) + 12 * 3600 * 1000;
}

static void s_person(Concord__V1__Person *p, const char *id, int key, char **boards,
                     Concord__V1__PersonAct *acts, size_t n_acts)
{
    concord__v1__person__init(p);
    p->person_id = (char *)id;
    p->name = "Dr A Example";
    p->role = "GP member";
    p->voting = 1;
    p->public_key.data = s_pk[key];
    p->public_key.len = 32;
    p->boards = boards;
    p->n_boards = 1;
    p->acts = acts;
    p->n_acts = n_acts;
    p->valid_from = "2017-04-01";
    p->valid_to = "2018-03-31";
}

/* Signs body as a person with key for ORG and METHOD. */
static void s_sign(int key, const uint8_t *body, size_t len, uint8_t sig[64])
{
    uint8_t *m = NULL;
    size_t ml = 0;
    assert_int_equal(people_act_message(ORG, METHOD, body, len, &m, &ml, NULL), 0);
    size_t dl = strlen(PEOPLE_ACT_DOMAIN) + 1;
    uint8_t *all = malloc(dl + ml);
    assert_non_null(all);
    memcpy(all, PEOPLE_ACT_DOMAIN, dl);
    memcpy(all + dl, m, ml);
    crypto_sign_detached(sig, NULL, all, dl + ml, s_sk[key]);
    free(all);
    free(m);
}

static void test_people_person_checks(void **state)
{
    (void)state;
    people_register_t *r = people_register_new();
    assert_non_null(r);
    char *boards[] = {BOARD};
    Concord__V1__PersonAct acts[] = {CONCORD__V1__PERSON_ACT__ACT_VOTE};
    Concord__V1__Person p;
    cc_err_t err;
    s_person(&p, "gp-lead", 0, boards, acts, 1);
    assert_int_equal(people_check_person(r, ORG, &p, &err), 0);
    if (people_add_person(r, ORG, &p, 10, s_noon(2017, 4, 3), s_hash, &err) < 0) {
        people_register_destroy(&r);
        fail_msg("%s", err.msg);
    }
    assert_int_equal(people_count(r), 1);
    assert_int_equal(people_event_count(r), 1);
    /* The same id again, or the same key under another id. */
    assert_int_equal(people_check_person(r, ORG, &p, &err), -1);
    assert_int_equal(err.code, CC_ALREADY_EXISTS);
    p.person_id = "deputy";
    assert_int_equal(people_check_person(r, ORG, &p, &err), -1);
    assert_int_equal(err.code, CC_ALREADY_EXISTS);
    /* Another organisation may use the same person id with its own key. */
    s_person(&p, "gp-lead", 1, boards, acts, 1);
    assert_int_equal(people_check_person(r, "E38000217", &p, &err), 0);
    /* A deputy for someone unknown. */
    p.person_id = "deputy";
    p.deputy_for = "nobody";
    assert_int_equal(people_check_person(r, ORG, &p, &err), -1);
    assert_int_equal(err.code, CC_NOT_FOUND);
    assert_non_null(strstr(err.msg, "unknown person"));
    p.deputy_for = "gp-lead";
    assert_int_equal(people_check_person(r, ORG, &p, &err), 0);
    /* Malformed: id, dates, key, acts. */
    p.person_id = "Bad Id";
    assert_int_equal(people_check_person(r, ORG, &p, &err), -1);
    assert_int_equal(err.code, CC_INVALID_ARGUMENT);
    p.person_id = "deputy";
    p.valid_to = "2017-03-31";
    assert_int_equal(people_check_person(r, ORG, &p, &err), -1);
    assert_non_null(strstr(err.msg, "before its valid-from"));
    p.valid_to = "2017-02-30";
    assert_int_equal(people_check_person(r, ORG, &p, &err), -1);
    p.valid_to = "2018-03-31";
    p.public_key.len = 31;
    assert_int_equal(people_check_person(r, ORG, &p, &err), -1);
    p.public_key.len = 32;
    Concord__V1__PersonAct twice[] = {CONCORD__V1__PERSON_ACT__ACT_VOTE,
                                      CONCORD__V1__PERSON_ACT__ACT_VOTE};
    p.acts = twice;
    p.n_acts = 2;
    assert_int_equal(people_check_person(r, ORG, &p, &err), -1);
    assert_non_null(strstr(err.msg, "distinct"));
    /* Revocation: of someone unknown, then twice. */
    Concord__V1__PersonRevocation rv = CONCORD__V1__PERSON_REVOCATION__INIT;
    rv.person_id = "nobody";
    assert_int_equal(people_check_revocation(r, ORG, &rv, &err), -1);
    assert_int_equal(err.code, CC_NOT_FOUND);
    rv.person_id = "gp-lead";
    assert_int_equal(people_check_revocation(r, ORG, &rv, &err), 0);
    if (people_revoke(r, ORG, &rv, 20, s_noon(2017, 5, 1), s_hash, &err) < 0) {
        people_register_destroy(&r);
        fail_msg("%s", err.msg);
    }
    assert_int_equal(people_check_revocation(r, ORG, &rv, &err), -1);
    assert_int_equal(err.code, CC_FAILED_PRECONDITION);
    people_register_destroy(&r);
    assert_null(r);
}

static void test_people_act_chain(void **state)
{
    (void)state;
    people_register_t *r = people_register_new();
    assert_non_null(r);
    char *boards[] = {BOARD};
    Concord__V1__PersonAct acts[] = {CONCORD__V1__PERSON_ACT__ACT_VOTE};
    Concord__V1__Person p;
    cc_err_t err;
    s_person(&p, "gp-lead", 0, boards, acts, 1);
    if (people_add_person(r, ORG, &p, 10, s_noon(2017, 4, 3), s_hash, &err) < 0) {
        people_register_destroy(&r);
        fail_msg("%s", err.msg);
    }
    const uint8_t body[] = "a ballot's bytes";
    uint8_t sig[64], other[64];
    s_sign(0, body, sizeof body, sig);
    s_sign(1, body, sizeof body, other);
    uint64_t may = s_noon(2017, 5, 10);
    long which = -1;
#define S_ACT(idx, t, s, board, act)                                                               \
    people_check_act(r, ORG, "gp-lead", board, act, idx, t, s, METHOD, body, sizeof body, &which, \
                     &err)
    assert_int_equal(S_ACT(11, may, sig, BOARD, CONCORD__V1__PERSON_ACT__ACT_VOTE), 0);
    assert_int_equal(which, 0);
    /* Logged before the registration: unknown there. */
    assert_int_equal(S_ACT(9, may, sig, BOARD, CONCORD__V1__PERSON_ACT__ACT_VOTE), -1);
    assert_int_equal(err.code, CC_NOT_FOUND);
    /* Another board, another act. */
    assert_int_equal(S_ACT(11, may, sig, "OTHER", CONCORD__V1__PERSON_ACT__ACT_VOTE), -1);
    assert_int_equal(err.code, CC_PERMISSION_DENIED);
    assert_non_null(strstr(err.msg, "out of scope"));
    assert_int_equal(S_ACT(11, may, sig, BOARD, CONCORD__V1__PERSON_ACT__ACT_PROPOSE), -1);
    assert_int_equal(err.code, CC_PERMISSION_DENIED);
    /* The dates, inclusive. */
    assert_int_equal(S_ACT(11, s_noon(2017, 3, 31), sig, BOARD, CONCORD__V1__PERSON_ACT__ACT_VOTE),
                     -1);
    assert_int_equal(err.code, CC_FAILED_PRECONDITION);
    assert_int_equal(S_ACT(11, s_noon(2017, 4, 1), sig, BOARD, CONCORD__V1__PERSON_ACT__ACT_VOTE),
                     0);
    assert_int_equal(S_ACT(11, s_noon(2018, 3, 31), sig, BOARD, CONCORD__V1__PERSON_ACT__ACT_VOTE),
                     0);
    assert_int_equal(S_ACT(11, s_noon(2018, 4, 1), sig, BOARD, CONCORD__V1__PERSON_ACT__ACT_VOTE),
                     -1);
    assert_non_null(strstr(err.msg, "expired delegation"));
    /* The signature: missing, or by another key. */
    assert_int_equal(S_ACT(11, may, NULL, BOARD, CONCORD__V1__PERSON_ACT__ACT_VOTE), -1);
    assert_int_equal(err.code, CC_UNAUTHENTICATED);
    assert_int_equal(S_ACT(11, may, other, BOARD, CONCORD__V1__PERSON_ACT__ACT_VOTE), -1);
    assert_int_equal(err.code, CC_UNAUTHENTICATED);
    assert_non_null(strstr(err.msg, "bad person's signature"));
    /* Signed for another organisation: not this chain. */
    assert_int_equal(people_check_act(r, "E38000217", "gp-lead", BOARD,
                                      CONCORD__V1__PERSON_ACT__ACT_VOTE, 11, may, sig, METHOD,
                                      body, sizeof body, NULL, &err),
                     -1);
    assert_int_equal(err.code, CC_NOT_FOUND);
    /* Revoked at log index 20: acts before it stand, acts after it fall. */
    Concord__V1__PersonRevocation rv = CONCORD__V1__PERSON_REVOCATION__INIT;
    rv.person_id = "gp-lead";
    rv.reason = "left the CCG";
    if (people_revoke(r, ORG, &rv, 20, may, s_hash, &err) < 0) {
        people_register_destroy(&r);
        fail_msg("%s", err.msg);
    }
    assert_int_equal(S_ACT(19, may, sig, BOARD, CONCORD__V1__PERSON_ACT__ACT_VOTE), 0);
    assert_int_equal(S_ACT(21, may, sig, BOARD, CONCORD__V1__PERSON_ACT__ACT_VOTE), -1);
    assert_int_equal(err.code, CC_FAILED_PRECONDITION);
    assert_non_null(strstr(err.msg, "left the CCG"));
    /* A non-voting member casts no vote. */
    s_person(&p, "observer", 1, boards, acts, 1);
    p.voting = 0;
    if (people_add_person(r, ORG, &p, 30, may, s_hash, &err) < 0) {
        people_register_destroy(&r);
        fail_msg("%s", err.msg);
    }
    assert_int_equal(people_check_act(r, ORG, "observer", BOARD,
                                      CONCORD__V1__PERSON_ACT__ACT_VOTE, 31, may, other, METHOD,
                                      body, sizeof body, NULL, &err),
                     -1);
    assert_non_null(strstr(err.msg, "non-voting"));
#undef S_ACT
    people_register_destroy(&r);
}

static void test_people_conflicts(void **state)
{
    (void)state;
    people_register_t *r = people_register_new();
    assert_non_null(r);
    char *boards[] = {BOARD};
    Concord__V1__PersonAct acts[] = {CONCORD__V1__PERSON_ACT__ACT_VOTE};
    Concord__V1__Person p;
    cc_err_t err;
    s_person(&p, "gp-lead", 0, boards, acts, 1);
    Concord__V1__Interest in = CONCORD__V1__INTEREST__INIT;
    in.person_id = "gp-lead";
    in.kind = CONCORD__V1__INTEREST_KIND__FINANCIAL;
    in.concerns = "Acme-Health";
    in.from_date = "2017-06-01";
    in.to_date = "2017-12-31";
    /* An interest of a person not registered. */
    assert_int_equal(people_check_interest(r, ORG, &in, &err), -1);
    assert_int_equal(err.code, CC_NOT_FOUND);
    if (people_add_person(r, ORG, &p, 10, s_noon(2017, 4, 3), s_hash, &err) < 0 ||
        people_check_interest(r, ORG, &in, &err) < 0 ||
        people_add_interest(r, ORG, &in, 12, s_noon(2017, 4, 5), s_hash, &err) < 0) {
        people_register_destroy(&r);
        fail_msg("%s", err.msg);
    }
    assert_int_equal(people_interest_count(r), 1);
    char *subjects[] = {"Beta-Care", "Acme-Health"};
    const char *who = NULL, *what = NULL;
    /* In force on the proposal's date, recorded before it. */
    assert_int_equal(people_conflict(r, ORG, BOARD, subjects, 2, "2017-06-01", 13, &who, &what),
                     1);
    assert_string_equal(who, "gp-lead");
    assert_string_equal(what, "Acme-Health");
    assert_int_equal(people_conflict(r, ORG, BOARD, subjects, 2, "2017-12-31", 13, &who, &what),
                     1);
    /* Outside its dates; recorded after the proposal; another subject,
     * board or organisation. */
    assert_int_equal(people_conflict(r, ORG, BOARD, subjects, 2, "2017-05-31", 13, &who, &what),
                     0);
    assert_int_equal(people_conflict(r, ORG, BOARD, subjects, 2, "2018-01-01", 13, &who, &what),
                     0);
    assert_int_equal(people_conflict(r, ORG, BOARD, subjects, 2, "2017-07-01", 12, &who, &what),
                     0);
    assert_int_equal(people_conflict(r, ORG, BOARD, subjects, 1, "2017-07-01", 13, &who, &what),
                     0);
    assert_int_equal(people_conflict(r, ORG, "OTHER", subjects, 2, "2017-07-01", 13, &who, &what),
                     0);
    assert_int_equal(
        people_conflict(r, "E38000217", BOARD, subjects, 2, "2017-07-01", 13, &who, &what), 0);
    /* A person revoked before the proposal no longer acts for the member. */
    Concord__V1__PersonRevocation rv = CONCORD__V1__PERSON_REVOCATION__INIT;
    rv.person_id = "gp-lead";
    if (people_revoke(r, ORG, &rv, 14, s_noon(2017, 7, 1), s_hash, &err) < 0) {
        people_register_destroy(&r);
        fail_msg("%s", err.msg);
    }
    assert_int_equal(people_conflict(r, ORG, BOARD, subjects, 2, "2017-07-01", 15, &who, &what),
                     0);
    assert_int_equal(people_event_count(r), 3);
    /* Malformed interests. */
    in.kind = 0;
    assert_int_equal(people_check_interest(r, ORG, &in, &err), -1);
    assert_non_null(strstr(err.msg, "NHS Act 2006 s14O"));
    in.kind = CONCORD__V1__INTEREST_KIND__INDIRECT;
    in.concerns = "Acme Health";
    assert_int_equal(people_check_interest(r, ORG, &in, &err), -1);
    in.concerns = "Acme-Health";
    in.to_date = "2017-01-01";
    assert_int_equal(people_check_interest(r, ORG, &in, &err), -1);
    in.to_date = "";
    assert_int_equal(people_check_interest(r, ORG, &in, &err), 0);
    people_register_destroy(&r);
}

static void test_people_names(void **state)
{
    (void)state;
    assert_int_equal(people_interest_parse("financial"), CONCORD__V1__INTEREST_KIND__FINANCIAL);
    assert_int_equal(people_interest_parse("Non-Financial Professional"),
                     CONCORD__V1__INTEREST_KIND__NON_FINANCIAL_PROFESSIONAL);
    assert_int_equal(people_interest_parse("non_financial_personal"),
                     CONCORD__V1__INTEREST_KIND__NON_FINANCIAL_PERSONAL);
    assert_int_equal(people_interest_parse("indirect"), CONCORD__V1__INTEREST_KIND__INDIRECT);
    assert_int_equal(people_interest_parse("financia"), 0);
    assert_int_equal(people_interest_parse("indirectly"), 0);
    assert_int_equal(people_act_parse("sign-statement"),
                     CONCORD__V1__PERSON_ACT__ACT_SIGN_STATEMENT);
    assert_int_equal(people_act_parse("vote"), CONCORD__V1__PERSON_ACT__ACT_VOTE);
    assert_int_equal(people_act_parse("veto"), 0);
    assert_string_equal(people_interest_name(9), "unspecified");
    char d[11];
    people_date_of(s_noon(2017, 2, 28), d);
    assert_string_equal(d, "2017-02-28");
    cc_err_t err;
    assert_int_equal(people_subject_check("Acme-Health", &err), 0);
    assert_int_equal(people_subject_check("A", &err), -1);
    assert_int_equal(people_id_check("gp-lead", "a person id", &err), 0);
    assert_int_equal(people_id_check("GP", "a person id", &err), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_people_person_checks),
        cmocka_unit_test(test_people_act_chain),
        cmocka_unit_test(test_people_conflicts),
        cmocka_unit_test(test_people_names),
    };
    return cmocka_run_group_tests(tests, s_group_setup, NULL);
}
