/* SPDX-License-Identifier: Apache-2.0 */
/* text: the one printf-append text buffer. Either growing (text_init: the
 * engines' and the node's replies, JSON) or writing into a caller's
 * fixed buffer (text_init_fixed: statements and tally explanations, which
 * truncate rather than fail and report what the whole text would need,
 * like snprintf).
 *
 * Writers never fail midway: when a growing buffer cannot grow, the text
 * is marked failed, later writes do nothing and text_take returns NULL. */
#ifndef CONCORD_TEXT_H
#define CONCORD_TEXT_H

#include <stdarg.h>
#include <stddef.h>

typedef struct {
    char *buf;   /* NUL-terminated once anything is written; NULL while a growing text is empty */
    size_t len;  /* bytes held, not counting the NUL */
    size_t cap;  /* bytes allocated, or the fixed buffer's size */
    size_t need; /* bytes the whole text needs: len unless a fixed buffer truncated it */
    int fixed;   /* writes into a caller's buffer: truncates, never grows */
    int failed;  /* a growing text ran out of memory: it is incomplete */
} text_t;

/* An empty growing text. Release it with text_free or text_take. */
void text_init(text_t *t);

/* A text written into buf (size bytes, may be 0), which it empties. It
 * never overflows: the text is truncated, always NUL-terminated when size
 * > 0, and need counts what it would have taken. */
void text_init_fixed(text_t *t, char *buf, size_t size);

/* Appends printf-formatted text. */
void text_put(text_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void text_vput(text_t *t, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Appends n bytes of s. */
void text_add(text_t *t, const char *s, size_t n);

/* The length of the UTF-8 sequence starting at s (at most n bytes): 1 to
 * 4, or 0 if it is not valid UTF-8 (RFC 3629: no overlong forms, no
 * surrogates U+D800..U+DFFF, nothing above U+10FFFF, no truncated
 * sequence). NUL is a valid one-byte sequence here. */
size_t text_utf8_len(const unsigned char *s, size_t n);

/* Whether n bytes of s are valid UTF-8 with no NUL: 0, or -1 with the
 * offset of the first bad byte in *bad_at and *nul set when it is a NUL. */
int text_utf8_check(const unsigned char *s, size_t n, size_t *bad_at, int *nul);

/* Appends s for a terminal: valid UTF-8 printable text as it is; each
 * control character (C0 but for those in `keep`, DEL, and C1 U+0080..
 * U+009F, any of which can move the cursor or erase what is shown) as a
 * visible escape "\x1b"; each byte that is not valid UTF-8 as U+FFFD.
 * keep is a NUL-terminated list of C0 characters let through ("\n"), or
 * NULL. A title holding ESC [ 2 K (erase the line) is shown as the
 * characters \x1b[2K, and cannot erase the line before it. */
void text_add_safe(text_t *t, const char *s, const char *keep);

/* Appends s with each byte that is not valid UTF-8 as U+FFFD, and all
 * else as it is: valid UTF-8 for JSON whatever s holds. */
void text_add_utf8(text_t *t, const char *s);

/* The growing text's buffer, which the caller then frees; "" (allocated)
 * when nothing was written; NULL when the text failed or memory ran out.
 * The text is then empty again. */
char *text_take(text_t *t);

/* Appends s (NULL: nothing) escaped for HTML text and attribute values:
 * & < > " ' as references, control characters but newline and tab as
 * U+FFFD. */
void text_add_html(text_t *t, const char *s);

/* Frees a growing text's buffer and empties it; safe twice. Does nothing
 * to a fixed text (the buffer is the caller's). */
void text_free(text_t *t);

#endif
