/* SPDX-License-Identifier: Apache-2.0 */
/* meetings_view: meetings and forward plans as Control replies. */
#include "meetings_view.h"

#include <sodium.h>
#include <string.h>

#include "meeting_rules.h"
#include "workdays.h"

static char *s_hex(control_arena_t *a, const uint8_t hash[32])
{
    char *out = control_alloc(a, 65);
    if (out) {
        sodium_bin2hex(out, 65, hash, 32);
    }
    return out;
}

void meetings_view_meeting(const board_engine_t *e, size_t i, uint64_t now_ms,
                           Concord__V1__MeetingView *out, control_arena_t *a)
{
    board_meeting_view_t mv;
    board_view_t bv;
    board_meeting_at(e, i, &mv);
    out->id = control_str(mv.id);
    out->meeting = (Concord__V1__Meeting *)mv.meeting;
    out->called_by = control_str(mv.called_by);
    out->published_at_ms = mv.time_ms;
    out->now_ms = now_ms;
    if (board_get(e, mv.board_id, &bv) == 0) {
        out->board_name = control_str(bv.charter->name);
        out->chair = control_str(bv.charter->chair);
        out->co_chairs = bv.charter->co_chairs;
        out->n_co_chairs = bv.charter->n_co_chairs;
        out->casting_vote = bv.charter->chair_casting_vote;
    }
    out->items = control_alloc_messages(a, &concord__v1__agenda_item_view__descriptor, mv.n_items);
    for (size_t j = 0; out->items && j < mv.n_items; j++) {
        Concord__V1__AgendaItemView *v = out->items[out->n_items++];
        uint64_t published;
        const Concord__V1__AgendaItem *it = board_meeting_item(e, i, j, &published);
        board_proposal_view_t pv;
        long clear = workdays_clear_between(published, mv.meeting->starts_at_ms);
        v->item = (Concord__V1__AgendaItem *)it;
        v->published_at_ms = published;
        v->clear_working_days = clear > 0 ? (uint32_t)clear : 0;
        v->title = control_str(it->title);
        if (!it->title[0] && it->proposal_id[0] &&
            board_proposal_find(e, it->proposal_id, now_ms, &pv, NULL) == 0) {
            v->title = control_str(pv.proposal->title);
        }
    }
    out->attendance =
        control_alloc_messages(a, &concord__v1__attendance_view__descriptor, mv.n_attendance);
    for (size_t j = 0; out->attendance && j < mv.n_attendance; j++) {
        Concord__V1__AttendanceView *v = out->attendance[out->n_attendance++];
        const char *by;
        uint64_t at;
        const Concord__V1__Attendance *r = board_meeting_attendance(e, i, j, &by, &at);
        v->member = control_str(r->member);
        v->status = r->status;
        v->person = control_str(r->person);
        v->substitute_for = control_str(r->substitute_for);
        v->recorded_by = control_str(by);
        v->recorded_at_ms = at;
    }
    out->minutes_approved = mv.approved;
    if (mv.approved) {
        out->approved_at_meeting = control_str(mv.approved_at);
        out->approved_by = control_str(mv.approved_by);
        out->approved_sha256.data = (uint8_t *)mv.approved_sha256;
        out->approved_sha256.len = 32;
        out->approved_at_ms = mv.approved_ms;
        out->approval_event_id = s_hex(a, mv.approval_hash);
    }
    out->event_ids = control_alloc(a, (mv.n_events ? mv.n_events : 1) * sizeof *out->event_ids);
    for (size_t j = 0; out->event_ids && j < mv.n_events; j++) {
        char *h = s_hex(a, board_meeting_event(e, i, j));
        if (h) {
            out->event_ids[out->n_event_ids++] = h;
        }
    }
}

void meetings_view_plan(const board_engine_t *e, const char *board_id, const char *id,
                        Concord__V1__ForwardPlanReply *out, control_arena_t *a)
{
    size_t n = board_plan_count(e);
    out->entries = control_alloc_messages(a, &concord__v1__forward_plan_view__descriptor, n);
    for (size_t i = 0; out->entries && i < n; i++) {
        board_plan_view_t pl;
        board_plan_at(e, i, &pl);
        if ((board_id && board_id[0] && strcmp(pl.board_id, board_id) != 0) ||
            (id && strcmp(pl.id, id) != 0)) {
            continue;
        }
        Concord__V1__ForwardPlanView *v = out->entries[out->n_entries++];
        v->id = control_str(pl.id);
        v->entry = (Concord__V1__ForwardPlanEntry *)pl.entry;
        v->council = control_str(pl.council);
        v->published_at_ms = pl.time_ms;
        v->event_id = s_hex(a, pl.hash);
        size_t np = board_proposal_count(e), k = 0;
        v->decisions = control_alloc(a, (np ? np : 1) * sizeof *v->decisions);
        for (size_t j = 0; v->decisions && j < np; j++) {
            board_proposal_view_t pv;
            board_proposal_at(e, j, 0, &pv);
            if (strcmp(pv.proposal->forward_plan_entry, pl.id) == 0 &&
                strcmp(pv.board_id, pl.board_id) == 0) {
                v->decisions[k++] = (char *)pv.id;
            }
        }
        v->n_decisions = k;
    }
}
