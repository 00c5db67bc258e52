/* SPDX-License-Identifier: Apache-2.0 */
/* geo: the ONS geography model and STP footprint alignment.
 *
 * A model is loaded from any number of ONS lookup CSVs. Columns are found
 * by pattern, not by one year's header: <LAYER><YY>CD is a code column,
 * <LAYER><YY>NM its name, <LAYER><YY>CDH its NHS three-character code, for
 * any layer (LSOA, CCG, STP, LAD, CTY, CAUTH, NHSER, ...) and any two-digit
 * year, case-insensitively; other columns (FID, ObjectId, ...) are ignored.
 * In each file the first code column is the key and every other code
 * column a parent of it (LSOA11CD -> CCG17CD, STP17CD, LAD17CD).
 *
 * A layer is a vintage: a kind and a year (CCG17, CCG20, STP18, LSOA11).
 * Files of different years load side by side: CCG17 and CCG20 are two
 * layers, so two years never conflict, while two files of one vintage that
 * disagree are refused. Vintages join on the LSOAs they share and, for one
 * kind, on the codes they share (a bridge: a 2018 LSOA->LAD18 file and a
 * 2017 LAD17->CAUTH17 file give LSOA->CAUTH17 through the LAD codes both
 * years have). LSOA11 and LSOA21 are not bridged: census geographies need a
 * best-fit lookup, which is a file like any other. A vintage is in force
 * from 1 April of its year (ONS lookups are "as at" 1 April) or, when the
 * file name carries a month of that year (Dec2017), the first of that month;
 * the earliest file giving the vintage decides.
 *
 * Where a layer is named, a kind ("STP") means its newest loaded vintage
 * and a vintage ("STP17") means itself.
 *
 * Alignment counts LSOAs (about 1,500 residents each, a fair proxy for
 * population) in every organisation x footprint cell, for footprints of
 * any layer reachable from the LSOAs by a chain of lookups (STP directly,
 * NHSER through the CCG, CAUTH through the LAD). Organisations are CCGs,
 * upper-tier councils (an E07 district's county from the LAD->CTY lookup;
 * every other LAD is upper tier itself), district councils (E07) and
 * combined authorities (LAD->CAUTH). Counts are integers; shares are
 * permille, split by largest remainder so one organisation's shares always
 * sum to exactly 1000.
 *
 * Strings handed out (codes, names) belong to the model and live until
 * geo_destroy. An alignment points into its model: destroy it first. */
#ifndef CONCORD_GEO_H
#define CONCORD_GEO_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef struct geo geo_t;
typedef struct geo_align geo_align_t;

/* The atom every count is made of, and the default footprint layer. */
#define GEO_ATOM_LAYER "LSOA"
#define GEO_DEFAULT_LAYER "STP"
#define GEO_LAYER_NAME_MAX 15 /* letters in a layer name */
#define GEO_CODE_MAX 15       /* characters in a code */

/* ---- Loading and the model ---- */

/* Loads the n lookup files at paths into a fresh model. All or nothing:
 * returns the model (caller owns; geo_destroy), or NULL with err set and
 * nothing kept. Errors name the file and, for row errors, line and column:
 * CSV syntax (see csv.h); a file without two code columns, or a name
 * column without its code column (naming the <LAYER><YY>CD pattern); two
 * code columns of one vintage; a code that is empty or not alphanumeric; a
 * key given a parent that conflicts with one already read (in this file or
 * an earlier one). A caller replacing a model it uses loads a new one and
 * swaps only on success. */
geo_t *geo_load(const char *const *paths, size_t n, cc_err_t *err);

/* Loads every *.csv in dir (sorted by name) as geo_load does. NULL with err
 * set if dir cannot be read or holds no CSV. */
geo_t *geo_load_dir(const char *dir, cc_err_t *err);

/* Loads every *.csv in dir (sorted by name) and then the n_extra files
 * in extra (a user's own lookup beside the shipped ones), as geo_load. */
geo_t *geo_load_dir_and(const char *dir, const char *const *extra, size_t n_extra, cc_err_t *err);

/* Where the shipped lookups are: `given` if not NULL, else the
 * CONCORD_DATA_DIR environment variable, else share/concord/ons beside
 * the running program as installed (bin/../share/concord/ons), else the
 * build tree's copy, else the configured prefix's. Never the source tree.
 * Static storage or the caller's strings. */
const char *geo_data_dir(const char *given);

/* Frees the model and NULLs *g. Safe on NULL and on *g NULL. */
void geo_destroy(geo_t **g);

/* Files loaded, and the path of file i (i < geo_file_count). */
size_t geo_file_count(const geo_t *g);
const char *geo_file_path(const geo_t *g, size_t i);

/* Dates are YYYYMMDD integers (20170401); GEO_LATEST stands for "the
 * newest loaded". */
#define GEO_LATEST UINT32_MAX

/* "2017-04-01" -> 20170401; 0 if s is not a valid date in that form. */
uint32_t geo_date_parse(const char *s);

/* Formats a date as "2017-04-01" into buf (11 bytes); "latest" for
 * GEO_LATEST. Returns buf. */
const char *geo_date_str(uint32_t date, char *buf, size_t size);

/* Layers (vintages) seen, in order of first appearance: the vintage name
 * ("CCG17"), its kind ("CCG") and the date it is in force from. */
size_t geo_layer_count(const geo_t *g);
const char *geo_layer_name(const geo_t *g, size_t i);
const char *geo_layer_kind(const geo_t *g, size_t i);
uint32_t geo_layer_start(const geo_t *g, size_t i);

/* The name of the vintage a layer name means ("STP" -> "STP20" when the
 * newest STP loaded is of 2020), or NULL if none is loaded. */
const char *geo_layer_resolve(const geo_t *g, const char *layer);

/* Number of distinct codes of a layer ("lsoa", "LSOA" or "LSOA11"); 0 if
 * the layer is unknown. */
size_t geo_count(const geo_t *g, const char *layer);

/* The name of code in layer, "" if no file named it, NULL if the code is
 * not in that layer. */
const char *geo_name(const geo_t *g, const char *layer, const char *code);

/* The code's parent in parent_layer, directly or through the shortest
 * chain of lookups (LSOA -> CCG -> NHSER). NULL if the code is unknown, no
 * chain exists, or a link of it is missing for this code. */
const char *geo_parent(const geo_t *g, const char *layer, const char *code,
                       const char *parent_layer);

/* The codes of layer `of` that share at least one LSOA with `code` of
 * layer `layer` (the sub-ICB locations of an ICB: layer "ICB", of
 * "SICBL"), sorted, at most max of them, into codes (the model's strings)
 * and, if not NULL, their shared LSOA counts into lsoas. Returns how many
 * it stored (at most max: the first met beyond it are dropped), 0 if none
 * or the code or a chain from the LSOAs is unknown. */
size_t geo_overlap(const geo_t *g, const char *layer, const char *code, const char *of,
                   const char **codes, uint32_t *lsoas, size_t max);

/* ---- Organisations and declared primary footprints ---- */

typedef enum {
    GEO_CCG = 0,
    GEO_UPPER,    /* upper-tier council: E06, E08, E09, E10 (and non-English unitaries) */
    GEO_DISTRICT, /* E07 district council, lower tier */
    GEO_CAUTH,    /* combined authority, E47 */
    GEO_KINDS
} geo_kind_t;

/* "CCG", "upper-tier council", "district council", "combined authority". */
const char *geo_kind_name(geo_kind_t kind);
/* "ccg", "upper_tier_council", "district_council", "combined_authority". */
const char *geo_kind_key(geo_kind_t kind);

/* Records footprint as org's declared primary footprint: the one it has
 * chosen to plan with, which a realignment decision may move away from
 * where most of its population lies. A later call replaces it. Checks that
 * org is an organisation of the model (CCG, council or combined
 * authority) in some vintage, that footprint is a code of a layer the
 * LSOAs map to, and that the two share at least one LSOA. The primary is
 * kept by code and kind, so it shows in every vintage of that kind whose
 * footprints have the code. Returns 0, or -1 with err set
 * (CC_NOT_FOUND naming the unknown code, CC_FAILED_PRECONDITION if they do
 * not touch). The board engine calls this when a realignment passes; the
 * model does not keep it across a reload, so the engine re-applies its
 * decisions to a freshly loaded model. */
int geo_set_primary(geo_t *g, const char *org, const char *footprint, cc_err_t *err);

/* The declared primary footprint of org, or NULL if none was declared. */
const char *geo_primary(const geo_t *g, const char *org);

/* ---- Alignment ---- */

typedef enum {
    GEO_WHOLE = 0, /* every LSOA in one footprint */
    GEO_SPLIT,     /* LSOAs in two or more footprints */
    GEO_PARTIAL,   /* some LSOAs in one footprint, the rest in none */
    GEO_OUTSIDE,   /* no LSOA in any footprint of the layer */
} geo_class_t;

/* How an organisation's LSOA set relates to a footprint's it overlaps. */
typedef enum {
    GEO_EQUAL = 0,
    GEO_CONTAINS,     /* the organisation contains the footprint */
    GEO_CONTAINED_BY, /* the organisation lies inside the footprint */
    GEO_OVERLAPS,     /* each has LSOAs outside the other */
} geo_rel_t;

/* "whole", "split", "partial", "outside" and "equal", "contains",
 * "contained by", "partial overlap". */
const char *geo_class_name(geo_class_t c);
const char *geo_rel_name(geo_rel_t r);

typedef struct geo_footprint geo_footprint_t;

/* One organisation x footprint cell. */
typedef struct {
    const geo_footprint_t *footprint;
    uint32_t lsoas;    /* LSOAs of the organisation inside the footprint */
    uint32_t permille; /* share of the organisation inside it */
    geo_rel_t rel;
} geo_cell_t;

typedef struct {
    geo_kind_t kind;
    const char *code;
    const char *name;
    const char *county; /* a district's upper-tier council, else NULL */
    uint32_t lsoas;     /* all of the organisation's LSOAs */
    uint32_t outside;   /* of those, LSOAs in no footprint of the layer */
    uint32_t outside_permille;
    geo_class_t cls;
    size_t n_cells;
    const geo_cell_t *cells;        /* most LSOAs first, ties by code */
    const geo_footprint_t *primary; /* declared primary in this layer, or NULL */
} geo_org_t;

/* An organisation touching a footprint, and its cell there. */
typedef struct {
    const geo_org_t *org;
    const geo_cell_t *cell;
} geo_member_t;

struct geo_footprint {
    const char *code;
    const char *name;
    uint32_t lsoas;
    /* 1 if the footprint is exactly the union of whole upper-tier councils. */
    int coterminous;
    size_t n_members[GEO_KINDS];
    const geo_member_t *members[GEO_KINDS]; /* by organisation code */
};

typedef struct {
    size_t files;
    size_t lsoas;
    size_t lsoas_outside; /* LSOAs in no footprint of the layer */
    size_t footprints;
    size_t footprints_empty; /* footprint codes with no LSOA */
    size_t coterminous;
    size_t lads;
    size_t districts_without_county; /* E07s whose county no lookup gives */
    size_t orgs[GEO_KINDS];
    size_t split[GEO_KINDS];
    size_t partial[GEO_KINDS];
    size_t primaries; /* organisations with a declared primary here */
} geo_summary_t;

/* Computes the alignment of every organisation with every footprint of
 * layer (NULL: GEO_DEFAULT_LAYER) as at a date: for each kind (the
 * footprints', LSOAs, CCGs, LADs, counties, combined authorities) the
 * vintage in force on as_at, that is the newest whose start is not after
 * it, or else the earliest loaded if it is of as_at's year (a December
 * county lookup stands for its whole year). A layer given as a vintage
 * ("STP17") is used as named. as_at GEO_LATEST takes the newest vintage of
 * each kind, except that a layer given as a vintage sets as_at to that
 * vintage's start, so "STP17" aligns 2017 organisations with 2017
 * footprints. Returns the alignment (caller owns; geo_align_destroy), or
 * NULL with err set: CC_FAILED_PRECONDITION when no lookup gives the LSOAs
 * or the layer (or none in force on as_at), or no chain of lookups leads
 * from one to the other, naming the column pattern needed. */
geo_align_t *geo_align_at(const geo_t *g, const char *layer, uint32_t as_at, cc_err_t *err);

/* geo_align_at(g, layer, GEO_LATEST, err). */
geo_align_t *geo_align(const geo_t *g, const char *layer, cc_err_t *err);
void geo_align_destroy(geo_align_t **a);

/* The footprint layer's vintage, upper case ("STP17"). */
const char *geo_align_layer(const geo_align_t *a);

/* The date the alignment is as at (GEO_LATEST when none was asked). */
uint32_t geo_align_as_at(const geo_align_t *a);

/* The vintages the alignment used: the footprints' first, then the
 * LSOAs', then each organisation kind's that is loaded (CCG, LAD, CTY,
 * CAUTH); i < geo_align_vintage_count. */
size_t geo_align_vintage_count(const geo_align_t *a);
const char *geo_align_vintage(const geo_align_t *a, size_t i);
void geo_align_summary(const geo_align_t *a, geo_summary_t *out);

/* Footprints sorted by code; i < geo_align_footprint_count. */
size_t geo_align_footprint_count(const geo_align_t *a);
const geo_footprint_t *geo_align_footprint(const geo_align_t *a, size_t i);
/* NULL if code (any case) is not a footprint of this layer. */
const geo_footprint_t *geo_align_find_footprint(const geo_align_t *a, const char *code);

/* Organisations of a kind sorted by code; i < geo_align_org_count. */
size_t geo_align_org_count(const geo_align_t *a, geo_kind_t kind);
const geo_org_t *geo_align_org(const geo_align_t *a, geo_kind_t kind, size_t i);
/* NULL if code (any case) is no organisation with an LSOA. */
const geo_org_t *geo_align_find_org(const geo_align_t *a, const char *code);

/* The organisation's cell in footprint fp, or NULL if they do not touch. */
const geo_cell_t *geo_org_cell(const geo_org_t *org, const geo_footprint_t *fp);

/* How many of the footprint's organisations of kind are not wholly inside
 * it (split across footprints or partly in none): for upper-tier councils,
 * the column "SPLIT" of `concord footprint report`. */
size_t geo_footprint_split_count(const geo_footprint_t *fp, geo_kind_t kind);

/* ---- changes between two vintages ----
 geo_changes: what changed between two vintages of a layer (CCG18 and
 * CCG20), computed from the lookups alone by following every LSOA the two
 * vintages share from its organisation in the first to its organisation in
 * the second.
 *
 * The flows (old organisation -> new organisation, with LSOA counts) are
 * read through two "largest" relations: each old organisation's main
 * destination (where most of its LSOAs went) and each new organisation's
 * main source (where most of its LSOAs came from); ties go to the smaller
 * code. An old and a new organisation that are each other's main one
 * continue one another. Then:
 *
 * - merger: a new organisation that is the main destination of two or more
 *   old ones (NHS Kent and Medway CCG, E38000237, from eight Kent CCGs in
 *   April 2020); its flows from those are the merger.
 * - split: an old organisation that is the main source of two or more new
 *   ones; its flows to those are the split.
 * - boundary transfer: any other flow between organisations that do not
 *   continue one another (LSOAs moving between Fylde and Wyre, Greater
 *   Preston and Morecambe Bay CCGs in April 2018).
 * - code change: a continuing pair outside mergers and splits whose codes
 *   differ; same_territory says whether it kept exactly its LSOAs (the
 *   three Lancashire CCGs also took new codes, E38000226 to E38000228, with
 *   their transfers).
 * - rename: a continuing pair with the same code and another name.
 *
 * The two vintages may come from one model or two (two sets of files of
 * one year, or any two years, whatever the years in their column names). */

typedef struct geo_changes geo_changes_t;

typedef enum {
    GEO_MERGER = 0,
    GEO_SPLIT_UP,
    GEO_TRANSFER,
    GEO_CODE_CHANGE,
    GEO_RENAME,
    GEO_CHANGE_KINDS
} geo_change_kind_t;

/* One organisation in a change: its code and name in its vintage, the
 * LSOAs of this change's flow (for a merger's successor or a split's
 * predecessor: all it had), all its LSOAs, and the organisation it
 * continues as (old side) or continues (new side), NULL if none. */
typedef struct {
    const char *code;
    const char *name;
    uint32_t lsoas;
    uint32_t total;
    const char *cont;
} geo_change_side_t;

typedef struct {
    geo_change_kind_t kind;
    uint32_t lsoas;     /* LSOAs that changed hands (merger, split, transfer) or the territory */
    int same_territory; /* code change: kept exactly its LSOAs */
    size_t n_from, n_to;
    const geo_change_side_t *from; /* in the first vintage */
    const geo_change_side_t *to;   /* in the second */
} geo_change_t;

typedef struct {
    size_t lsoas;           /* LSOAs in both vintages */
    size_t lsoas_only_from; /* LSOAs only the first maps (or only its LSOA file has) */
    size_t lsoas_only_to;
    size_t orgs_from, orgs_to; /* organisations with a shared LSOA */
    size_t unchanged;          /* continuing pairs: same code, name and LSOAs */
    size_t count[GEO_CHANGE_KINDS];
    size_t code_same_territory; /* code changes that kept their LSOAs */
} geo_changes_summary_t;

/* "merger", "split", "boundary transfer", "code change", "rename". */
const char *geo_changes_kind_name(geo_change_kind_t k);
/* "merger", "split", "transfer", "code_change", "rename". */
const char *geo_changes_kind_key(geo_change_kind_t k);

/* Compares layer `from` of model a with layer `to` of model b (b may be
 * a). Each is a kind (newest vintage) or a vintage. Returns the changes
 * (caller owns; geo_changes_destroy; they point into both models, which
 * must outlive them), or NULL with err set: CC_FAILED_PRECONDITION when a
 * layer is not loaded, no LSOAs lead to it, or the two use different LSOA
 * vintages (LSOA11 and LSOA21 need a best-fit lookup). */
geo_changes_t *geo_changes(const geo_t *a, const char *from, const geo_t *b, const char *to,
                           cc_err_t *err);
void geo_changes_destroy(geo_changes_t **c);

/* The vintages compared ("CCG18", "CCG20") and the LSOAs' ("LSOA11"). */
const char *geo_changes_from(const geo_changes_t *c);
const char *geo_changes_to(const geo_changes_t *c);
const char *geo_changes_atom(const geo_changes_t *c);

void geo_changes_summary(const geo_changes_t *c, geo_changes_summary_t *out);

/* Changes by kind (mergers first), then by the new code, then the old;
 * i < geo_changes_count. */
size_t geo_changes_count(const geo_changes_t *c);
const geo_change_t *geo_changes_get(const geo_changes_t *c, size_t i);

#endif
