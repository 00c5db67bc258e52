/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the register of NHS England delegations across
 * succession: a predecessor's records pass to its successor from the
 * merger or split that the roster records (Health and Care Act 2022 Sch 4
 * transfer schemes), a split copying them to every successor; the
 * successor's own records supersede them by date, and win a tie. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "delegation.h"
#include "keys.h"
#include "roster.h"

#define NHSE "X24"
#define MB17 "E38000216" /* NHS Morecambe Bay CCG (2017): merges into MB18 */
#define MB18 "E38000228" /* NHS Morecambe Bay CCG (2018): continues, then splits */
#define FW "E38000226"   /* NHS Fylde and Wyre CCG: principal successor of the split */
#define GP17 "E38000065" /* NHS Greater Preston CCG: the other successor */

static const char *const s_codes[] = {NHSE, MB17, MB18, FW, GP17};
static const char *const s_kinds[] = {"NHS_ENGLAND", "CCG", "CCG", "CCG", "CCG"};
#define N_ORGS 5

/* A signed roster of the five, which therefore takes changes. */
static roster_t *s_roster(keys_t **keys)
{
    cc_err_t err;
    keys_t *broker = keys_generate("broker", "Broker", "BROKER", NULL);
    assert_non_null(broker);
    roster_t *r = roster_new("Lancashire", keys_public(broker), &err);
    assert_non_null(r);
    for (int i = 0; i < N_ORGS; i++) {
        keys[i] = keys_generate(s_codes[i], "Member organisation", s_kinds[i], NULL);
        assert_non_null(keys[i]);
        assert_int_equal(roster_add(r, keys_public(keys[i]), &err), 0);
    }
    for (int i = 0; i < N_ORGS; i++) {
        assert_int_equal(roster_sign(r, keys[i], &err), 0);
    }
    keys_destroy(&broker);
    return r;
}

static void s_record(delegation_register_t *reg, const char *org, const char *from, int level,
                     uint64_t log_index)
{
    static const uint8_t hash[32] = {7};
    cc_err_t err;
    Concord__V1__DelegationRecord d = CONCORD__V1__DELEGATION_RECORD__INIT;
    d.organisation = (char *)org;
    d.line = CONCORD__V1__SERVICE_LINE__PRIMARY_MEDICAL;
    d.from_date = (char *)from;
    d.level = (Concord__V1__DelegationLevel)level;
    d.agreement_ref = level == CONCORD__V1__DELEGATION_LEVEL__NHS_ENGLAND_DIRECT ? "" : "Bay/1";
    assert_int_equal(delegation_add(reg, &d, NHSE, log_index, 0, hash, &err), 0);
}

static int s_level(const delegation_register_t *reg, const roster_t *r, const char *org,
                   const char *date, uint64_t before, long *which)
{
    return delegation_level(reg, r, org, CONCORD__V1__SERVICE_LINE__PRIMARY_MEDICAL, date,
                            before, which);
}

static void test_delegation_follows_mergers_and_splits(void **state)
{
    (void)state;
    enum {
        DIRECT = CONCORD__V1__DELEGATION_LEVEL__NHS_ENGLAND_DIRECT,
        JOINT = CONCORD__V1__DELEGATION_LEVEL__JOINT,
        DELEGATED = CONCORD__V1__DELEGATION_LEVEL__DELEGATED,
    };
    keys_t *keys[N_ORGS];
    cc_err_t err;
    long which;
    char holders[DELEGATION_HOLDERS_MAX][KEYS_CODE_MAX + 1];
    roster_t *r = s_roster(keys);
    delegation_register_t *reg = delegation_register_new();
    assert_non_null(reg);
    s_record(reg, MB17, "2016-04-01", DELEGATED, 5);
    assert_int_equal(s_level(reg, r, MB18, "2017-01-01", 100, &which), DIRECT);
    assert_int_equal(which, -1);

    /* MB17 merges into MB18 (continuing) after log index 10. */
    const char *preds[] = {MB18, MB17};
    keys_public_t succ = *keys_public(keys[2]);
    assert_int_equal(roster_merge(r, &succ, preds, 2, 10, "merger", &err), 0);
    assert_int_equal(s_level(reg, r, MB18, "2017-01-01", 11, &which), DELEGATED);
    assert_int_equal(which, 0);
    /* Judged at or before the merger, the record is still MB17's alone. */
    assert_int_equal(s_level(reg, r, MB18, "2017-01-01", 10, NULL), DIRECT);
    /* Without the roster, only the organisation's own records count. */
    assert_int_equal(s_level(reg, NULL, MB18, "2017-01-01", 11, NULL), DIRECT);
    assert_int_equal(delegation_holders(r, MB18, UINT64_MAX, holders, DELEGATION_HOLDERS_MAX),
                     2);
    assert_string_equal(holders[0], MB18);
    assert_string_equal(holders[1], MB17);

    /* MB18's own later record supersedes it from its date. */
    s_record(reg, MB18, "2017-04-01", JOINT, 12);
    assert_int_equal(s_level(reg, r, MB18, "2017-06-01", 13, NULL), JOINT);
    assert_int_equal(s_level(reg, r, MB18, "2017-01-01", 13, NULL), DELEGATED);

    /* MB18 splits between FW and GP17 after 20: each holds its records,
     * and through them MB17's. */
    const char *succs[] = {FW, GP17};
    const uint32_t permille[] = {600, 400};
    assert_int_equal(roster_split(r, MB18, succs, permille, 2, 20, "split", &err), 0);
    assert_int_equal(s_level(reg, r, FW, "2017-01-01", 21, NULL), DELEGATED);
    assert_int_equal(s_level(reg, r, GP17, "2017-06-01", 21, NULL), JOINT);
    assert_int_equal(s_level(reg, r, GP17, "2017-06-01", 20, NULL), DIRECT);
    assert_int_equal(delegation_holders(r, GP17, 21, holders, DELEGATION_HOLDERS_MAX), 3);
    assert_string_equal(holders[1], MB18);
    assert_string_equal(holders[2], MB17);
    /* A list with room for one holds only the organisation itself. */
    assert_int_equal(delegation_holders(r, GP17, 21, holders, 1), 1);

    /* Of records from the same date, the organisation's own wins. */
    s_record(reg, FW, "2016-04-01", DIRECT, 22);
    assert_int_equal(s_level(reg, r, FW, "2017-01-01", 23, &which), DIRECT);
    assert_int_equal(which, 2);
    /* ...so primary medical services are no longer delegated to both. */
    char *codes[] = {(char *)FW, (char *)GP17};
    assert_false(delegation_primary_delegated(reg, r, codes, 2, "2017-01-01"));
    assert_true(delegation_primary_delegated(reg, r, codes + 1, 1, "2017-01-01"));

    delegation_register_destroy(&reg);
    roster_destroy(&r);
    for (int i = 0; i < N_ORGS; i++) {
        keys_destroy(&keys[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_delegation_follows_mergers_and_splits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
