/* SPDX-License-Identifier: Apache-2.0 */
/* text: see text.h. */
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void text_init(text_t *t)
{
    memset(t, 0, sizeof *t);
}

void text_init_fixed(text_t *t, char *buf, size_t size)
{
    memset(t, 0, sizeof *t);
    t->fixed = 1;
    t->buf = buf;
    t->cap = size;
    if (size) {
        buf[0] = '\0';
    }
}

/* Room for n more bytes and the NUL in a growing text; 0, or -1 with the
 * text marked failed. */
static int s_room(text_t *t, size_t n)
{
    if (t->failed) {
        return -1;
    }
    if (n > (size_t)-1 / 2 - t->len) {
        t->failed = 1;
        return -1;
    }
    size_t want = t->len + n + 1;
    if (want <= t->cap) {
        return 0;
    }
    size_t cap = t->cap ? t->cap : 64;
    while (cap < want) {
        cap *= 2;
    }
    char *grown = realloc(t->buf, cap);
    if (!grown) {
        t->failed = 1;
        return -1;
    }
    t->buf = grown;
    t->cap = cap;
    return 0;
}

/* Copies what fits of n bytes of s into a fixed text. */
static void s_fixed_add(text_t *t, const char *s, size_t n)
{
    t->need += n;
    if (t->len + 1 >= t->cap) {
        return;
    }
    size_t room = t->cap - t->len - 1, k = n < room ? n : room;
    memcpy(t->buf + t->len, s, k);
    t->len += k;
    t->buf[t->len] = '\0';
}

void text_add(text_t *t, const char *s, size_t n)
{
    if (t->fixed) {
        s_fixed_add(t, s, n);
        return;
    }
    if (s_room(t, n) < 0) {
        return;
    }
    memcpy(t->buf + t->len, s, n);
    t->len += n;
    t->need = t->len;
    t->buf[t->len] = '\0';
}

void text_vput(text_t *t, const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    char *at = NULL;
    size_t room = 0;
    if (t->fixed ? t->len + 1 < t->cap : !t->failed && t->buf) {
        at = t->buf + t->len;
        room = t->cap - t->len;
    }
    int n = vsnprintf(at, room, fmt, ap);
    if (n < 0) {
        va_end(again);
        return;
    }
    if (t->fixed) {
        t->need += (size_t)n;
        if (room) {
            t->len += (size_t)n < room ? (size_t)n : room - 1;
        }
    } else if ((size_t)n < room) {
        t->len += (size_t)n;
        t->need = t->len;
    } else if (s_room(t, (size_t)n) == 0) {
        vsnprintf(t->buf + t->len, (size_t)n + 1, fmt, again);
        t->len += (size_t)n;
        t->need = t->len;
    }
    va_end(again);
}

void text_put(text_t *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    text_vput(t, fmt, ap);
    va_end(ap);
}

char *text_take(text_t *t)
{
    char *out = NULL;
    if (!t->fixed && !t->failed) {
        out = t->buf ? t->buf : strdup("");
        t->buf = NULL;
    }
    text_free(t);
    return out;
}

void text_free(text_t *t)
{
    if (t->fixed) {
        return;
    }
    free(t->buf);
    text_init(t);
}
