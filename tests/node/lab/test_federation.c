/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for federation: members of an area chosen from the shipped
 * ONS lookups (a combined authority, a two-tier county, an STP footprint,
 * all of England), unknown codes refused, and federation.ini written and
 * read back, with bad files refused naming file and line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "federation.h"
#include "geo.h"

#define SHIPPED CONCORD_SOURCE_DIR "/data/ons"

static geo_t *s_geo;

static int s_setup(void **state)
{
    cc_err_t err;
    (void)state;
    s_geo = geo_load_dir(SHIPPED, &err);
    return s_geo ? 0 : -1;
}

static int s_teardown(void **state)
{
    (void)state;
    geo_destroy(&s_geo);
    return 0;
}

static size_t s_count(const federation_t *f, const char *kind)
{
    size_t n = 0;
    for (size_t i = 0; i < f->n_orgs; i++) {
        n += strcmp(f->orgs[i].kind, kind) == 0;
    }
    return n;
}

static void s_make(federation_t *f, federation_scope_t scope, const char *code)
{
    cc_err_t err;
    memset(f, 0, sizeof *f);
    if (federation_from_geo(s_geo, scope, code, NULL, f, &err) < 0) {
        fail_msg("%s: %s", code, err.msg);
    }
}

static void test_federation_greater_manchester(void **state)
{
    federation_t f;
    (void)state;
    s_make(&f, FEDERATION_AREA, "E47000001");
    assert_string_equal(f.name, "Greater Manchester");
    /* April 2017: ten CCGs (the three Manchester CCGs had merged), ten
     * metropolitan boroughs, and NHS England. */
    assert_int_equal(f.n_orgs, 21);
    assert_int_equal(s_count(&f, "CCG"), 10);
    assert_int_equal(s_count(&f, "COUNCIL_UPPER"), 10);
    assert_int_equal(s_count(&f, "COUNCIL_DISTRICT"), 0);
    assert_string_equal(f.orgs[f.n_orgs - 1].code, "X24");
    assert_string_equal(f.orgs[f.n_orgs - 1].constituency, "nhs");
    int m = federation_find(&f, "E38000217");
    assert_true(m >= 0);
    assert_string_equal(f.orgs[m].name, "NHS Manchester CCG");
    assert_int_equal(federation_find(&f, "E10000007"), -1); /* Derbyshire is not in the CA */
    federation_free(&f);
    federation_free(&f);
}

static void test_federation_two_tier_county(void **state)
{
    federation_t f;
    (void)state;
    s_make(&f, FEDERATION_COUNTY, "E10000006");
    assert_int_equal(s_count(&f, "COUNCIL_UPPER"), 1);
    assert_int_equal(s_count(&f, "COUNCIL_DISTRICT"), 6);
    assert_true(federation_find(&f, "E38000215") >= 0);
    assert_true(federation_find(&f, "E38000216") >= 0);
    assert_int_equal(s_count(&f, "CCG"), 2);
    assert_int_equal(f.n_orgs, 10);
    int d = federation_find(&f, "E07000028");
    assert_string_equal(f.orgs[d].constituency, "local-government");
    federation_free(&f);
}

static void test_federation_stp_and_england(void **state)
{
    federation_t f;
    (void)state;
    s_make(&f, FEDERATION_STP, "E54000007");
    assert_true(federation_find(&f, "E10000007") >= 0); /* Glossop, through Tameside and Glossop */
    assert_int_equal(s_count(&f, "COUNCIL_DISTRICT"), 0);
    federation_free(&f);
    s_make(&f, FEDERATION_ENGLAND, "X24");
    assert_int_equal(s_count(&f, "CCG"), 207);
    assert_int_equal(s_count(&f, "COUNCIL_UPPER"), 152);
    assert_int_equal(f.n_orgs, 360);
    assert_string_equal(f.name, "England");
    federation_free(&f);
}

static void test_federation_unknown_codes(void **state)
{
    federation_t f;
    cc_err_t err;
    (void)state;
    memset(&f, 0, sizeof f);
    assert_int_equal(federation_from_geo(s_geo, FEDERATION_AREA, "E47999999", NULL, &f, &err), -1);
    assert_int_equal(err.code, CC_NOT_FOUND);
    assert_string_equal(err.msg,
                        "E47999999 is not a combined authority (E47...) in the ONS lookups");
    assert_int_equal(federation_from_geo(s_geo, FEDERATION_COUNTY, "E07000028", NULL, &f, &err),
                     -1);
    assert_non_null(strstr(err.msg, "not an upper-tier council"));
    assert_int_equal(federation_from_geo(s_geo, FEDERATION_STP, "E47000001", NULL, &f, &err), -1);
    assert_null(f.orgs);
}

static void test_federation_save_and_load(void **state)
{
    federation_t f, g;
    cc_err_t err;
    char dir[] = "/tmp/concord-fed-XXXXXX", path[128];
    (void)state;
    assert_non_null(mkdtemp(dir));
    s_make(&f, FEDERATION_COUNTY, "E10000006");
    snprintf(f.broker, sizeof f.broker, "tcp://127.0.0.1:7400");
    snprintf(path, sizeof path, "%s/federation.ini", dir);
    assert_int_equal(federation_save(&f, path, &err), 0);
    assert_int_equal(federation_save(&f, path, &err), -1); /* never overwritten */
    assert_int_equal(err.code, CC_ALREADY_EXISTS);
    memset(&g, 0, sizeof g);
    assert_int_equal(federation_load(dir, &g, &err), 0);
    assert_int_equal(g.n_orgs, f.n_orgs);
    assert_int_equal(g.scope, FEDERATION_COUNTY);
    assert_string_equal(g.broker, f.broker);
    for (size_t i = 0; i < f.n_orgs; i++) {
        assert_string_equal(g.orgs[i].code, f.orgs[i].code);
        assert_string_equal(g.orgs[i].name, f.orgs[i].name);
        assert_string_equal(g.orgs[i].kind, f.orgs[i].kind);
    }
    federation_free(&g);
    FILE *fp = fopen(path, "a");
    fputs("\n[org E10000006]\nname = again\n", fp);
    fclose(fp);
    assert_int_equal(federation_load(dir, &g, &err), -1);
    assert_non_null(strstr(err.msg, "federation.ini:"));
    assert_non_null(strstr(err.msg, "E10000006 listed twice"));
    unlink(path);
    assert_int_equal(federation_load(dir, &g, &err), -1);
    assert_int_equal(err.code, CC_NOT_FOUND);
    rmdir(dir);
    federation_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_federation_greater_manchester),
        cmocka_unit_test(test_federation_two_tier_county),
        cmocka_unit_test(test_federation_stp_and_england),
        cmocka_unit_test(test_federation_unknown_codes),
        cmocka_unit_test(test_federation_save_and_load),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
