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

#endif
