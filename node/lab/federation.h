/* SPDX-License-Identifier: Apache-2.0 */
/* federation: what a generated federation is made of, independent of how
 * its processes run. Chooses the member organisations of an area from
 * the ONS geography (a combined authority, an STP footprint, a Health and
 * Wellbeing Board area, or all of England), and reads and writes the
 * federation's description, DIR/federation.ini (docs/FEDERATIONS.md):
 *
 *   [federation]
 *   name = Greater Manchester
 *   scope = area                  ; area, stp, county, england or ics
 *   code = E47000001              ; the area's code (X24 for england)
 *   broker = tcp://127.0.0.1:7400
 *   [org E38000016]               ; one per member, in roster order
 *   name = NHS Bolton CCG
 *   kind = CCG                    ; roster kind
 *   constituency = nhs            ; nhs or local-government
 */
#ifndef CONCORD_FEDERATION_H
#define CONCORD_FEDERATION_H

#include <stddef.h>

#include "err.h"
#include "geo.h"
#include "keys.h"

#define FEDERATION_NHSE_CODE "X24"
#define FEDERATION_NHSE_NAME "NHS England"
#define FEDERATION_NAME_MAX 120
#define FEDERATION_ENDPOINT_MAX 128

typedef enum {
    FEDERATION_AREA = 0, /* a combined authority: --area E47... */
    FEDERATION_STP,      /* an STP footprint: --stp E54... */
    FEDERATION_COUNTY,   /* an HWB area: --county (an upper-tier council) */
    FEDERATION_ENGLAND,  /* every CCG and upper-tier council */
    FEDERATION_ICS,      /* an integrated care system: --ics E54... (an ICB) */
} federation_scope_t;

/* The date federation_from_geo builds for: the April 2017 configuration
 * the scenarios were written for, whatever later vintages are loaded. */
#define FEDERATION_AS_AT 20170401
/* The most sub-ICB locations one ICB may have. */
#define FEDERATION_ICS_MAX 64

typedef struct {
    char code[KEYS_CODE_MAX + 1];
    char name[KEYS_NAME_MAX + 1];
    char kind[KEYS_KIND_MAX + 1]; /* CCG, COUNCIL_UPPER, COUNCIL_DISTRICT, NHS_ENGLAND */
    char constituency[24];        /* nhs or local-government */
} federation_org_t;

typedef struct {
    char name[FEDERATION_NAME_MAX + 1];
    federation_scope_t scope;
    char code[KEYS_CODE_MAX + 1];
    char broker[FEDERATION_ENDPOINT_MAX];
    federation_org_t *orgs; /* malloc'd; federation_free releases it */
    size_t n_orgs;
} federation_t;

/* "area", "stp", "county", "england"; federation_scope_parse returns the
 * scope or -1. */
const char *federation_scope_name(federation_scope_t s);
int federation_scope_parse(const char *text);

/* Fills f (zeroed by the caller) with the members of the area: for AREA
 * every CCG, upper-tier and district council sharing an LSOA with the
 * combined authority; for STP the footprint's CCGs and upper-tier
 * councils; for COUNTY the upper-tier council, its districts and the CCGs
 * sharing an LSOA with it; for ENGLAND every CCG and upper-tier council.
 * NHS England is always added last. Names come from the ONS files; the
 * federation's name is the area's unless name is not NULL. Returns 0, or
 * -1 with CC_NOT_FOUND naming a code that is not of the kind the scope
 * needs, or CC_RESOURCE_EXHAUSTED. */
int federation_from_geo(const geo_t *g, federation_scope_t scope, const char *code,
                        const char *name, federation_t *f, cc_err_t *err);

/* As federation_from_geo, with the organisations and footprints in force
 * on as_at (YYYYMMDD; geo_align_at): 20200401 gives the April 2020
 * configuration (Greater Manchester with its 10 CCGs). For ICS, the
 * scope is the ICB (E54) of the newest ICB<YY>CD lookup loaded (a file the
 * user supplies, with SICBL<YY>CD columns), with its sub-ICB locations,
 * the upper-tier councils sharing an LSOA with it and NHS England; as_at
 * is then that vintage's date. */
int federation_from_geo_at(const geo_t *g, federation_scope_t scope, const char *code,
                           const char *name, uint32_t as_at, federation_t *f, cc_err_t *err);

/* Writes f as federation.ini text to path (created, mode 0644; fails if
 * it exists). Returns 0 or -1 with err set. */
int federation_save(const federation_t *f, const char *path, cc_err_t *err);

/* Reads DIR/federation.ini into f (zeroed by the caller). Returns 0, or
 * -1 with CC_NOT_FOUND if dir holds no federation, or
 * CC_INVALID_ARGUMENT naming file, line and problem. */
int federation_load(const char *dir, federation_t *f, cc_err_t *err);

/* The index of code among f's members, or -1. */
int federation_find(const federation_t *f, const char *code);

/* Releases f->orgs. Safe to call twice. */
void federation_free(federation_t *f);

#endif
