/* SPDX-License-Identifier: Apache-2.0 */
/* workdays: working days in England and Wales, for periods the law counts
 * in working days (a council executive decision's call-in period, Local
 * Government Act 2000 s9F and the authority's scrutiny procedure rules).
 *
 * A working day is a weekday that is not a bank holiday. Bank holidays are
 * computed, not listed: those of the Banking and Financial Dealings Act
 * 1971 Sch 1 as England and Wales keep them (New Year's Day, Good Friday,
 * Easter Monday, the first and last Mondays of May, the last Monday of
 * August, Christmas Day and Boxing Day), with the substitute day when one
 * falls at a weekend, and the days moved or added by royal proclamation
 * from 1978: the May Day holiday of 1995 and 2020 moved to 8 May; the
 * spring holiday of 2002, 2012 and 2022 moved into June beside a jubilee
 * day; and the one-off days of 31 December 1999, 29 April 2011, 19 September
 * 2022 and 8 May 2023. Dates are proleptic Gregorian, years 1978 to 2099. */
#ifndef CONCORD_WORKDAYS_H
#define CONCORD_WORKDAYS_H

#include <stdint.h>

#define WORKDAYS_YEAR_MIN 1978
#define WORKDAYS_YEAR_MAX 2099

/* 1 if y-m-d is a bank holiday in England and Wales (substitute days
 * included), 0 if not, -1 if the date is not real or outside the years. */
int workdays_bank_holiday(int y, int m, int d);

/* 1 if y-m-d is a working day, 0 if not, -1 as above. */
int workdays_working_day(int y, int m, int d);

/* The date n working days after `date` (YYYY-MM-DD; the day itself does not
 * count), written to out as YYYY-MM-DD. Returns 0, or -1 for a date that
 * is not real, outside the years, or a result past them. */
int workdays_after(const char *date, unsigned n, char out[11]);

/* The end (23:59:59.999 UTC) of the n-th working day after the day (UTC)
 * of at_ms, into end_ms. Returns 0, or -1 outside the years. */
int workdays_end_ms(uint64_t at_ms, unsigned n, uint64_t *end_ms);

/* The clear working days between the days (UTC) of from_ms and to_ms:
 * the working days after the first and before the second, neither
 * counted (0 when to_ms's day is not at least two days after from_ms's).
 * Returns the count, or -1 outside the years. */
long workdays_clear_between(uint64_t from_ms, uint64_t to_ms);

#endif
