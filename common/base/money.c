/* SPDX-License-Identifier: Apache-2.0 */
/* money: parsing, formatting and splitting integer pence; financial
 * years. */
#include "money.h"

#include <stdio.h>
#include <string.h>

/* Appends decimal digit d to *v, refusing overflow. */
static int s_push(int64_t *v, int d)
{
    if (*v > (INT64_MAX - d) / 10) {
        return -1;
    }
    *v = *v * 10 + d;
    return 0;
}

int money_parse(const char *text, int64_t *pence, cc_err_t *err)
{
    const char *p = text;
    int64_t whole = 0, frac = 0;
    int frac_digits = 0, seen_digit = 0, seen_point = 0;
    if (strncmp(p, "\xc2\xa3", 2) == 0) { /* £ in UTF-8 */
        p += 2;
    }
    if (*p == '-' || strncmp(p, "\xe2\x88\x92", 3) == 0) { /* '-' or U+2212 minus */
        err_set(err, CC_INVALID_ARGUMENT,
                "amount '%s' is negative: amounts are positive pounds (an underspend is an"
                " outturn below the contributions)",
                text);
        return -1;
    }
    for (; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            seen_digit = 1;
            if (seen_point) {
                if (frac_digits == 9 || s_push(&frac, *p - '0') < 0) {
                    goto bad;
                }
                frac_digits++;
            } else if (s_push(&whole, *p - '0') < 0) {
                goto range;
            }
        } else if (*p == ',' && !seen_point && seen_digit) {
            continue;
        } else if (*p == '.' && !seen_point) {
            seen_point = 1;
        } else {
            break;
        }
    }
    /* Scale: pence per pound times the suffix. */
    int64_t scale = 100;
    if (strcmp(p, "k") == 0) {
        scale = 100000;
    } else if (strcmp(p, "m") == 0) {
        scale = 100000000;
    } else if (strcmp(p, "bn") == 0) {
        scale = 100000000000;
    } else if (*p) {
        goto bad;
    }
    if (!seen_digit) {
        goto bad;
    }
    if (whole > INT64_MAX / scale) {
        goto range;
    }
    int64_t total = whole * scale;
    /* frac has frac_digits digits: its value is frac / 10^frac_digits. */
    int64_t div = 1;
    for (int i = 0; i < frac_digits; i++) {
        div *= 10;
    }
    /* 128-bit: up to nine decimals times a billion-pound scale. */
    __int128 scaled = (__int128)frac * scale;
    if (scaled % div != 0) {
        err_set(err, CC_INVALID_ARGUMENT, "amount '%s' is not a whole number of pence", text);
        return -1;
    }
    int64_t extra = (int64_t)(scaled / div);
    if (total > INT64_MAX - extra) {
        goto range;
    }
    *pence = total + extra;
    return 0;
bad:
    err_set(err, CC_INVALID_ARGUMENT,
            "amount '%s' is not in pounds (examples: 1250.50, 6,200,000,000, 131m, 6.2bn)", text);
    return -1;
range:
    err_set(err, CC_OUT_OF_RANGE, "amount '%s' is too large (at most £92,233,720,368,547,758.07)",
            text);
    return -1;
}

char *money_format(int64_t pence, char *buf, size_t size)
{
    char digits[32];
    char grouped[48];
    int neg = pence < 0;
    /* Work in unsigned so INT64_MIN has a magnitude. */
    uint64_t mag = neg ? (uint64_t)0 - (uint64_t)pence : (uint64_t)pence;
    snprintf(digits, sizeof digits, "%llu", (unsigned long long)(mag / 100));
    size_t n = strlen(digits), j = 0;
    for (size_t i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0) {
            grouped[j++] = ',';
        }
        grouped[j++] = digits[i];
    }
    grouped[j] = '\0';
    snprintf(buf, size, "%s\xc2\xa3%s.%02llu", neg ? "-" : "", grouped,
             (unsigned long long)(mag % 100));
    return buf;
}

money_text_t money_text(int64_t pence)
{
    money_text_t m;
    money_format(pence, m.s, sizeof m.s);
    return m;
}

char *money_year_name(uint32_t year, char *buf, size_t size)
{
    snprintf(buf, size, "%u/%02u", year, (year + 1) % 100);
    return buf;
}

int money_year_parse(const char *text, uint32_t *year)
{
    size_t n = strlen(text);
    if ((n != 4 && n != 7) || strspn(text, "0123456789") != 4) {
        return -1;
    }
    uint32_t y = (uint32_t)((text[0] - '0') * 1000 + (text[1] - '0') * 100 +
                            (text[2] - '0') * 10 + (text[3] - '0'));
    if (y < MONEY_YEAR_MIN || y > MONEY_YEAR_MAX) {
        return -1;
    }
    if (n == 7) {
        if (text[4] != '/' || strspn(text + 5, "0123456789") != 2 ||
            (uint32_t)((text[5] - '0') * 10 + (text[6] - '0')) != (y + 1) % 100) {
            return -1;
        }
    }
    *year = y;
    return 0;
}

int money_split(int64_t total, const int64_t *weights, const char *const *codes, size_t n,
                money_part_t *parts, cc_err_t *err)
{
    __int128 sum = 0;
    if (n == 0 || total == INT64_MIN) {
        err_set(err, CC_INVALID_ARGUMENT, "a split needs 1 or more parts and a total above %lld",
                (long long)INT64_MIN);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (weights[i] < 0) {
            if (codes) {
                err_set(err, CC_INVALID_ARGUMENT, "%s's weight %lld is negative", codes[i],
                        (long long)weights[i]);
            } else {
                err_set(err, CC_INVALID_ARGUMENT, "weight %zu (%lld) is negative", i + 1,
                        (long long)weights[i]);
            }
            return -1;
        }
        sum += weights[i];
    }
    if (sum == 0) {
        err_set(err, CC_INVALID_ARGUMENT, "a split needs some weight: every weight is 0");
        return -1;
    }
    int64_t mag = total < 0 ? -total : total, given = 0;
    for (size_t i = 0; i < n; i++) {
        /* |total| and each weight are below 2^63: the product fits. */
        __int128 prod = (__int128)mag * weights[i];
        memset(&parts[i], 0, sizeof parts[i]);
        parts[i].weight = weights[i];
        parts[i].quota = (int64_t)(prod / sum);
        given += parts[i].quota;
    }
    /* Each quota lost less than a unit, so fewer than n units are left,
     * and more parts than that have a remainder: each takes at most one. */
    for (int64_t left = mag - given; left > 0; left--) {
        size_t best = n;
        __int128 best_rem = 0;
        for (size_t i = 0; i < n; i++) {
            if (parts[i].penny) {
                continue;
            }
            __int128 rem = (__int128)mag * weights[i] % sum;
            if (best == n || rem > best_rem ||
                (rem == best_rem && codes && strcmp(codes[i], codes[best]) < 0)) {
                best = i;
                best_rem = rem;
            }
        }
        parts[best].penny = 1;
    }
    for (size_t i = 0; i < n; i++) {
        int64_t s = parts[i].quota + parts[i].penny;
        parts[i].share = total < 0 ? -s : s;
    }
    return 0;
}
