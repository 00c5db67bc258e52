/* SPDX-License-Identifier: Apache-2.0 */
/* Integration tests for `concord footprint`: the built binary over the
 * shipped ONS data (April 2017, 2018 and 2020), in text, --json and --csv,
 * and its refusals. The 2017 questions name their vintage (--layer STP17
 * or --as-at); without one, the newest loaded (2020) answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "harness.h"

#define FIX CONCORD_SOURCE_DIR "/tests/data/geo"

static fed_t s_fed; /* no federation: only fed_cli's runner */

/* Runs `concord ARGS`, expecting exit status rc; returns the output. */
static char *s_run(int rc, const char *args)
{
    char *out = NULL;
    int got = fed_cli(&s_fed, -1, &out, "%s", args);
    if (got != rc) {
        fail_msg("`concord %s` exited %d, not %d:\n%s", args, got, rc, out);
    }
    return out;
}

static void s_has(const char *out, const char *needle)
{
    if (!strstr(out, needle)) {
        fail_msg("output lacks \"%s\":\n%s", needle, out);
    }
}

static size_t s_lines(const char *out)
{
    size_t n = 0;
    for (; *out; out++) {
        n += *out == '\n';
    }
    return n;
}

static void test_footprint_show(void **state)
{
    (void)state;
    char *out = s_run(0, "footprint show E54000007 --layer STP17");
    s_has(out, "STP17 footprint E54000007 Greater Manchester: 1,694 LSOAs");
    s_has(out, "Coterminous with upper-tier councils: no");
    s_has(out, "CCG                 E38000182  NHS Tameside and Glossop CCG");
    s_has(out, "E10000007  Derbyshire                                  21    491    4.3%  "
               "split; also E54000012 95.7%\n");
    s_has(out, "E47000001  Greater Manchester                       1,673  1,673  100.0%  "
               "contained by\n");
    s_has(out, "\nVintages: STP17 footprints; LSOA11, CCG17, LAD17, CTY17, CAUTH17 (as at "
               "2017-04-01)\n");
    free(out);
    out = s_run(0, "--json footprint show E54000007 --as-at 2017-04-01");
    s_has(out, "{\"layer\":\"STP17\",\"as_at\":\"2017-04-01\",\"vintages\":[\"STP17\","
               "\"LSOA11\",\"CCG17\",\"LAD17\",\"CTY17\",\"CAUTH17\"],\"footprint\":{\"code\":"
               "\"E54000007\",\"name\":\"Greater Manchester\",\"lsoas\":1694,\"coterminous\":false}");
    s_has(out, "{\"kind\":\"district_council\",\"code\":\"E07000037\",\"name\":\"High Peak\","
               "\"lsoas\":21,\"org_lsoas\":59,\"share_pct\":35.6,\"class\":\"split\"");
    free(out);
    out = s_run(0, "footprint show E54000007 --csv --as-at 2019-03-31 --layer STP17");
    assert_int_equal(s_lines(out), 1 + 10 + 11 + 1 + 1);
    s_has(out, "kind,code,name,class,org_lsoas,footprint,footprint_name,lsoas,share_pct,"
               "relation,declared_primary\n");
    s_has(out, "\nccg,E38000080,\"NHS Heywood, Middleton and Rochdale CCG\",whole,134,"
               "E54000007,Greater Manchester,134,100.0,contained by,\n");
    s_has(out, "\ncombined_authority,E47000001,Greater Manchester,whole,1673,E54000007,"
               "Greater Manchester,1673,100.0,contained by,\n");
    free(out);
}

static void test_footprint_org(void **state)
{
    (void)state;
    char *out = s_run(0, "footprint org E10000023 --layer STP17");
    s_has(out, "upper-tier council E10000023 North Yorkshire: 373 LSOAs, split across 4 STP17 "
               "footprints\n");
    s_has(out, "E54000006  Humber, Coast and Vale                          142  38.1%  "
               "partial overlap\n");
    s_has(out, "E54000048  Lancashire and South Cumbria                      3   0.8%");
    free(out);
    out = s_run(0, "footprint org E10000023 --json --layer stp17");
    s_has(out, "\"organisation\":{\"kind\":\"upper_tier_council\",\"code\":\"E10000023\","
               "\"name\":\"North Yorkshire\",\"lsoas\":373,\"class\":\"split\"");
    s_has(out, "{\"code\":\"E54000045\",\"name\":\"Durham, Darlington, Teesside, Hambleton, "
               "Richmondshire and Whitby\",\"lsoas\":95,\"share_pct\":25.5,");
    free(out);
    out = s_run(0, "footprint --csv org E10000023 --as-at 2017-12-31");
    assert_int_equal(s_lines(out), 5);
    s_has(out, "\nupper_tier_council,E10000023,North Yorkshire,split,373,E54000045,\"Durham, "
               "Darlington, Teesside, Hambleton, Richmondshire and Whitby\",95,25.5,partial "
               "overlap,\n");
    free(out);
    /* A preview of a realignment decision, shown beside the shares. */
    out = s_run(0, "footprint org E10000023 --primary E10000023=E54000005 --layer STP17");
    s_has(out, "Declared primary: E54000005 West Yorkshire\n");
    s_has(out, "E54000005  West Yorkshire                                  133  35.6%  "
               "partial overlap  primary\n");
    free(out);
}

static void test_footprint_report(void **state)
{
    (void)state;
    char *out = s_run(0, "footprint report --as-at 2017-04-01");
    s_has(out, "LSOAs:                       32,844\n");
    s_has(out, "Footprints:                  44 (19 coterminous with upper-tier councils)\n");
    s_has(out, "Local authority districts:   326\n");
    s_has(out, "CCGs:                        207 (0 split across footprints)\n");
    s_has(out, "Upper-tier councils:         152 (14 split across footprints)\n");
    s_has(out, "E47000004  Liverpool City Region            E54000008    989    989  contained by");
    free(out);
    out = s_run(0, "footprint report --json --layer STP17");
    s_has(out, "\"counts\":{\"lsoas\":32844,\"footprints\":44,\"lads\":326,\"ccg\":207,"
               "\"upper_tier_council\":152,\"district_council\":201,\"combined_authority\":9,");
    s_has(out, "\"split\":{\"ccg\":0,\"upper_tier_council\":14,");
    free(out);
    out = s_run(0, "footprint report --csv --layer STP17");
    assert_int_equal(s_lines(out), 45);
    s_has(out, "\nE54000007,Greater Manchester,1694,10,11,1,1,no\n");
    free(out);
    out = s_run(0, "footprint splits --layer NHSER");
    s_has(out, "Organisations split across NHSER17 footprints");
    free(out);
}

/* Without a vintage the newest loaded answers; --as-at picks each kind's
 * vintage in force, and every report names them. */
static void test_footprint_vintages(void **state)
{
    (void)state;
    char *out = s_run(0, "footprint report");
    s_has(out, "Alignment of organisations with STP20 footprints\n");
    s_has(out, "Footprints:                  42 ");
    s_has(out, "CCGs:                        135 (0 split across footprints)\n");
    s_has(out, "Vintages: STP20 footprints; LSOA11, CCG20, LAD20, CTY20, CAUTH17 (newest "
               "loaded)\n");
    free(out);
    /* Mid-2018: the April 2018 CCGs and STPs, the 2017 counties. */
    out = s_run(0, "--json footprint report --as-at 2018-06-30");
    s_has(out, "{\"layer\":\"STP18\",\"as_at\":\"2018-06-30\",\"vintages\":[\"STP18\","
               "\"LSOA11\",\"CCG18\",\"LAD18\",\"CTY17\",\"CAUTH17\"]");
    s_has(out, "\"counts\":{\"lsoas\":32844,\"footprints\":42,\"lads\":326,\"ccg\":195,");
    free(out);
    out = s_run(0, "footprint show E54000007");
    s_has(out, "STP20 footprint E54000007 Greater Manchester Health and Social Care Partnership: "
               "1,694 LSOAs");
    free(out);
    /* A kind with no vintage in force that early. */
    out = s_run(1, "footprint report --as-at 2016-04-01");
    s_has(out, "no STP vintage is in force on 2016-04-01: the earliest loaded is STP17, from "
               "2017-04-01");
    free(out);
    free(s_run(2, "footprint report --as-at 2017-02-30"));
    free(s_run(2, "footprint report --as-at yesterday"));
}

static void test_footprint_refusals(void **state)
{
    (void)state;
    char *out = s_run(1, "footprint show E99999999");
    s_has(out, "concord: unknown footprint 'E99999999': no loaded lookup has it in layer STP20");
    free(out);
    out = s_run(1, "footprint org E99999999");
    s_has(out, "unknown organisation 'E99999999'");
    free(out);
    out = s_run(1, "footprint org E54000007");
    s_has(out, "E54000007 is a footprint in layer STP20, not an organisation");
    free(out);
    out = s_run(1, "footprint show E40000001");
    s_has(out, "add --layer NHSER17");
    free(out);
    out = s_run(1, "footprint report --layer ICB");
    s_has(out, "no lookup gives layer ICB");
    free(out);
    out = s_run(1, "footprint report --data-dir /nonexistent/ons");
    s_has(out, "cannot read the ONS data directory /nonexistent/ons");
    free(out);
    out = s_run(1, "footprint org E10000023 --primary E10000023=E54000008 --layer STP17");
    s_has(out, "does not touch footprint E54000008");
    free(out);
    out = s_run(1, "footprint report --lookup " CONCORD_SOURCE_DIR
                   "/tests/data/geo-bad/dup_conflict.csv");
    s_has(out, "dup_conflict.csv:5:24: CCG18CD: conflicting parent");
    free(out);
    free(s_run(2, "footprint"));
    free(s_run(2, "footprint bogus"));
    free(s_run(2, "footprint show"));
    free(s_run(2, "footprint report extra"));
    free(s_run(2, "--json footprint report --csv"));
}

/* `footprint changes` over the shipped vintages, and between two sets of
 * files with a year never seen (CCG31). */
static void test_footprint_changes(void **state)
{
    (void)state;
    char *out = s_run(0, "footprint changes --from CCG17 --to CCG18");
    s_has(out, "Changes from CCG17 (207 organisations) to CCG18 (195) over 32,844 LSOA11\n");
    s_has(out, "Mergers: 6, splits: 0, boundary transfers: 2, code changes: 3 (0 with the same "
               "LSOAs), renames: 1; unchanged: 185\n");
    s_has(out, "\nmerger                     482  E38000225 NHS Leeds CCG");
    s_has(out, "E38000094 NHS Leeds North CCG (132); E38000095 NHS Leeds South and East CCG "
               "(155); E38000096 NHS Leeds West CCG (195)\n");
    s_has(out, "\nboundary transfer           10  E38000226 NHS Fylde and Wyre CCG");
    s_has(out, "\ncode change (and LSOAs)    206  E38000228 NHS Morecambe Bay CCG");
    free(out);
    out = s_run(0, "--json footprint changes --from CCG18 --to CCG20");
    s_has(out, "{\"from\":\"CCG18\",\"to\":\"CCG20\",\"atom\":\"LSOA11\",\"counts\":{"
               "\"lsoas\":32844,");
    s_has(out, "\"merger\":20,\"split\":0,\"transfer\":1,\"code_change\":0,\"rename\":0,");
    s_has(out, "{\"code\":\"E38000104\",\"name\":\"NHS Medway CCG\",\"lsoas\":163,\"of\":163,"
               "\"continues\":null}");
    s_has(out, "\"to\":[{\"code\":\"E38000237\",\"name\":\"NHS Kent and Medway CCG\","
               "\"lsoas\":1065,\"of\":1065,");
    free(out);
    out = s_run(0, "footprint changes --from CCG18 --to CCG --csv");
    s_has(out, "change,lsoas,from_code,from_name,from_of,to_code,to_name,to_of\n");
    s_has(out, "\nmerger,278,E38000199,NHS West Kent CCG,278,E38000237,NHS Kent and Medway CCG,"
               "1065\n");
    s_has(out, "\ntransfer,4,E38000213,NHS Coastal West Sussex CCG,302,E38000246,NHS Surrey "
               "Heartlands CCG,618\n");
    free(out);
    out = s_run(0, "footprint changes --lookup " FIX "/lsoa11_ccg18_lad18.csv --to-lookup "
                   CONCORD_SOURCE_DIR "/tests/data/geo-extra/lsoa11_ccg31_Apr2031.csv");
    s_has(out, "Changes from CCG18 (4 organisations) to CCG31 (4) over 12 LSOA11\n");
    s_has(out, "\nsplit                  3  E38000911 NHS Alpha CCG (2); E38000912 NHS Beta CCG "
               "(1)  E38000901 NHS Alpha, Beta CCG\n");
    free(out);
    out = s_run(1, "footprint changes --from CCG17 --to CCG19");
    s_has(out, "no lookup gives layer CCG19");
    free(out);
    free(s_run(2, "footprint changes --from CCG17"));
}

/* The public key file's "kind" line. */
static void s_pub_kind(const char *dir, const char *code, const char *kind)
{
    char path[512], line[256], want[64];
    snprintf(path, sizeof path, "%s/%s.pub", dir, code);
    snprintf(want, sizeof want, "kind %s\n", kind);
    FILE *f = fopen(path, "r");
    int found = 0;
    assert_non_null(f);
    while (fgets(line, sizeof line, f)) {
        found |= strcmp(line, want) == 0;
    }
    fclose(f);
    if (!found) {
        fail_msg("%s has no line \"kind %s\"", path, kind);
    }
}

/* Today's organisation kinds: the vintage, not the GSS prefix alone,
 * decides what an E38 or E54 code is. */
static void test_footprint_org_kinds(void **state)
{
    (void)state;
    char dir[] = "/tmp/concord-kinds-XXXXXX", cmd[512];
    assert_non_null(mkdtemp(dir));
    char *out = s_run(0, "keygen --kinds");
    s_has(out, "ICB                    nhs    integrated care board (E54, from July 2022)\n");
    s_has(out, "SUB_ICB_LOCATION       nhs");
    s_has(out, "NHS_FOUNDATION_TRUST   nhs");
    s_has(out, "HEALTHWATCH            other");
    s_has(out, "MAYORAL_CA             local");
    free(out);
    free(s_run(0, "keygen --kind list"));
    /* E54: an STP footprint in 2020, an ICB from 1 July 2022. */
    snprintf(cmd, sizeof cmd, "keygen --code E54000007 --name 'GM ICB' --out %s", dir);
    out = s_run(1, cmd);
    s_has(out, "before 1 July 2022 an E54 code is an STP footprint, not an organisation");
    free(out);
    snprintf(cmd, sizeof cmd,
             "keygen --code E54000007 --name 'NHS Greater Manchester ICB' --as-at 2022-07-01 "
             "--out %s",
             dir);
    free(s_run(0, cmd));
    s_pub_kind(dir, "E54000007", "ICB");
    /* E38: a CCG by default (April 2020), a sub-ICB location from July 2022. */
    snprintf(cmd, sizeof cmd, "keygen --code E38000217 --name 'NHS Manchester CCG' --out %s", dir);
    free(s_run(0, cmd));
    s_pub_kind(dir, "E38000217", "CCG");
    snprintf(cmd, sizeof cmd,
             "keygen --code E38000237 --name 'Kent and Medway' --as-at 2023-04-01 --out %s", dir);
    free(s_run(0, cmd));
    s_pub_kind(dir, "E38000237", "SUB_ICB_LOCATION");
    /* Trusts by ODS code; Healthwatch by --kind. */
    snprintf(cmd, sizeof cmd,
             "keygen --code RW3 --name 'Manchester University NHS Foundation Trust' --kind "
             "NHS_FOUNDATION_TRUST --out %s",
             dir);
    free(s_run(0, cmd));
    s_pub_kind(dir, "RW3", "NHS_FOUNDATION_TRUST");
    snprintf(cmd, sizeof cmd, "keygen --code E38000999 --name X --kind NHS_TRUST --out %s", dir);
    out = s_run(1, cmd);
    s_has(out, "E38000999 is not an ODS code of an NHS trust");
    free(out);
    snprintf(cmd, sizeof cmd,
             "keygen --code HWMANCHESTER --name 'Healthwatch Manchester' --kind HEALTHWATCH "
             "--out %s",
             dir);
    free(s_run(0, cmd));
    s_pub_kind(dir, "HWMANCHESTER", "HEALTHWATCH");
    snprintf(cmd, sizeof cmd, "keygen --code HWSALFORD --name 'Healthwatch Salford' --out %s",
             dir);
    out = s_run(1, cmd);
    s_has(out, "cannot tell the kind of HWSALFORD from its code: give --kind");
    free(out);
    snprintf(cmd, sizeof cmd, "keygen --code E47000001 --name GMCA --kind MAYOR --out %s", dir);
    out = s_run(1, cmd);
    s_has(out, "unknown kind (expected CCG, ICB, SUB_ICB_LOCATION,");
    free(out);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* DIR/NAME, whole. */
static char *s_file(const char *dir, const char *name)
{
    char path[640];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char *buf = calloc(1, 1 << 16);
    assert_non_null(buf);
    size_t n = fread(buf, 1, (1 << 16) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* federation init by vintage, and for an integrated care system from a
 * user's ICB22CD/SICBL22CD lookup (a synthetic two-place ICB). */
static void test_footprint_federation_vintages(void **state)
{
    (void)state;
    char dir[] = "/tmp/concord-fedv-XXXXXX", cmd[768], out_dir[600];
    assert_non_null(mkdtemp(dir));
    /* West of England: three 2017 CCGs and Bath and North East Somerset
     * (which shares its LSOAs), two merged CCGs by 2020. */
    snprintf(out_dir, sizeof out_dir, "%s/woe17", dir);
    snprintf(cmd, sizeof cmd, "federation init --out %s --area E47000009", out_dir);
    free(s_run(0, cmd));
    char *ini = s_file(out_dir, "federation.ini");
    s_has(ini, "[org E38000022]\nname = NHS Bristol CCG\nkind = CCG\n");
    s_has(ini, "[org E38000009]");
    free(ini);
    snprintf(out_dir, sizeof out_dir, "%s/woe20", dir);
    snprintf(cmd, sizeof cmd, "federation init --out %s --area E47000009 --vintage 2020",
             out_dir);
    free(s_run(0, cmd));
    ini = s_file(out_dir, "federation.ini");
    s_has(ini, "[org E38000222]\nname = NHS Bristol, North Somerset and South Gloucestershire "
               "CCG\nkind = CCG\n");
    s_has(ini, "[org E38000231]");
    assert_null(strstr(ini, "E38000022"));
    free(ini);
    /* Greater Manchester's ten CCGs of April 2020. */
    snprintf(out_dir, sizeof out_dir, "%s/gm20", dir);
    snprintf(cmd, sizeof cmd, "--json federation init --out %s --area E47000001 --vintage 2020",
             out_dir);
    char *out = s_run(0, cmd);
    free(out);
    ini = s_file(out_dir, "federation.ini");
    size_t ccgs = 0;
    for (const char *p = ini; (p = strstr(p, "kind = CCG\n")) != NULL; p++) {
        ccgs++;
    }
    assert_int_equal(ccgs, 10);
    s_has(ini, "[org E38000217]\nname = NHS Manchester CCG\n");
    free(ini);
    /* An ICS from the user's lookup: the ICB, its sub-ICB locations, the
     * councils and NHS England, under an Integrated Care Partnership. */
    snprintf(out_dir, sizeof out_dir, "%s/ics", dir);
    snprintf(cmd, sizeof cmd,
             "federation init --out %s --ics E54000057 --lookup " CONCORD_SOURCE_DIR
             "/tests/data/geo-extra/lsoa11_sicbl22_icb22_Jul2022.csv",
             out_dir);
    free(s_run(0, cmd));
    ini = s_file(out_dir, "federation.ini");
    s_has(ini, "scope = ics\ncode = E54000057\n");
    s_has(ini, "[org E54000057]\nname = NHS Greater Manchester Integrated Care Board\nkind = ICB\n"
               "constituency = nhs\n");
    s_has(ini, "[org E38000016]\nname = NHS Greater Manchester ICB - 00T\nkind = "
               "SUB_ICB_LOCATION\n");
    s_has(ini, "[org E38000024]");
    s_has(ini, "[org E08000002]\nname = Bury\nkind = COUNCIL_UPPER\n");
    s_has(ini, "[org X24]");
    assert_null(strstr(ini, "E08000003")); /* Manchester is not in this ICB's file */
    free(ini);
    ini = s_file(out_dir, "board.ini");
    s_has(ini, "id = ICP-E54000057\nname = NHS Greater Manchester Integrated Care Board "
               "Integrated Care Partnership\n");
    s_has(ini, "member = E54000057:nhs\nmember = E38000016:nhs\n");
    free(ini);
    snprintf(cmd, sizeof cmd, "federation init --out %s/none --ics E54000057", dir);
    out = s_run(1, cmd);
    s_has(out, "no lookup gives integrated care boards: give --lookup FILE with ICB<YY>CD and "
               "SICBL<YY>CD columns");
    free(out);
    snprintf(cmd, sizeof cmd,
             "federation init --out %s/none --ics E54000007 --lookup " CONCORD_SOURCE_DIR
             "/tests/data/geo-extra/lsoa11_sicbl22_icb22_Jul2022.csv",
             dir);
    out = s_run(1, cmd);
    s_has(out, "E54000007 is not an integrated care board (ICB22) in the lookups");
    free(out);
    snprintf(cmd, sizeof cmd, "federation init --out %s/none --area E47000001 --vintage 20", dir);
    free(s_run(2, cmd));
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* From detected change to decision: `footprint changes --propose` writes
 * the merger a synthetic 2031 vintage implies (NHS Bravo and NHS Charlie
 * CCGs into E38000913) as a script, and a running federation of the two
 * predecessors decides it through its own board. */
static void test_footprint_changes_propose(void **state)
{
    (void)state;
    static const char *const codes[] = {"E38000902", "E38000903", "X24"};
    static const char *const names[] = {"NHS Bravo CCG", "NHS Charlie CCG", "NHS England"};
    fed_t f;
    char cmd[1024], id[33];
    char *out = NULL;
    fed_create_from(&f, codes, names, 3);
    snprintf(cmd, sizeof cmd,
             "footprint changes --lookup " FIX "/lsoa11_ccg18_lad18.csv --to-lookup " CONCORD_SOURCE_DIR
             "/tests/data/geo-extra/lsoa11_ccg31_Apr2031.csv --propose %s/prop",
             f.dir);
    out = s_run(0, cmd);
    s_has(out, "wrote 2 roster proposals to ");
    free(out);
    char prop[256];
    snprintf(prop, sizeof prop, "%s/prop", f.dir);
    char *sh = s_file(prop, "merger-E38000913.sh");
    s_has(sh, "# merger NHS Bravo Charlie CCG (E38000913) in force from 2031-04-01 (CCG18 -> "
              "CCG31), from:\n#   E38000902 NHS Bravo CCG: 3 of its 3 LSOAs\n");
    s_has(sh, "concord keygen --code E38000913 --name 'NHS Bravo Charlie CCG' --as-at 2031-04-01 "
              "--out keys/next\n");
    s_has(sh, "--merge keys/next/E38000913.pub --predecessor E38000902 --predecessor E38000903\n");
    free(sh);
    char *ini = s_file(prop, "split-E38000901.ini");
    s_has(ini, "[split]\norganisation = E38000901\nname = NHS Alpha, Beta CCG\neffective = "
               "2031-04-01\nlsoas = 3\n");
    s_has(ini, "[successor E38000911]\nname = NHS Alpha CCG\nlsoas = 2\nshare_permille = 667\n");
    s_has(ini, "[successor E38000912]\nname = NHS Beta CCG\nlsoas = 1\nshare_permille = 333\n");
    free(ini);
    /* The federation takes it up: a board of both predecessors, whose
     * charter every member adopts (auto_vote). */
    for (int i = 0; i < 3; i++) {
        fed_node_config_append(&f, i, "auto_vote = true\n");
    }
    fed_start_all(&f);
    assert_int_equal(fed_cli(&f, 0, &out,
                             "--json board create --id SYN --name 'Synthetic joint committee' "
                             "--member E38000902 --member E38000903 --member X24 --closes-in 60s"),
                     0);
    fed_json_id(out, id);
    free(out);
    snprintf(cmd, sizeof cmd, "--json proposal show %s", id);
    free(fed_cli_until(&f, 0, "\"outcome\":\"OPEN\"", 0, 60000, cmd));
    snprintf(cmd, sizeof cmd,
             "cd '%s' && PATH='%s':\"$PATH\" CONCORD_CONFIG='%s/E38000902.ini' BOARD=SYN "
             "sh merger-E38000913.sh > script.out 2>&1",
             prop, CONCORD_BIN_DIR, f.dir);
    int rc = system(cmd);
    if (rc != 0) {
        char *log = s_file(prop, "script.out");
        fail_msg("the merger script failed (%d):\n%s", rc, log);
    }
    assert_int_equal(fed_cli(&f, 0, &out, "--json proposal list SYN"), 0);
    json_error_t jerr;
    json_t *list = json_loads(out, JSON_DISABLE_EOF_CHECK, &jerr);
    assert_non_null(list);
    id[0] = '\0';
    for (size_t k = 0; k < json_array_size(list); k++) {
        json_t *p = json_array_get(list, k);
        const char *title = json_string_value(json_object_get(p, "title"));
        if (title && strncmp(title, "merger: NHS Bravo Charlie CCG", 29) == 0) {
            char *one = json_dumps(p, JSON_COMPACT);
            fed_json_id(one, id); /* the proposal the merger script made */
            free(one);
        }
    }
    json_decref(list);
    assert_int_equal(strlen(id), 32);
    free(out);
    for (int i = 0; i < 3; i++) {
        fed_cli(&f, i, &out, "vote %s for", id);
        free(out);
    }
    snprintf(cmd, sizeof cmd, "--json proposal show %s", id);
    free(fed_cli_until(&f, 0, "\"outcome\":\"PASSED\"", 1, 60000, cmd));
    out = fed_cli_until(&f, 1, "E38000913", 1, 30000, "--json roster show");
    s_has(out, "NHS Bravo Charlie CCG");
    free(out);
    fed_destroy(&f);
}

/* Other years' files through --lookup and CONCORD_DATA_DIR. */
static void test_footprint_other_lookups(void **state)
{
    (void)state;
    char *out = s_run(0, "--json footprint report --lookup " FIX "/lsoa11_ccg18_lad18.csv "
                         "--lookup " FIX "/ccg18_stp18.csv --lookup " FIX "/lad18_cty18.csv");
    s_has(out, "\"counts\":{\"lsoas\":12,\"footprints\":3,\"lads\":5,\"ccg\":4,"
               "\"upper_tier_council\":4,\"district_council\":2,\"combined_authority\":0,");
    free(out);
    setenv("CONCORD_DATA_DIR", FIX, 1);
    out = s_run(0, "footprint show E54000902");
    s_has(out, "STP18 footprint E54000902 South \"Vale\" Footprint: 4 LSOAs");
    free(out);
    unsetenv("CONCORD_DATA_DIR");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_footprint_show),          cmocka_unit_test(test_footprint_org),
        cmocka_unit_test(test_footprint_report),        cmocka_unit_test(test_footprint_refusals),
        cmocka_unit_test(test_footprint_other_lookups), cmocka_unit_test(test_footprint_vintages),
        cmocka_unit_test(test_footprint_changes),
        cmocka_unit_test(test_footprint_org_kinds),
        cmocka_unit_test(test_footprint_federation_vintages),
        cmocka_unit_test(test_footprint_changes_propose),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
