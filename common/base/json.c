/* json: minimal JSON writer. */
#include "json.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void json_init(json_t *j)
{
    memset(j, 0, sizeof *j);
}

static void s_put(json_t *j, const char *s, size_t n)
{
    if (j->broken) {
        return;
    }
    if (j->len + n + 1 > j->cap) {
        size_t cap = j->cap ? j->cap : 256;
        while (cap < j->len + n + 1) {
            cap *= 2;
        }
        char *grown = realloc(j->buf, cap);
        if (!grown) {
            j->broken = 1;
            return;
        }
        j->buf = grown;
        j->cap = cap;
    }
    memcpy(j->buf + j->len, s, n);
    j->len += n;
    j->buf[j->len] = '\0';
}

static void s_printf(json_t *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void s_printf(json_t *j, const char *fmt, ...)
{
    char tmp[64];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0) {
        s_put(j, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
    }
}

static void s_string(json_t *j, const char *s)
{
    s_put(j, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"':
            s_put(j, "\\\"", 2);
            break;
        case '\\':
            s_put(j, "\\\\", 2);
            break;
        case '\n':
            s_put(j, "\\n", 2);
            break;
        case '\r':
            s_put(j, "\\r", 2);
            break;
        case '\t':
            s_put(j, "\\t", 2);
            break;
        default:
            if (*p < 0x20) {
                s_printf(j, "\\u%04x", *p);
            } else {
                s_put(j, (const char *)p, 1);
            }
        }
    }
    s_put(j, "\"", 1);
}

/* Writes the separator and the key of the next member or element. */
static void s_key(json_t *j, const char *key)
{
    if (j->need_comma) {
        s_put(j, ",", 1);
    }
    if (key) {
        s_string(j, key);
        s_put(j, ":", 1);
    }
    j->need_comma = 1;
}

void json_obj_begin(json_t *j, const char *key)
{
    s_key(j, key);
    s_put(j, "{", 1);
    j->need_comma = 0;
}

void json_obj_end(json_t *j)
{
    s_put(j, "}", 1);
    j->need_comma = 1;
}

void json_arr_begin(json_t *j, const char *key)
{
    s_key(j, key);
    s_put(j, "[", 1);
    j->need_comma = 0;
}

void json_arr_end(json_t *j)
{
    s_put(j, "]", 1);
    j->need_comma = 1;
}

void json_str(json_t *j, const char *key, const char *value)
{
    s_key(j, key);
    if (value) {
        s_string(j, value);
    } else {
        s_put(j, "null", 4);
    }
}

void json_u64(json_t *j, const char *key, uint64_t value)
{
    s_key(j, key);
    s_printf(j, "%" PRIu64, value);
}

void json_i64(json_t *j, const char *key, int64_t value)
{
    s_key(j, key);
    s_printf(j, "%" PRId64, value);
}

void json_bool(json_t *j, const char *key, int value)
{
    s_key(j, key);
    s_put(j, value ? "true" : "false", value ? 4 : 5);
}

void json_double(json_t *j, const char *key, double value, int decimals)
{
    s_key(j, key);
    s_printf(j, "%.*f", decimals, value);
}

void json_hex(json_t *j, const char *key, const uint8_t *data, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    s_key(j, key);
    s_put(j, "\"", 1);
    for (size_t i = 0; i < len; i++) {
        char two[2] = {digits[data[i] >> 4], digits[data[i] & 15]};
        s_put(j, two, 2);
    }
    s_put(j, "\"", 1);
}

char *json_take(json_t *j)
{
    char *out = j->broken ? NULL : j->buf;
    if (j->broken) {
        free(j->buf);
    } else if (!out) {
        out = strdup("");
    }
    json_init(j);
    return out;
}

void json_free(json_t *j)
{
    free(j->buf);
    json_init(j);
}
