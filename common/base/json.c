/* SPDX-License-Identifier: Apache-2.0 */
/* json: minimal JSON writer. */
#include "json.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "text.h"

void json_init(json_t *j)
{
    memset(j, 0, sizeof *j);
}

static void s_put(json_t *j, const char *s, size_t n)
{
    text_add(&j->text, s, n);
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
                text_put(&j->text, "\\u%04x", *p);
            } else if (*p < 0x80) {
                s_put(j, (const char *)p, 1);
            } else {
                /* JSON is UTF-8: a byte that does not start a valid
                 * sequence (text from the network, or a file in another
                 * encoding) is written as U+FFFD. */
                size_t k = text_utf8_len(p, strnlen((const char *)p, 4));
                if (k == 0) {
                    s_put(j, "\xef\xbf\xbd", 3);
                } else {
                    s_put(j, (const char *)p, k);
                    p += k - 1;
                }
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
    text_put(&j->text, "%" PRIu64, value);
}

void json_i64(json_t *j, const char *key, int64_t value)
{
    s_key(j, key);
    text_put(&j->text, "%" PRId64, value);
}

void json_bool(json_t *j, const char *key, int value)
{
    s_key(j, key);
    s_put(j, value ? "true" : "false", value ? 4 : 5);
}

void json_double(json_t *j, const char *key, double value, int decimals)
{
    s_key(j, key);
    text_put(&j->text, "%.*f", decimals, value);
}

void json_hex(json_t *j, const char *key, const uint8_t *data, size_t len)
{
    char chunk[2 * 32 + 1];
    s_key(j, key);
    s_put(j, "\"", 1);
    for (size_t i = 0; i < len; i += 32) {
        size_t n = len - i < 32 ? len - i : 32;
        sodium_bin2hex(chunk, sizeof chunk, data + i, n);
        s_put(j, chunk, 2 * n);
    }
    s_put(j, "\"", 1);
}

char *json_take(json_t *j)
{
    char *out = text_take(&j->text);
    json_init(j);
    return out;
}

void json_free(json_t *j)
{
    text_free(&j->text);
    json_init(j);
}
