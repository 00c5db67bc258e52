/* geo_changes: what changed between two vintages of a layer (CCG18 and
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
#ifndef CONCORD_GEO_CHANGES_H
#define CONCORD_GEO_CHANGES_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "geo.h"

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
    uint32_t lsoas; /* LSOAs that changed hands (merger, split, transfer) or the territory */
    int same_territory; /* code change: kept exactly its LSOAs */
    size_t n_from, n_to;
    const geo_change_side_t *from; /* in the first vintage */
    const geo_change_side_t *to;   /* in the second */
} geo_change_t;

typedef struct {
    size_t lsoas;          /* LSOAs in both vintages */
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
