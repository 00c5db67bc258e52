/* SPDX-License-Identifier: Apache-2.0 */
/* money: the one place that parses and formats amounts. Money is integer
 * pence (int64) everywhere; there is no floating point. */
#ifndef CONCORD_MONEY_H
#define CONCORD_MONEY_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Parses pounds as a user writes them: "6200000000", "6,200,000,000.00",
 * "£131m", "6.2bn", "1.5k", "0.07". At most two decimal places unless a
 * suffix (k, m, bn) is given, and then the result must still be whole
 * pence. Returns 0 with *pence set, or -1 (INVALID_ARGUMENT naming the
 * text, or OUT_OF_RANGE on overflow). Negative amounts are refused. */
int money_parse(const char *text, int64_t *pence, cc_err_t *err);

/* Formats pence as "£6,200,000,000.00" (or "-£1.50") into buf; returns
 * buf. size must be at least MONEY_TEXT_MAX. */
#define MONEY_TEXT_MAX 40
char *money_format(int64_t pence, char *buf, size_t size);

/* Money as text by value, for use inside one printf: money_text(p).s. */
typedef struct {
    char s[MONEY_TEXT_MAX];
} money_text_t;

money_text_t money_text(int64_t pence);

/* ---- financial years (April to March), named by the year they start ---- */

#define MONEY_YEAR_MIN 2000 /* 2000/01 */
#define MONEY_YEAR_MAX 2099

/* "2017/18" for 2017 into buf (at least 8 bytes); returns buf. */
char *money_year_name(uint32_t year, char *buf, size_t size);

/* Parses a financial year as "2017/18" or "2017", MONEY_YEAR_MIN to
 * MONEY_YEAR_MAX, the second part being the year after the first. Returns
 * 0 with *year set, or -1. */
int money_year_parse(const char *text, uint32_t *year);

/* ---- the largest-remainder split ---- */

/* One part of a split. */
typedef struct {
    int64_t weight; /* as given */
    int64_t quota;  /* floor(|total| x weight / sum of weights) */
    int penny;      /* 1 if it took one of the units left over */
    int64_t share;  /* quota + penny, signed like the total; the shares sum to it */
} money_part_t;

/* Largest-remainder split of total (either sign) in proportion to
 * weights (each >= 0, not all 0). Each part's quota is
 * floor(|total| x w / W); the pennies left over go one each to the parts
 * with the largest remainders (|total| x w mod W), ties to the smaller
 * code (strcmp), so the result does not depend on the order of the
 * inputs; with codes NULL, ties go to the earlier part (the caller's
 * order decides). Shares carry the sign of total and sum to it exactly.
 * codes must be distinct. Arithmetic is 128-bit; nothing overflows. The
 * one largest-remainder split: pennies of a pooled fund, permille of an
 * organisation's LSOAs. Returns 0, or -1 with INVALID_ARGUMENT (negative
 * weight, no weight, total INT64_MIN, n == 0). */
int money_split(int64_t total, const int64_t *weights, const char *const *codes, size_t n,
                money_part_t *parts, cc_err_t *err);

#endif
