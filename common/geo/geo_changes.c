/* geo_changes: mergers, splits, boundary transfers, code changes and
 * renames between two vintages of a layer (see geo_changes.h).
 *
 * Each shared LSOA gives one (old, new) pair; the pairs are sorted and
 * counted into flows, so the whole comparison is O(L log L) in the LSOAs
 * and never quadratic in the organisations. */
#include "geo_changes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geo_priv.h"

/* One flow of LSOAs from old organisation a to new organisation b (their
 * positions in their layers). */
typedef struct {
    uint32_t a, b, n;
    int used; /* claimed by a merger, split or continuing pair */
} s_flow_t;

/* A change while it is built: sides are indices into the side array. */
typedef struct {
    geo_change_t c;
    size_t from0, to0;
} s_change_t;

struct geo_changes {
    char from[GEO_LAYER_NAME_MAX + 4], to[GEO_LAYER_NAME_MAX + 4], atom[GEO_LAYER_NAME_MAX + 4];
    geo_change_t *changes;
    size_t n_changes;
    geo_change_side_t *sides;
    geo_changes_summary_t sum;
};

/* Working state of one comparison. */
typedef struct {
    const geo_t *ga, *gb;
    uint32_t la, lb;
    s_flow_t *flows;
    size_t n_flows;
    uint32_t *tot_a, *tot_b;     /* LSOAs per organisation, shared ones only */
    uint32_t *dst_a, *src_b;     /* main flow index, or GEO_NONE */
    uint32_t *cont_a, *cont_b;   /* continuing counterpart position, or GEO_NONE */
    uint32_t *n_main_a, *n_main_b; /* news whose main source is a; olds whose main destination is b */
    s_change_t *out;
    size_t n_out, cap_out;
    geo_change_side_t *sides;
    size_t n_sides, cap_sides;
} s_cmp_t;

static const char *const s_kind_names[GEO_CHANGE_KINDS] = {
    "merger", "split", "boundary transfer", "code change", "rename"};
static const char *const s_kind_keys[GEO_CHANGE_KINDS] = {"merger", "split", "transfer",
                                                          "code_change", "rename"};

const char *geo_changes_kind_name(geo_change_kind_t k)
{
    return (unsigned)k < GEO_CHANGE_KINDS ? s_kind_names[k] : "unknown";
}

const char *geo_changes_kind_key(geo_change_kind_t k)
{
    return (unsigned)k < GEO_CHANGE_KINDS ? s_kind_keys[k] : "unknown";
}

static const geo_entry_t *s_ent(const geo_t *g, uint32_t layer, uint32_t pos)
{
    return &g->entries[g->layers[layer].entries[pos]];
}

static const char *s_code_a(const s_cmp_t *x, uint32_t a)
{
    return s_ent(x->ga, x->la, a)->code;
}

static const char *s_code_b(const s_cmp_t *x, uint32_t b)
{
    return s_ent(x->gb, x->lb, b)->code;
}

static const char *s_name_of(const geo_entry_t *e)
{
    return e->name ? e->name : "";
}

/* The LSOA vintage of g that leads to layer, newest first. */
static uint32_t s_atom(const geo_t *g, uint32_t layer, const geo_link_t **path, int *n)
{
    uint32_t best = GEO_NONE;
    for (uint32_t l = 0; l < g->n_layers; l++) {
        if (strcmp(g->layers[l].kind, GEO_ATOM_LAYER) != 0 || l == layer) {
            continue;
        }
        const geo_link_t *p[GEO_LAYER_MAX];
        int k = geo_path(g, l, layer, p);
        if (k >= 0 && (best == GEO_NONE || g->layers[l].start > g->layers[best].start)) {
            best = l;
            *n = k;
            memcpy(path, p, (size_t)k * sizeof *p);
        }
    }
    return best;
}

static int s_cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

/* Pairs every shared LSOA's old and new organisation, counted into flows. */
static int s_flows(s_cmp_t *x, uint32_t atom_a, uint32_t atom_b, const geo_link_t *const *pa,
                   int na, const geo_link_t *const *pb, int nb, geo_changes_summary_t *sum)
{
    const geo_layer_t *atoms = &x->ga->layers[atom_a];
    uint64_t *pairs = malloc((atoms->n ? atoms->n : 1) * sizeof *pairs);
    size_t n = 0;
    if (!pairs) {
        return -1;
    }
    for (size_t i = 0; i < atoms->n; i++) {
        const geo_entry_t *lsoa = &x->ga->entries[atoms->entries[i]];
        uint32_t ea = geo_follow(x->ga, atoms->entries[i], pa, na);
        uint32_t eb = geo_lookup(x->gb, atom_b, lsoa->code);
        eb = eb == GEO_NONE ? GEO_NONE : geo_follow(x->gb, eb, pb, nb);
        if (ea == GEO_NONE || eb == GEO_NONE) {
            sum->lsoas_only_from += ea != GEO_NONE;
            continue;
        }
        pairs[n++] = (uint64_t)x->ga->entries[ea].idx << 32 | x->gb->entries[eb].idx;
    }
    sum->lsoas = n;
    sum->lsoas_only_to = 0;
    for (size_t i = 0; i < x->gb->layers[atom_b].n; i++) {
        uint32_t e = x->gb->layers[atom_b].entries[i];
        uint32_t in_a = geo_lookup(x->ga, atom_a, x->gb->entries[e].code);
        uint32_t ea = in_a == GEO_NONE ? GEO_NONE : geo_follow(x->ga, in_a, pa, na);
        sum->lsoas_only_to += ea == GEO_NONE && geo_follow(x->gb, e, pb, nb) != GEO_NONE;
    }
    qsort(pairs, n, sizeof *pairs, s_cmp_u64);
    x->flows = malloc((n ? n : 1) * sizeof *x->flows);
    if (!x->flows) {
        free(pairs);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || pairs[i] != pairs[i - 1]) {
            s_flow_t *f = &x->flows[x->n_flows++];
            f->a = (uint32_t)(pairs[i] >> 32);
            f->b = (uint32_t)pairs[i];
            f->n = 0;
            f->used = 0;
        }
        x->flows[x->n_flows - 1].n++;
    }
    free(pairs);
    return 0;
}

/* Whether flow f beats flow best as someone's main one: more LSOAs, ties
 * to the smaller code on the other side. */
static int s_better(const s_cmp_t *x, const s_flow_t *f, uint32_t best, int by_b)
{
    if (best == GEO_NONE) {
        return 1;
    }
    const s_flow_t *o = &x->flows[best];
    if (f->n != o->n) {
        return f->n > o->n;
    }
    return by_b ? strcmp(s_code_b(x, f->b), s_code_b(x, o->b)) < 0
                : strcmp(s_code_a(x, f->a), s_code_a(x, o->a)) < 0;
}

/* Totals, main flows and continuing pairs. */
static int s_relations(s_cmp_t *x)
{
    size_t na = x->ga->layers[x->la].n + 1, nb = x->gb->layers[x->lb].n + 1;
    x->tot_a = calloc(na, sizeof *x->tot_a);
    x->tot_b = calloc(nb, sizeof *x->tot_b);
    x->n_main_a = calloc(na, sizeof *x->n_main_a);
    x->n_main_b = calloc(nb, sizeof *x->n_main_b);
    x->dst_a = malloc(na * sizeof *x->dst_a);
    x->src_b = malloc(nb * sizeof *x->src_b);
    x->cont_a = malloc(na * sizeof *x->cont_a);
    x->cont_b = malloc(nb * sizeof *x->cont_b);
    if (!x->tot_a || !x->tot_b || !x->n_main_a || !x->n_main_b || !x->dst_a || !x->src_b ||
        !x->cont_a || !x->cont_b) {
        return -1;
    }
    memset(x->dst_a, 0xFF, na * sizeof *x->dst_a);
    memset(x->src_b, 0xFF, nb * sizeof *x->src_b);
    memset(x->cont_a, 0xFF, na * sizeof *x->cont_a);
    memset(x->cont_b, 0xFF, nb * sizeof *x->cont_b);
    for (size_t i = 0; i < x->n_flows; i++) {
        const s_flow_t *f = &x->flows[i];
        x->tot_a[f->a] += f->n;
        x->tot_b[f->b] += f->n;
        if (s_better(x, f, x->dst_a[f->a], 1)) {
            x->dst_a[f->a] = (uint32_t)i;
        }
        if (s_better(x, f, x->src_b[f->b], 0)) {
            x->src_b[f->b] = (uint32_t)i;
        }
    }
    for (size_t i = 0; i < x->n_flows; i++) {
        const s_flow_t *f = &x->flows[i];
        int main_of_a = x->dst_a[f->a] == i, main_of_b = x->src_b[f->b] == i;
        x->n_main_b[f->b] += main_of_a;
        x->n_main_a[f->a] += main_of_b;
        if (main_of_a && main_of_b) {
            x->cont_a[f->a] = f->b;
            x->cont_b[f->b] = f->a;
        }
    }
    return 0;
}

static geo_change_side_t *s_side(s_cmp_t *x)
{
    if (x->n_sides == x->cap_sides) {
        size_t cap = x->cap_sides ? x->cap_sides * 2 : 64;
        geo_change_side_t *grown = realloc(x->sides, cap * sizeof *grown);
        if (!grown) {
            return NULL;
        }
        x->sides = grown;
        x->cap_sides = cap;
    }
    return &x->sides[x->n_sides++];
}

static int s_side_a(s_cmp_t *x, uint32_t a, uint32_t lsoas)
{
    geo_change_side_t *s = s_side(x);
    if (!s) {
        return -1;
    }
    const geo_entry_t *e = s_ent(x->ga, x->la, a);
    s->code = e->code;
    s->name = s_name_of(e);
    s->lsoas = lsoas;
    s->total = x->tot_a[a];
    s->cont = x->cont_a[a] == GEO_NONE ? NULL : s_code_b(x, x->cont_a[a]);
    return 0;
}

static int s_side_b(s_cmp_t *x, uint32_t b, uint32_t lsoas)
{
    geo_change_side_t *s = s_side(x);
    if (!s) {
        return -1;
    }
    const geo_entry_t *e = s_ent(x->gb, x->lb, b);
    s->code = e->code;
    s->name = s_name_of(e);
    s->lsoas = lsoas;
    s->total = x->tot_b[b];
    s->cont = x->cont_b[b] == GEO_NONE ? NULL : s_code_a(x, x->cont_b[b]);
    return 0;
}

static s_change_t *s_change(s_cmp_t *x, geo_change_kind_t kind, uint32_t lsoas)
{
    if (x->n_out == x->cap_out) {
        size_t cap = x->cap_out ? x->cap_out * 2 : 32;
        s_change_t *grown = realloc(x->out, cap * sizeof *grown);
        if (!grown) {
            return NULL;
        }
        x->out = grown;
        x->cap_out = cap;
    }
    s_change_t *c = &x->out[x->n_out++];
    memset(c, 0, sizeof *c);
    c->c.kind = kind;
    c->c.lsoas = lsoas;
    c->from0 = c->to0 = x->n_sides;
    return c;
}

/* Mergers: each new organisation that is the main destination of two or
 * more; its predecessors are those, with their flows. Flows are sorted by
 * old then new, so this walks them once per kind. */
static int s_mergers(s_cmp_t *x)
{
    size_t nb = x->gb->layers[x->lb].n;
    for (uint32_t b = 0; b < nb; b++) {
        if (x->n_main_b[b] < 2) {
            continue;
        }
        s_change_t *c = s_change(x, GEO_MERGER, x->tot_b[b]);
        if (!c) {
            return -1;
        }
        size_t at = x->n_out - 1;
        for (size_t i = 0; i < x->n_flows; i++) {
            s_flow_t *f = &x->flows[i];
            if (f->b == b && x->dst_a[f->a] == i) {
                f->used = 1;
                if (s_side_a(x, f->a, f->n) < 0) {
                    return -1;
                }
                x->out[at].c.n_from++;
            }
        }
        x->out[at].to0 = x->n_sides;
        if (s_side_b(x, b, x->tot_b[b]) < 0) {
            return -1;
        }
        x->out[at].c.n_to = 1;
    }
    return 0;
}

static int s_splits(s_cmp_t *x)
{
    size_t na = x->ga->layers[x->la].n;
    for (uint32_t a = 0; a < na; a++) {
        if (x->n_main_a[a] < 2) {
            continue;
        }
        s_change_t *c = s_change(x, GEO_SPLIT_UP, x->tot_a[a]);
        if (!c || s_side_a(x, a, x->tot_a[a]) < 0) {
            return -1;
        }
        size_t at = x->n_out - 1;
        x->out[at].c.n_from = 1;
        x->out[at].to0 = x->n_sides;
        for (size_t i = 0; i < x->n_flows; i++) {
            s_flow_t *f = &x->flows[i];
            if (f->a == a && x->src_b[f->b] == i) {
                f->used = 1;
                if (s_side_b(x, f->b, f->n) < 0) {
                    return -1;
                }
                x->out[at].c.n_to++;
            }
        }
    }
    return 0;
}

/* Continuing pairs outside mergers and splits: code changes, renames, or
 * nothing to report. */
static int s_continuing(s_cmp_t *x, geo_changes_summary_t *sum)
{
    for (size_t i = 0; i < x->n_flows; i++) {
        s_flow_t *f = &x->flows[i];
        if (x->cont_a[f->a] != f->b || f->used) {
            continue;
        }
        f->used = 1;
        if (x->n_main_b[f->b] >= 2 || x->n_main_a[f->a] >= 2) {
            continue; /* the merger or split already tells */
        }
        const geo_entry_t *ea = s_ent(x->ga, x->la, f->a), *eb = s_ent(x->gb, x->lb, f->b);
        int same_code = strcmp(ea->code, eb->code) == 0;
        int same_name = strcmp(s_name_of(ea), s_name_of(eb)) == 0;
        int same_land = f->n == x->tot_a[f->a] && f->n == x->tot_b[f->b];
        if (same_code && same_name) {
            sum->unchanged += same_land;
            continue;
        }
        s_change_t *c = s_change(x, same_code ? GEO_RENAME : GEO_CODE_CHANGE, f->n);
        if (!c) {
            return -1;
        }
        size_t at = x->n_out - 1;
        x->out[at].c.same_territory = same_land;
        if (s_side_a(x, f->a, f->n) < 0) {
            return -1;
        }
        x->out[at].to0 = x->n_sides;
        if (s_side_b(x, f->b, f->n) < 0) {
            return -1;
        }
        x->out[at].c.n_from = x->out[at].c.n_to = 1;
        sum->code_same_territory += !same_code && same_land;
    }
    return 0;
}

/* Every flow nothing else claimed: LSOAs moving between organisations. */
static int s_transfers(s_cmp_t *x)
{
    for (size_t i = 0; i < x->n_flows; i++) {
        s_flow_t *f = &x->flows[i];
        if (f->used) {
            continue;
        }
        s_change_t *c = s_change(x, GEO_TRANSFER, f->n);
        if (!c || s_side_a(x, f->a, f->n) < 0) {
            return -1;
        }
        size_t at = x->n_out - 1;
        x->out[at].to0 = x->n_sides;
        if (s_side_b(x, f->b, f->n) < 0) {
            return -1;
        }
        x->out[at].c.n_from = x->out[at].c.n_to = 1;
    }
    return 0;
}

static int s_cmp_side(const void *p, const void *q)
{
    return strcmp(((const geo_change_side_t *)p)->code, ((const geo_change_side_t *)q)->code);
}

static int s_cmp_change(const void *p, const void *q)
{
    const geo_change_t *x = p, *y = q;
    if (x->kind != y->kind) {
        return x->kind < y->kind ? -1 : 1;
    }
    int c = strcmp(x->to[0].code, y->to[0].code);
    return c ? c : strcmp(x->from[0].code, y->from[0].code);
}

static void s_cmp_free(s_cmp_t *x)
{
    free(x->flows);
    free(x->tot_a);
    free(x->tot_b);
    free(x->dst_a);
    free(x->src_b);
    free(x->cont_a);
    free(x->cont_b);
    free(x->n_main_a);
    free(x->n_main_b);
    free(x->out);
    free(x->sides);
}

/* Resolves both layers and their LSOA vintages. */
static int s_layers(s_cmp_t *x, const char *from, const char *to, uint32_t *atom_a,
                    uint32_t *atom_b, const geo_link_t **pa, int *na, const geo_link_t **pb,
                    int *nb, cc_err_t *err)
{
    x->la = geo_layer_id(x->ga, from);
    x->lb = geo_layer_id(x->gb, to);
    if (x->la == GEO_NONE || x->lb == GEO_NONE) {
        const char *missing = x->la == GEO_NONE ? from : to;
        err_set(err, CC_FAILED_PRECONDITION,
                "no lookup gives layer %s: load a file with a column matching %s%s", missing,
                missing, missing[strlen(missing) - 1] >= 'A' ? "<YY>CD" : "CD");
        return -1;
    }
    *atom_a = s_atom(x->ga, x->la, pa, na);
    *atom_b = s_atom(x->gb, x->lb, pb, nb);
    if (*atom_a == GEO_NONE || *atom_b == GEO_NONE) {
        const char *l = *atom_a == GEO_NONE ? x->ga->layers[x->la].name : x->gb->layers[x->lb].name;
        err_set(err, CC_FAILED_PRECONDITION,
                "no lookup leads from LSOAs to %s: load a file with LSOA<YY>CD and %s", l, l);
        return -1;
    }
    if (strcmp(x->ga->layers[*atom_a].name, x->gb->layers[*atom_b].name) != 0) {
        err_set(err, CC_FAILED_PRECONDITION,
                "%s is over %s but %s over %s: load a best-fit lookup between them",
                x->ga->layers[x->la].name, x->ga->layers[*atom_a].name, x->gb->layers[x->lb].name,
                x->gb->layers[*atom_b].name);
        return -1;
    }
    return 0;
}

geo_changes_t *geo_changes(const geo_t *a, const char *from, const geo_t *b, const char *to,
                           cc_err_t *err)
{
    s_cmp_t x = {.ga = a, .gb = b};
    const geo_link_t *pa[GEO_LAYER_MAX], *pb[GEO_LAYER_MAX];
    int na = 0, nb = 0;
    uint32_t atom_a, atom_b;
    geo_changes_t *c = calloc(1, sizeof *c);
    if (!c) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return NULL;
    }
    if (!from || !to) {
        err_set(err, CC_INVALID_ARGUMENT, "two layers are needed to compare");
        goto fail;
    }
    if (s_layers(&x, from, to, &atom_a, &atom_b, pa, &na, pb, &nb, err) < 0) {
        goto fail;
    }
    snprintf(c->from, sizeof c->from, "%s", a->layers[x.la].name);
    snprintf(c->to, sizeof c->to, "%s", b->layers[x.lb].name);
    snprintf(c->atom, sizeof c->atom, "%s", a->layers[atom_a].name);
    if (s_flows(&x, atom_a, atom_b, pa, na, pb, nb, &c->sum) < 0 || s_relations(&x) < 0 ||
        s_mergers(&x) < 0 || s_splits(&x) < 0 || s_continuing(&x, &c->sum) < 0 ||
        s_transfers(&x) < 0) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory comparing %s with %s", c->from,
                c->to);
        goto fail;
    }
    for (size_t i = 0; i < a->layers[x.la].n; i++) {
        c->sum.orgs_from += x.tot_a[i] > 0;
    }
    for (size_t i = 0; i < b->layers[x.lb].n; i++) {
        c->sum.orgs_to += x.tot_b[i] > 0;
    }
    c->changes = calloc(x.n_out ? x.n_out : 1, sizeof *c->changes);
    if (!c->changes) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        goto fail;
    }
    c->sides = x.sides;
    x.sides = NULL;
    for (size_t i = 0; i < x.n_out; i++) {
        c->changes[i] = x.out[i].c;
        c->changes[i].from = &c->sides[x.out[i].from0];
        c->changes[i].to = &c->sides[x.out[i].to0];
        qsort(&c->sides[x.out[i].from0], x.out[i].c.n_from, sizeof *c->sides, s_cmp_side);
        qsort(&c->sides[x.out[i].to0], x.out[i].c.n_to, sizeof *c->sides, s_cmp_side);
        c->sum.count[c->changes[i].kind]++;
    }
    c->n_changes = x.n_out;
    qsort(c->changes, c->n_changes, sizeof *c->changes, s_cmp_change);
    s_cmp_free(&x);
    return c;
fail:
    s_cmp_free(&x);
    geo_changes_destroy(&c);
    return NULL;
}

void geo_changes_destroy(geo_changes_t **cp)
{
    if (!cp || !*cp) {
        return;
    }
    free((*cp)->changes);
    free((*cp)->sides);
    free(*cp);
    *cp = NULL;
}

const char *geo_changes_from(const geo_changes_t *c)
{
    return c->from;
}

const char *geo_changes_to(const geo_changes_t *c)
{
    return c->to;
}

const char *geo_changes_atom(const geo_changes_t *c)
{
    return c->atom;
}

void geo_changes_summary(const geo_changes_t *c, geo_changes_summary_t *out)
{
    *out = c->sum;
}

size_t geo_changes_count(const geo_changes_t *c)
{
    return c->n_changes;
}

const geo_change_t *geo_changes_get(const geo_changes_t *c, size_t i)
{
    return i < c->n_changes ? &c->changes[i] : NULL;
}
