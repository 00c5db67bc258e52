/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for geo: loading ONS lookups of any year by column pattern,
 * refusing bad files whole, the alignment model on a small synthetic
 * geography with a known answer, the April 2017 figures on the shipped
 * data, and declared primary footprints. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "clock.h"
#include "geo.h"

#define FIX CONCORD_SOURCE_DIR "/tests/data/geo"
#define EXTRA CONCORD_SOURCE_DIR "/tests/data/geo-extra"
#define BAD CONCORD_SOURCE_DIR "/tests/data/geo-bad"
#define SHIPPED CONCORD_SOURCE_DIR "/data/ons"
/* The steering copy: beside the main checkout, or two levels up from a
 * worktree under wt/. */
#define SHARED CONCORD_SOURCE_DIR "/../shared/data/ons"
#define SHARED_WT CONCORD_SOURCE_DIR "/../../shared/data/ons"

/* ---- Helpers ---- */

static geo_t *s_load(const char *const *paths, size_t n)
{
    cc_err_t err;
    geo_t *g = geo_load(paths, n, &err);
    if (!g) {
        fail_msg("load refused: %s", err.msg);
    }
    return g;
}

static geo_align_t *s_align(const geo_t *g, const char *layer)
{
    cc_err_t err;
    geo_align_t *a = geo_align(g, layer, &err);
    if (!a) {
        fail_msg("alignment refused: %s", err.msg);
    }
    return a;
}

/* Loading must fail with exactly this message. */
static void s_load_bad(const char *const *paths, size_t n, const char *msg)
{
    cc_err_t err;
    geo_t *g = geo_load(paths, n, &err);
    assert_null(g);
    assert_string_equal(err.msg, msg);
}

static const geo_org_t *s_org(const geo_align_t *a, const char *code)
{
    const geo_org_t *o = geo_align_find_org(a, code);
    if (!o) {
        fail_msg("no organisation %s", code);
    }
    return o;
}

static void s_cell(const geo_org_t *o, size_t i, const char *fp, uint32_t lsoas, uint32_t permille)
{
    assert_true(i < o->n_cells);
    assert_string_equal(o->cells[i].footprint->code, fp);
    assert_int_equal(o->cells[i].lsoas, lsoas);
    assert_int_equal(o->cells[i].permille, permille);
}

/* The vintage a layer name means ("LAD" -> "LAD18"), or "" if none. */
static const char *s_label(const geo_t *g, const char *layer)
{
    const char *v = geo_layer_resolve(g, layer);
    return v ? v : "";
}

static const char *const s_fixture[] = {FIX "/lsoa11_ccg18_lad18.csv", FIX "/ccg18_stp18.csv",
                                        FIX "/ccg18_nhser18.csv", FIX "/lad18_cty18.csv",
                                        FIX "/lad17_cauth17.csv"};

/* ---- Loading by pattern, any year ---- */

static void test_geo_columns_of_another_year(void **state)
{
    (void)state;
    /* CCG18CD/STP18CD, not the 2017 headers: the same loader takes them. */
    const char *paths[] = {FIX "/lsoa11_ccg18_lad18.csv", FIX "/ccg18_stp18.csv"};
    geo_t *g = s_load(paths, 2);
    assert_int_equal(geo_count(g, "LSOA"), 12);
    assert_int_equal(geo_count(g, "ccg"), 4);
    assert_int_equal(geo_count(g, "STP"), 3);
    assert_int_equal(geo_count(g, "LAD"), 5);
    assert_int_equal(geo_count(g, "NHSER"), 0);
    assert_string_equal(s_label(g, "CCG"), "CCG18");
    assert_string_equal(s_label(g, "LSOA"), "LSOA11");
    /* LSOA -> CCG -> STP through the shared CCG codes. */
    assert_string_equal(geo_parent(g, "LSOA", "E01900007", "STP"), "E54000902");
    assert_string_equal(geo_parent(g, "lsoa", "e01900001", "stp"), "E54000901");
    assert_string_equal(geo_name(g, "CCG", "E38000901"), "NHS Alpha, Beta CCG");
    assert_string_equal(geo_name(g, "STP", "E54000902"), "South \"Vale\" Footprint");
    assert_null(geo_name(g, "CCG", "E38999999"));
    assert_null(geo_parent(g, "LSOA", "E01999999", "STP"));
    assert_null(geo_parent(g, "STP", "E54000901", "LSOA")); /* no chain downwards */
    geo_destroy(&g);
    assert_null(g);
    geo_destroy(&g);
    geo_destroy(NULL);
}

static void test_geo_joins_files_of_different_years(void **state)
{
    (void)state;
    /* LAD18 lookups beside a LAD17 combined-authority file with lower-case
     * headers and CRLF, joined on the codes. */
    geo_t *g = s_load(s_fixture, 5);
    assert_string_equal(geo_parent(g, "LSOA", "E01900003", "CAUTH"), "E47000901");
    /* Two vintages of LADs side by side, joined on the codes they share. */
    assert_string_equal(s_label(g, "LAD"), "LAD18");
    assert_string_equal(s_label(g, "lad17"), "LAD17");
    assert_string_equal(s_label(g, "CAUTH"), "CAUTH17");
    assert_int_equal(geo_count(g, "LAD17"), 3);
    assert_int_equal(geo_count(g, "LAD18"), 5);
    assert_int_equal(geo_count(g, "LAD19"), 0);
    assert_int_equal(geo_file_count(g), 5);
    geo_destroy(&g);
    /* An LSOA->CCG file of 2018 with an LSOA->STP file of 2017: the direct
     * LSOA->STP lookup, not a chain. */
    const char *paths[] = {FIX "/lsoa11_ccg18_lad18.csv", EXTRA "/lsoa11_stp17.csv",
                           FIX "/lad18_cty18.csv"};
    g = s_load(paths, 3);
    assert_string_equal(geo_parent(g, "LSOA", "E01900006", "STP"), "E54000901");
    geo_align_t *a = s_align(g, NULL);
    const geo_org_t *shire = s_org(a, "E10000901");
    s_cell(shire, 0, "E54000902", 4, 667);
    s_cell(shire, 1, "E54000901", 2, 333);
    geo_align_destroy(&a);
    assert_null(a);
    geo_align_destroy(&a);
    geo_destroy(&g);
}

static void test_geo_missing_columns(void **state)
{
    (void)state;
    const char *p1[] = {BAD "/name_without_code.csv"};
    s_load_bad(p1, 1,
               BAD "/name_without_code.csv: column LSOA11NM has no code column: "
                   "expected LSOA11CD beside it");
    const char *p2[] = {BAD "/one_code.csv"};
    s_load_bad(p2, 1,
               BAD "/one_code.csv: only one code column (CCG18CD): a lookup also "
                   "needs a parent column matching <LAYER><YY>CD");
    const char *p3[] = {BAD "/no_code.csv"};
    s_load_bad(p3, 1,
               BAD "/no_code.csv: no code column: expected a header field matching "
                   "<LAYER><YY>CD (such as LSOA11CD or CCG17CD)");
    const char *p4[] = {BAD "/two_lad17.csv"};
    s_load_bad(p4, 1,
               BAD "/two_lad17.csv: two code columns for layer LAD17 (LAD17CD and lad17cd)");
    /* Two vintages of one kind are a lookup between them, not an error. */
    const char *p6[] = {BAD "/two_lad.csv"};
    geo_t *g = s_load(p6, 1);
    assert_string_equal(geo_parent(g, "LAD16", "E07000901", "LAD17"), "E07000901");
    geo_destroy(&g);
    const char *p5[] = {FIX "/nothing_here.csv"};
    cc_err_t err;
    assert_null(geo_load(p5, 1, &err));
    assert_int_equal(err.code, CC_NOT_FOUND);
    assert_null(geo_load(p5, 0, &err));
    assert_string_equal(err.msg, "no lookup files given");
}

static void test_geo_duplicate_key_with_conflicting_parent(void **state)
{
    (void)state;
    /* Line 4 repeats line 2 exactly (accepted); line 5 moves the LSOA. */
    const char *p1[] = {BAD "/dup_conflict.csv"};
    s_load_bad(p1, 1,
               BAD "/dup_conflict.csv:5:24: CCG18CD: conflicting parent: LSOA11 "
                   "E01900001 is in CCG18 E38000902 here but in E38000901 at " BAD
                   "/dup_conflict.csv:2");
    /* Across files: the second disagrees with the first. */
    const char *p2[] = {EXTRA "/lsoa11_stp17.csv", EXTRA "/lsoa11_stp17_conflict.csv"};
    s_load_bad(p2, 2,
               EXTRA "/lsoa11_stp17_conflict.csv:3:11: STP17CD: conflicting parent: "
                     "LSOA11 E01900005 is in STP17 E54000902 here but in E54000901 at " EXTRA
                     "/lsoa11_stp17.csv:6");
}

static void test_geo_ragged_rows_and_bad_codes(void **state)
{
    (void)state;
    const char *p1[] = {BAD "/ragged.csv"};
    s_load_bad(p1, 1, BAD "/ragged.csv:3:20: row has 2 fields but the header has 3");
    const char *p2[] = {BAD "/bad_code.csv"};
    s_load_bad(p2, 1,
               BAD "/bad_code.csv:2:11: CCG18CD: 'E38 000901' is not a code (1 to 15 "
                   "letters and digits)");
    const char *p3[] = {BAD "/empty_key.csv"};
    s_load_bad(p3, 1,
               BAD "/empty_key.csv:2:1: LSOA11CD: '' is not a code (1 to 15 letters "
                   "and digits)");
    const char *p4[] = {BAD "/latin1.csv"};
    s_load_bad(p4, 1, BAD "/latin1.csv:2:25: unknown encoding: byte 0xA3 is not valid UTF-8");
}

static void test_geo_nothing_half_loaded(void **state)
{
    (void)state;
    cc_err_t err;
    geo_t *current = s_load(s_fixture, 5);
    /* Good files then a bad one: no model at all, and the one in use is
     * untouched, so a caller swaps only on success. */
    const char *paths[] = {FIX "/lsoa11_ccg18_lad18.csv", FIX "/ccg18_stp18.csv",
                           BAD "/dup_conflict.csv"};
    geo_t *fresh = geo_load(paths, 3, &err);
    assert_null(fresh);
    assert_non_null(strstr(err.msg, "dup_conflict.csv:5:24"));
    geo_align_t *a = s_align(current, NULL);
    assert_int_equal(geo_align_footprint_count(a), 3);
    geo_align_destroy(&a);
    geo_destroy(&current);
    /* Directories: missing, and one with no CSV in it. */
    assert_null(geo_load_dir(FIX "/no_such_dir", &err));
    assert_int_equal(err.code, CC_NOT_FOUND);
    assert_null(geo_load_dir(CONCORD_SOURCE_DIR "/tests/data", &err));
    assert_string_equal(err.msg, "no .csv lookups in " CONCORD_SOURCE_DIR "/tests/data");
    geo_t *g = geo_load_dir(FIX, &err);
    assert_non_null(g);
    assert_int_equal(geo_file_count(g), 5);
    assert_string_equal(geo_file_path(g, 0), FIX "/ccg18_nhser18.csv");
    geo_destroy(&g);
}

/* ---- Alignment on the synthetic geography ---- */

static void test_geo_alignment_fixture(void **state)
{
    (void)state;
    geo_t *g = s_load(s_fixture, 5);
    geo_align_t *a = s_align(g, "stp");
    geo_summary_t s;
    geo_align_summary(a, &s);
    assert_string_equal(geo_align_layer(a), "STP18");
    assert_int_equal(s.lsoas, 12);
    assert_int_equal(s.footprints, 3);
    assert_int_equal(s.lads, 5);
    assert_int_equal(s.orgs[GEO_CCG], 4);
    assert_int_equal(s.orgs[GEO_UPPER], 4); /* unitary, metropolitan, London, county */
    assert_int_equal(s.orgs[GEO_DISTRICT], 2);
    assert_int_equal(s.orgs[GEO_CAUTH], 2);
    assert_int_equal(s.split[GEO_CCG], 0);
    assert_int_equal(s.split[GEO_UPPER], 1);
    assert_int_equal(s.split[GEO_DISTRICT], 1);
    assert_int_equal(s.coterminous, 1);
    /* The county is its districts; a district is not upper tier. */
    const geo_org_t *shire = s_org(a, "E10000901");
    assert_int_equal(shire->kind, GEO_UPPER);
    assert_string_equal(shire->name, "Shire");
    assert_int_equal(shire->cls, GEO_SPLIT);
    assert_int_equal(shire->lsoas, 6);
    s_cell(shire, 0, "E54000902", 4, 667);
    s_cell(shire, 1, "E54000901", 2, 333);
    const geo_org_t *dale = s_org(a, "E07000901");
    assert_int_equal(dale->kind, GEO_DISTRICT);
    assert_string_equal(dale->county, "E10000901");
    assert_int_equal(s_org(a, "E08000901")->kind, GEO_UPPER);
    assert_null(geo_align_find_org(a, "E11000901")); /* a grouping, not a council */
    /* Footprints: only the borough's is coterminous. */
    const geo_footprint_t *north = geo_align_find_footprint(a, "e54000901");
    assert_int_equal(north->lsoas, 6);
    assert_false(north->coterminous);
    assert_int_equal(north->n_members[GEO_CCG], 2);
    assert_int_equal(north->n_members[GEO_UPPER], 3);
    assert_string_equal(north->members[GEO_UPPER][0].org->code, "E06000901");
    assert_true(geo_align_find_footprint(a, "E54000903")->coterminous);
    /* Combined authorities by LSOA sets. */
    const geo_org_t *twin = s_org(a, "E47000901");
    assert_int_equal(twin->n_cells, 1);
    assert_int_equal(twin->cells[0].rel, GEO_CONTAINED_BY);
    assert_int_equal(s_org(a, "E47000902")->cells[0].rel, GEO_EQUAL);
    assert_int_equal(geo_org_cell(shire, north)->lsoas, 2);
    assert_null(geo_org_cell(twin, geo_align_find_footprint(a, "E54000902")));
    assert_null(geo_align_find_footprint(a, "E54999999"));
    assert_null(geo_align_find_footprint(a, "not a code"));
    geo_align_destroy(&a);
    geo_destroy(&g);
}

static void test_geo_alignment_any_layer(void **state)
{
    (void)state;
    cc_err_t err;
    geo_t *g = s_load(s_fixture, 5);
    /* NHS regions through the CCG->NHSER lookup. */
    geo_align_t *a = s_align(g, "NHSER");
    assert_int_equal(geo_align_footprint_count(a), 2);
    s_cell(s_org(a, "E10000901"), 0, "E40000902", 4, 667);
    geo_align_destroy(&a);
    /* Combined authorities as the layer: some LSOAs are in none. */
    a = s_align(g, "CAUTH");
    const geo_org_t *bravo = s_org(a, "E38000902");
    assert_int_equal(bravo->cls, GEO_PARTIAL);
    assert_int_equal(bravo->outside, 2);
    s_cell(bravo, 0, "E47000901", 1, 333);
    assert_int_equal(bravo->outside_permille, 667);
    assert_int_equal(s_org(a, "E38000903")->cls, GEO_OUTSIDE);
    geo_align_destroy(&a);
    /* CCGs as the layer: the district straddles two of them. */
    a = s_align(g, "CCG");
    s_cell(s_org(a, "E07000901"), 0, "E38000902", 2, 667);
    geo_align_destroy(&a);
    /* A layer nobody loaded, and one the LSOAs cannot reach. */
    assert_null(geo_align(g, "ICB", &err));
    assert_int_equal(err.code, CC_FAILED_PRECONDITION);
    assert_string_equal(err.msg, "no lookup gives layer ICB: load a file with a column matching "
                                 "ICB<YY>CD");
    geo_destroy(&g);
    const char *p[] = {FIX "/lsoa11_ccg18_lad18.csv", EXTRA "/wd18_lad18.csv"};
    g = s_load(p, 2);
    assert_null(geo_align(g, "WD", &err));
    assert_non_null(strstr(err.msg, "no chain of lookups leads from LSOAs to layer WD"));
    geo_destroy(&g);
    const char *q[] = {FIX "/ccg18_stp18.csv"};
    g = s_load(q, 1);
    assert_null(geo_align(g, NULL, &err));
    assert_string_equal(err.msg, "no lookup gives LSOAs: load a file with a column matching "
                                 "LSOA<YY>CD");
    geo_destroy(&g);
}

/* ---- Vintages and dates ---- */

static void test_geo_dates(void **state)
{
    (void)state;
    char buf[16];
    assert_int_equal(geo_date_parse("2017-04-01"), 20170401);
    assert_int_equal(geo_date_parse("2020-02-29"), 20200229);
    assert_int_equal(geo_date_parse("2019-02-29"), 0);
    assert_int_equal(geo_date_parse("2017-13-01"), 0);
    assert_int_equal(geo_date_parse("2017-4-1"), 0);
    assert_int_equal(geo_date_parse("2017-04-01x"), 0);
    assert_int_equal(geo_date_parse(NULL), 0);
    assert_string_equal(geo_date_str(20170401, buf, sizeof buf), "2017-04-01");
    assert_string_equal(geo_date_str(GEO_LATEST, buf, sizeof buf), "latest");
}

/* A vintage of a year never seen (CCG31), its start from the file name,
 * beside the 2018 fixture: as-at dates pick one or the other. */
static void test_geo_vintages_side_by_side(void **state)
{
    (void)state;
    cc_err_t err;
    const char *paths[] = {FIX "/lsoa11_ccg18_lad18.csv", FIX "/ccg18_stp18.csv",
                           EXTRA "/lsoa11_ccg31_Apr2031.csv"};
    geo_t *g = s_load(paths, 3);
    assert_string_equal(s_label(g, "CCG"), "CCG31");
    assert_string_equal(s_label(g, "ccg18"), "CCG18");
    for (size_t i = 0; i < geo_layer_count(g); i++) {
        if (strcmp(geo_layer_name(g, i), "CCG31") == 0) {
            assert_string_equal(geo_layer_kind(g, i), "CCG");
            assert_int_equal(geo_layer_start(g, i), 20310401);
        }
    }
    /* The same LSOA is in CCG18 E38000903 and CCG31 E38000904. */
    assert_string_equal(geo_parent(g, "LSOA11", "E01900010", "CCG18"), "E38000903");
    assert_string_equal(geo_parent(g, "LSOA11", "E01900010", "CCG"), "E38000904");
    /* The newest CCGs against the only STPs: CCG31 has no STP of its own,
     * and joins STP18 only through the codes it shares with CCG18. */
    geo_align_t *a = s_align(g, "CCG");
    assert_string_equal(geo_align_layer(a), "CCG31");
    assert_int_equal(geo_align_footprint_count(a), 4);
    geo_align_destroy(&a);
    a = geo_align_at(g, "CCG", 20250101, &err);
    assert_non_null(a);
    assert_string_equal(geo_align_layer(a), "CCG18");
    assert_int_equal(geo_align_as_at(a), 20250101);
    assert_string_equal(geo_align_vintage(a, 0), "CCG18");
    assert_string_equal(geo_align_vintage(a, 1), "LSOA11");
    assert_string_equal(geo_align_vintage(a, 2), "LAD18");
    assert_int_equal(geo_align_vintage_count(a), 3);
    assert_null(geo_align_vintage(a, 3));
    geo_align_destroy(&a);
    /* Before any CCG vintage: refused, naming the earliest. */
    assert_null(geo_align_at(g, "CCG", 20170401, &err));
    assert_int_equal(err.code, CC_FAILED_PRECONDITION);
    assert_string_equal(err.msg, "no CCG vintage is in force on 2017-04-01: the earliest loaded "
                                 "is CCG18, from 2018-04-01");
    assert_null(geo_align(g, "CCG19", &err));
    assert_string_equal(err.msg, "no lookup gives layer CCG19: load a file with a column "
                                 "matching CCG19CD");
    geo_destroy(&g);
}

/* Mixing vintages of different kinds answers as a direct join of the two
 * files on the code they share: the April 2018 LSOA->LAD18 lookup with the
 * March 2017 LAD17->CAUTH17 one. */
static void test_geo_mixed_vintages_direct_join(void **state)
{
    (void)state;
    const char *paths[] = {SHIPPED "/ons_LSOA11_CCG18_STP18_LAD18_Apr2018_v3.csv",
                           SHIPPED "/ons_LAD17_to_CAUTH17_Mar2017.csv"};
    geo_t *g = s_load(paths, 2);
    geo_align_t *a = s_align(g, "CAUTH");
    size_t in_gm = 0, in_any = 0;
    /* English LSOA codes run from E01000001 to E01033768. */
    for (size_t i = 1000001; i <= 1033768; i++) {
        char code[16];
        snprintf(code, sizeof code, "E%08zu", i);
        const char *lad = geo_parent(g, "LSOA11", code, "LAD18");
        const char *via = geo_parent(g, "LSOA11", code, "CAUTH17");
        const char *join = lad ? geo_parent(g, "LAD17", lad, "CAUTH17") : NULL;
        if (via || join) {
            assert_non_null(via);
            assert_non_null(join);
            assert_string_equal(via, join);
            in_any++;
            in_gm += strcmp(via, "E47000001") == 0;
        }
    }
    assert_true(in_any > 0);
    assert_int_equal(in_gm, 1673);
    assert_int_equal(s_org(a, "E47000001")->lsoas, 1673);
    geo_align_destroy(&a);
    geo_destroy(&g);
}

static const geo_change_t *s_change_at(const geo_changes_t *c, geo_change_kind_t kind,
                                       const char *from, const char *to)
{
    for (size_t i = 0; i < geo_changes_count(c); i++) {
        const geo_change_t *ch = geo_changes_get(c, i);
        int has_from = 0, has_to = 0;
        for (size_t k = 0; k < ch->n_from; k++) {
            has_from |= strcmp(ch->from[k].code, from) == 0;
        }
        for (size_t k = 0; k < ch->n_to; k++) {
            has_to |= strcmp(ch->to[k].code, to) == 0;
        }
        if (ch->kind == kind && has_from && has_to) {
            return ch;
        }
    }
    fail_msg("no %s from %s to %s", geo_changes_kind_name(kind), from, to);
    return NULL;
}

/* Every kind of change between CCG18 and a synthetic CCG31, and a code
 * change between two sets of files of that year. */
static void test_geo_changes_synthetic(void **state)
{
    (void)state;
    cc_err_t err;
    const char *paths[] = {FIX "/lsoa11_ccg18_lad18.csv", EXTRA "/lsoa11_ccg31_Apr2031.csv"};
    geo_t *g = s_load(paths, 2);
    geo_changes_t *c = geo_changes(g, "CCG18", g, "CCG", &err);
    assert_non_null(c);
    assert_string_equal(geo_changes_from(c), "CCG18");
    assert_string_equal(geo_changes_to(c), "CCG31");
    assert_string_equal(geo_changes_atom(c), "LSOA11");
    geo_changes_summary_t s;
    geo_changes_summary(c, &s);
    assert_int_equal(s.lsoas, 12);
    assert_int_equal(s.orgs_from, 4);
    assert_int_equal(s.orgs_to, 4);
    assert_int_equal(s.count[GEO_MERGER], 1);
    assert_int_equal(s.count[GEO_SPLIT_UP], 1);
    assert_int_equal(s.count[GEO_TRANSFER], 1);
    assert_int_equal(s.count[GEO_CODE_CHANGE], 0);
    assert_int_equal(s.count[GEO_RENAME], 1);
    assert_int_equal(geo_changes_count(c), 4);
    /* Sorted: merger, split, transfer, rename. */
    const geo_change_t *m = geo_changes_get(c, 0);
    assert_int_equal(m->kind, GEO_MERGER);
    assert_int_equal(m->n_from, 2);
    assert_string_equal(m->from[0].code, "E38000902");
    assert_int_equal(m->from[0].lsoas, 3);
    assert_string_equal(m->from[1].code, "E38000903");
    assert_int_equal(m->from[1].lsoas, 3);
    assert_int_equal(m->from[1].total, 4);
    assert_string_equal(m->to[0].code, "E38000913");
    assert_string_equal(m->to[0].name, "NHS Bravo Charlie CCG");
    assert_int_equal(m->lsoas, 6);
    const geo_change_t *sp = geo_changes_get(c, 1);
    assert_int_equal(sp->kind, GEO_SPLIT_UP);
    assert_string_equal(sp->from[0].code, "E38000901");
    assert_int_equal(sp->n_to, 2);
    assert_string_equal(sp->to[0].code, "E38000911");
    assert_int_equal(sp->to[0].lsoas, 2);
    assert_string_equal(sp->to[1].code, "E38000912");
    assert_int_equal(sp->to[1].lsoas, 1);
    const geo_change_t *t = s_change_at(c, GEO_TRANSFER, "E38000903", "E38000904");
    assert_int_equal(t->lsoas, 1);
    assert_string_equal(t->to[0].cont, "E38000904"); /* Delta continues, renamed */
    const geo_change_t *r = s_change_at(c, GEO_RENAME, "E38000904", "E38000904");
    assert_string_equal(r->from[0].name, "NHS Delta CCG");
    assert_string_equal(r->to[0].name, "NHS Delta and Moor CCG");
    geo_changes_destroy(&c);
    assert_null(c);
    geo_changes_destroy(&c);
    /* Two sets of files of one year (a later release): a code change with
     * the same LSOAs, and the release's date from its name. */
    const char *v2[] = {EXTRA "/lsoa11_ccg31_Oct2031_v2.csv"};
    geo_t *g2 = s_load(v2, 1);
    assert_int_equal(geo_layer_start(g2, 1), 20311001);
    c = geo_changes(g, "CCG31", g2, "CCG31", &err);
    assert_non_null(c);
    geo_changes_summary(c, &s);
    assert_int_equal(s.count[GEO_CODE_CHANGE], 1);
    assert_int_equal(s.code_same_territory, 1);
    assert_int_equal(s.unchanged, 3);
    assert_int_equal(geo_changes_count(c), 1);
    const geo_change_t *cc = s_change_at(c, GEO_CODE_CHANGE, "E38000911", "E38000921");
    assert_true(cc->same_territory);
    assert_int_equal(cc->lsoas, 2);
    geo_changes_destroy(&c);
    /* Refusals: a layer not loaded, one no LSOA reaches. */
    assert_null(geo_changes(g, "CCG17", g2, "CCG31", &err));
    assert_string_equal(err.msg, "no lookup gives layer CCG17: load a file with a column "
                                 "matching CCG17CD");
    assert_null(geo_changes(g, "CCG", g, NULL, &err));
    geo_destroy(&g2);
    geo_destroy(&g);
    /* LSOA11 and LSOA21 are not bridged: a 2021-census vintage is no
     * comparison for a 2011 one without a best-fit lookup. */
    const char *census[] = {FIX "/lsoa11_ccg18_lad18.csv", EXTRA "/lsoa21_icb23.csv"};
    g = s_load(census, 2);
    assert_null(geo_parent(g, "LSOA21", "E01900001", "CCG18"));
    assert_string_equal(geo_parent(g, "LSOA11", "E01900001", "CCG18"), "E38000901");
    assert_string_equal(s_label(g, "LSOA"), "LSOA21");
    /* The 2018 footprints are over LSOA11, the newest LSOAs or not. */
    geo_align_t *a18 = s_align(g, "CCG18");
    assert_string_equal(geo_align_vintage(a18, 1), "LSOA11");
    assert_int_equal(geo_align_footprint(a18, 0)->lsoas, 3);
    geo_align_destroy(&a18);
    assert_null(geo_changes(g, "CCG18", g, "ICB23", &err));
    assert_string_equal(err.msg, "CCG18 is over LSOA11 but ICB23 over LSOA21: load a best-fit "
                                 "lookup between them");
    geo_destroy(&g);
    const char *q[] = {FIX "/ccg18_stp18.csv"};
    g = s_load(q, 1);
    assert_null(geo_changes(g, "CCG18", g, "STP18", &err));
    assert_string_equal(err.msg, "no lookup leads from LSOAs to CCG18: load a file with "
                                 "LSOA<YY>CD and CCG18");
    geo_destroy(&g);
}

/* ---- Declared primary footprints ---- */

static void test_geo_primary_validated(void **state)
{
    (void)state;
    cc_err_t err;
    geo_t *g = s_load(s_fixture, 5);
    assert_null(geo_primary(g, "E10000901"));
    /* The county plans with the footprint holding a third of it. */
    assert_int_equal(geo_set_primary(g, "e10000901", "E54000901", &err), 0);
    assert_string_equal(geo_primary(g, "E10000901"), "E54000901");
    geo_align_t *a = s_align(g, NULL);
    const geo_org_t *shire = s_org(a, "E10000901");
    assert_string_equal(shire->primary->code, "E54000901");
    assert_string_equal(shire->cells[0].footprint->code, "E54000902"); /* shares unchanged */
    geo_summary_t s;
    geo_align_summary(a, &s);
    assert_int_equal(s.primaries, 1);
    geo_align_destroy(&a);
    /* A later decision replaces it; a region is a footprint of its layer. */
    assert_int_equal(geo_set_primary(g, "E10000901", "E54000902", &err), 0);
    assert_int_equal(geo_set_primary(g, "E38000901", "E40000901", &err), 0);
    assert_string_equal(geo_primary(g, "E10000901"), "E54000902");
    a = s_align(g, "NHSER");
    assert_string_equal(s_org(a, "E38000901")->primary->code, "E40000901");
    assert_null(s_org(a, "E10000901")->primary); /* its primary is an STP */
    geo_align_destroy(&a);
    /* Refusals name the code and leave the primary as it was. */
    assert_int_equal(geo_set_primary(g, "E10999999", "E54000901", &err), -1);
    assert_int_equal(err.code, CC_NOT_FOUND);
    assert_non_null(strstr(err.msg, "unknown organisation E10999999"));
    assert_int_equal(geo_set_primary(g, "E10000901", "E54999999", &err), -1);
    assert_int_equal(err.code, CC_NOT_FOUND);
    assert_non_null(strstr(err.msg, "unknown footprint E54999999"));
    assert_int_equal(geo_set_primary(g, "E10000901", "E54000903", &err), -1);
    assert_int_equal(err.code, CC_FAILED_PRECONDITION);
    assert_string_equal(err.msg, "E10000901 does not touch footprint E54000903 (Borough "
                                 "Footprint): they share no LSOA");
    assert_int_equal(geo_set_primary(g, "E10000901", "E01900001", &err), -1); /* an LSOA */
    assert_int_equal(geo_set_primary(g, "E54000901", "E54000901", &err), -1); /* not an org */
    assert_int_equal(geo_set_primary(g, "", "E54000901", &err), -1);
    assert_int_equal(err.code, CC_INVALID_ARGUMENT);
    assert_int_equal(geo_set_primary(g, "E10000901", NULL, &err), -1);
    assert_int_equal(geo_set_primary(g, "E10000901", "E54000901; DROP", &err), -1);
    assert_string_equal(geo_primary(g, "E10000901"), "E54000902");
    assert_null(geo_primary(g, NULL));
    geo_destroy(&g);
}

/* ---- The shipped April 2017 data ---- */

static int s_real_setup(void **state)
{
    cc_err_t err;
    *state = geo_load_dir(SHIPPED, &err);
    if (!*state) {
        fprintf(stderr, "cannot load %s: %s\n", SHIPPED, err.msg);
        return -1;
    }
    return 0;
}

static int s_real_teardown(void **state)
{
    geo_destroy((geo_t **)state);
    return 0;
}

static void test_geo_real_counts(void **state)
{
    geo_align_t *a = s_align(*state, "STP17");
    geo_summary_t s;
    geo_align_summary(a, &s);
    assert_int_equal(s.files, 9);
    assert_int_equal(s.lsoas, 32844);
    assert_int_equal(s.lsoas_outside, 0);
    assert_int_equal(s.orgs[GEO_CCG], 207);
    assert_int_equal(s.footprints, 44);
    assert_int_equal(s.lads, 326);
    assert_int_equal(s.orgs[GEO_UPPER], 152);
    assert_int_equal(s.orgs[GEO_DISTRICT], 201);
    assert_int_equal(s.orgs[GEO_CAUTH], 9);
    assert_int_equal(s.districts_without_county, 0);
    assert_int_equal(s.footprints_empty, 0);
    geo_align_destroy(&a);
}

static void test_geo_real_splits(void **state)
{
    geo_align_t *a = s_align(*state, "STP17");
    geo_summary_t s;
    geo_align_summary(a, &s);
    assert_int_equal(s.split[GEO_CCG], 0);    /* no CCG split across STPs */
    assert_int_equal(s.split[GEO_UPPER], 14); /* of the 152 upper-tier councils */
    assert_int_equal(s.split[GEO_DISTRICT], 15);
    assert_int_equal(s.coterminous, 19);
    const geo_org_t *ny = s_org(a, "E10000023");
    assert_string_equal(ny->name, "North Yorkshire");
    assert_int_equal(ny->lsoas, 373);
    assert_int_equal(ny->n_cells, 4);
    /* 142, 133, 95, 3 of 373: largest remainder gives 38.1 + 35.6 + 25.5 +
     * 0.8 = 100.0, where rounding each would give 100.1. */
    s_cell(ny, 0, "E54000006", 142, 381);
    s_cell(ny, 1, "E54000005", 133, 356);
    s_cell(ny, 2, "E54000045", 95, 255);
    s_cell(ny, 3, "E54000048", 3, 8);
    geo_align_destroy(&a);
}

static void test_geo_real_greater_manchester(void **state)
{
    geo_align_t *a = s_align(*state, "STP17");
    const geo_footprint_t *gm = geo_align_find_footprint(a, "E54000007");
    assert_int_equal(gm->lsoas, 1694);
    const geo_org_t *ca = s_org(a, "E47000001");
    assert_int_equal(ca->lsoas, 1673);
    assert_int_equal(ca->n_cells, 1);
    assert_ptr_equal(ca->cells[0].footprint, gm);
    assert_int_equal(ca->cells[0].rel, GEO_CONTAINED_BY); /* not equal: */
    /* the footprint also takes in 21 LSOAs of High Peak... */
    const geo_org_t *hp = s_org(a, "E07000037");
    assert_int_equal(geo_org_cell(hp, gm)->lsoas, 21);
    assert_int_equal(gm->lsoas - ca->lsoas, 21);
    geo_align_destroy(&a);
    /* ...and they are Tameside and Glossop CCG's: High Peak by CCG. */
    a = s_align(*state, "CCG17");
    const geo_org_t *hp_ccg = s_org(a, "E07000037");
    assert_int_equal(hp_ccg->n_cells, 2);
    s_cell(hp_ccg, 0, "E38000115", 38, 644);
    s_cell(hp_ccg, 1, "E38000182", 21, 356);
    geo_align_destroy(&a);
    /* Liverpool City Region lies inside Cheshire and Merseyside, and
     * covers only part of it. */
    a = s_align(*state, "STP17");
    const geo_org_t *lcr = s_org(a, "E47000004");
    assert_int_equal(lcr->cells[0].rel, GEO_CONTAINED_BY);
    assert_string_equal(lcr->cells[0].footprint->code, "E54000008");
    assert_true(lcr->lsoas < lcr->cells[0].footprint->lsoas);
    geo_align_destroy(&a);
}

/* Every organisation's cells add up to it, and its shares to 1000. */
static void s_check_sums(const geo_align_t *a)
{
    uint64_t fp_total = 0;
    for (size_t f = 0; f < geo_align_footprint_count(a); f++) {
        fp_total += geo_align_footprint(a, f)->lsoas;
    }
    geo_summary_t s;
    geo_align_summary(a, &s);
    assert_int_equal(fp_total + s.lsoas_outside, s.lsoas);
    for (int k = 0; k < GEO_KINDS; k++) {
        for (size_t i = 0; i < geo_align_org_count(a, (geo_kind_t)k); i++) {
            const geo_org_t *o = geo_align_org(a, (geo_kind_t)k, i);
            uint32_t lsoas = o->outside, permille = o->outside_permille;
            for (size_t c = 0; c < o->n_cells; c++) {
                lsoas += o->cells[c].lsoas;
                permille += o->cells[c].permille;
                assert_true(c == 0 || o->cells[c].lsoas <= o->cells[c - 1].lsoas);
            }
            assert_int_equal(lsoas, o->lsoas);
            assert_int_equal(permille, 1000);
            assert_true(i == 0 ||
                        strcmp(geo_align_org(a, (geo_kind_t)k, i - 1)->code, o->code) < 0);
        }
    }
}

static void test_geo_real_other_layers(void **state)
{
    static const char *const layers[] = {"STP17", "NHSER17", "NHSRLO17", "CAUTH17",
                                         "CCG17", "LAD17",   "CTY17"};
    static const size_t counts[] = {44, 4, 14, 9, 207, 326, 35};
    for (size_t i = 0; i < sizeof layers / sizeof layers[0]; i++) {
        geo_align_t *a = s_align(*state, layers[i]);
        assert_int_equal(geo_align_footprint_count(a), counts[i]);
        s_check_sums(a);
        geo_align_destroy(&a);
    }
    geo_align_t *a = s_align(*state, "NHSER17");
    geo_summary_t s;
    geo_align_summary(a, &s);
    assert_int_equal(s.split[GEO_CCG], 0);
    assert_int_equal(s.split[GEO_UPPER], 3);
    geo_align_destroy(&a);
}

/* A guard against quadratic regressions, loose enough for a sanitizer
 * build on a busy machine; concord_bench figure 6 measures properly. */
static void test_geo_real_load_and_align_fast(void **state)
{
    (void)state;
    cc_err_t err;
    uint64_t t0 = clock_mono_ms();
    geo_t *g = geo_load_dir(SHIPPED, &err);
    assert_non_null(g);
    geo_align_t *a = s_align(g, NULL);
    uint64_t took = clock_mono_ms() - t0;
    geo_align_destroy(&a);
    geo_destroy(&g);
    assert_true(took < 5000);
}

static void test_geo_real_primary(void **state)
{
    cc_err_t err;
    geo_t *g = *state;
    /* North Yorkshire declares West Yorkshire, which holds 35.6% of it. */
    assert_int_equal(geo_set_primary(g, "E10000023", "E54000005", &err), 0);
    assert_int_equal(geo_set_primary(g, "E10000023", "E54000008", &err), -1);
    assert_int_equal(err.code, CC_FAILED_PRECONDITION);
    assert_int_equal(geo_set_primary(g, "E47000001", "E54000007", &err), 0);
    geo_align_t *a = s_align(g, "STP17");
    assert_string_equal(s_org(a, "E10000023")->primary->code, "E54000005");
    assert_ptr_equal(s_org(a, "E47000001")->primary, geo_align_find_footprint(a, "E54000007"));
    geo_align_destroy(&a);
}

static geo_changes_t *s_changes(const geo_t *g, const char *from, const char *to)
{
    cc_err_t err;
    geo_changes_t *c = geo_changes(g, from, g, to, &err);
    if (!c) {
        fail_msg("changes refused: %s", err.msg);
    }
    return c;
}

/* April 2017 to April 2018: six mergers into new codes, the Lancashire
 * boundary change with three new codes, one rename. */
static void test_geo_real_changes_2017_2018(void **state)
{
    geo_changes_t *c = s_changes(*state, "CCG17", "CCG18");
    geo_changes_summary_t s;
    geo_changes_summary(c, &s);
    assert_int_equal(s.lsoas, 32844);
    assert_int_equal(s.orgs_from, 207);
    assert_int_equal(s.orgs_to, 195);
    assert_int_equal(s.count[GEO_MERGER], 6);
    assert_int_equal(s.count[GEO_SPLIT_UP], 0);
    assert_int_equal(s.count[GEO_TRANSFER], 2);
    assert_int_equal(s.count[GEO_CODE_CHANGE], 3);
    assert_int_equal(s.code_same_territory, 0);
    assert_int_equal(s.count[GEO_RENAME], 1);
    assert_int_equal(s.unchanged, 185);
    /* E38000220 to E38000225, each from its predecessors. */
    static const char *const merged[] = {"E38000220", "E38000221", "E38000222",
                                         "E38000223", "E38000224", "E38000225"};
    static const size_t n_pred[] = {3, 4, 3, 2, 3, 3};
    for (size_t i = 0; i < 6; i++) {
        const geo_change_t *m = geo_changes_get(c, i);
        assert_int_equal(m->kind, GEO_MERGER);
        assert_string_equal(m->to[0].code, merged[i]);
        assert_int_equal(m->n_from, n_pred[i]);
    }
    const geo_change_t *bs = geo_changes_get(c, 0);
    assert_string_equal(bs->to[0].name, "NHS Birmingham and Solihull CCG");
    assert_string_equal(bs->from[0].code, "E38000012");
    assert_string_equal(bs->from[0].name, "NHS Birmingham CrossCity CCG");
    assert_int_equal(bs->from[0].lsoas, 432);
    assert_string_equal(bs->from[2].name, "NHS Solihull CCG");
    assert_int_equal(bs->lsoas, 681);
    s_change_at(c, GEO_MERGER, "E38000096", "E38000225"); /* Leeds West into Leeds */
    /* Fylde and Wyre, Greater Preston and Morecambe Bay: new codes, and
     * LSOAs moving into Fylde and Wyre. */
    const geo_change_t *t = s_change_at(c, GEO_TRANSFER, "E38000216", "E38000226");
    assert_string_equal(t->from[0].name, "NHS Morecambe Bay CCG");
    assert_string_equal(t->from[0].cont, "E38000228");
    assert_string_equal(t->to[0].name, "NHS Fylde and Wyre CCG");
    assert_string_equal(t->to[0].cont, "E38000060");
    assert_int_equal(t->lsoas, 10);
    assert_int_equal(s_change_at(c, GEO_TRANSFER, "E38000065", "E38000226")->lsoas, 1);
    const geo_change_t *fw = s_change_at(c, GEO_CODE_CHANGE, "E38000060", "E38000226");
    assert_false(fw->same_territory);
    assert_string_equal(fw->from[0].name, "NHS Fylde & Wyre CCG");
    s_change_at(c, GEO_CODE_CHANGE, "E38000065", "E38000227");
    s_change_at(c, GEO_CODE_CHANGE, "E38000216", "E38000228");
    s_change_at(c, GEO_RENAME, "E38000109", "E38000109");
    geo_changes_destroy(&c);
}

/* April 2018 to April 2020: twenty mergers (the 2019 and 2020 waves),
 * among them eight Kent CCGs into NHS Kent and Medway CCG. */
static void test_geo_real_changes_2018_2020(void **state)
{
    uint64_t t0 = clock_mono_ms();
    geo_changes_t *c = s_changes(*state, "CCG18", "CCG");
    uint64_t took = clock_mono_ms() - t0;
    geo_changes_summary_t s;
    geo_changes_summary(c, &s);
    assert_string_equal(geo_changes_to(c), "CCG20");
    assert_int_equal(s.orgs_from, 195);
    assert_int_equal(s.orgs_to, 135);
    assert_int_equal(s.count[GEO_MERGER], 20);
    assert_int_equal(s.count[GEO_SPLIT_UP], 0);
    assert_int_equal(s.count[GEO_TRANSFER], 1);
    assert_int_equal(s.count[GEO_CODE_CHANGE], 0);
    assert_int_equal(s.count[GEO_RENAME], 0);
    static const char *const kent[] = {"E38000002", "E38000029", "E38000043", "E38000104",
                                       "E38000156", "E38000180", "E38000184", "E38000199"};
    const geo_change_t *k = s_change_at(c, GEO_MERGER, "E38000199", "E38000237");
    assert_string_equal(k->to[0].name, "NHS Kent and Medway CCG");
    assert_int_equal(k->n_from, 8);
    uint32_t sum = 0;
    for (size_t i = 0; i < 8; i++) {
        assert_string_equal(k->from[i].code, kent[i]);
        assert_int_equal(k->from[i].lsoas, k->from[i].total); /* whole CCGs */
        sum += k->from[i].lsoas;
    }
    assert_string_equal(k->from[3].name, "NHS Medway CCG");
    assert_int_equal(sum, 1065);
    assert_int_equal(k->lsoas, 1065);
    /* Four LSOAs of Coastal West Sussex went to Surrey Heartlands. */
    const geo_change_t *t = s_change_at(c, GEO_TRANSFER, "E38000213", "E38000246");
    assert_int_equal(t->lsoas, 4);
    assert_string_equal(t->to[0].name, "NHS Surrey Heartlands CCG");
    geo_changes_destroy(&c);
    /* Backwards, the same flows read as splits: Kent and Medway into eight. */
    c = s_changes(*state, "CCG20", "CCG18");
    geo_changes_summary(c, &s);
    assert_int_equal(s.count[GEO_SPLIT_UP], 20);
    assert_int_equal(s.count[GEO_MERGER], 0);
    const geo_change_t *sp = s_change_at(c, GEO_SPLIT_UP, "E38000237", "E38000104");
    assert_int_equal(sp->n_to, 8);
    assert_string_equal(sp->from[0].name, "NHS Kent and Medway CCG");
    geo_changes_destroy(&c);
    assert_true(took < 5000); /* concord_bench measures properly */
}

static char *s_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;
    if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)n + 1)) && fread(buf, 1, (size_t)n, f) == (size_t)n) {
        *len = (size_t)n;
    } else {
        free(buf);
        buf = NULL;
    }
    if (f) {
        fclose(f);
    }
    return buf;
}

/* The product reads only its own copy; each lookup it ships must be the
 * steering copy, byte for byte (data/ons/SOURCES.md describes what it ships,
 * which is not every file the steering copy holds). */
static void test_geo_shipped_data_matches_shared(void **state)
{
    (void)state;
    static const char *const names[] = {"ons_CCG17_to_NHSRLO17_NHSER17_Apr2017_v3.csv",
                                        "ons_CCG17_to_STP17_Apr2017_v3.csv",
                                        "ons_LAD17_to_CAUTH17_Mar2017.csv",
                                        "ons_LAD17_to_CTY17_Dec2017.csv",
                                        "ons_LSOA11_CCG17_STP17_LAD17_Apr2017.csv",
                                        "ons_LSOA11_CCG18_STP18_LAD18_Apr2018_v3.csv",
                                        "ons_LSOA11_CCG20_LAD20_Apr2020.csv",
                                        "ons_CCG20_to_STP20_Apr2020.csv",
                                        "ons_LAD20_to_CTY20_Apr2020.csv"};
    struct stat st;
    const char *shared = stat(SHARED, &st) == 0 ? SHARED : SHARED_WT;
    if (stat(shared, &st) != 0) {
        skip();
    }
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char a[512], b[512];
        size_t la = 0, lb = 0;
        snprintf(a, sizeof a, "%s/%s", SHIPPED, names[i]);
        snprintf(b, sizeof b, "%s/%s", shared, names[i]);
        char *x = s_slurp(a, &la), *y = s_slurp(b, &lb);
        assert_non_null(x);
        assert_non_null(y);
        assert_int_equal(la, lb);
        assert_memory_equal(x, y, la);
        free(x);
        free(y);
    }
}

int main(void)
{
    const struct CMUnitTest fixtures[] = {
        cmocka_unit_test(test_geo_columns_of_another_year),
        cmocka_unit_test(test_geo_joins_files_of_different_years),
        cmocka_unit_test(test_geo_missing_columns),
        cmocka_unit_test(test_geo_duplicate_key_with_conflicting_parent),
        cmocka_unit_test(test_geo_ragged_rows_and_bad_codes),
        cmocka_unit_test(test_geo_nothing_half_loaded),
        cmocka_unit_test(test_geo_alignment_fixture),
        cmocka_unit_test(test_geo_alignment_any_layer),
        cmocka_unit_test(test_geo_primary_validated),
        cmocka_unit_test(test_geo_dates),
        cmocka_unit_test(test_geo_vintages_side_by_side),
        cmocka_unit_test(test_geo_mixed_vintages_direct_join),
        cmocka_unit_test(test_geo_changes_synthetic),
        cmocka_unit_test(test_geo_shipped_data_matches_shared),
        cmocka_unit_test(test_geo_real_load_and_align_fast),
    };
    const struct CMUnitTest real[] = {
        cmocka_unit_test(test_geo_real_counts),
        cmocka_unit_test(test_geo_real_splits),
        cmocka_unit_test(test_geo_real_greater_manchester),
        cmocka_unit_test(test_geo_real_other_layers),
        cmocka_unit_test(test_geo_real_changes_2017_2018),
        cmocka_unit_test(test_geo_real_changes_2018_2020),
        /* Last: it records primaries in the shared model. */
        cmocka_unit_test(test_geo_real_primary),
    };
    int failed = cmocka_run_group_tests_name("geo_fixtures", fixtures, NULL, NULL);
    return failed + cmocka_run_group_tests_name("geo_real", real, s_real_setup, s_real_teardown);
}
