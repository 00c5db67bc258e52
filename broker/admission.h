/* SPDX-License-Identifier: Apache-2.0 */
/* admission: the broker's roster. The genesis roster from its file,
 * changed by the key rotations and mergers that boards decide, folded
 * from the broker's own log exactly as every node folds them from its
 * ledger. The broker verifies each envelope, and its ZAP handler admits
 * each connection, against the roster as it stands after everything
 * logged so far. */
#ifndef CONCORD_ADMISSION_H
#define CONCORD_ADMISSION_H

#include <stdint.h>

#include "board.h"
#include "broker_store.h"
#include "envelope.h"
#include "err.h"
#include "roster.h"

typedef struct admission admission_t;

/* After the fold at start: organisation code has just joined the
 * audience of board_id (PROTOCOL.md "Audiences") at log index at_index,
 * by the event logged there (the board's adoption, or an admission). */
typedef void (*admission_join_fn)(const char *board_id, const char *code, uint64_t at_index,
                                  void *arg);

/* Loads and verifies the genesis roster at roster_path, then folds every
 * board event in the log of ledger (a broker ledger). on_change (may be
 * NULL) runs after each roster change, during this fold too; on_join
 * (may be NULL) after each join of a board's audience, from then on.
 * Returns NULL with err set: the roster file, its signatures, a log entry
 * that no longer verifies, or memory. */
admission_t *admission_new(const char *roster_path, broker_store_t *ledger, board_roster_fn on_change,
                           admission_join_fn on_join, void *arg, cc_err_t *err);

/* The roster after everything folded; it lives as long as a. */
const roster_t *admission_roster(const admission_t *a);

/* Folds one envelope the broker just logged at log_index with receipt
 * time time_ms: board events (to "*" or "board:ID") go to the board
 * engine, other events move its clock (board_advance), anything else is
 * ignored. Returns 0, or -1 if memory ran out (the caller rebuilds with
 * admission_new). */
int admission_fold(admission_t *a, const envelope_t *env, uint64_t log_index, uint64_t time_ms,
                   cc_err_t *err);

/* The recipient env must be addressed to, as the boards stand after
 * everything logged: 0 with out filled for a board or pool event; 1 for
 * an envelope with no audience rule (not an event, or not a board's or a
 * pool's); -1 with err when the boards would refuse it whatever its
 * address (an unknown proposal or pool, a malformed body). */
int admission_audience(const admission_t *a, const envelope_t *env,
                       char out[BOARD_AUDIENCE_MAX + 1], cc_err_t *err);

/* Calls fn for every organisation in the audience of board_id (its
 * members and ratifiers). Returns 0, fn's non-zero answer, or -1 for a
 * board the broker does not know. */
int admission_members(const admission_t *a, const char *board_id,
                      int (*fn)(const char *code, void *arg), void *arg);

void admission_destroy(admission_t **a);

#endif
