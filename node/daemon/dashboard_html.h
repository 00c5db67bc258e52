/* SPDX-License-Identifier: Apache-2.0 */
/* dashboard_html: the pieces every dashboard page is written with: text
 * escaped for HTML, money and counts formatted for people, the page frame
 * (one stylesheet, inline, with a print form; navigation; no resource
 * from outside the node) and charts drawn as inline SVG. Everything
 * appends to a growing text_t (text.h), which marks itself failed when
 * memory runs out. */
#ifndef CONCORD_DASHBOARD_HTML_H
#define CONCORD_DASHBOARD_HTML_H

#include <stddef.h>
#include <stdint.h>

#include "text.h"

/* Appends s with & < > " ' written as character references, so that text
 * from the network (a proposal's title, a reason) is shown as text and
 * never read as markup, in element content and in quoted attributes.
 * Control characters other than tab and newline become U+FFFD. NULL
 * appends nothing. */
void dashboard_html_escape(text_t *t, const char *s);

/* Appends printf-formatted text whose %s arguments are escaped (only %s,
 * %d, %u, %llu, %lld and %% are understood: enough for the pages). */
void dashboard_html_put(text_t *t, const char *fmt, ...);

/* Appends pence as "£1,234.56" (minus before the pound sign). */
void dashboard_html_money(text_t *t, int64_t pence);

/* Appends a wall-clock time in ms as clock_format writes it
 * ("2017-04-01T09:30:00.000Z"); 0 as "-". */
void dashboard_html_time(text_t *t, uint64_t wall_ms);

/* Appends how long from now_ms until until_ms, as "2 h 5 min" or
 * "closed" once passed. */
void dashboard_html_left(text_t *t, uint64_t now_ms, uint64_t until_ms);

/* Splits width pixels among n values (each >= 0) in proportion, by the
 * largest-remainder method, so that the parts sum to exactly width (all
 * 0 when every value is 0). Returns 0, or -1 for a negative value or n
 * 0. */
int dashboard_html_widths(const int64_t *values, size_t n, int64_t width, int64_t *out);

/* Appends an inline SVG chart with one horizontal bar per value (scaled
 * to the largest |value|), each labelled, and a <title> and <desc> for
 * screen readers. Negative values are drawn in a second colour. */
void dashboard_html_bars(text_t *t, const char *title, const char *const *labels,
                         const int64_t *pence, size_t n);

/* Appends an inline SVG bar of width px split among the values
 * (dashboard_html_widths), each part labelled in its <title>. */
void dashboard_html_stack(text_t *t, const char *title, const char *const *labels,
                          const int64_t *pence, size_t n, int64_t width);

/* The navigation's sections; the current one is marked aria-current. */
typedef enum {
    DASHBOARD_NAV_FEDERATION,
    DASHBOARD_NAV_BOARDS,
    DASHBOARD_NAV_PROPOSALS,
    DASHBOARD_NAV_POOLS,
    DASHBOARD_NAV_FOOTPRINTS,
} dashboard_nav_t;

/* Appends the page's head (title, the node's own stylesheet
 * /static/dashboard.css with its print form) and the start of its body:
 * a skip link, the node's organisation, the navigation and <main> with an
 * <h1> of title. events, when not NULL, is the /events URL whose
 * Server-Sent Events refresh the figures marked data-live. */
void dashboard_html_begin(text_t *t, const char *org, const char *title, dashboard_nav_t nav,
                          const char *events);

/* Closes <main>, adds the live-refresh script (/static/live.js) when live
 * is set (the page is complete without it) and ends the document. */
void dashboard_html_end(text_t *t, int live);

/* The stylesheet and the script the pages load, from the node itself
 * (static strings). */
const char *dashboard_html_css(void);
const char *dashboard_html_js(void);

#endif
