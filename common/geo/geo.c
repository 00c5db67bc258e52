/* geo: loading ONS lookups into the model, and queries on it. Codes are
 * interned once in a hash table keyed by (layer, code); relations are
 * dense arrays indexed by a code's position in its layer, so loading is
 * linear in the rows read and every later lookup is O(1). */
#include "geo_priv.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <strings.h>

#include "csv.h"

#define ARENA_CHUNK (64u * 1024u)
#define SLOTS_MIN 1024u

struct geo_chunk {
    geo_chunk_t *next;
    size_t used, cap;
    char data[];
};

enum { ROLE_NONE, ROLE_CD, ROLE_NM, ROLE_CDH };

/* One layer's columns in the file being read; cols[0] is the key. */
typedef struct {
    uint32_t layer;
    int cd, nm, cdh;
    size_t link; /* index in g->links of key -> this layer (not for the key) */
    char header[24];
    /* The code last read in this column: rows sorted by LSOA repeat the
     * same CCG, STP and LAD, so most parents skip the hash table. */
    char last[GEO_CODE_MAX + 1];
    uint32_t last_id;
} s_col_t;

typedef struct {
    geo_t *g;
    uint32_t file;
    int name_year, name_month; /* a date in the file name (Dec2017), or 0 */
    s_col_t cols[GEO_LAYER_MAX];
    size_t n_cols;
} s_loader_t;

const char *geo_strdup(geo_t *g, const char *s)
{
    size_t n = strlen(s) + 1;
    geo_chunk_t *c = g->arena;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > ARENA_CHUNK ? n : ARENA_CHUNK;
        if (!(c = malloc(sizeof *c + cap))) {
            return NULL;
        }
        c->cap = cap;
        c->used = 0;
        c->next = g->arena;
        g->arena = c;
    }
    char *out = c->data + c->used;
    memcpy(out, s, n);
    c->used += n;
    return out;
}

int geo_code_norm(const char *code, char *out)
{
    /* ASCII by hand: codes are never locale text, and this runs for every
     * code of every row. */
    size_t i = 0;
    for (; code[i]; i++) {
        char c = code[i];
        if (i == GEO_CODE_MAX) {
            return -1;
        }
        if (c >= 'a' && c <= 'z') {
            c = (char)(c - 'a' + 'A');
        } else if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
            return -1;
        }
        out[i] = c;
    }
    out[i] = '\0';
    return i == 0 ? -1 : 0;
}

/* FNV-1a over the code, seeded with the layer. */
static uint32_t s_hash(uint32_t layer, const char *code)
{
    uint32_t h = 2166136261u ^ (layer * 16777619u);
    for (; *code; code++) {
        h ^= (unsigned char)*code;
        h *= 16777619u;
    }
    return h;
}

uint32_t geo_lookup(const geo_t *g, uint32_t layer, const char *code)
{
    if (g->n_slots == 0) {
        return GEO_NONE;
    }
    size_t mask = g->n_slots - 1;
    for (size_t i = s_hash(layer, code) & mask;; i = (i + 1) & mask) {
        uint32_t s = g->slots[i];
        if (s == 0) {
            return GEO_NONE;
        }
        const geo_entry_t *e = &g->entries[s - 1];
        if (e->layer == layer && strcmp(e->code, code) == 0) {
            return s - 1;
        }
    }
}

static void s_slot_put(uint32_t *slots, size_t n_slots, const geo_entry_t *e, uint32_t id)
{
    size_t mask = n_slots - 1;
    size_t i = s_hash(e->layer, e->code) & mask;
    while (slots[i] != 0) {
        i = (i + 1) & mask;
    }
    slots[i] = id + 1;
}

/* Keeps the table at most half full, so probes stay short. */
static int s_slots_reserve(geo_t *g)
{
    if ((g->n_entries + 1) * 2 <= g->n_slots) {
        return 0;
    }
    size_t n = g->n_slots ? g->n_slots * 2 : SLOTS_MIN;
    uint32_t *slots = calloc(n, sizeof *slots);
    if (!slots) {
        return -1;
    }
    for (size_t i = 0; i < g->n_entries; i++) {
        s_slot_put(slots, n, &g->entries[i], (uint32_t)i);
    }
    free(g->slots);
    g->slots = slots;
    g->n_slots = n;
    return 0;
}

static int s_grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap) {
        return 0;
    }
    size_t n = *cap ? *cap : 64;
    while (n < need) {
        n *= 2;
    }
    void *grown = realloc(*p, n * size);
    if (!grown) {
        return -1;
    }
    *p = grown;
    *cap = n;
    return 0;
}

/* The entry of code in layer, added if new. GEO_NONE when out of memory. */
static uint32_t s_intern(geo_t *g, uint32_t layer, const char *code)
{
    uint32_t id = geo_lookup(g, layer, code);
    if (id != GEO_NONE) {
        return id;
    }
    geo_layer_t *l = &g->layers[layer];
    if (g->n_entries >= GEO_NONE - 1 || s_slots_reserve(g) < 0 ||
        s_grow((void **)&g->entries, &g->cap_entries, g->n_entries + 1, sizeof *g->entries) < 0 ||
        s_grow((void **)&l->entries, &l->cap, l->n + 1, sizeof *l->entries) < 0) {
        return GEO_NONE;
    }
    geo_entry_t *e = &g->entries[g->n_entries];
    if (!(e->code = geo_strdup(g, code))) {
        return GEO_NONE;
    }
    e->name = NULL;
    e->alt = NULL;
    e->layer = layer;
    e->idx = (uint32_t)l->n;
    id = (uint32_t)g->n_entries++;
    l->entries[l->n++] = id;
    s_slot_put(g->slots, g->n_slots, e, id);
    return id;
}

/* Splits "CCG17" into kind "CCG" and year digits "17" ("" if none).
 * Returns -1 if name is not letters optionally followed by two digits. */
static int s_split_name(const char *name, char *kind, char *year)
{
    size_t i = 0;
    while (i < GEO_LAYER_NAME_MAX && isalpha((unsigned char)name[i])) {
        kind[i] = (char)toupper((unsigned char)name[i]);
        i++;
    }
    kind[i] = '\0';
    year[0] = '\0';
    if (i == 0) {
        return -1;
    }
    if (name[i] == '\0') {
        return 0;
    }
    if (!isdigit((unsigned char)name[i]) || !isdigit((unsigned char)name[i + 1]) ||
        name[i + 2] != '\0') {
        return -1;
    }
    year[0] = name[i];
    year[1] = name[i + 1];
    year[2] = '\0';
    return 0;
}

/* A two-digit column year as a calendar year: 00-69 are 20YY, the rest
 * 19YY (ONS has no lookups before 1970 and none after 2069 yet). */
static int s_full_year(const char *yy)
{
    int y = (yy[0] - '0') * 10 + (yy[1] - '0');
    return y < 70 ? 2000 + y : 1900 + y;
}

uint32_t geo_layer_at(const geo_t *g, const char *kind, uint32_t as_at)
{
    uint32_t best = GEO_NONE, first = GEO_NONE;
    for (size_t i = 0; kind && i < g->n_layers; i++) {
        const geo_layer_t *l = &g->layers[i];
        if (strcasecmp(l->kind, kind) != 0) {
            continue;
        }
        if (first == GEO_NONE || l->start < g->layers[first].start) {
            first = (uint32_t)i;
        }
        if (l->start <= as_at && (best == GEO_NONE || l->start > g->layers[best].start)) {
            best = (uint32_t)i;
        }
    }
    if (best == GEO_NONE && first != GEO_NONE && as_at != GEO_LATEST &&
        (uint32_t)g->layers[first].year == as_at / 10000) {
        best = first; /* in force later in as_at's year: the nearest there is */
    }
    return best;
}

uint32_t geo_layer_id(const geo_t *g, const char *name)
{
    char kind[GEO_LAYER_NAME_MAX + 1], year[3];
    if (!name || s_split_name(name, kind, year) < 0) {
        return GEO_NONE;
    }
    if (!year[0]) {
        return geo_layer_at(g, kind, GEO_LATEST);
    }
    for (size_t i = 0; i < g->n_layers; i++) {
        if (strcasecmp(g->layers[i].name, name) == 0) {
            return (uint32_t)i;
        }
    }
    return GEO_NONE;
}

/* The date a file's name carries ("..._Dec2017.csv"), as year and month;
 * 0 and 0 if none. */
static void s_file_date(const char *path, int *year, int *month)
{
    static const char *const months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                         "jul", "aug", "sep", "oct", "nov", "dec"};
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    *year = *month = 0;
    for (const char *p = base; p[0] && p[1] && p[2]; p++) {
        if (p > base && isalpha((unsigned char)p[-1])) {
            continue;
        }
        for (int m = 0; m < 12; m++) {
            if (strncasecmp(p, months[m], 3) == 0 && isdigit((unsigned char)p[3]) &&
                isdigit((unsigned char)p[4]) && isdigit((unsigned char)p[5]) &&
                isdigit((unsigned char)p[6]) && !isdigit((unsigned char)p[7])) {
                *year = atoi(p + 3);
                *month = m + 1;
            }
        }
    }
}

/* The vintage kind+year, added if new. It is in force from 1 April of its
 * year, or from the month of that year the file name gives; the earliest
 * file giving it decides. */
static uint32_t s_layer(s_loader_t *L, const char *kind, const char *year, cc_err_t *err)
{
    geo_t *g = L->g;
    char name[GEO_LAYER_NAME_MAX + 4];
    snprintf(name, sizeof name, "%s%s", kind, year);
    int full = s_full_year(year);
    uint32_t start = (uint32_t)full * 10000 + 401;
    if (L->name_year == full) {
        start = (uint32_t)full * 10000 + (uint32_t)L->name_month * 100 + 1;
    }
    uint32_t id = geo_layer_id(g, name);
    if (id == GEO_NONE) {
        if (g->n_layers == GEO_LAYER_MAX) {
            err_set(err, CC_RESOURCE_EXHAUSTED, "more than %d layers", GEO_LAYER_MAX);
            return GEO_NONE;
        }
        id = (uint32_t)g->n_layers++;
        geo_layer_t *l = &g->layers[id];
        snprintf(l->name, sizeof l->name, "%s", name);
        snprintf(l->kind, sizeof l->kind, "%s", kind);
        l->year = full;
        l->start = start;
        return id;
    }
    if (start < g->layers[id].start) {
        g->layers[id].start = start;
    }
    return id;
}

/* The link child -> parent, added if new. Returns its index, or -1. */
static int s_link(geo_t *g, uint32_t child, uint32_t parent, size_t *out)
{
    for (size_t i = 0; i < g->n_links; i++) {
        if (g->links[i].child == child && g->links[i].parent == parent) {
            *out = i;
            return 0;
        }
    }
    if (s_grow((void **)&g->links, &g->cap_links, g->n_links + 1, sizeof *g->links) < 0) {
        return -1;
    }
    geo_link_t *k = &g->links[g->n_links];
    memset(k, 0, sizeof *k);
    k->child = child;
    k->parent = parent;
    *out = g->n_links++;
    return 0;
}

/* Makes room in a link for child positions below need; new slots empty. */
static int s_link_reserve(geo_link_t *k, size_t need)
{
    if (need <= k->cap) {
        return 0;
    }
    size_t n = k->cap ? k->cap : 256;
    while (n < need) {
        n *= 2;
    }
    uint32_t *p = realloc(k->parent_of, n * sizeof *p);
    if (p) {
        k->parent_of = p;
    }
    uint32_t *l = realloc(k->line, n * sizeof *l);
    if (l) {
        k->line = l;
    }
    uint32_t *f = realloc(k->file, n * sizeof *f);
    if (f) {
        k->file = f;
    }
    if (!p || !l || !f) {
        return -1;
    }
    for (size_t i = k->cap; i < n; i++) {
        k->parent_of[i] = GEO_NONE;
    }
    k->cap = n;
    return 0;
}

/* Splits a header field such as "CCG17CD" into layer "CCG" and year "17"
 * and returns its role; ROLE_NONE for FID, ObjectId, Welsh names (NMW). */
static int s_role(const char *h, char *layer, char *year)
{
    size_t i = 0;
    while (i < GEO_LAYER_NAME_MAX && isalpha((unsigned char)h[i])) {
        layer[i] = (char)toupper((unsigned char)h[i]);
        i++;
    }
    layer[i] = '\0';
    if (i == 0 || !isdigit((unsigned char)h[i]) || !isdigit((unsigned char)h[i + 1])) {
        return ROLE_NONE;
    }
    year[0] = h[i];
    year[1] = h[i + 1];
    year[2] = '\0';
    const char *suffix = h + i + 2;
    if (strcasecmp(suffix, "CD") == 0) {
        return ROLE_CD;
    }
    if (strcasecmp(suffix, "NM") == 0) {
        return ROLE_NM;
    }
    return strcasecmp(suffix, "CDH") == 0 ? ROLE_CDH : ROLE_NONE;
}

static s_col_t *s_col_of(s_loader_t *L, uint32_t layer)
{
    for (size_t i = 0; i < L->n_cols; i++) {
        if (L->cols[i].layer == layer) {
            return &L->cols[i];
        }
    }
    return NULL;
}

/* First pass over the header: the code columns, in order. */
static int s_header_codes(s_loader_t *L, const csv_row_t *row, cc_err_t *err)
{
    char layer[GEO_LAYER_NAME_MAX + 1], year[3];
    for (size_t i = 0; i < row->n; i++) {
        if (s_role(row->field[i], layer, year) != ROLE_CD) {
            continue;
        }
        uint32_t id = s_layer(L, layer, year, err);
        if (id == GEO_NONE) {
            err_prefix(err, "%s: ", row->file);
            return -1;
        }
        s_col_t *dup = s_col_of(L, id);
        if (dup) {
            err_set(err, CC_INVALID_ARGUMENT, "%s: two code columns for layer %s (%s and %s)",
                    row->file, L->g->layers[id].name, dup->header, row->field[i]);
            return -1;
        }
        s_col_t *c = &L->cols[L->n_cols++];
        c->layer = id;
        c->cd = (int)i;
        c->nm = c->cdh = -1;
        c->last_id = GEO_NONE;
        snprintf(c->header, sizeof c->header, "%s", row->field[i]);
    }
    return 0;
}

/* Second pass: attaches each name (NM) and NHS code (CDH) column to its
 * layer's code column. */
static int s_header_names(s_loader_t *L, const csv_row_t *row, cc_err_t *err)
{
    char layer[GEO_LAYER_NAME_MAX + 1], year[3];
    for (size_t i = 0; i < row->n; i++) {
        int role = s_role(row->field[i], layer, year);
        if (role != ROLE_NM && role != ROLE_CDH) {
            continue;
        }
        char name[GEO_LAYER_NAME_MAX + 4];
        snprintf(name, sizeof name, "%s%s", layer, year);
        uint32_t id = geo_layer_id(L->g, name);
        s_col_t *c = id == GEO_NONE ? NULL : s_col_of(L, id);
        if (!c) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "%s: column %s has no code column: expected %s%sCD beside it", row->file,
                    row->field[i], layer, year);
            return -1;
        }
        *(role == ROLE_NM ? &c->nm : &c->cdh) = (int)i;
    }
    return 0;
}

static int s_header(s_loader_t *L, const csv_row_t *row, cc_err_t *err)
{
    if (s_header_codes(L, row, err) < 0 || s_header_names(L, row, err) < 0) {
        return -1;
    }
    if (L->n_cols == 0) {
        err_set(err, CC_INVALID_ARGUMENT,
                "%s: no code column: expected a header field matching <LAYER><YY>CD "
                "(such as LSOA11CD or CCG17CD)",
                row->file);
        return -1;
    }
    if (L->n_cols == 1) {
        err_set(err, CC_INVALID_ARGUMENT,
                "%s: only one code column (%s): a lookup also needs a parent column "
                "matching <LAYER><YY>CD",
                row->file, L->cols[0].header);
        return -1;
    }
    for (size_t i = 1; i < L->n_cols; i++) {
        if (s_link(L->g, L->cols[0].layer, L->cols[i].layer, &L->cols[i].link) < 0) {
            err_set(err, CC_RESOURCE_EXHAUSTED, "%s: out of memory", row->file);
            return -1;
        }
    }
    return 0;
}

/* Sets *slot to a copy of value unless already set or value is empty:
 * the first file to name a code names it. */
static int s_keep_first(geo_t *g, const char **slot, const char *value)
{
    if (*slot || !*value) {
        return 0;
    }
    return (*slot = geo_strdup(g, value)) ? 0 : -1;
}

/* Interns the code in column c of this row, with its name and NHS code. */
static int s_row_code(s_loader_t *L, const csv_row_t *row, s_col_t *c, uint32_t *id, cc_err_t *err)
{
    char code[GEO_CODE_MAX + 1];
    const char *v = row->field[c->cd];
    csv_pos_t at = row->pos[c->cd];
    if (geo_code_norm(v, code) < 0) {
        err_set(err, CC_INVALID_ARGUMENT,
                "%s:%zu:%zu: %s: '%s' is not a code (1 to %d letters and digits)", row->file,
                at.line, at.col, c->header, v, GEO_CODE_MAX);
        return -1;
    }
    if (c->last_id != GEO_NONE && strcmp(code, c->last) == 0) {
        *id = c->last_id;
    } else if ((*id = s_intern(L->g, c->layer, code)) != GEO_NONE) {
        memcpy(c->last, code, sizeof code);
        c->last_id = *id;
    }
    geo_entry_t *e = *id == GEO_NONE ? NULL : &L->g->entries[*id];
    if (!e || (c->nm >= 0 && s_keep_first(L->g, &e->name, row->field[c->nm]) < 0) ||
        (c->cdh >= 0 && s_keep_first(L->g, &e->alt, row->field[c->cdh]) < 0)) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "%s:%zu: out of memory", row->file, at.line);
        return -1;
    }
    return 0;
}

/* Records key -> parent for column c, refusing a parent that differs from
 * one already read for the same key. */
static int s_row_link(s_loader_t *L, const csv_row_t *row, const s_col_t *c, uint32_t key,
                      uint32_t parent, cc_err_t *err)
{
    geo_t *g = L->g;
    geo_link_t *k = &g->links[c->link];
    uint32_t pos = g->entries[key].idx;
    csv_pos_t at = row->pos[c->cd];
    if (s_link_reserve(k, (size_t)pos + 1) < 0) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "%s:%zu: out of memory", row->file, at.line);
        return -1;
    }
    if (k->parent_of[pos] == GEO_NONE) {
        k->parent_of[pos] = parent;
        k->line[pos] = at.line > UINT32_MAX ? UINT32_MAX : (uint32_t)at.line;
        k->file[pos] = L->file;
        return 0;
    }
    if (k->parent_of[pos] == parent) {
        return 0;
    }
    err_set(err, CC_INVALID_ARGUMENT,
            "%s:%zu:%zu: %s: conflicting parent: %s %s is in %s %s here but in %s at %s:%u",
            row->file, at.line, at.col, c->header, g->layers[g->entries[key].layer].name,
            g->entries[key].code, g->layers[c->layer].name, g->entries[parent].code,
            g->entries[k->parent_of[pos]].code, g->files[k->file[pos]], k->line[pos]);
    return -1;
}

static int s_row(const csv_row_t *row, void *ctx, cc_err_t *err)
{
    s_loader_t *L = ctx;
    if (row->index == 0) {
        return s_header(L, row, err);
    }
    uint32_t key, parent;
    if (s_row_code(L, row, &L->cols[0], &key, err) < 0) {
        return -1;
    }
    for (size_t i = 1; i < L->n_cols; i++) {
        s_col_t *c = &L->cols[i];
        if (row->field[c->cd][0] == '\0') {
            continue; /* no parent in this layer, as ONS leaves some cells */
        }
        if (s_row_code(L, row, c, &parent, err) < 0 ||
            s_row_link(L, row, c, key, parent, err) < 0) {
            return -1;
        }
    }
    return 0;
}

/* Bridges every two vintages of one kind on the codes they share, except
 * LSOAs (see geo.h). Called once all files are read. */
static int s_bridges(geo_t *g)
{
    for (uint32_t a = 0; a < g->n_layers; a++) {
        for (uint32_t b = 0; b < g->n_layers; b++) {
            const geo_layer_t *la = &g->layers[a], *lb = &g->layers[b];
            size_t k;
            if (a == b || strcmp(la->kind, lb->kind) != 0 ||
                strcmp(la->kind, GEO_ATOM_LAYER) == 0) {
                continue;
            }
            if (s_link(g, a, b, &k) < 0 || s_link_reserve(&g->links[k], la->n ? la->n : 1) < 0) {
                return -1;
            }
            geo_link_t *link = &g->links[k];
            link->bridge = 1;
            for (size_t i = 0; i < la->n; i++) {
                const geo_entry_t *e = &g->entries[la->entries[i]];
                link->parent_of[i] = geo_lookup(g, b, e->code);
                link->file[i] = GEO_NONE;
                link->line[i] = 0;
            }
        }
    }
    return 0;
}

geo_t *geo_load(const char *const *paths, size_t n, cc_err_t *err)
{
    geo_t *g = calloc(1, sizeof *g);
    if (!g || !(g->files = calloc(n ? n : 1, sizeof *g->files))) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        goto fail;
    }
    if (n == 0) {
        err_set(err, CC_INVALID_ARGUMENT, "no lookup files given");
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        if (!(g->files[i] = strdup(paths[i]))) {
            err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
            goto fail;
        }
        g->n_files++;
        s_loader_t L = {.g = g, .file = (uint32_t)i};
        s_file_date(paths[i], &L.name_year, &L.name_month);
        if (csv_read_file(paths[i], NULL, s_row, &L, err) < 0) {
            goto fail;
        }
    }
    if (s_bridges(g) < 0) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        goto fail;
    }
    return g;
fail:
    geo_destroy(&g);
    return NULL;
}

static int s_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int s_is_csv(const char *name)
{
    size_t n = strlen(name);
    return name[0] != '.' && n > 4 && strcasecmp(name + n - 4, ".csv") == 0;
}

/* The paths of dir's CSV files, sorted, in *out (caller frees each and the
 * array). Returns how many, or -1 with err set. */
static int s_list_csv(const char *dir, char ***out, size_t *n, cc_err_t *err)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    if (!d) {
        err_set(err, CC_NOT_FOUND, "cannot read the ONS data directory %s: %s", dir,
                strerror(errno));
        return -1;
    }
    while ((de = readdir(d)) != NULL) {
        if (!s_is_csv(de->d_name)) {
            continue;
        }
        size_t len = strlen(dir) + strlen(de->d_name) + 2;
        char *path = malloc(len);
        if (!path || s_grow((void **)out, &cap, *n + 1, sizeof **out) < 0) {
            free(path);
            closedir(d);
            err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
            return -1;
        }
        snprintf(path, len, "%s/%s", dir, de->d_name);
        (*out)[(*n)++] = path;
    }
    closedir(d);
    if (*n) {
        qsort(*out, *n, sizeof **out, s_cmp_str);
    }
    return 0;
}

geo_t *geo_load_dir(const char *dir, cc_err_t *err)
{
    return geo_load_dir_and(dir, NULL, 0, err);
}

geo_t *geo_load_dir_and(const char *dir, const char *const *extra, size_t n_extra,
                        cc_err_t *err)
{
    char **paths = NULL;
    size_t n = 0, cap = 0;
    geo_t *g = NULL;
    if (s_list_csv(dir, &paths, &n, err) < 0) {
        goto out;
    }
    if (n == 0) {
        err_set(err, CC_NOT_FOUND, "no .csv lookups in %s", dir);
        goto out;
    }
    if (n_extra) {
        /* Room after the directory's own paths (which the loop below frees). */
        cap = n;
        if (s_grow((void **)&paths, &cap, n + n_extra, sizeof *paths) < 0) {
            err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
            goto out;
        }
        memcpy(paths + n, extra, n_extra * sizeof *paths);
    }
    g = geo_load((const char *const *)paths, n + n_extra, err);
out:
    for (size_t i = 0; i < n; i++) {
        free(paths[i]);
    }
    free(paths);
    return g;
}

void geo_destroy(geo_t **gp)
{
    if (!gp || !*gp) {
        return;
    }
    geo_t *g = *gp;
    while (g->arena) {
        geo_chunk_t *next = g->arena->next;
        free(g->arena);
        g->arena = next;
    }
    for (size_t i = 0; i < g->n_layers; i++) {
        free(g->layers[i].entries);
    }
    for (size_t i = 0; i < g->n_links; i++) {
        free(g->links[i].parent_of);
        free(g->links[i].line);
        free(g->links[i].file);
    }
    for (size_t i = 0; g->files && i < g->n_files; i++) {
        free(g->files[i]);
    }
    free(g->files);
    free(g->links);
    free(g->entries);
    free(g->slots);
    free(g->primaries);
    free(g);
    *gp = NULL;
}

/* Breadth first over layers from `from`, through bridges only if
 * `bridges`; fills via (the link reaching each layer). Returns whether
 * `to` was reached. */
static int s_bfs(const geo_t *g, uint32_t from, uint32_t to, int bridges, size_t *via)
{
    int seen[GEO_LAYER_MAX] = {0};
    uint32_t queue[GEO_LAYER_MAX];
    size_t head = 0, tail = 0;
    seen[from] = 1;
    queue[tail++] = from;
    while (head < tail && !seen[to]) {
        uint32_t l = queue[head++];
        for (size_t i = 0; i < g->n_links; i++) {
            uint32_t p = g->links[i].parent;
            if (g->links[i].child == l && !seen[p] && (bridges || !g->links[i].bridge)) {
                seen[p] = 1;
                via[p] = i;
                queue[tail++] = p;
            }
        }
    }
    return seen[to];
}

int geo_path(const geo_t *g, uint32_t from, uint32_t to, const geo_link_t **path)
{
    /* Breadth first over layers, so the direct lookup wins over a chain
     * and ties go to the file read first; lookups read from files win over
     * bridges between vintages (LSOA11 -> CCG20 -> STP20 from the 2020
     * files, never LSOA11 -> STP17 -> STP20 through the codes STP17 and
     * STP20 share), which are used only where no file leads there. */
    size_t via[GEO_LAYER_MAX];
    if (from == to) {
        return 0;
    }
    if (!s_bfs(g, from, to, 0, via) && !s_bfs(g, from, to, 1, via)) {
        return -1;
    }
    int n = 0;
    for (uint32_t l = to; l != from; l = g->links[via[l]].child) {
        n++;
    }
    int i = n;
    for (uint32_t l = to; l != from; l = g->links[via[l]].child) {
        path[--i] = &g->links[via[l]];
    }
    return n;
}

uint32_t geo_follow(const geo_t *g, uint32_t entry, const geo_link_t *const *path, int n)
{
    for (int i = 0; i < n && entry != GEO_NONE; i++) {
        uint32_t pos = g->entries[entry].idx;
        entry = pos < path[i]->cap ? path[i]->parent_of[pos] : GEO_NONE;
    }
    return entry;
}

size_t geo_file_count(const geo_t *g)
{
    return g->n_files;
}

const char *geo_file_path(const geo_t *g, size_t i)
{
    return i < g->n_files ? g->files[i] : NULL;
}

size_t geo_layer_count(const geo_t *g)
{
    return g->n_layers;
}

const char *geo_layer_name(const geo_t *g, size_t i)
{
    return i < g->n_layers ? g->layers[i].name : NULL;
}

const char *geo_layer_kind(const geo_t *g, size_t i)
{
    return i < g->n_layers ? g->layers[i].kind : NULL;
}

uint32_t geo_layer_start(const geo_t *g, size_t i)
{
    return i < g->n_layers ? g->layers[i].start : 0;
}

const char *geo_layer_resolve(const geo_t *g, const char *layer)
{
    uint32_t id = geo_layer_id(g, layer);
    return id == GEO_NONE ? NULL : g->layers[id].name;
}

uint32_t geo_date_parse(const char *s)
{
    static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    for (int i = 0; i < 10; i++) {
        if (!s || (i == 4 || i == 7 ? s[i] != '-' : !isdigit((unsigned char)s[i]))) {
            return 0;
        }
    }
    if (s[10] != '\0') {
        return 0;
    }
    int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 1900 || m < 1 || m > 12 || d < 1 || d > days[m - 1] || (m == 2 && d == 29 && !leap)) {
        return 0;
    }
    return (uint32_t)(y * 10000 + m * 100 + d);
}

const char *geo_date_str(uint32_t date, char *buf, size_t size)
{
    if (date == GEO_LATEST) {
        snprintf(buf, size, "latest");
    } else {
        snprintf(buf, size, "%04u-%02u-%02u", date / 10000, date / 100 % 100, date % 100);
    }
    return buf;
}

size_t geo_count(const geo_t *g, const char *layer)
{
    uint32_t id = geo_layer_id(g, layer);
    return id == GEO_NONE ? 0 : g->layers[id].n;
}

/* The entry of a user-given code in a named layer, or GEO_NONE. */
static uint32_t s_find(const geo_t *g, const char *layer, const char *code)
{
    char norm[GEO_CODE_MAX + 1];
    uint32_t id = geo_layer_id(g, layer);
    if (id == GEO_NONE || !code || geo_code_norm(code, norm) < 0) {
        return GEO_NONE;
    }
    return geo_lookup(g, id, norm);
}

const char *geo_name(const geo_t *g, const char *layer, const char *code)
{
    uint32_t e = s_find(g, layer, code);
    if (e == GEO_NONE) {
        return NULL;
    }
    return g->entries[e].name ? g->entries[e].name : "";
}

const char *geo_parent(const geo_t *g, const char *layer, const char *code,
                       const char *parent_layer)
{
    const geo_link_t *path[GEO_LAYER_MAX];
    uint32_t e = s_find(g, layer, code);
    uint32_t to = geo_layer_id(g, parent_layer);
    if (e == GEO_NONE || to == GEO_NONE) {
        return NULL;
    }
    int n = geo_path(g, g->entries[e].layer, to, path);
    if (n < 0) {
        return NULL;
    }
    e = geo_follow(g, e, path, n);
    return e == GEO_NONE ? NULL : g->entries[e].code;
}

/* The newest LSOA vintage with a chain to layer, and that chain. */
static uint32_t s_atom_to(const geo_t *g, uint32_t layer, const geo_link_t **path, int *n)
{
    uint32_t best = GEO_NONE;
    for (uint32_t l = 0; l < g->n_layers; l++) {
        const geo_link_t *p[GEO_LAYER_MAX];
        int k;
        if (strcmp(g->layers[l].kind, GEO_ATOM_LAYER) != 0 ||
            (best != GEO_NONE && g->layers[l].start <= g->layers[best].start) ||
            (k = geo_path(g, l, layer, p)) < 0) {
            continue;
        }
        best = l;
        *n = k;
        memcpy(path, p, (size_t)k * sizeof *p);
    }
    return best;
}

size_t geo_overlap(const geo_t *g, const char *layer, const char *code, const char *of,
                   const char **codes, uint32_t *lsoas, size_t max)
{
    const geo_link_t *to_layer[GEO_LAYER_MAX], *to_of[GEO_LAYER_MAX];
    int n_layer = 0, n_of = 0;
    uint32_t target = s_find(g, layer, code), of_id = geo_layer_id(g, of);
    if (target == GEO_NONE || of_id == GEO_NONE) {
        return 0;
    }
    uint32_t atom = s_atom_to(g, g->entries[target].layer, to_layer, &n_layer);
    if (atom == GEO_NONE || (n_of = geo_path(g, atom, of_id, to_of)) < 0) {
        return 0;
    }
    size_t n = 0;
    const geo_layer_t *atoms = &g->layers[atom];
    for (size_t i = 0; i < atoms->n; i++) {
        if (geo_follow(g, atoms->entries[i], to_layer, n_layer) != target) {
            continue;
        }
        uint32_t e = geo_follow(g, atoms->entries[i], to_of, n_of);
        if (e == GEO_NONE) {
            continue;
        }
        size_t k = 0;
        while (k < n && strcmp(codes[k], g->entries[e].code) != 0) {
            k++;
        }
        if (k < n) {
            if (lsoas) {
                lsoas[k]++;
            }
            continue;
        }
        /* New: insert in code order if there is room. */
        if (n < max) {
            size_t at = n;
            while (at > 0 && strcmp(codes[at - 1], g->entries[e].code) > 0) {
                codes[at] = codes[at - 1];
                if (lsoas) {
                    lsoas[at] = lsoas[at - 1];
                }
                at--;
            }
            codes[at] = g->entries[e].code;
            if (lsoas) {
                lsoas[at] = 1;
            }
            n++;
        }
    }
    return n;
}

const char *geo_data_dir(const char *given)
{
    const char *env = getenv("CONCORD_DATA_DIR");
    struct stat st;
    if (given) {
        return given;
    }
    if (env && *env) {
        return env;
    }
    if (stat(CONCORD_DATA_DIR, &st) == 0 && S_ISDIR(st.st_mode)) {
        return CONCORD_DATA_DIR;
    }
    return CONCORD_DATA_INSTALL_DIR;
}
