/* SPDX-License-Identifier: Apache-2.0 */
/* workdays: England and Wales bank holidays and working days, computed
 * from the rules (workdays.h states them). */
#include "workdays.h"
#include "date.h"

#include <stdio.h>
#include <string.h>

#define S_DAY_MS 86400000ull

/* Days since 1970-01-01 of y-m-d (Howard Hinnant's days_from_civil). */
static int64_t s_days(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The date of days since 1970-01-01. */
static void s_civil(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* 0 Monday .. 6 Sunday. */
static int s_weekday(int64_t days)
{
    return (int)(((days % 7) + 7 + 3) % 7); /* 1970-01-01 was a Thursday */
}

static int s_real(int y, int m, int d)
{
    return y >= WORKDAYS_YEAR_MIN && y <= WORKDAYS_YEAR_MAX && date_valid(y, m, d);
}

/* Easter Sunday (anonymous Gregorian algorithm), as days since 1970. */
static int64_t s_easter(int y)
{
    int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4, f = (b + 8) / 25;
    int g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30, i = c / 4, k = c % 4;
    int l = (32 + 2 * e + 2 * i - h - k) % 7, m = (a + 11 * h + 22 * l) / 451;
    int month = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1;
    return s_days(y, month, day);
}

/* The first Monday on or after y-m-d. */
static int64_t s_monday_from(int y, int m, int d)
{
    int64_t t = s_days(y, m, d);
    return t + (7 - s_weekday(t)) % 7;
}

/* The last Monday of month m (31 days: May, August). */
static int64_t s_last_monday(int y, int m)
{
    int64_t t = s_days(y, m, 31);
    return t - s_weekday(t);
}

/* The bank holidays of year y, as days since 1970, into out (at most 12).
 * Returns how many. */
static int s_holidays(int y, int64_t out[12])
{
    int n = 0;
    int64_t t = s_days(y, 1, 1);
    /* New Year's Day, or the Monday after when it falls at a weekend. */
    out[n++] = s_weekday(t) >= 5 ? s_monday_from(y, 1, 1) : t;
    int64_t easter = s_easter(y);
    out[n++] = easter - 2;
    out[n++] = easter + 1;
    /* Early May: the first Monday, moved to 8 May in 1995 and 2020. */
    out[n++] = (y == 1995 || y == 2020) ? s_days(y, 5, 8) : s_monday_from(y, 5, 1);
    /* Spring: the last Monday of May, moved for the jubilees, which add a day. */
    if (y == 2002) {
        out[n++] = s_days(2002, 6, 3);
        out[n++] = s_days(2002, 6, 4);
    } else if (y == 2012) {
        out[n++] = s_days(2012, 6, 4);
        out[n++] = s_days(2012, 6, 5);
    } else if (y == 2022) {
        out[n++] = s_days(2022, 6, 2);
        out[n++] = s_days(2022, 6, 3);
    } else {
        out[n++] = s_last_monday(y, 5);
    }
    out[n++] = s_last_monday(y, 8);
    /* Christmas and Boxing Day, each moved past the weekend and past the
     * other: 25 Sat gives Mon 27 and Tue 28; 25 Sun gives Mon 26 (Boxing
     * Day) and Tue 27; 26 Sat gives Mon 28. */
    int64_t xmas = s_days(y, 12, 25);
    int wd = s_weekday(xmas);
    if (wd == 5) {
        out[n++] = xmas + 2;
        out[n++] = xmas + 3;
    } else if (wd == 6) {
        out[n++] = xmas + 1;
        out[n++] = xmas + 2;
    } else if (wd == 4) {
        out[n++] = xmas;
        out[n++] = xmas + 3;
    } else {
        out[n++] = xmas;
        out[n++] = xmas + 1;
    }
    /* Days added by proclamation. */
    static const int extra[][3] = {{1999, 12, 31}, {2011, 4, 29}, {2022, 9, 19}, {2023, 5, 8}};
    for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++) {
        if (extra[i][0] == y) {
            out[n++] = s_days(y, extra[i][1], extra[i][2]);
        }
    }
    return n;
}

static int s_holiday_days(int64_t t)
{
    int y, m, d;
    int64_t h[12];
    s_civil(t, &y, &m, &d);
    int n = s_holidays(y, h);
    for (int i = 0; i < n; i++) {
        if (h[i] == t) {
            return 1;
        }
    }
    return 0;
}

int workdays_bank_holiday(int y, int m, int d)
{
    return s_real(y, m, d) ? s_holiday_days(s_days(y, m, d)) : -1;
}

int workdays_working_day(int y, int m, int d)
{
    if (!s_real(y, m, d)) {
        return -1;
    }
    int64_t t = s_days(y, m, d);
    return s_weekday(t) < 5 && !s_holiday_days(t);
}

/* n working days after day t, into *out; -1 past the years. */
static int s_after(int64_t t, unsigned n, int64_t *out)
{
    int y, m, d;
    while (n) {
        t++;
        s_civil(t, &y, &m, &d);
        if (y > WORKDAYS_YEAR_MAX) {
            return -1;
        }
        n -= s_weekday(t) < 5 && !s_holiday_days(t);
    }
    *out = t;
    return 0;
}

int workdays_after(const char *date, unsigned n, char out[11])
{
    int y, m, d;
    char tail;
    int64_t t;
    if (!date || strlen(date) != 10 || sscanf(date, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
        date[4] != '-' || date[7] != '-' || !s_real(y, m, d) || s_after(s_days(y, m, d), n, &t) < 0) {
        return -1;
    }
    s_civil(t, &y, &m, &d);
    snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
    return 0;
}

int workdays_end_ms(uint64_t at_ms, unsigned n, uint64_t *end_ms)
{
    int64_t t = (int64_t)(at_ms / S_DAY_MS), end;
    int y, m, d;
    s_civil(t, &y, &m, &d);
    if (y < WORKDAYS_YEAR_MIN || y > WORKDAYS_YEAR_MAX || s_after(t, n, &end) < 0) {
        return -1;
    }
    *end_ms = (uint64_t)(end + 1) * S_DAY_MS - 1;
    return 0;
}

long workdays_clear_between(uint64_t from_ms, uint64_t to_ms)
{
    int64_t from = (int64_t)(from_ms / S_DAY_MS), to = (int64_t)(to_ms / S_DAY_MS);
    int y, m, d;
    long n = 0;
    s_civil(from, &y, &m, &d);
    if (y < WORKDAYS_YEAR_MIN || y > WORKDAYS_YEAR_MAX) {
        return -1;
    }
    s_civil(to, &y, &m, &d);
    if (y > WORKDAYS_YEAR_MAX) {
        return -1;
    }
    for (int64_t t = from + 1; t < to; t++) {
        n += s_weekday(t) < 5 && !s_holiday_days(t);
    }
    return n;
}
