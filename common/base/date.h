/* SPDX-License-Identifier: Apache-2.0 */
/* date: calendar dates as users write them (YYYY-MM-DD, proleptic
 * Gregorian): the one place that knows month lengths and leap years, for
 * effective dates, execution and ratification dates, agreement terms,
 * as-at dates and working days. */
#ifndef CONCORD_DATE_H
#define CONCORD_DATE_H

/* 1 if y-m-d is a real day (year 1 to 9999), else 0. */
int date_valid(int y, int m, int d);

/* Parses exactly "YYYY-MM-DD" (ten characters, nothing around them) into
 * *y, *m, *d. Returns 0, or -1 (nothing set) for anything else, including
 * a day that does not exist (2017-02-29). */
int date_parse(const char *s, int *y, int *m, int *d);

/* Unix time in milliseconds of 00:00 UTC on y-m-d (a valid day on or
 * after 1970-01-01). */
long long date_start_ms(int y, int m, int d);

#endif
