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

size_t text_utf8_len(const unsigned char *s, size_t n)
{
    if (n == 0) {
        return 0;
    }
    unsigned char c = s[0];
    if (c < 0x80) {
        return 1;
    }
    size_t len;
    unsigned char lo = 0x80, hi = 0xbf; /* bounds of the second byte */
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        if (c == 0xe0) {
            lo = 0xa0; /* overlong below U+0800 */
        } else if (c == 0xed) {
            hi = 0x9f; /* surrogates U+D800..U+DFFF */
        }
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        if (c == 0xf0) {
            lo = 0x90; /* overlong below U+10000 */
        } else if (c == 0xf4) {
            hi = 0x8f; /* above U+10FFFF */
        }
    } else {
        return 0; /* a continuation byte, C0/C1 (overlong), or F5..FF */
    }
    if (n < len || s[1] < lo || s[1] > hi) {
        return 0;
    }
    for (size_t i = 2; i < len; i++) {
        if (s[i] < 0x80 || s[i] > 0xbf) {
            return 0;
        }
    }
    return len;
}

int text_utf8_check(const unsigned char *s, size_t n, size_t *bad_at, int *nul)
{
    size_t i = 0;
    while (i < n) {
        size_t k = text_utf8_len(s + i, n - i);
        if (k == 0 || s[i] == 0) {
            if (bad_at) {
                *bad_at = i;
            }
            if (nul) {
                *nul = k != 0;
            }
            return -1;
        }
        i += k;
    }
    return 0;
}

/* text_add_safe, and with controls 0 text_add_utf8. */
static void s_add_clean(text_t *t, const char *s, int controls, const char *keep)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    size_t i = 0;
    while (i < n) {
        size_t k = text_utf8_len(p + i, n - i);
        if (k == 0) {
            text_add(t, "\xef\xbf\xbd", 3); /* U+FFFD REPLACEMENT CHARACTER */
            i++;
            continue;
        }
        unsigned cp = k == 1 ? p[i] : k == 2 ? ((p[i] & 0x1fu) << 6 | (p[i + 1] & 0x3fu)) : 0x100;
        int control = (cp < 0x20 && !(keep && strchr(keep, (int)cp))) || (cp >= 0x7f && cp <= 0x9f);
        if (controls && control) {
            text_put(t, "\\x%02x", cp);
        } else {
            text_add(t, s + i, k);
        }
        i += k;
    }
}

void text_add_safe(text_t *t, const char *s, const char *keep)
{
    s_add_clean(t, s, 1, keep);
}

void text_add_utf8(text_t *t, const char *s)
{
    s_add_clean(t, s, 0, NULL);
}

void text_add_html(text_t *t, const char *s)
{
    if (!s) {
        return;
    }
    const char *run = s;
    for (const char *c = s; *c; c++) {
        const char *ref = NULL;
        switch (*c) {
        case '&':
            ref = "&amp;";
            break;
        case '<':
            ref = "&lt;";
            break;
        case '>':
            ref = "&gt;";
            break;
        case '"':
            ref = "&quot;";
            break;
        case '\'':
            ref = "&#39;";
            break;
        default:
            if ((unsigned char)*c < 0x20 && *c != '\n' && *c != '\t') {
                ref = "\xEF\xBF\xBD";
            } else if (*c == 0x7f) {
                ref = "\xEF\xBF\xBD";
            }
        }
        if (ref) {
            text_add(t, run, (size_t)(c - run));
            text_put(t, "%s", ref);
            run = c + 1;
        }
    }
    text_add(t, run, strlen(run));
}
