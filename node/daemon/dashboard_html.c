/* SPDX-License-Identifier: Apache-2.0 */
/* dashboard_html: see dashboard_html.h. */
#include "dashboard_html.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "money.h"

void dashboard_html_escape(text_t *t, const char *s)
{
    text_add_html(t, s);
}

void dashboard_html_put(text_t *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const char *run = fmt;
    for (const char *c = fmt; *c; c++) {
        if (*c != '%') {
            continue;
        }
        text_add(t, run, (size_t)(c - run));
        c++;
        if (*c == 's') {
            dashboard_html_escape(t, va_arg(ap, const char *));
        } else if (*c == 'd') {
            text_put(t, "%d", va_arg(ap, int));
        } else if (*c == 'u') {
            text_put(t, "%u", va_arg(ap, unsigned));
        } else if (strncmp(c, "llu", 3) == 0) {
            text_put(t, "%llu", va_arg(ap, unsigned long long));
            c += 2;
        } else if (strncmp(c, "lld", 3) == 0) {
            text_put(t, "%lld", va_arg(ap, long long));
            c += 2;
        } else if (*c == '%') {
            text_add(t, "%", 1);
        } else {
            break; /* not understood: stop rather than misread the arguments */
        }
        run = c + 1;
    }
    text_add(t, run, strlen(run));
    va_end(ap);
}

void dashboard_html_money(text_t *t, int64_t pence)
{
    char buf[48];
    text_put(t, "%s", money_format(pence, buf, sizeof buf));
}

void dashboard_html_time(text_t *t, uint64_t wall_ms)
{
    char buf[64];
    if (!wall_ms) {
        text_put(t, "-");
        return;
    }
    text_put(t, "%s", clock_format(wall_ms, buf, sizeof buf));
}

void dashboard_html_left(text_t *t, uint64_t now_ms, uint64_t until_ms)
{
    if (until_ms <= now_ms) {
        text_put(t, "closed");
        return;
    }
    uint64_t s = (until_ms - now_ms + 999) / 1000;
    if (s >= 86400) {
        text_put(t, "%llu d %llu h", (unsigned long long)(s / 86400),
                 (unsigned long long)(s % 86400 / 3600));
    } else if (s >= 3600) {
        text_put(t, "%llu h %llu min", (unsigned long long)(s / 3600),
                 (unsigned long long)(s % 3600 / 60));
    } else if (s >= 60) {
        text_put(t, "%llu min %llu s", (unsigned long long)(s / 60), (unsigned long long)(s % 60));
    } else {
        text_put(t, "%llu s", (unsigned long long)s);
    }
}

int dashboard_html_widths(const int64_t *values, size_t n, int64_t width, int64_t *out)
{
    if (n == 0 || width < 0) {
        return -1;
    }
    __int128 sum = 0;
    for (size_t i = 0; i < n; i++) {
        if (values[i] < 0) {
            return -1;
        }
        sum += values[i];
    }
    if (sum == 0) {
        memset(out, 0, n * sizeof *out);
        return 0;
    }
    /* Quotas, then the pixels left over one each to the largest
     * remainders (ties to the earlier part). */
    int64_t given = 0;
    for (size_t i = 0; i < n; i++) {
        out[i] = (int64_t)((__int128)values[i] * width / sum);
        given += out[i];
    }
    while (given < width) {
        size_t best = 0;
        __int128 best_rem = -1;
        for (size_t i = 0; i < n; i++) {
            __int128 rem = (__int128)values[i] * width - (__int128)out[i] * sum;
            if (rem > best_rem) {
                best_rem = rem;
                best = i;
            }
        }
        out[best]++;
        given++;
    }
    return 0;
}

#define S_BAR_W 480
#define S_LABEL_W 260
#define S_ROW_H 28

void dashboard_html_bars(text_t *t, const char *title, const char *const *labels,
                         const int64_t *pence, size_t n)
{
    int64_t max = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t a = pence[i] < 0 ? -pence[i] : pence[i];
        max = a > max ? a : max;
    }
    size_t h = n * S_ROW_H + 8;
    text_put(t,
             "<svg class=\"chart\" role=\"img\" aria-labelledby=\"svg-%p\" width=\"%d\" "
             "height=\"%zu\" viewBox=\"0 0 %d %zu\"><title id=\"svg-%p\">",
             (const void *)pence, S_LABEL_W + S_BAR_W + 160, h, S_LABEL_W + S_BAR_W + 160, h,
             (const void *)pence);
    dashboard_html_escape(t, title);
    text_put(t, "</title>");
    for (size_t i = 0; i < n; i++) {
        int64_t a = pence[i] < 0 ? -pence[i] : pence[i];
        int64_t w = max ? (int64_t)((__int128)a * S_BAR_W / max) : 0;
        size_t y = i * S_ROW_H + 4;
        text_put(t, "<g><text x=\"0\" y=\"%zu\" fill=\"#1a1a1a\" font-size=\"14\">", y + 17);
        dashboard_html_escape(t, labels[i]);
        text_put(t,
                 "</text><rect x=\"%d\" y=\"%zu\" width=\"%lld\" height=\"%d\" fill=\"%s\">"
                 "<title>",
                 S_LABEL_W, y, (long long)w, S_ROW_H - 8, pence[i] < 0 ? "#a4262c" : "#1d5fa8");
        dashboard_html_escape(t, labels[i]);
        text_put(t, ": ");
        dashboard_html_money(t, pence[i]);
        text_put(t, "</title></rect><text x=\"%lld\" y=\"%zu\" fill=\"#1a1a1a\" "
                    "font-size=\"14\">",
                 (long long)(S_LABEL_W + w + 6), y + 17);
        dashboard_html_money(t, pence[i]);
        text_put(t, "</text></g>");
    }
    text_put(t, "</svg>");
}

void dashboard_html_stack(text_t *t, const char *title, const char *const *labels,
                          const int64_t *pence, size_t n, int64_t width)
{
    static const char *const fills[] = {"#1d5fa8", "#b35900", "#2e7d32", "#6a3d9a", "#a4262c"};
    int64_t w[16];
    if (n == 0 || n > 16 || dashboard_html_widths(pence, n, width, w) < 0) {
        return;
    }
    text_put(t,
             "<svg class=\"chart\" role=\"img\" aria-labelledby=\"svg-%p\" width=\"%lld\" "
             "height=\"24\" viewBox=\"0 0 %lld 24\"><title id=\"svg-%p\">",
             (const void *)pence, (long long)width, (long long)width, (const void *)pence);
    dashboard_html_escape(t, title);
    text_put(t, "</title>");
    int64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        text_put(t,
                 "<rect class=\"part\" x=\"%lld\" y=\"0\" width=\"%lld\" height=\"24\" "
                 "fill=\"%s\"><title>",
                 (long long)x, (long long)w[i], fills[i % 5]);
        dashboard_html_escape(t, labels[i]);
        text_put(t, ": ");
        dashboard_html_money(t, pence[i]);
        text_put(t, "</title></rect>");
        x += w[i];
    }
    /* A legend in words too: colour alone does not tell the parts apart. */
    text_put(t, "</svg><ul class=\"legend\">");
    for (size_t i = 0; i < n; i++) {
        text_put(t, "<li><svg width=\"12\" height=\"12\" aria-hidden=\"true\"><rect width=\"12\" "
                    "height=\"12\" fill=\"%s\"/></svg> ",
                 fills[i % 5]);
        dashboard_html_escape(t, labels[i]);
        text_put(t, ": ");
        dashboard_html_money(t, pence[i]);
        text_put(t, "</li>");
    }
    text_put(t, "</ul>");
}

static const char *const s_nav[][2] = {
    {"/", "Federation"},   {"/boards", "Boards"},         {"/proposals", "Proposals"},
    {"/pools", "Pooled funds"}, {"/footprints", "Footprints"},
};

void dashboard_html_begin(text_t *t, const char *org, const char *title, dashboard_nav_t nav,
                          const char *events)
{
    text_put(t, "<!DOCTYPE html>\n<html lang=\"en-GB\"><head><meta charset=\"utf-8\">"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                "<title>");
    dashboard_html_escape(t, title);
    text_put(t, " - Concord - ");
    dashboard_html_escape(t, org);
    text_put(t, "</title><link rel=\"stylesheet\" href=\"/static/dashboard.css\"></head>\n<body");
    if (events) {
        dashboard_html_put(t, " data-events=\"%s\"", events);
    }
    text_put(t, "><a class=\"skip\" href=\"#main\">Skip to content</a>\n<header><p class=\"org\">"
                "Concord node of ");
    dashboard_html_escape(t, org);
    text_put(t, "</p><nav aria-label=\"Sections\"><ul>");
    for (size_t i = 0; i < sizeof s_nav / sizeof s_nav[0]; i++) {
        text_put(t, "<li><a href=\"%s\"%s>%s</a></li>", s_nav[i][0],
                 (size_t)nav == i ? " aria-current=\"page\"" : "", s_nav[i][1]);
    }
    text_put(t, "</ul></nav></header>\n<main id=\"main\"><h1>");
    dashboard_html_escape(t, title);
    text_put(t, "</h1>\n");
}

void dashboard_html_end(text_t *t, int live)
{
    text_put(t, "</main>\n<footer><p>Read-only view served by this node from its own ledger "
                "through its Control service. Every figure is as this node has folded the "
                "federation's log.</p></footer>\n");
    if (live) {
        text_put(t, "<script src=\"/static/live.js\" defer></script>\n");
    }
    text_put(t, "</body></html>\n");
}

/* Colours chosen for at least 4.5:1 contrast on white (WCAG 2.1 AA). */
static const char s_css[] =
    "body{font-family:system-ui,'DejaVu Sans',sans-serif;margin:0;color:#1a1a1a;"
    "background:#fff;line-height:1.45}\n"
    "header{background:#0b3d66;color:#ffffff;padding:.5rem 1rem}\n"
    "header .org{margin:0;font-weight:bold}\n"
    "nav ul{list-style:none;margin:.3rem 0 0;padding:0;display:flex;flex-wrap:wrap;gap:1rem}\n"
    "nav a{color:#ffffff}\nnav a[aria-current=page]{font-weight:bold;text-decoration-thickness:3px}\n"
    ".skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;"
    "color:#0b3d66;padding:.3rem}\n"
    "main{padding:1rem;max-width:70rem}\n"
    "a{color:#0b5cad}\n"
    "table{border-collapse:collapse;margin:.5rem 0 1rem}\n"
    "caption{text-align:left;font-weight:bold;padding:.3rem 0}\n"
    "th,td{border:1px solid #767676;padding:.25rem .5rem;text-align:left;vertical-align:top}\n"
    "th{background:#e8eef4}\ntd.num{text-align:right;font-variant-numeric:tabular-nums}\n"
    ".ok{color:#1b5e20;font-weight:bold}.bad{color:#a4262c;font-weight:bold}\n"
    ".outcome{font-size:1.2rem}\n"
    "footer{border-top:1px solid #767676;padding:.5rem 1rem;font-size:.9rem;color:#3d3d3d}\n"
    "svg.chart{display:block;max-width:100%;height:auto;margin:.5rem 0}\n"
    "dl{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}\n"
    "dt{font-weight:bold}dd{margin:0}\n"
    ".legend{list-style:none;padding:0;display:flex;gap:1.5rem}\n"
    "code.hash{word-break:break-all}\n"
    "@media print{header nav,.skip,footer,.noprint{display:none}"
    "header{background:none;color:#000000;border-bottom:2px solid #000}"
    "body{font-size:11pt}main{max-width:none}a{color:#000000}"
    "a[href^='/certificate']::after{content:' (' attr(href) ')'}"
    "table{page-break-inside:avoid}th{background:none}}\n";

/* Follows the page's /events stream and writes each figure it names into
 * the element marked data-live with that name; without it (or without
 * JavaScript) the page is complete as served. */
static const char s_js[] =
    "(function(){var u=document.body.getAttribute('data-events');"
    "if(!u||!window.EventSource)return;var s=new EventSource(u);"
    "s.addEventListener('figures',function(e){var d;try{d=JSON.parse(e.data)}catch(x){return}"
    "for(var k in d){var n=document.querySelectorAll('[data-live=\"'+k+'\"]');"
    "for(var i=0;i<n.length;i++)n[i].textContent=d[k]}"
    "document.body.setAttribute('data-live-updates',"
    "String(1+Number(document.body.getAttribute('data-live-updates')||0)));"
    "if(d.outcome&&d.outcome!=='OPEN')s.close()});})();\n";

const char *dashboard_html_css(void)
{
    return s_css;
}

const char *dashboard_html_js(void)
{
    return s_js;
}
