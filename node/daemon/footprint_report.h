/* SPDX-License-Identifier: Apache-2.0 */
/* footprint_report: the alignment report of `concord footprint report`
 * (counts, every footprint, split organisations, combined authorities) as
 * the Control reply FootprintReport, computed by common/geo from the ONS
 * lookups the node finds (geo_data_dir) with the primary footprints its
 * boards decided applied. */
#ifndef CONCORD_FOOTPRINT_REPORT_H
#define CONCORD_FOOTPRINT_REPORT_H

#include <stddef.h>

#include "control.h"
#include "err.h"

/* Loads the lookups in data_dir (NULL: geo_data_dir's choice), declares
 * orgs[i]'s primary footprint footprints[i] for each i < n in that order
 * (a later one replaces an earlier; one the lookups cannot place is
 * skipped with a warning in the log), aligns the newest footprints and
 * returns the reply (free it with wire_free), or NULL with err set:
 * FAILED_PRECONDITION when the lookups cannot be read or aligned. */
Concord__V1__FootprintReportReply *footprint_report_build(const char *data_dir,
                                                          const char *const *orgs,
                                                          const char *const *footprints, size_t n,
                                                          cc_err_t *err);

#endif
