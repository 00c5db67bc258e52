/* SPDX-License-Identifier: Apache-2.0 */
/* dashboard_pages: see dashboard_pages.h. */
#include "dashboard_pages.h"

#include <stdio.h>
#include <string.h>

#include "board_names.h"
#include "dashboard_html.h"
#include "money.h"

#define S_CONSTITUENCIES 4 /* unspecified, NHS, local government, other */
#define S_LIST_RECENT_MS (3600u * 1000u)

/* A proposal's count, by constituency (index 0 holds the members the
 * charter does not place, or every member when the charter is unknown). */
typedef struct {
    unsigned members[S_CONSTITUENCIES];
    unsigned votes[S_CONSTITUENCIES][4]; /* by Vote: [1] FOR, [2] AGAINST, [3] ABSTAIN */
    unsigned voted, quorum_needed, quorum_num, quorum_den;
} s_tally_t;

static int s_constituency(const Concord__V1__BoardShowReply *b, const char *member)
{
    if (!b || !b->charter) {
        return 0;
    }
    for (size_t i = 0; i < b->charter->n_members; i++) {
        if (strcmp(b->charter->members[i]->code, member) == 0) {
            int c = (int)b->charter->members[i]->constituency;
            return c >= 0 && c < S_CONSTITUENCIES ? c : 0;
        }
    }
    return 0;
}

static void s_tally(const Concord__V1__ProposalView *p, const Concord__V1__BoardShowReply *b,
                    s_tally_t *out)
{
    memset(out, 0, sizeof *out);
    if (b && b->charter && b->charter->n_members) {
        for (size_t i = 0; i < b->charter->n_members; i++) {
            out->members[s_constituency(b, b->charter->members[i]->code)]++;
        }
        out->quorum_num = b->charter->quorum_numerator;
        out->quorum_den = b->charter->quorum_denominator;
    } else {
        out->members[0] = p->members;
    }
    for (size_t i = 0; i < p->n_ballots; i++) {
        int v = (int)p->ballots[i]->vote;
        if (v >= 1 && v <= 3) {
            out->votes[s_constituency(b, p->ballots[i]->member)][v]++;
            out->voted++;
        }
    }
    /* The quorum: voters x den >= num x members (BOARDS.md). */
    if (out->quorum_den) {
        unsigned long long need =
            ((unsigned long long)out->quorum_num * p->members + out->quorum_den - 1) /
            out->quorum_den;
        out->quorum_needed = (unsigned)need;
    }
}

static const char *s_outcome(const Concord__V1__ProposalView *p)
{
    if (!p->closed) {
        return "OPEN";
    }
    return p->passed ? "PASSED" : "FAILED";
}

static uint64_t s_closes(const Concord__V1__ProposalView *p)
{
    return p->proposal ? p->proposal->closes_at_ms : 0;
}

static const char *s_title(const Concord__V1__ProposalView *p)
{
    return p->proposal ? p->proposal->title : "";
}

static const char *const s_const_names[S_CONSTITUENCIES] = {"unplaced", "nhs", "lg", "other"};

/* "nhs: 0 for, 1 against, 0 abstain of 2" for constituency c. */
static void s_constituency_text(text_t *t, const s_tally_t *ty, int c)
{
    text_put(t, "%s: %u for, %u against, %u abstain of %u", board_names_constituency(c),
             ty->votes[c][1], ty->votes[c][2], ty->votes[c][3], ty->members[c]);
}

/* The tally by constituency of p (with its ballots), as one cell; each
 * constituency's line is the live figure ID-CONSTITUENCY. */
static void s_constituency_cell(text_t *t, const char *id, const Concord__V1__ProposalView *p,
                                const Concord__V1__BoardShowReply *b)
{
    s_tally_t ty;
    int any = 0;
    text_put(t, "<td>");
    if (p && b) {
        s_tally(p, b, &ty);
        for (int c = 1; c < S_CONSTITUENCIES; c++) {
            if (!ty.members[c]) {
                continue;
            }
            text_put(t, "%s", any++ ? "<br>" : "");
            dashboard_html_put(t, "<span data-live=\"%s-%s\">", id, s_const_names[c]);
            s_constituency_text(t, &ty, c);
            text_put(t, "</span>");
        }
    }
    text_put(t, "%s</td>", any ? "" : "-");
}

/* full and boards (may be NULL): for each proposal of props, the same
 * proposal with its ballots and its board, for the tally by
 * constituency (NULL where not fetched). */
static void s_proposal_table(text_t *t, const char *caption,
                             const Concord__V1__ProposalListReply *props, int open,
                             const char *board, uint64_t now_ms,
                             Concord__V1__ProposalView *const *full,
                             Concord__V1__BoardShowReply *const *boards)
{
    size_t shown = 0;
    for (size_t i = 0; props && i < props->n_proposals; i++) {
        const Concord__V1__ProposalView *p = props->proposals[i];
        if ((int)!p->closed != open || (board && strcmp(p->board_id, board) != 0)) {
            continue;
        }
        if (!shown++) {
            dashboard_html_put(t, "<table><caption>%s</caption><thead><tr><th scope=\"col\">"
                                  "Proposal</th><th scope=\"col\">Board</th>",
                               caption);
            if (open) {
                text_put(t, "<th scope=\"col\">For</th><th scope=\"col\">Against</th>"
                            "<th scope=\"col\">Abstain</th><th scope=\"col\">Voted of members"
                            "</th><th scope=\"col\">Time left</th>");
                if (full) {
                    text_put(t, "<th scope=\"col\">By constituency</th>");
                }
            } else {
                text_put(t, "<th scope=\"col\">Outcome</th><th scope=\"col\">For / against / "
                            "abstain</th><th scope=\"col\">Voting deadline</th>");
            }
            text_put(t, "</tr></thead><tbody>\n");
        }
        dashboard_html_put(t, "<tr><th scope=\"row\"><a href=\"/proposals/%s\">%s</a></th>"
                              "<td><a href=\"/boards/%s\">%s</a></td>",
                           p->id, s_title(p)[0] ? s_title(p) : p->id, p->board_id, p->board_id);
        unsigned voted = p->votes_for + p->votes_against + p->abstentions;
        if (open) {
            /* Live figures ID-for, ID-against, ID-abstain, ID-voted, ID-left
             * (dashboard_pages_list_figures). */
            dashboard_html_put(t, "<td class=\"num\" data-live=\"%s-for\">%u</td>"
                                  "<td class=\"num\" data-live=\"%s-against\">%u</td>"
                                  "<td class=\"num\" data-live=\"%s-abstain\">%u</td>"
                                  "<td class=\"num\" data-live=\"%s-voted\">%u of %u</td>"
                                  "<td data-live=\"%s-left\">",
                               p->id, p->votes_for, p->id, p->votes_against, p->id,
                               p->abstentions, p->id, voted, p->members, p->id);
            dashboard_html_left(t, now_ms, s_closes(p));
            text_put(t, "</td>");
            if (full) {
                s_constituency_cell(t, p->id, full[i], boards ? boards[i] : NULL);
            }
            text_put(t, "</tr>\n");
        } else {
            text_put(t, "<td class=\"%s\">%s</td><td class=\"num\">%u / %u / %u</td><td>",
                     p->passed ? "ok" : "bad", s_outcome(p), p->votes_for, p->votes_against,
                     p->abstentions);
            dashboard_html_time(t, s_closes(p));
            text_put(t, "</td></tr>\n");
        }
    }
    if (shown) {
        text_put(t, "</tbody></table>\n");
    } else {
        dashboard_html_put(t, "<p>%s: none.</p>\n", caption);
    }
}

void dashboard_pages_federation(text_t *t, const Concord__V1__StatusReply *st,
                                const Concord__V1__RosterShowReply *roster,
                                const Concord__V1__LogVerifyReply *lv, const char *lv_error,
                                uint64_t lv_at_ms)
{
    dashboard_html_begin(t, st->organisation, "Federation", DASHBOARD_NAV_FEDERATION, NULL);
    dashboard_html_put(t, "<h2>This node</h2><dl><dt>Organisation</dt><dd>%s</dd>"
                          "<dt>Federation</dt><dd>%s</dd><dt>Broker</dt><dd>%s</dd>"
                          "<dt>Connection</dt><dd class=\"%s\">%s</dd>"
                          "<dt>Serving</dt><dd class=\"%s\">%s</dd>"
                          "<dt>Ledger entries</dt><dd>%llu</dd>"
                          "<dt>Sent / received / rejected</dt><dd>%llu / %llu / %llu</dd>"
                          "<dt>Awaiting receipts</dt><dd>%llu</dd><dt>Started</dt><dd>",
                       st->organisation, st->federation, st->broker,
                       st->connected ? "ok" : "bad", st->connected ? "connected" : "disconnected",
                       st->serving ? "ok" : "bad",
                       st->serving ? "yes" : "no: the ledger cannot be written",
                       (unsigned long long)st->ledger_entries, (unsigned long long)st->sent,
                       (unsigned long long)st->received, (unsigned long long)st->rejected,
                       (unsigned long long)st->unreceipted);
    dashboard_html_time(t, st->started_ms);
    text_put(t, "</dd></dl>\n<h2>Log verification</h2>\n<p>Last run ");
    dashboard_html_time(t, lv_at_ms);
    text_put(t, " (at most once a minute), as <code>concord log verify</code>.</p>\n");
    if (lv) {
        char hex[65] = "";
        for (size_t i = 0; i < lv->head_root_hash.len && i < 32; i++) {
            snprintf(hex + 2 * i, 3, "%02x", lv->head_root_hash.data[i]);
        }
        dashboard_html_put(t, "<p class=\"ok\" id=\"log-verify\">Verified: %llu log entries, "
                              "%llu broker receipts of %s checked.</p><dl><dt>Log head (Merkle "
                              "root)</dt><dd><code>%s</code></dd></dl>\n",
                           (unsigned long long)lv->entries,
                           (unsigned long long)lv->receipts_checked, lv->organisation, hex);
    } else {
        dashboard_html_put(t, "<p class=\"bad\" id=\"log-verify\">Log verification failed: %s"
                              "</p>\n",
                           lv_error ? lv_error : "unknown");
    }
    text_put(t, "<h2>Members</h2>\n<table><caption>Organisations of the federation (%zu)"
                "</caption><thead><tr><th scope=\"col\">Code</th><th scope=\"col\">Name</th>"
                "<th scope=\"col\">Kind</th><th scope=\"col\">Since log index</th></tr></thead>"
                "<tbody>\n",
             roster ? roster->n_organisations : (size_t)0);
    for (size_t i = 0; roster && i < roster->n_organisations; i++) {
        const Concord__V1__RosterEntry *o = roster->organisations[i];
        dashboard_html_put(t, "<tr><th scope=\"row\">%s</th><td>%s</td><td>%s</td>"
                              "<td class=\"num\">%llu</td></tr>\n",
                           o->code, o->name, o->kind, (unsigned long long)o->since_log_index);
    }
    text_put(t, "</tbody></table>\n");
    if (roster && roster->n_history) {
        text_put(t, "<table><caption>Roster changes decided by boards</caption><thead><tr>"
                    "<th scope=\"col\">After log index</th><th scope=\"col\">Change</th>"
                    "<th scope=\"col\">Organisation</th><th scope=\"col\">Decision</th></tr>"
                    "</thead><tbody>\n");
        for (size_t i = 0; i < roster->n_history; i++) {
            const Concord__V1__RosterHistoryEntry *h = roster->history[i];
            dashboard_html_put(t, "<tr><td class=\"num\">%llu</td><td>%s</td><td>%s</td>"
                                  "<td><a href=\"/proposals/%s\">%s</a></td></tr>\n",
                               (unsigned long long)h->after_log_index, h->change,
                               h->organisation, h->decision, h->decision);
        }
        text_put(t, "</tbody></table>\n");
    }
    dashboard_html_end(t, 0);
}

void dashboard_pages_boards(text_t *t, const char *org, const Concord__V1__BoardListReply *b)
{
    dashboard_html_begin(t, org, "Boards", DASHBOARD_NAV_BOARDS, NULL);
    if (!b->n_boards) {
        text_put(t, "<p>No board has been created yet.</p>\n");
    } else {
        text_put(t, "<table><caption>Boards of the federation</caption><thead><tr>"
                    "<th scope=\"col\">Board</th><th scope=\"col\">Name</th><th scope=\"col\">"
                    "State</th><th scope=\"col\">Members</th><th scope=\"col\">Voting rule</th>"
                    "</tr></thead><tbody>\n");
        for (size_t i = 0; i < b->n_boards; i++) {
            const Concord__V1__BoardSummary *s = b->boards[i];
            dashboard_html_put(t, "<tr><th scope=\"row\"><a href=\"/boards/%s\">%s</a></th>"
                                  "<td>%s</td><td>%s</td><td class=\"num\">%llu</td><td>%s</td>"
                                  "</tr>\n",
                               s->id, s->id, s->name, s->active ? "active" : "awaiting adoption",
                               (unsigned long long)s->members, board_names_rule((int)s->rule));
        }
        text_put(t, "</tbody></table>\n");
    }
    dashboard_html_end(t, 0);
}

void dashboard_pages_board(text_t *t, const char *org, const Concord__V1__BoardShowReply *b,
                           const Concord__V1__ProposalListReply *props, uint64_t now_ms)
{
    const Concord__V1__Charter *ch = b->charter;
    char title[160];
    snprintf(title, sizeof title, "Board %s", b->id);
    dashboard_html_begin(t, org, title, DASHBOARD_NAV_BOARDS, NULL);
    text_put(t, "<h2>Charter</h2><dl>");
    if (ch) {
        dashboard_html_put(t, "<dt>Name</dt><dd>%s</dd><dt>Voting rule</dt><dd>%s",
                           ch->name, board_names_rule((int)ch->rule));
        if (ch->qualified_denominator) {
            text_put(t, " (%u/%u of votes cast)", ch->qualified_numerator,
                     ch->qualified_denominator);
        }
        text_put(t, "</dd><dt>Quorum</dt><dd>%u/%u of members%s</dd>", ch->quorum_numerator,
                 ch->quorum_denominator,
                 ch->quorum_each_constituency ? ", and a voter from every constituency" : "");
        dashboard_html_put(t, "<dt>Accountable to</dt><dd>%s</dd>",
                           ch->accountable_to[0] ? ch->accountable_to : "not stated");
    }
    dashboard_html_put(t, "<dt>State</dt><dd>%s</dd><dt>Secretary</dt><dd>%s</dd>"
                          "<dt>Adopted by</dt><dd><a href=\"/proposals/%s\">%s</a></dd></dl>\n",
                       b->active ? "active" : "awaiting adoption", b->secretary,
                       b->adoption_proposal, b->adoption_proposal);
    if (ch) {
        text_put(t, "<h2>Members</h2><table><caption>Members and constituencies</caption>"
                    "<thead><tr><th scope=\"col\">Code</th><th scope=\"col\">Name</th>"
                    "<th scope=\"col\">Constituency</th><th scope=\"col\">Weight</th></tr>"
                    "</thead><tbody>\n");
        for (size_t i = 0; i < ch->n_members; i++) {
            const Concord__V1__BoardMember *m = ch->members[i];
            dashboard_html_put(t, "<tr><th scope=\"row\">%s</th><td>%s</td><td>%s</td>"
                                  "<td class=\"num\">%llu</td></tr>\n",
                               m->code, i < b->n_member_names ? b->member_names[i] : "",
                               board_names_constituency((int)m->constituency),
                               (unsigned long long)m->weight);
        }
        text_put(t, "</tbody></table>\n<h2>Reserved matters</h2>\n");
        if (!ch->n_reserved) {
            text_put(t, "<p>None.</p>\n");
        } else {
            text_put(t, "<table><caption>Service areas on which a member's FOR is needed"
                        "</caption><thead><tr><th scope=\"col\">Service area</th>"
                        "<th scope=\"col\">Member</th></tr></thead><tbody>\n");
            for (size_t i = 0; i < ch->n_reserved; i++) {
                dashboard_html_put(t, "<tr><td>%s</td><td>%s</td></tr>\n",
                                   board_names_area((int)ch->reserved[i]->area),
                                   ch->reserved[i]->member);
            }
            text_put(t, "</tbody></table>\n");
        }
    }
    text_put(t, "<h2>Proposals</h2>\n");
    s_proposal_table(t, "Open proposals", props, 1, b->id, now_ms, NULL, NULL);
    s_proposal_table(t, "Decided proposals", props, 0, b->id, now_ms, NULL, NULL);
    dashboard_html_end(t, 0);
}

void dashboard_pages_proposals(text_t *t, const char *org,
                               const Concord__V1__ProposalListReply *props,
                               Concord__V1__ProposalView *const *full,
                               Concord__V1__BoardShowReply *const *boards, uint64_t now_ms)
{
    int open = 0;
    for (size_t i = 0; props && i < props->n_proposals; i++) {
        open |= !props->proposals[i]->closed;
    }
    dashboard_html_begin(t, org, "Proposals", DASHBOARD_NAV_PROPOSALS,
                         open ? "/events?list=proposals" : NULL);
    s_proposal_table(t, "Open proposals", props, 1, NULL, now_ms, full, boards);
    s_proposal_table(t, "Decided proposals", props, 0, NULL, now_ms, NULL, NULL);
    dashboard_html_end(t, open);
}

void dashboard_pages_list_figures(json_t *j, const Concord__V1__ProposalListReply *props,
                                  Concord__V1__ProposalView *const *full,
                                  Concord__V1__BoardShowReply *const *boards, uint64_t now_ms)
{
    char key[160];
    json_obj_begin(j, NULL);
    for (size_t i = 0; props && i < props->n_proposals; i++) {
        const Concord__V1__ProposalView *p = props->proposals[i];
        /* Open ones, and those decided in the last hour (a page served
         * while they were open shows their outcome). */
        if (p->closed && s_closes(p) + S_LIST_RECENT_MS < now_ms) {
            continue;
        }
        unsigned voted = p->votes_for + p->votes_against + p->abstentions;
        snprintf(key, sizeof key, "%s-for", p->id);
        json_u64(j, key, p->votes_for);
        snprintf(key, sizeof key, "%s-against", p->id);
        json_u64(j, key, p->votes_against);
        snprintf(key, sizeof key, "%s-abstain", p->id);
        json_u64(j, key, p->abstentions);
        text_t v;
        text_init(&v);
        text_put(&v, "%u of %u", voted, p->members);
        snprintf(key, sizeof key, "%s-voted", p->id);
        json_str(j, key, v.buf ? v.buf : "");
        text_free(&v);
        text_init(&v);
        if (p->closed) {
            text_put(&v, "closed: %s", s_outcome(p));
        } else {
            dashboard_html_left(&v, now_ms, s_closes(p));
        }
        snprintf(key, sizeof key, "%s-left", p->id);
        json_str(j, key, v.buf ? v.buf : "");
        text_free(&v);
        if (full && full[i] && boards && boards[i]) {
            s_tally_t ty;
            s_tally(full[i], boards[i], &ty);
            for (int c = 1; c < S_CONSTITUENCIES; c++) {
                if (!ty.members[c]) {
                    continue;
                }
                text_init(&v);
                s_constituency_text(&v, &ty, c);
                snprintf(key, sizeof key, "%s-%s", p->id, s_const_names[c]);
                json_str(j, key, v.buf ? v.buf : "");
                text_free(&v);
            }
        }
    }
    json_obj_end(j);
}

void dashboard_pages_figures(json_t *j, const Concord__V1__ProposalView *p,
                             const Concord__V1__BoardShowReply *board, uint64_t now_ms)
{
    s_tally_t ty;
    char key[32];
    text_t left;
    s_tally(p, board, &ty);
    json_obj_begin(j, NULL);
    json_str(j, "outcome", s_outcome(p));
    json_u64(j, "for", p->votes_for);
    json_u64(j, "against", p->votes_against);
    json_u64(j, "abstain", p->abstentions);
    json_u64(j, "voted", ty.voted);
    json_str(j, "quorate", p->quorate ? "yes" : "not yet");
    text_init(&left);
    dashboard_html_left(&left, now_ms, s_closes(p));
    json_str(j, "left", p->closed ? "closed" : (left.buf ? left.buf : ""));
    text_free(&left);
    for (int c = 0; c < S_CONSTITUENCIES; c++) {
        for (int v = 1; v <= 3; v++) {
            snprintf(key, sizeof key, "%s-%d", s_const_names[c], v);
            json_u64(j, key, ty.votes[c][v]);
        }
    }
    json_obj_end(j);
}

/* The pool's state, as `concord pool show` names it. */
static const char *s_pool_state(const Concord__V1__PoolView *v)
{
    return !v->in_force        ? "AWAITING_EXECUTION"
           : v->board_business ? "IN_FORCE (its pledges are the board's business)"
           : v->active         ? "ACTIVE"
                               : "AWAITING_PLEDGES";
}

/* Each party's execution of the pool's agreement (or of the variation
 * that last changed its parties): executed, declined, or awaited. */
static void s_executions(text_t *t, const Concord__V1__PoolView *v)
{
    const Concord__V1__PoolAgreement *a = v->agreement;
    dashboard_html_put(t, "<h2>Execution</h2><p id=\"execution\">State: <strong class=\"%s\">%s"
                          "</strong>; executed by %u of %u parties",
                       v->in_force ? "ok" : "", s_pool_state(v), v->executed, v->parties);
    if (v->instrument[0]) {
        dashboard_html_put(t, " (the instrument: <a href=\"/proposals/%s\">%s</a>)",
                           v->instrument, v->instrument);
    }
    text_put(t, ".</p>\n");
    if (!a || !a->n_partners) {
        return;
    }
    text_put(t, "<table id=\"executions\"><caption>Each partner's act (NHS Bodies and Local "
                "Authorities Partnership Arrangements Regulations 2000, reg. 7)</caption><thead>"
                "<tr><th scope=\"col\">Partner</th><th scope=\"col\">Act</th>"
                "<th scope=\"col\">Authority</th><th scope=\"col\">Decision</th>"
                "<th scope=\"col\">Date</th><th scope=\"col\">Signatory or reason</th>"
                "<th scope=\"col\">Document SHA-256</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < a->n_partners; i++) {
        const char *code = a->partners[i]->code;
        const Concord__V1__Execution *x = NULL;
        int withdrawn = 0;
        for (size_t k = 0; k < v->n_executions && k < v->n_acted_by; k++) {
            if (strcmp(v->acted_by[k], code) == 0) {
                x = v->executions[k];
            }
        }
        for (size_t k = 0; k < v->n_withdrawn; k++) {
            withdrawn |= strcmp(v->withdrawn[k], code) == 0;
        }
        dashboard_html_put(t, "<tr><th scope=\"row\">%s</th>", code);
        if (withdrawn) {
            text_put(t, "<td>left out by a variation</td><td colspan=\"5\"></td></tr>\n");
            continue;
        }
        if (!x) {
            text_put(t, "<td class=\"bad\">awaiting execution</td><td colspan=\"5\"></td></tr>\n");
            continue;
        }
        dashboard_html_put(t, "<td class=\"%s\">%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s"
                              "</td><td>",
                           x->declined ? "bad" : "ok", x->declined ? "declined" : "executed",
                           x->authority, x->decision_ref, x->decision_date,
                           x->declined ? x->reason : x->signatory_role);
        if (x->document_sha256.len) {
            text_put(t, "<code class=\"hash\">");
            for (size_t k = 0; k < x->document_sha256.len && k < 32; k++) {
                text_put(t, "%02x", x->document_sha256.data[k]);
            }
            text_put(t, "</code>");
        }
        text_put(t, "</td></tr>\n");
    }
    text_put(t, "</tbody></table>\n");
}

/* An advisory board's recommendation: which bodies ratify it and how
 * many have ratified or declined. */
static void s_ratification(text_t *t, const Concord__V1__ProposalView *p,
                           const Concord__V1__BoardShowReply *board)
{
    unsigned awaited = p->ratifiers - (p->ratified + p->declined > p->ratifiers
                                           ? p->ratifiers
                                           : p->ratified + p->declined);
    const char *state = p->declined      ? "declined: not in effect"
                        : p->effective   ? "ratified: in effect"
                        : !p->passed     ? "not recommended"
                                         : "awaiting ratification";
    dashboard_html_put(t, "<h2>Ratification</h2><p id=\"ratification\">An advisory board "
                          "recommends; each body it names ratifies or declines with its own act."
                          " State: <strong class=\"%s\">%s</strong>; ratified by %u of %u bodies,"
                          " declined by %u, awaited from %u.</p>\n",
                       p->declined ? "bad" : p->effective ? "ok" : "", state, p->ratified,
                       p->ratifiers, p->declined, awaited);
    if (board && board->charter && board->charter->n_ratifiers) {
        text_put(t, "<p>Ratifying bodies: ");
        for (size_t i = 0; i < board->charter->n_ratifiers; i++) {
            dashboard_html_put(t, "%s%s", i ? ", " : "", board->charter->ratifiers[i]);
        }
        text_put(t, ".</p>\n");
    }
}

void dashboard_pages_proposal(text_t *t, const char *org, const Concord__V1__ProposalView *p,
                              const Concord__V1__BoardShowReply *board,
                              const Concord__V1__PoolView *pool,
                              const dashboard_pages_cert_t *cert, uint64_t now_ms)
{
    s_tally_t ty;
    const Concord__V1__Proposal *pr = p->proposal;
    char events[96];
    snprintf(events, sizeof events, "/events?proposal=%s", p->id);
    dashboard_html_begin(t, org, s_title(p)[0] ? s_title(p) : p->id, DASHBOARD_NAV_PROPOSALS,
                         p->closed ? NULL : events);
    dashboard_html_put(t, "<p class=\"outcome\">Outcome: <strong data-live=\"outcome\" "
                          "class=\"%s\">%s</strong></p>\n",
                       !p->closed ? "" : p->passed ? "ok" : "bad", s_outcome(p));
    dashboard_html_put(t, "<dl><dt>Proposal</dt><dd><code>%s</code></dd><dt>Board</dt><dd>"
                          "<a href=\"/boards/%s\">%s</a></dd><dt>Proposed by</dt><dd>%s</dd>"
                          "<dt>Proposed at</dt><dd>",
                       p->id, p->board_id, p->board_id, p->proposer);
    dashboard_html_time(t, p->time_ms);
    if (pr) {
        dashboard_html_put(t, "</dd><dt>Kind</dt><dd>%s</dd><dt>Service area</dt><dd>%s</dd>"
                              "<dt>Amount</dt><dd>",
                           board_names_kind((int)pr->kind), board_names_area((int)pr->area));
        dashboard_html_money(t, pr->amount_pence);
        dashboard_html_put(t, "</dd><dt>Effective</dt><dd>%s</dd><dt>Voting closes</dt><dd>",
                           pr->effective_date[0] ? pr->effective_date : "-");
        dashboard_html_time(t, pr->closes_at_ms);
    }
    text_put(t, "</dd><dt>Time left</dt><dd data-live=\"left\">");
    if (p->closed) {
        text_put(t, "closed");
    } else {
        dashboard_html_left(t, now_ms, s_closes(p));
    }
    text_put(t, "</dd></dl>\n");
    if (pr && pr->text[0]) {
        dashboard_html_put(t, "<h2>Text</h2><p class=\"text\">%s</p>\n", pr->text);
    }
    s_tally(p, board, &ty);
    text_put(t, "<h2>Tally</h2>\n<table id=\"tally\"><caption>Votes by constituency"
                "</caption><thead><tr><th scope=\"col\">Constituency</th><th scope=\"col\">"
                "Members</th><th scope=\"col\">For</th><th scope=\"col\">Against</th>"
                "<th scope=\"col\">Abstain</th></tr></thead><tbody>\n");
    for (int c = 0; c < S_CONSTITUENCIES; c++) {
        if (!ty.members[c] && !ty.votes[c][1] && !ty.votes[c][2] && !ty.votes[c][3]) {
            continue;
        }
        text_put(t, "<tr><th scope=\"row\">%s</th><td class=\"num\">%u</td>",
                 c == 0 ? (board ? "not placed" : "all members") : board_names_constituency(c),
                 ty.members[c]);
        for (int v = 1; v <= 3; v++) {
            text_put(t, "<td class=\"num\" data-live=\"%s-%d\">%u</td>", s_const_names[c], v,
                     ty.votes[c][v]);
        }
        text_put(t, "</tr>\n");
    }
    text_put(t, "</tbody><tfoot><tr><th scope=\"row\">Total</th><td class=\"num\">%u</td>"
                "<td class=\"num\" data-live=\"for\">%u</td><td class=\"num\" "
                "data-live=\"against\">%u</td><td class=\"num\" data-live=\"abstain\">%u</td>"
                "</tr></tfoot></table>\n",
             p->members, p->votes_for, p->votes_against, p->abstentions);
    text_put(t, "<p>Quorum: <span data-live=\"voted\">%u</span> of %u members have voted",
             ty.voted, p->members);
    if (ty.quorum_den) {
        text_put(t, "; %u/%u of members (%u) needed", ty.quorum_num, ty.quorum_den,
                 ty.quorum_needed);
        if (ty.quorum_needed) {
            text_put(t, " <meter min=\"0\" max=\"%u\" value=\"%u\" aria-label=\"Quorum "
                        "progress\">%u of %u</meter>",
                     ty.quorum_needed, ty.voted < ty.quorum_needed ? ty.voted : ty.quorum_needed,
                     ty.voted, ty.quorum_needed);
        }
    }
    text_put(t, ". Quorate: <strong data-live=\"quorate\">%s</strong>.</p>\n",
             p->quorate ? "yes" : "not yet");
    if (p->explanation[0]) {
        dashboard_html_put(t, "<h2>How the rule was applied</h2><p class=\"explanation\">%s"
                              "</p>\n",
                           p->explanation);
    }
    text_put(t, "<h2>Ballots</h2>\n");
    if (!p->n_ballots) {
        text_put(t, "<p>No ballot yet.</p>\n");
    } else {
        text_put(t, "<table id=\"ballots\"><caption>Every ballot, in log order</caption><thead>"
                    "<tr><th scope=\"col\">Member</th><th scope=\"col\">Vote</th>"
                    "<th scope=\"col\">Reason</th><th scope=\"col\">Time</th>"
                    "<th scope=\"col\">Log index</th></tr></thead><tbody>\n");
        for (size_t i = 0; i < p->n_ballots; i++) {
            const Concord__V1__BallotView *b = p->ballots[i];
            dashboard_html_put(t, "<tr><th scope=\"row\">%s</th><td>%s</td><td>%s</td><td>",
                               b->member, board_names_vote((int)b->vote), b->reason);
            dashboard_html_time(t, b->time_ms);
            text_put(t, "</td><td class=\"num\">%llu</td></tr>\n",
                     (unsigned long long)b->log_index);
        }
        text_put(t, "</tbody></table>\n");
    }
    if (p->n_refused) {
        text_put(t, "<table><caption>Ballots refused</caption><thead><tr><th scope=\"col\">"
                    "Sender</th><th scope=\"col\">Log index</th><th scope=\"col\">Reason</th>"
                    "</tr></thead><tbody>\n");
        for (size_t i = 0; i < p->n_refused; i++) {
            dashboard_html_put(t, "<tr><td>%s</td><td class=\"num\">%llu</td><td>%s</td></tr>\n",
                               p->refused[i]->sender,
                               (unsigned long long)p->refused[i]->log_index,
                               p->refused[i]->reason);
        }
        text_put(t, "</tbody></table>\n");
    }
    if (p->ratifiers) {
        s_ratification(t, p, board);
    }
    if (pool && p->passed) {
        dashboard_html_put(t, "<p>Pool <a href=\"/pools/%s\">%s</a>:</p>\n", pool->id,
                           pool->id);
        s_executions(t, pool);
    }
    if (p->closed) {
        text_put(t, "<h2>Decision certificate</h2>\n");
        if (cert && cert->checked) {
            dashboard_html_put(t, "<p id=\"verification\" class=\"%s\">%s: %s</p>\n",
                               cert->verified ? "ok" : "bad",
                               cert->verified ? "Certificate verified" : "Certificate NOT verified",
                               cert->detail);
            dashboard_html_put(t, "<p><a href=\"/certificate/%s\" download=\"%s.cert\">Download "
                                  "the certificate</a> and check it yourself with <code>concord "
                                  "verify %s.cert --roster roster.bin</code>.</p>\n",
                               p->id, p->id, p->id);
        } else {
            dashboard_html_put(t, "<p id=\"verification\" class=\"bad\">No certificate: %s</p>\n",
                               cert ? cert->detail : "not exported");
        }
    }
    dashboard_html_end(t, !p->closed);
}

void dashboard_pages_pools(text_t *t, const char *org, const Concord__V1__PoolListReply *l)
{
    dashboard_html_begin(t, org, "Pooled funds", DASHBOARD_NAV_POOLS, NULL);
    if (!l->n_pools) {
        text_put(t, "<p>No pooled fund has been agreed yet.</p>\n");
    } else {
        text_put(t, "<table><caption>Pooled funds and s75 arrangements</caption><thead><tr>"
                    "<th scope=\"col\">Pool</th><th scope=\"col\">Name</th><th scope=\"col\">"
                    "Board</th><th scope=\"col\">State</th><th scope=\"col\">Years</th></tr>"
                    "</thead><tbody>\n");
        for (size_t i = 0; i < l->n_pools; i++) {
            const Concord__V1__PoolView *p = l->pools[i];
            dashboard_html_put(t, "<tr><th scope=\"row\"><a href=\"/pools/%s\">%s</a></th>"
                                  "<td>%s</td><td><a href=\"/boards/%s\">%s</a></td><td>%s</td>"
                                  "<td>",
                               p->id, p->id, p->agreement ? p->agreement->name : "",
                               p->board_id, p->board_id,
                               p->board_business ? "in force (pledges: the board's business)"
                               : p->active       ? "active"
                                                 : "awaiting pledges");
            for (size_t k = 0; k < p->n_years; k++) {
                char y[16];
                text_put(t, "%s%s", k ? ", " : "", money_year_name(p->years[k], y, sizeof y));
            }
            text_put(t, "</td></tr>\n");
        }
        text_put(t, "</tbody></table>\n");
    }
    text_put(t, "<h2>Better Care Fund plans</h2>\n");
    if (!l->n_plans) {
        text_put(t, "<p>No BCF plan yet.</p>\n");
    } else {
        text_put(t, "<table><caption>BCF plans</caption><thead><tr><th scope=\"col\">Plan"
                    "</th><th scope=\"col\">Health and wellbeing board</th><th scope=\"col\">"
                    "Year</th><th scope=\"col\">Total</th><th scope=\"col\">State</th></tr>"
                    "</thead><tbody>\n");
        for (size_t i = 0; i < l->n_plans; i++) {
            const Concord__V1__BcfView *b = l->plans[i];
            char y[16];
            dashboard_html_put(t, "<tr><th scope=\"row\"><a href=\"/bcf/%s\">%s</a></th><td>%s"
                                  "</td><td>%s</td><td class=\"num\">",
                               b->id, b->id, b->hwb,
                               money_year_name(b->financial_year, y, sizeof y));
            dashboard_html_money(t, b->total_pence);
            text_put(t, "</td><td>%s</td></tr>\n",
                     b->approved ? "approved" : b->approvable ? "awaiting approval" : "in sign-off");
        }
        text_put(t, "</tbody></table>\n");
    }
    dashboard_html_end(t, 0);
}

/* The year's statement: contributions, outturn, the split and the host's
 * signature. */
static void s_statement(text_t *t, const Concord__V1__PoolStatementReply *s)
{
    char y[16];
    money_year_name(s->financial_year, y, sizeof y);
    dashboard_html_put(t, "<section aria-labelledby=\"year-%u\"><h3 id=\"year-%u\">%s</h3>\n",
                       s->financial_year, s->financial_year, y);
    text_put(t, "<table class=\"statement\"><caption>Contributions and the variance's split, "
                "%s</caption><thead><tr><th scope=\"col\">Partner</th><th scope=\"col\">"
                "Contribution</th><th scope=\"col\">Pledged</th><th scope=\"col\">Share of "
                "variance</th><th scope=\"col\">Net</th></tr></thead><tbody>\n",
             y);
    const char *labels[16];
    int64_t amounts[16], shares[16];
    size_t n = s->n_lines < 16 ? s->n_lines : 16;
    int any_share = 0;
    for (size_t i = 0; i < s->n_lines; i++) {
        const Concord__V1__StatementLineView *l = s->lines[i];
        dashboard_html_put(t, "<tr><th scope=\"row\">%s</th><td class=\"num\">", l->partner);
        dashboard_html_money(t, l->contribution_pence);
        text_put(t, "</td><td class=\"num\">");
        dashboard_html_money(t, l->pledged_pence);
        text_put(t, "%s</td><td class=\"num\">", l->matches ? "" : " (differs)");
        dashboard_html_money(t, l->share_pence);
        text_put(t, "</td><td class=\"num\">");
        dashboard_html_money(t, l->net_pence);
        text_put(t, "</td></tr>\n");
        if (i < 16) {
            labels[i] = l->partner;
            amounts[i] = l->contribution_pence;
            shares[i] = l->share_pence < 0 ? -l->share_pence : l->share_pence;
            any_share |= l->share_pence != 0;
        }
    }
    text_put(t, "</tbody><tfoot><tr><th scope=\"row\">Total</th><td class=\"num\">");
    dashboard_html_money(t, s->total_pence);
    text_put(t, "</td><td class=\"num\">");
    dashboard_html_money(t, s->pledged_total_pence);
    text_put(t, "</td><td class=\"num\">");
    dashboard_html_money(t, s->has_outturn ? s->variance_pence : 0);
    text_put(t, "</td><td></td></tr></tfoot></table>\n");
    if (n) {
        dashboard_html_bars(t, "Contributions by partner", labels, amounts, n);
    }
    if (s->has_outturn) {
        text_put(t, "<p>Outturn: ");
        dashboard_html_money(t, s->outturn_pence);
        text_put(t, "; %s of ", s->variance_pence > 0   ? "overspend"
                                : s->variance_pence < 0 ? "underspend"
                                                        : "on budget, variance");
        dashboard_html_money(t, s->variance_pence < 0 ? -s->variance_pence : s->variance_pence);
        text_put(t, ".</p>\n");
        if (any_share) {
            dashboard_html_stack(t, "Split of the variance between partners", labels, shares, n,
                                 480);
        }
    } else {
        text_put(t, "<p>No outturn recorded yet.</p>\n");
    }
    if (s->signed_statement_id[0]) {
        dashboard_html_put(t, "<p class=\"ok signed\">Signed by the host %s (statement %s, log "
                              "index %llu). <a href=\"/statement/%s/%u\" download>Download the "
                              "signed statement</a>.</p>\n",
                           s->accountable, s->signed_statement_id,
                           (unsigned long long)s->signed_log_index, s->pool_id,
                           s->financial_year);
    } else {
        dashboard_html_put(t, "<p class=\"signed\">Not yet signed by the host %s.</p>\n",
                           s->accountable);
    }
    if (s->refused_statement) {
        dashboard_html_put(t, "<p class=\"bad\">A statement was refused: %s</p>\n",
                           s->refused_statement->reason);
    }
    text_put(t, "</section>\n");
}

void dashboard_pages_pool(text_t *t, const char *org, const Concord__V1__PoolView *p,
                          Concord__V1__PoolStatementReply *const *stmts, size_t n)
{
    const Concord__V1__PoolAgreement *a = p->agreement;
    char title[160];
    snprintf(title, sizeof title, "Pool %s", p->id);
    dashboard_html_begin(t, org, title, DASHBOARD_NAV_POOLS, NULL);
    dashboard_html_put(t, "<h2>Agreement</h2><dl><dt>Name</dt><dd>%s</dd><dt>State</dt><dd>%s"
                          "</dd><dt>Decided by</dt><dd><a href=\"/boards/%s\">%s</a>, proposal "
                          "<a href=\"/proposals/%s\">%s</a></dd>",
                       a ? a->name : "", s_pool_state(p), p->board_id,
                       p->board_id, p->agreement_id, p->agreement_id);
    if (p->missing[0]) {
        dashboard_html_put(t, "<dt>Missing</dt><dd>%s</dd>", p->missing);
    }
    if (a) {
        dashboard_html_put(t, "<dt>Aims and outcomes</dt><dd>%s</dd><dt>Host</dt><dd>%s</dd>"
                              "<dt>Governance</dt><dd>%s</dd>",
                           a->aims_and_outcomes, a->n_hosts ? a->hosts[0] : "-", a->governance);
    }
    text_put(t, "</dl>\n");
    if (a && a->n_partners) {
        text_put(t, "<h2>Partners and contributions</h2><table><caption>Contributions per year"
                    " as agreed</caption><thead><tr><th scope=\"col\">Partner</th>"
                    "<th scope=\"col\">Name</th><th scope=\"col\">Year</th><th scope=\"col\">"
                    "Contribution</th></tr></thead><tbody>\n");
        for (size_t i = 0; i < a->n_partners; i++) {
            const Concord__V1__PoolPartner *pp = a->partners[i];
            for (size_t k = 0; k < pp->n_contributions; k++) {
                char y[16];
                dashboard_html_put(t, "<tr><th scope=\"row\">%s</th><td>%s</td><td>%s</td>"
                                      "<td class=\"num\">",
                                   pp->code, i < p->n_partner_names ? p->partner_names[i] : "",
                                   money_year_name(pp->contributions[k]->financial_year, y,
                                                   sizeof y));
                dashboard_html_money(t, pp->contributions[k]->amount_pence);
                text_put(t, "</td></tr>\n");
            }
        }
        text_put(t, "</tbody></table>\n");
    }
    s_executions(t, p);
    text_put(t, "<h2>Statements</h2>\n");
    if (!n) {
        text_put(t, "<p>No year's statement yet.</p>\n");
    }
    for (size_t i = 0; i < n; i++) {
        s_statement(t, stmts[i]);
    }
    dashboard_html_end(t, 0);
}

void dashboard_pages_bcf(text_t *t, const char *org, const Concord__V1__BcfView *b)
{
    char title[160], y[16];
    snprintf(title, sizeof title, "BCF plan %s", b->id);
    dashboard_html_begin(t, org, title, DASHBOARD_NAV_POOLS, NULL);
    const char *state = strcmp(b->outcome, "approved-with-conditions") == 0
                            ? "approved with conditions"
                        : strcmp(b->outcome, "not-approved") == 0 ? "not approved"
                        : b->approved                              ? "approved"
                        : b->approvable                            ? "awaiting approval"
                                                                   : "in sign-off";
    dashboard_html_put(t, "<dl><dt>Health and wellbeing board</dt><dd>%s</dd><dt>Year</dt>"
                          "<dd>%s</dd><dt>Version</dt><dd>%s</dd><dt>Pooled fund (s75)</dt>"
                          "<dd>%s</dd><dt>State</dt><dd class=\"%s\">%s</dd></dl>\n",
                       b->hwb, money_year_name(b->financial_year, y, sizeof y), b->version,
                       b->pool_id, b->approved ? "ok" : "", state);
    const char *labels[] = {"CCG minimum", "Disabled Facilities Grant", "improved BCF",
                            "Additional"};
    int64_t v[] = {b->ccg_minimum_pence, b->dfg_pence, b->ibcf_pence, b->additional_pence};
    text_put(t, "<h2>Streams</h2><table><caption>Funding streams</caption><thead><tr>"
                "<th scope=\"col\">Stream</th><th scope=\"col\">Amount</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < 4; i++) {
        text_put(t, "<tr><th scope=\"row\">%s</th><td class=\"num\">", labels[i]);
        dashboard_html_money(t, v[i]);
        text_put(t, "</td></tr>\n");
    }
    text_put(t, "<tr><th scope=\"row\">of which DFG passed to district councils</th>"
                "<td class=\"num\">");
    dashboard_html_money(t, b->dfg_to_districts_pence);
    text_put(t, "</td></tr></tbody><tfoot><tr><th scope=\"row\">Total</th><td class=\"num\">");
    dashboard_html_money(t, b->total_pence);
    text_put(t, "</td></tr></tfoot></table>\n");
    dashboard_html_bars(t, "BCF funding streams", labels, v, 4);
    text_put(t, "<h2>Sign-off chain</h2><ol class=\"signoff\">"
                "<li>Health and wellbeing board: %s</li><li>Council: %s</li>"
                "<li>CCGs: %llu of %llu signed</li><li>Approval: %s</li></ol>\n",
             b->hwb_agreed ? "agreed" : "not yet", b->council_signed ? "signed" : "not yet",
             (unsigned long long)b->ccgs_signed, (unsigned long long)b->ccgs,
             b->outcome[0] ? state : "not yet");
    for (size_t i = 0; i < b->n_conditions; i++) {
        dashboard_html_put(t, "<p>Condition %zu: %s (by %s): %s</p>\n", i + 1,
                           b->conditions[i]->text, b->conditions[i]->deadline,
                           b->conditions[i]->met       ? "met"
                           : b->conditions[i]->overdue ? "OVERDUE (not met by its deadline)"
                                                       : "not yet met");
    }
    if (b->missing[0]) {
        dashboard_html_put(t, "<p>Missing: %s</p>\n", b->missing);
    }
    dashboard_html_end(t, 0);
}

/* "38.1%" from permille. */
static void s_permille(text_t *t, uint32_t permille)
{
    text_put(t, "%u.%u%%", permille / 10, permille % 10);
}

static const char *s_kind_label(const char *key)
{
    return strcmp(key, "ccg") == 0                  ? "CCGs"
           : strcmp(key, "upper_tier_council") == 0 ? "Upper-tier councils"
           : strcmp(key, "district_council") == 0   ? "District councils"
           : strcmp(key, "combined_authority") == 0 ? "Combined authorities"
                                                    : key;
}

/* A table of organisations with their shares of each footprint. */
static void s_org_table(text_t *t, const char *caption, const char *id,
                        Concord__V1__FootprintOrgView *const *v, size_t n)
{
    dashboard_html_put(t, "<table id=\"%s\"><caption>%s</caption><thead><tr>"
                          "<th scope=\"col\">Kind</th><th scope=\"col\">Code</th>"
                          "<th scope=\"col\">Name</th><th scope=\"col\">LSOAs</th>"
                          "<th scope=\"col\">Footprints (share of its LSOAs)</th>"
                          "<th scope=\"col\">Declared primary</th></tr></thead><tbody>\n",
                       id, caption);
    for (size_t i = 0; i < n; i++) {
        dashboard_html_put(t, "<tr><td>%s</td><th scope=\"row\">%s</th><td>%s</td>"
                              "<td class=\"num\">%llu</td><td>",
                           v[i]->kind, v[i]->code, v[i]->name, (unsigned long long)v[i]->lsoas);
        for (size_t k = 0; k < v[i]->n_footprints; k++) {
            const Concord__V1__FootprintShare *f = v[i]->footprints[k];
            dashboard_html_put(t, "%s<span title=\"%s\">%s</span> ", k ? ", " : "", f->name,
                               f->footprint);
            s_permille(t, f->share_permille);
            dashboard_html_put(t, " (%s)", f->relation);
        }
        dashboard_html_put(t, "</td><td>%s</td></tr>\n",
                           v[i]->declared_primary[0] ? v[i]->declared_primary : "-");
    }
    text_put(t, "</tbody></table>\n");
}

static void s_report(text_t *t, const Concord__V1__FootprintReportReply *rep)
{
    dashboard_html_put(t, "<h2>Alignment of organisations with %s footprints</h2>\n<dl>",
                       rep->layer);
    dashboard_html_put(t, "<dt>LSOAs</dt><dd id=\"fp-lsoas\">%llu</dd>",
                       (unsigned long long)rep->lsoas);
    dashboard_html_put(t, "<dt>Footprints</dt><dd id=\"fp-footprints\">%llu (%llu coterminous "
                          "with upper-tier councils)</dd>",
                       (unsigned long long)rep->footprints,
                       (unsigned long long)rep->coterminous_footprints);
    for (size_t k = 0; k < rep->n_kinds; k++) {
        const Concord__V1__FootprintKindCount *c = rep->kinds[k];
        dashboard_html_put(t, "<dt>%s</dt><dd id=\"fp-kind-%s\">%llu (%llu split across "
                              "footprints",
                           s_kind_label(c->kind), c->kind, (unsigned long long)c->organisations,
                           (unsigned long long)c->split);
        if (c->partial) {
            dashboard_html_put(t, ", %llu partly in none", (unsigned long long)c->partial);
        }
        text_put(t, ")</dd>");
    }
    if (rep->lsoas_outside) {
        dashboard_html_put(t, "<dt>LSOAs in no footprint</dt><dd>%llu</dd>",
                           (unsigned long long)rep->lsoas_outside);
    }
    dashboard_html_put(t, "<dt>Declared primaries</dt><dd id=\"fp-primaries\">%llu</dd><dt>"
                          "Vintages</dt><dd>",
                       (unsigned long long)rep->declared_primaries);
    for (size_t i = 0; i < rep->n_vintages; i++) {
        dashboard_html_put(t, "%s%s", i ? ", " : "", rep->vintages[i]);
    }
    dashboard_html_put(t, " (from %llu ONS lookup files)</dd></dl>\n",
                       (unsigned long long)rep->files);
    text_put(t, "<table id=\"fp-rows\"><caption>Footprints</caption><thead><tr>"
                "<th scope=\"col\">Footprint</th><th scope=\"col\">Name</th>"
                "<th scope=\"col\">LSOAs</th><th scope=\"col\">CCGs</th>"
                "<th scope=\"col\">Upper-tier councils</th><th scope=\"col\">Of which split</th>"
                "<th scope=\"col\">Coterminous</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < rep->n_rows; i++) {
        const Concord__V1__FootprintRow *w = rep->rows[i];
        dashboard_html_put(t, "<tr><th scope=\"row\">%s</th><td>%s</td><td class=\"num\">%llu"
                              "</td><td class=\"num\">%llu</td><td class=\"num\">%llu</td>"
                              "<td class=\"num\">%llu</td><td>%s</td></tr>\n",
                           w->code, w->name, (unsigned long long)w->lsoas,
                           (unsigned long long)w->ccgs, (unsigned long long)w->upper_tier_councils,
                           (unsigned long long)w->split_upper_tier_councils,
                           w->coterminous ? "yes" : "no");
    }
    text_put(t, "</tbody></table>\n");
    if (rep->n_splits) {
        s_org_table(t, "Split organisations", "fp-splits", rep->splits, rep->n_splits);
    } else {
        text_put(t, "<p>No organisation is split across footprints.</p>\n");
    }
    if (rep->n_combined_authorities) {
        s_org_table(t, "Combined authorities", "fp-cauth", rep->combined_authorities,
                    rep->n_combined_authorities);
    }
}

void dashboard_pages_footprints(text_t *t, const char *org,
                                const Concord__V1__RealignmentsReply *r,
                                const Concord__V1__FootprintReportReply *rep,
                                const char *rep_error)
{
    dashboard_html_begin(t, org, "Footprints", DASHBOARD_NAV_FOOTPRINTS, NULL);
    if (!r) {
        text_put(t, "<p class=\"bad\">The realignments could not be read.</p>\n");
    } else if (!r->n_realignments) {
        text_put(t, "<p>No footprint realignment has been decided.</p>\n");
    } else {
        text_put(t, "<table><caption>Footprint realignments decided by boards</caption><thead>"
                    "<tr><th scope=\"col\">Organisation</th><th scope=\"col\">Footprint</th>"
                    "<th scope=\"col\">Board</th><th scope=\"col\">Decision</th>"
                    "<th scope=\"col\">Decided</th></tr></thead><tbody>\n");
        for (size_t i = 0; i < r->n_realignments; i++) {
            const Concord__V1__RealignmentView *v = r->realignments[i];
            dashboard_html_put(t, "<tr><th scope=\"row\">%s</th><td>%s</td><td>%s</td><td>"
                                  "<a href=\"/proposals/%s\">%s</a></td><td>",
                               v->organisation, v->footprint, v->board_id, v->proposal_id,
                               v->proposal_id);
            dashboard_html_time(t, v->decided_at_ms);
            text_put(t, "</td></tr>\n");
        }
        text_put(t, "</tbody></table>\n");
    }
    if (rep) {
        s_report(t, rep);
    } else {
        dashboard_html_put(t, "<h2>Alignment report</h2><p class=\"bad\" role=\"alert\">%s</p>\n",
                           rep_error ? rep_error : "not available");
    }
    dashboard_html_end(t, 0);
}

void dashboard_pages_error(text_t *t, const char *org, const char *what, const char *why)
{
    dashboard_html_begin(t, org, what, DASHBOARD_NAV_FEDERATION, NULL);
    dashboard_html_put(t, "<p class=\"bad\" role=\"alert\">%s</p>\n", why);
    dashboard_html_end(t, 0);
}
