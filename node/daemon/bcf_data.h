/* SPDX-License-Identifier: Apache-2.0 */
/* bcf_data: the Better Care Fund policy data shipped with Concord
 * (data/bcf, installed as share/concord/bcf beside the ONS lookups): the
 * national conditions of each policy year (conditions.csv) and the
 * councils that share another's BCF area (areas.csv). Policy, not code:
 * docs/POOLS.md and data/bcf/SOURCES.md describe the files. */
#ifndef CONCORD_BCF_DATA_H
#define CONCORD_BCF_DATA_H

#include <stddef.h>

#include "err.h"
#include "keys.h"
#include "pool.h"

#define BCF_DATA_SHARED_MAX 16

/* Councils that share another council's BCF area. */
typedef struct {
    char council[BCF_DATA_SHARED_MAX][KEYS_CODE_MAX + 1];
    char area_of[BCF_DATA_SHARED_MAX][KEYS_CODE_MAX + 1];
    size_t n;
} bcf_data_shared_t;

/* The directory beside the ONS lookups' (geo_data_dir): .../bcf. Static
 * storage. */
const char *bcf_data_dir(void);

/* Reads dir/conditions.csv and adds every row to e, in file order.
 * Returns the number added, or -1 with err (the file, line and field). */
long bcf_data_conditions(pool_engine_t *e, const char *dir, cc_err_t *err);

/* Reads dir/areas.csv into out. Returns 0, or -1 with err. */
int bcf_data_shared(const char *dir, bcf_data_shared_t *out, cc_err_t *err);

/* The area council shares (its bcf_area_of), or NULL. */
const char *bcf_data_shared_area(const bcf_data_shared_t *s, const char *council);

#endif
