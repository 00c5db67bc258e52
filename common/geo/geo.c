/* geo: loading ONS lookups into the model, queries on it, and the
 * alignment of organisations with footprints. Codes are interned once in
 * a hash table keyed by (layer, code); relations are dense arrays indexed
 * by a code's position in its layer, so loading is linear in the rows
 * read and every later lookup is O(1). */
#include "geo.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "csv.h"
#include "grow.h"

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

typedef struct {
    char name[GEO_LAYER_NAME_MAX + 1]; /* "CCG" */
    char label[32];                    /* "CCG17", "CCG17+18" */
    uint32_t *entries;                 /* layer position -> entry id */
    size_t n, cap;
} geo_layer_t;

/* Child layer -> parent layer, one parent per child code, with where it was
 * read so a conflicting later row can name both places. */
typedef struct {
    uint32_t child, parent;
    uint32_t *parent_of; /* child position -> parent entry id, GEO_NONE */
    uint32_t *line;
    uint32_t *file;
    size_t cap;
} geo_link_t;

typedef struct {
    const char *org;    /* code, in the arena */
    uint32_t footprint; /* entry id */
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

/* The layer's id (case-insensitive name), or GEO_NONE. */
static uint32_t s_layer_id(const geo_t *g, const char *name);

/* The entry of code (already upper case) in layer, or GEO_NONE. */
static uint32_t s_lookup(const geo_t *g, uint32_t layer, const char *code);

/* The shortest chain of links from layer `from` to layer `to`, written to
 * path (room for GEO_LAYER_MAX). Returns its length (0 when from == to), or
 * -1 if no chain exists. */
static int s_path(const geo_t *g, uint32_t from, uint32_t to, const geo_link_t **path);

/* Follows a chain from an entry; GEO_NONE when a link is missing. */
static uint32_t s_follow_path(const geo_t *g, uint32_t entry, const geo_link_t *const *path, int n);

/* Copies code into out (GEO_CODE_MAX + 1 bytes) in upper case. Returns 0,
 * or -1 if it is empty, too long or not alphanumeric. */
static int s_code_norm(const char *code, char *out);

/* Stores a copy of s in the model's arena; NULL when out of memory. */
static const char *s_strdup(geo_t *g, const char *s);

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
    s_col_t cols[GEO_LAYER_MAX];
    size_t n_cols;
} s_loader_t;

static const char *s_strdup(geo_t *g, const char *s)
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

static int s_code_norm(const char *code, char *out)
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

static uint32_t s_lookup(const geo_t *g, uint32_t layer, const char *code)
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
    uint32_t id = s_lookup(g, layer, code);
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
    if (!(e->code = s_strdup(g, code))) {
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

static uint32_t s_layer_id(const geo_t *g, const char *name)
{
    for (size_t i = 0; name && i < g->n_layers; i++) {
        if (strcasecmp(g->layers[i].name, name) == 0) {
            return (uint32_t)i;
        }
    }
    return GEO_NONE;
}

/* The layer named `name` (upper case), added if new; its label gains the
 * year when this file's year is one not seen before. */
static uint32_t s_layer(geo_t *g, const char *name, const char *year, cc_err_t *err)
{
    uint32_t id = s_layer_id(g, name);
    if (id == GEO_NONE) {
        if (g->n_layers == GEO_LAYER_MAX) {
            err_set(err, CC_RESOURCE_EXHAUSTED, "more than %d layers", GEO_LAYER_MAX);
            return GEO_NONE;
        }
        id = (uint32_t)g->n_layers++;
        snprintf(g->layers[id].name, sizeof g->layers[id].name, "%s", name);
        snprintf(g->layers[id].label, sizeof g->layers[id].label, "%s%s", name, year);
        return id;
    }
    geo_layer_t *l = &g->layers[id];
    const char *years = l->label + strlen(l->name);
    if (!strstr(years, year) && strlen(l->label) + 4 < sizeof l->label) {
        strcat(l->label, "+");
        strcat(l->label, year);
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
        uint32_t id = s_layer(L->g, layer, year, err);
        if (id == GEO_NONE) {
            err_prefix(err, "%s: ", row->file);
            return -1;
        }
        s_col_t *dup = s_col_of(L, id);
        if (dup) {
            err_set(err, CC_INVALID_ARGUMENT, "%s: two code columns for layer %s (%s and %s)",
                    row->file, layer, dup->header, row->field[i]);
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
        uint32_t id = s_layer_id(L->g, layer);
        s_col_t *c = id == GEO_NONE ? NULL : s_col_of(L, id);
        if (!c) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "%s: column %s has no code column: expected %s<YY>CD beside it", row->file,
                    row->field[i], layer);
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
    return (*slot = s_strdup(g, value)) ? 0 : -1;
}

/* Interns the code in column c of this row, with its name and NHS code. */
static int s_row_code(s_loader_t *L, const csv_row_t *row, s_col_t *c, uint32_t *id, cc_err_t *err)
{
    char code[GEO_CODE_MAX + 1];
    const char *v = row->field[c->cd];
    csv_pos_t at = row->pos[c->cd];
    if (s_code_norm(v, code) < 0) {
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
        if (csv_read_file(paths[i], NULL, s_row, &L, err) < 0) {
            goto fail;
        }
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
    char **paths = NULL;
    size_t n = 0;
    geo_t *g = NULL;
    if (s_list_csv(dir, &paths, &n, err) < 0) {
        goto out;
    }
    if (n == 0) {
        err_set(err, CC_NOT_FOUND, "no .csv lookups in %s", dir);
        goto out;
    }
    g = geo_load((const char *const *)paths, n, err);
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

static int s_path(const geo_t *g, uint32_t from, uint32_t to, const geo_link_t **path)
{
    /* Breadth first over layers, so the direct lookup wins over a chain
     * and ties go to the file read first. */
    size_t via[GEO_LAYER_MAX];
    int seen[GEO_LAYER_MAX] = {0};
    uint32_t queue[GEO_LAYER_MAX];
    size_t head = 0, tail = 0;
    if (from == to) {
        return 0;
    }
    seen[from] = 1;
    queue[tail++] = from;
    while (head < tail && !seen[to]) {
        uint32_t l = queue[head++];
        for (size_t i = 0; i < g->n_links; i++) {
            uint32_t p = g->links[i].parent;
            if (g->links[i].child == l && !seen[p]) {
                seen[p] = 1;
                via[p] = i;
                queue[tail++] = p;
            }
        }
    }
    if (!seen[to]) {
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

static uint32_t s_follow_path(const geo_t *g, uint32_t entry, const geo_link_t *const *path, int n)
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

const char *geo_layer_label(const geo_t *g, size_t i)
{
    return i < g->n_layers ? g->layers[i].label : NULL;
}

size_t geo_count(const geo_t *g, const char *layer)
{
    uint32_t id = s_layer_id(g, layer);
    return id == GEO_NONE ? 0 : g->layers[id].n;
}

/* The entry of a user-given code in a named layer, or GEO_NONE. */
static uint32_t s_find(const geo_t *g, const char *layer, const char *code)
{
    char norm[GEO_CODE_MAX + 1];
    uint32_t id = s_layer_id(g, layer);
    if (id == GEO_NONE || !code || s_code_norm(code, norm) < 0) {
        return GEO_NONE;
    }
    return s_lookup(g, id, norm);
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
    uint32_t to = s_layer_id(g, parent_layer);
    if (e == GEO_NONE || to == GEO_NONE) {
        return NULL;
    }
    int n = s_path(g, g->entries[e].layer, to, path);
    if (n < 0) {
        return NULL;
    }
    e = s_follow_path(g, e, path, n);
    return e == GEO_NONE ? NULL : g->entries[e].code;
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

/* ---- alignment ----
 * LSOA counts in every organisation x footprint cell, the classifications
 * built on them, and declared primary footprints. Each LSOA is mapped once
 * to its footprint and to its organisation of each kind by following
 * chains of lookups; LSOAs are then grouped by organisation with a
 * counting sort, so the whole alignment is linear in the number of LSOAs. */

/* Chains from the LSOA layer to each layer the organisations come from;
 * n < 0 where no lookup leads there. */
typedef struct {
    const geo_link_t *p[GEO_LAYER_MAX];
    int n;
} s_chain_t;

typedef struct {
    const geo_t *g;
    uint32_t atom;
    s_chain_t fp, ccg, lad, cauth;
    s_chain_t cty; /* from the LAD layer */
} s_paths_t;

struct geo_align {
    const geo_t *g;
    char layer[GEO_LAYER_NAME_MAX + 1];
    uint32_t layer_id;
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

static void s_chain(const geo_t *g, uint32_t from, const char *to, s_chain_t *c)
{
    uint32_t id = s_layer_id(g, to);
    c->n = id == GEO_NONE || from == GEO_NONE ? -1 : s_path(g, from, id, c->p);
}

/* Finds the chains; fp_layer GEO_NONE when no footprint layer is needed. */
static int s_paths(const geo_t *g, uint32_t fp_layer, s_paths_t *P, cc_err_t *err)
{
    memset(P, 0, sizeof *P);
    P->g = g;
    P->atom = s_layer_id(g, GEO_ATOM_LAYER);
    if (P->atom == GEO_NONE) {
        err_set(err, CC_FAILED_PRECONDITION,
                "no lookup gives LSOAs: load a file with a column matching LSOA<YY>CD");
        return -1;
    }
    P->fp.n = fp_layer == GEO_NONE ? -1 : s_path(g, P->atom, fp_layer, P->fp.p);
    if (fp_layer != GEO_NONE && P->fp.n < 0) {
        err_set(err, CC_FAILED_PRECONDITION,
                "no chain of lookups leads from LSOAs to layer %s: load a lookup that maps "
                "LSOA<YY>CD, CCG<YY>CD or LAD<YY>CD to %s<YY>CD",
                g->layers[fp_layer].name, g->layers[fp_layer].name);
        return -1;
    }
    s_chain(g, P->atom, "CCG", &P->ccg);
    s_chain(g, P->atom, "LAD", &P->lad);
    s_chain(g, P->atom, "CAUTH", &P->cauth);
    s_chain(g, s_layer_id(g, "LAD"), "CTY", &P->cty);
    return 0;
}

static uint32_t s_follow(const geo_t *g, uint32_t e, const s_chain_t *c)
{
    return c->n < 0 ? GEO_NONE : s_follow_path(g, e, c->p, c->n);
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
        uint32_t e = s_lookup(g, a->layer_id, a->fps[i].code);
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
    s->lads = geo_count(g, "LAD");
    for (size_t f = 0; f < a->n_fps; f++) {
        s->footprints_empty += a->fps[f].lsoas == 0;
        s->coterminous += a->fps[f].coterminous;
    }
    for (int k = 0; k < GEO_KINDS; k++) {
        s->orgs[k] = a->n_orgs[k];
        for (size_t o = 0; o < a->n_orgs[k]; o++) {
            geo_org_t *org = &a->orgs[k][o];
            const geo_primary_t *p = s_primary_of(g, org->code);
            if (p && g->entries[p->footprint].layer == a->layer_id) {
                org->primary = &a->fps[a->fp_at[g->entries[p->footprint].idx]];
                s->primaries++;
            }
            s->split[k] += org->cls == GEO_SPLIT;
            s->partial[k] += org->cls == GEO_PARTIAL;
            s->districts_without_county += k == GEO_DISTRICT && !org->county;
        }
    }
}

geo_align_t *geo_align(const geo_t *g, const char *layer, cc_err_t *err)
{
    s_paths_t P;
    uint32_t *lsoa_fp = NULL;
    geo_align_t *a = calloc(1, sizeof *a);
    if (!a) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return NULL;
    }
    a->g = g;
    a->layer_id = s_layer_id(g, layer ? layer : GEO_DEFAULT_LAYER);
    if (a->layer_id == GEO_NONE) {
        err_set(err, CC_FAILED_PRECONDITION,
                "no lookup gives layer %s: load a file with a column matching %s<YY>CD",
                layer ? layer : GEO_DEFAULT_LAYER, layer ? layer : GEO_DEFAULT_LAYER);
        goto fail;
    }
    snprintf(a->layer, sizeof a->layer, "%s", g->layers[a->layer_id].name);
    if (s_paths(g, a->layer_id, &P, err) < 0) {
        goto fail;
    }
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
    if (!code || s_code_norm(code, norm) < 0) {
        return NULL;
    }
    uint32_t e = s_lookup(a->g, a->layer_id, norm);
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
    if (!code || s_code_norm(code, norm) < 0) {
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
        uint32_t e = l == P->atom ? GEO_NONE : s_lookup(g, l, code);
        if (e != GEO_NONE && (chains[n].n = s_path(g, P->atom, l, chains[n].p)) >= 0) {
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
        p->footprint = fp;
        return 0;
    }
    if (grow_reserve_at(&g->primaries, &g->cap_primaries, g->n_primaries, sizeof *g->primaries) <
        0) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    const char *copy = s_strdup(g, org);
    if (!copy) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    g->primaries[g->n_primaries].org = copy;
    g->primaries[g->n_primaries++].footprint = fp;
    return 0;
}

int geo_set_primary(geo_t *g, const char *org, const char *footprint, cc_err_t *err)
{
    char oc[GEO_CODE_MAX + 1], fc[GEO_CODE_MAX + 1];
    uint32_t ent[GEO_LAYER_MAX], touch;
    s_chain_t chains[GEO_LAYER_MAX];
    s_paths_t P;
    if (!org || s_code_norm(org, oc) < 0 || !footprint || s_code_norm(footprint, fc) < 0) {
        err_set(err, CC_INVALID_ARGUMENT, "'%s' or '%s' is not a code", org ? org : "",
                footprint ? footprint : "");
        return -1;
    }
    if (s_paths(g, GEO_NONE, &P, err) < 0) {
        return -1;
    }
    size_t n_cand = s_fp_candidates(g, &P, fc, ent, chains);
    if (n_cand == 0) {
        err_set(err, CC_NOT_FOUND, "unknown footprint %s: no loaded lookup maps LSOAs to it", fc);
        return -1;
    }
    if (!s_org_touches(&P, oc, ent, chains, n_cand, &touch)) {
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
    if (!org || s_code_norm(org, oc) < 0) {
        return NULL;
    }
    const geo_primary_t *p = s_primary_of(g, oc);
    return p ? g->entries[p->footprint].code : NULL;
}
