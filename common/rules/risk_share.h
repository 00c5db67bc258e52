/* SPDX-License-Identifier: Apache-2.0 */
/* risk_share: the rules of a pooled fund's risk share (how a year's
 * variance is borne) and the split they give. Pure functions. */
#ifndef CONCORD_RISK_SHARE_H
#define CONCORD_RISK_SHARE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "money.h"
#include "pool.pb-c.h"
#include "pool_limits.h"

/* One partner's part of a risk share. */
typedef struct {
    int64_t weight; /* contribution, basis points, or 1 (BORNE_BY) */
    int64_t quota;  /* floor(|total| x weight / sum of weights), pence */
    int penny;      /* 1 if it took a remainder penny */
    int64_t cut;    /* pence its cap cut off, moved to remainder_to (>= 0) */
    int64_t share;  /* signed like the total; the shares sum to it */
} risk_share_part_t;

/* Whether a risk share rule fits partners codes[0..n): a basis; FIXED:
 * basis points for partners named once, summing to exactly
 * POOL_BASIS_POINTS; BORNE_BY: a partner; caps >= 0 on partners named
 * once, and then remainder_to a partner without a cap. Returns 0, or -1
 * with INVALID_ARGUMENT. */
int risk_share_check(const Concord__V1__RiskShare *r, const char *const *codes, size_t n,
                     cc_err_t *err);

/* Splits a year's variance among partners (codes) by rule: PRO_RATA by
 * contributions (that year's, 0 for a partner not contributing), FIXED by
 * basis points, BORNE_BY all to one (money_split in each case); then each
 * capped partner keeps at most its cap (in absolute value) and what is
 * cut goes to rule->remainder_to. The shares always sum to the variance.
 * Returns 0, or -1 with INVALID_ARGUMENT (a rule that risk_share_check
 * would refuse for these partners, contributions all 0 under PRO_RATA). */
int risk_share_split(const Concord__V1__RiskShare *rule, const char *const *codes,
                     const int64_t *contributions, size_t n, int64_t variance,
                     risk_share_part_t *parts, cc_err_t *err);

#endif
