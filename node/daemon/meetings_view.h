/* SPDX-License-Identifier: Apache-2.0 */
/* meetings_view: a board meeting and a council's forward plan as the node
 * reports them over the control socket (MeetingView, ForwardPlanView,
 * proto/meeting.proto). */
#ifndef CONCORD_MEETINGS_VIEW_H
#define CONCORD_MEETINGS_VIEW_H

#include "board.h"
#include "control.h"

/* Fills out (initialised by the caller) with meeting i of engine e at
 * now_ms. Strings and messages are borrowed from the engine or allocated
 * in a (see a->failed). */
void meetings_view_meeting(const board_engine_t *e, size_t i, uint64_t now_ms,
                           Concord__V1__MeetingView *out, control_arena_t *a);

/* Fills out with the forward plan entries of board_id (every board if
 * empty or NULL), or the one entry id (when not NULL), with the
 * proposals that name each. */
void meetings_view_plan(const board_engine_t *e, const char *board_id, const char *id,
                        Concord__V1__ForwardPlanReply *out, control_arena_t *a);

#endif
