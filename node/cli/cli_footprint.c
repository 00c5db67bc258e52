/* SPDX-License-Identifier: Apache-2.0 */
/* cli_footprint: `concord footprint show|org|splits|report`, offline, over
 * the ONS lookups shipped in data/ons or the user's own. Every command
 * prints an aligned table, JSON (--json) or CSV (--csv) from one alignment
 * computed by geo_align_at, and names the vintages it used (STP17, CCG17,
 * ...): the newest loaded of each kind, the one --layer names, or those in
 * force on the --as-at date. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "cli_table.h"
#include "csv.h"
#include "geo.h"
#include "json.h"
#include "money.h"

#define FP_MAX_LOOKUPS 64
#define FP_MAX_PRIMARIES 64

enum { OUT_TEXT, OUT_JSON, OUT_CSV };

typedef struct {
    int out;
    const char *layer;
    uint32_t as_at; /* GEO_LATEST unless --as-at */
    const char *data_dir;
    const char *lookups[FP_MAX_LOOKUPS];
    size_t n_lookups;
    const char *from, *to; /* changes: the two layers */
    const char *to_lookups[FP_MAX_LOOKUPS]; /* changes: the second set of files */
    size_t n_to_lookups;
    geo_t *g_to;
    const char *propose; /* changes: where to write roster proposals */
    const char *primaries[FP_MAX_PRIMARIES]; /* ORG=FOOTPRINT */
    size_t n_primaries;
    const char *sub;
    const char *code;
    geo_t *g;
    geo_align_t *a;
} s_ctx_t;

/* ---- Number formats ---- */

/* Permille as a percentage with one decimal, from integers: "38.1". */
static const char *s_pct(uint32_t permille, char *buf, size_t size)
{
    snprintf(buf, size, "%u.%u", permille / 10, permille % 10);
    return buf;
}

/* ---- Loading ---- */

/* Applies each --primary ORG=FOOTPRINT as a board decision would. */
static int s_apply_primaries(s_ctx_t *x)
{
    cc_err_t err;
    for (size_t i = 0; i < x->n_primaries; i++) {
        char org[64];
        const char *eq = strchr(x->primaries[i], '=');
        if (!eq || (size_t)(eq - x->primaries[i]) >= sizeof org) {
            return cli_fail("--primary wants ORG=FOOTPRINT, not '%s'", x->primaries[i]);
        }
        snprintf(org, sizeof org, "%.*s", (int)(eq - x->primaries[i]), x->primaries[i]);
        if (geo_set_primary(x->g, org, eq + 1, &err) < 0) {
            return cli_fail("--primary %s: %s", x->primaries[i], err.msg);
        }
    }
    return CLI_OK;
}

static int s_load(s_ctx_t *x)
{
    cc_err_t err;
    if (x->n_lookups) {
        x->g = geo_load(x->lookups, x->n_lookups, &err);
    } else {
        x->g = geo_load_dir(geo_data_dir(x->data_dir), &err);
    }
    if (!x->g) {
        return cli_fail("%s%s", err.msg,
                        x->n_lookups ? "" : " (give --data-dir DIR or set CONCORD_DATA_DIR)");
    }
    if (s_apply_primaries(x) != CLI_OK) {
        return CLI_FAIL;
    }
    if (!(x->a = geo_align_at(x->g, x->layer, x->as_at, &err))) {
        return cli_fail("%s", err.msg);
    }
    return CLI_OK;
}

/* The footprint layer's vintage ("STP17"), for headings. */
static const char *s_label(const s_ctx_t *x)
{
    return geo_align_layer(x->a);
}

/* "Vintages: STP17 footprints; LSOA11, CCG17, LAD17, CTY17, CAUTH17 (as at
 * 2017-04-01)": the line every text report ends with. */
static void s_vintages_text(const s_ctx_t *x)
{
    char date[16];
    printf("\nVintages: %s footprints;", geo_align_vintage(x->a, 0));
    for (size_t i = 1; i < geo_align_vintage_count(x->a); i++) {
        printf("%s %s", i > 1 ? "," : "", geo_align_vintage(x->a, i));
    }
    if (geo_align_as_at(x->a) == GEO_LATEST) {
        printf(" (newest loaded)\n");
    } else {
        printf(" (as at %s)\n", geo_date_str(geo_align_as_at(x->a), date, sizeof date));
    }
}

/* "layer", "as_at" and "vintages", the first members of every JSON report. */
static void s_vintages_json(json_t *j, const s_ctx_t *x)
{
    char date[16];
    json_str(j, "layer", geo_align_layer(x->a));
    json_str(j, "as_at",
             geo_align_as_at(x->a) == GEO_LATEST
                 ? NULL
                 : geo_date_str(geo_align_as_at(x->a), date, sizeof date));
    json_arr_begin(j, "vintages");
    for (size_t i = 0; i < geo_align_vintage_count(x->a); i++) {
        json_str(j, NULL, geo_align_vintage(x->a, i));
    }
    json_arr_end(j);
}

/* ---- Cells: one organisation in one footprint ---- */

/* "split: also E54000012 95.7%" and the declared primary, for `show`. */
static void s_note(const geo_org_t *o, const geo_footprint_t *here, char *buf, size_t size)
{
    char pct[16];
    size_t used = 0;
    buf[0] = '\0';
    if (o->kind == GEO_CAUTH) {
        used += (size_t)snprintf(buf, size, "%s", geo_rel_name(geo_org_cell(o, here)->rel));
    } else if (o->cls != GEO_WHOLE) {
        used += (size_t)snprintf(buf, size, "%s", geo_class_name(o->cls));
    }
    for (size_t i = 0, first = 1; i < o->n_cells && used < size; i++) {
        if (o->cells[i].footprint == here) {
            continue;
        }
        used += (size_t)snprintf(
            buf + used, size - used, "%s%s %s%%", first ? (used ? "; also " : "also ") : ", ",
            o->cells[i].footprint->code, s_pct(o->cells[i].permille, pct, sizeof pct));
        first = 0;
    }
    if (o->primary && used < size) {
        snprintf(buf + used, size - used, "%sdeclared primary %s", used ? "; " : "",
                 o->primary == here ? "here" : o->primary->code);
    }
}

static void s_json_cells(json_t *j, const geo_org_t *o)
{
    json_arr_begin(j, "footprints");
    for (size_t i = 0; i < o->n_cells; i++) {
        const geo_cell_t *c = &o->cells[i];
        json_obj_begin(j, NULL);
        json_str(j, "code", c->footprint->code);
        json_str(j, "name", c->footprint->name);
        json_u64(j, "lsoas", c->lsoas);
        json_double(j, "share_pct", c->permille / 10.0, 1);
        json_str(j, "relation", geo_rel_name(c->rel));
        json_bool(j, "declared_primary", o->primary == c->footprint);
        json_obj_end(j);
    }
    json_arr_end(j);
}

static void s_json_org(json_t *j, const char *key, const geo_org_t *o)
{
    json_obj_begin(j, key);
    json_str(j, "kind", geo_kind_key(o->kind));
    json_str(j, "code", o->code);
    json_str(j, "name", o->name);
    json_u64(j, "lsoas", o->lsoas);
    json_str(j, "class", geo_class_name(o->cls));
    json_u64(j, "outside_lsoas", o->outside);
    if (o->kind == GEO_DISTRICT) {
        json_str(j, "county", o->county);
    }
    json_str(j, "declared_primary", o->primary ? o->primary->code : NULL);
    s_json_cells(j, o);
    json_obj_end(j);
}

static const char *const s_cell_head[] = {
    "kind",           "code",  "name",      "class",    "org_lsoas",       "footprint",
    "footprint_name", "lsoas", "share_pct", "relation", "declared_primary"};

/* One CSV row per cell of o (only fp's cell when fp is not NULL). */
static void s_csv_cells(const geo_org_t *o, const geo_footprint_t *fp)
{
    char total[24], n[24], pct[16];
    snprintf(total, sizeof total, "%u", o->lsoas);
    for (size_t i = 0; i < o->n_cells; i++) {
        const geo_cell_t *c = &o->cells[i];
        if (fp && c->footprint != fp) {
            continue;
        }
        snprintf(n, sizeof n, "%u", c->lsoas);
        const char *row[] = {geo_kind_key(o->kind),
                             o->code,
                             o->name,
                             geo_class_name(o->cls),
                             total,
                             c->footprint->code,
                             c->footprint->name,
                             n,
                             s_pct(c->permille, pct, sizeof pct),
                             geo_rel_name(c->rel),
                             o->primary ? o->primary->code : ""};
        csv_write_row(stdout, row, sizeof row / sizeof row[0]);
    }
}

static void s_print_json(json_t *j)
{
    char *text = json_take(j);
    printf("%s\n", text ? text : "{}");
    free(text);
}

/* ---- show FOOTPRINT ---- */

static int s_unknown_footprint(const s_ctx_t *x)
{
    if (geo_align_find_org(x->a, x->code)) {
        return cli_fail("%s is an organisation, not a footprint in layer %s: try "
                        "`concord footprint org %s`",
                        x->code, geo_align_layer(x->a), x->code);
    }
    for (size_t i = 0; i < geo_layer_count(x->g); i++) {
        const char *layer = geo_layer_name(x->g, i);
        if (geo_name(x->g, layer, x->code) && strcmp(layer, geo_align_layer(x->a)) != 0) {
            return cli_fail("%s is not a footprint in layer %s but a code of layer %s: add "
                            "--layer %s",
                            x->code, geo_align_layer(x->a), layer, layer);
        }
    }
    return cli_fail("unknown footprint '%s': no loaded lookup has it in layer %s", x->code,
                    geo_align_layer(x->a));
}

static void s_show_text(const s_ctx_t *x, const geo_footprint_t *fp)
{
    char lsoas[24], of[24], total[24], pct[32], note[512];
    printf("%s footprint %s %s: %s LSOAs\n", s_label(x), fp->code, fp->name,
           cli_table_num(fp->lsoas, total, sizeof total));
    printf("Coterminous with upper-tier councils: %s\n\n", fp->coterminous ? "yes" : "no");
    cli_table_t t = {
        .n_cols = 7,
        .head = (const char *const[]){"KIND", "CODE", "NAME", "LSOAS", "OF", "SHARE", "NOTE"},
        .right = 0x38,
        .trunc = 0x4};
    for (int k = 0; k < GEO_KINDS; k++) {
        for (size_t m = 0; m < fp->n_members[k]; m++) {
            const geo_member_t *mb = &fp->members[k][m];
            s_note(mb->org, fp, note, sizeof note);
            snprintf(pct, sizeof pct, "%s%%", s_pct(mb->cell->permille, of, sizeof of));
            const char *row[] = {geo_kind_name(mb->org->kind),
                                 mb->org->code,
                                 mb->org->name,
                                 cli_table_num(mb->cell->lsoas, lsoas, sizeof lsoas),
                                 cli_table_num(mb->org->lsoas, of, sizeof of),
                                 pct,
                                 note};
            cli_table_row(&t, row);
        }
    }
    cli_table_print(&t);
    s_vintages_text(x);
}

static void s_show_json(const s_ctx_t *x, const geo_footprint_t *fp)
{
    json_t j;
    json_init(&j);
    json_obj_begin(&j, NULL);
    s_vintages_json(&j, x);
    json_obj_begin(&j, "footprint");
    json_str(&j, "code", fp->code);
    json_str(&j, "name", fp->name);
    json_u64(&j, "lsoas", fp->lsoas);
    json_bool(&j, "coterminous", fp->coterminous);
    json_obj_end(&j);
    json_arr_begin(&j, "members");
    for (int k = 0; k < GEO_KINDS; k++) {
        for (size_t m = 0; m < fp->n_members[k]; m++) {
            const geo_member_t *mb = &fp->members[k][m];
            json_obj_begin(&j, NULL);
            json_str(&j, "kind", geo_kind_key(mb->org->kind));
            json_str(&j, "code", mb->org->code);
            json_str(&j, "name", mb->org->name);
            json_u64(&j, "lsoas", mb->cell->lsoas);
            json_u64(&j, "org_lsoas", mb->org->lsoas);
            json_double(&j, "share_pct", mb->cell->permille / 10.0, 1);
            json_str(&j, "class", geo_class_name(mb->org->cls));
            json_str(&j, "relation", geo_rel_name(mb->cell->rel));
            json_str(&j, "declared_primary", mb->org->primary ? mb->org->primary->code : NULL);
            s_json_cells(&j, mb->org);
            json_obj_end(&j);
        }
    }
    json_arr_end(&j);
    json_obj_end(&j);
    s_print_json(&j);
}

static int s_show(const s_ctx_t *x)
{
    const geo_footprint_t *fp = geo_align_find_footprint(x->a, x->code);
    if (!fp) {
        return s_unknown_footprint(x);
    }
    if (x->out == OUT_JSON) {
        s_show_json(x, fp);
    } else if (x->out == OUT_CSV) {
        csv_write_row(stdout, s_cell_head, sizeof s_cell_head / sizeof s_cell_head[0]);
        for (int k = 0; k < GEO_KINDS; k++) {
            for (size_t m = 0; m < fp->n_members[k]; m++) {
                s_csv_cells(fp->members[k][m].org, fp);
            }
        }
    } else {
        s_show_text(x, fp);
    }
    return CLI_OK;
}

/* ---- org ORGANISATION ---- */

static void s_org_text(const s_ctx_t *x, const geo_org_t *o)
{
    char n[24], pct[16];
    printf("%s %s %s: %s LSOAs, %s", geo_kind_name(o->kind), o->code, o->name,
           cli_table_num(o->lsoas, n, sizeof n), geo_class_name(o->cls));
    if (o->cls == GEO_SPLIT) {
        printf(" across %zu %s footprints", o->n_cells, s_label(x));
    }
    printf("\n");
    if (o->county) {
        const char *county = geo_name(x->g, "CTY", o->county);
        printf("Upper-tier council: %s %s\n", o->county, county ? county : "");
    }
    printf("Declared primary: %s%s%s\n\n", o->primary ? o->primary->code : "none",
           o->primary ? " " : "", o->primary ? o->primary->name : "");
    cli_table_t t = {.n_cols = 6,
                     .head = (const char *const[]){"FOOTPRINT", "NAME", "LSOAS", "SHARE",
                                                   "RELATION", "DECLARED"},
                     .right = 0xC,
                     .trunc = 0x2};
    for (size_t i = 0; i < o->n_cells; i++) {
        const geo_cell_t *c = &o->cells[i];
        char share[20];
        snprintf(share, sizeof share, "%s%%", s_pct(c->permille, pct, sizeof pct));
        const char *row[] = {c->footprint->code,
                             c->footprint->name,
                             cli_table_num(c->lsoas, n, sizeof n),
                             share,
                             geo_rel_name(c->rel),
                             o->primary == c->footprint ? "primary" : ""};
        cli_table_row(&t, row);
    }
    if (o->outside) {
        char share[20];
        snprintf(share, sizeof share, "%s%%", s_pct(o->outside_permille, pct, sizeof pct));
        const char *row[] = {"-", "(in no footprint)", cli_table_num(o->outside, n, sizeof n), share, "",
                             ""};
        cli_table_row(&t, row);
    }
    cli_table_print(&t);
    s_vintages_text(x);
}

static int s_org(const s_ctx_t *x)
{
    const geo_org_t *o = geo_align_find_org(x->a, x->code);
    if (!o) {
        if (geo_align_find_footprint(x->a, x->code)) {
            return cli_fail("%s is a footprint in layer %s, not an organisation: try "
                            "`concord footprint show %s`",
                            x->code, geo_align_layer(x->a), x->code);
        }
        return cli_fail("unknown organisation '%s': not a CCG, council or combined authority "
                        "in the loaded lookups",
                        x->code);
    }
    if (x->out == OUT_JSON) {
        json_t j;
        json_init(&j);
        json_obj_begin(&j, NULL);
        s_vintages_json(&j, x);
        s_json_org(&j, "organisation", o);
        json_obj_end(&j);
        s_print_json(&j);
    } else if (x->out == OUT_CSV) {
        csv_write_row(stdout, s_cell_head, sizeof s_cell_head / sizeof s_cell_head[0]);
        s_csv_cells(o, NULL);
    } else {
        s_org_text(x, o);
    }
    return CLI_OK;
}

/* ---- splits ---- */

/* "E54000006 38.1%, E54000005 35.7%" */
static void s_shares_text(const geo_org_t *o, char *buf, size_t size)
{
    char pct[16];
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < o->n_cells && used < size; i++) {
        used += (size_t)snprintf(buf + used, size - used, "%s%s %s%%", i ? ", " : "",
                                 o->cells[i].footprint->code,
                                 s_pct(o->cells[i].permille, pct, sizeof pct));
    }
}

static void s_splits_table(const s_ctx_t *x)
{
    char n[24], shares[512];
    cli_table_t t = {.n_cols = 6,
                     .head = (const char *const[]){"KIND", "CODE", "NAME", "LSOAS", "FOOTPRINTS",
                                                   "DECLARED PRIMARY"},
                     .right = 0x8,
                     .trunc = 0x4};
    for (int k = 0; k < GEO_KINDS; k++) {
        for (size_t i = 0; i < geo_align_org_count(x->a, (geo_kind_t)k); i++) {
            const geo_org_t *o = geo_align_org(x->a, (geo_kind_t)k, i);
            if (o->cls != GEO_SPLIT) {
                continue;
            }
            s_shares_text(o, shares, sizeof shares);
            const char *row[] = {
                geo_kind_name(o->kind),         o->code, o->name,
                cli_table_num(o->lsoas, n, sizeof n), shares,  o->primary ? o->primary->code : "-"};
            cli_table_row(&t, row);
        }
    }
    cli_table_print(&t);
}

static int s_splits(const s_ctx_t *x)
{
    json_t j;
    if (x->out == OUT_TEXT) {
        printf("Organisations split across %s footprints\n\n", s_label(x));
        s_splits_table(x);
        s_vintages_text(x);
        return CLI_OK;
    }
    json_init(&j);
    json_obj_begin(&j, NULL);
    s_vintages_json(&j, x);
    json_arr_begin(&j, "splits");
    if (x->out == OUT_CSV) {
        csv_write_row(stdout, s_cell_head, sizeof s_cell_head / sizeof s_cell_head[0]);
    }
    for (int k = 0; k < GEO_KINDS; k++) {
        for (size_t i = 0; i < geo_align_org_count(x->a, (geo_kind_t)k); i++) {
            const geo_org_t *o = geo_align_org(x->a, (geo_kind_t)k, i);
            if (o->cls != GEO_SPLIT) {
                continue;
            }
            if (x->out == OUT_CSV) {
                s_csv_cells(o, NULL);
            } else {
                s_json_org(&j, NULL, o);
            }
        }
    }
    json_arr_end(&j);
    json_obj_end(&j);
    if (x->out == OUT_JSON) {
        s_print_json(&j);
    } else {
        json_free(&j);
    }
    return CLI_OK;
}

/* ---- report ---- */

/* Upper-tier councils of a footprint that are split across footprints. */
static size_t s_split_upper(const geo_footprint_t *fp)
{
    return geo_footprint_split_count(fp, GEO_UPPER);
}

static void s_report_summary(const s_ctx_t *x, const geo_summary_t *s)
{
    char a[24], b[24];
    printf("ONS lookups: %zu files, layers", s->files);
    for (size_t i = 0; i < geo_layer_count(x->g); i++) {
        printf(" %s", geo_layer_name(x->g, i));
    }
    printf("\n");
    printf("%-28s %s\n", "LSOAs:", cli_table_num(s->lsoas, a, sizeof a));
    printf("%-28s %s (%s coterminous with upper-tier councils)\n",
           "Footprints:", cli_table_num(s->footprints, a, sizeof a),
           cli_table_num(s->coterminous, b, sizeof b));
    printf("%-28s %s\n", "Local authority districts:", cli_table_num(s->lads, a, sizeof a));
    static const char *const labels[GEO_KINDS] = {
        "CCGs:", "Upper-tier councils:", "District councils:", "Combined authorities:"};
    for (int k = 0; k < GEO_KINDS; k++) {
        printf("%-28s %s (%s split across footprints", labels[k], cli_table_num(s->orgs[k], a, sizeof a),
               cli_table_num(s->split[k], b, sizeof b));
        if (s->partial[k]) {
            printf(", %zu partly in none", s->partial[k]);
        }
        printf(")\n");
    }
    if (s->lsoas_outside) {
        printf("%-28s %s\n", "LSOAs in no footprint:", cli_table_num(s->lsoas_outside, a, sizeof a));
    }
    if (s->districts_without_county) {
        printf("%-28s %zu\n", "Districts with no county:", s->districts_without_county);
    }
    printf("%-28s %zu\n\n", "Declared primaries:", s->primaries);
}

static void s_report_footprints(const s_ctx_t *x)
{
    char c[4][24];
    cli_table_t t = {.n_cols = 7,
                     .head = (const char *const[]){"FOOTPRINT", "NAME", "LSOAS", "CCGS",
                                                   "UPPER-TIER", "SPLIT", "COTERMINOUS"},
                     .right = 0x3C,
                     .trunc = 0x2};
    for (size_t i = 0; i < geo_align_footprint_count(x->a); i++) {
        const geo_footprint_t *fp = geo_align_footprint(x->a, i);
        const char *row[] = {fp->code,
                             fp->name,
                             cli_table_num(fp->lsoas, c[0], sizeof c[0]),
                             cli_table_num(fp->n_members[GEO_CCG], c[1], sizeof c[1]),
                             cli_table_num(fp->n_members[GEO_UPPER], c[2], sizeof c[2]),
                             cli_table_num(s_split_upper(fp), c[3], sizeof c[3]),
                             fp->coterminous ? "yes" : "no"};
        cli_table_row(&t, row);
    }
    cli_table_print(&t);
}

static void s_report_cauth(const s_ctx_t *x)
{
    char n[24], of[24];
    cli_table_t t = {
        .n_cols = 6,
        .head = (const char *const[]){"AUTHORITY", "NAME", "FOOTPRINT", "LSOAS", "OF", "RELATION"},
        .right = 0x18,
        .trunc = 0x2};
    for (size_t i = 0; i < geo_align_org_count(x->a, GEO_CAUTH); i++) {
        const geo_org_t *o = geo_align_org(x->a, GEO_CAUTH, i);
        for (size_t c = 0; c < o->n_cells; c++) {
            const char *row[] = {o->code,
                                 o->name,
                                 o->cells[c].footprint->code,
                                 cli_table_num(o->cells[c].lsoas, n, sizeof n),
                                 cli_table_num(o->lsoas, of, sizeof of),
                                 geo_rel_name(o->cells[c].rel)};
            cli_table_row(&t, row);
        }
    }
    cli_table_print(&t);
}

static void s_report_text(const s_ctx_t *x, const geo_summary_t *s)
{
    printf("Alignment of organisations with %s footprints\n", s_label(x));
    s_report_summary(x, s);
    s_report_footprints(x);
    printf("\nSplit organisations\n\n");
    s_splits_table(x);
    if (geo_align_org_count(x->a, GEO_CAUTH)) {
        printf("\nCombined authorities (by LSOAs)\n\n");
        s_report_cauth(x);
    }
    s_vintages_text(x);
}

static void s_report_json_counts(json_t *j, const geo_summary_t *s)
{
    json_obj_begin(j, "counts");
    json_u64(j, "lsoas", s->lsoas);
    json_u64(j, "footprints", s->footprints);
    json_u64(j, "lads", s->lads);
    for (int k = 0; k < GEO_KINDS; k++) {
        json_u64(j, geo_kind_key((geo_kind_t)k), s->orgs[k]);
    }
    json_u64(j, "lsoas_outside", s->lsoas_outside);
    json_u64(j, "districts_without_county", s->districts_without_county);
    json_u64(j, "declared_primaries", s->primaries);
    json_obj_end(j);
    json_obj_begin(j, "split");
    for (int k = 0; k < GEO_KINDS; k++) {
        json_u64(j, geo_kind_key((geo_kind_t)k), s->split[k]);
    }
    json_obj_end(j);
    json_u64(j, "coterminous_footprints", s->coterminous);
}

/* Split organisations, then every combined authority with its relations. */
static void s_report_json_orgs(json_t *j, const s_ctx_t *x)
{
    json_arr_begin(j, "splits");
    for (int k = 0; k < GEO_KINDS; k++) {
        for (size_t i = 0; i < geo_align_org_count(x->a, (geo_kind_t)k); i++) {
            const geo_org_t *o = geo_align_org(x->a, (geo_kind_t)k, i);
            if (o->cls == GEO_SPLIT) {
                s_json_org(j, NULL, o);
            }
        }
    }
    json_arr_end(j);
    json_arr_begin(j, "combined_authorities");
    for (size_t i = 0; i < geo_align_org_count(x->a, GEO_CAUTH); i++) {
        s_json_org(j, NULL, geo_align_org(x->a, GEO_CAUTH, i));
    }
    json_arr_end(j);
}

static void s_report_json(const s_ctx_t *x, const geo_summary_t *s)
{
    json_t j;
    json_init(&j);
    json_obj_begin(&j, NULL);
    s_vintages_json(&j, x);
    json_arr_begin(&j, "files");
    for (size_t i = 0; i < geo_file_count(x->g); i++) {
        json_str(&j, NULL, geo_file_path(x->g, i));
    }
    json_arr_end(&j);
    s_report_json_counts(&j, s);
    json_arr_begin(&j, "footprints");
    for (size_t i = 0; i < geo_align_footprint_count(x->a); i++) {
        const geo_footprint_t *fp = geo_align_footprint(x->a, i);
        json_obj_begin(&j, NULL);
        json_str(&j, "code", fp->code);
        json_str(&j, "name", fp->name);
        json_u64(&j, "lsoas", fp->lsoas);
        for (int k = 0; k < GEO_KINDS; k++) {
            json_u64(&j, geo_kind_key((geo_kind_t)k), fp->n_members[k]);
        }
        json_u64(&j, "split_upper_tier_councils", s_split_upper(fp));
        json_bool(&j, "coterminous", fp->coterminous);
        json_obj_end(&j);
    }
    json_arr_end(&j);
    s_report_json_orgs(&j, x);
    json_obj_end(&j);
    s_print_json(&j);
}

static void s_report_csv(const s_ctx_t *x)
{
    static const char *const head[] = {"code",
                                       "name",
                                       "lsoas",
                                       "ccgs",
                                       "upper_tier_councils",
                                       "district_councils",
                                       "split_upper_tier_councils",
                                       "coterminous"};
    char c[5][24];
    csv_write_row(stdout, head, sizeof head / sizeof head[0]);
    for (size_t i = 0; i < geo_align_footprint_count(x->a); i++) {
        const geo_footprint_t *fp = geo_align_footprint(x->a, i);
        snprintf(c[0], sizeof c[0], "%u", fp->lsoas);
        snprintf(c[1], sizeof c[1], "%zu", fp->n_members[GEO_CCG]);
        snprintf(c[2], sizeof c[2], "%zu", fp->n_members[GEO_UPPER]);
        snprintf(c[3], sizeof c[3], "%zu", fp->n_members[GEO_DISTRICT]);
        snprintf(c[4], sizeof c[4], "%zu", s_split_upper(fp));
        const char *row[] = {fp->code, fp->name, c[0], c[1],
                             c[2],     c[3],     c[4], fp->coterminous ? "yes" : "no"};
        csv_write_row(stdout, row, sizeof row / sizeof row[0]);
    }
}

static int s_report(const s_ctx_t *x)
{
    geo_summary_t s;
    geo_align_summary(x->a, &s);
    if (x->out == OUT_JSON) {
        s_report_json(x, &s);
    } else if (x->out == OUT_CSV) {
        s_report_csv(x);
    } else {
        s_report_text(x, &s);
    }
    return CLI_OK;
}

/* ---- changes --from LAYER --to LAYER ---- */

/* "E38000002 NHS Ashford CCG (84)" lists, for text rows. */
static void s_sides_text(const geo_change_side_t *sides, size_t n, int counts, char *buf,
                         size_t size)
{
    char num[24];
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && used < size; i++) {
        used += (size_t)snprintf(buf + used, size - used, "%s%s %s", i ? "; " : "",
                                 sides[i].code, sides[i].name);
        if (counts && used < size) {
            used += (size_t)snprintf(buf + used, size - used, " (%s)",
                                     cli_table_num(sides[i].lsoas, num, sizeof num));
        }
    }
}

static void s_changes_text(const geo_changes_t *c)
{
    geo_changes_summary_t s;
    char n[4][24];
    geo_changes_summary(c, &s);
    printf("Changes from %s (%s organisations) to %s (%s) over %s %s\n", geo_changes_from(c),
           cli_table_num(s.orgs_from, n[0], sizeof n[0]), geo_changes_to(c),
           cli_table_num(s.orgs_to, n[1], sizeof n[1]), cli_table_num(s.lsoas, n[2], sizeof n[2]),
           geo_changes_atom(c));
    printf("Mergers: %zu, splits: %zu, boundary transfers: %zu, code changes: %zu (%zu with the "
           "same LSOAs), renames: %zu; unchanged: %zu\n",
           s.count[GEO_MERGER], s.count[GEO_SPLIT_UP], s.count[GEO_TRANSFER],
           s.count[GEO_CODE_CHANGE], s.code_same_territory, s.count[GEO_RENAME], s.unchanged);
    if (s.lsoas_only_from || s.lsoas_only_to) {
        printf("LSOAs only in %s: %zu; only in %s: %zu\n", geo_changes_from(c), s.lsoas_only_from,
               geo_changes_to(c), s.lsoas_only_to);
    }
    printf("\n");
    cli_table_t t = {.n_cols = 4,
                     .head = (const char *const[]){"CHANGE", "LSOAS", "TO", "FROM"},
                     .right = 0x2};
    for (size_t i = 0; i < geo_changes_count(c); i++) {
        const geo_change_t *ch = geo_changes_get(c, i);
        char from[2048], to[2048], kind[48];
        int many_from = ch->n_from > 1, many_to = ch->n_to > 1;
        s_sides_text(ch->from, ch->n_from, many_from, from, sizeof from);
        s_sides_text(ch->to, ch->n_to, many_to, to, sizeof to);
        snprintf(kind, sizeof kind, "%s%s", geo_changes_kind_name(ch->kind),
                 ch->kind == GEO_CODE_CHANGE && !ch->same_territory ? " (and LSOAs)" : "");
        const char *row[] = {kind, cli_table_num(ch->lsoas, n[3], sizeof n[3]), to, from};
        cli_table_row(&t, row);
    }
    cli_table_print(&t);
}

static void s_json_sides(json_t *j, const char *key, const geo_change_side_t *sides, size_t n)
{
    json_arr_begin(j, key);
    for (size_t i = 0; i < n; i++) {
        json_obj_begin(j, NULL);
        json_str(j, "code", sides[i].code);
        json_str(j, "name", sides[i].name);
        json_u64(j, "lsoas", sides[i].lsoas);
        json_u64(j, "of", sides[i].total);
        json_str(j, "continues", sides[i].cont);
        json_obj_end(j);
    }
    json_arr_end(j);
}

static void s_changes_json(const geo_changes_t *c)
{
    geo_changes_summary_t s;
    json_t j;
    geo_changes_summary(c, &s);
    json_init(&j);
    json_obj_begin(&j, NULL);
    json_str(&j, "from", geo_changes_from(c));
    json_str(&j, "to", geo_changes_to(c));
    json_str(&j, "atom", geo_changes_atom(c));
    json_obj_begin(&j, "counts");
    json_u64(&j, "lsoas", s.lsoas);
    json_u64(&j, "lsoas_only_from", s.lsoas_only_from);
    json_u64(&j, "lsoas_only_to", s.lsoas_only_to);
    json_u64(&j, "organisations_from", s.orgs_from);
    json_u64(&j, "organisations_to", s.orgs_to);
    for (int k = 0; k < GEO_CHANGE_KINDS; k++) {
        json_u64(&j, geo_changes_kind_key((geo_change_kind_t)k), s.count[k]);
    }
    json_u64(&j, "code_changes_same_lsoas", s.code_same_territory);
    json_u64(&j, "unchanged", s.unchanged);
    json_obj_end(&j);
    json_arr_begin(&j, "changes");
    for (size_t i = 0; i < geo_changes_count(c); i++) {
        const geo_change_t *ch = geo_changes_get(c, i);
        json_obj_begin(&j, NULL);
        json_str(&j, "kind", geo_changes_kind_key(ch->kind));
        json_u64(&j, "lsoas", ch->lsoas);
        if (ch->kind == GEO_CODE_CHANGE) {
            json_bool(&j, "same_lsoas", ch->same_territory);
        }
        s_json_sides(&j, "from", ch->from, ch->n_from);
        s_json_sides(&j, "to", ch->to, ch->n_to);
        json_obj_end(&j);
    }
    json_arr_end(&j);
    json_obj_end(&j);
    s_print_json(&j);
}

/* One row per flow: a merger's predecessors, a split's successors. */
static void s_changes_csv(const geo_changes_t *c)
{
    static const char *const head[] = {"change",  "lsoas",   "from_code", "from_name",
                                       "from_of", "to_code", "to_name",   "to_of"};
    csv_write_row(stdout, head, sizeof head / sizeof head[0]);
    for (size_t i = 0; i < geo_changes_count(c); i++) {
        const geo_change_t *ch = geo_changes_get(c, i);
        size_t rows = ch->n_from > ch->n_to ? ch->n_from : ch->n_to;
        for (size_t r = 0; r < rows; r++) {
            const geo_change_side_t *f = &ch->from[ch->n_from > 1 ? r : 0];
            const geo_change_side_t *t = &ch->to[ch->n_to > 1 ? r : 0];
            char n[24], fo[24], to[24];
            snprintf(n, sizeof n, "%u", ch->n_from > 1 ? f->lsoas : t->lsoas);
            snprintf(fo, sizeof fo, "%u", f->total);
            snprintf(to, sizeof to, "%u", t->total);
            const char *row[] = {geo_changes_kind_key(ch->kind), n, f->code, f->name, fo,
                                 t->code, t->name, to};
            csv_write_row(stdout, row, sizeof row / sizeof row[0]);
        }
    }
}

/* ---- changes --propose DIR ---- */

/* Writes s in single quotes for a POSIX shell. */
static void s_shq(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'') {
            fputs("'\\''", f);
        } else {
            fputc(*s, f);
        }
    }
    fputc('\'', f);
}

/* The date a vintage is in force from, "2020-04-01". */
static const char *s_start(const geo_t *g, const char *vintage, char *buf, size_t size)
{
    for (size_t i = 0; i < geo_layer_count(g); i++) {
        if (strcmp(geo_layer_name(g, i), vintage) == 0) {
            return geo_date_str(geo_layer_start(g, i), buf, size);
        }
    }
    snprintf(buf, size, "?");
    return buf;
}

/* A merger or a code change as the roster change that follows it: the
 * successor's keys (new code) and a merger proposal naming every
 * predecessor, for the board the predecessors sit on. */
static int s_propose_merger(FILE *f, const geo_change_t *ch, const char *from, const char *to,
                            const char *date)
{
    const geo_change_side_t *succ = &ch->to[0];
    int kept = 0;
    for (size_t i = 0; i < ch->n_from; i++) {
        kept |= strcmp(ch->from[i].code, succ->code) == 0;
    }
    fprintf(f, "#!/bin/sh\n# %s %s (%s) in force from %s (%s -> %s), from:\n",
            geo_changes_kind_name(ch->kind), succ->name, succ->code, date, from, to);
    for (size_t i = 0; i < ch->n_from; i++) {
        fprintf(f, "#   %s %s: %u of its %u LSOAs\n", ch->from[i].code, ch->from[i].name,
                ch->from[i].lsoas, ch->from[i].total);
    }
    fprintf(f, "# Run with BOARD set to a board every predecessor sits on; each predecessor\n"
               "# must vote FOR (docs/BOARDS.md, roster changes).\nset -e\n");
    if (!kept) {
        fprintf(f, "mkdir -p keys/next && chmod 700 keys/next\n");
        fprintf(f, "concord keygen --code %s --name ", succ->code);
        s_shq(f, succ->name);
        fprintf(f, " --as-at %s --out keys/next\n", date);
    }
    fprintf(f, "concord propose --board \"${BOARD:?set BOARD to the board}\" --title ");
    char title[512];
    snprintf(title, sizeof title, "%s: %s (%s) from %s", geo_changes_kind_name(ch->kind),
             succ->name, succ->code, date);
    s_shq(f, title);
    fprintf(f, " --effective %s \\\n    --merge %s%s%s", date, kept ? "" : "keys/next/",
            succ->code, kept ? "" : ".pub");
    for (size_t i = 0; i < ch->n_from; i++) {
        fprintf(f, " --predecessor %s", ch->from[i].code);
    }
    fprintf(f, "\n");
    return 0;
}

/* A split as a transfer scheme: each successor's share of the old
 * organisation's LSOAs, in permille by largest remainder, for a board to
 * adjust and adopt with `propose --split`. */
static void s_propose_split(FILE *f, const geo_change_t *ch, const char *from, const char *to,
                            const char *date)
{
    uint32_t share[64], given = 0;
    size_t n = ch->n_to < 64 ? ch->n_to : 64;
    const geo_change_side_t *old = &ch->from[0];
    fprintf(f, "; Split of %s (%s) in force from %s (%s -> %s): a transfer scheme whose\n"
               "; shares default to the LSOA shares. Adjust and adopt by board decision.\n"
               "[split]\norganisation = %s\nname = %s\neffective = %s\nlsoas = %u\n",
            old->name, old->code, date, from, to, old->code, old->name, date, old->total);
    for (size_t i = 0; i < n; i++) {
        share[i] = (uint32_t)((uint64_t)ch->to[i].lsoas * 1000 / old->total);
        given += share[i];
    }
    while (given < 1000 && n) {
        size_t best = 0;
        uint64_t best_rem = 0;
        for (size_t i = 0; i < n; i++) {
            uint64_t rem = (uint64_t)ch->to[i].lsoas * 1000 % old->total;
            if (share[i] == (uint64_t)ch->to[i].lsoas * 1000 / old->total && rem > best_rem) {
                best = i;
                best_rem = rem;
            }
        }
        share[best]++;
        given++;
    }
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "\n[successor %s]\nname = %s\nlsoas = %u\nshare_permille = %u\n",
                ch->to[i].code, ch->to[i].name, ch->to[i].lsoas, share[i]);
    }
}

/* Writes DIR/merger-CODE.sh, DIR/code-change-CODE.sh and DIR/split-CODE.ini
 * for the changes that touch the roster (transfers and renames do not). */
static int s_propose(const s_ctx_t *x, const geo_changes_t *c)
{
    char date[16], path[4096];
    size_t written = 0;
    const geo_t *to_g = x->g_to ? x->g_to : x->g;
    s_start(to_g, geo_changes_to(c), date, sizeof date);
    if (mkdir(x->propose, 0755) != 0 && errno != EEXIST) {
        return cli_fail("cannot create %s: %s", x->propose, strerror(errno));
    }
    for (size_t i = 0; i < geo_changes_count(c); i++) {
        const geo_change_t *ch = geo_changes_get(c, i);
        const char *what = ch->kind == GEO_MERGER        ? "merger"
                           : ch->kind == GEO_CODE_CHANGE ? "code-change"
                           : ch->kind == GEO_SPLIT_UP    ? "split"
                                                         : NULL;
        if (!what) {
            continue;
        }
        const char *code = ch->kind == GEO_SPLIT_UP ? ch->from[0].code : ch->to[0].code;
        snprintf(path, sizeof path, "%s/%s-%s.%s", x->propose, what, code,
                 ch->kind == GEO_SPLIT_UP ? "ini" : "sh");
        FILE *f = fopen(path, "wx");
        if (!f) {
            return cli_fail("cannot create %s: %s", path, strerror(errno));
        }
        if (ch->kind == GEO_SPLIT_UP) {
            s_propose_split(f, ch, geo_changes_from(c), geo_changes_to(c), date);
        } else {
            s_propose_merger(f, ch, geo_changes_from(c), geo_changes_to(c), date);
        }
        int bad = fflush(f) != 0 || ferror(f);
        if (fclose(f) != 0 || bad) {
            return cli_fail("cannot write %s", path);
        }
        if (ch->kind != GEO_SPLIT_UP) {
            chmod(path, 0755);
        }
        written++;
    }
    fprintf(stderr, "wrote %zu roster proposals to %s\n", written, x->propose);
    return CLI_OK;
}

static int s_changes(const s_ctx_t *x)
{
    cc_err_t err;
    const geo_t *to_g = x->g_to ? x->g_to : x->g;
    const char *from = x->from ? x->from : "CCG", *to = x->to ? x->to : "CCG";
    if (!x->g_to && (!x->from || !x->to)) {
        return cli_usage("footprint changes needs --from and --to (such as --from CCG18 "
                         "--to CCG20), or a second set of files with --to-lookup");
    }
    geo_changes_t *c = geo_changes(x->g, from, to_g, to, &err);
    if (!c) {
        return cli_fail("footprint changes: %s", err.msg);
    }
    if (x->out == OUT_JSON) {
        s_changes_json(c);
    } else if (x->out == OUT_CSV) {
        s_changes_csv(c);
    } else {
        s_changes_text(c);
    }
    int rc = x->propose ? s_propose(x, c) : CLI_OK;
    geo_changes_destroy(&c);
    return rc;
}

/* Loads the lookups (and the second set, for changes) without aligning. */
static int s_load_models(s_ctx_t *x)
{
    cc_err_t err;
    if (x->n_lookups) {
        x->g = geo_load(x->lookups, x->n_lookups, &err);
    } else {
        x->g = geo_load_dir(geo_data_dir(x->data_dir), &err);
    }
    if (!x->g) {
        return cli_fail("%s%s", err.msg,
                        x->n_lookups ? "" : " (give --data-dir DIR or set CONCORD_DATA_DIR)");
    }
    if (x->n_to_lookups && !(x->g_to = geo_load(x->to_lookups, x->n_to_lookups, &err))) {
        return cli_fail("%s", err.msg);
    }
    return CLI_OK;
}

/* ---- Arguments ---- */

static void s_help(FILE *to)
{
    fprintf(to,
            "Usage: concord [--json] footprint COMMAND [--csv] [--layer LAYER] [--as-at DATE]\n"
            "                 [--data-dir DIR | --lookup FILE...] [--primary ORG=FOOTPRINT...]\n"
            "  show FOOTPRINT   its CCGs, councils and combined authorities, with shares\n"
            "  org CODE         every footprint an organisation touches, with shares\n"
            "  splits           every organisation split across footprints\n"
            "  report           counts, splits, coterminosity, combined authorities\n"
            "  changes --from LAYER --to LAYER [--to-lookup FILE...]\n"
            "                   mergers, splits, boundary transfers, code changes and\n"
            "                   renames between two vintages (--from CCG18 --to CCG20), or\n"
            "                   between the --lookup files and the --to-lookup files;\n"
            "                   --propose DIR writes the roster proposals they imply\n"
            "LAYER is STP (default), NHSER, NHSRLO, CAUTH or any layer the lookups map\n"
            "LSOAs to: a kind (its newest vintage loaded) or a vintage such as STP17,\n"
            "which also takes the organisations of that date. --as-at YYYY-MM-DD takes\n"
            "each kind's vintage in force on that date (ONS lookups are as at 1 April).\n"
            "Lookups come from --data-dir, CONCORD_DATA_DIR or the shipped\n"
            "data/ons; --lookup FILE (repeatable) uses other ONS files instead.\n"
            "--primary previews a declared primary footprint, as a realignment decision\n"
            "would record it.\n");
}

/* Parses options; returns CLI_OK, or CLI_USAGE after saying why. */
static int s_args(s_ctx_t *x, int argc, char **argv)
{
    static const struct option opts[] = {{"csv", no_argument, NULL, 'c'},
                                         {"layer", required_argument, NULL, 'l'},
                                         {"as-at", required_argument, NULL, 'a'},
                                         {"from", required_argument, NULL, 'F'},
                                         {"to", required_argument, NULL, 'T'},
                                         {"from-lookup", required_argument, NULL, 'f'},
                                         {"to-lookup", required_argument, NULL, 'L'},
                                         {"propose", required_argument, NULL, 'P'},
                                         {"data-dir", required_argument, NULL, 'd'},
                                         {"lookup", required_argument, NULL, 'f'},
                                         {"primary", required_argument, NULL, 'p'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'c') {
            x->out = x->out == OUT_JSON ? -1 : OUT_CSV;
        } else if (c == 'l') {
            x->layer = optarg;
        } else if (c == 'a') {
            if (!(x->as_at = geo_date_parse(optarg))) {
                return cli_usage("--as-at wants a date YYYY-MM-DD, not '%s'", optarg);
            }
        } else if (c == 'd') {
            x->data_dir = optarg;
        } else if (c == 'P') {
            x->propose = optarg;
        } else if (c == 'F' || c == 'T') {
            *(c == 'F' ? &x->from : &x->to) = optarg;
        } else if (c == 'L') {
            if (x->n_to_lookups == FP_MAX_LOOKUPS) {
                return cli_usage("at most %d of --to-lookup", FP_MAX_LOOKUPS);
            }
            x->to_lookups[x->n_to_lookups++] = optarg;
        } else if (c == 'f' || c == 'p') {
            size_t *n = c == 'f' ? &x->n_lookups : &x->n_primaries;
            if (*n == (c == 'f' ? FP_MAX_LOOKUPS : FP_MAX_PRIMARIES)) {
                return cli_usage("at most %d of --%s", c == 'f' ? FP_MAX_LOOKUPS : FP_MAX_PRIMARIES,
                                 c == 'f' ? "lookup" : "primary");
            }
            (c == 'f' ? x->lookups : x->primaries)[(*n)++] = optarg;
        } else {
            s_help(c == 'h' ? stdout : stderr);
            return c == 'h' ? -1 : CLI_USAGE;
        }
    }
    if (x->out < 0) {
        return cli_usage("footprint takes --json or --csv, not both");
    }
    x->sub = optind < argc ? argv[optind++] : NULL;
    x->code = optind < argc ? argv[optind++] : NULL;
    int needs_code = x->sub && (strcmp(x->sub, "show") == 0 || strcmp(x->sub, "org") == 0);
    if (!x->sub || optind < argc || needs_code != (x->code != NULL)) {
        s_help(stderr);
        return CLI_USAGE;
    }
    return CLI_OK;
}

/* Adds the node's realignment decisions ("ORG=FOOTPRINT" lines) ahead of
 * any --primary previews, so that a preview can still override them. */
static int s_add_decided(s_ctx_t *x, char *decided)
{
    size_t n = 0;
    for (char *line = decided; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl) {
            *nl = '\0';
        }
        if (*line) {
            n++;
        }
        line = nl ? nl + 1 : NULL;
    }
    if (n + x->n_primaries > FP_MAX_PRIMARIES) {
        return cli_fail("too many declared primary footprints");
    }
    memmove(&x->primaries[n], &x->primaries[0], x->n_primaries * sizeof x->primaries[0]);
    const char *line = decided;
    for (size_t i = 0; i < n; line += strlen(line) + 1) {
        if (*line) {
            x->primaries[i++] = line;
        }
    }
    x->n_primaries += n;
    return CLI_OK;
}

int cli_footprint_check(const char *org, const char *footprint)
{
    cc_err_t err;
    geo_t *g = geo_load_dir(geo_data_dir(NULL), &err);
    int rc = CLI_OK;
    if (!g) {
        return cli_fail("%s", err.msg);
    }
    if (geo_set_primary(g, org, footprint, &err) < 0) {
        rc = cli_fail("realignment of %s to %s: %s", org, footprint, err.msg);
    }
    geo_destroy(&g);
    return rc;
}

/* Each successor's LSOAs from org between layer i and a later layer k;
 * 0 when one of them has none there. */
static int s_split_lsoas(const geo_t *g, size_t i, size_t k, const char *org,
                         const char *const *succ, size_t n, int64_t *lsoas)
{
    const char *codes[256];
    uint32_t counts[256];
    size_t m = geo_overlap(g, geo_layer_name(g, i), org, geo_layer_name(g, k), codes, counts, 256);
    for (size_t s = 0; s < n; s++) {
        lsoas[s] = 0;
        for (size_t j = 0; j < m; j++) {
            lsoas[s] = strcmp(codes[j], succ[s]) == 0 ? counts[j] : lsoas[s];
        }
        if (!lsoas[s]) {
            return 0;
        }
    }
    return 1;
}

int cli_footprint_split_shares(const char *org, const char *const *succ, size_t n,
                               uint32_t *permille, char *basis, size_t basis_size)
{
    cc_err_t err;
    int64_t lsoas[64];
    money_part_t parts[64];
    geo_t *g = geo_load_dir(geo_data_dir(NULL), &err);
    int rc = CLI_FAIL;
    if (!g) {
        return cli_fail("%s", err.msg);
    }
    for (size_t i = 0; n <= 64 && i < geo_layer_count(g) && rc != CLI_OK; i++) {
        if (!geo_name(g, geo_layer_name(g, i), org)) {
            continue;
        }
        for (size_t k = 0; k < geo_layer_count(g) && rc != CLI_OK; k++) {
            if (k == i || geo_layer_start(g, k) <= geo_layer_start(g, i) ||
                !s_split_lsoas(g, i, k, org, succ, n, lsoas)) {
                continue;
            }
            int64_t total = 0;
            for (size_t s = 0; s < n; s++) {
                total += lsoas[s];
            }
            if (money_split(1000, lsoas, succ, n, parts, &err) < 0) {
                break;
            }
            for (size_t s = 0; s < n; s++) {
                permille[s] = (uint32_t)parts[s].share;
            }
            snprintf(basis, basis_size, "LSOA shares of %lld LSOAs, ONS %s -> %s", (long long)total,
                     geo_layer_name(g, i), geo_layer_name(g, k));
            rc = CLI_OK;
        }
    }
    geo_destroy(&g);
    return rc == CLI_OK ? CLI_OK
                        : cli_fail("the shipped geography has no later layer in which every"
                                   " successor holds LSOAs of %s: give each share as"
                                   " --successor CODE=PERMILLE",
                                   org);
}

int cli_footprint(int argc, char **argv, int json, char *decided)
{
    s_ctx_t x = {.out = json ? OUT_JSON : OUT_TEXT, .as_at = GEO_LATEST};
    int rc = s_args(&x, argc, argv);
    if (rc != CLI_OK) {
        return rc < 0 ? CLI_OK : rc;
    }
    if (decided && s_add_decided(&x, decided) != CLI_OK) {
        return CLI_FAIL;
    }
    int (*run)(const s_ctx_t *) = NULL;
    if (strcmp(x.sub, "show") == 0) {
        run = s_show;
    } else if (strcmp(x.sub, "org") == 0) {
        run = s_org;
    } else if (strcmp(x.sub, "splits") == 0) {
        run = s_splits;
    } else if (strcmp(x.sub, "report") == 0) {
        run = s_report;
    } else if (strcmp(x.sub, "changes") == 0) {
        run = s_changes;
    } else {
        return cli_usage("unknown footprint command '%s'", x.sub);
    }
    rc = run == s_changes ? s_load_models(&x) : s_load(&x);
    if (rc == CLI_OK) {
        rc = run(&x);
    }
    /* A full disk or a closed pipe must not look like success. */
    if (rc == CLI_OK && (fflush(stdout) != 0 || ferror(stdout))) {
        rc = cli_fail("cannot write the output");
    }
    geo_align_destroy(&x.a);
    geo_destroy(&x.g);
    geo_destroy(&x.g_to);
    return rc;
}
