/* SPDX-License-Identifier: Apache-2.0 */
/* footprint_report: see footprint_report.h. */
#include "footprint_report.h"

#include <string.h>

#include "geo.h"
#include "log.h"
#include "wire.h"

/* One organisation with its shares of the footprints it touches. */
static void s_org(control_arena_t *a, Concord__V1__FootprintOrgView *v, const geo_org_t *o)
{
    v->kind = control_str(geo_kind_key(o->kind));
    v->code = control_str(o->code);
    v->name = control_str(o->name);
    v->lsoas = o->lsoas;
    v->alignment = control_str(geo_class_name(o->cls));
    v->declared_primary = control_str(o->primary ? o->primary->code : NULL);
    v->n_footprints = o->n_cells;
    v->footprints =
        control_alloc_messages(a, &concord__v1__footprint_share__descriptor, o->n_cells);
    for (size_t i = 0; v->footprints && i < o->n_cells; i++) {
        const geo_cell_t *c = &o->cells[i];
        v->footprints[i]->footprint = control_str(c->footprint->code);
        v->footprints[i]->name = control_str(c->footprint->name);
        v->footprints[i]->lsoas = c->lsoas;
        v->footprints[i]->share_permille = c->permille;
        v->footprints[i]->relation = control_str(geo_rel_name(c->rel));
    }
    if (!v->footprints) {
        v->n_footprints = 0;
    }
}

/* The reply, its strings borrowed from the model a (copied by the caller
 * before the model goes). */
static void s_fill(control_arena_t *ar, Concord__V1__FootprintReportReply *r, const geo_t *g,
                   const geo_align_t *a)
{
    geo_summary_t s;
    geo_align_summary(a, &s);
    r->layer = control_str(geo_align_layer(a));
    r->n_vintages = geo_align_vintage_count(a);
    r->vintages = control_alloc(ar, (r->n_vintages ? r->n_vintages : 1) * sizeof *r->vintages);
    for (size_t i = 0; r->vintages && i < r->n_vintages; i++) {
        r->vintages[i] = control_str(geo_align_vintage(a, i));
    }
    if (!r->vintages) {
        r->n_vintages = 0;
    }
    r->files = geo_file_count(g);
    r->lsoas = s.lsoas;
    r->lsoas_outside = s.lsoas_outside;
    r->footprints = s.footprints;
    r->coterminous_footprints = s.coterminous;
    r->declared_primaries = s.primaries;
    r->n_kinds = GEO_KINDS;
    r->kinds = control_alloc_messages(ar, &concord__v1__footprint_kind_count__descriptor, GEO_KINDS);
    for (size_t k = 0; r->kinds && k < GEO_KINDS; k++) {
        r->kinds[k]->kind = control_str(geo_kind_key((geo_kind_t)k));
        r->kinds[k]->organisations = s.orgs[k];
        r->kinds[k]->split = s.split[k];
        r->kinds[k]->partial = s.partial[k];
    }
    if (!r->kinds) {
        r->n_kinds = 0;
    }
    r->n_rows = geo_align_footprint_count(a);
    r->rows = control_alloc_messages(ar, &concord__v1__footprint_row__descriptor, r->n_rows);
    for (size_t i = 0; r->rows && i < r->n_rows; i++) {
        const geo_footprint_t *fp = geo_align_footprint(a, i);
        Concord__V1__FootprintRow *w = r->rows[i];
        w->code = control_str(fp->code);
        w->name = control_str(fp->name);
        w->lsoas = fp->lsoas;
        w->ccgs = fp->n_members[GEO_CCG];
        w->upper_tier_councils = fp->n_members[GEO_UPPER];
        w->district_councils = fp->n_members[GEO_DISTRICT];
        w->split_upper_tier_councils = geo_footprint_split_count(fp, GEO_UPPER);
        w->coterminous = fp->coterminous != 0;
    }
    if (!r->rows) {
        r->n_rows = 0;
    }
    size_t n_split = 0;
    for (int k = 0; k < GEO_KINDS; k++) {
        n_split += s.split[k];
    }
    r->splits = control_alloc_messages(ar, &concord__v1__footprint_org_view__descriptor, n_split);
    for (int k = 0; r->splits && k < GEO_KINDS; k++) {
        for (size_t i = 0; i < geo_align_org_count(a, (geo_kind_t)k); i++) {
            const geo_org_t *o = geo_align_org(a, (geo_kind_t)k, i);
            if (o->cls == GEO_SPLIT && r->n_splits < n_split) {
                s_org(ar, r->splits[r->n_splits++], o);
            }
        }
    }
    r->n_combined_authorities = geo_align_org_count(a, GEO_CAUTH);
    r->combined_authorities = control_alloc_messages(
        ar, &concord__v1__footprint_org_view__descriptor, r->n_combined_authorities);
    for (size_t i = 0; r->combined_authorities && i < r->n_combined_authorities; i++) {
        s_org(ar, r->combined_authorities[i], geo_align_org(a, GEO_CAUTH, i));
    }
    if (!r->combined_authorities) {
        r->n_combined_authorities = 0;
    }
}

Concord__V1__FootprintReportReply *footprint_report_build(const char *data_dir,
                                                          const char *const *orgs,
                                                          const char *const *footprints, size_t n,
                                                          cc_err_t *err)
{
    const char *dir = geo_data_dir(data_dir);
    geo_t *g = geo_load_dir(dir, err);
    if (!g) {
        err->code = CC_FAILED_PRECONDITION;
        err_prefix(err, "footprint report: no ONS lookups (set CONCORD_DATA_DIR): ");
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        cc_err_t e;
        if (geo_set_primary(g, orgs[i], footprints[i], &e) < 0) {
            log_warn("footprint report: realignment of %s to %s not applied: %s", orgs[i],
                     footprints[i], e.msg);
        }
    }
    geo_align_t *a = geo_align(g, NULL, err);
    if (!a) {
        err->code = CC_FAILED_PRECONDITION;
        err_prefix(err, "footprint report: ");
        geo_destroy(&g);
        return NULL;
    }
    control_arena_t ar = {0};
    Concord__V1__FootprintReportReply r = CONCORD__V1__FOOTPRINT_REPORT_REPLY__INIT;
    s_fill(&ar, &r, g, a);
    Concord__V1__FootprintReportReply *out = NULL;
    if (ar.failed) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "footprint report: out of memory");
    } else {
        out = (void *)wire_copy(&r.base, WIRE_MAX_FRAME, err);
    }
    control_arena_free(&ar);
    geo_align_destroy(&a);
    geo_destroy(&g);
    return out;
}
