/* SPDX-License-Identifier: Apache-2.0 */
/* cli_meeting: `concord meeting ...` and `concord forward-plan ...`: board
 * meetings, their attendance and minutes, councils' forward plans, and the
 * committee papers made from them (agenda pack, minutes, decision notice,
 * forward plan) in Markdown, HTML, CSV and JSON, each citing the signed
 * events and decision certificates it rests on (docs/BOARDS.md "Meetings
 * and the forward plan"). The node answers with data (MeetingView,
 * ForwardPlanReply, ProposalView); every word of a paper is chosen here. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "board.h"
#include "board_names.h"
#include "cli.h"
#include "cli_render.h"
#include "clock.h"
#include "control.pb-c.h"
#include "date.h"
#include "json.h"
#include "money.h"
#include "text.h"
#include "wire.h"

/* ---- a committee paper: a title, facts, tables, and what it rests on ---- */

#define S_META_MAX 16
#define S_SECTIONS_MAX 6
#define S_COLS_MAX 14

typedef struct {
    const char *heading;
    const char *cols[S_COLS_MAX];
    size_t n_cols;
    char **cells; /* row-major, n_cols per row */
    size_t n_cells, cap_cells;
} s_section_t;

typedef struct {
    char *title;
    const char *meta_k[S_META_MAX];
    char *meta_v[S_META_MAX];
    size_t n_meta;
    s_section_t sec[S_SECTIONS_MAX];
    size_t n_sec;
    char **cites;
    size_t n_cites, cap_cites;
    int oom;
} s_doc_t;

static char *s_vfmt(s_doc_t *d, const char *fmt, va_list ap)
{
    text_t t;
    text_init(&t);
    text_vput(&t, fmt, ap);
    char *s = text_take(&t);
    if (!s) {
        s = strdup("");
    }
    if (!s) {
        d->oom = 1;
    }
    return s;
}

static char *s_fmt(s_doc_t *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *s_fmt(s_doc_t *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = s_vfmt(d, fmt, ap);
    va_end(ap);
    return s;
}

static void s_meta(s_doc_t *d, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void s_meta(s_doc_t *d, const char *key, const char *fmt, ...)
{
    va_list ap;
    if (d->n_meta == S_META_MAX) {
        return;
    }
    va_start(ap, fmt);
    d->meta_k[d->n_meta] = key;
    d->meta_v[d->n_meta++] = s_vfmt(d, fmt, ap);
    va_end(ap);
}

/* A new table with the NULL-terminated columns. */
static s_section_t *s_table(s_doc_t *d, const char *heading, ...)
{
    va_list ap;
    s_section_t *s = &d->sec[d->n_sec < S_SECTIONS_MAX ? d->n_sec++ : S_SECTIONS_MAX - 1];
    s->heading = heading;
    va_start(ap, heading);
    for (const char *c; (c = va_arg(ap, const char *)) != NULL && s->n_cols < S_COLS_MAX;) {
        s->cols[s->n_cols++] = c;
    }
    va_end(ap);
    return s;
}

/* Appends one cell; a row is n_cols cells. */
static void s_cell(s_doc_t *d, s_section_t *s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void s_cell(s_doc_t *d, s_section_t *s, const char *fmt, ...)
{
    va_list ap;
    if (s->n_cells == s->cap_cells) {
        size_t cap = s->cap_cells ? 2 * s->cap_cells : 32;
        char **grown = realloc(s->cells, cap * sizeof *grown);
        if (!grown) {
            d->oom = 1;
            return;
        }
        s->cells = grown;
        s->cap_cells = cap;
    }
    va_start(ap, fmt);
    char *c = s_vfmt(d, fmt, ap);
    va_end(ap);
    if (c) {
        s->cells[s->n_cells++] = c;
    }
}

static void s_cite(s_doc_t *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void s_cite(s_doc_t *d, const char *fmt, ...)
{
    va_list ap;
    if (d->n_cites == d->cap_cites) {
        size_t cap = d->cap_cites ? 2 * d->cap_cites : 16;
        char **grown = realloc(d->cites, cap * sizeof *grown);
        if (!grown) {
            d->oom = 1;
            return;
        }
        d->cites = grown;
        d->cap_cites = cap;
    }
    va_start(ap, fmt);
    char *c = s_vfmt(d, fmt, ap);
    va_end(ap);
    if (c) {
        d->cites[d->n_cites++] = c;
    }
}

static void s_doc_free(s_doc_t *d)
{
    free(d->title);
    for (size_t i = 0; i < d->n_meta; i++) {
        free(d->meta_v[i]);
    }
    for (size_t k = 0; k < d->n_sec; k++) {
        for (size_t i = 0; i < d->sec[k].n_cells; i++) {
            free(d->sec[k].cells[i]);
        }
        free(d->sec[k].cells);
    }
    for (size_t i = 0; i < d->n_cites; i++) {
        free(d->cites[i]);
    }
    free(d->cites);
    memset(d, 0, sizeof *d);
}

enum { S_MD = 0, S_HTML, S_CSV, S_JSON };

/* Markdown: a cell's newlines and pipes would break its table. */
static void s_md_cell(text_t *t, const char *s)
{
    for (; *s; s++) {
        if (*s == '|') {
            text_put(t, "\\|");
        } else if (*s == '\n' || *s == '\r') {
            text_put(t, " ");
        } else {
            text_add(t, s, 1);
        }
    }
}

static void s_render_md(const s_doc_t *d, text_t *t)
{
    text_put(t, "# ");
    s_md_cell(t, d->title);
    text_put(t, "\n\n");
    for (size_t i = 0; i < d->n_meta; i++) {
        text_put(t, "- **%s**: ", d->meta_k[i]);
        s_md_cell(t, d->meta_v[i]);
        text_put(t, "\n");
    }
    for (size_t k = 0; k < d->n_sec; k++) {
        const s_section_t *s = &d->sec[k];
        text_put(t, "\n## %s\n\n", s->heading);
        if (!s->n_cells) {
            text_put(t, "None.\n");
            continue;
        }
        for (size_t c = 0; c < s->n_cols; c++) {
            text_put(t, "| %s ", s->cols[c]);
        }
        text_put(t, "|\n");
        for (size_t c = 0; c < s->n_cols; c++) {
            text_put(t, "|---");
        }
        text_put(t, "|\n");
        for (size_t i = 0; i < s->n_cells; i++) {
            text_put(t, "| ");
            s_md_cell(t, s->cells[i]);
            text_put(t, " ");
            if ((i + 1) % s->n_cols == 0) {
                text_put(t, "|\n");
            }
        }
    }
    text_put(t, "\n## Rests on\n\n");
    for (size_t i = 0; i < d->n_cites; i++) {
        text_put(t, "- ");
        s_md_cell(t, d->cites[i]);
        text_put(t, "\n");
    }
}

static void s_render_html(const s_doc_t *d, text_t *t)
{
    text_put(t, "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n"
                "<title>");
    text_add_html(t, d->title);
    text_put(t, "</title>\n<style>body{font-family:sans-serif;max-width:60em;margin:auto}"
                "table{border-collapse:collapse}td,th{border:1px solid #999;padding:.3em;"
                "vertical-align:top;text-align:left}</style>\n</head>\n<body>\n<h1>");
    text_add_html(t, d->title);
    text_put(t, "</h1>\n<dl>\n");
    for (size_t i = 0; i < d->n_meta; i++) {
        text_put(t, "<dt>");
        text_add_html(t, d->meta_k[i]);
        text_put(t, "</dt><dd>");
        text_add_html(t, d->meta_v[i]);
        text_put(t, "</dd>\n");
    }
    text_put(t, "</dl>\n");
    for (size_t k = 0; k < d->n_sec; k++) {
        const s_section_t *s = &d->sec[k];
        text_put(t, "<h2>");
        text_add_html(t, s->heading);
        text_put(t, "</h2>\n");
        if (!s->n_cells) {
            text_put(t, "<p>None.</p>\n");
            continue;
        }
        text_put(t, "<table>\n<tr>");
        for (size_t c = 0; c < s->n_cols; c++) {
            text_put(t, "<th>");
            text_add_html(t, s->cols[c]);
            text_put(t, "</th>");
        }
        text_put(t, "</tr>\n");
        for (size_t i = 0; i < s->n_cells; i++) {
            text_put(t, "%s<td>", i % s->n_cols == 0 ? "<tr>" : "");
            text_add_html(t, s->cells[i]);
            text_put(t, "</td>%s", (i + 1) % s->n_cols == 0 ? "</tr>\n" : "");
        }
        text_put(t, "</table>\n");
    }
    text_put(t, "<h2>Rests on</h2>\n<ul>\n");
    for (size_t i = 0; i < d->n_cites; i++) {
        text_put(t, "<li><code>");
        text_add_html(t, d->cites[i]);
        text_put(t, "</code></li>\n");
    }
    text_put(t, "</ul>\n</body>\n</html>\n");
}

/* CSV: every row starts with its table's name; each table has its header
 * row; the facts are a table "about" and what it rests on "rests_on". */
static void s_csv_field(text_t *t, const char *s, int last)
{
    int quote = strpbrk(s, ",\"\r\n") != NULL;
    if (quote) {
        text_put(t, "\"");
        for (; *s; s++) {
            text_put(t, *s == '"' ? "\"\"" : "%c", *s);
        }
        text_put(t, "\"");
    } else {
        text_put(t, "%s", s);
    }
    text_put(t, last ? "\r\n" : ",");
}

static void s_render_csv(const s_doc_t *d, text_t *t)
{
    s_csv_field(t, "table", 0);
    s_csv_field(t, "field", 0);
    s_csv_field(t, "value", 1);
    s_csv_field(t, "about", 0);
    s_csv_field(t, "title", 0);
    s_csv_field(t, d->title, 1);
    for (size_t i = 0; i < d->n_meta; i++) {
        s_csv_field(t, "about", 0);
        s_csv_field(t, d->meta_k[i], 0);
        s_csv_field(t, d->meta_v[i], 1);
    }
    for (size_t k = 0; k < d->n_sec; k++) {
        const s_section_t *s = &d->sec[k];
        s_csv_field(t, s->heading, 0);
        for (size_t c = 0; c < s->n_cols; c++) {
            s_csv_field(t, s->cols[c], c + 1 == s->n_cols);
        }
        for (size_t i = 0; i < s->n_cells; i++) {
            if (i % s->n_cols == 0) {
                s_csv_field(t, s->heading, 0);
            }
            s_csv_field(t, s->cells[i], (i + 1) % s->n_cols == 0);
        }
    }
    for (size_t i = 0; i < d->n_cites; i++) {
        s_csv_field(t, "rests_on", 0);
        s_csv_field(t, "", 0);
        s_csv_field(t, d->cites[i], 1);
    }
}

static char *s_render_json(const s_doc_t *d)
{
    json_t j;
    json_init(&j);
    json_obj_begin(&j, NULL);
    json_str(&j, "title", d->title);
    json_obj_begin(&j, "about");
    for (size_t i = 0; i < d->n_meta; i++) {
        json_str(&j, d->meta_k[i], d->meta_v[i]);
    }
    json_obj_end(&j);
    json_arr_begin(&j, "tables");
    for (size_t k = 0; k < d->n_sec; k++) {
        const s_section_t *s = &d->sec[k];
        json_obj_begin(&j, NULL);
        json_str(&j, "name", s->heading);
        json_arr_begin(&j, "rows");
        for (size_t i = 0; i < s->n_cells; i++) {
            if (i % s->n_cols == 0) {
                json_obj_begin(&j, NULL);
            }
            json_str(&j, s->cols[i % s->n_cols], s->cells[i]);
            if ((i + 1) % s->n_cols == 0) {
                json_obj_end(&j);
            }
        }
        json_arr_end(&j);
        json_obj_end(&j);
    }
    json_arr_end(&j);
    json_arr_begin(&j, "rests_on");
    for (size_t i = 0; i < d->n_cites; i++) {
        json_str(&j, NULL, d->cites[i]);
    }
    json_arr_end(&j);
    json_obj_end(&j);
    return json_take(&j);
}

/* The paper d in format, as a string the caller frees; NULL when memory
 * runs out. */
static char *s_render(const s_doc_t *d, int format)
{
    if (d->oom) {
        return NULL;
    }
    if (format == S_JSON) {
        return s_render_json(d);
    }
    text_t t;
    text_init(&t);
    if (format == S_HTML) {
        s_render_html(d, &t);
    } else if (format == S_CSV) {
        s_render_csv(d, &t);
    } else {
        s_render_md(d, &t);
    }
    return text_take(&t);
}

static int s_format_parse(const char *s)
{
    return !strcmp(s, "md") || !strcmp(s, "markdown") ? S_MD
           : !strcmp(s, "html")                       ? S_HTML
           : !strcmp(s, "csv")                        ? S_CSV
           : !strcmp(s, "json")                       ? S_JSON
                                                      : -1;
}

/* Writes text to path, or to standard output. */
static int s_emit(const char *text, const char *path)
{
    if (!text) {
        return cli_fail("out of memory");
    }
    if (path) {
        return cli_write_file(path, (const uint8_t *)text, strlen(text));
    }
    fputs(text, stdout);
    return CLI_OK;
}

/* ---- words ---- */

static const char *s_attendance_word(int status)
{
    switch (status) {
    case CONCORD__V1__ATTENDANCE_STATUS__ATTENDED:
        return "present";
    case CONCORD__V1__ATTENDANCE_STATUS__APOLOGIES:
        return "apologies";
    case CONCORD__V1__ATTENDANCE_STATUS__SUBSTITUTED:
        return "substitute";
    default:
        return "unknown";
    }
}

static const char *s_vote_word(int v)
{
    switch (v) {
    case CONCORD__V1__VOTE__FOR:
        return "FOR";
    case CONCORD__V1__VOTE__AGAINST:
        return "AGAINST";
    case CONCORD__V1__VOTE__ABSTAIN:
        return "ABSTAIN";
    default:
        return "";
    }
}

static const char *s_route_word(int r)
{
    switch (r) {
    case CONCORD__V1__KEY_DECISION_ROUTE__FORWARD_PLAN:
        return "forward plan (SI 2012/2089 reg 9)";
    case CONCORD__V1__KEY_DECISION_ROUTE__GENERAL_EXCEPTION:
        return "general exception (SI 2012/2089 reg 10)";
    case CONCORD__V1__KEY_DECISION_ROUTE__SPECIAL_URGENCY:
        return "special urgency (SI 2012/2089 reg 11)";
    default:
        return "";
    }
}

static const char *s_at(uint64_t ms, char *buf, size_t size)
{
    return ms ? clock_format(ms, buf, size) : "";
}

static void s_hex(const uint8_t *data, size_t len, char *out, size_t size)
{
    out[0] = '\0';
    if (len && size >= 2 * len + 1) {
        sodium_bin2hex(out, size, data, len);
    }
}

/* ---- calls ---- */

static int s_show(const config_node_t *cfg, const char *id, Concord__V1__MeetingView **out)
{
    Concord__V1__MeetingShowRequest in = CONCORD__V1__MEETING_SHOW_REQUEST__INIT;
    in.meeting_id = (char *)id;
    return cli_node_call(cfg, "MeetingShow", &in.base, 0, -1, (ProtobufCMessage **)out);
}

/* Each item's proposal as the node sees it now (NULL for a paper-only
 * item), into props[] (n = mv->n_items); the caller frees them. */
static int s_item_proposals(const config_node_t *cfg, const Concord__V1__MeetingView *mv,
                            Concord__V1__ProposalView **props)
{
    for (size_t i = 0; i < mv->n_items; i++) {
        props[i] = NULL;
        const char *pid = mv->items[i]->item ? mv->items[i]->item->proposal_id : "";
        if (!pid[0]) {
            continue;
        }
        Concord__V1__ProposalShowRequest in = CONCORD__V1__PROPOSAL_SHOW_REQUEST__INIT;
        in.proposal_id = (char *)pid;
        if (cli_node_call(cfg, "ProposalShow", &in.base, 0, -1, (ProtobufCMessage **)&props[i]) !=
            CLI_OK) {
            return CLI_FAIL;
        }
    }
    return CLI_OK;
}

static void s_props_free(Concord__V1__ProposalView **props, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        wire_free(props[i] ? &props[i]->base : NULL);
    }
}

/* ---- the papers ---- */

static void s_meeting_facts(s_doc_t *d, const Concord__V1__MeetingView *mv)
{
    char a[40], b[40];
    const Concord__V1__Meeting *m = mv->meeting;
    s_meta(d, "Board", "%s (%s)", mv->board_name, m->board_id);
    s_meta(d, "Meeting", "%s", mv->id);
    s_meta(d, "When", "%s to %s", s_at(m->starts_at_ms, a, sizeof a),
           s_at(m->ends_at_ms, b, sizeof b));
    s_meta(d, "Place", "%s%s", m->place, m->remote ? " (remote)" : " (in person)");
    s_meta(d, "Chair", "%s%s", mv->chair[0] ? mv->chair : "none named",
           mv->casting_vote ? ", with a casting vote (LGA 1972 Sch 12 para 39(2))" : "");
    s_meta(d, "Called by", "%s", mv->called_by);
    s_meta(d, "Agenda published", "%s", s_at(mv->published_at_ms, a, sizeof a));
}

static void s_meeting_cites(s_doc_t *d, const Concord__V1__MeetingView *mv,
                            Concord__V1__ProposalView *const *props)
{
    for (size_t i = 0; i < mv->n_event_ids; i++) {
        s_cite(d, "signed event %s (SHA-256, board %s, meeting %s)", mv->event_ids[i],
               mv->meeting->board_id, mv->id);
    }
    for (size_t i = 0; props && i < mv->n_items; i++) {
        if (props[i]) {
            s_cite(d, "decision certificate of proposal %s (concord decision export %s)",
                   props[i]->id, props[i]->id);
        }
    }
}

static void s_agenda_table(s_doc_t *d, const Concord__V1__MeetingView *mv)
{
    char a[40], sha[65];
    s_section_t *t = s_table(d, "Agenda", "item", "title", "proposal", "paper", "paper SHA-256",
                             "published", "clear working days", "urgency reason", NULL);
    for (size_t i = 0; i < mv->n_items; i++) {
        const Concord__V1__AgendaItemView *v = mv->items[i];
        const Concord__V1__AgendaItem *it = v->item;
        s_hex(it->paper_sha256.data, it->paper_sha256.len, sha, sizeof sha);
        s_cell(d, t, "%zu", i + 1);
        s_cell(d, t, "%s", v->title);
        s_cell(d, t, "%s", it->proposal_id);
        s_cell(d, t, "%s", it->paper_name);
        s_cell(d, t, "%s", sha);
        s_cell(d, t, "%s", s_at(v->published_at_ms, a, sizeof a));
        s_cell(d, t, "%u", v->clear_working_days);
        s_cell(d, t, "%s", it->urgency_reason[0] ? it->urgency_reason : "");
    }
}

static void s_attendance_table(s_doc_t *d, const Concord__V1__MeetingView *mv)
{
    s_section_t *t =
        s_table(d, "Attendance", "member", "attendance", "person", "substitute for", NULL);
    for (size_t i = 0; i < mv->n_attendance; i++) {
        const Concord__V1__AttendanceView *a = mv->attendance[i];
        s_cell(d, t, "%s", a->member);
        s_cell(d, t, "%s", s_attendance_word(a->status));
        s_cell(d, t, "%s", a->person);
        s_cell(d, t, "%s", a->substitute_for);
    }
}

static const char *s_outcome(const Concord__V1__ProposalView *p)
{
    return !p ? "" : !p->closed ? "undecided" : p->passed ? "PASSED" : "FAILED";
}

static void s_decisions_table(s_doc_t *d, const Concord__V1__MeetingView *mv,
                              Concord__V1__ProposalView *const *props)
{
    s_section_t *t =
        s_table(d, "Decisions", "item", "proposal", "title", "outcome", "for", "against", "abstain",
                "present", "quorate", "casting vote", "key decision", NULL);
    for (size_t i = 0; i < mv->n_items; i++) {
        const Concord__V1__ProposalView *p = props[i];
        const Concord__V1__Tally *ty = p ? p->tally : NULL;
        if (!p || !ty) {
            continue;
        }
        const Concord__V1__Proposal *pr = p->proposal;
        s_cell(d, t, "%zu", i + 1);
        s_cell(d, t, "%s", p->id);
        s_cell(d, t, "%s", mv->items[i]->title);
        s_cell(d, t, "%s", s_outcome(p));
        s_cell(d, t, "%u", p->votes_for);
        s_cell(d, t, "%u", p->votes_against);
        s_cell(d, t, "%u", p->abstentions);
        s_cell(d, t, "%u of %u", ty->present, p->members);
        s_cell(d, t, "%s", p->quorate ? "yes" : "no");
        s_cell(d, t, "%s%s", ty->casting_used ? "used by " : "",
               ty->casting_used ? ty->casting_by : "");
        s_cell(d, t, "%s%s%s",
               pr && pr->key_decision_route ? s_route_word(pr->key_decision_route) : "",
               pr && pr->key_decision_reason[0] ? ": " : "", pr ? pr->key_decision_reason : "");
    }
}

/* Interests on the items (NHS Act 2006 s14O; Localism Act 2011 s31): who
 * was excluded, for what, and whether they remained without a vote. */
static void s_exclusions_table(s_doc_t *d, const Concord__V1__MeetingView *mv,
                               Concord__V1__ProposalView *const *props)
{
    s_section_t *t = s_table(d, "Interests and exclusions", "item", "member", "person",
                             "interest in", "recorded by", "effect", NULL);
    for (size_t i = 0; i < mv->n_items; i++) {
        const Concord__V1__Tally *ty = props[i] ? props[i]->tally : NULL;
        for (size_t j = 0; ty && j < ty->n_exclusions; j++) {
            const Concord__V1__Exclusion *x = ty->exclusions[j];
            s_cell(d, t, "%zu", i + 1);
            s_cell(d, t, "%s", x->member);
            s_cell(d, t, "%s", x->person);
            s_cell(d, t, "%s", x->concerns);
            s_cell(d, t, "%s", x->declared ? "declaration" : "register of interests");
            s_cell(d, t, "%s",
                   x->remains ? "remained without a vote"
                              : "excluded from the vote and the quorum");
        }
    }
}

static void s_votes_table(s_doc_t *d, const Concord__V1__MeetingView *mv,
                          Concord__V1__ProposalView *const *props)
{
    s_section_t *t = s_table(d, "Votes recorded", "item", "member", "vote", NULL);
    for (size_t i = 0; i < mv->n_items; i++) {
        for (size_t j = 0; props[i] && j < props[i]->n_ballots; j++) {
            const Concord__V1__BallotView *b = props[i]->ballots[j];
            s_cell(d, t, "%zu", i + 1);
            s_cell(d, t, "%s", b->member);
            s_cell(d, t, "%s", s_vote_word(b->vote));
        }
    }
}

/* The minutes as the record stands: what `meeting approve` signs the
 * SHA-256 of (its Markdown form). */
static void s_minutes(s_doc_t *d, const Concord__V1__MeetingView *mv,
                      Concord__V1__ProposalView *const *props)
{
    d->title = s_fmt(d, "Minutes: %s, %s", mv->board_name, mv->meeting->title);
    s_meeting_facts(d, mv);
    s_attendance_table(d, mv);
    s_agenda_table(d, mv);
    s_decisions_table(d, mv, props);
    s_exclusions_table(d, mv, props);
    s_votes_table(d, mv, props);
    s_meeting_cites(d, mv, props);
}

/* The minutes' Markdown and its SHA-256. */
static char *s_minutes_md(const Concord__V1__MeetingView *mv,
                          Concord__V1__ProposalView *const *props, uint8_t sha[32])
{
    s_doc_t d = {0};
    s_minutes(&d, mv, props);
    char *md = s_render(&d, S_MD);
    s_doc_free(&d);
    if (md) {
        crypto_hash_sha256(sha, (const uint8_t *)md, strlen(md));
    }
    return md;
}

/* ---- commands ---- */

enum {
    S_O_BOARD = 0x201,
    S_O_TITLE,
    S_O_STARTS_IN,
    S_O_LENGTH,
    S_O_PLACE,
    S_O_REMOTE,
    S_O_ITEM,
    S_O_PAPER,
    S_O_URGENT,
    S_O_PERSON,
    S_O_FOR,
    S_O_AT,
    S_O_FORMAT,
    S_O_OUT,
    S_O_DATE,
    S_O_AMOUNT,
    S_O_MAKER,
    S_O_STARTS,
};

static const struct option s_opts[] = {{"board", required_argument, NULL, S_O_BOARD},
                                       {"title", required_argument, NULL, S_O_TITLE},
                                       {"starts-in", required_argument, NULL, S_O_STARTS_IN},
                                       {"length", required_argument, NULL, S_O_LENGTH},
                                       {"place", required_argument, NULL, S_O_PLACE},
                                       {"remote", no_argument, NULL, S_O_REMOTE},
                                       {"item", required_argument, NULL, S_O_ITEM},
                                       {"paper", required_argument, NULL, S_O_PAPER},
                                       {"urgent", required_argument, NULL, S_O_URGENT},
                                       {"person", required_argument, NULL, S_O_PERSON},
                                       {"for", required_argument, NULL, S_O_FOR},
                                       {"at", required_argument, NULL, S_O_AT},
                                       {"format", required_argument, NULL, S_O_FORMAT},
                                       {"out", required_argument, NULL, S_O_OUT},
                                       {"date", required_argument, NULL, S_O_DATE},
                                       {"amount", required_argument, NULL, S_O_AMOUNT},
                                       {"maker", required_argument, NULL, S_O_MAKER},
                                       {"starts", required_argument, NULL, S_O_STARTS},
                                       {NULL, 0, NULL, 0}};

typedef struct {
    Concord__V1__Meeting m;
    Concord__V1__AgendaItem items[MEETING_ITEMS_MAX];
    Concord__V1__AgendaItem *ptrs[MEETING_ITEMS_MAX];
    uint8_t sha[MEETING_ITEMS_MAX][32];
    uint64_t starts_in, length, starts_at;
    const char *format, *out, *at, *person, *substitute_for, *date, *maker;
    int64_t amount;
} s_args_t;

/* Parses the options every subcommand shares; positional arguments stay
 * in argv[optind..]. */
static int s_parse(s_args_t *a, int argc, char **argv)
{
    int opt;
    cc_err_t err;
    memset(a, 0, sizeof *a);
    concord__v1__meeting__init(&a->m);
    a->m.items = a->ptrs;
    a->length = 2ull * 3600 * 1000;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", s_opts, NULL)) != -1) {
        Concord__V1__AgendaItem *last = a->m.n_items ? &a->items[a->m.n_items - 1] : NULL;
        switch (opt) {
        case S_O_BOARD:
            a->m.board_id = optarg;
            break;
        case S_O_TITLE:
            a->m.title = optarg;
            break;
        case S_O_PLACE:
            a->m.place = optarg;
            break;
        case S_O_REMOTE:
            a->m.remote = 1;
            break;
        case S_O_FORMAT:
            a->format = optarg;
            break;
        case S_O_OUT:
            a->out = optarg;
            break;
        case S_O_AT:
            a->at = optarg;
            break;
        case S_O_PERSON:
            a->person = optarg;
            break;
        case S_O_FOR:
            a->substitute_for = optarg;
            break;
        case S_O_DATE:
            a->date = optarg;
            break;
        case S_O_MAKER:
            a->maker = optarg;
            break;
        case S_O_AMOUNT:
            if (money_parse(optarg, &a->amount, &err) < 0) {
                return cli_fail("%s", err.msg);
            }
            break;
        case S_O_STARTS: {
            int y, mo, d, h, mi;
            char tail;
            if (sscanf(optarg, "%4d-%2d-%2dT%2d:%2d%c", &y, &mo, &d, &h, &mi, &tail) != 5 ||
                !date_valid(y, mo, d) || h > 23 || mi > 59 || h < 0 || mi < 0) {
                return cli_usage("--starts wants YYYY-MM-DDTHH:MM (UTC), not '%s'", optarg);
            }
            a->starts_at = (uint64_t)date_start_ms(y, mo, d) + (uint64_t)(h * 60 + mi) * 60000;
            break;
        }
        case S_O_STARTS_IN:
        case S_O_LENGTH:
            if (cli_duration(optarg, opt == S_O_LENGTH ? &a->length : &a->starts_in) < 0) {
                return cli_usage("bad duration '%s' (like 7d, 12h, 30m, 90s)", optarg);
            }
            break;
        case S_O_ITEM:
            if (a->m.n_items == MEETING_ITEMS_MAX) {
                return cli_fail("at most %d --item", MEETING_ITEMS_MAX);
            }
            last = &a->items[a->m.n_items];
            concord__v1__agenda_item__init(last);
            last->proposal_id = optarg;
            a->ptrs[a->m.n_items++] = last;
            break;
        case S_O_PAPER:
        case S_O_URGENT:
            if (!last) {
                return cli_usage("--paper and --urgent follow the --item they belong to");
            }
            if (opt == S_O_URGENT) {
                last->urgency_reason = optarg;
            } else {
                uint8_t *sha = a->sha[a->m.n_items - 1];
                if (cli_pool_sha256_file(optarg, sha) != CLI_OK) {
                    return CLI_FAIL;
                }
                const char *slash = strrchr(optarg, '/');
                last->paper_name = (char *)(slash ? slash + 1 : optarg);
                last->paper_sha256.data = sha;
                last->paper_sha256.len = 32;
            }
            break;
        default:
            return CLI_USAGE;
        }
    }
    return CLI_OK;
}

static int s_attend_status(const char *s)
{
    return !strcmp(s, "present")      ? CONCORD__V1__ATTENDANCE_STATUS__ATTENDED
           : !strcmp(s, "apologies")  ? CONCORD__V1__ATTENDANCE_STATUS__APOLOGIES
           : !strcmp(s, "substitute") ? CONCORD__V1__ATTENDANCE_STATUS__SUBSTITUTED
                                      : -1;
}

/* A meeting as text for people: what `meeting show` prints. */
static void s_print_meeting(const Concord__V1__MeetingView *mv)
{
    char a[40], b[40];
    const Concord__V1__Meeting *m = mv->meeting;
    char *title = cli_safe(m->title, NULL), *place = cli_safe(m->place, NULL);
    printf("meeting   %s\nboard     %s\ntitle     %s\nwhen      %s to %s\nplace     %s%s\n"
           "called by %s, agenda published %s\n",
           mv->id, m->board_id, title ? title : "", s_at(m->starts_at_ms, a, sizeof a),
           s_at(m->ends_at_ms, b, sizeof b), place ? place : "", m->remote ? " (remote)" : "",
           mv->called_by, s_at(mv->published_at_ms, a, sizeof a));
    free(title);
    free(place);
    for (size_t i = 0; i < mv->n_items; i++) {
        const Concord__V1__AgendaItemView *v = mv->items[i];
        char *t = cli_safe(v->title, NULL), *u = cli_safe(v->item->urgency_reason, NULL);
        printf("item %zu    %s %s (%u clear working days%s%s)\n", i + 1,
               v->item->proposal_id[0] ? v->item->proposal_id : "-", t ? t : "",
               v->clear_working_days, u && u[0] ? "; urgent: " : "", u ? u : "");
        free(t);
        free(u);
    }
    for (size_t i = 0; i < mv->n_attendance; i++) {
        const Concord__V1__AttendanceView *v = mv->attendance[i];
        char *p = cli_safe(v->person, NULL), *f = cli_safe(v->substitute_for, NULL);
        printf("attended  %s %s%s%s%s%s\n", v->member, s_attendance_word(v->status),
               p && p[0] ? " " : "", p ? p : "", f && f[0] ? " for " : "", f ? f : "");
        free(p);
        free(f);
    }
    if (mv->minutes_approved) {
        printf("minutes   approved as a correct record at meeting %s by %s\n",
               mv->approved_at_meeting, mv->approved_by);
    }
}

static int s_answer(const Concord__V1__MeetingView *mv, int json, int rc)
{
    if (rc != CLI_OK || !mv) {
        return rc;
    }
    if (json == CLI_RENDER_JSON) {
        json_t j;
        json_init(&j);
        json_obj_begin(&j, NULL);
        json_str(&j, "id", mv->id);
        json_str(&j, "board", mv->meeting->board_id);
        json_str(&j, "title", mv->meeting->title);
        json_u64(&j, "starts_at_ms", mv->meeting->starts_at_ms);
        json_u64(&j, "ends_at_ms", mv->meeting->ends_at_ms);
        json_u64(&j, "items", mv->n_items);
        json_u64(&j, "attendance", mv->n_attendance);
        json_bool(&j, "minutes_approved", mv->minutes_approved);
        json_obj_end(&j);
        char *s = json_take(&j);
        printf("%s\n", s ? s : "{}");
        free(s);
    } else {
        s_print_meeting(mv);
    }
    return CLI_OK;
}

static int s_call_meeting(const config_node_t *cfg, const char *method, const ProtobufCMessage *in,
                          int json)
{
    Concord__V1__MeetingView *mv = NULL;
    int rc = cli_node_call(cfg, method, in, cfg->call_timeout_ms, -1, (ProtobufCMessage **)&mv);
    rc = s_answer(mv, json, rc);
    wire_free(mv ? &mv->base : NULL);
    return rc;
}

/* `meeting minutes|export`: a paper of one meeting. */
static int s_paper(const config_node_t *cfg, const char *id, const char *what, s_args_t *a)
{
    int format = s_format_parse(a->format ? a->format : "md");
    if (format < 0) {
        return cli_usage("--format is md, html, csv or json, not '%s'", a->format);
    }
    Concord__V1__MeetingView *mv = NULL;
    Concord__V1__ProposalView *props[MEETING_ITEMS_MAX * 2] = {0};
    s_doc_t d = {0};
    char *text = NULL;
    int rc = s_show(cfg, id, &mv);
    if (rc == CLI_OK && mv->n_items > sizeof props / sizeof props[0]) {
        rc = cli_fail("meeting %s has more items than a paper holds", mv->id);
    }
    if (rc == CLI_OK) {
        rc = s_item_proposals(cfg, mv, props);
    }
    if (rc != CLI_OK) {
        goto out;
    }
    if (strcmp(what, "minutes") == 0) {
        uint8_t sha[32];
        char hex[65];
        char *md = s_minutes_md(mv, props, sha);
        if (!md) {
            rc = cli_fail("out of memory");
            goto out;
        }
        s_hex(sha, 32, hex, sizeof hex);
        if (format == S_MD) {
            text_t t;
            text_init(&t);
            text_put(&t, "%s", md);
            if (mv->minutes_approved) {
                char ahex[65];
                s_hex(mv->approved_sha256.data, mv->approved_sha256.len, ahex, sizeof ahex);
                text_put(&t,
                         "\n---\nApproved as a correct record at meeting %s by %s (signed event"
                         " %s; SHA-256 %s): %s\n",
                         mv->approved_at_meeting, mv->approved_by, mv->approval_event_id, ahex,
                         strcmp(ahex, hex) == 0
                             ? "these minutes"
                             : "NOT these minutes: the record has changed since");
            }
            text = text_take(&t);
        } else {
            s_minutes(&d, mv, props);
            s_meta(&d, "Minutes SHA-256 (Markdown)", "%s", hex);
            if (mv->minutes_approved) {
                char ahex[65];
                s_hex(mv->approved_sha256.data, mv->approved_sha256.len, ahex, sizeof ahex);
                s_meta(&d, "Approved as a correct record",
                       "at meeting %s by %s (SHA-256 %s%s; signed event %s)",
                       mv->approved_at_meeting, mv->approved_by, ahex,
                       strcmp(ahex, hex) == 0 ? "" : "; NOT these minutes", mv->approval_event_id);
            }
            text = s_render(&d, format);
        }
        free(md);
    } else if (strcmp(what, "agenda") == 0) {
        d.title = s_fmt(&d, "Agenda: %s, %s", mv->board_name, mv->meeting->title);
        s_meeting_facts(&d, mv);
        s_agenda_table(&d, mv);
        s_meeting_cites(&d, mv, NULL);
        text = s_render(&d, format);
    } else if (strcmp(what, "decisions") == 0) {
        d.title = s_fmt(&d, "Decision notice: %s, %s", mv->board_name, mv->meeting->title);
        s_meeting_facts(&d, mv);
        s_decisions_table(&d, mv, props);
        s_meeting_cites(&d, mv, props);
        text = s_render(&d, format);
    } else {
        rc = cli_usage("a meeting's papers are agenda, minutes and decisions, not '%s'", what);
        goto out;
    }
    rc = s_emit(text, a->out);
out:
    free(text);
    s_doc_free(&d);
    s_props_free(props, mv ? mv->n_items : 0);
    wire_free(mv ? &mv->base : NULL);
    return rc;
}

/* `meeting approve M --at NEXT`: the minutes as rendered now, signed. */
static int s_approve(const config_node_t *cfg, const char *id, const char *at, int json)
{
    Concord__V1__MeetingView *mv = NULL;
    Concord__V1__ProposalView *props[MEETING_ITEMS_MAX * 2] = {0};
    uint8_t sha[32];
    int rc = s_show(cfg, id, &mv);
    if (rc == CLI_OK && mv->n_items > sizeof props / sizeof props[0]) {
        rc = cli_fail("meeting %s has more items than minutes hold", mv->id);
    }
    if (rc == CLI_OK && (rc = s_item_proposals(cfg, mv, props)) == CLI_OK) {
        char *md = s_minutes_md(mv, props, sha);
        if (!md) {
            rc = cli_fail("out of memory");
        } else {
            Concord__V1__MinutesApproval ma = CONCORD__V1__MINUTES_APPROVAL__INIT;
            Concord__V1__MinutesApproveRequest in = CONCORD__V1__MINUTES_APPROVE_REQUEST__INIT;
            ma.meeting_id = mv->id;
            ma.at_meeting_id = (char *)at;
            ma.minutes_sha256.data = sha;
            ma.minutes_sha256.len = 32;
            in.approval = &ma;
            rc = s_call_meeting(cfg, "MinutesApprove", &in.base, json);
        }
        free(md);
    }
    s_props_free(props, mv ? mv->n_items : 0);
    wire_free(mv ? &mv->base : NULL);
    return rc;
}

static int s_plan_paper(const config_node_t *cfg, const char *board, s_args_t *a, int json)
{
    Concord__V1__ForwardPlanListRequest in = CONCORD__V1__FORWARD_PLAN_LIST_REQUEST__INIT;
    Concord__V1__ForwardPlanReply *r = NULL;
    s_doc_t d = {0};
    char at[40];
    int format = a->format                 ? s_format_parse(a->format)
                 : json == CLI_RENDER_JSON ? S_JSON
                 : json == CLI_RENDER_CSV  ? S_CSV
                                           : S_MD;
    if (format < 0) {
        return cli_usage("--format is md, html, csv or json, not '%s'", a->format);
    }
    in.board_id = (char *)board;
    int rc = cli_node_call(cfg, "ForwardPlanList", &in.base, 0, -1, (ProtobufCMessage **)&r);
    if (rc != CLI_OK) {
        return rc;
    }
    d.title = s_fmt(&d, "Forward plan of key decisions%s%s", board[0] ? ": board " : "", board);
    s_meta(&d, "Provision",
           "Local Authorities (Executive Arrangements) (Meetings and Access to"
           " Information) (England) Regulations 2012, SI 2012/2089, regs 9-11");
    s_section_t *t = s_table(&d, "Entries", "entry", "board", "council", "title", "decision date",
                             "amount", "decision maker", "published", "decisions", NULL);
    for (size_t i = 0; i < r->n_entries; i++) {
        const Concord__V1__ForwardPlanView *v = r->entries[i];
        text_t ds;
        text_init(&ds);
        for (size_t k = 0; k < v->n_decisions; k++) {
            text_put(&ds, "%s%s", k ? " " : "", v->decisions[k]);
        }
        char *decisions = text_take(&ds);
        s_cell(&d, t, "%s", v->id);
        s_cell(&d, t, "%s", v->entry->board_id);
        s_cell(&d, t, "%s", v->council);
        s_cell(&d, t, "%s", v->entry->title);
        s_cell(&d, t, "%s", v->entry->decision_date);
        s_cell(&d, t, "%s", money_text(v->entry->amount_pence).s);
        s_cell(&d, t, "%s", v->entry->decision_maker);
        s_cell(&d, t, "%s", s_at(v->published_at_ms, at, sizeof at));
        s_cell(&d, t, "%s", decisions ? decisions : "");
        free(decisions);
        s_cite(&d, "signed event %s (SHA-256, forward plan entry %s of %s)", v->event_id, v->id,
               v->council);
        for (size_t k = 0; k < v->n_decisions; k++) {
            s_cite(&d, "decision certificate of proposal %s (concord decision export %s)",
                   v->decisions[k], v->decisions[k]);
        }
    }
    char *text = s_render(&d, format);
    rc = s_emit(text, a->out);
    free(text);
    s_doc_free(&d);
    wire_free(&r->base);
    return rc;
}

static int s_plan_add(const config_node_t *cfg, s_args_t *a, int json)
{
    Concord__V1__ForwardPlanEntry e = CONCORD__V1__FORWARD_PLAN_ENTRY__INIT;
    Concord__V1__ForwardPlanAddRequest in = CONCORD__V1__FORWARD_PLAN_ADD_REQUEST__INIT;
    Concord__V1__ForwardPlanReply *r = NULL;
    if (!a->m.board_id[0] || !a->m.title[0] || !a->date) {
        return cli_usage("usage: concord forward-plan add --board ID --title TEXT --date"
                         " YYYY-MM-DD [--amount POUNDS] [--maker TEXT]");
    }
    e.board_id = a->m.board_id;
    e.title = a->m.title;
    e.decision_date = (char *)a->date;
    e.amount_pence = a->amount;
    e.decision_maker = (char *)(a->maker ? a->maker : "");
    in.entry = &e;
    int rc = cli_node_call(cfg, "ForwardPlanAdd", &in.base, cfg->call_timeout_ms, -1,
                           (ProtobufCMessage **)&r);
    if (rc == CLI_OK && r->n_entries) {
        if (json == CLI_RENDER_JSON) {
            printf("{\"id\":\"%s\",\"council\":\"%s\"}\n", r->entries[0]->id,
                   r->entries[0]->council);
        } else {
            printf("forward plan entry %s published by %s\n", r->entries[0]->id,
                   r->entries[0]->council);
        }
    }
    wire_free(r ? &r->base : NULL);
    return rc;
}

int cli_meeting(const config_node_t *cfg, int argc, char **argv, int json)
{
    s_args_t a;
    const char *group = argv[0], *sub = argc > 1 ? argv[1] : "";
    if (s_parse(&a, argc - 1, argv + 1) != CLI_OK) {
        return CLI_USAGE;
    }
    /* Positional arguments after the subcommand. */
    char **pos = argv + 1 + optind;
    int npos = argc - 1 - optind;
    if (strcmp(group, "forward-plan") == 0) {
        if (strcmp(sub, "add") == 0 && npos == 0) {
            return s_plan_add(cfg, &a, json);
        }
        if (strcmp(sub, "list") == 0 && npos <= 1) {
            return s_plan_paper(cfg, npos ? pos[0] : "", &a, json);
        }
        return cli_usage("usage: concord forward-plan add|list ... (see concord --help)");
    }
    if (strcmp(sub, "call") == 0 && npos == 0) {
        if (!a.m.board_id[0] || !a.m.title[0] || !a.m.place[0] || (!a.starts_in && !a.starts_at)) {
            return cli_usage("usage: concord meeting call --board ID --title TEXT --place TEXT"
                             " --starts-in DURATION|--starts YYYY-MM-DDTHH:MM [--length 2h]"
                             " [--remote] [--item PROPOSAL [--paper FILE] [--urgent REASON]]...");
        }
        a.m.starts_at_ms = a.starts_at ? a.starts_at : clock_wall_ms() + a.starts_in;
        a.m.ends_at_ms = a.m.starts_at_ms + a.length;
        Concord__V1__MeetingCallRequest in = CONCORD__V1__MEETING_CALL_REQUEST__INIT;
        in.meeting = &a.m;
        return s_call_meeting(cfg, "MeetingCall", &in.base, json);
    }
    if (strcmp(sub, "agenda") == 0 && npos == 1 && a.m.n_items == 1) {
        Concord__V1__AgendaAddition ad = CONCORD__V1__AGENDA_ADDITION__INIT;
        Concord__V1__AgendaAddRequest in = CONCORD__V1__AGENDA_ADD_REQUEST__INIT;
        ad.meeting_id = pos[0];
        ad.item = &a.items[0];
        in.addition = &ad;
        return s_call_meeting(cfg, "MeetingAgendaAdd", &in.base, json);
    }
    if (strcmp(sub, "attend") == 0 && npos == 3) {
        int st = s_attend_status(pos[2]);
        if (st < 0) {
            return cli_usage("attendance is present, apologies or substitute, not '%s'", pos[2]);
        }
        Concord__V1__Attendance at = CONCORD__V1__ATTENDANCE__INIT;
        Concord__V1__AttendRequest in = CONCORD__V1__ATTEND_REQUEST__INIT;
        at.meeting_id = pos[0];
        at.member = pos[1];
        at.status = (Concord__V1__AttendanceStatus)st;
        at.person = (char *)(a.person ? a.person : "");
        at.substitute_for = (char *)(a.substitute_for ? a.substitute_for : "");
        in.attendance = &at;
        return s_call_meeting(cfg, "MeetingAttend", &in.base, json);
    }
    if (strcmp(sub, "list") == 0 && npos <= 1) {
        Concord__V1__MeetingListRequest in = CONCORD__V1__MEETING_LIST_REQUEST__INIT;
        Concord__V1__MeetingListReply *r = NULL;
        char s1[40];
        in.board_id = npos ? pos[0] : "";
        int rc = cli_node_call(cfg, "MeetingList", &in.base, 0, -1, (ProtobufCMessage **)&r);
        for (size_t i = 0; rc == CLI_OK && i < r->n_meetings; i++) {
            const Concord__V1__MeetingView *mv = r->meetings[i];
            char *title = cli_safe(mv->meeting->title, NULL);
            printf("%s  %-12s %s  %s%s\n", mv->id, mv->meeting->board_id,
                   s_at(mv->meeting->starts_at_ms, s1, sizeof s1), title ? title : "",
                   mv->minutes_approved ? "  (minutes approved)" : "");
            free(title);
        }
        wire_free(r ? &r->base : NULL);
        return rc;
    }
    if (strcmp(sub, "show") == 0 && npos == 1) {
        Concord__V1__MeetingView *mv = NULL;
        int rc = s_show(cfg, pos[0], &mv);
        rc = s_answer(mv, json, rc);
        wire_free(mv ? &mv->base : NULL);
        return rc;
    }
    if (strcmp(sub, "minutes") == 0 && npos == 1) {
        return s_paper(cfg, pos[0], "minutes", &a);
    }
    if (strcmp(sub, "export") == 0 && npos == 2) {
        return s_paper(cfg, pos[0], pos[1], &a);
    }
    if (strcmp(sub, "approve") == 0 && npos == 1 && a.at) {
        return s_approve(cfg, pos[0], a.at, json);
    }
    return cli_usage("usage: concord meeting call|agenda|attend|list|show|minutes|approve|export"
                     " ... (see concord --help)");
}
