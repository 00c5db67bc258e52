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

/* Loads and verifies the genesis roster at roster_path, then folds every
 * board event in the log of ledger (a broker ledger). on_change (may be
 * NULL) runs after each roster change, during this fold too. Returns
 * NULL with err set: the roster file, its signatures, a log entry that
 * no longer verifies, or memory. */
admission_t *admission_new(const char *roster_path, broker_store_t *ledger,
                           board_roster_fn on_change, void *arg, cc_err_t *err);

/* The roster after everything folded; it lives as long as a. */
const roster_t *admission_roster(const admission_t *a);

/* Folds one envelope the broker just logged at log_index with receipt
 * time time_ms: board events (KIND_EVENT to "*") go to the board engine,
 * anything else is ignored. Returns 0, or -1 if memory ran out (the
 * caller rebuilds with admission_new). */
int admission_fold(admission_t *a, const envelope_t *env, uint64_t log_index, uint64_t time_ms,
                   cc_err_t *err);

void admission_destroy(admission_t **a);

#endif
