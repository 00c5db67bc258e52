/* SPDX-License-Identifier: Apache-2.0 */
/* geo: the geography model. Loading ONS lookups into the model, and
 * queries on it: codes are interned once in a hash table keyed by (layer,
 * code); relations are dense arrays indexed by a code's position in its
 * layer, so loading is linear in the rows read and every later lookup is
 * O(1).
 *
 * Alignment: LSOA counts in every organisation x footprint cell, the
 * classifications built on them, and declared primary footprints. Each
 * LSOA is mapped once to its footprint and to its organisation of each
 * kind by following chains of lookups; LSOAs are then grouped by
 * organisation with a counting sort, so the whole alignment is linear in
 * the number of LSOAs.
 *
 * Changes between two vintages (geo.h): each shared LSOA gives one (old,
 * new) pair; the pairs are sorted and counted into flows, so the whole
 * comparison is O(L log L) in the LSOAs and never quadratic in the
 * organisations. */
#include "geo.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csv.h"
#include "date.h"
#include "grow.h"
#include "money.h"

#define GEO_NONE UINT32_MAX
#define GEO_LAYER_MAX 32

/* One code of one layer. A code may exist in two layers (a unitary
 * authority is a LAD and an upper-tier area), so entries are keyed by
 * (layer, code). Strings live in the model's arena and never move. */
typedef struct {
    const char *code;
    const char *name; /* NULL until a file names it */
    const char *alt;  /* the NHS three-character code (CDH), or NULL */
    uint32_t layer;
    uint32_t idx; /* position within its layer */
} geo_entry_t;

/* One vintage: a kind of area and the year its columns carry. */
typedef struct {
    char name[GEO_LAYER_NAME_MAX + 4]; /* "CCG17" */
    char kind[GEO_LAYER_NAME_MAX + 1]; /* "CCG" */
    int year;                          /* 2017 */
    uint32_t start;                    /* in force from, YYYYMMDD */
    uint32_t *entries;                 /* layer position -> entry id */
    size_t n, cap;
} geo_layer_t;

/* Child layer -> parent layer, one parent per child code, with where it was
 * read so a conflicting later row can name both places. A bridge joins two
 * vintages of one kind on the codes they share (CCG18 E38000001 is CCG17
 * E38000001); it is built after loading and read from no file. */
typedef struct {
    uint32_t child, parent;
    int bridge;
    uint32_t *parent_of; /* child position -> parent entry id, GEO_NONE */
    uint32_t *line;
    uint32_t *file;
    size_t cap;
} geo_link_t;

/* A declared primary: a footprint code of a kind, in whichever vintage
 * of that kind an alignment uses. */
typedef struct {
    const char *org;       /* code, in the arena */
    const char *footprint; /* code, in the arena */
    char kind[GEO_LAYER_NAME_MAX + 1];
} geo_primary_t;

typedef struct geo_chunk geo_chunk_t;

struct geo {
    geo_chunk_t *arena;
    geo_entry_t *entries;
    size_t n_entries, cap_entries;
    uint32_t *slots; /* open-addressing hash: entry id + 1, 0 empty */
    size_t n_slots;
    geo_layer_t layers[GEO_LAYER_MAX];
    size_t n_layers;
    geo_link_t *links;
    size_t n_links, cap_links;
    char **files;
    size_t n_files;
    geo_primary_t *primaries;
    size_t n_primaries, cap_primaries;
};

/* The layer's id, or GEO_NONE: name is a vintage ("CCG17", any case) or a
 * kind ("ccg"), which means its newest vintage. */
uint32_t geo_layer_id(const geo_t *g, const char *name);

/* The vintage of kind in force on as_at (YYYYMMDD; GEO_LATEST for the
 * newest), or GEO_NONE. See geo_align_at. */
uint32_t geo_layer_at(const geo_t *g, const char *kind, uint32_t as_at);

/* The entry of code (already upper case) in layer, or GEO_NONE. */
uint32_t geo_lookup(const geo_t *g, uint32_t layer, const char *code);

/* The shortest chain of links from layer `from` to layer `to`, written to
 * path (room for GEO_LAYER_MAX). Returns its length (0 when from == to), or
 * -1 if no chain exists. */
int geo_path(const geo_t *g, uint32_t from, uint32_t to, const geo_link_t **path);

/* Follows a chain from an entry; GEO_NONE when a link is missing. */
uint32_t geo_follow(const geo_t *g, uint32_t entry, const geo_link_t *const *path, int n);

/* Copies code into out (GEO_CODE_MAX + 1 bytes) in upper case. Returns 0,
 * or -1 if it is empty, too long or not alphanumeric. */
int geo_code_norm(const char *code, char *out);

/* Stores a copy of s in the model's arena; NULL when out of memory. */
const char *geo_strdup(geo_t *g, const char *s);

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

/* The entry of code in layer, added if new. GEO_NONE when out of memory. */
static uint32_t s_intern(geo_t *g, uint32_t layer, const char *code)
{
    uint32_t id = geo_lookup(g, layer, code);
    if (id != GEO_NONE) {
        return id;
    }
    geo_layer_t *l = &g->layers[layer];
    if (g->n_entries >= GEO_NONE - 1 || s_slots_reserve(g) < 0 ||
        grow_reserve_at(&g->entries, &g->cap_entries, g->n_entries, sizeof *g->entries) < 0 ||
        grow_reserve_at(&l->entries, &l->cap, l->n, sizeof *l->entries) < 0) {
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
    if (grow_reserve_at(&g->links, &g->cap_links, g->n_links, sizeof *g->links) < 0) {
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
        if (!path || grow_reserve_at(out, &cap, *n, sizeof **out) < 0) {
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

geo_t *geo_load_dir_and(const char *dir, const char *const *extra, size_t n_extra, cc_err_t *err)
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
        for (size_t k = n; k < n + n_extra; k++) {
            if (grow_reserve_at(&paths, &cap, k, sizeof *paths) < 0) {
                err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
                goto out;
            }
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
    int y, m, d;
    if (date_parse(s, &y, &m, &d) < 0 || y < 1900) {
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
    /* Installed: beside the running program (bin/../share/concord/ons), so
     * a package or a prefix moved as a whole finds its own lookups. */
    static char beside[PATH_MAX + sizeof CONCORD_DATA_RELATIVE + 2];
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(beside, sizeof beside, "%s/%s", exe, CONCORD_DATA_RELATIVE);
            if (stat(beside, &st) == 0 && S_ISDIR(st.st_mode)) {
                return beside;
            }
        }
    }
    /* Built, not installed: the build tree's copy. */
    if (stat(CONCORD_DATA_BUILD_DIR, &st) == 0 && S_ISDIR(st.st_mode)) {
        return CONCORD_DATA_BUILD_DIR;
    }
    return CONCORD_DATA_INSTALL_DIR;
}

/* ---- alignment and declared primaries ---- */

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
 * by largest remainder (money_split, ties to the bigger cell: cells come
 * sorted by size, the outside part last), so the total is exactly 1000.
 * weights and parts have room for every footprint and the outside part. */
static void s_shares(geo_org_t *o, geo_cell_t *cells, int64_t *weights, money_part_t *parts)
{
    size_t n = o->n_cells + 1; /* the last part is the outside */
    for (size_t b = 0; b < n; b++) {
        weights[b] = (int64_t)(b < o->n_cells ? cells[b].lsoas : o->outside);
    }
    /* Cannot fail: o->lsoas > 0 is the sum of the weights. */
    money_split(1000, weights, NULL, n, parts, NULL);
    for (size_t b = 0; b < n; b++) {
        *(b < o->n_cells ? &cells[b].permille : &o->outside_permille) = (uint32_t)parts[b].share;
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
static void s_finish_org(geo_org_t *o, geo_cell_t *cells, int64_t *weights,
                         money_part_t *parts)
{
    qsort(cells, o->n_cells, sizeof *cells, s_cmp_cell);
    if (o->lsoas) {
        s_shares(o, cells, weights, parts);
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
            if (grow_reserve_at(&w->ent, &w->cap_orgs, w->n_orgs, sizeof *w->ent) < 0) {
                return -1;
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
    int64_t *weights = NULL;
    money_part_t *parts = NULL;
    int rc = -1;
    size_t n_lsoas = a->g->layers[P->atom].n;
    if (s_group(a, P, kind, &w) < 0 || s_sort_by_org(&w, n_lsoas) < 0) {
        goto out;
    }
    w.mark = calloc(a->n_fps + 1, sizeof *w.mark);
    w.count = calloc(a->n_fps + 1, sizeof *w.count);
    weights = calloc(a->n_fps + 2, sizeof *weights);
    parts = calloc(a->n_fps + 2, sizeof *parts);
    a->orgs[kind] = calloc(w.n_orgs + 1, sizeof *a->orgs[kind]);
    a->cells[kind] = calloc(w.start[w.n_orgs] + 1, sizeof *a->cells[kind]);
    if (!w.mark || !w.count || !weights || !parts || !a->orgs[kind] || !a->cells[kind]) {
        goto out;
    }
    geo_cell_t *next = a->cells[kind];
    for (size_t o = 0; o < w.n_orgs; o++) {
        geo_org_t *org = &a->orgs[kind][o];
        s_org_identity(P, kind, w.ent[o], org);
        s_count_org(a, &w, lsoa_fp, o, org, next);
        s_finish_org(org, next, weights, parts);
        next += org->n_cells;
    }
    a->n_orgs[kind] = w.n_orgs;
    qsort(a->orgs[kind], w.n_orgs, sizeof *a->orgs[kind], s_cmp_org);
    rc = 0;
out:
    free(weights);
    free(parts);
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
                "no lookup gives layer %s: load a file with a column matching %s%s", layer, layer,
                vintage ? "CD" : "<YY>CD");
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

size_t geo_footprint_split_count(const geo_footprint_t *fp, geo_kind_t kind)
{
    size_t n = 0;
    for (size_t m = 0; m < fp->n_members[kind]; m++) {
        n += fp->members[kind][m].org->cls != GEO_WHOLE;
    }
    return n;
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
    if (grow_reserve_at(&g->primaries, &g->cap_primaries, g->n_primaries, sizeof *g->primaries) <
        0) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
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

/* ---- changes between two vintages ---- */

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
    uint32_t *tot_a, *tot_b;   /* LSOAs per organisation, shared ones only */
    uint32_t *dst_a, *src_b;   /* main flow index, or GEO_NONE */
    uint32_t *cont_a, *cont_b; /* continuing counterpart position, or GEO_NONE */
    uint32_t *n_main_a,
        *n_main_b; /* news whose main source is a; olds whose main destination is b */
    s_change_t *out;
    size_t n_out, cap_out;
    geo_change_side_t *sides;
    size_t n_sides, cap_sides;
} s_cmp_t;

static const char *const s_change_names[GEO_CHANGE_KINDS] = {"merger", "split", "boundary transfer",
                                                             "code change", "rename"};
static const char *const s_change_keys[GEO_CHANGE_KINDS] = {"merger", "split", "transfer",
                                                            "code_change", "rename"};

const char *geo_changes_kind_name(geo_change_kind_t k)
{
    return (unsigned)k < GEO_CHANGE_KINDS ? s_change_names[k] : "unknown";
}

const char *geo_changes_kind_key(geo_change_kind_t k)
{
    return (unsigned)k < GEO_CHANGE_KINDS ? s_change_keys[k] : "unknown";
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
    if (grow_reserve_at(&x->sides, &x->cap_sides, x->n_sides, sizeof *x->sides) < 0) {
        return NULL;
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
    if (grow_reserve_at(&x->out, &x->cap_out, x->n_out, sizeof *x->out) < 0) {
        return NULL;
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
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory comparing %s with %s", c->from, c->to);
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
