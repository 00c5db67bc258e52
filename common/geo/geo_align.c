/* geo_align: LSOA counts in every organisation x footprint cell, the
 * classifications built on them, and declared primary footprints.
 *
 * Each LSOA is mapped once to its footprint and to its organisation of
 * each kind by following chains of lookups; LSOAs are then grouped by
 * organisation with a counting sort, so the whole alignment is linear in
 * the number of LSOAs. */
#include "geo_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Chains from the LSOA layer to each layer the organisations come from;
 * n < 0 where no lookup leads there. */
typedef struct {
    const geo_link_t *p[GEO_LAYER_MAX];
    int n;
} s_chain_t;

/* The organisation kinds' layers, as at the alignment's date. */
enum { S_CCG, S_LAD, S_CTY, S_CAUTH, S_ORG_LAYERS };
static const char *const s_org_layer_kinds[S_ORG_LAYERS] = {"CCG", "LAD", "CTY", "CAUTH"};

typedef struct {
    const geo_t *g;
    uint32_t atom;
    uint32_t org_layer[S_ORG_LAYERS]; /* vintage in force, or GEO_NONE */
    s_chain_t fp, ccg, lad, cauth;
    s_chain_t cty; /* from the LAD layer */
} s_paths_t;

struct geo_align {
    const geo_t *g;
    char layer[GEO_LAYER_NAME_MAX + 4];
    uint32_t layer_id;
    uint32_t as_at;
    const char *vintages[2 + S_ORG_LAYERS];
    size_t n_vintages;
    geo_footprint_t *fps;
    size_t n_fps;
    uint32_t *fp_at; /* footprint layer position -> index in fps */
    geo_org_t *orgs[GEO_KINDS];
    size_t n_orgs[GEO_KINDS];
    geo_cell_t *cells[GEO_KINDS];
    geo_member_t *members;
    geo_summary_t sum;
};

static const char *const s_kind_names[GEO_KINDS] = {"CCG", "upper-tier council", "district council",
                                                    "combined authority"};
static const char *const s_kind_keys[GEO_KINDS] = {"ccg", "upper_tier_council", "district_council",
                                                   "combined_authority"};

const char *geo_kind_name(geo_kind_t kind)
{
    return (unsigned)kind < GEO_KINDS ? s_kind_names[kind] : "unknown";
}

const char *geo_kind_key(geo_kind_t kind)
{
    return (unsigned)kind < GEO_KINDS ? s_kind_keys[kind] : "unknown";
}

const char *geo_class_name(geo_class_t c)
{
    static const char *const names[] = {"whole", "split", "partial", "outside"};
    return (unsigned)c < 4 ? names[c] : "unknown";
}

const char *geo_rel_name(geo_rel_t r)
{
    static const char *const names[] = {"equal", "contains", "contained by", "partial overlap"};
    return (unsigned)r < 4 ? names[r] : "unknown";
}

static void s_chain(const geo_t *g, uint32_t from, uint32_t to, s_chain_t *c)
{
    c->n = to == GEO_NONE || from == GEO_NONE ? -1 : geo_path(g, from, to, c->p);
}

/* Finds the chains to the vintages in force on as_at; fp_layer GEO_NONE
 * when no footprint layer is needed. */
static int s_paths(const geo_t *g, uint32_t fp_layer, uint32_t as_at, s_paths_t *P, cc_err_t *err)
{
    memset(P, 0, sizeof *P);
    P->g = g;
    P->atom = geo_layer_at(g, GEO_ATOM_LAYER, as_at);
    if (P->atom == GEO_NONE) {
        err_set(err, CC_FAILED_PRECONDITION,
                "no lookup gives LSOAs: load a file with a column matching LSOA<YY>CD");
        return -1;
    }
    P->fp.n = fp_layer == GEO_NONE ? -1 : geo_path(g, P->atom, fp_layer, P->fp.p);
    /* The footprints may be of the other census's LSOAs (STP20 over LSOA11
     * while an LSOA21 lookup is the newest): the newest LSOA vintage that
     * leads to them. */
    if (fp_layer != GEO_NONE && P->fp.n < 0) {
        uint32_t from = P->atom;
        for (uint32_t l = 0; l < g->n_layers; l++) {
            const geo_link_t *p[GEO_LAYER_MAX];
            int n;
            if (strcmp(g->layers[l].kind, GEO_ATOM_LAYER) != 0 || l == from ||
                (P->fp.n >= 0 && g->layers[l].start <= g->layers[P->atom].start) ||
                (n = geo_path(g, l, fp_layer, p)) < 0) {
                continue;
            }
            P->atom = l;
            P->fp.n = n;
            memcpy(P->fp.p, p, (size_t)n * sizeof *p);
        }
    }
    if (fp_layer != GEO_NONE && P->fp.n < 0) {
        err_set(err, CC_FAILED_PRECONDITION,
                "no chain of lookups leads from LSOAs to layer %s: load a lookup that maps "
                "LSOA<YY>CD, CCG<YY>CD or LAD<YY>CD to %s<YY>CD",
                g->layers[fp_layer].name, g->layers[fp_layer].kind);
        return -1;
    }
    for (int k = 0; k < S_ORG_LAYERS; k++) {
        P->org_layer[k] = geo_layer_at(g, s_org_layer_kinds[k], as_at);
    }
    s_chain(g, P->atom, P->org_layer[S_CCG], &P->ccg);
    s_chain(g, P->atom, P->org_layer[S_LAD], &P->lad);
    s_chain(g, P->atom, P->org_layer[S_CAUTH], &P->cauth);
    s_chain(g, P->org_layer[S_LAD], P->org_layer[S_CTY], &P->cty);
    return 0;
}

static uint32_t s_follow(const geo_t *g, uint32_t e, const s_chain_t *c)
{
    return c->n < 0 ? GEO_NONE : geo_follow(g, e, c->p, c->n);
}

static int s_is_district(const geo_t *g, uint32_t lad)
{
    return strncmp(g->entries[lad].code, "E07", 3) == 0;
}

/* The organisation of a kind that an LSOA (entry) belongs to, or GEO_NONE.
 * An E07 district's upper tier is its county; any other LAD is upper tier
 * itself (E11 and E13 "counties" are groupings, never used). */
static uint32_t s_org_of(const s_paths_t *P, geo_kind_t kind, uint32_t lsoa)
{
    uint32_t lad;
    switch (kind) {
    case GEO_CCG:
        return s_follow(P->g, lsoa, &P->ccg);
    case GEO_CAUTH:
        return s_follow(P->g, lsoa, &P->cauth);
    case GEO_DISTRICT:
        lad = s_follow(P->g, lsoa, &P->lad);
        return lad != GEO_NONE && s_is_district(P->g, lad) ? lad : GEO_NONE;
    default:
        lad = s_follow(P->g, lsoa, &P->lad);
        if (lad == GEO_NONE || !s_is_district(P->g, lad)) {
            return lad;
        }
        return s_follow(P->g, lad, &P->cty);
    }
}

static int s_cmp_fp(const void *a, const void *b)
{
    return strcmp(((const geo_footprint_t *)a)->code, ((const geo_footprint_t *)b)->code);
}

static int s_cmp_org(const void *a, const void *b)
{
    return strcmp(((const geo_org_t *)a)->code, ((const geo_org_t *)b)->code);
}

static int s_cmp_cell(const void *a, const void *b)
{
    const geo_cell_t *x = a, *y = b;
    if (x->lsoas != y->lsoas) {
        return x->lsoas > y->lsoas ? -1 : 1;
    }
    return strcmp(x->footprint->code, y->footprint->code);
}

static const char *s_name(const geo_t *g, uint32_t e)
{
    return g->entries[e].name ? g->entries[e].name : "";
}

/* Every code of the footprint layer, sorted, and the position map. */
static int s_footprints(geo_align_t *a)
{
    const geo_t *g = a->g;
    const geo_layer_t *l = &g->layers[a->layer_id];
    a->fps = calloc(l->n ? l->n : 1, sizeof *a->fps);
    a->fp_at = calloc(l->n ? l->n : 1, sizeof *a->fp_at);
    if (!a->fps || !a->fp_at) {
        return -1;
    }
    for (size_t i = 0; i < l->n; i++) {
        a->fps[i].code = g->entries[l->entries[i]].code;
        a->fps[i].name = s_name(g, l->entries[i]);
    }
    a->n_fps = l->n;
    qsort(a->fps, a->n_fps, sizeof *a->fps, s_cmp_fp);
    for (size_t i = 0; i < a->n_fps; i++) {
        uint32_t e = geo_lookup(g, a->layer_id, a->fps[i].code);
        a->fp_at[g->entries[e].idx] = (uint32_t)i;
    }
    return 0;
}

/* Each LSOA's footprint index (GEO_NONE if none), counting per footprint. */
static uint32_t *s_lsoa_fps(geo_align_t *a, const s_paths_t *P)
{
    const geo_layer_t *atoms = &a->g->layers[P->atom];
    uint32_t *fp = malloc((atoms->n ? atoms->n : 1) * sizeof *fp);
    if (!fp) {
        return NULL;
    }
    for (size_t i = 0; i < atoms->n; i++) {
        uint32_t e = s_follow(a->g, atoms->entries[i], &P->fp);
        fp[i] = e == GEO_NONE ? GEO_NONE : a->fp_at[a->g->entries[e].idx];
        if (fp[i] == GEO_NONE) {
            a->sum.lsoas_outside++;
        } else {
            a->fps[fp[i]].lsoas++;
        }
    }
    return fp;
}

/* Splits 1000 permille among an organisation's cells and its outside part
 * by largest remainder: floors first, then one more to each of the largest
 * remainders (ties to the bigger cell) until the total is exactly 1000. */
static void s_shares(geo_org_t *o, geo_cell_t *cells)
{
    uint64_t total = o->lsoas;
    size_t n = o->n_cells + 1; /* the last bucket is the outside part */
    uint32_t given = 0;
    for (size_t b = 0; b < n; b++) {
        uint64_t c = b < o->n_cells ? cells[b].lsoas : o->outside;
        uint32_t p = (uint32_t)(c * 1000 / total);
        *(b < o->n_cells ? &cells[b].permille : &o->outside_permille) = p;
        given += p;
    }
    for (; given < 1000; given++) {
        size_t best = n;
        uint64_t best_rem = 0;
        for (size_t b = 0; b < n; b++) {
            uint64_t c = b < o->n_cells ? cells[b].lsoas : o->outside;
            uint32_t p = b < o->n_cells ? cells[b].permille : o->outside_permille;
            if (p == c * 1000 / total && c * 1000 % total > best_rem) {
                best = b;
                best_rem = c * 1000 % total;
            }
        }
        (*(best < o->n_cells ? &cells[best].permille : &o->outside_permille))++;
    }
}

static geo_rel_t s_rel(uint32_t both, uint32_t org, uint32_t fp)
{
    if (both == org) {
        return both == fp ? GEO_EQUAL : GEO_CONTAINED_BY;
    }
    return both == fp ? GEO_CONTAINS : GEO_OVERLAPS;
}

/* Sorts an organisation's cells and derives shares, relations, class. */
static void s_finish_org(geo_org_t *o, geo_cell_t *cells)
{
    qsort(cells, o->n_cells, sizeof *cells, s_cmp_cell);
    if (o->lsoas) {
        s_shares(o, cells);
    }
    for (size_t i = 0; i < o->n_cells; i++) {
        cells[i].rel = s_rel(cells[i].lsoas, o->lsoas, cells[i].footprint->lsoas);
    }
    if (o->n_cells == 0) {
        o->cls = GEO_OUTSIDE;
    } else if (o->n_cells > 1) {
        o->cls = GEO_SPLIT;
    } else {
        o->cls = o->outside ? GEO_PARTIAL : GEO_WHOLE;
    }
    o->cells = cells;
}

/* Working arrays for one kind: LSOAs grouped by organisation. */
typedef struct {
    uint32_t *org_of_entry; /* entry id -> organisation index */
    uint32_t *lsoa_org;     /* LSOA position -> organisation index */
    uint32_t *ent;          /* organisation index -> entry id */
    uint32_t *start;        /* organisation index -> first slot in order */
    uint32_t *order;        /* LSOA positions grouped by organisation */
    uint32_t *mark, *count; /* per footprint, for counting one organisation */
    size_t n_orgs, cap_orgs;
} s_work_t;

static void s_work_free(s_work_t *w)
{
    free(w->org_of_entry);
    free(w->lsoa_org);
    free(w->ent);
    free(w->start);
    free(w->order);
    free(w->mark);
    free(w->count);
}

/* Maps every LSOA to its organisation of this kind, numbering
 * organisations as first met. */
static int s_group(geo_align_t *a, const s_paths_t *P, geo_kind_t kind, s_work_t *w)
{
    const geo_t *g = a->g;
    const geo_layer_t *atoms = &g->layers[P->atom];
    size_t n = atoms->n ? atoms->n : 1;
    w->org_of_entry = malloc((g->n_entries + 1) * sizeof *w->org_of_entry);
    w->lsoa_org = malloc(n * sizeof *w->lsoa_org);
    w->order = malloc(n * sizeof *w->order);
    if (!w->org_of_entry || !w->lsoa_org || !w->order) {
        return -1;
    }
    memset(w->org_of_entry, 0xFF, g->n_entries * sizeof *w->org_of_entry);
    for (size_t i = 0; i < atoms->n; i++) {
        uint32_t e = s_org_of(P, kind, atoms->entries[i]);
        w->lsoa_org[i] = GEO_NONE;
        if (e == GEO_NONE) {
            continue;
        }
        if (w->org_of_entry[e] == GEO_NONE) {
            if (w->n_orgs == w->cap_orgs) {
                size_t cap = w->cap_orgs ? w->cap_orgs * 2 : 64;
                uint32_t *grown = realloc(w->ent, cap * sizeof *grown);
                if (!grown) {
                    return -1;
                }
                w->ent = grown;
                w->cap_orgs = cap;
            }
            w->ent[w->n_orgs] = e;
            w->org_of_entry[e] = (uint32_t)w->n_orgs++;
        }
        w->lsoa_org[i] = w->org_of_entry[e];
    }
    return 0;
}

/* Counting sort of LSOA positions by organisation. */
static int s_sort_by_org(s_work_t *w, size_t n_lsoas)
{
    w->start = calloc(w->n_orgs + 1, sizeof *w->start);
    if (!w->start) {
        return -1;
    }
    for (size_t i = 0; i < n_lsoas; i++) {
        if (w->lsoa_org[i] != GEO_NONE) {
            w->start[w->lsoa_org[i] + 1]++;
        }
    }
    for (size_t o = 0; o < w->n_orgs; o++) {
        w->start[o + 1] += w->start[o];
    }
    uint32_t *fill = malloc((w->n_orgs + 1) * sizeof *fill);
    if (!fill) {
        return -1;
    }
    memcpy(fill, w->start, (w->n_orgs + 1) * sizeof *fill);
    for (size_t i = 0; i < n_lsoas; i++) {
        if (w->lsoa_org[i] != GEO_NONE) {
            w->order[fill[w->lsoa_org[i]]++] = (uint32_t)i;
        }
    }
    free(fill);
    return 0;
}

/* Counts one organisation's LSOAs per footprint into cells (room for one
 * cell per LSOA), in the order footprints are first met. */
static void s_count_org(geo_align_t *a, s_work_t *w, const uint32_t *lsoa_fp, size_t o,
                        geo_org_t *org, geo_cell_t *cells)
{
    org->n_cells = 0;
    for (uint32_t k = w->start[o]; k < w->start[o + 1]; k++) {
        uint32_t f = lsoa_fp[w->order[k]];
        org->lsoas++;
        if (f == GEO_NONE) {
            org->outside++;
            continue;
        }
        if (w->mark[f] != o + 1) {
            w->mark[f] = (uint32_t)o + 1;
            w->count[f] = (uint32_t)org->n_cells;
            cells[org->n_cells].footprint = &a->fps[f];
            cells[org->n_cells++].lsoas = 0;
        }
        cells[w->count[f]].lsoas++;
    }
}

static void s_org_identity(const s_paths_t *P, geo_kind_t kind, uint32_t e, geo_org_t *org)
{
    const geo_t *g = P->g;
    org->kind = kind;
    org->code = g->entries[e].code;
    org->name = s_name(g, e);
    if (kind == GEO_DISTRICT) {
        uint32_t cty = s_follow(g, e, &P->cty);
        org->county = cty == GEO_NONE ? NULL : g->entries[cty].code;
    }
}

static int s_orgs(geo_align_t *a, const s_paths_t *P, geo_kind_t kind, const uint32_t *lsoa_fp)
{
    s_work_t w = {0};
    int rc = -1;
    size_t n_lsoas = a->g->layers[P->atom].n;
    if (s_group(a, P, kind, &w) < 0 || s_sort_by_org(&w, n_lsoas) < 0) {
        goto out;
    }
    w.mark = calloc(a->n_fps + 1, sizeof *w.mark);
    w.count = calloc(a->n_fps + 1, sizeof *w.count);
    a->orgs[kind] = calloc(w.n_orgs + 1, sizeof *a->orgs[kind]);
    a->cells[kind] = calloc(w.start[w.n_orgs] + 1, sizeof *a->cells[kind]);
    if (!w.mark || !w.count || !a->orgs[kind] || !a->cells[kind]) {
        goto out;
    }
    geo_cell_t *next = a->cells[kind];
    for (size_t o = 0; o < w.n_orgs; o++) {
        geo_org_t *org = &a->orgs[kind][o];
        s_org_identity(P, kind, w.ent[o], org);
        s_count_org(a, &w, lsoa_fp, o, org, next);
        s_finish_org(org, next);
        next += org->n_cells;
    }
    a->n_orgs[kind] = w.n_orgs;
    qsort(a->orgs[kind], w.n_orgs, sizeof *a->orgs[kind], s_cmp_org);
    rc = 0;
out:
    s_work_free(&w);
    return rc;
}

/* Lists each footprint's organisations of each kind, by code. */
static int s_members(geo_align_t *a)
{
    size_t total = 0;
    for (int k = 0; k < GEO_KINDS; k++) {
        for (size_t o = 0; o < a->n_orgs[k]; o++) {
            const geo_org_t *org = &a->orgs[k][o];
            for (size_t c = 0; c < org->n_cells; c++) {
                ((geo_footprint_t *)org->cells[c].footprint)->n_members[k]++;
                total++;
            }
        }
    }
    if (!(a->members = calloc(total + 1, sizeof *a->members))) {
        return -1;
    }
    geo_member_t *next = a->members;
    for (size_t f = 0; f < a->n_fps; f++) {
        for (int k = 0; k < GEO_KINDS; k++) {
            a->fps[f].members[k] = next;
            next += a->fps[f].n_members[k];
            a->fps[f].n_members[k] = 0;
        }
    }
    for (int k = 0; k < GEO_KINDS; k++) {
        for (size_t o = 0; o < a->n_orgs[k]; o++) {
            const geo_org_t *org = &a->orgs[k][o];
            for (size_t c = 0; c < org->n_cells; c++) {
                geo_footprint_t *fp = (geo_footprint_t *)org->cells[c].footprint;
                geo_member_t *m = (geo_member_t *)&fp->members[k][fp->n_members[k]++];
                m->org = org;
                m->cell = &org->cells[c];
            }
        }
    }
    return 0;
}

/* A footprint is coterminous with upper-tier councils when every one of
 * its LSOAs lies in an upper-tier council wholly inside it. */
static void s_coterminous(geo_align_t *a)
{
    for (size_t f = 0; f < a->n_fps; f++) {
        geo_footprint_t *fp = &a->fps[f];
        uint32_t covered = 0;
        for (size_t m = 0; m < fp->n_members[GEO_UPPER]; m++) {
            const geo_member_t *mb = &fp->members[GEO_UPPER][m];
            if (mb->cell->lsoas == mb->org->lsoas) {
                covered += mb->cell->lsoas;
            }
        }
        fp->coterminous = fp->lsoas > 0 && covered == fp->lsoas;
    }
}

static const geo_primary_t *s_primary_of(const geo_t *g, const char *org)
{
    for (size_t i = 0; i < g->n_primaries; i++) {
        if (strcmp(g->primaries[i].org, org) == 0) {
            return &g->primaries[i];
        }
    }
    return NULL;
}

/* Attaches declared primaries in this layer and fills the summary. */
static void s_summarise(geo_align_t *a, const s_paths_t *P)
{
    const geo_t *g = a->g;
    geo_summary_t *s = &a->sum;
    s->files = g->n_files;
    s->lsoas = g->layers[P->atom].n;
    s->footprints = a->n_fps;
    s->lads = P->org_layer[S_LAD] == GEO_NONE ? 0 : g->layers[P->org_layer[S_LAD]].n;
    for (size_t f = 0; f < a->n_fps; f++) {
        s->footprints_empty += a->fps[f].lsoas == 0;
        s->coterminous += a->fps[f].coterminous;
    }
    for (int k = 0; k < GEO_KINDS; k++) {
        s->orgs[k] = a->n_orgs[k];
        for (size_t o = 0; o < a->n_orgs[k]; o++) {
            geo_org_t *org = &a->orgs[k][o];
            const geo_primary_t *p = s_primary_of(g, org->code);
            uint32_t fp = p && strcmp(p->kind, g->layers[a->layer_id].kind) == 0
                              ? geo_lookup(g, a->layer_id, p->footprint)
                              : GEO_NONE;
            if (fp != GEO_NONE) {
                org->primary = &a->fps[a->fp_at[g->entries[fp].idx]];
                s->primaries++;
            }
            s->split[k] += org->cls == GEO_SPLIT;
            s->partial[k] += org->cls == GEO_PARTIAL;
            s->districts_without_county += k == GEO_DISTRICT && !org->county;
        }
    }
}

/* The footprint layer: a vintage as named, else the kind's vintage in
 * force on *as_at; a named vintage sets *as_at when none was asked. */
static uint32_t s_fp_layer(const geo_t *g, const char *layer, uint32_t *as_at, cc_err_t *err)
{
    char date[16], date2[16];
    size_t n = strlen(layer);
    int vintage = n > 2 && layer[n - 1] >= '0' && layer[n - 1] <= '9';
    uint32_t id = vintage ? geo_layer_id(g, layer) : geo_layer_at(g, layer, *as_at);
    if (id != GEO_NONE) {
        if (vintage && *as_at == GEO_LATEST) {
            *as_at = g->layers[id].start;
        }
        return id;
    }
    if (vintage || geo_layer_id(g, layer) == GEO_NONE) {
        err_set(err, CC_FAILED_PRECONDITION,
                "no lookup gives layer %s: load a file with a column matching %s%s", layer,
                layer, vintage ? "CD" : "<YY>CD");
    } else {
        const geo_layer_t *first = NULL;
        for (size_t i = 0; i < g->n_layers; i++) {
            if (strcasecmp(g->layers[i].kind, layer) == 0 &&
                (!first || g->layers[i].start < first->start)) {
                first = &g->layers[i];
            }
        }
        err_set(err, CC_FAILED_PRECONDITION,
                "no %s vintage is in force on %s: the earliest loaded is %s, from %s", layer,
                geo_date_str(*as_at, date, sizeof date), first->name,
                geo_date_str(first->start, date2, sizeof date2));
    }
    return GEO_NONE;
}

/* Records the vintages used, footprints and LSOAs first. */
static void s_vintages(geo_align_t *a, const s_paths_t *P)
{
    const geo_t *g = a->g;
    a->vintages[a->n_vintages++] = g->layers[a->layer_id].name;
    if (P->atom != a->layer_id) {
        a->vintages[a->n_vintages++] = g->layers[P->atom].name;
    }
    for (int k = 0; k < S_ORG_LAYERS; k++) {
        uint32_t l = P->org_layer[k];
        if (l != GEO_NONE && l != a->layer_id) {
            a->vintages[a->n_vintages++] = g->layers[l].name;
        }
    }
}

geo_align_t *geo_align(const geo_t *g, const char *layer, cc_err_t *err)
{
    return geo_align_at(g, layer, GEO_LATEST, err);
}

geo_align_t *geo_align_at(const geo_t *g, const char *layer, uint32_t as_at, cc_err_t *err)
{
    s_paths_t P;
    uint32_t *lsoa_fp = NULL;
    geo_align_t *a = calloc(1, sizeof *a);
    if (!a) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return NULL;
    }
    a->g = g;
    a->layer_id = s_fp_layer(g, layer ? layer : GEO_DEFAULT_LAYER, &as_at, err);
    if (a->layer_id == GEO_NONE) {
        goto fail;
    }
    a->as_at = as_at;
    snprintf(a->layer, sizeof a->layer, "%s", g->layers[a->layer_id].name);
    if (s_paths(g, a->layer_id, as_at, &P, err) < 0) {
        goto fail;
    }
    s_vintages(a, &P);
    if (s_footprints(a) < 0 || !(lsoa_fp = s_lsoa_fps(a, &P))) {
        goto oom;
    }
    for (int k = 0; k < GEO_KINDS; k++) {
        if (s_orgs(a, &P, (geo_kind_t)k, lsoa_fp) < 0) {
            goto oom;
        }
    }
    if (s_members(a) < 0) {
        goto oom;
    }
    s_coterminous(a);
    s_summarise(a, &P);
    free(lsoa_fp);
    return a;
oom:
    err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory computing the alignment");
fail:
    free(lsoa_fp);
    geo_align_destroy(&a);
    return NULL;
}

void geo_align_destroy(geo_align_t **ap)
{
    if (!ap || !*ap) {
        return;
    }
    geo_align_t *a = *ap;
    for (int k = 0; k < GEO_KINDS; k++) {
        free(a->orgs[k]);
        free(a->cells[k]);
    }
    free(a->members);
    free(a->fps);
    free(a->fp_at);
    free(a);
    *ap = NULL;
}

const char *geo_align_layer(const geo_align_t *a)
{
    return a->layer;
}

uint32_t geo_align_as_at(const geo_align_t *a)
{
    return a->as_at;
}

size_t geo_align_vintage_count(const geo_align_t *a)
{
    return a->n_vintages;
}

const char *geo_align_vintage(const geo_align_t *a, size_t i)
{
    return i < a->n_vintages ? a->vintages[i] : NULL;
}

void geo_align_summary(const geo_align_t *a, geo_summary_t *out)
{
    *out = a->sum;
}

size_t geo_align_footprint_count(const geo_align_t *a)
{
    return a->n_fps;
}

const geo_footprint_t *geo_align_footprint(const geo_align_t *a, size_t i)
{
    return i < a->n_fps ? &a->fps[i] : NULL;
}

const geo_footprint_t *geo_align_find_footprint(const geo_align_t *a, const char *code)
{
    char norm[GEO_CODE_MAX + 1];
    if (!code || geo_code_norm(code, norm) < 0) {
        return NULL;
    }
    uint32_t e = geo_lookup(a->g, a->layer_id, norm);
    return e == GEO_NONE ? NULL : &a->fps[a->fp_at[a->g->entries[e].idx]];
}

size_t geo_align_org_count(const geo_align_t *a, geo_kind_t kind)
{
    return (unsigned)kind < GEO_KINDS ? a->n_orgs[kind] : 0;
}

const geo_org_t *geo_align_org(const geo_align_t *a, geo_kind_t kind, size_t i)
{
    return i < geo_align_org_count(a, kind) ? &a->orgs[kind][i] : NULL;
}

const geo_org_t *geo_align_find_org(const geo_align_t *a, const char *code)
{
    char norm[GEO_CODE_MAX + 1];
    if (!code || geo_code_norm(code, norm) < 0) {
        return NULL;
    }
    geo_org_t key = {.code = norm};
    for (int k = 0; k < GEO_KINDS; k++) {
        const geo_org_t *o = bsearch(&key, a->orgs[k], a->n_orgs[k], sizeof key, s_cmp_org);
        if (o) {
            return o;
        }
    }
    return NULL;
}

const geo_cell_t *geo_org_cell(const geo_org_t *org, const geo_footprint_t *fp)
{
    for (size_t i = 0; i < org->n_cells; i++) {
        if (org->cells[i].footprint == fp) {
            return &org->cells[i];
        }
    }
    return NULL;
}

/* ---- Declared primary footprints ---- */

/* Footprint candidates: the code in every layer the LSOAs map to. */
static size_t s_fp_candidates(const geo_t *g, const s_paths_t *P, const char *code, uint32_t *ent,
                              s_chain_t *chains)
{
    size_t n = 0;
    for (uint32_t l = 0; l < g->n_layers; l++) {
        uint32_t e = l == P->atom ? GEO_NONE : geo_lookup(g, l, code);
        if (e != GEO_NONE && (chains[n].n = geo_path(g, P->atom, l, chains[n].p)) >= 0) {
            ent[n++] = e;
        }
    }
    return n;
}

/* Whether any LSOA belongs to organisation `org`; *touch is the footprint
 * candidate that shares an LSOA with it, or GEO_NONE. */
static int s_org_touches(const s_paths_t *P, const char *org, const uint32_t *ent,
                         const s_chain_t *chains, size_t n_cand, uint32_t *touch)
{
    const geo_t *g = P->g;
    const geo_layer_t *atoms = &g->layers[P->atom];
    int found = 0;
    *touch = GEO_NONE;
    for (size_t i = 0; i < atoms->n && *touch == GEO_NONE; i++) {
        uint32_t lsoa = atoms->entries[i];
        int mine = 0;
        for (int k = 0; k < GEO_KINDS && !mine; k++) {
            uint32_t e = s_org_of(P, (geo_kind_t)k, lsoa);
            mine = e != GEO_NONE && strcmp(g->entries[e].code, org) == 0;
        }
        found |= mine;
        for (size_t c = 0; mine && c < n_cand; c++) {
            if (s_follow(g, lsoa, &chains[c]) == ent[c]) {
                *touch = ent[c];
                break;
            }
        }
    }
    return found;
}

static int s_store_primary(geo_t *g, const char *org, uint32_t fp, cc_err_t *err)
{
    geo_primary_t *p = (geo_primary_t *)s_primary_of(g, org);
    if (p) {
        p->footprint = g->entries[fp].code;
        snprintf(p->kind, sizeof p->kind, "%s", g->layers[g->entries[fp].layer].kind);
        return 0;
    }
    if (g->n_primaries == g->cap_primaries) {
        size_t cap = g->cap_primaries ? g->cap_primaries * 2 : 16;
        geo_primary_t *grown = realloc(g->primaries, cap * sizeof *grown);
        if (!grown) {
            err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
            return -1;
        }
        g->primaries = grown;
        g->cap_primaries = cap;
    }
    const char *copy = geo_strdup(g, org);
    if (!copy) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    p = &g->primaries[g->n_primaries++];
    p->org = copy;
    p->footprint = g->entries[fp].code;
    snprintf(p->kind, sizeof p->kind, "%s", g->layers[g->entries[fp].layer].kind);
    return 0;
}

/* The dates at which the vintages in force change, newest first, after
 * GEO_LATEST: the eras an organisation may belong to. */
static size_t s_eras(const geo_t *g, uint32_t *eras)
{
    size_t n = 0;
    eras[n++] = GEO_LATEST;
    for (size_t i = 0; i < g->n_layers; i++) {
        size_t j = 1;
        while (j < n && eras[j] != g->layers[i].start) {
            j++;
        }
        if (j == n) {
            eras[n++] = g->layers[i].start;
        }
    }
    for (size_t i = 2; i < n; i++) {
        for (size_t j = i; j > 1 && eras[j] > eras[j - 1]; j--) {
            uint32_t t = eras[j];
            eras[j] = eras[j - 1];
            eras[j - 1] = t;
        }
    }
    return n;
}

int geo_set_primary(geo_t *g, const char *org, const char *footprint, cc_err_t *err)
{
    char oc[GEO_CODE_MAX + 1], fc[GEO_CODE_MAX + 1];
    uint32_t ent[GEO_LAYER_MAX], touch;
    s_chain_t chains[GEO_LAYER_MAX];
    s_paths_t P;
    if (!org || geo_code_norm(org, oc) < 0 || !footprint || geo_code_norm(footprint, fc) < 0) {
        err_set(err, CC_INVALID_ARGUMENT, "'%s' or '%s' is not a code", org ? org : "",
                footprint ? footprint : "");
        return -1;
    }
    if (s_paths(g, GEO_NONE, GEO_LATEST, &P, err) < 0) {
        return -1;
    }
    size_t n_cand = s_fp_candidates(g, &P, fc, ent, chains);
    if (n_cand == 0) {
        err_set(err, CC_NOT_FOUND, "unknown footprint %s: no loaded lookup maps LSOAs to it", fc);
        return -1;
    }
    /* The organisation of today's vintages, or of an earlier year's. */
    uint32_t eras[GEO_LAYER_MAX + 1];
    size_t n_eras = s_eras(g, eras);
    int found = 0;
    touch = GEO_NONE;
    for (size_t i = 0; i < n_eras && touch == GEO_NONE; i++) {
        if (s_paths(g, GEO_NONE, eras[i], &P, err) < 0) {
            continue;
        }
        n_cand = s_fp_candidates(g, &P, fc, ent, chains);
        found |= s_org_touches(&P, oc, ent, chains, n_cand, &touch);
    }
    if (!found) {
        err_set(err, CC_NOT_FOUND,
                "unknown organisation %s: not a CCG, council or combined authority with LSOAs "
                "in the loaded lookups",
                oc);
        return -1;
    }
    if (touch == GEO_NONE) {
        err_set(err, CC_FAILED_PRECONDITION,
                "%s does not touch footprint %s (%s): they share no LSOA", oc, fc,
                s_name(g, ent[0]));
        return -1;
    }
    return s_store_primary(g, oc, touch, err);
}

const char *geo_primary(const geo_t *g, const char *org)
{
    char oc[GEO_CODE_MAX + 1];
    if (!org || geo_code_norm(org, oc) < 0) {
        return NULL;
    }
    const geo_primary_t *p = s_primary_of(g, oc);
    return p ? p->footprint : NULL;
}
