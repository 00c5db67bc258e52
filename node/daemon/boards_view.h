/* boards_view: a board proposal as the node shows it, as text for
 * people (`proposal show`) and as JSON: its terms, the membership, roster
 * or pool change it makes, its tally, ballots and refused ballots. */
#ifndef CONCORD_BOARDS_VIEW_H
#define CONCORD_BOARDS_VIEW_H

#include "board.h"
#include "control.h"
#include "json.h"

/* "OPEN", "PASSED" or "FAILED" (a static string). */
const char *boards_view_outcome(const board_proposal_view_t *pv);

/* Appends proposal pv of engine e to j as one object, with its ballots
 * if with_ballots. */
void boards_view_json(const board_engine_t *e, const board_proposal_view_t *pv, json_t *j,
                      int with_ballots);

/* Appends proposal pv of engine e to t as text, with its ballots and the
 * ballots refused on it. */
void boards_view_text(const board_engine_t *e, const board_proposal_view_t *pv, control_text_t *t);

#endif
