/* geo_priv: the model's internals, shared by geo.c (loading and queries)
 * and geo_align.c (alignment and declared primaries). Not an API: nothing
 * outside those two files includes it. */
#ifndef CONCORD_GEO_PRIV_H
#define CONCORD_GEO_PRIV_H

#include <stdint.h>

#include "geo.h"

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

#endif
